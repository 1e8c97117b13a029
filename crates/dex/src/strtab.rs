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
    /// Whether the strings are in strictly increasing UTF-16 order, as the format requires
    /// (so a single file has no duplicates). Byte order agrees except for supplementary
    /// characters and U+0000: byte-wise binary searches check their own order (see
    /// `types_in_byte_order` in the index).
    pub(crate) sorted: bool,
    /// Whether the strings are in strictly increasing byte order (implies `sorted`).
    pub(crate) byte_sorted: bool,
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
            byte_sorted: true,
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
            t.byte_sorted = false;
            t.lazy = Some(Box::new(dex.clone()));
            return t;
        }
        t.strs.reserve_exact(n as usize);
        let mut by_offset: FxHashMap<u32, u32> = FxHashMap::default();
        let mut prev: &[u8] = &[];
        let data = dex.bytes();
        let ids = dex.string_ids_bytes();
        for i in 0..n {
            // Fast path for the common case, a short ASCII string: its one-byte `utf16_size`
            // is its byte length, then the bytes (all in 0x01..=0x7f), then the NUL. Exactly
            // what `DexFile::string` and the checks below would make of it.
            if let Some(v) = ascii_string(data, ids, i) {
                if i > 0 && v.as_bytes() <= prev {
                    t.byte_sorted = false;
                    let in_order = t.sorted
                        && t.get(i - 1)
                            .is_some_and(|a| a.encode_utf16().lt(v.encode_utf16()));
                    if !in_order {
                        t.sorted = false;
                    }
                }
                prev = v.as_bytes();
                t.strs.push(v);
                continue;
            }
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
                    t.byte_sorted = false;
                    continue;
                }
            };
            let bytes = s.as_bytes();
            let byte_break = i > 0 && bytes <= prev;
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
            if byte_break {
                t.byte_sorted = false;
                // Byte order and the format's UTF-16 order differ only for supplementary
                // characters (4-byte UTF-8, surrogate pairs in MUTF-8) and U+0000: compare
                // this pair in UTF-16, as ART does.
                let in_order = t.sorted
                    && match (t.get(i - 1), t.get(i)) {
                        (Some(a), Some(b)) => a.encode_utf16().lt(b.encode_utf16()),
                        _ => false,
                    };
                if !in_order {
                    t.sorted = false;
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

/// String `i` when it is a short ASCII `string_data_item` (one-byte length, bytes in
/// `0x01..=0x7f`, NUL after them), borrowed; `None` otherwise (the general path decides).
fn ascii_string<'a>(data: &'a [u8], ids: &[u8], i: u32) -> Option<&'a str> {
    let at = (i as usize).checked_mul(4)?;
    let off = match ids.get(at..at.checked_add(4)?)? {
        &[a, b, c, d] => u32::from_le_bytes([a, b, c, d]) as usize,
        _ => return None,
    };
    let len = *data.get(off)?;
    if len >= 0x80 {
        return None;
    }
    let start = off.checked_add(1)?;
    let end = start.checked_add(usize::from(len))?;
    let bytes = data.get(start..end)?;
    if data.get(end) != Some(&0) {
        return None;
    }
    // No early exit: the loop vectorises.
    let ascii = bytes
        .iter()
        .fold(true, |ok, &b| ok & (b.wrapping_sub(1) < 0x7f));
    if !ascii {
        return None;
    }
    std::str::from_utf8(bytes).ok()
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
    fn utf16_order_is_the_format_order_byte_order_is_tracked_apart() {
        use trackscan_fixtures::dex::{ClassDefSpec, DexBuilder, MethodDef, Op};
        // "a\0b" is MUTF-8 `61 C0 80 62`: before "a\u{1}" in UTF-16, after it in bytes.
        let code = ["a\0b", "a\u{1}", "zz"]
            .iter()
            .map(|s| Op::ConstString(s.to_string()))
            .chain([Op::ReturnVoid])
            .collect();
        let bytes = DexBuilder::new()
            .class(ClassDefSpec::new(
                "Lcom/x/A;",
                vec![MethodDef::new("m", &[], "V", code)],
            ))
            .build();
        let dex = DexFile::parse(&bytes).unwrap();
        let t = StrTable::build(&dex);
        assert!(t.sorted, "UTF-16 order, as the builder and dx/d8 write it");
        assert!(!t.byte_sorted);
        let all: Vec<&str> = (0..t.len()).filter_map(|i| t.get(i)).collect();
        let a0 = all.iter().position(|s| *s == "a\0b").unwrap();
        let a1 = all.iter().position(|s| *s == "a\u{1}").unwrap();
        assert!(a0 < a1);

        // A table really out of order is neither.
        let bytes = dex_two_strings(b"b", b"a");
        let dex = DexFile::parse(&bytes).unwrap();
        let t = StrTable::build(&dex);
        assert!(!t.sorted && !t.byte_sorted);
        let bytes = dex_two_strings(b"a", b"b");
        let t = StrTable::build(&DexFile::parse(&bytes).unwrap());
        assert!(t.sorted && t.byte_sorted);
    }

    /// A minimal DEX with two `string_ids` entries, in this order.
    fn dex_two_strings(first: &[u8], second: &[u8]) -> Vec<u8> {
        let ids_off = 0x70usize;
        let mut b = vec![0u8; ids_off + 8];
        b[..8].copy_from_slice(b"dex\n035\0");
        b[0x24..0x28].copy_from_slice(&0x70u32.to_le_bytes());
        b[0x28..0x2c].copy_from_slice(&0x1234_5678u32.to_le_bytes());
        b[0x38..0x3c].copy_from_slice(&2u32.to_le_bytes());
        b[0x3c..0x40].copy_from_slice(&(ids_off as u32).to_le_bytes());
        for (k, s) in [first, second].iter().enumerate() {
            let off = b.len() as u32;
            b[ids_off + 4 * k..ids_off + 4 * k + 4].copy_from_slice(&off.to_le_bytes());
            b.push(s.len() as u8);
            b.extend_from_slice(s);
            b.push(0);
        }
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
