import numpy as np
import pytest

from vmtkscripts_numpy import dict_from_array, dict_to_image, image_from_array, image_to_dict
from vmtkscripts_numpy.errors import ArrayDictError
from vmtkscripts_numpy.placement import in_frame, index_to_physical, physical_to_index, placement_from_affine

ROTATION = np.array([[0.0, -1.0, 0.0], [0.6, 0.0, 0.8], [-0.8, 0.0, 0.6]])


def placed_dict(frame="RAS", **extra):
    image_dict = dict_from_array(
        np.zeros((5, 4, 3)), spacing=(0.5, 2.0, 1.5), origin=(10.0, -20.0, 30.0), direction=ROTATION, frame=frame
    )
    image_dict.update(extra)
    return image_dict


def test_the_matrix_is_origin_plus_direction_times_spacing():
    matrix = index_to_physical(placed_dict())

    ijk = np.array([4, 1, 2])
    np.testing.assert_allclose(matrix @ [*ijk, 1], [*((10.0, -20.0, 30.0) + ROTATION @ (ijk * [0.5, 2.0, 1.5])), 1])
    np.testing.assert_array_equal(matrix[3], [0, 0, 0, 1])


@pytest.mark.parametrize("own", ["RAS", "LPS"])
def test_the_other_frame_flips_x_and_y_and_the_own_frame_is_the_default(own):
    image_dict = placed_dict(frame=own)
    other = "LPS" if own == "RAS" else "RAS"

    np.testing.assert_array_equal(index_to_physical(image_dict), index_to_physical(image_dict, frame=own))
    np.testing.assert_array_equal(
        index_to_physical(image_dict, frame=other), np.diag([-1, -1, 1, 1]) @ index_to_physical(image_dict)
    )


def test_a_dict_without_frame_is_ras():
    image_dict = placed_dict()
    del image_dict["Frame"]

    np.testing.assert_array_equal(index_to_physical(image_dict, frame="RAS"), index_to_physical(placed_dict()))


@pytest.mark.parametrize("frame", ["RAS", "LPS"])
@pytest.mark.parametrize("index", ["array", "extent"])
def test_physical_to_index_undoes_index_to_physical(frame, index):
    image_dict = placed_dict(Extent=np.array([3, 7, -2, 1, 5, 7]))

    product = physical_to_index(image_dict, frame=frame, index=index) @ index_to_physical(image_dict, frame=frame, index=index)

    np.testing.assert_allclose(product, np.eye(4), atol=1e-14)


def test_extent_indices_are_vtks_and_array_indices_start_at_the_first_voxel():
    image_dict = placed_dict(Extent=np.array([3, 7, -2, 1, 5, 7]))
    image = dict_to_image(image_dict)
    point = [0.0, 0.0, 0.0]
    image.TransformIndexToPhysicalPoint(4, -1, 6, point)

    np.testing.assert_allclose((index_to_physical(image_dict, index="extent") @ [4, -1, 6, 1])[:3], point, atol=1e-12)
    np.testing.assert_allclose((index_to_physical(image_dict) @ [1, 1, 1, 1])[:3], point, atol=1e-12)


def test_matrices_of_a_converted_image_match_vtk():
    image = dict_to_image(placed_dict())
    point = [0.0, 0.0, 0.0]
    image.TransformIndexToPhysicalPoint(2, 3, 1, point)

    np.testing.assert_allclose((index_to_physical(image_to_dict(image)) @ [2, 3, 1, 1])[:3], point, atol=1e-12)


@pytest.mark.parametrize("bad, message", [
    ({"Spacing": np.array([1.0, 0.0, 1.0])}, "Spacing"),
    ({"Direction": np.ones((3, 3))}, "Direction"),
    ({"Frame": "XYZ"}, "Frame"),
    ({"Extent": np.array([0, 1, 0, 1, 0, 1])}, "Extent"),
])
def test_malformed_placement_is_named(bad, message):
    with pytest.raises(ArrayDictError, match=message):
        index_to_physical(placed_dict(**bad))


def test_an_unknown_index_kind_is_refused():
    with pytest.raises(ArrayDictError, match="index"):
        physical_to_index(placed_dict(), index="voxel")


def test_an_affine_gives_back_the_placement_it_was_made_of():
    image_dict = placed_dict()
    origin, spacing, direction = placement_from_affine(index_to_physical(image_dict))

    np.testing.assert_allclose(origin, image_dict["Origin"])
    np.testing.assert_allclose(spacing, image_dict["Spacing"])
    np.testing.assert_allclose(direction, image_dict["Direction"], atol=1e-15)


@pytest.mark.parametrize("affine, message", [
    (np.array([[1.0, 0.5, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]), "right angles"),
    (np.diag([1.0, 0.0, 1.0, 1.0]), "zero length"),
    (np.eye(3), "4x4"),
    (np.array([[1.0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 1, 1]]), "last row"),
    (np.diag([1.0, np.nan, 1.0, 1.0]), "non-finite"),
])
def test_an_affine_without_a_direction_matrix_is_refused(affine, message):
    with pytest.raises(ArrayDictError, match=message):
        image_from_array(np.zeros((2, 2, 2)), affine=affine)


def test_image_from_array_places_voxels_by_the_affine_in_its_frame():
    affine = index_to_physical(placed_dict())
    values = np.arange(60, dtype=np.int16).reshape(5, 4, 3)

    ras = image_from_array(values, affine=affine, frame="RAS")
    lps = image_to_dict(image_from_array(values, affine=np.diag([-1, -1, 1, 1]) @ affine, frame="LPS"), frame="LPS")

    np.testing.assert_allclose(index_to_physical(image_to_dict(ras)), affine, atol=1e-12)
    np.testing.assert_allclose(index_to_physical(lps, frame="RAS"), affine, atol=1e-12)


def test_an_affine_and_a_placement_together_are_refused():
    with pytest.raises(ArrayDictError, match="either affine"):
        dict_from_array(np.zeros((2, 2, 2)), affine=np.eye(4), spacing=(1, 1, 1))


def test_in_frame_keeps_every_voxel_in_place_and_shares_the_voxels():
    image_dict = placed_dict()

    lps = in_frame(image_dict, "LPS")

    assert lps["Frame"] == "LPS" and lps["PointData"] is image_dict["PointData"]
    np.testing.assert_array_equal(index_to_physical(lps, frame="RAS"), index_to_physical(image_dict))
    np.testing.assert_array_equal(in_frame(lps, "RAS")["Origin"], image_dict["Origin"])
