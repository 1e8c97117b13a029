//! The document model shared by the binary and the text XML parsers.

use crate::attrs::{android_attr_id, ANDROID_NS};
use std::fmt;

/// A parsed XML document: the root element (if any survived) plus the anomalies met on the way.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// The root element; `None` when the input held no element at all.
    pub root: Option<Element>,
    /// Human-readable notes about everything odd in the input (warnings as data).
    pub anomalies: Vec<String>,
}

/// One XML element.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Element {
    /// Local name, e.g. `uses-permission`.
    pub name: String,
    /// Namespace URI of the element, when it has one.
    pub namespace: Option<String>,
    /// Attributes in document order.
    pub attributes: Vec<Attribute>,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// Character data directly inside this element (all runs concatenated), if any.
    pub text: Option<String>,
}

impl Element {
    /// The first attribute with this local name, in any namespace.
    pub fn attr(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// A framework (`android:`) attribute, resolved like Android does: by resource id when the
    /// crate knows the id for `name` and the attribute carries one; attributes without a
    /// resource id (text XML, AXML without resource map) match by name in the Android
    /// namespace only, as `getAttributeValue(ANDROID_NS, name)` does: a `name` with no
    /// namespace or a look-alike namespace URI is not `android:name` (the namespace trick). An
    /// attribute whose id is a different one never matches by name alone, so a decoy
    /// `versionCode` with a bogus id is ignored.
    pub fn android_attr(&self, name: &str) -> Option<&Attribute> {
        if let Some(id) = android_attr_id(name) {
            if let Some(a) = self.attributes.iter().find(|a| a.resource_id == Some(id)) {
                return Some(a);
            }
        }
        self.attributes.iter().find(|a| {
            a.resource_id.is_none() && a.name == name && a.namespace.as_deref() == Some(ANDROID_NS)
        })
    }

    /// Children with this local name.
    pub fn children_named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// This element and all elements below it, depth-first in document order (iterative, so
    /// deep trees cannot overflow the stack).
    pub fn descendants(&self) -> impl Iterator<Item = &Element> {
        let mut stack = vec![self];
        std::iter::from_fn(move || {
            let e = stack.pop()?;
            stack.extend(e.children.iter().rev());
            Some(e)
        })
    }
}

/// One attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// Namespace URI, when the attribute has one.
    pub namespace: Option<String>,
    /// Local name as stored in the file (may be obfuscated; see [`Element::android_attr`]).
    pub name: String,
    /// Resource id of the attribute from the AXML resource map, when present.
    pub resource_id: Option<u32>,
    /// The typed value.
    pub value: Value,
}

/// A typed attribute value (`Res_value`).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string (type 0x03, or any value of a text XML document).
    String(String),
    /// A decimal or hexadecimal integer (types 0x10, 0x11).
    Int(i64),
    /// A boolean (type 0x12).
    Bool(bool),
    /// A resource reference `@0x7f...` (types 0x01, 0x07).
    Reference(u32),
    /// A theme attribute reference `?0x7f...` (type 0x02).
    AttributeRef(u32),
    /// A float (type 0x04).
    Float(f32),
    /// Anything else: dimension (0x05), fraction (0x06), colours (0x1c..0x1f), null (0x00), or
    /// unknown types.
    Other {
        /// The `Res_value` data type.
        data_type: u8,
        /// The raw 32-bit data.
        data: u32,
    },
}

/// `Res_value` data types.
pub(crate) mod ty {
    pub const NULL: u8 = 0x00;
    pub const REFERENCE: u8 = 0x01;
    pub const ATTRIBUTE: u8 = 0x02;
    pub const STRING: u8 = 0x03;
    pub const FLOAT: u8 = 0x04;
    pub const DIMENSION: u8 = 0x05;
    pub const FRACTION: u8 = 0x06;
    pub const DYNAMIC_REFERENCE: u8 = 0x07;
    pub const INT_DEC: u8 = 0x10;
    pub const INT_HEX: u8 = 0x11;
    pub const INT_BOOLEAN: u8 = 0x12;
    pub const COLOR_FIRST: u8 = 0x1c;
    pub const COLOR_LAST: u8 = 0x1f;
}

impl Value {
    /// Builds a value from a `Res_value` type and data; strings are resolved by the caller.
    pub(crate) fn from_typed(data_type: u8, data: u32) -> Value {
        match data_type {
            ty::REFERENCE | ty::DYNAMIC_REFERENCE => Value::Reference(data),
            ty::ATTRIBUTE => Value::AttributeRef(data),
            ty::FLOAT => Value::Float(f32::from_bits(data)),
            ty::INT_DEC | ty::INT_HEX => Value::Int(i64::from(data as i32)),
            ty::INT_BOOLEAN => Value::Bool(data != 0),
            _ => Value::Other { data_type, data },
        }
    }

    /// The value as text for display: strings as is, integers in decimal, booleans as
    /// `true`/`false`, references as `@0x7f0c0001`, attribute references as `?0x...`,
    /// dimensions like `16.0dip`, fractions like `50.0%`, colours like `#ff00ff00`.
    pub fn as_string(&self) -> String {
        match self {
            Value::String(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Reference(r) => format!("@0x{r:08x}"),
            Value::AttributeRef(r) => format!("?0x{r:08x}"),
            Value::Float(f) => f.to_string(),
            Value::Other { data_type, data } => format_other(*data_type, *data),
        }
    }

    /// The string, when this is a string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_string())
    }
}

/// Decodes a "complex" (dimension/fraction) value: 24-bit mantissa with a radix and a unit.
fn complex_to_float(data: u32) -> f32 {
    let mantissa = (data & 0xffff_ff00) as i32 as f32;
    let shift = match (data >> 4) & 3 {
        0 => 8.0,
        1 => 15.0,
        2 => 23.0,
        _ => 31.0,
    };
    mantissa / 2f32.powf(shift)
}

pub(crate) fn format_other(data_type: u8, data: u32) -> String {
    match data_type {
        ty::NULL => String::new(),
        ty::DIMENSION => {
            let unit = match data & 0xf {
                0 => "px",
                1 => "dip",
                2 => "sp",
                3 => "pt",
                4 => "in",
                5 => "mm",
                _ => "",
            };
            format!("{}{unit}", complex_to_float(data))
        }
        ty::FRACTION => {
            let unit = if data & 0xf == 1 { "%p" } else { "%" };
            format!("{}{unit}", complex_to_float(data) * 100.0)
        }
        ty::COLOR_FIRST..=ty::COLOR_LAST => format!("#{data:08x}"),
        _ => format!("0x{data:08x}"),
    }
}

/// Why a document could not be parsed at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AxmlError {
    /// Fewer bytes than a chunk header.
    TooShort {
        /// Length of the input.
        len: usize,
    },
    /// The first chunk is not an XML chunk (type 0x0003).
    NotAxml {
        /// Offset of the bad header (always 0).
        offset: usize,
        /// The chunk type found.
        found: u16,
    },
    /// The text XML parser rejected the input.
    Text {
        /// Line of the error (1-based).
        line: u32,
        /// Column of the error (1-based).
        column: u32,
        /// The parser's message.
        message: String,
    },
}

impl fmt::Display for AxmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AxmlError::TooShort { len } => {
                write!(f, "binary XML too short: {len} bytes, need at least 8")
            }
            AxmlError::NotAxml { offset, found } => write!(
                f,
                "not binary XML: chunk type 0x{found:04x} at offset {offset}, expected 0x0003"
            ),
            AxmlError::Text {
                line,
                column,
                message,
            } => write!(f, "text XML error at {line}:{column}: {message}"),
        }
    }
}

impl std::error::Error for AxmlError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(name: &str, children: Vec<Element>) -> Element {
        Element {
            name: name.into(),
            children,
            ..Element::default()
        }
    }

    #[test]
    fn descendants_in_document_order() {
        let t = el("a", vec![el("b", vec![el("c", vec![])]), el("d", vec![])]);
        let names: Vec<&str> = t.descendants().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c", "d"]);
        assert_eq!(t.children_named("d").count(), 1);
    }

    #[test]
    fn android_attr_falls_back_to_name_only_without_id() {
        let a = |ns: Option<&str>, name: &str, id: Option<u32>, v: i64| Attribute {
            namespace: ns.map(str::to_string),
            name: name.into(),
            resource_id: id,
            value: Value::Int(v),
        };
        let mut e = el("m", vec![]);
        e.attributes = vec![
            a(Some("http://other"), "versionCode", None, 1),
            a(None, "versionCode", None, 4),
            a(Some(ANDROID_NS), "versionCode", None, 2),
        ];
        assert_eq!(e.android_attr("versionCode").unwrap().value, Value::Int(2));
        e.attributes.remove(2);
        // Neither a look-alike namespace nor no namespace is android:.
        assert!(e.android_attr("versionCode").is_none());
        e.attributes.push(a(None, "q", Some(0x0101_021b), 3));
        assert_eq!(e.android_attr("versionCode").unwrap().value, Value::Int(3));
        assert!(e.android_attr("label").is_none());
    }
}
