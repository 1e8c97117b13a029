//! Instruction-count harness for the matcher (run under `valgrind --tool=callgrind`):
//! builds the built-in rules and the matcher once, then matches the classes, DEX strings
//! and hosts of each APK given, both with the two single-list calls and with
//! `Matcher::match_all`, and prints the detection counts.
//!
//! `cargo run --release -p trackscan-signatures --example match_cost -- APK...`

use trackscan_container::{Limits, ZipArchive};
use trackscan_dex::IndexBuilder;
use trackscan_signatures::{AppFacts, Matcher, RuleSet};

#[path = "../benches/support/mod.rs"]
mod support;

fn main() {
    let rules = RuleSet::builtin();
    let Ok(matcher) = Matcher::new(&rules) else {
        eprintln!("built-in rules do not compile");
        std::process::exit(1);
    };
    for path in std::env::args().skip(1) {
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!("{path}: cannot read");
            continue;
        };
        let Ok(z) = ZipArchive::parse(&bytes, &Limits::default()) else {
            eprintln!("{path}: not a zip");
            continue;
        };
        let dex: Vec<Vec<u8>> = z
            .dex_entries()
            .iter()
            .filter_map(|e| z.read(e).ok())
            .map(|d| d.into_owned())
            .collect();
        let mut b = IndexBuilder::new();
        for (i, d) in dex.iter().enumerate() {
            b.add_dex(&format!("classes{i}.dex"), d).ok();
        }
        let index = b.finish();
        let f = support::Facts::of(&index);
        let (classes, strings, host_facts) = (&f.classes, f.strings(), f.host_facts());
        let app = AppFacts {
            classes,
            strings: &strings,
            hosts: &host_facts,
            ..AppFacts::default()
        };
        let separate = (matcher.match_trackers(&app), matcher.match_libraries(&app));
        let all = matcher.match_all(&app);
        println!(
            "{path}: {} classes, {} strings, {} hosts: {} trackers, {} libraries, match_all {}",
            classes.len(),
            strings.len(),
            host_facts.len(),
            separate.0.len(),
            separate.1.len(),
            if all == separate { "equal" } else { "DIFFERS" }
        );
    }
}
