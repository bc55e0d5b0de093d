//! `log4j-scan [--format text|json] [--quiet] PATH...`
use std::fs::File;

/// Run the archive scan; returns the process exit status.
pub fn main(args: &[String]) -> u8 {
    let paths: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    if paths.is_empty() {
        eprintln!("usage: log4j-scan [--format text|json] [--quiet] PATH...");
        return 2;
    }
    for p in paths {
        match File::open(p) {
            Ok(f) => {
                let len = f.metadata().map(|m| m.len()).unwrap_or(0);
                let report = scanner_core::walk::scan_reader(p, f, len);
                println!("{}", serde_json::to_string(&report).unwrap_or_default());
            }
            Err(e) => {
                eprintln!("{p}: {e}");
                return 2;
            }
        }
    }
    0
}
