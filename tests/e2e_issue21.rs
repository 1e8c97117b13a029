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
