//! Batch runner, CSV/Parquet export, version diffs, timelines, privacy
//! scorecards, HTML and SARIF for trackscan's per-app JSON documents.
//!
//! # Design
//!
//! This crate works on the **JSON documents** the scanner emits
//! (`serde_json::Value`, one per app; see `docs/schema.md` and
//! `docs/report.schema.json`), never on the scanner's Rust types: it does not
//! depend on `trackscan-scan`, and [`run_batch`] takes the scan as a closure.
//! Every accessor is defensive — a missing or mistyped key reads as empty — so
//! documents from older versions, and error rows (`{"file", "errors"}`), work
//! everywhere.
//!
//! - [`run_batch`]: a dedicated `rayon` pool scans inputs in parallel; the
//!   calling thread is the only writer of the JSON Lines journal (one
//!   `write_all` + flush per row), so memory is bounded and a kill loses at most
//!   a partial last line, which `resume` cuts off. Rows come in input order
//!   (a bounded reorder window); the same file named twice is one input.
//!   Identical files (same SHA-256) are scanned once; resume keys rows by that
//!   hash and retries error rows unless `keep_errors`; [`run_batch_hashed`] hands
//!   that hash to the scan, so that each input is hashed once. Panics become
//!   error rows; so do timeouts (the runaway scan keeps its thread until it
//!   ends). Progress: `indicatif` on a terminal, plain lines otherwise.
//! - [`jsonl_to_csv`], [`jsonl_to_tables`]: exports streamed from the journal
//!   (the Parquet tables [`TABLES`], all joinable on `sha256`).
//!   Parquet uses the `parquet` crate with only its `arrow` feature and no
//!   codecs (files are uncompressed): the codecs (zstd, brotli, lz4, snap,
//!   flate2) would double the build time for little gain on these small tables.
//! - [`diff`], [`timeline`]: what changed between versions; a signing
//!   certificate change is the red flag and comes first.
//! - [`score`]: a transparent privacy scorecard; [`policy_hits`] for `--fail-on`.
//! - [`html_report`] (self-contained, every document string escaped) and
//!   [`sarif`] (SARIF 2.1.0).
//!
//! # Scorecard weights
//!
//! Score = 100 − Σ points, floored at 0. Grades: A ≥ 90, B ≥ 75, C ≥ 60,
//! D ≥ 40, E ≥ 20, F below. Each deduction is one [`Reason`]; reasons are sorted
//! by points (descending) then text.
//!
//! | finding | points |
//! |---|---|
//! | tracker, by its worst category: Advertisement 15, Profiling 12, Identification 12, Location 10, Analytics 8, Crash reporting 3, other 4 | per tracker |
//! | personal-data category reached by tracker SDK code: location/contacts/sms/call-log/microphone 8; camera/phone-number/device-id/subscriber-id 6; accounts/calendar/installed-apps 5; advertising-id/clipboard 4; android-id/wifi/bluetooth 3; carrier/sensors 2; other 3 | per category |
//! | personal-data category reached by library (non-tracker) code | 0: information only |
//! | dangerous permission: ACCESS_BACKGROUND_LOCATION 8, ACCESS_FINE_LOCATION 6, READ_CALL_LOG/READ_SMS/RECORD_AUDIO 6, READ_CONTACTS 5, ACCESS_COARSE_LOCATION/READ_PHONE_STATE/READ_PHONE_NUMBERS/RECEIVE_SMS/SEND_SMS/CAMERA/BODY_SENSORS/PROCESS_OUTGOING_CALLS 4, WRITE_CONTACTS/GET_ACCOUNTS/WRITE_CALL_LOG/RECEIVE_MMS/READ_CALENDAR/QUERY_ALL_PACKAGES 3, CALL_PHONE/WRITE_CALENDAR/ACTIVITY_RECOGNITION 2, READ_EXTERNAL_STORAGE/READ_MEDIA_* 1 | capped at 30 in total |
//! | cleartext HTTP by default | 8 |
//! | cleartext allowed to some domains | 3 |
//! | user CAs trusted | 3 |
//! | insecure trust manager / hostname verifier / WebView ignoring SSL errors | 6 each, each family capped at 12 |
//! | debuggable | 10 |
//! | allowBackup true or unset (defaults to true; only if the manifest was parsed) | 3 |
//! | pinned host belonging to a tracker (hides its traffic from inspection) | 4 each, capped at 12 |
//! | Play data type the Data safety label does not declare while an SDK gets it (`label.types[]` verdict `undeclared`; only when `label.has_label`) | 15 each, capped at 30 |
//! | data type the label declares as not shared while third parties receive it (`shared_not_declared`) | 5 each, capped at 10 |
//!
//! The constants are public in [`score`](mod@score) (e.g. [`score::TRACKER_CATEGORY_POINTS`]).
#![deny(missing_docs)]

mod diff;
mod error;
mod html;
pub mod label_view;
mod runner;
mod sarif;
pub mod score;
pub mod sdk_diff;
mod tabular;
mod timeline;
mod timeline_read;
mod util;

pub use diff::{diff, load_side, read_document, Change, Diff, SigningKind};
pub use html::{
    escape, html_report, html_report_with, json_for_script, report_row, utc_now, utc_string,
    Provenance, MAX_HOSTS, PAGE_SIZE,
};
pub use runner::{
    expand_inputs, journal_path, run_batch, run_batch_hashed, sha256_file, BatchError,
    BatchOptions, BatchSummary, Format, EXTENSIONS,
};
pub use sarif::sarif;
pub use score::{
    attach_score, document, document_score, grade, policy_hits, row_score, score, scorecard,
    unreadable, Grade, Reason, Score,
};
pub use tabular::{
    apps_schema, csv_field, csv_row, jsonl_to_csv, jsonl_to_parquet, jsonl_to_tables,
    timeline_to_parquet, Column, ColumnType, Table, APPS, APP_HOSTS, APP_LABEL, APP_PINS,
    APP_TRACKERS, CSV_COLUMNS, ERRORS, TABLES, TIMELINE,
};
pub use timeline::{
    timeline, timeline_from_jsonl, timeline_report, PackageTimeline, Release, ReleaseDiff,
    Timeline, TrackerSpan,
};

/// Reads a JSON Lines file (a batch journal) into documents, skipping lines
/// that are not JSON objects (e.g. a truncated last line).
pub fn read_jsonl(path: &std::path::Path) -> std::io::Result<Vec<serde_json::Value>> {
    let text = std::fs::read(path)?;
    Ok(text
        .split(|b| *b == b'\n')
        .filter_map(|l| serde_json::from_slice::<serde_json::Value>(l).ok())
        .filter(serde_json::Value::is_object)
        .collect())
}

/// Reads a batch journal for [`html_report_with`], line by line, each document reduced
/// by [`report_row`] as it is read (lines that are not JSON objects are skipped, as in
/// [`read_jsonl`]): memory is the reduced documents, not the file nor the full documents.
pub fn read_jsonl_for_report(path: &std::path::Path) -> std::io::Result<Vec<serde_json::Value>> {
    use std::io::BufRead;
    let mut r = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut out = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if r.read_until(b'\n', &mut line)? == 0 {
            return Ok(out);
        }
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&line) {
            if v.is_object() {
                out.push(report_row(v));
            }
        }
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    const KEYS: &[&str] = &[
        "file",
        "sha256",
        "package",
        "version_code",
        "version_name",
        "min_sdk",
        "target_sdk",
        "permissions",
        "components",
        "kind",
        "name",
        "exported",
        "exported_effective",
        "application",
        "debuggable",
        "allow_backup",
        "signing",
        "certificates",
        "trackers",
        "libraries",
        "id",
        "categories",
        "sdk_version",
        "evidence",
        "value",
        "location",
        "evidence_omitted",
        "data_access",
        "category",
        "confidence",
        "hosts",
        "host",
        "tracker",
        "pinning",
        "pins",
        "algorithm",
        "digest",
        "transport",
        "cleartext_default",
        "insecure_trust_managers",
        "score",
        "grade",
        "errors",
        "warnings",
        "website",
        "call_sites",
        "reason",
        "evidence_omitted",
        "label",
        "data_safety",
        "data_safety_file",
        "has_label",
        "types",
        "data_type",
        "verdict",
        "declared",
        "sdks",
        "sdk",
        "sdk_name",
        "mismatches",
        "mismatch",
        "evidence_lines",
        "left_out",
        "dormant",
        "switches",
        "counts",
    ];

    /// JSON shaped like (and often unlike) a per-app document; every string
    /// carries an HTML-injection marker.
    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            "[a-zA-Z.&'\" ]{0,6}".prop_map(|s| Value::from(format!("{s}<evil>"))),
        ];
        leaf.prop_recursive(4, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::btree_map(prop::sample::select(KEYS), inner, 0..8).prop_map(
                    |m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
                ),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn nothing_panics_and_invariants_hold(doc in arb_json(), other in arb_json()) {
            let s = score(&doc);
            let total: u32 = s.reasons.iter().map(|r| r.points).sum();
            prop_assert_eq!(u32::from(s.value), 100u32.saturating_sub(total));
            prop_assert_eq!(s.grade.as_str(), grade(s.value));
            prop_assert!(s.reasons.windows(2).all(|w| w[0].points >= w[1].points));
            prop_assert_eq!(&score(&doc), &s);

            prop_assert!(diff(&doc, &doc).is_empty());
            let d = diff(&doc, &other);
            let _ = (d.to_text(), d.to_json());

            let html = html_report(&[doc.clone(), other.clone()]);
            prop_assert!(!html.contains("<evil>"));
            // The report of reduced rows is the report of the rows.
            prop_assert_eq!(&html, &html_report(&[report_row(doc.clone()), report_row(other.clone())]));
            // Ours only: the JSON data block and the code.
            prop_assert_eq!(html.matches("<script").count(), 2);
            prop_assert_eq!(html.matches("</script").count(), 2);

            let sarif = sarif(&doc);
            prop_assert_eq!(&sarif["version"], "2.1.0");
            let fail = vec![("category".to_string(), "advertisement".to_string())];
            let _ = policy_hits(&doc, &fail);
            let row = csv_row(&doc);
            prop_assert!(row.ends_with('\n'));

            let tl = timeline(vec![doc.clone(), other.clone()].into_iter(), None);
            for t in &tl {
                let readable = t.releases.iter().filter(|r| !r.unreadable).count();
                prop_assert_eq!(t.diffs.len(), readable.saturating_sub(1));
                let _ = (t.to_text(), t.to_json());
            }
        }
    }
}

#[cfg(test)]
mod schema_doc {
    use serde_json::Value;

    /// `docs/report.schema.json` is valid JSON, draft 2020-12, and describes
    /// every document key this crate reads.
    #[test]
    fn schema_covers_keys_read() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/report.schema.json");
        let text = std::fs::read_to_string(path).expect("docs/report.schema.json");
        let schema: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        let props = schema["properties"].as_object().expect("properties");
        for key in [
            "file",
            "sha256",
            "size",
            "package",
            "version_code",
            "version_name",
            "min_sdk",
            "target_sdk",
            "label",
            "permissions",
            "components",
            "meta_data",
            "application",
            "signing",
            "dex",
            "trackers",
            "libraries",
            "hosts",
            "pinning",
            "transport",
            "score",
            "warnings",
            "errors",
        ] {
            assert!(props.contains_key(key), "schema lacks {key}");
        }
        let finding = &schema["$defs"]["finding"]["properties"];
        for key in [
            "id",
            "name",
            "categories",
            "sdk_version",
            "evidence",
            "data_access",
            "confidence",
        ] {
            assert!(finding.get(key).is_some(), "finding lacks {key}");
        }
    }
}
