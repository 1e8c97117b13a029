//! Property tests: hostile inputs never panic, and valid pins survive any surrounding noise.

use proptest::prelude::*;
use trackscan_axml::Manifest;
use trackscan_fixtures::dex::{ClassDefSpec, DexBuilder, MethodDef, Op};

use crate::test_util::{index_of, test_cert_der};
use crate::{analyze, b64, text, PinningInput};

const NSC: &str = "res/xml/network_security_config.xml";

fn manifest() -> Manifest {
    let mut m = Manifest {
        target_sdk: Some(30),
        ..Manifest::default()
    };
    m.application.network_security_config = Some(NSC.into());
    m
}

const VALID_NSC: &str = r#"<network-security-config><base-config cleartextTrafficPermitted="false"/><domain-config><domain includeSubdomains="true">a.example.com</domain><pin-set expiration="2030-01-01"><pin digest="SHA-256">2kOi4HdYYsvTR1sTIR7RHwlf2SescTrpza9ZrWy7poQ=</pin></pin-set><domain-config><domain>b.a.example.com</domain></domain-config></domain-config></network-security-config>"#;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Random bytes in every input file: no panic, and the report is still produced.
    #[test]
    fn random_files_never_panic(nsc in proptest::collection::vec(any::<u8>(), 0..600),
                                cert in proptest::collection::vec(any::<u8>(), 0..600),
                                js in "[ -~]{0,400}") {
        let dex = DexBuilder::new().class(ClassDefSpec::new("La;", vec![])).build();
        let idx = index_of(&dex);
        let files = vec![
            (NSC.to_string(), nsc.as_slice()),
            ("assets/x.pem".to_string(), cert.as_slice()),
            ("res/raw/y".to_string(), cert.as_slice()),
            ("assets/index.android.bundle".to_string(), js.as_bytes()),
        ];
        let m = manifest();
        let ns = vec![("lib/arm64-v8a/libapp.so".to_string(), js.clone())];
        let _ = analyze(&PinningInput { manifest: Some(&m), files: &files, index: &idx, native_strings: &ns });
    }

    /// Byte mutations of a valid NSC (text): never panic.
    #[test]
    fn mutated_nsc_never_panics(pos in 0usize..VALID_NSC.len(), byte in any::<u8>(), cut in 0usize..VALID_NSC.len()) {
        let mut b = VALID_NSC.as_bytes().to_vec();
        if let Some(x) = b.get_mut(pos) { *x = byte; }
        b.truncate(cut.max(pos));
        let dex = DexBuilder::new().class(ClassDefSpec::new("La;", vec![])).build();
        let idx = index_of(&dex);
        let files = vec![(NSC.to_string(), b.as_slice())];
        let m = manifest();
        let _ = analyze(&PinningInput { manifest: Some(&m), files: &files, index: &idx, native_strings: &[] });
    }

    /// Mutated certificate DER: never panics; either parsed or an anomaly naming the file.
    #[test]
    fn mutated_certificate(pos in 0usize..448, byte in any::<u8>()) {
        let mut der = test_cert_der();
        if let Some(x) = der.get_mut(pos) { *x = byte; }
        let files = vec![("assets/c.der".to_string(), der.as_slice())];
        let mut anomalies = Vec::new();
        let certs = crate::certs::collect(&files, &mut anomalies);
        for c in &certs {
            prop_assert!(c.spki_sha256.is_some() || anomalies.iter().any(|a| a.starts_with("assets/c.der")));
        }
    }

    /// Any 32-byte digest written as an OkHttp pin next to a host is found, whatever strings
    /// surround it.
    #[test]
    fn okhttp_pin_round_trip(digest in proptest::array::uniform32(any::<u8>()),
                             noise in proptest::collection::vec("[a-z ]{0,12}", 0..5)) {
        let pin = format!("sha256/{}", b64::encode(&digest));
        let mut code: Vec<Op> = noise.iter().map(|n| Op::ConstString(n.clone())).collect();
        code.push(Op::ConstString("api.example.net".into()));
        code.push(Op::ConstString(pin.clone()));
        code.push(Op::ReturnVoid);
        let dex = DexBuilder::new()
            .class(ClassDefSpec::new("Lcom/x/Y;", vec![MethodDef::new("m", &[], "V", code)]))
            .build();
        let idx = index_of(&dex);
        let r = analyze(&PinningInput { manifest: None, files: &[], index: &idx, native_strings: &[] });
        prop_assert_eq!(r.pins.len(), 1);
        prop_assert_eq!(r.pins[0].host.as_str(), "api.example.net");
        prop_assert_eq!(format!("sha256/{}", r.pins[0].pins[0].digest), pin);
    }

    /// String classifiers never panic on arbitrary text.
    #[test]
    fn classifiers_never_panic(s in "\\PC{0,80}") {
        let _ = text::parse_pin_string(&s);
        let _ = text::parse_bare_digest(&s);
        let _ = text::host_in(&s);
        let _ = b64::decode(&s);
        let _ = b64::decode_hex(&s);
    }
}
