//! The SDK library's promise, on fixtures built here: a class read from a vendor's jar (the
//! way `bench/library/dex_builds.py` reads it: javac's class files, translated by AOSP dx with
//! `--no-optimize --min-sdk-version=26`) matches the same class inside an app that was
//! compiled differently (debug info on, dx's optimiser on, no min SDK), renamed, flattened
//! into one package beside the app's own classes, and shrunk (a method removed). Two releases
//! with the same code give a range, a release with changed code is exact. Arithmetic with
//! literal operands (`*-int/lit8|lit16`, which an optimiser makes of a `const` load) is part of
//! the fixture.
//!
//! Needs a JDK (`javac`, `jar`, `java`) and the dx and android jars of
//! `../shared/obfuscation/shrink/`. Without them the test says so and passes, unless
//! `TRACKSCAN_REQUIRE_JAVA=1` (CI sets it and installs the JDK).

use std::path::{Path, PathBuf};
use std::process::Command;

use trackscan_dex::DexFile;
use trackscan_shape::libfp::{lib_classes, LibClass};
use trackscan_shape::library::{Library, SdkBuilds};

/// Names of the SDK's classes in one build: the vendor's, or the app's after renaming.
struct Names {
    pkg: &'static str,
    tracker: &'static str,
    net: &'static str,
    store: &'static str,
    queue: &'static str,
    session: &'static str,
    util: &'static str,
    /// Method names (vendor: readable; app: renamed).
    m: [&'static str; 8],
}

const VENDOR: Names = Names {
    pkg: "com.example.tracksdk",
    tracker: "Tracker",
    net: "Net",
    store: "Store",
    queue: "EventQueue",
    session: "Session",
    util: "Util",
    m: [
        "deviceInfo",
        "send",
        "markSeen",
        "offer",
        "touch",
        "sha256",
        "hex",
        "drain",
    ],
};

/// ProGuard-style names, every SDK class flattened into the app's package `o`.
const APP: Names = Names {
    pkg: "o",
    tracker: "a",
    net: "b",
    store: "c",
    queue: "d",
    session: "e",
    util: "f",
    m: ["a", "b", "c", "a", "a", "a", "b", "b"],
};

/// The SDK's Java source, one file per class. `release` 2 changes the network timeouts and
/// adds a method to the queue; `shrunk` leaves out `Util.hex` (a release build drops an unused
/// method).
fn sdk_source(n: &Names, release: u32, shrunk: bool) -> Vec<(String, String)> {
    let p = n.pkg;
    let m = n.m;
    let (connect, read) = if release >= 2 {
        (20_000, 45_000)
    } else {
        (15_000, 30_000)
    };
    let mut out = vec![
        (
            n.tracker.to_string(),
            format!(
                "package {p};
public class {t} {{
    public static String {m0}(android.content.Context c) {{
        StringBuilder b = new StringBuilder();
        b.append(android.os.Build.MODEL).append('/').append(android.os.Build.VERSION.SDK_INT);
        b.append(android.provider.Settings.Secure.getString(c.getContentResolver(), \"android_id\"));
        b.append(c.getPackageName().length() * 42 + 1000 - 17);
        return b.toString();
    }}
    public static boolean isTablet(android.content.Context c) {{
        android.util.DisplayMetrics d = c.getResources().getDisplayMetrics();
        return Math.min(d.widthPixels, d.heightPixels) / d.density >= 600;
    }}
}}
",
                t = n.tracker,
                m0 = m[0]
            ),
        ),
        (
            n.net.to_string(),
            format!(
                "package {p};
public class {c} {{
    public static int {m1}(String url, byte[] body) throws java.io.IOException {{
        java.net.HttpURLConnection h = (java.net.HttpURLConnection) new java.net.URL(url).openConnection();
        h.setConnectTimeout({connect});
        h.setReadTimeout({read});
        h.setDoOutput(true);
        h.getOutputStream().write(body);
        return h.getResponseCode();
    }}
    public static boolean retryable(int code) {{
        return code == 429 || code == 503 || code >= 500 && code < 600;
    }}
}}
",
                c = n.net,
                m1 = m[1]
            ),
        ),
        (
            n.store.to_string(),
            format!(
                "package {p};
public class {c} {{
    public static boolean {m2}(android.content.Context c, String key) {{
        android.content.SharedPreferences p = c.getSharedPreferences(\"tracksdk\", 0);
        long now = System.currentTimeMillis();
        boolean stale = now - p.getLong(key, 0L) > 86400000L;
        p.edit().putLong(key, now).apply();
        return stale;
    }}
    public static int launches(android.content.Context c) {{
        android.content.SharedPreferences p = c.getSharedPreferences(\"tracksdk\", 0);
        int n = p.getInt(\"launches\", 0) + 1;
        p.edit().putInt(\"launches\", Math.min(n, 100000)).apply();
        return n;
    }}
}}
",
                c = n.store,
                m2 = m[2]
            ),
        ),
        (
            n.queue.to_string(),
            format!(
                "package {p};
public class {c} {{
    private final java.util.ArrayList<String> items = new java.util.ArrayList<String>();
    public synchronized boolean {m3}(String e) {{
        if (items.size() >= 500) {{
            items.remove(0);
        }}
        items.add(e);
        return items.size() % 100 == 0;
    }}
    public synchronized java.util.List<String> {m7}(int max) {{
        java.util.ArrayList<String> out = new java.util.ArrayList<String>();
        while (!items.isEmpty() && out.size() < Math.min(max, 50)) {{
            out.add(items.remove(0));
        }}
        return out;
    }}
{extra}}}
",
                c = n.queue,
                m3 = m[3],
                m7 = m[7],
                extra = if release >= 2 {
                    "    public synchronized int trim() {
        int n = 0;
        while (items.size() > 250) { items.remove(items.size() - 1); n++; }
        android.util.Log.d(\"tracksdk\", \"trimmed \" + n);
        return n;
    }
"
                } else {
                    ""
                }
            ),
        ),
        (
            n.session.to_string(),
            format!(
                "package {p};
public class {c} {{
    private long last;
    private int count;
    public synchronized boolean {m4}() {{
        long now = android.os.SystemClock.elapsedRealtime();
        boolean fresh = now - last > 1800000L;
        last = Math.max(now, last);
        if (fresh) {{ count++; }}
        return fresh;
    }}
    public int sessions() {{
        return Math.max(count, 0) + (int) (android.os.SystemClock.uptimeMillis() % 7L);
    }}
}}
",
                c = n.session,
                m4 = m[4]
            ),
        ),
    ];
    let hex = if shrunk {
        String::new()
    } else {
        format!(
            "    public static String {m6}(byte[] d) {{
        StringBuilder b = new StringBuilder();
        for (byte x : d) {{ b.append(Integer.toHexString((x & 0xff) | 0x100).substring(1, 3)); }}
        return b.toString();
    }}
",
            m6 = m[6]
        )
    };
    out.push((
        n.util.to_string(),
        format!(
            "package {p};
public class {c} {{
    public static byte[] {m5}(String s) throws java.security.NoSuchAlgorithmException {{
        java.security.MessageDigest d = java.security.MessageDigest.getInstance(\"SHA-256\");
        d.update(s.getBytes(java.nio.charset.Charset.forName(\"UTF-8\")));
        byte[] r = d.digest();
        return java.util.Arrays.copyOf(r, Math.min(r.length, 16));
    }}
{hex}}}
",
            c = n.util,
            m5 = m[5]
        ),
    ));
    out
}

/// The app's own code beside the flattened SDK: a class the library must not claim.
fn app_own_source() -> (String, String) {
    (
        "Main".to_string(),
        "package o;
public class Main {
    public static long checksum(byte[] d) {
        java.util.zip.CRC32 c = new java.util.zip.CRC32();
        c.update(d, 0, Math.min(d.length, 4096));
        return c.getValue() ^ 0x5bd1e995L;
    }
}
"
        .to_string(),
    )
}

struct Tools {
    shrink: PathBuf,
}

fn tools() -> Option<Tools> {
    let shrink = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/obfuscation/shrink");
    let have_jdk = ["javac", "jar", "java"].iter().all(|t| {
        Command::new(t)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let have_jars = shrink.join("dx.jar").is_file() && shrink.join("android.jar").is_file();
    if have_jdk && have_jars {
        return Some(Tools { shrink });
    }
    assert!(
        std::env::var_os("TRACKSCAN_REQUIRE_JAVA").is_none(),
        "TRACKSCAN_REQUIRE_JAVA is set but the JDK (javac, jar, java: apt-get install \
         default-jdk-headless) or {}/dx.jar and android.jar are missing",
        shrink.display()
    );
    eprintln!("note: no JDK or no dx/android jars; skipping the jar-vs-DEX fixture test");
    None
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("tool starts");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Compiles `sources` (package dir derived from the first line) and translates to DEX.
/// `vendor`: the library's way (jar, dx `--no-optimize --min-sdk-version=26`); otherwise the
/// app's way (javac `-g`, dx's optimiser on, classes straight from the directory).
fn build_dex(
    t: &Tools,
    work: &Path,
    name: &str,
    sources: &[(String, String)],
    vendor: bool,
) -> Vec<u8> {
    let src = work.join(name).join("src");
    let cls = work.join(name).join("classes");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::create_dir_all(&cls).unwrap();
    let mut files = Vec::new();
    for (class, text) in sources {
        let f = src.join(format!("{class}.java"));
        std::fs::write(&f, text).unwrap();
        files.push(f);
    }
    let mut javac = Command::new("javac");
    javac.args(["--release", "8", "-nowarn", "-encoding", "UTF-8"]);
    javac.arg(if vendor { "-g:none" } else { "-g" });
    javac.arg("-cp").arg(t.shrink.join("android.jar"));
    javac.arg("-d").arg(&cls).args(&files);
    run(&mut javac);
    let dex = work.join(name).join("classes.dex");
    let mut dx = Command::new("java");
    dx.arg("-cp").arg(t.shrink.join("dx.jar"));
    dx.args(["com.android.dx.command.Main", "--dex"]);
    if vendor {
        let jar = work.join(name).join("sdk.jar");
        run(Command::new("jar")
            .arg("cf")
            .arg(&jar)
            .arg("-C")
            .arg(&cls)
            .arg("."));
        dx.args(["--no-optimize", "--min-sdk-version=26"]);
        dx.arg(format!("--output={}", dex.display())).arg(&jar);
    } else {
        dx.arg(format!("--output={}", dex.display())).arg(&cls);
    }
    run(&mut dx);
    std::fs::read(&dex).unwrap()
}

fn classes(dex: &[u8], prefix: &str) -> Vec<LibClass> {
    let f = DexFile::parse(dex).expect("dx output parses");
    let (out, unreadable) = lib_classes(&[f], |d| d.starts_with(prefix.as_bytes()));
    assert_eq!(unreadable, 0);
    out
}

fn by_simple_name<'a>(cs: &'a [LibClass], simple: &str) -> &'a LibClass {
    cs.iter()
        .find(|c| c.descriptor.ends_with(&format!("/{simple};")))
        .unwrap_or_else(|| panic!("class {simple} in {cs:?}"))
}

#[test]
fn vendor_jar_class_matches_the_same_class_in_a_renamed_shrunk_flattened_app() {
    let Some(t) = tools() else { return };
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let vendor_dex = |name: &str, release: u32| {
        classes(
            &build_dex(&t, w, name, &sdk_source(&VENDOR, release, false), true),
            "Lcom/example/tracksdk/",
        )
    };
    let v100 = vendor_dex("v100", 1);
    let v110 = vendor_dex("v110", 1);
    let v200 = vendor_dex("v200", 2);
    assert_eq!(v100.len(), 6);
    assert_eq!(v100, v110, "the same code gives the same fingerprints");

    // The app: release 2 renamed into package `o`, shrunk, beside the app's own class.
    let mut app_src = sdk_source(&APP, 2, true);
    app_src.push(app_own_source());
    let app = classes(&build_dex(&t, w, "app2", &app_src, false), "Lo/");
    assert_eq!(app.len(), 7);

    // 1. Class by class: the app's form of every SDK class is within the jar's form of it.
    let pairs = [
        (VENDOR.tracker, APP.tracker),
        (VENDOR.net, APP.net),
        (VENDOR.store, APP.store),
        (VENDOR.queue, APP.queue),
        (VENDOR.session, APP.session),
        (VENDOR.util, APP.util),
    ];
    let mut differ = Vec::new();
    for (v, a) in pairs {
        let (vc, ac) = (by_simple_name(&v200, v), by_simple_name(&app, a));
        assert!(!ac.strong.is_empty(), "{a} has a strong method");
        if !ac.within(vc) {
            differ.push(v);
        }
    }
    // `Tracker.deviceInfo` computes `length() * 42 + 1000 - 17` and `EventQueue.offer` tests
    // `size() % 100 == 0`. javac emits `bipush 42; imul`; dx without its optimiser (the
    // library's translation) keeps a dead `const/16 42` beside `mul-int/lit8 …, 42`, an
    // optimising compiler (dx's optimiser here, d8/R8 in real builds) drops it, and writes
    // `- 17` as `add-int/lit8 …, -17`. `libfp`
    // counts a constant by its magnitude whether a `const*` loads it or a `*-int/lit8|lit16`
    // carries it, so both forms give one fingerprint: every class matches. (Before literal
    // operands counted, `Tracker` and `EventQueue` differed here: 4 of 6 matched.)
    assert_eq!(
        differ,
        Vec::<&str>::new(),
        "classes whose app form is not within the jar's"
    );
    // The shrunk class lost a method, so it is not equal, only within.
    assert_ne!(
        by_simple_name(&app, APP.util).methods,
        by_simple_name(&v200, VENDOR.util).methods
    );
    // Release 1's network class has other timeouts: the app's is not within it.
    assert!(!by_simple_name(&app, APP.net).within(by_simple_name(&v100, VENDOR.net)));

    // 2. The library built from the three releases names the SDK and release 2.0.0 exactly.
    let lib = Library::build(&[SdkBuilds {
        id: "tracksdk".into(),
        releases: vec![
            ("1.0.0".into(), v100.clone()),
            ("1.1.0".into(), v110),
            ("2.0.0".into(), v200),
        ],
    }]);
    let lib = Library::parse(&lib.to_bytes()).expect("the library round-trips");
    let m = lib.match_app(&app);
    assert_eq!(m.len(), 1);
    let matched: Vec<&str> = m[0]
        .classes
        .iter()
        .map(|(ci, _)| app[*ci].descriptor.as_str())
        .collect();
    assert_eq!(
        matched.len(),
        6,
        "{matched:?} (every SDK class, none of the app's)"
    );
    assert!(
        !matched.contains(&"Lo/Main;"),
        "the app's own class is never the SDK's"
    );
    let v = m[0].versions(&lib).expect("a version verdict");
    let versions = &lib.sdks()[0].versions;
    assert_eq!(
        (
            versions[v.first].as_str(),
            versions[v.last].as_str(),
            v.tied
        ),
        ("2.0.0", "2.0.0", 1),
        "{v:?}"
    );

    // 3. An app built from release 1 (the code 1.0.0 and 1.1.0 share): a range, never exact.
    let app1 = classes(
        &build_dex(&t, w, "app1", &sdk_source(&APP, 1, true), false),
        "Lo/",
    );
    let m1 = lib.match_app(&app1);
    assert_eq!(m1.len(), 1);
    let v1 = m1[0].versions(&lib).expect("a version verdict");
    assert_eq!(
        (
            versions[v1.first].as_str(),
            versions[v1.last].as_str(),
            v1.tied
        ),
        ("1.0.0", "1.1.0", 2),
        "{v1:?}"
    );
    assert!(v1.open_start, "1.0.0 is the oldest release the library has");
}
