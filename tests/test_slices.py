"""Oblique slices: sampled by vtkImageReslice, placed where they are, stored without a mirror.

The placement is measured, not trusted: a volume whose values are a linear
function of the physical position is sampled exactly by linear interpolation,
so each pixel's value says where VTK sampled it, and the slice's own
Origin/Spacing/Direction say where the slice claims that pixel is.
"""

import numpy as np
import pytest

from vmtkscripts_numpy.convert.image import dict_from_array, dict_to_image, image_to_dict
from vmtkscripts_numpy.errors import ArrayDictError, LossWarning
from vmtkscripts_numpy.slices import extract_slice, slice_direction

#: A linear field: value = GRADIENT . position + OFFSET (mm -> value).
GRADIENT, OFFSET = np.array([0.3, -0.7, 0.5]), 10.0
#: How far (mm) a pixel may be sampled from where its slice says it is.
PLACEMENT_TOLERANCE = 1e-4


def rotation(seed, handed=1):
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(3, 3)))
    if np.linalg.det(q) * handed < 0:
        q[:, 0] *= -1
    return q


def linear_volume(direction=None, spacing=(0.8, 0.6, 1.5), origin=(-100.0, 40.0, 20.0), dims=(40, 50, 30),
                  dtype=np.float64, frame="RAS"):
    """An image dict whose voxel values are GRADIENT . position + OFFSET."""
    direction = np.eye(3) if direction is None else direction
    ijk = np.stack(np.meshgrid(*[np.arange(n) for n in dims], indexing="ij"), axis=-1)
    positions = np.asarray(origin) + (ijk * np.asarray(spacing)) @ direction.T
    return dict_from_array((positions @ GRADIENT + OFFSET).astype(dtype), spacing=spacing, origin=origin,
                           direction=direction, frame=frame)


def pixel_positions(slice_dict):
    """(nx, ny, 3): where the slice says each pixel [i, j] is."""
    nx, ny, _ = slice_dict["Dimensions"]
    i, j = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    direction, spacing = slice_dict["Direction"], slice_dict["Spacing"]
    return (slice_dict["Origin"] + i[..., None] * spacing[0] * direction[:, 0]
            + j[..., None] * spacing[1] * direction[:, 1])


def placement_error(slice_dict, name="ImageScalars"):
    """The largest distance (mm) between where a pixel was sampled and where the slice puts it."""
    values = slice_dict["PointData"][name][:, :, 0].astype(np.float64)
    expected = pixel_positions(slice_dict) @ GRADIENT + OFFSET
    return float(np.abs(values - expected).max() / np.linalg.norm(GRADIENT))


def centre_of(volume):
    dims = np.asarray(volume["Dimensions"])
    return volume["Origin"] + volume["Direction"] @ (volume["Spacing"] * (dims - 1) / 2)


@pytest.mark.parametrize("handed", [1, -1], ids=["rotated volume", "mirrored volume"])
def test_an_oblique_slice_is_sampled_where_its_placement_says(handed):
    volume = linear_volume(rotation(1, handed))

    oblique = extract_slice(volume, centre_of(volume), normal=(0.2, 0.4, 1.0), up=(0, 1, 0), spacing=0.37,
                            size=(41, 35))

    assert oblique["Dimensions"].tolist() == [41, 35, 1]
    assert placement_error(oblique) < PLACEMENT_TOLERANCE
    # Never mirrored: a rotation, whose third column is the plane's normal.
    assert np.linalg.det(oblique["Direction"]) == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(oblique["Direction"][:, 2], np.array([0.2, 0.4, 1.0]) / np.linalg.norm([0.2, 0.4, 1]))


def test_the_point_is_the_centre_pixel_and_spacing_and_thickness_are_kept():
    volume = linear_volume()
    point = centre_of(volume)

    cut = extract_slice(volume, point, [(1, 1, 0), (0, 0, 1)], spacing=(0.5, 0.25), size=(21, 11), thickness=2.0)

    np.testing.assert_allclose(pixel_positions(cut)[10, 5], point, atol=1e-12)
    np.testing.assert_allclose(cut["Spacing"], [0.5, 0.25, 2.0])
    np.testing.assert_allclose(cut["Direction"][:, 0], np.array([1, 1, 0]) / np.sqrt(2))
    assert cut["Frame"] == "RAS" and cut["Extent"].tolist() == [0, 20, 0, 10, 0, 0]


def test_three_known_voxels_of_a_volume_come_back_in_a_slice_through_their_centres():
    values = np.random.default_rng(0).integers(-1000, 3000, size=(30, 20, 10)).astype(np.int16)
    direction = np.diag([-1.0, -1.0, 1.0])  # a CT read in RAS
    volume = dict_from_array(values, spacing=(0.7, 0.9, 2.5), origin=(10.0, 20.0, -30.0), direction=direction)
    image = dict_to_image(volume)
    k = 4
    point = np.array(image.GetPoint(image.ComputePointId([15, 10, k])))

    axial = extract_slice(volume, point, [direction[:, 0], direction[:, 1]], spacing=(0.7, 0.9), size=(29, 19),
                          interpolation="nearest")

    slice_values = axial["PointData"]["ImageScalars"][:, :, 0]
    assert slice_values.dtype == np.int16
    for i, j in [(0, 0), (7, 3), (28, 18)]:
        voxel = (i + 1, j + 1, k)  # the slice starts one voxel in: centre 15 - 14, 10 - 9
        assert slice_values[i, j] == values[voxel]
        np.testing.assert_allclose(pixel_positions(axial)[i, j], image.GetPoint(image.ComputePointId(voxel)),
                                   atol=1e-9)


def test_the_default_size_covers_the_volume():
    volume = linear_volume()

    whole = extract_slice(volume, centre_of(volume), normal=(0, 0, 1), up=(0, 1, 0))

    # 40 x 0.8 mm and 50 x 0.6 mm at the smallest voxel size, 0.6 mm: odd counts around the centre.
    assert whole["Dimensions"].tolist() == [53, 51, 1]
    assert whole["Spacing"][:2].tolist() == [0.6, 0.6]
    assert whole["Spacing"][2] == pytest.approx(1.5)  # one voxel along the normal


def test_up_is_towards_the_first_row():
    volume = linear_volume()

    cut = extract_slice(volume, centre_of(volume), normal=(0, 0, 1), up=(0, 1, 0), size=(5, 5))

    # Shown top-down, row 0 is the most anterior (y largest): rows run against "up".
    np.testing.assert_allclose(cut["Direction"][:, 1], [0, -1, 0])
    np.testing.assert_allclose(cut["Direction"][:, 0], [-1, 0, 0])  # so that x, y, normal is right-handed


@pytest.mark.parametrize(
    "normal, columns, rows, plane_normal",
    [
        # In RAS: a viewer's axial slice has columns towards the patient's left (-x), rows towards posterior (-y).
        ((0.05, -0.1, 1.0), (-1, 0, 0), (0, -1, 0), (0, 0, 1)),
        ((0.05, -0.1, -1.0), (-1, 0, 0), (0, -1, 0), (0, 0, 1)),   # the same plane, its normal turned round
        ((0.1, 1.0, 0.05), (-1, 0, 0), (0, 0, -1), (0, -1, 0)),    # coronal: left, inferior; normal posterior
        ((1.0, 0.1, -0.1), (0, -1, 0), (0, 0, -1), (1, 0, 0)),     # sagittal: posterior, inferior; normal right
    ],
    ids=["near axial", "near axial seen from below", "near coronal", "near sagittal"],
)
def test_snapping_stores_rows_and_columns_as_a_viewer_expects(normal, columns, rows, plane_normal):
    direction = slice_direction(normal=normal, snap_to_patient_axes=True, frame="RAS")

    assert np.linalg.det(direction) == pytest.approx(1.0)
    # The snapped axes are the viewer's, turned only as much as the tilted plane needs.
    assert direction[:, 0] @ columns > 0.98 and direction[:, 1] @ rows > 0.98
    assert direction[:, 2] @ plane_normal > 0.98
    # Still the plane asked for.
    assert abs(direction[:, 2] @ (np.asarray(normal) / np.linalg.norm(normal))) == pytest.approx(1.0)


def test_snapping_in_lps_gives_dicoms_axial_orientation():
    assert slice_direction(normal=(0, 0, 1), snap_to_patient_axes=True, frame="LPS").tolist() == np.eye(3).tolist()
    # The same patient axes, written in RAS.
    np.testing.assert_array_equal(slice_direction(normal=(0, 0, 1), snap_to_patient_axes=True, frame="RAS"),
                                  np.diag([-1.0, -1.0, 1.0]))


def test_a_quarter_turn_rotates_the_pixels_with_the_axes():
    volume = linear_volume()
    point = centre_of(volume)
    plain = extract_slice(volume, point, normal=(0.3, 0, 1), up=(0, 1, 0), spacing=0.5, size=(21, 21))

    turned = extract_slice(volume, point, normal=(0.3, 0, 1), up=(0, 1, 0), spacing=0.5, size=(21, 21),
                           quarter_turns=1)

    np.testing.assert_allclose(turned["Direction"][:, 0], plain["Direction"][:, 1], atol=1e-12)
    np.testing.assert_allclose(turned["Direction"][:, 1], -plain["Direction"][:, 0], atol=1e-12)
    # Pixel [i, j] of the turned slice is pixel [20 - j, i] of the plain one: the same place, the same value.
    np.testing.assert_allclose(turned["PointData"]["ImageScalars"][:, :, 0],
                               np.rot90(plain["PointData"]["ImageScalars"][:, :, 0], k=-1), atol=1e-9)
    assert placement_error(turned) < PLACEMENT_TOLERANCE
    assert np.linalg.det(turned["Direction"]) == pytest.approx(1.0)


def test_a_volume_in_lps_gives_its_slice_in_lps_at_the_same_points():
    ras = linear_volume(rotation(2))
    point = centre_of(ras)
    lps_volume = image_to_dict(dict_to_image(ras, frame="LPS"), frame="LPS")
    flip = np.diag([-1.0, -1.0, 1.0])

    in_ras = extract_slice(ras, point, normal=(1, 1, 1), up=(0, 0, 1), spacing=0.5, size=(9, 7))
    in_lps = extract_slice(lps_volume, flip @ point, normal=flip @ np.array([1, 1, 1]), up=(0, 0, 1), spacing=0.5,
                           size=(9, 7))

    assert in_lps["Frame"] == "LPS"
    np.testing.assert_allclose(pixel_positions(in_lps) @ flip, pixel_positions(in_ras), atol=1e-9)
    np.testing.assert_allclose(in_lps["PointData"]["ImageScalars"], in_ras["PointData"]["ImageScalars"], atol=1e-9)


def test_every_point_array_is_sampled_with_its_dtype_and_components_and_outside_is_background():
    volume = linear_volume(dims=(10, 10, 10))
    grid = volume["PointData"]["ImageScalars"]
    volume["PointData"]["Labels"] = (grid > np.median(grid)).astype(np.uint8) * 7
    volume["PointData"]["Vector"] = np.stack([grid, -grid], axis=-1)

    with pytest.warns(LossWarning, match="cell data"):
        volume["CellData"] = {"Cells": np.zeros((9, 9, 9))}
        cut = extract_slice(volume, centre_of(volume), normal=(0, 0, 1), up=(0, 1, 0), size=(31, 31), spacing=0.5,
                            interpolation="nearest", background=-5)

    assert list(cut["PointData"]) == ["ImageScalars", "Labels", "Vector"]
    assert cut["PointData"]["Labels"].dtype == np.uint8 and set(np.unique(cut["PointData"]["Labels"])) <= {0, 7}
    assert cut["PointData"]["Vector"].shape == (31, 31, 1, 2)
    # 31 pixels of 0.5 mm reach beyond the 10 x 0.8 mm volume: the corners are background.
    assert cut["PointData"]["ImageScalars"][0, 0, 0] == -5
    del volume["CellData"]
    only = extract_slice(volume, centre_of(volume), normal=(0, 0, 1), up=(0, 1, 0), arrays=["Labels"])
    assert list(only["PointData"]) == ["Labels"]


def test_a_vtk_image_is_sliced_as_its_dict():
    volume = linear_volume(rotation(3))
    point = centre_of(volume)

    from_image = extract_slice(dict_to_image(volume), point, normal=(0, 1, 1), up=(0, 0, 1), spacing=0.5, size=9)
    from_dict = extract_slice(volume, point, normal=(0, 1, 1), up=(0, 0, 1), spacing=0.5, size=9)

    np.testing.assert_array_equal(from_image["PointData"]["ImageScalars"], from_dict["PointData"]["ImageScalars"])
    np.testing.assert_array_equal(from_image["Origin"], from_dict["Origin"])


def test_an_oblique_slice_of_vmtks_aorta_ct_agrees_with_trilinear_interpolation(vmtk_test_data):
    from vmtkscripts_numpy.vtkfiles import read_image

    ct = image_to_dict(read_image(vmtk_test_data("aorta.mha")))   # RAS, as vmtk reads it
    values = ct["PointData"]["ImageScalars"].astype(np.float64)
    point = centre_of(ct)

    cut = extract_slice(ct, point, normal=(0.3, -0.2, 1.0), snap_to_patient_axes=True, spacing=0.6, size=(101, 81))

    # Each pixel's position, as a continuous index of the CT, and the CT interpolated there by hand.
    positions = pixel_positions(cut).reshape(-1, 3)
    index = ((positions - ct["Origin"]) @ ct["Direction"]) / ct["Spacing"]
    inside = np.all((index >= 0) & (index <= np.asarray(ct["Dimensions"]) - 1), axis=1)
    low = np.minimum(np.floor(index[inside]).astype(int), np.asarray(ct["Dimensions"]) - 2)
    fraction = index[inside] - low
    expected = np.zeros(len(low))
    for corner in np.ndindex(2, 2, 2):
        weight = np.prod(np.where(corner, fraction, 1 - fraction), axis=1)
        expected += weight * values[tuple((low + corner).T)]
    sampled = cut["PointData"]["ImageScalars"][:, :, 0].reshape(-1)[inside]
    assert inside.sum() > 5000
    np.testing.assert_allclose(sampled, expected, atol=0.05)  # HU, float32 sampling
    # Anterior is up in a viewer: the rows run towards posterior (-y in RAS).
    assert cut["Direction"][1, 1] < -0.9


@pytest.mark.parametrize(
    "arguments, message",
    [
        (dict(axes=[(1, 0, 0), (0, 1, 0)], normal=(0, 0, 1)), "either by its two in-plane axes"),
        (dict(), "either by its two in-plane axes"),
        (dict(axes=[(1, 0, 0), (2, 0, 0)]), r"axes\[1\].*parallel"),
        (dict(axes=[(1, 0, 0), (0, 1, 0)], up=(0, 1, 0)), "up= goes with normal="),
        (dict(normal=(0, 0, 1), up=(0, 0, 2)), "up"),
        (dict(normal=(0, 0, 0)), "normal: is zero"),
        (dict(normal=(0, 0, 1), interpolation="spline"), "interpolation"),
        (dict(normal=(0, 0, 1), spacing=0), "spacing"),
        (dict(normal=(0, 0, 1), size=(3, 0)), "size"),
        (dict(normal=(0, 0, 1), size=2.5), "size"),
        (dict(normal=(0, 0, 1), arrays=["Nope"]), "Nope"),
        (dict(normal=(0, 0, 1), quarter_turns=0.5), "quarter_turns"),
        (dict(normal=(0, 0, 1), frame="XYZ"), "frame"),
    ],
)
def test_a_plane_that_is_not_given_right_is_refused_with_what_to_do(arguments, message):
    with pytest.raises(ValueError, match=message):
        extract_slice(linear_volume(dims=(4, 4, 4)), (1, 1, 1), **arguments)


def test_something_that_is_not_an_image_is_refused():
    with pytest.raises(ArrayDictError, match="image: expected a vtkImageData or an image ArrayDict"):
        extract_slice([1, 2, 3], (0, 0, 0), normal=(0, 0, 1))


@pytest.mark.parametrize("suffix", [".mha", ".nii.gz", ".vti"])
def test_a_slice_written_to_an_image_file_keeps_its_3d_placement(tmp_path, suffix):
    from vmtkscripts_numpy.vtkfiles import read_image, write_image

    volume = linear_volume(rotation(4))
    oblique = extract_slice(volume, centre_of(volume), normal=(0.4, -0.3, 1.0), up=(0, 1, 0), spacing=(0.5, 0.6),
                            size=(31, 25), interpolation="nearest")

    back = image_to_dict(read_image(write_image(dict_to_image(oblique), tmp_path / f"slice{suffix}")))

    assert back["Dimensions"].tolist() == [31, 25, 1]
    written, read = pixel_positions(oblique), pixel_positions(back)
    worst = max(np.linalg.norm(read[i, j] - written[i, j]) for i, j in [(0, 0), (15, 12), (30, 24)])
    assert worst < PLACEMENT_TOLERANCE
    np.testing.assert_array_equal(back["PointData"]["ImageScalars"], oblique["PointData"]["ImageScalars"])
