"""Surfaces: vmtk's vmtksurfacetonumpy and vmtknumpytosurface beside this package's, on vmtk's test data.

What vmtk gets wrong, found by running vmtk 1.5.2 on VTK 9.6:

- ``vmtkSurfaceToNumpy`` writes the ids of every cell into an int32 ``(M, k)`` array, ``k`` being the
  size of the first cell: it fails on a later, smaller cell (cow.vtp) and cuts larger ones silently;
- ``vmtkNumpyToSurface`` stores every floating array as float32 and every integer array as int32,
  and makes the last one-component point array the active scalars and every k-component point array
  the active vectors (normals included);
- given cell data arrays, ``vmtkNumpyToSurface`` gives them as many components as the last point array
  has, or fails when there is no point data.

Everything else it gives the same as this package: points and data arrays, values and dtypes.
"""

import numpy as np
import pytest
from vtkmodules.vtkCommonCore import vtkIdList

from vmtkscripts_numpy import dict_to_polydata, polydata_to_dict, read_surface

EXTENSIONS = ("CellTypes", "FieldData", "ActiveArrays", "ArrayTypes")


def cells_as_vtk_gives_them(polydata):
    """Every cell's point ids, one cell at a time through VTK's own API."""
    ids = vtkIdList()
    cells = []
    for cell in range(polydata.GetNumberOfCells()):
        polydata.GetCellPoints(cell, ids)
        cells.append([ids.GetId(i) for i in range(ids.GetNumberOfIds())])
    return cells


# --- both sides' dicts of the same surface ---------------------------------------------------------


def test_both_give_the_same_points_and_data_and_vmtk_narrows_the_ids_to_int32(
    triangle_surface, run_vmtk, run_ours, compare, only_in_ours
):
    theirs = run_vmtk("vmtkSurfaceToNumpy", Surface=triangle_surface).ArrayDict
    ours = run_ours("vmtkSurfaceToNumpy", Surface=triangle_surface).ArrayDict

    stored_as = "int64" if triangle_surface.GetPolys().IsStorage64Bit() else "int32"
    assert compare(theirs, ours) == {
        "CellData/CellPointIds": f"dtype: vmtk int32, ours {stored_as}",
        **only_in_ours(*EXTENSIONS),
    }
    assert ours["CellData"]["CellPointIds"].tolist() == cells_as_vtk_gives_them(triangle_surface)


def test_vmtk_fails_on_cows_mixed_polygons_which_this_package_keeps(vmtk_test_data, run_vmtk, run_ours):
    cow = read_surface(vmtk_test_data("cow.vtp"))

    with pytest.raises(ValueError, match="ptId < GetPointIds"):
        # cell 0 is a quad: vmtk reads 4 ids of every cell, and cell 2 is a triangle
        run_vmtk("vmtkSurfaceToNumpy", Surface=cow)
    ours = run_ours("vmtkSurfaceToNumpy", Surface=cow).ArrayDict

    assert [cell.tolist() for cell in ours["CellData"]["CellPointIds"]] == cells_as_vtk_gives_them(cow)
    assert sorted({len(cell) for cell in ours["CellData"]["CellPointIds"]}) == [3, 4, 5, 6]


def test_vmtk_silently_cuts_cells_larger_than_the_first_which_this_package_keeps(run_vmtk, run_ours):
    points = np.random.default_rng(3).random((7, 3))
    surface = dict_to_polydata({"Points": points, "CellData": {
        "CellPointIds": [np.array([0, 1, 2]), np.array([2, 3, 4, 5]), np.array([1, 2, 4, 5, 6])]}})

    theirs = run_vmtk("vmtkSurfaceToNumpy", Surface=surface).ArrayDict
    ours = run_ours("vmtkSurfaceToNumpy", Surface=surface).ArrayDict

    assert theirs["CellData"]["CellPointIds"].tolist() == [[0, 1, 2], [2, 3, 4], [1, 2, 4]]
    assert [cell.tolist() for cell in ours["CellData"]["CellPointIds"]] == [[0, 1, 2], [2, 3, 4, 5], [1, 2, 4, 5, 6]]


# --- vmtk's dicts through this package -------------------------------------------------------------


def test_vmtks_surface_dict_gives_back_the_surface_through_this_package(triangle_surface, run_vmtk, compare):
    theirs = run_vmtk("vmtkSurfaceToNumpy", Surface=triangle_surface).ArrayDict

    back = polydata_to_dict(dict_to_polydata(theirs))

    original = polydata_to_dict(triangle_surface)
    # vmtk's int32 ids are kept as they are given; vmtk's layout has no active attributes
    stored_as = original["CellData"]["CellPointIds"].dtype
    active = {f"ActiveArrays/PointData/{role}": "only in ours" for role in original["ActiveArrays"]["PointData"]}
    assert compare(back, original) == {"CellData/CellPointIds": f"dtype: vmtk int32, ours {stored_as}", **active}


def test_vmtks_dict_of_cow_from_its_centerline_script_gives_back_every_polygon(vmtk_test_data, run_vmtk):
    cow = read_surface(vmtk_test_data("cow.vtp"))
    # vmtk's surface script cannot convert cow.vtp (above); its centerline script gives a list of cells
    theirs = run_vmtk("vmtkCenterlinesToNumpy", Centerlines=cow).ArrayDict

    back = dict_to_polydata(theirs)

    assert back.GetNumberOfPolys() == cow.GetNumberOfPolys() == 3263
    assert cells_as_vtk_gives_them(back) == cells_as_vtk_gives_them(cow)


# --- this package's dicts through vmtk -------------------------------------------------------------


# vmtk makes every k-component point array the active vectors, so normals come back as vectors
NORMALS_BECOME_VECTORS = {"ActiveArrays/PointData/Vectors": "only in vmtk",
                          "ActiveArrays/PointData/Normals": "only in ours"}
VMTK_LOSSES = {
    "aorta-surface.vtp": NORMALS_BECOME_VECTORS,
    "aorta-surface-two-segments.vtp": NORMALS_BECOME_VECTORS,
    # and it stores float64 as float32
    "aorta-surface-branch-split.vtp": {
        **NORMALS_BECOME_VECTORS, "PointData/ClippingArray": "dtype: vmtk float32, ours float64; values differ"},
    "aorta-surface.stl": {},
}


def test_this_packages_surface_dict_comes_back_through_vmtk_with_vmtks_known_losses(
    triangle_surface, triangle_surface_name, run_vmtk, compare
):
    ours = polydata_to_dict(triangle_surface)

    back = polydata_to_dict(run_vmtk("vmtkNumpyToSurface", ArrayDict=ours).Surface)

    assert compare(back, ours) == VMTK_LOSSES[triangle_surface_name]


def test_vmtk_narrows_float64_surface_data_to_float32(vmtk_test_data, run_vmtk):
    ours = polydata_to_dict(read_surface(vmtk_test_data("aorta-surface-branch-split.vtp")))
    assert ours["PointData"]["ClippingArray"].dtype == np.float64

    back = polydata_to_dict(run_vmtk("vmtkNumpyToSurface", ArrayDict=ours).Surface)

    clipping = ours["PointData"]["ClippingArray"]
    np.testing.assert_array_equal(back["PointData"]["ClippingArray"], clipping.astype(np.float32))
    assert back["PointData"]["ClippingArray"].dtype == np.float32


def test_this_packages_dict_of_cow_comes_back_through_vmtk(vmtk_test_data, run_vmtk):
    cow = read_surface(vmtk_test_data("cow.vtp"))
    ours = polydata_to_dict(cow)

    back = run_vmtk("vmtkNumpyToSurface", ArrayDict=ours).Surface

    assert cells_as_vtk_gives_them(back) == cells_as_vtk_gives_them(cow)


def surface_with_cell_data(point_data):
    rng = np.random.default_rng(4)
    return {
        "Points": rng.random((8, 3)), "PointData": point_data,
        "CellData": {"Quality": rng.random(4), "GroupIds": np.arange(4, dtype=np.int64),
                     "CellPointIds": np.array([[0, 1, 2], [2, 3, 4], [4, 5, 6], [5, 6, 7]])},
    }


def shapes_and_dtypes(arrays):
    return {name: (array.shape, str(array.dtype)) for name, array in arrays.items() if name != "CellPointIds"}


def test_vmtk_fails_on_surface_cell_data_without_point_data(run_vmtk):
    ours = surface_with_cell_data({})

    with pytest.raises(UnboundLocalError, match="pointDataComponents"):
        run_vmtk("vmtkNumpyToSurface", ArrayDict=ours)
    back = polydata_to_dict(dict_to_polydata(ours))

    assert shapes_and_dtypes(back["CellData"]) == {"Quality": ((4,), "float64"), "GroupIds": ((4,), "int64")}


@pytest.mark.parametrize("point_data, cell_shape", [
    ({"Radius": np.linspace(1, 2, 8)}, (4,)),
    ({"Normals": np.ones((8, 3))}, (1, 3)),
], ids=["last point array of one component", "last point array of three components"])
def test_vmtk_gives_surface_cell_data_the_components_of_the_last_point_array(point_data, cell_shape, run_vmtk):
    ours = surface_with_cell_data(point_data)

    back = polydata_to_dict(run_vmtk("vmtkNumpyToSurface", ArrayDict=ours).Surface)

    # four cells: one component keeps four values, three components make one tuple of the first three
    assert shapes_and_dtypes(back["CellData"]) == {
        "Quality": (cell_shape, "float32"), "GroupIds": (cell_shape, "int32")}
    np.testing.assert_array_equal(back["CellData"]["GroupIds"].ravel(), np.arange(4)[:np.prod(cell_shape)])
