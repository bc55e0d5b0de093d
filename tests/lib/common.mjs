// Paths and helpers shared by the end-to-end tests.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CORPUS = process.env.LOG4J_CORPUS ?? path.resolve(ROOT, '../shared/corpus');
export const PKG = path.join(ROOT, 'web/pkg');
export const OUT = path.join(ROOT, 'tests/out');

export function corpusFile(rel) {
  const p = path.join(CORPUS, rel);
  if (!fs.existsSync(p)) throw new Error(`corpus file missing: ${p} (set LOG4J_CORPUS)`);
  return p;
}

/** Entry names as Info-ZIP lists them: the independent reference. */
export function unzipNames(file) {
  return execFileSync('unzip', ['-Z1', file], { encoding: 'utf8', maxBuffer: 64 << 20 })
    .split('\n')
    .filter((l) => l !== '');
}

/** Load the wasm package in this Node process. */
export async function loadWasmInNode() {
  const glue = await import(path.join(PKG, 'scanner_wasm.js'));
  glue.initSync({ module: fs.readFileSync(path.join(PKG, 'scanner_wasm_bg.wasm')) });
  return glue;
}

/** Launch Debian's Chromium headless with a fresh profile directory. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  const profile = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'l4s-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  const close = async () => {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

/**
 * Serve `web/` on a free 127.0.0.1 port and launch Chromium, both closed
 * when the test `t` ends. With `tmpPrefix`, also a scratch directory under
 * /tmp, removed then too.
 */
export async function servePage(t, tmpPrefix = null) {
  const { startServer } = await import('../../scripts/serve.mjs');
  const tmp = tmpPrefix === null ? null : fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), tmpPrefix));
  const server = await startServer({ dir: path.join(ROOT, 'web'), port: 0 });
  const { port } = server.address();
  const { context, close } = await launchChromium();
  t.after(async () => {
    await close();
    server.close();
    if (tmp !== null) fs.rmSync(tmp, { recursive: true, force: true });
  });
  return { server, port, context, tmp };
}
