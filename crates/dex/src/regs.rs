//! A register-level view of a method's code, for data-flow passes: which registers each
//! instruction reads and writes and which table entry it names (moves, `move-result`,
//! constants, invokes with their argument registers, field and array reads and writes,
//! `new-instance`, returns and branches). Built from DEX bytecode ([`decode_dex`]) or from
//! the lines of an apktool smali method ([`decode_smali`]); references are [`CodeRef`]-style
//! indices into the defining file's tables (DEX `*_ids`, or the smali file's interned
//! tables), resolved through [`crate::CodeIndex`].

use crate::insn::Instructions;

/// Most instructions decoded per method; the rest are dropped (see [`RegCode::truncated`]).
pub const MAX_REG_INSNS: usize = 1 << 16;

/// What one instruction does to registers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegOp {
    /// `move*` (not `move-result`/`move-exception`): `dst` = `src`.
    Move {
        /// Destination register.
        dst: u16,
        /// Source register.
        src: u16,
    },
    /// `move-result*`: `dst` = the result of the invoke (or `filled-new-array`) before it.
    MoveResult {
        /// Destination register.
        dst: u16,
    },
    /// `const-string*`: `dst` = string `string` of the file.
    ConstString {
        /// Destination register.
        dst: u16,
        /// String index in the file.
        string: u32,
    },
    /// A literal, `const-class`, method handle or type: `dst` = a constant that is not a string.
    Const {
        /// Destination register.
        dst: u16,
    },
    /// `dst` gets a value computed from `srcs` (arithmetic, conversions, `aget`, `instance-of`,
    /// `array-length`).
    Derive {
        /// Destination register.
        dst: u16,
        /// Registers it is computed from (at most two).
        srcs: [Option<u16>; 2],
    },
    /// `dst` gets a fresh value unrelated to any register (`move-exception`, `new-array`).
    Fresh {
        /// Destination register.
        dst: u16,
    },
    /// `new-instance dst, type`.
    NewInstance {
        /// Destination register.
        dst: u16,
        /// Type index in the file.
        ty: u32,
    },
    /// `invoke-*` (`method` is `None` for `invoke-custom`): arguments in order, the receiver
    /// first for non-static calls (wide arguments take two registers, as in the bytecode).
    Invoke {
        /// Method index in the file.
        method: Option<u32>,
        /// `invoke-static`.
        is_static: bool,
        /// Argument registers.
        args: Vec<u16>,
    },
    /// `filled-new-array`: a new array of `args` (its result is read by `move-result`).
    FilledArray {
        /// Element registers.
        args: Vec<u16>,
    },
    /// `iget*` (`obj` set) / `sget*`: `dst` = field `field`.
    FieldGet {
        /// Destination register.
        dst: u16,
        /// Object register, for instance fields.
        obj: Option<u16>,
        /// Field index in the file.
        field: u32,
    },
    /// `iput*` (`obj` set) / `sput*`: field `field` = `src`.
    FieldPut {
        /// Source register.
        src: u16,
        /// Object register, for instance fields.
        obj: Option<u16>,
        /// Field index in the file.
        field: u32,
    },
    /// `aput*`: an element of `array` = `src`.
    ArrayPut {
        /// Source register.
        src: u16,
        /// Array register.
        array: u16,
    },
    /// `return*` (`src` is `None` for `return-void`).
    Return {
        /// Returned register.
        src: Option<u16>,
    },
    /// `goto*`: continue at instruction `target` (an index into [`RegCode::insns`]).
    Goto {
        /// Target instruction index.
        target: u32,
    },
    /// `if-*`: continue at `target` or with the next instruction.
    If {
        /// Target instruction index.
        target: u32,
    },
    /// `throw`: the method leaves (or a handler runs).
    Throw,
    /// Anything else (no register effect the pass tracks).
    Nop,
}

/// The register-level code of one method.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegCode {
    /// Registers of the frame.
    pub registers: u16,
    /// Register of the first incoming argument (`this` for instance methods); arguments fill
    /// the registers from there on, wide ones taking two.
    pub first_arg: u16,
    /// The instructions, in code order.
    pub insns: Vec<RegOp>,
    /// Whether decoding stopped early (bad instruction, or [`MAX_REG_INSNS`]).
    pub truncated: bool,
}

/// Register `A` of format 12x/22c (low nibble of the high byte), `B` (high nibble).
fn nib_a(u0: u16) -> u16 {
    u0 >> 8 & 0xf
}
fn nib_b(u0: u16) -> u16 {
    u0 >> 12
}
fn aa(u0: u16) -> u16 {
    u0 >> 8
}

/// Decodes DEX instructions `insns` of a frame of `registers` registers with `ins` words of
/// arguments. Branch targets are turned into instruction indices (a target that is not the
/// start of an instruction is dropped, the branch kept as an `If` to the next instruction);
/// switches are left as [`RegOp::Nop`] (their cases fall in code order).
pub fn decode_dex(insns: &[u8], registers: u16, ins: u16) -> RegCode {
    let mut pcs: Vec<u32> = Vec::new();
    let mut ops: Vec<(RegOp, Option<i64>)> = Vec::new();
    let mut truncated = false;
    for r in Instructions::new(insns) {
        let Ok(i) = r else {
            truncated = true;
            break;
        };
        if ops.len() >= MAX_REG_INSNS {
            truncated = true;
            break;
        }
        if i.payload.is_some() {
            continue;
        }
        let u0 = i.unit(0);
        let u1 = i.unit(1);
        let u2 = i.unit(2);
        let refidx = i.reference.map(|r| r.idx);
        let pc = i64::from(i.pc);
        let mut target = None;
        let op = match i.opcode {
            0x01 | 0x04 | 0x07 => RegOp::Move {
                dst: nib_a(u0),
                src: nib_b(u0),
            },
            0x02 | 0x05 | 0x08 => RegOp::Move {
                dst: aa(u0),
                src: u1,
            },
            0x03 | 0x06 | 0x09 => RegOp::Move { dst: u1, src: u2 },
            0x0a..=0x0c => RegOp::MoveResult { dst: aa(u0) },
            0x0d => RegOp::Fresh { dst: aa(u0) },
            0x0e => RegOp::Return { src: None },
            0x0f..=0x11 => RegOp::Return { src: Some(aa(u0)) },
            0x12 => RegOp::Const { dst: nib_a(u0) },
            0x13..=0x19 | 0x1c | 0xfe | 0xff => RegOp::Const { dst: aa(u0) },
            0x1a | 0x1b => match refidx {
                Some(string) => RegOp::ConstString {
                    dst: aa(u0),
                    string,
                },
                None => RegOp::Const { dst: aa(u0) },
            },
            0x20 | 0x21 => RegOp::Derive {
                dst: nib_a(u0),
                srcs: [Some(nib_b(u0)), None],
            },
            0x22 => match refidx {
                Some(ty) => RegOp::NewInstance { dst: aa(u0), ty },
                None => RegOp::Fresh { dst: aa(u0) },
            },
            0x23 => RegOp::Fresh { dst: nib_a(u0) },
            0x24 | 0x6e..=0x72 | 0xfa | 0xfc => {
                let n = usize::from(nib_b(u0));
                let all = [u2 & 0xf, u2 >> 4 & 0xf, u2 >> 8 & 0xf, u2 >> 12, nib_a(u0)];
                let args = all.get(..n.min(5)).unwrap_or_default().to_vec();
                match i.opcode {
                    0x24 => RegOp::FilledArray { args },
                    0xfc => RegOp::Invoke {
                        method: None,
                        is_static: true,
                        args,
                    },
                    op => RegOp::Invoke {
                        method: refidx,
                        is_static: op == 0x71,
                        args,
                    },
                }
            }
            0x25 | 0x74..=0x78 | 0xfb | 0xfd => {
                let n = aa(u0);
                let args: Vec<u16> = (0..n).filter_map(|k| u2.checked_add(k)).collect();
                match i.opcode {
                    0x25 => RegOp::FilledArray { args },
                    0xfd => RegOp::Invoke {
                        method: None,
                        is_static: true,
                        args,
                    },
                    op => RegOp::Invoke {
                        method: refidx,
                        is_static: op == 0x77,
                        args,
                    },
                }
            }
            0x27 => RegOp::Throw,
            0x28 => {
                target = Some(pc + i64::from((u0 >> 8) as u8 as i8));
                RegOp::Goto { target: 0 }
            }
            0x29 => {
                target = Some(pc + i64::from(u1 as i16));
                RegOp::Goto { target: 0 }
            }
            0x2a => {
                target = Some(pc + i64::from((u32::from(u1) | u32::from(u2) << 16) as i32));
                RegOp::Goto { target: 0 }
            }
            0x2d..=0x31 => RegOp::Derive {
                dst: aa(u0),
                srcs: [Some(u1 & 0xff), Some(u1 >> 8)],
            },
            0x32..=0x3d => {
                target = Some(pc + i64::from(u1 as i16));
                RegOp::If { target: 0 }
            }
            0x44..=0x4a => RegOp::Derive {
                dst: aa(u0),
                srcs: [Some(u1 & 0xff), None],
            },
            0x4b..=0x51 => RegOp::ArrayPut {
                src: aa(u0),
                array: u1 & 0xff,
            },
            0x52..=0x6d => {
                let field = refidx.unwrap_or(u32::MAX);
                let inst = i.opcode <= 0x5f;
                let (reg, obj) = if inst {
                    (nib_a(u0), Some(nib_b(u0)))
                } else {
                    (aa(u0), None)
                };
                let get = matches!(i.opcode, 0x52..=0x58 | 0x60..=0x66);
                if get {
                    RegOp::FieldGet {
                        dst: reg,
                        obj,
                        field,
                    }
                } else {
                    RegOp::FieldPut {
                        src: reg,
                        obj,
                        field,
                    }
                }
            }
            0x7b..=0x8f => RegOp::Derive {
                dst: nib_a(u0),
                srcs: [Some(nib_b(u0)), None],
            },
            0x90..=0xaf => RegOp::Derive {
                dst: aa(u0),
                srcs: [Some(u1 & 0xff), Some(u1 >> 8)],
            },
            0xb0..=0xcf => RegOp::Derive {
                dst: nib_a(u0),
                srcs: [Some(nib_a(u0)), Some(nib_b(u0))],
            },
            0xd0..=0xd7 => RegOp::Derive {
                dst: nib_a(u0),
                srcs: [Some(nib_b(u0)), None],
            },
            0xd8..=0xe2 => RegOp::Derive {
                dst: aa(u0),
                srcs: [Some(u1 & 0xff), None],
            },
            _ => RegOp::Nop,
        };
        pcs.push(i.pc);
        ops.push((op, target));
    }
    let insns = ops
        .into_iter()
        .enumerate()
        .map(|(k, (op, target))| {
            let Some(t) = target else { return op };
            let idx = u32::try_from(t)
                .ok()
                .and_then(|t| pcs.binary_search(&t).ok())
                .and_then(|i| u32::try_from(i).ok());
            match (op, idx) {
                (RegOp::Goto { .. }, Some(target)) => RegOp::Goto { target },
                (RegOp::If { .. }, Some(target)) => RegOp::If { target },
                // A branch into the middle of an instruction: keep going in code order.
                _ => RegOp::If {
                    target: (k as u32).saturating_add(1),
                },
            }
        })
        .collect();
    RegCode {
        registers,
        first_arg: registers.saturating_sub(ins),
        insns,
        truncated,
    }
}

/// Argument words of a proto `(…)R` (wide `J`/`D` take two), plus one for `this` when not
/// static.
pub fn arg_words(proto: &str, is_static: bool) -> u16 {
    let params = proto
        .strip_prefix('(')
        .and_then(|p| p.split(')').next())
        .unwrap_or("");
    let mut n: u16 = u16::from(!is_static);
    let mut chars = params.chars();
    while let Some(c) = chars.next() {
        match c {
            '[' => {
                // Skip the element type.
                let mut e = chars.next();
                while e == Some('[') {
                    e = chars.next();
                }
                if e == Some('L') {
                    for c in chars.by_ref() {
                        if c == ';' {
                            break;
                        }
                    }
                }
                n = n.saturating_add(1);
            }
            'L' => {
                for c in chars.by_ref() {
                    if c == ';' {
                        break;
                    }
                }
                n = n.saturating_add(1);
            }
            'J' | 'D' => n = n.saturating_add(2),
            _ => n = n.saturating_add(1),
        }
    }
    n
}

/// Parameter types of a proto `(…)R`, one descriptor each (`this` not included).
pub fn param_types(proto: &str) -> Vec<&str> {
    let params = proto
        .strip_prefix('(')
        .and_then(|p| p.split(')').next())
        .unwrap_or("");
    let mut out = Vec::new();
    let mut rest = params;
    while !rest.is_empty() {
        let b = rest.as_bytes();
        let mut end = 0;
        while b.get(end) == Some(&b'[') {
            end += 1;
        }
        end = match b.get(end) {
            Some(b'L') => match rest.get(end..).and_then(|s| s.find(';')) {
                Some(semi) => end + semi + 1,
                None => rest.len(),
            },
            Some(_) => end + 1,
            None => rest.len(),
        };
        out.push(rest.get(..end).unwrap_or(rest));
        rest = rest.get(end..).unwrap_or("");
    }
    out
}

/// One smali line's register operand: `v3` → 3, `p1` → `first_arg + 1`.
fn smali_reg(tok: &str, first_arg: u16) -> Option<u16> {
    let t = tok
        .trim()
        .trim_matches(|c| c == '{' || c == '}' || c == ',');
    if let Some(n) = t.strip_prefix('v') {
        return n.parse().ok();
    }
    if let Some(n) = t.strip_prefix('p') {
        return first_arg.checked_add(n.parse().ok()?);
    }
    None
}

/// The register list of `{v0, v1}` or `{v0 .. v3}`.
fn smali_reg_list(list: &str, first_arg: u16) -> Vec<u16> {
    let inner = list.trim().trim_start_matches('{').trim_end_matches('}');
    if let Some((a, b)) = inner.split_once("..") {
        let (Some(a), Some(b)) = (smali_reg(a, first_arg), smali_reg(b, first_arg)) else {
            return Vec::new();
        };
        // Bounded: a range has at most 255 registers in the bytecode.
        return (a..=b).take(256).collect();
    }
    inner
        .split(',')
        .filter_map(|t| smali_reg(t, first_arg))
        .collect()
}

/// What a smali instruction line references, resolved by the caller into the file's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SmaliRef<'t> {
    /// A string literal (the text after the opening quote, quote included).
    Str(&'t str),
    /// A type descriptor.
    Type(&'t str),
    /// A method reference `Lc;->n(…)R`.
    Method(&'t str),
    /// A field reference `Lc;->n:T`.
    Field(&'t str),
}

/// Decodes the instruction lines of one smali method body (`body`: the text between
/// `.method` and `.end method`), with `resolve` turning a reference into a table index.
/// `is_static` and `proto` locate the `p` registers (after the `.locals`, or the last
/// argument words of `.registers`).
pub(crate) fn decode_smali(
    body: &str,
    is_static: bool,
    proto: &str,
    mut resolve: impl FnMut(SmaliRef<'_>) -> Option<u32>,
) -> RegCode {
    let ins = arg_words(proto, is_static);
    let mut registers = 0u16;
    let mut first_arg = 0u16;
    for line in body.lines() {
        let l = line.trim();
        if let Some(n) = l.strip_prefix(".locals ") {
            let locals: u16 = n.trim().parse().unwrap_or(0);
            first_arg = locals;
            registers = locals.saturating_add(ins);
            break;
        }
        if let Some(n) = l.strip_prefix(".registers ") {
            registers = n.trim().parse().unwrap_or(0);
            first_arg = registers.saturating_sub(ins);
            break;
        }
    }
    let mut labels: Vec<(&str, u32)> = Vec::new();
    let mut ops: Vec<(RegOp, Option<&str>)> = Vec::new();
    let mut truncated = false;
    let mut skip_until: Option<&str> = None;
    let mut depth = 0u32;
    for line in body.lines() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if let Some(end) = skip_until {
            if l.starts_with(end) {
                skip_until = None;
            }
            continue;
        }
        if depth > 0 {
            if l.starts_with(".annotation") || l.starts_with(".subannotation") {
                depth += 1;
            } else if l.starts_with(".end annotation") || l.starts_with(".end subannotation") {
                depth -= 1;
            }
            continue;
        }
        if let Some(label) = l.strip_prefix(':') {
            labels.push((label, ops.len() as u32));
            continue;
        }
        if l.starts_with('.') {
            match l.split_whitespace().next() {
                Some(".annotation") | Some(".subannotation") => depth = 1,
                Some(".packed-switch") => skip_until = Some(".end packed-switch"),
                Some(".sparse-switch") => skip_until = Some(".end sparse-switch"),
                Some(".array-data") => skip_until = Some(".end array-data"),
                _ => {}
            }
            continue;
        }
        if ops.len() >= MAX_REG_INSNS {
            truncated = true;
            break;
        }
        let (head, rest) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
        let rest = rest.trim();
        let reg = |k: usize| -> Option<u16> {
            rest.split(", ")
                .nth(k)
                .and_then(|t| smali_reg(t, first_arg))
        };
        let last = rest.rsplit(", ").next().unwrap_or(rest).trim();
        let mut target = None;
        let op = if head.starts_with("move-result") {
            reg(0).map(|dst| RegOp::MoveResult { dst })
        } else if head == "move-exception" {
            reg(0).map(|dst| RegOp::Fresh { dst })
        } else if head.starts_with("move") {
            reg(0)
                .zip(reg(1))
                .map(|(dst, src)| RegOp::Move { dst, src })
        } else if head == "return-void" {
            Some(RegOp::Return { src: None })
        } else if head.starts_with("return") {
            Some(RegOp::Return { src: reg(0) })
        } else if head.starts_with("const-string") {
            let lit = rest.find('"').and_then(|q| rest.get(q..));
            reg(0).map(|dst| match lit.and_then(|s| resolve(SmaliRef::Str(s))) {
                Some(string) => RegOp::ConstString { dst, string },
                None => RegOp::Const { dst },
            })
        } else if head.starts_with("const") {
            reg(0).map(|dst| RegOp::Const { dst })
        } else if head == "new-instance" {
            reg(0).map(|dst| match resolve(SmaliRef::Type(last)) {
                Some(ty) => RegOp::NewInstance { dst, ty },
                None => RegOp::Fresh { dst },
            })
        } else if head == "new-array" || head == "move-exception" {
            reg(0).map(|dst| RegOp::Fresh { dst })
        } else if head.starts_with("filled-new-array") {
            let list = rest.split_once("}").map_or(rest, |(l, _)| l);
            Some(RegOp::FilledArray {
                args: smali_reg_list(list, first_arg),
            })
        } else if head.starts_with("invoke-") {
            let (list, target_ref) = rest.split_once("}, ").unwrap_or((rest, ""));
            let args = smali_reg_list(list, first_arg);
            let custom = head.starts_with("invoke-custom");
            Some(RegOp::Invoke {
                method: if custom {
                    None
                } else {
                    resolve(SmaliRef::Method(target_ref.trim()))
                },
                is_static: custom || head.starts_with("invoke-static"),
                args,
            })
        } else if head.starts_with("iget") || head.starts_with("sget") {
            let field = resolve(SmaliRef::Field(last)).unwrap_or(u32::MAX);
            reg(0).map(|dst| RegOp::FieldGet {
                dst,
                obj: if head.starts_with('i') { reg(1) } else { None },
                field,
            })
        } else if head.starts_with("iput") || head.starts_with("sput") {
            let field = resolve(SmaliRef::Field(last)).unwrap_or(u32::MAX);
            reg(0).map(|src| RegOp::FieldPut {
                src,
                obj: if head.starts_with('i') { reg(1) } else { None },
                field,
            })
        } else if head.starts_with("aput") {
            reg(0)
                .zip(reg(1))
                .map(|(src, array)| RegOp::ArrayPut { src, array })
        } else if head.starts_with("aget")
            || head == "array-length"
            || head == "instance-of"
            || head.starts_with("neg-")
            || head.starts_with("not-")
            || head.contains("-to-")
        {
            reg(0).map(|dst| RegOp::Derive {
                dst,
                srcs: [reg(1), None],
            })
        } else if head.starts_with("goto") {
            target = last.strip_prefix(':');
            Some(RegOp::Goto { target: 0 })
        } else if head.starts_with("if-") {
            target = last.strip_prefix(':');
            Some(RegOp::If { target: 0 })
        } else if head == "throw" {
            Some(RegOp::Throw)
        } else if head.starts_with("cmp")
            || head.starts_with("add-")
            || head.starts_with("sub-")
            || head.starts_with("mul-")
            || head.starts_with("div-")
            || head.starts_with("rem-")
            || head.starts_with("and-")
            || head.starts_with("or-")
            || head.starts_with("xor-")
            || head.starts_with("shl-")
            || head.starts_with("shr-")
            || head.starts_with("ushr-")
            || head.starts_with("rsub-")
        {
            let two_addr = head.ends_with("/2addr");
            reg(0).map(|dst| RegOp::Derive {
                dst,
                srcs: if two_addr {
                    [Some(dst), reg(1)]
                } else {
                    [reg(1), reg(2)]
                },
            })
        } else {
            None
        };
        ops.push((op.unwrap_or(RegOp::Nop), target));
    }
    labels.sort_unstable();
    let insns = ops
        .into_iter()
        .enumerate()
        .map(|(k, (op, target))| {
            let Some(name) = target else { return op };
            let idx = labels
                .binary_search_by(|(l, _)| l.cmp(&name))
                .ok()
                .and_then(|i| labels.get(i))
                .map(|(_, at)| *at);
            match (op, idx) {
                (RegOp::Goto { .. }, Some(target)) => RegOp::Goto { target },
                (RegOp::If { .. }, Some(target)) => RegOp::If { target },
                _ => RegOp::If {
                    target: (k as u32).saturating_add(1),
                },
            }
        })
        .collect();
    RegCode {
        registers,
        first_arg,
        insns,
        truncated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(units: &[u16]) -> Vec<u8> {
        units.iter().flat_map(|u| u.to_le_bytes()).collect()
    }

    #[test]
    fn dex_registers() {
        let code = bytes(&[
            0x001a, 7,      // const-string v0, string@7
            0x0107, // move-object v1, v0
            0x2070, 3, 0x0021, // invoke-direct {v1, v2}, meth@3
            0x000c, // move-result-object v0
            0x0254, 5, // iget-object v2, v0, field@5
            0x0038, 0xfffa, // if-eqz v0, -6 (to the invoke)
            0x0011, // return-object v0
        ]);
        let rc = decode_dex(&code, 4, 1);
        assert_eq!(rc.first_arg, 3);
        assert_eq!(
            rc.insns,
            vec![
                RegOp::ConstString { dst: 0, string: 7 },
                RegOp::Move { dst: 1, src: 0 },
                RegOp::Invoke {
                    method: Some(3),
                    is_static: false,
                    args: vec![1, 2]
                },
                RegOp::MoveResult { dst: 0 },
                RegOp::FieldGet {
                    dst: 2,
                    obj: Some(0),
                    field: 5
                },
                RegOp::If { target: 2 },
                RegOp::Return { src: Some(0) },
            ]
        );
        assert!(!rc.truncated);
    }

    #[test]
    fn smali_registers() {
        let body = "    .locals 2\n    const-string v0, \"$email\"\n    :goto_0\n    \
                    invoke-virtual {p0, v0, p1}, La;->b(Ljava/lang/String;J)V\n    \
                    invoke-static/range {v0 .. v1}, La;->c(II)V\n    move-result v1\n    \
                    iput-object p1, p0, La;->f:Ljava/lang/String;\n    goto :goto_0\n";
        let rc = decode_smali(body, false, "(J)V", |r| match r {
            SmaliRef::Str(s) => (s == "\"$email\"").then_some(9),
            SmaliRef::Method(m) => Some(m.len() as u32),
            SmaliRef::Field(_) => Some(4),
            SmaliRef::Type(_) => None,
        });
        assert_eq!(rc.first_arg, 2);
        assert_eq!(rc.registers, 5);
        assert_eq!(
            rc.insns,
            vec![
                RegOp::ConstString { dst: 0, string: 9 },
                RegOp::Invoke {
                    method: Some(28),
                    is_static: false,
                    args: vec![2, 0, 3]
                },
                RegOp::Invoke {
                    method: Some(11),
                    is_static: true,
                    args: vec![0, 1]
                },
                RegOp::MoveResult { dst: 1 },
                RegOp::FieldPut {
                    src: 3,
                    obj: Some(2),
                    field: 4
                },
                RegOp::Goto { target: 1 },
            ]
        );
    }

    #[test]
    fn protos() {
        assert_eq!(arg_words("(JLa;[[I[La;D)V", true), 7);
        assert_eq!(arg_words("()V", false), 1);
        assert_eq!(
            param_types("(JLa/B;[[I[La;D)V"),
            vec!["J", "La/B;", "[[I", "[La;", "D"]
        );
    }

    #[test]
    fn hostile_bytes_never_panic() {
        for seed in 0u32..200 {
            let mut x = seed.wrapping_mul(2_654_435_761);
            let units: Vec<u16> = (0..40)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    x as u16
                })
                .collect();
            let _ = decode_dex(&bytes(&units), u16::MAX, u16::MAX);
        }
        let _ = decode_smali(
            "invoke-static/range {v0 .. v65535}, La;->b()V\nif-eqz v0, :nowhere\nmove\n",
            true,
            "(",
            |_| None,
        );
    }
}
