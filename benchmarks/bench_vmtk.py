"""This package against vmtk's own numpy scripts: times both ways, and the dtypes vmtk gives.

Run from the project root where vmtk is installed (``pip install vmtk``, Python >= 3.12)::

    python -m benchmarks.bench_vmtk                      # times; --triangles 1000000 by default
    python -m benchmarks.bench_vmtk --dtypes             # the dtype each vmtk script gives back

Times: vmtk's script classes (``vmtkSurfaceToNumpy``, ``vmtkNumpyToSurface``, the centerline pair)
against this package's functions, on vmtk's aorta surface and centerlines (``../shared/vmtk-test-data``,
left out when absent) and on a generated tube of triangles; the fastest of several runs, each method
on its own (a run over a second is done once). Like vmtk, this package copies here: ``copy=True`` one
way, ``share=False`` the other (its default ``share=True`` is faster still). The way back starts from
vmtk's dict, which both accept. The generated surface has no cell data, which vmtk's
``vmtkNumpyToSurface`` cannot convert (see tests/vmtk_interop/test_surfaces.py).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from typing import Any, Callable, Dict, List

import numpy as np

from . import data, measure, report

SHARED = measure.PROJECT_ROOT.parent / "shared"
#: By kind: vmtk's to-numpy script and the member it reads (and its way back writes), vmtk's way back,
#: this package's two functions.
KINDS = {
    "surface": ("vmtkSurfaceToNumpy", "Surface", "vmtkNumpyToSurface", "polydata_to_dict", "dict_to_polydata"),
    "centerlines": ("vmtkCenterlinesToNumpy", "Centerlines", "vmtkNumpyToCenterlines", "centerlines_to_dict",
                    "dict_to_centerlines"),
}


def run_vmtk(name: str, **members: Any) -> Any:
    from vmtk import vmtkscripts

    script = getattr(vmtkscripts, name)()
    script.LogOn = 0
    for member, value in members.items():
        setattr(script, member, value)
    script.Execute()
    return script


def datasets(triangles: int) -> List[tuple]:
    """``(label, kind, VTK object)`` for each dataset present."""
    import vmtkscripts_numpy as vn

    found = []
    for label, kind, name in [("aorta surface", "surface", "aorta-surface.vtp"),
                              ("aorta centerlines", "centerlines", "aorta-centerline-branches.vtp")]:
        path = SHARED / "vmtk-test-data" / name
        if path.is_file():
            found.append((f"{label} ({name})", kind, vn.read_surface(path)))
        else:
            print(f"{path.name}: not found beside the project, left out", file=sys.stderr)
    tube = data.surface_dict(triangles)
    tube["CellData"] = {"CellPointIds": tube["CellData"]["CellPointIds"]}
    found.append((f"generated tube, {report.size_label('surface', triangles)} triangles", "surface",
                   data.to_vtk("surface", tube)))
    return found


def time_both(label: str, kind: str, dataset: Any, budget: float) -> List[List[str]]:
    import vmtkscripts_numpy as vn

    to_numpy, member, from_numpy, our_to_dict, our_from_dict = KINDS[kind]
    to_dict, from_dict = getattr(vn, our_to_dict), getattr(vn, our_from_dict)
    vmtks_dict = run_vmtk(to_numpy, **{member: dataset}).ArrayDict
    directions: Dict[str, Dict[str, Callable[[], Any]]] = {
        "to numpy": {"vmtk": lambda: run_vmtk(to_numpy, **{member: dataset}).ArrayDict,
                     "ours": lambda: to_dict(dataset, copy=True)},
        "from numpy": {"vmtk": lambda: getattr(run_vmtk(from_numpy, ArrayDict=vmtks_dict), member),
                       "ours": lambda: from_dict(vmtks_dict, share=False)},
    }
    rows = []
    for direction, calls in directions.items():
        # each on its own: taking turns, one run of vmtk's seconds would use up the budget of both
        vmtk_time, our_time = (measure.best_time(calls[key], budget=budget)[0] for key in ("vmtk", "ours"))
        rows.append([label, direction, report.seconds(vmtk_time), report.seconds(our_time),
                     report.ratio(vmtk_time / our_time)])
    return rows


# --- dtypes ------------------------------------------------------------------------------------------


def _dtype(value: Any) -> str:
    if isinstance(value, list):
        return str(value[0].dtype) if value else "–"
    return str(value.dtype)


def _leaves(array_dict: Dict[str, Any]) -> Dict[str, Any]:
    """``{what: array}``: the points, the ids and each data array, by a short description."""
    found = {"Points": array_dict["Points"]}
    cells = array_dict.get("Cells", array_dict["CellData"])
    found["ids"] = cells["CellPointIds"]
    for section, what in (("PointData", "point data"), ("CellData", "cell data")):
        for name, array in array_dict.get(section, {}).items():
            if name != "CellPointIds":
                found[f"{what} {name}"] = array
    return found


def dtype_rows() -> List[List[str]]:
    """``[script, what, dtype in, vmtk's dtype out, this package's, data]``, one row per distinct case."""
    import vmtkscripts_numpy as vn

    generated = {"Float64": np.linspace(0, 1, 8), "Int64": np.arange(8, dtype=np.int64),
                 "UInt8": np.arange(8, dtype=np.uint8), "Bool": np.arange(8) % 2 == 0}
    points = np.random.default_rng(1).random((8, 3))
    lines = [np.arange(4), np.arange(4, 8)]
    made = {
        "vmtkSurfaceToNumpy": ("Surface", vn.polydata_to_dict, vn.dict_to_polydata(
            {"Points": points, "PointData": generated, "CellData": {"CellPointIds": lines}})),
        "vmtkCenterlinesToNumpy": ("Centerlines", vn.centerlines_to_dict, vn.dict_to_centerlines(
            {"Points": points, "PointData": generated, "CellData": {"CellPointIds": lines}})),
        "vmtkMeshToNumpy": ("Mesh", vn.mesh_to_dict, vn.dict_to_mesh(
            {"Points": points, "PointData": generated,
             "Cells": {"CellPointIds": lines, "CellTypes": np.array([10, 10], np.uint8)}})),
    }
    test_data, upstream = SHARED / "vmtk-test-data", SHARED / "upstream-files"
    files = {"vmtkSurfaceToNumpy": [test_data / "aorta-surface.vtp", test_data / "aorta-surface-branch-split.vtp",
                                    test_data / "aorta-surface.stl"],
             "vmtkCenterlinesToNumpy": [test_data / "aorta-centerline-attribute-branches.vtp",
                                        test_data / "aorta-centerline-branches.vtp"],
             "vmtkMeshToNumpy": [upstream / "tetra-mesh.vtu"]}
    rows: Dict[tuple, set] = {}
    for script, (member, to_dict, generated_dataset) in made.items():
        read = vn.read_mesh if script == "vmtkMeshToNumpy" else vn.read_surface
        inputs = [("generated", generated_dataset)]
        inputs += [("files", read(path)) for path in files[script] if path.is_file()]
        for source, dataset in inputs:
            theirs, ours = _leaves(run_vmtk(script, **{member: dataset}).ArrayDict), _leaves(to_dict(dataset))
            for what, array in ours.items():
                kind = what if what in ("Points", "ids") else what.split(" ")[0] + " data"
                rows.setdefault((script, kind, _dtype(array), _dtype(theirs[what]), _dtype(array)), set()).add(source)
    for script, member, to_dict, make in [
        ("vmtkNumpyToSurface", "Surface", vn.polydata_to_dict,
         lambda values: {"Points": points, "PointData": {"a": values},
                         "CellData": {"CellPointIds": np.array([[0, 1, 2]])}}),
        ("vmtkNumpyToCenterlines", "Centerlines", vn.centerlines_to_dict,
         lambda values: {"Points": points, "PointData": {"a": values}, "CellData": {"CellPointIds": lines}}),
        ("vmtkNumpyToMesh", "Mesh", vn.mesh_to_dict,
         lambda values: {"Points": points, "PointData": {"a": values}, "Cells": {
             "CellPointIds": np.array([4, 0, 1, 2, 3, 4, 4, 5, 6, 7]), "CellLocations": np.array([0, 5]),
             "CellTypes": np.array([10, 10], np.uint8)}}),
    ]:
        for values in generated.values():
            try:
                back = to_dict(getattr(run_vmtk(script, ArrayDict=make(values)), member))
                out, points_out = str(back["PointData"]["a"].dtype), str(back["Points"].dtype)
            except Exception as error:  # vmtk's own failure is the measurement
                out, points_out = f"fails ({type(error).__name__})", None
            rows.setdefault((script, "point data", str(values.dtype), out, str(values.dtype)), set()).add("generated")
            if points_out:
                rows.setdefault((script, "Points", "float64", points_out, "float64"), set()).add("generated")
    return [list(row) + [", ".join(sorted(sources))] for row, sources in sorted(rows.items())]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triangles", type=int, default=1_000_000, help="triangles of the generated surface")
    parser.add_argument("--budget", type=float, default=2.0, help="seconds of runs per method and direction")
    parser.add_argument("--dtypes", action="store_true", help="print the dtypes vmtk gives instead of times")
    options = parser.parse_args(argv)
    try:
        import vmtk  # noqa: F401
    except ImportError:
        print("bench_vmtk: vmtk is not installed here, so there is nothing to compare with "
              "(pip install vmtk needs Python >= 3.12)", file=sys.stderr)
        return 1
    # vmtk's own code meets deprecations of VTK 9.6 and numpy 2.5; they are not what is measured
    warnings.simplefilter("ignore", DeprecationWarning)
    if options.dtypes:
        header = ["vmtk script", "what", "dtype in", "vmtk gives", "this package gives", "seen on"]
        print(report.table(header, dtype_rows(), align="llllll"))
        return 0
    measure.fresh_memory_for_large_arrays()
    rows = []
    for label, kind, dataset in datasets(options.triangles):
        rows += time_both(label, kind, dataset, options.budget)
    print(report.table(["data", "direction", "vmtk", "this package", "vmtk / this package"], rows, align="llrrr"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
