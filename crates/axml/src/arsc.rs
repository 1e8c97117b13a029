//! Reader of `resources.arsc` (`ResTable`): packages, types (plain, sparse and offset16 entry
//! tables, compact entries) and the global string pool. Complex (bag/map) entries are skipped.
//! For each resource id the default configuration is kept, else the first one met.

use crate::model::ty;
use crate::pool::{u16_at, u32_at, StringPool};
use crate::push_anomaly;
use std::collections::BTreeMap;
use std::fmt;

const RES_TABLE_TYPE: u16 = 0x0002;
const RES_STRING_POOL_TYPE: u16 = 0x0001;
const RES_TABLE_PACKAGE_TYPE: u16 = 0x0200;
const RES_TABLE_TYPE_TYPE: u16 = 0x0201;
const RES_TABLE_TYPE_SPEC_TYPE: u16 = 0x0202;
const RES_TABLE_LIBRARY_TYPE: u16 = 0x0203;
const FLAG_SPARSE: u8 = 0x01;
const FLAG_OFFSET16: u8 = 0x02;
const ENTRY_FLAG_COMPLEX: u16 = 0x0001;
const ENTRY_FLAG_COMPACT: u16 = 0x0008;
/// How many reference hops [`Resources::resolve`] follows.
const MAX_HOPS: usize = 8;

/// A resolved resource value.
#[derive(Debug, Clone, PartialEq)]
pub enum ResValue {
    /// A string from the global pool (also file paths such as `res/xml/x.xml`).
    String(String),
    /// An integer (decimal or hex).
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// A reference that could not be followed (framework id, cycle, or hop limit).
    Reference(u32),
    /// A float.
    Float(f32),
    /// Any other typed value.
    Other {
        /// The `Res_value` data type.
        data_type: u8,
        /// The raw data.
        data: u32,
    },
}

impl ResValue {
    /// The value as display text (see [`crate::Value::as_string`] for the formats).
    pub fn as_string(&self) -> String {
        match self {
            ResValue::String(s) => s.clone(),
            ResValue::Int(i) => i.to_string(),
            ResValue::Bool(b) => b.to_string(),
            ResValue::Reference(r) => format!("@0x{r:08x}"),
            ResValue::Float(f) => f.to_string(),
            ResValue::Other { data_type, data } => crate::model::format_other(*data_type, *data),
        }
    }
}

/// Why a resource table could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArscError {
    /// Fewer bytes than the table header.
    TooShort {
        /// Input length.
        len: usize,
    },
    /// The first chunk is not a resource table (type 0x0002).
    NotArsc {
        /// Offset of the header (0).
        offset: usize,
        /// The chunk type found.
        found: u16,
    },
}

impl fmt::Display for ArscError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArscError::TooShort { len } => {
                write!(f, "resource table too short: {len} bytes, need at least 12")
            }
            ArscError::NotArsc { offset, found } => write!(
                f,
                "not a resource table: chunk type 0x{found:04x} at offset {offset}, expected 0x0002"
            ),
        }
    }
}

impl std::error::Error for ArscError {}

#[derive(Debug, Clone)]
struct Entry {
    type_name: usize,
    key: String,
    /// `(data_type, data)`; `None` for complex entries.
    value: Option<(u8, u32)>,
    default_config: bool,
}

/// A parsed `resources.arsc`.
#[derive(Debug, Clone, Default)]
pub struct Resources {
    /// The global string pool chunk, decoded on demand.
    pool: Vec<u8>,
    type_names: Vec<String>,
    entries: BTreeMap<u32, Entry>,
    anomalies: Vec<String>,
}

impl Resources {
    /// Reads a resource table. `Err` only when the input is not a resource table at all.
    pub fn parse(bytes: &[u8]) -> Result<Resources, ArscError> {
        let (Some(t), Some(hs), Some(size)) =
            (u16_at(bytes, 0), u16_at(bytes, 2), u32_at(bytes, 4))
        else {
            return Err(ArscError::TooShort { len: bytes.len() });
        };
        if bytes.len() < 12 {
            return Err(ArscError::TooShort { len: bytes.len() });
        }
        if t != RES_TABLE_TYPE {
            return Err(ArscError::NotArsc {
                offset: 0,
                found: t,
            });
        }
        let mut r = Resources::default();
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        let end = if size > bytes.len() || size < 12 {
            r.note(format!(
                "table declares {size} bytes, file has {}; using the file length",
                bytes.len()
            ));
            bytes.len()
        } else {
            size
        };
        let data = bytes.get(..end).unwrap_or(bytes);
        let hs = usize::from(hs);
        let start = if (12..=end).contains(&hs) { hs } else { 12 };
        let mut pool_seen = false;
        for (pos, cty, chunk) in chunks(data, start, &mut r.anomalies) {
            match cty {
                RES_STRING_POOL_TYPE if !pool_seen => {
                    pool_seen = true;
                    r.pool = chunk.to_vec();
                    let mut an = Vec::new();
                    let _ = StringPool::parse(&r.pool, pos, &mut an);
                    for a in an {
                        r.note(a);
                    }
                }
                RES_TABLE_PACKAGE_TYPE => r.package(chunk, pos),
                other => r.note(format!(
                    "unexpected chunk 0x{other:04x} at offset {pos} in the table skipped"
                )),
            }
        }
        Ok(r)
    }

    fn note(&mut self, msg: String) {
        push_anomaly(&mut self.anomalies, msg);
    }

    fn package(&mut self, chunk: &[u8], base: usize) {
        let Some(id) = u32_at(chunk, 8) else {
            self.note(format!("package at offset {base} truncated"));
            return;
        };
        let pkg_id = (id & 0xff) as u8;
        let hs = usize::from(u16_at(chunk, 2).unwrap_or(0));
        let type_off = u32_at(chunk, 268).and_then(|v| usize::try_from(v).ok());
        let key_off = u32_at(chunk, 276).and_then(|v| usize::try_from(v).ok());
        let mut an = Vec::new();
        // Pools at the declared offsets; else the first and second pools met in the walk.
        let pool_at = |off: Option<usize>, an: &mut Vec<String>| {
            let off = off.filter(|o| *o >= 8)?;
            if u16_at(chunk, off)? != RES_STRING_POOL_TYPE {
                return None;
            }
            let sz = usize::try_from(u32_at(chunk, off.checked_add(4)?)?).ok()?;
            let c = chunk.get(off..off.checked_add(sz)?.min(chunk.len()))?;
            Some(StringPool::parse(c, base.saturating_add(off), an))
        };
        let mut type_pool = pool_at(type_off, &mut an);
        let mut key_pool = pool_at(key_off, &mut an);
        let start = if (8..=chunk.len()).contains(&hs) {
            hs
        } else {
            288.min(chunk.len())
        };
        let mut walk_pools = Vec::new();
        let mut types = Vec::new();
        for (pos, cty, c) in chunks(chunk, start, &mut an) {
            match cty {
                RES_STRING_POOL_TYPE => walk_pools.push((pos, c)),
                RES_TABLE_TYPE_TYPE => types.push((pos, c)),
                RES_TABLE_TYPE_SPEC_TYPE | RES_TABLE_LIBRARY_TYPE => {}
                0x0204..=0x0206 => {} // overlayable, overlayable policy, staged alias
                other => push_anomaly(
                    &mut an,
                    format!(
                        "unknown chunk 0x{other:04x} at offset {} in package skipped",
                        base.saturating_add(pos)
                    ),
                ),
            }
        }
        if type_pool.is_none() {
            if let Some((pos, c)) = walk_pools.first() {
                type_pool = Some(StringPool::parse(c, base.saturating_add(*pos), &mut an));
            }
        }
        if key_pool.is_none() {
            if let Some((pos, c)) = walk_pools.get(1) {
                key_pool = Some(StringPool::parse(c, base.saturating_add(*pos), &mut an));
            }
        }
        let type_pool = type_pool.unwrap_or_default();
        let key_pool = key_pool.unwrap_or_default();
        let mut type_index: BTreeMap<u8, usize> = BTreeMap::new();
        for (pos, c) in types {
            let Some(type_id) = c.get(8).copied() else {
                continue;
            };
            let tix = match type_index.get(&type_id) {
                Some(i) => *i,
                None => {
                    let name = type_pool
                        .get(u32::from(type_id).saturating_sub(1), &mut an)
                        .map(|s| s.into_owned())
                        .unwrap_or_else(|| format!("type{type_id:02x}"));
                    self.type_names.push(name);
                    let i = self.type_names.len() - 1;
                    type_index.insert(type_id, i);
                    i
                }
            };
            self.type_chunk(
                c,
                base.saturating_add(pos),
                pkg_id,
                type_id,
                tix,
                &key_pool,
                &mut an,
            );
        }
        for a in an {
            self.note(a);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn type_chunk(
        &mut self,
        c: &[u8],
        base: usize,
        pkg_id: u8,
        type_id: u8,
        tix: usize,
        keys: &StringPool<'_>,
        an: &mut Vec<String>,
    ) {
        let hs = usize::from(u16_at(c, 2).unwrap_or(0)).min(c.len());
        let (Some(flags), Some(count), Some(entries_start)) =
            (c.get(9).copied(), u32_at(c, 12), u32_at(c, 16))
        else {
            push_anomaly(an, format!("type chunk at offset {base} truncated"));
            return;
        };
        let cfg_size = u32_at(c, 20)
            .and_then(|v| usize::try_from(v).ok())
            .unwrap_or(0);
        let cfg_end = 20usize.saturating_add(cfg_size).min(hs);
        let default_config = c
            .get(24.min(cfg_end)..cfg_end)
            .is_none_or(|b| b.iter().all(|x| *x == 0));
        let entries_start = usize::try_from(entries_start).unwrap_or(usize::MAX);
        let elem = if flags & (FLAG_SPARSE | FLAG_OFFSET16) != 0 {
            2
        } else {
            4
        };
        let elem = if flags & FLAG_SPARSE != 0 { 4 } else { elem };
        let room = c.len().saturating_sub(hs) / elem;
        let mut count = usize::try_from(count).unwrap_or(usize::MAX);
        if count > room {
            push_anomaly(
                an,
                format!("type chunk at offset {base}: {count} entries declared, room for {room}"),
            );
            count = room;
        }
        for i in 0..count {
            let at = hs.saturating_add(i.saturating_mul(elem));
            let (idx, off) = if flags & FLAG_SPARSE != 0 {
                let (Some(idx), Some(off)) = (u16_at(c, at), u16_at(c, at.saturating_add(2)))
                else {
                    break;
                };
                (u32::from(idx), usize::from(off).saturating_mul(4))
            } else if flags & FLAG_OFFSET16 != 0 {
                match u16_at(c, at) {
                    Some(0xffff) => continue,
                    Some(off) => (i as u32, usize::from(off).saturating_mul(4)),
                    None => break,
                }
            } else {
                match u32_at(c, at) {
                    Some(0xffff_ffff) => continue,
                    Some(off) => (i as u32, usize::try_from(off).unwrap_or(usize::MAX)),
                    None => break,
                }
            };
            let at = entries_start.saturating_add(off);
            let (Some(esize), Some(eflags)) = (u16_at(c, at), u16_at(c, at.saturating_add(2)))
            else {
                push_anomaly(
                    an,
                    format!("type chunk at offset {base}: entry {idx} at {at} out of range"),
                );
                continue;
            };
            let (key_idx, value) = if eflags & ENTRY_FLAG_COMPACT != 0 {
                let data = u32_at(c, at.saturating_add(4));
                (u32::from(esize), data.map(|d| ((eflags >> 8) as u8, d)))
            } else {
                let key = u32_at(c, at.saturating_add(4)).unwrap_or(u32::MAX);
                if eflags & ENTRY_FLAG_COMPLEX != 0 {
                    (key, None)
                } else {
                    let v = at.saturating_add(usize::from(esize));
                    let value = match (c.get(v.saturating_add(3)), u32_at(c, v.saturating_add(4))) {
                        (Some(t), Some(d)) => Some((*t, d)),
                        _ => {
                            push_anomaly(
                                an,
                                format!("type chunk at offset {base}: entry {idx} value truncated"),
                            );
                            None
                        }
                    };
                    (key, value)
                }
            };
            let id = (u32::from(pkg_id) << 24) | (u32::from(type_id) << 16) | (idx & 0xffff);
            let replace = match self.entries.get(&id) {
                None => true,
                Some(e) => !e.default_config && default_config,
            };
            if replace {
                let key = keys
                    .get(key_idx, an)
                    .map(|s| s.into_owned())
                    .unwrap_or_else(|| format!("0x{id:08x}"));
                self.entries.insert(
                    id,
                    Entry {
                        type_name: tix,
                        key,
                        value,
                        default_config,
                    },
                );
            }
        }
    }

    fn pool_string(&self, idx: u32) -> Option<String> {
        let mut an = Vec::new();
        StringPool::parse(&self.pool, 0, &mut an)
            .get(idx, &mut an)
            .map(|s| s.into_owned())
    }

    /// The value of resource `id` (default config, else the first), following references up
    /// to 8 hops; an unresolvable reference is returned as [`ResValue::Reference`]. `None` for
    /// unknown ids, complex entries and null values.
    pub fn resolve(&self, id: u32) -> Option<ResValue> {
        let mut cur = id;
        for _ in 0..MAX_HOPS {
            let Some(e) = self.entries.get(&cur) else {
                return (cur != id).then_some(ResValue::Reference(cur));
            };
            let (t, d) = e.value?;
            return Some(match t {
                ty::REFERENCE | ty::DYNAMIC_REFERENCE => {
                    if d == 0 {
                        return None;
                    }
                    cur = d;
                    continue;
                }
                ty::STRING => ResValue::String(self.pool_string(d)?),
                ty::INT_DEC | ty::INT_HEX => ResValue::Int(i64::from(d as i32)),
                ty::INT_BOOLEAN => ResValue::Bool(d != 0),
                ty::FLOAT => ResValue::Float(f32::from_bits(d)),
                ty::NULL => return None,
                _ => ResValue::Other {
                    data_type: t,
                    data: d,
                },
            });
        }
        Some(ResValue::Reference(cur))
    }

    /// `(type name, entry name)` of resource `id`, e.g. `("string", "app_name")`.
    pub fn name(&self, id: u32) -> Option<(String, String)> {
        let e = self.entries.get(&id)?;
        Some((self.type_names.get(e.type_name)?.clone(), e.key.clone()))
    }

    /// The id of `type_name/name` (first match in id order), for text manifests that say
    /// `@string/app_name`.
    pub fn id_of(&self, type_name: &str, name: &str) -> Option<u32> {
        let t = self.type_names.iter().position(|t| t == type_name)?;
        self.entries
            .iter()
            .find(|(_, e)| e.type_name == t && e.key == name)
            .map(|(id, _)| *id)
    }

    /// Anomalies met while reading the table.
    pub fn anomalies(&self) -> &[String] {
        &self.anomalies
    }

    /// Number of (simple or complex) entries read.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no entry was read.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// All string-valued entries of type `ty` (e.g. `"string"`), as `(name, value)`, in id
    /// order, default configuration where one exists.
    pub fn strings_of_type<'s>(
        &'s self,
        ty: &'s str,
    ) -> impl Iterator<Item = (String, String)> + 's {
        let pool = {
            let mut an = Vec::new();
            StringPool::parse(&self.pool, 0, &mut an)
        };
        self.entries.values().filter_map(move |e| {
            if self.type_names.get(e.type_name).map(String::as_str) != Some(ty) {
                return None;
            }
            match e.value {
                Some((ty::STRING, d)) => {
                    let mut an = Vec::new();
                    Some((e.key.clone(), pool.get(d, &mut an)?.into_owned()))
                }
                _ => None,
            }
        })
    }
}

/// Walks sibling chunks from `start`; each item is `(offset, type, chunk bytes)`. Stops (with
/// an anomaly) at a chunk whose size is unusable; truncates one that runs past the end.
fn chunks<'a>(data: &'a [u8], start: usize, an: &mut Vec<String>) -> Vec<(usize, u16, &'a [u8])> {
    let mut out = Vec::new();
    let mut pos = start;
    while let (Some(t), Some(hs), Some(sz)) = (
        u16_at(data, pos),
        u16_at(data, pos.saturating_add(2)),
        u32_at(data, pos.saturating_add(4)),
    ) {
        let sz = usize::try_from(sz).unwrap_or(usize::MAX);
        if sz < 8 || usize::from(hs) < 8 || usize::from(hs) > sz {
            push_anomaly(
                an,
                format!("chunk 0x{t:04x} at offset {pos} has bad size {sz} (header {hs}); stopped"),
            );
            break;
        }
        let end = pos.saturating_add(sz);
        if end > data.len() {
            push_anomaly(
                an,
                format!("chunk 0x{t:04x} at offset {pos} runs past the end; truncated"),
            );
        }
        let c = data.get(pos..end.min(data.len())).unwrap_or_default();
        out.push((pos, t, c));
        pos = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackscan_fixtures::axml::{arsc, arsc_id, ArscEntry, ArscValue, EntryTable};

    fn entries() -> Vec<ArscEntry> {
        let mut app_name = ArscEntry::new("string", "app_name", ArscValue::String("My App".into()));
        app_name.localized = Some("Meine App".into());
        vec![
            app_name,
            ArscEntry::new(
                "string",
                "host",
                ArscValue::String("api.example.com".into()),
            ),
            ArscEntry::new("integer", "sdk", ArscValue::Int(21)),
            ArscEntry::new("bool", "dbg", ArscValue::Bool(true)),
            ArscEntry::new("style", "Theme", ArscValue::Complex),
            ArscEntry::new(
                "xml",
                "network_security_config",
                ArscValue::String("res/xml/network_security_config.xml".into()),
            ),
        ]
    }

    fn check(table: EntryTable) {
        let mut es = entries();
        let name_id = arsc_id(&es, "string", "app_name").unwrap();
        es.push(ArscEntry::new(
            "string",
            "alias",
            ArscValue::Reference(name_id),
        ));
        let alias = arsc_id(&es, "string", "alias").unwrap();
        let r = Resources::parse(&arsc(&es, table)).unwrap();
        assert!(r.anomalies().is_empty(), "{:?}", r.anomalies());
        assert_eq!(r.resolve(name_id), Some(ResValue::String("My App".into())));
        assert_eq!(r.resolve(alias), Some(ResValue::String("My App".into())));
        assert_eq!(r.name(name_id), Some(("string".into(), "app_name".into())));
        assert_eq!(r.id_of("string", "app_name"), Some(name_id));
        assert_eq!(r.id_of("string", "nope"), None);
        let sdk = arsc_id(&es, "integer", "sdk").unwrap();
        assert_eq!(r.resolve(sdk), Some(ResValue::Int(21)));
        assert_eq!(
            r.resolve(arsc_id(&es, "bool", "dbg").unwrap()),
            Some(ResValue::Bool(true))
        );
        let theme = arsc_id(&es, "style", "Theme").unwrap();
        assert_eq!(r.resolve(theme), None);
        assert_eq!(r.name(theme), Some(("style".into(), "Theme".into())));
        let nsc = arsc_id(&es, "xml", "network_security_config").unwrap();
        assert_eq!(
            r.resolve(nsc),
            Some(ResValue::String(
                "res/xml/network_security_config.xml".into()
            ))
        );
        let strings: Vec<(String, String)> = r.strings_of_type("string").collect();
        assert_eq!(
            strings,
            vec![
                ("app_name".to_string(), "My App".to_string()),
                ("host".to_string(), "api.example.com".to_string())
            ]
        );
        assert_eq!(r.resolve(0x7f7f_0000), None);
    }

    #[test]
    fn plain_sparse_and_offset16_tables() {
        check(EntryTable::Plain);
        check(EntryTable::Sparse);
        check(EntryTable::Offset16);
    }

    #[test]
    fn reference_cycles_stop_at_hop_limit() {
        let es = vec![
            ArscEntry::new("string", "a", ArscValue::Reference(0x7f01_0001)),
            ArscEntry::new("string", "b", ArscValue::Reference(0x7f01_0000)),
            ArscEntry::new("string", "c", ArscValue::Reference(0x0104_000a)),
        ];
        let r = Resources::parse(&arsc(&es, EntryTable::Plain)).unwrap();
        assert!(matches!(
            r.resolve(0x7f01_0000),
            Some(ResValue::Reference(_))
        ));
        assert_eq!(
            r.resolve(0x7f01_0002),
            Some(ResValue::Reference(0x0104_000a))
        );
    }

    #[test]
    fn not_a_table() {
        assert_eq!(
            Resources::parse(b"\x02\0").unwrap_err(),
            ArscError::TooShort { len: 2 }
        );
        let e = Resources::parse(&[3, 0, 8, 0, 12, 0, 0, 0, 0, 0, 0, 0]).unwrap_err();
        assert!(e.to_string().contains("0x0003"));
    }

    #[test]
    fn truncations_and_corruptions_do_not_panic() {
        let bytes = arsc(&entries(), EntryTable::Plain);
        for n in 0..bytes.len() {
            if let Ok(r) = Resources::parse(&bytes[..n]) {
                let _ = r.resolve(0x7f01_0000);
                let _ = r.strings_of_type("string").count();
            }
        }
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0xff;
            if let Ok(r) = Resources::parse(&b) {
                let _ = r.resolve(0x7f01_0000);
                let _ = r.strings_of_type("string").count();
            }
        }
    }
}
