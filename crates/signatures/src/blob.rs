//! A compact binary form of a rule list, written by `build.rs` from the built-in TOML
//! files and read back by [`crate::RuleSet::builtin`].
//!
//! Why: parsing the two embedded TOML files (185 KB) with the `toml` crate cost 32.5 M
//! instructions per process (25 M in the TOML parser, the rest building the rules), paid by
//! every `trackscan scan` before it looks at the app; decoding this form costs 3.5 M (one
//! allocation per string). `build.rs` parses the files with the same [`parse_rules`]
//! source file (`rule_toml.rs`), and a unit test checks the decoded built-in set against
//! parsing the TOML at run time. `--rules DIR` and `signatures check` still read TOML.
//!
//! Format (all integers little-endian `u32`): magic `TSR2`, rule count, then per rule the
//! fields in declaration order: a string is its byte length then UTF-8 bytes; an
//! `Option<String>` is a tag byte (0 none, 1 some) then the string; an `Option<u32>` is a
//! tag byte then the value; a list is its item count then the strings; `narrowed` is one
//! byte. Only this crate writes it; [`decode`] still checks every length against the bytes
//! left and answers `None` on anything malformed.
//!
//! [`parse_rules`]: crate::parse_rules

use crate::rule_toml::Rule;

const MAGIC: &[u8; 4] = b"TSR2";

/// Serializes rules (see the module doc). Lengths above `u32::MAX` cannot occur in rule
/// files (the whole TOML would exceed 4 GiB); they are written saturated and then fail
/// to decode.
#[cfg_attr(not(test), allow(dead_code))] // the library only decodes; build.rs encodes
pub(crate) fn encode(rules: &[Rule]) -> Vec<u8> {
    fn num(out: &mut Vec<u8>, n: usize) {
        out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
    }
    fn string(out: &mut Vec<u8>, s: &str) {
        num(out, s.len());
        out.extend_from_slice(s.as_bytes());
    }
    fn opt(out: &mut Vec<u8>, s: &Option<String>) {
        match s {
            Some(s) => {
                out.push(1);
                string(out, s);
            }
            None => out.push(0),
        }
    }
    fn list(out: &mut Vec<u8>, v: &[String]) {
        num(out, v.len());
        for s in v {
            string(out, s);
        }
    }
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    num(&mut out, rules.len());
    for r in rules {
        string(&mut out, &r.id);
        match r.exodus_id {
            Some(n) => {
                out.push(1);
                out.extend_from_slice(&n.to_le_bytes());
            }
            None => out.push(0),
        }
        string(&mut out, &r.name);
        list(&mut out, &r.categories);
        opt(&mut out, &r.website);
        list(&mut out, &r.code);
        list(&mut out, &r.code_regex);
        list(&mut out, &r.network);
        list(&mut out, &r.network_regex);
        list(&mut out, &r.manifest);
        list(&mut out, &r.version_files);
        list(&mut out, &r.native_libs);
        list(&mut out, &r.assets);
        list(&mut out, &r.strings);
        list(&mut out, &r.data_apis);
        opt(&mut out, &r.version_class);
        opt(&mut out, &r.version_format);
        opt(&mut out, &r.version_meta_data);
        opt(&mut out, &r.note);
        out.push(u8::from(r.narrowed));
    }
    out
}

/// Reads [`encode`]'s output; `None` when the bytes are not exactly one well-formed
/// rule list.
pub(crate) fn decode(bytes: &[u8]) -> Option<Vec<Rule>> {
    struct R<'a> {
        b: &'a [u8],
    }
    impl<'a> R<'a> {
        fn take(&mut self, n: usize) -> Option<&'a [u8]> {
            let (head, rest) = (self.b.get(..n)?, self.b.get(n..)?);
            self.b = rest;
            Some(head)
        }
        fn byte(&mut self) -> Option<u8> {
            self.take(1)?.first().copied()
        }
        fn num(&mut self) -> Option<u32> {
            Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
        }
        fn string(&mut self) -> Option<String> {
            let n = usize::try_from(self.num()?).ok()?;
            let s = std::str::from_utf8(self.take(n)?).ok()?;
            Some(s.to_string())
        }
        fn opt(&mut self) -> Option<Option<String>> {
            match self.byte()? {
                0 => Some(None),
                1 => Some(Some(self.string()?)),
                _ => None,
            }
        }
        fn list(&mut self) -> Option<Vec<String>> {
            let n = usize::try_from(self.num()?).ok()?;
            // Every item takes at least its 4-byte length.
            if n.checked_mul(4)? > self.b.len() {
                return None;
            }
            (0..n).map(|_| self.string()).collect()
        }
    }
    let mut r = R { b: bytes };
    if r.take(MAGIC.len())? != MAGIC {
        return None;
    }
    let n = usize::try_from(r.num()?).ok()?;
    // Every rule takes at least 3 strings, 12 lists, 4 tag bytes and `narrowed`.
    if n.checked_mul(3 * 4 + 12 * 4 + 4 + 1)? > r.b.len() {
        return None;
    }
    let mut rules = Vec::with_capacity(n);
    for _ in 0..n {
        let id = r.string()?;
        let exodus_id = match r.byte()? {
            0 => None,
            1 => Some(r.num()?),
            _ => return None,
        };
        rules.push(Rule {
            id,
            exodus_id,
            name: r.string()?,
            categories: r.list()?,
            website: r.opt()?,
            code: r.list()?,
            code_regex: r.list()?,
            network: r.list()?,
            network_regex: r.list()?,
            manifest: r.list()?,
            version_files: r.list()?,
            native_libs: r.list()?,
            assets: r.list()?,
            strings: r.list()?,
            data_apis: r.list()?,
            version_class: r.opt()?,
            version_format: r.opt()?,
            version_meta_data: r.opt()?,
            note: r.opt()?,
            narrowed: match r.byte()? {
                0 => false,
                1 => true,
                _ => return None,
            },
        });
    }
    r.b.is_empty().then_some(rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Rule> {
        vec![
            Rule {
                id: "x".into(),
                exodus_id: Some(7),
                name: "X é \"q\"".into(),
                categories: vec!["Analytics".into()],
                website: Some("https://x.example".into()),
                code: vec!["com.x".into(), "org.x.sdk".into()],
                code_regex: vec!["com/x/[a-z]+/Y".into()],
                network: vec!["x.example".into()],
                strings: vec!["a\0b".into(), String::new()],
                note: Some("line1\nline2".into()),
                narrowed: true,
                ..Rule::default()
            },
            Rule {
                id: "y".into(),
                name: "Y".into(),
                version_class: Some("com.y.BuildConfig.VERSION_NAME".into()),
                ..Rule::default()
            },
        ]
    }

    #[test]
    fn round_trip() {
        let rules = sample();
        assert_eq!(decode(&encode(&rules)), Some(rules));
        assert_eq!(decode(&encode(&[])), Some(Vec::new()));
    }

    #[test]
    fn rejects_malformed() {
        let good = encode(&sample());
        assert_eq!(decode(b""), None);
        assert_eq!(decode(b"TSR1\0\0\0\0"), None);
        // Trailing bytes, a bad tag, a huge count.
        let mut extra = good.clone();
        extra.push(0);
        assert_eq!(decode(&extra), None);
        let mut huge = good.clone();
        huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(decode(&huge), None);
        for cut in 0..good.len() {
            assert_eq!(decode(&good[..cut]), None, "cut at {cut}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// Corrupted bytes never panic the decoder.
        #[test]
        fn corrupted_never_panics(pos in 0usize..400, byte in proptest::num::u8::ANY) {
            let mut b = encode(&sample());
            let at = pos % b.len();
            if let Some(x) = b.get_mut(at) {
                *x = byte;
            }
            let _ = decode(&b);
        }
    }
}
