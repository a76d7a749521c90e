// End-to-end test of `nabla serve` in headless Chromium: open the page, choose circles, play,
// see the test loss fall below 0.1 within 20 s, check the step-through δ values against the
// API's reply, switch to Spanish, hide a control through the hash.
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
  const sps = await page.waitForFunction(() => Number(document.querySelector('[data-testid="steps-per-second"]').textContent) > 0, null, { timeout: 5000 }).then(() => true, () => false);
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

  // Spanish.
  await tid('lang-es').click();
  check((await tid('play').getAttribute('title')) === 'Reproducir', 'Spanish after lang-es');
  check((await page.locator('html').getAttribute('lang')) === 'es', 'html lang="es"');
  check(page.url().includes('lang=es'), 'language kept in the URL hash');
  await tid('lang-en').click();
  check((await tid('play').getAttribute('title')) === 'Play', 'English again after lang-en');

  // A shared link: the state from the hash, with chosen controls hidden; Spanish browsers default to Spanish.
  const es = await browser.newContext({ locale: 'es-ES' });
  const shared = await es.newPage();
  await shared.goto(base + '/#dataset=xor&hidden=3,3&hide=noise,optimizer');
  await shared.locator('[data-testid="epoch"]').waitFor();
  check((await shared.locator('html').getAttribute('lang')) === 'es', 'Spanish by default for an es-ES browser');
  check(await shared.locator('[data-testid="dataset-xor"]').evaluate(b => b.classList.contains('on')), 'dataset from the hash');
  check(!(await shared.locator('#noise').isVisible()) && !(await shared.locator('#optimizer').isVisible()), 'controls hidden by the hash');
  check(await shared.locator('#learning_rate').isVisible(), 'other controls still shown');
  await es.close();
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
