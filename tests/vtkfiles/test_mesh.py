"""Mesh files: every cell type (polyhedra too) and array round-trips; bad files are named errors.

VTKHDF depends on the VTK: its writer is 9.4 and newer and keeps polyhedra from 9.7, and
its reader takes polyhedra from 9.6. On older VTKs the package refuses in one sentence,
and these tests check the refusal there and the whole round trip where VTK can do it.
"""

import warnings

import numpy as np
import pytest
from vtkmodules.vtkCommonCore import vtkIdList, vtkPoints
from vtkmodules.vtkCommonDataModel import (
    VTK_HEXAHEDRON,
    VTK_LINE,
    VTK_POLYHEDRON,
    VTK_QUADRATIC_TETRA,
    VTK_TETRA,
    VTK_TRIANGLE,
    VTK_WEDGE,
    vtkUnstructuredGrid,
)

from vmtkscripts_numpy._vtk_version import vtk_at_least
from vmtkscripts_numpy.convert.arrays import numpy_to_vtk, vtk_to_numpy
from vmtkscripts_numpy.errors import DataFileError, LossWarning
from vmtkscripts_numpy.sample_data import make_vessel_surface
from vmtkscripts_numpy.vtkfiles import read_mesh, write_mesh, write_surface

from .conftest import write_vtkhdf_by_hand

#: The faces of the pyramid of mixed_mesh, a polyhedron.
PYRAMID_FACES = ([4, 5, 6, 7], [4, 5, 8], [5, 6, 8], [6, 7, 8], [7, 4, 8])
PYRAMID = 4


def mixed_mesh(polyhedron=True):
    """A hexahedron, a wedge, tetrahedra (linear, quadratic), a polyhedral pyramid, a wall triangle and a line."""
    mesh = vtkUnstructuredGrid()
    corners = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1],
                        [0.5, 0.5, 2.0], [2, 0, 0], [2, 0, 1]], dtype=np.float64)
    midpoints = (corners[[4, 4, 4, 5, 5, 6]] + corners[[5, 6, 8, 6, 8, 8]]) / 2
    points = vtkPoints()
    points.SetData(numpy_to_vtk(np.vstack([corners, midpoints]), share=False))
    mesh.SetPoints(points)
    mesh.InsertNextCell(VTK_HEXAHEDRON, 8, list(range(8)))
    mesh.InsertNextCell(VTK_WEDGE, 6, [1, 9, 2, 5, 10, 6])
    mesh.InsertNextCell(VTK_TETRA, 4, [4, 5, 6, 8])
    mesh.InsertNextCell(VTK_QUADRATIC_TETRA, 10, [4, 5, 6, 8, 11, 14, 12, 13, 15, 16])
    if polyhedron:
        # A face stream in an id list: the one way to give a polyhedron that every VTK from 9.1 takes.
        stream = vtkIdList()
        for value in [len(PYRAMID_FACES)] + [v for face in PYRAMID_FACES for v in [len(face)] + face]:
            stream.InsertNextId(value)
        mesh.InsertNextCell(VTK_POLYHEDRON, stream)
    mesh.InsertNextCell(VTK_TRIANGLE, 3, [0, 1, 2])
    mesh.InsertNextCell(VTK_LINE, 2, [0, 8])
    entity = np.array([1, 1, 1, 1, 1, 2, 3][: mesh.GetNumberOfCells()], dtype=np.int32)
    mesh.GetCellData().AddArray(numpy_to_vtk(entity, "CellEntityIds", share=False))
    velocity = np.random.default_rng(0).random((17, 3)).astype(np.float32)
    mesh.GetPointData().AddArray(numpy_to_vtk(velocity, "Velocity", share=False))
    mesh.GetPointData().AddArray(numpy_to_vtk(np.linspace(0, 1, 17), "Pressure", share=False))
    return mesh


def cell_types(mesh):
    return [mesh.GetCellType(index) for index in range(mesh.GetNumberOfCells())]


def polyhedron_faces(mesh):
    """{cell: [face point ids]} of the polyhedra, asked of each cell (VTK's face arrays changed in 9.4)."""
    faces = {}
    for index, cell_type in enumerate(cell_types(mesh)):
        if cell_type == VTK_POLYHEDRON:
            cell = mesh.GetCell(index)
            faces[index] = [[cell.GetFace(f).GetPointId(p) for p in range(cell.GetFace(f).GetNumberOfPoints())]
                            for f in range(cell.GetNumberOfFaces())]
    return faces


def cells_of(mesh):
    cells = mesh.GetCells()
    return {
        "types": cell_types(mesh),
        "offsets": vtk_to_numpy(cells.GetOffsetsArray()).tolist(),
        "connectivity": vtk_to_numpy(cells.GetConnectivityArray()).tolist(),
        "faces": polyhedron_faces(mesh),
    }


def assert_same_mesh(read, mesh):
    assert cells_of(read) == cells_of(mesh)
    np.testing.assert_array_equal(vtk_to_numpy(read.GetPoints().GetData()), vtk_to_numpy(mesh.GetPoints().GetData()))
    arrays = (("GetCellData", "CellEntityIds"), ("GetPointData", "Velocity"), ("GetPointData", "Pressure"))
    for attributes, name in arrays:
        found, expected = (vtk_to_numpy(getattr(m, attributes)().GetArray(name)) for m in (read, mesh))
        assert found.dtype == expected.dtype
        np.testing.assert_array_equal(found, expected)


def vtkhdf_mesh(tmp_path, vtkhdf_by_hand, polyhedron=True, faces=True, name="mesh.vtkhdf"):
    """mixed_mesh() as a VTKHDF file written with h5py (VTK < 9.4 has no writer)."""
    mesh = mixed_mesh(polyhedron)
    polyhedra = {PYRAMID: [list(face) for face in PYRAMID_FACES]} if polyhedron and faces else None
    vtkhdf_by_hand(mesh, tmp_path / name, cell_types=cell_types(mesh), polyhedra=polyhedra if faces else None)
    return mesh, tmp_path / name


@pytest.mark.parametrize("extension,mode", [("vtu", "binary"), ("vtu", "ascii"), ("vtk", "binary")])
def test_every_cell_type_and_array_survives(tmp_path, extension, mode):
    mesh = mixed_mesh()
    path = tmp_path / f"mesh.{extension}"

    with warnings.catch_warnings():
        warnings.simplefilter("error", LossWarning)
        write_mesh(mesh, path, mode=mode)
    read = read_mesh(path)

    assert_same_mesh(read, mesh)


@pytest.mark.parametrize("polyhedron", [False, True], ids=["linear and quadratic cells", "and a polyhedron"])
def test_vtkhdf_keeps_every_cell_and_array_from_the_vtk_that_writes_them(tmp_path, polyhedron):
    mesh = mixed_mesh(polyhedron)
    path = tmp_path / "mesh.vtkhdf"
    # VTK 9.4 brings the writer; 9.4 to 9.6 drop a polyhedron's faces, into files no VTK reads back.
    needed = (9, 7) if polyhedron else (9, 4)
    what = "writing polyhedron cells to VTKHDF" if polyhedron else "writing VTKHDF UnstructuredGrid files"

    if not vtk_at_least(*needed):
        with pytest.raises(DataFileError, match=rf"mesh.vtkhdf: {what} needs VTK >= {needed[0]}\.{needed[1]}; "
                                                r"this is VTK 9\.\d"):
            write_mesh(mesh, path)
        assert list(tmp_path.iterdir()) == []
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error", LossWarning)
        write_mesh(mesh, path)

    assert_same_mesh(read_mesh(path), mesh)


@pytest.mark.parametrize("polyhedron", [False, True], ids=["linear and quadratic cells", "and a polyhedron"])
def test_vtkhdf_meshes_are_read_by_every_vtk_polyhedra_from_9_6(tmp_path, capfd, vtkhdf_by_hand, polyhedron):
    mesh, path = vtkhdf_mesh(tmp_path, vtkhdf_by_hand, polyhedron)
    capfd.readouterr()

    if polyhedron and not vtk_at_least(9, 6):
        # Older readers take the cells but not the faces, and crash on the first look at the polyhedron.
        with pytest.raises(DataFileError, match=r"reading polyhedron cells from VTKHDF needs VTK >= 9\.6"):
            read_mesh(path)
    else:
        assert_same_mesh(read_mesh(path), mesh)
    assert capfd.readouterr().err == ""


def test_a_vtkhdf_mesh_whose_polyhedra_lost_their_faces_is_refused_by_every_vtk(tmp_path, capfd, vtkhdf_by_hand):
    # As VTK 9.4 to 9.6 write a polyhedron: its point ids, no faces. Every VTK reader crashes or hangs on it.
    _, path = vtkhdf_mesh(tmp_path, vtkhdf_by_hand, polyhedron=True, faces=False)
    capfd.readouterr()

    with pytest.raises(DataFileError, match="mesh.vtkhdf: has polyhedron cells without their faces"):
        read_mesh(path)
    assert capfd.readouterr().err == ""


def test_int8_arrays_of_a_vtkhdf_mesh_come_back_as_signed_char_on_every_vtk(tmp_path, vtkhdf_by_hand):
    # VTK's VTKHDF reader made them vtkCharArray before 9.5: the dicts then said "vtkCharArray".
    mesh = mixed_mesh(polyhedron=False)
    mesh.GetPointData().AddArray(numpy_to_vtk(np.arange(-8, 9, dtype=np.int8), "Label", share=False))
    vtkhdf_by_hand(mesh, tmp_path / "mesh.vtkhdf", cell_types=cell_types(mesh))

    label = read_mesh(tmp_path / "mesh.vtkhdf").GetPointData().GetArray("Label")

    assert label.GetDataTypeAsString() == "signed char"
    assert vtk_to_numpy(label).tolist() == list(range(-8, 9))


def test_ascii_legacy_meshes_warn_about_float_rounding(tmp_path):
    with pytest.warns(LossWarning, match=r"round float values .*the points and arrays 'Velocity', 'Pressure' change"):
        write_mesh(mixed_mesh(), tmp_path / "mesh.vtk", mode="ascii")

    np.testing.assert_allclose(vtk_to_numpy(read_mesh(tmp_path / "mesh.vtk").GetPointData().GetArray("Pressure")),
                               np.linspace(0, 1, 17), rtol=1e-10)


def truncated_copy(tmp_path, name, keep=0.7):
    path = tmp_path / name
    write_mesh(mixed_mesh(), path)
    return truncated(path, keep)


def truncated(path, keep=0.7):
    path.write_bytes(path.read_bytes()[: int(path.stat().st_size * keep)])
    return path


def surface_file(tmp_path, name):
    write_surface(make_vessel_surface(), tmp_path / name)
    return tmp_path / name


BAD_FILES = {
    "missing": (lambda tmp: tmp / "nothere.vtu", "no such file"),
    "truncated vtu": (lambda tmp: truncated_copy(tmp, "cut.vtu"), "cannot be read as VTK XML UnstructuredGrid"),
    "truncated vtk": (lambda tmp: truncated_copy(tmp, "cut.vtk"), "is truncated"),
    "truncated vtkhdf": (lambda tmp: truncated(vtkhdf_mesh(tmp, write_vtkhdf_by_hand, name="cut.vtkhdf")[1]),
                         "not a readable HDF5 file"),
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


# --- .vtu files of another VTK: polyhedron faces changed layout in 9.4 -------------------------------------

_VTU = """<?xml version="1.0"?>
<VTKFile type="UnstructuredGrid" version="{version}" byte_order="LittleEndian" header_type="UInt32">
  <UnstructuredGrid>
    <Piece NumberOfPoints="11" NumberOfCells="3">
      <Points>
        <DataArray type="Float64" Name="Points" NumberOfComponents="3" format="ascii">
          0 0 0 1 0 0 1 1 0 0 1 0 0 0 1 1 0 1 1 1 1 0 1 1 0.5 0.5 2 2 0 0 2 0 1
        </DataArray>
      </Points>
      <Cells>
        <DataArray type="Int64" Name="connectivity" format="ascii">0 1 2 3 4 5 6 7 4 5 6 7 8 0 1 2</DataArray>
        <DataArray type="Int64" Name="offsets" format="ascii">8 13 16</DataArray>
        <DataArray type="UInt8" Name="types" format="ascii">12 42 5</DataArray>
        {faces}
      </Cells>
    </Piece>
  </UnstructuredGrid>
</VTKFile>
"""
#: A hexahedron, the pyramid of mixed_mesh as a polyhedron and a triangle, as VTK 9.3 and older write them...
VTU_BEFORE_VTK_9_4 = _VTU.format(version="0.1", faces="""
        <DataArray type="Int64" IdType="1" Name="faces" format="ascii">
          5 4 4 5 6 7 3 4 5 8 3 5 6 8 3 6 7 8 3 7 4 8
        </DataArray>
        <DataArray type="Int64" IdType="1" Name="faceoffsets" format="ascii">-1 22 -1</DataArray>""")
#: ... and as VTK 9.4 and newer write them.
VTU_FROM_VTK_9_4 = _VTU.format(version="2.3", faces="""
        <DataArray type="Int64" Name="face_connectivity" format="ascii">4 5 6 7 4 5 8 5 6 8 6 7 8 7 4 8</DataArray>
        <DataArray type="Int64" Name="face_offsets" format="ascii">4 7 10 13 16</DataArray>
        <DataArray type="Int64" Name="polyhedron_to_faces" format="ascii">0 1 2 3 4</DataArray>
        <DataArray type="Int64" Name="polyhedron_offsets" format="ascii">0 5 5</DataArray>""")


@pytest.mark.parametrize("text", [VTU_BEFORE_VTK_9_4, VTU_FROM_VTK_9_4], ids=["written before 9.4", "from 9.4"])
def test_vtu_polyhedra_of_either_layout_are_read_or_refused_never_read_without_faces(tmp_path, capfd, text):
    # VTK 9.3 and older read the layout of 9.4 without a word, and without the faces.
    path = tmp_path / "pyramid.vtu"
    path.write_text(text)
    capfd.readouterr()

    if text is VTU_FROM_VTK_9_4 and not vtk_at_least(9, 4):
        with pytest.raises(DataFileError, match=r"pyramid.vtu: reading polyhedron cells written by VTK >= 9\.4 "
                                                r".* needs VTK >= 9\.4; this is VTK 9\.\d"):
            read_mesh(path)
    else:
        mesh = read_mesh(path)
        assert cell_types(mesh) == [VTK_HEXAHEDRON, VTK_POLYHEDRON, VTK_TRIANGLE]
        assert polyhedron_faces(mesh) == {1: [list(face) for face in PYRAMID_FACES]}
    assert capfd.readouterr().err == ""


def two_time_steps(path, mesh):
    """``mesh`` as a VTKHDF file of two time steps, the second moved by 1 along x, laid out as VTK writes it."""
    import h5py

    points = vtk_to_numpy(mesh.GetPoints().GetData())
    cells = mesh.GetCells()
    offsets, connectivity = (vtk_to_numpy(array) for array in (cells.GetOffsetsArray(), cells.GetConnectivityArray()))
    n_points, n_cells, n_ids = len(points), len(offsets) - 1, len(connectivity)
    with h5py.File(path, "w") as handle:
        root = handle.create_group("VTKHDF")
        root.attrs["Version"] = np.array([2, 2], np.int64)
        root.attrs.create("Type", np.bytes_("UnstructuredGrid"))
        root["NumberOfPoints"], root["NumberOfCells"] = [n_points] * 2, [n_cells] * 2
        root["NumberOfConnectivityIds"] = [n_ids] * 2
        root["Points"] = np.vstack([points, points + [1.0, 0.0, 0.0]])
        root["Offsets"], root["Connectivity"] = np.tile(offsets, 2), np.tile(connectivity, 2)
        root["Types"] = np.tile(np.array(cell_types(mesh), np.uint8), 2)
        pressure = vtk_to_numpy(mesh.GetPointData().GetArray("Pressure"))
        root.create_group("PointData")["Pressure"] = np.concatenate([pressure, pressure * 2])
        root.create_group("CellData")
        root.create_group("FieldData")
        steps = root.create_group("Steps")
        steps.attrs["NSteps"] = 2
        steps["Values"] = np.array([0.0, 1.0])
        steps["PartOffsets"], steps["NumberOfParts"] = [0, 1], [1, 1]
        steps["PointOffsets"], steps["CellOffsets"] = [0, n_points], [0, n_cells]
        steps["ConnectivityIdOffsets"] = [0, n_ids]
        steps.create_group("PointDataOffsets")["Pressure"] = [0, n_points, 2 * n_points]
        for group in ("CellDataOffsets", "FieldDataOffsets", "FieldDataSizes"):
            steps.create_group(group)
    return path


def test_a_vtkhdf_mesh_with_time_steps_gives_its_first_step_from_vtk_9_3(tmp_path, capfd):
    # VTK 9.1 and 9.2 read every step's points and cells as one mesh, without a word.
    mesh = mixed_mesh(polyhedron=False)
    path = two_time_steps(tmp_path / "steps.vtkhdf", mesh)
    capfd.readouterr()

    if not vtk_at_least(9, 3):
        with pytest.raises(DataFileError, match=r"reading VTKHDF files with time steps needs VTK >= 9\.3"):
            read_mesh(path)
    else:
        first = read_mesh(path)
        assert cells_of(first) == cells_of(mesh)
        np.testing.assert_array_equal(vtk_to_numpy(first.GetPoints().GetData()),
                                      vtk_to_numpy(mesh.GetPoints().GetData()))
        np.testing.assert_array_equal(vtk_to_numpy(first.GetPointData().GetArray("Pressure")), np.linspace(0, 1, 17))
    assert capfd.readouterr().err == ""


def two_pieces(path, mesh):
    """``mesh`` twice in one VTKHDF file, as two pieces (the second moved by 1 along x), each with its own ids."""
    two_time_steps(path, mesh)
    import h5py

    with h5py.File(path, "r+") as handle:
        del handle["VTKHDF/Steps"]
    return path


def test_a_vtkhdf_mesh_in_pieces_is_read_as_one_mesh_on_every_vtk(tmp_path, capfd):
    # VTK before 9.5 appends the pieces; 9.5 and newer give a vtkPartitionedDataSet, which the package appends.
    mesh = mixed_mesh(polyhedron=False)
    path = two_pieces(tmp_path / "pieces.vtkhdf", mesh)
    capfd.readouterr()

    both = read_mesh(path)

    points = vtk_to_numpy(mesh.GetPoints().GetData())
    np.testing.assert_array_equal(vtk_to_numpy(both.GetPoints().GetData()), np.vstack([points, points + [1, 0, 0]]))
    cells = cells_of(mesh)
    assert cell_types(both) == cells["types"] * 2
    assert vtk_to_numpy(both.GetCells().GetConnectivityArray()).tolist() == (
        cells["connectivity"] + [index + len(points) for index in cells["connectivity"]])
    np.testing.assert_array_equal(vtk_to_numpy(both.GetPointData().GetArray("Pressure")),
                                  np.concatenate([np.linspace(0, 1, 17), np.linspace(0, 2, 17)]))
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize("name, mode", [("m.vtu", "ascii"), ("m.vtu", "binary"), ("m.vtk", "ascii")])
def test_cells_of_one_size_from_a_dict_are_written_in_every_mode(tmp_path, name, mode):
    # VTK 9.6's ASCII XML writer crashed on cells in its fixed-size storage.
    from vmtkscripts_numpy.convert.mesh import dict_to_mesh

    mesh = dict_to_mesh({"Points": np.vstack([np.zeros(3), np.eye(3)]), "Cells": {
        "CellPointIds": np.array([4, 0, 1, 2, 3]), "CellLocations": np.array([0]), "CellTypes": np.array([10])}})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LossWarning)
        write_mesh(mesh, tmp_path / name, mode=mode)
    read = read_mesh(tmp_path / name)
    assert read.GetNumberOfCells() == 1 and read.GetCellType(0) == 10
    assert vtk_to_numpy(read.GetCells().GetConnectivityArray()).tolist() == [0, 1, 2, 3]
