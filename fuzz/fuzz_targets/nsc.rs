//! Network Security Config (binary or text XML) through the pinning analysis.
#![no_main]
use libfuzzer_sys::fuzz_target;
use trackscan_dex::IndexBuilder;
use trackscan_pinning::{analyze, PinningInput};

fuzz_target!(|data: &[u8]| {
    let index = IndexBuilder::new().finish();
    let files = vec![("res/xml/network_security_config.xml".to_string(), data)];
    let _ = analyze(&PinningInput {
        manifest: None,
        files: &files,
        index: &index,
        native_strings: &[],
    });
});
