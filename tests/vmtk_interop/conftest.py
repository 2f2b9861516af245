"""This package beside the real vmtk: the same data through both, compared key by key.

The whole folder is skipped unless vmtk itself imports (``pip install vmtk``,
Python >= 3.12): these tests run vmtk's own script classes, never a stand-in.
Where vmtk is wrong, a test says so in its name and asserts vmtk's exact
mistake and that this package gets it right; everywhere else the values must
be equal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import numpy as np
import pytest

from vmtkscripts_numpy import read_mesh, read_surface
from vmtkscripts_numpy import vmtkscripts as our_scripts

VMTK_MISSING = "vmtk is not installed: these tests run vmtk's own scripts (pip install vmtk, Python >= 3.12)"

try:
    import vmtk  # noqa: F401
except ImportError:
    vmtk_scripts = None
else:
    # vmtk is there: a vmtk that imports but is broken is an error, not a skip
    from vmtk import vmtkscripts as vmtk_scripts


@pytest.fixture(autouse=True)
def _skip_without_vmtk():
    # A fixture rather than pytest.importorskip at import time: pytest loads the conftest of a folder named
    # on the command line before it collects, and a skip raised there would stop the whole run.
    if vmtk_scripts is None:
        pytest.skip(VMTK_MISSING)


#: vmtk's test data's triangle surfaces; its one other surface, cow.vtp (mixed polygons), has tests of its own.
TRIANGLE_SURFACES = ["aorta-surface.vtp", "aorta-surface-branch-split.vtp", "aorta-surface-two-segments.vtp",
                     "aorta-surface.stl"]
#: Centerlines: vmtk's test data's, and the twelve lines of 3 to 14 points vmtk's files were also written from.
CENTERLINES = ["aorta-centerline.vtp", "aorta-centerline-branches.vtp", "aorta-centerline-attribute-branches.vtp",
               "aorta-centerline-referencesystem.vtp", "twelve-line-centerlines.vtp"]
#: Meshes: vmtk's file of 151 tetrahedra, the aorta through vmtk's own vmtksurfacetomesh, and one of mixed cells.
MESHES = ["tetra-mesh.vtu", "aorta-surface-mesh", "mixed-cells"]


#: Deprecations that vmtk's own code meets in VTK 9.6 and numpy 2.5 (vmtk imports VTK's modules as ``vtk.*``,
#: this package as ``vtkmodules.*``, so none of this package's own is hidden): vmtk's to fix, not ours to show.
VMTK_DEPRECATIONS = [
    r"ignore:Setting the shape on a NumPy array has been deprecated:DeprecationWarning:vtk\.util\.numpy_support",
    r"ignore:Call to deprecated:DeprecationWarning:vtk\.numpy_interface\.dataset_adapter",
    r"ignore:Call to deprecated:DeprecationWarning:vmtk\.",
]


def pytest_collection_modifyitems(items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            for rule in VMTK_DEPRECATIONS:
                item.add_marker(pytest.mark.filterwarnings(rule))


def pytest_generate_tests(metafunc):
    """Tests that take ``triangle_surface_name``, ``centerlines_name`` or ``mesh_name`` run once per file.

    A test that parametrizes the name itself runs on the files it names.
    """
    chosen = {name.strip() for mark in metafunc.definition.iter_markers("parametrize")
              for name in (mark.args[0].split(",") if isinstance(mark.args[0], str) else mark.args[0])}
    for argument, names in [("triangle_surface_name", TRIANGLE_SURFACES), ("centerlines_name", CENTERLINES),
                            ("mesh_name", MESHES)]:
        if argument in metafunc.fixturenames and argument not in chosen:
            metafunc.parametrize(argument, names)


@pytest.fixture
def triangle_surface(triangle_surface_name, vmtk_test_data):
    """A triangle surface of vmtk's test data, as VTK reads it."""
    return read_surface(vmtk_test_data(triangle_surface_name))


@pytest.fixture
def centerlines(centerlines_name, vmtk_test_data, upstream_file):
    """Centerlines, as VTK reads them."""
    if centerlines_name == "twelve-line-centerlines.vtp":
        return read_surface(upstream_file(centerlines_name))
    return read_surface(vmtk_test_data(centerlines_name))


@pytest.fixture
def mesh(mesh_name, upstream_file, vmtk_test_data):
    """A mesh: vmtk's tetrahedra, the aorta surface through vmtk's vmtksurfacetomesh, or one of mixed cells."""
    if mesh_name == "tetra-mesh.vtu":
        return read_mesh(upstream_file(mesh_name))
    if mesh_name == "aorta-surface-mesh":
        surface = read_surface(vmtk_test_data("aorta-surface.vtp"))
        return _run(vmtk_scripts, "vmtkSurfaceToMesh", {"Surface": surface}).Mesh
    return mixed_cell_mesh()


@pytest.fixture
def compared_files():
    """The names of the files the comparisons run on (cow.vtp has tests of its own)."""
    return set(TRIANGLE_SURFACES) | {"cow.vtp"} | set(CENTERLINES) | set(MESHES)


def mixed_cell_mesh():
    """A tetrahedron, a hexahedron, a wedge, a pyramid, a triangle and a quadratic tetrahedron, built with VTK."""
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonCore import vtkPoints
    from vtkmodules.vtkCommonDataModel import vtkUnstructuredGrid

    rng = np.random.default_rng(11)
    grid = vtkUnstructuredGrid()
    points = vtkPoints()
    points.SetDataTypeToDouble()
    for point in rng.random((20, 3)):
        points.InsertNextPoint(*point)
    grid.SetPoints(points)
    for cell_type, ids in [(10, [0, 1, 2, 3]), (12, [4, 5, 6, 7, 8, 9, 10, 11]), (13, [0, 1, 2, 3, 4, 5]),
                           (14, [6, 7, 8, 9, 10]), (5, [11, 12, 13]), (24, list(range(10, 20)))]:
        grid.InsertNextCell(cell_type, len(ids), ids)
    radius = numpy_to_vtk(rng.random(20), deep=True)
    radius.SetName("Radius")
    grid.GetPointData().AddArray(radius)
    material = numpy_to_vtk(np.array([3, 1, 4, 1, 5, 9], np.int32), deep=True)
    material.SetName("CellEntityIds")
    grid.GetCellData().AddArray(material)
    return grid


def _run(scripts, name: str, members: Dict[str, Any]):
    script = getattr(scripts, name)()
    script.LogOn = 0
    for member, value in members.items():
        setattr(script, member, value)
    script.Execute()
    return script


@pytest.fixture
def run_vmtk():
    """``run_vmtk("vmtkSurfaceToNumpy", Surface=surface)``: vmtk's own script, executed quietly."""
    return lambda name, **members: _run(vmtk_scripts, name, members)


@pytest.fixture
def run_ours():
    """``run_ours("vmtkSurfaceToNumpy", Surface=surface)``: this package's script of that name, executed."""
    return lambda name, **members: _run(our_scripts, name, members)


# --- key-by-key comparison ----------------------------------------------------------------------


def _leaf_differences(theirs: Any, ours: Any) -> str:
    if not isinstance(theirs, np.ndarray) or not isinstance(ours, np.ndarray):
        return "" if type(theirs) is type(ours) and theirs == ours else f"vmtk {theirs!r}, ours {ours!r}"
    found = []
    if type(theirs) is not type(ours):
        found.append(f"type: vmtk {type(theirs).__name__}, ours {type(ours).__name__}")
    if theirs.dtype != ours.dtype:
        found.append(f"dtype: vmtk {theirs.dtype}, ours {ours.dtype}")
    if theirs.shape != ours.shape:
        found.append(f"shape: vmtk {theirs.shape}, ours {ours.shape}")
    elif not np.array_equal(np.asarray(theirs), np.asarray(ours), equal_nan=theirs.dtype.kind in "fc"):
        found.append("values differ")
    return "; ".join(found)


def _differences(theirs: Any, ours: Any, path: str, found: Dict[str, str]) -> None:
    if isinstance(theirs, dict) and isinstance(ours, dict):
        for key in theirs:
            if key not in ours:
                found[f"{path}{key}"] = "only in vmtk"
        for key in ours:
            if key not in theirs:
                found[f"{path}{key}"] = "only in ours"
            else:
                _differences(theirs[key], ours[key], f"{path}{key}/", found)
    elif isinstance(theirs, list) and isinstance(ours, list):
        if len(theirs) != len(ours):
            found[path.rstrip("/")] = f"length: vmtk {len(theirs)}, ours {len(ours)}"
            return
        items: Dict[str, str] = {}
        for index, (their_item, our_item) in enumerate(zip(theirs, ours)):
            _differences(their_item, our_item, f"{path}{index}/", items)
        # the same difference in every item (say, the dtype of each line's ids) is said once, as "path/*"
        if len(items) == len(theirs) > 0 and len(set(items.values())) == 1:
            found[f"{path}*"] = next(iter(items.values()))
        else:
            found.update(items)
    elif isinstance(theirs, (dict, list)) or isinstance(ours, (dict, list)):
        found[path.rstrip("/")] = f"type: vmtk {type(theirs).__name__}, ours {type(ours).__name__}"
    else:
        difference = _leaf_differences(theirs, ours)
        if difference:
            found[path.rstrip("/")] = difference


def differences(theirs: Any, ours: Any) -> Dict[str, str]:
    """``{key path: how vmtk's value differs from ours}`` over every key of both dicts; equal values are left out.

    ``theirs`` is the dict that came from vmtk, or back through vmtk; ``ours`` is this package's.

    Paths join keys with ``/`` (``"CellData/CellPointIds"``); a difference shared by
    every item of a list is given once for ``"<list>/*"``. Dict subclasses (vmtk's
    ``vividict``) count as dicts; array subclasses (VTK's ``VTKArray``) differ in type.
    """
    found: Dict[str, str] = {}
    _differences(theirs, ours, "", found)
    return found


@pytest.fixture
def compare():
    """``compare(vmtk_dict, our_dict)``: see :func:`differences`."""
    return differences


@pytest.fixture
def only_in_ours():
    """``only_in_ours(*keys)``: the differences that keys this package adds make, in :func:`differences`' words."""
    return lambda *keys: {key: "only in ours" for key in keys}
