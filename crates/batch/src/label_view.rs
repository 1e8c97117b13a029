//! The Data safety label check a row may carry (`trackscan batch --labels DIR` puts
//! `"data_safety_file"` and `"data_safety"` into each document; `data_safety` is the
//! [`LabelCheck`] of `trackscan-report`, the type `trackscan-label` produces; `label` stays the
//! manifest's app label).
//!
//! The score, the `app_label` table and the HTML report read the check through that type,
//! never by string keys into the JSON. Every field has a default, so older rows, rows without
//! a label and checks of a later version read as far as they go; a `data_safety` value that is
//! not an object reads as no check.

use serde::Deserialize;
use serde_json::Value;
pub use trackscan_report::label::{
    DeclaredSummary, Dormant, LabelCheck, LabelCounts, Mismatch, Observed, Switched, TypeCheck,
    Verdict, LABEL_CHECK_KEY, LABEL_FILE_KEY,
};

/// The label check of a document, if it carries one (an object at [`LABEL_CHECK_KEY`] that
/// reads as a [`LabelCheck`]). Deserialized once, by reference.
pub fn label_view(doc: &Value) -> Option<LabelCheck> {
    let v = doc.get(LABEL_CHECK_KEY).filter(|v| v.is_object())?;
    LabelCheck::deserialize(v).ok()
}

/// The label file a document's check read (`data_safety_file`), if any.
pub fn label_file(doc: &Value) -> Option<String> {
    doc.get(LABEL_FILE_KEY)
        .and_then(|v| Option::<String>::deserialize(v).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_a_check_and_tolerates_what_it_does_not_know() {
        let d = json!({"data_safety_file": "labels/com.ex.csv", "data_safety": {
            "has_label": true, "label_collects": true,
            "counts": {"undeclared": 1, "consistent": 1, "declared, not seen": 2, "possible": 0},
            "types": [
                {"data_type": "PSL_EMAIL", "label": "Personal info / Email address",
                 "verdict": "undeclared", "declared": null, "sdks": ["google-crashlytics"],
                 "shared": false, "mismatches": [],
                 "evidence": [{"data_type": "PSL_EMAIL", "sdk": "google-crashlytics",
                               "sdk_name": "Google CrashLytics", "status": "observed"}],
                 "evidence_lines": ["app code X hands email to Google CrashLytics (setUserEmail)"],
                 "left_out": []},
                {"data_type": "PSL_DEVICE_ID", "verdict": "consistent",
                 "declared": {"collected": true, "shared": false, "collection_purposes": [],
                              "sharing_purposes": [], "line": 7},
                 "sdks": ["kochava"], "shared": true,
                 "mismatches": [{"mismatch": "shared_not_declared", "sdks": ["kochava"]},
                                {"mismatch": "purpose_not_declared", "purpose": "PSL_ADVERTISING",
                                 "sdks": ["kochava"]},
                                {"mismatch": "from_the_future"}]},
                {"data_type": "PSL_CONTACTS", "verdict": "declared_not_seen"},
                {"data_type": "PSL_X", "verdict": "new verdict", "future_key": 1}],
            "switches": [{"sdk": "firebase", "name": "n", "value": "false", "affects": ["PSL_A"],
                          "state": "off", "doc": "https://d"}],
            "dormant": [{"sdk": "kochava", "why": "nothing calls it"}],
            "label_anomalies": []}});
        let v = label_view(&d).expect("a check");
        assert!(v.has_label);
        assert_eq!(v.counts.declared_not_seen, 2);
        assert_eq!(v.types[0].verdict, Verdict::Undeclared);
        assert_eq!(v.types[0].sdk_names(), "Google CrashLytics");
        assert_eq!(v.types[1].declared.as_ref().map(|d| d.line), Some(7));
        assert_eq!(
            v.types[1].mismatches,
            [
                Mismatch::SharedNotDeclared {
                    sdks: vec!["kochava".into()]
                },
                Mismatch::PurposeNotDeclared {
                    purpose: "PSL_ADVERTISING".into(),
                    sdks: vec!["kochava".into()]
                },
                Mismatch::Other
            ]
        );
        assert_eq!(v.types[1].sdk_names(), "kochava", "no evidence: the id");
        assert_eq!(v.types[2].verdict, Verdict::DeclaredNotSeen);
        assert_eq!(v.types[3].verdict, Verdict::Unknown);
        assert_eq!(v.dormant[0].sdk, "kochava");
        assert_eq!(v.switches[0].line(), "firebase: n = false (off; PSL_A)");
        assert_eq!(label_file(&d).as_deref(), Some("labels/com.ex.csv"));

        // No check: absent, null, the manifest's app label (a string), garbage.
        for d in [
            json!({}),
            json!({"data_safety": null, "data_safety_file": null}),
            json!({"label": "My App"}),
            json!({"data_safety": {"types": "not a list"}}),
        ] {
            assert_eq!(label_view(&d), None, "{d}");
            assert_eq!(label_file(&d), None);
        }
        // An empty object is a check without a label (all defaults).
        assert_eq!(
            label_view(&json!({"data_safety": {}})),
            Some(LabelCheck::default())
        );
    }
}
