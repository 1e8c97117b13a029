//! v1 (JAR) signature blocks: CMS `SignedData` in `META-INF/*.RSA|DSA|EC`.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::{Decode, Encode};
use x509_parser::asn1_rs::{Any, Class, FromBer};
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

/// What one v1 block yielded: DER of signer certificates, of the other (chain) certificates,
/// and anomalies.
#[derive(Debug, Default)]
pub(crate) struct V1Certs {
    pub signers: Vec<Vec<u8>>,
    pub others: Vec<Vec<u8>>,
    pub anomalies: Vec<String>,
}

/// Largest v1 blob whose certificates are checked to occur byte-for-byte in it.
const MAX_CHECKED_BLOB: usize = 64 * 1024;

/// OID of `id-signedData` (1.2.840.113549.1.7.2).
const ID_SIGNED_DATA: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");

/// True for `META-INF/<name>.RSA|DSA|EC` (case-insensitive, directly in META-INF).
pub(crate) fn is_v1_block_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("meta-inf/") else {
        return false;
    };
    !rest.contains('/')
        && (rest.ends_with(".rsa") || rest.ends_with(".dsa") || rest.ends_with(".ec"))
}

/// True for `META-INF/<name>.SF` (directly in META-INF; case-insensitive prefix and suffix).
pub(crate) fn is_sf_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower
        .strip_prefix("meta-inf/")
        .is_some_and(|rest| !rest.contains('/') && rest.ends_with(".sf"))
}

/// `bytes` without leading zero bytes.
fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or(&[])
}

/// Finds `needle` in `hay` (used to confirm a re-encoded certificate is byte-identical).
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Reads the certificates of one PKCS#7 blob.
pub(crate) fn read_block(name: &str, blob: &[u8]) -> V1Certs {
    let mut out = V1Certs::default();
    let ci = match ContentInfo::from_der(blob) {
        Ok(ci) => ci,
        Err(e) => {
            // Some signers emit BER (indefinite lengths), which Android accepts.
            if let Some(ber) = read_ber(blob) {
                out.anomalies.push(format!(
                    "{name}: PKCS#7 block is BER, not DER ({e}); read leniently"
                ));
                if ber.unmatched > 0 {
                    out.anomalies.push(format!(
                        "{name}: {} SignerInfo(s) match no certificate in the block",
                        ber.unmatched
                    ));
                }
                out.signers = ber.signers;
                out.others = ber.others;
                if out.signers.is_empty() {
                    out.anomalies
                        .push(format!("{name}: SignedData carries no certificate"));
                }
                return out;
            }
            out.anomalies
                .push(format!("{name}: not a DER CMS ContentInfo: {e}"));
            return out;
        }
    };
    if ci.content_type != ID_SIGNED_DATA {
        out.anomalies.push(format!(
            "{name}: content type {} is not signedData",
            ci.content_type
        ));
        return out;
    }
    let sd: SignedData = match ci.content.decode_as() {
        Ok(sd) => sd,
        Err(e) => {
            out.anomalies
                .push(format!("{name}: SignedData does not decode: {e}"));
            return out;
        }
    };
    let certs: Vec<&x509_cert::Certificate> = sd
        .certificates
        .as_ref()
        .map(|set| {
            set.0
                .iter()
                .filter_map(|c| match c {
                    CertificateChoices::Certificate(c) => Some(c),
                    CertificateChoices::Other(_) => None,
                })
                .collect()
        })
        .unwrap_or_default();
    if certs.is_empty() {
        out.anomalies
            .push(format!("{name}: SignedData carries no certificate"));
        return out;
    }
    let mut is_signer = vec![false; certs.len()];
    let mut unmatched = 0usize;
    for si in sd.signer_infos.0.iter() {
        let hit = match &si.sid {
            SignerIdentifier::IssuerAndSerialNumber(ias) => {
                let want = strip_zeros(ias.serial_number.as_bytes());
                let same_serial = |c: &&&x509_cert::Certificate| {
                    strip_zeros(c.tbs_certificate.serial_number.as_bytes()) == want
                };
                // Exact issuer + serial (serials compared by value: real signers write a
                // positive serial without its leading 0x00 in one place and with it in the
                // other); else the only certificate with that serial.
                certs
                    .iter()
                    .position(|c| c.tbs_certificate.issuer == ias.issuer && same_serial(&c))
                    .or_else(|| {
                        let mut it = certs.iter().enumerate().filter(|(_, c)| same_serial(c));
                        match (it.next(), it.next()) {
                            (Some((i, _)), None) => Some(i),
                            _ => None,
                        }
                    })
            }
            SignerIdentifier::SubjectKeyIdentifier(_) => None,
        };
        match hit.and_then(|i| is_signer.get_mut(i)) {
            Some(flag) => *flag = true,
            None => unmatched = unmatched.saturating_add(1),
        }
    }
    if unmatched > 0 {
        out.anomalies.push(format!(
            "{name}: {unmatched} SignerInfo(s) match no certificate in the block"
        ));
    }
    let none_marked = !is_signer.iter().any(|&b| b);
    for (cert, signer) in certs.iter().zip(is_signer) {
        let der = match cert.to_der() {
            Ok(d) => d,
            Err(e) => {
                out.anomalies
                    .push(format!("{name}: certificate does not re-encode: {e}"));
                continue;
            }
        };
        // The byte-identity check is a linear scan: bounded to keep hostile blobs cheap.
        if blob.len() <= MAX_CHECKED_BLOB && !contains(blob, &der) {
            out.anomalies.push(format!(
                "{name}: certificate is not canonical DER in the block; digests cover its re-encoding"
            ));
        }
        // Without a matching SignerInfo every certificate counts as a signer's.
        if signer || none_marked {
            out.signers.push(der);
        } else {
            out.others.push(der);
        }
    }
    out
}

/// Result of the lenient BER reading.
struct Ber {
    signers: Vec<Vec<u8>>,
    others: Vec<Vec<u8>>,
    unmatched: usize,
}

/// Reads the next BER TLV of `input`: (rest, value, whole TLV bytes).
fn next_tlv(input: &[u8]) -> Option<(&[u8], Any<'_>, &[u8])> {
    let (rest, any) = Any::from_ber(input).ok()?;
    let used = input.len().checked_sub(rest.len())?;
    Some((rest, any, input.get(..used)?))
}

/// Lenient reading of a BER `ContentInfo { signedData }` with `asn1-rs` (the BER reader under
/// `x509-parser`): certificates from `[0] IMPLICIT` and signer identification from the
/// SignerInfos' issuer + serial. `None` if the structure is not recognisable.
fn read_ber(blob: &[u8]) -> Option<Ber> {
    const MAX_FIELDS: usize = 16;
    let (_, ci, _) = next_tlv(blob)?;
    let (rest, oid, _) = next_tlv(ci.data)?;
    if oid.data != [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02] {
        return None;
    }
    let (_, wrapped, _) = next_tlv(rest)?;
    let (_, sd, _) = next_tlv(wrapped.data)?;
    let mut rest = sd.data;
    let mut certs_content: &[u8] = &[];
    let mut signer_infos: &[u8] = &[];
    for _ in 0..MAX_FIELDS {
        if rest.is_empty() {
            break;
        }
        let (r, item, _) = next_tlv(rest)?;
        if item.header.class() == Class::ContextSpecific && item.header.tag().0 == 0 {
            certs_content = item.data;
        } else if item.header.class() == Class::Universal && item.header.tag().0 == 17 {
            // digestAlgorithms comes first and signerInfos last: keep the last SET.
            signer_infos = item.data;
        }
        rest = r;
    }
    let mut certs: Vec<(&[u8], X509Certificate<'_>)> = Vec::new();
    let mut rest = certs_content;
    while !rest.is_empty() && certs.len() < 1024 {
        let (r, _, raw) = next_tlv(rest)?;
        if let Ok((_, c)) = X509Certificate::from_der(raw) {
            certs.push((raw, c));
        }
        rest = r;
    }
    let mut is_signer = vec![false; certs.len()];
    let mut unmatched = 0usize;
    let mut rest = signer_infos;
    let mut n = 0usize;
    while !rest.is_empty() && n < 1024 {
        n = n.saturating_add(1);
        let (r, si, _) = next_tlv(rest)?;
        rest = r;
        let hit = (|| {
            let (after_version, _, _) = next_tlv(si.data)?;
            let (_, sid, _) = next_tlv(after_version)?;
            let (after_issuer, _, issuer_raw) = next_tlv(sid.data)?;
            let (_, serial, _) = next_tlv(after_issuer)?;
            let want = strip_zeros(serial.data);
            certs.iter().position(|(_, c)| {
                c.tbs_certificate.issuer.as_raw() == issuer_raw
                    && strip_zeros(c.tbs_certificate.raw_serial()) == want
            })
        })();
        match hit.and_then(|i| is_signer.get_mut(i)) {
            Some(f) => *f = true,
            None => unmatched = unmatched.saturating_add(1),
        }
    }
    let none_marked = !is_signer.iter().any(|&b| b);
    let mut out = Ber {
        signers: Vec::new(),
        others: Vec::new(),
        unmatched,
    };
    for ((raw, _), signer) in certs.iter().zip(is_signer) {
        if signer || none_marked {
            out.signers.push(raw.to_vec());
        } else {
            out.others.push(raw.to_vec());
        }
    }
    Some(out)
}
