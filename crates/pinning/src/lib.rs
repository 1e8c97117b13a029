//! Certificate pinning and transport security of an Android app, found statically.
//!
//! Which hosts does the app pin, with which keys, by which mechanism, and which connections are
//! left without protection? [`analyze`] answers from the manifest, the collected resource and
//! asset files, the DEX [`CodeIndex`] and strings of native libraries, and returns a
//! [`PinningReport`]. Nothing here fails: every problem (malformed XML, unresolvable resource,
//! invalid base64, broken certificate) is an entry in [`PinningReport::anomalies`] naming the
//! file and the reason, and everything else is still reported.
//!
//! # Mechanisms
//!
//! * **Network Security Config** (`nsc`): the `res/xml` file named by the manifest's
//!   `android:networkSecurityConfig`, parsed with [`trackscan_axml::parse_any`] (binary AXML or
//!   apktool text). The *effective* policy of every declared domain is computed (see below) and
//!   listed in [`PinningReport::domains`]; domains with a `pin-set` become [`PinnedHost`]s.
//! * **TrustKit** (`trustkit`): TrustKit-Android reads the same file; a `<trustkit-config>`
//!   inside a `domain-config` (inherited by nested ones) makes those pins TrustKit's.
//! * **OkHttp `CertificatePinner`** (`okhttp`): pin strings `sha256/<base64>` / `sha1/<base64>`
//!   loaded by `const-string` are attached to the host pattern (`example.com`,
//!   `*.example.com`, `**.example.com`) most recently loaded before them in the same method, the
//!   shape of `builder.add(host, pin…)`. When neither the method nor its class references
//!   `CertificatePinner` (R8 renamed it) the pins are still reported, with evidence saying they
//!   were found by shape only. A pin that is not valid base64 or has the wrong digest length is
//!   an anomaly.
//! * **Custom `X509TrustManager`** (`trust_manager`): a trust manager (directly or through app
//!   superclasses) whose code hashes the peer's public key (`MessageDigest` +
//!   `getPublicKey`/`getEncoded`) and compares (`Arrays.equals`, `equals`, `contains`). Digests
//!   (hex or base64 of SHA-1/SHA-256 length) loaded in methods that call into the trust
//!   manager's package are its pins; hosts come from URLs/host names in those methods (the
//!   moxie0 *AndroidPinning* shape).
//! * **Bundled certificates** (`bundled_cert`): `.cer/.crt/.pem/.der` files (and sniffed
//!   extension-less ones) in `assets/` and `res/raw/` are parsed with
//!   [`trackscan_signing::parse_certificate`]; their SPKI SHA-256 (base64) is compared with every
//!   pin ([`PinDigest::matches_bundled_cert`]). Keystores (`.bks/.p12/.pfx/.jks/.keystore`, or
//!   sniffed BKS/JKS/PKCS#12 magic) are listed, not parsed. Code that opens a raw resource or
//!   asset and feeds it to `KeyStore.load`/`CertificateFactory.generateCertificate` makes a
//!   `bundled_cert` pinned entry (host unknown unless a URL sits in the same method).
//! * **Flutter / React Native / Cordova plugins**: best effort over `libapp.so` strings
//!   (`native_strings`), `assets/index.android.bundle` and Cordova's `res/xml/config.xml` and
//!   `assets/www/**`: `sha256/…` pins (and `publicKeyHashes` arrays) next to host names.
//!
//! # Network Security Config rules implemented
//!
//! From <https://developer.android.com/privacy-and-security/security-config> and AOSP's
//! `XmlConfigSource` / `NetworkSecurityConfig.getDefaultBuilder`:
//!
//! 1. Platform defaults, from `targetSdkVersion` (defaulting to `minSdkVersion`, then 1, like
//!    the package parser): cleartext permitted iff targetSdk < 28; trust anchors `system`, plus
//!    `user` iff targetSdk ≤ 23; no pins.
//! 2. No NSC: the manifest's `android:usesCleartextTraffic` (when set) decides cleartext; other
//!    values are the platform defaults. With an NSC, `usesCleartextTraffic` is ignored (API 24+
//!    behaviour, "This flag is ignored … if an Android Network Security Config is present").
//! 3. `base-config` overrides the platform defaults for what it sets (`cleartextTrafficPermitted`,
//!    `trust-anchors`); a `pin-set` or `domain` there is invalid (Android rejects the file) and
//!    is reported as an anomaly and ignored. A second `base-config` is an anomaly too.
//! 4. A top-level `domain-config` inherits every value it does not set from the effective base
//!    config; a nested `domain-config` inherits from its enclosing `domain-config` (values:
//!    cleartext, trust anchors *as a whole* — a child `trust-anchors` replaces, never merges —,
//!    `pin-set` with its `expiration`, and the TrustKit config).
//! 5. `includeSubdomains` belongs to each `<domain>` (default false). A domain name declared twice
//!    is an anomaly (Android rejects it); the first is kept.
//! 6. `overridePins="true"` on a `certificates` entry lets that anchor bypass pins:
//!    [`PinnedHost::override_pins`] is true when any effective anchor of the domain has it.
//! 7. A domain whose effective trust anchors are only bundled resources (no `system`/`user`;
//!    `src="@raw/name"` as apktool writes it, matched to `res/raw/name.*`) trusts only those
//!    certificates: a `bundled_cert` pinned entry carries their SPKI SHA-256. Binary NSC files
//!    hold `@0x7f…` references, which need `resources.arsc` and are not resolved here.
//! 8. `debug-overrides` applies only to debuggable builds: it sets
//!    [`Transport::debug_overrides`] but never [`Transport::user_cas_trusted`], which means a
//!    *release* config (effective base or domain config) trusts `user` anchors.
//!
//! # Weakened transport (DEX)
//!
//! Classes implementing `javax.net.ssl.X509TrustManager` (directly, via
//! `X509ExtendedTrustManager`, or via app superclasses/interfaces up to
//! [`MAX_HIERARCHY_DEPTH`] levels) with a `checkServerTrusted` that is only `return-void`;
//! `HostnameVerifier`s whose `verify(String, SSLSession)` is `return true` (plus classes using
//! Apache's allow-all verifiers); `WebViewClient`
//! subclasses whose `onReceivedSslError` calls `SslErrorHandler.proceed()`. Body shapes come
//! from [`trackscan_dex::MethodRef::body_kind`].
//!
//! # Crate choices
//!
//! No new dependencies: base64/hex are a few dozen lines here ([`b64`] is strict: padding and
//! alphabet checked, so "invalid base64" anomalies are exact). XML goes through
//! `trackscan-axml`, code through `trackscan-dex`, X.509 through `trackscan-signing`. Report
//! types carry no serde; `trackscan-scan` serializes them.

#![deny(missing_docs)]

mod b64;
mod certs;
mod code;
mod nsc;
mod plugins;
mod text;

#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod test_util;

use std::fmt;

use trackscan_axml::Manifest;
use trackscan_dex::CodeIndex;

pub use nsc::{DomainPolicy, TrustAnchor, TrustKitConfig};

/// Host recorded when a pin's host could not be determined statically.
pub const UNKNOWN_HOST: &str = "(unknown)";

/// Maximum superclass/interface levels followed inside the app when deciding whether a class
/// implements an interface (cycles in hostile DEX files end here too).
pub const MAX_HIERARCHY_DEPTH: usize = 16;

/// What [`analyze`] reads. The caller collects the files.
pub struct PinningInput<'i, 'a> {
    /// The decoded manifest, when there is one.
    pub manifest: Option<&'i Manifest>,
    /// `res/xml/*`, `res/raw/*`, `assets/**` as (path in the APK, bytes).
    pub files: &'i [(String, &'i [u8])],
    /// The app's code index.
    pub index: &'i CodeIndex<'a>,
    /// (library path, printable string) pairs from `.so` files, for Flutter/RN plugins.
    pub native_strings: &'i [(String, String)],
}

/// How a host is pinned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mechanism {
    /// Network Security Config `pin-set`.
    Nsc,
    /// OkHttp `CertificatePinner` (possibly renamed by R8).
    OkHttp,
    /// TrustKit-Android (`trustkit-config` in the NSC).
    TrustKit,
    /// A custom `X509TrustManager` comparing public-key hashes.
    TrustManager,
    /// A certificate/keystore bundled with the app and loaded into a `KeyStore`.
    BundledCert,
    /// A Flutter pinning plugin (strings in `libapp.so`).
    Flutter,
    /// A React Native pinning module (JS bundle).
    ReactNative,
    /// A Cordova pinning plugin.
    Cordova,
}

impl Mechanism {
    /// The report spelling: `nsc`, `okhttp`, `trustkit`, `trust_manager`, `bundled_cert`,
    /// `flutter`, `react_native`, `cordova`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mechanism::Nsc => "nsc",
            Mechanism::OkHttp => "okhttp",
            Mechanism::TrustKit => "trustkit",
            Mechanism::TrustManager => "trust_manager",
            Mechanism::BundledCert => "bundled_cert",
            Mechanism::Flutter => "flutter",
            Mechanism::ReactNative => "react_native",
            Mechanism::Cordova => "cordova",
        }
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One pinned key digest.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PinDigest {
    /// `sha256` or `sha1`.
    pub algorithm: String,
    /// The digest, standard base64 (hex pins are converted).
    pub digest: String,
    /// NSC `pin-set expiration` date as written (`YYYY-MM-DD`), when set.
    pub expires: Option<String>,
    /// The bundled certificate file whose SPKI SHA-256 equals this digest.
    pub matches_bundled_cert: Option<String>,
}

/// Evidence item: (kind, value, location).
pub type Evidence = (String, String, String);

/// A pinned host (or host pattern) with its pins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedHost {
    /// Host or pattern as written (`api.example.com`, `*.example.com`, `**.example.com`), or
    /// [`UNKNOWN_HOST`].
    pub host: String,
    /// Whether subdomains are covered (NSC `includeSubdomains`, OkHttp `*.`/`**.` patterns).
    pub include_subdomains: bool,
    /// The pins, sorted and distinct.
    pub pins: Vec<PinDigest>,
    /// How the pinning is done.
    pub mechanism: Mechanism,
    /// Why we say so: (kind, value, location).
    pub evidence: Vec<Evidence>,
    /// NSC: some effective trust anchor of this domain has `overridePins="true"`.
    pub override_pins: bool,
}

/// Transport-security facts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transport {
    /// Effective default for cleartext (base config / manifest / platform default); `None`
    /// without a manifest and without an NSC `base-config` saying it.
    pub cleartext_default: Option<bool>,
    /// NSC domains whose effective policy permits cleartext (sorted, distinct).
    pub cleartext_domains: Vec<String>,
    /// A release configuration (effective base or domain config) trusts user-installed CAs.
    pub user_cas_trusted: bool,
    /// Classes whose `checkServerTrusted` does nothing.
    pub insecure_trust_managers: Vec<String>,
    /// Classes whose `verify(String, SSLSession)` returns `true` unconditionally, and classes
    /// that use Apache's allow-all verifiers (`AllowAllHostnameVerifier`,
    /// `NoopHostnameVerifier`, `SSLSocketFactory.ALLOW_ALL_HOSTNAME_VERIFIER`).
    pub insecure_hostname_verifiers: Vec<String>,
    /// `WebViewClient` subclasses whose `onReceivedSslError` calls `proceed()`.
    pub webview_ssl_errors_ignored: Vec<String>,
    /// The NSC has a `debug-overrides` element.
    pub debug_overrides: bool,
}

/// Kind of a bundled trust file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BundledKind {
    /// An X.509 certificate (PEM or DER).
    Certificate,
    /// A keystore (BKS, JKS, PKCS#12, …): listed, not parsed.
    Keystore,
}

/// A certificate or keystore shipped in `assets/` or `res/raw/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundledCert {
    /// Path in the APK.
    pub file: String,
    /// Certificate or keystore.
    pub kind: BundledKind,
    /// `pem`, `der`, `bks`, `jks`, `jceks`, `pkcs12` or `unknown`.
    pub format: &'static str,
    /// Index of the certificate inside a PEM bundle (0 for the first / DER).
    pub index: usize,
    /// Subject (RFC 4514), for certificates.
    pub subject: Option<String>,
    /// Issuer (RFC 4514), for certificates.
    pub issuer: Option<String>,
    /// End of validity (RFC 3339), for certificates.
    pub not_after: Option<String>,
    /// SHA-256 of the certificate DER, lower-case hex.
    pub cert_sha256: Option<String>,
    /// SHA-256 of the SubjectPublicKeyInfo, base64: the value an NSC/OkHttp pin would carry.
    pub spki_sha256: Option<String>,
}

/// Everything [`analyze`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PinningReport {
    /// Pinned hosts, sorted by (host, mechanism).
    pub pins: Vec<PinnedHost>,
    /// Transport-security facts.
    pub transport: Transport,
    /// Bundled certificates and keystores, sorted by file.
    pub bundled_certs: Vec<BundledCert>,
    /// Effective NSC policy of every declared domain, in document order.
    pub domains: Vec<DomainPolicy>,
    /// Problems met, each naming the file (or class) and the reason.
    pub anomalies: Vec<String>,
}

/// Runs every detector and merges the results (see the crate documentation).
pub fn analyze(input: &PinningInput) -> PinningReport {
    let mut report = PinningReport::default();

    report.bundled_certs = certs::collect(input.files, &mut report.anomalies);

    let nsc = nsc::analyze(input.manifest, input.files);
    report.anomalies.extend(nsc.anomalies);
    report.pins.extend(nsc.pinned);
    report.domains = nsc.domains;
    report.transport.cleartext_default = nsc.cleartext_default;
    report.transport.cleartext_domains = nsc.cleartext_domains;
    report.transport.user_cas_trusted = nsc.user_cas_trusted;
    report.transport.debug_overrides = nsc.debug_overrides;

    let code = code::analyze(input.index, &report.bundled_certs);
    report.anomalies.extend(code.anomalies);
    report.pins.extend(code.pinned);
    report.transport.insecure_trust_managers = code.insecure_trust_managers;
    report.transport.insecure_hostname_verifiers = code.insecure_hostname_verifiers;
    report.transport.webview_ssl_errors_ignored = code.webview_ssl_errors_ignored;

    let anchored = nsc::bundled_anchor_pins(&report.domains, &report.bundled_certs);
    report.pins.extend(anchored);

    let plug = plugins::analyze(input.files, input.native_strings, &report.bundled_certs);
    report.anomalies.extend(plug.anomalies);
    report.pins.extend(plug.pinned);

    finish(&mut report);
    report
}

/// Merges duplicate (host, mechanism) entries, marks pins matching bundled certificates, sorts.
fn finish(report: &mut PinningReport) {
    let mut merged: Vec<PinnedHost> = Vec::new();
    for p in report.pins.drain(..) {
        match merged
            .iter_mut()
            .find(|m| m.host == p.host && m.mechanism == p.mechanism)
        {
            Some(m) => {
                m.include_subdomains |= p.include_subdomains;
                m.override_pins |= p.override_pins;
                m.pins.extend(p.pins);
                m.evidence.extend(p.evidence);
            }
            None => merged.push(p),
        }
    }
    for m in &mut merged {
        for pin in &mut m.pins {
            if pin.algorithm == "sha256" && pin.matches_bundled_cert.is_none() {
                pin.matches_bundled_cert = report
                    .bundled_certs
                    .iter()
                    .find(|c| c.spki_sha256.as_deref() == Some(pin.digest.as_str()))
                    .map(|c| c.file.clone());
            }
        }
        m.pins.sort();
        m.pins.dedup();
        dedup_keep_order(&mut m.evidence);
    }
    merged.sort_by(|a, b| (&a.host, a.mechanism).cmp(&(&b.host, b.mechanism)));
    report.pins = merged;
    report
        .bundled_certs
        .sort_by(|a, b| (&a.file, a.index).cmp(&(&b.file, b.index)));
    dedup_keep_order(&mut report.anomalies);
}

fn dedup_keep_order<T: std::hash::Hash + Eq + Clone>(v: &mut Vec<T>) {
    let mut seen = std::collections::HashSet::new();
    v.retain(|x| seen.insert(x.clone()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{index_of, test_cert_der, TEST_CERT_SPKI};
    use trackscan_fixtures::dex::{ClassDefSpec, DexBuilder, MethodDef, Op};

    #[test]
    fn end_to_end_merges_and_marks_bundled_matches() {
        let pin = format!("sha256/{TEST_CERT_SPKI}");
        let dex = DexBuilder::new()
            .class(ClassDefSpec::new(
                "Lcom/app/Net;",
                vec![
                    MethodDef::new(
                        "a",
                        &[],
                        "V",
                        vec![
                            Op::ConstString("pin.example.com".into()),
                            Op::ConstString(pin.clone()),
                            Op::ReturnVoid,
                        ],
                    ),
                    MethodDef::new(
                        "b",
                        &[],
                        "V",
                        vec![
                            Op::ConstString("pin.example.com".into()),
                            Op::ConstString(pin.clone()),
                            Op::ConstString("sha1/AAAAAAAAAAAAAAAAAAAAAAAAAAA=".into()),
                            Op::ReturnVoid,
                        ],
                    ),
                ],
            ))
            .build();
        let idx = index_of(&dex);
        let der = test_cert_der();
        let nsc = format!(
            "<network-security-config><domain-config><domain>pin.example.com</domain>\
             <pin-set><pin digest=\"SHA-256\">{TEST_CERT_SPKI}</pin></pin-set></domain-config>\
             </network-security-config>"
        );
        let files = vec![
            ("assets/pin.cer".to_string(), der.as_slice()),
            ("res/xml/nsc.xml".to_string(), nsc.as_bytes()),
            (
                "assets/broken.pem".to_string(),
                &b"-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----"[..],
            ),
        ];
        let mut m = Manifest {
            target_sdk: Some(30),
            ..Manifest::default()
        };
        m.application.network_security_config = Some("res/xml/nsc.xml".into());
        let r = analyze(&PinningInput {
            manifest: Some(&m),
            files: &files,
            index: &idx,
            native_strings: &[],
        });
        let got: Vec<(&str, Mechanism, usize)> = r
            .pins
            .iter()
            .map(|p| (p.host.as_str(), p.mechanism, p.pins.len()))
            .collect();
        // OkHttp entries of both methods merged into one host entry, pins distinct.
        assert_eq!(
            got,
            [
                ("pin.example.com", Mechanism::Nsc, 1),
                ("pin.example.com", Mechanism::OkHttp, 2)
            ]
        );
        for p in &r.pins {
            let sha256 = p.pins.iter().find(|d| d.algorithm == "sha256").unwrap();
            assert_eq!(
                sha256.matches_bundled_cert.as_deref(),
                Some("assets/pin.cer")
            );
        }
        let sha1 = r.pins[1]
            .pins
            .iter()
            .find(|d| d.algorithm == "sha1")
            .unwrap();
        assert_eq!(sha1.matches_bundled_cert, None);
        assert_eq!(r.bundled_certs.len(), 2);
        assert!(r
            .anomalies
            .iter()
            .any(|a| a.starts_with("assets/broken.pem: PEM certificate 0: invalid base64")));
        assert_eq!(r.transport.cleartext_default, Some(false));
        assert_eq!(Mechanism::TrustManager.to_string(), "trust_manager");
    }
}
