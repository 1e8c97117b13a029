//! Load cost of the built-in SDK library: parses `signatures/sdk.library` N times (default 20)
//! and prints the size, the entry count and the median parse time.
use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let bytes = trackscan_scan::structure::LIBRARY_BYTES;
    let mut times = Vec::new();
    let mut entries = 0;
    for _ in 0..n {
        let t = Instant::now();
        let lib = trackscan_shape::library::Library::parse(bytes).expect("parses");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        entries = lib.entries.len();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{} bytes, {entries} entries: parse median {:.2} ms (min {:.2}, max {:.2}) over {n}",
        bytes.len(),
        times[n / 2],
        times[0],
        times[n - 1]
    );
}
