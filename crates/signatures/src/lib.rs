//! Tracker and library rules (from εxodus and others) and the one-pass matcher.
//!
//! # Design
//!
//! * **Rules** ([`Rule`], [`RuleSet`]) live as reviewable TOML in the repository's
//!   `signatures/` directory (`trackers.toml`, `libraries.toml`; format in
//!   `signatures/README.md`) and are embedded in the binary by [`RuleSet::builtin`].
//!   They are bootstrapped from εxodus (ODbL) and LibRadar/LibScout (Apache-2.0) by the
//!   importers in [`import`], then extended by hand with the evidence kinds εxodus
//!   lacks: manifest names, Gradle version files, native libs, assets, R8-surviving
//!   strings, data APIs.
//! * **Matching** ([`Matcher`]) is compiled once per run. The class prefixes of both
//!   lists form one byte trie walked from the package boundaries of each class name (a
//!   prefix matches only there: `com.dv` never matches `com.dvx`); hosts are matched by
//!   walking the label suffixes of each host through one hash table; strings go through
//!   one Aho-Corasick automaton; regex rules form one `RegexSet` per kind. A scan is one
//!   pass over each input list of [`AppFacts`], independent of the rule count.
//! * **Precision**: εxodus applies `re.search` unanchored where `.` matches any
//!   character; we keep the unanchored part (a prefix may start at any package
//!   boundary, so repackaged copies like `x/y/com/appsflyer/A` still match) but require
//!   package boundaries on both ends. Classes in the app's own package do not count for a
//!   rule whose prefix is the app package or above it (DOV-E's `com.dv` vs app
//!   `com.dv.adm`) unless other evidence for that rule agrees. Hosts shared by several
//!   rules (`facebook.com`) never create a detection alone.
//! * Parser/data types carry no serde: the report layer serializes.
//!
//! Crate choices: `aho-corasick` (multi-pattern automaton for strings; the class prefixes
//! use our own boundary trie instead, since the crate's DFA for them cost ~72 M
//! instructions to build per process, more than a median scan: see `prefix_trie`), `regex` (linear-time `RegexSet`, no backtracking blow-ups on hostile input),
//! `toml` (rule files; used through its `Table` API, no serde derive), `serde_json`
//! (only to read the εxodus JSON). All MIT / Apache-2.0.

//!
//! # Example
//!
//! ```
//! use trackscan_signatures::*;
//!
//! let rules = RuleSet::builtin();
//! assert!(rules.check().is_empty());
//! let matcher = Matcher::new(&rules).expect("built-in rules compile");
//!
//! let classes = [ClassFact { descriptor: "Lcom/appsflyer/AppsFlyerLib;", location: "classes.dex" }];
//! let hosts: Vec<String> = extract_hosts("https://t.appsflyersdk.com/api/v4").collect();
//! let host_facts: Vec<HostFact> =
//!     hosts.iter().map(|h| HostFact { host: h, location: "classes.dex" }).collect();
//! let app = AppFacts {
//!     package: Some("com.example.app"),
//!     classes: &classes,
//!     hosts: &host_facts,
//!     ..AppFacts::default()
//! };
//! let found = matcher.match_trackers(&app);
//! assert_eq!(found.len(), 1);
//! assert_eq!(rules.trackers[found[0].rule].id, "appsflyer");
//! assert_eq!(found[0].confidence, Confidence::High);
//! assert_eq!(found[0].evidence.len(), 2); // the class and the host
//! ```

#![deny(missing_docs)]

mod blob;
mod data_api;
mod data_flow;
mod data_safety;
mod hosts;
pub mod import;
mod matcher;
mod prefix_trie;
mod rule;
mod rule_toml;

pub use data_api::{data_api_category, data_api_class_prefixes, data_uri_category};
pub use data_flow::{EntryPoint, FlowRules};
pub use data_safety::{
    play_data_type_label, play_purpose_label, Collection, Coverage, DataRow, DataSafety,
    DataSafetyError, NoDisclosure, SdkDisclosure, ServiceProvider, Switch, SwitchKind, TypeMapping,
    DATA_SAFETY_FILE, PLAY_DATA_TYPES, PLAY_PURPOSES,
};
pub use hosts::{extract_hosts, normalize_host, sdk_version_from_file};
pub use import::{import_exodus, import_libradar, import_libscout, merge_libraries, ImportError};
pub use matcher::{
    is_platform_domain, AppFacts, ClassFact, Confidence, Detection, Evidence, EvidenceKind,
    HostAttribution, HostFact, ManifestFact, Matcher, StringFact, VersionFile, EVIDENCE_CAP,
    PLATFORM_DOMAINS,
};
pub use rule::{
    builtin_ruleset_id, parse_rules, to_toml, Rule, RuleError, RuleSet, LIBRARIES_FILE,
    TRACKERS_FILE, VERSION_FORMATS,
};
