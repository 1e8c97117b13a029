//! Does the privacy label tell the truth? Google Play's Data safety form, read from the Play
//! Console's CSV export ([`form`]), set against what trackscan observes in the app: the data
//! its tracker SDKs reach, what the app hands them, and what each vendor says its SDK
//! collects ([`observed`]).
//!
//! Works on the typed [`trackscan_scan::report::Report`], never on JSON looked up by key.

#![warn(missing_docs)]

pub mod check;
pub mod draft;
pub mod form;
pub mod observed;
pub mod render;
pub mod switches;

use std::path::{Path, PathBuf};

/// The label file of app `package` in a folder of labels: `DIR/PACKAGE.csv`, else
/// `DIR/PACKAGE/data_safety_export.csv`.
pub fn label_for(dir: &Path, package: &str) -> Option<PathBuf> {
    if package.is_empty() || package.contains(['/', '\\']) || package.starts_with('.') {
        return None;
    }
    [
        dir.join(format!("{package}.csv")),
        dir.join(package).join("data_safety_export.csv"),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

/// Reads and parses a label file; the error names the file, the line and the problem.
pub fn read_label(path: &Path) -> Result<form::Form, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "{}: not UTF-8 text (byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    form::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}
