#!/usr/bin/env python3
"""Google Play services / Firebase / Google Analytics / Facebook SDK builds of the SDK library.

Reads signatures/library/builds/google_facebook.tsv, takes each binary out of its public git
repository (a bare mirror under --mirrors, default /work/.mirror/OWNER+NAME/repo, as `fetch
github:OWNER/NAME` leaves it) with `git show COMMIT:PATH`, checks its sha256, counts the
vendor's classes and reads the version facts it holds:

  * play-services-basement / monolithic play-services aars and Eclipse-era
    google-play-services.jar: `google_play_services_version` (res/values/*.xml) and the jar's
    GooglePlayServicesUtil.GOOGLE_PLAY_SERVICES_VERSION_CODE constant;
  * Facebook: com/facebook/FacebookSdkVersion BUILD.

Modes:
  (default)        verify every row (sha256, classes, packages) and print the facts
  --meta           print the signatures/meta_versions.tsv rows (basement / play-services aars)
  --cache DIR      also copy each binary to DIR/<sha256>.<format>
                   (default ${TRACKSCAN_SDK_CACHE:-$HOME/.cache/trackscan/sdk-builds})
  --discover GITDIR...  list candidate rows found in the history of bare mirrors (how the TSV
                   was first made; its output is reviewed before it goes into the TSV)

Python 3 standard library only. The binaries are vendor-licensed: analysis input only, never
committed.
"""
import argparse
import hashlib
import io
import os
import re
import struct
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TSV = os.path.join(ROOT, "signatures", "library", "builds", "google_facebook.tsv")
COLUMNS = ["sdk", "version", "module", "format", "source", "commit", "path", "sha256",
           "licence", "classes", "packages", "version_from"]

# The vendors' own class prefixes (anything else an aar bundles is not counted).
PREFIXES = {
    "play-services": ["com/google/android/gms/", "com/google/firebase/", "com/google/ads/",
                      "com/google/analytics/", "com/google/tagmanager/"],
    "firebase": ["com/google/firebase/", "com/google/android/gms/"],
    "google-analytics": ["com/google/analytics/", "com/google/android/gms/",
                         "com/google/tagmanager/"],
    "facebook": ["com/facebook/"],
}

# Modules whose classes are counted under their own packages only (they bundle nothing else of
# the vendor's worth counting, and their own package is what the library matches).
MODULE_PREFIXES = {
    "play-services-tagmanager": ["com/google/android/gms/tagmanager/", "com/google/tagmanager/"],
    "play-services-tagmanager-api": ["com/google/android/gms/tagmanager/", "com/google/tagmanager/"],
    "play-services-tagmanager-v4-impl": ["com/google/android/gms/tagmanager/",
                                         "com/google/tagmanager/"],
    "firebase-crash": ["com/google/firebase/crash/"],
    "facebook-places": ["com/facebook/places/"],
}

# Modules of the library, by Maven artifact.
MODULES = {
    "play-services": ["play-services", "play-services-basement", "play-services-base",
                      "play-services-ads", "play-services-ads-lite", "play-services-ads-base",
                      "play-services-analytics", "play-services-analytics-impl",
                      "play-services-measurement", "play-services-measurement-impl",
                      "play-services-measurement-base", "play-services-measurement-api",
                      "play-services-measurement-sdk", "play-services-measurement-sdk-api",
                      "play-services-tagmanager", "play-services-tagmanager-api",
                      "play-services-tagmanager-v4-impl", "google-play-services"],
    "firebase": ["firebase-analytics", "firebase-analytics-impl", "firebase-core",
                 "firebase-crash", "firebase-common"],
    "facebook": ["facebook-android-sdk", "facebook", "facebook-core", "facebook-login", "facebook-share", "facebook-applinks",
                 "facebook-common", "audience-network-sdk", "facebook-places"],
    "google-analytics": ["libGoogleAnalyticsServices"],
}
MODULE_SDK = {m: s for s, ms in MODULES.items() for m in ms}

GPSV_RE = re.compile(rb'<integer name="google_play_services_version">\s*(\d+)\s*</integer>')
VERSION_RE = re.compile(r"^\d+(\.\d+){1,3}$")


# --- class files ------------------------------------------------------------------------

def parse_class(data):
    """(utf8 constants, {field name: constant value}) of a class file."""
    if data[:4] != b"\xca\xfe\xba\xbe":
        return [], {}
    n = struct.unpack(">H", data[8:10])[0]
    pos, i, cp = 10, 1, {}
    while i < n:
        tag = data[pos]
        if tag == 1:
            ln = struct.unpack(">H", data[pos + 1:pos + 3])[0]
            cp[i] = ("utf8", data[pos + 3:pos + 3 + ln].decode("utf-8", "replace"))
            pos += 3 + ln
        elif tag in (3, 4):
            v = struct.unpack(">i" if tag == 3 else ">f", data[pos + 1:pos + 5])[0]
            cp[i] = ("int" if tag == 3 else "float", v)
            pos += 5
        elif tag in (5, 6):
            cp[i] = ("long", None)
            pos += 9
            i += 1
        elif tag in (7, 8, 16, 19, 20):
            cp[i] = ("ref" if tag != 8 else "string", struct.unpack(">H", data[pos + 1:pos + 3])[0])
            pos += 3
        elif tag in (9, 10, 11, 12, 17, 18):
            pos += 5
        elif tag == 15:
            pos += 4
        else:
            return [], {}
        i += 1
    strings = [cp[v[1]][1] for v in cp.values() if v[0] == "string" and v[1] in cp]
    pos += 6  # access, this, super
    ni = struct.unpack(">H", data[pos:pos + 2])[0]
    pos += 2 + 2 * ni
    nf = struct.unpack(">H", data[pos:pos + 2])[0]
    pos += 2
    fields = {}
    for _ in range(nf):
        _acc, name_i, _desc, na = struct.unpack(">HHHH", data[pos:pos + 8])
        pos += 8
        for _ in range(na):
            an, al = struct.unpack(">HI", data[pos:pos + 6])
            if cp.get(an, (None, None))[1] == "ConstantValue":
                ci = struct.unpack(">H", data[pos + 6:pos + 8])[0]
                c = cp.get(ci)
                if c and c[0] == "string":
                    c = cp.get(c[1])
                if c:
                    fields[cp[name_i][1]] = c[1]
            pos += 6 + al
    return strings, fields


# --- binaries -----------------------------------------------------------------------------

def jars_of(data, fmt):
    """The class jars of a binary: the jar itself, or an aar's classes.jar and libs/*.jar."""
    z = zipfile.ZipFile(io.BytesIO(data))
    if fmt == "jar":
        return z, [z]
    out = []
    for n in z.namelist():
        if n == "classes.jar" or (n.startswith("libs/") and n.endswith(".jar")):
            out.append(zipfile.ZipFile(io.BytesIO(z.read(n))))
    return z, out


def analyze(data, fmt, sdk, module=None):
    """Facts of one binary: classes (under the vendor prefixes), packages, gpsv, versions."""
    outer, jars = jars_of(data, fmt)
    prefixes = MODULE_PREFIXES.get(module, PREFIXES[sdk])
    classes, used = set(), set()
    facts = {}
    for j in jars:
        for n in j.namelist():
            if not n.endswith(".class"):
                continue
            p = next((p for p in prefixes if n.startswith(p)), None)
            if p is None:
                continue
            classes.add(n)
            used.add(p)
            if n in ("com/google/android/gms/common/GooglePlayServicesUtil.class",
                     "com/google/android/gms/common/GooglePlayServicesUtilLight.class",
                     "com/google/android/gms/common/GoogleApiAvailabilityLight.class"):
                _s, f = parse_class(j.read(n))
                for k in ("GOOGLE_PLAY_SERVICES_VERSION_CODE",):
                    if isinstance(f.get(k), int):
                        facts.setdefault("version_code", f[k])
            if n == "com/google/analytics/tracking/android/GAThread.class":
                for x in parse_class(j.read(n))[0]:
                    m = re.fullmatch(r"ma(\d+(?:\.\d+)+)", x)
                    if m:
                        facts["ga_version"] = m.group(1)
            if n == "com/facebook/FacebookSdkVersion.class":
                _s, f = parse_class(j.read(n))
                if isinstance(f.get("BUILD"), str):
                    facts["facebook_build"] = f["BUILD"]
    if fmt == "aar":
        if "classes.jar" in outer.namelist():
            facts["classes_jar_sha256"] = hashlib.sha256(outer.read("classes.jar")).hexdigest()
        for n in outer.namelist():
            if n.startswith("res/values/") and n.endswith(".xml"):
                m = GPSV_RE.search(outer.read(n))
                if m:
                    facts["gpsv"] = int(m.group(1))
    packages = ",".join(p for p in prefixes if p in used) or "-"
    return len(classes), packages, facts


def git_blob(gitdir, commit, path):
    r = subprocess.run(["git", "--git-dir", gitdir, "show", f"{commit}:{path}"],
                       capture_output=True)
    if r.returncode != 0:
        raise RuntimeError(f"{gitdir} {commit[:12]}:{path}: {r.stderr.decode().strip()}")
    return r.stdout


def mirror_of(source, mirrors):
    """The git directory of a fetched repository: MIRRORS/OWNER+NAME/repo (bare) or its .git."""
    owner_name = source.split(":", 1)[1]
    repo = os.path.join(mirrors, owner_name.replace("/", "+"), "repo")
    return os.path.join(repo, ".git") if os.path.isdir(os.path.join(repo, ".git")) else repo


def owner_name_of(gitdir):
    """OWNER/NAME from a mirror path (…/OWNER+NAME/repo[/.git])."""
    for part in reversed(os.path.abspath(gitdir).split(os.sep)):
        if "+" in part:
            return part.replace("+", "/", 1)
    raise SystemExit(f"{gitdir}: not under an OWNER+NAME directory")


def read_tsv(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            vals = line.rstrip("\n").split("\t")
            if len(vals) != len(COLUMNS):
                raise SystemExit(f"{path}: {len(vals)} columns: {line!r}")
            rows.append(dict(zip(COLUMNS, vals)))
    return rows


def default_cache():
    return os.environ.get("TRACKSCAN_SDK_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "trackscan", "sdk-builds")


def verify(args):
    rows = read_tsv(args.tsv)
    bad = 0
    meta = []
    for r in rows:
        gitdir = mirror_of(r["source"], args.mirrors)
        try:
            data = git_blob(gitdir, r["commit"], r["path"])
        except RuntimeError as e:
            print(f"MISSING\t{r['module']} {r['version']}\t{e}", file=sys.stderr)
            bad += 1
            continue
        sha = hashlib.sha256(data).hexdigest()
        n, pk, facts = analyze(data, r["format"], r["sdk"], r["module"])
        ok = sha == r["sha256"] and str(n) == r["classes"] and pk == r["packages"]
        if r["sdk"] == "facebook" and "facebook_build" in facts:
            ok = ok and facts["facebook_build"] == r["version"]
        bad += not ok
        extra = " ".join(f"{k}={v}" for k, v in sorted(facts.items()))
        if not args.meta:
            print(f"{'ok' if ok else 'DIFFERS'}\t{r['sdk']}\t{r['module']}\t{r['version']}\t"
                  f"{n}\t{sha[:16]}\t{extra}")
            if not ok:
                print(f"  tsv: {r['sha256'][:16]} classes={r['classes']} packages={r['packages']}"
                      f"; got classes={n} packages={pk}", file=sys.stderr)
        if r["module"] in ("play-services-basement", "play-services", "play-services-base") and "gpsv" in facts:
            owner_name = r["source"].split(":", 1)[1]
            meta.append((facts["gpsv"], r["version"],
                         f"{owner_name}@{r['commit'][:12]} {r['path']} google_play_services_version"))
        if args.cache:
            os.makedirs(args.cache, exist_ok=True)
            dst = os.path.join(args.cache, f"{sha}.{r['format']}")
            if not os.path.exists(dst):
                with open(dst + ".tmp", "wb") as f:
                    f.write(data)
                os.replace(dst + ".tmp", dst)
    if args.meta:
        # One row per (value, version): the first build of the version is its provenance, and
        # the number of other builds that give the same value is said.
        groups = {}
        for gpsv, ver, prov in meta:
            groups.setdefault((ver, gpsv), []).append(prov)
        for ver in sorted({v for v, _ in groups}, key=vkey):
            values = sorted(g for v, g in groups if v == ver)
            if len(values) > 1:
                print(f"# {ver}: builds differ: {values}", file=sys.stderr)
            for gpsv in values:
                if gpsv == 12451000:
                    continue  # from 15.0.0 the value is 12451000 whatever the version
                provs = groups[(ver, gpsv)]
                more = f" ({len(provs) - 1} more distinct build(s) agree)" if len(provs) > 1 else ""
                print(f"com.google.android.gms.version\t{gpsv}\t{ver}\t{provs[0]}{more}")
    else:
        print(f"# {len(rows)} rows, {bad} not as listed"
              + (f"; cache {args.cache}" if args.cache else ""), file=sys.stderr)
    return 1 if bad else 0


def vkey(v):
    return tuple(int(x) for x in re.findall(r"\d+", v))


# --- discovery ----------------------------------------------------------------------------

NAME_RES = [
    # EDM4U / Maven: [group.]artifact-version.aar|jar
    re.compile(r"(?:^|/)(?:com\.google\.android\.gms\.|com\.google\.firebase\.|"
               r"com\.facebook\.android\.)?(?P<m>[a-z][a-z0-9-]*[a-z])-(?P<v>\d+(?:\.\d+)+)\.(?P<f>aar|jar)$"),
]


ECLIPSE_JAR_RE = re.compile(r"(?:^|/)libs/google-(?P<m>(?:play-services|firebase)-[a-z0-9-]*[a-z0-9])\.jar$")


def discover(args):
    """Candidate rows (before review) from the whole history of bare mirrors."""
    seen = set()
    found = []
    for gitdir in args.discover:
        if os.path.isdir(os.path.join(gitdir, ".git")):
            gitdir = os.path.join(gitdir, ".git")
        owner_name = owner_name_of(gitdir)
        log = subprocess.run(["git", "--git-dir", gitdir, "log", "--all", "--raw", "--no-abbrev",
                              "--no-renames", "--reverse", "--format=C %H"],
                             capture_output=True, text=True, errors="replace").stdout
        commit = None
        first = {}
        for line in log.splitlines():
            if line.startswith("C "):
                commit = line[2:]
            elif line.startswith(":"):
                meta, path = line.split("\t", 1)
                blob = meta.split()[3]
                if set(blob) != {"0"} and (path, blob) not in first:
                    first[(path, blob)] = commit
        for (path, blob), commit in first.items():
            base = path.rsplit("/", 1)[-1]
            if base == "google-play-services.jar":
                module, version, fmt = "google-play-services", "", "jar"
            elif base == "libGoogleAnalyticsServices.jar":
                module, version, fmt = "libGoogleAnalyticsServices", "", "jar"
            elif ECLIPSE_JAR_RE.search(path):
                # Eclipse library project converted from the Maven aar (dandar3/android-google-*):
                # libs/google-<artifact>.jar, the project's AndroidManifest.xml versionName
                m = ECLIPSE_JAR_RE.search(path)
                module, fmt = m.group("m"), "jar"
                root = path.rsplit("libs/", 1)[0]
                man = subprocess.run(["git", "--git-dir", gitdir, "show",
                                      f"{commit}:{root}AndroidManifest.xml"],
                                     capture_output=True).stdout
                vm = re.search(rb'android:versionName="(\d+(?:\.\d+)+)"', man)
                if not vm:
                    # the manifest got its version in a later commit that still holds this jar
                    later = subprocess.run(["git", "--git-dir", gitdir, "log", "--all", "--reverse",
                                            "--format=%H", "--", f"{root}AndroidManifest.xml"],
                                           capture_output=True, text=True).stdout.split()
                    for c in later:
                        held = subprocess.run(["git", "--git-dir", gitdir, "rev-parse", f"{c}:{path}"],
                                              capture_output=True, text=True).stdout.strip()
                        man = subprocess.run(["git", "--git-dir", gitdir, "show",
                                              f"{c}:{root}AndroidManifest.xml"],
                                             capture_output=True).stdout
                        vm = re.search(rb'android:versionName="(\d+(?:\.\d+)+)"', man)
                        if held == blob and vm:
                            commit = c
                            break
                        vm = None
                if not vm:
                    continue
                version = vm.group(1).decode()
            else:
                m = NAME_RES[0].search(path)
                if not m:
                    continue
                module, version, fmt = m.group("m"), m.group("v"), m.group("f")
            if module not in MODULE_SDK or "jetif" in path.lower():
                continue  # Jetifier-rewritten copies are not the vendor's bytes
            sdk = MODULE_SDK[module]
            if module.startswith("firebase-"):
                sdk = "firebase"
            data = subprocess.run(["git", "--git-dir", gitdir, "cat-file", "blob", blob],
                                  capture_output=True).stdout
            if not data or data.startswith(b"version https://git-lfs"):
                print(f"# skip {owner_name} {path}: {len(data)} bytes (LFS pointer or absent)",
                      file=sys.stderr)
                continue
            sha = hashlib.sha256(data).hexdigest()
            if sha in seen:
                continue
            seen.add(sha)
            try:
                n, pk, facts = analyze(data, fmt, sdk, module)
            except zipfile.BadZipFile:
                print(f"# skip {owner_name} {path}: not a zip", file=sys.stderr)
                continue
            found.append([sdk, version, module, fmt, f"github:{owner_name}", commit, path, sha,
                          "vendor (Meta)" if sdk == "facebook" else "vendor (Google)",
                          str(n), pk, "file name", facts])
    # Eclipse-era jars: the version of the Maven play-services aar whose classes.jar is the same
    # file, else whose google_play_services_version the jar's GOOGLE_PLAY_SERVICES_VERSION_CODE is.
    by_jar = {r[12].get("classes_jar_sha256"): r[1] for r in found if r[2] == "play-services"}
    by_code = {r[12].get("gpsv", r[12].get("version_code")): r[1]
               for r in found if r[2] == "play-services"}
    for r in found:
        facts = r[12]
        if r[2] == "google-play-services":
            if r[7] in by_jar:
                r[1] = by_jar[r[7]]
                r[11] = f"same sha256 as classes.jar of Maven play-services-{r[1]}.aar"
            elif facts.get("version_code") in by_code:
                r[1] = by_code[facts["version_code"]]
                r[11] = (f"GooglePlayServicesUtil.GOOGLE_PLAY_SERVICES_VERSION_CODE {facts['version_code']}"
                         f" = that of Maven play-services-{r[1]}.aar")
            else:
                print(f"# no version: {r[4]} {r[5][:12]} {r[6]} {facts}", file=sys.stderr)
                continue
        elif r[2] == "libGoogleAnalyticsServices":
            if "ga_version" not in facts:
                print(f"# no version: {r[4]} {r[6]}", file=sys.stderr)
                continue
            r[1] = facts["ga_version"]
            r[11] = "com/google/analytics/tracking/android/GAThread string maX.Y.Z"
        elif r[0] == "facebook" and "facebook_build" in facts:
            r[11] = "com/facebook/FacebookSdkVersion BUILD"
            if facts["facebook_build"] != r[1]:
                r[11] += f" (= {facts['facebook_build']}, file name {r[1]})"
                r[1] = facts["facebook_build"]
        elif r[2] in ("play-services-basement", "play-services") and "gpsv" in facts:
            r[11] = "file name"
        elif ECLIPSE_JAR_RE.search(r[6]):
            r[11] = ("AndroidManifest.xml versionName of the Eclipse library project"
                     f" (libs jar = classes.jar of Maven {r[2]}-{r[1]}.aar)")
        print("\t".join(r[:12] + [" ".join(f"{k}={v}" for k, v in sorted(facts.items())
                                            if k != "classes_jar_sha256")]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tsv", default=TSV)
    ap.add_argument("--mirrors", default="/work/.mirror")
    ap.add_argument("--cache", nargs="?", const=default_cache(), default=None)
    ap.add_argument("--meta", action="store_true")
    ap.add_argument("--discover", nargs="+", metavar="GITDIR")
    args = ap.parse_args()
    if args.discover:
        discover(args)
        return 0
    return verify(args)


if __name__ == "__main__":
    sys.exit(main())
