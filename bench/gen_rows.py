#!/usr/bin/env python3
"""Writes N batch-journal rows (JSON Lines) made from real rows, for report benchmarks.

Usage: gen_rows.py SOURCE.jsonl N [OUT.jsonl]   (OUT defaults to standard output)

Row i is source row i % len(source) with its own `file` (synthetic/<i>/<name>), `sha256`
(SHA-256 of "<source sha256>:<i>"), `package` (<package>.v<k>, k = (i // len(source)) % 50, so
each package has several releases and the report draws timelines) and `version_code`
(<code> + i // len(source)). Everything else (trackers, hosts, pins, score, errors) is the
source row's, so unreadable rows stay unreadable. Deterministic.
"""
import hashlib
import json
import sys


def main() -> int:
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    src = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
    src = [r for r in src if isinstance(r, dict)]
    if not src:
        print("gen_rows.py: no rows in " + sys.argv[1], file=sys.stderr)
        return 2
    n = int(sys.argv[2])
    out = open(sys.argv[3], "w", encoding="utf-8") if len(sys.argv) == 4 else sys.stdout
    m = len(src)
    for i in range(n):
        r = dict(src[i % m])
        block = i // m
        name = str(r.get("file") or "app.apk").rsplit("/", 1)[-1]
        r["file"] = f"synthetic/{i:07d}/{name}"
        base = r.get("sha256") or r["file"]
        r["sha256"] = hashlib.sha256(f"{base}:{i}".encode()).hexdigest()
        if r.get("package"):
            r["package"] = f"{r['package']}.v{block % 50}"
        if isinstance(r.get("version_code"), int):
            r["version_code"] = r["version_code"] + block
        out.write(json.dumps(r, separators=(",", ":")) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
