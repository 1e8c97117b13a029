//! `trackscan scan` on an apktool tree (`samples/hello-mixpanel-apktool/`, decoded from
//! `samples/hello-mixpanel.apk`, see `samples/README.md`) says what it says on the APK.

use serde_json::Value;

use super::{root, scan_json};

fn scan_one(path: &str) -> Value {
    let p = root().join(path);
    let (docs, code, stderr) = scan_json(&[p.to_str().expect("utf-8 path")]);
    assert_eq!(code, 0, "{path}: {stderr}");
    assert_eq!(docs.len(), 1, "{path}");
    docs.into_iter().next().expect("one document")
}

/// Evidence kinds of each finding, sorted (locations differ: `classes.dex` vs `smali/…`).
fn findings(doc: &Value, key: &str) -> Vec<(Value, Value, Value, Vec<String>)> {
    doc[key]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            let mut kinds: Vec<String> = f["evidence"]
                .as_array()
                .expect("evidence")
                .iter()
                .map(|e| e["kind"].as_str().unwrap_or("").to_string())
                .collect();
            kinds.sort();
            kinds.dedup();
            // The SDK library matches DEX code only: an apktool tree (smali) gets no library
            // version, so versions from the library are left out of the comparison.
            let from_library = f["sdk_version_source"]
                .as_str()
                .is_some_and(|s| s.starts_with("library:"));
            (
                f["id"].clone(),
                if from_library {
                    Value::Null
                } else {
                    f["sdk_version"].clone()
                },
                f["confidence"].clone(),
                kinds,
            )
        })
        .collect()
}

#[test]
fn apktool_tree_reports_what_the_apk_reports() {
    let apk = scan_one("samples/hello-mixpanel.apk");
    let tree = scan_one("samples/hello-mixpanel-apktool");
    assert_eq!(tree["kind"], "smali_dir");
    assert_eq!(tree["errors"], Value::Array(Vec::new()), "{tree:#}");
    for key in [
        "package",
        "version_code",
        "version_name",
        "min_sdk",
        "target_sdk",
        "label",
        "permissions",
        "declared_permissions",
        "components",
        "meta_data",
        "application",
        "native_libs",
        "pinning",
        "transport",
        "nsc_domains",
    ] {
        assert_eq!(tree[key], apk[key], "{key}");
    }
    // The values themselves (not only equality): apktool moved them to apktool.yml / strings.xml.
    assert_eq!(tree["version_code"], 1);
    assert_eq!(tree["version_name"], "1.0");
    assert_eq!(tree["label"], "Hello Mixpanel");
    assert_eq!(findings(&tree, "trackers"), findings(&apk, "trackers"));
    assert_eq!(findings(&tree, "libraries"), findings(&apk, "libraries"));
    assert!(!findings(&apk, "trackers").is_empty());
    let hosts = |d: &Value| -> Vec<(Value, Value)> {
        d["hosts"]
            .as_array()
            .expect("hosts")
            .iter()
            .map(|h| (h["host"].clone(), h["tracker"].clone()))
            .collect()
    };
    assert_eq!(hosts(&tree), hosts(&apk));
    // One smali root (`smali/`) for one classes.dex; one class per .smali file.
    assert_eq!(tree["dex"]["files"], 1, "{:#}", tree["dex"]);
    assert_eq!(tree["dex"]["files"], apk["dex"]["files"]);
    assert_eq!(tree["dex"]["classes"], apk["dex"]["classes"]);
    assert_eq!(tree["dex"]["methods"], apk["dex"]["methods"]);
    assert_eq!(tree["score"], apk["score"]);
}

#[test]
fn apktool_tree_text_summary_has_version_label_and_smali_roots() {
    let p = root().join("samples/hello-mixpanel-apktool");
    let out = super::trackscan()
        .args(["scan", "--format", "text"])
        .arg(&p)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("(version 1.0 / 1)"), "{text}");
    assert!(text.contains("label     Hello Mixpanel"), "{text}");
    assert!(text.contains("1 smali dirs, 16 classes"), "{text}");
}
