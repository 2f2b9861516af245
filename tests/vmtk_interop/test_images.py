"""Images through vmtk's own reader, writer and numpy scripts and through this package's: the same voxels, placed alike.

vmtk reads MetaImage, NIfTI and NRRD through ITK into RAS, axis-aligned, with
the orientation in ``XyzToRasMatrixCoefficients``; the package's reader gives
the same, and its writer puts the voxels back where vmtk's ITK writer does.
"""

import numpy as np
import pytest

from vmtkscripts_numpy.convert.arrays import vtk_to_numpy
from vmtkscripts_numpy.convert.image import dict_to_image, image_from_array
from vmtkscripts_numpy.vtkfiles import read_image, write_image

from .conftest import vmtk_scripts

#: Directions (RAS columns) of the generated images: axis-aligned, vmtk's CT (LPS diag(-1, -1, 1)), tilted.
TILT = np.array([[np.cos(0.3), -np.sin(0.3), 0.0], [np.sin(0.3), np.cos(0.3), 0.0], [0.0, 0.0, 1.0]])
DIRECTIONS = {"ras identity": np.eye(3), "lps identity": np.diag([-1.0, -1.0, 1.0]), "tilted": TILT,
              "axes swapped": np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, -1.0]])}


def generated_image(direction):
    volume = (np.arange(5 * 6 * 7, dtype=np.int16).reshape(7, 6, 5) * 13) % 1000  # [z, y, x], every size differs
    return image_from_array(volume, spacing=(0.5, 0.8, 1.5), origin=(-12.0, 30.0, 7.5), direction=direction,
                            index_order="zyx", frame="RAS")


def run_reader(scripts, path, **members):
    reader = scripts.vmtkImageReader()
    reader.LogOn, reader.InputFileName = 0, str(path)
    for name, value in members.items():
        setattr(reader, name, value)
    reader.Execute()
    return reader


def same_image(theirs, ours):
    """Differences between two images: grid, placement, scalars and their name."""
    found = []
    for what in ("GetDimensions", "GetExtent"):
        if getattr(theirs, what)() != getattr(ours, what)():
            found.append(what[3:])
    for what in ("GetOrigin", "GetSpacing"):
        if not np.allclose(getattr(theirs, what)(), getattr(ours, what)(), rtol=1e-12, atol=1e-9):
            found.append(f"{what[3:]}: vmtk {getattr(theirs, what)()}, ours {getattr(ours, what)()}")
    if not theirs.GetDirectionMatrix().IsIdentity() or not ours.GetDirectionMatrix().IsIdentity():
        found.append("a direction matrix that is not the identity")
    their_scalars, our_scalars = theirs.GetPointData().GetScalars(), ours.GetPointData().GetScalars()
    if their_scalars.GetName() != our_scalars.GetName():
        found.append(f"name: vmtk {their_scalars.GetName()}, ours {our_scalars.GetName()}")
    if not np.array_equal(vtk_to_numpy(their_scalars), vtk_to_numpy(our_scalars)):
        found.append("voxel values")
    return found


@pytest.mark.parametrize("orientation", ["native", "axial", "coronal", "sagittal"])
@pytest.mark.parametrize("direction", list(DIRECTIONS))
@pytest.mark.parametrize("extension", ["mha", "nii.gz", "mhd"])
def test_the_reader_gives_vmtks_voxels_placement_name_and_matrices(tmp_path, extension, direction, orientation):
    path = write_image(generated_image(DIRECTIONS[direction]), tmp_path / f"image.{extension}")

    theirs = run_reader(vmtk_scripts, path, DesiredOrientation=orientation)
    from vmtkscripts_numpy import vmtkscripts as our_scripts

    ours = run_reader(our_scripts, path, DesiredOrientation=orientation)

    assert same_image(theirs.Image, ours.Image) == []
    # NIfTI keeps its placement as float32: vmtk and this package read the same numbers from it.
    tolerance = 1e-5 if extension.startswith("nii") else 1e-9
    np.testing.assert_allclose(ours.RasToIjkMatrixCoefficients, theirs.RasToIjkMatrixCoefficients, atol=tolerance)
    np.testing.assert_allclose(ours.XyzToRasMatrixCoefficients, theirs.XyzToRasMatrixCoefficients, atol=tolerance)


@pytest.mark.parametrize("name", ["aorta.mha", "vase.vti"])
def test_vmtks_images_read_alike(vmtk_test_data, name):
    from vmtkscripts_numpy import vmtkscripts as our_scripts

    path = vmtk_test_data(name)
    theirs, ours = run_reader(vmtk_scripts, path), run_reader(our_scripts, path)

    assert same_image(theirs.Image, ours.Image) == []
    assert ours.RasToIjkMatrixCoefficients == pytest.approx(theirs.RasToIjkMatrixCoefficients, abs=1e-12)


def test_flipped_axes_read_alike(vmtk_test_data):
    from vmtkscripts_numpy import vmtkscripts as our_scripts

    path = vmtk_test_data("aorta.mha")

    theirs, ours = run_reader(vmtk_scripts, path, Flip=[1, 0, 1]), run_reader(our_scripts, path, Flip=[1, 0, 1])

    assert same_image(theirs.Image, ours.Image) == []


def test_raw_voxels_read_alike(tmp_path):
    from vmtkscripts_numpy import vmtkscripts as our_scripts

    (tmp_path / "volume.raw").write_bytes(b"HEADER" + np.arange(4 * 3 * 2, dtype="<u2").tobytes())
    options = dict(Format="raw", DataExtent=[0, 3, 0, 2, 0, 1], HeaderSize=6, DataScalarType="ushort",
                   DataSpacing=[1.0, 2.0, 3.0], DataOrigin=[5.0, 6.0, 7.0])

    theirs = run_reader(vmtk_scripts, tmp_path / "volume.raw", **options)
    ours = run_reader(our_scripts, tmp_path / "volume.raw", **options)

    assert same_image(theirs.Image, ours.Image) == []


@pytest.mark.parametrize("direction", list(DIRECTIONS))
@pytest.mark.parametrize("writer_package", ["vmtk", "ours"])
def test_an_image_written_by_one_side_is_read_alike_by_the_other(tmp_path, direction, writer_package):
    from vmtkscripts_numpy import vmtkscripts as our_scripts

    reader_scripts, writer_scripts = (our_scripts, vmtk_scripts) if writer_package == "vmtk" else (
        vmtk_scripts, our_scripts)
    source = write_image(generated_image(DIRECTIONS[direction]), tmp_path / "source.mha")
    read = run_reader(vmtk_scripts, source)
    writer = writer_scripts.vmtkImageWriter()
    writer.LogOn, writer.Image, writer.OutputFileName = 0, read.Image, str(tmp_path / "copy.mha")
    writer.ApplyTransform, writer.RasToIjkMatrixCoefficients = 1, read.RasToIjkMatrixCoefficients

    writer.Execute()

    again = run_reader(reader_scripts, tmp_path / "copy.mha")
    assert same_image(read.Image, again.Image) == []
    np.testing.assert_allclose(again.XyzToRasMatrixCoefficients, read.XyzToRasMatrixCoefficients, atol=1e-9)
    # And the file places every voxel where the source did.
    original, copy = read_image(source), read_image(tmp_path / "copy.mha")
    for index in [(0, 0, 0), (4, 5, 6), (2, 1, 3)]:
        np.testing.assert_allclose(copy.GetPoint(copy.ComputePointId(index)),
                                   original.GetPoint(original.ComputePointId(index)), atol=1e-9)


def test_vmtks_writer_places_the_packages_ct_where_it_was(vmtk_test_data, tmp_path):
    # Once vmtk's writer placed the package's CT 313 mm off: the package held it in LPS with a mirrored direction.
    from vmtkscripts_numpy import vmtkscripts as our_scripts

    ct = run_reader(our_scripts, vmtk_test_data("aorta.mha")).Image
    writer = vmtk_scripts.vmtkImageWriter()
    writer.LogOn, writer.Image, writer.OutputFileName = 0, ct, str(tmp_path / "copy.mha")

    writer.Execute()

    original, copy = read_image(vmtk_test_data("aorta.mha")), read_image(tmp_path / "copy.mha")
    for index in [(0, 0, 0), (156, 392, 33)]:
        np.testing.assert_allclose(copy.GetPoint(copy.ComputePointId(index)),
                                   original.GetPoint(original.ComputePointId(index)), atol=1e-4)


def test_both_sides_image_dicts_agree_key_by_key(vmtk_test_data, run_vmtk, run_ours, compare, only_in_ours):
    image = run_reader(vmtk_scripts, vmtk_test_data("aorta.mha")).Image

    theirs = run_vmtk("vmtkImageToNumpy", Image=image).ArrayDict
    ours = run_ours("vmtkImageToNumpy", Image=image).ArrayDict

    assert compare(theirs, ours) == only_in_ours("Direction", "Extent", "IndexOrder", "Frame", "CellData", "FieldData",
                                                 "ActiveArrays", "ArrayTypes")


def test_vmtks_image_dict_goes_through_the_packages_converter(vmtk_test_data, run_vmtk):
    image = run_reader(vmtk_scripts, vmtk_test_data("aorta.mha")).Image
    theirs = run_vmtk("vmtkImageToNumpy", Image=image).ArrayDict

    back = dict_to_image(theirs)

    assert same_image(image, back) == []


def test_the_packages_image_dict_goes_through_vmtks_converter(vmtk_test_data, run_vmtk, run_ours):
    image = run_reader(vmtk_scripts, vmtk_test_data("aorta.mha")).Image
    ours = run_ours("vmtkImageToNumpy", Image=image).ArrayDict

    back = run_vmtk("vmtkNumpyToImage", ArrayDict=ours).Image

    assert same_image(image, back) == []


def test_vmtks_converter_narrows_image_values_the_package_keeps(run_vmtk, run_ours):
    # vmtk's vmtknumpytoimage makes every float array float32 and every integer array int32.
    for dtype, narrowed in [(np.float64, np.float32), (np.int64, np.int32), (np.uint8, np.int32)]:
        image = image_from_array(np.arange(24, dtype=dtype).reshape(2, 3, 4), index_order="zyx")
        ours = run_ours("vmtkImageToNumpy", Image=image).ArrayDict

        theirs_back = run_vmtk("vmtkNumpyToImage", ArrayDict=ours).Image
        ours_back = run_ours("vmtkNumpyToImage", ArrayDict=ours).Image

        assert vtk_to_numpy(theirs_back.GetPointData().GetScalars()).dtype == narrowed
        assert vtk_to_numpy(ours_back.GetPointData().GetScalars()).dtype == dtype
