//! Building the SDK library (`signatures/sdk.library`) from the vendors' own builds.
//!
//! The builds are listed in `signatures/library/builds/*.tsv` (one row per distinct vendor
//! binary: SDK, version, module, where it comes from, sha256, licence, class count, the SDK's
//! own packages, how the version is known). The binaries are never committed: `bench/library/
//! fetch_builds.py` brings them into a cache and `bench/library/dex_builds.py` translates them
//! to DEX (`CACHE/dex/<sha256>/classes*.dex`), which is what this module reads. Knowledge comes
//! from the vendors' releases only: no app is ever an input here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use trackscan_dex::DexFile;
use trackscan_shape::libfp::{lib_classes, LibClass};
pub use trackscan_shape::library::{Library, SdkBuilds};

/// One vendor build of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildRow {
    /// SDK (`onesignal`, `play-services`).
    pub sdk: String,
    /// Release version, as read from inside the build.
    pub version: String,
    /// Module or artifact (`-` when the SDK is one artifact).
    pub module: String,
    /// `jar` or `aar`.
    pub format: String,
    /// `github:owner/name` or `npm:package@version`.
    pub source: String,
    /// Commit holding the file (or `-`).
    pub commit: String,
    /// Path of the file in the source.
    pub path: String,
    /// sha256 of the binary.
    pub sha256: String,
    /// Licence of the binary.
    pub licence: String,
    /// Slash prefixes of the SDK's own classes (`com/onesignal/`).
    pub packages: Vec<String>,
    /// Where the line came from (`file:line`), for messages.
    pub at: String,
}

/// Vendors whose SDKs share code and version numbers across several list `sdk` names: one
/// library SDK each (a class two library SDKs hold would count for neither). Google's Play
/// services and Firebase artifacts had one version before 15.0.0 and overlap in classes; the
/// versions of one tracker's classes are voted on separately anyway (`scan::structure`), so
/// independently versioned artifacts in one library SDK do not mix.
const VENDOR: &[(&str, &str)] = &[
    ("play-services", "google"),
    ("firebase", "google"),
    ("google-analytics", "google"),
];

impl BuildRow {
    /// The library SDK this build belongs to (the vendor for [`VENDOR`]'s SDKs).
    pub fn library_sdk(&self) -> String {
        VENDOR
            .iter()
            .find(|(sdk, _)| *sdk == self.sdk)
            .map_or_else(|| self.sdk.clone(), |(_, v)| (*v).to_string())
    }
}

/// The columns of a builds list, in order, when it has no header row.
pub const COLUMNS: &[&str] = &[
    "sdk",
    "version",
    "module",
    "format",
    "source",
    "commit",
    "path",
    "sha256",
    "licence",
    "classes",
    "packages",
    "version_from",
];

/// Parses one builds list. A header row (`sdk  version  …`) names the columns, else they are
/// [`COLUMNS`]; `#` lines are comments. A row with a missing column is an error naming
/// `file:line`; `packages` `-` means none (an empty wrapper artifact).
pub fn parse_builds(text: &str, file: &str) -> Result<Vec<BuildRow>, String> {
    let mut cols: Vec<&str> = COLUMNS.to_vec();
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split('\t').collect();
        if parts.first() == Some(&"sdk") {
            cols = parts;
            continue;
        }
        let get = |name: &str| -> Result<String, String> {
            cols.iter()
                .position(|c| *c == name)
                .and_then(|i| parts.get(i))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .ok_or_else(|| format!("{file}:{}: no `{name}`", n + 1))
        };
        out.push(BuildRow {
            sdk: get("sdk")?,
            version: get("version")?,
            module: get("module").unwrap_or_else(|_| "-".into()),
            format: get("format")?,
            source: get("source")?,
            commit: get("commit").unwrap_or_else(|_| "-".into()),
            path: get("path")?,
            sha256: get("sha256")?,
            licence: get("licence")?,
            packages: get("packages")?
                .split(',')
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty() && p != "-")
                .collect(),
            at: format!("{file}:{}", n + 1),
        });
    }
    Ok(out)
}

/// Every row of every `*.tsv` in `dir`, files in name order.
pub fn read_builds(dir: &Path) -> Result<Vec<BuildRow>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().and_then(|x| x.to_str()) == Some("tsv"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        out.extend(parse_builds(&text, &f.display().to_string())?);
    }
    Ok(out)
}

/// The DEX files of one build in the cache (`CACHE/dex/<sha256>/classes*.dex`).
pub fn build_dex(cache: &Path, row: &BuildRow) -> Result<Vec<(String, Vec<u8>)>, String> {
    let dir = cache.join("dex").join(&row.sha256);
    let rd = std::fs::read_dir(&dir).map_err(|e| {
        format!(
            "{}: {} {}: no DEX in the cache ({}: {e}); run bench/library/fetch_builds.py fetch and dex_builds.py",
            row.at,
            row.sdk,
            row.version,
            dir.display()
        )
    })?;
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().and_then(|x| x.to_str()) == Some("dex"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let b = std::fs::read(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        out.push((f.display().to_string(), b));
    }
    if out.is_empty() {
        return Err(format!("{}: no DEX files in {}", row.at, dir.display()));
    }
    Ok(out)
}

/// The SDK's own classes of one build (those under its packages), with library fingerprints.
pub fn build_classes(dex: &[(String, Vec<u8>)], row: &BuildRow) -> Vec<LibClass> {
    let files: Vec<DexFile<'_>> = dex
        .iter()
        .filter_map(|(_, b)| DexFile::parse(b).ok())
        .collect();
    let prefixes: Vec<String> = row.packages.iter().map(|p| format!("L{p}")).collect();
    lib_classes(&files, |d| {
        prefixes.iter().any(|p| d.starts_with(p.as_bytes()))
    })
    .0
}

/// The library inputs: per library SDK and release, the union of its builds' classes (a class
/// two builds of one release both hold counts once).
pub fn group(rows: &[(BuildRow, Vec<LibClass>)]) -> Vec<SdkBuilds> {
    let mut by: BTreeMap<String, BTreeMap<String, Vec<LibClass>>> = BTreeMap::new();
    for (row, classes) in rows {
        // A build whose version is not known cannot tell releases apart.
        if row.version == "-" {
            continue;
        }
        let rel = by
            .entry(row.library_sdk())
            .or_default()
            .entry(row.version.clone())
            .or_default();
        for c in classes {
            if !rel.iter().any(|x| x.descriptor == c.descriptor) {
                rel.push(c.clone());
            }
        }
    }
    by.into_iter()
        .map(|(id, rels)| SdkBuilds {
            id,
            releases: rels.into_iter().collect(),
        })
        .collect()
}

/// The artifact a build is evaluated as in [`leave_one_out`]: the library SDK, or for
/// vendors that version their artifacts apart (Google, Meta) the artifact (module), whose own
/// release list says which release is "next".
pub fn artifact(row: &BuildRow) -> String {
    let per_artifact = row.library_sdk() == "google" || row.sdk == "facebook";
    if per_artifact && row.module != "-" && !row.module.is_empty() {
        row.module.clone()
    } else {
        row.library_sdk()
    }
}

/// Leave-one-out over the library: every release of every artifact ([`artifact`]), its classes
/// matched against the library without that release. Per release: (artifact, version, verdict)
/// where verdict is `adjacent` (a release, or a range of at most three, next to the left-out
/// one or around it, counted in the artifact's own releases), `range` (a wider range around
/// it), `none` (no verdict) or `wrong:D` (the nearest end of the verdict is D of the
/// artifact's releases away).
pub fn leave_one_out(
    lib: &Library,
    rows: &[(BuildRow, Vec<LibClass>)],
) -> Vec<(String, String, String)> {
    // artifact -> (library SDK, version -> classes)
    let mut arts: BTreeMap<String, (String, BTreeMap<String, Vec<LibClass>>)> = BTreeMap::new();
    for (row, classes) in rows {
        if row.version == "-" || classes.is_empty() {
            continue;
        }
        let slot = arts
            .entry(artifact(row))
            .or_insert_with(|| (row.library_sdk(), BTreeMap::new()));
        let rel = slot.1.entry(row.version.clone()).or_default();
        for c in classes {
            if !rel.iter().any(|x| x.descriptor == c.descriptor) {
                rel.push(c.clone());
            }
        }
    }
    let mut out = Vec::new();
    for (art, (sdk, releases)) in &arts {
        let Some(si) = lib.sdks().iter().position(|s| &s.id == sdk) else {
            continue;
        };
        let versions = &lib.sdks()[si].versions;
        // The artifact's releases in release order, with their index in the library's list.
        let mut own: Vec<(usize, &String)> = releases
            .keys()
            .filter_map(|v| versions.iter().position(|x| x == v).map(|i| (i, v)))
            .collect();
        own.sort_unstable();
        for (p0, &(ri, v)) in own.iter().enumerate() {
            let Some(classes) = releases.get(v) else {
                continue;
            };
            let m = lib.match_app_without(classes, Some((si, ri)));
            let verdict = m
                .iter()
                .find(|m| m.sdk == si)
                .and_then(|m| m.versions_without(lib, Some(ri)));
            let label = match verdict {
                None => "none".to_string(),
                Some(vv) => {
                    // An open end reaches past the releases the library has.
                    let a = if vv.open_start { 0 } else { vv.first };
                    let b = if vv.open_end { versions.len() } else { vv.last };
                    // The verdict in the artifact's own positions.
                    let first_p = own.iter().filter(|(i, _)| *i < a).count();
                    let last_p = own.iter().filter(|(i, _)| *i <= b).count() as isize - 1;
                    let p = p0 as isize;
                    let first = first_p as isize;
                    let inside = first <= p && p <= last_p;
                    let width = (last_p - first + 1).max(0) - isize::from(inside);
                    let d = (first - p).max(p - last_p).max(0);
                    if d <= 1 && width <= 3 {
                        "adjacent".to_string()
                    } else if d == 0 {
                        "range".to_string()
                    } else {
                        format!("wrong:{d}")
                    }
                }
            };
            out.push((art.clone(), v.clone(), label));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_list_parses_and_names_bad_lines() {
        let text = "# c\nsdk\tversion\tmodule\tformat\tsource\tcommit\tpath\tsha256\tlicence\tclasses\tpackages\tversion_from\n\
                    facebook\t5.2.0\tfacebook-core\taar\tgithub:a/b\tabc\tx.aar\t00ff\tvendor\t10\tcom/facebook/\tfile name\n";
        let rows = parse_builds(text, "t.tsv").expect("parses");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].library_sdk(), "facebook");
        assert_eq!(rows[0].packages, ["com/facebook/"]);
        let bad = "sdk\tversion\tformat\nx\t1\n";
        let e = parse_builds(bad, "t.tsv").expect_err("missing column");
        assert!(e.starts_with("t.tsv:2:"), "{e}");
        assert!(parse_builds("x\ty\n", "t.tsv").is_err());
        // No header row: the standard columns.
        let rows = parse_builds(text.lines().nth(2).unwrap_or_default(), "t.tsv").expect("parses");
        assert_eq!(rows[0].version, "5.2.0");
    }
}
