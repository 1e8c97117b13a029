//! Every corpus APK opens without panicking, every entry reads (or fails with a clear error),
//! and the multidex count matches androguard's `dex_files` except for listed, explained cases.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use trackscan_container::{sniff, InputKind, Limits, ZipArchive};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

/// Files where our multidex count differs from androguard's, with the reason.
const KNOWN_DISAGREEMENTS: &[(&str, usize, &str)] = &[(
    "apkinsp_size_extrafield.apk",
    1,
    "androguard (Python zipfile) refuses the malformed extra field and reports 0; the first \
     record's extra length is one short, we resynchronise on the next record and find all 23 \
     entries including classes.dex",
)];

fn corpus_files() -> Option<Vec<PathBuf>> {
    let dir = Path::new(CORPUS).join("apks");
    let Ok(rd) = std::fs::read_dir(&dir) else {
        println!("note: corpus not found at {}; skipping", dir.display());
        return None;
    };
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "apk"))
        .collect();
    files.sort();
    Some(files)
}

fn androguard_dex_counts() -> HashMap<String, u64> {
    let path = Path::new(CORPUS).join("expected/androguard.jsonl");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut out = HashMap::new();
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let (Some(file), Some(n)) = (v["file"].as_str(), v["dex_files"].as_u64()) else {
            continue;
        };
        out.insert(file.trim_start_matches("apks/").to_string(), n);
    }
    out
}

#[test]
fn all_corpus_apks_open() {
    let Some(files) = corpus_files() else { return };
    let expected = androguard_dex_counts();
    let mut disagreements = Vec::new();
    let mut opened = 0;
    let start = Instant::now();
    let mut parse_time = std::time::Duration::ZERO;
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(path).unwrap();
        let t = Instant::now();
        let parsed = ZipArchive::parse(&bytes, &Limits::default());
        parse_time += t.elapsed();
        let zip = match parsed {
            Ok(z) => z,
            Err(e) => panic!("{name}: {e}"),
        };
        opened += 1;
        let kind = sniff(&name, &bytes);
        for e in zip.entries() {
            if let Err(err) = zip.read(e) {
                panic!("{name}: {err}");
            }
        }
        let anomalies = zip.anomalies();
        if !anomalies.is_empty() {
            println!("{name} ({kind:?}): {} anomalies", anomalies.len());
            for a in anomalies.iter().take(5) {
                println!("    {a}");
            }
        }
        if name == "apkinsp_size_extrafield.apk" {
            assert_eq!(zip.entries().len(), 23, "{name}: resynchronised directory");
        }
        let ours = zip.dex_entries().len();
        if let Some(&theirs) = expected.get(&name) {
            if ours as u64 != theirs {
                disagreements.push((name.clone(), ours, theirs));
            }
        }
        if name != "ag_apksig_empty_zip.apk" && ours > 0 {
            assert_eq!(kind, InputKind::Apk, "{name}");
        }
    }
    println!(
        "opened {opened}/{} corpus APKs (directories parsed in {parse_time:.2?}) and read every entry in {:.2?}",
        files.len(),
        start.elapsed()
    );
    for (name, ours, theirs) in &disagreements {
        let known = KNOWN_DISAGREEMENTS
            .iter()
            .find(|(n, o, _)| n == name && o == ours);
        match known {
            Some((_, _, why)) => println!("{name}: ours {ours}, androguard {theirs}: {why}"),
            None => panic!("{name}: {ours} dex entries, androguard says {theirs}"),
        }
    }
    assert_eq!(opened, files.len());
}
