//! A tiny batch whose scan sleeps, for the SIGKILL + resume test
//! (`tests/kill_resume.rs`): `slow_batch OUTPUT DIR [--resume] [SLEEP_MS]`. Files whose content
//! starts with `flaky` get an error row while the file `OUTPUT.fixed` does not exist, so that
//! resumes retry them.

use std::path::Path;
use std::time::Duration;

use serde_json::json;
use trackscan_batch::{run_batch, BatchOptions};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(output), Some(dir)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: slow_batch OUTPUT DIR [--resume] [SLEEP_MS]");
        std::process::exit(2);
    };
    let resume = args.iter().any(|a| a == "--resume");
    let sleep = args
        .iter()
        .skip(3)
        .find_map(|a| a.parse::<u64>().ok())
        .unwrap_or(20);
    let mut opts = BatchOptions::new(vec![dir.clone()], output);
    opts.resume = resume;
    opts.quiet = true;
    opts.jobs = Some(2);
    let fixed = Path::new(&format!("{output}.fixed")).exists();
    let scan = |p: &Path| {
        std::thread::sleep(Duration::from_millis(sleep));
        if !fixed && std::fs::read(p).is_ok_and(|b| b.starts_with(b"flaky")) {
            return json!({"file": p.to_string_lossy(), "errors": ["flaky: not yet"]});
        }
        let size = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        // A large-ish document so that a kill can land mid-write.
        json!({"file": p.to_string_lossy(), "size": size, "package": "com.example",
               "warnings": vec!["padding padding padding padding"; 200]})
    };
    match run_batch(&opts, scan) {
        Ok(s) => println!("{} {} {}", s.written, s.scanned, s.resumed),
        Err(e) => {
            eprintln!("slow_batch: {e}");
            std::process::exit(1);
        }
    }
}
