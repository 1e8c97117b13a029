//! The APK Signing Block (v2/v3/v3.1 signature schemes) located just before the central
//! directory, and the length-prefixed records inside its signature-scheme values.

use crate::SigningError;

/// `APK Sig Block 42`.
pub(crate) const MAGIC: &[u8; 16] = b"APK Sig Block 42";
/// v2 signature scheme block id.
pub const ID_V2: u32 = 0x7109_871a;
/// v3 signature scheme block id.
pub const ID_V3: u32 = 0xf053_68c0;
/// v3.1 signature scheme block id.
pub const ID_V31: u32 = 0x1b93_ad61;
/// Proof-of-rotation (lineage) attribute id inside v3 signed data.
pub const ATTR_LINEAGE: u32 = 0x3ba0_6f8c;
/// Upper bound on records read from one sequence (defence in depth; lengths already bound it).
const MAX_ITEMS: usize = 4096;

/// Name of a known APK Signing Block id, `None` if unknown.
pub fn block_id_name(id: u32) -> Option<&'static str> {
    Some(match id {
        ID_V2 => "APK Signature Scheme v2",
        ID_V3 => "APK Signature Scheme v3",
        ID_V31 => "APK Signature Scheme v3.1",
        0x4272_6577 => "padding (verity alignment)",
        0x6dff_800d => "source stamp v2",
        0x2b09_189e => "source stamp v1",
        0x2146_444e => "Google Play frosting",
        0x5041_4d43 => "dependency info (Play metadata)",
        0x7109_871f => "APK Signature Scheme v4 hint",
        0x504b_4453 => "dependency info (Android Gradle plugin)",
        0x7fe0_6ef8 => "Google Play app-integrity (meta)",
        _ => return None,
    })
}

/// A bounds-checked cursor over bytes; `base` is the file offset of `buf[0]` for messages.
#[derive(Clone, Copy)]
pub(crate) struct Cur<'a> {
    buf: &'a [u8],
    pos: usize,
    base: u64,
}

impl<'a> Cur<'a> {
    pub(crate) fn new(buf: &'a [u8], base: u64) -> Self {
        Cur { buf, pos: 0, base }
    }
    fn offset(&self) -> u64 {
        self.base.saturating_add(self.pos as u64)
    }
    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }
    fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], SigningError> {
        let end = self.pos.checked_add(n);
        match end.and_then(|e| self.buf.get(self.pos..e)) {
            Some(s) => {
                self.pos = self.pos.saturating_add(n);
                Ok(s)
            }
            None => Err(SigningError::Truncated {
                what,
                offset: self.offset(),
                need: n as u64,
                have: self.remaining() as u64,
            }),
        }
    }
    pub(crate) fn u32(&mut self, what: &'static str) -> Result<u32, SigningError> {
        let b = self.take(4, what)?;
        let a: [u8; 4] = b.try_into().map_err(|_| SigningError::Truncated {
            what,
            offset: self.offset(),
            need: 4,
            have: 0,
        })?;
        Ok(u32::from_le_bytes(a))
    }
    pub(crate) fn u64(&mut self, what: &'static str) -> Result<u64, SigningError> {
        let b = self.take(8, what)?;
        let a: [u8; 8] = b.try_into().map_err(|_| SigningError::Truncated {
            what,
            offset: self.offset(),
            need: 8,
            have: 0,
        })?;
        Ok(u64::from_le_bytes(a))
    }
    /// A `u32`-length-prefixed slice, returned as a sub-cursor.
    pub(crate) fn lp(&mut self, what: &'static str) -> Result<Cur<'a>, SigningError> {
        let len = self.u32(what)?;
        let base = self.offset();
        let n = usize::try_from(len).map_err(|_| SigningError::Truncated {
            what,
            offset: base,
            need: u64::from(len),
            have: self.remaining() as u64,
        })?;
        Ok(Cur::new(self.take(n, what)?, base))
    }
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or(&[])
    }
}

/// One id–value pair of the signing block.
pub(crate) struct Pair<'a> {
    pub id: u32,
    pub value: Cur<'a>,
}

/// Locates the signing block before `cd_offset` and splits it into pairs. `Ok(None)` when
/// there is no block (no magic): that is an unsigned-by-v2+ APK, not an anomaly. Pairs read
/// before a broken one are kept; the error of the broken one is pushed to `anomalies`.
pub(crate) fn read_pairs<'a>(
    file: &'a [u8],
    cd_offset: u64,
    anomalies: &mut Vec<SigningError>,
) -> Option<Vec<Pair<'a>>> {
    let cd = usize::try_from(cd_offset).ok()?;
    if cd > file.len() {
        anomalies.push(SigningError::BadCentralDirectoryOffset {
            offset: cd_offset,
            file_len: file.len() as u64,
        });
        return None;
    }
    let footer_start = cd.checked_sub(24)?;
    let footer = file.get(footer_start..cd)?;
    if footer.get(8..24)? != MAGIC {
        return None;
    }
    let mut fc = Cur::new(footer, footer_start as u64);
    let size_footer = fc.u64("signing block size (footer)").ok()?;
    // The block is `size_footer + 8` bytes long and ends at the central directory.
    let start = size_footer
        .checked_add(8)
        .and_then(|total| cd_offset.checked_sub(total))
        .and_then(|s| usize::try_from(s).ok());
    let Some(start) = start else {
        anomalies.push(SigningError::BlockSize {
            offset: footer_start as u64,
            size: size_footer,
            reason: "larger than the bytes before the central directory",
        });
        return None;
    };
    if size_footer < 32 {
        anomalies.push(SigningError::BlockSize {
            offset: footer_start as u64,
            size: size_footer,
            reason: "smaller than its own size field and magic",
        });
        return None;
    }
    let block = file.get(start..cd)?;
    let mut bc = Cur::new(block, start as u64);
    let size_header = bc.u64("signing block size (header)").ok()?;
    if size_header != size_footer {
        anomalies.push(SigningError::SizeMismatch {
            offset: start as u64,
            header: size_header,
            footer: size_footer,
        });
        return None;
    }
    // Pairs lie between the header size field and the footer (size + magic).
    let pairs_len = block.len().saturating_sub(8 + 24);
    let mut pc = match bc.take(pairs_len, "signing block pairs") {
        Ok(p) => Cur::new(p, start as u64 + 8),
        Err(e) => {
            anomalies.push(e);
            return None;
        }
    };
    let mut pairs = Vec::new();
    while !pc.is_empty() {
        if pairs.len() >= MAX_ITEMS {
            anomalies.push(SigningError::TooMany {
                what: "signing block pairs",
                offset: pc.offset(),
            });
            break;
        }
        let at = pc.offset();
        let len = match pc.u64("signing block pair length") {
            Ok(l) => l,
            Err(e) => {
                anomalies.push(e);
                break;
            }
        };
        let n = match usize::try_from(len) {
            Ok(n) if n >= 4 && n <= pc.remaining() => n,
            _ => {
                anomalies.push(SigningError::Truncated {
                    what: "signing block pair",
                    offset: at,
                    need: len,
                    have: pc.remaining() as u64,
                });
                break;
            }
        };
        let vbase = pc.offset();
        let Ok(body) = pc.take(n, "signing block pair") else {
            break;
        };
        let mut vc = Cur::new(body, vbase);
        let Ok(id) = vc.u32("signing block pair id") else {
            break;
        };
        pairs.push(Pair {
            id,
            value: Cur::new(vc.rest(), vbase.saturating_add(4)),
        });
    }
    Some(pairs)
}

/// Certificates and SDK range of one signer of a v2/v3/v3.1 block.
#[derive(Debug, Default)]
pub(crate) struct Signer<'a> {
    /// Certificates DER, first is the signer's.
    pub certs: Vec<&'a [u8]>,
    pub min_sdk: Option<u32>,
    pub max_sdk: Option<u32>,
    /// Lineage certificates (v3 proof-of-rotation attribute), oldest first.
    pub lineage: Vec<&'a [u8]>,
}

/// Reads the signers of a v2 (`v3 == false`) or v3/v3.1 (`v3 == true`) value. Signers read
/// before a broken one are kept.
pub(crate) fn read_signers<'a>(
    value: Cur<'a>,
    v3: bool,
    anomalies: &mut Vec<SigningError>,
) -> Vec<Signer<'a>> {
    let mut out = Vec::new();
    let mut v = value;
    let mut signers = match v.lp("signer sequence") {
        Ok(s) => s,
        Err(e) => {
            anomalies.push(e);
            return out;
        }
    };
    if signers.is_empty() {
        anomalies.push(SigningError::Empty {
            what: "signer sequence",
            offset: signers.offset(),
        });
    }
    while !signers.is_empty() {
        if out.len() >= MAX_ITEMS {
            anomalies.push(SigningError::TooMany {
                what: "signers",
                offset: signers.offset(),
            });
            break;
        }
        match signers
            .lp("signer")
            .and_then(|s| read_signer(s, v3, anomalies))
        {
            Ok(s) => out.push(s),
            Err(e) => {
                anomalies.push(e);
                break;
            }
        }
    }
    out
}

fn read_signer<'a>(
    mut s: Cur<'a>,
    v3: bool,
    anomalies: &mut Vec<SigningError>,
) -> Result<Signer<'a>, SigningError> {
    let mut sd = s.lp("signed data")?;
    let mut signer = Signer::default();
    let _digests = sd.lp("digests")?;
    let mut certs = sd.lp("certificates")?;
    while !certs.is_empty() {
        if signer.certs.len() >= MAX_ITEMS {
            return Err(SigningError::TooMany {
                what: "certificates",
                offset: certs.offset(),
            });
        }
        signer.certs.push(certs.lp("certificate")?.rest());
    }
    if v3 {
        let min = sd.u32("signed-data min SDK")?;
        let max = sd.u32("signed-data max SDK")?;
        signer.min_sdk = Some(min);
        signer.max_sdk = Some(max);
    }
    let mut attrs = sd.lp("additional attributes")?;
    let mut n = 0usize;
    while !attrs.is_empty() {
        n = n.saturating_add(1);
        if n > MAX_ITEMS {
            return Err(SigningError::TooMany {
                what: "attributes",
                offset: attrs.offset(),
            });
        }
        let mut a = attrs.lp("attribute")?;
        let id = a.u32("attribute id")?;
        if v3 && id == ATTR_LINEAGE {
            match read_lineage(a) {
                Ok(l) => signer.lineage = l,
                Err(e) => anomalies.push(e),
            }
        }
    }
    if v3 {
        // The signer-level SDK range (outside the signed data) is what the platform uses.
        let min = s.u32("signer min SDK")?;
        let max = s.u32("signer max SDK")?;
        if signer.min_sdk != Some(min) || signer.max_sdk != Some(max) {
            anomalies.push(SigningError::SdkMismatch { offset: s.offset() });
        }
        signer.min_sdk = Some(min);
        signer.max_sdk = Some(max);
    }
    let _signatures = s.lp("signatures")?;
    let key = s.lp("public key")?;
    if key.is_empty() {
        anomalies.push(SigningError::Empty {
            what: "public key",
            offset: key.offset(),
        });
    }
    if signer.certs.is_empty() {
        anomalies.push(SigningError::Empty {
            what: "certificates",
            offset: sd.offset(),
        });
    }
    Ok(signer)
}

/// `SigningCertificateLineage`: u32 version, then length-prefixed nodes of
/// { lp signed data { lp certificate, u32 sig alg }, u32 flags, u32 sig alg, lp signature }.
fn read_lineage(mut a: Cur<'_>) -> Result<Vec<&[u8]>, SigningError> {
    let _version = a.u32("lineage version")?;
    let mut out = Vec::new();
    while !a.is_empty() {
        if out.len() >= MAX_ITEMS {
            return Err(SigningError::TooMany {
                what: "lineage nodes",
                offset: a.offset(),
            });
        }
        let mut node = a.lp("lineage node")?;
        let mut sd = node.lp("lineage node signed data")?;
        let cert = sd.lp("lineage certificate")?;
        let _alg = sd.u32("lineage signed algorithm")?;
        let _flags = node.u32("lineage flags")?;
        let _sig_alg = node.u32("lineage signature algorithm")?;
        let _sig = node.lp("lineage signature")?;
        out.push(cert.rest());
    }
    Ok(out)
}
