//! `trackscan label`: the Data safety check of one app (`trackscan-label`), and its draft.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::json;
use trackscan_label::{check, draft, form, render};
use trackscan_signatures::DataSafety;

use crate::args::{LabelArgs, LabelFormat};

pub fn label(a: LabelArgs) -> Result<u8, String> {
    let scanner = super::scanner(a.rules.as_deref(), super::parse_limits(&a.limit)?)?;
    let report = scanner.scan_path(&a.app);
    if let Some(line) = super::failure_line(&report) {
        eprintln!("trackscan: {line}");
    }
    if report.is_fatal() {
        return Ok(2);
    }
    let label_file: Option<PathBuf> = match (&a.data_safety, &a.labels) {
        (Some(f), _) => Some(f.clone()),
        (None, Some(dir)) => {
            let package = report.package.as_deref().unwrap_or("");
            let found = trackscan_label::label_for(dir, package);
            if found.is_none() {
                eprintln!(
                    "trackscan: {}: no label for {package:?} in {} (looked for PACKAGE.csv and PACKAGE/data_safety_export.csv)",
                    report.file,
                    dir.display()
                );
            }
            found
        }
        (None, None) => None,
    };
    let form = match &label_file {
        Some(f) => Some(trackscan_label::read_label(f)?),
        None => None,
    };
    let result = check::check(&report, form.as_ref(), DataSafety::builtin());
    if let Some(path) = &a.draft {
        write_draft(path, &report, &result)?;
    }
    let label_name = label_file.as_ref().map(|p| p.display().to_string());
    let mut out = super::output(a.output.as_deref())?;
    let written = match a.format {
        LabelFormat::Text => {
            out.write_all(render::text(&result, &report.file, label_name.as_deref()).as_bytes())
        }
        LabelFormat::Json => {
            let doc = json!({
                "file": report.file,
                "package": report.package,
                "version_name": report.version_name,
                "version_code": report.version_code,
                "data_safety_file": label_name,
                "data_safety": result,
            });
            serde_json::to_writer_pretty(&mut out, &doc)
                .map_err(|e| e.to_string())
                .and_then(|()| writeln!(out).map_err(|e| e.to_string()))
                .map_err(std::io::Error::other)
        }
        LabelFormat::Sarif => {
            let s = render::sarif(&result, &report.file);
            serde_json::to_writer_pretty(&mut out, &s)
                .map_err(|e| e.to_string())
                .and_then(|()| writeln!(out).map_err(|e| e.to_string()))
                .map_err(std::io::Error::other)
        }
    };
    written.map_err(|e| format!("writing output: {e}"))?;
    out.flush().map_err(|e| format!("writing output: {e}"))?;
    Ok(if form.is_some() && result.undeclared() > 0 {
        1
    } else {
        0
    })
}

/// Writes the draft CSV and `CSV.evidence.json` beside it.
fn write_draft(
    path: &Path,
    report: &trackscan_scan::Report,
    result: &check::LabelCheck,
) -> Result<(), String> {
    let d = draft::draft(report, result);
    std::fs::write(path, form::write_import(&d.form))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut ev = path.as_os_str().to_owned();
    ev.push(".evidence.json");
    let ev = PathBuf::from(ev);
    let doc = json!({
        "file": report.file,
        "package": report.package,
        "draft": path.display().to_string(),
        "rows": d.rows,
        "to_review": d.to_review,
    });
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    std::fs::write(&ev, text + "\n").map_err(|e| format!("{}: {e}", ev.display()))?;
    eprintln!(
        "trackscan: wrote {} ({} data types) and {}",
        path.display(),
        d.rows.len(),
        ev.display()
    );
    Ok(())
}
