// nabla playground: line charts with axes (the loss per epoch, the gradient norms), drawn on a
// canvas in CSS pixels (see fitCanvas). A linear y axis starts at 0; a log one spans the
// decades of the positive values (zeros and negatives are left out of it).
//
//   lineChart($('loss-chart'), { width: 320, height: 130, xs: epochs, log: true, xLabel: 'epoch',
//     series: [{ values: train, color: '#333' }, { values: test, color: '#0877bd' }] });
import { fitCanvas } from './core.js';

// Tick values for [lo, hi]: about n of them at 1, 2 or 5 × 10^k.
export function niceTicks(lo, hi, n = 4) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n, mag = 10 ** Math.floor(Math.log10(raw)), f = raw / mag;
  const step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag, ticks = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

// A tick's label: short, and exact enough to tell ticks apart.
export function tickLabel(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

// Draws the chart; returns the plot area (CSS pixels) for tests, or null when there is nothing to draw.
export function lineChart(cv, { width, height, xs, series, log = false, xLabel = '', yLabel = '' }) {
  const ctx = fitCanvas(cv, width, height);
  ctx.clearRect(0, 0, width, height);
  const n = xs.length;
  let lo = Infinity, hi = -Infinity;
  for (const s of series) for (const v of s.values) {
    if (v == null || !Number.isFinite(v) || (log && v <= 0)) continue;
    lo = Math.min(lo, v); hi = Math.max(hi, v);
  }
  const area = { left: 42, right: width - 8, top: 8, bottom: height - 26 };
  // The axes, always: a chart with nothing yet still says what it will show.
  const axes = () => {
    ctx.strokeStyle = '#888'; ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(area.left + 0.5, area.top); ctx.lineTo(area.left + 0.5, area.bottom + 0.5);
    ctx.lineTo(area.right, area.bottom + 0.5); ctx.stroke();
  };
  axes();
  ctx.fillStyle = '#555'; ctx.font = '10px system-ui, sans-serif';
  ctx.textAlign = 'right'; ctx.fillText(xLabel, area.right, height - 2);
  if (yLabel) { ctx.save(); ctx.translate(9, area.top); ctx.rotate(-Math.PI / 2); ctx.textAlign = 'right'; ctx.fillText(yLabel, 0, 0); ctx.restore(); }
  if (n < 2 || !(hi >= lo)) return null;
  // y: from 0 (linear) or the lowest decade (log) to the top tick.
  let y0, y1, yTicks;
  if (log) {
    y0 = Math.floor(Math.log10(lo)); y1 = Math.ceil(Math.log10(hi));
    if (y1 === y0) y1 = y0 + 1;
    const every = Math.ceil((y1 - y0) / 5);
    yTicks = [];
    for (let k = y0; k <= y1; k += every) yTicks.push(10 ** k);
  } else {
    y0 = Math.min(0, lo); y1 = hi > y0 ? hi : y0 + 1;
    yTicks = niceTicks(y0, y1);
    y1 = Math.max(y1, yTicks[yTicks.length - 1]);
  }
  const Y = v => area.bottom - ((log ? Math.log10(v) : v) - y0) / (y1 - y0) * (area.bottom - area.top);
  const x0 = xs[0], x1 = xs[n - 1] > x0 ? xs[n - 1] : x0 + 1;
  const X = x => area.left + (x - x0) / (x1 - x0) * (area.right - area.left);
  ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
  for (const t of yTicks) {
    const y = Math.round(Y(t)) + 0.5;
    ctx.strokeStyle = '#eee'; ctx.beginPath(); ctx.moveTo(area.left + 1, y); ctx.lineTo(area.right, y); ctx.stroke();
    ctx.strokeStyle = '#888'; ctx.beginPath(); ctx.moveTo(area.left - 3, y); ctx.lineTo(area.left, y); ctx.stroke();
    ctx.fillText(tickLabel(t), area.left - 5, y);
  }
  ctx.textAlign = 'center'; ctx.textBaseline = 'top';
  const xTicks = niceTicks(x0, x1, Math.max(2, Math.floor((area.right - area.left) / 60))).filter(t => Number.isInteger(t));
  for (const t of xTicks) {
    const x = Math.round(X(t)) + 0.5;
    ctx.strokeStyle = '#888'; ctx.beginPath(); ctx.moveTo(x, area.bottom); ctx.lineTo(x, area.bottom + 3); ctx.stroke();
    ctx.fillText(tickLabel(t), x, area.bottom + 5);
  }
  ctx.textBaseline = 'alphabetic';
  axes();  // over the grid lines
  ctx.save();
  ctx.beginPath(); ctx.rect(area.left + 1, area.top - 2, area.right - area.left, area.bottom - area.top + 2); ctx.clip();
  for (const s of series) {
    ctx.beginPath(); ctx.strokeStyle = s.color; ctx.lineWidth = 1.5;
    let pen = false;
    s.values.forEach((v, i) => {
      if (v == null || !Number.isFinite(v) || (log && v <= 0)) { pen = false; return; }
      const x = X(xs[i]), y = Y(v);
      pen ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
      pen = true;
    });
    ctx.stroke();
  }
  ctx.restore();
  return { ...area, yTicks: yTicks.length, xTicks: xTicks.length };
}
