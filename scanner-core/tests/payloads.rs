//! Every labelled payload and benign look-alike in `shared/payloads/`,
//! checked against the rule in its README: with the `any` context, `remote`
//! must be `live`, `jndi-no-net` must be `attempt` or `live`, benign lines
//! must be `clean`, and malicious lines labelled `none` may be `attempt` or
//! `clean` but never `live`. The labels come from running real Log4j, not
//! from this program.
use scanner_core::lookup::{inspect, Context, Decoder, Profile, Verdict};
use std::path::PathBuf;

struct Row {
    line: usize,
    text: String,
    label: String,
    trick: String,
    decoding: String,
    v2_14: String,
    v2_12: String,
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/payloads")
}

fn load(name: &str) -> Vec<Row> {
    let path = dir().join(name);
    let body = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = body.lines().enumerate();
    let header: Vec<&str> = lines.next().expect("header row").1.split('\t').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap_or_else(|| panic!("{name}: no column {n}"));
    let (t, l, k, d) = (col("text"), col("label"), col("trick"), col("decoding"));
    let (v14, v12) = (col("log4j_2_14_1"), col("log4j_2_12_1"));
    lines
        .filter(|(_, s)| !s.is_empty())
        .map(|(i, s)| {
            let f: Vec<&str> = s.split('\t').collect();
            // The README: a newline inside a string is written as `\n`.
            Row {
                line: i + 1,
                text: f[t].replace("\\n", "\n"),
                label: f[l].to_string(),
                trick: f[k].to_string(),
                decoding: f[d].to_string(),
                v2_14: f[v14].to_string(),
                v2_12: f[v12].to_string(),
            }
        })
        .collect()
}

fn allowed(label: &str, benign: bool) -> &'static [Verdict] {
    match (benign, label) {
        (true, _) => &[Verdict::Clean],
        (false, "remote") => &[Verdict::Live],
        (false, "jndi-no-net") => &[Verdict::Attempt, Verdict::Live],
        (false, "none") => &[Verdict::Attempt, Verdict::Clean],
        (false, other) => panic!("unknown label {other}"),
    }
}

#[test]
fn labelled_payload_set() {
    let mut misses = Vec::new();
    let mut counts = std::collections::BTreeMap::<(String, &str), usize>::new();
    for (file, benign) in [("malicious.tsv", false), ("benign.tsv", true)] {
        let rows = load(file);
        assert!(!rows.is_empty(), "{file} is empty");
        for r in rows {
            let got = inspect(&r.text, Context::Any);
            let key = (format!("{file}:{}", if benign { "benign" } else { &r.label }), got.verdict.as_str());
            *counts.entry(key).or_default() += 1;
            if !allowed(&r.label, benign).contains(&got.verdict) {
                misses.push(format!(
                    "{file}:{} label={} trick={:?} got={} jndi={:?} chain={:?} text={:?}",
                    r.line,
                    r.label,
                    r.trick,
                    got.verdict.as_str(),
                    got.jndi,
                    got.chain,
                    r.text
                ));
            }
        }
    }
    for ((set, verdict), n) in &counts {
        println!("{set:<28} {verdict:<8} {n}");
    }
    assert!(misses.is_empty(), "{} misses:\n{}", misses.len(), misses.join("\n"));
}

/// The per-version columns against the profile that models each version:
/// 2.14.1 against `2.13-2.14`, 2.12.1 against `2.8-2.12`, after the row's
/// own decoding. `remote` is `live`; `jndi-no-net` (and `remote-jdk<=10`,
/// since the labels were classified for JDK 17) is `attempt`; `none` is
/// `clean`.
#[test]
fn per_version_columns() {
    let mut misses = Vec::new();
    let mut checked = 0;
    for file in ["malicious.tsv", "benign.tsv"] {
        for r in load(file) {
            let mut text = r.text.clone();
            for step in r.decoding.split('+').filter(|s| *s != "none") {
                let d = match step {
                    "url" => Decoder::Url,
                    "json" => Decoder::Json,
                    "html" => Decoder::Html,
                    other => panic!("{file}:{}: unknown decoding {other}", r.line),
                };
                text = d.apply(&text).unwrap_or(text);
            }
            let got = inspect(&text, Context::Raw);
            for (label, profile) in [(&r.v2_14, Profile::V2_13), (&r.v2_12, Profile::V2_8)] {
                let want = match label.as_str() {
                    "remote" => Verdict::Live,
                    "jndi-no-net" | "remote-jdk<=10" => Verdict::Attempt,
                    "none" => Verdict::Clean,
                    other => panic!("{file}:{}: unknown outcome {other}", r.line),
                };
                let have = got.profiles.iter().find(|o| o.profile == profile).map_or(Verdict::Clean, |o| o.verdict);
                checked += 1;
                if have != want {
                    misses.push(format!("{file}:{} {} want={label} got={} text={:?}", r.line, profile.as_str(), have.as_str(), r.text));
                }
            }
        }
    }
    println!("{checked} per-version outcomes checked");
    assert!(misses.is_empty(), "{} misses:\n{}", misses.len(), misses.join("\n"));
}
