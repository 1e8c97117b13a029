//! A draft label: the Data safety form that the detected SDKs and the app's flows imply, in the
//! Play Console's import format ([`crate::form::write_import`]), each declared type traceable
//! to its evidence ([`DraftRow`], written beside the CSV as JSON).
//!
//! Purposes come from the vendors' disclosures; where a vendor states none for a type, from
//! the tracker's category (advertisement → `PSL_ADVERTISING`, analytics, crash reporting,
//! profiling, identification → `PSL_ANALYTICS`), marked as inferred so that the developer
//! checks it. Re-reading the draft and checking the same app against it yields only
//! "consistent" (a test says so).

use std::collections::BTreeSet;

use serde::Serialize;
use trackscan_scan::report::Report;

use crate::check::{LabelCheck, Verdict};
use crate::form::Form;
use crate::observed::Observed;

/// How a draft row's purposes were decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PurposeSource {
    /// The vendors' disclosures state them.
    Vendor,
    /// Inferred from the trackers' categories (no vendor states a purpose): check them.
    TrackerCategory,
}

/// One type the draft declares, with why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DraftRow {
    /// Play data type id.
    pub data_type: String,
    /// Collected (always: an SDK in the app receives it).
    pub collected: bool,
    /// Shared: a third party (a tracker that is not a service provider) receives it.
    pub shared: bool,
    /// Collection purposes written.
    pub collection_purposes: Vec<String>,
    /// Sharing purposes written (empty when not shared).
    pub sharing_purposes: Vec<String>,
    /// Where the purposes come from.
    pub purpose_source: PurposeSource,
    /// The SDKs (tracker ids) behind the row.
    pub sdks: Vec<String>,
    /// The observations behind the row.
    pub evidence: Vec<Observed>,
}

/// A draft label and its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Draft {
    /// The form to write with [`crate::form::write_import`].
    #[serde(skip)]
    pub form: Form,
    /// One row per declared type.
    pub rows: Vec<DraftRow>,
    /// Types only possible (a vendor feature trackscan does not see in use): not declared,
    /// listed for the developer to decide.
    pub to_review: Vec<String>,
}

/// Purpose ids implied by a tracker category (εxodus vocabulary).
pub fn category_purposes(category: &str) -> &'static [&'static str] {
    match category.to_ascii_lowercase().as_str() {
        "advertisement" => &["PSL_ADVERTISING"],
        "analytics" | "crash reporting" | "profiling" | "identification" => &["PSL_ANALYTICS"],
        "location" => &["PSL_ANALYTICS"],
        _ => &[],
    }
}

/// The draft implied by `check` (made without a label, or with one: only what trackscan found
/// counts).
pub fn draft(report: &Report, check: &LabelCheck) -> Draft {
    let mut form = Form {
        collects_data: Some(false),
        ..Form::default()
    };
    let mut rows = Vec::new();
    let mut to_review = Vec::new();
    for t in &check.types {
        match t.verdict {
            Verdict::Undeclared | Verdict::Consistent => {}
            Verdict::Possible => {
                to_review.push(t.data_type.clone());
                continue;
            }
            Verdict::DeclaredNotSeen | Verdict::Unknown => continue,
        }
        let mut purposes: BTreeSet<String> = t
            .evidence
            .iter()
            .flat_map(|o| o.purposes.iter().map(|p| p.to_string()))
            .collect();
        let purpose_source = if purposes.is_empty() {
            for sdk in &t.sdks {
                if let Some(f) = report.trackers.iter().find(|f| &f.id == sdk) {
                    for c in &f.categories {
                        purposes.extend(category_purposes(c).iter().map(|p| p.to_string()));
                    }
                }
            }
            if purposes.is_empty() {
                purposes.insert("PSL_ANALYTICS".to_string());
            }
            PurposeSource::TrackerCategory
        } else {
            PurposeSource::Vendor
        };
        let d = form.declare(&t.data_type);
        d.collected = true;
        d.shared = t.shared;
        d.collection_purposes = purposes.clone();
        d.sharing_purposes = if t.shared {
            purposes.clone()
        } else {
            BTreeSet::new()
        };
        rows.push(DraftRow {
            data_type: t.data_type.clone(),
            collected: true,
            shared: t.shared,
            collection_purposes: purposes.iter().cloned().collect(),
            sharing_purposes: if t.shared {
                purposes.into_iter().collect()
            } else {
                Vec::new()
            },
            purpose_source,
            sdks: t.sdks.clone(),
            evidence: t.evidence.clone(),
        });
    }
    Draft {
        form,
        rows,
        to_review,
    }
}
