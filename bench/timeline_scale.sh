#!/usr/bin/env bash
# Timeline at scale (issue 18 item 2): a 100,000-row batch journal generated from the corpus
# rows (bench/gen_rows.py: varied packages and version codes), then `trackscan timeline` over
# it in text, JSON and long-format Parquet, with wall time and peak RSS (/usr/bin/time).
# Usage: bench/timeline_scale.sh [TRACKSCAN] [CORPUS] [ROWS]
#   (defaults: target/release/trackscan, ../shared/corpus, 100000)
set -euo pipefail
BIN=${1:-target/release/trackscan}
CORPUS=${2:-../shared/corpus}
ROWS=${3:-100000}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$BIN" batch -q --allow-unreadable -o "$TMP/corpus.jsonl" "$CORPUS/apks"
python3 "$(dirname "$0")/gen_rows.py" "$TMP/corpus.jsonl" "$ROWS" "$TMP/rows.jsonl"
echo "journal: $ROWS rows, $(du -h "$TMP/rows.jsonl" | cut -f1)"
for args in "" "--format json" "--parquet $TMP/timeline.parquet"; do
    /usr/bin/time -f "timeline $args: %e s wall, %U s user, %S s sys, %M KiB peak" \
        "$BIN" timeline $args "$TMP/rows.jsonl" > "$TMP/out" 2> "$TMP/err" || true
    tail -1 "$TMP/err"
done
