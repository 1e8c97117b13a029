//! In-process per-file scan timing, the numerator of `bench/compare.sh`: one compiled
//! [`Scanner`] (start-up amortised, as in `trackscan batch`), then per file `scan_path` plus
//! the compact JSON serialization `trackscan scan` prints.
//!
//! Usage: `scan_times [--reps N] [--jsonl OUT] FILE...` prints, per file, one tab-separated line
//! `median_ms  dex_bytes  json_bytes  trackers  file` (median over N repetitions, default 1),
//! then a `total` line and, on stderr, the scanner's start-up time. `--jsonl OUT` also writes
//! each report (last repetition) as one JSON line, to check that a change kept the output.

use std::path::Path;
use std::time::Instant;

use trackscan_scan::Scanner;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut reps = 1usize;
    if args.first().map(String::as_str) == Some("--reps") {
        reps = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1).max(1);
        args.drain(..2.min(args.len()));
    }
    let mut jsonl: Option<std::fs::File> = None;
    if args.first().map(String::as_str) == Some("--jsonl") {
        match args.get(1).map(std::fs::File::create) {
            Some(Ok(f)) => jsonl = Some(f),
            _ => {
                eprintln!("--jsonl: cannot create the output file");
                std::process::exit(2);
            }
        }
        args.drain(..2.min(args.len()));
    }
    if args.is_empty() {
        eprintln!("usage: scan_times [--reps N] [--jsonl OUT] FILE...");
        std::process::exit(2);
    }
    let t = Instant::now();
    let scanner = match Scanner::with_builtin_rules() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    eprintln!(
        "scanner start-up (rule compilation): {:.3} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let mut total_ms = 0.0;
    for path in &args {
        let mut times = Vec::with_capacity(reps);
        let mut line = (0u64, 0usize, 0usize);
        let mut last = Vec::new();
        for _ in 0..reps {
            let t = Instant::now();
            let report = scanner.scan_path(Path::new(path));
            let json = serde_json::to_vec(&report).unwrap_or_default();
            times.push(t.elapsed().as_secs_f64() * 1e3);
            line = (report.dex.bytes, json.len(), report.trackers.len());
            last = json;
        }
        if let Some(f) = jsonl.as_mut() {
            use std::io::Write;
            let _ = f.write_all(&last).and_then(|()| f.write_all(b"\n"));
        }
        times.sort_by(f64::total_cmp);
        let median = times.get(times.len() / 2).copied().unwrap_or(0.0);
        total_ms += median;
        println!("{median:.3}\t{}\t{}\t{}\t{path}", line.0, line.1, line.2);
    }
    println!("{total_ms:.3}\t-\t-\t-\ttotal");
}
