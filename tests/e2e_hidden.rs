//! Issue #33 item 7: say when the code is hidden. Over `../shared/corpus`: no original is
//! `heavy` or packed, every variant of `obfuscated/renamed/` has at least half of its classes
//! renamed, every variant of `obfuscated/strings/` has its strings encrypted; the text and
//! SARIF outputs say it.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{corpus, trackscan};

/// The `.apk` files of a folder, sorted.
fn apks(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "apk"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// One `scan --format jsonl` over all of `files`: one document per file, in order.
fn scan_all(files: &[PathBuf]) -> Vec<Value> {
    if files.is_empty() {
        return Vec::new();
    }
    let out = trackscan()
        .args(["scan", "--format", "jsonl"])
        .args(files)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let docs: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(docs.len(), files.len());
    docs
}

fn name(doc: &Value) -> String {
    Path::new(doc["file"].as_str().unwrap_or(""))
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Figures of one folder: (apps, mean renamed %, min renamed %, strings flagged, levels).
fn figures(label: &str, docs: &[Value]) {
    let docs: Vec<&Value> = docs.iter().filter(|d| !d["hidden"].is_null()).collect();
    let pct: Vec<u64> = docs
        .iter()
        .map(|d| d["hidden"]["renamed"]["percent"].as_u64().unwrap_or(0))
        .collect();
    let strings = docs
        .iter()
        .filter(|d| d["hidden"]["strings"]["encrypted"] == true)
        .count();
    let level = |l: &str| docs.iter().filter(|d| d["hidden"]["level"] == l).count();
    eprintln!(
        "hidden {label}: {} apps, renamed mean {}% (min {}%, max {}%), strings encrypted {}, levels none/partial/heavy {}/{}/{}",
        docs.len(),
        pct.iter().sum::<u64>() / (pct.len().max(1) as u64),
        pct.iter().min().unwrap_or(&0),
        pct.iter().max().unwrap_or(&0),
        strings,
        level("none"),
        level("partial"),
        level("heavy"),
    );
}

#[test]
fn originals_are_not_heavy_nor_packed() {
    let Some(corpus) = corpus() else { return };
    let docs = scan_all(&apks(&corpus.join("apks")));
    figures("originals", &docs);
    let mut bad = Vec::new();
    for d in &docs {
        let h = &d["hidden"];
        if h.is_null() {
            // Only an input whose code was never analysed (an empty zip) has none.
            if d["errors"].as_array().is_none_or(Vec::is_empty) {
                bad.push(format!("{}: no hidden section", name(d)));
            }
            continue;
        }
        if h["level"] == "heavy" || h["packed"]["packed"] == true {
            bad.push(format!("{}: {h}", name(d)));
        }
        if h["strings"]["encrypted"] == true {
            bad.push(format!("{}: strings flagged: {}", name(d), h["strings"]));
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn renamed_variants_are_mostly_renamed() {
    let Some(corpus) = corpus() else { return };
    let docs = scan_all(&apks(&corpus.join("obfuscated/renamed")));
    figures("renamed", &docs);
    let bad: Vec<String> = docs
        .iter()
        .filter(|d| d["hidden"]["renamed"]["percent"].as_u64().unwrap_or(0) < 50)
        .map(|d| format!("{}: {}", name(d), d["hidden"]["renamed"]))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    for d in &docs {
        let c = d["hidden"]["coverage"].to_string();
        assert!(c.contains("% of classes renamed"), "{}: {c}", name(d));
    }
}

#[test]
fn string_variants_report_encryption() {
    let Some(corpus) = corpus() else { return };
    let files = apks(&corpus.join("obfuscated/strings"));
    let docs = scan_all(&files);
    figures("strings", &docs);
    let bad: Vec<String> = docs
        .iter()
        .filter(|d| d["hidden"]["strings"]["encrypted"] != true)
        .map(|d| format!("{}: {}", name(d), d["hidden"]["strings"]))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    // The text output says it; SARIF carries a note.
    let Some(first) = files.first() else { return };
    let out = trackscan()
        .args(["scan", "--format", "text"])
        .arg(first)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\n  hidden    "), "{text}");
    assert!(text.contains("string constants encrypted"), "{text}");
    assert!(
        !text.contains("verdict   no known trackers ("),
        "a bare verdict on hidden code: {text}"
    );
    let out = trackscan()
        .args(["scan", "--format", "sarif"])
        .arg(first)
        .output()
        .expect("runs");
    let sarif: Value = serde_json::from_slice(&out.stdout).expect("SARIF");
    let notes = sarif["runs"][0]["results"]
        .as_array()
        .map(|r| r.iter().filter(|r| r["ruleId"] == "hidden-code").count());
    assert_eq!(notes, Some(1));
}

/// The release-style variants: figures only (ProGuard keeps the packages of kept classes, so
/// the share varies with the app), and no packed verdict.
#[test]
fn shrunk_and_flat_variants_figures() {
    let Some(corpus) = corpus() else { return };
    for folder in ["shrunk", "flat"] {
        let docs = scan_all(&apks(&corpus.join("obfuscated").join(folder)));
        figures(folder, &docs);
        for d in &docs {
            assert_ne!(d["hidden"]["packed"]["packed"], true, "{}", name(d));
        }
    }
}
