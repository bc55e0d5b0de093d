//! Damaged input never panics, hangs or runs away with memory: corpus
//! archives with bytes flipped, sizes saturated and tails cut, through the
//! walker. A deterministic generator, so a failure names a reproducible
//! case. (The fuzz target covers the same ground without a time budget.)
use std::path::Path;
use std::time::{Duration, Instant};

use scanner_core::walk::{scan_bytes, Limits};

fn corpus(rel: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus").join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("corpus file {} missing: {e}", p.display()))
}

/// xorshift64*: tiny, deterministic, good enough to pick offsets.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes near the structures worth damaging: the end records and the
/// central directory sit in the tail, headers at the start.
fn pick(rng: &mut Rng, len: usize) -> usize {
    match rng.below(3) {
        0 => rng.below(len.min(4096)),
        1 => len - 1 - rng.below(len.min(70_000)),
        _ => rng.below(len),
    }
}

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut b = input.to_vec();
    match rng.below(4) {
        0 => {
            for _ in 0..1 + rng.below(8) {
                let i = pick(rng, b.len());
                b[i] ^= 1 << rng.below(8);
            }
        }
        1 => {
            // A size or offset field saturated, as ZIP64 markers or lies.
            let i = pick(rng, b.len()).min(b.len() - 4);
            b[i..i + 4].copy_from_slice(&[0xFF; 4]);
        }
        2 => b.truncate(pick(rng, b.len())),
        _ => {
            let i = pick(rng, b.len());
            b.splice(i..i, std::iter::repeat_n(0u8, 1 + rng.below(64)));
        }
    }
    b
}

#[test]
fn damaged_archives_are_errors_not_crashes() {
    let inputs = [
        "archives/google-helloworld.jar",
        "archives/google-vuln-class-executable",
        "archives/google-corrupt_jar_in_jar.jar",
        "archives/logpresso-log4j1_buddies_outer.aar",
        "archives/go-zip-zip64.zip",
        "archives/go-zip-go-no-datadesc-sig.zip",
        "archives/palantir-wrapped_log4j.tar",
        "archives/google-zbsm.jar",
    ];
    // Small limits, so runaway sizes would show as allocations past them.
    let limits = Limits { max_entry_bytes: 4 << 20, max_scan_bytes: 64 << 20, ..Limits::default() };
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for rel in inputs {
        let original = corpus(rel);
        for case in 0..150 {
            let damaged = mutate(&mut rng, &original);
            let started = Instant::now();
            let r = scan_bytes("x", &damaged, &limits);
            assert!(started.elapsed() < Duration::from_secs(10), "{rel} case {case}: too slow");
            assert_eq!((r.scanned.files, r.scanned.bytes), (1, damaged.len() as u64), "{rel} case {case}");
            for e in &r.errors {
                assert!(e.path.starts_with('x') && e.error.starts_with(e.kind.as_str()), "{rel} case {case}: {e:?}");
            }
        }
    }
}
