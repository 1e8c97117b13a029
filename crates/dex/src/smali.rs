//! apktool smali input: one `.smali` file (one class) parsed into the same shape the code
//! index keeps for a DEX file — interned string/type/method/field tables and per-method
//! references in instruction order — so smali trees and DEX files feed one [`crate::CodeIndex`].
//!
//! Reference syntax (`Lcom/foo;->name(I)V`, `Lcom/foo;->f:I`, type descriptors) is parsed
//! with `nom`; lines are classified by their first token. Unknown directives are skipped with
//! a warning.

use std::borrow::Cow;
use std::collections::HashMap;

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till1, take_until, take_while};
use nom::character::complete::{char, one_of};
use nom::combinator::recognize;
use nom::sequence::{delimited, terminated};
use nom::{IResult, Parser};

use crate::insn::{BodyKind, CodeRef, RefKind};
use crate::DexError;

/// A method defined in a smali file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SmaliMethod {
    pub(crate) method_idx: u32,
    pub(crate) access_flags: u32,
    pub(crate) has_code: bool,
    pub(crate) insns: u32,
    pub(crate) refs: (u32, u32),
    pub(crate) body: BodyKind,
    /// Byte range of the method's lines (after `.method`, before `.end method`) in the text.
    pub(crate) text: (usize, usize),
}

/// A field defined in a smali file (`.field` line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SmaliField<'a> {
    /// Index into [`SmaliFile::fields`].
    pub(crate) field_idx: u32,
    pub(crate) access_flags: u32,
    /// The `= "…"` initial value of a static field, when it is a string literal.
    pub(crate) string_value: Option<Cow<'a, str>>,
}

/// One parsed smali class with its interned tables.
#[derive(Debug, Clone, Default)]
pub(crate) struct SmaliFile<'a> {
    pub(crate) class_type: u32,
    pub(crate) access_flags: u32,
    pub(crate) superclass: Option<u32>,
    pub(crate) interfaces: Vec<u32>,
    pub(crate) strings: Vec<Cow<'a, str>>,
    pub(crate) types: Vec<&'a str>,
    /// (class type index, name, proto).
    pub(crate) methods: Vec<(u32, &'a str, &'a str)>,
    /// (class type index, name, type descriptor).
    pub(crate) fields: Vec<(u32, &'a str, &'a str)>,
    pub(crate) defined: Vec<SmaliMethod>,
    /// Fields defined by the class, in file order.
    pub(crate) defined_fields: Vec<SmaliField<'a>>,
    pub(crate) refs: Vec<CodeRef>,
    pub(crate) warnings: Vec<String>,
    pub(crate) len: usize,
    /// The file's text (method bodies are re-read by [`crate::regs`]).
    pub(crate) text: &'a str,
    pub(crate) type_map: HashMap<&'a str, u32>,
    pub(crate) method_map: HashMap<(u32, &'a str, &'a str), u32>,
    pub(crate) field_map: HashMap<(u32, &'a str, &'a str), u32>,
    pub(crate) string_map: HashMap<Cow<'a, str>, u32>,
}

/// A type descriptor: `[`* then `L…;` or one primitive letter.
pub(crate) fn type_desc(i: &str) -> IResult<&str, &str> {
    recognize((
        take_while(|c| c == '['),
        alt((
            recognize((char('L'), take_until(";"), char(';'))),
            recognize(one_of("VZBSCIJFD")),
        )),
    ))
    .parse(i)
}

/// `Lcls;->name(params)ret` → (class, name, proto).
pub(crate) fn method_ref(i: &str) -> IResult<&str, (&str, &str, &str)> {
    let (i, class) = terminated(type_desc, tag("->")).parse(i)?;
    let (i, name) = take_till1(|c| c == '(').parse(i)?;
    let (i, proto) = recognize((
        delimited(char('('), take_while(|c| c != ')'), char(')')),
        type_desc,
    ))
    .parse(i)?;
    Ok((i, (class, name, proto)))
}

/// `Lcls;->name:Type` → (class, name, type).
pub(crate) fn field_ref(i: &str) -> IResult<&str, (&str, &str, &str)> {
    let (i, class) = terminated(type_desc, tag("->")).parse(i)?;
    let (i, name) = terminated(take_till1(|c| c == ':'), char(':')).parse(i)?;
    let (i, ty) = type_desc(i)?;
    Ok((i, (class, name, ty)))
}

fn access_flag(word: &str) -> Option<u32> {
    Some(match word {
        "public" => 0x1,
        "private" => 0x2,
        "protected" => 0x4,
        "static" => 0x8,
        "final" => 0x10,
        "synchronized" => 0x20,
        "volatile" | "bridge" => 0x40,
        "transient" | "varargs" => 0x80,
        "native" => 0x100,
        "interface" => 0x200,
        "abstract" => 0x400,
        "strictfp" => 0x800,
        "synthetic" => 0x1000,
        "annotation" => 0x2000,
        "enum" => 0x4000,
        "constructor" => 0x10000,
        "declared-synchronized" => 0x20000,
        _ => return None,
    })
}

/// Splits `flags… last` into (flags, last word).
fn flags_and_last(rest: &str) -> (u32, Option<&str>) {
    let mut flags = 0;
    let mut last = None;
    for w in rest.split_whitespace() {
        match access_flag(w) {
            Some(f) => flags |= f,
            None => last = Some(w),
        }
    }
    (flags, last)
}

/// Parses a smali string literal body (after the opening quote); returns the value.
pub(crate) fn string_literal(s: &str) -> Option<Cow<'_, str>> {
    let body = s.strip_prefix('"')?;
    if let Some(end) = body.find(['"', '\\']) {
        if body.get(end..end + 1) == Some("\"") {
            return body.get(..end).map(Cow::Borrowed);
        }
    }
    let mut units: Vec<u16> = Vec::new();
    let mut chars = body.chars();
    let mut buf = [0u16; 2];
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(Cow::Owned(String::from_utf16_lossy(&units))),
            '\\' => {
                let e = chars.next()?;
                let v: u16 = match e {
                    'n' => 10,
                    't' => 9,
                    'r' => 13,
                    'b' => 8,
                    'f' => 12,
                    '0' => 0,
                    'u' => {
                        let hex: String = chars.by_ref().take(4).collect();
                        u16::from_str_radix(&hex, 16).ok()?
                    }
                    other => {
                        units.extend_from_slice(other.encode_utf16(&mut buf));
                        continue;
                    }
                };
                units.push(v);
            }
            other => units.extend_from_slice(other.encode_utf16(&mut buf)),
        }
    }
    None
}

fn parse_int(s: &str) -> Option<i64> {
    let s = s.trim().trim_end_matches(['L', 't', 's']);
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let v = match s.strip_prefix("0x") {
        Some(h) => i64::from_str_radix(h, 16).ok()?,
        None => s.parse().ok()?,
    };
    Some(if neg { -v } else { v })
}

impl<'a> SmaliFile<'a> {
    fn intern_type(&mut self, t: &'a str) -> u32 {
        if let Some(&i) = self.type_map.get(t) {
            return i;
        }
        let i = self.types.len() as u32;
        self.types.push(t);
        self.type_map.insert(t, i);
        i
    }

    fn intern_method(&mut self, (c, n, p): (&'a str, &'a str, &'a str)) -> u32 {
        let ct = self.intern_type(c);
        let key = (ct, n, p);
        if let Some(&i) = self.method_map.get(&key) {
            return i;
        }
        let i = self.methods.len() as u32;
        self.methods.push(key);
        self.method_map.insert(key, i);
        i
    }

    fn intern_field(&mut self, (c, n, t): (&'a str, &'a str, &'a str)) -> u32 {
        let ct = self.intern_type(c);
        let key = (ct, n, t);
        if let Some(&i) = self.field_map.get(&key) {
            return i;
        }
        let i = self.fields.len() as u32;
        self.fields.push(key);
        self.field_map.insert(key, i);
        i
    }

    fn intern_string(&mut self, s: Cow<'a, str>) -> u32 {
        if let Some(&i) = self.string_map.get(&s) {
            return i;
        }
        let i = self.strings.len() as u32;
        self.strings.push(s.clone());
        self.string_map.insert(s, i);
        i
    }
}

/// Parses one smali file. `Err` only when there is no usable `.class` line.
pub(crate) fn parse_smali(text: &str) -> Result<SmaliFile<'_>, DexError> {
    let mut f = SmaliFile {
        len: text.len(),
        text,
        ..SmaliFile::default()
    };
    let mut have_class = false;
    // Current method: (method index, flags, first two instructions, instruction count, refs start).
    struct Cur<'t> {
        idx: u32,
        flags: u32,
        first: Vec<&'t str>,
        insns: u32,
        refs_start: u32,
        text_start: usize,
    }
    let mut cur: Option<Cur<'_>> = None;
    let mut skip_until: Option<&'static str> = None;
    let mut depth = 0u32;
    for (ln, raw) in text.lines().enumerate() {
        let line_no = ln as u32 + 1;
        // `lines` yields slices of `text`: the offset of this line in it.
        let at = (raw.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(':') {
            continue;
        }
        if let Some(end) = skip_until {
            if line.starts_with(end) {
                skip_until = None;
            }
            continue;
        }
        if depth > 0 {
            if line.starts_with(".annotation") || line.starts_with(".subannotation") {
                depth += 1;
            } else if line.starts_with(".end annotation") || line.starts_with(".end subannotation")
            {
                depth -= 1;
            }
            continue;
        }
        let (head, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        if head.starts_with('.') {
            match head {
                ".class" => {
                    let (flags, last) = flags_and_last(rest);
                    let Some(Ok((_, d))) = last.map(type_desc) else {
                        return Err(DexError::BadSmali {
                            line: line_no,
                            reason: "bad .class line",
                        });
                    };
                    f.class_type = f.intern_type(d);
                    f.access_flags = flags;
                    have_class = true;
                }
                ".super" => match type_desc(rest) {
                    Ok((_, d)) => f.superclass = Some(f.intern_type(d)),
                    Err(_) => f.warnings.push(format!("line {line_no}: bad .super")),
                },
                ".implements" => match type_desc(rest) {
                    Ok((_, d)) => {
                        let t = f.intern_type(d);
                        f.interfaces.push(t);
                    }
                    Err(_) => f.warnings.push(format!("line {line_no}: bad .implements")),
                },
                ".method" => {
                    if !have_class {
                        return Err(DexError::BadSmali {
                            line: line_no,
                            reason: ".method before .class",
                        });
                    }
                    let (flags, last) = flags_and_last(rest);
                    let Some(sig) = last else {
                        f.warnings
                            .push(format!("line {line_no}: .method without a name"));
                        continue;
                    };
                    let class = f
                        .types
                        .get(f.class_type as usize)
                        .copied()
                        .unwrap_or_default();
                    let parsed = (|| -> Option<(&str, &str)> {
                        let (name, proto_part) = sig.split_at(sig.find('(')?);
                        let (left, proto) = recognize((
                            delimited(char('('), take_while(|c| c != ')'), char(')')),
                            type_desc,
                        ))
                        .parse(proto_part)
                        .ok()?;
                        left.is_empty().then_some((name, proto))
                    })();
                    let Some((name, proto)) = parsed else {
                        f.warnings
                            .push(format!("line {line_no}: bad .method signature {sig}"));
                        continue;
                    };
                    let idx = f.intern_method((class, name, proto));
                    cur = Some(Cur {
                        idx,
                        flags,
                        first: Vec::new(),
                        insns: 0,
                        refs_start: f.refs.len() as u32,
                        text_start: at.saturating_add(raw.len()),
                    });
                }
                ".end" if rest == "method" => {
                    if let Some(c) = cur.take() {
                        let body = smali_body(&c.first, c.insns);
                        f.defined.push(SmaliMethod {
                            method_idx: c.idx,
                            access_flags: c.flags,
                            has_code: c.insns > 0,
                            insns: c.insns,
                            refs: (c.refs_start, f.refs.len() as u32),
                            body,
                            text: (c.text_start.min(at), at),
                        });
                    }
                }
                ".annotation" | ".subannotation" => depth = 1,
                ".packed-switch" => skip_until = Some(".end packed-switch"),
                ".sparse-switch" => skip_until = Some(".end sparse-switch"),
                ".array-data" => skip_until = Some(".end array-data"),
                ".field" => {
                    if !have_class {
                        return Err(DexError::BadSmali {
                            line: line_no,
                            reason: ".field before .class",
                        });
                    }
                    match parse_field_line(rest) {
                        Some((flags, name, ty, value)) => {
                            let class = f
                                .types
                                .get(f.class_type as usize)
                                .copied()
                                .unwrap_or_default();
                            let field_idx = f.intern_field((class, name, ty));
                            let string_value = match value {
                                Some(v) if flags & 0x8 != 0 && v.starts_with('"') => {
                                    let s = string_literal(v);
                                    if s.is_none() {
                                        f.warnings.push(format!(
                                            "line {line_no}: bad .field string value"
                                        ));
                                    }
                                    s
                                }
                                _ => None,
                            };
                            f.defined_fields.push(SmaliField {
                                field_idx,
                                access_flags: flags,
                                string_value,
                            });
                        }
                        None => f
                            .warnings
                            .push(format!("line {line_no}: bad .field line skipped")),
                    }
                }
                ".source" | ".end" | ".registers" | ".locals" | ".param" | ".line" | ".local"
                | ".restart" | ".prologue" | ".epilogue" | ".catch" | ".catchall" | ".debug" => {}
                other => f
                    .warnings
                    .push(format!("line {line_no}: unknown directive {other} skipped")),
            }
            continue;
        }
        // An instruction.
        let Some(c) = cur.as_mut() else {
            f.warnings.push(format!(
                "line {line_no}: instruction outside a method skipped"
            ));
            continue;
        };
        c.insns += 1;
        if c.first.len() < 2 {
            c.first.push(line);
        }
        let last_operand = rest.rsplit(", ").next().unwrap_or(rest).trim();
        let r = if head == "const-string" || head == "const-string/jumbo" {
            match rest
                .find('"')
                .and_then(|q| rest.get(q..))
                .and_then(string_literal)
            {
                Some(s) => Some((RefKind::String, f.intern_string(s))),
                None => {
                    f.warnings
                        .push(format!("line {line_no}: bad string literal"));
                    None
                }
            }
        } else if head.starts_with("invoke-custom") {
            None
        } else if head.starts_with("invoke-") {
            let target = rest.split_once("}, ").map_or(last_operand, |(_, t)| t);
            match method_ref(target) {
                Ok((_, m)) => Some((RefKind::Method, f.intern_method(m))),
                Err(_) => {
                    f.warnings
                        .push(format!("line {line_no}: bad method reference"));
                    None
                }
            }
        } else if ["iget", "iput", "sget", "sput"]
            .iter()
            .any(|p| head.starts_with(p))
        {
            match field_ref(last_operand) {
                Ok((_, fr)) => Some((RefKind::Field, f.intern_field(fr))),
                Err(_) => {
                    f.warnings
                        .push(format!("line {line_no}: bad field reference"));
                    None
                }
            }
        } else if matches!(
            head,
            "new-instance"
                | "const-class"
                | "check-cast"
                | "instance-of"
                | "new-array"
                | "filled-new-array"
                | "filled-new-array/range"
        ) {
            match type_desc(last_operand) {
                Ok((_, t)) => Some((RefKind::Type, f.intern_type(t))),
                Err(_) => {
                    f.warnings
                        .push(format!("line {line_no}: bad type reference"));
                    None
                }
            }
        } else {
            None
        };
        if let Some((kind, idx)) = r {
            f.refs.push(CodeRef { kind, idx });
        }
    }
    if !have_class {
        return Err(DexError::BadSmali {
            line: 0,
            reason: "no .class directive",
        });
    }
    if cur.is_some() {
        f.warnings
            .push("missing .end method at end of file".to_string());
    }
    Ok(f)
}

/// `flags… name:Type [= value]` → (flags, name, type, raw value text).
fn parse_field_line(rest: &str) -> Option<(u32, &str, &str, Option<&str>)> {
    let (decl, value) = match rest.split_once(" = ") {
        Some((d, v)) => (d, Some(v.trim())),
        None => (rest, None),
    };
    let (flags, last) = flags_and_last(decl);
    let (name, ty_text) = last?.split_once(':')?;
    if name.is_empty() {
        return None;
    }
    let (left, ty) = type_desc(ty_text).ok()?;
    left.is_empty().then_some((flags, name, ty, value))
}

fn smali_body(first: &[&str], insns: u32) -> BodyKind {
    if insns == 0 {
        return BodyKind::NoCode;
    }
    let split = |l: &'_ str| -> (String, Vec<String>) {
        let (h, r) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
        (
            h.to_string(),
            r.split(',').map(|s| s.trim().to_string()).collect(),
        )
    };
    match (insns, first) {
        (1, [a]) if split(a).0 == "return-void" => BodyKind::ReturnVoidOnly,
        (2, [a, b]) => {
            let (ha, ra) = split(a);
            let (hb, rb) = split(b);
            let is_const = matches!(
                ha.as_str(),
                "const/4" | "const/16" | "const" | "const/high16"
            );
            match (is_const, hb.as_str(), ra.first(), ra.get(1), rb.first()) {
                (true, "return", Some(reg), Some(v), Some(rr)) if reg == rr => {
                    parse_int(v).map_or(BodyKind::Other, BodyKind::ReturnsConst)
                }
                _ => BodyKind::Other,
            }
        }
        _ => BodyKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
.class public final Lcom/foo/Bar;
.super Ljava/lang/Object;
.source "Bar.java"
.implements Ljava/lang/Runnable;

# annotations
.annotation system Ldalvik/annotation/MemberClasses;
    value = {
        Lcom/foo/Bar$1;
    }
.end annotation

.field private static final TAG:Ljava/lang/String; = "x"

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public run()V
    .locals 2
    .line 10
    const-string v0, "https://a.example/x, y"
    const-string v1, "caf\u00e9 \"q\" \uD83D\uDE00"
    sget-object v1, Lcom/foo/Bar;->TAG:Ljava/lang/String;
    invoke-static {v0, v1}, Landroid/util/Log;->d(Ljava/lang/String;Ljava/lang/String;)I
    new-instance v0, Ljava/lang/StringBuilder;
    const-class v0, [Lcom/foo/Bar;
    :cond_0
    packed-switch v0, :pswitch_data_0
    .weird thing
    return-void
    :pswitch_data_0
    .packed-switch 0x0
        :pswitch_0
    .end packed-switch
.end method

.method public checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V
    .registers 3
    return-void
.end method

.method public verify(Ljava/lang/String;Ljavax/net/ssl/SSLSession;)Z
    .registers 4
    const/4 v0, 0x1
    return v0
.end method

.method public abstract nothing()V
.end method
"#;

    #[test]
    fn parses_sample() {
        let f = parse_smali(SAMPLE).unwrap();
        assert_eq!(f.types.get(f.class_type as usize), Some(&"Lcom/foo/Bar;"));
        assert_eq!(f.access_flags, 0x11);
        assert_eq!(
            f.superclass.and_then(|t| f.types.get(t as usize)),
            Some(&"Ljava/lang/Object;")
        );
        assert_eq!(f.interfaces.len(), 1);
        assert_eq!(f.defined.len(), 5);
        assert_eq!(f.warnings, ["line 33: unknown directive .weird skipped"]);
        assert_eq!(
            f.strings,
            ["https://a.example/x, y", "caf\u{e9} \"q\" \u{1F600}"]
        );
        let run = &f.defined[1];
        let kinds: Vec<RefKind> = f.refs[run.refs.0 as usize..run.refs.1 as usize]
            .iter()
            .map(|r| r.kind)
            .collect();
        use RefKind::*;
        assert_eq!(kinds, [String, String, Field, Method, Type, Type]);
        assert_eq!(f.defined[2].body, BodyKind::ReturnVoidOnly);
        assert_eq!(f.defined[3].body, BodyKind::ReturnsConst(1));
        assert_eq!(f.defined[4].body, BodyKind::NoCode);
        assert_eq!(f.defined[0].access_flags, 0x10001);
    }

    #[test]
    fn errors() {
        assert!(matches!(
            parse_smali(".super La;\n"),
            Err(DexError::BadSmali { line: 0, .. })
        ));
        assert!(matches!(
            parse_smali(".method public a()V\n"),
            Err(DexError::BadSmali { line: 1, .. })
        ));
        assert!(matches!(
            parse_smali(".class public\n"),
            Err(DexError::BadSmali { line: 1, .. })
        ));
        let f = parse_smali(
            ".class La;\n.method b()V\ninvoke-virtual {v0}, garbage\nconst-string v0, \"open\n",
        )
        .unwrap();
        assert_eq!(f.warnings.len(), 3, "{:?}", f.warnings);
    }

    #[test]
    fn fields() {
        let f = parse_smali(
            ".class public Lcom/sdk/BuildConfig;\n.super Ljava/lang/Object;\n\
             .field public static final VERSION_NAME:Ljava/lang/String; = \"4.2.1 = x\"\n\
             .field public static final DEBUG:Z = false\n\
             .field private count:I\n\
             .annotation runtime La/A;\n.end annotation\n.end field\n\
             .field public static final BAD:Ljava/lang/String; = \"open\n\
             .field public static\n",
        )
        .unwrap();
        let got: Vec<(&str, &str, u32, Option<&str>)> = f
            .defined_fields
            .iter()
            .map(|d| {
                let (_, n, t) = f.fields[d.field_idx as usize];
                (n, t, d.access_flags, d.string_value.as_deref())
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "VERSION_NAME",
                    "Ljava/lang/String;",
                    0x19,
                    Some("4.2.1 = x")
                ),
                ("DEBUG", "Z", 0x19, None),
                ("count", "I", 0x2, None),
                ("BAD", "Ljava/lang/String;", 0x19, None),
            ]
        );
        assert_eq!(
            f.warnings,
            [
                "line 9: bad .field string value",
                "line 10: bad .field line skipped"
            ]
        );
        assert!(parse_smali(".field public x:I\n").is_err());
    }

    #[test]
    fn literals() {
        assert_eq!(string_literal("\"abc\" rest").as_deref(), Some("abc"));
        assert_eq!(string_literal("\"a\\nb\"").as_deref(), Some("a\nb"));
        assert_eq!(string_literal("\"a\\u00"), None);
        assert_eq!(parse_int("-0x8"), Some(-8));
        assert_eq!(parse_int("0x7fffffffL"), Some(0x7fff_ffff));
    }
}
