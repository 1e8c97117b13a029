//! Container benches on the real corpus: central-directory read of every APK, and inflating
//! the entries a scan needs (`is_needed_entry`) from the largest APK. Corpus from
//! `TRACKSCAN_CORPUS` (default `../shared/corpus/apks` beside the workspace); skipped if absent.

use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use trackscan_container::{is_needed_entry, Limits, ZipArchive};

fn corpus() -> PathBuf {
    std::env::var_os("TRACKSCAN_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/corpus/apks"
            ))
        })
}

/// Every `*.apk` of the corpus, largest first.
fn apks() -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(rd) = std::fs::read_dir(corpus()) else {
        return Vec::new();
    };
    let mut v: Vec<(PathBuf, Vec<u8>)> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "apk"))
        .filter_map(|p| std::fs::read(&p).ok().map(|b| (p, b)))
        .collect();
    v.sort_by_key(|(_, b)| std::cmp::Reverse(b.len()));
    v
}

fn bench(c: &mut Criterion) {
    let files = apks();
    let Some((largest, bytes)) = files.first() else {
        println!(
            "corpus not found at {} (set TRACKSCAN_CORPUS); skipping",
            corpus().display()
        );
        return;
    };
    let limits = Limits::default();
    let mut g = c.benchmark_group("container");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(3));
    g.warm_up_time(Duration::from_secs(1));

    let total: u64 = files.iter().map(|(_, b)| b.len() as u64).sum();
    g.throughput(Throughput::Elements(files.len() as u64));
    g.bench_function("zip directory, all corpus apks", |b| {
        b.iter(|| {
            files
                .iter()
                .filter_map(|(_, b)| ZipArchive::parse(b, &limits).ok())
                .map(|z| z.entries().len())
                .sum::<usize>()
        })
    });
    println!("corpus: {} apks, {total} bytes", files.len());

    let Ok(zip) = ZipArchive::parse(bytes, &limits) else {
        println!("{}: does not parse; skipping inflate", largest.display());
        return;
    };
    let needed: Vec<_> = zip
        .entries()
        .iter()
        .filter(|e| is_needed_entry(&e.name))
        .collect();
    let out: u64 = needed.iter().map(|e| e.uncompressed_size).sum();
    println!(
        "inflate: {} ({} needed entries, {out} bytes out)",
        largest.display(),
        needed.len()
    );
    g.throughput(Throughput::Bytes(out));
    g.bench_function("inflate needed entries, largest apk", |b| {
        b.iter(|| {
            // A fresh archive each time: the total-inflated budget is per archive.
            let z = ZipArchive::parse(bytes, &limits).ok();
            z.map(|z| {
                needed
                    .iter()
                    .filter_map(|e| z.read(e).ok())
                    .map(|d| d.len())
                    .sum::<usize>()
            })
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
