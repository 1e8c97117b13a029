#!/usr/bin/env bash
# What the app hands to tracker SDKs (issue 19), against an independent reference: per corpus
# APK with a detected tracker, every app call site into an entry point of
# signatures/data_flow.toml as Debian's `dexdump -d` shows it (not trackscan's parser), and the
# data_from_app flows trackscan reports at that call site. A call site with no flow is listed
# with its arguments so a reader can check that nothing personal was missed; each flow is listed
# with the dexdump instructions of its method, for hand-checking. Usage:
#   bench/flows.sh [TRACKSCAN] [CORPUS] [--bodies]   (defaults: target/release/trackscan, ../shared/corpus)
set -euo pipefail
BIN=${1:-target/release/trackscan}
CORPUS=${2:-../shared/corpus}
BODIES=${3:-}
command -v dexdump >/dev/null || { echo "dexdump not installed (apt-get install dexdump)" >&2; exit 2; }
python3 - "$BIN" "$CORPUS" "$BODIES" <<'PY'
import json, os, re, subprocess, sys, tempfile, tomllib, zipfile
bin_, corpus, bodies = sys.argv[1], sys.argv[2], sys.argv[3] == "--bodies"
rules = tomllib.load(open("signatures/data_flow.toml", "rb"))
entries = {(e["class"].replace(".", "/"), e["method"]): e["tracker"] for e in rules["entry"]}
method_re = re.compile(r"\|\[[0-9a-f]+\] (\S+)\.([^.:]+):(\S+)")
invoke_re = re.compile(r"\|([0-9a-f]{4}): invoke-\S+ \{([^}]*)\}, L([^;]+);\.([^:]+):")
total_sites = sites_with_flows = 0
counted = set()
personal = 0
for f in sorted(os.listdir(os.path.join(corpus, "apks"))):
    path = os.path.join(corpus, "apks", f)
    out = subprocess.run([bin_, "scan", "--format", "json", path], capture_output=True, text=True)
    try:
        doc = json.loads(out.stdout)
    except ValueError:
        continue
    found = {t["id"]: t for t in doc.get("trackers", [])}
    if not any(t in found for t in entries.values()):
        continue
    pkg = (doc.get("package") or "").replace(".", "/")
    flows = {}
    for tid, t in found.items():
        for fl in t.get("data_from_app", []):
            flows.setdefault((fl["at"], fl["sdk_method"]), []).append(fl)
    sites = []
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not re.fullmatch(r"classes\d*\.dex", name):
                continue
            dex = os.path.join(tmp, name)
            with open(dex, "wb") as o:
                o.write(z.read(name))
            dump = subprocess.run(["dexdump", "-d", dex], capture_output=True, text=True, errors="replace").stdout
            cur, body = None, []
            for line in dump.splitlines():
                m = method_re.search(line)
                if m:
                    cur, body = (m.group(1), m.group(2)), []
                    continue
                if cur is None:
                    continue
                body.append(line.split("|", 1)[-1])
                i = invoke_re.search(line)
                if not i:
                    continue
                tracker = entries.get((i.group(3), i.group(4)))
                if tracker is None or tracker not in found:
                    continue
                cls = cur[0].replace(".", "/")
                sdk_pkg = i.group(3).split("/")[:2]
                in_app = (pkg and cls.startswith(pkg + "/")) or cls.split("/")[:2] != sdk_pkg
                if not in_app:
                    continue
                sites.append((cur, i.group(3).replace("/", ".") + "." + i.group(4), i.group(2), list(body)))
    for (cls, meth), sdk, regs, body in sites:
        at = f"{cls}.{meth}"
        fl = flows.get((at, sdk), [])
        total_sites += 1
        sites_with_flows += bool(fl)
        for x in fl:
            k = (f, at, sdk, x["kind"], x.get("key"), x["via"])
            if k not in counted:
                counted.add(k)
                personal += bool(x.get("personal"))
        what = "; ".join(f"{x['kind']}" + (f" ({x['key']})" if x.get("key") else "") + f" via {x['via']}" for x in fl) or "-"
        print(f"{f}\t{at}\t{sdk}({regs})\t{what}")
        if bodies:
            for b in body[-12:]:
                print(f"\t\t{b.strip()}")
print(f"# {total_sites} app call sites into entry points (dexdump), {sites_with_flows} with flows; {len(counted)} distinct flows, {personal} of them personal")
PY
