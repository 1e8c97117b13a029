//! Whole-pipeline tests on apps written by the fixture builders: every evidence kind, call
//! sites, data access, an R8-renamed SDK, split bundles, bare DEX and smali directories.

use trackscan_fixtures::axml::{self, AttrValue, Node};
use trackscan_fixtures::dex::{ClassDefSpec, DexBuilder, MethodDef, MethodKey, Op};
use trackscan_fixtures::zip::ZipBuilder;
use trackscan_scan::report::Finding;
use trackscan_scan::Scanner;

mod common;
use common::tracker;

fn scanner() -> Scanner {
    Scanner::with_builtin_rules().expect("built-in rules compile")
}

fn manifest() -> Vec<u8> {
    let app = Node::new("application")
        .child(Node::new("service").android(
            "name",
            AttrValue::String("com.google.android.gms.measurement.AppMeasurementService".into()),
        ))
        .child(
            Node::new("meta-data")
                .android(
                    "name",
                    AttrValue::String("com.facebook.sdk.ApplicationId".into()),
                )
                .android("value", AttrValue::String("1234567890".into())),
        );
    let mut m = axml::manifest(
        "com.example.app",
        42,
        "4.2",
        &["android.permission.INTERNET"],
    );
    // Replace the empty <application> the helper adds with ours.
    m.children.retain(|c| c.name != "application");
    let m = m.child(app);
    axml::write(&m, &axml::Options::default())
}

fn code() -> Vec<u8> {
    let get_operator = MethodKey::new(
        "Landroid/telephony/TelephonyManager;",
        "getNetworkOperatorName",
        &[],
        "Ljava/lang/String;",
    );
    let start = MethodKey::new("Lcom/appsflyer/AppsFlyerLib;", "start", &[], "V");
    DexBuilder::new()
        // The app's own code calls into AppsFlyer twice.
        .class(ClassDefSpec::new(
            "Lcom/example/app/Main;",
            vec![MethodDef::new(
                "onCreate",
                &[],
                "V",
                vec![
                    Op::InvokeStatic(start.clone()),
                    Op::InvokeStatic(start.clone()),
                    Op::ReturnVoid,
                ],
            )],
        ))
        // AppsFlyer's own code reads the carrier name.
        .class(ClassDefSpec::new(
            "Lcom/appsflyer/AppsFlyerLib;",
            vec![MethodDef::new(
                "start",
                &[],
                "V",
                vec![
                    Op::InvokeVirtual(get_operator),
                    Op::ConstString("AppsFlyer_6.9.2".into()),
                    Op::ReturnVoid,
                ],
            )],
        ))
        // An R8-renamed Branch SDK: no class name survives, its endpoint and keys do.
        .class(ClassDefSpec::new(
            "La/b/c;",
            vec![MethodDef::new(
                "a",
                &[],
                "V",
                vec![
                    Op::ConstString("https://api2.branch.io/v1/open".into()),
                    Op::ConstString("+clicked_branch_link".into()),
                    Op::ReturnVoid,
                ],
            )],
        ))
        .build()
}

fn apk() -> Vec<u8> {
    ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .deflated("classes.dex", &code())
        .stored(
            "META-INF/com.google.firebase_firebase-analytics.version",
            b"21.5.0",
        )
        .deflated("lib/arm64-v8a/libcrashlytics.so", b"\x7fELF not really")
        .deflated(
            "assets/config.json",
            br#"{"endpoint": "https://api.mixpanel.com/track"}"#,
        )
        .build()
}

fn kinds(f: &Finding) -> Vec<&str> {
    let mut k: Vec<&str> = f.evidence.iter().map(|e| e.kind.as_str()).collect();
    k.sort();
    k.dedup();
    k
}

#[test]
fn every_evidence_kind_reaches_the_report() {
    let r = scanner().scan_bytes("app.apk", &apk());
    assert!(r.errors.is_empty(), "errors: {:?}", r.errors);
    assert_eq!(r.package.as_deref(), Some("com.example.app"));
    assert_eq!(r.version_code, Some(42));
    assert_eq!(r.dex.classes, 3);

    // Classes, with call sites from the app and the data the SDK reads.
    let af = tracker(&r, "appsflyer");
    assert!(kinds(af).contains(&"class"), "{:?}", af.evidence);
    assert_eq!(af.confidence, "high");
    assert_eq!(af.sdk_version.as_deref(), Some("6.9.2"));
    let site = af
        .call_sites
        .iter()
        .find(|c| c.caller == "com.example.app.Main")
        .expect("call site from the app");
    assert_eq!(site.count, 2);
    assert!(site
        .callees
        .iter()
        .any(|c| c.ends_with("AppsFlyerLib.start")));
    assert!(
        af.data_access.iter().any(|d| d.category == "carrier"
            && d.api == "android.telephony.TelephonyManager.getNetworkOperatorName"),
        "{:?}",
        af.data_access
    );

    // Manifest + version file, no classes: medium, with the version from the file.
    let fa = tracker(&r, "google-firebase-analytics");
    assert_eq!(kinds(fa), ["manifest", "version_file"]);
    assert_eq!(fa.confidence, "medium");
    assert_eq!(fa.sdk_version.as_deref(), Some("21.5.0"));

    // Native library only.
    let cl = tracker(&r, "google-crashlytics");
    assert_eq!(kinds(cl), ["native_lib"]);
    assert_eq!(cl.evidence[0].location, "lib/arm64-v8a/libcrashlytics.so");

    // R8-renamed SDK: found by its strings and hosts, with low confidence, saying why.
    let br = tracker(&r, "branch");
    assert!(!kinds(br).contains(&"class"));
    assert!(kinds(br).contains(&"string"));
    assert_eq!(br.confidence, "low");
    assert!(!br.reason.is_empty());

    // Hosts: from DEX strings and from an asset, each with its source and owner.
    let host = |h: &str| r.hosts.iter().find(|x| x.host == h);
    let mp = host("api.mixpanel.com").expect("asset host");
    assert_eq!(mp.sources, ["assets/config.json"]);
    assert_eq!(mp.tracker.as_deref(), Some("mixpanel"));
    assert!(host("api2.branch.io").is_some_and(|h| h.sources == ["classes.dex"]));

    // Facebook meta-data alone is manifest evidence.
    assert!(r
        .trackers
        .iter()
        .any(|t| t.id.starts_with("facebook") && kinds(t) == ["manifest"]));
    assert_eq!(r.summary, format!("{} known trackers", r.trackers.len()));
}

#[test]
fn split_bundle_scans_base_and_splits_as_one_app() {
    let base = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest())
        .build();
    let split = ZipBuilder::new().deflated("classes.dex", &code()).build();
    let bundle = ZipBuilder::new()
        .stored("base.apk", &base)
        .stored("split_config.arm64_v8a.apk", &split)
        .build();
    let r = scanner().scan_bytes("app.apks", &bundle);
    assert_eq!(r.kind, "split_bundle");
    assert_eq!(r.package.as_deref(), Some("com.example.app"));
    assert_eq!(r.dex.files, 1);
    assert!(r.trackers.iter().any(|t| t.id == "appsflyer"));
    let af = tracker(&r, "appsflyer");
    assert!(af.evidence[0]
        .location
        .starts_with("split_config.arm64_v8a.apk!"));
}

#[test]
fn bare_dex_is_scanned_without_a_manifest() {
    let r = scanner().scan_bytes("classes.dex", &code());
    assert_eq!(r.kind, "dex");
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert!(r.trackers.iter().any(|t| t.id == "appsflyer"));
}

#[test]
fn smali_directory_scans_like_the_dex() {
    let dir = tempfile::tempdir().expect("tempdir");
    let builder = DexBuilder::new().class(ClassDefSpec::new(
        "Lcom/appsflyer/AppsFlyerLib;",
        vec![MethodDef::new("start", &[], "V", vec![Op::ReturnVoid])],
    ));
    for (rel, text) in builder.to_smali() {
        let p = dir.path().join("smali").join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write smali");
    }
    std::fs::write(
        dir.path().join("AndroidManifest.xml"),
        r#"<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.smali"
    android:versionCode="7" android:versionName="0.7">
  <uses-permission android:name="android.permission.INTERNET"/>
  <application/>
</manifest>"#,
    )
    .expect("write manifest");
    let r = scanner().scan_path(dir.path());
    assert_eq!(r.kind, "smali_dir");
    assert_eq!(r.package.as_deref(), Some("com.example.smali"));
    assert_eq!(r.version_code, Some(7));
    assert_eq!(r.dex.classes, 1);
    assert!(
        r.trackers.iter().any(|t| t.id == "appsflyer"),
        "{:?}",
        r.trackers
    );
}

#[test]
fn an_app_without_trackers_says_how_many_rules_were_checked() {
    let dex = DexBuilder::new()
        .class(ClassDefSpec::new(
            "Lcom/example/app/Main;",
            vec![MethodDef::new("run", &[], "V", vec![Op::ReturnVoid])],
        ))
        .build();
    let apk = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest_plain())
        .deflated("classes.dex", &dex)
        .build();
    let r = scanner().scan_bytes("clean.apk", &apk);
    assert!(r.trackers.is_empty(), "{:?}", r.trackers);
    assert!(
        r.summary.starts_with("no known trackers (") && r.summary.contains("rules checked"),
        "{}",
        r.summary
    );
}

fn manifest_plain() -> Vec<u8> {
    axml::write(
        &axml::manifest("com.example.clean", 1, "1.0", &[]),
        &axml::Options::default(),
    )
}

#[test]
fn garbage_and_truncations_never_panic() {
    let s = scanner();
    let good = apk();
    for cut in (0..good.len()).step_by(97) {
        let r = s.scan_bytes("cut.apk", &good[..cut]);
        assert!(r.package.is_some() || !r.errors.is_empty() || !r.warnings.is_empty());
    }
    let r = s.scan_bytes("noise.apk", b"PK\x03\x04 definitely not a zip");
    assert!(!r.errors.is_empty());
    assert!(r.errors[0].contains("noise.apk"), "{:?}", r.errors);
}

#[test]
fn a_known_sha256_is_taken_and_the_report_is_the_same() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("app.apk");
    std::fs::write(&path, apk()).expect("write");
    let s = scanner();
    let hashed = s.scan_path(&path);
    assert_eq!(hashed.sha256.len(), 64);
    let json = |r: &trackscan_scan::Report| serde_json::to_string(r).expect("json");
    // The right hash: the same report, byte for byte.
    let given = s.scan_path_with_sha256(&path, Some(&hashed.sha256));
    assert_eq!(json(&given), json(&hashed));
    // A hash is taken as given (the caller vouches for it), so it was not recomputed.
    let other = "ab".repeat(32);
    assert_eq!(s.scan_path_with_sha256(&path, Some(&other)).sha256, other);
    // Not a lower-case hex SHA-256: the bytes are hashed.
    for bad in ["", "AB".repeat(32).as_str(), "xyz", &"a".repeat(63)] {
        assert_eq!(
            s.scan_path_with_sha256(&path, Some(bad)).sha256,
            hashed.sha256
        );
    }
    assert_eq!(s.scan_path_with_sha256(&path, None).sha256, hashed.sha256);
}
