//! Human-readable output: one line per finding, the errors, a summary.
use std::io::{self, Write};

use scanner_core::{Report, Status};

/// `s` safe for a terminal: control characters (CR, ESC, newlines, …) and
/// the bidirectional overrides are written as `\u{…}` escapes. Paths and
/// versions come from the scanned files, and a name with `\r\x1b[2K`
/// could otherwise erase its own line and print a forged one.
fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !s.chars().any(bad) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out.into()
}

fn label(s: Status) -> &'static str {
    match s {
        Status::Vulnerable => "VULNERABLE",
        Status::Mitigated => "MITIGATED",
        Status::Fixed => "FIXED",
        Status::Unknown => "UNKNOWN",
    }
}

/// `--quiet` keeps only vulnerable findings and the summary: the lines a
/// cron job wants to mail.
pub fn write(out: &mut impl Write, r: &Report, quiet: bool) -> io::Result<()> {
    for f in &r.findings {
        if quiet && f.status != Status::Vulnerable {
            continue;
        }
        let cves: Vec<&str> = f.cves.iter().map(|c| c.id.as_str()).collect();
        let cves = if cves.is_empty() { "-".to_string() } else { cves.join(",") };
        writeln!(out, "{:<10}  {} {}  {}  {}", label(f.status), f.component.as_str(), clean(&f.version), cves, clean(&f.path))?;
    }
    if !quiet {
        for e in &r.errors {
            writeln!(out, "error       {}: {}", clean(&e.path), clean(&e.error))?;
        }
    }
    let count = |s: Status| r.findings.iter().filter(|f| f.status == s).count();
    let s = &r.scanned;
    writeln!(
        out,
        "scanned {} file(s), {} archive(s), {} entries, {} bytes: {} vulnerable, {} mitigated, {} fixed, {} unknown, {} error(s)",
        s.files,
        s.archives,
        s.entries,
        s.bytes,
        count(Status::Vulnerable),
        count(Status::Mitigated),
        count(Status::Fixed),
        count(Status::Unknown),
        r.errors.len()
    )
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn control_characters_are_escaped() {
        // CR + "erase line" must not reach the terminal raw.
        assert_eq!(clean("a.war!/x\r\x1b[2KFIXED"), "a.war!/x\\u{d}\\u{1b}[2KFIXED");
        assert_eq!(clean("two\nlines"), "two\\u{a}lines");
        assert_eq!(clean("evil\u{202e}rac.jar"), "evil\\u{202e}rac.jar");
        assert_eq!(clean("plain/äö.jar"), "plain/äö.jar");
    }
}
