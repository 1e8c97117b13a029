#!/usr/bin/env bash
# The HTML report at scale (issue 21): an N-row batch journal generated from the corpus rows
# (bench/gen_rows.py: varied files, packages, version codes and sha256), `trackscan report` to
# HTML (wall time min/median/max over RUNS runs, peak RSS), the HTML file size, and the load time
# in headless Chromium to the first rendered page of rows: `data-first-render-ms` of `#status`
# (performance.now() at the first render: from navigation start, i.e. HTML parse + JSON.parse +
# filters + first page) and the whole `chromium --headless --dump-dom` process wall time, beside
# the same for an empty page (browser start-up). Also checks that the page rendered 50 rows,
# that all N match, and that Chromium logged no console line.
#
# Usage: bash bench/report_load.sh [ROWS ...]      (default: 10000)
# Env:   BIN (default target/release/trackscan, built if missing), CORPUS (../shared/corpus/apks),
#        RUNS (5), CHROMIUM (chromium), WORK (a new temp dir; removed unless KEEP=1),
#        STREAM_ABOVE (20000: above that many rows the journal is not written to disk but piped
#        from the generator into `trackscan report /dev/stdin`).
# Needs python3, /usr/bin/time. Disk: ~14 KB of JSONL (unless streamed) and ~0.75 KB of HTML a row.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${BIN:-$ROOT/target/release/trackscan}
CORPUS=${CORPUS:-$ROOT/../shared/corpus/apks}
RUNS=${RUNS:-5}
STREAM_ABOVE=${STREAM_ABOVE:-20000}
CHROMIUM=${CHROMIUM:-chromium}
WORK=${WORK:-$(mktemp -d /tmp/trackscan-report-bench.XXXXXX)}
[ "$#" -gt 0 ] || set -- 10000
[ -x "$BIN" ] || cargo build -q --release -p trackscan --manifest-path "$ROOT/Cargo.toml"
[ -d "$CORPUS" ] || { echo "report_load.sh: corpus not found at $CORPUS" >&2; exit 2; }
cleanup() { [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"; }
trap cleanup EXIT

stats() { # prints "min median max" of the numbers on stdin
    python3 -c 'import sys,statistics as s; v=sorted(float(x) for x in sys.stdin.read().split()); print(f"{v[0]:.3f} {s.median(v):.3f} {v[-1]:.3f}")'
}

chrome() { # URL → "wall_seconds status_tag console_lines"
    local prof; prof=$(mktemp -d "$WORK/prof.XXXXXX")
    local t0 t1
    t0=$(date +%s.%N)
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions \
        --enable-logging=stderr --v=0 "--host-resolver-rules=MAP * ~NOTFOUND" \
        "--user-data-dir=$prof" --dump-dom "$1" 2>"$WORK/chrome.err" \
        | grep -o '<p id="status"[^>]*>' >"$WORK/status.txt" || true
    t1=$(date +%s.%N)
    rm -rf "$prof"
    echo "$(python3 -c "print(f'{$t1-$t0:.3f}')") $(grep -c ':CONSOLE' "$WORK/chrome.err" || true)"
}

attr() { grep -o "$1=\"[0-9]*\"" "$WORK/status.txt" | grep -o '[0-9]*' || echo "?"; }

echo "report_load.sh: $("$BIN" --version), $("$CHROMIUM" --version 2>/dev/null | grep -v operator), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$BIN" batch -q --allow-unreadable "$CORPUS" -o "$WORK/corpus.jsonl" || true
echo "source rows: $(wc -l <"$WORK/corpus.jsonl") (batch of $CORPUS)"
printf '<!doctype html><html><body><p id="status" data-rendered="0">empty</p></body></html>\n' >"$WORK/empty.html"
: >"$WORK/base.txt"
for _ in $(seq "$RUNS"); do chrome "file://$WORK/empty.html" | cut -d' ' -f1 >>"$WORK/base.txt"; done
echo "chromium on an empty page (start-up), wall s min/median/max: $(stats <"$WORK/base.txt")"

for N in "$@"; do
    J="$WORK/rows-$N.jsonl"; H="$WORK/report-$N.html"
    : >"$WORK/gen.txt"; : >"$WORK/rss.txt"
    if [ "$N" -le "$STREAM_ABOVE" ]; then
        t0=$(date +%s.%N); python3 "$ROOT/bench/gen_rows.py" "$WORK/corpus.jsonl" "$N" "$J"; t1=$(date +%s.%N)
        echo "== $N rows: journal $(stat -c %s "$J") bytes (generated in $(python3 -c "print(f'{$t1-$t0:.1f}')") s)"
        "$BIN" report "$J" -o "$H" 2>/dev/null # warm-up
        for _ in $(seq "$RUNS"); do
            /usr/bin/time -f '%e %M' -o "$WORK/time.txt" "$BIN" report "$J" -o "$H" 2>/dev/null
            cut -d' ' -f1 "$WORK/time.txt" >>"$WORK/gen.txt"; cut -d' ' -f2 "$WORK/time.txt" >>"$WORK/rss.txt"
        done
        echo "trackscan report: wall s min/median/max $(stats <"$WORK/gen.txt"); peak RSS KiB min/median/max $(stats <"$WORK/rss.txt")"
    else
        # Too big to keep on disk (~14 KB a row): the generator is piped into `report /dev/stdin`,
        # so the wall time is that of the pipeline (generator alone timed beside it).
        /usr/bin/time -f '%e' -o "$WORK/time.txt" sh -c "python3 '$ROOT/bench/gen_rows.py' '$WORK/corpus.jsonl' $N >/dev/null"
        echo "== $N rows, streamed: generator alone $(cat "$WORK/time.txt") s"
        for _ in $(seq "$RUNS"); do
            python3 "$ROOT/bench/gen_rows.py" "$WORK/corpus.jsonl" "$N" \
                | /usr/bin/time -f '%e %M' -o "$WORK/time.txt" "$BIN" report /dev/stdin -o "$H" 2>/dev/null
            cut -d' ' -f1 "$WORK/time.txt" >>"$WORK/gen.txt"; cut -d' ' -f2 "$WORK/time.txt" >>"$WORK/rss.txt"
        done
        echo "trackscan report (fed by the generator): wall s min/median/max $(stats <"$WORK/gen.txt"); peak RSS KiB $(stats <"$WORK/rss.txt")"
    fi
    echo "HTML: $(stat -c %s "$H") bytes"
    rm -f "$J"
    : >"$WORK/wall.txt"; : >"$WORK/first.txt"
    for _ in $(seq "$RUNS"); do
        read -r wall console < <(chrome "file://$H")
        echo "$wall" >>"$WORK/wall.txt"; attr data-first-render-ms >>"$WORK/first.txt"
        rendered=$(attr data-rendered); matching=$(attr data-matching)
        if [ "$console" != 0 ] || [ "$matching" != "$N" ]; then
            echo "report_load.sh: chromium: $console console lines, rendered=$rendered matching=$matching" >&2
            head -5 "$WORK/chrome.err" | grep CONSOLE >&2 || true
            exit 1
        fi
    done
    echo "chromium: first page ($rendered rows of $matching) at data-first-render-ms min/median/max $(stats <"$WORK/first.txt"); whole --dump-dom process wall s $(stats <"$WORK/wall.txt"); console lines 0"
    rm -f "$H"
done
