//! Issue #21 item 3: the HTML report rendered in headless Chromium. The page must load with no
//! console message at all (the report logs nothing, so any `CONSOLE` line is an uncaught
//! exception, a `console.error`, a CSP refusal or a failed load), draw its first page of rows
//! (`#status` `data-rendered` / `data-matching`), and filter through the URL hash.
//!
//! Chromium: `$TRACKSCAN_CHROMIUM`, else `/usr/bin/chromium`, else `chromium` on `PATH`. Without
//! it the tests skip with a note, except under `CI=true` or `TRACKSCAN_REQUIRE_CHROMIUM=1`, where a
//! missing browser fails them (`.ci/run` installs Debian's `chromium` and sets the latter).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{corpus, read_jsonl, root, trackscan};

/// The browser to use, or `None` (skip) when absent outside CI.
pub fn chromium() -> Option<PathBuf> {
    let candidates = std::env::var_os("TRACKSCAN_CHROMIUM")
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from("/usr/bin/chromium")]);
    let found = candidates.into_iter().find(|p| p.is_file()).or_else(|| {
        let ok = Command::new("chromium")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| PathBuf::from("chromium"))
    });
    if found.is_none() {
        let required = std::env::var("CI").as_deref() == Ok("true")
            || std::env::var("TRACKSCAN_REQUIRE_CHROMIUM").as_deref() == Ok("1");
        assert!(
            !required,
            "chromium is required here (CI=true or TRACKSCAN_REQUIRE_CHROMIUM=1) but was not found; \
             set TRACKSCAN_CHROMIUM or install Debian's chromium"
        );
        eprintln!("note: chromium not found; skipping the headless browser check");
    }
    found
}

/// What Chromium made of a page.
#[derive(Debug)]
pub struct Rendered {
    /// The DOM after load (`--dump-dom`).
    pub dom: String,
    /// Console lines Chromium logged (`…:CONSOLE…] "message", source: …`).
    pub console: Vec<String>,
}

/// Loads `url` in headless Chromium (no network: every host resolves to nothing) and returns the
/// DOM after load and the console lines. Fails on a browser that does not finish in 120 s.
pub fn render(chromium: &Path, url: &str) -> Rendered {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--enable-logging=stderr",
            "--v=0",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish rendering {url} in 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let dom = t_out.join().expect("stdout reader");
    let stderr = t_err.join().expect("stderr reader");
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    assert!(
        dom.contains("</html>"),
        "no DOM from chromium for {url}; stderr:\n{stderr}"
    );
    Rendered { dom, console }
}

/// The value of attribute `attr` on the element with `id` in a dumped DOM.
pub fn attr(dom: &str, id: &str, attr: &str) -> Option<String> {
    let at = dom.find(&format!("id=\"{id}\""))?;
    let start = dom[..at].rfind('<')?;
    let end = at + dom[at..].find('>')?;
    let tag = &dom[start..end];
    let key = format!(" {attr}=\"");
    let v = tag.find(&key)? + key.len();
    let len = tag[v..].find('"')?;
    Some(tag[v..v + len].to_string())
}

fn file_url(p: &Path) -> String {
    format!(
        "file://{}",
        p.canonicalize().expect("absolute path").display()
    )
}

/// The harness itself: an uncaught exception and a `console.error` are seen, a clean page is clean.
#[test]
fn chromium_harness_sees_console_errors() {
    let Some(chrome) = chromium() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let bad = dir.path().join("bad.html");
    std::fs::write(
        &bad,
        "<!doctype html><html><body><p id=\"s\">x</p><script>\
         document.getElementById('s').setAttribute('data-x','1');console.error('boom');\
         undefinedFunction();</script></body></html>",
    )
    .expect("write");
    let r = render(&chrome, &file_url(&bad));
    assert_eq!(attr(&r.dom, "s", "data-x").as_deref(), Some("1"));
    assert!(
        r.console
            .iter()
            .any(|l| l.contains("Uncaught ReferenceError")),
        "{:?}",
        r.console
    );
    assert!(
        r.console.iter().any(|l| l.contains("boom")),
        "{:?}",
        r.console
    );
    let good = dir.path().join("good.html");
    std::fs::write(&good, "<!doctype html><html><body><p>ok</p></body></html>").expect("write");
    assert_eq!(
        render(&chrome, &file_url(&good)).console,
        Vec::<String>::new()
    );
}

/// A report over the samples, an unreadable input and (when present) the corpus renders in
/// Chromium with no console message, shows its first page, and filters by grade and tracker.
#[test]
fn html_report_renders_in_headless_chromium_without_errors() {
    let Some(chrome) = chromium() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let junk = dir.path().join("junk.apk");
    std::fs::write(&junk, [0x42u8; 4000]).expect("write");
    let journal = dir.path().join("rows.jsonl");
    let mut batch = trackscan();
    batch
        .args(["batch", "-q", "--allow-unreadable", "-o"])
        .arg(&journal)
        .arg(root().join("samples"))
        .arg(&junk);
    if let Some(c) = corpus() {
        batch.arg(c.join("apks"));
    }
    let o = batch.output().expect("batch runs");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let rows = read_jsonl(&journal);
    // `report` reads rows reduced to what the page shows: the same page as from the full rows.
    let prov = trackscan_batch::Provenance::default();
    let full = trackscan_batch::read_jsonl(&journal).expect("journal");
    let reduced = trackscan_batch::read_jsonl_for_report(&journal).expect("journal");
    let (a, b) = (
        trackscan_batch::html_report_with(&full, &prov),
        trackscan_batch::html_report_with(&reduced, &prov),
    );
    if let Some(i) = a.bytes().zip(b.bytes()).position(|(x, y)| x != y) {
        let around = |s: &str| {
            s.get(i.saturating_sub(200)..(i + 200).min(s.len()))
                .unwrap_or("")
                .to_string()
        };
        panic!(
            "reduced rows change the report at byte {i}:\n{}\n---\n{}",
            around(&a),
            around(&b)
        );
    }
    assert_eq!(a.len(), b.len());
    let html = dir.path().join("report.html");
    let o = trackscan()
        .arg("report")
        .arg(&journal)
        .arg("-o")
        .arg(&html)
        .output()
        .expect("report runs");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    let url = file_url(&html);
    let r = render(&chrome, &url);
    assert!(r.console.is_empty(), "console output: {:#?}", r.console);
    let n = rows.len();
    let page = n.min(trackscan_batch::PAGE_SIZE);
    assert_eq!(
        attr(&r.dom, "status", "data-matching"),
        Some(n.to_string()),
        "every app matches with no filter"
    );
    assert_eq!(
        attr(&r.dom, "status", "data-rendered"),
        Some(page.to_string())
    );
    let shown = r.dom.matches("<details><summary>").count();
    assert!(
        shown >= page,
        "{shown} app rows shown, fewer than a page of {page}"
    );
    // Issue #18: the swim lanes are in the rendered page, with the release where the Mixpanel
    // demo's SDK code changed marked (the corpus has its three builds). Its version: none on
    // the first build, then the SDK library's `..1.2` (issue 33: at most 1.2, the oldest
    // Mixpanel release the library holds).
    if corpus().is_some() {
        assert!(
            r.dom.contains("class=\"changed\"")
                && r.dom.contains(
                    "MixPanel changed in 1.0 (1): version - -&gt; ..1.2; code 16 classes, 45 methods"
                ),
            "no SDK change marked in the swim lanes"
        );
    }

    // Filter by grade through the URL hash: the unreadable apps, "not graded".
    let ungraded = rows.iter().filter(|d| d["score"].is_null()).count();
    assert!(ungraded >= 1, "junk.apk is not graded");
    let r = render(&chrome, &format!("{url}#grade=not%20graded"));
    assert!(r.console.is_empty(), "console output: {:#?}", r.console);
    assert_eq!(
        attr(&r.dom, "status", "data-matching"),
        Some(ungraded.to_string())
    );
    assert_eq!(
        attr(&r.dom, "status", "data-rendered"),
        Some(ungraded.min(trackscan_batch::PAGE_SIZE).to_string())
    );

    // Filter by tracker: the apps with the first tracker found (Mixpanel in the samples).
    let name = rows
        .iter()
        .find_map(|d| d["trackers"][0]["name"].as_str())
        .expect("some app has a tracker")
        .to_string();
    let with = |d: &Value| {
        d["trackers"]
            .as_array()
            .is_some_and(|t| t.iter().any(|x| x["name"] == name.as_str()))
    };
    let matching = rows.iter().filter(|d| with(d)).count();
    let r = render(&chrome, &format!("{url}#tracker={}", percent(&name)));
    assert!(r.console.is_empty(), "console output: {:#?}", r.console);
    assert_eq!(
        attr(&r.dom, "status", "data-matching"),
        Some(matching.to_string()),
        "tracker {name}"
    );
}

/// Percent-encodes everything but ASCII letters and digits (for a URL fragment).
fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A journal row carrying a Data safety label check (what `batch --labels DIR` inserts: the
/// `data_safety_file` and `data_safety` of `trackscan label --format json`), beside a row without one.
/// The Instapaper client of the corpus against its own draft label without the e-mail:
/// PSL_EMAIL is undeclared (Crashlytics gets it from the app's code).
pub fn labelled_journal(dir: &Path) -> Option<PathBuf> {
    let c = corpus()?;
    let app = c.join("apks/exodus_instapaper.apk");
    let draft = dir.join("draft.csv");
    let o = trackscan()
        .arg("label")
        .arg(&app)
        .arg("--draft")
        .arg(&draft)
        .output()
        .expect("label --draft runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&draft).expect("draft written");
    assert!(text.contains("PSL_EMAIL"), "the draft declares the e-mail");
    let label = dir.join("no_email.csv");
    let kept: Vec<&str> = text.lines().filter(|l| !l.contains("PSL_EMAIL")).collect();
    std::fs::write(&label, kept.join("\n") + "\n").expect("write label");
    let o = trackscan()
        .arg("label")
        .arg(&app)
        .arg("--data-safety")
        .arg(&label)
        .args(["--format", "json"])
        .output()
        .expect("label runs");
    assert_eq!(
        o.status.code(),
        Some(1),
        "a label that declares less exits 1"
    );
    let check: Value = serde_json::from_slice(&o.stdout).expect("label JSON");
    assert_eq!(check["data_safety"]["counts"]["undeclared"], 1, "{check:#}");

    let journal = dir.join("rows.jsonl");
    let o = trackscan()
        .args(["batch", "-q", "-o"])
        .arg(&journal)
        .arg(&app)
        .arg(root().join("samples/hello-mixpanel.apk"))
        .output()
        .expect("batch runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut rows = read_jsonl(&journal);
    let row = rows
        .iter_mut()
        .find(|r| {
            r["file"]
                .as_str()
                .is_some_and(|f| f.ends_with("exodus_instapaper.apk"))
        })
        .expect("instapaper row");
    let m = row.as_object_mut().expect("object row");
    m.insert("data_safety_file".into(), check["data_safety_file"].clone());
    m.insert("data_safety".into(), check["data_safety"].clone());
    // Scored again with the label, as the batch does when it inserts the check.
    m.remove("score");
    let text: String = rows.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(&journal, text).expect("write journal");
    Some(journal)
}

/// Issue #30: the report shows a "Data safety label" section for the row with a label check
/// (counts, a row per data type with the undeclared one highlighted, its evidence, dormant
/// SDKs), none for the row without, the undeclared type as the heaviest score reason, and no
/// "-0" points.
#[test]
fn label_section_renders_in_headless_chromium() {
    let Some(chrome) = chromium() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let Some(journal) = labelled_journal(dir.path()) else {
        return;
    };
    let html = dir.path().join("report.html");
    let o = trackscan()
        .arg("report")
        .arg(&journal)
        .arg("-o")
        .arg(&html)
        .output()
        .expect("report runs");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // The details are drawn when opened: a copy of the page that opens them all.
    let page = std::fs::read_to_string(&html).expect("report");
    let opened = dir.path().join("opened.html");
    std::fs::write(
        &opened,
        page.replace(
            "</body>",
            "<script>document.querySelectorAll('details').forEach(function(d){d.open=true;});</script></body>",
        ),
    )
    .expect("write");
    let r = render(&chrome, &file_url(&opened));
    assert!(r.console.is_empty(), "console output: {:#?}", r.console);
    let dom = &r.dom;
    assert_eq!(attr(dom, "status", "data-rendered").as_deref(), Some("2"));
    assert_eq!(
        dom.matches("<h4>Data safety label</h4>").count(),
        1,
        "one section, for the row with a label"
    );
    assert!(dom.contains("label: 1 undeclared"), "row badge");
    let at = dom.find("class=\"dsl\"").expect("section");
    let section = &dom[at..];
    let section = &section[..section.find("</table>").unwrap_or(section.len())];
    assert!(
        section.contains("1 undeclared, 5 consistent, 0 declared but not seen, 1 possible"),
        "{section}"
    );
    assert!(section.contains("no_email.csv"), "{section}");
    // The undeclared type: highlighted, not declared, found going to Crashlytics, with evidence.
    let undecl = section
        .find("<tr class=\"undecl\">")
        .expect("undeclared row");
    let row = &section[undecl..];
    let row = &row[..row.find("</tr>").unwrap_or(row.len())];
    assert!(row.contains("<code>PSL_EMAIL</code>"), "{row}");
    assert!(row.contains("Personal info / Email address"), "{row}");
    assert!(row.contains("<td>undeclared"), "{row}");
    assert!(row.contains("<td>not declared</td>"), "{row}");
    assert!(row.contains("<td>Google CrashLytics</td>"), "{row}");
    assert!(
        row.contains(
            "hands email to Google CrashLytics (com.crashlytics.android.Crashlytics.setUserEmail)"
        ),
        "{row}"
    );
    assert_eq!(section.matches("<tr class=\"undecl\">").count(), 1);
    assert!(section.contains("<td>consistent"), "{section}");
    let all = &dom[at..];
    assert!(all.contains("facebook-places: "), "dormant SDK listed");
    // The score: the undeclared e-mail is a 15-point reason; 0-point reasons show 0.
    assert!(dom.contains(
        "<td>-15</td><td>the Data safety label does not declare PSL_EMAIL (Personal info / Email address), which goes to Google CrashLytics</td>"
    ), "score reason");
    assert!(!dom.contains("<td>-0</td>"), "no -0 points");
}
