//! The parser's error type: a cheap enum carrying the offset and what was wrong.

use core::fmt;

/// Everything that can go wrong while reading a DEX file.
///
/// Every variant carries the structure it was reading and the offset, so a message such as
/// `class_def 17 class_data_off 0x9f000 beyond end (size 0x8000)` can be printed. The caller
/// prefixes the file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DexError {
    /// The first 8 bytes are not `dex\n0NN\0` with a known version (035–041).
    BadMagic([u8; 8]),
    /// The input ends before a structure does.
    Truncated {
        /// Which structure was being read.
        what: &'static str,
        /// Offset it starts at.
        offset: u64,
        /// Bytes it needs.
        len: u64,
        /// Size of the input.
        size: u64,
    },
    /// An offset field of an item points outside the file.
    OffsetBeyond {
        /// The table the item belongs to, e.g. `class_def`.
        what: &'static str,
        /// The item's index in its table.
        item: u32,
        /// The offending field, e.g. `class_data_off`.
        field: &'static str,
        /// The value of the field.
        offset: u32,
        /// Size of the input.
        size: u64,
    },
    /// An index into an id table is out of range.
    IndexOutOfRange {
        /// The table, e.g. `string_ids`.
        what: &'static str,
        /// The index asked for.
        index: u32,
        /// The number of entries in the table.
        count: u32,
    },
    /// A uleb128/sleb128 value is longer than 5 bytes or runs off the end.
    BadLeb128 {
        /// Offset where the value starts.
        offset: u64,
    },
    /// A count read from the input cannot fit in the bytes left.
    CountTooLarge {
        /// Which count.
        what: &'static str,
        /// The count read.
        count: u64,
        /// Offset of the structure.
        offset: u64,
        /// Bytes left after the offset.
        left: u64,
    },
    /// A MUTF-8 string is malformed (or lacks its terminating NUL).
    BadMutf8 {
        /// Offset of the bad byte.
        offset: u64,
        /// What was wrong.
        reason: &'static str,
    },
    /// The file uses the byte-swapped endian tag, which no Android runtime supports.
    UnsupportedEndian(u32),
    /// A smali file is malformed (no `.class`, bad reference syntax, …).
    BadSmali {
        /// 1-based line number.
        line: u32,
        /// What was wrong.
        reason: &'static str,
    },
    /// An instruction is malformed or runs off the end of its method's `insns`.
    BadInstruction {
        /// Code unit index (pc) inside the method.
        pc: u32,
        /// The opcode (or payload ident for pseudo-instructions).
        opcode: u16,
        /// What was wrong.
        reason: &'static str,
    },
    /// An `encoded_value` (static values, call sites) is malformed.
    BadEncodedValue {
        /// Offset of the value's header byte.
        offset: u64,
        /// What was wrong.
        reason: &'static str,
    },
}

impl fmt::Display for DexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DexError::BadMagic(m) => {
                write!(f, "bad magic \"{}\"", m.escape_ascii())
            }
            DexError::Truncated {
                what,
                offset,
                len,
                size,
            } => write!(
                f,
                "{what} at {offset:#x} (length {len:#x}) beyond end (size {size:#x})"
            ),
            DexError::OffsetBeyond {
                what,
                item,
                field,
                offset,
                size,
            } => write!(
                f,
                "{what} {item} {field} {offset:#x} beyond end (size {size:#x})"
            ),
            DexError::IndexOutOfRange { what, index, count } => {
                write!(f, "{what} index {index} out of range (count {count})")
            }
            DexError::BadLeb128 { offset } => write!(f, "bad leb128 at {offset:#x}"),
            DexError::CountTooLarge {
                what,
                count,
                offset,
                left,
            } => write!(
                f,
                "{what} count {count} at {offset:#x} does not fit in the {left} bytes left"
            ),
            DexError::BadMutf8 { offset, reason } => {
                write!(f, "bad MUTF-8 at {offset:#x}: {reason}")
            }
            DexError::UnsupportedEndian(t) => write!(f, "unsupported endian tag {t:#010x}"),
            DexError::BadSmali { line, reason } => write!(f, "line {line}: {reason}"),
            DexError::BadInstruction { pc, opcode, reason } => {
                write!(f, "instruction {opcode:#04x} at pc {pc:#x}: {reason}")
            }
            DexError::BadEncodedValue { offset, reason } => {
                write!(f, "encoded_value at {offset:#x}: {reason}")
            }
        }
    }
}

impl std::error::Error for DexError {}
