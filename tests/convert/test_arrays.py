"""Data arrays on their way into VTK: an ``ArrayTypes`` entry or a name VTK cannot keep never changes values silently.

An ``ArrayTypes`` entry chooses a VTK type numpy cannot tell apart from another
(``vtkIdTypeArray``, ``vtkLongArray``, ``vtkUnsignedLongArray``, ``vtkCharArray``).
It may only choose one that holds every value of its array: VTK would otherwise
wrap the values (int64 ``[300, -1000, 2**40]`` as ``vtkCharArray`` is
``[44, 24, 0]``). The dtype's range decides when it can, without reading a value.
"""

import re
import warnings

import numpy as np
import pytest
from vtkmodules.vtkCommonCore import vtkDataArray

from vmtkscripts_numpy.convert.arrays import SPECIAL_VTK_TYPES, numpy_to_vtk, vtk_to_numpy
from vmtkscripts_numpy.convert.image import dict_to_image, image_to_dict
from vmtkscripts_numpy.convert.mesh import dict_to_mesh
from vmtkscripts_numpy.convert.polydata import dict_to_centerlines, dict_to_polydata, polydata_to_dict
from vmtkscripts_numpy.errors import ArrayDictError, LossWarning


def type_dtype(array_type):
    """The numpy dtype of a VTK type on this platform (vtkLongArray is 32-bit on Windows)."""
    return vtk_to_numpy(vtkDataArray.CreateDataArray(SPECIAL_VTK_TYPES[array_type])).dtype


def surface(values, array_type, name="v"):
    """A triangle whose three points carry ``values`` as ``name``, typed ``array_type``."""
    return {
        "Points": np.eye(3),
        "PointData": {name: values},
        "CellData": {"CellPointIds": np.array([[0, 1, 2]])},
        "ArrayTypes": {"PointData": {name: array_type}},
    }


def entry(name="v", section="PointData"):
    return re.escape(f"ArrayDict['ArrayTypes']['{section}']['{name}']")


# --- a type that cannot hold the values ------------------------------------------------------------


@pytest.mark.parametrize(
    "values, array_type",
    [
        (np.array([300, -1000, 2**40], np.int64), "vtkCharArray"),  # VTK would make it [44, 24, 0]
        (np.array([5, -1, 7], np.int64), "vtkUnsignedLongArray"),  # -1 would become 2**64 - 1
        (np.array([1, 2**63, 2**64 - 1], np.uint64), "vtkIdTypeArray"),  # would turn negative
        (np.array([0, 200, 255], np.uint8), "vtkCharArray"),  # 200 would become -56
    ],
)
def test_a_type_that_cannot_hold_every_value_is_an_error_naming_the_entry(values, array_type):
    with pytest.raises(ArrayDictError, match=entry() + f": {array_type} holds"):
        dict_to_polydata(surface(values, array_type))


def test_every_converter_refuses_a_type_too_narrow_for_its_values():
    values = np.array([300, -1000, 2**40], np.int64)
    types = {"v": "vtkCharArray"}
    lines = {"Points": np.eye(3), "PointData": {"v": values}, "CellData": {"CellPointIds": [np.arange(3)]},
             "ArrayTypes": {"PointData": types}}
    mesh = {"Points": np.eye(4, 3), "CellData": {"v": values[:1]}, "ArrayTypes": {"CellData": {"v": "vtkCharArray"}},
            "Cells": {"CellPointIds": [np.arange(4)], "CellTypes": np.array([10], np.uint8)}}
    image = {"Origin": np.zeros(3), "Spacing": np.ones(3), "Dimensions": np.array([3, 1, 1]),
             "FieldData": {"v": values}, "ArrayTypes": {"FieldData": types}}

    for convert, array_dict, section in (
        (dict_to_centerlines, lines, "PointData"),
        (dict_to_mesh, mesh, "CellData"),
        (dict_to_image, image, "FieldData"),
    ):
        with pytest.raises(ArrayDictError, match=entry(section=section)):
            convert(array_dict)


def test_values_that_fit_come_back_in_the_types_dtype_with_a_warning():
    values = np.array([0, -128, 127], np.int64)

    with pytest.warns(LossWarning, match=entry() + ": vtkCharArray holds int8 values: the int64 values"):
        back = polydata_to_dict(dict_to_polydata(surface(values, "vtkCharArray")))

    assert back["PointData"]["v"].dtype == np.int8
    assert back["PointData"]["v"].tolist() == [0, -128, 127]
    assert back["ArrayTypes"]["PointData"] == {"v": "vtkCharArray"}


@pytest.mark.parametrize("array_type", sorted(SPECIAL_VTK_TYPES))
def test_a_type_of_the_arrays_own_dtype_comes_back_exactly_and_quietly(array_type):
    dtype = type_dtype(array_type)
    values = np.array([np.iinfo(dtype).min, 0, np.iinfo(dtype).max], dtype)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back = polydata_to_dict(dict_to_polydata(surface(values, array_type)))

    assert back["PointData"]["v"].dtype == dtype
    assert back["PointData"]["v"].tobytes() == values.tobytes()
    assert back["ArrayTypes"]["PointData"] == {"v": array_type}


@pytest.mark.parametrize("where", [0, -1])
def test_a_large_array_is_read_to_its_last_value(where):
    values = np.zeros(200_005, np.int64)
    values[where] = -1000

    with pytest.raises(ArrayDictError, match="holds -1000"):
        numpy_to_vtk(values, "v", "vtkCharArray")
    values[where] = 127
    with pytest.warns(LossWarning):
        assert vtk_to_numpy(numpy_to_vtk(values, "v", "vtkCharArray"))[where] == 127


def test_an_unknown_type_is_an_error_naming_the_entry():
    for array_type in ("vtkIntArray", None, b"vtkIdTypeArray", 5):
        with pytest.raises(ArrayDictError, match=entry() + ": unknown array type"):
            dict_to_polydata(surface(np.arange(3), array_type))


def test_a_type_for_an_array_that_is_not_there_is_warned_about():
    array_dict = surface(np.arange(3), "vtkIdTypeArray")
    array_dict["ArrayTypes"]["PointData"]["gone"] = "vtkIdTypeArray"
    array_dict["ArrayTypes"]["CellData"] = {"CellPointIds": "vtkIdTypeArray"}

    with pytest.warns(LossWarning) as caught:
        dict_to_polydata(array_dict)

    messages = [str(warning.message) for warning in caught]
    assert any(message.startswith("ArrayDict['ArrayTypes']['PointData']['gone']: 'gone' is not an array")
               for message in messages)
    assert any(message.startswith("ArrayDict['ArrayTypes']['CellData']['CellPointIds']: 'CellPointIds' is not a data")
               for message in messages)


# --- names and shapes VTK cannot keep -------------------------------------------------------------


@pytest.mark.parametrize("name, problem", [("", "is empty"), ("a\x00b", "NUL"), ("a\udc80", "lone surrogate")])
def test_a_name_vtk_cannot_keep_is_an_error(name, problem):
    array_dict = {"Points": np.eye(3), "PointData": {name: np.arange(3)},
                  "CellData": {"CellPointIds": np.array([[0, 1, 2]])}}

    with pytest.raises(ArrayDictError, match=re.escape(f"ArrayDict['PointData'][{name!r}]") + ".*" + problem):
        dict_to_polydata(array_dict)


def test_one_component_on_an_axis_of_its_own_comes_back_without_it_and_says_so():
    array_dict = surface(np.arange(3.0).reshape(3, 1), "vtkIdTypeArray")
    del array_dict["ArrayTypes"]

    with pytest.warns(LossWarning, match=re.escape("ArrayDict['PointData']['v']: has one component")):
        back = polydata_to_dict(dict_to_polydata(array_dict))
    assert back["PointData"]["v"].shape == (3,)

    image = {"Origin": np.zeros(3), "Spacing": np.ones(3), "Dimensions": np.array([2, 2, 1]),
             "PointData": {"v": np.zeros((2, 2, 1, 1))}}
    with pytest.warns(LossWarning, match=re.escape("ArrayDict['PointData']['v']: has one component")):
        assert image_to_dict(dict_to_image(image))["PointData"]["v"].shape == (2, 2, 1)
