//! A ZIP met as a stream: a nested DEFLATED archive too big to hold in
//! memory, or one inside a `.tar.gz`. Its central directory is at the end
//! and the stream cannot seek back, so entries are walked by their local
//! headers instead, in file order, holding only the entry being read.
//!
//! What a stream cannot do: tell where a STORED entry with a data
//! descriptor ends (its size is only after the data), or see a prefix
//! before the first local header. Both end the walk of that archive with
//! `bad-zip`; the entries met so far still count.
use std::cell::Cell;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::string::String;
use std::vec::Vec;

use flate2::bufread::DeflateDecoder;

use super::tar::limit_kind;
use super::{action_for, sniff_head, Action, Container, Fail, Walker, HEAD_LEN};
use crate::detect;
use crate::report::ErrorKind;

const STORED: u16 = 0;
const DEFLATED: u16 = 8;

fn u16le(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn u32le(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Fill `buf`, or say the stream ended first (`Ok(false)` at a clean end).
fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<bool> {
    let mut done = 0;
    while done < buf.len() {
        match r.read(&mut buf[done..]) {
            Ok(0) if done == 0 => return Ok(false),
            Ok(0) => return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "stream ends inside a header")),
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// Read and drop everything left in `r`.
fn drain(r: &mut dyn Read) -> io::Result<()> {
    io::copy(r, &mut io::sink()).map(|_| ())
}

/// Read up to `limit` bytes; `Err(prefix)` with what was read if there are more.
pub(super) fn read_up_to(r: &mut dyn Read, limit: u64) -> io::Result<Result<Vec<u8>, Vec<u8>>> {
    let mut out = Vec::new();
    r.take(limit + 1).read_to_end(&mut out)?;
    Ok(if out.len() as u64 > limit { Err(out) } else { Ok(out) })
}

struct Local {
    name: String,
    flags: u16,
    method: u16,
    csize: u64,
    zip64: bool,
}

/// What comes next in a streamed ZIP.
enum Next {
    Entry(Local),
    /// The central directory (or the end record of an empty archive): the
    /// entries are done.
    End,
    /// Anything else, or the stream ending first: the walk lost step (a
    /// STORED entry whose size lies, junk between entries) and what follows
    /// is unknown. `None` if the stream ended.
    Lost(Option<[u8; 4]>),
}

/// The next record: a local header (read whole), or where the entries end.
fn local_header(r: &mut dyn Read) -> io::Result<Next> {
    let mut sig = [0u8; 4];
    if !read_full(r, &mut sig)? {
        return Ok(Next::Lost(None));
    }
    match &sig {
        b"PK\x03\x04" => {}
        // Central header, end record, ZIP64 end record.
        b"PK\x01\x02" | b"PK\x05\x06" | b"PK\x06\x06" => return Ok(Next::End),
        _ => return Ok(Next::Lost(Some(sig))),
    }
    let mut h = [0u8; 26];
    if !read_full(r, &mut h)? {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "stream ends inside a header"));
    }
    // Offsets in `h` are those of APPNOTE's local header minus the 4-byte
    // signature.
    let (nlen, xlen) = (u16le(&h, 22) as usize, u16le(&h, 24) as usize);
    let mut name = std::vec![0u8; nlen];
    let mut extra = std::vec![0u8; xlen];
    if !read_full(r, &mut name)? && nlen > 0 || !read_full(r, &mut extra)? && xlen > 0 {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "stream ends inside a header"));
    }
    let mut local = Local {
        name: String::from_utf8_lossy(&name).into_owned(),
        flags: u16le(&h, 2),
        method: u16le(&h, 4),
        csize: u32le(&h, 14) as u64,
        zip64: false,
    };
    let usize32 = u32le(&h, 18);
    // ZIP64 extra (id 1): uncompressed then compressed size, each present
    // only when its 32-bit field is saturated.
    let mut x = &extra[..];
    while x.len() >= 4 {
        let (id, size) = (u16le(x, 0), u16le(x, 2) as usize);
        let Some(body) = x.get(4..4 + size) else { break };
        if id == 1 {
            local.zip64 = true;
            let mut at = 0;
            if usize32 == 0xFFFF_FFFF {
                at += 8;
            }
            if local.csize == 0xFFFF_FFFF && at + 8 <= body.len() {
                let mut a = [0u8; 8];
                a.copy_from_slice(&body[at..at + 8]);
                local.csize = u64::from_le_bytes(a);
            }
            break;
        }
        x = &x[4 + size..];
    }
    Ok(Next::Entry(local))
}

/// The stream of a ZIP, counting its bytes so that a lost step can say
/// where.
struct Offset<'a> {
    inner: &'a mut dyn BufRead,
    pos: u64,
}

impl Read for Offset<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl BufRead for Offset<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        self.pos += n as u64;
        self.inner.consume(n)
    }
}

impl Walker<'_> {
    /// Walk the ZIP read from `r` at `path`, `depth` deep. I/O errors of the
    /// stream itself come back; entry problems are reported here.
    pub(super) fn stream_zip(&mut self, r: &mut dyn BufRead, path: &str, depth: u32) -> io::Result<()> {
        self.report.scanned.archives += 1;
        self.progress.archive_opened(path);
        let lvl = self.enter_level(depth);
        let mut inv = detect::ArchiveInventory::new(self.file, path);
        let mut r = Offset { inner: r, pos: 0 };
        let result = self.stream_entries(&mut r, path, depth, &mut inv);
        self.finish(inv);
        self.leave_level(lvl, path);
        result
    }

    fn stream_entries(&mut self, r: &mut Offset<'_>, path: &str, depth: u32, inv: &mut detect::ArchiveInventory) -> io::Result<()> {
        let mut count = 0u64;
        loop {
            let at = r.pos;
            let local = match local_header(r)? {
                Next::Entry(local) => local,
                Next::End => return Ok(()),
                // Only the central directory ends the entries; stopping
                // silently here hid every entry after the one out of step.
                Next::Lost(sig) => {
                    let what = match sig {
                        Some(s) => std::format!("bytes {:02x} {:02x} {:02x} {:02x}", s[0], s[1], s[2], s[3]),
                        None => String::from("the end of the stream"),
                    };
                    self.error(
                        path,
                        ErrorKind::BadZip,
                        &std::format!("no local header at offset {at} ({what}, not a ZIP record); entries after it were not listed"),
                    );
                    return Ok(());
                }
            };
            if count == self.limits.max_entries {
                self.error(
                    path,
                    ErrorKind::EntryLimit,
                    &std::format!("more than {} entries (max_entries); the rest were not listed", self.limits.max_entries),
                );
                return Ok(());
            }
            count += 1;
            self.entry_seen(false, 0);
            inv.add_name(&local.name);
            let descriptor = local.flags & 8 != 0;
            if descriptor && local.method != DEFLATED {
                self.error(
                    path,
                    ErrorKind::BadZip,
                    &std::format!(
                        "{}: size given only after the data (method {}), which a stream cannot skip; the rest was not listed",
                        local.name, local.method
                    ),
                );
                return Ok(());
            }
            let action = action_for(&local.name, detect::interest(&local.name));
            let entry_path = std::format!("{path}!/{}", local.name);
            let readable = local.flags & 1 == 0 && (local.method == STORED || local.method == DEFLATED);
            // The compressed bytes of this entry; for a data-descriptor
            // entry the deflate stream's own end marks them.
            let mut raw = (&mut *r).take(if descriptor { u64::MAX } else { local.csize });
            if !readable {
                if action == Action::Read || action == Action::Archive {
                    let why = if local.flags & 1 != 0 { String::from("encrypted entry") } else { std::format!("compression method {}", local.method) };
                    self.error(&entry_path, ErrorKind::UnsupportedCompression, &why);
                }
                if descriptor {
                    self.error(path, ErrorKind::BadZip, "an unreadable entry's end is given only after its data; the rest was not listed");
                    return Ok(());
                }
                drain(&mut raw)?;
                continue;
            }
            if action == Action::Skip && !descriptor {
                drain(&mut raw)?;
                continue;
            }
            if local.method == STORED {
                self.stream_entry(&mut raw, &local, action, &entry_path, depth, inv)?;
                drain(&mut raw)?;
            } else {
                // Every inflated byte is charged to the scan budget and the
                // ratio check, the ones drained only to find a data-
                // descriptor entry's end too: uncharged, 1.4 MB inflated
                // for a minute (200 GiB).
                let tripped = Cell::new(None);
                let consumed = |d: &DeflateDecoder<&mut io::Take<&mut Offset<'_>>>| d.total_in();
                let mut dec = self.budgeted(DeflateDecoder::new(&mut raw), consumed, &tripped);
                let res = if action == Action::Skip { Ok(()) } else { self.stream_entry(&mut dec, &local, action, &entry_path, depth, inv) };
                let kind = |e: &io::Error| limit_kind(e).or(tripped.get()).unwrap_or(ErrorKind::CorruptEntry);
                if descriptor {
                    // Only the end of the deflate stream says where the
                    // entry ends: inflate the rest to find it.
                    match res.and_then(|_| drain(&mut dec)) {
                        Ok(()) => {}
                        Err(e) => {
                            let k = kind(&e);
                            self.error(&entry_path, k, &std::format!("{e}; the rest was not listed"));
                            return Ok(());
                        }
                    }
                    drop(dec);
                    skip_descriptor(r, local.zip64)?;
                } else {
                    if let Err(e) = res {
                        let k = kind(&e);
                        self.error(&entry_path, k, &std::format!("{e}"));
                    }
                    drop(dec);
                    drain(&mut raw)?;
                }
            }
        }
    }

    /// One entry's inflated data: read it, or open it as a nested archive.
    /// Errors returned are the entry's data failing (corrupt).
    fn stream_entry(
        &mut self,
        data: &mut dyn Read,
        local: &Local,
        action: Action,
        entry_path: &str,
        depth: u32,
        inv: &mut detect::ArchiveInventory,
    ) -> io::Result<()> {
        if action == Action::Read {
            match read_up_to(data, self.limits.max_entry_bytes)? {
                // Already charged: `data` is a budgeted decoder, or STORED
                // bytes of a stream that one decoded.
                Ok(bytes) => inv.add_data(&local.name, &bytes),
                Err(_) => self.error(entry_path, ErrorKind::SizeLimit, "entry larger than max_entry_bytes"),
            }
            return Ok(());
        }
        let mut first = Vec::new();
        data.take(HEAD_LEN as u64).read_to_end(&mut first)?;
        let c = sniff_head(&first);
        match c {
            Container::Class | Container::Other | Container::Gzip if action == Action::Peek => return Ok(()),
            // An archive with a prefix cannot be found in a stream.
            Container::Class | Container::Other => {
                self.error(entry_path, ErrorKind::NotAnArchive, "named like an archive, but it does not start like one");
                return Ok(());
            }
            _ => {}
        }
        if depth + 1 > self.limits.max_depth {
            self.error(
                entry_path,
                ErrorKind::DepthLimit,
                &std::format!("archive nested {} levels deep; max_depth is {}", depth + 1, self.limits.max_depth),
            );
            return Ok(());
        }
        let mut rest = Cursor::new(first).chain(data);
        match read_up_to(&mut rest, self.room())? {
            Ok(bytes) => {
                self.walk_memory(&bytes, c, entry_path, depth + 1);
                Ok(())
            }
            // Too big to hold: go on as a stream, the part already read first.
            Err(prefix) if c == Container::Zip => {
                self.held += prefix.len() as u64;
                let held = prefix.len() as u64;
                let mut s = BufReader::new(Cursor::new(prefix).chain(rest));
                let res = self.stream_zip(&mut s, entry_path, depth + 1);
                self.held -= held;
                res
            }
            Err(prefix) if c == Container::Tar => {
                self.held += prefix.len() as u64;
                let held = prefix.len() as u64;
                let mut s = Cursor::new(prefix).chain(rest);
                let res = self.stream_tar(&mut s, entry_path, depth + 1);
                self.held -= held;
                res
            }
            Err(_) => {
                self.error(entry_path, ErrorKind::SizeLimit, "nested gzip larger than max_entry_bytes");
                Ok(())
            }
        }
    }

    /// A nested ZIP too big to hold, read from its inflated stream.
    pub(super) fn stream_nested_zip(&mut self, r: &mut dyn Read, entry_path: &str, depth: u32) -> Result<(), Fail> {
        let mut s = BufReader::new(r);
        self.stream_zip(&mut s, entry_path, depth)
            .map_err(|e| Fail::new(ErrorKind::CorruptEntry, std::format!("streaming a large nested archive: {e}")))
    }
}

/// After a data-descriptor entry: CRC-32 and sizes (8 bytes each for
/// ZIP64), with or without the optional `PK\7\8` signature.
fn skip_descriptor(r: &mut dyn BufRead, zip64: bool) -> io::Result<()> {
    let sizes = if zip64 { 16 } else { 8 };
    let mut first = [0u8; 4];
    if !read_full(r, &mut first)? {
        return Ok(());
    }
    let rest = if &first == b"PK\x07\x08" { 4 + sizes } else { sizes };
    let mut buf = [0u8; 20];
    read_full(r, &mut buf[..rest])?;
    Ok(())
}
