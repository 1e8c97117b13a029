//! Unit, hostile-input, property and corpus tests.
//!
//! Test data in `testdata/` was made once with OpenSSL 3 and is embedded as bytes:
//! * `debug.der`: `openssl req -x509 -newkey rsa:2048 -nodes -subj "/C=US/O=Android/CN=Android Debug" -days 10950 -set_serial 1 -outform DER`
//! * `ca.der`: P-256 self-signed `/C=DE/O=Test CA/CN=Trackscan Test Root`, serial 0x0badc0de
//! * `leaf.der`: RSA-2048 `/C=FR/O=Example, Inc./CN=leaf signer`, serial 0x1234, issued by `ca`
//! * `chain.p7`: `openssl cms -sign -binary -noattr -signer leaf.pem -certfile ca.pem -outform DER`
//!   over a one-line `.SF` (detached content absent), carrying leaf + ca; the signer is leaf.
//! * `chain_ber.p7`: the same command with `-stream`, which makes indefinite-length BER.

use super::*;
use proptest::prelude::*;

const DEBUG: &[u8] = include_bytes!("testdata/debug.der");
const CA: &[u8] = include_bytes!("testdata/ca.der");
const LEAF: &[u8] = include_bytes!("testdata/leaf.der");
const CHAIN_P7: &[u8] = include_bytes!("testdata/chain.p7");
const CHAIN_BER_P7: &[u8] = include_bytes!("testdata/chain_ber.p7");
const LEAF_SHA256: &str = "b61e1284a51fdf6acda5d7e24bbde065b06a67a2681bebdddcffd04ddb45dc86";
const CA_SHA256: &str = "ebc2abaf0c0212871a88493073fd71add7a8185686a38b1365c6155cacbc0a9b";
const DEBUG_SHA256: &str = "ea75ddb0a8af4b702a05ac7c112c1468b2f6cde539ba68fb9e8b0b83b4e20e1d";

fn lp(body: &[u8]) -> Vec<u8> {
    let mut v = (body.len() as u32).to_le_bytes().to_vec();
    v.extend_from_slice(body);
    v
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// A v2 (`sdk == None`) or v3 signer record carrying `certs`, with optional attributes.
fn signer(certs: &[&[u8]], sdk: Option<(u32, u32)>, attrs: &[u8]) -> Vec<u8> {
    let digests = lp(&lp(&cat(&[&0x0103u32.to_le_bytes(), &lp(&[7u8; 32])])));
    let cert_seq: Vec<u8> = certs.iter().flat_map(|c| lp(c)).collect();
    let mut sd = cat(&[&digests, &lp(&cert_seq)]);
    if let Some((min, max)) = sdk {
        sd.extend_from_slice(&min.to_le_bytes());
        sd.extend_from_slice(&max.to_le_bytes());
    }
    sd.extend_from_slice(&lp(attrs));
    let sigs = lp(&lp(&cat(&[&0x0103u32.to_le_bytes(), &lp(&[9u8; 64])])));
    let mut s = lp(&sd);
    if let Some((min, max)) = sdk {
        s.extend_from_slice(&min.to_le_bytes());
        s.extend_from_slice(&max.to_le_bytes());
    }
    s.extend_from_slice(&sigs);
    s.extend_from_slice(&lp(&[1, 2, 3, 4]));
    s
}

fn scheme_value(signers: &[Vec<u8>]) -> Vec<u8> {
    let all: Vec<u8> = signers.iter().flat_map(|s| lp(s)).collect();
    lp(&all)
}

/// The whole signing block for `pairs`.
fn block(pairs: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (id, v) in pairs {
        body.extend_from_slice(&((v.len() + 4) as u64).to_le_bytes());
        body.extend_from_slice(&id.to_le_bytes());
        body.extend_from_slice(v);
    }
    let size = (body.len() + 8 + 16) as u64;
    cat(&[
        &size.to_le_bytes(),
        &body,
        &size.to_le_bytes(),
        block::MAGIC,
    ])
}

/// A fake APK: some "entries", the block, then a pretend central directory.
fn apk(block: &[u8]) -> (Vec<u8>, u64) {
    let mut f = b"PK\x03\x04 local entries ...".to_vec();
    f.extend_from_slice(block);
    let cd = f.len() as u64;
    f.extend_from_slice(b"PK\x01\x02 central directory ... PK\x05\x06");
    (f, cd)
}

fn lineage_attr(certs: &[&[u8]]) -> Vec<u8> {
    let mut v = 0x3ba0_6f8cu32.to_le_bytes().to_vec();
    v.extend_from_slice(&1u32.to_le_bytes());
    for c in certs {
        let sd = cat(&[&lp(c), &0x0103u32.to_le_bytes()]);
        let node = cat(&[
            &lp(&sd),
            &0u32.to_le_bytes(),
            &0x0103u32.to_le_bytes(),
            &lp(&[5u8; 16]),
        ]);
        v.extend_from_slice(&lp(&node));
    }
    lp(&v)
}

#[test]
fn certificate_facts() {
    let c = parse_certificate(LEAF).unwrap();
    assert_eq!(c.sha256, LEAF_SHA256);
    assert_eq!(c.sha1, "cdf44de2f4bbf90637889bc1a3eafc5a9f80b59a");
    assert_eq!(c.subject, "CN=leaf signer,O=Example\\, Inc.,C=FR");
    assert_eq!(c.issuer, "CN=Trackscan Test Root,O=Test CA,C=DE");
    assert_eq!(c.serial, "1234");
    assert_eq!(c.not_before, "2026-11-23T16:47:49Z");
    assert_eq!(c.not_after, "2027-11-23T16:47:49Z");
    assert_eq!(c.signature_algorithm, "ecdsa-with-SHA256");
    assert_eq!(c.key_algorithm, "RSA");
    assert_eq!(c.key_bits, Some(2048));
    assert!(!c.debug_cert);
    let ca = parse_certificate(CA).unwrap();
    assert_eq!(ca.sha256, CA_SHA256);
    assert_eq!(ca.key_algorithm, "EC");
    assert_eq!(ca.key_bits, Some(256));
    assert_eq!(ca.serial, "0badc0de");
}

#[test]
fn debug_certificate_detected() {
    let c = parse_certificate(DEBUG).unwrap();
    assert_eq!(c.sha256, DEBUG_SHA256);
    assert_eq!(c.subject, "CN=Android Debug,O=Android,C=US");
    assert!(c.debug_cert);
    assert_eq!(c.serial, "01");
    assert_eq!(c.not_after, "2056-11-15T16:47:48Z");
    assert_eq!(c.signature_algorithm, "sha256WithRSAEncryption");
}

#[test]
fn spki_digest_matches_openssl() {
    // openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | sha256sum
    assert_eq!(
        cert::hex(&spki_sha256(LEAF).unwrap()),
        "fd6c52b3aeefa76443050e8018a36be07ebffd553da4856b633fe7fa51d211a8"
    );
    assert!(spki_sha256(b"\x30\x03\x02\x01\x01").is_err());
}

#[test]
fn garbage_certificate_is_error() {
    let e = parse_certificate(&[0x30, 0x82, 0xff, 0xff, 0]).unwrap_err();
    assert!(e.to_string().contains("certificate does not parse"));
    assert!(parse_certificate(&[]).is_err());
    assert!(parse_certificate(LEAF.get(..100).unwrap()).is_err());
}

#[test]
fn v1_signer_and_chain() {
    let info = read_signing(b"no block here", 5, &[("META-INF/CERT.RSA", CHAIN_P7)]);
    assert!(info.schemes.v1 && !info.schemes.v2 && !info.schemes.v3);
    assert_eq!(info.certificates.len(), 1, "{info:?}");
    assert_eq!(info.certificates[0].sha256, LEAF_SHA256);
    assert_eq!(info.certificates[0].schemes, vec!["v1"]);
    assert_eq!(info.chain.len(), 1);
    assert_eq!(info.chain[0].sha256, CA_SHA256);
    assert!(info.anomalies.is_empty(), "{:?}", info.anomalies);
}

#[test]
fn v1_block_without_sf_is_ignored_when_sf_listed() {
    let blocks: [(&str, &[u8]); 3] = [
        ("META-INF/A.SF", b""),
        ("META-INF/A.RSA", CHAIN_P7),
        ("META-INF/B.RSA", CHAIN_P7),
    ];
    let info = read_signing(&[], 0, &blocks);
    assert_eq!(info.certificates.len(), 1);
    assert_eq!(info.anomalies.len(), 1, "{:?}", info.anomalies);
    assert!(info.anomalies[0].starts_with("META-INF/B.RSA: no matching .SF"));
    let orphan: [(&str, &[u8]); 2] = [("META-INF/A.SF", b""), ("META-INF/B.RSA", CHAIN_P7)];
    let info = read_signing(&[], 0, &orphan);
    assert!(info.schemes.v1 && info.certificates.is_empty());
    assert_eq!(info.chain.len(), 2);
    assert!(info.anomalies[0].contains("no matching .SF"));
}

#[test]
fn v1_ber_block_read_leniently() {
    let info = read_signing(&[], 0, &[("META-INF/CERT.RSA", CHAIN_BER_P7)]);
    assert!(info.schemes.v1);
    let certs: Vec<&str> = info
        .certificates
        .iter()
        .map(|c| c.sha256.as_str())
        .collect();
    assert_eq!(certs, vec![LEAF_SHA256]);
    assert_eq!(info.chain.len(), 1);
    assert_eq!(info.chain[0].sha256, CA_SHA256);
    assert_eq!(info.anomalies.len(), 1, "{:?}", info.anomalies);
    assert!(info.anomalies[0].contains("BER, not DER"));
    for cut in 0..CHAIN_BER_P7.len() {
        let _ = read_signing(
            &[],
            0,
            &[("META-INF/CERT.RSA", CHAIN_BER_P7.get(..cut).unwrap())],
        );
    }
}

#[test]
fn v1_names_and_bad_blobs() {
    assert!(v1::is_v1_block_name("meta-inf/x.ec"));
    assert!(v1::is_v1_block_name("META-INF/ANDROIDD.DSA"));
    assert!(!v1::is_v1_block_name("META-INF/CERT.SF"));
    assert!(!v1::is_v1_block_name("META-INF/sub/CERT.RSA"));
    assert!(!v1::is_v1_block_name("res/CERT.RSA"));
    let info = read_signing(&[], 0, &[("META-INF/CERT.SF", b"x".as_slice())]);
    assert!(!info.schemes.v1);
    let info = read_signing(&[], 0, &[("META-INF/A.RSA", b"garbage".as_slice())]);
    assert!(info.schemes.v1);
    assert!(info.certificates.is_empty());
    assert_eq!(info.anomalies.len(), 1);
    assert!(info.anomalies[0].starts_with("META-INF/A.RSA: "));
    let cut = CHAIN_P7.get(..CHAIN_P7.len() / 2).unwrap();
    let info = read_signing(&[], 0, &[("META-INF/A.RSA", cut)]);
    assert!(info.certificates.is_empty() && !info.anomalies.is_empty());
}

#[test]
fn v2_v3_block_with_lineage_and_others() {
    let v2 = scheme_value(&[signer(&[LEAF, CA], None, &[])]);
    let v3 = scheme_value(&[signer(
        &[DEBUG],
        Some((24, 0x7fff_ffff)),
        &lineage_attr(&[CA, DEBUG]),
    )]);
    let v31 = scheme_value(&[signer(&[LEAF], Some((33, 0x7fff_ffff)), &[])]);
    let b = block(&[
        (block::ID_V2, v2),
        (block::ID_V3, v3),
        (block::ID_V31, v31),
        (0x4272_6577, vec![0; 12]),
        (0xdead_beef, vec![1, 2]),
    ]);
    let (f, cd) = apk(&b);
    let info = read_signing(&f, cd, &[("META-INF/CERT.RSA", CHAIN_P7)]);
    assert!(info.anomalies.is_empty(), "{:?}", info.anomalies);
    assert_eq!(
        info.schemes,
        Schemes {
            v1: true,
            v2: true,
            v3: true,
            v31: true
        }
    );
    let got: Vec<(&str, Vec<&str>)> = info
        .certificates
        .iter()
        .map(|c| (c.sha256.as_str(), c.schemes.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (LEAF_SHA256, vec!["v1", "v2", "v3.1"]),
            (DEBUG_SHA256, vec!["v3"])
        ]
    );
    assert_eq!(info.chain.len(), 1);
    assert_eq!(info.chain[0].sha256, CA_SHA256);
    let lin: Vec<&str> = info.lineage.iter().map(|c| c.sha256.as_str()).collect();
    assert_eq!(lin, vec![CA_SHA256, DEBUG_SHA256]);
    assert_eq!(info.v3_min_sdk, Some(24));
    assert_eq!(info.v3_max_sdk, Some(0x7fff_ffff));
    assert_eq!(info.other_blocks, vec![0x4272_6577, 0xdead_beef]);
    assert_eq!(
        block_id_name(0x4272_6577),
        Some("padding (verity alignment)")
    );
    assert_eq!(block_id_name(0xdead_beef), None);
}

#[test]
fn no_block_is_not_an_anomaly() {
    let (f, cd) = apk(b"just bytes, no magic, long enough to hold a footer");
    let info = read_signing(&f, cd, &[]);
    assert_eq!(info, SigningInfo::default());
    // Offset too small for a footer, or at zero.
    assert_eq!(read_signing(&f, 3, &[]), SigningInfo::default());
}

#[test]
fn hostile_blocks_become_anomalies() {
    let good = block(&[(block::ID_V2, scheme_value(&[signer(&[LEAF], None, &[])]))]);
    // Wrong magic: no block.
    let mut wrong = good.clone();
    let n = wrong.len();
    wrong[n - 1] = b'3';
    let (f, cd) = apk(&wrong);
    let info = read_signing(&f, cd, &[]);
    assert!(!info.schemes.v2 && info.anomalies.is_empty());
    // Size fields that disagree.
    let mut mis = good.clone();
    mis[0] ^= 1;
    let (f, cd) = apk(&mis);
    let info = read_signing(&f, cd, &[]);
    assert!(!info.schemes.v2);
    assert!(
        info.anomalies[0].contains("size fields disagree"),
        "{:?}",
        info.anomalies
    );
    // Footer size larger than the file.
    let mut big = good.clone();
    let at = n - 24;
    big[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    let (f, cd) = apk(&big);
    let info = read_signing(&f, cd, &[]);
    assert!(
        info.anomalies[0].contains("larger than"),
        "{:?}",
        info.anomalies
    );
    // Truncated block (front cut off, central directory offset still right).
    let (f, cd) = apk(good.get(20..).unwrap());
    let info = read_signing(&f, cd, &[]);
    assert!(!info.schemes.v2 && !info.anomalies.is_empty(), "{info:?}");
    // Central directory offset past the end.
    let info = read_signing(&f, u64::MAX, &[]);
    assert!(info.anomalies[0].contains("past the end"));
    // A pair length past the end of the block.
    let mut pl = good.clone();
    pl[8..16].copy_from_slice(&1_000_000u64.to_le_bytes());
    let (f, cd) = apk(&pl);
    let info = read_signing(&f, cd, &[]);
    assert!(
        info.anomalies[0].contains("signing block pair"),
        "{:?}",
        info.anomalies
    );
    // A signer length past its parent.
    let mut sv = scheme_value(&[signer(&[LEAF], None, &[])]);
    sv[4..8].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
    let (f, cd) = apk(&block(&[(block::ID_V2, sv)]));
    let info = read_signing(&f, cd, &[]);
    assert!(info.schemes.v2 && info.certificates.is_empty());
    assert!(
        info.anomalies[0].contains("signer at offset"),
        "{:?}",
        info.anomalies
    );
    // A certificate that does not parse.
    let v = scheme_value(&[signer(&[b"not a certificate"], None, &[])]);
    let (f, cd) = apk(&block(&[(block::ID_V2, v)]));
    let info = read_signing(&f, cd, &[]);
    assert!(info.certificates.is_empty());
    assert!(info.anomalies[0].starts_with("v2 signer certificate: certificate does not parse"));
    // Empty signer sequence.
    let (f, cd) = apk(&block(&[(block::ID_V3, lp(&[]))]));
    let info = read_signing(&f, cd, &[]);
    assert!(info.schemes.v3 && info.anomalies[0].contains("empty signer sequence"));
}

#[test]
fn every_truncation_of_a_block_is_safe() {
    let b = block(&[
        (block::ID_V2, scheme_value(&[signer(&[LEAF], None, &[])])),
        (
            block::ID_V3,
            scheme_value(&[signer(&[DEBUG], Some((28, 33)), &lineage_attr(&[CA]))]),
        ),
    ]);
    for cut in 0..b.len() {
        let (f, cd) = apk(b.get(cut..).unwrap());
        let _ = read_signing(&f, cd, &[]);
        let (f, _) = apk(b.get(..cut).unwrap());
        let _ = read_signing(&f, cut as u64, &[]);
    }
}

fn valid_block() -> Vec<u8> {
    block(&[
        (
            block::ID_V2,
            scheme_value(&[signer(&[LEAF, CA], None, &[])]),
        ),
        (
            block::ID_V3,
            scheme_value(&[signer(
                &[DEBUG],
                Some((24, 99)),
                &lineage_attr(&[CA, DEBUG]),
            )]),
        ),
        (0x2146_444e, vec![0; 8]),
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512), cd in 0u64..600) {
        let _ = read_signing(&data, cd, &[("META-INF/X.RSA", &data)]);
        let _ = parse_certificate(&data);
        let _ = spki_sha256(&data);
    }

    #[test]
    fn mutated_block_never_panics(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16)
    ) {
        let mut b = valid_block();
        for (i, v) in edits {
            let at = i.index(b.len());
            if let Some(x) = b.get_mut(at) { *x = v; }
        }
        let (f, cd) = apk(&b);
        let info = read_signing(&f, cd, &[]);
        prop_assert!(info.certificates.len() <= 3);
    }

    #[test]
    fn mutated_v1_blob_never_panics(
        flip in any::<bool>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)
    ) {
        let mut b = if flip { CHAIN_BER_P7.to_vec() } else { CHAIN_P7.to_vec() };
        for (i, v) in edits {
            let at = i.index(b.len());
            if let Some(x) = b.get_mut(at) { *x = v; }
        }
        let info = read_signing(&[], 0, &[("META-INF/CERT.RSA", &b)]);
        prop_assert!(info.schemes.v1);
    }
}

mod corpus;
