import numpy as np
import pytest

from vmtkscripts_numpy import dict_from_array, dict_to_mesh
from vmtkscripts_numpy.bridges import cell_blocks, cells_by_type
from vmtkscripts_numpy.errors import ArrayDictError

from .meshes import mixed_mesh_dict


def test_cells_are_grouped_by_type_in_order_of_first_appearance():
    grouped = cells_by_type(mixed_mesh_dict())

    assert list(grouped) == [10, 13, 12, 5, 9]
    np.testing.assert_array_equal(grouped[10], [[0, 1, 2, 3], [3, 4, 5, 6]])
    np.testing.assert_array_equal(grouped[13], [[4, 5, 6, 7, 8, 9]])
    np.testing.assert_array_equal(grouped[9], [[0, 5, 10, 15]])


def test_a_vtk_object_groups_as_its_dict_does():
    mesh_dict = mixed_mesh_dict()

    from_object = cells_by_type(dict_to_mesh(mesh_dict))

    assert {key: value.tolist() for key, value in from_object.items()} == {
        key: value.tolist() for key, value in cells_by_type(mesh_dict).items()
    }


def test_blocks_say_which_cells_they_hold():
    blocks = cell_blocks(mixed_mesh_dict())

    assert [block.cell_ids.tolist() for block in blocks] == [[0, 4], [1], [2], [3], [5]]


def test_polygons_of_several_sizes_make_one_block_per_size_and_no_single_array():
    surface = {"Points": np.eye(6, 3), "CellTypes": np.array([7, 7, 7], np.uint8), "CellData": {
        "CellPointIds": [np.arange(5), np.array([0, 2, 4, 1, 3, 5]), np.array([5, 4, 3, 2, 1])]}}

    blocks = cell_blocks(surface)

    assert [(block.cell_type, block.point_ids.shape, block.cell_ids.tolist()) for block in blocks] == [
        (7, (2, 5), [0, 2]), (7, (1, 6), [1])]
    with pytest.raises(ArrayDictError, match="type 7 have 5 and 6 points"):
        cells_by_type(surface)


def test_an_image_has_no_cells_to_group():
    with pytest.raises(ArrayDictError, match="index_to_physical"):
        cells_by_type(dict_from_array(np.zeros((2, 2, 2))))
