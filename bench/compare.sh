#!/usr/bin/env bash
# Side-by-side timing of trackscan, the inflate floor, εxodus-core and androguard over the same
# APKs, written into BENCHMARKS.md (between the "compare:begin/end" markers).
#
#   bash bench/compare.sh [DIR]          # DIR defaults to ../shared/corpus/apks
#
# Environment: REPS (trackscan/floor repetitions per APK, median taken; default 5),
# PEER_REPS (peer runs over the whole list, per-APK median; default 1 — they take minutes),
# PEERS_VENV (default /tmp/peers-venv), PEERS_DIR (default ../shared/peers),
# NO_WRITE=1 to print the table without touching BENCHMARKS.md, PEER_RESULTS=DIR to reuse the
# exodus.N.jsonl / androguard.N.jsonl of an earlier run instead of running the peers again,
# CARGO_TARGET_DIR as usual (binaries are built with --release).
#
# What is timed, per APK, all with the page cache warm and one thread:
#   floor   crates/container/examples/floor.rs: read the file, parse the zip, inflate exactly
#           the entries a scan reads (same backend, CRC-32 checked), nothing else.
#   scan    crates/scan/examples/scan_times.rs: Scanner::scan_path + compact JSON, rules
#           compiled once (batch mode: start-up amortised, reported separately).
#   peers   their own per-APK "seconds" field (interpreter start-up and imports excluded).
# Peak RSS: /usr/bin/time (%M) of one `trackscan scan FILE` process per APK (includes start-up).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${1:-$ROOT/../shared/corpus/apks}"
REPS="${REPS:-5}"
PEER_REPS="${PEER_REPS:-1}"
PEERS_VENV="${PEERS_VENV:-/tmp/peers-venv}"
PEERS_DIR="${PEERS_DIR:-$ROOT/../shared/peers}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
export CARGO_TARGET_DIR="$TARGET"

[ -d "$DIR" ] || { echo "compare: no corpus at $DIR" >&2; exit 1; }
shopt -s nullglob
FILES=("$DIR"/*.apk)
[ ${#FILES[@]} -gt 0 ] || { echo "compare: no *.apk in $DIR" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "compare: /usr/bin/time missing (apt-get install -y time)" >&2; exit 1; }

echo "== build (release)" >&2
(cd "$ROOT" && cargo build --release -q -p trackscan \
  && cargo build --release -q -p trackscan-container --example floor \
  && cargo build --release -q -p trackscan-scan --example scan_times)
TS="$TARGET/release/trackscan"
FLOOR="$TARGET/release/examples/floor"
SCANT="$TARGET/release/examples/scan_times"

OUT="$(mktemp -d /tmp/trackscan-compare.XXXXXX)"
echo "== results in $OUT" >&2

echo "== floor and scan, $REPS reps each, ${#FILES[@]} files" >&2
# Interleave floor and scan runs so that machine load hits both alike.
for r in $(seq 1 "$REPS"); do
  "$FLOOR" "${FILES[@]}" > "$OUT/floor.$r.tsv"
  "$SCANT" "${FILES[@]}" > "$OUT/scan.$r.tsv" 2> "$OUT/scan.$r.err"
done

echo "== peak RSS per APK (one process each)" >&2
: > "$OUT/rss.tsv"
for f in "${FILES[@]}"; do
  # Exit status 2 (an input that cannot be scanned) is a result, not a failure here.
  /usr/bin/time -o "$OUT/t" -f '%M' "$TS" scan --compact -o /dev/null "$f" >/dev/null 2>&1 || true
  s=$(tail -1 "$OUT/t")
  /usr/bin/time -o "$OUT/t" -f '%M' "$FLOOR" "$f" >/dev/null 2>&1 || true
  fl=$(tail -1 "$OUT/t")
  printf '%s\t%s\t%s\n' "$s" "$fl" "$f" >> "$OUT/rss.tsv"
done

echo "== one trackscan process over all files (CLI, start-up included)" >&2
/usr/bin/time -o "$OUT/cli.time" -f '%e %M' "$TS" scan --compact -o "$OUT/cli.jsonl" "${FILES[@]}" >/dev/null 2>&1 || true
# start-up: a scan of the smallest input is dominated by rule compilation and process start.
SMALLEST=$(ls -S "${FILES[@]}" | tail -1)
/usr/bin/time -o "$OUT/startup.rss" -f '%e %M' "$TS" scan --compact -o /dev/null "$SMALLEST" >/dev/null 2>&1 || true
# %e has 10 ms resolution and start-up is now below that: average 20 runs with nanoseconds.
t0=$(date +%s%N)
for _ in $(seq 20); do "$TS" scan --compact -o /dev/null "$SMALLEST" >/dev/null 2>&1 || true; done
t1=$(date +%s%N)
echo "$(( (t1 - t0) / 20000 ))e-6 $(tail -1 "$OUT/startup.rss" | awk '{print $2}')" > "$OUT/startup.time"

echo "== batch, 1 job vs 2 jobs" >&2
for j in 1 2; do
  rm -f "$OUT/batch$j.jsonl"
  /usr/bin/time -o "$OUT/batch$j.time" -f '%e %M' "$TS" batch -q -j "$j" -o "$OUT/batch$j.jsonl" "$DIR" >/dev/null 2>&1 || true
done

PY_PEERS="$PEERS_VENV/bin/python"
if [ -n "${PEER_RESULTS:-}" ]; then
  # Reuse earlier peer runs (exodus.N.jsonl / androguard.N.jsonl from the same file list):
  # the peers take minutes and their per-APK times do not depend on trackscan's code.
  echo "== peers: reusing $PEER_RESULTS" >&2
  cp "$PEER_RESULTS"/exodus.*.jsonl "$PEER_RESULTS"/androguard.*.jsonl "$OUT"/ 2>/dev/null || true
  cp "$PEER_RESULTS"/*.time "$OUT"/ 2>/dev/null || true
elif [ -x "$PY_PEERS" ] && [ -f "$PEERS_DIR/exodus_scan.py" ]; then
  for r in $(seq 1 "$PEER_REPS"); do
    echo "== εxodus-core run $r/$PEER_REPS" >&2
    /usr/bin/time -o "$OUT/exodus.$r.time" -f '%e %M' "$PY_PEERS" "$PEERS_DIR/exodus_scan.py" "${FILES[@]}" > "$OUT/exodus.$r.jsonl" 2>/dev/null || true
    echo "== androguard run $r/$PEER_REPS" >&2
    /usr/bin/time -o "$OUT/androguard.$r.time" -f '%e %M' "$PY_PEERS" "$PEERS_DIR/androguard_scan.py" "${FILES[@]}" > "$OUT/androguard.$r.jsonl" 2>/dev/null || true
  done
else
  echo "== peers not installed at $PEERS_VENV (bash $PEERS_DIR/install.sh); peer columns empty" >&2
fi

{
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo)"
  echo "rustc: $(rustc --version)"
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg) (machine shared with other builds)"
} > "$OUT/machine.txt"

python3 "$ROOT/bench/compare_report.py" "$OUT" "$REPS" "$PEER_REPS" > "$OUT/report.md"
cat "$OUT/report.md"
if [ "${NO_WRITE:-0}" != 1 ]; then
  python3 - "$ROOT/BENCHMARKS.md" "$OUT/report.md" <<'PY'
import sys, re, os
path, rep = sys.argv[1], open(sys.argv[2]).read()
begin, end = "<!-- compare:begin -->", "<!-- compare:end -->"
block = f"{begin}\n{rep.rstrip()}\n{end}"
text = open(path).read() if os.path.exists(path) else "# Benchmarks\n\n"
if begin in text and end in text:
    text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda m: block, text, flags=re.S)
else:
    text = text.rstrip() + "\n\n" + block + "\n"
open(path, "w").write(text)
print(f"wrote {path}", file=sys.stderr)
PY
fi
