//! Tracker detection from the *shape* of code ([`trackscan_shape`]): code that no name rule
//! explains is fingerprinted class by class and matched against the SDK profiles of
//! `signatures/structure.profiles` (built by `trackscan signatures profile` from reference
//! builds, provenance in `signatures/NOTICE`).
//!
//! A profile is found when at least [`MIN_PERCENT`] % of its classes and at least
//! [`MIN_CLASSES`] classes are in the app; per tracker the best profile counts. The finding
//! (or the evidence added to a finding the names already gave) carries `structure` evidence
//! "N of M classes of SDK matched (P%) in package `a.b`", and its own confidence:
//! `high` from [`HIGH_PERCENT`] %, else `medium`.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::OnceLock;

use trackscan_dex::DexFile;
use trackscan_shape::{AppShapes, Profile, ProfileMatch, ProfileSet};
use trackscan_signatures::Rule;

use crate::report;

/// The built-in profiles, in their text form.
pub const PROFILES_TEXT: &str = include_str!("../../../signatures/structure.profiles");

/// Smallest share of a profile's classes (percent) that counts as a detection. Set on the
/// corpus: the largest share any profile reaches in code outside its SDK (all apps, SDK
/// classes excluded) is far below it (`BENCHMARKS.md`, "Structural matching").
pub const MIN_PERCENT: u32 = 20;
/// Smallest number of matched classes that counts as a detection.
pub const MIN_CLASSES: usize = 8;
/// From this share (percent) a structural detection is `high` confidence.
pub const HIGH_PERCENT: u32 = 50;
/// Classes with fewer code units than this are left out of profiles (too generic to tell
/// one SDK from another: empty interfaces, constant holders, tiny listeners).
pub const MIN_CLASS_UNITS: u32 = 16;
/// At most this many classes per profile (the largest ones), which bounds the file and the
/// matching cost.
pub const MAX_PROFILE_CLASSES: usize = 400;
/// A profile needs at least this many distinctive classes to be written (as many as a match
/// needs, [`MIN_CLASSES`]: a profile that small is found only when all of it is there).
pub const MIN_PROFILE_CLASSES: usize = 8;

/// The built-in profile set, parsed once per process (an unreadable file gives an empty set;
/// a unit test checks it parses).
pub fn builtin_profiles() -> &'static ProfileSet {
    static SET: OnceLock<ProfileSet> = OnceLock::new();
    SET.get_or_init(|| ProfileSet::parse(PROFILES_TEXT).unwrap_or_default())
}

/// Fingerprints the classes of `dex` (one app's DEX files) that lie under none of `skip`
/// (descriptor prefixes such as `Lcom/onesignal/`). DEX files that do not parse are skipped
/// (the code index reports them).
pub fn shapes(dex: &[(String, Cow<'_, [u8]>)], skip: &[&str]) -> AppShapes {
    let files: Vec<DexFile<'_>> = dex
        .iter()
        .filter_map(|(_, b)| DexFile::parse(b).ok())
        .collect();
    AppShapes::build(&files, |d| {
        !skip.iter().any(|p| d.starts_with(p.as_bytes()))
    })
}

/// The best match per tracker id that passes the thresholds, sorted by id.
pub fn detections<'p>(
    profiles: &'p ProfileSet,
    app: &AppShapes,
) -> Vec<(&'p Profile, ProfileMatch)> {
    let mut best: Vec<(&Profile, ProfileMatch)> = Vec::new();
    for m in profiles.match_app(app) {
        let Some(p) = profiles.profiles.get(m.profile) else {
            continue;
        };
        if m.percent() < MIN_PERCENT || m.matched < MIN_CLASSES {
            continue;
        }
        match best.iter_mut().find(|(q, _)| q.id == p.id) {
            Some(slot) if slot.1.percent() < m.percent() => *slot = (p, m),
            Some(_) => {}
            None => best.push((p, m)),
        }
    }
    best.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    best
}

/// The scan hook: matches the code that the name rules did not explain (`explained`: the code
/// prefixes of every tracker and library found by name, as `Lcom/foo/`) against the built-in
/// profiles; adds a finding per newly found tracker, or `structure` evidence to a finding the
/// names gave without class evidence.
pub(crate) fn add_findings(
    dex: &[(String, Cow<'_, [u8]>)],
    explained: &[Vec<String>],
    rules: &[Rule],
    trackers: &mut Vec<report::Finding>,
) -> Found {
    let profiles = builtin_profiles();
    if profiles.profiles.is_empty() || dex.is_empty() {
        return Found::default();
    }
    let skip: Vec<&str> = explained.iter().flatten().map(String::as_str).collect();
    let app = shapes(dex, &skip);
    let mut found = Found::default();
    let location = dex.first().map(|(n, _)| n.as_str()).unwrap_or_default();
    for (p, m) in detections(profiles, &app) {
        let Some(rule) = rules.iter().find(|r| r.id == p.id) else {
            continue;
        };
        // The packages holding the profile's classes in this app: the renamed SDK's code.
        let hashes: HashSet<u64> = p.classes.iter().copied().collect();
        let mut packages: Vec<String> = Vec::new();
        for c in app.classes.iter().filter(|c| hashes.contains(&c.hash)) {
            let pkg = format!("L{}/", trackscan_shape::package_of(&c.descriptor));
            if !packages.contains(&pkg) {
                packages.push(pkg);
            }
        }
        for pkg in &packages {
            if !found.sdk_packages.contains(pkg) {
                found.sdk_packages.push(pkg.clone());
            }
        }
        found.hits.push(Hit {
            tracker: rule.id.clone(),
            packages,
            version: p.version.clone(),
            source: p.source.clone(),
            percent: m.percent(),
        });
        found.trackers.push(rule.id.clone());
        let ev = evidence(rule, p, &m, location);
        let confidence = if m.percent() >= HIGH_PERCENT {
            "high"
        } else {
            "medium"
        };
        match trackers.iter_mut().find(|f| f.id == rule.id) {
            Some(f) => {
                // Found by name without its classes (strings, hosts, manifest): the structure
                // says where its code is.
                if f.evidence.iter().any(|e| e.kind == "class") {
                    continue;
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
                sdk_version: p.version.clone(),
                sdk_version_source: p
                    .version
                    .as_ref()
                    .map(|_| format!("structure:{}", p.source)),
                evidence: vec![ev],
                confidence: confidence.to_string(),
                reason: "structure".to_string(),
                ..report::Finding::default()
            }),
        }
    }
    found.app = app;
    found
}

/// What [`add_findings`] saw, for the passes after it: the fingerprints of the code no name
/// rule explained, the trackers found by structure and the packages their code is in.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// Fingerprints of the unexplained classes.
    pub app: AppShapes,
    /// Tracker ids found (or confirmed) by structure.
    pub trackers: Vec<String>,
    /// Packages (`La/b/`) holding their matched classes.
    pub sdk_packages: Vec<String>,
    /// One entry per tracker found or confirmed by structure, in [`detections`] order.
    pub hits: Vec<Hit>,
}

/// A tracker found (or confirmed) by structure: where its code is and the best profile's
/// version, for [`crate::sdk_version`] to read the version of renamed code.
#[derive(Debug, Default)]
pub(crate) struct Hit {
    /// Tracker id.
    pub tracker: String,
    /// Packages (`La/b/`) holding the classes the profile matched.
    pub packages: Vec<String>,
    /// The version of the reference build the profile came from, when known.
    pub version: Option<String>,
    /// The reference build's label.
    pub source: String,
    /// Share of the profile's classes matched (percent).
    pub percent: u32,
}

/// The built-in entry-point shapes (`signatures/entry_shapes.tsv`, generated with the
/// profiles by `trackscan signatures profile`).
pub const ENTRY_SHAPES_TEXT: &str = include_str!("../../../signatures/entry_shapes.tsv");

/// An SDK entry point of `data_flow.toml` as renaming leaves it: the fingerprint of its class
/// and the method's access flags, proto with the app's own types as `L?;`, and code length.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EntryShape {
    /// Tracker id.
    pub tracker: String,
    /// The entry class's fingerprint ([`trackscan_shape::ClassShape::hash`]).
    pub class_hash: u64,
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
pub fn entry_shapes_of(
    index: &trackscan_dex::CodeIndex<'_>,
    shapes: &AppShapes,
    trackers: &[&str],
) -> Vec<EntryShape> {
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
        let Some(hash) = shapes
            .classes
            .iter()
            .find(|s| s.descriptor == e.class)
            .map(|s| s.hash)
        else {
            continue;
        };
        for m in c.methods().filter(|m| m.name() == e.method.as_str()) {
            out.push(EntryShape {
                tracker: e.tracker.clone(),
                class_hash: hash,
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
pub fn entry_shapes_of_dex(
    dex: &[DexEntry<'_>],
    shapes: &AppShapes,
    trackers: &[&str],
) -> Vec<EntryShape> {
    let mut ib = trackscan_dex::IndexBuilder::new();
    for (n, b) in dex {
        // A DEX whose header is unusable has no classes to offer; the rest still count.
        let _ = ib.add_dex(n, b);
    }
    entry_shapes_of(&ib.finish(), shapes, trackers)
}

/// The text form: a header, then one tab-separated line per shape
/// (`tracker  class_hash  access  proto  units  class  method`).
pub fn entry_shapes_to_text(shapes: &[EntryShape], preamble: &str) -> String {
    let mut s = String::from("# trackscan entry-point shapes v1\n");
    for l in preamble.lines() {
        s.push_str("# ");
        s.push_str(l);
        s.push('\n');
    }
    for e in shapes {
        s.push_str(&format!(
            "{}\t{:016x}\t{:x}\t{}\t{}\t{}\t{}\n",
            e.tracker, e.class_hash, e.access, e.proto, e.units, e.class, e.method
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
            let [tracker, hash, access, proto, units, class, method] = f.as_slice() else {
                return None;
            };
            Some(EntryShape {
                tracker: tracker.to_string(),
                class_hash: u64::from_str_radix(hash, 16).ok()?,
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
    let shapes = builtin_entry_shapes();
    let mut out = Vec::new();
    if found.trackers.is_empty() {
        return out;
    }
    for c in &found.app.classes {
        let mut wanted = shapes
            .iter()
            .filter(|e| e.class_hash == c.hash && found.trackers.contains(&e.tracker))
            .peekable();
        if wanted.peek().is_none() {
            continue;
        }
        let wanted: Vec<&EntryShape> = wanted.collect();
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

fn evidence(rule: &Rule, p: &Profile, m: &ProfileMatch, location: &str) -> report::Evidence {
    let version = p
        .version
        .as_deref()
        .map(|v| format!(" {v}"))
        .unwrap_or_default();
    let package = if m.package.is_empty() {
        "(default package)".to_string()
    } else {
        m.package.replace('/', ".")
    };
    report::Evidence {
        kind: "structure".to_string(),
        value: format!(
            "{} of {} classes of {}{version} matched ({}%) in package `{package}`",
            m.matched,
            m.total,
            rule.name,
            m.percent()
        ),
        location: location.to_string(),
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

/// One reference build: its label, its class fingerprints, and the SDKs the name rules found
/// in it (rule id, version when known, code prefixes as `Lcom/foo/`).
#[derive(Debug, Clone)]
pub struct Reference {
    /// Short label (file name) recorded in the profile.
    pub source: String,
    /// All its classes.
    pub shapes: AppShapes,
    /// (tracker id, version, code prefixes).
    pub sdks: Vec<(String, Option<String>, Vec<String>)>,
}

/// Builds profiles from reference builds: per reference and SDK, the fingerprints of the
/// SDK's classes (under its code prefixes) with at least [`MIN_CLASS_UNITS`] code units,
/// minus every fingerprint also seen outside that SDK (in another SDK or in any other code of
/// any reference), the [`MAX_PROFILE_CLASSES`] largest kept; identical profiles once;
/// profiles with fewer than [`MIN_PROFILE_CLASSES`] classes dropped. Deterministic: sorted by
/// (id, source).
pub fn build_profiles(refs: &[Reference]) -> ProfileSet {
    // Fingerprint -> owner ("" = outside every SDK); conflicting owners -> ambiguous.
    let mut owner: std::collections::HashMap<u64, Option<&str>> = Default::default();
    for r in refs {
        for c in &r.shapes.classes {
            let id = r
                .sdks
                .iter()
                .find(|(_, _, pre)| pre.iter().any(|p| c.descriptor.starts_with(p.as_str())))
                .map(|(id, _, _)| id.as_str());
            let slot = owner.entry(c.hash).or_insert(id);
            if *slot != id {
                *slot = None;
            }
        }
    }
    let mut profiles: Vec<Profile> = Vec::new();
    let mut seen: HashSet<Vec<u64>> = HashSet::new();
    for r in refs {
        for (id, version, pre) in &r.sdks {
            let mut classes: Vec<(u32, u64)> = r
                .shapes
                .classes
                .iter()
                .filter(|c| c.units >= MIN_CLASS_UNITS)
                .filter(|c| pre.iter().any(|p| c.descriptor.starts_with(p.as_str())))
                .filter(|c| owner.get(&c.hash) == Some(&Some(id.as_str())))
                .map(|c| (c.units, c.hash))
                .collect();
            classes.sort_unstable_by(|a, b| b.cmp(a));
            classes.dedup_by_key(|c| c.1);
            classes.truncate(MAX_PROFILE_CLASSES);
            let mut hashes: Vec<u64> = classes.into_iter().map(|c| c.1).collect();
            hashes.sort_unstable();
            hashes.dedup();
            if hashes.len() < MIN_PROFILE_CLASSES || !seen.insert(hashes.clone()) {
                continue;
            }
            profiles.push(Profile {
                id: id.clone(),
                version: version.clone(),
                source: r.source.clone(),
                classes: hashes,
            });
        }
    }
    profiles.sort_by(|a, b| (&a.id, &a.source).cmp(&(&b.id, &b.source)));
    ProfileSet { profiles }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_shapes_round_trip_and_placeholders() {
        assert_eq!(
            placeholder_proto("(Ljava/lang/String;Lcom/foo/Bar;[La/b;I)Lorg/json/JSONObject;"),
            "(Ljava/lang/String;L?;[L?;I)Lorg/json/JSONObject;"
        );
        assert_eq!(placeholder_proto("()V"), "()V");
        let e = EntryShape {
            tracker: "mixpanel".into(),
            class_hash: 0x0123_4567_89ab_cdef,
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
    fn builtin_profiles_parse() {
        let set = ProfileSet::parse(PROFILES_TEXT).expect("signatures/structure.profiles parses");
        let rules = trackscan_signatures::RuleSet::builtin();
        for p in &set.profiles {
            assert!(
                rules.trackers.iter().any(|r| r.id == p.id),
                "profile for unknown tracker {}",
                p.id
            );
        }
    }
}
