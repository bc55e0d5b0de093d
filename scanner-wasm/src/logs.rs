//! The page's "Check text or logs" tab: find the lines of a log (or of
//! pasted text) that carry a Log4Shell payload, with the JNDI name the
//! payload reaches and the host it would call back to.
//!
//! Logs can be gigabytes, so the work is streamed: `LogScanner.push(chunk)`
//! takes text in pieces of any size (the worker decodes `.gz` with the
//! browser's `DecompressionStream` and feeds the text as it comes) and only
//! the current unfinished line is kept between calls.
use scanner_core::lookup::{self, Context, Inspection, Verdict};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::scan::{remember_panics, to_js};

#[wasm_bindgen(typescript_custom_section)]
const TS_LOGS: &'static str = r#"
/** A log line the evaluator flags (`live` or `attempt`). */
export interface LogHit {
  /** 1-based line number in the text given so far. */
  line: number;
  /** The line, cut to 2,000 characters for display (`truncated` says so). */
  text: string;
  truncated: boolean;
  verdict: "live" | "attempt";
  /** The decoded JNDI name the payload reaches (`ldap://host/x`), if any. */
  jndi: string | null;
  /** The host a live lookup would connect to, taken from `jndi`. */
  host: string | null;
  /** Everything the evaluator said (chain, techniques, …). */
  inspection: { verdict: string; jndi: string | null; chain: string[]; techniques: string[]; [k: string]: unknown };
}
/** Totals of a `LogScanner` (or of `checkText`). */
export interface LogSummary { lines: number; live: number; attempt: number; hits: LogHit[]; }
/** Options of `LogScanner` / `checkText`. */
export interface LogOptions {
  /** How the text was decoded before it was logged; default "any". */
  context?: "raw" | "url" | "json" | "html" | "basic-auth" | "any";
  /** Stop collecting hits after this many (they are still counted); default 10000. */
  maxHits?: number;
}
"#;

/// Longest line kept whole. A longer "line" (a binary file, a minified
/// blob) is inspected in pieces of this size so memory stays bounded; a
/// payload straddling a cut could be missed, which the hit list cannot
/// claim otherwise, so such lines are counted in `longLines`.
const MAX_LINE: usize = 1 << 20;
/// Characters of a line kept for display.
const SHOWN_CHARS: usize = 2000;
const DEFAULT_MAX_HITS: u32 = 10_000;

#[derive(Serialize)]
struct LogHit {
    line: u64,
    text: String,
    truncated: bool,
    verdict: Verdict,
    jndi: Option<String>,
    host: Option<String>,
    inspection: Inspection,
}

#[derive(Serialize)]
struct Summary<'a> {
    lines: u64,
    live: u64,
    attempt: u64,
    #[serde(rename = "longLines")]
    long_lines: u64,
    hits: &'a [LogHit],
}

/// Streaming log checker. `push` text in pieces, then `finish`.
#[wasm_bindgen]
pub struct LogScanner {
    context: Context,
    max_hits: u32,
    /// The unfinished last line of the text pushed so far.
    partial: String,
    /// Lines completed so far.
    lines: u64,
    live: u64,
    attempt: u64,
    long_lines: u64,
    /// Hits not yet handed out by `push`/`finish`.
    pending: Vec<LogHit>,
    /// Hits handed out so far (for `maxHits`).
    kept: u32,
    /// The current line was already cut once (it is longer than MAX_LINE).
    cut: bool,
}

fn parse_context(s: &str) -> Result<Context, JsError> {
    Ok(match s {
        "raw" => Context::Raw,
        "url" => Context::Url,
        "json" => Context::Json,
        "html" => Context::Html,
        "basic-auth" => Context::BasicAuth,
        "any" => Context::Any,
        other => {
            return Err(JsError::new(&format!(
                "unknown context {other:?}; use raw, url, json, html, basic-auth or any"
            )))
        }
    })
}

fn read_log_options(options: &JsValue) -> Result<(Context, u32), JsError> {
    let mut context = Context::Any;
    let mut max_hits = DEFAULT_MAX_HITS;
    if options.is_undefined() || options.is_null() {
        return Ok((context, max_hits));
    }
    let get = |key: &str| js_sys::Reflect::get(options, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    let c = get("context");
    if !c.is_undefined() && !c.is_null() {
        let s = c.as_string().ok_or_else(|| JsError::new("options.context must be a string"))?;
        context = parse_context(&s)?;
    }
    let m = get("maxHits");
    if !m.is_undefined() && !m.is_null() {
        let v = m.as_f64().filter(|v| v.is_finite() && *v >= 0.0).ok_or_else(|| JsError::new("options.maxHits must be a number >= 0"))?;
        max_hits = v.min(u32::MAX as f64) as u32;
    }
    Ok((context, max_hits))
}

/// The host of a JNDI name such as `ldap://user@evil.example:1389/a`:
/// after `scheme://`, before the path, without user info and port.
/// `[::1]:389` keeps its brackets off. `None` when there is no authority.
pub(crate) fn callback_host(jndi: &str) -> Option<String> {
    let (_, rest) = jndi.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    (!host.is_empty()).then(|| host.to_string())
}

#[wasm_bindgen]
impl LogScanner {
    /// `options`: `{ context?, maxHits? }` (see `LogOptions`).
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "LogOptions")] options: JsValue) -> Result<LogScanner, JsError> {
        remember_panics();
        let (context, max_hits) = read_log_options(&options)?;
        Ok(LogScanner {
            context,
            max_hits,
            partial: String::new(),
            lines: 0,
            live: 0,
            attempt: 0,
            long_lines: 0,
            pending: Vec::new(),
            kept: 0,
            cut: false,
        })
    }

    /// Feed the next piece of text; returns the hits of the lines it
    /// completed.
    #[wasm_bindgen(unchecked_return_type = "LogHit[]")]
    pub fn push(&mut self, chunk: &str) -> Result<JsValue, JsError> {
        self.feed(chunk);
        self.take_pending()
    }

    /// The last line (if the text does not end with a newline); returns its
    /// hits. The totals stay readable through `summary`.
    #[wasm_bindgen(unchecked_return_type = "LogHit[]")]
    pub fn finish(&mut self) -> Result<JsValue, JsError> {
        self.end();
        self.take_pending()
    }

    /// Totals so far (`hits` is empty: they were returned by `push`).
    #[wasm_bindgen(unchecked_return_type = "LogSummary")]
    pub fn summary(&self) -> Result<JsValue, JsError> {
        to_js(&Summary { lines: self.lines, live: self.live, attempt: self.attempt, long_lines: self.long_lines, hits: &[] })
    }
}

impl LogScanner {
    fn take_pending(&mut self) -> Result<JsValue, JsError> {
        let out = to_js(&self.pending);
        self.pending.clear();
        out
    }

    fn feed(&mut self, chunk: &str) {
        let mut rest = chunk;
        while let Some(nl) = rest.find('\n') {
            let (piece, tail) = rest.split_at(nl);
            rest = &tail[1..];
            if self.partial.is_empty() {
                self.line_done(piece);
            } else {
                let mut line = std::mem::take(&mut self.partial);
                line.push_str(piece);
                self.line_done(&line);
            }
        }
        self.partial.push_str(rest);
        if self.partial.len() > MAX_LINE {
            let line = std::mem::take(&mut self.partial);
            self.inspect_piece(&line);
            self.cut = true;
        }
    }

    fn end(&mut self) {
        if !self.partial.is_empty() || self.cut {
            let line = std::mem::take(&mut self.partial);
            self.line_done(&line);
        }
    }

    /// A complete line (without its `\n`).
    fn line_done(&mut self, line: &str) {
        self.inspect_piece(line);
        if self.cut {
            self.long_lines += 1;
            self.cut = false;
        }
        self.lines += 1;
    }

    /// Inspect one line or one piece of a long line, numbered as the
    /// current line.
    fn inspect_piece(&mut self, piece: &str) {
        let text = piece.strip_suffix('\r').unwrap_or(piece);
        let found = lookup::inspect(text, self.context);
        match found.verdict {
            Verdict::Clean => return,
            Verdict::Live => self.live += 1,
            Verdict::Attempt => self.attempt += 1,
        }
        if self.kept >= self.max_hits {
            return;
        }
        self.kept += 1;
        let shown: String = text.chars().take(SHOWN_CHARS).collect();
        let truncated = shown.len() < text.len();
        let jndi = found.jndi.clone();
        // The evaluator names the host itself; the URL parse is a fallback
        // for names it leaves without one.
        let host = found.host.clone().or_else(|| jndi.as_deref().and_then(callback_host));
        self.pending.push(LogHit {
            line: self.lines + 1,
            text: shown,
            truncated,
            verdict: found.verdict,
            jndi,
            host,
            inspection: found,
        });
    }
}

/// Check a whole text at once (pasted into the page): every flagged line.
#[wasm_bindgen(js_name = checkText, unchecked_return_type = "LogSummary")]
pub fn check_text(
    text: &str,
    #[wasm_bindgen(unchecked_param_type = "LogOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    // The streaming path, so pasting a log and dropping it agree.
    let mut s = LogScanner::new(options)?;
    s.feed(text);
    s.end();
    to_js(&Summary { lines: s.lines, live: s.live, attempt: s.attempt, long_lines: s.long_lines, hits: &s.pending })
}

#[cfg(test)]
mod tests {
    use super::callback_host;

    #[test]
    fn host_of_jndi_names() {
        // Worked by hand from the URL grammar: scheme "://" [userinfo "@"] host [":" port] path.
        assert_eq!(callback_host("ldap://attacker.example/a").as_deref(), Some("attacker.example"));
        assert_eq!(callback_host("rmi://attacker.example:1099/obj").as_deref(), Some("attacker.example"));
        assert_eq!(callback_host("ldap://u:p@10.0.0.1:389/x").as_deref(), Some("10.0.0.1"));
        assert_eq!(callback_host("ldap://[::1]:389/x").as_deref(), Some("::1"));
        assert_eq!(callback_host("java:comp/env/jdbc"), None);
        assert_eq!(callback_host("ldap:///a"), None);
    }
}
