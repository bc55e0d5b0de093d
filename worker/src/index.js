// Edge filter for Log4Shell lookup payloads (Cloudflare Workers / workerd).
//
// Every request is split into the parts an application would log (parts.js),
// inspected by the same wasm module the web page uses, and then blocked (403),
// or forwarded to the origin unchanged. See worker/README.md for the
// variables. The handler never throws: any failure inside the filter is
// logged and answered as FAIL_MODE says.
import { initSync, inspectParts, inspectBytes, inspectContextCode } from '../../web/pkg/scanner_wasm.js';
import wasmModule from '../../web/pkg/scanner_wasm_bg.wasm';
import { CONTEXTS, bodyKind, bodyParts, headParts, inspectAll, requestUrl } from './parts.js';

// Instantiated on first use inside the try block of a request, not at module
// load: a failure there must become a FAIL_MODE answer, not a worker that
// cannot start.
let engine = null;
function getEngine() {
  if (engine === null) {
    initSync({ module: wasmModule });
    const codes = Object.fromEntries(CONTEXTS.map((name) => [name, inspectContextCode(name)]));
    engine = { wasm: { inspectParts, inspectBytes }, codes };
  }
  return engine;
}

const DEFAULT_MAX_BODY = 128 * 1024;

/** Variables (strings, or absent, in `env`), parsed once per `env` object:
 * workerd hands every request of an isolate the same one, and parsing
 * ORIGIN as a URL on each request was measurable in the latency benchmark. */
const configs = new WeakMap();
function config(env) {
  let cfg = configs.get(env);
  if (cfg === undefined) {
    cfg = readConfig(env);
    configs.set(env, cfg);
  }
  return cfg;
}

function readConfig(env) {
  const max = Number.parseInt(env.MAX_BODY_BYTES ?? '', 10);
  return {
    mode: env.MODE === 'monitor' ? 'monitor' : 'block',
    blockAttempts: String(env.BLOCK_ATTEMPTS ?? 'true').toLowerCase() !== 'false',
    maxBody: Number.isFinite(max) && max >= 0 ? max : DEFAULT_MAX_BODY,
    failOpen: env.FAIL_MODE === 'open',
    origin: env.ORIGIN ? originPrefix(new URL(env.ORIGIN)) : null,
    logClean: String(env.LOG_CLEAN ?? 'false').toLowerCase() === 'true',
    // Test hook only: set TEST_FAULT to make the filter fail on purpose (see
    // README). Unset in production; nothing else reads it.
    fault: env.TEST_FAULT ?? '',
  };
}

/**
 * Read the body up to `limit` bytes (plus at most one chunk beyond it).
 * Returns the chunks read, their total size and, when the body did not end,
 * the reader holding the rest, so the origin can still get every byte.
 */
async function readPrefix(stream, limit) {
  const reader = stream.getReader();
  const chunks = [];
  let size = 0;
  while (size <= limit) {
    const { done, value } = await reader.read();
    if (done) {
      reader.releaseLock();
      return { chunks, size, rest: null };
    }
    chunks.push(value);
    size += value.byteLength;
  }
  return { chunks, size, rest: reader };
}

function concat(chunks, size) {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * The body to forward. A body read to its end is forwarded as bytes (exact
 * length, so the origin sees the same Content-Length). A longer one is
 * re-streamed: the chunks already read, then the rest from the original
 * reader; through a FixedLengthStream when the length is declared, so the
 * origin gets a Content-Length instead of chunked encoding.
 */
function forwardBody(buffered, declaredLength, ctx) {
  if (buffered === null) return null;
  const { chunks, size, rest } = buffered;
  if (rest === null) return buffered.bytes ?? concat(chunks, size);
  const useFixed = declaredLength !== null && typeof FixedLengthStream === 'function';
  const { readable, writable } = useFixed ? new FixedLengthStream(declaredLength) : new TransformStream();
  const pump = (async () => {
    const writer = writable.getWriter();
    try {
      for (const c of chunks) await writer.write(c);
      for (;;) {
        const { done, value } = await rest.read();
        if (done) break;
        await writer.write(value);
      }
      await writer.close();
    } catch (err) {
      // The client or the origin went away mid-body: end the stream with
      // the error so the origin sees a broken request, not a short one.
      await writer.abort(err).catch(() => {});
      rest.cancel(err).catch(() => {});
    }
  })();
  ctx.waitUntil(pump);
  return readable;
}

// The id is echoed in the 403 body, so a client-supplied `cf-ray` (possible
// when the worker is not behind Cloudflare's edge) is used only when it has
// the shape of a ray id. Made on first use: a clean request that is not
// logged never needs one.
function requestId(headers) {
  let id = null;
  return () => {
    if (id === null) {
      const ray = headers.get('cf-ray');
      id = ray !== null && /^[A-Za-z0-9-]{1,64}$/.test(ray) ? ray : crypto.randomUUID();
    }
    return id;
  };
}

/** The callback host of a JNDI name such as `ldap://host:1389/a`. */
function callbackHost(inspection) {
  if (inspection.host) return inspection.host;
  if (inspection.callback) return inspection.callback;
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/\[?([^\]/:?#]+)/.exec(inspection.jndi ?? '');
  return m ? m[1] : null;
}

function ruleOf(inspection) {
  return inspection.rule ?? `log4shell-jndi-${inspection.verdict}`;
}

// One JSON object per line on stdout: Workers Logs / Logpush and workerd's
// stdout both keep lines whole. Bodies and header values are never logged;
// the JNDI name is (it is the indicator a SIEM wants), cut to 512 chars.
function logLine(fields) {
  console.log(JSON.stringify({ time: new Date().toISOString(), ...fields }));
}

function json(status, body, extra = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...extra },
  });
}

// ORIGIN's scheme, host and path prefix, to which the request's path and
// query are appended. Concatenated instead of `new URL(path, origin)`: a
// path such as `//x/y` would be read as a host there.
function originPrefix(origin) {
  return origin.origin + origin.pathname.replace(/\/$/, '');
}

/** The URL to forward to: ORIGIN plus the request's path and query, or the
 * request's own URL when the worker runs on a route in front of the origin. */
function targetUrl(url, origin) {
  return origin === null ? url.href : origin + url.pathname + url.search;
}


async function forward(request, url, cfg, body) {
  const init = { method: request.method, headers: request.headers, redirect: 'manual' };
  if (body !== null) init.body = body;
  // Returned as is: workerd streams the origin's body back to the client.
  return fetch(targetUrl(url, cfg.origin), init);
}

export default {
  async fetch(request, env, ctx) {
    try {
      return await handle(request, env, ctx);
    } catch (err) {
      // Last line of defence: every path in `handle` catches its own
      // failures, so this only runs on a bug; the worker still answers.
      logLine({ id: 'unknown', decision: 'error', stage: 'handler', error: String(err?.message ?? err) });
      return json(500, { error: 'internal error' });
    }
  },
};

async function handle(request, env, ctx) {
  let cfg;
  try {
    cfg = config(env);
  } catch (err) {
    // A variable that cannot be used (ORIGIN not a URL): there is nowhere
    // to forward to, whatever FAIL_MODE says.
    logLine({ id: 'unknown', decision: 'error', stage: 'config', error: String(err?.message ?? err) });
    return json(503, { error: 'filter misconfigured' });
  }
  const headers = request.headers;
  const id = requestId(headers);
  const url = requestUrl(request.url);
  const len = headers.get('content-length');
  const declared = len !== null && /^\d+$/.test(len) ? Number(len) : null;
  let buffered = null;
  try {
    if (request.body !== null) buffered = await readPrefix(request.body, cfg.maxBody);
  } catch (err) {
    // The client broke the body off: what is left cannot be forwarded.
    logLine({ id: id(), decision: 'error', stage: 'read-body', error: String(err?.message ?? err) });
    return json(400, { error: 'request body could not be read', id: id() });
  }

  let hit = null;
  let truncated = false;
  try {
    if (cfg.fault === 'throw') throw new Error('TEST_FAULT=throw: injected filter failure');
    const { wasm, codes } = getEngine();
    const parts = headParts(request.method, url, headers);
    if (buffered !== null) {
      // Kept on `buffered` so that forwarding does not copy it again.
      const bytes = (buffered.bytes = concat(buffered.chunks, buffered.size));
      truncated = buffered.size > cfg.maxBody;
      const prefix = truncated ? bytes.subarray(0, cfg.maxBody) : bytes;
      const ct = headers.get('content-type') ?? '';
      parts.push(...(await bodyParts(bodyKind(ct), prefix, !truncated, ct)));
    }
    hit = inspectAll(wasm, codes, parts);
  } catch (err) {
    logLine({ id: id(), decision: cfg.failOpen ? 'fail-open' : 'fail-closed', stage: 'inspect', error: String(err?.message ?? err) });
    if (!cfg.failOpen) return json(503, { error: 'filter unavailable', id: id() });
    return passOn(request, url, cfg, buffered, declared, ctx, id);
  }

  if (hit === null) {
    if (cfg.logClean || truncated) logLine({ ...logBase(request, id, truncated, cfg, declared), verdict: 'clean', decision: 'forward' });
    return passOn(request, url, cfg, buffered, declared, ctx, id);
  }

  const { inspection, part } = hit;
  const blocks = cfg.mode === 'block' && (inspection.verdict === 'live' || cfg.blockAttempts);
  const rule = ruleOf(inspection);
  logLine({
    ...logBase(request, id, truncated, cfg, declared),
    verdict: inspection.verdict,
    decision: blocks ? 'block' : cfg.mode === 'monitor' ? 'monitor' : 'allow-attempt',
    part,
    rule,
    jndi: inspection.jndi == null ? null : String(inspection.jndi).slice(0, 512),
    host: callbackHost(inspection),
    techniques: inspection.techniques ?? [],
    chain: inspection.chain ?? [],
    profile: inspection.profile ?? null,
    reason: inspection.reason ?? null,
  });
  if (blocks) {
    // Names the part and the rule; never the payload itself.
    return json(403, { blocked: true, verdict: inspection.verdict, part, rule, id: id() });
  }
  return passOn(request, url, cfg, buffered, declared, ctx, id);
}

function logBase(request, id, truncated, cfg, declared) {
  const base = { id: id(), method: request.method };
  if (truncated) base.bodyTruncated = { inspected: cfg.maxBody, declared };
  return base;
}

/** Forward, turning an unreachable origin into a 502 instead of a throw. */
async function passOn(request, url, cfg, buffered, declared, ctx, id) {
  try {
    return await forward(request, url, cfg, forwardBody(buffered, declared, ctx));
  } catch (err) {
    logLine({ id: id(), decision: 'origin-error', error: String(err?.message ?? err) });
    return json(502, { error: 'origin unreachable', id: id() });
  }
}
