//! Best-effort pinning configuration of cross-platform frameworks: Flutter (`libapp.so`
//! strings), React Native (`assets/index.android.bundle`) and Cordova (`res/xml/config.xml`,
//! `assets/www/**`).
//!
//! Their configuration is program data, not a declarative file, so this is pattern matching:
//! pin-shaped tokens (`sha256/<base64>`, bare base64/hex digests of SHA-1/SHA-256 length) are
//! attached to the nearest host name before them (else the first one after them, within
//! [`WINDOW`] tokens). Bare digests count only when the text names a pinning plugin, so random
//! base64 in a bundle is not taken for a pin.

use crate::text::{host_in, parse_bare_digest, parse_pin_string, PinString};
use crate::{BundledCert, BundledKind, Evidence, Mechanism, PinDigest, PinnedHost, UNKNOWN_HOST};

/// How many tokens a host and a pin may be apart.
const WINDOW: usize = 40;
/// Largest text scanned per file (a JS bundle can be many megabytes).
const MAX_TEXT: usize = 32 << 20;

const FLUTTER_HINTS: &[&str] = &[
    "http_certificate_pinning",
    "HttpCertificatePinning",
    "ssl_pinning_plugin",
    "SslPinningPlugin",
    "certificate_pinning",
];
const RN_HINTS: &[&str] = &[
    "publicKeyHashes",
    "initializeSslPinning",
    "react-native-ssl-pinning",
    "sslPinning",
    "pkPinning",
];
const CORDOVA_HINTS: &[&str] = &[
    "SSLCertificateChecker",
    "cordova-plugin-advanced-http",
    "CordovaHttpPlugin",
    "sslpinning",
    "SSLPinning",
];

/// Result of the plugin stage.
#[derive(Debug, Default)]
pub(crate) struct PluginResult {
    pub pinned: Vec<PinnedHost>,
    pub anomalies: Vec<String>,
}

fn tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| {
        !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | ':' | '.' | '_' | '*' | '-'))
    })
    .filter(|t| t.len() >= 4)
}

/// String literals of JS text (between matching quotes, best effort), tokenised.
fn literal_tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split(['\'', '"', '`'])
        .skip(1)
        .step_by(2)
        .flat_map(tokens)
}

enum Tok {
    Host(String, bool),
    Pin(PinDigest, String),
}

/// Scans a token sequence; `bare` allows bare digests.
fn scan<'t>(
    toks: impl Iterator<Item = &'t str>,
    bare: bool,
    mechanism: Mechanism,
    location: &str,
    out: &mut PluginResult,
) {
    let mut seq: Vec<(usize, Tok)> = Vec::new();
    for (i, t) in toks.enumerate() {
        let t = t.trim_matches(|c| c == '.' || c == ':' || c == '-');
        match parse_pin_string(t) {
            Some(PinString::Valid(p)) => seq.push((i, Tok::Pin(p, t.to_string()))),
            Some(PinString::Invalid(why)) => out.anomalies.push(format!("{location}: {why}")),
            None => {
                if bare {
                    if let Some((alg, d)) = parse_bare_digest(t) {
                        let p = PinDigest {
                            algorithm: alg.into(),
                            digest: d,
                            expires: None,
                            matches_bundled_cert: None,
                        };
                        seq.push((i, Tok::Pin(p, t.to_string())));
                        continue;
                    }
                }
                if let Some((h, w)) = host_in(t) {
                    seq.push((i, Tok::Host(h, w)));
                }
            }
        }
    }
    let mut current: Option<(usize, String, bool)> = None;
    for (k, (i, tok)) in seq.iter().enumerate() {
        match tok {
            Tok::Host(h, w) => current = Some((*i, h.clone(), *w)),
            Tok::Pin(p, raw) => {
                let near = current
                    .as_ref()
                    .filter(|(hi, _, _)| i.saturating_sub(*hi) <= WINDOW)
                    .map(|(_, h, w)| (h.clone(), *w))
                    .or_else(|| {
                        seq.get(k + 1..)
                            .unwrap_or_default()
                            .iter()
                            .find_map(|(j, t)| match t {
                                Tok::Host(h, w) if j.saturating_sub(*i) <= WINDOW => {
                                    Some((h.clone(), *w))
                                }
                                _ => None,
                            })
                    });
                let (host, wild) = near.unwrap_or_else(|| (UNKNOWN_HOST.to_string(), false));
                let ev: Vec<Evidence> = vec![("pin".into(), raw.clone(), location.to_string())];
                out.pinned.push(PinnedHost {
                    host,
                    include_subdomains: wild,
                    pins: vec![p.clone()],
                    mechanism,
                    evidence: ev,
                    override_pins: false,
                });
            }
        }
    }
}

fn text_of(b: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(b.get(..MAX_TEXT.min(b.len())).unwrap_or_default())
}

/// Runs the plugin stage.
pub(crate) fn analyze(
    files: &[(String, &[u8])],
    native_strings: &[(String, String)],
    bundled: &[BundledCert],
) -> PluginResult {
    let mut out = PluginResult::default();

    // Flutter: strings of libapp.so, per library.
    let mut libs: Vec<&str> = native_strings
        .iter()
        .filter(|(l, _)| l.ends_with("libapp.so"))
        .map(|(l, _)| l.as_str())
        .collect();
    libs.dedup();
    for lib in libs {
        let strs = native_strings
            .iter()
            .filter(|(l, _)| l == lib)
            .map(|(_, s)| s.as_str());
        let hinted = strs
            .clone()
            .any(|s| FLUTTER_HINTS.iter().any(|h| s.contains(h)));
        scan(
            strs.flat_map(tokens),
            hinted,
            Mechanism::Flutter,
            lib,
            &mut out,
        );
    }

    // React Native: the JS bundle (text; Hermes bytecode still holds its strings verbatim).
    for (name, bytes) in files
        .iter()
        .filter(|(n, _)| n == "assets/index.android.bundle")
    {
        let text = text_of(bytes);
        let hinted = RN_HINTS.iter().any(|h| text.contains(h));
        if hinted || text.contains("sha256/") {
            scan(
                literal_tokens(&text),
                hinted,
                Mechanism::ReactNative,
                name,
                &mut out,
            );
        }
    }

    // Cordova: config.xml names the plugin; pins in www JS, certificates in www/certificates.
    let cordova = files.iter().any(|(n, b)| {
        n == "res/xml/config.xml" && {
            let t = text_of(b);
            CORDOVA_HINTS.iter().any(|h| t.contains(h))
        }
    }) || files.iter().any(|(n, b)| {
        n.starts_with("assets/www/") && n.ends_with(".js") && {
            let t = text_of(b);
            CORDOVA_HINTS.iter().any(|h| t.contains(h))
        }
    });
    if cordova {
        for (name, bytes) in files
            .iter()
            .filter(|(n, _)| n.starts_with("assets/www/") && n.ends_with(".js"))
        {
            let text = text_of(bytes);
            scan(
                literal_tokens(&text),
                true,
                Mechanism::Cordova,
                name,
                &mut out,
            );
        }
        for b in bundled.iter().filter(|b| {
            b.kind == BundledKind::Certificate && b.file.starts_with("assets/www/certificates/")
        }) {
            out.pinned.push(PinnedHost {
                host: UNKNOWN_HOST.to_string(),
                include_subdomains: false,
                pins: b
                    .spki_sha256
                    .iter()
                    .map(|d| PinDigest {
                        algorithm: "sha256".into(),
                        digest: d.clone(),
                        expires: None,
                        matches_bundled_cert: Some(b.file.clone()),
                    })
                    .collect(),
                mechanism: Mechanism::Cordova,
                evidence: vec![(
                    "cordova_certificate".into(),
                    b.file.clone(),
                    "res/xml/config.xml".into(),
                )],
                override_pins: false,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PIN: &str = "2kOi4HdYYsvTR1sTIR7RHwlf2SescTrpza9ZrWy7poQ=";

    #[test]
    fn react_native_public_key_hashes() {
        let js = format!(
            "var x=1;initializeSslPinning({{'api.example.com':{{includeSubdomains:true,publicKeyHashes:['{PIN}','AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=']}}}});"
        );
        let files = vec![("assets/index.android.bundle".to_string(), js.as_bytes())];
        let r = analyze(&files, &[], &[]);
        assert!(r.anomalies.is_empty(), "{:?}", r.anomalies);
        assert_eq!(r.pinned.len(), 2);
        assert!(r
            .pinned
            .iter()
            .all(|p| p.host == "api.example.com" && p.mechanism == Mechanism::ReactNative));
        assert_eq!(r.pinned[0].pins[0].digest, PIN);
    }

    #[test]
    fn bare_digests_need_a_hint() {
        let js = format!("var integrity = '{PIN}'; fetch('https://cdn.example.com/x')");
        let files = vec![("assets/index.android.bundle".to_string(), js.as_bytes())];
        assert!(analyze(&files, &[], &[]).pinned.is_empty());
    }

    #[test]
    fn flutter_libapp_strings() {
        let lib = "lib/arm64-v8a/libapp.so".to_string();
        let ns = vec![
            (
                lib.clone(),
                "package:http_certificate_pinning/http_certificate_pinning.dart".to_string(),
            ),
            (lib.clone(), "https://secure.example.org/api".to_string()),
            (lib.clone(), format!("sha256/{PIN}")),
            (
                "lib/arm64-v8a/libflutter.so".to_string(),
                format!("sha256/{PIN}"),
            ),
            (lib.clone(), "sha256/AAAA".to_string()),
        ];
        let r = analyze(&[], &ns, &[]);
        assert_eq!(r.pinned.len(), 1, "{:?}", r.pinned);
        assert_eq!(r.pinned[0].host, "secure.example.org");
        assert_eq!(r.pinned[0].mechanism, Mechanism::Flutter);
        assert_eq!(r.anomalies.len(), 1, "{:?}", r.anomalies);
        assert!(r.anomalies[0].starts_with("lib/arm64-v8a/libapp.so: pin \"sha256/AAAA\""));
    }

    #[test]
    fn cordova_config_and_certificates() {
        let config = br#"<widget><feature name="SSLCertificateChecker"/></widget>"#;
        let js = format!("window.plugins.sslCertificateChecker.check(ok, err, 'https://pinned.example.net', '{}');", "87:db:d4:5f:b0:92:8d:4e:1d:f8:15:67:e7:f2:ab:af:d6:2b:67:75");
        let files = vec![
            ("res/xml/config.xml".to_string(), &config[..]),
            ("assets/www/js/app.js".to_string(), js.as_bytes()),
        ];
        let r = analyze(&files, &[], &[]);
        assert_eq!(r.pinned.len(), 1, "{:?}", r.pinned);
        assert_eq!(r.pinned[0].host, "pinned.example.net");
        assert_eq!(r.pinned[0].pins[0].algorithm, "sha1");
        assert_eq!(r.pinned[0].mechanism, Mechanism::Cordova);
        // Without the plugin named, nothing.
        assert!(analyze(&files[1..], &[], &[]).pinned.is_empty());
    }
}
