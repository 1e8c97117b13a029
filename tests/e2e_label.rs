//! Issue #30: `trackscan label` on corpus apps against hand-made labels in the Play Console's
//! CSV format (an honest one, one that omits the device ID an SDK reads, one that omits the
//! e-mail the app hands to Crashlytics), drafts that re-import as consistent, SARIF, and a
//! malformed label.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{corpus, trackscan};

/// A label in the export format, built row by row (labels quoted with commas and quotes, as
/// the Console writes them in several languages).
struct Label {
    rows: Vec<[String; 5]>,
}

impl Label {
    fn new(collects: bool) -> Label {
        let mut l = Label { rows: Vec::new() };
        l.row(
            "PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA",
            "",
            if collects { "true" } else { "false" },
            "REQUIRED",
            "Does your app collect or share any of the required user data types?",
        );
        l.row(
            "PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT",
            "",
            "true",
            "MAYBE_REQUIRED",
            "Is all of the user data collected by your app encrypted in transit?",
        );
        l
    }

    fn row(&mut self, q: &str, r: &str, v: &str, req: &str, label: &str) {
        self.rows.push([q, r, v, req, label].map(|s| s.to_string()));
    }

    /// Declares `ty` (in question `category`) as collected and shared for `purposes`.
    fn declare(&mut self, category: &str, ty: &str, shared: bool, purposes: &[&str]) -> &mut Label {
        let h = format!("Data usage and handling ({ty}), \"collected\", shared, or both?");
        self.row(
            category,
            ty,
            "true",
            "MULTIPLE_CHOICE",
            &format!("Data types / {ty}"),
        );
        let q = |sub: &str| format!("PSL_DATA_USAGE_RESPONSES:{ty}:{sub}");
        self.row(
            &q("PSL_DATA_USAGE_COLLECTION_AND_SHARING"),
            "PSL_DATA_USAGE_ONLY_COLLECTED",
            "true",
            "MULTIPLE_CHOICE",
            &h,
        );
        if shared {
            self.row(
                &q("PSL_DATA_USAGE_COLLECTION_AND_SHARING"),
                "PSL_DATA_USAGE_ONLY_SHARED",
                "true",
                "MULTIPLE_CHOICE",
                &h,
            );
        }
        self.row(
            &q("PSL_DATA_USAGE_EPHEMERAL"),
            "",
            "false",
            "MAYBE_REQUIRED",
            &h,
        );
        self.row(
            &q("DATA_USAGE_USER_CONTROL"),
            "PSL_DATA_USAGE_USER_CONTROL_REQUIRED",
            "true",
            "SINGLE_CHOICE",
            &h,
        );
        for p in purposes {
            self.row(
                &q("DATA_USAGE_COLLECTION_PURPOSE"),
                p,
                "true",
                "MULTIPLE_CHOICE",
                &h,
            );
            if shared {
                self.row(
                    &q("DATA_USAGE_SHARING_PURPOSE"),
                    p,
                    "true",
                    "MULTIPLE_CHOICE",
                    &h,
                );
            }
        }
        self
    }

    fn write(&self, path: &Path) {
        let field = |f: &str| {
            if f.contains([',', '"', '\n']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f.to_string()
            }
        };
        let mut s = String::from(
            "Question ID (machine readable),Response ID (machine readable),Response value,Answer requirement,Human-friendly question label\r\n",
        );
        for r in &self.rows {
            s.push_str(&r.iter().map(|f| field(f)).collect::<Vec<_>>().join(","));
            s.push_str("\r\n");
        }
        std::fs::write(path, s).unwrap();
    }
}

const ALL: &[&str] = &[
    "PSL_ANALYTICS",
    "PSL_ADVERTISING",
    "PSL_APP_FUNCTIONALITY",
    "PSL_FRAUD_PREVENTION_SECURITY",
    "PSL_PERSONALIZATION",
    "PSL_DEVELOPER_COMMUNICATIONS",
    "PSL_ACCOUNT_MANAGEMENT",
];

/// Runs `trackscan label APP --data-safety LABEL --format json`: (document, exit code, stderr).
fn label_json(app: &Path, label: Option<&Path>) -> (Value, i32, String) {
    let mut cmd = trackscan();
    cmd.arg("label").arg(app).args(["--format", "json"]);
    if let Some(l) = label {
        cmd.arg("--data-safety").arg(l);
    }
    let out = cmd.output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    let code = out.status.code().expect("exit code");
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (doc, code, stderr)
}

fn verdict<'a>(doc: &'a Value, ty: &str) -> Option<&'a Value> {
    doc["data_safety"]["types"]
        .as_array()?
        .iter()
        .find(|t| t["data_type"] == ty)
}

fn apk(c: &Path, name: &str) -> PathBuf {
    c.join("apks").join(name)
}

/// What the Instapaper client of the corpus does (Crashlytics gets the e-mail, Firebase and
/// Facebook collect by default): an honest label, then the same without the e-mail.
fn instapaper_label(with_email: bool) -> Label {
    let mut l = Label::new(true);
    l.declare("PSL_DATA_TYPES_LOCATION", "PSL_APPROX_LOCATION", true, ALL)
        .declare(
            "PSL_DATA_TYPES_APP_PERFORMANCE",
            "PSL_CRASH_LOGS",
            true,
            ALL,
        )
        .declare("PSL_DATA_TYPES_IDENTIFIERS", "PSL_DEVICE_ID", true, ALL)
        .declare(
            "PSL_DATA_TYPES_FINANCIAL",
            "PSL_PURCHASE_HISTORY",
            true,
            ALL,
        )
        .declare(
            "PSL_DATA_TYPES_APP_ACTIVITY",
            "PSL_USER_INTERACTION",
            true,
            ALL,
        );
    if with_email {
        l.declare("PSL_DATA_TYPES_PERSONAL", "PSL_EMAIL", true, ALL);
    }
    l
}

#[test]
fn honest_label_is_consistent_and_an_omitted_email_is_undeclared() {
    let Some(c) = corpus() else { return };
    let app = apk(&c, "exodus_instapaper.apk");
    let dir = tempfile::tempdir().unwrap();
    let honest = dir.path().join("honest.csv");
    instapaper_label(true).write(&honest);
    let (doc, code, err) = label_json(&app, Some(&honest));
    assert_eq!(code, 0, "{err}\n{doc:#}");
    assert_eq!(doc["data_safety"]["counts"]["undeclared"], 0, "{doc:#}");
    assert_eq!(verdict(&doc, "PSL_EMAIL").unwrap()["verdict"], "consistent");
    assert!(
        doc["data_safety"]["types"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["mismatches"].as_array().is_none_or(Vec::is_empty)),
        "{doc:#}"
    );

    let no_email = dir.path().join("no_email.csv");
    instapaper_label(false).write(&no_email);
    let (doc, code, _) = label_json(&app, Some(&no_email));
    assert_eq!(code, 1, "a label that declares less exits 1");
    let t = verdict(&doc, "PSL_EMAIL").expect("e-mail checked");
    assert_eq!(t["verdict"], "undeclared");
    assert_eq!(t["sdks"], serde_json::json!(["google-crashlytics"]));
    // The evidence is the app's call site handing the e-mail to Crashlytics.
    let ev = t["evidence"].as_array().unwrap();
    assert!(
        ev.iter().any(|e| e["source"]["source"] == "app_hands"
            && e["source"]["sdk_method"]
                .as_str()
                .is_some_and(|m| m.contains("setUserEmail"))),
        "{t:#}"
    );
    assert_eq!(doc["data_safety"]["counts"]["undeclared"], 1, "{doc:#}");
}

#[test]
fn an_omitted_device_id_that_an_sdk_reads_is_undeclared() {
    let Some(c) = corpus() else { return };
    let app = apk(&c, "gateforfree.apk");
    let dir = tempfile::tempdir().unwrap();
    // Everything the app's SDKs imply but the device ID.
    let draft = dir.path().join("draft.csv");
    let out = trackscan()
        .arg("label")
        .arg(&app)
        .arg("--draft")
        .arg(&draft)
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut l = Label::new(true);
    let (doc, _, _) = label_json(&app, None);
    for t in doc["data_safety"]["types"].as_array().unwrap() {
        let ty = t["data_type"].as_str().unwrap();
        if t["verdict"] == "undeclared" && ty != "PSL_DEVICE_ID" {
            let cat = match ty {
                "PSL_APPROX_LOCATION" | "PSL_PRECISE_LOCATION" => "PSL_DATA_TYPES_LOCATION",
                "PSL_PURCHASE_HISTORY" => "PSL_DATA_TYPES_FINANCIAL",
                "PSL_USER_INTERACTION" | "PSL_APPS_ON_DEVICE" => "PSL_DATA_TYPES_APP_ACTIVITY",
                "PSL_CRASH_LOGS" => "PSL_DATA_TYPES_APP_PERFORMANCE",
                _ => "PSL_DATA_TYPES_PERSONAL",
            };
            l.declare(cat, ty, true, ALL);
        }
    }
    let label = dir.path().join("no_device_id.csv");
    l.write(&label);
    let (doc, code, err) = label_json(&app, Some(&label));
    assert_eq!(code, 1, "{err}");
    let t = verdict(&doc, "PSL_DEVICE_ID").expect("device ID checked");
    assert_eq!(t["verdict"], "undeclared", "{doc:#}");
    assert!(
        t["evidence"].as_array().unwrap().iter().any(|e| {
            e["source"]["source"] == "sdk_reads"
                && e["source"]["api"].as_str().is_some_and(|a| {
                    a.contains("AdvertisingIdClient") || a.contains("Settings$Secure")
                })
        }),
        "{t:#}"
    );
    assert_eq!(doc["data_safety"]["counts"]["undeclared"], 1, "{doc:#}");

    // SARIF: one error result for it.
    let out = trackscan()
        .arg("label")
        .arg(&app)
        .arg("--data-safety")
        .arg(&label)
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = s["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{s:#}");
    assert_eq!(results[0]["ruleId"], "label-undeclared");
    assert_eq!(results[0]["properties"]["data_type"], "PSL_DEVICE_ID");
}

#[test]
fn drafts_of_corpus_apps_reimport_as_consistent() {
    let Some(c) = corpus() else { return };
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "exodus_instapaper.apk",
        "appsflyer_demo_2018.apk",
        "branch_testbed_2024.apk",
        "hello_mixpanel_v1.apk",
        "mackupon.apk",
    ] {
        let app = apk(&c, name);
        let draft = dir.path().join(format!("{name}.csv"));
        let out = trackscan()
            .arg("label")
            .arg(&app)
            .arg("--draft")
            .arg(&draft)
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}");
        let ev: Value = serde_json::from_slice(
            &std::fs::read(dir.path().join(format!("{name}.csv.evidence.json"))).unwrap(),
        )
        .unwrap();
        let rows = ev["rows"].as_array().unwrap();
        assert!(!rows.is_empty(), "{name}: the draft declares something");
        assert!(
            rows.iter()
                .all(|r| !r["evidence"].as_array().unwrap().is_empty()),
            "{name}: every row has its evidence"
        );
        let (doc, code, err) = label_json(&app, Some(&draft));
        assert_eq!(code, 0, "{name}: {err}");
        for t in doc["data_safety"]["types"].as_array().unwrap() {
            assert!(
                t["verdict"] == "consistent" || t["verdict"] == "possible",
                "{name}: {t:#}"
            );
            assert!(
                t["mismatches"].as_array().unwrap().is_empty(),
                "{name}: {t:#}"
            );
        }
    }
}

#[test]
fn a_malformed_label_names_the_file_and_line() {
    let Some(c) = corpus() else { return };
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "Question ID (machine readable),Response ID (machine readable),Response value,Answer requirement,Human-friendly question label\n\
         PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA,,true,REQUIRED\n",
    )
    .unwrap();
    let (_, code, err) = label_json(&apk(&c, "gateforfree.apk"), Some(&bad));
    assert_eq!(code, 2);
    assert!(err.contains("bad.csv") && err.contains("line 2"), "{err}");
}

/// The README's `label` example, on the bundled sample and its label.
#[test]
fn readme_label_example() {
    let root = super::root();
    let out = trackscan()
        .current_dir(&root)
        .args([
            "label",
            "samples/hello-mixpanel.apk",
            "--data-safety",
            "samples/hello-mixpanel.data_safety.csv",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    for line in text.lines() {
        assert!(readme.contains(line), "README lacks the line {line:?}");
    }
    assert!(text.contains("PSL_OTHER_PERSONAL (Personal info / Other info): undeclared"));
}
