//! An SDK's version, and where it came from.
//!
//! The matcher finds a version in a version file (Gradle `META-INF/*.version`, or the
//! `*.properties` that Google Play services / Firebase and Fabric ship) or in a version-bearing
//! distinctive string. When neither exists (R8 drops the version files of many apps), the SDK's
//! own code often still carries it as a compile-time constant: Gradle's generated
//! `BuildConfig.VERSION_NAME`, or a hand-written `SDK_VERSION` field. D8 keeps the initial value
//! of a `static final String` field in the class's `static_values`, so the code index can read
//! it without executing anything ([`trackscan_dex::CodeIndex::string_constants`]).
//!
//! Rules, in order:
//! 1. a version from the matcher wins (source `version_file:NAME` for the best-ranked version
//!    file of the rule, else `string:VALUE` for the distinctive string it came from);
//! 2. otherwise, the constant the rule names in `version_class` (`com.facebook.FacebookSdkVersion.BUILD`:
//!    class, then field), when present and a version (dotted, or in the rule's
//!    `version_format`: [`decode`]);
//! 3. otherwise, a `static final String` constant of a class under one of the rule's own code
//!    prefixes, whose field name is in [`VERSION_FIELDS`] and whose value [`looks_like_version`]
//!    (source `constant:Lcom/foo/BuildConfig;->VERSION_NAME`). Classes named `BuildConfig` are
//!    preferred, then the field-name order of [`VERSION_FIELDS`], then the class descriptor order;
//!    so the result is deterministic. A constant of the *app's* own `BuildConfig` can never be
//!    taken: only classes under the SDK's prefixes are read;
//! 4. otherwise, when R8 inlined the `version_class` constant and removed it, the one release
//!    version that the code of the constant's package still loads ([`from_release_code`],
//!    source `code:CLASS`);
//! 5. last, the modules of one SDK release (rules naming the same `version_class`) share the
//!    version one of them found ([`share_release_versions`], source `release:ID (SOURCE)`).

use trackscan_dex::CodeIndex;
use trackscan_signatures::{Detection, EvidenceKind};

use crate::report::Finding;

/// Field names that hold an SDK's version, in order of preference. Deliberately short: a field
/// such as `API_VERSION` or `PROTOCOL_VERSION` usually names a wire-format version, not the SDK's.
pub const VERSION_FIELDS: &[&str] = &[
    "VERSION_NAME",
    "SDK_VERSION_NAME",
    "SDK_VERSION",
    "SDK_VERSION_STRING",
    "LIBRARY_VERSION",
    "BUILD_VERSION",
    "VERSION",
];

/// Suffixes of field names that hold an SDK's version under a vendor prefix
/// (`AF_SDK_VERSION`, `MP_LIBRARY_VERSION`), ranked after every name of [`VERSION_FIELDS`].
pub const VERSION_FIELD_SUFFIXES: &[&str] =
    &["_SDK_VERSION", "_SDK_VERSION_NAME", "_LIBRARY_VERSION"];

/// The preference rank of a field name as a version field: its place in [`VERSION_FIELDS`],
/// else after them by [`VERSION_FIELD_SUFFIXES`]; `None` for any other name.
fn field_rank(name: &str) -> Option<usize> {
    VERSION_FIELDS.iter().position(|f| *f == name).or_else(|| {
        VERSION_FIELD_SUFFIXES
            .iter()
            .position(|s| name.len() > s.len() && name.ends_with(s))
            .map(|k| VERSION_FIELDS.len() + k)
    })
}

/// Classes read per finding at most (a huge SDK prefix must not turn one finding into a scan of
/// the whole app's class data).
const MAX_CLASSES: usize = 20_000;

/// Longest accepted version string.
const MAX_LEN: usize = 40;

/// Whether `s` looks like a version: at least two dot-separated runs of ASCII digits (`6.12.1`),
/// optionally followed by a suffix that starts with `-`, `+`, `_` or `.` and continues with
/// ASCII letters, digits, `.`, `-`, `_` or `+` (`21.5.0-beta01`, `4.1.0.RELEASE`); at most 40
/// bytes. A bare integer is not enough (too often a build number or an API level).
pub fn looks_like_version(s: &str) -> bool {
    if s.is_empty() || s.len() > MAX_LEN {
        return false;
    }
    let b = s.as_bytes();
    let mut i = 0;
    let mut parts = 0;
    loop {
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
        parts += 1;
        match b.get(i) {
            Some(b'.') if b.get(i + 1).is_some_and(u8::is_ascii_digit) => i += 1,
            _ => break,
        }
    }
    if parts < 2 {
        return false;
    }
    match b.get(i..) {
        None | Some([]) => true,
        Some([sep, rest @ ..]) => {
            matches!(sep, b'-' | b'+' | b'_' | b'.')
                && !rest.is_empty()
                && rest
                    .iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_' | b'+'))
        }
    }
}

/// Whether a version-like constant is a placeholder rather than an SDK version: all numeric
/// parts zero (`0.0.0`, seen as `com.google.ads.AdRequest.VERSION`), or exactly `1.0` (the
/// Android Studio module template's `versionName`, and the value of protocol-version fields such
/// as Bolts' `AppLinkNavigation.VERSION`). Seen in the corpus; a real SDK `1.0` is lost.
pub fn is_placeholder(v: &str) -> bool {
    let core = v.split(['-', '+', '_']).next().unwrap_or(v);
    v == "1.0" || core.split('.').all(|p| p.bytes().all(|b| b == b'0'))
}

/// The finding's version and its source (see the module documentation). `prefixes` are the
/// rule's code prefixes in descriptor form (`Lcom/foo/`).
pub fn resolve(
    d: &Detection,
    version_class: Option<&str>,
    version_format: Option<&str>,
    prefixes: &[String],
    index: &CodeIndex<'_>,
) -> (Option<String>, Option<String>) {
    if let Some(v) = &d.sdk_version {
        let source = d.sdk_version_source.clone().or_else(|| {
            // A detector that did not say where its version came from.
            d.evidence
                .iter()
                .find(|e| e.kind == EvidenceKind::VersionFile)
                .map(|e| format!("version_file:{}", e.value))
        });
        return (Some(v.clone()), source);
    }
    if let Some((class, field, value)) = version_class
        .and_then(|vc| from_named_constant(vc, version_format, index))
        .or_else(|| from_constants(prefixes, index))
    {
        return (Some(value), Some(format!("constant:{class}->{field}")));
    }
    match version_class.and_then(|vc| from_release_code(vc, version_format, index)) {
        Some((class, raw, value)) if raw != value => {
            (Some(value), Some(format!("code:{class} \"{raw}\"")))
        }
        Some((class, _, value)) => (Some(value), Some(format!("code:{class}"))),
        None => (None, None),
    }
}

/// Whether `s` is a full release version as SDKs write theirs in code: [`looks_like_version`]
/// with at least three numeric parts (`4.29.0`; `2.0` or `1.1` are too often protocol or
/// format versions), not a placeholder.
fn is_release_version(s: &str) -> bool {
    let core = s.split(['-', '+', '_']).next().unwrap_or(s);
    looks_like_version(s)
        && core
            .split('.')
            .take_while(|p| p.bytes().all(|b| b.is_ascii_digit()))
            .count()
            >= 3
        && !is_placeholder(s)
}

/// The version an SDK release keeps in the code of its core package when the constant the
/// rule names (`version_class`, e.g. `com.facebook.FacebookSdkVersion.BUILD`) is gone (R8
/// inlines a `static final` constant into its readers and removes the class): the one
/// distinct [`is_release_version`] string that methods of the classes directly in the
/// constant's package (`com.facebook.*`, not its sub-packages, which other SDKs of the same
/// vendor share) load with `const-string`. `None` when there is none or more than one.
/// With a `version_format`, the strings looked for are that format's with three parts
/// (`two_digit_parts`: six digits). Returns (the first class holding it, the string as
/// written, the version).
pub fn from_release_code(
    version_class: &str,
    format: Option<&str>,
    index: &CodeIndex<'_>,
) -> Option<(String, String, String)> {
    let (class, _) = version_class.rsplit_once('.')?;
    let (package, _) = class.rsplit_once('.')?;
    let prefix = format!("L{}/", package.replace('.', "/"));
    one_release_version(&[prefix], format, false, index)
}

/// The version of an SDK whose classes were renamed, found by the shape of its code
/// ([`crate::structure`]): the one distinct release version (as [`from_release_code`] reads
/// it, plus the initial values of `static final String` fields, whose *names* renaming
/// changed but whose values it keeps) in the classes directly in `packages`, the renamed
/// packages that hold the SDK's matched classes. `None` when there is none or more than one
/// (a flattened package shared with other code says nothing). Returns (the first class
/// holding it, the string as written, the version).
pub fn from_renamed_code(
    packages: &[String],
    format: Option<&str>,
    index: &CodeIndex<'_>,
) -> Option<(String, String, String)> {
    one_release_version(packages, format, true, index)
}

/// Where the version constant of a renamed SDK can be: the renamed `packages` that hold its
/// matched classes, plus, when `version_class` lies above the rule's code prefixes
/// (`com.facebook.FacebookSdkVersion` for the rule `com.facebook.appevents`), the ancestors
/// of the shallowest of them as many levels up (renaming keeps the package tree, each name
/// replaced). `prefixes` in descriptor form (`Lcom/foo/`), packages as `La/b/`.
pub fn renamed_version_packages(
    version_class: &str,
    prefixes: &[String],
    packages: &[String],
) -> Vec<String> {
    let segments = |p: &str| p.trim_end_matches('/').split('/').count();
    let up = version_class
        .rsplit_once('.')
        .and_then(|(class, _)| class.rsplit_once('.'))
        .map(|(pkg, _)| format!("L{}/", pkg.replace('.', "/")))
        .and_then(|vp| {
            prefixes
                .iter()
                .filter(|p| p.len() > vp.len() && p.starts_with(&vp))
                .map(|p| segments(p) - segments(&vp))
                .max()
        })
        .unwrap_or(0);
    let mut out: Vec<String> = packages.to_vec();
    let Some(min) = packages.iter().map(|p| segments(p)).min() else {
        return out;
    };
    for p in packages.iter().filter(|p| segments(p) == min) {
        let parts: Vec<&str> = p.trim_end_matches('/').split('/').collect();
        for k in 1..=up.min(parts.len().saturating_sub(1)) {
            let a = format!("{}/", parts[..parts.len() - k].join("/"));
            if !out.contains(&a) {
                out.push(a);
            }
        }
    }
    out
}

/// The one distinct release version that the classes directly in `packages` (descriptor
/// prefixes `La/b/`; at most [`MAX_CLASSES`] classes in all) load with `const-string`, and
/// with `statics` also hold as a `static final String` value. Strings are read as
/// [`is_release_version`] without a format, else as that format's with three parts
/// (`two_digit_parts`: six digits).
fn one_release_version(
    packages: &[String],
    format: Option<&str>,
    statics: bool,
    index: &CodeIndex<'_>,
) -> Option<(String, String, String)> {
    let read = |v: &str| -> Option<String> {
        match format {
            None if is_release_version(v) => Some(v.to_string()),
            Some(f) if v.len() == 6 => decode(Some(f), v),
            _ => None,
        }
    };
    let mut found: Option<(String, String, String)> = None;
    let mut seen = 0usize;
    for prefix in packages {
        // A prefix must name a package: an empty or root prefix would read the whole app.
        if prefix.len() < 3 {
            continue;
        }
        for c in index.classes_with_prefix(prefix) {
            seen += 1;
            if seen > MAX_CLASSES {
                return found;
            }
            let desc = c.descriptor();
            let direct = desc
                .get(prefix.len()..)
                .is_some_and(|rest| !rest.contains('/'));
            if !direct {
                continue;
            }
            let constants = statics
                .then(|| c.string_constants().map(|(_, v)| v))
                .into_iter()
                .flatten();
            let strings = c.methods().flat_map(|m| m.strings());
            for raw in constants.chain(strings) {
                let raw = raw.trim();
                let Some(version) = read(raw) else {
                    continue;
                };
                match &found {
                    None => found = Some((desc.to_string(), raw.to_string(), version)),
                    Some((_, seen_raw, _)) if seen_raw == raw => {}
                    // Two different versions: not one release's, say nothing.
                    Some(_) => return None,
                }
            }
        }
    }
    found
}

/// The built-in table of versions by manifest meta-data value (`signatures/meta_versions.tsv`).
pub const META_VERSIONS_TEXT: &str = include_str!("../../../signatures/meta_versions.tsv");

/// The version a manifest meta-data value stands for in `table` (the text form of
/// `signatures/meta_versions.tsv`: `name TAB value TAB version TAB provenance`, `#` comments).
/// Several releases can write the same value (Play services 9.0.0, 9.0.1 and 9.0.2 all write
/// 9080000): then the answer is the range `first..last` of those rows (in table order, which
/// is release order), never one of them dressed as exact. Returns (version, source
/// `meta-data:NAME=VALUE`).
pub fn from_meta_data(table: &str, name: &str, value: &str) -> Option<(String, String)> {
    let value = value.trim();
    let versions: Vec<&str> = table
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut f = l.split('\t');
            (f.next()? == name && f.next()? == value).then(|| f.next())?
        })
        .filter(|v| looks_like_version(v))
        .collect();
    let first = versions.first()?;
    let last = versions.last()?;
    let v = if first == last {
        first.to_string()
    } else {
        format!("{first}..{last}")
    };
    Some((v, format!("meta-data:{name}={value}")))
}

/// Gives every module of an SDK release the release's version: findings whose rules name the
/// same `version_class` are one release (Facebook core, login, share, places all name
/// `com.facebook.FacebookSdkVersion.BUILD`). A finding of the release without a version takes
/// the first versioned one's (in finding order), with the source `release:ID (SOURCE)`.
/// `version_classes[i]` is the `version_class` of the rule of `findings[i]`.
pub fn share_release_versions(findings: &mut [Finding], version_classes: &[Option<&str>]) {
    for i in 0..findings.len() {
        let Some(Some(vc)) = version_classes.get(i) else {
            continue;
        };
        if findings.get(i).is_none_or(|f| f.sdk_version.is_some()) {
            continue;
        }
        let donor =
            findings
                .iter()
                .zip(version_classes)
                .find_map(|(f, c)| match (&f.sdk_version, c) {
                    (Some(v), Some(c)) if c == vc => Some((
                        v.clone(),
                        format!(
                            "release:{} ({})",
                            f.id,
                            f.sdk_version_source.as_deref().unwrap_or("-")
                        ),
                    )),
                    _ => None,
                });
        if let (Some((v, src)), Some(f)) = (donor, findings.get_mut(i)) {
            f.sdk_version = Some(v);
            f.sdk_version_source = Some(src);
        }
    }
}

/// The constant a rule names as `pkg.Class.FIELD` (nested classes as `Outer$Inner`), when it
/// exists and looks like a version: (class descriptor, field name, value).
pub fn from_named_constant(
    version_class: &str,
    format: Option<&str>,
    index: &CodeIndex<'_>,
) -> Option<(String, String, String)> {
    let (class, field) = version_class.rsplit_once('.')?;
    let desc = format!("L{};", class.replace('.', "/"));
    let raw = index.string_constants(&desc).find(|(n, _)| n == field)?.1;
    let value = decode(format, raw.trim())?;
    Some((desc, field.to_string(), value))
}

/// A version constant's value as a dotted version, by the rule's `version_format`: as it is
/// when it [`looks_like_version`] (no format), or `two_digit_parts` (`"031006"` → `3.10.6`:
/// 4 to 8 digits, two per part). `None` for anything else and for placeholders.
pub fn decode(format: Option<&str>, raw: &str) -> Option<String> {
    let v = match format {
        None => looks_like_version(raw).then(|| raw.to_string())?,
        Some("two_digit_parts") => {
            let b = raw.as_bytes();
            if !(4..=8).contains(&b.len()) || b.len() % 2 != 0 || !b.iter().all(u8::is_ascii_digit)
            {
                return None;
            }
            b.chunks(2)
                .map(|p| {
                    p.iter()
                        .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
                        .to_string()
                })
                .collect::<Vec<_>>()
                .join(".")
        }
        Some(_) => return None,
    };
    (!is_placeholder(&v)).then_some(v)
}

/// The best version constant under `prefixes`: (class descriptor, field name, value).
pub fn from_constants(
    prefixes: &[String],
    index: &CodeIndex<'_>,
) -> Option<(String, String, String)> {
    // (not BuildConfig, field rank, class) → best first.
    let mut best: Option<((bool, usize, String), String, String)> = None;
    let mut seen = 0usize;
    for p in prefixes {
        // A prefix must name a package: an empty or root prefix would read the whole app.
        if p.len() < 3 {
            continue;
        }
        for c in index.classes_with_prefix(p) {
            seen += 1;
            if seen > MAX_CLASSES {
                break;
            }
            // Only DEX classes with static values (or smali classes) can hold a constant.
            if c.class_def().static_values_off == 0 && index.dex(c.file_index()).is_some() {
                continue;
            }
            let desc = c.descriptor();
            let not_build_config = !desc.ends_with("/BuildConfig;");
            for (name, value) in c.string_constants() {
                let Some(rank) = field_rank(&name) else {
                    continue;
                };
                let value = value.trim();
                if !looks_like_version(value) || is_placeholder(value) {
                    continue;
                }
                let key = (not_build_config, rank, desc.to_string());
                if best.as_ref().is_none_or(|(k, _, _)| key < *k) {
                    best = Some((key, name.into_owned(), value.to_string()));
                }
            }
        }
    }
    best.map(|((_, _, class), field, value)| (class, field, value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackscan_dex::IndexBuilder;
    use trackscan_fixtures::dex::{ClassDefSpec, DexBuilder, FieldDef, StaticValue};

    #[test]
    fn renamed_version_packages_climb_to_the_constant_package() {
        // com.facebook.appevents renamed a/b/c: FacebookSdkVersion lives one level up, a/b.
        let got = renamed_version_packages(
            "com.facebook.FacebookSdkVersion.BUILD",
            &["Lcom/facebook/appevents/".to_string()],
            &["La/b/c/".to_string(), "La/b/c/d/".to_string()],
        );
        assert_eq!(got, ["La/b/c/", "La/b/c/d/", "La/b/"]);
        // The constant inside the prefix: only the packages themselves.
        let got = renamed_version_packages(
            "com.onesignal.OneSignal.VERSION",
            &["Lcom/onesignal/".to_string()],
            &["Lx/y/".to_string()],
        );
        assert_eq!(got, ["Lx/y/"]);
    }

    #[test]
    fn renamed_code_gives_the_one_release_version_of_static_values() {
        let s = "Ljava/lang/String;";
        let build = |values: &[&str]| {
            let mut b = DexBuilder::new();
            for (i, v) in values.iter().enumerate() {
                b = b.class(ClassDefSpec::new(&format!("La/b/c{i};"), vec![]).field(
                    FieldDef::constant(&format!("f{i}"), s, StaticValue::Str((*v).into())),
                ));
            }
            b.build()
        };
        let one = build(&["4.14.1", "not a version", "4.14.1"]);
        let mut ib = IndexBuilder::new();
        ib.add_dex("classes.dex", &one).unwrap();
        let idx = ib.finish();
        let got = from_renamed_code(&["La/b/".to_string()], None, &idx);
        assert_eq!(got.map(|g| g.2), Some("4.14.1".to_string()));
        // Sub-packages are not read, and two release versions say nothing.
        assert_eq!(from_renamed_code(&["La/".to_string()], None, &idx), None);
        let two = build(&["4.14.1", "2.3.0"]);
        let mut ib = IndexBuilder::new();
        ib.add_dex("classes.dex", &two).unwrap();
        let idx = ib.finish();
        assert_eq!(from_renamed_code(&["La/b/".to_string()], None, &idx), None);
    }

    #[test]
    fn meta_data_table_rows_and_misses() {
        let t = "# c\nn.v\t11720000\t11.6.2\tsrc\nn.v\t1\tnot a version\tsrc\n";
        assert_eq!(
            from_meta_data(t, "n.v", " 11720000 "),
            Some(("11.6.2".into(), "meta-data:n.v=11720000".into()))
        );
        assert_eq!(from_meta_data(t, "n.v", "12451000"), None);
        // Releases that write one value give their range, never one of them.
        let shared = "n.v\t9080000\t9.0.0\tp\nn.v\t9080000\t9.0.1\tp\nn.v\t9080000\t9.0.2\tp\n";
        assert_eq!(
            from_meta_data(shared, "n.v", "9080000").map(|v| v.0),
            Some("9.0.0..9.0.2".to_string())
        );
        assert_eq!(from_meta_data(t, "n.v", "1"), None);
        assert_eq!(from_meta_data(t, "other", "11720000"), None);
        // Every built-in row parses into a version.
        for l in META_VERSIONS_TEXT.lines().filter(|l| !l.starts_with('#')) {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 4, "{l}");
            assert!(
                from_meta_data(META_VERSIONS_TEXT, f[0], f[1]).is_some(),
                "{l}"
            );
        }
    }

    #[test]
    fn version_shapes() {
        for ok in [
            "6.12.1",
            "1.0",
            "21.5.0-beta01",
            "4.1.0.RELEASE",
            "3.2.1+build.7",
            "10.0.0_rc1",
        ] {
            assert!(looks_like_version(ok), "{ok}");
        }
        for bad in [
            "", "7", "20240101", "v1.2", "1.", ".1", "1..2", "1.2-", "1.2 beta", "abc", "1.2/3",
            "x1.2", "1.2.3-é",
        ] {
            assert!(!looks_like_version(bad), "{bad}");
        }
        assert!(!looks_like_version(&format!("1.{}", "2".repeat(40))));
        for p in ["0.0.0", "1.0", "0.0-SNAPSHOT", "00.0"] {
            assert!(is_placeholder(p), "{p}");
        }
        for v in ["1.0.0", "0.1.0", "10.0", "1.01"] {
            assert!(!is_placeholder(v), "{v}");
        }
    }

    fn index_of(b: &DexBuilder) -> Vec<u8> {
        b.build()
    }

    #[test]
    fn prefers_build_config_then_field_order_and_stays_under_the_prefix() {
        let s = "Ljava/lang/String;";
        let b =
            DexBuilder::new()
                .class(
                    ClassDefSpec::new("Lcom/sdk/core/Constants;", vec![])
                        .field(FieldDef::constant(
                            "VERSION",
                            s,
                            StaticValue::Str("9.9.9".into()),
                        ))
                        .field(FieldDef::constant(
                            "SDK_VERSION",
                            s,
                            StaticValue::Str("5.0.0".into()),
                        )),
                )
                .class(
                    ClassDefSpec::new("Lcom/sdk/BuildConfig;", vec![])
                        .field(FieldDef::constant(
                            "VERSION_NAME",
                            s,
                            StaticValue::Str("release".into()),
                        ))
                        .field(FieldDef::constant(
                            "LIBRARY_VERSION",
                            s,
                            StaticValue::Str(" 6.1.0 ".into()),
                        ))
                        .field(FieldDef::constant(
                            "API_VERSION",
                            s,
                            StaticValue::Str("1.0.0".into()),
                        )),
                )
                .class(
                    ClassDefSpec::new("Lcom/vendor/BuildConfig;", vec![])
                        .field(FieldDef::constant(
                            "VERSION_NAME",
                            s,
                            StaticValue::Str("".into()),
                        ))
                        .field(FieldDef::constant(
                            "AF_SDK_VERSION",
                            s,
                            StaticValue::Str("4.8.7".into()),
                        )),
                )
                .class(ClassDefSpec::new("Lcom/app/BuildConfig;", vec![]).field(
                    FieldDef::constant("VERSION_NAME", s, StaticValue::Str("1.2.3".into())),
                ));
        let bytes = index_of(&b);
        let mut ib = IndexBuilder::new();
        ib.add_dex("classes.dex", &bytes).unwrap();
        let idx = ib.finish();
        let got = from_constants(&["Lcom/sdk/".to_string()], &idx);
        assert_eq!(
            got,
            Some((
                "Lcom/sdk/BuildConfig;".to_string(),
                "LIBRARY_VERSION".to_string(),
                "6.1.0".to_string()
            ))
        );
        assert_eq!(
            from_constants(&["Lcom/vendor/".to_string()], &idx).map(|g| (g.1, g.2)),
            Some(("AF_SDK_VERSION".to_string(), "4.8.7".to_string()))
        );
        // A vendor-prefixed name ranks after the plain ones.
        assert_eq!(field_rank("AF_SDK_VERSION"), Some(VERSION_FIELDS.len()));
        assert_eq!(field_rank("SDK_VERSION"), Some(2));
        for other in ["_SDK_VERSION", "API_VERSION", "DIALOG_PARAM_SDK"] {
            assert_eq!(field_rank(other), None, "{other}");
        }
        // Without a BuildConfig: the field order decides.
        let got = from_constants(&["Lcom/sdk/core/".to_string()], &idx);
        assert_eq!(got.map(|g| g.2), Some("5.0.0".to_string()));
        // The app's own BuildConfig is never read for another prefix.
        assert_eq!(from_constants(&["Lcom/other/".to_string()], &idx), None);
        assert_eq!(
            from_constants(&["L".to_string(), String::new()], &idx),
            None
        );
        // A rule's named constant wins, and must look like a version.
        assert_eq!(
            from_named_constant("com.sdk.core.Constants.VERSION", None, &idx),
            Some((
                "Lcom/sdk/core/Constants;".to_string(),
                "VERSION".to_string(),
                "9.9.9".to_string()
            ))
        );
        assert_eq!(
            from_named_constant("com.sdk.BuildConfig.VERSION_NAME", None, &idx),
            None
        );
        assert_eq!(from_named_constant("nodots", None, &idx), None);
        // The same from smali.
        let mut ib = IndexBuilder::new();
        let smali = b.to_smali();
        for (p, t) in &smali {
            ib.add_smali(p, t).unwrap();
        }
        let idx = ib.finish();
        assert_eq!(
            from_constants(&["Lcom/sdk/".to_string()], &idx).map(|g| g.2),
            Some("6.1.0".to_string())
        );
    }
    #[test]
    fn release_version_from_core_package_code_and_shared_by_modules() {
        use trackscan_fixtures::dex::{MethodDef, Op};
        let code = |strings: &[&str]| {
            let mut ops: Vec<Op> = strings
                .iter()
                .map(|s| Op::ConstString(s.to_string()))
                .collect();
            ops.push(Op::Return);
            vec![MethodDef::new("h", &[], "Ljava/lang/String;", ops)]
        };
        let b = DexBuilder::new()
            .class(ClassDefSpec::new("Lcom/sdk/c;", code(&["4.29.0", "2.0"])))
            .class(ClassDefSpec::new(
                "Lcom/sdk/GraphRequest;",
                code(&["4.29.0"]),
            ))
            // A sub-package is another SDK of the vendor: not read.
            .class(ClassDefSpec::new("Lcom/sdk/other/X;", code(&["9.9.9"])));
        let bytes = b.build();
        let mut ib = IndexBuilder::new();
        ib.add_dex("classes.dex", &bytes).unwrap();
        let idx = ib.finish();
        assert_eq!(
            from_release_code("com.sdk.SdkVersion.BUILD", None, &idx),
            Some((
                "Lcom/sdk/GraphRequest;".to_string(),
                "4.29.0".to_string(),
                "4.29.0".to_string()
            ))
        );
        assert_eq!(
            from_release_code("com.sdk.other.V.X", None, &idx).map(|v| v.2),
            Some("9.9.9".into())
        );
        assert_eq!(from_release_code("nodots", None, &idx), None);
        assert_eq!(from_release_code("a.B", None, &idx), None);
        // No six-digit string there.
        assert_eq!(
            from_release_code("com.sdk.V.B", Some("two_digit_parts"), &idx),
            None
        );
        // Two different versions in the core package: none.
        let b = DexBuilder::new()
            .class(ClassDefSpec::new("Lcom/sdk/c;", code(&["4.29.0"])))
            .class(ClassDefSpec::new("Lcom/sdk/d;", code(&["4.30.0"])));
        let bytes = b.build();
        let mut ib = IndexBuilder::new();
        ib.add_dex("classes.dex", &bytes).unwrap();
        assert_eq!(from_release_code("com.sdk.V.B", None, &ib.finish()), None);
        // OneSignal writes two digits per part; R8 leaves the string in its code.
        let b = DexBuilder::new()
            .class(ClassDefSpec::new(
                "Lcom/sdk/ak;",
                code(&["031006", "12345", "abc"]),
            ))
            .class(ClassDefSpec::new(
                "Lcom/sdk/al;",
                code(&["031006", "2.0.0"]),
            ));
        let bytes = b.build();
        let mut ib = IndexBuilder::new();
        ib.add_dex("classes.dex", &bytes).unwrap();
        assert_eq!(
            from_release_code(
                "com.sdk.OneSignal.VERSION",
                Some("two_digit_parts"),
                &ib.finish()
            ),
            Some(("Lcom/sdk/ak;".into(), "031006".into(), "3.10.6".into()))
        );
        assert_eq!(
            decode(Some("two_digit_parts"), "030701").as_deref(),
            Some("3.7.1")
        );
        assert_eq!(
            decode(Some("two_digit_parts"), "0310").as_deref(),
            Some("3.10")
        );
        for bad in ["000000", "03070", "0307011", "03a701", "0307010101", ""] {
            assert_eq!(decode(Some("two_digit_parts"), bad), None, "{bad}");
        }
        assert_eq!(decode(Some("unknown"), "1.2.3"), None);
        assert_eq!(decode(None, "1.2.3").as_deref(), Some("1.2.3"));
        assert_eq!(decode(None, "031006"), None);
        assert!(is_release_version("4.29.0") && is_release_version("2.6.7.dev"));
        assert!(!is_release_version("2.0") && !is_release_version("0.0.0"));

        // Modules of one release (same version_class) share the version.
        let f = |id: &str, v: Option<&str>| Finding {
            id: id.into(),
            sdk_version: v.map(str::to_string),
            sdk_version_source: v.map(|_| "constant:Lcom/sdk/V;->B".to_string()),
            ..Finding::default()
        };
        let mut fs = vec![
            f("login", None),
            f("core", Some("4.1.0")),
            f("ads", None),
            f("x", None),
        ];
        let vc = Some("com.sdk.V.B");
        share_release_versions(&mut fs, &[vc, vc, Some("com.sdk.ads.V.B"), None]);
        assert_eq!(fs[0].sdk_version.as_deref(), Some("4.1.0"));
        assert_eq!(
            fs[0].sdk_version_source.as_deref(),
            Some("release:core (constant:Lcom/sdk/V;->B)")
        );
        assert_eq!(fs[2].sdk_version, None);
        assert_eq!(fs[3].sdk_version, None);
    }
}
