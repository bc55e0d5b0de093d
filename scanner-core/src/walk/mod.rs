//! (std) The archive walker: ZIP family, TAR, GZ, nested to any depth within
//! explicit limits. It feeds `crate::detect` and builds the `Report`.
//!
//! Entry points:
//! - [`scan_reader`]: any `Read + Seek` of known length (a file natively, a
//!   `FileReaderSync`-backed reader in the browser). The input is read by
//!   random access only; nothing holds the whole input in memory.
//! - [`scan_bytes`]: the same over a slice.
//!
//! Containers are recognised by content, never by extension: ZIP by its
//! end-of-central-directory record (so prefixed and appended data are fine),
//! TAR by `ustar` at offset 257, gzip by `1f 8b` (transparent: the members of
//! `x.tar.gz` sit one level below `x.tar.gz`), a class file by `CAFEBABE`.
//!
//! Per archive level: every entry name goes to the detector's inventory, only
//! entries the detector asks for are inflated, and nested archives are
//! opened when their bytes confirm it. A nested STORED archive is read in
//! place as a window of its parent; a nested DEFLATED one is inflated into
//! memory up to [`Limits::max_entry_bytes`].
//!
//! Every limit hit, and every damaged entry, becomes a [`ScanError`](crate::report::ScanError) for that
//! entry; the scan of everything else goes on.
use std::cell::Cell;
use std::io::{Read, Seek};
use std::rc::Rc;
use std::string::String;

use crate::detect;
use crate::report::{ErrorKind, Report};

mod errcap;
mod readahead;
mod source;
mod stream;
mod tar;
mod zip;

use source::{MemSrc, ReaderSrc, Src};

/// The bounds a scan stays within. Hitting one is a per-entry error, never a
/// crash, and the rest of the input is still scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Archive levels below the top-level input that are opened
    /// (`a.war!/b.jar` is depth 1). Default 8: real deployments go
    /// EAR → WAR → JAR → shaded JAR, about 4; more is a trick.
    /// Deeper archives give `depth-limit`.
    pub max_depth: u32,
    /// Bytes inflated for one entry, either a watched file or a nested
    /// DEFLATED archive held in memory. Default 32 MiB: the largest real
    /// log4j-core jar is under 2 MB. Nested archives held in memory by all
    /// the levels being walked together stay under twice this, so it also
    /// bounds the walker's memory. Larger gives `size-limit`.
    pub max_entry_bytes: u64,
    /// Bytes inflated over the whole scan, nested levels included.
    /// Default 2 GiB. Past it every further inflation gives `size-limit`.
    pub max_scan_bytes: u64,
    /// Entries listed per archive level. Default 500,000 (big fat jars have
    /// tens of thousands). Past it the rest of that archive is skipped with
    /// `entry-limit`.
    pub max_entries: u64,
    /// Inflated bytes per compressed byte, checked while inflating once the
    /// output passes 1 MiB. Default 200: class files deflate about 2–5:1 and
    /// text about 10:1; zeros reach ~1030:1. Past it: `bomb`.
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 8,
            max_entry_bytes: 32 << 20,
            max_scan_bytes: 2 << 30,
            max_entries: 500_000,
            max_ratio: 200,
        }
    }
}

/// Observer of a running scan (progress bar, tests). All methods default to
/// doing nothing.
pub trait Progress {
    /// Called every few hundred entries and at the end: `bytes` of the
    /// top-level input done (monotonic, ends at its length), `entries`
    /// listed so far over all levels.
    fn progress(&mut self, bytes: u64, entries: u64) {
        let _ = (bytes, entries);
    }
    /// An archive level was opened; `path` is its full nested path.
    fn archive_opened(&mut self, path: &str) {
        let _ = path;
    }
}

/// No observer.
impl Progress for () {}

/// A closure `(bytes, entries)` as a progress callback.
pub struct ProgressFn<F: FnMut(u64, u64)>(pub F);

impl<F: FnMut(u64, u64)> Progress for ProgressFn<F> {
    fn progress(&mut self, bytes: u64, entries: u64) {
        (self.0)(bytes, entries)
    }
}

/// Scan one top-level input read through `reader` (`len` bytes long).
/// `file` is the name as given; it is the top-level path of every finding
/// and error.
pub fn scan_reader<R: Read + Seek>(file: &str, reader: R, len: u64, limits: &Limits, progress: &mut impl Progress) -> Report {
    let mut src = ReaderSrc::new(reader, len);
    scan_src(file, &mut src, limits, progress)
}

/// Random-access input of known length, for [`scan_source`]: the way to
/// scan through a reader for which every read is costly (the browser's
/// `FileReaderSync`, a remote object), because the walker also says what it
/// will read next.
pub trait Source {
    /// Length in bytes.
    fn len(&self) -> u64;
    /// Read up to `buf.len()` bytes at `off` (`off < len`); fewer only at
    /// the end or where convenient (the walker asks again for the rest).
    fn read_at(&mut self, off: u64, buf: &mut [u8]) -> std::io::Result<usize>;
    /// `(start, end)` ranges the walker expects to read soon, in order:
    /// the local headers and the last few KiB of nested STORED archives,
    /// and small entries it will inflate. Each is non-empty and inside the
    /// input; they may overlap or be wrong (a decoy end record in a
    /// comment can have one directory hinted for nothing, once per
    /// archive). Fetching them is optional. The default ignores them.
    fn prefetch(&mut self, ranges: &[(u64, u64)]) {
        let _ = ranges;
    }
}

/// Scan one top-level input read through a [`Source`]; as [`scan_reader`].
pub fn scan_source(file: &str, src: &mut dyn Source, limits: &Limits, progress: &mut impl Progress) -> Report {
    scan_src(file, &mut source::PubSrc(src), limits, progress)
}

/// Scan an input held in memory.
pub fn scan_bytes(file: &str, bytes: &[u8], limits: &Limits) -> Report {
    scan_src(file, &mut MemSrc(bytes), limits, &mut ())
}

fn scan_src(file: &str, src: &mut dyn Src, limits: &Limits, progress: &mut dyn Progress) -> Report {
    let mut w = Walker { file, limits, report: Report::default(), inflated: Rc::default(), top_done: 0, held: 0, stream_pos: Rc::default(), errs: Default::default(), progress };
    w.report.scanned.files = 1;
    w.report.scanned.bytes = src.len();
    w.scan_top(src);
    let (bytes, entries) = (src.len(), w.report.scanned.entries);
    w.progress.progress(bytes, entries);
    w.report
}

/// What the first bytes (and, for ZIP, the tail) say a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Zip,
    Tar,
    Gzip,
    Class,
    Other,
}

const HEAD_LEN: usize = 512;

fn sniff_head(head: &[u8]) -> Container {
    if head.starts_with(&[0xCA, 0xFE, 0xBA, 0xBE]) {
        Container::Class
    } else if head.starts_with(&[0x1f, 0x8b]) {
        Container::Gzip
    } else if head.len() >= 262 && &head[257..262] == b"ustar" {
        Container::Tar
    } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Container::Zip
    } else {
        Container::Other
    }
}

/// Names that are archives in the Java world. The detector has the final say
/// through [`detect::interest`]; this keeps nested archives found even for
/// names it does not know.
const ARCHIVE_EXTS: &[&str] = &[
    ".jar", ".war", ".ear", ".zip", ".rar", ".sar", ".par", ".aar", ".hpi", ".jpi", ".lex", ".kar", ".jmod", ".tar", ".tgz",
    ".gz", ".apk", ".nar",
];

fn has_archive_ext(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ARCHIVE_EXTS.iter().any(|e| lower.ends_with(e))
}

fn base_name(name: &str) -> &str {
    match name.bytes().rposition(|b| b == b'/') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

use crate::detect::is_apple_double;

/// What the walker does with one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Skip,
    /// Hand the bytes to the inventory.
    Read,
    /// Named like an archive: open it, or report `not-an-archive`.
    Archive,
    /// No extension (`executable` jars, renamed files): open it only if its
    /// first bytes say archive, silently otherwise.
    Peek,
}

fn action_for(name: &str, interest: detect::Interest) -> Action {
    if name.ends_with('/') || is_apple_double(name) {
        // Directories can carry data (selenium-api); it is never ours.
        return Action::Skip;
    }
    let base = base_name(name);
    if base.ends_with(".class") {
        return if interest == detect::Interest::Read { Action::Read } else { Action::Skip };
    }
    match interest {
        detect::Interest::Read => Action::Read,
        detect::Interest::MaybeArchive => Action::Archive,
        detect::Interest::Ignore if has_archive_ext(base) => Action::Archive,
        // Only extension-less names are peeked: every peek costs a read
        // (a `FileReaderSync` slice in the browser), and files with
        // extensions are what they say often enough.
        detect::Interest::Ignore if !base.contains('.') && !name.starts_with("META-INF/") => Action::Peek,
        detect::Interest::Ignore => Action::Skip,
    }
}

struct Walker<'a> {
    file: &'a str,
    limits: &'a Limits,
    report: Report,
    /// Bytes inflated so far over the whole scan. Shared with the
    /// decoders of streams being read (`tar::Budgeted`), so bytes inflated
    /// by an outer stream count while the levels inside it are walked.
    inflated: Rc<Cell<u64>>,
    /// Error count of the archive level being walked (`errcap`).
    errs: errcap::ErrCap,
    /// Progress through the top-level input.
    top_done: u64,
    /// Bytes of nested archives held in memory by the levels being walked.
    held: u64,
    /// Compressed bytes of a top-level gzip read so far: its members come
    /// as a stream, so this is the only measure of progress through it.
    stream_pos: Rc<Cell<u64>>,
    progress: &'a mut dyn Progress,
}

/// A per-entry failure, before it gets its path.
#[derive(Debug)]
struct Fail {
    kind: ErrorKind,
    msg: String,
}

impl Fail {
    fn new(kind: ErrorKind, msg: impl Into<String>) -> Self {
        Fail { kind, msg: msg.into() }
    }
}

impl Walker<'_> {
    fn error(&mut self, path: &str, kind: ErrorKind, msg: &str) {
        // Bounded in number and length per level: see `errcap`.
        self.push_error(path, kind, msg);
    }

    fn fail(&mut self, path: &str, f: Fail) {
        self.error(path, f.kind, &f.msg);
    }

    fn entry_seen(&mut self, top_level: bool, upto: u64) {
        self.report.scanned.entries += 1;
        let upto = if top_level { upto } else { 0 }.max(self.stream_pos.get()).min(self.report.scanned.bytes);
        if upto > self.top_done {
            self.top_done = upto;
        }
        if self.report.scanned.entries % 256 == 0 {
            let (b, e) = (self.top_done, self.report.scanned.entries);
            self.progress.progress(b, e);
        }
    }

    /// Charge `n` inflated bytes to the scan budget.
    fn charge(&mut self, n: u64) -> Result<(), Fail> {
        let total = self.inflated.get().saturating_add(n);
        self.inflated.set(total);
        if total > self.limits.max_scan_bytes {
            return Err(Fail::new(
                ErrorKind::SizeLimit,
                std::format!("more than {} bytes inflated in this scan (max_scan_bytes)", self.limits.max_scan_bytes),
            ));
        }
        Ok(())
    }

    fn scan_top(&mut self, src: &mut dyn Src) {
        // Classifying reads the head, then (for a ZIP) the end record in
        // the last few KiB: one round trip for a reader that can batch.
        let len = src.len();
        src.prefetch(&[(0, HEAD_LEN as u64), (len.saturating_sub(zip::SHORT_TAIL as u64), len)]);
        let head = match source::head(src, HEAD_LEN) {
            Ok(h) => h,
            Err(e) => return self.error(self.file, ErrorKind::Io, &std::format!("cannot read: {e}")),
        };
        let file = self.file;
        match self.classify(src, &head) {
            Container::Zip => self.walk_zip(src, file, 0),
            Container::Tar => self.walk_tar(src, file, 0),
            Container::Gzip => self.walk_gzip(src, file, 0),
            Container::Class => self.class_file(src, file),
            Container::Other => {
                let base = base_name(file);
                if has_archive_ext(base) {
                    self.error(file, ErrorKind::NotAnArchive, "no ZIP, TAR or gzip structure found");
                } else if base.to_ascii_lowercase().ends_with(".class") {
                    self.error(file, ErrorKind::BadClass, "named like a class file, but no CAFEBABE magic");
                }
            }
        }
    }

    /// Sniff the head, then look for a ZIP end record in the tail: ZIPs
    /// with a prefix (executable jars) start with anything.
    fn classify(&mut self, src: &mut dyn Src, head: &[u8]) -> Container {
        match sniff_head(head) {
            Container::Other if zip::has_end_record(src) => Container::Zip,
            c => c,
        }
    }

    fn class_file(&mut self, src: &mut dyn Src, path: &str) {
        let len = src.len();
        if len > self.limits.max_entry_bytes {
            return self.error(path, ErrorKind::SizeLimit, "class file larger than max_entry_bytes");
        }
        let mut buf = std::vec![0u8; len as usize];
        if let Err(e) = src.read_exact_at(0, &mut buf) {
            return self.error(path, ErrorKind::Io, &std::format!("cannot read: {e}"));
        }
        let findings = detect::scan_class(self.file, path, &buf);
        self.report.findings.extend(findings);
    }

    /// Open the archive `src` (already known to be one) found at `path`, at
    /// nesting `depth`; `container` from sniffing.
    fn open_nested(&mut self, src: &mut dyn Src, container: Container, path: &str, depth: u32) {
        if depth > self.limits.max_depth {
            return self.error(
                path,
                ErrorKind::DepthLimit,
                &std::format!("archive nested {depth} levels deep; max_depth is {}", self.limits.max_depth),
            );
        }
        match container {
            Container::Zip => self.walk_zip(src, path, depth),
            Container::Tar => self.walk_tar(src, path, depth),
            Container::Gzip => self.walk_gzip(src, path, depth),
            Container::Class | Container::Other => {}
        }
    }

    /// An archive level's inventory, finished into findings.
    fn finish(&mut self, inv: detect::ArchiveInventory) {
        // A per-level inventory bound makes this level's findings possibly
        // incomplete; say so as an error of the archive, or a level that
        // lost everything to junk entries would look clean.
        if let Some(note) = inv.truncated() {
            let path = std::string::String::from(inv.path());
            self.error(&path, ErrorKind::EntryLimit, &note);
        }
        let findings = inv.finish();
        self.report.findings.extend(findings);
    }

    /// The bytes of an in-memory nested archive, opened at the same path.
    fn walk_memory(&mut self, data: &[u8], container: Container, path: &str, depth: u32) {
        let mut mem = MemSrc(data);
        let container = match container {
            Container::Other if zip::has_end_record(&mut mem) => Container::Zip,
            c => c,
        };
        self.held += data.len() as u64;
        self.open_nested(&mut mem, container, path, depth);
        self.held -= data.len() as u64;
    }

    /// Bytes a nested archive may still take in memory: one level's
    /// `max_entry_bytes`, and all the levels held at once twice that.
    fn room(&self) -> u64 {
        self.limits.max_entry_bytes.min((2 * self.limits.max_entry_bytes).saturating_sub(self.held))
    }
}

/// Names of the entries of a ZIP archive held in memory, in central
/// directory order. Used by the toolchain smoke test across runtimes.
pub fn zip_entry_names(bytes: &[u8]) -> Result<std::vec::Vec<std::string::String>, std::string::String> {
    let archive = ::zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| std::format!("{e}"))?;
    (0..archive.len())
        .map(|i| match archive.name_for_index(i) {
            Some(Ok(name)) => Ok(name.into_owned()),
            Some(Err(e)) => Err(std::format!("{e}")),
            None => Err(std::format!("entry {i} missing")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_and_resource_forks_are_never_archives() {
        assert_eq!(action_for("a/b/C.class", detect::Interest::MaybeArchive), Action::Skip);
        assert_eq!(action_for("__MACOSX/._x.jar", detect::Interest::MaybeArchive), Action::Skip);
        assert_eq!(action_for("lib/._x.jar", detect::Interest::Ignore), Action::Skip);
        assert_eq!(action_for("WEB-INF/lib/x.JAR", detect::Interest::Ignore), Action::Archive);
        assert_eq!(action_for("bin/launcher", detect::Interest::Ignore), Action::Peek);
        assert_eq!(action_for("META-INF/LICENSE", detect::Interest::Ignore), Action::Skip);
        assert_eq!(action_for("README.txt", detect::Interest::Ignore), Action::Skip);
        assert_eq!(action_for("dir/", detect::Interest::Ignore), Action::Skip);
    }

    #[test]
    fn sniffing_by_magic() {
        assert_eq!(sniff_head(b"PK\x03\x04rest"), Container::Zip);
        assert_eq!(sniff_head(&[0x1f, 0x8b, 8, 0]), Container::Gzip);
        assert_eq!(sniff_head(&[0xCA, 0xFE, 0xBA, 0xBE, 0, 0]), Container::Class);
        let mut tar = std::vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(sniff_head(&tar), Container::Tar);
        assert_eq!(sniff_head(b"Ha! I tricked you!"), Container::Other);
    }
}
