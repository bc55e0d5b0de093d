//! SARIF 2.1.0 (OASIS) output for code-scanning dashboards.
//!
//! One rule per status (`log4j-vulnerable`, `log4j-mitigated`) rather than
//! per CVE: a finding is one component in one place, and one result per
//! component keeps a dashboard's count equal to the number of jars to fix.
//! The CVEs are in the message and in `properties.cves`. Fixed and unknown
//! components are not results; scan errors are tool notifications.
use std::io::{self, Write};

use scanner_core::{Finding, Report, Status};
use serde_json::{json, Value};

const RULES: [(&str, &str, &str); 2] = [
    ("log4j-vulnerable", "error", "A Log4j build with known CVEs (Log4Shell and related)"),
    ("log4j-mitigated", "note", "A vulnerable Log4j version whose dangerous classes were removed"),
];

/// Percent-encode a path into a relative URI reference, keeping `/`.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut s = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

fn result(f: &Finding) -> Option<Value> {
    let index = match f.status {
        Status::Vulnerable => 0,
        Status::Mitigated => 1,
        Status::Fixed | Status::Unknown => return None,
    };
    let (rule, level, _) = RULES[index];
    let cves: Vec<&str> = f.cves.iter().map(|c| c.id.as_str()).collect();
    let worst = f.cves.iter().map(|c| c.cvss).fold(0.0f32, f32::max);
    let text = format!(
        "{} {} is {} ({}) at {}",
        f.component.as_str(),
        f.version,
        f.status.as_str(),
        if cves.is_empty() { "no CVEs".to_string() } else { cves.join(", ") },
        f.path
    );
    Some(json!({
        "ruleId": rule,
        "ruleIndex": index,
        "level": level,
        "message": { "text": text },
        "locations": [{
            "physicalLocation": { "artifactLocation": { "uri": uri(&f.file) } },
            "logicalLocations": [{ "fullyQualifiedName": f.path, "kind": "module" }]
        }],
        "properties": {
            "component": f.component.as_str(),
            "version": f.version,
            "cves": cves,
            "nestedPath": f.path,
            "security-severity": format!("{worst:.1}"),
        }
    }))
}

/// The whole run as one SARIF log.
pub fn write(out: &mut impl Write, r: &Report) -> io::Result<()> {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(id, level, text)| {
            json!({
                "id": id,
                "shortDescription": { "text": text },
                "defaultConfiguration": { "level": level },
            })
        })
        .collect();
    let notifications: Vec<Value> = r
        .errors
        .iter()
        .map(|e| {
            json!({
                "level": "warning",
                "message": { "text": format!("{}: {}", e.path, e.error) },
                "descriptor": { "id": e.kind.as_str() },
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": r.tool.name,
                "version": r.tool.version,
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "results": r.findings.iter().filter_map(result).collect::<Vec<_>>(),
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded() {
        assert_eq!(uri("dir/a b.jar"), "dir/a%20b.jar");
        assert_eq!(uri("C:\\x\\y#.war"), "C%3A/x/y%23.war");
    }
}
