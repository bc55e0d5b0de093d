//! Decoders an application applies to a value before it reaches the logger.
//!
//! Each decoder returns `None` when it finds nothing to decode, so the `any`
//! context can prune chains that would only repeat a text it has already
//! evaluated. Decoding can optionally record, for every output byte, the byte
//! range of the input it came from: that is how a payload found in decoded
//! text is reported at its place in the original input. The map is only built
//! for the one chain that is reported, never on the hot path.
use alloc::string::String;
use alloc::vec::Vec;
use serde::Serialize;

/// One decoding step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decoder {
    /// Percent-decoding once, `+` as space (query strings and form bodies).
    Url,
    /// JSON string unescaping, `\uXXXX` and surrogate pairs included.
    Json,
    /// HTML numeric and named character references.
    Html,
    /// Base64 of `Authorization: Basic` credentials.
    BasicAuth,
}

impl Decoder {
    /// Every decoder, in the order the `any` context tries them.
    pub const ALL: [Decoder; 4] = [Decoder::Url, Decoder::Json, Decoder::Html, Decoder::BasicAuth];

    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Decoder::Url => "url",
            Decoder::Json => "json",
            Decoder::Html => "html",
            Decoder::BasicAuth => "basic-auth",
        }
    }

    /// Decode `text`, or `None` if this decoder would leave it unchanged.
    pub fn apply(self, text: &str) -> Option<String> {
        self.run(text, None)
    }

    /// Like [`Decoder::apply`], also filling `map` with the input range of
    /// every output byte.
    pub(crate) fn apply_mapped(self, text: &str, map: &mut Vec<(usize, usize)>) -> Option<String> {
        self.run(text, Some(map))
    }

    fn run(self, text: &str, map: Option<&mut Vec<(usize, usize)>>) -> Option<String> {
        match self {
            Decoder::Url => url(text, map),
            Decoder::Json => json(text, map),
            Decoder::Html => html(text, map),
            Decoder::BasicAuth => basic_auth(text, map),
        }
    }
}

/// Output under construction. Decoded bytes may not be UTF-8 (a percent
/// escape can produce anything), so text is collected as bytes and made
/// valid at the end the way Java's decoders do: bad sequences become U+FFFD.
struct Out<'m> {
    bytes: Vec<u8>,
    map: Option<&'m mut Vec<(usize, usize)>>,
    changed: bool,
}

impl<'m> Out<'m> {
    fn new(cap: usize, map: Option<&'m mut Vec<(usize, usize)>>) -> Self {
        let mut map = map;
        if let Some(m) = map.as_deref_mut() {
            m.clear();
        }
        Out { bytes: Vec::with_capacity(cap), map, changed: false }
    }

    fn copy(&mut self, text: &str, from: usize, to: usize) {
        self.bytes.extend_from_slice(&text.as_bytes()[from..to]);
        if let Some(m) = self.map.as_deref_mut() {
            m.extend((from..to).map(|i| (i, i + 1)));
        }
    }

    fn push(&mut self, bytes: &[u8], src: (usize, usize)) {
        self.changed = true;
        self.bytes.extend_from_slice(bytes);
        if let Some(m) = self.map.as_deref_mut() {
            m.extend(core::iter::repeat_n(src, bytes.len()));
        }
    }

    fn push_char(&mut self, c: char, src: (usize, usize)) {
        let mut tmp = [0u8; 4];
        self.push(c.encode_utf8(&mut tmp).as_bytes(), src);
    }

    fn finish(self) -> Option<String> {
        if !self.changed {
            return None;
        }
        match String::from_utf8(self.bytes) {
            Ok(s) => Some(s),
            Err(e) => Some(lossy(e.as_bytes(), self.map)),
        }
    }
}

/// UTF-8 repair that keeps the offset map in step with the text.
fn lossy(bytes: &[u8], map: Option<&mut Vec<(usize, usize)>>) -> String {
    let mut s = String::with_capacity(bytes.len() + 8);
    let mut new_map = Vec::new();
    let mut at = 0;
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        s.push_str(valid);
        if let Some(m) = map.as_deref() {
            new_map.extend_from_slice(&m[at..at + valid.len()]);
        }
        at += valid.len();
        let bad = chunk.invalid().len();
        if bad > 0 {
            s.push('\u{FFFD}');
            if let Some(m) = map.as_deref() {
                let src = (m[at].0, m[at + bad - 1].1);
                new_map.extend_from_slice(&[src; 3]);
            }
            at += bad;
        }
    }
    if let Some(m) = map {
        *m = new_map;
    }
    s
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// One percent-decoding pass. A `%` not followed by two hex digits is kept:
/// lenient servers pass such values through, and rejecting them would hide
/// the rest of the value from the evaluator.
fn url(text: &str, map: Option<&mut Vec<(usize, usize)>>) -> Option<String> {
    let b = text.as_bytes();
    memchr::memchr2(b'%', b'+', b)?;
    let mut out = Out::new(b.len(), map);
    let (mut i, mut lit) = (0, 0);
    while i < b.len() {
        if b[i] == b'%' {
            if let (Some(h), Some(l)) = (b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
                out.copy(text, lit, i);
                out.push(&[h * 16 + l], (i, i + 3));
                i += 3;
                lit = i;
                continue;
            }
        } else if b[i] == b'+' {
            out.copy(text, lit, i);
            out.push(b" ", (i, i + 1));
            i += 1;
            lit = i;
            continue;
        }
        i += 1;
    }
    out.copy(text, lit, b.len());
    out.finish()
}

fn hex4(b: &[u8], at: usize) -> Option<u32> {
    let d = b.get(at..at + 4)?;
    d.iter().try_fold(0u32, |acc, &c| Some(acc * 16 + u32::from(hex(c)?)))
}

/// JSON string unescaping over the whole text. An unknown escape such as
/// `\$` is kept as written: JSON parsers reject it, so no application would
/// have logged a decoded form of it.
fn json(text: &str, map: Option<&mut Vec<(usize, usize)>>) -> Option<String> {
    let b = text.as_bytes();
    memchr::memchr(b'\\', b)?;
    let mut out = Out::new(b.len(), map);
    let (mut i, mut lit) = (0, 0);
    while let Some(off) = memchr::memchr(b'\\', &b[i..]) {
        let at = i + off;
        let simple = match b.get(at + 1) {
            Some(b'"') => Some(b'"'),
            Some(b'\\') => Some(b'\\'),
            Some(b'/') => Some(b'/'),
            Some(b'b') => Some(0x08),
            Some(b'f') => Some(0x0c),
            Some(b'n') => Some(b'\n'),
            Some(b'r') => Some(b'\r'),
            Some(b't') => Some(b'\t'),
            _ => None,
        };
        if let Some(c) = simple {
            out.copy(text, lit, at);
            out.push(&[c], (at, at + 2));
            i = at + 2;
            lit = i;
            continue;
        }
        if b.get(at + 1) == Some(&b'u') {
            if let Some(unit) = hex4(b, at + 2) {
                out.copy(text, lit, at);
                let mut end = at + 6;
                let c = if (0xD800..0xDC00).contains(&unit) {
                    // A high surrogate only makes a character together with
                    // an escaped low surrogate right after it.
                    match (b.get(end..end + 2), hex4(b, end + 2)) {
                        (Some(b"\\u"), Some(low)) if (0xDC00..0xE000).contains(&low) => {
                            end += 6;
                            char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                        }
                        _ => None,
                    }
                } else {
                    char::from_u32(unit)
                };
                out.push_char(c.unwrap_or('\u{FFFD}'), (at, end));
                i = end;
                lit = i;
                continue;
            }
        }
        i = at + 1;
    }
    out.copy(text, lit, b.len());
    out.finish()
}

/// Named references that matter for building a lookup, plus the common
/// ones an HTML-escaping layer emits. Names are case-sensitive in HTML:
/// `&LBRACE;` is not a reference, so it is not in the table.
const ENTITIES: &[(&str, char)] = &[
    ("amp", '&'),
    ("AMP", '&'),
    ("lt", '<'),
    ("LT", '<'),
    ("gt", '>'),
    ("GT", '>'),
    ("quot", '"'),
    ("QUOT", '"'),
    ("apos", '\''),
    ("dollar", '$'),
    ("lbrace", '{'),
    ("lcub", '{'),
    ("rbrace", '}'),
    ("rcub", '}'),
    ("colon", ':'),
    ("sol", '/'),
    ("bsol", '\\'),
    ("period", '.'),
    ("comma", ','),
    ("semi", ';'),
    ("num", '#'),
    ("percnt", '%'),
    ("lpar", '('),
    ("rpar", ')'),
    ("lsqb", '['),
    ("lbrack", '['),
    ("rsqb", ']'),
    ("rbrack", ']'),
    ("lowbar", '_'),
    ("excl", '!'),
    ("quest", '?'),
    ("commat", '@'),
    ("equals", '='),
    ("plus", '+'),
    ("ast", '*'),
    ("Tab", '\t'),
    ("NewLine", '\n'),
    ("nbsp", '\u{A0}'),
];

/// Parse a numeric reference body starting after `&#`. Returns the code
/// point and the index just past the reference (the `;` is optional, as in
/// HTML's own parser). Leading zeros are unbounded in the wild (commons-text
/// accepts them), so they are skipped rather than counted as digits.
fn numeric_ref(b: &[u8], start: usize) -> Option<(char, usize)> {
    let (radix, mut i) = match b.get(start) {
        Some(b'x' | b'X') => (16u32, start + 1),
        _ => (10u32, start),
    };
    let digits_at = i;
    let mut value: u32 = 0;
    while let Some(d) = b.get(i).and_then(|&c| (c as char).to_digit(radix)) {
        // Saturate instead of overflowing: anything past U+10FFFF is U+FFFD.
        value = value.saturating_mul(radix).saturating_add(d).min(0x11_0000);
        i += 1;
    }
    if i == digits_at {
        return None;
    }
    if b.get(i) == Some(&b';') {
        i += 1;
    }
    let c = match value {
        0 => '\u{FFFD}',
        v => char::from_u32(v).unwrap_or('\u{FFFD}'),
    };
    Some((c, i))
}

fn html(text: &str, map: Option<&mut Vec<(usize, usize)>>) -> Option<String> {
    let b = text.as_bytes();
    memchr::memchr(b'&', b)?;
    let mut out = Out::new(b.len(), map);
    let (mut i, mut lit) = (0, 0);
    while let Some(off) = memchr::memchr(b'&', &b[i..]) {
        let at = i + off;
        if b.get(at + 1) == Some(&b'#') {
            if let Some((c, end)) = numeric_ref(b, at + 2) {
                out.copy(text, lit, at);
                out.push_char(c, (at, end));
                i = end;
                lit = i;
                continue;
            }
        } else {
            let name_end = b[at + 1..].iter().take(12).position(|&c| c == b';').map(|p| at + 1 + p);
            if let Some(end) = name_end {
                let name = &text[at + 1..end];
                if let Some(&(_, c)) = ENTITIES.iter().find(|(n, _)| *n == name) {
                    out.copy(text, lit, at);
                    out.push_char(c, (at, end + 1));
                    i = end + 1;
                    lit = i;
                    continue;
                }
            }
        }
        i = at + 1;
    }
    out.copy(text, lit, b.len());
    out.finish()
}

fn b64(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// Standard or URL-safe base64, padding optional. `None` if any character
/// is outside the alphabet or the length cannot be base64.
pub(crate) fn base64(token: &[u8]) -> Option<Vec<u8>> {
    let body = match token.iter().position(|&c| c == b'=') {
        Some(p) if token[p..].iter().all(|&c| c == b'=') && token.len() - p <= 2 => &token[..p],
        Some(_) => return None,
        None => token,
    };
    if body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() / 4 * 3 + 2);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in body {
        acc = (acc << 6) | b64(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Decode the credentials of `Basic <token>` (the scheme name matched
/// without regard to case, as HTTP does), or the whole text when it is
/// nothing but a base64 token. The decoded `user:pass` replaces the token so
/// the rest of a header or log line stays in place.
fn basic_auth(text: &str, map: Option<&mut Vec<(usize, usize)>>) -> Option<String> {
    let b = text.as_bytes();
    let (start, end) = match memchr::memmem::find_iter(b, b"asic ").find(|&p| p > 0 && (b[p - 1] | 0x20) == b'b') {
        Some(p) => {
            let s = p + 5 + b[p + 5..].iter().take_while(|&&c| c == b' ').count();
            let e = s + b[s..].iter().take_while(|&&c| b64(c).is_some() || c == b'=').count();
            (s, e)
        }
        None => {
            let t = text.trim();
            let s = text.len() - text.trim_start().len();
            (s, s + t.len())
        }
    };
    // Four characters is the shortest token that decodes to a user and a
    // colon; shorter "tokens" are ordinary words.
    if end < start + 4 {
        return None;
    }
    let decoded = base64(&b[start..end])?;
    let mut out = Out::new(b.len(), map);
    out.copy(text, 0, start);
    out.push(&decoded, (start, end));
    out.copy(text, end, b.len());
    out.finish()
}
