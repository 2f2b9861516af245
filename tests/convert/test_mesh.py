"""Meshes <-> ArrayDict: vmtk's flat cell layout, every cell type and data array kept."""

import warnings

import numpy as np
import pytest
from vtkmodules.vtkCommonCore import vtkIdList, vtkIdTypeArray, vtkPoints
from vtkmodules.vtkCommonDataModel import (
    VTK_HEXAHEDRON,
    VTK_PYRAMID,
    VTK_QUADRATIC_TETRA,
    VTK_TETRA,
    VTK_TRIANGLE,
    VTK_WEDGE,
    vtkPolyData,
    vtkUnstructuredGrid,
)

from vmtkscripts_numpy._vtk_version import vtk_at_least
from vmtkscripts_numpy.convert.arrays import numpy_to_vtk, vtk_to_numpy
from vmtkscripts_numpy.convert.mesh import dict_to_mesh, mesh_to_dict
from vmtkscripts_numpy.errors import ArrayDictError, LossWarning

#: (type, point ids) of a mesh with every common cell type, mixed.
MIXED_CELLS = [
    (VTK_TETRA, [0, 1, 2, 3]),
    (VTK_HEXAHEDRON, [0, 1, 2, 3, 4, 5, 6, 7]),
    (VTK_WEDGE, [0, 1, 2, 3, 4, 5]),
    (VTK_PYRAMID, [0, 1, 2, 3, 4]),
    (VTK_TRIANGLE, [5, 6, 7]),
    (VTK_TETRA, [4, 5, 6, 7]),
    (VTK_QUADRATIC_TETRA, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
]


def mixed_mesh():
    grid = vtkUnstructuredGrid()
    points = vtkPoints()
    points.SetDataTypeToDouble()
    for xyz in np.random.default_rng(2).random((10, 3)):
        points.InsertNextPoint(*xyz)
    grid.SetPoints(points)
    for cell_type, ids in MIXED_CELLS:
        id_list = vtkIdList()
        for point_id in ids:
            id_list.InsertNextId(point_id)
        grid.InsertNextCell(cell_type, id_list)
    grid.GetPointData().SetScalars(numpy_to_vtk(np.linspace(0, 1, 10, dtype=np.float32), "Temperature"))
    grid.GetCellData().AddArray(numpy_to_vtk(np.arange(len(MIXED_CELLS), dtype=np.int32), "CellEntityIds"))
    grid.GetCellData().SetVectors(numpy_to_vtk(np.ones((len(MIXED_CELLS), 3)), "Flow"))
    grid.GetFieldData().AddArray(numpy_to_vtk(np.array([3], np.uint64), "Version"))
    return grid


def tetra_dict():
    return {
        "Points": np.eye(5, 3),
        "PointData": {"p": np.zeros(5)},
        "CellData": {"c": np.zeros(2)},
        "Cells": {
            "CellPointIds": np.array([4, 0, 1, 2, 3, 4, 1, 2, 3, 4]),
            "CellLocations": np.array([0, 5]),
            "CellTypes": np.array([10, 10], np.uint8),
        },
    }


def data_arrays(attributes):
    return {
        attributes.GetArrayName(index): (
            attributes.GetArray(index).GetDataType(),
            vtk_to_numpy(attributes.GetArray(index)).tolist(),
        )
        for index in range(attributes.GetNumberOfArrays())
    }


def assert_same_mesh(expected, actual):
    np.testing.assert_array_equal(
        vtk_to_numpy(actual.GetPoints().GetData()), vtk_to_numpy(expected.GetPoints().GetData())
    )
    assert actual.GetPoints().GetDataType() == expected.GetPoints().GetDataType()
    assert actual.GetNumberOfCells() == expected.GetNumberOfCells()
    for index in range(expected.GetNumberOfCells()):
        assert actual.GetCellType(index) == expected.GetCellType(index)
        ids, expected_ids = vtkIdList(), vtkIdList()
        actual.GetCellPoints(index, ids)
        expected.GetCellPoints(index, expected_ids)
        assert [ids.GetId(i) for i in range(ids.GetNumberOfIds())] == [
            expected_ids.GetId(i) for i in range(expected_ids.GetNumberOfIds())
        ]
    for section in ("GetPointData", "GetCellData", "GetFieldData"):
        assert data_arrays(getattr(actual, section)()) == data_arrays(getattr(expected, section)())
    for section in ("GetPointData", "GetCellData"):
        for role in range(5):
            expected_array = getattr(expected, section)().GetAbstractAttribute(role)
            actual_array = getattr(actual, section)().GetAbstractAttribute(role)
            assert (expected_array and expected_array.GetName()) == (actual_array and actual_array.GetName())


def test_mixed_cells_round_trip_in_the_flat_layout():
    grid = mixed_mesh()
    array_dict = mesh_to_dict(grid)
    assert_same_mesh(grid, dict_to_mesh(array_dict))


def test_mixed_cells_round_trip_as_a_list():
    grid = mixed_mesh()
    array_dict = mesh_to_dict(grid, cells_as_list=True)
    cells = array_dict["Cells"]
    assert "CellLocations" not in cells
    assert [ids.tolist() for ids in cells["CellPointIds"]] == [ids for _, ids in MIXED_CELLS]
    assert_same_mesh(grid, dict_to_mesh(array_dict))


def test_the_flat_layout_is_vtks_legacy_one():
    grid = mixed_mesh()
    cells = mesh_to_dict(grid)["Cells"]
    expected = np.concatenate([[len(ids)] + ids for _, ids in MIXED_CELLS])
    np.testing.assert_array_equal(cells["CellPointIds"], expected)
    vtks = vtkIdTypeArray()
    grid.GetCells().ExportLegacyFormat(vtks)
    np.testing.assert_array_equal(cells["CellPointIds"], vtk_to_numpy(vtks))
    lengths = [len(ids) + 1 for _, ids in MIXED_CELLS]
    assert cells["CellLocations"].tolist() == np.concatenate([[0], np.cumsum(lengths)[:-1]]).tolist()
    assert (cells["CellPointIds"].dtype, cells["CellLocations"].dtype) == (np.int64, np.int64)
    assert cells["CellTypes"].dtype == np.uint8
    assert cells["CellTypes"].tolist() == [cell_type for cell_type, _ in MIXED_CELLS]


def test_cell_types_as_strings_name_each_type_present():
    names = mesh_to_dict(mixed_mesh())["Cells"]["CellTypesAsStrings"]
    assert {name: values.tolist() for name, values in names.items()} == {
        "vtkTriangle": [5], "vtkTetra": [10], "vtkHexahedron": [12], "vtkWedge": [13], "vtkPyramid": [14],
        "vtkQuadraticTetra": [24],
    }
    assert "CellTypesAsStrings" not in mesh_to_dict(mixed_mesh(), cell_types_as_strings=False)["Cells"]


def test_data_actives_and_field_data_are_kept():
    array_dict = mesh_to_dict(mixed_mesh())
    assert array_dict["ActiveArrays"] == {"PointData": {"Scalars": "Temperature"}, "CellData": {"Vectors": "Flow"}}
    assert array_dict["PointData"]["Temperature"].dtype == np.float32
    assert array_dict["CellData"]["CellEntityIds"].dtype == np.int32
    assert array_dict["FieldData"]["Version"].dtype == np.uint64


def test_a_dict_as_vmtk_writes_it_converts():
    array_dict = tetra_dict()
    grid = dict_to_mesh(array_dict)
    assert [grid.GetCellType(index) for index in range(2)] == [10, 10]
    assert grid.GetCell(1).GetPointIds().GetId(3) == 4


def test_cell_locations_as_vtk9_reports_them_are_accepted():
    # vmtk on VTK >= 9 writes where each cell's ids start once the counts are removed.
    array_dict = tetra_dict()
    array_dict["Cells"]["CellLocations"] = np.array([0, 4])
    grid = dict_to_mesh(array_dict)
    np.testing.assert_array_equal(mesh_to_dict(grid)["Cells"]["CellPointIds"], tetra_dict()["Cells"]["CellPointIds"])


def test_a_homogeneous_mesh_round_trips():
    grid = dict_to_mesh(tetra_dict())
    assert_same_mesh(grid, dict_to_mesh(mesh_to_dict(grid)))


def test_an_empty_mesh_round_trips():
    array_dict = mesh_to_dict(vtkUnstructuredGrid())
    assert array_dict["Points"].shape == (0, 3)
    assert array_dict["Cells"]["CellPointIds"].size == 0 and array_dict["Cells"]["CellTypes"].size == 0
    assert dict_to_mesh(array_dict).GetNumberOfCells() == 0


def test_views_share_vtks_memory_and_copies_do_not():
    grid = mixed_mesh()
    vtk_points = vtk_to_numpy(grid.GetPoints().GetData(), copy=False)
    vtk_values = vtk_to_numpy(grid.GetPointData().GetArray("Temperature"), copy=False)
    view = mesh_to_dict(grid, copy=False)
    assert np.shares_memory(view["Points"], vtk_points)
    assert np.shares_memory(view["PointData"]["Temperature"], vtk_values)
    owned = mesh_to_dict(grid)
    assert not np.shares_memory(owned["Points"], vtk_points)
    assert not np.shares_memory(owned["PointData"]["Temperature"], vtk_values)


def test_vtk_shares_the_dicts_memory_unless_told_not_to():
    array_dict = tetra_dict()
    shared = dict_to_mesh(array_dict)
    assert np.shares_memory(vtk_to_numpy(shared.GetPoints().GetData(), copy=False), array_dict["Points"])
    assert np.shares_memory(vtk_to_numpy(shared.GetPointData().GetArray("p"), copy=False), array_dict["PointData"]["p"])
    copied = dict_to_mesh(array_dict, share=False)
    assert not np.shares_memory(vtk_to_numpy(copied.GetPoints().GetData(), copy=False), array_dict["Points"])


def test_polyhedra_are_refused_both_ways():
    grid = vtkUnstructuredGrid()
    points = vtkPoints()
    for xyz in np.eye(4, 3):
        points.InsertNextPoint(*xyz)
    grid.SetPoints(points)
    face_stream = vtkIdList()
    for value in [4, 3, 0, 1, 2, 3, 0, 1, 3, 3, 0, 2, 3, 3, 1, 2, 3]:  # four triangular faces
        face_stream.InsertNextId(value)
    grid.InsertNextCell(42, face_stream)
    assert grid.GetCellType(0) == 42
    with pytest.raises(ArrayDictError, match="polyhedron cells"):
        mesh_to_dict(grid)
    array_dict = tetra_dict()
    array_dict["Cells"]["CellTypes"] = np.array([10, 42])
    with pytest.raises(ArrayDictError, match="polyhedron cells"):
        dict_to_mesh(array_dict)


def test_pyvista_grids_are_accepted():
    pyvista = pytest.importorskip("pyvista")
    grid = pyvista.UnstructuredGrid(mixed_mesh())
    assert_same_mesh(grid, dict_to_mesh(mesh_to_dict(grid)))


def test_a_wrong_object_is_an_error():
    with pytest.raises(ArrayDictError, match="expected a mesh"):
        mesh_to_dict(vtkPolyData())


def cells_set(key, value):
    def spoil(array_dict):
        array_dict["Cells"][key] = value
        return array_dict

    return spoil


def cells_without(key):
    def spoil(array_dict):
        del array_dict["Cells"][key]
        return array_dict

    return spoil


BAD_DICTS = {
    "no cells": (lambda d: {k: v for k, v in d.items() if k != "Cells"}, r"\['Cells'\]: missing"),
    "no types": (cells_without("CellTypes"), r"\['CellTypes'\]: missing"),
    "no ids": (cells_without("CellPointIds"), r"\['CellPointIds'\]: missing"),
    "no locations": (cells_without("CellLocations"), r"\['CellLocations'\]: missing"),
    "locations off": (cells_set("CellLocations", np.array([0, 3])), r"does not match the point counts"),
    "location outside": (cells_set("CellLocations", np.array([0, 50])), r"outside the 10 values"),
    "negative count": (
        cells_set("CellPointIds", np.array([4, 0, 1, 2, 3, -4, 1, 2, 3, 4])), r"negative point count"
    ),
    "counts too short": (
        cells_set("CellPointIds", np.array([4, 0, 1, 2, 3, 4, 1, 2, 3, 4, 4])), r"the last cell ends at 10"
    ),
    "flat ids 2-D": (cells_set("CellPointIds", np.zeros((2, 5), int)), r"expected a 1-D array"),
    "id out of range": (
        cells_set("CellPointIds", np.array([4, 0, 1, 2, 3, 4, 1, 2, 3, 5])), r"point id 5 is out of range"
    ),
    "types too long": (cells_set("CellTypes", np.array([10, 10, 10])), r"expected shape \(2,\)"),
    "unknown type": (cells_set("CellTypes", np.array([10, 200])), r"type 200, which is not a VTK cell type"),
    "type out of range": (cells_set("CellTypes", np.array([10, 300])), r"300 is not a VTK cell type"),
    "hexahedron of four": (cells_set("CellTypes", np.array([10, 12])), r"cell 1 is a vtkHexahedron .* 8 points"),
    "hexahedra of four": (cells_set("CellTypes", np.array([12, 12])), r"cell 0 is a vtkHexahedron .* 8 points"),
    "one unknown type": (cells_set("CellTypes", np.array([200, 200])), r"cell 0 has type 200, which is not"),
    "polyhedra": (cells_set("CellTypes", np.array([42, 42])), r"cell 0: polyhedron cells"),
    "ragged float ids": (cells_set("CellPointIds", [[0, 1, 2, 3], [0.5, 1, 2, 3]]), r"\[1\]: holds non-integer"),
    "points (N, 4)": (lambda d: {**d, "Points": np.zeros((5, 4))}, r"\['Points'\]: expected shape \(N, 3\)"),
    "short cell data": (lambda d: {**d, "CellData": {"c": np.zeros(1)}}, r"\['c'\]: expected 2 tuples"),
    "text point data": (lambda d: {**d, "PointData": {"p": np.array(["x"] * 5)}}, r"\['p'\]: expected numbers"),
}


@pytest.mark.parametrize("case", BAD_DICTS, ids=list(BAD_DICTS))
def test_bad_dicts_get_one_clear_error(case):
    spoil, message = BAD_DICTS[case]
    with pytest.raises(ArrayDictError, match=message):
        dict_to_mesh(spoil(tetra_dict()))


def test_a_list_of_cells_needs_no_locations():
    array_dict = tetra_dict()
    array_dict["Cells"] = {"CellPointIds": [np.array([0, 1, 2, 3]), np.array([1, 2, 3, 4])],
                           "CellTypes": np.array([10, 10])}
    assert_same_mesh(dict_to_mesh(tetra_dict()), dict_to_mesh(array_dict))


# --- what is not read is warned about --------------------------------------------


def test_keys_of_cells_the_layout_does_not_know_are_warned_about():
    array_dict = tetra_dict()
    array_dict["Cells"]["CellEntityIds"] = np.array([1, 2])

    with pytest.warns(LossWarning, match=r"\['Cells'\]: 'CellEntityIds', which is not a key of Cells .* is not read"):
        dict_to_mesh(array_dict)


def test_locations_beside_a_list_of_cells_are_warned_about():
    array_dict = tetra_dict()
    array_dict["Cells"]["CellPointIds"] = [np.array([0, 1, 2, 3]), np.array([1, 2, 3, 4])]

    with pytest.warns(LossWarning, match=r"\['Cells'\]: 'CellLocations' beside a list of cells, .* is not read"):
        dict_to_mesh(array_dict)


@pytest.mark.parametrize("strings", [{"vtkHexahedron": np.array([12], np.uint8)}, {}, "tetra",
                                     {"vtkTetra": np.array([10], np.int64)}])
def test_cell_type_strings_that_do_not_match_the_types_are_warned_about(strings):
    array_dict = tetra_dict()
    array_dict["Cells"]["CellTypesAsStrings"] = strings

    with pytest.warns(LossWarning, match=r"\['CellTypesAsStrings'\]: does not name the types of CellTypes"):
        back = mesh_to_dict(dict_to_mesh(array_dict))
    assert list(back["Cells"]["CellTypesAsStrings"]) == ["vtkTetra"]


def test_cell_type_strings_as_vmtk_writes_them_convert_quietly():
    array_dict = tetra_dict()
    array_dict["Cells"]["CellTypesAsStrings"] = {"vtkTetra": np.array([10], np.uint8)}

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dict_to_mesh(array_dict)


# --- large meshes: cells read block by block ------------------------------------------


def _many_tetrahedra(count, dtype=np.int64):
    ids = (np.arange(count * 4, dtype=dtype) % 100).reshape(count, 4)
    flat = np.empty((count, 5), dtype)
    flat[:, 0], flat[:, 1:] = 4, ids
    cells = {"CellPointIds": flat.reshape(-1), "CellLocations": np.arange(count) * 5,
             "CellTypes": np.full(count, 10, np.uint8)}
    return {"Points": np.zeros((100, 3)), "Cells": cells}, ids


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.int16])
def test_many_cells_of_one_size_convert_both_ways(dtype):
    mesh, ids = _many_tetrahedra(30_000, dtype)
    grid = dict_to_mesh(mesh)
    assert vtk_to_numpy(grid.GetCells().GetConnectivityArray()).reshape(-1, 4).tolist() == ids.tolist()
    back = mesh_to_dict(grid)["Cells"]
    np.testing.assert_array_equal(back["CellPointIds"], mesh["Cells"]["CellPointIds"])
    np.testing.assert_array_equal(back["CellLocations"], mesh["Cells"]["CellLocations"])


def test_a_wrong_count_far_into_many_cells_is_found():
    mesh, _ = _many_tetrahedra(30_000)
    mesh["Cells"]["CellPointIds"][25_000 * 5] = 3
    with pytest.raises(ArrayDictError, match="CellLocations"):
        dict_to_mesh(mesh)


@pytest.mark.parametrize("bad", [100, -1])
def test_an_id_out_of_range_far_into_many_cells_is_found(bad):
    mesh, _ = _many_tetrahedra(30_000)
    mesh["Cells"]["CellPointIds"][27_000 * 5 + 2] = bad
    with pytest.raises(ArrayDictError, match=f"point id {bad} is out of range"):
        dict_to_mesh(mesh)


def test_cells_of_one_size_need_no_offsets_array_where_vtk_has_fixed_size_storage():
    mesh, ids = _many_tetrahedra(10)
    cells = dict_to_mesh(mesh).GetCells()
    assert cells.IsHomogeneous() == 4
    assert vtk_to_numpy(cells.GetOffsetsArray()).tolist() == list(range(0, 41, 4))
    # VTK 9.6 has the storage too, but its ASCII XML writers crash on it: the package uses it from 9.7.
    assert bool(getattr(cells, "IsStorageFixedSize", lambda: False)()) == vtk_at_least(9, 7)


def test_one_type_of_another_size_than_cells_of_one_size_is_refused():
    mesh, _ = _many_tetrahedra(10)
    mesh["Cells"]["CellTypes"][:] = 12  # hexahedra, 8 points each
    with pytest.raises(ArrayDictError, match="cell 0 is a vtkHexahedron .type 12., which has 8 points, but it has 4"):
        dict_to_mesh(mesh)
    mesh["Cells"]["CellTypes"][3] = 9  # a quad among hexahedra
    with pytest.raises(ArrayDictError, match="cell 0 is a vtkHexahedron"):
        dict_to_mesh(mesh)
    mesh["Cells"]["CellTypes"][:] = 9  # quads and tetrahedra both have 4 points
    mesh["Cells"]["CellTypes"][5] = 10
    assert dict_to_mesh(mesh).GetCellType(5) == 10
