//! The DEX container: header, id tables, class definitions, class data and code items.

use nom::number::complete::le_u32;
use nom::Parser;

use crate::insn::Instructions;
use crate::mutf8::DexStr;
use crate::DexError;

/// `NO_INDEX`: the value of an absent index (e.g. the superclass of `java.lang.Object`).
pub const NO_INDEX: u32 = 0xffff_ffff;
const ENDIAN_CONSTANT: u32 = 0x1234_5678;
const REVERSE_ENDIAN_CONSTANT: u32 = 0x7856_3412;
const HEADER_SIZE: usize = 0x70;

/// The DEX header (first 0x70 bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Format version, e.g. 35 for `dex\n035\0`.
    pub version: u16,
    /// Adler-32 of the file from offset 12 (as declared; see [`DexFile::checksum_ok`]).
    pub checksum: u32,
    /// SHA-1 of the file from offset 32 (as declared).
    pub signature: [u8; 20],
    /// Declared file size.
    pub file_size: u32,
    /// Declared header size.
    pub header_size: u32,
    /// Endian tag (always `0x12345678` in files we accept).
    pub endian_tag: u32,
    /// Link section (size, offset).
    pub link: (u32, u32),
    /// Offset of the `map_list`.
    pub map_off: u32,
    /// `string_ids` (count, offset).
    pub string_ids: (u32, u32),
    /// `type_ids` (count, offset).
    pub type_ids: (u32, u32),
    /// `proto_ids` (count, offset).
    pub proto_ids: (u32, u32),
    /// `field_ids` (count, offset).
    pub field_ids: (u32, u32),
    /// `method_ids` (count, offset).
    pub method_ids: (u32, u32),
    /// `class_defs` (count, offset).
    pub class_defs: (u32, u32),
    /// Data section (size, offset).
    pub data: (u32, u32),
}

fn parse_header(bytes: &[u8]) -> Result<Header, DexError> {
    let size = bytes.len() as u64;
    let mut magic = [0u8; 8];
    if let Some(m) = bytes.get(..8) {
        magic.copy_from_slice(m);
    } else {
        let n = bytes.len().min(8);
        magic[..n].copy_from_slice(bytes.get(..n).unwrap_or_default());
        return Err(DexError::BadMagic(magic));
    }
    let version = match &magic {
        [b'd', b'e', b'x', b'\n', b'0', d1 @ b'3'..=b'4', d2 @ b'0'..=b'9', 0] => {
            u16::from(d1 - b'0') * 10 + u16::from(d2 - b'0')
        }
        _ => return Err(DexError::BadMagic(magic)),
    };
    if !(35..=41).contains(&version) {
        return Err(DexError::BadMagic(magic));
    }
    let rest = bytes.get(8..HEADER_SIZE).ok_or(DexError::Truncated {
        what: "header",
        offset: 0,
        len: HEADER_SIZE as u64,
        size,
    })?;
    let res: nom::IResult<&[u8], _> = (
        le_u32,
        nom::bytes::complete::take(20usize),
        (le_u32, le_u32, le_u32),
        (le_u32, le_u32, le_u32),
        (le_u32, le_u32, le_u32, le_u32, le_u32, le_u32),
        (
            le_u32, le_u32, le_u32, le_u32, le_u32, le_u32, le_u32, le_u32,
        ),
    )
        .parse(rest);
    let (_, (checksum, sig, (file_size, header_size, endian_tag), (ls, lo, map_off), a, b)) =
        res.map_err(|_| DexError::Truncated {
            what: "header",
            offset: 0,
            len: HEADER_SIZE as u64,
            size,
        })?;
    let mut signature = [0u8; 20];
    signature.copy_from_slice(sig);
    Ok(Header {
        version,
        checksum,
        signature,
        file_size,
        header_size,
        endian_tag,
        link: (ls, lo),
        map_off,
        string_ids: (a.0, a.1),
        type_ids: (a.2, a.3),
        proto_ids: (a.4, a.5),
        field_ids: (b.0, b.1),
        method_ids: (b.2, b.3),
        class_defs: (b.4, b.5),
        data: (b.6, b.7),
    })
}

/// One entry of the `map_list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapItem {
    /// Item type code (e.g. 0x0001 string_id_item, 0x2001 code_item).
    pub type_code: u16,
    /// Number of items.
    pub size: u32,
    /// Offset of the first item.
    pub offset: u32,
}

/// An entry of `proto_ids`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtoId {
    /// String index of the shorty descriptor.
    pub shorty_idx: u32,
    /// Type index of the return type.
    pub return_type_idx: u32,
    /// Offset of the parameter `type_list` (0 for none).
    pub parameters_off: u32,
}

/// An entry of `field_ids`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldId {
    /// Type index of the defining class.
    pub class_idx: u16,
    /// Type index of the field's type.
    pub type_idx: u16,
    /// String index of the name.
    pub name_idx: u32,
}

/// An entry of `method_ids`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodId {
    /// Type index of the defining class.
    pub class_idx: u16,
    /// Proto index.
    pub proto_idx: u16,
    /// String index of the name.
    pub name_idx: u32,
}

/// An entry of `class_defs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassDef {
    /// Position in the `class_defs` table.
    pub index: u32,
    /// Type index of the class.
    pub class_idx: u32,
    /// Access flags.
    pub access_flags: u32,
    /// Type index of the superclass or [`NO_INDEX`].
    pub superclass_idx: u32,
    /// Offset of the interfaces `type_list` (0 for none).
    pub interfaces_off: u32,
    /// String index of the source file name or [`NO_INDEX`].
    pub source_file_idx: u32,
    /// Offset of the annotations directory (0 for none).
    pub annotations_off: u32,
    /// Offset of the `class_data_item` (0 for none).
    pub class_data_off: u32,
    /// Offset of the static values (0 for none).
    pub static_values_off: u32,
}

/// A field of `class_data_item`, with its absolute field index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodedField {
    /// Index into `field_ids`.
    pub field_idx: u32,
    /// Access flags.
    pub access_flags: u32,
}

/// A method of `class_data_item`, with its absolute method index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodedMethod {
    /// Index into `method_ids`.
    pub method_idx: u32,
    /// Access flags.
    pub access_flags: u32,
    /// Offset of the `code_item` (0 for abstract/native methods).
    pub code_off: u32,
    /// Whether this is a direct method (static, private or constructor).
    pub direct: bool,
}

/// A decoded `class_data_item`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClassData {
    /// Static fields.
    pub static_fields: Vec<EncodedField>,
    /// Instance fields.
    pub instance_fields: Vec<EncodedField>,
    /// Direct then virtual methods, in file order.
    pub methods: Vec<EncodedMethod>,
}

/// A `code_item`, with its instructions borrowed from the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeItem<'a> {
    /// Number of registers.
    pub registers_size: u16,
    /// Words of incoming arguments.
    pub ins_size: u16,
    /// Words of outgoing argument space.
    pub outs_size: u16,
    /// Number of try items.
    pub tries_size: u16,
    /// Offset of the debug info (0 for none).
    pub debug_info_off: u32,
    /// The instruction bytes (`insns_size` 16-bit little-endian code units).
    pub insns: &'a [u8],
}

impl<'a> CodeItem<'a> {
    /// Number of 16-bit code units.
    pub fn insns_units(&self) -> u32 {
        (self.insns.len() / 2) as u32
    }

    /// Walks the instructions.
    pub fn instructions(&self) -> Instructions<'a> {
        Instructions::new(self.insns)
    }
}

/// A bounds-checked table of fixed-size records.
#[derive(Debug, Clone, Copy)]
struct Table<'a> {
    bytes: &'a [u8],
    count: u32,
}

impl<'a> Table<'a> {
    fn record(&self, idx: u32, rec: usize, what: &'static str) -> Result<&'a [u8], DexError> {
        if idx >= self.count {
            return Err(DexError::IndexOutOfRange {
                what,
                index: idx,
                count: self.count,
            });
        }
        let start = (idx as usize).saturating_mul(rec);
        self.bytes
            .get(start..start.saturating_add(rec))
            .ok_or(DexError::IndexOutOfRange {
                what,
                index: idx,
                count: self.count,
            })
    }
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    match b.get(off..off.saturating_add(4)) {
        Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]),
        _ => 0,
    }
}

fn u16_at(b: &[u8], off: usize) -> u16 {
    match b.get(off..off.saturating_add(2)) {
        Some(&[a, b]) => u16::from_le_bytes([a, b]),
        _ => 0,
    }
}

/// nom parser for an unsigned LEB128 of at most 5 bytes (the DEX limit for 32-bit values):
/// up to four bytes with the continuation bit, then a final byte without it.
pub fn uleb128(input: &[u8]) -> nom::IResult<&[u8], u32> {
    use nom::bytes::complete::{take, take_while_m_n};
    let (rest, cont) = take_while_m_n(0, 4, |b: u8| b & 0x80 != 0).parse(input)?;
    let (rest, last) = take(1usize).parse(rest)?;
    match last.first() {
        Some(&b) if b & 0x80 == 0 => {
            let mut v = 0u32;
            for (i, &c) in cont.iter().chain(last).enumerate() {
                v |= u32::from(c & 0x7f).checked_shl(7 * i as u32).unwrap_or(0);
            }
            Ok((rest, v))
        }
        _ => Err(nom::Err::Error(nom::error::Error::new(
            input,
            nom::error::ErrorKind::TooLarge,
        ))),
    }
}

/// Reads an unsigned LEB128 (at most 5 bytes) at `*pos`, advancing `*pos`: the same value and
/// errors as [`uleb128`] (a proptest checks it), as a plain loop. This runs for every member
/// of every class and every `code_off`; going through the nom combinators for multi-byte
/// values cost about 40 instructions more per value.
pub fn read_uleb128(bytes: &[u8], pos: &mut usize) -> Result<u32, DexError> {
    let start = *pos;
    let mut v = 0u32;
    for i in 0..5usize {
        let Some(&c) = bytes.get(start.saturating_add(i)) else {
            break;
        };
        v |= u32::from(c & 0x7f) << (7 * i);
        if c & 0x80 == 0 {
            *pos = start + i + 1;
            return Ok(v);
        }
    }
    Err(DexError::BadLeb128 {
        offset: start as u64,
    })
}

/// Reads a signed LEB128 (at most 5 bytes) at `*pos`, advancing it.
pub fn read_sleb128(bytes: &[u8], pos: &mut usize) -> Result<i32, DexError> {
    let start = *pos;
    let v = read_uleb128(bytes, pos)?;
    let n = (*pos - start) as u32;
    let bits = 7 * n;
    Ok(if bits < 32 {
        let shift = 32 - bits;
        ((v << shift) as i32) >> shift
    } else {
        v as i32
    })
}

/// A parsed DEX file. Cheap to create: only the header is decoded and the id tables are
/// bounds-checked; everything else is decoded lazily on request.
#[derive(Debug, Clone)]
pub struct DexFile<'a> {
    bytes: &'a [u8],
    header: Header,
    strings: Table<'a>,
    types: Table<'a>,
    protos: Table<'a>,
    fields: Table<'a>,
    methods: Table<'a>,
    class_defs: Table<'a>,
    anomalies: Vec<String>,
}

impl<'a> DexFile<'a> {
    /// Parses the header and locates the id tables. A table that does not fit in the file is
    /// truncated to what fits and reported in [`DexFile::anomalies`]; only an unusable header
    /// is an error.
    pub fn parse(bytes: &'a [u8]) -> Result<DexFile<'a>, DexError> {
        let header = parse_header(bytes)?;
        if header.endian_tag == REVERSE_ENDIAN_CONSTANT {
            return Err(DexError::UnsupportedEndian(header.endian_tag));
        }
        let mut anomalies = Vec::new();
        if header.endian_tag != ENDIAN_CONSTANT {
            anomalies.push(format!("unknown endian tag {:#010x}", header.endian_tag));
        }
        if header.file_size as usize != bytes.len() {
            anomalies.push(format!(
                "header file_size {:#x} differs from actual size {:#x}",
                header.file_size,
                bytes.len()
            ));
        }
        let mut table = |what: &'static str, (count, off): (u32, u32), rec: usize| -> Table<'a> {
            if count == 0 {
                return Table {
                    bytes: &[],
                    count: 0,
                };
            }
            let start = off as usize;
            let left = bytes.len().saturating_sub(start);
            let fits = (left / rec).min(count as usize) as u32;
            if fits < count {
                anomalies.push(format!(
                    "{what} table at {off:#x} with {count} entries beyond end (size {:#x}); keeping {fits}",
                    bytes.len()
                ));
            }
            let len = fits as usize * rec;
            Table {
                bytes: bytes.get(start..start + len).unwrap_or_default(),
                count: fits,
            }
        };
        let strings = table("string_ids", header.string_ids, 4);
        let types = table("type_ids", header.type_ids, 4);
        let protos = table("proto_ids", header.proto_ids, 12);
        let fields = table("field_ids", header.field_ids, 8);
        let methods = table("method_ids", header.method_ids, 8);
        let class_defs = table("class_defs", header.class_defs, 32);
        Ok(DexFile {
            bytes,
            header,
            strings,
            types,
            protos,
            fields,
            methods,
            class_defs,
            anomalies,
        })
    }

    /// The decoded header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The whole file.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Problems found while locating the tables (warnings as data).
    pub fn anomalies(&self) -> &[String] {
        &self.anomalies
    }

    /// Whether the declared Adler-32 checksum matches the file.
    pub fn checksum_ok(&self) -> bool {
        self.bytes.get(12..).map(adler32) == Some(self.header.checksum)
    }

    /// Whether the declared SHA-1 signature matches the file (hashes the whole file: call
    /// once, e.g. for a tamper report).
    pub fn signature_ok(&self) -> bool {
        use sha1::{Digest, Sha1};
        let digest: [u8; 20] = match self.bytes.get(32..) {
            Some(rest) => Sha1::digest(rest).into(),
            None => return false,
        };
        digest == self.header.signature
    }

    /// The `string_ids` table (4 bytes per entry, truncated to what fits in the file).
    pub(crate) fn string_ids_bytes(&self) -> &'a [u8] {
        self.strings.bytes
    }

    /// Number of `string_ids` (after truncation to what fits).
    pub fn string_count(&self) -> u32 {
        self.strings.count
    }
    /// Number of `type_ids`.
    pub fn type_count(&self) -> u32 {
        self.types.count
    }
    /// Number of `proto_ids`.
    pub fn proto_count(&self) -> u32 {
        self.protos.count
    }
    /// Number of `field_ids`.
    pub fn field_count(&self) -> u32 {
        self.fields.count
    }
    /// Number of `method_ids`.
    pub fn method_count(&self) -> u32 {
        self.methods.count
    }
    /// Number of `class_defs`.
    pub fn class_def_count(&self) -> u32 {
        self.class_defs.count
    }

    /// The `map_list`, if `map_off` is valid.
    pub fn map_list(&self) -> Result<Vec<MapItem>, DexError> {
        let off = self.header.map_off as usize;
        let size = self.bytes.len() as u64;
        let count = self
            .bytes
            .get(off..off.saturating_add(4))
            .map(|_| u32_at(self.bytes, off))
            .ok_or(DexError::OffsetBeyond {
                what: "header",
                item: 0,
                field: "map_off",
                offset: off as u32,
                size,
            })?;
        let left = self.bytes.len().saturating_sub(off + 4);
        if (count as usize).saturating_mul(12) > left {
            return Err(DexError::CountTooLarge {
                what: "map_list",
                count: count.into(),
                offset: off as u64,
                left: left as u64,
            });
        }
        Ok((0..count as usize)
            .map(|i| {
                let p = off + 4 + i * 12;
                MapItem {
                    type_code: u16_at(self.bytes, p),
                    size: u32_at(self.bytes, p + 4),
                    offset: u32_at(self.bytes, p + 8),
                }
            })
            .collect())
    }

    /// The string with index `idx` (zero-copy view).
    pub fn string(&self, idx: u32) -> Result<DexStr<'a>, DexError> {
        let rec = self.strings.record(idx, 4, "string_ids")?;
        let off = u32_at(rec, 0);
        self.string_data(idx, off)
    }

    fn string_data(&self, idx: u32, off: u32) -> Result<DexStr<'a>, DexError> {
        let size = self.bytes.len() as u64;
        let mut pos = off as usize;
        if pos >= self.bytes.len() {
            return Err(DexError::OffsetBeyond {
                what: "string_id",
                item: idx,
                field: "string_data_off",
                offset: off,
                size,
            });
        }
        let utf16_len = read_uleb128(self.bytes, &mut pos)?;
        let rest = self.bytes.get(pos..).unwrap_or_default();
        // An ASCII string has its NUL right after `utf16_len` bytes: check that byte first,
        // and search (memchr) only when it is not there.
        let n = utf16_len as usize;
        let end = if rest.get(n) == Some(&0) && rest.get(..n).is_some_and(|s| !s.contains(&0)) {
            Some(n)
        } else {
            memchr::memchr(0, rest)
        };
        let end = end.ok_or(DexError::BadMutf8 {
            offset: pos as u64,
            reason: "string runs off the end without NUL",
        })?;
        Ok(DexStr::new(
            rest.get(..end).unwrap_or_default(),
            pos as u32,
            utf16_len,
        ))
    }

    /// The descriptor of the type with index `idx` (e.g. `Lcom/foo/Bar;`).
    pub fn type_descriptor(&self, idx: u32) -> Result<DexStr<'a>, DexError> {
        let rec = self.types.record(idx, 4, "type_ids")?;
        self.string(u32_at(rec, 0))
    }

    /// The string index of the descriptor of type `idx`.
    pub fn type_string_idx(&self, idx: u32) -> Result<u32, DexError> {
        Ok(u32_at(self.types.record(idx, 4, "type_ids")?, 0))
    }

    /// The proto with index `idx`.
    pub fn proto_id(&self, idx: u32) -> Result<ProtoId, DexError> {
        let r = self.protos.record(idx, 12, "proto_ids")?;
        Ok(ProtoId {
            shorty_idx: u32_at(r, 0),
            return_type_idx: u32_at(r, 4),
            parameters_off: u32_at(r, 8),
        })
    }

    /// The field id with index `idx`.
    pub fn field_id(&self, idx: u32) -> Result<FieldId, DexError> {
        let r = self.fields.record(idx, 8, "field_ids")?;
        Ok(FieldId {
            class_idx: u16_at(r, 0),
            type_idx: u16_at(r, 2),
            name_idx: u32_at(r, 4),
        })
    }

    /// The method id with index `idx`.
    pub fn method_id(&self, idx: u32) -> Result<MethodId, DexError> {
        let r = self.methods.record(idx, 8, "method_ids")?;
        Ok(MethodId {
            class_idx: u16_at(r, 0),
            proto_idx: u16_at(r, 2),
            name_idx: u32_at(r, 4),
        })
    }

    /// A `type_list` at `off` (used for parameters and interfaces), as type indices.
    pub fn type_list(&self, what: &'static str, item: u32, off: u32) -> Result<Vec<u32>, DexError> {
        if off == 0 {
            return Ok(Vec::new());
        }
        let size = self.bytes.len() as u64;
        let p = off as usize;
        let count = self
            .bytes
            .get(p..p.saturating_add(4))
            .map(|_| u32_at(self.bytes, p))
            .ok_or(DexError::OffsetBeyond {
                what,
                item,
                field: "type_list_off",
                offset: off,
                size,
            })?;
        let left = self.bytes.len().saturating_sub(p + 4);
        if (count as usize).saturating_mul(2) > left {
            return Err(DexError::CountTooLarge {
                what: "type_list",
                count: count.into(),
                offset: p as u64,
                left: left as u64,
            });
        }
        Ok((0..count as usize)
            .map(|i| u32::from(u16_at(self.bytes, p + 4 + 2 * i)))
            .collect())
    }

    /// The proto of `idx` rendered as a descriptor, e.g. `(Ljava/lang/String;I)V`.
    pub fn proto_descriptor(&self, idx: u32) -> Result<String, DexError> {
        let p = self.proto_id(idx)?;
        let mut s = String::from("(");
        for t in self.type_list("proto_id", idx, p.parameters_off)? {
            s.push_str(&self.type_descriptor(t)?.as_str());
        }
        s.push(')');
        s.push_str(&self.type_descriptor(p.return_type_idx)?.as_str());
        Ok(s)
    }

    /// The class definition with index `idx`.
    pub fn class_def(&self, idx: u32) -> Result<ClassDef, DexError> {
        let r = self.class_defs.record(idx, 32, "class_defs")?;
        Ok(ClassDef {
            index: idx,
            class_idx: u32_at(r, 0),
            access_flags: u32_at(r, 4),
            superclass_idx: u32_at(r, 8),
            interfaces_off: u32_at(r, 12),
            source_file_idx: u32_at(r, 16),
            annotations_off: u32_at(r, 20),
            class_data_off: u32_at(r, 24),
            static_values_off: u32_at(r, 28),
        })
    }

    /// All class definitions, in file order.
    pub fn class_defs(&self) -> impl Iterator<Item = Result<ClassDef, DexError>> + '_ {
        (0..self.class_defs.count).map(move |i| self.class_def(i))
    }

    /// The interfaces a class implements, as type indices.
    pub fn interfaces(&self, def: &ClassDef) -> Result<Vec<u32>, DexError> {
        self.type_list("class_def", def.index, def.interfaces_off)
    }

    /// Decodes the `class_data_item` of `def` (empty when `class_data_off` is 0).
    pub fn class_data(&self, def: &ClassDef) -> Result<ClassData, DexError> {
        let mut out = ClassData::default();
        self.class_data_into(def, &mut out)?;
        Ok(out)
    }

    /// Like [`DexFile::class_data`] but reuses `out`'s buffers (cleared first).
    pub fn class_data_into(&self, def: &ClassDef, out: &mut ClassData) -> Result<(), DexError> {
        self.read_class_data(def, out, false)
    }

    /// Only the static fields of the class data (they come first), into `out` (cleared
    /// first; its instance fields and methods stay empty): what a reader of constants needs,
    /// without decoding every method.
    pub fn static_fields_into(&self, def: &ClassDef, out: &mut ClassData) -> Result<(), DexError> {
        self.read_class_data(def, out, true)
    }

    fn read_class_data(
        &self,
        def: &ClassDef,
        out: &mut ClassData,
        static_only: bool,
    ) -> Result<(), DexError> {
        out.static_fields.clear();
        out.instance_fields.clear();
        out.methods.clear();
        if def.class_data_off == 0 {
            return Ok(());
        }
        let b = self.bytes;
        let mut pos = def.class_data_off as usize;
        if pos >= b.len() {
            return Err(DexError::OffsetBeyond {
                what: "class_def",
                item: def.index,
                field: "class_data_off",
                offset: def.class_data_off,
                size: b.len() as u64,
            });
        }
        let start = pos;
        let sf = read_uleb128(b, &mut pos)?;
        let inf = read_uleb128(b, &mut pos)?;
        let dm = read_uleb128(b, &mut pos)?;
        let vm = read_uleb128(b, &mut pos)?;
        let left = b.len().saturating_sub(pos) as u64;
        // Each encoded field takes at least 2 bytes, each encoded method at least 3.
        let need = (u64::from(sf) + u64::from(inf)) * 2 + (u64::from(dm) + u64::from(vm)) * 3;
        if need > left {
            return Err(DexError::CountTooLarge {
                what: "class_data",
                count: u64::from(sf) + u64::from(inf) + u64::from(dm) + u64::from(vm),
                offset: start as u64,
                left,
            });
        }
        let inf = if static_only { 0 } else { inf };
        for (n, list) in [
            (sf, &mut out.static_fields),
            (inf, &mut out.instance_fields),
        ] {
            let mut idx: u32 = 0;
            list.reserve(n as usize);
            for _ in 0..n {
                idx = idx.wrapping_add(read_uleb128(b, &mut pos)?);
                let access_flags = read_uleb128(b, &mut pos)?;
                list.push(EncodedField {
                    field_idx: idx,
                    access_flags,
                });
            }
        }
        if static_only {
            return Ok(());
        }
        out.methods.reserve((dm + vm) as usize);
        for (n, direct) in [(dm, true), (vm, false)] {
            let mut idx: u32 = 0;
            for _ in 0..n {
                idx = idx.wrapping_add(read_uleb128(b, &mut pos)?);
                let access_flags = read_uleb128(b, &mut pos)?;
                let code_off = read_uleb128(b, &mut pos)?;
                out.methods.push(EncodedMethod {
                    method_idx: idx,
                    access_flags,
                    code_off,
                    direct,
                });
            }
        }
        Ok(())
    }

    /// The `code_item` at `code_off` (`None` when 0). `method_idx` only labels errors.
    pub fn code_item(
        &self,
        method_idx: u32,
        code_off: u32,
    ) -> Result<Option<CodeItem<'a>>, DexError> {
        if code_off == 0 {
            return Ok(None);
        }
        let b = self.bytes;
        let p = code_off as usize;
        let size = b.len() as u64;
        let head = b
            .get(p..p.saturating_add(16))
            .ok_or(DexError::OffsetBeyond {
                what: "method",
                item: method_idx,
                field: "code_off",
                offset: code_off,
                size,
            })?;
        let insns_size = u32_at(head, 12);
        let len = u64::from(insns_size) * 2;
        let start = p + 16;
        let insns =
            b.get(start..)
                .and_then(|r| r.get(..len as usize))
                .ok_or(DexError::Truncated {
                    what: "code_item insns",
                    offset: start as u64,
                    len,
                    size,
                })?;
        Ok(Some(CodeItem {
            registers_size: u16_at(head, 0),
            ins_size: u16_at(head, 2),
            outs_size: u16_at(head, 4),
            tries_size: u16_at(head, 6),
            debug_info_off: u32_at(head, 8),
            insns,
        }))
    }
}

/// Adler-32 as used by the DEX header checksum, with `simd-adler32` (SSE2/AVX2 at run time):
/// the check reads the whole file, and the scalar loop cost about as many instructions as the
/// instruction walk of the whole code index (21 M of 89 M for the 6.5 MB DEX of achat.apk).
pub fn adler32(data: &[u8]) -> u32 {
    let mut h = simd_adler32::Adler32::new();
    h.write(data);
    h.finish()
}

/// The plain Adler-32 definition, to test [`adler32`] against.
#[cfg(test)]
fn adler32_scalar(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackscan_fixtures::dex::{ClassDefSpec, DexBuilder, Hostile, MethodDef, MethodKey, Op};

    proptest::proptest! {
        #[test]
        fn adler32_matches_definition(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..20_000)) {
            proptest::prop_assert_eq!(adler32(&data), adler32_scalar(&data));
        }
    }

    #[test]
    fn adler32_known_values() {
        assert_eq!(adler32(b""), 1);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        let big = vec![0xffu8; 1 << 20];
        assert_eq!(adler32(&big), adler32_scalar(&big));
    }

    fn sample() -> DexBuilder {
        let log = MethodKey::new(
            "Landroid/util/Log;",
            "d",
            &["Ljava/lang/String;", "Ljava/lang/String;"],
            "I",
        );
        DexBuilder::new()
            .class(ClassDefSpec::new(
                "Lcom/example/Main;",
                vec![
                    MethodDef::new(
                        "run",
                        &[],
                        "V",
                        vec![
                            Op::ConstString("https://example.com".into()),
                            Op::InvokeStatic(log),
                            Op::ReturnVoid,
                        ],
                    ),
                    MethodDef::new("ok", &["I"], "Z", vec![Op::Const4(1), Op::Return]),
                ],
            ))
            .class(ClassDefSpec::new("Lcom/example/Other;", vec![]))
    }

    #[test]
    fn header_and_tables() {
        let bytes = sample().build();
        let dex = DexFile::parse(&bytes).unwrap();
        assert_eq!(dex.header().version, 35);
        assert_eq!(dex.header().file_size as usize, bytes.len());
        assert!(dex.checksum_ok());
        assert!(dex.signature_ok());
        assert!(dex.anomalies().is_empty(), "{:?}", dex.anomalies());
        assert_eq!(dex.class_def_count(), 2);
        let map = dex.map_list().unwrap();
        assert!(map
            .iter()
            .any(|m| m.type_code == 0x1000 && m.offset == dex.header().map_off));
        assert!(map.iter().any(|m| m.type_code == 0x2001 && m.size == 2));
        let defs: Vec<_> = dex.class_defs().map(|d| d.unwrap()).collect();
        assert_eq!(
            dex.type_descriptor(defs[0].class_idx).unwrap().as_str(),
            "Lcom/example/Main;"
        );
        assert_eq!(
            dex.type_descriptor(defs[0].superclass_idx)
                .unwrap()
                .as_str(),
            "Ljava/lang/Object;"
        );
        let data = dex.class_data(&defs[0]).unwrap();
        assert_eq!(data.methods.len(), 2);
        let names: Vec<String> = data
            .methods
            .iter()
            .map(|m| {
                dex.string(dex.method_id(m.method_idx).unwrap().name_idx)
                    .unwrap()
                    .as_str()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["ok", "run"]);
        let m = dex.method_id(data.methods[0].method_idx).unwrap();
        assert_eq!(
            dex.proto_descriptor(u32::from(m.proto_idx)).unwrap(),
            "(I)Z"
        );
        let code = dex
            .code_item(data.methods[1].method_idx, data.methods[1].code_off)
            .unwrap()
            .unwrap();
        assert_eq!(code.insns_units(), 2 + 3 + 1);
        assert!(dex.class_data(&defs[1]).unwrap().methods.is_empty());
        // Out-of-range lookups are errors.
        assert!(matches!(
            dex.string(100_000),
            Err(DexError::IndexOutOfRange {
                what: "string_ids",
                ..
            })
        ));
        assert!(dex.type_descriptor(u32::MAX).is_err());
    }

    #[test]
    fn versions_and_magic() {
        for v in [
            *b"dex\n035\0",
            *b"dex\n037\0",
            *b"dex\n038\0",
            *b"dex\n039\0",
            *b"dex\n040\0",
            *b"dex\n041\0",
        ] {
            let mut b = sample();
            b.hostile.magic = Some(v);
            assert!(DexFile::parse(&b.build()).is_ok());
        }
        let mut b = sample();
        b.hostile.magic = Some(*b"dey\n035\0");
        let e = DexFile::parse(&b.build()).unwrap_err();
        assert_eq!(e.to_string(), "bad magic \"dey\\n035\\x00\"");
        b.hostile.magic = Some(*b"dex\n042\0");
        assert!(matches!(
            DexFile::parse(&b.build()),
            Err(DexError::BadMagic(_))
        ));
        assert!(matches!(DexFile::parse(b"dex"), Err(DexError::BadMagic(_))));
        assert!(matches!(
            DexFile::parse(b"dex\n035\0abc"),
            Err(DexError::Truncated { what: "header", .. })
        ));
    }

    #[test]
    fn hostile_header_fields() {
        let mut b = sample();
        b.hostile = Hostile {
            bad_checksum: true,
            file_size: Some(12),
            ..Hostile::default()
        };
        let bytes = b.build();
        let dex = DexFile::parse(&bytes).unwrap();
        assert!(!dex.checksum_ok());
        assert!(dex.signature_ok());
        let mut tampered = bytes.clone();
        if let Some(last) = tampered.last_mut() {
            *last ^= 1;
        }
        assert!(!DexFile::parse(&tampered).unwrap().signature_ok());
        assert!(dex.anomalies().iter().any(|a| a.contains("file_size")));
        let mut b = sample();
        b.hostile.string_ids_size = Some(0x4000_0000);
        let bytes = b.build();
        let dex = DexFile::parse(&bytes).unwrap();
        assert!(
            dex.anomalies()
                .iter()
                .any(|a| a.starts_with("string_ids table")),
            "{:?}",
            dex.anomalies()
        );
        assert!(dex.string_count() < 0x4000_0000);
    }

    #[test]
    fn hostile_class_data() {
        let mut b = sample();
        b.hostile.class_data_off = Some((0, 0x9f000));
        let bytes = b.build();
        let dex = DexFile::parse(&bytes).unwrap();
        let def = dex.class_def(0).unwrap();
        let e = dex.class_data(&def).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "class_def 0 class_data_off 0x9f000 beyond end (size {:#x})",
                bytes.len()
            )
        );
        let mut b = sample();
        b.hostile.huge_class_data_counts = Some(0);
        let bytes = b.build();
        let dex = DexFile::parse(&bytes).unwrap();
        let e = dex.class_data(&dex.class_def(0).unwrap()).unwrap_err();
        assert!(
            matches!(
                e,
                DexError::CountTooLarge {
                    what: "class_data",
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn hostile_insns_and_truncation() {
        let mut b = sample();
        b.hostile.first_insns_size = Some(0x7fff_ffff);
        let bytes = b.build();
        let dex = DexFile::parse(&bytes).unwrap();
        let data = dex.class_data(&dex.class_def(0).unwrap()).unwrap();
        let errs = data
            .methods
            .iter()
            .filter(|m| dex.code_item(m.method_idx, m.code_off).is_err())
            .count();
        assert_eq!(errs, 1);
        // Every truncation point: no panic, and parse either fails or yields usable data.
        let full = sample().build();
        for n in 0..full.len() {
            let cut = full.get(..n).unwrap();
            if let Ok(dex) = DexFile::parse(cut) {
                for def in dex.class_defs().flatten() {
                    if let Ok(d) = dex.class_data(&def) {
                        for m in d.methods {
                            if let Ok(Some(c)) = dex.code_item(m.method_idx, m.code_off) {
                                c.instructions().for_each(drop);
                            }
                        }
                    }
                    let _ = dex.type_descriptor(def.class_idx).map(|s| s.as_str());
                }
            }
        }
    }

    #[test]
    fn strings_mutf8() {
        let mut b = sample();
        b.strings = vec![
            "nul\0inside".into(),
            "emoji \u{1F600}".into(),
            "caf\u{e9}".into(),
        ];
        b.hostile.raw_strings = vec![vec![b'x', 0xFF, b'y']];
        let bytes = b.build();
        let dex = DexFile::parse(&bytes).unwrap();
        let all: Vec<DexStr<'_>> = (0..dex.string_count())
            .map(|i| dex.string(i).unwrap())
            .collect();
        let decoded: Vec<String> = all
            .iter()
            .filter_map(|s| s.decode().ok().map(|c| c.into_owned()))
            .collect();
        assert!(decoded.contains(&"nul\0inside".to_string()));
        assert!(decoded.contains(&"emoji \u{1F600}".to_string()));
        assert!(decoded.contains(&"caf\u{e9}".to_string()));
        let bad = all.last().unwrap();
        assert!(bad.decode().is_err());
        assert_eq!(bad.as_str(), "x\u{FFFD}y");
        // 4-byte UTF-8 for non-BMP is invalid MUTF-8 but still decodes (valid UTF-8 fast path).
        let mut b = sample();
        b.strings = vec!["\u{1F600}".into()];
        b.hostile.non_bmp_as_utf8 = true;
        let bytes = b.build();
        let dex = DexFile::parse(&bytes).unwrap();
        assert!((0..dex.string_count()).any(|i| dex.string(i).unwrap().as_str() == "\u{1F600}"));
    }

    #[test]
    fn leb128() {
        let mut p = 0;
        assert_eq!(read_uleb128(&[0xe5, 0x8e, 0x26], &mut p).unwrap(), 624485);
        assert_eq!(p, 3);
        let mut p = 0;
        assert_eq!(read_sleb128(&[0x7f], &mut p).unwrap(), -1);
        let mut p = 0;
        assert_eq!(read_sleb128(&[0x80, 0x7f], &mut p).unwrap(), -128);
        let mut p = 0;
        assert!(read_uleb128(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x01], &mut p).is_err());
        let mut p = 0;
        assert!(read_uleb128(&[0x80], &mut p).is_err());
    }

    #[test]
    fn adler() {
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
    }
}
