//! Human-readable output: one line per finding, the errors, a summary.
use std::io::{self, Write};

use scanner_core::{Report, Status};

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
        writeln!(out, "{:<10}  {} {}  {}  {}", label(f.status), f.component.as_str(), f.version, cves, f.path)?;
    }
    if !quiet {
        for e in &r.errors {
            writeln!(out, "error       {}: {}", e.path, e.error)?;
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
