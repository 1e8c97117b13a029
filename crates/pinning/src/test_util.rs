//! Shared test helpers.

use trackscan_dex::{CodeIndex, IndexBuilder};

/// A self-signed EC P-256 certificate (`CN=pin.example.com, O=trackscan test`), made with
/// `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -outform DER`.
/// Its SPKI SHA-256 is [`TEST_CERT_SPKI`].
pub(crate) fn test_cert_der() -> Vec<u8> {
    include_bytes!("testdata/pin_test.der").to_vec()
}

/// SPKI SHA-256 (base64) of [`test_cert_der`], computed independently with
/// `openssl x509 -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary | base64`.
pub(crate) const TEST_CERT_SPKI: &str = "yh19F2dzYxWIfZCPdOdhzbqhArWwHjSLWPEKA3eybqE=";

/// Index over one DEX.
pub(crate) fn index_of(dex: &[u8]) -> CodeIndex<'_> {
    let mut b = IndexBuilder::new();
    b.add_dex("classes.dex", dex).expect("fixture DEX parses");
    b.finish()
}
