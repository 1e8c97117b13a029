//! apktool output trees: the facts apktool moves out of the text `AndroidManifest.xml`.
//!
//! - `apktool.yml` holds `versionInfo: {versionCode, versionName}` and `sdkInfo:
//!   {minSdkVersion, targetSdkVersion}`; [`parse_yml`] reads that small YAML subset by hand
//!   (line-based, tolerant of anything else in the file, never fails).
//! - `res/values*/strings.xml` (plus `integers.xml`, `bools.xml`) hold the values behind the
//!   manifest's `@string/app_name` references; [`Values`] reads them (default `res/values/`
//!   first, then the qualified directories for names the default lacks), undoes Android's
//!   string escapes, and substitutes the references in the parsed manifest, so the manifest
//!   model sees what it sees in a binary APK after `resources.arsc` resolution.

use std::collections::BTreeMap;

use trackscan_axml::{Document, Element, Value};

/// Reference hops followed when a value is itself a reference (`@string/a` → `@string/b`).
const MAX_HOPS: usize = 8;
/// Most values kept from all `res/values*/` files together.
const MAX_VALUES: usize = 1_000_000;

/// What `apktool.yml` says about versions and SDK levels.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ApktoolYml {
    /// `versionInfo.versionCode`.
    pub version_code: Option<u64>,
    /// `versionInfo.versionName`.
    pub version_name: Option<String>,
    /// `sdkInfo.minSdkVersion`.
    pub min_sdk: Option<u32>,
    /// `sdkInfo.targetSdkVersion`.
    pub target_sdk: Option<u32>,
}

/// Reads the `versionInfo:` and `sdkInfo:` maps of an `apktool.yml`. Everything else (tags such
/// as `!!brut.androlib.meta.MetaInfo`, lists, other maps, comments) is skipped; a value that
/// is `null`, empty or not a number where one is expected is `None`.
pub(crate) fn parse_yml(text: &str) -> ApktoolYml {
    let mut out = ApktoolYml::default();
    let mut section: Option<&str> = None;
    for line in text.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let body = line.trim_start_matches(' ');
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let indented = body.len() < line.len();
        let Some((key, value)) = body.split_once(':') else {
            if !indented {
                section = None;
            }
            continue;
        };
        let key = unquote_key(key.trim());
        let value = scalar(value);
        if !indented {
            // `versionInfo:` opens a map; `sdkInfo: null` (or any scalar) closes it.
            section = value
                .is_none()
                .then_some(key)
                .filter(|_| is_map_start(body));
            continue;
        }
        match (section, key) {
            (Some("versionInfo"), "versionCode") => {
                out.version_code = value.and_then(|v| v.trim().parse().ok());
            }
            (Some("versionInfo"), "versionName") => out.version_name = value,
            (Some("sdkInfo"), "minSdkVersion") => {
                out.min_sdk = value.and_then(|v| v.trim().parse().ok());
            }
            (Some("sdkInfo"), "targetSdkVersion") => {
                out.target_sdk = value.and_then(|v| v.trim().parse().ok());
            }
            _ => {}
        }
    }
    out
}

/// Whether a top-level line is `key:` with nothing (but a comment) after the colon.
fn is_map_start(body: &str) -> bool {
    body.split_once(':').is_some_and(|(_, rest)| {
        let rest = rest.trim();
        rest.is_empty() || rest.starts_with('#')
    })
}

fn unquote_key(k: &str) -> &str {
    k.strip_prefix('\'')
        .and_then(|k| k.strip_suffix('\''))
        .or_else(|| k.strip_prefix('"').and_then(|k| k.strip_suffix('"')))
        .unwrap_or(k)
}

/// A YAML scalar after `key:`: single-quoted (`''` is a quote), double-quoted (backslash
/// escapes), or plain (up to a ` #` comment); `null`, `~` and nothing are `None`.
fn scalar(raw: &str) -> Option<String> {
    let v = raw.trim();
    if v.starts_with('#') {
        return None;
    }
    if let Some(rest) = v.strip_prefix('\'') {
        let mut s = String::new();
        let mut chars = rest.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\'' {
                if chars.peek() == Some(&'\'') {
                    chars.next();
                    s.push('\'');
                } else {
                    break;
                }
            } else {
                s.push(c);
            }
        }
        return Some(s);
    }
    if let Some(rest) = v.strip_prefix('"') {
        let mut s = String::new();
        let mut chars = rest.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => match chars.next() {
                    Some('n') => s.push('\n'),
                    Some('t') => s.push('\t'),
                    Some('0') => s.push('\0'),
                    Some('u') => {
                        let hex: String = chars.by_ref().take(4).collect();
                        if let Some(ch) =
                            u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
                        {
                            s.push(ch);
                        }
                    }
                    Some(other) => s.push(other),
                    None => break,
                },
                c => s.push(c),
            }
        }
        return Some(s);
    }
    let plain = match v.find(" #") {
        Some(i) => v.get(..i).unwrap_or(v).trim_end(),
        None => v,
    };
    match plain {
        "" | "~" | "null" | "Null" | "NULL" => None,
        p => Some(p.to_string()),
    }
}

/// Resource values of an apktool tree: `(type, name)` → value text, e.g.
/// `("string", "app_name")` → `"Hello"`.
#[derive(Debug, Default)]
pub(crate) struct Values {
    map: BTreeMap<(String, String), String>,
    /// Oddities met while reading (unparsable files, the value limit).
    pub warnings: Vec<String>,
}

impl Values {
    /// Adds the values of one `res/values*/*.xml` file (`name` for messages); names already
    /// known are kept (callers add the default `res/values/` first).
    pub fn add_file(&mut self, name: &str, bytes: &[u8]) {
        let Ok(text) = std::str::from_utf8(bytes) else {
            self.warnings
                .push(format!("{name}: not UTF-8 text; its values are not used"));
            return;
        };
        let opts = roxmltree::ParsingOptions {
            allow_dtd: false,
            nodes_limit: 4_000_000,
            ..roxmltree::ParsingOptions::default()
        };
        let doc = match roxmltree::Document::parse_with_options(text, opts) {
            Ok(d) => d,
            Err(e) => {
                self.warnings
                    .push(format!("{name}: {e}; its values are not used"));
                return;
            }
        };
        for el in doc.root_element().children().filter(|n| n.is_element()) {
            let tag = el.tag_name().name();
            let ty = match tag {
                "string" | "integer" | "bool" => tag,
                "item" => match el.attribute("type") {
                    Some(t @ ("string" | "integer" | "bool")) => t,
                    _ => continue,
                },
                _ => continue,
            };
            let Some(key) = el.attribute("name") else {
                continue;
            };
            if self.map.len() >= MAX_VALUES {
                self.warnings.push(format!(
                    "{name}: more than {MAX_VALUES} resource values; the rest are not used"
                ));
                return;
            }
            // Styled strings (`Hi <b>there</b>`): the text of every descendant, in order.
            let raw: String = el
                .descendants()
                .filter(|n| n.is_text())
                .filter_map(|n| n.text())
                .collect();
            let value = if ty == "string" {
                android_unescape(&raw)
            } else {
                raw.trim().to_string()
            };
            self.map
                .entry((ty.to_string(), key.to_string()))
                .or_insert(value);
        }
    }

    /// Strings (type `string`) as `(name, value)`, in name order.
    pub fn strings(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map
            .iter()
            .filter(|((t, _), _)| t == "string")
            .map(|((_, n), v)| (n.as_str(), v.as_str()))
    }

    /// The value a reference such as `@string/app_name` (or `@pkg:string/x`, not `@android:`)
    /// names, following references between values; `None` when it is not a reference to a
    /// known value.
    pub fn resolve(&self, reference: &str) -> Option<&str> {
        let mut cur = reference;
        let mut found = None;
        for _ in 0..MAX_HOPS {
            let Some((ty, name)) = parse_reference(cur) else {
                break;
            };
            let Some(v) = self.map.get(&(ty.to_string(), name.to_string())) else {
                break;
            };
            found = Some(v.as_str());
            cur = v;
        }
        found
    }

    /// Replaces app resource references in the manifest's attribute values by the values
    /// they name (as Android resolves them through `resources.arsc`). `android:resource`
    /// attributes keep the reference: the report names the resource there, as for an APK.
    pub fn substitute(&self, doc: &mut Document) {
        if self.map.is_empty() {
            return;
        }
        if let Some(root) = doc.root.as_mut() {
            self.substitute_element(root);
        }
    }

    fn substitute_element(&self, el: &mut Element) {
        for a in &mut el.attributes {
            if a.name == "resource" {
                continue;
            }
            if let Value::String(s) = &a.value {
                if let Some(v) = self.resolve(s) {
                    a.value = Value::String(v.to_string());
                }
            }
        }
        for c in &mut el.children {
            self.substitute_element(c);
        }
    }
}

/// `(type, name)` of `@type/name` or `@pkg:type/name` (`@+id/…` too); framework references
/// (`@android:…`) are not app values.
fn parse_reference(s: &str) -> Option<(&str, &str)> {
    let r = s.strip_prefix('@')?;
    let r = r.strip_prefix('+').unwrap_or(r);
    let r = match r.split_once(':') {
        Some(("android", _)) => return None,
        Some((_, rest)) => rest,
        None => r,
    };
    let (ty, name) = r.split_once('/')?;
    (!ty.is_empty() && !name.is_empty()).then_some((ty, name))
}

/// A `<string>`'s text as Android compiles it (aapt2): runs of whitespace outside double
/// quotes become one space and the ends are trimmed, double quotes are dropped (and keep
/// the whitespace inside them), and backslash escapes are undone (`\'`, `\"`, `\\`, `\n`,
/// `\t`, `\@`, `\?`, `\uXXXX`). XML escapes such as `&amp;` are undone by the XML parser.
pub(crate) fn android_unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut quoted = false;
    // Whether a collapsed space is pending (emitted before the next visible character).
    let mut space = false;
    let mut chars = raw.chars();
    let push = |out: &mut String, space: &mut bool, c: char| {
        if *space && !out.is_empty() {
            out.push(' ');
        }
        *space = false;
        out.push(c);
    };
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                if quoted && space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
            }
            '\\' => {
                let e = match chars.next() {
                    Some('n') => '\n',
                    Some('t') => '\t',
                    Some('u') => {
                        let hex: String = chars.by_ref().take(4).collect();
                        match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                            Some(ch) => ch,
                            None => continue,
                        }
                    }
                    Some(other) => other,
                    None => break,
                };
                push(&mut out, &mut space, e);
            }
            c if c.is_whitespace() && !quoted => space = true,
            c => push(&mut out, &mut space, c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yml_of_apktool_2_7_with_versions_and_null_sdk_info() {
        let y = parse_yml(
            "!!brut.androlib.meta.MetaInfo\napkFileName: a.apk\ndoNotCompress:\n- resources.arsc\n\
             sdkInfo: null\nversion: 2.7.0-dirty\nversionInfo:\n  versionCode: '1'\n  versionName: '1.0'\n",
        );
        assert_eq!(
            y,
            ApktoolYml {
                version_code: Some(1),
                version_name: Some("1.0".into()),
                min_sdk: None,
                target_sdk: None,
            }
        );
    }

    #[test]
    fn yml_sdk_info_quotes_comments_and_crlf() {
        let y = parse_yml(
            "sdkInfo:\r\n  minSdkVersion: '21'\r\n  targetSdkVersion: \"33\" # t\r\n  maxSdkVersion: '34'\r\n\
             versionInfo: # map\r\n  versionCode: 4294967300\r\n  versionName: 'it''s 2.0 \"beta\"'\r\n",
        );
        assert_eq!(y.min_sdk, Some(21));
        assert_eq!(y.target_sdk, Some(33));
        assert_eq!(y.version_code, Some(4_294_967_300));
        assert_eq!(y.version_name.as_deref(), Some("it's 2.0 \"beta\""));
        // A preview codename or junk is no number; a later top-level key ends the map.
        let y = parse_yml("sdkInfo:\n  minSdkVersion: Q\nother:\n  targetSdkVersion: '30'\n");
        assert_eq!((y.min_sdk, y.target_sdk), (None, None));
        let y = parse_yml("versionInfo:\n  versionName: \"a\\u00e9\\\"b\\\\\"\n  versionCode: ~\n");
        assert_eq!(y.version_name.as_deref(), Some("aé\"b\\"));
        assert_eq!(y.version_code, None);
    }

    #[test]
    fn yml_reader_never_panics_on_junk() {
        for junk in [
            "",
            ":",
            "versionInfo:\n  versionCode: '",
            "versionInfo:\n  versionName: \"\\u12",
            "versionInfo:\n  versionName: \"\\",
            "\u{feff}versionInfo:\n\tversionCode: 1",
            "  : \n  a:b:c\n- - -\n",
        ] {
            let _ = parse_yml(junk);
        }
        let y = parse_yml("versionInfo:\n  versionName: \"\\u12\"");
        assert_eq!(y.version_name.as_deref(), Some(""));
    }

    #[test]
    fn android_escapes_and_whitespace() {
        assert_eq!(android_unescape("Hello Mixpanel"), "Hello Mixpanel");
        assert_eq!(android_unescape("Don\\'t"), "Don't");
        assert_eq!(android_unescape("  a \n   b  "), "a b");
        assert_eq!(android_unescape("\"  keep  \" x"), "  keep   x");
        assert_eq!(
            android_unescape("say \\\"hi\\\" \\@ \\? \\\\"),
            "say \"hi\" @ ? \\"
        );
        assert_eq!(android_unescape("l1\\nl2\\tt \\u00e9\\uZZ"), "l1\nl2\tt é");
        assert_eq!(android_unescape("trailing \\"), "trailing");
    }

    #[test]
    fn values_default_first_escapes_and_references() {
        let mut v = Values::default();
        v.add_file(
            "res/values/strings.xml",
            br#"<?xml version="1.0" encoding="utf-8"?>
<resources>
    <string name="app_name">Tom &amp; Jerry\'s</string>
    <string name="alias">@string/app_name</string>
    <string name="styled">Hi <b>there</b>!</string>
    <item type="string" name="as_item">item</item>
    <integer name="target">33</integer>
    <bool name="backup">false</bool>
    <color name="c">#fff</color>
</resources>"#,
        );
        v.add_file(
            "res/values-fr/strings.xml",
            b"<resources><string name=\"app_name\">Tom et Jerry</string><string name=\"only_fr\">oui</string></resources>",
        );
        v.add_file("res/values-de/strings.xml", b"<resources><string");
        v.add_file("res/values-es/strings.xml", b"\xff\xfe");
        assert_eq!(v.warnings.len(), 2, "{:?}", v.warnings);
        assert_eq!(v.resolve("@string/app_name"), Some("Tom & Jerry's"));
        assert_eq!(v.resolve("@string/alias"), Some("Tom & Jerry's"));
        assert_eq!(v.resolve("@com.x:string/alias"), Some("Tom & Jerry's"));
        assert_eq!(v.resolve("@string/styled"), Some("Hi there!"));
        assert_eq!(v.resolve("@string/as_item"), Some("item"));
        assert_eq!(v.resolve("@string/only_fr"), Some("oui"));
        assert_eq!(v.resolve("@integer/target"), Some("33"));
        assert_eq!(v.resolve("@bool/backup"), Some("false"));
        for none in [
            "@android:string/ok",
            "@color/c",
            "@string/nope",
            "plain",
            "@",
            "@/x",
        ] {
            assert_eq!(v.resolve(none), None, "{none}");
        }
        let names: Vec<&str> = v.strings().map(|(n, _)| n).collect();
        assert_eq!(names, ["alias", "app_name", "as_item", "only_fr", "styled"]);
    }

    #[test]
    fn reference_cycles_stop() {
        let mut v = Values::default();
        v.add_file(
            "res/values/strings.xml",
            b"<resources><string name=\"a\">@string/b</string><string name=\"b\">@string/a</string></resources>",
        );
        assert!(v.resolve("@string/a").is_some());
    }
}

#[cfg(test)]
mod prop_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// `apktool.yml` is read from untrusted trees: any text gives a value, never a panic.
        #[test]
        fn yml_never_panics(text in "(?s)[ -~\\n\\r\\t:'\"#!-]{0,400}") {
            let y = parse_yml(&text);
            // A number that was read is one the text spells.
            if let Some(code) = y.version_code {
                prop_assert!(text.contains(&code.to_string()));
            }
        }

        /// Values files are untrusted bytes: no panic, references resolve within the hop bound.
        #[test]
        fn values_never_panic(
            bytes in proptest::collection::vec(any::<u8>(), 0..300),
            xmlish in "(?s)<resources>(<string name=\"[a-z@/]{0,6}\">[ -~]{0,20}</string>){0,6}</resources>",
            reference in "@?[a-z]{0,6}/?[a-z@/]{0,6}",
        ) {
            let mut v = Values::default();
            v.add_file("res/values/junk.xml", &bytes);
            v.add_file("res/values/strings.xml", xmlish.as_bytes());
            let _ = v.resolve(&reference);
            for (_, value) in v.strings() {
                let _ = android_unescape(value);
            }
        }

        /// Android's string escapes: undoing them never panics and never grows the text
        /// by more than the escapes can spell (`\uXXXX` is six bytes for at most four).
        #[test]
        fn unescape_never_grows(raw in "(?s)[ -~\\\\]{0,200}") {
            prop_assert!(android_unescape(&raw).len() <= raw.len());
        }
    }
}
