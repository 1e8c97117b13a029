//! Issue #21 item 4: `trackscan batch --format parquet -o DIR` writes the documented tables
//! (`apps`, `app_trackers`, `app_hosts`, `app_pins`, `errors`, `app_label`), read back here with
//! the `parquet` crate: columns and types as `trackscan_batch::TABLES` declares, one `apps` row
//! per input, lists as lists, every table joinable on `sha256`, nothing else in the directory.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::Path;

use arrow_array::{Array, ListArray, RecordBatch, StringArray, UInt8Array};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;

use super::{corpus, read_jsonl, root, trackscan};

fn read(path: &Path) -> Vec<RecordBatch> {
    ParquetRecordBatchReaderBuilder::try_new(File::open(path).expect("table exists"))
        .expect("a Parquet file")
        .build()
        .expect("reader")
        .map(|b| b.expect("row group"))
        .collect()
}

/// A string column (or a list-of-strings column, items joined by `;`) of all row groups.
fn col(batches: &[RecordBatch], name: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for b in batches {
        let c = b.column_by_name(name).expect("column");
        if let Some(s) = c.as_any().downcast_ref::<StringArray>() {
            out.extend((0..s.len()).map(|i| s.is_valid(i).then(|| s.value(i).to_string())));
        } else {
            let l = c.as_any().downcast_ref::<ListArray>().expect("list column");
            for i in 0..l.len() {
                let v = l.value(i);
                let v = v.as_any().downcast_ref::<StringArray>().expect("strings");
                let items: Vec<&str> = (0..v.len()).map(|j| v.value(j)).collect();
                out.push(Some(items.join(";")));
            }
        }
    }
    out
}

#[test]
fn parquet_tables_are_documented_typed_and_join_on_sha256() {
    let dir = tempfile::tempdir().expect("tmp");
    let junk = dir.path().join("junk.apk");
    std::fs::write(&junk, [0x42u8; 3000]).expect("write");
    let samples = root().join("samples");
    let mut inputs = vec![
        samples.join("hello-mixpanel.apk"),
        samples.join("trustkit-demo.apk"),
        junk.clone(),
    ];
    if let Some(c) = corpus() {
        for n in ["achat.apk", "ag_multidex_tiny.apk"] {
            let p = c.join("apks").join(n);
            if p.is_file() {
                inputs.push(p);
            }
        }
    }
    // A duplicate input: same content under another name.
    let copy = dir.path().join("copy-of-mixpanel.apk");
    std::fs::copy(&inputs[0], &copy).expect("copy");
    inputs.push(copy);
    let out = dir.path().join("tables");
    let o = trackscan()
        .args([
            "batch",
            "-q",
            "--allow-unreadable",
            "--format",
            "parquet",
            "-o",
        ])
        .arg(&out)
        .args(&inputs)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");

    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("output directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut want: Vec<String> = trackscan_batch::TABLES
        .iter()
        .map(|t| t.file_name())
        .chain(["rows.jsonl".to_string()])
        .collect();
    want.sort();
    assert_eq!(names, want, "exactly the documented files");

    let docs = read_jsonl(&out.join("rows.jsonl"));
    assert_eq!(docs.len(), inputs.len());
    let mut t = BTreeMap::new();
    for table in trackscan_batch::TABLES {
        let b = read(&out.join(table.file_name()));
        let schema = b.first().map(|x| x.schema());
        if let Some(schema) = schema {
            assert_eq!(*schema, *table.schema(), "{}", table.name);
        }
        t.insert(table.name, b);
    }
    let rows = |n: &str| t[n].iter().map(RecordBatch::num_rows).sum::<usize>();
    assert_eq!(rows("apps"), inputs.len(), "one apps row per input");

    // Per-app tables: the journal's facts, once per distinct content.
    let mut distinct = BTreeMap::new();
    for d in &docs {
        distinct
            .entry(d["sha256"].as_str().map(str::to_string))
            .or_insert(d);
    }
    let count = |key: &str| -> usize {
        distinct
            .values()
            .map(|d| d[key].as_array().map_or(0, Vec::len))
            .sum()
    };
    assert_eq!(rows("app_trackers"), count("trackers"));
    assert!(rows("app_trackers") > 0, "mixpanel is detected");
    assert_eq!(rows("app_hosts"), count("hosts"));
    assert_eq!(rows("errors"), count("errors"));
    assert!(rows("errors") >= 1, "junk.apk has an error row");
    let pins: usize = distinct
        .values()
        .flat_map(|d| d["pinning"].as_array().cloned().unwrap_or_default())
        .map(|p| p["pins"].as_array().map_or(0, Vec::len).max(1))
        .sum();
    assert_eq!(rows("app_pins"), pins);
    assert!(pins > 0, "trustkit-demo pins");

    // Lists are lists: tracker names per app equal the documents'.
    let files = col(&t["apps"], "file");
    let names = col(&t["apps"], "tracker_names");
    for (f, n) in files.iter().zip(&names) {
        let d = docs
            .iter()
            .find(|d| d["file"].as_str() == f.as_deref())
            .expect("row per file");
        let want: Vec<&str> = d["trackers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x["name"].as_str())
            .collect();
        assert_eq!(n.as_deref(), Some(want.join(";").as_str()), "{f:?}");
    }

    // Joins: every child sha256 is an app's; the duplicate joins to the same trackers.
    let app_sha: BTreeSet<Option<String>> = col(&t["apps"], "sha256").into_iter().collect();
    for n in ["app_trackers", "app_hosts", "app_pins", "errors"] {
        for s in col(&t[n], "sha256") {
            assert!(app_sha.contains(&s), "{n}: {s:?} has no app");
        }
    }
    let tr_sha = col(&t["app_trackers"], "sha256");
    let app_shas = col(&t["apps"], "sha256");
    let per_file: BTreeMap<String, usize> = files
        .iter()
        .zip(&app_shas)
        .map(|(f, s)| {
            let name = f
                .as_deref()
                .unwrap_or_default()
                .rsplit('/')
                .next()
                .unwrap_or("");
            (name.to_string(), tr_sha.iter().filter(|x| *x == s).count())
        })
        .collect();
    assert!(per_file["hello-mixpanel.apk"] > 0);
    assert_eq!(
        per_file["hello-mixpanel.apk"],
        per_file["copy-of-mixpanel.apk"]
    );
    assert_eq!(per_file["junk.apk"], 0);

    // Unreadable apps: null score and grade.
    let score = t["apps"][0]
        .column_by_name("score")
        .and_then(|c| c.as_any().downcast_ref::<UInt8Array>().cloned())
        .expect("score is UInt8");
    let grade = col(&t["apps"], "grade");
    for (i, f) in files.iter().enumerate() {
        let d: &Value = docs
            .iter()
            .find(|d| d["file"].as_str() == f.as_deref())
            .expect("row");
        let unreadable = trackscan_batch::unreadable(d);
        assert_eq!(score.is_null(i), unreadable, "{f:?}");
        assert_eq!(grade[i].is_none(), unreadable, "{f:?}");
    }
}

#[test]
fn parquet_output_named_like_a_file_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("results.parquet");
    let o = trackscan()
        .args(["batch", "-q", "--format", "parquet", "-o"])
        .arg(&out)
        .arg(root().join("samples/hello-mixpanel.apk"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("directory"), "{stderr}");
    assert!(!out.exists(), "nothing written");
}

/// Issue #18 item 2: the long-format timeline table. Over the three builds of the Mixpanel
/// demo: one row per release × SDK, `added` in the first release, `changed` with the code
/// detail where the SDK's code changed, columns as docs/schema.md lists them.
#[test]
fn timeline_long_format_parquet() {
    let Some(corpus) = corpus() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("rows.jsonl");
    let mut cmd = trackscan();
    cmd.args(["batch", "-q", "-o"]).arg(&journal);
    for v in 1..=3 {
        cmd.arg(corpus.join(format!("apks/hello_mixpanel_v{v}.apk")));
    }
    assert!(cmd.output().unwrap().status.success());
    let table = dir.path().join("timeline.parquet");
    let out = trackscan()
        .arg("timeline")
        .arg(&journal)
        .arg("--parquet")
        .arg(&table)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let b = read(&table);
    let names: Vec<String> = b[0]
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let doc = std::fs::read_to_string(root().join("docs/schema.md")).unwrap();
    for n in &names {
        assert!(doc.contains(&format!("`{n}`")), "column {n} not documented");
    }
    let sdk = col(&b, "sdk");
    let change = col(&b, "change");
    let detail = col(&b, "detail");
    assert_eq!(sdk.len(), 3, "{sdk:?}");
    assert!(sdk.iter().all(|s| s.as_deref() == Some("mixpanel")));
    assert_eq!(change[0].as_deref(), Some("added"));
    assert!(
        change
            .iter()
            .zip(&detail)
            .any(|(c, d)| c.as_deref() == Some("changed")
                && d.as_deref()
                    .is_some_and(|d| d.contains("45 methods -> 16 classes, 48 methods"))),
        "{change:?} {detail:?}"
    );
}

/// Issue #30: `app_label`, one row per data type of a row's Data safety label check, joinable
/// on `sha256`. The journal (the Instapaper client with its label check inserted, as
/// `batch --labels` does, and the Mixpanel demo without one) is resumed into tables.
#[test]
fn app_label_table_from_a_journal_with_a_label_check() {
    let dir = tempfile::tempdir().expect("tmp");
    let Some(journal) = super::html::labelled_journal(dir.path()) else {
        return;
    };
    let out = dir.path().join("tables");
    std::fs::create_dir_all(&out).expect("mkdir");
    std::fs::copy(&journal, out.join("rows.jsonl")).expect("copy");
    let docs = read_jsonl(&journal);
    let mut cmd = trackscan();
    cmd.args(["batch", "-q", "--resume", "--format", "parquet", "-o"])
        .arg(&out);
    for d in &docs {
        cmd.arg(d["file"].as_str().expect("file"));
    }
    let o = cmd.output().expect("runs");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let b = read(&out.join("app_label.parquet"));
    assert_eq!(*b[0].schema(), *trackscan_batch::APP_LABEL.schema());
    let labelled = docs
        .iter()
        .find(|d| d["data_safety"].is_object())
        .expect("a row with a check");
    let types = labelled["data_safety"]["types"].as_array().expect("types");
    let n: usize = b.iter().map(RecordBatch::num_rows).sum();
    assert_eq!(
        n,
        types.len(),
        "one row per data type, none for the row without"
    );
    let sha = labelled["sha256"].as_str().map(str::to_string);
    assert!(col(&b, "sha256").iter().all(|s| *s == sha));
    let apps_sha = col(&read(&out.join("apps.parquet")), "sha256");
    assert!(apps_sha.contains(&sha), "joins apps on sha256");
    let dt = col(&b, "data_type");
    let verdict = col(&b, "verdict");
    let i = dt
        .iter()
        .position(|d| d.as_deref() == Some("PSL_EMAIL"))
        .expect("PSL_EMAIL row");
    assert_eq!(verdict[i].as_deref(), Some("undeclared"));
    assert_eq!(col(&b, "sdks")[i].as_deref(), Some("google-crashlytics"));
    assert_eq!(
        col(&b, "type_label")[i].as_deref(),
        Some("Personal info / Email address")
    );
    assert!(col(&b, "evidence")[i]
        .as_deref()
        .is_some_and(|e| e.contains("setUserEmail")));
    assert!(col(&b, "label_file")[i]
        .as_deref()
        .is_some_and(|f| f.ends_with("no_email.csv")));
    assert_eq!(
        verdict
            .iter()
            .filter(|v| v.as_deref() == Some("consistent"))
            .count(),
        5
    );
    let declared = b[0]
        .column_by_name("declared_collected")
        .and_then(|c| {
            c.as_any()
                .downcast_ref::<arrow_array::BooleanArray>()
                .cloned()
        })
        .expect("Boolean");
    assert!(declared.is_null(i), "the e-mail is not declared");
    // The apps row's score counts the undeclared type.
    let rows = read_jsonl(&out.join("rows.jsonl"));
    let row = rows
        .iter()
        .find(|d| d["data_safety"].is_object())
        .expect("row kept");
    let score = trackscan_batch::score(row);
    assert!(score.reasons.iter().any(|r| r.points == 15
        && r.why
            .starts_with("the Data safety label does not declare PSL_EMAIL")));
}
