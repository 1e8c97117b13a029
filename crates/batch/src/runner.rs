//! The parallel batch runner: input expansion, hashing and de-duplication,
//! resume, per-app timeout, panic isolation, progress, streaming output.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Seek, SeekFrom, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub use crate::error::{BatchError, MAX_INPUTS};

/// File extensions picked up when walking a directory (case-insensitive).
pub const EXTENSIONS: &[&str] = &["apk", "apks", "xapk", "apkm", "dex"];
/// Directory recursion limit (deeper trees are not walked further).
pub const MAX_DEPTH: usize = 64;
/// Plain (non-terminal) progress: a line every this many files...
pub const PLAIN_EVERY_FILES: usize = 50;
/// ...or every this long, whichever comes first.
pub const PLAIN_EVERY: Duration = Duration::from_secs(5);

/// Output format of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// JSON Lines: one per-app document per line (the output file is the journal).
    #[default]
    Jsonl,
    /// A CSV summary, one row per app (see `docs/schema.md`).
    Csv,
    /// Parquet tables in the output directory: `apps`, `app_trackers`, `app_hosts`,
    /// `app_pins`, `errors`, `app_label` (see [`crate::TABLES`] and `docs/schema.md`).
    Parquet,
}

/// Options of [`run_batch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchOptions {
    /// Files, directories (walked recursively for [`EXTENSIONS`], sorted) and
    /// `@list.txt` files (one path per line; empty lines and `#` comments skipped).
    pub inputs: Vec<String>,
    /// The output path (see [`Format`] and [`journal_path`]).
    pub output: PathBuf,
    /// Worker threads of the dedicated pool; `None` = all cores.
    pub jobs: Option<usize>,
    /// Keep the existing journal and skip inputs it already covers (rows with errors are
    /// scanned again unless `keep_errors`).
    pub resume: bool,
    /// With `resume`: keep rows that carry errors instead of retrying them.
    pub keep_errors: bool,
    /// No progress output.
    pub quiet: bool,
    /// Output format.
    pub format: Format,
    /// Per-app scan budget; an app over budget gets a `timeout: ...` error row.
    pub timeout: Option<Duration>,
}

impl BatchOptions {
    /// JSON Lines to `output`, all cores, no resume, no timeout, with progress.
    pub fn new(inputs: Vec<String>, output: impl Into<PathBuf>) -> Self {
        BatchOptions {
            inputs,
            output: output.into(),
            jobs: None,
            resume: false,
            keep_errors: false,
            quiet: false,
            format: Format::Jsonl,
            timeout: None,
        }
    }
}

/// What a batch did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BatchSummary {
    /// Distinct inputs after expansion (the same file named twice counts once).
    pub inputs: usize,
    /// Inputs dropped because they name a file already listed (same canonical path).
    pub duplicate_inputs: usize,
    /// Rows written by this run (one per input not resumed: scanned + same content).
    pub written: usize,
    /// Scans run (one per distinct file content not yet in the journal).
    pub scanned: usize,
    /// Rows copied from an identical file's row instead of scanning (same content, other path).
    pub same_content: usize,
    /// Inputs skipped because the journal already had their row (`resume`).
    pub resumed: usize,
    /// Journal rows with errors dropped to scan their input again (`resume` without
    /// `keep_errors`).
    pub retried: usize,
    /// Journal rows dropped because their input's content changed, or because the input
    /// already had a row (`resume`).
    pub replaced: usize,
    /// Rows with errors kept from the journal (`resume` with `keep_errors`).
    pub kept_errors: usize,
    /// Rows written by this run that carry errors (includes panics, timeouts).
    pub errors: usize,
    /// Rows of the output for this run's inputs (written or kept) whose app could not be read
    /// ([`crate::unreadable`]; includes panics and timeouts).
    pub unreadable: usize,
    /// Scans that panicked.
    pub panics: usize,
    /// Scans that exceeded the timeout.
    pub timeouts: usize,
    /// Journal lines that were not JSON objects when resuming (kept, ignored).
    pub bad_journal_lines: usize,
    /// Bytes of a truncated last journal line cut off when resuming.
    pub truncated_bytes: u64,
    /// The JSON Lines journal.
    pub journal: PathBuf,
    /// Files produced from the journal (CSV or Parquet), if any.
    pub exports: Vec<PathBuf>,
    /// Wall-clock time.
    pub elapsed: Duration,
}

fn out_err(path: &Path) -> impl FnOnce(io::Error) -> BatchError + '_ {
    move |error| BatchError::Output {
        path: path.to_path_buf(),
        error,
    }
}

/// The JSON Lines journal of a batch: the output itself for [`Format::Jsonl`];
/// `<output>.jsonl` for CSV; `<output>/rows.jsonl` for Parquet (the output is
/// the directory of tables).
pub fn journal_path(output: &Path, format: Format) -> PathBuf {
    match format {
        Format::Jsonl => output.to_path_buf(),
        Format::Parquet => output.join("rows.jsonl"),
        Format::Csv => {
            let mut s = output.as_os_str().to_os_string();
            s.push(".jsonl");
            PathBuf::from(s)
        }
    }
}

fn wanted(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// Expands files, directories and `@list` files into the batch's input list:
/// inputs keep their order; each directory contributes its matching files
/// sorted by path. Symbolic links to directories are not followed (no cycles).
/// A path that does not exist is kept (its scan reports the error).
pub fn expand_inputs(inputs: &[String]) -> Result<Vec<PathBuf>, BatchError> {
    let mut out = Vec::new();
    for input in inputs {
        if let Some(list) = input.strip_prefix('@') {
            let path = PathBuf::from(list);
            let text = std::fs::read_to_string(&path).map_err(|error| BatchError::Input {
                path: path.clone(),
                error,
            })?;
            for line in text.lines() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                expand_one(Path::new(line), &mut out)?;
            }
        } else {
            expand_one(Path::new(input), &mut out)?;
        }
        if out.len() > MAX_INPUTS {
            return Err(BatchError::TooManyInputs(out.len()));
        }
    }
    Ok(out)
}

fn expand_one(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), BatchError> {
    let is_dir = std::fs::metadata(path).is_ok_and(|m| m.is_dir());
    if !is_dir {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut found = Vec::new();
    let mut stack = vec![(path.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = stack.pop() {
        let rd = std::fs::read_dir(&dir).map_err(|error| BatchError::Input {
            path: dir.clone(),
            error,
        })?;
        for entry in rd {
            let entry = entry.map_err(|error| BatchError::Input {
                path: dir.clone(),
                error,
            })?;
            let p = entry.path();
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                if depth < MAX_DEPTH {
                    stack.push((p, depth.saturating_add(1)));
                }
            } else if wanted(&p)
                && (ft.is_file() || std::fs::metadata(&p).is_ok_and(|m| m.is_file()))
            {
                found.push(p);
                if found.len() > MAX_INPUTS {
                    return Err(BatchError::TooManyInputs(found.len()));
                }
            }
        }
    }
    found.sort();
    out.extend(found);
    Ok(())
}

/// Lowercase hex SHA-256 of a file, streamed.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(buf.get(..n).unwrap_or(&[]));
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// One input after hashing.
struct Input {
    path: PathBuf,
    file: String,
    sha: Option<String>,
    /// The sha256, or `file:<path>` when the file could not be read.
    key: String,
}

/// One kept journal row, as resume matches it to an input.
struct KeyRow {
    file: String,
    errors: bool,
    unreadable: bool,
}

/// Rows of the kept journal, by key.
struct KeyRows {
    /// The rows with this key (moved files are covered by rows whose file is no longer an
    /// input).
    rows: Vec<KeyRow>,
    /// Byte offset and length of the first row with this key.
    first: (u64, usize),
}

fn row_key(v: &Value) -> Option<String> {
    match v.get("sha256").and_then(Value::as_str) {
        Some(s) if !s.is_empty() => Some(s.to_string()),
        _ => v
            .get("file")
            .and_then(Value::as_str)
            .map(|f| format!("file:{f}")),
    }
}

/// One line of an existing journal.
struct JournalLine {
    /// Byte offset and length (newline included).
    at: (u64, usize),
    /// `None` for a line that is not a JSON object with a key (kept, ignored).
    row: Option<JournalRow>,
}

struct JournalRow {
    key: String,
    file: String,
    errors: bool,
    unreadable: bool,
}

/// Reads the journal for resume: cuts a truncated last line, lists its lines.
fn read_journal(path: &Path, summary: &mut BatchSummary) -> Result<Vec<JournalLine>, BatchError> {
    let mut lines = Vec::new();
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(lines),
        Err(e) => return Err(out_err(path)(e)),
    };
    let mut r = BufReader::new(file);
    let mut offset = 0u64;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = r.read_until(b'\n', &mut line).map_err(out_err(path))?;
        if n == 0 {
            break;
        }
        if line.last() != Some(&b'\n') {
            // Truncated by a kill mid-write: cut it off.
            summary.truncated_bytes = n as u64;
            let f = OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(out_err(path))?;
            f.set_len(offset).map_err(out_err(path))?;
            f.sync_all().map_err(out_err(path))?;
            break;
        }
        let row = match serde_json::from_slice::<Value>(&line) {
            Ok(v) if v.is_object() => row_key(&v).map(|key| JournalRow {
                key,
                file: v
                    .get("file")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                errors: has_errors(&v),
                unreadable: crate::unreadable(&v),
            }),
            _ => None,
        };
        if row.is_none() {
            summary.bad_journal_lines = summary.bad_journal_lines.saturating_add(1);
        }
        lines.push(JournalLine {
            at: (offset, n),
            row,
        });
        offset = offset.saturating_add(n as u64);
    }
    Ok(lines)
}

/// The temporary file a journal is rewritten into before it replaces the journal.
fn rewrite_path(journal: &Path) -> PathBuf {
    let mut s = journal.as_os_str().to_os_string();
    s.push(".rewrite.tmp");
    PathBuf::from(s)
}

/// Rewrites the journal keeping only `keep` lines (byte ranges of the journal, in order):
/// copied into [`rewrite_path`], synced, then renamed over the journal, so a kill at any
/// moment leaves either the old journal or the new one, never a mix. Returns each kept line's
/// new byte range.
fn rewrite_journal(path: &Path, keep: &[(u64, usize)]) -> Result<Vec<(u64, usize)>, BatchError> {
    let tmp = rewrite_path(path);
    let mut src = BufReader::new(File::open(path).map_err(out_err(path))?);
    let mut dst = io::BufWriter::new(File::create(&tmp).map_err(out_err(&tmp))?);
    let mut pos = 0u64;
    let mut out_pos = 0u64;
    let mut ranges = Vec::with_capacity(keep.len());
    for &(offset, len) in keep {
        if offset > pos {
            src.seek_relative(i64::try_from(offset - pos).unwrap_or(i64::MAX))
                .map_err(out_err(path))?;
        }
        let copied = io::copy(&mut (&mut src).take(len as u64), &mut dst).map_err(out_err(&tmp))?;
        pos = offset.saturating_add(copied);
        ranges.push((out_pos, len));
        out_pos = out_pos.saturating_add(copied);
    }
    let f = dst
        .into_inner()
        .map_err(|e| out_err(&tmp)(e.into_error()))?;
    f.sync_all().map_err(out_err(&tmp))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(out_err(path))?;
    Ok(ranges)
}

/// The journal writer: one `write_all` of `line + "\n"` per row, then flush.
struct Journal {
    file: File,
    path: PathBuf,
    /// Bytes in the journal (where the next row goes).
    len: u64,
}

impl Journal {
    /// Writes one row; returns its byte range in the journal.
    fn write(&mut self, v: &Value) -> Result<(u64, usize), BatchError> {
        let mut line = v.to_string();
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .map_err(out_err(&self.path))?;
        self.file.flush().map_err(out_err(&self.path))?;
        let at = (self.len, line.len());
        self.len = self.len.saturating_add(line.len() as u64);
        Ok(at)
    }

    fn read_row(&self, (offset, len): (u64, usize)) -> Result<Value, BatchError> {
        let mut f = File::open(&self.path).map_err(out_err(&self.path))?;
        f.seek(SeekFrom::Start(offset))
            .map_err(out_err(&self.path))?;
        let mut buf = Vec::new();
        f.take(len as u64)
            .read_to_end(&mut buf)
            .map_err(out_err(&self.path))?;
        serde_json::from_slice(&buf).map_err(|e| BatchError::Output {
            path: self.path.clone(),
            error: io::Error::new(io::ErrorKind::InvalidData, e),
        })
    }
}

fn with_file(mut doc: Value, file: &str) -> Value {
    if let Some(o) = doc.as_object_mut() {
        o.insert("file".into(), Value::String(file.to_string()));
    }
    doc
}

fn error_row(input: &Input, message: String) -> Value {
    json!({"file": input.file, "sha256": input.sha, "score": null, "errors": [message]})
}

fn has_errors(v: &Value) -> bool {
    v.get("errors")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty())
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_string()
    }
}

fn fmt_duration(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

/// Progress on stderr: an `indicatif` bar on a terminal, plain lines otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    quiet: bool,
    total: usize,
    done: usize,
    errors: usize,
    start: Instant,
    last_line: Instant,
    last_done: usize,
}

impl Progress {
    fn new(total: usize, quiet: bool) -> Self {
        let bar = (!quiet && io::stderr().is_terminal()).then(|| {
            let b = indicatif::ProgressBar::with_draw_target(
                Some(total as u64),
                indicatif::ProgressDrawTarget::stderr(),
            );
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} {per_sec} ETA {eta} {msg}",
            ) {
                b.set_style(style);
            }
            b.set_message("errors: 0");
            b
        });
        let now = Instant::now();
        Progress {
            bar,
            quiet,
            total,
            done: 0,
            errors: 0,
            start: now,
            last_line: now,
            last_done: 0,
        }
    }

    fn row(&mut self, error: bool) {
        self.done = self.done.saturating_add(1);
        if error {
            self.errors = self.errors.saturating_add(1);
        }
        if let Some(b) = &self.bar {
            b.inc(1);
            if error {
                b.set_message(format!("errors: {}", self.errors));
            }
        } else if !self.quiet
            && (self.done.saturating_sub(self.last_done) >= PLAIN_EVERY_FILES
                || self.last_line.elapsed() >= PLAIN_EVERY
                || self.done == self.total)
        {
            self.last_line = Instant::now();
            self.last_done = self.done;
            let secs = self.start.elapsed().as_secs_f64();
            let rate = if secs > 0.0 {
                self.done as f64 / secs
            } else {
                0.0
            };
            let left = self.total.saturating_sub(self.done) as f64;
            let eta = if rate > 0.0 { left / rate } else { 0.0 };
            eprintln!(
                "trackscan batch: {}/{} done, {} with errors, {rate:.1} apps/s, ETA {eta:.0}s",
                self.done, self.total, self.errors
            );
        }
    }

    /// A line on stderr that does not break the bar (always shown, even when quiet).
    fn note(&self, line: &str) {
        match &self.bar {
            Some(b) => b.println(line),
            None => eprintln!("{line}"),
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish();
        }
    }
}

/// What the writer does for one input, in input order.
#[derive(Clone, Copy)]
enum Step {
    /// Write the result of scan number `.0` (this input is its primary).
    Scan(usize),
    /// Write a copy of scan `.0`'s row, written earlier (same content at another path).
    SameAs(usize),
    /// Write a copy of the kept journal row at this byte range (same content at another path).
    Copy((u64, usize)),
}

enum Msg {
    Started(usize, Instant),
    Done(usize, Result<Value, String>),
}

/// At most this many "duplicate input" notes on stderr; the rest are counted.
const MAX_DUPLICATE_NOTES: usize = 10;

/// The path an input is compared by: canonical (symbolic links, `.` and `..` resolved) when it
/// exists, else absolute.
fn identity(p: &Path) -> PathBuf {
    std::fs::canonicalize(p)
        .or_else(|_| std::path::absolute(p))
        .unwrap_or_else(|_| p.to_path_buf())
}

/// Runs `scan` over every input and writes one row per input.
///
/// Guarantees and design:
/// - **One row per input.** A row is the document `scan` returned (with
///   `sha256` added if it lacks one), or an error row
///   `{"file", "sha256", "errors": [..]}` for a panic (`"panic: <message>"`) or a
///   timeout (`"timeout: scan exceeded the --timeout limit of <budget>"`); error rows carry
///   `"score": null`, like every unreadable app.
/// - **The same file named twice is one input.** Inputs are compared by canonical path (a
///   file given twice, a directory given twice, a file given directly and inside a given
///   directory, a symbolic link to a file already listed): the first mention is kept, later
///   ones are counted in [`BatchSummary::duplicate_inputs`] (and named on stderr unless
///   `quiet`, the first [`MAX_DUPLICATE_NOTES`]); they get no row of their own.
/// - **Identical files are scanned once.** Every input is hashed first (SHA-256
///   of the content); a different file whose content equals an earlier input's gets a copy
///   of that input's row with its own `file` value ([`BatchSummary::same_content`]).
/// - **Input order.** Rows are written in input order whatever `jobs` and the scans' timing:
///   scans run in parallel, at most `4 × threads` ahead of the next row to write, and finished
///   rows wait in a reorder buffer of that size, so memory is bounded by the window, not the
///   batch. A resumed run appends the rows it writes, in input order, after the rows kept.
/// - **Streaming, kill-safe.** One writer (the calling thread) writes each row as one
///   `write_all` of `line + "\n"`, then a flush; a kill loses at most the rows in flight and a
///   partial last line, which resume cuts off.
/// - **Resume** keys rows by the content hash, not by path, so moved or
///   renamed files are not rescanned (the price: each input is hashed again on
///   resume). A truncated last line (a kill mid-write) is cut off first. An
///   input is skipped when the journal has a row with its hash (and, for
///   several identical inputs, as many rows as inputs: missing ones are
///   written by copying the journal's row). Rows that carry `errors` (unreadable apps, scan
///   errors, panics, timeouts) of a current input are **retried** ([`BatchSummary::retried`])
///   unless [`BatchOptions::keep_errors`]; rows of an input whose content changed, and extra
///   rows of one input, are dropped ([`BatchSummary::replaced`]). Dropping rows rewrites the
///   journal into a temporary file that is synced and renamed over it, so a kill leaves the
///   old journal or the new one: nothing is lost (a dropped row's input is scanned again) and
///   nothing is duplicated.
/// - **Timeout.** The budget starts when a worker picks the app up. A scan
///   over budget gets its error row at once, but its thread cannot be killed:
///   it keeps running (its late result is discarded) and `run_batch` returns
///   only after it ends, because `scan` is borrowed. The process is never killed.
/// - **Failures on stderr.** Every row written for an app that could not be read
///   ([`crate::unreadable`]: also panics and timeouts) is named on stderr with its errors, one
///   line per input, even when `quiet`.
/// - CSV/Parquet outputs are produced from the journal at the end (see
///   [`journal_path`]), streaming.
pub fn run_batch(
    opts: &BatchOptions,
    scan: impl Fn(&Path) -> Value + Sync,
) -> Result<BatchSummary, BatchError> {
    run_batch_hashed(opts, |path, _| scan(path))
}

/// [`run_batch`] whose `scan` also gets the input's SHA-256 (lower-case hex), as computed
/// when the batch hashed its inputs (`None` when the file could not be read then), so that
/// the scan need not hash the file again: every input is then hashed once. A `sha256` the
/// returned document carries is kept; it should be this one.
pub fn run_batch_hashed(
    opts: &BatchOptions,
    scan: impl Fn(&Path, Option<&str>) -> Value + Sync,
) -> Result<BatchSummary, BatchError> {
    let start = Instant::now();
    let paths = expand_inputs(&opts.inputs)?;
    if paths.is_empty() {
        return Err(BatchError::NoInputs);
    }
    let mut summary = BatchSummary {
        journal: journal_path(&opts.output, opts.format),
        ..BatchSummary::default()
    };
    let mut builder =
        rayon::ThreadPoolBuilder::new().thread_name(|i| format!("trackscan-batch-{i}"));
    if let Some(j) = opts.jobs {
        builder = builder.num_threads(j.max(1));
    }
    let pool = builder
        .build()
        .map_err(|e| BatchError::Pool(e.to_string()))?;

    // The same file named more than once is one input.
    let ids: Vec<PathBuf> = pool.install(|| paths.par_iter().map(|p| identity(p)).collect());
    let mut seen: HashMap<PathBuf, usize> = HashMap::with_capacity(paths.len());
    let mut unique: Vec<PathBuf> = Vec::with_capacity(paths.len());
    for (path, id) in paths.into_iter().zip(ids) {
        match seen.entry(id) {
            Entry::Occupied(first) => {
                summary.duplicate_inputs = summary.duplicate_inputs.saturating_add(1);
                if !opts.quiet && summary.duplicate_inputs <= MAX_DUPLICATE_NOTES {
                    let first = unique.get(*first.get()).map_or(Path::new(""), |p| p);
                    eprintln!(
                        "trackscan batch: {}: duplicate input (the same file as {}), scanned once",
                        path.display(),
                        first.display()
                    );
                }
            }
            Entry::Vacant(v) => {
                v.insert(unique.len());
                unique.push(path);
            }
        }
    }
    drop(seen);
    if !opts.quiet && summary.duplicate_inputs > MAX_DUPLICATE_NOTES {
        eprintln!(
            "trackscan batch: … and {} more duplicate inputs",
            summary.duplicate_inputs - MAX_DUPLICATE_NOTES
        );
    }
    summary.inputs = unique.len();

    // Hash every input (in parallel).
    if !opts.quiet {
        eprintln!(
            "trackscan batch: hashing {} input{}",
            unique.len(),
            if unique.len() == 1 { "" } else { "s" }
        );
    }
    let inputs: Vec<Input> = pool.install(|| {
        unique
            .into_par_iter()
            .map(|path| {
                let file = path.to_string_lossy().into_owned();
                let sha = sha256_file(&path).ok();
                let key = sha.clone().unwrap_or_else(|| format!("file:{file}"));
                Input {
                    path,
                    file,
                    sha,
                    key,
                }
            })
            .collect()
    });

    // Journal: on resume, keep the rows that still stand.
    let jpath = summary.journal.clone();
    if let Some(parent) = jpath.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(out_err(parent))?;
    }
    let mut existing: HashMap<String, KeyRows> = HashMap::new();
    if opts.resume {
        let lines = read_journal(&jpath, &mut summary)?;
        let by_file: HashMap<&str, &str> = inputs
            .iter()
            .map(|i| (i.file.as_str(), i.key.as_str()))
            .collect();
        let keys: HashSet<&str> = inputs.iter().map(|i| i.key.as_str()).collect();
        let mut matched: HashSet<&str> = HashSet::new();
        let mut keep: Vec<(u64, usize)> = Vec::with_capacity(lines.len());
        let mut kept: Vec<Option<&JournalRow>> = Vec::with_capacity(lines.len());
        for line in &lines {
            let Some(r) = &line.row else {
                keep.push(line.at); // not a row: kept as it was, ignored
                kept.push(None);
                continue;
            };
            let current = by_file.get(r.file.as_str()).copied();
            let of_an_input = current.is_some() || keys.contains(r.key.as_str());
            if r.errors && !opts.keep_errors && of_an_input {
                summary.retried = summary.retried.saturating_add(1);
            } else if current.is_some_and(|k| k != r.key)
                || (current.is_some() && !matched.insert(r.file.as_str()))
            {
                summary.replaced = summary.replaced.saturating_add(1);
            } else {
                keep.push(line.at);
                kept.push(Some(r));
            }
        }
        let ranges = if keep.len() < lines.len() {
            rewrite_journal(&jpath, &keep)?
        } else {
            keep
        };
        for (at, r) in ranges.into_iter().zip(kept) {
            let Some(r) = r else { continue };
            existing
                .entry(r.key.clone())
                .or_insert_with(|| KeyRows {
                    rows: Vec::new(),
                    first: at,
                })
                .rows
                .push(KeyRow {
                    file: r.file.clone(),
                    errors: r.errors,
                    unreadable: r.unreadable,
                });
        }
    }
    // A temporary file of a rewrite that a kill interrupted is of no use.
    let _ = std::fs::remove_file(rewrite_path(&jpath));
    let file = if opts.resume {
        OpenOptions::new().create(true).append(true).open(&jpath)
    } else {
        File::create(&jpath)
    }
    .map_err(out_err(&jpath))?;
    let len = file.metadata().map_err(out_err(&jpath))?.len();
    let mut journal = Journal {
        file,
        path: jpath.clone(),
        len,
    };

    // Group inputs by content, in input order; plan one step per input still to write.
    let mut order: Vec<&str> = Vec::new();
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for (n, i) in inputs.iter().enumerate() {
        groups
            .entry(i.key.as_str())
            .or_insert_with(|| {
                order.push(i.key.as_str());
                Vec::new()
            })
            .push(n);
    }
    let mut steps: Vec<(usize, Step)> = Vec::new();
    let mut jobs: Vec<usize> = Vec::new();
    for key in order {
        let Some(members) = groups.remove(key) else {
            continue;
        };
        let Some(mut rows) = existing.remove(key) else {
            let job = jobs.len();
            for (k, m) in members.into_iter().enumerate() {
                if k == 0 {
                    jobs.push(m);
                    steps.push((m, Step::Scan(job)));
                } else {
                    steps.push((m, Step::SameAs(job)));
                }
            }
            continue;
        };
        let resumed = |r: &KeyRow, s: &mut BatchSummary| {
            s.resumed = s.resumed.saturating_add(1);
            if r.errors {
                s.kept_errors = s.kept_errors.saturating_add(1);
            }
            if r.unreadable {
                s.unreadable = s.unreadable.saturating_add(1);
            }
        };
        let mut todo = Vec::new();
        for m in members {
            let file = inputs.get(m).map_or("", |i| i.file.as_str());
            if let Some(pos) = rows.rows.iter().position(|r| r.file == file) {
                resumed(&rows.rows.swap_remove(pos), &mut summary);
            } else {
                todo.push(m);
            }
        }
        // Rows whose file is no longer an input cover moved files.
        let covered = rows.rows.len().min(todo.len());
        for r in rows.rows.drain(..covered) {
            resumed(&r, &mut summary);
        }
        for m in todo.into_iter().skip(covered) {
            steps.push((m, Step::Copy(rows.first)));
        }
    }
    drop(existing);
    steps.sort_unstable_by_key(|(n, _)| *n);
    let mut progress = Progress::new(steps.len(), opts.quiet);

    // Scans, written in input order.
    summary.scanned = jobs.len();
    let scan = &scan;
    let inputs = &inputs;
    let jobs = &jobs;
    let window = pool.current_num_threads().saturating_mul(4).max(4);
    let cancel = AtomicBool::new(false);
    let result: Result<(), BatchError> = pool.in_place_scope(|s| {
        let (tx, rx) = mpsc::channel::<Msg>();
        let mut spawned = 0usize;
        let mut scans_written = 0usize;
        let mut next = 0usize;
        let mut ready: HashMap<usize, Value> = HashMap::new();
        let mut row_at: Vec<Option<(u64, usize)>> = vec![None; jobs.len()];
        let mut finished = vec![false; jobs.len()];
        let mut started: HashMap<usize, Instant> = HashMap::new();
        let mut body = || -> Result<(), BatchError> {
            loop {
                // Write every row that is ready, in input order.
                while let Some(&(n, step)) = steps.get(next) {
                    let Some(input) = inputs.get(n) else { break };
                    let row = match step {
                        Step::Scan(j) => match ready.remove(&j) {
                            Some(row) => row,
                            None => break,
                        },
                        Step::SameAs(j) => match row_at.get(j).copied().flatten() {
                            Some(at) => with_file(journal.read_row(at)?, &input.file),
                            // Cannot happen (a content group's first input comes first).
                            None => error_row(input, "internal: copy before its original".into()),
                        },
                        Step::Copy(at) => with_file(journal.read_row(at)?, &input.file),
                    };
                    let at = journal.write(&row)?;
                    match step {
                        Step::Scan(j) => {
                            if let Some(slot) = row_at.get_mut(j) {
                                *slot = Some(at);
                            }
                            scans_written = scans_written.saturating_add(1);
                        }
                        Step::SameAs(_) | Step::Copy(_) => {
                            summary.same_content = summary.same_content.saturating_add(1);
                        }
                    }
                    let err = has_errors(&row);
                    summary.written = summary.written.saturating_add(1);
                    if err {
                        summary.errors = summary.errors.saturating_add(1);
                    }
                    if crate::unreadable(&row) {
                        summary.unreadable = summary.unreadable.saturating_add(1);
                        progress.note(&failure_line(&input.file, &row));
                    }
                    progress.row(err);
                    next = next.saturating_add(1);
                }
                if next >= steps.len() {
                    return Ok(());
                }
                // Start scans up to the window ahead of the next row to write.
                while spawned < jobs.len() && spawned < scans_written.saturating_add(window) {
                    let j = spawned;
                    spawned = spawned.saturating_add(1);
                    let Some(input) = jobs.get(j).and_then(|&n| inputs.get(n)) else {
                        continue;
                    };
                    let tx = tx.clone();
                    let cancel = &cancel;
                    s.spawn(move |_| {
                        if cancel.load(Ordering::Relaxed) {
                            return; // the journal failed: no point scanning
                        }
                        let _ = tx.send(Msg::Started(j, Instant::now()));
                        let r = catch_unwind(AssertUnwindSafe(|| {
                            scan(&input.path, input.sha.as_deref())
                        }))
                        .map_err(panic_message);
                        let _ = tx.send(Msg::Done(j, r));
                    });
                }
                // Wait for a result or a timeout.
                let deadline = opts
                    .timeout
                    .and_then(|t| started.values().min().map(|s| *s + t));
                let msg = match deadline {
                    Some(d) => rx.recv_timeout(d.saturating_duration_since(Instant::now())),
                    None => rx.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected),
                };
                match msg {
                    Ok(Msg::Started(j, at)) => {
                        if finished.get(j).copied() == Some(false) {
                            started.insert(j, at);
                        }
                    }
                    Ok(Msg::Done(j, r)) => {
                        started.remove(&j);
                        let Some(input) = jobs.get(j).and_then(|&n| inputs.get(n)) else {
                            continue;
                        };
                        if finished.get(j).copied() != Some(false) {
                            continue; // timed out already
                        }
                        if let Some(f) = finished.get_mut(j) {
                            *f = true;
                        }
                        let row = match r {
                            Ok(mut v) if v.is_object() => {
                                if let (Some(o), Some(sha)) = (v.as_object_mut(), &input.sha) {
                                    if !o.get("sha256").is_some_and(Value::is_string) {
                                        o.insert("sha256".into(), Value::String(sha.clone()));
                                    }
                                }
                                v
                            }
                            Ok(_) => error_row(input, "scan returned a non-object document".into()),
                            Err(p) => {
                                summary.panics = summary.panics.saturating_add(1);
                                error_row(input, format!("panic: {p}"))
                            }
                        };
                        ready.insert(j, row);
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        let now = Instant::now();
                        let budget = opts.timeout.unwrap_or_default();
                        let late: Vec<usize> = started
                            .iter()
                            .filter(|(_, at)| now.saturating_duration_since(**at) >= budget)
                            .map(|(j, _)| *j)
                            .collect();
                        for j in late {
                            started.remove(&j);
                            let Some(input) = jobs.get(j).and_then(|&n| inputs.get(n)) else {
                                continue;
                            };
                            if let Some(f) = finished.get_mut(j) {
                                *f = true;
                            }
                            summary.timeouts = summary.timeouts.saturating_add(1);
                            let msg = format!(
                                "timeout: scan exceeded the --timeout limit of {}",
                                fmt_duration(budget)
                            );
                            ready.insert(j, error_row(input, msg));
                        }
                    }
                    // Cannot happen while `tx` is held here; stop rather than spin.
                    Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
                }
            }
        };
        let r = body();
        if r.is_err() {
            cancel.store(true, Ordering::Relaxed);
        }
        r
    });
    progress.finish();
    result?;
    drop(journal);

    match opts.format {
        Format::Jsonl => {}
        Format::Csv => {
            crate::tabular::jsonl_to_csv(&jpath, &opts.output)?;
            summary.exports.push(opts.output.clone());
        }
        Format::Parquet => {
            let tables = crate::tabular::jsonl_to_tables(&jpath, &opts.output)?;
            summary.exports.extend(tables);
        }
    }
    summary.elapsed = start.elapsed();
    Ok(summary)
}

/// The stderr line for a row of an app that could not be read: `file: could not be read:
/// error; error` (each error without a leading `file: `, which would repeat the name).
fn failure_line(file: &str, row: &Value) -> String {
    let prefix = format!("{file}: ");
    let errors: Vec<&str> = row
        .get("errors")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(|e| e.strip_prefix(prefix.as_str()).unwrap_or(e))
                .collect()
        })
        .unwrap_or_default();
    format!(
        "trackscan batch: {file}: could not be read: {}",
        if errors.is_empty() {
            "no manifest or no code".to_string()
        } else {
            errors.join("; ")
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn write(p: &Path, s: &str) {
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        std::fs::write(p, s).expect("write");
    }

    fn doc(p: &Path) -> Value {
        json!({"file": p.to_string_lossy(), "package": "com.ex", "version_code": 1,
               "trackers": [{"id": "t", "name": "T", "categories": ["Analytics"]}]})
    }

    fn opts(inputs: Vec<String>, out: &Path) -> BatchOptions {
        let mut o = BatchOptions::new(inputs, out);
        o.quiet = true;
        o.jobs = Some(2);
        o
    }

    fn count_files(rows: &[Value]) -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for r in rows {
            *m.entry(r["file"].as_str().unwrap_or("").to_string())
                .or_insert(0) += 1;
        }
        m
    }

    #[test]
    fn expands_dirs_lists_and_files() {
        let t = tempfile::tempdir().expect("tmp");
        let d = t.path();
        write(&d.join("b/2.apk"), "2");
        write(&d.join("b/a/1.APK"), "1");
        write(&d.join("b/x.txt"), "x");
        write(&d.join("b/3.xapk"), "3");
        write(&d.join("c.dex"), "c");
        write(&d.join("other.bin"), "o");
        let list = d.join("list.txt");
        write(
            &list,
            &format!(
                "# comment\n\n{}\n{}\n",
                d.join("other.bin").display(),
                d.join("c.dex").display()
            ),
        );
        let got = expand_inputs(&[
            d.join("b").display().to_string(),
            format!("@{}", list.display()),
        ])
        .expect("expand");
        let names: Vec<String> = got
            .iter()
            .map(|p| {
                p.strip_prefix(d)
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(
            names,
            vec!["b/2.apk", "b/3.xapk", "b/a/1.APK", "other.bin", "c.dex"]
        );
        let missing = expand_inputs(&[format!("@{}", d.join("nope").display())]);
        assert!(matches!(missing, Err(BatchError::Input { .. })));
        assert!(missing
            .map_err(|e| e.to_string())
            .err()
            .is_some_and(|m| m.contains("nope")));
        assert!(
            matches!(
                run_batch(
                    &opts(
                        vec![d.join("empty").display().to_string()],
                        &d.join("o.jsonl")
                    ),
                    doc
                )
                .map(|s| s.inputs),
                Ok(1)
            ),
            "a missing plain path is kept as an input"
        );
    }

    #[test]
    fn one_row_per_input_duplicates_scanned_once_panics_and_timeouts() {
        let t = tempfile::tempdir().expect("tmp");
        let d = t.path().join("in");
        for i in 0..8 {
            write(&d.join(format!("a{i}.apk")), &format!("x{}", i % 5)); // a5..a7 duplicate a0..a2
        }
        write(&d.join("boom.apk"), "boom");
        let out = t.path().join("out.jsonl");
        let calls = AtomicUsize::new(0);
        let o = opts(vec![d.display().to_string()], &out);
        let s = run_batch(&o, |p: &Path| {
            calls.fetch_add(1, Ordering::SeqCst);
            if p.ends_with("boom.apk") {
                panic!("hostile input");
            }
            doc(p)
        })
        .expect("batch");
        assert_eq!(calls.load(Ordering::SeqCst), 6, "5 distinct + boom");
        assert_eq!(
            (s.inputs, s.written, s.scanned, s.same_content),
            (9, 9, 6, 3)
        );
        assert_eq!((s.panics, s.timeouts, s.errors), (1, 0, 1));
        let rows = crate::read_jsonl(&out).expect("read");
        assert_eq!(rows.len(), 9);
        assert!(count_files(&rows).values().all(|c| *c == 1));
        let find = |rows: &[Value], name: &str| {
            rows.iter()
                .find(|r| r["file"].as_str().is_some_and(|f| f.ends_with(name)))
                .cloned()
                .unwrap_or_default()
        };
        assert_eq!(find(&rows, "boom.apk")["errors"][0], "panic: hostile input");
        let (a5, a0) = (find(&rows, "a5.apk"), find(&rows, "a0.apk"));
        assert_eq!(a5["sha256"], a0["sha256"]);
        assert_eq!(a5["sha256"].as_str().map(str::len), Some(64));
        assert_eq!(a5["trackers"], a0["trackers"]);
        assert_ne!(a5["file"], a0["file"]);

        // Timeout: the slow scan gets an error row, the fast one its document.
        write(&t.path().join("t/slow.apk"), "slow");
        write(&t.path().join("t/fast.apk"), "fast");
        let out = t.path().join("timeout.jsonl");
        let mut o = opts(vec![t.path().join("t").display().to_string()], &out);
        o.timeout = Some(Duration::from_millis(700));
        let s = run_batch(&o, |p: &Path| {
            if p.ends_with("slow.apk") {
                std::thread::sleep(Duration::from_millis(2500));
            }
            doc(p)
        })
        .expect("batch");
        assert_eq!((s.timeouts, s.errors, s.written), (1, 1, 2));
        let rows = crate::read_jsonl(&out).expect("read");
        assert_eq!(rows.len(), 2);
        assert_eq!(
            find(&rows, "slow.apk")["errors"][0],
            "timeout: scan exceeded the --timeout limit of 700ms"
        );
        assert!(find(&rows, "slow.apk")["score"].is_null());
        assert_eq!(find(&rows, "fast.apk")["package"], "com.ex");
    }

    #[test]
    fn resume_truncated_journal_and_moved_files() {
        let t = tempfile::tempdir().expect("tmp");
        let d = t.path().join("in");
        for i in 0..6 {
            write(&d.join(format!("a{i}.apk")), &format!("y{}", i % 4)); // a4,a5 duplicate a0,a1
        }
        let out = t.path().join("out.jsonl");
        let s = run_batch(&opts(vec![d.display().to_string()], &out), doc).expect("first");
        assert_eq!(s.written, 6);
        // Simulate a kill: keep rows for a0 (+ a garbage-free prefix), cut mid-line.
        let rows = crate::read_jsonl(&out).expect("read");
        let keep: Vec<&Value> = rows
            .iter()
            .filter(|r| {
                r["file"]
                    .as_str()
                    .is_some_and(|f| f.ends_with("a0.apk") || f.ends_with("a2.apk"))
            })
            .collect();
        let mut text: String = keep.iter().map(|r| format!("{r}\n")).collect();
        text.push_str("{\"file\": \"half");
        std::fs::write(&out, &text).expect("write");
        // Move a2 (its row must still cover it) and resume.
        std::fs::rename(d.join("a2.apk"), d.join("moved.apk")).expect("rename");
        let calls = AtomicUsize::new(0);
        let mut o = opts(vec![d.display().to_string()], &out);
        o.resume = true;
        let s = run_batch(&o, |p: &Path| {
            calls.fetch_add(1, Ordering::SeqCst);
            doc(p)
        })
        .expect("resume");
        assert!(s.truncated_bytes > 0);
        // Scans: a1 (a5 copied), a3. a4 is copied from a0's row; moved.apk is covered by a2's row.
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert_eq!((s.scanned, s.resumed, s.written), (2, 2, 4));
        let rows = crate::read_jsonl(&out).expect("read");
        let counts = count_files(&rows);
        assert_eq!(rows.len(), 6, "{counts:?}");
        assert!(counts.values().all(|c| *c == 1));
        assert!(!std::fs::read_to_string(&out)
            .unwrap_or_default()
            .contains("half"));
        // Resuming a complete journal does nothing.
        let s = run_batch(&o, doc).expect("again");
        assert_eq!((s.written, s.resumed), (0, 6));
    }

    /// Rows come in input order whatever the number of threads and the scans' timing, and the
    /// reorder window keeps few scans ahead of the writer.
    #[test]
    fn rows_in_input_order_with_a_bounded_window() {
        let t = tempfile::tempdir().expect("tmp");
        let d = t.path().join("in");
        for i in 0..40 {
            write(&d.join(format!("a{i:02}.apk")), &format!("c{i}"));
        }
        let mut seqs = Vec::new();
        for jobs in [1, 2, 5] {
            let out = t.path().join(format!("o{jobs}.jsonl"));
            let mut o = opts(vec![d.display().to_string()], &out);
            o.jobs = Some(jobs);
            let in_flight = AtomicUsize::new(0);
            let most = AtomicUsize::new(0);
            let s = run_batch(&o, |p: &Path| {
                let n = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(n, Ordering::SeqCst);
                // The early inputs are the slow ones: completion order is reversed.
                let i: u64 = p.to_string_lossy()[p.to_string_lossy().len() - 6..][..2]
                    .parse()
                    .unwrap_or(0);
                std::thread::sleep(Duration::from_millis(40u64.saturating_sub(i)));
                in_flight.fetch_sub(1, Ordering::SeqCst);
                doc(p)
            })
            .expect("batch");
            assert_eq!(s.written, 40);
            assert!(most.load(Ordering::SeqCst) <= jobs);
            let rows = crate::read_jsonl(&out).expect("read");
            let files: Vec<String> = rows
                .iter()
                .map(|r| r["file"].as_str().unwrap_or("").to_string())
                .collect();
            let mut sorted = files.clone();
            sorted.sort();
            assert_eq!(files, sorted, "jobs {jobs}");
            seqs.push(rows);
        }
        assert!(seqs.iter().all(|r| *r == seqs[0]));
    }

    /// The same file named twice (directly, in a directory, through `..` or a symbolic link)
    /// is one input and one row; identical content elsewhere keeps its own row.
    #[test]
    fn same_file_named_twice_is_one_input() {
        let t = tempfile::tempdir().expect("tmp");
        let d = t.path().join("in");
        write(&d.join("a.apk"), "same");
        write(&d.join("b.apk"), "same");
        write(&d.join("c.apk"), "other");
        let mut inputs = vec![
            d.display().to_string(),
            d.join("a.apk").display().to_string(),
            d.join("../in/c.apk").display().to_string(),
            d.display().to_string(),
        ];
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(d.join("c.apk"), t.path().join("l.apk")).expect("link");
            inputs.push(t.path().join("l.apk").display().to_string());
        }
        let missing = t.path().join("gone.apk").display().to_string();
        inputs.push(missing.clone());
        inputs.push(missing);
        let out = t.path().join("o.jsonl");
        let calls = AtomicUsize::new(0);
        let s = run_batch(&opts(inputs, &out), |p: &Path| {
            calls.fetch_add(1, Ordering::SeqCst);
            doc(p)
        })
        .expect("batch");
        let dups = if cfg!(unix) { 7 } else { 6 };
        assert_eq!((s.inputs, s.duplicate_inputs), (4, dups));
        assert_eq!((s.scanned, s.same_content, s.written), (3, 1, 4));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        let rows = crate::read_jsonl(&out).expect("read");
        let names: Vec<&str> = rows.iter().filter_map(|r| r["file"].as_str()).collect();
        assert_eq!(names.len(), 4);
        assert!(names[0].ends_with("in/a.apk") && names[1].ends_with("in/b.apk"));
        assert!(names[2].ends_with("in/c.apk") && names[3].ends_with("gone.apk"));
    }

    /// `run_batch_hashed` hands each scan the hash the batch computed (the one the row is keyed
    /// by), and `None` for a file it could not read.
    #[test]
    fn hashed_scans_get_the_inputs_sha256() {
        let t = tempfile::tempdir().expect("tmp");
        let d = t.path().join("in");
        write(&d.join("a.apk"), "a");
        write(&d.join("b.apk"), "b");
        let gone = t.path().join("gone.apk").display().to_string();
        let out = t.path().join("o.jsonl");
        let inputs = vec![d.display().to_string(), gone];
        let s = run_batch_hashed(&opts(inputs, &out), |p: &Path, sha: Option<&str>| {
            let expected = sha256_file(p).ok();
            assert_eq!(sha, expected.as_deref(), "{}", p.display());
            let mut v = doc(p);
            if let (Some(o), Some(sha)) = (v.as_object_mut(), sha) {
                o.insert("given".into(), json!(sha));
            }
            v
        })
        .expect("batch");
        assert_eq!((s.inputs, s.written, s.panics), (3, 3, 0));
        let rows = crate::read_jsonl(&out).expect("read");
        for r in rows.iter().take(2) {
            assert_eq!(r["given"], r["sha256"]);
            assert_eq!(r["sha256"].as_str().map(str::len), Some(64));
        }
        assert!(rows[2].get("given").is_none());
    }

    /// Resume scans rows with errors again (one row per input afterwards), or keeps them with
    /// `keep_errors`; rows of a file whose content changed are replaced; a stale rewrite file
    /// of a killed run is ignored.
    #[test]
    fn resume_retries_error_rows_and_replaces_stale_rows() {
        let t = tempfile::tempdir().expect("tmp");
        let d = t.path().join("in");
        for n in ["a", "b", "c", "d"] {
            write(&d.join(format!("{n}.apk")), n);
        }
        write(&d.join("e.apk"), "a"); // same content as a.apk
        let out = t.path().join("o.jsonl");
        let fail = AtomicBool::new(true);
        let calls = AtomicUsize::new(0);
        let scan = |p: &Path| {
            calls.fetch_add(1, Ordering::SeqCst);
            if fail.load(Ordering::SeqCst) && p.ends_with("a.apk") {
                panic!("flaky");
            }
            if fail.load(Ordering::SeqCst) && p.ends_with("b.apk") {
                return json!({"file": p.to_string_lossy(), "errors": ["cannot read"]});
            }
            doc(p)
        };
        let mut o = opts(vec![d.display().to_string()], &out);
        let s = run_batch(&o, scan).expect("first");
        assert_eq!((s.written, s.errors, s.unreadable, s.panics), (5, 3, 3, 1));
        let before = crate::read_jsonl(&out).expect("read");

        o.resume = true;
        o.keep_errors = true;
        calls.store(0, Ordering::SeqCst);
        let s = run_batch(&o, scan).expect("keep");
        assert_eq!(
            (s.written, s.resumed, s.kept_errors, s.unreadable),
            (0, 5, 3, 3)
        );
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        assert_eq!(crate::read_jsonl(&out).expect("read"), before);

        // A killed rewrite left its temporary file: harmless.
        write(&rewrite_path(&out), "{\"file\": \"junk\"}\n");
        write(&d.join("d.apk"), "d changed");
        fail.store(false, Ordering::SeqCst);
        o.keep_errors = false;
        calls.store(0, Ordering::SeqCst);
        let s = run_batch(&o, scan).expect("retry");
        // a (panic, e copies it) and b retried, d replaced: scans of a, b, d.
        assert_eq!((s.retried, s.replaced, s.scanned), (3, 1, 3));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!((s.errors, s.unreadable, s.resumed), (0, 0, 1));
        let rows = crate::read_jsonl(&out).expect("read");
        let counts = count_files(&rows);
        assert_eq!(rows.len(), 5, "{counts:?}");
        assert!(counts.values().all(|c| *c == 1), "{counts:?}");
        assert!(rows.iter().all(|r| !has_errors(r)));
        assert!(!rewrite_path(&out).exists());
        assert!(!std::fs::read_to_string(&out)
            .unwrap_or_default()
            .contains("junk"));
    }

    #[test]
    fn csv_and_parquet_outputs() {
        use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
        let t = tempfile::tempdir().expect("tmp");
        let d = t.path().join("in");
        write(&d.join("a.apk"), "a");
        write(&d.join("b.apk"), "b");
        write(&d.join("c.apk"), "c");
        let csv = t.path().join("out.csv");
        let mut o = opts(vec![d.display().to_string()], &csv);
        o.format = Format::Csv;
        let s = run_batch(&o, doc).expect("csv");
        assert_eq!(s.exports, vec![csv.clone()]);
        assert!(s.journal.ends_with("out.csv.jsonl"));
        let text = std::fs::read_to_string(&csv).expect("read");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0], CSV_HEADER);
        assert!(lines[1].contains(",com.ex,1,,1,T,0,0,"), "{}", lines[1]);

        let pq = t.path().join("res");
        o.format = Format::Parquet;
        o.output = pq.clone();
        let s = run_batch(&o, doc).expect("parquet");
        let want: Vec<PathBuf> = crate::TABLES
            .iter()
            .map(|t| pq.join(t.file_name()))
            .collect();
        assert_eq!(s.exports, want);
        assert_eq!(s.journal, pq.join("rows.jsonl"));
        let (apps, trackers) = (pq.join("apps.parquet"), pq.join("app_trackers.parquet"));
        let read = |p: &Path| {
            let f = File::open(p).expect("open");
            let r = ParquetRecordBatchReaderBuilder::try_new(f)
                .expect("parquet")
                .build()
                .expect("reader");
            r.map(|b| b.expect("batch")).collect::<Vec<_>>()
        };
        let a = read(&apps);
        assert_eq!(a.iter().map(|b| b.num_rows()).sum::<usize>(), 3);
        let schema = a[0].schema();
        assert_eq!(schema.fields().len(), crate::apps_schema().fields().len());
        let pkg = a[0].column_by_name("package").and_then(|c| {
            c.as_any()
                .downcast_ref::<arrow_array::StringArray>()
                .map(|s| s.value(0).to_string())
        });
        assert_eq!(pkg.as_deref(), Some("com.ex"));
        let tr = read(&trackers);
        assert_eq!(tr.iter().map(|b| b.num_rows()).sum::<usize>(), 3);
        let cats = tr[0].column_by_name("categories").and_then(|c| {
            c.as_any()
                .downcast_ref::<arrow_array::ListArray>()
                .map(|l| l.value(0).len())
        });
        assert_eq!(cats, Some(1));
        // Nothing else is written beside the tables and the journal.
        let mut names: Vec<String> = std::fs::read_dir(&pq)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "app_hosts.parquet",
                "app_label.parquet",
                "app_pins.parquet",
                "app_trackers.parquet",
                "apps.parquet",
                "errors.parquet",
                "rows.jsonl"
            ]
        );
    }

    #[test]
    fn unwritable_output_is_an_error_with_the_path() {
        let t = tempfile::tempdir().expect("tmp");
        write(&t.path().join("a.apk"), "a");
        write(&t.path().join("blocker"), "a file, not a directory");
        let out = t.path().join("blocker/out.jsonl");
        let r = run_batch(
            &opts(vec![t.path().join("a.apk").display().to_string()], &out),
            doc,
        );
        let msg = r
            .map(|_| ())
            .map_err(|e| e.to_string())
            .err()
            .unwrap_or_default();
        assert!(msg.contains("blocker"), "{msg}");
        let none = run_batch(
            &opts(vec![t.path().join("blocker").display().to_string()], &out),
            doc,
        );
        assert!(none.is_err());
        let empty_dir = t.path().join("empty");
        std::fs::create_dir_all(&empty_dir).expect("mkdir");
        let r = run_batch(
            &opts(
                vec![empty_dir.display().to_string()],
                &t.path().join("o.jsonl"),
            ),
            doc,
        );
        assert!(matches!(r, Err(BatchError::NoInputs)));
    }

    const CSV_HEADER: &str = "file,sha256,package,version_code,version_name,trackers,tracker_names,hosts,pinned_hosts,score,grade,errors";

    #[test]
    fn real_corpus() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/apks");
        if !Path::new(dir).is_dir() {
            eprintln!("note: corpus {dir} absent, skipping");
            return;
        }
        let expected = std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .filter(|e| wanted(&e.path()))
                    .count()
            })
            .unwrap_or(0);
        let t = tempfile::tempdir().expect("tmp");
        let out = t.path().join("corpus.jsonl");
        let s = run_batch(&opts(vec![dir.to_string()], &out), |p: &Path| {
            let size = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
            json!({"file": p.to_string_lossy(), "size": size})
        })
        .expect("batch");
        assert_eq!(s.inputs, expected);
        let rows = crate::read_jsonl(&out).expect("read");
        assert_eq!(rows.len(), expected);
        for r in &rows {
            let f = r["file"].as_str().unwrap_or("");
            let sha = sha256_file(Path::new(f)).expect("hash");
            assert_eq!(r["sha256"].as_str(), Some(sha.as_str()));
        }
    }
}
