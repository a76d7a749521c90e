// End-to-end test of `nabla serve` in headless Chromium: open the page, choose circles, play,
// see the test loss fall below 0.1 within 20 s, check the step-through δ values against the
// API's reply, read and edit a neuron on its hover card, switch to Spanish, train four blob
// classes, upload a CSV and see its points, a bad CSV's error, a regression dataset, and hide
// controls through the hash; then e2e_view.mjs: screenshots, layout, pace, charts, points, cards, keys.
//
//   NABLA=build/nabla node tests/serve/e2e.mjs            # SCREENSHOT=docs/img/serve.png to save one
//
// playwright-core comes from tests/serve/node_modules, or from NABLA_E2E_MODULES (a
// node_modules folder) when set; the browser is Debian's /usr/bin/chromium (CHROMIUM to change).
// Every request stays on 127.0.0.1: anything else is aborted and fails the test.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { viewChecks } from './e2e_view.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = path.resolve(process.env.NABLA_E2E_MODULES || path.join(here, 'node_modules'));
const { chromium } = createRequire(path.join(modules, 'noop.js'))('playwright-core');

const binary = process.env.NABLA || path.join(here, '../../build/nabla');
const failures = [];
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failures.push(what); };

function startServer() {
  return new Promise((resolve, reject) => {
    const proc = spawn(binary, ['serve', '--port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LANG: 'C' } });
    let out = '';
    proc.stdout.on('data', d => {
      out += d;
      const m = out.match(/127\.0\.0\.1:(\d+)/);
      if (m) resolve({ proc, port: Number(m[1]) });
    });
    proc.on('exit', code => reject(new Error(`nabla serve exited with ${code}: ${out}`)));
    setTimeout(() => reject(new Error('nabla serve did not start in 10 s')), 10000);
  });
}

const { proc, port } = await startServer();
const base = `http://127.0.0.1:${port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  await context.route('**/*', route => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    check(false, `no request leaves 127.0.0.1 (${url.href})`);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('pageerror', e => check(false, `no page error (${e.message})`));
  await page.goto(base + '/');
  const tid = id => page.locator(`[data-testid="${id}"]`);
  await tid('epoch').waitFor();
  check((await page.locator('html').getAttribute('lang')) === 'en', 'English by default for an en-US browser');

  // Circles, play, test loss below 0.1 within 20 s.
  await tid('dataset-circle').click();
  await page.waitForFunction(() => location.hash.includes('dataset=circle'));
  await page.waitForTimeout(300);
  await page.evaluate(() => { const s = document.getElementById('speed'); s.value = s.max; s.dispatchEvent(new Event('input')); });
  check((await tid('speed-value').textContent()) === 'as fast as it goes', 'the speed control goes up to as fast as it goes');
  await tid('play').click();
  const start = Date.now();
  let loss = Infinity, shot = false;
  while (Date.now() - start < 20000) {
    loss = Number(await tid('test-loss').textContent());
    if (!shot && process.env.SCREENSHOT && Date.now() - start > 1500) {
      await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
      shot = true;
    }
    if (Number.isFinite(loss) && loss < 0.1 && (shot || !process.env.SCREENSHOT)) break;
    await page.waitForTimeout(100);
  }
  check(loss < 0.1, `test loss ${loss} < 0.1 after ${((Date.now() - start) / 1000).toFixed(1)} s`);
  const epoch = Number(await tid('epoch').textContent());
  check(epoch > 0, `epoch counter advanced (${epoch})`);
  const sps = await page.waitForFunction(() => Number(document.querySelector('[data-testid="steps-per-second"]').textContent) > 0, null, { timeout: 15000 }).then(() => true, () => false);
  check(sps, 'steps/s shown');
  await tid('pause').click();
  await tid('play').waitFor();

  // The step-through shows exactly the δ the API computed.
  await tid('step-sample').fill('3');
  const [response] = await Promise.all([
    page.waitForResponse(r => r.url().endsWith('/stepthrough')),
    tid('stepthrough').click(),
  ]);
  const api = await response.json();
  await tid('delta-0-0').waitFor();
  let compared = 0, mismatched = 0;
  for (let l = 0; l < api.layers.length; l++)
    for (let j = 0; j < api.layers[l].delta.length; j++) {
      const cell = tid(`delta-${l}-${j}`);
      const exact = Number(await cell.getAttribute('data-value')), shown = await cell.textContent();
      const want = api.layers[l].delta[j];
      if (exact !== want || shown !== want.toPrecision(6)) mismatched++;
      compared++;
    }
  check(compared > 0 && mismatched === 0, `step-through δ values match the API (${compared} compared)`);
  check(Number(await tid('loss-after').textContent()) === Number(api.loss_after.toPrecision(6)), 'loss after the update shown');

  // Hovering a neuron of the first hidden layer explains it: its formula with its own weights,
  // and what its heatmap shows; a click pins the card, whose fields edit the neuron.
  await tid('network').scrollIntoViewIfNeeded();
  const at = await page.evaluate(() => window.nablaPlayground.neuronCenter(1, 0));
  await page.mouse.move(at.x, at.y);
  await tid('card').waitFor({ state: 'visible', timeout: 10000 });
  const formula = await tid('neuron-formula').textContent();
  const w00 = await page.evaluate(() => window.nablaPlayground.state().weights[0].w[0][0]);
  check(/^z = .*x₁.*x₂/.test(formula) && formula.includes('a = tanh(z)'), `neuron formula shown (${formula})`);
  check(formula.includes(String(Number(Math.abs(w00).toPrecision(3)))), `the formula uses the neuron's weight ${w00}`);
  const explainEn = (await tid('neuron-explain').allTextContents()).join(' ');
  check(/heatmap/.test(explainEn) && /straight line/.test(explainEn), 'the card says what the neuron and its heatmap show');
  check(await tid('card-heatmap').isVisible(), 'the card shows the neuron heatmap enlarged');
  await page.mouse.click(at.x, at.y);
  await tid('card-close').waitFor();
  await tid('edit-bias').fill('0.75');
  await tid('edit-bias').press('Tab');
  const edited = await page.waitForFunction(() => window.nablaPlayground.state().weights[0].b[0] === 0.75, null, { timeout: 10000 }).then(() => true, () => false);
  check(edited, 'bias edited from the card reaches the server');

  // Spanish: the page and the pinned card.
  await tid('lang-es').click();
  check((await tid('play').getAttribute('title')) === 'Reproducir', 'Spanish after lang-es');
  check((await page.locator('html').getAttribute('lang')) === 'es', 'html lang="es"');
  check(page.url().includes('lang=es'), 'language kept in the URL hash');
  const explainEs = (await tid('neuron-explain').allTextContents()).join(' ');
  check(/mapa de calor/.test(explainEs) && /recta/.test(explainEs), 'the neuron explanation in Spanish');
  await tid('lang-en').click();
  check((await tid('play').getAttribute('title')) === 'Play', 'English again after lang-en');
  await page.keyboard.press('Escape');
  check(!(await tid('card').isVisible()), 'Esc closes the card');

  // Four blob classes: softmax + cross-entropy, a legend per class, the map by the likeliest class.
  await tid('dataset-blobs').click();
  await page.waitForFunction(() => location.hash.includes('dataset=blobs'));
  await tid('classes').fill('4');
  await page.waitForFunction(() => { const s = window.nablaPlayground.state(); return s && s.num_classes === 4 && s.epoch === 0; }, null, { timeout: 15000 });
  check(await tid('loss').isDisabled(), 'the loss is fixed (cross-entropy) for 4 classes');
  check((await tid('class-legend').locator('span').count()) === 4, 'a legend entry per class');
  const lossStart = await page.evaluate(() => window.nablaPlayground.state().train_loss);
  await tid('play').click();
  let acc = 0;
  const t0 = Date.now();
  const learnt = () => acc >= 0.75 && shownLoss < 0.5 * lossStart;
  let shownLoss = lossStart;
  while (Date.now() - t0 < 20000 && !learnt()) {
    await page.waitForTimeout(200);
    acc = parseFloat(await tid('test-accuracy').textContent()) / 100;
    shownLoss = Number(await tid('train-loss').textContent());
  }
  await tid('pause').click();
  const multi = await page.evaluate(() => window.nablaPlayground.state());
  check(acc >= 0.75 && multi.train_loss < 0.5 * lossStart, `4 classes learnt: test accuracy ${acc}, loss ${lossStart.toFixed(3)} → ${multi.train_loss.toFixed(3)}`);
  const classesOnMap = await page.evaluate(() => {
    const cv = document.querySelector('[data-testid="boundary"]'), d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
    // The heatmap's colours: the class colours and the white between them, made paler (halfway to 255).
    const pale = c => c.map(v => 255 + (v - 255) / 2);
    const colors = [[245, 147, 34], [8, 119, 189], [44, 160, 44], [148, 103, 189]].map(pale), w = pale([232, 234, 235]), seen = new Set();
    for (let y = 5; y < cv.height; y += 10) for (let x = 5; x < cv.width; x += 10) {  // (devicePixelRatio 1)
      const i = 4 * (y * cv.width + x), p = [d[i], d[i + 1], d[i + 2]];
      // The class whose white-to-colour line passes nearest this pixel.
      let best = -1, bestD = 30;
      colors.forEach((c, k) => {
        const t = [0, 1, 2].reduce((s, j) => s + (p[j] - w[j]) * (c[j] - w[j]), 0) / [0, 1, 2].reduce((s, j) => s + (c[j] - w[j]) ** 2, 0);
        if (t < 0.3) return;
        const dist = Math.hypot(...[0, 1, 2].map(j => w[j] + t * (c[j] - w[j]) - p[j]));
        if (dist < bestD) { bestD = dist; best = k; }
      });
      if (best >= 0) seen.add(best);
    }
    return seen.size;
  });
  check(classesOnMap === 4, `the boundary map is coloured by class (${classesOnMap} of 4 colours)`);

  // A CSV upload: its points, in their class colours, on the map.
  const rows = ['x1,x2,label'];
  for (let i = 0; i < 60; i++) { const c = i % 3; rows.push(`${c * 10 + (i % 4)},${(i % 5) - (c === 1 ? 8 : 0)},${['cat', 'dog', 'fox'][c]}`); }
  await tid('csv-input').setInputFiles({ name: 'animals.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
  await page.waitForFunction(() => location.hash.includes('dataset=csv'));
  await page.waitForFunction(() => { const p = window.nablaPlayground.points(), s = window.nablaPlayground.state(); return p && s && s.num_points === 60 && p.train.length + p.test.length === 60; }, null, { timeout: 15000 });
  check((await tid('csv-status').textContent()).includes('animals.csv: 60 points, 3 classes'), 'upload summarised');
  check((await tid('class-legend').locator('span').allTextContents()).join('|') === 'class cat|class dog|class fox', 'the legend names the CSV labels');
  const shown = await page.evaluate(() => {
    const s = window.nablaPlayground.state(), pts = window.nablaPlayground.points().train;
    const cv = document.querySelector('[data-testid="boundary"]'), ctx = cv.getContext('2d'), e = s.extent;
    const colors = [[245, 147, 34], [8, 119, 189], [44, 160, 44]];
    let ok = 0;
    for (const [x, y, c] of pts) {
      const px = Math.round((x + e) / (2 * e) * cv.width), py = Math.round((e - y) / (2 * e) * cv.height);
      const d = ctx.getImageData(px, py, 1, 1).data;
      if ([0, 1, 2].every(j => Math.abs(d[j] - colors[c][j]) < 12)) ok++;
    }
    return { ok, n: pts.length };
  });
  check(shown.n > 0 && shown.ok >= 0.8 * shown.n, `uploaded points drawn in their class colours (${shown.ok} of ${shown.n})`);
  await tid('csv-input').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('1,2,0\n3,x,1\n') });
  await tid('error').waitFor({ state: 'visible', timeout: 10000 });
  const err = await tid('error').textContent();
  check(err.includes('bad.csv:2:3:'), `a bad CSV names its line and column (${err})`);

  // A regression dataset: the playground's plane, squared error, no accuracy.
  await tid('dataset-plane').click();
  await page.waitForFunction(() => { const s = window.nablaPlayground.state(); return s && s.task === 'regression'; }, null, { timeout: 15000 });
  check((await tid('loss').inputValue()) === 'mse' && (await tid('loss').isDisabled()), 'regression trains on squared error');
  check((await tid('test-accuracy').textContent()) === '-', 'no accuracy for regression');

  // A shared link: the state from the hash, with chosen controls hidden; Spanish browsers default to Spanish.
  const es = await browser.newContext({ locale: 'es-ES' });
  const shared = await es.newPage();
  await shared.goto(base + '/#dataset=xor&hidden=3,3&hide=noise,optimizer,csv');
  await shared.locator('[data-testid="epoch"]').waitFor();
  check((await shared.locator('html').getAttribute('lang')) === 'es', 'Spanish by default for an es-ES browser');
  check(await shared.locator('[data-testid="dataset-xor"]').evaluate(b => b.classList.contains('on')), 'dataset from the hash');
  check(!(await shared.locator('#noise').isVisible()) && !(await shared.locator('#optimizer').isVisible()) &&
    !(await shared.locator('[data-testid="dataset-csv"]').isVisible()), 'controls hidden by the hash');
  check(await shared.locator('#learning_rate').isVisible(), 'other controls still shown');
  await es.close();

  await viewChecks({ browser, base, binary, check });
} catch (e) {
  check(false, `no exception (${e.stack || e})`);
} finally {
  await browser.close();
  proc.kill('SIGTERM');
}
if (failures.length) {
  console.log(`${failures.length} check(s) failed`);
  process.exit(1);
}
console.log('all checks passed');
