//! Tracker detection from the *shape* of code, against the SDK library
//! (`signatures/sdk.library`, [`trackscan_shape::library`]): library fingerprints of every
//! reachable vendor release of the SDKs (`signatures/library/builds/*.tsv`, built by
//! `trackscan signatures library`), never of the apps trackscan is tested on.
//!
//! The classes no name rule explains, and the classes of the trackers the names found, are
//! fingerprinted ([`trackscan_shape::libfp`]) and matched class by class, by inclusion (a
//! release build keeps a subset of an SDK's classes and of their methods). Each matched
//! library class names the tracker rule its vendor name falls under. A tracker is found by
//! structure when at least [`MIN_CLASSES`] app classes with [`MIN_STRONG`] strong methods in
//! all match its classes; the finding (or the evidence added to a finding the names gave)
//! carries `structure` evidence "N classes match SDK classes … in package `a.b`". The release
//! (or the range of releases) whose classes best explain the app's is the SDK version the
//! library gives ([`trackscan_shape::library::SdkMatch::versions`]).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use trackscan_dex::DexFile;
use trackscan_shape::libfp::{lib_classes, LibClass};
use trackscan_shape::library::{Library, SdkMatch, VersionVerdict};
use trackscan_signatures::Rule;

use crate::report;

/// The built-in SDK library, in its file form.
pub const LIBRARY_BYTES: &[u8] = include_bytes!("../../../signatures/sdk.library");

/// Fewest independent vendor classes (inner classes count with their outer class) that the app's
/// classes match, for a detection by structure.
/// A class that can match by chance is small (an enum, a listener with one callback: those
/// have no strong method and are never looked up); five independent classes of one SDK, each
/// a subset of a vendor class with a strong method, do not happen by chance (the library
/// evaluation in BENCHMARKS.md: 0 detections on the clean corpus apps and the app code).
pub const MIN_CLASSES: usize = 5;
/// Fewest strong methods in those classes, in all.
pub const MIN_STRONG: usize = 10;
/// Fewest independent classes for a detection of an SDK whose whole release has fewer than
/// [`MIN_CLASSES`] (with at least three quarters of them matched and [`MIN_STRONG`] strong
/// methods): see `small_sdk_whole`.
pub const MIN_SMALL_CLASSES: usize = 3;
/// From this many matched classes a structural detection is `high` confidence.
pub const HIGH_CLASSES: usize = 20;

/// The built-in library, read in place once per process ([`Library::from_static`]: its
/// section headers and SDK table; an unreadable file gives an empty library; a unit test
/// checks every value of it).
pub fn builtin_library() -> &'static Library {
    static LIB: OnceLock<Library> = OnceLock::new();
    LIB.get_or_init(|| Library::from_static(LIBRARY_BYTES).unwrap_or_default())
}

/// Library fingerprints of the classes of `dex` (one app's DEX files) for which `want` holds
/// (the raw descriptor `Lcom/foo/Bar;`). DEX files that do not parse are skipped (the code
/// index reports them).
pub fn lib_shapes(
    dex: &[(String, Cow<'_, [u8]>)],
    want: impl FnMut(&[u8]) -> bool,
) -> Vec<LibClass> {
    let files: Vec<DexFile<'_>> = dex
        .iter()
        .filter_map(|(_, b)| DexFile::parse(b).ok())
        .collect();
    lib_classes(&files, want).0
}

/// The code prefixes of every rule, as `Lcom/foo/`.
pub fn rule_prefixes(rules: &[Rule]) -> Vec<Vec<String>> {
    rules
        .iter()
        .map(|r| {
            r.code
                .iter()
                .map(|c| format!("L{}/", c.trim_end_matches('.').replace('.', "/")))
                .collect()
        })
        .collect()
}

/// The rule (index) a vendor class name falls under: the longest code prefix, if any.
pub fn rule_of_name(prefixes: &[Vec<String>], name: &str) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (i, ps) in prefixes.iter().enumerate() {
        for p in ps {
            if name.starts_with(p.as_str()) && best.is_none_or(|b| b.1 < p.len()) {
                best = Some((i, p.len()));
            }
        }
    }
    best.map(|b| b.0)
}

/// A class name without its inner-class part (`Lcom/a/B$C;` → `Lcom/a/B`).
pub fn outer_name(name: &str) -> &str {
    let end = name.find('$').unwrap_or(name.len());
    name.get(..end).unwrap_or(name).trim_end_matches(';')
}

/// The version string of a verdict: one release, or `first..last`; a verdict that reaches the
/// oldest (newest) release the library has is open at that end, `..last` (`first..`): a
/// release the library lacks may be the app's. None when it reaches both.
pub fn version_label(lib: &Library, sdk: usize, v: &VersionVerdict) -> Option<String> {
    let versions = &lib.sdks().get(sdk)?.versions;
    let first = versions.get(v.first)?;
    let last = versions.get(v.last)?;
    Some(match (v.open_start, v.open_end) {
        // Every release the library has ties: it says nothing.
        (true, true) => return None,
        (true, false) => format!("..{last}"),
        (false, true) => format!("{first}.."),
        _ if v.first == v.last => first.clone(),
        _ => format!("{first}..{last}"),
    })
}

/// The source text of a library version: how many releases tie and how much they explain.
pub fn version_source(lib: &Library, m: &SdkMatch, v: &VersionVerdict) -> String {
    let id = lib.sdks().get(m.sdk).map(|s| s.id.as_str()).unwrap_or("?");
    format!(
        "library:{id}: {} of {} releases tie, {} of {} matched classes",
        v.tied,
        v.of,
        v.explained,
        m.classes.len()
    )
}

/// One tracker the library matched classes of.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    /// Tracker id.
    pub tracker: String,
    /// Packages (`La/b/`) holding its matched classes.
    pub packages: Vec<String>,
    /// Matched app classes (indices into [`Found::app`]) and, per class, the library entries
    /// it matched.
    pub classes: Vec<(usize, Vec<u32>)>,
    /// Strong methods of the matched classes.
    pub strong: usize,
    /// The version verdict of its library SDK in this app: (version, source).
    pub version: Option<(String, String)>,
    /// Whether the hit passes the detection thresholds.
    pub detected: bool,
    /// The vendor names (`La/b/C`, outer classes, sorted, distinct) of the library classes
    /// the matched app classes are.
    pub vendor_classes: Vec<String>,
}

/// What [`add_findings`] saw, for the passes after it.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// Library fingerprints of the classes looked at.
    pub app: Vec<LibClass>,
    /// Tracker ids found (or confirmed) by structure.
    pub trackers: Vec<String>,
    /// Packages (`La/b/`) holding their matched classes (renamed SDK code).
    pub sdk_packages: Vec<String>,
    /// Every tracker the library matched classes of (also those under the detection
    /// thresholds, which only give versions to findings the names made).
    pub hits: Vec<Hit>,
}

/// The scan hook: fingerprints the code no name rule explained and the code of the trackers
/// the names found (`explained`: code prefixes per finding, the first `n_trackers` of them
/// trackers'), matches it against the library, adds a finding per newly found tracker or
/// `structure` evidence to a finding the names gave without class evidence, and returns the
/// hits (with their versions) for the passes after it.
pub(crate) fn add_findings(
    dex: &[(String, Cow<'_, [u8]>)],
    explained: &[Vec<String>],
    n_trackers: usize,
    rules: &[Rule],
    trackers: &mut Vec<report::Finding>,
) -> Found {
    if dex.is_empty() {
        return Found::default();
    }
    let skip: Vec<&str> = explained
        .get(n_trackers..)
        .unwrap_or_default()
        .iter()
        .flatten()
        .map(String::as_str)
        .collect();
    // Support libraries under their own names are never a renamed SDK (some SDKs bundle a copy
    // of a support class).
    const SUPPORT: &[&[u8]] = &[b"Landroidx/", b"Landroid/support/"];
    let app = lib_shapes(dex, |d| {
        !skip.iter().any(|p| d.starts_with(p.as_bytes()))
            && !SUPPORT.iter().any(|p| d.starts_with(p))
    });
    // Fewer candidate classes than any use of a match needs (a version takes 3): the library
    // is not even loaded (its load is a fixed cost, as large as scanning a tiny app).
    if app.iter().filter(|c| !c.strong.is_empty()).count() < 3 {
        return Found::default();
    }
    let lib = builtin_library();
    if lib.entry_count() == 0 {
        return Found::default();
    }
    let matches = lib.match_app(&app);
    let prefixes = rule_prefixes(rules);
    let mut found = Found::default();
    let location = dex.first().map(|(n, _)| n.as_str()).unwrap_or_default();
    let mut rule_cache: HashMap<u32, Option<usize>> = HashMap::new();
    for m in &matches {
        // Matched classes by the tracker rule their vendor names fall under.
        let mut by_rule: HashMap<usize, Hit> = HashMap::new();
        for (ci, entries) in &m.classes {
            let Some(&first) = entries.first() else {
                continue;
            };
            let name = lib.entry(first as usize).map_or(0, |e| e.name);
            let rule = *rule_cache
                .entry(name)
                .or_insert_with(|| rule_of_name(&prefixes, lib.name_of(first)));
            let Some(rule) = rule.and_then(|ri| rules.get(ri).map(|r| (ri, r))) else {
                continue;
            };
            let hit = by_rule.entry(rule.0).or_insert_with(|| Hit {
                tracker: rule.1.id.clone(),
                packages: Vec::new(),
                classes: Vec::new(),
                strong: 0,
                version: None,
                detected: false,
                vendor_classes: Vec::new(),
            });
            hit.classes.push((*ci, entries.clone()));
            if let Some(c) = app.get(*ci) {
                hit.strong += c.strong.len();
                let pkg = format!("L{}/", trackscan_shape::package_of(&c.descriptor));
                if !hit.packages.contains(&pkg) {
                    hit.packages.push(pkg);
                }
            }
        }
        let mut hits: Vec<(usize, Hit)> = by_rule.into_iter().collect();
        hits.sort_by_key(|h| h.0);
        for (ri, mut hit) in hits {
            let Some(rule) = rules.get(ri) else {
                continue;
            };
            // Independent classes: a class and its inner classes are one (an SDK that bundles
            // a copy of a support class, as OneSignal does AndroidX's JobIntentService and its
            // five inner classes, must not be found in every app that has the original).
            let mut outer: Vec<&str> = hit
                .classes
                .iter()
                .filter_map(|(_, e)| e.first().map(|&e| outer_name(lib.name_of(e))))
                .collect();
            outer.sort_unstable();
            outer.dedup();
            // The version this tracker's own classes vote for (a vendor's artifacts can be
            // versioned apart: AdMob's and Firebase Analytics' classes vote separately).
            let own = SdkMatch {
                sdk: m.sdk,
                classes: hit.classes.clone(),
                strong_methods: hit.strong,
            };
            let own_prefixes = prefixes.get(ri).map(Vec::as_slice).unwrap_or_default();
            let keep = |e: &trackscan_shape::library::Entry| {
                let name = lib.name_bytes(e.name);
                own_prefixes.iter().any(|p| name.starts_with(p.as_bytes()))
            };
            hit.vendor_classes = outer.iter().map(|o| o.to_string()).collect();
            let verdict = own.versions_where(lib, None, &keep);
            hit.detected = hit.strong >= MIN_STRONG
                && (outer.len() >= MIN_CLASSES
                    || verdict
                        .as_ref()
                        .is_some_and(|v| small_sdk_whole(lib, m.sdk, v, &keep, outer.len())));
            hit.version = verdict.and_then(|v| {
                Some((
                    version_label(lib, m.sdk, &v)?,
                    version_source(lib, &own, &v),
                ))
            });
            // Classes still under the rule's own names were explained by the names already.
            let own = prefixes.get(ri).map(Vec::as_slice).unwrap_or_default();
            let renamed = hit.classes.iter().any(|(ci, _)| {
                app.get(*ci)
                    .is_some_and(|c| !own.iter().any(|p| c.descriptor.starts_with(p.as_str())))
            });
            if hit.detected && renamed {
                add_detection(rule, lib, m, &hit, &app, location, trackers);
                found.trackers.push(rule.id.clone());
                for pkg in &hit.packages {
                    if !found.sdk_packages.contains(pkg) {
                        found.sdk_packages.push(pkg.clone());
                    }
                }
            }
            found.hits.push(hit);
        }
    }
    found.app = app;
    found
}

/// Whether `matched` independent classes are most of a *small* SDK: some release of the
/// verdict has fewer than [`MIN_CLASSES`] (and at least [`MIN_SMALL_CLASSES`]) independent
/// classes with a strong method under the tracker's names (so the general rule can never fire for it: Mixpanel's 2012 `MPMetrics`
/// jars have four), and the app matches at least [`MIN_SMALL_CLASSES`] of them and at least
/// three quarters. The size comes from the vendor's release in the library, never from apps.
fn small_sdk_whole(
    lib: &Library,
    sdk: usize,
    v: &VersionVerdict,
    keep: &dyn Fn(&trackscan_shape::library::Entry) -> bool,
    matched: usize,
) -> bool {
    if matched < MIN_SMALL_CLASSES {
        return false;
    }
    (v.first..=v.last).any(|r| {
        let mut outer: Vec<&str> = lib
            .sdk_entries(sdk)
            .filter(|e| e.has_strong() && keep(e) && lib.has(e, r))
            .map(|e| outer_name(lib.name(e.name)))
            .collect();
        outer.sort_unstable();
        outer.dedup();
        (MIN_SMALL_CLASSES..MIN_CLASSES).contains(&outer.len()) && matched * 4 >= outer.len() * 3
    })
}

fn add_detection(
    rule: &Rule,
    lib: &Library,
    m: &SdkMatch,
    hit: &Hit,
    app: &[LibClass],
    location: &str,
    trackers: &mut Vec<report::Finding>,
) {
    let ev = evidence(rule, lib, m, hit, app, location);
    let confidence = if hit.classes.len() >= HIGH_CLASSES {
        "high"
    } else {
        "medium"
    };
    match trackers.iter_mut().find(|f| f.id == rule.id) {
        Some(f) => {
            // Found by name without its classes (strings, hosts, manifest): the structure says
            // where its code is.
            if f.evidence.iter().any(|e| e.kind == "class") {
                return;
            }
            f.evidence.push(ev);
            if rank(confidence) > rank(&f.confidence) {
                f.confidence = confidence.to_string();
            }
            f.reason = format!("{}; structure", f.reason);
        }
        None => trackers.push(report::Finding {
            id: rule.id.clone(),
            exodus_id: rule.exodus_id,
            name: rule.name.clone(),
            categories: rule.categories.clone(),
            website: rule.website.clone(),
            evidence: vec![ev],
            confidence: confidence.to_string(),
            reason: "structure".to_string(),
            ..report::Finding::default()
        }),
    }
}

fn evidence(
    rule: &Rule,
    lib: &Library,
    m: &SdkMatch,
    hit: &Hit,
    app: &[LibClass],
    location: &str,
) -> report::Evidence {
    // The package holding most matched classes.
    let mut count: HashMap<&str, usize> = HashMap::new();
    for (ci, _) in &hit.classes {
        if let Some(c) = app.get(*ci) {
            *count
                .entry(trackscan_shape::package_of(&c.descriptor))
                .or_default() += 1;
        }
    }
    let package = count
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(p, _)| p)
        .unwrap_or_default();
    let package = if package.is_empty() {
        "(default package)".to_string()
    } else {
        package.replace('/', ".")
    };
    let releases = lib.sdks().get(m.sdk).map_or(0, |s| s.versions.len());
    let mut names: Vec<&str> = hit
        .classes
        .iter()
        .filter_map(|(_, e)| e.first().map(|&e| lib.name_of(e)))
        .collect();
    names.sort_unstable();
    names.dedup();
    let example: Vec<String> = names
        .iter()
        .take(3)
        .map(|n| {
            n.trim_start_matches('L')
                .trim_end_matches(';')
                .replace('/', ".")
        })
        .collect();
    report::Evidence {
        kind: "structure".to_string(),
        value: format!(
            "{} classes ({} strong methods) match {} classes of the SDK library ({releases} releases), e.g. {}; in package `{package}`",
            hit.classes.len(),
            hit.strong,
            rule.name,
            example.join(", ")
        ),
        location: location.to_string(),
    }
}

/// The built-in entry-point shapes (`signatures/entry_shapes.tsv`, generated with the
/// library by `trackscan signatures library` from the vendors' builds).
pub const ENTRY_SHAPES_TEXT: &str = include_str!("../../../signatures/entry_shapes.tsv");

/// An SDK entry point of `data_flow.toml` as renaming leaves it: its class (found in a renamed
/// app by the library match) and the method's access flags, proto with the app's own types as
/// `L?;`, and code length.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EntryShape {
    /// Tracker id.
    pub tracker: String,
    /// The method's access flags.
    pub access: u32,
    /// The method's proto with types outside the platform as `L?;`.
    pub proto: String,
    /// The method's code length in the reference build (kept for review; not matched on:
    /// rebuilding tools re-encode instructions).
    pub units: u32,
    /// The entry point's real name: `Lcom/foo/Bar;` and method, as in `data_flow.toml`.
    pub class: String,
    /// Method name.
    pub method: String,
}

/// The proto with every type outside the platform's packages replaced by `L?;` (renaming
/// changes those, never `Ljava/lang/String;`).
pub fn placeholder_proto(proto: &str) -> String {
    const KEEP: &[&str] = &[
        "Ljava/",
        "Ljavax/",
        "Landroid/",
        "Lorg/json/",
        "Lkotlin/",
        "Ldalvik/",
    ];
    let mut out = String::with_capacity(proto.len());
    let mut rest = proto;
    while let Some(i) = rest.find('L') {
        out.push_str(rest.get(..i).unwrap_or(""));
        let tail = rest.get(i..).unwrap_or("");
        let end = tail.find(';').map_or(tail.len(), |e| e + 1);
        let ty = tail.get(..end).unwrap_or(tail);
        if KEEP.iter().any(|k| ty.starts_with(k)) {
            out.push_str(ty);
        } else {
            out.push_str("L?;");
        }
        rest = tail.get(end..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// The entry-point shapes of one reference build: for every entry of `data_flow.toml` whose
/// tracker is in `trackers` and whose class and method are in the code, one [`EntryShape`]
/// per overload.
pub fn entry_shapes_of(index: &trackscan_dex::CodeIndex<'_>, trackers: &[&str]) -> Vec<EntryShape> {
    let rules = trackscan_signatures::FlowRules::builtin();
    let mut out = Vec::new();
    for e in rules
        .entries
        .iter()
        .filter(|e| trackers.contains(&e.tracker.as_str()))
    {
        let Some(c) = index.class(&e.class) else {
            continue;
        };
        for m in c.methods().filter(|m| m.name() == e.method.as_str()) {
            out.push(EntryShape {
                tracker: e.tracker.clone(),
                access: m.access_flags(),
                proto: placeholder_proto(&m.proto()),
                units: m.code_len(),
                class: e.class.clone(),
                method: e.method.clone(),
            });
        }
    }
    out.sort();
    out.dedup();
    out
}

/// [`entry_shapes_of`] over the DEX files of a reference build.
pub fn entry_shapes_of_dex(dex: &[DexEntry<'_>], trackers: &[&str]) -> Vec<EntryShape> {
    let mut ib = trackscan_dex::IndexBuilder::new();
    for (n, b) in dex {
        // A DEX whose header is unusable has no classes to offer; the rest still count.
        let _ = ib.add_dex(n, b);
    }
    entry_shapes_of(&ib.finish(), trackers)
}

/// The text form: a header, then one tab-separated line per shape
/// (`tracker  access  proto  units  class  method`).
pub fn entry_shapes_to_text(shapes: &[EntryShape], preamble: &str) -> String {
    let mut s = String::from("# trackscan entry-point shapes v1\n");
    for l in preamble.lines() {
        s.push_str("# ");
        s.push_str(l);
        s.push('\n');
    }
    for e in shapes {
        s.push_str(&format!(
            "{}\t{:x}\t{}\t{}\t{}\t{}\n",
            e.tracker, e.access, e.proto, e.units, e.class, e.method
        ));
    }
    s
}

/// Parses [`entry_shapes_to_text`]'s form (bad lines skipped).
pub fn parse_entry_shapes(text: &str) -> Vec<EntryShape> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let [tracker, access, proto, units, class, method] = f.as_slice() else {
                return None;
            };
            Some(EntryShape {
                tracker: tracker.to_string(),
                access: u32::from_str_radix(access, 16).ok()?,
                proto: proto.to_string(),
                units: units.parse().ok()?,
                class: class.to_string(),
                method: method.to_string(),
            })
        })
        .collect()
}

/// The built-in entry shapes, parsed once.
pub fn builtin_entry_shapes() -> &'static [EntryShape] {
    static SET: OnceLock<Vec<EntryShape>> = OnceLock::new();
    SET.get_or_init(|| parse_entry_shapes(ENTRY_SHAPES_TEXT))
}

/// The methods of this app that are renamed entry points of trackers found by structure:
/// ((file, method idx), class, method) of the entry point they are.
pub(crate) fn renamed_entry_points(
    index: &trackscan_dex::CodeIndex<'_>,
    found: &Found,
) -> Vec<((u16, u32), String, String)> {
    let mut out = Vec::new();
    if found.trackers.is_empty() {
        return out;
    }
    let shapes = builtin_entry_shapes();
    let lib = builtin_library();
    let matched = found
        .hits
        .iter()
        .filter(|h| found.trackers.contains(&h.tracker))
        .flat_map(|h| h.classes.iter());
    for (ci, entries) in matched {
        let Some(c) = found.app.get(*ci) else {
            continue;
        };
        // The vendor classes this app class matched (one name in all but odd cases).
        let wanted: Vec<&EntryShape> = shapes
            .iter()
            .filter(|e| {
                found.trackers.contains(&e.tracker)
                    && entries.iter().any(|&x| lib.name_of(x) == e.class)
            })
            .collect();
        if wanted.is_empty() {
            continue;
        }
        let Some(class) = index.class(&c.descriptor) else {
            continue;
        };
        for m in class.methods() {
            let proto = placeholder_proto(&m.proto());
            // Several entry points can share access flags and proto (Crashlytics'
            // `setUserEmail(String)`, `setUserName(String)` and `log(String)`): such a shape
            // names no entry point and is left out. (Code length does not tell them apart:
            // apktool's rebuild re-encodes instructions, and two small setters can agree.)
            let same: Vec<&&EntryShape> = wanted
                .iter()
                .filter(|e| e.access == m.access_flags() && e.proto == proto)
                .collect();
            let unique = same
                .first()
                .filter(|f| same.iter().all(|e| e.method == f.method));
            if let Some(e) = unique {
                out.push((
                    (m.file_index(), m.method_idx()),
                    e.class.clone(),
                    e.method.clone(),
                ));
            }
        }
    }
    out
}

fn rank(c: &str) -> u8 {
    match c {
        "high" => 3,
        "medium" => 2,
        _ => 1,
    }
}

/// A DEX file of an app: its name and bytes.
pub type DexEntry<'a> = (String, Cow<'a, [u8]>);

/// The DEX files of an APK or a bare DEX, for building profiles (`trackscan signatures
/// profile`), read within `limits`.
pub fn dex_of<'a>(bytes: &'a [u8], limits: &crate::Limits) -> Result<Vec<DexEntry<'a>>, String> {
    if bytes.starts_with(b"dex\n") {
        return Ok(vec![("classes.dex".to_string(), Cow::Borrowed(bytes))]);
    }
    let zip = trackscan_container::ZipArchive::parse(bytes, limits).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for e in zip.dex_entries().into_iter().take(limits.max_dex_files) {
        if e.uncompressed_size > limits.max_dex_size {
            continue;
        }
        if let Ok(b) = zip.read(e) {
            out.push((e.name.clone(), b));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A class of `n` strong methods whose fingerprints start at `seed`.
    fn class(name: &str, seed: u64, n: u64) -> LibClass {
        let methods: Vec<u64> = (seed..seed + n).collect();
        LibClass {
            descriptor: name.to_string(),
            sup: 1,
            strong: methods.clone(),
            methods,
            ..LibClass::default()
        }
    }

    #[test]
    fn small_sdk_whole_needs_most_of_a_small_release() {
        // Release 1.0 of a four-class SDK (plus an inner class: still four independent ones),
        // release 2.0 grown to six classes.
        let small: Vec<LibClass> = (0..4)
            .map(|i| class(&format!("Lcom/tiny/C{i};"), 100 * i, 3))
            .chain([class("Lcom/tiny/C0$1;", 900, 2)])
            .collect();
        let mut big = small.clone();
        big.extend((4..6).map(|i| class(&format!("Lcom/tiny/C{i};"), 100 * i, 3)));
        let lib = Library::build(&[trackscan_shape::library::SdkBuilds {
            id: "tiny".into(),
            releases: vec![("1.0".into(), small), ("2.0".into(), big)],
        }]);
        let verdict = |first, last| VersionVerdict {
            first,
            last,
            tied: last - first + 1,
            of: 2,
            explained: 3,
            open_start: first == 0,
            open_end: last == 1,
        };
        let all = |_: &trackscan_shape::library::Entry| true;
        // 3 of release 1.0's 4: most of a small SDK.
        assert!(small_sdk_whole(&lib, 0, &verdict(0, 0), &all, 3));
        assert!(small_sdk_whole(&lib, 0, &verdict(0, 1), &all, 3));
        // 2 are too few, whatever the share.
        assert!(!small_sdk_whole(&lib, 0, &verdict(0, 0), &all, 2));
        // Release 2.0 has six classes: the general rule (MIN_CLASSES) decides, not this one.
        assert!(!small_sdk_whole(&lib, 0, &verdict(1, 1), &all, 4));
        // Classes the tracker's names do not cover are not counted.
        let none = |_: &trackscan_shape::library::Entry| false;
        assert!(!small_sdk_whole(&lib, 0, &verdict(0, 0), &none, 3));
    }

    #[test]
    fn entry_shapes_round_trip_and_placeholders() {
        assert_eq!(
            placeholder_proto("(Ljava/lang/String;Lcom/foo/Bar;[La/b;I)Lorg/json/JSONObject;"),
            "(Ljava/lang/String;L?;[L?;I)Lorg/json/JSONObject;"
        );
        assert_eq!(placeholder_proto("()V"), "()V");
        let e = EntryShape {
            tracker: "mixpanel".into(),
            access: 0x9,
            proto: "(Ljava/lang/String;L?;)V".into(),
            units: 42,
            class: "Lcom/mixpanel/android/mpmetrics/MPMetrics;".into(),
            method: "track".into(),
        };
        let text = entry_shapes_to_text(std::slice::from_ref(&e), "test");
        assert_eq!(parse_entry_shapes(&text), vec![e]);
        assert!(parse_entry_shapes("x\ty\n").is_empty());
        // The built-in file parses and names entry points of data_flow.toml.
        let rules = trackscan_signatures::FlowRules::builtin();
        assert!(!builtin_entry_shapes().is_empty());
        for e in builtin_entry_shapes() {
            assert!(rules
                .entries
                .iter()
                .any(|r| r.class == e.class && r.method == e.method));
        }
    }

    #[test]
    fn builtin_library_parses_and_names_known_classes() {
        let lib = Library::parse(LIBRARY_BYTES).expect("signatures/sdk.library parses");
        assert!(!lib.sdks().is_empty() && lib.entry_count() > 0);
        // Read in place (as scans do), it is the same library, and every value checks.
        let in_place = Library::from_static(LIBRARY_BYTES).expect("reads in place");
        assert_eq!(in_place, lib);
        assert_eq!(in_place.check(), Ok(()));
        assert_eq!(builtin_library(), &lib);
        // Every SDK's classes fall under some tracker rule (else the SDK could never be
        // reported), and no SDK is listed twice.
        let rules = trackscan_signatures::RuleSet::builtin();
        let prefixes = rule_prefixes(&rules.trackers);
        for (si, sdk) in lib.sdks().iter().enumerate() {
            assert!(
                lib.sdk_entries(si)
                    .any(|e| rule_of_name(&prefixes, lib.name(e.name)).is_some()),
                "no class of {} falls under a tracker rule",
                sdk.id
            );
            assert_eq!(lib.sdks().iter().filter(|s| s.id == sdk.id).count(), 1);
        }
    }

    /// The one-pass count of findable classes per release is the per-release count.
    #[test]
    fn findable_by_release_is_findable_of_each_release() {
        let lib = builtin_library();
        let keeps: [&dyn Fn(&trackscan_shape::library::Entry) -> bool; 2] =
            [&|_| true, &|e| lib.name(e.name).len() % 2 == 0];
        for (si, sdk) in lib.sdks().iter().enumerate() {
            let n = sdk.versions.len();
            for keep in keeps {
                let all = lib.findable_where_by_release(si, n, keep);
                assert_eq!(all.len(), n);
                for (r, &c) in all.iter().enumerate() {
                    assert_eq!(c, lib.findable_where(si, r, keep), "{} release {r}", sdk.id);
                }
            }
        }
    }

    #[test]
    fn rule_of_name_takes_the_longest_prefix() {
        let p = vec![
            vec!["Lcom/facebook/".to_string()],
            vec!["Lcom/facebook/login/".to_string()],
        ];
        assert_eq!(
            rule_of_name(&p, "Lcom/facebook/login/LoginManager;"),
            Some(1)
        );
        assert_eq!(rule_of_name(&p, "Lcom/facebook/AccessToken;"), Some(0));
        assert_eq!(rule_of_name(&p, "Lcom/facebookx/A;"), None);
    }
}
