//! Print the detector's findings for one zip or class file, top level only
//! (no nesting: that is the walker's job). A debugging aid:
//!
//! ```text
//! cargo run -p scanner-core --example detect_one -- path/to/x.jar
//! ```
use std::io::{Cursor, Read};

use scanner_core::detect::{interest, scan_class, ArchiveInventory, Interest};

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("readable file");
        let findings = if bytes.starts_with(&scanner_core::class::MAGIC) {
            scan_class(&path, &path, &bytes)
        } else {
            let mut archive = zip::ZipArchive::new(Cursor::new(&bytes)).expect("a zip");
            let mut inv = ArchiveInventory::new(&path, &path);
            for i in 0..archive.len() {
                let Ok(mut e) = archive.by_index(i) else { continue };
                let Ok(name) = e.name().map(|n| n.to_string()) else { continue };
                inv.add_name(&name);
                let mut data = Vec::new();
                if interest(&name) == Interest::Read && e.read_to_end(&mut data).is_ok() {
                    inv.add_data(&name, &data);
                }
            }
            inv.finish()
        };
        println!("{}", serde_json::to_string_pretty(&findings).unwrap());
    }
}
