//! Certificates and keystores bundled in `assets/` and `res/raw/`.

use crate::{b64, BundledCert, BundledKind};

/// Most certificates read from one PEM bundle (a CA bundle may hold a few hundred).
const MAX_PEM_CERTS: usize = 1000;

const CERT_EXTS: &[&str] = &["cer", "crt", "pem", "der", "cert"];
const KEYSTORE_EXTS: &[(&str, &str)] = &[
    ("bks", "bks"),
    ("p12", "pkcs12"),
    ("pfx", "pkcs12"),
    ("jks", "jks"),
    ("jceks", "jceks"),
    ("keystore", "unknown"),
    ("truststore", "unknown"),
];

/// Whether a file is where apps keep trust material.
pub(crate) fn in_scope(name: &str) -> bool {
    name.starts_with("assets/") || name.starts_with("res/raw")
}

fn extension(name: &str) -> Option<String> {
    let base = name.rsplit('/').next().unwrap_or(name);
    let (_, ext) = base.rsplit_once('.')?;
    Some(ext.to_ascii_lowercase())
}

/// Keystore format sniffed from the first bytes.
fn sniff_keystore(b: &[u8]) -> Option<&'static str> {
    match b.get(..4)? {
        [0xfe, 0xed, 0xfe, 0xed] => return Some("jks"),
        [0xce, 0xce, 0xce, 0xce] => return Some("jceks"),
        // BKS: version 1 or 2, then a salt length (20 in practice).
        [0, 0, 0, 1 | 2] => {
            let salt = u32::from_be_bytes(b.get(4..8)?.try_into().ok()?);
            if (1..=64).contains(&salt) {
                return Some("bks");
            }
        }
        _ => {}
    }
    // PKCS#12: SEQUENCE { INTEGER 3, ... }.
    let (hdr, rest) = der_header(b)?;
    if hdr == 0x30 && rest.get(..3) == Some(&[0x02, 0x01, 0x03]) {
        return Some("pkcs12");
    }
    None
}

/// Tag and content of a DER TLV at the start (long lengths up to 4 bytes).
fn der_header(b: &[u8]) -> Option<(u8, &[u8])> {
    let tag = *b.first()?;
    let l0 = *b.get(1)?;
    let (len, start) = if l0 < 0x80 {
        (usize::from(l0), 2usize)
    } else {
        let n = usize::from(l0 & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = len
                .checked_mul(256)?
                .checked_add(usize::from(*b.get(2 + i)?))?;
        }
        (len, 2 + n)
    };
    let end = start.checked_add(len)?;
    Some((tag, b.get(start..end.min(b.len()))?))
}

/// A DER certificate: SEQUENCE whose first element is a SEQUENCE (TBSCertificate).
fn looks_like_der_cert(b: &[u8]) -> bool {
    matches!(der_header(b), Some((0x30, rest)) if rest.first() == Some(&0x30))
}

const PEM_BEGIN: &str = "-----BEGIN CERTIFICATE-----";
const PEM_END: &str = "-----END CERTIFICATE-----";

fn is_pem(b: &[u8]) -> bool {
    b.windows(PEM_BEGIN.len())
        .take(1 << 16)
        .any(|w| w == PEM_BEGIN.as_bytes())
}

/// The DER blocks of a PEM file (undecodable ones reported).
fn pem_blocks(name: &str, b: &[u8], anomalies: &mut Vec<String>) -> Vec<Vec<u8>> {
    let text = String::from_utf8_lossy(b);
    let mut out = Vec::new();
    let mut rest: &str = &text;
    let mut i = 0usize;
    while let Some(start) = rest.find(PEM_BEGIN) {
        if out.len() >= MAX_PEM_CERTS {
            anomalies.push(format!(
                "{name}: more than {MAX_PEM_CERTS} PEM certificates; rest ignored"
            ));
            break;
        }
        let body_start = start + PEM_BEGIN.len();
        let after = rest.get(body_start..).unwrap_or_default();
        let Some(end) = after.find(PEM_END) else {
            anomalies.push(format!("{name}: PEM certificate {i} has no END line"));
            break;
        };
        let body: String = after
            .get(..end)
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        match b64::decode(&body) {
            Ok(der) => out.push(der),
            Err(e) => anomalies.push(format!("{name}: PEM certificate {i}: {e}")),
        }
        i += 1;
        rest = after.get(end + PEM_END.len()..).unwrap_or_default();
    }
    out
}

fn certificate(
    name: &str,
    format: &'static str,
    index: usize,
    der: &[u8],
    anomalies: &mut Vec<String>,
) -> BundledCert {
    let mut c = BundledCert {
        file: name.to_string(),
        kind: BundledKind::Certificate,
        format,
        index,
        subject: None,
        issuer: None,
        not_after: None,
        cert_sha256: None,
        spki_sha256: None,
    };
    match trackscan_signing::parse_certificate(der) {
        Ok(parsed) => {
            c.subject = Some(parsed.subject);
            c.issuer = Some(parsed.issuer);
            c.not_after = Some(parsed.not_after);
            c.cert_sha256 = Some(parsed.sha256);
        }
        Err(e) => anomalies.push(format!("{name}: certificate {index}: {e}")),
    }
    if c.cert_sha256.is_some() {
        match trackscan_signing::spki_sha256(der) {
            Ok(d) => c.spki_sha256 = Some(b64::encode(&d)),
            Err(e) => anomalies.push(format!("{name}: certificate {index}: public key: {e}")),
        }
    }
    c
}

fn keystore(name: &str, format: &'static str) -> BundledCert {
    BundledCert {
        file: name.to_string(),
        kind: BundledKind::Keystore,
        format,
        index: 0,
        subject: None,
        issuer: None,
        not_after: None,
        cert_sha256: None,
        spki_sha256: None,
    }
}

/// Lists every bundled certificate/keystore of `files`.
pub(crate) fn collect(files: &[(String, &[u8])], anomalies: &mut Vec<String>) -> Vec<BundledCert> {
    let mut out = Vec::new();
    for (name, bytes) in files.iter().filter(|(n, _)| in_scope(n)) {
        let ext = extension(name);
        let ext = ext.as_deref();
        if let Some(&(_, fmt)) = KEYSTORE_EXTS.iter().find(|(e, _)| Some(*e) == ext) {
            let fmt = if fmt == "unknown" {
                sniff_keystore(bytes).unwrap_or("unknown")
            } else {
                fmt
            };
            out.push(keystore(name, fmt));
            continue;
        }
        let declared_cert = ext.is_some_and(|e| CERT_EXTS.contains(&e));
        if is_pem(bytes) {
            let blocks = pem_blocks(name, bytes, anomalies);
            if blocks.is_empty() {
                out.push(certificate(name, "pem", 0, &[], anomalies));
            }
            for (i, der) in blocks.iter().enumerate() {
                out.push(certificate(name, "pem", i, der, anomalies));
            }
        } else if looks_like_der_cert(bytes) {
            out.push(certificate(name, "der", 0, bytes, anomalies));
        } else if let Some(fmt) = sniff_keystore(bytes) {
            out.push(keystore(name, fmt));
        } else if declared_cert {
            anomalies.push(format!(
                "{name}: named like a certificate but neither PEM nor DER"
            ));
            out.push(certificate(name, "unknown", 0, &[], &mut Vec::new()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::test_cert_der;

    fn run(files: &[(String, &[u8])]) -> (Vec<BundledCert>, Vec<String>) {
        let mut a = Vec::new();
        let c = collect(files, &mut a);
        (c, a)
    }

    #[test]
    fn der_and_pem_certificates() {
        let der = test_cert_der();
        let pem = format!(
            "junk\n{PEM_BEGIN}\n{}\n{PEM_END}\n{PEM_BEGIN}\n{}\n{PEM_END}\n",
            b64::encode(&der),
            b64::encode(&der)
        );
        let files = vec![
            ("res/raw/ca.der".to_string(), der.as_slice()),
            ("assets/bundle.pem".to_string(), pem.as_bytes()),
            ("assets/noext".to_string(), der.as_slice()),
            ("res/xml/ignored.der".to_string(), der.as_slice()),
        ];
        let (c, a) = run(&files);
        assert!(a.is_empty(), "{a:?}");
        assert_eq!(c.len(), 4);
        let spki = b64::encode(&trackscan_signing::spki_sha256(&der).unwrap());
        for x in &c {
            assert_eq!(x.kind, BundledKind::Certificate);
            assert_eq!(x.spki_sha256.as_deref(), Some(spki.as_str()));
            assert!(x.subject.is_some());
        }
        assert_eq!((c[1].format, c[1].index, c[2].index), ("pem", 0, 1));
    }

    #[test]
    fn keystores_by_extension_and_magic() {
        let bks = [0u8, 0, 0, 1, 0, 0, 0, 20, 1, 2, 3];
        let jks = [0xfeu8, 0xed, 0xfe, 0xed, 0, 0, 0, 2];
        let p12 = [0x30u8, 0x03, 0x02, 0x01, 0x03];
        let files = vec![
            ("res/raw/cacerts".to_string(), &bks[..]),
            ("assets/trust.keystore".to_string(), &jks[..]),
            ("assets/client.p12".to_string(), &b"whatever"[..]),
            ("assets/x".to_string(), &p12[..]),
            ("assets/readme.txt".to_string(), &b"hello"[..]),
        ];
        let (c, a) = run(&files);
        assert!(a.is_empty(), "{a:?}");
        let got: Vec<(&str, &str)> = c.iter().map(|x| (x.file.as_str(), x.format)).collect();
        assert_eq!(
            got,
            [
                ("res/raw/cacerts", "bks"),
                ("assets/trust.keystore", "jks"),
                ("assets/client.p12", "pkcs12"),
                ("assets/x", "pkcs12"),
            ]
        );
        assert!(c.iter().all(|x| x.kind == BundledKind::Keystore));
    }

    #[test]
    fn broken_certificates_are_anomalies() {
        let mut der = test_cert_der();
        der.truncate(der.len() / 2);
        let bad_pem = format!("{PEM_BEGIN}\n@@@@\n{PEM_END}\n{PEM_BEGIN}\nAAAA");
        let files = vec![
            ("assets/half.der".to_string(), der.as_slice()),
            ("assets/bad.pem".to_string(), bad_pem.as_bytes()),
            ("res/raw/text.crt".to_string(), &b"not a cert"[..]),
        ];
        let (c, a) = run(&files);
        assert_eq!(c.len(), 3, "{c:?}");
        assert!(c.iter().all(|x| x.spki_sha256.is_none()));
        assert!(
            a.iter()
                .any(|x| x.starts_with("assets/half.der: certificate 0:")),
            "{a:?}"
        );
        assert!(
            a.iter()
                .any(|x| x.contains("assets/bad.pem: PEM certificate 0: invalid base64")),
            "{a:?}"
        );
        assert!(
            a.iter()
                .any(|x| x.contains("assets/bad.pem: PEM certificate 1 has no END line")),
            "{a:?}"
        );
        assert!(
            a.iter()
                .any(|x| x.starts_with("res/raw/text.crt: named like a certificate")),
            "{a:?}"
        );
    }
}
