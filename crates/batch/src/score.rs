//! The privacy scorecard and `--fail-on` policy checks.
//!
//! The weights are deliberately simple and public (see the crate documentation
//! and `docs/schema.md`): every deduction is one [`Reason`] so a reader can
//! recompute the value by hand.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
pub use trackscan_report::score::{Grade, Reason, Score};
use trackscan_report::ReadFacts;

use crate::util::{arr, obj, opt_bool, opt_str, str_of, strs, tracker_key};

/// Points per tracker, by its most severe category (case-insensitive).
pub const TRACKER_CATEGORY_POINTS: &[(&str, u32)] = &[
    ("advertisement", 15),
    ("advertising", 15),
    ("profiling", 12),
    ("identification", 12),
    ("location", 10),
    ("analytics", 8),
    ("mobile analytics", 8),
    ("crash reporting", 3),
];
/// Points for a tracker whose categories are none of the above.
pub const TRACKER_OTHER_POINTS: u32 = 4;

/// Points per distinct personal-data category an SDK's code reaches.
pub const DATA_ACCESS_POINTS: &[(&str, u32)] = &[
    ("location", 8),
    ("contacts", 8),
    ("sms", 8),
    ("call-log", 8),
    ("microphone", 8),
    ("camera", 6),
    ("phone-number", 6),
    ("device-id", 6),
    ("subscriber-id", 6),
    ("accounts", 5),
    ("calendar", 5),
    ("installed-apps", 5),
    ("advertising-id", 4),
    ("clipboard", 4),
    ("android-id", 3),
    ("wifi", 3),
    ("bluetooth", 3),
    ("carrier", 2),
    ("sensors", 2),
];
/// Points for a data-access category not in [`DATA_ACCESS_POINTS`].
pub const DATA_ACCESS_OTHER_POINTS: u32 = 3;
/// Points per tracker the app's own code hands personal data to (`data_from_app`).
pub const DATA_FROM_APP_POINTS: u32 = 6;
/// Most points for personal data handed to trackers, all trackers together.
pub const DATA_FROM_APP_CAP: u32 = 18;

/// Points per requested dangerous (or privacy-relevant) permission, by suffix
/// after `android.permission.`.
pub const PERMISSION_POINTS: &[(&str, u32)] = &[
    ("ACCESS_BACKGROUND_LOCATION", 8),
    ("ACCESS_FINE_LOCATION", 6),
    ("ACCESS_COARSE_LOCATION", 4),
    ("READ_CONTACTS", 5),
    ("WRITE_CONTACTS", 3),
    ("GET_ACCOUNTS", 3),
    ("READ_PHONE_STATE", 4),
    ("READ_PHONE_NUMBERS", 4),
    ("CALL_PHONE", 2),
    ("READ_CALL_LOG", 6),
    ("WRITE_CALL_LOG", 3),
    ("PROCESS_OUTGOING_CALLS", 4),
    ("READ_SMS", 6),
    ("RECEIVE_SMS", 4),
    ("SEND_SMS", 4),
    ("RECEIVE_MMS", 3),
    ("CAMERA", 4),
    ("RECORD_AUDIO", 6),
    ("READ_CALENDAR", 3),
    ("WRITE_CALENDAR", 2),
    ("BODY_SENSORS", 4),
    ("ACTIVITY_RECOGNITION", 2),
    ("QUERY_ALL_PACKAGES", 3),
    ("READ_EXTERNAL_STORAGE", 1),
    ("READ_MEDIA_IMAGES", 1),
    ("READ_MEDIA_VIDEO", 1),
    ("READ_MEDIA_AUDIO", 1),
];
/// Cap on the total points of permissions.
pub const PERMISSION_CAP: u32 = 30;

/// Transport weights: cleartext by default, per cleartext domain (cap),
/// user CAs trusted, per insecure trust manager / hostname verifier / WebView
/// SSL-error handler (each capped).
pub const CLEARTEXT_DEFAULT_POINTS: u32 = 8;
/// Points when the network security config permits cleartext to some domains.
pub const CLEARTEXT_DOMAINS_POINTS: u32 = 3;
/// Points when user-installed CAs are trusted.
pub const USER_CAS_POINTS: u32 = 3;
/// Points per insecure trust manager / hostname verifier / ignored WebView SSL error.
pub const INSECURE_TLS_POINTS: u32 = 6;
/// Cap per insecure-TLS family.
pub const INSECURE_TLS_CAP: u32 = 12;
/// Points when the app is debuggable.
pub const DEBUGGABLE_POINTS: u32 = 10;
/// Points when backups are allowed (explicitly or by default).
pub const ALLOW_BACKUP_POINTS: u32 = 3;
/// Points per pinned host that belongs to a tracker (pinning hides its traffic
/// from interception by the user).
pub const PINNED_TRACKER_POINTS: u32 = 4;
/// Cap on pinned tracker hosts.
pub const PINNED_TRACKER_CAP: u32 = 12;
/// Points per Play data type the app's Data safety label does not declare while trackscan
/// sees it going to a tracker SDK (verdict `undeclared`; only when a label was given).
pub const UNDECLARED_POINTS: u32 = 15;
/// Cap on the points of undeclared data types.
pub const UNDECLARED_CAP: u32 = 30;
/// Points per data type the label declares as only collected while third parties receive it
/// (mismatch `shared_not_declared`).
pub const SHARED_NOT_DECLARED_POINTS: u32 = 5;
/// Cap on the points of types declared unshared.
pub const SHARED_NOT_DECLARED_CAP: u32 = 10;

fn tracker_points(categories: &[&str]) -> (u32, String) {
    let mut best: Option<(u32, &str)> = None;
    for c in categories {
        let lc = c.to_ascii_lowercase();
        let p = TRACKER_CATEGORY_POINTS
            .iter()
            .find(|(k, _)| *k == lc)
            .map(|(_, p)| *p)
            .unwrap_or(TRACKER_OTHER_POINTS);
        if best.is_none_or(|(bp, _)| p > bp) {
            best = Some((p, c));
        }
    }
    match best {
        Some((p, c)) => (p, c.to_string()),
        None => (TRACKER_OTHER_POINTS, "uncategorised".to_string()),
    }
}

/// One SDK's reads of one data category: (caller class, API) pairs, sorted, deduplicated.
type SdkReads = BTreeSet<(String, String)>;

/// The `data_access` entries of `findings`, by category, then SDK display name.
fn data_reads(findings: &[Value]) -> BTreeMap<String, BTreeMap<String, SdkReads>> {
    let mut out: BTreeMap<String, BTreeMap<String, SdkReads>> = BTreeMap::new();
    for t in findings {
        let name = match opt_str(t, "name") {
            Some(n) if !n.is_empty() => n,
            _ => tracker_key(t),
        };
        for d in arr(t, "data_access") {
            let cat = str_of(d, "category");
            if cat.is_empty() {
                continue;
            }
            out.entry(cat.to_string())
                .or_default()
                .entry(name.to_string())
                .or_default()
                .insert((
                    str_of(d, "caller").to_string(),
                    str_of(d, "api").to_string(),
                ));
        }
    }
    out
}

/// `(A, B) — A: com.a.X → android.Api.m; B: com.b.Y → android.Api.n, 1 more API`: the SDKs
/// in parentheses (each by its exact name, comma-separated), then `note` (when not empty),
/// then per SDK its first read (caller class and API) and how many more there are. The
/// evidence part names each SDK without a parenthetical of its own ("Braze (formerly
/// Appboy)" → "Braze"), so the SDK list is the only text in parentheses.
fn read_blame(sdks: &BTreeMap<String, SdkReads>, note: &str) -> String {
    let names: Vec<&str> = sdks.keys().map(String::as_str).collect();
    let evidence: Vec<String> = sdks
        .iter()
        .map(|(name, reads)| {
            let short = name.split('(').next().unwrap_or(name).trim();
            let first = reads
                .iter()
                .next()
                .map(|(caller, api)| match (caller.is_empty(), api.is_empty()) {
                    (false, false) => format!("{caller} → {api}"),
                    (true, false) => api.clone(),
                    (false, true) => caller.clone(),
                    (true, true) => "no API recorded".to_string(),
                })
                .unwrap_or_default();
            let more = reads.len().saturating_sub(1);
            match more {
                0 => format!("{short}: {first}"),
                1 => format!("{short}: {first}, 1 more API"),
                n => format!("{short}: {first}, {n} more APIs"),
            }
        })
        .collect();
    if note.is_empty() {
        format!("({}) — {}", names.join(", "), evidence.join("; "))
    } else {
        format!("({}) — {note} — {}", names.join(", "), evidence.join("; "))
    }
}

/// The privacy scorecard of one per-app document. Deterministic; missing keys
/// count as empty. See the crate documentation for the weights.
pub fn score(doc: &Value) -> Score {
    let mut reasons: Vec<Reason> = Vec::new();
    // Trackers.
    let mut seen = BTreeSet::new();
    for t in arr(doc, "trackers") {
        let key = tracker_key(t);
        if !seen.insert(key.to_string()) {
            continue;
        }
        let cats: Vec<&str> = strs(t, "categories").collect();
        let (points, cat) = tracker_points(&cats);
        let name = opt_str(t, "name").unwrap_or(key);
        reasons.push(Reason {
            points,
            why: format!("tracker {name} ({cat})"),
        });
    }
    // Data access by SDK code. Only tracker SDKs' reads take points: a third party's code
    // reaching personal data. Reads by libraries (support libraries, Google Play services base,
    // any non-tracker SDK) are listed as information with 0 points (`docs/score.md`).
    let tracker_reads = data_reads(arr(doc, "trackers"));
    for (c, sdks) in &tracker_reads {
        let points = DATA_ACCESS_POINTS
            .iter()
            .find(|(k, _)| k == c)
            .map(|(_, p)| *p)
            .unwrap_or(DATA_ACCESS_OTHER_POINTS);
        reasons.push(Reason {
            points,
            why: format!("SDK code reads {c} data {}", read_blame(sdks, "")),
        });
    }
    for (c, sdks) in &data_reads(arr(doc, "libraries")) {
        reasons.push(Reason {
            points: 0,
            why: format!(
                "library code touches {c} data {}",
                read_blame(sdks, "information, 0 points (not a tracker)")
            ),
        });
    }
    // Personal data the app's own code hands to trackers.
    let mut sent = Vec::new();
    for t in arr(doc, "trackers") {
        let mut kinds: Vec<&str> = Vec::new();
        let mut at = "";
        for f in arr(t, "data_from_app") {
            if opt_bool(f, "personal") != Some(true) {
                continue;
            }
            let k = str_of(f, "kind");
            if !kinds.contains(&k) {
                kinds.push(k);
            }
            if at.is_empty() {
                at = str_of(f, "at");
            }
        }
        if kinds.is_empty() {
            continue;
        }
        kinds.sort_unstable();
        sent.push(Reason {
            points: DATA_FROM_APP_POINTS,
            why: format!(
                "the app sends {} to {} (from {at})",
                kinds.join(", "),
                str_of(t, "name")
            ),
        });
    }
    cap_into(
        &mut reasons,
        sent,
        DATA_FROM_APP_CAP,
        "personal data sent to trackers",
    );
    // Permissions.
    let mut perm_reasons = Vec::new();
    let mut perms: BTreeSet<&str> = BTreeSet::new();
    for p in strs(doc, "permissions") {
        perms.insert(p);
    }
    for p in perms {
        let short = p.strip_prefix("android.permission.").unwrap_or(p);
        if short.len() == p.len() {
            continue;
        }
        if let Some((_, pts)) = PERMISSION_POINTS.iter().find(|(k, _)| *k == short) {
            perm_reasons.push(Reason {
                points: *pts,
                why: format!("permission {short}"),
            });
        }
    }
    cap_into(&mut reasons, perm_reasons, PERMISSION_CAP, "permissions");
    // Transport.
    let tr = obj(doc, "transport");
    if opt_bool(tr, "cleartext_default") == Some(true) {
        reasons.push(Reason {
            points: CLEARTEXT_DEFAULT_POINTS,
            why: "cleartext HTTP allowed by default".into(),
        });
    }
    let ct = arr(tr, "cleartext_domains");
    if !ct.is_empty() {
        reasons.push(Reason {
            points: CLEARTEXT_DOMAINS_POINTS,
            why: format!("cleartext HTTP allowed to {} domain(s)", ct.len()),
        });
    }
    if opt_bool(tr, "user_cas_trusted") == Some(true) {
        reasons.push(Reason {
            points: USER_CAS_POINTS,
            why: "user-installed CAs trusted".into(),
        });
    }
    for (key, what) in [
        (
            "insecure_trust_managers",
            "trust manager accepting any certificate",
        ),
        (
            "insecure_hostname_verifiers",
            "hostname verifier accepting any host",
        ),
        ("webview_ssl_errors_ignored", "WebView ignoring SSL errors"),
    ] {
        let items: Vec<Reason> = strs(tr, key)
            .map(|s| Reason {
                points: INSECURE_TLS_POINTS,
                why: format!("{what}: {s}"),
            })
            .collect();
        cap_into(&mut reasons, items, INSECURE_TLS_CAP, what);
    }
    // Application flags.
    // Only when the manifest was parsed (a package name): an unreadable app's
    // empty `application` says nothing about its flags.
    let parsed = opt_str(doc, "package").is_some_and(|p| !p.is_empty());
    if let Some(app) = doc.get("application").filter(|a| a.is_object() && parsed) {
        if opt_bool(app, "debuggable") == Some(true) {
            reasons.push(Reason {
                points: DEBUGGABLE_POINTS,
                why: "application is debuggable".into(),
            });
        }
        match opt_bool(app, "allow_backup") {
            Some(true) => reasons.push(Reason {
                points: ALLOW_BACKUP_POINTS,
                why: "allowBackup=true (app data can be extracted)".into(),
            }),
            None => reasons.push(Reason {
                points: ALLOW_BACKUP_POINTS,
                why: "allowBackup not set (defaults to true)".into(),
            }),
            Some(false) => {}
        }
    }
    // Pinned tracker hosts.
    let pinned: Vec<Reason> = arr(doc, "pinning")
        .iter()
        .filter_map(|p| {
            let t = opt_str(p, "tracker")?;
            Some(Reason {
                points: PINNED_TRACKER_POINTS,
                why: format!(
                    "tracker host {} is pinned ({t}): its traffic cannot be inspected",
                    str_of(p, "host")
                ),
            })
        })
        .collect();
    cap_into(
        &mut reasons,
        pinned,
        PINNED_TRACKER_CAP,
        "pinned tracker hosts",
    );
    label_reasons(&mut reasons, doc);

    reasons.sort_by(|a, b| b.points.cmp(&a.points).then_with(|| a.why.cmp(&b.why)));
    let total: u32 = reasons
        .iter()
        .fold(0u32, |acc, r| acc.saturating_add(r.points));
    let value = 100u32.saturating_sub(total);
    let value = u8::try_from(value).unwrap_or(100);
    Score {
        value,
        grade: Grade::of(value),
        reasons,
    }
}

/// The reasons from the document's Data safety label check ([`crate::label_view`]): each type
/// the label does not declare while trackscan sees it going to a tracker SDK, and each type
/// declared as not shared while third parties receive it. Nothing without a label
/// (`has_label` false: a check without a label lists what a label must declare, which is not
/// a finding against the app).
fn label_reasons(reasons: &mut Vec<Reason>, doc: &Value) {
    let Some(check) = crate::label_view::label_view(doc).filter(|c| c.has_label) else {
        return;
    };
    let mut undeclared = Vec::new();
    let mut unshared = Vec::new();
    for t in &check.types {
        if t.verdict == crate::label_view::Verdict::Undeclared {
            let to = if t.sdks.is_empty() {
                String::new()
            } else {
                format!(", which goes to {}", t.sdk_names())
            };
            undeclared.push(Reason {
                points: UNDECLARED_POINTS,
                why: format!("the Data safety label does not declare {}{to}", t.title()),
            });
        }
        for m in &t.mismatches {
            if let crate::label_view::Mismatch::SharedNotDeclared { sdks } = m {
                unshared.push(Reason {
                    points: SHARED_NOT_DECLARED_POINTS,
                    why: format!(
                        "the Data safety label says {} is not shared, but third parties receive it ({})",
                        t.title(),
                        t.names_of(sdks)
                    ),
                });
            }
        }
    }
    cap_into(
        reasons,
        undeclared,
        UNDECLARED_CAP,
        "data types the Data safety label does not declare",
    );
    cap_into(
        reasons,
        unshared,
        SHARED_NOT_DECLARED_CAP,
        "data types the Data safety label declares as not shared",
    );
}

/// Appends `items`, then a negative correction if their total exceeds `cap`.
fn cap_into(reasons: &mut Vec<Reason>, items: Vec<Reason>, cap: u32, what: &str) {
    let total: u32 = items.iter().fold(0u32, |a, r| a.saturating_add(r.points));
    if total > cap {
        // One combined reason keeps the arithmetic visible.
        let names: Vec<String> = items.into_iter().map(|r| r.why).collect();
        reasons.push(Reason {
            points: cap,
            why: format!(
                "{what} (capped at {cap}, {total} uncapped): {}",
                names.join("; ")
            ),
        });
    } else {
        reasons.extend(items);
    }
}

/// The letter for a score value.
pub fn grade(value: u8) -> &'static str {
    Grade::of(value).as_str()
}

fn norm_category(c: &str) -> String {
    let lc = c.trim().to_ascii_lowercase();
    match lc.as_str() {
        "advertising" | "ads" | "ad" => "advertisement".to_string(),
        "mobile analytics" => "analytics".to_string(),
        _ => lc,
    }
}

/// Policy violations of a document: `fail_on` holds `(key, value)` pairs with key
/// `category` (a tracker category, case-insensitive; `advertising` =
/// `advertisement`), `id`/`tracker` (a tracker id or name) or `confidence`
/// (`high`/`medium`/`low`). One message per (tracker, matching rule); empty = pass.
pub fn policy_hits(doc: &Value, fail_on: &[(String, String)]) -> Vec<String> {
    let mut hits = Vec::new();
    for t in arr(doc, "trackers") {
        let id = tracker_key(t);
        let name = opt_str(t, "name").unwrap_or(id);
        for (k, v) in fail_on {
            let hit = match k.to_ascii_lowercase().as_str() {
                "category" => {
                    let want = norm_category(v);
                    strs(t, "categories")
                        .find(|c| norm_category(c) == want)
                        .map(|c| format!("tracker {name} ({id}) is in category {c}"))
                }
                "id" | "tracker" => (id.eq_ignore_ascii_case(v.trim())
                    || name.eq_ignore_ascii_case(v.trim()))
                .then(|| format!("tracker {name} ({id}) is forbidden")),
                "confidence" => {
                    let c = str_of(t, "confidence");
                    c.eq_ignore_ascii_case(v.trim())
                        .then(|| format!("tracker {name} ({id}) detected with {c} confidence"))
                }
                _ => None,
            };
            if let Some(h) = hit {
                if !hits.contains(&h) {
                    hits.push(h);
                }
            }
        }
    }
    hits
}

/// Whether a per-app document describes an app that **could not be read**, so that it gets no
/// score and no grade anywhere (`"score": null`, empty CSV cells, Parquet nulls, "not graded").
///
/// The definition (also `trackscan_scan::Report::is_fatal`, and in `docs/schema.md`): the
/// document has at least one entry in `errors` **and**
/// - no manifest was read: `package` is null or empty, unless the input is a bare DEX file
///   (`kind` `"dex"`, which has no manifest by nature), **or**
/// - no code was read: `dex.files` is 0 (or missing).
///
/// Batch error rows (a panic, a timeout, an unreadable input) have errors, no package and no DEX,
/// so they are unreadable too. An app with errors whose manifest *and* code were read (e.g. one
/// DEX over `max-dex-size` among several) keeps its score; an app with no errors is always graded,
/// even without code (`hasCode="false"`).
pub fn unreadable(doc: &Value) -> bool {
    ReadFacts::of_row(doc).unreadable()
}

/// The score of a row as every output shows it: `None` ("not graded") when the document says
/// `"score": null` or is [`unreadable`]; the stored `score.value`/`score.grade` when present;
/// otherwise computed with [`score`] (rows of older versions without a `score` key).
pub fn row_score(doc: &Value) -> Option<(u8, &'static str)> {
    if unreadable(doc) {
        return None;
    }
    match doc.get("score") {
        Some(Value::Null) => None,
        Some(s) if s.get("value").and_then(Value::as_u64).is_some() => {
            let v = s.get("value").and_then(Value::as_u64).unwrap_or(0);
            let v = u8::try_from(v.min(100)).unwrap_or(100);
            Some((v, grade(v)))
        }
        _ => {
            let s = score(doc);
            Some((s.value, s.grade.as_str()))
        }
    }
}

/// The scorecard of a document, or `None` when it is not graded (see [`unreadable`]).
pub fn scorecard(doc: &Value) -> Option<Score> {
    (!unreadable(doc)).then(|| score(doc))
}

/// Puts the `score` key into a per-app document: the scorecard, or `null` when `fatal` or the
/// document is [`unreadable`] (a grade would claim what was not checked). The CLI, the batch
/// runner's callers and the Python wheel all use this, so their documents agree.
pub fn attach_score(doc: &mut Value, fatal: bool) {
    let s = document_score(doc, fatal);
    if let Some(obj) = doc.as_object_mut() {
        obj.insert(
            "score".into(),
            serde_json::to_value(s).unwrap_or(Value::Null),
        );
    }
}

/// The typed `score` of a per-app document: its [`scorecard`], or `None` when `fatal` or the
/// document is [`unreadable`]. What [`attach_score`] writes.
pub fn document_score(doc: &Value, fatal: bool) -> Option<Score> {
    scorecard(doc).filter(|_| !fatal)
}

/// The JSON document of one report (`trackscan scan --format json`, a batch row, the Python
/// wheel's `scan`): the report serialized, with its `score` attached ([`attach_score`]).
/// `file` names the input in the document that stands in when the report cannot be
/// serialized.
pub fn document<R: serde::Serialize>(report: &R, file: &str, fatal: bool) -> Value {
    let mut doc = serde_json::to_value(report)
        .unwrap_or_else(|e| serde_json::json!({"file": file, "errors": [format!("report: {e}")]}));
    attach_score(&mut doc, fatal);
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "permissions": ["android.permission.ACCESS_FINE_LOCATION", "android.permission.INTERNET", "android.permission.CAMERA"],
            "trackers": [
                {"id": "admob", "name": "Google AdMob", "categories": ["Advertisement"], "confidence": "high",
                 "data_access": [{"category": "advertising-id", "api": "x", "caller": "y"}]},
                {"id": "crashlytics", "name": "Crashlytics", "categories": ["Crash reporting"], "confidence": "medium"}
            ],
            "package": "com.ex",
            "application": {"debuggable": true, "allow_backup": false},
            "transport": {"cleartext_default": true, "insecure_trust_managers": ["La/B;"]},
            "pinning": [{"host": "ads.example", "tracker": "admob", "pins": []}]
        })
    }

    #[test]
    fn score_is_transparent_and_sorted() {
        let s = score(&doc());
        let total: u32 = s.reasons.iter().map(|r| r.points).sum();
        // 15 admob + 3 crash + 4 ad-id + 6 fine loc + 4 camera + 8 cleartext + 6 tm + 10 debuggable + 4 pinned.
        assert_eq!(total, 60);
        assert_eq!(s.value, 40);
        assert_eq!(s.grade, Grade::D);
        assert!(s.reasons.windows(2).all(|w| w[0].points >= w[1].points));
        assert_eq!(s.reasons[0].why, "tracker Google AdMob (Advertisement)");
        assert_eq!(score(&doc()), s, "deterministic");
        let j = serde_json::to_value(&s).unwrap();
        assert_eq!(j["grade"], "D");
        assert_eq!(j["value"], 40);
        assert_eq!(j["reasons"].as_array().map(Vec::len), Some(s.reasons.len()));
    }

    #[test]
    fn only_tracker_reads_take_points_and_each_names_its_evidence() {
        let d = json!({
            "trackers": [
                {"id": "appsflyer", "name": "AppsFlyer", "categories": ["Analytics"],
                 "data_access": [
                    {"category": "location", "api": "android.location.LocationManager.getLastKnownLocation",
                     "caller": "com.appsflyer.internal.AFa1x", "count": 2},
                    {"category": "location", "api": "android.location.LocationManager.requestLocationUpdates",
                     "caller": "com.appsflyer.internal.AFa1x", "count": 1},
                    {"category": "carrier", "api": "android.telephony.TelephonyManager.getSimOperatorName",
                     "caller": "com.appsflyer.internal.AFb1y", "count": 1}]},
                {"id": "braze-formerly-appboy", "name": "Braze (formerly Appboy)", "categories": ["Analytics"],
                 "data_access": [
                    {"category": "location", "api": "com.google.android.gms.location.FusedLocationProviderClient.getLastLocation",
                     "caller": "com.appboy.location.X", "count": 1}]}
            ],
            "libraries": [
                {"id": "android-support-v7", "name": "Android Support v7",
                 "data_access": [
                    {"category": "location", "api": "android.location.LocationManager.getLastKnownLocation",
                     "caller": "android.support.v7.app.TwilightManager", "count": 1}]},
                {"id": "android-support-v13", "name": "Android Support v13",
                 "data_access": [
                    {"category": "contacts", "api": "android.provider.ContactsContract$Contacts.getLookupUri",
                     "caller": "android.support.v13.Y", "count": 1}]}
            ]
        });
        let s = score(&d);
        let why: Vec<(u32, &str)> = s
            .reasons
            .iter()
            .map(|r| (r.points, r.why.as_str()))
            .collect();
        assert!(
            why.contains(&(
                8,
                "SDK code reads location data (AppsFlyer, Braze (formerly Appboy)) — AppsFlyer: \
             com.appsflyer.internal.AFa1x → android.location.LocationManager.getLastKnownLocation, \
             1 more API; Braze: com.appboy.location.X → \
             com.google.android.gms.location.FusedLocationProviderClient.getLastLocation"
            )),
            "{why:#?}"
        );
        assert!(why.contains(&(
            2,
            "SDK code reads carrier data (AppsFlyer) — AppsFlyer: com.appsflyer.internal.AFb1y → \
             android.telephony.TelephonyManager.getSimOperatorName"
        )), "{why:#?}");
        assert!(
            why.contains(&(
                0,
                "library code touches location data (Android Support v7) — information, 0 points \
             (not a tracker) — Android Support v7: android.support.v7.app.TwilightManager → \
             android.location.LocationManager.getLastKnownLocation"
            )),
            "{why:#?}"
        );
        // A category only libraries reach costs nothing.
        assert!(why.iter().any(|(p, w)| *p == 0
            && w.starts_with("library code touches contacts data (Android Support v13)")));
        assert!(!why.iter().any(|(p, w)| *p > 0 && w.contains("contacts")));
        assert_eq!(s.value, 100 - 8 - 8 - 8 - 2);
        // Information comes last, and no 0-point reason says "reads".
        assert_eq!(s.reasons.last().map(|r| r.points), Some(0));
        assert!(s
            .reasons
            .iter()
            .all(|r| r.points > 0 || !r.why.contains("reads")));
        // The acceptance rule: the names in the parentheses of a paying "reads" reason are
        // tracker names (first "(" to last ")", comma-separated).
        let trackers = ["AppsFlyer", "Braze (formerly Appboy)"];
        for r in s
            .reasons
            .iter()
            .filter(|r| r.points > 0 && r.why.contains("reads"))
        {
            let (a, b) = (r.why.find('(').unwrap_or(0), r.why.rfind(')').unwrap_or(0));
            let inside = r.why.get(a + 1..b).unwrap_or("");
            assert!(
                inside
                    .split(',')
                    .map(str::trim)
                    .all(|n| trackers.contains(&n)),
                "{}",
                r.why
            );
        }
    }

    #[test]
    fn empty_and_missing_keys_score_100() {
        let s = score(&json!({}));
        assert_eq!((s.value, s.grade), (100, Grade::A));
        assert!(s.reasons.is_empty());
        let s = score(&json!({"trackers": "garbage", "permissions": [1, 2]}));
        assert_eq!(s.value, 100);
    }

    #[test]
    fn caps_and_floor() {
        let perms: Vec<String> = PERMISSION_POINTS
            .iter()
            .map(|(p, _)| format!("android.permission.{p}"))
            .collect();
        let trackers: Vec<Value> = (0..20)
            .map(|i| json!({"id": format!("t{i}"), "name": format!("T{i}"), "categories": ["Advertisement"]}))
            .collect();
        let s = score(&json!({"permissions": perms, "trackers": trackers}));
        assert_eq!(s.value, 0);
        assert_eq!(s.grade, Grade::F);
        let perm = s
            .reasons
            .iter()
            .find(|r| r.why.starts_with("permissions (capped"));
        assert_eq!(perm.map(|r| r.points), Some(PERMISSION_CAP));
    }

    #[test]
    fn allow_backup_default_only_for_parsed_manifests() {
        let app = json!({"debuggable": null, "allow_backup": null});
        let s = score(&json!({"package": "com.ex", "application": app}));
        assert_eq!(s.value, 100 - ALLOW_BACKUP_POINTS as u8);
        assert!(s.reasons[0].why.contains("defaults to true"));
        let s = score(&json!({"package": null, "application": app, "errors": ["bad zip"]}));
        assert_eq!(s.value, 100);
    }

    #[test]
    fn unreadable_definition() {
        let dex = json!({"files": 2});
        // No manifest (ag_multidex_tiny.apk): code read, but not graded.
        let d = json!({"kind": "apk", "package": null, "dex": dex, "errors": ["AndroidManifest.xml: missing"]});
        assert!(unreadable(&d));
        assert_eq!(row_score(&d), None);
        let mut d2 = d.clone();
        attach_score(&mut d2, false);
        assert!(d2["score"].is_null());
        // A stored score never overrides the facts.
        let d3 = json!({"package": null, "errors": ["x"], "score": {"value": 100, "grade": "A"}});
        assert_eq!(row_score(&d3), None);
        // No code read.
        assert!(unreadable(
            &json!({"package": "com.ex", "dex": {"files": 0}, "errors": ["classes.dex: skipped"]})
        ));
        // A bare DEX has no manifest by nature.
        assert!(!unreadable(
            &json!({"kind": "dex", "dex": dex, "errors": ["odd"]})
        ));
        // Errors, but manifest and code read: graded.
        assert!(!unreadable(
            &json!({"package": "com.ex", "dex": dex, "errors": ["classes3.dex: over max-dex-size"]})
        ));
        // No errors: graded, even without code.
        assert!(!unreadable(&json!({"package": "com.ex"})));
        assert_eq!(
            row_score(&json!({"package": "com.ex", "application": {"allow_backup": false}})),
            Some((100, "A"))
        );
        assert_eq!(
            row_score(&json!({"score": {"value": 87, "grade": "B"}})),
            Some((87, "B"))
        );
        assert_eq!(row_score(&json!({"score": null})), None);
    }

    /// A document whose label check finds three undeclared types (one over the cap) and one
    /// type declared unshared while a third party receives it.
    fn labelled(has_label: bool) -> Value {
        let ty = |id: &str, label: &str, verdict: &str, sdk: &str, name: &str| {
            json!({"data_type": id, "label": label, "verdict": verdict, "sdks": [sdk],
                   "shared": false, "mismatches": [],
                   "evidence": [{"sdk": sdk, "sdk_name": name}],
                   "evidence_lines": [format!("{name} code reads it")]})
        };
        let mut consistent = ty(
            "PSL_DEVICE_ID",
            "Device or other IDs / Device or other IDs",
            "consistent",
            "kochava",
            "Kochava",
        );
        consistent["declared"] = json!({"collected": true, "shared": false, "line": 9});
        consistent["shared"] = json!(true);
        consistent["mismatches"] = json!([
            {"mismatch": "shared_not_declared", "sdks": ["kochava"]},
            {"mismatch": "purpose_not_declared", "purpose": "PSL_ADVERTISING", "sdks": ["kochava"]}]);
        json!({"package": "com.ex", "application": {"allow_backup": false},
               "data_safety_file": "labels/com.ex.csv",
               "data_safety": {"has_label": has_label,
                         "counts": {"undeclared": 3, "consistent": 1, "declared_not_seen": 0, "possible": 0},
                         "types": [
                            ty("PSL_EMAIL", "Personal info / Email address", "undeclared",
                               "google-crashlytics", "Google CrashLytics"),
                            ty("PSL_CRASH_LOGS", "App info and performance / Crash logs", "undeclared",
                               "google-crashlytics", "Google CrashLytics"),
                            ty("PSL_APPROX_LOCATION", "Location / Approximate location", "undeclared",
                               "appsflyer", "AppsFlyer"),
                            consistent,
                            ty("PSL_CONTACTS", "Personal info / Contacts", "declared_not_seen", "x", "X")]}})
    }

    #[test]
    fn undeclared_data_types_are_the_heaviest_reasons() {
        // One undeclared type: 15 points, naming the type and the SDK by its display name.
        let mut d = labelled(true);
        let types = d["data_safety"]["types"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        d["data_safety"]["types"] = json!([types[0].clone()]);
        let s = score(&d);
        assert_eq!(s.value, 100 - UNDECLARED_POINTS as u8);
        assert_eq!(
            s.reasons,
            [Reason {
                points: UNDECLARED_POINTS,
                why: "the Data safety label does not declare PSL_EMAIL (Personal info / Email \
                      address), which goes to Google CrashLytics"
                    .into()
            }]
        );

        // Three undeclared (capped at 30) and one type declared unshared (5).
        let s = score(&labelled(true));
        assert_eq!(s.value, 100 - 30 - 5);
        assert_eq!(s.reasons[0].points, UNDECLARED_CAP);
        assert!(s.reasons[0].why.starts_with(
            "data types the Data safety label does not declare (capped at 30, 45 uncapped): "
        ));
        assert!(s.reasons[0].why.contains(
            "PSL_APPROX_LOCATION (Location / Approximate location), which goes to AppsFlyer"
        ));
        assert_eq!(
            s.reasons[1],
            Reason {
                points: SHARED_NOT_DECLARED_POINTS,
                why: "the Data safety label says PSL_DEVICE_ID (Device or other IDs / Device or \
                      other IDs) is not shared, but third parties receive it (Kochava)"
                    .into()
            }
        );
        // Undeclared outweighs every other kind of reason.
        assert!(
            UNDECLARED_POINTS
                >= TRACKER_CATEGORY_POINTS
                    .iter()
                    .map(|(_, p)| *p)
                    .max()
                    .unwrap_or(0)
        );
        assert!(s.reasons.iter().all(|r| !r.why.contains("reads")));

        // Without a label (the check lists what a label must declare), or with no check at all:
        // the score is what it was.
        let base = score(&json!({"package": "com.ex", "application": {"allow_backup": false}}));
        assert_eq!(score(&labelled(false)), base);
        let mut d = labelled(true);
        d["data_safety"] = json!("not a check");
        assert_eq!(score(&d), base);
    }

    #[test]
    fn grades() {
        assert_eq!(grade(100), "A");
        assert_eq!(grade(90), "A");
        assert_eq!(grade(89), "B");
        assert_eq!(grade(60), "C");
        assert_eq!(grade(59), "D");
        assert_eq!(grade(20), "E");
        assert_eq!(grade(19), "F");
    }

    #[test]
    fn policy() {
        let d = doc();
        let p = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        assert_eq!(policy_hits(&d, &p("category", "advertising")).len(), 1);
        assert_eq!(policy_hits(&d, &p("category", "ADVERTISEMENT")).len(), 1);
        assert_eq!(policy_hits(&d, &p("category", "Location")).len(), 0);
        assert_eq!(policy_hits(&d, &p("id", "crashlytics")).len(), 1);
        assert_eq!(policy_hits(&d, &p("tracker", "google admob")).len(), 1);
        assert_eq!(policy_hits(&d, &p("confidence", "medium")).len(), 1);
        assert!(policy_hits(&json!({}), &p("category", "analytics")).is_empty());
        assert!(policy_hits(&d, &[]).is_empty());
    }
}
