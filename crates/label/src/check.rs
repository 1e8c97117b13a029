//! The check: per Play data type, what the label declares against what trackscan found, with a
//! verdict and the evidence.
//!
//! | verdict | when |
//! |---|---|
//! | [`Verdict::Undeclared`] | trackscan sees the data going to a tracker SDK; the label does not declare the type (the finding that matters) |
//! | [`Verdict::Consistent`] | seen and declared |
//! | [`Verdict::DeclaredNotSeen`] | declared, not seen (information: static analysis cannot see everything, e.g. the app's own servers) |
//! | [`Verdict::Possible`] | not declared; a vendor says its SDK collects it only when the app uses a feature trackscan does not see in use, or a switch may turn it off (information) |
//!
//! Besides the verdict, a type the label says is only *collected* while a third party
//! receives it (a tracker whose vendor does not act as the developer's service provider) gets
//! a [`Mismatch::SharedNotDeclared`]; purposes a vendor states that the label lacks get
//! [`Mismatch::PurposeNotDeclared`].
//!
//! What the app turns off ([`crate::switches::switches`], state `off`) and SDKs that nothing
//! runs ([`crate::switches::dormant`]) are left out of what the label must declare; both are
//! listed.

use std::collections::{BTreeMap, BTreeSet};

use trackscan_scan::report::Report;
use trackscan_signatures::{play_data_type_label, DataSafety};

use crate::form::{Declared, Form};
use crate::observed::{observe, Observed, Sharing, Source, Status};
use crate::switches::{dormant, is_advertising_id, switches, Dormant, SwitchState, Switched};

pub use trackscan_report::label::{
    DeclaredSummary, LabelCheck, LabelCounts, LeftOut, Mismatch, TypeCheck, Verdict,
};

/// What the label declares for a type, as the check reports it.
fn summary(d: &Declared) -> DeclaredSummary {
    DeclaredSummary {
        collected: d.collected,
        shared: d.shared,
        collection_purposes: d.collection_purposes.iter().cloned().collect(),
        sharing_purposes: d.sharing_purposes.iter().cloned().collect(),
        line: d.line,
    }
}

/// Why the check leaves `o` out, if it does.
fn left_out_why(o: &Observed, sw: &[Switched], dormant: &[Dormant]) -> Option<String> {
    if dormant.iter().any(|d| d.sdk == o.sdk) {
        return Some(
            "dormant SDK: nothing calls it and the manifest starts none of its components".into(),
        );
    }
    for s in sw
        .iter()
        .filter(|s| s.state == SwitchState::Off && s.sdk == o.sdk)
    {
        let applies = if s.name == crate::switches::AD_ID_PERMISSION {
            // Only the advertising ID itself is zeroed.
            matches!(&o.source, Source::SdkReads { category, .. } if is_advertising_id(category))
        } else {
            s.affects.contains(&o.data_type)
        };
        if applies {
            return Some(format!(
                "switched off: {} = {} ({})",
                s.name, s.value, s.doc
            ));
        }
    }
    None
}

/// Checks the report against `label` (or, with `None`, lists what a label must declare: every
/// found type is then undeclared).
pub fn check(report: &Report, label: Option<&Form>, disclosures: &DataSafety) -> LabelCheck {
    check_observed(report, label, observe(report, disclosures), disclosures)
}

/// [`check`] on observations already made.
pub fn check_observed(
    report: &Report,
    label: Option<&Form>,
    observed: Vec<Observed>,
    disclosures: &DataSafety,
) -> LabelCheck {
    let sw = switches(report, disclosures);
    let dm = dormant(report);
    let mut counted: BTreeMap<String, Vec<Observed>> = BTreeMap::new();
    let mut possible: BTreeMap<String, Vec<Observed>> = BTreeMap::new();
    let mut left: BTreeMap<String, Vec<LeftOut>> = BTreeMap::new();
    for o in observed {
        let ty = o.data_type.clone();
        if let Some(why) = left_out_why(&o, &sw, &dm) {
            left.entry(ty)
                .or_default()
                .push(LeftOut { observed: o, why });
        } else if o.status == Status::Observed {
            counted.entry(ty).or_default().push(o);
        } else {
            possible.entry(ty).or_default().push(o);
        }
    }
    let mut all: BTreeSet<String> = counted.keys().cloned().collect();
    all.extend(possible.keys().cloned());
    all.extend(left.keys().cloned());
    if let Some(f) = label {
        all.extend(f.declared().map(|(id, _)| id.to_string()));
    }
    let mut types = Vec::new();
    for ty in all {
        let declared = label.and_then(|f| f.declares(&ty));
        let found = counted.remove(&ty).unwrap_or_default();
        let maybe = possible.remove(&ty).unwrap_or_default();
        let left_out = left.remove(&ty).unwrap_or_default();
        let verdict = match (found.is_empty(), declared.is_some()) {
            (false, false) => Verdict::Undeclared,
            (false, true) => Verdict::Consistent,
            (true, true) => Verdict::DeclaredNotSeen,
            (true, false) if !maybe.is_empty() || !left_out.is_empty() => Verdict::Possible,
            (true, false) => continue,
        };
        let third: BTreeSet<String> = found
            .iter()
            .filter(|o| o.shared == Sharing::Shared)
            .map(|o| o.sdk.clone())
            .collect();
        let mut mismatches = Vec::new();
        if let Some(d) = declared {
            if !d.shared && !third.is_empty() {
                mismatches.push(Mismatch::SharedNotDeclared {
                    sdks: third.iter().cloned().collect(),
                });
            }
            let mut by_purpose: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
            for o in &found {
                for p in &o.purposes {
                    if !d.collection_purposes.contains(p) && !d.sharing_purposes.contains(p) {
                        by_purpose
                            .entry(p.as_str())
                            .or_default()
                            .insert(o.sdk.clone());
                    }
                }
            }
            for (p, sdks) in by_purpose {
                mismatches.push(Mismatch::PurposeNotDeclared {
                    purpose: p.to_string(),
                    sdks: sdks.into_iter().collect(),
                });
            }
        }
        let mut sdks: BTreeSet<String> = found.iter().map(|o| o.sdk.clone()).collect();
        if verdict == Verdict::Possible {
            sdks.extend(maybe.iter().map(|o| o.sdk.clone()));
        }
        let evidence = if verdict == Verdict::Possible {
            maybe
        } else {
            found
        };
        let evidence_lines = evidence
            .iter()
            .map(crate::observed::evidence_line)
            .collect();
        types.push(TypeCheck {
            label: play_data_type_label(&ty).unwrap_or("").to_string(),
            data_type: ty,
            verdict,
            declared: declared.map(summary),
            sdks: sdks.into_iter().collect(),
            shared: !third.is_empty(),
            mismatches,
            evidence,
            evidence_lines,
            left_out,
        });
    }
    types.sort_by(|a, b| (a.verdict, &a.data_type).cmp(&(b.verdict, &b.data_type)));
    let counts = LabelCounts::of(&types);
    LabelCheck {
        has_label: label.is_some(),
        label_collects: label.and_then(|f| f.collects_data),
        types,
        counts,
        switches: sw,
        dormant: dm,
        label_anomalies: label
            .map(|f| f.unknown.iter().map(|a| a.to_string()).collect())
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draft::draft;
    use crate::form::{parse, write_import};
    use trackscan_scan::report::{DataAccess, DataFlow, Evidence, Finding};

    fn report() -> Report {
        let mut af = Finding {
            id: "kochava".into(),
            name: "Kochava".into(),
            categories: vec!["Analytics".into()],
            evidence: vec![Evidence {
                kind: "class".into(),
                value: "com.kochava.base.Tracker".into(),
                location: "classes.dex".into(),
            }],
            ..Finding::default()
        };
        af.data_access.push(DataAccess {
            category: "advertising-id".into(),
            api: "com.google.android.gms.ads.identifier.AdvertisingIdClient.getAdvertisingIdInfo"
                .into(),
            caller: "com.kochava.base.A".into(),
            count: 2,
        });
        af.call_sites.push(trackscan_scan::report::CallSite {
            caller: "com.app.App".into(),
            callees: vec!["com.kochava.base.Tracker.configure".into()],
            count: 1,
        });
        let mut cr = Finding {
            id: "google-crashlytics".into(),
            name: "Crashlytics".into(),
            categories: vec!["Crash reporting".into()],
            ..Finding::default()
        };
        cr.data_from_app.push(DataFlow {
            kind: "email".into(),
            personal: true,
            via: "android.accounts.Account.name".into(),
            at: "com.app.Login.onDone".into(),
            sdk_method: "com.crashlytics.android.Crashlytics.setUserEmail".into(),
            ..DataFlow::default()
        });
        Report {
            trackers: vec![af, cr],
            ..Report::default()
        }
    }

    fn verdict(c: &LabelCheck, ty: &str) -> Option<Verdict> {
        c.types
            .iter()
            .find(|t| t.data_type == ty)
            .map(|t| t.verdict)
    }

    #[test]
    fn without_a_label_everything_found_is_undeclared() {
        let c = check(&report(), None, DataSafety::builtin());
        assert_eq!(verdict(&c, "PSL_DEVICE_ID"), Some(Verdict::Undeclared));
        assert_eq!(verdict(&c, "PSL_EMAIL"), Some(Verdict::Undeclared));
        assert_eq!(verdict(&c, "PSL_CRASH_LOGS"), Some(Verdict::Undeclared));
        assert!(c.undeclared() >= 3);
        // Undeclared first.
        assert_eq!(c.types[0].verdict, Verdict::Undeclared);
    }

    #[test]
    fn honest_label_omitted_id_and_unshared_declaration() {
        let r = report();
        let ds = DataSafety::builtin();
        let honest = draft(&r, &check(&r, None, ds));
        let text = write_import(&honest.form);
        let form = parse(&text).expect("the draft re-imports");
        let c = check(&r, Some(&form), ds);
        assert_eq!(c.undeclared(), 0, "{:#?}", c.types);
        assert!(
            c.types.iter().all(|t| t.mismatches.is_empty()),
            "{:#?}",
            c.types
        );
        assert!(c
            .types
            .iter()
            .all(|t| matches!(t.verdict, Verdict::Consistent | Verdict::Possible)));

        // The same label without the device ID.
        let mut no_id = form.clone();
        no_id.types.remove("PSL_DEVICE_ID");
        let c = check(&r, Some(&no_id), ds);
        assert_eq!(verdict(&c, "PSL_DEVICE_ID"), Some(Verdict::Undeclared));
        let t = c
            .types
            .iter()
            .find(|t| t.data_type == "PSL_DEVICE_ID")
            .unwrap();
        assert!(t.sdks.contains(&"kochava".to_string()));
        assert!(!t.evidence.is_empty());

        // Declared collected only, while Kochava (a third party) receives it.
        let mut unshared = form.clone();
        unshared.declare("PSL_DEVICE_ID").shared = false;
        let c = check(&r, Some(&unshared), ds);
        let t = c
            .types
            .iter()
            .find(|t| t.data_type == "PSL_DEVICE_ID")
            .unwrap();
        assert_eq!(t.verdict, Verdict::Consistent);
        assert!(t
            .mismatches
            .iter()
            .any(|m| matches!(m, Mismatch::SharedNotDeclared { .. })));

        // A declared type nothing shows: information.
        let mut extra = form;
        extra.declare("PSL_CONTACTS").collected = true;
        let c = check(&r, Some(&extra), ds);
        assert_eq!(verdict(&c, "PSL_CONTACTS"), Some(Verdict::DeclaredNotSeen));
    }

    #[test]
    fn switched_off_and_dormant_sdks_are_left_out() {
        let mut r = report();
        // Target 34 without the AD_ID permission: the advertising ID reads zeros.
        r.target_sdk = Some(34);
        let c = check(&r, None, DataSafety::builtin());
        let t = c.types.iter().find(|t| t.data_type == "PSL_DEVICE_ID");
        assert!(
            t.is_none_or(|t| t
                .evidence
                .iter()
                .all(|o| o.sdk != "kochava" || !matches!(o.source, Source::SdkReads { .. }))),
            "{t:#?}"
        );
        // Kochava nothing calls: dormant, all of it left out.
        let mut r = report();
        r.trackers[0].call_sites.clear();
        let c = check(&r, None, DataSafety::builtin());
        assert_eq!(c.dormant.len(), 1);
        assert!(c
            .types
            .iter()
            .all(|t| t.evidence.iter().all(|o| o.sdk != "kochava")));
    }
}
