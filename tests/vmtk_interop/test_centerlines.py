"""Centerlines: vmtk's vmtkcenterlinestonumpy and vmtknumpytocenterlines beside this package's.

What vmtk gets wrong, found by running vmtk 1.5.2 on VTK 9.6:

- ``vmtkCenterlinesToNumpy`` copies each line's ids into int32 arrays (it keeps the cell data arrays);
- ``vmtkNumpyToCenterlines`` adds each cell data array as it meets it in ``CellData``: an array met
  before ``CellPointIds`` has no cells to go with yet, and VTK's ``dataset_adapter`` turns it into an
  empty array of as many components as there are lines (``(0, M)``). Only arrays after ``CellPointIds``
  survive; vmtk's own dicts have them before, so vmtk's own round trip loses every cell data array.

vmtk's layout has no cell types: every cell is a line to it, so the single vertex of
aorta-centerline-referencesystem.vtp comes back as a one-point line on either way through vmtk.
Everything else (points, data arrays, their dtypes, each line's ids) is the same on both sides.
"""

import numpy as np
import pytest

from vmtkscripts_numpy import centerlines_to_dict, dict_to_centerlines

EXTENSIONS = ("CellTypes", "FieldData", "ActiveArrays", "ArrayTypes")
#: The files whose lines carry cell data (CenterlineIds, GroupIds, ...).
WITH_CELL_DATA = ["aorta-centerline-branches.vtp", "aorta-centerline-attribute-branches.vtp",
                  "twelve-line-centerlines.vtp"]
VTK_VERTEX, VTK_POLY_LINE = 1, 4


def lines_as_vtk_gives_them(polydata):
    from vtkmodules.vtkCommonCore import vtkIdList

    ids = vtkIdList()
    lines = []
    for cell in range(polydata.GetNumberOfCells()):
        polydata.GetCellPoints(cell, ids)
        lines.append([ids.GetId(i) for i in range(ids.GetNumberOfIds())])
    return lines


def ids_storage(polydata):
    cells = polydata.GetLines() if polydata.GetNumberOfLines() else polydata.GetVerts()
    return "int64" if cells.IsStorage64Bit() else "int32"


def vertex_becomes_a_line(centerlines_name):
    """What vmtk's layout, which has no cell types, loses of the file: the referencesystem's one vertex."""
    return {"CellTypes": "values differ"} if centerlines_name == "aorta-centerline-referencesystem.vtp" else {}


# --- both sides' dicts of the same centerlines -----------------------------------------------------


def test_both_give_the_same_points_and_data_and_vmtk_narrows_each_lines_ids_to_int32(
    centerlines, run_vmtk, run_ours, compare, only_in_ours
):
    theirs = run_vmtk("vmtkCenterlinesToNumpy", Centerlines=centerlines).ArrayDict
    ours = run_ours("vmtkCenterlinesToNumpy", Centerlines=centerlines).ArrayDict

    assert compare(theirs, ours) == {
        "CellData/CellPointIds/*": f"dtype: vmtk int32, ours {ids_storage(centerlines)}",
        **only_in_ours(*EXTENSIONS),
    }
    assert [line.tolist() for line in ours["CellData"]["CellPointIds"]] == lines_as_vtk_gives_them(centerlines)


@pytest.mark.parametrize("centerlines_name", WITH_CELL_DATA)
def test_both_interpolate_cell_data_to_the_points_alike(centerlines, run_vmtk, run_ours, compare, only_in_ours):
    theirs = run_vmtk("vmtkCenterlinesToNumpy", Centerlines=centerlines, ConvertCellToPoint=1).ArrayDict
    ours = run_ours("vmtkCenterlinesToNumpy", Centerlines=centerlines, ConvertCellToPoint=1).ArrayDict

    assert compare(theirs, ours) == {
        "CellData/CellPointIds/*": f"dtype: vmtk int32, ours {ids_storage(centerlines)}",
        **only_in_ours(*EXTENSIONS),
    }
    assert "CenterlineIds" in ours["PointData"] and list(ours["CellData"]) == ["CellPointIds"]


# --- vmtk's dicts through this package -------------------------------------------------------------


def test_vmtks_centerline_dict_gives_back_the_centerlines_through_this_package(
    centerlines, centerlines_name, run_vmtk, compare
):
    theirs = run_vmtk("vmtkCenterlinesToNumpy", Centerlines=centerlines).ArrayDict

    back = centerlines_to_dict(dict_to_centerlines(theirs))

    original = centerlines_to_dict(centerlines)
    # vmtk's int32 ids are kept as they are given
    assert compare(back, original) == {
        "CellData/CellPointIds/*": f"dtype: vmtk int32, ours {ids_storage(centerlines)}",
        **vertex_becomes_a_line(centerlines_name),
    }


@pytest.mark.parametrize("centerlines_name", WITH_CELL_DATA)
def test_vmtks_own_round_trip_empties_the_cell_data_which_this_package_keeps(centerlines, run_vmtk, compare):
    theirs = run_vmtk("vmtkCenterlinesToNumpy", Centerlines=centerlines).ArrayDict
    assert list(theirs["CellData"])[-1] == "CellPointIds"  # vmtk writes the cell arrays first

    vmtks_back = centerlines_to_dict(run_vmtk("vmtkNumpyToCenterlines", ArrayDict=theirs).Centerlines)
    our_back = centerlines_to_dict(dict_to_centerlines(theirs))

    lines = centerlines.GetNumberOfCells()
    assert {name: array.shape for name, array in cell_data_arrays(vmtks_back).items()} == {
        name: (0, lines) for name in cell_data_arrays(theirs)}
    assert compare(cell_data_arrays(theirs), cell_data_arrays(our_back)) == {}


def test_the_referencesystems_vertex_comes_back_as_a_one_point_line_from_vmtks_dict(vmtk_test_data, run_vmtk):
    from vmtkscripts_numpy import read_surface

    vertex = read_surface(vmtk_test_data("aorta-centerline-referencesystem.vtp"))
    theirs = run_vmtk("vmtkCenterlinesToNumpy", Centerlines=vertex).ArrayDict

    back = centerlines_to_dict(dict_to_centerlines(theirs))

    assert centerlines_to_dict(vertex)["CellTypes"].tolist() == [VTK_VERTEX]
    assert back["CellTypes"].tolist() == [VTK_POLY_LINE]
    assert [line.tolist() for line in back["CellData"]["CellPointIds"]] == [[0]]


# --- this package's dicts through vmtk -------------------------------------------------------------


def cell_data_arrays(array_dict):
    return {name: array for name, array in array_dict["CellData"].items() if name != "CellPointIds"}


def without_cell_data_arrays(array_dict):
    return {**array_dict, "CellData": {"CellPointIds": array_dict["CellData"]["CellPointIds"]}}


def test_vmtk_rebuilds_the_lines_and_point_data_of_this_packages_centerlines(
    centerlines, centerlines_name, run_vmtk, compare
):
    ours = centerlines_to_dict(centerlines)

    back = centerlines_to_dict(run_vmtk("vmtkNumpyToCenterlines", ArrayDict=ours).Centerlines)

    # the cell data arrays are the next test's
    assert compare(without_cell_data_arrays(back), without_cell_data_arrays(ours)) == vertex_becomes_a_line(
        centerlines_name
    )


@pytest.mark.parametrize("centerlines_name", WITH_CELL_DATA)
def test_vmtk_keeps_every_cell_data_array_of_this_packages_centerlines(centerlines, run_vmtk, compare):
    """Holds once this package puts ``CellPointIds`` first in ``CellData``: vmtk empties the arrays before it."""
    ours = centerlines_to_dict(centerlines)

    back = centerlines_to_dict(run_vmtk("vmtkNumpyToCenterlines", ArrayDict=ours).Centerlines)

    assert compare(cell_data_arrays(back), cell_data_arrays(ours)) == {}


def lines_with_cell_data(order):
    rng = np.random.default_rng(8)
    ids = [np.arange(0, 4), np.arange(4, 9), np.arange(9, 12)]
    arrays = {"CenterlineIds": np.array([0, 1, 2], np.int32), "Length": rng.random(3)}
    cell_data = {"CellPointIds": ids, **arrays} if order == "ids first" else {**arrays, "CellPointIds": ids}
    return {"Points": rng.random((12, 3)), "PointData": {"Radius": rng.random(12)}, "CellData": cell_data}


def test_vmtk_empties_centerline_cell_arrays_that_come_before_the_ids(run_vmtk):
    vmtks_order = lines_with_cell_data("arrays first")

    back = centerlines_to_dict(run_vmtk("vmtkNumpyToCenterlines", ArrayDict=vmtks_order).Centerlines)

    # three lines: each array becomes an empty array of three components
    assert {name: (array.shape, str(array.dtype)) for name, array in cell_data_arrays(back).items()} == {
        "CenterlineIds": ((0, 3), "int32"), "Length": ((0, 3), "float64")}


def test_vmtk_keeps_centerline_cell_arrays_that_come_after_the_ids(run_vmtk, compare):
    ids_first = lines_with_cell_data("ids first")

    back = centerlines_to_dict(run_vmtk("vmtkNumpyToCenterlines", ArrayDict=ids_first).Centerlines)

    assert compare(cell_data_arrays(back), cell_data_arrays(ids_first)) == {}
