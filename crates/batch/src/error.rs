//! Why a batch could not run: the one error type of the runner and the table writers (its own
//! module so that `tabular` need not depend on `runner`).

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Cap on the number of inputs one batch accepts.
pub const MAX_INPUTS: usize = 10_000_000;

/// Why a batch could not run.
#[derive(Debug)]
pub enum BatchError {
    /// The inputs expanded to nothing.
    NoInputs,
    /// More than [`MAX_INPUTS`] inputs.
    TooManyInputs(usize),
    /// A directory or list file could not be read.
    Input {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        error: io::Error,
    },
    /// The journal or an export could not be read or written.
    Output {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        error: io::Error,
    },
    /// Writing CSV or Parquet failed.
    Export {
        /// The path.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The thread pool could not be built.
    Pool(String),
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BatchError::NoInputs => write!(
                f,
                "no input files (directories are searched for .apk, .apks, .xapk, .apkm, .dex)"
            ),
            BatchError::TooManyInputs(n) => write!(f, "too many inputs ({n}, limit {MAX_INPUTS})"),
            BatchError::Input { path, error } => {
                write!(f, "{}: cannot read input: {error}", path.display())
            }
            BatchError::Output { path, error } => write!(f, "{}: {error}", path.display()),
            BatchError::Export { path, message } => write!(f, "{}: {message}", path.display()),
            BatchError::Pool(m) => write!(f, "cannot start worker threads: {m}"),
        }
    }
}

impl std::error::Error for BatchError {}
