//! Zip container: parse the central directory, then read (inflate) every entry within small
//! limits, as the scanner does.
#![no_main]
use libfuzzer_sys::fuzz_target;
use trackscan_container::{bundle_apks, sniff, Limits, ZipArchive};

fuzz_target!(|data: &[u8]| {
    let _ = sniff("fuzz.apk", data);
    let limits = Limits {
        max_total_inflated: 64 << 20,
        max_entry_size: 16 << 20,
        ..Limits::default()
    };
    if let Ok(zip) = ZipArchive::parse(data, &limits) {
        for e in zip.entries() {
            let _ = zip.read(e);
        }
        let _ = zip.dex_entries();
        let _ = bundle_apks(&zip);
        let _ = zip.anomalies();
    }
});
