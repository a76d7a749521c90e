// nabla playground: the network picture (a heatmap per neuron, links by weight) and its hover
// cards: what a neuron or a weight computes, read on hover, edited when pinned. A card sits
// beside what it explains, never over it or the pointer; a link's card opens only when the
// pointer rests on the link, not when it crosses links on its way to a neuron.
import { ACT, T } from './words.js';
import { $, FEATURES, className, color, css, esc, fitCanvas, heatmap, neuronRgb, num3, sub, tr, ui } from './core.js';

// Positions in the network canvas (canvas pixels), for hovering and clicking.
export let nodes = [], links = [];
export function drawNetwork() {
  const cv = $('network'), width = Math.min(960, Math.max(200, cv.parentElement.clientWidth - 2));
  const height = Math.round(Math.max(280, Math.min(width * 0.6, 480))), ctx = fitCanvas(cv, width, height);
  cv.dataset.w = width; cv.dataset.h = height;
  const sizes = ui.state.layer_sizes, W = ui.state.weights, last = sizes.length - 1;
  const maxN = Math.max(...sizes), per = (height - 20) / maxN;
  const box = Math.max(3, Math.min(36, per * 0.82)), gap = Math.min(6, per - box);
  const right = ui.state.task === 'multiclass' ? 70 : 10;
  const colX = l => 40 + l * (width - 40 - right - box) / Math.max(1, sizes.length - 1);
  const rowY = (l, j) => 10 + (height - 20 - sizes[l] * (box + gap)) / 2 + j * (box + gap);
  ctx.clearRect(0, 0, width, height);
  nodes = []; links = [];
  let maxW = 0;
  for (const L of W) for (const row of L.w) for (const v of row) maxW = Math.max(maxW, Math.abs(v));
  W.forEach((L, l) => L.w.forEach((row, to) => row.forEach((v, from) => {
    const x0 = colX(l) + box, y0 = rowY(l, from) + box / 2, x1 = colX(l + 1), y1 = rowY(l + 1, to) + box / 2;
    ctx.strokeStyle = css(color(v / (maxW || 1)));
    ctx.lineWidth = 0.5 + 5 * Math.abs(v) / (maxW || 1);
    ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
    links.push({ kind: 'link', layer: l, to, from, x0, y0, x1, y1 });
  })));
  const grids = ui.state.neurons ? ui.state.neurons.layers : [], side = ui.state.neurons ? ui.state.neurons.side : 0;
  sizes.forEach((n, l) => {
    for (let j = 0; j < n; j++) {
      const x = colX(l), y = rowY(l, j), g = grids[l] && grids[l][j];
      if (g) ctx.drawImage(heatmap(side, i => neuronRgb(l, j, g[i])), x, y, box, box);
      ctx.strokeStyle = '#333'; ctx.lineWidth = 1; ctx.strokeRect(x, y, box, box);
      ctx.fillStyle = '#333'; ctx.font = '11px sans-serif';
      if (l === 0) { ctx.textAlign = 'right'; ctx.fillText(FEATURES[ui.state.config.features[j]] || '', x - 3, y + box / 2 + 4); ctx.textAlign = 'left'; }
      if (l === last && ui.state.task === 'multiclass' && box >= 8) ctx.fillText(className(j).slice(0, 9), x + box + 4, y + box / 2 + 4);
      nodes.push(l === 0 ? { kind: 'input', index: j, x, y, box } : { kind: 'neuron', layer: l - 1, neuron: j, x, y, box });
    }
  });
}

// ---- the card: what a neuron computes, or one weight; read on hover, edit when pinned ----
export const card = { target: null, pinned: false, pending: null, avoid: null };

const activationOf = l => { const a = ui.state.config.activations; return a.length === 1 ? a[0] : a[l] || a[0]; };
// The labels of the inputs of linear layer l: the features, or the previous layer's a's.
const inputLabels = l => (l === 0 ? ui.state.config.features.map(f => FEATURES[f] || f) : ui.state.weights[l - 1].b.map((_, i) => `a${sub(i + 1)}`));
const neuronName = (l, j) => (l === ui.state.weights.length - 1 ? tr('outputname') : tr('neuronname', l + 1, j + 1));

function formula(w, b, labels) {
  const terms = w.slice(0, 10).map((v, i) => `${i === 0 ? (v < 0 ? '−' : '') : v < 0 ? ' − ' : ' + '}${num3(Math.abs(v))}·${labels[i]}`);
  if (w.length > 10) terms.push(` + … (${w.length} ${ui.lang === 'es' ? 'términos' : 'terms'})`);
  return `z = ${terms.join('')}${b < 0 ? ' − ' : ' + '}${num3(Math.abs(b))}`;
}

function cardHtml(t) {
  const last = ui.state.weights.length - 1;
  if (t.kind === 'input') {
    const f = FEATURES[ui.state.config.features[t.index]] || ui.state.config.features[t.index];
    return { title: tr('inputtitle', f), heat: [0, t.index], body: `<p data-testid="neuron-explain">${esc(tr('input', f))}</p>` };
  }
  if (t.kind === 'link') {
    const from = t.layer === 0 ? inputLabels(0)[t.from] : tr('neuronname', t.layer, t.from + 1);
    const to = neuronName(t.layer, t.to), v = ui.state.weights[t.layer].w[t.to][t.from];
    return {
      title: tr('linktitle', from, to), heat: null,
      body: `<div class="edits"><label for="edit-w">${esc(tr('weight'))}</label><input id="edit-w" data-testid="edit-weight" data-layer="${t.layer}" data-to="${t.to}" data-from="${t.from}" value="${v}"></div>
        <p data-testid="neuron-explain">${esc(tr('link', from, to))}</p>`,
    };
  }
  const l = t.layer, j = t.neuron, W = ui.state.weights[l], w = W.w[j], b = W.b[j], labels = inputLabels(l);
  const act = activationOf(l), out = l === last;
  let title, act_, words = [];
  if (out && ui.state.task === 'multiclass') {
    title = tr('classtitle', className(j));
    act_ = `p = softmax(z)${sub(j + 1)} = e^z${sub(j + 1)} / Σₖ e^zₖ`;
    words.push(tr('outmulti', className(j), ui.state.num_classes));
  } else if (out && ui.state.task === 'regression') {
    title = tr('outputtitle'); act_ = 'ŷ = z'; words.push(tr('outreg'));
  } else if (out) {
    title = tr('outputtitle'); act_ = 'p = σ(z) = 1 / (1 + e^(−z))'; words.push(tr('outbinary', tr('inputs', l)));
  } else {
    title = tr('hiddentitle', l + 1, j + 1);
    act_ = `a = ${ACT[ui.lang][act][1]}`;
    words.push(tr('sum', labels.slice(0, 6).join(', ') + (labels.length > 6 ? ', …' : ''), act), T[ui.lang].colour[act]);
    if (l === 0) {
      const curved = ui.state.config.features.filter(f => f !== 'x1' && f !== 'x2').map(f => FEATURES[f]);
      words.push(curved.length ? tr('curved', curved.join(', ')) : tr('straight'));
    } else {
      words.push(tr('deeper', labels.length, l));
    }
  }
  let k = 0;
  w.forEach((v, i) => { if (Math.abs(v) > Math.abs(w[k])) k = i; });
  if (w.length > 1) words.push(tr('strongest', num3(w[k]), labels[k]));
  const edits = w.map((v, i) => `<label for="edit-w${i}">w · ${esc(labels[i])}</label><input id="edit-w${i}" data-testid="edit-weight-${i}" data-layer="${l}" data-to="${j}" data-from="${i}" value="${v}">`).join('');
  return {
    title, heat: [l + 1, j],
    body: `<div class="formula" data-testid="neuron-formula">${esc(formula(w, b, labels))}<br>${esc(act_)}</div>
      ${words.map(s => `<p data-testid="neuron-explain">${esc(s)}</p>`).join('')}
      <div class="edits"><label for="edit-b">${esc(tr('bias'))}</label><input id="edit-b" data-testid="edit-bias" data-layer="${l}" data-neuron="${j}" value="${b}">${edits}</div>`,
  };
}
export function renderCard() {
  const el = $('card');
  if (!card.target || !ui.state) { el.hidden = true; return; }
  if (el.contains(document.activeElement) && !el.hidden) return;  // do not disturb an edit
  const t = card.target, W = ui.state.weights[t.layer];
  // The network may have changed under the card (a layer or a neuron removed).
  const exists = t.kind === 'input' ? t.index < ui.state.config.features.length
    : t.kind === 'neuron' ? !!W && t.neuron < W.w.length
      : !!W && t.to < W.w.length && t.from < W.w[t.to].length;
  if (!exists) { hideCard(); return; }
  const c = cardHtml(t);
  el.innerHTML = `${card.pinned ? '<button class="close" data-testid="card-close">×</button>' : ''}<h4>${esc(c.title)}</h4>
    ${c.heat ? '<canvas data-testid="card-heatmap" width="120" height="120"></canvas>' : ''}${c.body}
    ${card.pinned ? '' : `<p class="muted">${esc(tr('pinhint'))}</p>`}`;
  el.dataset.kind = t.kind;
  if (c.heat && ui.state.neurons) {
    const [l, j] = c.heat, g = ui.state.neurons.layers[l] && ui.state.neurons.layers[l][j];
    const ctx = fitCanvas(el.querySelector('canvas'), 120, 120);
    ctx.imageSmoothingEnabled = true;
    if (g) ctx.drawImage(heatmap(ui.state.neurons.side, i => neuronRgb(l, j, g[i])), 0, 0, 120, 120);
  }
  el.hidden = false;
  if (card.avoid) placeCard(el, card.avoid);
}

// Puts the card beside rectangle a (page coordinates: the neuron, or the pointer on a link) on
// the first side where it fits in the window: right, left, below, above.
function placeCard(el, a) {
  const w = el.offsetWidth, h = el.offsetHeight, gap = 12;
  const vx = window.scrollX, vy = window.scrollY, vw = document.documentElement.clientWidth, vh = document.documentElement.clientHeight;
  const clampY = y => Math.max(vy + 4, Math.min(y, vy + vh - h - 4)), clampX = x => Math.max(vx + 4, Math.min(x, vx + vw - w - 4));
  const tries = [
    [a.right + gap, clampY(a.top - 10), a.right + gap + w <= vx + vw],
    [a.left - gap - w, clampY(a.top - 10), a.left - gap - w >= vx],
    [clampX(a.left), a.bottom + gap, a.bottom + gap + h <= vy + vh],
    [clampX(a.left), a.top - gap - h, a.top - gap - h >= vy],
  ];
  const [left, top] = tries.find(t => t[2]) || tries[0];
  el.style.left = `${left}px`; el.style.top = `${top}px`;
}

export function showCard(t, avoid) { card.target = t; card.avoid = avoid; renderCard(); }
export function hideCard() { card.target = null; card.pinned = false; $('card').hidden = true; }
const sameTarget = (a, b) => a && b && JSON.stringify(a) === JSON.stringify(b);

// What the pointer is on: a neuron (or an input), else a link within 3 px, but no link near a
// neuron's box (the pointer is on its way to the neuron). avoid: what the card must not cover.
function hitTest(e) {
  const r = $('network').getBoundingClientRect(), x = e.clientX - r.left, y = e.clientY - r.top;
  const near = (n, m) => x >= n.x - m && x <= n.x + n.box + m && y >= n.y - m && y <= n.y + n.box + m;
  const node = nodes.find(n => near(n, 1));
  const page = (x0, y0, x1, y1) => ({ left: r.left + window.scrollX + x0, top: r.top + window.scrollY + y0, right: r.left + window.scrollX + x1, bottom: r.top + window.scrollY + y1 });
  if (node) {
    const target = node.kind === 'input' ? { kind: 'input', index: node.index } : { kind: 'neuron', layer: node.layer, neuron: node.neuron };
    return { target, avoid: page(node.x - 4, node.y - 4, node.x + node.box + 4, node.y + node.box + 4) };
  }
  if (nodes.some(n => near(n, 12))) return { target: null };
  let target = null, bestD = 3;
  for (const L of links) {
    const dx = L.x1 - L.x0, dy = L.y1 - L.y0, t = Math.max(0, Math.min(1, ((x - L.x0) * dx + (y - L.y0) * dy) / (dx * dx + dy * dy)));
    const d = Math.hypot(L.x0 + t * dx - x, L.y0 + t * dy - y);
    if (d < bestD) { bestD = d; target = { kind: 'link', layer: L.layer, to: L.to, from: L.from }; }
  }
  return { target, avoid: page(x - 10, y - 10, x + 10, y + 10) };
}

// Hover shows a card: a neuron's at once (after a short rest when another card is open, so that
// the pointer can travel to that card), a link's only once the pointer has rested on it. A click
// pins it for editing; Esc or × closes it. edit(fields, value) sends an edit to the server.
export function setupCards(edit) {
  const net = $('network'), el = $('card');
  let last = null;
  net.onmousemove = e => {
    if (card.pinned || !ui.state) return;
    const { target, avoid } = hitTest(e);
    if (sameTarget(target, card.target)) { clearTimeout(card.pending); return; }
    if (sameTarget(target, last)) return;  // already waiting to show it
    last = target;
    clearTimeout(card.pending);
    if (!target) card.pending = setTimeout(() => { last = null; hideCard(); }, 350);
    else if (target.kind === 'link') card.pending = setTimeout(() => showCard(target, avoid), 400);
    else if (!card.target || card.target.kind === 'link') showCard(target, avoid);
    else card.pending = setTimeout(() => showCard(target, avoid), 120);
  };
  net.onmouseleave = e => { last = null; if (!card.pinned && !el.contains(e.relatedTarget)) { clearTimeout(card.pending); card.pending = setTimeout(hideCard, 350); } };
  net.onclick = e => {
    if (!ui.state) return;
    const { target, avoid } = hitTest(e);
    clearTimeout(card.pending);
    if (!target) { hideCard(); return; }
    card.pinned = true;
    showCard(target, avoid);
  };
  el.onmouseenter = () => clearTimeout(card.pending);
  el.onmouseleave = e => { if (!card.pinned && e.relatedTarget !== net) card.pending = setTimeout(hideCard, 350); };
  el.onclick = e => { if (e.target.dataset.testid === 'card-close') hideCard(); else if (!card.pinned && e.target.tagName === 'INPUT') card.pinned = true; };
  el.onchange = e => {
    const v = Number(e.target.value);
    if (e.target.value.trim() === '' || !Number.isFinite(v)) return;
    edit(e.target.dataset, v).then(() => e.target.blur());
  };
}

// Where neuron j of column `column` (0: the inputs) is drawn, in client coordinates.
export function neuronCenter(column, j) {
  const n = nodes.find(n => (column === 0 ? n.kind === 'input' && n.index === j : n.kind === 'neuron' && n.layer === column - 1 && n.neuron === j));
  if (!n) return null;
  const r = $('network').getBoundingClientRect();
  return { x: r.left + n.x + n.box / 2, y: r.top + n.y + n.box / 2 };
}

// The point a fraction t along the link from neuron `from` of column `layer` to neuron `to` of
// the next column, in client coordinates.
export function linkPoint(layer, to, from, t = 0.5) {
  const L = links.find(L => L.layer === layer && L.to === to && L.from === from);
  if (!L) return null;
  const r = $('network').getBoundingClientRect();
  return { x: r.left + L.x0 + t * (L.x1 - L.x0), y: r.top + L.y0 + t * (L.y1 - L.y0) };
}
