"""The Ray Data pipeline on a local 2-CPU cluster over the shared corpus."""

from __future__ import annotations

import os

import pytest

import trackscan
from conftest import cli_docs

ray = pytest.importorskip("ray")
pq = pytest.importorskip("pyarrow.parquet")
pa = pytest.importorskip("pyarrow")

from trackscan import ray as tray  # noqa: E402


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    yield
    ray.shutdown()


def _names(doc):
    return [t.get("name") or t.get("id") for t in doc.get("trackers") or []]


def test_apps_table_types_equal_batch_schema(samples):
    table = tray.apps_table([trackscan.scan(p) for p in samples] + [{"file": "x", "errors": ["e"]}])
    assert table.num_rows == len(samples) + 1
    want = [(n, t) for n, t, _ in trackscan.apps_columns()]
    got = [(f.name, f.type) for f in table.schema]
    assert [n for n, _ in got] == [n for n, _ in want]
    arrow = {"Utf8": pa.string(), "UInt64": pa.uint64(), "UInt32": pa.uint32(),
             "UInt8": pa.uint8(), "Boolean": pa.bool_(), "List<Utf8>": pa.list_(pa.string())}
    assert [t for _, t in got] == [arrow[t] for _, t in want]


def test_scan_dataset_one_row_per_input(local_ray, tmp_path, cli, corpus, samples):
    broken = tmp_path / "broken.apk"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    inputs = corpus + samples + [str(broken), "/nonexistent/gone.apk"]
    out = tmp_path / "apps"
    n = tray.scan_dataset(inputs, str(out), batch_size=4)
    assert n == len(inputs)
    table = pq.read_table(str(out))
    rows = table.to_pylist()
    files = [r["file"] for r in rows]
    assert sorted(files) == sorted(inputs), "every input yields exactly one row"
    by_file = {r["file"]: r for r in rows}
    assert by_file[str(broken)]["errors"] > 0 and by_file[str(broken)]["package"] is None
    assert by_file["/nonexistent/gone.apk"]["errors"] > 0
    assert by_file[str(broken)]["score"] is None and by_file["/nonexistent/gone.apk"]["score"] is None
    want = cli_docs(cli, corpus + samples)
    for f, doc in want.items():
        r = by_file[f]
        assert r["tracker_names"] == _names(doc), f
        assert r["trackers"] == len(doc.get("trackers") or []), f
        assert r["package"] == doc.get("package"), f
        assert r["sha256"] == doc.get("sha256"), f
        if doc.get("score") is None:  # unreadable apps: no score in JSON nor in Parquet
            assert r["score"] is None, f
        else:
            assert r["score"] == doc["score"]["value"], f
    # same column names and order as `trackscan batch --format parquet`'s apps table
    assert table.schema.names == [c[0] for c in trackscan.apps_columns()]


def test_scan_dataset_expands_directories(local_ray, tmp_path, samples):
    out = tmp_path / "apps"
    n = tray.scan_dataset(os.path.dirname(samples[0]), str(out))
    assert n == len(samples)
    assert pq.read_table(str(out)).num_rows == len(samples)
