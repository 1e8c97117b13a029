//! Binary (and text) XML: parse, then build the manifest model from it.
#![no_main]
use libfuzzer_sys::fuzz_target;
use trackscan_axml::{parse_any, Manifest};

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = parse_any(data) {
        let m = Manifest::from_document(&doc, None);
        let _ = m.permission_names();
    }
});
