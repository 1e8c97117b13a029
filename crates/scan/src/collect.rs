//! Stage 1 of a scan: find and inflate the entries a scan needs, from whatever container the
//! input is ([`open`], then [`collect`]; [`collect_smali_dir`] for an apktool tree). Returns what
//! it collected; it never calls the analysis (`crate::analyze` consumes a [`Collected`]).

use std::borrow::Cow;
use std::path::Path;

use trackscan_container::{bundle_apks, sniff, InputKind, ZipArchive};

use crate::report::Report;
use crate::Limits;

/// Largest asset / raw resource read as text for host and pin extraction.
const MAX_TEXT_FILE: u64 = 2 << 20;
/// Largest native library read for host extraction.
const MAX_NATIVE_LIB: u64 = 64 << 20;
/// Most smali files read from one directory.
const MAX_SMALI_FILES: usize = 500_000;
/// Largest `apktool.yml` read.
const MAX_APKTOOL_YML: u64 = 1 << 20;
/// Largest version file read (`META-INF/*.version`, `*.properties`).
const MAX_VERSION_FILE: u64 = 4096;
/// Value files of an apktool tree read for the manifest's references.
const VALUE_FILES: [&str; 3] = ["strings.xml", "integers.xml", "bools.xml"];

/// The bytes of one app, borrowed from the input where they were stored, owned where inflated.
#[derive(Default)]
pub(crate) struct Collected<'a> {
    /// `AndroidManifest.xml` (binary or text).
    pub manifest: Option<Cow<'a, [u8]>>,
    /// `resources.arsc`.
    pub arsc: Option<Cow<'a, [u8]>>,
    /// `classes*.dex` in multidex order, with their names (prefixed by the split for bundles).
    pub dex: Vec<(String, Cow<'a, [u8]>)>,
    /// Smali sources (file name, text).
    pub smali: Vec<(String, String)>,
    /// v1 signature blocks (`META-INF/*.RSA|DSA|EC`).
    pub v1_blocks: Vec<(String, Cow<'a, [u8]>)>,
    /// The base APK's bytes and central directory offset, for the APK Signing Block.
    pub signed_apk: Option<(&'a [u8], u64)>,
    /// Version files (name, content): `META-INF/*.version`, and the `*.properties` that
    /// Google Play services / Firebase (root) and Fabric (`fabric/`) ship ([`is_sdk_properties`]).
    pub version_files: Vec<(String, String)>,
    /// `lib/<abi>/*.so` names.
    pub native_libs: Vec<String>,
    /// Native libraries' bytes (one per distinct file name, first ABI seen), for strings.
    pub native_bytes: Vec<(String, Cow<'a, [u8]>)>,
    /// Every asset path.
    pub assets: Vec<String>,
    /// Text-like files read for hosts/pins: `assets/**` text, `res/raw/*`, `res/xml/*`.
    pub files: Vec<(String, Cow<'a, [u8]>)>,
    /// apktool trees: what `apktool.yml` says (versions and SDK levels moved out of the
    /// manifest).
    pub apktool_yml: Option<crate::apktool::ApktoolYml>,
    /// apktool trees: the `res/values*/` values behind the text manifest's references.
    pub values: Option<crate::apktool::Values>,
}

/// An input whose container is open: the first step of [`collect`]. What it holds borrows the
/// input's bytes (or owns what had to be inflated: the inner APKs of a bundle), so that the
/// entries collected from it can borrow in turn.
pub(crate) enum Opened<'a> {
    /// A bare DEX file (`None` when it is over a limit: the error is in the report).
    Dex(Option<&'a [u8]>),
    /// An APK (or any zip that is not a bundle, read as one).
    Apk(ZipArchive<'a>),
    /// A split bundle: its inner APKs (name, bytes), base first, and what the outer archive left
    /// of the `max-total-inflated` budget.
    Bundle(Vec<(String, Cow<'a, [u8]>)>, u64),
    /// Nothing to collect (why is in the report's errors).
    Nothing,
}

/// Sniffs `bytes` and opens its container; sets the report's `kind` and records what could
/// not be opened (errors) and the container's oddities (warnings).
pub(crate) fn open<'a>(
    limits: &Limits,
    name: &str,
    bytes: &'a [u8],
    report: &mut Report,
) -> Opened<'a> {
    match sniff(name, bytes) {
        InputKind::Dex => {
            report.kind = "dex".into();
            match dex_over_limit(limits, bytes) {
                Some(e) => {
                    report.errors.push(format!("{name}: {e}"));
                    Opened::Dex(None)
                }
                None => Opened::Dex(Some(bytes)),
            }
        }
        InputKind::Apk | InputKind::SplitBundle | InputKind::OtherZip => {
            match ZipArchive::parse(bytes, limits) {
                Ok(zip) => open_zip(limits, name, zip, report),
                Err(e) => {
                    report.errors.push(format!("{name}: {e}"));
                    Opened::Nothing
                }
            }
        }
        InputKind::Unknown if bytes.is_empty() => {
            report.errors.push(format!(
                "{name}: empty file (0 bytes): not an APK, split bundle, DEX file or apktool directory"
            ));
            Opened::Nothing
        }
        InputKind::Unknown => {
            let magic: String = bytes
                .iter()
                .take(4)
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(" ");
            report.errors.push(format!(
                "{name}: not an APK, split bundle (.apks/.xapk/.apkm), DEX file or apktool directory (first bytes: {magic})"
            ));
            Opened::Nothing
        }
    }
}

fn open_zip<'a>(
    limits: &Limits,
    name: &str,
    zip: ZipArchive<'a>,
    report: &mut Report,
) -> Opened<'a> {
    let has_app_entries =
        zip.by_name("AndroidManifest.xml").is_some() || !zip.dex_entries().is_empty();
    let inner = if has_app_entries {
        Vec::new()
    } else {
        bundle_apks(&zip)
    };
    // Not a bundle: read it as an APK even without a manifest, so that whatever is there
    // (signatures, code, resources) is still reported next to the "manifest missing" error.
    if inner.is_empty() {
        report.kind = "apk".into();
        if zip.entries().is_empty() {
            report
                .errors
                .push(format!("{name}: the zip archive holds no entries"));
            return Opened::Nothing;
        }
        return Opened::Apk(zip);
    }
    report.kind = "split_bundle".into();
    push_zip_anomalies(&zip, "", report);
    // Read every inner APK first, so that their entries can borrow from the buffers.
    let mut bufs: Vec<(String, Cow<'a, [u8]>)> = Vec::new();
    for e in inner.iter().take(limits.max_nested) {
        match zip.read(e) {
            Ok(b) => bufs.push((e.name.clone(), b)),
            Err(err) => report.errors.push(format!("{}: {err}", e.name)),
        }
    }
    if inner.len() > limits.max_nested {
        report.warnings.push(format!(
            "bundle holds {} APKs, more than the max-nested limit {}; only the first ones read",
            inner.len(),
            limits.max_nested
        ));
    }
    Opened::Bundle(bufs, zip.remaining_budget())
}

/// Stage 1 of a scan: the entries an analysis needs, from an opened input (`None` when there
/// is nothing to analyze). Errors and container warnings go to the report; nothing is parsed
/// here beyond the container.
pub(crate) fn collect<'b>(
    limits: &Limits,
    opened: &'b Opened<'_>,
    report: &mut Report,
) -> Option<Collected<'b>> {
    match opened {
        Opened::Nothing => None,
        Opened::Dex(dex) => {
            let mut c = Collected::default();
            if let Some(bytes) = dex {
                c.dex
                    .push(("classes.dex".to_string(), Cow::Borrowed(*bytes)));
            }
            Some(c)
        }
        Opened::Apk(zip) => {
            let mut c = Collected::default();
            collect_apk(limits, zip, "", &mut c, 0, report);
            push_zip_anomalies(zip, "", report);
            Some(c)
        }
        Opened::Bundle(bufs, budget) => Some(collect_bundle(limits, bufs, *budget, report)),
    }
}

fn collect_bundle<'b>(
    limits: &Limits,
    bufs: &'b [(String, Cow<'_, [u8]>)],
    budget: u64,
    report: &mut Report,
) -> Collected<'b> {
    // One total budget for the whole bundle: inner archives get what the outer one left.
    let inner_limits = Limits {
        max_total_inflated: budget,
        ..*limits
    };
    let mut archives = Vec::new();
    for (n, b) in bufs {
        match ZipArchive::parse(b, &inner_limits) {
            Ok(z) => archives.push((n.as_str(), z)),
            Err(err) => report.errors.push(format!("{n}: {err}")),
        }
    }
    let mut c = Collected::default();
    for (i, (n, z)) in archives.iter().enumerate() {
        if z.by_name("AndroidManifest.xml").is_none() {
            report
                .warnings
                .push(format!("{n}: inner APK has no AndroidManifest.xml"));
        }
        let prefix = format!("{n}!");
        // The base APK (first) gives the manifest, resources and signature.
        if i == 0 {
            collect_apk(limits, z, &prefix, &mut c, 0, report);
        } else {
            let mut split = Collected::default();
            collect_apk(limits, z, &prefix, &mut split, c.dex.len(), report);
            c.dex.extend(split.dex);
            c.version_files.extend(split.version_files);
            c.native_libs.extend(split.native_libs);
            c.native_bytes.extend(split.native_bytes);
            c.assets.extend(split.assets);
            c.files.extend(split.files);
            if c.manifest.is_none() {
                c.manifest = split.manifest;
            }
            if c.arsc.is_none() {
                c.arsc = split.arsc;
            }
        }
        push_zip_anomalies(z, &prefix, report);
    }
    c
}

/// Offset of `string_ids_size` (u32 LE) in a DEX header.
const DEX_STRING_IDS_SIZE: usize = 0x38;

/// Checks one DEX against the `max-dex-size` and `max-dex-strings` limits, reading only the
/// header field, before the DEX parser sees (and allocates for) the bytes. The message names the
/// limit; the caller prefixes the file name.
pub(crate) fn dex_over_limit(limits: &Limits, dex: &[u8]) -> Option<String> {
    let len = u64::try_from(dex.len()).unwrap_or(u64::MAX);
    if len > limits.max_dex_size {
        return Some(format!(
            "{len} bytes, more than the max-dex-size limit {}",
            limits.max_dex_size
        ));
    }
    let strings = dex
        .get(DEX_STRING_IDS_SIZE..DEX_STRING_IDS_SIZE + 4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_le_bytes)?;
    (u64::from(strings) > limits.max_dex_strings).then(|| {
        format!(
            "{strings} strings, more than the max-dex-strings limit {}",
            limits.max_dex_strings
        )
    })
}

fn push_zip_anomalies(zip: &ZipArchive<'_>, prefix: &str, report: &mut Report) {
    for a in zip.anomalies() {
        // Data descriptors are an ordinary zip feature (many build tools write them), not a
        // trick: reporting them on a third of real APKs would bury the warnings that matter.
        if a.kind == trackscan_container::AnomalyKind::DataDescriptor {
            continue;
        }
        report.warnings.push(format!("{prefix}zip: {a}"));
    }
}

fn collect_apk<'a>(
    limits: &Limits,
    zip: &ZipArchive<'a>,
    prefix: &str,
    c: &mut Collected<'a>,
    dex_before: usize,
    report: &mut Report,
) {
    let mut read = |name: &str, e: &trackscan_container::Entry| -> Option<Cow<'a, [u8]>> {
        match zip.read(e) {
            Ok(b) => Some(b),
            Err(err) => {
                // Container errors usually name the entry already.
                let msg = err.to_string();
                report.errors.push(if msg.starts_with(name) {
                    format!("{prefix}{msg}")
                } else {
                    format!("{prefix}{name}: {msg}")
                });
                None
            }
        }
    };
    if let Some(e) = zip.by_name("AndroidManifest.xml") {
        c.manifest = read("AndroidManifest.xml", e);
    }
    if let Some(e) = zip.by_name("resources.arsc") {
        c.arsc = read("resources.arsc", e);
    }
    // Limit errors wait until `read` (which borrows `report`) is done.
    let mut limit_errors = Vec::new();
    let dex_entries = zip.dex_entries();
    let max_dex = limits.max_dex_files;
    // Split APKs of a bundle share one count with the base and the splits before them.
    let room = max_dex.saturating_sub(dex_before.saturating_add(c.dex.len()));
    if dex_entries.len() > room {
        limit_errors.push(format!(
            "{prefix}classes*.dex: {} files, more than the max-dex-files limit {max_dex}; {room} \
             read",
            dex_entries.len(),
        ));
    }
    for e in dex_entries.into_iter().take(room) {
        // Declared size first (no inflate), then the real length (sizes can lie).
        if e.uncompressed_size > limits.max_dex_size {
            limit_errors.push(format!(
                "{prefix}{}: {} bytes, more than the max-dex-size limit {}",
                e.name, e.uncompressed_size, limits.max_dex_size
            ));
            continue;
        }
        if let Some(b) = read(&e.name, e) {
            match dex_over_limit(limits, &b) {
                Some(err) => limit_errors.push(format!("{prefix}{}: {err}", e.name)),
                None => c.dex.push((format!("{prefix}{}", e.name), b)),
            }
        }
    }
    let mut seen_libs = std::collections::BTreeSet::new();
    for e in zip.entries() {
        let n = e.name.as_str();
        if let Some(rest) = n.strip_prefix("META-INF/") {
            let upper = rest.to_ascii_uppercase();
            if !rest.contains('/')
                && (upper.ends_with(".RSA") || upper.ends_with(".DSA") || upper.ends_with(".EC"))
            {
                if let Some(b) = read(n, e) {
                    c.v1_blocks.push((n.to_string(), b));
                }
            } else if !rest.contains('/') && upper.ends_with(".SF") {
                // Only the name matters: it tells which signature blocks Android would use.
                c.v1_blocks.push((n.to_string(), Cow::Borrowed(&[])));
            } else if rest.ends_with(".version") && e.uncompressed_size <= MAX_VERSION_FILE {
                if let Some(b) = read(n, e) {
                    c.version_files.push((
                        n.to_string(),
                        String::from_utf8_lossy(&b).trim().to_string(),
                    ));
                }
            }
        } else if is_sdk_properties(n) {
            if e.uncompressed_size <= MAX_VERSION_FILE {
                if let Some(b) = read(n, e) {
                    c.version_files
                        .push((n.to_string(), String::from_utf8_lossy(&b).into_owned()));
                }
            }
        } else if n.starts_with("lib/") && n.ends_with(".so") {
            c.native_libs.push(format!("{prefix}{n}"));
            let file = n.rsplit('/').next().unwrap_or(n).to_string();
            if e.uncompressed_size <= MAX_NATIVE_LIB && seen_libs.insert(file) {
                if let Some(b) = read(n, e) {
                    c.native_bytes.push((format!("{prefix}{n}"), b));
                }
            }
        } else if n.starts_with("assets/") {
            c.assets.push(format!("{prefix}{n}"));
            if e.uncompressed_size <= MAX_TEXT_FILE
                && (trackscan_container::is_text_like_name(n) || !n.contains('.'))
            {
                if let Some(b) = read(n, e) {
                    c.files.push((format!("{prefix}{n}"), b));
                }
            }
        } else if (n.starts_with("res/raw") || n.starts_with("res/xml"))
            && e.uncompressed_size <= MAX_TEXT_FILE
        {
            if let Some(b) = read(n, e) {
                c.files.push((format!("{prefix}{n}"), b));
            }
        }
    }
    report.errors.extend(limit_errors);
    if c.signed_apk.is_none() {
        c.signed_apk = Some((zip.bytes(), zip.central_directory_offset()));
    }
}

/// Scans an apktool output directory: `smali*/**/*.smali`, its text `AndroidManifest.xml`,
/// `apktool.yml` and `res/values*/` values (see [`crate::apktool`]), and like an APK's entries
/// the assets, `res/xml`, `res/raw` and native libraries. `None` when the directory is not an
/// apktool output (the error is in the report).
pub(crate) fn collect_smali_dir(
    limits: &Limits,
    dir: &Path,
    report: &mut Report,
) -> Option<Collected<'static>> {
    let mut c = Collected::default();
    let manifest_path = dir.join("AndroidManifest.xml");
    if let Ok(bytes) = std::fs::read(&manifest_path) {
        report.size += bytes.len() as u64;
        c.manifest = Some(Cow::Owned(bytes));
    } else {
        report
            .warnings
            .push("AndroidManifest.xml: not found in the directory".to_string());
    }
    let mut files = Vec::new();
    // `res/values*/{strings,integers,bools}.xml`: read once the walk is done, default first.
    let mut value_files = Vec::new();
    let mut seen_libs = std::collections::BTreeSet::new();
    // Bytes of the tree's other files (not smali) still allowed in memory.
    let mut budget = limits.max_total_inflated;
    let mut stack = vec![dir.to_path_buf()];
    let mut visited = 0usize;
    while let Some(d) = stack.pop() {
        visited += 1;
        if visited > MAX_SMALI_FILES {
            report
                .errors
                .push(format!("{}: too many directories", dir.display()));
            break;
        }
        let Ok(rd) = std::fs::read_dir(&d) else {
            report
                .warnings
                .push(format!("{}: cannot list directory", d.display()));
            continue;
        };
        let mut entries: Vec<_> = rd.filter_map(|e| e.ok()).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_symlink() {
                continue;
            }
            let rel = p
                .strip_prefix(dir)
                .unwrap_or(&p)
                .to_string_lossy()
                .replace('\\', "/");
            let size = e.metadata().map_or(u64::MAX, |m| m.len());
            if ft.is_dir() {
                stack.push(p);
            } else if rel.starts_with("smali") && rel.ends_with(".smali") {
                files.push((rel, p));
            } else if rel == "apktool.yml" {
                if size <= MAX_APKTOOL_YML {
                    if let Some(b) = read_small(&p, &rel, &mut budget, report) {
                        c.apktool_yml =
                            Some(crate::apktool::parse_yml(&String::from_utf8_lossy(&b)));
                    }
                } else {
                    report.warnings.push(format!(
                        "apktool.yml: {size} bytes, more than {MAX_APKTOOL_YML}; not read"
                    ));
                }
            } else if is_value_file(&rel) {
                if size <= MAX_TEXT_FILE {
                    value_files.push((rel, p));
                }
            } else if rel.starts_with("assets/") {
                if size <= MAX_TEXT_FILE
                    && (trackscan_container::is_text_like_name(&rel) || !rel.contains('.'))
                {
                    if let Some(b) = read_small(&p, &rel, &mut budget, report) {
                        c.files.push((rel.clone(), Cow::Owned(b)));
                    }
                }
                c.assets.push(rel);
            } else if (rel.starts_with("res/raw") || rel.starts_with("res/xml"))
                && size <= MAX_TEXT_FILE
            {
                if let Some(b) = read_small(&p, &rel, &mut budget, report) {
                    c.files.push((rel, Cow::Owned(b)));
                }
            } else if rel.starts_with("lib/") && rel.ends_with(".so") {
                let file = rel.rsplit('/').next().unwrap_or(&rel).to_string();
                if size <= MAX_NATIVE_LIB && seen_libs.insert(file) {
                    if let Some(b) = read_small(&p, &rel, &mut budget, report) {
                        c.native_bytes.push((rel.clone(), Cow::Owned(b)));
                    }
                }
                c.native_libs.push(rel);
            } else if rel.starts_with("original/META-INF/") && rel.ends_with(".version") {
                if let Ok(t) = std::fs::read_to_string(&p) {
                    let name = rel.trim_start_matches("original/").to_string();
                    c.version_files.push((name, t.trim().to_string()));
                }
            } else if rel.strip_prefix("unknown/").is_some_and(is_sdk_properties)
                && size <= MAX_VERSION_FILE
            {
                // apktool keeps the APK's other root files under `unknown/`.
                if let Ok(t) = std::fs::read_to_string(&p) {
                    let name = rel.trim_start_matches("unknown/").to_string();
                    c.version_files.push((name, t));
                }
            }
        }
    }
    if files.len() > MAX_SMALI_FILES {
        report.errors.push(format!(
            "{}: {} smali files exceed the limit of {MAX_SMALI_FILES}",
            dir.display(),
            files.len()
        ));
        files.truncate(MAX_SMALI_FILES);
    }
    // apktool writes smali/ for classes.dex, smali_classes2/ for classes2.dex, …: sort so that
    // the first dex wins for duplicate classes, as Android does.
    files.sort_by(|a, b| {
        smali_order(&a.0)
            .cmp(&smali_order(&b.0))
            .then(a.0.cmp(&b.0))
    });
    let mut total = 0u64;
    for (rel, p) in files {
        match std::fs::read(&p) {
            Ok(b) => {
                total += b.len() as u64;
                if total > limits.max_total_inflated {
                    report.errors.push(format!(
                        "{}: smali sources exceed the {}-byte total limit",
                        dir.display(),
                        limits.max_total_inflated
                    ));
                    break;
                }
                c.smali
                    .push((rel, String::from_utf8_lossy(&b).into_owned()));
            }
            Err(e) => report.warnings.push(format!("{rel}: cannot read: {e}")),
        }
    }
    report.size += total;
    if !value_files.is_empty() {
        // The default configuration first, then the qualified ones (`values-fr`, …) by name.
        value_files.sort_by(|a, b| {
            let dir = |r: &str| {
                r.rsplit_once('/')
                    .map_or(String::new(), |(d, _)| d.to_string())
            };
            (dir(&a.0) != "res/values", &a.0).cmp(&(dir(&b.0) != "res/values", &b.0))
        });
        let mut values = crate::apktool::Values::default();
        for (rel, p) in &value_files {
            if let Some(b) = read_small(p, rel, &mut budget, report) {
                report.size = report.size.saturating_add(b.len() as u64);
                values.add_file(rel, &b);
            }
        }
        report.warnings.append(&mut values.warnings);
        c.values = Some(values);
    }
    if c.smali.is_empty() && c.manifest.is_none() {
        report.errors.push(format!(
            "{}: directory holds neither smali*/ sources nor AndroidManifest.xml (not an apktool output)",
            dir.display()
        ));
        return None;
    }
    Some(c)
}

/// Reads one (size-checked) file of an apktool tree within `budget` bytes in all (the
/// `max-total-inflated` limit); a failure or a file over the budget is a warning naming it.
fn read_small(p: &Path, rel: &str, budget: &mut u64, report: &mut Report) -> Option<Vec<u8>> {
    match std::fs::read(p) {
        Ok(b) => {
            let len = b.len() as u64;
            match budget.checked_sub(len) {
                Some(left) => {
                    *budget = left;
                    Some(b)
                }
                None => {
                    report.warnings.push(format!(
                        "{rel}: {len} bytes, over what is left of the max-total-inflated limit; not read"
                    ));
                    None
                }
            }
        }
        Err(e) => {
            report.warnings.push(format!("{rel}: cannot read: {e}"));
            None
        }
    }
}

/// A properties file in which an SDK states its version: `<artifact>.properties` at the APK's
/// root (Google Play services and Firebase: `firebase-analytics.properties` holds
/// `version=17.4.3`) or `fabric/<kit>.properties` (Fabric kits: `fabric-version=2.6.7`).
pub(crate) fn is_sdk_properties(name: &str) -> bool {
    let file = name.strip_prefix("fabric/").unwrap_or(name);
    file.ends_with(".properties") && file.len() > ".properties".len() && !file.contains('/')
}

/// `res/values/strings.xml`, `res/values-fr/strings.xml`, … (see [`VALUE_FILES`]).
fn is_value_file(rel: &str) -> bool {
    let Some((dir, file)) = rel.rsplit_once('/') else {
        return false;
    };
    VALUE_FILES.contains(&file)
        && (dir == "res/values"
            || dir
                .strip_prefix("res/values-")
                .is_some_and(|q| !q.contains('/')))
}

/// The smali root of a path in an apktool tree: `smali`, `smali_classes2`, …
pub(crate) fn smali_root(rel: &str) -> &str {
    rel.split('/').next().unwrap_or("")
}

fn smali_order(rel: &str) -> u32 {
    let top = rel.split('/').next().unwrap_or("");
    match top.strip_prefix("smali_classes") {
        Some(n) => n.parse().unwrap_or(u32::MAX),
        None => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::is_sdk_properties;

    #[test]
    fn sdk_properties_names() {
        for ok in [
            "firebase-analytics.properties",
            "play-services-measurement.properties",
            "fabric/com.crashlytics.sdk.android.crashlytics.properties",
        ] {
            assert!(is_sdk_properties(ok), "{ok}");
        }
        for bad in [
            ".properties",
            "fabric/.properties",
            "assets/crashlytics-build.properties",
            "org/apache/harmony/awt/internal/nls/messages.properties",
            "META-INF/com/android/build/gradle/app-metadata.properties",
            "fabric/x/y.properties",
            "firebase-analytics.version",
        ] {
            assert!(!is_sdk_properties(bad), "{bad}");
        }
    }
}
