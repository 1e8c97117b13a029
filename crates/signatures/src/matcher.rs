//! The one-pass matcher: every rule kind compiled into one automaton / table, so a scan
//! of one app is one pass over each input list whatever the number of rules.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::RegexSet;

use crate::hosts::valid_version;
use crate::prefix_trie::PrefixTrie;
use crate::rule::{anchored, is_regex, Rule, RuleError, RuleSet};

/// Evidence items kept per rule and kind; the rest are counted in
/// [`Detection::omitted`].
pub const EVIDENCE_CAP: usize = 8;

/// Longest evidence value kept (longer strings are cut at a char boundary).
const MAX_VALUE: usize = 200;

/// A platform's own domains, each shared by many SDKs and by the platform's own apps, pages and
/// share links. A network signature that is one of these (`facebook.com` is the signature of
/// seven Facebook rules) never tags a host on its own: such a host is attributed to a tracker
/// only when that tracker was detected by other evidence ([`Matcher::attribute_host`]), never
/// marked "tracker host, SDK not found", and never makes a detection alone. Narrower
/// signatures under them (`crashlyticsreports-pa.googleapis.com`) are unaffected.
pub const PLATFORM_DOMAINS: &[&str] = &[
    "amazon.com",
    "amazonaws.com",
    "android.com",
    "apple.com",
    "facebook.com",
    "facebook.net",
    "fbcdn.net",
    "google.com",
    "googleapis.com",
    "googleusercontent.com",
    "gstatic.com",
    "instagram.com",
    "microsoft.com",
    "twitter.com",
    "yahoo.com",
    "yandex.net",
    "yandex.ru",
];

/// Whether a network signature (lowercase, no trailing dot) is a platform domain
/// ([`PLATFORM_DOMAINS`]).
pub fn is_platform_domain(signature: &str) -> bool {
    PLATFORM_DOMAINS.contains(&signature)
}

/// How a host relates to the tracker rules' network signatures, given what was detected
/// ([`Matcher::attribute_host`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostAttribution {
    /// A detected tracker (index into [`RuleSet::trackers`]) owns the host.
    Tracker(usize),
    /// The host matches a (non-platform) network signature of this tracker, but the tracker
    /// was not detected: "tracker host, SDK not found".
    SdkNotFound(usize),
    /// No tracker's signature claims the host (or only a platform domain of an undetected one).
    None,
}

/// One class of the app. `descriptor` is `Lcom/foo/Bar;` (a dotted or slash name without
/// `L…;` is accepted too).
#[derive(Debug, Clone, Copy)]
pub struct ClassFact<'a> {
    /// Class descriptor.
    pub descriptor: &'a str,
    /// Where it was found (`classes2.dex`).
    pub location: &'a str,
}

/// One manifest name.
#[derive(Debug, Clone, Copy)]
pub struct ManifestFact<'a> {
    /// `activity`, `service`, `receiver`, `provider`, `meta-data`, `permission`, …
    pub kind: &'a str,
    /// The (fully qualified) name.
    pub name: &'a str,
}

/// One string constant (DEX string, resource string, asset text).
#[derive(Debug, Clone, Copy)]
pub struct StringFact<'a> {
    /// The string.
    pub value: &'a str,
    /// Where it was found.
    pub location: &'a str,
}

/// One host name found in the app (normalised by [`crate::extract_hosts`]).
#[derive(Debug, Clone, Copy)]
pub struct HostFact<'a> {
    /// Lowercase host name.
    pub host: &'a str,
    /// Where it was found.
    pub location: &'a str,
}

/// A Gradle `META-INF/*.version` file.
#[derive(Debug, Clone, Copy)]
pub struct VersionFile<'a> {
    /// Path in the archive (`META-INF/x.version`).
    pub name: &'a str,
    /// File content (the version).
    pub content: &'a str,
}

/// Everything the matcher looks at for one app. All slices are borrowed.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppFacts<'a> {
    /// The manifest package, for the app's-own-package exclusion.
    pub package: Option<&'a str>,
    /// Classes, sorted by descriptor (not required by the matcher).
    pub classes: &'a [ClassFact<'a>],
    /// Manifest names.
    pub manifest_names: &'a [ManifestFact<'a>],
    /// String constants.
    pub strings: &'a [StringFact<'a>],
    /// Host names.
    pub hosts: &'a [HostFact<'a>],
    /// Gradle version files.
    pub version_files: &'a [VersionFile<'a>],
    /// Native library paths (`lib/arm64-v8a/libfoo.so`).
    pub native_libs: &'a [&'a str],
    /// Asset paths.
    pub assets: &'a [&'a str],
}

/// What kind of fact an evidence item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EvidenceKind {
    /// A class under a rule's code prefix.
    Class,
    /// A manifest name.
    Manifest,
    /// A host name.
    Host,
    /// A string constant.
    String,
    /// A native library.
    NativeLib,
    /// A Gradle version file.
    VersionFile,
    /// An asset.
    Asset,
}

impl EvidenceKind {
    /// Lowercase name for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Class => "class",
            EvidenceKind::Manifest => "manifest",
            EvidenceKind::Host => "host",
            EvidenceKind::String => "string",
            EvidenceKind::NativeLib => "native_lib",
            EvidenceKind::VersionFile => "version_file",
            EvidenceKind::Asset => "asset",
        }
    }
}

/// One piece of evidence for a detection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// Kind of fact.
    pub kind: EvidenceKind,
    /// The fact (class name in dotted form, manifest `kind name`, host, string, path).
    pub value: String,
    /// Where it was found (dex file, `AndroidManifest.xml`, path).
    pub location: String,
}

/// How sure a detection is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    /// Only strings / hosts matched (e.g. an R8-renamed SDK).
    #[default]
    Low,
    /// Manifest names, version files, native libs or assets, but no classes.
    Medium,
    /// SDK classes are present.
    High,
}

/// A rule that matched an app. (`Default` is there for detectors of other kinds, which fill
/// the fields they know and leave the rest: `Detection { rule, ..Detection::default() }`.)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Detection {
    /// Index into [`RuleSet::trackers`] or [`RuleSet::libraries`].
    pub rule: usize,
    /// Evidence, at most [`EVIDENCE_CAP`] per kind, in input order.
    pub evidence: Vec<Evidence>,
    /// Per kind, how many further evidence items were left out.
    pub omitted: BTreeMap<EvidenceKind, usize>,
    /// SDK version from a version file or a version-bearing string.
    pub sdk_version: Option<String>,
    /// Where `sdk_version` came from: `version_file:NAME` (the file whose version it is) or
    /// `string:VALUE` (the distinctive string that carries it).
    pub sdk_version_source: Option<String>,
    /// Confidence from the strongest evidence kind.
    pub confidence: Confidence,
    /// Which evidence carried it, in words.
    pub reason: String,
}

/// Rules of one list (trackers or libraries) compiled for matching.
#[derive(Debug)]
struct Compiled {
    n_rules: usize,
    /// Rules with curated `strings`: for those, hosts alone do not make a detection.
    has_strings: Vec<bool>,
    /// Slash-form code prefixes per rule: the patterns of [`Matcher`]'s class trie and the
    /// own-package test.
    rule_prefixes: Vec<Vec<String>>,
    /// Some rule has a code prefix.
    has_class_prefixes: bool,
    class_regex: RegexSet,
    class_regex_rule: Vec<usize>,
    /// Host suffix → rules.
    host_suffix: HashMap<String, Vec<usize>>,
    host_regex: RegexSet,
    host_regex_rule: Vec<usize>,
    /// All rule strings, standard semantics (overlapping search), as a contiguous NFA:
    /// run only over the strings that hold a rule string, usually short.
    strings_ac: AhoCorasick,
    /// The same as a full DFA (about 3× fewer instructions per byte), built on the first
    /// long hit string (a multi-megabyte asset holding a rule string) rather than by every
    /// `Matcher::new`: its build cost ~3.5 M instructions for the 32 tracker strings.
    /// `None` inside when it cannot be built (then the NFA serves).
    strings_ac_dfa: OnceLock<Option<AhoCorasick>>,
    /// The patterns, for the lazy DFA.
    string_pats: Vec<String>,
    string_rule: Vec<usize>,
    /// Some rule string holds a NUL (then strings cannot be joined by NUL for one search).
    nul_in_strings: bool,
    /// The same strings, leftmost-first: only to find which app strings hold any of them.
    /// Unlike the standard-semantics automaton it can use the SIMD (Teddy) prefilter, which
    /// skips through the megabytes of DEX strings, assets and native-library text that match
    /// nothing.
    /// A contiguous NFA: with the prefilter leading, a DFA saved nothing measurable per
    /// scan and cost ~3.5 M instructions to build.
    strings_any: AhoCorasick,
    manifest_exact: HashMap<String, Vec<usize>>,
    manifest_prefix: Vec<(String, usize)>,
    /// Version file base name → (rule, rank of the name in the rule's `version_files`).
    version_files: HashMap<String, Vec<(usize, usize)>>,
    native_exact: HashMap<String, Vec<usize>>,
    native_regex: RegexSet,
    native_regex_rule: Vec<usize>,
    /// Asset entry base name → (full entry, rule).
    assets: HashMap<String, Vec<(String, usize)>>,
}

fn regex_set(
    rules: &[Rule],
    pick: impl Fn(&Rule) -> Vec<String>,
) -> Result<(RegexSet, Vec<usize>), RuleError> {
    let mut pats = Vec::new();
    let mut owner = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        for p in pick(r) {
            pats.push(p);
            owner.push(i);
        }
    }
    if pats.is_empty() {
        return Ok((RegexSet::empty(), owner));
    }
    // Each regex is compiled alone only to name the first bad one (in rule order) when
    // the set does not build: compiling all of them twice cost ~1 M instructions per run.
    let set = RegexSet::new(&pats).map_err(|e| {
        for (p, &i) in pats.iter().zip(&owner) {
            if let Err(e) = regex::Regex::new(p) {
                return RuleError::Regex {
                    rule: rules.get(i).map(|r| r.id.clone()).unwrap_or_default(),
                    pattern: p.clone(),
                    message: e.to_string().lines().last().unwrap_or("").to_string(),
                };
            }
        }
        RuleError::Automaton {
            what: "regex set",
            message: e.to_string(),
        }
    })?;
    Ok((set, owner))
}

/// Longest string copied into the joined buffer of the string search; longer ones are
/// searched on their own (the per-search cost is small next to their length).
const JOIN_MAX_LEN: usize = 4096;

/// Most patterns for which [`dfa`] builds a full DFA (one table lookup per byte, about 3×
/// fewer instructions per byte than the contiguous NFA). The DFAs of the two class-prefix
/// lists (~550 patterns each) cost ~36 M instructions each to build, once per process,
/// before class prefixes moved to [`PrefixTrie`]; the string automata are now contiguous
/// NFAs (building the two DFAs of the 32 tracker strings cost 7 M instructions per
/// `Matcher::new`; the per-scan count on achat.apk and mastg_uncrackable3_2019.apk did
/// not change, the leftmost-first search being led by its prefilter) except for
/// long hit strings.
const DFA_MAX_PATTERNS: usize = 2000;

/// The standard-semantics DFA of `pats`, when small enough and buildable.
fn dfa(pats: &[String]) -> Option<AhoCorasick> {
    if pats.len() > DFA_MAX_PATTERNS {
        return None;
    }
    AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::DFA))
        .build(pats)
        .ok()
}

impl Compiled {
    /// The overlapping string automaton for one hit string: the NFA, or for a string
    /// longer than [`JOIN_MAX_LEN`] the DFA (built on first use). Both report the same
    /// matches.
    fn strings_ac_for(&self, value: &str) -> &AhoCorasick {
        if value.len() <= JOIN_MAX_LEN {
            return &self.strings_ac;
        }
        self.strings_ac_dfa
            .get_or_init(|| dfa(&self.string_pats))
            .as_ref()
            .unwrap_or(&self.strings_ac)
    }

    /// The joined class-name buffer is searched.
    fn needs_classes(&self) -> bool {
        self.has_class_prefixes
    }

    /// The joined string buffer is searched.
    fn needs_strings(&self) -> bool {
        !self.string_rule.is_empty() && !self.nul_in_strings
    }
}

fn basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

impl Compiled {
    fn new(rules: &[Rule]) -> Result<Compiled, RuleError> {
        let mut rule_prefixes = Vec::with_capacity(rules.len());
        let mut host_suffix: HashMap<String, Vec<usize>> = HashMap::new();
        let mut string_pats = Vec::new();
        let mut string_rule = Vec::new();
        let mut manifest_exact: HashMap<String, Vec<usize>> = HashMap::new();
        let mut manifest_prefix = Vec::new();
        let mut version_files: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        let mut native_exact: HashMap<String, Vec<usize>> = HashMap::new();
        let mut assets: HashMap<String, Vec<(String, usize)>> = HashMap::new();
        for (i, r) in rules.iter().enumerate() {
            let mut prefixes = Vec::new();
            for p in &r.code {
                let slash = p.trim_matches('.').replace('.', "/");
                if slash.is_empty() {
                    continue;
                }
                prefixes.push(slash);
            }
            rule_prefixes.push(prefixes);
            for h in &r.network {
                let h = h.trim_matches('.').to_ascii_lowercase();
                let v = host_suffix.entry(h).or_default();
                if !v.contains(&i) {
                    v.push(i);
                }
            }
            for s in r.strings.iter().filter(|s| !s.is_empty()) {
                string_pats.push(s.clone());
                string_rule.push(i);
            }
            for m in &r.manifest {
                match m.strip_suffix('*') {
                    Some(p) => manifest_prefix.push((p.to_string(), i)),
                    None => manifest_exact.entry(m.clone()).or_default().push(i),
                }
            }
            for (rank, v) in r.version_files.iter().enumerate() {
                let e = version_files.entry(basename(v).to_string()).or_default();
                if !e.iter().any(|(r, _)| *r == i) {
                    e.push((i, rank));
                }
            }
            for n in r.native_libs.iter().filter(|n| !is_regex(n)) {
                native_exact
                    .entry(basename(n).to_string())
                    .or_default()
                    .push(i);
            }
            for a in &r.assets {
                let a = a.trim_start_matches('/');
                assets
                    .entry(basename(a).to_string())
                    .or_default()
                    .push((a.to_string(), i));
            }
        }
        let (class_regex, class_regex_rule) = regex_set(rules, |r| r.code_regex.clone())?;
        let (host_regex, host_regex_rule) = regex_set(rules, |r| r.network_regex.clone())?;
        let (native_regex, native_regex_rule) = regex_set(rules, |r| {
            r.native_libs
                .iter()
                .filter(|n| is_regex(n))
                .map(|n| anchored(n))
                .collect()
        })?;
        Ok(Compiled {
            n_rules: rules.len(),
            has_strings: rules.iter().map(|r| !r.strings.is_empty()).collect(),
            has_class_prefixes: rule_prefixes.iter().any(|p| !p.is_empty()),
            rule_prefixes,
            class_regex,
            class_regex_rule,
            host_suffix,
            host_regex,
            host_regex_rule,
            nul_in_strings: string_pats.iter().any(|p| p.contains('\0')),
            strings_any: AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostFirst)
                .kind(Some(AhoCorasickKind::ContiguousNFA))
                .build(&string_pats)
                .map_err(|e| RuleError::Automaton {
                    what: "string",
                    message: e.to_string(),
                })?,
            strings_ac: AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::ContiguousNFA))
                .build(&string_pats)
                .map_err(|e| RuleError::Automaton {
                    what: "string",
                    message: e.to_string(),
                })?,
            strings_ac_dfa: OnceLock::new(),
            string_pats,
            string_rule,
            manifest_exact,
            manifest_prefix,
            version_files,
            native_exact,
            native_regex,
            native_regex_rule,
            assets,
        })
    }
}

/// Per-rule accumulation during one scan.
#[derive(Default)]
struct Acc {
    evidence: Vec<Evidence>,
    counts: BTreeMap<EvidenceKind, usize>,
    omitted: BTreeMap<EvidenceKind, usize>,
    /// Class / manifest evidence that lies in the app's own package.
    own: Vec<Evidence>,
    own_count: usize,
    /// A host matched a suffix or regex owned by this rule alone.
    unambiguous_host: bool,
    /// (rank of the file in the rule's list, version, file name): the best-ranked file wins.
    version: Option<(usize, String, String)>,
    /// (version, the string that carries it).
    string_version: Option<(String, String)>,
}

fn cut(s: &str) -> String {
    if s.len() <= MAX_VALUE {
        return s.to_string();
    }
    let mut end = MAX_VALUE;
    while !s.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    format!("{}…", s.get(..end).unwrap_or(""))
}

impl Acc {
    fn push(&mut self, kind: EvidenceKind, value: &str, location: &str) {
        let c = self.counts.entry(kind).or_insert(0);
        *c = c.saturating_add(1);
        if *c > EVIDENCE_CAP {
            let o = self.omitted.entry(kind).or_insert(0);
            *o = o.saturating_add(1);
        } else {
            self.evidence.push(Evidence {
                kind,
                value: cut(value),
                location: location.to_string(),
            });
        }
    }

    fn push_own(&mut self, kind: EvidenceKind, value: &str, location: &str) {
        self.own_count = self.own_count.saturating_add(1);
        if self.own.len() < EVIDENCE_CAP {
            self.own.push(Evidence {
                kind,
                value: cut(value),
                location: location.to_string(),
            });
        }
    }
}

/// Slash-form class name of a descriptor (`Lcom/a/B;` → `com/a/B`), dotted names
/// converted into `buf`.
fn class_name<'b>(descriptor: &'b str, buf: &'b mut String) -> &'b str {
    let d = descriptor
        .strip_prefix('L')
        .and_then(|d| d.strip_suffix(';'))
        .unwrap_or(descriptor);
    if d.contains('.') && !d.contains('/') {
        buf.clear();
        buf.extend(d.chars().map(|c| if c == '.' { '/' } else { c }));
        buf.as_str()
    } else {
        d
    }
}

/// The compiled rule set. Build once per run with [`Matcher::new`].
#[derive(Debug)]
pub struct Matcher {
    trackers: Compiled,
    libraries: Compiled,
    /// Code prefixes of both lists, walked from the package boundaries of each class name.
    classes: PrefixTrie,
    /// Trie pattern id → (list: [`TRACKERS`] or [`LIBRARIES`], rule index).
    class_owner: Vec<(usize, usize)>,
    tracker_names: Vec<String>,
}

/// List index of the trackers in [`Matcher::class_owner`] and [`Shared::class_hits`].
const TRACKERS: usize = 0;
/// List index of the libraries.
const LIBRARIES: usize = 1;

impl Matcher {
    /// Compiles all rules: one trie over the class prefixes of both lists, one
    /// Aho-Corasick automaton over strings, a suffix table for hosts and one `RegexSet` per
    /// regex kind.
    pub fn new(rules: &RuleSet) -> Result<Matcher, RuleError> {
        let trackers = Compiled::new(&rules.trackers)?;
        let libraries = Compiled::new(&rules.libraries)?;
        let mut class_owner = Vec::new();
        let mut pats: Vec<&str> = Vec::new();
        for (list, c) in [(TRACKERS, &trackers), (LIBRARIES, &libraries)] {
            for (rule, prefixes) in c.rule_prefixes.iter().enumerate() {
                for p in prefixes {
                    pats.push(p);
                    class_owner.push((list, rule));
                }
            }
        }
        let classes = PrefixTrie::new(pats).map_err(|_| RuleError::Automaton {
            what: "class prefix",
            message: "more than 2^32 trie nodes".to_string(),
        })?;
        Ok(Matcher {
            trackers,
            libraries,
            classes,
            class_owner,
            tracker_names: rules.trackers.iter().map(|r| r.name.clone()).collect(),
        })
    }

    /// Tracker detections for one app, sorted by rule index.
    pub fn match_trackers(&self, app: &AppFacts) -> Vec<Detection> {
        let shared = Shared::new(self, app, [true, false], self.trackers.needs_strings());
        run(self, TRACKERS, app, &shared)
    }

    /// Library detections for one app, sorted by rule index.
    pub fn match_libraries(&self, app: &AppFacts) -> Vec<Detection> {
        let shared = Shared::new(self, app, [false, true], self.libraries.needs_strings());
        run(self, LIBRARIES, app, &shared)
    }

    /// Tracker and library detections for one app: exactly
    /// `(self.match_trackers(app), self.match_libraries(app))`, but the class names and
    /// strings of the app are searched once for both lists: one trie walk per class name
    /// serves both, and the strings are joined into one search buffer.
    pub fn match_all(&self, app: &AppFacts) -> (Vec<Detection>, Vec<Detection>) {
        let strings = self.trackers.needs_strings() || self.libraries.needs_strings();
        let shared = Shared::new(self, app, [true, true], strings);
        (
            run(self, TRACKERS, app, &shared),
            run(self, LIBRARIES, app, &shared),
        )
    }

    /// The tracker whose network signature matches a host, whatever the app holds: the longest
    /// matching suffix (first rule in file order when several rules share it), else the first
    /// matching host regex. Reports attribute hosts with [`Matcher::attribute_host`], which
    /// also asks whether the tracker was detected.
    pub fn host_owner(&self, host: &str) -> Option<usize> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let mut rest = host.as_str();
        loop {
            if let Some(rules) = self.trackers.host_suffix.get(rest) {
                return rules.iter().min().copied();
            }
            match rest.split_once('.') {
                Some((_, tail)) => rest = tail,
                None => break,
            }
        }
        let m = self.trackers.host_regex.matches(&host);
        m.iter()
            .filter_map(|p| self.trackers.host_regex_rule.get(p).copied())
            .min()
    }

    /// The tracker a host belongs to in an app whose detected trackers are `detected` (indices
    /// into [`RuleSet::trackers`]): among the rules whose network signature (suffix or regex)
    /// matches the host, a detected one (longest matching suffix first, then file order, then
    /// regexes); else the owner of the longest non-platform suffix (then a regex) as
    /// [`HostAttribution::SdkNotFound`]. A platform domain ([`PLATFORM_DOMAINS`]) only ever
    /// attributes to a detected tracker.
    pub fn attribute_host(&self, host: &str, detected: &[usize]) -> HostAttribution {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let mut undetected: Option<usize> = None;
        let mut rest = host.as_str();
        loop {
            if let Some(rules) = self.trackers.host_suffix.get(rest) {
                if let Some(r) = rules.iter().filter(|r| detected.contains(r)).min() {
                    return HostAttribution::Tracker(*r);
                }
                if undetected.is_none() && !is_platform_domain(rest) {
                    undetected = rules.iter().min().copied();
                }
            }
            match rest.split_once('.') {
                Some((_, tail)) => rest = tail,
                None => break,
            }
        }
        if !self.trackers.host_regex_rule.is_empty() {
            let owners: Vec<usize> = self
                .trackers
                .host_regex
                .matches(&host)
                .iter()
                .filter_map(|p| self.trackers.host_regex_rule.get(p).copied())
                .collect();
            if let Some(r) = owners.iter().filter(|r| detected.contains(r)).min() {
                return HostAttribution::Tracker(*r);
            }
            if undetected.is_none() {
                undetected = owners.iter().min().copied();
            }
        }
        match undetected {
            Some(r) => HostAttribution::SdkNotFound(r),
            None => HostAttribution::None,
        }
    }

    /// Number of tracker rules checked on every app.
    pub fn rules_checked(&self) -> usize {
        self.trackers.n_rules
    }

    /// Number of library rules checked on every app.
    pub fn libraries_checked(&self) -> usize {
        self.libraries.n_rules
    }

    /// Name of tracker rule `i`.
    pub fn tracker_name(&self, i: usize) -> Option<&str> {
        self.tracker_names.get(i).map(String::as_str)
    }
}

/// True when `class` (slash form) lies in the app's own package and that package equals
/// or is under one of the rule's prefixes.
fn in_own_package(app_pkg: Option<&str>, prefixes: &[String], class: &str) -> bool {
    let Some(pkg) = app_pkg else {
        return false;
    };
    let under_pkg = class
        .strip_prefix(pkg)
        .is_some_and(|r| r.is_empty() || r.starts_with('/') || r.starts_with('$'));
    under_pkg
        && prefixes.iter().any(|p| {
            pkg.strip_prefix(p.as_str())
                .is_some_and(|r| r.is_empty() || r.starts_with('/'))
        })
}

fn version_after(value: &str, end: usize) -> Option<String> {
    let rest = value.get(end..)?;
    let v: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_'))
        .take(64)
        .collect();
    let v = v.trim_end_matches(['.', '-', '_']).to_string();
    (valid_version(&v) && v.contains('.')).then_some(v)
}

/// The inputs of one scan searched once for both rule lists: the class-prefix hits of
/// every class, and all strings up to [`JOIN_MAX_LEN`] bytes joined by NUL. A NUL inside a
/// string needs no special case: no rule string holds a NUL when the buffer is searched,
/// so no match spans any NUL, and a match maps to the string whose start precedes it.
#[derive(Default)]
struct Shared {
    /// Per list ([`TRACKERS`], [`LIBRARIES`]): (class index, rule) for every class with a
    /// prefix of the rule at package boundaries, by class index, each pair once.
    class_hits: [Vec<(usize, usize)>; 2],
    /// The string buffer was built.
    has_strings: bool,
    strings: String,
    /// Start of each string in `strings`, one per [`AppFacts::strings`] entry (strings
    /// left out get an empty slot).
    string_starts: Vec<usize>,
    /// Indices of the strings left out of `strings`.
    alone: Vec<usize>,
}

impl Shared {
    /// `lists`: for which lists ([`TRACKERS`], [`LIBRARIES`]) to collect class hits.
    fn new(m: &Matcher, app: &AppFacts, lists: [bool; 2], strings: bool) -> Shared {
        let mut sh = Shared::default();
        let lists = [
            lists[TRACKERS] && m.trackers.needs_classes(),
            lists[LIBRARIES] && m.libraries.needs_classes(),
        ];
        if lists.contains(&true) {
            let mut buf = String::new();
            for (ci, cf) in app.classes.iter().enumerate() {
                let name = class_name(cf.descriptor, &mut buf);
                class_prefix_hits(m, name, lists, ci, &mut sh.class_hits);
            }
        }
        if strings {
            sh.has_strings = true;
            let total = app
                .strings
                .iter()
                .filter(|s| s.value.len() <= JOIN_MAX_LEN)
                .fold(0usize, |n, s| {
                    n.saturating_add(s.value.len()).saturating_add(1)
                });
            sh.strings.reserve(total);
            sh.string_starts.reserve(app.strings.len());
            for (i, s) in app.strings.iter().enumerate() {
                sh.string_starts.push(sh.strings.len());
                if s.value.len() > JOIN_MAX_LEN {
                    sh.alone.push(i);
                } else {
                    sh.strings.push_str(s.value);
                }
                sh.strings.push('\0');
            }
        }
        sh
    }
}

/// Appends `(ci, rule)` to `hits[list]` for every rule of a wanted list with a code prefix
/// at the package boundaries of `name` (slash form), each pair once.
fn class_prefix_hits(
    m: &Matcher,
    name: &str,
    lists: [bool; 2],
    ci: usize,
    hits: &mut [Vec<(usize, usize)>; 2],
) {
    m.classes.for_each_match(name.as_bytes(), |id| {
        let Some(&(list, rule)) = m.class_owner.get(id as usize) else {
            return;
        };
        if !lists.get(list).copied().unwrap_or(false) {
            return;
        }
        if let Some(v) = hits.get_mut(list) {
            // This class's pairs are the tail of the list (a handful at most).
            let dup = v
                .iter()
                .rev()
                .take_while(|&&(c, _)| c == ci)
                .any(|&(_, r)| r == rule);
            if !dup {
                v.push((ci, rule));
            }
        }
    });
}

fn run(mt: &Matcher, list: usize, app: &AppFacts, shared: &Shared) -> Vec<Detection> {
    let c = if list == TRACKERS {
        &mt.trackers
    } else {
        &mt.libraries
    };
    let mut accs: BTreeMap<usize, Acc> = BTreeMap::new();
    let pkg_slash: Option<String> = app.package.map(|p| p.replace('.', "/"));
    let pkg = pkg_slash.as_deref();
    let mut buf = String::new();
    let mut hit: Vec<usize> = Vec::new();

    // `value: None` means "the class name in dotted form", built only on a hit.
    // `prefix_hits`: the (class, rule) pairs of the class-prefix trie for this name.
    let mut class_like = |name: &str,
                          prefix_hits: &[(usize, usize)],
                          kind: EvidenceKind,
                          value: Option<&str>,
                          location: &str,
                          accs: &mut BTreeMap<usize, Acc>| {
        hit.clear();
        for &(_, r) in prefix_hits {
            if !hit.contains(&r) {
                hit.push(r);
            }
        }
        if !c.class_regex_rule.is_empty() {
            for p in c.class_regex.matches(name).iter() {
                if let Some(&r) = c.class_regex_rule.get(p) {
                    if !hit.contains(&r) {
                        hit.push(r);
                    }
                }
            }
        }
        if hit.is_empty() {
            return;
        }
        let dotted;
        let value = match value {
            Some(v) => v,
            None => {
                dotted = name.replace('/', ".");
                dotted.as_str()
            }
        };
        for &r in &hit {
            let acc = accs.entry(r).or_default();
            let prefixes = c.rule_prefixes.get(r).map(Vec::as_slice).unwrap_or(&[]);
            if in_own_package(pkg, prefixes, name) {
                acc.push_own(kind, value, location);
            } else {
                acc.push(kind, value, location);
            }
        }
    };

    // Classes: the trie hits gathered in `Shared` (one walk per name for both lists);
    // classes with a hit, or all when the list has class regexes, go through `class_like`.
    let class_hits = shared
        .class_hits
        .get(list)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let scan_all = !c.class_regex_rule.is_empty();
    let mut k = 0usize;
    for (ci, cf) in app.classes.iter().enumerate() {
        let from = k;
        while class_hits.get(k).is_some_and(|&(c, _)| c == ci) {
            k = k.saturating_add(1);
        }
        let here = class_hits.get(from..k).unwrap_or(&[]);
        if !here.is_empty() || scan_all {
            let name = class_name(cf.descriptor, &mut buf);
            class_like(
                name,
                here,
                EvidenceKind::Class,
                None,
                cf.location,
                &mut accs,
            );
        }
    }

    // Manifest component names go through the trie one by one, for this list only.
    let mut manifest_hits: [Vec<(usize, usize)>; 2] = [Vec::new(), Vec::new()];
    let mut want = [false; 2];
    if let Some(w) = want.get_mut(list) {
        *w = c.needs_classes();
    }
    for m in app.manifest_names {
        let value = format!("{} {}", m.kind, m.name);
        let mut matched: Vec<usize> = Vec::new();
        if let Some(rules) = c.manifest_exact.get(m.name) {
            matched.extend(rules);
        }
        for (p, r) in &c.manifest_prefix {
            if m.name.starts_with(p.as_str()) && !matched.contains(r) {
                matched.push(*r);
            }
        }
        for r in &matched {
            accs.entry(*r)
                .or_default()
                .push(EvidenceKind::Manifest, &value, "AndroidManifest.xml");
        }
        // Component names are class names that R8 must keep: run them through the
        // class automaton too (skipped for rules already matched by name).
        if matches!(
            m.kind,
            "activity"
                | "service"
                | "receiver"
                | "provider"
                | "activity-alias"
                | "application"
                | "instrumentation"
        ) {
            let slash = m.name.replace('.', "/");
            let before: Vec<usize> = matched.clone();
            let mut tmp: BTreeMap<usize, Acc> = BTreeMap::new();
            for v in &mut manifest_hits {
                v.clear();
            }
            if want.contains(&true) {
                class_prefix_hits(mt, &slash, want, 0, &mut manifest_hits);
            }
            let here = manifest_hits.get(list).map(Vec::as_slice).unwrap_or(&[]);
            class_like(
                &slash,
                here,
                EvidenceKind::Manifest,
                Some(&value),
                "AndroidManifest.xml",
                &mut tmp,
            );
            for (r, t) in tmp {
                if before.contains(&r) {
                    continue;
                }
                let acc = accs.entry(r).or_default();
                for e in t.evidence {
                    acc.push(e.kind, &e.value, &e.location);
                }
                for e in t.own {
                    acc.push_own(e.kind, &e.value, &e.location);
                }
            }
        }
    }

    for h in app.hosts {
        let trimmed = h.host.trim_end_matches('.');
        let host: std::borrow::Cow<str> = if trimmed.bytes().any(|b| b.is_ascii_uppercase()) {
            std::borrow::Cow::Owned(trimmed.to_ascii_lowercase())
        } else {
            std::borrow::Cow::Borrowed(trimmed)
        };
        let mut rest: &str = &host;
        let mut matched: Vec<(usize, bool)> = Vec::new();
        for _ in 0..128 {
            if let Some(rules) = c.host_suffix.get(rest) {
                for &r in rules {
                    if !matched.iter().any(|(x, _)| *x == r) {
                        matched.push((r, rules.len() == 1 && !is_platform_domain(rest)));
                    }
                }
            }
            match rest.split_once('.') {
                Some((_, tail)) => rest = tail,
                None => break,
            }
        }
        if !c.host_regex_rule.is_empty() {
            let set = c.host_regex.matches(&host);
            let owners: Vec<usize> = set
                .iter()
                .filter_map(|p| c.host_regex_rule.get(p).copied())
                .collect();
            for &r in &owners {
                if !matched.iter().any(|(x, _)| *x == r) {
                    let alone = owners.iter().all(|&o| o == r);
                    matched.push((r, alone));
                }
            }
        }
        for (r, alone) in matched {
            let acc = accs.entry(r).or_default();
            acc.unambiguous_host |= alone;
            acc.push(EvidenceKind::Host, &host, h.location);
        }
    }

    // Strings: almost none match. One non-overlapping search (which can use the automaton's
    // prefilter) over all strings joined by NUL finds the few that do; only those get the
    // overlapping search that lists every rule. A long string, or any string when a rule
    // string holds a NUL, gets a search of its own.
    let mut string_hits: Vec<usize> = Vec::new();
    if !c.string_rule.is_empty() {
        if c.nul_in_strings || !shared.has_strings {
            // A rule string holds a NUL (or the caller built no joined buffer): every
            // string gets a search of its own.
            for (i, s) in app.strings.iter().enumerate() {
                if c.strings_any.is_match(s.value) {
                    string_hits.push(i);
                }
            }
        } else {
            // Strings left out of the joined buffer (long ones) are searched in place: large
            // texts such as a React Native bundle are not copied.
            for &i in &shared.alone {
                if app
                    .strings
                    .get(i)
                    .is_some_and(|s| c.strings_any.is_match(s.value))
                {
                    string_hits.push(i);
                }
            }
            // Leftmost-first finds at least one match in every string that holds a rule
            // string: a match never spans a NUL (between or inside strings), so it lies in
            // one string and the search resumes before the next one. (Strings holding a NUL
            // used to be searched alone: 2.4 M instructions of `contains` per achat.apk
            // scan for nothing.)
            let starts = &shared.string_starts;
            for m in c.strings_any.find_iter(&shared.strings) {
                let i = starts
                    .partition_point(|&st| st <= m.start())
                    .saturating_sub(1);
                if string_hits.last() != Some(&i) {
                    string_hits.push(i);
                }
            }
        }
        string_hits.sort_unstable();
        string_hits.dedup();
    }
    for s in string_hits.iter().filter_map(|&i| app.strings.get(i)) {
        hit.clear();
        for m in c.strings_ac_for(s.value).find_overlapping_iter(s.value) {
            let Some(&r) = c.string_rule.get(m.pattern().as_usize()) else {
                continue;
            };
            let acc_new = !hit.contains(&r);
            let acc = accs.entry(r).or_default();
            if acc.string_version.is_none() {
                acc.string_version = version_after(s.value, m.end()).map(|v| (v, cut(s.value)));
            }
            if acc_new {
                hit.push(r);
                acc.push(EvidenceKind::String, s.value, s.location);
            }
        }
    }

    for v in app.version_files {
        if let Some(rules) = c.version_files.get(basename(v.name)) {
            for &(r, rank) in rules {
                let acc = accs.entry(r).or_default();
                if acc.version.as_ref().is_none_or(|(k, _, _)| rank < *k) {
                    if let Some(ver) = crate::hosts::sdk_version_from_file(v.content) {
                        acc.version = Some((rank, ver, v.name.to_string()));
                    }
                }
                acc.push(EvidenceKind::VersionFile, v.name, v.name);
            }
        }
    }

    for lib in app.native_libs {
        let base = basename(lib);
        let mut matched: Vec<usize> = c.native_exact.get(base).cloned().unwrap_or_default();
        if !c.native_regex_rule.is_empty() {
            for p in c.native_regex.matches(base).iter() {
                if let Some(&r) = c.native_regex_rule.get(p) {
                    if !matched.contains(&r) {
                        matched.push(r);
                    }
                }
            }
        }
        for r in matched {
            accs.entry(r)
                .or_default()
                .push(EvidenceKind::NativeLib, lib, lib);
        }
    }

    for a in app.assets {
        let path = a.trim_start_matches('/');
        if let Some(entries) = c.assets.get(basename(path)) {
            for (entry, r) in entries {
                let ok = path == entry
                    || path
                        .strip_suffix(entry.as_str())
                        .is_some_and(|p| p.ends_with('/'));
                if ok {
                    accs.entry(*r).or_default().push(EvidenceKind::Asset, a, a);
                }
            }
        }
    }

    accs.into_iter()
        .filter_map(|(rule, acc)| {
            let has_strings = c.has_strings.get(rule).copied().unwrap_or(false);
            finish(rule, acc, has_strings)
        })
        .collect()
}

fn finish(rule: usize, mut acc: Acc, has_strings: bool) -> Option<Detection> {
    let n = |k| acc.counts.get(&k).copied().unwrap_or(0);
    let classes = n(EvidenceKind::Class);
    let manifest = n(EvidenceKind::Manifest);
    let medium = manifest
        .saturating_add(n(EvidenceKind::VersionFile))
        .saturating_add(n(EvidenceKind::NativeLib))
        .saturating_add(n(EvidenceKind::Asset));
    let strings = n(EvidenceKind::String);
    let hosts = n(EvidenceKind::Host);
    // Host evidence alone counts only when a host is owned by this rule alone
    // (`facebook.com` is shared by five Facebook rules and proves none of them), and only
    // for rules without curated strings: a rule that lists its R8-surviving strings needs
    // one of them, since its hosts are often embedded by other SDKs too (Firebase
    // Analytics carries pagead2.googlesyndication.com and www.googleadservices.com).
    let host_ok = hosts > 0 && acc.unambiguous_host && !has_strings;
    let other = classes > 0 || medium > 0 || strings > 0 || host_ok;
    if !other {
        // Nothing but the app's own package (or ambiguous hosts): not this SDK.
        return None;
    }
    let confidence = if classes > 0 {
        Confidence::High
    } else if medium > 0 {
        Confidence::Medium
    } else {
        Confidence::Low
    };
    let mut parts: Vec<String> = acc
        .counts
        .iter()
        .map(|(k, c)| format!("{c} {}", k.as_str()))
        .collect();
    let own_count = acc.own_count;
    if own_count > 0 {
        parts.push(format!(
            "{own_count} in the app's own package (shown only because other evidence agrees)"
        ));
    }
    // Other evidence agrees: the own-package classes are shown too.
    for e in std::mem::take(&mut acc.own) {
        acc.push(e.kind, &e.value, &e.location);
    }
    let lead = match confidence {
        Confidence::High => "SDK classes present",
        Confidence::Medium => {
            "no SDK classes; manifest / version file / native lib / asset evidence"
        }
        Confidence::Low => "only strings / hosts (possibly an R8-renamed SDK)",
    };
    let reason = format!("{lead}: {}", parts.join(", "));
    Some(Detection {
        rule,
        evidence: acc.evidence,
        omitted: acc.omitted,
        sdk_version: acc
            .version
            .as_ref()
            .map(|(_, v, _)| v.clone())
            .or_else(|| acc.string_version.as_ref().map(|(v, _)| v.clone())),
        sdk_version_source: match (&acc.version, &acc.string_version) {
            (Some((_, _, file)), _) => Some(format!("version_file:{file}")),
            (None, Some((_, string))) => Some(format!("string:{string}")),
            (None, None) => None,
        },
        confidence,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: &str, code: &[&str]) -> Rule {
        Rule {
            id: id.into(),
            name: id.into(),
            code: code.iter().map(|s| s.to_string()).collect(),
            ..Rule::default()
        }
    }

    fn set(trackers: Vec<Rule>) -> Matcher {
        Matcher::new(&RuleSet {
            trackers,
            libraries: vec![rule("gson", &["com.google.gson"])],
        })
        .unwrap()
    }

    fn classes<'a>(names: &'a [String]) -> Vec<ClassFact<'a>> {
        names
            .iter()
            .map(|d| ClassFact {
                descriptor: d,
                location: "classes.dex",
            })
            .collect()
    }

    fn desc(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| format!("L{n};")).collect()
    }

    fn ids(m: &Matcher, app: &AppFacts) -> Vec<usize> {
        m.match_trackers(app).iter().map(|d| d.rule).collect()
    }

    #[test]
    fn package_boundaries() {
        let m = set(vec![
            rule("dove", &["com.dv"]),
            rule("fbads", &["com.facebook.ads"]),
            rule("fa", &["com.google.firebase.analytics.FirebaseAnalytics"]),
        ]);
        let check = |name: &str, want: &[usize]| {
            let d = desc(&[name]);
            let c = classes(&d);
            let app = AppFacts {
                classes: &c,
                ..AppFacts::default()
            };
            assert_eq!(ids(&m, &app), want, "{name}");
        };
        check("com/dv/X", &[0]);
        check("com/dvx/X", &[]);
        check("xcom/dv/X", &[]);
        check("shadow/com/dv/X", &[0]);
        check("com/dv", &[0]);
        check("com/facebook/ads/AdView", &[1]);
        check("com/facebook/ads2/AdView", &[]);
        check("com/facebook/adsx", &[]);
        check("com/google/firebase/analytics/FirebaseAnalytics", &[2]);
        check(
            "com/google/firebase/analytics/FirebaseAnalytics$Event",
            &[2],
        );
        check("com/google/firebase/analytics/FirebaseAnalyticsX", &[]);
        // Dotted names are accepted too.
        check("com.dv.Y", &[0]);
    }

    #[test]
    fn class_evidence_is_high_with_location_and_cap() {
        let m = set(vec![rule("af", &["com.appsflyer"])]);
        let names: Vec<String> = (0..20).map(|i| format!("Lcom/appsflyer/C{i};")).collect();
        let c = classes(&names);
        let app = AppFacts {
            classes: &c,
            ..AppFacts::default()
        };
        let d = m.match_trackers(&app);
        assert_eq!(d.len(), 1);
        let d = &d[0];
        assert_eq!(d.confidence, Confidence::High);
        assert_eq!(d.evidence.len(), EVIDENCE_CAP);
        assert_eq!(
            d.omitted.get(&EvidenceKind::Class),
            Some(&(20 - EVIDENCE_CAP))
        );
        assert_eq!(d.evidence[0].value, "com.appsflyer.C0");
        assert_eq!(d.evidence[0].location, "classes.dex");
        assert!(d.reason.contains("20 class"), "{}", d.reason);
        assert!(m.match_libraries(&app).is_empty());
    }

    #[test]
    fn own_package_is_excluded_unless_other_evidence_agrees() {
        let mut dove = rule("dove", &["com.dv"]);
        dove.network = vec!["dv-e.example".into()];
        let m = set(vec![dove, rule("mixpanel", &["com.mixpanel"])]);
        let names = desc(&[
            "com/dv/adm/Main",
            "com/dv/adm/R$string",
            "com/mixpanel/android/hello/Main",
        ]);
        let c = classes(&names);
        let mut app = AppFacts {
            package: Some("com.dv.adm"),
            classes: &c,
            ..AppFacts::default()
        };
        assert_eq!(
            ids(&m, &app),
            [1],
            "DOV-E not taken from the app's own code"
        );
        // The app's package is under the mixpanel prefix, but the SDK package is not the
        // app's package: Mixpanel's own demo app still reports Mixpanel.
        app.package = Some("com.mixpanel.android.hello");
        let names2 = desc(&[
            "com/mixpanel/android/hello/Main",
            "com/mixpanel/android/mpmetrics/MixpanelAPI",
        ]);
        let c2 = classes(&names2);
        app.classes = &c2;
        let d = m.match_trackers(&app);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].rule, 1);
        assert!(d[0].reason.contains("own package"), "{}", d[0].reason);
        // Other evidence agrees: DOV-E reported, own classes shown.
        let hosts = [HostFact {
            host: "api.dv-e.example",
            location: "classes.dex",
        }];
        let app = AppFacts {
            package: Some("com.dv.adm"),
            classes: &c,
            hosts: &hosts,
            ..AppFacts::default()
        };
        let d = m.match_trackers(&app);
        let dove = d.iter().find(|d| d.rule == 0).unwrap();
        assert_eq!(dove.confidence, Confidence::Low);
        assert!(dove.evidence.iter().any(|e| e.value == "com.dv.adm.Main"));
    }

    #[test]
    fn r8_renamed_sdk_by_manifest_strings_hosts() {
        let rules = RuleSet::builtin();
        let m = Matcher::new(&rules).unwrap();
        let idx = |id: &str| rules.trackers.iter().position(|r| r.id == id).unwrap();
        // Obfuscated classes, only strings and hosts left: Low.
        let names = desc(&["a/b/c", "a/b/d"]);
        let c = classes(&names);
        let strings = [StringFact {
            value: "AppsFlyer_6.9.2",
            location: "classes.dex",
        }];
        let hosts = [HostFact {
            host: "launches.appsflyersdk.com",
            location: "classes.dex",
        }];
        let app = AppFacts {
            classes: &c,
            strings: &strings,
            hosts: &hosts,
            ..AppFacts::default()
        };
        let d = m.match_trackers(&app);
        let af = d.iter().find(|d| d.rule == idx("appsflyer")).unwrap();
        assert_eq!(af.confidence, Confidence::Low);
        assert_eq!(af.sdk_version.as_deref(), Some("6.9.2"));
        assert!(af.evidence.iter().any(|e| e.kind == EvidenceKind::Host));
        assert!(af.evidence.iter().any(|e| e.kind == EvidenceKind::String));
        // Manifest + version file + native lib + asset, no classes: Medium.
        let manifest = [
            ManifestFact {
                kind: "meta-data",
                name: "com.crashlytics.android.build_id",
            },
            ManifestFact {
                kind: "meta-data",
                name: "com.facebook.sdk.ApplicationId",
            },
            ManifestFact {
                kind: "meta-data",
                name: "com.mixpanel.android.MPConfig.EnableDebugLogging",
            },
            ManifestFact {
                kind: "receiver",
                name: "io.branch.referral.SomeReceiver",
            },
        ];
        let vf = [VersionFile {
            name: "META-INF/com.google.firebase_firebase-crashlytics.version",
            content: "18.3.7\n",
        }];
        let libs = [
            "lib/arm64-v8a/libcrashlytics.so",
            "lib/arm64-v8a/libother.so",
        ];
        let assets = ["assets/crashlytics-build.properties"];
        let app = AppFacts {
            manifest_names: &manifest,
            version_files: &vf,
            native_libs: &libs,
            assets: &assets,
            ..AppFacts::default()
        };
        let d = m.match_trackers(&app);
        let got: Vec<&str> = d
            .iter()
            .map(|d| rules.trackers[d.rule].id.as_str())
            .collect();
        assert_eq!(got.len(), 4, "{got:?}");
        for id in [
            "google-crashlytics",
            "facebook-analytics",
            "mixpanel",
            "branch",
        ] {
            assert!(got.contains(&id), "{id} in {got:?}");
        }
        assert!(d.iter().all(|d| d.confidence == Confidence::Medium));
        let cr = d
            .iter()
            .find(|d| d.rule == idx("google-crashlytics"))
            .unwrap();
        assert_eq!(cr.sdk_version.as_deref(), Some("18.3.7"));
        let kinds: Vec<EvidenceKind> = cr.evidence.iter().map(|e| e.kind).collect();
        for k in [
            EvidenceKind::Manifest,
            EvidenceKind::VersionFile,
            EvidenceKind::NativeLib,
            EvidenceKind::Asset,
        ] {
            assert!(kinds.contains(&k), "{k:?} in {kinds:?}");
        }
    }

    #[test]
    fn shared_hosts_do_not_detect_alone_and_host_owner() {
        let rules = RuleSet::builtin();
        let m = Matcher::new(&rules).unwrap();
        let hosts = [HostFact {
            host: "graph.facebook.com",
            location: "classes.dex",
        }];
        let app = AppFacts {
            hosts: &hosts,
            ..AppFacts::default()
        };
        assert!(m.match_trackers(&app).is_empty());
        let owner = m.host_owner("graph.facebook.com").unwrap();
        assert!(rules.trackers[owner].id.starts_with("facebook"));
        let af = m.host_owner("T.AppsFlyer.com.").unwrap();
        assert_eq!(rules.trackers[af].id, "appsflyer");
        assert_eq!(m.host_owner("notappsflyer.com"), None);
        assert_eq!(m.host_owner("example.org"), None);
        assert_eq!(m.rules_checked(), rules.trackers.len());
        assert_eq!(m.libraries_checked(), rules.libraries.len());
    }

    #[test]
    fn hosts_are_attributed_only_to_detected_trackers() {
        use HostAttribution as A;
        let rules = RuleSet::builtin();
        let m = Matcher::new(&rules).unwrap();
        let id = |i: usize| rules.trackers[i].id.as_str();
        let idx = |name: &str| rules.trackers.iter().position(|r| r.id == name).unwrap();
        let (login, admob, firebase) = (
            idx("facebook-login"),
            idx("google-admob"),
            idx("google-firebase-analytics"),
        );
        // A platform domain: only a detected tracker takes it, never "SDK not found".
        assert_eq!(m.attribute_host("graph.facebook.com", &[]), A::None);
        assert_eq!(m.attribute_host("facebook.com.", &[firebase]), A::None);
        assert_eq!(
            m.attribute_host("graph.facebook.com", &[firebase, login]),
            A::Tracker(login)
        );
        // A tracker's own domain: its owner when detected, else marked.
        assert_eq!(
            m.attribute_host("pagead2.googlesyndication.com", &[firebase]),
            A::SdkNotFound(admob)
        );
        assert_eq!(
            m.attribute_host("pagead2.googlesyndication.com", &[admob]),
            A::Tracker(admob)
        );
        // A detected owner of a shorter suffix wins over an undetected longer one.
        let dc = idx("google-doubleclick");
        assert_eq!(
            m.attribute_host("googleads.g.doubleclick.net", &[dc]),
            A::Tracker(dc)
        );
        assert!(matches!(
            m.attribute_host("googleads.g.doubleclick.net", &[]),
            A::SdkNotFound(r) if id(r) == "google-admob"
        ));
        // Regex signatures.
        assert_eq!(
            m.attribute_host("adservice.google.de", &[admob]),
            A::Tracker(admob)
        );
        assert_eq!(
            m.attribute_host("adservice.google.de", &[]),
            A::SdkNotFound(admob)
        );
        assert_eq!(m.attribute_host("example.org", &[login]), A::None);
        // A platform domain owned by one rule alone still does not detect it.
        let mut r = rule("plat", &[]);
        r.network = vec!["googleapis.com".into()];
        let mut own = rule("own", &[]);
        own.network = vec!["own-tracker.example".into()];
        let m = set(vec![r, own]);
        let hosts = [
            HostFact {
                host: "www.googleapis.com",
                location: "classes.dex",
            },
            HostFact {
                host: "api.own-tracker.example",
                location: "classes.dex",
            },
        ];
        let app = AppFacts {
            hosts: &hosts,
            ..AppFacts::default()
        };
        assert_eq!(ids(&m, &app), vec![1]);
        assert!(is_platform_domain("facebook.com") && !is_platform_domain("app-measurement.com"));
    }

    #[test]
    fn regex_rules_and_libraries() {
        let mut r = rule("rx", &[]);
        r.code_regex = vec!["com/ex[0-9]+/sdk".into()];
        r.network_regex = vec!["tracker[0-9]\\.example".into()];
        r.native_libs = vec!["libex[0-9]+\\.so".into()];
        let m = set(vec![r]);
        let names = desc(&["com/ex42/sdk/A", "com/google/gson/Gson"]);
        let c = classes(&names);
        let libs = ["lib/x86/libex7.so"];
        let app = AppFacts {
            classes: &c,
            native_libs: &libs,
            ..AppFacts::default()
        };
        let d = m.match_trackers(&app);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].evidence.len(), 2);
        let l = m.match_libraries(&app);
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].evidence[0].value, "com.google.gson.Gson");
        assert_eq!(m.host_owner("a.tracker7.example"), Some(0));
        let bad = RuleSet {
            trackers: vec![Rule {
                code_regex: vec!["(".into()],
                ..rule("bad", &[])
            }],
            libraries: vec![],
        };
        let e = Matcher::new(&bad).unwrap_err();
        assert!(e.to_string().starts_with("rule `bad`: regex `(`"), "{e}");
    }

    #[test]
    fn builtin_detects_the_ring_trackers_by_class() {
        let rules = RuleSet::builtin();
        let m = Matcher::new(&rules).unwrap();
        let cases = [
            ("com/appsflyer/AppsFlyerLib", "appsflyer"),
            ("io/branch/referral/Branch", "branch"),
            ("com/mixpanel/android/mpmetrics/MixpanelAPI", "mixpanel"),
            (
                "com/facebook/appevents/AppEventsLogger",
                "facebook-analytics",
            ),
            ("com/facebook/login/LoginManager", "facebook-login"),
            ("com/facebook/share/widget/ShareDialog", "facebook-share"),
            ("com/facebook/ads/AdView", "facebook-ads"),
            (
                "com/google/firebase/crashlytics/FirebaseCrashlytics",
                "google-crashlytics",
            ),
            ("com/crashlytics/android/Crashlytics", "google-crashlytics"),
            (
                "com/google/android/gms/measurement/AppMeasurement",
                "google-firebase-analytics",
            ),
            ("com/google/android/gms/ads/AdView", "google-admob"),
            (
                "com/google/android/gms/analytics/Tracker",
                "google-analytics",
            ),
            ("com/onesignal/OneSignal", "onesignal"),
        ];
        for (class, id) in cases {
            let d = desc(&[class]);
            let c = classes(&d);
            let app = AppFacts {
                classes: &c,
                ..AppFacts::default()
            };
            let got: Vec<&str> = m
                .match_trackers(&app)
                .iter()
                .map(|d| rules.trackers[d.rule].id.as_str())
                .collect();
            assert_eq!(got, [id], "{class}");
        }
    }

    /// Naive reference: for every rule and every code prefix, one regex applied with
    /// `is_match` (εxodus' `re.search`, unanchored) to every class, with the package
    /// boundaries our rules promise.
    fn naive_regexes(rules: &[Rule]) -> Vec<Vec<regex::Regex>> {
        rules
            .iter()
            .map(|r| {
                r.code
                    .iter()
                    .map(|p| {
                        regex::Regex::new(&format!(
                            "(?:^|/){}(?:$|[/$])",
                            regex::escape(&p.replace('.', "/"))
                        ))
                        .unwrap()
                    })
                    .collect()
            })
            .collect()
    }

    fn naive(res: &[Vec<regex::Regex>], names: &[String]) -> Vec<usize> {
        let mut out = Vec::new();
        for (i, rule_res) in res.iter().enumerate() {
            if names
                .iter()
                .any(|n| rule_res.iter().any(|re| re.is_match(n)))
            {
                out.push(i);
            }
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn automaton_equals_naive_regex_loop(
            picks in proptest::collection::vec(
                (0usize..1000, 0usize..6, proptest::collection::vec(0usize..12, 0..4), proptest::bool::ANY),
                0..40,
            )
        ) {
            type Fixture = (RuleSet, Matcher, Vec<Vec<regex::Regex>>);
            static RULES: std::sync::OnceLock<Fixture> = std::sync::OnceLock::new();
            let (rules, m, res) = RULES.get_or_init(|| {
                let r = RuleSet { trackers: RuleSet::builtin().trackers, libraries: Vec::new() };
                let m = Matcher::new(&r).unwrap();
                let res = naive_regexes(&r.trackers);
                (r, m, res)
            });
            let noise = ["a", "b", "sdk", "internal", "x1", "com", "google", "android", "ads2", "Foo", "dvx", "io"];
            let prefixes: Vec<&String> = rules.trackers.iter().flat_map(|r| r.code.iter()).collect();
            let names: Vec<String> = picks
                .iter()
                .map(|(p, cut, tail, inner)| {
                    let base = prefixes[p % prefixes.len()].replace('.', "/");
                    // Sometimes truncate or extend the last segment to test boundaries.
                    let mut s = match cut {
                        0 => format!("{base}x"),
                        1 => base.get(..base.len().saturating_sub(1)).unwrap_or("").to_string(),
                        2 => format!("shadow/{base}"),
                        _ => base,
                    };
                    for t in tail {
                        s.push('/');
                        s.push_str(noise[t % noise.len()]);
                    }
                    if *inner {
                        s.push_str("$1");
                    }
                    s
                })
                .collect();
            let descs: Vec<String> = names.iter().map(|n| format!("L{n};")).collect();
            let c = classes(&descs);
            let app = AppFacts { classes: &c, ..AppFacts::default() };
            let got = ids(m, &app);
            proptest::prop_assert_eq!(got, naive(res, &names));
        }
    }

    /// Facts drawn from the rules themselves (so that most kinds match) mixed with noise,
    /// for the differential tests.
    struct Drawn {
        names: Vec<String>,
        strings: Vec<String>,
        hosts: Vec<String>,
        manifest: Vec<String>,
    }

    fn draw(rules: &RuleSet, picks: &[(usize, usize, usize)]) -> Drawn {
        let all: Vec<&Rule> = rules.trackers.iter().chain(&rules.libraries).collect();
        let noise = ["a", "sdk", "x1", "com", "Foo$1", "dvx", "\0", "é"];
        let mut d = Drawn {
            names: Vec::new(),
            strings: Vec::new(),
            hosts: Vec::new(),
            manifest: Vec::new(),
        };
        for &(r, k, n) in picks {
            let Some(rule) = all.get(r % all.len().max(1)) else {
                continue;
            };
            let pick = |v: &[String]| v.get(k % v.len().max(1)).cloned().unwrap_or_default();
            let tail = noise[n % noise.len()];
            let code = pick(&rule.code).replace('.', "/");
            d.names.push(match n % 4 {
                0 => format!("L{code}/{tail};"),
                1 => format!("Lshadow/{code}{tail};"),
                2 => format!("L{code}$Inner;"),
                _ => pick(&rule.code),
            });
            let s = pick(&rule.strings);
            d.strings.push(match n % 4 {
                0 => format!("{tail}{s}1.2.3"),
                1 => format!("{s}{}", "y".repeat(JOIN_MAX_LEN)),
                2 => format!("{s}\0{tail}"),
                _ => s,
            });
            d.hosts.push(format!("{tail}.{}", pick(&rule.network)));
            d.manifest.push(pick(&rule.manifest).replace('*', tail));
        }
        d
    }

    fn assert_match_all_agrees(m: &Matcher, d: &Drawn, package: Option<&str>) {
        let classes = classes(&d.names);
        let strings: Vec<StringFact> = d
            .strings
            .iter()
            .map(|s| StringFact {
                value: s,
                location: "classes.dex",
            })
            .collect();
        let hosts: Vec<HostFact> = d
            .hosts
            .iter()
            .map(|h| HostFact {
                host: h,
                location: "classes.dex",
            })
            .collect();
        let manifest: Vec<ManifestFact> = d
            .manifest
            .iter()
            .map(|n| ManifestFact {
                kind: "receiver",
                name: n,
            })
            .collect();
        let app = AppFacts {
            package,
            classes: &classes,
            manifest_names: &manifest,
            strings: &strings,
            hosts: &hosts,
            ..AppFacts::default()
        };
        let all = m.match_all(&app);
        assert_eq!(all.0, m.match_trackers(&app));
        assert_eq!(all.1, m.match_libraries(&app));
    }

    #[test]
    fn strings_holding_nul_are_found_in_the_joined_buffer() {
        let mut t = rule("t", &[]);
        t.strings = vec!["abc".into()];
        let m = set(vec![t]);
        let s: Vec<StringFact> = [("x\0abc", "A"), ("zz\0", "B"), ("abc\0", "C"), ("q", "D")]
            .iter()
            .map(|&(value, location)| StringFact { value, location })
            .collect();
        let app = AppFacts {
            strings: &s,
            ..AppFacts::default()
        };
        let d = m.match_trackers(&app);
        assert_eq!(d.len(), 1);
        let locs: Vec<&str> = d[0].evidence.iter().map(|e| e.location.as_str()).collect();
        assert_eq!(locs, ["A", "C"]);
    }

    #[test]
    fn match_all_with_a_nul_rule_string_in_one_list() {
        let mut t = rule("t", &["com.t"]);
        t.strings = vec!["tt\0x".into(), "tracker-".into()];
        let mut l = rule("l", &["com.l"]);
        l.strings = vec!["lib-".into()];
        let rules = RuleSet {
            trackers: vec![t],
            libraries: vec![l],
        };
        let m = Matcher::new(&rules).unwrap();
        let d = draw(
            &rules,
            &[(0, 0, 0), (0, 1, 1), (1, 0, 2), (1, 0, 3), (0, 0, 6)],
        );
        assert_match_all_agrees(&m, &d, Some("com.t"));
        let (t, l) = {
            let c = classes(&d.names);
            let s: Vec<StringFact> = ["xx tt\0x", "lib-9.1", "tracker-"]
                .iter()
                .map(|v| StringFact {
                    value: v,
                    location: "classes.dex",
                })
                .collect();
            m.match_all(&AppFacts {
                classes: &c,
                strings: &s,
                ..AppFacts::default()
            })
        };
        assert_eq!(t.len(), 1);
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].sdk_version.as_deref(), Some("9.1"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]
        /// The lazily built DFA used for long hit strings reports exactly the NFA's
        /// overlapping matches (pattern, start, end, in order).
        #[test]
        fn string_dfa_equals_nfa(
            parts in proptest::collection::vec((0usize..64, 0usize..4), 0..30),
        ) {
            static C: std::sync::OnceLock<Compiled> = std::sync::OnceLock::new();
            let c = C.get_or_init(|| Compiled::new(&RuleSet::builtin().trackers).unwrap());
            let noise = ["", "x", "1.2.3", "/"];
            let mut text = String::new();
            for &(p, n) in &parts {
                text.push_str(c.string_pats.get(p % c.string_pats.len().max(1)).map_or("", String::as_str));
                text.push_str(noise[n % noise.len()]);
            }
            let d = dfa(&c.string_pats).unwrap();
            let all = |ac: &AhoCorasick| -> Vec<(usize, usize, usize)> {
                ac.find_overlapping_iter(&text)
                    .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
                    .collect()
            };
            proptest::prop_assert_eq!(all(&d), all(&c.strings_ac));
            let long = format!("{text}{}", " ".repeat(JOIN_MAX_LEN + 1));
            proptest::prop_assert!(std::ptr::eq(c.strings_ac_for(&text), &c.strings_ac));
            proptest::prop_assert!(!std::ptr::eq(c.strings_ac_for(&long), &c.strings_ac));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]
        /// `match_all` returns exactly what the two single-list calls return.
        #[test]
        fn match_all_equals_separate_calls(
            picks in proptest::collection::vec((0usize..2000, 0usize..8, 0usize..64), 0..40),
            own in proptest::bool::ANY,
        ) {
            static M: std::sync::OnceLock<(RuleSet, Matcher)> = std::sync::OnceLock::new();
            let (rules, m) = M.get_or_init(|| {
                let r = RuleSet::builtin();
                let m = Matcher::new(&r).unwrap();
                (r, m)
            });
            let d = draw(rules, &picks);
            // The app's own package taken from a drawn class, to exercise the exclusion.
            let pkg = d
                .names
                .first()
                .filter(|_| own)
                .map(|n| n.trim_start_matches('L').trim_end_matches(';').replace('/', "."));
            assert_match_all_agrees(m, &d, pkg.as_deref());
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]
        /// Arbitrary facts never panic the matcher, evidence stays capped, and every
        /// detection has a reason and at least one piece of evidence.
        #[test]
        fn arbitrary_facts_never_panic(
            texts in proptest::collection::vec("\\PC{0,40}", 0..24),
            pkg in proptest::option::of("[a-z]{1,3}(\\.[a-z]{1,3}){0,3}"),
        ) {
            static M: std::sync::OnceLock<Matcher> = std::sync::OnceLock::new();
            let m = M.get_or_init(|| Matcher::new(&RuleSet::builtin()).unwrap());
            let classes: Vec<ClassFact> = texts.iter().map(|t| ClassFact { descriptor: t, location: t }).collect();
            let manifest: Vec<ManifestFact> = texts.iter().map(|t| ManifestFact { kind: "receiver", name: t }).collect();
            let strings: Vec<StringFact> = texts.iter().map(|t| StringFact { value: t, location: t }).collect();
            let hosts: Vec<HostFact> = texts.iter().map(|t| HostFact { host: t, location: t }).collect();
            let vfs: Vec<VersionFile> = texts.iter().map(|t| VersionFile { name: t, content: t }).collect();
            let paths: Vec<&str> = texts.iter().map(String::as_str).collect();
            let app = AppFacts {
                package: pkg.as_deref(),
                classes: &classes,
                manifest_names: &manifest,
                strings: &strings,
                hosts: &hosts,
                version_files: &vfs,
                native_libs: &paths,
                assets: &paths,
            };
            for d in m.match_trackers(&app).into_iter().chain(m.match_libraries(&app)) {
                proptest::prop_assert!(!d.evidence.is_empty());
                proptest::prop_assert!(!d.reason.is_empty());
                for k in [EvidenceKind::Class, EvidenceKind::Manifest, EvidenceKind::Host, EvidenceKind::String] {
                    let n = d.evidence.iter().filter(|e| e.kind == k).count();
                    proptest::prop_assert!(n <= EVIDENCE_CAP);
                }
            }
            for t in &texts {
                let _ = m.host_owner(t);
            }
        }
    }
}
