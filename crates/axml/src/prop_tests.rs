//! Property tests: fixture-written trees parse back identically; mutated inputs never panic.

use crate::{parse_any, parse_axml, Attribute, Element, Manifest, Resources, Value};
use proptest::prelude::*;
use trackscan_fixtures::axml::{self as fx, Attr, AttrValue, Node, Options};

/// Attribute names written with a framework resource id (fixed name → id mapping).
const ID_NAMES: &[&str] = &["name", "label", "value", "exported", "versionCode"];

fn value() -> impl Strategy<Value = AttrValue> {
    prop_oneof![
        "\\PC{0,40}".prop_map(AttrValue::String),
        any::<i32>().prop_map(AttrValue::IntDec),
        any::<u32>().prop_map(AttrValue::IntHex),
        any::<bool>().prop_map(AttrValue::Bool),
        any::<u32>().prop_map(AttrValue::Reference),
        any::<u32>().prop_map(AttrValue::AttrRef),
        (-1.0e6f32..1.0e6).prop_map(AttrValue::Float),
        (0x1cu8..=0x1f, any::<u32>()).prop_map(|(t, d)| AttrValue::Typed {
            data_type: t,
            data: d
        }),
    ]
}

fn attr() -> impl Strategy<Value = Attr> {
    prop_oneof![
        (prop::sample::select(ID_NAMES), value()).prop_map(|(n, v)| Attr {
            namespace: Some(fx::ANDROID_NS.to_string()),
            name: n.to_string(),
            resource_id: fx::android_id(n),
            value: v,
        }),
        (
            "x[a-z]{0,6}",
            prop::option::of("http://n/[a-z]{1,3}"),
            value()
        )
            .prop_map(|(n, ns, v)| {
                Attr {
                    namespace: ns,
                    name: n,
                    resource_id: None,
                    value: v,
                }
            }),
    ]
}

fn leaf() -> impl Strategy<Value = Node> {
    (
        "[a-z][a-z0-9_-]{0,8}",
        prop::option::of("http://e/[a-z]{1,3}"),
        prop::collection::vec(attr(), 0..5),
        prop::option::of("\\PC{1,30}"),
    )
        .prop_map(|(name, namespace, attrs, text)| Node {
            name,
            namespace,
            attrs,
            children: Vec::new(),
            text,
        })
}

fn tree() -> impl Strategy<Value = Node> {
    leaf().prop_recursive(4, 40, 5, |inner| {
        (leaf(), prop::collection::vec(inner, 0..5)).prop_map(|(mut n, c)| {
            n.children = c;
            n
        })
    })
}

fn expected(n: &Node, with_ids: bool) -> Element {
    Element {
        name: n.name.clone(),
        namespace: n.namespace.clone(),
        attributes: n
            .attrs
            .iter()
            .map(|a| Attribute {
                namespace: a.namespace.clone(),
                name: a.name.clone(),
                resource_id: if with_ids { a.resource_id } else { None },
                value: match &a.value {
                    AttrValue::String(s) => Value::String(s.clone()),
                    AttrValue::IntDec(i) => Value::Int(i64::from(*i)),
                    AttrValue::IntHex(i) => Value::Int(i64::from(*i as i32)),
                    AttrValue::Bool(b) => Value::Bool(*b),
                    AttrValue::Reference(r) => Value::Reference(*r),
                    AttrValue::AttrRef(r) => Value::AttributeRef(*r),
                    AttrValue::Float(f) => Value::Float(*f),
                    AttrValue::Typed { data_type, data } => Value::Other {
                        data_type: *data_type,
                        data: *data,
                    },
                },
            })
            .collect(),
        children: n.children.iter().map(|c| expected(c, with_ids)).collect(),
        text: n.text.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn written_tree_parses_back(t in tree(), utf8 in any::<bool>(), map in any::<bool>()) {
        let opts = Options { utf8, resource_map: map, ..Options::default() };
        let doc = parse_axml(&fx::write(&t, &opts)).unwrap();
        prop_assert!(doc.anomalies.is_empty(), "{:?}", doc.anomalies);
        prop_assert_eq!(doc.root, Some(expected(&t, map)));
    }

    #[test]
    fn mutated_axml_never_panics(
        t in tree(),
        utf8 in any::<bool>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12),
        cut in any::<prop::sample::Index>(),
    ) {
        let opts = Options { utf8, ..Options::default() };
        let mut bytes = fx::write(&t, &opts);
        for (i, b) in edits {
            let at = i.index(bytes.len());
            bytes[at] = b;
        }
        let keep = bytes.len() - cut.index(bytes.len() / 4 + 1);
        bytes.truncate(keep);
        if let Ok(doc) = parse_any(&bytes) {
            let _ = Manifest::from_document(&doc, None);
        }
    }

    #[test]
    fn mutated_arsc_never_panics(
        names in prop::collection::vec(("[a-z]{1,3}", "[a-z_]{1,8}", "\\PC{0,12}"), 1..12),
        sparse in 0u8..3,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12),
    ) {
        use trackscan_fixtures::axml::{arsc, ArscEntry, ArscValue, EntryTable};
        let entries: Vec<ArscEntry> = names
            .iter()
            .map(|(t, n, v)| ArscEntry::new(t, n, ArscValue::String(v.clone())))
            .collect();
        let table = [EntryTable::Plain, EntryTable::Sparse, EntryTable::Offset16][usize::from(sparse)];
        let mut bytes = arsc(&entries, table);
        for (i, b) in edits {
            let at = i.index(bytes.len());
            bytes[at] = b;
        }
        if let Ok(r) = Resources::parse(&bytes) {
            for id in 0x7f01_0000u32..0x7f01_0010 {
                let _ = r.resolve(id);
                let _ = r.name(id);
            }
            let _ = r.strings_of_type("string").count();
        }
    }
}
