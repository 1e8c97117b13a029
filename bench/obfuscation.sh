#!/usr/bin/env bash
# Retention of trackers on obfuscated variants (issue 17): per APK, εxodus's hits on the
# original, trackscan on the original, trackscan on each obfuscated variant (with confidence
# and evidence kinds), and the retention of εxodus's hits. Usage:
#   bench/obfuscation.sh [TRACKSCAN] [CORPUS]   (defaults: target/release/trackscan, ../shared/corpus)
set -euo pipefail
BIN=${1:-target/release/trackscan}
CORPUS=${2:-../shared/corpus}
python3 - "$BIN" "$CORPUS" <<'PY'
import json, subprocess, sys, os
bin_, corpus = sys.argv[1], sys.argv[2]
exodus = {}
for line in open(os.path.join(corpus, "expected/exodus.jsonl")):
    d = json.loads(line)
    exodus[os.path.basename(d["file"])] = set(d.get("tracker_ids") or [])
def scan(path):
    out = subprocess.run([bin_, "scan", path, "--format", "json"], capture_output=True, text=True)
    d = json.loads(out.stdout)
    return {t.get("exodus_id"): t for t in d["trackers"]}
totals = {}
print("| apk | εxodus orig | trackscan orig | variant | found / εxodus | trackers on the variant (confidence: evidence kinds) | not in original |")
print("|---|---|---|---|---|---|---|")
for variant in ("renamed", "strings"):
    vdir = os.path.join(corpus, "obfuscated", variant)
    if not os.path.isdir(vdir):
        continue
    for f in sorted(os.listdir(vdir)):
        ex = exodus.get(f, set())
        orig = scan(os.path.join(corpus, "apks", f))
        obf = scan(os.path.join(vdir, f))
        kept = len(ex & set(obf))
        t = totals.setdefault(variant, [0, 0, 0, 0])
        t[0] += kept; t[1] += len(ex)
        extra = [obf[k]["id"] for k in obf if k not in orig]
        t[2] += len(extra)
        t[3] += sum(1 for k in ex & set(obf) if any(e["kind"] == "structure" for e in obf[k]["evidence"]))
        desc = ", ".join(f'{t_["id"]} ({t_["confidence"]}: {"+".join(sorted({e["kind"] for e in t_["evidence"]}))})' for t_ in obf.values())
        print(f"| {f} | {len(ex)} | {len(orig)} | {variant} | {kept}/{len(ex)} | {desc} | {', '.join(extra) or '-'} |")
print()
# Versions (issue 17): on the originals, the share of tracker findings with an sdk_version;
# on each variant, the share of the originals' versions still reported, and equal.
orig_all = [t for f in sorted(os.listdir(os.path.join(corpus, "apks"))) if f.endswith(".apk")
            for t in scan(os.path.join(corpus, "apks", f)).values()]
have = sum(1 for t in orig_all if t.get("sdk_version"))
print(f"versions on the originals: {have}/{len(orig_all)} tracker findings ({100*have/max(len(orig_all),1):.0f}%)")
print()
print("| variant | apk | tracker | original version (source) | variant version (source) |")
print("|---|---|---|---|---|")
vt = {}
for variant in ("renamed", "strings"):
    vdir = os.path.join(corpus, "obfuscated", variant)
    if not os.path.isdir(vdir):
        continue
    for f in sorted(os.listdir(vdir)):
        orig = scan(os.path.join(corpus, "apks", f))
        obf = scan(os.path.join(vdir, f))
        for k, t in sorted(orig.items(), key=lambda kv: kv[1]["id"]):
            if not t.get("sdk_version"):
                continue
            o = obf.get(k) or {}
            c = vt.setdefault(variant, [0, 0, 0])
            c[1] += 1
            same = o.get("sdk_version") == t["sdk_version"]
            c[0] += same
            c[2] += bool(o.get("sdk_version")) and not same
            print(f'| {variant} | {f} | {t["id"]} | {t["sdk_version"]} ({t.get("sdk_version_source")}) | {o.get("sdk_version") or "-"} ({o.get("sdk_version_source") or "-"}) |')
print()
for v, (k, n, x) in vt.items():
    print(f"{v}: {k}/{n} of the originals' versions still reported and equal ({100*k/max(n,1):.0f}%), {x} different")
for v, (k, n, x, s) in totals.items():
    print(f"{v}: {k}/{n} of εxodus's hits on the originals retained ({100*k/max(n,1):.0f}%), {s} of them with structure evidence; {x} trackers not in the original")
PY
