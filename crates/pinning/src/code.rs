//! Detectors over the DEX code index: OkHttp pins, pinning trust managers, bundled-keystore
//! loading, and weakened transport (trust-all managers, allow-all hostname verifiers, WebView
//! SSL errors ignored).

use std::collections::{BTreeSet, HashSet};

use trackscan_dex::{BodyKind, ClassRef, CodeIndex, MethodRef, RefKind};

use crate::text::{host_in, parse_bare_digest, parse_pin_string, PinString};
use crate::{
    BundledCert, BundledKind, Evidence, Mechanism, PinDigest, PinnedHost, MAX_HIERARCHY_DEPTH,
    UNKNOWN_HOST,
};

const X509_TM: &str = "Ljavax/net/ssl/X509TrustManager;";
const X509_EXT_TM: &str = "Ljavax/net/ssl/X509ExtendedTrustManager;";
const HOSTNAME_VERIFIER: &str = "Ljavax/net/ssl/HostnameVerifier;";
const WEBVIEW_CLIENT: &str = "Landroid/webkit/WebViewClient;";
const OKHTTP_PINNERS: &[&str] = &[
    "Lokhttp3/CertificatePinner",
    "Lcom/squareup/okhttp/CertificatePinner",
];
/// Libraries whose pinning code is configured elsewhere (TrustKit reads the NSC, reported by
/// that mechanism): their trust managers and keystore loaders are not reported again.
const TM_LIBRARIES_ELSEWHERE: &[&str] = &["Lcom/datatheorem/android/trustkit/"];
/// Most hierarchy nodes visited for one class.
const MAX_HIERARCHY_NODES: usize = 256;

/// Result of the code stage.
#[derive(Debug, Default)]
pub(crate) struct CodeResult {
    pub pinned: Vec<PinnedHost>,
    pub insecure_trust_managers: Vec<String>,
    pub insecure_hostname_verifiers: Vec<String>,
    pub webview_ssl_errors_ignored: Vec<String>,
    pub anomalies: Vec<String>,
}

fn location(class: &ClassRef, m: &MethodRef) -> String {
    format!(
        "{}: {}->{}{}",
        class.dex_file(),
        class.descriptor(),
        m.name(),
        m.proto()
    )
}

/// Whether `class` has `targets` among its supertypes (superclasses and interfaces, followed
/// through app classes up to [`MAX_HIERARCHY_DEPTH`] levels; cycles stop there too).
pub(crate) fn inherits(index: &CodeIndex, class: &ClassRef, targets: &[&str]) -> bool {
    let mut seen: HashSet<String> = HashSet::new();
    let mut level: Vec<String> = vec![class.descriptor().to_string()];
    for _ in 0..MAX_HIERARCHY_DEPTH {
        let mut next = Vec::new();
        for d in &level {
            let Some(c) = index.class(d) else { continue };
            let mut supers = c.interfaces();
            if let Some(s) = c.superclass() {
                supers.push(s);
            }
            for s in supers {
                if targets.contains(&s.as_ref()) {
                    return true;
                }
                if seen.len() < MAX_HIERARCHY_NODES && seen.insert(s.to_string()) {
                    next.push(s.into_owned());
                }
            }
        }
        if next.is_empty() {
            return false;
        }
        level = next;
    }
    false
}

fn refs_okhttp_pinner(m: &MethodRef) -> bool {
    m.invokes()
        .any(|i| OKHTTP_PINNERS.iter().any(|p| i.class.starts_with(p)))
        || m.type_refs()
            .any(|t| OKHTTP_PINNERS.iter().any(|p| t.starts_with(p)))
}

/// Pins and hosts of one method, in instruction order.
enum Item {
    Host(String, bool),
    Pin(PinDigest),
}

/// OkHttp pin strings, grouped by the host loaded before them (see the crate documentation).
fn okhttp(index: &CodeIndex, out: &mut CodeResult) {
    // The pin-shaped strings code uses, by (file, string index): only the methods that
    // `const-string` one of them are looked at (an integer test per string reference, instead
    // of decoding every string of every method).
    let pins: HashSet<(u16, u32)> = index
        .all_strings()
        .filter(|(s, site)| site.referenced_by_code && parse_pin_string(s).is_some())
        .map(|(_, site)| (site.file, site.string_idx))
        .collect();
    if pins.is_empty() {
        return;
    }
    for class in index.classes() {
        let mut class_pinner: Option<bool> = None;
        let file = class.file_index();
        for m in class.methods() {
            let uses_pin = m
                .refs()
                .iter()
                .any(|r| r.kind == RefKind::String && pins.contains(&(file, r.idx)));
            if !uses_pin {
                continue;
            }
            let mut items = Vec::new();
            let mut has_pin = false;
            for s in m.strings() {
                match parse_pin_string(&s) {
                    Some(PinString::Valid(p)) => {
                        has_pin = true;
                        items.push(Item::Pin(p));
                    }
                    Some(PinString::Invalid(why)) => {
                        has_pin = true;
                        out.anomalies
                            .push(format!("{}: {why}", location(&class, &m)));
                    }
                    None => {
                        if let Some((h, w)) = host_in(&s) {
                            items.push(Item::Host(h, w));
                        }
                    }
                }
            }
            if !has_pin {
                continue;
            }
            let loc = location(&class, &m);
            let by_api = if refs_okhttp_pinner(&m) {
                Some("method references CertificatePinner")
            } else {
                let cp = *class_pinner
                    .get_or_insert_with(|| class.methods().any(|m| refs_okhttp_pinner(&m)));
                cp.then_some("class references CertificatePinner")
            };
            let evidence_kind = match by_api {
                Some(why) => ("okhttp_certificate_pinner".to_string(), why.to_string()),
                None => (
                    "okhttp_pin_shape".to_string(),
                    "pin strings found by shape only (CertificatePinner not referenced: renamed?)"
                        .to_string(),
                ),
            };
            let first_host = items.iter().find_map(|i| match i {
                Item::Host(h, w) => Some((h.clone(), *w)),
                Item::Pin(_) => None,
            });
            let mut current: Option<(String, bool)> = None;
            for it in items {
                match it {
                    Item::Host(h, w) => current = Some((h, w)),
                    Item::Pin(p) => {
                        let (host, wild) = current
                            .clone()
                            .or_else(|| first_host.clone())
                            .unwrap_or_else(|| (UNKNOWN_HOST.to_string(), false));
                        let ev: Vec<Evidence> = vec![
                            (
                                "pin_string".into(),
                                format!("{}/{}", p.algorithm, p.digest),
                                loc.clone(),
                            ),
                            (
                                evidence_kind.0.clone(),
                                evidence_kind.1.clone(),
                                loc.clone(),
                            ),
                        ];
                        out.pinned.push(PinnedHost {
                            host,
                            include_subdomains: wild,
                            pins: vec![p],
                            mechanism: Mechanism::OkHttp,
                            evidence: ev,
                            override_pins: false,
                        });
                    }
                }
            }
        }
    }
}

fn calls_prefix(m: &MethodRef, prefix: &str) -> bool {
    m.invokes().any(|i| i.class.starts_with(prefix))
}

fn is_pinning_trust_manager_code(class: &ClassRef) -> Option<String> {
    let (mut digest, mut key, mut compare) = (None, false, false);
    for m in class.methods() {
        for i in m.invokes() {
            if i.class == "Ljava/security/MessageDigest;" {
                digest.get_or_insert_with(|| m.name().into_owned());
            }
            match i.name.as_ref() {
                "getPublicKey" | "getEncoded" => key = true,
                "equals" | "isEqual" | "equalsIgnoreCase" | "contains" | "containsKey" => {
                    compare = true
                }
                _ => {}
            }
        }
    }
    let d = digest?;
    (key && compare).then_some(d)
}

/// Pinning `X509TrustManager`s and the digests handed to them.
fn trust_managers(index: &CodeIndex, candidates: &[ClassRef], out: &mut CodeResult) {
    for class in candidates {
        let desc = class.descriptor();
        if TM_LIBRARIES_ELSEWHERE.iter().any(|p| desc.starts_with(p)) {
            continue;
        }
        if !inherits(index, class, &[X509_TM, X509_EXT_TM]) {
            continue;
        }
        let Some(hash_method) = is_pinning_trust_manager_code(class) else {
            continue;
        };
        let pkg = match desc.rfind('/') {
            Some(i) => desc.get(..=i).unwrap_or(desc),
            None => desc,
        };
        let tm_loc = format!("{}: {}->{}", class.dex_file(), desc, hash_method);
        let mut found_any = false;
        // Methods handing digests to the pinning code: callers into its package, and the
        // package's own code (hard-coded pins).
        let mut users: BTreeSet<String> = index
            .callers_into(pkg)
            .into_iter()
            .map(|c| c.caller_class.into_owned())
            .collect();
        users.extend(
            index
                .classes_with_prefix(pkg)
                .map(|c| c.descriptor().to_string()),
        );
        for u in users {
            let Some(uc) = index.class(&u) else { continue };
            let inside = u.starts_with(pkg);
            for m in uc.methods() {
                if !inside && !calls_prefix(&m, pkg) {
                    continue;
                }
                let mut pins = Vec::new();
                let mut hosts = Vec::new();
                for s in m.strings() {
                    if let Some(PinString::Valid(p)) = parse_pin_string(&s) {
                        pins.push((p, s.to_string()));
                    } else if let Some((alg, d)) = parse_bare_digest(&s) {
                        pins.push((
                            PinDigest {
                                algorithm: alg.to_string(),
                                digest: d,
                                expires: None,
                                matches_bundled_cert: None,
                            },
                            s.to_string(),
                        ));
                    } else if let Some(h) = host_in(&s) {
                        hosts.push(h);
                    }
                }
                if pins.is_empty() {
                    continue;
                }
                found_any = true;
                let loc = location(&uc, &m);
                if hosts.is_empty() {
                    hosts.push((UNKNOWN_HOST.to_string(), false));
                }
                for (h, wild) in hosts {
                    let mut ev: Vec<Evidence> = vec![(
                        "pinning_trust_manager".into(),
                        desc.to_string(),
                        tm_loc.clone(),
                    )];
                    ev.extend(
                        pins.iter()
                            .map(|(_, raw)| ("pin".into(), raw.clone(), loc.clone())),
                    );
                    out.pinned.push(PinnedHost {
                        host: h,
                        include_subdomains: wild,
                        pins: pins.iter().map(|(p, _)| p.clone()).collect(),
                        mechanism: Mechanism::TrustManager,
                        evidence: ev,
                        override_pins: false,
                    });
                }
            }
        }
        if !found_any {
            out.pinned.push(PinnedHost {
                host: UNKNOWN_HOST.to_string(),
                include_subdomains: false,
                pins: Vec::new(),
                mechanism: Mechanism::TrustManager,
                evidence: vec![(
                    "pinning_trust_manager".into(),
                    format!("{desc} hashes the peer public key and compares it; pins not found as constants"),
                    tm_loc,
                )],
                override_pins: false,
            });
        }
    }
}

/// Code that reads a bundled file into a `KeyStore` / `CertificateFactory`.
fn keystore_loading(index: &CodeIndex, bundled: &[BundledCert], out: &mut CodeResult) {
    if bundled.is_empty() {
        return;
    }
    let mut classes: BTreeSet<String> = BTreeSet::new();
    for prefix in [
        "Ljava/security/KeyStore;",
        "Ljava/security/cert/CertificateFactory;",
    ] {
        for c in index.callers_into(prefix) {
            if matches!(
                c.callee_method.as_ref(),
                "load" | "generateCertificate" | "generateCertificates"
            ) {
                classes.insert(c.caller_class.into_owned());
            }
        }
    }
    for desc in classes {
        if TM_LIBRARIES_ELSEWHERE.iter().any(|p| desc.starts_with(p)) {
            continue;
        }
        let Some(class) = index.class(&desc) else {
            continue;
        };
        for m in class.methods() {
            let loads = m.invokes().any(|i| {
                matches!(
                    (i.class.as_ref(), i.name.as_ref()),
                    ("Ljava/security/KeyStore;", "load")
                        | (
                            "Ljava/security/cert/CertificateFactory;",
                            "generateCertificate"
                        )
                        | (
                            "Ljava/security/cert/CertificateFactory;",
                            "generateCertificates"
                        )
                )
            });
            let opens = m.invokes().any(|i| {
                matches!(
                    (i.class.as_ref(), i.name.as_ref()),
                    ("Landroid/content/res/Resources;", "openRawResource")
                        | ("Landroid/content/res/AssetManager;", "open")
                )
            });
            if !(loads && opens) {
                continue;
            }
            let loc = location(&class, &m);
            // Which file: R.raw.<name> fields, asset names in const-strings.
            let raw_names: Vec<String> = m
                .field_refs()
                .filter(|(c, _, _)| c.ends_with("R$raw;"))
                .map(|(_, n, _)| n.into_owned())
                .collect();
            let strings: Vec<String> = m.strings().map(|s| s.into_owned()).collect();
            let mut matched: Vec<&BundledCert> = bundled
                .iter()
                .filter(|b| {
                    let stem = b
                        .file
                        .rsplit('/')
                        .next()
                        .map(|f| f.split('.').next().unwrap_or(f))
                        .unwrap_or_default();
                    (b.file.starts_with("res/raw") && raw_names.iter().any(|n| n == stem))
                        || strings.iter().any(|s| {
                            !s.is_empty()
                                && b.file.strip_prefix("assets/") == Some(s.trim_start_matches('/'))
                        })
                })
                .collect();
            let approximate = matched.is_empty();
            if approximate {
                matched = bundled.iter().collect();
            }
            let hosts: Vec<(String, bool)> = strings.iter().filter_map(|s| host_in(s)).collect();
            let mut ev: Vec<Evidence> = vec![(
                "loads_keystore".into(),
                "KeyStore.load/CertificateFactory from a bundled file".into(),
                loc.clone(),
            )];
            for b in &matched {
                let kind = match (b.kind, approximate) {
                    (BundledKind::Keystore, false) => "bundled_keystore",
                    (BundledKind::Certificate, false) => "bundled_certificate",
                    (_, true) => "bundled_file_approximate",
                };
                ev.push((kind.into(), b.file.clone(), loc.clone()));
            }
            let pins: Vec<PinDigest> = matched
                .iter()
                .filter_map(|b| {
                    Some(PinDigest {
                        algorithm: "sha256".into(),
                        digest: b.spki_sha256.clone()?,
                        expires: None,
                        matches_bundled_cert: Some(b.file.clone()),
                    })
                })
                .collect();
            let hosts = if hosts.is_empty() {
                vec![(UNKNOWN_HOST.to_string(), false)]
            } else {
                hosts
            };
            for (h, w) in hosts {
                out.pinned.push(PinnedHost {
                    host: h,
                    include_subdomains: w,
                    pins: pins.clone(),
                    mechanism: Mechanism::BundledCert,
                    evidence: ev.clone(),
                    override_pins: false,
                });
            }
        }
    }
}

/// The framework's allow-all verifiers: Apache's `AllowAllHostnameVerifier` class and the
/// `SSLSocketFactory.ALLOW_ALL_HOSTNAME_VERIFIER` constant.
const ALLOW_ALL_CLASSES: &[&str] = &[
    "Lorg/apache/http/conn/ssl/AllowAllHostnameVerifier;",
    "Lorg/apache/http/conn/ssl/NoopHostnameVerifier;",
];
const ALLOW_ALL_FIELD: &str = "ALLOW_ALL_HOSTNAME_VERIFIER";

/// Classes (outside the Apache HTTP package itself) that instantiate an allow-all verifier or
/// read `ALLOW_ALL_HOSTNAME_VERIFIER`. A string-table pre-check keeps this to apps that name
/// one at all.
fn allow_all_verifier_users(index: &CodeIndex, out: &mut BTreeSet<String>) {
    let named = index
        .all_strings()
        .any(|(s, _)| s == ALLOW_ALL_FIELD || ALLOW_ALL_CLASSES.contains(&s.as_ref()));
    if !named {
        return;
    }
    for class in index.classes() {
        if class.descriptor().starts_with("Lorg/apache/http/") {
            continue;
        }
        let uses = class.methods().any(|m| {
            m.type_refs()
                .any(|t| ALLOW_ALL_CLASSES.contains(&t.as_ref()))
                || m.field_refs().any(|(_, name, _)| name == ALLOW_ALL_FIELD)
        });
        if uses {
            out.insert(class.descriptor().to_string());
        }
    }
}

/// Runs the code detectors.
pub(crate) fn analyze(index: &CodeIndex, bundled: &[BundledCert]) -> CodeResult {
    let mut out = CodeResult::default();
    okhttp(index, &mut out);

    let mut tm_candidates = Vec::new();
    let (mut tms, mut hvs, mut wvs) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    // The three method names, as string indices per file: a method's name is tested as an
    // integer, not decoded (this loop visits every method of the app).
    const NAMES: [&str; 3] = ["checkServerTrusted", "verify", "onReceivedSslError"];
    let mut name_ids: Vec<[Option<u32>; 3]> = Vec::new();
    for class in index.classes() {
        let mut is_tm_candidate = false;
        let file = usize::from(class.file_index());
        while name_ids.len() <= file {
            let f = name_ids.len() as u16;
            name_ids.push(NAMES.map(|n| index.string_idx(f, n)));
        }
        let ids = name_ids.get(file).copied().unwrap_or([None; 3]);
        for m in class.methods() {
            let name: &str = match m.name_idx() {
                Some(ni) => match NAMES.iter().zip(ids).find(|(_, id)| *id == Some(ni)) {
                    Some((n, _)) => n,
                    None => continue,
                },
                None => &m.name(),
            };
            match name {
                "checkServerTrusted" => {
                    is_tm_candidate = true;
                    if m.body_kind() == BodyKind::ReturnVoidOnly
                        && inherits(index, &class, &[X509_TM, X509_EXT_TM])
                    {
                        tms.insert(class.descriptor().to_string());
                    }
                }
                "verify"
                    if m.proto() == "(Ljava/lang/String;Ljavax/net/ssl/SSLSession;)Z"
                        && m.body_kind() == BodyKind::ReturnsConst(1)
                        && inherits(index, &class, &[HOSTNAME_VERIFIER]) =>
                {
                    hvs.insert(class.descriptor().to_string());
                }
                "onReceivedSslError"
                    if m.calls("Landroid/webkit/SslErrorHandler;", "proceed")
                        && inherits(index, &class, &[WEBVIEW_CLIENT]) =>
                {
                    wvs.insert(class.descriptor().to_string());
                }
                _ => {}
            }
        }
        if is_tm_candidate {
            tm_candidates.push(class);
        }
    }
    allow_all_verifier_users(index, &mut hvs);
    out.insecure_trust_managers = tms.into_iter().collect();
    out.insecure_hostname_verifiers = hvs.into_iter().collect();
    out.webview_ssl_errors_ignored = wvs.into_iter().collect();

    trust_managers(index, &tm_candidates, &mut out);
    keystore_loading(index, bundled, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{index_of, test_cert_der, TEST_CERT_SPKI};
    use trackscan_fixtures::dex::{ClassDefSpec, DexBuilder, FieldKey, MethodDef, MethodKey, Op};

    const P1: &str = "sha256/2kOi4HdYYsvTR1sTIR7RHwlf2SescTrpza9ZrWy7poQ=";
    const P2: &str = "sha256/0SDf3cRToyZJaMsoS17oF72VMavLxj/N7WBNasNuiR8=";
    const P3: &str = "sha1/AAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    const CERTS: &str = "[Ljava/security/cert/X509Certificate;";

    fn s(x: &str) -> Op {
        Op::ConstString(x.to_string())
    }

    fn class(
        desc: &str,
        sup: Option<&str>,
        ifaces: &[&str],
        methods: Vec<MethodDef>,
    ) -> ClassDefSpec {
        let mut c = ClassDefSpec::new(desc, methods);
        if let Some(su) = sup {
            c.superclass = Some(su.to_string());
        }
        c.interfaces = ifaces.iter().map(|i| i.to_string()).collect();
        c
    }

    fn check_server_trusted(code: Vec<Op>) -> MethodDef {
        MethodDef::new(
            "checkServerTrusted",
            &[CERTS, "Ljava/lang/String;"],
            "V",
            code,
        )
    }

    fn builder_add() -> Op {
        Op::InvokeVirtual(MethodKey::new(
            "Lokhttp3/CertificatePinner$Builder;",
            "add",
            &["Ljava/lang/String;", "[Ljava/lang/String;"],
            "Lokhttp3/CertificatePinner$Builder;",
        ))
    }

    fn hosts_pins(r: &CodeResult) -> Vec<(String, bool, String)> {
        r.pinned
            .iter()
            .flat_map(|p| {
                p.pins.iter().map(|d| {
                    (
                        p.host.clone(),
                        p.include_subdomains,
                        format!("{}/{}", d.algorithm, d.digest),
                    )
                })
            })
            .collect()
    }

    #[test]
    fn okhttp_pins_follow_their_host() {
        let dex = DexBuilder::new()
            .class(class(
                "Lcom/app/Net;",
                None,
                &[],
                vec![MethodDef::new(
                    "client",
                    &[],
                    "V",
                    vec![
                        s("api.example.com"),
                        s(P1),
                        s(P2),
                        builder_add(),
                        s("**.example.org"),
                        s(P3),
                        builder_add(),
                        s("sha256/AAAA"),
                        Op::ReturnVoid,
                    ],
                )],
            ))
            .build();
        let idx = index_of(&dex);
        let r = analyze(&idx, &[]);
        assert_eq!(
            hosts_pins(&r),
            [
                ("api.example.com".to_string(), false, P1.to_string()),
                ("api.example.com".to_string(), false, P2.to_string()),
                ("**.example.org".to_string(), true, P3.to_string()),
            ]
        );
        assert!(r.pinned.iter().all(|p| p.mechanism == Mechanism::OkHttp
            && p.evidence
                .iter()
                .any(|(k, v, l)| k == "okhttp_certificate_pinner"
                    && v == "method references CertificatePinner"
                    && l.starts_with("classes.dex: Lcom/app/Net;->client()V"))));
        assert_eq!(r.anomalies.len(), 1, "{:?}", r.anomalies);
        assert!(r.anomalies[0].contains("pin \"sha256/AAAA\": sha256 digest is 3 bytes"));
    }

    #[test]
    fn renamed_pinner_found_by_shape() {
        let dex = DexBuilder::new()
            .class(class(
                "La/b;",
                None,
                &[],
                vec![MethodDef::new(
                    "a",
                    &[],
                    "V",
                    vec![
                        s(P1),
                        s("*.pinned.example.com"),
                        Op::InvokeVirtual(MethodKey::new("La/c;", "a", &[], "V")),
                        Op::ReturnVoid,
                    ],
                )],
            ))
            .build();
        let idx = index_of(&dex);
        let r = analyze(&idx, &[]);
        // The pin precedes every host: the first host after it is used.
        assert_eq!(
            hosts_pins(&r),
            [("*.pinned.example.com".to_string(), true, P1.to_string())]
        );
        assert!(r.pinned[0]
            .evidence
            .iter()
            .any(|(k, _, _)| k == "okhttp_pin_shape"));
    }

    #[test]
    fn library_strings_invent_no_pins() {
        let dex = DexBuilder::new()
            .class(class(
                "Lokhttp3/CertificatePinner;",
                None,
                &[],
                vec![MethodDef::new(
                    "pin",
                    &[],
                    "V",
                    vec![
                        s("sha256/"),
                        s("sha1/"),
                        s("pins must start with 'sha256/' or 'sha1/': "),
                        s("Certificate pinning failure!"),
                        s("publicobject.com"),
                        Op::ReturnVoid,
                    ],
                )],
            ))
            .build();
        let idx = index_of(&dex);
        let r = analyze(&idx, &[]);
        assert!(r.pinned.is_empty(), "{:?}", r.pinned);
        assert!(r.anomalies.is_empty());
    }

    #[test]
    fn trust_managers_insecure_and_correct() {
        let checks = vec![
            Op::InvokeStatic(MethodKey::new(
                "Lcom/app/Check;",
                "verifyChain",
                &[CERTS],
                "V",
            )),
            Op::ReturnVoid,
        ];
        let dex = DexBuilder::new()
            .class(class(
                "Lcom/app/TrustAll;",
                None,
                &["Ljavax/net/ssl/X509TrustManager;"],
                vec![check_server_trusted(vec![Op::ReturnVoid])],
            ))
            .class(class(
                "Lcom/app/Checking;",
                None,
                &["Ljavax/net/ssl/X509TrustManager;"],
                vec![check_server_trusted(checks)],
            ))
            // Through an app superclass, and through X509ExtendedTrustManager.
            .class(class(
                "Lcom/app/Base;",
                None,
                &["Ljavax/net/ssl/X509TrustManager;"],
                vec![],
            ))
            .class(class(
                "Lcom/app/Sub;",
                Some("Lcom/app/Base;"),
                &[],
                vec![check_server_trusted(vec![Op::ReturnVoid])],
            ))
            .class(class(
                "Lcom/app/Ext;",
                Some("Ljavax/net/ssl/X509ExtendedTrustManager;"),
                &[],
                vec![check_server_trusted(vec![Op::ReturnVoid])],
            ))
            // Same shape, but not a trust manager.
            .class(class(
                "Lcom/app/NotTm;",
                None,
                &[],
                vec![check_server_trusted(vec![Op::ReturnVoid])],
            ))
            // A superclass cycle (hostile): must terminate, not flagged.
            .class(class(
                "Lcom/app/C1;",
                Some("Lcom/app/C2;"),
                &[],
                vec![check_server_trusted(vec![Op::ReturnVoid])],
            ))
            .class(class("Lcom/app/C2;", Some("Lcom/app/C1;"), &[], vec![]))
            .build();
        let idx = index_of(&dex);
        let r = analyze(&idx, &[]);
        assert_eq!(
            r.insecure_trust_managers,
            ["Lcom/app/Ext;", "Lcom/app/Sub;", "Lcom/app/TrustAll;"]
        );
        assert!(r.pinned.is_empty());
    }

    #[test]
    fn hostname_verifiers_and_webviews() {
        let verify = |code| {
            MethodDef::new(
                "verify",
                &["Ljava/lang/String;", "Ljavax/net/ssl/SSLSession;"],
                "Z",
                code,
            )
        };
        let ssl_error = |code| {
            MethodDef::new(
                "onReceivedSslError",
                &[
                    "Landroid/webkit/WebView;",
                    "Landroid/webkit/SslErrorHandler;",
                    "Landroid/net/http/SslError;",
                ],
                "V",
                code,
            )
        };
        let handler = |name: &str| {
            Op::InvokeVirtual(MethodKey::new(
                "Landroid/webkit/SslErrorHandler;",
                name,
                &[],
                "V",
            ))
        };
        let hv = "Ljavax/net/ssl/HostnameVerifier;";
        let dex = DexBuilder::new()
            .class(class(
                "Lcom/app/AllowAll;",
                None,
                &[hv],
                vec![verify(vec![Op::Const4(1), Op::Return])],
            ))
            .class(class(
                "Lcom/app/DenyAll;",
                None,
                &[hv],
                vec![verify(vec![Op::Const4(0), Op::Return])],
            ))
            .class(class(
                "Lcom/app/Strict;",
                None,
                &[hv],
                vec![verify(vec![
                    Op::InvokeStatic(MethodKey::new("Lcom/app/Check;", "host", &[], "Z")),
                    Op::Return,
                ])],
            ))
            .class(class(
                "Lcom/app/OtherVerify;",
                None,
                &[hv],
                vec![MethodDef::new(
                    "verify",
                    &["Ljava/lang/String;"],
                    "Z",
                    vec![Op::Const4(1), Op::Return],
                )],
            ))
            .class(class(
                "Lcom/app/Web;",
                Some("Landroid/webkit/WebViewClient;"),
                &[],
                vec![ssl_error(vec![handler("proceed"), Op::ReturnVoid])],
            ))
            .class(class(
                "Lcom/app/Web2;",
                Some("Lcom/app/Web;"),
                &[],
                vec![ssl_error(vec![handler("proceed"), Op::ReturnVoid])],
            ))
            .class(class(
                "Lcom/app/SafeWeb;",
                Some("Landroid/webkit/WebViewClient;"),
                &[],
                vec![ssl_error(vec![handler("cancel"), Op::ReturnVoid])],
            ))
            .build();
        let idx = index_of(&dex);
        let r = analyze(&idx, &[]);
        assert_eq!(r.insecure_hostname_verifiers, ["Lcom/app/AllowAll;"]);

        // Users of the framework's allow-all verifiers.
        let dex = DexBuilder::new()
            .class(class(
                "Lcom/app/Legacy;",
                None,
                &[],
                vec![MethodDef::new(
                    "a",
                    &[],
                    "V",
                    vec![
                        Op::Sget(FieldKey::new(
                            "Lorg/apache/http/conn/ssl/SSLSocketFactory;",
                            "ALLOW_ALL_HOSTNAME_VERIFIER",
                            "Lorg/apache/http/conn/ssl/X509HostnameVerifier;",
                        )),
                        Op::ReturnVoid,
                    ],
                )],
            ))
            .class(class(
                "Lcom/app/Legacy2;",
                None,
                &[],
                vec![MethodDef::new(
                    "a",
                    &[],
                    "V",
                    vec![
                        Op::NewInstance(
                            "Lorg/apache/http/conn/ssl/AllowAllHostnameVerifier;".into(),
                        ),
                        Op::ReturnVoid,
                    ],
                )],
            ))
            .class(class(
                "Lcom/app/Strict2;",
                None,
                &[],
                vec![MethodDef::new(
                    "a",
                    &[],
                    "V",
                    vec![
                        Op::NewInstance("Lorg/apache/http/conn/ssl/StrictHostnameVerifier;".into()),
                        Op::ReturnVoid,
                    ],
                )],
            ))
            .build();
        let idx2 = index_of(&dex);
        let r2 = analyze(&idx2, &[]);
        assert_eq!(
            r2.insecure_hostname_verifiers,
            ["Lcom/app/Legacy2;", "Lcom/app/Legacy;"]
        );
        assert_eq!(
            r.webview_ssl_errors_ignored,
            ["Lcom/app/Web2;", "Lcom/app/Web;"]
        );
    }

    #[test]
    fn pinning_trust_manager_and_its_pins() {
        let digest = |name: &str| {
            Op::InvokeVirtual(MethodKey::new(
                "Ljava/security/MessageDigest;",
                name,
                &[],
                "[B",
            ))
        };
        let dex = DexBuilder::new()
            .class(class(
                "Lcom/pin/lib/PinTm;",
                None,
                &["Ljavax/net/ssl/X509TrustManager;"],
                vec![
                    check_server_trusted(vec![
                        Op::InvokeDirect(MethodKey::new(
                            "Lcom/pin/lib/PinTm;",
                            "isValid",
                            &[],
                            "Z",
                        )),
                        Op::ReturnVoid,
                    ]),
                    MethodDef::new(
                        "isValid",
                        &[],
                        "Z",
                        vec![
                            s("SHA1"),
                            Op::InvokeStatic(MethodKey::new(
                                "Ljava/security/MessageDigest;",
                                "getInstance",
                                &["Ljava/lang/String;"],
                                "Ljava/security/MessageDigest;",
                            )),
                            Op::InvokeVirtual(MethodKey::new(
                                "Ljava/security/cert/X509Certificate;",
                                "getPublicKey",
                                &[],
                                "Ljava/security/PublicKey;",
                            )),
                            digest("digest"),
                            Op::InvokeStatic(MethodKey::new(
                                "Ljava/util/Arrays;",
                                "equals",
                                &["[B", "[B"],
                                "Z",
                            )),
                            Op::Return,
                        ],
                    ),
                ],
            ))
            .class(class(
                "Lcom/app/Main;",
                None,
                &[],
                vec![MethodDef::new(
                    "go",
                    &[],
                    "V",
                    vec![
                        s("87dbd45fb0928d4e1df81567e7f2abafd62b6775"),
                        s("https://secure.example.com/path"),
                        Op::InvokeStatic(MethodKey::new(
                            "Lcom/pin/lib/util/Helper;",
                            "open",
                            &[],
                            "V",
                        )),
                        Op::ReturnVoid,
                    ],
                )],
            ))
            .build();
        let idx = index_of(&dex);
        let r = analyze(&idx, &[]);
        assert!(r.insecure_trust_managers.is_empty());
        assert_eq!(
            hosts_pins(&r),
            [(
                "secure.example.com".to_string(),
                false,
                "sha1/h9vUX7CSjU4d+BVn5/Krr9YrZ3U=".to_string()
            )]
        );
        let p = &r.pinned[0];
        assert_eq!(p.mechanism, Mechanism::TrustManager);
        assert!(p
            .evidence
            .iter()
            .any(|(k, v, l)| k == "pinning_trust_manager"
                && v == "Lcom/pin/lib/PinTm;"
                && l == "classes.dex: Lcom/pin/lib/PinTm;->isValid"));
    }

    #[test]
    fn keystore_loaded_from_raw_resource() {
        let der = test_cert_der();
        let mut ignored = Vec::new();
        let files = vec![
            ("res/raw/my_ca.der".to_string(), der.as_slice()),
            ("assets/other.der".to_string(), der.as_slice()),
        ];
        let bundled = crate::certs::collect(&files, &mut ignored);
        let dex = DexBuilder::new()
            .class(class(
                "Lcom/app/Tls;",
                None,
                &[],
                vec![MethodDef::new(
                    "store",
                    &[],
                    "V",
                    vec![
                        Op::Sget(FieldKey::new("Lcom/app/R$raw;", "my_ca", "I")),
                        Op::InvokeVirtual(MethodKey::new(
                            "Landroid/content/res/Resources;",
                            "openRawResource",
                            &["I"],
                            "Ljava/io/InputStream;",
                        )),
                        Op::InvokeVirtual(MethodKey::new(
                            "Ljava/security/cert/CertificateFactory;",
                            "generateCertificate",
                            &["Ljava/io/InputStream;"],
                            "Ljava/security/cert/Certificate;",
                        )),
                        Op::ReturnVoid,
                    ],
                )],
            ))
            // Loads a keystore but from nowhere bundled: not counted.
            .class(class(
                "Lcom/app/Android;",
                None,
                &[],
                vec![MethodDef::new(
                    "ks",
                    &[],
                    "V",
                    vec![
                        Op::InvokeVirtual(MethodKey::new(
                            "Ljava/security/KeyStore;",
                            "load",
                            &[],
                            "V",
                        )),
                        Op::ReturnVoid,
                    ],
                )],
            ))
            .build();
        let idx = index_of(&dex);
        let r = analyze(&idx, &bundled);
        assert_eq!(r.pinned.len(), 1, "{:?}", r.pinned);
        let p = &r.pinned[0];
        assert_eq!(
            (p.host.as_str(), p.mechanism),
            (UNKNOWN_HOST, Mechanism::BundledCert)
        );
        assert_eq!(p.pins.len(), 1);
        assert_eq!(p.pins[0].digest, TEST_CERT_SPKI);
        assert_eq!(
            p.pins[0].matches_bundled_cert.as_deref(),
            Some("res/raw/my_ca.der")
        );
        assert!(p
            .evidence
            .iter()
            .any(|(k, v, _)| k == "bundled_certificate" && v == "res/raw/my_ca.der"));
        // Without bundled files, nothing.
        assert!(analyze(&idx, &[]).pinned.is_empty());
    }
}
