"""The wheel's scan/scan_many/diff against the CLI's JSON."""

from __future__ import annotations

import json
import os
import pathlib

import pytest

import trackscan
from conftest import cli_docs


def test_version_is_the_crates_version():
    v = trackscan.version()
    assert v and v[0].isdigit() and v.count(".") >= 2


def test_scan_samples_equal_cli(cli, samples):
    want = cli_docs(cli, samples)
    for p in samples:
        got = trackscan.scan(p)
        assert got == want[p], p
        assert got["package"] and "score" in got


def test_scan_corpus_subset_equals_cli(cli, corpus):
    # a spread over the corpus: first, last and every 12th file
    picks = sorted(set(corpus[::12] + [corpus[-1]]))
    want = cli_docs(cli, picks)
    for p in picks:
        try:
            got = trackscan.scan(p)
        except trackscan.ScanError as e:
            got = e.document
            assert want[p].get("package") is None and want[p]["errors"], p
        assert got == want[p], p


def test_scan_bytes_and_pathlike_equal_path(samples):
    p = samples[0]
    by_path = trackscan.scan(p)
    data = pathlib.Path(p).read_bytes()
    assert trackscan.scan(data, name=p) == by_path
    assert trackscan.scan(bytearray(data), name=p) == by_path
    assert trackscan.scan(pathlib.Path(p)) == by_path
    renamed = trackscan.scan(p, name="renamed.apk")
    assert renamed["file"] == "renamed.apk"
    assert {k: v for k, v in renamed.items() if k != "file"} == {
        k: v for k, v in by_path.items() if k != "file"
    }
    assert trackscan.scan(data)["file"] == "<bytes>"


def test_scan_many_equals_sequential(samples, corpus):
    paths = samples + corpus[:8] + ["/nonexistent/missing.apk"]
    seq = []
    for p in paths:
        try:
            seq.append(trackscan.scan(p))
        except trackscan.ScanError as e:
            seq.append(e.document)
    assert trackscan.scan_many(paths, jobs=2) == seq
    assert trackscan.scan_many(paths, jobs=1) == seq
    assert trackscan.scan_many(iter(map(pathlib.Path, paths))) == seq
    assert trackscan.scan_many([]) == []


def test_scan_error_on_non_apk(tmp_path, cli):
    junk = tmp_path / "notes.txt"
    junk.write_text("this is not an Android app\n")
    with pytest.raises(trackscan.ScanError) as info:
        trackscan.scan(str(junk))
    err = info.value
    assert err.file == str(junk)
    assert err.errors and str(err) == "\n".join(err.errors)
    assert str(junk) in str(err)
    # the CLI's document for it is the error document, and it exits 2
    assert cli_docs(cli, [str(junk)])[str(junk)] == err.document
    with pytest.raises(trackscan.ScanError):
        trackscan.scan(b"PK\x03\x04 truncated zip", name="trunc.apk")
    with pytest.raises(trackscan.ScanError, match="cannot read"):
        trackscan.scan("/nonexistent/missing.apk")
    with pytest.raises(TypeError):
        trackscan.scan(42)  # type: ignore[arg-type]


def test_diff_of_documents_and_paths(tmp_path, samples):
    a = trackscan.scan(samples[0])
    same = trackscan.diff(a, a)
    b = json.loads(json.dumps(a))
    b["version_code"] = (a.get("version_code") or 0) + 1
    b["trackers"] = []
    changed = trackscan.diff(a, b)
    assert changed != same
    assert str(b["version_code"]) in json.dumps(changed)
    # paths: an app and a JSON document on disk give the same diff as the dicts
    doc_file = tmp_path / "b.json"
    doc_file.write_text(json.dumps(b, indent=2))
    assert trackscan.diff(samples[0], str(doc_file)) == changed
    if len(samples) > 1:
        other = trackscan.scan(samples[1])
        assert trackscan.diff(samples[0], samples[1]) == trackscan.diff(a, other)
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00junk")
    with pytest.raises(trackscan.ScanError):
        trackscan.diff(str(junk), a)
    with pytest.raises(TypeError):
        trackscan.diff(1, a)  # type: ignore[arg-type]


def test_stubs_and_marker_are_installed():
    pkg = os.path.dirname(trackscan.__file__)
    assert os.path.isfile(os.path.join(pkg, "py.typed"))
    assert os.path.isfile(os.path.join(pkg, "__init__.pyi"))


def test_apps_columns_match_the_batch_schema():
    cols = trackscan.apps_columns()
    names = [c[0] for c in cols]
    assert names[:3] == ["file", "sha256", "size"]
    assert ("tracker_names", "Utf8", False) in cols
