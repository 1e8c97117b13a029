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
const DESCRIPTOR_SIG: u32 = 0x0807_4b50;
/// Compression method 8; 0 is stored, anything else is an unknown method.
const METHOD_DEFLATE: u16 = 8;
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

/// How far past its declared size a lying entry may inflate, as a factor of the declared size…
const LYING_SIZE_FACTOR: u64 = 4;
/// …or at least this many bytes (small entries often carry wrong sizes in broken zips).
const LYING_SIZE_FLOOR: u64 = 16 << 20;

/// One file in the archive, as its central directory record describes it (the truth, as on
/// Android), plus where its data was found through its local header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Name (lossy UTF-8 if the record's bytes were not UTF-8; an anomaly says so).
    pub name: String,
    /// Compression method from the central directory (as Android, which never reads the local
    /// header's): 0 = stored, 8 = deflate; any other value is read as
    /// [`ZipArchive::read`] explains.
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
                format!("extra field 0x{id:04x} declares {len} bytes but only {} remain (the rest of the extra field is ignored)", extra.len() - body_start),
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

/// The per-entry oddities of a central directory record or a recovered local header: unknown
/// method, fake encryption flag, traversal names, stored entries whose sizes differ.
fn entry_checks(
    name: &str,
    method: u16,
    flags: u16,
    csize: u64,
    usize_: u64,
    an: &mut AnomalySink<'_>,
) {
    if method != 0 && method != METHOD_DEFLATE {
        an.push(
            Some(name),
            AnomalyKind::UnknownMethod,
            unknown_method_text(method),
        );
    }
    if flags & 1 != 0 {
        an.push(
            Some(name),
            AnomalyKind::EncryptedFlag,
            "encryption flag set; Android ignores it (libziparchive never tests bit 0) and reads the data as plain (anti-analysis trick)".to_string(),
        );
    }
    if is_traversal(name) {
        an.push(
            Some(name),
            AnomalyKind::PathTraversal,
            "absolute or parent-directory path".to_string(),
        );
    }
    if method == 0 && csize != usize_ {
        an.push(
            Some(name),
            AnomalyKind::SizeMismatch,
            format!("stored entry declares compressed size {csize} but uncompressed size {usize_} (the uncompressed size is used, as Android's CopyEntryToWriter and resource loader do)"),
        );
    }
}

/// What Android does with compression method `method` (neither 0 nor 8), for the anomaly.
fn unknown_method_text(method: u16) -> String {
    format!(
        "compression method {method} (neither stored nor deflate): Android's resource loader \
         (androidfw ZipAssetsProvider::OpenInternal) reads it as stored, so a manifest or \
         resources.arsc with it installs; libziparchive's ExtractToWriter refuses it, so a DEX or \
         native library with it does not load"
    )
}

fn is_traversal(name: &str) -> bool {
    name.starts_with('/')
        || name.contains('\\')
        || name.split('/').any(|c| c == "..")
        || matches!(name.as_bytes(), [d, b':', b'/', ..] if d.is_ascii_alphabetic())
}

impl<'a> ZipArchive<'a> {
    /// Reads the central directory of `bytes` (no entry data is touched, only the local headers
    /// and data descriptors). When the directory is unreadable (no end record in a file that
    /// starts with a local header, offset/size past the end record, no record signature, fewer
    /// records than declared) the entries are recovered from the local headers instead (a
    /// [`AnomalyKind::RecoveredFromLocalHeaders`] anomaly; Android refuses such files). Fails
    /// only when neither yields an entry, or the end record declares more than
    /// `limits.max_entries` entries; everything else odd becomes an [`Anomaly`].
    pub fn parse(bytes: &'a [u8], limits: &Limits) -> Result<ZipArchive<'a>, ContainerError> {
        let mut anomalies = Vec::new();
        let mut an = AnomalySink {
            list: &mut anomalies,
        };
        let eocd = match find_eocd(bytes, &mut an) {
            Ok(e) => e,
            // A file that starts like a zip but has no end record: recover what the local
            // headers describe (Android refuses it: MapCentralDirectory0 finds no EOCD).
            Err(ContainerError::NotZip) if u32_at(bytes, 0) == Some(LOCAL_SIG) => {
                return Self::recover(
                    bytes,
                    limits,
                    an.list,
                    "no end of central directory record",
                    "libziparchive MapCentralDirectory0: EOCD not found, kInvalidFile",
                    None,
                )
                .ok_or(ContainerError::NotZip);
            }
            Err(e) => return Err(e),
        };
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
        // No entries declared in a file that starts with a local header: Android refuses it
        // (MapCentralDirectory0: "empty archive?"); what the local headers hold is recovered.
        if eocd.entries == 0 && u32_at(bytes, 0) == Some(LOCAL_SIG) {
            if let Some(a) = Self::recover(
                bytes,
                limits,
                an.list,
                "the end record declares no entries",
                "libziparchive MapCentralDirectory0: \"empty archive?\", kEmptyArchive",
                Some(eocd.end),
            ) {
                return Ok(a);
            }
        }
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
                    // Prepended bytes shift every offset, unless the first record's local
                    // offset is right as it is (then only the end record lies).
                    let first_local = usize::try_from(a)
                        .ok()
                        .and_then(|a| u32_at(bytes, a.checked_add(42)?))
                        .map(u64::from);
                    let d = a - eocd.cd_offset;
                    let shifted_ok =
                        first_local.is_some_and(|l| sig_at(l.saturating_add(d)) == Some(LOCAL_SIG));
                    let plain_ok = first_local.is_some_and(|l| sig_at(l) == Some(LOCAL_SIG));
                    if shifted_ok || !plain_ok {
                        shift = d;
                        an.push(
                            None,
                            AnomalyKind::PrependedData,
                            format!("central directory declared at {} but found at {a}: {shift} bytes were prepended to the zip (offsets shifted)", eocd.cd_offset),
                        );
                    } else {
                        an.push(
                            None,
                            AnomalyKind::BadEocd,
                            format!("end record declares the central directory at {} but it is at {a} (entry offsets are right; only the end record lies)", eocd.cd_offset),
                        );
                    }
                    a
                }
                _ => {
                    let past = declared_end.is_none_or(|e| e > eocd.end);
                    let reason = if past {
                        "declared offset and size run past the end record"
                    } else {
                        "no central directory record signature there"
                    };
                    let aosp = if past {
                        "libziparchive MapCentralDirectory0: \"bad offsets\", kInvalidOffset"
                    } else {
                        "libziparchive ParseZipArchive: \"missed a central dir sig\", kInvalidFile"
                    };
                    let why = format!(
                        "the end record puts it at {} with {} bytes: {reason}",
                        eocd.cd_offset, eocd.cd_size
                    );
                    return Self::recover(bytes, limits, an.list, &why, aosp, Some(eocd.end))
                        .ok_or(ContainerError::BadCentralDirectory {
                            offset: eocd.cd_offset,
                            reason,
                        });
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
                // The previous record's lengths lied (e.g. an extra field length off by one):
                // resynchronise on the next record signature, forward only.
                let next = cd
                    .get(pos..)
                    .and_then(|rest| rest.windows(4).position(|w| w == b"PK\x01\x02"));
                if let (Some(skip), true) = (next, seen > 0) {
                    an.push(
                        None,
                        AnomalyKind::CentralDirectoryCount,
                        format!(
                            "central directory record {} not at offset {} but {skip} bytes later (the previous record's lengths lie); resynchronised",
                            seen + 1,
                            cd_start + pos as u64
                        ),
                    );
                    pos += skip;
                    continue;
                }
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

            if flags & 8 != 0 {
                descriptors += 1;
            }
            entry_checks(&name, method, flags, csize, usize_, &mut an);
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
                bytes, local_abs, &name, name_bytes, method, flags, crc32, csize, usize_, &mut an,
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
        if seen < eocd.entries {
            // The directory ended early (cut short, a record signature missing, a record
            // running past its end): ParseZipArchive refuses the file; recover the entries
            // the readable records did not describe from their local headers.
            let found = scan_local_headers(bytes, limits.max_entries, &index, &mut an);
            if !found.entries.is_empty() {
                an.push(
                    None,
                    AnomalyKind::RecoveredFromLocalHeaders,
                    recovery_text(
                        &format!(
                            "only {seen} of the {} records declared are readable",
                            eocd.entries
                        ),
                        "libziparchive ParseZipArchive: kInvalidFile",
                        found.entries.len(),
                    ),
                );
                for e in found.entries {
                    index.insert(e.name.clone(), entries.len());
                    entries.push(e);
                }
            }
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

    /// The archive rebuilt from its local headers alone, when the central directory cannot be
    /// located ([`scan_local_headers`]); `None` when no local header is found. `why` says what
    /// was wrong, `aosp` where Android refuses the file; `eocd` is the end record's offset, if
    /// there is one.
    fn recover(
        bytes: &'a [u8],
        limits: &Limits,
        anomalies: &mut Vec<Anomaly>,
        why: &str,
        aosp: &str,
        eocd: Option<u64>,
    ) -> Option<ZipArchive<'a>> {
        let mut an = AnomalySink { list: anomalies };
        let found = scan_local_headers(bytes, limits.max_entries, &HashMap::new(), &mut an);
        if found.entries.is_empty() {
            return None;
        }
        an.push(
            None,
            AnomalyKind::RecoveredFromLocalHeaders,
            recovery_text(why, aosp, found.entries.len()),
        );
        let entries = found.entries;
        let mut index = HashMap::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            index.insert(e.name.clone(), i);
        }
        // Where the APK Signing Block would end: the first central directory record after the
        // last entry's data, else the end record, else the end of the file.
        let limit = eocd.unwrap_or(bytes.len() as u64);
        let cd_offset = usize::try_from(found.end)
            .ok()
            .and_then(|from| find_sig(bytes, from, CD_SIG))
            .map(|p| p as u64)
            .filter(|&p| p < limit)
            .unwrap_or(limit);
        check_overlaps(&entries, cd_offset, limit, &mut an);
        Some(ZipArchive {
            bytes,
            entries,
            index,
            anomalies: std::mem::take(anomalies),
            read_anomalies: RefCell::new(Vec::new()),
            cd_offset,
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
    /// deflated ones; entries with any other method are read as stored or, when the data is
    /// plainly a deflate stream of the declared size, inflated (an anomaly says which). Checks declared sizes against the limits before allocating;
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
        let ratio_ok = entry.uncompressed_size <= RATIO_MIN_SIZE
            || entry.uncompressed_size / entry.compressed_size.max(1) <= limits.max_ratio;
        if entry.method != METHOD_DEFLATE {
            return self.read_unknown_method(entry, ratio_ok, slice);
        }
        if !ratio_ok {
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
        // When the declared size lies, the streaming fallback may go past it, but not far:
        // Android rejects such an entry, and recovering its data must not let a 1 KiB
        // declaration grow into a 512 MiB allocation (a size-lie zip bomb).
        let lie_cap = entry
            .uncompressed_size
            .saturating_mul(LYING_SIZE_FACTOR)
            .max(LYING_SIZE_FLOOR);
        let cap = limits.max_entry_size.min(remaining).min(lie_cap);
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

    /// An entry whose method is neither 0 nor 8. Android disagrees with itself here: the
    /// resource loader (`androidfw/AssetsProvider.cpp`, `ZipAssetsProvider::OpenInternal`;
    /// `ApkAssets::Open` before Android 12) inflates only `kCompressDeflated` and maps every
    /// other entry as stored, `uncompressed_length` bytes from the data offset — which is how
    /// the installer reads `AndroidManifest.xml` and `resources.arsc` — while `libziparchive`'s
    /// `ExtractToWriter` (`zip_archive.cc`, used for DEX and native libraries) returns an error
    /// for any method but 0 and 8. For the analyst we read the contents:
    ///
    /// 1. compressed size == uncompressed size: stored (borrowed), as the resource loader does;
    /// 2. else, if the compressed bytes are a complete deflate stream of exactly the declared
    ///    uncompressed size (and the declared sizes pass the ratio and total budgets): the
    ///    inflated bytes (what the author plainly meant; apkInspector does the same);
    /// 3. else stored, `uncompressed size` bytes, as the resource loader does.
    ///
    /// The choice is recorded as an [`AnomalyKind::UnknownMethod`] anomaly.
    fn read_unknown_method(
        &self,
        entry: &Entry,
        ratio_ok: bool,
        slice: impl Fn(u64) -> Result<&'a [u8], ContainerError>,
    ) -> Result<Cow<'a, [u8]>, ContainerError> {
        let name = &entry.name;
        let method = entry.method;
        if entry.compressed_size != entry.uncompressed_size {
            let used = self.inflated.get();
            let remaining = self.limits.max_total_inflated.saturating_sub(used);
            if ratio_ok && entry.uncompressed_size <= remaining {
                if let Some(out) = slice(entry.compressed_size)
                    .ok()
                    .and_then(|comp| inflate::inflate_exact(comp, entry.uncompressed_size))
                {
                    self.note(
                        name,
                        AnomalyKind::UnknownMethod,
                        format!("method {method} read as deflate: the data is a complete deflate stream of the declared size (Android's resource loader would map it as stored and see garbage)"),
                    );
                    self.inflated.set(used.saturating_add(out.len() as u64));
                    self.check_crc(entry, &out);
                    return Ok(Cow::Owned(out));
                }
            }
        }
        let data = slice(entry.uncompressed_size)?;
        self.note(
            name,
            AnomalyKind::UnknownMethod,
            if entry.compressed_size == entry.uncompressed_size {
                format!("method {method} read as stored: compressed and uncompressed sizes are equal (as Android's resource loader reads it)")
            } else {
                format!(
                    "method {method} read as stored, {} bytes: not a deflate stream of that size (as Android's resource loader reads it; the compressed size {} is ignored)",
                    entry.uncompressed_size, entry.compressed_size
                )
            },
        );
        self.check_crc(entry, data);
        Ok(Cow::Borrowed(data))
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
    raw_name: &[u8],
    method: u16,
    flags: u16,
    crc: u32,
    csize: u64,
    usize_: u64,
    an: &mut AnomalySink<'_>,
) -> Option<u64> {
    let Some(o) = usize::try_from(off).ok().filter(|&o| {
        u32_at(bytes, o) == Some(LOCAL_SIG) && o.saturating_add(LOCAL_LEN) <= bytes.len()
    }) else {
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
    // What libziparchive's FindEntry (zip_archive.cc) does with each disagreement: the name
    // (length and bytes) and, when the *local* header has no data descriptor flag, the sizes
    // and CRC must match or the entry is refused (kInconsistentInformation); the method always
    // comes from the central directory and the local one is never read; a bit-3 mismatch is
    // only logged.
    let mut refused = Vec::new();
    let mut ignored = Vec::new();
    if lmethod != method {
        ignored.push(format!("method {lmethod} vs {method}"));
    }
    match bytes.get(o + LOCAL_LEN..o + LOCAL_LEN + lnlen) {
        Some(n) if n == raw_name => {}
        Some(n) => refused.push(format!("name {:?} vs {name:?}", String::from_utf8_lossy(n))),
        None => refused.push("name runs past the end of the file".to_string()),
    }
    if lflags & 8 == 0 {
        let z64 = lcsize == u32::MAX || lusize == u32::MAX;
        if !z64 && (lcsize as u64 != csize || lusize as u64 != usize_) {
            refused.push(format!("sizes {lcsize}/{lusize} vs {csize}/{usize_}"));
        }
        if lcrc != crc {
            refused.push(format!("CRC {lcrc:08x} vs {crc:08x}"));
        }
    }
    if lflags & 8 != flags & 8 {
        ignored.push(format!(
            "data descriptor flag {} vs {}",
            lflags & 8 != 0,
            flags & 8 != 0
        ));
    }
    if lflags & 1 != flags & 1 {
        ignored.push(format!(
            "encryption flag {} vs {}",
            lflags & 1 != 0,
            flags & 1 != 0
        ));
    }
    if !refused.is_empty() || !ignored.is_empty() {
        let verdict = if refused.is_empty() {
            "Android ignores this (libziparchive FindEntry takes the method and sizes from the central directory)"
        } else {
            "Android refuses to open this entry (libziparchive FindEntry returns kInconsistentInformation)"
        };
        refused.extend(ignored);
        an.push(
            Some(name),
            AnomalyKind::LocalHeaderMismatch,
            format!(
                "local header disagrees with the central directory ({}); the central directory wins; {verdict}",
                refused.join(", ")
            ),
        );
    }
    let data = off.checked_add((LOCAL_LEN + lnlen + lxlen) as u64)?;
    if lflags & 8 != 0 {
        check_descriptor(bytes, data, name, method, crc, csize, usize_, an);
    }
    Some(data)
}

/// Compares the data descriptor after an entry's data with the central directory, as
/// libziparchive's `ValidateDataDescriptor` does after extracting (`zip_archive.cc`; a mismatch
/// is kInconsistentInformation: Android refuses the entry). The descriptor sits after
/// `compressed size` bytes (`uncompressed size` for stored entries), with or without its
/// signature, with 8-byte sizes when either size needs them.
#[allow(clippy::too_many_arguments)]
fn check_descriptor(
    bytes: &[u8],
    data: u64,
    name: &str,
    method: u16,
    crc: u32,
    csize: u64,
    usize_: u64,
    an: &mut AnomalySink<'_>,
) {
    let len = if method == 0 { usize_ } else { csize };
    // Inside the file (so that `p` plus the descriptor's 24 bytes cannot overflow), or there
    // is no descriptor to read.
    let Some(mut p) = data
        .checked_add(len)
        .and_then(|p| usize::try_from(p).ok())
        .filter(|&p| p < bytes.len())
    else {
        an.push(
            Some(name),
            AnomalyKind::SizeMismatch,
            "data descriptor past the end of the file (Android refuses to extract the entry: libziparchive ValidateDataDescriptor)".to_string(),
        );
        return;
    };
    if u32_at(bytes, p) == Some(DESCRIPTOR_SIG) {
        p += 4;
    }
    let wide = csize >= u32::MAX as u64 || usize_ >= u32::MAX as u64;
    let found = if wide {
        (
            u32_at(bytes, p),
            u64_at(bytes, p + 4),
            u64_at(bytes, p + 12),
        )
    } else {
        (
            u32_at(bytes, p),
            u32_at(bytes, p + 4).map(u64::from),
            u32_at(bytes, p + 8).map(u64::from),
        )
    };
    let (Some(dcrc), Some(dc), Some(du)) = found else {
        an.push(
            Some(name),
            AnomalyKind::SizeMismatch,
            "data descriptor runs past the end of the file (Android refuses to extract the entry: libziparchive ValidateDataDescriptor)".to_string(),
        );
        return;
    };
    if dcrc != crc || dc != csize || du != usize_ {
        an.push(
            Some(name),
            AnomalyKind::SizeMismatch,
            format!("data descriptor says CRC {dcrc:08x}, sizes {dc}/{du}; the central directory {crc:08x}, {csize}/{usize_} (used); Android refuses to extract the entry (libziparchive ValidateDataDescriptor: kInconsistentInformation)"),
        );
    }
}

/// The anomaly text of a recovery: what was wrong, where Android refuses, how many entries.
fn recovery_text(why: &str, aosp: &str, n: usize) -> String {
    format!(
        "central directory unreadable ({why}); Android refuses to install such a file ({aosp}); entries recovered from {n} local headers"
    )
}

/// First offset `>= from` where the little-endian signature `sig` starts.
fn find_sig(bytes: &[u8], from: usize, sig: u32) -> Option<usize> {
    let want = sig.to_le_bytes();
    bytes
        .get(from..)?
        .windows(4)
        .position(|w| w == want)
        .and_then(|p| p.checked_add(from))
}

/// Where the data of an entry whose local header has the data-descriptor flag and no sizes
/// ends. Scans forward once from `data` over every `PK`: the first data descriptor (signature
/// `PK\x07\x08`) whose compressed size equals its distance from `data` gives
/// `Ok((crc, compressed, uncompressed, end of the descriptor))`; the first local header,
/// central directory record or end record signature first gives `Err(its offset)` (the data
/// is taken to end there); no such signature, `Err(file length)`.
#[allow(clippy::type_complexity)]
fn find_descriptor(bytes: &[u8], data: usize) -> Result<(u32, u64, u64, usize), usize> {
    let mut q = data;
    while let Some(p) = bytes
        .get(q..)
        .and_then(|rest| rest.windows(2).position(|w| w == b"PK"))
        .and_then(|i| i.checked_add(q))
    {
        match u32_at(bytes, p) {
            Some(DESCRIPTOR_SIG) => {
                let dist = (p - data) as u64;
                let crc = u32_at(bytes, p + 4).unwrap_or(0);
                if u32_at(bytes, p + 8).map(u64::from) == Some(dist) {
                    if let Some(u) = u32_at(bytes, p + 12) {
                        return Ok((crc, dist, u64::from(u), p + 16));
                    }
                }
                if u64_at(bytes, p + 8) == Some(dist) {
                    if let Some(u) = u64_at(bytes, p + 16) {
                        return Ok((crc, dist, u, p + 24));
                    }
                }
            }
            Some(LOCAL_SIG | CD_SIG | EOCD_SIG) => return Err(p),
            _ => {}
        }
        q = p + 1;
    }
    Err(bytes.len())
}

/// Entries found by [`scan_local_headers`].
struct Recovered {
    /// New entries (names not already known), in file order.
    entries: Vec<Entry>,
    /// Offset just past the last entry's data (and descriptor).
    end: u64,
}

/// Recovers entries from the local file headers alone, for archives whose central directory
/// is missing or broken. One forward pass: find the next `PK\x03\x04`, read the header (every
/// length checked against the bytes left), take the sizes from it (from the ZIP64 extra field
/// when they are 0xFFFFFFFF, from the data descriptor when flag bit 3 is set and they are zero)
/// and skip the entry's data, so a stored inner APK's own headers are not taken for entries.
/// The scan never moves backwards, so it is linear in the file; a header whose name or extra
/// field runs past the end is skipped; names never overlap, so the names kept are at most
/// the file's size; at most `max_entries` entries are kept in total with `known`. Names in
/// `known` (the central directory's) and later duplicates are skipped.
fn scan_local_headers(
    bytes: &[u8],
    max_entries: usize,
    known: &HashMap<String, usize>,
    an: &mut AnomalySink<'_>,
) -> Recovered {
    let mut entries: Vec<Entry> = Vec::new();
    let mut names: HashMap<String, ()> = HashMap::new();
    let mut pos = 0usize;
    let mut end = 0u64;
    while let Some(at) = find_sig(bytes, pos, LOCAL_SIG) {
        pos = at.saturating_add(4);
        let field16 = |o: usize| at.checked_add(o).and_then(|p| u16_at(bytes, p));
        let field32 = |o: usize| at.checked_add(o).and_then(|p| u32_at(bytes, p));
        let (Some(flags), Some(method), Some(lcrc), Some(lc), Some(lu), Some(nlen), Some(xlen)) = (
            field16(6),
            field16(8),
            field32(14),
            field32(18),
            field32(22),
            field16(26),
            field16(28),
        ) else {
            break; // a header cut off by the end of the file: nothing more to find
        };
        let name_start = at + LOCAL_LEN;
        let extra_start = name_start + nlen as usize;
        let data = extra_start + xlen as usize;
        let (Some(name_bytes), Some(extra)) = (
            bytes.get(name_start..extra_start),
            bytes.get(extra_start..data),
        ) else {
            continue;
        };
        if name_bytes.is_empty() {
            continue;
        }
        pos = data;
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
        let (mut csize, mut usize_) = (u64::from(lc), u64::from(lu));
        if lc == u32::MAX || lu == u32::MAX {
            let mut no_offset = 0u64;
            apply_zip64(extra, &mut usize_, &mut csize, &mut no_offset, &name, an);
        }
        let mut crc = lcrc;
        if flags & 8 != 0 && csize == 0 && usize_ == 0 {
            match find_descriptor(bytes, data) {
                Ok((c, cs, us, after)) => {
                    (crc, csize, usize_) = (c, cs, us);
                    pos = after;
                }
                Err(stop) => {
                    csize = (stop - data) as u64;
                    usize_ = if method == 0 { csize } else { 0 };
                    pos = stop;
                    an.push(
                        Some(&name),
                        AnomalyKind::SizeMismatch,
                        format!("local header has no sizes and no data descriptor was found: the data is taken to end at offset {stop}"),
                    );
                }
            }
        } else {
            let span = if method == 0 { usize_ } else { csize };
            match usize::try_from(span)
                .ok()
                .and_then(|s| data.checked_add(s))
                .filter(|&e| e <= bytes.len())
            {
                Some(e) => pos = e,
                None => an.push(
                    Some(&name),
                    AnomalyKind::SizeMismatch,
                    format!("local header declares {span} bytes of data, past the end of the file"),
                ),
            }
        }
        end = end.max(pos as u64);
        if known.contains_key(&name) {
            continue;
        }
        if names.contains_key(&name) {
            an.push(
                Some(&name),
                AnomalyKind::DuplicateName,
                "duplicate name among the local headers: the first is kept".to_string(),
            );
            continue;
        }
        if known.len().saturating_add(entries.len()) >= max_entries {
            an.push(
                None,
                AnomalyKind::Truncated,
                format!("local header recovery stopped at the max-entries limit {max_entries}"),
            );
            break;
        }
        entry_checks(&name, method, flags, csize, usize_, an);
        names.insert(name.clone(), ());
        entries.push(Entry {
            name,
            method,
            flags,
            crc32: crc,
            compressed_size: csize,
            uncompressed_size: usize_,
            local_header_offset: at as u64,
            data_offset: Some(data as u64),
        });
    }
    Recovered { entries, end }
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

#[cfg(test)]
mod tests {
    use super::*;
    use trackscan_fixtures::zip::{apk_signing_block, crc32, Method, ZipBuilder};

    fn parse(z: &[u8]) -> ZipArchive<'_> {
        match ZipArchive::parse(z, &Limits::default()) {
            Ok(a) => a,
            Err(e) => panic!("parse failed: {e}"),
        }
    }

    fn kinds(a: &ZipArchive<'_>) -> Vec<AnomalyKind> {
        a.anomalies().iter().map(|x| x.kind).collect()
    }

    fn read_ok<'a>(a: &ZipArchive<'a>, name: &str) -> Cow<'a, [u8]> {
        let e = a.by_name(name).expect("entry present");
        match a.read(e) {
            Ok(b) => b,
            Err(err) => panic!("read {name}: {err}"),
        }
    }

    #[test]
    fn clean_archive_round_trips_without_anomalies() {
        let text = b"<manifest package=\"x\"/>".repeat(50);
        let z = ZipBuilder::new()
            .deflated("AndroidManifest.xml", &text)
            .stored("classes.dex", b"dex\n035\0")
            .build();
        let a = parse(&z);
        assert!(a.anomalies().is_empty(), "{:?}", a.anomalies());
        assert_eq!(a.entries().len(), 2);
        assert_eq!(read_ok(&a, "AndroidManifest.xml").as_ref(), &text[..]);
        let dex = read_ok(&a, "classes.dex");
        assert!(matches!(dex, Cow::Borrowed(_)), "stored entries borrow");
        assert_eq!(dex.as_ref(), b"dex\n035\0");
        assert!(a.anomalies().is_empty());
    }

    #[test]
    fn empty_22_byte_zip() {
        let z = ZipBuilder::new().build();
        assert_eq!(z.len(), 22);
        let a = parse(&z);
        assert!(a.entries().is_empty());
        assert_eq!(a.central_directory_offset(), 0);
        assert!(a.dex_entries().is_empty());
    }

    #[test]
    fn not_a_zip_and_truncated() {
        assert_eq!(
            ZipArchive::parse(b"", &Limits::default()).err(),
            Some(ContainerError::NotZip)
        );
        assert_eq!(
            ZipArchive::parse(&[0u8; 100], &Limits::default()).err(),
            Some(ContainerError::NotZip)
        );
        let z = ZipBuilder::new()
            .deflated("AndroidManifest.xml", &[5u8; 1000])
            .build();
        // Every truncation either errors or parses; never panics.
        for cut in 0..z.len() {
            if let Ok(a) = ZipArchive::parse(&z[..cut], &Limits::default()) {
                for e in a.entries() {
                    let _ = a.read(e);
                }
            }
        }
        // Cutting off the EOCD's tail: no EOCD, the entry recovered from its local header.
        let a = parse(&z[..z.len() - 1]);
        assert!(kinds(&a).contains(&AnomalyKind::RecoveredFromLocalHeaders));
        assert_eq!(
            read_ok(&a, "AndroidManifest.xml").as_ref(),
            &[5u8; 1000][..]
        );
        // Cutting the data: the directory is fine but the data is gone.
        let cd = z.len() - 22 - (46 + 19);
        let mut cut = z[..30 + 19 + 5].to_vec();
        cut.extend_from_slice(&z[cd..]);
        let r = ZipArchive::parse(&cut, &Limits::default());
        assert!(r.is_ok() || r.is_err());
    }

    #[test]
    fn local_header_disagreements() {
        let data = b"hello world hello world".repeat(20);
        let z = ZipBuilder::new()
            .deflated("a.txt", &data)
            .local_method(0)
            .deflated("b.txt", &data)
            .local_sizes(1, 2)
            .deflated("c.txt", &data)
            .local_name("cc.txt")
            .build();
        let a = parse(&z);
        let mism: Vec<_> = a
            .anomalies()
            .into_iter()
            .filter(|x| x.kind == AnomalyKind::LocalHeaderMismatch)
            .collect();
        assert_eq!(mism.len(), 3, "{mism:?}");
        assert!(mism[0]
            .to_string()
            .starts_with("a.txt: local header disagrees"));
        assert!(mism[0].detail.contains("method 0 vs 8"));
        assert!(mism[1].detail.contains("sizes 1/2"));
        assert!(mism[2].detail.contains("\"cc.txt\" vs \"c.txt\""));
        // The central directory wins; the local name length still locates the data.
        for n in ["a.txt", "b.txt", "c.txt"] {
            assert_eq!(read_ok(&a, n).as_ref(), &data[..]);
        }
    }

    #[test]
    fn unknown_method_on_deflated_data_is_inflated() {
        let data = b"tracker.example.com ".repeat(30);
        let z = ZipBuilder::new()
            .deflated("assets/x.json", &data)
            .declared_method(99)
            .build();
        let a = parse(&z);
        assert_eq!(kinds(&a), [AnomalyKind::UnknownMethod]);
        let got = read_ok(&a, "assets/x.json");
        assert!(matches!(got, Cow::Owned(_)));
        assert_eq!(got.as_ref(), &data[..]);
        let all = a.anomalies();
        assert_eq!(all.len(), 2);
        assert!(all[1].detail.contains("read as deflate"), "{all:?}");
    }

    #[test]
    fn unknown_method_on_stored_data_is_read_as_stored() {
        // BadPack: the manifest is stored but says method 0x5a5a. Android's resource loader
        // maps it as stored; inflating it (what we did before) fails.
        let data = b"\x03\x00\x08\x00 binary xml, not deflate".repeat(20);
        let z = ZipBuilder::new()
            .stored("AndroidManifest.xml", &data)
            .declared_method(0x5a5a)
            .build();
        let a = parse(&z);
        assert_eq!(kinds(&a), [AnomalyKind::UnknownMethod]);
        assert!(a.anomalies()[0]
            .detail
            .contains("ZipAssetsProvider::OpenInternal"));
        let got = read_ok(&a, "AndroidManifest.xml");
        assert!(matches!(got, Cow::Borrowed(_)), "zero-copy, as stored");
        assert_eq!(got.as_ref(), &data[..]);
        let all = a.anomalies();
        assert!(all[1].detail.contains("read as stored"), "{all:?}");
        assert!(!kinds(&a).contains(&AnomalyKind::CrcMismatch));
    }

    #[test]
    fn unknown_method_with_lying_compressed_size_reads_uncompressed_size_raw() {
        // Sizes disagree and the bytes are no deflate stream of the declared size (binary XML
        // even parses as an empty deflate block): `uncompressed size` bytes as they are.
        let data = b"\x03\x00\x08\x00 binary xml".repeat(10);
        let z = ZipBuilder::new()
            .stored("AndroidManifest.xml", &data)
            .declared_method(12)
            .declared_sizes(7, data.len() as u32)
            .build();
        let a = parse(&z);
        let got = read_ok(&a, "AndroidManifest.xml");
        assert_eq!(got.as_ref(), &data[..]);
        let all = a.anomalies();
        assert!(
            all.iter()
                .any(|x| x.detail.contains("read as stored, 150 bytes")),
            "{all:?}"
        );
        // Unknown method, uncompressed size past the end of the file: an error, no panic.
        let z = ZipBuilder::new()
            .stored("a", b"abc")
            .declared_method(99)
            .declared_sizes(3, 1 << 20)
            .build();
        let a = parse(&z);
        assert!(matches!(
            a.read(&a.entries()[0]),
            Err(ContainerError::OutOfBounds { .. })
        ));
    }

    #[test]
    fn unknown_method_deflate_attempt_respects_limits() {
        // A deflate stream whose declared ratio is over the limit is not inflated under an
        // unknown method either: read raw (and the size check refuses what does not fit).
        let big = vec![0u8; 4 << 20];
        let z = ZipBuilder::new()
            .deflated("classes.dex", &big)
            .declared_method(99)
            .build();
        let a = parse(&z);
        let r = a.read(&a.entries()[0]);
        assert!(
            matches!(r, Err(ContainerError::OutOfBounds { .. })),
            "{r:?}"
        );
        assert_eq!(a.remaining_budget(), Limits::default().max_total_inflated);
    }

    #[test]
    fn local_header_verdicts_follow_find_entry() {
        let data = b"hello world hello world".repeat(20);
        let z = ZipBuilder::new()
            .deflated("a.txt", &data)
            .local_method(0)
            .deflated("b.txt", &data)
            .local_name("bb.txt")
            .deflated("c.txt", &data)
            .local_flags(1)
            .build();
        let a = parse(&z);
        let m: Vec<_> = a
            .anomalies()
            .into_iter()
            .filter(|x| x.kind == AnomalyKind::LocalHeaderMismatch)
            .collect();
        assert_eq!(m.len(), 3, "{m:?}");
        assert!(m[0].detail.contains("Android ignores this"), "{m:?}");
        assert!(
            m[1].detail.contains("Android refuses to open this entry"),
            "{m:?}"
        );
        assert!(
            m[2].detail.contains("encryption flag true vs false"),
            "{m:?}"
        );
        assert!(m[2].detail.contains("Android ignores this"), "{m:?}");
        // Local header without bit 3 but the directory with it: sizes compared (FindEntry
        // goes by the local flag).
        let z = ZipBuilder::new()
            .deflated("d.txt", &data)
            .data_descriptor()
            .local_flags(0)
            .build();
        let a = parse(&z);
        let m: Vec<_> = a
            .anomalies()
            .into_iter()
            .filter(|x| x.kind == AnomalyKind::LocalHeaderMismatch)
            .collect();
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].detail.contains("sizes 0/0"), "{m:?}");
        assert!(m[0].detail.contains("data descriptor flag false vs true"));
        assert!(m[0].detail.contains("refuses"));
        assert_eq!(read_ok(&a, "d.txt").as_ref(), &data[..]);
    }

    #[test]
    fn data_descriptor_disagreeing_with_the_directory() {
        let data = vec![3u8; 5000];
        let mut z = ZipBuilder::new()
            .deflated("classes.dex", &data)
            .data_descriptor()
            .build();
        // The descriptor's uncompressed size: after local header (30 + 11), data, sig, crc, csize.
        let comp = trackscan_fixtures::zip::deflate(&data).len();
        let at = 41 + comp + 12;
        z[at..at + 4].copy_from_slice(&7u32.to_le_bytes());
        let a = parse(&z);
        let sm: Vec<_> = a
            .anomalies()
            .into_iter()
            .filter(|x| x.kind == AnomalyKind::SizeMismatch)
            .collect();
        assert_eq!(sm.len(), 1, "{sm:?}");
        assert!(sm[0].detail.contains("ValidateDataDescriptor"));
        assert_eq!(read_ok(&a, "classes.dex").as_ref(), &data[..]);
    }

    #[test]
    fn data_descriptor_flag_with_sizes_past_the_end() {
        // Bit 3 and sizes that put the descriptor far beyond the file: no overflow, an anomaly.
        let z = ZipBuilder::new()
            .stored("a", b"abc")
            .data_descriptor()
            .declared_sizes(u32::MAX - 1, u32::MAX - 1)
            .build();
        let a = parse(&z);
        assert!(a
            .anomalies()
            .iter()
            .any(|x| x.detail.contains("data descriptor past the end")));
        assert!(a.read(&a.entries()[0]).is_err());
    }

    fn recovered(a: &ZipArchive<'_>) -> Anomaly {
        a.anomalies()
            .into_iter()
            .find(|x| x.kind == AnomalyKind::RecoveredFromLocalHeaders)
            .unwrap_or_else(|| panic!("no recovery anomaly: {:?}", a.anomalies()))
    }

    fn three() -> ZipBuilder {
        ZipBuilder::new()
            .deflated("AndroidManifest.xml", &b"<manifest/>".repeat(40))
            .stored("classes.dex", b"dex\n035\0")
            .deflated("assets/a.json", b"{\"host\":\"t.example\"}")
    }

    fn check_three(a: &ZipArchive<'_>) {
        let names: Vec<_> = a.entries().iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            ["AndroidManifest.xml", "classes.dex", "assets/a.json"]
        );
        assert_eq!(
            read_ok(a, "AndroidManifest.xml").as_ref(),
            &b"<manifest/>".repeat(40)[..]
        );
        let dex = read_ok(a, "classes.dex");
        assert!(matches!(dex, Cow::Borrowed(_)));
        assert_eq!(dex.as_ref(), b"dex\n035\0");
        assert_eq!(
            read_ok(a, "assets/a.json").as_ref(),
            b"{\"host\":\"t.example\"}"
        );
        assert!(!kinds(a).contains(&AnomalyKind::CrcMismatch));
    }

    #[test]
    fn recovery_when_eocd_offset_and_size_run_past_the_end_record() {
        let z = three()
            .eocd_cd_offset(0x7fff_0000)
            .eocd_cd_size(0x1000)
            .build();
        let a = parse(&z);
        check_three(&a);
        let r = recovered(&a);
        assert!(
            r.detail.contains("entries recovered from 3 local headers"),
            "{r}"
        );
        assert!(r.detail.contains("bad offsets"), "{r}");
        // The signing block's end: the (intact) directory right after the last entry.
        let cd = a.central_directory_offset() as usize;
        assert_eq!(&z[cd..cd + 4], b"PK\x01\x02");
        // Size alone too large.
        let z = three().eocd_cd_size(u32::MAX).build();
        let a = parse(&z);
        check_three(&a);
        recovered(&a);
    }

    #[test]
    fn recovery_when_the_directory_is_truncated_or_garbage() {
        for keep in [0, 10, 46, 46 + 19, 46 + 19 + 46 + 11 + 3] {
            let z = three().cd_truncate(keep).build();
            let a = parse(&z);
            check_three(&a);
            recovered(&a);
        }
        let z = three().cd_garbage().build();
        let a = parse(&z);
        check_three(&a);
        assert!(recovered(&a)
            .detail
            .contains("recovered from 3 local headers"));
    }

    #[test]
    fn recovery_supplements_a_partly_readable_directory() {
        // The first record whole, the rest gone: one entry from the directory, two recovered.
        let z = three().cd_truncate(46 + 19).build();
        let a = parse(&z);
        check_three(&a);
        let r = recovered(&a);
        assert!(r.detail.contains("only 1 of the 3 records"), "{r}");
        assert!(r.detail.contains("recovered from 2 local headers"), "{r}");
    }

    #[test]
    fn recovery_when_the_end_record_declares_no_entries() {
        let z = three().eocd_entries(0).build();
        let a = parse(&z);
        check_three(&a);
        assert!(recovered(&a).detail.contains("kEmptyArchive"));
        // The real empty zip stays empty, without anomalies.
        let z = ZipBuilder::new().build();
        assert!(parse(&z).anomalies().is_empty());
    }

    #[test]
    fn recovery_without_an_end_record() {
        let z = three().no_eocd().build();
        let a = parse(&z);
        check_three(&a);
        assert!(recovered(&a)
            .detail
            .contains("no end of central directory record"));
        // Not starting with a local header: still "not a zip" (sniffing relies on it).
        let mut junk = b"MZ junk".to_vec();
        junk.extend_from_slice(&three().no_eocd().build());
        assert_eq!(
            ZipArchive::parse(&junk, &Limits::default()).err(),
            Some(ContainerError::NotZip)
        );
    }

    #[test]
    fn recovery_uses_data_descriptors_and_skips_stored_inner_zips() {
        let inner = three().build();
        let z = ZipBuilder::new()
            .deflated("AndroidManifest.xml", &b"<manifest/>".repeat(40))
            .data_descriptor()
            .stored("classes.dex", b"dex\n035\0")
            .data_descriptor()
            .stored("base.apk", &inner)
            .deflated("assets/a.json", b"{\"host\":\"t.example\"}")
            .data_descriptor()
            .zip64()
            .cd_garbage()
            .build();
        let a = parse(&z);
        let names: Vec<_> = a.entries().iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "AndroidManifest.xml",
                "classes.dex",
                "base.apk",
                "assets/a.json"
            ]
        );
        assert_eq!(read_ok(&a, "base.apk").as_ref(), &inner[..]);
        assert_eq!(
            read_ok(&a, "AndroidManifest.xml").as_ref(),
            &b"<manifest/>".repeat(40)[..]
        );
        assert_eq!(read_ok(&a, "classes.dex").as_ref(), b"dex\n035\0");
        assert!(
            !kinds(&a).contains(&AnomalyKind::CrcMismatch),
            "{:?}",
            a.anomalies()
        );
        // A descriptor-flagged entry whose descriptor is missing: the data ends at the next
        // header, with an anomaly.
        let mut z = ZipBuilder::new()
            .stored("a", b"abcdef")
            .data_descriptor()
            .stored("b", b"bee")
            .cd_garbage()
            .build();
        let dd = 31 + 6;
        z[dd..dd + 4].copy_from_slice(b"XXXX");
        let a = parse(&z);
        assert!(kinds(&a).contains(&AnomalyKind::SizeMismatch));
        assert!(read_ok(&a, "a").starts_with(b"abcdef"));
        assert_eq!(read_ok(&a, "b").as_ref(), b"bee");
    }

    #[test]
    fn recovery_is_bounded() {
        // A megabyte of local header signatures and no end record: one linear pass, at most
        // max_entries entries, every header's lengths checked.
        let mut z = Vec::new();
        while z.len() < 1 << 20 {
            z.extend_from_slice(b"PK\x03\x04");
        }
        let t = std::time::Instant::now();
        let r = ZipArchive::parse(&z, &Limits::default());
        assert!(t.elapsed() < std::time::Duration::from_secs(5));
        if let Ok(a) = r {
            assert!(a.entries().len() <= Limits::default().max_entries);
        }
        // Many tiny valid entries, a low entry limit: recovery stops at it.
        let mut b = ZipBuilder::new();
        for i in 0..50 {
            b = b.stored(&format!("f{i}"), b"x");
        }
        let z = b.no_eocd().build();
        let limits = Limits {
            max_entries: 10,
            ..Limits::default()
        };
        let a = ZipArchive::parse(&z, &limits).unwrap();
        assert_eq!(a.entries().len(), 10);
        assert!(kinds(&a).contains(&AnomalyKind::Truncated));
        // Descriptor-flagged headers with zero sizes everywhere: still linear.
        let mut z = Vec::new();
        let mut hdr = vec![0u8; 31];
        hdr[..4].copy_from_slice(b"PK\x03\x04");
        hdr[6] = 8;
        hdr[26] = 1;
        hdr[30] = b'n';
        while z.len() < 1 << 20 {
            z.extend_from_slice(&hdr);
            z.extend_from_slice(b"PKPKPKPK");
        }
        let t = std::time::Instant::now();
        let _ = ZipArchive::parse(&z, &Limits::default());
        assert!(t.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn data_descriptors() {
        let data = vec![3u8; 5000];
        let z = ZipBuilder::new()
            .deflated("classes.dex", &data)
            .data_descriptor()
            .stored("b", b"bee")
            .data_descriptor()
            .build();
        let a = parse(&z);
        assert_eq!(kinds(&a), [AnomalyKind::DataDescriptor]);
        assert_eq!(read_ok(&a, "classes.dex").as_ref(), &data[..]);
        assert_eq!(read_ok(&a, "b").as_ref(), b"bee");
    }

    #[test]
    fn prepended_junk_with_and_without_shifted_offsets() {
        let junk = vec![b'#'; 1026];
        // Offsets relative to the zip start: found by the shift.
        let z = ZipBuilder::new()
            .prepend(&junk)
            .deflated("AndroidManifest.xml", &[1u8; 300])
            .build();
        let a = parse(&z);
        assert!(kinds(&a).contains(&AnomalyKind::PrependedData));
        assert_eq!(read_ok(&a, "AndroidManifest.xml").as_ref(), &[1u8; 300][..]);
        assert_eq!(
            a.central_directory_offset(),
            (z.len() - 22 - 46 - 19) as u64
        );
        assert_eq!(a.entries()[0].local_header_offset, 1026);

        // Offsets already adjusted to the file (`zip -A`): still reported.
        let plain = ZipBuilder::new().stored("x", b"y").build();
        let mut adj = junk.clone();
        adj.extend_from_slice(&ZipBuilder::new().stored("x", b"y").build());
        // Patch offsets: CD local offset and EOCD cd offset += 1026.
        let cd = adj.len() - 22 - 47;
        let lo = u32_at(&adj, cd + 42).unwrap() + 1026;
        adj[cd + 42..cd + 46].copy_from_slice(&lo.to_le_bytes());
        let eo = adj.len() - 22;
        let co = u32_at(&adj, eo + 16).unwrap() + 1026;
        adj[eo + 16..eo + 20].copy_from_slice(&co.to_le_bytes());
        let a = parse(&adj);
        assert_eq!(kinds(&a), [AnomalyKind::PrependedData]);
        assert_eq!(read_ok(&a, "x").as_ref(), b"y");
        assert!(plain.len() < adj.len());
    }

    #[test]
    fn duplicate_names_keep_the_first() {
        let z = ZipBuilder::new()
            .stored("classes.dex", b"first")
            .stored("classes.dex", b"second")
            .build();
        let a = parse(&z);
        assert_eq!(kinds(&a), [AnomalyKind::DuplicateName]);
        assert_eq!(a.entries().len(), 1);
        assert_eq!(read_ok(&a, "classes.dex").as_ref(), b"first");
        assert_eq!(a.dex_entries().len(), 1);
    }

    #[test]
    fn overlapping_entries() {
        // The second record points at the first entry's local header (overlap bomb shape).
        let z = ZipBuilder::new()
            .stored("a", b"AAAA")
            .stored("b", b"AAAA")
            .cd_local_offset(0)
            .cd_only()
            .build();
        let a = parse(&z);
        assert!(kinds(&a).contains(&AnomalyKind::Overlap), "{:?}", kinds(&a));
        // b's name differs from the local header's: mismatch recorded too.
        assert!(kinds(&a).contains(&AnomalyKind::LocalHeaderMismatch));
        assert_eq!(read_ok(&a, "b").as_ref(), b"AAAA");
    }

    #[test]
    fn cd_offset_past_the_end() {
        let z = ZipBuilder::new()
            .stored("a", b"x")
            .eocd_cd_offset(0x7fff_0000)
            .build();
        // Android refuses it ("bad offsets"); the entry is recovered from its local header.
        let a = parse(&z);
        assert_eq!(kinds(&a), [AnomalyKind::RecoveredFromLocalHeaders]);
        assert!(
            a.anomalies()[0].detail.contains("run past the end record"),
            "{:?}",
            a.anomalies()
        );
        assert_eq!(read_ok(&a, "a").as_ref(), b"x");
        // Points inside the file at something that is no directory: the directory right
        // before the end record is used, and the entry offsets (right as they are) unshifted.
        let z = ZipBuilder::new()
            .stored("a", b"x")
            .eocd_cd_offset(1)
            .build();
        let a = parse(&z);
        assert_eq!(kinds(&a), [AnomalyKind::BadEocd]);
        assert_eq!(read_ok(&a, "a").as_ref(), b"x");
        // A directory that is nowhere: recovered from the local header.
        let mut z = ZipBuilder::new()
            .stored("a", b"x")
            .eocd_cd_offset(1)
            .build();
        let cd = z.len() - 22 - 47;
        z[cd] = b'X';
        let a = parse(&z);
        assert_eq!(kinds(&a), [AnomalyKind::RecoveredFromLocalHeaders]);
        assert_eq!(read_ok(&a, "a").as_ref(), b"x");
        // ... and with no local header either: the error.
        let z = ZipBuilder::new().eocd_entries(1).eocd_cd_offset(1).build();
        let r = ZipArchive::parse(&z, &Limits::default());
        assert!(matches!(
            r,
            Err(ContainerError::BadCentralDirectory { offset: 1, .. })
        ));
    }

    #[test]
    fn max_size_eocd_comment_and_fake_eocd_in_comment() {
        let comment = vec![b'c'; 65535];
        let z = ZipBuilder::new()
            .stored("a", b"x")
            .comment(&comment)
            .build();
        let a = parse(&z);
        assert!(a.anomalies().is_empty());
        assert_eq!(read_ok(&a, "a").as_ref(), b"x");
        // A comment holding a fake EOCD signature whose comment length does not fit: the real
        // one (comment ending exactly at the end) wins.
        let mut fake = vec![b'c'; 100];
        fake[50..54].copy_from_slice(&EOCD_SIG.to_le_bytes());
        let z = ZipBuilder::new().stored("a", b"x").comment(&fake).build();
        let a = parse(&z);
        assert!(a.anomalies().is_empty(), "{:?}", a.anomalies());
        assert_eq!(a.entries().len(), 1);
        // Trailing bytes after the comment: accepted with an anomaly.
        let mut t = ZipBuilder::new().stored("a", b"x").build();
        t.extend_from_slice(b"trailing");
        let a = parse(&t);
        assert_eq!(kinds(&a), [AnomalyKind::BadEocd]);
    }

    #[test]
    fn zip64_fields() {
        let data = vec![9u8; 4000];
        let z = ZipBuilder::new()
            .deflated("classes.dex", &data)
            .zip64()
            .stored("b", b"bb")
            .zip64_eocd()
            .build();
        let a = parse(&z);
        assert!(kinds(&a).contains(&AnomalyKind::Zip64));
        let e = a.by_name("classes.dex").unwrap();
        assert_eq!(e.uncompressed_size, 4000);
        assert_eq!(read_ok(&a, "classes.dex").as_ref(), &data[..]);
        assert_eq!(read_ok(&a, "b").as_ref(), b"bb");
    }

    #[test]
    fn malformed_extra_field_is_tolerated() {
        // Declares 0x20 bytes, holds 3: Python's zipfile refuses this, Android installs it.
        let z = ZipBuilder::new()
            .stored("AndroidManifest.xml", b"m")
            .extra(&[0xfe, 0xca, 0x20, 0x00, 1, 2, 3])
            .build();
        let a = parse(&z);
        assert_eq!(kinds(&a), [AnomalyKind::BadExtraField]);
        assert_eq!(read_ok(&a, "AndroidManifest.xml").as_ref(), b"m");
    }

    #[test]
    fn lying_extra_length_resynchronises() {
        // apkinsp_size_extrafield.apk's trick: the first record's extra length is one short.
        let mut z = ZipBuilder::new()
            .stored("AndroidManifest.xml", b"m")
            .extra(b"*** erev0s.com ***")
            .stored("classes.dex", b"dex")
            .build();
        let cd = u32_at(&z, z.len() - 6).unwrap() as usize;
        z[cd + 30] = 17;
        let a = parse(&z);
        assert_eq!(a.entries().len(), 2, "{:?}", a.anomalies());
        assert!(kinds(&a).contains(&AnomalyKind::CentralDirectoryCount));
        assert_eq!(read_ok(&a, "classes.dex").as_ref(), b"dex");
    }

    #[test]
    fn encrypted_flag_without_encryption() {
        let z = ZipBuilder::new()
            .deflated("classes.dex", b"dex\n035\0")
            .flags(1)
            .build();
        let a = parse(&z);
        assert_eq!(kinds(&a), [AnomalyKind::EncryptedFlag]);
        assert_eq!(read_ok(&a, "classes.dex").as_ref(), b"dex\n035\0");
    }

    #[test]
    fn traversal_names() {
        let z = ZipBuilder::new()
            .stored("../../evil.so", b"x")
            .stored("/abs", b"x")
            .stored("a\\..\\b", b"x")
            .stored("ok/..name", b"x")
            .stored("C:/win.ini", b"x")
            .stored("a:b", b"x")
            .build();
        let a = parse(&z);
        let t: Vec<_> = a
            .anomalies()
            .into_iter()
            .filter(|x| x.kind == AnomalyKind::PathTraversal)
            .filter_map(|x| x.entry)
            .collect();
        assert_eq!(t, ["../../evil.so", "/abs", "a\\..\\b", "C:/win.ini"]);
    }

    #[test]
    fn non_utf8_name() {
        let z = ZipBuilder::new()
            .entry_raw_name(b"a\xffb", b"x", Method::Stored)
            .build();
        let a = parse(&z);
        assert_eq!(kinds(&a), [AnomalyKind::NonUtf8Name]);
        assert_eq!(a.entries()[0].name, "a\u{fffd}b");
    }

    #[test]
    fn bomb_by_declared_size_ratio_total_and_count() {
        let big = vec![0u8; 4 << 20]; // 4 MiB of zeros deflates ~1000:1
        let z = ZipBuilder::new().deflated("classes.dex", &big).build();
        let a = parse(&z);
        let e = a.by_name("classes.dex").unwrap();
        assert!(e.uncompressed_size / e.compressed_size > 1000);
        assert!(matches!(
            a.read(e),
            Err(ContainerError::RatioExceeded { .. })
        ));
        // Lower ratio needed to pass; total budget then stops the second read.
        let limits = Limits {
            max_ratio: 10_000,
            max_total_inflated: 6 << 20,
            ..Limits::default()
        };
        let z = ZipBuilder::new()
            .deflated("classes.dex", &big)
            .deflated("classes2.dex", &big)
            .build();
        let a = ZipArchive::parse(&z, &limits).unwrap();
        let d = a.dex_entries();
        assert_eq!(d.len(), 2);
        assert_eq!(a.read(d[0]).unwrap().len(), 4 << 20);
        assert_eq!(a.remaining_budget(), 2 << 20);
        let err = a.read(d[1]).unwrap_err();
        assert!(matches!(err, ContainerError::TotalExceeded { .. }), "{err}");
        // Declared size over the per-entry limit: refused before allocating.
        let z = ZipBuilder::new()
            .deflated("classes2.dex", b"tiny")
            .declared_uncompressed(u32::MAX)
            .build();
        let a = parse(&z);
        let err = a.read(&a.entries()[0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "classes2.dex: declared size 4.0 GiB exceeds the max-entry-size limit 512 MiB"
        );
        // Entry count.
        let z = ZipBuilder::new().stored("a", b"").stored("b", b"").build();
        let limits = Limits {
            max_entries: 1,
            ..Limits::default()
        };
        assert_eq!(
            ZipArchive::parse(&z, &limits).err(),
            Some(ContainerError::TooManyEntries {
                declared: 2,
                limit: 1
            })
        );
    }

    #[test]
    fn lying_declared_size_stops_at_limit() {
        // Declares 10 bytes, inflates to 3 MiB: the fast path overflows, the stream stops.
        let big = vec![0u8; 3 << 20];
        let z = ZipBuilder::new()
            .deflated("classes.dex", &big)
            .declared_uncompressed(10)
            .build();
        let limits = Limits {
            max_entry_size: 1 << 20,
            ..Limits::default()
        };
        let a = ZipArchive::parse(&z, &limits).unwrap();
        let err = a.read(&a.entries()[0]).unwrap_err();
        assert!(
            matches!(err, ContainerError::InflatedTooLarge { .. }),
            "{err}"
        );
        // Within the limit, the real data comes back with a size anomaly.
        let a = parse(&z);
        assert_eq!(read_ok(&a, "classes.dex").len(), 3 << 20);
        assert!(kinds(&a).contains(&AnomalyKind::SizeMismatch));
        // Declared larger than the data: truncated to what inflates, anomaly.
        let z = ZipBuilder::new()
            .deflated("a", b"abc")
            .declared_uncompressed(1000)
            .build();
        let a = parse(&z);
        assert_eq!(read_ok(&a, "a").as_ref(), b"abc");
        assert!(kinds(&a).contains(&AnomalyKind::SizeMismatch));
    }

    #[test]
    fn crc_mismatch_and_corrupt_deflate() {
        let z = ZipBuilder::new()
            .stored("a", b"data")
            .crc(crc32(b"other"))
            .build();
        let a = parse(&z);
        assert_eq!(read_ok(&a, "a").as_ref(), b"data");
        assert_eq!(kinds(&a), [AnomalyKind::CrcMismatch]);

        let mut z = ZipBuilder::new().deflated("a", &[4u8; 100]).build();
        // Corrupt the deflate stream: a reserved block type (BTYPE=11).
        z[31] = 0x07;
        let a = parse(&z);
        let err = a.read(&a.entries()[0]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("a: corrupt deflate data at offset 31"),
            "{err}"
        );
    }

    #[test]
    fn stored_data_past_end_and_missing_local_header() {
        let z = ZipBuilder::new()
            .stored("a", b"abc")
            .declared_sizes(3, 100_000)
            .build();
        let a = parse(&z);
        let err = a.read(&a.entries()[0]).unwrap_err();
        assert!(matches!(err, ContainerError::OutOfBounds { .. }), "{err}");
        let z = ZipBuilder::new()
            .stored("a", b"abc")
            .stored("b", b"abc")
            .cd_local_offset(2)
            .build();
        let a = parse(&z);
        assert!(kinds(&a).contains(&AnomalyKind::BadLocalHeader));
        let b = a.by_name("b").unwrap();
        assert_eq!(b.data_offset, None);
        assert_eq!(
            a.read(b).unwrap_err().to_string(),
            "b: no readable local file header at offset 2"
        );
    }

    #[test]
    fn eocd_count_disagreements() {
        let z = ZipBuilder::new()
            .stored("a", b"1")
            .stored("b", b"2")
            .eocd_entries(5)
            .build();
        let a = parse(&z);
        assert_eq!(a.entries().len(), 2);
        assert!(kinds(&a).contains(&AnomalyKind::CentralDirectoryCount));
        let z = ZipBuilder::new()
            .stored("a", b"1")
            .stored("b", b"2")
            .eocd_entries(1)
            .build();
        let a = parse(&z);
        assert_eq!(a.entries().len(), 1);
        assert!(kinds(&a).contains(&AnomalyKind::CentralDirectoryCount));
    }

    #[test]
    fn signing_block_and_multidex_order() {
        let sb = apk_signing_block(0x7109_871a, b"v2 data");
        let z = ZipBuilder::new()
            .stored("classes.dex", b"1")
            .stored("classes3.dex", b"3")
            .stored("classes2.dex", b"2")
            .stored("classes5.dex", b"5")
            .signing_block(&sb)
            .build();
        let a = parse(&z);
        assert!(a.anomalies().is_empty(), "{:?}", a.anomalies());
        let names: Vec<_> = a.dex_entries().iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["classes.dex", "classes2.dex", "classes3.dex"]);
        let cd = a.central_directory_offset() as usize;
        assert_eq!(&a.bytes()[cd - 16..cd], b"APK Sig Block 42");
        // No classes.dex: no dex at all, even if classes2.dex exists.
        let z = ZipBuilder::new().stored("classes2.dex", b"2").build();
        assert!(parse(&z).dex_entries().is_empty());
    }

    #[test]
    fn nested_bundle_reads_inner_apks() {
        let inner = ZipBuilder::new()
            .deflated("AndroidManifest.xml", b"m")
            .build();
        let outer = ZipBuilder::new()
            .stored("base.apk", &inner)
            .deflated("split_x.apk", &inner)
            .build();
        let a = parse(&outer);
        let apks = crate::bundle_apks(&a);
        assert_eq!(apks.len(), 2);
        let bufs: Vec<_> = apks.iter().map(|e| a.read(e).unwrap()).collect();
        let limits = Limits {
            max_total_inflated: a.remaining_budget(),
            ..Limits::default()
        };
        for b in &bufs {
            let z = ZipArchive::parse(b, &limits).unwrap();
            assert_eq!(read_ok(&z, "AndroidManifest.xml").as_ref(), b"m");
        }
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;
    use trackscan_fixtures::zip::{Method, ZipBuilder};

    fn entries() -> impl Strategy<Value = BTreeMap<String, (Vec<u8>, bool)>> {
        prop::collection::btree_map(
            "[a-zA-Z0-9_]{1,8}(/[a-zA-Z0-9_]{1,8}){0,3}(\\.[a-z]{1,4})?",
            (prop::collection::vec(any::<u8>(), 0..600), any::<bool>()),
            0..12,
        )
    }

    fn build(map: &BTreeMap<String, (Vec<u8>, bool)>) -> Vec<u8> {
        let mut b = ZipBuilder::new();
        for (name, (data, deflate)) in map {
            let m = if *deflate {
                Method::Deflate
            } else {
                Method::Stored
            };
            b = b.entry(name, data, m);
        }
        b.build()
    }

    proptest! {
        #[test]
        fn written_zips_read_back_exactly(map in entries()) {
            let z = build(&map);
            let a = ZipArchive::parse(&z, &Limits::default()).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(a.anomalies().is_empty(), "{:?}", a.anomalies());
            let names: Vec<&str> = a.entries().iter().map(|e| e.name.as_str()).collect();
            let want: Vec<&str> = map.keys().map(String::as_str).collect();
            prop_assert_eq!(names, want);
            for e in a.entries() {
                let got = a.read(e).map_err(|err| TestCaseError::fail(err.to_string()))?;
                let (data, deflate) = &map[&e.name];
                prop_assert_eq!(got.as_ref(), &data[..]);
                prop_assert_eq!(matches!(got, Cow::Borrowed(_)), !deflate);
            }
            prop_assert!(a.anomalies().is_empty());
        }

        #[test]
        fn mutated_zips_never_panic(
            map in entries(),
            muts in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
            cut in any::<prop::sample::Index>(),
            truncate in any::<bool>(),
        ) {
            let mut z = build(&map);
            for (i, v) in muts {
                let at = i.index(z.len());
                z[at] = v;
            }
            if truncate {
                let n = cut.index(z.len() + 1);
                z.truncate(n);
            }
            let limits = Limits { max_entry_size: 1 << 16, max_total_inflated: 1 << 18, ..Limits::default() };
            if let Ok(a) = ZipArchive::parse(&z, &limits) {
                let mut total = 0u64;
                for e in a.entries() {
                    if let Ok(b) = a.read(e) {
                        prop_assert!(b.len() as u64 <= limits.max_entry_size);
                        if let Cow::Owned(o) = &b { total += o.len() as u64; }
                    }
                }
                prop_assert!(total <= limits.max_total_inflated);
                let _ = a.dex_entries();
                let _ = crate::bundle_apks(&a);
                for x in a.anomalies() { let _ = x.to_string(); }
            }
            let _ = crate::sniff("x.apk", &z);
        }
    }
}
