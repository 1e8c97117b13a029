//! Defensive accessors over `serde_json::Value`: a missing or mistyped key reads
//! as empty, so documents from older scanner versions are still usable.

use serde_json::Value;

/// The array at `key`, or an empty slice.
pub(crate) fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// The string at `key`, or `None`.
pub(crate) fn opt_str<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// The string at `key`, or `""`.
pub(crate) fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    opt_str(v, key).unwrap_or("")
}

/// The unsigned number at `key`, or `None`.
pub(crate) fn opt_u64(v: &Value, key: &str) -> Option<u64> {
    v.get(key).and_then(Value::as_u64)
}

/// The boolean at `key`, or `None`.
pub(crate) fn opt_bool(v: &Value, key: &str) -> Option<bool> {
    v.get(key).and_then(Value::as_bool)
}

/// The object at `key` (or `Null`, on which every accessor reads empty).
pub(crate) fn obj<'a>(v: &'a Value, key: &str) -> &'a Value {
    static NULL: Value = Value::Null;
    v.get(key).unwrap_or(&NULL)
}

/// The strings of the array at `key` (non-strings skipped).
pub(crate) fn strs<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a str> {
    arr(v, key).iter().filter_map(Value::as_str)
}

/// A tracker's stable key: its `id`, else its `name`.
pub(crate) fn tracker_key(t: &Value) -> &str {
    match opt_str(t, "id") {
        Some(id) if !id.is_empty() => id,
        _ => str_of(t, "name"),
    }
}

/// A human label for an app version: `name (code)`, either part optional.
pub(crate) fn version_label(doc: &Value) -> String {
    let name = opt_str(doc, "version_name");
    let code = opt_u64(doc, "version_code");
    match (name, code) {
        (Some(n), Some(c)) => format!("{n} ({c})"),
        (Some(n), None) => n.to_string(),
        (None, Some(c)) => c.to_string(),
        (None, None) => "?".to_string(),
    }
}

/// The number of entries of the `errors` array.
pub(crate) fn error_count(doc: &Value) -> usize {
    arr(doc, "errors").len()
}
