#!/usr/bin/env python3
"""Score trackscan's SDK versions against bench/library/versions_truth.tsv.

    python3 bench/library/versions.py [--bin target/release/trackscan] [--corpus ../shared/corpus]

Scans the originals (CORPUS/apks) and every variant folder (CORPUS/obfuscated/*/), each file whose
name has rows in the truth table (variants share their original's truth by file name), and
classifies the `sdk_version` of every tracker finding that has a truth row other than `-`:

  correct  equal to the truth (numerically, part by part, a leading `v` ignored), or a range
           `a..b` that holds the truth and spans at most 3 releases
  range    an open range (`..b`, `a..`) that holds the truth, or a range `a..b` that holds the
           truth but spans more releases (or whose releases
           cannot be counted: no release list for that SDK, or one ending outside it)
  missing  no version
  wrong    anything else

Releases in a range are counted from trackscan's library build lists
(signatures/library/builds/*.tsv) and signatures/meta_versions.tsv. Prints one line per corpus
set and a table of every `wrong` and `range` finding; exits 1 if any finding is `wrong`.
Python 3 standard library only.
"""
import argparse
import concurrent.futures
import csv
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SETS = ["originals", "renamed", "strings", "shrunk", "flat"]


def vkey(v):
    """Version string -> comparable tuple: '4.8.7' == 'v4.8.7' == '4.8.7.0'."""
    v = v.strip()
    if v[:1] in ("v", "V"):
        v = v[1:]
    parts = []
    for p in re.split(r"[.\-_+]", v):
        if p == "":
            continue
        parts.append((0, int(p), "") if p.isdigit() else (1, 0, p.lower()))
    while parts and parts[-1] == (0, 0, ""):
        parts.pop()
    return tuple(parts)


def load_truth(path):
    truth = {}
    with open(path, newline="") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            if cols[0] == "apk" and cols[1] == "tracker":
                continue
            apk, tracker, value = cols[0], cols[1], cols[2]
            truth[(apk, tracker)] = value
    return truth


def load_releases(repo):
    """Release lists per SDK family from trackscan's library build lists."""
    rel = {}

    def add(fam, v):
        if v and v != "-":
            rel.setdefault(fam, set()).add(vkey(v))

    builds = os.path.join(repo, "signatures", "library", "builds")
    gf = os.path.join(builds, "google_facebook.tsv")
    if os.path.exists(gf):
        with open(gf) as f:
            for line in f:
                if line.startswith("#"):
                    continue
                c = line.rstrip("\n").split("\t")
                if len(c) < 3 or c[0] == "sdk":
                    continue
                sdk, version, module = c[0], c[1], c[2]
                if sdk == "facebook" and module != "audience-network-sdk":
                    add("facebook", version)
                elif sdk in ("play-services", "firebase"):
                    if vkey(version) < vkey("15"):
                        add("google", version)  # one version for every module before 15.0.0
                    if module in ("firebase-analytics", "firebase-core") or module.startswith(
                        "play-services-measurement"
                    ):
                        add("google-firebase-analytics", version)
                    if module.startswith("play-services-ads"):
                        add("google-admob", version)
                    if module.startswith("play-services-analytics"):
                        add("google-analytics", version)
                elif sdk == "google-analytics":
                    add("google-analytics", version)
    vt = os.path.join(builds, "vendors.tsv")
    if os.path.exists(vt):
        with open(vt) as f:
            for line in f:
                if line.startswith("#"):
                    continue
                c = line.rstrip("\n").split("\t")
                if len(c) < 2 or c[0] == "sdk":
                    continue
                add(c[0], c[1])
    mv = os.path.join(repo, "signatures", "meta_versions.tsv")
    if os.path.exists(mv):
        with open(mv) as f:
            for line in f:
                if line.startswith("#"):
                    continue
                c = line.rstrip("\n").split("\t")
                if len(c) >= 3 and c[0] == "com.google.android.gms.version":
                    add("google", c[2])
    return rel


def release_list(rel, tracker):
    if tracker.startswith("facebook-"):
        return rel.get("facebook")
    if tracker.startswith("google-"):
        out = set(rel.get("google", set()))
        out |= rel.get(tracker, set())
        return out or None
    return rel.get(tracker)


def classify(version, truth, tracker, rel):
    if version is None or str(version).strip() == "":
        return "missing", ""
    version = str(version).strip()
    t = vkey(truth)
    if ".." in version:
        lo, _, hi = version.partition("..")
        if not lo.strip() or not hi.strip():
            # An open range (`..X`: at most X; `X..`: at least X): right when it holds the
            # truth, never exact.
            ok = (not lo.strip() and t <= vkey(hi)) or (not hi.strip() and vkey(lo) <= t)
            return ("range", "open") if ok else ("wrong", "open")
        a, b = vkey(lo), vkey(hi)
        if a > b:
            a, b = b, a
        if not (a <= t <= b):
            return "wrong", ""
        releases = release_list(rel, tracker)
        # the list must know both ends as releases, else it is not this SDK's list
        # (e.g. Fabric Crashlytics 2.x against the Play services list) or too sparse
        if releases is None or a not in releases or b not in releases:
            return "range", "releases not countable"
        n = len({r for r in releases | {t} if a <= r <= b})
        return ("correct" if n <= 3 else "range"), "%d releases" % n
    return ("correct" if vkey(version) == t else "wrong"), ""


def scan(binary, apk):
    try:
        p = subprocess.run(
            [binary, "scan", "--format", "json", apk],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            timeout=600,
        )
    except subprocess.TimeoutExpired:
        return None, "timeout"
    try:
        return json.loads(p.stdout.decode("utf-8", "replace")), None
    except ValueError:
        err = p.stderr.decode("utf-8", "replace").strip().splitlines()
        return None, "exit %d: %s" % (p.returncode, err[-1] if err else "no JSON")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default="target/release/trackscan")
    ap.add_argument("--corpus", default="../shared/corpus")
    ap.add_argument("--truth", default=os.path.join(HERE, "versions_truth.tsv"))
    ap.add_argument("--repo", default=REPO, help="trackscan checkout with signatures/ (release lists)")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()

    truth = load_truth(args.truth)
    rel = load_releases(args.repo)
    stems = sorted({apk for apk, _ in truth})

    jobs = []
    for s in SETS:
        d = os.path.join(args.corpus, "apks" if s == "originals" else os.path.join("obfuscated", s))
        for stem in stems:
            path = os.path.join(d, stem + ".apk")
            if os.path.exists(path):
                jobs.append((s, stem, path))

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        results = list(ex.map(lambda j: scan(args.bin, j[2]), jobs))

    counts = {s: {"correct": 0, "range": 0, "missing": 0, "wrong": 0} for s in SETS}
    notfound = {s: [] for s in SETS}
    failed = []
    table = []
    for (s, stem, path), (report, err) in zip(jobs, results):
        if report is None:
            failed.append((s, stem, err))
            continue
        seen = set()
        for t in report.get("trackers", []):
            tid = t.get("id")
            seen.add(tid)
            tv = truth.get((stem, tid))
            if tv is None or tv == "-":
                continue
            ver = t.get("sdk_version")
            cls, note = classify(ver, tv, tid, rel)
            counts[s][cls] += 1
            if cls in ("wrong", "range"):
                table.append((s, stem, tid, ver, t.get("sdk_version_source") or "-", tv, cls, note))
        for (apk, tid), tv in sorted(truth.items()):
            if apk == stem and tv != "-" and tid not in seen:
                notfound[s].append("%s/%s" % (stem, tid))

    for s in SETS:
        c = counts[s]
        n = sum(c.values())
        share = "%.1f%%" % (100.0 * c["correct"] / n) if n else "n/a"
        print(
            "versions %s: correct %d, range %d, missing %d, wrong %d of %d (correct share %s)"
            % (s, c["correct"], c["range"], c["missing"], c["wrong"], n, share)
        )
    for s in SETS:
        if notfound[s]:
            print("  %s: tracker with a truth row not reported: %s" % (s, ", ".join(notfound[s])))
    for s, stem, err in failed:
        print("  %s: %s.apk not scanned (%s)" % (s, stem, err))
    if table:
        print()
        w = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
        w.writerow(["set", "apk", "tracker", "trackscan_version", "source", "truth", "class", "note"])
        for row in table:
            w.writerow([x if x is not None else "-" for x in row])
    return 1 if any(counts[s]["wrong"] for s in SETS) else 0


if __name__ == "__main__":
    sys.exit(main())
