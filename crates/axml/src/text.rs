//! Plain-text XML (apktool's decoded manifest, or a manifest shipped as text) into the same
//! [`Document`] model, via `roxmltree`. All attribute values are [`Value::String`]; the
//! manifest model interprets `true`, numbers and `@type/name` references itself.

use crate::model::{Attribute, AxmlError, Document, Element, Value};
use crate::push_anomaly;

/// Deepest element nesting converted; deeper subtrees are dropped with an anomaly.
const MAX_DEPTH: usize = 256;

/// Parses text XML. DTDs are refused (no entity expansion); `Err` carries line and column.
pub fn parse_text_xml(text: &str) -> Result<Document, AxmlError> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: 4_000_000,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, opts).map_err(|e| {
        let p = e.pos();
        AxmlError::Text {
            line: p.row,
            column: p.col,
            message: e.to_string(),
        }
    })?;
    let mut anomalies = Vec::new();
    let root = convert(doc.root_element(), 0, &mut anomalies);
    Ok(Document {
        root: Some(root),
        anomalies,
    })
}

fn convert(node: roxmltree::Node<'_, '_>, depth: usize, anomalies: &mut Vec<String>) -> Element {
    let tag = node.tag_name();
    let attributes = node
        .attributes()
        .map(|a| Attribute {
            namespace: a.namespace().map(str::to_string),
            name: a.name().to_string(),
            resource_id: None,
            value: Value::String(a.value().to_string()),
        })
        .collect();
    let mut children = Vec::new();
    let mut text: Option<String> = None;
    for child in node.children() {
        if child.is_element() {
            if depth + 1 >= MAX_DEPTH {
                push_anomaly(
                    anomalies,
                    format!(
                        "elements nested deeper than {MAX_DEPTH} at line {} dropped",
                        node.document().text_pos_at(child.range().start).row
                    ),
                );
                continue;
            }
            children.push(convert(child, depth + 1, anomalies));
        } else if let Some(t) = child.text() {
            if child.is_text() && !t.trim().is_empty() {
                text.get_or_insert_with(String::new).push_str(t);
            }
        }
    }
    Element {
        name: tag.name().to_string(),
        namespace: tag.namespace().map(str::to_string),
        attributes,
        children,
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_any;

    const APKTOOL: &str = r#"<?xml version="1.0" encoding="utf-8" standalone="no"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example" android:versionCode="3">
    <uses-permission android:name="android.permission.INTERNET"/>
    <application android:label="@string/app_name"><meta-data android:name="k" android:value="v"/></application>
</manifest>"#;

    #[test]
    fn apktool_manifest() {
        let doc = parse_text_xml(APKTOOL).unwrap();
        let root = doc.root.unwrap();
        assert_eq!(root.name, "manifest");
        let vc = root.android_attr("versionCode").unwrap();
        assert_eq!(vc.namespace.as_deref(), Some(crate::ANDROID_NS));
        assert_eq!(vc.value, Value::String("3".into()));
        assert_eq!(root.children.len(), 2);
    }

    #[test]
    fn parse_any_sniffs_text_binary_and_bom() {
        assert!(parse_any(APKTOOL.as_bytes()).unwrap().root.is_some());
        let mut bom = vec![0xef, 0xbb, 0xbf, b'\n'];
        bom.extend_from_slice(APKTOOL.as_bytes());
        assert!(parse_any(&bom).unwrap().root.is_some());
        let mut u16 = vec![0xff, 0xfe];
        for u in "<a x=\"1\">t</a>".encode_utf16() {
            u16.extend_from_slice(&u.to_le_bytes());
        }
        let d = parse_any(&u16).unwrap();
        assert_eq!(d.root.unwrap().text.as_deref(), Some("t"));
        assert!(matches!(
            parse_any(b"\x07\0\x08\0\0\0\0\0"),
            Err(AxmlError::NotAxml { .. })
        ));
    }

    #[test]
    fn dtd_and_garbage_are_errors() {
        let e = parse_text_xml("<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>").unwrap_err();
        assert!(matches!(e, AxmlError::Text { .. }));
        let e = parse_text_xml("<a><b></a>").unwrap_err();
        assert!(e.to_string().contains("1:"), "{e}");
    }

    #[test]
    fn deep_text_nesting_is_capped() {
        let s = format!("{}{}", "<a>".repeat(600), "</a>".repeat(600));
        match parse_text_xml(&s) {
            Ok(d) => assert!(d.anomalies.iter().any(|a| a.contains("nested deeper"))),
            Err(e) => assert!(matches!(e, AxmlError::Text { .. })),
        }
    }
}
