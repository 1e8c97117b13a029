//! Compares library fingerprints of an SDK's classes in a reference build (vendor jar
//! translated to DEX) with the same classes in an app: per class of the reference under
//! PREFIX, whether the app has the class by name, identical, or as a subset.
//! usage: libcheck REF.dex|apk|DIR APP.apk|dex Lcom/prefix/ (DIR: every classes*.dex in it)
use trackscan_dex::DexFile;
use trackscan_shape::libfp::lib_classes;

fn load(p: &str) -> Vec<u8> {
    std::fs::read(p).unwrap_or_default()
}

/// The DEX files of a path: an APK/DEX file, or a folder of `classes*.dex`.
fn dexes(p: &str) -> Vec<Vec<u8>> {
    let path = std::path::Path::new(p);
    if path.is_dir() {
        let mut v: Vec<_> = std::fs::read_dir(path)
            .map(|r| r.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        v.sort();
        return v
            .iter()
            .map(|f| std::fs::read(f).unwrap_or_default())
            .collect();
    }
    let b = load(p);
    let limits = trackscan_scan::Limits::default();
    trackscan_scan::structure::dex_of(&b, &limits)
        .unwrap_or_default()
        .into_iter()
        .map(|(_, d)| d.into_owned())
        .collect()
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let pre = a[3].clone();
    let (rd, ad) = (dexes(&a[1]), dexes(&a[2]));
    let rf: Vec<DexFile> = rd.iter().filter_map(|b| DexFile::parse(b).ok()).collect();
    let af: Vec<DexFile> = ad.iter().filter_map(|b| DexFile::parse(b).ok()).collect();
    let (rc, _) = lib_classes(&rf, |d| d.starts_with(pre.as_bytes()));
    let (ac, _) = lib_classes(&af, |d| d.starts_with(pre.as_bytes()));
    let (mut same, mut within, mut named, mut strong) = (0, 0, 0, 0);
    for c in &rc {
        if c.strong.is_empty() {
            continue;
        }
        strong += 1;
        if let Some(x) = ac.iter().find(|x| x.descriptor == c.descriptor) {
            named += 1;
            if x.hash() == c.hash() {
                same += 1;
            }
            if x.within(c) {
                within += 1;
            } else if std::env::var("SHOW").is_ok() {
                println!(
                    "differs: {} sup {} if {} f {} m {}/{}",
                    c.descriptor,
                    x.sup == c.sup,
                    trackscan_shape::libfp::subset(&x.ifaces, &c.ifaces),
                    trackscan_shape::libfp::subset(&x.fields, &c.fields),
                    x.methods
                        .iter()
                        .filter(|m| c.methods.binary_search(m).is_err())
                        .count(),
                    x.methods.len()
                );
            }
        }
    }
    // The code-level fingerprint (opcode classes in order) of the same classes, for comparison.
    let ro = trackscan_shape::AppShapes::build(&rf, |d| d.starts_with(pre.as_bytes()));
    let ao = trackscan_shape::AppShapes::build(&af, |d| d.starts_with(pre.as_bytes()));
    let old = ro
        .classes
        .iter()
        .filter(|c| {
            ao.classes
                .iter()
                .any(|x| x.descriptor == c.descriptor && x.hash == c.hash)
        })
        .count();
    println!(
        "code-level fingerprint: identical {old} of {}",
        ro.classes.len()
    );
    // Match every app class against a library made of the reference alone.
    let lib = trackscan_shape::library::Library::build(&[trackscan_shape::library::SdkBuilds {
        id: "ref".into(),
        releases: vec![("1".into(), rc.clone())],
    }]);
    let (all, _) = lib_classes(&af, |_| true);
    let m = lib.match_app(&all);
    let n: usize = m.iter().map(|s| s.classes.len()).sum();
    let outside = m
        .iter()
        .flat_map(|s| s.classes.iter())
        .filter(|(i, _)| !all[*i].descriptor.starts_with(&pre))
        .count();
    if std::env::var("SHOW").is_ok() {
        for s in &m {
            for (i, es) in &s.classes {
                if !all[*i].descriptor.starts_with(&pre) {
                    println!(
                        "  outside: {} ~ {} (methods {}, strong {})",
                        all[*i].descriptor,
                        lib.name_of(es[0]),
                        all[*i].methods.len(),
                        all[*i].strong.len()
                    );
                }
            }
        }
    }
    println!(
        "library match over all {} app classes: {n} matched ({outside} outside the prefix)",
        all.len()
    );
    // The app's own classes of the SDK (under the prefix, with a strong method) that a class of
    // the reference holds (inclusion, any name: release builds rename).
    let app_sdk: Vec<_> = ac
        .iter()
        .filter(|c| !c.strong.is_empty())
        .cloned()
        .collect();
    let hit: usize = lib
        .match_app(&app_sdk)
        .iter()
        .map(|s| s.classes.len())
        .sum();
    println!(
        "app classes under the prefix with a strong method: {}; held by the reference: {hit} ({}%)",
        app_sdk.len(),
        (hit * 100).checked_div(app_sdk.len()).unwrap_or(0)
    );
    println!("ref classes {} (with strong methods {strong}); in app by name {named}; identical {same}; within {within}", rc.len());
}
