//! Helpers shared by the detector's integration tests.
#![allow(dead_code)] // each test binary uses its own subset

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The shared corpus beside the checkout.
pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

/// Every entry of a corpus jar, as (name, bytes).
pub fn entries(jar: &str) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(fs::File::open(corpus().join(jar)).unwrap()).unwrap();
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut e = archive.by_index(i).unwrap();
        let name = e.name().unwrap().to_string();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        out.push((name, data));
    }
    out
}
