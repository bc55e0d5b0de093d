// The page, driven like a person would: real jars from the corpus go in
// through the file input, and the rows shown must say what MANIFEST.tsv
// says about those files. The exported JSON must agree with the native
// CLI on the same files. Screenshots land in tests/out/.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, CORPUS, OUT, corpusFile, servePage } from './lib/common.mjs';

/** MANIFEST.tsv as { file -> { components: [...], errors: [...] } }. */
function readManifest() {
  const lines = fs.readFileSync(path.join(CORPUS, 'MANIFEST.tsv'), 'utf8').split('\n').filter(Boolean);
  const header = lines.shift().split('\t');
  const col = (name) => {
    const i = header.indexOf(name);
    assert.ok(i >= 0, `MANIFEST.tsv has a ${name} column`);
    return i;
  };
  const [iFile, iComp, iErr] = [col('file'), col('expected_components'), col('expected_errors')];
  const rows = new Map();
  for (const line of lines) {
    const c = line.split('\t');
    const components = (c[iComp] ?? '').split(';').filter(Boolean).map((s) => {
      const [inner, component, version, status, cves] = s.split('|');
      return { inner, component, version, status, cves: cves ? cves.split(',') : [] };
    });
    const errors = (c[iErr] ?? '').split(';').filter(Boolean).map((s) => {
      const optional = s.startsWith('?');
      const [inner, kind] = (optional ? s.slice(1) : s).split('|');
      return { inner, kind, optional };
    });
    rows.set(c[iFile], { components, errors });
  }
  return rows;
}

/** The full nested path a finding for `inner` in the scanned file `name` has. */
const nested = (name, inner) => (inner ? `${name}!/${inner}` : name);

// The manifest writes a class-identified version as its candidate set
// (`2.14.0/2.14.1`); its README allows a range covering exactly those
// candidates (`2.14.0..2.14.1`) as the same answer.
function versionMatches(shown, expected) {
  if (shown === expected) return true;
  const cands = expected.split('/');
  return cands.length > 1 && shown === `${cands[0]}..${cands[cands.length - 1]}`;
}

/** The findings table as data, read from the DOM the user sees. */
async function tableRows(page) {
  // Every page of results, not just the first.
  const rows = [];
  for (;;) {
    rows.push(...await page.$$eval('#findings tbody tr', (trs) => trs.map((tr) => ({
      status: tr.querySelector('.badge').textContent.trim(),
      component: tr.children[1].firstChild.textContent.trim(),
      version: tr.querySelector('.version').textContent.trim(),
      cves: [...tr.querySelectorAll('.cve')].map((c) => c.textContent.trim().split(' ')[0]),
      path: tr.querySelector('td.path').textContent.trim(),
    }))));
    const next = page.locator('#next');
    if (await page.locator('#pager').isHidden() || await next.isDisabled()) break;
    await next.click();
  }
  return rows;
}

async function errorRows(page) {
  return page.$$eval('#errors li[data-kind]', (lis) => lis.map((li) => ({
    kind: li.dataset.kind, path: li.querySelector('.path').textContent.trim(),
  })));
}

/** Build a WAR by hand: a web app with a vulnerable jar stored under WEB-INF/lib. */
function buildWar(dir) {
  const stage = path.join(dir, 'war');
  fs.mkdirSync(path.join(stage, 'WEB-INF/lib'), { recursive: true });
  fs.copyFileSync(corpusFile('log4j/log4j-core-2.14.1.jar'), path.join(stage, 'WEB-INF/lib/log4j-core-2.14.1.jar'));
  fs.writeFileSync(path.join(stage, 'WEB-INF/web.xml'), '<web-app/>\n');
  fs.writeFileSync(path.join(stage, 'index.html'), '<p>hello</p>\n');
  const war = path.join(dir, 'shop.war');
  // -0: store without compression, the way many build tools pack WEB-INF/lib.
  execFileSync('zip', ['-q', '-r', '-0', war, '.'], { cwd: stage });
  return war;
}

function cliBinary() {
  const bin = path.join(ROOT, 'target/release/log4j-scan');
  // The release CLI is the reference; build it if this checkout has not.
  execFileSync('cargo', ['build', '--release', '--locked', '-p', 'scanner-cli'], { cwd: ROOT, stdio: 'inherit' });
  return bin;
}

/** A report with the top-level file names reduced to base names, so the
 *  CLI's absolute paths and the page's file names compare. */
function normalise(report) {
  const base = (p) => {
    const [top, ...rest] = p.split('!/');
    return [path.basename(top), ...rest].join('!/');
  };
  const byKey = (a, b) => (a.path + a.component + a.version).localeCompare(b.path + b.component + b.version);
  return {
    tool: report.tool.name,
    scanned: report.scanned,
    findings: report.findings.map((f) => ({ ...f, file: path.basename(f.file), path: base(f.path) })).sort(byKey),
    errors: report.errors.map((e) => ({ path: base(e.path), kind: e.kind })).sort((a, b) => (a.path + a.kind).localeCompare(b.path + b.kind)),
  };
}

test('dropped corpus jars show the manifest\'s verdicts; export matches the CLI', async (t) => {
  fs.mkdirSync(OUT, { recursive: true });
  const { port, context, tmp } = await servePage(t, 'l4s-page-');

  const manifest = readManifest();
  const corpusInputs = [
    'log4j/log4j-core-2.14.1.jar',
    'log4j/log4j-core-2.17.1.jar',
    'archives/google-log4j-core-2.14.0.jar.patched',
    'archives/palantir-wrapped_in_a_par.par',
    'archives/google-corrupt.jar',
  ];
  const war = buildWar(tmp);
  // A jar cut in half: its central directory is gone. Whatever the engine
  // calls that, the page must list an error for it and carry on.
  const truncated = path.join(tmp, 'truncated.jar');
  const whole = fs.readFileSync(corpusFile('log4j/log4j-core-2.14.1.jar'));
  fs.writeFileSync(truncated, whole.subarray(0, whole.length >> 1));
  const files = [...corpusInputs.map(corpusFile), war, truncated];

  // Expected rows: the manifest for corpus files; for the WAR, the
  // manifest row of the jar packed into it, one level down.
  const expected = [];
  const requiredErrors = [];
  const optionalErrors = [];
  for (const rel of corpusInputs) {
    const row = manifest.get(rel);
    assert.ok(row, `${rel} is in MANIFEST.tsv`);
    const name = path.basename(rel);
    for (const c of row.components) expected.push({ ...c, path: nested(name, c.inner) });
    for (const e of row.errors) (e.optional ? optionalErrors : requiredErrors).push({ path: nested(name, e.inner), kind: e.kind });
  }
  for (const c of manifest.get('log4j/log4j-core-2.14.1.jar').components) {
    expected.push({ ...c, path: nested('shop.war', 'WEB-INF/lib/log4j-core-2.14.1.jar') });
  }

  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForSelector('#status[data-ready="true"]', { timeout: 30000 });
  await page.screenshot({ path: path.join(OUT, 'page-drop.png'), fullPage: true });

  await page.setInputFiles('#file-input', files);
  await page.waitForSelector('body[data-scan="done"]', { timeout: 120000 });

  // Every file got a row in the progress list, none failed outright.
  const states = await page.$$eval('#file-list li .state', (els) => els.map((e) => e.textContent));
  assert.equal(states.length, files.length);
  assert.ok(!states.includes('failed'), `no file failed: ${states}`);

  const rows = await tableRows(page);
  const key = (r) => `${r.path}|${r.component}`;
  const shown = new Map(rows.map((r) => [key(r), r]));
  assert.equal(rows.length, expected.length, `one row per expected component: ${JSON.stringify(rows, null, 1)}`);
  for (const e of expected) {
    const r = shown.get(key(e));
    assert.ok(r, `a row for ${e.component} at ${e.path}; rows: ${[...shown.keys()].join(', ')}`);
    assert.equal(r.status, e.status, `status of ${e.path}`);
    assert.ok(versionMatches(r.version, e.version), `version of ${e.path}: shown ${r.version}, manifest ${e.version}`);
    assert.deepEqual(r.cves, e.cves, `CVEs of ${e.path}`);
  }

  const errors = await errorRows(page);
  for (const e of requiredErrors) {
    assert.ok(errors.some((x) => x.path === e.path && x.kind === e.kind), `error ${e.kind} at ${e.path} is listed: ${JSON.stringify(errors)}`);
  }
  assert.ok(errors.some((x) => x.path.startsWith('truncated.jar')), 'the truncated jar has an error row');
  for (const x of errors) {
    const allowed = [...requiredErrors, ...optionalErrors].some((e) => e.path === x.path && e.kind === x.kind) || x.path.startsWith('truncated.jar');
    assert.ok(allowed, `unexpected error ${x.kind} at ${x.path}`);
  }

  // The summary counts are the table's.
  const card = async (cls) => Number((await page.textContent(`.summary .card.${cls} b`)).replace(/,/g, ''));
  assert.equal(await card('files'), files.length);
  for (const s of ['vulnerable', 'mitigated', 'fixed', 'unknown']) {
    assert.equal(await card(s), expected.filter((e) => e.status === s).length, `${s} count`);
  }

  // Filtering by status leaves only that status.
  await page.selectOption('#filter-status', 'fixed');
  const fixedRows = await tableRows(page);
  assert.deepEqual(fixedRows.map((r) => r.status), expected.filter((e) => e.status === 'fixed').map(() => 'fixed'));
  await page.selectOption('#filter-status', '');

  // Evidence expands.
  const details = page.locator('#findings tbody tr details').first();
  await details.locator('summary').click();
  assert.equal(await details.evaluate((d) => d.open), true);
  await page.screenshot({ path: path.join(OUT, 'page-results.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(OUT, 'page-results-phone.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });

  // Exports: JSON in the CLI's shape, and equal to the CLI's own output.
  const grab = async (button) => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
    return fs.readFileSync(await dl.path(), 'utf8');
  };
  const exported = JSON.parse(await grab('#export-json'));
  assert.deepEqual(Object.keys(exported), ['tool', 'scanned', 'findings', 'errors']);
  const cli = cliBinary();
  let cliOut;
  try {
    cliOut = execFileSync(cli, ['--format', 'json', ...files], { encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (e) {
    // Exit 1 means "something vulnerable found", which is the case here.
    assert.equal(e.status, 1, `log4j-scan failed: ${e.stderr}`);
    cliOut = e.stdout;
  }
  assert.deepEqual(normalise(exported), normalise(JSON.parse(cliOut)));

  const csv = await grab('#export-csv');
  const csvLines = csv.trim().split('\r\n');
  assert.equal(csvLines[0].split(',')[0], 'file');
  assert.equal(csvLines.filter((l) => !l.includes(',error:')).length - 1, expected.length, 'one CSV line per finding');

  const sarif = JSON.parse(await grab('#export-sarif'));
  assert.equal(sarif.version, '2.1.0');
  const results = sarif.runs[0].results;
  // One result per (finding, CVE), plus a note for each finding without one.
  const wantResults = expected.reduce((n, e) => n + (e.cves.length || 1), 0);
  assert.equal(results.length, wantResults);
  assert.ok(results.some((r) => r.ruleId === 'CVE-2021-44228' && r.level === 'error'));

  assert.deepEqual(problems, [], 'no uncaught page errors');
});

test('a dropped folder is walked; cancel stops the scan and the page recovers', async (t) => {
  const { port, context, tmp } = await servePage(t, 'l4s-folder-');

  const root = path.join(tmp, 'app');
  fs.mkdirSync(path.join(root, 'lib/old'), { recursive: true });
  fs.copyFileSync(corpusFile('log4j/log4j-core-2.14.1.jar'), path.join(root, 'lib/old/log4j-core-2.14.1.jar'));
  fs.copyFileSync(corpusFile('log4j/log4j-core-2.17.1.jar'), path.join(root, 'lib/log4j-core-2.17.1.jar'));
  fs.writeFileSync(path.join(root, 'README.txt'), 'not an archive\n');

  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForSelector('#status[data-ready="true"]', { timeout: 30000 });
  await page.setInputFiles('#folder-input', root);
  await page.waitForSelector('body[data-scan="done"]', { timeout: 60000 });
  const paths = await page.$$eval('#findings td.path', (tds) => tds.map((td) => td.textContent).sort());
  // webkitRelativePath keeps the folder's own name and the sub-folders.
  assert.deepEqual(paths, ['app/lib/log4j-core-2.17.1.jar', 'app/lib/old/log4j-core-2.14.1.jar']);
  assert.equal(await page.textContent('.summary .card.files b'), '3');

  // Cancel: a batch of many copies, cancelled right away, ends as
  // "cancelled", and the restarted worker scans the next batch.
  const many = Array.from({ length: 40 }, () => corpusFile('archives/google-emptydirs.zip'));
  await page.setInputFiles('#file-input', many);
  await page.click('#cancel');
  await page.waitForSelector('body[data-scan="cancelled"]', { timeout: 30000 });
  const states = await page.$$eval('#file-list li .state', (els) => els.map((e) => e.textContent));
  assert.ok(states.includes('cancelled'), `some files were cancelled: ${states}`);
  await page.setInputFiles('#file-input', [corpusFile('log4j/log4j-core-2.14.1.jar')]);
  await page.waitForSelector('body[data-scan="done"]', { timeout: 60000 });
  assert.deepEqual(await page.$$eval('#findings .badge', (b) => b.map((x) => x.textContent)), ['vulnerable']);
});
