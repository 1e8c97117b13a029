//! apktool trees: `apktool.yml` and `res/values*/` fill what apktool moves out of the text
//! manifest; the `dex` summary counts smali roots, not .smali files.

use std::path::Path;

use trackscan_scan::Scanner;

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

fn smali(class: &str) -> String {
    format!(
        ".class public L{class};\n.super Ljava/lang/Object;\n\n.method public constructor <init>()V\n    .registers 1\n    invoke-direct {{p0}}, Ljava/lang/Object;-><init>()V\n    return-void\n.end method\n"
    )
}

#[test]
fn yml_values_and_smali_roots() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "AndroidManifest.xml",
        r#"<?xml version="1.0" encoding="utf-8" standalone="no"?><manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.tree">
    <application android:label="@string/app_name" android:allowBackup="@bool/backup">
        <meta-data android:name="com.example.KEY" android:value="@string/key"/>
        <meta-data android:name="com.example.RES" android:resource="@string/key"/>
    </application>
</manifest>"#,
    );
    write(
        d,
        "apktool.yml",
        "!!brut.androlib.meta.MetaInfo\napkFileName: t.apk\nsdkInfo:\n  minSdkVersion: '21'\n  targetSdkVersion: '33'\nversion: 2.7.0\nversionInfo:\n  versionCode: '42'\n  versionName: '@string/vname'\n",
    );
    write(
        d,
        "res/values/strings.xml",
        r#"<resources><string name="app_name">Tom &amp; Jerry\'s</string><string name="vname">4.2</string><string name="key">k-1</string></resources>"#,
    );
    write(
        d,
        "res/values-fr/strings.xml",
        r#"<resources><string name="app_name">Tom et Jerry</string></resources>"#,
    );
    write(
        d,
        "res/values/bools.xml",
        r#"<resources><bool name="backup">false</bool></resources>"#,
    );
    write(d, "smali/com/example/A.smali", &smali("com/example/A"));
    write(d, "smali/com/example/B.smali", &smali("com/example/B"));
    write(
        d,
        "smali_classes2/com/example/C.smali",
        &smali("com/example/C"),
    );
    let r = Scanner::with_builtin_rules().expect("rules").scan_path(d);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.kind, "smali_dir");
    assert_eq!(r.package.as_deref(), Some("com.example.tree"));
    assert_eq!(r.version_code, Some(42));
    assert_eq!(r.version_name.as_deref(), Some("4.2"));
    assert_eq!((r.min_sdk, r.target_sdk), (Some(21), Some(33)));
    assert_eq!(r.label.as_deref(), Some("Tom & Jerry's"));
    assert_eq!(r.application.allow_backup, Some(false));
    let md: Vec<(Option<&str>, Option<&str>)> = r
        .meta_data
        .iter()
        .map(|m| (m.value.as_deref(), m.resource.as_deref()))
        .collect();
    assert_eq!(md, [(Some("k-1"), None), (None, Some("@string/key"))]);
    assert_eq!((r.dex.files, r.dex.classes), (2, 3), "{:?}", r.dex);
}

#[test]
fn manifest_values_win_over_apktool_yml() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "AndroidManifest.xml",
        r#"<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="p" android:versionCode="7" android:versionName="7.0"><uses-sdk android:minSdkVersion="19"/></manifest>"#,
    );
    write(d, "apktool.yml", "versionInfo:\n  versionCode: '1'\n  versionName: '1.0'\nsdkInfo:\n  minSdkVersion: '21'\n  targetSdkVersion: '30'\n");
    write(d, "smali/p/A.smali", &smali("p/A"));
    let r = Scanner::with_builtin_rules().expect("rules").scan_path(d);
    assert_eq!(
        (r.version_code, r.version_name.as_deref()),
        (Some(7), Some("7.0"))
    );
    assert_eq!((r.min_sdk, r.target_sdk), (Some(19), Some(30)));
}

/// The code index holds at most 65,535 input files: a bigger smali tree gets one error
/// naming the limit and how many files were left out, not one error per file.
#[test]
fn more_smali_files_than_the_index_holds_is_one_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "AndroidManifest.xml",
        r#"<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="p"/>"#,
    );
    let pkg = d.join("smali/p");
    std::fs::create_dir_all(&pkg).expect("mkdir");
    let n = usize::from(u16::MAX) + 40;
    for i in 0..n {
        std::fs::write(
            pkg.join(format!("C{i}.smali")),
            format!(".class public Lp/C{i};\n.super Ljava/lang/Object;\n"),
        )
        .expect("write");
    }
    let r = Scanner::with_builtin_rules().expect("rules").scan_path(d);
    assert_eq!(r.errors.len(), 1, "{:?}", r.errors.get(..3));
    let e = &r.errors[0];
    assert!(e.contains("40 of 65575 .smali files not read"), "{e}");
    assert!(e.contains("65535"), "{e}");
    assert_eq!(r.dex.classes, 65_535);
}

/// The SDK levels of `apktool.yml` reach the analyses that depend on them, not only the
/// report's fields: with targetSdkVersion ≥ 24 a Network Security Config domain trusts the
/// system CAs only (as in the APK), not the user-installed ones too.
#[test]
fn apktool_yml_target_sdk_drives_the_nsc_defaults() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "AndroidManifest.xml",
        r#"<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="p"><application android:networkSecurityConfig="@xml/network_security_config"/></manifest>"#,
    );
    write(
        d,
        "apktool.yml",
        "sdkInfo:\n  minSdkVersion: '21'\n  targetSdkVersion: '30'\n",
    );
    write(
        d,
        "res/xml/network_security_config.xml",
        r#"<network-security-config><domain-config><domain>example.com</domain></domain-config></network-security-config>"#,
    );
    write(d, "smali/p/A.smali", &smali("p/A"));
    let r = Scanner::with_builtin_rules().expect("rules").scan_path(d);
    assert_eq!(r.target_sdk, Some(30));
    let anchors: Vec<&Vec<String>> = r.nsc_domains.iter().map(|n| &n.trust_anchors).collect();
    assert_eq!(
        anchors,
        [&vec!["system".to_string()]],
        "{:?}",
        r.nsc_domains
    );
    assert!(!r.transport.user_cas_trusted);
}
