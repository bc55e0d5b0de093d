//! The built `log4j-scan` binary, run on folders made here from corpus
//! files. Expected values: corpus README rules and the sizes of the files
//! copied, never the program's own output.
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn corpus(rel: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus").join(rel);
    assert!(p.is_file(), "corpus file {} missing", p.display());
    p
}

/// A fresh folder for one test, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let p = std::env::temp_dir().join(format!("log4j-scan-cli-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&p);
        fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }
    fn put(&self, rel: &str, from: &str) -> u64 {
        let to = self.0.join(rel);
        fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        fs::copy(corpus(from), &to).expect("copy")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_log4j-scan")).args(args).output().expect("run log4j-scan")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code")
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(code(&run(&[])), 2);
    assert_eq!(code(&run(&["--format", "xml", "."])), 2);
    assert_eq!(code(&run(&["--no-such-option", "."])), 2);
    let out = run(&["/nonexistent/log4j-scan-test"]);
    assert_eq!(code(&out), 2, "nothing could be read");
    assert_eq!(code(&run(&["--help"])), 0);
}

#[test]
fn json_report_shape_and_sums() {
    let d = TempDir::new("json");
    let mut bytes = d.put("a/hello.jar", "archives/google-helloworld.jar");
    bytes += d.put("a/b/not.jar", "archives/google-notarealjar.jar");
    bytes += d.put("c.tar.gz", "archives/palantir-wrapped_log4j.tar.gz");
    let out = run(&["--format", "json", d.0.to_str().expect("utf-8 path")]);
    let v = json(&out);
    let keys: Vec<&str> = v.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(keys, ["errors", "findings", "scanned", "tool"].to_vec(), "serde_json sorts keys");
    assert_eq!(v["tool"]["name"], "log4j-scan");
    assert_eq!(v["scanned"]["files"], 3);
    assert_eq!(v["scanned"]["bytes"], bytes);
    // hello.jar, the tar, and the jar inside the tar.
    assert_eq!(v["scanned"]["archives"], 3);
    let errors = v["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["kind"], "not-an-archive");
    assert!(errors[0]["path"].as_str().expect("path").ends_with("a/b/not.jar"));
    assert!(v["findings"].is_array());
}

#[test]
fn text_output_and_exit_0_when_clean() {
    let d = TempDir::new("text");
    d.put("hello.jar", "archives/google-helloworld.jar");
    d.put("not.jar", "archives/google-notarealjar.jar");
    let out = run(&[d.0.to_str().expect("utf-8 path")]);
    assert_eq!(code(&out), 0);
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().expect("summary");
    assert!(last.starts_with("scanned 2 file(s), 1 archive(s)"), "{text}");
    assert!(last.ends_with("1 error(s)"), "{text}");
    assert!(text.lines().any(|l| l.contains("not.jar: not-an-archive")), "{text}");
    let quiet = run(&["--quiet", d.0.to_str().expect("utf-8 path")]);
    assert_eq!(String::from_utf8_lossy(&quiet.stdout).lines().count(), 1, "quiet keeps only the summary here");
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_special_files() {
    use std::os::unix::fs::symlink;
    let d = TempDir::new("links");
    d.put("x/hello.jar", "archives/google-helloworld.jar");
    symlink("..", d.0.join("x/up")).expect("symlink");
    symlink("hello.jar", d.0.join("x/again.jar")).expect("symlink");
    let fifo = d.0.join("x/fifo.jar");
    let made = Command::new("mkfifo").arg(&fifo).status().map(|s| s.success()).unwrap_or(false);
    let dir = d.0.to_str().expect("utf-8 path");

    // Links inside folders are skipped by default; a FIFO is never opened
    // (it would block the scan).
    let v = json(&run(&["--format", "json", dir]));
    assert_eq!(v["scanned"]["files"], 1);

    // Followed: again.jar counts, and the loop through `up` ends.
    let v = json(&run(&["--format=json", "--follow-symlinks", dir]));
    assert_eq!(v["scanned"]["files"], 2, "hello.jar and again.jar, once each");
    assert!(made || !fifo.exists());
}

#[test]
fn sarif_log() {
    let d = TempDir::new("sarif");
    d.put("hello.jar", "archives/google-helloworld.jar");
    let v = json(&run(&["--format", "sarif", d.0.to_str().expect("utf-8 path")]));
    assert_eq!(v["version"], "2.1.0");
    let run0 = &v["runs"][0];
    assert_eq!(run0["tool"]["driver"]["name"], "log4j-scan");
    assert_eq!(run0["results"].as_array().expect("results").len(), 0);
}

#[test]
fn vulnerable_exits_1_and_is_a_sarif_result() {
    let d = TempDir::new("vuln");
    d.put("lib/log4j-core-2.14.1.jar", "log4j/log4j-core-2.14.1.jar");
    d.put("lib/log4j-core-2.17.1.jar", "log4j/log4j-core-2.17.1.jar");
    d.put("JndiManager.class", "classes/JndiManager.class-2.14.1");
    let dir = d.0.to_str().expect("utf-8 path");
    let out = run(&["--format", "json", dir]);
    assert_eq!(code(&out), 1);
    let v = json(&out);
    let statuses: Vec<&str> = v["findings"].as_array().expect("findings").iter().map(|f| f["status"].as_str().expect("status")).collect();
    // 2.14.1 and the bare 2.14.x JndiManager are vulnerable, 2.17.1 fixed.
    assert_eq!(statuses.iter().filter(|s| **s == "vulnerable").count(), 2, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == "fixed").count(), 1, "{statuses:?}");
    let s = json(&run(&["--format", "sarif", dir]));
    assert_eq!(s["runs"][0]["results"].as_array().expect("results").len(), 2);
    let text = run(&["--quiet", dir]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert_eq!(text.lines().filter(|l| l.starts_with("VULNERABLE")).count(), 2, "{text}");
    assert_eq!(text.lines().count(), 3, "{text}");
}
