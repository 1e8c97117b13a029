//! The one rule that says an app **could not be read**: there are errors, and either no
//! manifest was read (no package; a bare DEX input has no manifest by nature) or no code was
//! read (no DEX file). Such an app gets no score (`"score": null`), `scan` exits 2 on it, and
//! the batch counts it as a failure (`docs/schema.md`, "Unreadable apps").
//!
//! `trackscan_scan::Report::is_fatal` (on typed reports) and `trackscan_batch::unreadable`
//! (on JSON rows, including the batch's own error rows) both fill a [`ReadFacts`] and ask it.

use serde_json::Value;

/// What the rule looks at, borrowed from a report or a row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadFacts<'a> {
    /// The input kind (`apk`, `split_bundle`, `dex`, `smali_dir`; empty when unknown).
    pub kind: &'a str,
    /// The manifest package, if one was read.
    pub package: Option<&'a str>,
    /// How many errors the report has.
    pub errors: usize,
    /// How many DEX files (or smali roots) were read.
    pub dex_files: u64,
}

/// The input kind of a bare DEX file, which has no manifest by nature.
pub const BARE_DEX_KIND: &str = "dex";

impl<'a> ReadFacts<'a> {
    /// The facts of a JSON document (a `trackscan scan` document or a batch row): `errors`
    /// (an array; anything else counts as none), `kind`, `package` (a string, else none) and
    /// `dex.files`. Rows of any version read: what is missing counts as absent.
    pub fn of_row(doc: &'a Value) -> ReadFacts<'a> {
        ReadFacts {
            kind: doc.get("kind").and_then(Value::as_str).unwrap_or(""),
            package: doc.get("package").and_then(Value::as_str),
            errors: doc
                .get("errors")
                .and_then(Value::as_array)
                .map_or(0, Vec::len),
            dex_files: doc
                .get("dex")
                .and_then(|d| d.get("files"))
                .and_then(Value::as_u64)
                .unwrap_or(0),
        }
    }

    /// Whether the app could not be read (see the module documentation). An app with errors
    /// whose manifest *and* code were read (e.g. one DEX over `max-dex-size` among several) is
    /// readable; an app without errors always is, even without code (`hasCode="false"`).
    pub fn unreadable(&self) -> bool {
        if self.errors == 0 {
            return false;
        }
        let no_manifest = self.kind != BARE_DEX_KIND && self.package.is_none_or(str::is_empty);
        no_manifest || self.dex_files == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_rule() {
        let read = ReadFacts {
            kind: "apk",
            package: Some("com.ex"),
            errors: 1,
            dex_files: 2,
        };
        assert!(!read.unreadable(), "errors, but manifest and code read");
        assert!(ReadFacts {
            package: None,
            ..read
        }
        .unreadable());
        assert!(ReadFacts {
            package: Some(""),
            ..read
        }
        .unreadable());
        assert!(ReadFacts {
            dex_files: 0,
            ..read
        }
        .unreadable());
        assert!(!ReadFacts {
            kind: "dex",
            package: None,
            ..read
        }
        .unreadable());
        assert!(!ReadFacts {
            errors: 0,
            package: None,
            dex_files: 0,
            ..read
        }
        .unreadable());
        assert!(
            ReadFacts {
                errors: 1,
                ..ReadFacts::default()
            }
            .unreadable(),
            "a batch error row"
        );
    }

    #[test]
    fn rows() {
        let dex = json!({"files": 2});
        let row = |d: serde_json::Value| ReadFacts::of_row(&d).unreadable();
        assert!(row(
            json!({"kind": "apk", "package": null, "dex": dex, "errors": ["no manifest"]})
        ));
        assert!(row(
            json!({"package": "com.ex", "dex": {"files": 0}, "errors": ["x"]})
        ));
        assert!(!row(json!({"kind": "dex", "dex": dex, "errors": ["odd"]})));
        assert!(!row(
            json!({"package": "com.ex", "dex": dex, "errors": ["over max-dex-size"]})
        ));
        assert!(!row(json!({"package": "com.ex"})));
        assert!(
            row(json!({"file": "x.apk", "errors": ["timeout"]})),
            "a batch error row"
        );
        assert!(!row(json!({"errors": "not a list"})));
    }
}
