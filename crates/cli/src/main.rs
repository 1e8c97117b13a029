//! The `trackscan` command line: argument parsing and printing only; the work is in the crates.
//!
//! Exit codes: 0 success; 1 a `--fail-on` policy was hit; 2 an input could not be scanned
//! (or bad usage).

mod args;
mod commands;

use std::process::ExitCode;

fn main() -> ExitCode {
    match try_main() {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("trackscan: {e}");
            ExitCode::from(2)
        }
    }
}

fn try_main() -> Result<u8, String> {
    use clap::Parser;
    let cli = args::Cli::parse();
    commands::run(cli)
}
