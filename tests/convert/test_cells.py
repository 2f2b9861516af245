"""The shortcuts the converters take for speed give exactly what the general paths give.

Surfaces whose cells all have k points skip reading the offsets, one-type
``CellTypes`` are checked once, meshes of one cell size are laid out as one
block, lists of cells are cut with plain slices, point ids are checked in
one pass, and long arrays are checked block by block. Each test compares a
shortcut with the general answer or with the error the general path gives.
"""

import numpy as np
import pytest
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData, vtkUnstructuredGrid

from vmtkscripts_numpy.convert import cells as cells_module
from vmtkscripts_numpy.convert.arrays import numpy_to_vtk, vtk_to_numpy
from vmtkscripts_numpy.convert.cells import (
    all_equal,
    legacy_to_offsets,
    numpy_to_cell_array,
    offsets_to_cell_point_ids,
    offsets_to_legacy,
    steps_equal,
)
from vmtkscripts_numpy.convert.mesh import dict_to_mesh, mesh_to_dict
from vmtkscripts_numpy.convert.polydata import dict_to_centerlines, dict_to_polydata, polydata_to_dict
from vmtkscripts_numpy.convert.validate import check_point_ids
from vmtkscripts_numpy.errors import ArrayDictError, LossWarning

rng = np.random.default_rng(11)


def surface(cells, kind="polys", points=20):
    """A polydata whose ``kind`` cell array holds ``cells`` (a list of id lists), with VTK's own storage."""
    polydata = vtkPolyData()
    polydata.SetPoints(
        dict_to_polydata({"Points": rng.random((points, 3)), "CellData": {"CellPointIds": []}}).GetPoints()
    )
    array = vtkCellArray()
    for cell in cells:
        array.InsertNextCell(len(cell), cell)
    getattr(polydata, "Set" + kind.capitalize())(array)
    return polydata


# --- surfaces: all cells of one size -----------------------------------------------


@pytest.mark.parametrize(
    ("kind", "size", "cell_type"),
    [
        ("polys", 3, 5),
        ("polys", 4, 9),
        ("polys", 6, 7),
        ("lines", 2, 3),
        ("lines", 5, 4),
        ("verts", 1, 1),
        ("strips", 5, 6),
    ],
)
def test_cells_of_one_size_come_as_an_array_with_their_type(kind, size, cell_type):
    cells = rng.integers(0, 20, (15, size)).tolist()
    for copy in (True, False):
        array_dict = polydata_to_dict(surface(cells, kind), copy=copy)
        assert array_dict["CellData"]["CellPointIds"].tolist() == cells
        assert array_dict["CellTypes"].tolist() == [cell_type] * 15
        assert array_dict["CellTypes"].dtype == np.uint8


def test_cells_of_different_sizes_in_one_array_still_come_as_a_list():
    cells = [[0, 1, 2], [2, 3, 4, 5], [5, 6, 7]]
    array_dict = polydata_to_dict(surface(cells))
    assert [ids.tolist() for ids in array_dict["CellData"]["CellPointIds"]] == cells
    assert array_dict["CellTypes"].tolist() == [5, 9, 5]


def test_the_ids_copy_owns_its_memory_and_the_view_shares_vtks():
    polydata = surface(rng.integers(0, 20, (10, 3)).tolist())
    vtk_ids = vtk_to_numpy(polydata.GetPolys().GetConnectivityArray(), copy=False)
    assert not np.shares_memory(polydata_to_dict(polydata)["CellData"]["CellPointIds"], vtk_ids)
    assert np.shares_memory(polydata_to_dict(polydata, copy=False)["CellData"]["CellPointIds"], vtk_ids)


def test_32_bit_cell_storage_gives_int32_ids():
    polydata = surface(rng.integers(0, 20, (10, 3)).tolist())
    polydata.GetPolys().ConvertTo32BitStorage()
    ids = polydata_to_dict(polydata)["CellData"]["CellPointIds"]
    assert ids.dtype == np.int32 and ids.shape == (10, 3)


# --- surfaces: the other way ----------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_cells_from_numpy_are_taken_in_both_widths_and_share_their_memory(dtype):
    # VTK 9.3 to 9.5 answer SetData for these arrays with None instead of True: still taken.
    offsets, connectivity = np.array([0, 3, 7], dtype), np.arange(7, dtype=dtype)

    cells = numpy_to_cell_array(offsets, connectivity)

    assert (cells.GetNumberOfCells(), cells.GetCellSize(0), cells.GetCellSize(1)) == (2, 3, 4)
    assert cells.IsStorage64Bit() == (dtype == np.int64)
    stored = vtk_to_numpy(cells.GetConnectivityArray(), copy=False)
    assert stored.dtype == dtype and np.shares_memory(stored, connectivity)
    assert vtk_to_numpy(cells.GetOffsetsArray()).tolist() == [0, 3, 7]


def test_copies_leave_the_dict_alone_for_arrays_and_lists():
    ids = rng.integers(0, 20, (12, 3))
    copied = dict_to_polydata({"Points": rng.random((20, 3)), "CellData": {"CellPointIds": ids}}, share=False)
    ids[:] = 0
    assert vtk_to_numpy(copied.GetPolys().GetConnectivityArray()).max() > 0
    lines = [np.arange(5), np.arange(5, 9)]
    centerlines = dict_to_centerlines({"Points": rng.random((9, 3)), "CellData": {"CellPointIds": lines}}, share=False)
    lines[0][:] = 0
    assert vtk_to_numpy(centerlines.GetLines().GetConnectivityArray()).tolist() == list(range(9))


@pytest.mark.parametrize(
    ("ids", "types", "message"),
    [
        (np.zeros((3, 4), int), [5, 5, 5], r"cell 0 has type 5, which has 3 points, but it has 4 point ids"),
        ([np.arange(3), np.arange(3), np.arange(4)], [5, 5, 5], r"cell 2 has type 5, which has 3 points, but it has 4"),
        (np.zeros((2, 3), int), [42, 42], r"cell 0 has type 42, which a polydata cannot hold"),
        ([np.arange(3), np.arange(2)], [3, 3], r"cell 0 has type 3, which has 2 points, but it has 3 point ids"),
    ],
)
def test_one_type_for_every_cell_is_checked_like_mixed_types(ids, types, message):
    with pytest.raises(ArrayDictError, match=message):
        dict_to_polydata({"Points": np.zeros((5, 3)), "CellData": {"CellPointIds": ids}, "CellTypes": types})


def test_one_type_for_every_cell_puts_them_in_its_cell_array():
    polygons = [np.arange(5), np.arange(3), np.arange(4)]
    with pytest.warns(LossWarning, match=r"cell 1 \(and 1 more\) has type 7 and 3 point ids, which VTK names type 5"):
        polydata = dict_to_polydata(
            {"Points": np.zeros((5, 3)), "CellData": {"CellPointIds": polygons}, "CellTypes": [7, 7, 7]}
        )
    assert polydata.GetNumberOfPolys() == 3
    lines = dict_to_polydata(
        {"Points": np.zeros((5, 3)), "CellData": {"CellPointIds": np.zeros((2, 2), int)}, "CellTypes": [3, 3]}
    )
    assert lines.GetNumberOfLines() == 2 and lines.GetNumberOfPolys() == 0


# --- point ids: one pass ---------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int16, np.int8])
def test_negative_ids_are_caught_in_every_signed_width(dtype):
    ids = np.array([0, 3, -1, 2], dtype)
    with pytest.raises(ArrayDictError, match=r"point id -1 is out of range"):
        check_point_ids(ids, 4, "ids")


@pytest.mark.parametrize("dtype", [np.int64, np.uint64, np.int32, np.uint32, np.uint8])
def test_ids_past_the_last_point_are_caught_and_the_rest_pass(dtype):
    check_point_ids(np.array([0, 3, 2], dtype), 4, "ids")
    with pytest.raises(ArrayDictError, match=r"point id 4 is out of range; ids must be in \[0, 3\]"):
        check_point_ids(np.array([0, 4, 2], dtype), 4, "ids")


@pytest.mark.parametrize("size", [1, 3, 64, 65, 10_000])
@pytest.mark.parametrize("bad", [-1, 7, 2**40])
def test_a_bad_id_is_caught_among_few_ids_and_among_many(size, bad):
    # Few ids are checked as Python ints, many by numpy: both find a bad id wherever it is.
    for where in {0, size // 2, size - 1}:
        ids = np.zeros(size, np.int64)
        ids[where] = bad
        with pytest.raises(ArrayDictError, match=f"point id {bad} is out of range"):
            check_point_ids(ids, 7, "ids")
    check_point_ids(np.full(size, 6, np.int64), 7, "ids")


def test_strided_ids_are_checked():
    ids = np.arange(20).reshape(4, 5)[:, ::2]
    check_point_ids(ids, 20, "ids")
    with pytest.raises(ArrayDictError, match="point id 19"):
        check_point_ids(ids, 18, "ids")


# --- lists and the flat layout ------------------------------------------------------------


def test_a_list_of_cells_is_views_of_the_connectivity_also_from_an_offset():
    connectivity = np.arange(20)
    offsets = np.array([4, 7, 7, 12, 20])
    cells = offsets_to_cell_point_ids(offsets, connectivity, "list")
    assert [cell.tolist() for cell in cells] == [list(range(4, 7)), [], list(range(7, 12)), list(range(12, 20))]
    assert all(np.shares_memory(cell, connectivity) for cell in cells if cell.size)


@pytest.mark.parametrize("size", [1, 3, 4, 8])
@pytest.mark.parametrize("ids", ["int64", "int32", "big-endian", "strided"])
def test_the_flat_layout_of_cells_of_one_size_is_the_general_one(size, ids):
    offsets = np.arange(0, 10 * size + 1, size)
    connectivity = rng.integers(0, 100, 10 * size)
    if ids == "strided":
        connectivity = np.repeat(connectivity, 3)[::3]
    elif ids != "int64":
        connectivity = connectivity.astype("int32" if ids == "int32" else ">i8")
    general = offsets_to_legacy(offsets, connectivity)
    block = offsets_to_legacy(offsets, connectivity, cell_size=size)
    for mine, expected in zip(block, general):
        np.testing.assert_array_equal(mine, expected)
        assert mine.dtype == np.int64


def test_a_mesh_of_one_cell_size_keeps_its_cells_and_types():
    connectivity = rng.integers(0, 30, (6, 4))
    grid = vtkUnstructuredGrid()
    grid.SetPoints(dict_to_polydata({"Points": rng.random((30, 3)), "CellData": {"CellPointIds": []}}).GetPoints())
    grid.SetCells(
        numpy_to_vtk(np.full(6, 10, np.uint8)), numpy_to_cell_array(np.arange(0, 25, 4), connectivity.ravel())
    )
    cells = mesh_to_dict(grid)["Cells"]
    assert cells["CellPointIds"].tolist() == np.hstack([np.full((6, 1), 4), connectivity]).ravel().tolist()
    assert cells["CellLocations"].tolist() == list(range(0, 30, 5))
    assert cells["CellTypesAsStrings"] == {"vtkTetra": np.array([10], np.uint8)}
    again = mesh_to_dict(dict_to_mesh(mesh_to_dict(grid), share=False))["Cells"]
    np.testing.assert_array_equal(again["CellPointIds"], cells["CellPointIds"])


def test_mixed_cell_types_are_listed_in_ascending_order():
    array_dict = {
        "Points": rng.random((10, 3)),
        "Cells": {
            "CellPointIds": [np.arange(4), np.arange(3), np.arange(4, 8), np.arange(2)],
            "CellTypes": np.array([10, 5, 10, 3], np.uint8),
        },
    }
    strings = mesh_to_dict(dict_to_mesh(array_dict))["Cells"]["CellTypesAsStrings"]
    assert list(strings) == ["vtkLine", "vtkTriangle", "vtkTetra"]


@pytest.mark.parametrize("vtk9_locations", [False, True])
def test_flat_cells_of_one_size_read_like_mixed_ones(vtk9_locations):
    ids = rng.integers(0, 50, (7, 4))
    flat = np.hstack([np.full((7, 1), 4), ids]).ravel()
    locations = np.arange(7) * (4 if vtk9_locations else 5)
    offsets, connectivity = legacy_to_offsets(flat, locations, "cells", "locations")
    assert offsets.tolist() == list(range(0, 29, 4))
    assert connectivity.tolist() == ids.ravel().tolist()
    assert not np.shares_memory(connectivity, flat)
    with pytest.raises(ArrayDictError, match="does not match the point counts"):
        legacy_to_offsets(flat, locations[::-1], "cells", "locations")


@pytest.mark.parametrize("dtype", [np.int64, np.int32, ">i8", np.uint16])
@pytest.mark.parametrize("contiguous", [True, False])
def test_flat_cells_of_one_size_keep_their_ids_for_any_integer_storage(dtype, contiguous):
    ids = rng.integers(0, 50, (9, 3))
    flat = np.hstack([np.full((9, 1), 3), ids]).ravel().astype(dtype)
    if not contiguous:
        flat = np.repeat(flat, 2)[::2]
    offsets, connectivity = legacy_to_offsets(flat, np.arange(9) * 4, "cells", "locations")
    assert offsets.tolist() == list(range(0, 28, 3))
    assert connectivity.tolist() == ids.ravel().tolist()
    assert connectivity.dtype == (np.int32 if np.dtype(dtype) == np.int32 else np.int64)
    assert offsets.dtype == connectivity.dtype


def test_flat_cells_that_only_look_uniform_take_the_general_path():
    # Three cells in 15 values, as three of 4 points would be, but of 4, 3 and 5 points.
    flat = np.array([4, 0, 1, 2, 3, 3, 4, 5, 6, 5, 7, 8, 9, 10, 11])
    offsets, connectivity = legacy_to_offsets(flat, [0, 5, 9], "cells", "locations")
    assert offsets.tolist() == [0, 4, 7, 12]
    assert connectivity.tolist() == list(range(12))
    with pytest.raises(ArrayDictError, match="cell 2 should start at 9, found 10"):
        legacy_to_offsets(flat, [0, 5, 10], "cells", "locations")


def test_flat_cells_of_one_size_with_one_location_off_are_refused():
    flat = np.hstack([np.full((5, 1), 2), rng.integers(0, 9, (5, 2))]).ravel()
    with pytest.raises(ArrayDictError, match="cell 3 should start at 9, found 10"):
        legacy_to_offsets(flat, [0, 3, 6, 10, 12], "cells", "locations")


@pytest.mark.parametrize("break_at", [None, 1, 3, 4, 5, 8, 10])
def test_blockwise_checks_see_a_break_in_any_block(monkeypatch, break_at):
    monkeypatch.setattr(cells_module, "_CHECK_BLOCK", 4)
    values = np.arange(0, 36, 3)  # 12 values, three blocks of steps
    column = np.full(11, 7)
    if break_at is not None:
        values[break_at] += 1
        column[break_at] = 6
    assert steps_equal(values, 3) is (break_at is None)
    assert all_equal(column, 7) is (break_at is None)


def test_blockwise_checks_of_short_arrays():
    assert steps_equal(np.empty(0, np.int64), 3) and steps_equal(np.array([5]), 3)
    assert all_equal(np.empty(0, np.int64), 1)
    assert not steps_equal(np.array([5, 7]), 3)


@pytest.mark.skipif(not cells_module.KEEPS_GIVEN_ARRAYS, reason="this VTK has no fixed-size cell storage")
@pytest.mark.parametrize("dtype", [np.int32, np.int64])
@pytest.mark.parametrize("size, count", [(3, 5), (4, 1), (2, 0)])
def test_fixed_size_cells_give_the_offsets_vtk_computes(dtype, size, count):
    cells = vtkCellArray()
    (cells.UseFixedSize32BitStorage if dtype == np.int32 else cells.UseFixedSize64BitStorage)(size)
    for cell in np.arange(count * size).reshape(count, size):
        cells.InsertNextCell(size, cell.tolist())
    offsets, connectivity = cells_module.cell_array_to_numpy(cells)
    assert cells.IsStorageFixedSize()
    assert offsets.tolist() == [cells.GetCellSize(0) * i if count else 0 for i in range(count + 1)] \
        == [0] + [cells.GetOffset(i + 1) for i in range(count)]
    assert offsets.dtype == connectivity.dtype == dtype
    assert connectivity.tolist() == list(range(count * size))
