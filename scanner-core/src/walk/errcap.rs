//! Bounds on the error list. Every damaged entry is an error, and an entry
//! path can be 64 KiB per level: an archive of thousands of junk entries
//! with long names would otherwise grow `errors[]` without limit (4,000
//! such entries took 285 MB). So errors are counted per archive level, the
//! ones past [`MAX_LEVEL_ERRORS`] (or past [`MAX_ERRORS`] in the whole
//! report) are replaced by one summary error when the level ends, and the
//! path and text of each error are shortened.
use std::string::String;

use super::Walker;
use crate::report::{ErrorKind, ScanError};

/// Errors kept per archive level.
pub(super) const MAX_LEVEL_ERRORS: u64 = 1000;
/// Errors kept in one report, summaries aside.
pub(super) const MAX_ERRORS: usize = 10_000;
/// Bytes of a path or message kept: the start (the outer levels) and the
/// end (the entry's own name) of a longer one.
const MAX_TEXT: usize = 1024;

/// The error count of the archive level being walked.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct ErrCap {
    /// Errors reported at this level.
    level: u64,
    /// Of which not kept.
    suppressed: u64,
    /// Kind of the last one not kept, for the summary.
    kind: Option<ErrorKind>,
    /// True below the top level (a summary may then go to the parent).
    nested: bool,
}

/// `s`, or its first and last bytes (on character boundaries) around `…`.
pub(super) fn shorten(s: &str) -> String {
    if s.len() <= MAX_TEXT {
        return s.into();
    }
    let mut head = MAX_TEXT / 2;
    while !s.is_char_boundary(head) {
        head -= 1;
    }
    let mut tail = s.len() - (MAX_TEXT / 2 - 16);
    while !s.is_char_boundary(tail) {
        tail += 1;
    }
    std::format!("{}…[{} bytes]…{}", &s[..head], tail - head, &s[tail..])
}

impl Walker<'_> {
    /// Keep this error, or count it as suppressed.
    pub(super) fn push_error(&mut self, path: &str, kind: ErrorKind, msg: &str) {
        self.errs.level += 1;
        if self.errs.level > MAX_LEVEL_ERRORS || self.report.errors.len() >= MAX_ERRORS {
            self.errs.suppressed += 1;
            self.errs.kind = Some(kind);
            return;
        }
        let error = shorten(&std::format!("{kind}: {msg}"));
        self.report.errors.push(ScanError { path: shorten(path), kind, error });
    }

    /// An archive level starts: it gets its own count. Give the result to
    /// [`Walker::leave_level`].
    pub(super) fn enter_level(&mut self, depth: u32) -> ErrCap {
        std::mem::replace(&mut self.errs, ErrCap { nested: depth > 0, ..ErrCap::default() })
    }

    /// The level at `path` ends: one summary for the errors it did not
    /// keep, then the parent's count again.
    pub(super) fn leave_level(&mut self, parent: ErrCap, path: &str) {
        let done = std::mem::replace(&mut self.errs, parent);
        let Some(kind) = done.kind else { return };
        if done.nested && self.report.errors.len() >= MAX_ERRORS {
            // The report is full: fold this level's count into the
            // parent's summary instead of adding one line per level.
            self.errs.suppressed += done.suppressed;
            self.errs.kind = Some(kind);
            return;
        }
        let error = std::format!(
            "{kind}: {} more errors in this archive suppressed (at most {MAX_LEVEL_ERRORS} are listed per archive, {MAX_ERRORS} per scan)",
            done.suppressed
        );
        self.report.errors.push(ScanError { path: shorten(path), kind, error });
    }
}
