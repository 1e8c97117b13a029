//! String shapes shared by the detectors: pin strings, digests, host names and URLs.

use crate::{b64, PinDigest};

/// A `sha256/<base64>` or `sha1/<base64>` pin string, checked.
pub(crate) enum PinString {
    /// A valid pin.
    Valid(PinDigest),
    /// Pin-shaped (prefix and base64 alphabet) but unusable; the reason.
    Invalid(String),
}

/// Parses an OkHttp-style pin string. `None` when `s` does not have the shape at all (no
/// prefix, empty digest, characters outside base64 — e.g. an error message).
pub(crate) fn parse_pin_string(s: &str) -> Option<PinString> {
    let s = s.trim();
    let (algorithm, rest, want) = if let Some(r) = s.strip_prefix("sha256/") {
        ("sha256", r, 32)
    } else if let Some(r) = s.strip_prefix("sha1/") {
        ("sha1", r, 20)
    } else {
        return None;
    };
    if !b64::looks_like_base64(rest) {
        return None;
    }
    Some(match b64::decode(rest) {
        Err(e) => PinString::Invalid(format!("pin {s:?}: {e}")),
        Ok(d) if d.len() != want => PinString::Invalid(format!(
            "pin {s:?}: {algorithm} digest is {} bytes, expected {want}",
            d.len()
        )),
        Ok(_) => PinString::Valid(PinDigest {
            algorithm: algorithm.to_string(),
            digest: rest.to_string(),
            expires: None,
            matches_bundled_cert: None,
        }),
    })
}

/// A bare digest: 40/64 hex digits (optionally `:`-separated) or base64 of 20/32 bytes.
/// Returns (algorithm, base64 digest).
pub(crate) fn parse_bare_digest(s: &str) -> Option<(&'static str, String)> {
    let s = s.trim();
    let hexish = s.bytes().all(|c| c.is_ascii_hexdigit() || c == b':');
    if hexish {
        let bytes = b64::decode_hex(s)?;
        return match bytes.len() {
            20 => Some(("sha1", b64::encode(&bytes))),
            32 => Some(("sha256", b64::encode(&bytes))),
            _ => None,
        };
    }
    if (s.len() == 28 || s.len() == 44) && s.ends_with('=') && b64::looks_like_base64(s) {
        let bytes = b64::decode(s).ok()?;
        return match bytes.len() {
            20 => Some(("sha1", s.to_string())),
            32 => Some(("sha256", s.to_string())),
            _ => None,
        };
    }
    None
}

/// First labels that mark a Java/Kotlin package name rather than a host.
const PACKAGE_ROOTS: &[&str] = &[
    "android",
    "androidx",
    "com",
    "org",
    "net",
    "io",
    "java",
    "javax",
    "kotlin",
    "kotlinx",
    "dalvik",
    "okhttp3",
    "retrofit2",
    "sun",
    "me",
    "de",
];

/// A host name or OkHttp/NSC host pattern (`*.` / `**.` prefix). Returns the pattern as
/// written (lower-cased) and whether it covers subdomains.
pub(crate) fn host_pattern(s: &str) -> Option<(String, bool)> {
    let s = s.trim();
    let (wild, name) = if let Some(r) = s.strip_prefix("**.") {
        (true, r)
    } else if let Some(r) = s.strip_prefix("*.") {
        (true, r)
    } else {
        (false, s)
    };
    if !is_host_name(name) {
        return None;
    }
    if !wild {
        // `com.foo.bar`-like strings are package names far more often than hosts.
        let mut labels = name.split('.');
        let first = labels.next().unwrap_or_default();
        if name.split('.').count() >= 3 && PACKAGE_ROOTS.contains(&first) {
            return None;
        }
    }
    Some((s.to_ascii_lowercase(), wild))
}

/// A DNS name with at least two labels and an alphabetic TLD, or an IPv4 address.
pub(crate) fn is_host_name(name: &str) -> bool {
    if name.is_empty() || name.len() > 253 {
        return false;
    }
    let labels: Vec<&str> = name.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    if labels.len() == 4 && labels.iter().all(|l| l.parse::<u8>().is_ok()) {
        return true;
    }
    let ok_label = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
    };
    if !labels.iter().all(ok_label) {
        return false;
    }
    let tld = labels.last().copied().unwrap_or_default();
    tld.len() >= 2 && tld.bytes().all(|c| c.is_ascii_alphabetic())
}

/// The host of an `http(s)://` / `ws(s)://` URL, or a host pattern.
pub(crate) fn host_in(s: &str) -> Option<(String, bool)> {
    let t = s.trim();
    for scheme in ["https://", "http://", "wss://", "ws://"] {
        if let Some(rest) = t.strip_prefix(scheme) {
            let end = rest.find(['/', ':', '?', '#']).unwrap_or(rest.len());
            let host = rest.get(..end)?;
            return is_host_name(host).then(|| (host.to_ascii_lowercase(), false));
        }
    }
    host_pattern(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_strings() {
        let ok = "sha256/2kOi4HdYYsvTR1sTIR7RHwlf2SescTrpza9ZrWy7poQ=";
        match parse_pin_string(ok) {
            Some(PinString::Valid(p)) => {
                assert_eq!(p.algorithm, "sha256");
                assert_eq!(p.digest, "2kOi4HdYYsvTR1sTIR7RHwlf2SescTrpza9ZrWy7poQ=");
            }
            _ => panic!("valid pin rejected"),
        }
        assert!(matches!(
            parse_pin_string("sha1/AAAAAAAAAAAAAAAAAAAAAAAAAAA="),
            Some(PinString::Valid(_))
        ));
        // Wrong length, bad padding: anomalies.
        assert!(
            matches!(parse_pin_string("sha256/AAAA"), Some(PinString::Invalid(e)) if e.contains("3 bytes"))
        );
        assert!(
            matches!(parse_pin_string("sha256/AAA"), Some(PinString::Invalid(e)) if e.contains("length"))
        );
        // Not pins at all: the library's own prefix constants and messages.
        assert!(parse_pin_string("sha256/").is_none());
        assert!(parse_pin_string("sha1/").is_none());
        assert!(parse_pin_string("pins must start with 'sha256/' or 'sha1/': ").is_none());
        assert!(parse_pin_string("sha256/ is not base64").is_none());
    }

    #[test]
    fn bare_digests() {
        assert_eq!(
            parse_bare_digest("87dbd45fb0928d4e1df81567e7f2abafd62b6775").map(|d| d.0),
            Some("sha1")
        );
        assert_eq!(
            parse_bare_digest("2kOi4HdYYsvTR1sTIR7RHwlf2SescTrpza9ZrWy7poQ="),
            Some((
                "sha256",
                "2kOi4HdYYsvTR1sTIR7RHwlf2SescTrpza9ZrWy7poQ=".to_string()
            ))
        );
        assert_eq!(parse_bare_digest("deadbeef"), None);
        assert_eq!(parse_bare_digest("hello"), None);
    }

    #[test]
    fn hosts() {
        assert_eq!(
            host_pattern("api.Example.com"),
            Some(("api.example.com".into(), false))
        );
        assert_eq!(
            host_pattern("*.example.com"),
            Some(("*.example.com".into(), true))
        );
        assert_eq!(
            host_pattern("**.example.com"),
            Some(("**.example.com".into(), true))
        );
        assert_eq!(
            host_pattern("13.235.250.119"),
            Some(("13.235.250.119".into(), false))
        );
        assert_eq!(host_pattern("com.example.app"), None);
        assert_eq!(host_pattern("localhost"), None);
        assert_eq!(host_pattern("foo bar.com"), None);
        assert_eq!(host_pattern("v1.2"), None);
        assert_eq!(
            host_in("https://en.wikipedia.org/wiki/Main_Page"),
            Some(("en.wikipedia.org".into(), false))
        );
        assert_eq!(host_in("https://x.io:8443"), Some(("x.io".into(), false)));
        assert_eq!(host_in("https://"), None);
    }
}
