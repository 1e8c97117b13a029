#!/usr/bin/env python3
"""Translates the cached vendor SDK builds (jar/aar) to DEX, the form apps hold, with AOSP dx.

    python3 bench/library/dex_builds.py [--cache DIR] [--dx JAR] [--jobs N]

Reads every row of signatures/library/builds/*.tsv, takes CACHE/<sha256>.<format> (brought by
fetch_builds.py / google_builds.py), and writes CACHE/dex/<sha256>/classes*.dex (skipped when
already there). An aar's classes.jar and libs/*.jar are translated together. dx is AOSP's
(Apache-2.0), the copy in ../shared/obfuscation/shrink/dx.jar by default; it runs with
--min-sdk-version=26 so Java 8 bytecode (invokedynamic) translates. Needs `java`.
`trackscan signatures library` then reads the DEX files. Binaries stay in the cache: never commit
them.
"""
import argparse, concurrent.futures as cf, glob, os, shutil, subprocess, sys, tempfile, zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def rows():
    for f in sorted(glob.glob(os.path.join(ROOT, "signatures", "library", "builds", "*.tsv"))):
        cols = None
        for line in open(f, encoding="utf-8"):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                if line.startswith("#") and "\tsha256" in line:
                    cols = line.lstrip("# ").split("\t")
                continue
            parts = line.split("\t")
            if parts[:2] == ["sdk", "version"]:
                cols = parts
                continue
            if cols is None:
                cols = ["sdk", "version", "module", "format", "source", "commit", "path", "sha256",
                        "licence", "classes", "packages", "version_from"]
            yield dict(zip(cols, parts))


def jars_of(binary, fmt, tmp):
    if fmt == "jar":
        return [binary]
    out = []
    with zipfile.ZipFile(binary) as z:
        for n in z.namelist():
            if n == "classes.jar" or (n.startswith("libs/") and n.endswith(".jar")):
                p = os.path.join(tmp, str(len(out)) + ".jar")
                with open(p, "wb") as o:
                    o.write(z.read(n))
                out.append(p)
    return out


class Dx:
    """One JVM running DxMany (bench/library/DxMany.java): dx once per request."""

    def __init__(self, dx, work):
        cls = os.path.join(work, "cls")
        os.makedirs(cls, exist_ok=True)
        here = os.path.dirname(os.path.abspath(__file__))
        if not os.path.exists(os.path.join(cls, "DxMany.class")):
            subprocess.run(["javac", "-cp", dx, "-d", cls, os.path.join(here, "DxMany.java")], check=True)
        self.p = subprocess.Popen(["java", "-Xmx2g", "-cp", f"{dx}:{cls}", "DxMany"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

    def run(self, args):
        self.p.stdin.write("\t".join(args) + "\n")
        self.p.stdin.flush()
        while True:
            line = self.p.stdout.readline()
            if not line:
                return 98
            if line.startswith("DONE\t"):
                return int(line.split("\t")[1])


def translate(row, cache, dxr):
    sha, fmt = row["sha256"], row.get("format", "jar")
    src = os.path.join(cache, f"{sha}.{fmt}")
    dst = os.path.join(cache, "dex", sha)
    if glob.glob(os.path.join(dst, "classes*.dex")):
        return sha, "cached"
    if not os.path.exists(src):
        return sha, f"missing {src} (run fetch_builds.py fetch first)"
    with tempfile.TemporaryDirectory() as tmp:
        try:
            jars = jars_of(src, fmt, tmp)
        except zipfile.BadZipFile as e:
            return sha, f"not a zip: {e}"
        if not jars:
            return sha, "no classes.jar in the aar"
        out = os.path.join(tmp, "out")
        os.makedirs(out)
        base = ["--no-optimize", "--multi-dex", f"--output={out}"]
        for extra in (["--min-sdk-version=26"], ["--min-sdk-version=26", "--no-strict", "--core-library"]):
            rc = dxr.run(base + extra + jars)
            if rc == 0 and glob.glob(os.path.join(out, "classes*.dex")):
                os.makedirs(dst, exist_ok=True)
                for d in glob.glob(os.path.join(out, "classes*.dex")):
                    shutil.copy(d, dst)
                return sha, "ok"
        return sha, f"dx failed (rc {rc})"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", default=os.environ.get("TRACKSCAN_SDK_CACHE",
                                                      os.path.expanduser("~/.cache/trackscan/sdk-builds")))
    ap.add_argument("--dx", default=os.path.join(ROOT, "..", "shared", "obfuscation", "shrink", "dx.jar"))
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    if shutil.which("java") is None:
        sys.exit("dex_builds.py: `java` not found (Debian: apt-get install default-jre-headless)")
    if not os.path.exists(a.dx):
        sys.exit(f"dex_builds.py: dx not found at {a.dx}")
    todo = {r["sha256"]: r for r in rows() if r.get("sha256")}
    bad = 0
    work = tempfile.mkdtemp(prefix="dxmany-")
    items = list(todo.values())
    shards = [items[i::a.jobs] for i in range(a.jobs)]

    def shard(part):
        dxr = Dx(a.dx, work)
        return [translate(r, a.cache, dxr) for r in part]

    with cf.ThreadPoolExecutor(a.jobs) as ex:
        for res in ex.map(shard, shards):
            for sha, status in res:
                if status not in ("ok", "cached"):
                    bad += 1
                    print(f"{sha[:12]} {todo[sha]['sdk']} {todo[sha]['version']}: {status}", file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True)
    print(f"{len(todo) - bad} of {len(todo)} builds have DEX in {a.cache}/dex")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
