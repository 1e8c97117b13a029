//! AXML benches on the real corpus: the largest binary `AndroidManifest.xml` (parse +
//! manifest model) and the largest `resources.arsc`. Corpus from `TRACKSCAN_CORPUS` (default
//! `../shared/corpus/apks` beside the workspace); skipped if absent.

use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use trackscan_axml::{parse_any, Manifest, Resources};
use trackscan_container::{Limits, ZipArchive};

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

/// The largest `entry` across the corpus: (apk name, its bytes, the apk's resources.arsc).
fn largest(entry: &str) -> Option<(String, Vec<u8>, Option<Vec<u8>>)> {
    let mut best: Option<(String, Vec<u8>, Option<Vec<u8>>)> = None;
    for p in std::fs::read_dir(corpus())
        .ok()?
        .flatten()
        .map(|e| e.path())
    {
        let Ok(bytes) = std::fs::read(&p) else {
            continue;
        };
        let Ok(z) = ZipArchive::parse(&bytes, &Limits::default()) else {
            continue;
        };
        let Some(e) = z.by_name(entry) else { continue };
        if best
            .as_ref()
            .is_some_and(|b| b.1.len() as u64 >= e.uncompressed_size)
        {
            continue;
        }
        let Ok(data) = z.read(e) else { continue };
        let arsc = z
            .by_name("resources.arsc")
            .and_then(|a| z.read(a).ok())
            .map(|a| a.into_owned());
        best = Some((p.display().to_string(), data.into_owned(), arsc));
    }
    best
}

fn bench(c: &mut Criterion) {
    let Some((name, manifest, arsc)) = largest("AndroidManifest.xml") else {
        println!(
            "corpus not found at {} (set TRACKSCAN_CORPUS); skipping",
            corpus().display()
        );
        return;
    };
    let mut g = c.benchmark_group("axml");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(3));
    g.warm_up_time(Duration::from_secs(1));
    let res = arsc.as_deref().and_then(|a| Resources::parse(a).ok());
    println!("manifest: {name} ({} bytes)", manifest.len());
    g.throughput(Throughput::Bytes(manifest.len() as u64));
    g.bench_function("manifest parse + model, largest", |b| {
        b.iter(|| {
            parse_any(&manifest)
                .ok()
                .map(|d| Manifest::from_document(&d, res.as_ref()).components.len())
        })
    });
    if let Some((name, arsc, _)) = largest("resources.arsc") {
        println!("resources.arsc: {name} ({} bytes)", arsc.len());
        g.throughput(Throughput::Bytes(arsc.len() as u64));
        g.bench_function("resources.arsc parse + strings, largest", |b| {
            b.iter(|| {
                Resources::parse(&arsc)
                    .ok()
                    .map(|r| r.strings_of_type("string").count())
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
