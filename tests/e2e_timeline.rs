//! End-to-end tests for issue #21 item 5, the timeline's manners: unreadable apps listed as
//! such, "-" for a missing version, columns that fit their content, and signing changes told
//! apart (same key, v3 rotation with lineage, unsigned copy, different key), on APKs written
//! byte by byte with `trackscan-fixtures` (real APK Signing Blocks, real X.509 certificates).

use std::path::{Path, PathBuf};

use serde_json::Value;
use trackscan_fixtures::axml::{self as fx_axml, AttrValue, Node};
use trackscan_fixtures::dex::{ClassDefSpec, DexBuilder, MethodDef, Op};
use trackscan_fixtures::signing::{self as fx_sig, CA_CERT, DEBUG_CERT, LEAF_CERT};
use trackscan_fixtures::zip::ZipBuilder;

use super::trackscan;

const PKG: &str = "com.example.signing";

fn dex() -> Vec<u8> {
    DexBuilder::new()
        .class(ClassDefSpec::new(
            "Lcom/example/signing/Main;",
            vec![MethodDef::new("run", &[], "V", vec![Op::ReturnVoid])],
        ))
        .class(ClassDefSpec::new(
            "Lcom/mixpanel/android/mpmetrics/MixpanelAPI;",
            vec![MethodDef::new("track", &[], "V", vec![Op::ReturnVoid])],
        ))
        .build()
}

fn manifest(package: &str, version: Option<(i32, &str)>) -> Vec<u8> {
    let node = match version {
        Some((code, name)) => fx_axml::manifest(package, code, name, &[]),
        None => Node::new("manifest")
            .plain("package", AttrValue::String(package.to_string()))
            .child(Node::new("application")),
    };
    fx_axml::write(&node, &fx_axml::Options::default())
}

fn apk(package: &str, version: Option<(i32, &str)>, block: Option<Vec<u8>>) -> Vec<u8> {
    let mut z = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest(package, version))
        .deflated("classes.dex", &dex());
    if let Some(b) = block {
        z = z.signing_block(&b);
    }
    z.build()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write fixture");
    p
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&std::ffi::OsStr]) -> Out {
    let out = trackscan().args(args).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    Out {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    }
}

/// Five releases: signed by A; rotated A → B (v3 lineage); B alone; a different key C; an
/// unsigned copy. Plus an app without versions, an app whose code cannot be read, and a
/// missing file, all batched into one JSON Lines file.
fn batch_fixture(dir: &Path) -> PathBuf {
    let long = "3.0.0-beta.20240101+build.1234567890-with-a-very-long-suffix";
    let inputs = [
        write(
            dir,
            "v1.apk",
            &apk(PKG, Some((1, "1.0")), Some(fx_sig::v2_v3(DEBUG_CERT))),
        ),
        write(
            dir,
            "v2.apk",
            &apk(
                PKG,
                Some((2, "2.0")),
                Some(fx_sig::rotated(DEBUG_CERT, LEAF_CERT)),
            ),
        ),
        write(
            dir,
            "v3.apk",
            &apk(
                PKG,
                Some((3, long)),
                Some(fx_sig::block(&[
                    (
                        fx_sig::ID_V2,
                        fx_sig::scheme_value(&[fx_sig::signer(&[LEAF_CERT], None, &[])]),
                    ),
                    (
                        fx_sig::ID_V3,
                        fx_sig::scheme_value(&[fx_sig::signer(
                            &[LEAF_CERT],
                            Some((24, 0x7fff_ffff)),
                            &fx_sig::lineage_attr(&[DEBUG_CERT, LEAF_CERT]),
                        )]),
                    ),
                ])),
            ),
        ),
        write(
            dir,
            "v4.apk",
            &apk(PKG, Some((4, "4.0")), Some(fx_sig::v2_v3(CA_CERT))),
        ),
        write(dir, "v5.apk", &apk(PKG, Some((5, "5.0")), None)),
        write(dir, "noversion.apk", &apk("org.example.nover", None, None)),
        write(
            dir,
            "nocode.apk",
            &ZipBuilder::new()
                .deflated("AndroidManifest.xml", &manifest(PKG, Some((6, "6.0"))))
                .deflated("classes.dex", b"dex\n035\0 this is not a DEX file")
                .build(),
        ),
    ];
    let out = dir.join("rows.jsonl");
    let missing = dir.join("missing.apk");
    let mut args: Vec<&std::ffi::OsStr> = ["batch", "--quiet", "--allow-unreadable", "-o"]
        .iter()
        .map(std::ffi::OsStr::new)
        .collect();
    args.push(out.as_os_str());
    args.extend(inputs.iter().map(|p| p.as_os_str()));
    args.push(missing.as_os_str());
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    out
}

fn timeline(rows: &Path, format: &str) -> Out {
    let r = run(&[
        "timeline".as_ref(),
        "--format".as_ref(),
        format.as_ref(),
        rows.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r
}

#[test]
fn timeline_tells_signing_changes_apart() {
    let dir = tempfile::tempdir().unwrap();
    let rows = batch_fixture(dir.path());
    let j: Value = serde_json::from_str(&timeline(&rows, "json").stdout).expect("JSON");
    let pkg = j
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["package"] == PKG)
        .expect("package timeline");
    let kinds: Vec<(u64, u64, &str, bool)> = pkg["diffs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["from"].as_u64().unwrap(),
                d["to"].as_u64().unwrap(),
                d["signing"]["kind"].as_str().unwrap_or("none"),
                d["signing_changed"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (0, 1, "rotation", false),
            (1, 2, "same_key", false),
            (2, 3, "different_key", true),
            (3, 4, "unsigned", true),
        ],
        "{pkg:#}"
    );
    // The rotation carries its proof: the lineage, old key first.
    let proof = pkg["diffs"][0]["signing"]["proof"].as_array().unwrap();
    assert_eq!(proof.len(), 2);
    assert!(
        proof[0].as_str().unwrap().contains("CN=Android Debug"),
        "{proof:?}"
    );
    assert!(
        proof[1].as_str().unwrap().contains("CN=leaf signer"),
        "{proof:?}"
    );

    let text = timeline(&rows, "text").stdout;
    assert!(text.contains("signing key rotated"), "{text}");
    assert!(text.contains("lineage: "), "{text}");
    assert_eq!(text.matches("SIGNING KEY CHANGED").count(), 1, "{text}");
    assert_eq!(text.matches("UNSIGNED COPY").count(), 1, "{text}");
    assert!(!text.contains("SIGNING CERTIFICATE CHANGED"), "{text}");
}

#[test]
fn timeline_lists_unreadable_apps_dashes_and_aligns() {
    let dir = tempfile::tempdir().unwrap();
    let rows = batch_fixture(dir.path());
    let r = timeline(&rows, "text");
    let text = &r.stdout;
    // The missing file (no package) and the app whose code could not be read are listed.
    let missing = text
        .lines()
        .find(|l| l.contains("missing.apk"))
        .unwrap_or_else(|| panic!("missing.apk not listed:\n{text}"));
    assert!(missing.contains("could not be read"), "{text}");
    let nocode = text
        .lines()
        .find(|l| l.contains("nocode.apk"))
        .unwrap_or_else(|| panic!("nocode.apk not listed:\n{text}"));
    assert!(nocode.contains("could not be read"), "{text}");
    assert!(r.stderr.contains("2 app(s)"), "{}", r.stderr);
    // A missing version is "-", and the file path appears once, in the file column.
    let nover = text.lines().find(|l| l.contains("noversion.apk")).unwrap();
    assert!(nover.trim_start().starts_with("- "), "{text}");
    assert_eq!(text.matches("noversion.apk").count(), 1, "{text}");
    // Columns fit the long version: the file column starts at one offset on every release
    // line of the package.
    let cols: Vec<usize> = text
        .lines()
        .filter(|l| l.ends_with(".apk") && !l.contains("noversion") && !l.contains("missing"))
        .map(|l| l.rfind(dir.path().to_str().unwrap()).unwrap())
        .collect();
    assert_eq!(cols.len(), 6, "{text}");
    assert!(cols.windows(2).all(|w| w[0] == w[1]), "{text}");
    // The tracker table of this package (the other package has its own widths).
    let block = text
        .split("\n\n")
        .find(|b| b.starts_with(PKG))
        .unwrap_or_else(|| panic!("no {PKG} block:\n{text}"));
    let tracker_rows: Vec<&str> = block
        .lines()
        .filter(|l| l.trim_start().starts_with("TRACKER") || l.contains("MixPanel"))
        .collect();
    assert!(tracker_rows.len() >= 2, "{text}");
    let ends: Vec<usize> = tracker_rows
        .iter()
        .map(|l| l.rfind("  ").unwrap())
        .collect();
    assert!(ends.windows(2).all(|w| w[0] == w[1]), "{text}");
    // The unreadable release is no "MixPanel removed" and "added back".
    assert!(!text.contains("- trackers"), "{text}");
    // JSON: the unreadable release is marked; the package-less row comes last.
    let j: Value = serde_json::from_str(&timeline(&rows, "json").stdout).unwrap();
    let last = j.as_array().unwrap().last().unwrap();
    assert!(last["package"].is_null(), "{j:#}");
    assert_eq!(last["releases"][0]["unreadable"], true);
    let pkg = j
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["package"] == PKG)
        .unwrap();
    let unreadable: Vec<bool> = pkg["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["unreadable"].as_bool().unwrap())
        .collect();
    assert_eq!(unreadable, [false, false, false, false, false, true]);
}

/// `trackscan diff` on the rotation pair says "rotated" with the lineage, not the red flag.
#[test]
fn diff_of_a_rotation_is_not_the_red_flag() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a.apk",
        &apk(PKG, Some((1, "1.0")), Some(fx_sig::v2_v3(DEBUG_CERT))),
    );
    let b = write(
        dir.path(),
        "b.apk",
        &apk(
            PKG,
            Some((2, "2.0")),
            Some(fx_sig::rotated(DEBUG_CERT, LEAF_CERT)),
        ),
    );
    let c = write(
        dir.path(),
        "c.apk",
        &apk(PKG, Some((2, "2.0")), Some(fx_sig::v2_v3(CA_CERT))),
    );
    let r = run(&["diff".as_ref(), a.as_os_str(), b.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("signing key rotated"), "{}", r.stdout);
    assert!(!r.stdout.contains("!!!"), "{}", r.stdout);
    let r = run(&["diff".as_ref(), a.as_os_str(), c.as_os_str()]);
    assert!(r.stdout.contains("!!! SIGNING KEY CHANGED"), "{}", r.stdout);
}
