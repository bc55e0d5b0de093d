//! From one class file to "which releases could this be": identify the class
//! by its own `this_class` name, then date it by digest, and when no digest
//! is known, by marker strings.
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::class::{bytes_digest, strings_digest, ClassFile};
use crate::knowledge::{
    absent, built_for, built_for_at_most, horizon, lookup_digest, package, surveyed, DigestKind, ReleaseSet, FINGERPRINTED, MARKERS,
};
use crate::report::Component;

/// What a class proved to be and which releases it allows.
#[derive(Debug, Clone)]
pub struct ClassFact {
    /// Entry name in the archive.
    pub entry: String,
    /// Component the class belongs to.
    pub component: Component,
    /// Class relative to its component's package (`lookup/JndiLookup`).
    pub class: &'static str,
    /// Where the component's package sits in this archive: the entry name
    /// minus the class's package-relative path (`org/apache/logging/log4j/core/`,
    /// `vuln/`, or empty for classes at the root).
    pub location: String,
    /// Package prefix the bytecode itself declares in front of the original
    /// package (`com/acme/shaded/`), empty if none.
    pub relocation: String,
    /// Releases this class is consistent with.
    pub candidates: ReleaseSet,
    /// How it was dated.
    pub basis: Basis,
    /// One sentence on what was found.
    pub evidence: String,
    /// log4j 1.x `SocketNode` only: Debian's `FilteredObjectInputStream`
    /// patch for CVE-2019-17571 is present.
    pub socketnode_patched: bool,
}

/// How a class was dated, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// SHA-256 of the bytes matched a release build.
    Bytes,
    /// The constant-pool digest matched (a shaded copy or a rebuild).
    Strings,
    /// No digest known: dated by marker strings and class-file version.
    Markers,
}

/// Debian's fix for CVE-2019-17571 makes SocketNode deserialise through
/// this class, which only accepts logging types.
const SOCKETNODE_PATCH: &[u8] = b"org/apache/log4j/FilteredObjectInputStream";

/// The entry name without a class-file extension, if it has one. Besides
/// `.class` this accepts the renamed extensions that class loaders of some
/// agents and launchers still load (`.classdata`, Elastic APM's `.esclazz`).
pub fn class_stem(name: &str) -> Option<&str> {
    for ext in [".class", ".classdata", ".esclazz"] {
        if name.len() > ext.len() && name.is_char_boundary(name.len() - ext.len()) {
            let (stem, tail) = name.split_at(name.len() - ext.len());
            if tail.eq_ignore_ascii_case(ext) {
                return Some(stem);
            }
        }
    }
    None
}

/// A multi-release jar keeps Java-version-specific copies under
/// `META-INF/versions/<n>/`; they belong to the same copy of the library as
/// the classes at the root, so the prefix is ignored when grouping.
pub fn without_release_dir(path: &str) -> &str {
    let Some(rest) = path.strip_prefix("META-INF/versions/") else { return path };
    match rest.find('/') {
        Some(i) if i > 0 && rest[..i].bytes().all(|b| b.is_ascii_digit()) => &rest[i + 1..],
        _ => path,
    }
}

/// Which fingerprinted class an internal class name is, and the relocation
/// prefix in front of its package.
fn which_class(this_class: &str) -> Option<(Component, &'static str, &str)> {
    FINGERPRINTED.iter().find_map(|(component, rel)| {
        let full_tail_len = package(*component).len() + rel.len();
        if this_class.len() < full_tail_len || !this_class.ends_with(rel) {
            return None;
        }
        let base = &this_class[..this_class.len() - rel.len()];
        let prefix = base.strip_suffix(package(*component))?;
        // A relocation prefix must end at a package boundary.
        if !prefix.is_empty() && !prefix.ends_with('/') {
            return None;
        }
        Some((*component, *rel, prefix))
    })
}

/// Identify and date the class `data` read from entry `entry`. `None` when
/// the bytes are not a class of a fingerprinted Log4j component (another
/// library's `JndiLookup`, a corrupt file).
pub fn examine(entry: &str, data: &[u8]) -> Option<ClassFact> {
    let class = ClassFile::parse(data).ok()?;
    let this_class = core::str::from_utf8(class.this_class).ok()?;
    let (component, rel, relocation) = which_class(this_class)?;
    let stem = without_release_dir(class_stem(entry).unwrap_or(entry));
    // The location is taken from the entry name, so siblings moved together
    // (google's `vuln/lookup/…`, `vuln/net/…`) share one package root.
    let location = match stem.strip_suffix(rel) {
        Some(loc) if loc.is_empty() || loc.ends_with('/') => loc.to_string(),
        _ => match stem.rfind('/') {
            Some(i) => stem[..=i].to_string(),
            None => String::new(),
        },
    };
    let (candidates, basis, evidence) = date(component, rel, &class, data, relocation.as_bytes());
    // A class SocketNode uses (relocated or not), not just a string it holds:
    // the same test as the in-place fixes of `detect::LOG4J1_FIXES`.
    let socketnode_patched = component == Component::Log4j1 && class.classes.iter().any(|c| c.ends_with(SOCKETNODE_PATCH));
    Some(ClassFact {
        entry: entry.into(),
        component,
        class: rel,
        location,
        relocation: relocation.into(),
        candidates,
        basis,
        evidence,
        socketnode_patched,
    })
}

/// Releases allowed by the marker strings of `rel` and by the class-file
/// version. Returns the set and the markers seen.
fn marker_constraint(component: Component, rel: &str, class: &ClassFile<'_>) -> (ReleaseSet, Vec<&'static str>) {
    let mut set = ReleaseSet::all(component);
    let mut seen = Vec::new();
    for m in MARKERS.iter().filter(|m| m.component == component && m.class == rel) {
        if class.has_string(m.needle.as_bytes()) {
            set = set.and(m.releases);
            seen.push(m.needle);
        } else {
            set = set.minus(m.releases);
        }
    }
    if component == Component::Log4jCore {
        set = set.and(built_for_at_most(component, class.major));
    }
    (set, seen)
}

fn date(component: Component, rel: &'static str, class: &ClassFile<'_>, data: &[u8], relocation: &[u8]) -> (ReleaseSet, Basis, String) {
    let present = ReleaseSet::all(component).minus(absent(component, rel));
    let (markers, seen) = marker_constraint(component, rel, class);
    // A digest row lists the surveyed releases with those bytes; releases
    // inside the horizon whose copy was never surveyed stay possible.
    let unsurveyed = horizon(component).minus(surveyed(component, rel));
    let find = |kind: DigestKind, digest: &[u8; 32]| {
        lookup_digest(kind, digest).find(|r| r.component == component && r.class == rel).map(|r| r.releases)
    };
    let simple = rel.rsplit('/').next().unwrap_or(rel);
    if let Some(known) = find(DigestKind::Bytes, &bytes_digest(data)) {
        // Identical bytes mean the same compiler output, so an unsurveyed
        // release can only share them if its build targets the same Java.
        let same_target = if component == Component::Log4jCore { built_for(component, class.major) } else { ReleaseSet::all(component) };
        let set = narrow(known.or(unsurveyed.and(same_target)).and(present).and(markers), known);
        let text = format!("{simple}.class is byte-identical to the build of {}", known.describe(component));
        return (set, Basis::Bytes, text);
    }
    // A shade plugin rewrites every reference below the relocated root, not
    // only the class's own package (`…/log4j/status/StatusLogger` too), so
    // the prefix is removed in front of the package's first segment.
    let first_segment = &package(component)[..package(component).find('/').map_or(0, |i| i + 1)];
    let mut from = Vec::from(relocation);
    from.extend_from_slice(first_segment.as_bytes());
    let strings = strings_digest(class, if relocation.is_empty() { b"" } else { &from }, first_segment.as_bytes());
    if let Some(known) = find(DigestKind::Strings, &strings) {
        let set = narrow(known.or(unsurveyed).and(present).and(markers), known);
        let text = format!(
            "{simple}.class differs in its bytes from every release build but has the constant pool of {} (a rebuild{})",
            known.describe(component),
            if relocation.is_empty() { "" } else { " or a shaded copy" }
        );
        return (set, Basis::Strings, text);
    }
    let set = present.and(markers);
    let marks = if seen.is_empty() { "none of the dating markers".to_string() } else { seen.join(", ") };
    let text = format!(
        "{simple}.class matches no known digest; dated by its markers ({marks}) and class-file version {}: {}",
        class.major,
        set.describe(component)
    );
    (set, Basis::Markers, text)
}

/// Intersections that come out empty mean the markers contradict the
/// digest (a doctored class): keep the digest's answer rather than none.
fn narrow(set: ReleaseSet, fallback: ReleaseSet) -> ReleaseSet {
    if set.is_empty() {
        fallback
    } else {
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_stems_accept_renamed_extensions_only() {
        assert_eq!(class_stem("a/JndiLookup.class"), Some("a/JndiLookup"));
        assert_eq!(class_stem("a/JndiLookup.CLASS"), Some("a/JndiLookup"));
        assert_eq!(class_stem("a/JndiLookup.esclazz"), Some("a/JndiLookup"));
        assert_eq!(class_stem("a/JndiLookup.classdata"), Some("a/JndiLookup"));
        assert_eq!(class_stem("a/JndiLookup.class.bak"), None);
        assert_eq!(class_stem(".class"), None);
        assert_eq!(class_stem("é.class"), Some("é"));
    }

    #[test]
    fn this_class_names_are_matched_on_package_boundaries() {
        let core = "org/apache/logging/log4j/core/";
        assert_eq!(which_class(&alloc::format!("{core}lookup/JndiLookup")), Some((Component::Log4jCore, "lookup/JndiLookup", "")));
        assert_eq!(
            which_class(&alloc::format!("com/acme/shaded/{core}net/JndiManager")),
            Some((Component::Log4jCore, "net/JndiManager", "com/acme/shaded/"))
        );
        assert_eq!(which_class("io/sentry/config/JndiLookup"), None);
        assert_eq!(which_class(&alloc::format!("x{core}lookup/JndiLookup")), None);
        assert_eq!(which_class("org/apache/logging/log4j/spi/LoggerContext"), None);
        assert_eq!(which_class("org/apache/log4j/net/SocketNode"), Some((Component::Log4j1, "net/SocketNode", "")));
    }

    #[test]
    fn release_directories_are_not_package_roots() {
        assert_eq!(without_release_dir("META-INF/versions/9/org/a/B"), "org/a/B");
        assert_eq!(without_release_dir("META-INF/versions/x/org/a/B"), "META-INF/versions/x/org/a/B");
        assert_eq!(without_release_dir("org/a/B"), "org/a/B");
    }

    #[test]
    fn garbage_is_not_a_fact() {
        assert!(examine("lookup/JndiLookup.class", b"").is_none());
        assert!(examine("lookup/JndiLookup.class", b"\xca\xfe\xba\xbe\x00").is_none());
    }
}
