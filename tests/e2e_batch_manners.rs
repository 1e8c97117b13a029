//! End-to-end tests for issue #21 item 1, the manners of `batch`, `scan` and `report`: resume
//! retries error rows, duplicate inputs are one row, rows come in input order whatever
//! `--jobs`, `scan DIR` scans the apps in a folder, every failure is on stderr in every format,
//! `report` refuses inputs with no valid rows, and numbers and exit codes follow `--help`.
//!
//! `TRACKSCAN_BIN=/path/to/trackscan` runs these tests against another build (e.g. an older
//! one, to see them fail).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{corpus, read_jsonl, root, trackscan};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run<S: AsRef<OsStr>>(args: &[S]) -> Run {
    let mut cmd = match std::env::var_os("TRACKSCAN_BIN") {
        Some(bin) => assert_cmd::Command::new(bin),
        None => trackscan(),
    };
    let out = cmd.args(args).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    }
}

fn sample() -> PathBuf {
    root().join("samples/hello-mixpanel.apk")
}

fn pinning_sample() -> PathBuf {
    root().join("samples/trustkit-demo.apk")
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

fn files(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["file"].as_str().unwrap_or("").to_string())
        .collect()
}

fn count(rows: &[Value], file: &Path) -> usize {
    let f = s(file);
    rows.iter().filter(|r| r["file"] == f.as_str()).count()
}

/// JSON documents one after another (pretty or one per line).
fn docs(text: &str) -> Vec<Value> {
    serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .map(|v| v.expect("JSON"))
        .collect()
}

/// `--resume` scans error rows again by default, with no stale row left; `--keep-errors`
/// keeps them; the summary says how many.
#[test]
fn resume_retries_error_rows_and_keeps_one_row_per_input() {
    let t = tempfile::tempdir().unwrap();
    let late = t.path().join("in/late.apk"); // missing at first
    let broken = t.path().join("in/broken.apk");
    std::fs::create_dir_all(t.path().join("in")).unwrap();
    std::fs::write(&broken, b"PK\x03\x04 not really an app").unwrap();
    let out = t.path().join("rows.jsonl");
    let base = ["batch", "-q", "-o", &s(&out)].map(String::from).to_vec();
    let inputs = [s(&late), s(&broken), s(&sample())];
    let with = |extra: &[&str]| {
        let mut a = base.clone();
        a.extend(extra.iter().map(|x| x.to_string()));
        a.extend(inputs.iter().cloned());
        a
    };

    let r = run(&with(&[]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    let rows = read_jsonl(&out);
    assert_eq!(rows.len(), 3);

    // --keep-errors: the broken file's error row stays; nothing is scanned.
    let r = run(&with(&["--resume", "--keep-errors"]));
    assert_eq!(
        r.code, 2,
        "kept rows of unreadable apps still count: {}",
        r.stderr
    );
    assert!(r.stderr.contains("0 scanned"), "{}", r.stderr);
    assert!(r.stderr.contains("2 error rows kept"), "{}", r.stderr);
    assert_eq!(read_jsonl(&out), rows, "nothing rewritten");

    // The missing file appears; a plain resume retries both error rows.
    std::fs::copy(pinning_sample(), &late).unwrap();
    let r = run(&with(&["--resume"]));
    assert!(r.stderr.contains("2 scanned"), "{}", r.stderr);
    assert!(r.stderr.contains("2 error rows retried"), "{}", r.stderr);
    assert_eq!(r.code, 2, "broken.apk still cannot be read: {}", r.stderr);
    let rows = read_jsonl(&out);
    assert_eq!(rows.len(), 3, "{:?}", files(&rows));
    for f in [&late, &broken, &sample()] {
        assert_eq!(count(&rows, f), 1, "{}: {:?}", f.display(), files(&rows));
    }
    let late_row = rows
        .iter()
        .find(|r| r["file"] == s(&late).as_str())
        .unwrap();
    assert!(late_row["package"].is_string(), "rescanned: {late_row}");
    assert!(late_row["score"]["value"].is_u64());
    let broken_row = rows
        .iter()
        .find(|r| r["file"] == s(&broken).as_str())
        .unwrap();
    assert!(broken_row["score"].is_null());
    assert!(!t.path().join("rows.jsonl.rewrite.tmp").exists());

    // Once more: only broken.apk is retried, still one row each.
    let r = run(&with(&["--resume"]));
    assert!(r.stderr.contains("1 scanned"), "{}", r.stderr);
    assert!(r.stderr.contains("1 error rows retried"), "{}", r.stderr);
    assert_eq!(read_jsonl(&out).len(), 3);
}

/// The same file named twice (twice the same directory, a file also inside a given directory,
/// `./` in a path, a symbolic link) is scanned once and has one row; identical content at
/// another path keeps its own row.
#[test]
fn duplicate_inputs_are_scanned_once_with_one_row() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("apps");
    std::fs::create_dir_all(&d).unwrap();
    let (a, b, c) = (d.join("a.apk"), d.join("b.apk"), d.join("c.apk"));
    std::fs::copy(sample(), &a).unwrap();
    std::fs::copy(pinning_sample(), &b).unwrap();
    std::fs::copy(sample(), &c).unwrap(); // same content as a.apk, another file
    let link = t.path().join("link.apk");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&a, &link).unwrap();
    #[cfg(not(unix))]
    std::fs::copy(&a, &link).unwrap();
    let out = t.path().join("rows.jsonl");
    let dotted = format!("{}/./b.apk", d.display());
    let r = run(&[
        "batch",
        "-o",
        &s(&out),
        &s(&d),
        &s(&d),
        &s(&a),
        &dotted,
        &s(&link),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows = read_jsonl(&out);
    assert_eq!(files(&rows), vec![s(&a), s(&b), s(&c)], "{}", r.stderr);
    let dups = if cfg!(unix) { 6 } else { 5 };
    assert!(
        r.stderr.contains(&format!("({dups} more named twice")),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&format!(
            "{}: duplicate input (the same file as {})",
            s(&a),
            s(&a)
        )),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("2 scanned"), "{}", r.stderr);
    assert!(r.stderr.contains("1 same content"), "{}", r.stderr);
    assert_eq!(rows[0]["sha256"], rows[2]["sha256"]);
}

/// The same inputs give the same rows in the same order (input order) whatever `--jobs`.
#[test]
fn rows_in_input_order_whatever_jobs() {
    let t = tempfile::tempdir().unwrap();
    let dir = match corpus() {
        Some(c) => c.join("apks"),
        None => {
            let d = t.path().join("apps");
            std::fs::create_dir_all(&d).unwrap();
            for i in 0..12 {
                let src = if i % 3 == 0 {
                    pinning_sample()
                } else {
                    sample()
                };
                let p = d.join(format!("app{i:02}.apk"));
                if i % 4 == 1 {
                    std::fs::write(&p, format!("broken {i}")).unwrap();
                } else {
                    std::fs::copy(src, &p).unwrap();
                }
            }
            d
        }
    };
    let mut runs = Vec::new();
    for jobs in ["1", "2", "3"] {
        let out = t.path().join(format!("rows{jobs}.jsonl"));
        let r = run(&[
            "batch",
            "-q",
            "--allow-unreadable",
            "--jobs",
            jobs,
            "-o",
            &s(&out),
            &s(&dir),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        runs.push(read_jsonl(&out));
    }
    let names = files(&runs[0]);
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(
        names, sorted,
        "rows in input order (a directory: sorted paths)"
    );
    assert!(names.len() > 2);
    for other in &runs[1..] {
        assert_eq!(files(other), names);
        assert!(other == &runs[0], "same rows, same order");
    }
}

/// `scan DIR` on a folder of apps scans each app in it (recursively, sorted, as `batch`), one
/// report per app in every format; an apktool tree is still one app; a folder with no apps is
/// an input that could not be read.
#[test]
fn scan_directory_of_apps() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("apps");
    std::fs::create_dir_all(d.join("sub")).unwrap();
    let (a, b) = (d.join("a.apk"), d.join("sub/b.apk"));
    std::fs::copy(sample(), &a).unwrap();
    std::fs::copy(pinning_sample(), &b).unwrap();
    std::fs::write(d.join("notes.txt"), "not an app").unwrap();
    let dir = s(&d);

    for format in ["json", "jsonl", "sarif"] {
        let r = run(&["scan", "--format", format, &dir]);
        assert_eq!(r.code, 0, "{format}: {}", r.stderr);
        let docs = docs(&r.stdout);
        assert_eq!(docs.len(), 2, "{format}: one report per app");
        if format != "sarif" {
            let f: Vec<&str> = docs.iter().filter_map(|d| d["file"].as_str()).collect();
            assert_eq!(f, vec![s(&a), s(&b)], "{format}");
            assert!(docs.iter().all(|d| d["package"].is_string()));
        } else {
            assert!(docs.iter().all(|d| d["version"] == "2.1.0"));
        }
    }
    let r = run(&["scan", "--format", "text", &dir]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (pa, pb) = (
        r.stdout.find(&format!("{}\n", s(&a))),
        r.stdout.find(&format!("{}\n", s(&b))),
    );
    assert!(pa.is_some() && pb > pa, "{}", r.stdout);

    // An apktool tree is one app.
    let tree = root().join("samples/hello-mixpanel-apktool");
    let r = run(&["scan", "--format", "jsonl", &s(&tree)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let docs = docs(&r.stdout);
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["kind"], "smali_dir");

    // A folder with no apps: exit 2, named on stderr.
    let empty = t.path().join("nothing");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(empty.join("readme.txt"), "x").unwrap();
    let r = run(&["scan", "--format", "jsonl", &s(&empty)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&s(&empty)) && r.stderr.contains("holds no apps"),
        "{}",
        r.stderr
    );
}

/// A file that cannot be read is named on stderr, one line, in every format.
#[test]
fn scan_failures_on_stderr_in_every_format() {
    let t = tempfile::tempdir().unwrap();
    let broken = t.path().join("broken.apk");
    std::fs::write(&broken, b"this is not an app at all").unwrap();
    let missing = t.path().join("missing.apk");
    for format in ["json", "jsonl", "text", "sarif"] {
        let r = run(&[
            "scan",
            "--format",
            format,
            &s(&broken),
            &s(&missing),
            &s(&sample()),
        ]);
        assert_eq!(r.code, 2, "{format}");
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(
            lines.len(),
            2,
            "{format}: one line per failing file: {}",
            r.stderr
        );
        assert!(
            lines[0].contains(&s(&broken)) && lines[0].contains("could not be read"),
            "{format}: {}",
            r.stderr
        );
        assert!(
            lines[1].contains(&s(&missing)) && lines[1].contains("No such file"),
            "{format}: {}",
            r.stderr
        );
    }
}

/// `report` exits 2 on an empty input, a text file or rows that are all bad; bad lines are
/// named as `file:line: problem` and counted, and the valid rows still make the report.
#[test]
fn report_refuses_inputs_without_rows_and_names_bad_lines() {
    let t = tempfile::tempdir().unwrap();
    let html = t.path().join("r.html");
    let empty = t.path().join("empty.jsonl");
    std::fs::write(&empty, b"").unwrap();
    let r = run(&["report", &s(&empty), "-o", &s(&html)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("empty"), "{}", r.stderr);
    assert!(!html.exists());

    let text = root().join("README.md");
    let r = run(&["report", &s(&text), "-o", &s(&html)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no valid rows"), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("{}:1: not JSON", s(&text))),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("more bad lines"), "capped: {}", r.stderr);
    assert!(!html.exists());

    // A real row, then bad lines: the report is written from the row.
    let rows = t.path().join("rows.jsonl");
    let r = run(&["batch", "-q", "-o", &s(&rows), &s(&sample())]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut body = std::fs::read_to_string(&rows).unwrap();
    body.push_str("not json\n\n[1, 2]\n{\"no\": \"file\"}\n{\"file\": \"cut");
    std::fs::write(&rows, body).unwrap();
    let r = run(&["report", &s(&rows), "-o", &s(&html)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let name = s(&rows);
    for (line, what) in [
        (2, "not JSON"),
        (4, "a JSON array"),
        (5, "a JSON object without a \"file\""),
        (6, "truncated last line"),
    ] {
        assert!(
            r.stderr.contains(&format!("{name}:{line}: {what}")),
            "line {line}: {}",
            r.stderr
        );
    }
    assert!(r.stderr.contains("4 bad lines skipped"), "{}", r.stderr);
    assert!(r.stderr.contains("(1 apps)"), "{}", r.stderr);
    assert!(std::fs::read_to_string(&html)
        .unwrap()
        .contains("hello-mixpanel"));

    let r = run(&["report", &s(&t.path().join("nope.jsonl")), "-o", &s(&html)]);
    assert_eq!(r.code, 2);
}

/// Numbers in options are checked with a clear message, and every subcommand's `--help`
/// states its exit codes; the codes are the ones it says.
#[test]
fn numbers_and_exit_codes_follow_help() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("x.jsonl");
    let app = s(&sample());
    for (limit, why) in [
        ("max-dex-size=0", "at least 1"),
        ("max-entries=99999999999999999999", "too large"),
        ("max-dex-size=-5", "not a whole number"),
        ("max-ratio=lots", "not a whole number"),
    ] {
        for cmd in ["scan", "batch"] {
            let mut args = vec![cmd.to_string(), "--limit".into(), limit.into()];
            if cmd == "batch" {
                args.extend(["-q".into(), "-o".into(), s(&out)]);
            }
            args.push(app.clone());
            let r = run(&args);
            assert_eq!(r.code, 2, "{cmd} {limit}");
            assert!(
                r.stderr.contains("--limit") && r.stderr.contains(why),
                "{cmd} {limit}: {}",
                r.stderr
            );
            assert!(r.stdout.is_empty(), "{cmd} {limit}: nothing scanned");
        }
    }
    assert!(!out.exists(), "nothing written");
    let r = run(&["scan", "--limit", "max-nested=0", "--format", "jsonl", &app]);
    assert_eq!(
        r.code, 0,
        "max-nested=0 means no nested archives: {}",
        r.stderr
    );

    // --keep-errors only makes sense with --resume.
    let r = run(&["batch", "-q", "--keep-errors", "-o", &s(&out), &app]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--resume"), "{}", r.stderr);

    for sub in ["scan", "batch", "diff", "timeline", "report", "signatures"] {
        let r = run(&[sub, "--help"]);
        assert_eq!(r.code, 0);
        assert!(
            r.stdout.contains("Exit codes: 0"),
            "{sub} --help: {}",
            r.stdout
        );
    }
    let help = run(&["scan", "--help"]).stdout;
    assert!(help.contains("searched recursively"), "{help}");

    // diff: a side that cannot be read → 2; signatures show of an unknown id → 2.
    let r = run(&["diff", &app, &s(&t.path().join("missing.apk"))]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("missing.apk"), "{}", r.stderr);
    let r = run(&["diff", &app, &app]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["signatures", "show", "no-such-rule"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}
