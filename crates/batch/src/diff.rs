//! Version diffs between two per-app documents (timelines of many releases are in
//! [`crate::timeline`]).

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
    /// The signer changed (or the certificate set did while the signer stayed): `what` is the
    /// [`SigningKind`] as text, `old`/`new` the signer certificates' SHA-256 (`-` when unsigned).
    pub signing: Option<Change>,
    /// How the signing identity changed; `None` when the certificate sets are equal.
    pub signing_kind: Option<SigningKind>,
    /// For a [`SigningKind::Rotation`] (or [`SigningKind::RolledBack`]): the v3 proof-of-rotation
    /// lineage that proves it, oldest first (`sha256 (subject)`).
    pub signing_proof: Vec<String>,
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
    /// Trackers in both whose own code changed (`code` of the finding: classes, methods,
    /// digest): `old`/`new` are `N classes, M methods`, with the digest when the counts are
    /// equal.
    pub sdk_code_changed: Vec<Change>,
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
    /// One block per SDK (tracker or library) that differs ([`crate::sdk_diff`]): version, code, data
    /// APIs, app data, hosts, manifest entries, pins and call sites gained or lost.
    pub sdks: Vec<crate::sdk_diff::SdkChange>,
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
pub(crate) fn trackers(doc: &Value) -> BTreeMap<String, (String, String)> {
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

/// tracker key -> (classes, methods, digest) of the finding's `code`, for findings that have it.
fn sdk_code(doc: &Value) -> BTreeMap<String, (u64, u64, String)> {
    arr(doc, "trackers")
        .iter()
        .filter_map(|t| {
            let c = t.get("code")?;
            let digest = opt_str(c, "digest")?.to_string();
            Some((
                tracker_key(t).to_string(),
                (
                    opt_u64(c, "classes").unwrap_or(0),
                    opt_u64(c, "methods").unwrap_or(0),
                    digest,
                ),
            ))
        })
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

fn certs(doc: &Value) -> BTreeSet<String> {
    set(arr(obj(doc, "signing"), "certificates")
        .iter()
        .map(|c| str_of(c, "sha256")))
}

/// How the signing identity changed between two releases (APK Signature Scheme v3 key rotation
/// as Android checks it: an update may be signed by a later key of the lineage the new APK
/// carries, and by an earlier one only if that lineage grants it; nothing else installs over
/// the old release).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningKind {
    /// The signer is the same certificate; only the set around it changed (e.g. a scheme
    /// added or dropped, or a rotation's old v1/v2 signer retired).
    SameKey,
    /// The new signer follows the old one in the new release's v3 proof-of-rotation lineage.
    Rotation,
    /// The new signer precedes the old one in the old release's lineage (a rollback to an
    /// earlier key, which Android allows only when the lineage grants it).
    RolledBack,
    /// One side carries no signer certificate at all: an unsigned (stripped or unfinished)
    /// copy, which Android cannot install.
    Unsigned,
    /// A different key with no lineage linking them: a different publisher or a re-signed
    /// copy. The red flag.
    DifferentKey,
}

impl SigningKind {
    /// `same_key`, `rotation`, `rolled_back`, `unsigned` or `different_key` (the JSON form).
    pub fn as_str(self) -> &'static str {
        match self {
            SigningKind::SameKey => "same_key",
            SigningKind::Rotation => "rotation",
            SigningKind::RolledBack => "rolled_back",
            SigningKind::Unsigned => "unsigned",
            SigningKind::DifferentKey => "different_key",
        }
    }

    /// Whether this change is the red flag: a different key, or an unsigned side.
    pub fn is_red_flag(self) -> bool {
        matches!(self, SigningKind::Unsigned | SigningKind::DifferentKey)
    }
}

/// The signer certificates of a document: those of its newest scheme (v3.1, else v3, else v2,
/// else v1 — what a current Android verifies), else every certificate. SHA-256, sorted.
fn signer_certs(doc: &Value) -> BTreeSet<String> {
    let all = arr(obj(doc, "signing"), "certificates");
    for scheme in ["v3.1", "v3", "v2", "v1"] {
        let s = set(all
            .iter()
            .filter(|c| strs(c, "schemes").any(|x| x == scheme))
            .map(|c| str_of(c, "sha256")));
        if !s.is_empty() {
            return s;
        }
    }
    certs(doc)
}

/// The v3 lineage of a document, oldest first: `(sha256, subject)`.
fn lineage(doc: &Value) -> Vec<(String, String)> {
    arr(obj(doc, "signing"), "lineage")
        .iter()
        .map(|c| {
            (
                str_of(c, "sha256").to_string(),
                str_of(c, "subject").to_string(),
            )
        })
        .filter(|(h, _)| !h.is_empty())
        .collect()
}

/// True when every `from` certificate comes before every `to` certificate in `lineage`.
fn precedes(lineage: &[(String, String)], from: &BTreeSet<String>, to: &BTreeSet<String>) -> bool {
    let pos = |h: &String| lineage.iter().position(|(l, _)| l == h);
    let (Some(last_from), Some(first_to)) = (
        from.iter()
            .map(pos)
            .collect::<Option<Vec<_>>>()
            .and_then(|v| v.into_iter().max()),
        to.iter()
            .map(pos)
            .collect::<Option<Vec<_>>>()
            .and_then(|v| v.into_iter().min()),
    ) else {
        return false;
    };
    last_from < first_to
}

/// Classifies the signing change from `old` to `new`; `None` when the certificate sets are
/// equal (including both unsigned). The proof is the lineage that shows a rotation.
fn signing_change(old: &Value, new: &Value) -> Option<(SigningKind, Vec<String>)> {
    if certs(old) == certs(new) {
        return None;
    }
    let (so, sn) = (signer_certs(old), signer_certs(new));
    let proof = |l: Vec<(String, String)>| {
        l.into_iter()
            .map(|(h, s)| {
                if s.is_empty() {
                    h
                } else {
                    format!("{h} ({s})")
                }
            })
            .collect::<Vec<_>>()
    };
    Some(if so.is_empty() || sn.is_empty() {
        (SigningKind::Unsigned, Vec::new())
    } else if so == sn {
        (SigningKind::SameKey, Vec::new())
    } else if precedes(&lineage(new), &so, &sn) {
        (SigningKind::Rotation, proof(lineage(new)))
    } else if precedes(&lineage(old), &sn, &so) {
        (SigningKind::RolledBack, proof(lineage(old)))
    } else {
        (SigningKind::DifferentKey, Vec::new())
    })
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

/// One side of a diff read from `path`, as `trackscan diff` and the Python wheel's `load_side`
/// read it: the document the file holds ([`read_document`]), else the document `scan` makes of
/// the app (given the file's bytes, or `None` for a directory: an apktool tree). An app whose
/// manifest could not be read is an error: its first error.
pub fn load_side(
    path: &std::path::Path,
    scan: impl FnOnce(Option<&[u8]>) -> Result<Value, String>,
) -> Result<Value, String> {
    let name = path.display().to_string();
    let bytes = if path.is_dir() {
        None
    } else {
        Some(std::fs::read(path).map_err(|e| format!("{name}: {e}"))?)
    };
    if let Some(doc) = bytes.as_deref().and_then(|b| read_document(&name, b)) {
        return doc;
    }
    let doc = scan(bytes.as_deref())?;
    if doc.get("package").is_none_or(Value::is_null) {
        if let Some(e) = doc
            .get("errors")
            .and_then(|e| e.get(0))
            .and_then(Value::as_str)
        {
            return Err(e.to_string());
        }
    }
    Ok(doc)
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
    if let Some((kind, proof)) = signing_change(old, new) {
        let j = |s: &BTreeSet<String>| {
            if s.is_empty() {
                "-".to_string()
            } else {
                s.iter().cloned().collect::<Vec<_>>().join(",")
            }
        };
        // The same signer: show how the set around it changed.
        let (o, n) = if kind == SigningKind::SameKey {
            (certs(old), certs(new))
        } else {
            (signer_certs(old), signer_certs(new))
        };
        d.signing = Some(Change {
            what: kind.as_str().into(),
            old: j(&o),
            new: j(&n),
        });
        d.signing_kind = Some(kind);
        d.signing_proof = proof;
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
    let (co, cn) = (sdk_code(old), sdk_code(new));
    for (k, n) in &cn {
        let (Some(o), Some((name, _))) = (co.get(k), tn.get(k)) else {
            continue;
        };
        if o.2 != n.2 {
            let show = |c: &(u64, u64, String)| {
                let counts = format!("{} classes, {} methods", c.0, c.1);
                if (o.0, o.1) == (n.0, n.1) {
                    format!("{counts} (digest {})", c.2)
                } else {
                    counts
                }
            };
            d.sdk_code_changed.push(Change {
                what: format!("{name} ({k})"),
                old: show(o),
                new: show(n),
            });
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
    d.sdks = crate::sdk_diff::sdk_changes(old, new);
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
            signing_kind: _,
            signing_proof: _,
            trackers_added,
            trackers_removed,
            libraries_added,
            libraries_removed,
            sdk_versions_changed,
            sdk_code_changed,
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
            sdks,
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
            && [
                sdk_versions_changed,
                sdk_code_changed,
                pins_changed,
                exported_changed,
            ]
            .iter()
            .all(|v| v.is_empty())
            && sdks.is_empty()
    }

    /// Whether the signing change is the red flag ([`SigningKind::is_red_flag`]).
    pub fn signing_red_flag(&self) -> bool {
        self.signing_kind.is_some_and(SigningKind::is_red_flag)
    }

    /// The diff as JSON: `old`, `new`, `signing_changed` (bool, the red flag: a different key
    /// or an unsigned side), `signing` (`{kind, old, new, proof}` when the certificate sets
    /// differ), then one key per non-empty section (`*_added`/`*_removed` string arrays,
    /// changes as `{what, old, new}`).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("old".into(), json!(self.old_label));
        m.insert("new".into(), json!(self.new_label));
        m.insert("signing_changed".into(), json!(self.signing_red_flag()));
        if let (Some(c), Some(k)) = (&self.signing, self.signing_kind) {
            m.insert(
                "signing".into(),
                json!({"kind": k.as_str(), "old": c.old, "new": c.new, "proof": self.signing_proof}),
            );
        }
        for (k, c) in [
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
        if !self.sdks.is_empty() {
            m.insert(
                "sdks".into(),
                Value::Array(self.sdks.iter().map(|c| c.to_json()).collect()),
            );
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

    fn changes(&self) -> [(&'static str, &Vec<Change>); 4] {
        [
            ("sdk_versions_changed", &self.sdk_versions_changed),
            ("sdk_code_changed", &self.sdk_code_changed),
            ("pins_changed", &self.pins_changed),
            ("exported_changed", &self.exported_changed),
        ]
    }

    /// A human-readable rendering; a signing change comes first (in capitals when it is the
    /// red flag).
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{} -> {}", self.old_label, self.new_label);
        if let (Some(c), Some(k)) = (&self.signing, self.signing_kind) {
            let headline = match k {
                SigningKind::DifferentKey => {
                    "!!! SIGNING KEY CHANGED: a different key, no rotation proof (Android would not install this over the old release) !!!"
                }
                SigningKind::Unsigned if c.new == "-" => {
                    "!!! UNSIGNED COPY: the new release carries no signature !!!"
                }
                SigningKind::Unsigned => "signing: the old release was unsigned; the new one is signed",
                SigningKind::Rotation => {
                    "signing key rotated (APK Signature Scheme v3 lineage proves old -> new)"
                }
                SigningKind::RolledBack => {
                    "signing key rolled back to an earlier key of the old release's v3 lineage"
                }
                SigningKind::SameKey => "signing: same key (the certificate set around it changed)",
            };
            let _ = writeln!(s, "  {headline}");
            let _ = writeln!(s, "      old: {}", c.old);
            let _ = writeln!(s, "      new: {}", c.new);
            if !self.signing_proof.is_empty() {
                let _ = writeln!(s, "      lineage: {}", self.signing_proof.join(" -> "));
            }
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
            // SDK versions and code are told in the SDK blocks below.
            if k.starts_with("sdk_") {
                continue;
            }
            for c in v {
                let _ = writeln!(s, "  ~ {k:<18} {}: {} -> {}", c.what, c.old, c.new);
            }
        }
        for c in &self.sdks {
            s.push_str(&c.to_text());
        }
        if self.is_empty() {
            let _ = writeln!(s, "  (no changes)");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::*;

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
        assert!(first_lines[1].contains("SIGNING KEY CHANGED"), "{text}");
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
        assert_eq!(t.diffs[1].diff.trackers_removed, vec!["AdMob (admob)"]);
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

#[cfg(test)]
mod manners_tests {
    use super::*;
    use crate::timeline::*;

    fn cert(sha: &str, schemes: &[&str]) -> Value {
        json!({"sha256": sha, "subject": format!("CN={sha}"), "schemes": schemes})
    }

    fn signed(certs: Vec<Value>, lineage: &[&str]) -> Value {
        let lineage: Vec<Value> = lineage.iter().map(|h| cert(h, &["v3"])).collect();
        json!({"package": "com.ex", "signing": {"certificates": certs, "lineage": lineage}})
    }

    #[test]
    fn signing_changes_are_told_apart() {
        let a = signed(vec![cert("A", &["v1", "v2", "v3"])], &[]);
        // Same key: no change at all.
        assert!(diff(&a, &a).signing_kind.is_none());
        // v3 rotation with lineage: v1/v2 still A, v3 B, lineage A -> B.
        let rot = signed(
            vec![cert("A", &["v1", "v2"]), cert("B", &["v3"])],
            &["A", "B"],
        );
        let d = diff(&a, &rot);
        assert_eq!(d.signing_kind, Some(SigningKind::Rotation));
        assert!(!d.signing_red_flag());
        assert_eq!(d.signing_proof, ["A (CN=A)", "B (CN=B)"]);
        let t = d.to_text();
        assert!(
            t.contains("rotated") && t.contains("lineage: A (CN=A) -> B (CN=B)"),
            "{t}"
        );
        assert!(!t.contains("!!!"), "{t}");
        let j = d.to_json();
        assert_eq!(j["signing_changed"], false);
        assert_eq!(j["signing"]["kind"], "rotation");
        assert_eq!(j["signing"]["old"], "A");
        assert_eq!(j["signing"]["new"], "B");
        // After the rotation, the old v1/v2 signer retired: the same key (B) signs.
        let only_b = signed(vec![cert("B", &["v1", "v2", "v3"])], &["A", "B"]);
        assert_eq!(diff(&rot, &only_b).signing_kind, Some(SigningKind::SameKey));
        assert!(!diff(&rot, &only_b).signing_red_flag());
        // Back from B to A: A precedes B in the old release's lineage.
        assert_eq!(
            diff(&only_b, &a).signing_kind,
            Some(SigningKind::RolledBack)
        );
        // An unsigned copy.
        let unsigned = json!({"package": "com.ex", "signing": {"certificates": []}});
        let d = diff(&a, &unsigned);
        assert_eq!(d.signing_kind, Some(SigningKind::Unsigned));
        assert!(d.signing_red_flag());
        assert!(d.to_text().contains("UNSIGNED COPY"), "{}", d.to_text());
        assert!(!diff(&unsigned, &a).to_text().contains("UNSIGNED COPY"));
        assert!(diff(&unsigned, &unsigned).signing_kind.is_none());
        // A different key, no lineage: the red flag.
        let c = signed(vec![cert("C", &["v2", "v3"])], &[]);
        let d = diff(&a, &c);
        assert_eq!(d.signing_kind, Some(SigningKind::DifferentKey));
        assert_eq!(d.to_json()["signing_changed"], true);
        assert!(d.to_text().contains("SIGNING KEY CHANGED"));
        // A lineage that does not hold the old key proves nothing.
        let d_rot = signed(vec![cert("D", &["v3"])], &["C", "D"]);
        assert_eq!(
            diff(&a, &d_rot).signing_kind,
            Some(SigningKind::DifferentKey)
        );
        // A lineage in the wrong order is no rotation either.
        let back = signed(vec![cert("B", &["v3"])], &["B", "A"]);
        assert_eq!(
            diff(&a, &back).signing_kind,
            Some(SigningKind::DifferentKey)
        );
    }

    #[test]
    fn timeline_lists_unreadable_and_dashes_missing_versions() {
        let ok = |file: &str, code: u64, name: &str, trackers: Value| {
            json!({"file": file, "sha256": file, "package": "com.ex", "version_code": code,
                   "version_name": name, "dex": {"files": 1}, "trackers": trackers})
        };
        let rows = vec![
            ok(
                "/d/a1.apk",
                1,
                "1.0",
                json!([{"id": "fb", "name": "Facebook"}]),
            ),
            // Manifest read, code not: unreadable, in the package but out of spans and diffs.
            json!({"file": "/d/a2.apk", "sha256": "x2", "package": "com.ex", "version_code": 2,
                   "dex": {"files": 0}, "errors": ["classes.dex: truncated"]}),
            ok(
                "/d/a3.apk",
                3,
                "3.0.0-beta.20240101+build.123456789",
                json!([{"id": "fb", "name": "Facebook"}]),
            ),
            // No version at all.
            json!({"file": "/d/noversion.apk", "sha256": "nv", "package": "org.nover", "dex": {"files": 1}}),
            // No package: a failed download.
            json!({"file": "/d/broken.apk", "errors": ["/d/broken.apk: not a zip"]}),
        ];
        let tl = timeline_report(rows.clone().into_iter(), None);
        let ex = &tl.packages[0];
        assert_eq!(ex.releases.len(), 3);
        assert!(ex.releases[1].unreadable);
        assert!(ex.releases[1].trackers.is_empty());
        // The unreadable release makes no "Facebook removed / added" diff.
        assert_eq!(ex.diffs.len(), 1);
        assert_eq!((ex.diffs[0].from, ex.diffs[0].to), (0, 2));
        assert!(ex.diffs[0].diff.trackers_removed.is_empty());
        assert_eq!(ex.trackers[0].releases, 2);
        let text = tl.to_text();
        assert!(
            text.contains("could not be read: classes.dex: truncated"),
            "{text}"
        );
        assert!(
            text.contains("/d/broken.apk  could not be read: /d/broken.apk: not a zip"),
            "{text}"
        );
        // A missing version is "-", never the file path.
        let nover = &tl.packages[1];
        assert_eq!(nover.releases[0].label(), "-");
        let nover_text = nover.to_text();
        let line = nover_text
            .lines()
            .find(|l| l.contains("noversion.apk"))
            .unwrap();
        assert!(line.trim_start().starts_with("- "), "{nover_text}");
        assert_eq!(
            nover_text.matches("noversion.apk").count(),
            1,
            "{nover_text}"
        );
        // Columns fit their content: the status and file columns start at the same offset on
        // every release line, however long the version.
        let ex_text = ex.to_text();
        let lines: Vec<&str> = ex_text.lines().filter(|l| l.contains("/d/a")).collect();
        assert_eq!(lines.len(), 3, "{ex_text}");
        let at = |l: &str, pat: &str| l.find(pat).unwrap();
        let file_col: Vec<usize> = lines.iter().map(|l| at(l, "/d/a")).collect();
        assert!(file_col.windows(2).all(|w| w[0] == w[1]), "{ex_text}");
        for l in &lines {
            let label_end = l.trim_start().split("  ").next().unwrap();
            assert!(!label_end.is_empty());
        }
        let spans: Vec<&str> = ex_text
            .lines()
            .filter(|l| l.contains("Facebook") || l.contains("TRACKER"))
            .collect();
        let rel_col: Vec<usize> = spans.iter().map(|l| l.rfind("  ").unwrap()).collect();
        assert!(rel_col.windows(2).all(|w| w[0] == w[1]), "{ex_text}");
        // JSON: the unreadable release is marked; rows without a package come last.
        let j = tl.to_json();
        assert_eq!(j[0]["releases"][1]["unreadable"], true);
        assert_eq!(j[0]["diffs"][0]["from"], 0);
        let last = j.as_array().unwrap().last().unwrap();
        assert!(last["package"].is_null());
        assert_eq!(last["releases"][0]["file"], "/d/broken.apk");
        assert_eq!(last["releases"][0]["unreadable"], true);
        // Asking for one package leaves the package-less rows out.
        assert!(timeline_report(rows.into_iter(), Some("com.ex"))
            .without_package
            .is_empty());
    }
}
