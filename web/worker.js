// The scanning Web Worker. Everything slow happens here so the page never
// freezes: archives are read with FileReaderSync (only available in
// workers) through the wasm module's random-access reader, and logs are
// streamed through DecompressionStream and TextDecoderStream.
//
// Messages in:  {type:'scan', id, file, name} | {type:'logs', id, file?, text?, name}
// Messages out: {type:'ready', version} | {type:'progress', id, bytes, entries}
//               {type:'result', id, report, ms, wasmBytes, reads} | {type:'log-hits', id, hits, bytes}
//               {type:'log-done', id, summary} | {type:'failed', id, message, fatal}
import init, { version, scanBlob, checkText, LogScanner, lastPanic, lastReadStats } from './pkg/scanner_wasm.js';

// Progress messages are throttled: the walker reports every 256 entries,
// which for a fat jar is thousands of messages the page cannot paint anyway.
const PROGRESS_EVERY_MS = 80;

let wasm = null;
const ready = init().then(
  (exports) => { wasm = exports; postMessage({ type: 'ready', version: version() }); },
  (e) => {
    postMessage({ type: 'failed', id: null, fatal: true, message: `The scanner could not start: ${e?.message ?? e}` });
    throw e;
  },
);

// A RuntimeError is a wasm trap (a Rust panic with panic=abort, or running
// out of memory): the instance is unusable afterwards, so the page must
// restart this worker. Anything else is an ordinary error for one file.
function describe(e) {
  const trapped = e instanceof WebAssembly.RuntimeError;
  let message = e?.message ?? String(e);
  if (trapped) {
    let panic = null;
    try { panic = lastPanic(); } catch { /* the instance may be too broken to ask */ }
    message = panic ? `internal error in the scanner: ${panic}` : `the scanner stopped (${message})`;
  }
  return { message, fatal: trapped };
}

async function scan({ id, file, name }) {
  let last = 0;
  const t0 = performance.now();
  const report = scanBlob(file, name, {
    onProgress(bytes, entries) {
      const now = performance.now();
      if (now - last >= PROGRESS_EVERY_MS || bytes >= file.size) {
        last = now;
        postMessage({ type: 'progress', id, bytes, entries });
      }
    },
  });
  // The time inside the engine, for the benchmark and the file list.
  // And the size of the module's linear memory: it never shrinks, so this
  // is the high-water mark of the engine's memory so far.
  // `reads`: how the file was read (FileReaderSync calls, bytes, ms).
  postMessage({ type: 'result', id, report, ms: performance.now() - t0, wasmBytes: wasm?.memory?.buffer?.byteLength ?? 0, reads: lastReadStats() });
}

async function isGzip(file) {
  if (file.size < 2) return false;
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  return head[0] === 0x1f && head[1] === 0x8b;
}

async function logs({ id, file, text, name }) {
  if (text != null) {
    const summary = checkText(text, { context: 'any' });
    postMessage({ type: 'log-done', id, summary, name });
    return;
  }
  const scanner = new LogScanner({ context: 'any' });
  try {
    let bytes = 0;
    // Count compressed bytes as they are read, for the progress bar.
    const counter = new TransformStream({
      transform(chunk, ctl) { bytes += chunk.byteLength; ctl.enqueue(chunk); },
    });
    let stream = file.stream().pipeThrough(counter);
    // Decided by content, not by name: rotated logs are often `x.log.1.gz`
    // or have no extension at all.
    if (await isGzip(file)) stream = stream.pipeThrough(new DecompressionStream('gzip'));
    // fatal: false keeps going over bytes that are not UTF-8 (binary junk
    // in a log), replacing them, as a log viewer would.
    const reader = stream.pipeThrough(new TextDecoderStream('utf-8')).getReader();
    let last = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const hits = scanner.push(value);
      const now = performance.now();
      if (hits.length || now - last >= PROGRESS_EVERY_MS) {
        last = now;
        postMessage({ type: 'log-hits', id, hits, bytes });
      }
    }
    const hits = scanner.finish();
    postMessage({ type: 'log-hits', id, hits, bytes });
    postMessage({ type: 'log-done', id, summary: scanner.summary(), name });
  } finally {
    scanner.free();
  }
}

onmessage = async ({ data }) => {
  try {
    await ready;
    if (data.type === 'scan') await scan(data);
    else if (data.type === 'logs') await logs(data);
    else throw new Error(`unknown request ${data.type}`);
  } catch (e) {
    postMessage({ type: 'failed', id: data.id, ...describe(e) });
  }
};
