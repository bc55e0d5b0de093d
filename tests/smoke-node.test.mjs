// The wasm package loads in Node and reads a real jar the way unzip does.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { corpusFile, unzipNames, loadWasmInNode } from './lib/common.mjs';

test('wasm in Node lists the entries of log4j-core-2.14.1.jar like unzip -Z1', async () => {
  const wasm = await loadWasmInNode();
  const jar = corpusFile('log4j/log4j-core-2.14.1.jar');
  const names = wasm.zipEntryNames(new Uint8Array(fs.readFileSync(jar)));
  const expected = unzipNames(jar);
  assert.ok(expected.length > 1000, `unzip listed ${expected.length} entries`);
  assert.deepEqual(names, expected);
});

test('wasm in Node turns a non-zip into a JS error, not a crash', async () => {
  const wasm = await loadWasmInNode();
  assert.throws(() => wasm.zipEntryNames(new TextEncoder().encode('not a zip file')), Error);
  // The module is still usable afterwards.
  assert.match(wasm.version(), /^\d+\.\d+\.\d+/);
});
