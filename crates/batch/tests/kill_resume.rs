//! SIGKILL at an arbitrary moment, then `--resume`: every input appears exactly once, also when
//! the kills land while error rows are being retried.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

fn example_bin() -> PathBuf {
    // target/<profile>/deps/kill_resume-HASH -> target/<profile>/examples/slow_batch
    let exe = std::env::current_exe().expect("current exe");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    dir.join("examples")
        .join(format!("slow_batch{}", std::env::consts::EXE_SUFFIX))
}

fn rows(path: &std::path::Path) -> (Vec<serde_json::Value>, bool) {
    let bytes = std::fs::read(path).unwrap_or_default();
    let complete = bytes.is_empty() || bytes.last() == Some(&b'\n');
    let v = bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .filter_map(|l| serde_json::from_slice(l).ok())
        .collect();
    (v, complete)
}

fn after_rows(path: &std::path::Path) -> Vec<serde_json::Value> {
    rows(path).0
}

#[test]
fn sigkill_then_resume_gives_each_input_once() {
    let bin = example_bin();
    assert!(
        bin.exists(),
        "{} not built (cargo test builds examples)",
        bin.display()
    );
    let tmp = tempfile::tempdir().expect("tempdir");
    let input = tmp.path().join("in");
    std::fs::create_dir_all(input.join("sub")).expect("mkdir");
    let n = 60;
    for i in 0..n {
        let dir = if i % 3 == 0 {
            input.join("sub")
        } else {
            input.clone()
        };
        // Files 50.. are copies of 0..: identical content. Every 7th gets an error row until
        // `out.jsonl.fixed` exists.
        let content = if i % 7 == 3 {
            format!("flaky {}", i % 50)
        } else {
            format!("content {}", i % 50)
        };
        std::fs::write(dir.join(format!("app{i:03}.apk")), content).expect("write");
    }
    std::fs::write(input.join("notes.txt"), "not an input").expect("write");
    let out = tmp.path().join("out.jsonl");

    // Several kills at different moments, each followed by a resume that is killed too.
    let mut kills = 0;
    for (round, wait_ms) in [150u64, 260, 90].into_iter().enumerate() {
        let mut cmd = Command::new(&bin);
        cmd.arg(&out).arg(&input);
        if round > 0 {
            cmd.arg("--resume");
        }
        cmd.arg("25");
        let mut child = cmd.spawn().expect("spawn");
        std::thread::sleep(Duration::from_millis(wait_ms));
        if child.try_wait().expect("try_wait").is_none() {
            child.kill().expect("SIGKILL"); // std's kill() is SIGKILL on Unix
            kills += 1;
        }
        let _ = child.wait();
    }
    assert!(
        kills > 0,
        "the child finished before any kill; test did not exercise SIGKILL"
    );
    let (before, _) = rows(&out);
    assert!(
        before.len() < n,
        "killed run wrote every row ({}), kill came too late",
        before.len()
    );

    // The flaky inputs can be read now: resumes retry their error rows; kill those too.
    let flaky = (0..n).filter(|i| i % 7 == 3).count();
    assert!(
        after_rows(&out).iter().all(|r| !r["file"].is_null()),
        "rows are objects with a file"
    );
    std::fs::write(tmp.path().join("out.jsonl.fixed"), "").expect("marker");
    for wait_ms in [70u64, 120] {
        let mut child = Command::new(&bin)
            .arg(&out)
            .arg(&input)
            .arg("--resume")
            .arg("25")
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(wait_ms));
        if child.try_wait().expect("try_wait").is_none() {
            child.kill().expect("SIGKILL");
            kills += 1;
        }
        let _ = child.wait();
    }
    assert!(flaky > 0 && kills > 1);

    // Final resume, to completion.
    let started = Instant::now();
    let status = Command::new(&bin)
        .arg(&out)
        .arg(&input)
        .arg("--resume")
        .arg("1")
        .status()
        .expect("run");
    assert!(status.success());
    assert!(started.elapsed() < Duration::from_secs(60));
    let (after, complete) = rows(&out);
    assert!(complete, "journal ends with a partial line");
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for r in &after {
        let f = r["file"].as_str().expect("file").to_string();
        *count.entry(f).or_default() += 1;
    }
    assert_eq!(count.len(), n, "every input has a row");
    assert!(count.values().all(|c| *c == 1), "duplicates: {count:?}");
    assert_eq!(after.len(), n);
    assert!(
        after.iter().all(|r| r.get("errors").is_none()),
        "every error row was retried: {:?}",
        after
            .iter()
            .filter(|r| r.get("errors").is_some())
            .map(|r| &r["file"])
            .collect::<Vec<_>>()
    );
    assert!(!count.keys().any(|f| f.ends_with(".txt")));
    // Identical content shares the document (same sha256, same size).
    let by_file: BTreeMap<&str, &serde_json::Value> = after
        .iter()
        .map(|r| (r["file"].as_str().unwrap_or(""), r))
        .collect();
    let a = by_file.values().find(|r| {
        r["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("app050.apk"))
    });
    let b = by_file.values().find(|r| {
        r["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("app000.apk"))
    });
    assert_eq!(a.map(|r| &r["sha256"]), b.map(|r| &r["sha256"]));
}
