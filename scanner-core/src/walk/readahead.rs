//! Read-ahead hints for one ZIP directory level.
//!
//! Pass 1 of [`super::zip`] sees every central record; pass 2 then reads,
//! entry after entry, the local header and the last few KiB of each nested
//! STORED archive, and the data of each small entry the detector asked
//! for. For a reader where each read is a round trip those are one round
//! trip each; told in advance, it can fetch a batch of them in one. Pass 1
//! notes the ranges here; pass 2 hands them to the source in batches,
//! just before it reaches them.
use std::vec::Vec;

use super::source::Src;

/// Entries hinted per batch: one `prefetch` call covers this many.
const BATCH: usize = 64;
/// Entries noted per level; past this pass 2 reads on demand as before.
/// (16 bytes a range, two ranges an entry: 128 KiB at most.)
const MAX_NOTED: usize = 4096;
/// Local headers' extra fields are not in the central record; room for
/// typical ones (ZIP64, alignment padding, timestamps).
const EXTRA_SLACK: u64 = 256;
/// Entries inflated whole are hinted only when at most this big.
const MAX_READ_HINT: u64 = 64 << 10;

/// What pass 2 will read of an entry, by its central record.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Use {
    /// Inflated or copied whole (a detector's class or properties file).
    Read,
    /// A STORED archive read in place: its start, then its end record.
    StoredArchive,
}

#[derive(Default)]
pub(super) struct ReadAhead {
    ranges: Vec<(u64, u64)>,
    /// Index into `ranges` of each noted entry's first range.
    first: Vec<u32>,
    /// Noted entries pass 2 has reached.
    reached: usize,
}

impl ReadAhead {
    /// Pass 1: note an entry whose local header is at `local` and whose
    /// data ends near `data_end` (the central record's view).
    pub(super) fn note(&mut self, what: Use, local: u64, name_len: u64, csize: u64, data_end: u64, short_tail: u64) {
        if self.first.len() >= MAX_NOTED || !Self::wants(what, csize) {
            return;
        }
        let head_end = local.saturating_add(super::zip::LOCAL_LEN + name_len + EXTRA_SLACK);
        match what {
            Use::Read => {
                self.first.push(self.ranges.len() as u32);
                self.ranges.push((local, data_end.saturating_add(EXTRA_SLACK)));
            }
            Use::StoredArchive => {
                self.first.push(self.ranges.len() as u32);
                self.ranges.push((local, head_end.saturating_add(super::HEAD_LEN as u64)));
                self.ranges.push((data_end.saturating_sub(short_tail).max(local), data_end.saturating_add(EXTRA_SLACK)));
            }
        }
    }

    /// Whether `note` keeps an entry (below the cap): pass 2 must `reach`
    /// exactly the entries pass 1 noted, in the same order.
    pub(super) fn wants(what: Use, csize: u64) -> bool {
        what == Use::StoredArchive || csize <= MAX_READ_HINT
    }

    /// Pass 2, before reading a noted entry: at the start of each batch,
    /// hint the batch's ranges.
    pub(super) fn reach(&mut self, src: &mut dyn Src) {
        let i = self.reached;
        self.reached += 1;
        if i % BATCH != 0 || i >= self.first.len() {
            return;
        }
        let from = self.first[i] as usize;
        let to = self.first.get(i + BATCH).map_or(self.ranges.len(), |&r| r as usize);
        src.prefetch(&self.ranges[from..to]);
    }
}
