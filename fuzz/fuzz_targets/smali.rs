//! apktool smali text through the same index.
#![no_main]
use libfuzzer_sys::fuzz_target;
use trackscan_dex::IndexBuilder;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut b = IndexBuilder::new();
    let _ = b.add_smali("smali/a/B.smali", &text);
    let idx = b.finish();
    let _ = idx.stats();
    let _ = idx.all_strings().count();
    let _ = idx.callers_into("L");
});
