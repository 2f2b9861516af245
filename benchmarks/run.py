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

from . import measure, methods, report
from .methods import DIRECTIONS, KINDS, STORAGE_FORMATS, Inputs

FULL_SIZES = {
    "surface": [10_000, 100_000, 1_000_000, 10_000_000],
    "centerlines": [10, 100, 1_000, 10_000, 100_000],
    "mesh": [10_000, 100_000, 1_000_000],
    "image": [32, 64, 128, 256, 512],
}
QUICK_SIZES = {
    "surface": [10_000, 100_000, 1_000_000],
    "centerlines": [10, 100, 1_000, 10_000],
    "mesh": [10_000, 100_000],
    "image": [32, 64, 128, 256],
}
SMOKE_SIZES = {"surface": [2_000], "centerlines": [30], "mesh": [1_200], "image": [16]}

DEFAULT_OUTPUT = measure.PROJECT_ROOT / "benchmarks" / "results"
DOCS_PATH = measure.PROJECT_ROOT / "docs" / "benchmarks.md"
#: docs/benchmarks.md is written by hand down to this line; --write-docs replaces what follows it.
DOCS_MARKER = "<!-- Everything below is written by `python -m benchmarks.run --write-docs`. -->"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_sizes(items: List[str], base: Dict[str, List[int]]) -> Dict[str, List[int]]:
    sizes = {kind: list(values) for kind, values in base.items()}
    for item in items:
        kind, _, values = item.partition("=")
        if kind not in KINDS or not values:
            raise SystemExit(f"--sizes: expected KIND=N,N,... with KIND one of {', '.join(KINDS)}, found {item!r}")
        sizes[kind] = sorted(int(float(value)) for value in values.split(","))
    return sizes


def _check(kind: str, direction: str, key: str, result: Any, inputs: Inputs) -> None:
    """A light check that the timed call did the conversion (same points, same number of cells)."""
    source = inputs.array_dict
    if key == "numpy-copy":
        assert all(isinstance(array, np.ndarray) for array in result), key
    elif direction == "to_dict":
        name = "ImageScalars" if kind == "image" else None
        found = result["PointData"][name] if name else result["Points"]
        assert np.array_equal(found, source["PointData"][name] if name else source["Points"]), key
    else:
        cells = methods.data.cell_count(kind, source)
        if kind == "image":
            cells = int(np.prod(np.maximum(np.asarray(source["Dimensions"]) - 1, 1)))
        assert result.GetNumberOfCells() == cells, key


class Run:
    def __init__(self, options: argparse.Namespace):
        self.options = options
        self.records: List[Dict[str, Any]] = []
        self.with_pyvista = not options.no_pyvista and methods.pyvista_available()
        self.loop_per_cell: Dict[tuple, float] = {}  # by (kind, direction), from the last size the loop ran at

    def conversions(self, kind: str, size: int, inputs: Inputs) -> None:
        for direction in DIRECTIONS:
            calls, loops, records = {}, [], []
            for method in methods.conversion_methods(kind, direction, self.with_pyvista):
                record = {"section": "conversion", "kind": kind, "direction": direction, "size": size,
                          "cells": inputs.cells, "method": method.key, "label": method.label, "time": None}
                records.append(record)
                if method.role == "loop" and not self._loop_allowed(kind, direction, inputs.cells, record):
                    continue
                call = method.prepare(inputs)
                _check(kind, direction, method.key, call(), inputs)  # a first run: checked, not timed
                if method.role == "loop":
                    loops.append((record, call))
                else:
                    calls[method.key] = call
            timed = measure.best_times(calls, budget=self.options.budget)
            for record, call in loops:
                timed[record["method"]] = measure.best_time(
                    call, budget=self.options.budget, once_over=0.0 if inputs.cells >= 100_000 else 1.0)
                self.loop_per_cell[(kind, direction)] = timed[record["method"]][0] / inputs.cells
            for record in records:
                if record["method"] in timed:
                    record["time"], record["runs"] = timed[record["method"]]
                    log(f"  {kind:11} {direction:9} {report.size_label(kind, size):>6}  {record['label']:30} "
                        f"{report.seconds(record['time']):>10}  ({record['runs']} runs)")
            self.records += records
            del calls, loops
            gc.collect()

    def _loop_allowed(self, kind: str, direction: str, cells: int, record: Dict[str, Any]) -> bool:
        per_cell = self.loop_per_cell.get((kind, direction))
        projected = per_cell * cells if per_cell else None
        if cells <= self.options.loop_max_cells and (projected is None or projected <= self.options.loop_limit):
            return True
        record["projected"] = projected
        log(f"  {kind:11} {direction:9} {cells:>8} cells: per-cell loop not run")
        return False

    def storage(self, kind: str, size: int, inputs: Inputs, folder: str) -> None:
        from vmtkscripts_numpy.convert import image

        self.storage_rounds(kind, size, inputs.cells, methods.ours_to_dict(kind)(inputs.vtk, copy=True), folder)
        if kind == "image":  # the same voxels in C order: HDF5 stores them without a transpose
            zyx = image.image_to_dict(inputs.vtk, copy=True, index_order="zyx")
            self.storage_rounds("image-zyx", size, inputs.cells, zyx, folder)

    def storage_rounds(self, kind: str, size: int, cells: int, array_dict: Dict[str, Any], folder: str) -> None:
        """Write and read ``array_dict`` in every format and with np.save/np.load; record it under ``kind``."""
        paths = {f.key: os.path.join(folder, f"{kind}-{size}-{f.key}{f.extension}") for f in STORAGE_FORMATS}
        calls, before = {}, {}
        for storage_format in STORAGE_FORMATS:
            path = paths[storage_format.key]
            write, read = methods.storage_calls(storage_format, array_dict, path)
            calls[(storage_format.key, "write")], calls[(storage_format.key, "read")] = write, read
            before[(storage_format.key, "write")] = functools.partial(measure.new_file_ahead, path)
        # Each round writes and reads every format once, so that all see the same load on the machine.
        rounds = 1 if self.options.smoke else 5
        timed = measure.best_times(calls, budget=self.options.budget, max_runs=rounds, before=before)
        for storage_format in STORAGE_FORMATS:
            file_bytes = os.path.getsize(paths[storage_format.key])
            os.unlink(paths[storage_format.key])
            (write, write_runs), (read, read_runs) = (timed[(storage_format.key, "write")],
                                                      timed[(storage_format.key, "read")])
            self.records.append({"section": "storage", "kind": kind, "size": size, "cells": cells,
                                 "format": storage_format.key, "write": write, "read": read,
                                 "runs": [write_runs, read_runs], "file_bytes": file_bytes})
            log(f"  {kind:11} storage   {report.size_label(kind, size):>6}  {storage_format.label:30} "
                f"write {report.seconds(write):>10}  read {report.seconds(read):>10}  {file_bytes / 1e6:9.1f} MB")

    def memory(self, kind: str, size: int) -> None:
        """Peak memory of the conversions at ``size``, each in a fresh process (a smoke run: one, copying)."""
        keys = ("copy",) if self.options.smoke else ("numpy-copy", "copy", "zero-copy", "pyvista-copy",
                                                     "pyvista-zero-copy")
        for record in _records(self.records, kind=kind, size=size):
            if record["method"] in keys and record["time"] is not None:
                record["memory"] = measure.measure_peak(kind, record["direction"], size, record["method"])
                log(f"  {kind:11} {record['direction']:9} {report.size_label(kind, size):>6}  "
                    f"{record['label']:30} peak memory {report.memory_text(record)}")
                if self.options.smoke:
                    return

    def startup(self) -> None:
        for key, command in measure.startup_commands().items():
            time = measure.startup_time(command, runs=self.options.startup_runs)
            self.records.append({"section": "startup", "command": key, "time": time})
            log(f"  start-up {key:16} {report.seconds(time)}")


def _records(records: List[Dict[str, Any]], **fields: Any) -> List[Dict[str, Any]]:
    return [r for r in records if r["section"] == "conversion" and all(r[k] == v for k, v in fields.items())]


def run(options: argparse.Namespace) -> Dict[str, Any]:
    base = SMOKE_SIZES if options.smoke else QUICK_SIZES if options.quick else FULL_SIZES
    sizes = parse_sizes(options.sizes or [], base)
    kinds = [kind for kind in KINDS if kind in options.kinds.split(",")]
    runner = Run(options)
    fresh_memory = measure.fresh_memory_for_large_arrays()
    started = datetime.datetime.now(datetime.timezone.utc)
    why_not = measure.memory_supported() if options.memory != "none" else "not asked for"
    if why_not:
        log(f"  peak memory not measured: {why_not}")
    folder = tempfile.mkdtemp(prefix="vmtkscripts-numpy-bench-", dir=options.scratch)
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
                if not why_not and (options.memory == "all" or size == sizes[kind][-1]):
                    if not (options.smoke and kind != kinds[0]):
                        runner.memory(kind, size)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if not options.no_startup:
        runner.startup()
    return {
        "command": "python -m benchmarks.run " + " ".join(options.argv),
        "started": started.isoformat(timespec="seconds"),
        "machine": measure.machine(),
        "pyvista": runner.with_pyvista,
        "fresh_memory": fresh_memory,
        "records": runner.records,
    }


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
    parser.add_argument("--memory", choices=("largest", "all", "none"), default="largest",
                        help="sizes at which peak memory is measured, each in a fresh process (default: the largest)")
    parser.add_argument("--no-storage", action="store_true", help="skip the storage formats")
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up times")
    parser.add_argument("--no-pyvista", action="store_true", help="skip PyVista even when it is installed")
    parser.add_argument("--loop-limit", type=float, default=60.0,
                        help="do not run a per-cell loop projected to take longer (s)")
    parser.add_argument("--loop-max-cells", type=float, default=1e6,
                        help="largest number of cells the per-cell loop runs on")
    parser.add_argument("--budget", type=float, default=2.0,
                        help="seconds of repeated runs per measurement (fastest run kept)")
    parser.add_argument("--startup-runs", type=int, default=9, help="runs of each start-up command (median kept)")
    parser.add_argument("--scratch", help="folder for the storage files (default: the system's temporary folder)")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    options = parser().parse_args(argv)
    options.argv = argv
    if options.smoke:
        options.budget = min(options.budget, 0.05)
        options.startup_runs = min(options.startup_runs, 3)
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
