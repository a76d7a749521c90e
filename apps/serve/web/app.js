// nabla playground: the page. Training runs on the server (nabla serve); this module keeps the
// controls, the URL hash and the session in sync, polls the state and draws it (with
// network.js, charts.js and stepthrough.js).
import {
  $, ACTIVATIONS, ALL_DATASETS, CSV_KEY, DATASETS, DEFAULTS, DROPOUTS, FEATURES, LAYER_COLORS, MULTICLASS_DATASETS,
  RATES, REG_DATASETS, REG_RATES, className, classColor, color, css, esc, fitCanvas, heatmap, miniDataset, num3, pale, tr, ui,
} from './core.js';
import { lineChart } from './charts.js';
import { drawNetwork, hideCard, linkPoint, neuronCenter, renderCard, setupCards } from './network.js';
import { stepHtml } from './stepthrough.js';

let cfg = structuredClone(DEFAULTS);
let hide = [];          // controls hidden through the hash (hide=noise,optimizer)
let session = null;     // id
let points = null;      // the data points (fetched when the data change)
let pollError = false;  // the error shown is the poll's
let version = null;     // the version of the last state: the next poll asks only for what changed since
let showTest = false;
let discretize = false;  // the output map in two colours (TF Playground's "discretize output")
let logScale = true;    // the loss chart's y axis
let playing = false;
let shownTask = null;   // the task the controls were last drawn for
let lastStep = null;    // the last step-through, redrawn when the language changes

// ---- the URL hash: the whole state, shareable ----
function readHash() {
  const h = new URLSearchParams(location.hash.slice(1));
  const num = (k, lo, hi) => { if (h.has(k)) { const v = Number(h.get(k)); if (Number.isFinite(v) && v >= lo && v <= hi) cfg[k] = v; } };
  if (ALL_DATASETS.includes(h.get('dataset'))) cfg.dataset = h.get('dataset');
  num('noise', 0, 50); num('train_ratio', 10, 90); num('points', 10, 10000); num('batch_size', 1, 10000);
  num('learning_rate', 1e-6, 10); num('regularization_rate', 0, 10); num('dropout', 0, 0.9); num('classes', 2, 8);
  num('seed', 0, 2 ** 40);
  for (const k of ['optimizer', 'loss', 'regularization']) if (h.has(k)) cfg[k] = h.get(k);
  if (h.has('features')) cfg.features = h.get('features').split(',').filter(f => f in FEATURES);
  if (!cfg.features.length) cfg.features = ['x1', 'x2'];
  if (h.has('hidden')) cfg.hidden = h.get('hidden') === '' ? [] : h.get('hidden').split(',').map(Number).filter(n => n >= 1 && n <= 64).slice(0, 8);
  if (h.has('activations')) cfg.activations = h.get('activations').split(',').filter(a => ACTIVATIONS.includes(a));
  if (!cfg.activations.length) cfg.activations = ['tanh'];
  if (h.has('hide')) hide = h.get('hide').split(',').filter(Boolean);
  if (h.get('lang') === 'es' || h.get('lang') === 'en') ui.lang = h.get('lang');
  if (h.has('showtest')) showTest = h.get('showtest') === '1';
  if (h.has('discretize')) discretize = h.get('discretize') === '1';
  if (h.has('logscale')) logScale = h.get('logscale') !== '0';
  const sp = h.get('speed'), v = Number(sp);
  if (sp === 'max') pace = null; else if (sp && v >= 0.1 && v <= 100000) pace = v;
}

function writeHash() {
  const h = new URLSearchParams();
  for (const [k, v] of Object.entries(cfg)) h.set(k, Array.isArray(v) ? v.join(',') : String(v));
  if (hide.length) h.set('hide', hide.join(','));
  h.set('lang', ui.lang);
  if (showTest) h.set('showtest', '1');
  if (discretize) h.set('discretize', '1');
  if (!logScale) h.set('logscale', '0');
  if (pace !== undefined) h.set('speed', pace === null ? 'max' : String(pace));
  history.replaceState(null, '', '#' + h.toString());
}

// ---- the server ----
async function api(method, path, body, type) {
  const headers = body === undefined ? {} : { 'Content-Type': type || 'application/json' };
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : type ? body : JSON.stringify(body) });
  const json = await res.json();
  if (!res.ok) throw new Error(json.error || res.statusText);
  return json;
}
const sessionApi = (method, action, body, type) => api(method, `/api/sessions/${session}/${action}`, body, type);

function sessionConfig() {
  const c = structuredClone(cfg);
  c.batch_size = Math.min(c.batch_size, c.points);
  if (c.activations.length !== 1) c.activations = c.hidden.map((_, i) => c.activations[i] || c.activations[0]);
  return c;
}

// The uploaded CSV stays in this tab (sessionStorage), so that a new session (an expired one, a
// reload) gets the same points back.
function storedCsv() { try { return JSON.parse(sessionStorage.getItem(CSV_KEY)); } catch { return null; } }

async function createSession() {
  const c = sessionConfig(), csv = c.dataset === 'csv' ? storedCsv() : null, missing = c.dataset === 'csv' && !csv;
  if (c.dataset === 'csv') c.dataset = 'circle';  // the points come with the upload below
  if (missing) { cfg.dataset = 'circle'; writeHash(); renderControls(); }
  const r = await api('POST', '/api/sessions', c);
  session = r.id;
  $('export-model').href = `/api/sessions/${session}/export/model.safetensors`;
  $('export-config').href = `/api/sessions/${session}/export/config.toml`;
  $('export-points').href = `/api/sessions/${session}/export/points.csv`;
  if (pace !== undefined) await sessionApi('POST', 'pace', { steps_per_second: pace });
  if (csv) await uploadCsv(csv.text, csv.name);
  if (missing) $('csv-status').textContent = tr('csvmissing');
}

async function uploadCsv(text, name) {
  const r = await sessionApi('POST', `data?name=${encodeURIComponent(name)}`, text, 'text/csv');
  try { sessionStorage.setItem(CSV_KEY, JSON.stringify({ text, name })); } catch { /* too large to keep: fine */ }
  cfg.dataset = 'csv';
  $('csv-status').textContent = tr('csvstatus', name, r.points, r.task, r.num_classes);
  setPlaying(false);
  showError(null);
  clearStep();
  writeHash();
  renderControls();
}

function showError(e) { const el = $('error'); el.hidden = !e; el.textContent = e ? String(e.message || e) : ''; }

async function configChanged() {
  writeHash();
  renderControls();
  try {
    await sessionApi('POST', 'config', sessionConfig());
    showError(null); setPlaying(false); clearStep();
  } catch (e) { showError(e); }
}

function setPlaying(p) { playing = p; $('play').hidden = p; $('pause').hidden = !p; }

// A delta (since=version) holds the scalars and whatever else changed: the history's new epochs
// are appended (or replace it after a reset), every other field replaces the one we have.
function merge(prev, s) {
  if (!s.delta || !prev) return s;
  const next = { ...prev, ...s };
  if ('config' in s && !('upload' in s)) delete next.upload;  // sent with the shapes only while there is one
  if (s.history_mode === 'append')
    next.history = Object.fromEntries(Object.keys(prev.history).map(k => [k, prev.history[k].concat(s.history[k] || [])]));
  return next;
}

async function poll() {
  try {
    if (!session) { version = null; await createSession(); }
    const s = await sessionApi('GET', `state?grid=50&neurons=20&points=1${version === null ? '' : `&since=${version}`}`);
    if (s.points) points = s.points;
    ui.state = merge(ui.state, s);
    version = s.version;
    if (s.playing !== playing) setPlaying(s.playing);
    // The poll clears only the errors it showed (a training error, a lost connection), not
    // those of an action (a bad upload).
    if (s.error || pollError) showError(s.error || null);
    pollError = !!s.error;
    draw();
  } catch (e) {
    showError(e);
    pollError = true;
    if (/no session/.test(e.message)) session = null;
  }
  setTimeout(poll, playing ? 40 : 150);
}

// ---- drawing ----
// The output: a pale heatmap of the network's answer, the points on it in full colour (training
// points filled with a white rim, test points as rings), as wide as its column (240 to 440 CSS pixels).
function drawBoundary() {
  const cv = $('boundary'), side = Math.max(240, Math.min(440, cv.parentElement.clientWidth - 2));
  const ctx = fitCanvas(cv, side, side), st = ui.state;
  ctx.imageSmoothingEnabled = true;
  ctx.clearRect(0, 0, side, side);
  const b = st.boundary;
  if (b) {
    let rgb;
    if (discretize) {
      rgb = st.task === 'multiclass' ? i => classColor(b.values[i], 0.6)
        : st.task === 'regression' ? i => color(Math.sign(b.values[i]))
          : i => color(b.values[i] > 0.5 ? 1 : -1);
    } else if (st.task === 'multiclass') {
      const k = st.num_classes;
      // Palest where the network hesitates between classes.
      rgb = i => classColor(b.values[i], 0.1 + 0.6 * (b.confidence[i] - 1 / k) / (1 - 1 / k));
    } else if (st.task === 'regression') {
      rgb = i => color(b.values[i] / st.value_scale);
    } else {
      rgb = i => color(2 * b.values[i] - 1);
    }
    ctx.drawImage(heatmap(b.side, i => pale(rgb(i))), 0, 0, side, side);
  }
  if (!points) return;
  const e = st.extent, sx = x => (x + e) / (2 * e) * side, sy = y => (e - y) / (2 * e) * side;
  const regression = st.task === 'regression';
  const dot = (p, test) => {
    const c = css(regression ? color(p[2] / st.value_scale) : classColor(p[2], 1));
    ctx.beginPath();
    ctx.arc(sx(p[0]), sy(p[1]), test ? 3.2 : 3.5, 0, 2 * Math.PI);
    if (test) {
      ctx.lineWidth = 2; ctx.strokeStyle = c; ctx.stroke();
      ctx.beginPath(); ctx.arc(sx(p[0]), sy(p[1]), 4.4, 0, 2 * Math.PI); ctx.lineWidth = 0.6; ctx.strokeStyle = '#333'; ctx.stroke();
    } else {
      ctx.fillStyle = c; ctx.fill();
      ctx.lineWidth = 1; ctx.strokeStyle = regression ? '#555' : '#fff'; ctx.stroke();
    }
  };
  points.train.forEach(p => dot(p, false));
  if (showTest) points.test.forEach(p => dot(p, true));
}

function drawLegend() {
  let html = '';
  if (ui.state.task === 'regression') {
    const s = num3(ui.state.value_scale);
    html = `<span style="--c:${css(color(-1))}">−${s}</span><span style="--c:${css(color(0))}">0</span><span style="--c:${css(color(1))}">+${s}</span>`;
  } else {
    for (let k = 0; k < ui.state.num_classes; k++)
      html += `<span style="--c:${css(classColor(k, 1))}">${esc(tr('class'))} ${esc(className(k))}</span>`;
  }
  if ($('legend').innerHTML !== html) $('legend').innerHTML = html;
  const g = ui.state.history.grad_norms, layers = g.length ? g[g.length - 1].length : 0;
  const gl = Array.from({ length: layers }, (_, l) => `<span style="--c:${LAYER_COLORS[l % LAYER_COLORS.length]}">${esc(tr('layerlabel', l + 1))}</span>`).join('');
  if ($('grad-legend').innerHTML !== gl) $('grad-legend').innerHTML = gl;
  const ll = `<span style="--c:#333">${esc(tr('train'))}</span><span style="--c:#0877bd">${esc(tr('test'))}</span>`;
  if ($('loss-legend').innerHTML !== ll) $('loss-legend').innerHTML = ll;
}

// The step-through is worth a look while the gradients are large: at the start of training,
// before their norm has fallen below a fifth of its largest value.
function stepWorthIt(st) {
  const g = st.history.grad_norms.map(p => p.reduce((a, v) => a + v * v, 0));
  const now = g.length ? g[g.length - 1] : 0, max = Math.max(0, ...g);
  return !lastStep && st.epoch <= 200 && (now === 0 || now >= 0.04 * max);
}

function draw() {
  const st = ui.state;
  if (!st) return;
  $('epoch').textContent = String(st.epoch).padStart(6, '0');
  const measured = st.pace ? st.pace.measured : st.steps_per_second;
  $('sps').textContent = Math.round(measured || 0);
  if (pace === undefined && st.pace) { pace = st.pace.steps_per_second; renderSpeed(); }
  const fmt = v => (v == null || !Number.isFinite(v) ? '-' : v.toFixed(3));
  const pct = v => (v == null || !Number.isFinite(v) ? '-' : `${(100 * v).toFixed(1)}%`);
  $('train-loss').textContent = fmt(st.train_loss);
  $('test-loss').textContent = fmt(st.test_loss);
  $('train-accuracy').textContent = pct(st.train_accuracy);
  $('test-accuracy').textContent = pct(st.test_accuracy);
  if (st.task !== shownTask) { shownTask = st.task; renderControls(); }
  $('try-step').hidden = !stepWorthIt(st);
  drawBoundary();
  drawLegend();
  drawNetwork();
  const h = st.history, xs = h.epoch || h.train.map((_, i) => i), width = $('loss-chart').parentElement.clientWidth - 2;
  lineChart($('loss-chart'), { width, height: 120, xs, log: logScale, xLabel: tr('axisepoch'), yLabel: tr('axisloss'),
    series: [{ values: h.train, color: '#333' }, { values: h.test, color: '#0877bd' }] });
  const layers = h.grad_norms.length ? h.grad_norms[h.grad_norms.length - 1].length : 0;
  lineChart($('grad-chart'), { width, height: 110, xs, log: true, xLabel: tr('axisepoch'), yLabel: tr('axisnorm'),
    series: Array.from({ length: layers }, (_, l) => ({ values: h.grad_norms.map(p => p[l]), color: LAYER_COLORS[l % LAYER_COLORS.length] })) });
  renderCard();
}

// ---- the pace: steps per second on a log ladder, or as fast as it goes (null) ----
const SPEEDS = [1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 500, 1000, 1500, 3000, 10000, null];  // 1500: TF Playground's, the default
let pace;  // the chosen pace: undefined until the server says its default
const speedIndex = v => (v === null ? SPEEDS.length - 1
  : SPEEDS.reduce((best, s, i) => (s !== null && Math.abs(Math.log(s / v)) < Math.abs(Math.log((SPEEDS[best] || 1e9) / v)) ? i : best), 0));
function renderSpeed() {
  if (pace === undefined) return;
  $('speed').value = speedIndex(pace);
  $('speed_v').textContent = pace === null ? tr('speedmax') : tr('speedsteps', pace);
  $('speed').setAttribute('aria-valuetext', $('speed_v').textContent);
}
// One request at a time, in order: dragging the slider sends many, and the last one wins.
let paceSent = Promise.resolve();
function setPace(v) {
  pace = v; renderSpeed(); writeHash();
  paceSent = paceSent.then(() => sessionApi('POST', 'pace', { steps_per_second: v })).catch(showError);
}

// ---- controls ----
function fillSelect(id, values, labels) {
  $(id).innerHTML = values.map((v, i) => `<option value="${v}">${labels ? labels[i] : v}</option>`).join('');
}

function renderControls() {
  document.documentElement.lang = ui.lang;
  document.querySelectorAll('[data-i18n]').forEach(el => { el.textContent = tr(el.dataset.i18n); });
  document.querySelectorAll('[data-i18n-title]').forEach(el => { el.title = tr(el.dataset.i18nTitle); el.setAttribute('aria-label', el.title); });
  $('log-scale').checked = logScale;
  renderSpeed();
  $('lang-en').classList.toggle('on', ui.lang === 'en');
  $('lang-es').classList.toggle('on', ui.lang === 'es');
  document.querySelectorAll('[data-ctl]').forEach(el => el.classList.toggle('hide', hide.includes(el.dataset.ctl)));
  document.querySelectorAll('.datasets button').forEach(b => {
    b.classList.toggle('on', b.dataset.name === cfg.dataset);
    if (b.dataset.name !== 'csv') b.querySelector('span').textContent = tr(b.dataset.name);
  });
  for (const k of ['learning_rate', 'regularization_rate', 'dropout', 'optimizer', 'loss', 'regularization']) $(k).value = String(cfg[k]);
  for (const k of ['train_ratio', 'noise', 'batch_size', 'points', 'classes']) { $(k).value = cfg[k]; $(k + '_v').textContent = cfg[k]; }
  // What the data allow: classes for blobs/spiral/gaussian; no noise or count for uploaded points;
  // the loss is fixed for more than two classes (cross-entropy) and for regression (squared error).
  $('classes-ctl').hidden = !MULTICLASS_DATASETS.includes(cfg.dataset);
  $('noise').disabled = $('points').disabled = cfg.dataset === 'csv';
  const task = ui.state && ui.state.config.dataset === cfg.dataset ? ui.state.task : null;
  $('loss').disabled = task === 'multiclass' || task === 'regression';
  if (task === 'multiclass') $('loss').value = 'bce';
  if (task === 'regression') $('loss').value = 'mse';
  $('features').innerHTML = Object.entries(FEATURES).map(([k, label]) =>
    `<label><input type="checkbox" data-feature="${k}" ${cfg.features.includes(k) ? 'checked' : ''}> ${label}</label>`).join('');
  $('hidden-label').textContent = tr('hiddenlayers', cfg.hidden.length);
  $('layer-controls').innerHTML = cfg.hidden.map((n, l) => `<div class="layer">
      <div><button data-layer="${l}" data-delta="1" aria-label="${tr('addneuron', l + 1)}">+</button><button data-layer="${l}" data-delta="-1" aria-label="${tr('removeneuron', l + 1)}">−</button></div>
      <span>${tr('neurons', n)}</span>
      <select data-act="${l}" data-testid="activation-${l}" title="${tr('activation')}">${ACTIVATIONS.map(a => `<option ${(cfg.activations[l] || cfg.activations[0]) === a ? 'selected' : ''}>${a}</option>`).join('')}</select>
    </div>`).join('');
  $('show-test').checked = showTest;
  $('discretize').checked = discretize;
  if (lastStep) renderStep(lastStep);
  if (ui.state && ui.state.upload) $('csv-status').textContent = tr('csvstatus', ui.state.upload.source, ui.state.upload.points, ui.state.upload.num_classes === 0 ? 'regression' : 'classes', ui.state.upload.num_classes);
  renderCard();
}
function setupControls() {
  for (const [list, names] of [['datasets', DATASETS], ['reg-datasets', REG_DATASETS]])
    for (const name of names) {
      const b = document.createElement('button');
      b.dataset.name = name;
      b.setAttribute('data-testid', `dataset-${name}`);
      b.append(miniDataset(name), document.createElement('span'));
      b.onclick = () => { cfg.dataset = name; configChanged(); };
      $(list).append(b);
    }
  fillSelect('learning_rate', RATES);
  fillSelect('regularization_rate', REG_RATES);
  fillSelect('dropout', DROPOUTS);
  for (const k of ['learning_rate', 'regularization_rate', 'dropout'])
    $(k).onchange = () => { cfg[k] = Number($(k).value); configChanged(); };
  for (const k of ['optimizer', 'loss', 'regularization'])
    $(k).onchange = () => { cfg[k] = $(k).value; configChanged(); };
  for (const k of ['train_ratio', 'noise', 'batch_size', 'points', 'classes']) {
    $(k).oninput = () => { $(k + '_v').textContent = $(k).value; };
    $(k).onchange = () => { cfg[k] = Number($(k).value); configChanged(); };
  }
  $('csv-button').onclick = () => $('csv-input').click();
  $('csv-input').onchange = async () => {
    const f = $('csv-input').files[0];
    $('csv-input').value = '';
    if (!f) return;
    if (f.size > 1 << 20) { showError(tr('csvtoobig')); return; }
    try { await uploadCsv(await f.text(), f.name); } catch (e) { showError(e); }
  };
  $('features').onchange = e => {
    const f = e.target.dataset.feature;
    const next = e.target.checked ? [...cfg.features, f] : cfg.features.filter(x => x !== f);
    if (next.length) cfg.features = Object.keys(FEATURES).filter(k => next.includes(k));
    configChanged();
  };
  $('add-layer').onclick = () => { if (cfg.hidden.length < 8) { cfg.hidden.push(2); configChanged(); } };
  $('remove-layer').onclick = () => { if (cfg.hidden.length) { cfg.hidden.pop(); configChanged(); } };
  $('layer-controls').onclick = e => {
    const l = e.target.dataset.layer;
    if (l === undefined) return;
    cfg.hidden[l] = Math.max(1, Math.min(64, cfg.hidden[l] + Number(e.target.dataset.delta)));
    configChanged();
  };
  $('layer-controls').onchange = e => {
    const l = Number(e.target.dataset.act);
    const acts = cfg.hidden.map((_, i) => cfg.activations[i] || cfg.activations[0]);
    acts[l] = e.target.value;
    cfg.activations = acts.every(a => a === acts[0]) ? [acts[0]] : acts;
    configChanged();
  };
  $('play').onclick = () => sessionApi('POST', 'play').then(() => setPlaying(true), showError);
  $('pause').onclick = () => sessionApi('POST', 'pause').then(() => setPlaying(false), showError);
  $('step').onclick = () => sessionApi('POST', 'step').then(() => setPlaying(false), showError);
  $('reset').onclick = () => sessionApi('POST', 'reset').then(() => { setPlaying(false); clearStep(); }, showError);
  // New data: a new seed, kept in the hash so that a shared link shows the same points.
  $('regenerate').onclick = () => { cfg.seed = Math.floor(Math.random() * 1e9); configChanged(); };
  $('show-test').onchange = () => { showTest = $('show-test').checked; writeHash(); draw(); };
  $('discretize').onchange = () => { discretize = $('discretize').checked; writeHash(); draw(); };
  $('lang-en').onclick = () => { ui.lang = 'en'; writeHash(); renderControls(); };
  $('lang-es').onclick = () => { ui.lang = 'es'; writeHash(); renderControls(); };

  setupCards((d, v) => (d.neuron !== undefined
    ? sessionApi('POST', 'bias', { layer: Number(d.layer), neuron: Number(d.neuron), value: v })
    : sessionApi('POST', 'weight', { layer: Number(d.layer), to: Number(d.to), from: Number(d.from), value: v })).catch(showError));
  $('speed').oninput = () => setPace(SPEEDS[Number($('speed').value)]);
  $('log-scale').onchange = () => { logScale = $('log-scale').checked; writeHash(); draw(); };
  // Keys: Space plays or pauses, → or s steps, r resets, Esc closes the card (not while typing).
  document.addEventListener('keydown', e => {
    if (e.key === 'Escape') { hideCard(); return; }
    const t = e.target, typing = t.isContentEditable || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' ||
      (t.tagName === 'INPUT' && !['checkbox', 'button'].includes(t.type)) || t.closest('#card');
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    const act = e.key === ' ' ? (playing ? 'pause' : 'play') : e.key === 'ArrowRight' || e.key === 's' ? 'step' : e.key === 'r' ? 'reset' : null;
    if (!act) return;
    e.preventDefault();
    $(act).click();
  });
  $('try-step-btn').onclick = () => { $('stepthrough').click(); $('step-result').scrollIntoView({ behavior: 'smooth', block: 'nearest' }); };

  $('stepthrough').onclick = async () => {
    try {
      setPlaying(false);
      renderStep(await sessionApi('POST', 'stepthrough', { sample: Number($('sample').value) || 0 }));
    } catch (e) { showError(e); }
  };
}
function clearStep() { lastStep = null; $('step-result').innerHTML = ''; }
function renderStep(t) { lastStep = t; $('step-result').innerHTML = stepHtml(t); $('try-step').hidden = true; }

// For tests and the console: where a neuron is drawn, in client coordinates.
window.nablaPlayground = {
  neuronCenter,
  linkPoint,
  session: () => session,
  state: () => ui.state,
  points: () => points,
};

readHash();
setupControls();
renderControls();
writeHash();
window.addEventListener('hashchange', () => {
  const before = JSON.stringify(cfg);
  readHash(); renderControls();
  if (JSON.stringify(cfg) !== before) configChanged();
});
window.addEventListener('pagehide', () => { if (session) navigator.sendBeacon && fetch(`/api/sessions/${session}`, { method: 'DELETE', keepalive: true }); });
poll();
