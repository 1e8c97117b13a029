//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Static tracker, host and certificate-pinning analyzer for Android apps.
#[derive(Parser, Debug)]
#[command(
    name = "trackscan",
    version,
    about,
    after_help = "Exit codes: 0 success; 1 a `scan --fail-on` policy was hit, or `signatures check` \
found problems; 2 an input could not be read (`scan`, `batch` unless --allow-unreadable, `diff`), \
`report`/`timeline` found no valid rows, or bad usage (a bad option value, e.g. a number out of \
range). Each subcommand's --help says which apply to it."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan APKs, split bundles (.apks/.xapk/.apkm), DEX files or apktool directories.
    Scan(ScanArgs),
    /// Scan many apps in parallel into JSON Lines (or CSV / Parquet).
    Batch(BatchArgs),
    /// What changed between two versions (APKs or JSON rows).
    Diff(DiffArgs),
    /// Per-package history of trackers across versions, from a batch output.
    Timeline(TimelineArgs),
    /// A self-contained HTML report from a batch output.
    Report(ReportArgs),
    /// Inspect, check or import the rule set.
    Signatures(SignaturesArgs),
    /// Check an app's Google Play Data safety label against what its SDKs and its code do, or
    /// draft one.
    Label(LabelArgs),
}

/// `--limit` help, shared by `scan` and `batch` (defaults: `trackscan_container::Limits`).
const LIMIT_HELP: &str = "Raise or lower a per-app resource limit, e.g. `max-total-inflated=4GiB` \
(repeatable); an app over a limit gets an error naming it. Keys and defaults: max-entries=100000, \
max-entry-size=512MiB, max-total-inflated=2GiB, max-ratio=1000, max-nested=64, \
max-dex-files=1000, max-dex-size=256MiB, max-dex-strings=16777216. Sizes take K/M/G/KiB/MiB/GiB \
suffixes.";

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    /// One JSON document per app (pretty for one input, one line each for several).
    Json,
    /// JSON Lines: one compact document per app and line, also for one input (for pipelines).
    Jsonl,
    /// A short human summary.
    Text,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

#[derive(Parser, Debug)]
#[command(
    after_help = "Exit codes: 0 success; 1 a --fail-on policy was hit; 2 an input could not \
be read (also named on stderr, one line per app, in every format; a directory with no apps counts \
as one such input), or bad usage. Inputs read with non-fatal errors are named on stderr too and \
exit 0."
)]
pub struct ScanArgs {
    /// Files or directories to scan. An apktool tree (a directory with AndroidManifest.xml,
    /// apktool.yml or smali*/) is one app; any other directory is searched recursively for
    /// .apk, .apks, .xapk, .apkm and .dex files, scanned in path order (as `batch` does).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ScanFormat::Json)]
    pub format: ScanFormat,
    /// Write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Use the rules in DIR instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Exit 1 when a tracker matches, e.g. `category=advertisement,analytics` or `id=appsflyer`.
    #[arg(long, value_name = "KEY=V1,V2")]
    pub fail_on: Vec<String>,
    /// Compact JSON even for a single input (same as `--format jsonl`).
    #[arg(long)]
    pub compact: bool,
    #[arg(long, value_name = "KEY=VALUE", help = LIMIT_HELP)]
    pub limit: Vec<String>,
    /// List every SDK's classes and methods in its finding (`code.members`), so that `diff`
    /// and `timeline` can name what was added or removed inside an SDK.
    #[arg(long)]
    pub sdk_code: bool,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum BatchFormat {
    /// JSON Lines: one scan document per input.
    Jsonl,
    /// One summary row per app.
    Csv,
    /// Apache Parquet tables in the -o directory: apps, app_trackers, app_hosts, app_pins,
    /// errors, app_label (all joinable on sha256; journal DIR/rows.jsonl).
    Parquet,
}

#[derive(Parser, Debug)]
#[command(
    after_help = "Rows are written in input order whatever --jobs. The same file named \
twice (same canonical path) is one input, one row; identical content at another path is scanned \
once and its row copied. Exit codes: 0 success; 2 an input could not be read (each named on \
stderr; --allow-unreadable for exit 0), the output could not be written, or bad usage."
)]
pub struct BatchArgs {
    /// Files, directories (recursive) or @list.txt files.
    #[arg(required = true)]
    pub inputs: Vec<String>,
    /// Output file (a directory for --format parquet).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Parallel jobs (default: all cores; at least 1).
    #[arg(short, long, value_parser = positive_usize)]
    pub jobs: Option<usize>,
    /// Keep the rows already in the output and scan only the inputs it lacks (matched by
    /// sha256); rows with errors are scanned again (see --keep-errors).
    #[arg(long)]
    pub resume: bool,
    /// With --resume: keep rows that carry errors (unreadable apps, timeouts, panics) instead
    /// of retrying them.
    #[arg(long, requires = "resume")]
    pub keep_errors: bool,
    /// No progress output.
    #[arg(short, long)]
    pub quiet: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = BatchFormat::Jsonl)]
    pub format: BatchFormat,
    /// Wall-clock budget per app, in seconds, at least 1 (an app over budget gets an error row).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: Option<u64>,
    /// Exit 0 even when some inputs could not be read (default: exit 2, as `--help` says).
    #[arg(long)]
    pub allow_unreadable: bool,
    /// Use the rules in DIR instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    #[arg(long, value_name = "KEY=VALUE", help = LIMIT_HELP)]
    pub limit: Vec<String>,
    /// List every SDK's classes and methods in its finding (`code.members`; larger rows), so
    /// that `timeline` can name what was added or removed inside an SDK.
    #[arg(long)]
    pub sdk_code: bool,
    /// Check each app against its Google Play Data safety label in DIR (PACKAGE.csv or
    /// PACKAGE/data_safety_export.csv): adds `label_file` and `label` to each row (the same
    /// check as `trackscan label`), undeclared data to the score, and the `app_label` Parquet
    /// table. An app without a label gets `has_label: false`; a label that does not parse is
    /// a warning in its row.
    #[arg(long, value_name = "DIR")]
    pub labels: Option<PathBuf>,
}

/// `--jobs`: a whole number of at least 1 (0 jobs would scan nothing).
fn positive_usize(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_string()),
        Ok(n) => Ok(n),
        Err(e) => Err(format!("not a whole number: {e}")),
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum LabelFormat {
    /// A human summary: per data type the verdict, what the label declares and the evidence.
    Text,
    /// The whole check as one JSON document (`label` key beside the app's identity).
    Json,
    /// SARIF 2.1.0: an error per undeclared data type, a warning per sharing mismatch.
    Sarif,
}

#[derive(Parser, Debug)]
#[command(
    after_help = "Verdicts per Play data type: undeclared (trackscan sees the data going to a \
tracker SDK, the label does not declare it), consistent, declared but not seen (information), \
possible (a vendor collects it only when the app uses a feature trackscan does not see in use). \
Without --data-safety every type found is undeclared: that is what a label must declare. \
Exit codes: 0 done, nothing undeclared; 1 a label was given and declares less than trackscan \
finds; 2 the app or the label could not be read, or bad usage."
)]
pub struct LabelArgs {
    /// The app (APK, split bundle, DEX or apktool directory).
    pub app: PathBuf,
    /// The app's Data safety form as the Play Console exports it (CSV).
    #[arg(long, value_name = "CSV")]
    pub data_safety: Option<PathBuf>,
    /// A folder of labels: the one for this app is PACKAGE.csv or PACKAGE/data_safety_export.csv.
    #[arg(long, value_name = "DIR", conflicts_with = "data_safety")]
    pub labels: Option<PathBuf>,
    /// Write a draft label in the Play Console import format to CSV, and its evidence to
    /// CSV.evidence.json beside it.
    #[arg(long, value_name = "CSV")]
    pub draft: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LabelFormat::Text)]
    pub format: LabelFormat,
    /// Write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Use the rules in DIR instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    #[arg(long, value_name = "KEY=VALUE", help = LIMIT_HELP)]
    pub limit: Vec<String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    /// Human-readable.
    Text,
    /// JSON.
    Json,
}

#[derive(Parser, Debug)]
#[command(
    after_help = "Exit codes: 0 the diff was printed (changes or not); 2 a side could not be \
read, or bad usage."
)]
pub struct DiffArgs {
    /// Older version: an app file or a JSON document (one line of a batch output).
    pub old: PathBuf,
    /// Newer version.
    pub new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

#[derive(Parser, Debug)]
#[command(
    after_help = "Exit codes: 0 success; 2 the input cannot be read or has no rows (for the \
package), or bad usage."
)]
pub struct TimelineArgs {
    /// A batch output (JSON Lines).
    pub results: PathBuf,
    /// Only this package.
    #[arg(long)]
    pub package: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
    /// Also write the long-format table (package, version, SDK, SDK version, change) as
    /// Parquet to this file (columns in docs/schema.md, "timeline" table).
    #[arg(long, value_name = "FILE")]
    pub parquet: Option<PathBuf>,
}

#[derive(Parser, Debug)]
#[command(
    after_help = "Bad lines (not a JSON row) are named on stderr as FILE:LINE: problem, \
counted and skipped. Exit codes: 0 the report was written; 2 the input is empty, has no valid \
rows (e.g. a text file) or cannot be read, or bad usage."
)]
pub struct ReportArgs {
    /// A batch output (JSON Lines).
    pub results: PathBuf,
    /// The HTML file to write.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
}

#[derive(Parser, Debug)]
#[command(
    after_help = "Exit codes: 0 success; 1 `check` found problems; 2 the rules cannot be \
read, no rule has the id (`show`), or bad usage."
)]
pub struct SignaturesArgs {
    #[command(subcommand)]
    pub command: SigCommand,
    /// Use the rules in DIR instead of the built-in ones.
    #[arg(long, value_name = "DIR", global = true)]
    pub rules: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum SigCommand {
    /// One line per rule.
    List,
    /// One rule in full.
    Show {
        /// Rule id (or εxodus id).
        id: String,
    },
    /// Validate the rules: regexes compile, ids unique, no duplicates.
    Check,
    /// Regenerate rule files from the εxodus database (and Apache-licensed library lists).
    Import {
        /// εxodus tracker database (`GET /api/trackers` JSON).
        #[arg(long)]
        exodus: PathBuf,
        /// LibRadar `tag_rules.csv`.
        #[arg(long)]
        libradar: Option<PathBuf>,
        /// LibScout `library-data.csv`.
        #[arg(long)]
        libscout: Option<PathBuf>,
        /// Directory to write the rule files into.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Build the SDK library (`signatures/sdk.library`) from the vendors' own builds listed in
    /// `signatures/library/builds/*.tsv` (their DEX form in the cache: see
    /// bench/library/README.md), and the entry-point shapes beside it (`entry_shapes.tsv`).
    Library {
        /// Folder of build lists (`*.tsv`).
        #[arg(long, default_value = "signatures/library/builds")]
        builds: PathBuf,
        /// Cache holding `dex/<sha256>/classes*.dex` (default: $TRACKSCAN_SDK_CACHE, else
        /// ~/.cache/trackscan/sdk-builds).
        #[arg(long)]
        cache: Option<PathBuf>,
        /// File to write the library to.
        #[arg(short, long, default_value = "signatures/sdk.library")]
        output: PathBuf,
        /// Also print the leave-one-out evaluation (every release identified from a library
        /// without it).
        #[arg(long)]
        leave_one_out: bool,
    },
}

#[cfg(test)]
mod tests {
    use super::LIMIT_HELP;
    use crate::commands::parse_limits;
    use trackscan_scan::Limits;

    /// Every limit key is documented in `--limit` help with its real default, and parses.
    #[test]
    fn limit_help_lists_every_key_with_its_default() {
        let d = Limits::default();
        let defaults = LIMIT_HELP
            .split("defaults:")
            .nth(1)
            .expect("defaults listed");
        for key in Limits::KEYS {
            let at = defaults
                .find(&format!("{key}="))
                .unwrap_or_else(|| panic!("{key} missing from --limit help"));
            let value: String = defaults[at + key.len() + 1..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            let parsed = parse_limits(&[format!("{key}={value}")]).expect("parses");
            assert_eq!(parsed.get(key), d.get(key), "{key}={value}");
        }
    }

    #[test]
    fn parse_limits_sizes_and_errors() {
        let l = parse_limits(&["max-dex-size=1MiB".into(), "max_dex_files=3".into()]).unwrap();
        assert_eq!((l.max_dex_size, l.max_dex_files), (1 << 20, 3));
        for (bad, why) in [
            ("max-dex-size", "expected KEY=VALUE"),
            ("max-dex-size=1Q", "not a whole number"),
            ("max-dex-size=-1", "not a whole number"),
            ("nope=1", "--limit"),
            ("max-dex-size=0", "at least 1"),
            ("max-entries=99999999999999999999", "too large"),
            ("max-total-inflated=99999999999G", "too large"),
        ] {
            let e = parse_limits(&[bad.to_string()]).unwrap_err();
            assert!(e.starts_with("--limit") && e.contains(why), "{bad}: {e}");
        }
        assert_eq!(
            parse_limits(&["max-nested=0".into()]).map(|l| l.max_nested),
            Ok(0)
        );
    }
}
