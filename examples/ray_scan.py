#!/usr/bin/env python3
"""Scan a directory (or list) of APKs on a Ray cluster and write the apps Parquet table.

    pip install trackscan "ray[data]" pyarrow       # or: maturin develop -m crates/python/Cargo.toml
    python examples/ray_scan.py /data/apks out/apps.parquet              # local Ray, all cores
    python examples/ray_scan.py --address auto s3://bucket/apks/ s3://bucket/out/apps/

Each input yields one row (broken apps give error rows); the columns are those of
`trackscan batch --format parquet`'s apps.parquet (docs/schema.md).
"""

import argparse
import time

import pyarrow.parquet as pq
import ray

from trackscan import ray as tray


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inputs", nargs="+", help="APK files, directories, @list files or URIs")
    ap.add_argument("output", help="output Parquet directory (local path or URI)")
    ap.add_argument("--address", default=None, help='Ray cluster address ("auto" on a cluster node)')
    ap.add_argument("--num-cpus", type=int, default=None, help="CPUs for a local Ray instance")
    ap.add_argument("--batch-size", type=int, default=4, help="apps per Ray task")
    a = ap.parse_args()

    if a.address:
        ray.init(address=a.address)
    else:
        ray.init(num_cpus=a.num_cpus)
    t0 = time.perf_counter()
    n = tray.scan_dataset(a.inputs, a.output, batch_size=a.batch_size)
    dt = time.perf_counter() - t0
    print(f"{n} apps in {dt:.1f}s ({n / dt:.2f} apps/s) -> {a.output}")
    if "://" not in a.output:
        t = pq.read_table(a.output, columns=["file", "package", "trackers", "grade", "errors"])
        print(t.sort_by([("trackers", "descending")]).slice(0, 10).to_pandas().to_string(index=False))


if __name__ == "__main__":
    main()
