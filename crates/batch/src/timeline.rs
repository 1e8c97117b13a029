//! Per-package timelines: the releases of each package in version order, the diff between
//! consecutive releases, and each tracker's span (first and last release it is in).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::{json, Map, Value};

use crate::diff::{diff, trackers, Diff};
use crate::util::{arr, opt_str, opt_u64, str_of, strs, tracker_key};

/// One release of a package in a [`PackageTimeline`] (or a row without a package in
/// [`Timeline::without_package`]).
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
    /// Tracker keys present (sorted; empty for an unreadable release).
    pub trackers: Vec<String>,
    /// The SDK version of each of `trackers` (same order), when known.
    pub tracker_versions: Vec<Option<String>>,
    /// The app could not be read ([`crate::unreadable`]): its trackers say nothing, it is left
    /// out of tracker spans and diffs.
    pub unreadable: bool,
    /// The first of the row's `errors`, if any.
    pub error: Option<String>,
}

impl Release {
    /// `name (code)` as shown in renderings; `-` when the row has neither.
    pub fn label(&self) -> String {
        match (&self.version_name, self.version_code) {
            (Some(n), Some(c)) => format!("{n} ({c})"),
            (Some(n), None) => n.clone(),
            (None, Some(c)) => c.to_string(),
            (None, None) => "-".to_string(),
        }
    }

    fn from_doc(d: &Value) -> Release {
        let unreadable = crate::unreadable(d);
        Release {
            file: str_of(d, "file").to_string(),
            sha256: opt_str(d, "sha256").map(str::to_string),
            version_code: opt_u64(d, "version_code"),
            version_name: opt_str(d, "version_name").map(str::to_string),
            trackers: if unreadable {
                Vec::new()
            } else {
                trackers(d).into_keys().collect()
            },
            tracker_versions: if unreadable {
                Vec::new()
            } else {
                trackers(d)
                    .into_values()
                    .map(|(_, v)| (v != "-").then_some(v))
                    .collect()
            },
            unreadable,
            error: strs(d, "errors").next().map(str::to_string),
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "file": self.file, "sha256": self.sha256, "version_code": self.version_code,
            "version_name": self.version_name, "trackers": self.trackers,
            "unreadable": self.unreadable, "error": self.error,
        })
    }

    /// What the text rendering says instead of a tracker count.
    fn status(&self) -> String {
        if self.unreadable {
            format!(
                "could not be read: {}",
                self.error.as_deref().unwrap_or("(no error recorded)")
            )
        } else {
            let n = self.trackers.len();
            format!("{n} tracker{}", if n == 1 { "" } else { "s" })
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

/// A diff between two releases of a [`PackageTimeline`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseDiff {
    /// Index of the older release in [`PackageTimeline::releases`].
    pub from: usize,
    /// Index of the newer release.
    pub to: usize,
    /// What changed.
    pub diff: Diff,
}

/// The history of one package over its scanned releases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageTimeline {
    /// Package name.
    pub package: String,
    /// Releases, ordered by version code, then version name, then file (unreadable ones
    /// included, marked).
    pub releases: Vec<Release>,
    /// Trackers ever seen in a readable release, by first appearance then id.
    pub trackers: Vec<TrackerSpan>,
    /// Each readable release compared with the next readable one.
    pub diffs: Vec<ReleaseDiff>,
}

/// Everything `trackscan timeline` shows: one [`PackageTimeline`] per package, and the rows
/// that carry no package (apps that could not be read, bare DEX files), which belong to none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timeline {
    /// Packages, sorted by name.
    pub packages: Vec<PackageTimeline>,
    /// Rows without a package, in input order (empty when a package was asked for).
    pub without_package: Vec<Release>,
}

/// Keys kept from each row for the timeline besides its pieces
/// ([`crate::timeline_read::WHOLE`]) and SDK lists: what identifies the release. The rest, e.g.
/// evidence, is dropped to bound memory: all rows of a package are held at once.
const IDENTITY: &[&str] = &["file", "sha256", "package", "version_code", "version_name"];

fn slim(doc: &Value) -> Value {
    let mut m = Map::new();
    for k in IDENTITY.iter().chain(&crate::timeline_read::WHOLE) {
        if let Some(v) = doc.get(*k) {
            m.insert((*k).to_string(), v.clone());
        }
    }
    for k in ["trackers", "libraries"] {
        m.insert(
            k.into(),
            Value::Array(arr(doc, k).iter().map(slim_sdk).collect()),
        );
    }
    Value::Object(m)
}

/// What the timeline and the SDK-level diff read of a finding (the same reduction as
/// `timeline_read::reduce_sdks`).
fn slim_sdk(t: &Value) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(tracker_key(t)));
    m.insert("name".into(), json!(str_of(t, "name")));
    m.insert(
        "sdk_version".into(),
        t.get("sdk_version").cloned().unwrap_or(Value::Null),
    );
    if let Some(c) = t.get("code") {
        m.insert("code".into(), c.clone());
    }
    let manifest: Vec<Value> = arr(t, "evidence")
        .iter()
        .filter(|e| str_of(e, "kind") == "manifest")
        .map(|e| json!({"kind": "manifest", "value": str_of(e, "value")}))
        .collect();
    m.insert("evidence".into(), Value::Array(manifest));
    let data: Vec<Value> = arr(t, "data_access")
        .iter()
        .map(|d| json!({"category": str_of(d, "category"), "api": str_of(d, "api")}))
        .collect();
    m.insert("data_access".into(), Value::Array(data));
    if let Some(f) = t.get("data_from_app") {
        m.insert("data_from_app".into(), f.clone());
    }
    let calls: Vec<Value> = arr(t, "call_sites")
        .iter()
        .map(|c| json!({"caller": str_of(c, "caller")}))
        .collect();
    m.insert("call_sites".into(), Value::Array(calls));
    Value::Object(m)
}

/// [`timeline_report`]'s packages only (rows without a package dropped).
pub fn timeline(rows: impl Iterator<Item = Value>, package: Option<&str>) -> Vec<PackageTimeline> {
    timeline_report(rows, package).packages
}

/// Groups rows by package (rows with the same sha256 within a package count once), orders
/// each package's releases by version code, version name, then file, and computes tracker
/// spans and diffs between consecutive readable releases; unreadable releases stay in the
/// list, marked. Rows without a package are kept aside in [`Timeline::without_package`].
/// `package` restricts the output to one package (and then drops the rows without one).
pub fn timeline_report(rows: impl Iterator<Item = Value>, package: Option<&str>) -> Timeline {
    let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    let mut without_package = Vec::new();
    for row in rows {
        let Some(p) = opt_str(&row, "package").filter(|p| !p.is_empty()) else {
            if package.is_none() && row.is_object() {
                without_package.push(Release::from_doc(&row));
            }
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
    let packages = groups
        .into_iter()
        .map(|(package, docs)| package_timeline(package, docs))
        .collect();
    Timeline {
        packages,
        without_package,
    }
}

/// One package's timeline from its (reduced) documents, in any order.
fn package_timeline(package: String, mut docs: Vec<Value>) -> PackageTimeline {
    docs.sort_by(release_order);
    package_timeline_sorted(package, &docs, |a, b| match (docs.get(a), docs.get(b)) {
        (Some(a), Some(b)) => diff(a, b),
        _ => Diff::default(),
    })
}

/// The order of a package's releases: version code, version name, file.
fn release_order(a: &Value, b: &Value) -> std::cmp::Ordering {
    opt_u64(a, "version_code")
        .cmp(&opt_u64(b, "version_code"))
        .then_with(|| str_of(a, "version_name").cmp(str_of(b, "version_name")))
        .then_with(|| str_of(a, "file").cmp(str_of(b, "file")))
}

/// [`package_timeline`] over documents already in release order; `differ(i, j)` compares
/// releases `i` and `j` (indices into `docs`).
fn package_timeline_sorted(
    package: String,
    docs: &[Value],
    differ: impl Fn(usize, usize) -> Diff,
) -> PackageTimeline {
    let releases: Vec<Release> = docs.iter().map(Release::from_doc).collect();
    let mut spans: Vec<TrackerSpan> = Vec::new();
    let mut readable: Vec<usize> = Vec::new();
    for (i, (d, r)) in docs.iter().zip(&releases).enumerate() {
        if r.unreadable {
            continue;
        }
        readable.push(i);
        let label = r.label();
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
    let diffs = readable
        .windows(2)
        .filter_map(|w| match w {
            [a, b] => Some(ReleaseDiff {
                from: *a,
                to: *b,
                diff: differ(*a, *b),
            }),
            _ => None,
        })
        .collect();
    PackageTimeline {
        package,
        releases,
        trackers: spans,
        diffs,
    }
}

/// [`timeline_report`] over a batch journal file, streamed: lines are parsed in parallel and
/// each distinct piece of a row is kept once ([`crate::timeline_read`]); only one package's
/// documents are built at a time. The result is the same as `timeline_report` over the file's
/// rows.
pub fn timeline_from_jsonl(
    path: &std::path::Path,
    package: Option<&str>,
) -> std::io::Result<Timeline> {
    timeline_from_slim(
        crate::timeline_read::read_slim_rows(path, package)?,
        package,
    )
}

/// [`timeline_from_slim`] for the reader's tests.
#[cfg(test)]
pub(crate) fn timeline_from_slim_for_tests(rows: Vec<crate::timeline_read::SlimRow>) -> Timeline {
    timeline_from_slim(rows, None).unwrap_or_default()
}

fn timeline_from_slim(
    rows: Vec<crate::timeline_read::SlimRow>,
    package: Option<&str>,
) -> std::io::Result<Timeline> {
    let mut groups: BTreeMap<String, Vec<crate::timeline_read::SlimRow>> = BTreeMap::new();
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    let mut without_package = Vec::new();
    for row in rows {
        let Some(p) = row.package.clone() else {
            if package.is_none() {
                without_package.push(Release::from_doc(&row.to_doc()));
            }
            continue;
        };
        if let Some(sha) = row.sha256() {
            if !seen.insert((p.clone(), sha.to_string())) {
                continue;
            }
        }
        groups.entry(p).or_default().push(row);
    }
    // Packages are independent: built in parallel, collected in package order.
    use rayon::prelude::*;
    let groups: Vec<(String, Vec<crate::timeline_read::SlimRow>)> = groups.into_iter().collect();
    let packages = groups
        .into_par_iter()
        .map(|(package, mut rows)| {
            // What the release list and the spans read; the diff builds its own pair.
            let keys = |k: &str| matches!(k, "errors" | "kind" | "dex" | "trackers");
            rows.sort_by_cached_key(|r| r.order_key());
            let docs: Vec<Value> = rows.iter().map(|r| r.to_doc_with(keys)).collect();
            package_timeline_sorted(package, &docs, |i, j| match (rows.get(i), rows.get(j)) {
                (Some(a), Some(b)) => {
                    let (a, b) = crate::timeline_read::pair_docs(a, b);
                    diff(&a, &b)
                }
                _ => Diff::default(),
            })
        })
        .collect();
    Ok(Timeline {
        packages,
        without_package,
    })
}

/// Width of the widest string (in chars) of `items`, at least `min`.
fn width<'a>(items: impl Iterator<Item = &'a str>, min: usize) -> usize {
    items.map(|s| s.chars().count()).fold(min, usize::max)
}

impl PackageTimeline {
    /// `{package, releases:[{file, sha256, version_code, version_name, trackers, unreadable,
    /// error}], trackers:[{id, name, first, last, releases}], diffs:[Diff::to_json + from, to]}`
    /// (`from`/`to`: indices into `releases`).
    pub fn to_json(&self) -> Value {
        json!({
            "package": self.package,
            "releases": self.releases.iter().map(Release::to_json).collect::<Vec<_>>(),
            "trackers": self.trackers.iter().map(|t| json!({
                "id": t.id, "name": t.name, "first": t.first, "last": t.last, "releases": t.releases,
            })).collect::<Vec<_>>(),
            "diffs": self.diffs.iter().map(|d| {
                let mut j = d.diff.to_json();
                if let Some(m) = j.as_object_mut() {
                    m.insert("from".into(), json!(d.from));
                    m.insert("to".into(), json!(d.to));
                }
                j
            }).collect::<Vec<_>>(),
        })
    }

    /// A text rendering: releases, a tracker first/last table, then each diff. Columns are as
    /// wide as their widest cell.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let readable = self.releases.iter().filter(|r| !r.unreadable).count();
        let unreadable = self.releases.len().saturating_sub(readable);
        let n = self.releases.len();
        let _ = write!(
            s,
            "{} ({n} release{}",
            self.package,
            if n == 1 { "" } else { "s" }
        );
        if unreadable > 0 {
            let _ = write!(s, ", {unreadable} could not be read");
        }
        let _ = writeln!(s, ")");
        let labels: Vec<String> = self.releases.iter().map(Release::label).collect();
        let statuses: Vec<String> = self.releases.iter().map(Release::status).collect();
        let wl = width(labels.iter().map(String::as_str), "VERSION".len());
        let ws = width(statuses.iter().map(String::as_str), "STATUS".len());
        let _ = writeln!(s, "  {:<wl$}  {:<ws$}  FILE", "VERSION", "STATUS");
        for ((r, l), st) in self.releases.iter().zip(&labels).zip(&statuses) {
            let _ = writeln!(s, "  {l:<wl$}  {st:<ws$}  {}", r.file);
        }
        if !self.trackers.is_empty() {
            let wn = width(
                self.trackers.iter().map(|t| t.name.as_str()),
                "TRACKER".len(),
            );
            let wf = width(
                self.trackers.iter().map(|t| t.first.as_str()),
                "FIRST".len(),
            );
            let wla = width(self.trackers.iter().map(|t| t.last.as_str()), "LAST".len());
            let _ = writeln!(
                s,
                "  {:<wn$}  {:<wf$}  {:<wla$}  RELEASES",
                "TRACKER", "FIRST", "LAST"
            );
            for t in &self.trackers {
                let _ = writeln!(
                    s,
                    "  {:<wn$}  {:<wf$}  {:<wla$}  {}/{readable}",
                    t.name, t.first, t.last, t.releases
                );
            }
        }
        for d in &self.diffs {
            for line in d.diff.to_text().lines() {
                let _ = writeln!(s, "  {line}");
            }
        }
        s
    }
}

impl Timeline {
    /// A JSON array: one [`PackageTimeline::to_json`] per package, then, when some rows carry
    /// no package, a last entry `{"package": null, "releases": [...], "trackers": [],
    /// "diffs": []}` listing them (each with `unreadable` and `error`).
    pub fn to_json(&self) -> Value {
        let mut v: Vec<Value> = self.packages.iter().map(PackageTimeline::to_json).collect();
        if !self.without_package.is_empty() {
            v.push(json!({
                "package": null,
                "releases": self.without_package.iter().map(Release::to_json).collect::<Vec<_>>(),
                "trackers": [],
                "diffs": [],
            }));
        }
        Value::Array(v)
    }

    /// [`Timeline::to_json`], pretty-printed into `w` one package at a time (the whole
    /// document is never built: at 100,000 rows it would take more memory than the timeline).
    pub fn write_json(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        struct Packages<'t>(&'t Timeline);
        impl serde::Serialize for Packages<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeSeq;
                let t = self.0;
                let extra = usize::from(!t.without_package.is_empty());
                let mut seq = s.serialize_seq(Some(t.packages.len() + extra))?;
                for p in &t.packages {
                    seq.serialize_element(&p.to_json())?;
                }
                if extra == 1 {
                    seq.serialize_element(&json!({
                        "package": null,
                        "releases": t.without_package.iter().map(Release::to_json).collect::<Vec<_>>(),
                        "trackers": [],
                        "diffs": [],
                    }))?;
                }
                seq.end()
            }
        }
        serde_json::to_writer_pretty(&mut *w, &Packages(self))?;
        writeln!(w)
    }

    /// [`Timeline::to_text`] into `w`, one package at a time.
    pub fn write_text(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        for t in &self.packages {
            writeln!(w, "{}", t.to_text())?;
        }
        let rest = Timeline {
            packages: Vec::new(),
            without_package: self.without_package.clone(),
        };
        w.write_all(rest.to_text().as_bytes())
    }

    /// Every package's [`PackageTimeline::to_text`], then the rows without a package.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        for t in &self.packages {
            let _ = writeln!(s, "{}", t.to_text());
        }
        if !self.without_package.is_empty() {
            let n = self.without_package.len();
            let _ = writeln!(
                s,
                "without a package ({n} row{}, in no timeline)",
                if n == 1 { "" } else { "s" }
            );
            let what = |r: &Release| {
                if r.unreadable {
                    r.status()
                } else {
                    "read, but no package name (e.g. a bare DEX)".to_string()
                }
            };
            let wf = width(
                self.without_package.iter().map(|r| r.file.as_str()),
                "FILE".len(),
            );
            for r in &self.without_package {
                let _ = writeln!(s, "  {:<wf$}  {}", r.file, what(r));
            }
        }
        s
    }

    /// True when there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.packages.is_empty() && self.without_package.is_empty()
    }
}
