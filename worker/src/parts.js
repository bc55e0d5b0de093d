// Splitting a request into the parts an application would log, each with the
// decoding the application applies before logging it (DESIGN.md, "Lookup
// payloads"). Pure functions over Web-standard objects, so the same code runs
// in the worker and in Node (the latency benchmark measures it there, because
// workerd's clock does not advance during CPU work).
//
// A part is [name, text, context]. `name` goes into logs and into the 403
// body, so it must never carry attacker text: names taken from the request
// (parameter, cookie, form field) are used only when they are short plain
// identifiers, otherwise the part is named by its position.

/** Context names, as scanner-wasm's `inspectContextCode` knows them. */
export const CONTEXTS = ['raw', 'url', 'json', 'html', 'basic-auth', 'any', 'json-document'];

const SAFE_NAME = /^[A-Za-z0-9_.\-[\]]{1,64}$/;

function label(kind, name, index) {
  return SAFE_NAME.test(name) ? `${kind}:${name}` : `${kind}#${index}`;
}

/**
 * `application/x-www-form-urlencoded` pairs, still encoded: the evaluator's
 * `url` context decodes them once, `+` as space, as a servlet container does
 * for `getParameter`. Both names and values are parts: frameworks log
 * unknown parameter names too.
 */
function pushPairs(parts, kind, text) {
  if (text === '') return;
  const pairs = text.split('&');
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i];
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const where = label(kind, safeDecode(rawName), i);
    parts.push([`${where}(name)`, rawName, 'url']);
    if (eq >= 0) parts.push([where, pair.slice(eq + 1), 'url']);
  }
}

// Only for choosing a readable label; the text inspected stays encoded.
function safeDecode(s) {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** Cookies: `name=value` pairs separated by `;`. Servlets hand values over
 * raw, many frameworks URL-decode them: inspect both ways. */
function pushCookies(parts, header) {
  const pairs = header.split(';');
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i].trim();
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? '' : pair.slice(eq + 1);
    const where = label('cookie', name, i);
    parts.push([`${where}(name)`, name, 'raw']);
    parts.push([where, value, 'raw']);
    parts.push([where, value, 'url']);
  }
}

const utf8 = new TextDecoder('utf-8'); // not fatal: invalid bytes become U+FFFD

/** `Authorization: Basic <base64>`: the token for the evaluator's
 * `basic-auth` context, and the credentials decoded here as well, so that a
 * payload in the user name or password is seen whichever way the evaluator
 * reads the token. */
function pushAuthorization(parts, value) {
  const m = /^\s*basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(value);
  if (!m) return;
  parts.push(['header:authorization(basic)', m[1], 'basic-auth']);
  try {
    const bin = atob(m[1].replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    parts.push(['header:authorization(basic)', utf8.decode(bytes), 'raw']);
  } catch {
    // Not base64: the raw header value is inspected anyway.
  }
}

/** The kind of body, from its media type; `null` when not inspected. */
export function bodyKind(contentType) {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type === 'multipart/form-data') return 'multipart';
  if (type === 'application/json' || type.endsWith('+json') || type === 'text/json') return 'json';
  if (type.startsWith('text/') || type.endsWith('/xml') || type.endsWith('+xml')) return 'text';
  // No media type: clients such as curl -d send text without one; inspect it
  // when it decodes as UTF-8 (decided by the caller on the bytes).
  if (type === '') return 'sniff';
  return null;
}

/**
 * `href`, `pathname` and `search` of `request.url`, as `URL` would give
 * them. The runtime hands the URL over already parsed and serialized, so
 * the path starts at the first `/` after `://` (a serialized authority has
 * none) and the query at the first `?` after it; slicing them saves a
 * URL parse per request. Anything else goes through `URL`.
 */
export function requestUrl(href) {
  const scheme = href.indexOf('://');
  const slash = scheme < 0 ? -1 : href.indexOf('/', scheme + 3);
  if (slash < 0 || href.indexOf('#', slash) >= 0) {
    const u = new URL(href);
    return { href: u.href, pathname: u.pathname, search: u.search };
  }
  const q = href.indexOf('?', slash);
  if (q < 0) return { href, pathname: href.slice(slash), search: '' };
  // `URL.search` is '' for a bare trailing `?`.
  return { href, pathname: href.slice(slash, q), search: q === href.length - 1 ? '' : href.slice(q) };
}

/**
 * The parts of the request line and headers that can hold a lookup.
 *
 * A typical request has no `$` and no `%` anywhere, and then nothing here
 * allocates: each container (query string, cookie header) is tested whole
 * with `mayHoldLookup` before it is split, which skips exactly the parts
 * `inspectAll` would skip one by one (a piece of a text has no trigger
 * character its container lacks). `keep` replaces that test, for the
 * benchmark that sends every part into wasm.
 * @param {string} method
 * @param {{pathname: string, search: string}} url from `requestUrl`
 * @param {Headers} headers
 * @param {(text: string, context: string) => boolean} [keep]
 */
export function headParts(method, url, headers, keep = mayHoldLookup) {
  const parts = [];
  const add = (name, text, context) => {
    if (keep(text, context)) parts.push([name, text, context]);
  };
  add('method', method, 'raw');
  // workerd hands over the URL already parsed, with `{` `}` in the path
  // percent-encoded; one URL decode gives what the application routes on.
  add('path', url.pathname, 'url');
  const query = url.search.slice(1);
  if (keep(query, 'url')) pushPairs(parts, 'query', query);
  // `forEach`, not `for...of`: in workerd every step of a Headers iterator
  // is its own call into C++, and the loop cost about 45 us more per
  // typical request than forEach (measured in workerd, 19 headers).
  headers.forEach((value, name) => {
    // Header names are tokens (`$` is a legal token character, `{` is not),
    // so they are safe labels; still inspected, because some frameworks
    // log unknown header names. Labels are built only for kept parts.
    if (keep(name, 'raw')) parts.push([`header-name:${name.slice(0, 64)}`, name, 'raw']);
    if (keep(value, 'raw')) parts.push([`header:${name.slice(0, 64)}`, value, 'raw']);
    if (name === 'cookie') {
      if (keep(value, 'url')) pushCookies(parts, value);
    } else if (name === 'authorization') {
      pushAuthorization(parts, value);
    }
  });
  return parts;
}

/**
 * The parts of a body prefix. JSON and text bodies stay bytes (a part whose
 * text is a `Uint8Array`): `inspectAll` hands them to wasm as bytes, which
 * is a copy, where a string crosses character by character and must first
 * be decoded here. A fourth element `true` marks a body that counts as text
 * only if it is valid UTF-8.
 * @param {string|null} kind from `bodyKind`
 * @param {Uint8Array} bytes the body, or its first MAX_BODY_BYTES
 * @param {boolean} complete false when `bytes` is only a prefix
 * @param {string} contentType
 * @returns {Promise<Array>} parts
 */
export async function bodyParts(kind, bytes, complete, contentType) {
  const parts = [];
  if (kind === null || bytes.byteLength === 0) return parts;
  if (kind === 'sniff') {
    // Inspected only if it is UTF-8: binary is nothing an application
    // would log as text.
    parts.push(['body', bytes, 'raw', true]);
    return parts;
  }
  if (kind === 'multipart' && complete) {
    try {
      // workerd's own multipart parser, on a copy of the buffered bytes.
      const form = await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
      let i = 0;
      for (const [name, value] of form) {
        const where = label('multipart', name, i++);
        parts.push([`${where}(name)`, name, 'raw']);
        if (typeof value === 'string') parts.push([where, value, 'raw']);
        else parts.push([`${where}(filename)`, value.name ?? '', 'raw']);
      }
      return parts;
    } catch {
      // Malformed multipart: fall through and inspect it as text.
    }
  }
  if (kind === 'form') pushPairs(parts, 'form', utf8.decode(bytes));
  // `json-document`: the whole text raw, then every string token with JSON
  // unescaping (scanner-wasm/src/inspect.rs), without building objects.
  else if (kind === 'json') parts.push(['body(json)', bytes, 'json-document']);
  // Text, and multipart cut at the limit (its text fields are plain text
  // between boundaries, so a raw scan still sees them).
  else parts.push(['body', bytes, 'raw']);
  return parts;
}

/**
 * Whether a part's text can hold a lookup once decoded for its context.
 * Log4j substitutes only at a literal `$`, and each decoding can make a `$`
 * only from its own escape character: `%24` (url), `\u0024` (json),
 * `&#36;` / `&dollar;` (html). Base64 can hide anything, so `basic-auth`
 * and `any` are always inspected. This never skips a part the evaluator
 * could flag; it only saves copying clean text into wasm (V8's `indexOf`
 * is much faster than any scan behind the boundary).
 */
function mayHoldLookup(text, context) {
  if (typeof text !== 'string') return bytesMayHoldLookup(text, context);
  if (text.indexOf('$') >= 0) return true;
  switch (context) {
    case 'raw': return false;
    case 'url': return text.indexOf('%') >= 0;
    case 'json':
    case 'json-document': return text.indexOf('\\') >= 0;
    case 'html': return text.indexOf('&') >= 0;
    default: return true;
  }
}

/** `mayHoldLookup` for a body kept as UTF-8 bytes: the same characters,
 * all ASCII, so the same bytes. */
function bytesMayHoldLookup(bytes, context) {
  if (bytes.indexOf(0x24) >= 0) return true; // $
  switch (context) {
    case 'raw': return false;
    case 'url': return bytes.indexOf(0x25) >= 0; // %
    case 'json':
    case 'json-document': return bytes.indexOf(0x5c) >= 0; // backslash
    case 'html': return bytes.indexOf(0x26) >= 0; // &
    default: return true;
  }
}

const RANK = { clean: 0, attempt: 1, live: 2 };

/**
 * Run a batch through scanner-wasm in one boundary crossing.
 * @param {{inspectParts: Function}} wasm
 * @param {Record<string, number>} codes context name -> code
 * @param {Array} parts
 * @returns {{part: string, inspection: object}|null} the first worst hit
 */
export function inspectAll(wasm, codes, parts) {
  const keep = [];
  const bodies = [];
  for (const p of parts) if (mayHoldLookup(p[1], p[2])) (typeof p[1] === 'string' ? keep : bodies).push(p);
  let hit = inspectStrings(wasm, codes, keep);
  // Bodies come after the request line and headers, so on a tie the
  // earlier part stays the one named.
  for (const p of bodies) {
    if (hit?.inspection.verdict === 'live') break;
    const inspection = wasm.inspectBytes(p[1], codes[p[2]], p[3] === true);
    if (inspection !== null && (hit === null || RANK[inspection.verdict] > RANK[hit.inspection.verdict])) {
      hit = { part: p[0], inspection };
    }
  }
  return hit;
}

function inspectStrings(wasm, codes, keep) {
  if (keep.length === 0) return null;
  const lengths = new Uint32Array(keep.length);
  const contexts = new Uint8Array(keep.length);
  let joined = '';
  for (let i = 0; i < keep.length; i++) {
    const text = keep[i][1];
    // V8 builds `joined` as a rope; the one flatten happens when
    // wasm-bindgen copies it into wasm memory.
    joined += text;
    lengths[i] = text.length;
    contexts[i] = codes[keep[i][2]];
  }
  const hit = wasm.inspectParts(joined, lengths, contexts);
  return hit === null ? null : { part: keep[hit.index][0], inspection: hit.inspection };
}
