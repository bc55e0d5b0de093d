//! Archives built here, with the `zip` writer, from the real corpus jars:
//! the layouts deployments use (WAR, EAR, Spring Boot), the edits people
//! make (JndiLookup removed, relocation), and hostile or broken input.
//!
//! Expected values come from the corpus README rules: log4j-core 2.14.1 has
//! CVE-2021-44228, -45046, -45105 and -44832; without `JndiLookup.class` it
//! is `mitigated` and keeps only -45105 and -44832.
//!
//! `walker_*` tests check what the walker alone decides (paths, errors,
//! counts). `finding_*` tests also need the detector behind
//! `scanner_core::detect`.
use std::collections::BTreeSet;
use std::io::{Cursor, Read, Write};
use std::path::Path;

use scanner_core::walk::{scan_bytes, scan_reader, Limits, Progress};
use scanner_core::{ErrorKind, Finding, Report, Status};
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

const CORE: &str = "log4j/log4j-core-2.14.1.jar";
const CVES_2141: &[&str] = &["CVE-2021-44228", "CVE-2021-45046", "CVE-2021-45105", "CVE-2021-44832"];
const CVES_MITIGATED: &[&str] = &["CVE-2021-45105", "CVE-2021-44832"];
const JNDI_LOOKUP: &str = "org/apache/logging/log4j/core/lookup/JndiLookup.class";

fn corpus(rel: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus").join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("corpus file {} missing: {e}", p.display()))
}

/// A ZIP of `(name, data, stored)` entries.
fn zip_of(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data, stored) in entries {
        let method = if *stored { CompressionMethod::Stored } else { CompressionMethod::Deflated };
        w.start_file(*name, SimpleFileOptions::default().compression_method(method)).expect("start_file");
        w.write_all(data).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

/// Every entry of a ZIP, in order.
fn entries_of(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut a = zip::ZipArchive::new(Cursor::new(bytes)).expect("open zip");
    (0..a.len())
        .map(|i| {
            let mut f = a.by_index(i).expect("entry");
            let mut data = Vec::new();
            f.read_to_end(&mut data).expect("read entry");
            (f.name().expect("entry name").to_string(), data)
        })
        .collect()
}

fn rezip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let refs: Vec<(&str, &[u8], bool)> = entries.iter().map(|(n, d)| (n.as_str(), d.as_slice(), false)).collect();
    zip_of(&refs)
}

#[derive(Default)]
struct Watch {
    opened: BTreeSet<String>,
    calls: Vec<(u64, u64)>,
}

impl Progress for Watch {
    fn progress(&mut self, bytes: u64, entries: u64) {
        self.calls.push((bytes, entries));
    }
    fn archive_opened(&mut self, path: &str) {
        self.opened.insert(path.to_string());
    }
}

fn scan_with(name: &str, bytes: &[u8], limits: &Limits) -> (Report, Watch) {
    let mut w = Watch::default();
    let r = scan_reader(name, Cursor::new(bytes), bytes.len() as u64, limits, &mut w);
    (r, w)
}

fn scan(name: &str, bytes: &[u8]) -> (Report, Watch) {
    scan_with(name, bytes, &Limits::default())
}

fn errors(r: &Report) -> Vec<(String, ErrorKind)> {
    r.errors.iter().map(|e| (e.path.clone(), e.kind)).collect()
}

fn cves(f: &Finding) -> Vec<&str> {
    f.cves.iter().map(|c| c.id.as_str()).collect()
}

/// The one log4j-core finding at `path`.
fn core_at<'r>(r: &'r Report, path: &str) -> &'r Finding {
    let found: Vec<&Finding> = r.findings.iter().filter(|f| f.path == path).collect();
    assert_eq!(found.len(), 1, "expected one finding at {path}, got {:#?}", r.findings);
    found[0]
}

fn war() -> Vec<u8> {
    let core = corpus(CORE);
    zip_of(&[
        ("WEB-INF/web.xml", b"<web-app/>", false),
        ("WEB-INF/classes/com/example/App.class", &[0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 52], false),
        ("WEB-INF/lib/log4j-core-2.14.1.jar", &core, false),
    ])
}

fn ear() -> Vec<u8> {
    zip_of(&[("META-INF/application.xml", b"<application/>", false), ("app.war", &war(), true)])
}

fn spring_boot() -> Vec<u8> {
    let core = corpus(CORE);
    let api = corpus("log4j/log4j-api-2.14.1.jar");
    let zip = zip_of(&[
        ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\nMain-Class: org.springframework.boot.loader.JarLauncher\r\n", false),
        ("BOOT-INF/classes/com/example/App.class", &[0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 52], false),
        ("BOOT-INF/lib/log4j-api-2.14.1.jar", &api, true),
        ("BOOT-INF/lib/log4j-core-2.14.1.jar", &core, true),
    ]);
    // An executable jar: a launcher script prepended, offsets left as they
    // were, so the archive is found only from its end.
    let mut out = b"#!/bin/sh\nexec java -jar \"$0\" \"$@\"\nexit 1\n".to_vec();
    out.extend_from_slice(&zip);
    out
}

#[test]
fn walker_nested_paths() {
    let (r, w) = scan("app.war", &war());
    assert!(w.opened.contains("app.war!/WEB-INF/lib/log4j-core-2.14.1.jar"), "{:?}", w.opened);
    assert_eq!(errors(&r), vec![]);
    assert_eq!(r.scanned.archives, 2);

    let (r, w) = scan("app.ear", &ear());
    assert!(w.opened.contains("app.ear!/app.war!/WEB-INF/lib/log4j-core-2.14.1.jar"), "{:?}", w.opened);
    assert_eq!(errors(&r), vec![]);

    let (r, w) = scan("boot.jar", &spring_boot());
    assert!(w.opened.contains("boot.jar!/BOOT-INF/lib/log4j-core-2.14.1.jar"), "{:?}", w.opened);
    assert!(w.opened.contains("boot.jar!/BOOT-INF/lib/log4j-api-2.14.1.jar"));
    assert_eq!(errors(&r), vec![]);
}

#[test]
fn walker_counts_and_progress() {
    let core = corpus(CORE);
    let n = entries_of(&core).len() as u64;
    let (r, w) = scan("app.war", &war());
    assert_eq!(r.scanned.entries, 3 + n);
    assert_eq!(r.scanned.files, 1);
    let last = *w.calls.last().expect("progress called");
    assert_eq!(last, (war().len() as u64, 3 + n));
    assert!(w.calls.windows(2).all(|p| p[0].0 <= p[1].0 && p[0].1 <= p[1].1), "progress not monotonic");
    // The slice and the reader entry points agree.
    assert_eq!(scan_bytes("app.war", &war(), &Limits::default()), r);
}

#[test]
fn walker_depth_limit() {
    // jar0 ⊃ jar1 ⊃ … ⊃ jar5, each STORED in the one before; with
    // max_depth 3 the archive at depth 4 is refused.
    let mut inner = corpus("archives/google-helloworld.jar");
    for level in (1..=5).rev() {
        inner = zip_of(&[(&format!("jar{level}.jar"), &inner, level % 2 == 0)]);
    }
    let limits = Limits { max_depth: 3, ..Limits::default() };
    let (r, w) = scan_with("jar0.jar", &inner, &limits);
    let deepest_opened = "jar0.jar!/jar1.jar!/jar2.jar!/jar3.jar";
    assert!(w.opened.contains(deepest_opened), "{:?}", w.opened);
    assert_eq!(w.opened.len(), 4);
    assert_eq!(errors(&r), vec![(format!("{deepest_opened}!/jar4.jar"), ErrorKind::DepthLimit)]);
}

#[test]
fn walker_truncated_and_not_an_archive() {
    let core = corpus(CORE);
    let cut = &core[..core.len() / 2];
    let (r, _) = scan("cut.jar", cut);
    assert_eq!(errors(&r), vec![("cut.jar".to_string(), ErrorKind::BadZip)]);
    let (r, _) = scan("Fake.class", b"public class Fake {}");
    assert_eq!(errors(&r), vec![("Fake.class".to_string(), ErrorKind::BadClass)]);
    let (r, _) = scan("notes.txt", b"public class Fake {}");
    assert_eq!(errors(&r), vec![], "plain files are not errors");

    let outer = zip_of(&[("lib/cut.jar", cut, true), ("lib/text.jar", b"not a jar at all, just text", false), ("ok.jar", &corpus("archives/google-helloworld.jar"), true)]);
    let (r, w) = scan("outer.zip", &outer);
    assert_eq!(
        errors(&r),
        vec![("outer.zip!/lib/cut.jar".to_string(), ErrorKind::BadZip), ("outer.zip!/lib/text.jar".to_string(), ErrorKind::NotAnArchive)]
    );
    assert!(w.opened.contains("outer.zip!/ok.jar"), "the scan went on after the bad entries");
}

/// Set the compression method of every entry called `name`, in the local
/// and the central headers.
fn set_method(zip: &mut [u8], name: &str, method: u16) {
    let mut i = 0;
    while i + 46 < zip.len() {
        let (sig, off_name, off_method) = match &zip[i..i + 4] {
            b"PK\x03\x04" => (true, 30, 8),
            b"PK\x01\x02" => (true, 46, 10),
            _ => (false, 0, 0),
        };
        let nlen_at = if off_name == 30 { 26 } else { 28 };
        if sig {
            let nlen = u16::from_le_bytes([zip[i + nlen_at], zip[i + nlen_at + 1]]) as usize;
            if zip.get(i + off_name..i + off_name + nlen) == Some(name.as_bytes()) {
                zip[i + off_method..i + off_method + 2].copy_from_slice(&method.to_le_bytes());
            }
        }
        i += 1;
    }
}

#[test]
fn walker_unsupported_and_corrupt_entries() {
    let hello = corpus("archives/google-helloworld.jar");
    let mut z = zip_of(&[("a.jar", &hello, true), ("b.jar", &hello, true)]);
    set_method(&mut z, "a.jar", 15);
    let (r, w) = scan("m.zip", &z);
    assert_eq!(errors(&r), vec![("m.zip!/a.jar".to_string(), ErrorKind::UnsupportedCompression)]);
    assert!(w.opened.contains("m.zip!/b.jar"));

    // A damaged deflate stream: either the inflater or the CRC-32 notices.
    let core = corpus(CORE);
    let mut z = zip_of(&[("inner.jar", &core, false)]);
    let mid = z.len() / 2;
    z[mid] ^= 0x55;
    z[mid + 1] ^= 0xAA;
    let (r, _) = scan("c.zip", &z);
    assert_eq!(errors(&r), vec![("c.zip!/inner.jar".to_string(), ErrorKind::CorruptEntry)]);
}

#[test]
fn walker_ratio_bomb_and_size_limits() {
    let zeros = vec![0u8; 24 << 20];
    let z = zip_of(&[("bomb.jar", &zeros, false), ("ok.jar", &corpus("archives/google-helloworld.jar"), true)]);
    assert!(z.len() < 100_000, "{} bytes", z.len());
    let (r, w) = scan("bomb.zip", &z);
    assert_eq!(errors(&r), vec![("bomb.zip!/bomb.jar".to_string(), ErrorKind::Bomb)]);
    assert!(w.opened.contains("bomb.zip!/ok.jar"));

    // Same entry under a small per-entry limit: refused from its declared
    // size, before inflating anything.
    let limits = Limits { max_entry_bytes: 1 << 20, ..Limits::default() };
    let (r, _) = scan_with("bomb.zip", &z, &limits);
    assert_eq!(errors(&r), vec![("bomb.zip!/bomb.jar".to_string(), ErrorKind::SizeLimit)]);
}

#[test]
fn walker_bounds_memory_held_across_levels() {
    // Three DEFLATED levels of ~1.75 MB each under a 2 MiB per-entry limit:
    // each fits alone, but with a and b held in memory there is too little
    // room left for c (all levels together stay under twice the limit), so
    // c is read as a stream instead, and still opened.
    let core = corpus(CORE);
    let b = zip_of(&[("c.jar", &core, false)]);
    let a = zip_of(&[("b.jar", &b, false)]);
    let o = zip_of(&[("a.jar", &a, false)]);
    let limits = Limits { max_entry_bytes: 2 << 20, ..Limits::default() };
    let (r, w) = scan_with("o.zip", &o, &limits);
    assert_eq!(errors(&r), vec![]);
    assert!(w.opened.contains("o.zip!/a.jar!/b.jar!/c.jar"), "{:?}", w.opened);
    let (r2, _) = scan("o.zip", &o);
    assert_eq!(r.scanned, r2.scanned, "streamed or held, the same entries");
}

#[test]
fn walker_overlapping_entries_are_a_bomb() {
    // google-zbsm.jar: 250 entries whose data overlap (corpus notes).
    let (r, _) = scan("zbsm.jar", &corpus("archives/google-zbsm.jar"));
    assert_eq!(errors(&r), vec![("zbsm.jar".to_string(), ErrorKind::Bomb)]);
    assert_eq!(r.scanned.entries, 250);
}

#[test]
fn walker_entry_limit() {
    // 120 entries (corpus notes); the walker stops listing at 10.
    let limits = Limits { max_entries: 10, ..Limits::default() };
    let (r, _) = scan_with("many.zip", &corpus("archives/go-zip-large-number-of-files.zip"), &limits);
    assert_eq!(errors(&r), vec![("many.zip".to_string(), ErrorKind::EntryLimit)]);
    assert_eq!(r.scanned.entries, 10);
}

#[test]
fn walker_tar_gz_members_are_one_level() {
    let (r, w) = scan("w.tar.gz", &corpus("archives/palantir-wrapped_log4j.tar.gz"));
    assert_eq!(errors(&r), vec![]);
    assert!(w.opened.contains("w.tar.gz!/log4j-core-2.14.1.jar"), "{:?}", w.opened);
    let (_, w) = scan("w.tar", &corpus("archives/palantir-wrapped_log4j.tar"));
    assert!(w.opened.contains("w.tar!/log4j-core-2.14.1.jar"), "{:?}", w.opened);
}

// ---- with the detector ----

#[test]
fn finding_war_ear_spring_boot() {
    for (name, bytes, path) in [
        ("app.war", war(), "app.war!/WEB-INF/lib/log4j-core-2.14.1.jar"),
        ("app.ear", ear(), "app.ear!/app.war!/WEB-INF/lib/log4j-core-2.14.1.jar"),
        ("boot.jar", spring_boot(), "boot.jar!/BOOT-INF/lib/log4j-core-2.14.1.jar"),
    ] {
        let (r, _) = scan(name, &bytes);
        assert_eq!(r.findings.len(), 1, "{name}: {:#?}", r.findings);
        let f = core_at(&r, path);
        assert_eq!((f.version.as_str(), f.status, cves(f)), ("2.14.1", Status::Vulnerable, CVES_2141.to_vec()), "{name}");
        assert_eq!(f.file, name);
    }
}

#[test]
fn finding_jndilookup_removed_is_mitigated() {
    let mut e = entries_of(&corpus(CORE));
    let before = e.len();
    e.retain(|(n, _)| n != JNDI_LOOKUP);
    assert_eq!(e.len(), before - 1);
    let (r, _) = scan("patched.jar", &rezip(&e));
    let f = core_at(&r, "patched.jar");
    assert_eq!((f.version.as_str(), f.status, cves(f)), ("2.14.1", Status::Mitigated, CVES_MITIGATED.to_vec()));
}

#[test]
fn finding_duplicate_entry_names() {
    // The zip writer refuses duplicates, so write distinct names of the
    // same length and then make them equal in the raw bytes.
    let e = entries_of(&corpus(CORE));
    let lookup = e.iter().find(|(n, _)| n == JNDI_LOOKUP).expect("JndiLookup in 2.14.1").1.clone();
    let twin = JNDI_LOOKUP.replace("JndiLookup", "JndiLookuq");
    let mut e2 = e.clone();
    e2.push((twin.clone(), lookup));
    let mut z = rezip(&e2);
    let (from, to) = (twin.as_bytes(), JNDI_LOOKUP.as_bytes());
    let mut replaced = 0;
    for i in 0..z.len() - from.len() {
        if &z[i..i + from.len()] == from {
            z[i..i + from.len()].copy_from_slice(to);
            replaced += 1;
        }
    }
    assert_eq!(replaced, 2, "local and central header");
    // (The `zip` crate's reader keeps one entry per name, so only the
    // walker's own count can show both.)
    let (r, _) = scan("dup.jar", &z);
    assert_eq!(errors(&r), vec![]);
    assert_eq!(r.scanned.entries, e.len() as u64 + 1);
    let f = core_at(&r, "dup.jar");
    assert_eq!((f.version.as_str(), f.status, cves(f)), ("2.14.1", Status::Vulnerable, CVES_2141.to_vec()));
}

/// Rewrite every constant-pool Utf8 string of a class file, replacing
/// `from` by `to` (class names, descriptors, signatures, string constants).
/// Layout from the JVM specification, §4.4.
fn relocate_class(class: &[u8], from: &str, to: &str) -> Vec<u8> {
    assert_eq!(&class[..4], &[0xCA, 0xFE, 0xBA, 0xBE]);
    let u16at = |i: usize| u16::from_be_bytes([class[i], class[i + 1]]) as usize;
    let count = u16at(8);
    let mut out = class[..10].to_vec();
    let mut i = 10;
    let mut slot = 1;
    while slot < count {
        let tag = class[i];
        let len = match tag {
            1 => {
                let n = u16at(i + 1);
                let s = &class[i + 3..i + 3 + n];
                let text = String::from_utf8_lossy(s);
                // Modified UTF-8 differs from UTF-8 only outside ASCII; keep
                // any string that does not even decode untouched.
                let new: Vec<u8> = if std::str::from_utf8(s).is_ok() { text.replace(from, to).into_bytes() } else { s.to_vec() };
                out.push(1);
                out.extend_from_slice(&(new.len() as u16).to_be_bytes());
                out.extend_from_slice(&new);
                i += 3 + n;
                slot += 1;
                continue;
            }
            3 | 4 => 5,
            5 | 6 => 9,
            7 | 8 | 16 | 19 | 20 => 3,
            9 | 10 | 11 | 12 | 17 | 18 => 5,
            15 => 4,
            t => panic!("constant-pool tag {t}"),
        };
        out.extend_from_slice(&class[i..i + len]);
        i += len;
        slot += if tag == 5 || tag == 6 { 2 } else { 1 };
    }
    out.extend_from_slice(&class[i..]);
    out
}

#[test]
fn finding_relocated_copy() {
    let (from, to) = ("org/apache/logging/", "com/acme/shaded/org/apache/logging/");
    let e: Vec<(String, Vec<u8>)> = entries_of(&corpus(CORE))
        .into_iter()
        .map(|(n, d)| {
            if n.ends_with(".class") && n.starts_with(from) {
                (format!("com/acme/shaded/{n}"), relocate_class(&d, from, to))
            } else {
                (n, d)
            }
        })
        .collect();
    let lookup = e.iter().find(|(n, _)| n == &format!("com/acme/shaded/{JNDI_LOOKUP}")).expect("relocated JndiLookup");
    assert!(lookup.1.windows(to.len()).any(|w| w == to.as_bytes()), "class names rewritten");
    let (r, _) = scan("shaded.jar", &rezip(&e));
    let f = core_at(&r, "shaded.jar");
    assert_eq!((f.version.as_str(), f.status, cves(f)), ("2.14.1", Status::Vulnerable, CVES_2141.to_vec()));
    assert_eq!(f.relocated.as_deref(), Some("com/acme/shaded/"));
}

#[test]
fn finding_survives_damage_elsewhere() {
    // google-corrupt.jar: decoy/JndiManager.class uses method 15; the
    // 2.14.x classes under vuln/ must still be found (corpus notes).
    let (r, _) = scan("corrupt.jar", &corpus("archives/google-corrupt.jar"));
    assert_eq!(errors(&r), vec![("corrupt.jar!/decoy/JndiManager.class".to_string(), ErrorKind::UnsupportedCompression)]);
    assert_eq!(r.findings.len(), 1, "{:#?}", r.findings);
    assert_eq!(r.findings[0].status, Status::Vulnerable);
}

// ---- nested archives too big to hold: read as streams ----

fn small() -> Limits {
    // log4j-core-2.14.1.jar is 1.7 MB: over this, so it must be streamed.
    Limits { max_entry_bytes: 1 << 20, ..Limits::default() }
}

fn vulnerable_2141(r: &Report, path: &str) {
    let f = core_at(r, path);
    assert_eq!((f.version.as_str(), f.status, cves(f)), ("2.14.1", Status::Vulnerable, CVES_2141.to_vec()), "{path}");
}

#[test]
fn streamed_nested_jar() {
    let (r, w) = scan_with("app.war", &war(), &small());
    assert_eq!(errors(&r), vec![]);
    assert!(w.opened.contains("app.war!/WEB-INF/lib/log4j-core-2.14.1.jar"));
    assert_eq!(r.scanned.entries, scan("app.war", &war()).0.scanned.entries, "the stream lists every entry");
    vulnerable_2141(&r, "app.war!/WEB-INF/lib/log4j-core-2.14.1.jar");
}

#[test]
fn streamed_nested_jar_with_data_descriptors() {
    // Written to a non-seekable sink, so every entry has its sizes in a
    // data descriptor after the data, as `jar` piped to stdout does.
    let mut w = zip::ZipWriter::new_stream(Vec::new());
    for (name, data) in entries_of(&corpus(CORE)) {
        w.start_file(name, SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)).expect("start_file");
        w.write_all(&data).expect("write");
    }
    let inner = w.finish().expect("finish").into_inner();
    let outer = zip_of(&[("lib/streamed.jar", &inner, false)]);
    for limits in [Limits::default(), small()] {
        let (r, _) = scan_with("dd.zip", &outer, &limits);
        assert_eq!(errors(&r), vec![], "{limits:?}");
        vulnerable_2141(&r, "dd.zip!/lib/streamed.jar");
    }
}

#[test]
fn streamed_tar_gz_and_gz_members() {
    let (r, _) = scan_with("w.tar.gz", &corpus("archives/palantir-wrapped_log4j.tar.gz"), &small());
    assert_eq!(errors(&r), vec![]);
    vulnerable_2141(&r, "w.tar.gz!/log4j-core-2.14.1.jar");

    // A gzipped jar is the jar itself (gzip is transparent).
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&corpus(CORE)).expect("gzip");
    let gz = gz.finish().expect("gzip");
    for limits in [Limits::default(), small()] {
        let (r, _) = scan_with("core.jar.gz", &gz, &limits);
        assert_eq!(errors(&r), vec![], "{limits:?}");
        vulnerable_2141(&r, "core.jar.gz");
    }
}

#[test]
fn progress_through_a_tar_gz() {
    // Members of a .tar.gz come as a stream; progress still moves through
    // the compressed input before the end, and ends at its length.
    let mut tar = tar::Builder::new(Vec::new());
    let hello = corpus("archives/google-helloworld.jar");
    // Incompressible filler, so the gzip is long enough to be read in
    // many pieces.
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let mut noise = || -> Vec<u8> {
        (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    };
    for i in 0..600 {
        let (name, data) = if i % 100 == 0 { (format!("lib/h{i}.jar"), hello.clone()) } else { (format!("data/{i}.bin"), noise()) };
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, name, data.as_slice()).expect("append");
    }
    assert!(tar.get_ref().len() > 2_000_000);
    let tar = tar.into_inner().expect("tar");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).expect("gzip");
    let gz = gz.finish().expect("gzip");
    let (r, w) = scan("many.tar.gz", &gz);
    assert_eq!(errors(&r), vec![]);
    assert_eq!(w.opened.len(), 7, "the tar and its six jars");
    let len = gz.len() as u64;
    assert!(w.calls.iter().any(|&(b, _)| b > 0 && b < len), "no progress before the end: {:?}", w.calls);
    assert_eq!(w.calls.last().copied(), Some((len, r.scanned.entries)));
    assert!(w.calls.windows(2).all(|p| p[0].0 <= p[1].0), "progress not monotonic");
}
