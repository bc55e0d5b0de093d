//! The read-ahead hints of `walk::Source::prefetch`: they never change a
//! report, and a reader that honours them gets the local headers and end
//! records of nested STORED jars, and the small entries the detector reads,
//! before the walker reads them.
use std::io::{Cursor, Write};
use std::path::Path;

use scanner_core::walk::{scan_reader, scan_source, Limits, Source};
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

fn corpus(rel: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus").join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("corpus file {} missing: {e}", p.display()))
}

/// A Spring-Boot-style jar: nested jars STORED under BOOT-INF/lib.
fn fat_jar() -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    w.start_file("META-INF/MANIFEST.MF", deflated).unwrap();
    w.write_all(b"Manifest-Version: 1.0\r\n\r\n").unwrap();
    for i in 0..30 {
        w.start_file(format!("BOOT-INF/classes/com/example/C{i}.class"), deflated).unwrap();
        w.write_all(&[0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 52]).unwrap();
    }
    for jar in ["log4j/log4j-api-2.14.1.jar", "log4j/log4j-core-2.14.1.jar", "log4j/log4j-core-2.17.1.jar", "log4j/log4j-1.2.17.jar"] {
        w.start_file(format!("BOOT-INF/lib/{}", jar.rsplit('/').next().unwrap()), stored).unwrap();
        w.write_all(&corpus(jar)).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Bytes in memory that record what the walker asked for.
struct Recorder<'a> {
    data: &'a [u8],
    hinted: Vec<(u64, u64)>,
    /// Reads, and whether a hint given before covered each.
    reads: Vec<(u64, u64, bool)>,
}

impl Source for Recorder<'_> {
    fn len(&self) -> u64 {
        self.data.len() as u64
    }
    fn read_at(&mut self, off: u64, buf: &mut [u8]) -> std::io::Result<usize> {
        let rest = &self.data[off as usize..];
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        let end = off + n as u64;
        let covered = self.hinted.iter().any(|&(a, b)| a <= off && end <= b);
        self.reads.push((off, end, covered));
        Ok(n)
    }
    fn prefetch(&mut self, ranges: &[(u64, u64)]) {
        for &(a, b) in ranges {
            assert!(a < b && b <= self.len(), "hint {a}..{b} empty or outside a {}-byte input", self.len());
        }
        self.hinted.extend_from_slice(ranges);
    }
}

#[test]
fn hints_are_never_empty_or_outside_the_input() {
    // An end record claiming entries but a 0-byte directory after 100 bytes
    // of junk, a 0-byte file, a file shorter than the 512-byte head: the
    // Recorder asserts every hint is a non-empty range inside the input.
    let mut eocd_only = vec![b'x'; 100];
    eocd_only.extend_from_slice(b"PK\x05\x06\0\0\0\0\x01\0\x01\0\0\0\0\0\0\0\0\0\0\0");
    let small = corpus("archives/go-zip-crc32-not-streamed.zip");
    for data in [eocd_only, Vec::new(), b"PK".to_vec(), small] {
        let mut rec = Recorder { data: &data, hinted: Vec::new(), reads: Vec::new() };
        let _ = scan_source("x.zip", &mut rec, &Limits::default(), &mut ());
    }
}

#[test]
fn hints_change_nothing_and_cover_nested_jars() {
    let jar = fat_jar();
    let plain = scan_reader("fat.jar", Cursor::new(&jar), jar.len() as u64, &Limits::default(), &mut ());
    let mut rec = Recorder { data: &jar, hinted: Vec::new(), reads: Vec::new() };
    let hinted = scan_source("fat.jar", &mut rec, &Limits::default(), &mut ());
    assert_eq!(serde_json::to_value(&hinted).unwrap(), serde_json::to_value(&plain).unwrap());
    // 2.14.1 vulnerable, 2.17.1 fixed, 1.2.17 (log4j 1.x): three findings.
    assert_eq!(hinted.findings.len(), 3, "{:#?}", hinted.findings);

    // Every local header read (a 30-byte read of `PK\3\4` past offset 0)
    // that belongs to a nested jar or to an entry the detector reads was
    // hinted first. Those are all the local headers read here except the
    // top-level MANIFEST.MF's and the class stubs', which are never read.
    let local_reads: Vec<_> = rec.reads.iter().filter(|r| r.1 - r.0 == 30 && jar[r.0 as usize..].starts_with(b"PK\x03\x04")).collect();
    assert!(!local_reads.is_empty());
    let unhinted: Vec<_> = local_reads.iter().filter(|r| !r.2).collect();
    // Only entries bigger than the 64 KiB read-ahead bound would be read
    // unhinted; every watched class and properties file here is smaller.
    assert!(unhinted.is_empty(), "local headers read without a hint: {unhinted:?} of {}", local_reads.len());

    // The four nested jars' end records: each jar's last 22 bytes were
    // inside a hint before they were read.
    let ends: Vec<u64> = (0..jar.len() - 22).filter(|&i| jar[i..].starts_with(b"PK\x05\x06")).map(|i| i as u64).collect();
    let nested_ends: Vec<u64> = ends.iter().copied().filter(|&e| e + 22 < jar.len() as u64).collect();
    assert!(nested_ends.len() >= 4, "{ends:?}");
    for e in nested_ends {
        let first_read = rec.reads.iter().find(|r| r.0 <= e && e + 22 <= r.1).expect("every nested jar is opened");
        assert!(first_read.2, "end record at {e} read without a hint");
    }
}
