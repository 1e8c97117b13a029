//! Matcher benches on the real corpus: host extraction over every DEX string, and the
//! one-pass tracker + library match over the classes, strings and hosts of the APK with the
//! most DEX bytes. Corpus from `TRACKSCAN_CORPUS` (default `../shared/corpus/apks` beside the
//! workspace); skipped if absent.

use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use trackscan_container::{Limits, ZipArchive};
use trackscan_dex::IndexBuilder;
use trackscan_signatures::{extract_hosts, AppFacts, Matcher, RuleSet};

mod support;

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

/// The inflated `classes*.dex` of the APK with the most DEX bytes.
fn biggest_dex_app() -> Option<(String, Vec<Vec<u8>>)> {
    let mut best: Option<(String, Vec<Vec<u8>>, u64)> = None;
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
        let size: u64 = z.dex_entries().iter().map(|e| e.uncompressed_size).sum();
        if size == 0 || best.as_ref().is_some_and(|b| b.2 >= size) {
            continue;
        }
        let dex = z
            .dex_entries()
            .iter()
            .filter_map(|e| z.read(e).ok())
            .map(|d| d.into_owned())
            .collect();
        best = Some((p.display().to_string(), dex, size));
    }
    best.map(|(n, d, _)| (n, d))
}

fn bench(c: &mut Criterion) {
    let Some((name, dex)) = biggest_dex_app() else {
        println!(
            "corpus not found at {} (set TRACKSCAN_CORPUS); skipping",
            corpus().display()
        );
        return;
    };
    let mut b = IndexBuilder::new();
    for (i, d) in dex.iter().enumerate() {
        b.add_dex(&format!("classes{i}.dex"), d).ok();
    }
    let index = b.finish();
    let f = support::Facts::of(&index);
    let (classes, values, hosts) = (&f.classes, &f.values, &f.hosts);
    let strings = f.strings();
    let host_facts = f.host_facts();
    let string_bytes: u64 = values.iter().map(|s| s.len() as u64).sum();
    println!(
        "{name}: {} classes, {} strings ({string_bytes} bytes), {} hosts",
        classes.len(),
        values.len(),
        hosts.len()
    );
    let rules = RuleSet::builtin();
    let Ok(matcher) = Matcher::new(&rules) else {
        println!("built-in rules do not compile; skipping");
        return;
    };
    let facts = AppFacts {
        classes,
        strings: &strings,
        hosts: &host_facts,
        ..AppFacts::default()
    };

    let mut g = c.benchmark_group("signatures");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(3));
    g.warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Bytes(string_bytes));
    g.bench_function("extract_hosts over every dex string", |b| {
        b.iter(|| {
            values
                .iter()
                .map(|s| extract_hosts(s).count())
                .sum::<usize>()
        })
    });
    g.throughput(Throughput::Elements(
        (classes.len() + strings.len() + host_facts.len()) as u64,
    ));
    g.bench_function("match trackers + libraries", |b| {
        b.iter(|| matcher.match_trackers(&facts).len() + matcher.match_libraries(&facts).len())
    });
    g.bench_function("match_all (trackers + libraries in one pass)", |b| {
        b.iter(|| {
            let (t, l) = matcher.match_all(&facts);
            t.len() + l.len()
        })
    });
    g.bench_function("builtin rule set", |b| {
        b.iter(|| RuleSet::builtin().trackers.len())
    });
    g.bench_function("compile builtin rules", |b| {
        b.iter(|| Matcher::new(&rules).is_ok())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
