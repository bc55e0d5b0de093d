//! TAR levels and gzip, which is transparent: `x.tar.gz!/member` is one
//! level, like `x.tar!/member`.
//!
//! A plain tar in a seekable source is listed first and its members read in
//! place (nested archives as windows). Inside gzip there is only a stream,
//! so members are met in order and a nested ZIP (which needs random access)
//! is buffered, within `max_entry_bytes`.
use std::cell::Cell;
use std::rc::Rc;
use std::io::{self, Cursor, Read};
use std::string::String;
use std::vec::Vec;

use flate2::read::MultiGzDecoder;

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
/// real reason is kept in `tripped`.
pub(super) struct Budgeted<'c, R> {
    pub(super) inner: R,
    pub(super) out: u64,
    pub(super) allowed: u64,
    pub(super) max_ratio: u64,
    /// Compressed bytes read so far, for the ratio.
    pub(super) consumed: fn(&R) -> u64,
    pub(super) tripped: &'c Cell<Option<ErrorKind>>,
    /// Where to publish `consumed` for progress (top-level gzip only).
    pub(super) pos: Option<Rc<Cell<u64>>>,
}

impl<R: Read> Read for Budgeted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.out += n as u64;
        let consumed = (self.consumed)(&self.inner).max(1);
        if let Some(pos) = &self.pos {
            pos.set(consumed);
        }
        let kind = if self.out > self.allowed {
            Some(ErrorKind::SizeLimit)
        } else if self.out > (1 << 20) && self.out / consumed > self.max_ratio {
            Some(ErrorKind::Bomb)
        } else {
            None
        };
        if let Some(kind) = kind {
            self.tripped.set(Some(kind));
            return Err(io::Error::other(kind.as_str()));
        }
        Ok(n)
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
        {
            let len = src.len();
            let mut archive = ::tar::Archive::new(SrcReader::new(src, 0, len));
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
                                members.push(Member { name, offset: e.raw_file_position(), size });
                            }
                            Err(e) => {
                                listing_error = Some(std::format!("tar: {e}"));
                                break;
                            }
                        }
                    }
                }
            }
        }
        if members.is_empty() && listing_error.is_some() {
            return self.error(path, ErrorKind::BadZip, listing_error.as_deref().unwrap_or("tar"));
        }
        self.report.scanned.archives += 1;
        self.progress.archive_opened(path);
        match listing_error.as_deref() {
            Some("entry-limit") => self.error(
                path,
                ErrorKind::EntryLimit,
                &std::format!("more than {} entries (max_entries); the rest were not listed", self.limits.max_entries),
            ),
            Some(e) => self.error(path, ErrorKind::BadZip, &std::format!("{e}; members after it were not listed")),
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
    }

    /// gzip: look through it at what it holds, at the same path and depth.
    pub(super) fn walk_gzip(&mut self, src: &mut dyn Src, path: &str, depth: u32) {
        let tripped = Cell::new(None);
        let len = src.len();
        let allowed = self.limits.max_scan_bytes.saturating_sub(self.inflated);
        let mut gz = Budgeted {
            inner: MultiGzDecoder::new(SrcReader::new(src, 0, len)),
            out: 0,
            allowed,
            max_ratio: self.limits.max_ratio,
            consumed: |d: &MultiGzDecoder<SrcReader<'_>>| d.get_ref().consumed(),
            tripped: &tripped,
            // Only the top level's bytes are the input's progress.
            pos: (depth == 0).then(|| self.stream_pos.clone()),
        };
        let mut first = Vec::new();
        let got = (&mut gz).take(HEAD_LEN as u64).read_to_end(&mut first);
        let fail = |w: &mut Walker<'_>, e: io::Error| {
            let kind = tripped.get().unwrap_or(ErrorKind::CorruptEntry);
            w.error(path, kind, &std::format!("gzip: {e}"));
        };
        if let Err(e) = got {
            return fail(self, e);
        }
        let c = sniff_head(&first);
        let mut stream = Cursor::new(first).chain(&mut gz);
        match c {
            Container::Tar => {
                let res = self.stream_tar(&mut stream, path, depth);
                let out = stream.into_inner().1.out;
                self.inflated = self.inflated.saturating_add(out);
                if let Err(e) = res {
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
                let out = stream.into_inner().1.out;
                self.inflated = self.inflated.saturating_add(out);
                if let Err(e) = res {
                    fail(self, e);
                }
            }
            // gzip in gzip: nothing real does that.
            Container::Gzip => {}
        }
    }

    /// A tar read as a stream; members met in order.
    pub(super) fn stream_tar(&mut self, stream: &mut dyn Read, path: &str, depth: u32) -> io::Result<()> {
        self.report.scanned.archives += 1;
        self.progress.archive_opened(path);
        let mut inv = detect::ArchiveInventory::new(self.file, path);
        let mut archive = ::tar::Archive::new(stream);
        let mut result = Ok(());
        // Nothing was listed yet, so there is no inventory to finish.
        let entries = archive.entries()?;
        for (count, entry) in entries.enumerate() {
            let mut e = match entry {
                Ok(e) => e,
                Err(err) => {
                    result = Err(err);
                    break;
                }
            };
            if count as u64 == self.limits.max_entries {
                self.error(
                    path,
                    ErrorKind::EntryLimit,
                    &std::format!("more than {} entries (max_entries); the rest were not listed", self.limits.max_entries),
                );
                break;
            }
            self.entry_seen(false, 0);
            let mut name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
            if e.header().entry_type().is_dir() && !name.ends_with('/') {
                name.push('/');
            }
            inv.add_name(&name);
            if !e.header().entry_type().is_file() {
                continue;
            }
            let action = action_for(&name, detect::interest(&name));
            if action == Action::Skip {
                continue;
            }
            let entry_path = std::format!("{path}!/{name}");
            let limit = self.limits.max_entry_bytes;
            if action == Action::Read {
                match read_bounded(&mut e, limit) {
                    Ok(Some(data)) => inv.add_data(&name, &data),
                    Ok(None) => self.error(&entry_path, ErrorKind::SizeLimit, "member larger than max_entry_bytes"),
                    Err(err) => {
                        result = Err(err);
                        break;
                    }
                }
                continue;
            }
            let mut first = Vec::new();
            if let Err(err) = (&mut e).take(HEAD_LEN as u64).read_to_end(&mut first) {
                result = Err(err);
                break;
            }
            let c = sniff_head(&first);
            if action == Action::Peek && matches!(c, Container::Class | Container::Other) {
                continue;
            }
            if c == Container::Class {
                self.error(&entry_path, ErrorKind::NotAnArchive, "named like an archive, but it is a class file");
                continue;
            }
            if depth + 1 > self.limits.max_depth && c != Container::Other {
                self.error(
                    &entry_path,
                    ErrorKind::DepthLimit,
                    &std::format!("archive nested {} levels deep; max_depth is {}", depth + 1, self.limits.max_depth),
                );
                continue;
            }
            if e.size() > self.room() {
                if c != Container::Zip {
                    self.error(&entry_path, ErrorKind::SizeLimit, "nested archive larger than max_entry_bytes allows");
                    continue;
                }
                // Too big to hold: read it as it streams past.
                let mut s = Cursor::new(first).chain(&mut e);
                if let Err(f) = self.stream_nested_zip(&mut s, &entry_path, depth + 1) {
                    self.fail(&entry_path, f);
                }
                continue;
            }
            let mut data = first;
            if let Err(err) = e.read_to_end(&mut data) {
                result = Err(err);
                break;
            }
            if c == Container::Other && !super::zip::has_end_record(&mut MemSrc(&data)) {
                self.error(&entry_path, ErrorKind::NotAnArchive, "named like an archive, but no ZIP, TAR or gzip structure found");
                continue;
            }
            self.walk_memory(&data, c, &entry_path, depth + 1);
        }
        self.finish(inv);
        result
    }
}
