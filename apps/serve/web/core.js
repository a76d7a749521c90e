// nabla playground: constants, colours and small helpers shared by the page's modules (app.js
// keeps the controls and the session; network.js draws the network and its cards; charts.js the
// charts; stepthrough.js the backprop tables; words.js the words).
import { T } from './words.js';

export const DATASETS = ['circle', 'xor', 'gaussian', 'spiral', 'moons', 'blobs'];
export const REG_DATASETS = ['plane', 'multi-gaussian'];
export const ALL_DATASETS = [...DATASETS, ...REG_DATASETS, 'csv'];
export const MULTICLASS_DATASETS = ['blobs', 'spiral', 'gaussian'];  // these take a number of classes
export const FEATURES = { x1: 'x₁', x2: 'x₂', x1sq: 'x₁²', x2sq: 'x₂²', x1x2: 'x₁x₂', sinx1: 'sin x₁', sinx2: 'sin x₂' };
export const ACTIVATIONS = ['tanh', 'relu', 'sigmoid', 'linear', 'leaky_relu'];
export const RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const REG_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const DROPOUTS = [0, 0.1, 0.2, 0.3, 0.5];
export const DEFAULTS = {
  dataset: 'circle', noise: 0, train_ratio: 50, points: 500, batch_size: 10, classes: 2, features: ['x1', 'x2'],
  hidden: [4, 2], activations: ['tanh'], learning_rate: 0.03, regularization: 'none', regularization_rate: 0,
  optimizer: 'sgd', loss: 'bce', dropout: 0, seed: 1,
};
// Class k's colour: orange and blue as the playground's two classes, then six more.
export const CLASS_COLORS = [[245, 147, 34], [8, 119, 189], [44, 160, 44], [148, 103, 189], [214, 39, 40], [140, 86, 75],
  [227, 119, 194], [128, 128, 0]];
export const LAYER_COLORS = ['#f59322', '#0877bd', '#2a2', '#a2a', '#888', '#c33', '#3cc', '#333', '#963'];
export const CSV_KEY = 'nabla-playground-csv';

// What the modules share: the page's language and the last state from the server.
export const ui = { lang: (navigator.language || 'en').toLowerCase().startsWith('es') ? 'es' : 'en', state: null };
export const tr = (key, ...args) => { const v = T[ui.lang][key] ?? T.en[key] ?? key; return typeof v === 'function' ? v(...args) : v; };
export const $ = id => document.getElementById(id);
export const esc = s => String(s).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
export const sub = n => String(n).replace(/\d/g, d => '₀₁₂₃₄₅₆₇₈₉'[d]);
export const num3 = v => String(Number(Number(v).toPrecision(3)));

// ---- colours ----
// v in [-1, 1] → orange (negative) … white … blue (positive), as RGB.
export function color(v) {
  v = Math.max(-1, Math.min(1, v || 0));
  const neg = [245, 147, 34], pos = [8, 119, 189], w = [232, 234, 235];
  const c = v < 0 ? neg : pos, t = Math.abs(v);
  return [0, 1, 2].map(i => Math.round(w[i] + (c[i] - w[i]) * t));
}
// Class k's colour at strength t in [0, 1] (0: white).
export function classColor(k, t) {
  const c = CLASS_COLORS[k % CLASS_COLORS.length], w = [232, 234, 235];
  t = Math.max(0, Math.min(1, t));
  return [0, 1, 2].map(i => Math.round(w[i] + (c[i] - w[i]) * t));
}
export const css = rgb => `rgb(${rgb.join(',')})`;
// A background colour: the heatmaps behind the points are paler than the points (as in TF
// Playground), so that a point on the side of its own class still stands out.
export const PALE = 0.5;
export const pale = rgb => rgb.map(c => Math.round(255 + (c - 255) * PALE));

export function heatmap(side, rgbOf) {
  const img = new ImageData(side, side);
  for (let i = 0; i < side * side; i++) img.data.set([...rgbOf(i), 255], 4 * i);
  const c = document.createElement('canvas');
  c.width = c.height = side;
  c.getContext('2d').putImageData(img, 0, 0);
  return c;
}

export function miniDataset(name) {
  const c = document.createElement('canvas');
  c.width = 40; c.height = 30;
  const ctx = c.getContext('2d');
  ctx.fillStyle = '#eee'; ctx.fillRect(0, 0, 40, 30);
  const dot = (x, y, cls) => { ctx.fillStyle = cls ? '#0877bd' : '#f59322'; ctx.fillRect(20 + x * 12 - 1, 15 - y * 12 - 1, 2, 2); };
  const val = (x, y, v) => { ctx.fillStyle = css(color(v)); ctx.fillRect(20 + x * 12 - 1, 15 - y * 12 - 1, 2, 2); };
  for (let i = 0; i < 60; i++) {
    const t = i / 60 * 2 * Math.PI, c2 = i % 2;
    if (name === 'circle') dot(Math.cos(t) * (c2 ? 0.5 : 1), Math.sin(t) * (c2 ? 0.5 : 1), c2);
    else if (name === 'xor') { const x = (i % 8) / 4 - 0.9, y = Math.floor(i / 8) / 4 - 0.9; dot(x, y, x * y > 0 ? 1 : 0); }
    else if (name === 'gaussian') { const r = (i % 7) / 7; dot(r * Math.cos(t * 3), r * Math.sin(t * 3), r < 0.5 ? 1 : 0); }
    else if (name === 'spiral') { const r = (i >> 1) / 30; const a = 2 * Math.PI * 1.75 * r + Math.PI * c2; dot(r * Math.sin(a), r * Math.cos(a), c2); }
    else if (name === 'moons') { const a = Math.PI * (i >> 1) / 30; dot(c2 ? 0.5 - Math.cos(a) : Math.cos(a) - 0.5, c2 ? 0.25 - Math.sin(a) * 0.8 : Math.sin(a) * 0.8 - 0.25, c2); }
    else if (name === 'blobs') dot((c2 ? 0.6 : -0.6) + Math.cos(i * 2.4) * 0.3, (c2 ? -0.3 : 0.3) + Math.sin(i * 1.7) * 0.3, c2);
  }
  // The regression sets: their labels on a grid, in the playground's units (x, y in ±6).
  const gauss = [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]];
  const label = (x, y) => (name === 'plane' ? (x + y) / 10
    : gauss.map(([cx, cy, s]) => s * Math.max(0, 1 - Math.hypot(x - cx, y - cy) / 2)).reduce((a, v) => (Math.abs(v) > Math.abs(a) ? v : a), 0));
  if (REG_DATASETS.includes(name))
    for (let x = -1.6; x <= 1.6; x += 0.15) for (let y = -1.2; y <= 1.2; y += 0.15) val(x, y, label(x * 3.75, y * 5));
  return c;
}

export const className = k => { const s = ui.state; return s && s.class_names && s.class_names[k] !== undefined ? s.class_names[k] : String(k); };

// The colour of neuron j of column l (0: inputs, last: outputs) for its value v.
export function neuronRgb(l, j, v) {
  const s = ui.state;
  if (l < s.layer_sizes.length - 1) return color(v);
  if (s.task === 'multiclass') return classColor(j, v);
  if (s.task === 'regression') return color(v / s.value_scale);
  return color(2 * v - 1);
}

// Sizes canvas cv to w × h CSS pixels with devicePixelRatio device pixels each (crisp on HiDPI)
// and returns its context, scaled so that drawing is in CSS pixels.
export function fitCanvas(cv, w, h) {
  const dpr = window.devicePixelRatio || 1, W = Math.round(w * dpr), H = Math.round(h * dpr);
  if (cv.width !== W || cv.height !== H) { cv.width = W; cv.height = H; }
  cv.style.width = `${w}px`; cv.style.height = `${h}px`;
  const ctx = cv.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}
