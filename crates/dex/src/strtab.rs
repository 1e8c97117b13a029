//! A DEX file's string table, decoded once.
//!
//! Every later query of the index (class and type descriptors, method and field names, the
//! strings the matcher and the host extractor read, call-site and data-access resolution)
//! borrows from this table instead of re-reading `string_data_item`s and re-validating their
//! MUTF-8. Profiling a scan of the largest corpus APK showed that re-decoding (`DexFile::string`,
//! `from_utf8`, `decode_mutf8`) was ≈ 16 % of the whole scan before this table existed.
//!
//! Memory is bounded by the file, not by what it declares: one 16-byte view per `string_ids`
//! entry (each entry is 4 bytes of the file) and one copy per *distinct* string that needs
//! decoding (entries that share a `string_data_off` share it). A file with more entries than
//! one per [`MIN_BYTES_PER_STRING`] bytes — no compiler writes that; real DEX files have one
//! per ~100 bytes — is not tabulated: its strings are decoded on each access instead.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use crate::file::DexFile;

/// Fewest file bytes per `string_ids` entry for which the table is built (see module docs).
pub(crate) const MIN_BYTES_PER_STRING: usize = 16;

/// Marks an unreadable entry in `decoded`.
const UNREADABLE: u32 = u32::MAX;

/// The decoded string table of one DEX file.
pub(crate) struct StrTable<'a> {
    /// Every string that is plain UTF-8 (the common case), borrowed from the file; the slot of
    /// any other string is empty and the string is in `decoded`.
    strs: Vec<&'a str>,
    /// Strings that are not plain UTF-8, by index: an index into `owned` (MUTF-8 `C0 80`,
    /// surrogate pairs, or invalid sequences as U+FFFD), or [`UNREADABLE`].
    decoded: FxHashMap<u32, u32>,
    /// The decoded copies, one per distinct `string_data_off`.
    owned: Vec<String>,
    /// Set instead of the table for a degenerate file: strings are decoded on each access.
    lazy: Option<Box<DexFile<'a>>>,
    /// Whether the strings are in strictly increasing byte order, as the format requires
    /// (UTF-16 order, which agrees with byte order for ASCII): prefix queries may binary-search.
    pub(crate) sorted: bool,
    /// Distinct strings (by offset) whose bytes are not valid MUTF-8, and the file offset of
    /// the first one.
    pub(crate) invalid: (u32, u32),
    /// Strings whose `string_data_off` or data could not be read, and the index of the first.
    pub(crate) unreadable: (u32, u32),
    /// The file has more `string_ids` than one per [`MIN_BYTES_PER_STRING`] bytes.
    pub(crate) degenerate: bool,
}

impl<'a> StrTable<'a> {
    /// An empty table (smali inputs).
    pub(crate) fn empty() -> Self {
        StrTable {
            strs: Vec::new(),
            decoded: FxHashMap::default(),
            owned: Vec::new(),
            lazy: None,
            sorted: true,
            invalid: (0, 0),
            unreadable: (0, 0),
            degenerate: false,
        }
    }

    /// Decodes every entry of `dex`'s `string_ids` (one pass over the string data).
    pub(crate) fn build(dex: &DexFile<'a>) -> Self {
        let n = dex.string_count();
        let mut t = StrTable::empty();
        if n as usize > dex.bytes().len() / MIN_BYTES_PER_STRING {
            t.degenerate = true;
            t.sorted = false;
            t.lazy = Some(Box::new(dex.clone()));
            return t;
        }
        t.strs.reserve_exact(n as usize);
        let mut by_offset: FxHashMap<u32, u32> = FxHashMap::default();
        let mut prev: &[u8] = &[];
        for i in 0..n {
            let s = match dex.string(i) {
                Ok(s) => s,
                Err(_) => {
                    if t.unreadable.0 == 0 {
                        t.unreadable.1 = i;
                    }
                    t.unreadable.0 += 1;
                    t.decoded.insert(i, UNREADABLE);
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
                    let slot = match by_offset.get(&s.offset()) {
                        Some(&k) => k,
                        None => {
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
                            let k = t.owned.len() as u32;
                            t.owned.push(v);
                            by_offset.insert(s.offset(), k);
                            k
                        }
                    };
                    t.decoded.insert(i, slot);
                    t.strs.push("");
                }
            }
        }
        t
    }

    /// Number of entries.
    pub(crate) fn len(&self) -> u32 {
        match &self.lazy {
            Some(d) => d.string_count(),
            None => self.strs.len() as u32,
        }
    }

    /// String `i`, borrowed from this table (`None` when out of range or unreadable; for a
    /// degenerate file also when not plain UTF-8).
    pub(crate) fn get(&self, i: u32) -> Option<&str> {
        if let Some(d) = &self.lazy {
            return std::str::from_utf8(d.string(i).ok()?.as_bytes()).ok();
        }
        let s = *self.strs.get(i as usize)?;
        if !s.is_empty() {
            return Some(s);
        }
        match self.decoded.get(&i) {
            Some(&k) => self.owned.get(k as usize).map(String::as_str),
            None => Some(s),
        }
    }

    /// String `i` with the file's lifetime: borrowed when plain UTF-8, copied otherwise.
    pub(crate) fn get_cow(&self, i: u32) -> Option<Cow<'a, str>> {
        if let Some(d) = &self.lazy {
            return d.string(i).ok().map(|s| s.as_str());
        }
        let s = *self.strs.get(i as usize)?;
        if !s.is_empty() {
            return Some(Cow::Borrowed(s));
        }
        match self.decoded.get(&i) {
            Some(&k) => self.owned.get(k as usize).cloned().map(Cow::Owned),
            None => Some(Cow::Borrowed(s)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mutf8::encode_mutf8;

    /// A minimal DEX with `n` `string_ids` entries all pointing at one string `data` (MUTF-8
    /// bytes, NUL added), padded with `pad` zero bytes.
    fn dex_with_shared_string(n: u32, data: &[u8], pad: usize) -> Vec<u8> {
        let ids_off = 0x70u32;
        let data_off = ids_off + 4 * n;
        let mut b = vec![0u8; data_off as usize];
        b[..8].copy_from_slice(b"dex\n035\0");
        b[0x24..0x28].copy_from_slice(&0x70u32.to_le_bytes());
        b[0x28..0x2c].copy_from_slice(&0x1234_5678u32.to_le_bytes());
        b[0x38..0x3c].copy_from_slice(&n.to_le_bytes());
        b[0x3c..0x40].copy_from_slice(&ids_off.to_le_bytes());
        for i in 0..n as usize {
            let p = ids_off as usize + 4 * i;
            b[p..p + 4].copy_from_slice(&data_off.to_le_bytes());
        }
        b.push(data.len() as u8); // utf16 length (approximate; not checked)
        b.extend_from_slice(data);
        b.push(0);
        b.extend(std::iter::repeat_n(0u8, pad));
        let len = b.len() as u32;
        b[0x20..0x24].copy_from_slice(&len.to_le_bytes());
        b
    }

    #[test]
    fn shared_invalid_string_is_decoded_once() {
        // 1000 entries, one invalid 100-byte string: one copy, not 1000.
        let mut data = vec![b'a'; 99];
        data.push(0xff);
        let bytes = dex_with_shared_string(1000, &data, 20_000);
        let dex = DexFile::parse(&bytes).unwrap();
        let t = StrTable::build(&dex);
        assert!(!t.degenerate);
        assert_eq!(t.len(), 1000);
        assert_eq!(t.owned.len(), 1);
        assert_eq!(t.invalid.0, 1, "counted once per distinct string");
        assert!(t.get(999).unwrap().ends_with('\u{FFFD}'));
        assert_eq!(t.get_cow(3).unwrap(), t.get(3).unwrap());
    }

    #[test]
    fn degenerate_table_is_read_lazily() {
        // 4 bytes of file per entry: far fewer than any compiler writes.
        let bytes = dex_with_shared_string(5000, &encode_mutf8("hello"), 0);
        let dex = DexFile::parse(&bytes).unwrap();
        let t = StrTable::build(&dex);
        assert!(t.degenerate);
        assert!(t.strs.is_empty());
        assert_eq!(t.len(), 5000);
        assert_eq!(t.get(4999), Some("hello"));
        assert_eq!(t.get_cow(0).as_deref(), Some("hello"));
        assert_eq!(t.get(5000), None);
    }
}
