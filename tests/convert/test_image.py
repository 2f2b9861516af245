"""Images <-> ArrayDict: every voxel keeps its value and its physical position."""

import pickle
import warnings

import numpy as np
import pytest
from vtkmodules.vtkCommonCore import VTK_ID_TYPE, vtkDataArray
from vtkmodules.vtkCommonDataModel import vtkImageData
from vtkmodules.vtkImagingCore import vtkImageClip

from vmtkscripts_numpy.convert.arrays import numpy_to_vtk, vtk_to_numpy
from vmtkscripts_numpy.convert.image import dict_from_array, dict_to_image, image_from_array, image_to_dict
from vmtkscripts_numpy.errors import ArrayDictError, LossWarning
from vmtkscripts_numpy.vtkfiles import read_image as read_image_file

DTYPES = ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64", "bool"]


# --- helpers ------------------------------------------------------------------


def read_image(path):
    """An image file as the package reads it, in LPS (vmtk's CT has direction diag(-1, -1, 1) there)."""
    return read_image_file(path, frame="LPS")


def make_image(dimensions=(5, 4, 3), extent_start=(0, 0, 0), spacing=(0.5, 1.0, 2.0), origin=(1.0, -2.0, 3.0),
               direction=(0, -1, 0, 1, 0, 0, 0, 0, 1)):
    """A small image with a rotated direction; no data arrays yet."""
    image = vtkImageData()
    start = np.array(extent_start)
    stop = start + np.array(dimensions) - 1
    image.SetExtent(int(start[0]), int(stop[0]), int(start[1]), int(stop[1]), int(start[2]), int(stop[2]))
    image.SetSpacing(*spacing)
    image.SetOrigin(*origin)
    image.SetDirectionMatrix(*direction)
    return image


def voxel_values(dimensions, dtype, components=1, seed=0):
    """Values for every voxel in VTK's flat order (x fastest), (n,) or (n, k)."""
    count = int(np.prod(dimensions))
    rng = np.random.default_rng(seed)
    shape = (count,) if components == 1 else (count, components)
    if dtype == "bool":
        return rng.integers(0, 2, shape).astype(bool)
    info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else np.finfo(dtype)
    if np.dtype(dtype).kind == "f":
        return (rng.standard_normal(shape) * 1e3).astype(dtype)
    # the extremes of the type, to catch any narrowing
    values = rng.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)
    values.flat[:2] = info.min, info.max
    return values


def crop(image, extent):
    """The voxels of ``extent`` only, at their own place: VTK's extent no longer starts at 0.

    (vtkImageClip rather than vtkExtractVOI: VTK 9.7's vtkExtractVOI moves the origin of images
    with a non-identity direction.)
    """
    clip = vtkImageClip()
    clip.SetInputData(image)
    clip.SetOutputWholeExtent(*extent)
    clip.ClipDataOn()
    clip.Update()
    return clip.GetOutput()


def vtk_point_id(image, ijk):
    """VTK's own point id of the structured index ``ijk`` counted from the extent's start."""
    extent = image.GetExtent()
    return image.ComputePointId([extent[0] + ijk[0], extent[2] + ijk[1], extent[4] + ijk[2]])


def physical(image, structured_index):
    point = [0.0, 0.0, 0.0]
    image.TransformIndexToPhysicalPoint(*(int(value) for value in structured_index), point)
    return np.array(point)


def dict_physical(array_dict, xyz_indices):
    """Where the layout says voxel ``[i, j, k]`` of the arrays is: Origin + Direction @ (Spacing * ijk)."""
    direction = np.asarray(array_dict.get("Direction", np.eye(3)))
    return np.asarray(array_dict["Origin"]) + (np.asarray(xyz_indices) * array_dict["Spacing"]) @ direction.T


def sample_indices(dimensions, count=40, seed=1):
    """Array indices [i, j, k]: the eight corners and random voxels."""
    dimensions = np.asarray(dimensions)
    corners = np.array(np.meshgrid(*[[0, d - 1] for d in dimensions], indexing="ij")).reshape(3, -1).T
    random = np.random.default_rng(seed).integers(0, dimensions, (count, 3))
    return np.vstack([corners, random])


def assert_same_placement(original, converted, indices):
    """Voxel ``indices`` (counted from each image's extent start) are at the same physical points."""
    start_a, start_b = np.array(original.GetExtent()[0::2]), np.array(converted.GetExtent()[0::2])
    for ijk in indices:
        np.testing.assert_allclose(physical(converted, start_b + ijk), physical(original, start_a + ijk),
                                   rtol=0, atol=1e-9)


def assert_same_image(original, converted):
    assert converted.GetDimensions() == original.GetDimensions()
    assert converted.GetExtent() == original.GetExtent()
    assert_same_placement(original, converted, sample_indices(original.GetDimensions()))
    for attributes in ("GetPointData", "GetCellData", "GetFieldData"):
        before, after = getattr(original, attributes)(), getattr(converted, attributes)()
        assert after.GetNumberOfArrays() == before.GetNumberOfArrays()
        for index in range(before.GetNumberOfArrays()):
            array = before.GetArray(index)
            copy = after.GetArray(array.GetName())
            assert copy is not None, array.GetName()
            assert copy.GetDataType() == array.GetDataType()
            np.testing.assert_array_equal(vtk_to_numpy(copy), vtk_to_numpy(array))


def load_vmtk_pickle(path):
    """vmtk's pickles hold its vividict (a dict) and numpy arrays: allow exactly those."""
    allowed = {
        ("vmtk.vmtkimagetonumpy", "vividict"): dict,
        ("numpy", "dtype"): np.dtype,
        ("numpy", "ndarray"): np.ndarray,
    }

    class Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            if (module, name) in allowed:
                return allowed[(module, name)]
            if module in ("numpy._core.numeric", "numpy.core.numeric") and name == "_frombuffer":
                return np._core.numeric._frombuffer
            if module in ("numpy._core.multiarray", "numpy.core.multiarray") and name in ("_reconstruct", "scalar"):
                return getattr(np._core.multiarray, name)
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed")

    with open(path, "rb") as stream:
        return Unpickler(stream).load()


def load_hdf5(path):
    import h5py

    def read(group):
        return {key: read(item) if isinstance(item, h5py.Group) else item[()] for key, item in group.items()}

    with h5py.File(path, "r") as stream:
        return read(stream)


# --- vmtk's test data ---------------------------------------------------------


def test_vase_comes_back_identical_and_in_vmtk_layout(vmtk_test_data):
    image = read_image(vmtk_test_data("vase.vti"))

    image_dict = image_to_dict(image)

    assert image_dict["Dimensions"].tolist() == [115, 101, 75] and image_dict["Dimensions"].dtype == np.int64
    assert image_dict["Origin"].dtype == image_dict["Spacing"].dtype == np.float64
    voxels = image_dict["PointData"]["SLCImage"]
    assert voxels.shape == (115, 101, 75) and voxels.dtype == np.uint8
    scalars = vtk_to_numpy(image.GetPointData().GetScalars())
    for ijk in sample_indices(image.GetDimensions()):
        assert voxels[tuple(ijk)] == scalars[vtk_point_id(image, ijk)]
    back = dict_to_image(image_dict)
    assert_same_image(image, back)
    assert back.GetPointData().GetScalars().GetName() == "SLCImage"


def test_aorta_keeps_its_mirrored_direction(vmtk_test_data):
    image = read_image(vmtk_test_data("aorta.mha"))

    image_dict = image_to_dict(image)
    back = dict_to_image(image_dict)

    np.testing.assert_array_equal(image_dict["Direction"], np.diag([-1.0, -1.0, 1.0]))
    assert image_dict["PointData"]["ImageScalars"].dtype == np.float32
    indices = sample_indices(image.GetDimensions())
    # The layout's own formula places every voxel where VTK has it ...
    expected = np.array([physical(image, ijk) for ijk in indices])
    np.testing.assert_allclose(dict_physical(image_dict, indices), expected, rtol=0, atol=1e-9)
    # ... and the image made back from the dict agrees too.
    assert_same_image(image, back)


def test_cropped_image_keeps_every_voxel_in_place(vmtk_test_data):
    cropped = crop(read_image(vmtk_test_data("aorta.mha")), (20, 120, 50, 300, 5, 30))
    assert cropped.GetExtent()[0::2] == (20, 50, 5)

    image_dict = image_to_dict(cropped)

    assert image_dict["Extent"].tolist() == [20, 120, 50, 300, 5, 30]
    # Origin is where array index [0, 0, 0] is: the first voxel of the crop, not VTK's origin.
    np.testing.assert_allclose(image_dict["Origin"], physical(cropped, (20, 50, 5)), atol=1e-9)
    back = dict_to_image(image_dict)
    assert_same_image(cropped, back)
    # Every voxel, vectorized: VTK's index -> physical matrices of both images agree on the same extent.
    np.testing.assert_allclose(_index_to_physical(back), _index_to_physical(cropped), atol=1e-9)


def test_a_dict_without_extent_still_places_a_crop_right(vmtk_test_data):
    cropped = crop(read_image(vmtk_test_data("aorta.mha")), (30, 60, 100, 140, 10, 20))
    image_dict = image_to_dict(cropped)
    del image_dict["Extent"]  # as a reader that ignores the extension would see it

    back = dict_to_image(image_dict)

    assert back.GetExtent()[0::2] == (0, 0, 0)
    assert_same_placement(cropped, back, sample_indices(cropped.GetDimensions()))


def _index_to_physical(image):
    matrix = image.GetIndexToPhysicalMatrix()
    return np.array([[matrix.GetElement(row, column) for column in range(4)] for row in range(4)])


def test_vmtk_written_files_convert_to_the_same_image_as_vase(vmtk_test_data, upstream_file):
    vase = read_image(vmtk_test_data("vase.vti"))
    for loaded in (load_vmtk_pickle(upstream_file("upstream-vase-image.pickle")),
                   load_hdf5(upstream_file("upstream-vase-image.hdf5"))):
        assert set(loaded) == {"Origin", "Dimensions", "Spacing", "PointData"}  # vmtk's layout, no extension

        image = dict_to_image(loaded)

        assert_same_image(vase, image)
        assert image.GetPointData().GetScalars().GetName() == "SLCImage"


# --- exact values -------------------------------------------------------------


@pytest.mark.parametrize("components", [1, 3, 9])
@pytest.mark.parametrize("dtype", DTYPES)
def test_every_dtype_and_component_count_round_trips_exactly(dtype, components):
    image = make_image()
    values = voxel_values(image.GetDimensions(), dtype, components)
    image.GetPointData().SetScalars(numpy_to_vtk(values, "Voxels"))

    image_dict = image_to_dict(image)

    voxels = image_dict["PointData"]["Voxels"]
    expected_shape = (5, 4, 3) if components == 1 else (5, 4, 3, components)
    assert voxels.shape == expected_shape and voxels.dtype == np.dtype(dtype)
    for ijk in sample_indices(image.GetDimensions(), count=10):
        np.testing.assert_array_equal(voxels[tuple(ijk)], values[vtk_point_id(image, ijk)])
    assert_same_image(image, dict_to_image(image_dict))


def test_special_vtk_types_come_back_as_they_were():
    image = make_image()
    ids = vtkDataArray.CreateDataArray(VTK_ID_TYPE)
    ids.SetName("Ids")
    ids.SetNumberOfTuples(image.GetNumberOfPoints())
    vtk_to_numpy(ids, copy=False)[:] = np.arange(image.GetNumberOfPoints())
    image.GetPointData().AddArray(ids)

    image_dict = image_to_dict(image)

    assert image_dict["ArrayTypes"]["PointData"] == {"Ids": "vtkIdTypeArray"}
    assert dict_to_image(image_dict).GetPointData().GetArray("Ids").GetClassName() == "vtkIdTypeArray"


def test_every_array_is_converted_and_the_active_ones_stay_active():
    image = make_image()
    dimensions = image.GetDimensions()
    image.GetPointData().AddArray(numpy_to_vtk(voxel_values(dimensions, "float32"), "Other"))
    image.GetPointData().SetScalars(numpy_to_vtk(voxel_values(dimensions, "int16"), "Density"))
    image.GetPointData().SetVectors(numpy_to_vtk(voxel_values(dimensions, "float64", 3), "Velocity"))
    cells = voxel_values((4, 3, 2), "uint16", 2)
    image.GetCellData().SetScalars(numpy_to_vtk(cells, "Labels"))
    image.GetFieldData().AddArray(numpy_to_vtk(np.array([1.5, 2.5]), "Time"))

    image_dict = image_to_dict(image)

    assert list(image_dict["PointData"]) == ["Other", "Density", "Velocity"]
    assert image_dict["ActiveArrays"]["PointData"] == {"Scalars": "Density", "Vectors": "Velocity"}
    assert image_dict["CellData"]["Labels"].shape == (4, 3, 2, 2)  # one cell fewer than points per axis
    np.testing.assert_array_equal(image_dict["FieldData"]["Time"], [1.5, 2.5])
    back = dict_to_image(image_dict)
    assert_same_image(image, back)
    assert back.GetPointData().GetScalars().GetName() == "Density"
    assert back.GetPointData().GetVectors().GetName() == "Velocity"
    assert back.GetCellData().GetScalars().GetName() == "Labels"


def test_negative_spacing_becomes_a_flipped_direction_with_the_same_placement():
    image = make_image(spacing=(0.5, -1.0, 2.0), extent_start=(2, 3, 0))
    image.GetPointData().SetScalars(numpy_to_vtk(voxel_values(image.GetDimensions(), "float32"), "Voxels"))

    image_dict = image_to_dict(image)

    assert image_dict["Spacing"].tolist() == [0.5, 1.0, 2.0]
    back = dict_to_image(image_dict)
    assert_same_placement(image, back, sample_indices(image.GetDimensions()))


def test_a_two_dimensional_image_and_an_empty_image_round_trip():
    flat = make_image(dimensions=(6, 4, 1))
    flat.GetPointData().SetScalars(numpy_to_vtk(voxel_values(flat.GetDimensions(), "uint8"), "Slice"))
    flat.GetCellData().AddArray(numpy_to_vtk(voxel_values((5, 3, 1), "float32"), "CellValues"))
    assert_same_image(flat, dict_to_image(image_to_dict(flat)))

    empty = dict_to_image(image_to_dict(vtkImageData()))
    assert empty.GetNumberOfPoints() == 0 and empty.GetDimensions() == (0, 0, 0)


# --- zero copy ----------------------------------------------------------------


def test_dict_arrays_own_their_memory_unless_views_are_asked_for():
    image = make_image()
    image.GetPointData().SetScalars(numpy_to_vtk(voxel_values(image.GetDimensions(), "float32"), "Voxels"))
    start = image.GetExtent()[0::2]

    view = image_to_dict(image, copy=False)["PointData"]["Voxels"]
    copied = image_to_dict(image)["PointData"]["Voxels"]
    view[4, 3, 2] = -7.0

    assert image.GetScalarComponentAsDouble(start[0] + 4, start[1] + 3, start[2] + 2, 0) == -7.0
    assert copied[4, 3, 2] != -7.0
    assert copied.flags.owndata or not np.shares_memory(copied, view)


@pytest.mark.parametrize("index_order, layout", [("xyz", "F"), ("zyx", "C")])
def test_images_share_numpy_memory_laid_out_as_vtk_needs(index_order, layout):
    volume = np.asarray(np.arange(60, dtype=np.float32).reshape(5, 4, 3), order=layout)

    image = image_from_array(volume, index_order=index_order)
    copied = image_from_array(volume, index_order=index_order, share=False)
    volume[1, 2, 0] = -1.0

    assert vtk_to_numpy(image.GetPointData().GetScalars(), copy=False).min() == -1.0
    assert vtk_to_numpy(copied.GetPointData().GetScalars(), copy=False).min() == 0.0


def test_arrays_in_another_layout_are_copied_once_into_vtk_order():
    xyz_in_c_order = np.arange(60, dtype=np.int32).reshape(5, 4, 3)

    image = image_from_array(xyz_in_c_order)

    for ijk in sample_indices((5, 4, 3), count=10):
        assert image.GetScalarComponentAsDouble(*(int(v) for v in ijk), 0) == xyz_in_c_order[tuple(ijk)]


def test_shared_memory_outlives_the_dict():
    volume = np.arange(5 * 4 * 3 * 2, dtype=np.int16).reshape(3, 4, 5, 2)
    expected = volume.copy()
    image = image_from_array(volume, index_order="zyx")
    del volume
    garbage = [np.full(10_000, 99, np.int16) for _ in range(50)]  # reuse freed memory, if any

    assert garbage and np.array_equal(vtk_to_numpy(image.GetPointData().GetScalars()).reshape(3, 4, 5, 2), expected)


# --- index orders -------------------------------------------------------------


@pytest.mark.parametrize("components", [1, 3])
def test_both_index_orders_are_views_of_the_same_memory(components):
    image = make_image(extent_start=(3, -2, 1))
    image.GetPointData().SetScalars(numpy_to_vtk(voxel_values(image.GetDimensions(), "int16", components), "V"))

    xyz = image_to_dict(image, index_order="xyz", copy=False)
    zyx = image_to_dict(image, index_order="zyx", copy=False)

    xyz_voxels, zyx_voxels = xyz["PointData"]["V"], zyx["PointData"]["V"]
    assert zyx["IndexOrder"] == "zyx" and xyz["IndexOrder"] == "xyz"
    assert zyx_voxels.shape[:3] == (3, 4, 5) and zyx_voxels.flags.c_contiguous
    assert np.shares_memory(xyz_voxels, zyx_voxels)
    for i, j, k in sample_indices(image.GetDimensions(), count=10):
        np.testing.assert_array_equal(zyx_voxels[k, j, i], xyz_voxels[i, j, k])
    # Dimensions, Origin and the rest describe the image, whatever the index order.
    for key in ("Origin", "Dimensions", "Spacing", "Direction", "Extent"):
        np.testing.assert_array_equal(zyx[key], xyz[key])
    assert_same_image(image, dict_to_image(zyx))


def test_a_dict_without_index_order_uses_the_default_given():
    image_dict = dict_from_array(np.zeros((2, 3, 4), np.uint8), index_order="zyx")
    del image_dict["IndexOrder"]

    assert dict_to_image(image_dict, default_index_order="zyx").GetDimensions() == (4, 3, 2)
    with pytest.raises(ArrayDictError, match="looks like \\[z,y,x\\] index order"):
        dict_to_image(image_dict)


def test_the_recorded_index_order_wins_over_the_default():
    image_dict = dict_from_array(np.zeros((2, 3, 4), np.uint8), index_order="zyx")

    assert dict_to_image(image_dict, default_index_order="xyz").GetDimensions() == (4, 3, 2)


# --- from a bare ndarray ------------------------------------------------------


def test_an_ndarray_becomes_an_image_with_its_geometry():
    volume = np.random.default_rng(2).random((6, 5, 4)).astype(np.float32)  # [z, y, x]
    angle = np.deg2rad(30)
    direction = np.array([[np.cos(angle), -np.sin(angle), 0], [np.sin(angle), np.cos(angle), 0], [0, 0, 1]])

    image = image_from_array(volume, spacing=(0.3, 0.4, 1.5), origin=(-5, 2, 7), direction=direction,
                             index_order="zyx", name="CT")

    assert image.GetDimensions() == (4, 5, 6)
    assert image.GetPointData().GetScalars().GetName() == "CT"
    for i, j, k in sample_indices(image.GetDimensions(), count=10):
        assert image.GetScalarComponentAsDouble(int(i), int(j), int(k), 0) == volume[k, j, i]
        np.testing.assert_allclose(physical(image, (i, j, k)),
                                   np.array([-5, 2, 7]) + direction @ (np.array([0.3, 0.4, 1.5]) * (i, j, k)))


def test_dict_from_array_defaults_and_slices():
    image_dict = dict_from_array(np.ones((7, 3), np.uint16))

    assert image_dict["Dimensions"].tolist() == [7, 3, 1]
    assert image_dict["Origin"].tolist() == [0, 0, 0] and image_dict["Spacing"].tolist() == [1, 1, 1]
    np.testing.assert_array_equal(image_dict["Direction"], np.eye(3))
    assert image_dict["ActiveArrays"]["PointData"] == {"Scalars": "ImageScalars"}
    assert dict_from_array(np.ones((7, 3)), index_order="zyx")["Dimensions"].tolist() == [3, 7, 1]
    assert dict_from_array(np.ones((2, 3, 4, 3)))["PointData"]["ImageScalars"].shape == (2, 3, 4, 3)


def test_a_reflection_is_a_valid_direction():
    image = image_from_array(np.zeros((2, 2, 2)), direction=np.diag([-1.0, -1.0, 1.0]))

    assert physical(image, (1, 1, 1)).tolist() == [-1.0, -1.0, 1.0]


# --- bad input ----------------------------------------------------------------


def _valid_dict():
    return {
        "Origin": np.zeros(3),
        "Dimensions": np.array([4, 3, 2]),
        "Spacing": np.ones(3),
        "Direction": np.eye(3),
        "Extent": np.array([0, 3, 0, 2, 0, 1]),
        "IndexOrder": "xyz",
        "PointData": {"p": np.zeros((4, 3, 2), np.float32)},
    }


def _without(key):
    return lambda d: d.pop(key)


def _setting(key, value):
    return lambda d: d.__setitem__(key, value)


def _setting_array(value):
    return lambda d: d["PointData"].__setitem__("p", value)


BAD_DICTS = {
    "missing Origin": (_without("Origin"), r"\['Origin'\]: missing"),
    "missing Dimensions": (_without("Dimensions"), r"\['Dimensions'\]: missing"),
    "missing Spacing": (_without("Spacing"), r"\['Spacing'\]: missing"),
    "Dimensions not matching the arrays": (_setting("Dimensions", [4, 3, 3]), r"\['Extent'\]"),
    "Dimensions not matching the arrays without Extent": (
        lambda d: (d.pop("Extent"), d.__setitem__("Dimensions", [4, 3, 3])),
        r"\['PointData'\]\['p'\]: expected shape \(4, 3, 3\)",
    ),
    "Dimensions of rank 2": (_setting("Dimensions", [[4, 3, 2]]), r"\['Dimensions'\]: expected shape \(3,\)"),
    "Dimensions of two values": (_setting("Dimensions", [4, 3]), r"\['Dimensions'\]: expected shape \(3,\)"),
    "Dimensions not integers": (_setting("Dimensions", [4.5, 3, 2]), r"\['Dimensions'\]: expected integers"),
    "negative Dimensions": (_setting("Dimensions", [-4, 3, 2]), r"\['Dimensions'\]: expected point counts >= 0"),
    "zero spacing": (_setting("Spacing", [1.0, 0.0, 1.0]), r"\['Spacing'\]: expected positive"),
    "negative spacing": (_setting("Spacing", [1.0, 1.0, -2.0]), r"\['Spacing'\]: expected positive"),
    "NaN spacing": (_setting("Spacing", [1.0, np.nan, 1.0]), r"\['Spacing'\]: expected finite"),
    "Spacing of rank 2": (_setting("Spacing", np.ones((3, 1))), r"\['Spacing'\]: expected shape \(3,\)"),
    "Origin of two values": (_setting("Origin", [0.0, 0.0]), r"\['Origin'\]: expected shape \(3,\)"),
    "Origin as text": (_setting("Origin", ["0", "0", "0"]), r"\['Origin'\]: expected numbers"),
    "infinite Origin": (_setting("Origin", [0.0, np.inf, 0.0]), r"\['Origin'\]: expected finite"),
    "NaN in Direction": (
        _setting("Direction", [[1, 0, 0], [0, np.nan, 0], [0, 0, 1]]), r"\['Direction'\]: expected finite"
    ),
    "Extent not integers": (_setting("Extent", [0, 3, 0, 2, 0.5, 1.5]), r"\['Extent'\]: expected integers"),
    "singular Direction": (_setting("Direction", np.zeros((3, 3))), r"\['Direction'\]: is singular"),
    "scaled Direction": (_setting("Direction", 2 * np.eye(3)), r"\['Direction'\]: expected an orthonormal"),
    "Direction near the float limit": (  # its determinant overflows: no RuntimeWarning beside the error
        _setting("Direction", [[0, 0, -1], [1e308, -1, 0], [-1, 0, 0]]), r"\['Direction'\]: expected an orthonormal"
    ),
    "sheared Direction": (
        _setting("Direction", [[1, 0.5, 0], [0, 1, 0], [0, 0, 1]]), r"\['Direction'\]: expected an orthonormal"
    ),
    "Direction of nine values": (_setting("Direction", np.eye(3).ravel()), r"\['Direction'\]: expected shape \(3, 3\)"),
    "unknown IndexOrder": (_setting("IndexOrder", "yxz"), r"\['IndexOrder'\]: expected one of \['xyz', 'zyx'\]"),
    "Extent of four values": (_setting("Extent", [0, 3, 0, 2]), r"\['Extent'\]: expected shape \(6,\)"),
    "Extent spanning other Dimensions": (_setting("Extent", [0, 3, 0, 2, 0, 4]), r"\['Extent'\]: .* spans \[4, 3, 5\]"),
    "a flat array": (_setting_array(np.zeros(24)), r"\['PointData'\]\['p'\]: expected shape \(4, 3, 2\)"),
    "an array of rank 5": (_setting_array(np.zeros((4, 3, 2, 1, 1))), r"\['PointData'\]\['p'\]: expected shape"),
    "an array in the other index order": (_setting_array(np.zeros((2, 3, 4))), r"\['p'\]: .*set IndexOrder to 'zyx'"),
    "a text array": (_setting_array(np.full((4, 3, 2), "a")), r"\['PointData'\]\['p'\]: expected numbers"),
    "an object array": (_setting_array(np.empty((4, 3, 2), object)), r"\['PointData'\]\['p'\]: expected numbers"),
    "PointData not a dict": (_setting("PointData", [np.zeros((4, 3, 2))]), r"\['PointData'\]: expected a dict"),
    "unknown active array": (_setting("ActiveArrays", {"PointData": {"Scalars": "q"}}), r"\['Scalars'\]: names 'q'"),
    "wrong cell data shape": (
        _setting("CellData", {"c": np.zeros((4, 3, 2))}), r"\['CellData'\]\['c'\]: expected shape \(3, 2, 1\)"
    ),
}


@pytest.mark.parametrize("case", BAD_DICTS, ids=list(BAD_DICTS))
def test_bad_dicts_raise_one_clear_error_naming_the_key(case):
    spoil, message = BAD_DICTS[case]
    image_dict = _valid_dict()
    spoil(image_dict)

    with pytest.raises(ArrayDictError, match=message) as raised, warnings.catch_warnings():
        warnings.simplefilter("error")  # the error alone: no other warning
        dict_to_image(image_dict)
    assert str(raised.value).startswith("ArrayDict[") and "\n" not in str(raised.value)


def test_the_valid_dict_used_above_converts():
    assert dict_to_image(_valid_dict()).GetDimensions() == (4, 3, 2)


def test_bad_arguments_raise_naming_the_argument():
    with pytest.raises(ArrayDictError, match="^ArrayDict: expected a dict, found list"):
        dict_to_image([1, 2])
    with pytest.raises(ArrayDictError, match="^image: expected a vtkImageData"):
        image_to_dict({"Origin": [0, 0, 0]})
    with pytest.raises(ArrayDictError, match="^index_order: expected one of"):
        image_to_dict(vtkImageData(), index_order="ijk")
    with pytest.raises(ArrayDictError, match=r"^array: expected a 3-D volume.*found shape \(2, 2, 2, 2, 2\)"):
        dict_from_array(np.zeros((2, 2, 2, 2, 2)))
    with pytest.raises(ArrayDictError, match="^array: expected numbers"):
        dict_from_array(np.full((2, 2, 2), "a"))
    with pytest.raises(ArrayDictError, match="^spacing: expected positive"):
        dict_from_array(np.zeros((2, 2, 2)), spacing=(1, 1, 0))
    with pytest.raises(ArrayDictError, match="^direction: expected an orthonormal"):
        image_from_array(np.zeros((2, 2, 2)), direction=np.ones((3, 3)) / 3 + np.eye(3))


def test_unknown_keys_are_ignored_with_a_warning():
    image_dict = _valid_dict()
    image_dict["Directions"] = np.diag([-1.0, -1.0, 1.0])  # misspelt: the image would come back mirrored

    with pytest.warns(LossWarning, match="'Directions' not part of an image ArrayDict"):
        dict_to_image(image_dict)


def test_an_unknown_section_of_active_arrays_is_an_error():
    image_dict = _valid_dict()
    image_dict["ActiveArrays"] = {"Pointdata": {"Scalars": "p"}}

    with pytest.raises(ArrayDictError, match=r"\['ActiveArrays'\]\['Pointdata'\]: unknown section"):
        dict_to_image(image_dict)


def test_active_arrays_given_as_none_count_as_absent():
    # As for every optional key: without this, the dict came back without the scalars vmtk's dicts get.
    array_dict = dict_from_array(np.zeros((2, 3, 4), np.int16), name="Density")
    array_dict["ActiveArrays"] = None

    assert image_to_dict(dict_to_image(array_dict))["ActiveArrays"]["PointData"] == {"Scalars": "Density"}
