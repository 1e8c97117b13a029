//! End-to-end tests for issue #19: what the app hands to each SDK (`data_from_app`). The
//! bundled sample's button handler builds a `JSONObject` of profile properties and passes it to
//! Mixpanel's `track`; the report names those properties under the Mixpanel finding, with the
//! call site, from the APK and from its apktool smali tree alike.

use std::path::Path;

use serde_json::Value;

use super::trackscan;

fn scan(path: &Path, format: &str) -> Vec<u8> {
    let out = trackscan()
        .args(["scan", "--format", format])
        .arg(path)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn mixpanel_flows(path: &Path) -> Vec<(String, String, String, String)> {
    let doc: Value = serde_json::from_slice(&scan(path, "json")).expect("JSON report");
    let t = doc["trackers"]
        .as_array()
        .and_then(|a| a.iter().find(|t| t["id"] == "mixpanel"))
        .expect("Mixpanel found");
    t["data_from_app"]
        .as_array()
        .expect("data_from_app present")
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap_or("").to_string(),
                f["key"].as_str().unwrap_or("").to_string(),
                f["at"].as_str().unwrap_or("").to_string(),
                f["sdk_method"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn sample_names_the_properties_sent_to_mixpanel() {
    let root = super::root().join("samples");
    let at = "com.mixpanel.android.hellomixpanel.HelloMixpanel$1.onClick";
    let sink = "com.mixpanel.android.mpmetrics.MPMetrics.track";
    let want: Vec<(String, String, String, String)> = [
        ("age", "age"),
        ("gender", "gender"),
        ("custom", "registered"),
        ("custom", "some list"),
    ]
    .iter()
    .map(|(k, key)| {
        (
            k.to_string(),
            key.to_string(),
            at.to_string(),
            sink.to_string(),
        )
    })
    .collect();
    for input in ["hello-mixpanel.apk", "hello-mixpanel-apktool"] {
        assert_eq!(mixpanel_flows(&root.join(input)), want, "{input}");
    }
    let text = String::from_utf8(scan(&root.join("hello-mixpanel.apk"), "text")).unwrap();
    assert!(
        text.contains(
            "app data  MixPanel <- age, gender; custom keys registered, some list \
             (at com.mixpanel.android.hellomixpanel.HelloMixpanel$1.onClick -> \
             com.mixpanel.android.mpmetrics.MPMetrics.track)"
        ),
        "{text}"
    );
    let doc: Value =
        serde_json::from_slice(&scan(&root.join("hello-mixpanel.apk"), "json")).unwrap();
    let reasons = doc["score"]["reasons"].to_string();
    assert!(
        reasons.contains("the app sends age, gender to MixPanel (from com.mixpanel.android.hellomixpanel.HelloMixpanel$1.onClick)"),
        "{reasons}"
    );
}

/// On the shared corpus: the flows a reader can check in `dexdump -d` (bench/flows.sh lists
/// them all): the login e-mail typed into an `EditText` handed to Crashlytics, a sexual
/// orientation property sent to Mixpanel, hashed e-mail and phone handed to Branch for
/// Facebook; and every flow starts in the app's code, never inside the SDK.
#[test]
fn corpus_flows_start_in_app_code_and_name_what_is_sent() {
    let Some(corpus) = super::corpus() else {
        return;
    };
    let flows = |apk: &str| -> Vec<String> {
        let doc: Value =
            serde_json::from_slice(&scan(&corpus.join("apks").join(apk), "json")).unwrap();
        let mut out = Vec::new();
        for t in doc["trackers"].as_array().into_iter().flatten() {
            for f in t["data_from_app"].as_array().into_iter().flatten() {
                let at = f["at"].as_str().unwrap_or("");
                let sdk = f["sdk_method"].as_str().unwrap_or("");
                // The SDK's package (first two labels of the entry point) is not where it starts,
                // unless the app's own package is inside it.
                let pkg = doc["package"].as_str().unwrap_or("");
                let sdk_root: Vec<&str> = sdk.split('.').take(2).collect();
                assert!(
                    at.starts_with(pkg) || !at.starts_with(&sdk_root.join(".")),
                    "{apk}: flow inside the SDK: {f}"
                );
                out.push(format!(
                    "{} {} {} {} at {at} -> {sdk}",
                    t["id"].as_str().unwrap_or(""),
                    f["kind"].as_str().unwrap_or(""),
                    f["key"].as_str().unwrap_or("-"),
                    f["via"].as_str().unwrap_or(""),
                ));
            }
        }
        out
    };
    let has = |list: &[String], want: &str| {
        assert!(
            list.iter().any(|l| l == want),
            "missing {want:?} in {list:#?}"
        )
    };
    has(
        &flows("exodus_instapaper.apk"),
        "google-crashlytics email - android.widget.EditText.getText at \
         com.olivierpayen.leaninstapaper.LoginActivity.a -> \
         com.crashlytics.android.Crashlytics.setUserEmail",
    );
    has(
        &flows("hello_mixpanel_v1.apk"),
        "mixpanel sexual-orientation is_gay org.json.JSONObject.put at \
         com.mixpanel.android.hellomixpanel.HelloMixpanel$1.onClick -> \
         com.mixpanel.android.mpmetrics.MPMetrics.track",
    );
    let branch = flows("branch_testbed_2024.apk");
    for (kind, key) in [("email", "em"), ("phone-number", "ph")] {
        has(
            &branch,
            &format!(
                "branch {kind} {key} key at io.branch.branchandroidtestbed.MainActivity.onStart -> \
                 io.branch.referral.Branch.addFacebookPartnerParameterWithName"
            ),
        );
    }
    // A constant identity ("testDevID") is the same for every user: not reported.
    assert!(
        !branch
            .iter()
            .any(|l| l.contains("MainActivity.onStart -> io.branch.referral.Branch.setIdentity")),
        "{branch:#?}"
    );
}

/// Issue #19 item 4: on the renamed variants (every class and method of the SDKs renamed),
/// the entry points are found in the classes the SDK library matched, by access flags and
/// proto (`signatures/entry_shapes.tsv`, from the vendors' builds): every flow reported there
/// is one the original has (same tracker, kind, key, entry point), and the AppsFlyer demo (its
/// release, 4.8.7, is in the library) keeps all of its flows. Since the library holds only
/// vendor builds (issue 33), SDKs whose release is not in it lose their renamed flows: the
/// 2011–12 Mixpanel demos (older than every reachable Mixpanel build), Branch 5.12.0 (newest
/// reachable build 5.0.7) and Fabric Crashlytics 2.6.7 (none reachable); 6 of 28 are kept
/// (BENCHMARKS.md, "SDK library").
#[test]
fn renamed_variants_keep_their_flows() {
    let Some(corpus) = super::corpus() else {
        return;
    };
    let flows = |path: &Path| -> std::collections::BTreeSet<String> {
        let doc: Value = serde_json::from_slice(&scan(path, "json")).unwrap();
        let mut out = std::collections::BTreeSet::new();
        for t in doc["trackers"].as_array().into_iter().flatten() {
            for f in t["data_from_app"].as_array().into_iter().flatten() {
                // The entry point's real name, without the name it has in the renamed app.
                let sdk = f["sdk_method"].as_str().unwrap_or("");
                let sdk = sdk.split(" (renamed").next().unwrap_or(sdk);
                out.insert(format!(
                    "{} {} {} {sdk}",
                    t["id"].as_str().unwrap_or(""),
                    f["kind"].as_str().unwrap_or(""),
                    f["key"].as_str().unwrap_or("-"),
                ));
            }
        }
        out
    };
    let (mut kept, mut total) = (0, 0);
    for apk in [
        "hello_mixpanel_v1.apk",
        "hello_mixpanel_v2.apk",
        "hello_mixpanel_v3.apk",
        "appsflyer_demo_2018.apk",
        "branch_testbed_2024.apk",
        "exodus_instapaper.apk",
    ] {
        let orig = flows(&corpus.join("apks").join(apk));
        let renamed = flows(&corpus.join("obfuscated/renamed").join(apk));
        assert!(
            renamed.is_subset(&orig),
            "{apk}: flows not in the original: {:?}",
            renamed.difference(&orig).collect::<Vec<_>>()
        );
        if apk.starts_with("appsflyer") {
            assert_eq!(renamed, orig, "{apk}");
        }
        kept += renamed.len();
        total += orig.len();
    }
    eprintln!("renamed variants: {kept} of {total} distinct flows kept");
    assert!(kept >= 6, "{kept} of {total}");
}
