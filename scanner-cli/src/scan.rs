//! `log4j-scan [--format text|json|sarif] [--quiet] [--follow-symlinks] [--stats] PATH...`
//!
//! Scans files and directories (recursively) through the archive walker and
//! prints one report for the whole run. Exit status: 0 nothing vulnerable,
//! 1 something vulnerable, 2 usage error or nothing could be read.
use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use scanner_core::walk::{scan_reader, Limits};
use scanner_core::{ErrorKind, Report, ScanError, Status};

mod sarif;
mod text;

const USAGE: &str = "usage: log4j-scan [--format text|json|sarif] [--quiet] [--follow-symlinks] [--stats] PATH...
  Scan files and folders for Log4j builds (JAR/WAR/EAR/ZIP/TAR/GZ, nested; bare .class files).
  --format F         text (default), json (the report) or sarif (SARIF 2.1.0)
  --quiet            only vulnerable findings and the summary (text)
  --follow-symlinks  follow symbolic links inside folders (loops are detected)
  --stats            print time, throughput and peak memory to stderr
exit status: 0 nothing vulnerable, 1 something vulnerable, 2 usage error or nothing readable";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    Sarif,
}

#[derive(Debug)]
struct Options {
    format: Format,
    quiet: bool,
    follow: bool,
    stats: bool,
    paths: Vec<String>,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options { format: Format::Text, quiet: false, follow: false, stats: false, paths: Vec::new() };
    let mut it = args.iter();
    let mut only_paths = false;
    while let Some(a) = it.next() {
        if only_paths || !a.starts_with('-') || a == "-" {
            o.paths.push(a.clone());
            continue;
        }
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (a.as_str(), None),
        };
        match flag {
            "--" => only_paths = true,
            "--format" | "-f" => {
                let v = match inline {
                    Some(v) => v,
                    None => it.next().ok_or("--format needs a value")?.clone(),
                };
                o.format = match v.as_str() {
                    "text" => Format::Text,
                    "json" => Format::Json,
                    "sarif" => Format::Sarif,
                    _ => return Err(format!("unknown format {v:?} (text, json or sarif)")),
                };
            }
            "--quiet" | "-q" => o.quiet = true,
            "--follow-symlinks" | "-L" => o.follow = true,
            "--stats" => o.stats = true,
            _ => return Err(format!("unknown option {a}")),
        }
    }
    if o.paths.is_empty() {
        return Err("no PATH given".into());
    }
    Ok(o)
}

/// Run the archive scan; returns the process exit status.
pub fn main(args: &[String]) -> u8 {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return 0;
    }
    let opts = match parse(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("log4j-scan: {e}\n{USAGE}");
            return 2;
        }
    };
    let started = Instant::now();
    let mut total = Report::default();
    let mut files = Vec::new();
    let mut seen_dirs = HashSet::new();
    let mut specials = (0u64, String::new());
    for p in &opts.paths {
        collect(Path::new(p), true, opts.follow, &mut seen_dirs, &mut files, &mut total.errors, &mut specials);
    }
    if specials.0 > 0 {
        // Skipped on purpose, but said: a scan that silently read less
        // than it was given looks like a clean result.
        total.errors.push(ScanError {
            path: specials.1,
            kind: ErrorKind::Io,
            error: format!("io: {} special file(s) (FIFO, socket or device) inside the folders were not read; this is the first", specials.0),
        });
    }
    let limits = Limits::default();
    let mut opened = 0u64;
    for path in &files {
        let name = path.to_string_lossy();
        match File::open(path).and_then(|f| f.metadata().map(|m| (f, m))) {
            // Replaced by something else since it was listed.
            Ok((_, m)) if !m.is_file() => total.errors.push(not_regular(&name)),
            Ok((f, m)) => {
                let len = m.len();
                opened += 1;
                let r = scan_reader(&name, f, len, &limits, &mut ());
                merge(&mut total, r);
            }
            Err(e) => total.errors.push(io_error(&name, &e)),
        }
    }

    let out = io::stdout();
    let mut out = BufWriter::new(out.lock());
    let written = match opts.format {
        Format::Json => serde_json::to_writer_pretty(&mut out, &total).map_err(io::Error::from).and_then(|_| writeln!(out)),
        Format::Sarif => sarif::write(&mut out, &total),
        Format::Text => text::write(&mut out, &total, opts.quiet),
    };
    if let Err(e) = written.and_then(|_| out.flush()) {
        // A closed pipe (`| head`) is not worth a panic.
        if e.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("log4j-scan: writing output: {e}");
        }
    }
    if opts.stats {
        print_stats(&total, started);
    }
    if opened == 0 && !total.errors.is_empty() {
        2
    } else if total.findings.iter().any(|f| f.status == Status::Vulnerable) {
        1
    } else {
        0
    }
}

/// A path named on the command line that is a FIFO, socket or device:
/// reading one can block forever (a FIFO) or never end (`/dev/zero`).
fn not_regular(path: &str) -> ScanError {
    ScanError { path: path.into(), kind: ErrorKind::Io, error: "io: not a regular file or folder (FIFO, socket or device); not read".into() }
}

fn io_error(path: &str, e: &io::Error) -> ScanError {
    ScanError { path: path.into(), kind: ErrorKind::Io, error: format!("io: {e}") }
}

fn merge(total: &mut Report, r: Report) {
    let (t, s) = (&mut total.scanned, r.scanned);
    t.files += s.files;
    t.archives += s.archives;
    t.entries += s.entries;
    t.bytes += s.bytes;
    total.findings.extend(r.findings);
    total.errors.extend(r.errors);
}

/// Regular files under `path`, in name order. Paths named on the command
/// line are followed even when they are links; inside folders links are
/// followed only with `--follow-symlinks`, and a folder already visited
/// (by device and inode) is not entered again, so link loops end.
/// FIFOs, sockets and devices are never opened: reading one can block.
/// Named on the command line, one is an error; inside folders they are
/// counted in `specials` (with the first one's path).
fn collect(
    path: &Path,
    top: bool,
    follow: bool,
    seen: &mut HashSet<(u64, u64)>,
    out: &mut Vec<PathBuf>,
    errors: &mut Vec<ScanError>,
    specials: &mut (u64, String),
) {
    let name = path.to_string_lossy();
    let meta = match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() && !(top || follow) => return,
        Ok(m) if m.file_type().is_symlink() => match fs::metadata(path) {
            Ok(m) => m,
            Err(e) => return errors.push(io_error(&name, &e)),
        },
        Ok(m) => m,
        Err(e) => return errors.push(io_error(&name, &e)),
    };
    if meta.is_file() {
        out.push(path.to_path_buf());
        return;
    }
    if !meta.is_dir() {
        if top {
            errors.push(not_regular(&name));
        } else {
            specials.0 += 1;
            if specials.0 == 1 {
                specials.1 = name.into_owned();
            }
        }
        return;
    }
    if !seen.insert(dir_id(path, &meta)) {
        return;
    }
    let mut children: Vec<PathBuf> = match fs::read_dir(path) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => return errors.push(io_error(&name, &e)),
    };
    children.sort();
    for child in children {
        collect(&child, false, follow, seen, out, errors, specials);
    }
}

#[cfg(unix)]
fn dir_id(_: &Path, meta: &fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn dir_id(path: &Path, _: &fs::Metadata) -> (u64, u64) {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()).hash(&mut h);
    (0, h.finish())
}

/// Peak resident memory from `/proc/self/status` (Linux); `None` elsewhere.
fn peak_rss_kib() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn print_stats(r: &Report, started: Instant) {
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    let mb = r.scanned.bytes as f64 / 1e6;
    let peak = peak_rss_kib().map(|k| format!("{:.1} MiB", k as f64 / 1024.0)).unwrap_or_else(|| "n/a".into());
    eprintln!(
        "stats: {:.3} s, {} files, {:.1} MB, {:.1} MB/s, {} entries, {:.0} entries/s, {} archives, peak RSS {peak}",
        secs,
        r.scanned.files,
        mb,
        mb / secs,
        r.scanned.entries,
        r.scanned.entries as f64 / secs,
        r.scanned.archives,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options() {
        let o = parse(&args(&["--format=json", "-q", "a", "--", "--b"])).unwrap();
        assert_eq!((o.format, o.quiet, o.paths.clone()), (Format::Json, true, args(&["a", "--b"])));
        assert!(parse(&args(&["--format", "xml", "a"])).is_err());
        assert!(parse(&args(&["--bogus", "a"])).is_err());
        assert!(parse(&args(&["--quiet"])).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_reported() {
        // /dev/null is a character device: named, it is an error (and not
        // opened); inside a folder (/dev) devices are only counted.
        let (mut seen, mut files, mut errors, mut specials) = (HashSet::new(), Vec::new(), Vec::new(), (0, String::new()));
        collect(Path::new("/dev/null"), true, false, &mut seen, &mut files, &mut errors, &mut specials);
        assert_eq!((files.len(), errors.len(), specials.0), (0, 1, 0));
        assert_eq!(errors[0].kind, ErrorKind::Io);
        assert!(errors[0].error.contains("not a regular file"));
        errors.clear();
        collect(Path::new("/dev"), true, false, &mut seen, &mut files, &mut errors, &mut specials);
        assert!(specials.0 > 0, "/dev holds devices");
    }
}
