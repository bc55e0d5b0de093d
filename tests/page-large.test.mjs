// Large result sets stay usable: archives holding 10,000 copies of a
// JndiLookup class, each under its own package root, is 10,000 components
// (the corpus README: components are told apart by package root). The page
// (plus one fixed jar to sort against) must show them a page at a time, keep painting frames while they arrive,
// and sort and filter them quickly.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { corpusFile, servePage } from './lib/common.mjs';

const COPIES = 10000;

test('10,000 findings: paginated, sortable, and the page keeps responding', async (t) => {
  const { port, context, tmp } = await servePage(t, 'l4s-large-');

  // The 2.0-rc2 JndiLookup class (MANIFEST.tsv: vulnerable, all four
  // Log4j 2 CVEs), copied under shaded/pNNNNN/ in five jars of 2,000 copies
  // each (the detector bounds the components it reports per archive, so the
  // 10,000 are spread over several files, as in a real folder of apps).
  const cls = corpusFile('classes/JndiLookup.class-2.0-rc2');
  const jars = [0, 1, 2, 3, 4].map((k) => path.join(tmp, `shaded-${k}.jar`));
  execFileSync('python3', ['-c', `
import sys, zipfile
data = open(sys.argv[1], 'rb').read()
per = int(sys.argv[2]) // 5
for k, out in enumerate(sys.argv[3:]):
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
        for i in range(k * per, (k + 1) * per):
            z.writestr('shaded/p%05d/org/apache/logging/log4j/core/lookup/JndiLookup.class' % i, data)
`, cls, String(COPIES), ...jars]);

  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForSelector('#status[data-ready="true"]', { timeout: 30000 });

  // Longest gap between animation frames while the scan and the rendering
  // of its results run: a frozen main thread shows up here.
  await page.evaluate(() => {
    window.__maxGap = 0;
    let last = performance.now();
    const tick = (now) => { window.__maxGap = Math.max(window.__maxGap, now - last); last = now; if (!window.__stop) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  });
  await page.setInputFiles('#file-input', [...jars, corpusFile('log4j/log4j-core-2.17.1.jar')]);
  await page.waitForSelector('body[data-scan="done"]', { timeout: 180000 });
  await page.waitForFunction(() => document.querySelector('#page-info').textContent.includes('10,001'));
  const maxGap = await page.evaluate(() => { window.__stop = true; return window.__maxGap; });

  assert.equal(await page.textContent('.summary .card.vulnerable b'), '10,000');
  assert.equal(await page.textContent('.summary .card.fixed b'), '1');
  assert.equal(await page.$$eval('#findings tbody tr', (r) => r.length), 100, 'one page of rows in the DOM');
  assert.equal(await page.textContent('#page-info'), '1–100 of 10,001');
  // Receiving 10,000 findings and drawing the first page may cost one long
  // frame, but not a frozen page.
  assert.ok(maxGap < 1500, `longest frame gap ${maxGap.toFixed(0)} ms`);

  // Sorting: status ascending puts vulnerable first; clicking again
  // reverses it, and the one fixed 2.17.1 jar (MANIFEST.tsv: fixed) comes
  // first. Timed from the click to the next frame.
  const sortMs = await page.evaluate(async () => {
    const t0 = performance.now();
    document.querySelector('th button[data-sort="status"]').click();
    await new Promise((r) => requestAnimationFrame(r));
    return performance.now() - t0;
  });
  assert.equal(await page.textContent('#findings tbody tr .badge'), 'fixed');
  assert.match(await page.textContent('#findings tbody tr td.path'), /log4j-core-2\.17\.1\.jar/);
  assert.ok(sortMs < 1000, `sorting 10,001 rows took ${sortMs.toFixed(0)} ms`);

  // A search over paths and evidence narrows to the one copy under p04242/.
  await page.fill('#filter-text', 'p04242/');
  await page.waitForFunction(() => document.querySelector('#findings tbody').children.length === 1);
  assert.match(await page.textContent('#findings tbody tr details'), /shaded\/p04242\//);
});
