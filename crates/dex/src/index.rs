//! The app's code index: every class of every DEX of an app, sorted by descriptor, with the
//! references each method's code makes, stored as compact per-DEX `u32` indices.

use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;

use crate::file::{ClassData, ClassDef, DexFile, NO_INDEX};
use crate::insn::{for_each_ref, BodyKind, CodeRef, Instructions, RefKind};
use crate::smali::{parse_smali, SmaliFile};
use crate::strtab::StrTable;
use crate::DexError;

mod members;
pub use members::FieldInfo;

/// Warnings kept per file before the rest are only counted.
const MAX_WARNINGS_PER_FILE: usize = 200;

/// Where a file's tables come from: a DEX file or a parsed smali class.
enum Source<'a> {
    /// A DEX file and its string table, decoded once when the file was added.
    Dex(DexFile<'a>, StrTable<'a>),
    Smali(SmaliFile<'a>),
}

impl<'a> Source<'a> {
    fn string(&self, i: u32) -> Option<Cow<'a, str>> {
        match self {
            Source::Dex(_, t) => t.get_cow(i),
            Source::Smali(f) => f.strings.get(i as usize).cloned(),
        }
    }
    fn string_count(&self) -> u32 {
        match self {
            Source::Dex(_, t) => t.len(),
            Source::Smali(f) => f.strings.len() as u32,
        }
    }
    fn type_desc(&self, i: u32) -> Option<Cow<'a, str>> {
        match self {
            Source::Dex(d, t) => t.get_cow(d.type_string_idx(i).ok()?),
            Source::Smali(f) => f.types.get(i as usize).map(|t| Cow::Borrowed(*t)),
        }
    }
    fn type_count(&self) -> u32 {
        match self {
            Source::Dex(d, _) => d.type_count(),
            Source::Smali(f) => f.types.len() as u32,
        }
    }
    fn method_count(&self) -> u32 {
        match self {
            Source::Dex(d, _) => d.method_count(),
            Source::Smali(f) => f.methods.len() as u32,
        }
    }
    fn method_class(&self, i: u32) -> Option<u32> {
        match self {
            Source::Dex(d, _) => d.method_id(i).ok().map(|m| u32::from(m.class_idx)),
            Source::Smali(f) => f.methods.get(i as usize).map(|m| m.0),
        }
    }
    fn method_name(&self, i: u32) -> Option<Cow<'a, str>> {
        match self {
            Source::Dex(d, t) => t.get_cow(d.method_id(i).ok()?.name_idx),
            Source::Smali(f) => f.methods.get(i as usize).map(|m| Cow::Borrowed(m.1)),
        }
    }
    fn method_proto(&self, i: u32) -> Option<String> {
        match self {
            Source::Dex(d, _) => d
                .proto_descriptor(u32::from(d.method_id(i).ok()?.proto_idx))
                .ok(),
            Source::Smali(f) => f.methods.get(i as usize).map(|m| m.2.to_string()),
        }
    }
    /// Calls `f` with each parameter type descriptor of method `i`'s proto, then its return
    /// type, borrowed from the string table (no `String` per proto; `false` when unreadable).
    fn visit_proto(&self, i: u32, mut f: impl FnMut(&str)) -> bool {
        match self {
            Source::Dex(d, t) => {
                let mut visit = || -> Option<()> {
                    let idx = u32::from(d.method_id(i).ok()?.proto_idx);
                    let p = d.proto_id(idx).ok()?;
                    for ty in d.type_list("proto_id", idx, p.parameters_off).ok()? {
                        f(&t.get_cow(d.type_string_idx(ty).ok()?)?);
                    }
                    f(&t.get_cow(d.type_string_idx(p.return_type_idx).ok()?)?);
                    Some(())
                };
                visit().is_some()
            }
            Source::Smali(sf) => match sf.methods.get(i as usize) {
                Some(m) => {
                    f(m.2);
                    true
                }
                None => false,
            },
        }
    }
    fn field(&self, i: u32) -> Option<(Cow<'a, str>, Cow<'a, str>, Cow<'a, str>)> {
        match self {
            Source::Dex(d, t) => {
                let f = d.field_id(i).ok()?;
                Some((
                    t.get_cow(d.type_string_idx(u32::from(f.class_idx)).ok()?)?,
                    t.get_cow(f.name_idx)?,
                    t.get_cow(d.type_string_idx(u32::from(f.type_idx)).ok()?)?,
                ))
            }
            Source::Smali(f) => {
                let (c, n, t) = *f.fields.get(i as usize)?;
                Some((
                    Cow::Borrowed(*f.types.get(c as usize)?),
                    Cow::Borrowed(n),
                    Cow::Borrowed(t),
                ))
            }
        }
    }
    fn bytes_len(&self) -> u64 {
        match self {
            Source::Dex(d, _) => d.bytes().len() as u64,
            Source::Smali(f) => f.len as u64,
        }
    }
    fn interfaces(&self, def: &ClassDef) -> Vec<u32> {
        match self {
            Source::Dex(d, _) => d.interfaces(def).unwrap_or_default(),
            Source::Smali(f) => f.interfaces.clone(),
        }
    }
}

struct DexEntry<'a> {
    name: String,
    src: Source<'a>,
    /// Bitset over `string_ids`: referenced by some const-string.
    referenced: Vec<u64>,
    /// Whether the type descriptors are in strictly increasing byte order, so prefix queries
    /// may binary-search them (see [`types_in_byte_order`]).
    types_sorted: bool,
    /// Whether `method_ids` are in non-decreasing class order (as the format requires), so
    /// the methods of a class may be found by binary search.
    methods_sorted: bool,
    class_defs: u32,
    methods: u32,
    refs: u64,
    warnings: usize,
    /// Per `call_site_ids` entry, the methods it reaches (empty for smali and DEX < 038).
    call_targets: Vec<crate::callsite::CallTargets>,
}

struct ClassEntry<'a> {
    descriptor: Cow<'a, str>,
    file: u16,
    def: ClassDef,
    methods: (u32, u32),
    /// Range of [`CodeIndex::calls`]: the class's method references, in order.
    calls: (u32, u32),
}

/// Marks a [`CodeIndex::calls`] entry as a `call_site_ids` index (else a method id).
const CALL_SITE_BIT: u32 = 1 << 31;

/// Appends the method references among `refs` to `calls` (see [`CodeIndex::calls`]). A call
/// site index with the top bit set reaches no method (tables are far smaller) and is left out.
fn push_calls(calls: &mut Vec<u32>, refs: &[CodeRef]) {
    for r in refs {
        match r.kind {
            RefKind::Method if r.idx < CALL_SITE_BIT => calls.push(r.idx),
            RefKind::CallSite if r.idx < CALL_SITE_BIT => calls.push(r.idx | CALL_SITE_BIT),
            _ => {}
        }
    }
}

#[derive(Clone, Copy)]
struct MethodEntry {
    method_idx: u32,
    access_flags: u32,
    code_off: u32,
    code_units: u32,
    refs: (u32, u32),
    body: BodyKind,
}

/// Builds a [`CodeIndex`] from the DEX files of one app, in priority order (`classes.dex`,
/// `classes2.dex`, …): when a class is defined twice, the first definition is kept, as on
/// Android, and a warning is recorded.
pub struct IndexBuilder<'a> {
    files: Vec<DexEntry<'a>>,
    classes: Vec<ClassEntry<'a>>,
    methods: Vec<MethodEntry>,
    refs: Vec<CodeRef>,
    calls: Vec<u32>,
    warnings: Vec<String>,
    scratch: ClassData,
}

impl Default for IndexBuilder<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> IndexBuilder<'a> {
    /// An empty builder.
    pub fn new() -> Self {
        IndexBuilder {
            files: Vec::new(),
            classes: Vec::new(),
            methods: Vec::new(),
            refs: Vec::new(),
            calls: Vec::new(),
            warnings: Vec::new(),
            scratch: ClassData::default(),
        }
    }

    /// Adds one DEX file named `name` (e.g. `classes2.dex`). Returns `Err` only when the
    /// header is unusable; problems inside (bad classes, methods, instructions) are recorded
    /// as warnings prefixed with `name` and the rest is indexed.
    pub fn add_dex(&mut self, name: &str, bytes: &'a [u8]) -> Result<(), DexError> {
        if self.files.len() >= usize::from(u16::MAX) {
            return Err(DexError::CountTooLarge {
                what: "dex files",
                count: self.files.len() as u64,
                offset: 0,
                left: 0,
            });
        }
        let dex = DexFile::parse(bytes)?;
        let file = self.files.len() as u16;
        let strs = StrTable::build(&dex);
        let mut entry = DexEntry {
            name: name.to_string(),
            referenced: vec![0u64; (dex.string_count() as usize).div_ceil(64)],
            types_sorted: types_in_byte_order(&dex, &strs),
            methods_sorted: (1..dex.method_count()).all(|m| {
                matches!(
                    (dex.method_id(m - 1), dex.method_id(m)),
                    (Ok(a), Ok(b)) if a.class_idx <= b.class_idx
                )
            }),
            src: Source::Dex(dex.clone(), StrTable::empty()),
            class_defs: 0,
            methods: 0,
            refs: 0,
            warnings: 0,
            call_targets: Vec::new(),
        };
        for a in dex.anomalies() {
            warn(&mut self.warnings, &mut entry, format_args!("{a}"));
        }
        if strs.invalid.0 > 0 {
            // ART rejects such a file when it verifies it; an analyzer that decodes only the
            // strings code references would never notice them.
            warn(
                &mut self.warnings,
                &mut entry,
                format_args!(
                    "{} strings are not valid MUTF-8 (first at offset {:#x}); read with U+FFFD",
                    strs.invalid.0, strs.invalid.1
                ),
            );
        }
        if strs.degenerate {
            warn(
                &mut self.warnings,
                &mut entry,
                format_args!(
                    "{} string_ids in {} bytes (fewer than {} bytes per string; no compiler writes that): strings decoded on demand",
                    dex.string_count(),
                    bytes.len(),
                    crate::strtab::MIN_BYTES_PER_STRING
                ),
            );
        }
        if strs.unreadable.0 > 0 {
            warn(
                &mut self.warnings,
                &mut entry,
                format_args!(
                    "{} string_ids entries point outside the file or have no NUL (first: string {})",
                    strs.unreadable.0, strs.unreadable.1
                ),
            );
        }
        if !dex.checksum_ok() {
            // ART checks the Adler-32 before loading: a mismatch means the file was modified
            // after it was built (or is damaged).
            warn(
                &mut self.warnings,
                &mut entry,
                format_args!(
                    "header checksum {:#010x} does not match the file's Adler-32 (modified after build?)",
                    dex.header().checksum
                ),
            );
        }
        // Rough upper bounds so the hot loop does not reallocate (and memmove) as it grows.
        self.methods.reserve(dex.method_count() as usize);
        self.refs.reserve(bytes.len() / 24);
        self.classes.reserve(dex.class_def_count() as usize);
        let counts = [
            dex.string_count(),
            dex.type_count(),
            dex.field_count(),
            dex.method_count(),
            dex.proto_count(),
        ];
        for def in dex.class_defs() {
            let def = match def {
                Ok(d) => d,
                Err(e) => {
                    warn(&mut self.warnings, &mut entry, format_args!("{e}"));
                    continue;
                }
            };
            let descriptor = match dex
                .type_string_idx(def.class_idx)
                .map(|i| strs.get_cow(i).ok_or(i))
            {
                Ok(Ok(s)) => s,
                Ok(Err(i)) => {
                    warn(
                        &mut self.warnings,
                        &mut entry,
                        format_args!("class_def {}: descriptor string {i} unreadable", def.index),
                    );
                    continue;
                }
                Err(e) => {
                    warn(
                        &mut self.warnings,
                        &mut entry,
                        format_args!("class_def {}: {e}", def.index),
                    );
                    continue;
                }
            };
            entry.class_defs += 1;
            let mstart = self.methods.len() as u32;
            let class_rstart = self.refs.len();
            if let Err(e) = dex.class_data_into(&def, &mut self.scratch) {
                warn(
                    &mut self.warnings,
                    &mut entry,
                    format_args!("class {descriptor}: {e}"),
                );
            }
            for m in &self.scratch.methods {
                if m.method_idx >= counts[3] {
                    let e = DexError::IndexOutOfRange {
                        what: "method_ids",
                        index: m.method_idx,
                        count: counts[3],
                    };
                    warn(
                        &mut self.warnings,
                        &mut entry,
                        format_args!("class {descriptor}: {e}"),
                    );
                    continue;
                }
                let rstart = self.refs.len() as u32;
                let mut code_units = 0;
                let mut body = BodyKind::NoCode;
                match dex.code_item(m.method_idx, m.code_off) {
                    Ok(None) => {}
                    Err(e) => warn(
                        &mut self.warnings,
                        &mut entry,
                        format_args!("class {descriptor}: {e}"),
                    ),
                    Ok(Some(code)) => {
                        code_units = code.insns_units();
                        body = body_kind(code.insns);
                        let warnings = &mut self.warnings;
                        let refs = &mut self.refs;
                        let walked = for_each_ref(code.insns, |pc, r| {
                            let limit = match r.kind {
                                RefKind::String => counts[0],
                                RefKind::Type => counts[1],
                                RefKind::Field => counts[2],
                                RefKind::Method => counts[3],
                                RefKind::Proto => counts[4],
                                RefKind::CallSite | RefKind::MethodHandle => u32::MAX,
                            };
                            if r.idx >= limit {
                                warn(
                                    warnings,
                                    &mut entry,
                                    format_args!(
                                        "class {descriptor} method {} pc {pc:#x}: {:?} index {} out of range (count {limit})",
                                        m.method_idx, r.kind, r.idx
                                    ),
                                );
                                return;
                            }
                            if r.kind == RefKind::String {
                                if let Some(w) = entry.referenced.get_mut((r.idx / 64) as usize) {
                                    *w |= 1 << (r.idx % 64);
                                }
                            }
                            refs.push(r);
                        });
                        if let Err(e) = walked {
                            warn(
                                &mut self.warnings,
                                &mut entry,
                                format_args!("class {descriptor} method {}: {e}", m.method_idx),
                            );
                        }
                    }
                }
                entry.refs += u64::from(self.refs.len() as u32 - rstart);
                entry.methods += 1;
                self.methods.push(MethodEntry {
                    method_idx: m.method_idx,
                    access_flags: m.access_flags,
                    code_off: m.code_off,
                    code_units,
                    refs: (rstart, self.refs.len() as u32),
                    body,
                });
            }
            let cstart = self.calls.len() as u32;
            push_calls(
                &mut self.calls,
                self.refs.get(class_rstart..).unwrap_or_default(),
            );
            self.classes.push(ClassEntry {
                descriptor,
                file,
                def,
                methods: (mstart, self.methods.len() as u32),
                calls: (cstart, self.calls.len() as u32),
            });
        }
        members::add_call_targets(&mut self.warnings, &mut entry, &dex);
        if entry.warnings > MAX_WARNINGS_PER_FILE {
            self.warnings.push(format!(
                "{}: {} more warnings not shown",
                entry.name,
                entry.warnings - MAX_WARNINGS_PER_FILE
            ));
        }
        entry.src = Source::Dex(dex, strs);
        self.files.push(entry);
        Ok(())
    }

    /// Adds one apktool smali file (one class) found at `path` (e.g.
    /// `smali_classes2/com/foo/Bar.smali`). Files are prioritised in the order added, like DEX
    /// files. `Err` only when the text has no usable `.class` line; other problems are
    /// recorded as warnings prefixed with `path`.
    pub fn add_smali(&mut self, path: &str, text: &'a str) -> Result<(), DexError> {
        if self.files.len() >= usize::from(u16::MAX) {
            return Err(DexError::CountTooLarge {
                what: "input files",
                count: self.files.len() as u64,
                offset: 0,
                left: 0,
            });
        }
        let mut f = parse_smali(text)?;
        let file = self.files.len() as u16;
        for w in std::mem::take(&mut f.warnings) {
            self.warnings.push(format!("{path}: {w}"));
        }
        let Some(descriptor) = f.types.get(f.class_type as usize).copied() else {
            return Err(DexError::BadSmali {
                line: 0,
                reason: "no .class directive",
            });
        };
        let mstart = self.methods.len() as u32;
        let base = self.refs.len() as u32;
        self.refs.extend_from_slice(&f.refs);
        for m in &f.defined {
            self.methods.push(MethodEntry {
                method_idx: m.method_idx,
                access_flags: m.access_flags,
                code_off: u32::from(m.has_code),
                code_units: m.insns,
                refs: (base + m.refs.0, base + m.refs.1),
                body: m.body,
            });
        }
        let def = ClassDef {
            index: 0,
            class_idx: f.class_type,
            access_flags: f.access_flags,
            superclass_idx: f.superclass.unwrap_or(NO_INDEX),
            interfaces_off: 0,
            source_file_idx: NO_INDEX,
            annotations_off: 0,
            class_data_off: 0,
            static_values_off: 0,
        };
        let cstart = self.calls.len() as u32;
        push_calls(&mut self.calls, &f.refs);
        self.classes.push(ClassEntry {
            descriptor: Cow::Borrowed(descriptor),
            file,
            def,
            methods: (mstart, self.methods.len() as u32),
            calls: (cstart, self.calls.len() as u32),
        });
        let n_strings = f.strings.len();
        self.files.push(DexEntry {
            name: path.to_string(),
            referenced: vec![u64::MAX; n_strings.div_ceil(64)],
            types_sorted: false,
            methods_sorted: false,
            class_defs: 1,
            methods: f.defined.len() as u32,
            refs: f.refs.len() as u64,
            warnings: 0,
            call_targets: Vec::new(),
            src: Source::Smali(f),
        });
        Ok(())
    }

    /// Sorts and deduplicates the classes and returns the index.
    pub fn finish(mut self) -> CodeIndex<'a> {
        // Stable: among equal descriptors the earliest-added file comes first.
        self.classes.sort_by(|a, b| a.descriptor.cmp(&b.descriptor));
        let mut kept: Vec<ClassEntry<'a>> = Vec::with_capacity(self.classes.len());
        for c in self.classes {
            if let Some(prev) = kept.last() {
                if prev.descriptor == c.descriptor {
                    let first = self
                        .files
                        .get(usize::from(prev.file))
                        .map_or("?", |f| f.name.as_str());
                    let this = self
                        .files
                        .get(usize::from(c.file))
                        .map_or("?", |f| f.name.as_str());
                    self.warnings.push(format!(
                        "{this}: class {} defined again (first in {first})",
                        c.descriptor
                    ));
                    continue;
                }
            }
            kept.push(c);
        }
        CodeIndex {
            files: self.files,
            classes: kept,
            methods: self.methods,
            refs: self.refs,
            calls: self.calls,
            warnings: self.warnings,
        }
    }
}

/// Whether the type descriptors of `dex` are in strictly increasing byte order. The format
/// sorts `type_ids` by `string_ids` index and the strings by UTF-16 code units, so this holds
/// when the type indices increase and the string table is in byte order too; a table whose
/// byte order differs (supplementary characters, as in emoji strings, sort differently in
/// MUTF-8 and UTF-16) is checked on the descriptors themselves, which are almost always
/// ASCII. A broken file just loses the binary search.
fn types_in_byte_order(dex: &DexFile<'_>, strs: &StrTable<'_>) -> bool {
    let idx_increasing = (1..dex.type_count()).all(|t| {
        matches!(
            (dex.type_string_idx(t - 1), dex.type_string_idx(t)),
            (Ok(a), Ok(b)) if a < b
        )
    });
    if !idx_increasing {
        return false;
    }
    if strs.byte_sorted {
        return true;
    }
    let desc = |t: u32| dex.type_string_idx(t).ok().and_then(|i| strs.get(i));
    (1..dex.type_count()).all(|t| match (desc(t - 1), desc(t)) {
        (Some(a), Some(b)) => a.as_bytes() < b.as_bytes(),
        _ => false,
    })
}

/// The shape of a body: only bodies of at most 4 code units can be `return-void` or
/// `const; return` (the longest const, `const vA, #+BBBBBBBB`, is 3 units), so longer ones
/// are not walked again.
fn body_kind(insns: &[u8]) -> BodyKind {
    if insns.len() / 2 > 4 {
        return BodyKind::Other;
    }
    let mut shape = BodyShape::default();
    for insn in Instructions::new(insns) {
        match insn {
            Ok(i) => shape.push(&i),
            Err(_) => break,
        }
    }
    shape.kind()
}

/// The first instructions of a method, enough to classify its body.
#[derive(Default)]
struct BodyShape<'b> {
    first: Option<crate::insn::Insn<'b>>,
    second: Option<crate::insn::Insn<'b>>,
    count: u32,
}

impl<'b> BodyShape<'b> {
    fn push(&mut self, i: &crate::insn::Insn<'b>) {
        match self.count {
            0 => self.first = Some(*i),
            1 => self.second = Some(*i),
            _ => {}
        }
        self.count = self.count.saturating_add(1);
    }

    fn kind(&self) -> BodyKind {
        match (self.count, self.first, self.second) {
            (0, _, _) => BodyKind::Other,
            (1, Some(i), _) if i.opcode == 0x0e && i.payload.is_none() => BodyKind::ReturnVoidOnly,
            (2, Some(c), Some(r)) if r.opcode == 0x0f && r.payload.is_none() => {
                match c.const_value() {
                    Some((reg, v)) if u16::from(r.a8()) == reg => BodyKind::ReturnsConst(v),
                    _ => BodyKind::Other,
                }
            }
            _ => BodyKind::Other,
        }
    }
}

fn warn(warnings: &mut Vec<String>, entry: &mut DexEntry<'_>, msg: std::fmt::Arguments<'_>) {
    entry.warnings += 1;
    if entry.warnings <= MAX_WARNINGS_PER_FILE {
        warnings.push(format!("{}: {msg}", entry.name));
    }
}

/// Size figures for one DEX file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStats {
    /// File name as given to [`IndexBuilder::add_dex`].
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// DEX format version (35–41).
    pub version: u16,
    /// Class definitions indexed (before deduplication).
    pub classes: u32,
    /// Methods indexed.
    pub methods: u32,
    /// Entries in `string_ids`.
    pub strings: u32,
    /// Code references recorded.
    pub refs: u64,
}

/// Size figures for the whole index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats {
    /// Number of DEX files.
    pub files: usize,
    /// Total bytes of DEX.
    pub bytes: u64,
    /// Distinct classes.
    pub classes: usize,
    /// Methods of the distinct classes.
    pub methods: usize,
    /// Distinct strings over all string tables.
    pub strings: usize,
    /// Per-file detail.
    pub per_file: Vec<FileStats>,
}

/// Where a string of [`CodeIndex::all_strings`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StringSite {
    /// Index of the DEX file (see [`CodeIndex::file_name`]).
    pub file: u16,
    /// Index in that file's `string_ids`.
    pub string_idx: u32,
    /// Whether some method of that file `const-string`s it.
    pub referenced_by_code: bool,
}

/// Aggregated calls from one class into a method of a class under a prefix.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CallSite<'a> {
    /// Calling class descriptor.
    pub caller_class: Cow<'a, str>,
    /// Called class descriptor (as written in the `method_id`).
    pub callee_class: Cow<'a, str>,
    /// Called method name.
    pub callee_method: Cow<'a, str>,
    /// Number of invoke instructions.
    pub count: u32,
}

/// A resolved invoke target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoke<'a> {
    /// Class descriptor of the `method_id`.
    pub class: Cow<'a, str>,
    /// Method name.
    pub name: Cow<'a, str>,
    /// Proto descriptor, e.g. `(Ljava/lang/String;)V` (empty if unreadable).
    pub proto: String,
}

/// The code index of one app (see the crate documentation).
pub struct CodeIndex<'a> {
    files: Vec<DexEntry<'a>>,
    classes: Vec<ClassEntry<'a>>,
    methods: Vec<MethodEntry>,
    refs: Vec<CodeRef>,
    /// The method references of every class (method ids, and `call_site_ids` indices marked
    /// with [`CALL_SITE_BIT`]), each class's a contiguous range in instruction order: a
    /// quarter of the bytes of `refs` for the passes that only follow calls.
    calls: Vec<u32>,
    warnings: Vec<String>,
}

impl<'a> CodeIndex<'a> {
    /// Size figures; counting distinct strings hashes every string, so this is a query to
    /// call once, not in a loop.
    pub fn stats(&self) -> Stats {
        let distinct = self.distinct_strings();
        Stats {
            files: self.files.len(),
            bytes: self.files.iter().map(|f| f.src.bytes_len()).sum(),
            classes: self.classes.len(),
            methods: self
                .classes
                .iter()
                .map(|c| (c.methods.1 - c.methods.0) as usize)
                .sum(),
            strings: distinct,
            per_file: self
                .files
                .iter()
                .map(|f| FileStats {
                    name: f.name.clone(),
                    bytes: f.src.bytes_len(),
                    version: match &f.src {
                        Source::Dex(d, _) => d.header().version,
                        Source::Smali(_) => 0,
                    },
                    classes: f.class_defs,
                    methods: f.methods,
                    strings: f.src.string_count(),
                    refs: f.refs,
                })
                .collect(),
        }
    }

    /// Distinct strings over all files: one file's sorted table has its duplicates next to each
    /// other (none in a well-formed file); several files are merged in a hash set of borrowed
    /// strings.
    fn distinct_strings(&self) -> usize {
        if let [f] = self.files.as_slice() {
            if let Source::Dex(_, t) = &f.src {
                if t.sorted {
                    return t.len() as usize;
                }
            }
        }
        let total: usize = self
            .files
            .iter()
            .map(|f| f.src.string_count() as usize)
            .sum();
        let mut set: FxHashSet<&str> = FxHashSet::default();
        // Reserve for real apps, not for what a hostile file declares: the set grows with the
        // distinct strings, which a degenerate table (all entries on one string) keeps few.
        set.reserve(total.min(1 << 20));
        let mut owned: Vec<Cow<'a, str>> = Vec::new();
        for f in &self.files {
            match &f.src {
                Source::Dex(_, t) => set.extend((0..t.len()).filter_map(|i| t.get(i))),
                Source::Smali(_) => {
                    owned.extend((0..f.src.string_count()).filter_map(|i| f.src.string(i)))
                }
            }
        }
        set.extend(owned.iter().map(|s| s.as_ref()));
        set.len()
    }

    /// Warnings: parse problems and duplicate classes, each prefixed with the file name.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Name of input file number `file`.
    pub fn file_name(&self, file: u16) -> Option<&str> {
        self.files.get(usize::from(file)).map(|f| f.name.as_str())
    }

    /// The parsed DEX file number `file` (`None` for smali inputs).
    pub fn dex(&self, file: u16) -> Option<&DexFile<'a>> {
        match &self.files.get(usize::from(file))?.src {
            Source::Dex(d, _) => Some(d),
            Source::Smali(_) => None,
        }
    }

    /// All distinct classes, sorted by descriptor.
    pub fn classes(&self) -> impl Iterator<Item = ClassRef<'_, 'a>> {
        self.classes.iter().map(move |c| ClassRef {
            index: self,
            class: c,
        })
    }

    /// Number of distinct classes.
    pub fn class_count(&self) -> usize {
        self.classes.len()
    }

    fn prefix_range(&self, prefix: &str) -> &[ClassEntry<'a>] {
        self.classes
            .get(self.prefix_span(prefix))
            .unwrap_or_default()
    }

    /// Indices of the (sorted) classes whose descriptor starts with `prefix`: two binary
    /// searches.
    fn prefix_span(&self, prefix: &str) -> std::ops::Range<usize> {
        let start = self
            .classes
            .partition_point(|c| c.descriptor.as_ref() < prefix);
        let rest = self.classes.get(start..).unwrap_or_default();
        start..start + rest.partition_point(|c| c.descriptor.starts_with(prefix))
    }

    /// Classes whose descriptor starts with `descriptor_prefix` (e.g. `Lcom/appsflyer/`),
    /// found by binary search.
    pub fn classes_with_prefix(
        &self,
        descriptor_prefix: &str,
    ) -> impl Iterator<Item = ClassRef<'_, 'a>> {
        self.prefix_range(descriptor_prefix)
            .iter()
            .map(move |c| ClassRef {
                index: self,
                class: c,
            })
    }

    /// The class with this exact descriptor.
    pub fn class(&self, descriptor: &str) -> Option<ClassRef<'_, 'a>> {
        let i = self
            .classes
            .binary_search_by(|c| c.descriptor.as_ref().cmp(descriptor))
            .ok()?;
        self.classes.get(i).map(|c| ClassRef {
            index: self,
            class: c,
        })
    }

    /// Every string of every DEX string table (and every smali `const-string` literal), with
    /// where it is and whether code uses it. Unreadable entries are skipped; invalid MUTF-8
    /// is decoded lossily.
    pub fn all_strings(&self) -> impl Iterator<Item = (Cow<'a, str>, StringSite)> + '_ {
        self.files.iter().enumerate().flat_map(|(fi, f)| {
            (0..f.src.string_count()).filter_map(move |i| {
                let s = f.src.string(i)?;
                let referenced_by_code = f
                    .referenced
                    .get((i / 64) as usize)
                    .is_some_and(|w| w & (1 << (i % 64)) != 0);
                Some((
                    s,
                    StringSite {
                        file: fi as u16,
                        string_idx: i,
                        referenced_by_code,
                    },
                ))
            })
        })
    }

    /// Index of `s` in the string table of file `file`: by binary search in UTF-16 order
    /// when the table is in that order (every file a compiler writes), linearly otherwise.
    pub fn string_idx(&self, file: u16, s: &str) -> Option<u32> {
        Self::find_string(&self.files.get(usize::from(file))?.src, s)
    }

    /// Index of `s` in the string table of a file (see [`CodeIndex::string_idx`]).
    fn find_string(src: &Source<'a>, s: &str) -> Option<u32> {
        let strs = match src {
            Source::Dex(_, t) => t,
            Source::Smali(f) => return f.strings.iter().position(|x| x == s).map(|i| i as u32),
        };
        if !strs.sorted {
            return (0..strs.len()).find(|&i| strs.get(i) == Some(s));
        }
        let (mut lo, mut hi) = (0u32, strs.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let here = strs.get(mid)?;
            match here.encode_utf16().cmp(s.encode_utf16()) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// Classes (distinct, sorted) whose methods `const-string` exactly `s`. Scans the
    /// references of every method: a slower query.
    pub fn string_users(&self, s: &str) -> Vec<ClassRef<'_, 'a>> {
        let wanted: Vec<Option<u32>> = self
            .files
            .iter()
            .map(|f| Self::find_string(&f.src, s))
            .collect();
        self.classes
            .iter()
            .filter(|c| {
                let Some(Some(idx)) = wanted.get(usize::from(c.file)) else {
                    return false;
                };
                self.class_refs(c)
                    .any(|r| r.kind == RefKind::String && r.idx == *idx)
            })
            .map(|c| ClassRef {
                index: self,
                class: c,
            })
            .collect()
    }

    fn class_refs<'i>(&'i self, c: &'i ClassEntry<'a>) -> impl Iterator<Item = &'i CodeRef> + 'i {
        let ms = self
            .methods
            .get(c.methods.0 as usize..c.methods.1 as usize)
            .unwrap_or_default();
        ms.iter().flat_map(move |m| {
            self.refs
                .get(m.refs.0 as usize..m.refs.1 as usize)
                .unwrap_or_default()
        })
    }

    /// Calls `visit(method id)` for each method that class `c` (of file `f`) invokes, in
    /// instruction order: the target of each invoke, and for each `invoke-custom` the methods
    /// its call site reaches (bootstrap and, for lambdas, the implementation). One slice of
    /// `calls` and a generic visitor: this runs over every call of the app, and `flat_map`s or
    /// a `dyn` visitor cost 20–40 % more here.
    fn for_each_callee(&self, c: &ClassEntry<'a>, f: &DexEntry<'a>, mut visit: impl FnMut(u32)) {
        for &x in self
            .calls
            .get(c.calls.0 as usize..c.calls.1 as usize)
            .unwrap_or_default()
        {
            if x & CALL_SITE_BIT == 0 {
                visit(x);
            } else {
                f.call_site_methods(x & !CALL_SITE_BIT).for_each(&mut visit);
            }
        }
    }

    /// Per file, the indices of the types whose descriptor starts with `prefix`, ascending.
    /// Type descriptors are in byte order in every file a compiler writes (checked when the
    /// file was added, see [`types_in_byte_order`]), so the types under a prefix are one run
    /// found by binary search; a file that breaks the order is scanned linearly.
    fn types_with_prefix(&self, prefix: &str) -> Vec<Vec<u32>> {
        self.files
            .iter()
            .map(|f| match &f.src {
                Source::Dex(d, strs) => {
                    let desc = |t: u32| d.type_string_idx(t).ok().and_then(|i| strs.get(i));
                    let n = d.type_count();
                    if f.types_sorted {
                        let (mut lo, mut hi) = (0u32, n);
                        while lo < hi {
                            let mid = lo + (hi - lo) / 2;
                            if desc(mid).is_some_and(|s| s.as_bytes() < prefix.as_bytes()) {
                                lo = mid + 1;
                            } else {
                                hi = mid;
                            }
                        }
                        (lo..n)
                            .take_while(|&t| desc(t).is_some_and(|s| s.starts_with(prefix)))
                            .collect()
                    } else {
                        (0..n)
                            .filter(|&t| desc(t).is_some_and(|s| s.starts_with(prefix)))
                            .collect()
                    }
                }
                Source::Smali(s) => (0..s.types.len() as u32)
                    .filter(|&t| {
                        s.types
                            .get(t as usize)
                            .is_some_and(|d| d.starts_with(prefix))
                    })
                    .collect(),
            })
            .collect()
    }

    /// Calls from classes outside `prefix` into methods of classes under `prefix`, aggregated
    /// per (caller class, callee class, callee method name) with a count; sorted. One pass
    /// over the app's references (see [`CodeIndex::links`]); to ask for several prefixes,
    /// call `links` once with all of them.
    pub fn callers_into(&self, prefix: &str) -> Vec<CallSite<'a>> {
        let group = [prefix.to_string()];
        self.links(&[&group[..]], |_, _, _, _| {})
            .pop()
            .unwrap_or_default()
    }

    /// The code links of several class groups (one group per SDK, each a list of descriptor
    /// prefixes such as `Lcom/appsflyer/`), computed in one pass over every method reference
    /// of the app:
    /// - returned, per group: the calls into the group's classes from classes outside the
    ///   group, as [`CodeIndex::callers_into`] aggregates them (a caller under any prefix of
    ///   the group is the SDK calling itself, not a call site);
    /// - `inside(group, caller class, file, method id)` for each method reference made by
    ///   code of the group (as [`CodeIndex::for_each_method_ref_from_prefix`] visits them,
    ///   in class order; a class under two prefixes of one group is visited once).
    ///
    /// Before the pass each method id of each file gets the bit set of the groups owning its
    /// class (binary search of the sorted `type_ids`, then one sequential read of
    /// `method_ids`), and each class the bit set of the groups it belongs to (ranges of the
    /// sorted classes); the pass then costs one table load per reference. Classes of a file
    /// with no group method and outside every group are skipped without reading their code.
    /// Groups are handled 64 at a time (one pass per 64 groups).
    pub fn links<'i>(
        &'i self,
        groups: &[&[String]],
        mut inside: impl FnMut(usize, &'i str, u16, u32),
    ) -> Vec<Vec<CallSite<'a>>> {
        let mut out: Vec<Vec<CallSite<'a>>> = Vec::with_capacity(groups.len());
        for (chunk_no, chunk) in groups.chunks(64).enumerate() {
            let base = chunk_no * 64;
            // Per file, per type: the chunk's groups owning it.
            let mut type_bits: Vec<Vec<u64>> = Vec::with_capacity(self.files.len());
            for f in &self.files {
                type_bits.push(vec![0u64; f.src.type_count() as usize]);
            }
            // Per kept class: the chunk's groups it belongs to.
            let mut class_bits = vec![0u64; self.classes.len()];
            for (g, prefixes) in chunk.iter().enumerate() {
                let bit = 1u64 << g;
                for p in prefixes.iter() {
                    for (fi, ts) in self.types_with_prefix(p).into_iter().enumerate() {
                        let Some(bits) = type_bits.get_mut(fi) else {
                            continue;
                        };
                        for t in ts {
                            if let Some(b) = bits.get_mut(t as usize) {
                                *b |= bit;
                            }
                        }
                    }
                    let span = self.prefix_span(p);
                    for b in class_bits.get_mut(span).unwrap_or_default() {
                        *b |= bit;
                    }
                }
            }
            // Per file, per method id: the groups owning its class (empty when no type of the
            // file belongs to a group).
            // Per file: a bitset of the method ids owned by some group (small enough to stay
            // in cache during the pass), and their group bits (read only on a hit).
            let method_bits: Vec<(Vec<u64>, Vec<u64>)> = self
                .files
                .iter()
                .zip(&type_bits)
                .map(|(f, tb)| {
                    if tb.iter().all(|&b| b == 0) {
                        return (Vec::new(), Vec::new());
                    }
                    let n = f.src.method_count() as usize;
                    let mut any = vec![0u64; n.div_ceil(64)];
                    let mut bits = vec![0u64; n];
                    for m in 0..f.src.method_count() {
                        let b = f
                            .src
                            .method_class(m)
                            .and_then(|t| tb.get(t as usize))
                            .copied()
                            .unwrap_or(0);
                        if b != 0 {
                            let i = m as usize;
                            if let (Some(w), Some(x)) = (any.get_mut(i / 64), bits.get_mut(i)) {
                                *w |= 1u64 << (i % 64);
                                *x = b;
                            }
                        }
                    }
                    (any, bits)
                })
                .collect();
            drop(type_bits);
            let mut agg: Vec<FxHashMap<(u32, u32), u32>> = vec![FxHashMap::default(); chunk.len()];
            for (ci, c) in self.classes.iter().enumerate() {
                let Ok(class) = u32::try_from(ci) else { break };
                let own = class_bits.get(ci).copied().unwrap_or(0);
                let fi = usize::from(c.file);
                let (Some(f), Some((any, mb))) = (self.files.get(fi), method_bits.get(fi)) else {
                    continue;
                };
                if own == 0 && mb.is_empty() {
                    continue;
                }
                let desc: &'i str = c.descriptor.as_ref();
                self.for_each_callee(c, f, |m| {
                    let i = m as usize;
                    let hit = any.get(i / 64).is_some_and(|w| w & (1u64 << (i % 64)) != 0);
                    let into = if hit {
                        mb.get(i).copied().unwrap_or(0) & !own
                    } else {
                        0
                    };
                    let mut bits = into;
                    while bits != 0 {
                        let g = bits.trailing_zeros() as usize;
                        bits &= bits - 1;
                        if let Some(a) = agg.get_mut(g) {
                            *a.entry((class, m)).or_insert(0) += 1;
                        }
                    }
                    let mut bits = own;
                    while bits != 0 {
                        let g = bits.trailing_zeros() as usize;
                        bits &= bits - 1;
                        inside(base + g, desc, c.file, m);
                    }
                });
            }
            out.extend(agg.into_iter().map(|a| self.call_sites(a)));
        }
        out
    }

    /// Aggregated (caller class index, method id) counts → sorted [`CallSite`]s, merged per
    /// (caller, callee class, callee name).
    fn call_sites(&self, agg: FxHashMap<(u32, u32), u32>) -> Vec<CallSite<'a>> {
        let mut merged: FxHashMap<(usize, Cow<'a, str>, Cow<'a, str>), u32> = FxHashMap::default();
        for ((ci, midx), n) in agg {
            let ci = ci as usize;
            let Some(c) = self.classes.get(ci) else {
                continue;
            };
            let Some(f) = self.files.get(usize::from(c.file)) else {
                continue;
            };
            let class = f
                .src
                .method_class(midx)
                .and_then(|t| f.src.type_desc(t))
                .unwrap_or_default();
            let name = f.src.method_name(midx).unwrap_or_default();
            *merged.entry((ci, class, name)).or_insert(0) += n;
        }
        let mut out: Vec<CallSite<'a>> = merged
            .into_iter()
            .filter_map(|((ci, callee_class, callee_method), count)| {
                let c = self.classes.get(ci)?;
                Some(CallSite {
                    caller_class: c.descriptor.clone(),
                    callee_class,
                    callee_method,
                    count,
                })
            })
            .collect();
        out.sort();
        out
    }

    /// Calls `visit(caller class, file, method id)` for the method references made by code
    /// under `prefix`, unresolved: one per invoke instruction, and for each `invoke-custom` one
    /// per method its call site reaches (bootstrap and, for lambdas, the implementation: a
    /// method reference `TelephonyManager::getDeviceId` is a call to it). Resolve them with
    /// [`CodeIndex::method_target`]; a caller that meets the same reference many times can
    /// memoise on (file, index). A visitor rather than an iterator, for speed (see
    /// `for_each_callee`).
    pub fn for_each_method_ref_from_prefix<'i>(
        &'i self,
        prefix: &str,
        mut visit: impl FnMut(&'i str, u16, u32),
    ) {
        for c in self.prefix_range(prefix) {
            let Some(f) = self.files.get(usize::from(c.file)) else {
                continue;
            };
            self.for_each_callee(c, f, |m| visit(c.descriptor.as_ref(), c.file, m));
        }
    }

    /// Calls `visit(file, method id, class descriptor, method name)` for each `method_ids`
    /// entry (called or defined) whose class descriptor starts with `prefix`, in every file.
    /// The types are found by binary search of the sorted `type_ids`, then each type's
    /// methods by binary search of `method_ids` (sorted by class, as the format requires;
    /// checked when the file was added, scanned linearly otherwise): a lookup of a few
    /// classes costs microseconds, not a pass over every method id.
    pub fn for_each_method_id_with_class_prefix(
        &self,
        prefix: &str,
        mut visit: impl FnMut(u16, u32, &str, &str),
    ) {
        for (fi, types) in self.types_with_prefix(prefix).into_iter().enumerate() {
            let (Some(f), Ok(file)) = (self.files.get(fi), u16::try_from(fi)) else {
                continue;
            };
            if types.is_empty() {
                continue;
            }
            let n = f.src.method_count();
            let mut emit = |m: u32, t: u32| {
                if let (Some(class), Some(name)) = (f.src.type_desc(t), f.src.method_name(m)) {
                    visit(file, m, &class, &name);
                }
            };
            if f.methods_sorted {
                for &t in &types {
                    let (mut lo, mut hi) = (0u32, n);
                    while lo < hi {
                        let mid = lo + (hi - lo) / 2;
                        if f.src.method_class(mid).is_some_and(|c| c < t) {
                            lo = mid + 1;
                        } else {
                            hi = mid;
                        }
                    }
                    for m in lo..n {
                        if f.src.method_class(m) != Some(t) {
                            break;
                        }
                        emit(m, t);
                    }
                }
            } else {
                for m in 0..n {
                    if let Some(t) = f.src.method_class(m) {
                        if types.binary_search(&t).is_ok() {
                            emit(m, t);
                        }
                    }
                }
            }
        }
    }

    /// Class descriptor and name of method `idx` of file `file`.
    pub fn method_target(&self, file: u16, idx: u32) -> Option<(Cow<'a, str>, Cow<'a, str>)> {
        let src = &self.files.get(usize::from(file))?.src;
        Some((
            src.type_desc(src.method_class(idx)?)?,
            src.method_name(idx)?,
        ))
    }

    /// Class descriptor, name and proto of method `idx` of file `file` (the tables a
    /// [`crate::RegOp::Invoke`] of that file points into).
    pub fn method_parts(
        &self,
        file: u16,
        idx: u32,
    ) -> Option<(Cow<'a, str>, Cow<'a, str>, String)> {
        let src = &self.files.get(usize::from(file))?.src;
        Some((
            src.type_desc(src.method_class(idx)?)?,
            src.method_name(idx)?,
            src.method_proto(idx)?,
        ))
    }

    /// Class descriptor, name and type of field `idx` of file `file`.
    pub fn field_parts(
        &self,
        file: u16,
        idx: u32,
    ) -> Option<(Cow<'a, str>, Cow<'a, str>, Cow<'a, str>)> {
        self.files.get(usize::from(file))?.src.field(idx)
    }

    /// String `idx` of file `file`.
    pub fn string_at(&self, file: u16, idx: u32) -> Option<Cow<'a, str>> {
        self.files.get(usize::from(file))?.src.string(idx)
    }

    /// Type descriptor `idx` of file `file`.
    pub fn type_at(&self, file: u16, idx: u32) -> Option<Cow<'a, str>> {
        self.files.get(usize::from(file))?.src.type_desc(idx)
    }

    /// What code under `prefix` calls: (caller class, callee class descriptor, method name),
    /// one item per invoke instruction, in class then instruction order.
    pub fn invokes_from_prefix<'i>(
        &'i self,
        prefix: &str,
    ) -> impl Iterator<Item = (&'i str, Cow<'a, str>, Cow<'a, str>)> + 'i {
        self.prefix_range(prefix).iter().flat_map(move |c| {
            let f = self.files.get(usize::from(c.file));
            self.class_refs(c).filter_map(move |r| {
                if r.kind != RefKind::Method {
                    return None;
                }
                let src = &f?.src;
                let class = src.type_desc(src.method_class(r.idx)?)?;
                let name = src.method_name(r.idx)?;
                Some((c.descriptor.as_ref(), class, name))
            })
        })
    }
}

/// A class in the index.
#[derive(Clone, Copy)]
pub struct ClassRef<'i, 'a> {
    index: &'i CodeIndex<'a>,
    class: &'i ClassEntry<'a>,
}

impl std::fmt::Debug for ClassRef<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ClassRef({} in {})", self.descriptor(), self.dex_file())
    }
}

impl<'i, 'a> ClassRef<'i, 'a> {
    fn src(&self) -> Option<&'i Source<'a>> {
        self.index
            .files
            .get(usize::from(self.class.file))
            .map(|f| &f.src)
    }

    /// The descriptor, e.g. `Lcom/foo/Bar;`.
    pub fn descriptor(&self) -> &'i str {
        self.class.descriptor.as_ref()
    }

    /// The input file defining it (the first one, if defined twice): `classes2.dex` or a
    /// smali path.
    pub fn dex_file(&self) -> &'i str {
        self.index.file_name(self.class.file).unwrap_or("")
    }

    /// Index of the input file defining it.
    pub fn file_index(&self) -> u16 {
        self.class.file
    }

    /// The raw `class_def` (synthesised for smali inputs).
    pub fn class_def(&self) -> &'i ClassDef {
        &self.class.def
    }

    /// Access flags.
    pub fn access_flags(&self) -> u32 {
        self.class.def.access_flags
    }

    /// Superclass descriptor (`None` for `java.lang.Object` or when unreadable).
    pub fn superclass(&self) -> Option<Cow<'a, str>> {
        if self.class.def.superclass_idx == NO_INDEX {
            return None;
        }
        self.src()?.type_desc(self.class.def.superclass_idx)
    }

    /// Implemented interface descriptors (unreadable entries skipped).
    pub fn interfaces(&self) -> Vec<Cow<'a, str>> {
        let Some(src) = self.src() else {
            return Vec::new();
        };
        src.interfaces(&self.class.def)
            .into_iter()
            .filter_map(|t| src.type_desc(t))
            .collect()
    }

    /// The methods it defines (direct then virtual, file order).
    pub fn methods(&self) -> impl Iterator<Item = MethodRef<'i, 'a>> + 'i {
        let index = self.index;
        let file = self.class.file;
        let ms = index
            .methods
            .get(self.class.methods.0 as usize..self.class.methods.1 as usize)
            .unwrap_or_default();
        ms.iter().map(move |m| MethodRef {
            index,
            file,
            method: m,
        })
    }

    /// The method with this name (and proto, when given).
    pub fn method(&self, name: &str, proto: Option<&str>) -> Option<MethodRef<'i, 'a>> {
        self.methods()
            .find(|m| m.name() == name && proto.is_none_or(|p| m.proto() == p))
    }
}

/// A method defined by a class of the index.
#[derive(Clone, Copy)]
pub struct MethodRef<'i, 'a> {
    index: &'i CodeIndex<'a>,
    file: u16,
    method: &'i MethodEntry,
}

impl std::fmt::Debug for MethodRef<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MethodRef({}{})", self.name(), self.proto())
    }
}

impl<'i, 'a> MethodRef<'i, 'a> {
    fn src(&self) -> Option<&'i Source<'a>> {
        self.index.files.get(usize::from(self.file)).map(|f| &f.src)
    }

    /// Index into the file's `method_ids` (or the smali file's method table).
    pub fn method_idx(&self) -> u32 {
        self.method.method_idx
    }

    /// The `string_ids` index of the name, for DEX methods (`None` for smali or when
    /// unreadable): compare it with [`CodeIndex::string_idx`] to test a name without
    /// decoding it.
    pub fn name_idx(&self) -> Option<u32> {
        match self.src()? {
            Source::Dex(d, _) => d.method_id(self.method.method_idx).ok().map(|m| m.name_idx),
            Source::Smali(_) => None,
        }
    }

    /// The name (empty if unreadable).
    pub fn name(&self) -> Cow<'a, str> {
        self.src()
            .and_then(|s| s.method_name(self.method.method_idx))
            .unwrap_or_default()
    }

    /// The proto descriptor, e.g. `(Ljava/lang/String;)V` (empty if unreadable).
    pub fn proto(&self) -> String {
        self.src()
            .and_then(|s| s.method_proto(self.method.method_idx))
            .unwrap_or_default()
    }

    /// Calls `f` with the pieces of the proto (parameter type descriptors, then the return
    /// type; for smali, the proto text at once) without building the proto `String`.
    pub fn visit_proto(&self, f: impl FnMut(&str)) {
        if let Some(s) = self.src() {
            s.visit_proto(self.method.method_idx, f);
        }
    }

    /// Access flags.
    pub fn access_flags(&self) -> u32 {
        self.method.access_flags
    }

    /// Whether the method has code that could be read.
    pub fn has_code(&self) -> bool {
        self.method.code_off != 0 && self.method.code_units > 0
    }

    /// Length of the code: 16-bit units for DEX, instruction lines for smali.
    pub fn code_len(&self) -> u32 {
        self.method.code_units
    }

    /// The raw references its code makes, in instruction order.
    pub fn refs(&self) -> &'i [CodeRef] {
        self.index
            .refs
            .get(self.method.refs.0 as usize..self.method.refs.1 as usize)
            .unwrap_or_default()
    }

    /// The strings it loads with `const-string`, in instruction order.
    pub fn strings(&self) -> impl Iterator<Item = Cow<'a, str>> + 'i {
        let src = self.src();
        self.refs()
            .iter()
            .filter(|r| r.kind == RefKind::String)
            .filter_map(move |r| src?.string(r.idx))
    }

    /// The methods it invokes, in instruction order (invoke-custom call sites excluded).
    pub fn invokes(&self) -> impl Iterator<Item = Invoke<'a>> + 'i {
        let src = self.src();
        self.refs()
            .iter()
            .filter(|r| r.kind == RefKind::Method)
            .filter_map(move |r| {
                let s = src?;
                Some(Invoke {
                    class: s.type_desc(s.method_class(r.idx)?)?,
                    name: s.method_name(r.idx)?,
                    proto: s.method_proto(r.idx).unwrap_or_default(),
                })
            })
    }

    /// The fields it reads or writes: (class, name, type descriptor), in instruction order.
    pub fn field_refs(
        &self,
    ) -> impl Iterator<Item = (Cow<'a, str>, Cow<'a, str>, Cow<'a, str>)> + 'i {
        let src = self.src();
        self.refs()
            .iter()
            .filter(|r| r.kind == RefKind::Field)
            .filter_map(move |r| src?.field(r.idx))
    }

    /// The types it names (const-class, new-instance, check-cast, instance-of, arrays).
    pub fn type_refs(&self) -> impl Iterator<Item = Cow<'a, str>> + 'i {
        let src = self.src();
        self.refs()
            .iter()
            .filter(|r| r.kind == RefKind::Type)
            .filter_map(move |r| src?.type_desc(r.idx))
    }

    /// Whether it invokes `class->name` (any proto).
    pub fn calls(&self, class: &str, name: &str) -> bool {
        self.invokes().any(|i| i.class == class && i.name == name)
    }

    /// Re-walks the instructions, decoded on demand from the DEX file (empty for smali).
    pub fn instructions(&self) -> Instructions<'a> {
        let code = match self.src() {
            Some(Source::Dex(d, _)) => d
                .code_item(self.method.method_idx, self.method.code_off)
                .ok()
                .flatten(),
            _ => None,
        };
        Instructions::new(code.map(|c| c.insns).unwrap_or_default())
    }

    /// Index of the input file defining it (its references point into that file's tables).
    pub fn file_index(&self) -> u16 {
        self.file
    }

    /// The register-level view of its code ([`crate::RegCode`]): decoded from the DEX code
    /// item, or re-read from the smali method's lines; empty when there is no code.
    pub fn reg_code(&self) -> crate::RegCode {
        match self.src() {
            Some(Source::Dex(d, _)) => {
                match d.code_item(self.method.method_idx, self.method.code_off) {
                    Ok(Some(c)) => crate::regs::decode_dex(c.insns, c.registers_size, c.ins_size),
                    _ => crate::RegCode::default(),
                }
            }
            Some(Source::Smali(f)) => {
                let Some(m) = f
                    .defined
                    .iter()
                    .find(|m| m.method_idx == self.method.method_idx)
                else {
                    return crate::RegCode::default();
                };
                let body = f.text.get(m.text.0..m.text.1).unwrap_or("");
                let proto = f.methods.get(m.method_idx as usize).map_or("", |x| x.2);
                crate::regs::decode_smali(body, m.access_flags & 0x8 != 0, proto, |r| {
                    smali_resolve(f, r)
                })
            }
            None => crate::RegCode::default(),
        }
    }

    /// The shape of the body: `return-void` only, `return <const>`, or other (computed while
    /// indexing).
    pub fn body_kind(&self) -> BodyKind {
        if !self.has_code() {
            return BodyKind::NoCode;
        }
        self.method.body
    }
}

/// A smali reference resolved into the file's interned tables.
fn smali_resolve(f: &SmaliFile<'_>, r: crate::regs::SmaliRef<'_>) -> Option<u32> {
    use crate::regs::SmaliRef;
    use crate::smali::{field_ref, method_ref, string_literal, type_desc};
    match r {
        SmaliRef::Str(s) => {
            let s = string_literal(s)?;
            f.string_map.get(&s).copied()
        }
        SmaliRef::Type(t) => f.type_map.get(type_desc(t).ok()?.1).copied(),
        SmaliRef::Method(m) => {
            let (_, (c, n, p)) = method_ref(m).ok()?;
            let ct = *f.type_map.get(c)?;
            f.method_map.get(&(ct, n, p)).copied()
        }
        SmaliRef::Field(x) => {
            let (_, (c, n, t)) = field_ref(x).ok()?;
            let ct = *f.type_map.get(c)?;
            f.field_map.get(&(ct, n, t)).copied()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackscan_fixtures::dex::{ClassDefSpec, DexBuilder, FieldKey, MethodDef, MethodKey, Op};

    /// The register view of a method is the same from DEX and from its smali text (with
    /// references resolved to names).
    #[test]
    fn reg_code_same_from_dex_and_smali() {
        use trackscan_fixtures::dex::Invoke;
        let put = MethodKey::new(
            "Lorg/json/JSONObject;",
            "put",
            &["Ljava/lang/String;", "Ljava/lang/Object;"],
            "Lorg/json/JSONObject;",
        );
        let f = FieldKey::new("La/B;", "f", "Ljava/lang/String;");
        let code = vec![
            Op::NewInstanceTo(0, "Lorg/json/JSONObject;".into()),
            Op::StrTo(1, "$email".into()),
            Op::MoveTo(2, 4),
            Op::Call(Invoke::Virtual, put.clone(), vec![0, 1, 2]),
            Op::MoveResultTo(3),
            Op::IputFrom(2, 3, f.clone()),
            Op::IgetTo(1, 3, f),
            Op::LitTo(2, 7),
            Op::ReturnObject(0),
        ];
        let b = DexBuilder::new().class(ClassDefSpec::new(
            "La/B;",
            vec![MethodDef::new(
                "m",
                &["Ljava/lang/String;"],
                "Ljava/lang/Object;",
                code,
            )],
        ));
        let bytes = b.build();
        let smali = b.to_smali();
        let show = |idx: &CodeIndex<'_>| -> Vec<String> {
            let c = idx.class("La/B;").unwrap();
            let m = c.method("m", None).unwrap();
            let file = m.file_index();
            let rc = m.reg_code();
            let mut out = vec![format!("{} {}", rc.registers, rc.first_arg)];
            for op in rc.insns {
                out.push(match op {
                    crate::RegOp::Invoke { method, args, .. } => format!(
                        "invoke {:?} {args:?}",
                        method.and_then(|i| idx.method_parts(file, i))
                    ),
                    crate::RegOp::ConstString { dst, string } => {
                        format!("str {dst} {:?}", idx.string_at(file, string))
                    }
                    crate::RegOp::NewInstance { dst, ty } => {
                        format!("new {dst} {:?}", idx.type_at(file, ty))
                    }
                    crate::RegOp::FieldGet { dst, obj, field } => {
                        format!("get {dst} {obj:?} {:?}", idx.field_parts(file, field))
                    }
                    crate::RegOp::FieldPut { src, obj, field } => {
                        format!("put {src} {obj:?} {:?}", idx.field_parts(file, field))
                    }
                    other => format!("{other:?}"),
                });
            }
            out
        };
        let mut ib = IndexBuilder::new();
        ib.add_dex("classes.dex", &bytes).unwrap();
        let from_dex = show(&ib.finish());
        let mut ib = IndexBuilder::new();
        for (p, t) in &smali {
            ib.add_smali(p, t).unwrap();
        }
        let from_smali = show(&ib.finish());
        assert_eq!(from_dex, from_smali);
        assert_eq!(from_dex.first().map(String::as_str), Some("7 5"));
        assert!(
            from_dex.iter().any(|l| l.contains("\"$email\"")),
            "{from_dex:?}"
        );
    }

    #[test]
    fn wrong_checksum_is_a_warning_not_an_error() {
        let mut b = DexBuilder::new().class(ClassDefSpec::new(
            "La/B;",
            vec![MethodDef::new("m", &[], "V", vec![Op::ReturnVoid])],
        ));
        let good = b.build();
        b.hostile.bad_checksum = true;
        let bad = b.build();
        let mut ib = IndexBuilder::new();
        assert!(ib.add_dex("classes.dex", &good).is_ok());
        assert!(ib.add_dex("classes2.dex", &bad).is_ok());
        let idx = ib.finish();
        let w: Vec<&String> = idx
            .warnings()
            .iter()
            .filter(|w| w.contains("checksum"))
            .collect();
        assert_eq!(w.len(), 1, "{:?}", idx.warnings());
        assert!(
            w.first().is_some_and(|w| w.starts_with("classes2.dex")),
            "{w:?}"
        );
        assert_eq!(idx.class_count(), 1);
    }

    const TM: &str = "Landroid/telephony/TelephonyManager;";

    fn sdk_dex() -> Vec<u8> {
        let get_id = MethodKey::new(TM, "getDeviceId", &[], "Ljava/lang/String;");
        let track = MethodKey::new("Lcom/tracker/Sdk;", "track", &["Ljava/lang/String;"], "V");
        DexBuilder::new()
            .class(ClassDefSpec::new(
                "Lcom/tracker/Sdk;",
                vec![
                    MethodDef::new(
                        "track",
                        &["Ljava/lang/String;"],
                        "V",
                        vec![
                            Op::ConstString("https://collect.tracker.example/v1".into()),
                            Op::InvokeVirtual(get_id),
                            Op::Sget(FieldKey::new(
                                "Lcom/tracker/Sdk;",
                                "sInstance",
                                "Lcom/tracker/Sdk;",
                            )),
                            Op::NewInstance("Ljava/lang/StringBuilder;".into()),
                            Op::ReturnVoid,
                        ],
                    ),
                    MethodDef::new(
                        "init",
                        &[],
                        "V",
                        vec![Op::InvokeVirtual(track.clone()), Op::ReturnVoid],
                    ),
                ],
            ))
            .class(ClassDefSpec::new(
                "Lcom/app/Main;",
                vec![
                    MethodDef::new(
                        "onCreate",
                        &[],
                        "V",
                        vec![
                            Op::ConstString("hello".into()),
                            Op::InvokeVirtual(track.clone()),
                            Op::InvokeVirtual(track),
                            Op::ConstClass("Lcom/tracker/Sdk;".into()),
                            Op::ReturnVoid,
                        ],
                    ),
                    MethodDef::new(
                        "verify",
                        &["Ljava/lang/String;"],
                        "Z",
                        vec![Op::Const4(1), Op::Return],
                    ),
                    MethodDef::new("checkServerTrusted", &[], "V", vec![Op::ReturnVoid]),
                ],
            ))
            .build()
    }

    fn second_dex() -> Vec<u8> {
        DexBuilder::new()
            .class(ClassDefSpec::new("Lcom/app/Main;", vec![]))
            .class(ClassDefSpec::new(
                "Lcom/app/Second;",
                vec![MethodDef::new(
                    "x",
                    &[],
                    "V",
                    vec![Op::ConstString("hello".into()), Op::ReturnVoid],
                )],
            ))
            .build()
    }

    #[test]
    fn multidex_index() {
        let (a, b) = (sdk_dex(), second_dex());
        let mut ib = IndexBuilder::new();
        ib.add_dex("classes.dex", &a).unwrap();
        ib.add_dex("classes2.dex", &b).unwrap();
        let idx = ib.finish();
        assert_eq!(idx.class_count(), 3);
        assert_eq!(
            idx.warnings(),
            ["classes2.dex: class Lcom/app/Main; defined again (first in classes.dex)"]
        );
        let names: Vec<&str> = idx.classes().map(|c| c.descriptor()).collect();
        assert_eq!(
            names,
            ["Lcom/app/Main;", "Lcom/app/Second;", "Lcom/tracker/Sdk;"]
        );
        let main = idx.class("Lcom/app/Main;").unwrap();
        assert_eq!(main.dex_file(), "classes.dex");
        assert_eq!(main.superclass().as_deref(), Some("Ljava/lang/Object;"));
        assert_eq!(
            idx.class("Lcom/app/Second;").unwrap().dex_file(),
            "classes2.dex"
        );
        assert!(idx.class("Lcom/app/Nope;").is_none());
        let with: Vec<_> = idx
            .classes_with_prefix("Lcom/app/")
            .map(|c| c.descriptor())
            .collect();
        assert_eq!(with, ["Lcom/app/Main;", "Lcom/app/Second;"]);
        assert_eq!(idx.classes_with_prefix("Lcom/zzz/").count(), 0);

        let st = idx.stats();
        assert_eq!((st.files, st.classes, st.methods), (2, 3, 6));
        assert_eq!(st.per_file[1].classes, 2);

        let oc = main.method("onCreate", Some("()V")).unwrap();
        assert_eq!(oc.strings().collect::<Vec<_>>(), ["hello"]);
        let inv: Vec<_> = oc
            .invokes()
            .map(|i| format!("{}->{}{}", i.class, i.name, i.proto))
            .collect();
        assert_eq!(inv, ["Lcom/tracker/Sdk;->track(Ljava/lang/String;)V"; 2]);
        assert_eq!(oc.type_refs().collect::<Vec<_>>(), ["Lcom/tracker/Sdk;"]);
        assert!(oc.calls("Lcom/tracker/Sdk;", "track"));
        assert_eq!(oc.body_kind(), BodyKind::Other);
        assert_eq!(
            main.method("verify", None).unwrap().body_kind(),
            BodyKind::ReturnsConst(1)
        );
        assert_eq!(
            main.method("checkServerTrusted", None).unwrap().body_kind(),
            BodyKind::ReturnVoidOnly
        );

        let sdk = idx.class("Lcom/tracker/Sdk;").unwrap();
        let track = sdk.method("track", None).unwrap();
        assert_eq!(
            track
                .field_refs()
                .next()
                .map(|f| f.1.into_owned())
                .as_deref(),
            Some("sInstance")
        );

        let calls = idx.callers_into("Lcom/tracker/");
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].caller_class, "Lcom/app/Main;");
        assert_eq!(calls[0].callee_method, "track");
        assert_eq!(calls[0].count, 2);

        let data: Vec<_> = idx
            .invokes_from_prefix("Lcom/tracker/")
            .map(|(a, b, c)| format!("{a} {b} {c}"))
            .collect();
        // Methods are in method_id order: init (calls track) before track.
        assert_eq!(
            data,
            [
                "Lcom/tracker/Sdk; Lcom/tracker/Sdk; track".to_string(),
                format!("Lcom/tracker/Sdk; {TM} getDeviceId")
            ]
        );

        let users: Vec<_> = idx
            .string_users("hello")
            .iter()
            .map(|c| c.descriptor())
            .collect();
        assert_eq!(users, ["Lcom/app/Main;", "Lcom/app/Second;"]);
        assert!(idx.string_users("nope").is_empty());

        let strings: Vec<_> = idx
            .all_strings()
            .filter(|(s, _)| s.starts_with("https://"))
            .collect();
        assert_eq!(strings.len(), 1);
        assert!(strings[0].1.referenced_by_code);
        assert_eq!(idx.file_name(strings[0].1.file), Some("classes.dex"));
        let desc = idx
            .all_strings()
            .find(|(s, _)| s == "Lcom/app/Main;")
            .unwrap();
        assert!(!desc.1.referenced_by_code);
    }

    #[test]
    fn hostile_parts_become_warnings() {
        let mut b = DexBuilder::new()
            .class(ClassDefSpec::new(
                "La/A;",
                vec![MethodDef::new("m", &[], "V", vec![Op::ReturnVoid])],
            ))
            .class(ClassDefSpec::new(
                "La/B;",
                vec![MethodDef::new(
                    "m",
                    &[],
                    "V",
                    vec![Op::ConstString("s".into()), Op::ReturnVoid],
                )],
            ))
            .class(ClassDefSpec::new(
                "La/C;",
                vec![MethodDef::new("m", &[], "V", vec![Op::Raw(vec![0x106e])])],
            ));
        b.hostile.class_data_off = Some((0, 0x9f000));
        let bytes = b.build();
        let mut ib = IndexBuilder::new();
        ib.add_dex("classes.dex", &bytes).unwrap();
        let idx = ib.finish();
        assert_eq!(idx.class_count(), 3);
        let w = idx.warnings();
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(
            w[0].starts_with(
                "classes.dex: class La/A;: class_def 0 class_data_off 0x9f000 beyond end"
            ),
            "{w:?}"
        );
        assert!(w[1].contains("runs off the end"), "{w:?}");
        assert_eq!(
            idx.class("La/B;")
                .unwrap()
                .methods()
                .next()
                .unwrap()
                .strings()
                .collect::<Vec<_>>(),
            ["s"]
        );

        let mut ib = IndexBuilder::new();
        assert!(ib.add_dex("classes.dex", b"not a dex").is_err());
        assert_eq!(ib.finish().class_count(), 0);
    }
}
