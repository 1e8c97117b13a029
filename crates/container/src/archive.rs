//! The central-directory zip reader.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use crate::error::{Anomaly, AnomalyKind, ContainerError};
use crate::inflate;
use crate::Limits;

const EOCD_SIG: u32 = 0x0605_4b50;
const EOCD_LEN: usize = 22;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const CD_SIG: u32 = 0x0201_4b50;
const CD_LEN: usize = 46;
const LOCAL_SIG: u32 = 0x0403_4b50;
const LOCAL_LEN: usize = 30;
/// At most this many anomalies are kept per archive (a hostile archive could produce one per
/// entry several times over).
const MAX_ANOMALIES: usize = 1000;
/// Entries above this size are subject to [`Limits::max_ratio`].
const RATIO_MIN_SIZE: u64 = 1 << 20;

fn u16_at(b: &[u8], off: usize) -> Option<u16> {
    let s = b.get(off..off.checked_add(2)?)?;
    Some(u16::from_le_bytes([s[0], s[1]]))
}
fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    let s = b.get(off..off.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}
fn u64_at(b: &[u8], off: usize) -> Option<u64> {
    let s = b.get(off..off.checked_add(8)?)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(s);
    Some(u64::from_le_bytes(a))
}

/// One file in the archive, as its central directory record describes it (the truth, as on
/// Android), plus where its data was found through its local header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Name (lossy UTF-8 if the record's bytes were not UTF-8; an anomaly says so).
    pub name: String,
    /// Compression method from the central directory: 0 = stored; anything else is inflated.
    pub method: u16,
    /// General-purpose bit flags from the central directory.
    pub flags: u16,
    /// Declared CRC-32.
    pub crc32: u32,
    /// Declared compressed size (ZIP64 value when present).
    pub compressed_size: u64,
    /// Declared uncompressed size (ZIP64 value when present).
    pub uncompressed_size: u64,
    /// Absolute offset of the local header in the file (prepended-data shift applied).
    pub local_header_offset: u64,
    /// Absolute offset of the entry's data, or `None` when the local header is unreadable.
    pub data_offset: Option<u64>,
}

impl Entry {
    /// True when the data is stored (method 0) and [`ZipArchive::read`] borrows it.
    pub fn is_stored(&self) -> bool {
        self.method == 0
    }
}

/// A zip archive read Android's way: the central directory is the truth; the local header is
/// only used to find where the data starts. Borrows the whole file.
#[derive(Debug)]
pub struct ZipArchive<'a> {
    bytes: &'a [u8],
    entries: Vec<Entry>,
    index: HashMap<String, usize>,
    anomalies: Vec<Anomaly>,
    read_anomalies: RefCell<Vec<Anomaly>>,
    cd_offset: u64,
    limits: Limits,
    inflated: Cell<u64>,
}

struct AnomalySink<'v> {
    list: &'v mut Vec<Anomaly>,
}

impl AnomalySink<'_> {
    fn push(&mut self, entry: Option<&str>, kind: AnomalyKind, detail: String) {
        push_capped(self.list, entry, kind, detail);
    }
}

fn push_capped(list: &mut Vec<Anomaly>, entry: Option<&str>, kind: AnomalyKind, detail: String) {
    if list.len() < MAX_ANOMALIES {
        list.push(Anomaly {
            entry: entry.map(str::to_string),
            kind,
            detail,
        });
    } else if list.len() == MAX_ANOMALIES {
        list.push(Anomaly {
            entry: None,
            kind: AnomalyKind::Truncated,
            detail: format!("more than {MAX_ANOMALIES} anomalies; the rest were not recorded"),
        });
    }
}

/// The end of central directory values that matter.
struct Eocd {
    /// Offset of the (ZIP64 or classic) EOCD record: the central directory must end before it.
    end: u64,
    entries: u64,
    cd_size: u64,
    cd_offset: u64,
}

/// Finds the EOCD: scanning back from the end, prefer the record whose comment ends exactly at
/// the end of the file (Android requires that); else take the last one found, with an anomaly.
fn find_eocd(bytes: &[u8], an: &mut AnomalySink<'_>) -> Result<Eocd, ContainerError> {
    let len = bytes.len();
    if len < EOCD_LEN {
        return Err(ContainerError::NotZip);
    }
    let lowest = len.saturating_sub(EOCD_LEN + u16::MAX as usize);
    let mut fallback = None;
    let mut found = None;
    let mut i = len - EOCD_LEN;
    loop {
        if u32_at(bytes, i) == Some(EOCD_SIG) {
            let comment = u16_at(bytes, i + 20).unwrap_or(0) as usize;
            if i + EOCD_LEN + comment == len {
                found = Some(i);
                break;
            }
            if fallback.is_none() {
                fallback = Some((i, comment));
            }
        }
        if i == lowest {
            break;
        }
        i -= 1;
    }
    let pos = match (found, fallback) {
        (Some(p), _) => p,
        (None, Some((p, comment))) => {
            an.push(
                None,
                AnomalyKind::BadEocd,
                format!(
                    "end of central directory at {p} declares a {comment}-byte comment but {} bytes follow it (Android refuses such a file)",
                    len - p - EOCD_LEN
                ),
            );
            p
        }
        (None, None) => return Err(ContainerError::NotZip),
    };
    let disk = u16_at(bytes, pos + 4).unwrap_or(0);
    let cd_disk = u16_at(bytes, pos + 6).unwrap_or(0);
    let on_disk = u16_at(bytes, pos + 8).unwrap_or(0);
    let total = u16_at(bytes, pos + 10).unwrap_or(0);
    let cd_size = u32_at(bytes, pos + 12).unwrap_or(0);
    let cd_offset = u32_at(bytes, pos + 16).unwrap_or(0);
    if disk != 0 || cd_disk != 0 || on_disk != total {
        an.push(
            None,
            AnomalyKind::BadEocd,
            format!("multi-disk fields set (disk {disk}, cd disk {cd_disk}, {on_disk} of {total} entries on this disk)"),
        );
    }
    let mut eocd = Eocd {
        end: pos as u64,
        entries: total as u64,
        cd_size: cd_size as u64,
        cd_offset: cd_offset as u64,
    };
    // ZIP64 locator just before the EOCD.
    if let Some(loc) = pos.checked_sub(20) {
        if u32_at(bytes, loc) == Some(ZIP64_LOCATOR_SIG) {
            let z_off = u64_at(bytes, loc + 8).unwrap_or(u64::MAX);
            let z = usize::try_from(z_off).ok().filter(|&z| z < loc);
            match z.filter(|&z| u32_at(bytes, z) == Some(ZIP64_EOCD_SIG)) {
                Some(z) => {
                    an.push(
                        None,
                        AnomalyKind::Zip64,
                        format!("ZIP64 end of central directory record at {z} (Android supports it only since 12)"),
                    );
                    let e = u64_at(bytes, z + 32).unwrap_or(0);
                    let s = u64_at(bytes, z + 40).unwrap_or(0);
                    let o = u64_at(bytes, z + 48).unwrap_or(0);
                    if total == u16::MAX || e > total as u64 {
                        eocd.entries = e;
                    }
                    if cd_size == u32::MAX || s > cd_size as u64 {
                        eocd.cd_size = s;
                    }
                    if cd_offset == u32::MAX || o > cd_offset as u64 {
                        eocd.cd_offset = o;
                    }
                    eocd.end = z as u64;
                }
                None => an.push(
                    None,
                    AnomalyKind::Zip64,
                    format!("ZIP64 locator points to {z_off}, where there is no ZIP64 end of central directory record"),
                ),
            }
        }
    }
    Ok(eocd)
}

/// Values from a ZIP64 extra field (0x0001) that replace 0xFFFFFFFF header fields.
fn apply_zip64(
    extra: &[u8],
    usize_: &mut u64,
    csize: &mut u64,
    local: &mut u64,
    name: &str,
    an: &mut AnomalySink<'_>,
) {
    let mut p = 0usize;
    // Each step advances by at least 4 bytes, so this ends.
    while let (Some(id), Some(len)) = (u16_at(extra, p), u16_at(extra, p + 2)) {
        let body_start = p + 4;
        let Some(body) = extra.get(body_start..body_start + len as usize) else {
            an.push(
                Some(name),
                AnomalyKind::BadExtraField,
                format!("extra field 0x{id:04x} declares {len} bytes but only {} remain (ignored, as Android does)", extra.len() - body_start),
            );
            return;
        };
        if id == 1 {
            let mut q = 0usize;
            let mut take = |field: &mut u64| {
                if *field == u32::MAX as u64 {
                    if let Some(v) = u64_at(body, q) {
                        *field = v;
                        q += 8;
                    }
                }
            };
            take(usize_);
            take(csize);
            take(local);
            an.push(
                Some(name),
                AnomalyKind::Zip64,
                "ZIP64 extra field holds the sizes/offset".to_string(),
            );
        }
        p = body_start + len as usize;
    }
}

fn is_traversal(name: &str) -> bool {
    name.starts_with('/')
        || name.contains('\\')
        || name.split('/').any(|c| c == "..")
        || name.as_bytes().get(1) == Some(&b':')
}

impl<'a> ZipArchive<'a> {
    /// Reads the central directory of `bytes` (no entry data is touched). Fails only when no
    /// central directory can be found or it declares more than `limits.max_entries` entries;
    /// everything else odd becomes an [`Anomaly`].
    pub fn parse(bytes: &'a [u8], limits: &Limits) -> Result<ZipArchive<'a>, ContainerError> {
        let mut anomalies = Vec::new();
        let mut an = AnomalySink {
            list: &mut anomalies,
        };
        let eocd = find_eocd(bytes, &mut an)?;
        if eocd.entries > limits.max_entries as u64 {
            return Err(ContainerError::TooManyEntries {
                declared: eocd.entries,
                limit: limits.max_entries,
            });
        }
        // Locate the central directory; if the declared offset is wrong but the directory sits
        // right before the EOCD, the file has bytes prepended and every offset is shifted.
        let declared_end = eocd.cd_offset.checked_add(eocd.cd_size);
        let sig_at = |o: u64| usize::try_from(o).ok().and_then(|o| u32_at(bytes, o));
        let mut shift: u64 = 0;
        let cd_start = if eocd.entries == 0 && eocd.cd_size == 0 {
            eocd.end
        } else if declared_end.is_some_and(|e| e <= eocd.end)
            && sig_at(eocd.cd_offset) == Some(CD_SIG)
        {
            if declared_end != Some(eocd.end) {
                an.push(
                    None,
                    AnomalyKind::BadEocd,
                    format!(
                        "{} bytes between the central directory and the end record",
                        eocd.end - declared_end.unwrap_or(eocd.end)
                    ),
                );
            }
            eocd.cd_offset
        } else {
            let actual = eocd.end.checked_sub(eocd.cd_size);
            match actual {
                Some(a) if a > eocd.cd_offset && sig_at(a) == Some(CD_SIG) => {
                    shift = a - eocd.cd_offset;
                    an.push(
                        None,
                        AnomalyKind::PrependedData,
                        format!("central directory declared at {} but found at {a}: {shift} bytes were prepended to the zip (offsets shifted)", eocd.cd_offset),
                    );
                    a
                }
                _ => {
                    return Err(ContainerError::BadCentralDirectory {
                        offset: eocd.cd_offset,
                        reason: if declared_end.is_none_or(|e| e > eocd.end) {
                            "declared offset and size run past the end record"
                        } else {
                            "no central directory record signature there"
                        },
                    })
                }
            }
        };
        let cd_start_u = usize::try_from(cd_start).unwrap_or(usize::MAX);
        let cd_end = usize::try_from(eocd.end)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        let cd = bytes.get(cd_start_u..cd_end).unwrap_or(&[]);

        let cap = (eocd.entries as usize).min(cd.len() / CD_LEN);
        let mut entries: Vec<Entry> = Vec::with_capacity(cap);
        let mut index: HashMap<String, usize> = HashMap::with_capacity(cap);
        let mut pos = 0usize;
        let mut seen: u64 = 0;
        let mut descriptors = 0usize;
        while seen < eocd.entries {
            if u32_at(cd, pos) != Some(CD_SIG) {
                an.push(
                    None,
                    AnomalyKind::CentralDirectoryCount,
                    format!(
                        "end record declares {} entries but the central directory holds only {seen} (no record at {})",
                        eocd.entries,
                        cd_start + pos as u64
                    ),
                );
                break;
            }
            let field16 = |o: usize| u16_at(cd, pos + o).unwrap_or(0);
            let field32 = |o: usize| u32_at(cd, pos + o).unwrap_or(0);
            let flags = field16(8);
            let method = field16(10);
            let crc32 = field32(16);
            let mut csize = field32(20) as u64;
            let mut usize_ = field32(24) as u64;
            let nlen = field16(28) as usize;
            let xlen = field16(30) as usize;
            let clen = field16(32) as usize;
            let mut local = field32(42) as u64;
            let name_start = pos + CD_LEN;
            let rec_end = name_start + nlen + xlen + clen;
            let (Some(name_bytes), Some(extra)) = (
                cd.get(name_start..name_start + nlen),
                cd.get(name_start + nlen..name_start + nlen + xlen),
            ) else {
                an.push(
                    None,
                    AnomalyKind::CentralDirectoryCount,
                    format!(
                        "central directory record at {} runs past the directory's end",
                        cd_start + pos as u64
                    ),
                );
                break;
            };
            let name = match std::str::from_utf8(name_bytes) {
                Ok(s) => s.to_string(),
                Err(_) => {
                    let s = String::from_utf8_lossy(name_bytes).into_owned();
                    an.push(
                        Some(&s),
                        AnomalyKind::NonUtf8Name,
                        "name is not valid UTF-8 (shown lossily)".to_string(),
                    );
                    s
                }
            };
            apply_zip64(extra, &mut usize_, &mut csize, &mut local, &name, &mut an);
            seen += 1;
            pos = rec_end;

            if method != 0 && method != 8 {
                an.push(
                    Some(&name),
                    AnomalyKind::UnknownMethod,
                    format!("compression method {method}: read as deflate (Android inflates every non-stored entry)"),
                );
            }
            if flags & 1 != 0 {
                an.push(
                    Some(&name),
                    AnomalyKind::EncryptedFlag,
                    "encryption flag set; Android ignores it and reads the data as plain (anti-analysis trick)".to_string(),
                );
            }
            if flags & 8 != 0 {
                descriptors += 1;
            }
            if is_traversal(&name) {
                an.push(
                    Some(&name),
                    AnomalyKind::PathTraversal,
                    "absolute or parent-directory path".to_string(),
                );
            }
            if method == 0 && csize != usize_ {
                an.push(
                    Some(&name),
                    AnomalyKind::SizeMismatch,
                    format!("stored entry declares compressed size {csize} but uncompressed size {usize_} (the uncompressed size is used)"),
                );
            }
            if index.contains_key(&name) {
                an.push(
                    Some(&name),
                    AnomalyKind::DuplicateName,
                    "duplicate name: the first record is kept (what Android's native loader used; current Android refuses to install such an APK)".to_string(),
                );
                continue;
            }
            let local_abs = local.saturating_add(shift);
            let data_offset = local_header(
                bytes, local_abs, &name, method, flags, crc32, csize, usize_, &mut an,
            );
            index.insert(name.clone(), entries.len());
            entries.push(Entry {
                name,
                method,
                flags,
                crc32,
                compressed_size: csize,
                uncompressed_size: usize_,
                local_header_offset: local_abs,
                data_offset,
            });
        }
        if seen == eocd.entries && pos < cd.len() && u32_at(cd, pos) == Some(CD_SIG) {
            an.push(
                None,
                AnomalyKind::CentralDirectoryCount,
                format!("central directory holds more records than the {} the end record declares (extra ones ignored, as Android does)", eocd.entries),
            );
        }
        if descriptors > 0 {
            an.push(
                None,
                AnomalyKind::DataDescriptor,
                format!("{descriptors} entries use data descriptors (sizes taken from the central directory)"),
            );
        }
        // Prepended data with unshifted offsets (e.g. `zip -A`): bytes before the first entry.
        let first = entries.iter().map(|e| e.local_header_offset).min();
        let first = first.unwrap_or(cd_start).min(cd_start);
        if shift == 0 && first > 0 && sig_at(0) != Some(LOCAL_SIG) {
            an.push(
                None,
                AnomalyKind::PrependedData,
                format!("{first} bytes before the first local header"),
            );
        }
        check_overlaps(&entries, cd_start, eocd.end, &mut an);
        Ok(ZipArchive {
            bytes,
            entries,
            index,
            anomalies,
            read_anomalies: RefCell::new(Vec::new()),
            cd_offset: cd_start,
            limits: *limits,
            inflated: Cell::new(0),
        })
    }

    /// Entries in central-directory order, later duplicates removed.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry named exactly `name` (the first one, if duplicated).
    pub fn by_name(&self, name: &str) -> Option<&Entry> {
        self.index.get(name).and_then(|&i| self.entries.get(i))
    }

    /// The whole file, for the signing crate.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Absolute offset where the central directory was found (the APK Signing Block ends here).
    pub fn central_directory_offset(&self) -> u64 {
        self.cd_offset
    }

    /// Bytes this archive may still inflate under [`Limits::max_total_inflated`]: pass it as
    /// the total budget when parsing an inner APK read from this archive.
    pub fn remaining_budget(&self) -> u64 {
        self.limits
            .max_total_inflated
            .saturating_sub(self.inflated.get())
    }

    /// Every oddity seen: those found by [`ZipArchive::parse`] then those found by
    /// [`ZipArchive::read`] so far (CRC mismatches, size lies). Owned because reads append.
    pub fn anomalies(&self) -> Vec<Anomaly> {
        let mut all = self.anomalies.clone();
        all.extend(self.read_anomalies.borrow().iter().cloned());
        all
    }

    /// `classes.dex`, `classes2.dex`, ... in multidex order, stopping at the first missing
    /// number, as Android's `DexFileLoader` does.
    pub fn dex_entries(&self) -> Vec<&Entry> {
        let mut out = Vec::new();
        let Some(first) = self.by_name("classes.dex") else {
            return out;
        };
        out.push(first);
        // Bounded: each step needs a distinct existing entry.
        for n in 2..=self.entries.len().saturating_add(1) {
            match self.by_name(&format!("classes{n}.dex")) {
                Some(e) => out.push(e),
                None => break,
            }
        }
        out
    }

    fn note(&self, entry: &str, kind: AnomalyKind, detail: String) {
        if let Ok(mut list) = self.read_anomalies.try_borrow_mut() {
            push_capped(&mut list, Some(entry), kind, detail);
        }
    }

    /// The entry's bytes: borrowed for stored entries, inflated (within the [`Limits`]) for
    /// every other method. Checks declared sizes against the limits before allocating;
    /// CRC mismatches and size lies become anomalies, not errors.
    pub fn read(&self, entry: &Entry) -> Result<Cow<'a, [u8]>, ContainerError> {
        let name = &entry.name;
        let limits = &self.limits;
        let data_offset = entry
            .data_offset
            .ok_or_else(|| ContainerError::BadLocalHeader {
                entry: name.clone(),
                offset: entry.local_header_offset,
            })?;
        if entry.uncompressed_size > limits.max_entry_size {
            return Err(ContainerError::EntryTooLarge {
                entry: name.clone(),
                declared: entry.uncompressed_size,
                limit: limits.max_entry_size,
            });
        }
        let slice = |len: u64| -> Result<&'a [u8], ContainerError> {
            let oob = || ContainerError::OutOfBounds {
                entry: name.clone(),
                offset: data_offset,
                len,
                file_len: self.bytes.len() as u64,
            };
            let start = usize::try_from(data_offset).map_err(|_| oob())?;
            let l = usize::try_from(len).map_err(|_| oob())?;
            let end = start.checked_add(l).ok_or_else(oob)?;
            self.bytes.get(start..end).ok_or_else(oob)
        };
        if entry.is_stored() {
            let data = slice(entry.uncompressed_size)?;
            self.check_crc(entry, data);
            return Ok(Cow::Borrowed(data));
        }
        if entry.uncompressed_size > RATIO_MIN_SIZE
            && entry.uncompressed_size / entry.compressed_size.max(1) > limits.max_ratio
        {
            return Err(ContainerError::RatioExceeded {
                entry: name.clone(),
                uncompressed: entry.uncompressed_size,
                compressed: entry.compressed_size,
                limit: limits.max_ratio,
            });
        }
        let used = self.inflated.get();
        let remaining = limits.max_total_inflated.saturating_sub(used);
        if entry.uncompressed_size > remaining {
            return Err(ContainerError::TotalExceeded {
                entry: name.clone(),
                used,
                needed: entry.uncompressed_size,
                limit: limits.max_total_inflated,
            });
        }
        let comp = slice(entry.compressed_size)?;
        let cap = limits.max_entry_size.min(remaining);
        let out = match inflate::inflate(comp, entry.uncompressed_size, cap) {
            Ok(o) => o,
            Err(inflate::Failure::TooLarge) => {
                return Err(ContainerError::InflatedTooLarge {
                    entry: name.clone(),
                    declared: entry.uncompressed_size,
                    limit: cap,
                })
            }
            Err(inflate::Failure::Corrupt(reason)) => {
                return Err(ContainerError::Inflate {
                    entry: name.clone(),
                    offset: data_offset,
                    reason,
                })
            }
        };
        if out.len() as u64 != entry.uncompressed_size {
            self.note(
                name,
                AnomalyKind::SizeMismatch,
                format!(
                    "declared uncompressed size {} but inflates to {} bytes",
                    entry.uncompressed_size,
                    out.len()
                ),
            );
        }
        self.inflated.set(used.saturating_add(out.len() as u64));
        self.check_crc(entry, &out);
        Ok(Cow::Owned(out))
    }

    fn check_crc(&self, entry: &Entry, data: &[u8]) {
        let crc = crc32fast::hash(data);
        if crc != entry.crc32 {
            self.note(
                &entry.name,
                AnomalyKind::CrcMismatch,
                format!(
                    "CRC-32 of the data is {crc:08x}, declared {:08x}",
                    entry.crc32
                ),
            );
        }
    }
}

/// Reads the local header at `off`, compares it with the central directory record, and returns
/// the data offset (`None`, with an anomaly, when there is no local header there).
#[allow(clippy::too_many_arguments)]
fn local_header(
    bytes: &[u8],
    off: u64,
    name: &str,
    method: u16,
    flags: u16,
    crc: u32,
    csize: u64,
    usize_: u64,
    an: &mut AnomalySink<'_>,
) -> Option<u64> {
    let Some(o) = usize::try_from(off)
        .ok()
        .filter(|&o| u32_at(bytes, o) == Some(LOCAL_SIG))
    else {
        an.push(
            Some(name),
            AnomalyKind::BadLocalHeader,
            format!("no local file header at offset {off}; the entry cannot be read"),
        );
        return None;
    };
    let lmethod = u16_at(bytes, o + 8)?;
    let lcrc = u32_at(bytes, o + 14)?;
    let lcsize = u32_at(bytes, o + 18)?;
    let lusize = u32_at(bytes, o + 22)?;
    let lnlen = u16_at(bytes, o + 26)? as usize;
    let lxlen = u16_at(bytes, o + 28)? as usize;
    let lflags = u16_at(bytes, o + 6)?;
    let mut diffs = Vec::new();
    if lmethod != method {
        diffs.push(format!("method {lmethod} vs {method}"));
    }
    match bytes.get(o + LOCAL_LEN..o + LOCAL_LEN + lnlen) {
        Some(n) if n == name.as_bytes() => {}
        Some(n) => diffs.push(format!("name {:?} vs {name:?}", String::from_utf8_lossy(n))),
        None => diffs.push("name runs past the end of the file".to_string()),
    }
    if lflags & 8 == 0 && flags & 8 == 0 {
        let z64 = lcsize == u32::MAX || lusize == u32::MAX;
        if !z64 && (lcsize as u64 != csize || lusize as u64 != usize_) {
            diffs.push(format!("sizes {lcsize}/{lusize} vs {csize}/{usize_}"));
        }
        if lcrc != crc {
            diffs.push(format!("CRC {lcrc:08x} vs {crc:08x}"));
        }
    }
    if !diffs.is_empty() {
        an.push(
            Some(name),
            AnomalyKind::LocalHeaderMismatch,
            format!(
                "local header disagrees with the central directory ({}); the central directory wins",
                diffs.join(", ")
            ),
        );
    }
    off.checked_add((LOCAL_LEN + lnlen + lxlen) as u64)
}

/// Records entries whose [local header, data end) spans overlap each other or the central
/// directory (overlapping-entry zip bombs, polyglots).
fn check_overlaps(entries: &[Entry], cd_start: u64, cd_end: u64, an: &mut AnomalySink<'_>) {
    let mut spans: Vec<(u64, u64, &str)> = entries
        .iter()
        .filter_map(|e| {
            let d = e.data_offset?;
            let len = if e.is_stored() {
                e.uncompressed_size
            } else {
                e.compressed_size
            };
            Some((
                e.local_header_offset,
                d.saturating_add(len),
                e.name.as_str(),
            ))
        })
        .collect();
    spans.sort_unstable();
    let mut prev: Option<(u64, &str)> = None;
    for &(start, end, name) in &spans {
        if let Some((pend, pname)) = prev {
            if start < pend {
                an.push(
                    Some(name),
                    AnomalyKind::Overlap,
                    format!("data overlaps entry {pname}"),
                );
            }
        }
        if start < cd_end && end > cd_start {
            an.push(
                Some(name),
                AnomalyKind::Overlap,
                "data overlaps the central directory".to_string(),
            );
        }
        if prev.is_none_or(|(pend, _)| end > pend) {
            prev = Some((end, name));
        }
    }
}
