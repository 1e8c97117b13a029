//! `trackscan batch|diff|timeline|report`: thin wrappers over `trackscan-batch`.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;
use trackscan_batch::{BatchOptions, Format};

use crate::args::{BatchArgs, BatchFormat, DiffArgs, ReportArgs, TextOrJson, TimelineArgs};

/// The JSON document `trackscan scan --format json` prints for one input (with its score).
pub fn scan_document(scanner: &trackscan_scan::Scanner, path: &Path) -> Value {
    super::document(&scanner.scan_path(path))
}

pub fn batch(a: BatchArgs) -> Result<u8, String> {
    let scanner = super::scanner(a.rules.as_deref(), super::parse_limits(&a.limit)?)?;
    let opts = BatchOptions {
        inputs: a.inputs,
        output: a.output,
        jobs: a.jobs,
        resume: a.resume,
        quiet: a.quiet,
        format: match a.format {
            BatchFormat::Jsonl => Format::Jsonl,
            BatchFormat::Csv => Format::Csv,
            BatchFormat::Parquet => Format::Parquet,
        },
        timeout: a.timeout.map(Duration::from_secs),
    };
    // Apps that could not be read (the one rule of `trackscan_batch::unreadable`), counted as
    // they are scanned; panics and timeouts are counted by the runner.
    let unreadable = AtomicUsize::new(0);
    let summary = trackscan_batch::run_batch(&opts, |p| {
        let doc = scan_document(&scanner, p);
        if trackscan_batch::unreadable(&doc) {
            unreadable.fetch_add(1, Ordering::Relaxed);
        }
        doc
    })
    .map_err(|e| e.to_string())?;
    let failed = unreadable
        .into_inner()
        .saturating_add(summary.panics)
        .saturating_add(summary.timeouts);
    if !a.quiet || failed > 0 {
        eprintln!(
            "trackscan: {} inputs: {} scanned ({} could not be read), {} duplicates, {} resumed, {} with errors, in {:.1} s → {}",
            summary.inputs,
            summary.scanned,
            failed,
            summary.duplicates,
            summary.resumed,
            summary.errors,
            summary.elapsed.as_secs_f64(),
            summary.journal.display()
        );
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

/// One side of a diff: a JSON document (file starting with `{`) or an app to scan.
fn load_side(path: &Path, scanner: &mut Option<trackscan_scan::Scanner>) -> Result<Value, String> {
    // An apktool tree is an app too (no bytes to read as a JSON document).
    if !path.is_dir() {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if let Some(doc) = trackscan_batch::read_document(&path.display().to_string(), &bytes) {
            return doc;
        }
    }
    if scanner.is_none() {
        *scanner = Some(super::scanner(None, trackscan_scan::Limits::default())?);
    }
    let s = scanner.as_ref().ok_or("scanner unavailable")?;
    let doc = scan_document(s, path);
    if doc["package"].is_null() {
        if let Some(e) = doc["errors"].get(0).and_then(Value::as_str) {
            return Err(e.to_string());
        }
    }
    Ok(doc)
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
    let rows = trackscan_batch::read_jsonl(&a.results)
        .map_err(|e| format!("{}: {e}", a.results.display()))?;
    let tl = trackscan_batch::timeline_report(rows.into_iter(), a.package.as_deref());
    if tl.is_empty() {
        return Err(match &a.package {
            Some(p) => format!("{}: no rows for package {p}", a.results.display()),
            None => format!("{}: no rows", a.results.display()),
        });
    }
    match a.format {
        TextOrJson::Text => super::out!("{}", tl.to_text())?,
        TextOrJson::Json => super::outln!(
            "{}",
            serde_json::to_string_pretty(&tl.to_json()).map_err(|e| e.to_string())?
        )?,
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

pub fn report(a: ReportArgs) -> Result<u8, String> {
    let rows = trackscan_batch::read_jsonl(&a.results)
        .map_err(|e| format!("{}: {e}", a.results.display()))?;
    let (ruleset_version, ruleset_hash) = trackscan_signatures::builtin_ruleset_id();
    let prov = trackscan_batch::Provenance {
        trackscan_version: env!("CARGO_PKG_VERSION").to_string(),
        ruleset_version: ruleset_version.to_string(),
        ruleset_hash,
        generated: trackscan_batch::utc_now(),
        inputs: vec![a.results.display().to_string()],
    };
    let html = trackscan_batch::html_report_with(&rows, &prov);
    std::fs::write(&a.output, html).map_err(|e| format!("{}: {e}", a.output.display()))?;
    eprintln!(
        "trackscan: wrote {} ({} apps)",
        a.output.display(),
        rows.len()
    );
    Ok(0)
}
