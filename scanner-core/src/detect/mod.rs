//! From archive entries to findings: the part of the engine that knows what
//! Log4j looks like. Pure (`no_std`): it is fed entry names and the bytes of
//! the entries it asked for, and never touches files itself.
//!
//! Contract with the walker (`crate::walk`):
//! 1. For every entry of an archive the walker calls [`interest`] with the
//!    entry name. It reads the data only of entries that answer
//!    [`Interest::Read`], and tries to open as a nested archive those that
//!    answer [`Interest::MaybeArchive`] (confirming by magic bytes).
//! 2. One [`ArchiveInventory`] per archive level: `add_name` for every entry,
//!    `add_data` for each entry read, then `finish` for the findings. The
//!    order of `add_name` and `add_data` calls does not matter.
//! 3. A bare class file given directly goes through [`scan_class`].
//! 4. The inventory keeps bounded memory per level ([`MAX_NAME_LEN`],
//!    [`MAX_ROOTS`], [`MAX_CLAIMS`], [`MAX_KEPT_BYTES`]). When a bound made
//!    it ignore entries, [`ArchiveInventory::truncated`] says so: call it
//!    before `finish` and report it as an error of that archive (the
//!    findings of the level also carry the sentence in their evidence).
//!
//! How a verdict is reached, per package root (so a shaded copy and a plain
//! copy in one jar are two findings):
//! - every fingerprinted class found at that root is dated on its own
//!   ([`fingerprint::examine`]) and the candidate sets are intersected;
//! - `pom.properties`, then `MANIFEST.MF`, then the archive's file name may
//!   pick one release out of those candidates; when they name a release the
//!   bytecode rules out, the bytecode wins and the evidence says so;
//! - CVEs are those every candidate has; a removed `JndiLookup.class` drops
//!   the two lookup CVEs and makes the status `mitigated`.
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::names;
use crate::knowledge::{self, class_cves, cves_for_version, package, CveRule, ReleaseSet, Version, CVES, FINGERPRINTED};
use crate::report::{Component, Finding, Status, VersionSource};

pub mod fingerprint;
pub mod metadata;

use fingerprint::{class_stem, examine, without_release_dir, ClassFact};
use metadata::{parse_manifest, parse_pom, Claim, Subject};

/// What the walker should do with an entry, decided from its name alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interest {
    /// Only the name matters (or not even that).
    Ignore,
    /// A watched class or metadata file: hand its bytes to `add_data`.
    Read,
    /// Possibly a nested archive: open it if its bytes say it is one.
    MaybeArchive,
}

/// Extensions under which Java tooling ships zip or tar containers.
const ARCHIVE_EXTENSIONS: &[&str] = &[
    ".jar", ".war", ".ear", ".rar", ".sar", ".par", ".hpi", ".jpi", ".lex", ".kar", ".zip", ".aar", ".jmod", ".nar", ".apk",
    ".tar", ".tgz", ".gz",
];

/// Simple names of the classes in [`FINGERPRINTED`], so that [`interest`]
/// compares whole strings instead of splitting paths (a unit test keeps the
/// two lists in step).
const WATCHED_SIMPLE_NAMES: &[&str] = &[
    "JndiLookup",
    "JndiManager",
    "LoggerContext",
    "MessagePatternConverter",
    "DataSourceConnectionSource",
    "Interpolator",
    "StrSubstitutor",
    "SetUtils",
    "SocketNode",
];

/// A vendor fix of log4j 1.x that keeps the affected class but changes
/// what it does. Debian's 1.2.17-11 (the `liblog4j1.2-java` package) fixed
/// CVE-2022-23305 and CVE-2022-23307 this way, with code taken from
/// reload4j; the fixed class refers to a class that only the fix adds.
struct Log4j1Fix {
    /// The class, relative to `org/apache/log4j/`.
    class: &'static str,
    /// A class only the fix adds, which the fixed class refers to (under
    /// the same relocation prefix as the class itself).
    marker: &'static str,
    cve: &'static str,
    /// What the fixed class does instead, for the evidence.
    what: &'static str,
}

/// Only fixes seen in a real build are listed: Debian's 1.2.17-11 jar has
/// both (its JMS classes are not built at all, so the JMS fixes could not
/// be checked and are not recognised).
const LOG4J1_FIXES: &[Log4j1Fix] = &[
    Log4j1Fix {
        class: "jdbc/JDBCAppender",
        marker: "org/apache/log4j/jdbc/JdbcPatternParser",
        cve: "CVE-2022-23305",
        what: "binds the logged values as PreparedStatement parameters (JdbcPatternParser) instead of pasting them into the SQL",
    },
    Log4j1Fix {
        class: "chainsaw/LoggingReceiver$Slurper",
        marker: "org/apache/log4j/net/HardenedLoggingEventInputStream",
        cve: "CVE-2022-23307",
        what: "reads events through HardenedLoggingEventInputStream, which accepts only logging types",
    },
];

/// The fix that may apply to a class entry: its stem (release directory
/// removed) ends with `org/apache/log4j/<class>`.
fn log4j1_fix_for(stem: &str) -> Option<usize> {
    LOG4J1_FIXES.iter().position(|fix| {
        stem.strip_suffix(fix.class).is_some_and(|root| root.ends_with(package(Component::Log4j1)))
    })
}

/// log4j 1.x's `Category`, which every facade of the 1.x API must also
/// provide: its bytes tell a real 1.x from log4j-1.2-api (which calls into
/// `org/apache/logging/log4j/`) and log4j-over-slf4j (`org/slf4j/`), with or
/// without their metadata.
const LOG4J1_CATEGORY: &str = "org/apache/log4j/Category";

/// What the facades' `Category` refers to.
const FACADE_TARGETS: [&[u8]; 2] = [b"org/apache/logging/log4j/", b"org/slf4j/"];

/// The CVEs that need `JndiLookup.class`; deleting the class is the
/// documented mitigation for exactly these two (corpus README, Log4j
/// security page).
const LOOKUP_CVES: [&str; 2] = ["CVE-2021-44228", "CVE-2021-45046"];

/// Class names (relative to `org/apache/log4j/`) that exist in real log4j
/// 1.x (1.1.3 and 1.2.17 both) but in none of the bridges that reuse the
/// package (log4j-1.2-api, log4j-over-slf4j, slf4j-log4j12): computed from
/// the corpus jars.
const LOG4J1_ONLY: &[&str] = &[
    "Hierarchy.class",
    "AsyncAppender.class",
    "DailyRollingFileAppender.class",
    "HTMLLayout.class",
    "TTCCLayout.class",
    "helpers/AppenderAttachableImpl.class",
    "helpers/OptionConverter.class",
    "helpers/PatternParser.class",
    "helpers/Loader.class",
    "net/DefaultEvaluator.class",
    "net/SMTPAppender.class",
    "net/SocketAppender.class",
    "net/SocketNode.class",
    "net/SyslogAppender.class",
    "spi/RootCategory.class",
    "varia/DenyAllFilter.class",
];

fn ends_with_ignore_case(name: &str, suffix: &str) -> bool {
    name.len() >= suffix.len() && name.as_bytes()[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// The last path segment; `\\` counts as a separator too, since zips made on
/// Windows sometimes use it.
fn simple_name(name: &str) -> &str {
    // Both separators are ASCII, so the byte after one is a char boundary.
    match name.bytes().rposition(|b| b == b'/' || b == b'\\') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

pub(crate) fn is_apple_double(name: &str) -> bool {
    // Both marks contain `_`, which few Java names do: one byte scan
    // settles almost every name (this runs for every entry, three times).
    if !name.as_bytes().contains(&b'_') {
        return false;
    }
    name.starts_with("__MACOSX/") || names::contains(name, "/__MACOSX/") || simple_name(name).starts_with("._")
}

/// Decide from an entry name whether its bytes are needed. Costs a few
/// suffix comparisons; allocation-free.
///
/// Classes are matched by simple name with any package prefix, because a
/// copied or shaded class keeps its file name but not its directory; the
/// bytes then tell whether it is Log4j's.
pub fn interest(name: &str) -> Interest {
    if name.ends_with('/') || is_apple_double(name) {
        return Interest::Ignore;
    }
    if let Some(stem) = class_stem(name) {
        if name.len() > MAX_NAME_LEN {
            // The inventory ignores (and counts) such names: no use reading.
            return Interest::Ignore;
        }
        let simple = simple_name(stem);
        let watched =
            WATCHED_SIMPLE_NAMES.contains(&simple) || stem.ends_with(LOG4J1_CATEGORY) || log4j1_fix_for(without_release_dir(stem)).is_some();
        return if watched { Interest::Read } else { Interest::Ignore };
    }
    let simple = simple_name(name);
    if name.len() > MAX_NAME_LEN && (simple == "pom.properties" || simple.eq_ignore_ascii_case("MANIFEST.MF")) {
        return Interest::Ignore;
    }
    if simple == "pom.properties" && names::contains(name, "META-INF/maven/") {
        return Interest::Read;
    }
    if simple.eq_ignore_ascii_case("MANIFEST.MF") && name.len() >= 20 && ends_with_ignore_case(name, "META-INF/MANIFEST.MF") {
        return Interest::Read;
    }
    if ARCHIVE_EXTENSIONS.iter().any(|ext| ends_with_ignore_case(name, ext)) {
        return Interest::MaybeArchive;
    }
    Interest::Ignore
}

// Per-level bounds on what `ArchiveInventory` keeps, so that hostile input
// (millions of entries, 64 KiB names, a jar of metadata files) costs bounded
// memory and `finish` stays n·log n. When a bound refuses something the
// inventory counts it; `ArchiveInventory::truncated` describes it, and every
// finding of that level carries the same sentence in its evidence: the
// verdicts of that level may be incomplete.

/// Longest entry name the inventory looks at. Real package paths are a few
/// hundred bytes even when shaded twice into a fat jar; zip allows 64 KiB.
pub const MAX_NAME_LEN: usize = 4096;
/// Distinct package roots (log4j-core locations, `org/apache/log4j/`
/// roots, logback roots) kept per kind and per level. A real archive has a
/// handful; each root is one finding, so this also bounds the output.
pub const MAX_ROOTS: usize = 4096;
/// log4j, reload4j, logback and bridge metadata files kept per level.
pub const MAX_CLAIMS: usize = 4096;
/// Bytes of names, versions and evidence kept per level, records included
/// (each counted at [`RECORD_COST`] on top of its strings). The caps above
/// bound counts; this bounds their product with the name length.
pub const MAX_KEPT_BYTES: usize = 8 << 20;
/// Extra bytes that only records at a usual prefix may use.
const RESERVED_BYTES: usize = 1 << 20;
/// What a map node or vector slot costs besides its strings (rounded up).
const RECORD_COST: usize = 64;
/// Renamed `JndiLookup*` classes are evidence only (they never change a
/// verdict), so a few are plenty and dropping the rest is not a truncation.
const MAX_RENAMED: usize = 64;
/// Version text longer than this is no release version (`2.0-beta10` is
/// ten bytes); it is kept clipped, for the evidence.
const MAX_VERSION_TEXT: usize = 64;

/// Where a plain jar, a war and a Spring Boot jar keep classes and metadata.
fn is_usual_prefix(prefix: &str) -> bool {
    matches!(prefix, "" | "WEB-INF/classes/" | "BOOT-INF/classes/")
}

/// What the bounds refused at one level.
#[derive(Debug, Default)]
struct Budget {
    /// Bytes charged so far (see [`MAX_KEPT_BYTES`]).
    kept: usize,
    /// Class and metadata names over [`MAX_NAME_LEN`], ignored.
    long_names: u64,
    /// Records refused because their root would exceed [`MAX_ROOTS`].
    roots: u64,
    /// Metadata files refused over [`MAX_CLAIMS`].
    claims: u64,
    /// Records refused because [`MAX_KEPT_BYTES`] was spent.
    bytes: u64,
}

impl Budget {
    /// Whether a record with `bytes` of strings may be kept. `new_root` is
    /// `Some(roots already kept)` when the record adds a root to its map;
    /// `prefix` is what stands in front of the component's package there.
    fn admit(&mut self, new_root: Option<usize>, prefix: &str, bytes: usize) -> bool {
        // The ordinary layouts are exempt from the root cap and may dip into
        // a reserve: junk placed before the real library cannot crowd out
        // the copy where a jar or a web application normally keeps it.
        // There are three such prefixes, so this stays bounded.
        let usual = is_usual_prefix(prefix);
        if !usual && new_root.is_some_and(|n| n >= MAX_ROOTS) {
            self.roots += 1;
            return false;
        }
        let limit = if usual { MAX_KEPT_BYTES + RESERVED_BYTES } else { MAX_KEPT_BYTES };
        let cost = bytes.saturating_add(RECORD_COST);
        if self.kept.saturating_add(cost) > limit {
            self.bytes += 1;
            return false;
        }
        self.kept += cost;
        true
    }

    fn note(&self) -> Option<String> {
        let mut parts: Vec<String> = Vec::new();
        if self.long_names > 0 {
            parts.push(format!("{} class or metadata entries with names over {MAX_NAME_LEN} bytes were ignored", self.long_names));
        }
        if self.roots > 0 {
            // An entry can count twice (its name and its bytes).
            parts.push(format!("{} entry names or contents beyond {MAX_ROOTS} distinct package roots per kind were not kept", self.roots));
        }
        if self.claims > 0 {
            parts.push(format!("{} metadata files beyond {MAX_CLAIMS} were ignored", self.claims));
        }
        if self.bytes > 0 {
            parts.push(format!("{} entry names or contents were not kept once {} MiB of names had been kept", self.bytes, MAX_KEPT_BYTES >> 20));
        }
        if parts.is_empty() {
            None
        } else {
            Some(format!("inventory limit reached, findings for this archive may be incomplete: {}", parts.join("; ")))
        }
    }
}

/// What the names under one `org/apache/log4j/` root show.
#[derive(Debug, Default)]
struct Log4j1Names {
    /// Classes found only in real 1.x.
    real: u32,
    /// All class entries.
    classes: u32,
    /// Classes whose presence carries a CVE (package-relative rule names).
    cve_classes: Vec<&'static str>,
    /// Indices into `LOG4J1_FIXES` of the fixes whose class was read and
    /// has the fix, and of those with a copy read without it (a duplicate
    /// entry, a `META-INF/versions/` copy): any unfixed copy keeps the CVE,
    /// since which copy a class loader picks is not the scanner's to guess.
    fixed: Vec<usize>,
    unfixed: Vec<usize>,
}

/// An entry whose path is a log4j-core fingerprinted class's canonical
/// path (`<location>org/apache/logging/log4j/core/<rel>.class`).
#[derive(Debug)]
struct Canonical {
    rel: &'static str,
    /// Where its package sits (release directory removed).
    location: String,
    /// `add_name` saw it (only listed entries count; see `finish`).
    listed: bool,
    /// `add_data` saw it.
    read: bool,
}

/// The log4j-core location and class of a canonical entry name.
fn core_canonical(name: &str) -> Option<(&'static str, &str)> {
    let stem = class_stem(without_release_dir(name))?;
    let pkg = package(Component::Log4jCore);
    // No fingerprinted path is a suffix of another, so at most one matches.
    FINGERPRINTED.iter().filter(|(c, _)| *c == Component::Log4jCore).find_map(|(_, rel)| {
        let before = stem.strip_suffix(rel)?;
        before.ends_with(pkg).then_some((*rel, before))
    })
}

/// Evidence collected for one archive level.
#[derive(Debug, Default)]
pub struct ArchiveInventory {
    file: String,
    path: String,
    /// Name the archive had in its parent (for a version in the file name).
    file_name: Option<String>,
    classes: Vec<ClassFact>,
    /// Distinct `location`s of `classes`, for [`MAX_ROOTS`].
    class_locations: alloc::collections::BTreeSet<String>,
    /// Metadata about a detected component or a bridge (the rest is never
    /// consulted, so it is not kept: a fat jar has one pom per dependency).
    claims: Vec<Claim>,
    /// log4j-core canonical class entries, by entry name: whether they were
    /// listed and whether read, to tell "unread" from "read, not Log4j".
    /// A map, not a list, so `finish` looks each up in log n (a list made
    /// it quadratic: 100k such names took minutes).
    canonical: BTreeMap<String, Canonical>,
    /// Distinct locations in `canonical`, for [`MAX_ROOTS`].
    canonical_locations: alloc::collections::BTreeSet<String>,
    /// Renamed copies such as `lookup/JndiLookupOther.class`.
    renamed_lookups: Vec<String>,
    log4j1: BTreeMap<String, Log4j1Names>,
    /// Per `org/apache/log4j/` root, whether its `Category.class` is a
    /// facade (true) or real log4j 1.x (false).
    category_facade: BTreeMap<String, bool>,
    logback: BTreeMap<String, u32>,
    budget: Budget,
}

impl ArchiveInventory {
    /// `file` is the top-level input, `path` the full nested path of this
    /// archive (`file` itself at the top level).
    pub fn new(file: &str, path: &str) -> Self {
        ArchiveInventory { file: file.into(), path: path.into(), ..Default::default() }
    }

    /// Tell the inventory the archive's own file name when `path` does not
    /// end with it (e.g. a tar member the walker renamed). By default the
    /// last segment of `path` is used.
    pub fn set_file_name(&mut self, name: &str) {
        self.file_name = Some(name.into());
    }

    /// `Some(sentence)` when a per-level bound ([`MAX_NAME_LEN`],
    /// [`MAX_ROOTS`], [`MAX_CLAIMS`], [`MAX_KEPT_BYTES`]) made the inventory
    /// ignore entries, so the findings of this level may miss something.
    /// Call it before [`finish`](Self::finish); the walker can report it as
    /// an error of this archive. `finish` also appends the sentence to the
    /// evidence of each finding of the level.
    pub fn truncated(&self) -> Option<String> {
        self.budget.note()
    }

    /// The full nested path this inventory was made for.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Record that an entry of this name exists.
    pub fn add_name(&mut self, name: &str) {
        if name.ends_with('/') || is_apple_double(name) {
            return;
        }
        let full = without_release_dir(name);
        let Some(stem) = class_stem(full) else { return };
        if name.len() > MAX_NAME_LEN {
            self.budget.long_names += 1;
            return;
        }
        let simple = simple_name(stem);
        if simple.starts_with("JndiLookup") && simple != "JndiLookup" && self.renamed_lookups.len() < MAX_RENAMED && self.budget.admit(None, "-", name.len()) {
            self.renamed_lookups.push(name.into());
        }
        if let Some(c) = self.canonical_entry(name) {
            c.listed = true;
        }
        if let Some(i) = names::find(stem, "org/apache/log4j/") {
            let end = i + "org/apache/log4j/".len();
            self.add_log4j1_name(&full[..end], &full[end..]);
        }
        if let Some(i) = names::find(stem, "ch/qos/logback/") {
            let rest = &stem[i + "ch/qos/logback/".len()..];
            if rest.starts_with("classic/") || rest.starts_with("core/") {
                let root = &full[..i];
                let roots = self.logback.len();
                match self.logback.get_mut(root) {
                    Some(n) => *n = n.saturating_add(1),
                    None if self.budget.admit(Some(roots), root, root.len()) => {
                        self.logback.insert(root.into(), 1);
                    }
                    None => {}
                }
            }
        }
    }

    /// The record of a canonical log4j-core entry, created on first sight
    /// (by `add_name` or `add_data`, whichever comes first) if the bounds
    /// allow; `None` for other names and refused ones.
    fn canonical_entry(&mut self, name: &str) -> Option<&mut Canonical> {
        let (rel, location) = core_canonical(name)?;
        if !self.canonical.contains_key(name) {
            let new_location = !self.canonical_locations.contains(location);
            let cost = name.len() + 2 * location.len() + RECORD_COST;
            let prefix = location.strip_suffix(package(Component::Log4jCore)).unwrap_or(location);
            if !self.budget.admit(new_location.then_some(self.canonical_locations.len()), prefix, cost) {
                return None;
            }
            if new_location {
                self.canonical_locations.insert(location.into());
            }
            let record = Canonical { rel, location: location.into(), listed: false, read: false };
            self.canonical.insert(name.into(), record);
        }
        self.canonical.get_mut(name)
    }

    fn add_log4j1_name(&mut self, root: &str, rel: &str) {
        // Look up before inserting: one allocation per root, not per class.
        if !self.log4j1.contains_key(root) {
            let prefix = root.strip_suffix(package(Component::Log4j1)).unwrap_or(root);
            if !self.budget.admit(Some(self.log4j1.len()), prefix, root.len()) {
                return;
            }
            self.log4j1.insert(root.into(), Log4j1Names::default());
        }
        let Some(entry) = self.log4j1.get_mut(root) else { return };
        entry.classes = entry.classes.saturating_add(1);
        if LOG4J1_ONLY.iter().any(|c| class_stem(c) == class_stem(rel)) {
            entry.real = entry.real.saturating_add(1);
        }
        for (rule, class) in class_cves(Component::Log4j1) {
            let hit = if class.ends_with('/') {
                rel.starts_with(class)
            } else {
                class_stem(rel) == Some(class)
            };
            if hit && !entry.cve_classes.contains(&rule.id) {
                entry.cve_classes.push(rule.id);
            }
        }
    }

    /// Record the bytes of an entry for which [`interest`] said `Read`.
    pub fn add_data(&mut self, name: &str, data: &[u8]) {
        if name.len() > MAX_NAME_LEN {
            self.budget.long_names += 1;
            return;
        }
        if let Some(c) = self.canonical_entry(name) {
            c.read = true;
        }
        let simple = simple_name(name);
        if simple == "pom.properties" {
            self.add_claim(parse_pom(name, data));
        } else if simple.eq_ignore_ascii_case("MANIFEST.MF") {
            self.add_claim(parse_manifest(name, data));
        } else if let Some(fact) = examine(name, data) {
            let new_location = !self.class_locations.contains(&fact.location);
            let cost = fact.entry.len() + 2 * fact.location.len() + fact.relocation.len() + fact.evidence.len();
            let prefix = fact.location.strip_suffix(package(fact.component)).unwrap_or(&fact.location);
            if self.budget.admit(new_location.then_some(self.class_locations.len()), prefix, cost) {
                if new_location {
                    self.class_locations.insert(fact.location.clone());
                }
                self.classes.push(fact);
            }
        } else if let Some((stem, i)) = class_stem(without_release_dir(name)).and_then(|s| Some((s, log4j1_fix_for(s)?))) {
            let fix = &LOG4J1_FIXES[i];
            let Ok(class) = crate::class::ClassFile::parse(data) else { return };
            // The bytes must be that class (under any relocation prefix),
            // not just a file of that name.
            let pkg = package(Component::Log4j1).as_bytes();
            let Some(prefix) = class.this_class.strip_suffix(fix.class.as_bytes()).and_then(|p| p.strip_suffix(pkg)) else { return };
            // The fix's class is a type the class uses, relocated with it.
            let mut marker = prefix.to_vec();
            marker.extend_from_slice(fix.marker.as_bytes());
            let has_fix = class.refers_to(&marker);
            let root = &stem[..stem.len() - fix.class.len()];
            if let Some(entry) = self.log4j1.get_mut(root) {
                let list = if has_fix { &mut entry.fixed } else { &mut entry.unfixed };
                if !list.contains(&i) {
                    list.push(i);
                }
            }
        } else if let Some(stem) = class_stem(without_release_dir(name)).filter(|s| s.ends_with(LOG4J1_CATEGORY)) {
            let Ok(class) = crate::class::ClassFile::parse(data) else { return };
            if class.this_class.ends_with(LOG4J1_CATEGORY.as_bytes()) {
                let facade = FACADE_TARGETS.iter().any(|t| class.mentions(t));
                let root = &stem[..stem.len() - "Category".len()];
                let roots = self.category_facade.len();
                match self.category_facade.get_mut(root) {
                    Some(f) => *f = facade,
                    None if self.budget.admit(Some(roots), root.strip_suffix("org/apache/log4j/").unwrap_or(root), root.len()) => {
                        self.category_facade.insert(root.into(), facade);
                    }
                    None => {}
                }
            }
        }
    }

    fn add_claim(&mut self, mut claim: Claim) {
        if claim.subject == Subject::Other {
            return;
        }
        if let Some(v) = claim.version.as_mut().filter(|v| v.len() > MAX_VERSION_TEXT) {
            // The ellipsis keeps the clipped text from parsing as a version.
            let mut end = MAX_VERSION_TEXT;
            while !v.is_char_boundary(end) {
                end -= 1;
            }
            v.truncate(end);
            v.push('…');
        }
        if self.claims.len() >= MAX_CLAIMS && !is_usual_prefix(&claim.prefix) {
            self.budget.claims += 1;
            return;
        }
        let cost = claim.entry.len() + claim.prefix.len() + claim.version.as_ref().map_or(0, |v| v.len());
        if self.budget.admit(None, &claim.prefix, cost) {
            self.claims.push(claim);
        }
    }

    /// The components this archive level holds.
    ///
    /// Every step is a map lookup per record, so this is n·log n in what
    /// the bounds let the inventory keep.
    pub fn finish(self) -> Vec<Finding> {
        let mut out = Vec::new();
        let note = self.truncated();
        let file_name = self.file_name.clone().unwrap_or_else(|| last_segment(&self.path).into());
        let claims = ClaimIndex::new(&self.claims);
        let examined: alloc::collections::BTreeSet<&str> = self.classes.iter().map(|c| c.entry.as_str()).collect();
        // log4j-core, one group per package location.
        let mut core: BTreeMap<String, Group> = BTreeMap::new();
        for fact in self.classes.iter().filter(|f| f.component == Component::Log4jCore) {
            core.entry(fact.location.clone()).or_default().classes.push(fact);
        }
        // Entries only read (never listed) say nothing: the walker lists
        // every entry, so they are not part of the archive's directory.
        for (entry, c) in self.canonical.iter().filter(|(_, c)| c.listed) {
            if c.read {
                // Read: its bytes decided. A canonical JndiLookup whose bytes
                // were not a readable class still counts as present next to
                // classes that were (the cautious reading of a damaged jar).
                if let (false, "lookup/JndiLookup", Some(g)) = (examined.contains(entry.as_str()), c.rel, core.get_mut(&c.location)) {
                    g.lookup_by_name = true;
                }
                continue;
            }
            let g = core.entry(c.location.clone()).or_default();
            g.unread.push(entry.clone());
            if c.rel == "lookup/JndiLookup" {
                g.lookup_by_name = true;
            }
        }
        let single = core.len() == 1;
        for (location, group) in &core {
            let claims = claims.for_group(Component::Log4jCore, location, single);
            out.push(self.core_finding(location, group, &claims, &file_name, true));
        }

        // log4j 1.x and reload4j, one group per `org/apache/log4j/` root.
        let bridged = self.claims.iter().any(|c| c.subject == Subject::Bridge);
        let single = self.log4j1.len() == 1;
        let mut socketnodes: BTreeMap<&str, Vec<&ClassFact>> = BTreeMap::new();
        for fact in self.classes.iter().filter(|f| f.component == Component::Log4j1) {
            socketnodes.entry(fact.location.as_str()).or_default().push(fact);
        }
        for (root, names) in &self.log4j1 {
            let socketnode: &[&ClassFact] = match socketnodes.get(root.as_str()) {
                Some(facts) if root.ends_with(package(Component::Log4j1)) => facts,
                _ => &[],
            };
            let claims1 = claims.for_group(Component::Log4j1, root, single);
            let reload = claims.for_group(Component::Reload4j, root, single);
            let by_pom = claims1.iter().any(|c| c.field.starts_with("pom")) && !bridged;
            let vulnerable_classes = !names.cve_classes.is_empty() || !socketnode.is_empty();
            match self.category_facade.get(root) {
                // A facade's Category outweighs look-alike class names.
                Some(true) if !vulnerable_classes && reload.is_empty() => continue,
                Some(false) => {}
                _ if names.real == 0 && !vulnerable_classes && !by_pom && reload.is_empty() => continue,
                _ => {}
            }
            // Newer log4j-1.2-api releases re-implement some 1.x appenders
            // under the same names; next to a bridge's metadata only the
            // classes that carry CVEs make a finding.
            if bridged && names.cve_classes.is_empty() && socketnode.is_empty() && reload.is_empty() {
                continue;
            }
            if !reload.is_empty() {
                out.push(self.versioned_finding(Component::Reload4j, root, &reload, names.classes));
            } else {
                out.push(self.log4j1_finding(root, names, socketnode, &claims1, true));
            }
        }
        // A SocketNode whose entry sits outside any `org/apache/log4j/` path.
        for fact in self.classes.iter().filter(|f| f.component == Component::Log4j1) {
            if !self.log4j1.contains_key(&fact.location) {
                out.push(self.log4j1_finding(&fact.location, &Log4j1Names::default(), &[fact], &[], false));
            }
        }

        // logback: metadata decides the version.
        let single = self.logback.len() == 1;
        for (root, count) in &self.logback {
            let claims = claims.for_group(Component::Logback, &format!("{root}ch/qos/logback/"), single);
            out.push(self.versioned_finding(Component::Logback, root, &claims, *count));
        }
        if let Some(note) = note {
            for f in &mut out {
                f.evidence.push(note.clone());
            }
        }
        out
    }

    fn finding(&self, component: Component) -> Finding {
        Finding {
            file: self.file.clone(),
            path: self.path.clone(),
            component,
            version: "unknown".into(),
            version_source: VersionSource::None,
            status: Status::Unknown,
            cves: Vec::new(),
            relocated: None,
            evidence: Vec::new(),
        }
    }

    /// `whole` is false for a bare class file, whose siblings are unknown:
    /// then a missing `JndiLookup.class` or an odd location proves nothing.
    fn core_finding(&self, location: &str, group: &Group<'_>, claims: &[&Claim], file_name: &str, whole: bool) -> Finding {
        let component = Component::Log4jCore;
        let mut f = self.finding(component);
        let pkg = package(component);
        let relocation = group.classes.iter().map(|c| c.relocation.as_str()).find(|r| !r.is_empty());
        // `WEB-INF/classes/org/…` is an ordinary layout, `vuln/lookup/…` is
        // a copy moved out of its package: only the latter is "relocated".
        let misplaced = !location.ends_with(pkg);
        f.relocated = match relocation {
            Some(r) => Some(r.into()),
            None if misplaced && !location.is_empty() => Some(location.into()),
            None => None,
        };
        if !whole {
            f.relocated = relocation.map(String::from);
        } else if misplaced && relocation.is_none() {
            let place = if location.is_empty() { "the archive root".to_string() } else { location.to_string() };
            f.evidence.push(format!("log4j-core classes sit at {place}, outside their declared package {pkg}"));
        }
        if let Some(r) = relocation {
            f.evidence.push(format!("the bytecode declares the package {r}{pkg}: a shaded copy"));
        }
        // Intersect what every class allows.
        let mut candidates = knowledge::horizon(component).or(ReleaseSet::all(component));
        let mut dated = false;
        for c in &group.classes {
            f.evidence.push(format!("{}: {}", c.entry, c.evidence));
            candidates = candidates.and(c.candidates);
            dated = true;
        }
        if dated && candidates.is_empty() {
            f.evidence.push("the classes date to different releases (a patched or mixed copy); taking the union".into());
            candidates = group.classes.iter().fold(ReleaseSet::EMPTY, |s, c| s.or(c.candidates));
        }
        if !dated {
            candidates = ReleaseSet::all(component);
        }
        for u in &group.unread {
            f.evidence.push(format!("{u} is present but could not be read"));
        }
        let lookup_present = group.classes.iter().any(|c| c.class == "lookup/JndiLookup" && simple_name(class_stem(&c.entry).unwrap_or("")) == "JndiLookup")
            || group.lookup_by_name;
        let (version, source) = self.choose_version(component, candidates, dated, claims, file_name, &mut f.evidence);
        f.version = version.1;
        f.version_source = source;
        let versions = version.0;
        if !lookup_present && whole {
            f.evidence.push("lookup/JndiLookup.class is absent (removed)".into());
            for r in self.renamed_lookups.iter().filter(|r| r.starts_with(location)) {
                f.evidence.push(format!("{r} looks like a renamed JndiLookup; Log4j's plugin registry cannot load it under that name, so it counts as removed"));
            }
        }
        let (status, cves) = core_verdict(&versions, whole && !lookup_present);
        f.status = status;
        f.cves = cves.iter().map(|r| r.to_ref()).collect();
        f
    }

    /// Pick the reported version: metadata when the bytecode allows it,
    /// else the bytecode's candidates. Returns the candidate releases (for
    /// the CVE rules) and the text.
    fn choose_version(
        &self,
        component: Component,
        candidates: ReleaseSet,
        dated: bool,
        claims: &[&Claim],
        file_name: &str,
        evidence: &mut Vec<String>,
    ) -> ((Vec<Version>, String), VersionSource) {
        let from_bytes = || -> (Vec<Version>, String) {
            (candidates.iter(component).map(|r| r.version).collect(), candidates.describe(component))
        };
        let mut named: Vec<(&str, &str, VersionSource)> = claims
            .iter()
            .filter_map(|c| {
                let source = if c.field.starts_with("pom") { VersionSource::PomProperties } else { VersionSource::Manifest };
                c.version.as_deref().map(|v| (v, c.field, source))
            })
            .collect();
        if let Some(v) = filename_version(component, file_name) {
            named.push((v, "file name", VersionSource::Filename));
        }
        for (text, field, source) in &named {
            let Some(v) = Version::parse(text) else {
                evidence.push(format!("{field} says {text}, which is not a release version"));
                continue;
            };
            let one = ReleaseSet::of(component, &v);
            let beyond = one.is_empty() || one.and(knowledge::horizon(component)).is_empty();
            if !one.is_empty() && !one.and(candidates).is_empty() {
                if dated {
                    evidence.push(format!("{field} says {text}, consistent with the bytecode"));
                } else {
                    evidence.push(format!("{field} says {text}"));
                }
                return ((alloc::vec![v], (*text).to_string()), *source);
            }
            if dated && beyond && candidates_reach_horizon(component, candidates) {
                // Bytecode can only rule out releases whose classes were
                // surveyed; a newer release than the survey is taken on trust.
                evidence.push(format!("{field} says {text}, newer than the releases whose classes were surveyed"));
                return ((alloc::vec![v], (*text).to_string()), *source);
            }
            if !dated {
                evidence.push(format!("{field} says {text}"));
                return ((alloc::vec![v], (*text).to_string()), *source);
            }
            evidence.push(format!("{field} says {text} but the bytecode is from {}; trusting the bytecode", candidates.describe(component)));
        }
        if dated {
            (from_bytes(), VersionSource::ClassFingerprint)
        } else {
            ((Vec::new(), "unknown".into()), VersionSource::None)
        }
    }

    fn log4j1_finding(&self, root: &str, names: &Log4j1Names, socketnode: &[&ClassFact], claims: &[&Claim], whole: bool) -> Finding {
        let component = Component::Log4j1;
        let mut f = self.finding(component);
        let pkg = package(component);
        let prefix = root.strip_suffix(pkg).unwrap_or(root);
        if !prefix.is_empty() {
            f.relocated = Some(prefix.into());
        }
        if names.classes > 0 {
            f.evidence.push(format!("{} classes under {root}, {} of them found only in real log4j 1.x", names.classes, names.real));
        }
        let mut candidates = ReleaseSet::all(component);
        for c in socketnode {
            f.evidence.push(format!("{}: {}", c.entry, c.evidence));
            candidates = candidates.and(c.candidates);
        }
        let dated = !socketnode.is_empty() && !candidates.is_empty();
        let ((_, version), source) = self.choose_version(component, candidates, dated, claims, "", &mut f.evidence);
        f.version = version;
        f.version_source = source;
        let patched = socketnode.iter().any(|c| c.socketnode_patched);
        let mut ids: Vec<&'static str> = names.cve_classes.clone();
        if !socketnode.is_empty() && !patched && !ids.contains(&"CVE-2019-17571") {
            // SocketNode is the class that deserialises; SocketServer and
            // SimpleSocketServer only feed it.
            ids.push("CVE-2019-17571");
        }
        if patched {
            f.evidence.push("SocketNode deserialises through FilteredObjectInputStream (Debian's CVE-2019-17571 patch)".into());
            ids.retain(|id| *id != "CVE-2019-17571");
        }
        let mut fixed_in_place = patched;
        for fix in names.fixed.iter().filter(|i| !names.unfixed.contains(i)).map(|&i| &LOG4J1_FIXES[i]) {
            if ids.contains(&fix.cve) {
                f.evidence.push(format!("{root}{}.class {}: {} fixed in place (as in Debian's 1.2.17-11)", fix.class, fix.what, fix.cve));
                ids.retain(|id| *id != fix.cve);
                fixed_in_place = true;
            }
        }
        for (rule, class) in class_cves(component) {
            if ids.contains(&rule.id) {
                f.evidence.push(format!("{}{class} is present: {}", root, rule.id));
            }
        }
        // Canonical order is the table's order.
        f.cves = CVES.iter().filter(|r| r.component == component && ids.contains(&r.id)).map(|r| r.to_ref()).collect();
        f.cves.dedup_by(|a, b| a.id == b.id);
        f.status = if !f.cves.is_empty() {
            Status::Vulnerable
        } else if whole && !fixed_in_place {
            f.evidence.push("none of the classes that carry log4j 1.x CVEs is present".into());
            Status::Mitigated
        } else {
            Status::Fixed
        };
        f
    }

    /// reload4j and logback: versions from metadata only (no digests kept).
    fn versioned_finding(&self, component: Component, root: &str, claims: &[&Claim], classes: u32) -> Finding {
        let mut f = self.finding(component);
        if !root.is_empty() && !root.ends_with(package(component)) {
            f.relocated = Some(root.into());
        }
        f.evidence.push(format!("{classes} {} classes under {}", component.as_str(), if root.is_empty() { "the archive root" } else { root }));
        let picked = claims.iter().find_map(|c| c.version.as_deref().map(|v| (v, c)));
        match picked.and_then(|(text, c)| Version::parse(text).map(|v| (text, v, c))) {
            Some((text, v, c)) => {
                f.evidence.push(format!("{} says {text}", c.field));
                f.version = text.into();
                f.version_source = if c.field.starts_with("pom") { VersionSource::PomProperties } else { VersionSource::Manifest };
                let rules: Vec<&CveRule> = cves_for_version(component, &v).collect();
                f.cves = rules.iter().map(|r| r.to_ref()).collect();
                f.status = if rules.is_empty() { Status::Fixed } else { Status::Vulnerable };
            }
            None => f.evidence.push("no metadata gives the version".into()),
        }
        f
    }
}

/// Classes of one log4j-core copy.
#[derive(Debug, Default)]
struct Group<'a> {
    classes: Vec<&'a ClassFact>,
    /// Canonical class entries that were listed but not read.
    unread: Vec<String>,
    /// `…/core/lookup/JndiLookup.class` is listed (even if unreadable).
    lookup_by_name: bool,
}

/// The metadata of one level by the prefix in front of its `META-INF/`,
/// built once in `finish` so that matching metadata to each of thousands of
/// groups is a lookup, not a scan of every claim (which was quadratic).
struct ClaimIndex<'a> {
    all: &'a [Claim],
    by_prefix: BTreeMap<&'a str, Vec<&'a Claim>>,
}

impl<'a> ClaimIndex<'a> {
    fn new(all: &'a [Claim]) -> Self {
        let mut by_prefix: BTreeMap<&str, Vec<&Claim>> = BTreeMap::new();
        for c in all {
            by_prefix.entry(c.prefix.as_str()).or_default().push(c);
        }
        ClaimIndex { all, by_prefix }
    }

    /// Metadata of `component` that belongs to the group at `location`: the
    /// one sitting next to the package (`<prefix>META-INF/…` for
    /// `<prefix>org/…`), or any when the archive holds a single group.
    fn for_group(&self, component: Component, location: &str, single: bool) -> Vec<&'a Claim> {
        let of = |c: &&Claim| c.subject == Subject::Component(component);
        let mut pick: Vec<&Claim> = if single {
            self.all.iter().filter(of).collect()
        } else {
            // `prefix + package == location` exactly when the location
            // ends with the package and the rest is the prefix.
            let near = location.strip_suffix(package(component)).and_then(|p| self.by_prefix.get(p));
            near.map(|v| v.iter().copied().filter(of).collect()).unwrap_or_default()
        };
        // pom first: it names the artifact exactly; manifests get copied.
        // (A stable sort: among poms, entry order.)
        pick.sort_by_key(|c| !c.field.starts_with("pom"));
        pick
    }
}

fn last_segment(path: &str) -> &str {
    let tail = path.rsplit("!/").next().unwrap_or(path);
    tail.rsplit(['/', '\\']).next().unwrap_or(tail)
}

/// `log4j-core-2.14.1.jar` → `2.14.1`, for the component's artifact names.
fn filename_version(component: Component, name: &str) -> Option<&str> {
    let stem = ARCHIVE_EXTENSIONS.iter().find_map(|ext| {
        if ends_with_ignore_case(name, ext) {
            Some(&name[..name.len() - ext.len()])
        } else {
            None
        }
    })?;
    let prefixes: &[&str] = match component {
        Component::Log4jCore => &["log4j-core-"],
        Component::Log4j1 => &["log4j-"],
        Component::Reload4j => &["reload4j-"],
        Component::Logback => &["logback-classic-", "logback-core-"],
    };
    prefixes.iter().find_map(|p| stem.find(p).map(|i| &stem[i + p.len()..])).filter(|v| Version::parse(v).is_some())
}

/// Whether the candidates include the newest surveyed release, i.e. the
/// bytecode is consistent with "that release or a later one".
fn candidates_reach_horizon(component: Component, candidates: ReleaseSet) -> bool {
    let h = knowledge::horizon(component);
    let last = (0..128).rev().find(|&i| h.contains_index(i));
    last.is_some_and(|i| candidates.contains_index(i))
}

/// Status and CVEs of a log4j-core copy whose version is one of `versions`.
fn core_verdict(versions: &[Version], lookup_removed: bool) -> (Status, Vec<&'static CveRule>) {
    if versions.is_empty() {
        return (Status::Unknown, Vec::new());
    }
    let rules: Vec<&'static CveRule> = CVES.iter().filter(|r| r.component == Component::Log4jCore).collect();
    let applies = |r: &CveRule, v: &Version| r.affects_version(v) && !(lookup_removed && LOOKUP_CVES.contains(&r.id));
    let common: Vec<&'static CveRule> = rules.iter().copied().filter(|r| versions.iter().all(|v| applies(r, v))).collect();
    let some = rules.iter().any(|r| versions.iter().any(|v| applies(r, v) || r.unconfirmed_for(v)));
    let needed_lookup = |v: &Version| rules.iter().any(|r| LOOKUP_CVES.contains(&r.id) && r.affects_version(v));
    let status = if lookup_removed && versions.iter().all(needed_lookup) {
        Status::Mitigated
    } else if !common.is_empty() {
        Status::Vulnerable
    } else if some {
        Status::Unknown
    } else if lookup_removed && versions.iter().any(needed_lookup) {
        Status::Mitigated
    } else {
        Status::Fixed
    };
    (status, common)
}

/// What a bare class file proves on its own. Its neighbours are unknown, so
/// the absence of `JndiLookup.class` proves nothing here.
pub fn scan_class(file: &str, path: &str, data: &[u8]) -> Vec<Finding> {
    let inv = ArchiveInventory::new(file, path);
    let Some(fact) = examine(last_segment(path), data) else { return Vec::new() };
    let mut f = match fact.component {
        Component::Log4jCore => {
            let group = Group { classes: alloc::vec![&fact], ..Default::default() };
            inv.core_finding(&fact.location, &group, &[], "", false)
        }
        _ => inv.log4j1_finding(&fact.location, &Log4j1Names::default(), &[&fact], &[], false),
    };
    f.path = path.into();
    alloc::vec![f]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interest_reads_watched_classes_under_any_prefix() {
        assert_eq!(interest("org/apache/logging/log4j/core/lookup/JndiLookup.class"), Interest::Read);
        assert_eq!(interest("lookup/JndiLookup.class"), Interest::Read);
        assert_eq!(interest("BOOT-INF/classes/x/net/JndiManager.esclazz"), Interest::Read);
        assert_eq!(interest("org/apache/log4j/net/SocketNode.class"), Interest::Read);
        assert_eq!(interest("net/JndiManager$1.class"), Interest::Ignore);
        assert_eq!(interest("lookup/JndiLookupOther.class"), Interest::Ignore);
        assert_eq!(interest("org/apache/logging/log4j/core/Logger.class"), Interest::Ignore);
        assert_eq!(interest("META-INF/maven/log4j/log4j/pom.properties"), Interest::Read);
        assert_eq!(interest("META-INF/MANIFEST.MF"), Interest::Read);
        assert_eq!(interest("vuln/META-INF/MANIFEST.MF"), Interest::Read);
        assert_eq!(interest("lib/log4j-core-2.14.1.JAR"), Interest::MaybeArchive);
        assert_eq!(interest("x.tar.gz"), Interest::MaybeArchive);
        assert_eq!(interest("__MACOSX/._log4j.jar"), Interest::Ignore);
        assert_eq!(interest("__MACOSX/org/._JndiLookup.class"), Interest::Ignore);
        assert_eq!(interest("org/"), Interest::Ignore);
        assert_eq!(interest(""), Interest::Ignore);
        assert_eq!(interest("é"), Interest::Ignore);
        // Over MAX_NAME_LEN the inventory ignores a name, so nothing is read.
        let long = "a/".repeat(MAX_NAME_LEN / 2);
        assert_eq!(interest(&format!("{long}org/apache/logging/log4j/core/lookup/JndiLookup.class")), Interest::Ignore);
        assert_eq!(interest(&format!("{long}META-INF/maven/log4j/log4j/pom.properties")), Interest::Ignore);
        assert_eq!(interest(&format!("{long}lib/log4j-core-2.14.1.jar")), Interest::MaybeArchive);
    }

    #[test]
    fn watched_names_cover_the_fingerprinted_classes() {
        let simple: Vec<&str> = FINGERPRINTED.iter().map(|(_, rel)| simple_name(rel)).collect();
        assert_eq!(simple, WATCHED_SIMPLE_NAMES);
    }

    #[test]
    fn file_name_versions() {
        assert_eq!(filename_version(Component::Log4jCore, "log4j-core-2.14.1.jar"), Some("2.14.1"));
        assert_eq!(filename_version(Component::Log4jCore, "log4j-core.jar"), None);
        assert_eq!(filename_version(Component::Log4j1, "log4j-1.2.17.jar"), Some("1.2.17"));
        assert_eq!(last_segment("a.war!/WEB-INF/lib/x-1.jar"), "x-1.jar");
    }

    #[test]
    fn verdicts_follow_the_readme_rules() {
        let v = |s: &str| Version::parse(s).unwrap();
        let ids = |x: (Status, Vec<&CveRule>)| (x.0, x.1.iter().map(|r| r.id).collect::<Vec<_>>());
        // JndiLookup removed from 2.1: the two lookup CVEs go, the rest stay.
        assert_eq!(ids(core_verdict(&[v("2.1")], true)), (Status::Mitigated, alloc::vec!["CVE-2021-45105", "CVE-2021-44832"]));
        // 2.17.0 or 2.17.1: nothing common, something possible.
        assert_eq!(ids(core_verdict(&[v("2.17.0"), v("2.17.1")], false)), (Status::Unknown, alloc::vec![]));
        // 2.0-beta2: 45105 never confirmed for it.
        assert_eq!(ids(core_verdict(&[v("2.0-beta2")], false)), (Status::Unknown, alloc::vec![]));
        assert_eq!(ids(core_verdict(&[v("2.12.4")], false)), (Status::Fixed, alloc::vec![]));
        // Removing JndiLookup from 2.16.0 changes nothing: it never needed it.
        assert_eq!(core_verdict(&[v("2.16.0")], true).0, Status::Vulnerable);
    }

    #[test]
    fn bridges_and_empty_archives_give_nothing() {
        let mut inv = ArchiveInventory::new("x.jar", "x.jar");
        for n in ["org/apache/log4j/Logger.class", "org/apache/log4j/Category.class", "org/apache/log4j/MDC.class"] {
            inv.add_name(n);
        }
        inv.add_data("META-INF/maven/org.apache.logging.log4j/log4j-1.2-api/pom.properties", b"groupId=org.apache.logging.log4j\nartifactId=log4j-1.2-api\nversion=2.12.1\n");
        assert!(inv.finish().is_empty());
        let mut inv = ArchiveInventory::new("x.jar", "x.jar");
        inv.add_name("io/sentry/config/JndiLookup.class");
        inv.add_data("io/sentry/config/JndiLookup.class", b"not a class");
        assert!(inv.finish().is_empty());
    }

    #[test]
    fn a_facade_category_is_no_log4j1_even_without_metadata() {
        // A shaded log4j-1.2-api: 1.x-looking names, no pom, but a Category
        // that calls into Log4j 2. Hand-made minimal class: this_class
        // org/apache/log4j/Category plus one Utf8 naming a Log4j 2 type.
        let mut class = alloc::vec![0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 52, 0, 4];
        let name = b"org/apache/log4j/Category";
        class.extend_from_slice(&[1, 0, name.len() as u8]);
        class.extend_from_slice(name);
        class.extend_from_slice(&[7, 0, 1]);
        let api = b"org/apache/logging/log4j/Logger";
        class.extend_from_slice(&[1, 0, api.len() as u8]);
        class.extend_from_slice(api);
        class.extend_from_slice(&[0, 0x21, 0, 2]);
        let mut inv = ArchiveInventory::new("x.jar", "x.jar");
        for n in ["org/apache/log4j/Hierarchy.class", "org/apache/log4j/helpers/OptionConverter.class", "org/apache/log4j/Category.class"] {
            inv.add_name(n);
        }
        assert_eq!(interest("org/apache/log4j/Category.class"), Interest::Read);
        assert_eq!(interest("com/other/Category.class"), Interest::Ignore);
        inv.add_data("org/apache/log4j/Category.class", &class);
        assert!(inv.finish().is_empty());
    }

    #[test]
    fn unreadable_canonical_jndilookup_still_counts() {
        let mut inv = ArchiveInventory::new("x.jar", "x.jar");
        inv.add_name("org/apache/logging/log4j/core/lookup/JndiLookup.class");
        inv.add_data("META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties", b"groupId=org.apache.logging.log4j\nartifactId=log4j-core\nversion=2.14.1\n");
        let f = inv.finish();
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].version.as_str(), f[0].status), ("2.14.1", Status::Vulnerable));
        assert_eq!(f[0].cves.len(), 4);
    }
}
