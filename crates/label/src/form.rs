//! The Play Console Data safety CSV (export and import format): reading and writing.
//!
//! The Play Console exports an app's Data safety form ("App content" → "Data safety" →
//! "Export to CSV") as a five-column CSV and imports the same shape back:
//!
//! ```text
//! Question ID (machine readable),Response ID (machine readable),Response value,Answer requirement,Human-friendly question label
//! PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA,,true,REQUIRED,Does your app collect or share any of the required user data types?
//! PSL_DATA_TYPES_PERSONAL,PSL_EMAIL,true,MULTIPLE_CHOICE,Personal info / Email address
//! PSL_DATA_USAGE_RESPONSES:PSL_EMAIL:PSL_DATA_USAGE_COLLECTION_AND_SHARING,PSL_DATA_USAGE_ONLY_COLLECTED,true,MULTIPLE_CHOICE,"Data usage and handling (Email address) / Is this data collected, shared, or both? / Collected"
//! PSL_DATA_USAGE_RESPONSES:PSL_EMAIL:DATA_USAGE_COLLECTION_PURPOSE,PSL_ANALYTICS,true,MULTIPLE_CHOICE,...
//! ```
//!
//! What the real exports show (21 files from 20 public repositories, 2022 to 2026; see
//! `docs/data_safety_exports.md`):
//!
//! * Every row of the form is there, answered or not: all 38 data types under their
//!   `PSL_DATA_TYPES_<CATEGORY>` question, and for each of the 38 the usage questions
//!   `PSL_DATA_USAGE_RESPONSES:<TYPE>:<SUB-QUESTION>`. A row is answered when its value is
//!   `true` (or `false` for the yes/no questions, or a text for URLs); unanswered rows are
//!   empty.
//! * "Collected" and "Shared" are two check boxes (`PSL_DATA_USAGE_ONLY_COLLECTED`,
//!   `PSL_DATA_USAGE_ONLY_SHARED`, both ticked for "both"); one older file has a single
//!   `PSL_DATA_USAGE_COLLECTED_AND_SHARED` answer ("Both"), read as both.
//! * The ids are stable, the human-friendly labels are in the Console's language (English,
//!   French with line breaks inside the quoted label, Italian, Thai, Indonesian...): the
//!   parser never reads labels.
//! * Two form versions: the 2022 form asks `PSL_DATA_COLLECTION_USER_REQUEST_DELETE`
//!   (yes/no); the current one asks `PSL_SUPPORT_DATA_DELETION_BY_USER` (single choice),
//!   deletion URLs, account creation methods and a few optional questions.
//! * Line ends are CRLF in files kept as exported, LF in others; one file re-saved after
//!   export starts with a UTF-8 BOM. Both are accepted.
//!
//! [`parse`] types what trackscan compares ([`Form`], [`Declared`]); rows it does not know
//! (a newer form's questions) are kept as [`FormAnomaly`] data, never errors, and
//! [`write_import`] writes them back. Data type and purpose ids are
//! [`trackscan_signatures::PLAY_DATA_TYPES`] and [`trackscan_signatures::PLAY_PURPOSES`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;
use trackscan_signatures::{
    play_data_type_label, play_purpose_label, PLAY_DATA_TYPES, PLAY_PURPOSES,
};

/// The header row of the export and import CSV, column by column.
pub const HEADER: [&str; 5] = [
    "Question ID (machine readable)",
    "Response ID (machine readable)",
    "Response value",
    "Answer requirement",
    "Human-friendly question label",
];

/// "Does your app collect or share any of the required user data types?" (yes/no).
pub const Q_COLLECTS: &str = "PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA";
/// "Is all of the user data collected by your app encrypted in transit?" (yes/no).
pub const Q_ENCRYPTED: &str = "PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT";
/// 2022 form: "Do you provide a way for users to request that their data is deleted?" (yes/no).
pub const Q_USER_REQUEST_DELETE: &str = "PSL_DATA_COLLECTION_USER_REQUEST_DELETE";
/// Current form: the same question as a single choice ([`DeletionOption`]).
pub const Q_DELETION_BY_USER: &str = "PSL_SUPPORT_DATA_DELETION_BY_USER";
/// Current form: link to request account deletion (text).
pub const Q_ACCOUNT_DELETION_URL: &str = "PSL_ACCOUNT_DELETION_URL";
/// Current form: link to request data deletion (text).
pub const Q_DATA_DELETION_URL: &str = "PSL_DATA_DELETION_URL";
/// Prefix of the data type questions: `PSL_DATA_TYPES_<CATEGORY>`, response = type id.
pub const Q_TYPES_PREFIX: &str = "PSL_DATA_TYPES_";
/// Prefix of the usage questions: `PSL_DATA_USAGE_RESPONSES:<TYPE>:<SUB-QUESTION>`.
pub const Q_USAGE_PREFIX: &str = "PSL_DATA_USAGE_RESPONSES:";

const SUB_COLLECTION_AND_SHARING: &str = "PSL_DATA_USAGE_COLLECTION_AND_SHARING";
const SUB_EPHEMERAL: &str = "PSL_DATA_USAGE_EPHEMERAL";
const SUB_USER_CONTROL: &str = "DATA_USAGE_USER_CONTROL";
const SUB_COLLECTION_PURPOSE: &str = "DATA_USAGE_COLLECTION_PURPOSE";
const SUB_SHARING_PURPOSE: &str = "DATA_USAGE_SHARING_PURPOSE";
const R_ONLY_COLLECTED: &str = "PSL_DATA_USAGE_ONLY_COLLECTED";
const R_ONLY_SHARED: &str = "PSL_DATA_USAGE_ONLY_SHARED";
const R_COLLECTED_AND_SHARED: &str = "PSL_DATA_USAGE_COLLECTED_AND_SHARED";
const R_USER_CONTROL_OPTIONAL: &str = "PSL_DATA_USAGE_USER_CONTROL_OPTIONAL";
const R_USER_CONTROL_REQUIRED: &str = "PSL_DATA_USAGE_USER_CONTROL_REQUIRED";

const MULTIPLE_CHOICE: &str = "MULTIPLE_CHOICE";
const SINGLE_CHOICE: &str = "SINGLE_CHOICE";
const MAYBE_REQUIRED: &str = "MAYBE_REQUIRED";

/// The data type categories: the label's first part in [`PLAY_DATA_TYPES`] → the question id.
const CATEGORIES: &[(&str, &str)] = &[
    ("Personal info", "PSL_DATA_TYPES_PERSONAL"),
    ("Financial info", "PSL_DATA_TYPES_FINANCIAL"),
    ("Location", "PSL_DATA_TYPES_LOCATION"),
    ("Web browsing", "PSL_DATA_TYPES_SEARCH_AND_BROWSING"),
    ("Messages", "PSL_DATA_TYPES_EMAIL_AND_TEXT"),
    ("Photos and videos", "PSL_DATA_TYPES_PHOTOS_AND_VIDEOS"),
    ("Audio files", "PSL_DATA_TYPES_AUDIO"),
    ("Health and fitness", "PSL_DATA_TYPES_HEALTH_AND_FITNESS"),
    ("Contacts", "PSL_DATA_TYPES_CONTACTS"),
    ("Calendar", "PSL_DATA_TYPES_CALENDAR"),
    ("App info and performance", "PSL_DATA_TYPES_APP_PERFORMANCE"),
    ("Files and docs", "PSL_DATA_TYPES_FILES_AND_DOCS"),
    ("App activity", "PSL_DATA_TYPES_APP_ACTIVITY"),
    ("Device or other IDs", "PSL_DATA_TYPES_IDENTIFIERS"),
];

/// One row of the current form's first part, in export order: question, response,
/// requirement, English label. `typed` rows are fields of [`Form`]; the others are kept as
/// [`Form::other`] answers.
struct TopRow {
    question: &'static str,
    response: &'static str,
    requirement: &'static str,
    label: &'static str,
    typed: bool,
}

const fn top(
    question: &'static str,
    response: &'static str,
    requirement: &'static str,
    label: &'static str,
    typed: bool,
) -> TopRow {
    TopRow {
        question,
        response,
        requirement,
        label,
        typed,
    }
}

const ACM: &str = "PSL_SUPPORTED_ACCOUNT_CREATION_METHODS";
const ACM_LABEL: &str =
    "Which of the following methods of account creation does your app support? Select all that apply";
const DELETION_LABEL: &str =
    "Do you provide a way for users to request that their data is deleted?";
const OUTSIDE: &str = "PSL_OUTSIDE_APP_ACCOUNT_TYPES";

/// The current form's rows before the data types, as the Console exports them (2024–2026).
/// Labels are the English export's, for people reading the file; the Console reads ids.
#[rustfmt::skip]
const TOP_ROWS: &[TopRow] = &[
    top(Q_COLLECTS, "", "REQUIRED", "Does your app collect or share any of the required user data types?", true),
    top(Q_ENCRYPTED, "", MAYBE_REQUIRED, "Is all of the user data collected by your app encrypted in transit?", true),
    top(Q_USER_REQUEST_DELETE, "", MAYBE_REQUIRED, DELETION_LABEL, true),
    top(ACM, "PSL_ACM_USER_ID_PASSWORD", MULTIPLE_CHOICE, "Username and password", false),
    top(ACM, "PSL_ACM_USER_ID_OTHER_AUTH", MULTIPLE_CHOICE, "Username and other authentication", false),
    top(ACM, "PSL_ACM_USER_ID_PASSWORD_OTHER_AUTH", MULTIPLE_CHOICE, "Username, password, and other authentication", false),
    top(ACM, "PSL_ACM_OAUTH", MULTIPLE_CHOICE, "OAuth", false),
    top(ACM, "PSL_ACM_OTHER", MULTIPLE_CHOICE, "Other", false),
    top(ACM, "PSL_ACM_NONE", MULTIPLE_CHOICE, "My app does not allow users to create an account", false),
    top("PSL_ACM_SPECIFY", "", MAYBE_REQUIRED, "Describe the method of account creation that your app supports", false),
    top(Q_ACCOUNT_DELETION_URL, "", MAYBE_REQUIRED, "Add a link that users can use to request that their account and associated data is deleted", true),
    top(Q_DELETION_BY_USER, "DATA_DELETION_YES", SINGLE_CHOICE, "Yes", true),
    top(Q_DELETION_BY_USER, "DATA_DELETION_NO", SINGLE_CHOICE, "No", true),
    top(Q_DELETION_BY_USER, "DATA_DELETION_NO_AUTO_DELETED", SINGLE_CHOICE, "No, but user data is automatically deleted within 90 days", true),
    top(Q_DATA_DELETION_URL, "", MAYBE_REQUIRED, "Delete data URL", true),
    top("PSL_DATA_COLLECTION_COMPLIES_FAMILY_POLICY", "", "OPTIONAL", "Do you want to let users know about your commitment to the Google Play Families Policy in the Data safety section on your store listing?", false),
    top("PSL_INDEPENDENTLY_VALIDATED", "", "OPTIONAL", "Has your app successfully completed an independent security review, according to the Mobile Application Security Assessment (MASA) framework?", false),
    top("PSL_UPI_BADGE_OPT_IN", "", "OPTIONAL", "Do you want to show this badge on your store listing?", false),
    top("PSL_HAS_OUTSIDE_APP_ACCOUNTS", "", "OPTIONAL", "Can users login to your app with accounts created outside of the app?", false),
    top(OUTSIDE, "PSL_LOGIN_WITH_OUTSIDE_APP_ID", MULTIPLE_CHOICE, "Out of app identification (e.g. SIM binding, service subscription)", false),
    top(OUTSIDE, "PSL_LOGIN_THROUGH_EMPLOYMENT_OR_ENTERPRISE_ACCOUNT", MULTIPLE_CHOICE, "Through employment or enterprise accounts", false),
    top(OUTSIDE, "PSL_OUTSIDE_APP_ACCOUNT_TYPE_OTHER", MULTIPLE_CHOICE, "Other", false),
    top("PSL_OUTSIDE_APP_ACCOUNT_TYPE_SPECIFY", "", MAYBE_REQUIRED, "Describe how these accounts are created", false),
];

/// The question's label as written: multiple and single choices get their question's text
/// before the choice, as the Console writes them.
fn top_label(row: &TopRow) -> String {
    match row.question {
        ACM => format!("{ACM_LABEL} / {}", row.label),
        Q_DELETION_BY_USER => format!("{DELETION_LABEL} / {}", row.label),
        OUTSIDE => format!("How are these accounts created? / {}", row.label),
        _ => row.label.to_string(),
    }
}

/// Answer to "Do you provide a way for users to request that their data is deleted?"
/// in the current form (`PSL_SUPPORT_DATA_DELETION_BY_USER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum DeletionOption {
    /// `DATA_DELETION_YES`.
    Yes,
    /// `DATA_DELETION_NO`.
    No,
    /// `DATA_DELETION_NO_AUTO_DELETED`: no, but user data is deleted within 90 days.
    NoAutoDeleted,
}

impl DeletionOption {
    /// The response id in the CSV.
    pub fn id(self) -> &'static str {
        match self {
            DeletionOption::Yes => "DATA_DELETION_YES",
            DeletionOption::No => "DATA_DELETION_NO",
            DeletionOption::NoAutoDeleted => "DATA_DELETION_NO_AUTO_DELETED",
        }
    }

    fn from_id(id: &str) -> Option<DeletionOption> {
        [
            DeletionOption::Yes,
            DeletionOption::No,
            DeletionOption::NoAutoDeleted,
        ]
        .into_iter()
        .find(|o| o.id() == id)
    }
}

/// A Data safety form as read from (or written to) the Play Console CSV.
///
/// `Option` fields are `None` where the form leaves the question unanswered (or, for
/// [`Form::user_request_delete`], where the form version does not ask it).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Form {
    /// Does the app collect or share any of the required user data types
    /// (`PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA`).
    pub collects_data: Option<bool>,
    /// Is all user data the app collects encrypted in transit
    /// (`PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT`).
    pub encrypted_in_transit: Option<bool>,
    /// 2022 form: can users request that their data be deleted
    /// (`PSL_DATA_COLLECTION_USER_REQUEST_DELETE`). Written back only when set.
    pub user_request_delete: Option<bool>,
    /// Current form: the same question as a single choice (`PSL_SUPPORT_DATA_DELETION_BY_USER`).
    pub deletion_by_user: Option<DeletionOption>,
    /// Current form: link to request account deletion (`PSL_ACCOUNT_DELETION_URL`).
    pub account_deletion_url: Option<String>,
    /// Current form: link to request data deletion (`PSL_DATA_DELETION_URL`).
    pub data_deletion_url: Option<String>,
    /// Data types the form answers for, by Play id (`PSL_EMAIL`, `PSL_DEVICE_ID`...): every
    /// type ticked in `PSL_DATA_TYPES_*` and every type whose usage rows are answered
    /// although it is not ticked ([`Declared::listed`] is false for those).
    pub types: BTreeMap<String, Declared>,
    /// Answered rows of known questions this crate does not type (account creation methods,
    /// families policy, independent security review, badge, outside-app accounts), in form
    /// order; written back as they are.
    pub other: Vec<Answer>,
    /// What the parser did not understand or found inconsistent. Rows of unknown questions
    /// and unknown responses are kept here whole and written back by [`write_import`].
    pub unknown: Vec<FormAnomaly>,
}

/// What the form says about one data type.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Declared {
    /// The type is ticked in its `PSL_DATA_TYPES_<CATEGORY>` question.
    pub listed: bool,
    /// The `PSL_DATA_TYPES_<CATEGORY>` question the type belongs to (from the row when the
    /// type is ticked, from [`category_of`] otherwise; empty for an unknown type not ticked).
    pub category: String,
    /// "Is this data collected, shared, or both?": collected.
    pub collected: bool,
    /// "Is this data collected, shared, or both?": shared.
    pub shared: bool,
    /// "Is this data processed ephemerally?"; `None` when unanswered.
    pub ephemeral: Option<bool>,
    /// "Is this data required for your app, or can users choose whether it's collected?":
    /// `Some(true)` = users can choose, `Some(false)` = required, `None` = unanswered.
    pub optional: Option<bool>,
    /// Why the data is collected: purpose ids ([`PLAY_PURPOSES`]).
    pub collection_purposes: BTreeSet<String>,
    /// Why the data is shared: purpose ids ([`PLAY_PURPOSES`]).
    pub sharing_purposes: BTreeSet<String>,
    /// 1-based line of the type's `PSL_DATA_TYPES_*` row, or of its first answered usage row
    /// when it is not ticked; 0 for a form built in code.
    pub line: usize,
}

impl Declared {
    /// A type ticked in the form, with its category filled in from [`category_of`] (empty
    /// for an id not in [`PLAY_DATA_TYPES`]); everything else unanswered.
    pub fn new(type_id: &str) -> Declared {
        Declared {
            listed: true,
            category: category_of(type_id).unwrap_or_default().to_string(),
            ..Declared::default()
        }
    }
}

/// An answered row kept as it is (see [`Form::other`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// Question id.
    pub question: String,
    /// Response id; empty for yes/no and text questions.
    pub response: String,
    /// The value (`true`, `false`, or a text).
    pub value: String,
    /// 1-based line; 0 for a form built in code.
    pub line: usize,
}

/// A whole CSV row, as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// Question ID (machine readable).
    pub question: String,
    /// Response ID (machine readable).
    pub response: String,
    /// Response value.
    pub value: String,
    /// Answer requirement (`REQUIRED`, `MAYBE_REQUIRED`, `OPTIONAL`, `MULTIPLE_CHOICE`,
    /// `SINGLE_CHOICE`).
    pub requirement: String,
    /// Human-friendly question label, in the Console's language.
    pub label: String,
}

/// Something in a form the parser kept as data rather than understood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormAnomaly {
    /// 1-based line of the row (of the type's row for the per-type kinds); 0 when built in code.
    pub line: usize,
    /// What it is.
    pub kind: AnomalyKind,
}

/// The kinds of [`FormAnomaly`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum AnomalyKind {
    /// A question id this crate does not know, e.g. from a newer form. Written back.
    UnknownQuestion(Row),
    /// A known question with a response id this crate does not know (a new choice, a new
    /// collected/shared or user-control answer). Written back; not otherwise used.
    UnknownResponse(Row),
    /// A value that is not `true`, `false` or empty where the question is a yes/no or a
    /// choice. The row is ignored and not written back.
    BadValue(Row),
    /// A type id not in [`PLAY_DATA_TYPES`] (a newer form). It is in [`Form::types`].
    UnknownDataType {
        /// The type id.
        type_id: String,
    },
    /// A purpose id not in [`PLAY_PURPOSES`] (a newer form). It is in the type's purposes.
    UnknownPurpose {
        /// The type the purpose is given for.
        type_id: String,
        /// The purpose id.
        purpose: String,
    },
    /// Usage rows are answered for a type that is not ticked in `PSL_DATA_TYPES_*`.
    UsageForUnlistedType {
        /// The type id.
        type_id: String,
    },
    /// A type is ticked but neither "collected" nor "shared" is answered for it.
    ListedWithoutUsage {
        /// The type id.
        type_id: String,
    },
}

impl fmt::Display for FormAnomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: ", self.line)?;
        match &self.kind {
            AnomalyKind::UnknownQuestion(r) => write!(f, "unknown question {}", r.question),
            AnomalyKind::UnknownResponse(r) => {
                write!(f, "unknown response {:?} to {}", r.response, r.question)
            }
            AnomalyKind::BadValue(r) => {
                write!(f, "value {:?} for {} {}", r.value, r.question, r.response)
            }
            AnomalyKind::UnknownDataType { type_id } => write!(f, "unknown data type {type_id}"),
            AnomalyKind::UnknownPurpose { type_id, purpose } => {
                write!(f, "unknown purpose {purpose} for {type_id}")
            }
            AnomalyKind::UsageForUnlistedType { type_id } => {
                write!(f, "usage answered for {type_id}, which is not ticked")
            }
            AnomalyKind::ListedWithoutUsage { type_id } => {
                write!(f, "{type_id} is ticked but neither collected nor shared")
            }
        }
    }
}

/// Why a file is not a Data safety CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub kind: FormErrorKind,
}

/// The kinds of [`FormError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormErrorKind {
    /// The file has no rows at all.
    Empty,
    /// The first row is not [`HEADER`]; holds what it is.
    Header(Vec<String>),
    /// A row has other than five columns; holds how many.
    Columns(usize),
    /// The CSV itself is malformed; the reader's message.
    Csv(String),
}

impl fmt::Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Data safety CSV line {}: ", self.line)?;
        match &self.kind {
            FormErrorKind::Empty => write!(f, "the file is empty"),
            FormErrorKind::Header(found) => write!(
                f,
                "expected the header {:?}, found {:?}",
                HEADER.join(","),
                found.join(",")
            ),
            FormErrorKind::Columns(n) => write!(f, "expected 5 columns, found {n}"),
            FormErrorKind::Csv(msg) => write!(f, "malformed CSV: {msg}"),
        }
    }
}

impl std::error::Error for FormError {}

/// The `PSL_DATA_TYPES_<CATEGORY>` question of a Play data type id
/// (`PSL_EMAIL` → `PSL_DATA_TYPES_PERSONAL`); `None` for an id not in [`PLAY_DATA_TYPES`].
pub fn category_of(type_id: &str) -> Option<&'static str> {
    let label = play_data_type_label(type_id)?;
    let name = label.split(" / ").next()?;
    CATEGORIES.iter().find(|(n, _)| *n == name).map(|(_, q)| *q)
}

impl Form {
    /// The type if the form ticks it (`PSL_DATA_TYPES_*` says `true`).
    pub fn declares(&self, type_id: &str) -> Option<&Declared> {
        self.types.get(type_id).filter(|d| d.listed)
    }

    /// The ticked types, by id.
    pub fn declared(&self) -> impl Iterator<Item = (&str, &Declared)> {
        self.types
            .iter()
            .filter(|(_, d)| d.listed)
            .map(|(k, d)| (k.as_str(), d))
    }

    /// Whether any ticked type is shared.
    pub fn shares_data(&self) -> bool {
        self.declared().any(|(_, d)| d.shared)
    }

    /// Can users request deletion of their data, whichever form version answers it.
    pub fn deletion_request(&self) -> Option<bool> {
        match self.deletion_by_user {
            Some(o) => Some(o == DeletionOption::Yes),
            None => self.user_request_delete,
        }
    }

    /// Ticks `type_id` (for a draft), marks the form as collecting data, and returns the
    /// type's answers to fill in. An existing entry is kept and ticked.
    pub fn declare(&mut self, type_id: &str) -> &mut Declared {
        self.collects_data = Some(true);
        let d = self
            .types
            .entry(type_id.to_string())
            .or_insert_with(|| Declared::new(type_id));
        d.listed = true;
        if d.category.is_empty() {
            d.category = category_of(type_id).unwrap_or_default().to_string();
        }
        d
    }
}

/// How a multiple or single choice row reads: ticked, not ticked, or not a choice value.
fn choice(value: &str) -> Result<bool, ()> {
    if value.is_empty() || value.eq_ignore_ascii_case("false") {
        Ok(false)
    } else if value.eq_ignore_ascii_case("true") {
        Ok(true)
    } else {
        Err(())
    }
}

/// How a yes/no row reads.
fn yes_no(value: &str) -> Result<Option<bool>, ()> {
    if value.is_empty() {
        Ok(None)
    } else if value.eq_ignore_ascii_case("true") {
        Ok(Some(true))
    } else if value.eq_ignore_ascii_case("false") {
        Ok(Some(false))
    } else {
        Err(())
    }
}

/// Reads a Data safety CSV as the Play Console exports it (a UTF-8 BOM and CRLF line ends
/// are accepted). Errors name the line: an empty file, a header other than [`HEADER`], a
/// row without exactly five columns, malformed CSV. Rows the parser does not understand are
/// kept in [`Form::unknown`].
pub fn parse(text: &str) -> Result<Form, FormError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The line of a record from its byte offset: the csv crate's own line count is off
    // after CRLF line ends, and its byte offset may point at the '\n' that ends the line
    // before, so count the line ends up to and including that byte.
    let line_ends: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
    let line_at = |byte: u64| 1 + line_ends.partition_point(|&i| i as u64 <= byte);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut form = Form::default();
    let mut usage_lines: BTreeMap<String, usize> = BTreeMap::new();
    let mut header_seen = false;
    for record in reader.records() {
        let record = record.map_err(|e| FormError {
            line: e.position().map_or(0, |p| line_at(p.byte())),
            kind: FormErrorKind::Csv(e.to_string()),
        })?;
        let line = record.position().map_or(0, |p| line_at(p.byte()));
        if !header_seen {
            header_seen = true;
            if record.iter().ne(HEADER.iter().copied()) {
                return Err(FormError {
                    line,
                    kind: FormErrorKind::Header(record.iter().map(str::to_string).collect()),
                });
            }
            continue;
        }
        if record.len() != 5 {
            return Err(FormError {
                line,
                kind: FormErrorKind::Columns(record.len()),
            });
        }
        let row = Row {
            question: record[0].to_string(),
            response: record[1].to_string(),
            value: record[2].to_string(),
            requirement: record[3].to_string(),
            label: record[4].to_string(),
        };
        read_row(&mut form, &mut usage_lines, row, line);
    }
    if !header_seen {
        return Err(FormError {
            line: 1,
            kind: FormErrorKind::Empty,
        });
    }
    finish(&mut form, &usage_lines);
    Ok(form)
}

fn anomaly(form: &mut Form, line: usize, kind: AnomalyKind) {
    form.unknown.push(FormAnomaly { line, kind });
}

fn read_row(form: &mut Form, usage_lines: &mut BTreeMap<String, usize>, row: Row, line: usize) {
    let question = row.question.clone();
    let q = question.as_str();
    if let Some(rest) = q.strip_prefix(Q_USAGE_PREFIX) {
        return read_usage(form, usage_lines, rest, row, line);
    }
    if q.starts_with(Q_TYPES_PREFIX) {
        if row.response.is_empty() {
            return anomaly(form, line, AnomalyKind::UnknownResponse(row));
        }
        match choice(&row.value) {
            Err(()) => anomaly(form, line, AnomalyKind::BadValue(row)),
            Ok(false) => {}
            Ok(true) => {
                let d = form.types.entry(row.response.clone()).or_default();
                d.listed = true;
                d.category = row.question;
                d.line = line;
            }
        }
        return;
    }
    let yes_no_field = match q {
        Q_COLLECTS => Some(&mut form.collects_data),
        Q_ENCRYPTED => Some(&mut form.encrypted_in_transit),
        Q_USER_REQUEST_DELETE => Some(&mut form.user_request_delete),
        _ => None,
    };
    if let Some(field) = yes_no_field {
        match yes_no(&row.value) {
            Ok(v) => *field = v,
            Err(()) => anomaly(form, line, AnomalyKind::BadValue(row)),
        }
        return;
    }
    match q {
        Q_ACCOUNT_DELETION_URL | Q_DATA_DELETION_URL => {
            let field = if q == Q_ACCOUNT_DELETION_URL {
                &mut form.account_deletion_url
            } else {
                &mut form.data_deletion_url
            };
            *field = Some(row.value).filter(|v| !v.is_empty());
        }
        Q_DELETION_BY_USER => match (DeletionOption::from_id(&row.response), choice(&row.value)) {
            (None, _) => anomaly(form, line, AnomalyKind::UnknownResponse(row)),
            (Some(_), Err(())) => anomaly(form, line, AnomalyKind::BadValue(row)),
            (Some(o), Ok(true)) => form.deletion_by_user = Some(o),
            (Some(_), Ok(false)) => {}
        },
        _ => {
            let known_question = TOP_ROWS.iter().any(|t| t.question == q);
            let known = TOP_ROWS
                .iter()
                .any(|t| t.question == q && t.response == row.response);
            if !known_question {
                anomaly(form, line, AnomalyKind::UnknownQuestion(row));
            } else if !known {
                anomaly(form, line, AnomalyKind::UnknownResponse(row));
            } else if !row.value.is_empty() {
                form.other.push(Answer {
                    question: row.question,
                    response: row.response,
                    value: row.value,
                    line,
                });
            }
        }
    }
}

fn read_usage(
    form: &mut Form,
    usage_lines: &mut BTreeMap<String, usize>,
    rest: &str,
    row: Row,
    line: usize,
) {
    let Some((type_id, sub)) = rest.split_once(':') else {
        return anomaly(form, line, AnomalyKind::UnknownQuestion(row));
    };
    if type_id.is_empty() {
        return anomaly(form, line, AnomalyKind::UnknownQuestion(row));
    }
    // What the row sets, or None when it answers nothing.
    enum Set {
        Collected,
        Shared,
        Both,
        Ephemeral(bool),
        Optional(bool),
        CollectionPurpose,
        SharingPurpose,
    }
    let set = match sub {
        SUB_EPHEMERAL => match yes_no(&row.value) {
            Err(()) => return anomaly(form, line, AnomalyKind::BadValue(row)),
            Ok(None) => return,
            Ok(Some(v)) => Set::Ephemeral(v),
        },
        SUB_COLLECTION_AND_SHARING | SUB_USER_CONTROL => {
            let set = match (sub, row.response.as_str()) {
                (SUB_COLLECTION_AND_SHARING, R_ONLY_COLLECTED) => Set::Collected,
                (SUB_COLLECTION_AND_SHARING, R_ONLY_SHARED) => Set::Shared,
                (SUB_COLLECTION_AND_SHARING, R_COLLECTED_AND_SHARED) => Set::Both,
                (SUB_USER_CONTROL, R_USER_CONTROL_OPTIONAL) => Set::Optional(true),
                (SUB_USER_CONTROL, R_USER_CONTROL_REQUIRED) => Set::Optional(false),
                _ => return anomaly(form, line, AnomalyKind::UnknownResponse(row)),
            };
            match choice(&row.value) {
                Err(()) => return anomaly(form, line, AnomalyKind::BadValue(row)),
                Ok(false) => return,
                Ok(true) => set,
            }
        }
        SUB_COLLECTION_PURPOSE | SUB_SHARING_PURPOSE => {
            if row.response.is_empty() {
                return anomaly(form, line, AnomalyKind::UnknownResponse(row));
            }
            match choice(&row.value) {
                Err(()) => return anomaly(form, line, AnomalyKind::BadValue(row)),
                Ok(false) => return,
                Ok(true) if sub == SUB_COLLECTION_PURPOSE => Set::CollectionPurpose,
                Ok(true) => Set::SharingPurpose,
            }
        }
        _ => return anomaly(form, line, AnomalyKind::UnknownQuestion(row)),
    };
    usage_lines.entry(type_id.to_string()).or_insert(line);
    let d = form.types.entry(type_id.to_string()).or_default();
    match set {
        Set::Collected => d.collected = true,
        Set::Shared => d.shared = true,
        Set::Both => {
            d.collected = true;
            d.shared = true;
        }
        Set::Ephemeral(v) => d.ephemeral = Some(v),
        Set::Optional(v) => d.optional = Some(v),
        Set::CollectionPurpose => {
            d.collection_purposes.insert(row.response);
        }
        Set::SharingPurpose => {
            d.sharing_purposes.insert(row.response);
        }
    }
}

/// After all rows: lines and categories of types only seen in usage rows, and the per-type
/// anomalies (in type order, after the row anomalies).
fn finish(form: &mut Form, usage_lines: &BTreeMap<String, usize>) {
    let mut found = Vec::new();
    for (id, d) in &mut form.types {
        if !d.listed {
            d.line = usage_lines.get(id).copied().unwrap_or(0);
            d.category = category_of(id).unwrap_or_default().to_string();
        }
        let line = d.line;
        if play_data_type_label(id).is_none() {
            found.push(FormAnomaly {
                line,
                kind: AnomalyKind::UnknownDataType {
                    type_id: id.clone(),
                },
            });
        }
        for purpose in d.collection_purposes.iter().chain(&d.sharing_purposes) {
            if play_purpose_label(purpose).is_none() {
                found.push(FormAnomaly {
                    line,
                    kind: AnomalyKind::UnknownPurpose {
                        type_id: id.clone(),
                        purpose: purpose.clone(),
                    },
                });
            }
        }
        if !d.listed {
            found.push(FormAnomaly {
                line,
                kind: AnomalyKind::UsageForUnlistedType {
                    type_id: id.clone(),
                },
            });
        } else if !d.collected && !d.shared {
            found.push(FormAnomaly {
                line,
                kind: AnomalyKind::ListedWithoutUsage {
                    type_id: id.clone(),
                },
            });
        }
    }
    form.unknown.extend(found);
}

fn bool_value(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        ""
    }
}

fn yes_no_value(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "true",
        Some(false) => "false",
        None => "",
    }
}

/// The short name of a type in usage labels (`PSL_EMAIL` → "Email address").
fn short_label(type_id: &str) -> &str {
    play_data_type_label(type_id)
        .and_then(|l| l.split(" / ").nth(1))
        .unwrap_or(type_id)
}

/// Writes `form` in the Play Console's import format: the export's header and row shapes,
/// every row of the current form (answered or not: all data types and their usage
/// questions), English labels, CRLF line ends, quoting only where needed. Rows kept as
/// [`AnomalyKind::UnknownQuestion`] and [`AnomalyKind::UnknownResponse`] follow at the end,
/// as read. For a form as [`parse`] returns it, `parse(&write_import(&f))` gives `f` back,
/// line numbers aside, except its [`AnomalyKind::BadValue`] rows (ignored, so not written);
/// the same holds for a form built in code whose [`Form::unknown`] holds only rows to write
/// back.
pub fn write_import(form: &Form) -> String {
    let mut rows: Vec<[String; 5]> = Vec::new();
    let mut push = |q: &str, r: &str, v: &str, req: &str, label: &str| {
        rows.push([q, r, v, req, label].map(str::to_string));
    };
    for t in TOP_ROWS {
        let value = if t.typed {
            match t.question {
                Q_COLLECTS => yes_no_value(form.collects_data).to_string(),
                Q_ENCRYPTED => yes_no_value(form.encrypted_in_transit).to_string(),
                Q_USER_REQUEST_DELETE => {
                    if form.user_request_delete.is_none() {
                        continue; // the 2022 form's question: only when answered
                    }
                    yes_no_value(form.user_request_delete).to_string()
                }
                Q_ACCOUNT_DELETION_URL => form.account_deletion_url.clone().unwrap_or_default(),
                Q_DATA_DELETION_URL => form.data_deletion_url.clone().unwrap_or_default(),
                _ => bool_value(form.deletion_by_user.map(DeletionOption::id) == Some(t.response))
                    .to_string(),
            }
        } else {
            form.other
                .iter()
                .rev()
                .find(|a| a.question == t.question && a.response == t.response)
                .map(|a| a.value.clone())
                .unwrap_or_default()
        };
        push(t.question, t.response, &value, t.requirement, &top_label(t));
    }
    // Known types in form order, then unknown ones the form answers for.
    let mut type_ids: Vec<&str> = PLAY_DATA_TYPES.iter().map(|(id, _)| *id).collect();
    type_ids.extend(
        form.types
            .keys()
            .map(String::as_str)
            .filter(|id| play_data_type_label(id).is_none()),
    );
    for id in &type_ids {
        let d = form.types.get(*id);
        let category = match d {
            Some(d) if !d.category.is_empty() => d.category.as_str(),
            _ => match category_of(id) {
                Some(c) => c,
                None => continue, // unknown type with no category: only its usage rows
            },
        };
        let label = play_data_type_label(id).unwrap_or(id);
        push(
            category,
            id,
            bool_value(d.is_some_and(|d| d.listed)),
            MULTIPLE_CHOICE,
            label,
        );
    }
    let empty = Declared::default();
    for id in &type_ids {
        let d = form.types.get(*id).unwrap_or(&empty);
        let q = |sub: &str| format!("{Q_USAGE_PREFIX}{id}:{sub}");
        let handling = format!("Data usage and handling ({})", short_label(id));
        let both = format!("{handling} / Is this data collected, shared, or both?");
        push(
            &q(SUB_COLLECTION_AND_SHARING),
            R_ONLY_COLLECTED,
            bool_value(d.collected),
            MULTIPLE_CHOICE,
            &format!("{both} / Collected"),
        );
        push(
            &q(SUB_COLLECTION_AND_SHARING),
            R_ONLY_SHARED,
            bool_value(d.shared),
            MULTIPLE_CHOICE,
            &format!("{both} / Shared"),
        );
        push(
            &q(SUB_EPHEMERAL),
            "",
            yes_no_value(d.ephemeral),
            MAYBE_REQUIRED,
            &format!("{handling} / Is this data processed ephemerally?"),
        );
        let control = format!(
            "{handling} / Is this data required for your app, or can users choose whether it's collected?"
        );
        push(
            &q(SUB_USER_CONTROL),
            R_USER_CONTROL_OPTIONAL,
            bool_value(d.optional == Some(true)),
            SINGLE_CHOICE,
            &format!("{control} / Users can choose whether this data is collected"),
        );
        push(
            &q(SUB_USER_CONTROL),
            R_USER_CONTROL_REQUIRED,
            bool_value(d.optional == Some(false)),
            SINGLE_CHOICE,
            &format!(
                "{control} / Data collection is required (users can't turn off this data collection)"
            ),
        );
        for (sub, purposes, why) in [
            (SUB_COLLECTION_PURPOSE, &d.collection_purposes, "collected"),
            (SUB_SHARING_PURPOSE, &d.sharing_purposes, "shared"),
        ] {
            let known = PLAY_PURPOSES.iter().map(|(p, label)| (*p, *label));
            let unknown = purposes
                .iter()
                .map(String::as_str)
                .filter(|p| play_purpose_label(p).is_none())
                .map(|p| (p, p));
            for (purpose, label) in known.chain(unknown) {
                push(
                    &q(sub),
                    purpose,
                    bool_value(purposes.contains(purpose)),
                    MULTIPLE_CHOICE,
                    &format!("{handling} / Why is this user data {why}? Select all that apply. / {label}"),
                );
            }
        }
    }
    for a in &form.unknown {
        if let AnomalyKind::UnknownQuestion(r) | AnomalyKind::UnknownResponse(r) = &a.kind {
            push(&r.question, &r.response, &r.value, &r.requirement, &r.label);
        }
    }
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    // Writing to a Vec cannot fail, and every record has five fields.
    writer.write_record(HEADER).expect("write to Vec");
    for r in &rows {
        writer.write_record(r).expect("write to Vec");
    }
    let bytes = writer.into_inner().expect("flush to Vec");
    String::from_utf8(bytes).expect("UTF-8 in, UTF-8 out")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Builds CSV text in the Play Console export's shape, independently of [`write_import`]:
    /// its own row list and its own quoting, labels in another language with commas, quotes
    /// and line breaks as real exports have them.
    mod fixture {
        use trackscan_signatures::{PLAY_DATA_TYPES, PLAY_PURPOSES};

        pub struct Export {
            pub rows: Vec<[String; 5]>,
            pub bom: bool,
            pub crlf: bool,
        }

        const TOP_2024: &[(&str, &str, &str)] = &[
            ("PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA", "", "REQUIRED"),
            (
                "PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT",
                "",
                "MAYBE_REQUIRED",
            ),
            (
                "PSL_SUPPORTED_ACCOUNT_CREATION_METHODS",
                "PSL_ACM_USER_ID_PASSWORD",
                "MULTIPLE_CHOICE",
            ),
            (
                "PSL_SUPPORTED_ACCOUNT_CREATION_METHODS",
                "PSL_ACM_OAUTH",
                "MULTIPLE_CHOICE",
            ),
            (
                "PSL_SUPPORTED_ACCOUNT_CREATION_METHODS",
                "PSL_ACM_NONE",
                "MULTIPLE_CHOICE",
            ),
            ("PSL_ACM_SPECIFY", "", "MAYBE_REQUIRED"),
            ("PSL_ACCOUNT_DELETION_URL", "", "MAYBE_REQUIRED"),
            (
                "PSL_SUPPORT_DATA_DELETION_BY_USER",
                "DATA_DELETION_YES",
                "SINGLE_CHOICE",
            ),
            (
                "PSL_SUPPORT_DATA_DELETION_BY_USER",
                "DATA_DELETION_NO",
                "SINGLE_CHOICE",
            ),
            (
                "PSL_SUPPORT_DATA_DELETION_BY_USER",
                "DATA_DELETION_NO_AUTO_DELETED",
                "SINGLE_CHOICE",
            ),
            ("PSL_DATA_DELETION_URL", "", "MAYBE_REQUIRED"),
            ("PSL_DATA_COLLECTION_COMPLIES_FAMILY_POLICY", "", "OPTIONAL"),
            ("PSL_INDEPENDENTLY_VALIDATED", "", "OPTIONAL"),
        ];

        const TOP_2022: &[(&str, &str, &str)] = &[
            ("PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA", "", "REQUIRED"),
            (
                "PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT",
                "",
                "MAYBE_REQUIRED",
            ),
            (
                "PSL_DATA_COLLECTION_USER_REQUEST_DELETE",
                "",
                "MAYBE_REQUIRED",
            ),
            ("PSL_DATA_COLLECTION_COMPLIES_FAMILY_POLICY", "", "OPTIONAL"),
        ];

        fn category(type_label: &str) -> &'static str {
            match type_label.split(" / ").next().unwrap() {
                "Personal info" => "PSL_DATA_TYPES_PERSONAL",
                "Financial info" => "PSL_DATA_TYPES_FINANCIAL",
                "Location" => "PSL_DATA_TYPES_LOCATION",
                "Web browsing" => "PSL_DATA_TYPES_SEARCH_AND_BROWSING",
                "Messages" => "PSL_DATA_TYPES_EMAIL_AND_TEXT",
                "Photos and videos" => "PSL_DATA_TYPES_PHOTOS_AND_VIDEOS",
                "Audio files" => "PSL_DATA_TYPES_AUDIO",
                "Health and fitness" => "PSL_DATA_TYPES_HEALTH_AND_FITNESS",
                "Contacts" => "PSL_DATA_TYPES_CONTACTS",
                "Calendar" => "PSL_DATA_TYPES_CALENDAR",
                "App info and performance" => "PSL_DATA_TYPES_APP_PERFORMANCE",
                "Files and docs" => "PSL_DATA_TYPES_FILES_AND_DOCS",
                "App activity" => "PSL_DATA_TYPES_APP_ACTIVITY",
                "Device or other IDs" => "PSL_DATA_TYPES_IDENTIFIERS",
                other => panic!("category {other}"),
            }
        }

        impl Export {
            /// Every row of a form, unanswered; `y2022` for the 2022 form's first part.
            pub fn blank(y2022: bool) -> Export {
                let mut e = Export {
                    rows: Vec::new(),
                    bom: false,
                    crlf: true,
                };
                let top = if y2022 { TOP_2022 } else { TOP_2024 };
                for (i, (q, r, req)) in top.iter().enumerate() {
                    // Labels as a French export writes them: commas, doubled quotes.
                    let label = format!("Question {i}, répondez \"oui\" ou \"non\" / {r}");
                    e.push(q, r, "", req, &label);
                }
                for (id, label) in PLAY_DATA_TYPES {
                    // The French export breaks the line between category and type.
                    let fr = label.replace(" / ", "\n");
                    e.push(category(label), id, "", "MULTIPLE_CHOICE", &fr);
                }
                for (id, _) in PLAY_DATA_TYPES {
                    let q = |sub: &str| format!("PSL_DATA_USAGE_RESPONSES:{id}:{sub}");
                    let h = format!("Données ({id}), collectées, partagées ou les deux ?");
                    for r in [
                        "PSL_DATA_USAGE_ONLY_COLLECTED",
                        "PSL_DATA_USAGE_ONLY_SHARED",
                    ] {
                        e.push(
                            &q("PSL_DATA_USAGE_COLLECTION_AND_SHARING"),
                            r,
                            "",
                            "MULTIPLE_CHOICE",
                            &h,
                        );
                    }
                    e.push(&q("PSL_DATA_USAGE_EPHEMERAL"), "", "", "MAYBE_REQUIRED", &h);
                    for r in [
                        "PSL_DATA_USAGE_USER_CONTROL_OPTIONAL",
                        "PSL_DATA_USAGE_USER_CONTROL_REQUIRED",
                    ] {
                        e.push(&q("DATA_USAGE_USER_CONTROL"), r, "", "SINGLE_CHOICE", &h);
                    }
                    for sub in [
                        "DATA_USAGE_COLLECTION_PURPOSE",
                        "DATA_USAGE_SHARING_PURPOSE",
                    ] {
                        for (p, pl) in PLAY_PURPOSES {
                            e.push(&q(sub), p, "", "MULTIPLE_CHOICE", &format!("{h} / {pl}"));
                        }
                    }
                }
                e
            }

            pub fn push(&mut self, q: &str, r: &str, v: &str, req: &str, label: &str) {
                self.rows.push([q, r, v, req, label].map(str::to_string));
            }

            /// Sets the value of an existing row.
            pub fn set(&mut self, q: &str, r: &str, v: &str) -> &mut Export {
                let row = self
                    .rows
                    .iter_mut()
                    .find(|row| row[0] == q && row[1] == r)
                    .unwrap_or_else(|| panic!("no row {q} {r}"));
                row[2] = v.to_string();
                self
            }

            /// Sets a usage answer of a type.
            pub fn usage(&mut self, type_id: &str, sub: &str, r: &str, v: &str) -> &mut Export {
                self.set(&format!("PSL_DATA_USAGE_RESPONSES:{type_id}:{sub}"), r, v)
            }

            /// Ticks a type.
            pub fn tick(&mut self, type_id: &str) -> &mut Export {
                let q = self
                    .rows
                    .iter()
                    .find(|row| row[0].starts_with("PSL_DATA_TYPES_") && row[1] == type_id)
                    .map(|row| row[0].clone())
                    .unwrap();
                self.set(&q, type_id, "true")
            }

            fn field(f: &str) -> String {
                if f.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", f.replace('"', "\"\""))
                } else {
                    f.to_string()
                }
            }

            pub fn text(&self) -> String {
                let nl = if self.crlf { "\r\n" } else { "\n" };
                let mut s = String::new();
                if self.bom {
                    s.push('\u{feff}');
                }
                s.push_str(&super::HEADER.join(","));
                s.push_str(nl);
                for row in &self.rows {
                    let fields: Vec<String> = row.iter().map(|f| Self::field(f)).collect();
                    s.push_str(&fields.join(","));
                    s.push_str(nl);
                }
                s
            }

            /// The 1-based physical line where the row (question, response) starts.
            pub fn line_of(&self, q: &str, r: &str) -> usize {
                let mut line = 2;
                for row in &self.rows {
                    if row[0] == q && row[1] == r {
                        return line;
                    }
                    line += 1 + row.iter().map(|f| f.matches('\n').count()).sum::<usize>();
                }
                panic!("no row {q} {r}")
            }
        }
    }
    use fixture::Export;

    /// The export of an app that collects e-mail (collected, app functionality + account
    /// management, users can choose) and shares the device id for advertising.
    fn sample() -> Export {
        let mut e = Export::blank(false);
        e.set(Q_COLLECTS, "", "true")
            .set(Q_ENCRYPTED, "", "true")
            .set(
                Q_ACCOUNT_DELETION_URL,
                "",
                "https://example.org/delete?a=1,b=2",
            )
            .set(Q_DELETION_BY_USER, "DATA_DELETION_YES", "true")
            .set(ACM, "PSL_ACM_OAUTH", "true")
            .tick("PSL_EMAIL")
            .usage(
                "PSL_EMAIL",
                SUB_COLLECTION_AND_SHARING,
                R_ONLY_COLLECTED,
                "true",
            )
            .usage("PSL_EMAIL", SUB_EPHEMERAL, "", "false")
            .usage(
                "PSL_EMAIL",
                SUB_USER_CONTROL,
                R_USER_CONTROL_OPTIONAL,
                "true",
            )
            .usage(
                "PSL_EMAIL",
                SUB_COLLECTION_PURPOSE,
                "PSL_APP_FUNCTIONALITY",
                "true",
            )
            .usage(
                "PSL_EMAIL",
                SUB_COLLECTION_PURPOSE,
                "PSL_ACCOUNT_MANAGEMENT",
                "true",
            )
            .tick("PSL_DEVICE_ID")
            .usage(
                "PSL_DEVICE_ID",
                SUB_COLLECTION_AND_SHARING,
                R_ONLY_COLLECTED,
                "true",
            )
            .usage(
                "PSL_DEVICE_ID",
                SUB_COLLECTION_AND_SHARING,
                R_ONLY_SHARED,
                "true",
            )
            .usage(
                "PSL_DEVICE_ID",
                SUB_USER_CONTROL,
                R_USER_CONTROL_REQUIRED,
                "true",
            )
            .usage(
                "PSL_DEVICE_ID",
                SUB_COLLECTION_PURPOSE,
                "PSL_ANALYTICS",
                "true",
            )
            .usage(
                "PSL_DEVICE_ID",
                SUB_SHARING_PURPOSE,
                "PSL_ADVERTISING",
                "true",
            );
        e
    }

    fn set(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    /// The form with every line number set to 0, to compare contents.
    fn without_lines(f: &Form) -> Form {
        let mut f = f.clone();
        f.types.values_mut().for_each(|d| d.line = 0);
        f.other.iter_mut().for_each(|a| a.line = 0);
        f.unknown.iter_mut().for_each(|a| a.line = 0);
        f
    }

    #[test]
    fn export_shaped_fixture_parses() {
        let e = sample();
        let form = parse(&e.text()).unwrap();
        assert_eq!(form.collects_data, Some(true));
        assert_eq!(form.encrypted_in_transit, Some(true));
        assert_eq!(form.user_request_delete, None);
        assert_eq!(form.deletion_by_user, Some(DeletionOption::Yes));
        assert_eq!(form.deletion_request(), Some(true));
        assert_eq!(
            form.account_deletion_url.as_deref(),
            Some("https://example.org/delete?a=1,b=2")
        );
        assert_eq!(form.data_deletion_url, None);
        assert_eq!(form.types.len(), 2);
        assert!(form.unknown.is_empty(), "{:?}", form.unknown);
        assert_eq!(
            form.other,
            vec![Answer {
                question: ACM.into(),
                response: "PSL_ACM_OAUTH".into(),
                value: "true".into(),
                line: e.line_of(ACM, "PSL_ACM_OAUTH"),
            }]
        );
        let email = form.declares("PSL_EMAIL").unwrap();
        assert_eq!(
            *email,
            Declared {
                listed: true,
                category: "PSL_DATA_TYPES_PERSONAL".into(),
                collected: true,
                shared: false,
                ephemeral: Some(false),
                optional: Some(true),
                collection_purposes: set(&["PSL_APP_FUNCTIONALITY", "PSL_ACCOUNT_MANAGEMENT"]),
                sharing_purposes: BTreeSet::new(),
                line: e.line_of("PSL_DATA_TYPES_PERSONAL", "PSL_EMAIL"),
            }
        );
        let id = form.declares("PSL_DEVICE_ID").unwrap();
        assert!(id.collected && id.shared);
        assert_eq!(id.ephemeral, None);
        assert_eq!(id.optional, Some(false));
        assert_eq!(id.collection_purposes, set(&["PSL_ANALYTICS"]));
        assert_eq!(id.sharing_purposes, set(&["PSL_ADVERTISING"]));
        assert!(form.shares_data());
        assert!(form.declares("PSL_NAME").is_none());
        assert_eq!(
            form.declared().map(|(k, _)| k).collect::<Vec<_>>(),
            ["PSL_DEVICE_ID", "PSL_EMAIL"]
        );
    }

    #[test]
    fn quoted_labels_with_commas_quotes_and_line_breaks_keep_line_numbers() {
        let e = sample();
        let text = e.text();
        // The fixture really has multi-line quoted labels and doubled quotes.
        assert!(
            text.contains("\"Personal info\r\nEmail address\"")
                || text.contains("\"Personal info\nEmail address\"")
        );
        assert!(text.contains("\"\"oui\"\""));
        let form = parse(&text).unwrap();
        let line = form.types["PSL_DEVICE_ID"].line;
        assert_eq!(
            line,
            e.line_of("PSL_DATA_TYPES_IDENTIFIERS", "PSL_DEVICE_ID")
        );
        // Each of the 37 types before it adds a line break in its label.
        assert!(line > 2 + e.rows.len() - 38 * 19 - 38 + 37);
    }

    #[test]
    fn bom_crlf_and_lf_all_read_alike() {
        let mut e = sample();
        let crlf = parse(&e.text()).unwrap();
        e.bom = true;
        assert!(e.text().starts_with('\u{feff}'));
        let bom = parse(&e.text()).unwrap();
        e.crlf = false;
        let lf = parse(&e.text()).unwrap();
        assert_eq!(crlf, bom);
        assert_eq!(crlf, lf);
    }

    #[test]
    fn unknown_questions_and_responses_are_kept_and_written_back() {
        let mut e = sample();
        e.push(
            "PSL_NEW_QUESTION_2027",
            "",
            "true",
            "OPTIONAL",
            "A new question, with a comma",
        );
        e.push(ACM, "PSL_ACM_PASSKEY", "true", MULTIPLE_CHOICE, "Passkey");
        e.push(
            "PSL_DATA_USAGE_RESPONSES:PSL_EMAIL:DATA_USAGE_RETENTION",
            "PSL_RETENTION_30_DAYS",
            "",
            MULTIPLE_CHOICE,
            "",
        );
        e.push(
            "PSL_DATA_USAGE_RESPONSES:PSL_EMAIL:PSL_DATA_USAGE_COLLECTION_AND_SHARING",
            "PSL_DATA_USAGE_SOLD",
            "true",
            MULTIPLE_CHOICE,
            "",
        );
        let form = parse(&e.text()).unwrap();
        let rows: Vec<(&str, &str)> = form
            .unknown
            .iter()
            .map(|a| match &a.kind {
                AnomalyKind::UnknownQuestion(r) => ("question", r.question.as_str()),
                AnomalyKind::UnknownResponse(r) => ("response", r.response.as_str()),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("question", "PSL_NEW_QUESTION_2027"),
                ("response", "PSL_ACM_PASSKEY"),
                (
                    "question",
                    "PSL_DATA_USAGE_RESPONSES:PSL_EMAIL:DATA_USAGE_RETENTION"
                ),
                ("response", "PSL_DATA_USAGE_SOLD"),
            ]
        );
        assert_eq!(form.unknown[0].line, e.line_of("PSL_NEW_QUESTION_2027", ""));
        assert!(form.unknown[0]
            .to_string()
            .contains("unknown question PSL_NEW_QUESTION_2027"));
        // The typed part is untouched.
        assert_eq!(
            without_lines(&Form {
                unknown: vec![],
                ..form.clone()
            }),
            without_lines(&parse(&sample().text()).unwrap())
        );
        let again = parse(&write_import(&form)).unwrap();
        assert_eq!(without_lines(&again), without_lines(&form));
        let out = write_import(&form);
        assert!(out
            .contains("PSL_NEW_QUESTION_2027,,true,OPTIONAL,\"A new question, with a comma\"\r\n"));
    }

    #[test]
    fn the_2022_form_and_the_both_answer() {
        let mut e = Export::blank(true);
        e.set(Q_COLLECTS, "", "true")
            .set(Q_ENCRYPTED, "", "false")
            .set(Q_USER_REQUEST_DELETE, "", "true")
            .tick("PSL_AUDIO");
        // One real file answers "Both" with a single response id.
        e.push(
            "PSL_DATA_USAGE_RESPONSES:PSL_AUDIO:PSL_DATA_USAGE_COLLECTION_AND_SHARING",
            R_COLLECTED_AND_SHARED,
            "true",
            MULTIPLE_CHOICE,
            "Data usage and handling (Voice or sound recordings) / Is this data collected, shared, or both? / Both",
        );
        let form = parse(&e.text()).unwrap();
        assert_eq!(form.encrypted_in_transit, Some(false));
        assert_eq!(form.user_request_delete, Some(true));
        assert_eq!(form.deletion_by_user, None);
        assert_eq!(form.deletion_request(), Some(true));
        let audio = form.declares("PSL_AUDIO").unwrap();
        assert!(audio.collected && audio.shared);
        assert!(form.unknown.is_empty(), "{:?}", form.unknown);
        // Written back in the current form, the 2022 question kept because it is answered.
        let out = write_import(&form);
        assert!(out.contains("PSL_DATA_COLLECTION_USER_REQUEST_DELETE,,true,"));
        assert!(out.contains(&format!("{Q_DELETION_BY_USER},DATA_DELETION_YES,,")));
        assert_eq!(without_lines(&parse(&out).unwrap()), without_lines(&form));
    }

    #[test]
    fn inconsistencies_are_anomalies_not_errors() {
        let mut e = sample();
        // Usage answered for a type that is not ticked; a ticked type with no usage;
        // a value that is no boolean; a new type and a new purpose.
        e.usage(
            "PSL_NAME",
            SUB_COLLECTION_AND_SHARING,
            R_ONLY_COLLECTED,
            "true",
        )
        .tick("PSL_CONTACTS")
        .set(Q_ENCRYPTED, "", "yes")
        .usage("PSL_EMAIL", SUB_SHARING_PURPOSE, "PSL_ANALYTICS", "maybe");
        e.push(
            "PSL_DATA_TYPES_PERSONAL",
            "PSL_PASSKEYS",
            "true",
            MULTIPLE_CHOICE,
            "Personal info / Passkeys",
        );
        e.push(
            "PSL_DATA_USAGE_RESPONSES:PSL_PASSKEYS:PSL_DATA_USAGE_COLLECTION_AND_SHARING",
            R_ONLY_COLLECTED,
            "true",
            MULTIPLE_CHOICE,
            "",
        );
        e.push(
            "PSL_DATA_USAGE_RESPONSES:PSL_EMAIL:DATA_USAGE_COLLECTION_PURPOSE",
            "PSL_AI_TRAINING",
            "true",
            MULTIPLE_CHOICE,
            "",
        );
        let form = parse(&e.text()).unwrap();
        let kinds: Vec<String> = form
            .unknown
            .iter()
            .map(|a| format!("{:?}", a.kind))
            .collect();
        let has = |s: &str| kinds.iter().any(|k| k.contains(s));
        assert!(
            has("BadValue(Row { question: \"PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT\""),
            "{kinds:?}"
        );
        assert!(has("value: \"maybe\""), "{kinds:?}");
        assert!(
            has("UsageForUnlistedType { type_id: \"PSL_NAME\" }"),
            "{kinds:?}"
        );
        assert!(
            has("ListedWithoutUsage { type_id: \"PSL_CONTACTS\" }"),
            "{kinds:?}"
        );
        assert!(
            has("UnknownDataType { type_id: \"PSL_PASSKEYS\" }"),
            "{kinds:?}"
        );
        assert!(
            has("UnknownPurpose { type_id: \"PSL_EMAIL\", purpose: \"PSL_AI_TRAINING\" }"),
            "{kinds:?}"
        );
        assert_eq!(form.unknown.len(), 6, "{kinds:?}");
        assert_eq!(form.encrypted_in_transit, None);
        let name = &form.types["PSL_NAME"];
        assert!(!name.listed && name.collected);
        assert_eq!(name.category, "PSL_DATA_TYPES_PERSONAL");
        assert_eq!(
            name.line,
            e.line_of(
                "PSL_DATA_USAGE_RESPONSES:PSL_NAME:PSL_DATA_USAGE_COLLECTION_AND_SHARING",
                R_ONLY_COLLECTED
            )
        );
        assert!(form.declares("PSL_NAME").is_none());
        assert!(form.declares("PSL_PASSKEYS").unwrap().collected);
        assert!(form.types["PSL_EMAIL"]
            .collection_purposes
            .contains("PSL_AI_TRAINING"));
        // Everything but the bad values survives a rewrite.
        let again = parse(&write_import(&form)).unwrap();
        let expected = Form {
            unknown: form
                .unknown
                .iter()
                .filter(|a| !matches!(a.kind, AnomalyKind::BadValue(_)))
                .cloned()
                .collect(),
            ..form.clone()
        };
        assert_eq!(without_lines(&again), without_lines(&expected));
    }

    #[test]
    fn malformed_files_are_errors_naming_the_line() {
        assert_eq!(
            parse("").unwrap_err(),
            FormError {
                line: 1,
                kind: FormErrorKind::Empty
            }
        );
        let err = parse("Question,Response\nPSL_X,,true\n").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(matches!(err.kind, FormErrorKind::Header(ref h) if h == &["Question", "Response"]));
        assert!(err
            .to_string()
            .starts_with("Data safety CSV line 1: expected the header"));

        let mut e = sample();
        e.crlf = false;
        let mut text = e.text();
        text.push_str("PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA,,true,REQUIRED\n");
        let err = parse(&text).unwrap_err();
        assert_eq!(err.kind, FormErrorKind::Columns(4));
        assert_eq!(err.line, text.lines().count());
        assert_eq!(
            err.to_string(),
            format!(
                "Data safety CSV line {}: expected 5 columns, found 4",
                err.line
            )
        );

        // An unterminated quote swallows the rest of the file: one short row.
        let text = format!(
            "{}\nPSL_X,\"unterminated,true,REQUIRED,label\nPSL_Y,,true,REQUIRED,label\n",
            HEADER.join(",")
        );
        let err = parse(&text).unwrap_err();
        assert_eq!((err.line, err.kind), (2, FormErrorKind::Columns(2)));

        // A header alone is an empty form, not an error.
        assert_eq!(parse(&HEADER.join(",")).unwrap(), Form::default());
    }

    #[test]
    fn write_import_has_the_export_layout() {
        let form = parse(&sample().text()).unwrap();
        let out = write_import(&form);
        let lines: Vec<&str> = out.split_terminator("\r\n").collect();
        // The current form's export: header, 22 first-part rows, 38 types, 38 × 19 usage rows.
        assert_eq!(lines.len(), 1 + 22 + 38 + 38 * 19);
        assert_eq!(lines[0], HEADER.join(","));
        assert_eq!(
            lines[1],
            "PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA,,true,REQUIRED,Does your app collect or share any of the required user data types?"
        );
        assert!(lines.contains(
            &"PSL_DATA_TYPES_PERSONAL,PSL_EMAIL,true,MULTIPLE_CHOICE,Personal info / Email address"
        ));
        assert!(lines
            .contains(&"PSL_DATA_TYPES_PERSONAL,PSL_NAME,,MULTIPLE_CHOICE,Personal info / Name"));
        assert!(lines.contains(&"PSL_DATA_USAGE_RESPONSES:PSL_EMAIL:PSL_DATA_USAGE_COLLECTION_AND_SHARING,PSL_DATA_USAGE_ONLY_COLLECTED,true,MULTIPLE_CHOICE,\"Data usage and handling (Email address) / Is this data collected, shared, or both? / Collected\""));
        assert!(lines.contains(&"PSL_DATA_USAGE_RESPONSES:PSL_EMAIL:PSL_DATA_USAGE_EPHEMERAL,,false,MAYBE_REQUIRED,Data usage and handling (Email address) / Is this data processed ephemerally?"));
        assert!(lines.contains(&"PSL_DATA_USAGE_RESPONSES:PSL_DEVICE_ID:DATA_USAGE_SHARING_PURPOSE,PSL_ADVERTISING,true,MULTIPLE_CHOICE,Data usage and handling (Device or other IDs) / Why is this user data shared? Select all that apply. / Advertising or marketing"));
        assert!(lines.contains(&"PSL_ACCOUNT_DELETION_URL,,\"https://example.org/delete?a=1,b=2\",MAYBE_REQUIRED,Add a link that users can use to request that their account and associated data is deleted"));
        // Same rows as the fixture's export, whatever the order and labels.
        let mut ids: Vec<(String, String)> = lines[1..]
            .iter()
            .map(|l| {
                let mut f = l.splitn(3, ',');
                (f.next().unwrap().to_string(), f.next().unwrap().to_string())
            })
            .collect();
        ids.sort();
        ids.dedup();
        for row in &sample().rows {
            assert!(
                ids.binary_search(&(row[0].clone(), row[1].clone())).is_ok(),
                "{row:?}"
            );
        }
    }

    #[test]
    fn a_draft_built_in_code_reads_back() {
        let mut form = Form {
            encrypted_in_transit: Some(true),
            deletion_by_user: Some(DeletionOption::NoAutoDeleted),
            ..Form::default()
        };
        let d = form.declare("PSL_APPROX_LOCATION");
        d.collected = true;
        d.shared = true;
        d.sharing_purposes.insert("PSL_ADVERTISING".into());
        form.declare("PSL_CRASH_LOGS").collected = true;
        assert_eq!(form.collects_data, Some(true));
        assert_eq!(
            form.types["PSL_APPROX_LOCATION"].category,
            "PSL_DATA_TYPES_LOCATION"
        );
        assert_eq!(form.deletion_request(), Some(false));
        let back = parse(&write_import(&form)).unwrap();
        assert_eq!(without_lines(&back), form);
        assert!(back.unknown.is_empty());
    }

    #[test]
    fn categories_cover_every_play_type() {
        for (id, _) in PLAY_DATA_TYPES {
            assert!(category_of(id).is_some(), "{id}");
        }
        assert_eq!(
            category_of("PSL_DEVICE_ID"),
            Some("PSL_DATA_TYPES_IDENTIFIERS")
        );
        assert_eq!(category_of("PSL_NOPE"), None);
    }

    fn text() -> impl Strategy<Value = String> {
        // Commas, quotes, line breaks, non-ASCII: whatever a label or URL may hold.
        proptest::string::string_regex("[a-zA-Z0-9 ,\"'\r\n/:?=&éà中-]{1,24}").unwrap()
    }

    fn declared(id: &'static str) -> impl Strategy<Value = (String, Declared)> {
        let purposes = || {
            proptest::sample::subsequence(
                PLAY_PURPOSES
                    .iter()
                    .map(|(p, _)| p.to_string())
                    .collect::<Vec<_>>(),
                0..=PLAY_PURPOSES.len(),
            )
        };
        (
            any::<(bool, bool)>(),
            proptest::option::of(any::<bool>()),
            proptest::option::of(any::<bool>()),
            purposes(),
            purposes(),
        )
            .prop_map(move |((c, s), ephemeral, optional, cp, sp)| {
                let d = Declared {
                    collected: c || !s,
                    shared: s,
                    ephemeral,
                    optional,
                    collection_purposes: cp.into_iter().collect(),
                    sharing_purposes: sp.into_iter().collect(),
                    ..Declared::new(id)
                };
                (id.to_string(), d)
            })
    }

    fn form() -> impl Strategy<Value = Form> {
        let types = proptest::sample::subsequence(
            PLAY_DATA_TYPES
                .iter()
                .map(|(id, _)| *id)
                .collect::<Vec<_>>(),
            0..6,
        )
        .prop_flat_map(|ids| ids.into_iter().map(declared).collect::<Vec<_>>());
        let other_rows: Vec<(&str, &str)> = TOP_ROWS
            .iter()
            .filter(|t| !t.typed)
            .map(|t| (t.question, t.response))
            .collect();
        let other = proptest::sample::subsequence(other_rows.clone(), 0..=other_rows.len())
            .prop_flat_map(|rows| {
                rows.into_iter()
                    .map(|(q, r)| {
                        text().prop_map(move |v| Answer {
                            question: q.into(),
                            response: r.into(),
                            value: v,
                            line: 0,
                        })
                    })
                    .collect::<Vec<_>>()
            });
        let unknown_row = (
            prop_oneof![
                "PSL_NEW_[A-Z_]{1,10}",
                "PSL_DATA_USAGE_RESPONSES:PSL_EMAIL:PSL_NEW_[A-Z]{1,8}",
            ],
            "[A-Z_]{0,8}",
            proptest::option::of(text()),
            "[A-Z_]{0,8}",
            proptest::option::of(text()),
        )
            .prop_map(
                |(question, response, value, requirement, label)| FormAnomaly {
                    line: 0,
                    kind: AnomalyKind::UnknownQuestion(Row {
                        question,
                        response,
                        value: value.unwrap_or_default(),
                        requirement,
                        label: label.unwrap_or_default(),
                    }),
                },
            );
        let deletion = proptest::option::of(prop_oneof![
            Just(DeletionOption::Yes),
            Just(DeletionOption::No),
            Just(DeletionOption::NoAutoDeleted),
        ]);
        (
            proptest::option::of(any::<bool>()),
            proptest::option::of(any::<bool>()),
            proptest::option::of(any::<bool>()),
            deletion,
            proptest::option::of(text()),
            proptest::option::of(text()),
            types,
            other,
            proptest::collection::vec(unknown_row, 0..3),
        )
            .prop_map(|(c, e, u, del, au, du, types, other, unknown)| Form {
                collects_data: c,
                encrypted_in_transit: e,
                user_request_delete: u,
                deletion_by_user: del,
                account_deletion_url: au,
                data_deletion_url: du,
                types: types.into_iter().collect(),
                other,
                unknown,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn round_trip(f in form()) {
            let written = write_import(&f);
            let back = parse(&written).unwrap();
            prop_assert_eq!(without_lines(&back), f);
            // And the written text is a fixed point.
            prop_assert_eq!(write_import(&back), written);
        }
    }
}
