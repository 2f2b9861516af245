"""Run every benchmark in one process on the same data at growing sizes; print and save the results.

From the project root::

    python -m benchmarks.run                 # full run: 10M triangles, 512³ voxels (minutes)
    python -m benchmarks.run --quick         # up to 1M triangles, 256³ voxels
    python -m benchmarks.run --smoke         # tiny sizes, seconds: checks that everything runs
    python -m benchmarks.run --sizes surface=1e4,1e6 image=64 --kinds surface,image
    python -m benchmarks.run --write-docs    # also put the tables in docs/benchmarks.md

The tables (markdown) and ``results.json`` go to ``--output`` (default
``benchmarks/results``). docs/benchmarks.md says what each method is and how
time and memory are measured.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import gc
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np

from . import data, measure, methods, report
from .methods import DIRECTIONS, KINDS, STORAGE_FORMATS, Inputs

FULL_SIZES = {"surface": [10_000, 100_000, 1_000_000, 10_000_000], "centerlines": [10, 100, 1_000, 10_000, 100_000],
              "mesh": [10_000, 100_000, 1_000_000], "image": [32, 64, 128, 256, 512]}
QUICK_SIZES = {"surface": [10_000, 100_000, 1_000_000], "centerlines": [10, 100, 1_000, 10_000],
               "mesh": [10_000, 100_000], "image": [32, 64, 128, 256]}
SMOKE_SIZES = {"surface": [2_000], "centerlines": [30], "mesh": [1_200], "image": [16]}
#: The per-cell loop runs up to this many cells, and only while it is projected to take at most LOOP_LIMIT seconds.
LOOP_MAX_CELLS, LOOP_LIMIT = 1_000_000, 60.0
#: The conversions whose peak memory is measured (a smoke run: the first kind's copying one only).
MEMORY_METHODS = ("numpy-copy", "copy", "zero-copy", "pyvista-copy", "pyvista-zero-copy")

DEFAULT_OUTPUT = measure.PROJECT_ROOT / "benchmarks" / "results"
DOCS_PATH = measure.PROJECT_ROOT / "docs" / "benchmarks.md"
#: docs/benchmarks.md is written by hand down to this line; --write-docs replaces what follows it.
DOCS_MARKER = "<!-- Everything below is written by `python -m benchmarks.run --write-docs`. -->"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_sizes(items: List[str], base: Dict[str, List[int]]) -> Dict[str, List[int]]:
    """``base`` with the sizes of ``KIND=N,N,...`` items in its place."""
    sizes = {kind: list(values) for kind, values in base.items()}
    for item in items:
        kind, _, values = item.partition("=")
        if kind not in KINDS or not values:
            raise SystemExit(f"--sizes: expected KIND=N,N,... with KIND one of {', '.join(KINDS)}, found {item!r}")
        sizes[kind] = sorted(int(float(value)) for value in values.split(","))
    return sizes


def check(kind: str, direction: str, key: str, result: Any, source: Dict[str, Any]) -> None:
    """Check that a call did the conversion of ``source``: the same points or voxels, or as many cells."""
    if key == "numpy-copy":
        assert all(isinstance(array, np.ndarray) for array in result), key
    elif direction == "to_dict":
        if kind == "image":
            result, source = result["PointData"], source["PointData"]
        name = "ImageScalars" if kind == "image" else "Points"
        assert np.array_equal(result[name], source[name]), key
    elif kind == "image":
        assert result.GetNumberOfCells() == int(np.prod(np.maximum(np.asarray(source["Dimensions"]) - 1, 1))), key
    else:
        assert result.GetNumberOfCells() == data.cell_count(kind, source), key


class Run:
    """The records of one run, added to by each of its parts.

    Parameters
    ----------
    budget : float
        Seconds of repeated runs per measurement (the fastest run is kept).
    smoke : bool
        A run that checks the harness: one storage round, one peak-memory measurement.
    """

    def __init__(self, budget: float = 2.0, smoke: bool = False):
        self.budget, self.smoke = budget, smoke
        self.records: List[Dict[str, Any]] = []
        self.with_pyvista = methods.pyvista_available()
        self.loop_per_cell: Dict[tuple, float] = {}  # by (kind, direction), from the last size the loop ran at

    def conversions(self, kind: str, size: int, inputs: Inputs) -> None:
        """Time every method both ways, checking the result of a first untimed run of each."""
        for direction in DIRECTIONS:
            calls, loop, records = {}, None, []
            for method in methods.conversion_methods(kind, direction, self.with_pyvista):
                record: Dict[str, Any] = {"section": "conversion", "kind": kind, "direction": direction, "size": size,
                          "cells": inputs.cells, "method": method.key, "label": method.label, "time": None}
                records.append(record)
                if method.key == "loop" and not self._loop_allowed(kind, direction, inputs.cells, record):
                    continue
                call = method.prepare(inputs)
                check(kind, direction, method.key, call(), inputs.array_dict)
                if method.key == "loop":
                    loop = call
                else:
                    calls[method.key] = call
            timed = measure.best_times(calls, budget=self.budget)
            if loop:
                timed["loop"] = measure.best_time(loop, budget=self.budget,
                                                  once_over=0.0 if inputs.cells >= 100_000 else 1.0)
                self.loop_per_cell[(kind, direction)] = timed["loop"][0] / inputs.cells
            for record in records:
                if record["method"] in timed:
                    record["time"], record["runs"] = timed[record["method"]]
                    log(f"  {kind:11} {direction:9} {report.size_label(kind, size):>6}  {record['label']:30} "
                        f"{report.seconds(record['time']):>10}  ({record['runs']} runs)")
            self.records += records
            del calls, loop
            gc.collect()

    def _loop_allowed(self, kind: str, direction: str, cells: int, record: Dict[str, Any]) -> bool:
        per_cell = self.loop_per_cell.get((kind, direction))
        projected = per_cell * cells if per_cell else None
        if cells <= LOOP_MAX_CELLS and (projected is None or projected <= LOOP_LIMIT):
            return True
        record["projected"] = projected
        log(f"  {kind:11} {direction:9} {cells:>8} cells: per-cell loop not run")
        return False

    def storage(self, kind: str, size: int, inputs: Inputs, folder: str) -> None:
        """The storage rounds of the dict a copying conversion gives (and of an image in [z, y, x] order)."""
        from vmtkscripts_numpy.convert import image
        from vmtkscripts_numpy.convert.layout import converter

        self.storage_rounds(kind, size, inputs.cells, converter(kind, "to_dict")(inputs.vtk, copy=True), folder)
        if kind == "image":  # the same voxels in C order: HDF5 stores them without a transpose
            zyx = image.image_to_dict(inputs.vtk, copy=True, index_order="zyx")
            self.storage_rounds("image-zyx", size, inputs.cells, zyx, folder)

    def storage_rounds(self, kind: str, size: int, cells: int, array_dict: Dict[str, Any], folder: str) -> None:
        """Write and read ``array_dict`` in every format and with np.save/np.load; record it under ``kind``."""
        paths, calls, before = {}, {}, {}
        for stored in STORAGE_FORMATS:
            paths[stored.key] = path = os.path.join(folder, f"{kind}-{size}-{stored.key}{stored.extension}")
            calls[stored.key, "write"], calls[stored.key, "read"] = methods.storage_calls(stored, array_dict, path)
            before[stored.key, "write"] = functools.partial(measure.new_file_ahead, path)
        # Each round writes and reads every format once, so that all see the same load on the machine.
        timed = measure.best_times(calls, budget=self.budget, max_runs=1 if self.smoke else 5, before=before)
        for stored in STORAGE_FORMATS:
            file_bytes = os.path.getsize(paths[stored.key])
            os.unlink(paths[stored.key])
            (write, write_runs), (read, read_runs) = timed[stored.key, "write"], timed[stored.key, "read"]
            self.records.append({"section": "storage", "kind": kind, "size": size, "cells": cells,
                                 "format": stored.key, "write": write, "read": read,
                                 "runs": [write_runs, read_runs], "file_bytes": file_bytes})
            log(f"  {kind:11} storage   {report.size_label(kind, size):>6}  {stored.label:30} "
                f"write {report.seconds(write):>10}  read {report.seconds(read):>10}  {file_bytes / 1e6:9.1f} MB")

    def memory(self, kind: str, size: int) -> None:
        """Peak memory of the conversions at ``size``, each in a fresh process."""
        keys = ("copy",) if self.smoke else MEMORY_METHODS
        for record in report.select(self.records, "conversion", kind=kind, size=size):
            if record["method"] in keys and record["time"] is not None:
                # In a fresh process: its input and output bytes and the rise of the peak RSS.
                record["memory"] = measure.run_child("benchmarks.measure", kind, record["direction"], str(size),
                                                     record["method"])
                log(f"  {kind:11} {record['direction']:9} {report.size_label(kind, size):>6}  "
                    f"{record['label']:30} peak memory {report.memory_text(record)}")
                if self.smoke:
                    return

    def startup(self) -> None:
        for key, command in measure.STARTUP_COMMANDS.items():
            time = measure.startup_time(command, runs=1 if self.smoke else 9)
            self.records.append({"section": "startup", "command": key, "time": time})
            log(f"  start-up {key:16} {report.seconds(time)}")


def run(options: argparse.Namespace) -> Dict[str, Any]:
    """Every part of the benchmark ``options`` ask for; the results as saved in results.json."""
    sizes = parse_sizes(options.sizes or [], SMOKE_SIZES if options.smoke else QUICK_SIZES if options.quick
                        else FULL_SIZES)
    kinds = [kind for kind in KINDS if kind in options.kinds.split(",")]
    runner = Run(budget=0.05 if options.smoke else 2.0, smoke=options.smoke)
    fresh_memory = measure.fresh_memory_for_large_arrays()
    started = datetime.datetime.now(datetime.timezone.utc)
    why_not = "not asked for" if options.no_memory else measure.memory_supported()
    if why_not:
        log(f"  peak memory not measured: {why_not}")
    folder = tempfile.mkdtemp(prefix="vmtkscripts-numpy-bench-")
    try:
        for kind in kinds:
            for size in sizes[kind]:
                inputs = Inputs(kind, size)
                # Twice the input's bytes, touched once, so that no method pays the first touch of new memory.
                measure.warm_memory(min(2 * inputs.input_bytes("from_dict") // (1 << 20), 6000))
                runner.conversions(kind, size, inputs)
                if not options.no_storage:
                    runner.storage(kind, size, inputs, folder)
                del inputs
                gc.collect()
                if not why_not and size == sizes[kind][-1] and not (options.smoke and kind != kinds[0]):
                    runner.memory(kind, size)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if not options.no_startup:
        runner.startup()
    return {"command": "python -m benchmarks.run " + " ".join(options.argv),
            "started": started.isoformat(timespec="seconds"), "machine": measure.machine(),
            "pyvista": runner.with_pyvista, "fresh_memory": fresh_memory, "records": runner.records}


def write_docs(results: Dict[str, Any], tables: str) -> Path:
    """Replace what follows :data:`DOCS_MARKER` in docs/benchmarks.md with this run's machine and tables."""
    text = DOCS_PATH.read_text(encoding="utf-8")
    if DOCS_MARKER not in text:
        raise SystemExit(f"{DOCS_PATH}: no line {DOCS_MARKER!r} to write the tables after")
    machine = report.table(["", ""], ([key, value] for key, value in results["machine"].items()), "ll")
    run_line = f"Run: `{results['command'].strip()}`, {results['started']}, on:"
    text = text.split(DOCS_MARKER)[0] + "\n\n".join([DOCS_MARKER, run_line, machine, tables])
    DOCS_PATH.write_text(text.rstrip() + "\n", encoding="utf-8")
    return DOCS_PATH


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    scale = parser.add_mutually_exclusive_group()
    scale.add_argument("--quick", action="store_true", help="smaller sizes (up to 1M triangles, 256³)")
    scale.add_argument("--smoke", action="store_true", help="tiny sizes: checks that the harness runs (seconds)")
    parser.add_argument("--sizes", nargs="*", metavar="KIND=N,N", help="sizes per kind, e.g. surface=1e4,1e6 image=64")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"kinds to run (default {','.join(KINDS)})")
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="folder for the tables and results.json")
    parser.add_argument("--write-docs", action="store_true", help="put this run's tables in docs/benchmarks.md")
    parser.add_argument("--from-results", metavar="JSON", help="render the tables (and docs) of an earlier run")
    parser.add_argument("--no-memory", action="store_true",
                        help="skip the peak memory (else measured at each kind's largest size, in fresh processes)")
    parser.add_argument("--no-storage", action="store_true", help="skip the storage formats")
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up times")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    options = parser().parse_args(argv)
    options.argv = argv
    output = Path(options.output)
    output.mkdir(parents=True, exist_ok=True)
    if options.from_results:
        results = json.loads(Path(options.from_results).read_text(encoding="utf-8"))
    else:
        results = run(options)
        (output / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    tables = report.full_report(results["records"])
    (output / "benchmarks.md").write_text(tables + "\n", encoding="utf-8")
    print(tables)
    print(f"\nsaved {output / 'benchmarks.md'} and {output / 'results.json'}")
    if options.write_docs:
        print(f"wrote {write_docs(results, tables)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
