//! APK signer certificates from v1 JAR signatures and the APK Signing Block (v2/v3/v3.1).
//!
//! # What it does
//! [`read_signing`] takes the whole APK bytes, the central directory offset (found by the
//! container layer) and the `META-INF/*.RSA|DSA|EC` blobs, and reports which schemes are
//! present, every distinct signer certificate (one [`Certificate`] per SHA-256, with the
//! schemes it was seen in), non-signer chain certificates, the v3 proof-of-rotation lineage,
//! the v3 SDK range and the ids of other signing-block entries. It **never fails**: every
//! problem becomes a human-readable anomaly string and parsing continues where it can.
//!
//! **No cryptographic verification** is done: digests and signatures are not checked, chains
//! are not validated. The crate reports what the APK *claims*; a tampered APK shows the same
//! facts as a genuine one.
//!
//! # Design
//! * The signing block is read with a small bounds-checked cursor ([`block`]): every
//!   length-prefixed sequence (signers → signed data → digests/certificates/attributes,
//!   signatures, public key) is checked against the bytes of its parent, and item counts
//!   are capped. Certificate slices borrow from the input; only the reported strings are
//!   allocated.
//! * ASN.1 is never hand-rolled. v1 blocks are decoded with RustCrypto's [`cms`] 0.2 (stable,
//!   built on [`der`] 0.7; the 0.3 line is still a release candidate that pulls pre-release
//!   `der`/`spki`) and certificates with `x509-parser` 0.18, which is permissive with the odd
//!   encodings found in real-world APK certificates and exposes raw DER spans (so the
//!   SubjectPublicKeyInfo digest covers the exact input bytes).
//! * Certificate digests are SHA-256/SHA-1 of the certificate DER as stored, which equals
//!   apksigner's "certificate SHA-256 digest". For v1, certificates come out of `cms` as
//!   decoded values and are re-encoded; the crate checks that the re-encoding occurs
//!   byte-for-byte in the blob and reports an anomaly if not (non-DER input).
//! * v1 blocks that are BER rather than DER (indefinite lengths, which Android accepts) are
//!   read leniently with `asn1-rs`, the BER reader `x509-parser` is built on (anomaly noted).
//! * Android pairs `X.RSA` with `X.SF`; when the caller lists `.SF` entries too, an orphan
//!   signature block is reported as an anomaly and its certificates go to `chain`.
//! * Parser types carry no serde; the report layer in `trackscan-scan` serializes.
#![deny(missing_docs)]

pub mod block;
mod cert;
mod v1;

pub use block::block_id_name;
use std::fmt;

/// Error of one parsing step; it carries the file offset where it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigningError {
    /// A certificate's DER does not parse as X.509.
    Certificate {
        /// What the X.509 parser said.
        reason: String,
    },
    /// A field or length-prefixed record runs past the end of its parent.
    Truncated {
        /// Which field.
        what: &'static str,
        /// File offset of the field.
        offset: u64,
        /// Bytes the field needs.
        need: u64,
        /// Bytes left in the parent.
        have: u64,
    },
    /// The signing block's two size fields disagree.
    SizeMismatch {
        /// File offset of the block start.
        offset: u64,
        /// Size field at the start.
        header: u64,
        /// Size field before the magic.
        footer: u64,
    },
    /// The signing block's size is impossible.
    BlockSize {
        /// File offset of the footer size field.
        offset: u64,
        /// The size value.
        size: u64,
        /// Why it is impossible.
        reason: &'static str,
    },
    /// The central directory offset lies past the end of the file.
    BadCentralDirectoryOffset {
        /// The offset given.
        offset: u64,
        /// File length.
        file_len: u64,
    },
    /// A sequence that must not be empty is empty.
    Empty {
        /// Which sequence.
        what: &'static str,
        /// File offset.
        offset: u64,
    },
    /// More items than the reader accepts.
    TooMany {
        /// Which items.
        what: &'static str,
        /// File offset where reading stopped.
        offset: u64,
    },
    /// A v3 signer's SDK range differs between signed data and the signer record.
    SdkMismatch {
        /// File offset after the signer SDK fields.
        offset: u64,
    },
}

impl fmt::Display for SigningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SigningError::Certificate { reason } => {
                write!(f, "certificate does not parse: {reason}")
            }
            SigningError::Truncated {
                what,
                offset,
                need,
                have,
            } => write!(
                f,
                "{what} at offset {offset} needs {need} bytes but only {have} remain"
            ),
            SigningError::SizeMismatch {
                offset,
                header,
                footer,
            } => write!(
                f,
                "APK Signing Block at offset {offset}: size fields disagree ({header} at start, {footer} before magic)"
            ),
            SigningError::BlockSize {
                offset,
                size,
                reason,
            } => write!(
                f,
                "APK Signing Block size {size} (at offset {offset}) is {reason}"
            ),
            SigningError::BadCentralDirectoryOffset { offset, file_len } => write!(
                f,
                "central directory offset {offset} is past the end of the file ({file_len} bytes)"
            ),
            SigningError::Empty { what, offset } => write!(f, "empty {what} at offset {offset}"),
            SigningError::TooMany { what, offset } => {
                write!(f, "too many {what}; stopped at offset {offset}")
            }
            SigningError::SdkMismatch { offset } => write!(
                f,
                "v3 signer before offset {offset}: SDK range differs between signed data and signer"
            ),
        }
    }
}

impl std::error::Error for SigningError {}

/// Which signature schemes are present.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Schemes {
    /// A `META-INF/*.RSA|DSA|EC` signature block is present.
    pub v1: bool,
    /// The signing block has a v2 entry.
    pub v2: bool,
    /// The signing block has a v3 entry.
    pub v3: bool,
    /// The signing block has a v3.1 entry.
    pub v31: bool,
}

/// Facts of one X.509 certificate. Not verified in any way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// SHA-256 of the certificate DER, lower-case hex (apksigner's "certificate SHA-256 digest").
    pub sha256: String,
    /// SHA-1 of the certificate DER, lower-case hex.
    pub sha1: String,
    /// Subject as an RFC 4514 string (most specific RDN first).
    pub subject: String,
    /// Issuer as an RFC 4514 string.
    pub issuer: String,
    /// Serial number, lower-case hex of its unsigned value.
    pub serial: String,
    /// Start of validity, RFC 3339 UTC (`YYYY-MM-DDThh:mm:ssZ`).
    pub not_before: String,
    /// End of validity, RFC 3339 UTC.
    pub not_after: String,
    /// Signature algorithm name (e.g. `sha256WithRSAEncryption`), or its dotted OID.
    pub signature_algorithm: String,
    /// Public key algorithm: `RSA`, `EC`, `DSA`, `Ed25519`, … or the OID's name.
    pub key_algorithm: String,
    /// Key size in bits when known (RSA modulus, EC field, DSA `p`).
    pub key_bits: Option<u32>,
    /// Subject is the Android debug certificate's `CN=Android Debug, O=Android, C=US`.
    pub debug_cert: bool,
    /// Schemes where this certificate was seen: `"v1"`, `"v2"`, `"v3"`, `"v3.1"`.
    pub schemes: Vec<&'static str>,
}

/// Everything known about an APK's signing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SigningInfo {
    /// Schemes present.
    pub schemes: Schemes,
    /// Distinct signer certificates (by SHA-256), in order of first sighting v1, v2, v3, v3.1.
    pub certificates: Vec<Certificate>,
    /// Proof-of-rotation lineage certificates from v3/v3.1 (oldest first, distinct).
    pub lineage: Vec<Certificate>,
    /// Other certificates carried along (v1 chain certificates that sign nothing, v2/v3
    /// intermediate certificates), distinct and not already in `certificates`.
    pub chain: Vec<Certificate>,
    /// Lowest v3 signer min SDK.
    pub v3_min_sdk: Option<u32>,
    /// Highest v3 signer max SDK.
    pub v3_max_sdk: Option<u32>,
    /// Ids of the signing-block entries other than v2/v3/v3.1 (see [`block_id_name`]).
    pub other_blocks: Vec<u32>,
    /// Problems found, human-readable; the caller prefixes the file name.
    pub anomalies: Vec<String>,
}

/// Parses one DER certificate (also used for certificates bundled in an app, for pinning).
pub fn parse_certificate(der: &[u8]) -> Result<Certificate, SigningError> {
    cert::parse(der)
}

/// SHA-256 of the certificate's SubjectPublicKeyInfo DER, as used by OkHttp / network
/// security config pins (`sha256/<base64>`).
pub fn spki_sha256(der: &[u8]) -> Result<[u8; 32], SigningError> {
    cert::spki_sha256(der)
}

/// Adds `der` under `scheme` to `list` (merging by SHA-256); failures become anomalies.
fn add_cert(
    list: &mut Vec<Certificate>,
    der: &[u8],
    scheme: &'static str,
    ctx: &str,
    anomalies: &mut Vec<String>,
) -> Option<String> {
    match cert::parse(der) {
        Ok(mut c) => {
            let sha = c.sha256.clone();
            if let Some(have) = list.iter_mut().find(|h| h.sha256 == c.sha256) {
                if !have.schemes.contains(&scheme) {
                    have.schemes.push(scheme);
                }
            } else {
                c.schemes.push(scheme);
                list.push(c);
            }
            Some(sha)
        }
        Err(e) => {
            anomalies.push(format!("{ctx}: {e}"));
            None
        }
    }
}

/// Reads v1 blocks and the APK Signing Block. Never fails: problems become anomalies.
///
/// `file` is the whole APK, `central_directory_offset` the start of its central directory
/// (from the end-of-central-directory record), `v1_blocks` the `(name, bytes)` of the
/// `META-INF/*.RSA|DSA|EC` entries. The caller may also list the `META-INF/*.SF` entries (their
/// bytes are not read, an empty slice will do): when any `.SF` is listed, a signature block
/// without a `.SF` of the same stem is treated as Android does (ignored: anomaly, and its
/// certificates go to `chain`). Other names are ignored.
pub fn read_signing(
    file: &[u8],
    central_directory_offset: u64,
    v1_blocks: &[(&str, &[u8])],
) -> SigningInfo {
    let mut info = SigningInfo::default();
    let mut chain_der: Vec<(&'static str, Vec<u8>)> = Vec::new();

    // Stems (`META-INF/CERT`) of the `.SF` files the caller listed, if any.
    let sf_stems: Vec<&str> = v1_blocks
        .iter()
        .filter(|(n, _)| v1::is_sf_name(n))
        .filter_map(|(n, _)| n.get(..n.len().saturating_sub(3)))
        .collect();
    for (name, blob) in v1_blocks {
        if !v1::is_v1_block_name(name) {
            continue;
        }
        info.schemes.v1 = true;
        let got = v1::read_block(name, blob);
        info.anomalies.extend(got.anomalies);
        let stem = name.rsplit_once('.').map_or(name.as_ref(), |(s, _)| s);
        if !sf_stems.is_empty() && !sf_stems.contains(&stem) {
            // Android pairs each signature block with its `.SF`; an orphan block signs nothing.
            info.anomalies.push(format!(
                "{name}: no matching .SF file; Android ignores this signature block (its certificates are listed as chain)"
            ));
            chain_der.extend(got.signers.into_iter().map(|d| ("v1", d)));
            chain_der.extend(got.others.into_iter().map(|d| ("v1", d)));
            continue;
        }
        for der in &got.signers {
            add_cert(&mut info.certificates, der, "v1", name, &mut info.anomalies);
        }
        chain_der.extend(got.others.into_iter().map(|d| ("v1", d)));
    }

    let mut errs = Vec::new();
    let pairs = block::read_pairs(file, central_directory_offset, &mut errs);
    let mut lineage_der: Vec<(&'static str, &[u8])> = Vec::new();
    for pair in pairs.unwrap_or_default() {
        let (scheme, v3) = match pair.id {
            block::ID_V2 => {
                info.schemes.v2 = true;
                ("v2", false)
            }
            block::ID_V3 => {
                info.schemes.v3 = true;
                ("v3", true)
            }
            block::ID_V31 => {
                info.schemes.v31 = true;
                ("v3.1", true)
            }
            other => {
                if !info.other_blocks.contains(&other) {
                    info.other_blocks.push(other);
                }
                continue;
            }
        };
        let signers = block::read_signers(pair.value, v3, &mut errs);
        for s in signers {
            let mut certs = s.certs.iter();
            if let Some(first) = certs.next() {
                let ctx = format!("{scheme} signer certificate");
                add_cert(
                    &mut info.certificates,
                    first,
                    scheme,
                    &ctx,
                    &mut info.anomalies,
                );
            }
            chain_der.extend(certs.map(|d| (scheme, d.to_vec())));
            if pair.id == block::ID_V3 {
                if let Some(m) = s.min_sdk {
                    info.v3_min_sdk = Some(info.v3_min_sdk.map_or(m, |x| x.min(m)));
                }
                if let Some(m) = s.max_sdk {
                    info.v3_max_sdk = Some(info.v3_max_sdk.map_or(m, |x| x.max(m)));
                }
            }
            lineage_der.extend(s.lineage.iter().map(|d| (scheme, *d)));
        }
    }
    info.anomalies
        .extend(errs.into_iter().map(|e| format!("APK Signing Block: {e}")));

    for (scheme, der) in lineage_der {
        add_cert(
            &mut info.lineage,
            der,
            scheme,
            "lineage certificate",
            &mut info.anomalies,
        );
    }
    for (scheme, der) in chain_der {
        let mut scratch = Vec::new();
        if let Ok(c) = cert::parse(&der) {
            if info.certificates.iter().any(|h| h.sha256 == c.sha256) {
                continue;
            }
        }
        add_cert(
            &mut info.chain,
            &der,
            scheme,
            "chain certificate",
            &mut scratch,
        );
        info.anomalies.extend(scratch);
    }
    info
}

#[cfg(test)]
mod tests;
