// The same wasm module runs inside real workerd (through miniflare).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Miniflare } from 'miniflare';
import { ROOT, corpusFile, unzipNames } from './lib/common.mjs';

test('wasm in workerd lists the entries of log4j-core-2.14.1.jar like unzip -Z1', async (t) => {
  const mf = new Miniflare({
    modules: true,
    scriptPath: path.join(ROOT, 'tests/fixtures/smoke-worker.mjs'),
    modulesRoot: ROOT,
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js', '**/*.mjs'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
    ],
  });
  t.after(() => mf.dispose());
  const jar = corpusFile('log4j/log4j-core-2.14.1.jar');
  const res = await mf.dispatchFetch('http://worker.test/', { method: 'POST', body: fs.readFileSync(jar) });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.deepEqual(body.names, unzipNames(jar));

  const bad = await mf.dispatchFetch('http://worker.test/', { method: 'POST', body: 'not a zip' });
  assert.equal(bad.status, 422);
});
