"""vmtk's image convention: axis-aligned RAS images with their orientation in two matrices, and vmtk's formats."""

import numpy as np
import pytest

from vmtkscripts_numpy.convert.arrays import vtk_to_numpy
from vmtkscripts_numpy.convert.image import image_from_array
from vmtkscripts_numpy.errors import ArrayDictError, DataFileError
from vmtkscripts_numpy.vtkfiles import read_image, write_image
from vmtkscripts_numpy.vtkfiles.vmtk_convention import (
    ReaderOptions,
    WriterOptions,
    flipped,
    placed_by_ras_to_ijk,
    read_vmtk_image,
    reoriented,
    vmtk_placement,
    write_vmtk_image,
)

QUARTER_TURN = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])


def oblique_image(direction=QUARTER_TURN):
    volume = np.arange(4 * 5 * 6, dtype=np.int16).reshape(6, 5, 4)  # [z, y, x]
    return image_from_array(volume, spacing=(1.0, 2.0, 3.0), origin=(10.0, 20.0, 30.0), direction=direction,
                            index_order="zyx")


def voxel_positions(image):
    """Physical position of every voxel, x fastest, as VTK computes them."""
    return np.array([image.GetPoint(index) for index in range(image.GetNumberOfPoints())])


def values(image):
    return vtk_to_numpy(image.GetPointData().GetScalars())


def test_vmtk_placement_keeps_the_first_voxel_and_moves_the_rotation_into_the_matrices():
    image = oblique_image()

    placed = vmtk_placement(image)

    assert placed.image.GetDirectionMatrix().IsIdentity()
    assert placed.image.GetOrigin() == image.GetOrigin()
    np.testing.assert_array_equal(values(placed.image), values(image))
    # XyzToRas takes the axis-aligned voxels to where the image really has them ...
    aligned = np.c_[voxel_positions(placed.image), np.ones(image.GetNumberOfPoints())]
    np.testing.assert_allclose((aligned @ placed.xyz_to_ras.T)[:, :3], voxel_positions(image), atol=1e-12)
    # ... and RasToIjk takes those positions to the voxel indices.
    true = np.c_[voxel_positions(image), np.ones(image.GetNumberOfPoints())]
    k, j, i = np.indices((6, 5, 4)).reshape(3, -1)
    np.testing.assert_allclose((true @ placed.ras_to_ijk.T)[:, :3], np.c_[i, j, k], atol=1e-12)


def test_placing_by_ras_to_ijk_puts_the_voxels_back():
    image = oblique_image()
    placed = vmtk_placement(image)

    back = placed_by_ras_to_ijk(placed.image, placed.ras_to_ijk.ravel())

    np.testing.assert_allclose(voxel_positions(back), voxel_positions(image), atol=1e-12)


@pytest.mark.parametrize("matrix, message", [
    (np.zeros(16), "cannot be inverted"),
    (np.r_[1, 0.5, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], "not at right angles"),
    ([1.0] * 15, "expected 16 numbers"),
    (np.r_[np.nan, np.zeros(15)], "expected finite numbers"),
])
def test_a_bad_ras_to_ijk_matrix_is_refused_by_name(matrix, message):
    with pytest.raises(ArrayDictError, match=f"RasToIjkMatrixCoefficients: .*{message}"):
        placed_by_ras_to_ijk(oblique_image(), matrix)


@pytest.mark.parametrize("orientation", ["axial", "coronal", "sagittal"])
@pytest.mark.parametrize("direction", [np.eye(3), QUARTER_TURN, np.diag([-1.0, 1.0, -1.0])],
                         ids=["identity", "quarter turn", "mirrored"])
def test_reorienting_keeps_every_voxel_where_it_is(orientation, direction):
    image = oblique_image(direction)

    turned = reoriented(image, orientation)

    before = dict(zip(map(tuple, np.round(voxel_positions(image), 9)), values(image)))
    after = dict(zip(map(tuple, np.round(voxel_positions(turned), 9)), values(turned)))
    assert before == after


@pytest.mark.parametrize("orientation, axes", [
    # ITK's RAI, RSA and ASL: the patient axis (and its sign, in RAS) each image axis runs along.
    ("axial", [[-1, 0, 0], [0, -1, 0], [0, 0, 1]]),
    ("coronal", [[-1, 0, 0], [0, 0, -1], [0, -1, 0]]),
    ("sagittal", [[0, -1, 0], [0, 0, -1], [1, 0, 0]]),
])
def test_reorienting_runs_the_axes_as_itk_names_them(orientation, axes):
    turned = reoriented(oblique_image(QUARTER_TURN), orientation)

    direction = np.array([[turned.GetDirectionMatrix().GetElement(row, column) for column in range(3)]
                          for row in range(3)])
    np.testing.assert_array_equal(np.round(direction.T), axes)


def test_native_orientation_is_the_image_itself():
    image = oblique_image()
    assert reoriented(image, "native") is image


def test_flipping_mirrors_the_values_in_place_as_vtk_image_flip_does():
    image = oblique_image()

    mirrored = flipped(image, [1, 0, 1])

    np.testing.assert_array_equal(voxel_positions(mirrored), voxel_positions(image))
    volume = values(image).reshape(6, 5, 4)
    np.testing.assert_array_equal(values(mirrored).reshape(6, 5, 4), volume[::-1, :, ::-1])


def test_the_reader_gives_a_metaimage_axis_aligned_in_ras_named_as_vmtk(tmp_path):
    path = write_image(oblique_image(), tmp_path / "oblique.mha")

    placed = read_vmtk_image(str(path))

    assert placed.image.GetDirectionMatrix().IsIdentity()
    assert placed.image.GetPointData().GetScalars().GetName() == "ImageScalars"
    np.testing.assert_allclose(placed.xyz_to_ras[:3, :3], QUARTER_TURN, atol=1e-15)


def test_the_reader_gives_a_vtk_file_as_stored_with_identity_matrices(tmp_path):
    path = write_image(oblique_image(), tmp_path / "oblique.vti")

    placed = read_vmtk_image(str(path))

    np.testing.assert_allclose(voxel_positions(placed.image), voxel_positions(oblique_image()))
    np.testing.assert_array_equal(placed.xyz_to_ras, np.eye(4))
    np.testing.assert_array_equal(placed.ras_to_ijk, np.eye(4))


def test_without_itk_a_metaimage_comes_as_stored_in_lps(tmp_path):
    path = write_image(oblique_image(), tmp_path / "oblique.mha")

    placed = read_vmtk_image(str(path), ReaderOptions(use_itk=False))

    np.testing.assert_allclose(voxel_positions(placed.image),
                               voxel_positions(read_image(path, frame="LPS")), atol=1e-12)
    assert placed.image.GetPointData().GetScalars().GetName() == "MetaImage"


def test_raw_voxels_are_read_with_vtks_row_order(tmp_path):
    data = np.arange(24, dtype=">i2")
    (tmp_path / "volume.raw").write_bytes(b"HEAD" + data.tobytes())

    placed = read_vmtk_image(str(tmp_path / "volume.raw"), ReaderOptions(
        extent=(0, 3, 0, 2, 0, 1), header_size=4, scalar_type="short", byte_order="bigendian",
        spacing=(1, 2, 3), origin=(5, 6, 7)))

    image = placed.image
    assert image.GetOrigin() == (5.0, 6.0, 7.0) and image.GetSpacing() == (1.0, 2.0, 3.0)
    assert image.GetPointData().GetScalars().GetName() == "ImageFile"
    # The file's rows run top-down: its first row is the image's last y.
    np.testing.assert_array_equal(values(image).reshape(2, 3, 4), data.reshape(2, 3, 4)[:, ::-1, :])


def test_a_raw_series_is_one_file_per_slice(tmp_path):
    data = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    for index, piece in enumerate(data):
        (tmp_path / f"slice{index:04d}.raw").write_bytes(piece.tobytes())

    placed = read_vmtk_image("", ReaderOptions(format="raw", prefix=str(tmp_path / "slice"), pattern="%s%04d.raw",
                                               extent=(0, 3, 0, 2, 0, 1), scalar_type="uchar",
                                               file_dimensionality=2))

    np.testing.assert_array_equal(values(placed.image).reshape(2, 3, 4), data[:, ::-1, :])


@pytest.mark.parametrize("case, message", [
    ("short", "is too short for the extent: 52 bytes needed, 10 there"),
    ("missing", "no such file"),
    ("bad extent", "needs an extent of 6 integers"),
])
def test_raw_data_that_does_not_fit_its_layout_is_refused(tmp_path, case, message):
    path = tmp_path / "volume.raw"
    if case != "missing":
        path.write_bytes(b"x" * 10)
    extent = (0, 3, 0, 2, -1, -5) if case == "bad extent" else (0, 3, 0, 2, 0, 1)

    with pytest.raises(DataFileError, match=message):
        read_vmtk_image(str(path), ReaderOptions(extent=extent, header_size=4, scalar_type="short"))


def test_png_slices_are_read_with_itks_row_order_and_written_back(tmp_path):
    image = image_from_array(np.arange(12, dtype=np.uint8).reshape(1, 3, 4), index_order="zyx")
    write_vmtk_image(image, str(tmp_path / "slice.png"))

    placed = read_vmtk_image(str(tmp_path / "slice.png"))

    # VTK's writer puts the last row first in the file; ITK (vmtk's default reader) reads that row as y = 0.
    np.testing.assert_array_equal(values(placed.image).reshape(3, 4), np.arange(12).reshape(3, 4)[::-1])
    without_itk = read_vmtk_image(str(tmp_path / "slice.png"), ReaderOptions(use_itk=False))
    np.testing.assert_array_equal(values(without_itk.image).reshape(3, 4), np.arange(12).reshape(3, 4))
    np.testing.assert_array_equal(placed.xyz_to_ras[:3, :3], np.diag([-1.0, -1.0, 1.0]))


def test_the_writer_maps_values_to_bytes_by_window_and_level_for_png(tmp_path):
    image = image_from_array(np.array([[[-1000.0, 0.0, 40.0, 3000.0]]]), index_order="zyx")

    write_vmtk_image(image, str(tmp_path / "ct.png"), WriterOptions(window_level=(400.0, 40.0)))

    read = read_vmtk_image(str(tmp_path / "ct.png"))
    np.testing.assert_array_equal(values(read.image), [0, 102, 127, 255])


def test_the_writer_casts_to_the_pixel_representation(tmp_path):
    image = image_from_array(np.array([[[1.75, -2.5]]]), index_order="zyx")

    write_vmtk_image(image, str(tmp_path / "cast.vti"), WriterOptions(pixel_representation="short"))

    copy = values(read_image(tmp_path / "cast.vti"))
    assert copy.dtype == np.int16 and copy.tolist() == [1, -2]


def test_pointdata_lists_every_voxel_position_and_value(tmp_path):
    image = oblique_image()

    write_vmtk_image(image, str(tmp_path / "voxels.dat"))

    lines = (tmp_path / "voxels.dat").read_text().splitlines()
    assert lines[0] == "X Y Z ImageScalars"
    table = np.loadtxt(tmp_path / "voxels.dat", skiprows=1)
    np.testing.assert_array_equal(table[:, :3], voxel_positions(image))
    np.testing.assert_array_equal(table[:, 3], values(image))


def test_a_format_only_vmtk_writes_is_refused_by_name(tmp_path):
    with pytest.raises(DataFileError, match=r"image.vts: format 'vtsxml' is not written by this package"):
        write_vmtk_image(oblique_image(), str(tmp_path / "image.vts"))
