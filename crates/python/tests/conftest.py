"""Shared fixtures: the inputs (bundled samples, the shared corpus) and the CLI's output."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
from typing import Dict, List

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
SAMPLES = os.path.join(ROOT, "samples")
CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus", "apks"))


def _cli() -> str:
    """The trackscan binary: $TRACKSCAN_BIN, else one in a target dir, else on PATH."""
    env = os.environ.get("TRACKSCAN_BIN")
    if env:
        return env
    cands = []
    for tdir in (os.environ.get("CARGO_TARGET_DIR"), os.path.join(ROOT, "target")):
        if tdir:
            cands += [os.path.join(tdir, p, "trackscan") for p in ("release", "debug")]
    for c in cands:
        if os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    found = shutil.which("trackscan")
    if found:
        return found
    pytest.skip("no trackscan CLI binary (set TRACKSCAN_BIN)")
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def cli() -> str:
    return _cli()


def cli_docs(cli: str, paths: List[str]) -> Dict[str, dict]:
    """`trackscan scan --compact P…`: one JSON document per line, keyed by `file`."""
    out = subprocess.run([cli, "scan", "--compact", *paths], capture_output=True, check=False)
    assert out.returncode in (0, 2), out.stderr.decode(errors="replace")
    docs = [json.loads(line) for line in out.stdout.decode().splitlines() if line.strip()]
    assert len(docs) == len(paths), out.stderr.decode(errors="replace")
    return {d["file"]: d for d in docs}


@pytest.fixture(scope="session")
def samples() -> List[str]:
    s = sorted(glob.glob(os.path.join(SAMPLES, "*.apk")))
    assert s, f"no samples in {SAMPLES}"
    return s


@pytest.fixture(scope="session")
def corpus() -> List[str]:
    c = sorted(glob.glob(os.path.join(CORPUS, "*.apk")))
    if not c:
        pytest.skip(f"shared corpus absent ({CORPUS})")
    return c
