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
//! # Crate choice
//!
//! The `dex` crate (0.5, unmaintained dependencies, raw instructions only) and `dexparser`
//! (nom 4) did not fit, and the `smali` crate is GPL-3.0-only, so this is our own parser. The
//! opcode width table is written from the Dalvik bytecode specification (formats per opcode
//! 0x00–0xff, including invoke-polymorphic/custom and the three payload pseudo-instructions).
#![deny(missing_docs)]

mod error;
mod file;
mod index;
mod insn;
mod mutf8;

pub use error::DexError;
pub use file::{
    adler32, read_sleb128, read_uleb128, ClassData, ClassDef, CodeItem, DexFile, EncodedField,
    EncodedMethod, FieldId, Header, MapItem, MethodId, ProtoId, NO_INDEX,
};
pub use index::{
    BodyKind, CallSite, ClassRef, CodeIndex, FileStats, IndexBuilder, Invoke, MethodRef, Stats,
    StringSite,
};
pub use insn::{CodeRef, Insn, Instructions, RefKind};
pub use mutf8::{decode_lossy, decode_mutf8, encode_mutf8, DexStr};
