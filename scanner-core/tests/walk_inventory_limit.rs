//! When the detector's per-level bounds (`detect::MAX_ROOTS`) make it ignore
//! entries, the walker reports that as an `entry-limit` error of the archive:
//! junk that crowds out a real copy must not make the archive look clean.
use std::io::{Cursor, Write};

use scanner_core::detect::MAX_ROOTS;
use scanner_core::walk::{scan_bytes, Limits};
use scanner_core::ErrorKind;
use zip::write::SimpleFileOptions;

fn zip_of(names: impl Iterator<Item = String>) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for name in names {
        w.start_file(name, SimpleFileOptions::default()).expect("start_file");
        w.write_all(b"").expect("write");
    }
    w.finish().expect("finish").into_inner()
}

#[test]
fn inventory_truncation_is_an_error_of_the_archive() {
    // One distinct log4j 1.x package root per entry, more roots than the
    // detector keeps: the level is truncated and must say so.
    let bytes = zip_of((0..MAX_ROOTS + 10).map(|i| format!("junk{i}/org/apache/log4j/Category.class")));
    let r = scan_bytes("crowded.jar", &bytes, &Limits::default());
    let errs: Vec<_> = r.errors.iter().filter(|e| e.kind == ErrorKind::EntryLimit).collect();
    assert_eq!(errs.len(), 1, "errors: {:?}", r.errors);
    assert_eq!(errs[0].path, "crowded.jar");

    // Below the bound nothing is reported.
    let bytes = zip_of((0..10).map(|i| format!("junk{i}/org/apache/log4j/Category.class")));
    let r = scan_bytes("fine.jar", &bytes, &Limits::default());
    assert!(r.errors.iter().all(|e| e.kind != ErrorKind::EntryLimit), "errors: {:?}", r.errors);
}
