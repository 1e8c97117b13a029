//! A typed view of the Data safety label check a row may carry (`trackscan batch --labels DIR`
//! puts `"data_safety_file"` and `"data_safety"` into each document; `data_safety` is the
//! label crate's `LabelCheck`, see `crates/label/src/check.rs`; `label` stays the manifest's
//! app label).
//!
//! The score, the `app_label` table and the HTML report read the check through these types,
//! never by string keys into the JSON. Every field has a default, so older rows, rows without
//! a label and checks of a later version read as far as they go; a `data_safety` value that is
//! not an object reads as no check.

use serde::Deserialize;
use serde_json::Value;

/// The document key holding the check.
pub const LABEL_CHECK_KEY: &str = "data_safety";
/// The document key holding the label file the check read (string or null).
pub const LABEL_FILE_KEY: &str = "data_safety_file";

/// The check of one app against its Data safety label.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct LabelView {
    /// Whether a label was given (without one, every type found is `undeclared`).
    pub has_label: bool,
    /// The label's answer to "does the app collect or share user data".
    pub label_collects: Option<bool>,
    /// Counts per verdict.
    pub counts: LabelCounts,
    /// Per data type, undeclared first.
    pub types: Vec<LabelTypeView>,
    /// Switches the app sets.
    pub switches: Vec<SwitchView>,
    /// Tracker SDKs nothing runs.
    pub dormant: Vec<DormantView>,
    /// Problems in the label file.
    pub label_anomalies: Vec<String>,
}

/// Counts per verdict (the keys the check writes: `undeclared`, `consistent`,
/// `declared_not_seen`, `possible`; `declared, not seen` read too).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct LabelCounts {
    /// Found, not declared.
    pub undeclared: u64,
    /// Found and declared.
    pub consistent: u64,
    /// Declared, not found.
    #[serde(alias = "declared, not seen")]
    pub declared_not_seen: u64,
    /// Not declared, possible.
    pub possible: u64,
}

impl LabelCounts {
    /// `2 undeclared, 3 consistent, 1 declared but not seen, 0 possible` (as `trackscan label`
    /// prints it).
    pub fn line(&self) -> String {
        format!(
            "{} undeclared, {} consistent, {} declared but not seen, {} possible",
            self.undeclared, self.consistent, self.declared_not_seen, self.possible
        )
    }
}

/// The verdict for one data type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum Verdict {
    /// Found, not declared: the finding that matters.
    #[serde(rename = "undeclared")]
    Undeclared,
    /// Found and declared.
    #[serde(rename = "consistent")]
    Consistent,
    /// Declared, not found (information).
    #[serde(rename = "declared_not_seen", alias = "declared, not seen")]
    DeclaredNotSeen,
    /// Not declared; possible but not confirmed (information).
    #[serde(rename = "possible")]
    Possible,
    /// A verdict this version does not know.
    #[default]
    #[serde(other)]
    Unknown,
}

impl Verdict {
    /// The verdict as the reports write it (`undeclared`, `declared, not seen`, …).
    pub fn key(self) -> &'static str {
        match self {
            Verdict::Undeclared => "undeclared",
            Verdict::Consistent => "consistent",
            Verdict::DeclaredNotSeen => "declared_not_seen",
            Verdict::Possible => "possible",
            Verdict::Unknown => "unknown",
        }
    }

    /// The verdict for people.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Undeclared => "undeclared",
            Verdict::Consistent => "consistent",
            Verdict::DeclaredNotSeen => "declared, not seen",
            Verdict::Possible => "possible",
            Verdict::Unknown => "unknown",
        }
    }
}

/// One Play data type: declared, found, verdict.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct LabelTypeView {
    /// Play data type id (`PSL_EMAIL`).
    pub data_type: String,
    /// Its label in the Play form (`Personal info / Email address`).
    pub label: String,
    /// The verdict.
    pub verdict: Verdict,
    /// What the label declares; `None` when it does not declare the type.
    pub declared: Option<DeclaredView>,
    /// Tracker ids the type goes to.
    pub sdks: Vec<String>,
    /// Whether a third party receives it.
    pub shared: bool,
    /// Disagreements inside a found and declared type.
    pub mismatches: Vec<MismatchView>,
    /// The evidence, only as far as naming the SDKs goes.
    pub evidence: Vec<EvidenceView>,
    /// One line per piece of evidence, for people.
    pub evidence_lines: Vec<String>,
}

impl LabelTypeView {
    /// The display name of tracker `id` as this type's evidence gives it, else the id.
    pub fn sdk_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.evidence
            .iter()
            .find(|e| e.sdk == id && !e.sdk_name.is_empty())
            .map_or(id, |e| e.sdk_name.as_str())
    }

    /// The SDKs' display names, comma-separated (`Google CrashLytics, AppsFlyer`).
    pub fn sdk_names(&self) -> String {
        self.names_of(&self.sdks)
    }

    /// Display names of `ids`, comma-separated.
    pub fn names_of(&self, ids: &[String]) -> String {
        ids.iter()
            .map(|s| self.sdk_name(s))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `PSL_EMAIL (Personal info / Email address)`, or the id alone without a label.
    pub fn title(&self) -> String {
        if self.label.is_empty() {
            self.data_type.clone()
        } else {
            format!("{} ({})", self.data_type, self.label)
        }
    }
}

/// What the label declares for a type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct DeclaredView {
    /// Collected.
    pub collected: bool,
    /// Shared.
    pub shared: bool,
    /// Collection purposes.
    pub collection_purposes: Vec<String>,
    /// Sharing purposes.
    pub sharing_purposes: Vec<String>,
    /// Line of the label file declaring it.
    pub line: u64,
}

impl DeclaredView {
    /// `collected, shared`, `collected`, `shared` or `neither`.
    pub fn summary(&self) -> &'static str {
        match (self.collected, self.shared) {
            (true, true) => "collected, shared",
            (true, false) => "collected",
            (false, true) => "shared",
            (false, false) => "neither",
        }
    }
}

/// A disagreement between what is declared and what is found.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "mismatch", rename_all = "snake_case")]
pub enum MismatchView {
    /// Third parties receive it; the label says it is not shared.
    SharedNotDeclared {
        /// Tracker ids receiving it as third parties.
        #[serde(default)]
        sdks: Vec<String>,
    },
    /// A vendor states a purpose the label does not declare.
    PurposeNotDeclared {
        /// Purpose id (`PSL_ADVERTISING`).
        #[serde(default)]
        purpose: String,
        /// Tracker ids whose vendors state it.
        #[serde(default)]
        sdks: Vec<String>,
    },
    /// A mismatch this version does not know.
    #[serde(other)]
    Other,
}

impl MismatchView {
    /// One line: `shared with third parties, not declared shared (kochava)`.
    pub fn line(&self) -> String {
        match self {
            MismatchView::SharedNotDeclared { sdks } => format!(
                "shared with third parties, not declared shared ({})",
                sdks.join(", ")
            ),
            MismatchView::PurposeNotDeclared { purpose, sdks } => {
                format!("purpose {purpose} not declared ({})", sdks.join(", "))
            }
            MismatchView::Other => "other mismatch".to_string(),
        }
    }
}

/// A piece of evidence, as far as the batch reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct EvidenceView {
    /// Tracker id.
    pub sdk: String,
    /// Tracker display name.
    pub sdk_name: String,
}

/// A switch the app sets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct SwitchView {
    /// Tracker id.
    pub sdk: String,
    /// Meta-data name, permission or API.
    pub name: String,
    /// What the app sets.
    pub value: String,
    /// Play data types it affects.
    pub affects: Vec<String>,
    /// `off` or `runtime_call`.
    pub state: String,
    /// Documentation page.
    pub doc: String,
}

impl SwitchView {
    /// `firebase: firebase_analytics_collection_enabled = false (off; PSL_APP_INTERACTIONS)`.
    pub fn line(&self) -> String {
        let state = if self.state == "runtime_call" {
            "run-time call"
        } else {
            self.state.as_str()
        };
        let mut s = format!("{}: {} = {} ({state}", self.sdk, self.name, self.value);
        if !self.affects.is_empty() {
            s.push_str("; ");
            s.push_str(&self.affects.join(", "));
        }
        s.push(')');
        s
    }
}

/// A tracker SDK nothing runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct DormantView {
    /// Tracker id.
    pub sdk: String,
    /// Why it counts as dormant.
    pub why: String,
}

/// The label check of a document, if it carries one (an object at [`LABEL_CHECK_KEY`] that
/// reads as a [`LabelView`]). Deserialized once, by reference.
pub fn label_view(doc: &Value) -> Option<LabelView> {
    let v = doc.get(LABEL_CHECK_KEY).filter(|v| v.is_object())?;
    LabelView::deserialize(v).ok()
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
                MismatchView::SharedNotDeclared {
                    sdks: vec!["kochava".into()]
                },
                MismatchView::PurposeNotDeclared {
                    purpose: "PSL_ADVERTISING".into(),
                    sdks: vec!["kochava".into()]
                },
                MismatchView::Other
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
            Some(LabelView::default())
        );
    }
}
