//! Strict standard base64 (RFC 4648 §4) for pin digests: the alphabet `A–Z a–z 0–9 + /`,
//! `=` padding only at the end. Pins are short, so this small codec is enough.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn value(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Whether `s` uses only base64 characters (alphabet and `=`), and is not empty.
pub(crate) fn looks_like_base64(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| value(c).is_some() || c == b'=')
}

/// Why a base64 string did not decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum B64Error {
    /// A character outside the alphabet, at this byte offset.
    BadChar(usize),
    /// Length (after padding) is not a multiple of 4, or padding is misplaced.
    BadLength(usize),
}

impl std::fmt::Display for B64Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            B64Error::BadChar(at) => write!(f, "invalid base64 character at offset {at}"),
            B64Error::BadLength(n) => write!(f, "invalid base64 length or padding ({n} chars)"),
        }
    }
}

/// Decodes padded standard base64.
pub(crate) fn decode(s: &str) -> Result<Vec<u8>, B64Error> {
    let b = s.as_bytes();
    if b.len() % 4 != 0 {
        return Err(B64Error::BadLength(b.len()));
    }
    let pad = b.iter().rev().take_while(|&&c| c == b'=').count();
    if pad > 2 {
        return Err(B64Error::BadLength(b.len()));
    }
    let body = b.get(..b.len() - pad).unwrap_or_default();
    let mut out = Vec::with_capacity(body.len() / 4 * 3 + 2);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for (i, &c) in body.iter().enumerate() {
        let v = value(c).ok_or(B64Error::BadChar(i))?;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

/// Encodes bytes as padded standard base64.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b0 = u32::from(chunk.first().copied().unwrap_or(0));
        let b1 = u32::from(chunk.get(1).copied().unwrap_or(0));
        let b2 = u32::from(chunk.get(2).copied().unwrap_or(0));
        let n = (b0 << 16) | (b1 << 8) | b2;
        let sym = |shift: u32| char::from(ALPHABET[((n >> shift) & 63) as usize]);
        out.push(sym(18));
        out.push(sym(12));
        out.push(if chunk.len() > 1 { sym(6) } else { '=' });
        out.push(if chunk.len() > 2 { sym(0) } else { '=' });
    }
    out
}

/// Decodes a hex string (even length, `0-9a-fA-F`, optional `:` separators).
pub(crate) fn decode_hex(s: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = s.bytes().filter(|&c| c != b':').collect();
    if digits.is_empty() || digits.len() % 2 != 0 {
        return None;
    }
    digits
        .chunks(2)
        .map(|p| {
            let hi = char::from(*p.first()?).to_digit(16)?;
            let lo = char::from(*p.get(1)?).to_digit(16)?;
            Some((hi * 16 + lo) as u8)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rfc_vectors() {
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), enc);
            assert_eq!(decode(enc).unwrap(), plain.as_bytes());
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(decode(&encode(&all)).unwrap(), all);
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(decode("abc"), Err(B64Error::BadLength(3)));
        assert_eq!(decode("a==="), Err(B64Error::BadLength(4)));
        assert_eq!(decode("ab!d"), Err(B64Error::BadChar(2)));
        assert_eq!(decode("ab=d"), Err(B64Error::BadChar(2)));
        assert!(!looks_like_base64("abc def"));
        assert!(looks_like_base64("2kOi4HdY+/="));
    }

    #[test]
    fn hex() {
        assert_eq!(decode_hex("0aFF"), Some(vec![0x0a, 0xff]));
        assert_eq!(decode_hex("0a:ff"), Some(vec![0x0a, 0xff]));
        assert_eq!(decode_hex("0af"), None);
        assert_eq!(decode_hex("zz"), None);
    }
}
