// nabla playground: the backprop step-through's tables, from the reply of POST .../stepthrough.
import { className, esc, num3, sub, tr } from './core.js';

// The step-through: one table per layer (z, a, da/dz, δ and its chain-rule product per neuron;
// ∂C/∂w per weight). Values shown with 6 significant digits; data-value holds the exact number
// the server sent.
export function stepHtml(t) {
  const fmt = v => Number(v).toPrecision(6), f = num3, fp = v => (v < 0 ? `(${num3(v)})` : num3(v));
  const cell = (v, id) => `<td data-testid="${id}" data-value="${v}">${fmt(v)}</td>`;
  const multi = t.task === 'multiclass', last = t.layers.length - 1;
  const target = multi ? `${t.target} (${esc(className(t.target))})` : fmt(t.target);
  const output = Array.isArray(t.output) ? `(${t.output.map(fmt).join(', ')})` : fmt(t.output);
  let html = `<div class="summary">x = (${t.point.map(fmt).join(', ')}), ${tr('target')} = ${target}, ${tr('output_')} = ${output},
    ${tr('lossbefore')} = <span data-testid="loss-before">${fmt(t.loss_before)}</span>,
    ${tr('lossafter')} = <span data-testid="loss-after">${fmt(t.loss_after)}</span></div>`;
  // δ of neuron j of layer l written out: ∂C/∂a (what the next layer sends back) times da/dz.
  const chain = (l, j) => {
    const L = t.layers[l], d = L.delta[j];
    if (L.softmax) return `a − y = ${f(L.a[j])} − ${t.target === j ? 1 : 0} = ${f(d)}`;
    const dadz = L.da_dz ? L.da_dz[j] : 1;
    let dCda = f(L.dC_da[j]);
    if (l < last) {
      const N = t.layers[l + 1], terms = N.w.map((row, k) => `${fp(row[j])}·${fp(N.delta[k])}`);
      dCda = `(${terms.slice(0, 3).join(' + ')}${terms.length > 3 ? ' + …' : ''})`;
    }
    return `${dCda} × ${fp(dadz)} = ${f(d)}`;
  };
  t.layers.forEach((L, l) => {
    html += `<table><caption>${tr('layer')} ${l + 1}</caption><tr><th>${tr('neuron')}</th><th>z</th><th>a</th><th>da/dz</th><th>δ</th><th>${tr('chain')}</th><th>∂C/∂w = δ·a</th></tr>`;
    const prev = l === 0 ? t.features : t.layers[l - 1].a;
    L.z.forEach((z, j) => {
      const products = prev.map((a, i) => `δ·a${sub(i + 1)} = ${fp(L.delta[j])} × ${fp(a)} = ${f(L.dC_dw[j][i])}`).join('\n');
      html += `<tr><td>${j + 1}</td>${cell(z, `z-${l}-${j}`)}${cell(L.a[j], `a-${l}-${j}`)}${L.da_dz ? cell(L.da_dz[j], `dadz-${l}-${j}`) : `<td>${L.softmax ? '–' : 1}</td>`}${cell(L.delta[j], `delta-${l}-${j}`)}<td class="chain" data-testid="chain-${l}-${j}">${chain(l, j)}</td><td title="${esc(products)}">${L.dC_dw[j].map(f).join('  ')}</td></tr>`;
    });
    html += '</table>';
  });
  return html;
}

