//! Network Security Config: parse the file the manifest names and compute the effective policy
//! of every domain (rules in the crate documentation).

use trackscan_axml::{Element, Manifest, Value};

use crate::text::{parse_pin_string, PinString};
use crate::{Evidence, Mechanism, PinDigest, PinnedHost};

/// Nesting depth of `domain-config`s followed; deeper ones are an anomaly.
const MAX_NESTING: usize = 32;

/// A `certificates` entry of `trust-anchors`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrustAnchor {
    /// `system`, `user`, or a resource such as `@raw/my_ca` / `res/raw/my_ca.pem`.
    pub src: String,
    /// `overridePins="true"`: this anchor bypasses pins.
    pub override_pins: bool,
}

/// TrustKit-Android's `trustkit-config`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TrustKitConfig {
    /// `enforcePinning`.
    pub enforce_pinning: Option<bool>,
    /// `disableDefaultReportUri`.
    pub disable_default_report_uri: Option<bool>,
    /// `report-uri` children.
    pub report_uris: Vec<String>,
}

/// The effective policy of one NSC domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainPolicy {
    /// The domain name as declared.
    pub domain: String,
    /// `includeSubdomains` of its `<domain>` element.
    pub include_subdomains: bool,
    /// Effective cleartext permission (`None` only when neither the file nor the manifest
    /// allow deciding it).
    pub cleartext_permitted: Option<bool>,
    /// Effective trust anchors.
    pub trust_anchors: Vec<TrustAnchor>,
    /// Effective pins.
    pub pins: Vec<PinDigest>,
    /// Effective TrustKit config.
    pub trustkit: Option<TrustKitConfig>,
    /// Where it is declared: file and element path, e.g.
    /// `res/xml/network_security_config.xml: domain-config[0]/domain-config[1]`.
    pub location: String,
}

/// Result of the NSC stage.
#[derive(Debug, Default)]
pub(crate) struct NscResult {
    pub domains: Vec<DomainPolicy>,
    pub pinned: Vec<PinnedHost>,
    pub cleartext_default: Option<bool>,
    pub cleartext_domains: Vec<String>,
    pub user_cas_trusted: bool,
    pub debug_overrides: bool,
    pub anomalies: Vec<String>,
}

/// Values a config level may set (unset = inherit).
#[derive(Debug, Clone, Default)]
struct Level {
    cleartext: Option<bool>,
    anchors: Option<Vec<TrustAnchor>>,
    pins: Option<Vec<PinDigest>>,
    trustkit: Option<TrustKitConfig>,
}

impl Level {
    /// `self` with unset values taken from `parent`.
    fn inherit(&self, parent: &Level) -> Level {
        Level {
            cleartext: self.cleartext.or(parent.cleartext),
            anchors: self.anchors.clone().or_else(|| parent.anchors.clone()),
            pins: self.pins.clone().or_else(|| parent.pins.clone()),
            trustkit: self.trustkit.clone().or_else(|| parent.trustkit.clone()),
        }
    }
}

fn attr_bool(e: &Element, name: &str) -> Option<bool> {
    let a = e.attr(name)?;
    match &a.value {
        Value::Bool(b) => Some(*b),
        Value::Int(i) => Some(*i != 0),
        Value::String(s) => match s.trim() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn attr_string(e: &Element, name: &str) -> Option<String> {
    e.attr(name).map(|a| a.value.as_string())
}

struct Parser<'f> {
    file: &'f str,
    anomalies: Vec<String>,
    seen_domains: Vec<String>,
    out: Vec<DomainPolicy>,
}

impl Parser<'_> {
    fn note(&mut self, what: String) {
        self.anomalies.push(format!("{}: {what}", self.file));
    }

    /// Reads the values an element sets itself (its direct children).
    fn level(&mut self, e: &Element, path: &str, is_base: bool) -> Level {
        let mut lv = Level {
            cleartext: attr_bool(e, "cleartextTrafficPermitted"),
            ..Level::default()
        };
        if e.attr("cleartextTrafficPermitted").is_some() && lv.cleartext.is_none() {
            self.note(format!(
                "{path}: cleartextTrafficPermitted is not a boolean; ignored"
            ));
        }
        for c in &e.children {
            match c.name.as_str() {
                "trust-anchors" => {
                    if lv.anchors.is_some() {
                        self.note(format!("{path}: more than one trust-anchors (Android rejects this)"));
                        continue;
                    }
                    lv.anchors = Some(self.anchors(c));
                }
                "pin-set" if is_base => self.note(format!(
                    "{path}: pin-set is only allowed in domain-config (Android rejects this); ignored"
                )),
                "pin-set" => {
                    if lv.pins.is_some() {
                        self.note(format!("{path}: more than one pin-set (Android rejects this)"));
                        continue;
                    }
                    lv.pins = Some(self.pin_set(c, path));
                }
                "trustkit-config" => lv.trustkit = Some(trustkit(c)),
                "domain" if is_base => self.note(format!(
                    "{path}: domain is only allowed in domain-config; ignored"
                )),
                "domain" | "domain-config" => {}
                other => self.note(format!("{path}: unknown element <{other}> ignored")),
            }
        }
        lv
    }

    fn anchors(&mut self, e: &Element) -> Vec<TrustAnchor> {
        let mut v = Vec::new();
        for c in e.children_named("certificates") {
            let Some(src) = attr_string(c, "src") else {
                self.note("certificates without src ignored".to_string());
                continue;
            };
            v.push(TrustAnchor {
                src,
                override_pins: attr_bool(c, "overridePins").unwrap_or(false),
            });
        }
        v
    }

    fn pin_set(&mut self, e: &Element, path: &str) -> Vec<PinDigest> {
        let expires = attr_string(e, "expiration");
        let mut pins = Vec::new();
        for p in e.children_named("pin") {
            let alg = attr_string(p, "digest").unwrap_or_default();
            let text = p.text.as_deref().map(str::trim).unwrap_or_default();
            if !alg.eq_ignore_ascii_case("SHA-256") {
                self.note(format!(
                    "{path}: pin digest {alg:?} is not SHA-256 (the only one Android accepts)"
                ));
                continue;
            }
            match parse_pin_string(&format!("sha256/{text}")) {
                Some(PinString::Valid(mut d)) => {
                    d.expires = expires.clone();
                    pins.push(d);
                }
                Some(PinString::Invalid(why)) => self.note(format!("{path}: {why}")),
                None => self.note(format!("{path}: pin {text:?} is not base64")),
            }
        }
        if pins.is_empty() && e.children_named("pin").next().is_none() {
            self.note(format!("{path}: empty pin-set"));
        }
        pins
    }

    fn domain_config(&mut self, e: &Element, parent: &Level, path: String, depth: usize) {
        if depth > MAX_NESTING {
            self.note(format!(
                "{path}: domain-config nested deeper than {MAX_NESTING}; ignored"
            ));
            return;
        }
        let own = self.level(e, &path, false);
        let eff = own.inherit(parent);
        let mut any_domain = false;
        for d in e.children_named("domain") {
            let name = d.text.as_deref().map(str::trim).unwrap_or_default();
            if name.is_empty() {
                self.note(format!("{path}: empty <domain>"));
                continue;
            }
            any_domain = true;
            let lower = name.to_ascii_lowercase();
            if self.seen_domains.contains(&lower) {
                self.note(format!(
                    "{path}: domain {name} declared twice (Android rejects this); first kept"
                ));
                continue;
            }
            self.seen_domains.push(lower);
            self.out.push(DomainPolicy {
                domain: name.to_string(),
                include_subdomains: attr_bool(d, "includeSubdomains").unwrap_or(false),
                cleartext_permitted: eff.cleartext,
                trust_anchors: eff.anchors.clone().unwrap_or_default(),
                pins: eff.pins.clone().unwrap_or_default(),
                trustkit: eff.trustkit.clone(),
                location: format!("{}: {path}", self.file),
            });
        }
        if !any_domain {
            self.note(format!(
                "{path}: domain-config without a domain (Android rejects this)"
            ));
        }
        for (i, c) in e.children_named("domain-config").enumerate() {
            self.domain_config(c, &eff, format!("{path}/domain-config[{i}]"), depth + 1);
        }
    }
}

fn trustkit(e: &Element) -> TrustKitConfig {
    TrustKitConfig {
        enforce_pinning: attr_bool(e, "enforcePinning"),
        disable_default_report_uri: attr_bool(e, "disableDefaultReportUri"),
        report_uris: e
            .children_named("report-uri")
            .filter_map(|r| r.text.as_deref().map(|t| t.trim().to_string()))
            .filter(|t| !t.is_empty())
            .collect(),
    }
}

/// Platform defaults by targetSdk (see the crate documentation, rule 1).
fn platform_defaults(target_sdk: u32) -> Level {
    let mut anchors = vec![TrustAnchor {
        src: "system".into(),
        override_pins: false,
    }];
    if target_sdk <= 23 {
        anchors.push(TrustAnchor {
            src: "user".into(),
            override_pins: false,
        });
    }
    Level {
        cleartext: Some(target_sdk < 28),
        anchors: Some(anchors),
        pins: None,
        trustkit: None,
    }
}

fn trusts_user(anchors: &[TrustAnchor]) -> bool {
    anchors.iter().any(|a| a.src == "user")
}

/// Finds the NSC file: the manifest's resolved path, or (without a manifest) the conventional
/// `res/xml/network_security_config.xml`.
fn locate<'f>(
    manifest: Option<&Manifest>,
    files: &'f [(String, &'f [u8])],
    anomalies: &mut Vec<String>,
) -> Option<(&'f str, &'f [u8])> {
    let find = |p: &str| {
        files
            .iter()
            .find(|(n, _)| n == p)
            .map(|(n, b)| (n.as_str(), *b))
    };
    match manifest {
        Some(m) => {
            let path = m.application.network_security_config.as_deref()?;
            let found = find(path);
            if found.is_none() {
                if path.starts_with('@') {
                    anomalies.push(format!(
                        "AndroidManifest.xml: networkSecurityConfig {path} could not be resolved to a file"
                    ));
                } else {
                    anomalies.push(format!(
                        "AndroidManifest.xml: networkSecurityConfig names {path}, which is not in the app"
                    ));
                }
            }
            found
        }
        None => {
            let f = find("res/xml/network_security_config.xml");
            if f.is_some() {
                anomalies.push(
                    "no manifest: assuming res/xml/network_security_config.xml is the app's Network Security Config"
                        .to_string(),
                );
            }
            f
        }
    }
}

/// Runs the NSC stage.
pub(crate) fn analyze(manifest: Option<&Manifest>, files: &[(String, &[u8])]) -> NscResult {
    let mut r = NscResult::default();
    let target = manifest.map(|m| m.target_sdk.or(m.min_sdk).unwrap_or(1));
    let platform = target.map(platform_defaults).unwrap_or_default();

    let Some((file, bytes)) = locate(manifest, files, &mut r.anomalies) else {
        // No NSC: manifest flag, else platform default.
        let cleartext = manifest
            .and_then(|m| m.application.uses_cleartext_traffic)
            .or(platform.cleartext);
        r.cleartext_default = cleartext;
        r.user_cas_trusted = platform.anchors.as_deref().is_some_and(trusts_user);
        return r;
    };

    let doc = match trackscan_axml::parse_any(bytes) {
        Ok(d) => d,
        Err(e) => {
            r.anomalies.push(format!("{file}: not parseable XML: {e}"));
            r.cleartext_default = platform.cleartext;
            r.user_cas_trusted = platform.anchors.as_deref().is_some_and(trusts_user);
            return r;
        }
    };
    r.anomalies
        .extend(doc.anomalies.iter().map(|a| format!("{file}: {a}")));
    let Some(root) = doc.root.as_ref() else {
        r.anomalies.push(format!("{file}: no root element"));
        return r;
    };
    if root.name != "network-security-config" {
        r.anomalies.push(format!(
            "{file}: root element is <{}>, not <network-security-config>",
            root.name
        ));
    }

    let mut p = Parser {
        file,
        anomalies: Vec::new(),
        seen_domains: Vec::new(),
        out: Vec::new(),
    };
    let mut bases = root.children_named("base-config");
    let base_own = match bases.next() {
        Some(b) => p.level(b, "base-config", true),
        None => Level::default(),
    };
    if bases.next().is_some() {
        p.note("more than one base-config (Android rejects this); the first is used".into());
    }
    let base = base_own.inherit(&platform);
    for (i, dc) in root.children_named("domain-config").enumerate() {
        p.domain_config(dc, &base, format!("domain-config[{i}]"), 0);
    }
    if let Some(dbg) = root.children_named("debug-overrides").next() {
        r.debug_overrides = true;
        let _ = p.level(dbg, "debug-overrides", true);
    }
    for c in &root.children {
        if !matches!(
            c.name.as_str(),
            "base-config" | "domain-config" | "debug-overrides"
        ) {
            p.note(format!("unknown element <{}> ignored", c.name));
        }
    }

    r.cleartext_default = base.cleartext;
    r.user_cas_trusted = base.anchors.as_deref().is_some_and(trusts_user)
        || p.out.iter().any(|d| trusts_user(&d.trust_anchors));
    let mut clear: Vec<String> = p
        .out
        .iter()
        .filter(|d| d.cleartext_permitted == Some(true))
        .map(|d| d.domain.clone())
        .collect();
    clear.sort();
    clear.dedup();
    r.cleartext_domains = clear;

    for d in &p.out {
        if d.pins.is_empty() && d.trustkit.is_none() {
            continue;
        }
        let mechanism = if d.trustkit.is_some() {
            Mechanism::TrustKit
        } else {
            Mechanism::Nsc
        };
        let mut evidence: Vec<Evidence> =
            vec![("nsc_domain".into(), d.domain.clone(), d.location.clone())];
        if let Some(exp) = d.pins.first().and_then(|p| p.expires.clone()) {
            evidence.push(("pin_set_expiration".into(), exp, file.to_string()));
        }
        if let Some(tk) = &d.trustkit {
            let mut v = Vec::new();
            if let Some(b) = tk.enforce_pinning {
                v.push(format!("enforcePinning={b}"));
            }
            if let Some(b) = tk.disable_default_report_uri {
                v.push(format!("disableDefaultReportUri={b}"));
            }
            v.extend(tk.report_uris.iter().map(|u| format!("report-uri={u}")));
            evidence.push(("trustkit_config".into(), v.join(" "), file.to_string()));
        }
        for a in d.trust_anchors.iter().filter(|a| a.override_pins) {
            evidence.push(("override_pins".into(), a.src.clone(), d.location.clone()));
        }
        r.pinned.push(PinnedHost {
            host: d.domain.clone(),
            include_subdomains: d.include_subdomains,
            pins: d.pins.clone(),
            mechanism,
            evidence,
            override_pins: d.trust_anchors.iter().any(|a| a.override_pins),
        });
    }
    r.domains = p.out;
    r.anomalies.append(&mut p.anomalies);
    r
}

/// Domains trusting only bundled certificates (crate documentation, rule 7).
pub(crate) fn bundled_anchor_pins(
    domains: &[DomainPolicy],
    bundled: &[crate::BundledCert],
) -> Vec<PinnedHost> {
    let mut out = Vec::new();
    for d in domains {
        if d.trust_anchors.is_empty()
            || d.trust_anchors
                .iter()
                .any(|a| a.src == "system" || a.src == "user")
        {
            continue;
        }
        let mut pins = Vec::new();
        let mut evidence: Vec<Evidence> = Vec::new();
        for a in &d.trust_anchors {
            let Some(name) = a.src.strip_prefix("@raw/") else {
                continue;
            };
            for b in bundled.iter().filter(|b| {
                b.file
                    .strip_prefix("res/raw/")
                    .is_some_and(|f| f.split('.').next() == Some(name))
            }) {
                evidence.push((
                    "nsc_trust_anchor".into(),
                    b.file.clone(),
                    d.location.clone(),
                ));
                if let Some(spki) = &b.spki_sha256 {
                    pins.push(PinDigest {
                        algorithm: "sha256".into(),
                        digest: spki.clone(),
                        expires: None,
                        matches_bundled_cert: Some(b.file.clone()),
                    });
                }
            }
        }
        if evidence.is_empty() {
            continue;
        }
        out.push(PinnedHost {
            host: d.domain.clone(),
            include_subdomains: d.include_subdomains,
            pins,
            mechanism: Mechanism::BundledCert,
            evidence,
            override_pins: d.trust_anchors.iter().any(|a| a.override_pins),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackscan_fixtures::axml::{write, AttrValue, Node, Options};

    const NSC: &str = "res/xml/network_security_config.xml";
    const P1: &str = "2kOi4HdYYsvTR1sTIR7RHwlf2SescTrpza9ZrWy7poQ=";
    const P2: &str = "0SDf3cRToyZJaMsoS17oF72VMavLxj/N7WBNasNuiR8=";

    fn manifest(target: Option<u32>, nsc: bool, cleartext: Option<bool>) -> Manifest {
        let mut m = Manifest {
            target_sdk: target,
            ..Manifest::default()
        };
        m.application.uses_cleartext_traffic = cleartext;
        if nsc {
            m.application.network_security_config = Some(NSC.to_string());
        }
        m
    }

    fn run(m: &Manifest, xml: &str) -> NscResult {
        let files = vec![(NSC.to_string(), xml.as_bytes())];
        analyze(Some(m), &files)
    }

    fn dom<'r>(r: &'r NscResult, d: &str) -> &'r DomainPolicy {
        r.domains
            .iter()
            .find(|x| x.domain == d)
            .expect("domain present")
    }

    #[test]
    fn platform_defaults_by_target_sdk_without_nsc() {
        let files: Vec<(String, &[u8])> = Vec::new();
        let r = analyze(Some(&manifest(Some(27), false, None)), &files);
        assert_eq!(
            (r.cleartext_default, r.user_cas_trusted),
            (Some(true), false)
        );
        let r = analyze(Some(&manifest(Some(28), false, None)), &files);
        assert_eq!(
            (r.cleartext_default, r.user_cas_trusted),
            (Some(false), false)
        );
        let r = analyze(Some(&manifest(Some(23), false, None)), &files);
        assert_eq!(
            (r.cleartext_default, r.user_cas_trusted),
            (Some(true), true)
        );
        let r = analyze(Some(&manifest(Some(24), false, None)), &files);
        assert!(!r.user_cas_trusted);
        // No targetSdk at all: Android's default is 1.
        let r = analyze(Some(&manifest(None, false, None)), &files);
        assert_eq!(
            (r.cleartext_default, r.user_cas_trusted),
            (Some(true), true)
        );
        // The manifest flag decides when there is no NSC.
        let r = analyze(Some(&manifest(Some(30), false, Some(true))), &files);
        assert_eq!(r.cleartext_default, Some(true));
        let r = analyze(Some(&manifest(Some(21), false, Some(false))), &files);
        assert_eq!(r.cleartext_default, Some(false));
        // No manifest: unknown.
        let r = analyze(None, &files);
        assert_eq!((r.cleartext_default, r.user_cas_trusted), (None, false));
        assert!(r.anomalies.is_empty());
    }

    #[test]
    fn inheritance_base_domain_nested() {
        let xml = format!(
            r#"<network-security-config>
  <base-config cleartextTrafficPermitted="true">
    <trust-anchors><certificates src="system"/></trust-anchors>
  </base-config>
  <domain-config cleartextTrafficPermitted="false">
    <domain includeSubdomains="true">example.com</domain>
    <pin-set expiration="2030-01-01"><pin digest="SHA-256">{P1}</pin></pin-set>
    <domain-config>
      <domain>api.example.com</domain>
      <trust-anchors><certificates src="@raw/my_ca" overridePins="true"/></trust-anchors>
    </domain-config>
    <domain-config cleartextTrafficPermitted="true">
      <domain>legacy.example.com</domain>
      <pin-set><pin digest="SHA-256">{P2}</pin></pin-set>
    </domain-config>
  </domain-config>
  <domain-config><domain>plain.example.org</domain></domain-config>
</network-security-config>"#
        );
        // Manifest flag is ignored when an NSC exists.
        let r = run(&manifest(Some(30), true, Some(false)), &xml);
        assert!(r.anomalies.is_empty(), "{:?}", r.anomalies);
        assert_eq!(r.cleartext_default, Some(true));

        let ex = dom(&r, "example.com");
        assert!(ex.include_subdomains);
        assert_eq!(ex.cleartext_permitted, Some(false));
        assert_eq!(ex.pins.len(), 1);
        assert_eq!(ex.pins[0].digest, P1);
        assert_eq!(ex.pins[0].expires.as_deref(), Some("2030-01-01"));
        assert_eq!(
            ex.trust_anchors,
            [TrustAnchor {
                src: "system".into(),
                override_pins: false
            }]
        );

        // Nested: inherits pins and cleartext from the parent, replaces anchors.
        let api = dom(&r, "api.example.com");
        assert!(!api.include_subdomains);
        assert_eq!(api.cleartext_permitted, Some(false));
        assert_eq!(api.pins, ex.pins);
        assert_eq!(
            api.trust_anchors,
            [TrustAnchor {
                src: "@raw/my_ca".into(),
                override_pins: true
            }]
        );

        // Nested with its own pin-set (no expiration) and cleartext.
        let legacy = dom(&r, "legacy.example.com");
        assert_eq!(legacy.cleartext_permitted, Some(true));
        assert_eq!(legacy.pins.len(), 1);
        assert_eq!(
            (
                legacy.pins[0].digest.as_str(),
                legacy.pins[0].expires.as_ref()
            ),
            (P2, None)
        );
        assert!(legacy
            .location
            .ends_with("domain-config[0]/domain-config[1]"));

        // Top-level without values: from base-config.
        let plain = dom(&r, "plain.example.org");
        assert_eq!(plain.cleartext_permitted, Some(true));
        assert!(plain.pins.is_empty());

        assert_eq!(
            r.cleartext_domains,
            ["legacy.example.com", "plain.example.org"]
        );
        assert!(!r.user_cas_trusted);

        let hosts: Vec<(&str, bool, usize, bool)> = r
            .pinned
            .iter()
            .map(|p| {
                (
                    p.host.as_str(),
                    p.include_subdomains,
                    p.pins.len(),
                    p.override_pins,
                )
            })
            .collect();
        assert_eq!(
            hosts,
            [
                ("example.com", true, 1, false),
                ("api.example.com", false, 1, true),
                ("legacy.example.com", false, 1, false),
            ]
        );
        assert!(r.pinned.iter().all(|p| p.mechanism == Mechanism::Nsc));
    }

    #[test]
    fn cleartext_defaults_by_target_with_nsc() {
        let xml = "<network-security-config><domain-config><domain>a.example.com</domain></domain-config></network-security-config>";
        let r = run(&manifest(Some(27), true, Some(false)), xml);
        assert_eq!(r.cleartext_default, Some(true));
        assert_eq!(dom(&r, "a.example.com").cleartext_permitted, Some(true));
        assert_eq!(r.cleartext_domains, ["a.example.com"]);
        let r = run(&manifest(Some(28), true, Some(true)), xml);
        assert_eq!(r.cleartext_default, Some(false));
        assert!(r.cleartext_domains.is_empty());
        // targetSdk 23: user CAs by default, inherited by the domain.
        let r = run(&manifest(Some(23), true, None), xml);
        assert!(r.user_cas_trusted);
        assert!(dom(&r, "a.example.com")
            .trust_anchors
            .iter()
            .any(|a| a.src == "user"));
    }

    #[test]
    fn user_cas_and_debug_overrides() {
        let debug_only = r#"<network-security-config>
  <debug-overrides><trust-anchors><certificates src="user"/></trust-anchors></debug-overrides>
</network-security-config>"#;
        let r = run(&manifest(Some(30), true, None), debug_only);
        assert!(r.debug_overrides);
        assert!(!r.user_cas_trusted);

        let release = r#"<network-security-config>
  <domain-config><domain>x.example.com</domain>
    <trust-anchors><certificates src="system"/><certificates src="user"/></trust-anchors>
  </domain-config>
</network-security-config>"#;
        let r = run(&manifest(Some(30), true, None), release);
        assert!(r.user_cas_trusted);
        assert!(!r.debug_overrides);

        let base = r#"<network-security-config><base-config><trust-anchors><certificates src="user"/></trust-anchors></base-config></network-security-config>"#;
        assert!(run(&manifest(Some(30), true, None), base).user_cas_trusted);
    }

    #[test]
    fn trustkit_config_is_inherited() {
        let xml = format!(
            r#"<network-security-config>
  <domain-config>
    <domain>tk.example.com</domain>
    <pin-set><pin digest="SHA-256">{P1}</pin><pin digest="SHA-256">{P2}</pin></pin-set>
    <trustkit-config enforcePinning="true" disableDefaultReportUri="false">
      <report-uri>https://report.example.com/r</report-uri>
    </trustkit-config>
    <domain-config><domain>sub.tk.example.com</domain></domain-config>
  </domain-config>
</network-security-config>"#
        );
        let r = run(&manifest(Some(30), true, None), &xml);
        assert!(r.anomalies.is_empty(), "{:?}", r.anomalies);
        assert_eq!(r.pinned.len(), 2);
        for p in &r.pinned {
            assert_eq!(p.mechanism, Mechanism::TrustKit);
            assert_eq!(p.pins.len(), 2);
            assert!(p.evidence.iter().any(|(k, v, l)| k == "trustkit_config"
                && v == "enforcePinning=true disableDefaultReportUri=false report-uri=https://report.example.com/r"
                && l == NSC));
        }
        let tk = dom(&r, "sub.tk.example.com").trustkit.clone().unwrap();
        assert_eq!(tk.report_uris, ["https://report.example.com/r"]);
    }

    #[test]
    fn bad_input_becomes_anomalies() {
        let xml = r#"<network-security-config>
  <base-config><pin-set><pin digest="SHA-256">AAAA</pin></pin-set></base-config>
  <base-config/>
  <domain-config>
    <domain>bad.example.com</domain>
    <pin-set>
      <pin digest="SHA-256">AAAA</pin>
      <pin digest="SHA-1">AAAAAAAAAAAAAAAAAAAAAAAAAAA=</pin>
      <pin digest="SHA-256">not base64!</pin>
      <pin digest="SHA-256">AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=</pin>
    </pin-set>
  </domain-config>
  <domain-config><domain>bad.example.com</domain></domain-config>
  <domain-config/>
  <whatever/>
</network-security-config>"#;
        let r = run(&manifest(Some(30), true, None), xml);
        let a = r.anomalies.join("\n");
        for needle in [
            "base-config: pin-set is only allowed in domain-config",
            "more than one base-config",
            "sha256 digest is 3 bytes, expected 32",
            "pin digest \"SHA-1\" is not SHA-256",
            "pin \"not base64!\" is not base64",
            "domain bad.example.com declared twice",
            "domain-config[2]: domain-config without a domain",
            "unknown element <whatever> ignored",
        ] {
            assert!(a.contains(needle), "missing {needle:?} in\n{a}");
        }
        assert!(r.anomalies.iter().all(|x| x.starts_with(NSC)));
        // The valid pin still counts.
        assert_eq!(r.pinned.len(), 1);
        assert_eq!(r.pinned[0].pins.len(), 1);

        // Not XML at all / missing file / unresolved reference.
        let r = run(&manifest(Some(30), true, None), "\u{0}\u{1}garbage");
        assert!(
            r.anomalies.iter().any(|x| x.starts_with(NSC)),
            "{:?}",
            r.anomalies
        );
        assert_eq!(r.cleartext_default, Some(false));
        let r = run(
            &manifest(Some(30), true, None),
            "<network-security-config><domain-config>",
        );
        assert!(
            r.anomalies.iter().any(|x| x.starts_with(NSC)),
            "{:?}",
            r.anomalies
        );
        let mut m = manifest(Some(30), false, None);
        m.application.network_security_config = Some("@0x7f0f0001".into());
        let r = analyze(Some(&m), &[]);
        assert_eq!(
            r.anomalies,
            ["AndroidManifest.xml: networkSecurityConfig @0x7f0f0001 could not be resolved to a file"]
        );
    }

    #[test]
    fn bundled_trust_anchor_only() {
        let xml = r#"<network-security-config>
  <domain-config><domain>ca.example.com</domain>
    <trust-anchors><certificates src="@raw/my_ca"/></trust-anchors></domain-config>
  <domain-config><domain>both.example.com</domain>
    <trust-anchors><certificates src="@raw/my_ca"/><certificates src="system"/></trust-anchors></domain-config>
</network-security-config>"#;
        let der = crate::test_util::test_cert_der();
        let files = vec![
            (NSC.to_string(), xml.as_bytes()),
            ("res/raw/my_ca.der".to_string(), der.as_slice()),
        ];
        let m = manifest(Some(30), true, None);
        let r = crate::analyze(&crate::PinningInput {
            manifest: Some(&m),
            files: &files,
            index: &crate::test_util::index_of(&trackscan_fixtures::dex::DexBuilder::new().build()),
            native_strings: &[],
        });
        assert_eq!(r.pins.len(), 1, "{:?}", r.pins);
        let p = &r.pins[0];
        assert_eq!(
            (p.host.as_str(), p.mechanism),
            ("ca.example.com", Mechanism::BundledCert)
        );
        assert_eq!(p.pins[0].digest, crate::test_util::TEST_CERT_SPKI);
        assert_eq!(
            p.pins[0].matches_bundled_cert.as_deref(),
            Some("res/raw/my_ca.der")
        );
    }

    #[test]
    fn binary_axml_config() {
        let root = Node::new("network-security-config").child(
            Node::new("domain-config")
                .plain("cleartextTrafficPermitted", AttrValue::Bool(false))
                .child({
                    let mut d =
                        Node::new("domain").plain("includeSubdomains", AttrValue::Bool(true));
                    d.text = Some("bin.example.com".into());
                    d
                })
                .child(
                    Node::new("pin-set")
                        .plain("expiration", AttrValue::String("2099-12-31".into()))
                        .child({
                            let mut p = Node::new("pin")
                                .plain("digest", AttrValue::String("SHA-256".into()));
                            p.text = Some(P1.into());
                            p
                        }),
                ),
        );
        let bytes = write(&root, &Options::default());
        let files = vec![(NSC.to_string(), bytes.as_slice())];
        let r = analyze(Some(&manifest(Some(26), true, None)), &files);
        assert!(r.anomalies.is_empty(), "{:?}", r.anomalies);
        let d = dom(&r, "bin.example.com");
        assert!(d.include_subdomains);
        assert_eq!(d.cleartext_permitted, Some(false));
        assert_eq!(d.pins[0].expires.as_deref(), Some("2099-12-31"));
        assert_eq!(r.cleartext_default, Some(true));
    }

    #[test]
    fn no_manifest_falls_back_to_conventional_name() {
        let xml = format!("<network-security-config><domain-config><domain>n.example.com</domain><pin-set><pin digest=\"SHA-256\">{P1}</pin></pin-set></domain-config></network-security-config>");
        let files = vec![(NSC.to_string(), xml.as_bytes())];
        let r = analyze(None, &files);
        assert_eq!(r.pinned.len(), 1);
        assert_eq!(r.anomalies.len(), 1);
        assert!(r.anomalies[0].starts_with("no manifest"));
    }
}
