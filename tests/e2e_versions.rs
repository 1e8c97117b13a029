//! End-to-end tests for findings that agree with the rest of the report: hosts are attributed
//! only to trackers that were detected (issue #21 item 2), and tracker findings carry the SDK's
//! version with its source (issue #17 item 4).

use std::path::PathBuf;

use serde_json::Value;

use super::{corpus, scan_json, trackscan};

fn corpus_apk(name: &str) -> Option<PathBuf> {
    let p = corpus()?.join("apks").join(name);
    p.is_file().then_some(p)
}

fn scan_one(p: &std::path::Path) -> Value {
    let (mut docs, _, _) = scan_json(&["--compact", p.to_str().unwrap()]);
    assert_eq!(docs.len(), 1);
    docs.remove(0)
}

fn tracker_ids(doc: &Value) -> Vec<String> {
    doc["trackers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["id"].as_str().map(str::to_string))
        .collect()
}

fn host<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["hosts"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|h| h["host"] == name)
        .unwrap_or_else(|| panic!("no host {name} in {}", doc["file"]))
}

/// achat.apk embeds Facebook login/share/app events and Firebase Analytics, not Facebook
/// Audience Network nor AdMob: its `facebook.com` hosts belong to a detected Facebook SDK and
/// `googlesyndication.com` is a tracker host whose SDK was not found.
#[test]
fn achat_hosts_agree_with_its_trackers() {
    let Some(apk) = corpus_apk("achat.apk") else {
        return;
    };
    let doc = scan_one(&apk);
    let ids = tracker_ids(&doc);
    assert!(!ids.iter().any(|i| i == "facebook-audience" || i == "google-admob"));
    for name in ["facebook.com", "graph.facebook.com", "www.facebook.com"] {
        let h = host(&doc, name);
        let t = h["tracker"].as_str().unwrap_or_else(|| panic!("{name}: {h}"));
        assert!(ids.iter().any(|i| i == t), "{name} attributed to {t}, not detected");
        assert!(t.starts_with("facebook-"), "{name}: {t}");
        assert!(h.get("tracker_sdk_not_found").is_none(), "{h}");
    }
    let ad = host(&doc, "pagead2.googlesyndication.com");
    assert_eq!(ad["tracker"], Value::Null, "{ad}");
    assert_eq!(ad["tracker_sdk_not_found"], "google-admob", "{ad}");
    // Firebase Analytics' own host stays attributed.
    assert_eq!(
        host(&doc, "app-measurement.com")["tracker"],
        "google-firebase-analytics"
    );
    // The text summary says it too.
    let out = trackscan()
        .args(["scan", "--format", "text"])
        .arg(&apk)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("pagead2.googlesyndication.com")
            && text.contains("tracker host, SDK not found"),
        "{text}"
    );
}

/// Over the whole corpus: every attributed host names a detected tracker; a host marked
/// "SDK not found" names one that was not; and a platform's own domain (`facebook.com`) shared
/// by many SDKs never marks a host on its own (gateforfree.apk has no Facebook SDK).
#[test]
fn corpus_hosts_are_attributed_only_to_detected_trackers() {
    let Some(dir) = corpus() else { return };
    let mut checked = 0;
    for e in std::fs::read_dir(dir.join("apks")).unwrap() {
        let p = e.unwrap().path();
        let doc = scan_one(&p);
        let ids = tracker_ids(&doc);
        for h in doc["hosts"].as_array().into_iter().flatten() {
            if let Some(t) = h["tracker"].as_str() {
                assert!(ids.iter().any(|i| i == t), "{}: {h}", p.display());
                checked += 1;
            }
            if let Some(t) = h["tracker_sdk_not_found"].as_str() {
                assert!(!ids.iter().any(|i| i == t), "{}: {h}", p.display());
                assert_eq!(h["tracker"], Value::Null);
            }
        }
        for pin in doc["pinning"].as_array().into_iter().flatten() {
            if let Some(t) = pin["tracker"].as_str() {
                assert!(ids.iter().any(|i| i == t), "{}: {pin}", p.display());
            }
        }
    }
    assert!(checked > 20, "only {checked} attributed hosts on the corpus");
    if let Some(gate) = corpus_apk("gateforfree.apk") {
        let doc = scan_one(&gate);
        let h = host(&doc, "facebook.com");
        assert_eq!(h["tracker"], Value::Null, "{h}");
        assert!(h.get("tracker_sdk_not_found").is_none(), "{h}");
    }
}
