"""Conversions where users feel them: copies in both memory regimes, zero-copy against size, small calls, .vtu writes.

Run from the project root, one part at a time::

    python -m benchmarks.bench_convert copies      # copying conversions at 1M cells against a numpy copy
    python -m benchmarks.bench_convert zero-copy   # zero-copy time against size, with PyVista's
    python -m benchmarks.bench_convert small       # the fixed cost of a call (10 centerlines, one triangle)
    python -m benchmarks.bench_convert vtu         # .vtu writes of 1M tetrahedra against PyVista's

``copies`` runs each memory regime in a child process of its own, with
glibc's allocator fixed for the whole run so that the figures repeat:

- **reused**: freed memory goes back to the heap and is handed out again
  (``mallopt``: no ``mmap`` for large blocks, no trimming), as in a loop
  converting case after case;
- **fresh**: every block of 1 MB or more is new memory from the system
  (``mallopt(M_MMAP_THRESHOLD, 1 MB)``), whose first touch every method pays,
  as a one-off conversion does.

Times are the fastest of several runs, the methods taking turns
(:func:`benchmarks.measure.best_times`): the machine is shared, and the
fastest run is the least disturbed. Each target is printed with met or missed.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable, Dict, List

import numpy as np

from . import data, measure, methods, report

#: The targets of this module.
COPY_TARGET = 1.3  # × the numpy copy of the same bytes
SMALL_TARGET = 30e-6  # seconds per call

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_MMAP_MAX = -1, -3, -4


def fix_allocator(regime: str) -> bool:
    """Fix glibc's allocator for the process: ``"reused"`` or ``"fresh"`` memory for large blocks."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    mallopt = libc.mallopt
    # Both are C ints: without argtypes ctypes would pass the low 32 bits of a larger value silently.
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    if regime == "fresh":
        return bool(mallopt(_M_MMAP_THRESHOLD, 1 << 20))
    # Everything from the heap, and nothing given back below 2 GiB (the largest value an int holds):
    # a freed block is the next one's memory.
    return bool(mallopt(_M_MMAP_MAX, 0)) and bool(mallopt(_M_TRIM_THRESHOLD, 2**31 - 1))


def _met(ratio: float, target: float) -> str:
    return "met" if ratio <= target else "MISSED"


# --- copies in both memory regimes ----------------------------------------------------------


def copies_child(regime: str, sizes: Dict[str, int], runs: int) -> List[Dict[str, Any]]:
    """In this process (allocator fixed first): each kind's copying conversion against the numpy copy."""
    fix_allocator(regime)
    results = []
    for kind, size in sizes.items():
        inputs = methods.Inputs(kind, size)
        # Touch the memory the methods will use once, so that no method pays the guest's first touch.
        measure.warm_memory(3 * inputs.input_bytes("to_dict") >> 20)
        for direction in methods.DIRECTIONS:
            chosen = {
                method.key: method.prepare(inputs)
                for method in methods.conversion_methods(kind, direction, with_pyvista=False)
                if method.key in ("numpy-copy", "copy")
            }
            references = _references(kind, direction, inputs)
            times = measure.best_times({**chosen, **references}, budget=2.0, max_runs=runs, once_over=5.0)
            limit, ours = times["numpy-copy"][0], times["copy"][0]
            results.append({
                "regime": regime, "kind": kind, "size": size, "direction": direction,
                "numpy": limit, "copy": ours, "ratio": ours / limit, "runs": times["copy"][1],
                "references": {key: times[key][0] for key in references},
            })
        del inputs
    return results


#: What each reference step is: the least numpy can do for a part of vmtk's layout that is not a plain copy.
REFERENCE_LABELS = {
    "line-views": "one view per line (slices of one array: vmtk's list of id arrays)",
    "legacy-block": "numpy writing vmtk's flat mesh cells, a count before each cell's ids ((M, 5) block)",
}


def _references(kind: str, direction: str, inputs: methods.Inputs) -> Dict[str, Callable[[], Any]]:
    """Steps the layout forces on a copying conversion, timed as numpy does them at best."""
    from vmtkscripts_numpy.convert.cells import cell_array_to_numpy

    if kind == "centerlines" and direction == "to_dict":
        offsets, connectivity = cell_array_to_numpy(inputs.vtk.GetLines(), copy=False)

        def line_views() -> List[np.ndarray]:
            bounds = offsets.tolist()
            return [connectivity[first:last] for first, last in zip(bounds[:-1], bounds[1:])]

        return {"line-views": line_views}
    if kind == "mesh" and direction == "to_dict":
        _, connectivity = cell_array_to_numpy(inputs.vtk.GetCells(), copy=False)
        ids = connectivity.reshape(-1, 4)

        def legacy_block() -> np.ndarray:
            block = np.empty((ids.shape[0], 5), np.int64)
            block[:, 0] = 4
            # Whole rows as 32-byte records: numpy's fastest way to move rows into a wider array.
            block[:, 1:].view(np.dtype((np.void, 32)))[:, 0] = ids.view(np.dtype((np.void, 32)))[:, 0]
            return block

        return {"legacy-block": legacy_block}
    return {}


def run_copies(options: argparse.Namespace) -> int:
    sizes = {"surface": options.cells, "centerlines": options.lines, "mesh": options.cells}
    sizes = {kind: size for kind, size in sizes.items() if kind in options.kinds.split(",")}
    regimes = ["reused", "fresh"] if options.regime == "both" else [options.regime]
    print(f"Copying conversions against the numpy copy of the same bytes (target ≤ {COPY_TARGET}×); "
          f"best of up to {options.runs} runs, methods taking turns")
    print(f"| regime | kind | size | direction | numpy copy | copying | × numpy | ≤ {COPY_TARGET}× |")
    print("|---|---|---|---|---|---|---|---|")
    notes = []
    for regime in regimes:
        command = [sys.executable, "-m", "benchmarks.bench_convert", "copies-child", regime,
                   json.dumps(sizes), str(options.runs)]
        completed = subprocess.run(command, cwd=measure.PROJECT_ROOT, capture_output=True, text=True)
        if completed.returncode:
            print(completed.stderr, file=sys.stderr)
            return 1
        for row in json.loads(completed.stdout.strip().splitlines()[-1]):
            print(f"| {row['regime']} | {row['kind']} | {row['size']:,} | "
                  f"{methods.DIRECTION_TITLES[row['direction']]} | {report.seconds(row['numpy'])} | "
                  f"{report.seconds(row['copy'])} | {row['ratio']:.2f}× | {_met(row['ratio'], COPY_TARGET)} |")
            for key, seconds in row["references"].items():
                notes.append(f"- {row['regime']}, {row['kind']} {methods.DIRECTION_TITLES[row['direction']]}: "
                             f"{REFERENCE_LABELS[key]}: {report.seconds(seconds)} "
                             f"({seconds / row['numpy']:.2f}× the numpy copy)")
    if notes:
        print("\nSteps of vmtk's layout, timed in the same runs:")
        print("\n".join(notes))
    return 0


# --- zero-copy against size -------------------------------------------------------------------


def _fixed_size_surface(array_dict: Dict[str, Any]):
    """The surface of ``array_dict`` as the package's own conversion gives it (fixed-size cells on VTK >= 9.6)."""
    from vmtkscripts_numpy.convert.polydata import dict_to_polydata

    return dict_to_polydata(array_dict, share=False)


def run_zero_copy(options: argparse.Namespace) -> int:
    """Zero-copy surfaces both ways at growing sizes: the package against PyVista."""
    from vmtkscripts_numpy.convert.polydata import dict_to_polydata, polydata_to_dict

    with_pyvista = methods.pyvista_available()
    print("Zero-copy surfaces (triangles) against size; best of up to 7 runs, methods taking turns")
    print("| size | direction | VTK side | vmtkscripts_numpy | PyVista |")
    print("|---|---|---|---|---|")
    for size in (int(float(value)) for value in options.sizes.split(",")):
        inputs = methods.Inputs("surface", size)
        reader_like = inputs.vtk  # general offsets + connectivity storage, as VTK's readers give
        own = _fixed_size_surface(inputs.array_dict)
        rows = [("to_dict", "a reader's", reader_like), ("to_dict", "the package's", own), ("from_dict", "", None)]
        for direction, side, source in rows:
            calls: Dict[str, Callable[[], Any]]
            if direction == "to_dict":
                calls = {"ours": lambda source=source: polydata_to_dict(source, copy=False)}
                if with_pyvista:
                    import pyvista

                    calls["pyvista"] = lambda source=source: pyvista.wrap(source).regular_faces
            else:
                array_dict = inputs.array_dict
                calls = {"ours": lambda: dict_to_polydata(array_dict, share=True)}
                if with_pyvista:
                    import pyvista

                    points, faces = array_dict["Points"], array_dict["CellData"]["CellPointIds"]
                    calls["pyvista"] = lambda: pyvista.PolyData.from_regular_faces(points, faces)
            times = measure.best_times(calls, budget=1.0, max_runs=7)
            peer = report.seconds(times["pyvista"][0]) if "pyvista" in times else "—"
            print(f"| {size:,} | {methods.DIRECTION_TITLES[direction]} | {side} | "
                  f"{report.seconds(times['ours'][0])} | {peer} |")
        del inputs, reader_like, own
    ids = np.arange(3 * int(float(options.sizes.split(",")[-1])), dtype=np.int64)
    seconds, _ = measure.best_time(ids.view(np.uint64).max)
    print(f"\nFor scale: one read of {ids.size:,} int64 ids (the id check) takes {report.seconds(seconds)}.")
    return 0


# --- the fixed cost of a call ----------------------------------------------------------------


def _per_call(call: Callable[[], Any], calls: int, repeats: int) -> float:
    """Seconds per call: the fastest of ``repeats`` loops of ``calls`` calls."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            call()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def small_cases() -> Dict[str, Callable[[], Any]]:
    """The calls whose fixed cost is measured, by label."""
    from vmtkscripts_numpy.convert.polydata import (
        centerlines_to_dict,
        dict_to_centerlines,
        dict_to_polydata,
        polydata_to_dict,
    )

    lines = data.centerlines_dict(10)
    triangle = {
        "Points": np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], np.float32),
        "PointData": {},
        "CellData": {"CellPointIds": np.array([[0, 1, 2]], np.int64)},
    }
    lines_vtk, triangle_vtk = data.to_vtk("centerlines", lines), data.to_vtk("surface", triangle)
    cases = {}
    for label, copies in (("copying", True), ("zero-copy", False)):
        cases[f"10 centerlines, VTK → ArrayDict, {label}"] = lambda c=copies: centerlines_to_dict(lines_vtk, copy=c)
        cases[f"10 centerlines, ArrayDict → VTK, {label}"] = lambda c=copies: dict_to_centerlines(lines, share=not c)
        cases[f"one triangle, VTK → ArrayDict, {label}"] = lambda c=copies: polydata_to_dict(triangle_vtk, copy=c)
        cases[f"one triangle, ArrayDict → VTK, {label}"] = lambda c=copies: dict_to_polydata(triangle, share=not c)
    loop = methods.Inputs("centerlines", 10)
    cases["10 centerlines, VTK → ArrayDict, per-cell loop"] = methods.loop_to_dict(loop)
    cases["10 centerlines, ArrayDict → VTK, per-cell loop"] = methods.loop_from_dict(loop)
    cases["10 centerlines, VTK → ArrayDict, bare calls"] = lambda: _bare_to_dict(lines_vtk)
    cases["10 centerlines, ArrayDict → VTK, bare calls"] = lambda: _bare_from_dict(lines)
    cases["one triangle, ArrayDict → VTK, bare calls"] = lambda: _bare_triangle_from_dict(triangle)
    return cases


def _bare_array(vtk_type: int, values: np.ndarray, name: str = ""):
    """A VTK array sharing ``values`` (C-contiguous), as VTK's own numpy_support does it, minus its checks."""
    from vtkmodules.vtkCommonCore import vtkDataArray

    array = vtkDataArray.CreateDataArray(vtk_type)
    array.SetNumberOfComponents(1 if values.ndim == 1 else values.shape[1])
    if name:
        array.SetName(name)
    flat = values.reshape(-1)
    array.SetVoidArray(flat, flat.size, 1)
    array._numpy_reference = flat
    return array


def _bare_from_dict(lines: Dict[str, Any]):
    """The fewest calls that build the centerlines' polydata, sharing memory and checking nothing.

    Any converter makes these VTK objects and calls; the time is the floor of a
    call's fixed cost through VTK's Python wrapping on this machine.
    """
    from vtkmodules.vtkCommonCore import VTK_DOUBLE, VTK_INT, VTK_LONG_LONG, vtkPoints
    from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData

    ids = lines["CellData"]["CellPointIds"]
    lengths = np.fromiter(map(len, ids), np.int64, len(ids))
    offsets = np.zeros(len(ids) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    points = vtkPoints()
    points.SetData(_bare_array(VTK_DOUBLE, lines["Points"]))
    polydata = vtkPolyData()
    polydata.SetPoints(points)
    cells = vtkCellArray()
    cells.SetData(_bare_array(VTK_LONG_LONG, offsets), _bare_array(VTK_LONG_LONG, np.concatenate(ids)))
    polydata.SetLines(cells)
    for name, values in lines["PointData"].items():
        polydata.GetPointData().AddArray(_bare_array(VTK_DOUBLE, values, name))
    polydata.GetCellData().AddArray(_bare_array(VTK_INT, lines["CellData"]["CenterlineIds"], "CenterlineIds"))
    return polydata


def _bare_triangle_from_dict(triangle: Dict[str, Any]):
    """The fewest calls that build the triangle's polydata, sharing memory and checking nothing."""
    from vtkmodules.vtkCommonCore import VTK_FLOAT, VTK_LONG_LONG, vtkPoints
    from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData

    points = vtkPoints()
    points.SetData(_bare_array(VTK_FLOAT, triangle["Points"]))
    polydata = vtkPolyData()
    polydata.SetPoints(points)
    cells = vtkCellArray()
    ids = triangle["CellData"]["CellPointIds"]
    # VTK >= 9.6 can keep cells of one size without offsets; before, offsets are needed.
    if hasattr(cells, "IsStorageFixedSize"):
        cells.SetData(ids.shape[1], _bare_array(VTK_LONG_LONG, ids.reshape(-1)))
    else:
        offsets = np.arange(0, ids.size + 1, ids.shape[1], dtype=np.int64)
        cells.SetData(_bare_array(VTK_LONG_LONG, offsets), _bare_array(VTK_LONG_LONG, ids.reshape(-1)))
    polydata.SetPolys(cells)
    return polydata


def _bare_to_dict(polydata) -> Dict[str, Any]:
    """The fewest calls that copy the centerlines' arrays into vmtk's dict, checking nothing."""
    lines = polydata.GetLines()
    offsets = np.frombuffer(lines.GetOffsetsArray(), np.int64)
    connectivity = np.frombuffer(lines.GetConnectivityArray(), np.int64).copy()
    bounds = offsets.tolist()
    sections = {}
    for section, attributes in (("PointData", polydata.GetPointData()), ("CellData", polydata.GetCellData())):
        arrays = (attributes.GetArray(index) for index in range(attributes.GetNumberOfArrays()))
        sections[section] = {array.GetName(): np.frombuffer(array, np.float64 if section == "PointData" else np.int32)
                             .copy() for array in arrays}
    sections["CellData"]["CellPointIds"] = [connectivity[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
    points = np.frombuffer(polydata.GetPoints().GetData(), np.float64).reshape(-1, 3).copy()
    return {"Points": points, **sections}


def run_small(options: argparse.Namespace) -> int:
    print(f"The fixed cost of a call (target ≤ {SMALL_TARGET * 1e6:.0f} µs): the fastest of {options.repeats} loops "
          f"of {options.calls} calls each. 'bare calls': the fewest VTK and numpy calls that do the same, "
          "checking nothing (the floor through VTK's Python wrapping)")
    print(f"| call | per call | ≤ {SMALL_TARGET * 1e6:.0f} µs |")
    print("|---|---|---|")
    cases = small_cases()
    best = {label: float("inf") for label in cases}
    for _ in range(options.repeats):  # the cases take turns: each sees the machine's load alike
        for label, call in cases.items():
            best[label] = min(best[label], _per_call(call, options.calls, 1))
    for label, seconds in best.items():
        verdict = "" if "loop" in label or "bare" in label else _met(seconds, SMALL_TARGET)
        print(f"| {label} | {seconds * 1e6:.1f} µs | {verdict} |")
    return 0


# --- .vtu writes -------------------------------------------------------------------------------


def run_vtu(options: argparse.Namespace) -> int:
    """Write one mesh as .vtu with the package and with PyVista, taking turns, each to a new file."""
    from vmtkscripts_numpy.convert.mesh import dict_to_mesh
    from vmtkscripts_numpy.vtkfiles import write_mesh

    from vtkmodules.vtkIOXML import vtkXMLUnstructuredGridWriter

    mesh = dict_to_mesh(data.mesh_dict(options.cells))
    folder = tempfile.mkdtemp(prefix="bench-vtu-")

    def vtk_writer(path: str, sync: bool) -> Callable[[], Any]:
        def write() -> None:
            writer = vtkXMLUnstructuredGridWriter()
            writer.SetInputData(mesh)
            writer.SetDataModeToBinary()
            writer.SetFileName(path)
            writer.Write()
            if sync:
                _fsync(path)

        return write

    # (label, path, call): the package's writer makes its file durable (fsync) before it takes its name;
    # the others are timed without and with that fsync. VTK's XML writer as constructed packs with zlib's
    # default level (6), whatever its CompressionLevel says; PyVista sets the compressor again (level 5).
    writers = [("vmtkscripts_numpy write_mesh (fsync)", "ours.vtu", lambda path: lambda: write_mesh(mesh, path))]
    writers += [("VTK's XML writer as made (zlib level 6), binary", "vtk.vtu", lambda path: vtk_writer(path, False)),
                ("VTK's XML writer as made, binary + fsync", "vtk-sync.vtu", lambda path: vtk_writer(path, True))]
    if methods.pyvista_available():
        import pyvista

        wrapped = pyvista.wrap(mesh)

        def pyvista_writer(path: str, sync: bool) -> Callable[[], Any]:
            def write() -> None:
                wrapped.save(path)
                if sync:
                    _fsync(path)

            return write

        writers += [("PyVista save", "pyvista.vtu", lambda path: pyvista_writer(path, False)),
                    ("PyVista save + fsync", "pyvista-sync.vtu", lambda path: pyvista_writer(path, True))]
    paths = {label: os.path.join(folder, name) for label, name, _ in writers}
    calls = {label: make(paths[label]) for label, _, make in writers}
    times: Dict[str, List[float]] = {label: [] for label in calls}
    for _ in range(options.runs):
        for label, call in calls.items():
            measure.new_file_ahead(paths[label])
            start = time.perf_counter()
            call()
            times[label].append(time.perf_counter() - start)
    print(f".vtu writes of {mesh.GetNumberOfCells():,} tetrahedra ({options.runs} runs each, taking turns; "
          "each write makes a new file, dirty pages flushed before it)")
    print("| writer | fastest | median | slowest | file size |")
    print("|---|---|---|---|---|")
    for label, values in times.items():
        print(f"| {label} | {report.seconds(min(values))} | {report.seconds(float(np.median(values)))} | "
              f"{report.seconds(max(values))} | {os.path.getsize(paths[label]) / 1e6:.1f} MB |")
    for path in paths.values():
        if os.path.exists(path):
            os.unlink(path)
    os.rmdir(folder)
    return 0


def _fsync(path: str) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parts = parser.add_subparsers(dest="part", required=True)
    copies = parts.add_parser("copies", help="copying conversions against the numpy copy, both memory regimes")
    copies.add_argument("--cells", type=int, default=1_000_000, help="triangles and tetrahedra")
    copies.add_argument("--lines", type=int, default=20_000, help="centerlines (55 points each on average)")
    copies.add_argument("--kinds", default="surface,centerlines,mesh")
    copies.add_argument("--regime", choices=("both", "reused", "fresh"), default="both")
    copies.add_argument("--runs", type=int, default=9)
    child = parts.add_parser("copies-child")
    child.add_argument("regime")
    child.add_argument("sizes")
    child.add_argument("runs", type=int)
    zero = parts.add_parser("zero-copy", help="zero-copy surfaces against size")
    zero.add_argument("--sizes", default="1e4,1e5,1e6,1e7")
    small = parts.add_parser("small", help="the fixed cost of a call")
    small.add_argument("--calls", type=int, default=200)
    small.add_argument("--repeats", type=int, default=60)
    vtu = parts.add_parser("vtu", help=".vtu writes against PyVista")
    vtu.add_argument("--cells", type=int, default=1_000_000)
    vtu.add_argument("--runs", type=int, default=5)
    options = parser.parse_args(argv)
    if options.part == "copies-child":
        print(json.dumps(copies_child(options.regime, json.loads(options.sizes), options.runs)))
        return 0
    return {"copies": run_copies, "zero-copy": run_zero_copy, "small": run_small, "vtu": run_vtu}[options.part](
        options
    )


if __name__ == "__main__":
    sys.exit(main())
