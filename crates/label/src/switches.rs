//! What the app turns off, and SDKs that sit unused: the vendor-documented manifest switches
//! of `signatures/data_safety.toml` read from the app's `<meta-data>`, Play's advertising-ID
//! permission rule, run-time switches the app's code calls, and dormant SDKs (code present,
//! never called, never started by the manifest).

use trackscan_scan::report::{Finding, Report};
use trackscan_signatures::{DataSafety, SwitchKind};

/// Play's rule for the advertising ID: apps that target Android 13 (API 33) or later must
/// declare this permission, or reading the ID gives a string of zeros.
pub const AD_ID_PERMISSION: &str = "com.google.android.gms.permission.AD_ID";
/// The Play Console help page stating [`AD_ID_PERMISSION`]'s rule.
pub const AD_ID_DOC: &str =
    "https://support.google.com/googleplay/android-developer/answer/6048248";
/// The first target SDK level the advertising-ID permission rule applies to.
pub const AD_ID_TARGET_SDK: u32 = 33;

pub use trackscan_report::label::{Dormant, SwitchState, Switched};

/// Whether a manifest value says `want` (`"false"` also matches `false`, `0`, any case).
fn value_is(v: &str, want: &str) -> bool {
    let v = v.trim();
    let norm = |s: &str| match s.to_ascii_lowercase().as_str() {
        "0" | "false" | "no" => "false".to_string(),
        "1" | "true" | "yes" => "true".to_string(),
        other => other.to_string(),
    };
    norm(v) == norm(want)
}

/// The switches the app sets: manifest switches whose value turns collection off, the
/// advertising-ID permission rule, and run-time switches the app's code calls. Only for
/// trackers the report found.
pub fn switches(report: &Report, disclosures: &DataSafety) -> Vec<Switched> {
    let mut out = Vec::new();
    for d in &disclosures.sdks {
        let present: Vec<&Finding> = report
            .trackers
            .iter()
            .filter(|t| d.trackers.contains(&t.id))
            .collect();
        if present.is_empty() {
            continue;
        }
        for s in &d.switches {
            let hit = match s.kind {
                SwitchKind::Manifest => report
                    .meta_data
                    .iter()
                    .find(|m| m.name == s.name)
                    .and_then(|m| m.value.as_deref())
                    .filter(|v| value_is(v, &s.off))
                    .map(|v| (v.to_string(), SwitchState::Off)),
                SwitchKind::Api => {
                    // `Class.method`: called from outside the SDK by the app.
                    let called = present.iter().any(|t| {
                        t.call_sites.iter().any(|c| {
                            c.callees.iter().any(|callee| {
                                callee.ends_with(&format!(".{}", s.name)) || *callee == s.name
                            })
                        })
                    });
                    called.then(|| ("called".to_string(), SwitchState::RuntimeCall))
                }
            };
            if let Some((value, state)) = hit {
                for t in &present {
                    out.push(Switched {
                        sdk: t.id.clone(),
                        name: s.name.clone(),
                        value: value.clone(),
                        affects: s.affects.clone(),
                        state,
                        doc: s.doc.clone(),
                    });
                }
            }
        }
    }
    // Play: without the AD_ID permission an app targeting API 33+ reads zeros.
    let targets_33 = report.target_sdk.is_some_and(|t| t >= AD_ID_TARGET_SDK);
    if targets_33 && !report.permissions.iter().any(|p| p == AD_ID_PERMISSION) {
        for t in &report.trackers {
            if t.data_access.iter().any(|a| is_advertising_id(&a.category)) {
                out.push(Switched {
                    sdk: t.id.clone(),
                    name: AD_ID_PERMISSION.to_string(),
                    value: "absent".to_string(),
                    affects: vec!["PSL_DEVICE_ID (advertising ID)".to_string()],
                    state: SwitchState::Off,
                    doc: AD_ID_DOC.to_string(),
                });
            }
        }
    }
    out.sort_by(|a, b| (&a.sdk, &a.name).cmp(&(&b.sdk, &b.name)));
    out.dedup();
    out
}

/// The first two components of a dotted name (`io.branch` of `io.branch.referral.X`).
fn root2(name: &str) -> &str {
    let mut dots = name.match_indices('.').map(|(i, _)| i);
    let _ = dots.next();
    match dots.next() {
        Some(i) => &name[..i],
        None => name.trim_end_matches('.'),
    }
}

/// Whether a `data_access` category is the advertising ID.
pub fn is_advertising_id(category: &str) -> bool {
    matches!(category, "advertising-id" | "advertising_id")
}

/// Tracker SDKs that nothing runs: found by their own class names, no code outside the SDK
/// calls into it or hands it data, the app is not under the SDK's own package (a vendor's
/// demo), and the manifest declares none of its components (a provider, service or
/// receiver the system starts). Structure-only findings are never dormant: their call sites
/// cannot be told from the app's.
pub fn dormant(report: &Report) -> Vec<Dormant> {
    let mut out = Vec::new();
    for t in &report.trackers {
        let by_name = t.evidence.iter().any(|e| e.kind == "class");
        if !by_name || !t.call_sites.is_empty() || !t.data_from_app.is_empty() {
            continue;
        }
        // The packages its classes were found under (`com.appsflyer.` of `com.appsflyer.X`).
        let prefixes: Vec<&str> = t
            .evidence
            .iter()
            .filter(|e| e.kind == "class")
            .filter_map(|e| e.value.rfind('.').map(|i| &e.value[..=i]))
            .collect();
        let started = report.components.iter().any(|c| {
            prefixes
                .iter()
                .any(|p| !p.is_empty() && c.name.starts_with(p))
                || t.evidence
                    .iter()
                    .any(|e| e.kind == "manifest" && e.value == c.name)
        });
        // An app under the SDK's own package (the vendor's demo) calls it from "inside".
        let own = report
            .package
            .as_deref()
            .is_some_and(|p| prefixes.iter().any(|x| root2(x) == root2(p)));
        if started || own {
            continue;
        }
        out.push(Dormant {
            sdk: t.id.clone(),
            why: "no code outside the SDK calls it and the manifest starts none of its components"
                .to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackscan_scan::report::{CallSite, Component, DataAccess, Evidence, MetaData};

    fn tracker(id: &str) -> Finding {
        Finding {
            id: id.to_string(),
            name: id.to_string(),
            evidence: vec![Evidence {
                kind: "class".into(),
                value: "com.x.Sdk".into(),
                location: "classes.dex".into(),
            }],
            ..Finding::default()
        }
    }

    #[test]
    fn manifest_switch_off_only_with_the_off_value() {
        let ds = DataSafety::builtin();
        let mut r = Report {
            trackers: vec![tracker("google-firebase-analytics")],
            ..Report::default()
        };
        r.meta_data.push(MetaData {
            name: "firebase_analytics_collection_deactivated".into(),
            value: Some("true".into()),
            resource: None,
        });
        let s = switches(&r, ds);
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(s[0].state, SwitchState::Off);
        assert!(s[0].affects.iter().any(|a| a == "PSL_DEVICE_ID"));
        r.meta_data[0].value = Some("false".into());
        assert!(switches(&r, ds).is_empty());
        // The switch of an SDK the app does not have says nothing.
        r.meta_data[0].value = Some("true".into());
        r.trackers = vec![tracker("appsflyer")];
        assert!(switches(&r, ds).is_empty());
    }

    #[test]
    fn ad_id_rule_needs_target_33_and_no_permission() {
        let ds = DataSafety::builtin();
        let mut t = tracker("appsflyer");
        t.data_access.push(DataAccess {
            category: "advertising-id".into(),
            api: "com.google.android.gms.ads.identifier.AdvertisingIdClient.getAdvertisingIdInfo"
                .into(),
            caller: "com.appsflyer.X".into(),
            count: 1,
        });
        let mut r = Report {
            trackers: vec![t],
            target_sdk: Some(34),
            ..Report::default()
        };
        assert_eq!(switches(&r, ds).len(), 1);
        r.permissions.push(AD_ID_PERMISSION.into());
        assert!(switches(&r, ds).is_empty());
        r.permissions.clear();
        r.target_sdk = Some(32);
        assert!(switches(&r, ds).is_empty());
    }

    #[test]
    fn runtime_switch_is_noted_not_applied() {
        let ds = DataSafety::builtin();
        let mut t = tracker("google-firebase-analytics");
        t.call_sites.push(CallSite {
            caller: "com.app.Consent".into(),
            callees: vec![
                "com.google.firebase.analytics.FirebaseAnalytics.setAnalyticsCollectionEnabled"
                    .into(),
            ],
            count: 1,
        });
        let r = Report {
            trackers: vec![t],
            ..Report::default()
        };
        let s = switches(&r, ds);
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(s[0].state, SwitchState::RuntimeCall);
    }

    #[test]
    fn dormant_needs_no_calls_and_no_component() {
        let mut r = Report {
            trackers: vec![tracker("appsflyer")],
            ..Report::default()
        };
        assert_eq!(dormant(&r).len(), 1);
        r.components.push(Component {
            kind: "receiver".into(),
            name: "com.x.Sdk".into(),
            ..Component::default()
        });
        r.trackers[0].evidence.push(Evidence {
            kind: "manifest".into(),
            value: "com.x.Sdk".into(),
            location: "AndroidManifest.xml".into(),
        });
        assert!(dormant(&r).is_empty(), "a receiver the system starts");
        r.components.clear();
        r.trackers[0].call_sites.push(CallSite {
            caller: "com.app.Main".into(),
            callees: vec!["com.x.Sdk.start".into()],
            count: 1,
        });
        assert!(dormant(&r).is_empty(), "the app calls it");
        r.trackers[0].call_sites.clear();
        r.package = Some("com.x.demo".into());
        assert!(dormant(&r).is_empty(), "the vendor's own demo app");
        r.package = Some("org.app".into());
        assert_eq!(dormant(&r).len(), 1);
        // Found by structure only: never dormant.
        let mut s = tracker("appsflyer");
        s.evidence.clear();
        r.trackers = vec![s];
        assert!(dormant(&r).is_empty());
    }
}
