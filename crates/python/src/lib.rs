//! Python bindings for trackscan: the `trackscan._native` extension module behind the
//! `trackscan` Python package (`python/trackscan/`), built as an abi3 wheel (CPython ≥ 3.9)
//! with `maturin`.
//!
//! # Design
//!
//! - **Documents cross the boundary as JSON text.** Rust serializes the report exactly as
//!   the CLI does (`serde_json::to_string` of the same `document`, privacy `score` included)
//!   and Python turns it into a `dict` with `json.loads`. Chosen over `pythonize` because the
//!   result is byte-for-byte the CLI's JSON semantics (integers stay `int`, no float or key
//!   surprises), `json.loads` is C-fast, and it adds no crate whose version is tied to pyo3's.
//! - **The GIL is released** (`Python::detach`) for every scan; `scan_many` runs a
//!   dedicated `rayon` pool of `jobs` threads, so Python threads and the batch do not contend.
//! - **One scanner per process**: the built-in rules compile once into a `OnceLock`.
//! - **The Parquet schema is defined once**: the Ray pipeline asks Rust to write its
//!   `apps` table with `trackscan_batch::jsonl_to_parquet`, the code behind
//!   `trackscan batch --format parquet`.
//! - Errors: a Rust `Err(String)` (setup failures) becomes a Python `ValueError`, which the
//!   Python layer raises as `trackscan.ScanError`. A report with `errors` is returned as the
//!   CLI prints it; `scan(p, strict=True)` raises `trackscan.ScanError` for it instead.
//!
//! The pure-Rust half ([`core`]) holds all the logic and is unit-tested without Python; this
//! file is only argument conversion.
#![deny(missing_docs)]

pub mod core;

use std::path::PathBuf;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

fn value_error(e: String) -> PyErr {
    PyValueError::new_err(e)
}

/// `(json, fatal_message_or_None)` for a file or apktool directory.
#[pyfunction]
fn scan_path(py: Python<'_>, path: PathBuf) -> PyResult<(String, Option<String>)> {
    let s = py.detach(|| core::scan_path(&path)).map_err(value_error)?;
    Ok((s.json, s.fatal))
}

/// `(json, fatal_message_or_None)` for an app held in memory.
#[pyfunction]
fn scan_bytes(py: Python<'_>, name: String, data: Vec<u8>) -> PyResult<(String, Option<String>)> {
    let s = py
        .detach(|| core::scan_bytes(&name, &data))
        .map_err(value_error)?;
    Ok((s.json, s.fatal))
}

/// `[(json, fatal_message_or_None)]` for many paths, scanned on `jobs` threads.
#[pyfunction]
#[pyo3(signature = (paths, jobs=None))]
fn scan_many(
    py: Python<'_>,
    paths: Vec<String>,
    jobs: Option<usize>,
) -> PyResult<Vec<(String, Option<String>)>> {
    let out = py
        .detach(|| core::scan_many(&paths, jobs))
        .map_err(value_error)?;
    Ok(out.into_iter().map(|s| (s.json, s.fatal)).collect())
}

/// A diff side read from a file (JSON document or app), as JSON text.
#[pyfunction]
fn load_side(py: Python<'_>, path: PathBuf) -> PyResult<String> {
    let v = py.detach(|| core::load_side(&path)).map_err(value_error)?;
    serde_json::to_string(&v).map_err(|e| value_error(e.to_string()))
}

/// The diff of two JSON documents, as JSON text.
#[pyfunction]
fn diff_json(old: &str, new: &str) -> PyResult<String> {
    core::diff_json(old, new).map_err(value_error)
}

/// Writes the `apps` and `trackers` Parquet tables for JSON Lines documents.
#[pyfunction]
fn apps_parquet(
    py: Python<'_>,
    docs_jsonl: String,
    apps: PathBuf,
    trackers: PathBuf,
) -> PyResult<()> {
    py.detach(|| core::apps_parquet(&docs_jsonl, &apps, &trackers))
        .map_err(value_error)
}

/// Local inputs expanded as `trackscan batch` does; URIs kept.
#[pyfunction]
fn expand_inputs(inputs: Vec<String>) -> PyResult<Vec<String>> {
    core::expand_inputs(&inputs).map_err(value_error)
}

/// `[(name, arrow_type, nullable)]` of the apps table.
#[pyfunction]
fn apps_columns() -> Vec<(String, String, bool)> {
    core::apps_columns()
}

/// The crate version.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// The `trackscan._native` module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(scan_path, m)?)?;
    m.add_function(wrap_pyfunction!(scan_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(scan_many, m)?)?;
    m.add_function(wrap_pyfunction!(load_side, m)?)?;
    m.add_function(wrap_pyfunction!(diff_json, m)?)?;
    m.add_function(wrap_pyfunction!(apps_parquet, m)?)?;
    m.add_function(wrap_pyfunction!(apps_columns, m)?)?;
    m.add_function(wrap_pyfunction!(expand_inputs, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}
