//! What trackscan observes, as Play data types, each with its evidence.
//!
//! [`observe`] turns what a report says about the app's **tracker** SDKs into Play Data safety
//! data types (the `PSL_…` ids of the Play Console CSV export,
//! [`trackscan_signatures::PLAY_DATA_TYPES`]):
//!
//! - the personal-data APIs a tracker's own code calls (`Finding::data_access`), mapped by
//!   [`map_category`];
//! - what the app's own code hands to a tracker (`Finding::data_from_app`), mapped by the same
//!   function (a flow's `kind` is a `data_flow.toml` key kind or a data-API category);
//! - crash reporters (tracker category "Crash reporting") → `PSL_CRASH_LOGS`;
//! - the vendor's own disclosure rows for each detected tracker (`data_safety.toml`): rows the
//!   vendor says are collected automatically are observed; rows collected only "when the app
//!   uses a feature" are observed only when trackscan sees that data going to (or read by) the
//!   SDK, otherwise they stay [`Status::Conditional`].
//!
//! Only trackers count: their vendor is a third party, so what they collect is shared unless
//! the vendor says it acts as the developer's service provider ([`Sharing`]). Libraries
//! (support libraries, AndroidX, Google Play services base, other non-tracker SDKs) never
//! produce observations; [`library_reads`] lists what their code touches, as information.
//! Categories that are no Play data type (carrier, sensors, Wi-Fi network names, clipboard…)
//! are listed by [`not_play_data`] with the reason.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use trackscan_scan::report::{DataAccess, DataFlow, Report};
use trackscan_signatures::{
    Collection, DataSafety, SdkDisclosure, ServiceProvider, SwitchKind, PLAY_DATA_TYPES,
    PLAY_PURPOSES,
};

/// Most hosts kept per observation as context.
pub const MAX_HOSTS: usize = 10;

/// Tracker category (εxodus vocabulary) of crash reporters.
pub const CRASH_REPORTING: &str = "Crash reporting";

pub use trackscan_report::label::{Collected, Observed, Sharing, Source, Status};

/// When a vendor says its SDK collects a data type, as the check reports it.
fn collected(c: Collection) -> Collected {
    match c {
        Collection::Automatic => Collected::Automatic,
        Collection::WhenAppCalls => Collected::WhenAppCalls,
    }
}

/// What a data category (a `data_access` category or a `data_from_app` kind) means for Play.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Play data type ids; empty when the category is not a Play data type.
    pub types: Vec<&'static str>,
    /// Observed, or only possible.
    pub status: Status,
    /// How it was decided (always set for conditional decisions and for categories that are
    /// not a Play data type).
    pub note: Option<&'static str>,
}

impl Decision {
    fn play(types: &[&'static str]) -> Decision {
        Decision {
            types: types.to_vec(),
            status: Status::Observed,
            note: None,
        }
    }

    fn noted(types: &[&'static str], note: &'static str) -> Decision {
        Decision {
            types: types.to_vec(),
            status: Status::Observed,
            note: Some(note),
        }
    }

    fn conditional(types: &[&'static str], note: &'static str) -> Decision {
        Decision {
            types: types.to_vec(),
            status: Status::Conditional,
            note: Some(note),
        }
    }

    fn not_play(why: &'static str) -> Decision {
        Decision {
            types: Vec::new(),
            status: Status::Observed,
            note: Some(why),
        }
    }
}

const FINE: &str = "android.permission.ACCESS_FINE_LOCATION";
const COARSE: &str = "android.permission.ACCESS_COARSE_LOCATION";

/// The Play data types of a data category, a `data_access.category` (with the API called) or
/// a `data_from_app.kind` (with its `via`), given the app's requested permissions. `None` for a
/// category this module does not know (a test keeps every category the scanner emits known).
///
/// | category / kind | Play data type |
/// |---|---|
/// | `advertising-id`, `android-id`, `device-id` (IMEI, MEID, serial), `subscriber-id` (IMSI, SIM serial) | `PSL_DEVICE_ID` |
/// | `location` | `PSL_PRECISE_LOCATION` when the app requests `ACCESS_FINE_LOCATION`, else `PSL_APPROX_LOCATION`; cell-tower APIs always approximate; conditional when the app requests no location permission and the SDK reads it itself |
/// | `installed-apps` | `PSL_APPS_ON_DEVICE` (conditional for `queryIntentActivities`) |
/// | `accounts` | `PSL_EMAIL` and `PSL_USER_ACCOUNT` (Google account names are e-mail addresses) |
/// | `contacts` | `PSL_CONTACTS` |
/// | `sms`, `call-log` | `PSL_SMS_CALL_LOG` |
/// | `phone-number` | `PSL_PHONE` |
/// | `calendar` | `PSL_CALENDAR` |
/// | `microphone` | `PSL_AUDIO` |
/// | `camera` | `PSL_PHOTOS`, `PSL_VIDEOS`, conditional |
/// | `wifi` | `PSL_DEVICE_ID` for MAC-address APIs; other Wi-Fi APIs: none |
/// | `bluetooth` | `PSL_DEVICE_ID` for `BluetoothAdapter.getAddress`; other Bluetooth APIs: none |
/// | `carrier`, `sensors`, `clipboard` | none |
/// | `email` / `name` / `user-id` / `address` | `PSL_EMAIL` / `PSL_NAME` / `PSL_USER_ACCOUNT` / `PSL_ADDRESS` |
/// | `gender`, `age`, `birthday` | `PSL_OTHER_PERSONAL` (Play: "date of birth, gender identity") |
/// | `sexual-orientation` / `religion` / `health` | `PSL_SEXUAL_ORIENTATION_GENDER_IDENTITY` / `PSL_POLITICAL_RELIGIOUS` / `PSL_HEALTH` |
/// | `ip-address` | `PSL_APPROX_LOCATION` |
/// | `user-input` | `PSL_USER_GENERATED_CONTENT` |
/// | `custom` | none (not personal) |
pub fn map_category(category: &str, api: &str, permissions: &[String]) -> Option<Decision> {
    let has = |p: &str| permissions.iter().any(|x| x == p);
    // A flow's `via` may end with ` via app.Helper.method`: the API is before it.
    let api = api.split(" via ").next().unwrap_or(api);
    let method = api.rsplit('.').next().unwrap_or(api);
    let d = match category {
        "advertising-id" | "device-id" | "subscriber-id" => Decision::play(&["PSL_DEVICE_ID"]),
        "android-id" => Decision::noted(
            &["PSL_DEVICE_ID"],
            "Settings.Secure/System.getString: the key read is not checked; ANDROID_ID assumed",
        ),
        "location" => {
            // The API does not say how precise: the provider or priority argument and the
            // permission the user grants do. Cell-tower APIs locate to a cell: approximate.
            let cell = matches!(method, "getCellLocation" | "getAllCellInfo");
            if !has(FINE) && !has(COARSE) && is_location_api(api) {
                Decision::conditional(
                    &["PSL_APPROX_LOCATION"],
                    "the app requests no location permission: the call returns nothing unless \
                     the permission is added",
                )
            } else if cell {
                Decision::noted(
                    &["PSL_APPROX_LOCATION"],
                    "cell-tower information locates the device to a cell: approximate",
                )
            } else if has(FINE) {
                Decision::noted(
                    &["PSL_PRECISE_LOCATION"],
                    "the app requests ACCESS_FINE_LOCATION, so fixes can be precise (the API \
                     itself does not say; the user may grant approximate only)",
                )
            } else {
                Decision::noted(
                    &["PSL_APPROX_LOCATION"],
                    "precision not known from the API; the app does not request \
                     ACCESS_FINE_LOCATION",
                )
            }
        }
        "installed-apps" => {
            if method == "queryIntentActivities" {
                Decision::conditional(
                    &["PSL_APPS_ON_DEVICE"],
                    "queryIntentActivities resolves an intent; it lists installed apps only \
                     for a broad intent, which is not checked",
                )
            } else {
                Decision::noted(
                    &["PSL_APPS_ON_DEVICE"],
                    "from Android 11 the list holds only the packages visible to the app \
                     (all of them with QUERY_ALL_PACKAGES)",
                )
            }
        }
        "accounts" => Decision::noted(
            &["PSL_EMAIL", "PSL_USER_ACCOUNT"],
            "account names of Google accounts are e-mail addresses",
        ),
        "contacts" => Decision::play(&["PSL_CONTACTS"]),
        "sms" => Decision::play(&["PSL_SMS_CALL_LOG"]),
        "call-log" => Decision::noted(
            &["PSL_SMS_CALL_LOG"],
            "Play has no call-log type; PSL_SMS_CALL_LOG (Messages / SMS or MMS) is its id for \
             messages and call logs",
        ),
        "phone-number" => Decision::play(&["PSL_PHONE"]),
        "calendar" => Decision::play(&["PSL_CALENDAR"]),
        "microphone" => Decision::noted(
            &["PSL_AUDIO"],
            "the SDK records sound; collected only if the recording (or what is derived from \
             it) leaves the device",
        ),
        "camera" => Decision::conditional(
            &["PSL_PHOTOS", "PSL_VIDEOS"],
            "opening the camera does not say what is captured (a photo, a video, a preview \
             for scanning a code) nor that images leave the device",
        ),
        "wifi" => {
            if matches!(method, "getMacAddress" | "getHardwareAddress") {
                Decision::noted(
                    &["PSL_DEVICE_ID"],
                    "a MAC address is a device identifier (Play names MAC addresses); Android 6 \
                     and later return a constant or randomised value to apps",
                )
            } else {
                Decision::not_play(
                    "Wi-Fi network names, BSSIDs and scan results describe the network, not \
                     the user; they can locate the device, but the call alone does not say \
                     they are used so",
                )
            }
        }
        "bluetooth" => {
            if api.ends_with("BluetoothAdapter.getAddress") {
                Decision::noted(
                    &["PSL_DEVICE_ID"],
                    "the device's own Bluetooth MAC address is a device identifier; Android 6 \
                     and later return a constant to apps",
                )
            } else {
                Decision::not_play(
                    "the adapter's name or the paired and nearby devices are no Play data \
                     type (not this device's identifier)",
                )
            }
        }
        "carrier" => Decision::not_play(
            "carrier name, MCC/MNC and country code describe the mobile network, not the user \
             or device; no Play data type",
        ),
        "sensors" => Decision::not_play(
            "motion and environment sensor readings and lists are no Play data type (fitness \
             only if the SDK derives activity from them, which the call does not say)",
        ),
        "clipboard" => Decision::not_play(
            "clipboard content can be anything the user copied; Play has no clipboard type and \
             its kind depends on the content",
        ),
        // Kinds of `data_from_app` (data_flow.toml keys and entry points, flow.rs sources).
        "email" => Decision::play(&["PSL_EMAIL"]),
        "name" => Decision::play(&["PSL_NAME"]),
        "user-id" => Decision::play(&["PSL_USER_ACCOUNT"]),
        "address" => Decision::noted(
            &["PSL_ADDRESS"],
            "an address or part of one (street, city, postal code)",
        ),
        "gender" => Decision::noted(
            &["PSL_OTHER_PERSONAL"],
            "Play lists gender identity under Personal info / Other info",
        ),
        "age" => Decision::noted(&["PSL_OTHER_PERSONAL"], "age: Personal info / Other info"),
        "birthday" => Decision::noted(
            &["PSL_OTHER_PERSONAL"],
            "Play lists date of birth under Personal info / Other info",
        ),
        "sexual-orientation" => Decision::play(&["PSL_SEXUAL_ORIENTATION_GENDER_IDENTITY"]),
        "religion" => Decision::play(&["PSL_POLITICAL_RELIGIOUS"]),
        "health" => Decision::play(&["PSL_HEALTH"]),
        "ip-address" => Decision::noted(
            &["PSL_APPROX_LOCATION"],
            "an IP address estimates the general location (vendor disclosures such as AdMob's \
             declare it so)",
        ),
        "user-input" => Decision::noted(
            &["PSL_USER_GENERATED_CONTENT"],
            "text the user typed; what it is (a name, an e-mail, a search) is not known",
        ),
        "custom" => Decision::not_play("a custom property whose key names nothing personal"),
        _ => return None,
    };
    Some(d)
}

/// Whether `api` is a platform location API (the SDK reads the location itself).
fn is_location_api(api: &str) -> bool {
    api.starts_with("android.location.")
        || api.starts_with("android.telephony.")
        || api.starts_with("com.google.android.gms.location.")
}

/// A tracker's read or flow of a category that is no Play data type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct NotPlayData {
    /// Tracker rule id.
    pub sdk: String,
    /// Tracker display name.
    pub sdk_name: String,
    /// The category or kind (`carrier`, `sensors`, …).
    pub category: String,
    /// The API (reads) or `via` (flows).
    pub api: String,
    /// The SDK class (reads) or app method (flows).
    pub at: String,
    /// Why it is not a Play data type.
    pub why: &'static str,
}

/// A library's (non-tracker SDK's) read of personal data: information, never an observation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LibraryRead {
    /// Library rule id.
    pub library: String,
    /// Library display name.
    pub name: String,
    /// Data category.
    pub category: String,
    /// The API.
    pub api: String,
    /// The library class that calls it.
    pub caller: String,
}

/// What the report shows going to its tracker SDKs, as Play data types, sorted by data type,
/// SDK, then evidence, without duplicates. Libraries produce nothing ([`library_reads`]).
pub fn observe(report: &Report, disclosures: &DataSafety) -> Vec<Observed> {
    let mut out: Vec<Observed> = Vec::new();
    for t in &report.trackers {
        let disclosure = disclosures.for_tracker(&t.id);
        let hosts = tracker_hosts(report, &t.id);
        let mut add =
            |data_type: &'static str, status: Status, source: Source, note: Option<String>| {
                out.push(Observed {
                    data_type: data_type.to_string(),
                    sdk: t.id.clone(),
                    sdk_name: t.name.clone(),
                    status,
                    source,
                    shared: sharing(disclosure, data_type),
                    purposes: purposes(disclosure, data_type),
                    note,
                    hosts: hosts.clone(),
                });
            };
        for d in &t.data_access {
            for (ty, dec) in decided(&d.category, &d.api, &report.permissions) {
                add(ty, dec.status, reads(d), dec.note.map(str::to_string));
            }
        }
        for f in t.data_from_app.iter().filter(|f| f.personal) {
            for (ty, dec) in decided(&f.kind, &f.via, &report.permissions) {
                add(ty, dec.status, hands(f), dec.note.map(str::to_string));
            }
        }
        if let Some(c) = t
            .categories
            .iter()
            .find(|c| c.eq_ignore_ascii_case(CRASH_REPORTING))
        {
            add(
                "PSL_CRASH_LOGS",
                Status::Observed,
                Source::CrashReporting {
                    category: c.clone(),
                },
                None,
            );
        }
    }
    // Vendor rows, once the SDK's own evidence is known (a feature-dependent row is confirmed
    // by it).
    let seen: BTreeSet<(String, String)> = out
        .iter()
        .filter(|o| o.status == Status::Observed)
        .map(|o| (o.sdk.clone(), o.data_type.clone()))
        .collect();
    for t in &report.trackers {
        let Some(disclosure) = disclosures.for_tracker(&t.id) else {
            continue;
        };
        let hosts = tracker_hosts(report, &t.id);
        for row in &disclosure.data {
            let Some(data_type) = play_type(&row.data_type) else {
                continue;
            };
            let collection = collected(row.collection);
            let (status, mut note) = match collection {
                Collected::Automatic => (Status::Observed, row.note.clone()),
                Collected::WhenAppCalls
                    if seen.contains(&(t.id.clone(), data_type.to_string())) =>
                {
                    (
                        Status::Observed,
                        Some(
                            "the feature is in use: trackscan sees this data read by or handed to \
                         the SDK"
                                .to_string(),
                        ),
                    )
                }
                Collected::WhenAppCalls | Collected::Unknown => {
                    (Status::Conditional, row.note.clone())
                }
            };
            let mut status = status;
            if let Some(off) = switched_off(report, disclosure, data_type) {
                if collection == Collected::Automatic {
                    status = Status::Conditional;
                }
                note = Some(match note {
                    Some(n) => format!("{off}; {n}"),
                    None => off,
                });
            }
            out.push(Observed {
                data_type: data_type.to_string(),
                sdk: t.id.clone(),
                sdk_name: t.name.clone(),
                status,
                source: Source::VendorDisclosure {
                    url: disclosure.source.clone(),
                    collection,
                    when: row.when.clone(),
                },
                shared: sharing(Some(disclosure), data_type),
                purposes: purposes(Some(disclosure), data_type),
                note,
                hosts: hosts.clone(),
            });
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The Play data types observed for certain (status [`Status::Observed`]), each with the SDKs.
pub fn observed_types(observed: &[Observed]) -> BTreeMap<&str, BTreeSet<&str>> {
    let mut m: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for o in observed.iter().filter(|o| o.status == Status::Observed) {
        m.entry(o.data_type.as_str())
            .or_default()
            .insert(o.sdk.as_str());
    }
    m
}

/// Reads and flows of the report's trackers whose category is no Play data type, with the
/// reason, sorted and deduplicated.
pub fn not_play_data(report: &Report) -> Vec<NotPlayData> {
    let mut out = Vec::new();
    for t in &report.trackers {
        let mut push = |category: &str, api: &str, at: &str| {
            if let Some(d) = map_category(category, api, &report.permissions) {
                if d.types.is_empty() {
                    out.push(NotPlayData {
                        sdk: t.id.clone(),
                        sdk_name: t.name.clone(),
                        category: category.to_string(),
                        api: api.to_string(),
                        at: at.to_string(),
                        why: d.note.unwrap_or("not a Play data type"),
                    });
                }
            }
        };
        for d in &t.data_access {
            push(&d.category, &d.api, &d.caller);
        }
        for f in t.data_from_app.iter().filter(|f| f.personal) {
            push(&f.kind, &f.via, &f.at);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// What the code of the report's libraries (non-tracker SDKs) reads: information only (a
/// support library's `TwilightManager` asking for the last known location to pick a theme
/// is not data collection by a third party). Sorted, deduplicated.
pub fn library_reads(report: &Report) -> Vec<LibraryRead> {
    let mut out: Vec<LibraryRead> = report
        .libraries
        .iter()
        .flat_map(|l| {
            l.data_access.iter().map(move |d| LibraryRead {
                library: l.id.clone(),
                name: l.name.clone(),
                category: d.category.clone(),
                api: d.api.clone(),
                caller: d.caller.clone(),
            })
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The Play types of a category, each with its decision; unknown categories and categories
/// that are no Play data type yield nothing.
fn decided(category: &str, api: &str, permissions: &[String]) -> Vec<(&'static str, Decision)> {
    match map_category(category, api, permissions) {
        Some(d) => d.types.iter().map(|&t| (t, d.clone())).collect(),
        None => Vec::new(),
    }
}

fn reads(d: &DataAccess) -> Source {
    Source::SdkReads {
        category: d.category.clone(),
        api: d.api.clone(),
        caller: d.caller.clone(),
        count: d.count,
    }
}

fn hands(f: &DataFlow) -> Source {
    Source::AppHands {
        kind: f.kind.clone(),
        key: f.key.clone(),
        via: f.via.clone(),
        at: f.at.clone(),
        sdk_method: f.sdk_method.clone(),
    }
}

/// The `&'static` id of a Play data type.
fn play_type(id: &str) -> Option<&'static str> {
    PLAY_DATA_TYPES
        .iter()
        .find(|(k, _)| *k == id)
        .map(|(k, _)| *k)
}

/// The `&'static` id of a Play purpose.
fn play_purpose(id: &str) -> Option<&'static str> {
    PLAY_PURPOSES
        .iter()
        .find(|(k, _)| *k == id)
        .map(|(k, _)| *k)
}

/// Shared unless the vendor says it is the developer's service provider, or its row for this
/// type says not shared.
fn sharing(disclosure: Option<&SdkDisclosure>, data_type: &str) -> Sharing {
    let Some(d) = disclosure else {
        return Sharing::Shared;
    };
    if d.service_provider == ServiceProvider::Yes {
        return Sharing::ServiceProvider;
    }
    let rows: Vec<_> = d.data.iter().filter(|r| r.data_type == data_type).collect();
    if !rows.is_empty() && rows.iter().all(|r| r.shared == Some(false)) {
        return Sharing::VendorSaysNotShared;
    }
    Sharing::Shared
}

/// The purposes of the vendor's rows for this type, Play order.
fn purposes(disclosure: Option<&SdkDisclosure>, data_type: &str) -> Vec<String> {
    let Some(d) = disclosure else {
        return Vec::new();
    };
    let given: BTreeSet<&str> = d
        .data
        .iter()
        .filter(|r| r.data_type == data_type)
        .flat_map(|r| r.purposes.iter().map(String::as_str))
        .collect();
    PLAY_PURPOSES
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| given.contains(k))
        .filter_map(play_purpose)
        .map(str::to_string)
        .collect()
}

/// A manifest switch of the vendor that the app sets to "off" for this type, as a note.
fn switched_off(report: &Report, d: &SdkDisclosure, data_type: &str) -> Option<String> {
    d.switches
        .iter()
        .filter(|s| s.kind == SwitchKind::Manifest)
        .filter(|s| s.affects.is_empty() || s.affects.iter().any(|a| a == data_type))
        .find_map(|s| {
            let m = report.meta_data.iter().find(|m| m.name == s.name)?;
            let v = m.value.as_deref()?;
            v.eq_ignore_ascii_case(&s.off).then(|| {
                format!(
                    "the manifest turns it off: <meta-data {}={v}> ({})",
                    s.name, s.doc
                )
            })
        })
}

/// The hosts the report attributes to tracker `id`, sorted, at most [`MAX_HOSTS`].
fn tracker_hosts(report: &Report, id: &str) -> Vec<String> {
    let set: BTreeSet<&str> = report
        .hosts
        .iter()
        .filter(|h| h.tracker.as_deref() == Some(id))
        .map(|h| h.host.as_str())
        .collect();
    set.into_iter()
        .take(MAX_HOSTS)
        .map(str::to_string)
        .collect()
}

/// One line of evidence for an observation.
pub fn evidence_line(o: &Observed) -> String {
    let who = &o.sdk_name;
    match &o.source {
        Source::SdkReads { api, caller, .. } => format!("{who} code {caller} calls {api}"),
        Source::AppHands {
            kind,
            key,
            at,
            sdk_method,
            ..
        } => {
            let key = key
                .as_deref()
                .map(|k| format!(" under \"{k}\""))
                .unwrap_or_default();
            format!("app code {at} hands {kind}{key} to {who} ({sdk_method})")
        }
        Source::VendorDisclosure {
            url,
            collection,
            when,
        } => match (collection, when) {
            (Collected::Automatic, _) => {
                format!("{who}: the vendor says the SDK collects it automatically ({url})")
            }
            (Collected::WhenAppCalls | Collected::Unknown, Some(w)) => {
                format!("{who}: the vendor says the SDK collects it when {w} ({url})")
            }
            (Collected::WhenAppCalls | Collected::Unknown, None) => {
                format!("{who}: the vendor says the SDK collects it when the app uses a feature ({url})")
            }
        },
        Source::CrashReporting { category } => {
            format!("{who} is a crash reporter (category {category}): crash logs leave the device")
        }
        Source::Other => format!("{who}: evidence of a kind this version does not know"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackscan_scan::report::{Finding, Host, MetaData};
    use trackscan_signatures::{data_api_category, data_uri_category, FlowRules};

    /// The string literals of `text` (no escapes in the sources read here), comment lines
    /// skipped.
    fn literals(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
            let mut rest = line;
            while let Some(a) = rest.find('"') {
                let after = rest.get(a + 1..).unwrap_or("");
                let Some(b) = after.find('"') else { break };
                out.push(after.get(..b).unwrap_or(""));
                rest = after.get(b + 1..).unwrap_or("");
            }
        }
        out
    }

    /// The text between `start` and the next `end`.
    fn section<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
        let a = text.find(start).unwrap_or_else(|| panic!("no `{start}`"));
        let rest = text.get(a..).unwrap_or("");
        let b = rest.find(end).unwrap_or(rest.len());
        rest.get(..b).unwrap_or("")
    }

    /// Every (category, API) the scanner can put in `data_access`: the data-API table of
    /// trackscan-signatures, read from its source and checked against `data_api_category`.
    fn emitted_data_access() -> Vec<(String, String)> {
        let src = include_str!("../../signatures/src/data_api.rs");
        let table = literals(section(src, "const TABLE", "\n];"));
        assert!(table.len() >= 60 && table.len() % 3 == 0, "{}", table.len());
        let mut out = Vec::new();
        for row in table.chunks(3) {
            let (class, method, cat) = (row[0], row[1], row[2]);
            // The parse is right: the public lookup agrees.
            assert_eq!(data_api_category(class, method), Some(cat), "{row:?}");
            let dotted = class
                .trim_start_matches('L')
                .trim_end_matches(';')
                .replace('/', ".");
            out.push((cat.to_string(), format!("{dotted}.{method}")));
        }
        // ContactsContract classes: any method.
        let contacts = "Landroid/provider/ContactsContract$Contacts;";
        assert_eq!(
            data_api_category(contacts, "getLookupUri"),
            Some("contacts")
        );
        out.push((
            "contacts".into(),
            "android.provider.ContactsContract$Contacts.getLookupUri".into(),
        ));
        // Content URIs (not emitted by the scan today; mapped all the same).
        let uris = literals(section(src, "const URI_TABLE", "\n];"));
        for row in uris.chunks(2) {
            let cat = data_uri_category(row[0]).unwrap_or_else(|| panic!("{row:?}"));
            assert_eq!(cat, row[1]);
            out.push((cat.to_string(), row[0].to_string()));
        }
        out
    }

    /// Every kind the scanner can put in `data_from_app`: `data_flow.toml` key kinds and entry
    /// kinds, the data-API categories, and the kinds flow.rs labels itself.
    fn emitted_kinds() -> BTreeSet<String> {
        let mut kinds: BTreeSet<String> = BTreeSet::new();
        let toml = include_str!("../../../signatures/data_flow.toml");
        let rules = FlowRules::builtin();
        let keys = section(toml, "\n[keys]\n", "\n[[entry]]");
        for line in keys.lines().filter(|l| !l.starts_with('#')) {
            let Some((kind, list)) = line.split_once(" = [") else {
                continue;
            };
            let first = literals(list).first().copied().unwrap_or("");
            assert_eq!(rules.key_kind(first), Some(kind.trim()), "{line}");
            kinds.insert(kind.trim().to_string());
        }
        assert!(kinds.len() >= 15, "{kinds:?}");
        for e in &rules.entries {
            kinds.extend(e.kind.iter().cloned());
            kinds.extend(e.arg_kinds.iter().cloned());
        }
        kinds.extend(emitted_data_access().into_iter().map(|(c, _)| c));
        let flow = include_str!("../../scan/src/flow.rs");
        let user_input = literals(section(flow, "const USER_INPUT", "\n"));
        kinds.extend(user_input.iter().map(|s| s.to_string()));
        let mut rest = flow;
        while let Some(i) = rest.find("kind: Some(\"") {
            rest = rest.get(i + "kind: Some(".len()..).unwrap_or("");
            kinds.extend(
                literals(rest.lines().next().unwrap_or(""))
                    .first()
                    .map(|s| s.to_string()),
            );
        }
        assert!(
            flow.contains("\"custom\".into()"),
            "flow.rs no longer says `custom`"
        );
        kinds.insert("custom".into());
        kinds
    }

    #[test]
    fn every_emitted_category_and_kind_has_a_decision() {
        let perms_sets: [Vec<String>; 3] = [
            Vec::new(),
            vec![COARSE.to_string()],
            vec![FINE.to_string(), COARSE.to_string()],
        ];
        let access = emitted_data_access();
        let cats: BTreeSet<&str> = access.iter().map(|(c, _)| c.as_str()).collect();
        for want in [
            "advertising-id",
            "android-id",
            "device-id",
            "subscriber-id",
            "phone-number",
            "carrier",
            "location",
            "sensors",
            "accounts",
            "wifi",
            "bluetooth",
            "installed-apps",
            "clipboard",
            "camera",
            "microphone",
            "contacts",
            "sms",
            "call-log",
            "calendar",
        ] {
            assert!(cats.contains(want), "the table parse lost {want}");
        }
        let kinds = emitted_kinds();
        for k in [
            "email",
            "gender",
            "age",
            "user-input",
            "ip-address",
            "custom",
        ] {
            assert!(kinds.contains(k), "{k}: {kinds:?}");
        }
        let pairs = access.iter().cloned().chain(
            kinds
                .iter()
                .map(|k| (k.clone(), "org.json.JSONObject.put".into())),
        );
        for (cat, api) in pairs {
            for perms in &perms_sets {
                let d = map_category(&cat, &api, perms)
                    .unwrap_or_else(|| panic!("no decision for `{cat}` ({api})"));
                for t in &d.types {
                    assert!(play_type(t).is_some(), "{cat}: {t} is no Play id");
                }
                // A category that is no Play type, or a conditional one, says why.
                if d.types.is_empty() || d.status == Status::Conditional {
                    assert!(d.note.is_some(), "{cat} ({api})");
                }
            }
        }
        assert_eq!(map_category("made-up", "x.Y.z", &[]), None);
    }

    #[test]
    fn mapping_table() {
        let none: Vec<String> = Vec::new();
        let fine = vec![FINE.to_string()];
        let coarse = vec![COARSE.to_string()];
        let types =
            |c: &str, api: &str, p: &[String]| map_category(c, api, p).map(|d| (d.types, d.status));
        let obs = Status::Observed;
        let cond = Status::Conditional;
        let ad = "com.google.android.gms.ads.identifier.AdvertisingIdClient.getAdvertisingIdInfo";
        assert_eq!(
            types("advertising-id", ad, &none),
            Some((vec!["PSL_DEVICE_ID"], obs))
        );
        let imei = "android.telephony.TelephonyManager.getImei";
        assert_eq!(
            types("device-id", imei, &none),
            Some((vec!["PSL_DEVICE_ID"], obs))
        );
        let lkl = "android.location.LocationManager.getLastKnownLocation";
        assert_eq!(
            types("location", lkl, &fine),
            Some((vec!["PSL_PRECISE_LOCATION"], obs))
        );
        assert_eq!(
            types("location", lkl, &coarse),
            Some((vec!["PSL_APPROX_LOCATION"], obs))
        );
        assert_eq!(
            types("location", lkl, &none),
            Some((vec!["PSL_APPROX_LOCATION"], cond))
        );
        let cell = "android.telephony.TelephonyManager.getAllCellInfo";
        assert_eq!(
            types("location", cell, &fine),
            Some((vec!["PSL_APPROX_LOCATION"], obs))
        );
        // A location the app hands over from its own JSON: precision from the permission.
        assert_eq!(
            types("location", "org.json.JSONObject.put", &none),
            Some((vec!["PSL_APPROX_LOCATION"], obs))
        );
        let acc = "android.accounts.AccountManager.getAccounts";
        assert_eq!(
            types("accounts", acc, &none),
            Some((vec!["PSL_EMAIL", "PSL_USER_ACCOUNT"], obs))
        );
        let pm = "android.content.pm.PackageManager.";
        assert_eq!(
            types(
                "installed-apps",
                &format!("{pm}getInstalledPackages"),
                &none
            ),
            Some((vec!["PSL_APPS_ON_DEVICE"], obs))
        );
        assert_eq!(
            types(
                "installed-apps",
                &format!("{pm}queryIntentActivities"),
                &none
            ),
            Some((vec!["PSL_APPS_ON_DEVICE"], cond))
        );
        let cam = "android.hardware.Camera.open";
        assert_eq!(
            types("camera", cam, &none),
            Some((vec!["PSL_PHOTOS", "PSL_VIDEOS"], cond))
        );
        assert_eq!(
            types("wifi", "android.net.wifi.WifiInfo.getMacAddress", &none),
            Some((vec!["PSL_DEVICE_ID"], obs))
        );
        assert_eq!(
            types("wifi", "android.net.wifi.WifiInfo.getSSID", &none).map(|t| t.0),
            Some(vec![])
        );
        assert_eq!(
            types(
                "bluetooth",
                "android.bluetooth.BluetoothAdapter.getAddress",
                &none
            ),
            Some((vec!["PSL_DEVICE_ID"], obs))
        );
        assert_eq!(
            types(
                "bluetooth",
                "android.bluetooth.BluetoothDevice.getAddress",
                &none
            )
            .map(|t| t.0),
            Some(vec![])
        );
        for c in ["carrier", "sensors", "clipboard", "custom"] {
            assert_eq!(types(c, "x.Y.z", &none).map(|t| t.0), Some(vec![]), "{c}");
        }
        for (k, t) in [
            ("email", "PSL_EMAIL"),
            ("name", "PSL_NAME"),
            ("phone-number", "PSL_PHONE"),
            ("user-id", "PSL_USER_ACCOUNT"),
            ("gender", "PSL_OTHER_PERSONAL"),
            ("age", "PSL_OTHER_PERSONAL"),
            ("birthday", "PSL_OTHER_PERSONAL"),
            ("address", "PSL_ADDRESS"),
            (
                "sexual-orientation",
                "PSL_SEXUAL_ORIENTATION_GENDER_IDENTITY",
            ),
            ("religion", "PSL_POLITICAL_RELIGIOUS"),
            ("health", "PSL_HEALTH"),
            ("ip-address", "PSL_APPROX_LOCATION"),
            ("user-input", "PSL_USER_GENERATED_CONTENT"),
            ("contacts", "PSL_CONTACTS"),
            ("sms", "PSL_SMS_CALL_LOG"),
            ("call-log", "PSL_SMS_CALL_LOG"),
            ("calendar", "PSL_CALENDAR"),
            ("microphone", "PSL_AUDIO"),
        ] {
            assert_eq!(
                types(k, "org.json.JSONObject.put", &none),
                Some((vec![t], obs)),
                "{k}"
            );
        }
    }

    fn access(category: &str, api: &str, caller: &str) -> DataAccess {
        DataAccess {
            category: category.into(),
            api: api.into(),
            caller: caller.into(),
            count: 1,
        }
    }

    fn flow(kind: &str, key: Option<&str>, at: &str, sdk_method: &str) -> DataFlow {
        DataFlow {
            kind: kind.into(),
            personal: kind != "custom",
            key: key.map(str::to_string),
            via: if key.is_some() {
                "org.json.JSONObject.put".into()
            } else {
                "argument".into()
            },
            at: at.into(),
            sdk_method: sdk_method.into(),
            arg: 1,
        }
    }

    fn tracker(id: &str, name: &str, categories: &[&str]) -> Finding {
        Finding {
            id: id.into(),
            name: name.into(),
            categories: categories.iter().map(|c| c.to_string()).collect(),
            ..Finding::default()
        }
    }

    /// Observations without vendor rows (an empty disclosure set).
    fn own(report: &Report) -> Vec<Observed> {
        observe(report, &DataSafety::default())
    }

    #[test]
    fn tracker_reads_become_play_types_with_evidence() {
        let mut af = tracker("appsflyer", "AppsFlyer", &["Analytics"]);
        af.data_access = vec![
            access(
                "advertising-id",
                "com.google.android.gms.ads.identifier.AdvertisingIdClient.getAdvertisingIdInfo",
                "com.appsflyer.internal.AFa1",
            ),
            access(
                "location",
                "android.location.LocationManager.getLastKnownLocation",
                "com.appsflyer.internal.AFb1",
            ),
            access(
                "carrier",
                "android.telephony.TelephonyManager.getSimOperatorName",
                "com.appsflyer.internal.AFc1",
            ),
        ];
        let report = Report {
            permissions: vec![FINE.into(), "android.permission.INTERNET".into()],
            trackers: vec![af],
            hosts: vec![
                Host {
                    host: "t.appsflyer.com".into(),
                    tracker: Some("appsflyer".into()),
                    ..Host::default()
                },
                Host {
                    host: "example.com".into(),
                    ..Host::default()
                },
            ],
            ..Report::default()
        };
        let obs = own(&report);
        let got: Vec<(&str, Status)> = obs
            .iter()
            .map(|o| (o.data_type.as_str(), o.status))
            .collect();
        assert_eq!(
            got,
            vec![
                ("PSL_DEVICE_ID", Status::Observed),
                ("PSL_PRECISE_LOCATION", Status::Observed),
            ]
        );
        let loc = &obs[1];
        assert_eq!(loc.sdk, "appsflyer");
        assert_eq!(loc.sdk_name, "AppsFlyer");
        assert_eq!(loc.shared, Sharing::Shared);
        assert_eq!(loc.hosts, vec!["t.appsflyer.com"]);
        assert_eq!(
            loc.source,
            Source::SdkReads {
                category: "location".into(),
                api: "android.location.LocationManager.getLastKnownLocation".into(),
                caller: "com.appsflyer.internal.AFb1".into(),
                count: 1,
            }
        );
        assert!(loc
            .note
            .as_deref()
            .is_some_and(|n| n.contains("ACCESS_FINE_LOCATION")));
        // The carrier is listed apart, with the reason.
        let np = not_play_data(&report);
        assert_eq!(np.len(), 1);
        assert_eq!(np[0].category, "carrier");
        assert!(np[0].why.contains("mobile network"), "{}", np[0].why);
    }

    #[test]
    fn libraries_never_produce_observations() {
        let mut lib = tracker("android-support-v7", "Android Support v7", &[]);
        lib.data_access = vec![access(
            "location",
            "android.location.LocationManager.getLastKnownLocation",
            "android.support.v7.app.TwilightManager",
        )];
        let report = Report {
            permissions: vec![FINE.into()],
            libraries: vec![lib],
            ..Report::default()
        };
        assert!(observe(&report, DataSafety::builtin()).is_empty());
        assert!(not_play_data(&report).is_empty());
        let lr = library_reads(&report);
        assert_eq!(lr.len(), 1);
        assert_eq!(lr[0].caller, "android.support.v7.app.TwilightManager");
        assert_eq!(lr[0].name, "Android Support v7");
    }

    #[test]
    fn what_the_app_hands_over() {
        let mut mp = tracker("mixpanel", "MixPanel", &["Analytics"]);
        let at = "com.example.Main.onClick";
        let track = "com.mixpanel.android.mpmetrics.MixpanelAPI.track";
        mp.data_from_app = vec![
            flow("email", Some("$email"), at, track),
            flow("gender", Some("gender"), at, track),
            flow("age", Some("age"), at, track),
            flow(
                "user-id",
                None,
                at,
                "com.mixpanel.android.mpmetrics.MixpanelAPI.identify",
            ),
            flow("custom", Some("level"), at, track),
        ];
        let report = Report {
            trackers: vec![mp],
            ..Report::default()
        };
        let obs = observe(&report, DataSafety::builtin());
        let types: Vec<&str> = obs.iter().map(|o| o.data_type.as_str()).collect();
        assert_eq!(
            types,
            vec![
                "PSL_EMAIL",
                "PSL_OTHER_PERSONAL",
                "PSL_OTHER_PERSONAL",
                "PSL_USER_ACCOUNT"
            ]
        );
        assert!(obs.iter().all(|o| o.status == Status::Observed));
        // Mixpanel has no vendor disclosure: shared, no purposes.
        assert!(obs
            .iter()
            .all(|o| o.shared == Sharing::Shared && o.purposes.is_empty()));
        assert_eq!(
            obs[0].source,
            Source::AppHands {
                kind: "email".into(),
                key: Some("$email".into()),
                via: "org.json.JSONObject.put".into(),
                at: at.into(),
                sdk_method: track.into(),
            }
        );
    }

    #[test]
    fn crash_reporters_send_crash_logs() {
        let report = Report {
            trackers: vec![
                tracker("sentry", "Sentry", &["Crash reporting"]),
                tracker("flurry", "Flurry", &["Analytics"]),
            ],
            ..Report::default()
        };
        let obs = own(&report);
        assert_eq!(obs.len(), 1);
        assert_eq!(obs[0].data_type, "PSL_CRASH_LOGS");
        assert_eq!(obs[0].sdk, "sentry");
        assert_eq!(
            obs[0].source,
            Source::CrashReporting {
                category: "Crash reporting".into()
            }
        );
    }

    #[test]
    fn vendor_disclosure_rows() {
        let ds = DataSafety::builtin();
        // AdMob: every row automatic, so observed, from the vendor page, with purposes.
        let report = Report {
            trackers: vec![tracker("google-admob", "Google AdMob", &["Advertisement"])],
            ..Report::default()
        };
        let obs = observe(&report, ds);
        let url = ds.for_tracker("google-admob").map(|d| d.source.clone());
        let dev = obs
            .iter()
            .find(|o| o.data_type == "PSL_DEVICE_ID")
            .expect("AdMob collects device IDs");
        assert_eq!(dev.status, Status::Observed);
        assert_eq!(
            dev.source,
            Source::VendorDisclosure {
                url: url.unwrap_or_default(),
                collection: Collected::Automatic,
                when: None,
            }
        );
        assert!(dev.purposes.iter().any(|p| p == "PSL_ADVERTISING"));
        assert_eq!(dev.shared, Sharing::Shared);

        // OneSignal: e-mail only when the app sends it: conditional, then observed once the
        // app is seen handing an e-mail to the SDK.
        let mut os = tracker("onesignal", "OneSignal", &["Analytics"]);
        let report = Report {
            trackers: vec![os.clone()],
            ..Report::default()
        };
        let email = |obs: &[Observed]| {
            obs.iter()
                .filter(|o| o.data_type == "PSL_EMAIL")
                .map(|o| o.status)
                .collect::<Vec<_>>()
        };
        assert_eq!(email(&observe(&report, ds)), vec![Status::Conditional]);
        os.data_from_app = vec![flow(
            "email",
            None,
            "com.example.Login.done",
            "com.onesignal.OneSignal.setEmail",
        )];
        let report = Report {
            trackers: vec![os],
            ..Report::default()
        };
        assert_eq!(
            email(&observe(&report, ds)),
            vec![Status::Observed, Status::Observed]
        );

        // A vendor acting as the developer's service provider: collected, not shared.
        let mut af = tracker("appsflyer", "AppsFlyer", &["Analytics"]);
        af.data_from_app = vec![flow(
            "user-id",
            None,
            "a.B.c",
            "com.appsflyer.AppsFlyerLib.x",
        )];
        let report = Report {
            trackers: vec![af],
            ..Report::default()
        };
        let obs = observe(&report, ds);
        assert_eq!(obs.len(), 1);
        assert_eq!(obs[0].shared, Sharing::ServiceProvider);

        // A manifest switch that turns collection off makes the automatic rows conditional.
        let fb = tracker("facebook-analytics", "Facebook Analytics", &["Analytics"]);
        let mut report = Report {
            trackers: vec![fb],
            ..Report::default()
        };
        let all_observed = |r: &Report| {
            observe(r, ds)
                .iter()
                .filter(|o| o.data_type == "PSL_USER_INTERACTION")
                .all(|o| o.status == Status::Observed)
        };
        assert!(all_observed(&report));
        report.meta_data.push(MetaData {
            name: "com.facebook.sdk.AutoLogAppEventsEnabled".into(),
            value: Some("false".into()),
            resource: None,
        });
        assert!(!all_observed(&report));
        let ui = observe(&report, ds);
        let ui = ui
            .iter()
            .find(|o| o.data_type == "PSL_USER_INTERACTION")
            .and_then(|o| o.note.clone())
            .unwrap_or_default();
        assert!(ui.contains("AutoLogAppEventsEnabled=false"), "{ui}");
    }

    #[test]
    fn vendor_row_not_shared() {
        // Vungle says crash logs are not shared.
        let report = Report {
            trackers: vec![tracker("vungle", "Vungle", &["Advertisement"])],
            ..Report::default()
        };
        let obs = observe(&report, DataSafety::builtin());
        let crash = obs.iter().find(|o| o.data_type == "PSL_CRASH_LOGS");
        assert_eq!(crash.map(|o| o.shared), Some(Sharing::VendorSaysNotShared));
        let dev = obs.iter().find(|o| o.data_type == "PSL_DEVICE_ID");
        assert_eq!(dev.map(|o| o.shared), Some(Sharing::Shared));
    }

    #[test]
    fn sorted_deduplicated_deterministic() {
        let ad = "com.google.android.gms.ads.identifier.AdvertisingIdClient.getAdvertisingIdInfo";
        let mut b = tracker("branch", "Branch", &["Analytics"]);
        b.data_access = vec![access("advertising-id", ad, "io.branch.X")];
        let mut a = tracker("adjust", "Adjust", &["Analytics"]);
        a.data_access = vec![
            access("advertising-id", ad, "com.adjust.X"),
            access("advertising-id", ad, "com.adjust.X"),
            access(
                "contacts",
                "android.provider.ContactsContract$Contacts.x",
                "com.adjust.Y",
            ),
        ];
        let report = Report {
            trackers: vec![b, a],
            ..Report::default()
        };
        let obs = own(&report);
        let got: Vec<(&str, &str)> = obs
            .iter()
            .map(|o| (o.data_type.as_str(), o.sdk.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("PSL_CONTACTS", "adjust"),
                ("PSL_DEVICE_ID", "adjust"),
                ("PSL_DEVICE_ID", "branch"),
            ]
        );
        assert_eq!(
            observe(&report, DataSafety::builtin()),
            observe(&report, DataSafety::builtin())
        );
        let types = observed_types(&obs);
        assert_eq!(
            types.get("PSL_DEVICE_ID").map(|s| s.len()),
            Some(2),
            "{types:?}"
        );
    }
}
