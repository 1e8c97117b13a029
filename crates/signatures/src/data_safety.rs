//! What SDK vendors say about their SDKs for Google Play's Data safety form
//! (`signatures/data_safety.toml`, format in its header): per SDK the vendor page, the Play
//! data types it says the SDK collects (automatically or only when the app uses a feature),
//! whether they are shared and for which purposes, and documented switches that turn
//! collection off. Facts summarised from vendor pages; SDKs without a published disclosure
//! are listed as such.

use std::fmt;

const BUILTIN_DATA_SAFETY: &str = include_str!("../../../signatures/data_safety.toml");

/// File name used in error messages.
pub const DATA_SAFETY_FILE: &str = "data_safety.toml";

/// Play data type ids as the Play Console Data safety CSV export writes them ("Response ID"),
/// with the form's label. Checked against real exports (see the file header).
pub const PLAY_DATA_TYPES: &[(&str, &str)] = &[
    ("PSL_NAME", "Personal info / Name"),
    ("PSL_EMAIL", "Personal info / Email address"),
    ("PSL_USER_ACCOUNT", "Personal info / User IDs"),
    ("PSL_ADDRESS", "Personal info / Address"),
    ("PSL_PHONE", "Personal info / Phone number"),
    ("PSL_RACE_ETHNICITY", "Personal info / Race and ethnicity"),
    (
        "PSL_POLITICAL_RELIGIOUS",
        "Personal info / Political or religious beliefs",
    ),
    (
        "PSL_SEXUAL_ORIENTATION_GENDER_IDENTITY",
        "Personal info / Sexual orientation",
    ),
    ("PSL_OTHER_PERSONAL", "Personal info / Other info"),
    (
        "PSL_CREDIT_DEBIT_BANK_ACCOUNT_NUMBER",
        "Financial info / User payment info",
    ),
    ("PSL_PURCHASE_HISTORY", "Financial info / Purchase history"),
    ("PSL_CREDIT_SCORE", "Financial info / Credit score"),
    ("PSL_OTHER", "Financial info / Other financial info"),
    ("PSL_APPROX_LOCATION", "Location / Approximate location"),
    ("PSL_PRECISE_LOCATION", "Location / Precise location"),
    (
        "PSL_WEB_BROWSING_HISTORY",
        "Web browsing / Web browsing history",
    ),
    ("PSL_EMAILS", "Messages / Emails"),
    ("PSL_SMS_CALL_LOG", "Messages / SMS or MMS"),
    ("PSL_OTHER_MESSAGES", "Messages / Other in-app messages"),
    ("PSL_PHOTOS", "Photos and videos / Photos"),
    ("PSL_VIDEOS", "Photos and videos / Videos"),
    ("PSL_AUDIO", "Audio files / Voice or sound recordings"),
    ("PSL_MUSIC", "Audio files / Music files"),
    ("PSL_OTHER_AUDIO", "Audio files / Other audio files"),
    ("PSL_HEALTH", "Health and fitness / Health info"),
    ("PSL_FITNESS", "Health and fitness / Fitness info"),
    ("PSL_CONTACTS", "Contacts / Contacts"),
    ("PSL_CALENDAR", "Calendar / Calendar events"),
    ("PSL_CRASH_LOGS", "App info and performance / Crash logs"),
    (
        "PSL_PERFORMANCE_DIAGNOSTICS",
        "App info and performance / Diagnostics",
    ),
    (
        "PSL_OTHER_PERFORMANCE",
        "App info and performance / Other app performance data",
    ),
    ("PSL_FILES_AND_DOCS", "Files and docs / Files and docs"),
    ("PSL_USER_INTERACTION", "App activity / App interactions"),
    (
        "PSL_IN_APP_SEARCH_HISTORY",
        "App activity / In-app search history",
    ),
    ("PSL_APPS_ON_DEVICE", "App activity / Installed apps"),
    (
        "PSL_USER_GENERATED_CONTENT",
        "App activity / Other user-generated content",
    ),
    ("PSL_OTHER_APP_ACTIVITY", "App activity / Other actions"),
    ("PSL_DEVICE_ID", "Device or other IDs / Device or other IDs"),
];

/// Play purpose ids as the Data safety CSV export writes them, with the form's label.
pub const PLAY_PURPOSES: &[(&str, &str)] = &[
    ("PSL_APP_FUNCTIONALITY", "App functionality"),
    ("PSL_ANALYTICS", "Analytics"),
    ("PSL_DEVELOPER_COMMUNICATIONS", "Developer communications"),
    (
        "PSL_FRAUD_PREVENTION_SECURITY",
        "Fraud prevention, security, and compliance",
    ),
    ("PSL_ADVERTISING", "Advertising or marketing"),
    ("PSL_PERSONALIZATION", "Personalization"),
    ("PSL_ACCOUNT_MANAGEMENT", "Account management"),
];

/// The form label of a Play data type id (`PSL_DEVICE_ID` → "Device or other IDs / …").
pub fn play_data_type_label(id: &str) -> Option<&'static str> {
    PLAY_DATA_TYPES
        .iter()
        .find(|(k, _)| *k == id)
        .map(|(_, l)| *l)
}

/// The form label of a Play purpose id (`PSL_ANALYTICS` → "Analytics").
pub fn play_purpose_label(id: &str) -> Option<&'static str> {
    PLAY_PURPOSES
        .iter()
        .find(|(k, _)| *k == id)
        .map(|(_, l)| *l)
}

/// When the SDK collects a data type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    /// By default, without the app calling anything (`"automatic"`).
    Automatic,
    /// Only when the app uses an API, feature or setting ([`DataRow::when`] names it)
    /// (`"when_app_calls"`).
    WhenAppCalls,
}

/// Who mapped the page's data to Play ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeMapping {
    /// The vendor page itself uses Play's data types and purposes (`"vendor"`).
    Vendor,
    /// The page describes data in its own words; we mapped it to Play ids (`"ours"`).
    Ours,
}

/// How much of the vendor page's table the rows cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// The whole table (`"complete"`).
    Complete,
    /// Only part of it could be read: absent types are unknown, not "not collected"
    /// (`"partial"`).
    Partial,
    /// Page found, its table not readable (`"none"`): no rows.
    None,
}

/// Whether the vendor says it processes the data as the app developer's service provider
/// (Play: transfers to a service provider are not "sharing").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceProvider {
    /// The vendor says it processes the data on the developer's behalf (`"yes"`).
    Yes,
    /// The vendor says it uses or passes on the data for itself or third parties (`"no"`).
    No,
    /// The page does not say (`"not_stated"`).
    NotStated,
}

/// Where a collection switch lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwitchKind {
    /// An AndroidManifest `<meta-data>` entry (`"manifest"`): visible in an APK.
    Manifest,
    /// A call in app code (`"api"`).
    Api,
}

/// One Play data type a vendor page says its SDK collects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataRow {
    /// 1-based line of the row's `[[sdk.data]]` header (the SDK's line for inline rows).
    pub line: usize,
    /// Play data type id ([`PLAY_DATA_TYPES`]).
    pub data_type: String,
    /// When it is collected.
    pub collection: Collection,
    /// For [`Collection::WhenAppCalls`]: the API, feature or setting that triggers it.
    pub when: Option<String>,
    /// Whether the page says the data is shared; `None` when it does not say.
    pub shared: Option<bool>,
    /// Play purpose ids ([`PLAY_PURPOSES`]) the page gives; may be empty.
    pub purposes: Vec<String>,
    /// `Some(true)` when the page says the collection can be turned off, `Some(false)` when
    /// it says required, `None` when it does not say.
    pub optional: Option<bool>,
    /// Conditions and what exactly is collected.
    pub note: Option<String>,
}

/// A documented switch that turns an SDK's collection on or off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Switch {
    /// 1-based line of the `[[sdk.switch]]` header.
    pub line: usize,
    /// Manifest meta-data name or API method.
    pub name: String,
    /// Manifest or API.
    pub kind: SwitchKind,
    /// The value (manifest) or argument (API) that turns collection off.
    pub off: String,
    /// Vendor page documenting the switch.
    pub doc: String,
    /// Play data type ids it turns off (empty: all, or sharing only; see `note`).
    pub affects: Vec<String>,
    /// Default and scope.
    pub note: Option<String>,
}

/// One vendor disclosure: what the vendor says its SDK collects for Play's form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkDisclosure {
    /// 1-based line of the `[[sdk]]` header.
    pub line: usize,
    /// Tracker rule ids (`trackers.toml`) the disclosure is about.
    pub trackers: Vec<String>,
    /// The SDK as the vendor names it.
    pub name: String,
    /// URL of the vendor page the rows come from.
    pub source: String,
    /// Further vendor pages used.
    pub also: Vec<String>,
    /// SDK versions the page says it covers.
    pub applies_to: String,
    /// Whether the page uses Play's ids itself.
    pub type_mapping: TypeMapping,
    /// How much of the page's table the rows cover.
    pub rows: Coverage,
    /// Whether the vendor says it acts as the developer's service provider.
    pub service_provider: ServiceProvider,
    /// What the page says on that, summarised.
    pub service_provider_note: Option<String>,
    /// Play data type ids the page says the SDK does not collect.
    pub not_collected: Vec<String>,
    /// Anything else the page says that matters for the form.
    pub note: Option<String>,
    /// The data types collected, file order.
    pub data: Vec<DataRow>,
    /// Documented switches, file order.
    pub switches: Vec<Switch>,
}

/// An SDK for which no vendor data-safety disclosure was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoDisclosure {
    /// 1-based line of the `[[no_disclosure]]` header.
    pub line: usize,
    /// Tracker rule ids.
    pub trackers: Vec<String>,
    /// SDK name.
    pub name: String,
    /// What was searched.
    pub searched: Vec<String>,
    /// What was found instead, if anything.
    pub note: Option<String>,
}

/// The vendor disclosures of `data_safety.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataSafety {
    /// Vendor disclosures, file order.
    pub sdks: Vec<SdkDisclosure>,
    /// SDKs without a disclosure, file order.
    pub no_disclosure: Vec<NoDisclosure>,
}

/// A `data_safety.toml` that does not parse or breaks the format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSafetyError {
    /// 1-based line (of the entry's header for field errors).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for DataSafetyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{DATA_SAFETY_FILE}:{}: {}", self.line, self.message)
    }
}

impl std::error::Error for DataSafetyError {}

impl DataSafety {
    /// The built-in disclosures (`signatures/data_safety.toml`), parsed once per process.
    pub fn builtin() -> &'static DataSafety {
        static DATA: std::sync::OnceLock<DataSafety> = std::sync::OnceLock::new();
        DATA.get_or_init(|| {
            // The embedded file is checked by a unit test; a broken edit yields no data
            // rather than a panic at scan time.
            DataSafety::parse(BUILTIN_DATA_SAFETY).unwrap_or_default()
        })
    }

    /// Parses a `data_safety.toml` text; unknown fields, unknown Play ids and missing
    /// required fields are errors naming the line.
    pub fn parse(text: &str) -> Result<DataSafety, DataSafetyError> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| DataSafetyError {
            line: e.span().map(|s| line_of_offset(text, s.start)).unwrap_or(0),
            message: format!("invalid TOML: {}", e.message()),
        })?;
        let sdk_lines = header_lines(text, "sdk");
        let data_lines = header_lines(text, "sdk.data");
        let switch_lines = header_lines(text, "sdk.switch");
        let none_lines = header_lines(text, "no_disclosure");
        let mut out = DataSafety::default();
        let (mut data_i, mut switch_i) = (0usize, 0usize);
        for (key, value) in &table {
            let list = value.as_array().ok_or_else(|| DataSafetyError {
                line: 1,
                message: format!("`{key}` must be an array of tables ([[{key}]])"),
            })?;
            match key.as_str() {
                "sdk" => {
                    for (i, v) in list.iter().enumerate() {
                        let line = sdk_lines.get(i).copied().unwrap_or(0);
                        let sdk = sdk_from(
                            v,
                            line,
                            &data_lines,
                            &mut data_i,
                            &switch_lines,
                            &mut switch_i,
                        )?;
                        out.sdks.push(sdk);
                    }
                }
                "no_disclosure" => {
                    for (i, v) in list.iter().enumerate() {
                        let line = none_lines.get(i).copied().unwrap_or(0);
                        out.no_disclosure.push(no_disclosure_from(v, line)?);
                    }
                }
                other => {
                    return Err(DataSafetyError {
                        line: 1,
                        message: format!(
                        "unknown top-level key `{other}` (expected [[sdk]] and [[no_disclosure]])"
                    ),
                    })
                }
            }
        }
        Ok(out)
    }

    /// The disclosure covering tracker rule `id`, if any.
    pub fn for_tracker(&self, id: &str) -> Option<&SdkDisclosure> {
        self.sdks
            .iter()
            .find(|s| s.trackers.iter().any(|t| t == id))
    }

    /// The no-disclosure entry for tracker rule `id`, if any.
    pub fn no_disclosure_for(&self, id: &str) -> Option<&NoDisclosure> {
        self.no_disclosure
            .iter()
            .find(|s| s.trackers.iter().any(|t| t == id))
    }
}

/// Line (1-based) of each `[[header]]` occurrence.
fn header_lines(text: &str, header: &str) -> Vec<usize> {
    let want = format!("[[{header}]]");
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == want)
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

/// Field access on one table with line-numbered errors and an unknown-field check.
struct Fields<'a> {
    t: &'a toml::Table,
    line: usize,
    what: String,
}

impl<'a> Fields<'a> {
    fn new(
        v: &'a toml::Value,
        line: usize,
        what: String,
        known: &[&str],
    ) -> Result<Fields<'a>, DataSafetyError> {
        let t = v.as_table().ok_or_else(|| DataSafetyError {
            line,
            message: format!("{what}: not a table"),
        })?;
        let f = Fields { t, line, what };
        if let Some(k) = t.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(f.err(k, "unknown field"));
        }
        Ok(f)
    }

    fn err(&self, field: &str, problem: &str) -> DataSafetyError {
        DataSafetyError {
            line: self.line,
            message: format!("{}: field `{field}`: {problem}", self.what),
        }
    }

    fn opt_str(&self, k: &str) -> Result<Option<String>, DataSafetyError> {
        match self.t.get(k) {
            None => Ok(None),
            Some(v) => v
                .as_str()
                .map(|s| Some(s.to_string()))
                .ok_or_else(|| self.err(k, "must be a string")),
        }
    }

    fn str(&self, k: &str) -> Result<String, DataSafetyError> {
        match self.opt_str(k)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(self.err(k, "required, non-empty")),
        }
    }

    fn opt_bool(&self, k: &str) -> Result<Option<bool>, DataSafetyError> {
        match self.t.get(k) {
            None => Ok(None),
            Some(v) => v
                .as_bool()
                .map(Some)
                .ok_or_else(|| self.err(k, "must be true or false")),
        }
    }

    fn list(&self, k: &str) -> Result<Vec<String>, DataSafetyError> {
        match self.t.get(k) {
            None => Ok(Vec::new()),
            Some(v) => v
                .as_array()
                .ok_or_else(|| self.err(k, "must be a list of strings"))?
                .iter()
                .map(|x| {
                    x.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| self.err(k, "must be a list of strings"))
                })
                .collect(),
        }
    }

    fn url(&self, k: &str) -> Result<String, DataSafetyError> {
        let u = self.str(k)?;
        check_url(&u).map_err(|p| self.err(k, p))?;
        Ok(u)
    }

    fn ids(&self, k: &str, known: &[(&str, &str)]) -> Result<Vec<String>, DataSafetyError> {
        let ids = self.list(k)?;
        if let Some(bad) = ids.iter().find(|i| !known.iter().any(|(id, _)| id == i)) {
            return Err(self.err(k, &format!("unknown Play id `{bad}`")));
        }
        Ok(ids)
    }

    fn choice<T: Copy>(&self, k: &str, options: &[(&str, T)]) -> Result<T, DataSafetyError> {
        let s = self.str(k)?;
        options
            .iter()
            .find(|(name, _)| *name == s)
            .map(|(_, v)| *v)
            .ok_or_else(|| {
                let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
                self.err(k, &format!("`{s}` is not one of {}", names.join(", ")))
            })
    }

    fn tables(&self, k: &str) -> Result<&'a [toml::Value], DataSafetyError> {
        match self.t.get(k) {
            None => Ok(&[]),
            Some(v) => v
                .as_array()
                .map(Vec::as_slice)
                .ok_or_else(|| self.err(k, "must be an array of tables")),
        }
    }
}

fn check_url(u: &str) -> Result<(), &'static str> {
    let rest = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .ok_or("must be an http(s) URL")?;
    if rest.is_empty() || rest.starts_with('/') || u.contains(char::is_whitespace) {
        return Err("must be an http(s) URL");
    }
    Ok(())
}

fn sdk_from(
    v: &toml::Value,
    line: usize,
    data_lines: &[usize],
    data_i: &mut usize,
    switch_lines: &[usize],
    switch_i: &mut usize,
) -> Result<SdkDisclosure, DataSafetyError> {
    const KNOWN: &[&str] = &[
        "tracker",
        "name",
        "source",
        "also",
        "applies_to",
        "type_mapping",
        "rows",
        "service_provider",
        "service_provider_note",
        "not_collected",
        "note",
        "data",
        "switch",
    ];
    let name_hint = v
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap_or("?")
        .to_string();
    let f = Fields::new(v, line, format!("sdk `{name_hint}`"), KNOWN)?;
    let trackers = f.list("tracker")?;
    if trackers.is_empty() {
        return Err(f.err("tracker", "required, at least one rule id"));
    }
    let also = f.list("also")?;
    for u in &also {
        check_url(u).map_err(|p| f.err("also", p))?;
    }
    let rows = f.choice(
        "rows",
        &[
            ("complete", Coverage::Complete),
            ("partial", Coverage::Partial),
            ("none", Coverage::None),
        ],
    )?;
    let mut data = Vec::new();
    for d in f.tables("data")? {
        let dl = data_lines.get(*data_i).copied().unwrap_or(line);
        *data_i += 1;
        data.push(row_from(d, dl, &name_hint)?);
    }
    if rows == Coverage::None && !data.is_empty() {
        return Err(f.err("rows", "is \"none\" but the entry has data rows"));
    }
    let mut switches = Vec::new();
    for s in f.tables("switch")? {
        let sl = switch_lines.get(*switch_i).copied().unwrap_or(line);
        *switch_i += 1;
        switches.push(switch_from(s, sl, &name_hint)?);
    }
    Ok(SdkDisclosure {
        line,
        trackers,
        name: f.str("name")?,
        source: f.url("source")?,
        also,
        applies_to: f.str("applies_to")?,
        type_mapping: f.choice(
            "type_mapping",
            &[("vendor", TypeMapping::Vendor), ("ours", TypeMapping::Ours)],
        )?,
        rows,
        service_provider: f.choice(
            "service_provider",
            &[
                ("yes", ServiceProvider::Yes),
                ("no", ServiceProvider::No),
                ("not_stated", ServiceProvider::NotStated),
            ],
        )?,
        service_provider_note: f.opt_str("service_provider_note")?,
        not_collected: f.ids("not_collected", PLAY_DATA_TYPES)?,
        note: f.opt_str("note")?,
        data,
        switches,
    })
}

fn row_from(v: &toml::Value, line: usize, sdk: &str) -> Result<DataRow, DataSafetyError> {
    const KNOWN: &[&str] = &[
        "type",
        "collection",
        "when",
        "shared",
        "purposes",
        "optional",
        "note",
    ];
    let f = Fields::new(v, line, format!("sdk `{sdk}`: data row"), KNOWN)?;
    let data_type = f.str("type")?;
    if play_data_type_label(&data_type).is_none() {
        return Err(f.err("type", &format!("unknown Play data type `{data_type}`")));
    }
    let collection = f.choice(
        "collection",
        &[
            ("automatic", Collection::Automatic),
            ("when_app_calls", Collection::WhenAppCalls),
        ],
    )?;
    let when = f.opt_str("when")?;
    match (collection, &when) {
        (Collection::WhenAppCalls, None) => {
            return Err(f.err("when", "required with collection = \"when_app_calls\""))
        }
        (Collection::Automatic, Some(_)) => {
            return Err(f.err("when", "only with collection = \"when_app_calls\""))
        }
        _ => {}
    }
    if !f.t.contains_key("purposes") {
        return Err(f.err(
            "purposes",
            "required (an empty list when the page gives none)",
        ));
    }
    Ok(DataRow {
        line,
        data_type,
        collection,
        when,
        shared: f.opt_bool("shared")?,
        purposes: f.ids("purposes", PLAY_PURPOSES)?,
        optional: f.opt_bool("optional")?,
        note: f.opt_str("note")?,
    })
}

fn switch_from(v: &toml::Value, line: usize, sdk: &str) -> Result<Switch, DataSafetyError> {
    const KNOWN: &[&str] = &["name", "kind", "off", "doc", "affects", "note"];
    let f = Fields::new(v, line, format!("sdk `{sdk}`: switch"), KNOWN)?;
    Ok(Switch {
        line,
        name: f.str("name")?,
        kind: f.choice(
            "kind",
            &[("manifest", SwitchKind::Manifest), ("api", SwitchKind::Api)],
        )?,
        off: f.str("off")?,
        doc: f.url("doc")?,
        affects: f.ids("affects", PLAY_DATA_TYPES)?,
        note: f.opt_str("note")?,
    })
}

fn no_disclosure_from(v: &toml::Value, line: usize) -> Result<NoDisclosure, DataSafetyError> {
    const KNOWN: &[&str] = &["tracker", "name", "searched", "note"];
    let name_hint = v.get("name").and_then(|n| n.as_str()).unwrap_or("?");
    let f = Fields::new(v, line, format!("no_disclosure `{name_hint}`"), KNOWN)?;
    let trackers = f.list("tracker")?;
    if trackers.is_empty() {
        return Err(f.err("tracker", "required, at least one rule id"));
    }
    let searched = f.list("searched")?;
    if searched.is_empty() {
        return Err(f.err("searched", "required: say what was searched"));
    }
    Ok(NoDisclosure {
        line,
        trackers,
        name: f.str("name")?,
        searched,
        note: f.opt_str("note")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn builtin() -> DataSafety {
        DataSafety::parse(BUILTIN_DATA_SAFETY).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn builtin_parses() {
        let d = builtin();
        assert!(d.sdks.len() >= 25, "{}", d.sdks.len());
        assert!(!d.no_disclosure.is_empty());
        assert_eq!(&d, DataSafety::builtin());
        let rows: usize = d.sdks.iter().map(|s| s.data.len()).sum();
        assert!(rows >= 60, "{rows}");
        // Line numbers point at the headers.
        let lines: Vec<&str> = BUILTIN_DATA_SAFETY.lines().collect();
        for s in &d.sdks {
            assert_eq!(lines[s.line - 1].trim(), "[[sdk]]", "{}", s.name);
            for r in &s.data {
                assert_eq!(lines[r.line - 1].trim(), "[[sdk.data]]", "{}", s.name);
            }
            for w in &s.switches {
                assert_eq!(lines[w.line - 1].trim(), "[[sdk.switch]]", "{}", w.name);
            }
        }
    }

    #[test]
    fn every_tracker_id_is_a_builtin_rule() {
        let rules = crate::RuleSet::builtin();
        let ids: HashSet<&str> = rules.trackers.iter().map(|r| r.id.as_str()).collect();
        let d = builtin();
        let all = d
            .sdks
            .iter()
            .flat_map(|s| s.trackers.iter().map(move |t| (t, s.line)))
            .chain(
                d.no_disclosure
                    .iter()
                    .flat_map(|s| s.trackers.iter().map(move |t| (t, s.line))),
            );
        for (t, line) in all {
            assert!(
                ids.contains(t.as_str()),
                "{DATA_SAFETY_FILE}:{line}: no tracker rule `{t}`"
            );
        }
    }

    #[test]
    fn every_type_and_purpose_is_a_play_id() {
        for s in &builtin().sdks {
            let types = s
                .data
                .iter()
                .map(|r| &r.data_type)
                .chain(&s.not_collected)
                .chain(s.switches.iter().flat_map(|w| &w.affects));
            for t in types {
                assert!(play_data_type_label(t).is_some(), "{}: {t}", s.name);
            }
            for p in s.data.iter().flat_map(|r| &r.purposes) {
                assert!(play_purpose_label(p).is_some(), "{}: {p}", s.name);
            }
            // A type is not both collected and not collected.
            for r in &s.data {
                assert!(
                    !s.not_collected.contains(&r.data_type),
                    "{}: {}",
                    s.name,
                    r.data_type
                );
            }
        }
    }

    #[test]
    fn every_row_has_a_source_url() {
        for s in &builtin().sdks {
            assert!(check_url(&s.source).is_ok(), "{}: {}", s.name, s.source);
            for w in &s.switches {
                assert!(check_url(&w.doc).is_ok(), "{}: {}", w.name, w.doc);
            }
            if s.rows != Coverage::None {
                assert!(
                    !s.data.is_empty() || !s.not_collected.is_empty(),
                    "{}: rows = {:?} but nothing recorded",
                    s.name,
                    s.rows
                );
            }
        }
    }

    #[test]
    fn no_sdk_listed_twice() {
        let d = builtin();
        let mut seen = HashSet::new();
        let all = d
            .sdks
            .iter()
            .flat_map(|s| &s.trackers)
            .chain(d.no_disclosure.iter().flat_map(|s| &s.trackers));
        for t in all {
            assert!(seen.insert(t.as_str()), "tracker `{t}` listed twice");
        }
        let mut names = HashSet::new();
        for n in d
            .sdks
            .iter()
            .map(|s| &s.name)
            .chain(d.no_disclosure.iter().map(|s| &s.name))
        {
            assert!(names.insert(n.as_str()), "SDK `{n}` listed twice");
        }
    }

    #[test]
    fn play_ids_are_unique_and_complete() {
        let types: HashSet<&str> = PLAY_DATA_TYPES.iter().map(|(k, _)| *k).collect();
        assert_eq!(types.len(), PLAY_DATA_TYPES.len());
        assert_eq!(types.len(), 38);
        let purposes: HashSet<&str> = PLAY_PURPOSES.iter().map(|(k, _)| *k).collect();
        assert_eq!(purposes.len(), 7);
        // The names hand-written templates use are not export ids.
        for wrong in [
            "PSL_INSTALLED_APPS",
            "PSL_SOUND_RECORDINGS",
            "PSL_OTHER_ACTIONS",
        ] {
            assert!(play_data_type_label(wrong).is_none());
        }
    }

    #[test]
    fn lookups() {
        let d = DataSafety::builtin();
        let admob = d.for_tracker("google-admob").expect("AdMob");
        assert!(admob
            .source
            .starts_with("https://developers.google.com/admob/"));
        assert!(admob
            .data
            .iter()
            .any(|r| r.data_type == "PSL_DEVICE_ID" && r.shared == Some(true)));
        let fb = d.for_tracker("facebook-analytics").expect("Facebook");
        assert!(fb
            .switches
            .iter()
            .any(|s| s.name == "com.facebook.sdk.AutoLogAppEventsEnabled"
                && s.kind == SwitchKind::Manifest));
        assert!(d.no_disclosure_for("mixpanel").is_some());
        assert!(d.for_tracker("mixpanel").is_none());
    }

    #[test]
    fn errors_name_the_line() {
        let text = "[[sdk]]\ntracker = [\"x\"]\nname = \"X\"\nsource = \"https://x.example/\"\n\
                    applies_to = \"all\"\ntype_mapping = \"vendor\"\nrows = \"partial\"\n\
                    service_provider = \"yes\"\n\n[[sdk.data]]\ntype = \"PSL_NOPE\"\n\
                    collection = \"automatic\"\npurposes = []\n";
        let e = DataSafety::parse(text).unwrap_err();
        assert_eq!(e.line, 10, "{e}");
        assert!(e.to_string().starts_with("data_safety.toml:10: "), "{e}");
        assert!(e.to_string().contains("PSL_NOPE"), "{e}");

        let unknown = text.replace("rows = \"partial\"", "rows = \"partial\"\ncolour = \"red\"");
        let e = DataSafety::parse(&unknown).unwrap_err();
        assert_eq!(e.line, 1, "{e}");
        assert!(e.message.contains("`colour`: unknown field"), "{e}");

        let e = DataSafety::parse("[[sdk]\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("data_safety.toml:1: invalid TOML"),
            "{e}"
        );

        let when = text
            .replace("PSL_NOPE", "PSL_EMAIL")
            .replace("\"automatic\"", "\"when_app_calls\"");
        let e = DataSafety::parse(&when).unwrap_err();
        assert!(e.message.contains("`when`"), "{e}");

        let bad_url = text
            .replace("PSL_NOPE", "PSL_EMAIL")
            .replace("https://x.example/", "x.example");
        let e = DataSafety::parse(&bad_url).unwrap_err();
        assert!(e.message.contains("`source`"), "{e}");

        let ok = text.replace("PSL_NOPE", "PSL_EMAIL");
        let d = DataSafety::parse(&ok).unwrap();
        assert_eq!(d.sdks[0].data[0].line, 10);
        assert_eq!(d.sdks[0].data[0].shared, None);
    }
}
