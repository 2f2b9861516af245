"""Meshes: vmtk's vmtkmeshtonumpy and vmtknumpytomesh beside this package's.

What vmtk gets wrong, found by running vmtk 1.5.2 on VTK 9.6:

- ``vmtkMeshToNumpy`` writes as ``Cells['CellLocations']`` what VTK 9 calls cell locations: where each
  cell's ids start in the connectivity *without* the counts. They do not index its own flat
  ``CellPointIds`` (which has the counts), as vmtk's documentation and VTK < 9 have them;
- with ``StructureCellsAsList`` it cuts that flat array at those locations, so every cell of its list
  has the wrong ids (a tetrahedron gets three);
- it leaves VTK's ``dataset_adapter.VTKArray`` objects in its dict as the data arrays, which is why its
  pickles need VTK to load with ``pickle.load`` (this package loads them as plain arrays).

``vmtkNumpyToMesh`` gets the mesh right both from vmtk's dict and from this package's (VTK 9 ignores
the locations it is given). vmtk's layout has no active attributes, so they are lost either way.
"""

import numpy as np
import pytest

from vmtkscripts_numpy import dict_to_mesh, mesh_to_dict
from vmtkscripts_numpy.errors import ArrayDictError

EXTENSIONS = ("FieldData", "ActiveArrays", "ArrayTypes")


def cells_as_vtk_gives_them(grid):
    from vtkmodules.vtkCommonCore import vtkIdList

    ids = vtkIdList()
    cells = []
    for cell in range(grid.GetNumberOfCells()):
        grid.GetCellPoints(cell, ids)
        cells.append([ids.GetId(i) for i in range(ids.GetNumberOfIds())])
    return cells


def vtk9_locations(grid):
    """Where VTK 9 says each cell starts: in the connectivity without the counts."""
    return np.cumsum([0] + [len(cell) for cell in cells_as_vtk_gives_them(grid)])[:-1]


def active_attributes_lost(array_dict):
    """vmtk's layout has no active attributes: the differences their loss makes, in ``compare``'s words."""
    return {f"ActiveArrays/{section}/{role}": "only in ours"
            for section in ("PointData", "CellData") for role in array_dict["ActiveArrays"][section]}


# --- both sides' dicts of the same mesh ------------------------------------------------------------


def test_both_give_the_same_mesh_but_vmtk_leaves_vtk_arrays_and_wrong_cell_locations(
    mesh, run_vmtk, run_ours, compare, only_in_ours
):
    theirs = run_vmtk("vmtkMeshToNumpy", Mesh=mesh).ArrayDict
    ours = run_ours("vmtkMeshToNumpy", Mesh=mesh).ArrayDict

    expected = {"Cells/CellLocations": "values differ", **only_in_ours(*EXTENSIONS)}
    for section in ("PointData", "CellData"):
        if ours[section]:
            expected.update({f"{section}/{name}": "type: vmtk VTKArray, ours ndarray" for name in ours[section]})
        else:  # vmtk has a section only when it holds arrays
            expected[section] = "only in ours"
    assert compare(theirs, ours) == expected


def test_vmtks_cell_locations_do_not_index_its_cell_point_ids_and_this_packages_do(mesh, run_vmtk, run_ours):
    theirs = run_vmtk("vmtkMeshToNumpy", Mesh=mesh).ArrayDict["Cells"]
    ours = run_ours("vmtkMeshToNumpy", Mesh=mesh).ArrayDict["Cells"]

    sizes = [len(cell) for cell in cells_as_vtk_gives_them(mesh)]
    np.testing.assert_array_equal(ours["CellPointIds"][ours["CellLocations"]], sizes)
    np.testing.assert_array_equal(theirs["CellLocations"], vtk9_locations(mesh))
    assert not np.array_equal(theirs["CellPointIds"][theirs["CellLocations"]], sizes)


def test_vmtks_cells_as_list_are_cut_at_vtk9_locations_and_this_packages_are_the_cells(mesh, run_vmtk, run_ours):
    theirs = run_vmtk("vmtkMeshToNumpy", Mesh=mesh, StructureCellsAsList=1).ArrayDict["Cells"]["CellPointIds"]
    ours = run_ours("vmtkMeshToNumpy", Mesh=mesh, StructureCellsAsList=1).ArrayDict["Cells"]["CellPointIds"]

    assert [cell.tolist() for cell in ours] == cells_as_vtk_gives_them(mesh)
    # vmtk's cell i: the flat layout [n0, id, ..., n1, id, ...] from VTK 9's location i, its first entry dropped
    flat = mesh_to_dict(mesh)["Cells"]["CellPointIds"]
    cuts = [part[1:].tolist() for part in np.split(flat, vtk9_locations(mesh)[1:])]
    assert [cell.tolist() for cell in theirs] == cuts != cells_as_vtk_gives_them(mesh)


def test_this_package_refuses_vmtks_cells_as_list_naming_a_cell_of_the_wrong_size(mesh, run_vmtk):
    theirs = run_vmtk("vmtkMeshToNumpy", Mesh=mesh, StructureCellsAsList=1).ArrayDict

    # "... cell 0 is a vtkTetra (type 10), which has 4 points, but it has 3 point ids", any number but 4
    wrong_size = r"CellTypes'\]: cell \d+ is a vtk\w+ \(type \d+\), which has (\d+) points, but it has (?!\1\b)\d+ "
    with pytest.raises(ArrayDictError, match=wrong_size):
        dict_to_mesh(theirs)


# --- vmtk's dicts through this package -------------------------------------------------------------


def test_vmtks_mesh_dict_gives_back_the_mesh_through_this_package(mesh, run_vmtk, compare):
    theirs = run_vmtk("vmtkMeshToNumpy", Mesh=mesh).ArrayDict

    back = mesh_to_dict(dict_to_mesh(theirs))

    original = mesh_to_dict(mesh)
    assert compare(back, original) == active_attributes_lost(original)


# --- this package's dicts through vmtk -------------------------------------------------------------


def test_this_packages_mesh_dict_comes_back_through_vmtk(mesh, run_vmtk, compare):
    ours = mesh_to_dict(mesh)

    back = mesh_to_dict(run_vmtk("vmtkNumpyToMesh", ArrayDict=ours).Mesh)

    assert compare(back, ours) == active_attributes_lost(ours)


def test_this_packages_cells_as_list_come_back_through_vmtks_flatten_option(mesh, run_vmtk):
    ours = mesh_to_dict(mesh, cells_as_list=True)

    back = run_vmtk("vmtkNumpyToMesh", ArrayDict=ours, FlattenListOfCells=1).Mesh

    assert cells_as_vtk_gives_them(back) == cells_as_vtk_gives_them(mesh)
