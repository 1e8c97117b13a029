//! Every APK of the shared corpus against androguard's `cert_sha256` and `signature_schemes`.

use crate::read_signing;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/apks");
const ANDROGUARD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/expected/androguard.jsonl"
);

/// Files where androguard's answer is known to differ from what is in the file, with why.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    (
        "ag_certchain.apk",
        "MSFTSIG.RSA carries root, PCA and leaf; androguard reports the first certificate (the \
         root 2848..), the SignerInfo's issuer+serial names the leaf 01e1.., which apksigner reports",
    ),
    (
        "ag_apksig_mismatched_compression.apk",
        "local and central headers disagree on CERT.RSA's compression; androguard cannot read it \
         and reports no certificate, the central directory's view yields apksig's test certificate \
         fb5dbd.. (as in ag_apksig_max_eocd_comment.apk)",
    ),
];

/// Central directory offset from the end-of-central-directory record (last match of the
/// signature in the final 64 KiB + 22 bytes).
fn cd_offset(f: &[u8]) -> Option<u64> {
    let from = f.len().saturating_sub(65_535 + 22);
    let tail = f.get(from..)?;
    let pos = tail.windows(4).rposition(|w| w == b"PK\x05\x06")?;
    let at = from + pos + 16;
    let b: [u8; 4] = f.get(at..at + 4)?.try_into().ok()?;
    Some(u64::from(u32::from_le_bytes(b)))
}

fn v1_blocks(f: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(mut z) = zip::ZipArchive::new(std::io::Cursor::new(f)) else {
        return out;
    };
    for i in 0..z.len() {
        let Ok(mut e) = z.by_index(i) else { continue };
        let Ok(name) = e.name().map(|n| n.to_string()) else {
            continue;
        };
        if !crate::v1::is_v1_block_name(&name) && !crate::v1::is_sf_name(&name) {
            continue;
        }
        let mut buf = Vec::new();
        if e.read_to_end(&mut buf).is_ok() {
            out.push((name, buf));
        }
    }
    out
}

#[test]
fn corpus_matches_androguard() {
    let dir = Path::new(CORPUS);
    let Ok(expected) = std::fs::read_to_string(ANDROGUARD) else {
        println!("note: corpus not found at {CORPUS}; skipping");
        return;
    };
    let mut want: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    for line in expected.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let file = v["file"]
            .as_str()
            .unwrap()
            .trim_start_matches("apks/")
            .to_string();
        want.insert(file, v);
    }
    let known: BTreeMap<&str, &str> = KNOWN_DIFFERENCES.iter().copied().collect();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (file, exp) in &want {
        let Ok(bytes) = std::fs::read(dir.join(file)) else {
            println!("note: {file} missing; skipping it");
            continue;
        };
        let blocks = v1_blocks(&bytes);
        let refs: Vec<(&str, &[u8])> = blocks
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        let cd = cd_offset(&bytes).unwrap_or(0);
        let info = read_signing(&bytes, cd, &refs);
        checked += 1;
        let got: BTreeSet<String> = info.certificates.iter().map(|c| c.sha256.clone()).collect();
        let exp_certs: BTreeSet<String> = exp["cert_sha256"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let mut problems = Vec::new();
        if got != exp_certs {
            problems.push(format!("certs ours {got:?} androguard {exp_certs:?}"));
        }
        let s = &exp["signature_schemes"];
        for (k, ours) in [
            ("v1", info.schemes.v1),
            ("v2", info.schemes.v2),
            ("v3", info.schemes.v3),
        ] {
            if let Some(theirs) = s[k].as_bool() {
                if theirs != ours {
                    problems.push(format!("{k}: ours {ours} androguard {theirs}"));
                }
            }
        }
        println!(
            "{file}: schemes {:?} certs {} lineage {} chain {} anomalies {:?}",
            info.schemes,
            info.certificates.len(),
            info.lineage.len(),
            info.chain.len(),
            info.anomalies
        );
        if file == "ag_apksig_v1v2v3_lineage.apk" || file == "ag_tc_debug.apk" {
            for c in info.certificates.iter().chain(&info.lineage) {
                println!("  {c:?}");
            }
            println!("  v3 sdk {:?}..{:?}", info.v3_min_sdk, info.v3_max_sdk);
        }
        if file == "ag_apksig_v1v2v3_lineage.apk" {
            let lin: Vec<&str> = info.lineage.iter().map(|c| &c.sha256[..12]).collect();
            if lin != ["fb5dbd3c669a", "681b0e56a796"] {
                problems.push(format!("lineage {lin:?}"));
            }
        }
        if let Some(a) = info.anomalies.iter().find(|a| a.contains("does not parse")) {
            problems.push(a.clone());
        }
        if !problems.is_empty() {
            match known.get(file.as_str()) {
                Some(why) => println!("  known difference ({why}): {problems:?}"),
                None => failures.push(format!("{file}: {}", problems.join("; "))),
            }
        }
    }
    println!("checked {checked} APKs");
    assert!(
        failures.is_empty(),
        "disagreements:\n{}",
        failures.join("\n")
    );
}
