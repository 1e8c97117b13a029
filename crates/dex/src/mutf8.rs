//! MUTF-8 ("modified UTF-8", as in the DEX `string_data_item`) decoding.

use std::borrow::Cow;

use crate::DexError;

/// A zero-copy view of one DEX string: the MUTF-8 bytes (without the terminating NUL), where
/// they start in the file, and the UTF-16 length the file declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DexStr<'a> {
    bytes: &'a [u8],
    offset: u32,
    utf16_len: u32,
}

impl<'a> DexStr<'a> {
    /// A view over `bytes` found at `offset` in the file.
    pub fn new(bytes: &'a [u8], offset: u32, utf16_len: u32) -> Self {
        DexStr {
            bytes,
            offset,
            utf16_len,
        }
    }

    /// The raw MUTF-8 bytes, borrowed from the file.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The UTF-16 length declared by the file (not checked against the bytes).
    pub fn utf16_len(&self) -> u32 {
        self.utf16_len
    }

    /// The offset of the first byte in the file.
    pub fn offset(&self) -> u32 {
        self.offset
    }

    /// The string, borrowed when the bytes are plain UTF-8 (the common case), decoded
    /// otherwise. Invalid sequences become U+FFFD; use [`DexStr::decode`] to see them as errors.
    pub fn as_str(&self) -> Cow<'a, str> {
        match decode_mutf8(self.bytes, self.offset) {
            Ok(s) => s,
            Err(_) => Cow::Owned(decode_lossy(self.bytes)),
        }
    }

    /// The string, or the first MUTF-8 error (with its file offset).
    pub fn decode(&self) -> Result<Cow<'a, str>, DexError> {
        decode_mutf8(self.bytes, self.offset)
    }
}

/// Decodes MUTF-8. Fast path: bytes that are valid UTF-8 are borrowed (valid UTF-8 never
/// contains `C0 80` or encoded surrogates, so it means the same in both encodings).
pub fn decode_mutf8(bytes: &[u8], base: u32) -> Result<Cow<'_, str>, DexError> {
    if let Ok(s) = core::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(s));
    }
    let mut out = String::with_capacity(bytes.len());
    let mut units = Utf16Units { bytes, pos: 0 };
    let mut pending_high: Option<u16> = None;
    loop {
        let start = units.pos;
        let unit = match units.next_unit() {
            None => break,
            Some(Ok(u)) => u,
            Some(Err(reason)) => {
                return Err(DexError::BadMutf8 {
                    offset: u64::from(base) + start as u64,
                    reason,
                })
            }
        };
        if let Some(high) = pending_high.take() {
            if (0xDC00..0xE000).contains(&unit) {
                let c = 0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
                out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                continue;
            }
            return Err(DexError::BadMutf8 {
                offset: u64::from(base) + start as u64,
                reason: "high surrogate not followed by a low surrogate",
            });
        }
        if (0xD800..0xDC00).contains(&unit) {
            pending_high = Some(unit);
        } else if (0xDC00..0xE000).contains(&unit) {
            return Err(DexError::BadMutf8 {
                offset: u64::from(base) + start as u64,
                reason: "unpaired low surrogate",
            });
        } else {
            out.push(char::from_u32(u32::from(unit)).unwrap_or('\u{FFFD}'));
        }
    }
    if pending_high.is_some() {
        return Err(DexError::BadMutf8 {
            offset: u64::from(base) + bytes.len() as u64,
            reason: "high surrogate at end of string",
        });
    }
    Ok(Cow::Owned(out))
}

/// Decodes MUTF-8, replacing every invalid sequence or unpaired surrogate with U+FFFD.
pub fn decode_lossy(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut units = Utf16Units { bytes, pos: 0 };
    let mut pending_high: Option<u16> = None;
    while let Some(r) = units.next_unit() {
        let unit = match r {
            Ok(u) => u,
            Err(_) => {
                if pending_high.take().is_some() {
                    out.push('\u{FFFD}');
                }
                out.push('\u{FFFD}');
                continue;
            }
        };
        if let Some(high) = pending_high.take() {
            if (0xDC00..0xE000).contains(&unit) {
                let c = 0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
                out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                continue;
            }
            out.push('\u{FFFD}');
        }
        if (0xD800..0xDC00).contains(&unit) {
            pending_high = Some(unit);
        } else {
            out.push(char::from_u32(u32::from(unit)).unwrap_or('\u{FFFD}'));
        }
    }
    if pending_high.is_some() {
        out.push('\u{FFFD}');
    }
    out
}

/// Encodes a Rust string as MUTF-8 (NUL as `C0 80`, non-BMP chars as surrogate pairs).
pub fn encode_mutf8(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut buf = [0u16; 2];
    for c in s.chars() {
        for &u in c.encode_utf16(&mut buf).iter() {
            match u {
                1..=0x7F => out.push(u as u8),
                0 | 0x80..=0x7FF => {
                    out.push(0xC0 | (u >> 6) as u8);
                    out.push(0x80 | (u & 0x3F) as u8);
                }
                _ => {
                    out.push(0xE0 | (u >> 12) as u8);
                    out.push(0x80 | ((u >> 6) & 0x3F) as u8);
                    out.push(0x80 | (u & 0x3F) as u8);
                }
            }
        }
    }
    out
}

/// Iterates the UTF-16 code units encoded by MUTF-8 bytes.
struct Utf16Units<'b> {
    bytes: &'b [u8],
    pos: usize,
}

impl Utf16Units<'_> {
    fn next_unit(&mut self) -> Option<Result<u16, &'static str>> {
        let b0 = *self.bytes.get(self.pos)?;
        let cont = |i: usize| -> Option<u16> {
            let b = *self.bytes.get(self.pos + i)?;
            (b & 0xC0 == 0x80).then_some(u16::from(b & 0x3F))
        };
        let r = match b0 {
            0x00 => Err((1, "NUL byte inside string")),
            0x01..=0x7F => Ok((1, u16::from(b0))),
            0xC0..=0xDF => match cont(1) {
                Some(c1) => Ok((2, (u16::from(b0 & 0x1F) << 6) | c1)),
                None => Err((1, "truncated 2-byte sequence")),
            },
            0xE0..=0xEF => match (cont(1), cont(2)) {
                (Some(c1), Some(c2)) => Ok((3, (u16::from(b0 & 0x0F) << 12) | (c1 << 6) | c2)),
                _ => Err((1, "truncated 3-byte sequence")),
            },
            _ => Err((1, "invalid lead byte")),
        };
        Some(match r {
            Ok((n, u)) => {
                self.pos += n;
                Ok(u)
            }
            Err((n, reason)) => {
                self.pos += n;
                Err(reason)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_is_borrowed() {
        assert!(matches!(
            decode_mutf8(b"hello", 0),
            Ok(Cow::Borrowed("hello"))
        ));
    }

    #[test]
    fn nul_and_surrogates() {
        let enc = encode_mutf8("a\0b\u{1F600}c\u{e9}");
        assert_eq!(&enc[..3], &[b'a', 0xC0, 0x80]);
        let d = decode_mutf8(&enc, 0).unwrap();
        assert!(matches!(d, Cow::Owned(_)));
        assert_eq!(d, "a\0b\u{1F600}c\u{e9}");
    }

    #[test]
    fn invalid_reported_not_panicked() {
        let e = decode_mutf8(&[b'a', 0xFF, b'b'], 0x100).unwrap_err();
        assert_eq!(
            e,
            DexError::BadMutf8 {
                offset: 0x101,
                reason: "invalid lead byte"
            }
        );
        assert_eq!(decode_lossy(&[b'a', 0xFF, b'b']), "a\u{FFFD}b");
        // Lone high surrogate.
        let e = decode_mutf8(&[0xED, 0xA0, 0x80], 0).unwrap_err();
        assert!(e.to_string().contains("surrogate"), "{e}");
        assert_eq!(decode_lossy(&[0xED, 0xA0, 0x80]), "\u{FFFD}");
        // Truncated sequence.
        assert!(decode_mutf8(&[0xE2, 0x82], 0).is_err());
    }
}
