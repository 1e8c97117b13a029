//! Zero-copy DEX parser and the app's code index.
//!
//! # Design
//!
//! * [`DexFile`] borrows the file's bytes (`&'a [u8]`) and decodes lazily, goblin/object style:
//!   `parse` reads only the header (with `nom` v8 combinators) and bounds-checks the id tables;
//!   strings, class data and code items are decoded on request, every offset validated, every
//!   count guarded against the bytes left before anything is allocated. Fixed-layout records
//!   are read with plain bounds-checked little-endian reads (clearer and faster than a parser
//!   combinator per field); LEB128 values with a hand-written 5-byte-capped reader.
//! * Parsing "never fails" where it can go on: a table that does not fit is truncated and
//!   reported in [`DexFile::anomalies`]; a bad class or method is recorded as a warning by the
//!   [`IndexBuilder`] and the others are still indexed. Only an unusable header is an `Err`.
//! * Strings are MUTF-8 ([`DexStr`]): when the bytes are valid UTF-8 (the common case — valid
//!   UTF-8 never contains `C0 80` or encoded surrogates) the `&str` is borrowed with no copy.
//! * The [`CodeIndex`] stores, per DEX, compact `u32` indices into the borrowed tables (one
//!   8-byte record per reference, no `String` per reference); classes are sorted by descriptor
//!   so "classes under prefix P" is a binary search.
//!
//! * apktool smali trees feed the same index: [`IndexBuilder::add_smali`] parses one `.smali`
//!   file (reference syntax with `nom`) into per-file interned tables of the same shape, so
//!   every query works the same over DEX and smali inputs.
//! * Integrity: [`DexFile::checksum_ok`] (Adler-32) and [`DexFile::signature_ok`] (SHA-1) are
//!   queries, not parse failures: packed or tampered samples are still indexed.
//!
//! # Crate choice
//!
//! The `dex` crate (0.5, unmaintained dependencies, raw instructions only) and `dexparser`
//! (nom 4) did not fit, and the `smali` crate is GPL-3.0-only, so this is our own parser. The
//! opcode width table is written from the Dalvik bytecode specification (formats per opcode
//! 0x00–0xff, including invoke-polymorphic/custom and the three payload pseudo-instructions).
#![deny(missing_docs)]

mod callsite;
mod error;
mod file;
mod index;
mod insn;
mod mutf8;
mod regs;
mod smali;
mod strtab;
mod values;

pub use callsite::{
    CallSiteItem, CallSites, CallTargets, MethodHandle, MethodHandleKind, TYPE_CALL_SITE_ID_ITEM,
    TYPE_METHOD_HANDLE_ITEM,
};
pub use error::DexError;
pub use file::{
    adler32, read_sleb128, read_uleb128, uleb128, ClassData, ClassDef, CodeItem, DexFile,
    EncodedField, EncodedMethod, FieldId, Header, MapItem, MethodId, ProtoId, NO_INDEX,
};
pub use index::FieldInfo;
pub use index::{
    CallSite, ClassRef, CodeIndex, FileStats, IndexBuilder, Invoke, MethodRef, Stats, StringSite,
};
pub use insn::{for_each_ref, BodyKind, CodeRef, Insn, Instructions, RefKind};
pub use mutf8::{decode_lossy, decode_mutf8, encode_mutf8, DexStr};
pub use regs::{arg_words, decode_dex, param_types, RegCode, RegOp, MAX_REG_INSNS};
pub use values::{read_value, EncodedArray, EncodedArrayIter, EncodedValue, MAX_DEPTH};

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;
    use trackscan_fixtures::dex::{
        ClassDefSpec, DexBuilder, FieldDef, FieldKey, MethodDef, MethodKey, Op, StaticValue,
    };

    /// A code op of the model: string, invoke target, field, or new-instance type.
    #[derive(Debug, Clone)]
    enum M {
        S(String),
        I(String, String),
        F(String, String),
        N(String),
    }

    /// Model: classes of (name, methods of (name, ops)).
    type Model = Vec<(String, Vec<(String, Vec<M>)>)>;

    /// Everything the index says about every class, comparable across input kinds.
    fn summary(idx: &CodeIndex<'_>) -> Vec<String> {
        let mut out = Vec::new();
        for c in idx.classes() {
            out.push(format!(
                "class {} super {:?} ifaces {:?}",
                c.descriptor(),
                c.superclass(),
                c.interfaces()
            ));
            let mut ms: Vec<String> = c
                .methods()
                .map(|m| {
                    format!(
                        "{}{} flags {:#x} body {:?} strings {:?} invokes {:?} fields {:?} types {:?}",
                        m.name(),
                        m.proto(),
                        m.access_flags(),
                        m.body_kind(),
                        m.strings().collect::<Vec<_>>(),
                        m.invokes().map(|i| format!("{}->{}{}", i.class, i.name, i.proto)).collect::<Vec<_>>(),
                        m.field_refs().collect::<Vec<_>>(),
                        m.type_refs().collect::<Vec<_>>()
                    )
                })
                .collect();
            ms.sort();
            out.extend(ms);
            let mut fs: Vec<String> = c
                .fields()
                .iter()
                .map(|f| {
                    format!(
                        "field {}:{} flags {:#x} value {:?}",
                        f.name, f.type_descriptor, f.access_flags, f.string_value
                    )
                })
                .collect();
            fs.sort();
            out.extend(fs);
            let mut consts: Vec<(String, String)> = c
                .string_constants()
                .map(|(n, v)| (n.into_owned(), v.into_owned()))
                .collect();
            consts.sort();
            out.push(format!("constants {consts:?}"));
        }
        let mut strings: Vec<String> = idx
            .all_strings()
            .filter(|(_, site)| site.referenced_by_code)
            .map(|(s, _)| s.into_owned())
            .collect();
        strings.sort();
        strings.dedup();
        out.push(format!("referenced strings {strings:?}"));
        out
    }

    fn ident() -> impl Strategy<Value = String> {
        "[a-zA-Z_$][a-zA-Z0-9_$\u{e9}\u{4e2d}\u{1F600}]{0,6}"
    }

    fn model() -> impl Strategy<Value = Model> {
        let op = prop_oneof![
            ".{0,12}".prop_map(M::S),
            (ident(), ident()).prop_map(|(c, n)| M::I(format!("Lx/{c};"), n)),
            (ident(), ident()).prop_map(|(c, n)| M::F(format!("Ly/{c};"), n)),
            ident().prop_map(|c| M::N(format!("Lz/{c};"))),
        ];
        let method = (ident(), prop::collection::vec(op, 0..6));
        let class = (ident(), prop::collection::vec(method, 0..4));
        prop::collection::vec(class, 0..6)
    }

    /// Fields of one class: (name, string value, static).
    fn class_fields() -> impl Strategy<Value = Vec<(String, Option<String>, bool)>> {
        prop::collection::vec((ident(), prop::option::of(".{0,10}"), any::<bool>()), 0..4)
    }

    fn field_defs(fields: &[(String, Option<String>, bool)]) -> Vec<FieldDef> {
        fields
            .iter()
            .enumerate()
            .map(|(i, (name, value, is_static))| {
                let name = format!("{name}{i}");
                match value {
                    Some(v) => {
                        FieldDef::constant(&name, "Ljava/lang/String;", StaticValue::Str(v.clone()))
                    }
                    None if *is_static => FieldDef::new(&name, "Ljava/lang/String;", 0x0019),
                    None => FieldDef::new(&name, "I", 0x0002),
                }
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn read_uleb128_equals_the_nom_parser(bytes in prop::collection::vec(any::<u8>(), 0..7), at in 0usize..3) {
            let mut pos = at;
            let fast = crate::file::read_uleb128(&bytes, &mut pos);
            let nom = bytes.get(at..).map(crate::file::uleb128);
            match (fast, nom) {
                (Ok(v), Some(Ok((rest, w)))) => {
                    prop_assert_eq!(v, w);
                    prop_assert_eq!(pos, bytes.len() - rest.len());
                }
                (Err(_), Some(Err(_)) | None) => prop_assert_eq!(pos, at),
                (f, n) => prop_assert!(false, "{:?} vs {:?}", f, n.map(|r| r.map(|x| x.1))),
            }
        }

        #[test]
        fn uleb128_round_trip(v in any::<u32>(), tail in prop::collection::vec(any::<u8>(), 0..3)) {
            let mut enc = Vec::new();
            let mut x = v;
            loop {
                let b = (x & 0x7f) as u8;
                x >>= 7;
                if x == 0 {
                    enc.push(b);
                    break;
                }
                enc.push(b | 0x80);
            }
            let n = enc.len();
            enc.extend_from_slice(&tail);
            let mut pos = 0;
            prop_assert_eq!(read_uleb128(&enc, &mut pos).unwrap(), v);
            prop_assert_eq!(pos, n);
        }

        #[test]
        fn mutf8_round_trip(s in ".{0,40}") {
            let enc = encode_mutf8(&s);
            prop_assert_eq!(decode_mutf8(&enc, 0).unwrap(), s.as_str());
        }

        #[test]
        fn builder_model_parses_back(m in model()) {
            let mut b = DexBuilder::new();
            let mut want: Model = Vec::new();
            for (ci, (cname, methods)) in m.into_iter().enumerate() {
                let desc = format!("Lapp/{cname}{ci};");
                let mut defs = Vec::new();
                let mut wm = Vec::new();
                for (mi, (mname, ops)) in methods.into_iter().enumerate() {
                    let name = format!("{mname}{mi}");
                    let mut code: Vec<Op> = ops
                        .iter()
                        .map(|o| match o {
                            M::S(s) => Op::ConstString(s.clone()),
                            M::I(c, n) => Op::InvokeStatic(MethodKey::new(c, n, &[], "V")),
                            M::F(c, n) => Op::Sget(FieldKey::new(c, n, "Ljava/lang/String;")),
                            M::N(t) => Op::NewInstance(t.clone()),
                        })
                        .collect();
                    code.push(Op::ReturnVoid);
                    defs.push(MethodDef::new(&name, &["I"], "V", code));
                    wm.push((name, ops));
                }
                b = b.class(ClassDefSpec::new(&desc, defs));
                want.push((desc, wm));
            }
            let bytes = b.build();
            let dex = DexFile::parse(&bytes).unwrap();
            prop_assert!(dex.checksum_ok());
            let mut ib = IndexBuilder::new();
            ib.add_dex("classes.dex", &bytes).unwrap();
            let idx = ib.finish();
            prop_assert!(idx.warnings().is_empty(), "{:?}", idx.warnings());
            prop_assert_eq!(idx.class_count(), want.len());
            for (desc, methods) in &want {
                let c = idx.class(desc).unwrap();
                prop_assert_eq!(c.methods().count(), methods.len());
                for (name, ops) in methods {
                    let mr = c.method(name, Some("(I)V")).unwrap();
                    let strings: Vec<String> = mr.strings().map(|s| s.into_owned()).collect();
                    let ws: Vec<String> = ops.iter().filter_map(|o| match o { M::S(s) => Some(s.clone()), _ => None }).collect();
                    prop_assert_eq!(strings, ws);
                    let inv: Vec<(String, String)> = mr.invokes().map(|i| (i.class.into_owned(), i.name.into_owned())).collect();
                    let wi: Vec<(String, String)> = ops.iter().filter_map(|o| match o { M::I(c, n) => Some((c.clone(), n.clone())), _ => None }).collect();
                    prop_assert_eq!(inv, wi);
                    let fr: Vec<(String, String)> = mr.field_refs().map(|f| (f.0.into_owned(), f.1.into_owned())).collect();
                    let wf: Vec<(String, String)> = ops.iter().filter_map(|o| match o { M::F(c, n) => Some((c.clone(), n.clone())), _ => None }).collect();
                    prop_assert_eq!(fr, wf);
                    let tr: Vec<String> = mr.type_refs().map(|t| t.into_owned()).collect();
                    let wt: Vec<String> = ops.iter().filter_map(|o| match o { M::N(t) => Some(t.clone()), _ => None }).collect();
                    prop_assert_eq!(tr, wt);
                }
            }
            // Every model string is in the string table and findable.
            for (_, methods) in &want {
                for (_, ops) in methods {
                    for o in ops {
                        if let M::S(s) = o {
                            prop_assert!(!idx.string_users(s).is_empty(), "string_users({:?})", s);
                        }
                    }
                }
            }
        }

        #[test]
        fn smali_gives_same_index_as_dex(m in model(), fields in prop::collection::vec(class_fields(), 6)) {
            let mut b = DexBuilder::new();
            for (ci, (cname, methods)) in m.into_iter().enumerate() {
                let fdefs = fields.get(ci).map(|f| field_defs(f)).unwrap_or_default();
                let desc = format!("Lapp/{cname}{ci};");
                let defs = methods
                    .into_iter()
                    .enumerate()
                    .map(|(mi, (mname, ops))| {
                        let mut code: Vec<Op> = ops
                            .iter()
                            .map(|o| match o {
                                M::S(s) => Op::ConstString(s.clone()),
                                M::I(c, n) => Op::InvokeVirtual(MethodKey::new(c, n, &["J"], "Z")),
                                M::F(c, n) => Op::Sput(FieldKey::new(c, n, "[I")),
                                M::N(t) => Op::ConstClass(t.clone()),
                            })
                            .collect();
                        if mi % 2 == 0 {
                            code.push(Op::ReturnVoid);
                        } else {
                            code = vec![Op::Const4(-1 - mi as i8 % 7), Op::Return];
                        }
                        MethodDef::new(&format!("{mname}{mi}"), &["I"], "V", code)
                    })
                    .collect();
                let mut spec = ClassDefSpec::new(&desc, defs);
                spec.fields = fdefs;
                b = b.class(spec);
            }
            let bytes = b.build();
            let smali = b.to_smali();
            let mut ib = IndexBuilder::new();
            ib.add_dex("classes.dex", &bytes).unwrap();
            let from_dex = ib.finish();
            let mut ib = IndexBuilder::new();
            for (path, text) in &smali {
                ib.add_smali(path, text).unwrap();
            }
            let from_smali = ib.finish();
            prop_assert!(from_smali.warnings().is_empty(), "{:?}", from_smali.warnings());
            prop_assert_eq!(summary(&from_dex), summary(&from_smali));
        }

        #[test]
        fn arbitrary_bytes_never_panic(mut bytes in prop::collection::vec(any::<u8>(), 0..512), cut in 0usize..4096) {
            // Random bytes behind a valid magic, and random damage to a real file.
            let mut b = b"dex\n035\0".to_vec();
            b.extend_from_slice(&bytes);
            let mut good = DexBuilder::new()
                .class(trackscan_fixtures::dex::ClassDefSpec::new("La;", vec![MethodDef::new("m", &[], "V", vec![Op::ConstString("s".into()), Op::ReturnVoid])]))
                .build();
            if !good.is_empty() {
                let n = good.len();
                for (i, x) in bytes.iter().enumerate().take(16) {
                    if let Some(slot) = good.get_mut((cut + i * 97) % n) { *slot = *x; }
                }
            }
            bytes.clear();
            for input in [b, good] {
                let mut ib = IndexBuilder::new();
                let _ = ib.add_dex("classes.dex", &input);
                let idx = ib.finish();
                let _ = idx.stats();
                for c in idx.classes() {
                    for m in c.methods() {
                        let _ = (m.name(), m.proto(), m.body_kind(), m.strings().count(), m.invokes().count());
                    }
                }
                let _ = idx.all_strings().count();
                let _ = idx.callers_into("L");
            }
        }
    }
}
