//! Load cost of the built-in SDK library: reads `signatures/sdk.library` N times (default 20)
//! in place as scans do (`Library::from_static`) and with every value checked
//! (`Library::parse`, a copy), and prints the size, the entry count and the median times.
use std::time::Instant;

use trackscan_shape::library::Library;

/// Median, min and max milliseconds of `n` runs of `f`.
fn time(n: usize, mut f: impl FnMut()) -> (f64, f64, f64) {
    let mut times: Vec<f64> = (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    (times[n / 2], times[0], times[n - 1])
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20)
        .max(1);
    let bytes = trackscan_scan::structure::LIBRARY_BYTES;
    let entries = Library::from_static(bytes).expect("reads").entry_count();
    for (what, t) in [
        (
            "in place (from_static)",
            time(n, || {
                std::hint::black_box(Library::from_static(bytes).expect("reads"));
            }),
        ),
        (
            "checked copy (parse)",
            time(n, || {
                std::hint::black_box(Library::parse(bytes).expect("parses"));
            }),
        ),
    ] {
        println!(
            "{} bytes, {entries} entries: {what} median {:.3} ms (min {:.3}, max {:.3}) over {n}",
            bytes.len(),
            t.0,
            t.1,
            t.2
        );
    }
}
