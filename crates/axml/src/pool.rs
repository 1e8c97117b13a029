//! The `ResStringPool` chunk (type 0x0001), shared by AXML and resources.arsc. Strings are
//! decoded lazily, on request; lying lengths become anomalies and fall back to the terminator.

use crate::push_anomaly;
use std::borrow::Cow;

/// Flag: strings are UTF-8 (else UTF-16LE).
const UTF8_FLAG: u32 = 1 << 8;

pub(crate) fn u16_at(b: &[u8], off: usize) -> Option<u16> {
    let s = b.get(off..off.checked_add(2)?)?;
    Some(u16::from_le_bytes([*s.first()?, *s.get(1)?]))
}

pub(crate) fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    let s = b.get(off..off.checked_add(4)?)?;
    let mut a = [0u8; 4];
    a.copy_from_slice(s);
    Some(u32::from_le_bytes(a))
}

/// A string pool borrowed from the input.
#[derive(Debug, Clone, Default)]
pub(crate) struct StringPool<'a> {
    /// The chunk bytes (clamped to the input).
    chunk: &'a [u8],
    /// Offset of the offsets array within `chunk`.
    offsets_at: usize,
    count: u32,
    utf8: bool,
    strings_start: usize,
    strings_end: usize,
    /// File offset of the chunk, for messages.
    base: usize,
}

impl<'a> StringPool<'a> {
    /// Reads a pool header from `chunk` (which starts at the chunk header). Never fails: a broken
    /// header yields an empty pool plus anomalies.
    pub(crate) fn parse(chunk: &'a [u8], base: usize, anomalies: &mut Vec<String>) -> Self {
        let empty = StringPool {
            base,
            ..StringPool::default()
        };
        let hsize = usize::from(u16_at(chunk, 2).unwrap_or(0));
        let (Some(count), Some(style_count), Some(flags), Some(strings_start), Some(styles_start)) = (
            u32_at(chunk, 8),
            u32_at(chunk, 12),
            u32_at(chunk, 16),
            u32_at(chunk, 20),
            u32_at(chunk, 24),
        ) else {
            push_anomaly(
                anomalies,
                format!("string pool at offset {base}: header truncated"),
            );
            return empty;
        };
        let hsize = if (28..=chunk.len()).contains(&hsize) {
            hsize
        } else {
            push_anomaly(
                anomalies,
                format!("string pool at offset {base}: bad header size {hsize}, assuming 28"),
            );
            28
        };
        let avail = chunk.len().saturating_sub(hsize);
        let mut count_us = usize::try_from(count).unwrap_or(usize::MAX);
        if count_us.saturating_mul(4) > avail {
            count_us = avail / 4;
            push_anomaly(
                anomalies,
                format!(
                    "string pool at offset {base}: string count {count} does not fit in the chunk, \
                     clamped to {count_us}"
                ),
            );
        }
        let after_offsets = avail.saturating_sub(count_us.saturating_mul(4));
        let style_us = usize::try_from(style_count).unwrap_or(usize::MAX);
        if style_us.saturating_mul(4) > after_offsets {
            push_anomaly(
                anomalies,
                format!(
                    "string pool at offset {base}: bogus style count {style_count}, styles ignored"
                ),
            );
        }
        let strings_start = usize::try_from(strings_start).unwrap_or(usize::MAX);
        if count_us > 0 && strings_start > chunk.len() {
            push_anomaly(
                anomalies,
                format!(
                    "string pool at offset {base}: strings start {strings_start} is past the \
                     chunk end {}",
                    chunk.len()
                ),
            );
            return empty;
        }
        let styles_start = usize::try_from(styles_start).unwrap_or(usize::MAX);
        let strings_end =
            if style_count > 0 && styles_start > strings_start && styles_start <= chunk.len() {
                styles_start
            } else {
                chunk.len()
            };
        StringPool {
            chunk,
            offsets_at: hsize,
            count: u32::try_from(count_us).unwrap_or(0),
            utf8: flags & UTF8_FLAG != 0,
            strings_start,
            strings_end,
            base,
        }
    }

    /// Decodes string `idx`; `None` (with an anomaly) when it cannot be located.
    pub(crate) fn get(&self, idx: u32, anomalies: &mut Vec<String>) -> Option<Cow<'a, str>> {
        if idx >= self.count {
            return None;
        }
        let base = self.base;
        let entry = self
            .offsets_at
            .checked_add(usize::try_from(idx).ok()?.checked_mul(4)?)?;
        let off = u32_at(self.chunk, entry)?;
        let pos = self
            .strings_start
            .checked_add(usize::try_from(off).ok()?)
            .filter(|p| *p < self.strings_end);
        let Some(pos) = pos else {
            push_anomaly(
                anomalies,
                format!("string pool at offset {base}: string #{idx} offset {off} out of range"),
            );
            return None;
        };
        let data = self.chunk.get(..self.strings_end)?;
        if self.utf8 {
            decode_utf8(data, pos, idx, base, anomalies)
        } else {
            decode_utf16(data, pos, idx, base, anomalies)
        }
    }
}

/// Reads a UTF-8 pool length (1 or 2 bytes); returns (length, bytes used).
fn utf8_len(data: &[u8], pos: usize) -> Option<(usize, usize)> {
    let b0 = *data.get(pos)?;
    if b0 & 0x80 != 0 {
        let b1 = *data.get(pos.checked_add(1)?)?;
        Some(((usize::from(b0 & 0x7f) << 8) | usize::from(b1), 2))
    } else {
        Some((usize::from(b0), 1))
    }
}

fn decode_utf8<'a>(
    data: &'a [u8],
    pos: usize,
    idx: u32,
    base: usize,
    anomalies: &mut Vec<String>,
) -> Option<Cow<'a, str>> {
    let (_chars, n1) = utf8_len(data, pos)?;
    let p2 = pos.checked_add(n1)?;
    let (len, n2) = utf8_len(data, p2)?;
    let start = p2.checked_add(n2)?;
    let bytes = match start.checked_add(len).and_then(|end| data.get(start..end)) {
        Some(b) => {
            if data.get(start.saturating_add(len)) != Some(&0) {
                push_anomaly(
                    anomalies,
                    format!("string pool at offset {base}: string #{idx} is not NUL-terminated"),
                );
            }
            b
        }
        None => {
            push_anomaly(
                anomalies,
                format!(
                    "string pool at offset {base}: string #{idx} length {len} runs past the pool \
                     end; read up to the terminator"
                ),
            );
            let rest = data.get(start..)?;
            let end = rest.iter().position(|b| *b == 0).unwrap_or(rest.len());
            rest.get(..end)?
        }
    };
    Some(match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            push_anomaly(
                anomalies,
                format!("string pool at offset {base}: string #{idx} is not valid UTF-8"),
            );
            Cow::Owned(String::from_utf8_lossy(bytes).into_owned())
        }
    })
}

fn decode_utf16<'a>(
    data: &'a [u8],
    pos: usize,
    idx: u32,
    base: usize,
    anomalies: &mut Vec<String>,
) -> Option<Cow<'a, str>> {
    let u0 = u16_at(data, pos)?;
    let (len, start) = if u0 & 0x8000 != 0 {
        let u1 = u16_at(data, pos.checked_add(2)?)?;
        (
            (usize::from(u0 & 0x7fff) << 16) | usize::from(u1),
            pos.checked_add(4)?,
        )
    } else {
        (usize::from(u0), pos.checked_add(2)?)
    };
    let bytes = match len
        .checked_mul(2)
        .and_then(|n| start.checked_add(n))
        .and_then(|end| data.get(start..end))
    {
        Some(b) => b,
        None => {
            push_anomaly(
                anomalies,
                format!(
                    "string pool at offset {base}: string #{idx} length {len} runs past the pool \
                     end; read up to the terminator"
                ),
            );
            let rest = data.get(start..)?;
            let units = rest
                .chunks_exact(2)
                .position(|c| c == [0, 0])
                .unwrap_or(rest.len() / 2);
            rest.get(..units.saturating_mul(2))?
        }
    };
    let units = bytes.chunks_exact(2).map(|c| {
        u16::from_le_bytes([
            c.first().copied().unwrap_or(0),
            c.get(1).copied().unwrap_or(0),
        ])
    });
    let mut bad = false;
    let s: String = char::decode_utf16(units)
        .map(|r| {
            r.unwrap_or_else(|_| {
                bad = true;
                char::REPLACEMENT_CHARACTER
            })
        })
        .collect();
    if bad {
        push_anomaly(
            anomalies,
            format!("string pool at offset {base}: string #{idx} has unpaired UTF-16 surrogates"),
        );
    }
    Some(Cow::Owned(s))
}
