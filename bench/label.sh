#!/usr/bin/env bash
# Cost of the Data safety check (issue 30): per APK, instructions (callgrind) of
# `trackscan scan --format json` against `trackscan label --format json --data-safety DRAFT`
# (the app's own draft label, so that the label is read and every type is checked).
# usage: bash bench/label.sh [APK ...]   (default: the tracker-bearing corpus APKs below)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p trackscan
B=target/release/trackscan
C=${TRACKSCAN_CORPUS:-../shared/corpus}/apks
apks=("$@")
if [ ${#apks[@]} -eq 0 ]; then
  apks=("$C/achat.apk" "$C/exodus_instapaper.apk" "$C/appsflyer_demo_2018.apk" "$C/mackupon.apk" "$C/gateforfree.apk" "$C/branch_testbed_2024.apk")
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ir() { valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$@" >/dev/null 2>"$tmp/err"; grep -m1 '^summary:' "$tmp/cg.out" | awk '{print $2}'; }
printf '%-28s %14s %14s %8s\n' apk scan_Ir label_Ir ratio
for a in "${apks[@]}"; do
  "$B" label "$a" --draft "$tmp/draft.csv" >/dev/null 2>&1
  s=$(ir "$B" scan --format json -o "$tmp/o.json" "$a")
  l=$(ir "$B" label --format json -o "$tmp/o.json" --data-safety "$tmp/draft.csv" "$a")
  printf '%-28s %14s %14s %8.3f\n' "$(basename "$a")" "$s" "$l" "$(echo "$l / $s" | bc -l)"
done
