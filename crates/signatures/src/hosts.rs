//! Host name extraction from free text, and SDK versions from Gradle version files.

/// Longest host name accepted (RFC 1035).
const MAX_HOST: usize = 253;

/// Last labels accepted for bare (non-URL) host names. Deliberately short: DEX strings are
/// full of dotted keys (`os.name`, `ai.device.id`, `measurement.app`), so TLDs that are
/// also common words or key suffixes (`name`, `id`, `app`, `dev`, `it`, `in`, `is`, `me`,
/// `to`, `global`, …) are only accepted inside URLs.
const BARE_TLDS: &[&str] = &[
    "com", "net", "org", "io", "co", "gl", "ly", "tv", "info", "biz", "edu", "gov", "mobi", "xyz",
    "cloud", "online", "site", "link", "ai", "lt", "uk", "de", "fr", "ru", "cn", "jp", "kr", "br",
    "es", "nl", "pl", "se", "fi", "dk", "ch", "au", "ca", "eu", "tr", "ir", "vn", "tw", "hk", "sg",
    "th", "ph", "mx", "ar", "cl", "pt", "gr", "cz", "ro", "hu", "ua", "il", "za", "nz", "lv", "ee",
    "sk", "si", "hr", "bg", "rs", "by", "kz", "su", "cc", "ws", "fm", "gg", "im", "la", "li", "lu",
    "mn", "st", "jo", "sa", "ae", "eg", "pk", "bd", "ng", "ke",
];

/// URL schemes whose authority is a network host (`""` = scheme-relative `//host`).
const HOST_SCHEMES: &[&str] = &["http", "https", "ws", "wss", "ftp", "ftps", ""];

/// First labels that mark a reversed-domain Java/Android name (`com.google.ads`,
/// `android.os`) rather than a host, for bare tokens.
const REVERSED_FIRST: &[&str] = &[
    "com",
    "org",
    "net",
    "io",
    "android",
    "androidx",
    "java",
    "javax",
    "kotlin",
    "kotlinx",
    "dalvik",
    "sun",
    "junit",
    "okhttp3",
    "retrofit2",
    "edu",
    "gov",
];

fn valid_label(l: &str) -> bool {
    !l.is_empty()
        && l.len() <= 63
        && !l.starts_with('-')
        && !l.ends_with('-')
        && l.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Normalises a host name: lowercase, no trailing dot; `None` unless it has at least two
/// valid labels and a TLD-like last label (alphabetic, ≥ 2 characters, or `xn--`).
pub fn normalize_host(s: &str) -> Option<String> {
    let h = s.trim_end_matches('.').to_ascii_lowercase();
    if h.len() > MAX_HOST || !h.contains('.') {
        return None;
    }
    if !h.split('.').all(valid_label) {
        return None;
    }
    let last = h.rsplit('.').next()?;
    let tld_like = (last.len() >= 2 && last.bytes().all(|b| b.is_ascii_lowercase()))
        || last.starts_with("xn--");
    tld_like.then_some(h)
}

fn host_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'-'
}

/// Judges one token (a maximal run of `[A-Za-z0-9.-]`) found in text.
fn token_host(text: &str, start: usize, token: &str) -> Option<String> {
    let before = text.get(..start).unwrap_or("");
    // `scheme://user:pw@host`: judge the text before the user info.
    let authority_start = match before.strip_suffix('@') {
        Some(b) => b
            .rfind("//")
            .filter(|&i| {
                b.get(i..)
                    .is_some_and(|ui| !ui.get(2..).unwrap_or("").contains(['/', ' ', '@']))
            })
            .map_or(before, |i| b.get(..i.saturating_add(2)).unwrap_or(before)),
        None => before,
    };
    let in_url = authority_start
        .strip_suffix("//")
        .is_some_and(|b| match b.strip_suffix(':') {
            Some(b) => {
                let scheme_start = b
                    .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
                    .map_or(0, |i| i.saturating_add(1));
                let scheme = b.get(scheme_start..).unwrap_or("");
                HOST_SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(scheme))
            }
            // Scheme-relative `//host`, but not a path like `a//b`.
            None => !b.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '/'),
        });
    // A URL path segment (`/auth/plus.me`) or a non-network URI (`content://a.b`) is
    // not a host.
    if !in_url && (before.ends_with('/') || before.ends_with(':')) {
        return None;
    }
    let mut tok = token.trim_matches('.');
    // `%s.host.com`: the run starts with the format conversion letter.
    if before.ends_with('%') || before.ends_with('$') {
        tok = tok.split_once('.').map(|(_, rest)| rest).unwrap_or("");
    }
    tok = tok.trim_matches(|c| c == '.' || c == '-');
    if tok.is_empty() {
        return None;
    }
    if in_url {
        return normalize_host(tok);
    }
    // Bare token: be strict, since DEX strings are full of dotted Java names and keys.
    if tok.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let h = normalize_host(tok)?;
    let first = h.split('.').next()?;
    let last = h.rsplit('.').next()?;
    if REVERSED_FIRST.contains(&first) || !BARE_TLDS.contains(&last) {
        return None;
    }
    // `gcm.n.link`: single-letter labels after the first are keys, not hosts.
    if h.split('.').skip(1).any(|l| l.len() == 1) {
        return None;
    }
    Some(h)
}

/// Finds URLs and bare host names in a string and yields them normalised (lowercase, no
/// port, no user info, no trailing dot).
///
/// Hosts of `http`, `https`, `ws(s)`, `ftp(s)` and scheme-relative (`//host`) URLs are
/// accepted with any alphabetic TLD (user info and port dropped). Bare tokens must be
/// lowercase, end in a TLD from a short list that excludes common key suffixes
/// (`os.name`, `ai.device.id` are rejected), have no one-letter inner label, and not look
/// like a Java name (`java.lang.String`, `com.google.ads`, `R.string`, `x.png`). URL path
/// segments (`/auth/plus.me`) and non-network URIs (`content://com.foo.provider`) are
/// skipped. `%s.host.com` yields `host.com`.
pub fn extract_hosts(text: &str) -> impl Iterator<Item = String> + '_ {
    let bytes = text.as_bytes();
    // A host has a dot, so only the tokens (maximal runs of `[A-Za-z0-9.-]`) around a dot
    // are looked at: each is found from its first dot (memchr) by walking back to its start
    // and forward to its end, and the search goes on after it. Most strings (names,
    // descriptors, messages) cost one memchr, and long texts are not walked byte by byte.
    let mut from = 0usize;
    std::iter::from_fn(move || {
        // `memchr` (SIMD) rather than `str::find`, whose scalar search was a tenth of the
        // analysis time natively.
        while let Some(dot) = bytes
            .get(from..)
            .and_then(|rest| memchr::memchr(b'.', rest))
            .map(|k| from.saturating_add(k))
        {
            // The byte before `from` ended the previous token (or `from` is 0), so the walk
            // back stays inside this token.
            let mut start = dot;
            while start > from && bytes.get(start - 1).is_some_and(|&b| host_char(b)) {
                start -= 1;
            }
            let mut end = dot.saturating_add(1);
            while bytes.get(end).is_some_and(|&b| host_char(b)) {
                end = end.saturating_add(1);
            }
            from = end;
            if end.saturating_sub(start) > MAX_HOST.saturating_add(2) {
                continue;
            }
            // Runs are ASCII-only, so these are char boundaries.
            let token = text.get(start..end).unwrap_or("");
            if let Some(h) = token_host(text, start, token) {
                return Some(h);
            }
        }
        None
    })
}

/// The SDK version in a version file, when it looks like a version (starts with a digit,
/// ≤ 64 characters of `[0-9A-Za-z.+_-]`):
/// - a Gradle `META-INF/*.version` file: its first non-empty line, trimmed;
/// - a Java properties file that Google Play services / Firebase (`firebase-analytics.properties`:
///   `version=17.4.3`) or Fabric (`fabric/….properties`: `fabric-version=2.6.7`) ship at the APK's
///   root: the value of its `version` or `fabric-version` key (`#` / `!` comment lines skipped).
///   Other keys (`version_name` of `crashlytics-build.properties` is the *app's* version) are
///   never read.
pub fn sdk_version_from_file(content: &str) -> Option<String> {
    let line = content.lines().map(str::trim).find(|l| !l.is_empty())?;
    if valid_version(line) {
        return Some(line.to_string());
    }
    content
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#') && !l.starts_with('!'))
        .filter_map(|l| l.split_once(['=', ':']))
        .find(|(k, _)| matches!(k.trim(), "version" | "fabric-version"))
        .map(|(_, v)| v.trim())
        .filter(|v| valid_version(v))
        .map(str::to_string)
}

/// True when `s` looks like a version string.
pub(crate) fn valid_version(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.starts_with(|c: char| c.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(s: &str) -> Vec<String> {
        extract_hosts(s).collect()
    }

    #[test]
    fn versions_from_version_and_properties_files() {
        assert_eq!(
            sdk_version_from_file("\n 18.3.7 \n").as_deref(),
            Some("18.3.7")
        );
        let gms = "version=17.4.3\nclient=firebase-analytics\nfirebase-analytics_client=17.4.3\n";
        assert_eq!(sdk_version_from_file(gms).as_deref(), Some("17.4.3"));
        let blaze = "build.target=blaze-out/x.jar\n\nversion = 16.2.3\nclient=x\n";
        assert_eq!(sdk_version_from_file(blaze).as_deref(), Some("16.2.3"));
        let fabric =
            "fabric-identifier=com.crashlytics.sdk.android:crashlytics\nfabric-version=2.6.7\n";
        assert_eq!(sdk_version_from_file(fabric).as_deref(), Some("2.6.7"));
        // The app's own version in crashlytics-build.properties is not an SDK version.
        let app = "#generated\nversion_name=0.9.1804011545\nversion_code=1804011545\n";
        assert_eq!(sdk_version_from_file(app), None);
        assert_eq!(
            sdk_version_from_file("#version=1.2.3\nversion=not a version"),
            None
        );
        assert_eq!(sdk_version_from_file(""), None);
    }

    #[test]
    fn urls_and_bare_hosts() {
        assert_eq!(
            hosts("https://user:pw@API2.Branch.IO:443/v1/open?x=1"),
            ["api2.branch.io"]
        );
        assert_eq!(hosts("see graph.facebook.com."), ["graph.facebook.com"]);
        assert_eq!(
            hosts("x https://%s.appsflyer.com/api/v4 y"),
            ["appsflyer.com"]
        );
        assert_eq!(hosts("https://t.appsflyersdk.com"), ["t.appsflyersdk.com"]);
        assert_eq!(
            hosts("a http://app-measurement.com/a b https://settings.crashlytics.com/spi/v2"),
            ["app-measurement.com", "settings.crashlytics.com"]
        );
        assert_eq!(
            hosts("bnc.lt and example.co.uk"),
            ["bnc.lt", "example.co.uk"]
        );
        assert_eq!(
            hosts("http://xn--80ak6aa92e.xn--p1ai/"),
            ["xn--80ak6aa92e.xn--p1ai"]
        );
        assert_eq!(hosts("//cdn.example.dev/x"), ["cdn.example.dev"]);
        assert_eq!(hosts("wss://rt.example.app:8443"), ["rt.example.app"]);
        assert_eq!(
            hosts("goo.gl, grpc.io; app.link"),
            ["goo.gl", "grpc.io", "app.link"]
        );
        assert_eq!(
            hosts("https://www.googleapis.com/auth/plus.me"),
            ["www.googleapis.com"]
        );
    }

    #[test]
    fn rejects_java_names_files_and_ips() {
        for s in [
            "java.lang.String",
            "R.string",
            "x.png",
            "com.google.android.gms.ads",
            "android.os.Build",
            "libfoo.so",
            "config.js",
            "1.2.3",
            "http://54.243.73.253:8080/x",
            "AppsFlyer_6.9.0",
            "Lcom/appsflyer/AppsFlyerLib;",
            "a..b",
            "e.g",
            "META-INF/com.google.firebase_firebase-analytics.version",
            "os.name",
            "ai.device.id",
            "measurement.app",
            "debug.firebase.analytics.app",
            "gcm.n.link",
            "1.2.4.dev",
            "content://com.facebook.katana.provider.AttributionIdProvider",
            "fb123://authorize.example.com",
            "file:///sdcard/x.com",
            "this.is a sentence",
        ] {
            assert!(hosts(s).is_empty(), "{s}: {:?}", hosts(s));
        }
    }

    #[test]
    fn normalize() {
        assert_eq!(
            normalize_host("WWW.Example.COM."),
            Some("www.example.com".into())
        );
        assert_eq!(normalize_host("localhost"), None);
        assert_eq!(normalize_host("a_b.com"), None);
        assert_eq!(normalize_host(&format!("{}.com", "a".repeat(64))), None);
    }

    #[test]
    fn version_files() {
        assert_eq!(sdk_version_from_file("21.2.0\n"), Some("21.2.0".into()));
        assert_eq!(
            sdk_version_from_file("\n  4.1.0-beta01 \n"),
            Some("4.1.0-beta01".into())
        );
        assert_eq!(sdk_version_from_file("task ':x'"), None);
        assert_eq!(sdk_version_from_file(""), None);
        assert_eq!(sdk_version_from_file(&"1".repeat(65)), None);
    }

    /// The byte-by-byte tokenizer `extract_hosts` replaced, kept as the reference.
    fn extract_hosts_bytewise(text: &str) -> Vec<String> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if !host_char(bytes[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && host_char(bytes[i]) {
                i += 1;
            }
            let token = &text[start..i];
            if !token.contains('.') || token.len() > MAX_HOST + 2 {
                continue;
            }
            out.extend(token_host(text, start, token));
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn dot_driven_equals_bytewise(
            s in "([a-zA-Z0-9.:/@%$ -]|https?://|\\.com|\\.io|[^a-z]){0,60}"
        ) {
            proptest::prop_assert_eq!(hosts(&s), extract_hosts_bytewise(&s));
        }

        #[test]
        fn extract_never_panics_and_yields_valid(s in "\\PC{0,80}") {
            for h in extract_hosts(&s) {
                proptest::prop_assert_eq!(normalize_host(&h), Some(h.clone()));
            }
        }
    }
}
