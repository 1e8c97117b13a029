//! The rule model, the TOML rule files in `signatures/`, and their checks.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::Path;

/// One tracker or library rule: what identifies an SDK in an app.
///
/// All list fields may be empty; a rule needs at least one of `code`, `code_regex`,
/// `network`, `network_regex`, `manifest`, `version_files`, `native_libs`, `assets` or
/// `strings` to be matchable (see [`RuleSet::check`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rule {
    /// Stable slug, unique in the rule set (`appsflyer`, `facebook-login`).
    pub id: String,
    /// εxodus tracker id, when the rule comes from the εxodus database.
    pub exodus_id: Option<u32>,
    /// Human-readable name (`AppsFlyer`).
    pub name: String,
    /// Categories (εxodus: Advertisement, Analytics, …; libraries: LibRadar/LibScout type).
    pub categories: Vec<String>,
    /// Vendor website.
    pub website: Option<String>,
    /// Class / package prefixes in dotted form (`com.appsflyer`), matched at package
    /// boundaries: `com.dv` matches `com.dv.X` and `a.com.dv.X` but never `com.dvx.X`.
    pub code: Vec<String>,
    /// Regexes over slash-separated class names (`com/foo/Bar$1`), unanchored, for the
    /// rare εxodus signatures that really are regexes.
    pub code_regex: Vec<String>,
    /// Host suffixes matched at label boundaries (`appsflyer.com` matches
    /// `t.appsflyer.com`, not `notappsflyer.com`).
    pub network: Vec<String>,
    /// Host regexes, unanchored (εxodus semantics) for signatures that are not plain hosts.
    pub network_regex: Vec<String>,
    /// Manifest names: components, providers, meta-data, permissions. Exact match, or a
    /// prefix match when the entry ends with `*` (`com.mixpanel.android.MPConfig.*`).
    pub manifest: Vec<String>,
    /// Gradle `META-INF/*.version` file names (base name only).
    pub version_files: Vec<String>,
    /// Native library file names (`libcrashlytics.so`), or anchored regexes over the base
    /// name when the entry contains a regex metacharacter other than `.`.
    pub native_libs: Vec<String>,
    /// Asset paths or base names (`crashlytics-build.properties`).
    pub assets: Vec<String>,
    /// Distinctive substrings that survive R8 (endpoint URLs, version prefixes).
    pub strings: Vec<String>,
    /// SDK APIs that read identifiers or personal data (documentation for reviewers and
    /// the report; `Class.method` form).
    pub data_apis: Vec<String>,
    /// Where the SDK keeps its version constant (`com.appsflyer.BuildConfig.VERSION_NAME`).
    pub version_class: Option<String>,
    /// Why a rule was narrowed or extended.
    pub note: Option<String>,
    /// The εxodus `code`/`network` entries were narrowed by hand: a re-import
    /// ([`crate::import::update_from_exodus`]) keeps this rule's lists instead of
    /// re-adding εxodus' (explain why in `note`).
    pub narrowed: bool,
}

impl Rule {
    /// True when the rule has no matchable signature at all.
    pub fn is_empty(&self) -> bool {
        self.code.is_empty()
            && self.code_regex.is_empty()
            && self.network.is_empty()
            && self.network_regex.is_empty()
            && self.manifest.is_empty()
            && self.version_files.is_empty()
            && self.native_libs.is_empty()
            && self.assets.is_empty()
            && self.strings.is_empty()
    }
}

/// The complete rule set: trackers (reported as such) and non-tracker libraries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleSet {
    /// Tracker rules, in file order; [`crate::Detection::rule`] indexes this list for
    /// [`crate::Matcher::match_trackers`].
    pub trackers: Vec<Rule>,
    /// Library rules; indexed by [`crate::Matcher::match_libraries`] detections.
    pub libraries: Vec<Rule>,
}

/// File name of the tracker rules inside a signatures directory.
pub const TRACKERS_FILE: &str = "trackers.toml";
/// File name of the library rules inside a signatures directory.
pub const LIBRARIES_FILE: &str = "libraries.toml";

const BUILTIN_TRACKERS: &str = include_str!("../../../signatures/trackers.toml");
const BUILTIN_LIBRARIES: &str = include_str!("../../../signatures/libraries.toml");

/// A problem loading or compiling rules. `file` is the name the caller gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleError {
    /// The file could not be read.
    Io {
        /// Path of the file.
        file: String,
        /// OS error text.
        message: String,
    },
    /// The file is not valid TOML.
    Syntax {
        /// File name.
        file: String,
        /// 1-based line of the error.
        line: usize,
        /// Parser message.
        message: String,
    },
    /// A rule entry has a missing or ill-typed field.
    Field {
        /// File name.
        file: String,
        /// 1-based line of the rule's `[[tracker]]`/`[[library]]` header.
        line: usize,
        /// The rule id, when known.
        rule: String,
        /// Field name.
        field: String,
        /// What was wrong.
        problem: &'static str,
    },
    /// A regex in a rule does not compile.
    Regex {
        /// The rule id.
        rule: String,
        /// The offending pattern.
        pattern: String,
        /// Regex engine message (first line).
        message: String,
    },
    /// A pattern automaton could not be built (too many/large patterns).
    Automaton {
        /// Which automaton.
        what: &'static str,
        /// Builder message.
        message: String,
    },
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleError::Io { file, message } => write!(f, "{file}: cannot read: {message}"),
            RuleError::Syntax {
                file,
                line,
                message,
            } => write!(f, "{file}:{line}: invalid TOML: {message}"),
            RuleError::Field {
                file,
                line,
                rule,
                field,
                problem,
            } => write!(
                f,
                "{file}:{line}: rule `{rule}`: field `{field}`: {problem}"
            ),
            RuleError::Regex {
                rule,
                pattern,
                message,
            } => write!(
                f,
                "rule `{rule}`: regex `{pattern}` does not compile: {message}"
            ),
            RuleError::Automaton { what, message } => {
                write!(f, "cannot build the {what} automaton: {message}")
            }
        }
    }
}

impl std::error::Error for RuleError {}

impl RuleSet {
    /// The rule set shipped inside the binary (the files of `signatures/` at build time).
    ///
    /// # Panics
    /// Never in practice: the embedded files are constant and the unit test
    /// `builtin_parses_and_checks_clean` parses them on every test run.
    pub fn builtin() -> RuleSet {
        let parsed = parse_rules(BUILTIN_TRACKERS, TRACKERS_FILE, "tracker").and_then(|trackers| {
            parse_rules(BUILTIN_LIBRARIES, LIBRARIES_FILE, "library").map(|libraries| RuleSet {
                trackers,
                libraries,
            })
        });
        match parsed {
            Ok(set) => set,
            Err(e) => panic!("built-in signatures are invalid: {e}"),
        }
    }

    /// Loads `trackers.toml` and (if present) `libraries.toml` from a directory.
    /// Errors name `file:line`.
    pub fn load_dir(path: &Path) -> Result<RuleSet, RuleError> {
        let read = |name: &str| -> Result<Option<(String, String)>, RuleError> {
            let p = path.join(name);
            match std::fs::read_to_string(&p) {
                Ok(s) => Ok(Some((s, p.display().to_string()))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && name == LIBRARIES_FILE => {
                    Ok(None)
                }
                Err(e) => Err(RuleError::Io {
                    file: p.display().to_string(),
                    message: e.to_string(),
                }),
            }
        };
        let mut set = RuleSet::default();
        if let Some((text, file)) = read(TRACKERS_FILE)? {
            set.trackers = parse_rules(&text, &file, "tracker")?;
        }
        if let Some((text, file)) = read(LIBRARIES_FILE)? {
            set.libraries = parse_rules(&text, &file, "library")?;
        }
        Ok(set)
    }

    /// Lists problems: regexes that do not compile, duplicate ids, duplicate code
    /// prefixes (within trackers, within libraries, and library prefixes equal to a
    /// tracker prefix), empty rules, malformed prefixes. Empty means the set is clean.
    pub fn check(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut ids = HashSet::new();
        for (kind, rules) in [("tracker", &self.trackers), ("library", &self.libraries)] {
            let mut prefixes: BTreeMap<&str, &str> = BTreeMap::new();
            for r in rules {
                if r.id.is_empty() {
                    problems.push(format!("{kind} `{}`: empty id", r.name));
                }
                if !ids.insert(r.id.as_str()) {
                    problems.push(format!("{kind} `{}`: duplicate id", r.id));
                }
                if r.is_empty() {
                    problems.push(format!("{kind} `{}`: rule has no signature", r.id));
                }
                for p in &r.code {
                    if !valid_prefix(p) {
                        problems.push(format!("{kind} `{}`: malformed code prefix `{p}`", r.id));
                    }
                    if let Some(other) = prefixes.insert(p.as_str(), r.id.as_str()) {
                        problems.push(format!(
                            "{kind} `{}`: code prefix `{p}` also in `{other}`",
                            r.id
                        ));
                    }
                }
                for p in &r.network {
                    if crate::hosts::normalize_host(p).as_deref() != Some(p.as_str()) {
                        problems.push(format!("{kind} `{}`: malformed host suffix `{p}`", r.id));
                    }
                }
                let regexes = r
                    .code_regex
                    .iter()
                    .chain(&r.network_regex)
                    .map(|s| s.to_string())
                    .chain(
                        r.native_libs
                            .iter()
                            .filter(|s| is_regex(s))
                            .map(|s| anchored(s)),
                    );
                for pat in regexes {
                    if let Err(e) = regex::Regex::new(&pat) {
                        let msg = e.to_string();
                        problems.push(format!(
                            "{kind} `{}`: regex `{pat}` does not compile: {}",
                            r.id,
                            msg.lines().last().unwrap_or("")
                        ));
                    }
                }
            }
        }
        let tracker_prefixes: HashSet<&str> = self
            .trackers
            .iter()
            .flat_map(|r| r.code.iter().map(String::as_str))
            .collect();
        for r in &self.libraries {
            for p in &r.code {
                if tracker_prefixes.contains(p.as_str()) {
                    problems.push(format!(
                        "library `{}`: code prefix `{p}` is already a tracker prefix",
                        r.id
                    ));
                }
            }
        }
        problems
    }
}

/// A dotted class/package prefix: non-empty segments of Java identifier characters.
pub(crate) fn valid_prefix(p: &str) -> bool {
    !p.is_empty()
        && p.split('.').all(|seg| {
            !seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '-')
        })
}

/// True when a `native_libs` entry is a regex rather than a plain file name.
pub(crate) fn is_regex(s: &str) -> bool {
    s.contains([
        '^', '$', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '\\',
    ])
}

/// Wraps a regex so it must match the whole text.
pub(crate) fn anchored(s: &str) -> String {
    format!("^(?:{s})$")
}

/// Line (1-based) of each `[[header]]` occurrence in a TOML text.
fn header_lines(text: &str, header: &str) -> Vec<usize> {
    let want = format!("[[{header}]]");
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with(&want))
        .map(|(i, _)| i.saturating_add(1))
        .collect()
}

fn line_of_offset(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .iter()
        .take(offset)
        .filter(|&&b| b == b'\n')
        .count()
        .saturating_add(1)
}

/// Parses one rule file: an array of tables named `header` (`tracker` or `library`).
pub fn parse_rules(text: &str, file: &str, header: &str) -> Result<Vec<Rule>, RuleError> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| RuleError::Syntax {
            file: file.to_string(),
            line: e.span().map(|s| line_of_offset(text, s.start)).unwrap_or(0),
            message: e.message().to_string(),
        })?;
    let lines = header_lines(text, header);
    let mut out = Vec::new();
    for (key, value) in &table {
        if key != header {
            return Err(RuleError::Field {
                file: file.to_string(),
                line: 1,
                rule: String::new(),
                field: key.clone(),
                problem: "unknown top-level key (expected only rule tables)",
            });
        }
        let Some(arr) = value.as_array() else {
            return Err(RuleError::Field {
                file: file.to_string(),
                line: 1,
                rule: String::new(),
                field: key.clone(),
                problem: "must be an array of tables ([[...]])",
            });
        };
        for (i, v) in arr.iter().enumerate() {
            let line = lines.get(i).copied().unwrap_or(0);
            out.push(rule_from_table(v, file, line)?);
        }
    }
    Ok(out)
}

fn rule_from_table(v: &toml::Value, file: &str, line: usize) -> Result<Rule, RuleError> {
    let err = |rule: &str, field: &str, problem: &'static str| RuleError::Field {
        file: file.to_string(),
        line,
        rule: rule.to_string(),
        field: field.to_string(),
        problem,
    };
    let Some(t) = v.as_table() else {
        return Err(err("", "", "rule must be a table"));
    };
    let id = match t.get("id") {
        Some(toml::Value::String(s)) => s.clone(),
        Some(_) => return Err(err("", "id", "must be a string")),
        None => return Err(err("", "id", "missing")),
    };
    let mut r = Rule {
        id,
        ..Rule::default()
    };
    for (k, val) in t {
        let s = |val: &toml::Value| -> Result<String, RuleError> {
            val.as_str()
                .map(str::to_string)
                .ok_or_else(|| err(&r.id, k, "must be a string"))
        };
        let list = |val: &toml::Value| -> Result<Vec<String>, RuleError> {
            let a = val
                .as_array()
                .ok_or_else(|| err(&r.id, k, "must be an array of strings"))?;
            a.iter()
                .map(|x| {
                    x.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| err(&r.id, k, "must be an array of strings"))
                })
                .collect()
        };
        match k.as_str() {
            "id" => {}
            "exodus_id" => {
                let n = val
                    .as_integer()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| err(&r.id, k, "must be a non-negative integer"))?;
                r.exodus_id = Some(n);
            }
            "name" => r.name = s(val)?,
            "website" => r.website = Some(s(val)?),
            "version_class" => r.version_class = Some(s(val)?),
            "note" => r.note = Some(s(val)?),
            "narrowed" => {
                r.narrowed = val
                    .as_bool()
                    .ok_or_else(|| err(&r.id, k, "must be true or false"))?;
            }
            "categories" => r.categories = list(val)?,
            "code" => r.code = list(val)?,
            "code_regex" => r.code_regex = list(val)?,
            "network" => r.network = list(val)?,
            "network_regex" => r.network_regex = list(val)?,
            "manifest" => r.manifest = list(val)?,
            "version_files" => r.version_files = list(val)?,
            "native_libs" => r.native_libs = list(val)?,
            "assets" => r.assets = list(val)?,
            "strings" => r.strings = list(val)?,
            "data_apis" => r.data_apis = list(val)?,
            _ => return Err(err(&r.id, k, "unknown field")),
        }
    }
    if r.name.is_empty() {
        return Err(err(&r.id, "name", "missing"));
    }
    Ok(r)
}

/// Quotes a string as a TOML basic string.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len().saturating_add(2));
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes rules as a rule file (`header` = `tracker` or `library`): one table per rule,
/// fields in a fixed order, one list item per line when a list has several items, so
/// diffs stay small. [`parse_rules`] reads it back unchanged.
pub fn to_toml(rules: &[Rule], header: &str, preamble: &str) -> String {
    let mut out = String::new();
    for l in preamble.lines() {
        out.push_str("# ");
        out.push_str(l);
        out.push('\n');
    }
    for r in rules {
        out.push_str(&format!("\n[[{header}]]\nid = {}\n", quote(&r.id)));
        if let Some(n) = r.exodus_id {
            out.push_str(&format!("exodus_id = {n}\n"));
        }
        out.push_str(&format!("name = {}\n", quote(&r.name)));
        let lists: [(&str, &Vec<String>); 11] = [
            ("categories", &r.categories),
            ("code", &r.code),
            ("code_regex", &r.code_regex),
            ("network", &r.network),
            ("network_regex", &r.network_regex),
            ("manifest", &r.manifest),
            ("version_files", &r.version_files),
            ("native_libs", &r.native_libs),
            ("assets", &r.assets),
            ("strings", &r.strings),
            ("data_apis", &r.data_apis),
        ];
        if let Some(w) = &r.website {
            out.push_str(&format!("website = {}\n", quote(w)));
        }
        for (name, items) in lists {
            if items.is_empty() && name != "categories" {
                continue;
            }
            if items.len() <= 1 {
                let inner: Vec<String> = items.iter().map(|s| quote(s)).collect();
                out.push_str(&format!("{name} = [{}]\n", inner.join(", ")));
            } else {
                out.push_str(&format!("{name} = [\n"));
                for s in items {
                    out.push_str(&format!("  {},\n", quote(s)));
                }
                out.push_str("]\n");
            }
        }
        if let Some(v) = &r.version_class {
            out.push_str(&format!("version_class = {}\n", quote(v)));
        }
        if r.narrowed {
            out.push_str("narrowed = true\n");
        }
        if let Some(n) = &r.note {
            out.push_str(&format!("note = {}\n", quote(n)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parses_and_checks_clean() {
        let set = RuleSet::builtin();
        assert!(set.trackers.len() >= 432, "{}", set.trackers.len());
        assert!(!set.libraries.is_empty());
        let problems = set.check();
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn round_trip_through_toml() {
        let r = Rule {
            id: "x".into(),
            exodus_id: Some(7),
            name: "X \"quoted\" \\ name".into(),
            categories: vec!["Analytics".into()],
            website: Some("https://x.example".into()),
            code: vec!["com.x".into(), "org.x.sdk".into()],
            code_regex: vec!["com/x/[a-z]+/Y".into()],
            network: vec!["x.example".into()],
            manifest: vec!["com.x.Key".into()],
            note: Some("line1\nline2".into()),
            narrowed: true,
            ..Rule::default()
        };
        let text = to_toml(std::slice::from_ref(&r), "tracker", "pre\namble");
        let back = parse_rules(&text, "t.toml", "tracker").unwrap();
        assert_eq!(back, vec![r]);
    }

    #[test]
    fn errors_name_file_and_line() {
        let text = "# c\n[[tracker]]\nid = \"a\"\nname = \"A\"\n\n[[tracker]]\nid = \"b\"\nname = \"B\"\ncode = \"com.b\"\n";
        let e = parse_rules(text, "t.toml", "tracker").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.toml:6: rule `b`: field `code`: must be an array of strings"
        );
        let e = parse_rules("[[tracker]]\nid = \n", "t.toml", "tracker").unwrap_err();
        assert!(e.to_string().starts_with("t.toml:2: invalid TOML"), "{e}");
        let e = parse_rules(
            "[[tracker]]\nid = \"a\"\nname=\"A\"\nbogus = 1\n",
            "f",
            "tracker",
        )
        .unwrap_err();
        assert!(e.to_string().contains("unknown field"), "{e}");
    }

    #[test]
    fn load_dir_reads_files_and_names_errors() {
        let dir = std::env::temp_dir().join(format!("trackscan-sig-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(TRACKERS_FILE),
            "[[tracker]]\nid = \"a\"\nname = \"A\"\ncode = [\"com.a\"]\n",
        )
        .unwrap();
        let set = RuleSet::load_dir(&dir).unwrap();
        assert_eq!(set.trackers.len(), 1);
        assert!(set.libraries.is_empty(), "libraries.toml is optional");
        std::fs::write(
            dir.join(LIBRARIES_FILE),
            "# libs\n\n[[library]]\nid = \"l\"\nname = 3\n",
        )
        .unwrap();
        let e = RuleSet::load_dir(&dir).unwrap_err().to_string();
        assert!(
            e.ends_with("libraries.toml:3: rule `l`: field `name`: must be a string"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
        let e = RuleSet::load_dir(&dir).unwrap_err().to_string();
        assert!(e.contains("trackers.toml: cannot read"), "{e}");
    }

    #[test]
    fn check_reports_problems() {
        let set = RuleSet {
            trackers: vec![
                Rule {
                    id: "a".into(),
                    name: "A".into(),
                    code: vec!["com.a".into()],
                    code_regex: vec!["(".into()],
                    ..Rule::default()
                },
                Rule {
                    id: "a".into(),
                    name: "A2".into(),
                    code: vec!["com.a".into()],
                    ..Rule::default()
                },
                Rule {
                    id: "e".into(),
                    name: "Empty".into(),
                    ..Rule::default()
                },
            ],
            libraries: vec![Rule {
                id: "l".into(),
                name: "L".into(),
                code: vec!["com.a".into(), "bad..prefix".into()],
                ..Rule::default()
            }],
        };
        let p = set.check().join("\n");
        assert!(p.contains("`a`: duplicate id"), "{p}");
        assert!(p.contains("does not compile"), "{p}");
        assert!(p.contains("also in `a`"), "{p}");
        assert!(p.contains("`e`: rule has no signature"), "{p}");
        assert!(p.contains("already a tracker prefix"), "{p}");
        assert!(p.contains("malformed code prefix `bad..prefix`"), "{p}");
    }

    proptest::proptest! {
        /// Arbitrary text never panics the rule parser.
        #[test]
        fn parse_never_panics(text in "(\\[\\[tracker\\]\\]\n|id = \"a\"\n|name = \"A\"\n|code = \\[\"x\"\\]\n|\\PC{0,20}\n){0,12}") {
            let _ = parse_rules(&text, "f.toml", "tracker");
        }
    }
}
