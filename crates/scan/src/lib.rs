//! Ties trackscan's parsers together into one [`Report`] per app.
//!
//! Data flow, one way (see `ARCHITECTURE.md`): input bytes → `collect` (the container opened
//! with [`trackscan_container`]; which entries, inflated on demand, within [`Limits`]) → a
//! `Collected` → `analyze` (named steps: manifest ([`trackscan_axml`]), signer certificates
//! ([`trackscan_signing`]), code index ([`trackscan_dex`]), strings and hosts, the detection
//! stages ([`trackscan_signatures`]), findings, pinning, hosts) → [`Report`].
//!
//! This crate is the only serde layer: parser types carry no serde; [`report`] converts them.
//! A scan never panics on input and never fails as a whole: whatever could not be read becomes
//! an entry in [`Report::errors`] (naming the file inside the app and the problem), and oddities
//! that did not stop it become [`Report::warnings`].

#![deny(missing_docs)]

mod analyze;
mod apktool;
mod collect;
mod flow;
pub mod hidden;
pub mod report;
pub mod sdk_library;
mod sdk_version;
pub mod structure;

use std::path::Path;

pub use report::Report;
pub use trackscan_container::Limits;
use trackscan_signatures::{Matcher, RuleSet};

/// Largest input file read at all (the container limits then bound what is inflated).
pub const MAX_INPUT_BYTES: u64 = 4 << 30;

/// A compiled scanner: rules and limits, built once and shared by every scan of a run.
pub struct Scanner {
    rules: RuleSet,
    matcher: Matcher,
    limits: Limits,
    sdk_members: bool,
}

impl Scanner {
    /// Compiles `rules` into a matcher.
    pub fn new(rules: RuleSet, limits: Limits) -> Result<Scanner, String> {
        let matcher = Matcher::new(&rules).map_err(|e| format!("rules: {e}"))?;
        Ok(Scanner {
            rules,
            matcher,
            limits,
            sdk_members: false,
        })
    }

    /// With `on`, every finding's `code` also lists the SDK's classes and methods
    /// ([`report::SdkCode::members`]), so that a diff can name what was added or removed
    /// (`scan --sdk-code`; `diff` of two apps always does). Off by default: on a large app it
    /// is tens of thousands of strings.
    pub fn with_sdk_members(mut self, on: bool) -> Scanner {
        self.sdk_members = on;
        self
    }

    /// A scanner with the built-in rules and default limits.
    pub fn with_builtin_rules() -> Result<Scanner, String> {
        Scanner::new(RuleSet::builtin(), Limits::default())
    }

    /// The rules this scanner checks.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// The limits this scanner enforces.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Scans a file (APK, split bundle, DEX) or an apktool directory (smali + manifest).
    pub fn scan_path(&self, path: &Path) -> Report {
        self.scan_path_with_sha256(path, None)
    }

    /// [`Scanner::scan_path`] of a file whose SHA-256 the caller computed already
    /// (`trackscan batch` hashes every input first, to scan identical files once and to
    /// resume): the report's `sha256` is `sha256` and the bytes are not hashed again. The
    /// caller vouches that it is the hash of the file's content (a file rewritten between the
    /// two reads gets the hash of the content hashed). `None`, or a value that is not 64
    /// lower-case hex digits (the form [`hex`] writes), hashes the bytes read.
    pub fn scan_path_with_sha256(&self, path: &Path, sha256: Option<&str>) -> Report {
        let name = path.display().to_string();
        if path.is_dir() {
            return self.scan_dir(path);
        }
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => return Report::failed(&name, format!("{name}: cannot read: {e}")),
        };
        if meta.len() > MAX_INPUT_BYTES {
            return Report::failed(
                &name,
                format!(
                    "{name}: file is {} bytes, more than the {MAX_INPUT_BYTES}-byte input limit",
                    meta.len()
                ),
            );
        }
        match std::fs::read(path) {
            Ok(bytes) => self.scan_bytes_hashed(&name, &bytes, sha256),
            Err(e) => Report::failed(&name, format!("{name}: cannot read: {e}")),
        }
    }

    /// Scans an app held in memory; `name` is used for the report's `file` and in messages.
    pub fn scan_bytes(&self, name: &str, bytes: &[u8]) -> Report {
        self.scan_bytes_hashed(name, bytes, None)
    }

    /// [`Scanner::scan_bytes`] with the SHA-256 of `bytes` given or not (see
    /// [`Scanner::scan_path_with_sha256`]).
    fn scan_bytes_hashed(&self, name: &str, bytes: &[u8], sha256: Option<&str>) -> Report {
        let mut report = Report::new(name, bytes, sha256);
        let opened = collect::open(&self.limits, name, bytes, &mut report);
        if let Some(c) = collect::collect(&self.limits, &opened, &mut report) {
            analyze::analyze(self, c, &mut report);
        }
        report.finish(self.rules.trackers.len());
        report
    }

    fn scan_dir(&self, path: &Path) -> Report {
        let name = path.display().to_string();
        let mut report = Report {
            file: name.clone(),
            kind: "smali_dir".into(),
            ..Report::default()
        };
        if let Some(c) = collect::collect_smali_dir(&self.limits, path, &mut report) {
            analyze::analyze(self, c, &mut report);
        }
        report.finish(self.rules.trackers.len());
        report
    }
}

impl Report {
    fn new(name: &str, bytes: &[u8], sha256: Option<&str>) -> Report {
        use sha2::{Digest, Sha256};
        let is_hex = |s: &str| {
            s.len() == 64
                && s.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        };
        Report {
            file: name.to_string(),
            sha256: match sha256 {
                Some(s) if is_hex(s) => s.to_string(),
                _ => hex(&Sha256::digest(bytes)),
            },
            size: bytes.len() as u64,
            ..Report::default()
        }
    }

    /// A report for an input that could not be read at all.
    pub fn failed(name: &str, error: String) -> Report {
        let mut r = Report {
            file: name.to_string(),
            errors: vec![error],
            ..Report::default()
        };
        r.finish(0);
        r
    }

    fn finish(&mut self, rules_checked: usize) {
        self.permissions.sort();
        self.permissions.dedup();
        self.trackers
            .sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        self.libraries
            .sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        self.hosts.sort_by(|a, b| a.host.cmp(&b.host));
        self.summary = match self.trackers.len() {
            _ if self.package.is_none() && !self.errors.is_empty() => {
                "not scanned: see errors".to_string()
            }
            0 => match self.hidden.as_ref().map(report::Hidden::short) {
                // Hidden code: not a bare "no known trackers", which would read as "clean".
                Some(h) if !h.is_empty() => format!(
                    "no known trackers in the readable code ({h}; {rules_checked} tracker rules checked)"
                ),
                _ => format!("no known trackers ({rules_checked} tracker rules checked)"),
            },
            1 => "1 known tracker".to_string(),
            n => format!("{n} known trackers"),
        };
    }

    /// Whether the input **could not be read**: there are `errors` and either no manifest was
    /// read (no package; a bare DEX input has no manifest by nature) or no code was read (no
    /// DEX file). Such a report gets no score (`"score": null`), `scan` exits 2 on it, and the
    /// batch counts it as a failure. The one rule, [`trackscan_report::ReadFacts::unreadable`],
    /// which `trackscan_batch::unreadable` asks on documents (`docs/schema.md`, "Unreadable
    /// apps").
    pub fn is_fatal(&self) -> bool {
        self.read_facts().unreadable()
    }

    /// What the "could not be read" rule looks at in this report.
    pub fn read_facts(&self) -> trackscan_report::ReadFacts<'_> {
        trackscan_report::ReadFacts {
            kind: &self.kind,
            package: self.package.as_deref(),
            errors: self.errors.len(),
            dex_files: self.dex.files,
        }
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackscan_report::ReadFacts;

    /// The typed report and its JSON document give the same answer: one rule.
    #[test]
    fn is_fatal_is_the_rule_on_rows_too() {
        let fatal = Report {
            file: "x.apk".into(),
            kind: "apk".into(),
            errors: vec!["AndroidManifest.xml: missing".into()],
            ..Report::default()
        };
        let mut read = fatal.clone();
        read.package = Some("com.ex".into());
        read.dex.files = 1;
        for (r, want) in [(&fatal, true), (&read, false)] {
            assert_eq!(r.is_fatal(), want);
            let doc = serde_json::to_value(r).unwrap();
            assert_eq!(ReadFacts::of_row(&doc).unreadable(), want, "{doc}");
        }
    }
}
