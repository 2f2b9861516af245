"""Which dtypes vmtk keeps, on generated data with an array of every dtype VTK has.

Found by running vmtk 1.5.2 on VTK 9.6:

- vmtk's three to-numpy scripts keep the dtype of the points and of every data array, except VTK's bit
  arrays (numpy bool), which come out as uint8 0/1; what they narrow are the surface and centerline
  ids, to int32 (see test_surfaces.py and test_centerlines.py);
- ``vmtkNumpyToSurface`` stores every floating array (and the points) as float32 and every integer
  array as int32: values beyond int32 raise OverflowError, and bool point data raises
  UnboundLocalError (there is no VTK array type for it in vmtk's code);
- ``vmtkNumpyToCenterlines`` and ``vmtkNumpyToMesh`` keep every dtype but bool, which they refuse
  (VTK's ``numpy_support`` has no type for it).

This package keeps every one of them, bool included, both ways.
"""

import numpy as np
import pytest

from vmtkscripts_numpy import (
    centerlines_to_dict,
    dict_to_centerlines,
    dict_to_mesh,
    dict_to_polydata,
    mesh_to_dict,
    polydata_to_dict,
)

NUMBERS = ["float64", "float32", "int64", "int32", "int16", "int8", "uint64", "uint32", "uint16", "uint8"]
DTYPES = NUMBERS + ["bool"]
FLOATS = [name for name in NUMBERS if name.startswith("float")]
INTEGERS = [name for name in NUMBERS if "int" in name]
POINTS = np.random.default_rng(9).random((8, 3))  # float64
TRIANGLES = np.array([[0, 1, 2], [2, 3, 4], [4, 5, 6], [5, 6, 7]])
TWO_LINES = [np.arange(4), np.arange(4, 8)]
TWO_TETRAHEDRA = {"CellPointIds": TWO_LINES, "CellTypes": np.array([10, 10], np.uint8)}


def values(dtype, count):
    """``count`` small values of ``dtype``: 1, 2, 3, 1, ... (alternating for bool)."""
    return np.arange(count) % 2 == 0 if dtype == "bool" else (np.arange(count) % 3 + 1).astype(dtype)


def arrays(count, dtypes=DTYPES):
    return {dtype: values(dtype, count) for dtype in dtypes}


def dtypes_of(section):
    return {name: str(array.dtype) for name, array in section.items() if name != "CellPointIds"}


# --- to numpy --------------------------------------------------------------------------------------

# (vmtk script, its input member, the dataset, this package's function)
TO_NUMPY = {
    "vmtkSurfaceToNumpy": ("Surface", lambda: dict_to_polydata(
        {"Points": POINTS, "PointData": arrays(8), "CellData": {"CellPointIds": TRIANGLES, **arrays(4)}}),
        polydata_to_dict),
    "vmtkCenterlinesToNumpy": ("Centerlines", lambda: dict_to_centerlines(
        {"Points": POINTS, "PointData": arrays(8), "CellData": {"CellPointIds": TWO_LINES, **arrays(2)}}),
        centerlines_to_dict),
    "vmtkMeshToNumpy": ("Mesh", lambda: dict_to_mesh(
        {"Points": POINTS, "PointData": arrays(8), "CellData": arrays(2), "Cells": TWO_TETRAHEDRA}),
        mesh_to_dict),
}


@pytest.mark.parametrize("script", sorted(TO_NUMPY))
def test_vmtks_to_numpy_scripts_keep_every_data_dtype_but_turn_bool_into_uint8(script, run_vmtk):
    member, make_dataset, to_dict = TO_NUMPY[script]
    dataset = make_dataset()

    theirs = run_vmtk(script, **{member: dataset}).ArrayDict
    ours = to_dict(dataset)

    as_given = {dtype: dtype for dtype in DTYPES}
    for section in ("PointData", "CellData"):
        assert dtypes_of(theirs[section]) == {**as_given, "bool": "uint8"}
        assert dtypes_of(ours[section]) == as_given
        for dtype in DTYPES:
            their_values = theirs[section][dtype]
            np.testing.assert_array_equal(their_values, ours[section][dtype].astype(their_values.dtype))
    assert theirs["Points"].dtype == ours["Points"].dtype == np.float64


# --- vmtkNumpyToSurface ------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", NUMBERS)
def test_vmtks_numpy_to_surface_stores_floats_as_float32_and_integers_as_int32(dtype, run_vmtk):
    given = {"Points": POINTS, "PointData": {"Values": values(dtype, 8)}, "CellData": {"CellPointIds": TRIANGLES}}

    theirs = polydata_to_dict(run_vmtk("vmtkNumpyToSurface", ArrayDict=given).Surface)
    ours = polydata_to_dict(dict_to_polydata(given))

    narrowed = "float32" if dtype in FLOATS else "int32"
    assert (str(theirs["PointData"]["Values"].dtype), str(theirs["Points"].dtype)) == (narrowed, "float32")
    np.testing.assert_array_equal(theirs["PointData"]["Values"], values(dtype, 8).astype(narrowed))
    assert (str(ours["PointData"]["Values"].dtype), str(ours["Points"].dtype)) == (dtype, "float64")


@pytest.mark.parametrize("dtype, value", [("int64", 2**40), ("uint32", 2**31), ("uint64", 2**40)])
def test_vmtks_numpy_to_surface_fails_on_integers_beyond_int32(dtype, value, run_vmtk):
    given = {"Points": POINTS, "PointData": {"Ids": np.full(8, value, dtype)}, "CellData": {"CellPointIds": TRIANGLES}}

    with pytest.raises(OverflowError):
        run_vmtk("vmtkNumpyToSurface", ArrayDict=given)
    ours = polydata_to_dict(dict_to_polydata(given))

    np.testing.assert_array_equal(ours["PointData"]["Ids"], given["PointData"]["Ids"])
    assert ours["PointData"]["Ids"].dtype == dtype


def test_vmtks_numpy_to_surface_fails_on_bool_point_data(run_vmtk):
    given = {"Points": POINTS, "PointData": {"Inside": values("bool", 8)}, "CellData": {"CellPointIds": TRIANGLES}}

    with pytest.raises(UnboundLocalError, match="pointDataArray"):
        run_vmtk("vmtkNumpyToSurface", ArrayDict=given)
    ours = polydata_to_dict(dict_to_polydata(given))

    np.testing.assert_array_equal(ours["PointData"]["Inside"], given["PointData"]["Inside"])


# --- vmtkNumpyToCenterlines and vmtkNumpyToMesh ------------------------------------------------------

# (vmtk script, its output member, the dict of one kind, this package's converters to VTK and back)
FROM_NUMPY = {
    "vmtkNumpyToCenterlines": ("Centerlines", lambda data, cell_data: {
        "Points": POINTS, "PointData": data, "CellData": {"CellPointIds": TWO_LINES, **cell_data}},
        dict_to_centerlines, centerlines_to_dict),
    "vmtkNumpyToMesh": ("Mesh", lambda data, cell_data: {
        "Points": POINTS, "PointData": data, "CellData": cell_data,
        "Cells": {"CellPointIds": np.array([4, 0, 1, 2, 3, 4, 4, 5, 6, 7]), "CellLocations": np.array([0, 5]),
                  "CellTypes": np.array([10, 10], np.uint8)}}, dict_to_mesh, mesh_to_dict),
}


@pytest.mark.parametrize("script", sorted(FROM_NUMPY))
def test_vmtks_numpy_to_centerlines_and_mesh_keep_every_dtype_but_bool(script, run_vmtk):
    member, make_dict, _, to_dict = FROM_NUMPY[script]
    given = make_dict(arrays(8, NUMBERS), arrays(2, NUMBERS))

    back = to_dict(getattr(run_vmtk(script, ArrayDict=given), member))

    as_given = {dtype: dtype for dtype in NUMBERS}
    assert dtypes_of(back["PointData"]) == dtypes_of(back["CellData"]) == as_given
    assert back["Points"].dtype == np.float64


@pytest.mark.parametrize("script", sorted(FROM_NUMPY))
def test_vmtks_numpy_to_centerlines_and_mesh_refuse_bool_which_this_package_keeps(script, run_vmtk):
    _, make_dict, from_dict, to_dict = FROM_NUMPY[script]
    given = make_dict({"Inside": values("bool", 8)}, {})

    with pytest.raises(TypeError, match="Could not find a suitable VTK type for bool"):
        run_vmtk(script, ArrayDict=given)
    ours = to_dict(from_dict(given))

    assert ours["PointData"]["Inside"].dtype == bool
