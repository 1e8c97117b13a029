//! The physical floor of a scan: open the zip and inflate exactly the entries `trackscan scan`
//! reads, with the same backend (`ZipArchive::read`: libdeflate into a buffer of the declared
//! size, CRC-32 checked), and nothing else. `bench/compare.sh` and `bench/guard.sh` divide the
//! scan's cost by this one.
//!
//! Usage: `floor [--reps N] FILE...` prints, per file, one tab-separated line
//! `median_ms  inflated_bytes  dex_bytes  entries_read  file` (median over N repetitions,
//! default 1), then a `total` line. The entry selection mirrors `crates/scan/src/collect.rs`:
//! manifest, `resources.arsc`, `classes*.dex` (multidex order), v1 signature blocks
//! (`META-INF/*.RSA|DSA|EC`), `META-INF/*.version` up to 4 KiB, one `lib/<abi>/*.so` per file
//! name up to 64 MiB, text-like `assets/**` and `res/raw*`/`res/xml*` up to 2 MiB; split
//! bundles read their inner APKs first, then the same per inner APK.

use std::collections::BTreeSet;
use std::time::Instant;

use trackscan_container::{bundle_apks, sniff, InputKind, Limits, ZipArchive};

const MAX_TEXT_FILE: u64 = 2 << 20;
const MAX_NATIVE_LIB: u64 = 64 << 20;

#[derive(Default, Clone, Copy)]
struct Work {
    inflated: u64,
    dex: u64,
    entries: u64,
}

fn wanted(e: &trackscan_container::Entry) -> bool {
    let n = e.name.as_str();
    if n == "AndroidManifest.xml" || n == "resources.arsc" {
        return true;
    }
    if let Some(rest) = n.strip_prefix("META-INF/") {
        let upper = rest.to_ascii_uppercase();
        return !rest.contains('/')
            && (upper.ends_with(".RSA") || upper.ends_with(".DSA") || upper.ends_with(".EC"))
            || (rest.ends_with(".version") && e.uncompressed_size <= 4096);
    }
    if n.starts_with("assets/") {
        return e.uncompressed_size <= MAX_TEXT_FILE
            && (trackscan_container::is_text_like_name(n) || !n.contains('.'));
    }
    (n.starts_with("res/raw") || n.starts_with("res/xml")) && e.uncompressed_size <= MAX_TEXT_FILE
}

/// Reads what a scan of one APK reads; returns what was read and keeps the buffers alive in
/// `keep` (a scan holds them all until the analysis ends).
fn read_apk<'a>(zip: &ZipArchive<'a>, keep: &mut Vec<std::borrow::Cow<'a, [u8]>>) -> Work {
    let mut w = Work::default();
    let mut take = |e: &trackscan_container::Entry, w: &mut Work, is_dex: bool| {
        if let Ok(b) = zip.read(e) {
            if !e.is_stored() {
                w.inflated += b.len() as u64;
            }
            if is_dex {
                w.dex += b.len() as u64;
            }
            w.entries += 1;
            keep.push(b);
        }
    };
    for e in zip.dex_entries() {
        take(e, &mut w, true);
    }
    let mut seen_libs = BTreeSet::new();
    for e in zip.entries() {
        let n = e.name.as_str();
        if n.starts_with("classes") && n.ends_with(".dex") && !n.contains('/') {
            continue; // read above, in multidex order
        }
        if n.starts_with("lib/") && n.ends_with(".so") {
            let file = n.rsplit('/').next().unwrap_or(n);
            if e.uncompressed_size <= MAX_NATIVE_LIB && seen_libs.insert(file) {
                take(e, &mut w, false);
            }
        } else if wanted(e) {
            take(e, &mut w, false);
        }
    }
    w
}

fn floor_bytes(name: &str, bytes: &[u8]) -> Work {
    let limits = Limits::default();
    match sniff(name, bytes) {
        InputKind::Dex => Work {
            dex: bytes.len() as u64,
            ..Work::default()
        },
        InputKind::Apk | InputKind::SplitBundle | InputKind::OtherZip => {
            let Ok(zip) = ZipArchive::parse(bytes, &limits) else {
                return Work::default();
            };
            let mut keep = Vec::new();
            if zip.by_name("AndroidManifest.xml").is_some() || !zip.dex_entries().is_empty() {
                return read_apk(&zip, &mut keep);
            }
            let mut w = Work::default();
            let bufs: Vec<_> = bundle_apks(&zip)
                .into_iter()
                .take(limits.max_nested)
                .filter_map(|e| zip.read(e).ok())
                .collect();
            for b in &bufs {
                if let Ok(inner) = ZipArchive::parse(b, &limits) {
                    let r = read_apk(&inner, &mut keep);
                    w.inflated += r.inflated;
                    w.dex += r.dex;
                    w.entries += r.entries;
                }
            }
            w
        }
        InputKind::Unknown => Work::default(),
    }
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut reps = 1usize;
    if args.first().map(String::as_str) == Some("--reps") {
        reps = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1).max(1);
        args.drain(..2.min(args.len()));
    }
    if args.is_empty() {
        eprintln!("usage: floor [--reps N] FILE...");
        std::process::exit(2);
    }
    let mut total_ms = 0.0;
    for path in &args {
        let mut times = Vec::with_capacity(reps);
        let mut work = Work::default();
        for _ in 0..reps {
            let t = Instant::now();
            let Ok(bytes) = std::fs::read(path) else {
                eprintln!("{path}: cannot read");
                break;
            };
            work = floor_bytes(path, &bytes);
            drop(bytes);
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        if times.is_empty() {
            continue;
        }
        times.sort_by(f64::total_cmp);
        let median = times.get(times.len() / 2).copied().unwrap_or(0.0);
        total_ms += median;
        println!(
            "{median:.3}\t{}\t{}\t{}\t{path}",
            work.inflated, work.dex, work.entries
        );
    }
    println!("{total_ms:.3}\t-\t-\t-\ttotal");
}
