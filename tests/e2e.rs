//! End-to-end tests of the `trackscan` binary: the bundled samples, the shared corpus against the
//! peer tools' results (`../shared/corpus/expected/`), and bad input.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// Issue #21 item 1: batch/scan/report manners (resume, duplicates, order, `scan DIR`, stderr).
#[path = "e2e_batch_manners.rs"]
mod batch_manners;
mod e2e_apktool;
/// Issue #18 item 4: SDK code changes against Debian's dexdump over every version series.
mod e2e_dexdump;
/// Issue #19: personal data flowing from the app's code into tracker calls.
mod e2e_flows;
mod e2e_output;
/// Issue #17 (items 1–3): structural fingerprints that survive renaming.
mod e2e_structure;
/// Issue #33 item 7: hidden code (renamed, encrypted strings, packed) over the corpus.
#[path = "e2e_hidden.rs"]
mod hidden;
/// Issue #21 item 3: the HTML report in headless Chromium.
#[path = "e2e_html.rs"]
mod html;
/// Issue #21 (items 1, 2, 5): honest rows, host attribution, timeline manners.
#[path = "e2e_issue21.rs"]
mod issue21;
/// Issue #30: the Data safety label check and its draft.
#[path = "e2e_label.rs"]
mod label;
/// Issue #21 item 4: the Parquet tables.
#[path = "e2e_tables.rs"]
mod tables;
/// Issue #21 item 5: the timeline's manners (unreadable apps, versions, columns, signing).
#[path = "e2e_timeline.rs"]
mod timeline;
/// Issue #21 item 2 (host attribution) and issue #17 item 4 (a version for every finding).
#[path = "e2e_versions.rs"]
mod versions;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("TRACKSCAN_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/corpus"));
    if dir.join("apks").is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "note: shared corpus not found at {}; skipping",
            dir.display()
        );
        None
    }
}

fn trackscan() -> Command {
    Command::cargo_bin("trackscan").expect("binary built")
}

fn scan_json(args: &[&str]) -> (Vec<Value>, i32, String) {
    let out = trackscan().arg("scan").args(args).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stderr.contains("panicked"),
        "trackscan panicked on {args:?}: {stderr}"
    );
    let code = out
        .status
        .code()
        .expect("exited normally (not by a signal)");
    assert_ne!(code, 101, "panic exit code on {args:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let docs = serde_json::Deserializer::from_str(&text)
        .into_iter::<Value>()
        .map(|v| v.expect("valid JSON document"))
        .collect();
    (docs, code, stderr)
}

fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("expected results readable")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("valid JSON line"))
        .collect()
}

fn file_name(v: &Value) -> String {
    let f = v["file"].as_str().unwrap_or_default();
    f.rsplit('/').next().unwrap_or(f).to_string()
}

/// A stable subset of a report, for snapshots: the facts, not timings or paths.
fn stable_view(doc: &Value) -> Value {
    let trackers: Vec<Value> = doc["trackers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let mut kinds: Vec<&str> = t["evidence"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| e["kind"].as_str())
                .collect();
            kinds.sort();
            kinds.dedup();
            serde_json::json!({
                "id": t["id"], "name": t["name"], "exodus_id": t["exodus_id"],
                "confidence": t["confidence"], "evidence_kinds": kinds,
            })
        })
        .collect();
    serde_json::json!({
        "package": doc["package"], "version_code": doc["version_code"],
        "version_name": doc["version_name"], "min_sdk": doc["min_sdk"],
        "target_sdk": doc["target_sdk"], "label": doc["label"],
        "permissions": doc["permissions"], "signing": doc["signing"]["certificates"]
            .as_array().into_iter().flatten().map(|c| c["sha256"].clone()).collect::<Vec<_>>(),
        "dex": doc["dex"], "trackers": trackers, "summary": doc["summary"],
    })
}

#[test]
fn sample_scan_json_finds_mixpanel() {
    let sample = root().join("samples/hello-mixpanel.apk");
    let (docs, code, _) = scan_json(&[sample.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(docs.len(), 1);
    let doc = &docs[0];
    assert_eq!(doc["package"], "com.mixpanel.android.hellomixpanel");
    let ids: Vec<&str> = doc["trackers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["id"].as_str())
        .collect();
    assert!(ids.contains(&"mixpanel"), "trackers: {ids:?}");
    for t in doc["trackers"].as_array().unwrap() {
        assert!(
            !t["evidence"].as_array().unwrap().is_empty(),
            "finding without evidence: {t}"
        );
    }
    insta::assert_json_snapshot!("hello_mixpanel", stable_view(doc));
}

#[test]
fn sample_scan_text_summary() {
    let sample = root().join("samples/hello-mixpanel.apk");
    let out = trackscan()
        .args(["scan", "--format", "text"])
        .arg(&sample)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("com.mixpanel.android.hellomixpanel"),
        "{text}"
    );
    assert!(text.contains("MixPanel"), "{text}");
}

#[test]
fn not_an_app_is_a_clear_error_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("notes.apk");
    std::fs::write(&p, b"hello, this is not a zip").unwrap();
    let (docs, code, _) = scan_json(&[p.to_str().unwrap()]);
    assert_eq!(code, 2);
    let errors = docs[0]["errors"].as_array().unwrap();
    assert!(
        errors[0].as_str().unwrap().contains("notes.apk"),
        "error names the file: {errors:?}"
    );
    // Text mode: the message goes to stderr, exit 2.
    let out = trackscan()
        .args(["scan", "--format", "text"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("notes.apk"));
}

#[test]
fn missing_file_is_exit_2() {
    let (docs, code, _) = scan_json(&["/nonexistent/x.apk"]);
    assert_eq!(code, 2);
    assert!(docs[0]["errors"][0]
        .as_str()
        .unwrap()
        .contains("/nonexistent/x.apk"));
}

/// Scans every corpus APK in one process (several inputs: one JSON line each).
fn scan_corpus(corpus: &Path) -> BTreeMap<String, Value> {
    let mut apks: Vec<PathBuf> = std::fs::read_dir(corpus.join("apks"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "apk"))
        .collect();
    apks.sort();
    let args: Vec<&str> = apks.iter().map(|p| p.to_str().unwrap()).collect();
    let (docs, _, _) = scan_json(&args);
    assert_eq!(docs.len(), apks.len(), "one document per input");
    docs.into_iter().map(|d| (file_name(&d), d)).collect()
}

fn listed_disagreements(file: &str) -> BTreeSet<(String, String)> {
    // Lines like: `- name.apk | key | reason`
    let text = std::fs::read_to_string(root().join("tests").join(file)).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.strip_prefix("- "))
        .filter_map(|l| {
            let mut parts = l.split('|').map(str::trim);
            Some((parts.next()?.to_string(), parts.next()?.to_string()))
        })
        .collect()
}

#[test]
fn corpus_agrees_with_androguard_and_exodus() {
    let Some(corpus) = corpus() else { return };
    let ours = scan_corpus(&corpus);
    let ag_skip = listed_disagreements("androguard_disagreements.md");
    let mut failures = Vec::new();
    for ag in read_jsonl(&corpus.join("expected/androguard.jsonl")) {
        let name = file_name(&ag);
        let Some(doc) = ours.get(&name) else {
            failures.push(format!("{name}: not scanned"));
            continue;
        };
        if ag.get("error").is_some() {
            // androguard could not read it: we must give a clear error or a reading with warnings.
            assert!(
                !doc["errors"].as_array().unwrap().is_empty()
                    || !doc["warnings"].as_array().unwrap().is_empty()
                    || doc["package"].is_string(),
                "{name}: androguard failed; we give neither a reading nor an error"
            );
            continue;
        }
        let skip = |k: &str| ag_skip.contains(&(name.clone(), k.to_string()));
        let pkg = ag["package"].as_str().filter(|s| !s.is_empty());
        if !skip("package") && doc["package"].as_str() != pkg {
            failures.push(format!(
                "{name}: package {} vs androguard {:?}",
                doc["package"], pkg
            ));
        }
        let vc = ag["version_code"].as_str().map(str::to_string);
        let our_vc = doc["version_code"].as_u64().map(|v| v.to_string());
        if !skip("version_code") && our_vc != vc {
            failures.push(format!(
                "{name}: version_code {our_vc:?} vs androguard {vc:?}"
            ));
        }
        if !skip("version_name") && doc["version_name"].as_str() != ag["version_name"].as_str() {
            failures.push(format!(
                "{name}: version_name {} vs androguard {}",
                doc["version_name"], ag["version_name"]
            ));
        }
        let perms = |v: &Value| -> BTreeSet<String> {
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p.as_str().map(str::to_string))
                .collect()
        };
        if !skip("permissions") && perms(&doc["permissions"]) != perms(&ag["permissions"]) {
            failures.push(format!(
                "{name}: permissions differ: ours-only {:?}, androguard-only {:?}",
                perms(&doc["permissions"])
                    .difference(&perms(&ag["permissions"]))
                    .collect::<Vec<_>>(),
                perms(&ag["permissions"])
                    .difference(&perms(&doc["permissions"]))
                    .collect::<Vec<_>>()
            ));
        }
        if let Some(classes) = ag["classes"].as_u64() {
            if !skip("classes") && doc["dex"]["classes"].as_u64() != Some(classes) {
                failures.push(format!(
                    "{name}: classes {} vs androguard {classes}",
                    doc["dex"]["classes"]
                ));
            }
        }
        if let Some(certs) = ag["cert_sha256"].as_array() {
            let theirs: BTreeSet<&str> = certs.iter().filter_map(|c| c.as_str()).collect();
            let mine: BTreeSet<&str> = doc["signing"]["certificates"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["sha256"].as_str())
                .collect();
            if !skip("cert_sha256") && theirs != mine {
                failures.push(format!(
                    "{name}: signer certs {mine:?} vs androguard {theirs:?}"
                ));
            }
        }
    }

    let ex_skip = listed_disagreements("exodus_disagreements.md");
    for ex in read_jsonl(&corpus.join("expected/exodus.jsonl")) {
        let name = file_name(&ex);
        let Some(doc) = ours.get(&name) else { continue };
        let mine: BTreeSet<u64> = doc["trackers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["exodus_id"].as_u64())
            .collect();
        for (id, tname) in ex["tracker_ids"]
            .as_array()
            .into_iter()
            .flatten()
            .zip(ex["trackers"].as_array().into_iter().flatten())
        {
            let id = id.as_u64().unwrap_or(0);
            let tname = tname.as_str().unwrap_or("");
            if !mine.contains(&id) && !ex_skip.contains(&(name.clone(), tname.to_string())) {
                failures.push(format!("{name}: εxodus reports {tname} ({id}); we do not"));
            }
        }
    }
    // Every finding carries evidence.
    for (name, doc) in &ours {
        for t in doc["trackers"].as_array().into_iter().flatten() {
            if t["evidence"].as_array().is_none_or(|e| e.is_empty()) {
                failures.push(format!("{name}: finding {} without evidence", t["name"]));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Batch over the corpus apps that come in several versions, then `timeline` and `diff`: the
/// tracker changes they show must agree with scanning each version on its own.
#[test]
fn versions_timeline_and_diff_agree_with_single_scans() {
    let Some(corpus) = corpus() else { return };
    let names = [
        "madarabia_v1.apk",
        "madarabia_v2.apk",
        "qurany_v1.apk",
        "qurany_v2.apk",
        "qurany_release_r8.apk",
        "hello_mixpanel_v1.apk",
        "hello_mixpanel_v2.apk",
        "hello_mixpanel_v3.apk",
    ];
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.txt");
    let paths: Vec<PathBuf> = names.iter().map(|n| corpus.join("apks").join(n)).collect();
    std::fs::write(
        &list,
        paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    )
    .unwrap();
    let out = dir.path().join("rows.jsonl");
    let status = trackscan()
        .args(["batch", "--quiet", "--jobs", "2", "-o"])
        .arg(&out)
        .arg(format!("@{}", list.display()))
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(0), "{:?}", status);
    let rows = read_jsonl(&out);
    assert_eq!(rows.len(), names.len(), "one row per input");

    // Each version scanned on its own.
    let single: BTreeMap<String, BTreeSet<String>> = paths
        .iter()
        .map(|p| {
            let (docs, _, _) = scan_json(&["--compact", p.to_str().unwrap()]);
            let ids = docs[0]["trackers"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t["id"].as_str().map(str::to_string))
                .collect();
            (file_name(&docs[0]), ids)
        })
        .collect();
    for row in &rows {
        let ids: BTreeSet<String> = row["trackers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["id"].as_str().map(str::to_string))
            .collect();
        assert_eq!(
            Some(&ids),
            single.get(&file_name(row)),
            "batch row = single scan"
        );
    }

    // Timeline: per release, the trackers the single scans found.
    let tl = trackscan()
        .args(["timeline", "--format", "json"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(tl.status.code(), Some(0));
    let tl: Value = serde_json::from_slice(&tl.stdout).expect("timeline JSON");
    let mut releases_seen = 0;
    for pkg in tl.as_array().unwrap() {
        for rel in pkg["releases"].as_array().unwrap() {
            releases_seen += 1;
            let name = file_name(rel);
            let ids: BTreeSet<String> = rel["trackers"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect();
            assert_eq!(Some(&ids), single.get(&name), "timeline release {name}");
        }
    }
    assert_eq!(releases_seen, names.len());
    let madarabia = tl
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["package"] == "com.release.madarabia")
        .expect("madarabia timeline");
    let codes: Vec<u64> = madarabia["releases"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["version_code"].as_u64())
        .collect();
    assert_eq!(codes, [2, 4], "ordered by version_code");

    // Diff between the two madarabia versions: exactly the single scans' difference.
    let d = trackscan()
        .args(["diff", "--format", "json"])
        .arg(&paths[0])
        .arg(&paths[1])
        .output()
        .unwrap();
    assert_eq!(d.status.code(), Some(0));
    let d: Value = serde_json::from_slice(&d.stdout).expect("diff JSON");
    let added: BTreeSet<String> = single["madarabia_v2.apk"]
        .difference(&single["madarabia_v1.apk"])
        .cloned()
        .collect();
    let shown: BTreeSet<String> = d["trackers_added"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str().map(str::to_string))
        .collect();
    assert!(!added.is_empty());
    for id in &added {
        assert!(
            shown.iter().any(|s| s.contains(id.as_str())),
            "diff shows {id} added: {shown:?}"
        );
    }
    assert!(d["trackers_removed"]
        .as_array()
        .is_none_or(|a| a.is_empty()));
}
