//! CSV and Parquet exports of a JSON Lines journal, both streaming (Parquet in
//! row groups of [`BATCH_ROWS`]).

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, ListBuilder, StringBuilder, UInt32Builder, UInt64Builder, UInt8Builder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use serde_json::Value;

use crate::runner::BatchError;
use crate::util::{arr, error_count, obj, opt_bool, opt_str, opt_u64, str_of, strs, tracker_key};

/// Rows per Arrow record batch (and so per Parquet row group at most).
pub const BATCH_ROWS: usize = 1024;

/// The CSV header (see `docs/schema.md`).
pub const CSV_COLUMNS: &[&str] = &[
    "file",
    "sha256",
    "package",
    "version_code",
    "version_name",
    "trackers",
    "tracker_names",
    "hosts",
    "pinned_hosts",
    "score",
    "grade",
    "errors",
];

/// The score and grade of a row: [`crate::score::row_score`] (`None` = not graded).
pub(crate) fn score_of(doc: &Value) -> Option<(u8, String)> {
    crate::score::row_score(doc).map(|(v, g)| (v, g.to_string()))
}

/// The host a pinning entry applies to; `None` for pins found without one (a
/// bundled certificate: the scanner writes `"(unknown)"`), which are not pinned hosts.
pub(crate) fn pin_host(p: &Value) -> Option<&str> {
    opt_str(p, "host").filter(|h| !h.is_empty() && *h != "(unknown)")
}

/// Distinct pinned hosts of a document (pins without a host excluded).
pub(crate) fn pinned_host_count(doc: &Value) -> usize {
    pinned_hosts(doc)
}

fn pinned_hosts(doc: &Value) -> usize {
    let mut hosts: Vec<&str> = arr(doc, "pinning").iter().filter_map(pin_host).collect();
    hosts.sort_unstable();
    hosts.dedup();
    hosts.len()
}

fn tracker_names(doc: &Value) -> String {
    arr(doc, "trackers")
        .iter()
        .map(|t| opt_str(t, "name").unwrap_or_else(|| tracker_key(t)))
        .collect::<Vec<_>>()
        .join(";")
}

/// Quotes a CSV field (RFC 4180). Fields starting with `=`, `+`, `@`, tab or CR
/// get a leading `'` so spreadsheets do not evaluate APK-controlled strings.
pub fn csv_field(s: &str) -> String {
    let guarded;
    let s = if s.starts_with(['=', '+', '@', '\t', '\r']) {
        guarded = format!("'{s}");
        guarded.as_str()
    } else {
        s
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One CSV line (with trailing newline) for a per-app document.
/// `score` and `grade` are empty for unreadable apps (`"score": null` in the JSON).
pub fn csv_row(doc: &Value) -> String {
    let (score, grade) = match score_of(doc) {
        Some((v, g)) => (v.to_string(), g),
        None => (String::new(), String::new()),
    };
    let fields = [
        csv_field(str_of(doc, "file")),
        csv_field(str_of(doc, "sha256")),
        csv_field(str_of(doc, "package")),
        opt_u64(doc, "version_code")
            .map(|v| v.to_string())
            .unwrap_or_default(),
        csv_field(str_of(doc, "version_name")),
        arr(doc, "trackers").len().to_string(),
        csv_field(&tracker_names(doc)),
        arr(doc, "hosts").len().to_string(),
        pinned_hosts(doc).to_string(),
        score,
        grade,
        error_count(doc).to_string(),
    ];
    let mut line = fields.join(",");
    line.push('\n');
    line
}

/// Calls `f` on every JSON-object line of a journal (other lines are skipped).
fn each_row(
    jsonl: &Path,
    mut f: impl FnMut(Value) -> Result<(), BatchError>,
) -> Result<(), BatchError> {
    let err = |error: io::Error| BatchError::Output {
        path: jsonl.to_path_buf(),
        error,
    };
    let mut r = BufReader::new(File::open(jsonl).map_err(err)?);
    let mut line = Vec::new();
    loop {
        line.clear();
        if r.read_until(b'\n', &mut line).map_err(err)? == 0 {
            return Ok(());
        }
        if let Ok(v) = serde_json::from_slice::<Value>(&line) {
            if v.is_object() {
                f(v)?;
            }
        }
    }
}

/// Writes the CSV summary of a journal to `csv`.
pub fn jsonl_to_csv(jsonl: &Path, csv: &Path) -> Result<(), BatchError> {
    let err = |error: io::Error| BatchError::Output {
        path: csv.to_path_buf(),
        error,
    };
    let mut w = BufWriter::new(File::create(csv).map_err(err)?);
    writeln!(w, "{}", CSV_COLUMNS.join(",")).map_err(err)?;
    each_row(jsonl, |doc| {
        w.write_all(csv_row(&doc).as_bytes()).map_err(err)
    })?;
    w.flush().map_err(err)
}

/// The schema of `apps.parquet`.
pub fn apps_schema() -> SchemaRef {
    let u32f = |n: &str| Field::new(n, DataType::UInt32, false);
    Arc::new(Schema::new(vec![
        Field::new("file", DataType::Utf8, false),
        Field::new("sha256", DataType::Utf8, true),
        Field::new("size", DataType::UInt64, true),
        Field::new("package", DataType::Utf8, true),
        Field::new("version_code", DataType::UInt64, true),
        Field::new("version_name", DataType::Utf8, true),
        Field::new("min_sdk", DataType::UInt32, true),
        Field::new("target_sdk", DataType::UInt32, true),
        Field::new("label", DataType::Utf8, true),
        u32f("permissions"),
        u32f("trackers"),
        Field::new("tracker_names", DataType::Utf8, false),
        u32f("libraries"),
        u32f("hosts"),
        u32f("pinned_hosts"),
        Field::new("score", DataType::UInt8, true),
        Field::new("grade", DataType::Utf8, true),
        Field::new("debuggable", DataType::Boolean, true),
        Field::new("allow_backup", DataType::Boolean, true),
        Field::new("signer_sha256", DataType::Utf8, true),
        Field::new("dex_classes", DataType::UInt64, true),
        u32f("warnings"),
        u32f("errors"),
    ]))
}

/// The schema of `trackers.parquet` (one row per app × tracker).
pub fn trackers_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("sha256", DataType::Utf8, true),
        Field::new("package", DataType::Utf8, true),
        Field::new("version_code", DataType::UInt64, true),
        Field::new("tracker_id", DataType::Utf8, false),
        Field::new("name", DataType::Utf8, false),
        Field::new(
            "categories",
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            false,
        ),
        Field::new("confidence", DataType::Utf8, true),
        Field::new("sdk_version", DataType::Utf8, true),
    ]))
}

fn n32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn opt_u32(v: &Value, key: &str) -> Option<u32> {
    opt_u64(v, key).and_then(|n| u32::try_from(n).ok())
}

#[derive(Default)]
struct Apps {
    rows: usize,
    file: StringBuilder,
    sha256: StringBuilder,
    size: UInt64Builder,
    package: StringBuilder,
    version_code: UInt64Builder,
    version_name: StringBuilder,
    min_sdk: UInt32Builder,
    target_sdk: UInt32Builder,
    label: StringBuilder,
    permissions: UInt32Builder,
    trackers: UInt32Builder,
    tracker_names: StringBuilder,
    libraries: UInt32Builder,
    hosts: UInt32Builder,
    pinned_hosts: UInt32Builder,
    score: UInt8Builder,
    grade: StringBuilder,
    debuggable: BooleanBuilder,
    allow_backup: BooleanBuilder,
    signer: StringBuilder,
    dex_classes: UInt64Builder,
    warnings: UInt32Builder,
    errors: UInt32Builder,
}

impl Apps {
    fn push(&mut self, d: &Value) {
        self.rows = self.rows.saturating_add(1);
        let score = score_of(d);
        let app = obj(d, "application");
        self.file.append_value(str_of(d, "file"));
        self.sha256.append_option(opt_str(d, "sha256"));
        self.size.append_option(opt_u64(d, "size"));
        self.package.append_option(opt_str(d, "package"));
        self.version_code.append_option(opt_u64(d, "version_code"));
        self.version_name.append_option(opt_str(d, "version_name"));
        self.min_sdk.append_option(opt_u32(d, "min_sdk"));
        self.target_sdk.append_option(opt_u32(d, "target_sdk"));
        self.label.append_option(opt_str(d, "label"));
        self.permissions
            .append_value(n32(arr(d, "permissions").len()));
        self.trackers.append_value(n32(arr(d, "trackers").len()));
        self.tracker_names.append_value(tracker_names(d));
        self.libraries.append_value(n32(arr(d, "libraries").len()));
        self.hosts.append_value(n32(arr(d, "hosts").len()));
        self.pinned_hosts.append_value(n32(pinned_hosts(d)));
        self.score.append_option(score.as_ref().map(|s| s.0));
        self.grade.append_option(score.map(|s| s.1));
        self.debuggable.append_option(opt_bool(app, "debuggable"));
        self.allow_backup
            .append_option(opt_bool(app, "allow_backup"));
        self.signer.append_option(
            arr(obj(d, "signing"), "certificates")
                .first()
                .and_then(|c| opt_str(c, "sha256")),
        );
        self.dex_classes
            .append_option(opt_u64(obj(d, "dex"), "classes"));
        self.warnings.append_value(n32(arr(d, "warnings").len()));
        self.errors.append_value(n32(error_count(d)));
    }

    fn finish(&mut self) -> Vec<ArrayRef> {
        self.rows = 0;
        vec![
            Arc::new(self.file.finish()),
            Arc::new(self.sha256.finish()),
            Arc::new(self.size.finish()),
            Arc::new(self.package.finish()),
            Arc::new(self.version_code.finish()),
            Arc::new(self.version_name.finish()),
            Arc::new(self.min_sdk.finish()),
            Arc::new(self.target_sdk.finish()),
            Arc::new(self.label.finish()),
            Arc::new(self.permissions.finish()),
            Arc::new(self.trackers.finish()),
            Arc::new(self.tracker_names.finish()),
            Arc::new(self.libraries.finish()),
            Arc::new(self.hosts.finish()),
            Arc::new(self.pinned_hosts.finish()),
            Arc::new(self.score.finish()),
            Arc::new(self.grade.finish()),
            Arc::new(self.debuggable.finish()),
            Arc::new(self.allow_backup.finish()),
            Arc::new(self.signer.finish()),
            Arc::new(self.dex_classes.finish()),
            Arc::new(self.warnings.finish()),
            Arc::new(self.errors.finish()),
        ]
    }
}

struct Trackers {
    rows: usize,
    sha256: StringBuilder,
    package: StringBuilder,
    version_code: UInt64Builder,
    id: StringBuilder,
    name: StringBuilder,
    categories: ListBuilder<StringBuilder>,
    confidence: StringBuilder,
    sdk_version: StringBuilder,
}

impl Trackers {
    fn new() -> Self {
        Trackers {
            rows: 0,
            sha256: StringBuilder::new(),
            package: StringBuilder::new(),
            version_code: UInt64Builder::new(),
            id: StringBuilder::new(),
            name: StringBuilder::new(),
            categories: ListBuilder::new(StringBuilder::new()),
            confidence: StringBuilder::new(),
            sdk_version: StringBuilder::new(),
        }
    }

    fn push(&mut self, d: &Value, t: &Value) {
        self.rows = self.rows.saturating_add(1);
        self.sha256.append_option(opt_str(d, "sha256"));
        self.package.append_option(opt_str(d, "package"));
        self.version_code.append_option(opt_u64(d, "version_code"));
        self.id.append_value(tracker_key(t));
        self.name.append_value(str_of(t, "name"));
        for c in strs(t, "categories") {
            self.categories.values().append_value(c);
        }
        self.categories.append(true);
        self.confidence.append_option(opt_str(t, "confidence"));
        self.sdk_version.append_option(opt_str(t, "sdk_version"));
    }

    fn finish(&mut self) -> Vec<ArrayRef> {
        self.rows = 0;
        vec![
            Arc::new(self.sha256.finish()),
            Arc::new(self.package.finish()),
            Arc::new(self.version_code.finish()),
            Arc::new(self.id.finish()),
            Arc::new(self.name.finish()),
            Arc::new(self.categories.finish()),
            Arc::new(self.confidence.finish()),
            Arc::new(self.sdk_version.finish()),
        ]
    }
}

fn writer(path: &Path, schema: SchemaRef) -> Result<ArrowWriter<File>, BatchError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|error| BatchError::Output {
            path: parent.to_path_buf(),
            error,
        })?;
    }
    let file = File::create(path).map_err(|error| BatchError::Output {
        path: path.to_path_buf(),
        error,
    })?;
    let props = WriterProperties::builder()
        .set_compression(Compression::UNCOMPRESSED)
        .build();
    ArrowWriter::try_new(file, schema, Some(props)).map_err(|e| export(path, e))
}

fn export(path: &Path, e: impl std::fmt::Display) -> BatchError {
    BatchError::Export {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn flush(
    w: &mut ArrowWriter<File>,
    path: &Path,
    schema: &SchemaRef,
    cols: Vec<ArrayRef>,
) -> Result<(), BatchError> {
    let batch = RecordBatch::try_new(schema.clone(), cols).map_err(|e| export(path, e))?;
    w.write(&batch).map_err(|e| export(path, e))
}

/// Writes `apps` (one row per document) and `trackers` (one row per document ×
/// tracker) Parquet files from a journal, uncompressed, streaming.
pub fn jsonl_to_parquet(jsonl: &Path, apps: &Path, trackers: &Path) -> Result<(), BatchError> {
    let (sa, st) = (apps_schema(), trackers_schema());
    let mut wa = writer(apps, sa.clone())?;
    let mut wt = writer(trackers, st.clone())?;
    let mut a = Apps::default();
    let mut t = Trackers::new();
    each_row(jsonl, |doc| {
        a.push(&doc);
        for tr in arr(&doc, "trackers") {
            t.push(&doc, tr);
        }
        if a.rows >= BATCH_ROWS {
            flush(&mut wa, apps, &sa, a.finish())?;
        }
        if t.rows >= BATCH_ROWS {
            flush(&mut wt, trackers, &st, t.finish())?;
        }
        Ok(())
    })?;
    if a.rows > 0 {
        flush(&mut wa, apps, &sa, a.finish())?;
    }
    if t.rows > 0 {
        flush(&mut wt, trackers, &st, t.finish())?;
    }
    wa.close().map_err(|e| export(apps, e))?;
    wt.close().map_err(|e| export(trackers, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Array, StringArray, UInt8Array};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use serde_json::json;

    #[test]
    fn hostless_pins_are_not_pinned_hosts() {
        let d = json!({"pinning": [
            {"host": "(unknown)", "mechanism": "bundled_certificate"},
            {"mechanism": "bundled_certificate"},
            {"host": "api.example", "mechanism": "okhttp"},
            {"host": "api.example", "mechanism": "nsc"}]});
        assert_eq!(pinned_host_count(&d), 1);
        assert_eq!(pin_host(&json!({"host": "(unknown)"})), None);
        assert_eq!(pin_host(&json!({"host": ""})), None);
        assert_eq!(pin_host(&json!({"host": "a.b"})), Some("a.b"));
    }

    /// A readable app with a score, an unreadable one (`"score": null`), an old-style error row
    /// without a `score` key, and a readable one without a `score` key (computed).
    fn docs() -> Vec<Value> {
        let mut readable = json!({"file": "ok.apk", "package": "com.ok", "dex": {"files": 1}});
        crate::attach_score(&mut readable, false);
        let mut fatal = json!({"file": "bad.apk", "errors": ["bad.apk: not an APK"]});
        crate::attach_score(&mut fatal, true);
        vec![
            readable,
            fatal,
            json!({"file": "old.apk", "errors": ["timeout: scan exceeded 1s"]}),
            json!({"file": "noscore.apk", "package": "com.n",
                   "application": {"debuggable": true}}),
        ]
    }

    #[test]
    fn unreadable_apps_have_no_score_in_csv_and_parquet() {
        let d = docs();
        assert_eq!(score_of(&d[0]), Some((100, "A".to_string())));
        assert_eq!(score_of(&d[1]), None);
        assert_eq!(score_of(&d[2]), None);
        // debuggable (10) + allowBackup unset (3).
        assert_eq!(score_of(&d[3]), Some((87, "B".to_string())));

        let col = |row: &str, name: &str| -> String {
            let i = CSV_COLUMNS.iter().position(|c| *c == name).unwrap();
            row.trim_end().split(',').nth(i).unwrap().to_string()
        };
        let rows: Vec<String> = d.iter().map(csv_row).collect();
        assert_eq!(
            (col(&rows[0], "score"), col(&rows[0], "grade")),
            ("100".into(), "A".into())
        );
        assert_eq!(
            (col(&rows[1], "score"), col(&rows[1], "grade")),
            (String::new(), String::new())
        );
        assert_eq!(col(&rows[1], "errors"), "1");
        assert_eq!(col(&rows[2], "score"), "");
        assert_eq!(col(&rows[3], "score"), "87");

        let t = tempfile::tempdir().unwrap();
        let journal = t.path().join("rows.jsonl");
        let text: String = d.iter().map(|v| format!("{v}\n")).collect();
        std::fs::write(&journal, text).unwrap();
        let csv = t.path().join("out.csv");
        jsonl_to_csv(&journal, &csv).unwrap();
        let csv_text = std::fs::read_to_string(&csv).unwrap();
        let csv_lines: Vec<&str> = csv_text.lines().skip(1).collect();
        assert_eq!(
            csv_lines,
            rows.iter().map(|r| r.trim_end()).collect::<Vec<_>>()
        );

        let (apps, trackers) = (t.path().join("a.parquet"), t.path().join("t.parquet"));
        jsonl_to_parquet(&journal, &apps, &trackers).unwrap();
        let batch = ParquetRecordBatchReaderBuilder::try_new(File::open(&apps).unwrap())
            .unwrap()
            .build()
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        let schema = batch.schema();
        let field = schema.field_with_name("score").unwrap();
        assert!(field.is_nullable());
        let score = batch
            .column_by_name("score")
            .unwrap()
            .as_any()
            .downcast_ref::<UInt8Array>()
            .unwrap()
            .clone();
        let grade = batch
            .column_by_name("grade")
            .unwrap()
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap()
            .clone();
        let got: Vec<Option<u8>> = (0..4)
            .map(|i| score.is_valid(i).then(|| score.value(i)))
            .collect();
        assert_eq!(got, [Some(100), None, None, Some(87)]);
        assert!(grade.is_null(1) && grade.is_null(2));
        assert_eq!(grade.value(3), "B");
    }
}
