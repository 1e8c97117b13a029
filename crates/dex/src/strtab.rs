//! A DEX file's string table, decoded once.
//!
//! Every later query of the index (class and type descriptors, method and field names, the
//! strings the matcher and the host extractor read, call-site and data-access resolution)
//! borrows from this table instead of re-reading `string_data_item`s and re-validating their
//! MUTF-8. Profiling a scan of the largest corpus APK showed that re-decoding (`DexFile::string`,
//! `from_utf8`, `decode_mutf8`) was ≈ 16 % of the whole scan before this table existed.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use crate::file::DexFile;

/// The decoded string table of one DEX file.
pub(crate) struct StrTable<'a> {
    /// Every string that is plain UTF-8 (the common case), borrowed from the file; the slot of
    /// any other string is empty and the string is in `decoded`.
    strs: Vec<&'a str>,
    /// Strings that are not plain UTF-8, by index: `Some` when decoded (MUTF-8 `C0 80`,
    /// surrogate pairs, or invalid sequences as U+FFFD), `None` when unreadable.
    decoded: FxHashMap<u32, Option<String>>,
    /// Whether the strings are in strictly increasing byte order, as the format requires
    /// (UTF-16 order, which agrees with byte order for ASCII): prefix queries may binary-search.
    pub(crate) sorted: bool,
    /// Strings whose bytes are not valid MUTF-8, and the file offset of the first one.
    pub(crate) invalid: (u32, u32),
    /// Strings whose `string_data_off` or data could not be read, and the index of the first.
    pub(crate) unreadable: (u32, u32),
}

impl<'a> StrTable<'a> {
    /// An empty table (smali inputs).
    pub(crate) fn empty() -> Self {
        StrTable {
            strs: Vec::new(),
            decoded: FxHashMap::default(),
            sorted: true,
            invalid: (0, 0),
            unreadable: (0, 0),
        }
    }

    /// Decodes every entry of `dex`'s `string_ids` (one pass over the string data; the
    /// table's length is bounded by the file, 4 bytes of `string_ids` per entry).
    pub(crate) fn build(dex: &DexFile<'a>) -> Self {
        let n = dex.string_count();
        let mut t = StrTable::empty();
        t.strs.reserve_exact(n as usize);
        let mut prev: &[u8] = &[];
        for i in 0..n {
            let s = match dex.string(i) {
                Ok(s) => s,
                Err(_) => {
                    if t.unreadable.0 == 0 {
                        t.unreadable.1 = i;
                    }
                    t.unreadable.0 += 1;
                    t.decoded.insert(i, None);
                    t.strs.push("");
                    t.sorted = false;
                    continue;
                }
            };
            let bytes = s.as_bytes();
            if i > 0 && t.sorted && bytes <= prev {
                t.sorted = false;
            }
            prev = bytes;
            match std::str::from_utf8(bytes) {
                Ok(v) => t.strs.push(v),
                Err(_) => {
                    let v = match s.decode() {
                        Ok(v) => v.into_owned(),
                        Err(_) => {
                            if t.invalid.0 == 0 {
                                t.invalid.1 = s.offset();
                            }
                            t.invalid.0 += 1;
                            crate::mutf8::decode_lossy(bytes)
                        }
                    };
                    t.decoded.insert(i, Some(v));
                    t.strs.push("");
                }
            }
        }
        t
    }

    /// Number of entries.
    pub(crate) fn len(&self) -> u32 {
        self.strs.len() as u32
    }

    /// String `i`, borrowed from this table (`None` when out of range or unreadable).
    pub(crate) fn get(&self, i: u32) -> Option<&str> {
        let s = *self.strs.get(i as usize)?;
        if !s.is_empty() {
            return Some(s);
        }
        match self.decoded.get(&i) {
            Some(d) => d.as_deref(),
            None => Some(s),
        }
    }

    /// String `i` with the file's lifetime: borrowed when plain UTF-8, copied otherwise.
    pub(crate) fn get_cow(&self, i: u32) -> Option<Cow<'a, str>> {
        let s = *self.strs.get(i as usize)?;
        if !s.is_empty() {
            return Some(Cow::Borrowed(s));
        }
        match self.decoded.get(&i) {
            Some(d) => d.clone().map(Cow::Owned),
            None => Some(Cow::Borrowed(s)),
        }
    }
}
