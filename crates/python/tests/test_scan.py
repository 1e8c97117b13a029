"""The wheel's scan/scan_many/diff against the CLI's JSON."""

from __future__ import annotations

import json
import os
import pathlib

import pytest

import trackscan
from conftest import SAMPLES, cli_docs


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


def test_non_apk_gives_the_cli_document_and_strict_raises(tmp_path, cli):
    junk = tmp_path / "notes.txt"
    junk.write_text("this is not an Android app\n")
    # like the CLI (which prints this document and exits 2): the error document, no raise
    doc = trackscan.scan(str(junk))
    assert doc["errors"] and doc.get("package") is None
    assert cli_docs(cli, [str(junk)])[str(junk)] == doc
    with pytest.raises(trackscan.ScanError) as info:
        trackscan.scan(str(junk), strict=True)
    err = info.value
    assert err.file == str(junk)
    assert err.errors == doc["errors"] and str(err) == "\n".join(err.errors)
    assert str(junk) in str(err)
    assert err.document == doc
    assert trackscan.scan(b"PK\x03\x04 truncated zip", name="trunc.apk")["errors"]
    with pytest.raises(trackscan.ScanError):
        trackscan.scan(b"PK\x03\x04 truncated zip", name="trunc.apk", strict=True)
    missing = trackscan.scan("/nonexistent/missing.apk")
    assert "cannot read" in missing["errors"][0]
    with pytest.raises(trackscan.ScanError, match="cannot read"):
        trackscan.scan("/nonexistent/missing.apk", strict=True)
    with pytest.raises(trackscan.ScanError, match="cannot read"):
        trackscan.scan("/nonexistent/missing.apk", name="m.apk", strict=True)
    with pytest.raises(TypeError):
        trackscan.scan(42)  # type: ignore[arg-type]


def _zip_without_manifest(path, broken_dex: bool) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w") as z:
        z.writestr("res/raw/config.txt", "endpoint https://api.example.com/v1\n")
        z.writestr("assets/readme.txt", "no manifest in here\n")
        if broken_dex:
            z.writestr("classes.dex", b"dex\n035\x00" + b"\x00" * 8)


@pytest.mark.parametrize("broken_dex", [False, True])
def test_zip_without_manifest_partial_report_and_strict(tmp_path, cli, broken_dex):
    apk = tmp_path / ("nomanifest-dex.apk" if broken_dex else "nomanifest.apk")
    _zip_without_manifest(apk, broken_dex)
    want = cli_docs(cli, [str(apk)])[str(apk)]
    # default: the partial report, exactly the CLI's, with its errors
    doc = trackscan.scan(str(apk))
    assert doc == want
    assert any("AndroidManifest.xml" in e for e in doc["errors"]), doc["errors"]
    assert doc["kind"] == "apk"
    assert "api.example.com" in [h["host"] for h in doc["hosts"]]
    data = apk.read_bytes()
    assert trackscan.scan(data, name=str(apk)) == want
    assert trackscan.scan(str(apk), name="renamed.apk")["errors"] == want["errors"]
    assert trackscan.scan_many([str(apk)]) == [want]
    # strict: ScanError with the file name and the errors, and the document
    for call in (lambda: trackscan.scan(str(apk), strict=True),
                 lambda: trackscan.scan(data, name=str(apk), strict=True)):
        with pytest.raises(trackscan.ScanError) as info:
            call()
        err = info.value
        assert err.file == str(apk)
        assert err.errors == want["errors"]
        assert err.document == want
        assert all(line.startswith(str(apk)) for line in str(err).splitlines()), str(err)
        assert "AndroidManifest.xml" in str(err)
    with pytest.raises(trackscan.ScanError, match="renamed.apk: "):
        trackscan.scan(str(apk), name="renamed.apk", strict=True)


def test_strict_scan_of_a_clean_app_returns_it(samples):
    for p in samples:
        doc = trackscan.scan(p, strict=True)
        assert doc == trackscan.scan(p) and not doc["errors"], p


def test_apktool_tree_equals_cli(cli):
    tree = os.path.join(SAMPLES, "hello-mixpanel-apktool")
    doc = trackscan.scan(tree, strict=True)
    assert doc == cli_docs(cli, [tree])[tree]
    assert doc["label"] == "Hello Mixpanel" and doc["version_code"] == 1


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
    assert ("tracker_names", "List<Utf8>", False) in cols
