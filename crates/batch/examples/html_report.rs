//! `html_report ROWS.jsonl OUT.html`: the HTML report of a batch output
//! (the same as `trackscan report`, without the scanner).

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(rows), Some(out)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: html_report ROWS.jsonl OUT.html");
        std::process::exit(2);
    };
    let result = trackscan_batch::read_jsonl(std::path::Path::new(rows))
        .and_then(|rows| std::fs::write(out, trackscan_batch::html_report(&rows)));
    if let Err(e) = result {
        eprintln!("html_report: {e}");
        std::process::exit(1);
    }
}
