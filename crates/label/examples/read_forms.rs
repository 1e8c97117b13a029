//! Reads real Play Console Data safety exports and prints what `trackscan_label::form`
//! makes of them; also checks that writing each form back and reading it again gives the
//! same form.
//!
//! ```text
//! cargo run -p trackscan-label --example read_forms -- DIR      # every *.csv in DIR
//! TRACKSCAN_DATA_SAFETY_EXPORTS=DIR cargo run -p trackscan-label --example read_forms
//! ```
//!
//! The exports belong to their repositories and are not part of trackscan: fetch them
//! yourself (the list is in `docs/data_safety_exports.md`). Exits 1 when a file does not
//! parse or does not round-trip.

use std::path::PathBuf;
use std::process::ExitCode;

use trackscan_label::form::{parse, write_import, AnomalyKind};

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os()
        .nth(1)
        .or_else(|| std::env::var_os("TRACKSCAN_DATA_SAFETY_EXPORTS"))
        .map(PathBuf::from)
    else {
        eprintln!("usage: read_forms DIR (or TRACKSCAN_DATA_SAFETY_EXPORTS=DIR)");
        return ExitCode::from(2);
    };
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "csv"))
            .collect(),
        Err(e) => {
            eprintln!("{}: {e}", dir.display());
            return ExitCode::from(2);
        }
    };
    files.sort();
    let mut failed = 0;
    println!("file\tbytes\tcollects\tdeclared\tshared\tanomalies\tround trip\tdeclared types");
    for path in &files {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                println!("{name}\t-\tunreadable: {e}");
                failed += 1;
                continue;
            }
        };
        let form = match parse(&text) {
            Ok(f) => f,
            Err(e) => {
                println!("{name}\t{}\tERROR {e}", text.len());
                failed += 1;
                continue;
            }
        };
        // Written back and read again, the form is the same, line numbers aside; the
        // written text is then a fixed point.
        let written = write_import(&form);
        let round_trip = match parse(&written) {
            Ok(back) if write_import(&back) == written && same(&back, &form) => "ok",
            Ok(_) => "DIFFERS",
            Err(_) => "UNREADABLE",
        };
        if round_trip != "ok" {
            failed += 1;
        }
        let declared: Vec<&str> = form.declared().map(|(id, _)| id).collect();
        let shared = form.declared().filter(|(_, d)| d.shared).count();
        println!(
            "{name}\t{}\t{}\t{}\t{shared}\t{}\t{round_trip}\t{}",
            text.len(),
            form.collects_data
                .map_or("-".to_string(), |b| b.to_string()),
            declared.len(),
            form.unknown.len(),
            declared.join(" "),
        );
        for a in &form.unknown {
            println!("    {a}");
        }
    }
    println!("{} files, {failed} failed", files.len());
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Same typed content; anomalies compared by kind, bad values (not written back) left out.
fn same(a: &trackscan_label::form::Form, b: &trackscan_label::form::Form) -> bool {
    let kinds = |f: &trackscan_label::form::Form| -> Vec<AnomalyKind> {
        f.unknown
            .iter()
            .filter(|x| !matches!(x.kind, AnomalyKind::BadValue(_)))
            .map(|x| x.kind.clone())
            .collect()
    };
    let strip = |f: &trackscan_label::form::Form| {
        let mut f = f.clone();
        f.types.values_mut().for_each(|d| d.line = 0);
        f.other.iter_mut().for_each(|x| x.line = 0);
        f.unknown.clear();
        f
    };
    strip(a) == strip(b) && kinds(a) == kinds(b)
}
