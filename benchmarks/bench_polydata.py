"""Surfaces and meshes through the converters, both ways, with and without copies (part of ``benchmarks.run``).

Kept as a short name for::

    python -m benchmarks.run --kinds surface,mesh --sizes surface=N mesh=N --no-storage --no-startup --no-memory

Run from the project root: ``python -m benchmarks.bench_polydata [--cells 1000000]``.
"""

from __future__ import annotations

import argparse
import sys

from .run import DEFAULT_OUTPUT
from .run import main as run_main


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=1_000_000)
    # Its own folder by default: the full run's results in benchmarks/results stay as they are.
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT / "bench_polydata"), help="folder for the results")
    options = parser.parse_args(argv)
    arguments = ["--kinds", "surface,mesh", "--sizes", f"surface={options.cells}", f"mesh={options.cells}"]
    arguments += ["--no-storage", "--no-startup", "--no-memory"]
    return run_main(arguments + ["--output", options.output])


if __name__ == "__main__":
    sys.exit(main())
