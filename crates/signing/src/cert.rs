//! One X.509 certificate → [`Certificate`] facts (digests, names, validity, algorithms).

use crate::{Certificate, SigningError};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use x509_parser::certificate::X509Certificate;
use x509_parser::objects::{oid2sn, oid_registry};
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey;
use x509_parser::time::ASN1Time;
use x509_parser::x509::X509Name;

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// Parses one DER certificate; the digests cover exactly the certificate's bytes (trailing
/// bytes after the outer SEQUENCE are ignored).
pub(crate) fn parse(der: &[u8]) -> Result<Certificate, SigningError> {
    let (rest, cert) = X509Certificate::from_der(der).map_err(|e| SigningError::Certificate {
        reason: e.to_string(),
    })?;
    let used = der.len().saturating_sub(rest.len());
    let raw = der.get(..used).unwrap_or(der);
    let sha256 = hex(&Sha256::digest(raw));
    let sha1 = hex(&Sha1::digest(raw));
    let tbs = &cert.tbs_certificate;
    let (key_algorithm, key_bits) = key_info(&cert);
    Ok(Certificate {
        sha256,
        sha1,
        subject: rfc4514(tbs.subject()),
        issuer: rfc4514(tbs.issuer()),
        serial: serial_hex(tbs.raw_serial()),
        not_before: rfc3339(&tbs.validity().not_before),
        not_after: rfc3339(&tbs.validity().not_after),
        signature_algorithm: oid_name(&cert.signature_algorithm.algorithm),
        key_algorithm,
        key_bits,
        debug_cert: is_debug_name(tbs.subject()),
        schemes: Vec::new(),
    })
}

/// SHA-256 of the SubjectPublicKeyInfo DER of a certificate.
pub(crate) fn spki_sha256(der: &[u8]) -> Result<[u8; 32], SigningError> {
    let (_, cert) = X509Certificate::from_der(der).map_err(|e| SigningError::Certificate {
        reason: e.to_string(),
    })?;
    Ok(Sha256::digest(cert.tbs_certificate.subject_pki.raw).into())
}

fn oid_name(oid: &x509_parser::der_parser::oid::Oid<'_>) -> String {
    match oid2sn(oid, oid_registry()) {
        Ok(s) => s.to_string(),
        Err(_) => oid.to_id_string(),
    }
}

/// Serial as lower-case hex of the unsigned big-endian value (leading zero bytes dropped).
fn serial_hex(raw: &[u8]) -> String {
    let start = raw.iter().position(|&b| b != 0).unwrap_or(raw.len());
    let trimmed = raw.get(start..).unwrap_or(&[]);
    if trimmed.is_empty() {
        "0".to_string()
    } else {
        hex(trimmed)
    }
}

fn rfc3339(t: &ASN1Time) -> String {
    let d = t.to_datetime();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        d.year(),
        u8::from(d.month()),
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

/// Short attribute type name used in RFC 4514 strings.
fn attr_name(oid: &x509_parser::der_parser::oid::Oid<'_>) -> String {
    let id = oid.to_id_string();
    let short = match id.as_str() {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "STREET",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        "1.2.840.113549.1.9.1" => "emailAddress",
        "2.5.4.5" => "serialNumber",
        "2.5.4.4" => "SN",
        "2.5.4.42" => "GN",
        "2.5.4.12" => "title",
        _ => return id,
    };
    short.to_string()
}

fn escape_value(v: &str, out: &mut String) {
    let n = v.chars().count();
    for (i, c) in v.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (i == 0 && (c == ' ' || c == '#'))
            || (i + 1 == n && c == ' ');
        if c == '\0' {
            out.push_str("\\00");
            continue;
        }
        if special {
            out.push('\\');
        }
        out.push(c);
    }
}

/// RFC 4514 string: RDNs in reverse order of encoding, `,` between RDNs, `+` inside one.
/// Values that are not strings are written as `#` + hex of their DER.
pub(crate) fn rfc4514(name: &X509Name<'_>) -> String {
    let mut out = String::new();
    let rdns: Vec<_> = name.iter_rdn().collect();
    for (i, rdn) in rdns.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, atv) in rdn.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            out.push_str(&attr_name(atv.attr_type()));
            out.push('=');
            match atv.as_str() {
                Ok(s) => escape_value(s, &mut out),
                Err(_) => {
                    out.push('#');
                    out.push_str(&hex(atv.attr_value().data));
                }
            }
        }
    }
    out
}

/// `CN=Android Debug, O=Android, C=US`, compared attribute by attribute.
fn is_debug_name(name: &X509Name<'_>) -> bool {
    let mut found = Vec::new();
    for rdn in name.iter_rdn() {
        for atv in rdn.iter() {
            let Ok(v) = atv.as_str() else { return false };
            found.push((atv.attr_type().to_id_string(), v.to_string()));
        }
    }
    found.sort();
    let mut want = vec![
        ("2.5.4.3".to_string(), "Android Debug".to_string()),
        ("2.5.4.10".to_string(), "Android".to_string()),
        ("2.5.4.6".to_string(), "US".to_string()),
    ];
    want.sort();
    found == want
}

fn key_info(cert: &X509Certificate<'_>) -> (String, Option<u32>) {
    let spki = &cert.tbs_certificate.subject_pki;
    let oid = spki.algorithm.algorithm.to_id_string();
    let name = match oid.as_str() {
        "1.2.840.113549.1.1.1" => "RSA".to_string(),
        "1.2.840.10045.2.1" => "EC".to_string(),
        "1.2.840.10040.4.1" => "DSA".to_string(),
        "1.3.101.112" => "Ed25519".to_string(),
        "1.3.101.113" => "Ed448".to_string(),
        _ => oid_name(&spki.algorithm.algorithm),
    };
    let bits = match spki.parsed() {
        Ok(PublicKey::RSA(k)) => u32::try_from(k.key_size()).ok(),
        Ok(PublicKey::EC(p)) => u32::try_from(p.key_size()).ok(),
        Ok(PublicKey::DSA(_)) => spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| dsa_p_bits(p.as_bytes())),
        _ => match oid.as_str() {
            "1.3.101.112" => Some(256),
            "1.3.101.113" => Some(456),
            _ => None,
        },
    };
    (name, bits)
}

/// Bit length of `p` in DSA parameters `SEQUENCE { p INTEGER, q INTEGER, g INTEGER }`
/// (`content` is the SEQUENCE's content octets).
fn dsa_p_bits(content: &[u8]) -> Option<u32> {
    use der::{Decode, Reader, SliceReader};
    let mut r = SliceReader::new(content).ok()?;
    let p = der::asn1::UintRef::decode(&mut r).ok()?;
    let _ = r.remaining_len();
    let b = p.as_bytes();
    let first = *b.first()?;
    let len = u32::try_from(b.len()).ok()?;
    Some(
        len.saturating_sub(1)
            .saturating_mul(8)
            .saturating_add(8 - first.leading_zeros()),
    )
}
