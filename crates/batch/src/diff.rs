//! Version diffs between two per-app documents, and per-package timelines.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::{json, Map, Value};

use crate::util::{arr, obj, opt_bool, opt_str, opt_u64, str_of, strs, tracker_key, version_label};

/// One changed value: `what` went from `old` to `new`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The thing that changed (a tracker id, a host, a component name...).
    pub what: String,
    /// The old value (`-` when absent).
    pub old: String,
    /// The new value (`-` when absent).
    pub new: String,
}

impl Change {
    fn json(&self) -> Value {
        json!({"what": self.what, "old": self.old, "new": self.new})
    }
}

/// What differs between two versions of an app. Every list is sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    /// `package version (code)` of the old document.
    pub old_label: String,
    /// `package version (code)` of the new document.
    pub new_label: String,
    /// The package name changed.
    pub package: Option<Change>,
    /// The version (name and/or code) changed.
    pub version: Option<Change>,
    /// `minSdkVersion` changed.
    pub min_sdk: Option<Change>,
    /// `targetSdkVersion` changed.
    pub target_sdk: Option<Change>,
    /// RED FLAG: the set of signing certificates (SHA-256) changed.
    pub signing: Option<Change>,
    /// Trackers present only in the new version (`name (id)`).
    pub trackers_added: Vec<String>,
    /// Trackers present only in the old version.
    pub trackers_removed: Vec<String>,
    /// Other SDKs (non-tracker libraries) only in the new version (`name (id)`).
    pub libraries_added: Vec<String>,
    /// Other SDKs only in the old version.
    pub libraries_removed: Vec<String>,
    /// Trackers in both whose detected SDK version changed.
    pub sdk_versions_changed: Vec<Change>,
    /// Hosts only in the new version.
    pub hosts_added: Vec<String>,
    /// Hosts only in the old version.
    pub hosts_removed: Vec<String>,
    /// Permissions only in the new version.
    pub permissions_added: Vec<String>,
    /// Permissions only in the old version.
    pub permissions_removed: Vec<String>,
    /// Pinned hosts only in the new version.
    pub pinned_hosts_added: Vec<String>,
    /// Pinned hosts only in the old version.
    pub pinned_hosts_removed: Vec<String>,
    /// Pinned hosts in both whose pin set changed.
    pub pins_changed: Vec<Change>,
    /// Components only in the new version (`kind name`).
    pub components_added: Vec<String>,
    /// Components only in the old version.
    pub components_removed: Vec<String>,
    /// Components in both whose effective export state changed.
    pub exported_changed: Vec<Change>,
}

fn set<'a>(it: impl Iterator<Item = &'a str>) -> BTreeSet<String> {
    it.filter(|s| !s.is_empty()).map(str::to_string).collect()
}

fn added_removed(old: &BTreeSet<String>, new: &BTreeSet<String>) -> (Vec<String>, Vec<String>) {
    (
        new.difference(old).cloned().collect(),
        old.difference(new).cloned().collect(),
    )
}

fn opt_change(what: &str, old: String, new: String) -> Option<Change> {
    (old != new).then(|| Change {
        what: what.to_string(),
        old,
        new,
    })
}

fn num(v: &Value, key: &str) -> String {
    opt_u64(v, key).map_or_else(|| "-".to_string(), |n| n.to_string())
}

fn label(doc: &Value) -> String {
    format!(
        "{} {}",
        opt_str(doc, "package").unwrap_or("?"),
        version_label(doc)
    )
}

/// tracker key -> (display name, sdk version)
fn trackers(doc: &Value) -> BTreeMap<String, (String, String)> {
    arr(doc, "trackers")
        .iter()
        .map(|t| {
            let key = tracker_key(t).to_string();
            let name = opt_str(t, "name").unwrap_or(&key).to_string();
            let v = opt_str(t, "sdk_version").unwrap_or("-").to_string();
            (key, (name, v))
        })
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

fn certs(doc: &Value) -> BTreeSet<String> {
    set(arr(obj(doc, "signing"), "certificates")
        .iter()
        .map(|c| str_of(c, "sha256")))
}

/// host -> sorted pins `algorithm/digest`
fn pins(doc: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in arr(doc, "pinning") {
        let host = str_of(p, "host");
        if host.is_empty() {
            continue;
        }
        let e = m.entry(host.to_string()).or_default();
        for pin in arr(p, "pins") {
            e.insert(format!(
                "{}/{}",
                str_of(pin, "algorithm"),
                str_of(pin, "digest")
            ));
        }
    }
    m
}

/// `kind name` -> exported_effective
fn components(doc: &Value) -> BTreeMap<String, bool> {
    arr(doc, "components")
        .iter()
        .filter(|c| !str_of(c, "name").is_empty())
        .map(|c| {
            let exp = opt_bool(c, "exported_effective")
                .or_else(|| opt_bool(c, "exported"))
                .unwrap_or(false);
            (format!("{} {}", str_of(c, "kind"), str_of(c, "name")), exp)
        })
        .collect()
}

/// One side of a diff read from a file's bytes: `None` when the bytes are not JSON (an app to
/// scan instead), else the trackscan document they hold (a pretty-printed document, or the
/// first line of a JSON Lines file), or an error naming `name`.
pub fn read_document(name: &str, bytes: &[u8]) -> Option<Result<Value, String>> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return None;
    }
    let text = String::from_utf8_lossy(bytes);
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    // A pretty-printed document spans lines; a JSON Lines file holds one per line.
    Some(
        serde_json::from_str(&text)
            .or_else(|_| serde_json::from_str(line))
            .map_err(|e| format!("{name}: not a trackscan JSON document: {e}")),
    )
}

/// Compares two per-app documents (missing keys read as empty).
pub fn diff(old: &Value, new: &Value) -> Diff {
    let mut d = Diff {
        old_label: label(old),
        new_label: label(new),
        ..Diff::default()
    };
    d.package = opt_change(
        "package",
        str_of(old, "package").to_string(),
        str_of(new, "package").to_string(),
    );
    d.version = opt_change("version", version_label(old), version_label(new));
    d.min_sdk = opt_change("min_sdk", num(old, "min_sdk"), num(new, "min_sdk"));
    d.target_sdk = opt_change("target_sdk", num(old, "target_sdk"), num(new, "target_sdk"));
    let (co, cn) = (certs(old), certs(new));
    if co != cn && !(co.is_empty() && cn.is_empty()) {
        let j = |s: &BTreeSet<String>| {
            if s.is_empty() {
                "-".to_string()
            } else {
                s.iter().cloned().collect::<Vec<_>>().join(",")
            }
        };
        d.signing = Some(Change {
            what: "signing certificate".into(),
            old: j(&co),
            new: j(&cn),
        });
    }
    let (to, tn) = (trackers(old), trackers(new));
    for (k, (name, v)) in &tn {
        match to.get(k) {
            None => d.trackers_added.push(format!("{name} ({k})")),
            Some((_, ov)) if ov != v => d.sdk_versions_changed.push(Change {
                what: format!("{name} ({k})"),
                old: ov.clone(),
                new: v.clone(),
            }),
            Some(_) => {}
        }
    }
    for (k, (name, _)) in &to {
        if !tn.contains_key(k) {
            d.trackers_removed.push(format!("{name} ({k})"));
        }
    }
    let libraries = |doc: &Value| {
        arr(doc, "libraries")
            .iter()
            .map(|l| {
                let key = tracker_key(l);
                format!("{} ({key})", opt_str(l, "name").unwrap_or(key))
            })
            .collect::<BTreeSet<String>>()
    };
    (d.libraries_added, d.libraries_removed) = added_removed(&libraries(old), &libraries(new));
    let hosts = |doc: &Value| set(arr(doc, "hosts").iter().map(|h| str_of(h, "host")));
    (d.hosts_added, d.hosts_removed) = added_removed(&hosts(old), &hosts(new));
    let perms = |doc: &Value| set(strs(doc, "permissions"));
    (d.permissions_added, d.permissions_removed) = added_removed(&perms(old), &perms(new));
    let (po, pn) = (pins(old), pins(new));
    for (h, p) in &pn {
        match po.get(h) {
            None => d.pinned_hosts_added.push(h.clone()),
            Some(op) if op != p => d.pins_changed.push(Change {
                what: h.clone(),
                old: op.iter().cloned().collect::<Vec<_>>().join(","),
                new: p.iter().cloned().collect::<Vec<_>>().join(","),
            }),
            Some(_) => {}
        }
    }
    d.pinned_hosts_removed = po
        .keys()
        .filter(|h| !pn.contains_key(*h))
        .cloned()
        .collect();
    let (cmo, cmn) = (components(old), components(new));
    for (c, e) in &cmn {
        match cmo.get(c) {
            None => d.components_added.push(c.clone()),
            Some(oe) if oe != e => d.exported_changed.push(Change {
                what: c.clone(),
                old: if *oe { "exported" } else { "not exported" }.into(),
                new: if *e { "exported" } else { "not exported" }.into(),
            }),
            Some(_) => {}
        }
    }
    d.components_removed = cmo
        .keys()
        .filter(|c| !cmn.contains_key(*c))
        .cloned()
        .collect();
    d
}

impl Diff {
    /// True when nothing tracked differs.
    pub fn is_empty(&self) -> bool {
        let Diff {
            old_label: _,
            new_label: _,
            package,
            version,
            min_sdk,
            target_sdk,
            signing,
            trackers_added,
            trackers_removed,
            libraries_added,
            libraries_removed,
            sdk_versions_changed,
            hosts_added,
            hosts_removed,
            permissions_added,
            permissions_removed,
            pinned_hosts_added,
            pinned_hosts_removed,
            pins_changed,
            components_added,
            components_removed,
            exported_changed,
        } = self;
        [package, version, min_sdk, target_sdk, signing]
            .iter()
            .all(|o| o.is_none())
            && [
                trackers_added,
                trackers_removed,
                libraries_added,
                libraries_removed,
                hosts_added,
                hosts_removed,
                permissions_added,
                permissions_removed,
                pinned_hosts_added,
                pinned_hosts_removed,
                components_added,
                components_removed,
            ]
            .iter()
            .all(|v| v.is_empty())
            && [sdk_versions_changed, pins_changed, exported_changed]
                .iter()
                .all(|v| v.is_empty())
    }

    /// The diff as JSON: `old`, `new`, `signing_changed` (bool, the red flag),
    /// then one key per non-empty section (`*_added`/`*_removed` string arrays,
    /// changes as `{what, old, new}`).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("old".into(), json!(self.old_label));
        m.insert("new".into(), json!(self.new_label));
        m.insert("signing_changed".into(), json!(self.signing.is_some()));
        for (k, c) in [
            ("signing", &self.signing),
            ("package", &self.package),
            ("version", &self.version),
            ("min_sdk", &self.min_sdk),
            ("target_sdk", &self.target_sdk),
        ] {
            if let Some(c) = c {
                m.insert(k.into(), c.json());
            }
        }
        for (k, v) in self.lists() {
            if !v.is_empty() {
                m.insert(k.into(), json!(v));
            }
        }
        for (k, v) in self.changes() {
            if !v.is_empty() {
                m.insert(k.into(), Value::Array(v.iter().map(Change::json).collect()));
            }
        }
        Value::Object(m)
    }

    fn lists(&self) -> [(&'static str, &Vec<String>); 12] {
        [
            ("trackers_added", &self.trackers_added),
            ("trackers_removed", &self.trackers_removed),
            ("libraries_added", &self.libraries_added),
            ("libraries_removed", &self.libraries_removed),
            ("hosts_added", &self.hosts_added),
            ("hosts_removed", &self.hosts_removed),
            ("permissions_added", &self.permissions_added),
            ("permissions_removed", &self.permissions_removed),
            ("pinned_hosts_added", &self.pinned_hosts_added),
            ("pinned_hosts_removed", &self.pinned_hosts_removed),
            ("components_added", &self.components_added),
            ("components_removed", &self.components_removed),
        ]
    }

    fn changes(&self) -> [(&'static str, &Vec<Change>); 3] {
        [
            ("sdk_versions_changed", &self.sdk_versions_changed),
            ("pins_changed", &self.pins_changed),
            ("exported_changed", &self.exported_changed),
        ]
    }

    /// A human-readable rendering; a signing change comes first, in capitals.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{} -> {}", self.old_label, self.new_label);
        if let Some(c) = &self.signing {
            let _ = writeln!(s, "  !!! SIGNING CERTIFICATE CHANGED !!!");
            let _ = writeln!(s, "      old: {}", c.old);
            let _ = writeln!(s, "      new: {}", c.new);
        }
        for c in [
            &self.package,
            &self.version,
            &self.min_sdk,
            &self.target_sdk,
        ]
        .into_iter()
        .flatten()
        {
            let _ = writeln!(s, "  {:<20} {} -> {}", c.what, c.old, c.new);
        }
        for (k, v) in self.lists() {
            let sign = if k.ends_with("_added") { '+' } else { '-' };
            for item in v {
                let _ = writeln!(
                    s,
                    "  {sign} {:<18} {item}",
                    k.trim_end_matches("_added").trim_end_matches("_removed")
                );
            }
        }
        for (k, v) in self.changes() {
            for c in v {
                let _ = writeln!(s, "  ~ {k:<18} {}: {} -> {}", c.what, c.old, c.new);
            }
        }
        if self.is_empty() {
            let _ = writeln!(s, "  (no changes)");
        }
        s
    }
}

/// One release of a package in a [`PackageTimeline`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// The input file.
    pub file: String,
    /// SHA-256 of the file, if known.
    pub sha256: Option<String>,
    /// `versionCode`.
    pub version_code: Option<u64>,
    /// `versionName`.
    pub version_name: Option<String>,
    /// Tracker keys present (sorted).
    pub trackers: Vec<String>,
}

impl Release {
    /// `name (code)` as shown in renderings.
    pub fn label(&self) -> String {
        match (&self.version_name, self.version_code) {
            (Some(n), Some(c)) => format!("{n} ({c})"),
            (Some(n), None) => n.clone(),
            (None, Some(c)) => c.to_string(),
            (None, None) => self.file.clone(),
        }
    }
}

/// When a tracker was first and last seen in a package's releases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackerSpan {
    /// Tracker id.
    pub id: String,
    /// Tracker name.
    pub name: String,
    /// Label of the first release containing it.
    pub first: String,
    /// Label of the last release containing it.
    pub last: String,
    /// In how many releases it is present.
    pub releases: usize,
}

/// The history of one package over its scanned releases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageTimeline {
    /// Package name.
    pub package: String,
    /// Releases, ordered by version code, then version name, then file.
    pub releases: Vec<Release>,
    /// Trackers ever seen, by first appearance then id.
    pub trackers: Vec<TrackerSpan>,
    /// `diffs[i]` compares `releases[i]` with `releases[i + 1]`.
    pub diffs: Vec<Diff>,
}

/// Keys kept from each row for the timeline (the rest, e.g. evidence, is dropped
/// to bound memory: all rows of a package are held at once).
const KEEP: &[&str] = &[
    "file",
    "sha256",
    "package",
    "version_code",
    "version_name",
    "min_sdk",
    "target_sdk",
    "permissions",
    "components",
    "signing",
    "hosts",
    "pinning",
];

fn slim(doc: &Value) -> Value {
    let mut m = Map::new();
    for k in KEEP {
        if let Some(v) = doc.get(*k) {
            m.insert((*k).to_string(), v.clone());
        }
    }
    let trackers: Vec<Value> = arr(doc, "trackers")
        .iter()
        .map(|t| {
            json!({"id": tracker_key(t), "name": str_of(t, "name"), "sdk_version": t.get("sdk_version").cloned().unwrap_or(Value::Null)})
        })
        .collect();
    m.insert("trackers".into(), Value::Array(trackers));
    Value::Object(m)
}

/// Groups rows by package (rows without a package are skipped; rows with the
/// same sha256 within a package count once), orders each package's releases
/// by version code, version name, then file, and computes tracker spans and
/// consecutive diffs. `package` restricts the output to one package.
/// Packages are returned sorted by name.
pub fn timeline(rows: impl Iterator<Item = Value>, package: Option<&str>) -> Vec<PackageTimeline> {
    let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    for row in rows {
        let Some(p) = opt_str(&row, "package").filter(|p| !p.is_empty()) else {
            continue;
        };
        if package.is_some_and(|want| want != p) {
            continue;
        }
        if let Some(sha) = opt_str(&row, "sha256") {
            if !seen.insert((p.to_string(), sha.to_string())) {
                continue;
            }
        }
        groups.entry(p.to_string()).or_default().push(slim(&row));
    }
    groups
        .into_iter()
        .map(|(package, mut docs)| {
            docs.sort_by(|a, b| {
                opt_u64(a, "version_code")
                    .cmp(&opt_u64(b, "version_code"))
                    .then_with(|| str_of(a, "version_name").cmp(str_of(b, "version_name")))
                    .then_with(|| str_of(a, "file").cmp(str_of(b, "file")))
            });
            let releases: Vec<Release> = docs
                .iter()
                .map(|d| Release {
                    file: str_of(d, "file").to_string(),
                    sha256: opt_str(d, "sha256").map(str::to_string),
                    version_code: opt_u64(d, "version_code"),
                    version_name: opt_str(d, "version_name").map(str::to_string),
                    trackers: trackers(d).into_keys().collect(),
                })
                .collect();
            let mut spans: Vec<TrackerSpan> = Vec::new();
            for (i, d) in docs.iter().enumerate() {
                let label = releases.get(i).map(Release::label).unwrap_or_default();
                for (id, (name, _)) in trackers(d) {
                    match spans.iter_mut().find(|s| s.id == id) {
                        Some(s) => {
                            s.last = label.clone();
                            s.releases = s.releases.saturating_add(1);
                        }
                        None => spans.push(TrackerSpan {
                            id,
                            name,
                            first: label.clone(),
                            last: label.clone(),
                            releases: 1,
                        }),
                    }
                }
            }
            let diffs = docs.windows(2).map(|w| match w {
                [a, b] => diff(a, b),
                _ => Diff::default(),
            });
            PackageTimeline {
                package,
                releases,
                trackers: spans,
                diffs: diffs.collect(),
            }
        })
        .collect()
}

impl PackageTimeline {
    /// `{package, releases:[{file, sha256, version_code, version_name, trackers}],
    /// trackers:[{id, name, first, last, releases}], diffs:[Diff::to_json]}`.
    pub fn to_json(&self) -> Value {
        json!({
            "package": self.package,
            "releases": self.releases.iter().map(|r| json!({
                "file": r.file, "sha256": r.sha256, "version_code": r.version_code,
                "version_name": r.version_name, "trackers": r.trackers,
            })).collect::<Vec<_>>(),
            "trackers": self.trackers.iter().map(|t| json!({
                "id": t.id, "name": t.name, "first": t.first, "last": t.last, "releases": t.releases,
            })).collect::<Vec<_>>(),
            "diffs": self.diffs.iter().map(Diff::to_json).collect::<Vec<_>>(),
        })
    }

    /// A text rendering: releases, a tracker first/last table, then each diff.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{} ({} releases)", self.package, self.releases.len());
        for r in &self.releases {
            let _ = writeln!(
                s,
                "  {:<24} {:>3} trackers  {}",
                r.label(),
                r.trackers.len(),
                r.file
            );
        }
        if !self.trackers.is_empty() {
            let _ = writeln!(
                s,
                "  {:<32} {:<20} {:<20} RELEASES",
                "TRACKER", "FIRST", "LAST"
            );
            for t in &self.trackers {
                let _ = writeln!(
                    s,
                    "  {:<32} {:<20} {:<20} {}/{}",
                    t.name,
                    t.first,
                    t.last,
                    t.releases,
                    self.releases.len()
                );
            }
        }
        for d in &self.diffs {
            for line in d.to_text().lines() {
                let _ = writeln!(s, "  {line}");
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_document_forms() {
        assert!(read_document("a.apk", b"PK\x03\x04").is_none());
        let pretty = b"{\n  \"package\": \"a\"\n}\n";
        assert_eq!(read_document("x", pretty).unwrap().unwrap()["package"], "a");
        let jsonl = b"{\"package\": \"a\"}\n{\"package\": \"b\"}\n";
        assert_eq!(read_document("x", jsonl).unwrap().unwrap()["package"], "a");
        let bad = read_document("bad.json", b"{ nope").unwrap().unwrap_err();
        assert!(
            bad.starts_with("bad.json: not a trackscan JSON document"),
            "{bad}"
        );
    }

    fn v1() -> Value {
        json!({
            "file": "a-1.apk", "sha256": "aa", "package": "com.ex", "version_code": 1, "version_name": "1.0",
            "min_sdk": 21, "target_sdk": 30,
            "permissions": ["android.permission.INTERNET", "android.permission.CAMERA"],
            "components": [{"kind": "activity", "name": "com.ex.Main", "exported": true, "exported_effective": true},
                           {"kind": "service", "name": "com.ex.Sync", "exported_effective": false}],
            "signing": {"certificates": [{"sha256": "c1"}]},
            "trackers": [{"id": "admob", "name": "AdMob", "sdk_version": "20.0"},
                         {"id": "flurry", "name": "Flurry"}],
            "hosts": [{"host": "a.example"}, {"host": "b.example"}],
            "pinning": [{"host": "p.example", "pins": [{"algorithm": "sha256", "digest": "X"}]}]
        })
    }

    fn v2() -> Value {
        json!({
            "file": "a-2.apk", "sha256": "bb", "package": "com.ex", "version_code": 2, "version_name": "1.1",
            "min_sdk": 23, "target_sdk": 30,
            "permissions": ["android.permission.INTERNET", "android.permission.RECORD_AUDIO"],
            "components": [{"kind": "activity", "name": "com.ex.Main", "exported_effective": true},
                           {"kind": "service", "name": "com.ex.Sync", "exported_effective": true},
                           {"kind": "receiver", "name": "com.ex.Boot", "exported_effective": false}],
            "signing": {"certificates": [{"sha256": "c2"}]},
            "trackers": [{"id": "admob", "name": "AdMob", "sdk_version": "21.0"},
                         {"id": "fb", "name": "Facebook"}],
            "hosts": [{"host": "b.example"}, {"host": "c.example"}],
            "pinning": [{"host": "p.example", "pins": [{"algorithm": "sha256", "digest": "Y"}]},
                        {"host": "q.example", "pins": []}]
        })
    }

    #[test]
    fn diff_sections() {
        let d = diff(&v1(), &v2());
        assert_eq!(d.trackers_added, vec!["Facebook (fb)"]);
        assert_eq!(d.trackers_removed, vec!["Flurry (flurry)"]);
        assert_eq!(d.sdk_versions_changed.len(), 1);
        assert_eq!(d.sdk_versions_changed[0].old, "20.0");
        assert_eq!(d.hosts_added, vec!["c.example"]);
        assert_eq!(d.hosts_removed, vec!["a.example"]);
        assert_eq!(d.permissions_added, vec!["android.permission.RECORD_AUDIO"]);
        assert_eq!(d.permissions_removed, vec!["android.permission.CAMERA"]);
        assert_eq!(d.pinned_hosts_added, vec!["q.example"]);
        assert_eq!(d.pins_changed.len(), 1);
        assert_eq!(d.components_added, vec!["receiver com.ex.Boot"]);
        assert_eq!(d.exported_changed[0].what, "service com.ex.Sync");
        assert!(d.signing.is_some());
        assert_eq!(d.min_sdk.as_ref().map(|c| c.new.as_str()), Some("23"));
        assert!(d.target_sdk.is_none());
        assert!(d.version.is_some());
        assert!(d.package.is_none());
        let text = d.to_text();
        let first_lines: Vec<&str> = text.lines().take(2).collect();
        assert!(
            first_lines[1].contains("SIGNING CERTIFICATE CHANGED"),
            "{text}"
        );
        assert!(text.contains("+ trackers"));
        let j = d.to_json();
        assert_eq!(j["signing_changed"], true);
        assert_eq!(j["trackers_added"][0], "Facebook (fb)");
        assert_eq!(j["exported_changed"][0]["new"], "exported");
    }

    #[test]
    fn diff_of_same_is_empty() {
        let d = diff(&v1(), &v1());
        assert!(d.is_empty(), "{d:?}");
        assert!(d.to_text().contains("(no changes)"));
        assert_eq!(d.to_json()["signing_changed"], false);
        // Missing keys everywhere: no panic, empty diff.
        assert!(diff(&json!({}), &json!(null)).is_empty());
        assert!(!diff(&json!({}), &v1()).is_empty());
    }

    #[test]
    fn timeline_orders_and_spans() {
        let mut v3 = v2();
        v3["file"] = json!("a-3.apk");
        v3["sha256"] = json!("cc");
        v3["version_code"] = json!(3);
        v3["trackers"] = json!([{"id": "fb", "name": "Facebook"}]);
        let other = json!({"file": "z.apk", "package": "org.other", "version_code": 9});
        let dup = v1(); // same sha256 as v1: counted once
        let rows = vec![
            v3,
            other,
            v1(),
            json!({"file": "err.apk", "errors": ["bad"]}),
            v2(),
            dup,
        ];
        let tl = timeline(rows.clone().into_iter(), None);
        assert_eq!(tl.len(), 2);
        let t = &tl[0];
        assert_eq!(t.package, "com.ex");
        let codes: Vec<_> = t.releases.iter().map(|r| r.version_code).collect();
        assert_eq!(codes, vec![Some(1), Some(2), Some(3)]);
        assert_eq!(t.diffs.len(), 2);
        let admob = t.trackers.iter().find(|s| s.id == "admob");
        assert_eq!(
            admob.map(|s| (s.first.as_str(), s.last.as_str(), s.releases)),
            Some(("1.0 (1)", "1.1 (2)", 2))
        );
        let fb = t.trackers.iter().find(|s| s.id == "fb");
        assert_eq!(
            fb.map(|s| (s.first.as_str(), s.last.as_str())),
            Some(("1.1 (2)", "1.1 (3)"))
        );
        assert_eq!(t.diffs[1].trackers_removed, vec!["AdMob (admob)"]);
        let only = timeline(rows.into_iter(), Some("org.other"));
        assert_eq!(only.len(), 1);
        assert!(only[0].diffs.is_empty());
        let j = t.to_json();
        assert_eq!(j["releases"].as_array().map(Vec::len), Some(3));
        assert!(t.to_text().contains("Facebook"));
    }
}

#[cfg(test)]
mod library_diff_tests {
    use super::*;

    #[test]
    fn libraries_added_and_removed_are_listed() {
        let old = json!({"package": "p", "libraries": [{"id": "okhttp3", "name": "OkHttp 3"}]});
        let new = json!({"package": "p", "libraries": [{"id": "stetho", "name": "Stetho"}]});
        let d = diff(&old, &new);
        assert_eq!(d.libraries_added, ["Stetho (stetho)"]);
        assert_eq!(d.libraries_removed, ["OkHttp 3 (okhttp3)"]);
        assert!(!d.is_empty());
        assert_eq!(d.to_json()["libraries_added"][0], "Stetho (stetho)");
        assert!(diff(&old, &old).is_empty());
    }
}
