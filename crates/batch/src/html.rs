//! A self-contained HTML report for researchers (inline CSS and JS, no network).
//!
//! Layout: provenance (trackscan and rule-set version, date, inputs), an
//! overview (apps scanned / failed / with trackers / with pinning, prevalence of
//! trackers and categories as CSS bars, worst scores), then a searchable,
//! filterable, paginated table whose rows are rendered client-side from one
//! compact JSON array embedded in `<script type="application/json">`, so the
//! DOM stays small for 100,000 apps; per-app details are collapsed `<details>`.
//! The `#status` element says what is drawn, for people and for tests: `data-rendered`
//! (rows on this page), `data-matching` (rows passing the filters) and, set once at the
//! first render, `data-first-render-ms` (`performance.now()`: milliseconds from navigation
//! start to the first page of rows, the figure `bench/report_load.sh` reads).
//!
//! Safety: every document string (possibly from a hostile APK) placed in HTML
//! goes through [`escape`]; the embedded JSON goes through [`json_for_script`]
//! (`<`, `>`, `&`, U+2028, U+2029 as `\uXXXX`), so no `</script>` can close the
//! data block; the script only ever inserts data with `textContent`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{json, Value};

use crate::score::score;
use crate::timeline::{timeline, PackageTimeline};
use crate::util::{arr, opt_str, opt_u64, str_of, strs, version_label};

/// At most this many hosts are listed per app in its details (the rest are counted).
pub const MAX_HOSTS: usize = 100;
/// Rows per page of the apps table.
pub const PAGE_SIZE: usize = 50;
/// At most this many trackers are charted in the overview.
pub const MAX_BARS: usize = 40;
/// At most this many per-package timelines are drawn (packages with most releases first).
pub const MAX_TIMELINES: usize = 30;

/// Where a report comes from, printed at its top.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provenance {
    /// trackscan's version (e.g. `env!("CARGO_PKG_VERSION")` of the binary).
    pub trackscan_version: String,
    /// The rule set's version.
    pub ruleset_version: String,
    /// The rule set's hash (see `trackscan_signatures::builtin_ruleset_id`).
    pub ruleset_hash: String,
    /// When the report was generated (UTC, ISO 8601).
    pub generated: String,
    /// The input files the report was built from.
    pub inputs: Vec<String>,
}

/// The current time as `YYYY-MM-DDTHH:MM:SSZ` (UTC), without a date crate.
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    utc_string(secs)
}

/// Formats seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_string(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

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

/// Serializes JSON for the inside of a `<script type="application/json">`:
/// `<`, `>` and `&` (which only occur inside JSON strings) and the line
/// separators U+2028/U+2029 are written as `\uXXXX` escapes, so the text can
/// never contain `</script>` or `<!--` and still parses to the same value.
pub fn json_for_script(v: &Value) -> String {
    let raw = v.to_string();
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a value for the fragment of an overview link (`#tracker=…`).
fn fragment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

const STYLE: &str = r#"
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa;max-width:1200px}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#eee}#apps th[data-k]{cursor:pointer;user-select:none}#apps th[data-k]:after{content:" \2195";color:#999}
.grade{font-weight:bold;padding:0 .4em;border-radius:3px;color:#fff}
.gA{background:#2e7d32}.gB{background:#689f38}.gC{background:#f9a825}.gD{background:#ef6c00}.gE{background:#d84315}.gF{background:#b71c1c}.gN{background:#9e9e9e}
.err{color:#b71c1c}.muted{color:#777}code{font-size:.9em;word-break:break-all}
.cards{display:flex;flex-wrap:wrap;gap:.8em}.card{background:#fff;border:1px solid #ddd;border-radius:4px;padding:.5em 1em}.card b{display:block;font-size:1.6em}
.bars{display:grid;grid-template-columns:minmax(8em,16em) 1fr 4em;gap:2px .5em;align-items:center;max-width:900px}
.bar{background:#c62828;height:.9em;border-radius:2px}.bar.cat{background:#1565c0}
#filters{display:flex;flex-wrap:wrap;gap:.5em;margin:.5em 0}#filters input{min-width:16em}
details>summary{cursor:pointer}details .inner{padding:.3em 0 .3em 1em}
svg text{font-size:11px;font-family:sans-serif}
.undecl td{background:#ffebee}.dsl{margin:.3em 0}.dsl ul{margin:.2em 0;padding-left:1.2em}
.hid{margin-left:.4em;padding:0 .3em;border-radius:3px;font-size:.85em;background:#fff3e0;color:#e65100;border:1px solid #ffb74d}.hid.heavy{background:#ffebee;color:#b71c1c;border-color:#e57373}
"#;

const SCRIPT: &str = r#"
(function(){
'use strict';
var D=JSON.parse(document.getElementById('data').textContent);
var PAGE=PAGESIZE,page=0,sortK='f',sortDir=1,view=D;
function $(id){return document.getElementById(id);}
function el(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;if(text!=null)e.textContent=String(text);return e;}
function uniq(key){var m={};D.forEach(function(r){(r[key]||[]).forEach(function(x){m[x]=(m[x]||0)+1;});});return Object.keys(m).sort();}
function fill(sel,vals){vals.forEach(function(v){var o=el('option',null,v);o.value=v;sel.appendChild(o);});}
fill($('f-tracker'),uniq('t'));fill($('f-category'),uniq('c'));
function gradeOf(r){return r.g==null?'not graded':r.g;}
function badge(r){return el('span','grade g'+(r.g==null?'N':r.g),r.g==null?'not graded':r.g+' '+r.sc);}
function apply(){
  var q=$('f-q').value.toLowerCase(),t=$('f-tracker').value,c=$('f-category').value,g=$('f-grade').value,p=$('f-pin').value;
  view=D.filter(function(r){
    if(q&&(r.f+' '+r.p+' '+r.l+' '+r.s).toLowerCase().indexOf(q)<0)return false;
    if(t&&r.t.indexOf(t)<0)return false;
    if(c&&r.c.indexOf(c)<0)return false;
    if(g&&gradeOf(r)!==g)return false;
    if(p==='yes'&&!r.pin)return false;
    if(p==='no'&&r.pin)return false;
    return true;});
  view.sort(function(a,b){var x=a[sortK],y=b[sortK];
    if(Array.isArray(x)){x=x.length;y=y.length;}
    if(x==null)x=-1;if(y==null)y=-1;
    var r=(typeof x==='number'&&typeof y==='number')?x-y:String(x).localeCompare(String(y));
    return r*sortDir;});
  page=0;render();
}
function kv(parent,label,val){var p=el('div');p.appendChild(el('b',null,label+': '));p.appendChild(el('span',null,val));parent.appendChild(p);}
function list(parent,title,items){if(!items.length)return;parent.appendChild(el('h5',null,title));var u=el('ul');items.forEach(function(x){u.appendChild(el('li',null,x));});parent.appendChild(u);}
function label(L){
  var s=el('div','dsl');s.appendChild(el('h4',null,'Data safety label'));
  s.appendChild(el('div','muted',L.h?('label file: '+(L.f||'-')):'no label given: every data type found is one a label would have to declare'));
  s.appendChild(el('div','dsl-counts',L.n));
  if(L.ty.length){var t=el('table'),h=el('tr');['Data type','Verdict','Declared','Found (SDKs)','Evidence'].forEach(function(x){h.appendChild(el('th',null,x));});t.appendChild(h);
    L.ty.forEach(function(x){var tr=el('tr',x[2]==='undeclared'?'undecl':null);
      var ty=el('td');ty.appendChild(el('code',null,x[0]));if(x[1])ty.appendChild(el('div','muted',x[1]));tr.appendChild(ty);
      var v=el('td',null,x[2]);x[7].forEach(function(m){v.appendChild(el('div','err',m));});tr.appendChild(v);
      tr.appendChild(el('td',null,x[3]));tr.appendChild(el('td',null,x[4]||'-'));
      var e=el('td'),u=el('ul');x[5].forEach(function(l){u.appendChild(el('li',null,l));});if(x[6])u.appendChild(el('li','muted',x[6]+' more'));e.appendChild(u);tr.appendChild(e);
      t.appendChild(tr);});
    s.appendChild(t);}
  list(s,'Dormant SDKs (nothing runs them; left out)',L.dm);list(s,'Switches the app sets',L.sw);list(s,'Label anomalies',L.an);
  return s;
}
function details(r){
  var d=el('details'),s=el('summary',null,r.f);d.appendChild(s);
  d.addEventListener('toggle',function(){
    if(!d.open||d.dataset.done)return;d.dataset.done='1';
    var b=el('div','inner');
    kv(b,'sha256',r.s||'-');kv(b,'package',r.p||'-');kv(b,'label',r.l||'-');kv(b,'version',r.v||'-');
    r.e.forEach(function(e){b.appendChild(el('div','err','error: '+e));});
    if(r.hd){b.appendChild(el('h4',null,'Hidden code ('+r.hd+')'));var hu=el('ul');r.hc.forEach(function(x){hu.appendChild(el('li',null,x));});b.appendChild(hu);
      if(!r.t.length)b.appendChild(el('div','muted','No known trackers in the readable code.'));}
    if(r.r.length){var t=el('table');var h=el('tr');h.appendChild(el('th',null,'Points'));h.appendChild(el('th',null,'Why'));t.appendChild(h);
      r.r.forEach(function(x){var tr=el('tr');tr.appendChild(el('td',null,x[0]?'-'+x[0]:'0'));tr.appendChild(el('td',null,x[1]));t.appendChild(tr);});
      b.appendChild(el('h4',null,'Score'));b.appendChild(t);}
    if(r.lb)b.appendChild(label(r.lb));
    if(r.tr.length){var t2=el('table'),h2=el('tr');['Tracker','Categories','SDK version','Confidence','Evidence','Data accessed'].forEach(function(x){h2.appendChild(el('th',null,x));});t2.appendChild(h2);
      r.tr.forEach(function(x){var tr=el('tr');x.forEach(function(c){tr.appendChild(el('td',null,c));});t2.appendChild(tr);});
      b.appendChild(el('h4',null,'Trackers'));b.appendChild(t2);}
    if(r.ps.length){var t3=el('table'),h3=el('tr');['Host','Mechanism','Pins','Tracker'].forEach(function(x){h3.appendChild(el('th',null,x));});t3.appendChild(h3);
      r.ps.forEach(function(x){var tr=el('tr');x.forEach(function(c){tr.appendChild(el('td',null,c==null?'(no host)':c));});t3.appendChild(tr);});
      b.appendChild(el('h4',null,'Certificate pinning'));b.appendChild(t3);}
    if(r.ho.length){b.appendChild(el('h4',null,'Hosts ('+r.h+')'));var u=el('ul');r.ho.forEach(function(x){u.appendChild(el('li',null,x));});
      if(r.h>r.ho.length)u.appendChild(el('li','muted','… '+(r.h-r.ho.length)+' more'));b.appendChild(u);}
    var top=el('a',null,'back to top');top.href='#top';b.appendChild(top);
    d.appendChild(b);});
  return d;
}
function render(){
  var body=$('rows');body.textContent='';
  var n=view.length,pages=Math.max(1,Math.ceil(n/PAGE));if(page>=pages)page=pages-1;
  var slice=view.slice(page*PAGE,page*PAGE+PAGE);
  slice.forEach(function(r){var tr=el('tr');
    var td=el('td');td.appendChild(details(r));tr.appendChild(td);
    tr.appendChild(el('td',null,r.p));tr.appendChild(el('td',null,r.v));
    var tt=el('td',null,r.t.join(', '));if(r.hd){var m=el('span','hid '+r.hd,'hidden code: '+r.hd);m.title=r.hc.join('\n');tt.appendChild(m);}if(r.lb&&r.lb.h&&r.lb.u)tt.appendChild(el('span','hid heavy','label: '+r.lb.u+' undeclared'));tr.appendChild(tt);tr.appendChild(el('td',null,r.h));tr.appendChild(el('td',null,r.pin));
    var g=el('td');g.appendChild(badge(r));tr.appendChild(g);tr.appendChild(el('td',null,r.e.length));
    body.appendChild(tr);});
  var st=$('status');st.setAttribute('data-rendered',String(slice.length));st.setAttribute('data-matching',String(n));
  if(!st.hasAttribute('data-first-render-ms'))st.setAttribute('data-first-render-ms',String(Math.round(performance.now())));
  st.textContent=n?('Apps '+(page*PAGE+1)+'–'+(page*PAGE+slice.length)+' of '+n+' matching ('+D.length+' in all), page '+(page+1)+' of '+pages):('No app matches ('+D.length+' in all)');
  $('prev').disabled=page<=0;$('next').disabled=page>=pages-1;
}
function fromHash(){
  var h=location.hash.replace(/^#/,'');if(h.indexOf('=')<0)return;
  var m=h.split('='),k=m[0],v=decodeURIComponent(m.slice(1).join('='));
  var ids={tracker:'f-tracker',category:'f-category',grade:'f-grade',pin:'f-pin',q:'f-q'};
  if(!ids[k])return;
  ['f-tracker','f-category','f-grade','f-pin','f-q'].forEach(function(i){$(i).value='';});
  $(ids[k]).value=v;apply();$('table').scrollIntoView();
}
['f-q','f-tracker','f-category','f-grade','f-pin'].forEach(function(i){$(i).addEventListener('input',apply);});
$('f-clear').addEventListener('click',function(){['f-tracker','f-category','f-grade','f-pin','f-q'].forEach(function(i){$(i).value='';});apply();});
$('prev').addEventListener('click',function(){page--;render();});
$('next').addEventListener('click',function(){page++;render();});
document.querySelectorAll('#apps th[data-k]').forEach(function(th){th.addEventListener('click',function(){
  var k=th.getAttribute('data-k');if(sortK===k)sortDir=-sortDir;else{sortK=k;sortDir=1;}apply();});});
window.addEventListener('hashchange',fromHash);
apply();fromHash();
})();
"#;

/// Top-level keys [`report_row`] keeps: what the page, the score and the unreadable rule read.
const REPORT_KEYS: &[&str] = &[
    "file",
    "sha256",
    "package",
    "version_code",
    "version_name",
    "label",
    "kind",
    "dex",
    "permissions",
    "application",
    "transport",
    "trackers",
    "libraries",
    "hosts",
    "pinning",
    "errors",
    "score",
    "hidden",
    "data_safety_file",
    "data_safety",
];

/// A document reduced to what [`html_report_with`] reads, so a report over 100,000 rows
/// holds small documents: only [`REPORT_KEYS`]; each host keeps `host` and `tracker`; in
/// every finding (`trackers`, `libraries`) the `evidence` list becomes counts per kind
/// (added to `evidence_omitted`, which is how the report shows evidence anyway) and
/// `call_sites`, `website` and `reason` go. The report of reduced documents is the report
/// of the originals (tested, also on the corpus in `tests/e2e_html.rs`).
pub fn report_row(doc: Value) -> Value {
    let Value::Object(mut m) = doc else {
        return doc;
    };
    m.retain(|k, _| REPORT_KEYS.contains(&k.as_str()));
    for key in ["trackers", "libraries"] {
        if let Some(fs) = m.get_mut(key).and_then(Value::as_array_mut) {
            for f in fs.iter_mut() {
                fold_evidence(f);
            }
        }
    }
    if let Some(hs) = m.get_mut("hosts").and_then(Value::as_array_mut) {
        for h in hs.iter_mut() {
            if let Some(o) = h.as_object_mut() {
                o.retain(|k, _| k == "host" || k == "tracker");
            }
        }
    }
    if let Some(o) = m.get_mut("hidden").and_then(Value::as_object_mut) {
        o.retain(|k, _| k == "level" || k == "coverage");
    }
    // The label check: what [`crate::label_view`] reads (no left-out observations; evidence
    // only as far as it names the SDKs).
    if let Some(ts) = m
        .get_mut(crate::label_view::LABEL_CHECK_KEY)
        .and_then(|l| l.get_mut("types"))
        .and_then(Value::as_array_mut)
    {
        for t in ts.iter_mut().filter_map(Value::as_object_mut) {
            t.remove("left_out");
            if let Some(ev) = t.get_mut("evidence").and_then(Value::as_array_mut) {
                for e in ev.iter_mut().filter_map(Value::as_object_mut) {
                    e.retain(|k, _| k == "sdk" || k == "sdk_name");
                }
            }
        }
    }
    Value::Object(m)
}

fn fold_evidence(t: &mut Value) {
    let Some(m) = t.as_object_mut() else { return };
    for k in ["call_sites", "website", "reason"] {
        m.remove(k);
    }
    let Some(Value::Array(ev)) = m.remove("evidence") else {
        return;
    };
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    if let Some(om) = m.get("evidence_omitted").and_then(Value::as_object) {
        for (k, n) in om {
            counts.insert(k.clone(), n.as_u64().unwrap_or(0));
        }
    }
    for e in &ev {
        let c = counts.entry(str_of(e, "kind").to_string()).or_insert(0);
        *c = c.saturating_add(1);
    }
    let om: serde_json::Map<String, Value> = counts
        .into_iter()
        .map(|(k, n)| (k, Value::from(n)))
        .collect();
    m.insert("evidence_omitted".into(), Value::Object(om));
}

/// One compact row of the embedded JSON (short keys keep 100,000 apps small).
fn compact_row(d: &Value) -> Value {
    let scored = crate::tabular::score_of(d);
    let mut tnames: Vec<&str> = Vec::new();
    let mut cats: Vec<&str> = Vec::new();
    let mut trs: Vec<Value> = Vec::new();
    for t in arr(d, "trackers") {
        tnames.push(str_of(t, "name"));
        let tc: Vec<&str> = strs(t, "categories").collect();
        cats.extend(tc.iter().copied());
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for e in arr(t, "evidence") {
            let k = kinds.entry(str_of(e, "kind")).or_insert(0);
            *k = k.saturating_add(1);
        }
        if let Some(om) = t.get("evidence_omitted").and_then(Value::as_object) {
            for (k, n) in om {
                let e = kinds.entry(k.as_str()).or_insert(0);
                *e = e.saturating_add(usize::try_from(n.as_u64().unwrap_or(0)).unwrap_or(0));
            }
        }
        let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
        let mut data: Vec<&str> = arr(t, "data_access")
            .iter()
            .map(|a| str_of(a, "category"))
            .collect();
        for f in arr(t, "data_from_app") {
            if f.get("personal").and_then(Value::as_bool) == Some(true) {
                data.push(str_of(f, "kind"));
            }
        }
        data.sort_unstable();
        data.dedup();
        trs.push(json!([
            str_of(t, "name"),
            tc.join(", "),
            opt_str(t, "sdk_version").unwrap_or("-"),
            str_of(t, "confidence"),
            kinds.join(", "),
            data.join(", ")
        ]));
    }
    cats.sort_unstable();
    cats.dedup();
    let ps: Vec<Value> = arr(d, "pinning")
        .iter()
        .map(|p| {
            let pins: Vec<String> = arr(p, "pins")
                .iter()
                .map(|x| format!("{}/{}", str_of(x, "algorithm"), str_of(x, "digest")))
                .collect();
            json!([
                crate::tabular::pin_host(p),
                str_of(p, "mechanism"),
                pins.join(" "),
                opt_str(p, "tracker").unwrap_or("-")
            ])
        })
        .collect();
    let hosts = arr(d, "hosts");
    let reasons: Vec<Value> = if scored.is_some() {
        score(d)
            .reasons
            .iter()
            .map(|r| json!([r.points, r.why]))
            .collect()
    } else {
        Vec::new()
    };
    // Hidden code (renamed, encrypted, packed): its level marks the row, its coverage
    // sentences go into the details; absent or `none`, nothing is shown.
    let hidden = d.get("hidden");
    let hidden_level = hidden
        .and_then(|h| opt_str(h, "level"))
        .filter(|l| *l != "none");
    let hidden_coverage: Vec<&str> = match hidden_level {
        Some(_) => hidden
            .map(|h| strs(h, "coverage").collect())
            .unwrap_or_default(),
        None => Vec::new(),
    };
    json!({
        "lb": label_section(d),
        "hd": hidden_level,
        "hc": hidden_coverage,
        "f": str_of(d, "file"),
        "p": str_of(d, "package"),
        "l": str_of(d, "label"),
        "v": version_label(d),
        "vc": opt_u64(d, "version_code"),
        "s": str_of(d, "sha256"),
        "sc": scored.as_ref().map(|(v, _)| *v),
        "g": scored.as_ref().map(|(_, g)| g.clone()),
        "t": tnames,
        "c": cats,
        "h": hosts.len(),
        "pin": crate::tabular::pinned_host_count(d),
        "e": strs(d, "errors").collect::<Vec<_>>(),
        "r": reasons,
        "tr": trs,
        "ps": ps,
        "ho": hosts.iter().take(MAX_HOSTS).map(|h| str_of(h, "host")).collect::<Vec<_>>(),
    })
}

/// At most this many evidence lines per data type in the label section (the rest are counted).
pub const MAX_EVIDENCE_LINES: usize = 3;

/// The compact label section of a row (`null` without a check): `h` has_label, `f` label
/// file, `n` counts line, `u` undeclared count, `ty` one array per type (`[data_type, form
/// label, verdict, declared, SDK names, first evidence lines, more, mismatch lines]`), `dm`
/// dormant SDKs, `sw` switches, `an` label anomalies.
fn label_section(d: &Value) -> Value {
    let Some(c) = crate::label_view::label_view(d) else {
        return Value::Null;
    };
    let types: Vec<Value> = c
        .types
        .iter()
        .map(|t| {
            let declared = match &t.declared {
                Some(x) if x.line > 0 => format!("{} (line {})", x.summary(), x.line),
                Some(x) => x.summary().to_string(),
                None => "not declared".to_string(),
            };
            let lines: Vec<&str> = t
                .evidence_lines
                .iter()
                .take(MAX_EVIDENCE_LINES)
                .map(String::as_str)
                .collect();
            json!([
                t.data_type,
                t.label,
                t.verdict.label(),
                declared,
                t.sdk_names(),
                lines,
                t.evidence_lines.len().saturating_sub(MAX_EVIDENCE_LINES),
                t.mismatches.iter().map(|m| m.line()).collect::<Vec<_>>(),
            ])
        })
        .collect();
    json!({
        "h": c.has_label,
        "f": crate::label_view::label_file(d),
        "n": c.counts.line(),
        "u": c.counts.undeclared,
        "ty": types,
        "dm": c.dormant.iter().map(|x| format!("{}: {}", x.sdk, x.why)).collect::<Vec<_>>(),
        "sw": c.switches.iter().map(|x| x.line()).collect::<Vec<_>>(),
        "an": c.label_anomalies,
    })
}

fn bars(h: &mut String, items: &[(String, usize)], total: usize, key: &str, class: &str) {
    h.push_str("<div class=\"bars\">\n");
    for (name, n) in items {
        let pct = if total == 0 {
            0.0
        } else {
            (*n as f64) * 100.0 / (total as f64)
        };
        let _ = writeln!(
            h,
            "<a href=\"#{key}={}\">{}</a><div><div class=\"bar {class}\" style=\"width:{pct:.1}%\"></div></div><span>{n} ({pct:.0}%)</span>",
            fragment(name),
            escape(name)
        );
    }
    h.push_str("</div>\n");
}

fn counted<'a>(
    rows: &'a [Value],
    each: impl Fn(&'a Value) -> Vec<&'a str>,
) -> Vec<(String, usize)> {
    let mut m: BTreeMap<&str, usize> = BTreeMap::new();
    for d in rows {
        let mut v = each(d);
        v.sort_unstable();
        v.dedup();
        for x in v {
            let e = m.entry(x).or_insert(0);
            *e = e.saturating_add(1);
        }
    }
    let mut v: Vec<(String, usize)> = m.into_iter().map(|(k, n)| (k.to_string(), n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// [`html_report_with`] without provenance (fields left empty print as "-").
pub fn html_report(rows: &[Value]) -> String {
    html_report_with(rows, &Provenance::default())
}

/// One self-contained HTML page for a batch: provenance, an overview (counts,
/// tracker and category prevalence, worst scores, per-package timelines), and
/// a searchable, filterable, paginated table of apps rendered client-side from
/// embedded JSON, each app's details collapsed. Unreadable apps (null score)
/// show "not graded".
pub fn html_report_with(rows: &[Value], prov: &Provenance) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\
         <title>trackscan report</title><style>{STYLE}</style></head><body>\n"
    );
    let _ = writeln!(h, "<h1 id=\"top\">trackscan report</h1>");
    // Provenance.
    let dash = |s: &str| {
        if s.is_empty() {
            "-".to_string()
        } else {
            escape(s)
        }
    };
    let _ = writeln!(
        h,
        "<p class=\"muted\" id=\"provenance\">trackscan {} · rule set {} (hash <code>{}</code>) · generated {} · from {}</p>",
        dash(&prov.trackscan_version),
        dash(&prov.ruleset_version),
        dash(&prov.ruleset_hash),
        dash(&prov.generated),
        if prov.inputs.is_empty() {
            "-".to_string()
        } else {
            prov.inputs.iter().map(|i| format!("<code>{}</code>", escape(i))).collect::<Vec<_>>().join(", ")
        }
    );
    // Overview.
    let total = rows.len();
    let failed = rows
        .iter()
        .filter(|d| crate::tabular::score_of(d).is_none())
        .count();
    let with_trackers = rows
        .iter()
        .filter(|d| !arr(d, "trackers").is_empty())
        .count();
    let with_pinning = rows
        .iter()
        .filter(|d| crate::tabular::pinned_host_count(d) > 0)
        .count();
    let _ = writeln!(
        h,
        "<h2>Overview</h2><div class=\"cards\">\
         <div class=\"card\"><b>{total}</b>app(s) scanned</div>\
         <div class=\"card\"><a href=\"#grade=not%20graded\"><b>{failed}</b></a>failed (not graded)</div>\
         <div class=\"card\"><b>{with_trackers}</b>with trackers</div>\
         <div class=\"card\"><a href=\"#pin=yes\"><b>{with_pinning}</b></a>with pinned hosts</div></div>"
    );
    let trackers = counted(rows, |d| {
        arr(d, "trackers")
            .iter()
            .map(|t| str_of(t, "name"))
            .collect()
    });
    let _ = writeln!(
        h,
        "<h3>Tracker prevalence ({} tracker(s); share of apps)</h3>",
        trackers.len()
    );
    if trackers.is_empty() {
        h.push_str("<p class=\"muted\">No known trackers.</p>\n");
    } else {
        bars(
            &mut h,
            trackers.get(..MAX_BARS.min(trackers.len())).unwrap_or(&[]),
            total,
            "tracker",
            "",
        );
        if trackers.len() > MAX_BARS {
            let _ = writeln!(
                h,
                "<p class=\"muted\">… {} more in the tracker filter.</p>",
                trackers.len() - MAX_BARS
            );
        }
    }
    let cats = counted(rows, |d| {
        arr(d, "trackers")
            .iter()
            .flat_map(|t| strs(t, "categories"))
            .collect()
    });
    if !cats.is_empty() {
        h.push_str("<h3>Category prevalence (share of apps)</h3>\n");
        bars(&mut h, &cats, total, "category", "cat");
    }
    // Grade distribution.
    let grades = counted(rows, |d| {
        vec![match crate::tabular::score_of(d) {
            Some((v, _)) => crate::score::grade(v),
            None => "not graded",
        }]
    });
    h.push_str("<h3>Grades</h3>\n");
    bars(&mut h, &grades, total, "grade", "cat");
    // Worst scores.
    let mut worst: Vec<(u8, &Value)> = rows
        .iter()
        .filter_map(|d| crate::tabular::score_of(d).map(|(v, _)| (v, d)))
        .collect();
    worst.sort_by_key(|(v, _)| *v);
    if !worst.is_empty() {
        h.push_str("<h3>Worst scores</h3><table><tr><th>Score</th><th>File</th><th>Package</th><th>Trackers</th></tr>\n");
        for (v, d) in worst.iter().take(10) {
            let g = crate::score::grade(*v);
            let _ = writeln!(
                h,
                "<tr><td><span class=\"grade g{g}\">{g} {v}</span></td><td><a href=\"#q={}\">{}</a></td><td>{}</td><td>{}</td></tr>",
                fragment(str_of(d, "sha256")),
                escape(str_of(d, "file")),
                escape(str_of(d, "package")),
                arr(d, "trackers").len()
            );
        }
        h.push_str("</table>\n");
    }
    // Timelines (collapsed, bounded).
    let mut tls: Vec<PackageTimeline> = timeline(rows.iter().cloned(), None)
        .into_iter()
        .filter(|t| t.releases.len() > 1)
        .collect();
    if !tls.is_empty() {
        tls.sort_by(|a, b| {
            b.releases
                .len()
                .cmp(&a.releases.len())
                .then_with(|| a.package.cmp(&b.package))
        });
        let _ = writeln!(
            h,
            "<details><summary>Trackers over versions ({} package(s) with several releases{})</summary>",
            tls.len(),
            if tls.len() > MAX_TIMELINES { format!("; the {MAX_TIMELINES} with most releases") } else { String::new() }
        );
        for t in tls.iter().take(MAX_TIMELINES) {
            chart(&mut h, t);
        }
        h.push_str("</details>\n");
    }
    // Table.
    h.push_str("<h2 id=\"table\">Apps</h2>\n<div id=\"filters\">\
        <input id=\"f-q\" type=\"search\" placeholder=\"search file, package, label, sha256\" aria-label=\"search\">\
        <select id=\"f-tracker\" aria-label=\"tracker\"><option value=\"\">any tracker</option></select>\
        <select id=\"f-category\" aria-label=\"category\"><option value=\"\">any category</option></select>\
        <select id=\"f-grade\" aria-label=\"grade\"><option value=\"\">any grade</option><option>A</option><option>B</option><option>C</option><option>D</option><option>E</option><option>F</option><option>not graded</option></select>\
        <select id=\"f-pin\" aria-label=\"pinning\"><option value=\"\">pinning: any</option><option value=\"yes\">pins hosts</option><option value=\"no\">no pinned host</option></select>\
        <button id=\"f-clear\" type=\"button\">clear</button></div>\n\
        <p id=\"status\" data-rendered=\"0\">Loading… (needs JavaScript)</p>\n\
        <table id=\"apps\"><thead><tr><th data-k=\"f\">File</th><th data-k=\"p\">Package</th><th data-k=\"vc\">Version</th>\
        <th data-k=\"t\">Trackers</th><th data-k=\"h\">Hosts</th><th data-k=\"pin\">Pinned hosts</th><th data-k=\"sc\">Score</th><th data-k=\"e\">Errors</th></tr></thead>\
        <tbody id=\"rows\"></tbody></table>\n\
        <p><button id=\"prev\" type=\"button\">previous</button> <button id=\"next\" type=\"button\">next</button> <a href=\"#top\">back to top</a></p>\n");
    // The rows' JSON, one row at a time (no second copy of all rows as one value).
    h.push_str("<script id=\"data\" type=\"application/json\">[");
    for (i, d) in rows.iter().enumerate() {
        if i > 0 {
            h.push(',');
        }
        h.push_str(&json_for_script(&compact_row(d)));
    }
    let _ = write!(
        h,
        "]</script>\n<script>{}</script>\n</body></html>\n",
        SCRIPT.replace("PAGESIZE", &PAGE_SIZE.to_string())
    );
    h
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
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{width}\" height=\"{height}\" role=\"img\"><title>{} trackers by release</title>\
         <defs><pattern id=\"unread\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\"><path d=\"M0,4 L4,0\" stroke=\"#999\"/></pattern></defs>",
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
    // Swim lanes: one lane per SDK; a cell per release, filled where the SDK is present,
    // with a dot where it changed since the previous readable release (version or code,
    // from the SDK-level diff), hatched where the release could not be read.
    let changed = |id: &str, to: usize| -> Option<String> {
        let d = t.diffs.iter().find(|d| d.to == to)?;
        let b = d.diff.sdks.iter().find(|b| b.id == id)?;
        let mut parts = Vec::new();
        if let Some((a, z)) = &b.version {
            parts.push(format!("version {a} -> {z}"));
        }
        if let Some((a, z)) = &b.code {
            parts.push(format!("code {a} -> {z}"));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    };
    for (row, span) in t.trackers.iter().enumerate() {
        let y = TOP + row * CELL;
        let _ = writeln!(
            h,
            "<text x=\"4\" y=\"{}\">{}</text>",
            y + CELL - 5,
            escape(&span.name)
        );
        for (c, r) in t.releases.iter().enumerate() {
            let k = r.trackers.iter().position(|x| x == &span.id);
            let version = k
                .and_then(|k| r.tracker_versions.get(k))
                .and_then(|v| v.as_deref())
                .map(|v| format!(" {v}"))
                .unwrap_or_default();
            let (fill, what) = if r.unreadable {
                ("url(#unread)", "could not be read".to_string())
            } else if k.is_some() {
                ("#c62828", format!("present{version}"))
            } else {
                ("#e0e0e0", "absent".to_string())
            };
            let x = LEFT + c * CELL;
            let change = k.and_then(|_| changed(&span.id, c));
            let _ = writeln!(
                h,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"#fff\"><title>{} in {}: {}{}</title></rect>",
                CELL - 1,
                CELL - 1,
                escape(&span.name),
                escape(&r.label()),
                escape(&what),
                change.as_deref().map(|c| format!("; changed: {}", escape(c))).unwrap_or_default()
            );
            if let Some(c) = change {
                let _ = writeln!(
                    h,
                    "<circle class=\"changed\" cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"#fff\"><title>{} changed in {}: {}</title></circle>",
                    x + CELL / 2,
                    y + CELL / 2,
                    escape(&span.name),
                    escape(&r.label()),
                    escape(&c)
                );
            }
        }
    }
    h.push_str("</svg>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const EVIL: &str = "<script>alert('x')</script>\"&<!--\u{2028}";

    fn rows() -> Vec<Value> {
        vec![
            json!({"file": "a.apk", "package": "com.ex", "version_code": 1, "version_name": EVIL, "label": EVIL,
                   "sha256": "aa", "dex": {"files": 1},
                   "trackers": [{"id": "t", "name": EVIL, "categories": [EVIL, "Analytics"], "confidence": "high",
                                 "evidence": [{"kind": "class", "value": EVIL}], "evidence_omitted": {"class": 4}}],
                   "hosts": [{"host": EVIL, "tracker": EVIL}],
                   "pinning": [{"host": EVIL, "mechanism": "okhttp", "pins": [{"algorithm": "sha256", "digest": EVIL}]},
                               {"host": "(unknown)", "mechanism": "bundled_certificate"}],
                   "signing": {"certificates": [{"sha256": "c", "subject": EVIL}]},
                   "errors": [EVIL]}),
            json!({"file": "b.apk", "package": "com.ex", "version_code": 2, "trackers": [], "dex": {"files": 1},
                   "hidden": {"level": "partial", "coverage": [EVIL], "renamed": {"percent": 92}}}),
            json!({"file": EVIL, "errors": ["unreadable"], "score": null}),
            json!({"file": "c.apk", "package": "org.clean", "version_code": 3, "dex": {"files": 1}}),
        ]
    }

    /// The text of the `<script type="application/json">` block.
    fn data_block(html: &str) -> &str {
        let open = "<script id=\"data\" type=\"application/json\">";
        let a = html.find(open).map(|i| i + open.len()).unwrap_or(0);
        let b = html.get(a..).and_then(|t| t.find("</script>")).unwrap_or(0);
        html.get(a..a + b).unwrap_or("")
    }

    #[test]
    fn escapes_everything() {
        assert_eq!(
            escape("<script>alert('x')</script>\"&"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;"
        );
        assert_eq!(escape("a\u{0}b"), "a\u{FFFD}b");
        let prov = Provenance {
            inputs: vec![EVIL.to_string()],
            ..Provenance::default()
        };
        let html = html_report_with(&rows(), &prov);
        assert!(!html.contains(EVIL));
        assert!(!html.contains("<script>alert"));
        assert!(!html.contains("<!--"));
        assert!(!data_block(&html).contains('\u{2028}'));
        // Only our two scripts: the data block and the code.
        assert_eq!(html.matches("<script").count(), 2);
        assert_eq!(html.matches("</script").count(), 2);
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)"));
        // The data block parses back to the hostile strings, unchanged.
        let data: Value = serde_json::from_str(data_block(&html)).unwrap_or(Value::Null);
        assert_eq!(data[0]["l"], EVIL);
        assert_eq!(data[2]["f"], EVIL);
        assert_eq!(data[0]["t"][0], EVIL);
    }

    #[test]
    fn reduced_rows_give_the_same_report() {
        let mut full = rows();
        full[0]["trackers"][0]["call_sites"] =
            json!([{"caller": "La;->b()V", "callee": "x", "count": 3}]);
        full[0]["trackers"][0]["website"] = json!("https://t.example");
        full[0]["trackers"][0]["data_access"] =
            json!([{"category": "location", "api": "getLastKnownLocation", "caller": "La;"}]);
        full[0]["trackers"][0]["evidence"] = json!([{"kind": "class", "value": "a"}, {"kind": "host", "value": "h"}, {"value": "no kind"}]);
        full[0]["libraries"] = json!([{"id": "okhttp", "name": "OkHttp", "sdk_version": "4.9", "evidence": [{"kind": "class"}],
                                       "call_sites": [1, 2, 3], "website": "w", "categories": ["Network"],
                                       "data_access": [{"category": "contacts", "api": "query", "caller": "Lx;"}]}]);
        full[1]["trackers"] =
            json!([{"id": "u", "name": "U", "evidence": "not a list", "evidence_omitted": [1]}]);
        let slim: Vec<Value> = full.iter().cloned().map(report_row).collect();
        assert_eq!(
            slim[0]["trackers"][0]["evidence_omitted"],
            json!({"": 1, "class": 5, "host": 1})
        );
        assert!(slim[0]["trackers"][0].get("call_sites").is_none());
        assert_eq!(
            slim[0]["libraries"][0],
            json!({"id": "okhttp", "name": "OkHttp", "sdk_version": "4.9", "categories": ["Network"],
                   "evidence_omitted": {"class": 1},
                   "data_access": [{"category": "contacts", "api": "query", "caller": "Lx;"}]})
        );
        let prov = Provenance {
            generated: "now".into(),
            ..Provenance::default()
        };
        assert_eq!(
            html_report_with(&full, &prov),
            html_report_with(&slim, &prov)
        );
    }

    #[test]
    fn json_for_script_round_trips() {
        let v = json!({"a": "</script><!-- & \u{2028}\u{2029} >"});
        let s = json_for_script(&v);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        assert_eq!(serde_json::from_str::<Value>(&s).ok(), Some(v));
    }

    #[test]
    fn structure() {
        let prov = Provenance {
            trackscan_version: "9.9.9".into(),
            ruleset_version: "1.2.3".into(),
            ruleset_hash: "00ff".into(),
            generated: utc_string(0),
            inputs: vec!["results.jsonl".into()],
        };
        let html = html_report_with(&rows(), &prov);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.trim_end().ends_with("</html>"));
        assert!(!html.contains("src=\"http"), "no network resources");
        assert!(html.contains("trackscan 9.9.9 · rule set 1.2.3 (hash <code>00ff</code>) · generated 1970-01-01T00:00:00Z · from <code>results.jsonl</code>"));
        // Overview: 4 scanned, 1 not graded, 1 with trackers, 1 with a pinned host
        // (the bundled certificate without a host does not count).
        assert!(html.contains("<b>4</b>app(s) scanned"));
        assert!(html.contains("<b>1</b></a>failed (not graded)"));
        assert!(html.contains("<b>1</b>with trackers"));
        assert!(html.contains("<b>1</b></a>with pinned hosts"));
        assert!(html.contains("href=\"#category=Analytics\">Analytics</a>"));
        assert!(html.contains("href=\"#tracker=%3Cscript%3E"));
        assert!(html.contains("href=\"#grade=not%20graded\">not graded</a>"));
        assert!(html.contains("<h3>Worst scores</h3>"));
        // No per-app sections in the DOM: rows come from the JSON.
        assert!(!html.contains("<section"));
        let data: Value = serde_json::from_str(data_block(&html)).unwrap_or(Value::Null);
        let rows_json = data.as_array().map(Vec::len);
        assert_eq!(rows_json, Some(4));
        assert_eq!(data[2]["sc"], Value::Null);
        assert_eq!(data[2]["g"], Value::Null);
        assert_eq!(data[0]["pin"], 1);
        assert_eq!(
            data[0]["ps"][1][0],
            Value::Null,
            "hostless pin has a null host"
        );
        assert_eq!(data[0]["tr"][0][4], "class ×5", "omitted evidence counted");
        // Hidden code marks the row and lists its coverage; none or absent shows nothing.
        assert_eq!(data[1]["hd"], "partial");
        assert_eq!(data[1]["hc"][0], EVIL);
        assert_eq!(data[0]["hd"], Value::Null);
        assert!(html.contains("hidden code: "));
        // One timeline for com.ex (2 releases x 1 tracker = 2 cells).
        assert_eq!(html.matches("<svg").count(), 1);
        assert_eq!(html.matches("<rect").count(), 2);
        assert_eq!(
            html.matches("<table").count(),
            html.matches("</table>").count()
        );
        let empty = html_report(&[]);
        assert!(empty.contains("<b>0</b>app(s) scanned"));
        assert!(empty.contains("No known trackers."));
    }

    /// The swim lanes mark the release where an SDK's code or version changed.
    #[test]
    fn swim_lanes_mark_sdk_changes() {
        let doc = |code: u64, methods: u64, version: &str| {
            json!({"file": format!("a{code}.apk"), "sha256": format!("s{code}"), "package": "com.ex",
                   "version_code": code, "version_name": format!("1.{code}"), "kind": "apk",
                   "dex": {"files": 1}, "errors": [],
                   "trackers": [{"id": "mixpanel", "name": "MixPanel", "sdk_version": version,
                                 "categories": ["Analytics"],
                                 "code": {"classes": 16, "methods": methods, "digest": format!("{methods:x}")}}]})
        };
        let html = html_report(&[doc(1, 45, "4.0"), doc(2, 48, "4.1"), doc(3, 48, "4.1")]);
        assert_eq!(
            html.matches("class=\"changed\"").count(),
            1,
            "one change, in release 2"
        );
        assert!(html.contains(
            "MixPanel changed in 1.2 (2): version 4.0 -&gt; 4.1; code 16 classes, 45 methods -&gt; 16 classes, 48 methods"
        ), "{html}");
        assert!(html.contains("MixPanel in 1.1 (1): present 4.0"));
    }

    #[test]
    fn label_section_and_zero_point_reasons() {
        let lines: Vec<String> = (0..5).map(|i| format!("{EVIL} line {i}")).collect();
        let d = json!({"file": "l.apk", "sha256": "ll", "package": "com.l", "dex": {"files": 1},
            "data_safety_file": EVIL,
            "data_safety": {"has_label": true,
                "counts": {"undeclared": 1, "consistent": 1, "declared_not_seen": 1, "possible": 0},
                "types": [
                    {"data_type": "PSL_EMAIL", "label": "Personal info / Email address",
                     "verdict": "undeclared", "declared": null, "sdks": ["google-crashlytics"],
                     "evidence": [{"sdk": "google-crashlytics", "sdk_name": "Google CrashLytics",
                                   "source": {"kind": "app_hands"}}],
                     "evidence_lines": lines, "left_out": [{"observed": {}, "why": "x"}]},
                    {"data_type": "PSL_DEVICE_ID", "verdict": "consistent",
                     "declared": {"collected": true, "shared": false, "line": 4}, "sdks": ["kochava"],
                     "shared": true, "mismatches": [{"mismatch": "shared_not_declared", "sdks": ["kochava"]}]},
                    {"data_type": "PSL_CONTACTS", "verdict": "declared_not_seen",
                     "declared": {"collected": true, "shared": true, "line": 9}}],
                "switches": [{"sdk": "firebase", "name": "firebase_analytics_collection_enabled",
                              "value": "false", "affects": ["PSL_APP_INTERACTIONS"], "state": "off", "doc": "d"}],
                "dormant": [{"sdk": "kochava", "why": "nothing calls it"}],
                "label_anomalies": []},
            "libraries": [{"id": "sup", "name": "Support", "data_access": [{"category": "location", "api": "a", "caller": "b"}]}]});
        let html = html_report(&[d.clone(), rows()[3].clone()]);
        assert!(!html.contains(EVIL));
        let data: Value = serde_json::from_str(data_block(&html)).unwrap_or(Value::Null);
        let lb = &data[0]["lb"];
        assert_eq!(lb["h"], true);
        assert_eq!(lb["f"], EVIL);
        assert_eq!(lb["u"], 1);
        assert_eq!(
            lb["n"],
            "1 undeclared, 1 consistent, 1 declared but not seen, 0 possible"
        );
        assert_eq!(
            lb["ty"][0],
            json!([
                "PSL_EMAIL",
                "Personal info / Email address",
                "undeclared",
                "not declared",
                "Google CrashLytics",
                [lines[0], lines[1], lines[2]],
                2,
                []
            ])
        );
        assert_eq!(lb["ty"][1][3], "collected (line 4)");
        assert_eq!(
            lb["ty"][1][7][0],
            "shared with third parties, not declared shared (kochava)"
        );
        assert_eq!(lb["ty"][2][2], "declared, not seen");
        assert_eq!(lb["dm"][0], "kochava: nothing calls it");
        assert_eq!(
            lb["sw"][0],
            "firebase: firebase_analytics_collection_enabled = false (off; PSL_APP_INTERACTIONS)"
        );
        assert_eq!(data[1]["lb"], Value::Null, "no check, no section");
        // The score lists the undeclared type; the library read stays a 0-point reason, which
        // the page shows as 0, never -0.
        assert!(data[0]["r"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x[0] == 15)));
        assert!(data[0]["r"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x[0] == 0)));
        assert!(html.contains("x[0]?'-'+x[0]:'0'"));
        // Reduced rows give the same page (left-out observations and evidence details go).
        let slim = report_row(d.clone());
        assert!(slim["data_safety"]["types"][0].get("left_out").is_none());
        assert_eq!(
            slim["data_safety"]["types"][0]["evidence"][0],
            json!({"sdk": "google-crashlytics", "sdk_name": "Google CrashLytics"})
        );
        assert_eq!(html_report(&[slim, rows()[3].clone()]), html);
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc_string(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_string(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc_string(1_795_000_000), "2026-11-18T11:06:40Z");
    }
}
