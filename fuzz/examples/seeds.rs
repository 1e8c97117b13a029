//! Writes seed corpora for every fuzz target into `fuzz/corpus/<target>/` (not committed):
//! fixture-built zips, manifests, resource tables, DEX and smali files, signing blocks and NSC
//! files, clean and hostile, plus the small (< 64 KiB) APKs of the shared corpus when present.
//!
//! Run: `cargo run --manifest-path fuzz/Cargo.toml --example seeds`

use std::path::{Path, PathBuf};

use trackscan_fixtures::axml::{self, ArscEntry, ArscValue, AttrValue, EntryTable, Node};
use trackscan_fixtures::dex::{ClassDefSpec, DexBuilder, MethodDef, MethodKey, Op};
use trackscan_fixtures::zip::{apk_signing_block, ZipBuilder};

fn put(root: &Path, target: &str, name: &str, bytes: &[u8]) {
    let dir = root.join(target);
    std::fs::create_dir_all(&dir).expect("create corpus dir");
    std::fs::write(dir.join(name), bytes).expect("write seed");
}

fn dex() -> DexBuilder {
    DexBuilder::new().class(ClassDefSpec::new(
        "Lcom/example/Main;",
        vec![MethodDef::new(
            "run",
            &["Ljava/lang/String;"],
            "V",
            vec![
                Op::ConstString("https://app-measurement.com/a".into()),
                Op::NewInstance("Lokhttp3/CertificatePinner$Builder;".into()),
                Op::InvokeStatic(MethodKey::new(
                    "Lcom/google/firebase/analytics/FirebaseAnalytics;",
                    "getInstance",
                    &["Landroid/content/Context;"],
                    "Lcom/google/firebase/analytics/FirebaseAnalytics;",
                )),
                Op::ReturnVoid,
            ],
        )],
    ))
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let manifest_node = axml::manifest("com.example", 3, "1.0", &["android.permission.INTERNET"]);
    let manifest = axml::write(&manifest_node, &axml::Options::default());
    let manifest8 = axml::write(
        &manifest_node,
        &axml::Options {
            utf8: true,
            ..axml::Options::default()
        },
    );
    put(&root, "axml", "manifest16", &manifest);
    put(&root, "axml", "manifest8", &manifest8);
    put(
        &root,
        "axml",
        "text",
        br#"<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="a.b"><uses-permission android:name="x"/><application android:label="@string/app_name"/></manifest>"#,
    );
    let h = axml::Options {
        hostile: axml::Hostile {
            unknown_chunk: true,
            attr_name_index: Some(999),
            ..Default::default()
        },
        ..axml::Options::default()
    };
    put(&root, "axml", "hostile", &axml::write(&manifest_node, &h));

    let entries = vec![
        ArscEntry::new("string", "app_name", ArscValue::String("App".into())),
        ArscEntry::new("bool", "b", ArscValue::Bool(true)),
        ArscEntry::new("xml", "network_security_config", ArscValue::String("res/xml/network_security_config.xml".into())),
        ArscEntry::new("style", "s", ArscValue::Complex),
    ];
    for (n, t) in [("plain", EntryTable::Plain), ("sparse", EntryTable::Sparse), ("off16", EntryTable::Offset16)] {
        put(&root, "arsc", n, &axml::arsc(&entries, t));
    }

    let d = dex();
    let dex_bytes = d.build();
    put(&root, "dex", "clean", &dex_bytes);
    let mut hd = dex();
    hd.hostile.huge_class_data_counts = Some(0);
    put(&root, "dex", "huge_counts", &hd.build());
    for (rel, text) in d.to_smali() {
        put(&root, "smali", &rel.replace('/', "_"), text.as_bytes());
    }

    let nsc = Node::new("network-security-config").child(
        Node::new("domain-config")
            .plain("cleartextTrafficPermitted", AttrValue::Bool(false))
            .child(Node::new("domain").plain("includeSubdomains", AttrValue::Bool(true)))
            .child(Node::new("pin-set").child(Node::new("pin").plain("digest", AttrValue::String("SHA-256".into())))),
    );
    put(&root, "nsc", "binary", &axml::write(&nsc, &axml::Options::default()));
    put(
        &root,
        "nsc",
        "text",
        br#"<network-security-config><base-config cleartextTrafficPermitted="true"><trust-anchors><certificates src="user"/></trust-anchors></base-config><domain-config><domain includeSubdomains="true">example.com</domain><pin-set expiration="2030-01-01"><pin digest="SHA-256">7HIpactkIAq2Y49orFOOQKurWxmmSFZhBCoQYcRhJ3Y=</pin></pin-set></domain-config></network-security-config>"#,
    );

    let block = apk_signing_block(0x7109_871a, &[0u8; 64]);
    let apk = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest)
        .deflated("classes.dex", &dex_bytes)
        .stored("resources.arsc", &axml::arsc(&entries, EntryTable::Plain))
        .signing_block(&block)
        .build();
    put(&root, "zip", "apk", &apk);
    put(&root, "scan", "apk", &apk);
    let odd = ZipBuilder::new()
        .prepend(b"MZ junk")
        .deflated("AndroidManifest.xml", &manifest)
        .data_descriptor()
        .deflated("classes.dex", &dex_bytes)
        .zip64()
        .stored("base.apk", &apk)
        .build();
    put(&root, "zip", "odd", &odd);
    put(&root, "scan", "odd", &odd);
    // Broken central directories (local header recovery) and unknown methods (issue #20).
    let broken = || {
        ZipBuilder::new()
            .stored("AndroidManifest.xml", &manifest)
            .declared_method(0x5a5a)
            .deflated("classes.dex", &dex_bytes)
            .data_descriptor()
            .stored("base.apk", &apk)
    };
    put(&root, "zip", "cd_past_end", &broken().eocd_cd_offset(0x7fff_0000).eocd_cd_size(0x1000).build());
    put(&root, "zip", "cd_truncated", &broken().cd_truncate(60).build());
    put(&root, "zip", "cd_garbage", &broken().cd_garbage().build());
    put(&root, "zip", "no_eocd", &broken().no_eocd().build());
    put(&root, "scan", "cd_garbage", &broken().cd_garbage().build());
    put(&root, "scan", "bundle", &ZipBuilder::new().stored("base.apk", &apk).build());
    put(&root, "scan", "dex", &dex_bytes);
    put(&root, "signing", "apk", &apk);
    put(&root, "signing", "block", &block);

    // Small real APKs from the shared corpus, and their signing material.
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/apks");
    if let Ok(rd) = std::fs::read_dir(&shared) {
        for e in rd.flatten() {
            let Ok(meta) = e.metadata() else { continue };
            if meta.len() > 64 << 10 {
                continue;
            }
            let Ok(bytes) = std::fs::read(e.path()) else { continue };
            let name = e.file_name().to_string_lossy().into_owned();
            put(&root, "zip", &name, &bytes);
            put(&root, "scan", &name, &bytes);
            put(&root, "signing", &name, &bytes);
        }
    } else {
        eprintln!("note: {} not found; fixture seeds only", shared.display());
    }
    eprintln!("seeds written to {}", root.display());
}
