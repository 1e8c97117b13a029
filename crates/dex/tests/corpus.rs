//! Corpus test: every `classes*.dex` of every APK in the shared corpus is parsed and indexed
//! without panic, and the distinct class count equals androguard's.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::process::Command;

use trackscan_dex::{CodeIndex, IndexBuilder};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

/// `classesN.dex` entries of an APK, in multidex order (classes.dex, classes2.dex, …).
fn dex_entries(apk: &Path) -> Result<Vec<(String, Vec<u8>)>, String> {
    let f = std::fs::File::open(apk).map_err(|e| e.to_string())?;
    let mut z = zip::ZipArchive::new(f).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for i in 0..z.len() {
        let mut e = z.by_index(i).map_err(|e| e.to_string())?;
        let name = e.name().map_err(|e| e.to_string())?.to_string();
        let Some(num) = name
            .strip_prefix("classes")
            .and_then(|r| r.strip_suffix(".dex"))
        else {
            continue;
        };
        let n: u32 = if num.is_empty() {
            1
        } else {
            match num.parse() {
                Ok(n) => n,
                Err(_) => continue,
            }
        };
        let mut buf = Vec::new();
        e.read_to_end(&mut buf)
            .map_err(|e| format!("{name}: {e}"))?;
        out.push((n, name, buf));
    }
    out.sort_by_key(|e| e.0);
    Ok(out.into_iter().map(|(_, n, b)| (n, b)).collect())
}

fn expected() -> HashMap<String, u64> {
    let text =
        std::fs::read_to_string(format!("{CORPUS}/expected/androguard.jsonl")).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| {
            let file = v
                .get("file")?
                .as_str()?
                .trim_start_matches("apks/")
                .to_string();
            Some((file, v.get("classes")?.as_u64()?))
        })
        .collect()
}

fn build<'a>(dexes: &'a [(String, Vec<u8>)]) -> (CodeIndex<'a>, usize) {
    let mut b = IndexBuilder::new();
    let mut failed = 0;
    for (name, bytes) in dexes {
        if b.add_dex(name, bytes).is_err() {
            failed += 1;
        }
    }
    (b.finish(), failed)
}

#[test]
fn corpus_class_counts_match_androguard() {
    let dir = Path::new(CORPUS).join("apks");
    let Ok(rd) = std::fs::read_dir(&dir) else {
        println!("corpus not found at {}, skipping", dir.display());
        return;
    };
    let want = expected();
    let mut apks: Vec<_> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    apks.sort();
    let (mut checked, mut mismatches) = (0, Vec::new());
    for apk in &apks {
        let name = apk
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let dexes = match dex_entries(apk) {
            Ok(d) => d,
            Err(e) => {
                println!("{name}: zip crate cannot open it ({e}); skipped");
                continue;
            }
        };
        let start = std::time::Instant::now();
        let (idx, failed) = build(&dexes);
        let took = start.elapsed();
        let st = idx.stats();
        println!(
            "{name}: {} dex, {} bytes, {} classes, {} methods, {} warnings, {failed} unparsable, {:?}",
            st.files,
            st.bytes,
            st.classes,
            st.methods,
            idx.warnings().len(),
            took
        );
        if let Some(&n) = want.get(&name) {
            checked += 1;
            if n != idx.class_count() as u64 {
                mismatches.push(format!("{name}: androguard {n}, we {}", idx.class_count()));
            }
        }
    }
    println!("{checked} APKs compared with androguard");
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

/// Compares the class list with `dexdump -f` … `Class descriptor` lines when dexdump exists.
#[test]
fn corpus_class_lists_match_dexdump() {
    let dir = Path::new(CORPUS).join("apks");
    let Ok(rd) = std::fs::read_dir(&dir) else {
        println!("corpus not found, skipping");
        return;
    };
    if Command::new("dexdump").arg("-h").output().is_err() {
        println!("dexdump not installed, skipping");
        return;
    }
    let tmp = std::env::temp_dir().join(format!("trackscan-dex-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&tmp);
    let mut apks: Vec<_> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    apks.sort();
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for apk in &apks {
        let name = apk
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let Ok(dexes) = dex_entries(apk) else {
            continue;
        };
        for (dname, bytes) in &dexes {
            let path = tmp.join("x.dex");
            if std::fs::write(&path, bytes).is_err() {
                continue;
            }
            let Ok(out) = Command::new("dexdump").arg("-h").arg(&path).output() else {
                continue;
            };
            if !out.status.success() {
                println!("{name}/{dname}: dexdump failed; skipped");
                continue;
            }
            let text = String::from_utf8_lossy(&out.stdout);
            let mut theirs: Vec<String> = text
                .lines()
                .filter_map(|l| l.trim().strip_prefix("Class descriptor  : '"))
                .filter_map(|l| l.strip_suffix('\''))
                .map(str::to_string)
                .collect();
            theirs.sort();
            theirs.dedup();
            let one = [(dname.clone(), bytes.clone())];
            let (idx, _) = build(&one);
            let ours: Vec<String> = idx.classes().map(|c| c.descriptor().to_string()).collect();
            compared += 1;
            if ours != theirs {
                mismatches.push(format!(
                    "{name}/{dname}: dexdump {} classes, we {}",
                    theirs.len(),
                    ours.len()
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    println!("{compared} DEX files compared with dexdump");
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

/// Per-opcode-family instruction counts of every method of `bytes`, walked with our parser.
fn our_counts(bytes: &[u8]) -> [u64; 4] {
    let mut n = [0u64; 4];
    let Ok(dex) = trackscan_dex::DexFile::parse(bytes) else {
        return n;
    };
    for def in dex.class_defs().flatten() {
        let Ok(data) = dex.class_data(&def) else {
            continue;
        };
        for m in data.methods {
            let Ok(Some(code)) = dex.code_item(m.method_idx, m.code_off) else {
                continue;
            };
            for insn in code.instructions().flatten() {
                if insn.payload.is_some() {
                    continue;
                }
                match insn.opcode {
                    0x1a | 0x1b => n[0] += 1,
                    0x6e..=0x72 | 0x74..=0x78 | 0xfa..=0xfd => n[1] += 1,
                    0x52..=0x6d => n[2] += 1,
                    0x1c | 0x1f | 0x20 | 0x22 => n[3] += 1,
                    _ => {}
                }
            }
        }
    }
    n
}

/// The same counts from `dexdump -d` disassembly.
fn dexdump_counts(text: &str) -> [u64; 4] {
    let mut n = [0u64; 4];
    for l in text.lines() {
        let Some((_, ins)) = l.split_once('|') else {
            continue;
        };
        let Some((_, ins)) = ins.split_once(": ") else {
            continue;
        };
        let op = ins.split_whitespace().next().unwrap_or_default();
        let family = ["iget", "iput", "sget", "sput"];
        if op.starts_with("const-string") {
            n[0] += 1;
        } else if op.starts_with("invoke-") {
            n[1] += 1;
        } else if family.iter().any(|f| op.starts_with(f)) {
            n[2] += 1;
        } else if matches!(
            op,
            "const-class" | "check-cast" | "instance-of" | "new-instance"
        ) {
            n[3] += 1;
        }
    }
    n
}

/// Compares the instruction walker with `dexdump -d` on the smaller corpus DEX files.
#[test]
fn corpus_instruction_counts_match_dexdump() {
    let dir = Path::new(CORPUS).join("apks");
    let Ok(rd) = std::fs::read_dir(&dir) else {
        println!("corpus not found, skipping");
        return;
    };
    if Command::new("dexdump").arg("-h").output().is_err() {
        println!("dexdump not installed, skipping");
        return;
    }
    let tmp = std::env::temp_dir().join(format!("trackscan-dex-d-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&tmp);
    let mut apks: Vec<_> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    apks.sort();
    let (mut compared, mut mismatches, mut total) = (0, Vec::new(), 0u64);
    for apk in &apks {
        let name = apk
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let Ok(dexes) = dex_entries(apk) else {
            continue;
        };
        for (dname, bytes) in dexes.iter().filter(|d| d.1.len() < 700_000) {
            let path = tmp.join("x.dex");
            if std::fs::write(&path, bytes).is_err() {
                continue;
            }
            let Ok(out) = Command::new("dexdump").arg("-d").arg(&path).output() else {
                continue;
            };
            if !out.status.success() {
                continue;
            }
            let theirs = dexdump_counts(&String::from_utf8_lossy(&out.stdout));
            let ours = our_counts(bytes);
            compared += 1;
            total += ours.iter().sum::<u64>();
            if ours != theirs {
                mismatches.push(format!("{name}/{dname}: dexdump {theirs:?}, we {ours:?}"));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    println!("{compared} DEX files disassembled by dexdump and compared ({total} instructions)");
    assert!(apks.is_empty() || (compared > 0 && total > 0));
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

/// Truncations and byte corruptions of a real DEX: indexing and every query must not panic.
#[test]
fn corrupted_real_dex_never_panics() {
    let apk = Path::new(CORPUS).join("apks/ag_tc_debug.apk");
    let Ok(dexes) = dex_entries(&apk) else {
        println!("corpus not found, skipping");
        return;
    };
    let Some((_, good)) = dexes.into_iter().next() else {
        println!("no classes.dex in {}, skipping", apk.display());
        return;
    };
    let exercise = |bytes: &[u8]| {
        let mut b = IndexBuilder::new();
        let _ = b.add_dex("classes.dex", bytes);
        let idx = b.finish();
        let _ = idx.stats();
        for c in idx.classes() {
            let _ = (c.superclass(), c.interfaces());
            for m in c.methods() {
                let _ = (m.name(), m.proto(), m.body_kind(), m.strings().count());
                let _ = (
                    m.invokes().count(),
                    m.field_refs().count(),
                    m.type_refs().count(),
                );
            }
        }
        let _ = idx.all_strings().count();
        let _ = idx.callers_into("Landroid/");
        let _ = idx.invokes_from_prefix("L").count();
        let _ = idx.string_users("x");
    };
    for n in (0..good.len()).step_by(7) {
        exercise(good.get(..n).unwrap_or_default());
    }
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..1500 {
        let mut bad = good.clone();
        for _ in 0..4 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let pos = (seed >> 33) as usize % bad.len().max(1);
            if let Some(b) = bad.get_mut(pos) {
                *b = (seed >> 20) as u8;
            }
        }
        exercise(&bad);
    }
}

/// The corpus APKs, sorted (`None` when the corpus is absent).
fn corpus_apks() -> Option<Vec<std::path::PathBuf>> {
    let rd = std::fs::read_dir(Path::new(CORPUS).join("apks")).ok()?;
    let mut apks: Vec<_> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    apks.sort();
    Some(apks)
}

/// The naive form of [`CodeIndex::links`]: every method reference of every class, resolved
/// and tested against every group's prefixes.
#[allow(clippy::type_complexity)]
fn naive_links(
    idx: &CodeIndex<'_>,
    groups: &[&[String]],
) -> (
    Vec<Vec<(String, String, String, u32)>>,
    Vec<Vec<(String, u16, u32)>>,
) {
    let mut calls: Vec<std::collections::BTreeMap<(String, String, String), u32>> =
        vec![Default::default(); groups.len()];
    let mut inside = vec![Vec::new(); groups.len()];
    idx.for_each_method_ref_from_prefix("L", |caller, file, m| {
        let (class, name) = idx.method_target(file, m).unwrap_or_default();
        for (g, ps) in groups.iter().enumerate() {
            let caller_in = ps.iter().any(|p| caller.starts_with(p.as_str()));
            if caller_in {
                inside[g].push((caller.to_string(), file, m));
            } else if ps.iter().any(|p| class.starts_with(p.as_str())) {
                *calls[g]
                    .entry((caller.to_string(), class.to_string(), name.to_string()))
                    .or_insert(0) += 1;
            }
        }
    });
    let calls = calls
        .into_iter()
        .map(|m| m.into_iter().map(|((a, b, c), n)| (a, b, c, n)).collect())
        .collect();
    (calls, inside)
}

#[test]
fn links_equal_the_naive_walk_on_the_corpus() {
    let Some(apks) = corpus_apks() else {
        println!("corpus not found, skipping");
        return;
    };
    let owned: Vec<Vec<String>> = [
        &["Lcom/google/"][..],
        &["Lcom/google/android/gms/", "Lcom/google/firebase/"],
        &["Landroid/", "Landroidx/"],
        &["Ljava/lang/"],
        &["Lcom/", "Lorg/"],
        &["Lokhttp3/", "Lcom/squareup/okhttp/", "Lokhttp3/internal/"],
        &["Lcom/facebook/"],
    ]
    .iter()
    .map(|g| g.iter().map(|s| s.to_string()).collect())
    .collect();
    let groups: Vec<&[String]> = owned.iter().map(Vec::as_slice).collect();
    let mut checked = 0;
    // Every third APK keeps the test quick; the groups overlap on purpose.
    for apk in apks.iter().step_by(3) {
        let Ok(dexes) = dex_entries(apk) else {
            continue;
        };
        if dexes.is_empty() {
            continue;
        }
        let (idx, _) = build(&dexes);
        let mut inside = vec![Vec::new(); groups.len()];
        let calls = idx.links(&groups, |g, caller, file, m| {
            inside[g].push((caller.to_string(), file, m))
        });
        let (want_calls, want_inside) = naive_links(&idx, &groups);
        let got_calls: Vec<Vec<(String, String, String, u32)>> = calls
            .into_iter()
            .map(|v| {
                v.into_iter()
                    .map(|c| {
                        (
                            c.caller_class.into_owned(),
                            c.callee_class.into_owned(),
                            c.callee_method.into_owned(),
                            c.count,
                        )
                    })
                    .collect()
            })
            .collect();
        assert_eq!(got_calls, want_calls, "{}", apk.display());
        assert_eq!(inside, want_inside, "{}", apk.display());
        checked += 1;
    }
    println!("links checked on {checked} APKs");
}

#[test]
fn method_ids_by_class_prefix_equal_a_linear_scan_on_the_corpus() {
    let Some(apks) = corpus_apks() else {
        println!("corpus not found, skipping");
        return;
    };
    let prefixes = [
        "Landroid/telephony/TelephonyManager;",
        "Landroid/provider/ContactsContract",
        "Ljava/lang/",
        "Landroid/",
        "L",
        "Lzzz/",
    ];
    let mut checked = 0;
    for apk in apks.iter().step_by(4) {
        let Ok(dexes) = dex_entries(apk) else {
            continue;
        };
        let (idx, _) = build(&dexes);
        for p in prefixes {
            let mut got = Vec::new();
            idx.for_each_method_id_with_class_prefix(p, |f, m, c, n| {
                got.push((f, m, c.to_string(), n.to_string()))
            });
            let mut want = Vec::new();
            for f in 0..dexes.len() as u16 {
                let Some(d) = idx.dex(f) else { continue };
                for m in 0..d.method_count() {
                    let (c, n) = idx.method_target(f, m).unwrap_or_default();
                    if c.starts_with(p) {
                        want.push((f, m, c.to_string(), n.to_string()));
                    }
                }
            }
            // The index groups by type: compare as sets.
            got.sort();
            assert_eq!(got, want, "{} {p}", apk.display());
        }
        checked += 1;
    }
    println!("method ids by class prefix checked on {checked} APKs");
}

#[test]
fn static_fields_only_equal_the_full_class_data_on_the_corpus() {
    let Some(apks) = corpus_apks() else {
        println!("corpus not found, skipping");
        return;
    };
    let mut with_statics = 0usize;
    for apk in apks.iter().step_by(5) {
        let Ok(dexes) = dex_entries(apk) else {
            continue;
        };
        for (name, bytes) in &dexes {
            let Ok(dex) = trackscan_dex::DexFile::parse(bytes) else {
                continue;
            };
            let mut only = trackscan_dex::ClassData::default();
            for def in dex.class_defs().flatten() {
                let full = dex.class_data(&def);
                let got = dex.static_fields_into(&def, &mut only);
                // A header that fails fails the same way; later members are not read.
                if let Ok(full) = full {
                    assert!(got.is_ok(), "{} {name}", apk.display());
                    assert_eq!(only.static_fields, full.static_fields);
                    assert!(only.instance_fields.is_empty() && only.methods.is_empty());
                    with_statics += usize::from(!full.static_fields.is_empty());
                }
            }
        }
    }
    println!("{with_statics} classes with static fields compared");
    assert!(with_statics > 0 || apks.is_empty());
}
