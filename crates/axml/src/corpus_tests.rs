//! Tests over the real APK corpus: manifest facts must agree with androguard's.

use crate::{parse_any, ComponentKind, Manifest, Resources};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

fn read_entry(
    z: &mut zip::ZipArchive<std::fs::File>,
    name: &str,
) -> Result<Option<Vec<u8>>, String> {
    let mut f = match z.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let mut v = Vec::new();
    f.read_to_end(&mut v).map_err(|e| e.to_string())?;
    Ok(Some(v))
}

fn expected() -> BTreeMap<String, serde_json::Value> {
    let text = std::fs::read_to_string(Path::new(CORPUS).join("expected/androguard.jsonl"))
        .unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| {
            let f = v
                .get("file")?
                .as_str()?
                .trim_start_matches("apks/")
                .to_string();
            Some((f, v))
        })
        .collect()
}

#[test]
fn corpus_manifests_agree_with_androguard() {
    let dir = Path::new(CORPUS).join("apks");
    let Ok(rd) = std::fs::read_dir(&dir) else {
        println!("corpus not found at {}; skipped", dir.display());
        return;
    };
    let exp = expected();
    let mut files: Vec<_> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.sort();
    let (mut compared, mut mismatches) = (0, Vec::new());
    for path in files {
        let fname = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        let Ok(file) = std::fs::File::open(&path) else {
            continue;
        };
        let mut z = match zip::ZipArchive::new(file) {
            Ok(z) => z,
            Err(e) => {
                println!("{fname}: zip cannot open ({e}); skipped");
                continue;
            }
        };
        let manifest = match read_entry(&mut z, "AndroidManifest.xml") {
            Ok(Some(m)) => m,
            Ok(None) => {
                println!("{fname}: no AndroidManifest.xml");
                continue;
            }
            Err(e) => {
                println!("{fname}: zip cannot read manifest ({e}); skipped");
                continue;
            }
        };
        let res = match read_entry(&mut z, "resources.arsc") {
            Ok(Some(b)) => match Resources::parse(&b) {
                Ok(r) => Some(r),
                Err(e) => {
                    println!("{fname}: resources.arsc: {e}");
                    None
                }
            },
            _ => None,
        };
        let doc = match parse_any(&manifest) {
            Ok(d) => d,
            Err(e) => {
                println!("{fname}: manifest error: {e}");
                mismatches.push(format!("{fname}: parse error {e}"));
                continue;
            }
        };
        let m = Manifest::from_document(&doc, res.as_ref());
        if res.is_some() {
            // With the table present, the label and NSC references must resolve.
            for (what, v) in [
                ("label", &m.label),
                (
                    "networkSecurityConfig",
                    &m.application.network_security_config,
                ),
            ] {
                if v.as_deref().is_some_and(|l| l.starts_with("@0x7f")) {
                    mismatches.push(format!("{fname}: {what} {v:?} not resolved"));
                }
            }
        }
        if let Some(nsc) = &m.application.network_security_config {
            match read_entry(&mut z, nsc) {
                Ok(Some(b)) => {
                    let d = parse_any(&b);
                    let root = d
                        .as_ref()
                        .ok()
                        .and_then(|d| d.root.as_ref())
                        .map(|r| r.name.clone());
                    println!("{fname}: NSC {nsc}: root {root:?}");
                    if root.as_deref() != Some("network-security-config") {
                        mismatches.push(format!("{fname}: NSC {nsc} root {root:?}"));
                    }
                }
                other => mismatches.push(format!("{fname}: NSC {nsc} not readable: {other:?}")),
            }
        }
        // Every compiled XML resource parses without panicking.
        let names: Vec<String> = z
            .file_names()
            .filter_map(|n| n.ok().map(|n| n.into_owned()))
            .filter(|n| n.starts_with("res/") && n.ends_with(".xml"))
            .collect();
        let (mut xml_ok, mut xml_err) = (0, 0);
        for n in names {
            if let Ok(Some(b)) = read_entry(&mut z, &n) {
                match parse_any(&b) {
                    Ok(_) => xml_ok += 1,
                    Err(_) => xml_err += 1,
                }
            }
        }
        if xml_ok + xml_err > 0 {
            println!("{fname}: res xml parsed {xml_ok}, rejected {xml_err}");
        }
        println!(
            "{fname}: pkg={:?} vc={:?} vn={:?} label={:?} perms={} arsc={:?} anomalies={}",
            m.package,
            m.version_code,
            m.version_name,
            m.label,
            m.permissions.len(),
            res.as_ref().map(|r| (r.len(), r.anomalies().len())),
            doc.anomalies.len() + m.anomalies.len()
        );
        let Some(e) = exp.get(&fname) else { continue };
        compared += 1;
        let s = |k: &str| e.get(k).and_then(|v| v.as_str()).map(str::to_string);
        if e.get("package").is_some_and(|v| !v.is_null()) && m.package != s("package") {
            mismatches.push(format!(
                "{fname}: package {:?} vs {:?}",
                m.package,
                s("package")
            ));
        }
        if let Some(vc) = s("version_code") {
            if m.version_code.map(|v| v.to_string()) != Some(vc.clone()) {
                mismatches.push(format!(
                    "{fname}: version_code {:?} vs {vc}",
                    m.version_code
                ));
            }
        }
        if let Some(vn) = s("version_name") {
            if m.version_name.as_deref() != Some(vn.as_str()) {
                mismatches.push(format!(
                    "{fname}: version_name {:?} vs {vn}",
                    m.version_name
                ));
            }
        }
        for (key, ours) in [("min_sdk", m.min_sdk), ("target_sdk", m.target_sdk)] {
            if let Some(want) = s(key) {
                if ours.map(|v| v.to_string()) != Some(want.clone()) {
                    mismatches.push(format!("{fname}: {key} {ours:?} vs {want}"));
                }
            }
        }
        for (key, kind) in [
            ("activities", ComponentKind::Activity),
            ("services", ComponentKind::Service),
            ("receivers", ComponentKind::Receiver),
            ("providers", ComponentKind::Provider),
        ] {
            if let Some(want) = e.get(key).and_then(|v| v.as_u64()) {
                let ours = m.components.iter().filter(|c| c.kind == kind).count() as u64;
                if ours != want {
                    mismatches.push(format!("{fname}: {key} {ours} vs {want}"));
                }
            }
        }
        if let Some(perms) = e.get("permissions").and_then(|v| v.as_array()) {
            let mut want: Vec<String> = perms
                .iter()
                .filter_map(|p| p.as_str().map(str::to_string))
                .collect();
            want.sort();
            want.dedup();
            // androguard's get_permissions() reads only <uses-permission>; Android also grants
            // <uses-permission-sdk-23>/<-sdk-m> on API 23+, so those are compared separately.
            let mut plain: Vec<String> = m
                .permissions
                .iter()
                .filter(|p| p.kind == "uses-permission")
                .map(|p| p.name.clone())
                .collect();
            plain.sort();
            plain.dedup();
            if plain != want {
                mismatches.push(format!("{fname}: permissions {plain:?} vs {want:?}"));
            }
            let extra: Vec<&str> = m
                .permissions
                .iter()
                .filter(|p| p.kind != "uses-permission")
                .map(|p| p.name.as_str())
                .collect();
            if !extra.is_empty() {
                println!("{fname}: sdk-23 permissions androguard omits: {extra:?}");
            }
        }
    }
    println!("compared {compared} APKs with androguard");
    assert!(
        compared >= 50 || exp.is_empty(),
        "only {compared} APKs compared"
    );
    assert!(
        mismatches.is_empty(),
        "mismatches:\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn duplicate_permissions_apk_keeps_sdk23_permissions() {
    let path = Path::new(CORPUS).join("apks/ag_duplicate_permissions.apk");
    let Ok(file) = std::fs::File::open(&path) else {
        println!("corpus not found; skipped");
        return;
    };
    let mut z = zip::ZipArchive::new(file).expect("corpus zip opens");
    let bytes = read_entry(&mut z, "AndroidManifest.xml")
        .ok()
        .flatten()
        .expect("manifest");
    let doc = parse_any(&bytes).expect("parses");
    let m = Manifest::from_document(&doc, None);
    let sdk23: Vec<&str> = m
        .permissions
        .iter()
        .filter(|p| p.kind == "uses-permission-sdk-23")
        .map(|p| p.name.as_str())
        .collect();
    assert!(
        sdk23.contains(&"android.permission.REQUEST_INSTALL_PACKAGES"),
        "{sdk23:?}"
    );
    assert!(
        m.anomalies
            .iter()
            .any(|a| a.starts_with("duplicate permission")),
        "{:?}",
        m.anomalies
    );
}

#[test]
fn zero_sized_end_namespace_apk_parses() {
    let path = Path::new(CORPUS).join("apks/apkinsp_zero_sized_end_ns.apk");
    let Ok(file) = std::fs::File::open(&path) else {
        println!("corpus not found; skipped");
        return;
    };
    let mut z = zip::ZipArchive::new(file).expect("corpus zip opens");
    let bytes = read_entry(&mut z, "AndroidManifest.xml")
        .ok()
        .flatten()
        .expect("manifest");
    let doc = parse_any(&bytes).expect("parses");
    assert!(
        doc.anomalies.iter().any(|a| a.contains("declares size 0")),
        "{:?}",
        doc.anomalies
    );
    let m = Manifest::from_document(&doc, None);
    assert_eq!(m.package.as_deref(), Some("com.erev0s.minimal"));
    assert_eq!(m.target_sdk, Some(33));
}
