import init, { version } from './pkg/scanner_wasm.js';

const status = document.getElementById('status');
try {
  await init();
  status.textContent = `Scanner ${version()} ready.`;
  status.dataset.ready = 'true';
} catch (e) {
  status.textContent = `The scanner failed to load: ${e}`;
  throw e;
}
