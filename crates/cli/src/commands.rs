//! One function per subcommand.

use std::io::Write;
use std::path::Path;

use trackscan_scan::{Report, Scanner};
use trackscan_signatures::RuleSet;

use crate::args::{Cli, Command, ScanArgs, ScanFormat};

pub fn run(cli: Cli) -> Result<u8, String> {
    match cli.command {
        Command::Scan(a) => scan(a),
        Command::Batch(a) => crate::commands::batch::batch(a),
        Command::Diff(a) => batch::diff(a),
        Command::Timeline(a) => batch::timeline(a),
        Command::Report(a) => batch::report(a),
        Command::Signatures(a) => sigs::signatures(a),
        Command::Label(a) => label::label(a),
    }
}

mod batch;
mod label;
mod sigs;

/// Loads the rules (built-in or from a directory) and compiles the scanner with `limits`.
pub fn scanner(rules: Option<&Path>, limits: trackscan_scan::Limits) -> Result<Scanner, String> {
    Scanner::new(load_rules(rules)?, limits)
}

/// Applies `--limit KEY=VALUE` options to the default limits (`scan` and `batch` share this).
/// A value must be a whole number (with an optional size suffix) that fits in 64 bits, and at
/// least 1 except for `max-nested` (0 = no nested archives): a limit of 0 would refuse every app.
pub fn parse_limits(specs: &[String]) -> Result<trackscan_scan::Limits, String> {
    let mut l = trackscan_scan::Limits::default();
    for spec in specs {
        let (k, v) = spec
            .split_once('=')
            .ok_or_else(|| format!("--limit {spec:?}: expected KEY=VALUE"))?;
        let n = parse_size(v.trim()).map_err(|why| format!("--limit {spec:?}: {v:?} {why}"))?;
        let key = k.trim().to_ascii_lowercase().replace('_', "-");
        if n == 0 && key != "max-nested" && l.get(&key).is_some() {
            return Err(format!(
                "--limit {spec:?}: must be at least 1 (a limit of 0 would refuse every app)"
            ));
        }
        l.set(k, n).map_err(|e| format!("--limit {spec:?}: {e}"))?;
    }
    Ok(l)
}

/// `123`, `64K`, `512MiB`, `2G`: binary multiples; `Err` says why not.
fn parse_size(v: &str) -> Result<u64, &'static str> {
    let digits = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (num, unit) = v.split_at(digits);
    if num.is_empty() {
        return Err("is not a whole number (K/M/G suffixes allowed)");
    }
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err("is not a whole number (K/M/G suffixes allowed)"),
    };
    let n: u64 = num.parse().map_err(|_| "is too large")?;
    n.checked_mul(1u64 << shift).ok_or("is too large")
}

pub fn load_rules(rules: Option<&Path>) -> Result<RuleSet, String> {
    match rules {
        Some(dir) => RuleSet::load_dir(dir).map_err(|e| format!("{}: {e}", dir.display())),
        None => Ok(RuleSet::builtin()),
    }
}

/// The JSON document of one report, with its privacy score: what `scan --format json` prints
/// and what `batch` writes as a row.
pub fn document(report: &Report) -> serde_json::Value {
    trackscan_batch::document(report, &report.file, report.is_fatal())
}

/// Opens the output (a file or standard output).
pub fn output(path: Option<&Path>) -> Result<Box<dyn Write>, String> {
    Ok(match path {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(QuietPipe(std::io::stdout().lock()))),
    })
}

/// Standard output that ends the process quietly with exit code 0 when the reader has gone
/// (`EPIPE`, e.g. `trackscan scan … | head`), as ripgrep does: nothing is left to say to
/// anyone, so there is no message and no point in scanning on. Other errors pass through.
pub struct QuietPipe<W>(pub W);

impl<W: Write> QuietPipe<W> {
    fn check<T>(r: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &r {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
        r
    }
}

impl<W: Write> Write for QuietPipe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Self::check(self.0.write(buf))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Self::check(self.0.flush())
    }
}

/// Writes formatted text to standard output through [`QuietPipe`] (what `print!` would do,
/// without its panic on a closed pipe); `Err` names any other write failure.
pub fn print_out(args: std::fmt::Arguments<'_>) -> Result<(), String> {
    let mut out = QuietPipe(std::io::stdout().lock());
    out.write_fmt(args)
        .and_then(|()| out.flush())
        .map_err(|e| format!("writing output: {e}"))
}

/// `print!` through [`print_out`]: `out!(…)?`.
macro_rules! out {
    ($($t:tt)*) => { $crate::commands::print_out(format_args!($($t)*)) };
}

/// `println!` through [`print_out`]: `outln!(…)?`.
macro_rules! outln {
    () => { $crate::commands::print_out(format_args!("\n")) };
    ($($t:tt)*) => { $crate::commands::print_out(format_args!("{}\n", format_args!($($t)*))) };
}
pub(crate) use {out, outln};

/// Parses `--fail-on key=v1,v2` options.
pub fn parse_fail_on(specs: &[String]) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for spec in specs {
        let (k, vs) = spec
            .split_once('=')
            .ok_or_else(|| format!("--fail-on {spec:?}: expected KEY=VALUE[,VALUE…]"))?;
        let k = k.trim().to_ascii_lowercase();
        if !matches!(k.as_str(), "category" | "id" | "tracker" | "confidence") {
            return Err(format!(
                "--fail-on {spec:?}: unknown key {k:?} (use category, id or confidence)"
            ));
        }
        for v in vs.split(',').filter(|v| !v.trim().is_empty()) {
            out.push((k.clone(), v.trim().to_string()));
        }
    }
    Ok(out)
}

/// One input of `scan`: a path to scan, or a directory that could not be expanded.
enum ScanInput {
    Path(std::path::PathBuf),
    /// A directory that holds no apps or could not be walked: its name and the error.
    Failed(String, String),
}

/// Whether a directory is an apktool tree (one app), by what `scan::collect` reads from it:
/// an `AndroidManifest.xml`, an `apktool.yml` or a top-level `smali*` folder.
fn is_apktool_tree(dir: &Path) -> bool {
    if dir.join("AndroidManifest.xml").is_file() || dir.join("apktool.yml").is_file() {
        return true;
    }
    std::fs::read_dir(dir).is_ok_and(|rd| {
        rd.filter_map(Result::ok).any(|e| {
            e.file_name().to_string_lossy().starts_with("smali")
                && e.file_type().is_ok_and(|t| t.is_dir())
        })
    })
}

/// The apps `scan` reads from its arguments, in order: a file as it is; an apktool tree as one
/// app; any other directory as the apps in it, found as `batch` finds them (recursively, by
/// extension: `trackscan_batch::EXTENSIONS`, sorted by path). A directory with none gets a
/// failed report saying so.
fn scan_inputs(paths: &[std::path::PathBuf]) -> Vec<ScanInput> {
    let mut out = Vec::new();
    for path in paths {
        if !path.is_dir() || is_apktool_tree(path) {
            out.push(ScanInput::Path(path.clone()));
            continue;
        }
        let name = path.display().to_string();
        let exts = trackscan_batch::EXTENSIONS
            .iter()
            .map(|e| format!(".{e}"))
            .collect::<Vec<_>>()
            .join(", ");
        // `expand_inputs` reads `@x` as a list file: name such a directory `./@x`.
        let arg = match path.to_str() {
            Some(s) if s.starts_with('@') => format!("./{s}"),
            Some(s) => s.to_string(),
            None => {
                out.push(ScanInput::Path(path.clone()));
                continue;
            }
        };
        match trackscan_batch::expand_inputs(&[arg]) {
            Ok(found) if found.is_empty() => out.push(ScanInput::Failed(
                name.clone(),
                format!(
                    "{name}: directory holds no apps ({exts}, searched recursively) and is not an \
                     apktool output (no AndroidManifest.xml, apktool.yml or smali*/)"
                ),
            )),
            Ok(found) => out.extend(found.into_iter().map(ScanInput::Path)),
            Err(e) => out.push(ScanInput::Failed(name, e.to_string())),
        }
    }
    out
}

/// The stderr line for a report with errors, or `None`: `file: could not be read: …` for an
/// app that could not be read ([`Report::is_fatal`]), `file: read with errors: …` otherwise;
/// the errors joined by `; `, each without a leading `file: ` (which would repeat the name).
pub fn failure_line(report: &Report) -> Option<String> {
    if report.errors.is_empty() {
        return None;
    }
    let prefix = format!("{}: ", report.file);
    let errors: Vec<&str> = report
        .errors
        .iter()
        .map(|e| e.strip_prefix(prefix.as_str()).unwrap_or(e))
        .collect();
    Some(format!(
        "{}: {}: {}",
        report.file,
        if report.is_fatal() {
            "could not be read"
        } else {
            "read with errors"
        },
        errors.join("; ")
    ))
}

fn scan(a: ScanArgs) -> Result<u8, String> {
    let fail_on = parse_fail_on(&a.fail_on)?;
    let scanner =
        scanner(a.rules.as_deref(), parse_limits(&a.limit)?)?.with_sdk_members(a.sdk_code);
    let inputs = scan_inputs(&a.paths);
    let mut out = output(a.output.as_deref())?;
    let mut code = 0u8;
    let single = inputs.len() == 1 && !a.compact;
    for input in inputs {
        let report = match input {
            ScanInput::Path(path) => scanner.scan_path(&path),
            ScanInput::Failed(name, error) => Report::failed(&name, error),
        };
        let doc = document(&report);
        if report.is_fatal() {
            code = code.max(2);
        }
        // Every failure on stderr, whatever the format: one line per app.
        if let Some(line) = failure_line(&report) {
            eprintln!("trackscan: {line}");
        }
        if !fail_on.is_empty() {
            let hits = trackscan_batch::policy_hits(&doc, &fail_on);
            if !hits.is_empty() {
                code = code.max(1);
                for h in &hits {
                    eprintln!("trackscan: policy: {}: {h}", report.file);
                }
            }
        }
        let written = match a.format {
            ScanFormat::Json if single => {
                serde_json::to_writer_pretty(&mut out, &doc).map_err(|e| e.to_string())?;
                writeln!(out)
            }
            ScanFormat::Json | ScanFormat::Jsonl => {
                serde_json::to_writer(&mut out, &doc).map_err(|e| e.to_string())?;
                writeln!(out)
            }
            ScanFormat::Sarif => {
                let s = trackscan_batch::sarif(&doc);
                serde_json::to_writer_pretty(&mut out, &s).map_err(|e| e.to_string())?;
                writeln!(out)
            }
            ScanFormat::Text => out.write_all(text_summary(&report, &doc).as_bytes()),
        };
        written.map_err(|e| format!("writing output: {e}"))?;
    }
    out.flush().map_err(|e| format!("writing output: {e}"))?;
    Ok(code)
}

/// The `--format text` summary of one report.
pub fn text_summary(r: &Report, doc: &serde_json::Value) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
    let _ = writeln!(s, "{}", r.file);
    let _ = writeln!(
        s,
        "  package   {} (version {} / {}), sdk min {} target {}",
        opt(&r.package),
        opt(&r.version_name),
        r.version_code.map(|v| v.to_string()).unwrap_or("-".into()),
        r.min_sdk.map(|v| v.to_string()).unwrap_or("-".into()),
        r.target_sdk.map(|v| v.to_string()).unwrap_or("-".into()),
    );
    if let Some(l) = &r.label {
        let _ = writeln!(s, "  label     {l}");
    }
    let _ = writeln!(
        s,
        "  code      {} {}, {} classes, {} methods",
        r.dex.files,
        if r.kind == "smali_dir" {
            "smali dirs"
        } else {
            "dex files"
        },
        r.dex.classes,
        r.dex.methods
    );
    let _ = writeln!(
        s,
        "  manifest  {} permissions, {} components",
        r.permissions.len(),
        r.components.len()
    );
    for c in &r.signing.certificates {
        let _ = writeln!(
            s,
            "  signer    {} ({}){}",
            c.subject,
            &c.sha256,
            if c.debug_cert {
                " DEBUG CERTIFICATE"
            } else {
                ""
            }
        );
    }
    let _ = writeln!(s, "  verdict   {}", r.summary);
    if let Some(h) = r.hidden.as_ref().filter(|h| h.level != "none") {
        // Hidden code bounds what the findings can cover: say how much and what it means.
        let _ = writeln!(s, "  hidden    {}: {}", h.level, h.short());
        for c in &h.coverage {
            let _ = writeln!(s, "            {c}");
        }
    }
    if !r.trackers.is_empty() {
        // Columns as wide as their longest cell (names with versions can pass 32 characters).
        let rows: Vec<[String; 4]> = r
            .trackers
            .iter()
            .map(|t| {
                let mut kinds: Vec<&str> = t.evidence.iter().map(|e| e.kind.as_str()).collect();
                kinds.sort();
                kinds.dedup();
                let mut data: Vec<&str> =
                    t.data_access.iter().map(|d| d.category.as_str()).collect();
                data.sort();
                data.dedup();
                let name = match &t.sdk_version {
                    Some(v) => format!("{} {v}", t.name),
                    None => t.name.clone(),
                };
                [
                    name,
                    t.categories.join(","),
                    format!("{} ({})", kinds.join(","), t.confidence),
                    if data.is_empty() {
                        "-".to_string()
                    } else {
                        data.join(",")
                    },
                ]
            })
            .collect();
        let header = ["TRACKER", "CATEGORIES", "EVIDENCE", "DATA ACCESSED"];
        let width = |i: usize| {
            rows.iter()
                .map(|row| row[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        };
        let (w0, w1, w2) = (width(0), width(1), width(2));
        let _ = writeln!(
            s,
            "  {:<w0$} {:<w1$} {:<w2$} {}",
            header[0], header[1], header[2], header[3]
        );
        for [a, b, c, d] in &rows {
            let _ = writeln!(s, "  {a:<w0$} {b:<w1$} {c:<w2$} {d}");
        }
    }
    for t in &r.trackers {
        if let Some(line) = data_from_app_line(t) {
            let _ = writeln!(s, "  app data  {line}");
        }
    }
    if !r.libraries.is_empty() {
        let names: Vec<&str> = r.libraries.iter().map(|l| l.name.as_str()).collect();
        let _ = writeln!(s, "  libraries {}", names.join(", "));
    }
    let tracker_hosts = r.hosts.iter().filter(|h| h.tracker.is_some()).count();
    let not_found: Vec<&trackscan_scan::report::Host> = r
        .hosts
        .iter()
        .filter(|h| h.tracker_sdk_not_found.is_some())
        .collect();
    let _ = writeln!(
        s,
        "  hosts     {} ({} belong to trackers{})",
        r.hosts.len(),
        tracker_hosts,
        if not_found.is_empty() {
            String::new()
        } else {
            format!(
                "; {} tracker hosts whose SDK was not found",
                not_found.len()
            )
        }
    );
    const SHOWN: usize = 8;
    for h in not_found.iter().take(SHOWN) {
        let _ = writeln!(
            s,
            "    {} (tracker host, SDK not found: {})",
            h.host,
            h.tracker_sdk_not_found.as_deref().unwrap_or("-")
        );
    }
    if not_found.len() > SHOWN {
        let _ = writeln!(s, "    … and {} more", not_found.len() - SHOWN);
    }
    for p in &r.pinning {
        let _ = writeln!(
            s,
            "  pinned    {}{} via {}: {} pin(s){}",
            p.host,
            if p.include_subdomains {
                " (+subdomains)"
            } else {
                ""
            },
            p.mechanism,
            p.pins.len(),
            p.tracker
                .as_ref()
                .map(|t| format!(" [tracker {t}]"))
                .unwrap_or_default()
        );
    }
    match trackscan_batch::row_score(doc) {
        Some((value, grade)) => {
            let _ = writeln!(s, "  score     {value} (grade {grade})");
        }
        None => {
            let _ = writeln!(s, "  score     not graded (could not be read: see errors)");
        }
    }
    if !r.warnings.is_empty() {
        let _ = writeln!(s, "  warnings  {}", r.warnings.len());
        for w in r.warnings.iter().take(5) {
            let _ = writeln!(s, "    - {w}");
        }
    }
    for e in &r.errors {
        let _ = writeln!(s, "  error     {e}");
    }
    s
}

/// One line saying what the app's code hands to tracker `t` (`data_from_app`): personal kinds
/// (with their keys), then custom keys, then where.
fn data_from_app_line(t: &trackscan_scan::report::Finding) -> Option<String> {
    let flows = &t.data_from_app;
    let first = flows.first()?;
    let mut personal: Vec<String> = Vec::new();
    let mut custom: Vec<&str> = Vec::new();
    for f in flows {
        if f.personal {
            let item = match &f.key {
                Some(k) if k != &f.kind => format!("{} (key \"{k}\")", f.kind),
                _ => f.kind.clone(),
            };
            if !personal.contains(&item) {
                personal.push(item);
            }
        } else if let Some(k) = &f.key {
            if !custom.contains(&k.as_str()) {
                custom.push(k);
            }
        }
    }
    let mut what = personal.join(", ");
    if !custom.is_empty() {
        if !what.is_empty() {
            what.push_str("; ");
        }
        what.push_str(&format!("custom keys {}", custom.join(", ")));
    }
    let mut sites: Vec<(&str, &str)> = flows
        .iter()
        .map(|f| (f.at.as_str(), f.sdk_method.as_str()))
        .collect();
    sites.sort_unstable();
    sites.dedup();
    let more = match sites.len() {
        0 | 1 => String::new(),
        n => format!(
            " and {} more call site{}",
            n - 1,
            if n == 2 { "" } else { "s" }
        ),
    };
    Some(format!(
        "{} <- {what} (at {} -> {}{more})",
        t.name, first.at, first.sdk_method
    ))
}
