//! SARIF 2.1.0 output: one rule per detected tracker, one result per tracker
//! with its evidence as locations.

use serde_json::{json, Value};

use crate::util::{arr, opt_str, str_of, strs, tracker_key};

/// At most this many evidence locations per result (the rest are counted in
/// the result's `properties.evidence_omitted`).
pub const MAX_LOCATIONS: usize = 50;

/// The SARIF rule id of the hidden-code note.
pub const HIDDEN_RULE: &str = "hidden-code";

/// A SARIF 2.1.0 log for one per-app document.
pub fn sarif(doc: &Value) -> Value {
    let file = str_of(doc, "file");
    let mut rules = Vec::new();
    let mut results = Vec::new();
    for (index, t) in arr(doc, "trackers").iter().enumerate() {
        let id = tracker_key(t);
        let name = opt_str(t, "name").unwrap_or(id);
        let cats: Vec<&str> = strs(t, "categories").collect();
        let mut rule = json!({
            "id": id,
            "name": name,
            "shortDescription": {"text": format!("Tracker SDK {name}")},
            "fullDescription": {"text": format!("The app embeds the {name} tracker SDK (categories: {}).",
                if cats.is_empty() { "none".to_string() } else { cats.join(", ") })},
            "properties": {"tags": cats, "exodus_id": t.get("exodus_id").cloned().unwrap_or(Value::Null)},
        });
        if let (Some(w), Some(obj)) = (opt_str(t, "website"), rule.as_object_mut()) {
            obj.insert("helpUri".into(), json!(w));
        }
        rules.push(rule);
        let evidence = arr(t, "evidence");
        let locations: Vec<Value> = evidence
            .iter()
            .take(MAX_LOCATIONS)
            .map(|e| {
                let mut loc = json!({
                    "physicalLocation": {"artifactLocation": {"uri": file}},
                    "message": {"text": format!("{}: {}", str_of(e, "kind"), str_of(e, "value"))},
                });
                let l = str_of(e, "location");
                if let (false, Some(obj)) = (l.is_empty(), loc.as_object_mut()) {
                    obj.insert(
                        "logicalLocations".into(),
                        json!([{"fullyQualifiedName": l, "kind": "module"}]),
                    );
                }
                loc
            })
            .collect();
        let confidence = str_of(t, "confidence");
        let level = if confidence == "high" {
            "warning"
        } else {
            "note"
        };
        let version = opt_str(t, "sdk_version")
            .map(|v| format!(" {v}"))
            .unwrap_or_default();
        results.push(json!({
            "ruleId": id,
            "ruleIndex": index,
            "level": level,
            "message": {"text": format!("{name}{version} detected ({} confidence): {}",
                if confidence.is_empty() { "unknown" } else { confidence }, str_of(t, "reason"))},
            "locations": locations,
            "properties": {
                "confidence": confidence,
                "evidence_omitted": evidence.len().saturating_sub(MAX_LOCATIONS),
                "categories": cats,
            },
        }));
    }
    // Hidden code: one note-level result, so a dashboard does not read "no results" as clean.
    if let Some(h) = doc.get("hidden") {
        let level = str_of(h, "level");
        if !level.is_empty() && level != "none" {
            let coverage: Vec<&str> = strs(h, "coverage").collect();
            rules.push(json!({
                "id": HIDDEN_RULE,
                "name": "HiddenCode",
                "shortDescription": {"text": "Part of the app's code is hidden from the scan"},
                "fullDescription": {"text": "Renamed classes, encrypted strings or packed code: the findings cover only the readable code."},
            }));
            results.push(json!({
                "ruleId": HIDDEN_RULE,
                "ruleIndex": rules.len() - 1,
                "level": "note",
                "message": {"text": format!("Hidden code ({level}): {}", coverage.join("; "))},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": file}}}],
                "properties": {"hidden_level": level},
            }));
        }
    }
    let mut artifact = json!({"location": {"uri": file}});
    if let (Some(sha), Some(obj)) = (opt_str(doc, "sha256"), artifact.as_object_mut()) {
        obj.insert("hashes".into(), json!({"sha-256": sha}));
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "trackscan",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/trackscan",
                "rules": rules,
            }},
            "artifacts": [artifact],
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rule_and_result_per_tracker() {
        let ev: Vec<Value> = (0..60)
            .map(|i| json!({"kind": "class", "value": format!("Lcom/ads/C{i};"), "location": "classes.dex"}))
            .collect();
        let doc = json!({"file": "x.apk", "sha256": "ab", "trackers": [
            {"id": "admob", "name": "AdMob", "categories": ["Advertisement"], "confidence": "high",
             "website": "https://ads.example", "evidence": ev, "reason": "classes"},
            {"id": "crash", "name": "Crash", "confidence": "low"}]});
        let s = sarif(&doc);
        assert_eq!(s["version"], "2.1.0");
        let run = &s["runs"][0];
        assert_eq!(
            run["tool"]["driver"]["rules"].as_array().map(Vec::len),
            Some(2)
        );
        assert_eq!(
            run["tool"]["driver"]["rules"][0]["helpUri"],
            "https://ads.example"
        );
        let results = run["results"].as_array().cloned().unwrap_or_default();
        assert_eq!(results.len(), 2);
        assert_eq!(results[0]["ruleId"], "admob");
        assert_eq!(results[0]["level"], "warning");
        assert_eq!(results[1]["level"], "note");
        assert_eq!(
            results[0]["locations"].as_array().map(Vec::len),
            Some(MAX_LOCATIONS)
        );
        assert_eq!(results[0]["properties"]["evidence_omitted"], 10);
        assert_eq!(
            results[0]["locations"][0]["message"]["text"],
            "class: Lcom/ads/C0;"
        );
        assert_eq!(run["artifacts"][0]["hashes"]["sha-256"], "ab");
        let hidden = sarif(&json!({"file": "h.apk", "hidden": {"level": "heavy",
            "coverage": ["code packed (Jiagu): the real code is not in the APK's DEX; findings cover the loader only"]}}));
        let r = &hidden["runs"][0]["results"][0];
        assert_eq!(
            (r["ruleId"].as_str(), r["level"].as_str()),
            (Some(HIDDEN_RULE), Some("note"))
        );
        assert!(r["message"]["text"]
            .as_str()
            .unwrap_or("")
            .starts_with("Hidden code (heavy): code packed"));
        let none = sarif(&json!({"hidden": {"level": "none", "coverage": []}}));
        assert_eq!(none["runs"][0]["results"].as_array().map(Vec::len), Some(0));
        let empty = sarif(&json!({}));
        assert_eq!(
            empty["runs"][0]["results"].as_array().map(Vec::len),
            Some(0)
        );
    }
}
