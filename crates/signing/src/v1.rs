//! v1 (JAR) signature blocks: CMS `SignedData` in `META-INF/*.RSA|DSA|EC`.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::{Decode, Encode};

/// What one v1 block yielded: DER of signer certificates, of the other (chain) certificates,
/// and anomalies.
#[derive(Debug, Default)]
pub(crate) struct V1Certs {
    pub signers: Vec<Vec<u8>>,
    pub others: Vec<Vec<u8>>,
    pub anomalies: Vec<String>,
}

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
        if !contains(blob, &der) {
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
