//! Name-independent structural fingerprints of DEX code, and the SDK library they are matched
//! against.
//!
//! Two fingerprints live here. [`libfp`] (library fingerprints: reference sets, no instruction
//! order) is what the scan uses: it is the same for a vendor's jar translated to DEX and for
//! the class in an app built by another compiler, and it allows inclusion (shrunk classes).
//! [`library`] holds every vendor release's classes and matches apps against them.
//! [`AppShapes`] (below: opcode classes in instruction order) is stricter; it stays as the
//! measurement baseline (`crates/scan/examples/libcheck.rs`: on OneSignal 3.10.6's jar
//! against three release apps built with it, 12 of 228 classes identical by this fingerprint,
//! 21 of 26 same-named classes within the vendor's by the library fingerprint, 64 renamed
//! classes matched).
//!
//! # What the fingerprint sees
//!
//! Renaming (R8, ProGuard, Obfuscapk, DexGuard) changes the names of the app's own classes,
//! methods and fields; it cannot change what the code *does* with the platform. The
//! fingerprint of a **method** mixes, in instruction order, the opcode *class* of every
//! instruction (`move`/`move/from16` are one class, `goto`/`goto/16`/`goto/32` one,
//! `const-string`/`/jumbo` one, `add-int`/`add-int/2addr` one, range and non-range invokes one,
//! so re-assembly does not change it; branches and switches are classes too), each reference
//! operand as a *token*, and numeric constants; plus the method's access flags (visibility
//! masked out) and its proto token.
//!
//! A token keeps the name of anything **external** — a type that no DEX of the app defines
//! (`Landroid/`, `Ljava/`, `Ljavax/`, `Lorg/json/`, …, and whatever else the runtime resolves)
//! — and replaces every **app-defined** type by a placeholder (with its array dimensions). A
//! method or field reference keeps its name only when its class is external. A string
//! constant is its content. "External" is decided per app from the `class_defs` of all its
//! DEX files, so an SDK renamed into `a/b/c` and the same SDK under `com/vendor` give the
//! same tokens.
//!
//! A **class** fingerprint mixes its access flags, superclass and interface tokens (sorted),
//! the set of its field shapes (type token and flags; each shape once, so decoy fields that
//! copy a real one change nothing) and its method fingerprints (sorted: renaming reorders
//! methods). A `<clinit>` that only sets String constants (or is empty) counts as absent: string
//! encryptors add one or add such code to it.
//! # Cost
//!
//! Token tables are built once per DEX (one `u64` per type/proto/field/method id, bounded by
//! the id tables the parser has already checked against the file size); the instruction walk
//! allocates nothing per instruction; per class, one reused buffer of method fingerprints.
#![deny(missing_docs)]

use std::collections::HashSet;

use trackscan_dex::{ClassData, DexFile, Instructions, RefKind, NO_INDEX};

const K: u64 = 0x517c_c1b7_2722_0a95;
const APP: u64 = 0xa99_0000_0000_0001;
/// Access-flag bits that survive shrinkers: static, synchronized, bridge, varargs, native,
/// interface, abstract, annotation, enum, constructor (visibility and `final` are dropped: R8
/// changes them).
const FLAG_MASK: u32 =
    0x0008 | 0x0020 | 0x0040 | 0x0080 | 0x0100 | 0x0200 | 0x0400 | 0x2000 | 0x4000 | 0x10000;

#[inline]
fn mix(h: u64, x: u64) -> u64 {
    (h.rotate_left(5) ^ x).wrapping_mul(K)
}

/// The splitmix64 finaliser: spreads a mixed value over all bits.
#[inline]
fn fin(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Hash of a byte string, eight bytes at a time (deterministic on every platform).
pub fn hash_bytes(b: &[u8]) -> u64 {
    let mut h = mix(0x9e37_79b9_7f4a_7c15, b.len() as u64);
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = mix(h, u64::from_le_bytes(w));
    }
    let mut w = [0u8; 8];
    let rest = chunks.remainder();
    w[..rest.len()].copy_from_slice(rest);
    fin(mix(h, u64::from_le_bytes(w)))
}

/// Opcode class of every opcode (0 = not hashed: `nop`, payloads).
const OPCLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut op = 0usize;
    while op < 256 {
        t[op] = match op as u8 {
            0x00 => 0,
            0x01..=0x09 => 1,
            0x0a..=0x0d => 2,
            0x0e..=0x11 => 3,
            0x12..=0x19 => 4,
            0x1a | 0x1b => 5,
            0x1c => 6,
            0x1d | 0x1e => 7,
            0x1f => 8,
            0x20 => 9,
            0x21 => 10,
            0x22 => 11,
            0x23 => 12,
            0x24 | 0x25 => 13,
            0x26 => 14,
            0x27 => 15,
            0x28..=0x2a => 16,
            0x2b | 0x2c => 17,
            0x2d..=0x31 => 18,
            0x32..=0x37 => 19,
            0x38..=0x3d => 20,
            0x44..=0x4a => 21,
            0x4b..=0x51 => 22,
            0x52..=0x58 => 23,
            0x59..=0x5f => 24,
            0x60..=0x66 => 25,
            0x67..=0x6d => 26,
            0x6e | 0x74 => 27,
            0x6f | 0x75 => 28,
            0x70 | 0x76 => 29,
            0x71 | 0x77 => 30,
            0x72 | 0x78 => 31,
            0x7b..=0x8f => 32,
            // binop and binop/2addr of the same operation: one class each.
            0x90..=0xaf => 64 + (op as u8 - 0x90),
            0xb0..=0xcf => 64 + (op as u8 - 0xb0),
            0xd0..=0xe2 => 33,
            0xfa | 0xfb => 35,
            0xfc | 0xfd => 36,
            0xfe | 0xff => 37,
            _ => 38,
        };
        op += 1;
    }
    t
};

/// The fingerprint of one class of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassShape {
    /// The class descriptor as it is in this app (`La/b/c;`), lossily decoded.
    pub descriptor: String,
    /// The class fingerprint.
    pub hash: u64,
    /// Code units of all its methods (how much code the fingerprint covers).
    pub units: u32,
    /// Number of methods.
    pub methods: u32,
}

/// The class fingerprints of one app (all its DEX files).
#[derive(Debug, Clone, Default)]
pub struct AppShapes {
    /// One entry per fingerprinted class, in DEX order.
    pub classes: Vec<ClassShape>,
    /// Classes whose data or code could not be read (their fingerprint is left out).
    pub unreadable: usize,
}

/// Per-DEX token tables.
struct Tokens<'d, 'a> {
    dex: &'d DexFile<'a>,
    types: Vec<u64>,
    protos: Vec<u64>,
    fields: Vec<u64>,
    methods: Vec<u64>,
    /// Whether the type id names an app-defined class (for method/field names).
    app_type: Vec<bool>,
    /// Per method id: an app-defined `(Ljava/lang/String;)Ljava/lang/String;` method (the
    /// shape of a string-decryption helper).
    decrypt_helper: Vec<bool>,
    /// Per field id: a field of type `Ljava/lang/String;`.
    string_field: Vec<bool>,
}

fn descriptor_bytes<'a>(dex: &DexFile<'a>, type_idx: u32) -> &'a [u8] {
    dex.type_descriptor(type_idx)
        .map(|s| s.as_bytes())
        .unwrap_or(b"?")
}

impl<'d, 'a> Tokens<'d, 'a> {
    /// Token tables of `dex`; `is_app(base descriptor)` says whether a class type (`La/b;`,
    /// array dimensions stripped) gets a placeholder instead of its name.
    fn new(dex: &'d DexFile<'a>, is_app: &dyn Fn(&[u8]) -> bool) -> Self {
        let nt = dex.type_count() as usize;
        let mut types = Vec::with_capacity(nt);
        let mut app_type = Vec::with_capacity(nt);
        for t in 0..dex.type_count() {
            let d = descriptor_bytes(dex, t);
            let dims = d.iter().take_while(|&&c| c == b'[').count();
            let base = d.get(dims..).unwrap_or_default();
            let app = base.first() == Some(&b'L') && is_app(base);
            app_type.push(app && dims == 0);
            types.push(if app {
                mix(APP, dims as u64)
            } else {
                hash_bytes(d)
            });
        }
        let ty = |i: u32| types.get(i as usize).copied().unwrap_or(1);
        let mut protos = Vec::with_capacity(dex.proto_count() as usize);
        for p in 0..dex.proto_count() {
            let tok = match dex.proto_id(p) {
                Ok(pid) => {
                    let mut h = mix(3, ty(pid.return_type_idx));
                    if let Ok(params) = dex.type_list("proto", p, pid.parameters_off) {
                        for t in params {
                            h = mix(h, ty(t));
                        }
                    }
                    h
                }
                Err(_) => 2,
            };
            protos.push(tok);
        }
        let is_app = |i: u32| app_type.get(i as usize).copied().unwrap_or(false);
        let mut fields = Vec::with_capacity(dex.field_count() as usize);
        let mut string_field = Vec::with_capacity(dex.field_count() as usize);
        for f in 0..dex.field_count() {
            string_field.push(dex.field_id(f).is_ok_and(|fid| {
                descriptor_bytes(dex, u32::from(fid.type_idx)) == b"Ljava/lang/String;"
            }));
            let tok = match dex.field_id(f) {
                Ok(fid) => {
                    let c = u32::from(fid.class_idx);
                    let mut h = mix(mix(5, ty(c)), ty(u32::from(fid.type_idx)));
                    if !is_app(c) {
                        let name = dex.string(fid.name_idx).map(|s| s.as_bytes());
                        h = mix(h, hash_bytes(name.unwrap_or_default()));
                    }
                    h
                }
                Err(_) => 4,
            };
            fields.push(tok);
        }
        let pr = |i: u32| protos.get(i as usize).copied().unwrap_or(2);
        let string_ty = hash_bytes(b"Ljava/lang/String;");
        let string_to_string = mix(mix(3, string_ty), string_ty);
        let mut methods = Vec::with_capacity(dex.method_count() as usize);
        let mut decrypt_helper = Vec::with_capacity(dex.method_count() as usize);
        for m in 0..dex.method_count() {
            let tok = match dex.method_id(m) {
                Ok(mid) => {
                    let c = u32::from(mid.class_idx);
                    decrypt_helper
                        .push(is_app(c) && pr(u32::from(mid.proto_idx)) == string_to_string);
                    let mut h = mix(mix(7, ty(c)), pr(u32::from(mid.proto_idx)));
                    if !is_app(c) {
                        let name = dex.string(mid.name_idx).map(|s| s.as_bytes());
                        h = mix(h, hash_bytes(name.unwrap_or_default()));
                    }
                    h
                }
                Err(_) => {
                    decrypt_helper.push(false);
                    6
                }
            };
            methods.push(tok);
        }
        Tokens {
            dex,
            types,
            protos,
            fields,
            methods,
            app_type,
            decrypt_helper,
            string_field,
        }
    }

    fn ty(&self, i: u32) -> u64 {
        self.types.get(i as usize).copied().unwrap_or(1)
    }

    /// Fingerprint of one method body (`None` for a body that does not decode).
    ///
    /// String encryption (Obfuscapk, DexGuard, Allatori, …) turns `const-string v0, "x"`
    /// into `const-string v0, "<cipher>"` followed by a static call to an app-defined
    /// `(String)String` helper and a `move-result-object`. So that both forms fingerprint
    /// alike, a string constant contributes its opcode class but not its content, and such
    /// helper calls (with their `move-result`) are left out.
    ///
    /// In a static constructor (`clinit`), a `const-string` followed by a `sput-object` into
    /// a String field is left out too: the encryptor moves static String constants out of
    /// `static_values` into such code. The flag returned says whether nothing but
    /// `return-void` was hashed (an empty `<clinit>`, which the class treats as absent).
    fn body(&self, insns: &[u8], clinit: bool) -> Option<(u64, bool)> {
        let mut h = 11u64;
        let mut skip_result = false;
        // In `<clinit>`: a `const-string` waiting to see whether a `sput-object` into a
        // String field follows (a static String constant set in code).
        let mut held = false;
        // Only `return-void` (or nothing) hashed so far.
        let mut trivial = true;
        for insn in Instructions::new(insns) {
            let insn = insn.ok()?;
            if insn.payload.is_some() {
                continue;
            }
            let class = OPCLASS[usize::from(insn.opcode)];
            if class == 0 {
                continue;
            }
            if std::mem::take(&mut skip_result) && class == 2 {
                continue;
            }
            if class == 30 {
                if let Some(r) = insn.reference {
                    if self
                        .decrypt_helper
                        .get(r.idx as usize)
                        .copied()
                        .unwrap_or(false)
                    {
                        skip_result = true;
                        continue;
                    }
                }
            }
            if clinit {
                if class == 5 {
                    if std::mem::replace(&mut held, true) {
                        h = mix(mix(h, 5), 8);
                        trivial = false;
                    }
                    continue;
                }
                if std::mem::take(&mut held) {
                    // `sput-object` into a String field: the pair is a string constant,
                    // which an encryptor may move out of `static_values` into code.
                    let string_put = insn.opcode == 0x69
                        && insn
                            .reference
                            .is_some_and(|r| self.string_field.get(r.idx as usize) == Some(&true));
                    if string_put {
                        continue;
                    }
                    h = mix(mix(h, 5), 8);
                    trivial = false;
                }
            }
            if insn.opcode != 0x0e {
                trivial = false;
            }
            h = mix(h, u64::from(class));
            if let Some((_, v)) = insn.const_value() {
                h = mix(h, v as u64);
            }
            if let Some(r) = insn.reference {
                let tok = match r.kind {
                    RefKind::String => 8,
                    RefKind::Type => self.ty(r.idx),
                    RefKind::Field => self.fields.get(r.idx as usize).copied().unwrap_or(4),
                    RefKind::Method => self.methods.get(r.idx as usize).copied().unwrap_or(6),
                    RefKind::Proto => self.protos.get(r.idx as usize).copied().unwrap_or(2),
                    RefKind::CallSite => 9,
                    RefKind::MethodHandle => 10,
                };
                h = mix(h, tok);
            }
        }
        if held {
            h = mix(mix(h, 5), 8);
            trivial = false;
        }
        Some((h, trivial))
    }
}

impl AppShapes {
    /// Fingerprints every class of `dexes` (all the DEX files of one app) for which
    /// `want(descriptor)` is true; `want` sees the raw MUTF-8 descriptor (`Lcom/foo/Bar;`).
    /// Never fails: a class that does not decode is counted in [`AppShapes::unreadable`].
    pub fn build(dexes: &[DexFile<'_>], mut want: impl FnMut(&[u8]) -> bool) -> AppShapes {
        let mut defined = HashSet::new();
        for dex in dexes {
            for def in dex.class_defs().flatten() {
                defined.insert(hash_bytes(descriptor_bytes(dex, def.class_idx)));
            }
        }
        let mut out = AppShapes::default();
        let mut data = ClassData::default();
        let mut parts: Vec<u64> = Vec::new();
        let mut seen: HashSet<u64> = HashSet::new();
        for dex in dexes {
            // Only the first definition of a class counts (as at run time).
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
            let tokens = Tokens::new(dex, &|b| defined.contains(&hash_bytes(b)));
            for def in defs {
                match class_shape(&tokens, &def, &mut data, &mut parts) {
                    Some(mut s) => {
                        s.descriptor =
                            String::from_utf8_lossy(descriptor_bytes(dex, def.class_idx))
                                .into_owned();
                        out.classes.push(s);
                    }
                    None => out.unreadable += 1,
                }
            }
        }
        out
    }
}

fn class_shape(
    t: &Tokens<'_, '_>,
    def: &trackscan_dex::ClassDef,
    data: &mut ClassData,
    parts: &mut Vec<u64>,
) -> Option<ClassShape> {
    let dex = t.dex;
    data.static_fields.clear();
    data.instance_fields.clear();
    data.methods.clear();
    if def.class_data_off != 0 {
        dex.class_data_into(def, data).ok()?;
    }
    let mut h = mix(13, u64::from(def.access_flags & FLAG_MASK));
    h = mix(
        h,
        if def.superclass_idx == NO_INDEX {
            0
        } else {
            t.ty(def.superclass_idx)
        },
    );
    parts.clear();
    if let Ok(ifaces) = dex.interfaces(def) {
        parts.extend(ifaces.into_iter().map(|i| t.ty(i)));
    }
    parts.sort_unstable();
    h = mix(h, parts.len() as u64);
    for &p in parts.iter() {
        h = mix(h, p);
    }
    // Fields: the *set* of (kind, type token, flags) shapes. Names are renamed, and
    // obfuscators add decoy fields that copy a real field's type and flags (Obfuscapk's
    // FieldRename adds one to four per renamed field), so neither names nor how many fields
    // share one shape are hashed.
    parts.clear();
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
        parts.push(mix(mix(kind, ty), u64::from(f.access_flags & FLAG_MASK)));
    }
    parts.sort_unstable();
    parts.dedup();
    h = mix(h, parts.len() as u64);
    for &p in parts.iter() {
        h = mix(h, p);
    }
    // Methods: flags, proto, body.
    parts.clear();
    let mut units: u32 = 0;
    for m in &data.methods {
        let proto = dex
            .method_id(m.method_idx)
            .ok()
            .and_then(|id| t.protos.get(usize::from(id.proto_idx)).copied())
            .unwrap_or(2);
        let mut mh = mix(mix(17, u64::from(m.access_flags & FLAG_MASK)), proto);
        // Static constructor (`<clinit>`): string encryptors add one, or add code to it.
        let clinit = m.access_flags & 0x10008 == 0x10008;
        if let Some(code) = dex.code_item(m.method_idx, m.code_off).ok()? {
            let (body, trivial) = t.body(code.insns, clinit)?;
            if clinit && trivial {
                // An empty `<clinit>` (or one that only set string constants) counts as
                // absent.
                continue;
            }
            units = units.saturating_add(code.insns_units());
            mh = mix(mh, body);
        }
        parts.push(fin(mh));
    }
    parts.sort_unstable();
    h = mix(h, parts.len() as u64);
    for &p in parts.iter() {
        h = mix(h, p);
    }
    let _ = &t.app_type;
    Some(ClassShape {
        descriptor: String::new(),
        hash: fin(h),
        units,
        methods: data.methods.len() as u32,
    })
}

/// The package part of a descriptor (`La/b/C;` → `a/b`).
pub fn package_of(descriptor: &str) -> &str {
    let d = descriptor.strip_prefix('L').unwrap_or(descriptor);
    d.rfind('/').map(|i| &d[..i]).unwrap_or("")
}

pub mod libfp;
pub mod library;

#[cfg(test)]
mod tests;
