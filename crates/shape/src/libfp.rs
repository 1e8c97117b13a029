//! Library fingerprints: what a class keeps through every road from a vendor's jar to an app.
//!
//! The SDK library ([`crate::library`]) is built from the vendors' own releases (jar/aar,
//! translated to DEX with AOSP `dx`), and matched against apps whose DEX came from `dx`, `d8`
//! or R8, then possibly through ProGuard, Obfuscapk or a packer. The code-level fingerprint of
//! [`crate::AppShapes`] hashes opcode classes in instruction order, which differ between those
//! compilers (register allocation, constant materialisation, `move` elimination). A library
//! fingerprint therefore keeps only what the source code fixes and every translator keeps:
//!
//! - per **method**: its access flags (visibility and `final` masked out, as R8 changes them),
//!   its proto token, and the *set* of its reference tokens — types, fields and methods it
//!   uses (named when they are the platform's, placeholders with their proto or type when they
//!   are the app's own) — plus the magnitudes of its numeric constants (loaded by `const*` or
//!   written as a `binop/lit8`/`lit16` operand) other than 0 and 1. String constants
//!   are left out (encryptors rewrite them), and so are calls to an app-defined
//!   `(String)String` helper (a string decryptor) and, in `<clinit>`, stores into String
//!   fields (where encryptors move static String constants);
//! - per **class**: superclass and interface tokens, the set of field shapes (type token and
//!   flags; decoy fields copy a real one) and the set of method fingerprints.
//!
//! "The platform" is what an Android device provides: `java.`, `javax.`, `android.` (not
//! `android.support.`), `dalvik.`, `org.json.`, `org.w3c.`, `org.xml.`, `org.apache.http.`
//! and primitive types — unless the input defines the class itself. Everything else (the SDK,
//! the app, support libraries, Kotlin) is a placeholder, so a vendor jar (which does not
//! bundle its dependencies) and an app (which does) give the same tokens.
//!
//! A shrinker removes unused methods, fields and interfaces but (without optimisation) leaves
//! the rest of a class as it was: an app class matches a library class when its parts are a
//! *subset* of the library class's ([`LibClass::within`]).

use std::collections::HashSet;

use trackscan_dex::{ClassData, DexFile, Instructions, RefKind, NO_INDEX};

use crate::{descriptor_bytes, fin, hash_bytes, mix, Tokens, FLAG_MASK};

/// A method fingerprint with at least this many distinct tokens is *strong*: specific enough
/// to look a class up by it. (A getter, a setter or a constructor storing one argument has
/// one or two.)
pub const STRONG_TOKENS: usize = 4;

/// The library fingerprint of one class.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LibClass {
    /// The class descriptor as it is in the input (`La/b/C;`), lossily decoded.
    pub descriptor: String,
    /// Superclass token (0 for none).
    pub sup: u64,
    /// Interface tokens, sorted, distinct.
    pub ifaces: Vec<u64>,
    /// Field shapes, sorted, distinct.
    pub fields: Vec<u64>,
    /// Method fingerprints, sorted, distinct.
    pub methods: Vec<u64>,
    /// The strong method fingerprints ([`STRONG_TOKENS`]), sorted, distinct.
    pub strong: Vec<u64>,
}

impl LibClass {
    /// Whether every part of `self` is in `other` (same superclass; interfaces, fields and
    /// methods subsets): `self` can be `other` after shrinking.
    pub fn within(&self, other: &LibClass) -> bool {
        self.sup == other.sup
            && subset(&self.ifaces, &other.ifaces)
            && subset(&self.fields, &other.fields)
            && subset(&self.methods, &other.methods)
    }

    /// One hash of all the parts (identical classes of two releases share it).
    pub fn hash(&self) -> u64 {
        let mut h = mix(19, self.sup);
        for part in [&self.ifaces, &self.fields, &self.methods] {
            h = mix(h, part.len() as u64);
            for &p in part.iter() {
                h = mix(h, p);
            }
        }
        fin(h)
    }
}

/// Whether sorted `a` is a subset of sorted `b` (one merge pass).
pub fn subset<T: Ord>(a: &[T], b: &[T]) -> bool {
    if a.len() > b.len() {
        return false;
    }
    let mut j = 0usize;
    for x in a {
        loop {
            match b.get(j) {
                None => return false,
                Some(y) if y < x => j += 1,
                Some(y) if y == x => {
                    j += 1;
                    break;
                }
                Some(_) => return false,
            }
        }
    }
    true
}

/// Whether a class descriptor (`La/b/C;`, no array dimensions) names a platform class.
pub fn is_platform(base: &[u8]) -> bool {
    const PLATFORM: &[&[u8]] = &[
        b"Ljava/",
        b"Ljavax/",
        b"Landroid/",
        b"Ldalvik/",
        b"Lorg/json/",
        b"Lorg/w3c/",
        b"Lorg/xml/",
        b"Lorg/apache/http/",
    ];
    PLATFORM.iter().any(|p| base.starts_with(p)) && !base.starts_with(b"Landroid/support/")
}

/// The library fingerprints of the classes of `dexes` (one app or one SDK build) for which
/// `want(descriptor)` is true. Only the first definition of a class counts. Never fails: a
/// class that does not decode is left out and counted in the second value.
pub fn lib_classes(
    dexes: &[DexFile<'_>],
    mut want: impl FnMut(&[u8]) -> bool,
) -> (Vec<LibClass>, usize) {
    let mut defined = HashSet::new();
    for dex in dexes {
        for def in dex.class_defs().flatten() {
            defined.insert(hash_bytes(descriptor_bytes(dex, def.class_idx)));
        }
    }
    let is_app = |b: &[u8]| !is_platform(b) || defined.contains(&hash_bytes(b));
    let mut out = Vec::new();
    let mut unreadable = 0usize;
    let mut seen: HashSet<u64> = HashSet::new();
    let mut data = ClassData::default();
    let mut toks: Vec<u64> = Vec::new();
    for dex in dexes {
        let defs: Vec<_> = dex
            .class_defs()
            .flatten()
            .filter(|d| {
                let desc = descriptor_bytes(dex, d.class_idx);
                want(desc) && seen.insert(hash_bytes(desc))
            })
            .collect();
        if defs.is_empty() {
            continue;
        }
        let t = Tokens::new(dex, &is_app);
        for def in defs {
            match lib_class(&t, &def, &mut data, &mut toks) {
                Some(mut c) => {
                    c.descriptor =
                        String::from_utf8_lossy(descriptor_bytes(dex, def.class_idx)).into_owned();
                    out.push(c);
                }
                None => unreadable += 1,
            }
        }
    }
    (out, unreadable)
}

fn lib_class(
    t: &Tokens<'_, '_>,
    def: &trackscan_dex::ClassDef,
    data: &mut ClassData,
    toks: &mut Vec<u64>,
) -> Option<LibClass> {
    let dex = t.dex;
    data.static_fields.clear();
    data.instance_fields.clear();
    data.methods.clear();
    if def.class_data_off != 0 {
        dex.class_data_into(def, data).ok()?;
    }
    let mut c = LibClass {
        sup: if def.superclass_idx == NO_INDEX {
            0
        } else {
            t.ty(def.superclass_idx)
        },
        ..LibClass::default()
    };
    if let Ok(ifaces) = dex.interfaces(def) {
        c.ifaces.extend(ifaces.into_iter().map(|i| t.ty(i)));
    }
    for (f, kind) in data
        .static_fields
        .iter()
        .map(|f| (f, 1u64))
        .chain(data.instance_fields.iter().map(|f| (f, 2u64)))
    {
        let ty = dex
            .field_id(f.field_idx)
            .map(|id| t.ty(u32::from(id.type_idx)))
            .unwrap_or(4);
        c.fields
            .push(mix(mix(kind, ty), u64::from(f.access_flags & FLAG_MASK)));
    }
    for m in &data.methods {
        let proto = dex
            .method_id(m.method_idx)
            .ok()
            .and_then(|id| t.protos.get(usize::from(id.proto_idx)).copied())
            .unwrap_or(2);
        let clinit = m.access_flags & 0x10008 == 0x10008;
        toks.clear();
        if let Some(code) = dex.code_item(m.method_idx, m.code_off).ok()? {
            body_tokens(t, code.insns, clinit, toks)?;
        }
        toks.sort_unstable();
        toks.dedup();
        if clinit && toks.is_empty() {
            // An empty `<clinit>` (or one that only set String constants) counts as absent.
            continue;
        }
        let mut h = mix(mix(23, u64::from(m.access_flags & FLAG_MASK)), proto);
        h = mix(h, toks.len() as u64);
        for &x in toks.iter() {
            h = mix(h, x);
        }
        let fp = fin(h);
        c.methods.push(fp);
        if toks.len() >= STRONG_TOKENS {
            c.strong.push(fp);
        }
    }
    // An enum's methods (`values`, `valueOf`, `<init>`, `<clinit>` building the constants) are
    // the compiler's, the same in every enum of as many constants: never a lookup key.
    if def.superclass_idx != NO_INDEX
        && descriptor_bytes(dex, def.superclass_idx) == b"Ljava/lang/Enum;"
    {
        c.strong.clear();
    }
    for v in [&mut c.ifaces, &mut c.fields, &mut c.methods, &mut c.strong] {
        v.sort_unstable();
        v.dedup();
    }
    Some(c)
}

/// The reference and constant tokens of one method body, unsorted (`None` when the body does
/// not decode).
fn body_tokens(t: &Tokens<'_, '_>, insns: &[u8], clinit: bool, out: &mut Vec<u64>) -> Option<()> {
    for insn in Instructions::new(insns) {
        let insn = insn.ok()?;
        if insn.payload.is_some() {
            continue;
        }
        // A constant loaded by `const*` or written into a `binop/lit` instruction counts the
        // same, by its magnitude: an optimising translator turns `const/16 v2, 42` +
        // `mul-int` into `mul-int/lit8 …, 42`, and `x - 5` into `add-int/lit8 …, -5`.
        if let Some(v) = insn
            .const_value()
            .map(|(_, v)| v)
            .or_else(|| insn.literal())
        {
            let m = v.unsigned_abs();
            if m > 1 {
                out.push(mix(29, m));
            }
        }
        let Some(r) = insn.reference else {
            continue;
        };
        let tok = match r.kind {
            RefKind::String => continue,
            RefKind::Type => t.ty(r.idx),
            RefKind::Field => {
                // `sput-object` into a String field in `<clinit>`: a static String constant
                // an encryptor moved out of `static_values`.
                if clinit
                    && insn.opcode == 0x69
                    && t.string_field.get(r.idx as usize) == Some(&true)
                {
                    continue;
                }
                t.fields.get(r.idx as usize).copied().unwrap_or(4)
            }
            RefKind::Method => {
                if t.decrypt_helper.get(r.idx as usize) == Some(&true) {
                    continue;
                }
                t.methods.get(r.idx as usize).copied().unwrap_or(6)
            }
            RefKind::Proto => t.protos.get(r.idx as usize).copied().unwrap_or(2),
            RefKind::CallSite => 9,
            RefKind::MethodHandle => 10,
        };
        out.push(tok);
    }
    Some(())
}
