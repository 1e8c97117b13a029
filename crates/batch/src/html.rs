//! A self-contained HTML report (inline CSS and JS, no network access).
//!
//! Every string that comes from a document (and so possibly from a hostile
//! APK) goes through [`escape`]; documents' strings are only ever placed in
//! text and quoted attribute positions, never inside `<script>` or `<style>`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::diff::{timeline, PackageTimeline};
use crate::score::score;
use crate::util::{arr, error_count, obj, opt_str, opt_u64, str_of, strs, version_label};

/// At most this many hosts are listed per app (the rest are counted).
pub const MAX_HOSTS: usize = 300;

/// HTML-escapes text for element content and double- or single-quoted attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab/newline are not valid HTML text.
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#eee}table.sortable th{cursor:pointer;user-select:none}table.sortable th:after{content:" \2195";color:#999}
.grade{font-weight:bold;padding:0 .4em;border-radius:3px;color:#fff}
.gA{background:#2e7d32}.gB{background:#689f38}.gC{background:#f9a825}.gD{background:#ef6c00}.gE{background:#d84315}.gF{background:#b71c1c}
.err{color:#b71c1c}.muted{color:#777}code{font-size:.9em}
svg text{font-size:11px;font-family:sans-serif}
"#;

const SCRIPT: &str = r#"
document.querySelectorAll('table.sortable').forEach(function(t){
  t.querySelectorAll('th').forEach(function(th,i){
    th.addEventListener('click',function(){
      var body=t.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
      var num=th.getAttribute('data-type')==='num';var asc=th.getAttribute('data-dir')!=='asc';
      t.querySelectorAll('th').forEach(function(o){o.removeAttribute('data-dir');});
      th.setAttribute('data-dir',asc?'asc':'desc');
      rows.sort(function(a,b){
        var x=a.cells[i].getAttribute('data-v')||a.cells[i].textContent;
        var y=b.cells[i].getAttribute('data-v')||b.cells[i].textContent;
        var r=num?(parseFloat(x)||0)-(parseFloat(y)||0):x.localeCompare(y);
        return asc?r:-r;});
      rows.forEach(function(r){body.appendChild(r);});
    });
  });
});
"#;

/// One self-contained HTML page for a batch: a sortable table of apps, an SVG
/// tracker-presence chart per package (x = releases, y = trackers), and one
/// section per app (score reasons, trackers with evidence kinds, hosts, pinning).
pub fn html_report(rows: &[Value]) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\
         <title>trackscan report</title><style>{STYLE}</style></head><body>\n"
    );
    let _ = writeln!(h, "<h1>trackscan report</h1><p>{} app(s).</p>", rows.len());
    // Same rule as the CSV/Parquet columns: unreadable apps are unscored (`"score": null`).
    let scores: Vec<Option<(u8, &'static str)>> =
        rows.iter().map(crate::score::row_score).collect();
    // Apps table.
    h.push_str("<table id=\"apps\" class=\"sortable\"><thead><tr>\
        <th>File</th><th>Package</th><th data-type=\"num\">Version</th><th data-type=\"num\">Trackers</th>\
        <th data-type=\"num\">Hosts</th><th data-type=\"num\">Pinned</th><th data-type=\"num\">Score</th><th>Grade</th><th data-type=\"num\">Errors</th>\
        </tr></thead><tbody>\n");
    for (i, d) in rows.iter().enumerate() {
        let (value, grade) = match scores.get(i).copied().flatten() {
            Some((v, g)) => (
                v.to_string(),
                format!("<span class=\"grade g{g}\">{g}</span>"),
            ),
            None => (
                String::new(),
                "<span class=\"muted\">not graded</span>".to_string(),
            ),
        };
        let _ = writeln!(
            h,
            "<tr><td data-v=\"{}\"><a href=\"#app-{i}\" title=\"{}\">{}</a></td><td>{}</td><td data-v=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{value}</td><td>{grade}</td><td>{}</td></tr>",
            escape(base_name(str_of(d, "file"))),
            escape(str_of(d, "file")),
            escape(base_name(str_of(d, "file"))),
            escape(str_of(d, "package")),
            opt_u64(d, "version_code").unwrap_or(0),
            escape(&version_label(d)),
            arr(d, "trackers").len(),
            arr(d, "hosts").len(),
            arr(d, "pinning").len(),
            error_count(d),
        );
    }
    h.push_str("</tbody></table>\n");
    // Charts.
    let tls = timeline(rows.iter().cloned(), None);
    if !tls.is_empty() {
        h.push_str("<h2>Trackers over versions</h2>\n");
        for t in &tls {
            chart(&mut h, t);
        }
    }
    // Sections.
    for (i, d) in rows.iter().enumerate() {
        section(&mut h, i, d, scores.get(i).copied().flatten());
    }
    let _ = write!(h, "<script>{SCRIPT}</script>\n</body></html>\n");
    h
}

/// The last path component (after `/` or `\\`).
fn base_name(file: &str) -> &str {
    file.rsplit(['/', '\\']).next().unwrap_or(file)
}

fn chart(h: &mut String, t: &PackageTimeline) {
    const CELL: usize = 18;
    const LEFT: usize = 220;
    const TOP: usize = 90;
    let cols = t.releases.len();
    let nrows = t.trackers.len().max(1);
    let width = LEFT
        .saturating_add(cols.saturating_mul(CELL))
        .saturating_add(20);
    let height = TOP
        .saturating_add(nrows.saturating_mul(CELL))
        .saturating_add(30);
    let _ = writeln!(h, "<h3>{}</h3>", escape(&t.package));
    if t.trackers.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"muted\">No trackers in any of {} release(s).</p>",
            t.releases.len()
        );
        return;
    }
    let _ = writeln!(
        h,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{width}\" height=\"{height}\" role=\"img\"><title>{} trackers by release</title>",
        escape(&t.package)
    );
    for (c, r) in t.releases.iter().enumerate() {
        let x = LEFT + c * CELL + CELL / 2;
        let _ = writeln!(
            h,
            "<text transform=\"translate({x},{}) rotate(-60)\">{}</text>",
            TOP - 4,
            escape(&r.label())
        );
        let _ = writeln!(
            h,
            "<text x=\"{}\" y=\"{}\">{}</text>",
            x - 4,
            TOP + nrows * CELL + 14,
            r.trackers.len()
        );
    }
    for (row, span) in t.trackers.iter().enumerate() {
        let y = TOP + row * CELL;
        let _ = writeln!(
            h,
            "<text x=\"4\" y=\"{}\">{}</text>",
            y + CELL - 5,
            escape(&span.name)
        );
        for (c, r) in t.releases.iter().enumerate() {
            let present = r.trackers.contains(&span.id);
            let _ = writeln!(
                h,
                "<rect x=\"{}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"#fff\"><title>{} in {}: {}</title></rect>",
                LEFT + c * CELL,
                CELL - 1,
                CELL - 1,
                if present { "#c62828" } else { "#e0e0e0" },
                escape(&span.name),
                escape(&r.label()),
                if present { "present" } else { "absent" }
            );
        }
    }
    h.push_str("</svg>\n");
}

fn section(h: &mut String, i: usize, d: &Value, scored: Option<(u8, &'static str)>) {
    let badge = match scored {
        Some((value, grade)) => format!("<span class=\"grade g{grade}\">{grade} {value}</span>"),
        None => {
            "<span class=\"muted\">not graded (could not be read: see errors)</span>".to_string()
        }
    };
    let _ = writeln!(
        h,
        "<section id=\"app-{i}\"><h2>{} <span class=\"muted\">{} {}</span> {badge}</h2>",
        escape(str_of(d, "file")),
        escape(str_of(d, "package")),
        escape(&version_label(d)),
    );
    if let Some(sha) = opt_str(d, "sha256") {
        let _ = writeln!(
            h,
            "<p class=\"muted\">sha256 <code>{}</code></p>",
            escape(sha)
        );
    }
    for e in strs(d, "errors") {
        let _ = writeln!(h, "<p class=\"err\">error: {}</p>", escape(e));
    }
    let s = score(d);
    if scored.is_some() && !s.reasons.is_empty() {
        h.push_str("<h3>Score</h3><table><tr><th>Points</th><th>Why</th></tr>\n");
        for r in &s.reasons {
            let _ = writeln!(
                h,
                "<tr><td>-{}</td><td>{}</td></tr>",
                r.points,
                escape(&r.why)
            );
        }
        h.push_str("</table>\n");
    }
    let trackers = arr(d, "trackers");
    if !trackers.is_empty() {
        h.push_str("<h3>Trackers</h3><table><tr><th>Name</th><th>Categories</th><th>SDK version</th><th>Confidence</th><th>Evidence</th><th>Data accessed</th></tr>\n");
        for t in trackers {
            let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
            for e in arr(t, "evidence") {
                let k = kinds.entry(str_of(e, "kind")).or_insert(0);
                *k = k.saturating_add(1);
            }
            if let Some(om) = t.get("evidence_omitted").and_then(Value::as_object) {
                for (k, n) in om {
                    let e = kinds.entry(k.as_str()).or_insert(0);
                    *e = e.saturating_add(n.as_u64().unwrap_or(0) as usize);
                }
            }
            let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
            let mut data: Vec<&str> = arr(t, "data_access")
                .iter()
                .map(|a| str_of(a, "category"))
                .collect();
            data.sort_unstable();
            data.dedup();
            let cats: Vec<&str> = strs(t, "categories").collect();
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(str_of(t, "name")),
                escape(&cats.join(", ")),
                escape(opt_str(t, "sdk_version").unwrap_or("-")),
                escape(str_of(t, "confidence")),
                escape(&kinds.join(", ")),
                escape(&data.join(", ")),
            );
        }
        h.push_str("</table>\n");
    }
    let hosts = arr(d, "hosts");
    if !hosts.is_empty() {
        let _ = writeln!(h, "<h3>Hosts ({})</h3><ul>", hosts.len());
        for host in hosts.iter().take(MAX_HOSTS) {
            let tracker = opt_str(host, "tracker")
                .map(|t| format!(" <span class=\"muted\">[{}]</span>", escape(t)))
                .unwrap_or_default();
            let _ = writeln!(
                h,
                "<li><code>{}</code>{tracker}</li>",
                escape(str_of(host, "host"))
            );
        }
        if hosts.len() > MAX_HOSTS {
            let _ = writeln!(
                h,
                "<li class=\"muted\">… {} more</li>",
                hosts.len() - MAX_HOSTS
            );
        }
        h.push_str("</ul>\n");
    }
    let pinning = arr(d, "pinning");
    if !pinning.is_empty() {
        h.push_str("<h3>Certificate pinning</h3><table><tr><th>Host</th><th>Mechanism</th><th>Pins</th><th>Tracker</th></tr>\n");
        for p in pinning {
            let pins: Vec<String> = arr(p, "pins")
                .iter()
                .map(|x| format!("{}/{}", str_of(x, "algorithm"), str_of(x, "digest")))
                .collect();
            let sub = if p.get("include_subdomains").and_then(Value::as_bool) == Some(true) {
                " (+subdomains)"
            } else {
                ""
            };
            let _ = writeln!(
                h,
                "<tr><td><code>{}</code>{sub}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
                escape(str_of(p, "host")),
                escape(str_of(p, "mechanism")),
                escape(&pins.join(" ")),
                escape(opt_str(p, "tracker").unwrap_or("-")),
            );
        }
        h.push_str("</table>\n");
    }
    let certs = arr(obj(d, "signing"), "certificates");
    for c in certs {
        let _ = writeln!(
            h,
            "<p>signer <code>{}</code> {}</p>",
            escape(str_of(c, "sha256")),
            escape(str_of(c, "subject"))
        );
    }
    h.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const EVIL: &str = "<script>alert('x')</script>\"&";

    fn rows() -> Vec<Value> {
        vec![
            json!({"file": "a.apk", "package": "com.ex", "version_code": 1, "version_name": EVIL,
                   "trackers": [{"id": "t", "name": EVIL, "categories": [EVIL], "confidence": "high",
                                 "evidence": [{"kind": "class", "value": EVIL}], "evidence_omitted": {"class": 4}}],
                   "hosts": [{"host": EVIL, "tracker": EVIL}],
                   "pinning": [{"host": EVIL, "mechanism": "okhttp", "pins": [{"algorithm": "sha256", "digest": EVIL}]}],
                   "signing": {"certificates": [{"sha256": "c", "subject": EVIL}]},
                   "errors": [EVIL]}),
            json!({"file": "b.apk", "package": "com.ex", "version_code": 2, "trackers": []}),
            json!({"file": EVIL}),
            json!({"file": "c.apk", "package": "org.clean", "version_code": 3}),
        ]
    }

    #[test]
    fn escapes_everything() {
        assert_eq!(
            escape(EVIL),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;"
        );
        assert_eq!(escape("a\u{0}b"), "a\u{FFFD}b");
        let html = html_report(&rows());
        assert!(!html.contains(EVIL));
        assert!(!html.contains("<script>alert"));
        // The only <script> is ours.
        assert_eq!(html.matches("<script").count(), 1);
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)"));
    }

    #[test]
    fn structure() {
        let html = html_report(&rows());
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.trim_end().ends_with("</html>"));
        assert!(!html.contains("src=\"http"), "no network resources");
        assert_eq!(html.matches("<section id=\"app-").count(), 4);
        assert_eq!(html.matches("<a href=\"#app-").count(), 4);
        assert!(html.contains("No trackers in any of 1 release(s)."));
        assert!(html.contains("title=\"a.apk\">a.apk</a>"));
        assert!(html.contains("class=\"sortable\""));
        // One chart for com.ex with 2 releases x 1 tracker = 2 cells.
        assert_eq!(html.matches("<svg").count(), 1);
        assert_eq!(html.matches("<rect").count(), 2);
        assert!(
            html.contains("class ×5"),
            "evidence kinds counted with omitted ones"
        );
        assert_eq!(
            html.matches("<section").count(),
            html.matches("</section>").count()
        );
        assert_eq!(
            html.matches("<table").count(),
            html.matches("</table>").count()
        );
        let empty = html_report(&[]);
        assert!(empty.contains("0 app(s)"));
    }
}
