import warnings

import numpy as np
import pytest

from vmtkscripts_numpy import dict_to_mesh, mesh_to_dict
from vmtkscripts_numpy.bridges import from_meshio, to_meshio
from vmtkscripts_numpy.errors import ArrayDictError, LossWarning

from .meshes import mixed_mesh_dict

meshio = pytest.importorskip("meshio")


def test_cells_go_in_blocks_with_their_data_and_come_back_grouped():
    mesh_dict = mixed_mesh_dict()

    mesh = to_meshio(mesh_dict)
    back = from_meshio(mesh)

    assert [block.type for block in mesh.cells] == ["tetra", "wedge", "hexahedron", "triangle", "quad"]
    assert [part.tolist() for part in mesh.cell_data["Region"]] == [[0, 40], [10], [20], [30], [50]]
    np.testing.assert_array_equal(back["Points"], mesh_dict["Points"])
    np.testing.assert_array_equal(back["PointData"]["Velocity"], mesh_dict["PointData"]["Velocity"])
    assert back["PointData"]["Velocity"].dtype == np.float32
    np.testing.assert_array_equal(back["CellData"]["Region"], [0, 40, 10, 20, 30, 50])
    np.testing.assert_array_equal(back["Cells"]["CellTypes"], [10, 10, 13, 12, 5, 9])
    np.testing.assert_array_equal(back["FieldData"]["Scale"], [2.5])
    # The regrouped mesh is the same mesh: VTK reads it as cells in that order.
    again = mesh_to_dict(dict_to_mesh(back))
    np.testing.assert_array_equal(again["Cells"]["CellPointIds"][:10], [4, 0, 1, 2, 3, 4, 3, 4, 5, 6])


def test_a_wedge_is_numbered_as_meshio_numbers_it():
    mesh = to_meshio(mixed_mesh_dict())

    np.testing.assert_array_equal(mesh.cells_dict["wedge"], [[4, 6, 5, 7, 9, 8]])
    np.testing.assert_array_equal(from_meshio(mesh)["Cells"]["CellPointIds"][10:17], [6, 4, 5, 6, 7, 8, 9])


def test_a_meshio_mesh_from_the_issue_converts_in_one_line():
    mesh = meshio.Mesh(np.array([[0.0, 0], [1, 0], [0, 1], [1, 1]]), [("triangle", np.array([[0, 1, 2], [1, 3, 2]]))],
                       cell_data={"Id": [np.array([7, 8])]})

    grid = dict_to_mesh(from_meshio(mesh))

    assert grid.GetNumberOfCells() == 2 and grid.GetPoint(3) == (1.0, 1.0, 0.0)
    assert grid.GetCellData().GetArray("Id").GetValue(1) == 8


def test_a_surface_goes_to_meshio_too():
    surface = {"Points": np.eye(4, 3), "CellData": {"CellPointIds": np.array([[0, 1, 2], [1, 2, 3]]),
                                                    "Area": np.array([0.5, 0.25])}}

    mesh = to_meshio(surface)

    np.testing.assert_array_equal(mesh.cells_dict["triangle"], [[0, 1, 2], [1, 2, 3]])
    np.testing.assert_array_equal(mesh.cell_data["Area"][0], [0.5, 0.25])


def test_polylines_have_no_meshio_type():
    centerlines = {"Points": np.eye(3), "CellData": {"CellPointIds": [np.arange(3)]}}

    with pytest.raises(ArrayDictError, match="type 4 has no meshio equivalent"):
        to_meshio(centerlines)


def test_text_arrays_are_left_out_with_a_warning():
    from vtkmodules.vtkCommonCore import vtkStringArray

    grid = dict_to_mesh(mixed_mesh_dict())
    note = vtkStringArray()
    note.SetName("Note")
    note.InsertNextValue("made in a test")
    grid.GetFieldData().AddArray(note)

    with pytest.warns(LossWarning, match="Note"):
        mesh = to_meshio(grid)

    assert "Note" not in mesh.field_data and "Scale" in mesh.field_data


def test_cell_data_that_does_not_match_the_blocks_is_refused():
    mesh = meshio.Mesh(np.eye(3), [("triangle", np.array([[0, 1, 2]]))])
    mesh.cell_data["Id"] = [np.array([1, 2])]

    with pytest.raises(ArrayDictError, match="Id"):
        from_meshio(mesh)


def test_a_cell_type_vtk_has_not_is_refused():
    mesh = meshio.Mesh(np.eye(3), [("triangle", np.array([[0, 1, 2]]))])
    mesh.cells[0].type = "unknown_shape"

    with warnings.catch_warnings(), pytest.raises(ArrayDictError, match="unknown_shape"):
        from_meshio(mesh)
