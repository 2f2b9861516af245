"""vmtkimageslicetonumpy: extract_slice as a script, in a pipe after vmtkimagereader."""

import subprocess
import sys

import numpy as np
import pytest

from vmtkscripts_numpy import pypes, vmtkscripts
from vmtkscripts_numpy.convert.image import image_from_array, image_to_dict
from vmtkscripts_numpy.slices import extract_slice


def run(arguments):
    return pypes.PypeRun(arguments, output_stream=pypes.pype.NullOutputStream())


def ramp_image(direction=None):
    """An image whose value is its x index: a slice's values say where it was sampled."""
    values = np.broadcast_to(np.arange(20, dtype=np.float64)[:, None, None], (20, 16, 12)).copy()
    return image_from_array(values, spacing=(0.5, 0.5, 1.0), origin=(10.0, -5.0, 3.0), direction=direction)


def test_the_script_has_the_members_of_a_slice_and_hands_on_a_dict_and_an_image():
    script = vmtkscripts.vmtkImageSliceToNumpy()

    members = {member.MemberName: member for member in script.InputMembers + script.OutputMembers}
    assert script.ScriptName == "vmtkimageslicetonumpy"
    assert (members["Image"].OptionName, members["Image"].MemberIO) == ("i", "vmtkimagereader")
    assert (members["ArrayDict"].OptionName, members["ArrayDict"].MemberIO) == ("o", "vmtknumpywriter")
    assert (members["Slice"].OptionName, members["Slice"].MemberIO) == ("oslice", "vmtkimagewriter")
    assert members["Axes"].MemberLength == 6 and members["Point"].MemberLength == 3
    assert members["Interpolation"].GetRangeEnumeration() == ["linear", "nearest", "cubic"]


def test_execute_gives_what_extract_slice_gives():
    image = ramp_image()
    script = vmtkscripts.vmtkImageSliceToNumpy()
    script.Image = image
    script.Point, script.Normal, script.Up = [14.5, -1.25, 8.0], [0.0, 1.0, 1.0], [0.0, 0.0, 1.0]
    script.Spacing, script.Size = [0.5], [9, 7]

    script.Execute()

    expected = extract_slice(image, script.Point, normal=script.Normal, up=script.Up, spacing=0.5, size=(9, 7))
    np.testing.assert_array_equal(script.ArrayDict["PointData"]["ImageScalars"],
                                  expected["PointData"]["ImageScalars"])
    np.testing.assert_array_equal(script.ArrayDict["Direction"], expected["Direction"])
    assert script.Slice.GetDimensions() == (9, 7, 1)
    assert script.Slice.GetOrigin() == pytest.approx(tuple(expected["Origin"]))


def test_a_pipe_from_an_image_file_writes_the_slice_as_a_dict_and_as_an_image(tmp_path):
    from vmtkscripts_numpy.storage import read_array_dict
    from vmtkscripts_numpy.vtkfiles import read_image, write_image

    source = write_image(ramp_image(), tmp_path / "ramp.vti")

    run(["vmtkimagereader", "-ifile", str(source), "--pipe", "vmtkimageslicetonumpy", "-point", "14.5", "-1.25",
         "8", "-axes", "1", "0", "0", "0", "1", "0", "-spacing", "0.5", "-size", "9", "7",
         "-ofile", str(tmp_path / "slice.hdf5"), "-oslicefile", str(tmp_path / "slice.vti")])

    stored = read_array_dict(tmp_path / "slice.hdf5")
    np.testing.assert_allclose(stored["Origin"], [12.5, -2.75, 8.0])
    # Column i sits at x = 12.5 + 0.5 i: the ramp's index there is (x - 10) / 0.5.
    np.testing.assert_allclose(stored["PointData"]["ImageScalars"][:, 3, 0], 5 + np.arange(9))
    written = image_to_dict(read_image(tmp_path / "slice.vti"))
    np.testing.assert_allclose(written["Origin"], stored["Origin"])
    np.testing.assert_array_equal(written["PointData"]["ImageScalars"], stored["PointData"]["ImageScalars"])


def test_an_oblique_file_is_sliced_where_its_voxels_really_are(tmp_path):
    from vmtkscripts_numpy.vtkfiles import read_image, write_image

    quarter_turn = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    path = write_image(ramp_image(quarter_turn), tmp_path / "oblique.mha")
    true_image = read_image(path)  # its true placement, in RAS
    point, normal, up = [8.0, 1.0, 8.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]

    pipe = run(["vmtkimagereader", "-ifile", str(path), "--pipe", "vmtkimageslicetonumpy",
                "-point", *map(str, point), "-normal", *map(str, normal), "-up", *map(str, up), "-size", "5"])

    # vmtk's reader hands the image on axis-aligned, and its orientation as XyzToRasMatrixCoefficients.
    piped = pipe.ScriptObjectList[-1].ArrayDict
    expected = extract_slice(true_image, point, normal=normal, up=up, size=5)
    np.testing.assert_allclose(piped["Origin"], expected["Origin"], atol=1e-9)
    np.testing.assert_allclose(piped["PointData"]["ImageScalars"], expected["PointData"]["ImageScalars"], atol=1e-9)


@pytest.mark.parametrize(
    "arguments, message",
    [
        ([], "no Point"),
        (["-point", "1", "2", "3"], "by its axes"),
        (["-point", "1", "2", "3", "-axes", "1", "0", "0", "0", "1", "0", "-normal", "0", "0", "1"], "by its axes"),
        (["-point", "1", "2", "3", "-normal", "0", "0", "1", "-up", "0", "0", "1"], "up"),
        (["-point", "1", "2", "3", "-normal", "0", "0", "1", "-spacing", "1", "2", "3"], "spacing"),
    ],
)
def test_a_plane_not_given_right_is_one_error_naming_the_script(arguments, message):
    script = vmtkscripts.vmtkImageSliceToNumpy()
    script.Arguments = arguments
    script.LogOn = 0
    script.ParseArguments()
    script.Image = ramp_image()

    with pytest.raises(pypes.PypeError, match=f"vmtkimageslicetonumpy: .*{message}"):
        script.Execute()


def test_without_an_image_the_script_says_how_to_give_one():
    with pytest.raises(pypes.PypeError, match="no input image; give one with -i or -ifile"):
        vmtkscripts.vmtkImageSliceToNumpy().Execute()


def test_help_does_not_load_vtk():
    code = (
        "import sys\n"
        "from vmtkscripts_numpy import vmtkimageslicetonumpy\n"
        "vmtkimageslicetonumpy.vmtkImageSliceToNumpy().GetUsageString()\n"
        "print(sorted(name for name in sys.modules if name.startswith(('vtkmodules', 'numpy'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "[]"
