//! The SDK library: library fingerprints ([`crate::libfp`]) of every reachable vendor release
//! of every SDK, deduplicated across releases, and matching an app against it.
//!
//! # Data
//!
//! Per SDK (`onesignal`, `play-services`, …) the releases in release order; per distinct class
//! record (a class as [`LibClass`] sees it, under its original name) one [`Entry`] with the
//! set of releases that hold it (a class 40 releases share is stored once). Every token of
//! every entry is stored once in a sorted pool and entries refer to it by index; the strong
//! methods ([`crate::libfp::STRONG_TOKENS`]) have a posting list (which entries hold them).
//!
//! # Matching
//!
//! An app class can be a library class after shrinking and renaming when its parts are a
//! subset of the library class's ([`LibClass::within`]). Each app class that has a strong
//! method is looked up by its rarest strong method; every entry holding it is checked.
//! [`Library::match_app`] returns, per SDK, the app classes that match its entries and no
//! other SDK's, and which releases could hold them; [`SdkMatch::versions`] turns that into the
//! release (or the range of consecutive releases) that best explains the app.
//!
//! # File format (`signatures/sdk.library`)
//!
//! Little-endian, versioned by its magic [`MAGIC`]: the SDK table (id, releases), the name
//! table, the token pool, the entries (SDK, name, superclass, interfaces, fields, methods,
//! strong methods as pool indices, release bit set). Every count is checked against the bytes
//! left before anything is allocated; a bad file is an error carrying the offset.

use std::collections::HashMap;

use crate::libfp::{subset, LibClass};

/// Magic and format version of the library file.
pub const MAGIC: &[u8; 8] = b"TSLIB02\n";

/// One SDK of the library: its id and its releases in release order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibSdk {
    /// SDK id (`onesignal`, `play-services`).
    pub id: String,
    /// Release versions, oldest first.
    pub versions: Vec<String>,
}

/// One distinct class record of one SDK. Its lists (interfaces, fields, methods, strong
/// methods: sorted pool indices) and its release bit set live in the library's flat arrays
/// ([`Library::ifaces`], [`Library::releases`], …): no allocation per entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Index into [`Library::sdks`].
    pub sdk: u16,
    /// Index into [`Library::names`]: the class's name in the vendor's build.
    pub name: u32,
    /// Superclass (pool index).
    pub sup: u32,
    /// Start of its lists in the library's list array.
    at: u32,
    /// Lengths of its interfaces, fields, methods and strong methods.
    lens: [u16; 4],
    /// Start of its release bits in the library's bit array.
    rel: u32,
    /// Number of release words.
    words: u8,
}

impl Entry {
    /// Whether the entry has a strong method (can be looked up).
    pub fn has_strong(&self) -> bool {
        self.lens[3] > 0
    }
}

/// A library file that cannot be read: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryError {
    /// Byte offset of the problem.
    pub offset: usize,
    /// What is wrong.
    pub message: &'static str,
}

impl std::fmt::Display for LibraryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "offset {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for LibraryError {}

/// The SDK library.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Library {
    /// SDKs and their releases.
    pub sdks: Vec<LibSdk>,
    /// Class names (`Lcom/onesignal/OneSignal;`), one after the other ([`Library::name`]).
    names: String,
    /// Where each name ends in `names`.
    name_ends: Vec<u32>,
    /// Sorted distinct tokens.
    pub pool: Vec<u64>,
    /// Class records.
    pub entries: Vec<Entry>,
    /// Every entry's lists, one after the other.
    lists: Vec<u32>,
    /// Every entry's release bits, one after the other.
    bits: Vec<u64>,
    /// Per pool index (CSR offsets, `pool.len() + 1` of them): where its posting list starts
    /// in [`Library::postings`].
    pub post_off: Vec<u32>,
    /// Entry indices holding each strong method, grouped by pool index.
    pub postings: Vec<u32>,
}

/// The input of [`Library::build`]: one SDK's releases, each with its classes.
#[derive(Debug, Clone)]
pub struct SdkBuilds {
    /// SDK id.
    pub id: String,
    /// (release version, classes), any order; sorted by [`version_order`] here.
    pub releases: Vec<(String, Vec<LibClass>)>,
}

/// Orders release strings numerically part by part (`4.10.2` after `4.9.0`; a part that is
/// not a number compares as text after the numbers).
pub fn version_order(a: &str, b: &str) -> std::cmp::Ordering {
    let parts = |s: &str| -> Vec<(u64, String)> {
        s.split(['.', '-', '_'])
            .map(|p| {
                let digits: String = p.chars().take_while(|c| c.is_ascii_digit()).collect();
                (
                    digits.parse().unwrap_or(u64::MAX),
                    p.get(digits.len()..).unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    parts(a).cmp(&parts(b)).then_with(|| a.cmp(b))
}

/// How a release (or run of releases) was chosen; see [`SdkMatch::versions`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionVerdict {
    /// Index of the first and the last release of the smallest range holding every release
    /// that ties (equal when one release wins).
    pub first: usize,
    /// See `first`.
    pub last: usize,
    /// How many releases tie.
    pub tied: usize,
    /// How many releases the SDK has in the library.
    pub of: usize,
    /// App classes the winners explain, of [`SdkMatch::classes`].
    pub explained: usize,
    /// The tie reaches the oldest release the library has of these classes: an older release
    /// the library lacks may be the app's, so the verdict is "at most `last`".
    pub open_start: bool,
    /// The tie reaches the newest release the library has of these classes: the verdict is
    /// "at least `first`".
    pub open_end: bool,
}

/// What one SDK of the library explains in an app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkMatch {
    /// Index into [`Library::sdks`].
    pub sdk: usize,
    /// Per matched app class: (index into the app's classes, the entries it matches).
    pub classes: Vec<(usize, Vec<u32>)>,
    /// Strong methods of the matched app classes, in all.
    pub strong_methods: usize,
}

impl Library {
    fn list(&self, e: &Entry, k: usize) -> &[u32] {
        let start = e.at as usize
            + e.lens
                .iter()
                .take(k)
                .map(|&l| usize::from(l))
                .sum::<usize>();
        let len = e.lens.get(k).copied().map_or(0, usize::from);
        self.lists.get(start..start + len).unwrap_or(&[])
    }

    /// The entry's interface tokens (pool indices, sorted).
    pub fn ifaces(&self, e: &Entry) -> &[u32] {
        self.list(e, 0)
    }

    /// The entry's field shapes (pool indices, sorted).
    pub fn fields(&self, e: &Entry) -> &[u32] {
        self.list(e, 1)
    }

    /// The entry's method fingerprints (pool indices, sorted).
    pub fn methods(&self, e: &Entry) -> &[u32] {
        self.list(e, 2)
    }

    /// The entry's strong method fingerprints (pool indices, sorted).
    pub fn strong(&self, e: &Entry) -> &[u32] {
        self.list(e, 3)
    }

    /// The entry's release bits: bit `i` = `sdks[e.sdk].versions[i]`.
    pub fn releases(&self, e: &Entry) -> &[u64] {
        let start = e.rel as usize;
        self.bits
            .get(start..start + usize::from(e.words))
            .unwrap_or(&[])
    }

    /// Whether release `i` holds the entry.
    pub fn has(&self, e: &Entry, i: usize) -> bool {
        self.releases(e)
            .get(i / 64)
            .is_some_and(|w| w >> (i % 64) & 1 == 1)
    }

    /// Appends an entry with its lists and `words` empty release words; its index.
    fn push_entry(
        &mut self,
        sdk: u16,
        name: u32,
        sup: u32,
        parts: [&[u32]; 4],
        words: usize,
    ) -> usize {
        let at = self.lists.len() as u32;
        let mut lens = [0u16; 4];
        for (l, p) in lens.iter_mut().zip(parts) {
            let p = p.get(..p.len().min(usize::from(u16::MAX))).unwrap_or(&[]);
            *l = p.len() as u16;
            self.lists.extend_from_slice(p);
        }
        let rel = self.bits.len() as u32;
        self.bits.extend(std::iter::repeat_n(0u64, words));
        self.entries.push(Entry {
            sdk,
            name,
            sup,
            at,
            lens,
            rel,
            words: words.min(255) as u8,
        });
        self.entries.len() - 1
    }
}

impl Library {
    /// Builds the library from every SDK's releases. Deterministic.
    pub fn build(inputs: &[SdkBuilds]) -> Library {
        let mut lib = Library::default();
        let mut pool: Vec<u64> = Vec::new();
        for s in inputs {
            for (_, classes) in &s.releases {
                for c in classes {
                    pool.push(c.sup);
                    pool.extend_from_slice(&c.ifaces);
                    pool.extend_from_slice(&c.fields);
                    pool.extend_from_slice(&c.methods);
                }
            }
        }
        pool.sort_unstable();
        pool.dedup();
        let idx = |x: u64| pool.binary_search(&x).unwrap_or(0) as u32;
        let ids = |v: &[u64]| -> Vec<u32> { v.iter().map(|&x| idx(x)).collect() };
        let mut names: HashMap<String, u32> = HashMap::new();
        let mut sorted: Vec<&SdkBuilds> = inputs.iter().collect();
        sorted.sort_by(|a, b| a.id.cmp(&b.id));
        for s in sorted {
            let mut releases: Vec<&(String, Vec<LibClass>)> = s.releases.iter().collect();
            releases.sort_by(|a, b| version_order(&a.0, &b.0));
            releases.dedup_by(|a, b| a.0 == b.0);
            let sdk = lib.sdks.len() as u16;
            lib.sdks.push(LibSdk {
                id: s.id.clone(),
                versions: releases.iter().map(|r| r.0.clone()).collect(),
            });
            let words = releases.len().div_ceil(64);
            // (name, record hash) -> entry index
            let mut by_record: HashMap<(String, u64), usize> = HashMap::new();
            for (ri, (_, classes)) in releases.iter().enumerate() {
                for c in classes {
                    let key = (c.descriptor.clone(), c.hash());
                    let e = match by_record.get(&key) {
                        Some(&e) => e,
                        None => {
                            let next = names.len() as u32;
                            let name = *names.entry(c.descriptor.clone()).or_insert(next);
                            if name == next {
                                lib.push_name(&c.descriptor);
                            }
                            let (i, f, m, st) = (
                                ids(&c.ifaces),
                                ids(&c.fields),
                                ids(&c.methods),
                                ids(&c.strong),
                            );
                            lib.push_entry(sdk, name, idx(c.sup), [&i, &f, &m, &st], words);
                            by_record.insert(key, lib.entries.len() - 1);
                            lib.entries.len() - 1
                        }
                    };
                    let at = lib.entries.get(e).map(|x| x.rel as usize + ri / 64);
                    if let Some(w) = at.and_then(|at| lib.bits.get_mut(at)) {
                        *w |= 1 << (ri % 64);
                    }
                }
            }
        }
        lib.pool = pool;
        lib.index();
        lib
    }

    /// Builds the posting lists from the entries.
    fn index(&mut self) {
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for (ei, e) in self.entries.iter().enumerate() {
            for &m in self.strong(e) {
                pairs.push((m, ei as u32));
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut off = vec![0u32; self.pool.len() + 1];
        for &(m, _) in &pairs {
            if let Some(o) = off.get_mut(m as usize + 1) {
                *o += 1;
            }
        }
        for i in 1..off.len() {
            let prev = off.get(i - 1).copied().unwrap_or(0);
            if let Some(o) = off.get_mut(i) {
                *o += prev;
            }
        }
        self.post_off = off;
        self.postings = pairs.into_iter().map(|p| p.1).collect();
    }

    /// The entries whose strong methods include pool index `m`.
    fn posting(&self, m: u32) -> &[u32] {
        let a = self.post_off.get(m as usize).copied().unwrap_or(0) as usize;
        let b = self.post_off.get(m as usize + 1).copied().unwrap_or(0) as usize;
        self.postings.get(a..b).unwrap_or(&[])
    }

    /// The pool indices of `v` (sorted), or `None` when one token is not in the pool (then no
    /// entry can hold them all).
    fn pooled(&self, v: &[u64], out: &mut Vec<u32>) -> Option<()> {
        out.clear();
        for x in v {
            out.push(self.pool.binary_search(x).ok()? as u32);
        }
        Some(())
    }

    /// Matches the app's classes against every entry: per SDK, the app classes whose parts are
    /// a subset of one of its entries' and of no other SDK's, sorted by SDK index.
    pub fn match_app(&self, app: &[LibClass]) -> Vec<SdkMatch> {
        self.match_app_without(app, None)
    }

    /// [`Library::match_app`] as if release `without = (sdk, release)` were not in the
    /// library: entries only that release holds are not matched (leave-one-out evaluation).
    pub fn match_app_without(
        &self,
        app: &[LibClass],
        without: Option<(usize, usize)>,
    ) -> Vec<SdkMatch> {
        let only_in_left_out = |e: &Entry| {
            without.is_some_and(|(sdk, r)| {
                usize::from(e.sdk) == sdk
                    && self.releases(e).iter().enumerate().all(|(w, bits)| {
                        let mask = if w == r / 64 { !(1u64 << (r % 64)) } else { !0 };
                        bits & mask == 0
                    })
            })
        };
        let mut per_sdk: HashMap<u16, SdkMatch> = HashMap::new();
        let (mut m, mut f, mut i) = (Vec::new(), Vec::new(), Vec::new());
        let mut hits: Vec<u32> = Vec::new();
        for (ci, c) in app.iter().enumerate() {
            if c.strong.is_empty() {
                continue;
            }
            let Ok(sup) = self.pool.binary_search(&c.sup) else {
                continue;
            };
            if self.pooled(&c.methods, &mut m).is_none()
                || self.pooled(&c.fields, &mut f).is_none()
                || self.pooled(&c.ifaces, &mut i).is_none()
            {
                continue;
            }
            // The rarest strong method names the candidates.
            let Some(rarest) = c
                .strong
                .iter()
                .filter_map(|s| self.pool.binary_search(s).ok())
                .map(|p| self.posting(p as u32))
                .min_by_key(|p| p.len())
            else {
                continue;
            };
            hits.clear();
            for &ei in rarest {
                let Some(e) = self.entries.get(ei as usize) else {
                    continue;
                };
                if e.sup == sup as u32
                    && !only_in_left_out(e)
                    && subset(&i, self.ifaces(e))
                    && subset(&f, self.fields(e))
                    && subset(&m, self.methods(e))
                {
                    hits.push(ei);
                }
            }
            let mut sdks = hits
                .iter()
                .filter_map(|&e| self.entries.get(e as usize).map(|e| e.sdk));
            let Some(first) = sdks.next() else {
                continue;
            };
            if sdks.any(|s| s != first) {
                continue; // the same code in two SDKs says nothing about either
            }
            let slot = per_sdk.entry(first).or_insert_with(|| SdkMatch {
                sdk: usize::from(first),
                classes: Vec::new(),
                strong_methods: 0,
            });
            slot.classes.push((ci, hits.clone()));
            slot.strong_methods += c.strong.len();
        }
        let mut out: Vec<SdkMatch> = per_sdk.into_values().collect();
        out.sort_by_key(|s| s.sdk);
        out
    }

    /// How many entries of SDK `sdk` release `r` holds that have a strong method (the classes
    /// a match could find).
    pub fn findable(&self, sdk: usize, r: usize) -> usize {
        self.findable_where(sdk, r, &|_| true)
    }

    /// [`Library::findable`], counting only the entries `keep` accepts.
    pub fn findable_where(&self, sdk: usize, r: usize, keep: &dyn Fn(&Entry) -> bool) -> usize {
        self.entries
            .iter()
            .filter(|e| usize::from(e.sdk) == sdk && e.has_strong() && self.has(e, r) && keep(e))
            .count()
    }

    /// [`Library::findable_where`] of every release `0..n` of `sdk` at once: one pass over the
    /// entries (`keep` called once per strong entry of the SDK), not one per release.
    pub fn findable_where_by_release(
        &self,
        sdk: usize,
        n: usize,
        keep: &dyn Fn(&Entry) -> bool,
    ) -> Vec<usize> {
        let mut counts = vec![0usize; n];
        for e in self
            .entries
            .iter()
            .filter(|e| usize::from(e.sdk) == sdk && e.has_strong() && keep(e))
        {
            for (w, &word) in self.releases(e).iter().enumerate() {
                let mut bits = word;
                while bits != 0 {
                    let r = w * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    if let Some(c) = counts.get_mut(r) {
                        *c += 1;
                    }
                }
            }
        }
        counts
    }

    /// The class name of entry `e`.
    pub fn name_of(&self, e: u32) -> &str {
        self.entries
            .get(e as usize)
            .map_or("", |e| self.name(e.name))
    }

    /// Name `i` of the name table ("" when out of range).
    pub fn name(&self, i: u32) -> &str {
        let i = i as usize;
        let end = self.name_ends.get(i).map_or(0, |&e| e as usize);
        let start = match i.checked_sub(1) {
            Some(p) => self.name_ends.get(p).map_or(0, |&e| e as usize),
            None => 0,
        };
        self.names.get(start..end).unwrap_or("")
    }

    /// How many names the table holds.
    pub fn name_count(&self) -> usize {
        self.name_ends.len()
    }

    fn push_name(&mut self, n: &str) {
        self.names.push_str(n);
        self.name_ends.push(self.names.len() as u32);
    }
}

impl SdkMatch {
    /// The release(s) that best explain the matched classes. Each matched app class votes for
    /// the releases holding one of its entries; the releases with most votes tie. When the
    /// SDK looks complete in the app (the best tied release has at least 80% of its findable
    /// classes matched), releases that would leave clearly more of their classes unexplained
    /// drop out (an added class does not make a later release the app's). The verdict is the
    /// smallest range of releases holding every remaining tie: exact only when one release is
    /// left.
    pub fn versions(&self, lib: &Library) -> Option<VersionVerdict> {
        self.versions_without(lib, None)
    }

    /// [`SdkMatch::versions`] as if release `without` of this SDK were not in the library.
    pub fn versions_without(
        &self,
        lib: &Library,
        without: Option<usize>,
    ) -> Option<VersionVerdict> {
        self.versions_where(lib, without, &|_| true)
    }

    /// [`SdkMatch::versions_without`], the completeness of a release measured only on the
    /// entries `keep` accepts (one tracker's classes, when a vendor's library SDK holds the
    /// classes of several).
    pub fn versions_where(
        &self,
        lib: &Library,
        without: Option<usize>,
        keep: &dyn Fn(&Entry) -> bool,
    ) -> Option<VersionVerdict> {
        let n = lib.sdks.get(self.sdk)?.versions.len();
        if n == 0 || self.classes.is_empty() {
            return None;
        }
        // Per release: the app classes it holds in the form the app has (votes), and the app
        // classes whose vendor class it has at all, in any form (present). A release the
        // library holds only some modules of is judged on the classes it has.
        let names: std::collections::HashSet<u32> = self
            .classes
            .iter()
            .flat_map(|(_, es)| es.iter())
            .filter_map(|&e| lib.entries.get(e as usize).map(|e| e.name))
            .collect();
        let mut by_name: HashMap<u32, Vec<u64>> = HashMap::new();
        for e in lib
            .entries
            .iter()
            .filter(|e| usize::from(e.sdk) == self.sdk && names.contains(&e.name))
        {
            let slot = by_name
                .entry(e.name)
                .or_insert_with(|| vec![0; lib.releases(e).len()]);
            for (a, b) in slot.iter_mut().zip(lib.releases(e)) {
                *a |= b;
            }
        }
        let has = |bits: &[u64], r: usize| bits.get(r / 64).is_some_and(|w| w >> (r % 64) & 1 == 1);
        let mut votes = vec![0usize; n];
        let mut present = vec![0usize; n];
        for (_, entries) in &self.classes {
            let mut class_names: Vec<u32> = entries
                .iter()
                .filter_map(|&e| lib.entries.get(e as usize).map(|e| e.name))
                .collect();
            class_names.sort_unstable();
            class_names.dedup();
            for r in 0..n {
                if Some(r) == without {
                    continue;
                }
                if entries
                    .iter()
                    .any(|&e| lib.entries.get(e as usize).is_some_and(|e| lib.has(e, r)))
                {
                    if let Some(v) = votes.get_mut(r) {
                        *v += 1;
                    }
                }
                if class_names
                    .iter()
                    .any(|nm| by_name.get(nm).is_some_and(|b| has(b, r)))
                {
                    if let Some(p) = present.get_mut(r) {
                        *p += 1;
                    }
                }
            }
        }
        // Releases that have at least half as many of the app's classes as the best-covered
        // one compete; the best share of their present classes held as the app has them wins.
        let most = present.iter().copied().max().unwrap_or(0);
        let eligible = |r: usize| {
            let p = present.get(r).copied().unwrap_or(0);
            p > 0 && p * 2 >= most && votes.get(r).copied().unwrap_or(0) > 0
        };
        let top = (0..n)
            .filter(|&r| eligible(r))
            .max_by(|&a, &b| (votes[a] * present[b]).cmp(&(votes[b] * present[a])))?;
        let best = votes.get(top).copied().unwrap_or(0);
        let best_present = present.get(top).copied().unwrap_or(1);
        if best == 0 {
            return None;
        }
        let mut tied: Vec<usize> = (0..n)
            .filter(|&r| eligible(r) && votes[r] * best_present == best * present[r])
            .collect();
        // `Library::findable_where` of each release, counted in one pass.
        let findable = lib.findable_where_by_release(self.sdk, n, keep);
        let findable = |r: usize| findable.get(r).copied().unwrap_or(0);
        if tied.len() > 1 {
            let cover: Vec<(usize, f64)> = tied
                .iter()
                .map(|&r| {
                    let total = findable(r).max(1);
                    (r, votes[r] as f64 / total as f64)
                })
                .collect();
            let top = cover.iter().map(|c| c.1).fold(0.0, f64::max);
            if top >= 0.8 {
                tied = cover
                    .into_iter()
                    .filter(|c| c.1 >= top * 0.98)
                    .map(|c| c.0)
                    .collect();
            }
        }
        let first = *tied.first()?;
        let last = *tied.last()?;
        // The releases that hold any of these classes at all (the SDK's known span).
        let known: Vec<usize> = (0..n)
            .filter(|&r| Some(r) != without && findable(r) > 0)
            .collect();
        Some(VersionVerdict {
            first,
            last,
            tied: tied.len(),
            of: n,
            explained: best,
            open_start: known.first().is_some_and(|&k| first <= k),
            open_end: known.last().is_some_and(|&k| last >= k),
        })
    }
}

// ---- file form -------------------------------------------------------------------------

struct W(Vec<u8>);

impl W {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u16(s.len().min(u16::MAX as usize) as u16);
        self.0.extend_from_slice(
            s.as_bytes()
                .get(..s.len().min(u16::MAX as usize))
                .unwrap_or(b""),
        );
    }
    fn list(&mut self, v: &[u32]) {
        self.u16(v.len().min(u16::MAX as usize) as u16);
        for &x in v.iter().take(u16::MAX as usize) {
            self.u32(x);
        }
    }
}

struct R<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> R<'a> {
    fn err(&self, message: &'static str) -> LibraryError {
        LibraryError {
            offset: self.at,
            message,
        }
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], LibraryError> {
        let end = self
            .at
            .checked_add(n)
            .ok_or_else(|| self.err("length overflows"))?;
        let s = self
            .b
            .get(self.at..end)
            .ok_or_else(|| self.err("truncated"))?;
        self.at = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, LibraryError> {
        Ok(self.take(1)?.first().copied().unwrap_or(0))
    }
    fn u16(&mut self) -> Result<u16, LibraryError> {
        let s = self.take(2)?;
        Ok(u16::from_le_bytes([
            s.first().copied().unwrap_or(0),
            s.get(1).copied().unwrap_or(0),
        ]))
    }
    fn u32(&mut self) -> Result<u32, LibraryError> {
        let mut w = [0u8; 4];
        w.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(w))
    }
    fn u64(&mut self) -> Result<u64, LibraryError> {
        let mut w = [0u8; 8];
        w.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(w))
    }
    fn count(&mut self, each: usize) -> Result<usize, LibraryError> {
        let n = self.u32()? as usize;
        if n.saturating_mul(each) > self.b.len().saturating_sub(self.at) {
            return Err(self.err("count larger than the file"));
        }
        Ok(n)
    }
    fn str(&mut self) -> Result<String, LibraryError> {
        let n = usize::from(self.u16()?);
        let s = self.take(n)?;
        String::from_utf8(s.to_vec()).map_err(|_| self.err("name is not UTF-8"))
    }
    /// Reads a `u16`-counted list of indices below `bound` onto `out`; its length.
    fn list_into(&mut self, bound: usize, out: &mut Vec<u32>) -> Result<u16, LibraryError> {
        let n = self.u16()?;
        self.list_body(usize::from(n), bound, out)?;
        Ok(n)
    }

    /// Reads `n` indices below `bound` onto `out`.
    fn list_body(
        &mut self,
        n: usize,
        bound: usize,
        out: &mut Vec<u32>,
    ) -> Result<(), LibraryError> {
        let at = self.at;
        let bytes = self.take(n.saturating_mul(4))?;
        let start = out.len();
        out.extend(bytes.chunks_exact(4).map(|c| {
            let mut w = [0u8; 4];
            w.copy_from_slice(c);
            u32::from_le_bytes(w)
        }));
        // One check of the largest, after a loop the compiler can vectorise.
        let max = out
            .get(start..)
            .unwrap_or(&[])
            .iter()
            .copied()
            .max()
            .unwrap_or(0);
        if n > 0 && max as usize >= bound {
            return Err(LibraryError {
                offset: at,
                message: "index out of range",
            });
        }
        Ok(())
    }
}

impl Library {
    /// The file form ([`Library::parse`] reads it back).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = W(Vec::new());
        w.0.extend_from_slice(MAGIC);
        w.u32(self.sdks.len() as u32);
        for s in &self.sdks {
            w.str(&s.id);
            w.u32(s.versions.len() as u32);
            for v in &s.versions {
                w.str(v);
            }
        }
        w.u32(self.name_count() as u32);
        for i in 0..self.name_count() {
            w.str(self.name(i as u32));
        }
        w.u32(self.pool.len() as u32);
        for &p in &self.pool {
            w.u64(p);
        }
        w.u32(self.entries.len() as u32);
        for e in &self.entries {
            w.u16(e.sdk);
            w.u32(e.name);
            w.u32(e.sup);
            w.list(self.ifaces(e));
            w.list(self.fields(e));
            w.list(self.methods(e));
            w.list(self.strong(e));
            w.u8(e.words);
            for &r in self.releases(e) {
                w.u64(r);
            }
        }
        // The posting lists, so that loading needs no sort.
        w.u32(self.post_off.len() as u32);
        for &o in &self.post_off {
            w.u32(o);
        }
        w.u32(self.postings.len() as u32);
        for &e in &self.postings {
            w.u32(e);
        }
        w.0
    }

    /// Reads the file form. Every count and index is checked; the posting lists are rebuilt.
    pub fn parse(b: &[u8]) -> Result<Library, LibraryError> {
        let mut r = R { b, at: 0 };
        if r.take(MAGIC.len())? != MAGIC {
            return Err(LibraryError {
                offset: 0,
                message: "not a trackscan SDK library of this version (magic TSLIB02)",
            });
        }
        let mut lib = Library::default();
        let n = r.count(6)?;
        for _ in 0..n {
            let id = r.str()?;
            let nv = r.count(2)?;
            let mut versions = Vec::with_capacity(nv);
            for _ in 0..nv {
                versions.push(r.str()?);
            }
            lib.sdks.push(LibSdk { id, versions });
        }
        let n = r.count(2)?;
        lib.name_ends.reserve(n);
        for _ in 0..n {
            let len = usize::from(r.u16()?);
            let bytes = r.take(len)?;
            let name = std::str::from_utf8(bytes).map_err(|_| r.err("name is not UTF-8"))?;
            lib.push_name(name);
        }
        let n = r.count(8)?;
        lib.pool.reserve(n);
        for _ in 0..n {
            lib.pool.push(r.u64()?);
        }
        if lib.pool.windows(2).any(|w| w.first() >= w.get(1)) {
            return Err(r.err("token pool not sorted"));
        }
        let n = r.count(19)?;
        let pool = lib.pool.len();
        // The lists take most of what is left: one allocation for them all.
        lib.lists.reserve(b.len().saturating_sub(r.at) / 4);
        lib.entries.reserve(n);
        for _ in 0..n {
            let sdk = r.u16()?;
            let s = lib
                .sdks
                .get(usize::from(sdk))
                .ok_or_else(|| r.err("entry of an unknown SDK"))?;
            let words_needed = s.versions.len().div_ceil(64);
            let name = r.u32()?;
            if name as usize >= lib.name_count() {
                return Err(r.err("name index out of range"));
            }
            let sup = r.u32()?;
            if sup as usize >= pool {
                return Err(r.err("token index out of range"));
            }
            // The four lists go straight into the flat array.
            let at = lib.lists.len() as u32;
            let mut lens = [0u16; 4];
            for l in lens.iter_mut() {
                *l = r.list_into(pool, &mut lib.lists)?;
            }
            let words = usize::from(r.u8()?);
            if words != words_needed {
                return Err(r.err("release set does not fit the SDK's releases"));
            }
            let rel = lib.bits.len() as u32;
            for _ in 0..words {
                lib.bits.push(r.u64()?);
            }
            lib.entries.push(Entry {
                sdk,
                name,
                sup,
                at,
                lens,
                rel,
                words: words as u8,
            });
        }
        // Posting lists: offsets rising from 0 to the postings' length, one per pool index and
        // one more; every posting an entry.
        let n = r.count(4)?;
        if n != lib.pool.len() + 1 {
            return Err(r.err("posting offsets do not fit the token pool"));
        }
        lib.post_off.reserve(n);
        for _ in 0..n {
            lib.post_off.push(r.u32()?);
        }
        let n = r.count(4)?;
        lib.postings.reserve(n);
        let entries = lib.entries.len();
        r.list_body(n, entries, &mut lib.postings)?;
        if lib.post_off.first() != Some(&0)
            || lib.post_off.last().map(|&o| o as usize) != Some(n)
            || lib.post_off.windows(2).any(|w| w.first() > w.get(1))
        {
            return Err(r.err("posting offsets out of order"));
        }
        if r.at != b.len() {
            return Err(r.err("trailing bytes"));
        }
        Ok(lib)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(name: &str, methods: &[u64]) -> LibClass {
        LibClass {
            descriptor: name.to_string(),
            sup: 1,
            ifaces: vec![],
            fields: vec![7],
            methods: methods.to_vec(),
            strong: methods.iter().copied().filter(|m| *m >= 100).collect(),
        }
    }

    fn lib() -> Library {
        // Release 1.0: A{100,101}, B{200}; 1.1: A changed (102), B same; 1.2: same as 1.1 plus C.
        let a10 = class("La/A;", &[100, 101]);
        let a11 = class("La/A;", &[100, 102]);
        let b = class("La/B;", &[5, 200]);
        let c = class("La/C;", &[300]);
        Library::build(&[SdkBuilds {
            id: "x".into(),
            releases: vec![
                ("1.2".into(), vec![a11.clone(), b.clone(), c]),
                ("1.0".into(), vec![a10, b.clone()]),
                ("1.1".into(), vec![a11, b]),
            ],
        }])
    }

    #[test]
    fn builds_dedups_and_round_trips() {
        let l = lib();
        assert_eq!(l.sdks[0].versions, ["1.0", "1.1", "1.2"]);
        // A twice (two records), B once, C once.
        assert_eq!(l.entries.len(), 4);
        let b = l.entries.iter().find(|e| l.name(e.name) == "La/B;");
        assert_eq!(b.map(|e| l.releases(e)[0]), Some(0b111));
        let bytes = l.to_bytes();
        assert_eq!(Library::parse(&bytes).as_ref(), Ok(&l));
        // Truncated and corrupted files are errors with an offset, never a panic.
        for cut in 0..bytes.len() {
            assert!(Library::parse(&bytes[..cut]).is_err());
        }
        let mut bad = bytes.clone();
        bad[0] = b'X';
        assert!(Library::parse(&bad).is_err());
    }

    #[test]
    fn a_shrunk_renamed_class_matches_and_versions_tie_into_a_range() {
        let l = lib();
        // Renamed, and a method removed by shrinking: still A of 1.1/1.2.
        let app = vec![class("Lq/z;", &[102]), class("Lq/y;", &[200])];
        let m = l.match_app(&app);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].classes.len(), 2);
        let v = m[0].versions(&l).expect("a verdict");
        // 1.1 and 1.2 tie; 1.2 holds C, which the app lacks, but the SDK looks complete only
        // for 1.1 (2 of 2 findable classes) so 1.2 (2 of 3) drops out.
        assert_eq!((v.first, v.last, v.tied), (1, 1, 1));
        // A class with a method no release has does not match.
        assert!(l.match_app(&[class("Lq/z;", &[100, 999])]).is_empty());
        // Only B (in every release), shrunk: every release ties, then the complete-SDK rule
        // cannot pick (1 of 2 at best is under 80%): the range 1.0..1.2.
        let m = l.match_app(&[class("Lq/y;", &[200])]);
        let v = m[0].versions(&l).expect("a verdict");
        assert_eq!((v.first, v.last, v.tied), (0, 2, 3));
    }

    #[test]
    fn version_order_is_numeric() {
        let mut v = vec!["4.10.2", "4.9.0", "10.0.1", "4.9.0-beta"];
        v.sort_by(|a, b| version_order(a, b));
        assert_eq!(v, ["4.9.0", "4.9.0-beta", "4.10.2", "10.0.1"]);
    }
}
