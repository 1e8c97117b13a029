//! Parses and indexes the largest `classes*.dex` of the shared corpus (skips if absent).
//! Target: no slower than inflating it (≈ 2 ms per MB of DEX).

use std::io::Read;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use trackscan_dex::IndexBuilder;

const APKS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/apks");

fn largest_dex() -> Option<(String, Vec<u8>)> {
    let mut best: Option<(String, Vec<u8>)> = None;
    for e in std::fs::read_dir(APKS).ok()?.flatten() {
        let Ok(f) = std::fs::File::open(e.path()) else {
            continue;
        };
        let Ok(mut z) = zip::ZipArchive::new(f) else {
            continue;
        };
        for i in 0..z.len() {
            let Ok(mut ent) = z.by_index(i) else { continue };
            let name = ent.name().map(|n| n.to_string()).unwrap_or_default();
            if !(name.starts_with("classes") && name.ends_with(".dex")) {
                continue;
            }
            if best
                .as_ref()
                .is_some_and(|b| b.1.len() as u64 >= ent.size())
            {
                continue;
            }
            let mut buf = Vec::new();
            if ent.read_to_end(&mut buf).is_ok() {
                best = Some((format!("{}!{name}", e.file_name().to_string_lossy()), buf));
            }
        }
    }
    best
}

fn bench(c: &mut Criterion) {
    let Some((name, bytes)) = largest_dex() else {
        println!("corpus not found at {APKS}; skipping the benchmark");
        return;
    };
    println!("benchmarking {name} ({} bytes)", bytes.len());
    let mut g = c.benchmark_group("dex");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.measurement_time(Duration::from_secs(5));
    g.sample_size(20);
    g.bench_function("parse+index largest corpus dex", |b| {
        b.iter(|| {
            let mut ib = IndexBuilder::new();
            ib.add_dex("classes.dex", &bytes).ok();
            ib.finish().class_count()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
