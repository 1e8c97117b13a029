#!/usr/bin/env bash
# Peak RSS of `trackscan scan` on hostile inputs that declare huge sizes/counts: a zip bomb
# declaring 1 GiB (real 1 GiB deflate stream), the same stream with a size lie (declares 1 KiB),
# and a DEX whose string_ids_size is 2^31. Each must stay under 100 MiB RSS and exit 0 or 2
# (never killed, never 101).
#
# Usage: bench/memory.sh [path/to/trackscan]   (default: builds the debug binary into
# ${CARGO_TARGET_DIR:-target}). Needs python3 and GNU time (apt-get install -y time).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-}
if [[ -z "$BIN" ]]; then
  cargo build -q -p trackscan
  BIN="${CARGO_TARGET_DIR:-target}/debug/trackscan"
fi
LIMIT_KB=$((100 * 1024))
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 - "$WORK" <<'PY'
import struct, sys, zlib, os
out = sys.argv[1]

def deflate_zeros(total):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(1 << 20)
    parts = [c.compress(chunk) for _ in range(total >> 20)]
    parts.append(c.flush())
    return b"".join(parts)

def zip_file(path, entries):
    """entries: (name, method, data, crc, declared_uncompressed)"""
    body, cd, off = b"", b"", 0
    for name, method, data, crc, usize in entries:
        n = name.encode()
        lh = struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, 0, method, 0, 0, crc, len(data), usize, len(n), 0) + n
        cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 20, 20, 0, method, 0, 0, crc, len(data), usize,
                          len(n), 0, 0, 0, 0, 0, off) + n
        body += lh + data
        off += len(lh) + len(data)
    eocd = struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, len(entries), len(entries), len(cd), off, 0)
    with open(path, "wb") as f:
        f.write(body + cd + eocd)

manifest = b'<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.bomb"/>'
bomb = deflate_zeros(1 << 30)
crc = 0  # zlib.crc32 of 1 GiB zeros; not needed to trip the limits
m = ("AndroidManifest.xml", 0, manifest, zlib.crc32(manifest), len(manifest))
zip_file(os.path.join(out, "bomb_1gib.apk"), [m, ("classes.dex", 8, bomb, crc, 1 << 30)])
zip_file(os.path.join(out, "bomb_lying.apk"), [m, ("classes.dex", 8, bomb, crc, 1024)])
zip_file(os.path.join(out, "bomb_many.apk"), [m] + [("classes%d.dex" % i, 8, bomb, crc, 400 << 20) for i in range(2, 8)])

# DEX 035 header with string_ids_size = 2^31 and the table "at" 0x70; the file is 4 KiB.
hdr = bytearray(0x70)
hdr[0:8] = b"dex\n035\0"
struct.pack_into("<I", hdr, 32, 4096)         # file_size
struct.pack_into("<I", hdr, 36, 0x70)         # header_size
struct.pack_into("<I", hdr, 40, 0x12345678)   # endian_tag
struct.pack_into("<II", hdr, 56, 1 << 31, 0x70)  # string_ids_size, string_ids_off
dex = bytes(hdr) + bytes(4096 - 0x70)
with open(os.path.join(out, "strings_2p31.dex"), "wb") as f:
    f.write(dex)
zip_file(os.path.join(out, "strings_2p31.apk"), [m, ("classes.dex", 0, dex, zlib.crc32(dex), len(dex))])
PY

fail=0
printf '%-20s %10s %8s %6s  %s\n' input size_KiB rss_KiB exit first_message
for f in bomb_1gib.apk bomb_lying.apk bomb_many.apk strings_2p31.dex strings_2p31.apk; do
  set +e
  /usr/bin/time -v "$BIN" scan --compact "$WORK/$f" >"$WORK/out.json" 2>"$WORK/time.txt"
  code=$?
  set -e
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
  msg=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); m=(d.get("errors") or [])+(d.get("warnings") or []); print((m[0] if m else "-")[:110])' "$WORK/out.json" 2>/dev/null || echo "(no JSON)")
  printf '%-20s %10s %8s %6s  %s\n' "$f" "$(( $(stat -c %s "$WORK/$f") / 1024 ))" "$rss" "$code" "$msg"
  if [[ -z "$rss" || "$rss" -gt "$LIMIT_KB" || ( "$code" != 0 && "$code" != 2 ) ]]; then
    fail=1
  fi
done
if [[ $fail -ne 0 ]]; then
  echo "FAIL: an input went over ${LIMIT_KB} KiB RSS or exited abnormally" >&2
  exit 1
fi
echo "OK: every input under ${LIMIT_KB} KiB RSS"
