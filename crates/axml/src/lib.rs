//! Android binary XML (AXML), `resources.arsc` and the manifest model.
//!
//! # Design
//!
//! * [`parse_axml`] is a hand-written, bounds-checked decoder of the compiled XML format
//!   (`ResXMLTree` in AOSP). It mirrors Android's tolerance: unknown chunk kinds are skipped,
//!   string pools with bogus style counts or lying length prefixes still decode, zero-sized
//!   chunks are recovered from (or stop the walk) instead of looping, and every oddity is
//!   recorded as an anomaly string in [`Document::anomalies`] ("warnings as data"). An `Err`
//!   is returned only when the input is not AXML at all.
//! * Strings in the pool are decoded lazily: only the strings an element or attribute refers
//!   to are ever decoded, and UTF-8 strings are borrowed from the input until they are stored
//!   in the owned [`Document`] tree.
//! * Attributes carry the resource id from the resource map (`0x0180` chunk). Like Android's
//!   package parser, [`Element::android_attr`] resolves framework attributes by resource id
//!   (e.g. `versionCode` = `0x0101021b`) and falls back to the name only when an attribute has
//!   no id, which defeats the "obfuscated attribute name" trick.
//! * [`parse_text_xml`] parses plain-text XML (apktool output, or a hostile APK shipping a text
//!   manifest) with `roxmltree` into the same [`Document`] model; [`parse_any`] sniffs the
//!   first bytes. `roxmltree` was chosen because it is MIT/Apache, small, has no dependencies,
//!   refuses DTD entity expansion by default (no billion-laughs), and gives namespace URIs.
//! * [`Resources`] reads `resources.arsc` (packages, type specs, types incl. sparse and
//!   offset16 entry tables, compact entries; complex/map entries are skipped) and answers
//!   `resolve`/`name`/`strings_of_type` queries.
//! * [`Manifest::from_document`] builds the manifest facts a scanner needs (package, versions,
//!   permissions, application flags, components with effective export, meta-data).
//!
//! Parser types carry no serde: the report layer serializes.
//!
//! ```
//! use trackscan_axml::{parse_any, Manifest};
//! let xml = br#"<manifest xmlns:android="http://schemas.android.com/apk/res/android"
//!     package="com.example" android:versionCode="3">
//!   <uses-permission android:name="android.permission.INTERNET"/>
//!   <application android:debuggable="true"/>
//! </manifest>"#;
//! let doc = parse_any(xml).unwrap();
//! let m = Manifest::from_document(&doc, None);
//! assert_eq!(m.package.as_deref(), Some("com.example"));
//! assert_eq!(m.version_code, Some(3));
//! assert_eq!(m.application.debuggable, Some(true));
//! assert_eq!(m.permission_names(), ["android.permission.INTERNET"]);
//! ```

#![deny(missing_docs)]

mod arsc;
mod attrs;
mod binary;
mod manifest;
mod model;
mod pool;
mod text;

pub use arsc::{ArscError, ResValue, Resources};
pub use attrs::{android_attr_id, android_attr_name, ANDROID_NS};
pub use binary::parse_axml;
pub use manifest::{Application, Component, ComponentKind, Manifest, MetaData, Permission};
pub use model::{Attribute, AxmlError, Document, Element, Value};
pub use text::parse_text_xml;

/// Parses a document that may be binary AXML or plain-text XML, choosing by the first bytes:
/// text when (after an optional BOM and whitespace) it starts with `<`, or when it carries a
/// UTF-16 byte-order mark; binary otherwise.
pub fn parse_any(bytes: &[u8]) -> Result<Document, AxmlError> {
    if let Some(rest) = bytes.strip_prefix(&[0xff, 0xfe]) {
        return parse_text_xml(&decode_utf16_text(rest, false));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        return parse_text_xml(&decode_utf16_text(rest, true));
    }
    let body = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(bytes);
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    if let Some(body) = start
        .and_then(|i| body.get(i..))
        .filter(|b| b.first() == Some(&b'<'))
    {
        // Leading whitespace before an XML declaration is invalid XML; hand-written text manifests
        // often have it, so it is dropped.
        let text = String::from_utf8_lossy(body);
        let mut doc = parse_text_xml(&text)?;
        if std::str::from_utf8(body).is_err() {
            doc.anomalies
                .push("text XML is not valid UTF-8; invalid bytes replaced".to_string());
        }
        return Ok(doc);
    }
    parse_axml(bytes)
}

fn decode_utf16_text(bytes: &[u8], big_endian: bool) -> String {
    let units = bytes.chunks_exact(2).map(|c| match c {
        [a, b] if big_endian => u16::from_be_bytes([*a, *b]),
        [a, b] => u16::from_le_bytes([*a, *b]),
        _ => 0xfffd,
    });
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Maximum number of anomalies kept per document; more are counted in one final line.
pub(crate) const MAX_ANOMALIES: usize = 256;

/// Pushes an anomaly unless the cap is reached (then one "suppressed" note is kept).
pub(crate) fn push_anomaly(list: &mut Vec<String>, msg: String) {
    if list.len() < MAX_ANOMALIES {
        list.push(msg);
    } else if list.len() == MAX_ANOMALIES {
        list.push("further anomalies suppressed".to_string());
    }
}

#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
mod prop_tests;
