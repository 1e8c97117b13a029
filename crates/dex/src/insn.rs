//! Dalvik instruction walker: widths from the bytecode format table, references decoded.

use crate::DexError;

/// What a reference operand points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RefKind {
    /// `string_ids` (const-string, const-string/jumbo).
    String,
    /// `type_ids` (const-class, new-instance, check-cast, instance-of, new-array, filled-new-array).
    Type,
    /// `field_ids` (iget*/iput*/sget*/sput*).
    Field,
    /// `method_ids` (invoke-*, invoke-polymorphic).
    Method,
    /// `call_site_ids` (invoke-custom).
    CallSite,
    /// `method_handles` (const-method-handle).
    MethodHandle,
    /// `proto_ids` (const-method-type).
    Proto,
}

/// A reference operand of one instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CodeRef {
    /// Which table.
    pub kind: RefKind,
    /// Index into it.
    pub idx: u32,
}

/// Instruction format: width in code units and where the reference sits.
#[derive(Clone, Copy)]
enum Fmt {
    /// Width only, no reference.
    W(u8),
    /// 16-bit reference in unit 1; width.
    R16(u8, RefKind),
    /// 32-bit reference in units 1–2 (31c); width 3.
    R32(RefKind),
}

const fn format(op: u8) -> Fmt {
    use Fmt::*;
    use RefKind as K;
    match op {
        0x00..=0x01 | 0x04 | 0x07 | 0x0a..=0x12 | 0x1d | 0x1e | 0x21 | 0x27 | 0x28 => W(1),
        0x02 | 0x05 | 0x08 | 0x13 | 0x15 | 0x16 | 0x19 | 0x29 => W(2),
        0x03 | 0x06 | 0x09 | 0x14 | 0x17 | 0x26 | 0x2a | 0x2b | 0x2c => W(3),
        0x18 => W(5),
        0x1a => R16(2, K::String),
        0x1b => R32(K::String),
        0x1c | 0x1f | 0x20 | 0x22 | 0x23 => R16(2, K::Type),
        0x24 | 0x25 => R16(3, K::Type),
        0x2d..=0x3d => W(2),
        0x3e..=0x43 => W(1),
        0x44..=0x51 => W(2),
        0x52..=0x6d => R16(2, K::Field),
        0x6e..=0x72 | 0x74..=0x78 => R16(3, K::Method),
        0x73 | 0x79 | 0x7a => W(1),
        0x7b..=0x8f => W(1),
        0x90..=0xaf => W(2),
        0xb0..=0xcf => W(1),
        0xd0..=0xe2 => W(2),
        0xe3..=0xf9 => W(1),
        0xfa | 0xfb => R16(4, K::Method),
        0xfc | 0xfd => R16(3, K::CallSite),
        0xfe => R16(2, K::MethodHandle),
        0xff => R16(2, K::Proto),
    }
}

/// One decoded instruction (or payload pseudo-instruction).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Insn<'a> {
    /// Code-unit offset inside the method.
    pub pc: u32,
    /// Opcode (low byte of the first unit); payloads report 0x00 (`nop`) with
    /// [`Insn::payload`] set.
    pub opcode: u8,
    /// For pseudo-instructions, the payload ident (0x0100, 0x0200 or 0x0300).
    pub payload: Option<u16>,
    /// The instruction's code units, as bytes.
    pub units: &'a [u8],
    /// The reference operand, if the opcode has one.
    pub reference: Option<CodeRef>,
}

impl Insn<'_> {
    /// Code unit `i` of the instruction (0 when absent).
    pub fn unit(&self, i: usize) -> u16 {
        match self.units.get(i * 2..i * 2 + 2) {
            Some(&[a, b]) => u16::from_le_bytes([a, b]),
            _ => 0,
        }
    }

    /// Register A of formats 11n/11x/21c/… (the byte after the opcode, or its low nibble for 11n/12x).
    pub fn a8(&self) -> u8 {
        (self.unit(0) >> 8) as u8
    }

    /// For `const/4`, `const/16`, `const`, `const/high16`: (destination register, value).
    pub fn const_value(&self) -> Option<(u16, i64)> {
        let u0 = self.unit(0);
        match self.opcode {
            0x12 => Some((u0 >> 8 & 0xf, i64::from(((u0 >> 8) as i8) >> 4))),
            0x13 => Some((u0 >> 8, i64::from(self.unit(1) as i16))),
            0x14 => Some((
                u0 >> 8,
                i64::from((u32::from(self.unit(1)) | u32::from(self.unit(2)) << 16) as i32),
            )),
            0x15 => Some((u0 >> 8, i64::from(((u32::from(self.unit(1))) << 16) as i32))),
            _ => None,
        }
    }

    /// The literal operand of a `binop/lit16` (0xd0–0xd7, format 22s) or `binop/lit8`
    /// (0xd8–0xe2, format 22b) instruction, sign-extended. A compiler that optimises
    /// writes `x * 42` as `mul-int/lit8`, one that does not as `const/16` + `mul-int`: the
    /// literal here is the constant [`Insn::const_value`] gives for the second form.
    pub fn literal(&self) -> Option<i64> {
        match self.opcode {
            0xd0..=0xd7 => Some(i64::from(self.unit(1) as i16)),
            0xd8..=0xe2 => Some(i64::from((self.unit(1) >> 8) as u8 as i8)),
            _ => None,
        }
    }
}

/// Iterator over the instructions of one method, in order. Stops after the first error
/// (an instruction running off the end); never panics.
#[derive(Debug, Clone)]
pub struct Instructions<'a> {
    insns: &'a [u8],
    pc: usize,
    failed: bool,
}

impl<'a> Instructions<'a> {
    /// Walks `insns` (the bytes of a `code_item`'s instructions).
    pub fn new(insns: &'a [u8]) -> Self {
        Instructions {
            insns,
            pc: 0,
            failed: false,
        }
    }

    fn unit(&self, i: usize) -> Option<u16> {
        let p = i.checked_mul(2)?;
        match self.insns.get(p..p.checked_add(2)?) {
            Some(&[a, b]) => Some(u16::from_le_bytes([a, b])),
            _ => None,
        }
    }
}

impl<'a> Iterator for Instructions<'a> {
    type Item = Result<Insn<'a>, DexError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let total = self.insns.len() / 2;
        if self.pc >= total {
            return None;
        }
        let pc = self.pc;
        let u0 = self.unit(pc)?;
        let op = (u0 & 0xff) as u8;
        let fail = |me: &mut Self, reason| {
            me.failed = true;
            Some(Err(DexError::BadInstruction {
                pc: pc as u32,
                opcode: u0,
                reason,
            }))
        };
        // Payload pseudo-instructions.
        let payload_width: Option<u64> = match u0 {
            0x0100 => self.unit(pc + 1).map(|n| 4 + u64::from(n) * 2),
            0x0200 => self.unit(pc + 1).map(|n| 2 + u64::from(n) * 4),
            0x0300 => match (self.unit(pc + 1), self.unit(pc + 2), self.unit(pc + 3)) {
                (Some(w), Some(lo), Some(hi)) => {
                    let n = u64::from(lo) | u64::from(hi) << 16;
                    Some(4 + (n * u64::from(w)).div_ceil(2))
                }
                _ => None,
            },
            _ => Some(0),
        };
        let (width, reference, payload) = match payload_width {
            None => return fail(self, "payload header runs off the end"),
            Some(w) if w > 0 => (w, None, Some(u0)),
            Some(_) => match format(op) {
                Fmt::W(w) => (u64::from(w), None, None),
                Fmt::R16(w, kind) => {
                    let idx = self.unit(pc + 1).map(u32::from);
                    (u64::from(w), idx.map(|idx| CodeRef { kind, idx }), None)
                }
                Fmt::R32(kind) => {
                    let idx = match (self.unit(pc + 1), self.unit(pc + 2)) {
                        (Some(lo), Some(hi)) => Some(u32::from(lo) | u32::from(hi) << 16),
                        _ => None,
                    };
                    (3, idx.map(|idx| CodeRef { kind, idx }), None)
                }
            },
        };
        let end = pc as u64 + width;
        if end > total as u64 {
            return fail(self, "instruction runs off the end of insns");
        }
        let units = self.insns.get(pc * 2..end as usize * 2).unwrap_or_default();
        self.pc = end as usize;
        Some(Ok(Insn {
            pc: pc as u32,
            opcode: if payload.is_some() { 0 } else { op },
            payload,
            units,
            reference,
        }))
    }
}

/// Width in code units of each opcode (payloads aside) and the table its reference points
/// into (`None` for no reference), from [`format`]: one table lookup per instruction.
const OPS: [(u8, Option<RefKind>, bool); 256] = {
    let mut t = [(1u8, None, false); 256];
    let mut op = 0usize;
    while op < 256 {
        t[op] = match format(op as u8) {
            Fmt::W(w) => (w, None, false),
            Fmt::R16(w, k) => (w, Some(k), false),
            Fmt::R32(k) => (3, Some(k), true),
        };
        op += 1;
    }
    t
};

/// Calls `f(pc, reference)` for every reference operand of `insns`, in order: what
/// [`Instructions`] yields as [`Insn::reference`], without building an [`Insn`] per
/// instruction (the code index walks every instruction of the app; this loop is its hot
/// path). Stops at the first instruction that runs off the end, with the same error
/// [`Instructions`] gives, after reporting the references before it.
pub fn for_each_ref(insns: &[u8], mut f: impl FnMut(u32, CodeRef)) -> Result<(), DexError> {
    let total = insns.len() / 2;
    let unit = |i: usize| -> Option<u16> {
        match insns.get(i.checked_mul(2)?..i.checked_mul(2)?.checked_add(2)?) {
            Some(&[a, b]) => Some(u16::from_le_bytes([a, b])),
            _ => None,
        }
    };
    let mut pc = 0usize;
    while pc < total {
        let Some(u0) = unit(pc) else { break };
        let op = (u0 & 0xff) as u8;
        let fail = |reason| DexError::BadInstruction {
            pc: pc as u32,
            opcode: u0,
            reason,
        };
        if op == 0 && u0 != 0 {
            // Possibly a payload pseudo-instruction (rare): same widths as `Instructions`.
            let w: Option<u64> = match u0 {
                0x0100 => unit(pc + 1).map(|n| 4 + u64::from(n) * 2),
                0x0200 => unit(pc + 1).map(|n| 2 + u64::from(n) * 4),
                0x0300 => match (unit(pc + 1), unit(pc + 2), unit(pc + 3)) {
                    (Some(w), Some(lo), Some(hi)) => {
                        let n = u64::from(lo) | u64::from(hi) << 16;
                        Some(4 + (n * u64::from(w)).div_ceil(2))
                    }
                    _ => None,
                },
                _ => Some(1),
            };
            let Some(w) = w else {
                return Err(fail("payload header runs off the end"));
            };
            let end = pc as u64 + w;
            if end > total as u64 {
                return Err(fail("instruction runs off the end of insns"));
            }
            pc = end as usize;
            continue;
        }
        let (w, kind, wide) = OPS[op as usize];
        // `pc < total <= usize::MAX / 2` and `w <= 5`: no overflow.
        let end = pc + usize::from(w);
        if end > total {
            return Err(fail("instruction runs off the end of insns"));
        }
        if let Some(kind) = kind {
            // The operand units lie inside the instruction, which is inside `insns`.
            let b = pc * 2;
            let operand = if wide {
                match insns.get(b + 2..b + 6) {
                    Some(&[a, c, d, e]) => Some(u32::from_le_bytes([a, c, d, e])),
                    _ => None,
                }
            } else {
                match insns.get(b + 2..b + 4) {
                    Some(&[a, c]) => Some(u32::from(u16::from_le_bytes([a, c]))),
                    _ => None,
                }
            };
            if let Some(idx) = operand {
                f(pc as u32, CodeRef { kind, idx });
            }
        }
        pc = end;
    }
    Ok(())
}

/// The shape of a method body, as a pinning detector needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// Abstract or native: no code.
    NoCode,
    /// The body is a single `return-void`.
    ReturnVoidOnly,
    /// The body is `const* vA, N` followed by `return vA` (e.g. `return true`).
    ReturnsConst(i64),
    /// Anything else.
    Other,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    fn bytes(units: &[u16]) -> Vec<u8> {
        units.iter().flat_map(|u| u.to_le_bytes()).collect()
    }

    /// `for_each_ref` reports exactly the references `Instructions` yields, and the same
    /// error, on arbitrary code units.
    fn same_as_walker(code: &[u8]) {
        let mut slow = Vec::new();
        let mut slow_err = None;
        for i in Instructions::new(code) {
            match i {
                Ok(i) => slow.extend(i.reference.map(|r| (i.pc, r))),
                Err(e) => slow_err = Some(e.to_string()),
            }
        }
        let mut fast = Vec::new();
        let fast_err = for_each_ref(code, |pc, r| fast.push((pc, r)))
            .err()
            .map(|e| e.to_string());
        assert_eq!(fast, slow);
        assert_eq!(fast_err, slow_err);
    }

    proptest::proptest! {
        #[test]
        fn for_each_ref_equals_instructions(units in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::prelude::any::<u16>(),
                (0u16..3).prop_map(|k| (k + 1) << 8),
                (0x1au16..0x1c).prop_map(|op| op | 0x0100),
                (0x6eu16..0x79).prop_map(|op| op | 0x2000),
            ],
            0..64,
        ), odd in proptest::prelude::any::<bool>()) {
            let mut code: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
            if odd {
                code.push(0x1a);
            }
            same_as_walker(&code);
        }
    }

    #[test]
    fn walks_refs_and_payloads() {
        let code = bytes(&[
            0x001a, 7, // const-string v0, string@7
            0x001b, 0x0002, 0x0001, // const-string/jumbo v0, string@0x10002
            0x106e, 3, 0x0000, // invoke-virtual {v0}, meth@3
            0x0012, // const/4 v0, 0
            0x0060, 5, // sget v0, field@5
            0x00fa, 9, 0, 4, // invoke-polymorphic meth@9 proto@4
            0x00fc, 2, 0,      // invoke-custom call_site@2
            0x000e, // return-void
            0x0100, 2, 0, 0, 1, 0, 2, 0, // packed-switch-payload size 2
            0x0200, 1, 0, 0, 0, 0, // sparse-switch size 1
            0x0300, 1, 3, 0, 0x0201, 0x0003, // fill-array-data width 1 size 3
        ]);
        let v: Vec<_> = Instructions::new(&code).map(|r| r.unwrap()).collect();
        let refs: Vec<_> = v.iter().filter_map(|i| i.reference).collect();
        assert_eq!(
            refs,
            vec![
                CodeRef {
                    kind: RefKind::String,
                    idx: 7
                },
                CodeRef {
                    kind: RefKind::String,
                    idx: 0x10002
                },
                CodeRef {
                    kind: RefKind::Method,
                    idx: 3
                },
                CodeRef {
                    kind: RefKind::Field,
                    idx: 5
                },
                CodeRef {
                    kind: RefKind::Method,
                    idx: 9
                },
                CodeRef {
                    kind: RefKind::CallSite,
                    idx: 2
                },
            ]
        );
        assert_eq!(v.len(), 11);
        assert_eq!(v[3].const_value(), Some((0, 0)));
        assert_eq!(v.last().unwrap().payload, Some(0x0300));
    }

    #[test]
    fn truncated_is_error_not_panic() {
        let code = bytes(&[0x000e, 0x106e, 3]);
        let v: Vec<_> = Instructions::new(&code).collect();
        assert_eq!(v.len(), 2);
        let e = v[1].clone().unwrap_err();
        assert_eq!(
            e.to_string(),
            "instruction 0x106e at pc 0x1: instruction runs off the end of insns"
        );
        // Huge payload sizes don't overflow.
        let code = bytes(&[0x0300, 0xffff, 0xffff, 0xffff]);
        assert!(Instructions::new(&code).next().unwrap().is_err());
    }

    #[test]
    fn const4_sign() {
        let code = bytes(&[0xf012, 0x1112]);
        let v: Vec<_> = Instructions::new(&code).map(|r| r.unwrap()).collect();
        assert_eq!(v[0].const_value(), Some((0, -1)));
        assert_eq!(v[1].const_value(), Some((1, 1)));
    }

    #[test]
    fn literal_operands() {
        let code = bytes(&[
            0x10d2, 0x03e8, // mul-int/lit16 v0, v1, #+1000
            0x00d0, 0xff9c, // add-int/lit16 v0, v0, #-100
            0x00da, 0x2a01, // mul-int/lit8 v0, v1, #+42
            0x00d8, 0xfb01, // add-int/lit8 v0, v1, #-5
            0x00e2, 0x1f01, // ushr-int/lit8 v0, v1, #+31
            0x0190, 0x0302, // add-int v1, v2, v3
        ]);
        let v: Vec<_> = Instructions::new(&code).map(|r| r.unwrap()).collect();
        let lits: Vec<_> = v.iter().map(|i| i.literal()).collect();
        assert_eq!(
            lits,
            vec![Some(1000), Some(-100), Some(42), Some(-5), Some(31), None]
        );
        assert!(v.iter().all(|i| i.const_value().is_none()));
    }
}
