#!/usr/bin/env python3
"""Inclusive instructions of each scan step from two callgrind profiles of
`scan_times` (BENCHMARKS.md, "Profile 2026-12-08"):

    python3 bench/profile_steps.py achat.cg mackupon.cg      # prints the Markdown rows
    python3 bench/profile_steps.py --top FILE.cg [PATTERN...] # every function, inclusive

Per function symbol (the source files of inlined code merged): self cost plus the inclusive
cost of its calls to other symbols, from the `calls=` lines. A step's one-time loads
(`OnceLock::initialize` under it) are listed as start-up instead."""
import collections
import re
import sys

def parse(path):
    names = {}
    selfc = collections.Counter(); calls = collections.Counter(); ncalls = collections.Counter()
    fn = None; pending = None; total = 0
    def name(kind, rest):
        m = re.match(r'\((\d+)\)(?: (.*))?$', rest)
        if not m: return rest
        k = (kind, m.group(1))
        if m.group(2) is not None: names[k] = m.group(2)
        return names[k]
    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            if not line: continue
            c = line[0]
            if line.startswith('fn='):
                fn = name('fn', line[3:]); continue
            if line.startswith('cfn='):
                cfn = name('fn', line[4:]); continue
            if line.startswith('calls='):
                pending = (fn, cfn, int(line[6:].split()[0])); continue
            if c.isdigit() or c in '+-*':
                parts = line.split()
                if len(parts) < 2: continue
                cost = int(parts[-1])
                if pending:
                    if pending[1] != pending[0]:
                        calls[(pending[0], pending[1])] += cost
                        ncalls[(pending[0], pending[1])] += pending[2]
                    pending = None
                else:
                    selfc[fn] += cost; total += cost
                continue
            # fl= fi= fe= cfl= cfi= ob= cob= etc: register names for compression
            m = re.match(r'(c?f[lie]|c?ob)=(.*)', line)
            if m:
                name('ob' if m.group(1).endswith('ob') else 'file', m.group(2))
    incl = collections.Counter(selfc)
    for (a, b), v in calls.items(): incl[a] += v
    return incl, selfc, calls, ncalls, total

def load(p):
    i, s, c, n, t = parse(p)
    return i, c, t
def row(a, m, label, f):
    print(f"| {label} | {f(a):,} | {f(m):,} |")
I = lambda name: (lambda d: d[0][name])
C = lambda a, b: (lambda d: d[1][(a, b)])
def minus(f, g): return lambda d: f(d) - g(d)
def plus(*fs): return lambda d: sum(f(d) for f in fs)
once = 'std::sync::once_lock::OnceLock<T>::initialize'
S='trackscan_scan::'
L='trackscan_shape::library::'
rows = [
 ("process total (callgrind `Collected`)", lambda d: d[2]),
 # Since issue 32 item 5 `scan_bytes` is inlined into `scan_path_with_sha256` (which also
 # reads the file: ≈ 3 k instructions more).
 ("`Scanner::scan_bytes` (one scan, incl. first-use loads)", lambda d: max(d[0][S+'Scanner::scan_bytes'], d[0][S+'Scanner::scan_bytes_hashed'], d[0][S+'Scanner::scan_path_with_sha256'])),
 ("SHA-256 of the input (`Report::new`)", I(S+'<impl trackscan_scan::report::Report>::new')),
 ("inflate (`container::ZipArchive::read`)", I('trackscan_container::archive::ZipArchive::read')),
 ("open (`container::sniff` + `ZipArchive::parse`)", lambda d: sum(d[1][(S+'Scanner::'+f, 'trackscan_container::'+g)] for f in ['scan_bytes', 'scan_bytes_hashed', 'scan_path_with_sha256'] for g in ['sniff', 'archive::ZipArchive::parse'])),
 ("resources + manifest + signing", plus(I(S+'analyze::resources'), I(S+'analyze::manifest'), I(S+'analyze::signing'))),
 ("code index (`analyze::code_index`)", I(S+'analyze::code_index')),
 ("└ `dex::IndexBuilder::add_dex`", I('trackscan_dex::index::IndexBuilder::add_dex')),
 ("strings + host extraction (`Texts::gather`)", I(S+'analyze::Texts::gather')),
 ("└ hosts: `signatures::hosts::token_host`", I('trackscan_signatures::hosts::token_host')),
 ("matcher (`Matcher::match_all`)", I('trackscan_signatures::matcher::Matcher::match_all')),
 ("findings (`analyze::findings`)", I(S+'analyze::findings')),
 ("└ links (`analyze::code_links`)", I(S+'analyze::code_links')),
 ("&nbsp;&nbsp;└ `CodeIndex::links`", I('trackscan_dex::index::CodeIndex::links')),
 ("└ SDK code digest (`analyze::sdk_code`)", I(S+'analyze::sdk_code')),
 ("└ SDK versions (`sdk_version::resolve`)", I(S+'sdk_version::resolve')),
 ("structure/library (`structure::add_findings` without the library load)", minus(I(S+'structure::add_findings'), C(S+'structure::add_findings', once))),
 ("└ `shape::libfp::lib_classes` (fingerprints, own DEX walk)", I('trackscan_shape::libfp::lib_classes')),
 ("└ `Library::match_app`", I('trackscan_shape::library::Library::match_app_without')),
 ("└ versions from the library (`SdkMatch::versions_where`)", I('trackscan_shape::library::SdkMatch::versions_where')),
 ("structure versions + renamed entry points (without the entry-shape load)", lambda d: I(S+'analyze::structure_versions')(d) + I(S+'structure::renamed_entry_points')(d) - d[1].get((S+'structure::renamed_entry_points', once), 0)),
 ("flows (`scan::flow::data_from_app` without the flow-rule load)", minus(I(S+'analyze::data_from_app'), C(S+'flow::data_from_app', once))),
 ("pinning (`analyze::pinning`)", I(S+'analyze::pinning')),
 ("hosts (`analyze::hosts`, attribution)", I(S+'analyze::hosts')),
 ("hidden (`scan::hidden::assess`)", I(S+'hidden::assess')),
 ("JSON serialization (`Report::serialize`)", I('trackscan_scan::report::_::<impl serde_core::ser::Serialize for trackscan_scan::report::Report>::serialize')),
 ("start-up: rules (`RuleSet::builtin`)", I('trackscan_signatures::rule::RuleSet::builtin')),
 ("start-up: matcher (`Matcher::new`)", I('trackscan_signatures::matcher::Matcher::new')),
 # Since issue 32 item 3 the built-in library is read in place (`Library::from_static`, often
 # inlined: then its `Layout::read`); `Library::parse` is counted for older profiles.
 ("start-up: library load (`Library::from_static`, first scan needing it)", lambda d: sum(d[0][L+f] for f in ['Library::parse', 'Library::from_static', 'Layout::read'])
  - sum(d[1][(L+f, L+'Layout::read')] for f in ['Library::parse', 'Library::from_static'])),
 ("start-up: flow rules (`FlowRules::parse`)", I('trackscan_signatures::data_flow::FlowRules::parse')),
 ("start-up: entry shapes (first renamed SDK)", lambda d: d[1].get((S+'structure::renamed_entry_points', once), 0)),
]

def main():
    if sys.argv[1:2] == ["--top"]:
        incl, selfc, _, _, total = parse(sys.argv[2])
        pats = sys.argv[3:]
        print("total", total)
        for k, v in incl.most_common():
            if not pats or any(p in k for p in pats):
                print(f"{v:>14,}  {selfc[k]:>12,}  {k}")
        return
    A = load(sys.argv[1])
    M = load(sys.argv[2])
    for label, f in rows:
        row(A, M, label, f)


if __name__ == "__main__":
    main()
