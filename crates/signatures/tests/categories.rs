//! Every built-in tracker rule has a category (issue #18 item 3: an uncategorised tracker is
//! scored as "other" and tells the reader nothing), categories come from one small vocabulary,
//! and a category given by hand survives a re-import from εxodus.

use trackscan_signatures::import::update_from_exodus;
use trackscan_signatures::{Rule, RuleSet};

/// εxodus' six categories, plus two for SDKs whose documented purpose is none of them.
const VOCABULARY: &[&str] = &[
    "Advertisement",
    "Analytics",
    "Crash reporting",
    "Identification",
    "Location",
    "Profiling",
    "Messaging",
    "Social",
];

#[test]
fn every_tracker_rule_has_a_known_category() {
    let rules = RuleSet::builtin();
    assert!(rules.trackers.len() > 400, "built-in tracker rules");
    let uncategorised: Vec<&str> = rules
        .trackers
        .iter()
        .filter(|r| r.categories.is_empty())
        .map(|r| r.id.as_str())
        .collect();
    assert!(uncategorised.is_empty(), "no category: {uncategorised:?}");
    let unknown: Vec<(String, String)> = rules
        .trackers
        .iter()
        .flat_map(|r| r.categories.iter().map(move |c| (r.id.clone(), c.clone())))
        .filter(|(_, c)| !VOCABULARY.contains(&c.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "categories outside {VOCABULARY:?}: {unknown:?}"
    );
    // A category εxodus does not use is ours: the note says where it comes from.
    for r in &rules.trackers {
        if r.categories
            .iter()
            .any(|c| c == "Messaging" || c == "Social")
        {
            assert!(
                r.note
                    .as_deref()
                    .is_some_and(|n| n.contains("documented purpose")),
                "{}: category {:?} without a note citing its purpose",
                r.id,
                r.categories
            );
        }
    }
}

#[test]
fn hand_given_categories_survive_a_reimport() {
    let existing = Rule {
        id: "onesignal".into(),
        exodus_id: Some(193),
        name: "OneSignal".into(),
        categories: vec!["Messaging".into()],
        code: vec!["com.onesignal".into()],
        ..Rule::default()
    };
    let imported = Rule {
        categories: Vec::new(),
        ..existing.clone()
    };
    let out = update_from_exodus(std::slice::from_ref(&existing), vec![imported]);
    assert_eq!(out[0].categories, ["Messaging"]);
    // εxodus' own categories, when it has some, win.
    let imported = Rule {
        categories: vec!["Analytics".into()],
        ..existing.clone()
    };
    let out = update_from_exodus(std::slice::from_ref(&existing), vec![imported]);
    assert_eq!(out[0].categories, ["Analytics"]);
}
