//! Recompute `src/knowledge/data/digests.tsv` from the corpus.
//!
//! ```text
//! cargo run -p scanner-core --example gen_fingerprints -- /work/shared/corpus > scanner-core/src/knowledge/data/digests.tsv
//! ```
//!
//! Sources, in the order they are read:
//! - `log4j/log4j-core-*.jar`: every class of `FINGERPRINTED` (or its
//!   absence), credited to the version in the jar's `pom.properties`;
//! - `log4j/log4j-1*.jar`: `net/SocketNode`, version from the file name;
//! - `classes/<Class>.class-<version>`: credited to `<version>` and to every
//!   release the manifest notes call byte-identical ("byte-identical in a, b").
//!   Debian rebuilds (`-debian`) are left out on purpose: they are the test
//!   of whether rebuilds are recognised without being in the table.
//!
//! It uses the crate's own class reader, so the digests are computed exactly
//! as the detector computes them.
use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::Path;

use scanner_core::class::{bytes_digest, strings_digest, ClassFile};
use scanner_core::knowledge::{package, Version, FINGERPRINTED};
use scanner_core::Component;

type Key = (String, String, String, String); // component, class, kind, digest

fn hex(d: &[u8; 32]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

struct Table {
    rows: BTreeMap<Key, (Vec<String>, Vec<String>)>,
}

impl Table {
    fn add(&mut self, component: Component, class: &str, kind: &str, digest: &str, version: &str, source: &str) {
        let key = (component.as_str().to_string(), class.to_string(), kind.to_string(), digest.to_string());
        let (versions, sources) = self.rows.entry(key).or_default();
        if !versions.iter().any(|v| v == version) {
            versions.push(version.to_string());
        }
        if !sources.iter().any(|s| s == source) {
            sources.push(source.to_string());
        }
    }

    fn add_class(&mut self, component: Component, class: &str, data: &[u8], versions: &[String], source: &str) {
        let parsed = match ClassFile::parse(data) {
            Ok(c) => c,
            Err(e) => panic!("{source}: {e}"),
        };
        let b = hex(&bytes_digest(data));
        let s = hex(&strings_digest(&parsed, b"", b""));
        for v in versions {
            self.add(component, class, "bytes", &b, v, source);
            self.add(component, class, "strings", &s, v, source);
        }
    }
}

fn zip_entry(archive: &mut zip::ZipArchive<fs::File>, name: &str) -> Option<Vec<u8>> {
    let mut entry = archive.by_name(name).ok()?;
    let mut out = Vec::new();
    entry.read_to_end(&mut out).ok()?;
    Some(out)
}

fn pom_version(archive: &mut zip::ZipArchive<fs::File>) -> Option<String> {
    let text = zip_entry(archive, "META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties")?;
    String::from_utf8_lossy(&text).lines().find_map(|l| l.strip_prefix("version=").map(|v| v.trim().to_string()))
}

/// `byte-identical in 2.4, 2.4.1, 2.5` from the manifest notes of `file`.
fn identical_in(manifest: &str, file: &str) -> Vec<String> {
    for line in manifest.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.first() != Some(&file) {
            continue;
        }
        let notes = cols.get(6).copied().unwrap_or("");
        if let Some(i) = notes.find("byte-identical in ") {
            let rest = &notes[i + "byte-identical in ".len()..];
            let list = rest.split(';').next().unwrap_or("");
            return list.split(',').map(|s| s.trim().to_string()).filter(|s| Version::parse(s).is_some()).collect();
        }
    }
    Vec::new()
}

fn main() {
    let corpus = std::env::args().nth(1).unwrap_or_else(|| "/work/shared/corpus".into());
    let corpus = Path::new(&corpus);
    let manifest = fs::read_to_string(corpus.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let mut table = Table { rows: BTreeMap::new() };

    let mut jars: Vec<_> = fs::read_dir(corpus.join("log4j")).unwrap().filter_map(|e| e.ok()).map(|e| e.path()).collect();
    jars.sort();
    for jar in &jars {
        let name = jar.file_name().unwrap().to_string_lossy().to_string();
        let mut archive = zip::ZipArchive::new(fs::File::open(jar).unwrap()).unwrap();
        let source = format!("corpus log4j/{name}");
        if name.starts_with("log4j-core-") {
            let version = pom_version(&mut archive).unwrap_or_else(|| panic!("{name}: no pom.properties"));
            for (component, class) in FINGERPRINTED.iter().filter(|(c, _)| *c == Component::Log4jCore) {
                let path = format!("{}{class}.class", package(*component));
                match zip_entry(&mut archive, &path) {
                    Some(data) => table.add_class(*component, class, &data, std::slice::from_ref(&version), &source),
                    None => table.add(*component, class, "absent", "-", &version, &source),
                }
            }
        } else if let Some(v) = name.strip_prefix("log4j-1.").and_then(|r| r.strip_suffix(".jar")) {
            if v.starts_with('2') && v.contains("-api") {
                continue; // log4j-1.2-api is the bridge, not 1.x
            }
            let version = format!("1.{v}");
            if Version::parse(&version).is_none() {
                continue;
            }
            if let Some(data) = zip_entry(&mut archive, "org/apache/log4j/net/SocketNode.class") {
                table.add_class(Component::Log4j1, "net/SocketNode", &data, &[version], &source);
            }
        }
    }

    let mut classes: Vec<_> = fs::read_dir(corpus.join("classes")).unwrap().filter_map(|e| e.ok()).map(|e| e.path()).collect();
    classes.sort();
    for path in &classes {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let Some((simple, version)) = name.split_once(".class-") else { continue };
        if version.contains("debian") {
            continue;
        }
        let Some((component, class)) = FINGERPRINTED.iter().find(|(_, c)| c.rsplit('/').next() == Some(simple)) else {
            continue;
        };
        let mut versions = vec![version.to_string()];
        for v in identical_in(&manifest, &format!("classes/{name}")) {
            if !versions.contains(&v) {
                versions.push(v);
            }
        }
        let data = fs::read(path).unwrap();
        table.add_class(*component, class, &data, &versions, &format!("corpus classes/{name} (+ manifest byte-identical notes)"));
    }

    // Facts that are not in the corpus's bytes. JndiLookup was added in
    // 2.0-beta9 (LOG4J2-313; the CVE-2021-44228 advisory starts there) and
    // JndiManager in 2.1 (its javadoc says @since 2.1; hillu's testdata and the
    // 2.0-beta9 jar have none before).
    for v in ["2.0-alpha1", "2.0-alpha2", "2.0-beta1", "2.0-beta2", "2.0-beta3", "2.0-beta4", "2.0-beta5", "2.0-beta6", "2.0-beta7", "2.0-beta8"] {
        table.add(Component::Log4jCore, "lookup/JndiLookup", "absent", "-", v, "LOG4J2-313: JndiLookup first shipped in 2.0-beta9");
    }
    for v in ["2.0-alpha1", "2.0-alpha2", "2.0-beta1", "2.0-beta2", "2.0-beta3", "2.0-beta4", "2.0-beta5", "2.0-beta6", "2.0-beta7", "2.0-beta8", "2.0-beta9", "2.0-rc1", "2.0-rc2", "2.0", "2.0.1", "2.0.2"] {
        table.add(Component::Log4jCore, "net/JndiManager", "absent", "-", v, "JndiManager javadoc @since 2.1");
    }

    println!("component\tclass\tkind\tsha256\treleases\tsource");
    println!("# @generated by scanner-core/examples/gen_fingerprints.rs from /work/shared/corpus; rerun it rather than editing by hand");
    for ((component, class, kind, digest), (mut versions, sources)) in table.rows {
        versions.sort_by_key(|v| Version::parse(v));
        println!("{component}\t{class}\t{kind}\t{digest}\t{}\t{}", versions.join(","), sources.join("; "));
    }
}
