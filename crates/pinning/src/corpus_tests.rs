//! Tests over the real APKs of the shared corpus (skipped with a note when it is absent).
//! Expected host/pin pairs were confirmed independently: NSC files with `unzip -p` + `strings`
//! and the axml crate's dump, DEX code with Debian's `dexdump -d`.

use std::io::Read;
use std::path::PathBuf;

use trackscan_axml::{Manifest, Resources};
use trackscan_dex::IndexBuilder;

use crate::{analyze, BundledKind, Mechanism, PinningInput, PinningReport, UNKNOWN_HOST};

fn corpus_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/apks"
    ))
}

struct Apk {
    entries: Vec<(String, Vec<u8>)>,
}

fn open(name: &str) -> Option<Apk> {
    let path = corpus_dir().join(name);
    if !path.exists() {
        eprintln!("note: corpus file {} absent; test skipped", path.display());
        return None;
    }
    let f = std::fs::File::open(&path).ok()?;
    let mut z = zip::ZipArchive::new(f).expect("corpus APK opens with zip");
    let mut entries = Vec::new();
    for i in 0..z.len() {
        let Ok(mut e) = z.by_index(i) else { continue };
        let Ok(n) = e.name().map(|s| s.to_string()) else {
            continue;
        };
        let wanted = n == "AndroidManifest.xml"
            || n == "resources.arsc"
            || (n.starts_with("classes") && n.ends_with(".dex"))
            || n.starts_with("res/xml")
            || n.starts_with("res/raw")
            || n.starts_with("assets/");
        if !wanted {
            continue;
        }
        let mut b = Vec::new();
        if e.read_to_end(&mut b).is_ok() {
            entries.push((n, b));
        }
    }
    Some(Apk { entries })
}

fn has_class(apk: &Apk, desc: &str) -> bool {
    let mut ib = IndexBuilder::new();
    for (n, b) in &apk.entries {
        if n.starts_with("classes") && n.ends_with(".dex") {
            let _ = ib.add_dex(n, b);
        }
    }
    ib.finish().class(desc).is_some()
}

fn run(apk: &Apk) -> PinningReport {
    let get = |n: &str| {
        apk.entries
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, b)| b.as_slice())
    };
    let res = get("resources.arsc").and_then(|b| Resources::parse(b).ok());
    let manifest = get("AndroidManifest.xml")
        .and_then(|b| trackscan_axml::parse_any(b).ok())
        .map(|d| Manifest::from_document(&d, res.as_ref()));
    let mut dex: Vec<&(String, Vec<u8>)> = apk
        .entries
        .iter()
        .filter(|(n, _)| n.starts_with("classes") && n.ends_with(".dex"))
        .collect();
    // classes.dex, classes2.dex, … classes10.dex in Android's order.
    dex.sort_by_key(|(n, _)| {
        let num = n
            .trim_start_matches("classes")
            .trim_end_matches(".dex")
            .parse::<u32>()
            .unwrap_or(1);
        num
    });
    let mut ib = IndexBuilder::new();
    for (n, b) in dex {
        let _ = ib.add_dex(n, b);
    }
    let index = ib.finish();
    let files: Vec<(String, &[u8])> = apk
        .entries
        .iter()
        .filter(|(n, _)| n.starts_with("res/") || n.starts_with("assets/"))
        .map(|(n, b)| (n.clone(), b.as_slice()))
        .collect();
    analyze(&PinningInput {
        manifest: manifest.as_ref(),
        files: &files,
        index: &index,
        native_strings: &[],
    })
}

fn pins_of(r: &PinningReport, host: &str, m: Mechanism) -> Vec<String> {
    r.pins
        .iter()
        .filter(|p| p.host == host && p.mechanism == m)
        .flat_map(|p| {
            p.pins
                .iter()
                .map(|d| format!("{}/{}", d.algorithm, d.digest))
        })
        .collect()
}

#[test]
fn trustkit_demo_nsc_pins_and_trustkit() {
    let Some(apk) = open("trustkit_demo.apk") else {
        return;
    };
    let r = run(&apk);
    eprintln!("{r:#?}");
    assert_eq!(
        pins_of(&r, "www.datatheorem.com", Mechanism::TrustKit),
        [
            "sha256/2kOi4HdYYsvTR1sTIR7RHwlf2SescTrpza9ZrWy7poQ=",
            "sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        ]
    );
    let dt = r
        .pins
        .iter()
        .find(|p| p.host == "www.datatheorem.com")
        .expect("datatheorem pinned");
    assert!(dt
        .pins
        .iter()
        .all(|p| p.expires.as_deref() == Some("2018-01-01")));
    assert!(dt.evidence.iter().any(|(k, v, loc)| k == "trustkit_config"
        && v.contains("enforcePinning=true")
        && v.contains("https://overmind.datatheorem.com/trustkit/report")
        && loc == "res/xml/network_security_config.xml"));
    assert!(
        !pins_of(&r, "www.yahoo.com", Mechanism::TrustKit).is_empty()
            || !pins_of(&r, "www.yahoo.com", Mechanism::Nsc).is_empty()
    );
    assert!(r.bundled_certs.iter().any(|c| c.file == "res/raw/good.pem"
        && c.kind == BundledKind::Certificate
        && c.spki_sha256.is_some()));
}

#[test]
fn food_runner_cleartext_domain() {
    for name in ["food_runner_debug.apk", "food_runner_release.apk"] {
        let Some(apk) = open(name) else { return };
        let r = run(&apk);
        eprintln!("{name}: {r:#?}");
        assert_eq!(r.domains.len(), 1, "{name}");
        assert_eq!(r.domains[0].domain, "13.235.250.119");
        assert!(r.domains[0].include_subdomains);
        assert_eq!(r.transport.cleartext_domains, ["13.235.250.119"], "{name}");
        assert!(r.pins.is_empty(), "{name}: {:?}", r.pins);
    }
}

#[test]
fn ajin_trust_manager_and_keystore() {
    let Some(apk) = open("ajin_ssl_pinning_debug.apk") else {
        return;
    };
    let r = run(&apk);
    eprintln!("{r:#?}");
    let tm: Vec<_> = r
        .pins
        .iter()
        .filter(|p| p.mechanism == Mechanism::TrustManager)
        .collect();
    assert!(tm.iter().any(|p| p.host == "en.wikipedia.org"
        && p.pins.iter().any(|d| d.algorithm == "sha1")
        && p.evidence
            .iter()
            .any(|(_, v, _)| v == "87dbd45fb0928d4e1df81567e7f2abafd62b6775")));
    assert!(r.bundled_certs.iter().any(|c| c.file == "res/raw/cacerts"
        && c.kind == BundledKind::Keystore
        && c.format == "bks"));
    assert!(r.pins.iter().any(|p| p.mechanism == Mechanism::BundledCert
        && p.evidence
            .iter()
            .any(|(k, v, _)| k == "bundled_keystore" && v == "res/raw/cacerts")));
}

#[test]
fn tasks_sto_library_only_invents_no_pins() {
    let Some(apk) = open("tasks_sto_v1.apk") else {
        return;
    };
    // The library is there (so the test means something)…
    assert!(has_class(&apk, "Lokhttp3/CertificatePinner;"));
    let r = run(&apk);
    eprintln!("{r:#?}");
    assert!(
        r.pins.iter().all(|p| p.mechanism != Mechanism::OkHttp),
        "{:?}",
        r.pins
    );
}

#[test]
fn branch_testbed_debug_overrides() {
    let Some(apk) = open("branch_testbed_2024.apk") else {
        return;
    };
    let r = run(&apk);
    eprintln!("{r:#?}");
    assert!(r.transport.debug_overrides);
    assert!(!r.transport.user_cas_trusted);
    assert!(r.pins.iter().all(|p| p.mechanism != Mechanism::Nsc));
}

#[test]
fn whole_corpus_never_panics() {
    let dir = corpus_dir();
    let Ok(rd) = std::fs::read_dir(&dir) else {
        eprintln!("note: corpus {} absent; skipped", dir.display());
        return;
    };
    let mut names: Vec<String> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".apk"))
        .collect();
    names.sort();
    for n in names {
        let Ok(f) = std::fs::File::open(dir.join(&n)) else {
            continue;
        };
        if zip::ZipArchive::new(f).is_err() {
            eprintln!("note: {n}: zip cannot open it; skipped");
            continue;
        }
        let Some(apk) = open(&n) else { continue };
        let r = run(&apk);
        let unknown = r.pins.iter().filter(|p| p.host == UNKNOWN_HOST).count();
        eprintln!(
            "{n}: {} pinned hosts ({unknown} unknown host), {} bundled, tm={:?} hv={:?} wv={:?} cleartext={:?}",
            r.pins.len(),
            r.bundled_certs.len(),
            r.transport.insecure_trust_managers,
            r.transport.insecure_hostname_verifiers,
            r.transport.webview_ssl_errors_ignored,
            r.transport.cleartext_default
        );
    }
}
