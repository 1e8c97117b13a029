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
