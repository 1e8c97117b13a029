//! The Data safety label check of one app: per Play data type, what the label declares
//! against what trackscan finds, with a verdict and the evidence.
//!
//! `trackscan-label` produces a [`LabelCheck`] (`check.rs`); `trackscan label --format json`
//! prints it and `trackscan batch --labels DIR` puts it into each row under
//! [`LABEL_CHECK_KEY`] (with the label file under [`LABEL_FILE_KEY`]); the batch's score,
//! `app_label` table and HTML report read it back into the same types.
//!
//! Reading is lenient: every field has a default, so rows of older versions, rows without a
//! label and checks of a later version read as far as they go; an enum value this version
//! does not know reads as `Unknown` (verdicts, statuses, …) or `Other` (mismatches, sources).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

/// The document key holding the check.
pub const LABEL_CHECK_KEY: &str = "data_safety";
/// The document key holding the label file the check read (string or null).
pub const LABEL_FILE_KEY: &str = "data_safety_file";

/// Reads a field of an [`Observed`] whatever its shape: a value of another shape (a source
/// without its `source` tag, a status that is not a string…) reads as the default. The old
/// batch view read only `sdk` and `sdk_name` of evidence, so no other field may make a row's
/// check unreadable.
fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    let v = serde_json::Value::deserialize(d)?;
    Ok(T::deserialize(v).unwrap_or_default())
}

/// The verdict for one Play data type.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Found, not declared: the finding that matters.
    Undeclared,
    /// Found and declared.
    Consistent,
    /// Declared, not found (information: static analysis cannot see everything).
    #[serde(alias = "declared, not seen")]
    DeclaredNotSeen,
    /// Not declared; possible but not confirmed (information).
    Possible,
    /// A verdict this version does not know (read from a row; never produced).
    #[default]
    #[serde(other)]
    Unknown,
}

impl Verdict {
    /// The verdicts the check gives, in their order.
    pub const ALL: [Verdict; 4] = [
        Verdict::Undeclared,
        Verdict::Consistent,
        Verdict::DeclaredNotSeen,
        Verdict::Possible,
    ];

    /// The verdict's key in JSON, `counts` and tables (`undeclared`, `declared_not_seen`, …).
    pub fn key(self) -> &'static str {
        match self {
            Verdict::Undeclared => "undeclared",
            Verdict::Consistent => "consistent",
            Verdict::DeclaredNotSeen => "declared_not_seen",
            Verdict::Possible => "possible",
            Verdict::Unknown => "unknown",
        }
    }

    /// The verdict for people (`undeclared`, `declared, not seen`, …).
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

/// Counts per verdict (keys `consistent`, `declared_not_seen`, `possible`, `undeclared`;
/// `declared, not seen` is read too).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LabelCounts {
    /// Found and declared.
    pub consistent: usize,
    /// Declared, not found.
    #[serde(alias = "declared, not seen")]
    pub declared_not_seen: usize,
    /// Not declared, possible.
    pub possible: usize,
    /// Found, not declared.
    pub undeclared: usize,
}

impl LabelCounts {
    /// The counts of `types`' verdicts (unknown verdicts are not counted).
    pub fn of(types: &[TypeCheck]) -> LabelCounts {
        let mut c = LabelCounts::default();
        for t in types {
            if let Some(n) = c.get_mut(t.verdict) {
                *n += 1;
            }
        }
        c
    }

    /// The count of `verdict` (0 for [`Verdict::Unknown`]).
    pub fn get(&self, verdict: Verdict) -> usize {
        match verdict {
            Verdict::Undeclared => self.undeclared,
            Verdict::Consistent => self.consistent,
            Verdict::DeclaredNotSeen => self.declared_not_seen,
            Verdict::Possible => self.possible,
            Verdict::Unknown => 0,
        }
    }

    fn get_mut(&mut self, verdict: Verdict) -> Option<&mut usize> {
        match verdict {
            Verdict::Undeclared => Some(&mut self.undeclared),
            Verdict::Consistent => Some(&mut self.consistent),
            Verdict::DeclaredNotSeen => Some(&mut self.declared_not_seen),
            Verdict::Possible => Some(&mut self.possible),
            Verdict::Unknown => None,
        }
    }

    /// `2 undeclared, 3 consistent, 1 declared but not seen, 0 possible` (as `trackscan label`
    /// prints it).
    pub fn line(&self) -> String {
        format!(
            "{} undeclared, {} consistent, {} declared but not seen, {} possible",
            self.undeclared, self.consistent, self.declared_not_seen, self.possible
        )
    }
}

/// A disagreement inside a type that is both found and declared.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "mismatch", rename_all = "snake_case")]
pub enum Mismatch {
    /// Third parties receive it; the label says it is not shared.
    SharedNotDeclared {
        /// The SDKs (tracker ids) that receive it as third parties.
        #[serde(default)]
        sdks: Vec<String>,
    },
    /// A vendor states a purpose the label does not declare for the type.
    PurposeNotDeclared {
        /// The purpose id (`PSL_ADVERTISING`).
        #[serde(default)]
        purpose: String,
        /// The SDKs whose vendors state it.
        #[serde(default)]
        sdks: Vec<String>,
    },
    /// A mismatch this version does not know (read from a row; never produced).
    #[serde(other)]
    Other,
}

impl Mismatch {
    /// One line: `shared with third parties, not declared shared (kochava)`.
    pub fn line(&self) -> String {
        match self {
            Mismatch::SharedNotDeclared { sdks } => format!(
                "shared with third parties, not declared shared ({})",
                sdks.join(", ")
            ),
            Mismatch::PurposeNotDeclared { purpose, sdks } => {
                format!("purpose {purpose} not declared ({})", sdks.join(", "))
            }
            Mismatch::Other => "other mismatch".to_string(),
        }
    }
}

/// What the label declares for a type, as the check reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeclaredSummary {
    /// Collected.
    pub collected: bool,
    /// Shared.
    pub shared: bool,
    /// Collection purposes.
    pub collection_purposes: Vec<String>,
    /// Sharing purposes.
    pub sharing_purposes: Vec<String>,
    /// Line of the label file declaring it.
    pub line: usize,
}

impl DeclaredSummary {
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

/// One Play data type: declared, found, verdict.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TypeCheck {
    /// Play data type id (`PSL_EMAIL`).
    pub data_type: String,
    /// Its label in the Play form (`Personal info / Email address`).
    pub label: String,
    /// The verdict.
    pub verdict: Verdict,
    /// What the label declares (absent when it does not declare the type).
    pub declared: Option<DeclaredSummary>,
    /// The SDKs trackscan finds it going to (tracker ids), sorted.
    pub sdks: Vec<String>,
    /// Whether a third party receives it (a tracker that is not a service provider).
    pub shared: bool,
    /// Disagreements between what is declared and what is found.
    pub mismatches: Vec<Mismatch>,
    /// The evidence: every observation of the type that counts (status observed, not switched
    /// off, from an SDK that runs) and, for [`Verdict::Possible`], the conditional ones.
    pub evidence: Vec<Observed>,
    /// One line per piece of evidence, for people.
    pub evidence_lines: Vec<String>,
    /// Observations left out: switched off by the app, or from a dormant SDK.
    pub left_out: Vec<LeftOut>,
}

impl TypeCheck {
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

/// An observation the check leaves out, and why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeftOut {
    /// The observation.
    pub observed: Observed,
    /// Why (`switched off: firebase_analytics_collection_deactivated = true (doc)`,
    /// `dormant SDK: …`).
    pub why: String,
}

/// One Play data type trackscan observes going to a tracker SDK, with its evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(default)]
pub struct Observed {
    /// Play data type id (`PSL_DEVICE_ID`).
    #[serde(deserialize_with = "or_default")]
    pub data_type: String,
    /// Tracker rule id (`appsflyer`).
    pub sdk: String,
    /// Tracker display name (`AppsFlyer`).
    pub sdk_name: String,
    /// Whether trackscan sees it ([`Status::Observed`]) or it depends on something trackscan
    /// cannot see ([`Status::Conditional`]; `note` says what).
    #[serde(deserialize_with = "or_default")]
    pub status: Status,
    /// The evidence.
    #[serde(deserialize_with = "or_default")]
    pub source: Source,
    /// Whether Play counts it as shared (see [`Sharing`]).
    #[serde(deserialize_with = "or_default")]
    pub shared: Sharing,
    /// Play purpose ids from the vendor disclosure rows of this data type for this SDK; empty
    /// when the vendor gives none.
    #[serde(deserialize_with = "or_default")]
    pub purposes: Vec<String>,
    /// Caveats: how the type was decided, what is uncertain.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "or_default"
    )]
    pub note: Option<String>,
    /// Hosts the report attributes to this tracker (`Report.hosts[].tracker`), sorted, at most
    /// a few: where the data may go.
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "or_default")]
    pub hosts: Vec<String>,
}

/// Whether an observation is certain.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Trackscan sees it: the SDK's code reads it, the app hands it over, the SDK is a crash
    /// reporter, or the vendor says the SDK collects it by default.
    Observed,
    /// Possible, not confirmed: the vendor collects it only when the app uses a feature
    /// trackscan does not see used, a manifest switch turns it off, or the API alone does not
    /// say (camera, an intent query, location without a location permission).
    Conditional,
    /// A status this version does not know (read from a row; never produced).
    #[default]
    #[serde(other)]
    Unknown,
}

/// When a vendor says its SDK collects a data type.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Collected {
    /// By default.
    Automatic,
    /// Only when the app uses an API, feature or setting.
    WhenAppCalls,
    /// A value this version does not know (read from a row; never produced).
    #[default]
    #[serde(other)]
    Unknown,
}

/// Where an observation comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Source {
    /// The SDK's own code calls a personal-data API (`Finding::data_access`).
    SdkReads {
        /// Data category (`location`, `advertising-id`, …).
        #[serde(default)]
        category: String,
        /// The API (`android.location.LocationManager.getLastKnownLocation`).
        #[serde(default)]
        api: String,
        /// An SDK class that calls it.
        #[serde(default)]
        caller: String,
        /// SDK call instructions reaching it.
        #[serde(default)]
        count: usize,
    },
    /// The app's own code hands the data to the SDK (`Finding::data_from_app`).
    AppHands {
        /// What flows (`email`, `user-id`, …).
        #[serde(default)]
        kind: String,
        /// The property key, when the value travels under a constant key.
        #[serde(default)]
        key: Option<String>,
        /// Where the value comes from (platform API, container, `argument`).
        #[serde(default)]
        via: String,
        /// The app method making the call.
        #[serde(default)]
        at: String,
        /// The SDK entry point.
        #[serde(default)]
        sdk_method: String,
    },
    /// The vendor's Data safety disclosure for the SDK (`data_safety.toml`).
    VendorDisclosure {
        /// The vendor page.
        #[serde(default)]
        url: String,
        /// When the vendor says the data is collected.
        #[serde(default)]
        collection: Collected,
        /// For [`Collected::WhenAppCalls`]: the feature that triggers it.
        #[serde(default)]
        when: Option<String>,
    },
    /// The SDK is a crash reporter (its tracker category): it sends crash logs.
    CrashReporting {
        /// The tracker category that says so.
        #[serde(default)]
        category: String,
    },
    /// A source this version does not know, or none given (read from a row; never produced).
    #[default]
    #[serde(other)]
    Other,
}

/// Whether Play counts the data as shared with a third party.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Sharing {
    /// A third party (the tracker's vendor) receives it.
    Shared,
    /// The vendor says it processes the data as the developer's service provider: collected,
    /// not shared (Play's exemption for service providers).
    ServiceProvider,
    /// The vendor's disclosure row for this data type says it is not shared.
    VendorSaysNotShared,
    /// A value this version does not know (read from a row; never produced).
    #[default]
    #[serde(other)]
    Unknown,
}

/// How a switch stands in this app.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SwitchState {
    /// The manifest sets the value that turns collection off: the affected data types are
    /// not expected from this SDK.
    Off,
    /// The app's code calls the run-time switch: collection may be off at times (consent
    /// flows); the argument is not known statically, so nothing is taken off the label.
    RuntimeCall,
    /// A state this version does not know (read from a row; never produced).
    #[default]
    #[serde(other)]
    Unknown,
}

impl SwitchState {
    /// The state for people (`off`, `run-time call`).
    pub fn label(self) -> &'static str {
        match self {
            SwitchState::Off => "off",
            SwitchState::RuntimeCall => "run-time call",
            SwitchState::Unknown => "unknown",
        }
    }
}

/// A switch found in the app.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Switched {
    /// The tracker rule id the switch belongs to (every tracker of the disclosure that the
    /// app has).
    pub sdk: String,
    /// The meta-data name, permission or API.
    pub name: String,
    /// What the app sets (`"false"`, `"absent"`, `"called"`).
    pub value: String,
    /// Play data types the switch affects.
    pub affects: Vec<String>,
    /// How the switch stands.
    pub state: SwitchState,
    /// The vendor (or Play) page documenting the switch.
    pub doc: String,
}

impl Switched {
    /// `firebase: firebase_analytics_collection_enabled = false (off; PSL_APP_INTERACTIONS)`.
    pub fn line(&self) -> String {
        let mut s = format!(
            "{}: {} = {} ({}",
            self.sdk,
            self.name,
            self.value,
            self.state.label()
        );
        if !self.affects.is_empty() {
            s.push_str("; ");
            s.push_str(&self.affects.join(", "));
        }
        s.push(')');
        s
    }
}

/// A tracker SDK whose code is in the app but that nothing runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dormant {
    /// Tracker rule id.
    pub sdk: String,
    /// Why it counts as dormant.
    pub why: String,
}

/// The check of one app against its label (or, without a label, what a label must declare).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LabelCheck {
    /// Whether a label was given (without one, every type found is `undeclared`).
    pub has_label: bool,
    /// The label's answer to "does the app collect or share user data" (absent: not given).
    pub label_collects: Option<bool>,
    /// Per data type, undeclared first, then by type id.
    pub types: Vec<TypeCheck>,
    /// Counts per verdict.
    pub counts: LabelCounts,
    /// Switches the app sets.
    pub switches: Vec<Switched>,
    /// Tracker SDKs nothing runs.
    pub dormant: Vec<Dormant>,
    /// Problems in the label file (unknown ids, usage rows of unlisted types…), one line each.
    pub label_anomalies: Vec<String>,
}

impl LabelCheck {
    /// How many types are undeclared.
    pub fn undeclared(&self) -> usize {
        self.counts.undeclared
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn full() -> LabelCheck {
        let observed = Observed {
            data_type: "PSL_DEVICE_ID".into(),
            sdk: "kochava".into(),
            sdk_name: "Kochava".into(),
            status: Status::Observed,
            source: Source::SdkReads {
                category: "advertising-id".into(),
                api: "a.B.c".into(),
                caller: "com.kochava.A".into(),
                count: 2,
            },
            shared: Sharing::Shared,
            purposes: vec!["PSL_ANALYTICS".into()],
            note: None,
            hosts: vec!["kochava.com".into()],
        };
        let types = vec![TypeCheck {
            data_type: "PSL_DEVICE_ID".into(),
            label: "Device or other IDs".into(),
            verdict: Verdict::Consistent,
            declared: Some(DeclaredSummary {
                collected: true,
                line: 7,
                ..DeclaredSummary::default()
            }),
            sdks: vec!["kochava".into()],
            shared: true,
            mismatches: vec![Mismatch::SharedNotDeclared {
                sdks: vec!["kochava".into()],
            }],
            evidence: vec![observed.clone()],
            evidence_lines: vec!["Kochava code com.kochava.A calls a.B.c".into()],
            left_out: vec![LeftOut {
                observed: Observed {
                    source: Source::VendorDisclosure {
                        url: "https://v".into(),
                        collection: Collected::WhenAppCalls,
                        when: None,
                    },
                    status: Status::Conditional,
                    ..observed
                },
                why: "dormant SDK".into(),
            }],
        }];
        LabelCheck {
            has_label: true,
            label_collects: Some(true),
            counts: LabelCounts::of(&types),
            types,
            switches: vec![Switched {
                sdk: "firebase".into(),
                name: "n".into(),
                value: "false".into(),
                affects: vec!["PSL_A".into()],
                state: SwitchState::RuntimeCall,
                doc: "https://d".into(),
            }],
            dormant: vec![Dormant {
                sdk: "kochava".into(),
                why: "nothing calls it".into(),
            }],
            label_anomalies: vec!["line 3: x".into()],
        }
    }

    #[test]
    fn what_is_written_reads_back_the_same() {
        let c = full();
        assert_eq!(c.counts.consistent, 1);
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(
            v["counts"],
            json!({"consistent": 1, "declared_not_seen": 0, "possible": 0, "undeclared": 0})
        );
        assert_eq!(
            v["types"][0]["evidence"][0]["source"]["source"],
            "sdk_reads"
        );
        assert!(v["types"][0]["evidence"][0].get("note").is_none());
        assert_eq!(LabelCheck::deserialize(&v).unwrap(), c);
        assert_eq!(
            c.switches[0].line(),
            "firebase: n = false (run-time call; PSL_A)"
        );
    }

    #[test]
    fn reads_older_and_newer_rows_as_far_as_they_go() {
        let v = json!({
            "has_label": true,
            "counts": {"undeclared": 1, "declared, not seen": 2},
            "types": [
                {"data_type": "PSL_EMAIL", "verdict": "undeclared",
                 "evidence": [{"sdk": "google-crashlytics", "sdk_name": "Google CrashLytics",
                               "source": {"kind": "app_hands"}, "purposes": "x", "note": 1}]},
                {"data_type": "PSL_X", "verdict": "declared, not seen",
                 "mismatches": [{"mismatch": "from_the_future", "x": 1}]},
                {"data_type": "PSL_Y", "verdict": "new verdict", "future_key": 1,
                 "evidence": [{"sdk": "s", "status": "maybe", "shared": "who knows",
                               "source": {"source": "telepathy", "how": 1}}]}],
            "switches": [{"sdk": "s", "state": "sometimes"}],
            "future": {"a": 1}
        });
        let c = LabelCheck::deserialize(&v).unwrap();
        assert_eq!(c.counts.declared_not_seen, 2);
        assert_eq!(c.undeclared(), 1);
        assert_eq!(c.types[0].sdk_names(), "");
        assert_eq!(
            c.types[0].sdk_name("google-crashlytics"),
            "Google CrashLytics"
        );
        assert_eq!(c.types[0].evidence[0].source, Source::Other);
        assert_eq!(c.types[1].verdict, Verdict::DeclaredNotSeen);
        assert_eq!(c.types[1].mismatches, [Mismatch::Other]);
        assert_eq!(c.types[2].verdict, Verdict::Unknown);
        let e = &c.types[2].evidence[0];
        assert_eq!(
            (e.status, e.shared, &e.source),
            (Status::Unknown, Sharing::Unknown, &Source::Other)
        );
        assert_eq!(c.switches[0].state, SwitchState::Unknown);
        assert_eq!(
            LabelCheck::deserialize(&json!({})).unwrap(),
            LabelCheck::default()
        );
        assert!(LabelCheck::deserialize(&json!({"types": "not a list"})).is_err());
    }
}
