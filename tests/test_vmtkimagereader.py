"""vmtkimagereader and vmtkimagewriter: vmtk's members, Python use and pipes that keep every voxel in place."""

import io
import warnings

import numpy as np
import pytest
from vtkmodules.util.numpy_support import vtk_to_numpy

from vmtkscripts_numpy import pypes, vmtkscripts
from vmtkscripts_numpy.errors import DataFileError, LossWarning
from vmtkscripts_numpy.sample_data import make_image
from vmtkscripts_numpy.vtkfiles import read_image, write_image


def physical(image, index):
    point = [0.0, 0.0, 0.0]
    image.TransformIndexToPhysicalPoint(*index, point)
    return np.array(point)


def option_members(script):
    return {member.OptionName: member for member in script.InputMembers + script.OutputMembers}


def test_the_reader_and_writer_have_vmtks_members():
    reader, writer = option_members(vmtkscripts.vmtkImageReader()), option_members(vmtkscripts.vmtkImageWriter())

    assert reader["f"].GetRangeEnumeration() == ["vtkxml", "vtk", "meta", "nrrd", "nifti", "vtkhdf"]
    assert (reader["i"].MemberName, reader["i"].MemberType) == ("Image", "vtkImageData")
    assert (reader["o"].MemberName, reader["o"].MemberIO) == ("Image", "vmtkimagewriter")
    assert reader["ifile"].MemberName == "InputFileName"
    assert writer["f"].GetRangeEnumeration() == ["vtkxml", "vtk", "meta", "nifti", "vtkhdf"]
    assert (writer["i"].MemberName, writer["i"].MemberIO) == ("Image", "vmtkimagereader")
    assert writer["ofile"].MemberName == writer["o"].MemberName == "OutputFileName"
    assert writer["guessformat"].MemberType == "bool"


def test_from_python_the_reader_logs_the_placement_and_sets_output(tmp_path):
    path = write_image(make_image(), tmp_path / "image.vti")
    reader = vmtkscripts.vmtkImageReader()
    reader.InputFileName = str(path)
    reader.OutputStream = io.StringIO()

    reader.Execute()

    assert reader.Output is reader.Image
    assert reader.Image.GetDirectionMatrix().GetElement(1, 1) == -1.0
    assert "Spacing 0.750000 0.300000 1.400000" in reader.OutputStream.getvalue()


@pytest.mark.parametrize("extension", ["nii.gz", "mha", "vtkhdf"])
def test_a_pipe_through_a_file_keeps_every_voxel_in_place(tmp_path, extension):
    source = write_image(make_image(), tmp_path / "image.vti")
    middle, final = tmp_path / f"middle.{extension}", tmp_path / "final.vti"

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pypes.PypeRun(["vmtkimagereader", "-ifile", str(source), "--pipe", "vmtkimagewriter", "-ofile", str(middle)],
                      output_stream=pypes.pype.NullOutputStream())
    pypes.PypeRun(["vmtkimagereader", "-ifile", str(middle), "-ofile", str(final)],
                  output_stream=pypes.pype.NullOutputStream())

    # Only the array name is lost, and only where the format cannot store names.
    losses = [str(warning.message) for warning in caught if issubclass(warning.category, LossWarning)]
    assert losses == ([] if extension == "vtkhdf" else [f"{middle}: {'NIfTI' if 'nii' in extension else 'MetaImage'} "
                                                         "does not keep everything: the array name 'SignedDistance' "
                                                         "is not stored"])
    original, copy = make_image(), read_image(final)
    for index in [(0, 0, 0), (23, 19, 15), (4, 11, 9)]:
        np.testing.assert_allclose(physical(copy, index), physical(original, index), atol=1e-5)
    np.testing.assert_array_equal(vtk_to_numpy(copy.GetPointData().GetScalars()),
                                  vtk_to_numpy(original.GetPointData().GetScalars()))


def test_the_writer_uses_its_input_and_the_deprecated_o(tmp_path):
    pypes.PypeRun(["vmtkimagereader", "-ifile", str(write_image(make_image(), tmp_path / "image.vti")),
                   "--pipe", "vmtkimagewriter", "-o", str(tmp_path / "copy.vti")],
                  output_stream=pypes.pype.NullOutputStream())

    assert read_image(tmp_path / "copy.vti").GetDimensions() == (24, 20, 16)


def test_an_image_format_that_cannot_be_written_is_one_clear_error(tmp_path):
    writer = vmtkscripts.vmtkImageWriter()
    writer.Image = make_image()
    writer.OutputFileName = str(tmp_path / "image.nrrd")
    writer.LogOn = 0

    with pytest.raises(DataFileError, match=r"image.nrrd: nrrd files \(.nrrd, .nhdr\) can be read but not written"):
        writer.Execute()
