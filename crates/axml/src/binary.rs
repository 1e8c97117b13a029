//! Decoder of compiled (binary) XML, as found in APKs (`AndroidManifest.xml`, `res/xml/*.xml`).

use crate::attrs::android_attr_name;
use crate::model::{ty, Attribute, AxmlError, Document, Element, Value};
use crate::pool::{u16_at, u32_at, StringPool};
use crate::push_anomaly;

const RES_XML_TYPE: u16 = 0x0003;
const RES_STRING_POOL_TYPE: u16 = 0x0001;
const RES_XML_RESOURCE_MAP_TYPE: u16 = 0x0180;
const RES_XML_START_NAMESPACE_TYPE: u16 = 0x0100;
const RES_XML_END_NAMESPACE_TYPE: u16 = 0x0101;
const RES_XML_START_ELEMENT_TYPE: u16 = 0x0102;
const RES_XML_END_ELEMENT_TYPE: u16 = 0x0103;
const RES_XML_CDATA_TYPE: u16 = 0x0104;
/// Size of `ResXMLTree_node`.
const NODE_HEADER: usize = 16;
/// Size of `ResXMLTree_attribute`.
const ATTR_SIZE: usize = 20;
/// Deepest element nesting kept; deeper elements are dropped (counted so ends still match).
const MAX_DEPTH: usize = 256;
const NO_INDEX: u32 = 0xffff_ffff;

/// Parses compiled Android XML. Returns `Err` only when the input is too short or does not
/// start with an XML chunk header; everything else becomes an anomaly in the [`Document`].
pub fn parse_axml(bytes: &[u8]) -> Result<Document, AxmlError> {
    let (Some(ty0), Some(hsize0), Some(size0)) =
        (u16_at(bytes, 0), u16_at(bytes, 2), u32_at(bytes, 4))
    else {
        return Err(AxmlError::TooShort { len: bytes.len() });
    };
    let mut anomalies = Vec::new();
    if ty0 != RES_XML_TYPE {
        // Some packers zero the type; Android's parser accepts it when the rest looks right.
        if ty0 == 0 && hsize0 == 8 {
            anomalies.push("XML chunk type is 0x0000 instead of 0x0003".to_string());
        } else {
            return Err(AxmlError::NotAxml {
                offset: 0,
                found: ty0,
            });
        }
    }
    let declared = usize::try_from(size0).unwrap_or(usize::MAX);
    let end = if declared > bytes.len() {
        anomalies.push(format!(
            "XML chunk declares {declared} bytes but the file has {}",
            bytes.len()
        ));
        bytes.len()
    } else if declared < 8 {
        anomalies.push(format!(
            "XML chunk declares {declared} bytes; using the file length {}",
            bytes.len()
        ));
        bytes.len()
    } else {
        if declared < bytes.len() {
            anomalies.push(format!(
                "{} trailing bytes after the XML chunk ignored",
                bytes.len() - declared
            ));
        }
        declared
    };
    let data = bytes.get(..end).unwrap_or(bytes);
    let hsize0 = usize::from(hsize0);
    let pos = if (8..=end).contains(&hsize0) {
        hsize0
    } else {
        anomalies.push(format!("XML chunk header size {hsize0} is bad; assuming 8"));
        8
    };
    let mut p = Parser {
        data,
        pool: None,
        resmap: &[],
        resmap_seen: false,
        stack: Vec::new(),
        root: None,
        skipped_depth: 0,
        anomalies,
    };
    p.walk(pos);
    Ok(p.finish())
}

struct Parser<'a> {
    data: &'a [u8],
    pool: Option<StringPool<'a>>,
    resmap: &'a [u8],
    /// A resource map chunk was present (even an empty one).
    resmap_seen: bool,
    stack: Vec<Element>,
    root: Option<Element>,
    skipped_depth: usize,
    anomalies: Vec<String>,
}

impl<'a> Parser<'a> {
    fn note(&mut self, msg: String) {
        push_anomaly(&mut self.anomalies, msg);
    }

    fn walk(&mut self, mut pos: usize) {
        // Every step advances by at least 8 bytes, so this terminates.
        while let (Some(cty), Some(chs), Some(csize)) = (
            u16_at(self.data, pos),
            u16_at(self.data, pos.saturating_add(2)),
            u32_at(self.data, pos.saturating_add(4)),
        ) {
            let chs = usize::from(chs);
            let mut csize = usize::try_from(csize).unwrap_or(usize::MAX);
            if csize < 8 || chs < 8 || chs > csize {
                match self.known_node_size(cty, chs, pos) {
                    Some(sz) => {
                        self.note(format!(
                            "chunk 0x{cty:04x} at offset {pos} declares size {csize} (header \
                             {chs}); assuming {sz}"
                        ));
                        csize = sz;
                    }
                    None => {
                        self.note(format!(
                            "chunk 0x{cty:04x} at offset {pos} has bad size {csize} (header \
                             {chs}); stopped reading"
                        ));
                        return;
                    }
                }
            }
            let remaining = self.data.len().saturating_sub(pos);
            if csize > remaining {
                self.note(format!(
                    "chunk 0x{cty:04x} at offset {pos} declares {csize} bytes but only \
                     {remaining} remain; truncated"
                ));
                csize = remaining;
            }
            let chunk = self
                .data
                .get(pos..pos.saturating_add(csize))
                .unwrap_or_default();
            let hs = chs.min(chunk.len());
            match cty {
                RES_STRING_POOL_TYPE => {
                    if self.pool.is_none() {
                        let mut an = Vec::new();
                        self.pool = Some(StringPool::parse(chunk, pos, &mut an));
                        for a in an {
                            self.note(a);
                        }
                    } else {
                        self.note(format!("second string pool at offset {pos} ignored"));
                    }
                }
                RES_XML_RESOURCE_MAP_TYPE => {
                    self.resmap = chunk.get(hs..).unwrap_or_default();
                    self.resmap_seen = true;
                }
                RES_XML_START_NAMESPACE_TYPE | RES_XML_END_NAMESPACE_TYPE => {}
                RES_XML_START_ELEMENT_TYPE => self.start_element(chunk, hs, pos),
                RES_XML_END_ELEMENT_TYPE => self.end_element(chunk, hs, pos),
                RES_XML_CDATA_TYPE => self.cdata(chunk, hs, pos),
                other => self.note(format!(
                    "unknown chunk type 0x{other:04x} at offset {pos} ({csize} bytes) skipped"
                )),
            }
            pos = pos.saturating_add(csize.max(8));
        }
        if pos < self.data.len() {
            let left = self.data.len() - pos;
            self.note(format!("{left} stray bytes at offset {pos} ignored"));
        }
    }

    /// The size a node chunk must have when its declared size is unusable (zero-sized chunks).
    fn known_node_size(&self, cty: u16, chs: usize, pos: usize) -> Option<usize> {
        if chs != NODE_HEADER {
            return None;
        }
        match cty {
            RES_XML_START_NAMESPACE_TYPE
            | RES_XML_END_NAMESPACE_TYPE
            | RES_XML_END_ELEMENT_TYPE => Some(NODE_HEADER + 8),
            RES_XML_CDATA_TYPE => Some(NODE_HEADER + 12),
            RES_XML_START_ELEMENT_TYPE => {
                let ext = pos.checked_add(NODE_HEADER)?;
                let start = usize::from(u16_at(self.data, ext.checked_add(8)?)?);
                let size = usize::from(u16_at(self.data, ext.checked_add(10)?)?);
                let count = usize::from(u16_at(self.data, ext.checked_add(12)?)?);
                NODE_HEADER
                    .checked_add(start)?
                    .checked_add(size.checked_mul(count)?)
            }
            _ => None,
        }
    }

    fn string(&mut self, idx: u32) -> Option<String> {
        if idx == NO_INDEX {
            return None;
        }
        let pool = self.pool.as_ref()?;
        pool.get(idx, &mut self.anomalies).map(|c| c.into_owned())
    }

    fn resource_id(&self, idx: u32) -> Option<u32> {
        let off = usize::try_from(idx).ok()?.checked_mul(4)?;
        u32_at(self.resmap, off).filter(|id| *id != 0)
    }

    fn start_element(&mut self, chunk: &'a [u8], hs: usize, pos: usize) {
        let (Some(ns), Some(name), Some(astart), Some(asize), Some(acount)) = (
            u32_at(chunk, hs),
            u32_at(chunk, hs.saturating_add(4)),
            u16_at(chunk, hs.saturating_add(8)),
            u16_at(chunk, hs.saturating_add(10)),
            u16_at(chunk, hs.saturating_add(12)),
        ) else {
            self.note(format!("start element at offset {pos} truncated; skipped"));
            return;
        };
        if self.stack.len() >= MAX_DEPTH {
            if self.skipped_depth == 0 {
                self.note(format!(
                    "elements nested deeper than {MAX_DEPTH} at offset {pos} dropped"
                ));
            }
            self.skipped_depth = self.skipped_depth.saturating_add(1);
            return;
        }
        let namespace = self.string(ns);
        let name = match self.string(name) {
            Some(n) => n,
            None => {
                self.note(format!(
                    "element name index {name} at offset {pos} out of range"
                ));
                String::new()
            }
        };
        let mut attributes = Vec::new();
        let asize = usize::from(asize);
        let mut acount = usize::from(acount);
        if acount > 0 {
            let first = hs.saturating_add(usize::from(astart));
            if asize < ATTR_SIZE {
                self.note(format!(
                    "element <{name}> at offset {pos}: attribute size {asize} < {ATTR_SIZE}; \
                     attributes ignored"
                ));
                acount = 0;
            } else {
                let room = chunk.len().saturating_sub(first) / asize;
                if acount > room {
                    self.note(format!(
                        "element <{name}> at offset {pos}: {acount} attributes declared, room \
                         for {room}"
                    ));
                    acount = room;
                }
            }
            attributes.reserve(acount);
            for i in 0..acount {
                let at = first.saturating_add(i.saturating_mul(asize));
                if let Some(a) = self.attribute(chunk, at, &name, pos) {
                    attributes.push(a);
                }
            }
        }
        self.stack.push(Element {
            name,
            namespace,
            attributes,
            children: Vec::new(),
            text: None,
        });
    }

    fn attribute(&mut self, chunk: &[u8], at: usize, elem: &str, pos: usize) -> Option<Attribute> {
        let ns = u32_at(chunk, at)?;
        let name_idx = u32_at(chunk, at.checked_add(4)?)?;
        let raw = u32_at(chunk, at.checked_add(8)?)?;
        let data_type = *chunk.get(at.checked_add(15)?)?;
        let data = u32_at(chunk, at.checked_add(16)?)?;
        let resource_id = self.resource_id(name_idx);
        let name = match self.string(name_idx) {
            Some(n) if !n.is_empty() => n,
            other => {
                let canonical = resource_id.and_then(android_attr_name);
                if other.is_none() {
                    self.note(format!(
                        "element <{elem}> at offset {pos}: attribute name index {name_idx} out \
                         of range"
                    ));
                }
                canonical
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("attr#{name_idx}"))
            }
        };
        let value = if data_type == ty::STRING {
            match self.string(data).or_else(|| self.string(raw)) {
                Some(s) => Value::String(s),
                None => {
                    self.note(format!(
                        "element <{elem}> at offset {pos}: attribute {name} string index {data} \
                         out of range"
                    ));
                    Value::String(String::new())
                }
            }
        } else {
            Value::from_typed(data_type, data)
        };
        Some(Attribute {
            namespace: self.string(ns),
            name,
            resource_id,
            value,
        })
    }

    fn end_element(&mut self, chunk: &[u8], hs: usize, pos: usize) {
        if self.skipped_depth > 0 {
            self.skipped_depth -= 1;
            return;
        }
        let Some(el) = self.stack.pop() else {
            self.note(format!(
                "end element at offset {pos} without a start; ignored"
            ));
            return;
        };
        if let Some(idx) = u32_at(chunk, hs.saturating_add(4)) {
            if let Some(n) = self.string(idx) {
                if n != el.name {
                    self.note(format!(
                        "end element </{n}> at offset {pos} closes <{}>",
                        el.name
                    ));
                }
            }
        }
        self.attach(el);
    }

    fn attach(&mut self, el: Element) {
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(el),
            None => {
                if self.root.is_none() {
                    self.root = Some(el);
                } else {
                    let n = el.name.clone();
                    self.note(format!("second root element <{n}> ignored"));
                }
            }
        }
    }

    fn cdata(&mut self, chunk: &[u8], hs: usize, pos: usize) {
        let Some(idx) = u32_at(chunk, hs) else {
            self.note(format!("CDATA at offset {pos} truncated"));
            return;
        };
        let Some(text) = self.string(idx) else {
            self.note(format!(
                "CDATA at offset {pos}: string index {idx} out of range"
            ));
            return;
        };
        if self.skipped_depth > 0 {
            return;
        }
        match self.stack.last_mut() {
            Some(el) => el.text.get_or_insert_with(String::new).push_str(&text),
            None => self.note(format!("CDATA at offset {pos} outside any element ignored")),
        }
    }

    fn finish(mut self) -> Document {
        if !self.stack.is_empty() {
            let n = self.stack.len();
            self.note(format!("{n} element(s) not closed at end of document"));
        }
        while let Some(el) = self.stack.pop() {
            self.attach(el);
        }
        if self.pool.is_none() {
            self.note("no string pool".to_string());
        }
        // aapt/aapt2 always write one for a manifest (its attributes are framework ones); other
        // compiled XML (res/xml with only custom attributes) may legitimately lack it.
        if !self.resmap_seen && self.root.as_ref().is_some_and(|r| r.name == "manifest") {
            self.note(
                "binary manifest has no resource map: attributes carry no resource ids, so \
                 android: attributes are matched by name only"
                    .to_string(),
            );
        }
        Document {
            root: self.root,
            anomalies: self.anomalies,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Value;
    use trackscan_fixtures::axml::{self as fx, AttrValue, Hostile, Node, Options};

    fn opts(h: Hostile) -> Options {
        Options {
            hostile: h,
            ..Options::default()
        }
    }

    fn sample() -> Node {
        fx::manifest(
            "com.example.app",
            42,
            "4.2",
            &["android.permission.INTERNET"],
        )
    }

    fn version_code(doc: &Document) -> Option<Value> {
        doc.root
            .as_ref()?
            .android_attr("versionCode")
            .map(|a| a.value.clone())
    }

    #[test]
    fn utf16_pool_with_resource_map() {
        let doc = parse_axml(&fx::write(&sample(), &Options::default())).unwrap();
        assert!(doc.anomalies.is_empty(), "{:?}", doc.anomalies);
        let root = doc.root.as_ref().unwrap();
        assert_eq!(root.name, "manifest");
        let vc = root.android_attr("versionCode").unwrap();
        assert_eq!(vc.resource_id, Some(0x0101_021b));
        assert_eq!(vc.namespace.as_deref(), Some(crate::ANDROID_NS));
        assert_eq!(vc.value, Value::Int(42));
        assert_eq!(
            root.attr("package").unwrap().value,
            Value::String("com.example.app".into())
        );
        assert_eq!(root.children_named("uses-permission").count(), 1);
    }

    #[test]
    fn utf8_pool_without_resource_map() {
        let o = Options {
            utf8: true,
            resource_map: false,
            hostile: Hostile::default(),
        };
        let node = sample().child(Node::new("x").plain("s", AttrValue::String("héllo ✓ 𝄞".into())));
        let doc = parse_axml(&fx::write(&node, &o)).unwrap();
        assert_eq!(doc.anomalies.len(), 1, "{:?}", doc.anomalies);
        assert!(doc.anomalies[0].starts_with("binary manifest has no resource map"));
        let root = doc.root.unwrap();
        let vc = root.android_attr("versionCode").unwrap();
        assert_eq!(vc.resource_id, None);
        assert_eq!(vc.value, Value::Int(42));
        let x = root.children_named("x").next().unwrap();
        assert_eq!(x.attr("s").unwrap().value.as_str(), Some("héllo ✓ 𝄞"));
    }

    #[test]
    fn missing_resource_map_is_noted_for_manifests_only() {
        let with = parse_axml(&fx::write(&sample(), &Options::default())).unwrap();
        assert!(with.anomalies.is_empty(), "{:?}", with.anomalies);
        let o = Options {
            resource_map: false,
            ..Options::default()
        };
        // A res/xml file with only custom attributes needs no resource map.
        let nsc = Node::new("network-security-config").child(
            Node::new("base-config").plain("cleartextTrafficPermitted", AttrValue::Bool(false)),
        );
        let doc = parse_axml(&fx::write(&nsc, &o)).unwrap();
        assert!(doc.anomalies.is_empty(), "{:?}", doc.anomalies);
        let doc = parse_axml(&fx::write(&sample(), &o)).unwrap();
        assert!(
            doc.anomalies
                .iter()
                .any(|a| a.contains("binary manifest has no resource map")),
            "{:?}",
            doc.anomalies
        );
    }

    #[test]
    fn typed_values_and_cdata() {
        let mut n = Node::new("r")
            .plain("hex", AttrValue::IntHex(0xff))
            .plain("neg", AttrValue::IntDec(-5))
            .plain("b", AttrValue::Bool(true))
            .plain("f", AttrValue::Bool(false))
            .plain("ref", AttrValue::Reference(0x7f0c_0001))
            .plain("aref", AttrValue::AttrRef(0x7f01_0002))
            .plain("fl", AttrValue::Float(1.5))
            .plain(
                "dim",
                AttrValue::Typed {
                    data_type: 5,
                    data: (16 << 8) | 1,
                },
            )
            .plain(
                "col",
                AttrValue::Typed {
                    data_type: 0x1c,
                    data: 0xff00_ff00,
                },
            )
            .plain(
                "frac",
                AttrValue::Typed {
                    data_type: 6,
                    data: 0x0000_4000 | 0x10,
                },
            );
        n.text = Some("hello".into());
        let doc = parse_axml(&fx::write(&n, &Options::default())).unwrap();
        let r = doc.root.unwrap();
        let v = |k: &str| r.attr(k).unwrap().value.clone();
        assert_eq!(v("hex"), Value::Int(255));
        assert_eq!(v("neg"), Value::Int(-5));
        assert_eq!(v("b"), Value::Bool(true));
        assert_eq!(v("f"), Value::Bool(false));
        assert_eq!(v("ref"), Value::Reference(0x7f0c_0001));
        assert_eq!(v("ref").as_string(), "@0x7f0c0001");
        assert_eq!(v("aref").as_string(), "?0x7f010002");
        assert_eq!(v("fl"), Value::Float(1.5));
        assert_eq!(v("dim").as_string(), "16dip");
        assert_eq!(v("col").as_string(), "#ff00ff00");
        assert_eq!(v("frac").as_string(), "50%");
        assert_eq!(r.text.as_deref(), Some("hello"));
    }

    #[test]
    fn not_axml_and_too_short() {
        assert_eq!(parse_axml(b"abc"), Err(AxmlError::TooShort { len: 3 }));
        let e = parse_axml(b"PK\x03\x04\0\0\0\0").unwrap_err();
        assert!(matches!(e, AxmlError::NotAxml { found: 0x4b50, .. }));
        assert!(e.to_string().contains("0x4b50"));
    }

    #[test]
    fn wrong_xml_chunk_size_is_anomaly() {
        for size in [0u32, 3, 40, 0xffff_fff0] {
            let bytes = fx::write(
                &sample(),
                &opts(Hostile {
                    xml_chunk_size: Some(size),
                    ..Hostile::default()
                }),
            );
            let doc = parse_axml(&bytes).unwrap();
            assert!(!doc.anomalies.is_empty(), "size {size}");
            if size != 40 {
                assert_eq!(version_code(&doc), Some(Value::Int(42)), "size {size}");
            }
        }
    }

    #[test]
    fn bogus_string_and_style_counts() {
        let doc = parse_axml(&fx::write(
            &sample(),
            &opts(Hostile {
                style_count: Some(0x4000_0000),
                ..Hostile::default()
            }),
        ))
        .unwrap();
        assert!(
            doc.anomalies
                .iter()
                .any(|a| a.contains("bogus style count")),
            "{:?}",
            doc.anomalies
        );
        assert_eq!(version_code(&doc), Some(Value::Int(42)));
        let doc = parse_axml(&fx::write(
            &sample(),
            &opts(Hostile {
                string_count: Some(0xffff_ffff),
                ..Hostile::default()
            }),
        ))
        .unwrap();
        assert!(
            doc.anomalies.iter().any(|a| a.contains("string count")),
            "{:?}",
            doc.anomalies
        );
    }

    #[test]
    fn string_offset_out_of_range() {
        let doc = parse_axml(&fx::write(
            &sample(),
            &opts(Hostile {
                string_offset: Some((0, 0x00ff_ffff)),
                ..Hostile::default()
            }),
        ))
        .unwrap();
        assert!(
            doc.anomalies.iter().any(|a| a.contains("out of range")),
            "{:?}",
            doc.anomalies
        );
        // The attribute is still found through its resource id.
        assert_eq!(version_code(&doc), Some(Value::Int(42)));
    }

    #[test]
    fn lying_utf8_length() {
        let o = Options {
            utf8: true,
            resource_map: true,
            hostile: Hostile {
                utf8_len_lie: Some((0, 0x7fff)),
                ..Hostile::default()
            },
        };
        let doc = parse_axml(&fx::write(&sample(), &o)).unwrap();
        assert!(
            doc.anomalies.iter().any(|a| a.contains("runs past")),
            "{:?}",
            doc.anomalies
        );
        assert_eq!(version_code(&doc), Some(Value::Int(42)));
        assert_eq!(
            doc.root
                .unwrap()
                .attr("versionCode")
                .map(|a| a.name.as_str()),
            Some("versionCode")
        );
    }

    #[test]
    fn unknown_chunk_between_elements_is_skipped() {
        let doc = parse_axml(&fx::write(
            &sample(),
            &opts(Hostile {
                unknown_chunk: true,
                ..Hostile::default()
            }),
        ))
        .unwrap();
        assert!(
            doc.anomalies
                .iter()
                .any(|a| a.contains("unknown chunk type 0x0777")),
            "{:?}",
            doc.anomalies
        );
        let root = doc.root.unwrap();
        assert_eq!(root.children.len(), 2);
    }

    #[test]
    fn bad_attribute_name_index() {
        let doc = parse_axml(&fx::write(
            &sample(),
            &opts(Hostile {
                attr_name_index: Some(0xffff_fff0),
                ..Hostile::default()
            }),
        ))
        .unwrap();
        assert!(
            doc.anomalies
                .iter()
                .any(|a| a.contains("attribute name index 4294967280")),
            "{:?}",
            doc.anomalies
        );
        let root = doc.root.unwrap();
        assert_eq!(root.attributes.len(), 3);
        assert_eq!(root.attributes[0].name, "attr#4294967280");
        assert!(root.android_attr("versionName").is_some());
    }

    #[test]
    fn zero_sized_end_namespace_terminates() {
        let doc = parse_axml(&fx::write(
            &sample(),
            &opts(Hostile {
                zero_sized_end_ns: true,
                ..Hostile::default()
            }),
        ))
        .unwrap();
        assert!(
            doc.anomalies.iter().any(|a| a.contains("declares size 0")),
            "{:?}",
            doc.anomalies
        );
        assert_eq!(version_code(&doc), Some(Value::Int(42)));
        // A zero-sized unknown chunk stops the walk instead of looping.
        let mut bytes = fx::write(&sample(), &Options::default());
        let at = bytes.len() - 24;
        bytes[at] = 0x99;
        bytes[at + 4..at + 8].copy_from_slice(&0u32.to_le_bytes());
        let doc = parse_axml(&bytes).unwrap();
        assert!(
            doc.anomalies.iter().any(|a| a.contains("stopped")),
            "{:?}",
            doc.anomalies
        );
    }

    #[test]
    fn obfuscated_attribute_names_resolve_by_id() {
        let mut root = Node::new("manifest");
        root.attrs.push(fx::Attr {
            namespace: Some(fx::ANDROID_NS.into()),
            name: "zz".into(),
            resource_id: Some(0x0101_021b),
            value: AttrValue::IntDec(7),
        });
        // A decoy named like the real attribute but with another id.
        root.attrs.push(fx::Attr {
            namespace: Some(fx::ANDROID_NS.into()),
            name: "versionCode".into(),
            resource_id: Some(0x0101_0001),
            value: AttrValue::IntDec(999),
        });
        let doc = parse_axml(&fx::write(&root, &Options::default())).unwrap();
        let r = doc.root.unwrap();
        assert_eq!(r.android_attr("versionCode").unwrap().value, Value::Int(7));
        assert_eq!(r.attr("versionCode").unwrap().value, Value::Int(999));
    }

    #[test]
    fn zeroed_xml_type_and_long_utf16_strings() {
        let long = "é".repeat(40_000);
        let n = sample().child(Node::new("x").plain("s", AttrValue::String(long.clone())));
        let mut bytes = fx::write(&n, &Options::default());
        bytes[0] = 0;
        let doc = parse_axml(&bytes).unwrap();
        assert_eq!(
            doc.anomalies,
            ["XML chunk type is 0x0000 instead of 0x0003"]
        );
        let root = doc.root.unwrap();
        let x = root.children_named("x").next().unwrap();
        assert_eq!(x.attr("s").unwrap().value.as_str(), Some(long.as_str()));
    }

    #[test]
    fn every_truncation_terminates_without_panic() {
        let bytes = fx::write(&sample(), &Options::default());
        for n in 0..bytes.len() {
            let _ = parse_axml(&bytes[..n]);
        }
    }

    #[test]
    fn deep_nesting_is_capped() {
        let mut n = Node::new("leaf");
        for _ in 0..1000 {
            n = Node::new("d").child(n);
        }
        let doc = parse_axml(&fx::write(&n, &Options::default())).unwrap();
        assert!(
            doc.anomalies.iter().any(|a| a.contains("nested deeper")),
            "{:?}",
            doc.anomalies
        );
        let mut depth = 0;
        let mut cur = doc.root.as_ref();
        while let Some(e) = cur {
            depth += 1;
            cur = e.children.first();
        }
        assert_eq!(depth, MAX_DEPTH);
    }
}
