//! Hostile inputs through the whole pipeline: every test writes one trick with the fixture
//! builders into a temporary directory, runs the real `trackscan scan` binary on it and asserts
//! (1) what Android would see (package, permissions, classes), (2) a warning or error naming the
//! trick, and (3) that trackscan did not panic (exit code 101, "panicked" on stderr) or get
//! killed. The parser crates unit-test each trick on its own; this suite checks that the
//! anomalies survive into the report and that nothing between the parsers breaks.
//!
//! It also replays every fuzzer regression input under `fuzz/regressions/` through the scanner.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use trackscan_fixtures::axml::{
    self as fx_axml, ArscEntry, ArscValue, AttrValue, EntryTable, Node,
};
use trackscan_fixtures::dex::{ClassDefSpec, DexBuilder, MethodDef, Op};
use trackscan_fixtures::zip::{self as fx_zip, ZipBuilder};

const PKG: &str = "com.hostile.app";
const PERM: &str = "android.permission.INTERNET";

fn trackscan() -> Command {
    Command::cargo_bin("trackscan").expect("binary built")
}

/// What one run produced.
struct Run {
    doc: Value,
    code: i32,
    stderr: String,
}

impl Run {
    fn messages(&self) -> Vec<String> {
        let mut out = Vec::new();
        for key in ["warnings", "errors"] {
            for w in self.doc[key].as_array().into_iter().flatten() {
                if let Some(s) = w.as_str() {
                    out.push(s.to_string());
                }
            }
        }
        out
    }

    /// Asserts that some warning or error contains every one of `needles` (case-insensitive).
    fn expect_message(&self, needles: &[&str]) {
        let msgs = self.messages();
        let hit = msgs.iter().any(|m| {
            let m = m.to_lowercase();
            needles.iter().all(|n| m.contains(&n.to_lowercase()))
        });
        assert!(
            hit,
            "no warning/error containing {needles:?}; got {msgs:#?}\nstderr: {}",
            self.stderr
        );
    }

    fn package(&self) -> Option<&str> {
        self.doc["package"].as_str()
    }

    fn classes(&self) -> u64 {
        self.doc["dex"]["classes"].as_u64().unwrap_or(0)
    }

    fn permissions(&self) -> Vec<String> {
        self.doc["permissions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    }

    /// Android's view of the standard fixture app: package, permission and the two classes.
    fn expect_app(&self) {
        assert_eq!(
            self.package(),
            Some(PKG),
            "messages: {:#?}",
            self.messages()
        );
        assert!(
            self.permissions().iter().any(|p| p == PERM),
            "permissions: {:?}",
            self.permissions()
        );
        assert_eq!(self.classes(), 2, "messages: {:#?}", self.messages());
    }

    /// The tracker IDs found.
    fn trackers(&self) -> Vec<String> {
        self.doc["trackers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["id"].as_str().map(str::to_string))
            .collect()
    }

    /// Android's view of the fixture app built with [`tracker_dex`]: package, permission, the
    /// three classes, and the MixPanel tracker found from its class.
    fn expect_tracker_app(&self) {
        self.expect_app_with_classes(3);
        assert!(
            self.trackers().iter().any(|t| t == "mixpanel"),
            "trackers: {:?}; messages: {:#?}",
            self.trackers(),
            self.messages()
        );
    }

    /// Package and permission as [`Run::expect_app`], with `classes` classes read.
    fn expect_app_with_classes(&self, classes: u64) {
        assert_eq!(self.package(), Some(PKG), "{:#?}", self.messages());
        assert!(self.permissions().iter().any(|p| p == PERM));
        assert_eq!(self.classes(), classes, "messages: {:#?}", self.messages());
    }
}

/// Writes `bytes` as `name` into a fresh temporary directory and scans it with `extra` args.
fn scan_with(name: &str, bytes: &[u8], extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write input");
    scan_path(&path, extra)
}

fn scan_path(path: &Path, extra: &[&str]) -> Run {
    let out = trackscan()
        .arg("scan")
        .arg("--compact")
        .args(extra)
        .arg(path)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stderr.contains("panicked"),
        "trackscan panicked on {}: {stderr}",
        path.display()
    );
    let code = out
        .status
        .code()
        .expect("exited normally (not killed by a signal or the timeout)");
    assert_ne!(code, 101, "panic exit code on {}", path.display());
    assert!(
        code == 0 || code == 2,
        "unexpected exit code {code}: {stderr}"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let doc = serde_json::from_str(text.trim()).unwrap_or_else(|e| {
        panic!("stdout is not one JSON document ({e}): {text}\nstderr: {stderr}")
    });
    Run { doc, code, stderr }
}

fn scan(name: &str, bytes: &[u8]) -> Run {
    scan_with(name, bytes, &[])
}

fn manifest_node() -> Node {
    fx_axml::manifest(PKG, 7, "1.0", &[PERM])
}

fn manifest_with(opts: &fx_axml::Options) -> Vec<u8> {
    fx_axml::write(&manifest_node(), opts)
}

fn manifest() -> Vec<u8> {
    manifest_with(&fx_axml::Options::default())
}

fn dex_builder() -> DexBuilder {
    DexBuilder::new()
        .class(ClassDefSpec::new(
            "Lcom/hostile/app/Main;",
            vec![MethodDef::new(
                "run",
                &[],
                "V",
                vec![
                    Op::ConstString("https://api.hostile.example/v1".into()),
                    Op::ReturnVoid,
                ],
            )],
        ))
        .class(ClassDefSpec::new(
            "Lcom/hostile/app/Util;",
            vec![MethodDef::new("go", &[], "V", vec![Op::ReturnVoid])],
        ))
}

fn dex() -> Vec<u8> {
    dex_builder().build()
}

fn dex_with(f: impl FnOnce(&mut trackscan_fixtures::dex::Hostile)) -> Vec<u8> {
    let mut b = dex_builder();
    f(&mut b.hostile);
    b.build()
}

/// The standard DEX plus one class of a known tracker SDK (MixPanel, `com.mixpanel`).
fn tracker_dex() -> Vec<u8> {
    dex_builder()
        .class(ClassDefSpec::new(
            "Lcom/mixpanel/android/mpmetrics/MixpanelAPI;",
            vec![MethodDef::new("track", &[], "V", vec![Op::ReturnVoid])],
        ))
        .build()
}

/// A well-formed APK holding `manifest` and `dex`.
fn apk(manifest: &[u8], dex: &[u8]) -> Vec<u8> {
    ZipBuilder::new()
        .deflated("AndroidManifest.xml", manifest)
        .deflated("classes.dex", dex)
        .build()
}

// ---------------------------------------------------------------- sanity

#[test]
fn clean_fixture_app_reads_fully() {
    let r = scan("clean.apk", &apk(&manifest(), &dex()));
    r.expect_app();
    assert_eq!(r.code, 0);
}

#[test]
fn clean_tracker_app_finds_mixpanel() {
    // The baseline the zip-recovery tests compare against.
    let r = scan("clean_tracker.apk", &apk(&manifest(), &tracker_dex()));
    r.expect_tracker_app();
    assert_eq!(r.code, 0);
}

// ---------------------------------------------------------------- zip

#[test]
fn zip_local_method_disagrees_with_central_directory() {
    // The CD says deflate, the local header says stored: Android trusts the CD.
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .local_method(0)
        .deflated("classes.dex", &dex())
        .build();
    let r = scan("method.apk", &z);
    r.expect_app();
    r.expect_message(&["AndroidManifest.xml", "local header"]);
    // FindEntry never reads the local method.
    r.expect_message(&["AndroidManifest.xml", "android ignores"]);
}

#[test]
fn zip_local_sizes_disagree_with_central_directory() {
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("classes.dex", &dex())
        .local_sizes(1, 2)
        .build();
    let r = scan("sizes.apk", &z);
    r.expect_app();
    r.expect_message(&["classes.dex", "local header"]);
    // libziparchive's FindEntry refuses an entry whose local sizes disagree.
    r.expect_message(&["classes.dex", "android refuses", "FindEntry"]);
}

#[test]
fn zip_local_name_length_disagrees_with_central_directory() {
    // A longer local name shifts the data start; Android uses the local name length for that.
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .local_name("AndroidManifest.xml.with.a.much.longer.local.name")
        .deflated("classes.dex", &dex())
        .build();
    let r = scan("name.apk", &z);
    r.expect_app();
    r.expect_message(&["AndroidManifest.xml", "name"]);
    r.expect_message(&[
        "AndroidManifest.xml",
        "android refuses",
        "kInconsistentInformation",
    ]);
}

#[test]
fn zip_unknown_method_on_deflated_entry() {
    // Android's libziparchive inflates anything that is not stored.
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .declared_method(99)
        .local_method(99)
        .deflated("classes.dex", &dex())
        .build();
    let r = scan("unknown_method.apk", &z);
    r.expect_app();
    r.expect_message(&["AndroidManifest.xml", "method"]);
}

#[test]
fn zip_unknown_method_on_stored_manifest() {
    // The BadPack trick: the manifest is stored but declares method 0x5a5a in both headers.
    // Android's resource loader (androidfw ZipAssetsProvider::OpenInternal) reads every
    // non-deflate entry as stored, so the app installs; an analyser that inflates it sees none.
    let z = ZipBuilder::new()
        .stored("AndroidManifest.xml", &manifest())
        .declared_method(0x5a5a)
        .deflated("classes.dex", &tracker_dex())
        .build();
    let r = scan("badpack.apk", &z);
    r.expect_tracker_app();
    r.expect_message(&["AndroidManifest.xml", "method 23130", "stored"]);
}

#[test]
fn zip_unknown_method_stored_with_lying_compressed_size() {
    // Unknown method, compressed size not the uncompressed size and the data no deflate
    // stream: read as Android's resource loader does, `uncompressed size` bytes as they are.
    let m = manifest();
    let z = ZipBuilder::new()
        .stored("AndroidManifest.xml", &m)
        .declared_method(12)
        .declared_sizes(7, m.len() as u32)
        .deflated("classes.dex", &tracker_dex())
        .build();
    let r = scan("badpack_sizes.apk", &z);
    r.expect_tracker_app();
    r.expect_message(&["AndroidManifest.xml", "method 12", "stored"]);
}

#[test]
fn zip_unknown_method_on_stored_dex() {
    // A DEX with an unknown method: ART (libziparchive ExtractToWriter) cannot load it, but its
    // bytes are plain and an analyst wants them.
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .stored("classes.dex", &tracker_dex())
        .declared_method(99)
        .build();
    let r = scan("unknown_method_dex.apk", &z);
    r.expect_tracker_app();
    r.expect_message(&["classes.dex", "method 99", "ExtractToWriter"]);
}

#[test]
fn zip_encryption_flag_in_local_header_only() {
    // Bit 0 set only in the local header of the DEX: libziparchive never tests it.
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("classes.dex", &tracker_dex())
        .local_flags(1)
        .build();
    let r = scan("local_encrypted.apk", &z);
    r.expect_tracker_app();
    r.expect_message(&[
        "classes.dex",
        "encryption flag true vs false",
        "android ignores",
    ]);
}

#[test]
fn zip_data_descriptors() {
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .data_descriptor()
        .deflated("classes.dex", &dex())
        .data_descriptor()
        .build();
    let r = scan("dd.apk", &z);
    r.expect_app();
    // By design no warning: data descriptors are ordinary (scan::collect drops that anomaly so
    // it does not bury the ones that matter on a third of real APKs).
    assert_eq!(r.code, 0);
}

#[test]
fn zip_prepended_junk() {
    let z = ZipBuilder::new()
        .prepend(&[0x7f; 4096])
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("classes.dex", &dex())
        .build();
    let r = scan("junk.apk", &z);
    r.expect_app();
    r.expect_message(&["prepended"]);
}

#[test]
fn zip_duplicate_names_first_wins() {
    let other = fx_axml::write(
        &fx_axml::manifest("com.decoy.app", 1, "1", &[]),
        &fx_axml::Options::default(),
    );
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("AndroidManifest.xml", &other)
        .deflated("classes.dex", &dex())
        .build();
    let r = scan("dup.apk", &z);
    r.expect_app();
    r.expect_message(&["AndroidManifest.xml", "duplicate"]);
}

#[test]
fn zip_overlapping_entries() {
    // A second CD record points at the manifest's local header.
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("classes.dex", &dex())
        .deflated("res/overlay.xml", &manifest())
        .cd_only()
        .cd_local_offset(0)
        .build();
    let r = scan("overlap.apk", &z);
    r.expect_app();
    r.expect_message(&["overlap"]);
}

#[test]
fn zip_cd_offset_past_end() {
    // The end record's offset and size run past the end record ("Zip: bad offsets" in
    // libziparchive: Android refuses the file); the entries are recovered from their local
    // headers.
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("classes.dex", &tracker_dex())
        .eocd_cd_offset(0x7fff_0000)
        .eocd_cd_size(0x1000)
        .build();
    let r = scan("cd_past_end.apk", &z);
    r.expect_tracker_app();
    r.expect_message(&[
        "central directory unreadable",
        "recovered from 2 local headers",
    ]);
    r.expect_message(&["android refuses"]);
}

#[test]
fn zip_nothing_recoverable_is_an_error() {
    // An end record pointing nowhere and no local header anywhere: nothing usable, exit 2.
    let z = ZipBuilder::new()
        .eocd_entries(1)
        .eocd_cd_offset(0x7fff_0000)
        .build();
    let r = scan("nothing.apk", &z);
    assert_eq!(r.code, 2);
    r.expect_message(&["central directory"]);
}

#[test]
fn zip_cd_size_runs_past_end_record() {
    // Right offset, size too large: the directory "runs past the end record".
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .stored("classes.dex", &tracker_dex())
        .eocd_cd_size(0x00ff_ffff)
        .build();
    let r = scan("cd_size.apk", &z);
    r.expect_tracker_app();
    r.expect_message(&["recovered from 2 local headers"]);
}

#[test]
fn zip_cd_truncated_recovered() {
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("classes.dex", &tracker_dex())
        .stored("assets/x.txt", b"x")
        .cd_truncate(40)
        .build();
    let r = scan("cd_truncated.apk", &z);
    r.expect_tracker_app();
    r.expect_message(&["central directory unreadable", "local headers"]);
}

#[test]
fn zip_cd_second_record_truncated_recovers_the_rest() {
    // The first record is whole, the rest cut off: the missing entries come from local headers.
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("classes.dex", &tracker_dex())
        .cd_truncate(46 + 19 + 10)
        .build();
    let r = scan("cd_half.apk", &z);
    r.expect_tracker_app();
    r.expect_message(&["local headers"]);
}

#[test]
fn zip_cd_garbage_recovered() {
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("classes.dex", &tracker_dex())
        .cd_garbage()
        .build();
    let r = scan("cd_garbage.apk", &z);
    r.expect_tracker_app();
    r.expect_message(&[
        "central directory unreadable",
        "recovered from 2 local headers",
    ]);
}

#[test]
fn zip_eocd_declares_no_entries() {
    // Entry count 0 (libziparchive: "empty archive?", refused): the entries are recovered.
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("classes.dex", &tracker_dex())
        .eocd_entries(0)
        .build();
    let r = scan("zero_entries.apk", &z);
    r.expect_tracker_app();
    r.expect_message(&["declares no entries", "recovered from 2 local headers"]);
}

#[test]
fn zip_no_eocd_recovered() {
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("classes.dex", &tracker_dex())
        .no_eocd()
        .build();
    let r = scan("no_eocd.apk", &z);
    r.expect_tracker_app();
    r.expect_message(&["end of central directory", "local headers"]);
}

#[test]
fn zip_recovered_with_data_descriptors() {
    // Local headers with zero sizes (flag bit 3): the sizes come from the data descriptors.
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .data_descriptor()
        .deflated("classes.dex", &tracker_dex())
        .data_descriptor()
        .stored("assets/inner.apk", &apk(&manifest(), &dex()))
        .cd_garbage()
        .build();
    let r = scan("cd_garbage_dd.apk", &z);
    r.expect_tracker_app();
    // The stored inner APK's own local headers are skipped with its data, not read as entries.
    r.expect_message(&["recovered from 3 local headers"]);
}

#[test]
fn zip64_fields() {
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .zip64()
        .deflated("classes.dex", &dex())
        .zip64()
        .zip64_eocd()
        .build();
    let r = scan("zip64.apk", &z);
    r.expect_app();
    r.expect_message(&["zip64"]);
}

#[test]
fn zip_encrypted_flag_without_encryption() {
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .flags(1)
        .deflated("classes.dex", &dex())
        .flags(1)
        .build();
    let r = scan("encrypted.apk", &z);
    r.expect_app();
    r.expect_message(&["encrypt"]);
}

#[test]
fn zip_dot_dot_names() {
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("classes.dex", &dex())
        .stored("../../../../etc/passwd", b"root:x:0:0")
        .stored("/abs/path", b"x")
        .build();
    let r = scan("traversal.apk", &z);
    r.expect_app();
    r.expect_message(&["../../../../etc/passwd"]);
}

#[test]
fn zip_bomb_by_ratio() {
    // 64 MiB of zeros deflate to ~64 KiB (about 1030:1), over the default ratio limit of 1000.
    let zeros = vec![0u8; 64 << 20];
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("classes.dex", &dex())
        .deflated("assets/bomb.bin", &zeros)
        .deflated("classes2.dex", &zeros)
        .build();
    let r = scan("ratio_bomb.apk", &z);
    r.expect_app();
    r.expect_message(&["classes2.dex", "ratio"]);
}

#[test]
fn zip_bomb_declared_one_gib() {
    // Declares 1 GiB uncompressed for a few KiB of data: over max_entry_size and the ratio.
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("classes.dex", &dex())
        .deflated("classes2.dex", &vec![0u8; 1 << 20])
        .declared_uncompressed(1 << 30)
        .build();
    let r = scan("declared_bomb.apk", &z);
    r.expect_app();
    r.expect_message(&["classes2.dex", "limit"]);
}

#[test]
fn zip_bomb_lying_small_size() {
    // Declares 1 KiB but inflates to 8 MiB: the inflater stops at the declared size.
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("classes.dex", &dex())
        .deflated("classes2.dex", &vec![0u8; 8 << 20])
        .declared_uncompressed(1024)
        .build();
    let r = scan("lying_bomb.apk", &z);
    r.expect_app();
    r.expect_message(&["classes2.dex"]);
}

#[test]
fn zip_bomb_by_total_size() {
    // Each DEX is fine on its own; together they pass a lowered total budget.
    let filler = vec![0x41u8; 600 << 10];
    let mut zb = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("classes.dex", &dex());
    for i in 2..=6 {
        zb = zb.deflated(&format!("classes{i}.dex"), &filler);
    }
    let r = scan_with(
        "total_bomb.apk",
        &zb.build(),
        &["--limit", "max-total-inflated=2MiB"],
    );
    r.expect_app();
    r.expect_message(&["max-total-inflated limit"]);
}

#[test]
fn zip_bomb_by_entry_count() {
    let mut zb = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("classes.dex", &dex());
    for i in 0..300 {
        zb = zb.stored(&format!("assets/f{i}"), b"x");
    }
    let bytes = zb.build();
    let r = scan_with("entries.apk", &bytes, &["--limit", "max-entries=100"]);
    assert_eq!(r.code, 2);
    r.expect_message(&["entries", "limit 100"]);
    // With the default limits the same archive reads fine.
    scan("entries.apk", &bytes).expect_app();
}

#[test]
fn zip_eocd_entry_count_lies() {
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("classes.dex", &dex())
        .eocd_entries(65535)
        .build();
    let r = scan("count_lie.apk", &z);
    r.expect_app();
    r.expect_message(&["central directory"]);
}

#[test]
fn bundle_nested_zips_and_self_inclusion() {
    // A split bundle whose inner APKs include another bundle holding the outer bytes (the
    // closest a fixture gets to a quine): trackscan reads one level only.
    let base = apk(&manifest(), &dex());
    let inner_bundle = ZipBuilder::new().stored("base.apk", &base).build();
    let outer_once = ZipBuilder::new()
        .stored("base.apk", &base)
        .stored("split_evil.apk", &inner_bundle)
        .build();
    let outer = ZipBuilder::new()
        .stored("base.apk", &base)
        .stored("split_evil.apk", &inner_bundle)
        .stored("split_quine.apk", &outer_once)
        .build();
    let r = scan("nested.apks", &outer);
    assert_eq!(r.package(), Some(PKG), "{:#?}", r.messages());
    assert!(r.classes() >= 2);
}

#[test]
fn bundle_too_many_inner_apks() {
    let base = apk(&manifest(), &dex());
    let mut zb = ZipBuilder::new().stored("base.apk", &base);
    for i in 0..70 {
        zb = zb.stored(&format!("split_{i}.apk"), &base);
    }
    let r = scan("many.apks", &zb.build());
    assert_eq!(r.package(), Some(PKG));
    r.expect_message(&["71 APKs", "max-nested limit 64"]);
}

// ---------------------------------------------------------------- AXML

fn axml_hostile(h: fx_axml::Hostile) -> fx_axml::Options {
    fx_axml::Options {
        hostile: h,
        ..fx_axml::Options::default()
    }
}

#[test]
fn axml_wrong_chunk_size() {
    let m = manifest_with(&axml_hostile(fx_axml::Hostile {
        xml_chunk_size: Some(0x00ff_ffff),
        ..Default::default()
    }));
    let r = scan("chunk.apk", &apk(&m, &dex()));
    r.expect_app();
    r.expect_message(&["AndroidManifest.xml", "chunk declares"]);
}

#[test]
fn axml_bogus_string_count() {
    let m = manifest_with(&axml_hostile(fx_axml::Hostile {
        string_count: Some(0x4000_0000),
        ..Default::default()
    }));
    let r = scan("strcount.apk", &apk(&m, &dex()));
    assert_eq!(r.code, 0, "{:#?}", r.messages());
    r.expect_message(&["AndroidManifest.xml", "string"]);
}

#[test]
fn axml_bogus_style_count() {
    let m = manifest_with(&axml_hostile(fx_axml::Hostile {
        style_count: Some(0x4000_0000),
        ..Default::default()
    }));
    let r = scan("stylecount.apk", &apk(&m, &dex()));
    r.expect_message(&["AndroidManifest.xml"]);
}

#[test]
fn axml_bogus_string_offset() {
    // The offset of the last string (a permission name or prefix) points far away.
    let m = manifest_with(&axml_hostile(fx_axml::Hostile {
        string_offset: Some((3, 0x0fff_fff0)),
        ..Default::default()
    }));
    let r = scan("stroff.apk", &apk(&m, &dex()));
    assert_eq!(r.classes(), 2);
    r.expect_message(&["AndroidManifest.xml", "string"]);
}

#[test]
fn axml_lying_utf8_length() {
    let opts = fx_axml::Options {
        utf8: true,
        hostile: fx_axml::Hostile {
            utf8_len_lie: Some((2, 0x7fff)),
            ..Default::default()
        },
        ..fx_axml::Options::default()
    };
    let r = scan("utf8lie.apk", &apk(&manifest_with(&opts), &dex()));
    assert_eq!(r.classes(), 2);
    r.expect_message(&["AndroidManifest.xml", "string"]);
}

#[test]
fn axml_unknown_chunk_between_elements() {
    let m = manifest_with(&axml_hostile(fx_axml::Hostile {
        unknown_chunk: true,
        ..Default::default()
    }));
    let r = scan("unknown_chunk.apk", &apk(&m, &dex()));
    r.expect_app();
    r.expect_message(&["AndroidManifest.xml", "chunk"]);
}

#[test]
fn axml_invalid_attribute_name_index() {
    // The first attribute (android:versionCode) gets a name index far past the pool; the
    // package and permissions are still read.
    let m = manifest_with(&axml_hostile(fx_axml::Hostile {
        attr_name_index: Some(0x00ff_ffff),
        ..Default::default()
    }));
    let r = scan("attr_idx.apk", &apk(&m, &dex()));
    r.expect_app();
    r.expect_message(&["AndroidManifest.xml", "name"]);
}

#[test]
fn axml_missing_resource_map() {
    // Without a resource map, Android cannot tell android:name from any other "name": the
    // names are still what aapt wrote, so trackscan falls back to them with a warning.
    let opts = fx_axml::Options {
        resource_map: false,
        ..fx_axml::Options::default()
    };
    let r = scan("no_resmap.apk", &apk(&manifest_with(&opts), &dex()));
    r.expect_app();
    r.expect_message(&[
        "AndroidManifest.xml",
        "binary manifest has no resource map",
        "by name only",
    ]);
    // The clean fixture has one: no such warning.
    let clean = scan("resmap.apk", &apk(&manifest(), &dex()));
    assert!(!clean.messages().iter().any(|m| m.contains("resource map")));
}

#[test]
fn axml_namespace_tricks() {
    // android:name spelled with a look-alike namespace URI, a "name" with no namespace, and a
    // zero-sized end-namespace chunk. Without a resource map no attribute has an id, so Android
    // matches (namespace, name) and sees neither decoy; trackscan must agree and say why.
    let mut m = fx_axml::manifest(PKG, 7, "1.0", &[PERM]);
    m = m.child(Node::new("uses-permission").plain("name", AttrValue::String("evil.PERM".into())));
    let mut fake = Node::new("uses-permission");
    fake.attrs.push(fx_axml::Attr {
        namespace: Some("http://schemas.android.com/apk/res/androidx".into()),
        name: "name".into(),
        resource_id: None,
        value: AttrValue::String("fake.PERMISSION".into()),
    });
    m = m.child(fake);
    let opts = fx_axml::Options {
        resource_map: false,
        ..axml_hostile(fx_axml::Hostile {
            zero_sized_end_ns: true,
            ..Default::default()
        })
    };
    let r = scan("ns.apk", &apk(&fx_axml::write(&m, &opts), &dex()));
    r.expect_app();
    assert_eq!(r.permissions(), [PERM]);
    r.expect_message(&[
        "<uses-permission>: attribute \"name\" has namespace \"http://schemas.android.com/apk/res/androidx\", not the Android namespace",
        "ignores it",
    ]);
    r.expect_message(&["attribute \"name\" has no namespace", "ignores it"]);

    // With a resource map the decoys share the pool string "name", hence android:name's
    // resource id: Android reads them by id, and so does trackscan (still warning).
    let opts = axml_hostile(fx_axml::Hostile::default());
    let r = scan("ns_id.apk", &apk(&fx_axml::write(&m, &opts), &dex()));
    let perms = r.permissions();
    assert!(perms.iter().any(|p| p == "fake.PERMISSION"), "{perms:?}");
    r.expect_message(&["androidx", "by its resource id 0x01010003"]);
}

#[test]
fn axml_plain_text_manifest() {
    let text = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="{PKG}"
    android:versionCode="7" android:versionName="1.0">
  <uses-permission android:name="{PERM}"/>
  <application/>
</manifest>"#
    );
    let r = scan("text_manifest.apk", &apk(text.as_bytes(), &dex()));
    r.expect_app();
    // Known gap: Android's package manager rejects a text manifest; trackscan reads it
    // without a warning (scan::analyze would have to say so, parse_any also serves apktool).
}

#[test]
fn axml_garbage_manifest() {
    let r = scan("garbage_manifest.apk", &apk(&[0xffu8; 300], &dex()));
    assert_eq!(r.classes(), 2);
    r.expect_message(&["AndroidManifest.xml"]);
}

// ---------------------------------------------------------------- ARSC

fn arsc_entries() -> Vec<ArscEntry> {
    vec![
        ArscEntry::new("string", "app_name", ArscValue::String("Hostile".into())),
        ArscEntry::new("string", "other", ArscValue::String("Other".into())),
        ArscEntry::new("bool", "flag", ArscValue::Bool(true)),
    ]
}

fn labelled_manifest(entries: &[ArscEntry]) -> Vec<u8> {
    let id = fx_axml::arsc_id(entries, "string", "app_name").expect("id");
    let m = fx_axml::manifest(PKG, 7, "1.0", &[PERM]);
    let mut children = m.children.clone();
    if let Some(app) = children.iter_mut().find(|c| c.name == "application") {
        *app = app.clone().android("label", AttrValue::Reference(id));
    }
    let m = Node { children, ..m };
    fx_axml::write(&m, &fx_axml::Options::default())
}

fn apk_with_arsc(arsc: &[u8]) -> Vec<u8> {
    let entries = arsc_entries();
    ZipBuilder::new()
        .deflated("AndroidManifest.xml", &labelled_manifest(&entries))
        .stored("resources.arsc", arsc)
        .deflated("classes.dex", &dex())
        .build()
}

#[test]
fn arsc_sparse_and_offset16_entries_resolve_label() {
    for table in [EntryTable::Plain, EntryTable::Sparse, EntryTable::Offset16] {
        let r = scan(
            "arsc.apk",
            &apk_with_arsc(&fx_axml::arsc(&arsc_entries(), table)),
        );
        r.expect_app();
        assert_eq!(
            r.doc["label"].as_str(),
            Some("Hostile"),
            "{table:?}: {:#?}",
            r.messages()
        );
    }
}

#[test]
fn arsc_truncated_type_chunks() {
    let full = fx_axml::arsc(&arsc_entries(), EntryTable::Plain);
    // Cut at many points through the type chunks: never a panic, the app is still read.
    let mut warned = 0;
    for cut in (full.len() / 2..full.len()).step_by(37) {
        let r = scan(
            "arsc_cut.apk",
            &apk_with_arsc(full.get(..cut).unwrap_or(&full)),
        );
        r.expect_app();
        if r.messages().iter().any(|m| m.contains("resources.arsc")) {
            warned += 1;
        }
    }
    assert!(warned > 0, "no truncation warning named resources.arsc");
}

#[test]
fn arsc_missing_configs() {
    // A table with no type chunks at all for the referenced id: the label stays unresolved.
    let entries = arsc_entries();
    let other = vec![ArscEntry::new("color", "c", ArscValue::Int(1))];
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &labelled_manifest(&entries))
        .stored("resources.arsc", &fx_axml::arsc(&other, EntryTable::Plain))
        .deflated("classes.dex", &dex())
        .build();
    let r = scan("arsc_missing.apk", &z);
    r.expect_app();
    assert_ne!(r.doc["label"].as_str(), Some("Hostile"));
}

// ---------------------------------------------------------------- DEX

#[test]
fn dex_wrong_checksum() {
    let r = scan(
        "checksum.apk",
        &apk(&manifest(), &dex_with(|h| h.bad_checksum = true)),
    );
    r.expect_app();
    r.expect_message(&["classes.dex", "checksum"]);
}

#[test]
fn dex_wrong_file_size() {
    let r = scan(
        "size.apk",
        &apk(&manifest(), &dex_with(|h| h.file_size = Some(0x10))),
    );
    r.expect_app();
    r.expect_message(&["classes.dex", "size"]);
}

#[test]
fn dex_class_data_offset_out_of_range() {
    let r = scan(
        "cdoff.apk",
        &apk(
            &manifest(),
            &dex_with(|h| h.class_data_off = Some((0, 0x7fff_fff0))),
        ),
    );
    assert_eq!(r.package(), Some(PKG));
    assert_eq!(r.classes(), 2, "{:#?}", r.messages());
    r.expect_message(&["classes.dex"]);
}

#[test]
fn dex_huge_class_data_counts() {
    let r = scan(
        "huge.apk",
        &apk(
            &manifest(),
            &dex_with(|h| h.huge_class_data_counts = Some(0)),
        ),
    );
    assert_eq!(r.package(), Some(PKG));
    assert_eq!(r.classes(), 2);
    r.expect_message(&["classes.dex"]);
}

#[test]
fn dex_insns_off_the_end() {
    let r = scan(
        "insns.apk",
        &apk(
            &manifest(),
            &dex_with(|h| h.first_insns_size = Some(0x7fff_ffff)),
        ),
    );
    assert_eq!(r.classes(), 2);
    r.expect_message(&["classes.dex"]);
}

#[test]
fn dex_string_ids_size_two_to_the_31() {
    let r = scan(
        "strings.apk",
        &apk(
            &manifest(),
            &dex_with(|h| h.string_ids_size = Some(1 << 31)),
        ),
    );
    assert_eq!(r.package(), Some(PKG));
    r.expect_message(&["classes.dex", "string"]);
}

#[test]
fn dex_invalid_mutf8() {
    let r = scan(
        "mutf8.apk",
        &apk(
            &manifest(),
            &dex_with(|h| {
                h.raw_strings = vec![
                    vec![0xc0],
                    vec![0xed, 0xa0, 0x80, 0xff],
                    vec![0xf0, 0x9f, 0x98, 0x80],
                ];
            }),
        ),
    );
    assert_eq!(r.classes(), 2);
    // Unreferenced strings are decoded lazily (lossily): no warning, by the zero-copy design.
}

#[test]
fn dex_truncated() {
    let full = dex();
    let mut read = 0;
    for cut in (0..full.len()).step_by(53) {
        let r = scan(
            "dex_cut.apk",
            &apk(&manifest(), &dex_with(|h| h.truncate = Some(cut))),
        );
        assert_eq!(r.package(), Some(PKG));
        if r.classes() > 0 {
            read += 1;
        }
        r.expect_message(&["classes.dex"]);
    }
    assert!(read < full.len() / 53 + 1);
}

#[test]
fn dex_duplicate_classes_across_multidex() {
    // classes2.dex redefines Main: Android loads the first one, so classes stay 2 + Extra.
    let second = DexBuilder::new()
        .class(ClassDefSpec::new(
            "Lcom/hostile/app/Main;",
            vec![MethodDef::new("shadow", &[], "V", vec![Op::ReturnVoid])],
        ))
        .class(ClassDefSpec::new(
            "Lcom/hostile/app/Extra;",
            vec![MethodDef::new("x", &[], "V", vec![Op::ReturnVoid])],
        ))
        .build();
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("classes.dex", &dex())
        .deflated("classes2.dex", &second)
        .build();
    let r = scan("multidex.apk", &z);
    assert_eq!(r.package(), Some(PKG));
    assert_eq!(r.classes(), 3, "{:#?}", r.messages());
    r.expect_message(&["Lcom/hostile/app/Main;"]);
}

#[test]
fn bare_dex_with_bad_magic_version() {
    let r = scan("weird.dex", &dex_with(|h| h.magic = Some(*b"dex\n999\0")));
    // ART accepts 035..=041 only: an unknown version is not a DEX it would load.
    assert_eq!(r.code, 2, "{:#?}", r.messages());
    r.expect_message(&["bad magic", "999"]);
}

// ---------------------------------------------------------------- resource limits

/// A second DEX with one class of its own (so that classes count which DEX files were read).
fn extra_dex(class: &str) -> Vec<u8> {
    DexBuilder::new()
        .class(ClassDefSpec::new(
            class,
            vec![MethodDef::new("x", &[], "V", vec![Op::ReturnVoid])],
        ))
        .build()
}

/// The fixture app plus `classes2.dex` (one class) and `classes3.dex` (as given).
fn multidex_apk(third: &[u8]) -> Vec<u8> {
    ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("classes.dex", &dex())
        .deflated("classes2.dex", &extra_dex("Lcom/hostile/app/Two;"))
        .deflated("classes3.dex", third)
        .build()
}

#[test]
fn limit_max_dex_strings_rejects_on_the_header() {
    // 300 million strings declared in classes3.dex: rejected from the header field, before the
    // DEX parser allocates anything; the other DEX files and the manifest are still read.
    let huge = dex_with(|h| h.string_ids_size = Some(300_000_000));
    let r = scan("strings3.apk", &multidex_apk(&huge));
    r.expect_app_with_classes(3);
    assert_eq!(r.code, 0, "{:#?}", r.messages());
    let errors = r.doc["errors"].as_array().cloned().unwrap_or_default();
    assert!(
        errors.iter().any(|e| e
            == "classes3.dex: 300000000 strings, more than the max-dex-strings limit 16777216"),
        "{errors:#?}"
    );
    // A lower limit, set on the command line, applies to every DEX.
    let r = scan_with(
        "strings_low.apk",
        &multidex_apk(&extra_dex("Lcom/hostile/app/Three;")),
        &["--limit", "max-dex-strings=3"],
    );
    assert_eq!(r.package(), Some(PKG));
    assert_eq!(r.classes(), 0, "{:#?}", r.messages());
    r.expect_message(&["classes.dex:", "more than the max-dex-strings limit 3"]);
    r.expect_message(&["classes2.dex:", "max-dex-strings"]);
    // A bare DEX over the limit: nothing else to read, so the app is unreadable (exit 2).
    let r = scan("huge.dex", &huge);
    assert_eq!(r.code, 2);
    r.expect_message(&[
        "huge.dex",
        "300000000 strings",
        "max-dex-strings limit 16777216",
    ]);
}

#[test]
fn limit_max_dex_size() {
    let big = dex_with(|h| h.raw_strings = vec![vec![b'a'; 5000]]);
    let r = scan_with(
        "dexsize.apk",
        &multidex_apk(&big),
        &["--limit", "max-dex-size=4KiB"],
    );
    r.expect_app_with_classes(3);
    r.expect_message(&[
        "classes3.dex: ",
        "bytes, more than the max-dex-size limit 4096",
    ]);
    // The declared size is checked before inflating; a size that lies is caught on the bytes.
    let stored = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .stored("classes.dex", &dex())
        .stored("classes2.dex", &big)
        .build();
    let r = scan_with(
        "dexsize_stored.apk",
        &stored,
        &["--limit", "max-dex-size=4K"],
    );
    r.expect_app();
    r.expect_message(&["classes2.dex", "max-dex-size limit 4096"]);
}

#[test]
fn limit_max_dex_files() {
    let r = scan_with(
        "dexfiles.apk",
        &multidex_apk(&extra_dex("Lcom/hostile/app/Three;")),
        &["--limit", "max-dex-files=2"],
    );
    // classes.dex (2 classes) and classes2.dex (1) read, classes3.dex not.
    r.expect_app_with_classes(3);
    r.expect_message(&["classes*.dex: 3 files, more than the max-dex-files limit 2; 2 read"]);
    let all = scan(
        "dexfiles_all.apk",
        &multidex_apk(&extra_dex("Lcom/hostile/app/Three;")),
    );
    all.expect_app_with_classes(4);
    assert!(all.doc["errors"].as_array().is_none_or(|e| e.is_empty()));

    // In a split bundle the count spans the base and its splits.
    let split = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("classes.dex", &extra_dex("Lcom/hostile/app/Split;"))
        .build();
    let bundle = ZipBuilder::new()
        .stored("base.apk", &apk(&manifest(), &dex()))
        .stored("split_a.apk", &split)
        .build();
    let r = scan_with("dexfiles.apks", &bundle, &["--limit", "max-dex-files=1"]);
    r.expect_app();
    r.expect_message(&["split_a.apk!classes*.dex", "max-dex-files limit 1; 0 read"]);
}

#[test]
fn limit_bad_keys_and_values_are_usage_errors() {
    for bad in ["max-bogus=1", "max-dex-files", "max-dex-size=12Q"] {
        let out = trackscan()
            .args(["scan", "--limit", bad, "x.apk"])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--limit"), "{bad}: {err}");
    }
    let out = trackscan()
        .args(["scan", "--limit", "max-bogus=1", "x.apk"])
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&out.stderr).contains("max-dex-strings"));
}

/// Runs `trackscan batch` on `inputs` with `extra` args; returns the rows and the output path.
fn batch(dir: &Path, inputs: &[&Path], extra: &[&str]) -> (Vec<Value>, PathBuf) {
    let out = dir.join(if extra.contains(&"csv") {
        "rows.csv"
    } else {
        "rows.jsonl"
    });
    let o = trackscan()
        .args(["batch", "--quiet", "--jobs", "2", "-o"])
        .arg(&out)
        .args(extra)
        .args(inputs)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    let journal = if extra.contains(&"csv") {
        dir.join("rows.csv.jsonl")
    } else {
        out.clone()
    };
    let rows = std::fs::read_to_string(&journal)
        .expect("journal")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON row"))
        .collect::<Vec<Value>>();
    // Exit 2 exactly when some input could not be read (as `--help` says), else 0.
    let unreadable = rows.iter().any(trackscan_batch::unreadable);
    assert_eq!(
        o.status.code(),
        Some(if unreadable { 2 } else { 0 }),
        "batch exit: {stderr}"
    );
    (rows, out)
}

fn row<'a>(rows: &'a [Value], name: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["file"].as_str().is_some_and(|f| f.ends_with(name)))
        .unwrap_or_else(|| panic!("no row for {name}: {rows:#?}"))
}

#[test]
fn batch_applies_limits_to_every_app_and_keeps_going() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clean = dir.path().join("clean.apk");
    let strings = dir.path().join("strings.apk");
    let files = dir.path().join("files.apk");
    std::fs::write(&clean, apk(&manifest(), &dex())).expect("write");
    let two_dex = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("classes.dex", &dex())
        .deflated(
            "classes2.dex",
            &dex_with(|h| h.string_ids_size = Some(300_000_000)),
        )
        .build();
    std::fs::write(&strings, two_dex).expect("write");
    std::fs::write(&files, multidex_apk(&extra_dex("Lcom/hostile/app/Three;"))).expect("write");
    let (rows, _) = batch(
        dir.path(),
        &[&clean, &strings, &files],
        &[
            "--limit",
            "max-dex-files=2",
            "--limit",
            "max-dex-strings=1M",
        ],
    );
    assert_eq!(rows.len(), 3);
    assert!(row(&rows, "clean.apk")["errors"]
        .as_array()
        .is_none_or(|e| e.is_empty()));
    let s = row(&rows, "strings.apk");
    assert_eq!(s["package"], PKG);
    assert_eq!(
        s["errors"][0],
        "classes2.dex: 300000000 strings, more than the max-dex-strings limit 1048576"
    );
    assert_eq!(s["dex"]["classes"], 2);
    assert!(s["score"].is_object(), "readable app keeps its score");
    let f = row(&rows, "files.apk");
    assert_eq!(f["dex"]["classes"], 3);
    assert!(f["errors"][0]
        .as_str()
        .is_some_and(|e| e.contains("max-dex-files limit 2")));
    // Bad limits fail before any scan.
    let o = trackscan()
        .args(["batch", "--quiet", "-o"])
        .arg(dir.path().join("never.jsonl"))
        .args(["--limit", "max-nope=1"])
        .arg(&clean)
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(!dir.path().join("never.jsonl").exists());
}

#[test]
fn batch_csv_and_parquet_score_is_null_for_unreadable_apps() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clean = dir.path().join("clean.apk");
    let junk = dir.path().join("junk.apk");
    std::fs::write(&clean, apk(&manifest(), &dex())).expect("write");
    std::fs::write(&junk, [0x42u8; 5000]).expect("write");
    let (rows, csv) = batch(dir.path(), &[&clean, &junk], &["--format", "csv"]);
    assert!(row(&rows, "junk.apk")["score"].is_null());
    let grade = row(&rows, "clean.apk")["score"]["grade"]
        .as_str()
        .expect("clean app graded")
        .to_string();
    let text = std::fs::read_to_string(&csv).expect("csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let (si, gi) = (
        header.iter().position(|c| *c == "score").expect("score"),
        header.iter().position(|c| *c == "grade").expect("grade"),
    );
    let mut seen = 0;
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        if l.contains("junk.apk") {
            assert_eq!((f[si], f[gi]), ("", ""), "{l}");
        } else {
            assert!(f[si].parse::<u8>().is_ok(), "{l}");
            assert_eq!(f[gi], grade);
        }
        seen += 1;
    }
    assert_eq!(seen, 2);
}

// ---------------------------------------------------------------- signing

const V2_ID: u32 = 0x7109_871a;

fn apk_with_block(block: &[u8]) -> Vec<u8> {
    ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("classes.dex", &dex())
        .signing_block(block)
        .build()
}

#[test]
fn signing_block_unparsable_certificates() {
    let r = scan(
        "v2garbage.apk",
        &apk_with_block(&fx_zip::apk_signing_block(V2_ID, &[0x5a; 200])),
    );
    r.expect_app();
    r.expect_message(&["sign"]);
}

#[test]
fn signing_block_wrong_magic() {
    let mut b = fx_zip::apk_signing_block(V2_ID, &[0x5a; 64]);
    let n = b.len();
    if let Some(m) = b.get_mut(n - 16..) {
        m.copy_from_slice(b"APK Sig Block 43");
    }
    let r = scan("v2magic.apk", &apk_with_block(&b));
    r.expect_app();
    assert!(r.doc["signing"]["schemes"]
        .as_array()
        .is_none_or(|s| !s.iter().any(|x| x == "v2")));
}

#[test]
fn signing_block_truncated() {
    // The trailing size claims more bytes than precede the central directory.
    let mut b = fx_zip::apk_signing_block(V2_ID, &[0x5a; 64]);
    let n = b.len();
    if let Some(sz) = b.get_mut(n - 24..n - 16) {
        sz.copy_from_slice(&(1u64 << 40).to_le_bytes());
    }
    let r = scan("v2trunc.apk", &apk_with_block(&b));
    r.expect_app();
    r.expect_message(&["sign"]);
}

#[test]
fn signing_v2_pair_length_lies() {
    let mut b = fx_zip::apk_signing_block(V2_ID, &[0x5a; 64]);
    if let Some(len) = b.get_mut(8..16) {
        len.copy_from_slice(&u64::MAX.to_le_bytes());
    }
    let r = scan("v2pair.apk", &apk_with_block(&b));
    r.expect_app();
    r.expect_message(&["sign"]);
}

#[test]
fn signing_v1_unparsable_pkcs7() {
    let z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("classes.dex", &dex())
        .deflated("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\n\r\n")
        .deflated("META-INF/CERT.SF", b"Signature-Version: 1.0\r\n\r\n")
        .deflated("META-INF/CERT.RSA", &[0x30, 0x82, 0xff, 0xff, 1, 2, 3])
        .build();
    let r = scan("v1garbage.apk", &z);
    r.expect_app();
    r.expect_message(&["META-INF/CERT.RSA"]);
}

// ---------------------------------------------------------------- other inputs

#[test]
fn not_an_app_at_all() {
    let r = scan("random.apk", &[0x42u8; 5000]);
    assert_eq!(r.code, 2);
    assert!(!r.messages().is_empty());
}

#[test]
fn empty_file() {
    let r = scan("empty.apk", &[]);
    assert_eq!(r.code, 2);
    assert!(!r.messages().is_empty());
}

// ---------------------------------------------------------------- fuzz regressions

fn regressions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions")
}

/// Every input a fuzzer ever crashed or hung on, replayed through the CLI.
#[test]
fn fuzz_regressions_replay() {
    let dir = regressions_dir();
    let Ok(targets) = std::fs::read_dir(&dir) else {
        eprintln!("note: {} not found; nothing to replay", dir.display());
        return;
    };
    let mut n = 0;
    for t in targets.flatten() {
        let Ok(files) = std::fs::read_dir(t.path()) else {
            continue;
        };
        for f in files.flatten() {
            if f.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let target = t.file_name().to_string_lossy().into_owned();
            let raw = std::fs::read(f.path()).expect("regression readable");
            // Put the bytes where the target's parser meets them in an app.
            let (name, bytes) = match target.as_str() {
                "dex" => ("input.dex", raw),
                "axml" => ("input.apk", apk(&raw, &dex())),
                "arsc" => ("input.apk", apk_with_arsc(&raw)),
                "nsc" => (
                    "input.apk",
                    ZipBuilder::new()
                        .deflated("AndroidManifest.xml", &manifest())
                        .deflated("res/xml/network_security_config.xml", &raw)
                        .build(),
                ),
                "smali" => {
                    let dir = tempfile::tempdir().expect("tempdir");
                    let sm = dir.path().join("smali/a");
                    std::fs::create_dir_all(&sm).expect("mkdir");
                    std::fs::write(sm.join("B.smali"), &raw).expect("write");
                    let _ = scan_path(dir.path(), &[]);
                    n += 1;
                    continue;
                }
                _ => ("input.apk", raw),
            };
            let _ = scan(name, &bytes);
            n += 1;
        }
    }
    eprintln!("replayed {n} fuzz regression inputs");
}
