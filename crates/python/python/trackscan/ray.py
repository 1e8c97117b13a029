"""Scan many apps on a Ray cluster with Ray Data and write the ``apps`` Parquet table.

The pipeline is ``ray.data.from_items(inputs)`` → ``map_batches(scan)`` → ``write_parquet``:

- inputs are local paths (directories and ``@list`` files expanded like ``trackscan batch``)
  or URIs (``s3://``, ``gs://``, ``hdfs://``, … anything ``pyarrow.fs`` opens); each task
  reads its own files, so the driver never holds app bytes;
- every input yields exactly one row: an app that cannot be read or scanned gives an error
  row (``errors`` > 0, no ``package``), as in ``trackscan batch``;
- the rows are built in Rust by the code behind ``trackscan batch --format parquet``
  (``trackscan_batch::jsonl_to_parquet``), so the columns, names and Arrow types are exactly
  those of its ``apps.parquet`` (see ``docs/schema.md``).

On a cluster, call ``ray.init(address="auto")`` before :func:`scan_dataset`; without it Ray
starts a local instance using all cores.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any, Dict, Iterable, List, Optional, Union

from . import _native, scan

__all__ = ["scan_dataset", "apps_table", "expand_inputs"]

PathOrUri = Union[str, "os.PathLike[str]"]


def expand_inputs(paths_or_uris: Union[PathOrUri, Iterable[PathOrUri]]) -> List[str]:
    """Local inputs expanded as ``trackscan batch`` does (directories → sorted app files,
    ``@list`` files → their lines); URIs (``scheme://…``) are kept as given."""
    if isinstance(paths_or_uris, (str, os.PathLike)):
        items = [os.fspath(paths_or_uris)]
    else:
        items = [os.fspath(p) for p in paths_or_uris]
    return list(_native.expand_inputs(items))


def _read(path: str) -> bytes:
    if "://" in path:
        import pyarrow.fs as pafs

        fs, inner = pafs.FileSystem.from_uri(path)
        with fs.open_input_stream(inner) as f:
            return f.read()
    with open(path, "rb") as f:
        return f.read()


def scan_input(path: str) -> Dict[str, Any]:
    """The document of one input, never raising: unreadable or unscannable inputs give the
    error document (``{"file", "errors", …}``) the batch runner would write."""
    if "://" not in path and os.path.isdir(path):
        data: Optional[bytes] = None
    else:
        try:
            data = _read(path)
        except Exception as e:  # noqa: BLE001 - any I/O failure becomes an error row
            return {"file": path, "errors": [f"{path}: cannot read: {e}"]}
    try:
        return scan(path) if data is None else scan(data, name=path)
    except Exception as e:  # noqa: BLE001 - ScanError carries the error document
        doc = getattr(e, "document", None)
        if isinstance(doc, dict):
            return doc
        return {"file": path, "errors": [str(e)]}


def apps_table(docs: List[Dict[str, Any]]):
    """A ``pyarrow.Table`` with one ``apps.parquet`` row per document, built by Rust."""
    import pyarrow.parquet as pq

    lines = "".join(json.dumps(d, separators=(",", ":")) + "\n" for d in docs)
    with tempfile.TemporaryDirectory(prefix="trackscan-ray-") as tmp:
        apps = os.path.join(tmp, "apps.parquet")
        trackers = os.path.join(tmp, "trackers.parquet")
        _native.apps_parquet(lines, apps, trackers)
        # read fully before the directory goes away
        table = pq.read_table(apps, memory_map=False)
    return table.combine_chunks()


def _scan_batch(batch):
    paths = batch.column("path").to_pylist()
    return apps_table([scan_input(str(p)) for p in paths])


def scan_dataset(
    paths_or_uris: Union[PathOrUri, Iterable[PathOrUri]],
    output_parquet: PathOrUri,
    num_cpus: Optional[float] = None,
    batch_size: int = 4,
    concurrency: Optional[int] = None,
) -> int:
    """Scans every input on the Ray cluster and writes the ``apps`` table to ``output_parquet``
    (a directory of Parquet files, local or a URI Ray can write to).

    ``num_cpus`` is the CPUs each scan task reserves (default 1: one scan per core of the
    cluster); ``batch_size`` is apps per task; ``concurrency`` caps the number of
    concurrent scan tasks. Returns the number of inputs (= rows written).
    """
    import ray

    inputs = expand_inputs(paths_or_uris)
    if not inputs:
        raise ValueError("scan_dataset: no inputs")
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    if not ray.is_initialized():
        ray.init()
    blocks = max(1, min(len(inputs), (len(inputs) + batch_size - 1) // batch_size))
    ds = ray.data.from_items([{"path": p} for p in inputs], override_num_blocks=blocks)
    kwargs: Dict[str, Any] = {
        "batch_format": "pyarrow",
        "batch_size": batch_size,
        "num_cpus": 1 if num_cpus is None else num_cpus,
    }
    if concurrency is not None:
        kwargs["concurrency"] = concurrency
    ds = ds.map_batches(_scan_batch, **kwargs)
    ds.write_parquet(os.fspath(output_parquet))
    return len(inputs)
