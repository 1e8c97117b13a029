//! Issue #18 item 4: the SDK-level diff checked against an independent reference. For every
//! version series of the shared corpus (apps with two or more releases of one package), the
//! per-SDK (tracker and library) class and method sets are derived with Debian's `dexdump` (not trackscan's parser):
//! each finding's `code` counts must equal dexdump's, and between consecutive releases `diff`
//! must report a code change for an SDK exactly when dexdump's sets differ, and name the
//! methods gained and lost exactly as dexdump lists them (0 missed, and "(no changes)" only
//! when nothing changed). Skipped when dexdump is missing, unless
//! `TRACKSCAN_REQUIRE_DEXDUMP=1` (CI sets it).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use serde_json::Value;

use super::{corpus, trackscan};

/// (method name, access flags, code units) of every method of the app (a sorted list: overloads
/// can agree on all three), by class; first definition wins (as on Android and in trackscan's
/// index).
type Methods = BTreeMap<String, Vec<(String, String, String)>>;

fn dexdump_available() -> bool {
    let ok = Process::new("dexdump").output().is_ok();
    if !ok {
        assert!(
            std::env::var_os("TRACKSCAN_REQUIRE_DEXDUMP").is_none(),
            "TRACKSCAN_REQUIRE_DEXDUMP is set but dexdump is not installed (apt-get install dexdump)"
        );
        eprintln!("note: dexdump not installed; skipping the reference test");
    }
    ok
}

/// The classes and methods of every `classes*.dex` of `apk`, from `dexdump -f`-less plain
/// output (class, method sections, `insns size`).
fn dexdump_methods(apk: &Path, tmp: &Path) -> Option<Methods> {
    let dir = tmp.join(apk.file_stem().unwrap());
    std::fs::create_dir_all(&dir).unwrap();
    let out = Process::new("unzip")
        .args(["-qo"])
        .arg(apk)
        .arg("classes*.dex")
        .arg("-d")
        .arg(&dir)
        .output()
        .expect("unzip runs");
    if !out.status.success() {
        // Malformed corpus zips (deliberately broken) are not part of a version series.
        return None;
    }
    let mut dexes: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "dex"))
        .collect();
    // Android's order: classes.dex, classes2.dex, … classes10.dex.
    let n = |p: &PathBuf| -> u32 {
        let s = p.file_stem().unwrap().to_string_lossy();
        s.trim_start_matches("classes").parse().unwrap_or(1)
    };
    dexes.sort_by_key(n);
    let mut all = Methods::new();
    for dex in dexes {
        let out = Process::new("dexdump")
            .arg(&dex)
            .output()
            .expect("dexdump runs");
        let text = String::from_utf8_lossy(&out.stdout);
        let mut file: Methods = Methods::new();
        let (mut class, mut in_methods) = (String::new(), false);
        let (mut name, mut access) = (None::<String>, String::new());
        let flush = |file: &mut Methods,
                     class: &str,
                     name: &mut Option<String>,
                     access: &str,
                     units: &str| {
            if let Some(n) = name.take() {
                file.entry(class.to_string()).or_default().push((
                    n,
                    access.to_string(),
                    units.to_string(),
                ));
            }
        };
        for line in text.lines() {
            let t = line.trim_start();
            if let Some(d) = t.strip_prefix("Class descriptor  : '") {
                flush(&mut file, &class, &mut name, &access, "0");
                class = d.trim_end_matches('\'').to_string();
                file.entry(class.clone()).or_default();
                in_methods = false;
            } else if t.starts_with("Direct methods") || t.starts_with("Virtual methods") {
                flush(&mut file, &class, &mut name, &access, "0");
                in_methods = true;
            } else if t.starts_with("Static fields") || t.starts_with("Instance fields") {
                flush(&mut file, &class, &mut name, &access, "0");
                in_methods = false;
            } else if in_methods && t.starts_with("#") && t.contains(": (in ") {
                flush(&mut file, &class, &mut name, &access, "0");
            } else if in_methods && t.starts_with("name          : '") {
                name = Some(
                    t.trim_start_matches("name          : '")
                        .trim_end_matches('\'')
                        .to_string(),
                );
            } else if in_methods && t.starts_with("type          : '") {
                // The proto: the method's signature is `name(proto)`.
                if let Some(n) = name.as_mut() {
                    n.push_str(t["type          : '".len()..].trim_end_matches('\''));
                }
            } else if in_methods && t.starts_with("access        : ") {
                access = t["access        : ".len()..]
                    .split(' ')
                    .next()
                    .unwrap_or("")
                    .to_string();
            } else if in_methods && t.starts_with("insns size    : ") {
                let units = t["insns size    : ".len()..]
                    .split(' ')
                    .next()
                    .unwrap_or("0");
                flush(&mut file, &class, &mut name, &access, units);
            }
        }
        flush(&mut file, &class, &mut name, &access, "0");
        for (c, mut ms) in file {
            ms.sort();
            all.entry(c).or_insert(ms);
        }
    }
    Some(all)
}

/// The rule's code prefixes, slash form (`com.mixpanel` → `Lcom/mixpanel/`).
fn prefixes(rule: &str) -> Vec<String> {
    let out = trackscan()
        .args(["signatures", "show", rule])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut v = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        let l = line.trim();
        if let Some(rest) = l.strip_prefix("code = [") {
            in_code = !rest.ends_with(']');
            for item in rest.trim_end_matches(']').split(',') {
                let s = item.trim().trim_matches('"');
                if !s.is_empty() {
                    v.push(s.to_string());
                }
            }
        } else if in_code {
            if l.starts_with(']') {
                in_code = false;
            } else {
                v.push(l.trim_end_matches(',').trim_matches('"').to_string());
            }
        }
    }
    v.into_iter()
        .map(|p| format!("L{}/", p.trim_end_matches('.').replace('.', "/")))
        .collect()
}

/// The SDK's part of `all`: classes under `prefixes` and their methods.
fn sdk_part(all: &Methods, prefixes: &[String]) -> Methods {
    all.iter()
        .filter(|(c, _)| prefixes.iter().any(|p| c.starts_with(p.as_str())))
        .map(|(c, m)| (c.clone(), m.clone()))
        .collect()
}

fn scan(apk: &Path) -> Value {
    let out = trackscan()
        .args(["scan", "--format", "json"])
        .arg(apk)
        .output()
        .expect("runs");
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn sdk_code_changes_agree_with_dexdump_on_every_version_series() {
    let Some(corpus) = corpus() else {
        return;
    };
    if !dexdump_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    // Releases of each package, by version code then file name.
    let mut series: BTreeMap<String, Vec<(u64, PathBuf, Value, Methods)>> = BTreeMap::new();
    let mut apks: Vec<PathBuf> = std::fs::read_dir(corpus.join("apks"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    apks.sort();
    for apk in apks {
        let doc = scan(&apk);
        let Some(pkg) = doc["package"].as_str().map(str::to_string) else {
            continue;
        };
        if doc["errors"].as_array().is_some_and(|e| !e.is_empty()) {
            continue;
        }
        let Some(dump) = dexdump_methods(&apk, tmp.path()) else {
            continue;
        };
        let vc = doc["version_code"].as_u64().unwrap_or(0);
        series.entry(pkg).or_default().push((vc, apk, doc, dump));
    }
    series.retain(|_, v| v.len() >= 2);
    assert!(
        series.len() >= 5,
        "version series in the corpus: {}",
        series.len()
    );
    let mut rules: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let (mut checked_findings, mut checked_pairs, mut changes, mut named) = (0, 0, 0, 0);
    for (pkg, mut rel) in series {
        rel.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        // Every finding's code summary equals dexdump's counts.
        for (_, apk, doc, all) in &rel {
            let sdks = doc["trackers"].as_array().into_iter().flatten();
            for t in sdks.chain(doc["libraries"].as_array().into_iter().flatten()) {
                let Some(code) = t.get("code") else { continue };
                let id = t["id"].as_str().unwrap().to_string();
                let p = rules.entry(id.clone()).or_insert_with(|| prefixes(&id));
                let part = sdk_part(all, p);
                let methods: usize = part.values().map(Vec::len).sum();
                assert_eq!(
                    (code["classes"].as_u64(), code["methods"].as_u64()),
                    (Some(part.len() as u64), Some(methods as u64)),
                    "{}: {id}: trackscan's code summary vs dexdump",
                    apk.display()
                );
                checked_findings += 1;
            }
        }
        // Consecutive releases: a code block exactly when dexdump's sets differ.
        for i in 1..rel.len() {
            let (a, b) = (&rel[i - 1], &rel[i]);
            let out = trackscan()
                .args(["diff", "--format", "json"])
                .arg(&a.1)
                .arg(&b.1)
                .output()
                .expect("runs");
            let d: Value = serde_json::from_slice(&out.stdout).expect("diff JSON");
            let reported: BTreeSet<String> = d["sdks"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|s| s.get("code").is_some())
                .map(|s| s["id"].as_str().unwrap().to_string())
                .collect();
            let ids = |doc: &Value| -> BTreeSet<String> {
                doc["trackers"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .chain(doc["libraries"].as_array().into_iter().flatten())
                    .filter(|t| t.get("code").is_some())
                    .map(|t| t["id"].as_str().unwrap().to_string())
                    .collect()
            };
            let both: BTreeSet<String> = ids(&a.2).intersection(&ids(&b.2)).cloned().collect();
            // Method names gained and lost per SDK, as dexdump shows them.
            let sigs = |m: &Methods, p: &[String]| -> BTreeSet<String> {
                sdk_part(m, p)
                    .iter()
                    .flat_map(|(c, ms)| {
                        let class = c
                            .trim_start_matches('L')
                            .trim_end_matches(';')
                            .replace('/', ".");
                        ms.iter().map(move |(n, _, _)| format!("{class}.{n}"))
                    })
                    .collect()
            };
            for id in &both {
                let p = rules
                    .entry(id.clone())
                    .or_insert_with(|| prefixes(id))
                    .clone();
                let (sa, sb) = (sigs(&a.3, &p), sigs(&b.3, &p));
                let block = d["sdks"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|s| s["id"] == id.as_str());
                let list = |k: &str| -> BTreeSet<String> {
                    block
                        .and_then(|b| b[k].as_array())
                        .into_iter()
                        .flatten()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                };
                assert_eq!(
                    list("methods_gained"),
                    sb.difference(&sa).cloned().collect::<BTreeSet<_>>(),
                    "{pkg}: {id}: methods gained (diff vs dexdump)"
                );
                assert_eq!(
                    list("methods_lost"),
                    sa.difference(&sb).cloned().collect::<BTreeSet<_>>(),
                    "{pkg}: {id}: methods lost (diff vs dexdump)"
                );
                named += (sb.len() + sa.len()) - 2 * sa.intersection(&sb).count();
            }
            let mut expected = BTreeSet::new();
            for id in &both {
                let p = rules.entry(id.clone()).or_insert_with(|| prefixes(id));
                if sdk_part(&a.3, p) != sdk_part(&b.3, p) {
                    expected.insert(id.clone());
                }
            }
            assert_eq!(
                reported,
                expected,
                "{pkg}: {} -> {}: SDKs whose code changed (diff vs dexdump)",
                a.1.display(),
                b.1.display()
            );
            let text = trackscan()
                .arg("diff")
                .arg(&a.1)
                .arg(&b.1)
                .output()
                .expect("runs");
            let text = String::from_utf8_lossy(&text.stdout);
            if !expected.is_empty() {
                assert!(!text.contains("(no changes)"), "{text}");
            }
            changes += expected.len();
            checked_pairs += 1;
        }
    }
    eprintln!(
        "dexdump reference: {checked_findings} findings, {checked_pairs} release pairs, {changes} SDK code changes, {named} methods gained or lost"
    );
    assert!(checked_pairs >= 5 && changes >= 1);
}
