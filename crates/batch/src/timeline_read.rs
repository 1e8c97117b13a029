//! Reading a batch journal for `timeline` at app-store scale: streaming, in parallel, and
//! keeping each distinct piece of a row once.
//!
//! A journal of 100,000 rows is ~1.5 GB of JSON (most of it SDK evidence). Parsing it into
//! `serde_json::Value`s and holding them took 55 s and 11.7 GiB (BENCHMARKS.md, "Timeline at
//! scale"). Here lines are read in chunks and parsed in parallel (rayon) into borrowed
//! [`RowLite`]s whose big fields are `RawValue`s (located, not built); every field the timeline
//! and the diff need is hashed on its raw text and kept once in an interner (the releases of
//! one package repeat most of their permissions, components, signers and SDKs), so memory is
//! the distinct pieces, not the rows. SDK findings are reduced to what the SDK-level diff
//! compares (id, name, version, code, data APIs, app data, manifest evidence, call sites).

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};

/// Bytes of whole lines parsed per parallel chunk.
const CHUNK_BYTES: usize = 32 << 20;

/// The keys of a row kept whole (hashed on their raw text, parsed once per distinct text):
/// with the identifying fields and the SDK lists, all the timeline and the diff read.
pub(crate) const WHOLE: [&str; 10] = [
    "min_sdk",
    "target_sdk",
    "permissions",
    "components",
    "signing",
    "hosts",
    "pinning",
    "dex",
    "errors",
    "kind",
];

/// The borrowed view of one journal line.
#[derive(Deserialize)]
struct RowLite<'a> {
    #[serde(borrow, default)]
    file: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    sha256: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    package: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    version_code: Option<u64>,
    #[serde(borrow, default)]
    version_name: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    min_sdk: Option<&'a RawValue>,
    #[serde(borrow, default)]
    target_sdk: Option<&'a RawValue>,
    #[serde(borrow, default)]
    permissions: Option<&'a RawValue>,
    #[serde(borrow, default)]
    components: Option<&'a RawValue>,
    #[serde(borrow, default)]
    signing: Option<&'a RawValue>,
    #[serde(borrow, default)]
    hosts: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pinning: Option<&'a RawValue>,
    #[serde(borrow, default)]
    dex: Option<&'a RawValue>,
    #[serde(borrow, default)]
    errors: Option<&'a RawValue>,
    #[serde(borrow, default)]
    kind: Option<&'a RawValue>,
    #[serde(borrow, default)]
    trackers: Option<&'a RawValue>,
    #[serde(borrow, default)]
    libraries: Option<&'a RawValue>,
}

impl<'a> RowLite<'a> {
    fn whole(&self) -> [Option<&'a RawValue>; 10] {
        [
            self.min_sdk,
            self.target_sdk,
            self.permissions,
            self.components,
            self.signing,
            self.hosts,
            self.pinning,
            self.dex,
            self.errors,
            self.kind,
        ]
    }
}

/// A parsed line and the hashes of its pieces (index into `WHOLE`, or 10/11 for the SDKs).
type Parsed<'a> = (RowLite<'a>, Vec<(usize, u128)>);

/// One SDK finding, as much as the timeline and the SDK-level diff read of it.
#[derive(Deserialize)]
struct SdkLite<'a> {
    #[serde(borrow, default)]
    id: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    name: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    sdk_version: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    code: Option<&'a RawValue>,
    #[serde(borrow, default)]
    evidence: Vec<EvidenceLite<'a>>,
    #[serde(borrow, default)]
    data_access: Vec<DataAccessLite<'a>>,
    #[serde(borrow, default)]
    data_from_app: Option<&'a RawValue>,
    #[serde(borrow, default)]
    call_sites: Vec<CallSiteLite<'a>>,
}

#[derive(Deserialize)]
struct EvidenceLite<'a> {
    #[serde(borrow, default)]
    kind: std::borrow::Cow<'a, str>,
    #[serde(borrow, default)]
    value: std::borrow::Cow<'a, str>,
}

#[derive(Deserialize)]
struct DataAccessLite<'a> {
    #[serde(borrow, default)]
    category: std::borrow::Cow<'a, str>,
    #[serde(borrow, default)]
    api: std::borrow::Cow<'a, str>,
}

#[derive(Deserialize)]
struct CallSiteLite<'a> {
    #[serde(borrow, default)]
    caller: std::borrow::Cow<'a, str>,
}

/// The reduced SDK list (a JSON array of reduced findings).
fn reduce_sdks(raw: &RawValue) -> Value {
    let Ok(list) = serde_json::from_str::<Vec<SdkLite<'_>>>(raw.get()) else {
        return Value::Array(Vec::new());
    };
    Value::Array(
        list.into_iter()
            .map(|s| {
                let mut m = Map::new();
                m.insert("id".into(), json!(s.id));
                m.insert("name".into(), json!(s.name));
                m.insert("sdk_version".into(), json!(s.sdk_version));
                if let Some(c) = s
                    .code
                    .and_then(|c| serde_json::from_str::<Value>(c.get()).ok())
                {
                    m.insert("code".into(), c);
                }
                let manifest: Vec<Value> = s
                    .evidence
                    .iter()
                    .filter(|e| e.kind == "manifest")
                    .map(|e| json!({"kind": "manifest", "value": e.value}))
                    .collect();
                m.insert("evidence".into(), Value::Array(manifest));
                m.insert(
                    "data_access".into(),
                    Value::Array(
                        s.data_access
                            .iter()
                            .map(|d| json!({"category": d.category, "api": d.api}))
                            .collect(),
                    ),
                );
                if let Some(f) = s
                    .data_from_app
                    .and_then(|f| serde_json::from_str::<Value>(f.get()).ok())
                {
                    m.insert("data_from_app".into(), f);
                }
                m.insert(
                    "call_sites".into(),
                    Value::Array(
                        s.call_sites
                            .iter()
                            .map(|c| json!({"caller": c.caller}))
                            .collect(),
                    ),
                );
                Value::Object(m)
            })
            .collect(),
    )
}

/// A row as the timeline holds it: the identifying fields, and shared pieces.
#[derive(Debug, Clone)]
pub(crate) struct SlimRow {
    file: Option<String>,
    sha256: Option<String>,
    /// The package, when the row has a non-empty one.
    pub(crate) package: Option<String>,
    version_code: Option<u64>,
    version_name: Option<String>,
    parts: Vec<(&'static str, Arc<Value>)>,
}

impl SlimRow {
    /// SHA-256 of the file, if the row has one.
    pub(crate) fn sha256(&self) -> Option<&str> {
        self.sha256.as_deref()
    }

    /// The sort key of [`crate::timeline`]'s release order (version code, name, file).
    pub(crate) fn order_key(&self) -> (Option<u64>, String, String) {
        (
            self.version_code,
            self.version_name.clone().unwrap_or_default(),
            self.file.clone().unwrap_or_default(),
        )
    }

    /// The row as a (reduced) JSON document: what the diff and the release list read.
    pub(crate) fn to_doc(&self) -> Value {
        self.to_doc_with(|_| true)
    }

    /// [`SlimRow::to_doc`] with only the shared pieces whose key `keep` accepts.
    pub(crate) fn to_doc_with(&self, keep: impl Fn(&str) -> bool) -> Value {
        let mut m = Map::new();
        m.insert("file".into(), json!(self.file));
        if let Some(s) = &self.sha256 {
            m.insert("sha256".into(), json!(s));
        }
        if let Some(p) = &self.package {
            m.insert("package".into(), json!(p));
        }
        if let Some(v) = self.version_code {
            m.insert("version_code".into(), json!(v));
        }
        if let Some(v) = &self.version_name {
            m.insert("version_name".into(), json!(v));
        }
        for (k, v) in &self.parts {
            if keep(k) {
                m.insert((*k).to_string(), Value::clone(v));
            }
        }
        Value::Object(m)
    }

    fn part(&self, key: &str) -> Option<&Arc<Value>> {
        self.parts.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }
}

/// Pieces the SDK-level diff reads together: left out of a pair only when all are the same.
const SDK_GROUP: [&str; 4] = ["trackers", "libraries", "hosts", "pinning"];

/// The two documents `diff` compares for releases `a` → `b`, without the pieces both share
/// (the same interned piece: nothing to compare). Pieces the SDK-level diff reads together
/// (SDKs, hosts, pins) are left out only together.
pub(crate) fn pair_docs(a: &SlimRow, b: &SlimRow) -> (Value, Value) {
    let same = |k: &str| match (a.part(k), b.part(k)) {
        (Some(x), Some(y)) => Arc::ptr_eq(x, y),
        (None, None) => true,
        _ => false,
    };
    let sdk_same = SDK_GROUP.iter().all(|k| same(k));
    let keep = |k: &str| {
        if SDK_GROUP.contains(&k) {
            !sdk_same
        } else {
            !same(k)
        }
    };
    (a.to_doc_with(keep), b.to_doc_with(keep))
}

/// 128-bit hash of a piece's key and raw text: two 64-bit multiply-rotate lanes over 8-byte
/// words (one pass; SipHash twice was 9% of a 100,000-row timeline). Equal hashes are taken
/// as equal pieces; the journal is the user's own batch output, not an adversary's.
fn piece_hash(key: &str, raw: &str) -> u128 {
    const K1: u64 = 0x9e37_79b9_7f4a_7c15;
    const K2: u64 = 0xc2b2_ae3d_27d4_eb4f;
    let (mut a, mut b) = (K2 ^ key.len() as u64, K1 ^ raw.len() as u64);
    let mut mix = |w: u64| {
        a = (a ^ w).wrapping_mul(K1).rotate_left(29);
        b = (b ^ w.rotate_left(17)).wrapping_mul(K2).rotate_left(31);
    };
    for part in [key.as_bytes(), raw.as_bytes()] {
        let mut words = part.chunks_exact(8);
        for w in &mut words {
            let mut x = [0u8; 8];
            x.copy_from_slice(w);
            mix(u64::from_le_bytes(x));
        }
        let mut x = [0u8; 8];
        let rest = words.remainder();
        x[..rest.len()].copy_from_slice(rest);
        mix(u64::from_le_bytes(x) ^ 0xff);
    }
    let fin = |h: u64| {
        let h = (h ^ (h >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^ (h >> 33)
    };
    u128::from(fin(a)) << 64 | u128::from(fin(b))
}

/// Reads the journal at `path` into slim rows, in file order (lines that are not JSON objects
/// skipped, as [`crate::read_jsonl`] does). `package` keeps only that package's rows.
pub(crate) fn read_slim_rows(
    path: &std::path::Path,
    package: Option<&str>,
) -> std::io::Result<Vec<SlimRow>> {
    read_slim_rows_in(path, package, CHUNK_BYTES)
}

/// [`read_slim_rows`] with chunks of `chunk` bytes (small in tests, to cut lines across reads).
pub(crate) fn read_slim_rows_in(
    path: &std::path::Path,
    package: Option<&str>,
    chunk: usize,
) -> std::io::Result<Vec<SlimRow>> {
    let chunk = chunk.max(1);
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut interner: HashMap<u128, Arc<Value>> = HashMap::new();
    let mut out = Vec::new();
    // One buffer per chunk of whole lines (no allocation per line); a line longer than the
    // chunk grows it.
    let mut buf: Vec<u8> = Vec::new();
    let mut eof = false;
    loop {
        // Fill up to CHUNK_BYTES, then cut after the last newline (the rest carries over).
        let mut carry = Vec::new();
        let mut newline = buf.contains(&b'\n');
        while !eof && (buf.len() < chunk || !newline) {
            let start = buf.len();
            buf.resize(start + chunk.min(1 << 20), 0);
            let n = file.read(buf.get_mut(start..).unwrap_or_default())?;
            buf.truncate(start + n);
            newline |= buf.get(start..).is_some_and(|b| b.contains(&b'\n'));
            eof = n == 0;
        }
        if !eof {
            match buf.iter().rposition(|b| *b == b'\n') {
                Some(cut) => carry = buf.split_off(cut + 1),
                // (Not reached: the fill stops only at EOF or with a newline.)
                None => continue,
            }
        }
        if buf.is_empty() {
            return Ok(out);
        }
        let lines: Vec<&[u8]> = buf
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        // A: parse and hash in parallel.
        let parsed: Vec<Option<Parsed<'_>>> = lines
            .par_iter()
            .map(|l| {
                let text = std::str::from_utf8(l).ok()?;
                let row: RowLite<'_> = serde_json::from_str(text.trim_end()).ok()?;
                if package.is_some_and(|p| row.package.as_deref() != Some(p)) {
                    return None;
                }
                let mut hashes = Vec::new();
                for (i, raw) in row.whole().iter().enumerate() {
                    if let (Some(raw), Some(k)) = (raw, WHOLE.get(i)) {
                        hashes.push((i, piece_hash(k, raw.get())));
                    }
                }
                for (i, raw) in [(10, row.trackers), (11, row.libraries)] {
                    if let Some(raw) = raw {
                        let k = if i == 10 { "trackers" } else { "libraries" };
                        hashes.push((i, piece_hash(k, raw.get())));
                    }
                }
                Some((row, hashes))
            })
            .collect();
        // B: the pieces not seen yet (once each).
        let mut todo: Vec<(u128, usize, &RawValue)> = Vec::new();
        let mut queued: std::collections::HashSet<u128> = std::collections::HashSet::new();
        for (row, hashes) in parsed.iter().flatten() {
            let whole = row.whole();
            for &(i, h) in hashes {
                if interner.contains_key(&h) || !queued.insert(h) {
                    continue;
                }
                let raw = match i {
                    10 => row.trackers,
                    11 => row.libraries,
                    _ => whole.get(i).copied().flatten(),
                };
                if let Some(raw) = raw {
                    todo.push((h, i, raw));
                }
            }
        }
        // C: build them in parallel.
        let built: Vec<(u128, Value)> = todo
            .par_iter()
            .map(|&(h, i, raw)| {
                let v = if i >= 10 {
                    reduce_sdks(raw)
                } else {
                    serde_json::from_str::<Value>(raw.get()).unwrap_or(Value::Null)
                };
                (h, v)
            })
            .collect();
        for (h, v) in built {
            interner.insert(h, Arc::new(v));
        }
        // D: the slim rows, in order.
        for (row, hashes) in parsed.into_iter().flatten() {
            let parts = hashes
                .iter()
                .filter_map(|&(i, h)| {
                    let k = match i {
                        10 => "trackers",
                        11 => "libraries",
                        _ => WHOLE.get(i)?,
                    };
                    Some((k, Arc::clone(interner.get(&h)?)))
                })
                .collect();
            out.push(SlimRow {
                file: row.file.map(|s| s.into_owned()),
                sha256: row.sha256.map(|s| s.into_owned()),
                package: row
                    .package
                    .map(|s| s.into_owned())
                    .filter(|p| !p.is_empty()),
                version_code: row.version_code,
                version_name: row.version_name.map(|s| s.into_owned()),
                parts,
            });
        }
        drop(lines);
        buf = carry;
        if eof && buf.is_empty() {
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pkg: &str, code: u64, sha: &str, hosts: &[&str], sdk_methods: u64) -> Value {
        json!({
            "file": format!("{pkg}-{code}.apk"), "sha256": sha, "kind": "apk",
            "package": pkg, "version_code": code, "version_name": format!("1.{code}"),
            "permissions": ["android.permission.INTERNET"],
            "dex": {"files": 1},
            "hosts": hosts.iter().map(|h| json!({"host": h, "tracker": "mixpanel"})).collect::<Vec<_>>(),
            "trackers": [{"id": "mixpanel", "name": "MixPanel", "sdk_version": null,
                          "code": {"classes": 3, "methods": sdk_methods, "digest": format!("{sdk_methods:016x}")},
                          "evidence": [{"kind": "class", "value": "com.mixpanel.X", "location": "classes.dex"},
                                       {"kind": "manifest", "value": "com.mixpanel.R", "location": "AndroidManifest.xml"}],
                          "data_access": [], "call_sites": []}],
            "libraries": [],
            "errors": [],
        })
    }

    /// The streamed timeline equals the in-memory one on the same rows, for any chunk size
    /// (lines cut across reads), with duplicates, rows without a package and bad lines.
    #[test]
    fn streamed_timeline_equals_in_memory() {
        let rows = vec![
            row("a", 3, "s3", &["api.mixpanel.com"], 48),
            row("a", 1, "s1", &["api.mixpanel.com"], 45),
            row("b", 1, "t1", &[], 10),
            row(
                "a",
                2,
                "s2",
                &["api.mixpanel.com", "decide.mixpanel.com"],
                45,
            ),
            row(
                "a",
                2,
                "s2",
                &["api.mixpanel.com", "decide.mixpanel.com"],
                45,
            ),
            json!({"file": "broken.apk", "errors": ["not an app"], "trackers": []}),
            row("b", 2, "t2", &[], 10),
        ];
        let mut text = String::new();
        for r in &rows {
            text.push_str(&r.to_string());
            text.push('\n');
        }
        text.push_str("not json\n\n");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.jsonl");
        std::fs::write(&path, &text).unwrap();
        let want = crate::timeline_report(rows.clone().into_iter(), None).to_json();
        for chunk in [1, 7, 100, 1 << 20] {
            let slim = read_slim_rows_in(&path, None, chunk).unwrap();
            let got = crate::timeline::timeline_from_slim_for_tests(slim);
            assert_eq!(got.to_json(), want, "chunk {chunk}");
        }
        let tl = crate::timeline_from_jsonl(&path, None).unwrap();
        let a = &tl.packages[0];
        assert_eq!(a.releases.len(), 3, "duplicate sha counted once");
        let text = a.to_text();
        assert!(text.contains("+ host       decide.mixpanel.com"), "{text}");
        assert!(
            text.contains("code         3 classes, 45 methods -> 3 classes, 48 methods"),
            "{text}"
        );
        let mut out = Vec::new();
        tl.write_json(&mut out).unwrap();
        assert_eq!(serde_json::from_slice::<Value>(&out).unwrap(), tl.to_json());
    }
}
