//! Hidden code: how much of an app's code a static scan cannot read, and what that means for
//! the findings (issue 33 item 7). A bare "no known trackers" on an app whose classes are all
//! renamed, whose strings are encrypted or whose real code is packed would read as "clean";
//! [`assess`] measures the three, in one pass over the class names and the references the code
//! index already walked, and the report says it ([`crate::report::Hidden`]).
//!
//! # Renamed classes
//!
//! A class is **renamed** when every segment of its package and every part of its simple name
//! (split at `$`) is a name a shrinker or obfuscator generates, not one a developer writes:
//!
//! * **dictionary names** of ProGuard and R8: both hand out names from a dictionary of short
//!   lower-case identifiers (`a`, `b`, … `z`, `aa`, `ab`, …; ProGuard's
//!   `SimpleNameFactory`, R8's `MinifiedNameMapPrinter`/`NamingState`), and R8 since AGP 7
//!   also letters followed by digits (`a0`, `b1`, `p0`). Class names are kept lower-case
//!   (ProGuard's default `-dontusemixedcaseclassnames` behaviour on case-insensitive file
//!   systems, R8 always), so `R` of `R$string` is never one. Accepted: 1–3 lower-case ASCII
//!   letters, or 1–2 lower-case letters followed by 1–2 digits;
//! * **generated names** of Obfuscapk (`ClassRename`: `p` + the first 8 hex digits of an MD5,
//!   `p2dcb56dc`) and of hashing renamers in general: an optional 1–2 letter prefix, then at
//!   least 6 hex digits with at least 2 digits and at least one letter `a`–`f`;
//! * **confusable names** of DexGuard/Allatori-style obfuscators: 2 or more characters all
//!   from `I`, `l`, `1`, `O`, `0`, `i`, mixing at least two of them (`Il1I`), or 1–4
//!   characters none of which is ASCII (DexGuard's Unicode names);
//!
//! and anonymous parts (`$1`) are neutral. A reverse-domain root as the first package segment
//! (`com`, `org`, `net`, `io`, … [`DOMAIN_ROOTS`]) is a name a developer wrote, never a
//! dictionary entry: a shrinker's dictionary reaches three letters only after 702 names in
//! one package. So `Lcom/example/a;` (package kept, class renamed) and `Lio/a/Client;` are
//! not renamed, `La/b/c;`, `Lo/a$b;` and `Lp2dcb56dc/pa1b2c3d4;` are. A normal app has a few
//! such classes (`a`/`b` inner classes, an R8-minified library); the share says how much.
//!
//! # Encrypted strings
//!
//! String encryptors (Obfuscapk `ConstStringEncryption`, DexGuard, Allatori, StringFog)
//! replace each `const-string` with the ciphertext and a call to a static decryptor of the app
//! right after it. A **decryptor** here is an app-defined static method of proto
//! `(Ljava/lang/String;)Ljava/lang/String;` called right after a `const-string` (no other
//! reference between them) from at least [`DECRYPTOR_MIN_CLASSES`] classes and
//! [`DECRYPTOR_MIN_CALLS`] times, whose sampled literal arguments mostly look like ciphertext
//! ([`looks_encrypted`]: no spaces, base64 or hex alphabet, high character entropy); or of
//! proto `([B)Ljava/lang/String;` called right after a `new-array … [B` (the byte-array form)
//! from as many classes and twice as many times. The `(I)Ljava/lang/String;` form (an index
//! into a table) is not counted: resource-string helpers of ordinary apps have that proto.
//! Independently, the share of `const-string` literals that look like ciphertext is counted;
//! strings are **encrypted** when a decryptor is found or when at least
//! [`CIPHER_MIN_LITERALS`] literals and [`CIPHER_MIN_SHARE`] % of them look like ciphertext.
//!
//! # Packed code
//!
//! Packers (Jiagu, Bangcle/SecNeo, Legu, Ijiami, Baidu, DexProtector, APKProtect, …) ship a
//! stub DEX that decrypts the real one at run time. Evidence: the packer's stub classes,
//! native libraries and asset payloads ([`PACKERS`], names from the packers' own output as
//! listed publicly by APKiD's `apkid/rules/apk/packers.yara` and `rules/dex/packers.yara`,
//! github.com/rednaga/APKiD, and Tim Strazzere's `android-unpacker`); app code (outside the
//! platform and Google/AndroidX libraries, [`LOADER_EXEMPT`]) that loads DEX at run time
//! (`DexClassLoader`, `InMemoryDexClassLoader`, `PathClassLoader`, `BaseDexClassLoader`
//! constructors, `DexFile.loadDex` / `new DexFile`); and payloads: DEX/JAR/APK files in
//! `assets/`, and asset or raw-resource files read by the scan that are not a known media or
//! archive format and whose bytes have near-maximal entropy (encrypted). The code is
//! **packed** when a packer's stub is there, or when app code loads DEX at run time and a
//! payload is there. A loader alone is reported (level `partial`): what it loads is not
//! scanned, but many apps load plugins legitimately.
//!
//! # Level
//!
//! `heavy`: packed, or most classes renamed ([`RENAMED_SHARE`] % or more) *and* strings
//! encrypted — then neither names nor strings of the code can be read. `partial`: any one
//! issue (renamed share at least [`RENAMED_SHARE`] % with at least [`RENAMED_MIN`] classes,
//! strings encrypted, a run-time DEX loader, a payload). `none` otherwise.

use rustc_hash::FxHashMap;
use trackscan_dex::{CodeIndex, CodeRef, RefKind};

use crate::collect::Collected;
use crate::report::{dotted, Evidence, Hidden, HiddenDecryptor, HiddenPackage, HiddenPacked};
use crate::report::{HiddenRenamed, HiddenStrings};

/// Renamed share (percent) from which renaming is reported.
pub const RENAMED_SHARE: u64 = 20;
/// Renamed classes from which renaming is reported (a tiny app with two `a` classes is not).
pub const RENAMED_MIN: u64 = 8;
/// Distinct calling classes a decryptor needs.
pub const DECRYPTOR_MIN_CLASSES: u32 = 3;
/// Calls right after a `const-string` a decryptor needs.
pub const DECRYPTOR_MIN_CALLS: u32 = 5;
/// Ciphertext-looking literals from which the share alone flags encryption.
pub const CIPHER_MIN_LITERALS: u64 = 20;
/// Share (percent) of ciphertext-looking literals that flags encryption.
pub const CIPHER_MIN_SHARE: u64 = 30;
/// Packages listed in [`HiddenRenamed::packages`].
const MAX_PACKAGES: usize = 8;
/// Decryptors and evidence items listed.
const MAX_LISTED: usize = 20;
/// Literal arguments sampled per decryptor candidate.
const SAMPLES: usize = 8;
/// Smallest asset examined for entropy.
const MIN_PAYLOAD: usize = 4096;
/// Bytes of an asset examined for entropy.
const ENTROPY_WINDOW: usize = 64 << 10;

/// First package segments that are reverse-domain roots, written by developers (never a
/// shrinker's dictionary entry, see the module docs).
pub const DOMAIN_ROOTS: &[&str] = &[
    "com", "org", "net", "io", "edu", "gov", "de", "fr", "uk", "me", "co", "tv", "app", "dev",
    "jp", "cn", "ru", "nl", "it", "es", "br", "in", "us", "eu", "ch", "se", "at", "be", "pl", "kr",
    "au", "ca", "xyz", "biz", "info", "mobi",
];

/// Callers whose run-time DEX loading is not the app's: the platform, and the AndroidX /
/// support `multidex` and Google Play services / Play Core loaders (secondary DEX of the same
/// APK, Google's own modules, split APKs).
pub const LOADER_EXEMPT: &[&str] = &[
    "Landroid/",
    "Landroidx/",
    "Ldalvik/",
    "Ljava/",
    "Ljavax/",
    "Lkotlin/",
    "Lcom/android/",
    "Lcom/google/android/gms/",
    "Lcom/google/android/play/",
    "Lcom/google/firebase/",
];

/// Methods that load DEX code at run time: (class, method name, what the report calls it).
const LOADERS: &[(&str, &str, &str)] = &[
    (
        "Ldalvik/system/DexClassLoader;",
        "<init>",
        "dalvik.system.DexClassLoader",
    ),
    (
        "Ldalvik/system/InMemoryDexClassLoader;",
        "<init>",
        "dalvik.system.InMemoryDexClassLoader",
    ),
    (
        "Ldalvik/system/PathClassLoader;",
        "<init>",
        "dalvik.system.PathClassLoader",
    ),
    (
        "Ldalvik/system/BaseDexClassLoader;",
        "<init>",
        "dalvik.system.BaseDexClassLoader",
    ),
    (
        "Ldalvik/system/DexFile;",
        "loadDex",
        "dalvik.system.DexFile.loadDex",
    ),
    ("Ldalvik/system/DexFile;", "<init>", "dalvik.system.DexFile"),
];

/// A packer's public traces.
pub struct Packer {
    /// Display name.
    pub name: &'static str,
    /// Native library file names (`libjiagu` matches `libjiagu.so`, `libjiagu_a64.so`).
    pub libs: &'static [&'static str],
    /// Stub class descriptors or descriptor prefixes.
    pub classes: &'static [&'static str],
    /// Asset path prefixes.
    pub assets: &'static [&'static str],
}

/// Public packers and their traces. Sources: APKiD `apkid/rules/apk/packers.yara` and
/// `apkid/rules/dex/packers.yara` (github.com/rednaga/APKiD), the vendors' documentation and
/// public unpacking write-ups (e.g. Strazzere & Sawyer, "Android Hacker Protection Level 0",
/// DEF CON 22, for Bangcle, Ijiami, Legu, APKProtect).
pub const PACKERS: &[Packer] = &[
    // Qihoo 360 Jiagu (jiagu.360.cn): libjiagu*.so, stub application com.stub.StubApp.
    Packer {
        name: "Jiagu (Qihoo 360)",
        libs: &["libjiagu", "libprotectClass"],
        classes: &["Lcom/stub/StubApp", "Lcom/qihoo/util/"],
        assets: &["assets/libjiagu", "assets/jiagu_data.bin"],
    },
    // Bangcle / SecNeo (secneo.com): libsecexe.so, libsecmain.so, libSecShell.so,
    // libDexHelper.so; com.secneo.apkwrapper.*; assets/bangcleplugin/, secData0.jar.
    Packer {
        name: "Bangcle (SecNeo)",
        libs: &["libsecexe", "libsecmain", "libSecShell", "libDexHelper"],
        classes: &["Lcom/secneo/apkwrapper/", "Lcom/bangcle/"],
        assets: &[
            "assets/bangcleplugin/",
            "assets/secData0.jar",
            "assets/classes0.jar",
            "assets/bangcle_classes.jar",
        ],
    },
    // Tencent Legu: libshell*.so (libshella-x.y.z.so, libshellx-…), libmobisecy.so;
    // com.tencent.StubShell.*.
    Packer {
        name: "Tencent Legu",
        libs: &["libshell.so", "libshella", "libshellx", "libmobisecy"],
        classes: &["Lcom/tencent/StubShell/"],
        assets: &[],
    },
    // Ijiami: libexec.so, libexecmain.so; com.shell.SuperApplication; assets/ijiami.dat.
    Packer {
        name: "Ijiami",
        libs: &["libexec.so", "libexecmain.so"],
        classes: &["Lcom/shell/SuperApplication;"],
        assets: &["assets/ijiami.dat", "assets/ijiami.ajm", "assets/ijm_lib/"],
    },
    // Baidu app protection: libbaiduprotect.so, baiduprotect1.jar; com.baidu.protect.*.
    Packer {
        name: "Baidu protect",
        libs: &["libbaiduprotect"],
        classes: &["Lcom/baidu/protect/"],
        assets: &["assets/baiduprotect"],
    },
    // Alibaba (mobisec): libmobisec.so; com.ali.mobisecenhance.*.
    Packer {
        name: "Alibaba mobisec",
        libs: &["libmobisec.so"],
        classes: &["Lcom/ali/mobisecenhance/"],
        assets: &[],
    },
    // DexProtector (dexprotector.com): libdexprotector*.so, assets/dp.<abi>.so.dat,
    // assets/classes.dex.dat.
    Packer {
        name: "DexProtector",
        libs: &["libdexprotector"],
        classes: &[],
        assets: &["assets/dp.arm", "assets/dp.x86", "assets/classes.dex.dat"],
    },
    // APKProtect: libAPKProtect.so, assets apkprotect.com/.
    Packer {
        name: "APKProtect",
        libs: &["libAPKProtect"],
        classes: &["Lcom/apkprotect/"],
        assets: &["assets/apkprotect.com/"],
    },
    // NetEase Yidun: libnesec.so; com.netease.nis.wrapper.*.
    Packer {
        name: "NetEase Yidun",
        libs: &["libnesec.so"],
        classes: &["Lcom/netease/nis/wrapper/"],
        assets: &[],
    },
    // Naga: libddog.so.
    Packer {
        name: "Naga",
        libs: &["libddog.so"],
        classes: &[],
        assets: &[],
    },
    // PangXie: libnsecure.so; com.merry.wapper.WapperApplication.
    Packer {
        name: "PangXie",
        libs: &["libnsecure.so"],
        classes: &["Lcom/merry/wapper/"],
        assets: &[],
    },
    // DxShield (NSHC): libdxbase.so, assets/DXINFO.XML.
    Packer {
        name: "DxShield",
        libs: &["libdxbase.so"],
        classes: &[],
        assets: &["assets/DXINFO.XML"],
    },
    // AppSealing: libcovault*.so, appsealing.dex.
    Packer {
        name: "AppSealing",
        libs: &["libcovault"],
        classes: &[],
        assets: &["assets/appsealing"],
    },
    // Medusah: com.seworks.medusah.
    Packer {
        name: "Medusah",
        libs: &[],
        classes: &["Lcom/seworks/medusah"],
        assets: &[],
    },
];

/// Assesses how much of the app's code is hidden (see the module docs).
pub(crate) fn assess(index: &CodeIndex<'_>, c: &Collected<'_>) -> Hidden {
    let loaders = loader_ids(index);
    let mut pass = Pass::default();
    pass.walk(index, &loaders);
    let renamed = pass.renamed_summary(index.class_count() as u64);
    let strings = strings_summary(index, &pass);
    let packed = packed_summary(index, c, &pass.loader_calls);
    finish(renamed, strings, packed)
}

/// Per file, the method ids of [`LOADERS`] with their display names: a few binary searches.
fn loader_ids(index: &CodeIndex<'_>) -> FxHashMap<u64, &'static str> {
    let mut out = FxHashMap::default();
    index.for_each_method_id_with_class_prefix("Ldalvik/system/", |file, m, class, name| {
        if let Some((_, _, label)) = LOADERS.iter().find(|(c, n, _)| *c == class && *n == name) {
            out.insert(key(file, m), *label);
        }
    });
    out
}

fn key(file: u16, idx: u32) -> u64 {
    (u64::from(file) << 32) | u64::from(idx)
}

/// Per input file, what the pass needs to tell a decryptor call cheaply.
struct FileFilter {
    /// For a DEX file, per `proto_ids` entry: `(Ljava/lang/String;)Ljava/lang/String;` or
    /// `([B)Ljava/lang/String;`; `None` for smali (every call is noted, resolved later).
    protos: Option<Vec<bool>>,
    /// The `[B` type of a DEX file.
    byte_array: Option<u32>,
    /// Whether some proto of the file may be a decryptor's (else its code is walked only
    /// for run-time loaders).
    any: bool,
}

/// One [`FileFilter`] per input file: one read of the type and proto tables.
fn file_filters(index: &CodeIndex<'_>) -> Vec<FileFilter> {
    let mut out = Vec::new();
    let mut file: u16 = 0;
    while index.file_name(file).is_some() {
        out.push(match index.dex(file) {
            Some(d) => {
                let (mut string_t, mut bytes_t) = (None, None);
                for t in 0..d.type_count() {
                    match index.type_at(file, t).as_deref() {
                        Some("Ljava/lang/String;") => string_t = Some(t),
                        Some("[B") => bytes_t = Some(t),
                        _ => {}
                    }
                }
                let protos: Vec<bool> = (0..d.proto_count())
                    .map(|p| {
                        let Ok(id) = d.proto_id(p) else { return false };
                        if string_t.is_none() || Some(id.return_type_idx) != string_t {
                            return false;
                        }
                        matches!(d.type_list("proto_id", p, id.parameters_off).as_deref(),
                            Ok([one]) if Some(*one) == string_t || Some(*one) == bytes_t)
                    })
                    .collect();
                FileFilter {
                    any: protos.contains(&true),
                    protos: Some(protos),
                    byte_array: bytes_t,
                }
            }
            None => FileFilter {
                protos: None,
                byte_array: None,
                any: true,
            },
        });
        match file.checked_add(1) {
            Some(f) => file = f,
            None => break,
        }
    }
    out
}

/// What one pass over the classes gathers.
#[derive(Default)]
struct Pass<'i> {
    renamed: u64,
    /// Per group (top package, a prefix of the descriptor), (classes, renamed).
    groups: FxHashMap<&'i str, (u64, u64)>,
    /// Calls right after a `const-string` (or a `new-array [B`), per (file, method id).
    after_literal: FxHashMap<u64, Candidate>,
    /// `[B` type per (file, type id) of smali inputs, memoised.
    byte_array: FxHashMap<u64, bool>,
    /// (caller class, loader) pairs.
    loader_calls: Vec<(String, &'static str)>,
}

#[derive(Default, Clone)]
struct Candidate {
    calls: u32,
    classes: u32,
    last_class: u32,
    /// Whether the calls follow `new-array [B` (else `const-string`).
    bytes: bool,
    samples: [u32; SAMPLES],
    sampled: u8,
}

impl<'i> Pass<'i> {
    fn walk(&mut self, index: &'i CodeIndex<'_>, loaders: &FxHashMap<u64, &'static str>) {
        let filters = file_filters(index);
        for (ci, class) in index.classes().enumerate() {
            let ci = ci as u32 + 1;
            let desc = class.descriptor();
            let is_renamed = class_renamed(desc);
            let g = self.groups.entry(group_of(desc)).or_default();
            g.0 += 1;
            if is_renamed {
                g.1 += 1;
                self.renamed += 1;
            }
            let file = class.file_index();
            let filter = filters.get(usize::from(file));
            let dex = index.dex(file);
            // Whether method id `m` of this file may be a decryptor (by its proto).
            let maybe = |m: u32| match (filter.and_then(|f| f.protos.as_ref()), dex) {
                (Some(protos), Some(d)) => d
                    .method_id(m)
                    .ok()
                    .and_then(|id| protos.get(usize::from(id.proto_idx)).copied())
                    .unwrap_or(false),
                _ => true,
            };
            let exempt = LOADER_EXEMPT.iter().any(|p| desc.starts_with(p));
            if !filter.is_none_or(|f| f.any) && (loaders.is_empty() || exempt) {
                continue;
            }
            for m in class.methods() {
                let mut prev: Option<CodeRef> = None;
                for r in m.refs() {
                    if r.kind == RefKind::Method {
                        let k = key(file, r.idx);
                        if !loaders.is_empty() && !exempt {
                            if let Some(l) = loaders.get(&k) {
                                if !self.loader_calls.iter().any(|(c, x)| c == desc && x == l) {
                                    self.loader_calls.push((desc.to_string(), l));
                                }
                            }
                        }
                        match prev {
                            Some(p) if p.kind == RefKind::String && maybe(r.idx) => {
                                self.note(k, ci, false, Some(p.idx));
                            }
                            Some(p) if p.kind == RefKind::Type && maybe(r.idx) => {
                                let is_bytes = match filter {
                                    Some(FileFilter {
                                        protos: Some(_),
                                        byte_array,
                                        ..
                                    }) => *byte_array == Some(p.idx),
                                    _ => *self.byte_array.entry(key(file, p.idx)).or_insert_with(
                                        || index.type_at(file, p.idx).as_deref() == Some("[B"),
                                    ),
                                };
                                if is_bytes {
                                    self.note(k, ci, true, None);
                                }
                            }
                            _ => {}
                        }
                    }
                    prev = Some(*r);
                }
            }
        }
    }

    fn note(&mut self, k: u64, class: u32, bytes: bool, literal: Option<u32>) {
        let c = self.after_literal.entry(k).or_default();
        c.calls += 1;
        c.bytes |= bytes;
        if c.last_class != class {
            c.last_class = class;
            c.classes += 1;
        }
        if let Some(s) = literal {
            if let Some(slot) = c.samples.get_mut(usize::from(c.sampled)) {
                *slot = s;
                c.sampled += 1;
            }
        }
    }

    fn renamed_summary(&self, classes: u64) -> HiddenRenamed {
        let mut packages: Vec<HiddenPackage> = self
            .groups
            .iter()
            .map(|(p, (n, r))| HiddenPackage {
                package: if p.is_empty() {
                    "(default package)".to_string()
                } else {
                    dotted(p).trim_end_matches('.').to_string()
                },
                classes: *n,
                renamed: *r,
            })
            .collect();
        packages.sort_by(|a, b| {
            b.classes
                .cmp(&a.classes)
                .then(b.renamed.cmp(&a.renamed))
                .then(a.package.cmp(&b.package))
        });
        packages.truncate(MAX_PACKAGES);
        HiddenRenamed {
            classes,
            renamed: self.renamed,
            percent: percent(self.renamed, classes),
            packages,
        }
    }
}

/// `part` of `whole` in percent, rounded down (so 99.6 % is not "100 %"), at least 1 when
/// `part` is not 0.
fn percent(part: u64, whole: u64) -> u64 {
    if whole == 0 || part == 0 {
        return 0;
    }
    (part * 100 / whole).max(1)
}

/// The group a class is counted in, as a prefix of its descriptor: its first package
/// segment (`La/`), or the first two when the first is a reverse-domain root
/// (`Lcom/example/`); empty for the default package.
fn group_of(desc: &str) -> &str {
    let Some(first) = desc.find('/') else {
        return "";
    };
    let root = desc.get(1..first).unwrap_or("");
    let end = match desc.get(first + 1..).and_then(|rest| rest.find('/')) {
        Some(second) if DOMAIN_ROOTS.contains(&root) => first + 1 + second,
        _ => first,
    };
    desc.get(..=end).unwrap_or("")
}

/// Whether a class descriptor is a renamed class (see the module docs).
pub fn class_renamed(desc: &str) -> bool {
    let Some(body) = desc.strip_prefix('L').and_then(|d| d.strip_suffix(';')) else {
        return false;
    };
    let (pkg, simple) = match body.rsplit_once('/') {
        Some((p, s)) => (Some(p), s),
        None => (None, body),
    };
    // The simple name first: most classes of an unobfuscated app fail there.
    let mut named = false;
    for part in simple.split('$') {
        if part.is_empty() || part.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if !generated_name(part) {
            return false;
        }
        named = true;
    }
    if !named {
        return false;
    }
    let Some(pkg) = pkg else { return true };
    let root = pkg.split('/').next().unwrap_or("");
    (root.len() > 4 || !DOMAIN_ROOTS.contains(&root)) && pkg.split('/').all(generated_name)
}

/// Whether one identifier is a shrinker's or obfuscator's name (see the module docs).
pub fn generated_name(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() {
        return false;
    }
    if b.is_ascii() {
        return (b.len() <= 4 && dictionary_name(b))
            || (b.len() >= 6 && hashed_name(b))
            || (b.len() >= 2 && confusable_name(b));
    }
    // DexGuard-style Unicode names: 1–4 characters, none ASCII.
    let n = s.chars().count();
    (1..=4).contains(&n) && s.chars().all(|c| !c.is_ascii() && !c.is_whitespace())
}

/// `a`, `ab`, `abc`, `a0`, `ab12`.
fn dictionary_name(b: &[u8]) -> bool {
    let letters = b.iter().take_while(|c| c.is_ascii_lowercase()).count();
    let rest = b.get(letters..).unwrap_or_default();
    if !rest.iter().all(u8::is_ascii_digit) {
        return false;
    }
    match rest.len() {
        0 => (1..=3).contains(&letters),
        1 | 2 => (1..=2).contains(&letters),
        _ => false,
    }
}

/// `p2dcb56dc`, `3f9a0c1d`: an optional prefix of at most two non-hex letters, then at least
/// 6 lower-case hex digits with at least 2 digits and a letter.
fn hashed_name(b: &[u8]) -> bool {
    if b.len() > 40 {
        return false;
    }
    let prefix = b
        .iter()
        .take_while(|c| c.is_ascii_alphabetic() && !c.is_ascii_hexdigit())
        .count();
    if prefix > 2 {
        return false;
    }
    let hex = b.get(prefix..).unwrap_or_default();
    let (mut digits, mut letters) = (0usize, 0usize);
    for c in hex {
        match c {
            b'0'..=b'9' => digits += 1,
            b'a'..=b'f' => letters += 1,
            _ => return false,
        }
    }
    hex.len() >= 6 && digits >= 2 && letters >= 1
}

/// `Il1I`, `O0OO`: only `I`, `l`, `1`, `O`, `0`, `i`, at least two of them.
fn confusable_name(b: &[u8]) -> bool {
    let mut seen = 0u8;
    for c in b {
        seen |= match c {
            b'I' => 1,
            b'l' => 2,
            b'1' => 4,
            b'O' => 8,
            b'0' => 16,
            b'i' => 32,
            _ => return false,
        };
    }
    seen.count_ones() >= 2
}

/// Whether a string literal looks like ciphertext: no spaces, 16 or more characters of the
/// base64 alphabet (with upper-case, lower-case letters and digits) or 16 or more hex
/// digits (with letters and digits), whose character entropy is at least 80 % of the most
/// its length allows.
pub fn looks_encrypted(s: &str) -> bool {
    const ENTROPY_CHARS: usize = 128;
    let b = s.as_bytes();
    if b.len() < 16 || b.len() > 16 * 1024 {
        return false;
    }
    let body = s.trim_end_matches('=');
    let hex = body.bytes().all(|c| c.is_ascii_hexdigit());
    let b64 = body
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'-' | b'_'));
    if !(hex || b64) {
        return false;
    }
    let digits = body.bytes().any(|c| c.is_ascii_digit());
    let letters = body.bytes().any(|c| c.is_ascii_alphabetic());
    if !(digits && letters) {
        return false;
    }
    if !hex {
        let upper = body.bytes().any(|c| c.is_ascii_uppercase());
        let lower = body.bytes().any(|c| c.is_ascii_lowercase());
        if !(upper && lower) {
            return false;
        }
    }
    // Entropy of the first ENTROPY_CHARS characters: H = log2 n - (1/n) * sum(k log2 k),
    // with k log2 k from a table (a long ciphertext is as random at its start).
    let window = body
        .as_bytes()
        .get(..ENTROPY_CHARS)
        .unwrap_or(body.as_bytes());
    let mut counts = [0u8; 128];
    for &c in window {
        if let Some(k) = counts.get_mut(usize::from(c)) {
            *k += 1;
        }
    }
    let table = k_log2_k();
    let sum: f64 = counts
        .iter()
        .filter(|&&k| k > 1)
        .map(|&k| table.get(usize::from(k)).copied().unwrap_or(0.0))
        .sum();
    let n = window.len() as f64;
    let entropy = n.log2() - sum / n;
    let alphabet: f64 = if hex { 16.0 } else { 64.0 };
    let max = n.min(alphabet).log2();
    entropy >= 0.8 * max
}

/// A decryptor candidate's calls, calling classes, ciphertext samples and samples.
type Tally = (u32, u32, u32, u32);

/// `k * log2(k)` for `k` in `0..=255`, computed once.
fn k_log2_k() -> &'static [f64; 256] {
    static TABLE: std::sync::OnceLock<[f64; 256]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [0.0; 256];
        for (k, x) in t.iter_mut().enumerate().skip(2) {
            let k = k as f64;
            *x = k * k.log2();
        }
        t
    })
}

fn strings_summary(index: &CodeIndex<'_>, pass: &Pass) -> HiddenStrings {
    let (mut literals, mut cipher) = (0u64, 0u64);
    for (s, site) in index.all_strings() {
        if site.referenced_by_code {
            literals += 1;
            if looks_encrypted(&s) {
                cipher += 1;
            }
        }
    }
    // Candidates, resolved and merged across files by (class, name, proto).
    let mut merged: FxHashMap<(String, String, String), Tally> = FxHashMap::default();
    for (k, c) in &pass.after_literal {
        if c.calls < 2 {
            continue;
        }
        let (file, m) = ((k >> 32) as u16, *k as u32);
        let Some((class, name, proto)) = index.method_parts(file, m) else {
            continue;
        };
        let want = if c.bytes {
            "([B)Ljava/lang/String;"
        } else {
            "(Ljava/lang/String;)Ljava/lang/String;"
        };
        if proto != want {
            continue;
        }
        let (enc, sampled) = c
            .samples
            .iter()
            .take(usize::from(c.sampled))
            .filter_map(|&i| index.string_at(file, i))
            .fold((0u32, 0u32), |(e, n), s| {
                (e + u32::from(looks_encrypted(&s)), n + 1)
            });
        let e = merged
            .entry((class.into_owned(), name.into_owned(), proto))
            .or_default();
        e.0 += c.calls;
        e.1 += c.classes;
        e.2 += enc;
        e.3 += sampled;
    }
    let mut decryptors: Vec<HiddenDecryptor> = merged
        .into_iter()
        .filter(|((class, name, proto), (calls, classes, enc, sampled))| {
            let bytes = proto.starts_with("([B)");
            let enough = *classes >= DECRYPTOR_MIN_CLASSES
                && *calls >= DECRYPTOR_MIN_CALLS * if bytes { 2 } else { 1 };
            let cipher_args = bytes || (*sampled > 0 && enc * 2 >= *sampled);
            enough && cipher_args && app_static(index, class, name, proto)
        })
        .map(
            |((class, name, proto), (calls, classes, _, _))| HiddenDecryptor {
                class: dotted(&class),
                method: name,
                proto,
                calls: u64::from(calls),
                callers: u64::from(classes),
            },
        )
        .collect();
    decryptors.sort_by(|a, b| {
        b.calls
            .cmp(&a.calls)
            .then(a.class.cmp(&b.class))
            .then(a.method.cmp(&b.method))
    });
    decryptors.truncate(MAX_LISTED);
    let share = percent(cipher, literals);
    let encrypted = !decryptors.is_empty()
        || (cipher >= CIPHER_MIN_LITERALS && cipher * 100 >= CIPHER_MIN_SHARE * literals);
    HiddenStrings {
        encrypted,
        literals,
        ciphertext_like: cipher,
        percent: share,
        decryptors,
    }
}

/// Whether `class.name proto` is a static method defined by the app.
fn app_static(index: &CodeIndex<'_>, class: &str, name: &str, proto: &str) -> bool {
    index
        .class(class)
        .and_then(|c| c.method(name, Some(proto)))
        .is_some_and(|m| m.access_flags() & 0x0008 != 0)
}

fn packed_summary(
    index: &CodeIndex<'_>,
    c: &Collected<'_>,
    loader_calls: &[(String, &'static str)],
) -> HiddenPacked {
    let mut evidence: Vec<Evidence> = Vec::new();
    let mut packers: Vec<String> = Vec::new();
    for p in PACKERS {
        let mut hit = false;
        for lib in &c.native_libs {
            let file = lib.rsplit('/').next().unwrap_or(lib);
            if p.libs.iter().any(|l| file.starts_with(l)) {
                hit = true;
                evidence.push(Evidence {
                    kind: "packer_lib".into(),
                    value: format!("{}: {file}", p.name),
                    location: lib.clone(),
                });
            }
        }
        for cls in p.classes {
            let found: Vec<String> = if cls.ends_with(';') {
                index
                    .class(cls)
                    .map(|c| c.descriptor().to_string())
                    .into_iter()
                    .collect()
            } else {
                index
                    .classes_with_prefix(cls)
                    .take(3)
                    .map(|c| c.descriptor().to_string())
                    .collect()
            };
            for d in found {
                hit = true;
                let location = index
                    .class(&d)
                    .map(|c| c.dex_file().to_string())
                    .unwrap_or_default();
                evidence.push(Evidence {
                    kind: "packer_class".into(),
                    value: format!("{}: {}", p.name, dotted(&d)),
                    location,
                });
            }
        }
        for a in &c.assets {
            let inner = asset_path(a);
            if p.assets.iter().any(|x| inner.starts_with(x)) {
                hit = true;
                evidence.push(Evidence {
                    kind: "packer_asset".into(),
                    value: format!("{}: {inner}", p.name),
                    location: a.clone(),
                });
            }
        }
        if hit {
            packers.push(p.name.to_string());
        }
    }
    let mut payloads = 0usize;
    for a in &c.assets {
        let lower = asset_path(a).to_ascii_lowercase();
        if [".dex", ".jar", ".apk", ".odex"]
            .iter()
            .any(|x| lower.ends_with(x))
        {
            payloads += 1;
            evidence.push(Evidence {
                kind: "code_asset".into(),
                value: "DEX, JAR or APK file in assets".into(),
                location: a.clone(),
            });
        }
    }
    for (name, bytes) in &c.files {
        let inner = asset_path(name);
        if !(inner.starts_with("assets/") || inner.starts_with("res/raw")) {
            continue;
        }
        if looks_encrypted_file(bytes) {
            payloads += 1;
            evidence.push(Evidence {
                kind: "encrypted_asset".into(),
                value: format!(
                    "{} bytes, no known format, {:.2} bits of entropy per byte",
                    bytes.len(),
                    byte_entropy(&bytes[..bytes.len().min(ENTROPY_WINDOW)])
                ),
                location: name.clone(),
            });
        }
    }
    for (class, loader) in loader_calls {
        let location = index
            .class(class)
            .map(|c| c.dex_file().to_string())
            .unwrap_or_default();
        evidence.push(Evidence {
            kind: "dex_loader".into(),
            value: format!("{} -> {loader}", dotted(class)),
            location,
        });
    }
    let packed = !packers.is_empty() || (!loader_calls.is_empty() && payloads > 0);
    // Packer evidence first, then loaders, then payloads; at most MAX_LISTED of each kind.
    let rank = |k: &str| match k {
        "packer_class" | "packer_lib" | "packer_asset" => 0,
        "dex_loader" => 1,
        _ => 2,
    };
    evidence.sort_by(|a, b| {
        rank(&a.kind)
            .cmp(&rank(&b.kind))
            .then(a.kind.cmp(&b.kind))
            .then(a.location.cmp(&b.location))
            .then(a.value.cmp(&b.value))
    });
    evidence.dedup();
    let mut per_kind: FxHashMap<String, usize> = FxHashMap::default();
    evidence.retain(|e| {
        let n = per_kind.entry(e.kind.clone()).or_default();
        *n += 1;
        *n <= MAX_LISTED
    });
    HiddenPacked {
        packed,
        packers,
        loaders: loader_calls.len() as u64,
        evidence,
    }
}

/// The path inside the (inner) APK: a bundle's entries are prefixed with `split.apk!/`.
fn asset_path(name: &str) -> &str {
    name.rsplit_once("!/").map_or(name, |(_, p)| p)
}

/// Whether a file's bytes look encrypted: at least [`MIN_PAYLOAD`] bytes, no known media,
/// archive or code format by its magic, and at least 7.9 bits of entropy per byte over the
/// first [`ENTROPY_WINDOW`] bytes (compressed formats have magic numbers; plain text,
/// images' headers and binary tables stay well below).
pub fn looks_encrypted_file(b: &[u8]) -> bool {
    if b.len() < MIN_PAYLOAD || known_magic(b) {
        return false;
    }
    byte_entropy(&b[..b.len().min(ENTROPY_WINDOW)]) >= 7.9
}

fn known_magic(b: &[u8]) -> bool {
    const MAGICS: &[&[u8]] = &[
        b"PK\x03\x04",
        b"\x1f\x8b",
        b"\x89PNG",
        b"\xff\xd8\xff",
        b"GIF8",
        b"RIFF",
        b"OggS",
        b"ID3",
        b"\xff\xfb",
        b"\xff\xf3",
        b"\xff\xf1",
        b"\xff\xf9",
        b"fLaC",
        b"7z\xbc\xaf",
        b"\xfd7zXZ",
        b"BZh",
        b"\x28\xb5\x2f\xfd",
        b"\x7fELF",
        b"dex\n",
        b"SQLite format 3",
        b"wOFF",
        b"wOF2",
        b"OTTO",
        b"\x00\x01\x00\x00",
        b"%PDF",
        b"\x1aE\xdf\xa3",
        b"MThd",
        b"caff",
        b"#!AMR",
    ];
    if MAGICS.iter().any(|m| b.starts_with(m)) {
        return true;
    }
    // ISO media (`....ftyp`), TensorFlow Lite (`....TFL3`).
    matches!(b.get(4..8), Some(b"ftyp") | Some(b"TFL3"))
}

fn byte_entropy(b: &[u8]) -> f64 {
    if b.is_empty() {
        return 0.0;
    }
    let mut counts = [0u64; 256];
    for &x in b {
        counts[x as usize] += 1;
    }
    let n = b.len() as f64;
    counts
        .iter()
        .filter(|&&k| k > 0)
        .map(|&k| {
            let p = k as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// The level and the coverage sentences.
fn finish(renamed: HiddenRenamed, strings: HiddenStrings, packed: HiddenPacked) -> Hidden {
    let is_renamed = renamed.percent >= RENAMED_SHARE && renamed.renamed >= RENAMED_MIN;
    let mut coverage = Vec::new();
    if packed.packed {
        let by = if packed.packers.is_empty() {
            "a run-time DEX loader and an encrypted or DEX payload".to_string()
        } else {
            packed.packers.join(", ")
        };
        coverage.push(format!(
            "code packed ({by}): the real code is not in the APK's DEX; findings cover the loader only"
        ));
    } else if packed.loaders > 0 {
        let first = packed
            .evidence
            .iter()
            .find(|e| e.kind == "dex_loader")
            .map(|e| e.value.clone())
            .unwrap_or_default();
        coverage.push(format!(
            "app code loads DEX at run time ({first}): code loaded that way is not in the APK and was not scanned"
        ));
    }
    if is_renamed {
        coverage.push(format!(
            "{}% of classes renamed: tracker SDKs are found by structure only; name rules see {}% of the code",
            renamed.percent,
            100 - renamed.percent
        ));
    }
    if strings.encrypted {
        let how = match strings.decryptors.first() {
            Some(d) => format!(
                "decryptor {}.{} called {} times from {} classes",
                d.class, d.method, d.calls, d.callers
            ),
            None => format!(
                "{}% of string literals look like ciphertext",
                strings.percent
            ),
        };
        coverage.push(format!(
            "string constants encrypted ({how}): hosts and SDK strings in code are hidden"
        ));
    }
    let payload = packed
        .evidence
        .iter()
        .any(|e| e.kind == "encrypted_asset" || e.kind == "code_asset");
    let level = if packed.packed || (is_renamed && renamed.percent >= 50 && strings.encrypted) {
        "heavy"
    } else if is_renamed || strings.encrypted || packed.loaders > 0 || payload {
        "partial"
    } else {
        "none"
    };
    if level == "partial" && coverage.is_empty() {
        coverage.push(
            "encrypted or code payload in the assets: if the app loads it, that code was not scanned"
                .to_string(),
        );
    }
    Hidden {
        level: level.to_string(),
        renamed,
        strings,
        packed,
        coverage,
    }
}

impl Hidden {
    /// The short form for verdicts: `92% of classes renamed, strings encrypted, code packed`
    /// (empty at level `none`).
    pub fn short(&self) -> String {
        let mut parts = Vec::new();
        if self.renamed.percent >= RENAMED_SHARE && self.renamed.renamed >= RENAMED_MIN {
            parts.push(format!("{}% of classes renamed", self.renamed.percent));
        }
        if self.strings.encrypted {
            parts.push("strings encrypted".to_string());
        }
        if self.packed.packed {
            parts.push("code packed".to_string());
        } else if self.packed.loaders > 0 {
            parts.push("DEX loaded at run time".to_string());
        }
        if parts.is_empty() && self.level != "none" {
            parts.push("encrypted payload in assets".to_string());
        }
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;
    use trackscan_dex::IndexBuilder;
    use trackscan_fixtures::dex::{ClassDefSpec, DexBuilder, MethodDef, MethodKey, Op};

    const S: &str = "Ljava/lang/String;";

    fn index_of(dex: &[u8]) -> CodeIndex<'_> {
        let mut b = IndexBuilder::new();
        b.add_dex("classes.dex", dex).unwrap();
        b.finish()
    }

    fn plain(desc: &str) -> ClassDefSpec {
        ClassDefSpec::new(
            desc,
            vec![MethodDef::new("run", &[], "V", vec![Op::ReturnVoid])],
        )
    }

    /// A static `(String)String` method of `class`.
    fn decryptor(class: &str, name: &str) -> ClassDefSpec {
        let mut m = MethodDef::new(name, &[S], S, vec![Op::ReturnObject(0)]);
        m.access_flags = 0x0009;
        ClassDefSpec::new(class, vec![m])
    }

    /// A class whose method calls `target` right after each literal.
    fn caller(desc: &str, target: &MethodKey, literals: &[String]) -> ClassDefSpec {
        let mut code = Vec::new();
        for l in literals {
            code.push(Op::ConstString(l.clone()));
            code.push(Op::InvokeStatic(target.clone()));
        }
        code.push(Op::ReturnVoid);
        ClassDefSpec::new(desc, vec![MethodDef::new("go", &[], "V", code)])
    }

    /// Deterministic pseudo-random base64 ciphertext.
    fn cipher(seed: u64) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        (0..32)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                A[(x % 64) as usize] as char
            })
            .collect::<String>()
            + "=="
    }

    #[test]
    fn renamed_names_follow_the_shrinkers_dictionaries() {
        for d in [
            "La;",
            "La/b;",
            "La/b/c;",
            "Lo/ab$c;",
            "Lb/a/a/a$1;",
            "La0/b1;",
            "Lp2dcb56dc/pa1b2c3d4;",
            "Lp2dcb56dc/a;",
            "La/Il1I;",
        ] {
            assert!(class_renamed(d), "{d} should be renamed");
        }
        for d in [
            "Lcom/example/a;",
            "Lcom/a/b;",
            "Lio/a/b;",
            "Lcom/example/R$string;",
            "Lcom/example/R$id;",
            "LR$id;",
            "Lcom/example/Main$a;",
            "Lcom/example/Main$1;",
            "Landroidx/core/app/a;",
            "Lokhttp3/a;",
            "Lfacade/decade;",
            "Lcafebabe/a;",
            "La/Main;",
            "L$1;",
            "Lnot-a-descriptor",
        ] {
            assert!(!class_renamed(d), "{d} should not be renamed");
        }
    }

    #[test]
    fn ciphertext_looks_random_and_words_do_not() {
        assert!(looks_encrypted(&cipher(1)));
        assert!(looks_encrypted("3f9a0c1d7e2b8a4f6c0d9e1b2a3c4d5e"));
        for s in [
            "https://api.example.com/v1/track",
            "com.google.android.gms.ads",
            "Hello world, this is text",
            "ThisIsSomeIdentifierName",
            "aaaaaaaaaaaaaaaaaaaaaaaa1A",
            "0123456789012345",
            "short1Ab",
            "Lcom/example/Main;",
        ] {
            assert!(!looks_encrypted(s), "{s}");
        }
    }

    #[test]
    fn renamed_code_with_a_decryptor_and_a_packer_is_heavy() {
        let dec = MethodKey::new("Lp1a2b3c4/a;", "a", &[S], S);
        let mut b = DexBuilder::new().class(decryptor("Lp1a2b3c4/a;", "a"));
        for i in 0..30u64 {
            let lits: Vec<String> = (0..3).map(|j| cipher(i * 10 + j)).collect();
            let name = format!("La/b{}/c;", (b'a' + (i % 26) as u8) as char);
            let name = if i < 26 { name } else { format!("La/c{i};") };
            b = b.class(caller(&name, &dec, &lits));
        }
        let loader = MethodKey::new(
            "Ldalvik/system/DexClassLoader;",
            "<init>",
            &[S, S, S, "Ljava/lang/ClassLoader;"],
            "V",
        );
        b = b.class(ClassDefSpec::new(
            "Lcom/example/Boot;",
            vec![MethodDef::new(
                "load",
                &[],
                "V",
                vec![
                    Op::NewInstance("Ldalvik/system/DexClassLoader;".into()),
                    Op::InvokeDirect(loader),
                    Op::ReturnVoid,
                ],
            )],
        ));
        let dex = b.build();
        let index = index_of(&dex);
        let c = Collected {
            native_libs: vec!["lib/arm64-v8a/libjiagu_a64.so".into()],
            ..Collected::default()
        };
        let h = assess(&index, &c);
        assert_eq!(h.renamed.classes, 32);
        assert_eq!(h.renamed.renamed, 31, "{:?}", h.renamed);
        assert_eq!(h.renamed.percent, 96);
        assert_eq!(h.renamed.packages[0].package, "a");
        assert!(h.strings.encrypted);
        let d = &h.strings.decryptors[0];
        assert_eq!((d.class.as_str(), d.method.as_str()), ("p1a2b3c4.a", "a"));
        assert_eq!((d.calls, d.callers), (90, 30));
        assert!(h.strings.percent >= 90, "{:?}", h.strings);
        assert!(h.packed.packed);
        assert_eq!(h.packed.packers, vec!["Jiagu (Qihoo 360)".to_string()]);
        assert_eq!(h.packed.loaders, 1);
        let kinds: Vec<&str> = h.packed.evidence.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["packer_lib", "dex_loader"]);
        assert_eq!(
            h.packed.evidence[1].value,
            "com.example.Boot -> dalvik.system.DexClassLoader"
        );
        assert_eq!(h.level, "heavy");
        assert_eq!(h.coverage.len(), 3, "{:?}", h.coverage);
        assert!(h.coverage[0].starts_with("code packed (Jiagu (Qihoo 360))"));
        assert!(h.coverage[1].starts_with("96% of classes renamed"));
        assert!(h.coverage[2].starts_with("string constants encrypted"));
        assert_eq!(
            h.short(),
            "96% of classes renamed, strings encrypted, code packed"
        );
    }

    #[test]
    fn a_normal_app_hides_nothing() {
        // A helper of proto (String)String called after plain literals from many classes is
        // no decryptor; a few `a`/`b` inner classes, R$string and short packages are normal.
        let tr = MethodKey::new("Lcom/example/I18n;", "tr", &[S], S);
        let mut b = DexBuilder::new().class(decryptor("Lcom/example/I18n;", "tr"));
        for i in 0..30 {
            let lits: Vec<String> = (0..3).map(|j| format!("label text {i} {j}")).collect();
            b = b.class(caller(&format!("Lcom/example/Screen{i};"), &tr, &lits));
        }
        for d in [
            "Lcom/example/Main$a;",
            "Lcom/example/Main$b;",
            "Lcom/example/R$string;",
            "Lio/a/Client;",
            "La/b;",
            "La/c;",
        ] {
            b = b.class(plain(d));
        }
        let dex = b.build();
        let index = index_of(&dex);
        let h = assess(&index, &Collected::default());
        assert_eq!(h.renamed.renamed, 2);
        assert!(!h.strings.encrypted);
        assert!(h.strings.decryptors.is_empty());
        assert!(!h.packed.packed);
        assert_eq!(h.level, "none");
        assert!(h.coverage.is_empty());
        assert_eq!(h.short(), "");
    }

    #[test]
    fn a_loader_alone_is_partial_and_platform_loaders_do_not_count() {
        let loader = MethodKey::new("Ldalvik/system/DexFile;", "loadDex", &[S, S, "I"], "V");
        let call = |d: &str| {
            ClassDefSpec::new(
                d,
                vec![MethodDef::new(
                    "load",
                    &[],
                    "V",
                    vec![Op::InvokeStatic(loader.clone()), Op::ReturnVoid],
                )],
            )
        };
        let dex = DexBuilder::new()
            .class(call("Landroidx/multidex/MultiDex;"))
            .build();
        let h = assess(&index_of(&dex), &Collected::default());
        assert_eq!((h.packed.loaders, h.level.as_str()), (0, "none"));
        let dex = DexBuilder::new()
            .class(call("Lcom/example/Plugins;"))
            .build();
        let h = assess(&index_of(&dex), &Collected::default());
        assert_eq!((h.packed.loaders, h.level.as_str()), (1, "partial"));
        assert!(!h.packed.packed);
        assert!(
            h.coverage[0].contains("DexFile.loadDex"),
            "{:?}",
            h.coverage
        );
        // With an encrypted payload in the assets, it is packed.
        let mut x: u32 = 12345;
        let payload: Vec<u8> = (0..20_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x >> 8) as u8
            })
            .collect();
        let c = Collected {
            assets: vec!["assets/data0".into(), "assets/fonts/a.ttf".into()],
            files: vec![
                ("assets/data0".into(), Cow::Owned(payload.clone())),
                ("assets/readme.txt".into(), Cow::Borrowed(&b"hello"[..])),
            ],
            ..Collected::default()
        };
        let h = assess(&index_of(&dex), &c);
        assert!(h.packed.packed);
        assert_eq!(h.level, "heavy");
        assert!(h
            .packed
            .evidence
            .iter()
            .any(|e| e.kind == "encrypted_asset"));
        // The same bytes behind a PNG header are media, not a payload.
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend_from_slice(&payload);
        assert!(!looks_encrypted_file(&png));
        assert!(looks_encrypted_file(&payload));
        assert!(!looks_encrypted_file(&vec![b'a'; 10_000]));
    }

    #[test]
    fn packer_stub_classes_and_assets_are_named() {
        let dex = DexBuilder::new()
            .class(plain("Lcom/secneo/apkwrapper/ApplicationWrapper;"))
            .build();
        let c = Collected {
            assets: vec!["assets/secData0.jar".into()],
            ..Collected::default()
        };
        let h = assess(&index_of(&dex), &c);
        assert!(h.packed.packed);
        assert_eq!(h.packed.packers, vec!["Bangcle (SecNeo)".to_string()]);
        let kinds: Vec<&str> = h.packed.evidence.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["packer_asset", "packer_class", "code_asset"]);
    }

    #[test]
    fn summary_says_the_code_is_hidden() {
        let mut b = DexBuilder::new();
        for i in 0..40u32 {
            b = b.class(plain(&format!(
                "La/b/{}{};",
                (b'a' + (i % 26) as u8) as char,
                i / 26
            )));
        }
        let dex = b.build();
        let scanner = crate::Scanner::with_builtin_rules().unwrap();
        let r = scanner.scan_bytes("x.dex", &dex);
        let h = r.hidden.as_ref().unwrap();
        assert_eq!(h.level, "partial");
        assert!(
            r.summary
                .starts_with("no known trackers in the readable code (100% of classes renamed; "),
            "{}",
            r.summary
        );
        let plain_dex = DexBuilder::new().class(plain("Lcom/example/Main;")).build();
        let r = scanner.scan_bytes("y.dex", &plain_dex);
        assert!(
            r.summary.starts_with("no known trackers ("),
            "{}",
            r.summary
        );
        assert_eq!(r.hidden.as_ref().unwrap().level, "none");
    }
}
