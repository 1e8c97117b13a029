#!/usr/bin/env bash
# Runs trackscan and εxodus-core over the same APKs and prints, per APK, the trackers each
# reports (by εxodus id), whether they agree, and each tool's time.
#
#   bench/compare_exodus.sh [DIR]        (default ../shared/corpus/apks)
#
# Needs the peers installed (bash ../shared/peers/install.sh → /tmp/peers-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="${1:-../shared/corpus/apks}"
PEERS="${PEERS_DIR:-../shared/peers}"
VENV="${PEERS_VENV:-/tmp/peers-venv}"
[ -x "$VENV/bin/python" ] || { echo "peers not installed: run bash $PEERS/install.sh" >&2; exit 2; }
cargo build --release -q -p trackscan
BIN=target/release/trackscan
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mapfile -t apks < <(find "$DIR" -maxdepth 1 -name '*.apk' | sort)

# trackscan: one process per APK, wall time per APK (includes process start-up, ~1 ms).
: > "$work/ts.jsonl"
for f in "${apks[@]}"; do
  t0=$(date +%s%N)
  "$BIN" scan --compact "$f" > "$work/one.json" 2>/dev/null || true
  t1=$(date +%s%N)
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["seconds"]=int(sys.argv[2])/1e9; print(json.dumps(d))' \
    "$work/one.json" "$((t1 - t0))" >> "$work/ts.jsonl"
done
# εxodus-core static analysis (its own per-APK "seconds", start-up excluded).
"$VENV/bin/python" "$PEERS/exodus_scan.py" "${apks[@]}" > "$work/ex.jsonl" 2>/dev/null

python3 - "$work/ts.jsonl" "$work/ex.jsonl" <<'PY'
import json, statistics, sys
ts = {json.loads(l)["file"].split("/")[-1]: json.loads(l) for l in open(sys.argv[1])}
ex = {json.loads(l)["file"].split("/")[-1]: json.loads(l) for l in open(sys.argv[2])}
rows, agree, ratios = [], 0, []
print(f"{'APK':<40} {'εxodus ids':<22} {'trackscan ids':<26} {'agree':<6} {'εxodus ms':>9} {'ts ms':>7}")
for name in sorted(ex):
    e, t = ex[name], ts.get(name, {})
    eids = sorted(e.get("tracker_ids", []))
    tids = sorted(x["exodus_id"] for x in t.get("trackers", []) if x.get("exodus_id") is not None)
    ok = set(eids) <= set(tids)
    agree += ok
    es, tsec = e.get("seconds"), t.get("seconds")
    if es and tsec:
        ratios.append(es / tsec)
    extra = sorted(set(tids) - set(eids))
    print(f"{name:<40} {','.join(map(str, eids)) or '-':<22} {','.join(map(str, tids)) or '-':<26} "
          f"{'yes' if ok else 'NO':<6} {1000*(es or 0):>9.1f} {1000*(tsec or 0):>7.1f}"
          + (f"   extra: {extra}" if extra else ""))
print(f"\n{agree}/{len(ex)} APKs: every εxodus tracker also reported by trackscan")
if ratios:
    print(f"median per-APK speed-up over εxodus-core (trackscan incl. process start-up): {statistics.median(ratios):.0f}x")
PY
