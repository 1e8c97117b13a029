#!/usr/bin/env python3
"""Vendor SDK builds (jar/aar) for trackscan's SDK library.

    fetch_builds.py discover --mirrors /work/.mirror -o signatures/library/builds/vendors.tsv
    fetch_builds.py fetch --mirrors /work/.mirror [--cache DIR]

`discover` walks the git history of the public repositories listed in REPOS (bare mirrors at
MIRRORS/owner+name/repo, as brought by `fetch github:owner/name`) and the npm packages in NPM,
opens every jar/aar blob ever committed, keeps those holding one of the SDKs' own entry classes,
reads the SDK's release version from inside the binary (class-file constants), deduplicates by
sha256 (a binary is listed once, at its earliest commit) and writes the TSV.

`fetch` reads every signatures/library/builds/*.tsv, brings each row's binary out of its mirror
(`git show commit:path`) or npm tarball, checks its sha256 and stores it as CACHE/<sha256>.<format>.
The binaries are vendor-licensed analysis input: they stay in the cache and are never committed.

Python 3 standard library only.
"""
import argparse
import collections
import glob
import hashlib
import io
import os
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILDS_DIR = os.path.join(ROOT, "signatures", "library", "builds")

# Repositories whose history holds vendor builds (see shared reference sdk-builds.md).
REPOS = [
    "adjust/unity_sdk",
    "OneSignal/OneSignal-Android-SDK",
    "OneSignal/OneSignal-Unity-SDK",
    "AppsFlyerSDK/Unity",
    "AppsFlyerSDK/XamarinAndroidBinding",
    "AppsFlyerSDK/AdobeAirExtension-AppsFlyer",
    "AppsFlyerSDK/appsflyer-unity-plugin",
    "BranchMetrics/unity-branch-deep-linking-attribution",
    "amplitude/Amplitude-Android",
    "amplitude/unity-plugin",
    "mixpanel/mixpanel-android",
    "mixpanel/sample-android-mixpanel-integration",
    "BijdorpStudio/UrlSetter",
    "samzilverberg/cordova-mixpanel-plugin",
    "segmentio/analytics-android",
    "mattleibow/Flurry.Analytics",
    "zulip/zulip-android-legacy",
    "MizzleDK/Mizuu",
    "qii/weiciyuan",
    # Unity games that commit the Maven artifacts EDM4U resolved, as
    # Assets/Plugins/Android/<group>.<artifact>-<version>.aar (found by that exact path):
    # OneSignal 4.8.x and AppsFlyer 6.6-6.14, which the vendor repositories above do not hold
    "funxfun/Sokkyo",
    "TextQuestPC/SlidingCats",
    "fantasstic/CatalogTest",
    "DarTiess/FlappyBirdProto",
    "tatcray/Pixel-Wars",
    "iocusFati/24PlayTest",
    "ukun1708/ArkanoidCrusher",
]
# npm packages that bundle the Android binary: every version the registry lists.
NPM = ["branch-cordova-sdk", "com.adjust.sdk"]

MIN_SIZE = 2048  # smaller blobs are Git LFS pointers or stubs

COLUMNS = ["sdk", "version", "module", "format", "source", "commit", "path", "sha256",
           "licence", "classes", "packages", "version_from"]

LICENCE = {
    "adjust": "MIT", "branch": "MIT", "onesignal": "MIT", "amplitude": "MIT", "segment": "MIT",
    "mixpanel": "Apache-2.0",
    "appsflyer": "vendor", "flurry": "vendor", "crashlytics": "vendor",
}

# sdk -> (entry classes, any of which marks the SDK's own build; own package prefixes)
# Order matters: a fat jar is the first SDK whose entry class it holds (Segment bundles Flurry).
SDKS = [
    ("segment", ["io/segment/android/Analytics", "com/segment/android/Analytics"],
     ["io/segment/", "com/segment/"]),
    ("adjust", ["com/adjust/sdk/Constants", "com/adeven/adjustio/AdjustIo"],
     ["com/adjust/sdk/", "com/adeven/adjustio/"]),
    ("onesignal", ["com/onesignal/OneSignal", "com/gamethrive/GameThrive"],
     ["com/onesignal/", "com/gamethrive/"]),
    ("appsflyer", ["com/appsflyer/AppsFlyerLib"], ["com/appsflyer/"]),
    ("branch", ["io/branch/referral/Branch"], ["io/branch/"]),
    ("amplitude", ["com/amplitude/api/AmplitudeClient", "com/amplitude/api/Amplitude"],
     ["com/amplitude/"]),
    ("mixpanel", ["com/mixpanel/android/mpmetrics/MixpanelAPI",
                  "com/mixpanel/android/mpmetrics/MPMetrics"], ["com/mixpanel/"]),
    ("flurry", ["com/flurry/android/FlurryAgent", "com/flurry/android/FlurryAds"], ["com/flurry/"]),
    ("crashlytics", ["com/crashlytics/android/Crashlytics"], ["com/crashlytics/"]),
]
SDK_ORDER = [s[0] for s in SDKS]

SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:\.(\d+))?$")


# ---------------------------------------------------------------------------------------------
# class files

def parse_class(data):
    """Constant pool of a class file: its name, every string constant (CONSTANT_String),
    every CONSTANT_Utf8, and fields' ConstantValue values. None if not a class file."""
    if len(data) < 10 or data[:4] != b"\xca\xfe\xba\xbe":
        return None
    try:
        n = struct.unpack(">H", data[8:10])[0]
        pos = 10
        utf8 = {}
        strings = []  # CONSTANT_String -> utf8 index
        ints = {}
        classes = {}
        i = 1
        while i < n:
            tag = data[pos]
            if tag == 1:
                ln = struct.unpack(">H", data[pos + 1:pos + 3])[0]
                utf8[i] = data[pos + 3:pos + 3 + ln].decode("utf-8", "replace")
                pos += 3 + ln
            elif tag in (3, 4):
                if tag == 3:
                    ints[i] = struct.unpack(">i", data[pos + 1:pos + 5])[0]
                pos += 5
            elif tag in (5, 6):
                pos += 9
                i += 1
            elif tag == 7:
                classes[i] = struct.unpack(">H", data[pos + 1:pos + 3])[0]
                pos += 3
            elif tag == 8:
                strings.append((i, struct.unpack(">H", data[pos + 1:pos + 3])[0]))
                pos += 3
            elif tag in (16, 19, 20):
                pos += 3
            elif tag == 15:
                pos += 4
            elif tag in (9, 10, 11, 12, 17, 18):
                pos += 5
            else:
                return None
            i += 1
        str_at = {idx: utf8.get(u, "") for idx, u in strings}
        this = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        name = utf8.get(classes.get(this), "")
        pos += 6
        ni = struct.unpack(">H", data[pos:pos + 2])[0]
        pos += 2 + 2 * ni
        nf = struct.unpack(">H", data[pos:pos + 2])[0]
        pos += 2
        fields = {}
        for _ in range(nf):
            _acc, fname, _desc, na = struct.unpack(">HHHH", data[pos:pos + 8])
            pos += 8
            for _ in range(na):
                aname, alen = struct.unpack(">HI", data[pos:pos + 6])
                if utf8.get(aname) == "ConstantValue" and alen == 2:
                    cv = struct.unpack(">H", data[pos + 6:pos + 8])[0]
                    if cv in str_at:
                        fields[utf8.get(fname, "")] = str_at[cv]
                    elif cv in ints:
                        fields[utf8.get(fname, "")] = ints[cv]
                pos += 6 + alen
        return {"name": name, "strings": list(str_at.values()), "fields": fields}
    except (struct.error, IndexError):
        return None


def class_entries(data, depth=0):
    """(entry name, class bytes) of every .class in a jar/aar, nested jars included."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with zf:
        for info in zf.infolist():
            nm = info.filename
            try:
                if nm.endswith(".class"):
                    yield nm, zf.read(info)
                elif nm.endswith(".jar") and depth < 2:
                    yield from class_entries(zf.read(info), depth + 1)
            except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError):
                continue


def archive_format(data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "classes.jar" in names or "AndroidManifest.xml" in names:
        return "aar"
    return "jar"


# ---------------------------------------------------------------------------------------------
# versions read from inside

def vkey(v):
    return [(0, int(x), "") if x.isdigit() else (1, 0, x) for x in re.split(r"[.\-_]", v)] if v else []


def version_adjust(cls):
    c = cls.get("com/adjust/sdk/Constants")
    if c:
        v = c["fields"].get("CLIENT_SDK")
        if isinstance(v, str):
            m = re.match(r"^android(\d+\.\d+\.\d+)", v)
            if m:
                return m.group(1), "com/adjust/sdk/Constants CLIENT_SDK"
        for s in c["strings"]:
            m = re.match(r"^android(\d+\.\d+\.\d+)$", s)
            if m:
                return m.group(1), "com/adjust/sdk/Constants string androidX.Y.Z"
    for name, c in cls.items():
        if name.startswith("com/adeven/adjustio/"):
            for k, v in c["fields"].items():
                if isinstance(v, str):
                    m = re.match(r"^android(\d+\.\d+\.\d+)$", v)
                    if m:
                        return m.group(1), "%s %s" % (name, k)
            for s in c["strings"]:
                m = re.match(r"^android(\d+\.\d+\.\d+)$", s)
                if m:
                    return m.group(1), "%s string androidX.Y.Z" % name
    return None, None


def version_onesignal(cls):
    for name in ("com/onesignal/OneSignal", "com/gamethrive/GameThrive"):
        c = cls.get(name)
        if not c:
            continue
        v = c["fields"].get("VERSION")
        if isinstance(v, str) and re.match(r"^\d{6}$", v):
            return "%d.%d.%d" % (int(v[0:2]), int(v[2:4]), int(v[4:6])), name + " VERSION"
        if isinstance(v, str) and SEMVER.match(v):
            return v, name + " VERSION"
    # 4.x: com/onesignal/OneSignal VERSION moved to OSUtils / BuildConfig
    for name in ("com/onesignal/BuildConfig",):
        c = cls.get(name)
        if c and isinstance(c["fields"].get("VERSION_NAME"), str):
            return c["fields"]["VERSION_NAME"], name + " VERSION_NAME"
    for name, c in sorted(cls.items()):
        if name.startswith("com/onesignal/"):
            v = c["fields"].get("VERSION")
            if isinstance(v, str) and re.match(r"^\d{6}$", v):
                return "%d.%d.%d" % (int(v[0:2]), int(v[2:4]), int(v[4:6])), name + " VERSION"
    return None, None


def most_frequent_semver(cls, prefixes, exclude=()):
    cnt = collections.Counter()
    for name, c in cls.items():
        if any(name.startswith(p) for p in prefixes):
            for s in c["strings"]:
                if SEMVER.match(s) and s not in exclude:
                    cnt[s] += 1
    if not cnt:
        return None
    best = sorted(cnt.items(), key=lambda kv: (-kv[1], vkey(kv[0])))
    return best[0][0]


def version_appsflyer(cls):
    # named constants first (1.x SDK_BUILD_NUMBER, 4.3.7+ BUILD_NUMBER, 4.7 AF_SDK_VERSION,
    # 4.8.18+ BuildConfig VERSION_NAME); 2.x-3.x and 6.3+ keep it in obfuscated classes only
    for name, key in (("com/appsflyer/BuildConfig", "VERSION_NAME"),
                      ("com/appsflyer/BuildConfig", "AF_SDK_VERSION"),
                      ("com/appsflyer/AppsFlyerLibCore", "BUILD_NUMBER"),
                      ("com/appsflyer/AppsFlyerLib", "BUILD_NUMBER"),
                      ("com/appsflyer/AppsFlyerLib", "SDK_BUILD_NUMBER")):
        c = cls.get(name)
        v = c and c["fields"].get(key)
        if isinstance(v, str) and SEMVER.match(v):
            return v, "%s %s" % (name, key)
    v = most_frequent_semver(cls, ["com/appsflyer/"])
    if v:
        return v, "com/appsflyer/** most frequent x.y.z constant"
    c = cls.get("com/appsflyer/AppsFlyerLib")
    if c and isinstance(c["fields"].get("SDK_BUILD_NUMBER"), str):
        return c["fields"]["SDK_BUILD_NUMBER"], "com/appsflyer/AppsFlyerLib SDK_BUILD_NUMBER"
    return None, None


def version_fields(cls, names, fields, pattern=SEMVER):
    for name in names:
        c = cls.get(name)
        if not c:
            continue
        for k in fields:
            v = c["fields"].get(k)
            if isinstance(v, str) and pattern.match(v):
                return v, "%s %s" % (name, k)
    return None, None


def version_branch(cls):
    return version_fields(cls, ["io/branch/referral/BuildConfig"], ["VERSION_NAME"])


def version_amplitude(cls):
    v, f = version_fields(cls, ["com/amplitude/api/Constants"], ["VERSION"],
                          re.compile(r"^\d+(\.\d+)+$"))
    if v:
        return v, f
    return version_fields(cls, ["com/amplitude/api/BuildConfig"], ["VERSION_NAME"])


def version_mixpanel(cls):
    for name in ("com/mixpanel/android/mpmetrics/MPConfig", "com/mixpanel/android/mpmetrics/MPMetrics",
                 "com/mixpanel/android/mpmetrics/MixpanelAPI", "com/mixpanel/android/BuildConfig"):
        c = cls.get(name)
        if not c:
            continue
        for k in ("VERSION", "LIB_VERSION", "VERSION_NAME", "MP_LIB_VERSION"):
            v = c["fields"].get(k)
            if isinstance(v, str) and re.match(r"^\d+(\.\d+)+", v):
                return v, "%s %s" % (name, k)
    return None, None


def version_segment(cls):
    for name, c in sorted(cls.items()):
        if name.startswith(("io/segment/", "com/segment/")):
            for k in ("VERSION", "LIBRARY_VERSION", "VERSION_NAME"):
                v = c["fields"].get(k)
                if isinstance(v, str) and re.match(r"^\d+\.\d+\.\d+", v):
                    return v, "%s %s" % (name, k)
    return None, None


def version_flurry(cls):
    for name, c in sorted(cls.items()):
        if name.startswith("com/flurry/"):
            for k, v in c["fields"].items():
                if isinstance(v, str) and re.match(r"^Flurry_Android_\d", v):
                    pass
    return None, None


def version_crashlytics(cls):
    names = ["com/crashlytics/android/Crashlytics"] + sorted(
        n for n in cls if n.startswith("com/crashlytics/android/"))
    for name in names:
        c = cls.get(name)
        if c:
            for s in c["strings"]:
                if SEMVER.match(s):
                    return s, "%s string x.y.z.w" % name
    for name, c in sorted(cls.items()):
        if name.startswith("com/crashlytics/android/"):
            for k in ("VERSION", "VERSION_NAME", "SDK_VERSION"):
                v = c["fields"].get(k)
                if isinstance(v, str) and re.match(r"^\d+\.\d+\.\d+", v):
                    return v, "%s %s" % (name, k)
    return None, None


FILE_NAME_FIRST = {"segment"}

VERSION_FN = {
    "adjust": version_adjust, "onesignal": version_onesignal, "appsflyer": version_appsflyer,
    "branch": version_branch, "amplitude": version_amplitude, "mixpanel": version_mixpanel,
    "segment": version_segment, "flurry": version_flurry, "crashlytics": version_crashlytics,
}

FILE_VERSION = re.compile(r"[-_ v](\d+(?:\.\d+){1,3})(?:[-_.](?:with-dependencies|core|SNAPSHOT))*"
                          r"(?:-SNAPSHOT)?(?:-with-dependencies)?(?:_core)?\.(?:jar|aar)$", re.I)


def version_from_name(path):
    m = FILE_VERSION.search("/" + os.path.basename(path).replace("/", ""))
    if not m:
        m = FILE_VERSION.search(" " + os.path.basename(path))
    return m.group(1) if m else None


def module_of(sdk, path, own, total):
    base = os.path.basename(path).lower()
    if sdk == "onesignal" and "onesignal-unity" in base:
        return "unity"
    if sdk == "amplitude" and "amplitude-unity" in base:
        return "unity-with-dependencies" if "with-dependencies" in base else "unity"
    if sdk == "appsflyer" and "appsflyerextension" in base:
        return "air-extension"
    if sdk == "adjust" and "oaid" in base:
        return "oaid"
    if sdk == "branch":
        return "branch-core" if "_core" in base or "-core" in base else "branch"
    if sdk == "amplitude":
        if "with-dependencies" in base or total > own * 1.2:
            return "with-dependencies"
        return "core"
    if sdk == "adjust" and "adjustio" in base:
        return "adjustio"
    if sdk == "flurry":
        return "ads" if "ads" in base else "analytics"
    return "core"


def analyse(data, path):
    """sdk row fields for one binary, or None when it holds none of the SDKs' builds."""
    cls = {}
    names = []
    own_bytes = {}
    for ent, raw in class_entries(data):
        names.append(ent[:-6])
        # parse only the vendors' own classes
        if any(ent.startswith(p) for s in SDKS for p in s[2]):
            own_bytes[ent] = hashlib.sha256(raw).hexdigest()
            c = parse_class(raw)
            if c and c["name"]:
                cls[c["name"]] = c
    nameset = set(names)
    digest = hashlib.sha256()
    for sdk, entries, prefixes in SDKS:
        if not any(e in nameset or e in cls for e in entries):
            continue
        own = sorted(set(n for n in names if any(n.startswith(p) for p in prefixes)))
        present = [p for p in prefixes if any(n.startswith(p) for n in own)]
        version, vfrom = VERSION_FN[sdk](cls)
        fver = version_from_name(path)
        if sdk in FILE_NAME_FIRST and fver:
            # Segment's io.segment.android release jars are named by release; their VERSION
            # constant was not always bumped (sdk-builds.md: version read from the file name)
            if version and version != fver:
                vfrom = "file name (%s says %s)" % (vfrom, version)
            elif not version:
                vfrom = "file name"
            version = fver
        elif not version:
            version = fver
            vfrom = "file name" if version else "-"
        elif fver and fver != version:
            vfrom += " (file name says %s)" % fver
        for ent in sorted(own_bytes):
            if any(ent.startswith(p) for p in prefixes):
                digest.update(("%s %s\n" % (ent, own_bytes[ent])).encode())
        return {
            "sdk": sdk, "version": version or "-",
            "module": module_of(sdk, path, len(own), len(set(names))),
            "format": "aar" if path.lower().endswith(".aar") else "jar",
            "classes": str(len(own)), "packages": ",".join(present),
            "version_from": vfrom, "licence": LICENCE[sdk],
            "_code": digest.hexdigest(), "_fver": fver or "",
        }
    return None


# ---------------------------------------------------------------------------------------------
# git mirrors

def mirror_dir(mirrors, repo):
    base = os.path.join(mirrors, repo.replace("/", "+"), "repo")
    if os.path.isdir(os.path.join(base, ".git")):
        return os.path.join(base, ".git")
    if os.path.isdir(base):
        return base
    return None


def git(gitdir, *args, **kw):
    return subprocess.run(["git", "--git-dir=" + gitdir, "-c", "core.quotePath=false"] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def history_blobs(gitdir):
    """blob sha -> (commit time, commit, path) of its earliest commit, for *.jar / *.aar."""
    out = git(gitdir, "log", "--all", "--no-renames", "--raw", "--no-abbrev",
              "--format=C %H %ct").stdout.decode("utf-8", "replace")
    first = {}
    commit = ct = None
    for line in out.splitlines():
        if line.startswith("C "):
            _, commit, ct = line.split(" ", 2)
            ct = int(ct)
        elif line.startswith(":"):
            meta, _, path = line.partition("\t")
            parts = meta.split()
            if len(parts) < 5:
                continue
            new, status = parts[3], parts[4]
            if status[0] in "D" or set(new) == {"0"}:
                continue
            if not path.lower().endswith((".jar", ".aar")):
                continue
            key = (ct, commit, path)
            if new not in first or key < first[new]:
                first[new] = key
    return first


class Blobs:
    """git cat-file --batch reader."""

    def __init__(self, gitdir):
        self.p = subprocess.Popen(["git", "--git-dir=" + gitdir, "cat-file", "--batch"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def get(self, sha):
        self.p.stdin.write((sha + "\n").encode())
        self.p.stdin.flush()
        head = self.p.stdout.readline().decode().split()
        if len(head) < 3 or head[1] == "missing":
            return None
        size = int(head[2])
        data = self.p.stdout.read(size)
        self.p.stdout.read(1)
        return data

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def blob_sizes(gitdir, shas):
    p = subprocess.run(["git", "--git-dir=" + gitdir, "cat-file", "--batch-check"],
                       input=("\n".join(shas) + "\n").encode(), stdout=subprocess.PIPE)
    sizes = {}
    for line in p.stdout.decode().splitlines():
        f = line.split()
        if len(f) >= 3 and f[1] == "blob":
            sizes[f[0]] = int(f[2])
        elif len(f) >= 2 and f[1] == "missing":
            sizes[f[0]] = None
    return sizes


# ---------------------------------------------------------------------------------------------
# npm

def npm_ok():
    return shutil.which("npm") is not None


def npm_versions(pkg):
    p = subprocess.run(["npm", "view", pkg, "versions", "--json"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=180)
    if p.returncode != 0:
        return []
    import json
    v = json.loads(p.stdout.decode() or "[]")
    return [v] if isinstance(v, str) else v


def npm_pack(spec, into):
    p = subprocess.run(["npm", "pack", spec, "--pack-destination", into], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=600, cwd=into)
    if p.returncode != 0:
        return None
    name = p.stdout.decode().strip().splitlines()[-1] if p.stdout.strip() else ""
    path = os.path.join(into, name)
    return path if os.path.isfile(path) else None


def tar_binaries(tgz):
    with tarfile.open(tgz, "r:gz") as tf:
        for m in tf.getmembers():
            if m.isfile() and m.name.lower().endswith((".jar", ".aar")):
                yield m.name, tf.extractfile(m).read()


# ---------------------------------------------------------------------------------------------
# discover

HEADER = """\
# trackscan SDK library: vendor SDK builds (jar/aar) the library is built from.
# One row per distinct binary (sha256), at the earliest public commit that holds it; a binary whose
# SDK classes are byte-identical to a listed one is left out, and of builds committed again with
# the same version, module, format and file name only the last one is listed.
# The binaries are vendor-licensed analysis input: they are never committed; bring them into a
# local cache with `bench/library/fetch_builds.py fetch` (regenerate this list with `discover`).
# Columns (tab-separated):
#   sdk           adjust | onesignal | appsflyer | branch | amplitude | mixpanel | segment | flurry | crashlytics
#   version       the SDK release, read from inside the binary (see version_from)
#   module        core | adjustio (Adjust's predecessor) | branch / branch-core |
#                 with-dependencies / unity / unity-with-dependencies (Amplitude) |
#                 unity (OneSignal's Unity bridge aar, SDK bundled) | analytics / ads (Flurry)
#   format        jar | aar (aar = zip holding classes.jar and libs/*.jar)
#   source        github:owner/name (git history) or npm:package@version (registry tarball)
#   commit        40-hex commit holding the file (npm: -)
#   path          path of the file in that commit (npm: inside the package tarball)
#   sha256        of the binary
#   licence       MIT | Apache-2.0 | vendor (vendor-licensed: analysis input only)
#   classes       number of the SDK's own classes (those under packages)
#   packages      comma-separated slash prefixes of the SDK's own classes (bundled libraries excluded)
#   version_from  where the version was read: <class> <constant>, or `file name`
"""


def discover(args):
    rows = {}
    notes = []

    def add(row, sha, key):
        old = rows.get(sha)
        if old is None or key < old[0]:
            rows[sha] = (key, row)

    for repo in REPOS:
        gitdir = mirror_dir(args.mirrors, repo)
        if not gitdir:
            notes.append("no mirror of %s: run `fetch github:%s`" % (repo, repo))
            continue
        first = history_blobs(gitdir)
        sizes = blob_sizes(gitdir, list(first))
        blobs = Blobs(gitdir)
        seen = 0
        for bsha, (ct, commit, path) in sorted(first.items(), key=lambda kv: kv[1]):
            size = sizes.get(bsha)
            if size is None:
                notes.append("%s %s:%s: blob not in the mirror (large file or LFS)" % (repo, commit[:10], path))
                continue
            if size < MIN_SIZE:
                continue
            data = blobs.get(bsha)
            if not data:
                continue
            r = analyse(data, path)
            if not r:
                continue
            seen += 1
            sha = hashlib.sha256(data).hexdigest()
            r.update(source="github:" + repo, commit=commit, path=path, sha256=sha)
            add(r, sha, (0, ct, repo, path))
        blobs.close()
        print("%-55s %4d SDK binaries" % (repo, seen), file=sys.stderr)

    if args.npm and npm_ok():
        tmp = tempfile.mkdtemp(prefix="trackscan-npm-")
        try:
            for pkg in NPM:
                vers = npm_versions(pkg)
                n = 0
                for v in vers:
                    tgz = npm_pack("%s@%s" % (pkg, v), tmp)
                    if not tgz:
                        notes.append("npm pack %s@%s failed" % (pkg, v))
                        continue
                    for path, data in tar_binaries(tgz):
                        if len(data) < MIN_SIZE:
                            continue
                        r = analyse(data, path)
                        if not r:
                            continue
                        n += 1
                        sha = hashlib.sha256(data).hexdigest()
                        r.update(source="npm:%s@%s" % (pkg, v), commit="-", path=path, sha256=sha)
                        add(r, sha, (1, vkey(v), pkg, path))
                    os.unlink(tgz)
                print("%-55s %4d SDK binaries (%d versions)" % ("npm:" + pkg, n, len(vers)),
                      file=sys.stderr)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    elif args.npm:
        notes.append("npm not available: npm packages %s not scanned" % ", ".join(NPM))

    # Builds of one release that differ only in packaging (same own classes) are one build (the
    # earliest is listed); of several builds with the same sdk, version, module, format and
    # file-name version (jars rebuilt and committed again during development), the last one
    # committed is listed: it is the one the release shipped with.
    seen_code = set()
    first = []
    dropped = collections.Counter()
    for key, r in sorted(rows.values(), key=lambda kr: kr[0]):
        if (r["sdk"], r["_code"]) in seen_code:
            dropped[r["sdk"], "same classes as a listed build"] += 1
            continue
        seen_code.add((r["sdk"], r["_code"]))
        first.append((key, r))
    last = {}
    for key, r in first:
        k = (r["sdk"], r["version"], r["module"], r["format"], r["_fver"])
        if r["version"] == "-":
            k += (r["path"],)  # no version known: the last build at each path
        if k in last:
            dropped[r["sdk"], "earlier build of a listed version"] += 1
        last[k] = r
    out = list(last.values())
    for (sdk, why), n in sorted(dropped.items()):
        notes.append("%s: %d binaries left out (%s)" % (sdk, n, why))
    out.sort(key=lambda r: (r["sdk"], vkey(r["version"]),
                            r["module"], r["source"], r["path"]))
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(HEADER)
        f.write("\t".join(COLUMNS) + "\n")
        for r in out:
            f.write("\t".join(str(r[c]) for c in COLUMNS) + "\n")
    summary(out, sys.stderr)
    for n in notes:
        print("note: " + n, file=sys.stderr)


def summary(rows, fh, extra=None):
    per = collections.OrderedDict()
    for r in sorted(rows, key=lambda r: r["sdk"]):
        s = per.setdefault(r["sdk"], [0, set(), None])
        s[0] += 1
        s[1].add(r["version"])
    print("%-12s %5s %8s" % ("sdk", "rows", "versions") + ("  %s" % extra[0] if extra else ""), file=fh)
    for sdk, (n, vers, _) in per.items():
        vs = sorted(vers, key=vkey)
        line = "%-12s %5d %8d  %s .. %s" % (sdk, n, len(vers), vs[0], vs[-1])
        if extra:
            line += "  " + extra[1](sdk)
        print(line, file=fh)


# ---------------------------------------------------------------------------------------------
# fetch

def read_rows(paths):
    rows = []
    for p in paths:
        with open(p, encoding="utf-8") as f:
            cols = None
            for line in f:
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                fields = line.split("\t")
                if cols is None:
                    # A header line names the columns; a file without one (google_facebook.tsv)
                    # has them in the standard order.
                    if fields[:2] == ["sdk", "version"]:
                        cols = fields
                        continue
                    cols = COLUMNS
                r = dict(zip(cols, fields))
                r["_file"] = os.path.basename(p)
                rows.append(r)
    return rows


def fetch(args):
    cache = args.cache or os.environ.get("TRACKSCAN_SDK_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "trackscan", "sdk-builds")
    os.makedirs(cache, exist_ok=True)
    files = sorted(glob.glob(os.path.join(args.builds, "*.tsv")))
    rows = read_rows(files)
    stats = collections.defaultdict(lambda: [0, 0, 0])  # cached, already, failed
    problems = []
    npm_tmp = None
    npm_cache = {}
    blobs = {}
    for r in rows:
        sha, fmt, src = r["sha256"], r["format"], r["source"]
        dest = os.path.join(cache, "%s.%s" % (sha, fmt))
        label = "%s %s %s (%s %s)" % (r["sdk"], r["version"], r["module"], src, r["path"])
        if os.path.isfile(dest) and sha256_file(dest) == sha:
            stats[r["sdk"]][1] += 1
            continue
        data = None
        if src.startswith("github:"):
            repo = src[len("github:"):]
            gitdir = mirror_dir(args.mirrors, repo)
            if not gitdir:
                problems.append("%s: no mirror at %s/%s/repo: run `fetch github:%s`"
                                % (label, args.mirrors, repo.replace("/", "+"), repo))
                stats[r["sdk"]][2] += 1
                continue
            p = git(gitdir, "show", "%s:%s" % (r["commit"], r["path"]))
            if p.returncode != 0:
                problems.append("%s: git show failed: %s (refetch with `fetch github:%s`)"
                                % (label, p.stderr.decode(errors="replace").strip()[:200], repo))
                stats[r["sdk"]][2] += 1
                continue
            data = p.stdout
        elif src.startswith("npm:"):
            spec = src[len("npm:"):]
            if not npm_ok():
                problems.append("%s: npm is not installed here; run `npm pack %s` elsewhere" % (label, spec))
                stats[r["sdk"]][2] += 1
                continue
            if npm_tmp is None:
                npm_tmp = tempfile.mkdtemp(prefix="trackscan-npm-")
            if spec not in npm_cache:
                try:
                    npm_cache[spec] = npm_pack(spec, npm_tmp)
                except (subprocess.SubprocessError, OSError):
                    npm_cache[spec] = None
            tgz = npm_cache[spec]
            if not tgz:
                problems.append("%s: `npm pack %s` failed (registry unreachable?)" % (label, spec))
                stats[r["sdk"]][2] += 1
                continue
            with tarfile.open(tgz, "r:gz") as tf:
                try:
                    data = tf.extractfile(r["path"]).read()
                except (KeyError, AttributeError):
                    data = None
            if data is None:
                problems.append("%s: %s not in the npm tarball" % (label, r["path"]))
                stats[r["sdk"]][2] += 1
                continue
        else:
            problems.append("%s: unknown source kind" % label)
            stats[r["sdk"]][2] += 1
            continue
        got = hashlib.sha256(data).hexdigest()
        if got != sha:
            problems.append("%s: sha256 mismatch (got %s)" % (label, got))
            stats[r["sdk"]][2] += 1
            continue
        tmp = dest + ".part"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, dest)
        stats[r["sdk"]][0] += 1
    if npm_tmp:
        shutil.rmtree(npm_tmp, ignore_errors=True)
    print("cache: %s (%d rows from %s)" % (cache, len(rows), ", ".join(os.path.basename(f) for f in files)))
    print("%-12s %6s %7s %7s %6s" % ("sdk", "rows", "stored", "cached", "failed"))
    per = collections.Counter(r["sdk"] for r in rows)
    for sdk in sorted(per):
        s = stats[sdk]
        print("%-12s %6d %7d %7d %6d" % (sdk, per[sdk], s[0], s[1], s[2]))
    listed = sum(os.path.getsize(p) for p in set(
        os.path.join(cache, "%s.%s" % (r["sha256"], r["format"])) for r in rows) if os.path.isfile(p))
    files = [os.path.join(cache, f) for f in os.listdir(cache)]
    total = sum(os.path.getsize(f) for f in files if os.path.isfile(f))
    print("listed builds in the cache: %.1f MiB; whole cache: %d files, %.1f MiB"
          % (listed / 1048576.0, len(files), total / 1048576.0))
    for p in problems:
        print("cannot bring: " + p)
    return 1 if problems else 0


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("discover", help="regenerate the builds list from the mirrors")
    d.add_argument("--mirrors", default="/work/.mirror")
    d.add_argument("-o", "--output", default=os.path.join(BUILDS_DIR, "vendors.tsv"))
    d.add_argument("--no-npm", dest="npm", action="store_false", help="skip the npm packages")
    f = sub.add_parser("fetch", help="bring every listed binary into the local cache")
    f.add_argument("--mirrors", default="/work/.mirror")
    f.add_argument("--cache", default=None)
    f.add_argument("--builds", default=BUILDS_DIR, help="directory of *.tsv lists")
    a = ap.parse_args()
    if a.cmd == "discover":
        discover(a)
        return 0
    return fetch(a)


if __name__ == "__main__":
    sys.exit(main())
