//! Stage 2: parse what was collected and turn it into the report.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use trackscan_axml::{Manifest, Resources};
use trackscan_dex::{CodeIndex, IndexBuilder};
use trackscan_signatures::{
    data_api_category, data_api_class_prefixes, extract_hosts, AppFacts, ClassFact, Confidence,
    Detection, HostAttribution, HostFact, ManifestFact, StringFact, VersionFile,
};

use crate::collect::Collected;
use crate::report::dotted;
use crate::report::{self, Report};
use crate::Scanner;

/// Most call-site entries kept per finding.
const MAX_CALL_SITES: usize = 5;
/// Most data-access entries kept per finding.
const MAX_DATA_ACCESS: usize = 20;

/// Stage 2 of a scan: parse what [`crate::collect`] collected and fill the report. The steps,
/// in order (each a function below; each reads what the earlier ones produced and writes its
/// part of the report):
///
/// 1. [`resources`] — `resources.arsc`;
/// 2. [`manifest`] — the manifest (binary or text), resolved through the resources;
/// 3. [`signing`] — v1 blocks and the APK Signing Block;
/// 4. [`code_index`] — DEX files and smali sources into one [`CodeIndex`];
/// 5. [`Texts::gather`] — strings of code, resources, assets and native libraries, and their hosts;
/// 6. [`detect`] — the detection stages of [`DETECT_STAGES`] over the app's facts;
/// 7. [`findings`] — detections into report findings (SDK versions, call sites, data access);
///    then [`crate::structure::add_findings`] — the code the names did not explain and the
///    trackers' code, matched by shape against the SDK library (survives renaming and
///    shrinking; gives versions);
/// 8. [`pinning`] — certificate pinning and transport security;
/// 9. [`hosts`] — every host, attributed to a detected tracker where one owns it, else marked
///    "tracker host, SDK not found" ([`HostOwners`]).
///
/// Each step (and [`sdk_code`], [`code_links`]) is `#[inline(never)]`, so that a callgrind
/// profile gives its inclusive cost by name (BENCHMARKS.md, "Profile 2026-12-08"); a call per
/// step (per finding for `sdk_code`) costs nothing measurable.
pub(crate) fn analyze(scanner: &Scanner, c: Collected<'_>, r: &mut Report) {
    let resources = resources(&c, r);
    let manifest = manifest(&c, resources.as_ref(), r);
    signing(&c, r);
    let index = code_index(&c, r);
    let texts = Texts::gather(&c, resources.as_ref(), &index);
    let lists = FactLists::new(&c, manifest.as_ref(), &index, &texts);
    let app = lists.app_facts(r.package.as_deref());
    let detected = detect(&Facts {
        scanner,
        index: &index,
        app: &app,
        manifest: manifest.as_ref(),
    });
    let explained = findings(scanner, &detected, &index, r);
    let n_trackers = r.trackers.len();
    let by_shape = crate::structure::add_findings(
        &c.dex,
        &explained,
        n_trackers,
        &scanner.rules.trackers,
        &mut r.trackers,
    );
    structure_versions(scanner, &index, &by_shape, r);
    let renamed = crate::flow::Renamed {
        entries: crate::structure::renamed_entry_points(&index, &by_shape),
        packages: by_shape.sdk_packages,
    };
    data_from_app(&index, &explained, &renamed, r);
    let owners = HostOwners::new(scanner, &r.trackers);
    pinning(&owners, &c, manifest.as_ref(), &index, &texts, r);
    hosts(&owners, texts.hosts, r);
    r.hidden = Some(crate::hidden::assess(&index, &c));
}

/// What the detection stages see: every fact of the app, read-only. (The name rules read only
/// `scanner` and `app`; the code and the manifest are there for detectors of other kinds.)
#[allow(dead_code)]
pub(crate) struct Facts<'f> {
    /// The scanner (rules, compiled matcher, limits).
    pub scanner: &'f Scanner,
    /// The app's code.
    pub index: &'f CodeIndex<'f>,
    /// The facts the name rules match (classes, manifest names, strings, hosts, files).
    pub app: &'f AppFacts<'f>,
    /// The manifest model, when there is one.
    pub manifest: Option<&'f Manifest>,
}

/// The detections of one app so far: rule indices into the tracker and library lists.
#[derive(Default)]
pub(crate) struct Detected {
    /// Tracker detections.
    pub trackers: Vec<Detection>,
    /// Library detections.
    pub libraries: Vec<Detection>,
}

/// One detection stage: reads the facts, adds to (or refines) the detections of the stages
/// before it.
pub(crate) type DetectStage = fn(&Facts<'_>, &mut Detected);

/// The detection stages, in order. Each sees the detections of the stages before it, so a
/// later stage can look only at what the earlier ones did not explain (another kind of
/// detector is one more entry here).
pub(crate) const DETECT_STAGES: &[(&str, DetectStage)] = &[("name rules", by_name_rules)];

/// Runs [`DETECT_STAGES`] in order.
#[inline(never)]
fn detect(facts: &Facts<'_>) -> Detected {
    let mut d = Detected::default();
    for (_, stage) in DETECT_STAGES {
        stage(facts, &mut d);
    }
    d
}

/// The rule set's names (class prefixes, manifest names, strings, hosts, files): one pass of
/// [`trackscan_signatures::Matcher::match_all`].
fn by_name_rules(f: &Facts<'_>, d: &mut Detected) {
    let (trackers, libraries) = f.scanner.matcher.match_all(f.app);
    d.trackers.extend(trackers);
    d.libraries.extend(libraries);
}

/// `resources.arsc`, its oddities as warnings.
#[inline(never)]
fn resources(c: &Collected<'_>, r: &mut Report) -> Option<Resources> {
    c.arsc.as_deref().and_then(|b| match Resources::parse(b) {
        Ok(res) => {
            for a in res.anomalies() {
                r.warnings.push(format!("resources.arsc: {a}"));
            }
            Some(res)
        }
        Err(e) => {
            r.warnings.push(format!("resources.arsc: {e}"));
            None
        }
    })
}

/// The manifest model (binary or text XML; apktool trees with their `apktool.yml` and values),
/// written into the report.
#[inline(never)]
fn manifest(c: &Collected<'_>, resources: Option<&Resources>, r: &mut Report) -> Option<Manifest> {
    if r.kind == "apk" || r.kind == "split_bundle" {
        let text = c.manifest.as_deref().is_some_and(|b| {
            b.iter()
                .find(|x| !x.is_ascii_whitespace())
                .is_some_and(|x| *x == b'<' || *x == 0xef)
        });
        if text {
            r.warnings.push(
                "AndroidManifest.xml: plain-text XML instead of binary AXML (Android would refuse to install this APK); read anyway".to_string(),
            );
        }
    }
    let mut manifest = c
        .manifest
        .as_deref()
        .and_then(|b| match trackscan_axml::parse_any(b) {
            Ok(mut doc) => {
                for a in &doc.anomalies {
                    r.warnings.push(format!("AndroidManifest.xml: {a}"));
                }
                // apktool trees: `@string/app_name` from `res/values*/`, as resources.arsc
                // resolves it in an APK.
                if let Some(values) = &c.values {
                    values.substitute(&mut doc);
                }
                Some(Manifest::from_document(&doc, resources))
            }
            Err(e) => {
                r.errors.push(format!("AndroidManifest.xml: {e}"));
                None
            }
        });
    if c.manifest.is_none() && r.kind != "dex" {
        r.errors
            .push("AndroidManifest.xml: missing from the app".to_string());
    }
    if let (Some(m), Some(yml)) = (manifest.as_mut(), &c.apktool_yml) {
        // Into the model, so that what depends on the SDK levels (Network Security Config
        // defaults) sees them too.
        fill_from_apktool_yml(
            yml,
            c.values.as_ref(),
            (
                &mut m.version_code,
                &mut m.version_name,
                &mut m.min_sdk,
                &mut m.target_sdk,
            ),
        );
    }
    if let Some(m) = &manifest {
        fill_manifest(m, r);
    }
    manifest
}

/// Signer certificates of the v1 blocks and the APK Signing Block.
#[inline(never)]
fn signing(c: &Collected<'_>, r: &mut Report) {
    if let Some((bytes, cd)) = c.signed_apk {
        let v1: Vec<(&str, &[u8])> = c
            .v1_blocks
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_ref()))
            .collect();
        let info = trackscan_signing::read_signing(bytes, cd, &v1);
        fill_signing(&info, r);
    }
}

/// The code index of the app's DEX files and smali sources, its summary in the report.
#[inline(never)]
fn code_index<'c>(c: &'c Collected<'_>, r: &mut Report) -> CodeIndex<'c> {
    let mut builder = IndexBuilder::new();
    for (name, bytes) in &c.dex {
        if let Err(e) = builder.add_dex(name, bytes) {
            r.errors.push(format!("{name}: {e}"));
        }
    }
    for (i, (name, text)) in c.smali.iter().enumerate() {
        match builder.add_smali(name, text) {
            Ok(()) => {}
            // The index is full (one input file per .smali): say so once, not per file.
            Err(trackscan_dex::DexError::CountTooLarge {
                what: "input files",
                count,
                ..
            }) => {
                r.errors.push(format!(
                    "smali: {} of {} .smali files not read: the code index holds at most {count} input files",
                    c.smali.len().saturating_sub(i),
                    c.smali.len()
                ));
                break;
            }
            Err(e) => r.errors.push(format!("{name}: {e}")),
        }
    }
    let index = builder.finish();
    for w in index.warnings() {
        r.warnings.push(w.to_string());
    }
    let stats = index.stats();
    // A smali tree counts its roots (`smali/`, `smali_classes2/`, … one per DEX apktool
    // decoded), not its .smali files (one per class).
    let files = if c.smali.is_empty() {
        stats.files
    } else {
        let roots: BTreeSet<&str> = c
            .smali
            .iter()
            .map(|(n, _)| crate::collect::smali_root(n))
            .collect();
        c.dex.len().saturating_add(roots.len())
    };
    r.dex = report::DexSummary {
        files: files as u64,
        bytes: stats.bytes,
        classes: stats.classes as u64,
        methods: stats.methods as u64,
        strings: stats.strings as u64,
    };
    r.native_libs = c.native_libs.clone();
    index
}

/// The app's strings with where they are, its text files, and the hosts found in both.
struct Texts<'t> {
    /// (string, where it is): code strings, resource strings, native libraries' strings.
    values: Vec<(Cow<'t, str>, &'t str)>,
    /// Text files (assets, `res/raw`, `res/xml`) as text.
    files: Vec<(String, Cow<'t, str>)>,
    /// Every host, with the places it was found.
    hosts: BTreeMap<String, BTreeSet<String>>,
}

impl<'t> Texts<'t> {
    #[inline(never)]
    fn gather(
        c: &'t Collected<'_>,
        resources: Option<&Resources>,
        index: &'t CodeIndex<'_>,
    ) -> Texts<'t> {
        // Locations borrow the index's file names and the entry names.
        let mut values: Vec<(Cow<'t, str>, &'t str)> = Vec::new();
        for (s, site) in index.all_strings() {
            let file = index.file_name(site.file).unwrap_or("classes.dex");
            values.push((s, file));
        }
        if let Some(res) = resources {
            for (_, v) in res.strings_of_type("string") {
                values.push((Cow::Owned(v), "resources.arsc"));
            }
        }
        if let Some(vals) = &c.values {
            for (_, v) in vals.strings() {
                values.push((Cow::Borrowed(v), "res/values/strings.xml"));
            }
        }
        let mut files: Vec<(String, Cow<'t, str>)> = Vec::new();
        for (name, bytes) in &c.files {
            if let Some(t) = text_of(name, bytes) {
                files.push((name.clone(), t));
            }
        }
        for (name, bytes) in &c.native_bytes {
            for s in native_strings(bytes) {
                values.push((Cow::Owned(s), name.as_str()));
            }
        }
        let mut hosts: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (s, loc) in &values {
            for h in extract_hosts(s) {
                hosts.entry(h).or_default().insert(loc.to_string());
            }
        }
        for (name, t) in &files {
            for h in extract_hosts(t) {
                hosts.entry(h).or_default().insert(name.clone());
            }
        }
        Texts {
            values,
            files,
            hosts,
        }
    }
}

/// The fact lists [`AppFacts`] borrows, built from the earlier steps' results.
struct FactLists<'l> {
    classes: Vec<ClassFact<'l>>,
    strings: Vec<StringFact<'l>>,
    hosts: Vec<HostFact<'l>>,
    manifest: Vec<ManifestFact<'l>>,
    version_files: Vec<VersionFile<'l>>,
    native_libs: Vec<&'l str>,
    assets: Vec<&'l str>,
}

impl<'l> FactLists<'l> {
    fn new(
        c: &'l Collected<'_>,
        manifest: Option<&'l Manifest>,
        index: &'l CodeIndex<'_>,
        texts: &'l Texts<'_>,
    ) -> FactLists<'l> {
        let classes = index
            .classes()
            .map(|cl| ClassFact {
                descriptor: cl.descriptor(),
                location: cl.dex_file(),
            })
            .collect();
        let strings = texts
            .values
            .iter()
            .map(|(s, loc)| StringFact {
                value: s.as_ref(),
                location: loc,
            })
            .chain(texts.files.iter().map(|(n, t)| StringFact {
                value: t.as_ref(),
                location: n.as_str(),
            }))
            .collect();
        let hosts = texts
            .hosts
            .iter()
            .flat_map(|(h, locs)| {
                locs.iter().map(move |l| HostFact {
                    host: h.as_str(),
                    location: l.as_str(),
                })
            })
            .collect();
        let manifest = manifest
            .map(|m| {
                let mut v: Vec<ManifestFact<'_>> = Vec::new();
                for comp in &m.components {
                    v.push(ManifestFact {
                        kind: comp.kind.as_str(),
                        name: comp.name.as_str(),
                    });
                }
                for md in &m.meta_data {
                    v.push(ManifestFact {
                        kind: "meta-data",
                        name: md.name.as_str(),
                    });
                }
                for p in &m.permissions {
                    v.push(ManifestFact {
                        kind: "permission",
                        name: p.name.as_str(),
                    });
                }
                v
            })
            .unwrap_or_default();
        let version_files = c
            .version_files
            .iter()
            .map(|(n, t)| VersionFile {
                name: n.as_str(),
                content: t.as_str(),
            })
            .collect();
        FactLists {
            classes,
            strings,
            hosts,
            manifest,
            version_files,
            native_libs: c.native_libs.iter().map(String::as_str).collect(),
            assets: c.assets.iter().map(String::as_str).collect(),
        }
    }

    fn app_facts<'a>(&'a self, package: Option<&'a str>) -> AppFacts<'a> {
        AppFacts {
            package,
            classes: &self.classes,
            manifest_names: &self.manifest,
            strings: &self.strings,
            hosts: &self.hosts,
            version_files: &self.version_files,
            native_libs: &self.native_libs,
            assets: &self.assets,
        }
    }
}

/// Detections into the report's findings: evidence, SDK version (shared by the modules of one
/// SDK release), call sites and data access. Returns the code prefixes of every finding (the
/// code the names explained).
#[inline(never)]
fn findings<'s>(
    scanner: &'s Scanner,
    d: &Detected,
    index: &CodeIndex<'_>,
    r: &mut Report,
) -> Vec<Vec<String>> {
    let tracker_rules = d
        .trackers
        .iter()
        .map(|d| scanner.rules.trackers.get(d.rule));
    let library_rules = d
        .libraries
        .iter()
        .map(|d| scanner.rules.libraries.get(d.rule));
    let prefixes: Vec<Vec<String>> = tracker_rules
        .chain(library_rules)
        .map(|rule| rule.map(code_prefixes).unwrap_or_default())
        .collect();
    let mut links = code_links(&prefixes, index).into_iter();
    r.trackers = d
        .trackers
        .iter()
        .zip(&prefixes)
        .map(|(d, p)| finding(d, &scanner.rules.trackers, p, links.next(), index))
        .collect();
    r.libraries = d
        .libraries
        .iter()
        .zip(prefixes.get(d.trackers.len()..).unwrap_or_default())
        .map(|(d, p)| finding(d, &scanner.rules.libraries, p, links.next(), index))
        .collect();
    if scanner.sdk_members {
        for (f, p) in r
            .trackers
            .iter_mut()
            .chain(r.libraries.iter_mut())
            .zip(&prefixes)
        {
            if let Some(c) = f.code.as_mut() {
                c.members = sdk_members(p, index);
            }
        }
    }
    let classes =
        |ds: &[Detection], rules: &'s [trackscan_signatures::Rule]| -> Vec<Option<&'s str>> {
            ds.iter()
                .map(|d| rules.get(d.rule).and_then(|r| r.version_class.as_deref()))
                .collect()
        };
    let tc = classes(&d.trackers, &scanner.rules.trackers);
    crate::sdk_version::share_release_versions(&mut r.trackers, &tc);
    let lc = classes(&d.libraries, &scanner.rules.libraries);
    crate::sdk_version::share_release_versions(&mut r.libraries, &lc);
    prefixes
}

/// Fewest matched classes for a library version on a finding.
const MIN_VERSION_CLASSES: usize = 3;

/// Versions from the code's shape. For trackers found or confirmed by structure (their classes
/// may be renamed, so the names `version_class` gives are gone): the one release version their
/// renamed packages hold ([`crate::sdk_version::from_renamed_code`], source
/// `code:CLASS (renamed)`); then the modules of one release share it; then manifest
/// meta-data; last, for every finding still without a version, the library's verdict (one
/// release or the range of releases whose classes best explain the app's, source
/// `library:SDK: …`). A version the app states itself (version files, constants) always wins:
/// the library never replaces one.
#[inline(never)]
fn structure_versions(
    scanner: &Scanner,
    index: &CodeIndex<'_>,
    found: &crate::structure::Found,
    r: &mut Report,
) {
    let rules = &scanner.rules.trackers;
    let rule_of = |id: &str| rules.iter().find(|r| r.id == id);
    let classes: Vec<Option<&str>> = r
        .trackers
        .iter()
        .map(|f| rule_of(&f.id).and_then(|r| r.version_class.as_deref()))
        .collect();
    for hit in found
        .hits
        .iter()
        .filter(|h| found.trackers.contains(&h.tracker))
    {
        let Some(rule) = rule_of(&hit.tracker) else {
            continue;
        };
        let Some(f) = r.trackers.iter_mut().find(|f| f.id == hit.tracker) else {
            continue;
        };
        if f.sdk_version.is_some() {
            continue;
        }
        // Only an SDK known to keep its version in code (`version_class`) is read: any other
        // release-like string in renamed code is as likely a protocol or a dependency's.
        let code = rule.version_class.as_deref().and_then(|vc| {
            let packages = crate::sdk_version::renamed_version_packages(
                vc,
                &code_prefixes(rule),
                &hit.packages,
            );
            crate::sdk_version::from_renamed_code(&packages, rule.version_format.as_deref(), index)
        });
        if let Some((class, raw, value)) = code {
            f.sdk_version_source = Some(if raw == value {
                format!("code:{class} (renamed)")
            } else {
                format!("code:{class} \"{raw}\" (renamed)")
            });
            f.sdk_version = Some(value);
        }
    }
    crate::sdk_version::share_release_versions(&mut r.trackers, &classes);
    meta_data_versions(rules, &found.hits, r);
    for hit in &found.hits {
        if hit.classes.len() < MIN_VERSION_CLASSES {
            continue;
        }
        let Some((v, source)) = &hit.version else {
            continue;
        };
        if let Some(f) = r
            .trackers
            .iter_mut()
            .find(|f| f.id == hit.tracker && f.sdk_version.is_none())
        {
            f.sdk_version = Some(v.clone());
            f.sdk_version_source = Some(source.clone());
        }
    }
    crate::sdk_version::share_release_versions(&mut r.trackers, &classes);
}

/// Versions from a manifest meta-data (`version_meta_data`, looked up in
/// `signatures/meta_versions.tsv`) for the findings nothing else gave one, when the SDK's
/// code is there and is the meta-data's vendor's: a class in the vendor namespace (the
/// meta-data name's first two parts, `com.google.`), or, when no class kept its name
/// (renamed code), code evidence (strings, hosts, structure) of a rule whose code prefixes
/// are all the vendor's, or a structural detection whose matched library classes are all
/// the vendor's (the Crashlytics rule also covers Fabric's `com.crashlytics`: a renamed
/// Fabric SDK must not take Google's version, a renamed Firebase Crash may).
#[inline(never)]
fn meta_data_versions(
    rules: &[trackscan_signatures::Rule],
    hits: &[crate::structure::Hit],
    r: &mut Report,
) {
    for f in &mut r.trackers {
        let Some(rule) = rules.iter().find(|x| x.id == f.id) else {
            continue;
        };
        let Some(name) = rule.version_meta_data.as_deref() else {
            continue;
        };
        if f.sdk_version.is_some() {
            continue;
        }
        let Some(value) = r
            .meta_data
            .iter()
            .find(|m| m.name == name)
            .and_then(|m| m.value.as_deref())
        else {
            continue;
        };
        let vendor = name.split('.').take(2).collect::<Vec<_>>().join(".") + ".";
        let vendor_desc = format!("L{}", vendor.replace('.', "/"));
        let classes = || f.evidence.iter().filter(|e| e.kind == "class");
        let code_evidence = || {
            f.evidence
                .iter()
                .any(|e| matches!(e.kind.as_str(), "string" | "host" | "structure"))
        };
        let vendor_structure = || {
            f.evidence.iter().any(|e| e.kind == "structure")
                && hits.iter().any(|h| {
                    h.tracker == f.id
                        && h.detected
                        && !h.vendor_classes.is_empty()
                        && h.vendor_classes.iter().all(|c| c.starts_with(&vendor_desc))
                })
        };
        let vendor_code = classes().any(|e| e.value.starts_with(&vendor))
            || (classes().next().is_none()
                && ((rule.code.iter().all(|c| c.starts_with(&vendor)) && code_evidence())
                    || vendor_structure()));
        if !vendor_code {
            continue;
        }
        if let Some((v, source)) =
            crate::sdk_version::from_meta_data(crate::sdk_version::META_VERSIONS_TEXT, name, value)
        {
            f.sdk_version = Some(v);
            f.sdk_version_source = Some(source);
        }
    }
}

/// What the app's code hands to each detected tracker ([`crate::flow`]), onto its finding.
#[inline(never)]
fn data_from_app(
    index: &CodeIndex<'_>,
    explained: &[Vec<String>],
    renamed: &crate::flow::Renamed,
    r: &mut Report,
) {
    let ids: Vec<&str> = r.trackers.iter().map(|t| t.id.as_str()).collect();
    let mut flows =
        crate::flow::data_from_app(index, r.package.as_deref(), explained, &ids, renamed);
    for t in &mut r.trackers {
        if let Some(set) = flows.remove(&t.id) {
            t.data_from_app = crate::flow::ordered(set);
        }
    }
}

/// Who a host belongs to, given the app's detected trackers.
struct HostOwners<'s> {
    scanner: &'s Scanner,
    detected: Vec<usize>,
}

impl<'s> HostOwners<'s> {
    /// Owners among the trackers found (by name or by structure).
    fn new(scanner: &'s Scanner, found: &[report::Finding]) -> HostOwners<'s> {
        let rules = &scanner.rules.trackers;
        HostOwners {
            scanner,
            detected: found
                .iter()
                .filter_map(|f| rules.iter().position(|r| r.id == f.id))
                .collect(),
        }
    }

    /// (detected tracker, tracker whose SDK was not found) of a host, as rule ids.
    fn of(&self, host: &str) -> (Option<String>, Option<String>) {
        let id = |i: usize| self.scanner.rules.trackers.get(i).map(|r| r.id.clone());
        match self.scanner.matcher.attribute_host(host, &self.detected) {
            HostAttribution::Tracker(i) => (id(i), None),
            HostAttribution::SdkNotFound(i) => (None, id(i)),
            HostAttribution::None => (None, None),
        }
    }
}

/// Certificate pinning and transport security.
#[inline(never)]
fn pinning(
    owners: &HostOwners<'_>,
    c: &Collected<'_>,
    manifest: Option<&Manifest>,
    index: &CodeIndex<'_>,
    texts: &Texts<'_>,
    r: &mut Report,
) {
    let native_strings: Vec<(String, String)> = texts
        .values
        .iter()
        .filter(|(_, loc)| loc.ends_with(".so"))
        .map(|(s, loc)| (loc.to_string(), s.to_string()))
        .collect();
    let files: Vec<(String, &[u8])> = c
        .files
        .iter()
        .map(|(n, b)| (n.clone(), b.as_ref()))
        .collect();
    let pinning = trackscan_pinning::analyze(&trackscan_pinning::PinningInput {
        manifest,
        files: &files,
        index,
        native_strings: &native_strings,
    });
    fill_pinning(owners, &pinning, r);
}

/// Every host with its sources, attributed to a detected tracker ([`HostOwners`]).
#[inline(never)]
fn hosts(owners: &HostOwners<'_>, hosts: BTreeMap<String, BTreeSet<String>>, r: &mut Report) {
    r.hosts = hosts
        .into_iter()
        .map(|(host, sources)| {
            let (tracker, tracker_sdk_not_found) = owners.of(&host);
            report::Host {
                host,
                sources: sources.into_iter().collect(),
                tracker,
                tracker_sdk_not_found,
            }
        })
        .collect();
}

/// The personal-data APIs of an app, by (file, method id): built once per scan from the few
/// `method_ids` whose class is a data-API class ([`data_api_class_prefixes`], found by binary
/// search), so each reference from SDK code is one table load, not a classification.
struct ApiMemo {
    /// Per file, per method id up to the largest data-API one: 0 = reads no personal data,
    /// `k + 1` = `apis[k]`.
    slots: Vec<Vec<u32>>,
    apis: Vec<(&'static str, String)>,
}

impl ApiMemo {
    fn new(index: &CodeIndex<'_>) -> ApiMemo {
        let mut found: Vec<(u16, u32, usize)> = Vec::new();
        let mut apis: Vec<(&'static str, String)> = Vec::new();
        for prefix in data_api_class_prefixes() {
            index.for_each_method_id_with_class_prefix(prefix, |file, midx, class, method| {
                let Some(cat) = data_api_category(class, method) else {
                    return;
                };
                let api = (cat, format!("{}.{}", dotted(class), method));
                // The same API can be method ids of several files: one entry.
                let k = match apis.iter().position(|a| *a == api) {
                    Some(k) => k,
                    None => {
                        apis.push(api);
                        apis.len() - 1
                    }
                };
                found.push((file, midx, k));
            });
        }
        let mut slots: Vec<Vec<u32>> = Vec::new();
        for (file, midx, k) in found {
            let f = usize::from(file);
            if slots.len() <= f {
                slots.resize_with(f + 1, Vec::new);
            }
            let (Some(s), Ok(k)) = (slots.get_mut(f), u32::try_from(k + 1)) else {
                continue;
            };
            // Method ids were found in the file's `method_ids`, so they fit its size.
            let i = midx as usize;
            if s.len() <= i {
                s.resize(i + 1, 0);
            }
            if let Some(slot) = s.get_mut(i) {
                *slot = k;
            }
        }
        ApiMemo { slots, apis }
    }

    /// The index in `apis` of method `midx` of `file`, when that method is a personal-data API.
    fn get(&self, file: u16, midx: u32) -> Option<usize> {
        let k = *self.slots.get(usize::from(file))?.get(midx as usize)?;
        (k as usize).checked_sub(1)
    }
}

/// Slash-form descriptor prefixes of a rule's code packages (`com.foo` → `Lcom/foo/`).
fn code_prefixes(rule: &trackscan_signatures::Rule) -> Vec<String> {
    rule.code
        .iter()
        .map(|c| format!("L{}/", c.trim_end_matches('.').replace('.', "/")))
        .collect()
}

/// A call-site / data-access pair of one finding.
type Links = (Vec<report::CallSite>, Vec<report::DataAccess>);

fn finding(
    d: &Detection,
    rules: &[trackscan_signatures::Rule],
    prefixes: &[String],
    links: Option<Links>,
    index: &CodeIndex<'_>,
) -> report::Finding {
    let Some(rule) = rules.get(d.rule) else {
        return report::Finding::default();
    };
    let evidence = d
        .evidence
        .iter()
        .map(|e| report::Evidence {
            kind: e.kind.as_str().to_string(),
            value: e.value.clone(),
            location: e.location.clone(),
        })
        .collect();
    let evidence_omitted = d
        .omitted
        .iter()
        .map(|(k, n)| (k.as_str().to_string(), *n))
        .collect();
    let (call_sites, data_access) = links.unwrap_or_default();
    let (sdk_version, sdk_version_source) = crate::sdk_version::resolve(
        d,
        rule.version_class.as_deref(),
        rule.version_format.as_deref(),
        prefixes,
        index,
    );
    report::Finding {
        id: rule.id.clone(),
        exodus_id: rule.exodus_id,
        name: rule.name.clone(),
        categories: rule.categories.clone(),
        website: rule.website.clone(),
        sdk_version,
        sdk_version_source,
        evidence,
        evidence_omitted,
        call_sites,
        data_access,
        confidence: match d.confidence {
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
        }
        .to_string(),
        reason: d.reason.clone(),
        code: sdk_code(prefixes, index),
        data_from_app: Vec::new(),
    }
}

/// Classes, methods and digest of the code under `prefixes` ([`report::SdkCode`]). The digest
/// adds up one hash per class and per method (order-independent: DEX order and multidex
/// splits do not change it); no `String` per method (the proto is hashed piece by piece).
#[inline(never)]
fn sdk_code(prefixes: &[String], index: &CodeIndex<'_>) -> Option<report::SdkCode> {
    fn h(bytes: &[u8], seed: u64) -> u64 {
        // FNV-1a, 64 bit.
        bytes.iter().fold(seed ^ 0xcbf2_9ce4_8422_2325, |a, b| {
            (a ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
        })
    }
    let (mut classes, mut methods, mut digest) = (0u64, 0u64, 0u64);
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for p in prefixes {
        for c in index.classes_with_prefix(p) {
            // Prefixes of one rule can nest (`Lcom/a/` and `Lcom/a/b/`); count a class once.
            if !seen.insert(c.descriptor()) {
                continue;
            }
            classes += 1;
            let ch = h(c.descriptor().as_bytes(), 0);
            digest = digest.wrapping_add(ch);
            for m in c.methods() {
                methods += 1;
                // Name, proto, access flags and code length. The proto is hashed piece by
                // piece as borrowed from the string table (building its text was one
                // allocation per method, +11% on the largest corpus app); without it, R8
                // renaming a parameter type (`LE0/a;` -> `Lp0/a;`) went unseen.
                let mut mh = h(m.name().as_bytes(), ch);
                m.visit_proto(|part| mh = h(part.as_bytes(), mh));
                let mh = h(&m.access_flags().to_le_bytes(), mh);
                digest = digest.wrapping_add(h(&m.code_len().to_le_bytes(), mh));
            }
        }
    }
    (classes > 0).then(|| report::SdkCode {
        classes,
        methods,
        digest: format!("{digest:016x}"),
        members: Vec::new(),
    })
}

/// The classes and methods under `prefixes` ([`report::SdkCode::members`]), sorted, capped.
fn sdk_members(prefixes: &[String], index: &CodeIndex<'_>) -> Vec<String> {
    let mut out: BTreeSet<String> = BTreeSet::new();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    'all: for p in prefixes {
        for c in index.classes_with_prefix(p) {
            if !seen.insert(c.descriptor()) {
                continue;
            }
            let class = dotted(c.descriptor());
            for m in c.methods() {
                if out.len() >= report::MAX_SDK_MEMBERS {
                    break 'all;
                }
                out.insert(format!("{class}.{}{}", m.name(), m.proto()));
            }
            out.insert(class);
        }
    }
    out.into_iter().collect()
}

/// Per finding (given by its code prefixes): the call sites into the SDK from outside it, and
/// the personal-data APIs its own code calls. One pass over the app's references for all
/// findings ([`CodeIndex::links`]); personal-data APIs are looked up in a table built once.
#[inline(never)]
fn code_links(prefixes: &[Vec<String>], index: &CodeIndex<'_>) -> Vec<Links> {
    let groups: Vec<&[String]> = prefixes.iter().map(Vec::as_slice).collect();
    let memo = ApiMemo::new(index);
    let mut data: Vec<BTreeMap<usize, (usize, String)>> = vec![BTreeMap::new(); groups.len()];
    let calls = index.links(&groups, |g, caller, file, midx| {
        if let Some(k) = memo.get(file, midx) {
            if let Some(d) = data.get_mut(g) {
                let e = d.entry(k).or_insert_with(|| (0, dotted(caller)));
                e.0 += 1;
            }
        }
    });
    calls
        .into_iter()
        .zip(data)
        .map(|(sites, data)| {
            let mut callers: BTreeMap<String, (usize, BTreeSet<String>)> = BTreeMap::new();
            for cs in sites {
                let e = callers.entry(dotted(&cs.caller_class)).or_default();
                e.0 += cs.count as usize;
                if e.1.len() < 8 {
                    e.1.insert(format!("{}.{}", dotted(&cs.callee_class), cs.callee_method));
                }
            }
            let mut call_sites: Vec<report::CallSite> = callers
                .into_iter()
                .map(|(caller, (count, callees))| report::CallSite {
                    caller,
                    callees: callees.into_iter().collect(),
                    count,
                })
                .collect();
            call_sites.sort_by(|a, b| b.count.cmp(&a.count).then(a.caller.cmp(&b.caller)));
            call_sites.truncate(MAX_CALL_SITES);
            let mut data_access: Vec<report::DataAccess> = data
                .into_iter()
                .filter_map(|(k, (count, caller))| {
                    let (cat, api) = memo.apis.get(k)?;
                    Some(report::DataAccess {
                        category: cat.to_string(),
                        api: api.clone(),
                        caller,
                        count,
                    })
                })
                .collect();
            data_access.sort_by(|a, b| (&a.category, &a.api).cmp(&(&b.category, &b.api)));
            data_access.truncate(MAX_DATA_ACCESS);
            (call_sites, data_access)
        })
        .collect()
}

fn text_of<'b>(name: &str, bytes: &'b [u8]) -> Option<Cow<'b, str>> {
    if bytes.len() >= 8 && (bytes.starts_with(&[3, 0, 8, 0]) || bytes.starts_with(&[0, 0, 8, 0])) {
        // Binary XML: flatten its strings through the AXML reader.
        let doc = trackscan_axml::parse_axml(bytes).ok()?;
        let mut out = String::new();
        if let Some(root) = &doc.root {
            flatten(root, &mut out);
        }
        return Some(Cow::Owned(out));
    }
    let lower = name.to_ascii_lowercase();
    if [".der", ".bks", ".jks", ".p12", ".pfx", ".keystore"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        return None;
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Some(Cow::Borrowed(s)),
        Err(_) => {
            // Mostly text? keep it; binary blobs are skipped.
            let printable = bytes
                .iter()
                .take(4096)
                .filter(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
                .count();
            (printable * 10 >= bytes.len().min(4096) * 9).then(|| String::from_utf8_lossy(bytes))
        }
    }
}

fn flatten(e: &trackscan_axml::Element, out: &mut String) {
    for a in &e.attributes {
        if let trackscan_axml::Value::String(s) = &a.value {
            out.push_str(s);
            out.push('\n');
        }
    }
    if let Some(t) = &e.text {
        out.push_str(t);
        out.push('\n');
    }
    for c in &e.children {
        flatten(c, out);
    }
}

/// Printable ASCII runs of at least 6 bytes from an ELF's read-only data (`.rodata`, `.dynstr`),
/// or from the whole file when it does not parse as ELF.
fn native_strings(bytes: &[u8]) -> Vec<String> {
    let mut regions: Vec<&[u8]> = Vec::new();
    if let Ok(elf) = goblin::elf::Elf::parse(bytes) {
        for sh in &elf.section_headers {
            let name = elf.shdr_strtab.get_at(sh.sh_name).unwrap_or("");
            if matches!(name, ".rodata" | ".dynstr" | ".data.rel.ro" | ".data") {
                let start = sh.sh_offset as usize;
                let end = start.saturating_add(sh.sh_size as usize);
                if let Some(r) = bytes.get(start..end) {
                    regions.push(r);
                }
            }
        }
    }
    if regions.is_empty() {
        regions.push(bytes);
    }
    let mut out = Vec::new();
    for region in regions {
        for run in region.split(|b| !(0x20..0x7f).contains(b)) {
            if run.len() >= 6 && run.contains(&b'.') {
                if let Ok(s) = std::str::from_utf8(run) {
                    out.push(s.to_string());
                }
            }
        }
    }
    out
}

fn fill_manifest(m: &Manifest, r: &mut Report) {
    r.package = m.package.clone();
    r.version_code = m.version_code;
    r.version_name = m.version_name.clone();
    r.min_sdk = m.min_sdk;
    r.target_sdk = m.target_sdk;
    r.label = m.label.clone();
    r.permissions = m.permission_names();
    r.declared_permissions = m.declared_permissions.clone();
    r.application = report::Application {
        name: m.application.name.clone(),
        debuggable: m.application.debuggable,
        allow_backup: m.application.allow_backup,
        uses_cleartext_traffic: m.application.uses_cleartext_traffic,
        network_security_config: m.application.network_security_config.clone(),
    };
    r.components = m
        .components
        .iter()
        .map(|c| report::Component {
            kind: c.kind.as_str().to_string(),
            name: c.name.clone(),
            exported: c.exported,
            exported_effective: c.exported_effective,
            permission: c.permission.clone(),
            authorities: c.authorities.clone(),
            actions: c.actions.clone(),
        })
        .collect();
    r.meta_data = m
        .meta_data
        .iter()
        .map(|d| report::MetaData {
            name: d.name.clone(),
            value: d.value.clone(),
            resource: d.resource.clone(),
        })
        .collect();
    for a in &m.anomalies {
        r.warnings.push(format!("AndroidManifest.xml: {a}"));
    }
}

/// apktool moves `versionCode`, `versionName` and the SDK levels out of the manifest into
/// `apktool.yml`: use them where the manifest has none (a `@string/…` version name resolved
/// through the tree's values).
#[allow(clippy::type_complexity)]
fn fill_from_apktool_yml(
    yml: &crate::apktool::ApktoolYml,
    values: Option<&crate::apktool::Values>,
    (version_code, version_name, min_sdk, target_sdk): (
        &mut Option<u64>,
        &mut Option<String>,
        &mut Option<u32>,
        &mut Option<u32>,
    ),
) {
    *version_code = version_code.or(yml.version_code);
    if version_name.is_none() {
        *version_name = yml.version_name.as_ref().map(|v| {
            values
                .and_then(|vs| vs.resolve(v))
                .map_or_else(|| v.clone(), str::to_string)
        });
    }
    *min_sdk = min_sdk.or(yml.min_sdk);
    *target_sdk = target_sdk.or(yml.target_sdk);
}

fn fill_signing(info: &trackscan_signing::SigningInfo, r: &mut Report) {
    let conv = |c: &trackscan_signing::Certificate| report::Certificate {
        sha256: c.sha256.clone(),
        sha1: c.sha1.clone(),
        subject: c.subject.clone(),
        issuer: c.issuer.clone(),
        serial: c.serial.clone(),
        not_before: c.not_before.clone(),
        not_after: c.not_after.clone(),
        signature_algorithm: c.signature_algorithm.clone(),
        key_algorithm: c.key_algorithm.clone(),
        key_bits: c.key_bits,
        debug_cert: c.debug_cert,
        schemes: c.schemes.iter().map(|s| s.to_string()).collect(),
    };
    let s = &info.schemes;
    r.signing.schemes = [("v1", s.v1), ("v2", s.v2), ("v3", s.v3), ("v3.1", s.v31)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    r.signing.certificates = info.certificates.iter().map(conv).collect();
    r.signing.lineage = info.lineage.iter().map(conv).collect();
    r.signing.chain = info.chain.iter().map(conv).collect();
    for a in &info.anomalies {
        r.warnings.push(format!("signing: {a}"));
    }
}

fn pin_digest(p: &trackscan_pinning::PinDigest) -> report::PinDigest {
    report::PinDigest {
        algorithm: p.algorithm.clone(),
        digest: p.digest.clone(),
        expires: p.expires.clone(),
        matches_bundled_cert: p.matches_bundled_cert.clone(),
    }
}

fn fill_pinning(owners: &HostOwners<'_>, p: &trackscan_pinning::PinningReport, r: &mut Report) {
    r.pinning = p
        .pins
        .iter()
        .map(|h| {
            // A pinned host that belongs to a tracker hides that tracker's traffic.
            let bare = h.host.trim_start_matches("**.").trim_start_matches("*.");
            let (tracker, tracker_sdk_not_found) = owners.of(bare);
            report::Pin {
                host: h.host.clone(),
                include_subdomains: h.include_subdomains,
                pins: h.pins.iter().map(pin_digest).collect(),
                mechanism: h.mechanism.as_str().to_string(),
                evidence: h
                    .evidence
                    .iter()
                    .map(|(kind, value, location)| report::Evidence {
                        kind: kind.clone(),
                        value: value.clone(),
                        location: location.clone(),
                    })
                    .collect(),
                tracker,
                tracker_sdk_not_found,
                override_pins: h.override_pins,
            }
        })
        .collect();
    let t = &p.transport;
    r.transport = report::Transport {
        cleartext_default: t.cleartext_default,
        cleartext_domains: t.cleartext_domains.clone(),
        user_cas_trusted: t.user_cas_trusted,
        insecure_trust_managers: t.insecure_trust_managers.clone(),
        insecure_hostname_verifiers: t.insecure_hostname_verifiers.clone(),
        webview_ssl_errors_ignored: t.webview_ssl_errors_ignored.clone(),
        debug_overrides: t.debug_overrides,
    };
    r.nsc_domains = p
        .domains
        .iter()
        .map(|d| report::NscDomain {
            domain: d.domain.clone(),
            include_subdomains: d.include_subdomains,
            cleartext_permitted: d.cleartext_permitted,
            trust_anchors: d
                .trust_anchors
                .iter()
                .map(|a| {
                    if a.override_pins {
                        format!("{}!", a.src)
                    } else {
                        a.src.clone()
                    }
                })
                .collect(),
            pins: d.pins.iter().map(pin_digest).collect(),
            trustkit: d.trustkit.is_some(),
            location: d.location.clone(),
        })
        .collect();
    r.bundled_certs = p
        .bundled_certs
        .iter()
        .map(|b| report::BundledCert {
            file: b.file.clone(),
            format: b.format.to_string(),
            subject: b.subject.clone(),
            issuer: b.issuer.clone(),
            not_after: b.not_after.clone(),
            cert_sha256: b.cert_sha256.clone(),
            spki_sha256: b.spki_sha256.clone(),
        })
        .collect();
    for a in &p.anomalies {
        r.warnings.push(format!("pinning: {a}"));
    }
}
