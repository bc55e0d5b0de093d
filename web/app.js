// The page: takes files and folders, hands them one at a time to the
// scanning Web Worker, and shows what it finds. The main thread never
// touches file contents, so the page stays responsive whatever is scanned.
//
// Every string that comes from a scanned file (entry names, versions,
// evidence) is attacker-controlled, so the DOM is built with textContent
// only, never innerHTML.
import { mergeReports, toJson, toCsv, toSarif } from './export.js';
import { cveNote, STATUS_NOTES } from './cves.js';

const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 100;
const STATUS_ORDER = { vulnerable: 0, unknown: 1, mitigated: 2, fixed: 3 };
const MAX_LOG_ROWS = 5000;

/** h('td', {class: 'x'}, 'text', child…): a DOM element, safely. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n, i = -1;
  do { v /= 1024; i++; } while (v >= 1024 && i < units.length - 1);
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

// ---------------------------------------------------------------------------
// The worker. One at a time; jobs run in order. Cancelling terminates it
// (a scan inside wasm cannot be interrupted any other way) and starts a
// fresh one, as does a wasm trap, after which the instance is unusable.

let worker = null;
let workerVersion = null;
const pending = new Map(); // id -> { onEvent, resolve, reject }
let nextId = 1;

function startWorker() {
  worker = new Worker('worker.js', { type: 'module' });
  worker.onmessage = ({ data }) => {
    if (data.type === 'ready') {
      workerVersion = data.version;
      $('version').textContent = data.version;
      const s = $('status');
      if (!s.dataset.ready) {
        s.textContent = 'Ready. Nothing is uploaded: the files are read by this tab only.';
      }
      s.dataset.ready = 'true';
      s.classList.remove('error');
      return;
    }
    const job = pending.get(data.id);
    if (data.type === 'failed') {
      // Reject this job with its own message first: restarting rejects
      // whatever is still pending as cancelled.
      if (job) { pending.delete(data.id); job.reject(new Error(data.message)); }
      else showStatus(data.message, true);
      if (data.fatal) restartWorker();
      return;
    }
    if (!job) return;
    if (data.type === 'result' || data.type === 'log-done') {
      pending.delete(data.id);
      job.resolve(data);
    } else {
      job.onEvent(data);
    }
  };
  worker.onerror = (e) => {
    // A worker that fails to load at all (script error): say so, plainly.
    e.preventDefault();
    showStatus(`The scanner could not start: ${e.message || 'worker error'}`, true);
    for (const [id, job] of pending) { pending.delete(id); job.reject(new Error('the scanner stopped')); }
  };
}

function restartWorker() {
  worker?.terminate();
  for (const [id, job] of pending) { pending.delete(id); job.reject(new Error('cancelled')); }
  startWorker();
}

function request(msg, onEvent = () => {}) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { onEvent, resolve, reject });
    worker.postMessage({ ...msg, id });
  });
}

function showStatus(text, isError = false) {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('error', isError);
}

// ---------------------------------------------------------------------------
// Scan state.

const state = {
  jobs: [],          // { name, file, size, state, bytes, entries, li, bar, label }
  reports: [],       // one per scanned file, in input order
  pageErrors: [],    // whole-file failures, in the report's error shape
  findings: [],      // all findings, flat
  errors: [],        // all per-entry errors, flat
  sort: { key: 'status', dir: 1 },
  filter: { status: '', text: '' },
  page: 0,
  running: false,
  cancelled: false,
};

function resetResults() {
  Object.assign(state, { jobs: [], reports: [], pageErrors: [], findings: [], errors: [], page: 0 });
  $('file-list').replaceChildren();
  $('results').hidden = true;
  $('progress').hidden = true;
  document.body.dataset.scan = 'idle';
}

function addFiles(list) {
  const items = list.filter((x) => x.file);
  if (!items.length) {
    showStatus('Nothing to scan: the selection held no files.', true);
    return;
  }
  if (!state.running) {
    // A new batch replaces finished results; one dropped while a scan runs
    // joins it.
    resetResults();
  }
  const ol = $('file-list');
  const frag = document.createDocumentFragment();
  for (const { file, name } of items) {
    const bar = h('progress', { max: Math.max(file.size, 1), value: 0, 'aria-label': `progress of ${name}` });
    const label = h('span', { class: 'state' }, 'queued');
    const li = h('li', {}, h('span', { class: 'name', title: name }, name), bar, label);
    frag.append(li);
    state.jobs.push({ name, file, size: file.size, state: 'queued', bytes: 0, entries: 0, li, bar, label });
  }
  ol.append(frag);
  $('progress').hidden = false;
  $('cancel').disabled = false;
  updateOverall();
  if (!state.running) runQueue();
}

function updateOverall() {
  const total = state.jobs.reduce((a, j) => a + j.size, 0);
  const done = state.jobs.reduce((a, j) => a + (j.state === 'queued' ? 0 : j.state === 'scanning' ? j.bytes : j.size), 0);
  const finished = state.jobs.filter((j) => j.state !== 'queued' && j.state !== 'scanning').length;
  const o = $('overall');
  o.max = Math.max(total, 1);
  o.value = done;
  $('overall-text').textContent = `${finished} of ${state.jobs.length} files, ${formatBytes(done)} of ${formatBytes(total)}`;
}

async function runQueue() {
  state.running = true;
  state.cancelled = false;
  document.body.dataset.scan = 'running';
  $('results').hidden = false;
  const t0 = performance.now();
  for (let i = 0; i < state.jobs.length; i++) {
    const job = state.jobs[i];
    if (job.state !== 'queued') continue;
    if (state.cancelled) break;
    job.state = 'scanning';
    job.label.textContent = 'scanning…';
    job.li.scrollIntoView?.({ block: 'nearest' });
    let lastPaint = 0;
    try {
      const { report, ms, wasmBytes, reads } = await request({ type: 'scan', file: job.file, name: job.name }, (ev) => {
        job.bytes = ev.bytes;
        job.entries = ev.entries;
        const now = performance.now();
        if (now - lastPaint > 100) {
          lastPaint = now;
          job.bar.value = ev.bytes;
          job.label.textContent = `${ev.entries.toLocaleString()} entries`;
          updateOverall();
        }
      });
      job.state = 'done';
      job.bar.value = job.bar.max;
      job.li.dataset.ms = ms.toFixed(1);
      job.li.dataset.wasmBytes = String(wasmBytes);
      if (reads) job.li.dataset.reads = JSON.stringify(reads);
      job.li.title = `scanned in ${(ms / 1000).toFixed(2)} s`;
      const n = report.findings.length;
      const ne = report.errors.length;
      const errs = ne ? `${ne} ${ne === 1 ? 'error' : 'errors'}` : '';
      job.label.textContent = n ? `${n} found${errs ? `, ${errs}` : ''}` : errs || 'nothing found';
      state.reports.push(report);
      for (const f of report.findings) state.findings.push(f);
      for (const e of report.errors) state.errors.push(e);
    } catch (e) {
      if (state.cancelled) {
        job.state = 'cancelled';
        job.label.textContent = 'cancelled';
        break;
      }
      // Not swallowed: a file that could not be read at all is an error row
      // in the results and in the exports.
      job.state = 'failed';
      job.label.textContent = 'failed';
      job.label.classList.add('failed');
      const err = { path: job.name, kind: 'io', error: `io: ${e.message}` };
      state.pageErrors.push(err);
      state.errors.push(err);
    }
    updateOverall();
    scheduleRender();
  }
  for (const job of state.jobs) {
    if (job.state === 'queued') { job.state = 'cancelled'; job.label.textContent = 'cancelled'; }
  }
  state.running = false;
  $('cancel').disabled = true;
  updateOverall();
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  showStatus(state.cancelled
    ? `Scan cancelled. Results below cover the ${state.reports.length} files finished before that.`
    : `Scanned ${state.reports.length + state.pageErrors.length} files in ${secs} s.`);
  // Paint now, not on the next frame: "done" must describe what is shown.
  render();
  // From the files' arrival to the results on screen: what the user waits
  // for (read by the benchmark).
  document.body.dataset.scanMs = (performance.now() - t0).toFixed(1);
  document.body.dataset.scan = state.cancelled ? 'cancelled' : 'done';
}

function cancelScan() {
  if (!state.running) return;
  state.cancelled = true;
  restartWorker(); // rejects the running job; the loop then stops
}

// ---------------------------------------------------------------------------
// Results.

let renderQueued = false;
function scheduleRender() {
  // Results arrive file by file; painting once per frame keeps a folder of
  // thousands of files from re-sorting the table thousands of times.
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => { renderQueued = false; render(); });
}

function counts() {
  const c = { vulnerable: 0, mitigated: 0, fixed: 0, unknown: 0 };
  for (const f of state.findings) c[f.status] = (c[f.status] ?? 0) + 1;
  return c;
}

function maxCvss(f) {
  return f.cves.reduce((m, c) => Math.max(m, c.cvss), 0);
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
const SORTERS = {
  status: (a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || maxCvss(b) - maxCvss(a),
  component: (a, b) => collator.compare(a.component, b.component),
  version: (a, b) => collator.compare(a.version, b.version),
  cvss: (a, b) => maxCvss(b) - maxCvss(a),
  // Copies shaded into one archive share its path; their package root tells them apart.
  path: (a, b) => collator.compare(a.path, b.path) || collator.compare(a.relocated ?? '', b.relocated ?? ''),
};

function visibleFindings() {
  const { status, text } = state.filter;
  const needle = text.trim().toLowerCase();
  let rows = state.findings.filter((f) => {
    if (status && f.status !== status) return false;
    if (!needle) return true;
    return f.path.toLowerCase().includes(needle) || f.version.toLowerCase().includes(needle) ||
      (f.relocated ?? '').toLowerCase().includes(needle) || f.evidence.some((e) => e.toLowerCase().includes(needle)) ||
      f.component.includes(needle) || f.cves.some((c) => c.id.toLowerCase().includes(needle));
  });
  const cmp = SORTERS[state.sort.key];
  const dir = state.sort.dir;
  // Stable sort, ties by path, so the order never jumps between paints.
  rows = rows.map((f, i) => [f, i]).sort((x, y) => dir * cmp(x[0], y[0]) || collator.compare(x[0].path, y[0].path) || x[1] - y[1]).map((x) => x[0]);
  return rows;
}

function render() {
  renderSummary();
  renderLegend();
  renderTable();
  renderErrors();
}

function renderSummary() {
  const c = counts();
  const files = state.reports.length + state.pageErrors.length;
  const card = (cls, n, label, title) => h('div', { class: `card ${cls}`, title }, h('b', {}, n.toLocaleString()), label);
  let verdict;
  if (state.running && !files) verdict = 'Scanning…';
  else if (c.vulnerable) verdict = `${c.vulnerable} vulnerable Log4j ${c.vulnerable === 1 ? 'copy' : 'copies'} found. Upgrade or remove ${c.vulnerable === 1 ? 'it' : 'them'} (see the CVE notes below).`;
  else if (state.findings.length) verdict = 'No vulnerable Log4j found; review the mitigated and unknown copies below.';
  else if (files) verdict = `No Log4j component found in ${files} ${files === 1 ? 'file' : 'files'}.`;
  else verdict = '';
  $('summary').replaceChildren(
    h('p', { class: 'verdict-line' }, verdict),
    card('files', files, 'files scanned'),
    card('vulnerable', c.vulnerable, 'vulnerable', STATUS_NOTES.vulnerable),
    card('mitigated', c.mitigated, 'mitigated', STATUS_NOTES.mitigated),
    card('fixed', c.fixed, 'fixed', STATUS_NOTES.fixed),
    card('unknown', c.unknown, 'unknown', STATUS_NOTES.unknown),
    card('errors', state.errors.length, 'errors'),
  );
}

function renderLegend() {
  const seen = new Map();
  for (const f of state.findings) for (const c of f.cves) if (!seen.has(c.id)) seen.set(c.id, c);
  if (!seen.size) { $('cve-legend').replaceChildren(); return; }
  const items = [...seen.values()].sort((a, b) => b.cvss - a.cvss);
  $('cve-legend').replaceChildren(
    h('h2', {}, 'CVEs in these results'),
    h('dl', {}, items.flatMap((c) => {
      const n = cveNote(c.id);
      return [
        h('dt', {}, h('span', { class: `cve ${c.severity}` }, `${c.id} ${c.cvss.toFixed(1)} ${c.severity}`)),
        h('dd', {}, h('b', {}, n.name), ': ', n.what, ' ', h('i', {}, n.fix)),
      ];
    })),
  );
}

const SOURCE_WORDS = {
  'class-fingerprint': 'from class bytes', 'pom.properties': 'from pom.properties', manifest: 'from MANIFEST.MF',
  filename: 'from the file name', none: 'not identified',
};

function findingRow(f) {
  const cves = f.cves.length
    ? f.cves.map((c) => {
      const n = cveNote(c.id);
      return h('span', { class: `cve ${c.severity}`, title: `${n.name}: ${n.what} ${n.fix}` }, `${c.id} ${c.cvss.toFixed(1)}`);
    })
    : [h('span', { class: 'muted' }, 'none')];
  const evidence = h('details', {},
    h('summary', {}, `${f.evidence.length} ${f.evidence.length === 1 ? 'fact' : 'facts'}`),
    h('ul', {}, f.evidence.map((e) => h('li', {}, e))));
  return h('tr', { dataset: { status: f.status } },
    h('td', { 'data-label': 'Status' }, h('span', { class: `badge ${f.status}`, title: STATUS_NOTES[f.status] }, f.status)),
    h('td', { 'data-label': 'Component' }, f.component, f.relocated ? h('div', { class: 'muted' }, `relocated under ${f.relocated}`) : null),
    h('td', { 'data-label': 'Version' }, h('span', { class: 'version' }, f.version), h('div', { class: 'muted' }, SOURCE_WORDS[f.version_source] ?? f.version_source)),
    h('td', { 'data-label': 'CVEs', class: 'cves' }, cves),
    h('td', { 'data-label': 'Path', class: 'path' }, f.path),
    h('td', { 'data-label': 'Evidence' }, evidence),
  );
}

function renderTable() {
  const rows = visibleFindings();
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  state.page = Math.min(state.page, pages - 1);
  const start = state.page * PAGE_SIZE;
  // Only one page of rows is ever in the DOM: 10,000 findings cost no more
  // to show than 100.
  const slice = rows.slice(start, start + PAGE_SIZE);
  $('findings').querySelector('tbody').replaceChildren(...slice.map(findingRow));
  $('findings').hidden = rows.length === 0;
  const empty = $('empty');
  empty.hidden = rows.length !== 0;
  if (!rows.length) {
    empty.textContent = state.findings.length
      ? 'No finding matches this filter.'
      : state.running ? 'Nothing found yet.' : 'No Log4j core or Log4j 1.x component was found. Bridges (log4j-api, log4j-to-slf4j, …) are not listed: they hold no vulnerable code.';
  }
  $('pager').hidden = pages <= 1;
  $('page-info').textContent = `${start + 1}–${Math.min(start + PAGE_SIZE, rows.length)} of ${rows.length.toLocaleString()}`;
  $('prev').disabled = state.page === 0;
  $('next').disabled = state.page >= pages - 1;
  for (const b of document.querySelectorAll('th button[data-sort]')) {
    if (b.dataset.sort === state.sort.key) b.setAttribute('aria-sort', state.sort.dir > 0 ? 'ascending' : 'descending');
    else b.removeAttribute('aria-sort');
  }
}

function renderErrors() {
  const list = state.errors;
  $('errors-section').hidden = list.length === 0;
  const shown = list.slice(0, 1000);
  $('errors').replaceChildren(
    ...shown.map((e) => h('li', { dataset: { kind: e.kind } }, h('span', { class: 'path' }, e.path), ' ', h('b', {}, e.kind), ': ', e.error.replace(/^[a-z-]+: /, ''))),
  );
  if (list.length > shown.length) {
    $('errors').append(h('li', { class: 'muted' }, `and ${list.length - shown.length} more (all of them are in the exports)`));
  }
}

function mergedReport() {
  // Whole-file failures are already among state.errors; merge from the
  // per-file reports so the order is the CLI's: each file's errors follow it.
  return mergeReports(state.reports, state.pageErrors, state.reports[0]?.tool ?? { name: 'log4j-scan', version: workerVersion ?? 'unknown' });
}

function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// ---------------------------------------------------------------------------
// Getting files: drag and drop (with folders), pickers.

/** Files under a dropped directory entry, depth first, with their paths. */
async function walkEntry(entry, out, errors) {
  if (entry.isFile) {
    try {
      const file = await new Promise((res, rej) => entry.file(res, rej));
      out.push({ file, name: entry.fullPath.replace(/^\//, '') });
    } catch (e) {
      errors.push({ path: entry.fullPath.replace(/^\//, ''), kind: 'io', error: `io: cannot read: ${e?.message ?? e}` });
    }
  } else if (entry.isDirectory) {
    const reader = entry.createReader();
    // readEntries returns batches (100 in Chromium) until an empty one.
    for (;;) {
      let batch;
      try {
        batch = await new Promise((res, rej) => reader.readEntries(res, rej));
      } catch (e) {
        errors.push({ path: entry.fullPath.replace(/^\//, ''), kind: 'io', error: `io: cannot list folder: ${e?.message ?? e}` });
        break;
      }
      if (!batch.length) break;
      for (const child of batch) await walkEntry(child, out, errors);
    }
  }
}

async function filesFromDrop(dt) {
  // The entries must be taken synchronously, inside the drop event: the
  // DataTransfer is emptied once the handler returns.
  const items = [...(dt.items ?? [])].filter((i) => i.kind === 'file');
  const entries = items.map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null));
  const plain = items.map((i) => i.getAsFile());
  if (!items.length) return { files: [...(dt.files ?? [])].map((file) => ({ file, name: file.name })), errors: [] };
  const out = [];
  const errors = [];
  for (let k = 0; k < items.length; k++) {
    if (entries[k]) await walkEntry(entries[k], out, errors);
    else if (plain[k]) out.push({ file: plain[k], name: plain[k].name });
  }
  return { files: out, errors };
}

function wireDropZone(zone, onFiles) {
  zone.addEventListener('dragover', (e) => { e.preventDefault(); e.dataTransfer.dropEffect = 'copy'; zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const work = filesFromDrop(e.dataTransfer);
    showStatus('Reading the dropped items…');
    work.then(onFiles, (err) => showStatus(`Could not read the dropped items: ${err.message}`, true));
  });
}

// A file dropped anywhere else would make the browser navigate to it,
// losing the results.
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => e.preventDefault());

function onScanFiles({ files, errors }) {
  addFiles(files);
  if (errors.length) {
    for (const e of errors) { state.pageErrors.push(e); state.errors.push(e); }
    $('results').hidden = false;
    scheduleRender();
  }
}

function fromInput(input) {
  // webkitRelativePath is set for folder picks ("dir/sub/x.jar").
  const files = [...input.files].map((file) => ({ file, name: file.webkitRelativePath || file.name }));
  input.value = ''; // picking the same file again must fire change again
  return files;
}

// ---------------------------------------------------------------------------
// The log tab.

const logState = { rows: 0, live: 0, attempt: 0, lines: 0, running: false };

function logRow(source, hit) {
  return h('tr', { dataset: { verdict: hit.verdict } },
    h('td', {}, source),
    h('td', {}, String(hit.line)),
    h('td', {},
      h('span', { class: `badge ${hit.verdict}` }, hit.verdict),
      // How it got there: the decoding applied and the obfuscations used.
      h('div', { class: 'muted how' }, [...(hit.inspection?.chain ?? []), ...(hit.inspection?.techniques ?? [])].filter((x) => typeof x === 'string').join(', '))),
    h('td', { class: 'mono' }, hit.jndi ?? '—'),
    h('td', { class: 'mono host' }, hit.host ?? '—'),
    h('td', { class: 'mono text' }, hit.text + (hit.truncated ? ' …' : '')),
  );
}

function addLogHits(source, hits) {
  const tbody = $('log-hits').querySelector('tbody');
  const frag = document.createDocumentFragment();
  for (const hit of hits) {
    if (logState.rows >= MAX_LOG_ROWS) break;
    logState.rows++;
    frag.append(logRow(source, hit));
  }
  tbody.append(frag);
  $('log-hits').hidden = logState.rows === 0;
}

function logSummaryText() {
  const { lines, live, attempt } = logState;
  const flagged = live + attempt;
  let s = `${lines.toLocaleString()} lines checked: ${flagged ? `${live} live, ${attempt} attempt` : 'no Log4Shell payload found'}.`;
  if (logState.rows >= MAX_LOG_ROWS && flagged > MAX_LOG_ROWS) s += ` Showing the first ${MAX_LOG_ROWS}.`;
  return s;
}

function resetLogs() {
  Object.assign(logState, { rows: 0, live: 0, attempt: 0, lines: 0 });
  $('log-hits').querySelector('tbody').replaceChildren();
  $('log-hits').hidden = true;
}

function addLogTotals(summary) {
  logState.lines += summary.lines;
  logState.live += summary.live;
  logState.attempt += summary.attempt;
}

async function checkLogText() {
  const text = $('log-text').value;
  resetLogs();
  document.body.dataset.logs = 'running';
  if (!text.trim()) {
    $('log-status').textContent = 'Paste some text first.';
    document.body.dataset.logs = 'done';
    return;
  }
  try {
    const { summary } = await request({ type: 'logs', text, name: 'pasted text' });
    addLogHits('pasted text', summary.hits);
    addLogTotals(summary);
    $('log-status').textContent = logSummaryText();
  } catch (e) {
    $('log-status').textContent = `Could not check the text: ${e.message}`;
  }
  document.body.dataset.logs = 'done';
}

async function checkLogFiles(files) {
  resetLogs();
  document.body.dataset.logs = 'running';
  for (const { file, name } of files) {
    $('log-status').textContent = `Checking ${name}…`;
    try {
      const { summary } = await request({ type: 'logs', file, name }, (ev) => {
        addLogHits(name, ev.hits);
        $('log-status').textContent = `Checking ${name}: ${formatBytes(ev.bytes)} of ${formatBytes(file.size)}…`;
      });
      addLogTotals(summary);
    } catch (e) {
      $('log-hits').hidden = false;
      $('log-hits').querySelector('tbody').append(h('tr', {}, h('td', {}, name), h('td', { colspan: 5, class: 'error-text' }, `could not read: ${e.message}`)));
    }
  }
  $('log-status').textContent = logSummaryText();
  document.body.dataset.logs = 'done';
}

// ---------------------------------------------------------------------------
// Tabs (WAI-ARIA pattern: arrow keys move between tabs).

function selectTab(tab) {
  for (const t of document.querySelectorAll('[role=tab]')) {
    const on = t === tab;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute('aria-controls')).hidden = !on;
  }
}

function wireTabs() {
  const tabs = [...document.querySelectorAll('[role=tab]')];
  for (const t of tabs) {
    t.addEventListener('click', () => selectTab(t));
    t.addEventListener('keydown', (e) => {
      const i = tabs.indexOf(t);
      const j = e.key === 'ArrowRight' ? (i + 1) % tabs.length : e.key === 'ArrowLeft' ? (i + tabs.length - 1) % tabs.length : -1;
      if (j >= 0) { selectTab(tabs[j]); tabs[j].focus(); e.preventDefault(); }
    });
  }
}

// ---------------------------------------------------------------------------
// Wiring.

function main() {
  document.body.dataset.scan = 'idle';
  wireTabs();
  startWorker();

  $('pick-files').addEventListener('click', () => $('file-input').click());
  $('pick-folder').addEventListener('click', () => $('folder-input').click());
  $('file-input').addEventListener('change', (e) => onScanFiles({ files: fromInput(e.target), errors: [] }));
  $('folder-input').addEventListener('change', (e) => onScanFiles({ files: fromInput(e.target), errors: [] }));
  const drop = $('drop');
  wireDropZone(drop, onScanFiles);
  drop.addEventListener('keydown', (e) => {
    if (e.target === drop && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); $('file-input').click(); }
  });
  $('cancel').addEventListener('click', cancelScan);
  $('clear').addEventListener('click', () => { if (!state.running) { resetResults(); showStatus('Results cleared.'); } });

  $('filter-status').addEventListener('change', (e) => { state.filter.status = e.target.value; state.page = 0; renderTable(); });
  let debounce;
  $('filter-text').addEventListener('input', (e) => {
    clearTimeout(debounce);
    debounce = setTimeout(() => { state.filter.text = e.target.value; state.page = 0; renderTable(); }, 150);
  });
  for (const b of document.querySelectorAll('th button[data-sort]')) {
    b.addEventListener('click', () => {
      const key = b.dataset.sort;
      state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : 1 };
      renderTable();
    });
  }
  $('prev').addEventListener('click', () => { state.page--; renderTable(); });
  $('next').addEventListener('click', () => { state.page++; renderTable(); });

  $('export-json').addEventListener('click', () => download('log4j-scan.json', 'application/json', toJson(mergedReport())));
  $('export-csv').addEventListener('click', () => download('log4j-scan.csv', 'text/csv', toCsv(mergedReport())));
  $('export-sarif').addEventListener('click', () => download('log4j-scan.sarif', 'application/sarif+json', toSarif(mergedReport())));

  $('check-text').addEventListener('click', checkLogText);
  $('pick-logs').addEventListener('click', () => $('log-input').click());
  $('log-input').addEventListener('change', (e) => checkLogFiles(fromInput(e.target)));
  const logDrop = $('log-drop');
  wireDropZone(logDrop, ({ files }) => checkLogFiles(files));
  logDrop.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); $('log-input').click(); }
  });

  if ('serviceWorker' in navigator) {
    // Offline use after the first visit. Failing to register (a private
    // window, file://) only loses that, so it is a warning.
    navigator.serviceWorker.register('sw.js').catch((e) => console.warn('offline cache unavailable:', e.message));
  }
}

main();
