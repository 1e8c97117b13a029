//! `call_site_ids` and `method_handles` (DEX 038+): what `invoke-custom` really calls.
//!
//! Both sections have no header field; they are found through the `map_list`
//! (`TYPE_CALL_SITE_ID_ITEM` 0x0007, `TYPE_METHOD_HANDLE_ITEM` 0x0008). [`CallSites`] locates
//! and bounds-checks both tables once; items are decoded on request. A `call_site_item` is an
//! `encoded_array`: the bootstrap method handle, the method name, the method type, then the
//! bootstrap's extra arguments. For the `LambdaMetafactory` case (what D8 emits for Java lambdas
//! and method references when it does not desugar them) the *implementation* method handle in
//! the extra arguments is the real call target, so [`CallSites::targets`] returns it alongside
//! the bootstrap method.

use crate::file::{DexFile, NO_INDEX};
use crate::values::{EncodedArray, EncodedValue};
use crate::DexError;

/// `TYPE_CALL_SITE_ID_ITEM` in the `map_list`.
pub const TYPE_CALL_SITE_ID_ITEM: u16 = 0x0007;
/// `TYPE_METHOD_HANDLE_ITEM` in the `map_list`.
pub const TYPE_METHOD_HANDLE_ITEM: u16 = 0x0008;

/// The kind of a `method_handle_item`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodHandleKind {
    /// 0x00 `static-put` (field).
    StaticPut,
    /// 0x01 `static-get` (field).
    StaticGet,
    /// 0x02 `instance-put` (field).
    InstancePut,
    /// 0x03 `instance-get` (field).
    InstanceGet,
    /// 0x04 `invoke-static`.
    InvokeStatic,
    /// 0x05 `invoke-instance`.
    InvokeInstance,
    /// 0x06 `invoke-constructor`.
    InvokeConstructor,
    /// 0x07 `invoke-direct`.
    InvokeDirect,
    /// 0x08 `invoke-interface`.
    InvokeInterface,
    /// Any other value (invalid; kept so the caller can report it).
    Unknown(u16),
}

impl MethodHandleKind {
    fn from_u16(v: u16) -> Self {
        use MethodHandleKind::*;
        match v {
            0 => StaticPut,
            1 => StaticGet,
            2 => InstancePut,
            3 => InstanceGet,
            4 => InvokeStatic,
            5 => InvokeInstance,
            6 => InvokeConstructor,
            7 => InvokeDirect,
            8 => InvokeInterface,
            other => Unknown(other),
        }
    }

    /// Whether the handle's target is a method (`field_or_method_id` indexes `method_ids`).
    pub fn is_invoke(self) -> bool {
        use MethodHandleKind::*;
        matches!(
            self,
            InvokeStatic | InvokeInstance | InvokeConstructor | InvokeDirect | InvokeInterface
        )
    }

    /// Whether the handle's target is a field.
    pub fn is_field(self) -> bool {
        use MethodHandleKind::*;
        matches!(self, StaticPut | StaticGet | InstancePut | InstanceGet)
    }
}

/// A `method_handle_item`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodHandle {
    /// What the handle does.
    pub kind: MethodHandleKind,
    /// Index into `field_ids` or `method_ids`, depending on [`MethodHandle::kind`].
    pub field_or_method_id: u32,
}

impl MethodHandle {
    /// The target method's index, for invoke kinds.
    pub fn method_idx(&self) -> Option<u32> {
        self.kind.is_invoke().then_some(self.field_or_method_id)
    }
}

/// A decoded `call_site_item`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallSiteItem<'a> {
    /// Index into `method_handles` of the bootstrap method (e.g. `LambdaMetafactory.metafactory`).
    pub bootstrap: u32,
    /// Index into `string_ids` of the method name (e.g. the functional interface's `run`).
    pub method_name: u32,
    /// Index into `proto_ids` of the method type.
    pub method_type: u32,
    /// The whole `encoded_array` (the first three elements are the fields above).
    array: EncodedArray<'a>,
}

impl<'a> CallSiteItem<'a> {
    /// The bootstrap method's extra arguments (elements 3… of the array).
    pub fn extra_args(&self) -> impl Iterator<Item = Result<EncodedValue<'a>, DexError>> + 'a {
        self.array.iter().skip(3)
    }
}

/// What one `invoke-custom` call site calls: the bootstrap handle's target method and, when an
/// extra argument is an invoke method handle (LambdaMetafactory's `implMethod`), that method.
/// Absent entries are [`NO_INDEX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallTargets {
    /// `method_ids` index of the bootstrap method.
    pub bootstrap_method: u32,
    /// `method_ids` index of the implementation method, or [`NO_INDEX`].
    pub impl_method: u32,
}

impl CallTargets {
    /// The present targets (0, 1 or 2 method indices).
    pub fn methods(&self) -> impl Iterator<Item = u32> {
        [self.bootstrap_method, self.impl_method]
            .into_iter()
            .filter(|&m| m != NO_INDEX)
    }
}

/// The `call_site_ids` and `method_handles` tables of one DEX file, located via the `map_list`.
#[derive(Debug, Clone, Copy)]
pub struct CallSites<'a> {
    dex_bytes: &'a [u8],
    call_site_ids: (u32, usize),
    method_handles: (u32, usize),
}

fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    match b.get(off..off.checked_add(4)?)? {
        &[a, b, c, d] => Some(u32::from_le_bytes([a, b, c, d])),
        _ => None,
    }
}

fn u16_at(b: &[u8], off: usize) -> Option<u16> {
    match b.get(off..off.checked_add(2)?)? {
        &[a, b] => Some(u16::from_le_bytes([a, b])),
        _ => None,
    }
}

impl<'a> DexFile<'a> {
    /// Locates `call_site_ids` and `method_handles` through the `map_list`. A file without a
    /// `map_list` entry for them (DEX < 038, or no lambdas) has empty tables. `Err` when the
    /// `map_list` is unreadable or a section's count does not fit in the bytes left.
    pub fn call_sites(&self) -> Result<CallSites<'a>, DexError> {
        let bytes = self.bytes();
        let mut cs = CallSites {
            dex_bytes: bytes,
            call_site_ids: (0, 0),
            method_handles: (0, 0),
        };
        for item in self.map_list()? {
            let (slot, rec, what) = match item.type_code {
                TYPE_CALL_SITE_ID_ITEM => (&mut cs.call_site_ids, 4usize, "call_site_ids"),
                TYPE_METHOD_HANDLE_ITEM => (&mut cs.method_handles, 8usize, "method_handles"),
                _ => continue,
            };
            let off = item.offset as usize;
            let left = bytes.len().saturating_sub(off);
            if (item.size as usize).saturating_mul(rec) > left {
                return Err(DexError::CountTooLarge {
                    what,
                    count: item.size.into(),
                    offset: off as u64,
                    left: left as u64,
                });
            }
            *slot = (item.size, off);
        }
        Ok(cs)
    }
}

impl<'a> CallSites<'a> {
    /// Number of `call_site_ids`.
    pub fn call_site_count(&self) -> u32 {
        self.call_site_ids.0
    }

    /// Number of `method_handles`.
    pub fn method_handle_count(&self) -> u32 {
        self.method_handles.0
    }

    /// The `method_handle_item` with index `idx`.
    pub fn method_handle(&self, idx: u32) -> Result<MethodHandle, DexError> {
        let (count, base) = self.method_handles;
        let oor = DexError::IndexOutOfRange {
            what: "method_handles",
            index: idx,
            count,
        };
        if idx >= count {
            return Err(oor);
        }
        let at = (idx as usize)
            .checked_mul(8)
            .and_then(|o| o.checked_add(base))
            .ok_or(oor.clone())?;
        let kind = u16_at(self.dex_bytes, at).ok_or(oor.clone())?;
        let target = u16_at(self.dex_bytes, at + 4).ok_or(oor)?;
        Ok(MethodHandle {
            kind: MethodHandleKind::from_u16(kind),
            field_or_method_id: u32::from(target),
        })
    }

    /// The `call_site_item` with index `idx`: its array must start with a method handle, a
    /// string and a method type, as the format requires.
    pub fn call_site(&self, idx: u32) -> Result<CallSiteItem<'a>, DexError> {
        let (count, base) = self.call_site_ids;
        let oor = DexError::IndexOutOfRange {
            what: "call_site_ids",
            index: idx,
            count,
        };
        if idx >= count {
            return Err(oor);
        }
        let at = (idx as usize)
            .checked_mul(4)
            .and_then(|o| o.checked_add(base))
            .ok_or(oor.clone())?;
        let off = u32_at(self.dex_bytes, at).ok_or(oor)?;
        if off as usize >= self.dex_bytes.len() {
            return Err(DexError::OffsetBeyond {
                what: "call_site_id",
                item: idx,
                field: "call_site_off",
                offset: off,
                size: self.dex_bytes.len() as u64,
            });
        }
        let array = EncodedArray::parse(self.dex_bytes, off as usize)?;
        let mut it = array.iter();
        let bad = |reason| DexError::BadEncodedValue {
            offset: u64::from(off),
            reason,
        };
        let (Some(h), Some(n), Some(t)) = (it.next(), it.next(), it.next()) else {
            return Err(bad("call_site_item has fewer than 3 elements"));
        };
        match (h?, n?, t?) {
            (
                EncodedValue::MethodHandle(bootstrap),
                EncodedValue::String(method_name),
                EncodedValue::MethodType(method_type),
            ) => Ok(CallSiteItem {
                bootstrap,
                method_name,
                method_type,
                array,
            }),
            _ => Err(bad(
                "call_site_item does not start with method handle, string, method type",
            )),
        }
    }

    /// The methods call site `idx` reaches (see [`CallTargets`]).
    pub fn targets(&self, idx: u32) -> Result<CallTargets, DexError> {
        let cs = self.call_site(idx)?;
        let bootstrap_method = self
            .method_handle(cs.bootstrap)?
            .method_idx()
            .unwrap_or(NO_INDEX);
        let mut impl_method = NO_INDEX;
        for v in cs.extra_args() {
            if let EncodedValue::MethodHandle(h) = v? {
                if let Some(m) = self.method_handle(h)?.method_idx() {
                    impl_method = m;
                    break;
                }
            }
        }
        Ok(CallTargets {
            bootstrap_method,
            impl_method,
        })
    }

    /// [`CallSites::targets`] of every call site, by index, for the code index; an unreadable
    /// call site gets no targets and its error (at most `max_errors` are kept, with the total).
    pub(crate) fn all_targets(&self, max_errors: usize) -> (Vec<CallTargets>, Vec<String>, usize) {
        let none = CallTargets {
            bootstrap_method: NO_INDEX,
            impl_method: NO_INDEX,
        };
        let mut errors = Vec::new();
        let mut n_err = 0usize;
        let targets = (0..self.call_site_count())
            .map(|i| match self.targets(i) {
                Ok(t) => t,
                Err(e) => {
                    n_err += 1;
                    if errors.len() < max_errors {
                        errors.push(format!("call_site {i}: {e}"));
                    }
                    none
                }
            })
            .collect();
        (targets, errors, n_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::IndexBuilder;
    use trackscan_fixtures::dex::{
        lambda_metafactory, CallSiteSpec, ClassDefSpec, DexBuilder, ExtraArg, HandleSpec,
        MethodDef, MethodKey, Op,
    };

    fn track() -> MethodKey {
        MethodKey::new("Lcom/sdk/Tracker;", "track", &[], "V")
    }

    fn lambda_app() -> DexBuilder {
        let mut custom = CallSiteSpec::runnable_lambda(track());
        custom.extra.push(ExtraArg::Str("extra".into()));
        custom.extra.push(ExtraArg::Int(-300));
        DexBuilder::new()
            .class(ClassDefSpec::new(
                "Lcom/sdk/Tracker;",
                vec![MethodDef::new("track", &[], "V", vec![Op::ReturnVoid])],
            ))
            .class(ClassDefSpec::new(
                "Lcom/app/Main;",
                vec![
                    MethodDef::new(
                        "onCreate",
                        &[],
                        "V",
                        vec![
                            Op::InvokeCustom(CallSiteSpec::runnable_lambda(track())),
                            Op::InvokeCustom(CallSiteSpec::runnable_lambda(track())),
                            Op::ReturnVoid,
                        ],
                    ),
                    MethodDef::new(
                        "other",
                        &[],
                        "V",
                        vec![Op::InvokeCustom(custom), Op::ReturnVoid],
                    ),
                ],
            ))
    }

    #[test]
    fn call_sites_and_handles_parse() {
        let bytes = lambda_app().build();
        assert_eq!(bytes.get(..8), Some(&b"dex\n038\0"[..]));
        let dex = DexFile::parse(&bytes).unwrap();
        let cs = dex.call_sites().unwrap();
        assert_eq!(cs.call_site_count(), 2);
        assert_eq!(cs.method_handle_count(), 2);
        let name = |m: u32| {
            let id = dex.method_id(m).unwrap();
            format!(
                "{}->{}",
                dex.type_descriptor(u32::from(id.class_idx))
                    .unwrap()
                    .as_str(),
                dex.string(id.name_idx).unwrap().as_str()
            )
        };
        for i in 0..2 {
            let item = cs.call_site(i).unwrap();
            assert_eq!(dex.string(item.method_name).unwrap().as_str(), "run");
            assert_eq!(
                dex.proto_descriptor(item.method_type).unwrap(),
                "()Ljava/lang/Runnable;"
            );
            let h = cs.method_handle(item.bootstrap).unwrap();
            assert_eq!(h.kind, MethodHandleKind::InvokeStatic);
            let t = cs.targets(i).unwrap();
            assert_eq!(
                name(t.bootstrap_method),
                "Ljava/lang/invoke/LambdaMetafactory;->metafactory"
            );
            assert_eq!(name(t.impl_method), "Lcom/sdk/Tracker;->track");
        }
        let extra: Vec<_> = cs
            .call_site(1)
            .unwrap()
            .extra_args()
            .map(|v| v.unwrap())
            .collect();
        assert_eq!(extra.len(), 5);
        assert!(matches!(extra[0], EncodedValue::MethodType(_)));
        assert!(matches!(extra[1], EncodedValue::MethodHandle(_)));
        assert_eq!(extra[4], EncodedValue::Int(-300));
        match extra[3] {
            EncodedValue::String(s) => assert_eq!(dex.string(s).unwrap().as_str(), "extra"),
            ref v => panic!("{v:?}"),
        }
        assert!(matches!(
            cs.call_site(2),
            Err(DexError::IndexOutOfRange { .. })
        ));
        assert!(cs.method_handle(9).is_err());
    }

    #[test]
    fn lambda_counts_as_call_into_sdk() {
        let bytes = lambda_app().build();
        let mut ib = IndexBuilder::new();
        ib.add_dex("classes.dex", &bytes).unwrap();
        let idx = ib.finish();
        assert!(idx.warnings().is_empty(), "{:?}", idx.warnings());
        let calls = idx.callers_into("Lcom/sdk/");
        assert_eq!(calls.len(), 1, "{calls:?}");
        assert_eq!(calls[0].caller_class, "Lcom/app/Main;");
        assert_eq!(calls[0].callee_method, "track");
        assert_eq!(calls[0].count, 3);
        let boot = idx.callers_into("Ljava/lang/invoke/");
        assert_eq!(boot.len(), 1);
        assert_eq!(boot[0].callee_method, "metafactory");
        let main = idx.class("Lcom/app/Main;").unwrap();
        let oc = main.method("onCreate", None).unwrap();
        assert_eq!(oc.invokes().count(), 0);
        let ci: Vec<String> = oc
            .custom_invokes()
            .map(|i| format!("{}->{}{}", i.class, i.name, i.proto))
            .collect();
        assert_eq!(ci.len(), 4);
        assert_eq!(ci[1], "Lcom/sdk/Tracker;->track()V");
        assert!(ci[0].starts_with("Ljava/lang/invoke/LambdaMetafactory;->metafactory("));
        // What the app's code reaches (data access reads this): each call site's bootstrap
        // and implementation method, per invoke-custom instruction.
        let mut reached: Vec<String> = Vec::new();
        idx.for_each_method_ref_from_prefix("Lcom/app/", |caller, file, m| {
            let (class, name) = idx.method_target(file, m).unwrap();
            reached.push(format!("{caller} {class}->{name}"));
        });
        assert_eq!(reached.len(), 6, "{reached:?}");
        assert_eq!(
            reached
                .iter()
                .filter(|r| r.ends_with("Lcom/sdk/Tracker;->track"))
                .count(),
            3
        );
        assert!(reached.iter().all(|r| r.starts_with("Lcom/app/Main; ")));
    }

    #[test]
    fn hostile_call_sites() {
        // A call site whose array does not start with a method handle.
        let mut bad = CallSiteSpec::runnable_lambda(track());
        bad.bootstrap = HandleSpec {
            kind: 0x04,
            method: lambda_metafactory(),
        };
        let bytes = DexBuilder::new()
            .class(ClassDefSpec::new(
                "La/A;",
                vec![MethodDef::new(
                    "m",
                    &[],
                    "V",
                    vec![Op::InvokeCustom(bad), Op::ReturnVoid],
                )],
            ))
            .build();
        let dex = DexFile::parse(&bytes).unwrap();
        let maps = dex.map_list().unwrap();
        let ids = maps
            .iter()
            .find(|m| m.type_code == TYPE_CALL_SITE_ID_ITEM)
            .unwrap();
        let handles = maps
            .iter()
            .find(|m| m.type_code == TYPE_METHOD_HANDLE_ITEM)
            .unwrap();
        let cs_off = u32_at(&bytes, ids.offset as usize).unwrap() as usize;

        // 1. call_site_off beyond the end.
        let mut b = bytes.clone();
        b[ids.offset as usize..ids.offset as usize + 4]
            .copy_from_slice(&0xfff_ffffu32.to_le_bytes());
        let d = DexFile::parse(&b).unwrap();
        let e = d.call_sites().unwrap().targets(0).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "call_site_id 0 call_site_off 0xfffffff beyond end (size {:#x})",
                b.len()
            )
        );
        // 2. First element is a string, not a method handle.
        let mut b = bytes.clone();
        b[cs_off + 1] = 0x17;
        let d = DexFile::parse(&b).unwrap();
        assert!(d
            .call_sites()
            .unwrap()
            .call_site(0)
            .unwrap_err()
            .to_string()
            .contains("does not start"));
        // 3. Element count larger than the file.
        let mut b = bytes.clone();
        b[cs_off] = 0xff;
        b[cs_off + 1] = 0xff;
        b[cs_off + 2] = 0x7f;
        let d = DexFile::parse(&b).unwrap();
        assert!(matches!(
            d.call_sites().unwrap().call_site(0),
            Err(DexError::CountTooLarge { .. })
        ));
        // 4. Bootstrap handle index out of range, and a field-kind handle.
        let mut b = bytes.clone();
        b[cs_off + 2] = 0x09;
        let d = DexFile::parse(&b).unwrap();
        assert!(matches!(
            d.call_sites().unwrap().targets(0),
            Err(DexError::IndexOutOfRange {
                what: "method_handles",
                ..
            })
        ));
        let mut b = bytes.clone();
        let h0 = handles.offset as usize;
        b[h0] = 0x01; // static-get: a field, not a method
        let d = DexFile::parse(&b).unwrap();
        let t = d.call_sites().unwrap().targets(0);
        assert!(t.is_ok(), "{t:?}");
        // 5. A method_handles count that does not fit.
        let mut b = bytes.clone();
        let map_off = dex.header().map_off as usize;
        let pos = maps
            .iter()
            .position(|m| m.type_code == TYPE_METHOD_HANDLE_ITEM)
            .unwrap();
        let at = map_off + 4 + 12 * pos + 4;
        b[at..at + 4].copy_from_slice(&0x4000_0000u32.to_le_bytes());
        let d = DexFile::parse(&b).unwrap();
        assert!(matches!(
            d.call_sites(),
            Err(DexError::CountTooLarge {
                what: "method_handles",
                ..
            })
        ));
        // The index turns each of these into a warning, never a panic.
        let mut ib = IndexBuilder::new();
        ib.add_dex("classes.dex", &b).unwrap();
        let idx = ib.finish();
        assert!(
            idx.warnings()
                .iter()
                .any(|w| w.starts_with("classes.dex: call sites: method_handles count")),
            "{:?}",
            idx.warnings()
        );
        assert_eq!(idx.callers_into("L").len(), 0);
    }

    /// Every call site of every DEX in the corpus parses and resolves.
    #[test]
    fn corpus_call_sites_parse() {
        use std::io::Read;
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/apks");
        let Ok(rd) = std::fs::read_dir(dir) else {
            eprintln!("note: corpus {dir} absent; skipping");
            return;
        };
        let (mut dexes, mut v38, mut sites, mut handles) = (0, 0, 0u64, 0u64);
        for e in rd.flatten() {
            let Ok(file) = std::fs::File::open(e.path()) else {
                continue;
            };
            let Ok(mut z) = zip::ZipArchive::new(file) else {
                continue;
            };
            for i in 0..z.len() {
                let Ok(mut ent) = z.by_index(i) else { continue };
                let Ok(n) = ent.name().map(|n| n.to_string()) else {
                    continue;
                };
                if !(n.starts_with("classes") && n.ends_with(".dex")) {
                    continue;
                }
                let mut bytes = Vec::new();
                if ent.read_to_end(&mut bytes).is_err() {
                    continue;
                }
                let Ok(dex) = DexFile::parse(&bytes) else {
                    continue;
                };
                dexes += 1;
                if dex.header().version >= 38 {
                    v38 += 1;
                }
                let cs = dex
                    .call_sites()
                    .unwrap_or_else(|err| panic!("{:?} {n}: {err}", e.path()));
                for j in 0..cs.call_site_count() {
                    cs.targets(j)
                        .unwrap_or_else(|err| panic!("{:?} {n}: call_site {j}: {err}", e.path()));
                }
                for j in 0..cs.method_handle_count() {
                    cs.method_handle(j).unwrap();
                }
                sites += u64::from(cs.call_site_count());
                handles += u64::from(cs.method_handle_count());
            }
        }
        eprintln!(
            "corpus: {dexes} DEX files, {v38} of version 038+, {sites} call sites, {handles} method handles"
        );
        assert!(dexes > 0);
    }
}
