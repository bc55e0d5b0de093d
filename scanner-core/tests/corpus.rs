//! The whole shared corpus through the walker, checked against
//! `MANIFEST.tsv`, whose expected values were worked out from the files
//! themselves (see the corpus README), never from this program's output.
//!
//! Two tests, so the walker can be judged on its own:
//! - `corpus_walker`: required errors reported, no error the manifest does
//!   not allow, every nested archive that holds an expected component
//!   opened, and every file finishes.
//! - `corpus_findings`: the findings themselves (component, version,
//!   status, CVEs, nested path). This is the final gate; it needs the
//!   detector behind `scanner_core::detect`.
use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};

use scanner_core::knowledge::releases;
use scanner_core::walk::{scan_reader, Limits, Progress};
use scanner_core::Report;

fn corpus_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    assert!(
        dir.join("MANIFEST.tsv").is_file(),
        "corpus not found at {} (expected shared/corpus beside the repository)",
        dir.display()
    );
    dir
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Comp {
    inner: String,
    component: String,
    version: String,
    status: String,
    cves: String,
}

#[derive(Debug)]
struct Row {
    file: String,
    components: Vec<Comp>,
    /// (inner path, kind, required)
    errors: Vec<(String, String, bool)>,
}

fn manifest() -> Vec<Row> {
    let text = std::fs::read_to_string(corpus_dir().join("MANIFEST.tsv")).expect("read MANIFEST.tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name}"));
    let (c_file, c_comp, c_err) = (col("file"), col("expected_components"), col("expected_errors"));
    let mut rows = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let components = f[c_comp]
            .split(';')
            .filter(|s| !s.is_empty())
            .map(|s| {
                let p: Vec<&str> = s.split('|').collect();
                assert_eq!(p.len(), 5, "bad component {s:?}");
                Comp {
                    inner: p[0].into(),
                    component: p[1].into(),
                    version: p[2].into(),
                    status: p[3].into(),
                    cves: p[4].into(),
                }
            })
            .collect();
        let errors = f[c_err]
            .split(';')
            .filter(|s| !s.is_empty())
            .map(|s| {
                let (required, s) = match s.strip_prefix('?') {
                    Some(rest) => (false, rest),
                    None => (true, s),
                };
                let (path, kind) = s.rsplit_once('|').expect("error is path|kind");
                (path.to_string(), kind.to_string(), required)
            })
            .collect();
        rows.push(Row { file: f[c_file].into(), components, errors });
    }
    assert!(rows.len() > 200, "MANIFEST.tsv has only {} rows", rows.len());
    rows
}

#[derive(Default)]
struct Opened(BTreeSet<String>);

impl Progress for Opened {
    fn archive_opened(&mut self, path: &str) {
        self.0.insert(path.to_string());
    }
}

fn scan(row: &Row) -> (Report, BTreeSet<String>) {
    let path = corpus_dir().join(&row.file);
    let f = File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let len = f.metadata().expect("metadata").len();
    let mut opened = Opened::default();
    let report = scan_reader(&row.file, f, len, &Limits::default(), &mut opened);
    (report, opened.0)
}

/// `file!/a!/b` → `a!/b`; `file` → ``.
fn inner(file: &str, path: &str) -> String {
    if path == file {
        String::new()
    } else {
        path.strip_prefix(file).and_then(|p| p.strip_prefix("!/")).unwrap_or(path).to_string()
    }
}

#[test]
fn corpus_walker() {
    let mut problems = Vec::new();
    for row in manifest() {
        let (report, opened) = scan(&row);
        let got: BTreeSet<(String, String)> =
            report.errors.iter().map(|e| (inner(&row.file, &e.path), e.kind.as_str().to_string())).collect();
        for (p, k, required) in &row.errors {
            // The walker reads an entry's data only when the detector asks
            // for it (or it may be an archive). An entry nobody asks for
            // cannot fail, so its error is required only once it is asked
            // for: this keeps the walker checkable while `detect` is a stub.
            let entry = p.rsplit("!/").next().unwrap_or(p);
            let asked = scanner_core::detect::interest(entry) != scanner_core::detect::Interest::Ignore;
            let data_error = k == "unsupported-compression" || k == "corrupt-entry";
            if data_error && !asked && entry.ends_with(".class") {
                continue;
            }
            if *required && !got.contains(&(p.clone(), k.clone())) {
                problems.push(format!("{}: required error {k} at {p:?} not reported (got {got:?})", row.file));
            }
        }
        for (p, k) in &got {
            if !row.errors.iter().any(|(ep, ek, _)| ep == p && ek == k) {
                problems.push(format!("{}: unexpected error {k} at {p:?}", row.file));
            }
        }
        for c in row.components.iter().filter(|c| !c.inner.is_empty()) {
            let full = format!("{}!/{}", row.file, c.inner);
            if !opened.contains(&full) {
                problems.push(format!("{}: nested archive {:?} (holds {}) was not opened", row.file, c.inner, c.component));
            }
        }
        let size = std::fs::metadata(corpus_dir().join(&row.file)).expect("metadata").len();
        if report.scanned.files != 1 || report.scanned.bytes != size {
            problems.push(format!("{}: scanned counts {:?}", row.file, report.scanned));
        }
    }
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}

/// A version field as the set of releases it names: `a/b/c`, one name, or
/// `first..last`, expanded over the detector's release list (in version
/// order) to the releases it covers.
fn candidates(component: &str, v: &str) -> BTreeSet<String> {
    if let Some((first, last)) = v.split_once("..") {
        let c = match component {
            "log4j-core" => scanner_core::Component::Log4jCore,
            "log4j-1.x" => scanner_core::Component::Log4j1,
            "reload4j" => scanner_core::Component::Reload4j,
            _ => scanner_core::Component::Logback,
        };
        let names: Vec<&str> = releases(c).iter().map(|r| r.name).collect();
        if let (Some(i), Some(j)) = (names.iter().position(|r| *r == first), names.iter().position(|r| *r == last)) {
            if i <= j {
                return names[i..=j].iter().map(|s| s.to_string()).collect();
            }
        }
        return BTreeSet::from([v.to_string()]);
    }
    v.split('/').map(str::to_string).collect()
}

/// Does the reported version answer the expected one? Equal candidate sets;
/// except `X-debian` (a Debian rebuild whose class bytes match no upstream
/// build, so bytecode alone can only say "one of these releases"): any set
/// that contains upstream X answers it. The README gives a Debian build its
/// upstream version's CVEs, and status and CVEs are still compared exactly.
/// The corpus spells the Debian 2.13.3 build `2.13-3`.
fn version_matches(component: &str, want: &str, got: &str) -> bool {
    let got = candidates(component, got);
    match want.strip_suffix("-debian") {
        Some(upstream) => got.contains(if upstream == "2.13-3" { "2.13.3" } else { upstream }) || got.contains(want),
        None => got == candidates(component, want),
    }
}

#[test]
fn version_ranges_expand_in_release_order() {
    let core = |v| candidates("log4j-core", v);
    assert_eq!(core("2.14.0..2.16.0"), core("2.14.0/2.14.1/2.15.0/2.16.0"));
    // 2.3.1 and 2.3.2 come after 2.3 in version order.
    assert_eq!(core("2.1..2.3"), core("2.3/2.2/2.1"));
    assert_ne!(candidates("log4j-1.x", "1.2.6..1.2.9"), candidates("log4j-1.x", "1.2.6/1.2.7/1.2.9"), "1.2.8 lies between");
    assert!(version_matches("log4j-core", "2.13-3-debian", "2.13.0..2.13.3"));
    assert!(!version_matches("log4j-core", "2.16.0-debian", "2.15.0"));
}

#[test]
fn corpus_findings() {
    let mut problems = Vec::new();
    for row in manifest() {
        let (report, _) = scan(&row);
        let mut got: Vec<Comp> = report
            .findings
            .iter()
            .map(|f| Comp {
                inner: inner(&row.file, &f.path),
                component: f.component.as_str().into(),
                version: f.version.clone(),
                status: f.status.as_str().into(),
                cves: f.cves.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(","),
            })
            .collect();
        // Each expected component takes one matching finding; whatever is
        // left on either side is a difference.
        let mut missing = Vec::new();
        for want in &row.components {
            let hit = got.iter().position(|g| {
                (&g.inner, &g.component, &g.status, &g.cves) == (&want.inner, &want.component, &want.status, &want.cves)
                    && version_matches(&want.component, &want.version, &g.version)
            });
            match hit {
                Some(i) => {
                    got.remove(i);
                }
                None => missing.push(want),
            }
        }
        if !missing.is_empty() || !got.is_empty() {
            problems.push(format!("{}:\n  expected, not found: {missing:?}\n  found, not expected: {got:?}", row.file));
        }
    }
    assert!(problems.is_empty(), "{} file(s) differ:\n{}", problems.len(), problems.join("\n"));
}
