//! Cases the corpus does not hold, built from its real jars: a shaded copy
//! next to a plain one, metadata that lies, and rebuilt classes that match no
//! digest. Each test says what it expects and why; none of the expected
//! values is taken from the detector's output.
#![cfg(feature = "std")]

use std::fs;

mod common;
use common::{corpus, entries};
use scanner_core::detect::{interest, scan_class, ArchiveInventory, Interest};
use scanner_core::{Component, Finding, Status, VersionSource};



fn scan(entries: &[(String, Vec<u8>)]) -> Vec<Finding> {
    let mut inv = ArchiveInventory::new("t.jar", "t.jar");
    for (name, data) in entries {
        inv.add_name(name);
        if interest(name) == Interest::Read {
            inv.add_data(name, data);
        }
    }
    inv.finish()
}

/// What the maven-shade-plugin does to a class: rewrite every constant-pool
/// Utf8 string naming `org.apache.logging.log4j` (slash and dot forms) under
/// `prefix`. The rest of the class refers to the pool by index, so only the
/// pool is re-serialised.
fn shade(class: &[u8], prefix: &str) -> Vec<u8> {
    let slash = format!("{prefix}org/apache/logging/log4j/");
    let dot = format!("{}org.apache.logging.log4j.", prefix.replace('/', "."));
    map_utf8(class, |s| s.replace("org/apache/logging/log4j/", &slash).replace("org.apache.logging.log4j.", &dot))
}

/// The class with every constant-pool Utf8 string passed through `f`.
fn map_utf8(class: &[u8], f: impl Fn(&str) -> String) -> Vec<u8> {
    let mut out = class[..10].to_vec();
    let count = u16::from_be_bytes([class[8], class[9]]) as usize;
    let mut pos = 10;
    let mut index = 1;
    while index < count {
        let tag = class[pos];
        let len = match tag {
            1 => {
                let n = u16::from_be_bytes([class[pos + 1], class[pos + 2]]) as usize;
                let s = f(&String::from_utf8_lossy(&class[pos + 3..pos + 3 + n]));
                out.push(1);
                out.extend_from_slice(&(s.len() as u16).to_be_bytes());
                out.extend_from_slice(s.as_bytes());
                pos += 3 + n;
                index += 1;
                continue;
            }
            7 | 8 | 16 | 19 | 20 => 3,
            15 => 4,
            5 | 6 => {
                index += 1;
                9
            }
            _ => 5,
        };
        out.extend_from_slice(&class[pos..pos + len]);
        pos += len;
        index += 1;
    }
    out.extend_from_slice(&class[pos..]);
    out
}

#[test]
fn shaded_and_plain_copies_are_two_findings() {
    // A fat jar with log4j-core 2.14.1 as is, plus its classes shaded under
    // com/acme/shaded/ (paths and constant pools rewritten, as the shade
    // plugin does). Expected: two findings. The plain one keeps "2.14.1 from
    // pom.properties" (manifest row log4j/log4j-core-2.14.1.jar). The shaded
    // one has no metadata next to it, so its version is what its classes
    // allow: JndiManager of 2.14.x differs from 2.13.x and 2.15.0
    // (classes/JndiManager.class-2.14.0 row: byte-identical only in 2.14.0,
    // 2.14.1), so the intersection must contain 2.14.1 and stay inside the
    // releases with all four CVEs (the manifest's 2.14.x rows).
    let mut all = entries("log4j/log4j-core-2.14.1.jar");
    let shaded: Vec<(String, Vec<u8>)> = all
        .iter()
        .filter(|(n, _)| n.starts_with("org/apache/logging/log4j/core/") && n.ends_with(".class"))
        .map(|(n, d)| (format!("com/acme/shaded/{n}"), shade(d, "com/acme/shaded/")))
        .collect();
    all.extend(shaded);
    let findings = scan(&all);
    assert_eq!(findings.len(), 2, "{findings:#?}");
    let plain = findings.iter().find(|f| f.relocated.is_none()).expect("plain copy");
    assert_eq!((plain.version.as_str(), plain.version_source), ("2.14.1", VersionSource::PomProperties));
    let shaded = findings.iter().find(|f| f.relocated.as_deref() == Some("com/acme/shaded/")).expect("shaded copy");
    assert_eq!(shaded.component, Component::Log4jCore);
    assert_eq!(shaded.status, Status::Vulnerable);
    assert_eq!(shaded.cves.len(), 4, "{:?}", shaded.cves);
    assert!(shaded.version.contains("2.14.1"), "{}", shaded.version);
    assert!(!shaded.version.contains("2.15.0") && !shaded.version.contains("2.13"), "{}", shaded.version);
    assert_eq!(shaded.version_source, VersionSource::ClassFingerprint);
}

#[test]
fn a_pom_that_contradicts_the_bytecode_loses() {
    // 2.14.1 classes with a pom claiming 2.17.1 (a relabelled jar). The
    // bytecode rules 2.17.1 out (its JndiManager differs: manifest row
    // classes/JndiManager.class-2.17.1), so the verdict must stay on 2.14.x
    // and the evidence must say the pom disagrees.
    let mut all = entries("log4j/log4j-core-2.14.1.jar");
    for (name, data) in all.iter_mut() {
        if name.ends_with("log4j-core/pom.properties") {
            *data = b"groupId=org.apache.logging.log4j\nartifactId=log4j-core\nversion=2.17.1\n".to_vec();
        }
        if name == "META-INF/MANIFEST.MF" {
            *data = b"Manifest-Version: 1.0\n".to_vec();
        }
    }
    let f = &scan(&all)[0];
    assert_eq!(f.status, Status::Vulnerable);
    assert_ne!(f.version, "2.17.1");
    assert_eq!(f.version_source, VersionSource::ClassFingerprint);
    assert!(f.evidence.iter().any(|e| e.contains("says 2.17.1") && e.contains("trusting the bytecode")), "{:?}", f.evidence);
}

#[test]
fn a_newer_pom_than_the_survey_is_believed() {
    // 2.17.1 classes with a pom saying 2.20.0: no class of 2.20.0 was
    // surveyed, and the classes are consistent with the newest surveyed
    // release, so the bytecode cannot contradict the pom. 2.20.0 is past
    // every CVE of the table (fixed).
    let mut all = entries("log4j/log4j-core-2.17.1.jar");
    for (name, data) in all.iter_mut() {
        if name.ends_with("log4j-core/pom.properties") {
            *data = b"groupId=org.apache.logging.log4j\nartifactId=log4j-core\nversion=2.20.0\n".to_vec();
        }
    }
    let f = &scan(&all)[0];
    assert_eq!((f.version.as_str(), f.status), ("2.20.0", Status::Fixed));
}

/// Append one Utf8 constant to the pool: the class behaves the same but
/// neither digest matches any more, like an unknown rebuild.
fn perturb(class: &[u8]) -> Vec<u8> {
    let count = u16::from_be_bytes([class[8], class[9]]);
    let mut out = class[..8].to_vec();
    out.extend_from_slice(&(count + 1).to_be_bytes());
    out.extend_from_slice(&class[10..]);
    // The pool ends where the access flags begin; find it by re-walking.
    let mut pos = 10;
    let mut index = 1;
    while index < count as usize {
        let tag = class[pos];
        pos += match tag {
            1 => 3 + u16::from_be_bytes([class[pos + 1], class[pos + 2]]) as usize,
            7 | 8 | 16 | 19 | 20 => 3,
            15 => 4,
            5 | 6 => {
                index += 1;
                9
            }
            _ => 5,
        };
        index += 1;
    }
    let extra = b"\x01\x00\x0dunknown-build";
    let mut result = out[..pos].to_vec();
    result.extend_from_slice(extra);
    result.extend_from_slice(&class[pos..]);
    result
}

#[test]
fn rebuilt_classes_are_dated_by_markers() {
    // JndiManager of 2.16.0 with one extra constant: no digest matches. Its
    // markers (corpus-checked in markers.tsv): log4j2.enableJndi and
    // allowedJndiProtocols present, isJndiLookupEnabled absent, which only
    // 2.16.0 has. Expected: 2.16.0, CVE-2021-45105 and CVE-2021-44832 (the
    // README's 2.16.0 row).
    let data = fs::read(corpus().join("classes/JndiManager.class-2.16.0")).unwrap();
    let f = &scan_class("x", "JndiManager.class", &perturb(&data))[0];
    assert_eq!(f.version, "2.16.0");
    let ids: Vec<&str> = f.cves.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["CVE-2021-45105", "CVE-2021-44832"]);
    assert!(f.evidence.iter().any(|e| e.contains("matches no known digest")), "{:?}", f.evidence);

    // JndiManager of 2.17.1 rebuilt: isJndiJdbcEnabled proves the
    // CVE-2021-44832 fix (2.17.1, 2.12.4, 2.3.2 and later), so it is fixed.
    let data = fs::read(corpus().join("classes/JndiManager.class-2.17.1")).unwrap();
    let f = &scan_class("x", "JndiManager.class", &perturb(&data))[0];
    assert_eq!(f.status, Status::Fixed, "{f:#?}");

    // JndiManager of 2.14.0 rebuilt: none of the markers, class-file
    // version 52 (Java 8 line). Every release that fits (2.13.0..2.14.1)
    // has all four CVEs.
    let data = fs::read(corpus().join("classes/JndiManager.class-2.14.0")).unwrap();
    let f = &scan_class("x", "JndiManager.class", &perturb(&data))[0];
    assert_eq!((f.status, f.cves.len()), (Status::Vulnerable, 4), "{f:#?}");
}

#[test]
fn hostile_bytes_under_watched_names_do_not_panic() {
    let class = fs::read(corpus().join("classes/JndiLookup.class-2.14.1")).unwrap();
    let mut inv = ArchiveInventory::new("t.jar", "t.jar");
    for cut in [0, 1, 4, 9, 10, 11, 100, class.len() - 1] {
        let name = format!("p{cut}/org/apache/logging/log4j/core/lookup/JndiLookup.class");
        inv.add_name(&name);
        inv.add_data(&name, &class[..cut]);
    }
    inv.add_data("META-INF/MANIFEST.MF", &[0xff; 300]);
    inv.add_data("META-INF/maven/x/y/pom.properties", b"=\n==\nversion\n");
    // Truncated canonical JndiLookups are still "a JndiLookup is here", with
    // an unknown version; what matters is that nothing panics.
    let findings = inv.finish();
    assert!(findings.iter().all(|f| f.component == Component::Log4jCore));
    for cut in 0..class.len() {
        let _ = scan_class("x", "JndiLookup.class", &class[..cut]);
    }
}

fn inventory(path: &str, names: &[&str], data: &[(&str, &[u8])]) -> Vec<Finding> {
    let mut inv = ArchiveInventory::new("top.war", path);
    for n in names {
        inv.add_name(n);
    }
    for (n, d) in data {
        inv.add_name(n);
        inv.add_data(n, d);
    }
    inv.finish()
}

#[test]
fn the_file_name_picks_among_the_candidates_when_nothing_else_does() {
    // Only JndiLookup.class of 2.14.x, which is byte-identical in 2.14.0,
    // 2.14.1, 2.15.0 and 2.16.0 (manifest row classes/JndiLookup.class-2.14.0),
    // in a jar named log4j-core-2.14.1.jar without metadata: the name picks
    // 2.14.1, which has all four CVEs.
    let class = fs::read(corpus().join("classes/JndiLookup.class-2.14.1")).unwrap();
    let f = inventory(
        "top.war!/WEB-INF/lib/log4j-core-2.14.1.jar",
        &[],
        &[("org/apache/logging/log4j/core/lookup/JndiLookup.class", &class)],
    );
    assert_eq!((f[0].version.as_str(), f[0].version_source), ("2.14.1", VersionSource::Filename));
    assert_eq!(f[0].cves.len(), 4);
    assert_eq!(f[0].path, "top.war!/WEB-INF/lib/log4j-core-2.14.1.jar");
    // A name the bytecode rules out is ignored.
    let f = inventory("log4j-core-2.12.1.jar", &[], &[("org/apache/logging/log4j/core/lookup/JndiLookup.class", &class)]);
    assert_eq!(f[0].version_source, VersionSource::ClassFingerprint);
}

#[test]
fn reload4j_is_its_own_component() {
    // reload4j keeps the org/apache/log4j package; its pom decides. The
    // project's own list of fixes (reload4j.qos.ch "Goals"): SocketServer and
    // JMSAppender hardened in 1.2.18.0, JMSSink and Chainsaw in 1.2.18.1,
    // JDBCAppender in 1.2.18.2, SMTPAppender (CVE-2020-9488) and XXE in
    // 1.2.18.3. So each release keeps exactly the CVEs fixed after it.
    let names = ["org/apache/log4j/Hierarchy.class", "org/apache/log4j/net/SocketAppender.class"];
    let pom = |v: &str| format!("groupId=ch.qos.reload4j\nartifactId=reload4j\nversion={v}\n");
    let cases: [(&str, Status, &[&str]); 5] = [
        ("1.2.18.0", Status::Vulnerable, &["CVE-2022-23302", "CVE-2022-23305", "CVE-2022-23307", "CVE-2020-9488"]),
        ("1.2.18.1", Status::Vulnerable, &["CVE-2022-23305", "CVE-2020-9488"]),
        ("1.2.18.2", Status::Vulnerable, &["CVE-2020-9488"]),
        ("1.2.18.3", Status::Fixed, &[]),
        ("1.2.19", Status::Fixed, &[]),
    ];
    for (v, status, cves) in cases {
        let text = pom(v);
        let f = inventory("reload4j.jar", &names, &[("META-INF/maven/ch.qos.reload4j/reload4j/pom.properties", text.as_bytes())]);
        assert_eq!(f.len(), 1, "{v}");
        assert_eq!((f[0].component, f[0].status, f[0].version.as_str()), (Component::Reload4j, status, v));
        let got: Vec<&str> = f[0].cves.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(got, cves, "{v}");
    }
}

#[test]
fn logback_versions_before_1_2_9_carry_cve_2021_42550() {
    let names = ["ch/qos/logback/classic/Logger.class", "ch/qos/logback/classic/LoggerContext.class"];
    let pom = |v: &str| format!("groupId=ch.qos.logback\nartifactId=logback-classic\nversion={v}\n");
    for (v, status) in [("1.2.3", Status::Vulnerable), ("1.2.9", Status::Fixed), ("1.3.0-alpha5", Status::Vulnerable)] {
        let text = pom(v);
        let f = inventory("logback.jar", &names, &[("META-INF/maven/ch.qos.logback/logback-classic/pom.properties", text.as_bytes())]);
        assert_eq!(f.len(), 1, "{v}");
        assert_eq!((f[0].component, f[0].status, f[0].version.as_str()), (Component::Logback, status, v));
    }
    // Without metadata the version and verdict are unknown, not guessed.
    let f = inventory("app.jar", &names, &[]);
    assert_eq!((f[0].status, f[0].version.as_str()), (Status::Unknown, "unknown"));
}

#[test]
fn ordinary_directory_prefixes_are_not_relocation() {
    // WEB-INF/classes/ is where a war keeps its classes: not a shaded copy.
    let class = fs::read(corpus().join("classes/JndiManager.class-2.17.1")).unwrap();
    let f = inventory("a.war", &[], &[("WEB-INF/classes/org/apache/logging/log4j/core/net/JndiManager.class", &class)]);
    assert_eq!(f[0].relocated, None);
    // google's corrupt.jar keeps 2.14.x classes under vuln/ (manifest notes:
    // "classes under vuln/ relocated").
    let f = inventory("c.jar", &[], &[("vuln/net/JndiManager.class", &class)]);
    assert_eq!(f[0].relocated.as_deref(), Some("vuln/"));
}

#[test]
fn mutated_classes_never_panic() {
    // Deterministic byte flips over real classes (a poor man's fuzzer: the
    // class reader's bounds checks are what is under test, not the verdict).
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for file in ["classes/JndiManager.class-2.17.1", "classes/JndiLookup.class-2.0", "classes/SocketNode.class-1.2.17"] {
        let original = fs::read(corpus().join(file)).unwrap();
        for _ in 0..2000 {
            let mut data = original.clone();
            for _ in 0..1 + next() % 4 {
                let i = (next() as usize) % data.len();
                data[i] = next() as u8;
            }
            let _ = scan_class("x", "JndiManager.class", &data);
            let mut inv = ArchiveInventory::new("t.jar", "t.jar");
            inv.add_name("org/apache/logging/log4j/core/net/JndiManager.class");
            inv.add_data("org/apache/logging/log4j/core/net/JndiManager.class", &data);
            let _ = inv.finish();
        }
    }
}

#[test]
fn log4j1_classes_fixed_in_place_drop_their_cves() {
    // Debian's liblog4j1.2-java 1.2.17-11 keeps JDBCAppender and chainsaw
    // but fixes them as reload4j did: JDBCAppender refers to the new
    // JdbcPatternParser, LoggingReceiver$Slurper reads through the new
    // HardenedLoggingEventInputStream. Simulated on the real 1.2.17 jar by
    // renaming one constant-pool class reference in each (the name is all
    // the detector looks at). Upstream 1.2.17 (manifest row
    // log4j/log4j-1.2.17.jar) has all five class-keyed CVEs; each fix
    // removes its own CVE only (corpus README: a 1.x CVE is listed when its
    // class is present, and a fixed class no longer carries it).
    let jar = entries("log4j/log4j-1.2.17.jar");
    let fix = |jdbc: bool, chainsaw: bool| -> Vec<(String, Vec<u8>)> {
        jar.iter()
            .map(|(name, data)| {
                let data = match name.as_str() {
                    "org/apache/log4j/jdbc/JDBCAppender.class" if jdbc => map_utf8(data, |s| {
                        if s == "java/sql/Statement" { "org/apache/log4j/jdbc/JdbcPatternParser".into() } else { s.into() }
                    }),
                    "org/apache/log4j/chainsaw/LoggingReceiver$Slurper.class" if chainsaw => map_utf8(data, |s| {
                        if s == "java/io/ObjectInputStream" { "org/apache/log4j/net/HardenedLoggingEventInputStream".into() } else { s.into() }
                    }),
                    _ => data.clone(),
                };
                (name.clone(), data)
            })
            .collect()
    };
    let cves = |entries: &[(String, Vec<u8>)]| -> (Status, Vec<String>) {
        let found = scan(entries);
        assert_eq!(found.len(), 1, "{found:#?}");
        (found[0].status, found[0].cves.iter().map(|c| c.id.clone()).collect())
    };
    let all = ["CVE-2019-17571", "CVE-2021-4104", "CVE-2022-23302", "CVE-2022-23305", "CVE-2022-23307"];
    let without = |gone: &[&str]| all.iter().filter(|c| !gone.contains(c)).map(|c| c.to_string()).collect::<Vec<_>>();
    assert_eq!(cves(&fix(false, false)), (Status::Vulnerable, without(&[])));
    assert_eq!(cves(&fix(true, false)), (Status::Vulnerable, without(&["CVE-2022-23305"])));
    assert_eq!(cves(&fix(false, true)), (Status::Vulnerable, without(&["CVE-2022-23307"])));
    let both = fix(true, true);
    assert_eq!(cves(&both), (Status::Vulnerable, without(&["CVE-2022-23305", "CVE-2022-23307"])));
    let evidence = scan(&both)[0].evidence.join("\n");
    assert!(evidence.contains("JDBCAppender.class binds the logged values"), "{evidence}");
    assert!(evidence.contains("HardenedLoggingEventInputStream"), "{evidence}");

    // The marker in some other class of that name does not count: a
    // JDBCAppender.class whose bytes are another class is not the fix.
    let mut fake = fix(false, false);
    let other = jar.iter().find(|(n, _)| n == "org/apache/log4j/jdbc/JDBCAppender.class").map(|(_, d)| d.clone()).unwrap();
    let other = map_utf8(&other, |s| match s {
        "org/apache/log4j/jdbc/JDBCAppender" => "org/apache/log4j/jdbc/Other".into(),
        "java/sql/Statement" => "org/apache/log4j/jdbc/JdbcPatternParser".into(),
        _ => s.into(),
    });
    for (name, data) in fake.iter_mut() {
        if name == "org/apache/log4j/jdbc/JDBCAppender.class" {
            *data = other.clone();
        }
    }
    assert_eq!(cves(&fake), (Status::Vulnerable, without(&[])));

    // The fix is a class the fixed code uses: the marker as a mere string
    // (here the field descriptor `Ljava/sql/Statement;` renamed to it) is
    // not the fix.
    let mut as_string = fix(false, false);
    for (name, data) in as_string.iter_mut() {
        if name == "org/apache/log4j/jdbc/JDBCAppender.class" {
            *data = map_utf8(data, |s| if s == "Ljava/sql/Statement;" { "org/apache/log4j/jdbc/JdbcPatternParser".into() } else { s.into() });
        }
    }
    assert_eq!(cves(&as_string), (Status::Vulnerable, without(&[])));

    // Two copies of the class under one root, one fixed and one not (a
    // duplicate entry, or a multi-release copy under META-INF/versions/9/):
    // which one a class loader picks depends on the JVM and the manifest,
    // so the CVE stays either way round.
    let fixed_jdbc = fix(true, false).into_iter().find(|(n, _)| n == "org/apache/log4j/jdbc/JDBCAppender.class").unwrap().1;
    let plain_jdbc = jar.iter().find(|(n, _)| n == "org/apache/log4j/jdbc/JDBCAppender.class").unwrap().1.clone();
    for (base, extra, extra_name) in [
        (true, &plain_jdbc, "META-INF/versions/9/org/apache/log4j/jdbc/JDBCAppender.class"),
        (false, &fixed_jdbc, "META-INF/versions/9/org/apache/log4j/jdbc/JDBCAppender.class"),
        (true, &plain_jdbc, "org/apache/log4j/jdbc/JDBCAppender.class"),
    ] {
        let mut two = fix(base, false);
        two.push((extra_name.to_string(), extra.clone()));
        assert_eq!(cves(&two), (Status::Vulnerable, without(&[])), "fixed base: {base}, extra copy {extra_name}");
    }

    // Debian's jar as a whole: no JMS classes, SocketNode reading through
    // FilteredObjectInputStream (the corpus's SocketNode.class-1.2.17-debian
    // patch), JDBCAppender and chainsaw fixed. No CVE is left, and since the
    // classes are there, fixed, this is `fixed`, not `mitigated` (which the
    // corpus README keeps for a 1.x whose CVE classes are gone).
    let gone = ["org/apache/log4j/net/JMSAppender.class", "org/apache/log4j/net/JMSSink.class", "org/apache/log4j/net/SocketServer.class"];
    let debian_like = |fixed: bool| -> Vec<(String, Vec<u8>)> {
        fix(fixed, fixed)
            .into_iter()
            .filter(|(n, _)| !gone.contains(&n.as_str()))
            .map(|(n, d)| {
                let d = if n == "org/apache/log4j/net/SocketNode.class" {
                    map_utf8(&d, |s| if s == "java/io/ObjectInputStream" { "org/apache/log4j/FilteredObjectInputStream".into() } else { s.into() })
                } else {
                    d
                };
                (n, d)
            })
            .collect()
    };
    assert_eq!(cves(&debian_like(true)), (Status::Fixed, Vec::new()));
    assert_eq!(cves(&debian_like(false)), (Status::Vulnerable, without(&["CVE-2019-17571", "CVE-2021-4104", "CVE-2022-23302"])));
}
