//! `pom.properties` and `MANIFEST.MF`: what a jar says about itself. Both
//! are second-hand evidence (anyone can copy or edit them), so the verdict
//! only uses them to pick among the releases the bytecode allows.
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::report::Component;

/// What a metadata file claims, and where it sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The entry name.
    pub entry: String,
    /// Prefix before `META-INF/` (empty for a jar's own metadata).
    pub prefix: String,
    /// What it describes.
    pub subject: Subject,
    /// The version string as written.
    pub version: Option<String>,
    /// Which field the version came from (for evidence).
    pub field: &'static str,
}

/// The artifact a metadata file describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// One of the detected components.
    Component(Component),
    /// A bridge or facade that reuses Log4j package names but is not Log4j
    /// (log4j-1.2-api, log4j-over-slf4j, slf4j-log4j12, …).
    Bridge,
    /// Anything else.
    Other,
}

/// Maven coordinates that decide a subject.
const COORDINATES: &[(&str, &str, Subject)] = &[
    ("org.apache.logging.log4j", "log4j-core", Subject::Component(Component::Log4jCore)),
    ("log4j", "log4j", Subject::Component(Component::Log4j1)),
    ("ch.qos.reload4j", "reload4j", Subject::Component(Component::Reload4j)),
    ("ch.qos.logback", "logback-classic", Subject::Component(Component::Logback)),
    ("ch.qos.logback", "logback-core", Subject::Component(Component::Logback)),
    ("org.apache.logging.log4j", "log4j-1.2-api", Subject::Bridge),
    ("org.slf4j", "log4j-over-slf4j", Subject::Bridge),
    ("org.slf4j", "slf4j-log4j12", Subject::Bridge),
    ("org.slf4j", "slf4j-reload4j", Subject::Bridge),
];

fn prefix_of(entry: &str) -> String {
    match entry.find("META-INF/") {
        Some(i) => entry[..i].to_string(),
        None => String::new(),
    }
}

/// Read `META-INF/maven/<group>/<artifact>/pom.properties`.
pub fn parse_pom(entry: &str, data: &[u8]) -> Claim {
    let text = String::from_utf8_lossy(data);
    let (mut group, mut artifact, mut version) = (None, None, None);
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with('!') {
            continue;
        }
        let Some((k, v)) = line.split_once('=').or_else(|| line.split_once(':')) else { continue };
        match k.trim() {
            "groupId" => group = Some(v.trim().to_string()),
            "artifactId" => artifact = Some(v.trim().to_string()),
            "version" => version = Some(v.trim().to_string()),
            _ => {}
        }
    }
    let subject = match (&group, &artifact) {
        (Some(g), Some(a)) => COORDINATES
            .iter()
            .find(|(cg, ca, _)| cg == g && ca == a)
            .map(|(_, _, s)| *s)
            .unwrap_or(Subject::Other),
        _ => Subject::Other,
    };
    Claim { entry: entry.into(), prefix: prefix_of(entry), subject, version, field: "pom.properties" }
}

/// Read the attributes of every section of a manifest, continuation lines
/// joined.
fn manifest_attributes(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(cont) = line.strip_prefix(' ') {
            if let Some(last) = out.last_mut() {
                last.1.push_str(cont);
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().into(), v.trim().into()));
        }
    }
    out
}

/// Read `META-INF/MANIFEST.MF`. The subject is decided by the title and
/// symbolic-name fields the real jars carry; a fat jar's own manifest names
/// the application instead and is `Other`.
pub fn parse_manifest(entry: &str, data: &[u8]) -> Claim {
    let text = String::from_utf8_lossy(data);
    let attrs = manifest_attributes(&text);
    let get = |key: &str| attrs.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str());
    let title = get("Implementation-Title").unwrap_or("");
    let symbolic = get("Bundle-SymbolicName").unwrap_or("");
    let symbolic = symbolic.split(';').next().unwrap_or("").trim();
    let bundle_name = get("Bundle-Name").unwrap_or("");
    let subject = if symbolic == "org.apache.logging.log4j.core" || title == "Apache Log4j Core" {
        Subject::Component(Component::Log4jCore)
    } else if symbolic.contains("reload4j") || title.contains("reload4j") {
        Subject::Component(Component::Reload4j)
    } else if symbolic == "log4j" || title == "log4j" || bundle_name == "Apache Log4j" {
        Subject::Component(Component::Log4j1)
    } else if symbolic == "ch.qos.logback.classic" || symbolic == "ch.qos.logback.core" {
        Subject::Component(Component::Logback)
    } else if symbolic == "org.apache.logging.log4j.1.2-api" || title == "Apache Log4j 1.x Compatibility API" || symbolic == "log4j.over.slf4j" {
        Subject::Bridge
    } else {
        Subject::Other
    };
    let (version, field) = match (get("Implementation-Version"), get("Bundle-Version")) {
        (Some(v), _) => (Some(v.to_string()), "MANIFEST.MF Implementation-Version"),
        (None, Some(v)) => (Some(v.to_string()), "MANIFEST.MF Bundle-Version"),
        (None, None) => (None, "MANIFEST.MF"),
    };
    Claim { entry: entry.into(), prefix: prefix_of(entry), subject, version, field }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pom_coordinates_decide_the_subject() {
        let core = parse_pom(
            "META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties",
            b"#Generated by Maven\nversion=2.14.1\ngroupId=org.apache.logging.log4j\nartifactId=log4j-core\n",
        );
        assert_eq!(core.subject, Subject::Component(Component::Log4jCore));
        assert_eq!(core.version.as_deref(), Some("2.14.1"));
        let bridge = parse_pom("x/META-INF/maven/a/b/pom.properties", b"groupId=org.apache.logging.log4j\r\nartifactId=log4j-1.2-api\r\nversion=2.12.1\r\n");
        assert_eq!((bridge.subject, bridge.prefix.as_str()), (Subject::Bridge, "x/"));
        assert_eq!(parse_pom("p", b"\xff\xfe garbage").subject, Subject::Other);
    }

    #[test]
    fn manifest_sections_and_continuations_are_read() {
        // log4j 1.1.3 keeps its title in a per-package section.
        let m = parse_manifest(
            "META-INF/MANIFEST.MF",
            b"Manifest-version: 1.0\r\n\r\nName: org/apache/log4j/\r\nImplementation-Title: log4j\r\nImplementation-Version: 1.1.3\r\n",
        );
        assert_eq!((m.subject, m.version.as_deref()), (Subject::Component(Component::Log4j1), Some("1.1.3")));
        let m = parse_manifest("META-INF/MANIFEST.MF", b"Bundle-SymbolicName: org.apache.logging.log4j.co\n re\nBundle-Version: 2.15.0\n");
        assert_eq!((m.subject, m.field), (Subject::Component(Component::Log4jCore), "MANIFEST.MF Bundle-Version"));
        assert_eq!(parse_manifest("META-INF/MANIFEST.MF", b"Main-Class: app.Main\n").subject, Subject::Other);
    }
}
