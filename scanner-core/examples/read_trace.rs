//! Print every read the walker makes on a file, as `offset length` lines,
//! for studying (and simulating) how a remote or browser-side reader should
//! fetch: `cargo run --release --example read_trace -- FILE > trace.txt`.
use std::io::{Read, Seek, SeekFrom};

struct Traced {
    file: std::fs::File,
    pos: u64,
}

impl Read for Traced {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        println!("{} {}", self.pos, buf.len());
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Traced {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.pos = self.file.seek(to)?;
        Ok(self.pos)
    }
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: read_trace FILE");
    let file = std::fs::File::open(&path).expect("open");
    let len = file.metadata().expect("stat").len();
    let report = scanner_core::walk::scan_reader(&path, Traced { file, pos: 0 }, len, &Default::default(), &mut ());
    eprintln!("{} findings, {} errors", report.findings.len(), report.errors.len());
}
