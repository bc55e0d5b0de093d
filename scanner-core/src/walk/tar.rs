//! TAR levels and gzip, which is transparent: `x.tar.gz!/member` is one
//! level, like `x.tar!/member`.
//!
//! A plain tar in a seekable source is listed first and its members read in
//! place (nested archives as windows). Inside gzip there is only a stream,
//! so members are met in order and a nested ZIP (which needs random access)
//! is buffered, within `max_entry_bytes`.
use std::cell::Cell;
use std::rc::Rc;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::string::String;
use std::vec::Vec;

use flate2::bufread::GzDecoder;

use super::source::{head, MemSrc, Src, SrcReader, Window};
use super::{action_for, sniff_head, Action, Container, Walker, HEAD_LEN};
use crate::detect;
use crate::report::ErrorKind;

struct Member {
    name: String,
    offset: u64,
    size: u64,
}

/// Inflated output (gzip, or a large nested entry read as a stream),
/// charged to the scan's limits as it is read. A tripped limit surfaces as
/// an I/O error inside whatever reads the stream (the tar reader), so the
/// real reason is kept in `tripped`, and in the error itself ([`Limit`]).
pub(super) struct Budgeted<'c, R> {
    pub(super) inner: R,
    /// Bytes this stream inflated (for its ratio).
    pub(super) out: u64,
    /// The scan's inflated-bytes counter (`Walker::inflated`), charged as
    /// bytes come out: levels walked inside this stream charge the same
    /// counter meanwhile, so nesting cannot multiply the budget.
    pub(super) spent: Rc<Cell<u64>>,
    pub(super) max_scan: u64,
    pub(super) max_ratio: u64,
    /// Compressed bytes read so far, for the ratio.
    pub(super) consumed: fn(&R) -> u64,
    pub(super) tripped: &'c Cell<Option<ErrorKind>>,
    /// Where to publish `consumed` for progress (top-level gzip only).
    pub(super) pos: Option<Rc<Cell<u64>>>,
}

/// A limit hit while reading a stream, carried inside the `io::Error` so
/// that it keeps its kind through readers that wrap errors (tar-rs).
#[derive(Debug)]
pub(super) struct Limit {
    pub(super) kind: ErrorKind,
    pub(super) what: &'static str,
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.what)
    }
}

impl std::error::Error for Limit {}

impl Limit {
    pub(super) fn error(kind: ErrorKind, what: &'static str) -> io::Error {
        io::Error::other(Limit { kind, what })
    }
}

/// The kind of the [`Limit`] behind `e`, through any wrapping.
pub(super) fn limit_kind(e: &io::Error) -> Option<ErrorKind> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = e.get_ref().map(|x| x as _);
    while let Some(err) = cur {
        if let Some(l) = err.downcast_ref::<Limit>() {
            return Some(l.kind);
        }
        if let Some(io) = err.downcast_ref::<io::Error>() {
            if let Some(inner) = io.get_ref() {
                cur = Some(inner as _);
                continue;
            }
        }
        cur = err.source();
    }
    None
}

impl<R: Read> Read for Budgeted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.out += n as u64;
        let total = self.spent.get().saturating_add(n as u64);
        self.spent.set(total);
        let consumed = (self.consumed)(&self.inner).max(1);
        if let Some(pos) = &self.pos {
            pos.set(consumed);
        }
        let kind = if total > self.max_scan {
            Some((ErrorKind::SizeLimit, "more bytes inflated in this scan than max_scan_bytes"))
        } else if self.out > (1 << 20) && self.out / consumed > self.max_ratio {
            Some((ErrorKind::Bomb, "compression ratio over max_ratio"))
        } else {
            None
        };
        if let Some((kind, what)) = kind {
            self.tripped.set(Some(kind));
            return Err(Limit::error(kind, what));
        }
        Ok(n)
    }
}

impl Walker<'_> {
    /// `inner`'s output charged to this scan's budget and ratio limit.
    pub(super) fn budgeted<'c, R>(&self, inner: R, consumed: fn(&R) -> u64, tripped: &'c Cell<Option<ErrorKind>>) -> Budgeted<'c, R> {
        Budgeted {
            inner,
            out: 0,
            spent: self.inflated.clone(),
            max_scan: self.limits.max_scan_bytes,
            max_ratio: self.limits.max_ratio,
            consumed,
            tripped,
            pos: None,
        }
    }
}

/// Counts what is read through it.
struct Counted<R> {
    inner: R,
    n: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n += n as u64;
        Ok(n)
    }
}

/// The members of a gzip file one after the other, like `MultiGzDecoder`,
/// except that what follows the last member ends the stream instead of
/// failing it: `gzip -d`/`gzip -t` accept zero padding (tape blocks, `dd`
/// images) and only warn about other trailing bytes, and failing there
/// lost the whole archive before it. A next member starts only where its
/// magic `1f 8b` does.
struct GzMembers<'r> {
    dec: Option<GzDecoder<BufReader<Counted<&'r mut dyn Read>>>>,
    /// Compressed bytes read, once the last member is done.
    end: u64,
}

impl<'r> GzMembers<'r> {
    fn new(inner: &'r mut dyn Read) -> Self {
        GzMembers { dec: Some(GzDecoder::new(BufReader::new(Counted { inner, n: 0 }))), end: 0 }
    }

    fn consumed(&self) -> u64 {
        self.dec.as_ref().map_or(self.end, |d| d.get_ref().get_ref().n)
    }
}

impl Read for GzMembers<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(dec) = self.dec.as_mut() else { return Ok(0) };
            let n = dec.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            // This member is complete, its CRC and length checked.
            let Some(dec) = self.dec.take() else { return Ok(0) };
            let mut r = dec.into_inner();
            let next = r.fill_buf()?;
            let more = match next {
                [0x1f, 0x8b, ..] | [0x1f] => true,
                // Padding or junk after the last member: the data is whole.
                _ => false,
            };
            if more {
                self.dec = Some(GzDecoder::new(r));
            } else {
                self.end = r.get_ref().n;
                return Ok(0);
            }
        }
    }
}

/// Bytes of tar header records (GNU long name and link, PAX, sparse maps)
/// read before one member. tar-rs reads a long name or PAX record whole
/// into memory, whatever size its header declares (a 3 MB .tar.gz took
/// 783 MB). Real ones are a path (`PATH_MAX` 4 KiB) or a few attributes.
const MAX_META: u64 = 256 << 10;
/// Bytes of member names a tar read in place lists before reading them:
/// `max_entries` names of 512 bytes.
const MAX_LISTED_NAME_BYTES: u64 = 256 << 20;

/// The reader under tar-rs: while `count` is `Some` (the walker sets it
/// to `Some(0)` before each `Entries::next`, after draining the member
/// before, and to `None` while it reads a member's data), reading more
/// than [`MAX_META`] bytes fails.
struct MetaCap<'c, R> {
    inner: R,
    count: &'c Cell<Option<u64>>,
}

impl<R: Read> Read for MetaCap<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(count) = self.count.get() else { return self.inner.read(buf) };
        if count > MAX_META {
            return Err(Limit::error(
                ErrorKind::SizeLimit,
                "a member's header records (GNU long name or link, PAX) are over 256 KiB",
            ));
        }
        let n = self.inner.read(buf)?;
        self.count.set(Some(count + n as u64));
        Ok(n)
    }
}

impl<R: io::Seek> io::Seek for MetaCap<'_, R> {
    fn seek(&mut self, to: io::SeekFrom) -> io::Result<u64> {
        self.inner.seek(to)
    }
}

/// Read up to `limit` bytes; `None` if there are more.
fn read_bounded(r: &mut dyn Read, limit: u64) -> io::Result<Option<Vec<u8>>> {
    let mut out = Vec::new();
    r.take(limit + 1).read_to_end(&mut out)?;
    Ok(if out.len() as u64 > limit { None } else { Some(out) })
}

impl Walker<'_> {
    pub(super) fn walk_tar(&mut self, src: &mut dyn Src, path: &str, depth: u32) {
        // List first: the tar reader borrows the source, and members are
        // then read through the same source.
        let mut members = Vec::new();
        let mut listing_error = None;
        let mut listing_kind = ErrorKind::BadZip;
        let mut name_bytes = 0u64;
        {
            let len = src.len();
            let meta = Cell::new(Some(0));
            let mut archive = ::tar::Archive::new(MetaCap { inner: SrcReader::new(src, 0, len), count: &meta });
            match archive.entries_with_seek() {
                Err(e) => listing_error = Some(std::format!("tar: {e}")),
                Ok(entries) => {
                    for entry in entries {
                        match entry {
                            Ok(e) => {
                                if members.len() as u64 == self.limits.max_entries {
                                    listing_error = Some(String::from("entry-limit"));
                                    break;
                                }
                                let dir = e.header().entry_type().is_dir();
                                let mut name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
                                if dir && !name.ends_with('/') {
                                    name.push('/');
                                }
                                let regular = e.header().entry_type().is_file();
                                let size = if regular { e.size() } else { 0 };
                                // The listing holds every name until the
                                // members are read: bound their total, or
                                // a sparse tar of 256 KiB names (holes on
                                // disk) takes gigabytes.
                                name_bytes += name.len() as u64;
                                if name_bytes > MAX_LISTED_NAME_BYTES {
                                    listing_error = Some(String::from("name-limit"));
                                    break;
                                }
                                members.push(Member { name, offset: e.raw_file_position(), size });
                                // Data is skipped by seeking: what is read
                                // until the next member is its headers.
                                meta.set(Some(0));
                            }
                            Err(e) => {
                                listing_kind = limit_kind(&e).unwrap_or(ErrorKind::BadZip);
                                listing_error = Some(std::format!("tar: {e}"));
                                break;
                            }
                        }
                    }
                }
            }
        }
        if members.is_empty() && listing_error.is_some() {
            return self.error(path, listing_kind, listing_error.as_deref().unwrap_or("tar"));
        }
        self.report.scanned.archives += 1;
        self.progress.archive_opened(path);
        let lvl = self.enter_level(depth);
        match listing_error.as_deref() {
            Some("entry-limit") => self.error(
                path,
                ErrorKind::EntryLimit,
                &std::format!("more than {} entries (max_entries); the rest were not listed", self.limits.max_entries),
            ),
            Some("name-limit") => self.error(
                path,
                ErrorKind::EntryLimit,
                "member names over 256 MiB in all; the rest were not listed",
            ),
            Some(e) => self.error(path, listing_kind, &std::format!("{e}; members after it were not listed")),
            None => {}
        }
        let mut inv = detect::ArchiveInventory::new(self.file, path);
        let len = src.len();
        for m in members {
            let end = m.offset.saturating_add(m.size);
            self.entry_seen(depth == 0, end.min(len));
            inv.add_name(&m.name);
            let action = action_for(&m.name, detect::interest(&m.name));
            if action == Action::Skip || m.size == 0 {
                continue;
            }
            let entry_path = std::format!("{path}!/{}", m.name);
            if end > len {
                self.error(&entry_path, ErrorKind::CorruptEntry, "member data runs past the end of the tar");
                continue;
            }
            let mut win = Window { inner: &mut *src, start: m.offset, len: m.size };
            if action == Action::Read {
                if m.size > self.limits.max_entry_bytes {
                    self.error(&entry_path, ErrorKind::SizeLimit, "member larger than max_entry_bytes");
                    continue;
                }
                let mut data = std::vec![0u8; m.size as usize];
                match win.read_exact_at(0, &mut data) {
                    Ok(()) => inv.add_data(&m.name, &data),
                    Err(e) => self.error(&entry_path, ErrorKind::CorruptEntry, &std::format!("{e}")),
                }
                continue;
            }
            let head = match head(&mut win, HEAD_LEN) {
                Ok(h) => h,
                Err(e) => {
                    self.error(&entry_path, ErrorKind::CorruptEntry, &std::format!("{e}"));
                    continue;
                }
            };
            match self.classify(&mut win, &head) {
                Container::Class | Container::Other if action == Action::Peek => {}
                Container::Class | Container::Other => {
                    self.error(&entry_path, ErrorKind::NotAnArchive, "named like an archive, but no ZIP, TAR or gzip structure found")
                }
                c => self.open_nested(&mut win, c, &entry_path, depth + 1),
            }
        }
        self.finish(inv);
        self.leave_level(lvl, path);
    }

    /// gzip: look through it at what it holds, at the same path and depth.
    pub(super) fn walk_gzip(&mut self, src: &mut dyn Src, path: &str, depth: u32) {
        let len = src.len();
        let mut compressed = SrcReader::new(src, 0, len);
        self.gzip_stream(&mut compressed, path, depth);
    }

    /// The gzip data read from `compressed`, at `path`, `depth` deep.
    fn gzip_stream(&mut self, compressed: &mut dyn Read, path: &str, depth: u32) {
        let tripped = Cell::new(None);
        let mut gz = self.budgeted(GzMembers::new(compressed), GzMembers::consumed, &tripped);
        // Only the top level's bytes are the input's progress.
        gz.pos = (depth == 0).then(|| self.stream_pos.clone());
        let mut first = Vec::new();
        let got = (&mut gz).take(HEAD_LEN as u64).read_to_end(&mut first);
        let fail = |w: &mut Walker<'_>, e: io::Error| {
            let kind = limit_kind(&e).or(tripped.get()).unwrap_or(ErrorKind::CorruptEntry);
            w.error(path, kind, &std::format!("gzip: {e}"));
        };
        if let Err(e) = got {
            return fail(self, e);
        }
        let c = sniff_head(&first);
        let mut stream = Cursor::new(first).chain(&mut gz);
        match c {
            Container::Tar => {
                if let Err(e) = self.stream_tar(&mut stream, path, depth) {
                    fail(self, e);
                }
            }
            // A compressed log or text: nothing for us, and not worth
            // inflating to the end.
            Container::Other => {}
            Container::Zip | Container::Class => {
                // ZIP needs random access: hold it, within the entry limit,
                // or else read it as a stream, the part already read first.
                let res = super::stream::read_up_to(&mut stream, self.room());
                let res = match res {
                    Err(e) => Err(e),
                    Ok(Err(_)) if c == Container::Class => {
                        self.error(path, ErrorKind::SizeLimit, "class file larger than max_entry_bytes");
                        Ok(())
                    }
                    Ok(Err(prefix)) => {
                        let held = prefix.len() as u64;
                        self.held += held;
                        let mut s = std::io::BufReader::new(Cursor::new(prefix).chain(&mut stream));
                        let res = self.stream_zip(&mut s, path, depth);
                        self.held -= held;
                        res
                    }
                    Ok(Ok(data)) if c == Container::Class => {
                        let findings = detect::scan_class(self.file, path, &data);
                        self.report.findings.extend(findings);
                        Ok(())
                    }
                    Ok(Ok(data)) => {
                        self.walk_memory(&data, c, path, depth);
                        Ok(())
                    }
                };
                if let Err(e) = res {
                    fail(self, e);
                }
            }
            // gzip in gzip (`x.tar.gz.gz`): rare, but skipping it silently
            // hid what it holds. Read through it too, one level deeper, so
            // that `max_depth` bounds a chain of them.
            Container::Gzip => {
                if depth + 1 > self.limits.max_depth {
                    return self.error(
                        path,
                        ErrorKind::DepthLimit,
                        &std::format!("gzip nested {} levels deep; max_depth is {}", depth + 1, self.limits.max_depth),
                    );
                }
                self.gzip_stream(&mut stream, path, depth + 1);
            }
        }
    }

    /// A tar read as a stream; members met in order.
    pub(super) fn stream_tar(&mut self, stream: &mut dyn Read, path: &str, depth: u32) -> io::Result<()> {
        self.report.scanned.archives += 1;
        self.progress.archive_opened(path);
        let lvl = self.enter_level(depth);
        let mut inv = detect::ArchiveInventory::new(self.file, path);
        let meta = Cell::new(Some(0));
        let mut archive = ::tar::Archive::new(MetaCap { inner: stream, count: &meta });
        let mut result = Ok(());
        let mut entries = match archive.entries() {
            Ok(e) => e,
            Err(e) => {
                self.leave_level(lvl, path);
                // Nothing was listed yet, so there is no inventory to finish.
                return Err(e);
            }
        };
        let mut count = 0u64;
        loop {
            // Each member was read to its end below, so what tar-rs reads
            // from here to the next member is header records only.
            meta.set(Some(0));
            let next = entries.next();
            let tripped = meta.get().is_some_and(|n| n > MAX_META);
            meta.set(None);
            let mut e = match next {
                None => break,
                Some(Ok(e)) => e,
                Some(Err(err)) => {
                    // A header record over the cap is this archive's
                    // error, with its own kind; other failures are the
                    // stream's (the caller's).
                    match limit_kind(&err).filter(|_| tripped) {
                        Some(kind) => self.error(path, kind, &std::format!("tar: {err}; members after it were not listed")),
                        None => result = Err(err),
                    }
                    break;
                }
            };
            if count == self.limits.max_entries {
                self.error(
                    path,
                    ErrorKind::EntryLimit,
                    &std::format!("more than {} entries (max_entries); the rest were not listed", self.limits.max_entries),
                );
                break;
            }
            count += 1;
            let res = self.stream_tar_member(&mut e, path, depth, &mut inv).and_then(|_| io::copy(&mut e, &mut io::sink()).map(|_| ()));
            if let Err(err) = res {
                result = Err(err);
                break;
            }
        }
        self.finish(inv);
        self.leave_level(lvl, path);
        result
    }

    /// One member of a streamed tar. `Err` is the stream failing.
    fn stream_tar_member<R: Read>(&mut self, e: &mut ::tar::Entry<'_, R>, path: &str, depth: u32, inv: &mut detect::ArchiveInventory) -> io::Result<()> {
        self.entry_seen(false, 0);
        let mut name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
        if e.header().entry_type().is_dir() && !name.ends_with('/') {
            name.push('/');
        }
        inv.add_name(&name);
        if !e.header().entry_type().is_file() {
            return Ok(());
        }
        let action = action_for(&name, detect::interest(&name));
        if action == Action::Skip {
            return Ok(());
        }
        let entry_path = std::format!("{path}!/{name}");
        let limit = self.limits.max_entry_bytes;
        if action == Action::Read {
            match read_bounded(e, limit)? {
                Some(data) => inv.add_data(&name, &data),
                None => self.error(&entry_path, ErrorKind::SizeLimit, "member larger than max_entry_bytes"),
            }
            return Ok(());
        }
        let mut first = Vec::new();
        (&mut *e).take(HEAD_LEN as u64).read_to_end(&mut first)?;
        let c = sniff_head(&first);
        if action == Action::Peek && matches!(c, Container::Class | Container::Other) {
            return Ok(());
        }
        if c == Container::Class {
            self.error(&entry_path, ErrorKind::NotAnArchive, "named like an archive, but it is a class file");
            return Ok(());
        }
        if depth + 1 > self.limits.max_depth && c != Container::Other {
            self.error(
                &entry_path,
                ErrorKind::DepthLimit,
                &std::format!("archive nested {} levels deep; max_depth is {}", depth + 1, self.limits.max_depth),
            );
            return Ok(());
        }
        if e.size() > self.room() {
            if c != Container::Zip {
                self.error(&entry_path, ErrorKind::SizeLimit, "nested archive larger than max_entry_bytes allows");
                return Ok(());
            }
            // Too big to hold: read it as it streams past.
            let mut s = Cursor::new(first).chain(&mut *e);
            if let Err(f) = self.stream_nested_zip(&mut s, &entry_path, depth + 1) {
                self.fail(&entry_path, f);
            }
            return Ok(());
        }
        let mut data = first;
        e.read_to_end(&mut data)?;
        if c == Container::Other && !super::zip::has_end_record(&mut MemSrc(&data)) {
            self.error(&entry_path, ErrorKind::NotAnArchive, "named like an archive, but no ZIP, TAR or gzip structure found");
            return Ok(());
        }
        self.walk_memory(&data, c, &entry_path, depth + 1);
        Ok(())
    }
}
