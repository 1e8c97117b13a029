#!/usr/bin/env python3
"""Turns the raw files of bench/compare.sh (a results directory) into the Markdown section of
BENCHMARKS.md: per-APK table, targets summary, scaling fit, batch scaling. Standard library only.

Usage: compare_report.py OUTDIR REPS PEER_REPS
"""
import glob
import json
import os
import statistics
import sys

out, reps, peer_reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
MiB = 1 << 20


def read_tsv(pattern):
    """{basename: [rows...]} over every file matching pattern (one per repetition)."""
    runs = {}
    for path in sorted(glob.glob(os.path.join(out, pattern))):
        for line in open(path):
            f = line.rstrip("\n").split("\t")
            if len(f) < 5 or f[4] == "total":
                continue
            runs.setdefault(os.path.basename(f[4]), []).append(f)
    return runs


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


floor = read_tsv("floor.*.tsv")
scan = read_tsv("scan.*.tsv")
names = sorted(scan, key=lambda n: os.path.getsize(scan[n][0][4]) if os.path.exists(scan[n][0][4]) else 0, reverse=True)


def peer(kind):
    per = {}
    for path in sorted(glob.glob(os.path.join(out, f"{kind}.*.jsonl"))):
        for line in open(path):
            try:
                r = json.loads(line)
            except ValueError:
                continue
            if "seconds" in r:
                per.setdefault(os.path.basename(r["file"]), []).append(r["seconds"] * 1e3)
    return {k: med(v) for k, v in per.items()}


exodus, androguard = peer("exodus"), peer("androguard")
rss = {}
if os.path.exists(os.path.join(out, "rss.tsv")):
    for line in open(os.path.join(out, "rss.tsv")):
        f = line.rstrip("\n").split("\t")
        if len(f) == 3:
            try:
                rss[os.path.basename(f[2])] = (int(f[0]) * 1024, int(f[1]) * 1024)
            except ValueError:
                pass

rows = []
for n in names:
    s = scan[n]
    size = os.path.getsize(s[0][4]) if os.path.exists(s[0][4]) else 0
    scan_ms = med([float(r[0]) for r in s])
    floor_ms = med([float(r[0]) for r in floor.get(n, [])])
    dex = int(s[0][1])
    rows.append(dict(name=n, size=size, dex=dex, scan=scan_ms, floor=floor_ms,
                     exodus=exodus.get(n), androguard=androguard.get(n),
                     rss=rss.get(n, (None, None))[0], floor_rss=rss.get(n, (None, None))[1],
                     inflated=int(floor[n][0][1]) if n in floor else 0))


def fmt(x, p=1):
    return "–" if x is None else f"{x:.{p}f}"


def ratio(a, b):
    return a / b if a is not None and b else None


print(open(os.path.join(out, "machine.txt")).read().strip().replace("\n", "  \n"))
print()
print(f"Repetitions: trackscan and floor {reps} (median), peers {peer_reps}. "
      "Times in ms per APK, page cache warm, one thread, rules compiled once.")
print()
print("| APK | size MB | DEX MB | floor ms | scan ms | scan/floor | scan MB/s | εxodus ms | ×εxodus | androguard ms | ×androguard | RSS MiB | floor RSS MiB |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    mbs = r["size"] / MiB / (r["scan"] / 1e3) if r["scan"] else None
    print(f"| {r['name']} | {r['size']/MiB:.2f} | {r['dex']/MiB:.2f} | {fmt(r['floor'],2)} | {fmt(r['scan'],2)} "
          f"| {fmt(ratio(r['scan'], r['floor']),2)} | {fmt(mbs,0)} | {fmt(r['exodus'],0)} | {fmt(ratio(r['exodus'], r['scan']),0)} "
          f"| {fmt(r['androguard'],0)} | {fmt(ratio(r['androguard'], r['scan']),0)} "
          f"| {fmt(r['rss'] / MiB if r['rss'] else None)} | {fmt(r['floor_rss'] / MiB if r['floor_rss'] else None)} |")
print()

# Targets.
big = [r for r in rows if r["dex"] > 0][:5]
floor_ratios = [ratio(r["scan"], r["floor"]) for r in big]
ex_r = [ratio(r["exodus"], r["scan"]) for r in rows if r["exodus"] and r["dex"] > 0]
ag_r = [ratio(r["androguard"], r["scan"]) for r in rows if r["androguard"] and r["dex"] > 0]
print("### Summary")
print()
print(f"- scan / floor on the 5 APKs with the most DEX bytes: "
      + ", ".join(f"{r['name']} {fmt(x,2)}" for r, x in zip(big, floor_ratios))
      + f"; median {fmt(med(floor_ratios),2)}, max {fmt(max([x for x in floor_ratios if x] or [0]),2)} (target ≤ 1.25)")
if ex_r:
    print(f"- εxodus-core / scan, per-APK ratio over {len(ex_r)} APKs with DEX: median {med(ex_r):.0f}×, min {min(ex_r):.0f}× "
          f"(medians: εxodus {med([r['exodus'] for r in rows if r['exodus']]):.0f} ms vs scan {med([r['scan'] for r in rows]):.1f} ms; target ≥ 80×)")
if ag_r:
    print(f"- androguard / scan, per-APK ratio over {len(ag_r)} APKs with DEX: median {med(ag_r):.0f}×, min {min(ag_r):.0f}× "
          f"(medians: androguard {med([r['androguard'] for r in rows if r['androguard']]):.0f} ms; target ≥ 100×)")

# Scaling: least squares of scan ms on DEX bytes.
pts = [(r["dex"], r["scan"]) for r in rows if r["scan"] is not None]
if len(pts) > 2:
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in pts)
    slope = sxy / sxx if sxx else 0.0
    icpt = my - slope * mx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - (icpt + slope * x)) ** 2 for x, y in pts)
    r2 = 1 - ss_res / ss_tot if ss_tot else 1.0
    print(f"- scaling: scan ms = {icpt:.2f} + {slope * 1e6:.2f} × DEX MB (least squares over {len(pts)} APKs, R² = {r2:.3f}); "
          f"per DEX byte {slope * 1e6:.1f} ns")
    per_mb = sorted((r["scan"] / (r["dex"] / MiB), r["name"]) for r in rows if r["dex"] > 256 * 1024)
    if per_mb:
        print(f"- ms per DEX MB over APKs with > 256 KiB of DEX: min {per_mb[0][0]:.1f} ({per_mb[0][1]}), "
              f"median {med([p[0] for p in per_mb]):.1f}, max {per_mb[-1][0]:.1f} ({per_mb[-1][1]})")

# Batch.
def two(path):
    try:
        a = open(os.path.join(out, path)).read().split()
        return float(a[-2]), int(a[-1]) * 1024
    except (OSError, ValueError, IndexError):
        return None, None

b1, rss1 = two("batch1.time")
b2, rss2 = two("batch2.time")
cli, cli_rss = two("cli.time")
st, st_rss = two("startup.time")
if b1 and b2:
    print(f"- batch over the corpus: 1 job {b1:.2f} s, 2 jobs {b2:.2f} s → {b1 / b2:.2f}× (target ≥ 1.8×); "
          f"peak RSS {rss1 / MiB:.0f} / {rss2 / MiB:.0f} MiB")
if cli:
    print(f"- one `trackscan scan` process over all {len(rows)} files: {cli:.2f} s wall, peak RSS {cli_rss / MiB:.0f} MiB; "
          + (f"start-up (one process scanning the smallest file, mean of 20) {st * 1000:.1f} ms"
             if st is not None else ""))
maxdex = max((r["dex"] for r in rows), default=0)
rr = [(r["rss"], r["name"], r["dex"]) for r in rows if r["rss"]]
if rr:
    worst = max(rr)
    bound = 2 * maxdex + 64 * MiB
    over = [(n, x, 2 * d + 64 * MiB) for x, n, d in rr if x > 2 * d + 64 * MiB]
    print(f"- peak RSS: max {worst[0] / MiB:.0f} MiB ({worst[1]}); bound 2 × largest DEX ({maxdex / MiB:.1f} MiB) + 64 MiB = "
          f"{bound / MiB:.0f} MiB; per-APK bound (2 × its own DEX + 64 MiB) exceeded by {len(over)} APKs")
