//! Hostile archive levels fed straight to `ArchiveInventory`, the way the
//! walker does (every name to `add_name`, the watched ones to `add_data`):
//! huge numbers of watched names, thousands of metadata files, names tens of
//! KiB long. Each test bounds time or memory with a margin that cannot flake
//! and checks that a real log4j-core in the same level is still reported.
//!
//! Expected verdicts come from the corpus README: log4j-core 2.14.1 has
//! CVE-2021-44228, CVE-2021-45046, CVE-2021-45105 and CVE-2021-44832 (row
//! "2.0-beta9 to 2.14.1"), listed in that order, status vulnerable.
#![cfg(feature = "std")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fs;
use std::time::{Duration, Instant};

mod common;
use common::{corpus, entries};
use scanner_core::detect::{interest, ArchiveInventory, Interest, MAX_NAME_LEN, MAX_ROOTS};
use scanner_core::{Component, Finding, Status, VersionSource};

/// Counts the bytes live on the current thread, so a test measures what the
/// inventory keeps without seeing the other tests' threads.
struct Counting;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let _ = LIVE.try_with(|c| c.set(c.get() + layout.size()));
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        // Memory allocated on another thread may be freed here: never wrap.
        let _ = LIVE.try_with(|c| c.set(c.get().saturating_sub(layout.size())));
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn live() -> usize {
    LIVE.with(|c| c.get())
}

const CORE_2_14_1_CVES: [&str; 4] = ["CVE-2021-44228", "CVE-2021-45046", "CVE-2021-45105", "CVE-2021-44832"];



/// One entry as the walker hands it over.
fn feed(inv: &mut ArchiveInventory, name: &str, data: &[u8]) {
    inv.add_name(name);
    if interest(name) == Interest::Read {
        inv.add_data(name, data);
    }
}

fn ids(f: &Finding) -> Vec<&str> {
    f.cves.iter().map(|c| c.id.as_str()).collect()
}

/// The log4j-core copy whose classes sit at the jar root among `findings`
/// (junk copies at `000123/org/…` are not relocated either, so it is told
/// by the entries its evidence names).
fn plain_core(findings: &[Finding]) -> &Finding {
    let at_root = |f: &&Finding| f.evidence.iter().any(|e| e.starts_with("org/apache/logging/log4j/core/"));
    let mut plain = findings.iter().filter(|f| f.component == Component::Log4jCore).filter(at_root);
    let f = plain.next().unwrap_or_else(|| panic!("no plain log4j-core among {} findings", findings.len()));
    assert!(plain.next().is_none(), "one plain copy only");
    f
}

fn assert_real_2_14_1(f: &Finding) {
    assert_eq!((f.version.as_str(), f.version_source, f.status), ("2.14.1", VersionSource::PomProperties, Status::Vulnerable), "{:?}", f.evidence);
    assert_eq!(ids(f), CORE_2_14_1_CVES);
}

#[test]
fn a_hundred_thousand_watched_names_finish_quickly() {
    // quadratic_small: 100k empty entries named like the canonical
    // JndiLookup under distinct prefixes, then a real 2.14.1 in the same
    // level. Every junk name is read and is no class, so (as for a damaged
    // entry next to nothing) it makes no group: the only finding is the real
    // copy, dated 2.14.1 by its pom. The old inventory compared every
    // canonical name with every read name: 10^10 compares, over 60 s even in
    // a release build. The fixed code takes about 0.1 s in release and 5 s
    // in a debug build (string searches are not optimised there), so a 60 s
    // bound cannot flake on a loaded machine and still fails the quadratic
    // code. Locations past MAX_ROOTS are refused, which the note says.
    let start = Instant::now();
    let mut inv = ArchiveInventory::new("t.war", "t.war");
    for i in 0..100_000 {
        feed(&mut inv, &format!("{i:06}/org/apache/logging/log4j/core/lookup/JndiLookup.class"), b"");
    }
    for (name, data) in entries("log4j/log4j-core-2.14.1.jar") {
        feed(&mut inv, &name, &data);
    }
    let note = inv.truncated().expect("100k locations exceed MAX_ROOTS");
    assert!(note.contains(&format!("{MAX_ROOTS} distinct package roots")), "{note}");
    let findings = inv.finish();
    let elapsed = start.elapsed();
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");
    assert_eq!(findings.len(), 1, "{:?}", findings.iter().map(|f| &f.path).collect::<Vec<_>>());
    assert_real_2_14_1(&findings[0]);
    assert!(findings[0].evidence.contains(&note), "the finding carries the note");
}

#[test]
fn unread_watched_names_are_capped_per_level() {
    // The same names, listed but never read (the walker failed on them):
    // each distinct location is then an unknown log4j-core group, so without
    // a cap the output would grow with the input. Expected: MAX_ROOTS junk
    // findings at most, plus the real copy, still 2.14.1 with its CVEs (its
    // classes were read, and its location, the jar root, is never crowded out).
    let mut inv = ArchiveInventory::new("t.war", "t.war");
    for i in 0..50_000 {
        inv.add_name(&format!("{i:06}/org/apache/logging/log4j/core/lookup/JndiLookup.class"));
    }
    for (name, data) in entries("log4j/log4j-core-2.14.1.jar") {
        feed(&mut inv, &name, &data);
    }
    assert!(inv.truncated().is_some());
    let findings = inv.finish();
    assert_eq!(findings.len(), MAX_ROOTS + 1);
    assert_real_2_14_1(plain_core(&findings));
}

#[test]
fn thousands_of_shaded_copies_with_poms_are_linear() {
    // claims_quadratic: N copies of the real 2.14.1 JndiLookup.class, each
    // under its own prefix with its own log4j-core pom saying 2.14.1. Each
    // copy is its own group (one finding), its pom sits next to it, and the
    // class is present, so each is 2.14.1 with the four CVEs. The old code
    // scanned every pom (with a format!) for every group: 11 s for 5000 in
    // a release build. 4000 stays below every bound, so nothing is truncated.
    let class = fs::read(corpus().join("classes/JndiLookup.class-2.14.1")).unwrap();
    let pom = b"groupId=org.apache.logging.log4j\nartifactId=log4j-core\nversion=2.14.1\n";
    let start = Instant::now();
    let mut inv = ArchiveInventory::new("t.jar", "t.jar");
    for i in 0..4000 {
        feed(&mut inv, &format!("s{i:05}/org/apache/logging/log4j/core/lookup/JndiLookup.class"), &class);
        feed(&mut inv, &format!("s{i:05}/META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties"), pom);
    }
    assert_eq!(inv.truncated(), None);
    let findings = inv.finish();
    let elapsed = start.elapsed();
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    assert_eq!(findings.len(), 4000);
    for f in &findings {
        assert_eq!((f.component, f.version.as_str(), f.version_source, f.status), (Component::Log4jCore, "2.14.1", VersionSource::PomProperties, Status::Vulnerable));
        assert_eq!(ids(f), CORE_2_14_1_CVES);
    }

    // One copy more than MAX_ROOTS: the copies past the cap are refused, in
    // the order they came (names first, as the walker lists them).
    let mut inv = ArchiveInventory::new("t.jar", "t.jar");
    let names: Vec<String> = (0..MAX_ROOTS + 1).map(|i| format!("s{i:05}/org/apache/logging/log4j/core/lookup/JndiLookup.class")).collect();
    for n in &names {
        inv.add_name(n);
    }
    for n in &names {
        inv.add_data(n, &class);
    }
    assert!(inv.truncated().is_some());
    let findings = inv.finish();
    assert_eq!(findings.len(), MAX_ROOTS);
    let last = format!("s{MAX_ROOTS:05}/");
    assert!(!findings.iter().any(|f| f.evidence.iter().any(|e| e.starts_with(&last))));
    assert!(findings.iter().any(|f| f.evidence.iter().any(|e| e.starts_with("s00000/"))));
}

#[test]
fn names_of_64_kib_are_not_kept() {
    // roots_mem: class names of 64 KiB, each a distinct
    // `<junk>/org/apache/log4j/` root. The old inventory kept each as a map
    // key: 1000 of them were 64 MiB (the reproducer's 4000, 285 MB). Names
    // over MAX_NAME_LEN are ignored (no real package path is that long), so
    // what stays is a counter: well under 64 KiB (the bound; a single name
    // is larger).
    let mut name = "a".repeat(65500) + "/org/apache/log4j/Foo.class";
    let before = live();
    let mut inv = ArchiveInventory::new("t.jar", "t.jar");
    for i in 0..1000 {
        name.replace_range(..4, &format!("{i:04}"));
        assert!(name.len() > MAX_NAME_LEN);
        inv.add_name(&name);
    }
    let kept = live().saturating_sub(before);
    assert!(kept < 64 << 10, "kept {kept} bytes");
    let note = inv.truncated().expect("long names are reported");
    assert!(note.contains(&format!("1000 class or metadata entries with names over {MAX_NAME_LEN} bytes")), "{note}");
    assert!(inv.finish().is_empty());
}

#[test]
fn distinct_roots_of_every_kind_are_bounded_in_memory() {
    // Names just under MAX_NAME_LEN, 3000 distinct prefixes, each with a
    // log4j 1.x root, a logback root, a renamed JndiLookup and a canonical
    // JndiLookup (listed and read): kept without bound that is at least
    // 4 × 3000 × 3.9 KB = 47 MB. The inventory keeps at most
    // MAX_KEPT_BYTES (8 MiB) plus a 1 MiB reserve of strings, plus map
    // overhead per record (under 200 bytes, for at most a few thousand
    // records): the bound is 16 MiB. A real 2.14.1 at the jar root after
    // the flood may use the reserve, so it is still reported.
    let before = live();
    let mut inv = ArchiveInventory::new("t.jar", "t.jar");
    let pad = "p".repeat(3900);
    for i in 0..3000 {
        for tail in [
            "org/apache/log4j/Foo.class",
            "ch/qos/logback/classic/Foo.class",
            "org/apache/logging/log4j/core/lookup/JndiLookupX.class",
            "org/apache/logging/log4j/core/lookup/JndiLookup.class",
        ] {
            let name = format!("{pad}{i:05}/{tail}");
            assert!(name.len() <= MAX_NAME_LEN);
            feed(&mut inv, &name, b"");
        }
    }
    for (name, data) in entries("log4j/log4j-core-2.14.1.jar") {
        feed(&mut inv, &name, &data);
    }
    let kept = live().saturating_sub(before);
    assert!(kept < 16 << 20, "kept {kept} bytes");
    assert!(inv.truncated().is_some());
    let start = Instant::now();
    let findings = inv.finish();
    assert!(start.elapsed() < Duration::from_secs(10));
    // The logback roots that were kept each give an unversioned finding;
    // the log4j 1.x and canonical junk give none (no 1.x-only class, no
    // readable class). So: logback findings (at most MAX_ROOTS) + the core.
    assert!(findings.len() <= MAX_ROOTS + 1);
    assert!(findings.iter().all(|f| f.component == Component::Logback || f.component == Component::Log4jCore));
    assert_real_2_14_1(plain_core(&findings));
}

#[test]
fn a_megabyte_version_is_clipped() {
    // A log4j-core pom whose version is 1 MB of text next to the real
    // 2.14.1 classes: no release version, so the bytecode decides (2.14.x,
    // four CVEs per the README) and the evidence quotes a clipped text, not
    // the megabyte.
    let mut all = entries("log4j/log4j-core-2.14.1.jar");
    for (name, data) in all.iter_mut() {
        if name.ends_with("log4j-core/pom.properties") {
            *data = format!("groupId=org.apache.logging.log4j\nartifactId=log4j-core\nversion=2.14.1{}\n", "x".repeat(1 << 20)).into_bytes();
        }
    }
    let mut inv = ArchiveInventory::new("log4j-core.jar", "log4j-core.jar");
    for (name, data) in &all {
        feed(&mut inv, name, data);
    }
    let findings = inv.finish();
    assert_eq!(findings.len(), 1);
    let f = &findings[0];
    assert_eq!(f.status, Status::Vulnerable);
    assert_eq!(ids(f), CORE_2_14_1_CVES);
    assert!(f.evidence.iter().any(|e| e.contains("which is not a release version")), "{:?}", f.evidence);
    assert!(f.evidence.iter().all(|e| e.len() < 1024));
}
