//! The check for people and dashboards: text, and SARIF 2.1.0 results (one per undeclared
//! type and per sharing mismatch). JSON is the serde form of [`LabelCheck`].

use serde_json::{json, Value};

use crate::check::{LabelCheck, Mismatch, TypeCheck, Verdict};
use crate::observed::evidence_line;

/// At most this many evidence lines per type in the text output (all of them are in JSON).
pub const TEXT_EVIDENCE: usize = 4;

fn mismatch_line(m: &Mismatch) -> String {
    match m {
        Mismatch::SharedNotDeclared { sdks } => format!(
            "declared as not shared, but third parties receive it: {}",
            sdks.join(", ")
        ),
        Mismatch::PurposeNotDeclared { purpose, sdks } => format!(
            "purpose {purpose} stated by the vendor of {} is not declared",
            sdks.join(", ")
        ),
        Mismatch::Other => "a mismatch this version does not know".to_string(),
    }
}

fn type_head(t: &TypeCheck) -> String {
    let label = if t.label.is_empty() {
        String::new()
    } else {
        format!(" ({})", t.label)
    };
    let decl = match &t.declared {
        Some(d) => {
            let mut how = Vec::new();
            if d.collected {
                how.push("collected");
            }
            if d.shared {
                how.push("shared");
            }
            format!(
                "; label: {} (line {})",
                if how.is_empty() {
                    "ticked".to_string()
                } else {
                    how.join(" and ")
                },
                d.line
            )
        }
        None => String::new(),
    };
    let found = if t.sdks.is_empty() {
        String::new()
    } else {
        format!(
            "; found: {}{}",
            t.sdks.join(", "),
            if t.shared { " (shared)" } else { "" }
        )
    };
    format!("{}{label}: {}{decl}{found}", t.data_type, t.verdict.label())
}

/// The check as text. `label_file` names the label (or `None`: no label given).
pub fn text(check: &LabelCheck, app: &str, label_file: Option<&str>) -> String {
    let mut s = String::new();
    match label_file {
        Some(f) => s.push_str(&format!("{app}: Data safety label {f}\n")),
        None => s.push_str(&format!(
            "{app}: no label given; what the SDKs and the app's flows imply\n"
        )),
    }
    let c = |v: Verdict| check.counts.get(v);
    s.push_str(&format!(
        "  {} undeclared, {} consistent, {} declared but not seen, {} possible\n",
        c(Verdict::Undeclared),
        c(Verdict::Consistent),
        c(Verdict::DeclaredNotSeen),
        c(Verdict::Possible)
    ));
    if check.label_collects == Some(false) && c(Verdict::Undeclared) > 0 {
        s.push_str("  the label says the app collects or shares no user data\n");
    }
    for t in &check.types {
        s.push_str(&format!("  {}\n", type_head(t)));
        for m in &t.mismatches {
            s.push_str(&format!("    ! {}\n", mismatch_line(m)));
        }
        for o in t.evidence.iter().take(TEXT_EVIDENCE) {
            s.push_str(&format!("    - {}\n", evidence_line(o)));
        }
        if t.evidence.len() > TEXT_EVIDENCE {
            s.push_str(&format!(
                "    … {} more (JSON has all)\n",
                t.evidence.len() - TEXT_EVIDENCE
            ));
        }
        for l in t.left_out.iter().take(TEXT_EVIDENCE) {
            s.push_str(&format!(
                "    (left out: {} — {})\n",
                evidence_line(&l.observed),
                l.why
            ));
        }
    }
    for sw in &check.switches {
        s.push_str(&format!(
            "  switch: {} {} = {} ({:?}; {})\n",
            sw.sdk, sw.name, sw.value, sw.state, sw.doc
        ));
    }
    for d in &check.dormant {
        s.push_str(&format!("  dormant SDK: {} — {}\n", d.sdk, d.why));
    }
    for a in &check.label_anomalies {
        s.push_str(&format!("  label file: {a}\n"));
    }
    s
}

/// The SARIF rule ids.
pub const RULE_UNDECLARED: &str = "label-undeclared";
/// See [`RULE_UNDECLARED`].
pub const RULE_SHARED: &str = "label-shared-not-declared";

/// SARIF 2.1.0 results of the check: an error per undeclared type, a warning per sharing
/// mismatch, each with its evidence as related locations of `app`.
pub fn sarif(check: &LabelCheck, app: &str) -> Value {
    let mut results = Vec::new();
    for t in &check.types {
        let related: Vec<Value> = t
            .evidence
            .iter()
            .enumerate()
            .map(|(i, o)| {
                json!({"id": i, "physicalLocation": {"artifactLocation": {"uri": app}},
                       "message": {"text": evidence_line(o)}})
            })
            .collect();
        if t.verdict == Verdict::Undeclared {
            results.push(json!({
                "ruleId": RULE_UNDECLARED,
                "level": "error",
                "message": {"text": format!("{} ({}) goes to {} but the Data safety label does not declare it",
                    t.data_type, t.label, t.sdks.join(", "))},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": app}}}],
                "relatedLocations": related,
                "properties": {"data_type": t.data_type, "sdks": t.sdks},
            }));
        }
        for m in &t.mismatches {
            if let Mismatch::SharedNotDeclared { sdks } = m {
                results.push(json!({
                    "ruleId": RULE_SHARED,
                    "level": "warning",
                    "message": {"text": format!("{} is declared as not shared, but third parties receive it: {}",
                        t.data_type, sdks.join(", "))},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": app}}}],
                    "relatedLocations": related,
                    "properties": {"data_type": t.data_type, "sdks": sdks},
                }));
            }
        }
    }
    json!({
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{
            "tool": {"driver": {
                "name": "trackscan",
                "informationUri": "https://example.invalid/trackscan",
                "rules": [
                    {"id": RULE_UNDECLARED, "shortDescription": {"text": "Data type not declared in the Data safety label"}},
                    {"id": RULE_SHARED, "shortDescription": {"text": "Data shared with third parties, declared as not shared"}},
                ],
            }},
            "results": results,
        }],
    })
}
