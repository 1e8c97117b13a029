//! The rule model, the TOML rule files in `signatures/`, and their checks.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use crate::blob;
pub use crate::rule_toml::{parse_rules, Rule, RuleError, VERSION_FORMATS};

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
/// `signatures/trackers.toml` parsed by `build.rs` (see `crate::blob`).
const BUILTIN_TRACKERS_BIN: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/trackers.bin"));
/// `signatures/libraries.toml` parsed by `build.rs`.
const BUILTIN_LIBRARIES_BIN: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/libraries.bin"));

/// The identity of the built-in rule set, for provenance (reports, exports):
/// the version of this crate (the rule files ship with it) and a 64-bit FNV-1a
/// hash, in hex, of `signatures/trackers.toml` followed by
/// `signatures/libraries.toml` as compiled in. Two binaries with the same hash
/// match with the same rules.
pub fn builtin_ruleset_id() -> (&'static str, String) {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in BUILTIN_TRACKERS
        .bytes()
        .chain(std::iter::once(0))
        .chain(BUILTIN_LIBRARIES.bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (env!("CARGO_PKG_VERSION"), format!("{h:016x}"))
}

impl RuleSet {
    /// The rule set shipped inside the binary (the files of `signatures/` at build time).
    ///
    /// # Panics
    /// Never in practice: the embedded files are constant and the unit test
    /// `builtin_parses_and_checks_clean` parses them on every test run.
    pub fn builtin() -> RuleSet {
        // The form `build.rs` made of the same files (see `crate::blob`); parsing the TOML
        // is the fallback should it ever not decode.
        let decoded = blob::decode(BUILTIN_TRACKERS_BIN).and_then(|trackers| {
            blob::decode(BUILTIN_LIBRARIES_BIN).map(|libraries| RuleSet {
                trackers,
                libraries,
            })
        });
        if let Some(set) = decoded {
            return set;
        }
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
                if let Some(f) = &r.version_format {
                    if !crate::rule_toml::VERSION_FORMATS.contains(&f.as_str()) {
                        problems.push(format!(
                            "{kind} `{}`: unknown version_format `{f}` (known: {})",
                            r.id,
                            crate::rule_toml::VERSION_FORMATS.join(", ")
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
        if let Some(v) = &r.version_format {
            out.push_str(&format!("version_format = {}\n", quote(v)));
        }
        if let Some(v) = &r.version_meta_data {
            out.push_str(&format!("version_meta_data = {}\n", quote(v)));
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
    fn builtin_equals_parsing_the_toml() {
        let parsed = RuleSet {
            trackers: parse_rules(BUILTIN_TRACKERS, TRACKERS_FILE, "tracker").unwrap(),
            libraries: parse_rules(BUILTIN_LIBRARIES, LIBRARIES_FILE, "library").unwrap(),
        };
        // The build-time form decodes (no silent fallback) and equals the run-time parse.
        assert_eq!(
            blob::decode(BUILTIN_TRACKERS_BIN).as_ref(),
            Some(&parsed.trackers)
        );
        assert_eq!(
            blob::decode(BUILTIN_LIBRARIES_BIN).as_ref(),
            Some(&parsed.libraries)
        );
        assert_eq!(RuleSet::builtin(), parsed);
    }

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
