"""Run every benchmark in one process on the same data at growing sizes; print and save the results.

From the project root::

    python -m benchmarks.run                 # full run: 10M triangles, 512³ voxels (minutes)
    python -m benchmarks.run --quick         # up to 1M triangles, 256³ voxels
    python -m benchmarks.run --smoke         # tiny sizes, seconds: checks that everything runs
    python -m benchmarks.run --sizes surface=1e4,1e6 image=64 --kinds surface,image
    python -m benchmarks.run --write-docs    # also rewrite docs/benchmarks.md

The table (markdown), ``results.json`` and ``benchmarks.png`` (time against
size, log-log, one line per method) go to ``--output`` (default
``benchmarks/results``). See docs/benchmarks.md for what each method is and
how time and memory are measured.
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

from . import docs, measure, methods, report
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
SMOKE_SIZES = {"surface": [200, 2_000], "centerlines": [3, 30], "mesh": [120, 1_200], "image": [8, 16]}

DEFAULT_OUTPUT = measure.PROJECT_ROOT / "benchmarks" / "results"


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


# --- conversions ------------------------------------------------------------------------


def _check(kind: str, direction: str, key: str, result: Any, inputs: Inputs) -> None:
    """A light check that the timed call did the conversion (same points, same number of cells)."""
    source = inputs.array_dict
    if key == "numpy-copy":
        assert all(isinstance(array, np.ndarray) for array in result), key
    elif direction == "to_dict":
        if kind == "image":
            volume = result["PointData"]["ImageScalars"]
            assert np.array_equal(volume, source["PointData"]["ImageScalars"]), key
        else:
            assert np.array_equal(result["Points"], source["Points"]), key
    else:
        assert result.GetNumberOfCells() == data_cells(kind, source), key
        if kind != "image":
            assert result.GetNumberOfPoints() == len(source["Points"]), key


def data_cells(kind: str, array_dict: Dict[str, Any]) -> int:
    if kind == "image":
        return int(np.prod(np.maximum(np.asarray(array_dict["Dimensions"]) - 1, 1)))
    return methods.data.cell_count(kind, array_dict)


class Run:
    def __init__(self, options: argparse.Namespace):
        self.options = options
        self.records: List[Dict[str, Any]] = []
        self.with_pyvista = not options.no_pyvista and methods.pyvista_available()
        # Per (kind, direction): the per-cell cost of the loop and where it was measured.
        self.loop_cost: Dict[tuple, tuple] = {}

    def conversions(self, kind: str, size: int, inputs: Inputs) -> None:
        for direction in DIRECTIONS:
            records, calls, loops = [], {}, []
            for method in methods.conversion_methods(kind, direction, self.with_pyvista):
                record = {
                    "section": "conversion",
                    "kind": kind,
                    "direction": direction,
                    "size": size,
                    "cells": inputs.cells,
                    "method": method.key,
                    "label": method.label,
                    "role": method.role,
                    "copies": method.copies,
                    "time": None,
                }
                records.append(record)
                if method.role == "loop" and not self._loop_allowed(kind, direction, inputs.cells, record):
                    continue
                call = method.prepare(inputs)
                result = call()  # a first run: checked, and not timed
                _check(kind, direction, method.key, result, inputs)
                del result
                if method.role == "loop":
                    loops.append((record, call))
                else:
                    calls[method.key] = call
            timed = measure.best_times(calls, budget=self.options.budget)
            for record, call in loops:
                once_over = 0.0 if inputs.cells >= 100_000 else 1.0
                timed[record["method"]] = measure.best_time(call, budget=self.options.budget, once_over=once_over)
                self.loop_cost[(kind, direction)] = (timed[record["method"]][0] / inputs.cells, size)
            for record in records:
                if record["method"] in timed:
                    record["time"], record["runs"] = timed[record["method"]]
                    log(
                        f"  {kind:11} {direction:9} {report.size_label(kind, size):>6}  {record['label']:30} "
                        f"{report.seconds(record['time']):>10}  ({record['runs']} runs)"
                    )
                self.records.append(record)
            del calls, loops
            gc.collect()
        self.references(kind, size, inputs)

    def references(self, kind: str, size: int, inputs: Inputs) -> None:
        """Single steps timed for scale (the notes on missed targets quote them)."""
        calls = methods.reference_calls(kind, inputs)
        for key, (time, runs) in measure.best_times(calls, budget=self.options.budget).items():
            self.records.append(
                {"section": "reference", "kind": kind, "size": size, "name": key, "time": time, "runs": runs}
            )

    def _loop_allowed(self, kind: str, direction: str, cells: int, record: Dict[str, Any]) -> bool:
        cost = self.loop_cost.get((kind, direction))
        projected = cost[0] * cells if cost else None
        too_many = cells > self.options.loop_max_cells
        too_long = projected is not None and projected > self.options.loop_limit
        if not (too_many or too_long):
            return True
        if cost:
            record.update(projected=projected, per_cell=cost[0], measured_at=cost[1])
        log(
            f"  {kind:11} {direction:9} {cells:>8} cells: per-cell loop not run"
            + (f" (projection {projected:.1f} s)" if projected else "")
        )
        return False

    def storage(self, kind: str, size: int, inputs: Inputs, folder: str) -> None:
        from vmtkscripts_numpy.convert import image, mesh, polydata

        to_dict = {
            "surface": polydata.polydata_to_dict,
            "centerlines": polydata.centerlines_to_dict,
            "mesh": mesh.mesh_to_dict,
            "image": image.image_to_dict,
        }[kind]
        self.storage_rounds(kind, size, inputs, to_dict(inputs.vtk, copy=True), folder)
        if kind == "image":  # the same voxels in C order: HDF5 stores them without a transpose
            zyx = image.image_to_dict(inputs.vtk, copy=True, index_order="zyx")
            self.storage_rounds("image-zyx", size, inputs, zyx, folder)

    def storage_rounds(self, kind: str, size: int, inputs: Inputs, array_dict: Dict[str, Any], folder: str) -> None:
        """Write and read ``array_dict`` in every format and with np.save/np.load; record it under ``kind``."""
        array_bytes = methods.data.array_bytes(array_dict)
        calls, before = {}, {}
        for storage_format in STORAGE_FORMATS:
            path = os.path.join(folder, f"{kind}-{size}-{storage_format.key}{storage_format.extension}")
            calls[(storage_format.key, "write")], calls[(storage_format.key, "read")] = methods.storage_calls(
                storage_format, array_dict, path
            )
            before[(storage_format.key, "write")] = functools.partial(measure.new_file_ahead, path)
        # Each round writes and reads every format once, so that all see the same load on the machine.
        timed = measure.best_times(calls, budget=self.options.budget, max_runs=5, before=before)
        for storage_format in STORAGE_FORMATS:
            path = os.path.join(folder, f"{kind}-{size}-{storage_format.key}{storage_format.extension}")
            file_bytes = os.path.getsize(path)
            os.unlink(path)
            (write_time, write_runs), (read_time, read_runs) = (
                timed[(storage_format.key, "write")],
                timed[(storage_format.key, "read")],
            )
            self.records.append(
                {
                    "section": "storage",
                    "kind": kind,
                    "size": size,
                    "cells": inputs.cells,
                    "format": storage_format.key,
                    "write": write_time,
                    "read": read_time,
                    "runs": [write_runs, read_runs],
                    "file_bytes": file_bytes,
                    "array_bytes": array_bytes,
                }
            )
            log(
                f"  {kind:11} storage   {report.size_label(kind, size):>6}  {storage_format.label:30} "
                f"write {report.seconds(write_time):>10}  read {report.seconds(read_time):>10}  "
                f"{file_bytes / 1e6:9.1f} MB"
            )

    def memory(self, kind: str, sizes: List[int]) -> None:
        mode = self.options.memory
        if mode == "none":
            return
        why_not = measure.memory_supported()
        if why_not:
            log(f"  peak memory not measured: {why_not}")
            return
        chosen = sizes if mode == "all" else sizes[-1:]
        # A smoke run measures only this package's copying conversions: each measurement is a new process.
        methods_measured = (
            ("copy",)
            if self.options.smoke
            else ("numpy-copy", "copy", "zero-copy", "pyvista-copy", "pyvista-zero-copy")
        )
        for record in self.records:
            if (
                record["section"] == "conversion"
                and record["kind"] == kind
                and record["size"] in chosen
                and record["method"] in methods_measured
                and record.get("time") is not None
            ):
                record["memory"] = measure.measure_peak(kind, record["direction"], record["size"], record["method"])
                log(
                    f"  {kind:11} {record['direction']:9} {report.size_label(kind, record['size']):>6}  "
                    f"{record['label']:30} peak memory {report._memory_text(record)}"
                )

    def startup(self) -> None:
        for key, command in measure.startup_commands().items():
            time = measure.startup_time(command, runs=self.options.startup_runs)
            self.records.append({"section": "startup", "command": key, "time": time})
            log(f"  start-up {key:16} {report.seconds(time)}")


def run(options: argparse.Namespace) -> Dict[str, Any]:
    sizes = parse_sizes(
        options.sizes or [], SMOKE_SIZES if options.smoke else QUICK_SIZES if options.quick else FULL_SIZES
    )
    kinds = [kind for kind in KINDS if kind in options.kinds.split(",")]
    runner = Run(options)
    fresh_memory = measure.fresh_memory_for_large_arrays()
    started = datetime.datetime.now(datetime.timezone.utc)
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
            runner.memory(kind, sizes[kind])
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


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    scale = parser.add_mutually_exclusive_group()
    scale.add_argument("--quick", action="store_true", help="smaller sizes (up to 1M triangles, 256³)")
    scale.add_argument("--smoke", action="store_true", help="tiny sizes: checks that the harness runs (seconds)")
    parser.add_argument(
        "--sizes", nargs="*", metavar="KIND=N,N", help="sizes per kind, e.g. surface=1e4,1e6 image=64,128"
    )
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"kinds to run (default {','.join(KINDS)})")
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="folder for the table, results.json and the plot")
    parser.add_argument("--write-docs", action="store_true", help="rewrite docs/benchmarks.md with this run")
    parser.add_argument("--from-results", metavar="JSON", help="render the tables, plot and docs of an earlier run")
    parser.add_argument(
        "--memory",
        choices=("largest", "all", "none"),
        default="largest",
        help="sizes at which peak memory is measured, each in a fresh process (default: the largest)",
    )
    parser.add_argument("--no-storage", action="store_true", help="skip the storage formats")
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up times")
    parser.add_argument("--no-pyvista", action="store_true", help="skip PyVista even when it is installed")
    parser.add_argument(
        "--loop-limit", type=float, default=60.0, help="do not run a per-cell loop projected to take longer (s)"
    )
    parser.add_argument(
        "--loop-max-cells", type=float, default=1e6, help="largest number of cells the per-cell loop runs on"
    )
    parser.add_argument(
        "--budget", type=float, default=2.0, help="seconds of repeated runs per measurement (fastest run kept)"
    )
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
    tables = report.full_report(report.Results(results["records"]))
    (output / "benchmarks.md").write_text(tables + "\n", encoding="utf-8")
    problem = report.plot(report.Results(results["records"]), str(output / "benchmarks.png"))
    print(tables)
    print(
        f"\nsaved {output / 'benchmarks.md'}, {output / 'results.json'}"
        + (f" and {output / 'benchmarks.png'}" if problem is None else f" (no plot: {problem})")
    )
    if options.write_docs:
        path = docs.write(results, tables)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
