"""Surfaces and meshes through the converters, both ways, with and without copies (part of ``benchmarks.run``).

Kept as a short name for::

    python -m benchmarks.run --kinds surface,mesh --sizes surface=N mesh=N --no-storage --no-startup --memory none

Run from the project root: ``python -m benchmarks.bench_polydata [--cells 1000000]``.
"""

from __future__ import annotations

import argparse
import sys

from .run import main as run_main


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=1_000_000)
    parser.add_argument("--output", default=None, help="folder for the table, results.json and the plot")
    options = parser.parse_args(argv)
    arguments = ["--kinds", "surface,mesh", "--sizes", f"surface={options.cells}", f"mesh={options.cells}"]
    arguments += ["--no-storage", "--no-startup", "--memory", "none"]
    return run_main(arguments + (["--output", options.output] if options.output else []))


if __name__ == "__main__":
    sys.exit(main())
