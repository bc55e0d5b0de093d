//! Report types, serialised identically by the CLI, the page and the worker.
//!
//! The JSON shape is a contract (see the README): `tool`, `scanned`,
//! `findings`, `errors`. Field names are snake_case on purpose so that the
//! CLI's `--format json`, the page's export and the wasm API agree byte for
//! byte.
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use serde::Serialize;

/// Name and version of the tool that wrote a report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ToolInfo {
    /// Always `log4j-scan`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

impl Default for ToolInfo {
    fn default() -> Self {
        ToolInfo { name: "log4j-scan".into(), version: env!("CARGO_PKG_VERSION").into() }
    }
}

/// What the scan went through.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Scanned {
    /// Top-level files given to the scanner (or found under given folders).
    pub files: u64,
    /// Archives opened, nested ones included.
    pub archives: u64,
    /// Archive entries seen (listed), nested ones included.
    pub entries: u64,
    /// Bytes of top-level input.
    pub bytes: u64,
}

/// Which Log4j-family component a finding is about.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Component {
    /// Log4j 2.x core (`org/apache/logging/log4j/core`).
    #[serde(rename = "log4j-core")]
    Log4jCore,
    /// Log4j 1.x (`org/apache/log4j`).
    #[serde(rename = "log4j-1.x")]
    Log4j1,
    /// reload4j, the maintained fork of 1.2.17.
    #[serde(rename = "reload4j")]
    Reload4j,
    /// logback-classic / logback-core.
    #[serde(rename = "logback")]
    Logback,
}

impl Component {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Component::Log4jCore => "log4j-core",
            Component::Log4j1 => "log4j-1.x",
            Component::Reload4j => "reload4j",
            Component::Logback => "logback",
        }
    }
}

/// Where the reported version came from, best first.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum VersionSource {
    /// Digest or markers of class files.
    ClassFingerprint,
    /// `META-INF/maven/**/pom.properties`.
    #[serde(rename = "pom.properties")]
    PomProperties,
    /// `META-INF/MANIFEST.MF`.
    Manifest,
    /// The archive's file name.
    Filename,
    /// Nothing identified the version.
    None,
}

/// The verdict for one component.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// At least one CVE applies.
    Vulnerable,
    /// A vulnerable version whose dangerous classes were removed.
    Mitigated,
    /// No CVE applies.
    Fixed,
    /// The evidence does not allow a verdict.
    Unknown,
}

impl Status {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Vulnerable => "vulnerable",
            Status::Mitigated => "mitigated",
            Status::Fixed => "fixed",
            Status::Unknown => "unknown",
        }
    }
}

/// CVSS v3 severity band.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// 0.1–3.9
    Low,
    /// 4.0–6.9
    Medium,
    /// 7.0–8.9
    High,
    /// 9.0–10.0
    Critical,
}

/// One CVE that applies to a finding.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CveRef {
    /// `CVE-2021-44228`.
    pub id: String,
    /// NVD CVSS v3 base score.
    pub cvss: f32,
    /// Band of `cvss`.
    pub severity: Severity,
}

/// One Log4j-family component found somewhere in the input.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    /// The top-level file given to the scanner.
    pub file: String,
    /// Full nested path of the archive (or class) holding the component,
    /// levels joined with `!/`.
    pub path: String,
    /// Which component.
    pub component: Component,
    /// Exact version, a range `first..last`, candidates joined with `/`, or
    /// `unknown`.
    pub version: String,
    /// Where `version` came from.
    pub version_source: VersionSource,
    /// The verdict.
    pub status: Status,
    /// CVEs that apply, in the canonical order.
    pub cves: Vec<CveRef>,
    /// Package prefix of a shaded copy (`com/acme/shaded/`), else `None`.
    pub relocated: Option<String>,
    /// The facts behind the verdict, one sentence each.
    pub evidence: Vec<String>,
}

/// Why an entry could not be scanned. The names match the corpus manifest.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// A compression method the scanner does not implement.
    UnsupportedCompression,
    /// The entry's data is damaged (CRC, truncated deflate stream, …).
    CorruptEntry,
    /// Named like an archive but not one.
    NotAnArchive,
    /// The archive structure itself is unreadable.
    BadZip,
    /// An explicit size limit was reached.
    SizeLimit,
    /// Compression ratio or overlapping entries: a decompression bomb.
    Bomb,
    /// Nesting deeper than the limit.
    DepthLimit,
    /// More entries than the limit.
    EntryLimit,
    /// The file could not be read (permissions, I/O).
    Io,
    /// A class file that could not be parsed.
    BadClass,
}

impl ErrorKind {
    /// The kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::UnsupportedCompression => "unsupported-compression",
            ErrorKind::CorruptEntry => "corrupt-entry",
            ErrorKind::NotAnArchive => "not-an-archive",
            ErrorKind::BadZip => "bad-zip",
            ErrorKind::SizeLimit => "size-limit",
            ErrorKind::Bomb => "bomb",
            ErrorKind::DepthLimit => "depth-limit",
            ErrorKind::EntryLimit => "entry-limit",
            ErrorKind::Io => "io",
            ErrorKind::BadClass => "bad-class",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A per-entry error: the scan went on without this entry.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ScanError {
    /// Full nested path (`a.war!/WEB-INF/lib/b.jar`).
    pub path: String,
    /// Machine-readable class of the error.
    pub kind: ErrorKind,
    /// What went wrong, in words, starting with the kind.
    pub error: String,
}

/// The whole result of a scan.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Report {
    /// Who wrote this.
    pub tool: ToolInfo,
    /// Counts.
    pub scanned: Scanned,
    /// Every component found, fixed ones too.
    pub findings: Vec<Finding>,
    /// Per-entry errors.
    pub errors: Vec<ScanError>,
}
