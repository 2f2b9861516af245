"""Write and read time of ArrayDict files in every format, against np.save/np.load of the same arrays.

A surface of about ``MB`` megabytes of arrays and centerlines of ``CELLS``
lines (a list of small arrays: each one a dataset in HDF5, a member in npz),
written and read as in ``python -m benchmarks.run`` (same formats, same timing).

Run from the project root::

    python -m benchmarks.bench_storage              # about 110 MB of surface arrays, 20 000 centerlines
    python -m benchmarks.bench_storage 400 100000   # MB, number of centerlines
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile

from . import data, measure, report
from .run import Run

#: Bytes of arrays per triangle of the generated surface (points, their vectors, ids and a cell array).
BYTES_PER_TRIANGLE = 40


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("megabytes", nargs="?", type=float, default=110.0, help="megabytes of surface arrays")
    parser.add_argument("cells", nargs="?", type=int, default=20_000, help="number of centerlines")
    parser.add_argument("--budget", type=float, default=2.0, help="seconds of runs per format (fastest kept)")
    options = parser.parse_args(argv)
    measure.fresh_memory_for_large_arrays()
    runner = Run(budget=options.budget)
    triangles = max(int(options.megabytes * 1e6 / BYTES_PER_TRIANGLE), 100)
    folder = tempfile.mkdtemp(prefix="bench_storage_")
    try:
        for kind, size in (("surface", triangles), ("centerlines", options.cells)):
            array_dict = data.make_dict(kind, size)
            print(f"{kind}: {data.array_bytes(array_dict) / 1e6:.1f} MB of arrays", file=sys.stderr)
            runner.storage_rounds(kind, size, data.cell_count(kind, array_dict), array_dict, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for kind in ("surface", "centerlines"):
        print(f"\n{report.KIND_TITLES[kind]}\n\n{report.storage_table(runner.records, kind)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
