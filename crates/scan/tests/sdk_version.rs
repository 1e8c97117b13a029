//! SDK versions and their sources through the whole pipeline: a version file, a distinctive
//! string, a rule's named `version_class` constant, and a `BuildConfig` constant of the SDK's
//! own code (never the app's).

use trackscan_fixtures::axml;
use trackscan_fixtures::dex::{
    ClassDefSpec, DexBuilder, FieldDef, MethodDef, MethodKey, Op, StaticValue,
};
use trackscan_fixtures::zip::ZipBuilder;
use trackscan_scan::{Report, Scanner};

mod common;
use common::tracker;

const S: &str = "Ljava/lang/String;";

fn code() -> DexBuilder {
    let track = MethodKey::new(
        "Lcom/mixpanel/android/mpmetrics/MixpanelAPI;",
        "track",
        &[S],
        "V",
    );
    DexBuilder::new()
        .class(
            ClassDefSpec::new("Lcom/example/app/BuildConfig;", vec![]).field(FieldDef::constant(
                "VERSION_NAME",
                S,
                StaticValue::Str("1.0.0".into()),
            )),
        )
        .class(ClassDefSpec::new(
            "Lcom/example/app/Main;",
            vec![MethodDef::new(
                "onCreate",
                &[],
                "V",
                vec![Op::InvokeVirtual(track), Op::ReturnVoid],
            )],
        ))
        // Mixpanel: no version file, no version string; its BuildConfig keeps the version.
        .class(ClassDefSpec::new(
            "Lcom/mixpanel/android/mpmetrics/MixpanelAPI;",
            vec![MethodDef::new("track", &[S], "V", vec![Op::ReturnVoid])],
        ))
        .class(
            ClassDefSpec::new("Lcom/mixpanel/android/BuildConfig;", vec![])
                .field(FieldDef::constant("DEBUG", "Z", StaticValue::Bool(false)))
                .field(FieldDef::constant(
                    "VERSION_NAME",
                    S,
                    StaticValue::Str("7.3.1".into()),
                ))
                .field(FieldDef::constant(
                    "LIBRARY_PACKAGE_NAME",
                    S,
                    StaticValue::Str("com.mixpanel.android".into()),
                )),
        )
        // OneSignal: the rule names `com.onesignal.OneSignal.VERSION`; a BuildConfig elsewhere
        // under the prefix says something else and must lose.
        .class(
            ClassDefSpec::new(
                "Lcom/onesignal/OneSignal;",
                vec![MethodDef::new("init", &[], "V", vec![Op::ReturnVoid])],
            )
            .field(FieldDef::constant(
                "VERSION",
                S,
                StaticValue::Str("040512".into()),
            ))
            .field(FieldDef::constant(
                "SDK_VERSION",
                S,
                StaticValue::Str("4.5.12".into()),
            )),
        )
        // AppsFlyer: the version is in a distinctive string.
        .class(ClassDefSpec::new(
            "Lcom/appsflyer/AppsFlyerLib;",
            vec![MethodDef::new(
                "start",
                &[],
                "V",
                vec![Op::ConstString("AppsFlyer_6.9.2".into()), Op::ReturnVoid],
            )],
        ))
        // Branch: a version constant that is not version-like gives no version.
        .class(ClassDefSpec::new(
            "Lio/branch/referral/Branch;",
            vec![MethodDef::new(
                "getInstance",
                &[],
                "V",
                vec![Op::ReturnVoid],
            )],
        ))
        .class(
            ClassDefSpec::new("Lio/branch/referral/BuildConfig;", vec![]).field(
                FieldDef::constant("VERSION_NAME", S, StaticValue::Str("release".into())),
            ),
        )
}

fn apk() -> Vec<u8> {
    let manifest = axml::write(
        &axml::manifest(
            "com.example.app",
            1,
            "1.0",
            &["android.permission.INTERNET"],
        ),
        &axml::Options::default(),
    );
    ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest)
        .deflated("classes.dex", &code().build())
        .stored(
            "META-INF/com.google.firebase_firebase-analytics.version",
            b"21.5.0",
        )
        .build()
}

fn check(r: &Report) {
    let version = |id: &str| {
        let t = tracker(r, id);
        (t.sdk_version.clone(), t.sdk_version_source.clone())
    };
    assert_eq!(
        version("mixpanel"),
        (
            Some("7.3.1".into()),
            Some("constant:Lcom/mixpanel/android/BuildConfig;->VERSION_NAME".into())
        )
    );
    assert_eq!(
        version("onesignal"),
        (
            Some("4.5.12".into()),
            // The named constant, read in the rule's `two_digit_parts` format ("040512").
            Some("constant:Lcom/onesignal/OneSignal;->VERSION".into())
        )
    );
    assert_eq!(
        version("appsflyer"),
        (Some("6.9.2".into()), Some("string:AppsFlyer_6.9.2".into()))
    );
    assert_eq!(version("branch"), (None, None));
}

#[test]
fn versions_from_files_strings_and_constants() {
    let scanner = Scanner::with_builtin_rules().expect("built-in rules compile");
    let r = scanner.scan_bytes("app.apk", &apk());
    assert!(r.errors.is_empty(), "errors: {:?}", r.errors);
    check(&r);
    let fa = tracker(&r, "google-firebase-analytics");
    assert_eq!(fa.sdk_version.as_deref(), Some("21.5.0"));
    assert_eq!(
        fa.sdk_version_source.as_deref(),
        Some("version_file:META-INF/com.google.firebase_firebase-analytics.version")
    );
    // The JSON carries the source; a finding without a version has none.
    let json = serde_json::to_value(&r).unwrap();
    let trackers = json["trackers"].as_array().unwrap();
    let mp = trackers.iter().find(|t| t["id"] == "mixpanel").unwrap();
    assert_eq!(
        mp["sdk_version_source"],
        "constant:Lcom/mixpanel/android/BuildConfig;->VERSION_NAME"
    );
    let br = trackers.iter().find(|t| t["id"] == "branch").unwrap();
    assert!(br.get("sdk_version_source").is_none());
}

#[test]
fn smali_directory_gives_the_same_versions() {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in code().to_smali() {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let scanner = Scanner::with_builtin_rules().expect("built-in rules compile");
    let r = scanner.scan_path(dir.path());
    check(&r);
}

/// Google Play services / Firebase write `<artifact>.properties` at the APK's root (`version=`)
/// and Fabric `fabric/<kit>.properties` (`fabric-version=`); apktool keeps both under
/// `unknown/`. The rule's best-ranked file wins over one listed later, whatever the zip order.
#[test]
fn versions_from_properties_in_an_apk_and_an_apktool_tree() {
    let manifest = axml::write(
        &axml::manifest("com.example.app", 1, "1.0", &[]),
        &axml::Options::default(),
    );
    let files: [(&str, &[u8]); 3] = [
        (
            "play-services-measurement-base.properties",
            b"version=17.4.2\nclient=play-services-measurement-base\n",
        ),
        (
            "firebase-analytics.properties",
            b"version=17.4.3\nclient=firebase-analytics\nfirebase-analytics_client=17.4.3\n",
        ),
        (
            "fabric/com.crashlytics.sdk.android.crashlytics.properties",
            b"fabric-identifier=com.crashlytics.sdk.android:crashlytics\nfabric-version=2.6.7\n",
        ),
    ];
    let mut zip = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest)
        .deflated("classes.dex", &code().build());
    for (n, b) in files {
        zip = zip.deflated(n, b);
    }
    let scanner = Scanner::with_builtin_rules().expect("built-in rules compile");
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in code().to_smali() {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    for (n, b) in files {
        let p = dir.path().join("unknown").join(n);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b).unwrap();
    }
    for r in [
        scanner.scan_bytes("app.apk", &zip.build()),
        scanner.scan_path(dir.path()),
    ] {
        let fa = tracker(&r, "google-firebase-analytics");
        assert_eq!(fa.sdk_version.as_deref(), Some("17.4.3"), "{}", r.file);
        assert_eq!(
            fa.sdk_version_source.as_deref(),
            Some("version_file:firebase-analytics.properties")
        );
        let cr = tracker(&r, "google-crashlytics");
        assert_eq!(cr.sdk_version.as_deref(), Some("2.6.7"));
        assert_eq!(
            cr.sdk_version_source.as_deref(),
            Some("version_file:fabric/com.crashlytics.sdk.android.crashlytics.properties")
        );
    }
}
