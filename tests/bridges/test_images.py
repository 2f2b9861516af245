"""SimpleITK and nibabel bridges: what the geometry tests do not cover (components, types, errors)."""

import sys

import numpy as np
import pytest

from vmtkscripts_numpy import dict_from_array, image_from_array
from vmtkscripts_numpy.bridges import from_nibabel, from_simpleitk, to_nibabel, to_simpleitk
from vmtkscripts_numpy.errors import ArrayDictError

sitk = pytest.importorskip("SimpleITK")
nib = pytest.importorskip("nibabel")


def rgb_dict():
    values = np.arange(4 * 3 * 2 * 3, dtype=np.uint8).reshape(4, 3, 2, 3)
    image_dict = dict_from_array(values, origin=(1, 2, 3), name="Colors")
    image_dict["PointData"]["Mask"] = values[..., 0] > 10
    return image_dict


def test_components_become_a_vector_image_and_come_back():
    image_dict = rgb_dict()

    image = to_simpleitk(image_dict)
    back = from_simpleitk(image, name="Colors")

    assert image.GetNumberOfComponentsPerPixel() == 3 and image.GetSize() == (4, 3, 2)
    np.testing.assert_array_equal(back["PointData"]["Colors"], image_dict["PointData"]["Colors"])


def test_a_named_array_is_converted_and_bool_becomes_uint8():
    image_dict = rgb_dict()

    for converted in (sitk.GetArrayFromImage(to_simpleitk(image_dict, name="Mask")).transpose(2, 1, 0),
                      np.asanyarray(to_nibabel(image_dict, name="Mask").dataobj)):
        assert converted.dtype == np.uint8
        np.testing.assert_array_equal(converted, image_dict["PointData"]["Mask"])


def test_a_missing_array_is_named():
    with pytest.raises(ArrayDictError, match="Pressure"):
        to_nibabel(rgb_dict(), name="Pressure")


def test_a_vtk_image_is_taken_as_ras():
    image = image_from_array(np.zeros((2, 2, 2), np.float32), origin=(5.0, 6.0, 7.0))

    assert to_simpleitk(image).GetOrigin() == (-5.0, -6.0, 7.0)
    np.testing.assert_array_equal(to_nibabel(image).affine[:3, 3], [5.0, 6.0, 7.0])


def test_a_2d_simpleitk_image_is_one_slice():
    image = sitk.Image(4, 3, sitk.sitkInt16)
    image.SetOrigin((-1.0, -2.0))
    image.SetPixel(3, 1, 9)

    image_dict = from_simpleitk(image)

    assert image_dict["Dimensions"].tolist() == [4, 3, 1]
    assert image_dict["Origin"].tolist() == [1.0, 2.0, 0.0]
    assert image_dict["PointData"]["ImageScalars"][3, 1, 0] == 9


def test_zyx_order_is_what_simpleitk_and_slicer_index():
    image = sitk.Image(4, 3, 2, sitk.sitkUInt8)
    image.SetPixel(3, 1, 0, 200)

    values = from_simpleitk(image, index_order="zyx")["PointData"]["ImageScalars"]

    assert values.shape == (2, 3, 4) and values[0, 1, 3] == 200


def test_a_5d_nifti_vector_image_is_read_as_components_and_other_ranks_are_refused():
    vectors = np.zeros((4, 3, 2, 1, 3), np.float32)
    vectors[1, 2, 0, 0] = (1, 2, 3)

    image_dict = from_nibabel(nib.Nifti1Image(vectors, np.eye(4)))

    np.testing.assert_array_equal(image_dict["PointData"]["ImageScalars"][1, 2, 0], [1, 2, 3])
    with pytest.raises(ArrayDictError, match="3-D or 4-D"):
        from_nibabel(nib.Nifti1Image(np.zeros((2, 2), np.float32), np.eye(4)))


def test_a_sheared_nifti_is_refused():
    sheared = np.eye(4)
    sheared[0, 1] = 0.3

    with pytest.raises(ArrayDictError, match="right angles"):
        from_nibabel(nib.Nifti1Image(np.zeros((2, 2, 2), np.float32), sheared))


def test_a_surface_is_not_an_image():
    with pytest.raises(ArrayDictError, match="image"):
        to_simpleitk({"Points": np.eye(3), "CellData": {"CellPointIds": np.array([[0, 1, 2]])}})


@pytest.mark.parametrize("convert, library", [(to_nibabel, "nibabel"), (to_simpleitk, "SimpleITK")])
def test_a_missing_library_names_the_extra_to_install(monkeypatch, convert, library):
    monkeypatch.setitem(sys.modules, library, None)  # what Python does for a package that is not installed

    with pytest.raises(ImportError, match=r"pip install 'vmtkscripts_numpy\[bridges\]'"):
        convert(rgb_dict())
