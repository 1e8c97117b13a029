//! `trackscan batch|diff|timeline|report`: thin wrappers over `trackscan-batch`.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use trackscan_batch::label_view::{LABEL_CHECK_KEY, LABEL_FILE_KEY};
use trackscan_batch::{BatchOptions, Format};

use crate::args::{BatchArgs, BatchFormat, DiffArgs, ReportArgs, TextOrJson, TimelineArgs};

/// The JSON document `trackscan scan --format json` prints for one input (with its score).
pub fn scan_document(scanner: &trackscan_scan::Scanner, path: &Path) -> Value {
    super::document(&scanner.scan_path(path))
}

pub fn batch(a: BatchArgs) -> Result<u8, String> {
    if a.format == BatchFormat::Parquet
        && (a.output.is_file()
            || a.output
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("parquet")))
    {
        return Err(format!(
            "{}: --format parquet writes a directory of tables (apps.parquet, app_trackers.parquet, \
             app_hosts.parquet, app_pins.parquet, errors.parquet, app_label.parquet and the \
             journal rows.jsonl); \
             give -o a directory, e.g. -o results/",
            a.output.display()
        ));
    }
    let scanner = super::scanner(a.rules.as_deref(), super::parse_limits(&a.limit)?)?
        .with_sdk_members(a.sdk_code);
    let opts = BatchOptions {
        inputs: a.inputs,
        output: a.output,
        jobs: a.jobs,
        resume: a.resume,
        keep_errors: a.keep_errors,
        quiet: a.quiet,
        format: match a.format {
            BatchFormat::Jsonl => Format::Jsonl,
            BatchFormat::Csv => Format::Csv,
            BatchFormat::Parquet => Format::Parquet,
        },
        timeout: a.timeout.map(Duration::from_secs),
    };
    let labels = a.labels.as_deref();
    // Each input is hashed once: by the batch (identical files, resume), whose hash the scan
    // takes for the report's `sha256`.
    let summary = trackscan_batch::run_batch_hashed(&opts, |p, sha| match labels {
        None => super::document(&scanner.scan_path_with_sha256(p, sha)),
        Some(dir) => labelled_document(&scanner, p, dir, sha),
    })
    .map_err(|e| e.to_string())?;
    // Apps that could not be read (the one rule of `trackscan_batch::unreadable`, panics and
    // timeouts included), among the rows written and, on resume, the rows kept.
    let failed = summary.unreadable;
    if !a.quiet || failed > 0 {
        eprintln!("trackscan: {}", summary_line(&summary));
        for e in &summary.exports {
            eprintln!("trackscan: wrote {}", e.display());
        }
    }
    Ok(if failed > 0 && !a.allow_unreadable {
        2
    } else {
        0
    })
}

/// [`scan_document`] with the app's Data safety check against its label in `dir`
/// (`trackscan_label::label_for`): keys `label_file` and `label`, and the score again with the
/// label's verdicts. A label that cannot be read is a warning of the row; the check then runs
/// without it. `sha256`: the input's hash when the batch computed it already
/// (`Scanner::scan_path_with_sha256`).
pub fn labelled_document(
    scanner: &trackscan_scan::Scanner,
    path: &Path,
    dir: &Path,
    sha256: Option<&str>,
) -> Value {
    let mut report = scanner.scan_path_with_sha256(path, sha256);
    if report.is_fatal() {
        return super::document(&report);
    }
    let file = report
        .package
        .as_deref()
        .and_then(|p| trackscan_label::label_for(dir, p));
    let form = match file.as_deref().map(trackscan_label::read_label) {
        Some(Ok(f)) => Some(f),
        Some(Err(e)) => {
            report.warnings.push(format!("label: {e}"));
            None
        }
        None => None,
    };
    let check = trackscan_label::check::check(
        &report,
        form.as_ref(),
        trackscan_signatures::DataSafety::builtin(),
    );
    let mut doc = super::document(&report);
    if let Some(obj) = doc.as_object_mut() {
        obj.insert(
            LABEL_FILE_KEY.into(),
            serde_json::to_value(file.map(|f| f.display().to_string())).unwrap_or(Value::Null),
        );
        obj.insert(
            LABEL_CHECK_KEY.into(),
            serde_json::to_value(&check).unwrap_or(Value::Null),
        );
    }
    trackscan_batch::attach_score(&mut doc, false);
    doc
}

/// The one-line account of a batch on stderr.
fn summary_line(s: &trackscan_batch::BatchSummary) -> String {
    let plural = if s.inputs == 1 { "" } else { "s" };
    let mut line = format!("{} input{plural}", s.inputs);
    if s.duplicate_inputs > 0 {
        line.push_str(&format!(
            " ({} more named twice: duplicate inputs, scanned once)",
            s.duplicate_inputs
        ));
    }
    line.push_str(&format!(
        ": {} scanned ({} read, {} could not be read), {} same content as another input, {} resumed",
        s.scanned,
        s.scanned.saturating_sub(s.unreadable),
        s.unreadable,
        s.same_content,
        s.resumed
    ));
    if s.retried > 0 || s.replaced > 0 || s.kept_errors > 0 {
        line.push_str(&format!(
            " ({} error rows retried, {} stale rows replaced, {} error rows kept)",
            s.retried, s.replaced, s.kept_errors
        ));
    }
    line.push_str(&format!(
        ", {} written with errors, in {:.1} s → {}",
        s.errors,
        s.elapsed.as_secs_f64(),
        s.journal.display()
    ));
    line
}

/// One side of a diff: a JSON document (file starting with `{`) or an app to scan
/// (`trackscan_batch::load_side`).
fn load_side(path: &Path, scanner: &mut Option<trackscan_scan::Scanner>) -> Result<Value, String> {
    trackscan_batch::load_side(path, |_| {
        if scanner.is_none() {
            // Two apps: name the classes and methods an SDK gained or lost.
            *scanner = Some(
                super::scanner(None, trackscan_scan::Limits::default())?.with_sdk_members(true),
            );
        }
        let s = scanner.as_ref().ok_or("scanner unavailable")?;
        Ok(scan_document(s, path))
    })
}

pub fn diff(a: DiffArgs) -> Result<u8, String> {
    let mut scanner = None;
    let old = load_side(&a.old, &mut scanner)?;
    let new = load_side(&a.new, &mut scanner)?;
    let d = trackscan_batch::diff(&old, &new);
    match a.format {
        TextOrJson::Text => super::out!("{}", d.to_text())?,
        TextOrJson::Json => super::outln!(
            "{}",
            serde_json::to_string_pretty(&d.to_json()).map_err(|e| e.to_string())?
        )?,
    }
    Ok(0)
}

pub fn timeline(a: TimelineArgs) -> Result<u8, String> {
    let tl = trackscan_batch::timeline_from_jsonl(&a.results, a.package.as_deref())
        .map_err(|e| format!("{}: {e}", a.results.display()))?;
    if tl.is_empty() {
        return Err(match &a.package {
            Some(p) => format!("{}: no rows for package {p}", a.results.display()),
            None => format!("{}: no rows", a.results.display()),
        });
    }
    if let Some(path) = &a.parquet {
        trackscan_batch::timeline_to_parquet(&tl, path).map_err(|e| e.to_string())?;
    }
    {
        // Streamed, one package at a time (a 100,000-row timeline is ~100 MB of output).
        let mut out = std::io::BufWriter::new(super::QuietPipe(std::io::stdout().lock()));
        match a.format {
            TextOrJson::Text => tl.write_text(&mut out),
            TextOrJson::Json => tl.write_json(&mut out),
        }
        .and_then(|()| std::io::Write::flush(&mut out))
        .map_err(|e| format!("writing output: {e}"))?;
    }
    let unreadable = tl
        .packages
        .iter()
        .flat_map(|p| &p.releases)
        .chain(&tl.without_package)
        .filter(|r| r.unreadable)
        .count();
    if unreadable > 0 {
        eprintln!(
            "trackscan: {unreadable} app(s) in {} could not be read (listed, left out of tracker spans and diffs)",
            a.results.display()
        );
    }
    Ok(0)
}

/// At most this many bad lines of a `report` input are named on stderr; the rest are counted.
const MAX_BAD_LINES: usize = 20;

/// The rows of a batch output for `report`: each JSON object with a `file` string is a row;
/// blank lines are skipped; every other line is a bad line, named on stderr as
/// `file:line: problem` (the first [`MAX_BAD_LINES`]) and counted. Returns the rows and the
/// number of bad lines.
fn read_rows(path: &Path) -> Result<(Vec<Value>, usize), String> {
    use std::io::BufRead;
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| format!("{name}: {e}"))?;
    let mut r = std::io::BufReader::new(file);
    let (mut rows, mut bad, mut number) = (Vec::new(), 0usize, 0usize);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = r
            .read_until(b'\n', &mut line)
            .map_err(|e| format!("{name}: {e}"))?;
        if n == 0 {
            break;
        }
        number = number.saturating_add(1);
        let complete = line.last() == Some(&b'\n');
        let text = line.trim_ascii();
        if text.is_empty() {
            continue;
        }
        let problem = match serde_json::from_slice::<Value>(text) {
            Ok(v) if v.get("file").is_some_and(Value::is_string) => {
                // Reduced to what the page reads as it is read: memory is the reduced rows.
                rows.push(trackscan_batch::report_row(v));
                continue;
            }
            Ok(Value::Object(_)) => {
                "a JSON object without a \"file\" string (not a trackscan row)".to_string()
            }
            Ok(v) => format!("a JSON {}, not a row object", json_type(&v)),
            Err(_) if !complete => {
                "truncated last line (an interrupted batch? `batch --resume` cuts it off)"
                    .to_string()
            }
            Err(e) if std::str::from_utf8(text).is_err() => {
                format!("not UTF-8 text, not JSON ({e})")
            }
            Err(e) => format!("not JSON: {e}"),
        };
        bad = bad.saturating_add(1);
        if bad <= MAX_BAD_LINES {
            eprintln!("trackscan: {name}:{number}: {problem}");
        }
    }
    if bad > MAX_BAD_LINES {
        eprintln!(
            "trackscan: {name}: … and {} more bad lines",
            bad - MAX_BAD_LINES
        );
    }
    Ok((rows, bad))
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `trackscan report`: exit 2 with a message when the input is empty or has no valid row (a
/// text file, a JSON document that is not one row per line); bad lines are named on stderr and
/// counted, and the valid rows still make the report (exit 0).
pub fn report(a: ReportArgs) -> Result<u8, String> {
    let name = a.results.display().to_string();
    let (rows, bad) = read_rows(&a.results)?;
    if rows.is_empty() {
        return Err(if bad == 0 {
            format!(
                "{name}: no rows: the file is empty (a batch output has one JSON document per line; \
                 see `trackscan batch`); nothing written"
            )
        } else {
            format!(
                "{name}: no valid rows ({bad} bad line{}): not a batch output (one JSON document \
                 per line, from `trackscan batch`); nothing written",
                if bad == 1 { "" } else { "s" }
            )
        });
    }
    let (ruleset_version, ruleset_hash) = trackscan_signatures::builtin_ruleset_id();
    let prov = trackscan_batch::Provenance {
        trackscan_version: env!("CARGO_PKG_VERSION").to_string(),
        ruleset_version: ruleset_version.to_string(),
        ruleset_hash,
        generated: trackscan_batch::utc_now(),
        inputs: vec![name.clone()],
    };
    let html = trackscan_batch::html_report_with(&rows, &prov);
    std::fs::write(&a.output, html).map_err(|e| format!("{}: {e}", a.output.display()))?;
    if bad > 0 {
        eprintln!(
            "trackscan: {name}: {bad} bad line{} skipped",
            if bad == 1 { "" } else { "s" }
        );
    }
    eprintln!(
        "trackscan: wrote {} ({} apps)",
        a.output.display(),
        rows.len()
    );
    Ok(0)
}
