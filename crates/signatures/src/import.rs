//! Importers: εxodus tracker JSON (ODbL) → tracker rules; LibRadar / LibScout CSV
//! (Apache-2.0) → library rules.
//!
//! Never feed the GPL / non-commercial lists of `reference/other/` (AppManager, X-Ray,
//! DuckDuckGo, Disconnect) through these: the shipped rules must stay ODbL/Apache.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;

use crate::hosts::normalize_host;
use crate::rule::{valid_prefix, Rule};

/// εxodus skips code signatures of this many characters or fewer.
const EXODUS_MIN_SIGNATURE: usize = 3;

/// Why an import produced nothing usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// The input is not valid JSON.
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Parser message.
        message: String,
    },
    /// The JSON is valid but not shaped like the εxodus `/api/trackers` response.
    Shape {
        /// Which tracker (its key), if the problem is inside one.
        tracker: Option<String>,
        /// What was expected.
        expected: &'static str,
    },
    /// A CSV header is not the expected one.
    CsvHeader {
        /// The header line found.
        found: String,
        /// The header expected.
        expected: &'static str,
    },
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Json {
                line,
                column,
                message,
            } => write!(f, "{line}:{column}: invalid JSON: {message}"),
            ImportError::Shape {
                tracker: Some(t),
                expected,
            } => write!(f, "tracker `{t}`: expected {expected}"),
            ImportError::Shape {
                tracker: None,
                expected,
            } => write!(f, "expected {expected}"),
            ImportError::CsvHeader { found, expected } => {
                write!(f, "line 1: CSV header is `{found}`, expected `{expected}`")
            }
        }
    }
}

impl std::error::Error for ImportError {}

/// A stable slug from a name: lowercase ASCII alphanumerics separated by single `-`.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// True when an εxodus code alternative is a plain dotted name (no regex syntax other
/// than `.` used as a package separator).
fn is_plain_code(alt: &str) -> bool {
    !alt.is_empty()
        && alt
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '$' | '-'))
}

/// Converts one εxodus network alternative into a host suffix when it is just a
/// (possibly escaped, possibly dot-led) host name.
fn network_suffix(alt: &str) -> Option<String> {
    let mut s = alt.replace("\\.", ".").replace("\\-", "-");
    if let Some(rest) = s.strip_prefix(".*") {
        s = rest.to_string();
    }
    let s = s.trim_start_matches('.');
    let h = normalize_host(s)?;
    (h == s).then_some(h)
}

fn str_field<'a>(t: &'a serde_json::Value, key: &str) -> &'a str {
    t.get(key).and_then(|v| v.as_str()).unwrap_or("")
}

/// Imports the εxodus tracker database (`{"trackers": {"<id>": {…}}}`).
///
/// Keeps id, name, categories, website, code and network signatures; drops the
/// descriptions. Each `|` alternative of `code_signature` that is a plain dotted name
/// becomes a `code` prefix (trailing `.` removed; matched at package boundaries), other
/// alternatives stay `code_regex`; signatures of ≤ 3 characters are skipped like
/// exodus-core does. Network alternatives that are host names become `network`
/// suffixes, the rest `network_regex` (dropped with a `note` if the regex does not
/// compile in Rust). Rules are sorted by εxodus id; slug collisions get `-<id>`.
pub fn import_exodus(json: &str) -> Result<Vec<Rule>, ImportError> {
    let v: serde_json::Value = serde_json::from_str(json).map_err(|e| ImportError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let trackers = v
        .get("trackers")
        .and_then(|t| t.as_object())
        .ok_or(ImportError::Shape {
            tracker: None,
            expected: "an object with a `trackers` object",
        })?;
    let mut by_id: BTreeMap<u32, Rule> = BTreeMap::new();
    for (key, t) in trackers {
        let shape = |expected| ImportError::Shape {
            tracker: Some(key.clone()),
            expected,
        };
        if !t.is_object() {
            return Err(shape("an object"));
        }
        let exodus_id = match t.get("id") {
            Some(serde_json::Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
            _ => key.parse().ok(),
        }
        .ok_or_else(|| shape("a numeric `id`"))?;
        let name = str_field(t, "name").trim().to_string();
        if name.is_empty() {
            return Err(shape("a non-empty `name`"));
        }
        let mut r = Rule {
            id: slug(&name),
            exodus_id: Some(exodus_id),
            name,
            ..Rule::default()
        };
        if let Some(cats) = t.get("categories").and_then(|c| c.as_array()) {
            r.categories = cats
                .iter()
                .filter_map(|c| c.as_str())
                .map(str::to_string)
                .collect();
        }
        let website = str_field(t, "website").trim();
        if !website.is_empty() {
            r.website = Some(website.to_string());
        }
        let mut notes = Vec::new();
        let code = str_field(t, "code_signature");
        if code.len() > EXODUS_MIN_SIGNATURE {
            for alt in code.split('|').filter(|a| !a.is_empty()) {
                let prefix = alt.trim_matches('.');
                if is_plain_code(alt) && valid_prefix(prefix) {
                    if !r.code.iter().any(|c| c == prefix) {
                        r.code.push(prefix.to_string());
                    }
                } else if regex::Regex::new(alt).is_ok() {
                    r.code_regex.push(alt.to_string());
                } else {
                    notes.push(format!("dropped εxodus code regex `{alt}` (invalid)"));
                }
            }
        }
        let net = str_field(t, "network_signature");
        for alt in net.split('|').filter(|a| !a.is_empty()) {
            if let Some(h) = network_suffix(alt) {
                if !r.network.contains(&h) {
                    r.network.push(h);
                }
            } else if regex::Regex::new(alt).is_ok() {
                r.network_regex.push(alt.to_string());
            } else {
                notes.push(format!("dropped εxodus network regex `{alt}` (invalid)"));
            }
        }
        if !notes.is_empty() {
            r.note = Some(notes.join("; "));
        }
        by_id.insert(exodus_id, r);
    }
    let mut seen = HashSet::new();
    let mut out: Vec<Rule> = by_id.into_values().collect();
    for r in &mut out {
        if !seen.insert(r.id.clone()) {
            if let Some(n) = r.exodus_id {
                r.id = format!("{}-{n}", r.id);
                seen.insert(r.id.clone());
            }
        }
    }
    Ok(out)
}

/// Namespaces too broad to identify one library (LibRadar maps `Lcom/google` to
/// "Google Maps for Work").
const GENERIC_NAMESPACES: &[&str] = &[
    "com",
    "org",
    "net",
    "io",
    "android",
    "androidx",
    "java",
    "javax",
    "kotlin",
    "com.google",
    "com.android",
    "com.google.android",
    "org.apache",
    "com.facebook",
    "com.amazon",
    "com.microsoft",
    "com.example",
];

/// Converts a Dalvik package (`Lcom/foo/bar`, LibRadar) or dotted name (LibScout) to a
/// dotted prefix.
fn dotted(p: &str, dalvik: bool) -> String {
    let p = p.trim();
    let p = if dalvik {
        p.strip_prefix('L').unwrap_or(p)
    } else {
        p
    };
    p.trim_end_matches(';')
        .trim_matches('/')
        .replace('/', ".")
        .trim_matches('.')
        .to_string()
}

fn add_library(
    libs: &mut BTreeMap<String, Rule>,
    name: &str,
    category: &str,
    website: &str,
    prefix: &str,
    dalvik: bool,
) {
    let prefix = dotted(prefix, dalvik);
    let id = slug(name);
    if id.is_empty() || !valid_prefix(&prefix) || GENERIC_NAMESPACES.contains(&prefix.as_str()) {
        return;
    }
    let r = libs.entry(id.clone()).or_insert_with(|| Rule {
        id,
        name: name.to_string(),
        ..Rule::default()
    });
    if !category.is_empty() && !r.categories.iter().any(|c| c == category) {
        r.categories.push(category.to_string());
    }
    if r.website.is_none() && !website.is_empty() {
        r.website = Some(website.to_string());
    }
    if !r.code.contains(&prefix) {
        r.code.push(prefix);
    }
}

fn check_header(csv: &str, expected: &'static str) -> Result<(), ImportError> {
    let found = csv
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .trim_start_matches('\u{feff}');
    if found != expected {
        return Err(ImportError::CsvHeader {
            found: found.to_string(),
            expected,
        });
    }
    Ok(())
}

/// Imports LibRadar `tag_rules.csv` (`Package Name,Library Name,Type,Official Website`).
/// Rows named `no` (obfuscated / non-library packages) and rows with malformed packages
/// are skipped; rows with the same library name merge into one rule.
pub fn import_libradar(csv: &str) -> Result<Vec<Rule>, ImportError> {
    const HEADER: &str = "Package Name,Library Name,Type,Official Website";
    check_header(csv, HEADER)?;
    let mut libs = BTreeMap::new();
    for line in csv.lines().skip(1) {
        let mut f = line.splitn(4, ',').map(str::trim);
        let (pkg, name, ty, web) = (
            f.next().unwrap_or(""),
            f.next().unwrap_or(""),
            f.next().unwrap_or(""),
            f.next().unwrap_or(""),
        );
        if name.is_empty() || name.eq_ignore_ascii_case("no") {
            continue;
        }
        add_library(&mut libs, name, ty, web, pkg, true);
    }
    Ok(libs.into_values().collect())
}

/// Imports LibScout `library-data.csv` (`name,version,category,releaseDate,rootPackage`):
/// one rule per library name, with every distinct root package.
pub fn import_libscout(csv: &str) -> Result<Vec<Rule>, ImportError> {
    const HEADER: &str = "name,version,category,releaseDate,rootPackage";
    check_header(csv, HEADER)?;
    let mut libs = BTreeMap::new();
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.splitn(5, ',').map(str::trim).collect();
        let (Some(name), Some(cat), Some(pkg)) = (f.first(), f.get(2), f.get(4)) else {
            continue;
        };
        if name.is_empty() {
            continue;
        }
        add_library(&mut libs, name, cat, "", pkg, false);
    }
    Ok(libs.into_values().collect())
}

/// True when `p` equals `prefix` or lies under it at a package boundary.
pub(crate) fn under(p: &str, prefix: &str) -> bool {
    p == prefix
        || p.strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('$'))
}

/// Merges library lists (earlier lists win on names/websites) into one deduplicated,
/// id-sorted list, and removes what is already a tracker: a library whose slug or name
/// equals a tracker's keeps out entirely; a code prefix equal to or under a tracker prefix
/// is dropped (a library left with no prefix is dropped). A prefix claimed by an earlier
/// library is not repeated.
pub fn merge_libraries(trackers: &[Rule], sources: Vec<Vec<Rule>>) -> Vec<Rule> {
    let tracker_ids: HashSet<String> = trackers
        .iter()
        .flat_map(|t| [t.id.clone(), slug(&t.name)])
        .collect();
    let tracker_prefixes: Vec<&str> = trackers
        .iter()
        .flat_map(|t| t.code.iter().map(String::as_str))
        .collect();
    let mut merged: BTreeMap<String, Rule> = BTreeMap::new();
    let mut claimed: BTreeSet<String> = BTreeSet::new();
    for lib in sources.into_iter().flatten() {
        if tracker_ids.contains(&lib.id) {
            continue;
        }
        let code: Vec<String> = lib
            .code
            .iter()
            .filter(|p| !tracker_prefixes.iter().any(|t| under(p, t)))
            .filter(|p| !claimed.contains(*p))
            .cloned()
            .collect();
        if code.is_empty() {
            continue;
        }
        claimed.extend(code.iter().cloned());
        let entry = merged.entry(lib.id.clone()).or_insert_with(|| Rule {
            code: Vec::new(),
            ..lib.clone()
        });
        entry.code.extend(code);
        for c in lib.categories {
            if !entry.categories.contains(&c) {
                entry.categories.push(c);
            }
        }
        if entry.website.is_none() {
            entry.website = lib.website;
        }
    }
    merged.into_values().collect()
}

/// Refreshes hand-maintained tracker rules from a new εxodus import: εxodus fields
/// (name, categories, website, code, network) come from `imported`; everything εxodus
/// lacks (manifest, version files, native libs, assets, strings, data APIs, version
/// class, note) and extra `code`/`network` entries added by hand are kept from
/// `existing`; for a rule marked `narrowed`, its code/network lists replace εxodus'. Rules without `exodus_id` in `existing` (our own additions) are kept
/// at the end; rule ids of existing rules are kept.
pub fn update_from_exodus(existing: &[Rule], imported: Vec<Rule>) -> Vec<Rule> {
    let mut out = Vec::with_capacity(imported.len());
    for mut r in imported {
        if let Some(old) = existing
            .iter()
            .find(|o| o.exodus_id.is_some() && o.exodus_id == r.exodus_id)
        {
            r.id = old.id.clone();
            if old.narrowed {
                r.code = old.code.clone();
                r.code_regex = old.code_regex.clone();
                r.network = old.network.clone();
                r.network_regex = old.network_regex.clone();
                r.narrowed = true;
            }
            for c in &old.code {
                if !r.code.contains(c) {
                    r.code.push(c.clone());
                }
            }
            for n in &old.network {
                if !r.network.contains(n) {
                    r.network.push(n.clone());
                }
            }
            // Categories given by hand (εxodus has none for many rules) survive a re-import.
            if r.categories.is_empty() {
                r.categories = old.categories.clone();
            }
            r.manifest = old.manifest.clone();
            r.version_files = old.version_files.clone();
            r.native_libs = old.native_libs.clone();
            r.assets = old.assets.clone();
            r.strings = old.strings.clone();
            r.data_apis = old.data_apis.clone();
            r.version_class = old.version_class.clone();
            r.version_format = old.version_format.clone();
            r.version_meta_data = old.version_meta_data.clone();
            if old.note.is_some() {
                r.note = old.note.clone();
            }
        }
        out.push(r);
    }
    out.extend(existing.iter().filter(|o| o.exodus_id.is_none()).cloned());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(name: &str) -> Option<String> {
        let p = format!(
            "{}/../../../shared/reference/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        match std::fs::read_to_string(&p) {
            Ok(s) => Some(s),
            Err(_) => {
                eprintln!("note: {p} absent, skipping");
                None
            }
        }
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("AppsFlyer"), "appsflyer");
        assert_eq!(slug("Audience Studio (Krux)"), "audience-studio-krux");
        assert_eq!(slug("  Google  CrashLytics "), "google-crashlytics");
    }

    #[test]
    fn exodus_conversion() {
        let json = r#"{"trackers": {
          "12": {"id": 12, "name": "AppsFlyer", "description": "long text", "code_signature": "com.appsflyer.",
                 "network_signature": "appsflyer\\.com", "website": "https://www.appsflyer.com/", "categories": ["Analytics"]},
          "65": {"id": 65, "name": "Facebook Ads", "code_signature": "com.facebook.ads|com.fb.[a-z]+ads",
                 "network_signature": "\\.facebook\\.com|fidzup|.*\\.estimote\\.com|(", "website": "", "categories": []},
          "7": {"id": 7, "name": "Short", "code_signature": "a.b", "network_signature": "", "website": "x", "categories": []},
          "8": {"id": 8, "name": "App sflyer", "code_signature": "org.x.", "network_signature": "", "website": "", "categories": []}
        }}"#;
        let r = import_exodus(json).unwrap();
        let ids: Vec<&str> = r.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["short", "app-sflyer", "appsflyer", "facebook-ads"]);
        let af = &r[2];
        assert_eq!(af.code, ["com.appsflyer"]);
        assert_eq!(af.network, ["appsflyer.com"]);
        assert_eq!(af.exodus_id, Some(12));
        assert!(r[0].code.is_empty(), "≤3-char signature skipped");
        let fb = &r[3];
        assert_eq!(fb.code, ["com.facebook.ads"]);
        assert_eq!(fb.code_regex, ["com.fb.[a-z]+ads"]);
        assert_eq!(fb.network, ["facebook.com", "estimote.com"]);
        assert_eq!(fb.network_regex, ["fidzup"]);
        assert!(fb.note.as_deref().unwrap_or("").contains("`(`"));
        assert!(fb.website.is_none());
    }

    #[test]
    fn exodus_errors() {
        assert!(matches!(
            import_exodus("{\n  nope"),
            Err(ImportError::Json { line: 2, .. })
        ));
        assert_eq!(
            import_exodus("{\"trackers\": {\"3\": {\"id\": 3}}}")
                .unwrap_err()
                .to_string(),
            "tracker `3`: expected a non-empty `name`"
        );
        assert!(import_exodus("[]").is_err());
    }

    #[test]
    fn real_exodus_file_gives_432_trackers() {
        let Some(json) = reference("exodus_trackers.json") else {
            return;
        };
        let rules = import_exodus(&json).unwrap();
        assert_eq!(rules.len(), 432);
        let get = |id: &str| rules.iter().find(|r| r.id == id).unwrap();
        assert_eq!(get("appsflyer").exodus_id, Some(12));
        assert_eq!(get("branch").exodus_id, Some(167));
        assert_eq!(get("mixpanel").exodus_id, Some(118));
        assert_eq!(get("google-crashlytics").exodus_id, Some(27));
        assert_eq!(get("google-firebase-analytics").exodus_id, Some(49));
        assert_eq!(get("google-admob").exodus_id, Some(312));
        assert_eq!(get("onesignal").code, ["com.onesignal"]);
        assert_eq!(get("teemo").code, ["com.databerries", "com.geolocstation"]);
        let ids: HashSet<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids.len(), 432, "ids unique");
        let eids: HashSet<u32> = rules.iter().filter_map(|r| r.exodus_id).collect();
        assert_eq!(eids.len(), 432);
        assert!(eids.iter().all(|&i| (1..=448).contains(&i)));
        let set = crate::RuleSet {
            trackers: rules,
            libraries: Vec::new(),
        };
        let problems: Vec<String> = set
            .check()
            .into_iter()
            .filter(|p| !p.contains("no signature"))
            .collect();
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn reimport_keeps_hand_extensions_and_narrowing() {
        let imported = |id: u32, code: &str, net: &str| Rule {
            id: format!("new-{id}"),
            exodus_id: Some(id),
            name: format!("N{id}"),
            code: vec![code.into()],
            network: vec![net.into()],
            ..Rule::default()
        };
        let existing = vec![
            Rule {
                id: "kept-id".into(),
                exodus_id: Some(1),
                name: "Old".into(),
                code: vec!["com.a".into(), "com.a2".into()],
                manifest: vec!["com.a.Key".into()],
                strings: vec!["A_".into()],
                note: Some("why".into()),
                ..Rule::default()
            },
            Rule {
                id: "narrow".into(),
                exodus_id: Some(2),
                name: "B".into(),
                code: vec!["com.b.sdk".into()],
                narrowed: true,
                ..Rule::default()
            },
            Rule {
                id: "ours".into(),
                name: "Ours".into(),
                code: vec!["com.ours".into()],
                ..Rule::default()
            },
        ];
        let out = update_from_exodus(
            &existing,
            vec![
                imported(1, "com.a", "a.com"),
                imported(2, "com.b", "google.com"),
            ],
        );
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].id, "kept-id");
        assert_eq!(out[0].name, "N1", "εxodus fields refreshed");
        assert_eq!(out[0].code, ["com.a", "com.a2"]);
        assert_eq!(out[0].network, ["a.com"]);
        assert_eq!(out[0].manifest, ["com.a.Key"]);
        assert_eq!(out[0].strings, ["A_"]);
        assert_eq!(out[0].note.as_deref(), Some("why"));
        assert_eq!(out[1].code, ["com.b.sdk"], "narrowed rule keeps its lists");
        assert!(out[1].network.is_empty());
        assert!(out[1].narrowed);
        assert_eq!(out[2].id, "ours");
    }

    #[test]
    fn libradar_and_libscout() {
        let radar = "Package Name,Library Name,Type,Official Website\n\
            La/b,no,,\n\
            Lcom/google/gson,Gson,Development Aid,https://github.com/google/gson\n\
            Lcom/google/gson2,Gson,Development Aid,\n\
            Lcom/appsflyer,AppsFlyer,Mobile Analytics,\n\
            Lcom/flurry/android,Flurry Lib,Mobile Analytics,\n\
            Lbad//x,Bad,,\n\
            Lbolts,Bolts,Development Aid,\n\
            Lcom/google,Google Maps for Work,Map/LBS,\n";
        let r = import_libradar(radar).unwrap();
        let names: Vec<&str> = r.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["AppsFlyer", "Bolts", "Flurry Lib", "Gson"]);
        assert_eq!(r[1].code, ["bolts"], "single-segment Dalvik package");
        assert_eq!(r[3].code, ["com.google.gson", "com.google.gson2"]);
        assert!(import_libradar("x,y\n").is_err());
        let scout = "name,version,category,releaseDate,rootPackage\n\
            Gson,2.1,Utilities,0,com.google.gson\n\
            Gson,2.2,Utilities,0,com.google.gson\n\
            OkHttp,3,Utilities,0,okhttp3\n";
        let s = import_libscout(scout).unwrap();
        assert_eq!(s.len(), 2);
        let trackers = vec![
            Rule {
                id: "appsflyer".into(),
                name: "AppsFlyer".into(),
                code: vec!["com.appsflyer".into()],
                ..Rule::default()
            },
            Rule {
                id: "flurry".into(),
                name: "Flurry".into(),
                code: vec!["com.flurry".into()],
                ..Rule::default()
            },
        ];
        let m = merge_libraries(&trackers, vec![r, s]);
        let ids: Vec<&str> = m.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["bolts", "gson", "okhttp"], "trackers stay trackers");
        assert_eq!(
            m[1].code,
            ["com.google.gson", "com.google.gson2"],
            "deduped"
        );
    }

    #[test]
    fn real_library_files() {
        let (Some(radar), Some(scout)) = (
            reference("other/libradar_tag_rules.csv"),
            reference("other/libscout_library-data.csv"),
        ) else {
            return;
        };
        let r = import_libradar(&radar).unwrap();
        let s = import_libscout(&scout).unwrap();
        assert!(r.len() > 300, "{}", r.len());
        assert!(s.len() > 150, "{}", s.len());
        assert!(r.iter().all(|l| l.name != "no"));
    }
}
