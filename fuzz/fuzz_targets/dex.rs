//! DEX: index the file (class data, code items, instruction walk), then query the index.
#![no_main]
use libfuzzer_sys::fuzz_target;
use trackscan_dex::IndexBuilder;

fuzz_target!(|data: &[u8]| {
    let mut b = IndexBuilder::new();
    let _ = b.add_dex("classes.dex", data);
    let idx = b.finish();
    let _ = idx.stats();
    let _ = idx.all_strings().count();
    let _ = idx.callers_into("Landroid/");
    let groups: [&[String]; 2] = [&["La/".to_string(), "L".to_string()], &["Landroid/".to_string()]];
    let _ = idx.links(&groups, |_, _, _, _| {});
    idx.for_each_method_id_with_class_prefix("L", |_, _, _, _| {});
    let _ = idx.string_idx(0, "verify");
    for c in idx.classes().take(64) {
        let _ = c.superclass();
        let _ = c.interfaces();
        let _ = c.string_constants().count();
        for m in c.methods().take(64) {
            let _ = m.proto();
            let _ = m.name_idx();
        }
    }
});
