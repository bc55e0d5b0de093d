// The page loads the wasm module in real headless Chromium without console
// errors, and the module reads a real jar the way unzip does.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { corpusFile, unzipNames, servePage } from './lib/common.mjs';

test('page loads the wasm module in Chromium; zipEntryNames matches unzip -Z1', async (t) => {
  const { port, context } = await servePage(t);

  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  // Name the failing URL: a bare "Failed to load resource" says nothing.
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForSelector('[data-ready="true"]', { timeout: 20000 });

  const jar = corpusFile('log4j/log4j-core-2.14.1.jar');
  const b64 = fs.readFileSync(jar).toString('base64');
  const names = await page.evaluate(async (data) => {
    const { default: init, zipEntryNames } = await import('/pkg/scanner_wasm.js');
    await init();
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    return zipEntryNames(bytes);
  }, b64);
  assert.deepEqual(names, unzipNames(jar));
  assert.deepEqual(problems, [], 'no console errors');
});
