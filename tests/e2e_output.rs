//! Output manners: a reader that goes away early (`| head`) ends trackscan quietly, and
//! `--format jsonl` gives one compact line per app.

use std::process::{Command, Stdio};

use serde_json::Value;

use super::{root, scan_json};

/// Runs trackscan with `args`, its stdout a pipe whose read end is closed at once (a reader
/// that exits before reading, like `| head -0`), and returns (exit code, stderr).
fn with_closed_stdout(args: &[&str]) -> (Option<i32>, String) {
    let bin = assert_cmd::cargo::cargo_bin("trackscan");
    let mut child = Command::new(bin)
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("waits");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn closed_stdout_ends_quietly_with_exit_0() {
    let apk = "samples/hello-mixpanel.apk";
    let tree = "samples/hello-mixpanel-apktool";
    for args in [
        &["scan", apk][..],
        &["scan", apk, "--format", "text"],
        &["scan", apk, "--format", "sarif"],
        &["scan", apk, tree, "--format", "jsonl"],
        &["diff", apk, tree],
        &["diff", apk, tree, "--format", "json"],
        &["signatures", "list"],
        &["signatures", "show", "mixpanel"],
    ] {
        let (code, stderr) = with_closed_stdout(args);
        assert_eq!(stderr, "", "{args:?}");
        assert_eq!(code, Some(0), "{args:?}");
    }
}

#[test]
fn jsonl_is_one_compact_line_per_app_and_json_stays_pretty() {
    let apk = root().join("samples/hello-mixpanel.apk");
    let tree = root().join("samples/hello-mixpanel-apktool");
    let (apk, tree) = (apk.to_str().expect("utf-8"), tree.to_str().expect("utf-8"));
    let run = |args: &[&str]| {
        let out = super::trackscan()
            .arg("scan")
            .args(args)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let one = run(&[apk, "--format", "jsonl"]);
    assert_eq!(one.lines().count(), 1, "{one}");
    assert!(one.ends_with("}\n"));
    let two = run(&[apk, tree, "--format", "jsonl"]);
    let lines: Vec<Value> = two
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is a document"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["kind"], "smali_dir");
    // `json`: one pretty document for one app (unchanged), one line each for several.
    let pretty = run(&[apk]);
    assert!(pretty.lines().count() > 10);
    let (docs, _, _) = scan_json(&[apk]);
    assert_eq!(serde_json::from_str::<Value>(&one).expect("doc"), docs[0]);
    assert_eq!(run(&[apk, tree]), two);
    assert_eq!(run(&[apk, "--compact"]), one);
}
