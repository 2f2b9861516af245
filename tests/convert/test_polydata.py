"""Surfaces and centerlines <-> ArrayDict: every point, cell kind and data array comes back as it was."""

import gc
import pickle
import warnings

import numpy as np
import pytest
from vtkmodules.vtkCommonCore import VTK_FLOAT, vtkDataArray, vtkPoints, vtkStringArray
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkImageData, vtkPolyData
from vtkmodules.vtkIOXML import vtkXMLPolyDataReader

from vmtkscripts_numpy import storage
from vmtkscripts_numpy._vtk_version import vtk_at_least
from vmtkscripts_numpy.convert.arrays import SPECIAL_VTK_TYPES, numpy_to_vtk, vtk_to_numpy
from vmtkscripts_numpy.convert.polydata import (
    centerlines_to_dict,
    dict_to_centerlines,
    dict_to_polydata,
    polydata_to_dict,
)
from vmtkscripts_numpy.errors import ArrayDictError, LossWarning

SURFACE_FILES = ["aorta-surface.vtp", "aorta-surface-branch-split.vtp", "aorta-surface-two-segments.vtp", "cow.vtp"]
CENTERLINE_FILES = [
    "aorta-centerline.vtp",
    "aorta-centerline-branches.vtp",
    "aorta-centerline-attribute-branches.vtp",
    "aorta-centerline-referencesystem.vtp",
]
#: The keys this package adds to vmtk's surface and centerline dicts (docs/arraydict-layout.md).
EXTENSIONS = {"CellTypes", "FieldData", "ActiveArrays", "ArrayTypes"}
DTYPES = ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64", "bool"]
KIND_GETTERS = ("GetVerts", "GetLines", "GetPolys", "GetStrips")


# --- helpers ------------------------------------------------------------------


def read_vtp(path):
    reader = vtkXMLPolyDataReader()
    reader.SetFileName(str(path))
    reader.Update()
    return reader.GetOutput()


class VmtkPickle(pickle.Unpickler):
    """Loads vmtk's pickled dicts and nothing else: numpy arrays and vmtk's vividict (as a dict)."""

    ALLOWED = {
        ("numpy", "dtype"),
        ("numpy", "ndarray"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.numeric", "_frombuffer"),
        ("numpy.core.numeric", "_frombuffer"),
    }

    def find_class(self, module, name):
        if name == "vividict" and module.startswith("vmtk."):
            return dict
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed")


def load_vmtk_pickle(path):
    with open(path, "rb") as stream:
        return VmtkPickle(stream).load()


def values_of(array):
    return None if array is None else vtk_to_numpy(array)


def data_arrays(attributes):
    """{name: (VTK type, components, values)} of a vtkFieldData."""
    arrays = {}
    for index in range(attributes.GetNumberOfArrays()):
        array = attributes.GetArray(index)
        arrays[array.GetName()] = (array.GetDataType(), array.GetNumberOfComponents(), vtk_to_numpy(array))
    return arrays


def active_names(attributes):
    return [
        None if attributes.GetAbstractAttribute(role) is None else attributes.GetAbstractAttribute(role).GetName()
        for role in range(attributes.NUM_ATTRIBUTES)
    ]


def cells_of(polydata, getter):
    cells = getattr(polydata, getter)()
    if cells is None or cells.GetNumberOfCells() == 0:
        return [0], []
    return vtk_to_numpy(cells.GetOffsetsArray()).tolist(), vtk_to_numpy(cells.GetConnectivityArray()).tolist()


def assert_same_arrays(expected, actual):
    assert expected.keys() == actual.keys()
    for name, (vtk_type, components, values) in expected.items():
        assert actual[name][:2] == (vtk_type, components), name
        assert actual[name][2].dtype == values.dtype, name
        np.testing.assert_array_equal(actual[name][2], values, err_msg=name)


def assert_same_polydata(expected, actual):
    """Same points (dtype too), cells of each kind in order, data arrays (type, components, values), actives."""
    assert actual.GetNumberOfPoints() == expected.GetNumberOfPoints()
    if expected.GetNumberOfPoints():
        assert actual.GetPoints().GetDataType() == expected.GetPoints().GetDataType()
        np.testing.assert_array_equal(
            values_of(actual.GetPoints().GetData()), values_of(expected.GetPoints().GetData())
        )
    for getter in KIND_GETTERS:
        assert cells_of(actual, getter) == cells_of(expected, getter), getter
    for section in ("GetPointData", "GetCellData", "GetFieldData"):
        assert_same_arrays(data_arrays(getattr(expected, section)()), data_arrays(getattr(actual, section)()))
    for section in ("GetPointData", "GetCellData"):
        assert active_names(getattr(actual, section)()) == active_names(getattr(expected, section)())


def cell_array(cells):
    array = vtkCellArray()
    for ids in cells:
        array.InsertNextCell(len(ids), ids)
    return array


def mixed_polydata():
    """Vertices, lines, polygons of 3 to 6 sides and strips in one polydata, with data on all."""
    polydata = vtkPolyData()
    points = vtkPoints()
    points.SetDataTypeToDouble()
    rng = np.random.default_rng(1)
    for xyz in rng.random((12, 3)):
        points.InsertNextPoint(*xyz)
    polydata.SetPoints(points)
    polydata.SetVerts(cell_array([[0], [1, 2, 3]]))
    polydata.SetLines(cell_array([[0, 1], [1, 2, 3, 4]]))
    polydata.SetPolys(cell_array([[0, 1, 2], [0, 1, 2, 3], [4, 5, 6, 7, 8], [6, 7, 8, 9, 10, 11]]))
    polydata.SetStrips(cell_array([[0, 1, 2, 3], [4, 5, 6, 7, 8]]))
    cells = polydata.GetNumberOfCells()
    polydata.GetPointData().AddArray(numpy_to_vtk(np.arange(12, dtype=np.int16), "PointIndex"))
    polydata.GetPointData().SetNormals(numpy_to_vtk(rng.random((12, 3)).astype(np.float32), "Normals"))
    polydata.GetCellData().SetScalars(numpy_to_vtk(np.arange(cells, dtype=np.float64), "CellValue"))
    polydata.GetFieldData().AddArray(numpy_to_vtk(np.array([7, 8, 9], np.uint32), "Meta"))
    return polydata


def triangles(points=4, ids=((0, 1, 2), (1, 3, 2)), points_dtype=np.float32):
    return {
        "Points": np.arange(points * 3, dtype=points_dtype).reshape(points, 3),
        "PointData": {},
        "CellData": {"CellPointIds": np.array(ids)},
    }


def round_trip(polydata, **options):
    return dict_to_polydata(polydata_to_dict(polydata, **options))


# --- vmtk's data ---------------------------------------------------------------


@pytest.mark.parametrize("name", SURFACE_FILES + CENTERLINE_FILES)
def test_every_test_file_round_trips_exactly(vmtk_test_data, name):
    polydata = read_vtp(vmtk_test_data(name))
    assert_same_polydata(polydata, round_trip(polydata))


@pytest.mark.parametrize("name", CENTERLINE_FILES)
def test_centerline_files_round_trip_as_centerlines(vmtk_test_data, name):
    centerlines = read_vtp(vmtk_test_data(name))
    array_dict = centerlines_to_dict(centerlines)
    assert isinstance(array_dict["CellData"]["CellPointIds"], list)
    assert_same_polydata(centerlines, dict_to_centerlines(array_dict))


def test_twelve_line_centerlines_round_trip(upstream_file):
    centerlines = read_vtp(upstream_file("twelve-line-centerlines.vtp"))
    array_dict = centerlines_to_dict(centerlines)
    assert [ids.size for ids in array_dict["CellData"]["CellPointIds"]] == [
        centerlines.GetCell(index).GetNumberOfPoints() for index in range(12)
    ]
    assert_same_polydata(centerlines, dict_to_centerlines(array_dict))


def test_cow_polygons_of_three_to_six_sides_become_a_list_and_come_back(vmtk_test_data):
    cow = read_vtp(vmtk_test_data("cow.vtp"))
    array_dict = polydata_to_dict(cow)
    ids = array_dict["CellData"]["CellPointIds"]
    assert isinstance(ids, list) and len(ids) == cow.GetNumberOfCells()
    assert sorted({cell.size for cell in ids}) == [3, 4, 5, 6]
    assert set(np.unique(array_dict["CellTypes"])) == {5, 7, 9}  # triangles, polygons, quads
    assert_same_polydata(cow, dict_to_polydata(array_dict))


def assert_matches_vmtk(ours, vmtks):
    """Every key of vmtk's dict is in ours with the same shape and values; ours adds only the extensions."""
    assert set(ours) - set(vmtks) == EXTENSIONS
    for section in ("PointData", "CellData"):
        assert set(ours[section]) == set(vmtks[section]), section
        for name, values in vmtks[section].items():
            if isinstance(values, list):
                assert len(ours[section][name]) == len(values)
                for mine, theirs in zip(ours[section][name], values):
                    np.testing.assert_array_equal(mine, theirs)
            else:
                assert ours[section][name].shape == values.shape, name
                np.testing.assert_array_equal(ours[section][name], values, err_msg=name)
    assert ours["Points"].dtype == vmtks["Points"].dtype
    np.testing.assert_array_equal(ours["Points"], vmtks["Points"])


def test_surface_dict_matches_vmtks(vmtk_test_data, upstream_file):
    vmtks = load_vmtk_pickle(upstream_file("upstream-aorta-surface.pickle"))
    ours = polydata_to_dict(read_vtp(vmtk_test_data("aorta-surface.vtp")))
    assert_matches_vmtk(ours, vmtks)
    assert ours["CellData"]["CellPointIds"].shape == (12932, 3)


@pytest.mark.parametrize(
    "vtp, pickled",
    [
        ("aorta-centerline-branches.vtp", "upstream-aorta-centerline-branches.pickle"),
        ("twelve-line-centerlines.vtp", "upstream-twelve-line-centerlines.pickle"),
    ],
)
def test_centerline_dicts_match_vmtks(vmtk_test_data, upstream_file, vtp, pickled):
    vmtks = load_vmtk_pickle(upstream_file(pickled))
    path = upstream_file(vtp) if vtp.startswith("twelve") else vmtk_test_data(vtp)
    assert_matches_vmtk(centerlines_to_dict(read_vtp(path)), vmtks)


def test_vmtks_surface_dict_converts_to_the_surface_it_came_from(vmtk_test_data, upstream_file):
    original = read_vtp(vmtk_test_data("aorta-surface.vtp"))
    surface = dict_to_polydata(load_vmtk_pickle(upstream_file("upstream-aorta-surface.pickle")))
    assert cells_of(surface, "GetPolys") == cells_of(original, "GetPolys")
    np.testing.assert_array_equal(values_of(surface.GetPoints().GetData()), values_of(original.GetPoints().GetData()))
    assert_same_arrays(data_arrays(original.GetPointData()), data_arrays(surface.GetPointData()))


def test_vmtks_centerline_dict_converts_to_lines(vmtk_test_data, upstream_file):
    original = read_vtp(vmtk_test_data("aorta-centerline-branches.vtp"))
    centerlines = dict_to_centerlines(load_vmtk_pickle(upstream_file("upstream-aorta-centerline-branches.pickle")))
    assert cells_of(centerlines, "GetLines") == cells_of(original, "GetLines")
    assert_same_arrays(data_arrays(original.GetCellData()), data_arrays(centerlines.GetCellData()))


# --- generated data: dtypes, components, cells ---------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_dtype_keeps_its_type_in_point_cell_and_field_data(dtype):
    polydata = dict_to_polydata(triangles())
    rng = np.random.default_rng(0)
    for attributes, count in ((polydata.GetPointData(), 4), (polydata.GetCellData(), 2), (polydata.GetFieldData(), 5)):
        if dtype == "bool":
            values = rng.integers(0, 2, count).astype(bool)
        elif np.dtype(dtype).kind == "f":
            values = rng.standard_normal(count).astype(dtype)
        else:
            info = np.iinfo(dtype)
            values = np.array([info.min, info.max] + [1] * (count - 2), dtype=dtype)
        attributes.AddArray(numpy_to_vtk(values, "values"))
    array_dict = polydata_to_dict(polydata)
    for section in ("PointData", "CellData", "FieldData"):
        assert array_dict[section]["values"].dtype == np.dtype(dtype)
    assert_same_polydata(polydata, dict_to_polydata(array_dict))


@pytest.mark.parametrize("array_type", ["vtkIdTypeArray", "vtkLongArray", "vtkUnsignedLongArray", "vtkCharArray"])
def test_vtk_types_that_share_a_dtype_come_back_as_they_were(array_type):
    polydata = dict_to_polydata(triangles())
    ids = vtkDataArray.CreateDataArray(SPECIAL_VTK_TYPES[array_type])
    ids.SetName("ids")
    ids.SetNumberOfTuples(4)
    vtk_to_numpy(ids, copy=False)[:] = np.arange(4)
    polydata.GetPointData().AddArray(ids)
    array_dict = polydata_to_dict(polydata)
    assert array_dict["ArrayTypes"]["PointData"] == {"ids": array_type}
    assert_same_polydata(polydata, dict_to_polydata(array_dict))


@pytest.mark.parametrize("components", range(1, 10))
def test_component_counts_one_to_nine(components):
    array_dict = triangles()
    values = np.arange(4 * components, dtype=np.float64).reshape(4, components)
    array_dict["PointData"]["v"] = values[:, 0] if components == 1 else values
    array_dict["CellData"]["c"] = values[:2, 0] if components == 1 else values[:2]
    polydata = dict_to_polydata(array_dict)
    assert polydata.GetPointData().GetArray("v").GetNumberOfComponents() == components
    back = polydata_to_dict(polydata)
    np.testing.assert_array_equal(back["PointData"]["v"], array_dict["PointData"]["v"])
    np.testing.assert_array_equal(back["CellData"]["c"], array_dict["CellData"]["c"])


def test_mixed_cells_keep_their_kinds_and_order():
    polydata = mixed_polydata()
    array_dict = polydata_to_dict(polydata)
    vtk_types = [polydata.GetCellType(index) for index in range(polydata.GetNumberOfCells())]
    assert array_dict["CellTypes"].tolist() == vtk_types == [1, 2, 3, 4, 5, 9, 7, 7, 6, 6]
    assert [ids.tolist() for ids in array_dict["CellData"]["CellPointIds"]][:3] == [[0], [1, 2, 3], [0, 1]]
    back = dict_to_polydata(array_dict)
    assert_same_polydata(polydata, back)
    assert [back.GetCellType(index) for index in range(back.GetNumberOfCells())] == vtk_types


def polydata_with_cells_of_every_size():
    """Every kind with its usual sizes, and a vertex of 0, a line of 1 and a polygon of 2 points."""
    polydata = vtkPolyData()
    points = vtkPoints()
    points.SetNumberOfPoints(6)
    polydata.SetPoints(points)
    polydata.SetVerts(cell_array([[0], [0, 1], []]))
    polydata.SetLines(cell_array([[0, 1], [0, 1, 2], [0]]))
    polydata.SetPolys(cell_array([[0, 1, 2], [0, 1, 2, 3], [0, 1, 2, 3, 4], [0, 1]]))
    polydata.SetStrips(cell_array([[0, 1, 2, 3]]))
    return polydata


def test_cell_types_name_cells_as_vtk_does_for_every_size():
    polydata = polydata_with_cells_of_every_size()

    array_dict = polydata_to_dict(polydata)

    # VTK's own GetCellType names them so from 9.2; VTK 9.1 crashes on the first lookup of such a polydata.
    assert array_dict["CellTypes"].tolist() == [1, 2, 2, 3, 4, 4, 5, 9, 7, 7, 6]
    if vtk_at_least(9, 2):
        assert array_dict["CellTypes"].tolist() == [polydata.GetCellType(i) for i in range(polydata.GetNumberOfCells())]
        assert_same_polydata(polydata, dict_to_polydata(array_dict))
    else:
        with pytest.raises(ArrayDictError, match=r"cell 2 is a vertex of 0 points; .* needs VTK >= 9\.2"):
            dict_to_polydata(array_dict)


@pytest.mark.parametrize(
    ("ids", "cell_types", "message"),
    [
        ([[0, 1], []], None, "cell 1 is a line of 0 points"),
        ([[0], [0, 1, 2]], [4, 5], "cell 0 is a line of 1 points"),
        ([[0, 1, 2], [0, 1]], [5, 7], "cell 1 is a polygon of 2 points"),
        ([[0, 1, 2], [1, 2]], [5, 6], "cell 1 is a triangle strip of 2 points"),
        ([[], [0, 1]], [2, 3], "cell 0 is a vertex of 0 points"),
    ],
)
def test_cells_too_small_for_vtk_9_1_are_refused_there_and_kept_elsewhere(ids, cell_types, message):
    array_dict = {"Points": np.zeros((3, 3)), "CellData": {"CellPointIds": ids}}
    if cell_types is not None:
        array_dict["CellTypes"] = cell_types

    if not vtk_at_least(9, 2):
        with pytest.raises(ArrayDictError, match=f"CellPointIds'\\]: {message}; .* needs VTK >= 9\\.2"):
            dict_to_centerlines(array_dict)
        return
    back = centerlines_to_dict(dict_to_centerlines(array_dict))
    assert [cell.tolist() for cell in back["CellData"]["CellPointIds"]] == [list(cell) for cell in ids]


def test_cell_to_point_takes_cells_too_small_for_vtk_9_1_on_every_vtk():
    # The interpolation is the package's own, so VTK 9.1 never has to look such cells up.
    polydata = polydata_with_cells_of_every_size()
    polydata.GetCellData().AddArray(numpy_to_vtk(np.arange(11, dtype=np.float64), "CellValue"))

    array_dict = polydata_to_dict(polydata, cell_to_point=True)

    assert list(array_dict["PointData"]) == ["CellValue"] and list(array_dict["CellData"]) == ["CellPointIds"]
    # Point 5 is in no cell; point 4 only in the polygon of 5 points, cell 8.
    assert array_dict["PointData"]["CellValue"][4:].tolist() == [8.0, 0.0]


@pytest.mark.parametrize("to_dict", [polydata_to_dict, centerlines_to_dict])
def test_cell_point_ids_are_the_first_cell_array(to_dict):
    # vmtk's vmtknumpytocenterlines reads CellData in order and drops every cell array before CellPointIds.
    polydata = mixed_polydata()
    polydata.GetCellData().AddArray(numpy_to_vtk(np.zeros(polydata.GetNumberOfCells()), "Blanking"))

    array_dict = to_dict(polydata)

    assert list(array_dict["CellData"]) == ["CellPointIds", "CellValue", "Blanking"]
    assert list(to_dict(polydata, cell_to_point=True)["CellData"]) == ["CellPointIds"]


def test_cell_types_decide_the_kind_over_the_default():
    array_dict = triangles()
    array_dict["CellTypes"] = np.array([5, 6], np.uint8)  # a triangle and a strip
    centerlines = dict_to_centerlines(array_dict)
    counts = (centerlines.GetNumberOfPolys(), centerlines.GetNumberOfStrips(), centerlines.GetNumberOfLines())
    assert counts == (1, 1, 0)


def test_cells_out_of_vtks_order_are_reordered_with_their_data_and_a_warning():
    array_dict = {
        "Points": np.zeros((4, 3)),
        "CellData": {"CellPointIds": [[0, 1, 2], [2, 3], [3]], "Label": np.array([10, 20, 30], np.int32)},
        "CellTypes": np.array([5, 3, 1]),  # triangle, line, vertex: VTK keeps vertices first
    }
    with pytest.warns(LossWarning, match="reordered"):
        polydata = dict_to_polydata(array_dict)
    back = polydata_to_dict(polydata)
    assert back["CellTypes"].tolist() == [1, 3, 5]
    assert [ids.tolist() for ids in back["CellData"]["CellPointIds"]] == [[3], [2, 3], [0, 1, 2]]
    assert back["CellData"]["Label"].tolist() == [30, 20, 10]


def test_cells_in_vtks_order_give_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dict_to_polydata(polydata_to_dict(mixed_polydata()))


def test_layouts_of_cell_point_ids():
    polydata = dict_to_polydata(triangles())
    assert polydata_to_dict(polydata, cell_point_ids="array")["CellData"]["CellPointIds"].shape == (2, 3)
    as_list = polydata_to_dict(polydata, cell_point_ids="list")["CellData"]["CellPointIds"]
    assert [ids.tolist() for ids in as_list] == [[0, 1, 2], [1, 3, 2]]
    with pytest.raises(ArrayDictError, match="from 1 to 6 points"):
        polydata_to_dict(mixed_polydata(), cell_point_ids="array")


def test_ids_keep_vtks_storage_width():
    surface = dict_to_polydata(triangles(ids=np.array([[0, 1, 2]], np.int32)))
    assert not surface.GetPolys().IsStorage64Bit()  # IsStorage32Bit is VTK >= 9.3
    assert polydata_to_dict(surface)["CellData"]["CellPointIds"].dtype == np.int32
    wide = dict_to_polydata(triangles(ids=np.array([[0, 1, 2]], np.uint16)))
    assert polydata_to_dict(wide)["CellData"]["CellPointIds"].dtype == np.int64


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_points_keep_their_dtype(dtype):
    surface = dict_to_polydata(triangles(points_dtype=dtype))
    assert polydata_to_dict(surface)["Points"].dtype == dtype


def test_ragged_lists_may_hold_python_lists_and_empty_cells():
    array_dict = {"Points": np.zeros((3, 3)), "CellData": {"CellPointIds": [[0, 1, 2], [], np.array([1, 2])]}}
    if not vtk_at_least(9, 2):  # an empty line is a cell VTK 9.1 cannot hold
        with pytest.raises(ArrayDictError, match=r"cell 1 is a line of 0 points; .* needs VTK >= 9\.2"):
            dict_to_centerlines(array_dict)
        return
    back = centerlines_to_dict(dict_to_centerlines(array_dict))
    assert [ids.tolist() for ids in back["CellData"]["CellPointIds"]] == [[0, 1, 2], [], [1, 2]]


def test_empty_data_and_zero_cells():
    empty = polydata_to_dict(vtkPolyData())
    assert empty["Points"].shape == (0, 3)
    assert empty["PointData"] == {} and empty["CellData"]["CellPointIds"].shape == (0, 0)
    assert empty["CellTypes"].shape == (0,)
    assert_same_polydata(vtkPolyData(), dict_to_polydata(empty))
    points_only = dict_to_polydata({"Points": np.ones((3, 3)), "CellData": {"CellPointIds": []}})
    assert (points_only.GetNumberOfPoints(), points_only.GetNumberOfCells()) == (3, 0)
    assert centerlines_to_dict(points_only)["CellData"]["CellPointIds"] == []


def test_every_dict_has_the_same_keys():
    keys = {"Points", "PointData", "CellData", "CellTypes", "FieldData", "ActiveArrays", "ArrayTypes"}
    assert set(polydata_to_dict(vtkPolyData())) == set(polydata_to_dict(mixed_polydata())) == keys


def test_active_attributes_and_field_data_are_kept():
    array_dict = polydata_to_dict(mixed_polydata())
    assert array_dict["ActiveArrays"] == {"PointData": {"Normals": "Normals"}, "CellData": {"Scalars": "CellValue"}}
    assert array_dict["FieldData"]["Meta"].tolist() == [7, 8, 9]
    back = dict_to_polydata(array_dict)
    assert back.GetPointData().GetNormals().GetName() == "Normals"
    assert back.GetCellData().GetScalars().GetName() == "CellValue"


def test_cell_to_point_interpolates_cell_data_and_leaves_only_the_ids():
    polydata = dict_to_polydata(triangles())
    polydata.GetCellData().AddArray(numpy_to_vtk(np.array([1.0, 3.0]), "Pressure"))
    array_dict = polydata_to_dict(polydata, cell_to_point=True)
    assert list(array_dict["CellData"]) == ["CellPointIds"]
    # points 1 and 2 touch both triangles; 0 and 3 only one each
    np.testing.assert_allclose(array_dict["PointData"]["Pressure"], [1.0, 2.0, 2.0, 3.0])


def test_cell_to_point_on_points_without_cells_gives_zeros():
    # Found by the fuzz campaign: cell arrays of no tuples, on a surface of points and no cells, failed to reshape.
    polydata = vtkPolyData()
    points = vtkPoints()
    points.SetNumberOfPoints(2)
    polydata.SetPoints(points)
    polydata.GetCellData().AddArray(numpy_to_vtk(np.zeros((0, 3)), "Vector"))
    polydata.GetCellData().AddArray(numpy_to_vtk(np.zeros(0, np.int16), "Short"))
    point_data = polydata_to_dict(polydata, cell_to_point=True)["PointData"]
    assert point_data["Vector"].tolist() == [[0.0, 0.0, 0.0]] * 2 and point_data["Vector"].dtype == np.float64
    assert point_data["Short"].tolist() == [0.0, 0.0] and point_data["Short"].dtype == np.float32


def cell_to_point_story():
    """Every cell kind (VTK 9.3's filter crashed on that), a point in no cell, a point listed twice by one cell."""
    polydata = vtkPolyData()
    points = vtkPoints()
    points.SetNumberOfPoints(6)
    for index in range(6):
        points.SetPoint(index, index, index % 2, 0.0)
    polydata.SetPoints(points)
    polydata.SetVerts(cell_array([[0]]))
    polydata.SetLines(cell_array([[0, 1]]))
    polydata.SetPolys(cell_array([[0, 1, 0, 2]]))
    polydata.SetStrips(cell_array([[1, 2, 3, 4]]))
    cell_data = polydata.GetCellData()
    cell_data.AddArray(numpy_to_vtk(np.array([1.0, 2.0, 4.0, 8.0]), "Double"))
    cell_data.AddArray(numpy_to_vtk(np.array([1, 2, 4, 8], np.int16), "Short"))
    cell_data.AddArray(numpy_to_vtk(np.array([True, False, True, True]), "Flag"))
    cell_data.AddArray(numpy_to_vtk(np.array([[1, 0, 0], [0, 2, 0], [0, 0, 4], [8, 8, 8]], np.float32), "Vector"))
    cell_data.SetActiveVectors("Vector")
    polydata.GetPointData().AddArray(numpy_to_vtk(np.arange(6, dtype=np.int64), "Short"))
    polydata.GetPointData().AddArray(numpy_to_vtk(np.arange(6.0), "Height"))
    polydata.GetPointData().SetActiveScalars("Height")
    return polydata


def test_cell_to_point_gives_each_point_the_mean_of_its_cells_the_same_on_every_vtk():
    array_dict = polydata_to_dict(cell_to_point_story(), cell_to_point=True)

    point_data = array_dict["PointData"]
    # Point 0: the vertex, the line and twice the polygon; 1: line, polygon, strip; 2: polygon, strip;
    # 3 and 4: the strip; 5: no cell.
    assert point_data["Double"].tolist() == [(1 + 2 + 4 + 4) / 4, (2 + 4 + 8) / 3, 6.0, 8.0, 8.0, 0.0]
    assert point_data["Double"].dtype == np.float64
    assert point_data["Short"].dtype == point_data["Flag"].dtype == point_data["Vector"].dtype == np.float32
    np.testing.assert_array_equal(point_data["Short"], point_data["Double"].astype(np.float32))
    np.testing.assert_array_equal(point_data["Flag"], np.array([3 / 4, 2 / 3, 1, 1, 1, 0], np.float32))
    np.testing.assert_array_equal(point_data["Vector"][1], np.array([8, 10, 12], np.float32) / 3)
    # Cell arrays replace a point array of their name in its place; their active roles come along.
    assert list(point_data) == ["Short", "Height", "Double", "Flag", "Vector"]
    assert array_dict["ActiveArrays"] == {"PointData": {"Scalars": "Height", "Vectors": "Vector"}, "CellData": {}}
    assert array_dict["ArrayTypes"]["PointData"] == {} and list(array_dict["CellData"]) == ["CellPointIds"]


def test_cell_to_point_agrees_with_vtks_filter_where_vtk_gets_it_right():
    from vtkmodules.vtkFiltersCore import vtkCellDataToPointData

    # Polygons only (VTK 9.3's filter crashes on cells of several kinds), every point in a cell, no bit array.
    polydata = mixed_polydata()
    polydata.SetVerts(cell_array([]))
    polydata.SetLines(cell_array([]))
    polydata.SetStrips(cell_array([]))
    values = np.random.default_rng(5).random((polydata.GetNumberOfCells(), 3))
    polydata.GetCellData().SetScalars(numpy_to_vtk(values[:, 0], "CellValue"))
    polydata.GetCellData().SetVectors(numpy_to_vtk(values.astype(np.float32), "CellVector"))
    polydata.GetCellData().AddArray(numpy_to_vtk((values[:, 1] * 100).astype(np.int32), "CellCount"))
    interpolate = vtkCellDataToPointData()
    interpolate.SetInputData(polydata)
    interpolate.PassCellDataOff()
    interpolate.Update()

    ours = polydata_to_dict(polydata, cell_to_point=True)
    vtks = polydata_to_dict(interpolate.GetOutput())

    assert list(ours["PointData"]) == list(vtks["PointData"]) and ours["ActiveArrays"] == vtks["ActiveArrays"]
    for name, expected in vtks["PointData"].items():
        assert ours["PointData"][name].dtype == expected.dtype, name
        np.testing.assert_allclose(ours["PointData"][name], expected, rtol=1e-6, err_msg=name)


def test_a_vtk_cell_array_named_like_the_ids_is_left_out_with_a_warning():
    polydata = dict_to_polydata(triangles())
    polydata.GetCellData().AddArray(numpy_to_vtk(np.array([1, 2]), "CellPointIds"))
    with pytest.warns(LossWarning, match="CellPointIds"):
        array_dict = polydata_to_dict(polydata)
    assert array_dict["CellData"]["CellPointIds"].shape == (2, 3)


def test_string_arrays_are_left_out_with_a_warning():
    polydata = dict_to_polydata(triangles())
    names = vtkStringArray()
    names.SetName("Names")
    names.SetNumberOfValues(4)
    polydata.GetPointData().AddArray(names)
    with pytest.warns(LossWarning, match="Names"):
        assert "Names" not in polydata_to_dict(polydata)["PointData"]


def test_unknown_top_level_keys_are_reported():
    array_dict = triangles()
    array_dict["Pointdata"] = {}
    with pytest.warns(LossWarning, match="Pointdata"):
        dict_to_polydata(array_dict)


# --- memory ---------------------------------------------------------------------


def test_copies_own_their_memory_and_views_share_vtks():
    polydata = dict_to_polydata(triangles())
    polydata.GetPointData().AddArray(numpy_to_vtk(np.arange(4.0), "p"))
    vtk_ids = vtk_to_numpy(polydata.GetPolys().GetConnectivityArray(), copy=False)
    vtk_points = vtk_to_numpy(polydata.GetPoints().GetData(), copy=False)
    vtk_values = vtk_to_numpy(polydata.GetPointData().GetArray("p"), copy=False)
    view = polydata_to_dict(polydata, copy=False)
    assert np.shares_memory(view["CellData"]["CellPointIds"], vtk_ids)
    assert np.shares_memory(view["Points"], vtk_points)
    assert np.shares_memory(view["PointData"]["p"], vtk_values)
    owned = polydata_to_dict(polydata)
    for mine, vtks in ((owned["CellData"]["CellPointIds"], vtk_ids), (owned["Points"], vtk_points),
                       (owned["PointData"]["p"], vtk_values)):
        assert not np.shares_memory(mine, vtks)


def test_views_stay_valid_after_the_polydata_is_gone():
    view = polydata_to_dict(mixed_polydata(), copy=False)
    gc.collect()
    np.testing.assert_array_equal(view["PointData"]["PointIndex"], np.arange(12))


def test_vtk_shares_the_dicts_memory_unless_told_not_to():
    array_dict = triangles(ids=np.array([[0, 1, 2], [1, 3, 2]], np.int64))
    array_dict["PointData"]["p"] = np.arange(4.0)
    shared = dict_to_polydata(array_dict)
    assert np.shares_memory(vtk_to_numpy(shared.GetPolys().GetConnectivityArray(), copy=False),
                            array_dict["CellData"]["CellPointIds"])
    assert np.shares_memory(vtk_to_numpy(shared.GetPoints().GetData(), copy=False), array_dict["Points"])
    assert np.shares_memory(vtk_to_numpy(shared.GetPointData().GetArray("p"), copy=False), array_dict["PointData"]["p"])
    copied = dict_to_polydata(array_dict, share=False)
    assert not np.shares_memory(vtk_to_numpy(copied.GetPolys().GetConnectivityArray(), copy=False),
                                array_dict["CellData"]["CellPointIds"])
    assert not np.shares_memory(vtk_to_numpy(copied.GetPoints().GetData(), copy=False), array_dict["Points"])


def test_shared_memory_outlives_the_dict():
    polydata = dict_to_polydata(triangles(ids=np.array([[0, 1, 2], [1, 3, 2]], np.int64)))
    gc.collect()
    reuse = [np.full(6, -1, np.int64) for _ in range(100)]  # would take the ids' memory, had it been freed
    assert vtk_to_numpy(polydata.GetPolys().GetConnectivityArray()).tolist() == [0, 1, 2, 1, 3, 2]
    assert all((block == -1).all() for block in reuse)


def test_shared_cells_of_a_list_outlive_the_dict():
    lines = {"Points": np.zeros((5, 3)), "CellData": {"CellPointIds": [np.array([0, 1, 2]), np.array([2, 3, 4])]}}
    polydata = dict_to_centerlines(lines)
    del lines
    gc.collect()
    reuse = [np.full(6, -1, np.int64) for _ in range(100)]  # would take the ids' memory, had it been freed
    cells = polydata.GetLines()
    assert vtk_to_numpy(cells.GetConnectivityArray()).tolist() == [0, 1, 2, 2, 3, 4]
    assert vtk_to_numpy(cells.GetOffsetsArray()).tolist() == [0, 3, 6]
    assert all((block == -1).all() for block in reuse)


# --- other objects --------------------------------------------------------------


def test_pyvista_polydata_is_accepted():
    pyvista = pytest.importorskip("pyvista")
    sphere = pyvista.Sphere(theta_resolution=8, phi_resolution=6)
    array_dict = polydata_to_dict(sphere)
    assert array_dict["CellData"]["CellPointIds"].shape == (sphere.n_cells, 3)
    np.testing.assert_array_equal(array_dict["Points"], sphere.points)
    assert_same_polydata(sphere, dict_to_polydata(array_dict))


@pytest.mark.parametrize("value", [vtkImageData(), {"Points": np.zeros((1, 3))}, None, "surface.vtp"])
def test_a_wrong_object_is_an_error_naming_what_was_expected(value):
    with pytest.raises(ArrayDictError, match="expected a surface or centerlines"):
        polydata_to_dict(value)


# --- bad dicts ------------------------------------------------------------------


def without(array_dict, *path):
    *parents, key = path
    target = array_dict
    for parent in parents:
        target = target[parent]
    del target[key]
    return array_dict


def set_value(array_dict, value, *path):
    *parents, key = path
    target = array_dict
    for parent in parents:
        target = target[parent]
    target[key] = value
    return array_dict


BAD_DICTS = {
    "not a dict": (lambda d: [d], r"ArrayDict: expected a dict"),
    "no points": (lambda d: without(d, "Points"), r"\['Points'\]: missing"),
    "no cell data": (lambda d: without(d, "CellData"), r"\['CellData'\]: missing"),
    "no ids": (lambda d: without(d, "CellData", "CellPointIds"), r"\['CellPointIds'\]: missing"),
    "points (N, 2)": (lambda d: set_value(d, np.zeros((4, 2)), "Points"), r"\['Points'\]: expected shape \(N, 3\)"),
    "points as text": (lambda d: set_value(d, np.full((4, 3), "a"), "Points"), r"\['Points'\]: expected numbers"),
    "negative id": (lambda d: set_value(d, np.array([[0, -1, 2]]), "CellData", "CellPointIds"), r"point id -1"),
    "id too large": (lambda d: set_value(d, np.array([[0, 1, 4]]), "CellData", "CellPointIds"), r"point id 4"),
    "ids 1-D": (lambda d: set_value(d, np.array([0, 1, 2]), "CellData", "CellPointIds"), r"found an array of shape"),
    "float ids": (lambda d: set_value(d, np.zeros((2, 3)), "CellData", "CellPointIds"), r"expected integers"),
    "ragged float entry": (
        lambda d: set_value(d, [np.array([0, 1, 2]), np.array([1.5, 2.0])], "CellData", "CellPointIds"),
        r"\['CellPointIds'\]\[1\]: holds non-integer point ids",
    ),
    "ragged text entry": (
        lambda d: set_value(d, [[0, 1, 2], ["a", "b"]], "CellData", "CellPointIds"), r"\[1\]: holds non-integer"
    ),
    "ragged number entry": (
        lambda d: set_value(d, [[0, 1, 2], 3], "CellData", "CellPointIds"), r"\[1\]: expected a 1-D array"
    ),
    "ragged 2-D entry": (
        lambda d: set_value(d, [np.array([[0, 1, 2]]), np.array([[1, 2, 3]])], "CellData", "CellPointIds"),
        r"\[0\]: is not a 1-D sequence",
    ),
    "ids as text": (lambda d: set_value(d, "0 1 2", "CellData", "CellPointIds"), r"found str"),
    "short point data": (lambda d: set_value(d, np.zeros(3), "PointData", "p"), r"\['p'\]: expected 4 tuples"),
    "long cell data": (lambda d: set_value(d, np.zeros(3), "CellData", "c"), r"\['c'\]: expected 2 tuples"),
    "text data": (lambda d: set_value(d, np.array(["a"] * 4), "PointData", "p"), r"\['p'\]: expected numbers"),
    "object data": (lambda d: set_value(d, [None] * 4, "PointData", "p"), r"\['p'\]: expected numbers"),
    "cell types too short": (
        lambda d: set_value(d, np.array([5]), "CellTypes"), r"\['CellTypes'\]: expected shape \(2,\)"
    ),
    "tetra in a surface": (lambda d: set_value(d, np.array([5, 10]), "CellTypes"), r"cell 1 has type 10"),
    "unknown type": (lambda d: set_value(d, np.array([5, 300]), "CellTypes"), r"300 is not a VTK cell type"),
    "quad of three ids": (lambda d: set_value(d, np.array([9, 5]), "CellTypes"), r"cell 0 has type 9, which has 4"),
    "unknown array type": (
        lambda d: set_value(d, {"PointData": {"p": "vtkFancyArray"}}, "ArrayTypes"), r"unknown array type"
    ),
    "active array missing": (
        lambda d: set_value(d, {"PointData": {"Scalars": "q"}}, "ActiveArrays"), r"names 'q', which is not"
    ),
    "unknown active section": (
        lambda d: set_value(d, {"Pointdata": {}}, "ActiveArrays"), r"\['Pointdata'\]: unknown section"
    ),
}


@pytest.mark.parametrize("case", BAD_DICTS, ids=list(BAD_DICTS))
def test_bad_dicts_get_one_clear_error(case):
    array_dict = triangles()
    array_dict["PointData"]["p"] = np.zeros(4)
    array_dict["CellData"]["c"] = np.zeros(2)
    spoil, message = BAD_DICTS[case]
    with pytest.raises(ArrayDictError, match=message):
        dict_to_polydata(spoil(array_dict))


def test_a_wrong_length_of_cell_data_is_caught_before_reordering():
    array_dict = {
        "Points": np.zeros((3, 3)),
        "CellData": {"CellPointIds": [[0, 1, 2], [0]], "c": np.zeros(5)},
        "CellTypes": np.array([5, 1]),
    }
    with pytest.warns(LossWarning), pytest.raises(ArrayDictError, match=r"\['c'\]: expected 2 tuples"):
        dict_to_polydata(array_dict)


def test_points_from_vtk_float_stay_float():
    surface = dict_to_polydata(triangles(points_dtype=np.float32))
    assert surface.GetPoints().GetDataType() == VTK_FLOAT


def test_cell_arrays_of_different_storage_widths_merge():
    polydata = mixed_polydata()
    polydata.GetVerts().ConvertTo32BitStorage()
    array_dict = polydata_to_dict(polydata)
    assert array_dict["CellData"]["CellPointIds"][0].dtype == np.int64
    assert_same_polydata(polydata, dict_to_polydata(array_dict))


@pytest.mark.skipif(not hasattr(vtkCellArray, "UseFixedSize64BitStorage"), reason="VTK < 9.6 has no fixed-size cells")
def test_fixed_size_cell_storage_is_read():
    polydata = dict_to_polydata(triangles())
    polys = vtkCellArray()
    polys.SetData(3, numpy_to_vtk(np.array([0, 1, 2, 1, 3, 2], np.int64)))
    assert polys.IsStorageFixedSize()
    polydata.SetPolys(polys)
    for copy in (True, False):
        array_dict = polydata_to_dict(polydata, copy=copy)
        assert array_dict["CellData"]["CellPointIds"].tolist() == [[0, 1, 2], [1, 3, 2]]
        assert array_dict["CellTypes"].tolist() == [5, 5]


def test_zero_copy_cell_types_of_one_type_are_one_read_only_value():
    array_dict = polydata_to_dict(dict_to_polydata(triangles()), copy=False)
    types = array_dict["CellTypes"]
    assert types.tolist() == [5, 5] and types.dtype == np.uint8
    assert not types.flags.writeable
    with pytest.raises(ValueError):
        types[0] = 7
    copied = polydata_to_dict(dict_to_polydata(triangles()))["CellTypes"]
    copied[0] = 7  # a copying conversion gives a writable array
    assert copied.tolist() == [7, 5]


def test_broadcast_cell_types_are_checked():
    surface = triangles()
    surface["CellTypes"] = np.broadcast_to(np.uint8(9), (2,))  # quads, for cells of 3 ids
    with pytest.raises(ArrayDictError, match="cell 0 has type 9, which has 4 points, but it has 3 point ids"):
        dict_to_polydata(surface)
    surface["CellTypes"] = np.broadcast_to(np.int64(300), (2,))
    with pytest.raises(ArrayDictError, match="300 is not a VTK cell type"):
        dict_to_polydata(surface)
    surface["CellTypes"] = np.broadcast_to(np.uint8(5), (2,))
    assert dict_to_polydata(surface).GetNumberOfPolys() == 2


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_cells_of_one_size_need_no_offsets_array_where_vtk_has_fixed_size_storage(dtype):
    surface = triangles()
    surface["CellData"]["CellPointIds"] = surface["CellData"]["CellPointIds"].astype(dtype)
    polys = dict_to_polydata(surface).GetPolys()
    assert polys.GetNumberOfCells() == 2 and polys.IsHomogeneous() == 3
    assert vtk_to_numpy(polys.GetOffsetsArray()).tolist() == [0, 3, 6]
    # VTK 9.6 has the storage too, but its ASCII XML writers crash on it: the package uses it from 9.7.
    assert bool(getattr(polys, "IsStorageFixedSize", lambda: False)()) == vtk_at_least(9, 7)
    back = polydata_to_dict(dict_to_polydata(surface), copy=False)
    assert back["CellData"]["CellPointIds"].dtype == dtype


# --- nothing changes without a word ------------------------------------------------


def test_32_bit_ids_of_several_cell_kinds_stay_32_bit():
    # VTK gives the cell arrays a dict leaves empty 64-bit storage: it must not widen the others.
    array_dict = {
        "Points": np.zeros((4, 3)),
        "CellData": {"CellPointIds": [np.array([0, 1, 2, 3], np.int32), np.array([3, 2, 1], np.int32)]},
        "CellTypes": np.array([9, 6], np.uint8),
    }

    back = polydata_to_dict(dict_to_polydata(array_dict))

    assert [cell.dtype for cell in back["CellData"]["CellPointIds"]] == [np.int32, np.int32]
    assert [cell.tolist() for cell in back["CellData"]["CellPointIds"]] == [[0, 1, 2, 3], [3, 2, 1]]


@pytest.mark.parametrize("given, size, vtk_type", [(7, 3, 5), (7, 4, 9), (4, 2, 3), (2, 1, 1)])
def test_a_type_vtk_gives_another_name_is_warned_about(given, size, vtk_type):
    array_dict = {"Points": np.zeros((4, 3)), "CellData": {"CellPointIds": np.zeros((2, size), np.int64)},
                  "CellTypes": np.array([given, given], np.uint8)}

    with pytest.warns(LossWarning, match=rf"\['CellTypes'\]: cell 0 \(and 1 more\) has type {given} and {size} "
                                         rf"point ids, which VTK names type {vtk_type}"):
        back = polydata_to_dict(dict_to_polydata(array_dict))
    assert back["CellTypes"].tolist() == [vtk_type, vtk_type]

    mixed = {"Points": np.zeros((5, 3)), "CellData": {"CellPointIds": [np.zeros(size, np.int64), np.arange(5)]},
             "CellTypes": np.array([given, given], np.uint8)}
    with pytest.warns(LossWarning, match=rf"cell 0 has type {given} and {size} point ids"):
        dict_to_polydata(mixed)


def test_a_cell_that_is_a_single_number_is_an_error_naming_it():
    array_dict = {"Points": np.zeros((3, 3)), "CellData": {"CellPointIds": (np.arange(3), np.array(2))}}
    with pytest.raises(ArrayDictError, match=r"\['CellPointIds'\]\[1\]: expected a 1-D array of point ids"):
        dict_to_centerlines(array_dict)


# --- through the package's files -------------------------------------------------


@pytest.mark.parametrize("extension", ["hdf5", "pickle", "npz"])
def test_mixed_cells_survive_every_storage_format(tmp_path, extension):
    polydata = mixed_polydata()
    path = storage.write(polydata_to_dict(polydata), tmp_path / f"mixed.{extension}")
    assert_same_polydata(polydata, dict_to_polydata(storage.read(path)))


@pytest.mark.parametrize(
    "name, convert, kind",
    [
        ("upstream-aorta-surface.hdf5", dict_to_polydata, "GetPolys"),
        ("upstream-aorta-centerline-branches.hdf5", dict_to_centerlines, "GetLines"),
        ("upstream-twelve-line-centerlines.hdf5", dict_to_centerlines, "GetLines"),
    ],
)
def test_vmtks_hdf5_dicts_convert(upstream_file, name, convert, kind):
    pickled = load_vmtk_pickle(upstream_file(name.replace(".hdf5", ".pickle")))
    from_hdf5, from_pickle = convert(storage.read(upstream_file(name))), convert(pickled)
    assert getattr(from_hdf5, kind)().GetNumberOfCells() > 0
    assert_same_polydata(from_pickle, from_hdf5)
