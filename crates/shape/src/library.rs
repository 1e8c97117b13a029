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
//! A [`Library`] *is* its file form: the bytes are read in place (little-endian fixed-width
//! arrays, read by index with bounds-checked reads, so a bad value can give a wrong answer but
//! never a panic), and loading the built-in file only walks the section headers and the SDK
//! table ([`Library::from_static`]: no copy, no per-entry work). [`Library::build`] writes
//! the bytes (the one writer of the format); [`Library::to_bytes`] returns them.
//!
//! Versioned by its magic [`MAGIC`]; a count is a `u32`, a string a `u16` length and UTF-8:
//!
//! | section | layout |
//! |---|---|
//! | magic | `TSLIB03\n` |
//! | SDKs | count; per SDK: id (string), release count, releases (strings, oldest first), its entries' first index and end (an SDK's entries are consecutive) |
//! | names | count; per name its end (`u32`) in the text; text length; the names, one after the other (UTF-8) |
//! | token pool | count; tokens (`u64`, strictly rising) |
//! | entries | count; per entry 28 bytes: SDK (`u16`), release words (`u8`), 0 (`u8`), name, superclass (pool index), start of its lists, lengths of its interfaces, fields, methods and strong methods (4 × `u16`), start of its release words (`u32` each) |
//! | lists | count; pool indices (`u32`; each list sorted) |
//! | release words | count; `u64` bit sets (bit `i` of word `w`: release `64w + i`) |
//! | posting offsets | count (tokens + 1); per token where its postings start (`u32`, rising) |
//! | postings | count; entry indices (`u32`) holding each strong method, by token |
//!
//! [`Library::parse`] checks everything (every index in range, every count against the bytes
//! left, the pool sorted, the postings ordered); a bad file is an error carrying the offset.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::libfp::LibClass;

/// Magic and format version of the library file.
pub const MAGIC: &[u8; 8] = b"TSLIB03\n";

/// Bytes of one entry record in the file.
const ENTRY_BYTES: usize = 28;

/// One SDK of the library: its id and its releases in release order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibSdk {
    /// SDK id (`onesignal`, `play-services`).
    pub id: String,
    /// Release versions, oldest first.
    pub versions: Vec<String>,
}

/// One distinct class record of one SDK. Its lists (interfaces, fields, methods, strong
/// methods: sorted pool indices) and its release bit set live in the library's arrays
/// ([`Library::ifaces`], [`Library::releases`], …): an entry is a small value read from its
/// fixed-width record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Index into [`Library::sdks`].
    pub sdk: u16,
    /// Index into the library's names ([`Library::name`]): the class's name in the vendor's
    /// build.
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

    /// Reads a file record (written by `W::entry`); also its reserved byte.
    fn decode(r: &[u8; ENTRY_BYTES]) -> (Entry, u8) {
        let e = Entry {
            sdk: u16::from_le_bytes(arr(r, 0)),
            words: r[2],
            name: u32::from_le_bytes(arr(r, 4)),
            sup: u32::from_le_bytes(arr(r, 8)),
            at: u32::from_le_bytes(arr(r, 12)),
            lens: [
                u16::from_le_bytes(arr(r, 16)),
                u16::from_le_bytes(arr(r, 18)),
                u16::from_le_bytes(arr(r, 20)),
                u16::from_le_bytes(arr(r, 22)),
            ],
            rel: u32::from_le_bytes(arr(r, 24)),
        };
        (e, r[3])
    }
}

/// `N` bytes of `b` from `at` (zeros when out of range: callers pass constant offsets within
/// fixed-size records).
fn arr<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    b.get(at..)
        .and_then(|s| s.first_chunk::<N>())
        .copied()
        .unwrap_or([0; N])
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

/// A little-endian `u32` array read in place from the library's bytes (a list of pool
/// indices, a posting list).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct U32s<'a>(&'a [u8]);

impl<'a> U32s<'a> {
    /// How many values.
    pub fn len(&self) -> usize {
        self.0.len() / 4
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.len() < 4
    }

    /// Value `i`.
    pub fn get(&self, i: usize) -> Option<u32> {
        let at = i.checked_mul(4)?;
        Some(u32::from_le_bytes(
            self.0.get(at..at.checked_add(4)?)?.try_into().ok()?,
        ))
    }

    /// The values in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = u32> + 'a {
        self.0
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(arr(c, 0)))
    }

    /// The values, copied.
    pub fn to_vec(&self) -> Vec<u32> {
        self.iter().collect()
    }
}

/// A little-endian `u64` array read in place from the library's bytes (an entry's release
/// bits).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct U64s<'a>(&'a [u8]);

impl<'a> U64s<'a> {
    /// How many values.
    pub fn len(&self) -> usize {
        self.0.len() / 8
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.len() < 8
    }

    /// Value `i`.
    pub fn get(&self, i: usize) -> Option<u64> {
        let at = i.checked_mul(8)?;
        Some(u64::from_le_bytes(
            self.0.get(at..at.checked_add(8)?)?.try_into().ok()?,
        ))
    }

    /// The values in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = u64> + 'a {
        self.0
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(arr(c, 0)))
    }

    /// The values, copied.
    pub fn to_vec(&self) -> Vec<u64> {
        self.iter().collect()
    }
}

/// `n` values starting at byte `at` of the file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Span {
    at: usize,
    n: usize,
}

/// Where the sections of a file are (everything but the SDK table is read in place).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Layout {
    sdks: Vec<LibSdk>,
    /// Per SDK, its entries' first index and end; and where that pair is in the file.
    sdk_entries: Vec<(u32, u32, usize)>,
    name_ends: Span,
    /// The names' text (`n` bytes).
    names: Span,
    pool: Span,
    entries: Span,
    lists: Span,
    bits: Span,
    post_off: Span,
    postings: Span,
}

/// The SDK library: its file form, read in place.
#[derive(Clone, PartialEq, Eq)]
pub struct Library {
    bytes: Cow<'static, [u8]>,
    lay: Layout,
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Library")
            .field("bytes", &self.bytes.len())
            .field("sdks", &self.lay.sdks)
            .field("names", &self.lay.name_ends.n)
            .field("tokens", &self.lay.pool.n)
            .field("entries", &self.lay.entries.n)
            .finish()
    }
}

impl Default for Library {
    /// The empty library (no SDKs).
    fn default() -> Library {
        Parts::default().into_library()
    }
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

/// Whether sorted `a` is a subset of sorted `b` (one merge pass; [`crate::libfp::subset`]
/// with `b` read in place).
fn subset_in(a: &[u32], b: U32s<'_>) -> bool {
    if a.len() > b.len() {
        return false;
    }
    let mut b = b.iter();
    'next: for &x in a {
        for y in b.by_ref() {
            if y == x {
                continue 'next;
            }
            if y > x {
                return false;
            }
        }
        return false;
    }
    true
}

// ---- reading in place ------------------------------------------------------------------

impl Library {
    fn u32_in(&self, s: Span, i: usize) -> Option<u32> {
        if i >= s.n {
            return None;
        }
        let at = s.at + i * 4;
        Some(u32::from_le_bytes(
            self.bytes.get(at..at + 4)?.try_into().ok()?,
        ))
    }

    fn u64_in(&self, s: Span, i: usize) -> Option<u64> {
        if i >= s.n {
            return None;
        }
        let at = s.at + i * 8;
        Some(u64::from_le_bytes(
            self.bytes.get(at..at + 8)?.try_into().ok()?,
        ))
    }

    /// Values `start..start + len` of a `u32` section (empty when out of range).
    fn u32s_in(&self, s: Span, start: usize, len: usize) -> U32s<'_> {
        let end = start.saturating_add(len);
        if end > s.n {
            return U32s::default();
        }
        U32s(
            self.bytes
                .get(s.at + start * 4..s.at + end * 4)
                .unwrap_or(&[]),
        )
    }

    /// SDKs and their releases.
    pub fn sdks(&self) -> &[LibSdk] {
        &self.lay.sdks
    }

    /// How many entries the library has.
    pub fn entry_count(&self) -> usize {
        self.lay.entries.n
    }

    /// Entry `i`.
    pub fn entry(&self, i: usize) -> Option<Entry> {
        if i >= self.lay.entries.n {
            return None;
        }
        let at = self.lay.entries.at + i * ENTRY_BYTES;
        let r = self.bytes.get(at..at + ENTRY_BYTES)?.try_into().ok()?;
        Some(Entry::decode(r).0)
    }

    /// Every entry, in index order.
    pub fn entries(&self) -> impl Iterator<Item = Entry> + '_ {
        (0..self.entry_count()).filter_map(|i| self.entry(i))
    }

    /// The entries of SDK `sdk`, in index order (they are consecutive: only its range is
    /// read).
    pub fn sdk_entries(&self, sdk: usize) -> impl Iterator<Item = Entry> + '_ {
        let (a, b) = self
            .lay
            .sdk_entries
            .get(sdk)
            .map_or((0, 0), |&(a, b, _)| (a as usize, b as usize));
        (a..b.min(self.entry_count()))
            .filter_map(|i| self.entry(i))
            .filter(move |e| usize::from(e.sdk) == sdk)
    }

    /// How many tokens the pool holds.
    pub fn token_count(&self) -> usize {
        self.lay.pool.n
    }

    /// Token `i` of the pool.
    pub fn token(&self, i: u32) -> Option<u64> {
        self.u64_in(self.lay.pool, i as usize)
    }

    /// The pool index of token `x` (a binary search of the pool in place).
    fn find_token(&self, x: u64) -> Option<u32> {
        let Span { at, n } = self.lay.pool;
        let pool = self.bytes.get(at..at + n * 8).unwrap_or(&[]);
        let token = |i: usize| u64::from_le_bytes(arr(pool, i * 8));
        let (mut base, mut size) = (0usize, pool.len() / 8);
        if size == 0 {
            return None;
        }
        while size > 1 {
            let half = size / 2;
            if token(base + half) <= x {
                base += half;
            }
            size -= half;
        }
        (token(base) == x).then_some(base as u32)
    }

    fn list(&self, e: &Entry, k: usize) -> U32s<'_> {
        let start = e.at as usize
            + e.lens
                .iter()
                .take(k)
                .map(|&l| usize::from(l))
                .sum::<usize>();
        let len = e.lens.get(k).copied().map_or(0, usize::from);
        self.u32s_in(self.lay.lists, start, len)
    }

    /// The entry's interface tokens (pool indices, sorted).
    pub fn ifaces(&self, e: &Entry) -> U32s<'_> {
        self.list(e, 0)
    }

    /// The entry's field shapes (pool indices, sorted).
    pub fn fields(&self, e: &Entry) -> U32s<'_> {
        self.list(e, 1)
    }

    /// The entry's method fingerprints (pool indices, sorted).
    pub fn methods(&self, e: &Entry) -> U32s<'_> {
        self.list(e, 2)
    }

    /// The entry's strong method fingerprints (pool indices, sorted).
    pub fn strong(&self, e: &Entry) -> U32s<'_> {
        self.list(e, 3)
    }

    /// The entry's release bits: bit `i` = `sdks()[e.sdk].versions[i]`.
    pub fn releases(&self, e: &Entry) -> U64s<'_> {
        let (start, end) = (e.rel as usize, e.rel as usize + usize::from(e.words));
        if end > self.lay.bits.n {
            return U64s::default();
        }
        let at = self.lay.bits.at;
        U64s(self.bytes.get(at + start * 8..at + end * 8).unwrap_or(&[]))
    }

    /// Whether release `i` holds the entry.
    pub fn has(&self, e: &Entry, i: usize) -> bool {
        self.releases(e)
            .get(i / 64)
            .is_some_and(|w| w >> (i % 64) & 1 == 1)
    }

    /// The entries whose strong methods include pool index `m`.
    fn posting(&self, m: u32) -> U32s<'_> {
        let a = self.u32_in(self.lay.post_off, m as usize).unwrap_or(0) as usize;
        let b = self.u32_in(self.lay.post_off, m as usize + 1).unwrap_or(0) as usize;
        self.u32s_in(self.lay.postings, a, b.saturating_sub(a))
    }

    /// The class name of entry `e`.
    pub fn name_of(&self, e: u32) -> &str {
        self.entry(e as usize).map_or("", |e| self.name(e.name))
    }

    /// Name `i` of the name table ("" when out of range).
    pub fn name(&self, i: u32) -> &str {
        std::str::from_utf8(self.name_bytes(i)).unwrap_or("")
    }

    /// Name `i` of the name table as bytes, without the UTF-8 check of [`Library::name`]
    /// (for prefix tests in loops; empty when out of range).
    pub fn name_bytes(&self, i: u32) -> &[u8] {
        let i = i as usize;
        let end = self.u32_in(self.lay.name_ends, i).unwrap_or(0) as usize;
        let start = match i.checked_sub(1) {
            Some(p) => self.u32_in(self.lay.name_ends, p).unwrap_or(0) as usize,
            None => 0,
        };
        if start > end || end > self.lay.names.n {
            return b"";
        }
        let at = self.lay.names.at;
        self.bytes.get(at + start..at + end).unwrap_or(b"")
    }

    /// How many names the table holds.
    pub fn name_count(&self) -> usize {
        self.lay.name_ends.n
    }
}

// ---- building ----------------------------------------------------------------------------

/// A library being built (or converted): owned arrays, written out by [`Parts::write`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Parts {
    sdks: Vec<LibSdk>,
    /// Class names, one after the other.
    names: String,
    /// Where each name ends in `names`.
    name_ends: Vec<u32>,
    /// Sorted distinct tokens.
    pool: Vec<u64>,
    /// Class records, grouped by SDK in SDK order.
    entries: Vec<Entry>,
    /// Every entry's lists, one after the other.
    lists: Vec<u32>,
    /// Every entry's release bits, one after the other.
    bits: Vec<u64>,
}

impl Parts {
    fn push_name(&mut self, n: &str) {
        self.names.push_str(n);
        self.name_ends.push(self.names.len() as u32);
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

    fn strong(&self, e: &Entry) -> &[u32] {
        let start = e.at as usize
            + e.lens
                .iter()
                .take(3)
                .map(|&l| usize::from(l))
                .sum::<usize>();
        self.lists
            .get(start..start + usize::from(e.lens[3]))
            .unwrap_or(&[])
    }

    /// The posting lists: per pool index (CSR offsets, `pool.len() + 1` of them) where its
    /// entries start, and the entry indices holding each strong method, by pool index.
    fn postings(&self) -> (Vec<u32>, Vec<u32>) {
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
        (off, pairs.into_iter().map(|p| p.1).collect())
    }

    /// The file form: the one writer of the format (module doc).
    fn write(&self) -> Vec<u8> {
        let mut w = W(Vec::new());
        w.0.extend_from_slice(MAGIC);
        w.u32(self.sdks.len() as u32);
        let mut first = 0u32;
        for (si, s) in self.sdks.iter().enumerate() {
            w.str(&s.id);
            w.u32(s.versions.len() as u32);
            for v in &s.versions {
                w.str(v);
            }
            // Entries are grouped by SDK in SDK order (`Library::build`).
            let n = self
                .entries
                .iter()
                .filter(|e| usize::from(e.sdk) == si)
                .count() as u32;
            w.u32(first);
            w.u32(first + n);
            first += n;
        }
        w.u32(self.name_ends.len() as u32);
        for &e in &self.name_ends {
            w.u32(e);
        }
        w.u32(self.names.len() as u32);
        w.0.extend_from_slice(self.names.as_bytes());
        w.u32(self.pool.len() as u32);
        for &p in &self.pool {
            w.u64(p);
        }
        w.u32(self.entries.len() as u32);
        for e in &self.entries {
            w.entry(e);
        }
        w.u32(self.lists.len() as u32);
        for &x in &self.lists {
            w.u32(x);
        }
        w.u32(self.bits.len() as u32);
        for &x in &self.bits {
            w.u64(x);
        }
        let (off, postings) = self.postings();
        w.u32(off.len() as u32);
        for &o in &off {
            w.u32(o);
        }
        w.u32(postings.len() as u32);
        for &e in &postings {
            w.u32(e);
        }
        w.0
    }

    /// The library these parts make (written, then read in place).
    fn into_library(self) -> Library {
        let bytes = self.write();
        match Layout::read(&bytes) {
            Ok(lay) => Library {
                bytes: Cow::Owned(bytes),
                lay,
            },
            // Not reached: the writer writes what the reader reads (tests round-trip it).
            Err(_) => Library {
                bytes: Cow::Owned(Vec::new()),
                lay: Layout::default(),
            },
        }
    }
}

impl Library {
    /// Builds the library from every SDK's releases. Deterministic.
    pub fn build(inputs: &[SdkBuilds]) -> Library {
        let mut lib = Parts::default();
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
                            let e = lib.push_entry(sdk, name, idx(c.sup), [&i, &f, &m, &st], words);
                            by_record.insert(key, e);
                            e
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
        lib.into_library()
    }

    /// The pool indices of `v` (sorted), or `None` when one token is not in the pool (then no
    /// entry can hold them all).
    fn pooled(&self, v: &[u64], out: &mut Vec<u32>) -> Option<()> {
        out.clear();
        for &x in v {
            out.push(self.find_token(x)?);
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
        let mut hits: Vec<(u32, u16)> = Vec::new();
        for (ci, c) in app.iter().enumerate() {
            if c.strong.is_empty() {
                continue;
            }
            let Some(sup) = self.find_token(c.sup) else {
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
                .filter_map(|&s| self.find_token(s))
                .map(|p| self.posting(p))
                .min_by_key(|p| p.len())
            else {
                continue;
            };
            hits.clear();
            for ei in rarest.iter() {
                let Some(e) = self.entry(ei as usize) else {
                    continue;
                };
                if e.sup == sup
                    && !only_in_left_out(&e)
                    && subset_in(&i, self.ifaces(&e))
                    && subset_in(&f, self.fields(&e))
                    && subset_in(&m, self.methods(&e))
                {
                    hits.push((ei, e.sdk));
                }
            }
            let mut sdks = hits.iter().map(|h| h.1);
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
            slot.classes.push((ci, hits.iter().map(|h| h.0).collect()));
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
        self.sdk_entries(sdk)
            .filter(|e| e.has_strong() && self.has(e, r) && keep(e))
            .count()
    }

    /// [`Library::findable_where`] of every release `0..n` of `sdk` at once: one pass over the
    /// SDK's entries (`keep` called once per strong entry), not one per release.
    pub fn findable_where_by_release(
        &self,
        sdk: usize,
        n: usize,
        keep: &dyn Fn(&Entry) -> bool,
    ) -> Vec<usize> {
        let mut counts = vec![0usize; n];
        for e in self.sdk_entries(sdk).filter(|e| e.has_strong() && keep(e)) {
            for (w, word) in self.releases(&e).iter().enumerate() {
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
        let n = lib.sdks().get(self.sdk)?.versions.len();
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
            .filter_map(|&e| lib.entry(e as usize).map(|e| e.name))
            .collect();
        let mut by_name: HashMap<u32, Vec<u64>> = HashMap::new();
        for e in lib
            .sdk_entries(self.sdk)
            .filter(|e| names.contains(&e.name))
        {
            let slot = by_name
                .entry(e.name)
                .or_insert_with(|| vec![0; lib.releases(&e).len()]);
            for (a, b) in slot.iter_mut().zip(lib.releases(&e).iter()) {
                *a |= b;
            }
        }
        let has = |bits: &[u64], r: usize| bits.get(r / 64).is_some_and(|w| w >> (r % 64) & 1 == 1);
        let mut votes = vec![0usize; n];
        let mut present = vec![0usize; n];
        let mut held: Vec<u64> = Vec::new();
        for (_, entries) in &self.classes {
            // The releases holding one of its entries (their release bits or-ed) and its names.
            held.clear();
            let mut class_names: Vec<u32> = Vec::with_capacity(entries.len());
            for e in entries.iter().filter_map(|&e| lib.entry(e as usize)) {
                class_names.push(e.name);
                let bits = lib.releases(&e);
                if held.len() < bits.len() {
                    held.resize(bits.len(), 0);
                }
                for (a, b) in held.iter_mut().zip(bits.iter()) {
                    *a |= b;
                }
            }
            class_names.sort_unstable();
            class_names.dedup();
            for r in 0..n {
                if Some(r) == without {
                    continue;
                }
                if has(&held, r) {
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
        // Releases that have at least two thirds as many of the app's classes as the
        // best-covered one compete; the best share of their present classes held as the app
        // has them wins. (With "half", an early monolithic Play services jar holding 86 of the
        // 154 classes of a 4.x one, all unchanged, beat the 4.x neighbours: leave-one-out
        // wrong by more than one release 42 -> 35 of 689 with two thirds, see BENCHMARKS.md.)
        let most = present.iter().copied().max().unwrap_or(0);
        let eligible = |r: usize| {
            let p = present.get(r).copied().unwrap_or(0);
            p > 0 && p * 3 >= most * 2 && votes.get(r).copied().unwrap_or(0) > 0
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
    /// An entry's record, as [`Entry::decode`] reads it.
    fn entry(&mut self, e: &Entry) {
        self.u16(e.sdk);
        self.0.extend_from_slice(&[e.words, 0]);
        self.u32(e.name);
        self.u32(e.sup);
        self.u32(e.at);
        for l in e.lens {
            self.u16(l);
        }
        self.u32(e.rel);
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
    fn u16(&mut self) -> Result<u16, LibraryError> {
        Ok(u16::from_le_bytes(arr(self.take(2)?, 0)))
    }
    fn u32(&mut self) -> Result<u32, LibraryError> {
        Ok(u32::from_le_bytes(arr(self.take(4)?, 0)))
    }
    /// A count of items of at least `each` bytes, checked against the bytes left.
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
    /// A counted array of `width`-byte values, skipped.
    fn span(&mut self, width: usize) -> Result<Span, LibraryError> {
        let n = self.count(width)?;
        let at = self.at;
        self.take(n.saturating_mul(width))?;
        Ok(Span { at, n })
    }
}

/// The offset of the first value of a `u32` section that is `bound` or more (after one check
/// of the largest, a loop the compiler can vectorise).
fn first_at_or_over(b: &[u8], s: Span, bound: usize) -> Option<usize> {
    let bytes = b.get(s.at..s.at + s.n * 4).unwrap_or(&[]);
    let max = U32s(bytes).iter().max()?;
    if (max as usize) < bound {
        return None;
    }
    let i = U32s(bytes).iter().position(|x| x as usize >= bound)?;
    Some(s.at + i * 4)
}

impl Layout {
    /// Walks the section headers and reads the SDK table; nothing else is looked at (see
    /// [`Layout::check`]).
    fn read(b: &[u8]) -> Result<Layout, LibraryError> {
        let mut r = R { b, at: 0 };
        if r.take(MAGIC.len())? != MAGIC {
            return Err(LibraryError {
                offset: 0,
                message: "not a trackscan SDK library of this version (magic TSLIB03)",
            });
        }
        let mut lay = Layout::default();
        let n = r.count(14)?;
        for _ in 0..n {
            let id = r.str()?;
            let nv = r.count(2)?;
            let mut versions = Vec::with_capacity(nv);
            for _ in 0..nv {
                versions.push(r.str()?);
            }
            lay.sdks.push(LibSdk { id, versions });
            let at = r.at;
            lay.sdk_entries.push((r.u32()?, r.u32()?, at));
        }
        lay.name_ends = r.span(4)?;
        lay.names = r.span(1)?;
        lay.pool = r.span(8)?;
        lay.entries = r.span(ENTRY_BYTES)?;
        lay.lists = r.span(4)?;
        lay.bits = r.span(8)?;
        let at = r.at;
        lay.post_off = r.span(4)?;
        if lay.post_off.n != lay.pool.n + 1 {
            return Err(LibraryError {
                offset: at,
                message: "posting offsets do not fit the token pool",
            });
        }
        lay.postings = r.span(4)?;
        if r.at != b.len() {
            return Err(r.err("trailing bytes"));
        }
        Ok(lay)
    }

    /// Checks every value of the file `b` this layout was read from: every index in range,
    /// the pool sorted, the names UTF-8, the SDKs' entry ranges, the postings ordered.
    fn check(&self, b: &[u8]) -> Result<(), LibraryError> {
        let err = |offset: usize, message: &'static str| Err(LibraryError { offset, message });
        let u32_at = |s: Span, i: usize| -> u32 {
            u32::from_le_bytes(arr(b, s.at.saturating_add(i.saturating_mul(4))))
        };
        // SDKs: consecutive entry ranges covering every entry.
        let mut next = 0u32;
        for &(first, end, at) in &self.sdk_entries {
            if first != next || end < first {
                return err(at, "SDK entry range out of order");
            }
            next = end;
        }
        if next as usize != self.entries.n {
            return err(self.entries.at, "SDK entry ranges do not cover the entries");
        }
        // Names: rising ends within the text, at character boundaries of UTF-8 text.
        let text = b
            .get(self.names.at..self.names.at + self.names.n)
            .unwrap_or(&[]);
        let Ok(text) = std::str::from_utf8(text) else {
            return err(self.names.at, "name is not UTF-8");
        };
        let mut prev = 0usize;
        for i in 0..self.name_ends.n {
            let end = u32_at(self.name_ends, i) as usize;
            if end < prev || !text.is_char_boundary(end) {
                return err(self.name_ends.at + i * 4, "name end out of order");
            }
            prev = end;
        }
        if prev != text.len() {
            return err(self.names.at, "names do not fill their text");
        }
        // Pool: strictly rising.
        let pool = |i: usize| u64::from_le_bytes(arr(b, self.pool.at + i * 8));
        if let Some(i) = (1..self.pool.n).find(|&i| pool(i - 1) >= pool(i)) {
            return err(self.pool.at + i * 8, "token pool not sorted");
        }
        // Entries.
        for (si, &(first, end, _)) in self.sdk_entries.iter().enumerate() {
            let words_needed = self
                .sdks
                .get(si)
                .map_or(0, |s| s.versions.len().div_ceil(64));
            for i in first as usize..end as usize {
                let at = self.entries.at + i * ENTRY_BYTES;
                let (e, reserved) = Entry::decode(&arr(b, at));
                if usize::from(e.sdk) != si || reserved != 0 {
                    return err(at, "entry outside its SDK's range");
                }
                if e.name as usize >= self.name_ends.n {
                    return err(at + 4, "name index out of range");
                }
                if e.sup as usize >= self.pool.n {
                    return err(at + 8, "token index out of range");
                }
                let lists = e.lens.iter().map(|&l| usize::from(l)).sum::<usize>();
                if e.at as usize + lists > self.lists.n {
                    return err(at + 12, "lists out of range");
                }
                if usize::from(e.words) != words_needed {
                    return err(at + 2, "release set does not fit the SDK's releases");
                }
                if e.rel as usize + usize::from(e.words) > self.bits.n {
                    return err(at + 24, "release set out of range");
                }
            }
        }
        if let Some(at) = first_at_or_over(b, self.lists, self.pool.n) {
            return err(at, "index out of range");
        }
        // Posting lists: offsets rising from 0 to the postings' length; every posting an
        // entry.
        let mut prev = 0u32;
        for i in 0..self.post_off.n {
            let o = u32_at(self.post_off, i);
            if (i == 0 && o != 0) || o < prev {
                return err(self.post_off.at + i * 4, "posting offsets out of order");
            }
            prev = o;
        }
        if prev as usize != self.postings.n {
            return err(self.post_off.at, "posting offsets out of order");
        }
        if let Some(at) = first_at_or_over(b, self.postings, self.entries.n) {
            return err(at, "index out of range");
        }
        Ok(())
    }
}

impl Library {
    /// The file form ([`Library::parse`] reads it back).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.bytes.to_vec()
    }

    /// The file form, borrowed.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Reads the file form (a copy of `b`). Every count and index is checked
    /// ([`Library::check`]).
    pub fn parse(b: &[u8]) -> Result<Library, LibraryError> {
        let lay = Layout::read(b)?;
        lay.check(b)?;
        Ok(Library {
            bytes: Cow::Owned(b.to_vec()),
            lay,
        })
    }

    /// Reads the file form in place, for a file built into the binary: only the section
    /// headers and the SDK table are read (a truncated file or a bad header is an error), not
    /// the values ([`Library::check`] does that: a test runs it on the built-in file). Every
    /// read is bounds-checked, so a bad value gives wrong matches, never a panic.
    pub fn from_static(b: &'static [u8]) -> Result<Library, LibraryError> {
        Ok(Library {
            lay: Layout::read(b)?,
            bytes: Cow::Borrowed(b),
        })
    }

    /// Checks every value ([`Library::parse`] does; [`Library::from_static`] does not).
    pub fn check(&self) -> Result<(), LibraryError> {
        self.lay.check(&self.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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

    /// Two SDKs, one sharing a class with the other, a release set of two words.
    fn lib2() -> Library {
        let mut many: Vec<(String, Vec<LibClass>)> = (0..70)
            .map(|r| {
                let mut cs = vec![class("Lb/Q;", &[400 + r / 10, 500])];
                if r % 3 == 0 {
                    cs.push(class("Lb/R;", &[3, 600, 601]));
                }
                cs.push(class("La/B;", &[5, 200]));
                (format!("2.{r}"), cs)
            })
            .collect();
        many.push(("3.0".into(), vec![]));
        Library::build(&[
            SdkBuilds {
                id: "y".into(),
                releases: many,
            },
            SdkBuilds {
                id: "x".into(),
                releases: vec![
                    (
                        "1.0".into(),
                        vec![class("La/A;", &[100, 101]), class("La/B;", &[5, 200])],
                    ),
                    ("1.1".into(), vec![class("La/A;", &[100, 102])]),
                ],
            },
        ])
    }

    /// Everything a scan asks of a library, on `lib` (which may be corrupt): must not panic.
    fn exercise(lib: &Library) -> usize {
        let app = vec![
            class("Lq/z;", &[102]),
            class("Lq/y;", &[200]),
            class("Lq/x;", &[5, 200]),
            class("Lq/w;", &[404, 500]),
            class("Lq/v;", &[600]),
        ];
        let mut n = 0;
        for without in [None, Some((0, 0)), Some((1, 65))] {
            for m in lib.match_app_without(&app, without) {
                n += m.classes.len();
                let keep = |e: &Entry| lib.name(e.name).len() % 2 == 1;
                for w in [None, Some(0), Some(64)] {
                    n += m.versions_without(lib, w).map_or(0, |v| v.tied);
                    n += m.versions_where(lib, w, &keep).map_or(0, |v| v.first);
                }
            }
        }
        for (si, s) in lib.sdks().iter().enumerate() {
            n += lib
                .findable_where_by_release(si, s.versions.len() + 2, &|_| true)
                .iter()
                .sum::<usize>();
            n += lib.findable(si, 65);
        }
        for i in 0..lib.entry_count() as u32 + 2 {
            n += lib.name_of(i).len() + lib.name(i).len();
            if let Some(e) = lib.entry(i as usize) {
                n += lib.ifaces(&e).len() + lib.fields(&e).len() + lib.methods(&e).len();
                n += lib.strong(&e).iter().map(|x| x as usize).sum::<usize>();
                n += lib.releases(&e).iter().map(u64::count_ones).sum::<u32>() as usize;
                n += usize::from(lib.has(&e, 70));
            }
        }
        n + (0..lib.token_count() as u32 + 1)
            .filter_map(|i| lib.token(i))
            .count()
    }

    /// `b` read in place without the value check (as `from_static` does), when its
    /// headers read.
    fn in_place(b: &[u8]) -> Option<Library> {
        Some(Library {
            lay: Layout::read(b).ok()?,
            bytes: Cow::Owned(b.to_vec()),
        })
    }

    #[test]
    fn builds_dedups_and_round_trips() {
        let l = lib();
        assert_eq!(l.sdks()[0].versions, ["1.0", "1.1", "1.2"]);
        // A twice (two records), B once, C once.
        assert_eq!(l.entry_count(), 4);
        let b = l.entries().find(|e| l.name(e.name) == "La/B;");
        assert_eq!(b.and_then(|e| l.releases(&e).get(0)), Some(0b111));
        let bytes = l.to_bytes();
        assert_eq!(Library::parse(&bytes).as_ref(), Ok(&l));
        let leaked: &'static [u8] = Box::leak(bytes.clone().into_boxed_slice());
        assert_eq!(Library::from_static(leaked).as_ref(), Ok(&l));
        assert_eq!(l.check(), Ok(()));
        // Truncated and corrupted files are errors with an offset, never a panic.
        for cut in 0..bytes.len() {
            assert!(Library::parse(&bytes[..cut]).is_err());
            assert!(in_place(&bytes[..cut]).is_none());
        }
        let mut bad = bytes.clone();
        bad[0] = b'X';
        assert!(Library::parse(&bad).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        let e = Library::parse(&longer).expect_err("trailing byte");
        assert_eq!((e.offset, e.message), (bytes.len(), "trailing bytes"));
    }

    #[test]
    fn the_empty_library_round_trips() {
        let l = Library::default();
        assert_eq!(l.entry_count(), 0);
        assert_eq!(Library::parse(&l.to_bytes()), Ok(l.clone()));
        assert_eq!(Library::build(&[]), l);
        assert!(l.match_app(&[class("Lq/z;", &[102])]).is_empty());
    }

    /// The entries of one SDK are its range; every list, bit set and posting reads back as
    /// built.
    #[test]
    fn two_sdks_read_back_in_place() {
        let l = lib2();
        assert_eq!(l.check(), Ok(()));
        assert_eq!(l.sdks().len(), 2);
        assert_eq!(l.sdks()[1].versions.len(), 71);
        let (x, y): (Vec<Entry>, Vec<Entry>) = l.entries().partition(|e| e.sdk == 0);
        assert_eq!(l.sdk_entries(0).collect::<Vec<_>>(), x);
        assert_eq!(l.sdk_entries(1).collect::<Vec<_>>(), y);
        assert_eq!(l.sdk_entries(2).count(), 0);
        // Lb/R; is in every third release of y, over two release words.
        let r = y.iter().find(|e| l.name(e.name) == "Lb/R;").copied();
        let r = r.expect("Lb/R; is an entry");
        assert_eq!(l.releases(&r).len(), 2);
        assert!((0..71).all(|i| l.has(&r, i) == (i % 3 == 0 && i < 70)));
        assert_eq!(
            l.methods(&r)
                .iter()
                .filter_map(|p| l.token(p))
                .collect::<Vec<_>>(),
            [3, 600, 601]
        );
        assert_eq!(l.strong(&r).len(), 2);
        // La/B; of both SDKs: the same code in two SDKs matches neither.
        assert!(l.match_app(&[class("Lq/y;", &[200])]).is_empty());
        let m = l.match_app(&[class("Lq/r;", &[600])]);
        assert_eq!((m.len(), m[0].sdk), (1, 1));
        assert_eq!(m[0].classes, [(0, vec![r_index(&l, "Lb/R;")])]);
        let counts = l.findable_where_by_release(1, 71, &|_| true);
        assert_eq!(counts[0], 3); // Q, R, B
        assert_eq!(counts[70], 0);
        assert_eq!(counts[1], 2);
        assert!(exercise(&l) > 0);
    }

    fn r_index(l: &Library, name: &str) -> u32 {
        (0..l.entry_count())
            .find(|&i| l.name_of(i as u32) == name)
            .map_or(u32::MAX, |i| i as u32)
    }

    /// A bad value is an error at its offset for `parse`; read in place, it gives some answer
    /// and no panic.
    #[test]
    fn bad_values_are_errors_at_their_offset() {
        let l = lib2();
        let bytes = l.to_bytes();
        let lay = &l.lay;
        let cases: [(usize, [u8; 4], &str); 6] = [
            (lay.lists.at + 8, [0xff; 4], "index out of range"),
            (lay.postings.at + 4, [0x7f, 0, 0, 0], "index out of range"),
            (
                lay.entries.at + ENTRY_BYTES + 4,
                [0xff; 4],
                "name index out of range",
            ),
            (lay.entries.at + 8, [0xff; 4], "token index out of range"),
            (lay.pool.at + 8, [0; 4], "token pool not sorted"),
            (
                lay.post_off.at + 8,
                [0xff; 4],
                "posting offsets out of order",
            ),
        ];
        for (at, value, message) in cases {
            let mut bad = bytes.clone();
            bad[at..at + 4].copy_from_slice(&value);
            let e = Library::parse(&bad).expect_err(message);
            assert_eq!(e.message, message);
            assert!(e.offset.abs_diff(at) < 8, "{e} (changed {at})");
            let view = in_place(&bad).expect("the headers are intact");
            exercise(&view);
        }
    }

    /// Every single-byte change of a file: `parse` answers without a panic, and what it accepts
    /// it reads back byte for byte; read in place, every query answers.
    #[test]
    fn every_byte_changed_never_panics() {
        let bytes = lib().to_bytes();
        for at in 0..bytes.len() {
            for x in [0x01, 0x80, 0xff] {
                let mut bad = bytes.clone();
                bad[at] ^= x;
                if let Ok(l) = Library::parse(&bad) {
                    assert_eq!(l.to_bytes(), bad);
                    exercise(&l);
                }
                if let Some(l) = in_place(&bad) {
                    exercise(&l);
                }
            }
        }
    }

    proptest! {
        #[test]
        fn random_patches_never_panic(
            patches in prop::collection::vec((any::<usize>(), any::<u32>()), 1..6),
            cut in any::<usize>(),
        ) {
            let mut bad = lib2().to_bytes();
            for (at, v) in patches {
                let at = at % bad.len();
                let end = (at + 4).min(bad.len());
                bad[at..end].copy_from_slice(&v.to_le_bytes()[..end - at]);
            }
            bad.truncate(bad.len() - cut % 3);
            if let Ok(l) = Library::parse(&bad) {
                prop_assert_eq!(l.check(), Ok(()));
                exercise(&l);
            }
            if let Some(l) = in_place(&bad) {
                exercise(&l);
            }
        }
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

    #[test]
    fn subset_in_place_is_subset() {
        let b: Vec<u8> = [1u32, 3, 5, 9]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        for a in [
            &[][..],
            &[1],
            &[3, 9],
            &[1, 3, 5, 9],
            &[2],
            &[9, 10],
            &[0, 1],
            &[1, 3, 5, 9, 11],
        ] {
            assert_eq!(
                subset_in(a, U32s(&b)),
                crate::libfp::subset(a, &[1, 3, 5, 9]),
                "{a:?}"
            );
        }
    }
}
