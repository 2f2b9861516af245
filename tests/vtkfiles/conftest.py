"""Helpers for the VTK file tests: what a dataset holds, as plain numpy, and where its voxels are."""

from types import SimpleNamespace

import numpy as np
import pytest

from vmtkscripts_numpy.convert.arrays import numpy_to_vtk, vtk_to_numpy


def attribute_arrays(attributes):
    """{name: ("dtype xcomponents", numpy values)} of a vtkDataSetAttributes / vtkFieldData."""
    arrays = {}
    for index in range(attributes.GetNumberOfArrays()):
        array = attributes.GetAbstractArray(index)
        if hasattr(array, "GetNumberOfComponents") and array.IsNumeric():
            values = vtk_to_numpy(array).copy()
            arrays[array.GetName()] = (f"{values.dtype} x{array.GetNumberOfComponents()}", values)
        else:
            arrays[array.GetName()] = ("string", [array.GetValue(i) for i in range(array.GetNumberOfValues())])
    return arrays


def cell_arrays_of(cells):
    return vtk_to_numpy(cells.GetOffsetsArray()).copy(), vtk_to_numpy(cells.GetConnectivityArray()).copy()


def polydata_contents(surface):
    """Everything a surface holds that a lossless format must keep."""
    return {
        "points": vtk_to_numpy(surface.GetPoints().GetData()).copy(),
        "points dtype": str(vtk_to_numpy(surface.GetPoints().GetData()).dtype),
        **{kind: cell_arrays_of(getattr(surface, f"Get{kind}")()) for kind in ("Verts", "Lines", "Polys", "Strips")},
        "point data": attribute_arrays(surface.GetPointData()),
        "cell data": attribute_arrays(surface.GetCellData()),
        "field data": attribute_arrays(surface.GetFieldData()),
        "active point arrays": frozenset(active_roles(surface.GetPointData()).items()),
        "active cell arrays": frozenset(active_roles(surface.GetCellData()).items()),
    }


def assert_same_contents(found, expected):
    assert found.keys() == expected.keys()
    for key in expected:
        if isinstance(expected[key], dict):
            assert found[key].keys() == expected[key].keys(), key
            for name, (dtype, values) in expected[key].items():
                assert found[key][name][0] == dtype, (key, name)
                np.testing.assert_array_equal(found[key][name][1], values, err_msg=f"{key} {name}")
        elif isinstance(expected[key], tuple):
            for part_found, part_expected in zip(found[key], expected[key]):
                np.testing.assert_array_equal(part_found, part_expected, err_msg=key)
        elif isinstance(expected[key], np.ndarray):
            np.testing.assert_array_equal(found[key], expected[key], err_msg=key)
        else:
            assert found[key] == expected[key], key


def voxel_positions(image):
    """(N, 3) physical positions of every voxel, in VTK's order, from the image's own placement."""
    extent = image.GetExtent()
    k, j, i = np.meshgrid(*(np.arange(extent[2 * a], extent[2 * a + 1] + 1) for a in (2, 1, 0)), indexing="ij")
    indices = np.stack([i.ravel(), j.ravel(), k.ravel()], axis=1).astype(float)
    matrix = image.GetDirectionMatrix()
    direction = np.array([[matrix.GetElement(r, c) for c in range(3)] for r in range(3)])
    return np.asarray(image.GetOrigin()) + (indices * np.asarray(image.GetSpacing())) @ direction.T


def physical_point(image, index):
    """VTK's own answer for the physical position of voxel ``index``."""
    point = [0.0, 0.0, 0.0]
    image.TransformIndexToPhysicalPoint(*index, point)
    return np.array(point)


def voxels_by_position(image):
    """Voxel positions and values sorted by position, to compare images whose index order differs."""
    positions = voxel_positions(image)
    values = vtk_to_numpy(image.GetPointData().GetScalars())
    order = np.lexsort(np.round(positions, 4).T[::-1])
    return positions[order], values[order]


def placed_image(direction, extent=(2, 7, -1, 4, 3, 6), dtype=np.int16, components=1):
    """An image with every kind of placement: extent not starting at 0, origin, spacing and ``direction``."""
    from vtkmodules.vtkCommonDataModel import vtkImageData

    image = vtkImageData()
    image.SetExtent(*extent)
    image.SetOrigin(10.0, -5.0, 2.0)
    image.SetSpacing(0.5, 0.75, 2.0)
    image.SetDirectionMatrix(*np.asarray(direction, dtype=float).ravel())
    count = image.GetNumberOfPoints()
    values = (np.arange(count * components) % 1000).astype(dtype)
    array = numpy_to_vtk(values.reshape(count, components) if components > 1 else values, "Values", share=False)
    image.GetPointData().SetScalars(array)
    return image


def rotation(angle=0.3):
    """A proper rotation that is not symmetric, so a transposed direction shows."""
    c, s = np.cos(angle), np.sin(angle)
    about_z = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    about_x = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
    return about_z @ about_x


# --- VTKHDF files written with h5py, for the VTKs that have no VTKHDF writer (before 9.4) -----------------

_POLYDATA_GROUPS = (("GetVerts", "Vertices"), ("GetLines", "Lines"), ("GetPolys", "Polygons"), ("GetStrips", "Strips"))


def _numeric_arrays(attributes):
    for index in range(attributes.GetNumberOfArrays()):
        array = attributes.GetArray(index)
        if array is not None:
            yield array.GetName(), vtk_to_numpy(array)


def _write_cells(group, cells):
    offsets, connectivity = cell_arrays_of(cells)
    offsets = offsets if offsets.size else np.zeros(1, np.int64)
    group["NumberOfCells"] = [offsets.size - 1]
    group["NumberOfConnectivityIds"] = [connectivity.size]
    group["Offsets"] = offsets.astype(np.int64)
    group["Connectivity"] = connectivity.astype(np.int64)


def write_vtkhdf_by_hand(dataset, path, cell_types=None, polyhedra=None):
    """Write a surface or mesh as VTKHDF 2.x with h5py, laid out as VTK 9.7's writer lays it out.

    Parameters
    ----------
    dataset : vtkPolyData or vtkUnstructuredGrid
        For a mesh, its cells as VTK's GetCells gives them (a polyhedron's point ids).
    cell_types : sequence of int, optional
        The mesh's cell types (asked of the caller: VTK's API for them changed in 9.6).
    polyhedra : dict, optional
        ``{cell index: [face point ids, ...]}`` of the mesh's polyhedron cells. None writes
        no faces at all, as VTK 9.4 to 9.6 do.
    """
    import h5py

    with h5py.File(path, "w") as handle:
        root = handle.create_group("VTKHDF")
        root.attrs["Version"] = np.array([2, 2], np.int64)
        polydata = cell_types is None
        root.attrs.create("Type", np.bytes_("PolyData" if polydata else "UnstructuredGrid"))
        root["NumberOfPoints"] = [dataset.GetNumberOfPoints()]
        root["Points"] = vtk_to_numpy(dataset.GetPoints().GetData())
        if polydata:
            for getter, name in _POLYDATA_GROUPS:
                _write_cells(root.create_group(name), getattr(dataset, getter)())
        else:
            _write_cells(root, dataset.GetCells())
            root["Types"] = np.asarray(cell_types, np.uint8)
            if polyhedra is not None:
                faces = [face for index in sorted(polyhedra) for face in polyhedra[index]]
                counts = np.zeros(len(cell_types), np.int64)
                counts[sorted(polyhedra)] = [len(polyhedra[index]) for index in sorted(polyhedra)]
                root["NumberOfFaces"] = [len(faces)]
                root["NumberOfFaceConnectivityIds"] = [sum(map(len, faces))]
                root["NumberOfPolyhedronToFaceIds"] = [len(faces)]
                root["FaceConnectivity"] = np.concatenate(faces).astype(np.int64)
                root["FaceOffsets"] = np.concatenate([[0], np.cumsum([len(face) for face in faces])]).astype(np.int64)
                root["PolyhedronToFaces"] = np.arange(len(faces), dtype=np.int64)
                root["PolyhedronOffsets"] = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        for section in ("PointData", "CellData", "FieldData"):
            attributes = getattr(dataset, f"Get{section}")()
            group = root.create_group(section)
            for name, values in _numeric_arrays(attributes):
                group[name] = values
            for role, name in active_roles(attributes).items():
                group[name].attrs["Attribute"] = np.bytes_(role)  # as VTK 9.7 marks an active array
    return path


def active_roles(attributes):
    """{role: array name} of the active attributes of a vtkDataSetAttributes ({} for field data)."""
    if not hasattr(attributes, "GetAbstractAttribute"):
        return {}
    roles = {}
    for index in range(attributes.NUM_ATTRIBUTES):
        array = attributes.GetAbstractAttribute(index)
        if array is not None:
            roles[attributes.GetAttributeTypeAsString(index)] = array.GetName()
    return roles


@pytest.fixture
def vtkhdf_by_hand():
    return write_vtkhdf_by_hand


@pytest.fixture
def contents():
    return polydata_contents


@pytest.fixture
def same_contents():
    return assert_same_contents


@pytest.fixture
def image_tools():
    """The image helpers above, as one namespace."""
    helpers = (voxel_positions, physical_point, voxels_by_position, placed_image, rotation)
    return SimpleNamespace(**{helper.__name__: helper for helper in helpers})


# --- small datasets of every kind, to write valid files that tests then damage --------------------


def small_surface():
    """7 points: a vertex, a line, triangles and a quad (lists of 1 to 4 ids in PLY), point and cell arrays."""
    from vmtkscripts_numpy.convert.polydata import dict_to_polydata

    points = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0.5, 0.5, 1], [2, 0, 0], [2, 1, 0]], float)
    surface = dict_to_polydata({"Points": points, "CellData": {
        "CellPointIds": [np.array([6]), np.array([5, 6]), np.array([0, 1, 4]), np.array([1, 2, 4]),
                         np.array([2, 3, 4]), np.array([0, 1, 2, 3])],
        "Group": np.arange(6, dtype=np.int32)}, "PointData": {"Height": points[:, 2].copy()},
        "CellTypes": np.array([1, 3, 5, 5, 5, 9], np.uint8)})  # vertex, line, triangles, quad
    return surface


def small_mesh():
    """Two tetrahedra and a triangle, with point and cell arrays."""
    from vmtkscripts_numpy.convert.mesh import dict_to_mesh

    points = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1], [2, 0, 0]], float)
    return dict_to_mesh({"Points": points, "Cells": {
        "CellPointIds": [np.array([0, 1, 2, 3]), np.array([1, 2, 3, 4]), np.array([1, 5, 4])],
        "CellTypes": np.array([10, 10, 5])},
        "PointData": {"T": np.arange(6, dtype=np.float32)}, "CellData": {"Id": np.arange(3, dtype=np.int64)}})


def small_image():
    """A 3 x 4 x 5 int16 image away from the origin, and a 3-component point array."""
    from vmtkscripts_numpy.convert.image import image_from_array

    values = np.arange(5 * 4 * 3, dtype=np.int16).reshape(5, 4, 3) - 20
    image = image_from_array(values, origin=(1.0, 2.0, 3.0), spacing=(0.5, 0.5, 2.0))
    image.GetPointData().AddArray(numpy_to_vtk(np.arange(60 * 3, dtype=np.float32).reshape(60, 3), "Flow",
                                               share=False))
    return image


# --- reading hostile files in a capped child process --------------------------------------------------

#: Address space a read may add to the server's (RLIMIT_AS), and its time limit (wall clock and CPU).
CAPPED_MEMORY_BYTES = 1 << 30
CAPPED_SECONDS = 60


class CappedReader:
    """Reads files in forked children of a warm server (``capped_read.py``): a crash or a hang is an answer.

    ``read(kind, path, then=())`` gives a namespace with ``status`` (``"dataset"``,
    ``"DataFileError"``, ``"error"``, ``"crash"`` or ``"hang"``), ``detail`` (the
    message, the signal) and ``stderr`` (what the child printed).
    """

    def __init__(self, memory=CAPPED_MEMORY_BYTES, seconds=CAPPED_SECONDS):
        import os
        import subprocess
        import sys
        from pathlib import Path

        # One thread in the server (no BLAS pool), so that a fork copies no lock held by another thread.
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        root = Path(__file__).resolve().parents[2]
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("capped_read.py")), str(memory), str(seconds)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
        )
        ready = self.process.stdout.readline()
        if ready.strip() != "ready":
            raise RuntimeError(f"the capped read server did not start: {ready!r}")

    def read(self, kind, path, then=()):
        import json

        self.process.stdin.write(json.dumps({"kind": kind, "path": str(path), "then": list(then)}) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        return SimpleNamespace(**{"stderr": "", **answer})

    def refuses(self, kind, path, *problems, then=("dict",)):
        """Read ``path`` (then do ``then``); assert one DataFileError whose message matches each of ``problems``.

        Nothing may be printed: a refusal is the exception alone.
        """
        import re

        outcome = self.read(kind, path, then)
        assert outcome.status == "DataFileError", f"{outcome.status}: {outcome.detail}\n{outcome.stderr}"
        for problem in problems:
            assert re.search(problem, outcome.detail), f"{problem!r} not in {outcome.detail!r}"
        assert outcome.stderr == "", outcome.stderr
        return outcome.detail

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="session")
def capped():
    """A :class:`CappedReader` shared by the session's tests."""
    reader = CappedReader()
    yield reader
    reader.close()
