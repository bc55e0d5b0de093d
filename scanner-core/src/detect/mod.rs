//! From archive entries to findings: the part of the engine that knows what
//! Log4j looks like. Pure (`no_std`): it is fed entry names and the bytes of
//! the entries it asked for, and never touches files itself.
//!
//! Contract with the walker (`crate::walk`):
//! 1. For every entry of an archive the walker calls [`interest`] with the
//!    entry name. It reads the data only of entries that answer
//!    [`Interest::Read`], and tries to open as a nested archive those that
//!    answer [`Interest::MaybeArchive`] (confirming by magic bytes).
//! 2. One [`ArchiveInventory`] per archive level: `add_name` for every entry,
//!    `add_data` for each entry read, then `finish` for the findings.
//! 3. A bare class file given directly goes through [`scan_class`].
use alloc::string::String;
use alloc::vec::Vec;

use crate::report::Finding;

/// What the walker should do with an entry, decided from its name alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interest {
    /// Only the name matters (or not even that).
    Ignore,
    /// A watched class or metadata file: hand its bytes to `add_data`.
    Read,
    /// Possibly a nested archive: open it if its bytes say it is one.
    MaybeArchive,
}

/// Decide from an entry name whether its bytes are needed. Costs a few
/// suffix comparisons; allocation-free.
pub fn interest(_name: &str) -> Interest {
    Interest::Ignore
}

/// Evidence collected for one archive level.
#[derive(Debug, Default)]
pub struct ArchiveInventory {
    file: String,
    path: String,
}

impl ArchiveInventory {
    /// `file` is the top-level input, `path` the full nested path of this
    /// archive (`file` itself at the top level).
    pub fn new(file: &str, path: &str) -> Self {
        ArchiveInventory { file: file.into(), path: path.into() }
    }

    /// Record that an entry of this name exists.
    pub fn add_name(&mut self, _name: &str) {}

    /// Record the bytes of an entry for which [`interest`] said `Read`.
    pub fn add_data(&mut self, _name: &str, _data: &[u8]) {}

    /// The components this archive level holds.
    pub fn finish(self) -> Vec<Finding> {
        let _ = (self.file, self.path);
        Vec::new()
    }
}

/// What a bare class file proves on its own.
pub fn scan_class(_file: &str, _path: &str, _data: &[u8]) -> Vec<Finding> {
    Vec::new()
}
