"""vmtkimagereader and vmtkimagewriter: vmtk's members, Python use and pipes that keep every voxel in place."""

import io
import warnings

import numpy as np
import pytest
from vtkmodules.util.numpy_support import vtk_to_numpy

from vmtkscripts_numpy import pypes, vmtkscripts
from vmtkscripts_numpy._vtk_version import vtk_at_least
from vmtkscripts_numpy.errors import DataFileError, LossWarning
from vmtkscripts_numpy.sample_data import make_image
from vmtkscripts_numpy.vtkfiles import read_image, write_image


def physical(image, index):
    point = [0.0, 0.0, 0.0]
    image.TransformIndexToPhysicalPoint(*index, point)
    return np.array(point)


def option_members(script):
    return {member.OptionName: member for member in script.InputMembers + script.OutputMembers}


#: vmtk 1.5.2's members of vmtkimagereader and vmtkimagewriter: (option, member, type, length).
VMTK_READER_MEMBERS = [
    ("f", "Format", "str", 1), ("guessformat", "GuessFormat", "bool", 1), ("useitk", "UseITKIO", "bool", 1),
    ("i", "Image", "vtkImageData", 1), ("ifile", "InputFileName", "str", 1), ("prefix", "InputFilePrefix", "str", 1),
    ("pattern", "InputFilePattern", "str", 1), ("extent", "DataExtent", "int", 6),
    ("headersize", "HeaderSize", "int", 1), ("spacing", "DataSpacing", "float", 3),
    ("origin", "DataOrigin", "float", 3), ("orientation", "DesiredOrientation", "str", 1),
    ("byteorder", "DataByteOrder", "str", 1), ("scalartype", "DataScalarType", "str", 1),
    ("filedimensionality", "FileDimensionality", "int", 1), ("flip", "Flip", "bool", 3),
    ("autoorientdicom", "AutoOrientDICOMImage", "bool", 1),
    ("o", "Image", "vtkImageData", 1), ("rastoijkmatrix", "RasToIjkMatrixCoefficients", "float", 16),
    ("xyztorasmatrix", "XyzToRasMatrixCoefficients", "float", 16),
]
VMTK_WRITER_MEMBERS = [
    ("i", "Image", "vtkImageData", 1), ("f", "Format", "str", 1), ("guessformat", "GuessFormat", "bool", 1),
    ("useitk", "UseITKIO", "bool", 1), ("transform", "ApplyTransform", "bool", 1),
    ("ofile", "OutputFileName", "str", 1), ("o", "OutputFileName", "str", 1),
    ("rawfile", "OutputRawFileName", "str", 1), ("d", "OutputDirectoryName", "str", 1),
    ("r", "PixelRepresentation", "str", 1), ("windowlevel", "WindowLevel", "float", 2),
    ("matrix", "RasToIjkMatrixCoefficients", "float", 16),
]


@pytest.mark.parametrize("script, expected", [("vmtkImageReader", VMTK_READER_MEMBERS),
                                              ("vmtkImageWriter", VMTK_WRITER_MEMBERS)])
def test_the_reader_and_writer_have_every_member_of_vmtks(script, expected):
    members = option_members(getattr(vmtkscripts, script)())

    for option, name, member_type, length in expected:
        member = members[option]
        assert (member.MemberName, member.MemberType, member.MemberLength) == (name, member_type, length)


def test_the_format_ranges_hold_vmtks_formats_and_the_packages():
    reader, writer = option_members(vmtkscripts.vmtkImageReader()), option_members(vmtkscripts.vmtkImageWriter())

    assert set(reader["f"].GetRangeEnumeration()) >= {"vtkxml", "vtk", "dicom", "raw", "meta", "tiff", "png",
                                                      "nifti", "nrrd", "vtkhdf"}
    assert set(writer["f"].GetRangeEnumeration()) >= {"vtkxml", "vtk", "meta", "tiff", "png", "pointdata", "vtsxml",
                                                      "nifti", "vtkhdf"}


def test_from_python_the_reader_logs_the_placement_when_asked_and_sets_output(tmp_path):
    path = write_image(make_image(), tmp_path / "image.vti")
    reader = vmtkscripts.vmtkImageReader()
    reader.InputFileName = str(path)
    reader.OutputStream, reader.LogOn = io.StringIO(), 1

    reader.Execute()

    assert reader.Output is reader.Image
    assert reader.Image.GetDirectionMatrix().GetElement(1, 1) == -1.0  # a VTK file: as stored
    assert "Spacing 0.750000 0.300000 1.400000" in reader.OutputStream.getvalue()


def run(arguments):
    return pypes.PypeRun(arguments, output_stream=pypes.pype.NullOutputStream())


@pytest.mark.parametrize("extension", ["nii.gz", "mha", pytest.param("vtkhdf", marks=pytest.mark.skipif(
    not vtk_at_least(9, 7), reason="VTK writes VTKHDF images from 9.7 on"))])
def test_a_pipe_through_a_file_keeps_every_voxel_in_place(tmp_path, extension):
    source = write_image(make_image(), tmp_path / "image.vti")
    middle, final = tmp_path / f"middle.{extension}", tmp_path / "final.vti"

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run(["vmtkimagereader", "-ifile", str(source), "--pipe", "vmtkimagewriter", "-ofile", str(middle)])
    # vmtk's reader keeps the orientation of a MetaImage or NIfTI file in its matrices; VTKHDF keeps it in the image.
    transform = [] if extension == "vtkhdf" else ["-transform", "1"]
    run(["vmtkimagereader", "-ifile", str(middle), "--pipe", "vmtkimagewriter", "-ofile", str(final)] + transform)

    # Only the array name is lost, and only where the format cannot store names.
    losses = [str(warning.message) for warning in caught if issubclass(warning.category, LossWarning)]
    assert losses == ([] if extension == "vtkhdf" else [f"{middle}: {'NIfTI' if 'nii' in extension else 'MetaImage'} "
                                                         "does not keep everything: the array name 'SignedDistance' "
                                                         "is not stored (it comes back as 'ImageScalars')"])
    original, copy = make_image(), read_image(final)
    for index in [(0, 0, 0), (23, 19, 15), (4, 11, 9)]:
        np.testing.assert_allclose(physical(copy, index), physical(original, index), atol=1e-5)
    np.testing.assert_array_equal(vtk_to_numpy(copy.GetPointData().GetScalars()),
                                  vtk_to_numpy(original.GetPointData().GetScalars()))


def write_mha(image, path):
    """``image`` as a MetaImage file, which stores no array name: the warning that says so is expected."""
    with pytest.warns(LossWarning, match="the array name 'SignedDistance' is not stored"):
        return write_image(image, path)


@pytest.mark.parametrize("route", ["ofile", "pipe"])
def test_writing_an_oblique_image_axis_aligned_as_vmtk_does_says_so(tmp_path, route):
    oblique = write_mha(make_image(), tmp_path / "oblique.mha")  # direction diag(1, -1, 1): not RAS-aligned
    final = tmp_path / "final.vti"
    if route == "ofile":
        arguments = ["vmtkimagereader", "-ifile", str(oblique), "-ofile", str(final)]
    else:
        arguments = ["vmtkimagereader", "-ifile", str(oblique), "--pipe", "vmtkimagewriter", "-ofile", str(final)]

    with pytest.warns(LossWarning, match=r"final.vti: the image is written axis-aligned, .* add -transform 1"):
        run(arguments)

    assert read_image(final).GetDirectionMatrix().IsIdentity()


def test_a_ras_aligned_image_goes_through_a_pipe_without_a_word(tmp_path):
    ct = make_image()
    ct.SetDirectionMatrix(1, 0, 0, 0, 1, 0, 0, 0, 1)
    source, final = write_mha(ct, tmp_path / "ct.mha"), tmp_path / "final.mha"

    with warnings.catch_warnings():
        warnings.simplefilter("error", LossWarning)
        run(["vmtkimagereader", "-ifile", str(source), "--pipe", "vmtkimagewriter", "-ofile", str(final)])

    copy = read_image(final)
    for index in [(0, 0, 0), (23, 19, 15)]:
        np.testing.assert_allclose(physical(copy, index), physical(ct, index), atol=1e-12)


def test_the_writer_uses_its_input_and_the_deprecated_o(tmp_path):
    pypes.PypeRun(["vmtkimagereader", "-ifile", str(write_image(make_image(), tmp_path / "image.vti")),
                   "--pipe", "vmtkimagewriter", "-o", str(tmp_path / "copy.vti")],
                  output_stream=pypes.pype.NullOutputStream())

    assert read_image(tmp_path / "copy.vti").GetDimensions() == (24, 20, 16)


@pytest.mark.parametrize("name, message", [
    ("image.nrrd", r"image.nrrd: format 'nrrd' is not written by this package"),
    ("image.vts", r"image.vts: format 'vtsxml' is not written by this package; vmtk's own writer"),
    ("image.h5", r"image.h5: unknown image file extension '.h5': not written by this package"),
])
def test_an_image_format_that_cannot_be_written_is_one_clear_error(tmp_path, name, message):
    writer = vmtkscripts.vmtkImageWriter()
    writer.Image = make_image()
    writer.OutputFileName = str(tmp_path / name)
    writer.LogOn = 0

    with pytest.raises(DataFileError, match=message):
        writer.Execute()


def test_a_file_the_reader_cannot_tell_the_format_of_names_its_extension(tmp_path):
    (tmp_path / "case.h5").write_bytes(b"not an image")
    reader = vmtkscripts.vmtkImageReader()
    reader.InputFileName = str(tmp_path / "case.h5")

    with pytest.raises(DataFileError, match=r"case.h5: unknown image file extension '.h5'; image formats read: "):
        reader.Execute()


def test_the_writer_writes_a_dicom_series_that_reads_back_in_place(tmp_path):
    pytest.importorskip("pydicom", reason="DICOM needs the dicom extra (pydicom)")
    ct = make_image()
    ct.SetDirectionMatrix(1, 0, 0, 0, 1, 0, 0, 0, 1)
    source = write_mha(ct, tmp_path / "ct.mha")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LossWarning)  # floats stored as rescaled integers: the warning says by how much
        run(["vmtkimagereader", "-ifile", str(source), "--pipe", "vmtkimagewriter", "-ofile", str(tmp_path / "ct.dcm")])

    written = sorted(tmp_path.glob("ct*.dcm"))
    copy = read_image(written[0])
    assert copy.GetDimensions() == ct.GetDimensions()
    for index in [(0, 0, 0), (23, 19, 15), (4, 11, 9)]:
        np.testing.assert_allclose(physical(copy, index), physical(ct, index), atol=1e-4)
