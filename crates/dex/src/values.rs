//! `encoded_value` / `encoded_array`: the constant pool of a class (`static_values_off`) and of
//! a call site (`call_site_item`).
//!
//! Values are decoded lazily from the borrowed bytes: an [`EncodedArray`] is a cursor over the
//! file, each [`EncodedValue`] is a small `Copy` enum holding numbers or table indices (never an
//! allocation). Nested arrays and annotations are *skipped* when the outer array is walked
//! (their bytes are kept as a sub-slice for the caller who wants them), with a nesting limit of
//! [`MAX_DEPTH`] so a hostile file cannot overflow the stack. Every element consumes at least one
//! byte, and every count is checked against the bytes left before it is trusted, so walking is
//! linear in the input.

use crate::file::{read_uleb128, ClassDef, DexFile};
use crate::DexError;

/// How deep arrays and annotations may nest before the value is rejected.
pub const MAX_DEPTH: u32 = 16;

/// `VALUE_BYTE` … `VALUE_BOOLEAN` type codes (low five bits of the header byte).
mod ty {
    pub const BYTE: u8 = 0x00;
    pub const SHORT: u8 = 0x02;
    pub const CHAR: u8 = 0x03;
    pub const INT: u8 = 0x04;
    pub const LONG: u8 = 0x06;
    pub const FLOAT: u8 = 0x10;
    pub const DOUBLE: u8 = 0x11;
    pub const METHOD_TYPE: u8 = 0x15;
    pub const METHOD_HANDLE: u8 = 0x16;
    pub const STRING: u8 = 0x17;
    pub const TYPE: u8 = 0x18;
    pub const FIELD: u8 = 0x19;
    pub const METHOD: u8 = 0x1a;
    pub const ENUM: u8 = 0x1b;
    pub const ARRAY: u8 = 0x1c;
    pub const ANNOTATION: u8 = 0x1d;
    pub const NULL: u8 = 0x1e;
    pub const BOOLEAN: u8 = 0x1f;
}

/// One decoded `encoded_value`. Index variants hold the raw index into the file's tables
/// (resolve with [`DexFile::string`], [`DexFile::method_id`], …).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EncodedValue<'a> {
    /// `VALUE_BYTE`.
    Byte(i8),
    /// `VALUE_SHORT`.
    Short(i16),
    /// `VALUE_CHAR`.
    Char(u16),
    /// `VALUE_INT`.
    Int(i32),
    /// `VALUE_LONG`.
    Long(i64),
    /// `VALUE_FLOAT`.
    Float(f32),
    /// `VALUE_DOUBLE`.
    Double(f64),
    /// `VALUE_METHOD_TYPE`: index into `proto_ids`.
    MethodType(u32),
    /// `VALUE_METHOD_HANDLE`: index into `method_handles`.
    MethodHandle(u32),
    /// `VALUE_STRING`: index into `string_ids`.
    String(u32),
    /// `VALUE_TYPE`: index into `type_ids`.
    Type(u32),
    /// `VALUE_FIELD`: index into `field_ids`.
    Field(u32),
    /// `VALUE_METHOD`: index into `method_ids`.
    Method(u32),
    /// `VALUE_ENUM`: index into `field_ids`.
    Enum(u32),
    /// `VALUE_ARRAY`: the nested array (walk it with [`EncodedArray::iter`]).
    Array(EncodedArray<'a>),
    /// `VALUE_ANNOTATION`: the annotation's type index and its raw bytes (skipped, not decoded).
    Annotation {
        /// Index into `type_ids`.
        type_idx: u32,
        /// The whole `encoded_annotation`, borrowed.
        bytes: &'a [u8],
    },
    /// `VALUE_NULL`.
    Null,
    /// `VALUE_BOOLEAN`.
    Boolean(bool),
}

/// An `encoded_array` borrowed from the file: `size` elements starting at `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodedArray<'a> {
    file: &'a [u8],
    /// Offset of the first element in the file.
    pub offset: usize,
    /// Declared number of elements (already checked to fit in the bytes left).
    pub size: u32,
    depth: u32,
}

impl<'a> EncodedArray<'a> {
    /// Reads the `encoded_array` header (`uleb128 size`) at `offset` of `file`.
    pub fn parse(file: &'a [u8], offset: usize) -> Result<Self, DexError> {
        Self::parse_at_depth(file, offset, 0)
    }

    fn parse_at_depth(file: &'a [u8], offset: usize, depth: u32) -> Result<Self, DexError> {
        if depth > MAX_DEPTH {
            return Err(DexError::BadEncodedValue {
                offset: offset as u64,
                reason: "arrays/annotations nested too deeply",
            });
        }
        let mut pos = offset;
        let size = read_uleb128(file, &mut pos)?;
        let left = file.len().saturating_sub(pos);
        // Every element is at least one byte.
        if size as usize > left {
            return Err(DexError::CountTooLarge {
                what: "encoded_array",
                count: size.into(),
                offset: offset as u64,
                left: left as u64,
            });
        }
        Ok(EncodedArray {
            file,
            offset: pos,
            size,
            depth,
        })
    }

    /// The elements in order. The iterator stops (after yielding the error) at the first
    /// malformed element: later offsets cannot be known once one is unreadable.
    pub fn iter(&self) -> EncodedArrayIter<'a> {
        EncodedArrayIter {
            file: self.file,
            pos: self.offset,
            left: self.size,
            depth: self.depth,
            failed: false,
        }
    }

    /// Offset just past the last element (walks the array; `Err` if an element is malformed).
    pub fn end(&self) -> Result<usize, DexError> {
        let mut it = self.iter();
        for v in it.by_ref() {
            v?;
        }
        Ok(it.pos)
    }
}

/// Iterator over an [`EncodedArray`].
#[derive(Debug, Clone)]
pub struct EncodedArrayIter<'a> {
    file: &'a [u8],
    pos: usize,
    left: u32,
    depth: u32,
    failed: bool,
}

impl<'a> Iterator for EncodedArrayIter<'a> {
    type Item = Result<EncodedValue<'a>, DexError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 || self.failed {
            return None;
        }
        self.left -= 1;
        let r = read_value(self.file, &mut self.pos, self.depth);
        self.failed = r.is_err();
        Some(r)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left as usize))
    }
}

/// `size` little-endian bytes at `*pos` as a zero-extended `u64`.
fn raw(file: &[u8], pos: &mut usize, size: usize, what: &'static str) -> Result<u64, DexError> {
    let start = *pos;
    let bytes = start
        .checked_add(size)
        .and_then(|end| file.get(start..end))
        .ok_or(DexError::Truncated {
            what,
            offset: start as u64,
            len: size as u64,
            size: file.len() as u64,
        })?;
    *pos = start + size;
    Ok(bytes
        .iter()
        .rev()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
}

fn sign_extend(v: u64, size: usize) -> i64 {
    let shift = 64u32.saturating_sub(8 * size as u32);
    if shift >= 64 {
        return 0;
    }
    ((v << shift) as i64) >> shift
}

/// Reads one `encoded_value` at `*pos`, advancing it. `depth` is the current nesting.
pub fn read_value<'a>(
    file: &'a [u8],
    pos: &mut usize,
    depth: u32,
) -> Result<EncodedValue<'a>, DexError> {
    let start = *pos;
    let head = *file.get(start).ok_or(DexError::Truncated {
        what: "encoded_value",
        offset: start as u64,
        len: 1,
        size: file.len() as u64,
    })?;
    *pos = start + 1;
    let (t, arg) = (head & 0x1f, head >> 5);
    let size = usize::from(arg) + 1;
    let bad = |reason| DexError::BadEncodedValue {
        offset: start as u64,
        reason,
    };
    let max = |n: usize| -> Result<(), DexError> {
        if size > n {
            Err(bad("value size too large for its type"))
        } else {
            Ok(())
        }
    };
    let index = |pos: &mut usize| -> Result<u32, DexError> {
        max(4)?;
        Ok(raw(file, pos, size, "encoded_value")? as u32)
    };
    Ok(match t {
        ty::BYTE => {
            max(1)?;
            EncodedValue::Byte(raw(file, pos, size, "encoded_value")? as u8 as i8)
        }
        ty::SHORT => {
            max(2)?;
            EncodedValue::Short(sign_extend(raw(file, pos, size, "encoded_value")?, size) as i16)
        }
        ty::CHAR => {
            max(2)?;
            EncodedValue::Char(raw(file, pos, size, "encoded_value")? as u16)
        }
        ty::INT => {
            max(4)?;
            EncodedValue::Int(sign_extend(raw(file, pos, size, "encoded_value")?, size) as i32)
        }
        ty::LONG => EncodedValue::Long(sign_extend(raw(file, pos, size, "encoded_value")?, size)),
        ty::FLOAT => {
            max(4)?;
            // Zero-extended to the right: the bytes are the high-order bytes.
            let v = raw(file, pos, size, "encoded_value")? << (8 * (4 - size));
            EncodedValue::Float(f32::from_bits(v as u32))
        }
        ty::DOUBLE => {
            let v = raw(file, pos, size, "encoded_value")?
                .checked_shl(8 * (8 - size) as u32)
                .unwrap_or(0);
            EncodedValue::Double(f64::from_bits(v))
        }
        ty::METHOD_TYPE => EncodedValue::MethodType(index(pos)?),
        ty::METHOD_HANDLE => EncodedValue::MethodHandle(index(pos)?),
        ty::STRING => EncodedValue::String(index(pos)?),
        ty::TYPE => EncodedValue::Type(index(pos)?),
        ty::FIELD => EncodedValue::Field(index(pos)?),
        ty::METHOD => EncodedValue::Method(index(pos)?),
        ty::ENUM => EncodedValue::Enum(index(pos)?),
        ty::ARRAY => {
            if arg != 0 {
                return Err(bad("VALUE_ARRAY with a non-zero value_arg"));
            }
            let a = EncodedArray::parse_at_depth(file, *pos, depth.saturating_add(1))?;
            *pos = a.end()?;
            EncodedValue::Array(a)
        }
        ty::ANNOTATION => {
            if arg != 0 {
                return Err(bad("VALUE_ANNOTATION with a non-zero value_arg"));
            }
            let type_idx = skip_annotation(file, pos, depth.saturating_add(1))?;
            EncodedValue::Annotation {
                type_idx,
                bytes: file.get(start + 1..*pos).unwrap_or_default(),
            }
        }
        ty::NULL => {
            if arg != 0 {
                return Err(bad("VALUE_NULL with a non-zero value_arg"));
            }
            EncodedValue::Null
        }
        ty::BOOLEAN => match arg {
            0 => EncodedValue::Boolean(false),
            1 => EncodedValue::Boolean(true),
            _ => return Err(bad("VALUE_BOOLEAN with value_arg > 1")),
        },
        _ => return Err(bad("unknown value type")),
    })
}

/// Skips an `encoded_annotation` at `*pos` (type, size, size × (name, value)); returns its type.
fn skip_annotation(file: &[u8], pos: &mut usize, depth: u32) -> Result<u32, DexError> {
    let start = *pos;
    if depth > MAX_DEPTH {
        return Err(DexError::BadEncodedValue {
            offset: start as u64,
            reason: "arrays/annotations nested too deeply",
        });
    }
    let type_idx = read_uleb128(file, pos)?;
    let size = read_uleb128(file, pos)?;
    let left = file.len().saturating_sub(*pos);
    // Each element is a name (≥ 1 byte) and a value (≥ 1 byte).
    if (size as usize).saturating_mul(2) > left {
        return Err(DexError::CountTooLarge {
            what: "encoded_annotation",
            count: size.into(),
            offset: start as u64,
            left: left as u64,
        });
    }
    for _ in 0..size {
        read_uleb128(file, pos)?;
        read_value(file, pos, depth)?;
    }
    Ok(type_idx)
}

impl<'a> DexFile<'a> {
    /// The class's `static_values` (`encoded_array_item` at `static_values_off`), whose elements
    /// are the initial values of its static fields in `class_data` order (trailing defaults may
    /// be omitted). `Ok(None)` when the class has none.
    pub fn static_values(&self, def: &ClassDef) -> Result<Option<EncodedArray<'a>>, DexError> {
        if def.static_values_off == 0 {
            return Ok(None);
        }
        let off = def.static_values_off as usize;
        if off >= self.bytes().len() {
            return Err(DexError::OffsetBeyond {
                what: "class_def",
                item: def.index,
                field: "static_values_off",
                offset: def.static_values_off,
                size: self.bytes().len() as u64,
            });
        }
        EncodedArray::parse(self.bytes(), off).map(Some)
    }

    /// The class's static fields paired with their initial values: `(field_idx, access flags,
    /// value)`, with `None` for fields past the end of `static_values` (default value).
    /// Unreadable values end the list with the error as the last item.
    #[allow(clippy::type_complexity)]
    pub fn static_fields_with_values(
        &self,
        def: &ClassDef,
    ) -> Result<Vec<(u32, u32, Option<Result<EncodedValue<'a>, DexError>>)>, DexError> {
        let data = self.class_data(def)?;
        let values = self.static_values(def)?;
        let mut it = values.map(|v| v.iter());
        Ok(data
            .static_fields
            .iter()
            .map(|f| {
                let v = it.as_mut().and_then(|i| i.next());
                (f.field_idx, f.access_flags, v)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(bytes: &[u8]) -> Vec<Result<EncodedValue<'_>, DexError>> {
        match EncodedArray::parse(bytes, 0) {
            Ok(a) => a.iter().collect(),
            Err(e) => vec![Err(e)],
        }
    }

    #[test]
    fn every_value_type() {
        let bytes = [
            9u8, // size
            0x00, 0xfe, // byte -2
            0x22, 0x34, 0x92, // short 0x9234 → negative
            0x04, 0xff, // int 1 byte → -1
            0x26, 0x01, 0x02, // long 2 bytes
            0x30, 0x80, 0x3f, // float 2 bytes (high bytes of 1.0f = 0x3f800000)
            0x17, 0x05, // string 5
            0x1c, 0x02, 0x1e, 0x3f, // nested array [null, true]
            0x1d, 0x01, 0x01, 0x02, 0x1f, // annotation type 1, one element name 2 = false
            0x5a, 0x01, 0x00, 0x00, // method index, 3 bytes
        ];
        let v: Vec<_> = values(&bytes).into_iter().map(|v| v.unwrap()).collect();
        assert_eq!(v[0], EncodedValue::Byte(-2));
        assert_eq!(v[1], EncodedValue::Short(0x9234u16 as i16));
        assert_eq!(v[2], EncodedValue::Int(-1));
        assert_eq!(v[3], EncodedValue::Long(0x0201));
        assert_eq!(v[4], EncodedValue::Float(1.0));
        assert_eq!(v[5], EncodedValue::String(5));
        match v[6] {
            EncodedValue::Array(a) => {
                let inner: Vec<_> = a.iter().map(|x| x.unwrap()).collect();
                assert_eq!(inner, [EncodedValue::Null, EncodedValue::Boolean(true)]);
            }
            ref other => panic!("{other:?}"),
        }
        assert!(matches!(v[7], EncodedValue::Annotation { type_idx: 1, .. }));
        assert_eq!(v[8], EncodedValue::Method(1));
        assert_eq!(v.len(), 9);
        assert_eq!(EncodedArray::parse(&bytes, 0).unwrap().end().unwrap(), 29);
    }

    #[test]
    fn hostile_values() {
        // Count larger than the bytes left.
        assert!(matches!(
            values(&[0xff, 0xff, 0x03, 0x1e])[0],
            Err(DexError::CountTooLarge { .. })
        ));
        // Truncated int.
        assert!(matches!(
            values(&[1, 0x64, 1])[0],
            Err(DexError::Truncated { .. })
        ));
        // Int of 5 bytes, unknown type, boolean arg 2.
        for b in [
            [1u8, 0x84, 0, 0, 0, 0, 0],
            [1, 0x07, 0, 0, 0, 0, 0],
            [1, 0x5f, 0, 0, 0, 0, 0],
        ] {
            let v = values(&b);
            assert!(
                matches!(v[0], Err(DexError::BadEncodedValue { .. })),
                "{v:?}"
            );
            assert_eq!(v.len(), 1);
        }
        // Deep nesting: [[[[…]]]] beyond the limit.
        let mut deep = vec![1u8];
        for _ in 0..40 {
            deep.extend([0x1c, 1]);
        }
        deep.push(0x1e);
        let v = values(&deep);
        let e = v[0].clone().unwrap_err();
        assert!(e.to_string().contains("nested too deeply"), "{e}");
        // Annotation whose element count cannot fit.
        assert!(values(&[1, 0x1d, 0, 0x7f]).iter().any(|v| v.is_err()));
        // After an error the iterator stops.
        assert_eq!(values(&[3, 0x07, 0x1e, 0x1e]).len(), 1);
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut seed = 0x1234_5678u32;
        for _ in 0..2000 {
            let mut b = Vec::new();
            for _ in 0..(seed % 40) {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                b.push((seed >> 16) as u8);
            }
            if let Ok(a) = EncodedArray::parse(&b, 0) {
                let _ = a.iter().count();
                let _ = a.end();
            }
        }
    }
}
