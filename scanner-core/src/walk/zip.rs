//! ZIP levels (JAR, WAR, EAR, …), read from the central directory.
//!
//! Our own reader rather than the `zip` crate's, because the walker needs
//! what a general reader hides: raw local-header offsets (to see overlapping
//! entries, the zip-bomb trick), data ranges to read STORED nested archives
//! in place, per-entry failures instead of a failed archive, and a central
//! directory streamed in chunks rather than held whole.
//!
//! Format facts from APPNOTE.TXT (PKWARE): end record `PK\5\6` (22 bytes +
//! comment ≤ 65,535), ZIP64 locator `PK\6\7` (20 bytes) right before it,
//! ZIP64 end record `PK\6\6`, central header `PK\1\2` (46 bytes + name +
//! extra + comment), local header `PK\3\4` (30 bytes + name + extra), ZIP64
//! extra field id 1.
use std::cell::Cell;
use std::collections::BTreeSet;
use std::io::Read;
use std::string::String;
use std::vec::Vec;

use flate2::read::DeflateDecoder;

use super::readahead::{ReadAhead, Use};
use super::source::{head, Src, SrcReader, Window};
use super::{action_for, sniff_head, Action, Container, Fail, Walker, HEAD_LEN};
use crate::detect;
use crate::report::ErrorKind;

const END_LEN: usize = 22;
const MAX_COMMENT: usize = 65_535;
const CENTRAL_LEN: usize = 46;
pub(super) const LOCAL_LEN: u64 = 30;
const STORED: u16 = 0;
const DEFLATED: u16 = 8;

/// Where the central directory is, in `src` coordinates.
#[derive(Debug, Clone, Copy)]
struct End {
    cd_start: u64,
    cd_size: u64,
    /// Added to every offset the archive declares: the length of data
    /// prepended without fixing the offsets (a launcher script, or
    /// `cat data x.zip`).
    base: u64,
}

fn u16le(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn u32le(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
fn u64le(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

/// True if `src` has a usable end-of-central-directory record.
pub(super) fn has_end_record(src: &mut dyn Src) -> bool {
    matches!(find_end(src), Ok(Some(_)))
}

/// Does a central header start at `at`? (An empty archive has none.)
fn central_at(src: &mut dyn Src, at: u64) -> bool {
    let mut sig = [0u8; 4];
    src.read_exact_at(at, &mut sig).is_ok() && &sig == b"PK\x01\x02"
}

/// Bytes at the end read first when looking for the end record. Almost
/// every archive has no comment, so the record is in the last 22 bytes; a
/// small archive's whole central directory is usually in this tail too.
/// Only when no valid record is found here is the rest of the largest
/// possible tail read. A reader where each read is a round trip (the
/// browser's `FileReaderSync`) then fetches a few KiB per nested archive
/// instead of 65 KiB.
pub(super) const SHORT_TAIL: usize = 4096;

/// Find the end record, scanning back from the end over the largest
/// possible comment, and check that a central directory is where it says.
/// Candidates that do not check out are skipped: a `PK\5\6` inside a
/// comment or in trailing junk is not the end record.
fn find_end(src: &mut dyn Src) -> std::io::Result<Option<End>> {
    let len = src.len();
    if len < END_LEN as u64 {
        return Ok(None);
    }
    let full = len.min((END_LEN + MAX_COMMENT) as u64 + 1024) as usize;
    // Candidates are tried from the end backwards either way: first those
    // in the short tail, then, only if none checked out, the rest.
    let short = full.min(SHORT_TAIL);
    let mut searched_from = None;
    let mut hinted = false;
    for tail_len in [short, full] {
        if searched_from == Some(tail_len) {
            break;
        }
        let tail_start = len - tail_len as u64;
        let mut tail = std::vec![0u8; tail_len];
        src.read_exact_at(tail_start, &mut tail)?;
        // Positions at or after the previous tail's start were tried.
        let mut p = match searched_from {
            None => tail_len - END_LEN,
            Some(prev) => match (tail_len - prev).checked_sub(1) {
                Some(p) => p.min(tail_len - END_LEN),
                None => break,
            },
        };
        loop {
            if &tail[p..p + 4] == b"PK\x05\x06" {
                if let Some(end) = check_end(src, &tail[p..p + END_LEN], tail_start + p as u64, &mut hinted)? {
                    return Ok(Some(end));
                }
            }
            if p == 0 {
                break;
            }
            p -= 1;
        }
        searched_from = Some(tail_len);
    }
    Ok(None)
}

/// `hinted`: whether a directory was already hinted in this search (one
/// hint per search, so a comment full of decoy records costs one).
fn check_end(src: &mut dyn Src, rec: &[u8], pos: u64, hinted: &mut bool) -> std::io::Result<Option<End>> {
    let entries = u16le(rec, 10) as u64;
    let mut cd_size = u32le(rec, 12) as u64;
    let mut cd_off = u32le(rec, 16) as u64;
    // Where the central directory must end: this record, or the ZIP64 end
    // record when there is one.
    let mut cd_end = pos;
    if pos >= 20 {
        let mut loc = [0u8; 20];
        src.read_exact_at(pos - 20, &mut loc)?;
        if &loc[..4] == b"PK\x06\x07" {
            let declared = u64le(&loc, 8);
            // The ZIP64 end record is usually right before the locator;
            // prefer that over the declared offset, which a prefix shifts.
            let mut rec64 = [0u8; 56];
            let candidates = [pos.checked_sub(20 + 56), Some(declared)];
            for at in candidates.into_iter().flatten() {
                if src.read_exact_at(at, &mut rec64).is_ok() && &rec64[..4] == b"PK\x06\x06" {
                    cd_size = u64le(&rec64, 40);
                    cd_off = u64le(&rec64, 48);
                    cd_end = at;
                    break;
                }
            }
        }
    }
    let empty = entries == 0 && cd_size == 0;
    if cd_size > cd_end {
        return Ok(None);
    }
    let actual = cd_end - cd_size;
    // Both passes of the walk read the whole directory, starting with the
    // signature check below: a reader that pays per round trip can fetch it
    // at once.
    if cd_size > 0 && !*hinted {
        *hinted = true;
        src.prefetch(&[(actual, cd_end)]);
    }
    // Offsets right as declared, or all shifted by a prefix.
    for base in [0, actual.wrapping_sub(cd_off)] {
        if base > actual {
            continue;
        }
        let cd_start = cd_off.saturating_add(base);
        if cd_start.saturating_add(cd_size) > cd_end {
            continue;
        }
        if empty || central_at(src, cd_start) {
            return Ok(Some(End { cd_start, cd_size, base }));
        }
    }
    Ok(None)
}

/// One central-directory record, as much as the walker needs.
#[derive(Debug, Clone)]
struct Record {
    name: String,
    /// Length of the name as stored. `name` is decoded lossily (an invalid
    /// UTF-8 byte becomes the 3-byte U+FFFD), so byte ranges must use this.
    name_len: u64,
    flags: u16,
    method: u16,
    crc: u32,
    csize: u64,
    usize: u64,
    /// Local header offset in `src` coordinates.
    local: u64,
}

/// Reads central headers in chunks, so a huge directory is never held whole.
struct CdReader {
    buf: Vec<u8>,
    /// Next unread byte of `buf`.
    at: usize,
    /// Next byte of `src` to load.
    next: u64,
    end: u64,
}

const CD_CHUNK: usize = 256 * 1024;
/// Nested archives still opened after `max_entries` (their names are no
/// longer listed): a vulnerable jar may sit at the end of a huge archive,
/// but the walk must stay bounded.
const MAX_ARCHIVES_PAST_LIMIT: u64 = 10_000;
/// Names of overlapping entries quoted in the `bomb` message.
const NAMES_QUOTED: usize = 5;

impl CdReader {
    fn new(end: &End) -> Self {
        CdReader { buf: Vec::new(), at: 0, next: end.cd_start, end: end.cd_start + end.cd_size }
    }

    /// Make `n` bytes available at `self.at`, or say there are not that many.
    fn fill(&mut self, src: &mut dyn Src, n: usize) -> std::io::Result<bool> {
        if self.buf.len() - self.at >= n {
            return Ok(true);
        }
        self.buf.drain(..self.at);
        self.at = 0;
        let want = (n.max(CD_CHUNK) - self.buf.len()) as u64;
        let take = want.min(self.end - self.next) as usize;
        let old = self.buf.len();
        self.buf.resize(old + take, 0);
        src.read_exact_at(self.next, &mut self.buf[old..])?;
        self.next += take as u64;
        Ok(self.buf.len() >= n)
    }

    fn next(&mut self, src: &mut dyn Src, base: u64) -> Result<Option<Record>, Fail> {
        let io = |e: std::io::Error| Fail::new(ErrorKind::BadZip, std::format!("reading the central directory: {e}"));
        if !self.fill(src, 4).map_err(io)? {
            return Ok(None);
        }
        if &self.buf[self.at..self.at + 4] != b"PK\x01\x02" {
            // Digital-signature or ZIP64 records may follow the headers.
            return Ok(None);
        }
        if !self.fill(src, CENTRAL_LEN).map_err(io)? {
            return Err(Fail::new(ErrorKind::BadZip, "central directory truncated"));
        }
        let h = &self.buf[self.at..self.at + CENTRAL_LEN];
        let (nlen, xlen, clen) = (u16le(h, 28) as usize, u16le(h, 30) as usize, u16le(h, 32) as usize);
        let mut rec = Record {
            name: String::new(),
            name_len: nlen as u64,
            flags: u16le(h, 8),
            method: u16le(h, 10),
            crc: u32le(h, 16),
            csize: u32le(h, 20) as u64,
            usize: u32le(h, 24) as u64,
            local: u32le(h, 42) as u64,
        };
        let total = CENTRAL_LEN + nlen + xlen + clen;
        if !self.fill(src, total).map_err(io)? {
            return Err(Fail::new(ErrorKind::BadZip, "central directory truncated"));
        }
        let h = &self.buf[self.at..self.at + total];
        rec.name = String::from_utf8_lossy(&h[CENTRAL_LEN..CENTRAL_LEN + nlen]).into_owned();
        zip64_extra(&h[CENTRAL_LEN + nlen..CENTRAL_LEN + nlen + xlen], &mut rec);
        rec.local = rec.local.saturating_add(base);
        self.at += total;
        Ok(Some(rec))
    }
}

/// Replace the 32-bit fields saturated at 0xFFFFFFFF by their ZIP64 values,
/// which appear in the extra field in a fixed order, only for those fields.
fn zip64_extra(mut extra: &[u8], rec: &mut Record) {
    while extra.len() >= 4 {
        let (id, size) = (u16le(extra, 0), u16le(extra, 2) as usize);
        let Some(body) = extra.get(4..4 + size) else { return };
        if id == 1 {
            let mut at = 0;
            for field in [&mut rec.usize, &mut rec.csize, &mut rec.local] {
                if *field == 0xFFFF_FFFF && at + 8 <= body.len() {
                    *field = u64le(body, at);
                    at += 8;
                }
            }
            return;
        }
        extra = &extra[4 + size..];
    }
}

/// Local-header starts of entries whose bytes overlap another entry's: no
/// honest writer produces that, and it is how a 42 KB file declares 5 GB.
fn overlapping(ranges: &mut [(u64, u64)]) -> BTreeSet<u64> {
    ranges.sort_unstable();
    let mut bad = BTreeSet::new();
    let mut reach: Option<(u64, u64)> = None; // (start, end) reaching furthest
    for &(start, end) in ranges.iter() {
        if let Some((rs, re)) = reach {
            if start < re {
                bad.insert(start);
                bad.insert(rs);
            }
            if end > re {
                reach = Some((start, end));
            }
        } else {
            reach = Some((start, end));
        }
    }
    bad
}

impl Walker<'_> {
    pub(super) fn walk_zip(&mut self, src: &mut dyn Src, path: &str, depth: u32) {
        let end = match find_end(src) {
            Ok(Some(end)) => end,
            Ok(None) => {
                return self.error(path, ErrorKind::BadZip, "no end-of-central-directory record (truncated or not a ZIP)")
            }
            Err(e) => return self.error(path, ErrorKind::BadZip, &std::format!("reading the archive end: {e}")),
        };
        self.report.scanned.archives += 1;
        self.progress.archive_opened(path);
        let lvl = self.enter_level(depth);
        let mut inv = detect::ArchiveInventory::new(self.file, path);
        let len = src.len();

        // Pass 1: every name to the inventory, and each entry's byte range
        // for the overlap check. Nothing else is kept per entry: pass 2
        // reads the central directory again instead of holding the names
        // it needs (500,000 names would otherwise take tens of MB, and a
        // cap on them silently dropped entries well below `max_entries`).
        let mut ranges: Vec<(u64, u64)> = Vec::new();
        let mut ahead = ReadAhead::default();
        let mut cd = CdReader::new(&end);
        let mut pick = Picker::new(self.limits.max_entries);
        loop {
            let rec = match cd.next(src, end.base) {
                Ok(Some(rec)) => rec,
                Ok(None) => break,
                Err(f) => {
                    self.fail(path, f);
                    break;
                }
            };
            let picked = pick.pick(&rec.name);
            if pick.count > self.limits.max_entries && !pick.reported {
                pick.reported = true;
                self.error(
                    path,
                    ErrorKind::EntryLimit,
                    &std::format!(
                        "more than {} entries (max_entries); the rest were not listed, only nested archives among them were opened (at most {MAX_ARCHIVES_PAST_LIMIT})",
                        self.limits.max_entries
                    ),
                );
            }
            let (listed, action) = match picked {
                Pick::Listed(a) => (true, a),
                Pick::PastLimit(a) => (false, a),
                Pick::Ignored => continue,
            };
            let data_end = range_end(&rec, len);
            if listed {
                self.entry_seen(depth == 0, data_end.unwrap_or(rec.local).min(len));
                inv.add_name(&rec.name);
            }
            match data_end {
                Some(data_end) => {
                    ranges.push((rec.local, data_end));
                    if let Some(what) = read_use(&rec, action) {
                        ahead.note(what, rec.local, rec.name_len, rec.csize, data_end, SHORT_TAIL as u64);
                    }
                }
                // A range past the end of the archive is impossible: a lie
                // about this entry only. Kept out of the overlap check, or
                // it would "overlap" every entry after it.
                None => self.error(
                    &std::format!("{path}!/{}", rec.name),
                    ErrorKind::CorruptEntry,
                    &std::format!(
                        "local header at offset {} with {} bytes of data runs past the end of the archive ({len} bytes)",
                        rec.local, rec.csize
                    ),
                ),
            }
        }

        let bad = overlapping(&mut ranges);
        // Local-header starts, sorted: where each entry's data must end at
        // the latest (pass 2 checks this with the local header's own name
        // and extra lengths, which pass 1 cannot know without reading every
        // local header).
        let mut starts: Vec<u64> = ranges.iter().map(|r| r.0).collect();
        drop(ranges);
        starts.dedup();

        // Pass 2: the same entries in the same order (same `Picker`); read
        // what the detector asked for, open nested archives.
        let mut shared = Shared::default();
        let mut cd = CdReader::new(&end);
        let mut pick = Picker::new(self.limits.max_entries);
        // Errors of the directory itself were reported by pass 1.
        while let Ok(Some(rec)) = cd.next(src, end.base) {
            let action = match pick.pick(&rec.name) {
                Pick::Listed(a) | Pick::PastLimit(a) => a,
                Pick::Ignored => continue,
            };
            if range_end(&rec, len).is_none() {
                continue; // reported by pass 1
            }
            if read_use(&rec, action).is_some_and(|what| ReadAhead::wants(what, rec.csize)) {
                ahead.reach(src);
            }
            if bad.contains(&rec.local) {
                shared.add(&rec.name);
                continue;
            }
            if action == Action::Skip {
                continue;
            }
            let start = data_start(src, &rec);
            if let Ok(start) = start {
                // The next entry's local header, or the central directory,
                // bounds this entry's data. Local name/extra lengths can
                // point many entries' data at one shared deflate stream
                // while their central ranges look disjoint.
                let i = starts.partition_point(|&s| s <= rec.local);
                let bound = starts.get(i).copied().unwrap_or(if end.cd_start > rec.local { end.cd_start } else { len });
                if start.saturating_add(rec.csize) > bound {
                    shared.add(&rec.name);
                    continue;
                }
            }
            let entry_path = std::format!("{path}!/{}", rec.name);
            if let Err(f) = self.zip_entry(src, &rec, start, action, &entry_path, depth, &mut inv) {
                self.fail(&entry_path, f);
            }
        }
        if shared.count > 0 {
            let more = shared.count - shared.names.len() as u64;
            let mut msg = std::format!(
                "{} entries share bytes with another entry (overlapping data ranges); they were not read: {}",
                shared.count,
                shared.names.join(", ")
            );
            if more > 0 {
                msg.push_str(&std::format!(" and {more} more"));
            }
            self.error(path, ErrorKind::Bomb, &msg);
        }
        self.finish(inv);
        self.leave_level(lvl, path);
    }

    fn zip_entry(
        &mut self,
        src: &mut dyn Src,
        rec: &Record,
        start: Result<u64, Fail>,
        action: Action,
        entry_path: &str,
        depth: u32,
        inv: &mut detect::ArchiveInventory,
    ) -> Result<(), Fail> {
        let quiet = action == Action::Peek;
        if rec.flags & 1 != 0 {
            return if quiet { Ok(()) } else { Err(Fail::new(ErrorKind::UnsupportedCompression, "encrypted entry")) };
        }
        if rec.method != STORED && rec.method != DEFLATED {
            return if quiet {
                Ok(())
            } else {
                Err(Fail::new(ErrorKind::UnsupportedCompression, std::format!("compression method {}", rec.method)))
            };
        }
        let start = start?;
        match action {
            Action::Skip => Ok(()),
            Action::Read => {
                let data = self.inflate(src, rec, start, self.limits.max_entry_bytes)?;
                inv.add_data(&rec.name, &data);
                Ok(())
            }
            Action::Archive | Action::Peek if rec.method == STORED => {
                let mut win = Window { inner: src, start, len: rec.csize };
                let head = head(&mut win, HEAD_LEN).map_err(|e| Fail::new(ErrorKind::CorruptEntry, std::format!("{e}")))?;
                match self.classify(&mut win, &head) {
                    Container::Class | Container::Other if quiet => Ok(()),
                    Container::Class | Container::Other => Err(not_an_archive()),
                    c => {
                        self.open_nested(&mut win, c, entry_path, depth + 1);
                        Ok(())
                    }
                }
            }
            Action::Archive | Action::Peek => {
                let head = peek_inflate(src, rec, start, HEAD_LEN);
                let c = sniff_head(&head);
                if quiet && matches!(c, Container::Class | Container::Other) {
                    return Ok(());
                }
                if c == Container::Class {
                    return Err(not_an_archive());
                }
                // An archive (or, for an archive name, maybe one with a
                // prefix, which only its end can tell): it must be inflated
                // whole to be read at random.
                if depth + 1 > self.limits.max_depth && c != Container::Other {
                    return Err(Fail::new(
                        ErrorKind::DepthLimit,
                        std::format!("archive nested {} levels deep; max_depth is {}", depth + 1, self.limits.max_depth),
                    ));
                }
                if c == Container::Zip && rec.usize > self.room() {
                    return self.stream_entry_zip(src, rec, start, entry_path, depth + 1);
                }
                let data = self.inflate(src, rec, start, self.room())?;
                if c == Container::Other && !has_end_record(&mut super::source::MemSrc(&data)) {
                    return Err(not_an_archive());
                }
                self.walk_memory(&data, c, entry_path, depth + 1);
                Ok(())
            }
        }
    }

    /// A nested DEFLATED ZIP too big to hold: walked as it inflates.
    fn stream_entry_zip(&mut self, src: &mut dyn Src, rec: &Record, start: u64, entry_path: &str, depth: u32) -> Result<(), Fail> {
        let tripped = Cell::new(None);
        let consumed = |d: &DeflateDecoder<SrcReader<'_>>| d.total_in();
        let mut stream = self.budgeted(DeflateDecoder::new(SrcReader::new(src, start, rec.csize)), consumed, &tripped);
        let res = self.stream_nested_zip(&mut stream, entry_path, depth);
        match (res, tripped.get()) {
            (Err(f), Some(kind)) => Err(Fail::new(kind, f.msg)),
            (res, _) => res,
        }
    }

    /// The whole data of an entry, within the per-entry, per-scan and ratio
    /// limits, CRC-checked.
    /// `limit`: `max_entry_bytes`, or less for a nested archive when outer
    /// levels already hold some in memory.
    fn inflate(&mut self, src: &mut dyn Src, rec: &Record, start: u64, limit: u64) -> Result<Vec<u8>, Fail> {
        // A STORED entry's data is its compressed size, whatever the
        // uncompressed size field claims.
        let declared = if rec.method == STORED { rec.csize.max(rec.usize) } else { rec.usize };
        if declared > limit {
            return Err(Fail::new(
                ErrorKind::SizeLimit,
                std::format!(
                    "declared size {declared} bytes is over the {limit} bytes allowed (max_entry_bytes {})",
                    self.limits.max_entry_bytes
                ),
            ));
        }
        let corrupt = |e: std::io::Error| Fail::new(ErrorKind::CorruptEntry, std::format!("{e}"));
        let mut out = Vec::new();
        if rec.method == STORED {
            self.charge(rec.csize)?;
            out.resize(rec.csize as usize, 0);
            src.read_exact_at(start, &mut out).map_err(corrupt)?;
        } else {
            // Reserve what the header declares, but not more than a
            // plausible ratio allows: declared sizes are attacker-chosen.
            let cap = rec.usize.min(rec.csize.saturating_mul(16)).min(1 << 20);
            out.reserve(cap as usize);
            let mut dec = DeflateDecoder::new(SrcReader::new(src, start, rec.csize));
            let mut chunk = std::vec![0u8; 64 * 1024];
            loop {
                let n = dec.read(&mut chunk).map_err(corrupt)?;
                if n == 0 {
                    break;
                }
                self.charge(n as u64)?;
                if out.len() as u64 + n as u64 > limit {
                    return Err(Fail::new(
                        ErrorKind::SizeLimit,
                        std::format!("inflates past the {limit} bytes allowed although it declares {} bytes", rec.usize),
                    ));
                }
                out.extend_from_slice(&chunk[..n]);
                let inn = dec.total_in().max(1);
                if out.len() as u64 > (1 << 20) && out.len() as u64 / inn > self.limits.max_ratio {
                    return Err(Fail::new(
                        ErrorKind::Bomb,
                        std::format!("compression ratio over {}:1 (max_ratio)", self.limits.max_ratio),
                    ));
                }
            }
        }
        let mut crc = flate2::Crc::new();
        crc.update(&out);
        if crc.sum() != rec.crc {
            return Err(Fail::new(
                ErrorKind::CorruptEntry,
                std::format!("CRC-32 {:08x}, central directory says {:08x}", crc.sum(), rec.crc),
            ));
        }
        Ok(out)
    }
}

/// How pass 2 will read an entry, for the read-ahead hints; `None` when it
/// reads nothing of it up front (skipped, sniffed, or inflated as a stream).
fn read_use(rec: &Record, action: Action) -> Option<Use> {
    match action {
        Action::Read if rec.method == STORED || rec.method == DEFLATED => Some(Use::Read),
        Action::Archive if rec.method == STORED => Some(Use::StoredArchive),
        _ => None,
    }
}

/// Where an entry's bytes end by its central record (local header with
/// the central name length, then the data), or `None` if that is past the
/// end of the archive, which no real entry can be.
fn range_end(rec: &Record, len: u64) -> Option<u64> {
    let end = rec.local.checked_add(LOCAL_LEN + rec.name_len)?.checked_add(rec.csize)?;
    (end <= len).then_some(end)
}

/// What [`Walker::walk_zip`] does with the entries of one directory, in
/// order: the first `max_entries` are listed; after that only nested
/// archives are still opened, at most [`MAX_ARCHIVES_PAST_LIMIT`]. Both
/// passes use one each, so they pick the same entries.
struct Picker {
    max: u64,
    /// Entries met so far.
    count: u64,
    past_limit: u64,
    /// The `entry-limit` error was given.
    reported: bool,
}

enum Pick {
    Listed(Action),
    PastLimit(Action),
    Ignored,
}

impl Picker {
    fn new(max: u64) -> Self {
        Picker { max, count: 0, past_limit: 0, reported: false }
    }

    fn pick(&mut self, name: &str) -> Pick {
        self.count += 1;
        let action = action_for(name, detect::interest(name));
        if self.count <= self.max {
            Pick::Listed(action)
        } else if action == Action::Archive && self.past_limit < MAX_ARCHIVES_PAST_LIMIT {
            self.past_limit += 1;
            Pick::PastLimit(action)
        } else {
            Pick::Ignored
        }
    }
}

/// Entries left unread because their bytes overlap another's.
#[derive(Default)]
struct Shared {
    count: u64,
    /// The first few, for the message.
    names: Vec<String>,
}

impl Shared {
    fn add(&mut self, name: &str) {
        self.count += 1;
        if self.names.len() < NAMES_QUOTED {
            // Quote at most 200 characters of a (possibly 64 KiB) name.
            let mut n: String = name.chars().take(200).collect();
            if n.len() < name.len() {
                n.push('…');
            }
            self.names.push(n);
        }
    }
}

fn not_an_archive() -> Fail {
    Fail::new(ErrorKind::NotAnArchive, "named like an archive, but no ZIP, TAR or gzip structure found")
}

/// Where the entry's data begins: after its local header, whose name and
/// extra lengths may differ from the central directory's.
fn data_start(src: &mut dyn Src, rec: &Record) -> Result<u64, Fail> {
    let mut h = [0u8; LOCAL_LEN as usize];
    src.read_exact_at(rec.local, &mut h)
        .map_err(|_| Fail::new(ErrorKind::CorruptEntry, std::format!("local header offset {} is past the end", rec.local)))?;
    if &h[..4] != b"PK\x03\x04" {
        return Err(Fail::new(ErrorKind::CorruptEntry, std::format!("no local header at offset {}", rec.local)));
    }
    let start = rec.local + LOCAL_LEN + u16le(&h, 26) as u64 + u16le(&h, 28) as u64;
    if start.saturating_add(rec.csize) > src.len() {
        return Err(Fail::new(
            ErrorKind::CorruptEntry,
            std::format!("{} bytes of data declared, past the end of the archive", rec.csize),
        ));
    }
    Ok(start)
}

/// The first `n` inflated bytes (fewer if the entry is shorter or damaged).
fn peek_inflate(src: &mut dyn Src, rec: &Record, start: u64, n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n);
    let dec = DeflateDecoder::new(SrcReader::new(src, start, rec.csize));
    let _ = dec.take(n as u64).read_to_end(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::walk::source::MemSrc;

    #[test]
    fn overlap_marks_both_sides() {
        let mut r = std::vec![(100, 200), (0, 50), (150, 160), (200, 300)];
        let bad = overlapping(&mut r);
        assert_eq!(bad.into_iter().collect::<Vec<_>>(), std::vec![100, 150]);
    }

    #[test]
    fn end_record_with_prefix_and_comment() {
        // An empty archive (end record only) with a comment, after 7 bytes
        // of prefix: found by scanning back over the comment.
        let mut z = b"#!/sh\n\n".to_vec();
        z.extend_from_slice(b"PK\x05\x06");
        z.extend_from_slice(&[0; 16]);
        z.extend_from_slice(&3u16.to_le_bytes());
        z.extend_from_slice(b"hey");
        let end = find_end(&mut MemSrc(&z)).unwrap().unwrap();
        assert_eq!((end.cd_size, end.base), (0, 0));
        assert!(find_end(&mut MemSrc(b"PK\x05\x06 just text that is long enough")).unwrap().is_none());
    }

    #[test]
    fn end_record_behind_a_comment_longer_than_the_short_tail() {
        // The record sits 10,000 bytes before the end, behind a comment
        // whose last bytes hold a decoy `PK\5\6` claiming a directory
        // bigger than the file: the short tail has only the decoy, so the
        // search must go on into the full tail and find the real record.
        let mut z = b"PK\x05\x06".to_vec();
        z.extend_from_slice(&[0; 16]);
        let comment_len = 10_000usize;
        z.extend_from_slice(&(comment_len as u16).to_le_bytes());
        let mut comment = std::vec![b'c'; comment_len];
        let decoy_at = comment_len - 100;
        comment[decoy_at..decoy_at + 4].copy_from_slice(b"PK\x05\x06");
        comment[decoy_at + 12..decoy_at + 16].copy_from_slice(&u32::MAX.to_le_bytes());
        z.extend_from_slice(&comment);
        assert!(z.len() > SHORT_TAIL * 2);
        let end = find_end(&mut MemSrc(&z)).unwrap().unwrap();
        assert_eq!((end.cd_start, end.cd_size, end.base), (0, 0, 0));
    }
}
