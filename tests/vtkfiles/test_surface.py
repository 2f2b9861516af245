"""Surface files: lossless formats keep everything, lossy ones say what they drop, bad files name themselves.

VTKHDF depends on the VTK: its reader takes surfaces from 9.3, its writer is 9.4 and newer.
On older VTKs the package refuses in one sentence; the tests check the refusal there and
the whole round trip where VTK can do it.
"""

import re
import warnings

import numpy as np
import pytest
from vtkmodules.vtkCommonCore import vtkIdTypeArray, vtkPoints, vtkStringArray
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData

from vmtkscripts_numpy._vtk_version import vtk_at_least
from vmtkscripts_numpy.convert.arrays import numpy_to_vtk, vtk_to_numpy
from vmtkscripts_numpy.errors import DataFileError, LossWarning
from vmtkscripts_numpy.sample_data import make_centerlines, make_image, make_vessel_surface
from vmtkscripts_numpy.vtkfiles import read_surface, write_image, write_mesh, write_surface

from .conftest import write_vtkhdf_by_hand

#: What the running VTK cannot do with VTKHDF surfaces, as the package says it.
VTKHDF_READ_REFUSAL = r"reading VTKHDF PolyData files needs VTK >= 9\.3; this is VTK 9\.\d"
VTKHDF_WRITE_REFUSAL = r"writing VTKHDF PolyData files needs VTK >= 9\.4; this is VTK 9\.\d"


def id_type_array(values):
    """A vtkIdTypeArray, as VTK's readers give cells."""
    array = vtkIdTypeArray()
    array.DeepCopy(numpy_to_vtk(np.array(values, dtype=np.int64)))
    return array


def cells(offsets, connectivity):
    array = vtkCellArray()
    array.SetData(id_type_array(offsets), id_type_array(connectivity))
    return array


def every_cell_kind():
    """Vertices, a polyline, a triangle, a quad and a strip, with arrays of several dtypes and field data."""
    surface = vtkPolyData()
    points = vtkPoints()
    points.SetData(numpy_to_vtk(np.random.default_rng(1).random((10, 3)) * 100, share=False))
    surface.SetPoints(points)
    surface.SetVerts(cells([0, 1, 2], [0, 9]))
    surface.SetLines(cells([0, 3], [2, 3, 4]))
    surface.SetPolys(cells([0, 3, 7], [0, 1, 2, 3, 4, 5, 6]))
    surface.SetStrips(cells([0, 5], [5, 6, 7, 8, 9]))
    for dtype in (np.int8, np.uint16, np.int64, np.float32):
        surface.GetPointData().AddArray(numpy_to_vtk(np.arange(10).astype(dtype), f"Point_{np.dtype(dtype).name}",
                                                     share=False))
    surface.GetCellData().AddArray(numpy_to_vtk(np.arange(6, dtype=np.int32) * 7, "GroupIds", share=False))
    label = vtkStringArray()
    label.SetName("Label")
    label.InsertNextValue("left carotid")
    surface.GetFieldData().AddArray(label)
    return surface


LOSSLESS = [("vtp", "binary"), ("vtp", "ascii"), ("vtk", "binary"), ("vtkhdf", "binary"), ("hdf", "binary")]
SURFACES = pytest.mark.parametrize("make", [make_vessel_surface, make_centerlines, every_cell_kind],
                                   ids=["vessel", "centerlines", "cells"])


@SURFACES
@pytest.mark.parametrize("extension,mode", LOSSLESS)
def test_lossless_formats_give_back_every_point_cell_and_array(tmp_path, contents, same_contents, make, extension,
                                                               mode):
    surface = make()
    path = tmp_path / f"surface.{extension}"
    if extension in ("vtkhdf", "hdf") and not vtk_at_least(9, 4):
        with pytest.raises(DataFileError, match=f"surface.{extension}: {VTKHDF_WRITE_REFUSAL}"):
            write_surface(surface, path, mode=mode)
        assert list(tmp_path.iterdir()) == []
        return

    with warnings.catch_warnings():
        warnings.simplefilter("error", LossWarning)
        write_surface(surface, path, mode=mode)
    read = read_surface(path)

    same_contents(contents(read), contents(surface))


@SURFACES
def test_vtkhdf_surfaces_are_read_from_vtk_9_3(tmp_path, capfd, contents, same_contents, vtkhdf_by_hand, make):
    surface = make()
    path = vtkhdf_by_hand(surface, tmp_path / "surface.vtkhdf")
    capfd.readouterr()

    if not vtk_at_least(9, 3):
        with pytest.raises(DataFileError, match=f"surface.vtkhdf: {VTKHDF_READ_REFUSAL}"):
            read_surface(path)
        assert capfd.readouterr().err == ""
        return
    read = read_surface(path)

    expected = contents(surface)
    expected["field data"] = {name: value for name, value in expected["field data"].items() if value[0] != "string"}
    same_contents(contents(read), expected)
    assert capfd.readouterr().err == ""


def test_vtkhdf_keeps_the_active_arrays_marked_as_vtk_9_7_marks_them(tmp_path):
    # VTK 9.7 marks each active array's dataset with its role and reads the marks; 9.4 to 9.6 did neither.
    import h5py

    surface = make_vessel_surface()
    surface.GetPointData().SetActiveScalars("WallShearStress")
    surface.GetCellData().SetActiveScalars("GroupIds")
    path = tmp_path / "vessel.vtkhdf"
    if not vtk_at_least(9, 4):
        with pytest.raises(DataFileError, match=VTKHDF_WRITE_REFUSAL):
            write_surface(surface, path)
        return

    write_surface(surface, path)

    with h5py.File(path, "r") as handle:
        marks = {f"{section}/{name}": dataset.attrs.get("Attribute")
                 for section in ("PointData", "CellData") for name, dataset in handle["VTKHDF"][section].items()}
    assert marks == {"PointData/Normals": b"Normals", "PointData/WallShearStress": b"Scalars",
                     "CellData/GroupIds": b"Scalars"}
    read = read_surface(path)
    assert read.GetPointData().GetNormals().GetName() == "Normals"
    assert read.GetPointData().GetScalars().GetName() == "WallShearStress"
    assert read.GetCellData().GetScalars().GetName() == "GroupIds"


def test_int8_arrays_of_a_vtkhdf_surface_come_back_as_signed_char_on_every_vtk(tmp_path, vtkhdf_by_hand):
    # VTK's VTKHDF reader made them vtkCharArray before 9.5: the dicts then said "vtkCharArray".
    path = vtkhdf_by_hand(every_cell_kind(), tmp_path / "cells.vtkhdf")
    if not vtk_at_least(9, 3):
        with pytest.raises(DataFileError, match=VTKHDF_READ_REFUSAL):
            read_surface(path)
        return

    values = read_surface(path).GetPointData().GetArray("Point_int8")

    assert values.GetDataTypeAsString() == "signed char"
    assert vtk_to_numpy(values).tolist() == list(range(10))


def cells_too_small_for_vtk_9_1():
    """A vertex without points, a line of 1 point and a polygon of 2, beside cells every VTK takes."""
    surface = vtkPolyData()
    points = vtkPoints()
    points.SetData(numpy_to_vtk(np.random.default_rng(2).random((4, 3)), share=False))
    surface.SetPoints(points)
    surface.SetVerts(cells([0, 1, 1], [3]))
    surface.SetLines(cells([0, 2, 3], [0, 1, 2]))
    surface.SetPolys(cells([0, 3, 5], [0, 1, 2, 2, 3]))
    return surface


@pytest.mark.parametrize("extension", ["vtp", "vtk"])
def test_cells_too_small_for_vtk_9_1_are_kept_where_vtk_can_write_them(tmp_path, contents, same_contents, extension):
    # VTK 9.1's XML writer crashes on them; its legacy writer and every later VTK keep them.
    surface = cells_too_small_for_vtk_9_1()
    path = tmp_path / f"small.{extension}"

    if extension == "vtp" and not vtk_at_least(9, 2):
        with pytest.raises(DataFileError, match=r"small.vtp: cannot be written as VTK XML PolyData: cell 1 is a "
                                                r"vertex of 0 points; .* needs VTK >= 9\.2"):
            write_surface(surface, path)
        assert list(tmp_path.iterdir()) == []
        return
    write_surface(surface, path)

    same_contents(contents(read_surface(path)), contents(surface))


def test_ascii_legacy_files_warn_that_float_values_are_rounded(tmp_path):
    surface = make_centerlines()
    path = tmp_path / "centerlines.vtk"

    expected = (r"centerlines.vtk: legacy VTK .* round float values \(float32 to 6, float64 to 11 significant "
                r"digits\): the points and arrays 'MaximumInscribedSphereRadius' change")
    with pytest.warns(LossWarning, match=expected):
        write_surface(surface, path, mode="ascii")
    read = read_surface(path)

    radius = read.GetPointData().GetArray("MaximumInscribedSphereRadius")
    assert radius.GetDataTypeAsString() == "double"
    np.testing.assert_allclose(vtk_to_numpy(radius), vtk_to_numpy(surface.GetPointData().GetArray(0)), rtol=1e-10)
    np.testing.assert_array_equal(vtk_to_numpy(read.GetLines().GetConnectivityArray()),
                                  vtk_to_numpy(surface.GetLines().GetConnectivityArray()))


def triangle_corners(surface):
    """(triangles, 3, 3) coordinates of each triangle's corners, independent of point numbering."""
    points = vtk_to_numpy(surface.GetPoints().GetData())
    polys = surface.GetPolys()
    assert np.all(np.diff(vtk_to_numpy(polys.GetOffsetsArray())) == 3)
    return points[vtk_to_numpy(polys.GetConnectivityArray()).reshape(-1, 3)]


@pytest.mark.parametrize("mode", ["binary", "ascii"])
def test_stl_keeps_the_triangles_in_float32_and_names_what_it_drops(tmp_path, mode):
    surface = make_vessel_surface()
    path = tmp_path / "vessel.stl"

    with pytest.warns(LossWarning) as caught:
        write_surface(surface, path, mode=mode)
    read = read_surface(path)

    message = str(caught[0].message)
    assert message.startswith(f"{path}: STL does not keep everything")
    assert "'WallShearStress', 'Normals' are dropped" in message and "'GroupIds'" in message
    assert "rounded to float32" in message
    expected = triangle_corners(surface).astype(np.float32)
    np.testing.assert_array_equal(triangle_corners(read), expected)


def test_stl_splits_quads_and_strips_into_triangles_and_drops_lines_and_vertices(tmp_path):
    path = tmp_path / "cells.stl"

    with pytest.warns(LossWarning) as caught:
        write_surface(every_cell_kind(), path)
    read = read_surface(path)

    message = str(caught[0].message)
    assert "2 vertex cells are dropped" in message and "1 line cells are dropped" in message
    assert "1 triangle strips are split into triangles" in message
    assert "1 polygons with more than 3 points are split into triangles" in message
    assert read.GetNumberOfPolys() == 1 + 2 + 3 and read.GetNumberOfLines() == 0


def test_centerlines_cannot_become_an_stl_file(tmp_path):
    with pytest.raises(DataFileError, match="centerlines.stl: cannot be written as STL: the surface has no polygons"):
        write_surface(make_centerlines(), tmp_path / "centerlines.stl")

    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("mode", ["binary", "ascii"])
def test_ply_keeps_points_as_float32_and_polygons_in_order(tmp_path, mode):
    surface = every_cell_kind()
    path = tmp_path / "cells.ply"

    with pytest.warns(LossWarning, match="1 triangle strips are dropped.*'Point_int8'"):
        write_surface(surface, path, mode=mode)
    read = read_surface(path)

    np.testing.assert_array_equal(vtk_to_numpy(read.GetPoints().GetData()),
                                  vtk_to_numpy(surface.GetPoints().GetData()).astype(np.float32))
    np.testing.assert_array_equal(vtk_to_numpy(read.GetPolys().GetConnectivityArray()), [0, 1, 2, 3, 4, 5, 6])
    assert read.GetPointData().GetNumberOfArrays() == 0


def test_a_wavefront_obj_file_is_read_but_cannot_be_written(tmp_path):
    path = tmp_path / "square.obj"
    path.write_text("v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nf 1 2 3 4\nl 1 3\n")

    square = read_surface(path)

    np.testing.assert_array_equal(vtk_to_numpy(square.GetPoints().GetData())[2], [1, 1, 0])
    np.testing.assert_array_equal(vtk_to_numpy(square.GetPolys().GetConnectivityArray()), [0, 1, 2, 3])
    with pytest.raises(DataFileError, match=r"square.obj: wavefront files \(.obj\) can be read but not written"):
        write_surface(square, path)


def test_vtkhdf_renames_slashes_and_dots_in_array_names_and_says_so(tmp_path):
    surface = make_centerlines()
    surface.GetPointData().GetArray(0).SetName("Radius.mm")
    path = tmp_path / "centerlines.vtkhdf"
    if not vtk_at_least(9, 4):
        with warnings.catch_warnings():
            warnings.simplefilter("error", LossWarning)  # refused before any word of what would be lost
            with pytest.raises(DataFileError, match=VTKHDF_WRITE_REFUSAL):
                write_surface(surface, path)
        return

    with pytest.warns(LossWarning, match=r"'Radius.mm' are renamed"):
        write_surface(surface, path)

    assert read_surface(path).GetPointData().GetArray("Radius_mm") is not None


@pytest.mark.parametrize("character", ["<", ">", "&", '"'])
def test_xml_files_refuse_array_names_that_would_break_the_xml_and_keep_the_old_file(tmp_path, character):
    path = tmp_path / "vessel.vtp"
    write_surface(make_vessel_surface(), path)
    before = path.read_bytes()
    surface = make_vessel_surface()
    name = f"Pressure {character} mmHg"
    surface.GetPointData().GetArray(0).SetName(name)

    with pytest.raises(DataFileError, match=f"vessel.vtp: .*{re.escape(repr(name))} would make the file unreadable"):
        write_surface(surface, path)

    assert path.read_bytes() == before
    assert [item.name for item in tmp_path.iterdir()] == ["vessel.vtp"]
    write_surface(surface, tmp_path / "vessel.vtk")  # legacy VTK encodes the name
    assert read_surface(tmp_path / "vessel.vtk").GetPointData().GetArray(name) is not None


def test_xml_files_warn_that_tabs_and_line_breaks_in_names_come_back_as_spaces(tmp_path):
    surface = make_vessel_surface()
    surface.GetPointData().GetArray(0).SetName("Wall\nshear")

    with pytest.warns(LossWarning, match=r"'Wall\\nshear' come back with spaces"):
        write_surface(surface, tmp_path / "vessel.vtp")

    assert read_surface(tmp_path / "vessel.vtp").GetPointData().GetArray("Wall shear") is not None


def test_the_format_can_be_named_instead_of_guessed(tmp_path, contents, same_contents):
    path = tmp_path / "vessel.data"
    write_surface(make_vessel_surface(), path, format="vtkxml")

    same_contents(contents(read_surface(path, format="vtkxml")), contents(make_vessel_surface()))


# --- bad files -------------------------------------------------------------------------------


def written(tmp_path, name, write=write_surface, data=None):
    path = tmp_path / name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LossWarning)
        write(make_vessel_surface() if data is None else data, path)
    return path


def file_with(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def truncated(path, keep=0.5):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


BAD_FILES = {
    "missing": (lambda tmp: tmp / "nothere.vtp", "no such file"),
    "directory": (lambda tmp: (tmp / "folder.vtp").mkdir() or tmp / "folder.vtp", "is a directory"),
    "empty": (lambda tmp: file_with(tmp, "empty.vtp", b""), r"is empty \(0 bytes\)"),
    "garbage vtp": (lambda tmp: file_with(tmp, "junk.vtp", "not xml at all"), "is not a VTK XML PolyData file"),
    "truncated vtp": (lambda tmp: truncated(written(tmp, "cut.vtp")), "cannot be read as VTK XML PolyData"),
    "truncated vtk": (lambda tmp: truncated(written(tmp, "cut.vtk")), "is truncated: its POLYGONS .* section needs"),
    # VTK read a cut binary STL without a word before 9.6: the package checks its length on every VTK.
    "truncated stl": (lambda tmp: truncated(written(tmp, "cut.stl")), "cannot be read as STL: it is truncated"),
    "truncated ascii stl": (lambda tmp: truncated(written(tmp, "cut.stl", _ascii_surface)), "cannot be read as STL"),
    "garbage stl": (lambda tmp: file_with(tmp, "junk.stl", b"\x00" * 7), "cannot be read as STL"),
    "truncated vtkhdf": (lambda tmp: truncated(write_vtkhdf_by_hand(make_vessel_surface(), tmp / "cut.vtkhdf")),
                         "not a readable HDF5 file"),
    "garbage ply": (lambda tmp: file_with(tmp, "junk.ply", "hello"), "is not a PLY file"),
    "truncated ply": (lambda tmp: truncated(written(tmp, "cut.ply")), "is truncated: it ends inside its PLY 'face'"),
    "garbage obj": (lambda tmp: file_with(tmp, "junk.obj", "hello\n"), "no points could be read"),
    "mesh in vtp": (lambda tmp: written(tmp, "mesh.vtu", write_mesh, _mesh()).rename(tmp / "mesh.vtp"),
                    "is a VTK XML UnstructuredGrid file, not PolyData; it holds a mesh: read it with read_mesh"),
    "mesh in vtk": (lambda tmp: written(tmp, "mesh.vtk", write_mesh, _mesh()),
                    "is a legacy VTK UNSTRUCTURED_GRID file, not POLYDATA; it holds a mesh"),
    "mesh in vtkhdf": (lambda tmp: _mesh_in_vtkhdf(tmp / "mesh.vtkhdf"),
                       "is a VTKHDF UnstructuredGrid file, not PolyData; it holds a mesh"),
    "image in vtk": (lambda tmp: written(tmp, "image.vtk", write_image, make_image()),
                     "is a legacy VTK STRUCTURED_POINTS file, not POLYDATA; it holds an image"),
    "unknown extension": (lambda tmp: tmp / "surface.xyz",
                          r"unknown surface file extension .xyz; surface extensions for reading are "
                          r"\.vtp, \.vtk, \.stl, \.ply, \.obj, \.vtkhdf, \.hdf"),
}


def _mesh():
    from vtkmodules.vtkFiltersCore import vtkAppendFilter

    append = vtkAppendFilter()
    append.SetInputData(make_vessel_surface())
    append.Update()
    return append.GetOutput()


def _ascii_surface(surface, path):
    write_surface(surface, path, mode="ascii")


def _mesh_in_vtkhdf(path):
    mesh = _mesh()
    return write_vtkhdf_by_hand(mesh, path, cell_types=[mesh.GetCellType(i) for i in range(mesh.GetNumberOfCells())])


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_is_a_data_file_error_naming_it_and_vtk_prints_nothing(tmp_path, capfd, case):
    make_path, problem = BAD_FILES[case]
    path = make_path(tmp_path)
    capfd.readouterr()

    with pytest.raises(DataFileError, match=problem) as raised:
        read_surface(path)

    assert raised.value.path == str(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert capfd.readouterr().err == ""


# --- atomic writes -------------------------------------------------------------------------


def test_a_write_into_a_missing_directory_names_the_directory(tmp_path):
    with pytest.raises(DataFileError, match="does not exist"):
        write_surface(make_vessel_surface(), tmp_path / "no" / "such" / "vessel.vtp")


def test_a_successful_write_leaves_only_the_file(tmp_path):
    write_surface(make_vessel_surface(), tmp_path / "vessel.vtp")

    assert [p.name for p in tmp_path.iterdir()] == ["vessel.vtp"]


def test_a_failing_write_keeps_the_old_file_and_leaves_nothing_behind(tmp_path, monkeypatch):
    from vmtkscripts_numpy.vtkfiles import _common

    path = tmp_path / "vessel.vtp"
    write_surface(make_centerlines(), path)
    before = path.read_bytes()

    def broken_writer(writer, target, final, description):
        target.write_bytes(b"<VTKFile half written")
        raise DataFileError(final, "disk full")

    monkeypatch.setattr(_common, "run_writer", broken_writer)
    with pytest.raises(DataFileError, match="disk full"):
        write_surface(make_vessel_surface(), path)

    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["vessel.vtp"]


# --- vmtk's own data ---------------------------------------------------------------------------


def test_vmtks_aorta_surface_is_read_with_its_arrays(vmtk_test_data):
    surface = read_surface(vmtk_test_data("aorta-surface.vtp"))

    assert (surface.GetNumberOfPoints(), surface.GetNumberOfPolys()) == (6468, 12932)
    assert surface.GetPointData().GetArray("Scalars_").GetDataTypeAsString() == "float"


def test_vmtks_stl_aorta_has_the_same_triangles_as_its_vtp(vmtk_test_data):
    from_stl = read_surface(vmtk_test_data("aorta-surface.stl"))
    from_vtp = read_surface(vmtk_test_data("aorta-surface.vtp"))

    assert from_stl.GetNumberOfPolys() == from_vtp.GetNumberOfPolys()
    np.testing.assert_allclose(
        np.sort(triangle_corners(from_stl).reshape(-1, 3), axis=0),
        np.sort(triangle_corners(from_vtp).reshape(-1, 3), axis=0), atol=1e-4)


@pytest.mark.parametrize("name", ["cow.vtp", "aorta-centerline-branches.vtp"])
def test_vmtk_data_survives_vtkhdf_exactly(tmp_path, vmtk_test_data, contents, same_contents, name):
    surface = read_surface(vmtk_test_data(name))
    path = tmp_path / "copy.vtkhdf"
    if not vtk_at_least(9, 4):
        with pytest.raises(DataFileError, match=VTKHDF_WRITE_REFUSAL):
            write_surface(surface, path)
        path = write_vtkhdf_by_hand(surface, path)
        if not vtk_at_least(9, 3):
            with pytest.raises(DataFileError, match=VTKHDF_READ_REFUSAL):
                read_surface(path)
            return
    else:
        write_surface(surface, path)

    same_contents(contents(read_surface(path)), contents(surface))


@pytest.mark.parametrize("name, mode", [("s.vtp", "ascii"), ("s.vtp", "binary"), ("s.vtk", "ascii"),
                                        ("s.vtk", "binary"), ("s.ply", "ascii"), ("s.stl", "ascii")])
def test_cells_of_one_size_from_a_dict_are_written_in_every_mode(tmp_path, name, mode):
    # VTK 9.6's ASCII XML writer crashed on cells in its fixed-size storage.
    from vmtkscripts_numpy.convert.polydata import dict_to_polydata

    surface = dict_to_polydata({"Points": np.eye(3), "CellData": {"CellPointIds": np.array([[0, 1, 2]])}})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LossWarning)
        write_surface(surface, tmp_path / name, mode=mode)
    read = read_surface(tmp_path / name)
    assert read.GetNumberOfPolys() == 1
    assert vtk_to_numpy(read.GetPolys().GetConnectivityArray()).tolist() == [0, 1, 2]
