//! End-to-end tests for issue #21: rows that do not claim what was not checked (no score for an
//! unreadable app, exit codes, summaries, resume, duplicates, order), host attribution that agrees
//! with the findings, and the timeline's manners.

use std::path::PathBuf;

use serde_json::Value;

use super::{corpus, read_jsonl, root, trackscan};

fn corpus_apk(name: &str) -> Option<PathBuf> {
    let p = corpus()?.join("apks").join(name);
    p.is_file().then_some(p)
}

fn sample() -> PathBuf {
    root().join("samples/hello-mixpanel.apk")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&std::ffi::OsStr]) -> Run {
    let out = trackscan().args(args).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    }
}

macro_rules! os {
    ($($a:expr),* $(,)?) => { &[$(std::ffi::OsStr::new($a)),*] };
}

fn by_name<'a>(rows: &'a [Value], name: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["file"].as_str().is_some_and(|f| f.ends_with(name)))
        .unwrap_or_else(|| panic!("no row for {name}"))
}

/// `ag_multidex_tiny.apk` has no manifest: no score and no grade in JSON, CSV, HTML and text.
#[test]
fn app_without_manifest_is_not_graded_anywhere() {
    let Some(tiny) = corpus_apk("ag_multidex_tiny.apk") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let t = tiny.to_str().unwrap();
    let s = sample();
    let s = s.to_str().unwrap();

    // scan, JSON and text.
    let r = run(os!["scan", "--compact", t]);
    let doc: Value = serde_json::from_str(r.stdout.trim()).expect("JSON");
    assert!(doc["score"].is_null(), "score: {}", doc["score"]);
    assert_eq!(r.code, 2, "an app that could not be read exits 2");
    let r = run(os!["scan", "--format", "text", t]);
    assert!(r.stderr.contains("AndroidManifest.xml"), "{}", r.stderr);
    assert!(r.stdout.contains("not graded"), "{}", r.stdout);
    assert!(!r.stdout.contains("grade A"), "{}", r.stdout);

    // batch: JSONL, CSV.
    let out = dir.path().join("rows.jsonl");
    let _ = run(os!["batch", "-q", "-o", out.to_str().unwrap(), t, s]);
    let rows = read_jsonl(&out);
    assert!(by_name(&rows, "ag_multidex_tiny.apk")["score"].is_null());
    assert!(by_name(&rows, "hello-mixpanel.apk")["score"]["value"].is_u64());
    let csv = dir.path().join("rows.csv");
    let _ = run(os![
        "batch",
        "-q",
        "--format",
        "csv",
        "-o",
        csv.to_str().unwrap(),
        t
    ]);
    let text = std::fs::read_to_string(&csv).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = text.lines().nth(1).unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).and_then(|i| row.get(i));
    assert_eq!(col("score"), Some(&""), "{text}");
    assert_eq!(col("grade"), Some(&""), "{text}");

    // report: HTML.
    let html = dir.path().join("r.html");
    let _ = run(os![
        "report",
        out.to_str().unwrap(),
        "-o",
        html.to_str().unwrap()
    ]);
    let h = std::fs::read_to_string(&html).unwrap();
    assert!(h.contains("not graded"), "HTML says not graded");
    assert!(
        !h.contains("gA\">A 100"),
        "no A 100 badge for the unreadable app"
    );
}

/// A typo in a batch input is a failure, not "1 scanned": exit 2 (as `--help` says) with the
/// count on stderr, even with `--quiet`; `--allow-unreadable` asks for exit 0.
#[test]
fn batch_input_that_cannot_be_read_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.jsonl");
    let missing = dir.path().join("nonexistent/foo.apk");
    let (o, m, s) = (
        out.to_str().unwrap(),
        missing.to_str().unwrap(),
        sample().to_str().unwrap().to_string(),
    );
    let r = run(os!["batch", "-q", "-o", o, m, &s]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("1 could not be read"), "{}", r.stderr);
    let rows = read_jsonl(&out);
    assert_eq!(rows.len(), 2);
    assert!(by_name(&rows, "foo.apk")["score"].is_null());

    let out2 = dir.path().join("y.jsonl");
    let r = run(os![
        "batch",
        "-q",
        "--allow-unreadable",
        "-o",
        out2.to_str().unwrap(),
        m
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // All readable: exit 0, quiet stays quiet.
    let out3 = dir.path().join("z.jsonl");
    let r = run(os!["batch", "-q", "-o", out3.to_str().unwrap(), &s]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
}

/// Numbers that make no sense are refused before anything runs.
#[test]
fn batch_rejects_zero_timeout_and_zero_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.jsonl");
    let s = sample();
    for bad in [
        &["--timeout", "0"][..],
        &["--timeout=-3"],
        &["--jobs", "0"],
        &["--jobs", "many"],
    ] {
        let mut args: Vec<&std::ffi::OsStr> = os!["batch", "-q", "-o"].to_vec();
        args.push(out.as_os_str());
        args.extend(bad.iter().map(std::ffi::OsStr::new));
        args.push(s.as_os_str());
        let r = run(&args);
        assert_eq!(r.code, 2, "{bad:?}: {}", r.stderr);
        assert!(
            r.stderr
                .contains(bad[0].split('=').next().unwrap_or_default())
                && r.stderr.contains("invalid value"),
            "{bad:?}: {}",
            r.stderr
        );
        assert!(!out.exists(), "{bad:?}: nothing written");
    }
}

/// An empty file says so, instead of "(first bytes: )".
#[test]
fn empty_file_says_empty() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.apk");
    std::fs::write(&empty, b"").unwrap();
    let r = run(os!["scan", "--compact", empty.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    let doc: Value = serde_json::from_str(r.stdout.trim()).expect("JSON");
    let e = doc["errors"][0].as_str().unwrap_or_default();
    assert!(e.contains("empty file (0 bytes)"), "{e}");
    assert!(!e.contains("first bytes"), "{e}");
}
