// What people look at in the playground, checked in headless Chromium (run by e2e.mjs, with its
// browser and server): screenshots at 1 024×768 and 1 920×1 080 (kept in $NABLA_E2E_OUT, else
// <build>/serve-e2e/screenshots), the layout above the fold at 1 024×768, crisp canvases at
// devicePixelRatio 2, the pace (30 steps/s), the charts' axes, correctly classified points that
// stand out from the heatmap, cards beside what they explain, and the keys.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const near = (a, b, tol) => Math.abs(a - b) <= tol * b;

export async function viewChecks({ browser, base, binary, check }) {
  const out = process.env.NABLA_E2E_OUT || path.join(path.dirname(binary), 'serve-e2e', 'screenshots');
  fs.mkdirSync(out, { recursive: true });

  // ---- 1 024×768: two columns, the network and the output above the fold ----
  const small = await browser.newContext({ locale: 'en-US', viewport: { width: 1024, height: 768 } });
  const page = await small.newPage();
  page.on('pageerror', e => check(false, `no page error (${e.message})`));
  await page.goto(base + '/#dataset=circle&features=x1,x2,x1sq,x2sq,sinx1,sinx2');
  const tid = id => page.locator(`[data-testid="${id}"]`);
  await page.waitForFunction(() => window.nablaPlayground.state() && window.nablaPlayground.points());
  const box = async id => tid(id).boundingBox();
  const net = await box('network'), map = await box('boundary');
  check(net.x + net.width <= map.x && Math.abs(net.y - map.y) < 200, `1024×768: the network and the output side by side (network ${Math.round(net.x)}–${Math.round(net.x + net.width)}, map from ${Math.round(map.x)})`);
  check(net.y + net.height <= 768 && map.y + map.height <= 768, `1024×768: network (bottom ${Math.round(net.y + net.height)}) and output map (bottom ${Math.round(map.y + map.height)}) above the fold`);

  // ---- the exported nabla train config trains with `nabla train` ----
  const [download] = await Promise.all([page.waitForEvent('download'), tid('export-config').click()]);
  const toml = path.join(out, 'playground.toml');
  await download.saveAs(toml);
  const run = path.join(out, 'export-run');
  let trained = false;
  try {
    execFileSync(binary, ['train', toml, '--no-plots', '-q', '--force', '--set', 'train.epochs=2', '--out', run], { stdio: 'pipe', timeout: 60000 });
    trained = true;
  } catch (e) { console.log(String(e.stderr || e)); }
  const exported = fs.readFileSync(toml, 'utf8');
  check(trained && exported.includes('[model]') && /features\s*=\s*\[\s*"x1", "x2", "x1sq", "x2sq", "sinx1", "sinx2"\s*\]/.test(exported), `the exported config (${download.suggestedFilename()}, six features) keeps its features and trains with nabla train`);

  // ---- keys and labels ----
  for (const id of ['play', 'pause', 'step', 'reset'])
    check(((await tid(id).getAttribute('aria-label')) || '').length > 0, `the ${id} button has an aria-label`);
  const unnamed = await page.evaluate(() => [...document.querySelectorAll('button')].filter(b => !b.hidden && b.tabIndex >= 0 && !(b.getAttribute('aria-label') || b.textContent.trim().length > 2)).map(b => b.outerHTML.slice(0, 60)));
  check(unnamed.length === 0, `every focusable button has a name (${unnamed.join(' ') || 'all do'})`);
  await page.locator('h1').click();
  const epochNow = () => page.evaluate(() => window.nablaPlayground.state().epoch);
  await page.keyboard.press('s');
  check(await page.waitForFunction(() => window.nablaPlayground.state().epoch === 1, null, { timeout: 10000 }).then(() => true, () => false), '"s" steps one epoch');
  await page.keyboard.press('ArrowRight');
  check(await page.waitForFunction(() => window.nablaPlayground.state().epoch === 2, null, { timeout: 10000 }).then(() => true, () => false), '→ steps one epoch');
  await page.keyboard.press('r');
  check(await page.waitForFunction(() => window.nablaPlayground.state().epoch === 0, null, { timeout: 10000 }).then(() => true, () => false), '"r" resets');
  check(await tid('try-step').isVisible(), 'the step-through is suggested at the start of training');
  await tid('try-step-button').click();
  check(await tid('delta-0-0').waitFor({ timeout: 10000 }).then(() => true, () => false), 'the suggestion runs the step-through');
  check(!(await tid('try-step').isVisible()), 'the suggestion goes once followed');
  await page.locator('h1').click();

  // ---- the pace: 30 steps/s, measured over 3 s ----
  const index30 = await page.evaluate(() => { const s = document.getElementById('speed'); for (let i = 0; i <= s.max; i++) { s.value = i; s.dispatchEvent(new Event('input')); if (document.getElementById('speed_v').textContent === '30 steps/s') return i; } return -1; });
  check(index30 >= 0, 'the speed ladder has 30 steps/s');
  await page.waitForFunction(() => { const s = window.nablaPlayground.state(); return s.pace && s.pace.steps_per_second === 30; }, null, { timeout: 10000 }).catch(() => {});
  await page.keyboard.press(' ');
  await page.waitForFunction(() => window.nablaPlayground.state().playing, null, { timeout: 10000 }).catch(() => {});
  check(await page.evaluate(() => window.nablaPlayground.state().playing), 'Space plays');
  await page.waitForTimeout(500);
  const sample = () => page.evaluate(() => { const s = window.nablaPlayground.state(); return { t: performance.now(), steps: s.steps, epoch: s.epoch }; });
  const a = await sample();
  await page.waitForTimeout(3000);
  const b = await sample();
  const secs = (b.t - a.t) / 1000, rate = (b.steps - a.steps) / secs, perEpoch = Math.ceil(250 / 10);
  check(near(rate, 30, 0.2), `30 steps/s chosen, ${rate.toFixed(1)} measured over ${secs.toFixed(2)} s`);
  const epochs = b.epoch - a.epoch, want = 30 * secs / perEpoch;
  check(Math.abs(epochs - want) <= Math.max(1, 0.2 * want), `epochs advance at that pace (${epochs}, expected ${want.toFixed(1)})`);
  await page.screenshot({ path: path.join(out, 'serve-1024x768.png') });

  // ---- as fast as it goes until the test loss is low, then the charts and the points ----
  await page.evaluate(() => { const s = document.getElementById('speed'); s.value = s.max; s.dispatchEvent(new Event('input')); });
  const learnt = await page.waitForFunction(() => window.nablaPlayground.state().test_loss < 0.15, null, { timeout: 30000 }).then(() => true, () => false);
  check(learnt, 'circle learnt at full speed (test loss < 0.15)');
  await page.keyboard.press(' ');
  check(await page.waitForFunction(() => !window.nablaPlayground.state().playing, null, { timeout: 10000 }).then(() => true, () => false), 'Space pauses');
  await page.waitForTimeout(300);

  // The polls ask for deltas (since=), and what the page puts together is the full state.
  let deltas = 0;
  page.on('request', r => { if (/\/state\?.*since=\d+/.test(r.url())) deltas++; });
  await page.waitForTimeout(500);
  const same = await page.evaluate(async () => {
    const mine = window.nablaPlayground.state();
    const full = await (await fetch(`/api/sessions/${window.nablaPlayground.session()}/state?grid=50&neurons=20&points=1`)).json();
    const keys = ['epoch', 'steps', 'weights', 'boundary', 'neurons', 'layer_sizes', 'config', 'grad_norms', 'test_loss'];
    const diff = keys.filter(k => JSON.stringify(mine[k]) !== JSON.stringify(full[k]));
    for (const k of ['epoch', 'train', 'test', 'grad_norms']) if (JSON.stringify(mine.history[k]) !== JSON.stringify(full.history[k])) diff.push(`history.${k}`);
    return { diff, epochs: full.history.epoch.length };
  });
  check(deltas > 0 && same.diff.length === 0, `the page polls deltas (${deltas} in 0.5 s) and keeps the full state (${same.epochs} epochs of history; differing: ${same.diff.join(', ') || 'none'})`);

  // Axes: a vertical axis line and tick labels left of it, a horizontal one with labels below,
  // the curves inside; the log scale changes the picture.
  const chart = id => page.evaluate(id => {
    const cv = document.querySelector(`[data-testid="${id}"]`), s = cv.width / cv.clientWidth, d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
    const px = (x, y) => { const i = 4 * (Math.round(y * s) * cv.width + Math.round(x * s)); return [d[i], d[i + 1], d[i + 2], d[i + 3]]; };
    const ink = p => p[3] > 0 && p[0] + p[1] + p[2] < 600;
    let axisY = 0, axisX = 0, labelsLeft = 0, labelsBelow = 0, curve = 0;
    const h = cv.clientHeight, w = cv.clientWidth;
    for (let y = 10; y < h - 28; y++) if (ink(px(42, y))) axisY++;
    for (let x = 44; x < w - 10; x++) if (ink(px(x, h - 26))) axisX++;
    for (let y = 0; y < h - 26; y++) for (let x = 12; x < 38; x++) if (ink(px(x, y))) labelsLeft++;
    for (let y = h - 20; y < h - 10; y++) for (let x = 44; x < w - 40; x++) if (ink(px(x, y))) labelsBelow++;
    for (let y = 10; y < h - 28; y++) for (let x = 46; x < w - 10; x++) { const p = px(x, y); if (p[3] > 0 && Math.max(...p.slice(0, 3)) - Math.min(...p.slice(0, 3)) > 60) curve++; }
    return { axisY, axisX, labelsLeft, labelsBelow, curve, hash: Array.from(d.filter((_, i) => i % 97 === 0)).join(',') };
  }, id);
  for (const id of ['loss-chart', 'grad-chart']) {
    const c = await chart(id);
    check(c.axisY > 40 && c.axisX > 150, `${id}: both axes drawn (${c.axisY}, ${c.axisX} px)`);
    check(c.labelsLeft > 30 && c.labelsBelow > 30, `${id}: tick labels on both axes (${c.labelsLeft}, ${c.labelsBelow} px of ink)`);
    check(c.curve > 50, `${id}: coloured curves in the plot (${c.curve} px)`);
  }
  const logged = await chart('loss-chart');
  await tid('log-scale').uncheck();
  await page.waitForTimeout(300);
  check((await chart('loss-chart')).hash !== logged.hash, 'the log scale changes the loss chart');
  const st = await page.evaluate(() => window.nablaPlayground.state());
  check(st.history.grad_norms.flat().some(v => Number(v.toFixed(4)) !== v), 'gradient norms come unrounded');

  // Correctly classified training points stand out from the pale heatmap behind them.
  const vis = await page.evaluate(() => {
    const s = window.nablaPlayground.state(), pts = window.nablaPlayground.points().train, b = s.boundary;
    const cv = document.querySelector('[data-testid="boundary"]'), S = cv.clientWidth, k = cv.width / S, ctx = cv.getContext('2d'), e = s.extent;
    const pos = (x, y) => [(x + e) / (2 * e) * S, (e - y) / (2 * e) * S];
    const pix = (x, y) => Array.from(ctx.getImageData(Math.round(x * k), Math.round(y * k), 1, 1).data);
    let n = 0, clear = 0, worst = Infinity;
    for (const pt of pts) {
      const [x, y, c] = pt, [px, py] = pos(x, y);
      // The network's answer at the point (its cell of the boundary grid) agrees with its class.
      const gx = Math.min(b.side - 1, Math.floor(px / S * b.side)), gy = Math.min(b.side - 1, Math.floor(py / S * b.side));
      if ((b.values[gy * b.side + gx] > 0.5 ? 1 : 0) !== c) continue;
      // Alone: no other point drawn over its centre.
      if (pts.some(p => { const [ux, uy] = pos(p[0], p[1]); return p !== pt && Math.hypot(ux - px, uy - py) < 5; })) continue;
      // The heatmap next to it, where no point is drawn.
      const free = [[9, 0], [-9, 0], [0, 9], [0, -9]].map(([dx, dy]) => [px + dx, py + dy])
        .find(([qx, qy]) => qx > 0 && qy > 0 && qx < S && qy < S && pts.every(p => { const [ux, uy] = pos(p[0], p[1]); return Math.hypot(ux - qx, uy - qy) > 6; }));
      if (!free) continue;
      const dot = pix(px, py), bg = pix(...free), d = Math.abs(dot[0] - bg[0]) + Math.abs(dot[1] - bg[1]) + Math.abs(dot[2] - bg[2]);
      n++; worst = Math.min(worst, d); if (d >= 80) clear++;
    }
    return { n, clear, worst };
  });
  check(vis.n >= 20 && vis.clear === vis.n, `correctly classified training points differ from the heatmap behind them (${vis.clear} of ${vis.n} by ≥ 80 in RGB, least ${vis.worst})`);

  // ---- cards: beside the neuron, never over it; a link's card only when resting on the link ----
  const cardBox = async () => (await tid('card').isVisible()) ? tid('card').boundingBox() : null;
  const inside = (r, p) => r && p.x >= r.x && p.x <= r.x + r.width && p.y >= r.y && p.y <= r.y + r.height;
  await tid('network').scrollIntoViewIfNeeded();
  await page.evaluate(() => { window.cardKinds = []; new MutationObserver(() => { const c = document.getElementById('card'); if (!c.hidden) window.cardKinds.push(c.dataset.kind); }).observe(document.getElementById('card'), { attributes: true, childList: true }); });
  for (const [col, j] of [[1, 0], [1, 3], [2, 1], [3, 0]]) {
    await page.mouse.move(5, 5);
    await page.waitForTimeout(500);
    const c = await page.evaluate(([col, j]) => window.nablaPlayground.neuronCenter(col, j), [col, j]);
    await page.mouse.move(c.x, c.y);
    await tid('card').waitFor({ state: 'visible', timeout: 10000 });
    const r = await cardBox();
    check(r && !inside(r, c), `the card of neuron ${j} of column ${col} leaves its centre (${Math.round(c.x)}, ${Math.round(c.y)}) uncovered`);
  }
  // From the left of the inputs to a neuron of the second hidden layer, across links: no link card.
  await page.mouse.move(5, 5);
  await page.waitForTimeout(500);
  await page.evaluate(() => { window.cardKinds = []; });
  const from = await page.evaluate(() => window.nablaPlayground.neuronCenter(0, 0)), to = await page.evaluate(() => window.nablaPlayground.neuronCenter(2, 0));
  await page.mouse.move(from.x - 30, to.y);
  await page.mouse.move(to.x, to.y, { steps: 25 });
  await page.waitForTimeout(300);
  const kinds = await page.evaluate(() => window.cardKinds);
  check(!kinds.includes('link') && (await tid('card').getAttribute('data-kind')) === 'neuron', `crossing links toward a neuron opens only the neuron's card (${[...new Set(kinds)].join(',')})`);
  await page.mouse.move(5, 5);
  await page.waitForTimeout(500);
  const onLink = await page.evaluate(() => window.nablaPlayground.linkPoint(1, 0, 1, 0.5));
  await page.mouse.move(onLink.x, onLink.y);
  await page.waitForTimeout(800);
  const linkCard = await cardBox();
  check((await tid('card').getAttribute('data-kind')) === 'link' && linkCard && !inside(linkCard, onLink), 'resting on a link opens its card, beside the pointer');
  await page.mouse.move(5, 5);
  await small.close();

  // ---- 1 920×1 080 at devicePixelRatio 2: crisp canvases, a screenshot ----
  const big = await browser.newContext({ locale: 'en-US', viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 2 });
  const p2 = await big.newPage();
  p2.on('pageerror', e => check(false, `no page error (${e.message})`));
  await p2.goto(base + '/#dataset=spiral&features=x1,x2,x1sq,x2sq,sinx1,sinx2&hidden=8,8,4&speed=max');
  await p2.waitForFunction(() => window.nablaPlayground.state() && window.nablaPlayground.points());
  await p2.locator('[data-testid="play"]').click();
  await p2.waitForTimeout(2500);
  await p2.locator('[data-testid="pause"]').click();
  await p2.waitForTimeout(300);
  const sizes = await p2.evaluate(() => ['network', 'boundary', 'loss-chart', 'grad-chart'].map(id => {
    const cv = document.querySelector(`[data-testid="${id}"]`), r = cv.getBoundingClientRect();
    return { id, ratio: cv.width / r.width };
  }));
  check(sizes.every(s => Math.abs(s.ratio - 2) < 0.02), `canvases drawn at devicePixelRatio 2 (${sizes.map(s => `${s.id} ${s.ratio.toFixed(2)}`).join(', ')})`);
  await p2.screenshot({ path: path.join(out, 'serve-1920x1080.png') });
  await big.close();
  console.log(`screenshots in ${out}`);
}
