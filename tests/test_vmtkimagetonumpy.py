"""vmtkimagetonumpy: the script's members, its options, and pipes from image files to dicts and back."""

import subprocess
import sys

import numpy as np
import pytest

from vmtkscripts_numpy import pypes, vmtkscripts


def small_image():
    from vmtkscripts_numpy.convert.image import image_from_array

    volume = np.arange(4 * 3 * 2, dtype=np.uint16).reshape(4, 3, 2)
    return image_from_array(volume, spacing=(0.5, 0.5, 2.0), origin=(1, 2, 3), direction=np.diag([-1.0, -1.0, 1.0]))


def read_image(path):
    """The image in RAS, the frame of vmtk's pipes; a .vti holds the coordinates a pipe wrote."""
    from vmtkscripts_numpy.vtkfiles import read_image

    return read_image(path, frame="RAS")


def physical(image, index):
    point = [0.0, 0.0, 0.0]
    image.TransformIndexToPhysicalPoint(*index, point)
    return point


def test_the_script_is_listed_with_vmtks_members():
    script = vmtkscripts.vmtkImageToNumpy()

    assert script.ScriptName == "vmtkimagetonumpy"
    members = {member.MemberName: member for member in script.InputMembers + script.OutputMembers}
    assert (members["Image"].OptionName, members["Image"].MemberIO) == ("i", "vmtkimagereader")
    assert (members["ArrayDict"].OptionName, members["ArrayDict"].MemberIO) == ("o", "vmtknumpywriter")
    assert members["IndexOrder"].GetRangeEnumeration() == ["xyz", "zyx"]
    assert members["Copy"].MemberType == "bool"


def test_execute_gives_the_dict_in_the_index_order_asked_for():
    script = vmtkscripts.vmtkImageToNumpy()
    script.Image = small_image()
    script.IndexOrder = "zyx"
    script.Copy = 1

    script.Execute()

    voxels = script.ArrayDict["PointData"]["ImageScalars"]
    assert script.ArrayDict["IndexOrder"] == "zyx"
    assert voxels.shape == (2, 3, 4) and voxels.dtype == np.uint16
    assert voxels[1, 2, 3] == 23  # [z, y, x] of the [x, y, z] = [3, 2, 1] voxel
    np.testing.assert_array_equal(script.ArrayDict["Direction"], np.diag([-1.0, -1.0, 1.0]))


def test_without_an_image_the_script_says_how_to_give_one():
    script = vmtkscripts.vmtkImageToNumpy()

    with pytest.raises(pypes.PypeError, match="vmtkimagetonumpy: no input image; give one with -i or -ifile"):
        script.Execute()


def test_an_unknown_index_order_is_refused_on_the_command_line():
    script = vmtkscripts.vmtkImageToNumpy()
    script.Arguments = ["-indexorder", "yxz"]
    script.LogOn = 0

    with pytest.raises(pypes.PypeError, match="-indexorder: 'yxz' is out of range"):
        script.ParseArguments()


def test_help_does_not_load_vtk():
    code = (
        "import sys\n"
        "from vmtkscripts_numpy import vmtkimagetonumpy, vmtknumpytoimage\n"
        "vmtkimagetonumpy.vmtkImageToNumpy().GetUsageString(); vmtknumpytoimage.vmtkNumpyToImage().GetUsageString()\n"
        "print(sorted(name for name in sys.modules if name.startswith(('vtkmodules', 'numpy'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("index_order", ["xyz", "zyx"])
def test_a_pipe_from_image_file_to_dict_to_file_keeps_placement(vmtk_test_data, tmp_path, index_order):
    source = vmtk_test_data("aorta.mha")
    target = tmp_path / "aorta.vti"

    pypes.PypeRun(["vmtkimagetonumpy", "-ifile", str(source), "-indexorder", index_order,
                   "--pipe", "vmtknumpytoimage", "-ofile", str(target)])

    original, written = read_image(source), read_image(target)
    assert written.GetExtent() == original.GetExtent()
    for index in [(0, 0, 0), (156, 392, 33), (10, 200, 7)]:
        assert physical(written, index) == pytest.approx(physical(original, index), abs=1e-9)
        assert written.GetScalarComponentAsDouble(*index, 0) == original.GetScalarComponentAsDouble(*index, 0)


@pytest.mark.parametrize("suffix", [".hdf5", ".pickle"])
def test_the_command_line_through_a_stored_dict_keeps_placement(vmtk_test_data, tmp_path, suffix):
    source = vmtk_test_data("aorta.mha")
    stored = tmp_path / f"aorta{suffix}"
    target = tmp_path / "aorta.mha"
    command = [sys.executable, "-m", "vmtkscripts_numpy", "--nolog"]

    subprocess.run(command + ["vmtkimagetonumpy", "-ifile", str(source), "-indexorder", "zyx", "-ofile", str(stored)],
                   check=True, capture_output=True)
    subprocess.run(command + ["vmtknumpytoimage", "-ifile", str(stored), "-ofile", str(target)],
                   check=True, capture_output=True)

    original, written = read_image(source), read_image(target)
    assert written.GetExtent() == original.GetExtent()
    for index in [(0, 0, 0), (156, 392, 33), (10, 200, 7)]:
        assert physical(written, index) == pytest.approx(physical(original, index), abs=1e-9)
        assert written.GetScalarComponentAsDouble(*index, 0) == original.GetScalarComponentAsDouble(*index, 0)


def test_the_dict_of_a_pipe_is_in_ras_and_says_so(vmtk_test_data):
    pipe = pypes.PypeRun(["vmtkimagetonumpy", "-ifile", str(vmtk_test_data("aorta.mha"))],
                         output_stream=pypes.pype.NullOutputStream())

    image_dict = pipe.ScriptObjectList[-1].ArrayDict
    assert image_dict["Frame"] == "RAS"
    np.testing.assert_allclose(image_dict["Origin"], [156.445, 24.6094, 0.0])
    np.testing.assert_array_equal(image_dict["Direction"], np.eye(3))
    assert list(image_dict["PointData"]) == ["ImageScalars"]


def test_an_oblique_image_read_by_vmtks_convention_gets_its_true_placement_in_the_dict(tmp_path):
    from vmtkscripts_numpy.vtkfiles import write_image

    rotation = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    oblique = small_image()
    oblique.SetDirectionMatrix(*rotation.ravel())
    path = write_image(oblique, tmp_path / "oblique.mha")

    for arguments in (["vmtkimagetonumpy", "-ifile", str(path)],
                      ["vmtkimagereader", "-ifile", str(path), "--pipe", "vmtkimagetonumpy"]):
        pipe = pypes.PypeRun(arguments, output_stream=pypes.pype.NullOutputStream())
        image_dict = pipe.ScriptObjectList[-1].ArrayDict
        np.testing.assert_allclose(image_dict["Direction"], rotation, atol=1e-15)
        np.testing.assert_allclose(image_dict["Origin"], oblique.GetOrigin())
