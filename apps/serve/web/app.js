// nabla playground: the page. Training runs on the server (nabla serve); this file keeps the
// controls, the URL hash and the session in sync, polls the state and draws it.
'use strict';

const T = {
  en: {
    playground: 'playground', reset: 'Reset', play: 'Play', pause: 'Pause', step: 'Step one epoch', epoch: 'Epoch',
    steps: 'steps/s', lr: 'Learning rate', optimizer: 'Optimizer', momentum: 'Momentum', loss: 'Loss',
    bce: 'Cross-entropy', mse: 'Squared error', regularization: 'Regularization', none: 'None',
    regrate: 'Regularization rate', dropout: 'Dropout', data: 'Data', whichdata: 'Which dataset?',
    ratio: 'Ratio of training to test data', noise: 'Noise', batch: 'Batch size', points: 'Points',
    regenerate: 'Regenerate', features: 'Features', export: 'Export', exportmodel: 'model.safetensors',
    exportconfig: 'nabla train config (TOML)', addlayer: 'Add a layer', removelayer: 'Remove a layer',
    hiddenlayers: n => `${n} hidden layer${n === 1 ? '' : 's'}`, neurons: n => `${n} neuron${n === 1 ? '' : 's'}`,
    edithint: 'Click a link or a neuron to edit its weight or bias.', output: 'Output', testloss: 'Test loss',
    trainloss: 'Training loss', showtest: 'Show test data', gradnorms: 'Gradient norm per layer',
    stepthrough: 'Backprop step-through',
    stephelp: "One training point through the network: forward (z, a), backward (δ = ∂C/∂z and ∂C/∂w = δ·a, from nabla's autograd), then one update.",
    sample: 'Training point', runstep: 'Step through', layer: 'Layer', neuron: 'Neuron', target: 'target',
    output_: 'output', lossbefore: 'loss before', lossafter: 'loss after the update',
    editweight: 'New weight', editbias: 'New bias', circle: 'circle', xor: 'xor', gaussian: 'gaussian',
    spiral: 'spiral', moons: 'moons', blobs: 'blobs', activation: 'Activation',
  },
  es: {
    playground: 'laboratorio', reset: 'Reiniciar', play: 'Reproducir', pause: 'Pausa', step: 'Avanzar una época',
    epoch: 'Época', steps: 'pasos/s', lr: 'Tasa de aprendizaje', optimizer: 'Optimizador', momentum: 'Momento',
    loss: 'Pérdida', bce: 'Entropía cruzada', mse: 'Error cuadrático', regularization: 'Regularización',
    none: 'Ninguna', regrate: 'Tasa de regularización', dropout: 'Dropout', data: 'Datos',
    whichdata: '¿Qué conjunto de datos?', ratio: 'Proporción de entrenamiento y prueba', noise: 'Ruido',
    batch: 'Tamaño del lote', points: 'Puntos', regenerate: 'Regenerar', features: 'Características',
    export: 'Exportar', exportmodel: 'model.safetensors', exportconfig: 'configuración de nabla train (TOML)',
    addlayer: 'Añadir una capa', removelayer: 'Quitar una capa',
    hiddenlayers: n => `${n} capa${n === 1 ? '' : 's'} oculta${n === 1 ? '' : 's'}`,
    neurons: n => `${n} neurona${n === 1 ? '' : 's'}`,
    edithint: 'Haz clic en un enlace o una neurona para editar su peso o sesgo.', output: 'Salida',
    testloss: 'Pérdida de prueba', trainloss: 'Pérdida de entrenamiento', showtest: 'Mostrar datos de prueba',
    gradnorms: 'Norma del gradiente por capa', stepthrough: 'Retropropagación paso a paso',
    stephelp: 'Un punto de entrenamiento a través de la red: hacia delante (z, a), hacia atrás (δ = ∂C/∂z y ∂C/∂w = δ·a, de la diferenciación automática de nabla), y una actualización.',
    sample: 'Punto de entrenamiento', runstep: 'Paso a paso', layer: 'Capa', neuron: 'Neurona', target: 'objetivo',
    output_: 'salida', lossbefore: 'pérdida antes', lossafter: 'pérdida tras la actualización',
    editweight: 'Nuevo peso', editbias: 'Nuevo sesgo', circle: 'círculo', xor: 'xor', gaussian: 'gaussiana',
    spiral: 'espiral', moons: 'lunas', blobs: 'manchas', activation: 'Activación',
  },
};

const DATASETS = ['circle', 'xor', 'gaussian', 'spiral', 'moons', 'blobs'];
const FEATURES = { x1: 'x₁', x2: 'x₂', x1sq: 'x₁²', x2sq: 'x₂²', x1x2: 'x₁x₂', sinx1: 'sin x₁', sinx2: 'sin x₂' };
const ACTIVATIONS = ['tanh', 'relu', 'sigmoid', 'linear', 'leaky_relu'];
const RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const REG_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const DROPOUTS = [0, 0.1, 0.2, 0.3, 0.5];
const DEFAULTS = {
  dataset: 'circle', noise: 10, train_ratio: 50, points: 500, batch_size: 10, features: ['x1', 'x2'],
  hidden: [4, 2], activations: ['tanh'], learning_rate: 0.03, regularization: 'none', regularization_rate: 0,
  optimizer: 'adam', loss: 'bce', dropout: 0,
};

const $ = id => document.getElementById(id);
let cfg = structuredClone(DEFAULTS);
let lang = (navigator.language || 'en').toLowerCase().startsWith('es') ? 'es' : 'en';
let hide = [];          // controls hidden through the hash (hide=noise,optimizer)
let session = null;     // id
let state = null;       // last state from the server
let points = null;      // the data points (fetched when the data change)
let wantPoints = true;
let showTest = false;
let playing = false;

const tr = (key, ...args) => { const v = T[lang][key] ?? T.en[key] ?? key; return typeof v === 'function' ? v(...args) : v; };

// ---- the URL hash: the whole state, shareable ----
function readHash() {
  const h = new URLSearchParams(location.hash.slice(1));
  const num = (k, lo, hi) => { if (h.has(k)) { const v = Number(h.get(k)); if (Number.isFinite(v) && v >= lo && v <= hi) cfg[k] = v; } };
  if (DATASETS.includes(h.get('dataset'))) cfg.dataset = h.get('dataset');
  num('noise', 0, 50); num('train_ratio', 10, 90); num('points', 10, 10000); num('batch_size', 1, 10000);
  num('learning_rate', 1e-6, 10); num('regularization_rate', 0, 10); num('dropout', 0, 0.9);
  for (const k of ['optimizer', 'loss', 'regularization']) if (h.has(k)) cfg[k] = h.get(k);
  if (h.has('features')) cfg.features = h.get('features').split(',').filter(f => f in FEATURES);
  if (!cfg.features.length) cfg.features = ['x1', 'x2'];
  if (h.has('hidden')) cfg.hidden = h.get('hidden') === '' ? [] : h.get('hidden').split(',').map(Number).filter(n => n >= 1 && n <= 64).slice(0, 8);
  if (h.has('activations')) cfg.activations = h.get('activations').split(',').filter(a => ACTIVATIONS.includes(a));
  if (!cfg.activations.length) cfg.activations = ['tanh'];
  if (h.has('hide')) hide = h.get('hide').split(',').filter(Boolean);
  if (h.get('lang') === 'es' || h.get('lang') === 'en') lang = h.get('lang');
  if (h.has('showtest')) showTest = h.get('showtest') === '1';
}

function writeHash() {
  const h = new URLSearchParams();
  for (const [k, v] of Object.entries(cfg)) h.set(k, Array.isArray(v) ? v.join(',') : String(v));
  if (hide.length) h.set('hide', hide.join(','));
  h.set('lang', lang);
  if (showTest) h.set('showtest', '1');
  history.replaceState(null, '', '#' + h.toString());
}

// ---- the server ----
async function api(method, path, body) {
  const res = await fetch(path, { method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  const json = await res.json();
  if (!res.ok) throw new Error(json.error || res.statusText);
  return json;
}
const sessionApi = (method, action, body) => api(method, `/api/sessions/${session}/${action}`, body);

function sessionConfig() {
  const c = structuredClone(cfg);
  c.batch_size = Math.min(c.batch_size, c.points);
  if (c.activations.length !== 1) c.activations = c.hidden.map((_, i) => c.activations[i] || c.activations[0]);
  return c;
}

async function createSession() {
  const r = await api('POST', '/api/sessions', sessionConfig());
  session = r.id;
  $('export-model').href = `/api/sessions/${session}/export/model.safetensors`;
  $('export-config').href = `/api/sessions/${session}/export/config.toml`;
}

function showError(e) { const el = $('error'); el.hidden = !e; el.textContent = e ? String(e.message || e) : ''; }

async function configChanged() {
  writeHash();
  renderControls();
  try {
    await sessionApi('POST', 'config', sessionConfig());
    wantPoints = true; showError(null); setPlaying(false);
  } catch (e) { showError(e); }
}

function setPlaying(p) { playing = p; $('play').hidden = p; $('pause').hidden = !p; }

async function poll() {
  try {
    if (!session) await createSession();
    const s = await sessionApi('GET', `state?grid=50&neurons=16&points=${wantPoints ? 1 : 0}`);
    if (s.points) { points = s.points; wantPoints = false; }
    state = s;
    if (s.playing !== playing) setPlaying(s.playing);
    showError(s.error || null);
    draw();
  } catch (e) {
    showError(e);
    if (/no session/.test(e.message)) session = null;
  }
  setTimeout(poll, playing ? 40 : 150);
}

// ---- colours ----
// v in [-1, 1] → orange (negative) … white … blue (positive), as RGB.
function color(v) {
  v = Math.max(-1, Math.min(1, v || 0));
  const neg = [245, 147, 34], pos = [8, 119, 189], w = [232, 234, 235];
  const c = v < 0 ? neg : pos, t = Math.abs(v);
  return [0, 1, 2].map(i => Math.round(w[i] + (c[i] - w[i]) * t));
}

function heatmap(values, side, signed) {
  const img = new ImageData(side, side);
  for (let i = 0; i < side * side; i++) {
    const [r, g, b] = color(signed ? values[i] : 2 * values[i] - 1);
    img.data.set([r, g, b, 255], 4 * i);
  }
  const c = document.createElement('canvas');
  c.width = c.height = side;
  c.getContext('2d').putImageData(img, 0, 0);
  return c;
}

// ---- drawing ----
function drawBoundary() {
  const cv = $('boundary'), ctx = cv.getContext('2d');
  ctx.imageSmoothingEnabled = true;
  ctx.clearRect(0, 0, cv.width, cv.height);
  if (state.boundary) ctx.drawImage(heatmap(state.boundary.values, state.boundary.side, false), 0, 0, cv.width, cv.height);
  if (!points) return;
  const e = state.extent, sx = x => (x + e) / (2 * e) * cv.width, sy = y => (e - y) / (2 * e) * cv.height;
  const dot = (p, test) => {
    ctx.beginPath();
    ctx.arc(sx(p[0]), sy(p[1]), 3, 0, 2 * Math.PI);
    ctx.fillStyle = p[2] ? '#0877bd' : '#f59322';
    ctx.fill();
    ctx.lineWidth = 1; ctx.strokeStyle = test ? '#000' : '#fff'; ctx.stroke();
  };
  points.train.forEach(p => dot(p, false));
  if (showTest) points.test.forEach(p => dot(p, true));
}

function drawChart(id, series, colors) {
  const cv = $(id), ctx = cv.getContext('2d');
  ctx.clearRect(0, 0, cv.width, cv.height);
  let max = 0, n = 0;
  for (const s of series) for (const v of s) if (v != null && Number.isFinite(v)) { max = Math.max(max, v); n = Math.max(n, s.length); }
  if (n < 2 || max <= 0) return;
  series.forEach((s, k) => {
    ctx.beginPath();
    ctx.strokeStyle = colors[k % colors.length];
    ctx.lineWidth = 1.5;
    s.forEach((v, i) => {
      if (v == null) return;
      const x = i / (n - 1) * (cv.width - 4) + 2, y = cv.height - 2 - v / max * (cv.height - 6);
      i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
    });
    ctx.stroke();
  });
  ctx.fillStyle = '#777'; ctx.font = '10px sans-serif'; ctx.fillText(max.toPrecision(3), 4, 10);
}

let nodes = [], links = [];  // positions in the network canvas, for clicks
function drawNetwork() {
  const cv = $('network'), ctx = cv.getContext('2d');
  const sizes = state.layer_sizes, W = state.weights;
  const maxN = Math.max(...sizes), box = Math.max(14, Math.min(36, (cv.height - 20) / maxN - 6));
  const colX = l => 30 + l * (cv.width - 60 - box) / Math.max(1, sizes.length - 1);
  const rowY = (l, j) => 10 + (cv.height - 20 - sizes[l] * (box + 6)) / 2 + j * (box + 6);
  ctx.clearRect(0, 0, cv.width, cv.height);
  nodes = []; links = [];
  let maxW = 0;
  for (const L of W) for (const row of L.w) for (const v of row) maxW = Math.max(maxW, Math.abs(v));
  W.forEach((L, l) => L.w.forEach((row, to) => row.forEach((v, from) => {
    const x0 = colX(l) + box, y0 = rowY(l, from) + box / 2, x1 = colX(l + 1), y1 = rowY(l + 1, to) + box / 2;
    const [r, g, b] = color(v / (maxW || 1));
    ctx.strokeStyle = `rgb(${r},${g},${b})`;
    ctx.lineWidth = 0.5 + 5 * Math.abs(v) / (maxW || 1);
    ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
    links.push({ layer: l, to, from, x0, y0, x1, y1, value: v });
  })));
  const grids = state.neurons ? state.neurons.layers : [];
  sizes.forEach((n, l) => {
    for (let j = 0; j < n; j++) {
      const x = colX(l), y = rowY(l, j);
      if (grids[l] && grids[l][j]) ctx.drawImage(heatmap(grids[l][j], state.neurons.side, l < sizes.length - 1), x, y, box, box);
      ctx.strokeStyle = '#333'; ctx.lineWidth = 1; ctx.strokeRect(x, y, box, box);
      if (l === 0) { ctx.fillStyle = '#333'; ctx.font = '11px sans-serif'; ctx.textAlign = 'right'; ctx.fillText(FEATURES[cfg.features[j]] || '', x - 3, y + box / 2 + 4); ctx.textAlign = 'left'; }
      if (l > 0) nodes.push({ layer: l - 1, neuron: j, x, y, box, bias: W[l - 1].b[j] });
    }
  });
}

function draw() {
  if (!state) return;
  $('epoch').textContent = String(state.epoch).padStart(6, '0');
  $('sps').textContent = Math.round(state.steps_per_second || 0);
  const fmt = v => (v == null || !Number.isFinite(v) ? '-' : v.toFixed(3));
  $('train-loss').textContent = fmt(state.train_loss);
  $('test-loss').textContent = fmt(state.test_loss);
  drawBoundary();
  drawNetwork();
  drawChart('loss-chart', [state.history.train, state.history.test], ['#333', '#0877bd']);
  const g = state.history.grad_norms, layers = g.length ? g[g.length - 1].length : 0;
  drawChart('grad-chart', Array.from({ length: layers }, (_, l) => g.map(p => p[l])), ['#f59322', '#0877bd', '#2a2', '#a2a', '#888', '#c33', '#3cc', '#333', '#963']);
}

// ---- controls ----
function fillSelect(id, values, labels) {
  $(id).innerHTML = values.map((v, i) => `<option value="${v}">${labels ? labels[i] : v}</option>`).join('');
}

function renderControls() {
  document.documentElement.lang = lang;
  document.querySelectorAll('[data-i18n]').forEach(el => { el.textContent = tr(el.dataset.i18n); });
  document.querySelectorAll('[data-i18n-title]').forEach(el => { el.title = tr(el.dataset.i18nTitle); });
  $('lang-en').classList.toggle('on', lang === 'en');
  $('lang-es').classList.toggle('on', lang === 'es');
  document.querySelectorAll('[data-ctl]').forEach(el => el.classList.toggle('hide', hide.includes(el.dataset.ctl)));
  document.querySelectorAll('#datasets button').forEach(b => {
    b.classList.toggle('on', b.dataset.name === cfg.dataset);
    b.querySelector('span').textContent = tr(b.dataset.name);
  });
  for (const k of ['learning_rate', 'regularization_rate', 'dropout', 'optimizer', 'loss', 'regularization']) $(k).value = String(cfg[k]);
  for (const k of ['train_ratio', 'noise', 'batch_size', 'points']) { $(k).value = cfg[k]; $(k + '_v').textContent = cfg[k]; }
  $('features').innerHTML = Object.entries(FEATURES).map(([k, label]) =>
    `<label><input type="checkbox" data-feature="${k}" ${cfg.features.includes(k) ? 'checked' : ''}> ${label}</label>`).join('');
  $('hidden-label').textContent = tr('hiddenlayers', cfg.hidden.length);
  $('layer-controls').innerHTML = cfg.hidden.map((n, l) => `<div class="layer">
      <div><button data-layer="${l}" data-delta="1">+</button><button data-layer="${l}" data-delta="-1">−</button></div>
      <span>${tr('neurons', n)}</span>
      <select data-act="${l}" title="${tr('activation')}">${ACTIVATIONS.map(a => `<option ${(cfg.activations[l] || cfg.activations[0]) === a ? 'selected' : ''}>${a}</option>`).join('')}</select>
    </div>`).join('');
  $('show-test').checked = showTest;
}

function miniDataset(name) {
  const c = document.createElement('canvas');
  c.width = 40; c.height = 30;
  const ctx = c.getContext('2d');
  ctx.fillStyle = '#eee'; ctx.fillRect(0, 0, 40, 30);
  const dot = (x, y, cls) => { ctx.fillStyle = cls ? '#0877bd' : '#f59322'; ctx.fillRect(20 + x * 12 - 1, 15 - y * 12 - 1, 2, 2); };
  for (let i = 0; i < 60; i++) {
    const t = i / 60 * 2 * Math.PI, c2 = i % 2;
    if (name === 'circle') dot(Math.cos(t) * (c2 ? 0.5 : 1), Math.sin(t) * (c2 ? 0.5 : 1), c2);
    else if (name === 'xor') { const x = (i % 8) / 4 - 0.9, y = Math.floor(i / 8) / 4 - 0.9; dot(x, y, x * y > 0 ? 1 : 0); }
    else if (name === 'gaussian') { const r = (i % 7) / 7; dot(r * Math.cos(t * 3), r * Math.sin(t * 3), r < 0.5 ? 1 : 0); }
    else if (name === 'spiral') { const r = (i >> 1) / 30; const a = 2 * Math.PI * 1.75 * r + Math.PI * c2; dot(r * Math.sin(a), r * Math.cos(a), c2); }
    else if (name === 'moons') { const a = Math.PI * (i >> 1) / 30; dot(c2 ? 0.5 - Math.cos(a) : Math.cos(a) - 0.5, c2 ? 0.25 - Math.sin(a) * 0.8 : Math.sin(a) * 0.8 - 0.25, c2); }
    else dot((c2 ? 0.6 : -0.6) + Math.cos(i * 2.4) * 0.3, (c2 ? -0.3 : 0.3) + Math.sin(i * 1.7) * 0.3, c2);
  }
  return c;
}

function setupControls() {
  for (const name of DATASETS) {
    const b = document.createElement('button');
    b.dataset.name = name;
    b.dataset.testid = `dataset-${name}`;
    b.setAttribute('data-testid', `dataset-${name}`);
    b.append(miniDataset(name), document.createElement('span'));
    b.onclick = () => { cfg.dataset = name; configChanged(); };
    $('datasets').append(b);
  }
  fillSelect('learning_rate', RATES);
  fillSelect('regularization_rate', REG_RATES);
  fillSelect('dropout', DROPOUTS);
  for (const k of ['learning_rate', 'regularization_rate', 'dropout'])
    $(k).onchange = () => { cfg[k] = Number($(k).value); configChanged(); };
  for (const k of ['optimizer', 'loss', 'regularization'])
    $(k).onchange = () => { cfg[k] = $(k).value; configChanged(); };
  for (const k of ['train_ratio', 'noise', 'batch_size', 'points']) {
    $(k).oninput = () => { $(k + '_v').textContent = $(k).value; };
    $(k).onchange = () => { cfg[k] = Number($(k).value); configChanged(); };
  }
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
  $('reset').onclick = () => sessionApi('POST', 'reset').then(() => setPlaying(false), showError);
  $('regenerate').onclick = () => sessionApi('POST', 'regenerate').then(() => { wantPoints = true; }, showError);
  $('show-test').onchange = () => { showTest = $('show-test').checked; writeHash(); draw(); };
  $('lang-en').onclick = () => { lang = 'en'; writeHash(); renderControls(); };
  $('lang-es').onclick = () => { lang = 'es'; writeHash(); renderControls(); };
  $('network').onclick = e => {
    if (!state) return;
    const r = e.target.getBoundingClientRect();
    const x = (e.clientX - r.left) * e.target.width / r.width, y = (e.clientY - r.top) * e.target.height / r.height;
    const node = nodes.find(n => x >= n.x && x <= n.x + n.box && y >= n.y && y <= n.y + n.box);
    if (node) {
      const v = prompt(tr('editbias'), node.bias);
      if (v !== null && v.trim() !== '' && Number.isFinite(Number(v)))
        sessionApi('POST', 'bias', { layer: node.layer, neuron: node.neuron, value: Number(v) }).catch(showError);
      return;
    }
    let best = null, bestD = 6;
    for (const L of links) {
      const dx = L.x1 - L.x0, dy = L.y1 - L.y0, t = Math.max(0, Math.min(1, ((x - L.x0) * dx + (y - L.y0) * dy) / (dx * dx + dy * dy)));
      const d = Math.hypot(L.x0 + t * dx - x, L.y0 + t * dy - y);
      if (d < bestD) { bestD = d; best = L; }
    }
    if (best) {
      const v = prompt(tr('editweight'), best.value);
      if (v !== null && v.trim() !== '' && Number.isFinite(Number(v)))
        sessionApi('POST', 'weight', { layer: best.layer, to: best.to, from: best.from, value: Number(v) }).catch(showError);
    }
  };
  $('stepthrough').onclick = async () => {
    try {
      setPlaying(false);
      renderStep(await sessionApi('POST', 'stepthrough', { sample: Number($('sample').value) || 0 }));
    } catch (e) { showError(e); }
  };
}

// The step-through: one table per layer (z, a, δ per neuron; ∂C/∂w per weight). Values shown
// with 6 significant digits; data-value holds the exact number the server sent.
function renderStep(t) {
  const fmt = v => Number(v).toPrecision(6);
  const cell = (v, id) => `<td data-testid="${id}" data-value="${v}">${fmt(v)}</td>`;
  let html = `<div class="summary">x = (${t.point.map(fmt).join(', ')}), ${tr('target')} = ${t.target}, ${tr('output_')} = ${fmt(t.output)},
    ${tr('lossbefore')} = <span data-testid="loss-before">${fmt(t.loss_before)}</span>,
    ${tr('lossafter')} = <span data-testid="loss-after">${fmt(t.loss_after)}</span></div>`;
  t.layers.forEach((L, l) => {
    html += `<table><caption>${tr('layer')} ${l + 1}</caption><tr><th>${tr('neuron')}</th><th>z</th><th>a</th><th>da/dz</th><th>δ</th><th>∂C/∂w</th></tr>`;
    L.z.forEach((z, j) => {
      html += `<tr><td>${j + 1}</td>${cell(z, `z-${l}-${j}`)}${cell(L.a[j], `a-${l}-${j}`)}${L.da_dz ? cell(L.da_dz[j], `dadz-${l}-${j}`) : '<td>1</td>'}${cell(L.delta[j], `delta-${l}-${j}`)}<td>${L.dC_dw[j].map(fmt).join(' ')}</td></tr>`;
    });
    html += '</table>';
  });
  $('step-result').innerHTML = html;
}

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
