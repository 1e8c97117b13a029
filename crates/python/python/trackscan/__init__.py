"""trackscan: which tracker SDKs an Android app embeds, which hosts it talks to and pins.

The scanning happens in Rust (``trackscan._native``, the same code as the ``trackscan`` CLI);
every function returns the CLI's JSON document as a plain ``dict``:

>>> import trackscan
>>> doc = trackscan.scan("app.apk")            # == json.loads(`trackscan scan --compact app.apk`)
>>> doc = trackscan.scan("app.apk", strict=True)  # raises trackscan.ScanError if doc["errors"]
>>> docs = trackscan.scan_many(["a.apk", "b.apk"], jobs=4)
>>> trackscan.diff("old.apk", "new.apk")["changes"]

Scans release the GIL. ``trackscan.ray.scan_dataset`` runs the scanner over a Ray cluster.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterable, List, Optional, Union

from . import _native

__all__ = ["ScanError", "scan", "scan_many", "diff", "version", "apps_columns"]

PathOrBytes = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview]


class ScanError(Exception):
    """A scan in strict mode (``scan(p, strict=True)``) whose report has ``errors``, or a
    failure to set the scanner up at all (rules, thread pool, an unreadable diff side).

    ``str(err)`` has one line per error, each naming the input (the CLI's messages, without
    the ``trackscan:`` prefix); ``err.file`` is the input's name, ``err.errors`` the list of
    errors and ``err.document`` the (partial) document the CLI emits for that input.
    """

    def __init__(self, message: str, file: Optional[str] = None,
                 document: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(message)
        self.file = file
        self.document = document
        errors = (document or {}).get("errors") if document else None
        self.errors: List[str] = list(errors) if isinstance(errors, list) else [message]


def _finish(pair: "tuple[str, Optional[str]]", strict: bool) -> Dict[str, Any]:
    text, _fatal = pair
    doc = json.loads(text)
    if strict:
        _raise_if_errors(doc)
    return doc


def _raise_if_errors(doc: Dict[str, Any]) -> None:
    errors = doc.get("errors")
    if not isinstance(errors, list) or not errors:
        return
    file = doc.get("file")
    prefix = f"{file}" if isinstance(file, str) else ""
    lines = [str(e) if not prefix or str(e).startswith(prefix) else f"{prefix}: {e}"
             for e in errors]
    raise ScanError("\n".join(lines), file=file if isinstance(file, str) else None,
                    document=doc)


def _native_call(fn, *args):
    try:
        return fn(*args)
    except ValueError as e:  # setup failures in Rust (rules, thread pool, unreadable file)
        raise ScanError(str(e)) from None


def scan(path_or_bytes: PathOrBytes, name: Optional[str] = None,
         strict: bool = False) -> Dict[str, Any]:
    """Scans one app and returns its document (the CLI's ``scan --format json``).

    ``path_or_bytes`` is a path (APK, split bundle, DEX, apktool directory) or the app's
    bytes. ``name`` becomes the document's ``file`` (default: the path as given, or
    ``"<bytes>"``).

    Like the CLI, an app that could only partly be read (or not at all: a missing file, a
    zip without a manifest, not an app) still gives its document, with the problems in
    ``errors``. With ``strict=True`` such a document raises :class:`ScanError` instead
    (``err.document`` still holds it).
    """
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        pair = _native_call(_native.scan_bytes, name if name is not None else "<bytes>",
                            bytes(path_or_bytes))
        return _finish(pair, strict)
    if isinstance(path_or_bytes, (str, os.PathLike)):
        path = os.fspath(path_or_bytes)
        if name is None:
            return _finish(_native_call(_native.scan_path, path), strict)
        # Keep the caller's name: scan the bytes (directories, and files Python cannot
        # open, go through the path so the document is the CLI's).
        data: Optional[bytes] = None
        if not os.path.isdir(path):
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except OSError:
                data = None
        if data is None:
            doc = _finish(_native_call(_native.scan_path, path), False)
            doc["file"] = name
        else:
            doc = _finish(_native_call(_native.scan_bytes, name, data), False)
        if strict:
            _raise_if_errors(doc)
        return doc
    raise TypeError(f"scan() expects a path or bytes, not {type(path_or_bytes).__name__}")


def scan_many(paths: Iterable[Union[str, "os.PathLike[str]"]],
              jobs: Optional[int] = None) -> List[Dict[str, Any]]:
    """Scans many paths in parallel on ``jobs`` threads (default: all cores), GIL released.

    Returns one document per path, in input order. Like :func:`scan` (without ``strict``) it
    does not raise for an unreadable input: like a ``trackscan batch`` row, that input's
    document carries ``errors``.
    """
    ps = [os.fspath(p) for p in paths]
    if jobs is not None and jobs < 0:
        raise ValueError("jobs must be >= 0")
    return [_finish(pair, False) for pair in _native_call(_native.scan_many, ps, jobs)]


def _side(x: Any) -> str:
    if isinstance(x, dict):
        return json.dumps(x)
    if isinstance(x, (str, os.PathLike)):
        return _native_call(_native.load_side, os.fspath(x))
    raise TypeError(f"diff() expects documents (dict) or paths, not {type(x).__name__}")


def diff(a: Union[Dict[str, Any], str, "os.PathLike[str]"],
         b: Union[Dict[str, Any], str, "os.PathLike[str]"]) -> Dict[str, Any]:
    """What changed from ``a`` (older) to ``b`` (newer): ``trackscan diff --format json``.

    Each side is a document (``dict``) or a path to an app or to a JSON document (a
    ``scan`` output or one line of a ``batch`` journal).
    """
    return json.loads(_native_call(_native.diff_json, _side(a), _side(b)))


def version() -> str:
    """The trackscan version of the compiled extension."""
    return _native.version()


def apps_columns() -> List["tuple[str, str, bool]"]:
    """``(name, arrow_type, nullable)`` for each column of the ``apps`` Parquet table."""
    return [tuple(c) for c in _native.apps_columns()]  # type: ignore[misc]
