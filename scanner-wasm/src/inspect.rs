//! Lookup-payload inspection for the edge worker and the page's log check.
//!
//! Two exports:
//! - `inspect(text, context)`: one string, one [`Inspection`] as plain JS data.
//! - `inspectParts(joined, lengths, contexts)`: a whole request in one call.
//!   The worker splits a request into many small parts (each header, each
//!   query parameter, each cookie, …). Crossing the JS↔wasm boundary once per
//!   part would cost more than inspecting most of them, so the worker joins
//!   the texts into one string and passes the length of each part (in UTF-16
//!   code units, which is what JS `.length` counts) and a context code per
//!   part: three copies in, at most one object out.
//!
//! Context codes are numbers only at the boundary; JS gets them by name from
//! `inspectContextCode`, so the table lives here and nowhere else.
use scanner_core::lookup::{inspect as evaluate, Context, Inspection, Verdict};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Code for a whole JSON document: not a core context, but a splitting rule
/// of this facade. Every string token (keys and values) is evaluated with
/// [`Context::Json`], which is what a JSON parser hands to the application.
const JSON_DOCUMENT: u8 = 6;

/// Boundary names of the context codes, by code.
const CONTEXT_NAMES: [&str; 7] = ["raw", "url", "json", "html", "basic-auth", "any", "json-document"];

fn core_context(code: u8) -> Option<Context> {
    Some(match code {
        0 => Context::Raw,
        1 => Context::Url,
        2 => Context::Json,
        3 => Context::Html,
        4 => Context::BasicAuth,
        5 => Context::Any,
        _ => return None,
    })
}

/// The code of a context name, for `inspectParts`. Names are the kebab-case
/// spellings used by the CLI's `--context` (`raw`, `url`, `json`, `html`,
/// `basic-auth`, `any`) plus `json-document` (a whole JSON body).
#[wasm_bindgen(js_name = inspectContextCode)]
pub fn inspect_context_code(name: &str) -> Result<u8, JsError> {
    CONTEXT_NAMES
        .iter()
        .position(|n| *n == name)
        .map(|i| i as u8)
        .ok_or_else(|| JsError::new(&format!("unknown context {name:?}")))
}

/// Inspect one string. `context` is a name as for `inspectContextCode`;
/// always returns an inspection, clean or not.
#[wasm_bindgen(js_name = inspect)]
pub fn inspect_one(text: &str, context: &str) -> Result<JsValue, JsError> {
    let code = inspect_context_code(context)?;
    let found = if code == JSON_DOCUMENT {
        inspect_json_document(text)
    } else {
        inspect_part(text, code).flatten()
    };
    to_js(&found.unwrap_or_else(clean))
}

/// The worst result over a batch of parts, and which part gave it.
#[derive(Serialize)]
struct Hit<'a> {
    /// Index of the part in the batch (the first one with the worst verdict).
    index: usize,
    inspection: &'a Inspection,
}

/// Inspect the parts of one request in one call. `joined` is every part's
/// text concatenated; `lengths[i]` is the length of part `i` in UTF-16 code
/// units; `contexts[i]` its context code. Returns `null` when every part is
/// clean, else `{ index, inspection }` for the first part with the worst
/// verdict (evaluation stops at the first `live`, as nothing is worse).
#[wasm_bindgen(js_name = inspectParts)]
pub fn inspect_parts(joined: &str, lengths: &[u32], contexts: &[u8]) -> Result<JsValue, JsError> {
    if lengths.len() != contexts.len() {
        return Err(JsError::new("lengths and contexts differ in length"));
    }
    let parts = split_utf16(joined, lengths).map_err(|e| JsError::new(e))?;
    match worst(&parts, contexts)? {
        None => Ok(JsValue::NULL),
        Some((index, inspection)) => to_js(&Hit { index, inspection: &inspection }),
    }
}

/// Inspect one part given as UTF-8 bytes: a request body, which the edge
/// worker already holds as bytes. Copying bytes into wasm is one `memcpy`,
/// where a string crosses character by character (a 100 KB body cost more
/// to pass in than to inspect). Invalid UTF-8 is replaced with U+FFFD, as a
/// non-fatal `TextDecoder` does; with `strict`, a body that is not UTF-8 is
/// not text and gives `null`. Returns `null` when clean, else the
/// inspection.
#[wasm_bindgen(js_name = inspectBytes)]
pub fn inspect_bytes(bytes: &[u8], context: u8, strict: bool) -> Result<JsValue, JsError> {
    let text = match core::str::from_utf8(bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) if strict => return Ok(JsValue::NULL),
        Err(_) => String::from_utf8_lossy(bytes),
    };
    match worst(&[&text], &[context])? {
        None => Ok(JsValue::NULL),
        Some((_, inspection)) => to_js(&inspection),
    }
}

fn worst(parts: &[&str], contexts: &[u8]) -> Result<Option<(usize, Inspection)>, JsError> {
    let mut best: Option<(usize, Inspection)> = None;
    for (i, (text, &code)) in parts.iter().zip(contexts).enumerate() {
        let found = if code == JSON_DOCUMENT {
            inspect_json_document(text)
        } else {
            inspect_part(text, code).ok_or_else(|| JsError::new(&format!("unknown context code {code}")))?
        };
        if let Some(found) = found {
            let worse = best.as_ref().map_or(true, |(_, b)| found.verdict > b.verdict);
            if worse {
                let live = found.verdict == Verdict::Live;
                best = Some((i, found));
                if live {
                    break;
                }
            }
        }
    }
    Ok(best)
}

/// `None` for an unknown code; `Some(None)` for a clean part.
fn inspect_part(text: &str, code: u8) -> Option<Option<Inspection>> {
    let context = core_context(code)?;
    let found = evaluate(text, context);
    Some((found.verdict != Verdict::Clean).then_some(found))
}

/// Evaluate a JSON document: the whole text with [`Context::Raw`], then every
/// string token with [`Context::Json`]; keep the worst. The tokens come from
/// a tokenizer, not a parser: it only needs to find where strings start and
/// end, so it also works on a body cut at the size limit or on slightly
/// invalid JSON (an unterminated string runs to the end).
///
/// A token with neither `$` nor `\` cannot become a lookup after JSON
/// unescaping (a `$` can only come from itself or from an escape such as
/// `\u0024`), so it is skipped without calling the evaluator: large JSON
/// bodies are mostly such tokens.
fn inspect_json_document(doc: &str) -> Option<Inspection> {
    // First the whole text as received: an application that logs raw
    // request bodies would substitute across string boundaries, e.g.
    // `{"a":"${jndi:ldap://x/","b":"}"}` is valid JSON whose raw text holds
    // a lookup that no single string token does.
    let raw = evaluate(doc, Context::Raw);
    if raw.verdict == Verdict::Live {
        return Some(raw);
    }
    let mut best: Option<Inspection> = (raw.verdict != Verdict::Clean).then_some(raw);
    for token in json_string_tokens(doc) {
        if !token.bytes().any(|b| b == b'$' || b == b'\\') {
            continue;
        }
        let found = evaluate(token, Context::Json);
        if found.verdict != Verdict::Clean && best.as_ref().map_or(true, |b| found.verdict > b.verdict) {
            let live = found.verdict == Verdict::Live;
            best = Some(found);
            if live {
                break;
            }
        }
    }
    best
}

/// The raw (still escaped) contents of the string tokens of a JSON text.
/// Boundaries are ASCII `"`, so every slice is valid UTF-8.
fn json_string_tokens(doc: &str) -> impl Iterator<Item = &str> {
    let bytes = doc.as_bytes();
    let mut pos = 0;
    core::iter::from_fn(move || {
        // `str::find` with a char uses core's memchr: fast over the
        // punctuation and numbers between strings.
        let open = pos + doc[pos..].find('"')?;
        let start = open + 1;
        let mut i = start;
        while i < bytes.len() {
            match bytes[i] {
                b'"' => break,
                // An escape covers the next byte, so `\"` does not end the string.
                b'\\' => i += 2,
                _ => i += 1,
            }
        }
        let end = i.min(bytes.len());
        pos = (end + 1).min(bytes.len());
        Some(&doc[start..end])
    })
}

/// Cut `joined` into parts whose lengths are given in UTF-16 code units.
fn split_utf16<'a>(joined: &'a str, lengths: &[u32]) -> Result<Vec<&'a str>, &'static str> {
    let mut parts = Vec::with_capacity(lengths.len());
    // Almost all request text is ASCII, where UTF-16 units and UTF-8 bytes
    // coincide; only walk characters when they do not.
    if joined.is_ascii() {
        let mut at = 0usize;
        for &len in lengths {
            let end = at.checked_add(len as usize).filter(|&e| e <= joined.len()).ok_or("lengths exceed the text")?;
            parts.push(&joined[at..end]);
            at = end;
        }
        return Ok(parts);
    }
    let mut chars = joined.char_indices().peekable();
    let mut at = 0usize;
    for &len in lengths {
        let mut units = 0u32;
        let mut end = at;
        while units < len {
            let (i, c) = chars.next().ok_or("lengths exceed the text")?;
            units += c.len_utf16() as u32;
            end = i + c.len_utf8();
        }
        if units != len {
            // A length that ends inside a surrogate pair: JS strings passed
            // whole never do this.
            return Err("a length splits a character");
        }
        parts.push(&joined[at..end]);
        at = end;
    }
    Ok(parts)
}

/// A clean inspection, built by the evaluator itself so that fields it adds
/// later get their own defaults.
fn clean() -> Inspection {
    evaluate("", Context::Raw)
}

fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    // json_compatible: `Option::None` becomes `null` and maps become plain
    // objects, so the worker can `JSON.stringify` results into its log lines.
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_ascii_and_non_ascii() {
        assert_eq!(split_utf16("abcde", &[2, 0, 3]).unwrap(), ["ab", "", "cde"]);
        // "é" is one UTF-16 unit and two UTF-8 bytes; "😀" is two and four.
        assert_eq!(split_utf16("é😀x", &[1, 2, 1]).unwrap(), ["é", "😀", "x"]);
        assert!(split_utf16("ab", &[3]).is_err());
        assert!(split_utf16("😀", &[1]).is_err());
    }

    #[test]
    fn json_tokens_respect_escapes_and_truncation() {
        let doc = r#"{"a":"x\"y","n":1,"b":["\u0024{z}"],"c":"cut"#;
        let tokens: Vec<&str> = json_string_tokens(doc).collect();
        assert_eq!(tokens, ["a", r#"x\"y"#, "n", "b", r"\u0024{z}", "c", "cut"]);
        // A trailing backslash must not run past the end.
        assert_eq!(json_string_tokens(r#""ab\"#).collect::<Vec<_>>(), [r"ab\"]);
    }

    #[test]
    fn context_codes_round_trip() {
        for (i, name) in CONTEXT_NAMES.iter().enumerate() {
            assert_eq!(CONTEXT_NAMES.iter().position(|n| n == name), Some(i));
            assert_eq!(core_context(i as u8).is_some(), i < JSON_DOCUMENT as usize);
        }
    }
}
