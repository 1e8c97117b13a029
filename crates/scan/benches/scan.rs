//! Whole-scan bench on the real corpus: `Scanner::scan_bytes` plus the compact JSON that
//! `trackscan scan` prints, for the largest APK and a mid-size one (rules compiled once, as in
//! batch mode). Corpus from `TRACKSCAN_CORPUS` (default `../shared/corpus/apks` beside the
//! workspace); skipped if absent.

use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use trackscan_scan::Scanner;

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

/// Corpus APKs sorted by size, largest first.
fn apks() -> Vec<(String, Vec<u8>)> {
    let Ok(rd) = std::fs::read_dir(corpus()) else {
        return Vec::new();
    };
    let mut v: Vec<(String, Vec<u8>)> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "apk"))
        .filter_map(|p| std::fs::read(&p).ok().map(|b| (p.display().to_string(), b)))
        .collect();
    v.sort_by_key(|(_, b)| std::cmp::Reverse(b.len()));
    v
}

fn bench(c: &mut Criterion) {
    let files = apks();
    if files.is_empty() {
        println!(
            "corpus not found at {} (set TRACKSCAN_CORPUS); skipping",
            corpus().display()
        );
        return;
    }
    let scanner = match Scanner::with_builtin_rules() {
        Ok(s) => s,
        Err(e) => {
            println!("cannot build the scanner: {e}; skipping");
            return;
        }
    };
    let mut g = c.benchmark_group("scan");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(4));
    g.warm_up_time(Duration::from_secs(1));
    g.bench_function("compile builtin rules", |b| {
        b.iter(|| Scanner::with_builtin_rules().is_ok())
    });
    let picks = [
        ("largest", files.first()),
        ("median", files.get(files.len() / 2)),
    ];
    for (label, pick) in picks {
        let Some((name, bytes)) = pick else { continue };
        let report = scanner.scan_bytes(name, bytes);
        println!(
            "{label}: {name} ({} bytes, {} DEX bytes)",
            bytes.len(),
            report.dex.bytes
        );
        g.throughput(Throughput::Bytes(report.dex.bytes.max(1)));
        g.bench_function(format!("scan + json, {label} apk"), |b| {
            b.iter(|| {
                let r = scanner.scan_bytes(name, bytes);
                serde_json::to_vec(&r).map(|v| v.len()).unwrap_or(0)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
