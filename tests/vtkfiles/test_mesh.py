"""Mesh files: every cell type (polyhedra too) and array round-trips; bad files are named errors."""

import warnings

import numpy as np
import pytest
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import (
    VTK_HEXAHEDRON,
    VTK_LINE,
    VTK_POLYHEDRON,
    VTK_QUADRATIC_TETRA,
    VTK_TETRA,
    VTK_TRIANGLE,
    VTK_WEDGE,
    vtkCellArray,
    vtkUnstructuredGrid,
)

from vmtkscripts_numpy.errors import DataFileError, LossWarning
from vmtkscripts_numpy.sample_data import make_vessel_surface
from vmtkscripts_numpy.vtkfiles import read_mesh, write_mesh, write_surface


def mixed_mesh():
    """A hexahedron, a wedge, tetrahedra (linear, quadratic), a polyhedral pyramid, a wall triangle and a line."""
    mesh = vtkUnstructuredGrid()
    corners = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1],
                        [0.5, 0.5, 2.0], [2, 0, 0], [2, 0, 1]], dtype=np.float64)
    midpoints = (corners[[4, 4, 4, 5, 5, 6]] + corners[[5, 6, 8, 6, 8, 8]]) / 2
    points = vtkPoints()
    points.SetData(numpy_to_vtk(np.vstack([corners, midpoints]), deep=True))
    mesh.SetPoints(points)
    mesh.InsertNextCell(VTK_HEXAHEDRON, 8, list(range(8)))
    mesh.InsertNextCell(VTK_WEDGE, 6, [1, 9, 2, 5, 10, 6])
    mesh.InsertNextCell(VTK_TETRA, 4, [4, 5, 6, 8])
    mesh.InsertNextCell(VTK_QUADRATIC_TETRA, 10, [4, 5, 6, 8, 11, 14, 12, 13, 15, 16])
    faces = vtkCellArray()
    for face in ([4, 5, 6, 7], [4, 5, 8], [5, 6, 8], [6, 7, 8], [7, 4, 8]):
        faces.InsertNextCell(len(face), face)
    mesh.InsertNextCell(VTK_POLYHEDRON, 5, [4, 5, 6, 7, 8], faces)
    mesh.InsertNextCell(VTK_TRIANGLE, 3, [0, 1, 2])
    mesh.InsertNextCell(VTK_LINE, 2, [0, 8])
    entity = numpy_to_vtk(np.array([1, 1, 1, 1, 1, 2, 3], dtype=np.int32), deep=True)
    entity.SetName("CellEntityIds")
    mesh.GetCellData().AddArray(entity)
    velocity = numpy_to_vtk(np.random.default_rng(0).random((17, 3)).astype(np.float32), deep=True)
    velocity.SetName("Velocity")
    mesh.GetPointData().AddArray(velocity)
    pressure = numpy_to_vtk(np.linspace(0, 1, 17), deep=True)
    pressure.SetName("Pressure")
    mesh.GetPointData().AddArray(pressure)
    return mesh


def cell_types(mesh):
    # VTK 9.6 renamed GetCellTypesArray to GetCellTypes.
    types = mesh.GetCellTypes() if hasattr(mesh.GetCellTypes(), "GetNumberOfTuples") else mesh.GetCellTypesArray()
    return vtk_to_numpy(types).copy()


def cells_of(mesh):
    cells = mesh.GetCells()
    faces = mesh.GetPolyhedronFaces()
    return {
        "types": cell_types(mesh),
        "offsets": vtk_to_numpy(cells.GetOffsetsArray()).copy(),
        "connectivity": vtk_to_numpy(cells.GetConnectivityArray()).copy(),
        "faces": None if faces is None else vtk_to_numpy(faces.GetConnectivityArray()).copy(),
    }


@pytest.mark.parametrize("extension,mode", [("vtu", "binary"), ("vtu", "ascii"), ("vtk", "binary"),
                                            ("vtkhdf", "binary")])
def test_every_cell_type_and_array_survives(tmp_path, extension, mode):
    mesh = mixed_mesh()
    path = tmp_path / f"mesh.{extension}"

    with warnings.catch_warnings():
        warnings.simplefilter("error", LossWarning)
        write_mesh(mesh, path, mode=mode)
    read = read_mesh(path)

    for key, expected in cells_of(mesh).items():
        np.testing.assert_array_equal(cells_of(read)[key], expected, err_msg=key)
    np.testing.assert_array_equal(vtk_to_numpy(read.GetPoints().GetData()), vtk_to_numpy(mesh.GetPoints().GetData()))
    arrays = (("GetCellData", "CellEntityIds"), ("GetPointData", "Velocity"), ("GetPointData", "Pressure"))
    for attributes, name in arrays:
        found, expected = (vtk_to_numpy(getattr(m, attributes)().GetArray(name)) for m in (read, mesh))
        assert found.dtype == expected.dtype
        np.testing.assert_array_equal(found, expected)


def test_ascii_legacy_meshes_warn_about_float_rounding(tmp_path):
    with pytest.warns(LossWarning, match=r"round float values .*the points and arrays 'Velocity', 'Pressure' change"):
        write_mesh(mixed_mesh(), tmp_path / "mesh.vtk", mode="ascii")

    np.testing.assert_allclose(vtk_to_numpy(read_mesh(tmp_path / "mesh.vtk").GetPointData().GetArray("Pressure")),
                               np.linspace(0, 1, 17), rtol=1e-10)


def truncated_copy(tmp_path, name, keep=0.7):
    path = tmp_path / name
    write_mesh(mixed_mesh(), path)
    path.write_bytes(path.read_bytes()[: int(path.stat().st_size * keep)])
    return path


def surface_file(tmp_path, name):
    write_surface(make_vessel_surface(), tmp_path / name)
    return tmp_path / name


BAD_FILES = {
    "missing": (lambda tmp: tmp / "nothere.vtu", "no such file"),
    "truncated vtu": (lambda tmp: truncated_copy(tmp, "cut.vtu"), "cannot be read as VTK XML UnstructuredGrid"),
    "truncated vtk": (lambda tmp: truncated_copy(tmp, "cut.vtk"), "is truncated"),
    "truncated vtkhdf": (lambda tmp: truncated_copy(tmp, "cut.vtkhdf"), "not a readable HDF5 file"),
    "surface in vtu": (lambda tmp: surface_file(tmp, "surface.vtp").rename(tmp / "surface.vtu"),
                       "is a VTK XML PolyData file, not UnstructuredGrid; it holds a surface: read it with "
                       "read_surface"),
    "surface in vtk": (lambda tmp: surface_file(tmp, "surface.vtk"), "is a legacy VTK POLYDATA file"),
    "unknown extension": (lambda tmp: tmp / "mesh.msh", r"unknown mesh file extension .msh; mesh extensions for "
                                                        r"reading are \.vtu, \.vtk, \.vtkhdf, \.hdf"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_mesh_file_is_a_data_file_error_naming_it(tmp_path, capfd, case):
    make_path, problem = BAD_FILES[case]
    path = make_path(tmp_path)
    capfd.readouterr()

    with pytest.raises(DataFileError, match=problem) as raised:
        read_mesh(path)

    assert raised.value.path == str(path)
    assert capfd.readouterr().err == ""


def test_writing_something_that_is_not_a_mesh_is_a_type_error(tmp_path):
    with pytest.raises(TypeError, match="write_mesh needs a vtkUnstructuredGrid, not"):
        write_mesh(make_vessel_surface(), tmp_path / "mesh.vtu")


def test_xml_mesh_files_refuse_array_names_that_would_break_the_xml(tmp_path):
    mesh = mixed_mesh()
    mesh.GetCellData().GetArray(0).SetName("Wall & lumen")
    with pytest.raises(DataFileError, match=r"mesh.vtu: .*'Wall & lumen' would make the file unreadable"):
        write_mesh(mesh, tmp_path / "mesh.vtu")
    assert list(tmp_path.iterdir()) == []
