//! CSV and Parquet exports of a JSON Lines journal, both streaming (Parquet in
//! row groups of [`BATCH_ROWS`]). The Parquet tables ([`TABLES`]: `apps`,
//! `app_trackers`, `app_hosts`, `app_pins`, `errors`, `app_label`) are described once, as
//! [`Table`] constants, which give both the Arrow schema and the column order.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
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

use crate::error::BatchError;
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

/// Tracker names of a document (its `id` where a tracker has no name), in document order.
fn tracker_name_list(doc: &Value) -> Vec<&str> {
    arr(doc, "trackers")
        .iter()
        .map(|t| opt_str(t, "name").unwrap_or_else(|| tracker_key(t)))
        .collect()
}

fn tracker_names(doc: &Value) -> String {
    tracker_name_list(doc).join(";")
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

/// The type of a Parquet table column (the Arrow type it is written with).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Arrow `Utf8` (Parquet `BYTE_ARRAY` / `STRING`).
    Utf8,
    /// Arrow `UInt64`.
    UInt64,
    /// Arrow `UInt32`.
    UInt32,
    /// Arrow `UInt8`.
    UInt8,
    /// Arrow `Boolean`.
    Boolean,
    /// Arrow `List<Utf8>` (a Parquet list of strings; item field `item`, nullable).
    Utf8List,
}

impl ColumnType {
    /// The Arrow data type.
    pub fn data_type(self) -> DataType {
        match self {
            ColumnType::Utf8 => DataType::Utf8,
            ColumnType::UInt64 => DataType::UInt64,
            ColumnType::UInt32 => DataType::UInt32,
            ColumnType::UInt8 => DataType::UInt8,
            ColumnType::Boolean => DataType::Boolean,
            ColumnType::Utf8List => {
                DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
            }
        }
    }

    /// The name `docs/schema.md` uses (`Utf8`, `UInt32`, `List<Utf8>`, …).
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Utf8 => "Utf8",
            ColumnType::UInt64 => "UInt64",
            ColumnType::UInt32 => "UInt32",
            ColumnType::UInt8 => "UInt8",
            ColumnType::Boolean => "Boolean",
            ColumnType::Utf8List => "List<Utf8>",
        }
    }
}

/// One column of a Parquet table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Column name.
    pub name: &'static str,
    /// Column type.
    pub ty: ColumnType,
    /// Whether the column may hold nulls.
    pub nullable: bool,
}

/// One of the Parquet tables `trackscan batch --format parquet -o DIR` writes
/// as `DIR/<name>.parquet` (see `docs/schema.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    /// Table name; the file is `<name>.parquet`.
    pub name: &'static str,
    /// The columns, in file order. Every table has `sha256`.
    pub columns: &'static [Column],
}

impl Table {
    /// The table's file name, `<name>.parquet`.
    pub fn file_name(&self) -> String {
        format!("{}.parquet", self.name)
    }

    /// The Arrow schema of the table.
    pub fn schema(&self) -> SchemaRef {
        Arc::new(Schema::new(
            self.columns
                .iter()
                .map(|c| Field::new(c.name, c.ty.data_type(), c.nullable))
                .collect::<Vec<_>>(),
        ))
    }
}

const fn col(name: &'static str, ty: ColumnType, nullable: bool) -> Column {
    Column { name, ty, nullable }
}

use ColumnType::{Boolean, UInt32, UInt64, UInt8, Utf8, Utf8List};

/// `apps`: one row per batch row (input file).
pub const APPS: Table = Table {
    name: "apps",
    columns: &[
        col("file", Utf8, false),
        col("sha256", Utf8, true),
        col("size", UInt64, true),
        col("package", Utf8, true),
        col("version_code", UInt64, true),
        col("version_name", Utf8, true),
        col("min_sdk", UInt32, true),
        col("target_sdk", UInt32, true),
        col("label", Utf8, true),
        col("permissions", UInt32, false),
        col("trackers", UInt32, false),
        col("tracker_names", Utf8List, false),
        col("libraries", UInt32, false),
        col("hosts", UInt32, false),
        col("pinned_hosts", UInt32, false),
        col("score", UInt8, true),
        col("grade", Utf8, true),
        col("debuggable", Boolean, true),
        col("allow_backup", Boolean, true),
        col("signer_sha256", Utf8, true),
        col("dex_classes", UInt64, true),
        col("warnings", UInt32, false),
        col("errors", UInt32, false),
    ],
};

/// `app_trackers`: one row per app (distinct `sha256`) × detected tracker.
pub const APP_TRACKERS: Table = Table {
    name: "app_trackers",
    columns: &[
        col("sha256", Utf8, true),
        col("package", Utf8, true),
        col("version_code", UInt64, true),
        col("tracker_id", Utf8, false),
        col("name", Utf8, false),
        col("categories", Utf8List, false),
        col("confidence", Utf8, true),
        col("sdk_version", Utf8, true),
    ],
};

/// `app_hosts`: one row per app (distinct `sha256`) × host.
pub const APP_HOSTS: Table = Table {
    name: "app_hosts",
    columns: &[
        col("sha256", Utf8, true),
        col("host", Utf8, false),
        col("owner", Utf8, true),
        col("sources", Utf8List, false),
    ],
};

/// `app_pins`: one row per app (distinct `sha256`) × pin (a pinning entry without
/// pin values, e.g. a pinning trust manager, is one row with a null `value`).
pub const APP_PINS: Table = Table {
    name: "app_pins",
    columns: &[
        col("sha256", Utf8, true),
        col("host", Utf8, true),
        col("include_subdomains", Boolean, true),
        col("kind", Utf8, false),
        col("algorithm", Utf8, true),
        col("value", Utf8, true),
        col("expires", Utf8, true),
        col("source", Utf8, true),
        col("tracker", Utf8, true),
    ],
};

/// `app_label`: one row per app (distinct `sha256`) × Play data type of its Data safety label
/// check (the `label` a row of `trackscan batch --labels DIR` carries; rows without one have
/// none). Read through [`crate::label_view`].
pub const APP_LABEL: Table = Table {
    name: "app_label",
    columns: &[
        col("sha256", Utf8, true),
        col("package", Utf8, true),
        col("version_code", UInt64, true),
        col("label_file", Utf8, true),
        col("has_label", Boolean, false),
        col("data_type", Utf8, false),
        col("type_label", Utf8, true),
        col("verdict", Utf8, false),
        col("declared_collected", Boolean, true),
        col("declared_shared", Boolean, true),
        col("sdks", Utf8List, false),
        col("shared", Boolean, false),
        col("mismatches", Utf8, true),
        col("evidence", Utf8, true),
        col("evidence_count", UInt32, false),
    ],
};

/// `errors`: one row per app (distinct `sha256`, or `file` when unhashed) × error message.
pub const ERRORS: Table = Table {
    name: "errors",
    columns: &[
        col("sha256", Utf8, true),
        col("file", Utf8, false),
        col("message", Utf8, false),
    ],
};

/// `timeline` (`trackscan timeline --parquet FILE`): the long format of a timeline, one row
/// per package × readable release × SDK present in it, plus one `removed` row in the release
/// an SDK left. `change` is `added` (first release with it, or back after a gap), `changed`
/// (its version or code differs from the previous readable release; `detail` says how),
/// `present` or `removed`.
pub const TIMELINE: Table = Table {
    name: "timeline",
    columns: &[
        col("package", Utf8, false),
        col("version_code", UInt64, true),
        col("version_name", Utf8, true),
        col("file", Utf8, false),
        col("sha256", Utf8, true),
        col("release_index", UInt32, false),
        col("sdk", Utf8, false),
        col("sdk_name", Utf8, false),
        col("sdk_version", Utf8, true),
        col("change", Utf8, false),
        col("detail", Utf8, true),
    ],
};

/// Writes `tl` as the [`TIMELINE`] table to `path` (trackers; unreadable releases have no
/// rows). Returns `path`.
pub fn timeline_to_parquet(
    tl: &crate::timeline::Timeline,
    path: &Path,
) -> Result<PathBuf, BatchError> {
    let mut sink = Sink::create(TIMELINE, path)?;
    for p in &tl.packages {
        let names: std::collections::BTreeMap<&str, &str> = p
            .trackers
            .iter()
            .map(|t| (t.id.as_str(), t.name.as_str()))
            .collect();
        let mut prev: Option<usize> = None;
        for (i, r) in p.releases.iter().enumerate() {
            if r.unreadable {
                continue;
            }
            let diff = prev.and_then(|a| p.diffs.iter().find(|d| d.from == a && d.to == i));
            let before = prev.and_then(|a| p.releases.get(a));
            let mut emit =
                |sdk: &str, version: Option<&str>, change: &str, detail: Option<String>| {
                    sink.push([
                        Cell::S(Some(p.package.as_str())),
                        Cell::U64(r.version_code),
                        Cell::S(r.version_name.as_deref()),
                        Cell::S(Some(r.file.as_str())),
                        Cell::S(r.sha256.as_deref()),
                        Cell::U32(Some(n32(i))),
                        Cell::S(Some(sdk)),
                        Cell::S(Some(names.get(sdk).copied().unwrap_or(sdk))),
                        Cell::S(version),
                        Cell::S(Some(change)),
                        Cell::S(detail.as_deref()),
                    ])
                };
            for (k, id) in r.trackers.iter().enumerate() {
                let version = r.tracker_versions.get(k).and_then(|v| v.as_deref());
                let was = before.is_some_and(|b| b.trackers.contains(id));
                let block = diff.and_then(|d| d.diff.sdks.iter().find(|s| &s.id == id));
                let (change, detail) = match (was, block) {
                    (false, _) => ("added", None),
                    (true, Some(b)) if b.version.is_some() || b.code.is_some() => {
                        let mut parts = Vec::new();
                        if let Some((a, z)) = &b.version {
                            parts.push(format!("version {a} -> {z}"));
                        }
                        if let Some((a, z)) = &b.code {
                            parts.push(format!("code {a} -> {z}"));
                        }
                        ("changed", Some(parts.join("; ")))
                    }
                    _ => ("present", None),
                };
                emit(id, version, change, detail)?;
            }
            if let Some(b) = before {
                for (k, id) in b.trackers.iter().enumerate() {
                    if !r.trackers.contains(id) {
                        let version = b.tracker_versions.get(k).and_then(|v| v.as_deref());
                        emit(id, version, "removed", None)?;
                    }
                }
            }
            prev = Some(i);
        }
    }
    sink.close()
}

/// Every table of `trackscan batch --format parquet`, in the order they are written.
pub const TABLES: &[Table] = &[APPS, APP_TRACKERS, APP_HOSTS, APP_PINS, ERRORS, APP_LABEL];

/// The schema of the `apps` table.
pub fn apps_schema() -> SchemaRef {
    APPS.schema()
}

fn n32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn opt_u32(v: &Value, key: &str) -> Option<u32> {
    opt_u64(v, key).and_then(|n| u32::try_from(n).ok())
}

/// One value of a row, matching its column's [`ColumnType`].
enum Cell<'a> {
    S(Option<&'a str>),
    U64(Option<u64>),
    U32(Option<u32>),
    U8(Option<u8>),
    B(Option<bool>),
    L(Vec<&'a str>),
}

enum Builder {
    S(StringBuilder),
    U64(UInt64Builder),
    U32(UInt32Builder),
    U8(UInt8Builder),
    B(BooleanBuilder),
    L(ListBuilder<StringBuilder>),
}

impl Builder {
    fn new(ty: ColumnType) -> Self {
        match ty {
            Utf8 => Builder::S(StringBuilder::new()),
            UInt64 => Builder::U64(UInt64Builder::new()),
            UInt32 => Builder::U32(UInt32Builder::new()),
            UInt8 => Builder::U8(UInt8Builder::new()),
            Boolean => Builder::B(BooleanBuilder::new()),
            Utf8List => Builder::L(ListBuilder::new(StringBuilder::new())),
        }
    }

    /// Appends `c`; a cell of the wrong kind (a bug) appends null, which the
    /// writer rejects for a non-nullable column (an error, not a panic).
    fn push(&mut self, c: Cell<'_>) {
        match (self, c) {
            (Builder::S(b), Cell::S(v)) => b.append_option(v),
            (Builder::U64(b), Cell::U64(v)) => b.append_option(v),
            (Builder::U32(b), Cell::U32(v)) => b.append_option(v),
            (Builder::U8(b), Cell::U8(v)) => b.append_option(v),
            (Builder::B(b), Cell::B(v)) => b.append_option(v),
            (Builder::L(b), Cell::L(v)) => {
                for s in v {
                    b.values().append_value(s);
                }
                b.append(true);
            }
            (b, _) => {
                debug_assert!(false, "cell of the wrong type");
                match b {
                    Builder::S(b) => b.append_null(),
                    Builder::U64(b) => b.append_null(),
                    Builder::U32(b) => b.append_null(),
                    Builder::U8(b) => b.append_null(),
                    Builder::B(b) => b.append_null(),
                    Builder::L(b) => b.append(false),
                }
            }
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::S(b) => Arc::new(b.finish()),
            Builder::U64(b) => Arc::new(b.finish()),
            Builder::U32(b) => Arc::new(b.finish()),
            Builder::U8(b) => Arc::new(b.finish()),
            Builder::B(b) => Arc::new(b.finish()),
            Builder::L(b) => Arc::new(b.finish()),
        }
    }
}

/// A table being written: builders for the current row group and the file writer.
struct Sink {
    table: Table,
    schema: SchemaRef,
    path: PathBuf,
    writer: ArrowWriter<File>,
    cols: Vec<Builder>,
    rows: usize,
}

impl Sink {
    fn create(table: Table, path: &Path) -> Result<Self, BatchError> {
        let schema = table.schema();
        Ok(Sink {
            table,
            writer: writer(path, schema.clone())?,
            schema,
            path: path.to_path_buf(),
            cols: table.columns.iter().map(|c| Builder::new(c.ty)).collect(),
            rows: 0,
        })
    }

    fn push<'a>(&mut self, cells: impl IntoIterator<Item = Cell<'a>>) -> Result<(), BatchError> {
        let mut n = 0usize;
        for (b, c) in self.cols.iter_mut().zip(cells) {
            b.push(c);
            n = n.saturating_add(1);
        }
        if n != self.cols.len() {
            return Err(export(&self.path, "row of the wrong width"));
        }
        self.rows = self.rows.saturating_add(1);
        if self.rows >= BATCH_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), BatchError> {
        if self.rows == 0 {
            return Ok(());
        }
        self.rows = 0;
        let cols = self.cols.iter_mut().map(Builder::finish).collect();
        let batch =
            RecordBatch::try_new(self.schema.clone(), cols).map_err(|e| export(&self.path, e))?;
        self.writer.write(&batch).map_err(|e| export(&self.path, e))
    }

    fn close(mut self) -> Result<PathBuf, BatchError> {
        self.flush()?;
        self.writer.close().map_err(|e| export(&self.path, e))?;
        Ok(self.path)
    }

    /// Appends the rows `doc` contributes to this table. `first` is false for a
    /// document whose content (`sha256`) already contributed its per-app rows.
    fn add(&mut self, d: &Value, first: bool) -> Result<(), BatchError> {
        let sha = || Cell::S(opt_str(d, "sha256"));
        match self.table.name {
            "apps" => self.push(apps_row(d)),
            _ if !first => Ok(()),
            "app_trackers" => {
                for t in arr(d, "trackers") {
                    self.push([
                        sha(),
                        Cell::S(opt_str(d, "package")),
                        Cell::U64(opt_u64(d, "version_code")),
                        Cell::S(Some(tracker_key(t))),
                        Cell::S(Some(str_of(t, "name"))),
                        Cell::L(strs(t, "categories").collect()),
                        Cell::S(opt_str(t, "confidence")),
                        Cell::S(opt_str(t, "sdk_version")),
                    ])?;
                }
                Ok(())
            }
            "app_hosts" => {
                for h in arr(d, "hosts") {
                    let Some(host) = opt_str(h, "host").filter(|s| !s.is_empty()) else {
                        continue;
                    };
                    self.push([
                        sha(),
                        Cell::S(Some(host)),
                        Cell::S(opt_str(h, "tracker")),
                        Cell::L(strs(h, "sources").collect()),
                    ])?;
                }
                Ok(())
            }
            "app_pins" => {
                for p in arr(d, "pinning") {
                    let source = arr(p, "evidence")
                        .iter()
                        .find_map(|e| opt_str(e, "location"));
                    let pins = arr(p, "pins");
                    if pins.is_empty() {
                        self.push(pin_row(d, p, source, None))?;
                    }
                    for pin in pins {
                        self.push(pin_row(d, p, source, Some(pin)))?;
                    }
                }
                Ok(())
            }
            "app_label" => {
                let Some(check) = crate::label_view::label_view(d) else {
                    return Ok(());
                };
                let file = crate::label_view::label_file(d);
                for t in &check.types {
                    let mismatches: Vec<String> = t.mismatches.iter().map(|m| m.line()).collect();
                    let mismatches = (!mismatches.is_empty()).then(|| mismatches.join("; "));
                    self.push([
                        sha(),
                        Cell::S(opt_str(d, "package")),
                        Cell::U64(opt_u64(d, "version_code")),
                        Cell::S(file.as_deref()),
                        Cell::B(Some(check.has_label)),
                        Cell::S(Some(t.data_type.as_str())),
                        Cell::S(Some(t.label.as_str()).filter(|l| !l.is_empty())),
                        Cell::S(Some(t.verdict.key())),
                        Cell::B(t.declared.as_ref().map(|x| x.collected)),
                        Cell::B(t.declared.as_ref().map(|x| x.shared)),
                        Cell::L(t.sdks.iter().map(String::as_str).collect()),
                        Cell::B(Some(t.shared)),
                        Cell::S(mismatches.as_deref()),
                        Cell::S(t.evidence_lines.first().map(String::as_str)),
                        Cell::U32(Some(n32(t.evidence_lines.len()))),
                    ])?;
                }
                Ok(())
            }
            "errors" => {
                for m in strs(d, "errors") {
                    self.push([sha(), Cell::S(Some(str_of(d, "file"))), Cell::S(Some(m))])?;
                }
                Ok(())
            }
            other => Err(export(&self.path, format!("unknown table {other}"))),
        }
    }
}

fn pin_row<'a>(
    d: &'a Value,
    p: &'a Value,
    source: Option<&'a str>,
    pin: Option<&'a Value>,
) -> [Cell<'a>; 9] {
    let pin_str = |k: &str| pin.and_then(|v| opt_str(v, k));
    [
        Cell::S(opt_str(d, "sha256")),
        Cell::S(pin_host(p)),
        Cell::B(opt_bool(p, "include_subdomains")),
        Cell::S(Some(opt_str(p, "mechanism").unwrap_or("unknown"))),
        Cell::S(pin_str("algorithm")),
        Cell::S(pin_str("digest")),
        Cell::S(pin_str("expires")),
        Cell::S(source),
        Cell::S(opt_str(p, "tracker")),
    ]
}

fn apps_row(d: &Value) -> [Cell<'_>; 23] {
    let score = crate::score::row_score(d);
    let app = obj(d, "application");
    [
        Cell::S(Some(str_of(d, "file"))),
        Cell::S(opt_str(d, "sha256")),
        Cell::U64(opt_u64(d, "size")),
        Cell::S(opt_str(d, "package")),
        Cell::U64(opt_u64(d, "version_code")),
        Cell::S(opt_str(d, "version_name")),
        Cell::U32(opt_u32(d, "min_sdk")),
        Cell::U32(opt_u32(d, "target_sdk")),
        Cell::S(opt_str(d, "label")),
        Cell::U32(Some(n32(arr(d, "permissions").len()))),
        Cell::U32(Some(n32(arr(d, "trackers").len()))),
        Cell::L(tracker_name_list(d)),
        Cell::U32(Some(n32(arr(d, "libraries").len()))),
        Cell::U32(Some(n32(arr(d, "hosts").len()))),
        Cell::U32(Some(n32(pinned_hosts(d)))),
        Cell::U8(score.map(|s| s.0)),
        Cell::S(score.map(|s| s.1)),
        Cell::B(opt_bool(app, "debuggable")),
        Cell::B(opt_bool(app, "allow_backup")),
        Cell::S(
            arr(obj(d, "signing"), "certificates")
                .first()
                .and_then(|c| opt_str(c, "sha256")),
        ),
        Cell::U64(opt_u64(obj(d, "dex"), "classes")),
        Cell::U32(Some(n32(arr(d, "warnings").len()))),
        Cell::U32(Some(n32(error_count(d)))),
    ]
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

/// Streams a journal into the given tables, each written to its path.
/// Per-app tables other than `apps` take each content (`sha256`; `file` for a
/// row without one) once: the first row wins, so a duplicate input, which has
/// its own `apps` row, shares its original's rows and joins on `sha256` stay
/// one-to-many. Memory: one row group per table plus the set of keys seen.
fn write_tables(jsonl: &Path, tables: &[(Table, PathBuf)]) -> Result<Vec<PathBuf>, BatchError> {
    let mut sinks = tables
        .iter()
        .map(|(t, p)| Sink::create(*t, p))
        .collect::<Result<Vec<_>, _>>()?;
    let mut seen: HashSet<String> = HashSet::new();
    each_row(jsonl, |doc| {
        let key = match opt_str(&doc, "sha256") {
            Some(s) => s.to_string(),
            None => format!("file:{}", str_of(&doc, "file")),
        };
        let first = seen.insert(key);
        for s in &mut sinks {
            s.add(&doc, first)?;
        }
        Ok(())
    })?;
    sinks.into_iter().map(Sink::close).collect()
}

/// Writes every table of [`TABLES`] from a journal into `dir` (created if
/// needed) as `dir/<name>.parquet`, uncompressed, streaming (row groups of at
/// most [`BATCH_ROWS`]); returns the paths written, in [`TABLES`] order.
pub fn jsonl_to_tables(jsonl: &Path, dir: &Path) -> Result<Vec<PathBuf>, BatchError> {
    let tables: Vec<(Table, PathBuf)> = TABLES
        .iter()
        .map(|t| (*t, dir.join(t.file_name())))
        .collect();
    write_tables(jsonl, &tables)
}

/// Writes only the `apps` and `app_trackers` tables of a journal, to the given
/// paths (the Python wheel's Ray pipeline uses this; same rows as
/// [`jsonl_to_tables`]).
pub fn jsonl_to_parquet(jsonl: &Path, apps: &Path, trackers: &Path) -> Result<(), BatchError> {
    write_tables(
        jsonl,
        &[
            (APPS, apps.to_path_buf()),
            (APP_TRACKERS, trackers.to_path_buf()),
        ],
    )
    .map(|_| ())
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

        let tables = jsonl_to_tables(&journal, t.path()).unwrap();
        let apps = tables[0].clone();
        assert!(apps.ends_with("apps.parquet"));
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

    /// Every row group of a Parquet file, read back with the `parquet` crate's reader.
    fn read_back(path: &Path) -> Vec<RecordBatch> {
        ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap())
            .unwrap()
            .build()
            .unwrap()
            .map(|b| b.unwrap())
            .collect()
    }

    /// The column `name` of all batches as optional strings (lists joined by `|`).
    fn strings(batches: &[RecordBatch], name: &str) -> Vec<Option<String>> {
        use arrow_array::ListArray;
        let mut out = Vec::new();
        for b in batches {
            let c = b
                .column_by_name(name)
                .unwrap_or_else(|| panic!("no {name}"));
            if let Some(s) = c.as_any().downcast_ref::<StringArray>() {
                out.extend((0..s.len()).map(|i| s.is_valid(i).then(|| s.value(i).to_string())));
            } else if let Some(l) = c.as_any().downcast_ref::<ListArray>() {
                for i in 0..l.len() {
                    let v = l.value(i);
                    let v = v.as_any().downcast_ref::<StringArray>().unwrap();
                    let items: Vec<&str> = (0..v.len()).map(|j| v.value(j)).collect();
                    out.push(l.is_valid(i).then(|| items.join("|")));
                }
            } else {
                panic!("{name}: not a string or list column");
            }
        }
        out
    }

    /// Two apps with trackers, hosts and pins, a duplicate input of the first,
    /// an unreadable app and a missing input without a hash.
    fn batch_docs() -> Vec<Value> {
        let a = json!({"file": "a.apk", "sha256": "aa", "package": "com.a", "version_code": 3,
            "dex": {"files": 1, "classes": 10},
            "trackers": [
                {"id": "adm", "name": "AdMob", "categories": ["Advertisement"], "confidence": "high",
                 "sdk_version": "22.1.0"},
                {"id": "fa", "name": "Firebase Analytics", "categories": ["Analytics", "Profiling"],
                 "confidence": "medium"}],
            "hosts": [
                {"host": "googleads.g.doubleclick.net", "sources": ["classes.dex"], "tracker": "adm"},
                {"host": "api.a.example", "sources": ["classes.dex", "res/values/strings.xml"],
                 "tracker": null}],
            "pinning": [
                {"host": "api.a.example", "include_subdomains": true, "mechanism": "nsc",
                 "pins": [{"algorithm": "sha256", "digest": "AAAA=", "expires": "2030-01-01"},
                          {"algorithm": "sha256", "digest": "BBBB=", "expires": "2030-01-01"}],
                 "evidence": [{"kind": "nsc", "location": "res/xml/network_security_config.xml",
                               "value": "pin-set"}], "tracker": null},
                {"host": "(unknown)", "include_subdomains": false, "mechanism": "bundled_cert",
                 "pins": [], "evidence": [], "tracker": null}]});
        let mut a = a;
        a["data_safety_file"] = json!("labels/com.a.csv");
        a["data_safety"] = json!({"has_label": true, "label_collects": true,
            "counts": {"undeclared": 1, "consistent": 1, "declared_not_seen": 0, "possible": 0},
            "types": [
                {"data_type": "PSL_EMAIL", "label": "Personal info / Email address",
                 "verdict": "undeclared", "declared": null, "sdks": ["google-crashlytics"],
                 "shared": false, "mismatches": [], "evidence": [],
                 "evidence_lines": ["app code com.a.Login.done hands email to Google CrashLytics (setUserEmail)",
                                    "second line"], "left_out": []},
                {"data_type": "PSL_DEVICE_ID", "label": "Device or other IDs / Device or other IDs",
                 "verdict": "consistent",
                 "declared": {"collected": true, "shared": false, "collection_purposes": ["PSL_ANALYTICS"],
                              "sharing_purposes": [], "line": 12},
                 "sdks": ["adm", "fa"], "shared": true,
                 "mismatches": [{"mismatch": "shared_not_declared", "sdks": ["adm"]}],
                 "evidence": [], "evidence_lines": [], "left_out": []}],
            "switches": [], "dormant": [], "label_anomalies": []});
        let mut dup = a.clone();
        dup["file"] = json!("copy-of-a.apk");
        let b = json!({"file": "b.apk", "sha256": "bb", "package": "com.b", "dex": {"files": 1},
            "label": "B, the app's own label", "data_safety_file": null,
            "trackers": [{"id": "fa", "name": "Firebase Analytics", "categories": ["Analytics"]}],
            "hosts": [{"host": "b.example", "sources": ["assets/x"], "tracker": null}],
            "warnings": ["zip: odd"]});
        let mut bad = json!({"file": "bad.apk", "sha256": "cc",
            "errors": ["AndroidManifest.xml: missing from the app", "classes.dex: truncated"]});
        crate::attach_score(&mut bad, true);
        let gone = json!({"file": "/nonexistent/gone.apk", "sha256": null, "score": null,
            "errors": ["/nonexistent/gone.apk: cannot read: No such file or directory"]});
        vec![a, dup, b, bad, gone]
    }

    #[test]
    fn tables_read_back_with_their_schemas_and_join_on_sha256() {
        let t = tempfile::tempdir().unwrap();
        let journal = t.path().join("rows.jsonl");
        let text: String = batch_docs().iter().map(|v| format!("{v}\n")).collect();
        std::fs::write(&journal, format!("{text}not json\n")).unwrap();
        let dir = t.path().join("tables");
        let paths = jsonl_to_tables(&journal, &dir).unwrap();
        let names: Vec<String> = paths
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "apps.parquet",
                "app_trackers.parquet",
                "app_hosts.parquet",
                "app_pins.parquet",
                "errors.parquet",
                "app_label.parquet"
            ]
        );
        let mut read = std::collections::BTreeMap::new();
        for (table, path) in TABLES.iter().zip(&paths) {
            let batches = read_back(path);
            // Columns, types and nullability as declared (and documented).
            let schema = batches[0].schema();
            assert_eq!(schema.fields().len(), table.columns.len(), "{}", table.name);
            for (f, c) in schema.fields().iter().zip(table.columns) {
                assert_eq!(f.name(), c.name, "{}", table.name);
                assert_eq!(
                    f.data_type(),
                    &c.ty.data_type(),
                    "{}.{}",
                    table.name,
                    c.name
                );
                assert_eq!(f.is_nullable(), c.nullable, "{}.{}", table.name, c.name);
            }
            assert!(table.columns.iter().any(|c| c.name == "sha256"));
            read.insert(table.name, batches);
        }
        let rows = |n: &str| read[n].iter().map(RecordBatch::num_rows).sum::<usize>();
        // One apps row per input; per-app rows once per content (the copy of a.apk shares them).
        assert_eq!(rows("apps"), 5);
        assert_eq!(rows("app_trackers"), 3);
        assert_eq!(rows("app_hosts"), 3);
        assert_eq!(rows("app_pins"), 3);
        assert_eq!(rows("errors"), 3);
        // The label check of a.apk: one row per data type, once (not again for its copy); b.apk's
        // `label` is its app label (a string), not a check.
        assert_eq!(rows("app_label"), 2);

        let s = |n: &str, c: &str| strings(&read[n], c);
        let some = |v: &[&str]| v.iter().map(|x| Some(x.to_string())).collect::<Vec<_>>();
        assert_eq!(
            s("apps", "tracker_names"),
            some(&[
                "AdMob|Firebase Analytics",
                "AdMob|Firebase Analytics",
                "Firebase Analytics",
                "",
                ""
            ])
        );
        assert_eq!(
            s("app_trackers", "categories"),
            some(&["Advertisement", "Analytics|Profiling", "Analytics"])
        );
        assert_eq!(s("app_hosts", "owner"), [Some("adm".into()), None, None]);
        assert_eq!(
            s("app_hosts", "sources")[1].as_deref(),
            Some("classes.dex|res/values/strings.xml")
        );
        // Two NSC pins, and the bundled certificate without a host or a value.
        assert_eq!(
            s("app_pins", "host"),
            [
                Some("api.a.example".into()),
                Some("api.a.example".into()),
                None
            ]
        );
        assert_eq!(
            s("app_pins", "value"),
            [Some("AAAA=".into()), Some("BBBB=".into()), None]
        );
        assert_eq!(s("app_pins", "kind"), some(&["nsc", "nsc", "bundled_cert"]));
        assert_eq!(
            s("app_pins", "source")[0].as_deref(),
            Some("res/xml/network_security_config.xml")
        );
        assert_eq!(
            s("errors", "sha256"),
            [Some("cc".into()), Some("cc".into()), None]
        );
        assert_eq!(
            s("errors", "file")[2].as_deref(),
            Some("/nonexistent/gone.apk")
        );

        // Joins on sha256: every child row finds its app, and apps ⋈ app_trackers gives each
        // input (the duplicate included) its trackers exactly once.
        let app_sha = s("apps", "sha256");
        assert_eq!(s("app_label", "sha256"), some(&["aa", "aa"]));
        assert_eq!(s("app_label", "package"), some(&["com.a", "com.a"]));
        assert_eq!(
            s("app_label", "label_file"),
            some(&["labels/com.a.csv", "labels/com.a.csv"])
        );
        assert_eq!(
            s("app_label", "data_type"),
            some(&["PSL_EMAIL", "PSL_DEVICE_ID"])
        );
        assert_eq!(
            s("app_label", "verdict"),
            some(&["undeclared", "consistent"])
        );
        assert_eq!(
            s("app_label", "sdks"),
            some(&["google-crashlytics", "adm|fa"])
        );
        assert_eq!(
            s("app_label", "mismatches"),
            [
                None,
                Some("shared with third parties, not declared shared (adm)".into())
            ]
        );
        assert_eq!(
            s("app_label", "evidence"),
            [
                Some(
                    "app code com.a.Login.done hands email to Google CrashLytics (setUserEmail)"
                        .into()
                ),
                None
            ]
        );
        {
            use arrow_array::{BooleanArray, UInt32Array};
            let b = &read["app_label"][0];
            let bools = |c: &str| -> Vec<Option<bool>> {
                let a = b
                    .column_by_name(c)
                    .unwrap()
                    .as_any()
                    .downcast_ref::<BooleanArray>()
                    .unwrap()
                    .clone();
                (0..a.len())
                    .map(|i| a.is_valid(i).then(|| a.value(i)))
                    .collect()
            };
            assert_eq!(bools("has_label"), [Some(true), Some(true)]);
            assert_eq!(bools("declared_collected"), [None, Some(true)]);
            assert_eq!(bools("declared_shared"), [None, Some(false)]);
            assert_eq!(bools("shared"), [Some(false), Some(true)]);
            let n = b
                .column_by_name("evidence_count")
                .unwrap()
                .as_any()
                .downcast_ref::<UInt32Array>()
                .unwrap()
                .clone();
            assert_eq!((n.value(0), n.value(1)), (2, 0));
        }
        for table in ["app_trackers", "app_hosts", "app_pins", "app_label"] {
            for sha in s(table, "sha256") {
                assert!(sha.is_some() && app_sha.contains(&sha), "{table}: {sha:?}");
            }
        }
        let tracker_sha = s("app_trackers", "sha256");
        let files = s("apps", "file");
        let joined: Vec<(String, usize)> = files
            .iter()
            .zip(&app_sha)
            .map(|(f, sha)| {
                let n = tracker_sha
                    .iter()
                    .filter(|t| sha.is_some() && *t == sha)
                    .count();
                (f.clone().unwrap(), n)
            })
            .collect();
        assert_eq!(
            joined,
            [
                ("a.apk".to_string(), 2),
                ("copy-of-a.apk".to_string(), 2),
                ("b.apk".to_string(), 1),
                ("bad.apk".to_string(), 0),
                ("/nonexistent/gone.apk".to_string(), 0)
            ]
        );
        let score = read["apps"][0]
            .column_by_name("score")
            .unwrap()
            .as_any()
            .downcast_ref::<UInt8Array>()
            .unwrap()
            .clone();
        assert!(score.is_valid(0) && score.is_null(3) && score.is_null(4));
    }

    /// More rows than one row group: every table is flushed in several groups.
    #[test]
    fn tables_stream_in_row_groups() {
        let t = tempfile::tempdir().unwrap();
        let journal = t.path().join("rows.jsonl");
        let n = BATCH_ROWS * 2 + 7;
        let mut text = String::new();
        for i in 0..n {
            let d = json!({"file": format!("{i}.apk"), "sha256": format!("{i:064x}"),
                "package": "p", "dex": {"files": 1},
                "trackers": [{"id": "x", "name": "X", "categories": []}],
                "errors": [format!("e{i}")]});
            text.push_str(&format!("{d}\n"));
        }
        std::fs::write(&journal, text).unwrap();
        let paths = jsonl_to_tables(&journal, t.path()).unwrap();
        for p in [&paths[0], &paths[1], &paths[4]] {
            let b = read_back(p);
            assert!(b.len() >= 3, "{}: {} batches", p.display(), b.len());
            assert_eq!(b.iter().map(RecordBatch::num_rows).sum::<usize>(), n);
        }
        assert_eq!(
            read_back(&paths[2])
                .iter()
                .map(RecordBatch::num_rows)
                .sum::<usize>(),
            0
        );
    }

    /// `docs/schema.md` lists every table with exactly its columns, types and nullability.
    #[test]
    fn schema_doc_matches_the_tables() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/schema.md");
        let doc = std::fs::read_to_string(path).expect("docs/schema.md");
        for table in TABLES {
            let head = format!("`{}` — one row per", table.name);
            let at = doc.find(&head).unwrap_or_else(|| panic!("{head} missing"));
            let rows: Vec<(String, String, bool)> = doc[at..]
                .lines()
                .skip_while(|l| !l.starts_with("| column"))
                .skip(2)
                .take_while(|l| l.starts_with('|'))
                .map(|l| {
                    let c: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
                    let ty = c[1].split(" (").next().unwrap_or("").to_string();
                    (c[0].to_string(), ty, c[c.len() - 1] == "yes")
                })
                .collect();
            let want: Vec<(String, String, bool)> = table
                .columns
                .iter()
                .map(|c| (c.name.to_string(), c.ty.name().to_string(), c.nullable))
                .collect();
            assert_eq!(rows, want, "docs/schema.md, table {}", table.name);
            assert!(doc.contains(&format!("`DIR/{}`", table.file_name())));
        }
    }
}
