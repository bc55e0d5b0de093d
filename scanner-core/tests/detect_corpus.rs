//! The detector against the corpus manifest, without the walker: every
//! `log4j/*.jar`, every `classes/*` and every `archives/*` row whose
//! components all sit in the file itself (inner path empty) is opened here
//! with `zip` directly, fed entry by entry into an `ArchiveInventory` (or
//! `scan_class`), and compared with the row's `expected_components`.
//!
//! The expected values come from `MANIFEST.tsv`, which was worked out from
//! the files themselves, never from this program's output. How a row is
//! compared:
//! - component, status and the CVE list must be equal;
//! - a version `a/b/c` is a set of candidate releases; a reported range
//!   `x..y` is expanded over the release list and must give the same set;
//! - `X-debian` (a Debian rebuild of upstream X, whose bytes match no
//!   release build) must be reported as a version set that contains X, with
//!   the row's status and CVEs: the row says which upstream release was
//!   rebuilt, and a set containing it is the most bytecode can claim;
//! - where the notes say where the version came from ("from pom.properties",
//!   "from MANIFEST.MF", "from class hashes"), `version_source` must agree.
#![cfg(feature = "std")]

use std::collections::BTreeSet;
use std::fs;
use std::io::{Cursor, Read};

mod common;
use common::corpus;
use scanner_core::detect::{interest, scan_class, ArchiveInventory, Interest};
use scanner_core::knowledge::{releases, Version};
use scanner_core::{Component, Finding, VersionSource};


struct Row {
    file: String,
    expected: Vec<Expected>,
    notes: String,
}

#[derive(Debug)]
struct Expected {
    inner: String,
    component: String,
    version: String,
    status: String,
    cves: Vec<String>,
}

fn manifest() -> Vec<Row> {
    let text = fs::read_to_string(corpus().join("MANIFEST.tsv")).expect("corpus MANIFEST.tsv");
    text.lines()
        .skip(1)
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let expected = cols[4]
                .split(';')
                .filter(|s| !s.is_empty())
                .map(|s| {
                    let f: Vec<&str> = s.split('|').collect();
                    Expected {
                        inner: f[0].into(),
                        component: f[1].into(),
                        version: f[2].into(),
                        status: f[3].into(),
                        cves: f[4].split(',').filter(|c| !c.is_empty()).map(String::from).collect(),
                    }
                })
                .collect();
            Row { file: cols[0].into(), expected, notes: cols.get(6).copied().unwrap_or("").into() }
        })
        .collect()
}

fn component_of(name: &str) -> Component {
    match name {
        "log4j-core" => Component::Log4jCore,
        "log4j-1.x" => Component::Log4j1,
        "reload4j" => Component::Reload4j,
        _ => Component::Logback,
    }
}

/// `a/b/c` or `x..y` as a set of release names.
fn version_set(component: Component, text: &str) -> BTreeSet<String> {
    if let Some((lo, hi)) = text.split_once("..") {
        let (lo, hi) = (Version::parse(lo), Version::parse(hi));
        return releases(component)
            .iter()
            .filter(|r| Some(r.version) >= lo && Some(r.version) <= hi)
            .map(|r| r.name.to_string())
            .collect();
    }
    text.split('/').map(String::from).collect()
}

/// Feed a zip the way the walker will: every name, and the data of entries
/// the detector asks for. Nested archives are not opened here.
fn inventory_of(display: &str, bytes: &[u8]) -> Result<Vec<Finding>, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut inv = ArchiveInventory::new(display, display);
    for i in 0..archive.len() {
        let Ok(mut entry) = archive.by_index(i) else { continue };
        let Ok(name) = entry.name().map(|n| n.to_string()) else { continue };
        inv.add_name(&name);
        if interest(&name) == Interest::Read {
            let mut data = Vec::new();
            // An unreadable entry (google's corrupt.jar) is the walker's
            // error to report; the detector just never gets its bytes.
            if entry.read_to_end(&mut data).is_ok() {
                inv.add_data(&name, &data);
            }
        }
    }
    Ok(inv.finish())
}

fn expected_source(notes: &str) -> Option<VersionSource> {
    if notes.contains("from pom.properties") {
        Some(VersionSource::PomProperties)
    } else if notes.contains("from MANIFEST.MF") {
        Some(VersionSource::Manifest)
    } else if notes.contains("from class hashes") {
        Some(VersionSource::ClassFingerprint)
    } else {
        None
    }
}

/// Differences between one expected component and one finding, empty if it
/// matches.
fn differences(e: &Expected, f: &Finding) -> Vec<String> {
    let mut out = Vec::new();
    let component = component_of(&e.component);
    if f.component != component {
        out.push(format!("component {} != {}", f.component.as_str(), e.component));
        return out;
    }
    let got = version_set(component, &f.version);
    match e.version.strip_suffix("-debian") {
        Some(upstream) => {
            // The corpus spells the Debian 2.13.3 build `2.13-3`; normalise.
            let upstream = if upstream == "2.13-3" { "2.13.3" } else { upstream };
            if !got.contains(upstream) {
                out.push(format!("version {} does not contain upstream {upstream}", f.version));
            }
        }
        None => {
            if got != version_set(component, &e.version) {
                out.push(format!("version {} != {}", f.version, e.version));
            }
        }
    }
    if f.status.as_str() != e.status {
        out.push(format!("status {} != {}", f.status.as_str(), e.status));
    }
    let cves: Vec<&str> = f.cves.iter().map(|c| c.id.as_str()).collect();
    if cves != e.cves {
        out.push(format!("cves {cves:?} != {:?}", e.cves));
    }
    out
}

#[test]
fn manifest_rows_the_detector_can_answer_alone() {
    let rows = manifest();
    let (mut checked, mut skipped) = (0, Vec::new());
    let mut failures = Vec::new();
    for row in &rows {
        let in_scope = row.file.starts_with("log4j/")
            || row.file.starts_with("classes/")
            || (row.file.starts_with("archives/") && row.expected.iter().all(|e| e.inner.is_empty()));
        if !in_scope {
            continue;
        }
        let bytes = fs::read(corpus().join(&row.file)).expect("corpus file");
        let findings = if row.file.starts_with("classes/") {
            scan_class(&row.file, &row.file, &bytes)
        } else {
            match inventory_of(&row.file, &bytes) {
                Ok(f) => f,
                Err(e) => {
                    // tar, gzip and non-zip rows need the walker.
                    if row.expected.is_empty() {
                        skipped.push(format!("{} (not a zip: {e})", row.file));
                        continue;
                    }
                    failures.push(format!("{}: cannot open as zip: {e}", row.file));
                    continue;
                }
            }
        };
        checked += 1;
        let mut unmatched: Vec<&Finding> = findings.iter().collect();
        let mut problems = Vec::new();
        for e in &row.expected {
            match unmatched.iter().position(|f| differences(e, f).is_empty()) {
                Some(i) => {
                    let f = unmatched.remove(i);
                    if let (1, Some(src)) = (row.expected.len(), expected_source(&row.notes)) {
                        if f.version_source != src {
                            problems.push(format!("version_source {:?} != {src:?}", f.version_source));
                        }
                    }
                    if f.path != row.file {
                        problems.push(format!("path {} != {}", f.path, row.file));
                    }
                }
                None => {
                    let why = unmatched
                        .iter()
                        .map(|f| differences(e, f).join(", "))
                        .collect::<Vec<_>>()
                        .join(" | ");
                    problems.push(format!("missing {}|{}|{}|{} ({})", e.component, e.version, e.status, e.cves.join(","), if why.is_empty() { "no finding".into() } else { why }));
                }
            }
        }
        for f in unmatched {
            problems.push(format!("unexpected {} {} {} (evidence: {:?})", f.component.as_str(), f.version, f.status.as_str(), f.evidence));
        }
        if !problems.is_empty() {
            failures.push(format!("{}: {}", row.file, problems.join("; ")));
        }
    }
    eprintln!("detect_corpus: {checked} rows checked, {} failed, {} skipped", failures.len(), skipped.len());
    for s in &skipped {
        eprintln!("  skipped {s}");
    }
    assert!(checked >= 150, "only {checked} rows checked: is the corpus at ../shared/corpus?");
    assert!(failures.is_empty(), "{} of {checked} rows differ:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn markers_agree_with_every_surveyed_class() {
    // markers.tsv states, per release, whether a string is in a class. Check
    // it on every real class the corpus holds (Debian rebuilds included:
    // they come from the same source, so they must carry the same markers).
    use scanner_core::class::ClassFile;
    use scanner_core::knowledge::{ReleaseSet, MARKERS};
    let mut checked = 0;
    let mut check = |class: &str, version: &str, data: &[u8], origin: &str| {
        let parsed = ClassFile::parse(data).expect(origin);
        let v = Version::parse(version).expect(origin);
        let one = ReleaseSet::of(Component::Log4jCore, &v);
        for m in MARKERS.iter().filter(|m| m.class == class) {
            let claimed = !m.releases.and(one).is_empty();
            let actual = parsed.has_string(m.needle.as_bytes());
            assert_eq!(claimed, actual, "{origin}: markers.tsv says {:?} is {}in {class} of {version}", m.needle, if claimed { "" } else { "not " });
            checked += 1;
        }
    };
    for entry in fs::read_dir(corpus().join("classes")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let Some((simple, version)) = name.split_once(".class-") else { continue };
        let class = match simple {
            "JndiLookup" => "lookup/JndiLookup",
            "JndiManager" => "net/JndiManager",
            _ => continue,
        };
        let version = version.trim_end_matches("-debian").replace("2.13-3", "2.13.3");
        check(class, &version, &fs::read(&path).unwrap(), &name);
    }
    for entry in fs::read_dir(corpus().join("log4j")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let Some(rest) = name.strip_prefix("log4j-core-") else { continue };
        let version = rest.trim_end_matches(".jar").trim_end_matches("-bindist").trim_end_matches("-altbuild");
        let mut archive = zip::ZipArchive::new(fs::File::open(&path).unwrap()).unwrap();
        for class in ["lookup/JndiLookup", "net/JndiManager"] {
            let Ok(mut e) = archive.by_name(&format!("org/apache/logging/log4j/core/{class}.class")) else { continue };
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            check(class, version, &data, &name);
        }
    }
    assert!(checked > 100, "{checked}");
}
