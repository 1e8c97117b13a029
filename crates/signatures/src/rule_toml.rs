//! The rule model and the TOML rule-file reader.
//!
//! Kept free of other crate modules (only `std` and `toml`) so that `build.rs` compiles
//! this same file to parse the built-in rule files at build time (see `crate::blob`):
//! the embedded rules are exactly what [`parse_rules`] returns.

use std::fmt;

/// One tracker or library rule: what identifies an SDK in an app.
///
/// All list fields may be empty; a rule needs at least one of `code`, `code_regex`,
/// `network`, `network_regex`, `manifest`, `version_files`, `native_libs`, `assets` or
/// `strings` to be matchable (see [`crate::RuleSet::check`]).
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
    /// Version file names (base name only), preferred first: Gradle `META-INF/*.version`, and
    /// the `*.properties` Google Play services / Firebase (root) and Fabric (`fabric/`) ship.
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
    /// Rules naming the same constant are modules of one SDK release and share its version.
    pub version_class: Option<String>,
    /// How the `version_class` constant writes the version, when not dotted
    /// ([`VERSION_FORMATS`]): `two_digit_parts` is two digits per part without separators
    /// (OneSignal's `VERSION = "031006"` is 3.10.6).
    pub version_format: Option<String>,
    /// A manifest meta-data whose value gives the SDK's version through
    /// `signatures/meta_versions.tsv` (`com.google.android.gms.version`: before 15.0.0 every
    /// Google Play services and Firebase library of an app has one version, the one this
    /// meta-data's value stands for).
    pub version_meta_data: Option<String>,
    /// Why a rule was narrowed or extended.
    pub note: Option<String>,
    /// The εxodus `code`/`network` entries were narrowed by hand: a re-import
    /// ([`crate::import::update_from_exodus`]) keeps this rule's lists instead of
    /// re-adding εxodus' (explain why in `note`).
    pub narrowed: bool,
}

/// The values `version_format` may take.
pub const VERSION_FORMATS: &[&str] = &["two_digit_parts"];

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
            "version_format" => r.version_format = Some(s(val)?),
            "version_meta_data" => r.version_meta_data = Some(s(val)?),
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
