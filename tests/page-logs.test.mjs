// The "Check text or logs" tab: a payload line from the payload corpus is
// listed with its JNDI name and callback host, a benign line is not; and a
// gzipped log dropped through the file input is decompressed and checked.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { CORPUS, OUT, servePage } from './lib/common.mjs';

const PAYLOADS = process.env.LOG4J_PAYLOADS ?? path.resolve(CORPUS, '../payloads');

function readTsv(name) {
  const [head, ...rows] = fs.readFileSync(path.join(PAYLOADS, name), 'utf8').split('\n').filter(Boolean);
  const cols = head.split('\t');
  return rows.map((r) => Object.fromEntries(r.split('\t').map((v, i) => [cols[i], v])));
}

// A remote payload that needs no decoding and uses no trick, so the JNDI
// name it reaches can be read off the text itself: what is between
// `${jndi:` and the closing `}`. Its host is the URL authority of that name.
const malicious = readTsv('malicious.tsv').find((r) => r.label === 'remote' && r.decoding === 'none' && r.trick === 'plain');
const benign = readTsv('benign.tsv')[0];
const expectedJndi = malicious.text.slice('${jndi:'.length, -1);
const expectedHost = new URL(expectedJndi).hostname;

async function openLogTab(context, port) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForSelector('#status[data-ready="true"]', { timeout: 30000 });
  await page.click('#tab-logs');
  return { page, problems };
}

async function hitRows(page) {
  return page.$$eval('#log-hits tbody tr', (trs) => trs.map((tr) => ({
    source: tr.children[0].textContent,
    line: Number(tr.children[1].textContent),
    verdict: tr.children[2].querySelector('.badge').textContent,
    jndi: tr.children[3].textContent,
    host: tr.children[4].textContent,
  })));
}

test('log tab: pasted payload line flagged with JNDI name and host, benign line passes', async (t) => {
  assert.ok(malicious && benign, 'payload corpus has a plain remote row and a benign row');
  const { port, context } = await servePage(t);
  const { page, problems } = await openLogTab(context, port);

  // Line 1 benign, line 2 the payload inside a typical access-log line.
  const text = `${benign.text}\n10.0.0.7 - - "GET /search?q=x HTTP/1.1" 200 "${malicious.text}"\n`;
  await page.fill('#log-text', text);
  await page.click('#check-text');
  await page.waitForSelector('body[data-logs="done"]');
  const rows = await hitRows(page);
  assert.deepEqual(rows, [{ source: 'pasted text', line: 2, verdict: 'live', jndi: expectedJndi, host: expectedHost }]);
  assert.match(await page.textContent('#log-status'), /^2 lines checked: 1 live, 0 attempt/);
  fs.mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: path.join(OUT, 'page-logs.png'), fullPage: true });

  // Only the benign text: nothing listed, and the page says so.
  await page.fill('#log-text', benign.text);
  await page.click('#check-text');
  await page.waitForSelector('body[data-logs="done"]');
  assert.deepEqual(await hitRows(page), []);
  assert.match(await page.textContent('#log-status'), /no Log4Shell payload found/);
  assert.deepEqual(problems, []);
});

test('log tab: a gzipped log file is decompressed and checked line by line', async (t) => {
  const { port, context, tmp } = await servePage(t, 'l4s-logs-');

  // 20,000 benign lines with the payload on line 3 and again on the last
  // line, which has no trailing newline (the streaming edge cases).
  const lines = Array.from({ length: 20000 }, (_, i) => `2021-12-10 12:00:00 INFO request ${i} ${benign.text}`);
  lines[2] = `2021-12-10 12:00:01 WARN User-Agent: ${malicious.text}`;
  lines[lines.length - 1] = `X-Api-Version: ${malicious.text}`;
  const gz = path.join(tmp, 'access.log.gz');
  fs.writeFileSync(gz, zlib.gzipSync(lines.join('\n')));

  const { page, problems } = await openLogTab(context, port);
  await page.setInputFiles('#log-input', gz);
  await page.waitForSelector('body[data-logs="done"]', { timeout: 60000 });
  const rows = await hitRows(page);
  assert.deepEqual(rows.map((r) => [r.source, r.line, r.verdict, r.host]), [
    ['access.log.gz', 3, 'live', expectedHost],
    ['access.log.gz', 20000, 'live', expectedHost],
  ]);
  assert.match(await page.textContent('#log-status'), /^20,000 lines checked: 2 live/);
  assert.deepEqual(problems, []);
});
