//! Framework attribute resource ids (`android.R.attr`) used by the manifest model.

/// The Android namespace URI.
pub const ANDROID_NS: &str = "http://schemas.android.com/apk/res/android";

/// `(name, id)` of the framework attributes the manifest model reads.
const TABLE: &[(&str, u32)] = &[
    ("label", 0x0101_0001),
    ("icon", 0x0101_0002),
    ("name", 0x0101_0003),
    ("permission", 0x0101_0006),
    ("readPermission", 0x0101_0007),
    ("writePermission", 0x0101_0008),
    ("protectionLevel", 0x0101_0009),
    ("sharedUserId", 0x0101_000b),
    ("hasCode", 0x0101_000c),
    ("enabled", 0x0101_000e),
    ("debuggable", 0x0101_000f),
    ("exported", 0x0101_0010),
    ("process", 0x0101_0011),
    ("authorities", 0x0101_0018),
    ("grantUriPermissions", 0x0101_001b),
    ("priority", 0x0101_001c),
    ("value", 0x0101_0024),
    ("resource", 0x0101_0025),
    ("mimeType", 0x0101_0026),
    ("scheme", 0x0101_0027),
    ("host", 0x0101_0028),
    ("port", 0x0101_0029),
    ("path", 0x0101_002a),
    ("pathPrefix", 0x0101_002b),
    ("pathPattern", 0x0101_002c),
    ("minSdkVersion", 0x0101_020c),
    ("versionCode", 0x0101_021b),
    ("versionName", 0x0101_021c),
    ("targetActivity", 0x0101_0202),
    ("targetSdkVersion", 0x0101_0270),
    ("maxSdkVersion", 0x0101_0271),
    ("allowBackup", 0x0101_0280),
    ("glEsVersion", 0x0101_0281),
    ("required", 0x0101_028e),
    ("usesCleartextTraffic", 0x0101_04ec),
    ("networkSecurityConfig", 0x0101_0527),
];

/// The resource id of a framework attribute name the crate knows, e.g. `versionCode` →
/// `0x0101021b`.
pub fn android_attr_id(name: &str) -> Option<u32> {
    TABLE.iter().find(|(n, _)| *n == name).map(|(_, id)| *id)
}

/// The framework attribute name of a resource id the crate knows (inverse of
/// [`android_attr_id`]).
pub fn android_attr_name(id: u32) -> Option<&'static str> {
    TABLE.iter().find(|(_, i)| *i == id).map(|(n, _)| *n)
}
