"""Image placement through VTK and back: ``Origin``, ``Spacing``, ``Direction`` and ``Extent`` bit for bit.

VTK's origin is where index ``(0, 0, 0)`` would be; the dict's ``Origin`` is
where the first voxel is. With an extent that does not start at 0 one is the
other minus ``Direction @ (Spacing * Extent[0::2])``, and floating point cannot
always undo that subtraction: the dict's ``Origin`` must come back anyway.
Placement arithmetic that overflows, or numbers a float64 or a VTK int cannot
hold, are errors naming the key.

The property test runs ``VMTKSCRIPTS_NUMPY_FUZZ_EXAMPLES`` examples (default 200).
"""

import math
import os
import re

import numpy as np
import pytest
from vtkmodules.vtkImagingCore import vtkImageClip

from vmtkscripts_numpy.convert.image import dict_to_image, image_to_dict
from vmtkscripts_numpy.errors import ArrayDictError

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

EXAMPLES = int(os.environ.get("VMTKSCRIPTS_NUMPY_FUZZ_EXAMPLES", "200"))


def image_dict(origin, spacing=(1.0, 1.0, 1.0), direction=np.eye(3), extent=(0, 1, 0, 1, 0, 1), frame=None):
    extent = np.array(extent, np.int64)
    array_dict = {
        "Origin": np.array(origin, np.float64),
        "Dimensions": extent[1::2] - extent[0::2] + 1,
        "Spacing": np.array(spacing, np.float64),
        "Direction": np.array(direction, np.float64),
        "Extent": extent,
    }
    if frame:
        array_dict["Frame"] = frame
    return array_dict


def bits(values):
    return np.asarray(values, np.float64).tobytes()


def rotation(angles):
    matrix = np.eye(3)
    for axis, angle in enumerate(angles):
        i, j = [k for k in range(3) if k != axis]
        turn = np.eye(3)
        turn[[i, i, j, j], [i, j, i, j]] = math.cos(angle), -math.sin(angle), math.sin(angle), math.cos(angle)
        matrix = matrix @ turn
    return matrix


origins = st.one_of(st.floats(-1e3, 1e3), st.floats(-1e12, 1e12), st.floats(-1e-3, 1e-3))
spacings = st.one_of(st.floats(1e-4, 10.0), st.floats(1e-9, 1e6))
directions = st.one_of(
    st.lists(st.floats(-math.pi, math.pi), min_size=3, max_size=3).map(rotation),
    st.permutations(range(3)).map(lambda order: np.eye(3)[list(order)] * np.array([1, -1, 1])),
)
starts = st.one_of(st.integers(-5, 5), st.integers(-100000, 100000), st.integers(-(2**31), 2**31 - 10))


@settings(max_examples=EXAMPLES, deadline=None, database=None)
@given(
    origin=st.lists(origins, min_size=3, max_size=3),
    spacing=st.lists(spacings, min_size=3, max_size=3),
    direction=directions,
    start=st.lists(starts, min_size=3, max_size=3),
    dimensions=st.lists(st.integers(1, 5), min_size=3, max_size=3),
    frame=st.sampled_from(["RAS", "LPS"]),
)
def test_placement_comes_back_bit_for_bit(origin, spacing, direction, start, dimensions, frame):
    extent = [bound for low, count in zip(start, dimensions) for bound in (low, low + count - 1)]
    given_dict = image_dict(origin, spacing, direction, extent, frame)

    back = image_to_dict(dict_to_image(given_dict, frame=frame), frame=frame)

    for key in ("Origin", "Spacing", "Direction"):
        assert bits(back[key]) == bits(given_dict[key]), key
    assert back["Extent"].tolist() == extent


def test_an_origin_that_vtks_origin_cannot_give_back_still_comes_back():
    # 0.1 is not a multiple of the spacing of floats near -2.0, VTK's origin here: no VTK origin
    # adds up to 0.1 again, so the dict's Origin must be kept beside it.
    given_dict = image_dict([0.1, 0.2, 0.3], spacing=[0.7, 0.7, 0.7], extent=(3, 4, 3, 4, 3, 4))
    image = dict_to_image(given_dict)
    vtk_origin = image.GetOrigin()
    assert vtk_origin[0] + 0.7 * 3 != 0.1

    assert bits(image_to_dict(image)["Origin"]) == bits(given_dict["Origin"])


def test_a_negative_zero_comes_back_negative():
    given_dict = image_dict([-0.0, 0.0, -0.0], direction=[[-1.0, -0.0, 0.0], [0.0, -1.0, -0.0], [-0.0, 0.0, 1.0]])

    back = image_to_dict(dict_to_image(given_dict))

    assert bits(back["Origin"]) == bits(given_dict["Origin"])
    assert bits(back["Direction"]) == bits(given_dict["Direction"])


def test_an_image_moved_after_conversion_is_placed_by_vtk_again():
    given_dict = image_dict([0.1, 0.2, 0.3], spacing=[0.7, 0.7, 0.7], extent=(3, 4, 3, 4, 3, 4))
    image = dict_to_image(given_dict)
    image.SetOrigin(10.0, 20.0, 30.0)

    assert image_to_dict(image)["Origin"].tolist() == [10.0 + 0.7 * 3, 20.0 + 0.7 * 3, 30.0 + 0.7 * 3]


def test_a_filters_output_is_placed_from_its_own_origin():
    given_dict = image_dict([0.1, 0.2, 0.3], spacing=[0.7, 0.7, 0.7], extent=(3, 6, 3, 6, 3, 6))
    given_dict["PointData"] = {"v": np.zeros((4, 4, 4))}
    clip = vtkImageClip()
    clip.SetInputData(dict_to_image(given_dict))
    clip.SetOutputWholeExtent(4, 6, 3, 6, 3, 6)
    clip.ClipDataOn()
    clip.Update()

    origin = image_to_dict(clip.GetOutput())["Origin"]

    # The clip starts one voxel further along x: within rounding of the dict's placement.
    assert np.allclose(origin, [0.1 + 0.7, 0.2, 0.3], rtol=0, atol=1e-15)


# --- placement that VTK cannot hold -------------------------------------------------------------


def test_an_origin_shift_that_overflows_is_an_error_naming_the_key():
    # Before, VTK's origin became -inf and the dict came back with Origin NaN.
    with pytest.raises(ArrayDictError, match=re.escape("ArrayDict['Extent']: the distance from VTK's origin")):
        dict_to_image(image_dict([1e308, 0, 0], spacing=[1e308, 1, 1], extent=(10, 11, 0, 1, 0, 1)))
    with pytest.raises(ArrayDictError, match=re.escape("ArrayDict['Origin']: VTK's origin") + ".*overflows"):
        dict_to_image(image_dict([-1.7e308, 0, 0], spacing=[1e307, 1, 1], extent=(10, 11, 0, 1, 0, 1)))


def test_an_image_whose_first_voxel_overflows_is_an_error():
    image = dict_to_image(image_dict([0.0, 0.0, 0.0]))
    image.SetOrigin(1.7e308, 0, 0)
    image.SetSpacing(1e308, 1, 1)
    image.SetExtent(5, 6, 0, 1, 0, 1)

    with pytest.raises(ArrayDictError, match="image: extent: the distance|image: the position of its first voxel"):
        image_to_dict(image)


@pytest.mark.parametrize("key, extent", [("Extent", (2**31 - 1, 2**31, 0, 1, 0, 1)),
                                         ("Extent", (-(2**31) - 1, -(2**31), 0, 1, 0, 1))])
def test_an_extent_beyond_vtks_ints_is_an_error(key, extent):
    with pytest.raises(ArrayDictError, match=re.escape(f"ArrayDict['{key}']: VTK holds image extents")):
        dict_to_image(image_dict([0, 0, 0], extent=extent))


def test_dimensions_beyond_vtks_ints_are_an_error():
    array_dict = {"Origin": [0.0, 0, 0], "Spacing": [1.0, 1, 1], "Dimensions": [2**31, 1, 1]}
    with pytest.raises(ArrayDictError, match=re.escape("ArrayDict['Dimensions']: VTK holds image extents")):
        dict_to_image(array_dict)


def test_an_origin_a_float64_cannot_hold_is_an_error():
    array_dict = image_dict([0, 0, 0])
    array_dict["Origin"] = np.array([2**53 + 1, 0, 0], np.int64)
    message = "ArrayDict['Origin']: a float64 cannot hold 9007199254740993"
    with pytest.raises(ArrayDictError, match=re.escape(message)):
        dict_to_image(array_dict)

    if np.finfo(np.longdouble).nmant > np.finfo(np.float64).nmant:
        array_dict["Origin"] = np.array([1, 0, 0], np.longdouble) + np.longdouble(2) ** -60
        with pytest.raises(ArrayDictError, match=re.escape("ArrayDict['Origin']: a float64 cannot hold")):
            dict_to_image(array_dict)


def test_integers_a_float64_holds_are_placement_numbers_like_any_other():
    array_dict = image_dict([0, 0, 0], extent=(1, 2, 0, 1, 0, 1))
    array_dict["Origin"] = np.array([2**53, -3, 7], np.int64)
    array_dict["Direction"] = np.eye(3, dtype=np.int8)

    back = image_to_dict(dict_to_image(array_dict))

    assert back["Origin"].tolist() == [2.0**53, -3.0, 7.0]
    assert back["Direction"].tolist() == np.eye(3).tolist()
