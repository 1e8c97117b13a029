//! The Python-independent half of the bindings: everything here is plain Rust on JSON
//! documents, so it is unit-tested without an interpreter.

use std::path::Path;
use std::sync::OnceLock;

use rayon::prelude::*;
use serde_json::Value;
use trackscan_scan::{Report, Scanner};

/// The process-wide scanner with the built-in rules, compiled on first use (the rule
/// automata are the expensive part; a scanner is `Sync` and shared by all threads).
pub fn scanner() -> Result<&'static Scanner, String> {
    static SCANNER: OnceLock<Result<Scanner, String>> = OnceLock::new();
    SCANNER
        .get_or_init(Scanner::with_builtin_rules)
        .as_ref()
        .map_err(|e| format!("built-in rules: {e}"))
}

/// One scanned input: its JSON document (as the CLI prints it, `score` included) and,
/// when the input could not be analysed at all, the message the CLI would print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scanned {
    /// `serde_json::to_string` of the document.
    pub json: String,
    /// `Some(errors joined by newlines)` when [`Report::is_fatal`].
    pub fatal: Option<String>,
}

/// The document of one report, with its privacy score: the same function as the CLI's
/// `commands::document`, so `trackscan.scan(p)` equals `trackscan scan --compact p`.
pub fn document(report: &Report) -> Value {
    trackscan_batch::document(report, &report.file, report.is_fatal())
}

fn finish(report: &Report) -> Scanned {
    let doc = document(report);
    let json = serde_json::to_string(&doc).unwrap_or_else(|e| {
        serde_json::json!({"file": report.file, "errors": [format!("report: {e}")]}).to_string()
    });
    let fatal = report.is_fatal().then(|| {
        if report.errors.is_empty() {
            format!("{}: cannot be scanned", report.file)
        } else {
            report.errors.join("\n")
        }
    });
    Scanned { json, fatal }
}

/// Scans a file or apktool directory.
pub fn scan_path(path: &Path) -> Result<Scanned, String> {
    Ok(finish(&scanner()?.scan_path(path)))
}

/// Scans an app held in memory; `name` becomes the document's `file`.
pub fn scan_bytes(name: &str, bytes: &[u8]) -> Result<Scanned, String> {
    Ok(finish(&scanner()?.scan_bytes(name, bytes)))
}

/// Scans `paths` on a dedicated pool of `jobs` threads (all cores when `None` or 0);
/// results are in input order.
pub fn scan_many(paths: &[String], jobs: Option<usize>) -> Result<Vec<Scanned>, String> {
    let scanner = scanner()?;
    let threads = match jobs {
        Some(n) if n > 0 => n,
        _ => std::thread::available_parallelism().map_or(1, usize::from),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("trackscan-py-{i}"))
        .build()
        .map_err(|e| format!("thread pool of {threads}: {e}"))?;
    Ok(pool.install(|| {
        paths
            .par_iter()
            .map(|p| finish(&scanner.scan_path(Path::new(p))))
            .collect()
    }))
}

/// One side of a diff read from a file, as `trackscan diff` reads it: a JSON document
/// (pretty-printed, or the first line of a JSON Lines file) or an app that is scanned.
pub fn load_side(path: &Path) -> Result<Value, String> {
    trackscan_batch::load_side(path, |bytes| {
        Ok(document(&match bytes {
            // An apktool tree is an app too (no bytes to read as a JSON document).
            None => scanner()?.scan_path(path),
            Some(b) => scanner()?.scan_bytes(&path.display().to_string(), b),
        }))
    })
}

/// `trackscan_batch::diff(old, new).to_json()` on two documents given as JSON text.
pub fn diff_json(old: &str, new: &str) -> Result<String, String> {
    let parse = |which: &str, s: &str| {
        serde_json::from_str::<Value>(s)
            .map_err(|e| format!("{which}: not a trackscan JSON document: {e}"))
    };
    let (a, b) = (parse("old", old)?, parse("new", new)?);
    if !a.is_object() || !b.is_object() {
        return Err("diff: both sides must be JSON objects (trackscan documents)".into());
    }
    serde_json::to_string(&trackscan_batch::diff(&a, &b).to_json()).map_err(|e| e.to_string())
}

/// Writes the `apps` and `trackers` Parquet tables of `trackscan batch --format parquet`
/// for `docs` (JSON Lines text: one document per line). The rows are built by
/// `trackscan_batch::jsonl_to_parquet` itself, so the schema is defined once, in Rust.
/// A scratch journal `<apps>.jsonl` is written next to `apps` and removed.
pub fn apps_parquet(docs_jsonl: &str, apps: &Path, trackers: &Path) -> Result<(), String> {
    let mut journal = apps.as_os_str().to_owned();
    journal.push(".jsonl");
    let journal = std::path::PathBuf::from(journal);
    std::fs::write(&journal, docs_jsonl).map_err(|e| format!("{}: {e}", journal.display()))?;
    let out =
        trackscan_batch::jsonl_to_parquet(&journal, apps, trackers).map_err(|e| e.to_string());
    let _ = std::fs::remove_file(&journal);
    out
}

/// Expands local inputs as `trackscan batch` does (directories → their app files sorted,
/// `@list` files → their lines); URIs (`scheme://…`) are kept as they are.
pub fn expand_inputs(inputs: &[String]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for input in inputs {
        if input.contains("://") {
            out.push(input.clone());
        } else {
            let paths = trackscan_batch::expand_inputs(std::slice::from_ref(input))
                .map_err(|e| e.to_string())?;
            out.extend(paths.iter().map(|p| p.display().to_string()));
        }
    }
    Ok(out)
}

/// The columns of `apps.parquet` as `(name, arrow type, nullable)`; the type is the name
/// `docs/schema.md` uses (`Utf8`, `UInt32`, `List<Utf8>`, …).
pub fn apps_columns() -> Vec<(String, String, bool)> {
    trackscan_batch::APPS
        .columns
        .iter()
        .map(|c| (c.name.to_string(), c.ty.name().to_string(), c.nullable))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../samples");
    const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/apks");

    fn apks(dir: &str) -> Vec<std::path::PathBuf> {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut v: Vec<_> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "apk"))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn path_and_bytes_give_the_same_document() {
        let samples = apks(SAMPLES);
        assert!(!samples.is_empty(), "samples/*.apk missing");
        for p in samples {
            let name = p.display().to_string();
            let a = scan_path(&p).unwrap();
            let bytes = std::fs::read(&p).unwrap();
            let b = scan_bytes(&name, &bytes).unwrap();
            assert_eq!(a, b, "{name}");
            assert!(a.fatal.is_none(), "{name}: {:?}", a.fatal);
            let doc: Value = serde_json::from_str(&a.json).unwrap();
            assert!(doc["package"].is_string(), "{name}");
            assert!(doc["score"]["value"].is_u64(), "{name}");
        }
    }

    #[test]
    fn non_apk_is_fatal_with_the_report_error() {
        let s = scan_bytes("notes.txt", b"just some text, not an app").unwrap();
        let msg = s.fatal.expect("a text file is not scannable");
        assert!(msg.contains("notes.txt"), "{msg}");
        let doc: Value = serde_json::from_str(&s.json).unwrap();
        assert_eq!(doc["errors"][0].as_str(), Some(msg.lines().next().unwrap()));
        // An empty input too, and a missing path.
        assert!(scan_bytes("empty", b"").unwrap().fatal.is_some());
        let missing = scan_path(Path::new("/nonexistent/x.apk")).unwrap();
        assert!(missing.fatal.unwrap().contains("cannot read"));
    }

    #[test]
    fn scan_many_keeps_order_and_equals_sequential() {
        let mut paths: Vec<String> = apks(SAMPLES)
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        paths.push("/nonexistent/y.apk".into());
        paths.extend(apks(CORPUS).iter().take(6).map(|p| p.display().to_string()));
        let many = scan_many(&paths, Some(2)).unwrap();
        assert_eq!(many.len(), paths.len());
        for (p, got) in paths.iter().zip(&many) {
            assert_eq!(got, &scan_path(Path::new(p)).unwrap(), "{p}");
        }
        assert!(scan_many(&[], None).unwrap().is_empty());
    }

    #[test]
    fn diff_of_a_document_with_itself_is_empty_and_detects_changes() {
        let p = apks(SAMPLES).into_iter().next().expect("a sample");
        let a = scan_path(&p).unwrap().json;
        let same: Value = serde_json::from_str(&diff_json(&a, &a).unwrap()).unwrap();
        let mut b: Value = serde_json::from_str(&a).unwrap();
        b["version_code"] = Value::from(999_999u64);
        b["trackers"] = Value::Array(Vec::new());
        let changed: Value = serde_json::from_str(&diff_json(&a, &b.to_string()).unwrap()).unwrap();
        assert_ne!(same, changed);
        assert!(changed.to_string().contains("999999"), "{changed}");
        assert!(diff_json("{", &a).unwrap_err().starts_with("old:"));
        assert!(diff_json(&a, "[1]").is_err());
    }

    #[test]
    fn load_side_reads_documents_and_apps() {
        let dir = tempfile::tempdir().unwrap();
        let p = apks(SAMPLES).into_iter().next().expect("a sample");
        let doc: Value = serde_json::from_str(&scan_path(&p).unwrap().json).unwrap();
        let pretty = dir.path().join("a.json");
        std::fs::write(&pretty, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
        assert_eq!(load_side(&pretty).unwrap(), doc);
        let jsonl = dir.path().join("a.jsonl");
        std::fs::write(&jsonl, format!("{doc}\n{doc}\n")).unwrap();
        assert_eq!(load_side(&jsonl).unwrap(), doc);
        let app = load_side(&p).unwrap();
        assert_eq!(app["package"], doc["package"]);
        let tree = load_side(&Path::new(SAMPLES).join("hello-mixpanel-apktool")).unwrap();
        assert_eq!(tree["kind"], "smali_dir");
        let junk = dir.path().join("junk.bin");
        std::fs::write(&junk, b"\x00\x01junk").unwrap();
        assert!(load_side(&junk).unwrap_err().contains("junk.bin"));
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, b"{ nope").unwrap();
        assert!(load_side(&bad)
            .unwrap_err()
            .contains("not a trackscan JSON document"));
    }

    #[test]
    fn expand_inputs_walks_directories_and_keeps_uris() {
        let got = expand_inputs(&[SAMPLES.to_string(), "s3://bucket/x.apk".to_string()]).unwrap();
        let want = apks(SAMPLES).len();
        assert_eq!(got.len(), want + 1);
        assert!(got[..want].iter().all(|p| p.ends_with(".apk")));
        assert_eq!(got.last().map(String::as_str), Some("s3://bucket/x.apk"));
    }

    #[test]
    fn apps_parquet_has_one_row_per_document_with_the_batch_schema() {
        use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
        let dir = tempfile::tempdir().unwrap();
        let mut lines = String::new();
        for p in apks(SAMPLES) {
            lines.push_str(&scan_path(&p).unwrap().json);
            lines.push('\n');
        }
        lines.push_str(&scan_bytes("broken.apk", b"PK\x03\x04 broken").unwrap().json);
        lines.push('\n');
        let n = lines.lines().count();
        let (apps, trackers) = (dir.path().join("a.parquet"), dir.path().join("t.parquet"));
        apps_parquet(&lines, &apps, &trackers).unwrap();
        assert!(!dir.path().join("a.parquet.jsonl").exists());
        let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&apps).unwrap())
            .unwrap()
            .build()
            .unwrap();
        let mut rows = 0;
        for batch in reader {
            let batch = batch.unwrap();
            assert_eq!(
                batch.schema().fields(),
                trackscan_batch::apps_schema().fields()
            );
            rows += batch.num_rows();
        }
        assert_eq!(rows, n);
        let cols = apps_columns();
        assert_eq!(cols.first().map(|c| c.0.as_str()), Some("file"));
        // Nullable: unreadable apps have no score (JSON `"score": null`).
        assert!(cols.contains(&("score".into(), "UInt8".into(), true)));
        assert!(cols.contains(&("tracker_names".into(), "List<Utf8>".into(), false)));
    }
}
