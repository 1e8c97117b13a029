use super::*;
use crate::libfp::{lib_classes, LibClass};
use crate::library::{Library, SdkBuilds};
use trackscan_fixtures::dex::{
    ClassDefSpec, DexBuilder, FieldDef, FieldKey, MethodDef, MethodKey, Op, StaticValue,
};

/// A small "SDK": `n` classes under `pkg`, each calling the platform and its sibling, with
/// a per-class constant so that the classes differ. `salt` changes one constant of every
/// class (the near miss).
fn sdk(pkg: &str, n: usize, salt: i8, app: &str) -> Vec<u8> {
    sdk_with(pkg, n, salt, app, false)
}

/// `encrypt`: every string constant is "encrypted" the way Obfuscapk and DexGuard do it:
/// other content, then a static call to an app `(String)String` helper and its
/// `move-result-object`.
fn sdk_with(pkg: &str, n: usize, salt: i8, app: &str, encrypt: bool) -> Vec<u8> {
    let mut b = DexBuilder::new();
    let helper = MethodKey::new(
        &format!("L{app}/Dec;"),
        "d",
        &["Ljava/lang/String;"],
        "Ljava/lang/String;",
    );
    for i in 0..n {
        let me = format!("L{pkg}/C{i};");
        let next = format!("L{pkg}/C{};", (i + 1) % n);
        let mut code = vec![Op::Const4((i % 7) as i8); i + 1];
        if encrypt {
            code.push(Op::ConstString(format!("zq{i}x")));
            code.push(Op::InvokeStatic(helper.clone()));
            code.push(Op::Raw(vec![0x000c]));
        } else {
            code.push(Op::ConstString(format!("sdk-event-{i}")));
        }
        code.extend([
            Op::InvokeStatic(MethodKey::new(
                "Landroid/util/Log;",
                "d",
                &["Ljava/lang/String;", "Ljava/lang/String;"],
                "I",
            )),
            Op::NewInstance(next.clone()),
            Op::InvokeDirect(MethodKey::new(&next, "<init>", &[], "V")),
            Op::Sget(FieldKey::new(&next, "x", &format!("L{pkg}/C{i};"))),
            Op::Const4(salt),
            Op::InvokeVirtual(MethodKey::new(
                "Landroid/content/Context;",
                "getPackageName",
                &[],
                "Ljava/lang/String;",
            )),
            Op::ReturnVoid,
        ]);
        b = b.class(
            ClassDefSpec::new(
                &me,
                vec![MethodDef::new(
                    "run",
                    &["Landroid/content/Context;", &next],
                    "V",
                    code,
                )],
            )
            .field(FieldDef::new("x", &me, 0x0009)),
        );
    }
    if encrypt {
        b = b.class(ClassDefSpec::new(
            &format!("L{app}/Dec;"),
            vec![MethodDef {
                access_flags: 0x0009,
                ..MethodDef::new(
                    "d",
                    &["Ljava/lang/String;"],
                    "Ljava/lang/String;",
                    vec![Op::Return],
                )
            }],
        ));
    }
    // The app's own class, calling into the SDK.
    b = b.class(ClassDefSpec::new(
        &format!("L{app}/Main;"),
        vec![MethodDef::new(
            "go",
            &[],
            "V",
            vec![Op::NewInstance(format!("L{pkg}/C0;")), Op::ReturnVoid],
        )],
    ));
    b.build()
}

fn shapes(bytes: &[u8]) -> Vec<LibClass> {
    let dex = DexFile::parse(bytes).unwrap();
    lib_classes(&[dex], |_| true).0
}

fn hash_of(s: &[LibClass], descriptor: &str) -> u64 {
    s.iter()
        .find(|c| c.descriptor == descriptor)
        .unwrap()
        .hash()
}

/// A library of one SDK, one release: the classes of `s` under `prefix`.
fn library_of(s: &[LibClass], prefix: &str) -> Library {
    Library::build(&[SdkBuilds {
        id: "vendor".into(),
        releases: vec![(
            "1.0".into(),
            s.iter()
                .filter(|c| c.descriptor.starts_with(prefix))
                .cloned()
                .collect(),
        )],
    }])
}

/// How many app classes match the library's one SDK.
fn matched(lib: &Library, app: &[LibClass]) -> usize {
    lib.match_app(app).first().map_or(0, |m| m.classes.len())
}

#[test]
fn renamed_sdk_matches_the_library() {
    let orig = shapes(&sdk("com/vendor/sdk", 12, 3, "org/app"));
    let lib = library_of(&orig, "Lcom/vendor/sdk/");
    assert_eq!(lib.entry_count(), 12, "all classes distinct");
    let renamed = shapes(&sdk("a/b", 12, 3, "x"));
    let m = lib.match_app(&renamed);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].classes.len(), 12);
    // Flattened into the default package, with the app renamed too.
    let flat = shapes(&sdk("q", 12, 3, "z"));
    assert_eq!(matched(&lib, &flat), 12);
    // The app's own class does not match.
    assert!(m[0]
        .classes
        .iter()
        .all(|(i, _)| renamed[*i].descriptor.starts_with("La/b/")));
}

#[test]
fn near_miss_does_not_match() {
    let orig = shapes(&sdk("com/vendor/sdk", 12, 3, "org/app"));
    let lib = library_of(&orig, "Lcom/vendor/sdk/");
    // Same names, one constant different in every class (one no class of the vendor's has):
    // nothing matches. (Constants are a set: a class whose constants equal another class's
    // set would match that one.)
    let near = shapes(&sdk("com/vendor/sdk", 12, 9, "org/app"));
    assert!(lib.match_app(&near).is_empty());
}

#[test]
fn shrunk_sdk_is_a_subset() {
    let orig = shapes(&sdk("com/vendor/sdk", 12, 3, "org/app"));
    let lib = library_of(&orig, "Lcom/vendor/sdk/");
    // A build keeping 7 classes of the 12-class ring: the fingerprint ignores app names, so
    // all kept classes still match.
    let shrunk = shapes(&sdk("r", 7, 3, "s"));
    assert_eq!(matched(&lib, &shrunk), 7);
}

/// A release build removes unused methods and fields and renames the rest (flattened into one
/// package): the class left is a subset of the vendor's and still matches it; a class with a
/// method the vendor's lacks does not.
#[test]
fn shrunk_flattened_class_with_methods_removed_matches() {
    let call = |api: &str| {
        vec![
            Op::InvokeStatic(MethodKey::new("Landroid/os/SystemClock;", api, &[], "J")),
            Op::InvokeStatic(MethodKey::new(
                "Landroid/util/Log;",
                "d",
                &["Ljava/lang/String;", "Ljava/lang/String;"],
                "I",
            )),
            Op::NewInstance("Ljava/util/HashMap;".into()),
            Op::InvokeDirect(MethodKey::new("Ljava/util/HashMap;", "<init>", &[], "V")),
            Op::Sget(FieldKey::new("Lcom/v/A;", "x", "Ljava/lang/String;")),
            Op::ReturnVoid,
        ]
    };
    let class = |name: &str, methods: &[(&str, &str)], fields: &[&str]| {
        let mut c = ClassDefSpec::new(
            name,
            methods
                .iter()
                .map(|(m, api)| MethodDef::new(m, &[], "V", call(api)))
                .collect(),
        );
        for f in fields {
            c = c.field(FieldDef::new(f, "Ljava/lang/String;", 0x0009));
        }
        c
    };
    let vendor = DexBuilder::new()
        .class(class(
            "Lcom/v/A;",
            &[
                ("a", "uptimeMillis"),
                ("b", "elapsedRealtime"),
                ("c", "currentThreadTimeMillis"),
            ],
            &["x", "y"],
        ))
        .build();
    let lib = library_of(&shapes(&vendor), "Lcom/v/");
    let shrunk = DexBuilder::new()
        .class(class("Lo/a;", &[("a", "elapsedRealtime")], &["a"]))
        .build();
    assert_eq!(matched(&lib, &shapes(&shrunk)), 1);
    let other = DexBuilder::new()
        .class(class(
            "Lo/a;",
            &[("a", "elapsedRealtime"), ("b", "uptimeNanos")],
            &["a"],
        ))
        .build();
    assert_eq!(matched(&lib, &shapes(&other)), 0);
}

/// Two releases with the same classes tie: the version is the range of both, never one of
/// them; a class only the newer release has makes it exact.
#[test]
fn releases_that_tie_give_a_range() {
    let v1 = shapes(&sdk("com/vendor/sdk", 12, 3, "org/app"));
    let v3 = shapes(&sdk("com/vendor/sdk", 12, 5, "org/app"));
    let lib = Library::build(&[SdkBuilds {
        id: "vendor".into(),
        releases: vec![
            ("1.0".into(), v1.clone()),
            ("1.1".into(), v1.clone()),
            ("2.0".into(), v3),
        ],
    }]);
    let app = shapes(&sdk("q", 6, 3, "z"));
    let m = lib.match_app(&app);
    let v = m[0].versions(&lib).expect("a verdict");
    assert_eq!((v.first, v.last, v.tied), (0, 1, 2));
    let app3 = shapes(&sdk("q", 12, 5, "z"));
    let v = lib.match_app(&app3)[0].versions(&lib).expect("a verdict");
    assert_eq!((v.first, v.last), (2, 2));
}

#[test]
fn platform_names_matter_app_names_do_not() {
    // The platform method name is part of the fingerprint.
    let mk = |api: &str| {
        let b = DexBuilder::new().class(ClassDefSpec::new(
            "La/A;",
            vec![MethodDef::new(
                "m",
                &[],
                "V",
                vec![
                    Op::InvokeStatic(MethodKey::new("Landroid/os/SystemClock;", api, &[], "J")),
                    Op::ReturnVoid,
                ],
            )],
        ));
        shapes(&b.build())[0].hash()
    };
    assert_ne!(mk("uptimeMillis"), mk("elapsedRealtime"));
    assert_eq!(mk("uptimeMillis"), mk("uptimeMillis"));
}

#[test]
fn hostile_dex_does_not_panic() {
    let good = sdk("com/vendor/sdk", 4, 3, "org/app");
    for cut in (0..good.len()).step_by(7) {
        let mut b = good.clone();
        // Flip bytes past the header: offsets and code become garbage.
        for x in b.iter_mut().skip(0x70 + cut % 64).step_by(13) {
            *x ^= 0xa5;
        }
        if let Ok(d) = DexFile::parse(&b) {
            let _ = lib_classes(&[d], |_| true);
        }
        if let Ok(d) = DexFile::parse(&good[..cut]) {
            let _ = lib_classes(&[d], |_| true);
        }
    }
}

#[test]
fn string_encrypted_sdk_still_matches() {
    let orig = shapes(&sdk("com/vendor/sdk", 12, 3, "org/app"));
    let lib = library_of(&orig, "Lcom/vendor/sdk/");
    let enc = shapes(&sdk_with("k", 12, 3, "j", true));
    assert_eq!(matched(&lib, &enc), 12);
}

/// Obfuscapk's FieldRename adds one to four decoy fields per renamed field, copying its type
/// and flags: the class fingerprint takes field shapes as a set, so it does not change.
#[test]
fn decoy_fields_do_not_change_the_class() {
    let mk = |decoys: usize| {
        let mut c = ClassDefSpec::new(
            "La/A;",
            vec![MethodDef::new("m", &[], "V", vec![Op::ReturnVoid])],
        )
        .field(FieldDef::new("x", "Ljava/lang/String;", 0x0002))
        .field(FieldDef::new("y", "I", 0x0002));
        for i in 0..decoys {
            c = c.field(FieldDef::new(
                &format!("x{i}"),
                "Ljava/lang/String;",
                0x0002,
            ));
        }
        shapes(&DexBuilder::new().class(c).build())[0].hash()
    };
    assert_eq!(mk(0), mk(1));
    assert_eq!(mk(0), mk(4));
    // A field of another type still changes it.
    let other = ClassDefSpec::new(
        "La/A;",
        vec![MethodDef::new("m", &[], "V", vec![Op::ReturnVoid])],
    )
    .field(FieldDef::new("x", "Ljava/lang/String;", 0x0002))
    .field(FieldDef::new("y", "J", 0x0002));
    assert_ne!(
        mk(0),
        shapes(&DexBuilder::new().class(other).build())[0].hash()
    );
}

/// A string encryptor (Obfuscapk's ConstStringEncryption) moves a static String constant out
/// of `static_values` into `<clinit>` code: `const-string <cipher>`, a call to the app's
/// `(String)String` decrypt helper, `move-result-object`, `sput-object` into the field. It
/// adds a `<clinit>` when the class had none, or prepends that code to the one it had. Both
/// forms fingerprint like the original.
#[test]
fn clinit_string_constants_moved_into_decrypt_calls_still_match() {
    let dec = MethodKey::new(
        "Lz/Dec;",
        "d",
        &["Ljava/lang/String;"],
        "Ljava/lang/String;",
    );
    let tag = FieldKey::new("La/K;", "TAG", "Ljava/lang/String;");
    let run = || {
        MethodDef::new(
            "run",
            &[],
            "V",
            vec![
                Op::Sget(tag.clone()),
                Op::InvokeStatic(MethodKey::new(
                    "Landroid/util/Log;",
                    "d",
                    &["Ljava/lang/String;", "Ljava/lang/String;"],
                    "I",
                )),
                Op::ReturnVoid,
            ],
        )
    };
    let clinit = |code: Vec<Op>| MethodDef {
        access_flags: 0x10008,
        ..MethodDef::new("<clinit>", &[], "V", code)
    };
    let encrypted = |rest: Vec<Op>| {
        let mut code = vec![
            Op::ConstStringJumbo("6f2a9c".into()),
            Op::InvokeStatic(dec.clone()),
            Op::Raw(vec![0x000c]),
            Op::Sput(tag.clone()),
        ];
        code.extend(rest);
        code
    };
    let real = || {
        vec![
            Op::NewInstance("Ljava/util/HashMap;".into()),
            Op::InvokeDirect(MethodKey::new("Ljava/util/HashMap;", "<init>", &[], "V")),
            Op::Sput(FieldKey::new("La/K;", "m", "Ljava/util/Map;")),
            Op::ReturnVoid,
        ]
    };
    let class = |methods: Vec<MethodDef>, constant: bool| {
        let tag_field = if constant {
            FieldDef::constant(
                "TAG",
                "Ljava/lang/String;",
                StaticValue::Str("sdk-tag".into()),
            )
        } else {
            FieldDef::new("TAG", "Ljava/lang/String;", 0x0019)
        };
        let k = ClassDefSpec::new("La/K;", methods)
            .field(tag_field)
            .field(FieldDef::new("m", "Ljava/util/Map;", 0x0009));
        let d = ClassDefSpec::new(
            "Lz/Dec;",
            vec![MethodDef {
                access_flags: 0x0009,
                ..MethodDef::new(
                    "d",
                    &["Ljava/lang/String;"],
                    "Ljava/lang/String;",
                    vec![Op::Return],
                )
            }],
        );
        let s = shapes(&DexBuilder::new().class(k).class(d).build());
        hash_of(&s, "La/K;")
    };
    // No `<clinit>` before; the encryptor adds one that only sets the constant.
    let orig = class(vec![run()], true);
    let added = class(vec![clinit(encrypted(vec![Op::ReturnVoid])), run()], false);
    assert_eq!(orig, added);
    // A `<clinit>` with real work; the encryptor prepends the constant's decryption.
    let orig = class(vec![clinit(real()), run()], true);
    let prepended = class(vec![clinit(encrypted(real())), run()], false);
    assert_eq!(orig, prepended);
    // Real work in `<clinit>` still counts.
    assert_ne!(orig, class(vec![run()], true));
}
