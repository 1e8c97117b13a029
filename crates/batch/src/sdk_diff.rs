//! The SDK-level part of a diff: one block per SDK (tracker or library) present in either
//! release, with
//! what changed inside it — SDK version, code (the finding's `code` summary), the personal-data
//! APIs its code reaches, what the app's code hands to it, its hosts, the manifest entries its
//! rule matched, the pins of its hosts, and the app classes calling into it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use crate::util::{arr, opt_str, opt_u64, str_of, tracker_key};

/// The facets compared per SDK, in display order: (JSON stem, text label).
pub const FACETS: [(&str, &str); 8] = [
    ("data_apis", "data API"),
    ("app_data", "app data"),
    ("hosts", "host"),
    ("manifest", "manifest"),
    ("pins", "pin"),
    ("call_sites", "call site"),
    ("classes", "class"),
    ("methods", "method"),
];

/// Classes and methods listed per SDK block in text (JSON lists them all).
const TEXT_MEMBERS: usize = 20;

/// Whether the SDK appeared, disappeared or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SdkStatus {
    /// Only in the new release.
    Added,
    /// Only in the old release.
    Removed,
    /// In both, with a difference.
    Changed,
}

impl SdkStatus {
    /// `added`, `removed` or `changed`.
    pub fn as_str(self) -> &'static str {
        match self {
            SdkStatus::Added => "added",
            SdkStatus::Removed => "removed",
            SdkStatus::Changed => "changed",
        }
    }
}

/// What changed for one SDK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkChange {
    /// Rule id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Added, removed or changed.
    pub status: SdkStatus,
    /// SDK version old → new (`-` when unknown), when it differs.
    pub version: Option<(String, String)>,
    /// Code summary old → new, when the digest differs (both releases have the SDK's classes).
    pub code: Option<(String, String)>,
    /// Per facet of [`FACETS`]: (gained, lost), sorted.
    pub facets: [(Vec<String>, Vec<String>); 8],
}

#[derive(Default)]
struct Facts {
    name: String,
    version: String,
    code: Option<(u64, u64, String)>,
    /// Whether `code.members` was there (`scan --sdk-code`, `diff` of apps).
    has_members: bool,
    sets: [BTreeSet<String>; 8],
}

fn facts(doc: &Value) -> BTreeMap<String, Facts> {
    let mut m: BTreeMap<String, Facts> = BTreeMap::new();
    // Rule ids are unique across trackers and libraries: one map for both.
    for t in arr(doc, "trackers").iter().chain(arr(doc, "libraries")) {
        let key = tracker_key(t).to_string();
        if key.is_empty() {
            continue;
        }
        let f = m.entry(key.clone()).or_default();
        f.name = opt_str(t, "name").unwrap_or(&key).to_string();
        f.version = opt_str(t, "sdk_version").unwrap_or("-").to_string();
        f.code = t.get("code").and_then(|c| {
            Some((
                opt_u64(c, "classes").unwrap_or(0),
                opt_u64(c, "methods").unwrap_or(0),
                opt_str(c, "digest")?.to_string(),
            ))
        });
        if let Some(c) = t.get("code") {
            for m in arr(c, "members") {
                let m = m.as_str().unwrap_or("");
                f.has_members = true;
                f.sets[if m.contains('(') { 7 } else { 6 }].insert(m.to_string());
            }
        }
        for d in arr(t, "data_access") {
            f.sets[0].insert(format!("{} ({})", str_of(d, "category"), str_of(d, "api")));
        }
        for d in arr(t, "data_from_app") {
            let key = opt_str(d, "key")
                .map(|k| format!(" \"{k}\""))
                .unwrap_or_default();
            f.sets[1].insert(format!(
                "{}{key} from {} into {}",
                str_of(d, "kind"),
                str_of(d, "at"),
                str_of(d, "sdk_method")
            ));
        }
        for e in arr(t, "evidence") {
            if str_of(e, "kind") == "manifest" {
                f.sets[3].insert(str_of(e, "value").to_string());
            }
        }
        for c in arr(t, "call_sites") {
            f.sets[5].insert(str_of(c, "caller").to_string());
        }
    }
    for h in arr(doc, "hosts") {
        if let Some(f) = opt_str(h, "tracker").and_then(|t| m.get_mut(t)) {
            f.sets[2].insert(str_of(h, "host").to_string());
        }
    }
    for p in arr(doc, "pinning") {
        let Some(f) = opt_str(p, "tracker").and_then(|t| m.get_mut(t)) else {
            continue;
        };
        let host = str_of(p, "host");
        for pin in arr(p, "pins") {
            f.sets[4].insert(format!(
                "{host} {}/{}",
                str_of(pin, "algorithm"),
                str_of(pin, "digest")
            ));
        }
    }
    m
}

fn code_text(c: &(u64, u64, String), same_counts: bool) -> String {
    let counts = format!("{} classes, {} methods", c.0, c.1);
    if same_counts {
        format!("{counts} (digest {})", c.2)
    } else {
        counts
    }
}

/// One [`SdkChange`] per SDK (tracker or library) that differs between `old` and `new` (added, removed or
/// changed), sorted by id.
pub fn sdk_changes(old: &Value, new: &Value) -> Vec<SdkChange> {
    let (fo, fnew) = (facts(old), facts(new));
    let empty = Facts::default();
    let keys: BTreeSet<&String> = fo.keys().chain(fnew.keys()).collect();
    let mut out = Vec::new();
    for k in keys {
        let (o, n) = (fo.get(k), fnew.get(k));
        let status = match (o, n) {
            (None, Some(_)) => SdkStatus::Added,
            (Some(_), None) => SdkStatus::Removed,
            _ => SdkStatus::Changed,
        };
        let (o, n) = (o.unwrap_or(&empty), n.unwrap_or(&empty));
        let name = if n.name.is_empty() { &o.name } else { &n.name };
        let version = match status {
            SdkStatus::Changed if o.version != n.version => {
                Some((o.version.clone(), n.version.clone()))
            }
            SdkStatus::Added if n.version != "-" => Some(("-".into(), n.version.clone())),
            SdkStatus::Removed if o.version != "-" => Some((o.version.clone(), "-".into())),
            _ => None,
        };
        let code = match (&o.code, &n.code) {
            (Some(a), Some(b)) if a.2 != b.2 => {
                let same = (a.0, a.1) == (b.0, b.1);
                Some((code_text(a, same), code_text(b, same)))
            }
            _ => None,
        };
        let facets: [(Vec<String>, Vec<String>); 8] = std::array::from_fn(|i| {
            // Class and method names only when both sides list them (else one side would
            // seem to have lost them all).
            if i >= 6 && status == SdkStatus::Changed && !(o.has_members && n.has_members) {
                return (Vec::new(), Vec::new());
            }
            let (a, b) = (&o.sets[i], &n.sets[i]);
            (
                b.difference(a).cloned().collect(),
                a.difference(b).cloned().collect(),
            )
        });
        let changed = version.is_some()
            || code.is_some()
            || facets.iter().any(|(g, l)| !g.is_empty() || !l.is_empty());
        if status == SdkStatus::Changed && !changed {
            continue;
        }
        out.push(SdkChange {
            id: k.clone(),
            name: name.clone(),
            status,
            version,
            code,
            facets,
        });
    }
    out
}

impl SdkChange {
    /// `{id, name, status, version?: {old, new}, code?: {old, new}, <facet>_gained?,
    /// <facet>_lost?}` (facet lists only when not empty).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("name".into(), json!(self.name));
        m.insert("status".into(), json!(self.status.as_str()));
        if let Some((a, b)) = &self.version {
            m.insert("version".into(), json!({"old": a, "new": b}));
        }
        if let Some((a, b)) = &self.code {
            m.insert("code".into(), json!({"old": a, "new": b}));
        }
        for ((stem, _), (g, l)) in FACETS.iter().zip(&self.facets) {
            if !g.is_empty() {
                m.insert(format!("{stem}_gained"), json!(g));
            }
            if !l.is_empty() {
                m.insert(format!("{stem}_lost"), json!(l));
            }
        }
        Value::Object(m)
    }

    /// The block for text output: a headline, then one line per change.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "  SDK {} ({}): {}",
            self.name,
            self.id,
            self.status.as_str()
        );
        if let Some((a, b)) = &self.version {
            let _ = writeln!(s, "      version      {a} -> {b}");
        }
        if let Some((a, b)) = &self.code {
            let _ = writeln!(s, "      code         {a} -> {b}");
        }
        for (i, ((_, label), (g, l))) in FACETS.iter().zip(&self.facets).enumerate() {
            // An added or removed SDK brings all its classes: the count says enough.
            if i >= 6 && self.status != SdkStatus::Changed {
                let n = g.len() + l.len();
                if n > 0 {
                    let sign = if g.is_empty() { '-' } else { '+' };
                    let what = if i == 6 { "classes" } else { "methods" };
                    let _ = writeln!(s, "      {sign} {what:<10} {n}");
                }
                continue;
            }
            let cap = if i >= 6 { TEXT_MEMBERS } else { usize::MAX };
            for (sign, list) in [('+', g), ('-', l)] {
                for x in list.iter().take(cap) {
                    let _ = writeln!(s, "      {sign} {label:<10} {x}");
                }
                if list.len() > cap {
                    let _ = writeln!(
                        s,
                        "      {sign} {label:<10} … and {} more",
                        list.len() - cap
                    );
                }
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(version: &str, methods: u64, digest: &str, extra: Value) -> Value {
        let mut t = json!({
            "id": "mixpanel", "name": "MixPanel", "sdk_version": version,
            "code": {"classes": 16, "methods": methods, "digest": digest},
            "evidence": [{"kind": "manifest", "value": "com.mixpanel.android.mpmetrics.InstallReferrerReceiver", "location": "AndroidManifest.xml"}],
            "call_sites": [{"caller": "com.example.Main", "callees": [], "count": 1}],
            "data_access": [],
        });
        if let (Some(t), Some(e)) = (t.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                t.insert(k.clone(), v.clone());
            }
        }
        json!({"trackers": [t], "hosts": [{"host": "api.mixpanel.com", "tracker": "mixpanel"}]})
    }

    #[test]
    fn one_block_per_changed_sdk() {
        let old = doc("4.0", 45, "aa", json!({}));
        let new = doc(
            "4.1",
            48,
            "bb",
            json!({"data_from_app": [{"kind": "email", "key": "$email", "at": "com.example.Main.login",
                                       "sdk_method": "com.mixpanel.android.mpmetrics.MixpanelAPI.track"}],
                   "data_access": [{"category": "android-id", "api": "android.provider.Settings$Secure.getString"}]}),
        );
        let c = sdk_changes(&old, &new);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].status, SdkStatus::Changed);
        assert_eq!(c[0].version, Some(("4.0".into(), "4.1".into())));
        assert_eq!(
            c[0].code,
            Some((
                "16 classes, 45 methods".into(),
                "16 classes, 48 methods".into()
            ))
        );
        let text = c[0].to_text();
        assert!(
            text.contains("  SDK MixPanel (mixpanel): changed\n"),
            "{text}"
        );
        assert!(text.contains("+ app data   email \"$email\" from com.example.Main.login into com.mixpanel.android.mpmetrics.MixpanelAPI.track"), "{text}");
        assert!(
            text.contains("+ data API   android-id (android.provider.Settings$Secure.getString)"),
            "{text}"
        );
        let j = c[0].to_json();
        assert_eq!(j["version"]["new"], "4.1");
        assert!(j.get("hosts_gained").is_none());
        // Nothing differs: no block. Removed: a block with what it had.
        assert!(sdk_changes(&old, &old).is_empty());
        let gone = sdk_changes(&old, &json!({"trackers": []}));
        assert_eq!(gone[0].status, SdkStatus::Removed);
        assert_eq!(gone[0].facets[2].1, vec!["api.mixpanel.com".to_string()]);
        assert_eq!(
            gone[0].facets[3].1,
            vec!["com.mixpanel.android.mpmetrics.InstallReferrerReceiver".to_string()]
        );
    }
}
