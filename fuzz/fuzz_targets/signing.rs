//! Signing: the APK Signing Block before a central directory at the end of the input, and the
//! same bytes as a v1 PKCS#7 block and as a bare certificate.
#![no_main]
use libfuzzer_sys::fuzz_target;
use trackscan_signing::{parse_certificate, read_signing};

fuzz_target!(|data: &[u8]| {
    let _ = read_signing(data, data.len() as u64, &[]);
    let _ = read_signing(data, (data.len() / 2) as u64, &[]);
    let _ = read_signing(
        &[],
        0,
        &[("META-INF/CERT.RSA", data), ("META-INF/CERT.SF", &[])],
    );
    let _ = parse_certificate(data);
});
