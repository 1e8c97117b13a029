//! Bounded inflate: `libdeflater` into a buffer of the declared size (fast path), streaming
//! `flate2` up to the limit when the declared size lies.

use std::io::Read;

/// Why inflating failed.
pub(crate) enum Failure {
    /// The stream produces more than the cap.
    TooLarge,
    /// The stream is corrupt.
    Corrupt(String),
}

/// Inflates raw deflate `comp`, expecting `declared` bytes, never producing more than `cap`.
/// The caller has checked `declared <= cap`.
pub(crate) fn inflate(comp: &[u8], declared: u64, cap: u64) -> Result<Vec<u8>, Failure> {
    if let Ok(size) = usize::try_from(declared) {
        let mut out = vec![0u8; size];
        let mut d = libdeflater::Decompressor::new();
        match d.deflate_decompress(comp, &mut out) {
            Ok(n) => {
                // A shorter stream than declared: the data is complete, the size lied.
                out.truncate(n);
                return Ok(out);
            }
            Err(libdeflater::DecompressionError::InsufficientSpace) => {}
            // libdeflater refuses streams whose end is missing; the streaming decoder may
            // still recover a prefix and say precisely what is wrong.
            Err(libdeflater::DecompressionError::BadData) => {}
        }
    }
    streaming(comp, cap)
}

/// Inflates `comp` only if it is plainly a raw deflate stream of exactly `size` bytes (used to
/// decide whether an entry with an unknown method holds deflated data): one allocation of
/// `size`, no streaming fallback, `None` for anything else.
pub(crate) fn inflate_exact(comp: &[u8], size: u64) -> Option<Vec<u8>> {
    let size = usize::try_from(size).ok()?;
    let mut out = vec![0u8; size];
    let mut d = libdeflater::Decompressor::new();
    match d.deflate_decompress(comp, &mut out) {
        Ok(n) if n == size => Some(out),
        _ => None,
    }
}

/// Streams with `flate2`, growing the buffer as data comes, stopping one byte past `cap`.
fn streaming(comp: &[u8], cap: u64) -> Result<Vec<u8>, Failure> {
    let mut out = Vec::new();
    let dec = flate2::read::DeflateDecoder::new(comp);
    match dec.take(cap.saturating_add(1)).read_to_end(&mut out) {
        Ok(_) if out.len() as u64 > cap => Err(Failure::TooLarge),
        Ok(_) => Ok(out),
        Err(e) => Err(Failure::Corrupt(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackscan_fixtures::zip::deflate;

    #[test]
    fn exact_size_fast_path() {
        let data = b"abcabcabc".repeat(100);
        assert_eq!(inflate(&deflate(&data), 900, 1000).ok(), Some(data));
    }

    #[test]
    fn declared_too_small_falls_back_and_stops_at_cap() {
        let data = vec![7u8; 10_000];
        let c = deflate(&data);
        assert_eq!(inflate(&c, 10, 20_000).ok(), Some(data.clone()));
        assert!(matches!(inflate(&c, 10, 5_000), Err(Failure::TooLarge)));
    }

    #[test]
    fn declared_too_large_truncates() {
        let data = vec![1u8; 100];
        assert_eq!(
            inflate(&deflate(&data), 500, 500).ok().map(|v| v.len()),
            Some(100)
        );
    }

    #[test]
    fn exact_only_when_the_stream_fills_the_size() {
        let data = b"abcabcabc".repeat(100);
        let c = deflate(&data);
        assert_eq!(inflate_exact(&c, 900), Some(data));
        assert_eq!(inflate_exact(&c, 901), None);
        assert_eq!(inflate_exact(&c, 10), None);
        assert_eq!(inflate_exact(&[0xff; 64], 100), None);
        // Binary XML starts 03 00: a valid (empty) fixed-Huffman block, not the declared size.
        assert_eq!(inflate_exact(&[3, 0, 8, 0, 0x10, 0, 0, 0], 8), None);
    }

    #[test]
    fn garbage_is_corrupt() {
        assert!(matches!(
            inflate(&[0xff; 64], 100, 1000),
            Err(Failure::Corrupt(_))
        ));
    }
}
