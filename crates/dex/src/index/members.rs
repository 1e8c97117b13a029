//! Class members beyond the code: fields with their constant values, and what `invoke-custom`
//! call sites resolve to. A child of [`crate::index`] so it reads the index's private tables;
//! the index itself only keeps, per DEX file, the resolved call-site targets.

use std::borrow::Cow;

use super::{ClassRef, CodeIndex, DexEntry, Invoke, MethodRef, Source};
use crate::callsite::CallTargets;
use crate::file::DexFile;
use crate::insn::RefKind;
use crate::values::EncodedValue;

/// Call-site errors reported per DEX file before the rest are only counted.
const MAX_CALL_SITE_ERRORS: usize = 20;

/// Access flag `static`.
const ACC_STATIC: u32 = 0x0008;
/// Access flag `final`.
const ACC_FINAL: u32 = 0x0010;

/// A field defined by a class (DEX `class_data` or smali `.field`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldInfo<'a> {
    /// Field name.
    pub name: Cow<'a, str>,
    /// Type descriptor, e.g. `Ljava/lang/String;`.
    pub type_descriptor: Cow<'a, str>,
    /// Access flags.
    pub access_flags: u32,
    /// The initial value of a static field when it is a string (DEX `static_values`, smali
    /// `= "…"`), borrowed from the string table when possible.
    pub string_value: Option<Cow<'a, str>>,
}

impl FieldInfo<'_> {
    /// Whether the field is `static final`.
    pub fn is_static_final(&self) -> bool {
        self.access_flags & (ACC_STATIC | ACC_FINAL) == ACC_STATIC | ACC_FINAL
    }
}

/// Resolves every call site of `dex` for the index, recording problems as warnings.
pub(super) fn add_call_targets(
    warnings: &mut Vec<String>,
    entry: &mut DexEntry<'_>,
    dex: &DexFile<'_>,
) {
    let (targets, errors, n_err) = match dex.call_sites() {
        Ok(cs) => cs.all_targets(MAX_CALL_SITE_ERRORS),
        Err(e) => (Vec::new(), vec![format!("call sites: {e}")], 1),
    };
    for e in errors {
        super::warn(warnings, entry, format_args!("{e}"));
    }
    if n_err > MAX_CALL_SITE_ERRORS {
        super::warn(
            warnings,
            entry,
            format_args!(
                "{} more unreadable call sites",
                n_err - MAX_CALL_SITE_ERRORS
            ),
        );
    }
    entry.call_targets = targets;
}

impl<'a> DexEntry<'a> {
    /// Methods (indices into this file's `method_ids`) that call site `idx` reaches.
    pub(super) fn call_site_methods(&self, idx: u32) -> impl Iterator<Item = u32> + '_ {
        self.call_targets
            .get(idx as usize)
            .into_iter()
            .flat_map(CallTargets::methods)
    }
}

impl<'i, 'a> ClassRef<'i, 'a> {
    /// The fields the class defines: for DEX, static then instance fields in `class_data`
    /// order with static string values from `static_values`; for smali, `.field` lines in file
    /// order. Unreadable entries are skipped.
    pub fn fields(&self) -> Vec<FieldInfo<'a>> {
        let Some(f) = self.index.files.get(usize::from(self.class.file)) else {
            return Vec::new();
        };
        match &f.src {
            Source::Dex(dex, ..) => {
                let def = &self.class.def;
                let Ok(data) = dex.class_data(def) else {
                    return Vec::new();
                };
                let mut values = dex.static_values(def).ok().flatten().map(|a| a.iter());
                let mut out =
                    Vec::with_capacity(data.static_fields.len() + data.instance_fields.len());
                for ef in &data.static_fields {
                    let v = values.as_mut().and_then(|i| i.next());
                    let string_value = match v {
                        Some(Ok(EncodedValue::String(s))) => f.src.string(s),
                        _ => None,
                    };
                    if let Some((_, name, ty)) = f.src.field(ef.field_idx) {
                        out.push(FieldInfo {
                            name,
                            type_descriptor: ty,
                            access_flags: ef.access_flags,
                            string_value,
                        });
                    }
                }
                for ef in &data.instance_fields {
                    if let Some((_, name, ty)) = f.src.field(ef.field_idx) {
                        out.push(FieldInfo {
                            name,
                            type_descriptor: ty,
                            access_flags: ef.access_flags,
                            string_value: None,
                        });
                    }
                }
                out
            }
            Source::Smali(s) => s
                .defined_fields
                .iter()
                .filter_map(|d| {
                    let (_, name, ty) = f.src.field(d.field_idx)?;
                    Some(FieldInfo {
                        name,
                        type_descriptor: ty,
                        access_flags: d.access_flags,
                        string_value: d.string_value.clone(),
                    })
                })
                .collect(),
        }
    }

    /// The class's `static final String` constants: (field name, value). For DEX only the
    /// static fields are read (a scan asks this of every class with static values under every
    /// detected SDK's prefixes, so it skips instance fields and names of non-string values).
    pub fn string_constants(&self) -> impl Iterator<Item = (Cow<'a, str>, Cow<'a, str>)> {
        let mut out: Vec<(Cow<'a, str>, Cow<'a, str>)> = Vec::new();
        let Some(f) = self.index.files.get(usize::from(self.class.file)) else {
            return out.into_iter();
        };
        let Source::Dex(dex, ..) = &f.src else {
            out.extend(self.fields().into_iter().filter_map(|fi| {
                if !fi.is_static_final() || fi.type_descriptor != "Ljava/lang/String;" {
                    return None;
                }
                Some((fi.name, fi.string_value?))
            }));
            return out.into_iter();
        };
        let def = &self.class.def;
        let Some(values) = dex.static_values(def).ok().flatten() else {
            return out.into_iter();
        };
        let mut data = crate::file::ClassData::default();
        if dex.static_fields_into(def, &mut data).is_err() {
            return out.into_iter();
        }
        let mut values = values.iter();
        for ef in &data.static_fields {
            let v = values.next();
            if ef.access_flags & (ACC_STATIC | ACC_FINAL) != ACC_STATIC | ACC_FINAL {
                continue;
            }
            let Some(Ok(EncodedValue::String(s))) = v else {
                continue;
            };
            let Some((_, name, ty)) = f.src.field(ef.field_idx) else {
                continue;
            };
            if ty != "Ljava/lang/String;" {
                continue;
            }
            if let Some(value) = f.src.string(s) {
                out.push((name, value));
            }
        }
        out.into_iter()
    }
}

impl<'a> CodeIndex<'a> {
    /// The `static final String` constants of the class with this descriptor: (field name,
    /// value). Empty when the class is not in the index.
    pub fn string_constants(
        &self,
        class: &str,
    ) -> impl Iterator<Item = (Cow<'a, str>, Cow<'a, str>)> {
        self.class(class)
            .map(|c| c.string_constants())
            .into_iter()
            .flatten()
    }
}

impl<'i, 'a> MethodRef<'i, 'a> {
    /// What its `invoke-custom` instructions reach, in instruction order: for each call site,
    /// the bootstrap method and (LambdaMetafactory) the implementation method.
    pub fn custom_invokes(&self) -> impl Iterator<Item = Invoke<'a>> + 'i {
        let entry = self.index.files.get(usize::from(self.file));
        self.refs()
            .iter()
            .filter(|r| r.kind == RefKind::CallSite)
            .flat_map(move |r| {
                entry
                    .into_iter()
                    .flat_map(move |e| e.call_site_methods(r.idx).map(move |m| (e, m)))
            })
            .filter_map(|(e, m)| {
                let s = &e.src;
                Some(Invoke {
                    class: s.type_desc(s.method_class(m)?)?,
                    name: s.method_name(m)?,
                    proto: s.method_proto(m).unwrap_or_default(),
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use crate::IndexBuilder;
    use trackscan_fixtures::dex::{ClassDefSpec, DexBuilder, FieldDef, MethodDef, Op, StaticValue};

    fn build_config() -> DexBuilder {
        DexBuilder::new().class(
            ClassDefSpec::new(
                "Lcom/sdk/BuildConfig;",
                vec![MethodDef::new("<clinit>", &[], "V", vec![Op::ReturnVoid])],
            )
            .field(FieldDef::constant(
                "VERSION_NAME",
                "Ljava/lang/String;",
                StaticValue::Str("6.12.1".into()),
            ))
            .field(FieldDef::constant("DEBUG", "Z", StaticValue::Bool(false)))
            .field(FieldDef::constant(
                "VERSION_CODE",
                "I",
                StaticValue::Int(-61201),
            ))
            .field(FieldDef::constant(
                "APPLICATION_ID",
                "Ljava/lang/String;",
                StaticValue::Str("caf\u{e9} \u{1F600}".into()),
            ))
            .field(FieldDef::constant(
                "NOTHING",
                "Ljava/lang/String;",
                StaticValue::Null,
            ))
            .field(FieldDef::new("LAST", "Ljava/lang/String;", 0x19))
            .field(FieldDef::new("mutable", "Ljava/lang/String;", 0x09))
            .field(FieldDef::new("inst", "J", 0x02)),
        )
    }

    #[test]
    fn dex_and_smali_fields_and_constants() {
        let b = build_config();
        let bytes = b.build();
        let smali = b.to_smali();
        let mut ib = IndexBuilder::new();
        ib.add_dex("classes.dex", &bytes).unwrap();
        let from_dex = ib.finish();
        assert!(from_dex.warnings().is_empty(), "{:?}", from_dex.warnings());
        let mut ib = IndexBuilder::new();
        for (p, t) in &smali {
            ib.add_smali(p, t).unwrap();
        }
        let from_smali = ib.finish();
        assert!(
            from_smali.warnings().is_empty(),
            "{:?}",
            from_smali.warnings()
        );
        for idx in [&from_dex, &from_smali] {
            let mut c: Vec<(String, String)> = idx
                .string_constants("Lcom/sdk/BuildConfig;")
                .map(|(n, v)| (n.into_owned(), v.into_owned()))
                .collect();
            c.sort();
            assert_eq!(
                c,
                [
                    (
                        "APPLICATION_ID".to_string(),
                        "caf\u{e9} \u{1F600}".to_string()
                    ),
                    ("VERSION_NAME".into(), "6.12.1".into())
                ]
            );
            let cls = idx.class("Lcom/sdk/BuildConfig;").unwrap();
            let mut f: Vec<String> = cls
                .fields()
                .iter()
                .map(|f| format!("{}:{} {:#x}", f.name, f.type_descriptor, f.access_flags))
                .collect();
            f.sort();
            assert_eq!(f.len(), 8);
            assert!(f.contains(&"inst:J 0x2".to_string()), "{f:?}");
            assert_eq!(idx.string_constants("Lcom/none/X;").count(), 0);
        }
        // DEX: the value is borrowed from the file's string table.
        let (_, v) = from_dex
            .string_constants("Lcom/sdk/BuildConfig;")
            .find(|(n, _)| n == "VERSION_NAME")
            .unwrap();
        assert!(matches!(v, std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn hostile_static_values_are_skipped() {
        let bytes = build_config().build();
        let dex = crate::DexFile::parse(&bytes).unwrap();
        let def = dex.class_def(0).unwrap();
        let off = def.static_values_off as usize;
        assert!(off > 0);
        // static_values_off beyond the end, and an unknown value type in the array.
        let mut far = bytes.clone();
        let cd_at = dex.header().class_defs.1 as usize;
        far[cd_at + 28..cd_at + 32].copy_from_slice(&0x00ff_ffffu32.to_le_bytes());
        let mut junk = bytes.clone();
        junk[off + 1] = 0x07;
        for b in [far, junk] {
            let d = crate::DexFile::parse(&b).unwrap();
            let def = d.class_def(0).unwrap();
            let walked = d
                .static_values(&def)
                .and_then(|a| a.map_or(Ok(0), |a| a.end()));
            assert!(walked.is_err(), "{walked:?}");
            let mut ib = IndexBuilder::new();
            ib.add_dex("classes.dex", &b).unwrap();
            let idx = ib.finish();
            assert_eq!(idx.string_constants("Lcom/sdk/BuildConfig;").count(), 0);
            assert_eq!(
                idx.class("Lcom/sdk/BuildConfig;").unwrap().fields().len(),
                8
            );
        }
    }
}
