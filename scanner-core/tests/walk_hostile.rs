//! Hostile archives built byte by byte (ZIP records per APPNOTE.TXT, tar
//! headers per POSIX ustar/GNU, gzip per RFC 1952), with the real
//! log4j-core 2.14.1 jar of the corpus as the payload that must still be
//! found. Expected CVEs from the corpus README rules: 2.14.1 has
//! CVE-2021-44228, -45046, -45105 and -44832.
use std::io::Write;
use std::path::Path;

use flate2::write::{DeflateEncoder, GzEncoder};
use flate2::Compression;
use scanner_core::walk::{scan_bytes, Limits};
use scanner_core::{ErrorKind, Report, Status};

const CVES_2141: &[&str] = &["CVE-2021-44228", "CVE-2021-45046", "CVE-2021-45105", "CVE-2021-44832"];

fn core() -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/log4j/log4j-core-2.14.1.jar");
    std::fs::read(&p).unwrap_or_else(|e| panic!("corpus file {} missing: {e}", p.display()))
}

fn crc(data: &[u8]) -> u32 {
    let mut c = flate2::Crc::new();
    c.update(data);
    c.sum()
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = DeflateEncoder::new(Vec::new(), Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// One ZIP entry as written: `data` is already compressed with `method`.
struct Ent {
    name: Vec<u8>,
    method: u16,
    flags: u16,
    data: Vec<u8>,
    crc: u32,
    usize: u32,
    /// Compressed size in the local header (None: the true one).
    local_csize: Option<u32>,
    /// Compressed size in the central header (None: the true one).
    central_csize: Option<u32>,
}

fn stored(name: &[u8], data: &[u8]) -> Ent {
    Ent { name: name.to_vec(), method: 0, flags: 0, data: data.to_vec(), crc: crc(data), usize: data.len() as u32, local_csize: None, central_csize: None }
}

fn deflated(name: &[u8], data: &[u8]) -> Ent {
    Ent { method: 8, data: deflate(data), ..stored(name, data) }
}

/// Local header: signature, version 20, flags, method, time/date 0, CRC,
/// sizes, name and extra lengths.
fn local(name: &[u8], flags: u16, method: u16, crc: u32, csize: u32, usize: u32, extra: u16) -> Vec<u8> {
    let mut h = b"PK\x03\x04".to_vec();
    for v in [20u16, flags, method, 0, 0] {
        h.extend_from_slice(&v.to_le_bytes());
    }
    for v in [crc, csize, usize] {
        h.extend_from_slice(&v.to_le_bytes());
    }
    h.extend_from_slice(&(name.len() as u16).to_le_bytes());
    h.extend_from_slice(&extra.to_le_bytes());
    h.extend_from_slice(name);
    h
}

/// Central header pointing at the local header at `off`.
fn central(name: &[u8], flags: u16, method: u16, crc: u32, csize: u32, usize: u32, off: u32) -> Vec<u8> {
    let mut h = b"PK\x01\x02".to_vec();
    for v in [20u16, 20, flags, method, 0, 0] {
        h.extend_from_slice(&v.to_le_bytes());
    }
    for v in [crc, csize, usize] {
        h.extend_from_slice(&v.to_le_bytes());
    }
    for v in [name.len() as u16, 0, 0, 0, 0] {
        h.extend_from_slice(&v.to_le_bytes());
    }
    h.extend_from_slice(&0u32.to_le_bytes()); // external attributes
    h.extend_from_slice(&off.to_le_bytes());
    h.extend_from_slice(name);
    h
}

fn eocd(n: u16, cd_size: u32, cd_off: u32) -> Vec<u8> {
    let mut e = b"PK\x05\x06".to_vec();
    for v in [0u16, 0, n, n] {
        e.extend_from_slice(&v.to_le_bytes());
    }
    e.extend_from_slice(&cd_size.to_le_bytes());
    e.extend_from_slice(&cd_off.to_le_bytes());
    e.extend_from_slice(&0u16.to_le_bytes());
    e
}

fn zip(entries: &[Ent]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut cd = Vec::new();
    for e in entries {
        let off = out.len() as u32;
        let csize = e.data.len() as u32;
        out.extend(local(&e.name, e.flags, e.method, e.crc, e.local_csize.unwrap_or(csize), e.usize, 0));
        out.extend_from_slice(&e.data);
        cd.extend(central(&e.name, e.flags, e.method, e.crc, e.central_csize.unwrap_or(csize), e.usize, off));
    }
    let cd_off = out.len() as u32;
    out.extend_from_slice(&cd);
    out.extend(eocd(entries.len().min(0xFFFF) as u16, cd.len() as u32, cd_off));
    out
}

fn assert_vulnerable_core(r: &Report, path: &str) {
    let f = r.findings.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("no finding at {path}: {r:#?}"));
    assert_eq!(f.version, "2.14.1");
    assert_eq!(f.status, Status::Vulnerable);
    assert_eq!(f.cves.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), CVES_2141);
}

fn kinds(r: &Report) -> Vec<(String, ErrorKind)> {
    r.errors.iter().map(|e| (e.path.clone(), e.kind)).collect()
}

#[test]
fn invalid_utf8_name_is_not_an_overlap() {
    // 0x81 is ü in CP437 and invalid UTF-8; decoded lossily it is 3 bytes,
    // which must not stretch the entry's byte range into the next one.
    let z = zip(&[stored(b"docs/M\x81ller-Notizen.txt", b"hallo"), stored(b"WEB-INF/lib/log4j-core-2.14.1.jar", &core())]);
    let r = scan_bytes("x.war", &z, &Limits::default());
    assert_eq!(kinds(&r), vec![]);
    assert_vulnerable_core(&r, "x.war!/WEB-INF/lib/log4j-core-2.14.1.jar");
}

#[test]
fn lying_compressed_size_is_that_entry_only() {
    // README's central csize reaches past the end of the file: impossible,
    // so it is that entry's error and overlaps nothing.
    let mut readme = stored(b"README.txt", b"hello");
    readme.central_csize = Some(0xFFFF_FFF0);
    let core = core();
    let z = zip(&[readme, stored(b"WEB-INF/lib/log4j-core-2.14.1.jar", &core), deflated(b"WEB-INF/lib/other.jar", &core)]);
    let r = scan_bytes("x.war", &z, &Limits::default());
    assert_eq!(kinds(&r), vec![("x.war!/README.txt".into(), ErrorKind::CorruptEntry)]);
    assert_vulnerable_core(&r, "x.war!/WEB-INF/lib/log4j-core-2.14.1.jar");
    assert_vulnerable_core(&r, "x.war!/WEB-INF/lib/other.jar");
}

/// A small `max_entry_bytes`, so that a gzip'd ZIP is walked as a stream.
fn streaming() -> Limits {
    Limits { max_entry_bytes: 4 << 10, ..Limits::default() }
}

#[test]
fn data_descriptor_entry_in_a_stream_is_charged() {
    // 8 MiB of zeros deflate about 1000:1, over max_ratio 200. With a data
    // descriptor (flag 8) the stream must inflate the entry to find its
    // end; that inflation is what must trip the ratio check.
    let zeros = vec![0u8; 8 << 20];
    let mut e = deflated(b"junk0.txt", &zeros);
    e.flags = 8;
    let z = zip(&[e]);
    let gz = gzip(&z);
    let r = scan_bytes("x.jar.gz", &gz, &streaming());
    assert_eq!(kinds(&r), vec![("x.jar.gz!/junk0.txt".into(), ErrorKind::Bomb)]);

    // With the ratio check out of the way, the scan budget stops it.
    let limits = Limits { max_ratio: u64::MAX, max_scan_bytes: 4 << 20, ..streaming() };
    let r = scan_bytes("x.jar.gz", &gz, &limits);
    assert_eq!(kinds(&r), vec![("x.jar.gz!/junk0.txt".into(), ErrorKind::SizeLimit)]);
}

/// A 512-byte ustar header block with a valid checksum.
fn tar_header(name: &[u8], size: u64, typ: u8) -> Vec<u8> {
    let mut h = vec![0u8; 512];
    h[..name.len()].copy_from_slice(name);
    h[100..107].copy_from_slice(b"0000644");
    h[108..115].copy_from_slice(b"0000000");
    h[116..123].copy_from_slice(b"0000000");
    h[124..135].copy_from_slice(format!("{size:011o}").as_bytes());
    h[136..147].copy_from_slice(b"00000000000");
    h[156] = typ;
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| b as u32).sum();
    h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    h
}

fn tar_member(out: &mut Vec<u8>, name: &[u8], data: &[u8], typ: u8) {
    out.extend(tar_header(name, data.len() as u64, typ));
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
}

fn tar_of_core() -> Vec<u8> {
    let mut t = Vec::new();
    tar_member(&mut t, b"log4j-core-2.14.1.jar", &core(), b'0');
    t.extend(vec![0u8; 1024]);
    t
}

#[test]
fn gnu_long_name_is_capped() {
    // A GNU 'L' record of 8 MiB: tar-rs would read it whole. Past 256 KiB
    // of header records the member is an error of the tar, whether the tar
    // is read in place or streamed out of gzip.
    let mut t = Vec::new();
    tar_member(&mut t, b"././@LongLink", &vec![b'a'; 8 << 20], b'L');
    t.extend(tar_of_core());
    let r = scan_bytes("x.tar", &t, &Limits::default());
    assert_eq!(kinds(&r), vec![("x.tar".into(), ErrorKind::SizeLimit)]);
    let r = scan_bytes("x.tar.gz", &gzip(&t), &Limits::default());
    assert_eq!(kinds(&r), vec![("x.tar.gz".into(), ErrorKind::SizeLimit)]);

    // A real long name (300 bytes) still works.
    let mut t = Vec::new();
    let long = format!("{}/log4j-core-2.14.1.jar", "d".repeat(300));
    tar_member(&mut t, b"././@LongLink", long.as_bytes(), b'L');
    tar_member(&mut t, b"truncated-name", &core(), b'0');
    t.extend(vec![0u8; 1024]);
    let r = scan_bytes("x.tar.gz", &gzip(&t), &Limits::default());
    assert_eq!(kinds(&r), vec![]);
    assert_vulnerable_core(&r, &format!("x.tar.gz!/{long}"));
}

#[test]
fn errors_are_capped_per_archive() {
    // 1,500 entries named like jars that are not archives: one
    // not-an-archive error each, 1,000 kept, one summary for the other 500.
    // Names of 3,000 bytes are shortened to about 1 KiB in the report.
    let ents: Vec<Ent> = (0..1500).map(|i| stored(format!("{i:04}{}.jar", "n".repeat(3000)).as_bytes(), b"junk")).collect();
    let r = scan_bytes("x.zip", &zip(&ents), &Limits::default());
    assert_eq!(r.errors.len(), 1001);
    assert!(r.errors[..1000].iter().all(|e| e.kind == ErrorKind::NotAnArchive && e.path.len() < 1200 && e.error.len() < 1200));
    let last = &r.errors[1000];
    assert_eq!(last.path, "x.zip");
    assert!(last.error.contains("500 more errors"), "{}", last.error);
}

#[test]
fn stream_out_of_step_is_an_error() {
    // a.txt's local header says 3 bytes of data but 10 follow: the stream
    // reads 3 and then finds no record at offset 30 + 5 + 3 = 38.
    let mut a = stored(b"a.txt", b"0123456789");
    a.local_csize = Some(3);
    let z = zip(&[a, stored(b"log4j-core-2.14.1.jar", &core())]);
    let r = scan_bytes("x.jar.gz", &gzip(&z), &streaming());
    assert_eq!(kinds(&r), vec![("x.jar.gz".into(), ErrorKind::BadZip)]);
    assert!(r.errors[0].error.contains("offset 38"), "{}", r.errors[0].error);
}

#[test]
fn bytes_after_the_last_gzip_member() {
    let jar = core();
    // Zero padding (as gzip -t accepts) and other junk after a complete
    // member: the member is whole, so its content is found, no error.
    for tail in [vec![0u8; 4096], b"garbage after the member".to_vec()] {
        let mut gz = gzip(&jar);
        gz.extend(&tail);
        let r = scan_bytes("x.jar.gz", &gz, &Limits::default());
        assert_eq!(kinds(&r), vec![]);
        assert_vulnerable_core(&r, "x.jar.gz");
    }
    // Two members are still one stream: the tar split across them.
    let t = tar_of_core();
    let mut gz = gzip(&t[..10_000]);
    gz.extend(gzip(&t[10_000..]));
    gz.extend(vec![0u8; 512]);
    let r = scan_bytes("x.tar.gz", &gz, &Limits::default());
    assert_eq!(kinds(&r), vec![]);
    assert_vulnerable_core(&r, "x.tar.gz!/log4j-core-2.14.1.jar");
}

#[test]
fn gzip_inside_gzip() {
    let gz2 = gzip(&gzip(&tar_of_core()));
    let r = scan_bytes("x.tar.gz.gz", &gz2, &Limits::default());
    assert_eq!(kinds(&r), vec![]);
    assert_vulnerable_core(&r, "x.tar.gz.gz!/log4j-core-2.14.1.jar");
    // The inner gzip is one level deeper: with max_depth 0 it is not opened.
    let r = scan_bytes("x.tar.gz.gz", &gz2, &Limits { max_depth: 0, ..Limits::default() });
    assert_eq!(kinds(&r), vec![("x.tar.gz.gz".into(), ErrorKind::DepthLimit)]);
}

#[test]
fn nested_archive_after_the_entry_limit_is_opened() {
    // 1,401 names over max_entries 1,400, then the jar: one entry-limit
    // error, and the jar (1,184 entries, within the limit) is still opened.
    let mut ents: Vec<Ent> = (0..1401).map(|i| stored(format!("e{i:07}").as_bytes(), b"")).collect();
    ents.push(stored(b"log4j-core-2.14.1.jar", &core()));
    let r = scan_bytes("x.jar", &zip(&ents), &Limits { max_entries: 1400, ..Limits::default() });
    assert_eq!(kinds(&r), vec![("x.jar".into(), ErrorKind::EntryLimit)]);
    assert_vulnerable_core(&r, "x.jar!/log4j-core-2.14.1.jar");
}

#[test]
fn many_short_names_fit_the_documented_limit() {
    // 300,000 names of 60 bytes (18 MB of names) are within max_entries
    // 500,000: no entry-limit error, and the jar at the end is found.
    let mut ents: Vec<Ent> = (0..300_000).map(|i| stored(format!("{i:060}").as_bytes(), b"")).collect();
    ents.push(stored(b"log4j-core-2.14.1.jar", &core()));
    // More than 65,535 entries: the end record's count (capped at 0xFFFF
    // here) is not what the walker goes by; the directory is read to its
    // end.
    let r = scan_bytes("x.jar", &zip(&ents), &Limits::default());
    assert_eq!(kinds(&r), vec![]);
    assert_vulnerable_core(&r, "x.jar!/log4j-core-2.14.1.jar");
}

const JNDI: &str = "org/apache/logging/log4j/core/lookup/JndiLookup.class";

#[test]
fn local_extra_cannot_hide_an_overlap() {
    // K entries whose central ranges are disjoint, but whose local extra
    // lengths all jump to one shared deflate stream after the last local
    // header. Each entry's data then runs past the next local header: all
    // but the last are overlaps, named in the message.
    const K: usize = 5;
    let data = vec![0u8; 1 << 16];
    let kernel = deflate(&data);
    let (c, u) = (kernel.len() as u32, data.len() as u32);
    let names: Vec<Vec<u8>> = (0..K).map(|i| format!("k{i}/{JNDI}").into_bytes()).collect();
    let stride = 30 + names[0].len() + kernel.len();
    let shared = K * stride;
    let mut out = Vec::new();
    let mut cd = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let off = i * stride;
        let extra = shared - (off + 30 + n.len());
        out.extend(local(n, 0, 8, crc(&data), c, u, extra as u16));
        out.resize(off + stride, 0);
        cd.extend(central(n, 0, 8, crc(&data), c, u, off as u32));
    }
    out.extend(&kernel);
    let cd_off = out.len() as u32;
    out.extend(&cd);
    out.extend(eocd(K as u16, cd.len() as u32, cd_off));
    let r = scan_bytes("x.jar", &out, &Limits::default());
    assert_eq!(kinds(&r), vec![("x.jar".into(), ErrorKind::Bomb)]);
    let msg = &r.errors[0].error;
    assert!(msg.contains(&format!("{} entries share bytes", K - 1)), "{msg}");
    assert!(msg.contains(&format!("k0/{JNDI}")) && !msg.contains(&format!("k{}/", K - 1)), "{msg}");
}

#[test]
fn overlap_count_is_per_entry() {
    // Three central records pointing at one local header: three entries
    // share bytes, not one.
    let data = b"shared bytes".to_vec();
    let mut out = local(b"a.txt", 0, 0, crc(&data), data.len() as u32, data.len() as u32, 0);
    out.extend(&data);
    let mut cd = Vec::new();
    for n in [b"a.txt", b"b.txt", b"c.txt"] {
        cd.extend(central(n, 0, 0, crc(&data), data.len() as u32, data.len() as u32, 0));
    }
    let cd_off = out.len() as u32;
    out.extend(&cd);
    out.extend(eocd(3, cd.len() as u32, cd_off));
    let r = scan_bytes("x.jar", &out, &Limits::default());
    assert_eq!(kinds(&r), vec![("x.jar".into(), ErrorKind::Bomb)]);
    let msg = &r.errors[0].error;
    assert!(msg.contains("3 entries share bytes") && msg.contains("a.txt, b.txt, c.txt"), "{msg}");
}
