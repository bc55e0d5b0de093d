//! What the engine knows about Log4j, as data: releases, CVEs, class digests
//! and the strings that date a class.
//!
//! The tables live in `data/*.tsv` and are compiled by `build.rs` into the
//! statics below; `examples/gen_fingerprints.rs` recomputes `digests.tsv` from
//! the corpus. Code here only answers questions about the tables.
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

use crate::report::{Component, CveRef, Severity};

pub mod version;

pub use version::{Pre, Version};

/// One release of a component.
#[derive(Debug, Clone, Copy)]
pub struct Release {
    /// Parsed version.
    pub version: Version,
    /// The version as the project spells it.
    pub name: &'static str,
    /// Class-file major version of the official build (0 if not known).
    pub major: u16,
    /// Release date, or `-`.
    pub date: &'static str,
}

/// A set of releases of one component: bit `i` is the `i`-th release of
/// [`releases`] in version order. Fits the ~70 log4j-core releases with room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReleaseSet(pub u128);

impl ReleaseSet {
    /// No release.
    pub const EMPTY: ReleaseSet = ReleaseSet(0);

    /// Every release of `component`.
    pub fn all(component: Component) -> ReleaseSet {
        let n = releases(component).len();
        ReleaseSet(if n >= 128 { u128::MAX } else { (1u128 << n) - 1 })
    }

    /// Releases in both.
    pub fn and(self, other: ReleaseSet) -> ReleaseSet {
        ReleaseSet(self.0 & other.0)
    }

    /// Releases in either.
    pub fn or(self, other: ReleaseSet) -> ReleaseSet {
        ReleaseSet(self.0 | other.0)
    }

    /// Releases in `self` but not `other`.
    pub fn minus(self, other: ReleaseSet) -> ReleaseSet {
        ReleaseSet(self.0 & !other.0)
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Number of releases.
    pub fn len(self) -> u32 {
        self.0.count_ones()
    }

    /// Whether release number `i` is in the set.
    pub fn contains_index(self, i: usize) -> bool {
        i < 128 && self.0 & (1u128 << i) != 0
    }

    /// The single release `v`, or empty if `v` is not a known release.
    pub fn of(component: Component, v: &Version) -> ReleaseSet {
        match releases(component).iter().position(|r| r.version == *v) {
            Some(i) if i < 128 => ReleaseSet(1u128 << i),
            _ => ReleaseSet::EMPTY,
        }
    }

    /// The releases in the set, in version order.
    pub fn iter(self, component: Component) -> impl Iterator<Item = &'static Release> {
        releases(component).iter().enumerate().filter(move |(i, _)| self.contains_index(*i)).map(|(_, r)| r)
    }

    /// How reports spell the set: one release as itself; a run of
    /// consecutive releases (in version order, at least three) as
    /// `first..last`; anything else joined with `/`.
    pub fn describe(self, component: Component) -> String {
        let list = releases(component);
        let members: Vec<usize> = (0..list.len()).filter(|&i| self.contains_index(i)).collect();
        let mut out = String::new();
        match members.as_slice() {
            [] => out.push_str("unknown"),
            [one] => out.push_str(list[*one].name),
            [first, .., last] if members.len() >= 3 && last - first + 1 == members.len() => {
                let _ = write!(out, "{}..{}", list[*first].name, list[*last].name);
            }
            _ => {
                for (k, i) in members.iter().enumerate() {
                    if k > 0 {
                        out.push('/');
                    }
                    out.push_str(list[*i].name);
                }
            }
        }
        out
    }
}

/// Which releases a CVE affects.
#[derive(Debug, Clone, Copy)]
pub enum Affected {
    /// Inclusive version intervals (compared with [`Version`]'s ordering).
    Versions(&'static [(Version, Version)]),
    /// Listed whenever this class (relative to the component's package,
    /// a trailing `/` meaning any class below) is present.
    ClassPresent(&'static str),
}

/// One CVE and where it applies.
#[derive(Debug, Clone, Copy)]
pub struct CveRule {
    /// `CVE-2021-44228`.
    pub id: &'static str,
    /// CVSS v3 base score.
    pub cvss: f32,
    /// Its band.
    pub severity: Severity,
    /// The component it is about.
    pub component: Component,
    /// Which versions or classes.
    pub affected: Affected,
    /// Versions for which the CVE was neither confirmed nor ruled out: a
    /// candidate here makes the verdict `unknown` rather than `fixed`.
    pub unconfirmed: &'static [(Version, Version)],
}

impl CveRule {
    /// Whether `v` is in one of the rule's intervals.
    pub fn affects_version(&self, v: &Version) -> bool {
        match self.affected {
            Affected::Versions(ranges) => ranges.iter().any(|(lo, hi)| lo <= v && v <= hi),
            Affected::ClassPresent(_) => false,
        }
    }

    /// Whether `v` is in a range where the CVE was never confirmed.
    pub fn unconfirmed_for(&self, v: &Version) -> bool {
        self.unconfirmed.iter().any(|(lo, hi)| lo <= v && v <= hi)
    }

    /// As reported.
    pub fn to_ref(&self) -> CveRef {
        CveRef { id: self.id.into(), cvss: self.cvss, severity: self.severity }
    }
}

/// Which digest of a class a row holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DigestKind {
    /// SHA-256 of the exact bytes.
    Bytes,
    /// [`crate::class::strings_digest`]: insensitive to shading and rebuilds.
    Strings,
}

/// A digest of one class and the releases that ship a class with it.
#[derive(Debug, Clone, Copy)]
pub struct DigestRow {
    /// The SHA-256.
    pub digest: [u8; 32],
    /// Which digest.
    pub kind: DigestKind,
    /// Component of the class.
    pub component: Component,
    /// Class path relative to the component's package (`lookup/JndiLookup`).
    pub class: &'static str,
    /// Releases (among those surveyed) whose class has this digest.
    pub releases: ReleaseSet,
}

/// A string whose presence in a class's constant pool dates it.
#[derive(Debug, Clone, Copy)]
pub struct MarkerRow {
    /// Component of the class.
    pub component: Component,
    /// Class relative to the component's package.
    pub class: &'static str,
    /// The Utf8 constant, matched exactly.
    pub needle: &'static str,
    /// Releases (up to the survey horizon) whose class contains it.
    pub releases: ReleaseSet,
}

mod tables {
    use super::*;
    include!(concat!(env!("OUT_DIR"), "/knowledge_tables.rs"));
}

pub use tables::{ABSENT, CVES, DIGESTS, MARKERS};

/// The package a component's classes live in, in slash form.
pub fn package(component: Component) -> &'static str {
    match component {
        Component::Log4jCore => "org/apache/logging/log4j/core/",
        Component::Log4j1 | Component::Reload4j => "org/apache/log4j/",
        Component::Logback => "ch/qos/logback/",
    }
}

/// Classes the detector reads and fingerprints, relative to their
/// component's package. Small and fixed, so a hand-written const: these are
/// the classes `digests.tsv` covers.
pub const FINGERPRINTED: &[(Component, &str)] = &[
    (Component::Log4jCore, "lookup/JndiLookup"),
    (Component::Log4jCore, "net/JndiManager"),
    (Component::Log4jCore, "LoggerContext"),
    (Component::Log4jCore, "pattern/MessagePatternConverter"),
    (Component::Log4jCore, "appender/db/jdbc/DataSourceConnectionSource"),
    (Component::Log4jCore, "lookup/Interpolator"),
    (Component::Log4jCore, "lookup/StrSubstitutor"),
    (Component::Log4jCore, "util/SetUtils"),
    (Component::Log4j1, "net/SocketNode"),
];

/// Known releases of `component`, in version order.
pub fn releases(component: Component) -> &'static [Release] {
    tables::RELEASES.iter().find(|(c, _)| *c == component).map(|(_, r)| *r).unwrap_or(&[])
}

/// Releases up to the fingerprint survey's horizon: the universe in which a
/// digest match is read as "one of exactly these releases".
pub fn horizon(component: Component) -> ReleaseSet {
    tables::HORIZON.iter().find(|(c, _)| *c == component).map(|(_, s)| *s).unwrap_or(ReleaseSet::EMPTY)
}

/// Releases whose copy of `class` is known (from a digest or its absence).
pub fn surveyed(component: Component, class: &str) -> ReleaseSet {
    tables::SURVEYED.iter().find(|(c, k, _)| *c == component && *k == class).map(|(_, _, s)| *s).unwrap_or(ReleaseSet::EMPTY)
}

/// Releases known not to ship `class`.
pub fn absent(component: Component, class: &str) -> ReleaseSet {
    ABSENT.iter().find(|(c, k, _)| *c == component && *k == class).map(|(_, _, s)| *s).unwrap_or(ReleaseSet::EMPTY)
}

/// Rows with this digest (bytes or strings).
pub fn lookup_digest(kind: DigestKind, digest: &[u8; 32]) -> impl Iterator<Item = &'static DigestRow> {
    let digest = *digest;
    let start = DIGESTS.partition_point(|r| (&r.digest, r.kind) < (&digest, kind));
    DIGESTS[start..].iter().take_while(move |r| r.digest == digest && r.kind == kind)
}

/// Releases whose official build is not newer than class-file `major`.
/// Why "not newer" rather than "equal": a rebuild may target a newer Java
/// than the release did, never an older one than its source needs.
pub fn built_for_at_most(component: Component, major: u16) -> ReleaseSet {
    let mut bits = 0u128;
    for (i, r) in releases(component).iter().enumerate().take(128) {
        if r.major == 0 || r.major <= major {
            bits |= 1u128 << i;
        }
    }
    ReleaseSet(bits)
}

/// Releases whose official build has class-file version `major` exactly
/// (or an unknown one): what a byte-identical copy of a release build allows.
pub fn built_for(component: Component, major: u16) -> ReleaseSet {
    let mut bits = 0u128;
    for (i, r) in releases(component).iter().enumerate().take(128) {
        if r.major == 0 || r.major == major {
            bits |= 1u128 << i;
        }
    }
    ReleaseSet(bits)
}

/// The version-based CVEs of `component` that apply to `v`, in table order.
pub fn cves_for_version(component: Component, v: &Version) -> impl Iterator<Item = &'static CveRule> + '_ {
    CVES.iter().filter(move |r| r.component == component && r.affects_version(v))
}

/// The CVE rules of `component` that depend on a class being present.
pub fn class_cves(component: Component) -> impl Iterator<Item = (&'static CveRule, &'static str)> {
    CVES.iter().filter(move |r| r.component == component).filter_map(|r| match r.affected {
        Affected::ClassPresent(c) => Some((r, c)),
        Affected::Versions(_) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn version_order_follows_release_practice() {
        // The chain from the brief, plus pre-release kinds among themselves.
        let chain = ["2.0-alpha2", "2.0-beta2", "2.0-beta9", "2.0-rc1", "2.0", "2.0.1", "2.3.1", "2.12.2", "2.15.0"];
        for w in chain.windows(2) {
            assert!(v(w[0]) < v(w[1]), "{} < {}", w[0], w[1]);
        }
        assert!(v("2.0-beta10") > v("2.0-beta9"), "qualifier numbers compare as numbers");
        assert_eq!(v("2.0"), v("2.0.0"));
        assert!(v("1.2.18.3") > v("1.2.18.0"));
        assert!(v("1.3.0-alpha10") < v("1.3.0"));
    }

    #[test]
    fn unparseable_versions_are_none() {
        for s in ["", "2.13.3-debian", "2.x", "2..1", "1.2.3.4.5", "2.0-beta", "2.0-SNAPSHOT"] {
            assert!(Version::parse(s).is_none(), "{s:?}");
        }
        assert_eq!(alloc::format!("{}", v("2.0-rc2")), "2.0-rc2");
    }

    #[test]
    fn release_list_is_ordered_and_complete_at_the_ends() {
        let core = releases(Component::Log4jCore);
        assert_eq!(core[0].name, "2.0-alpha1");
        assert!(core.windows(2).all(|w| w[0].version < w[1].version));
        // 2.3.1 was released after 2.12.x but sorts between 2.3 and 2.4.
        let names: Vec<&str> = core.iter().map(|r| r.name).collect();
        let at = |n: &str| names.iter().position(|x| *x == n).unwrap();
        assert_eq!(at("2.3.1"), at("2.3") + 1);
        assert_eq!(at("2.4"), at("2.3.2") + 1);
    }

    #[test]
    fn describe_uses_ranges_only_for_contiguous_runs() {
        let c = Component::Log4jCore;
        let set = |names: &[&str]| names.iter().fold(ReleaseSet::EMPTY, |s, n| s.or(ReleaseSet::of(c, &v(n))));
        assert_eq!(set(&["2.14.0", "2.14.1"]).describe(c), "2.14.0/2.14.1");
        assert_eq!(set(&["2.13.0", "2.13.1", "2.13.2", "2.13.3"]).describe(c), "2.13.0..2.13.3");
        // 2.3.1 sits between 2.3 and 2.4, so {2.3, 2.4} is not contiguous.
        assert_eq!(set(&["2.1", "2.2", "2.3", "2.4"]).describe(c), "2.1/2.2/2.3/2.4");
        assert_eq!(set(&["2.17.1"]).describe(c), "2.17.1");
        assert_eq!(ReleaseSet::EMPTY.describe(c), "unknown");
    }

    #[test]
    fn cve_rules_match_the_corpus_readme_table() {
        let ids = |s: &str| cves_for_version(Component::Log4jCore, &v(s)).map(|r| r.id).collect::<Vec<_>>();
        let all4 = ["CVE-2021-44228", "CVE-2021-45046", "CVE-2021-45105", "CVE-2021-44832"];
        for s in ["2.0-beta9", "2.3", "2.12.1", "2.14.1"] {
            assert_eq!(ids(s), all4, "{s}");
        }
        assert_eq!(ids("2.15.0"), &all4[1..]);
        assert_eq!(ids("2.16.0"), &all4[2..]);
        assert_eq!(ids("2.12.2"), &all4[2..]);
        for s in ["2.17.0", "2.12.3", "2.3.1"] {
            assert_eq!(ids(s), ["CVE-2021-44832"], "{s}");
        }
        for s in ["2.17.1", "2.12.4", "2.3.2", "2.0-beta2", "2.20.0"] {
            assert!(ids(s).is_empty(), "{s}");
        }
        let score = |id: &str| CVES.iter().find(|r| r.id == id).map(|r| (r.cvss, r.severity)).unwrap();
        assert_eq!(score("CVE-2021-44228"), (10.0, Severity::Critical));
        assert_eq!(score("CVE-2021-45105"), (5.9, Severity::Medium));
        assert_eq!(score("CVE-2021-4104"), (7.5, Severity::High));
        assert_eq!(score("CVE-2021-42550"), (6.6, Severity::Medium));
        let logback = |s: &str| cves_for_version(Component::Logback, &v(s)).count();
        assert_eq!((logback("1.2.8"), logback("1.2.9"), logback("1.3.0-alpha10"), logback("1.3.0-alpha11")), (1, 0, 1, 0));
    }

    #[test]
    fn digest_table_is_sorted_for_binary_search() {
        assert!(DIGESTS.windows(2).all(|w| (&w[0].digest, w[0].kind) <= (&w[1].digest, w[1].kind)));
        for row in DIGESTS {
            assert!(lookup_digest(row.kind, &row.digest).any(|r| r.class == row.class));
        }
    }
}
