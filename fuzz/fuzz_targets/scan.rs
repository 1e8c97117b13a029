//! The whole pipeline: `Scanner::scan_bytes` on the input (sniffed as APK, bundle or DEX).
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use trackscan_scan::{Limits, Scanner};
use trackscan_signatures::RuleSet;

fn scanner() -> Option<&'static Scanner> {
    static S: OnceLock<Option<Scanner>> = OnceLock::new();
    S.get_or_init(|| {
        let limits = Limits {
            max_total_inflated: 64 << 20,
            max_entry_size: 16 << 20,
            ..Limits::default()
        };
        Scanner::new(RuleSet::builtin(), limits).ok()
    })
    .as_ref()
}

fuzz_target!(|data: &[u8]| {
    if let Some(s) = scanner() {
        let _ = s.scan_bytes("fuzz.apk", data);
    }
});
