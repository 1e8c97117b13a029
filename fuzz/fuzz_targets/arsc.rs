//! resources.arsc: parse, then resolve ids as the manifest model does.
#![no_main]
use libfuzzer_sys::fuzz_target;
use trackscan_axml::Resources;

fuzz_target!(|data: &[u8]| {
    if let Ok(res) = Resources::parse(data) {
        for id in [0x7f01_0000u32, 0x7f02_0000, 0x7f02_0001, 0x7f03_0000, 0x0101_0000] {
            let _ = res.resolve(id);
            let _ = res.name(id);
        }
        let _ = res.id_of("string", "app_name");
        let _ = res.anomalies();
    }
});
