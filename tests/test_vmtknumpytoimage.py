"""vmtknumpytoimage: the script's members, its options, and dicts that went through storage."""

import numpy as np
import pytest

from vmtkscripts_numpy import pypes, vmtkscripts


def zyx_dict():
    from vmtkscripts_numpy.convert.image import dict_from_array

    volume = np.arange(2 * 3 * 4 * 3, dtype=np.float64).reshape(2, 3, 4, 3)  # [z, y, x, component]
    return dict_from_array(volume, spacing=(1, 2, 3), origin=(-1, 0, 1), index_order="zyx", name="Velocity")


def test_the_script_is_listed_with_vmtks_members():
    script = vmtkscripts.vmtkNumpyToImage()

    assert script.ScriptName == "vmtknumpytoimage"
    members = {member.MemberName: member for member in script.InputMembers + script.OutputMembers}
    assert (members["ArrayDict"].OptionName, members["ArrayDict"].MemberIO) == ("i", "vmtknumpyreader")
    assert (members["Image"].OptionName, members["Image"].MemberIO) == ("o", "vmtkimagewriter")
    assert members["IndexOrder"].GetRangeEnumeration() == ["xyz", "zyx"]


def test_execute_makes_the_image_and_shares_memory_unless_copy_is_asked():
    from vmtkscripts_numpy.convert.arrays import vtk_to_numpy

    image_dict = zyx_dict()
    shared, copied = vmtkscripts.vmtkNumpyToImage(), vmtkscripts.vmtkNumpyToImage()
    shared.ArrayDict = copied.ArrayDict = image_dict
    copied.Copy = 1

    shared.Execute()
    copied.Execute()
    image_dict["PointData"]["Velocity"][1, 2, 3] = -1.0

    assert shared.Image.GetDimensions() == (4, 3, 2)
    assert shared.Image.GetPointData().GetScalars().GetNumberOfComponents() == 3
    assert vtk_to_numpy(shared.Image.GetPointData().GetScalars())[-1].tolist() == [-1.0, -1.0, -1.0]
    assert vtk_to_numpy(copied.Image.GetPointData().GetScalars())[-1].tolist() == [69.0, 70.0, 71.0]


def test_the_index_order_option_applies_to_dicts_that_record_none():
    image_dict = zyx_dict()
    del image_dict["IndexOrder"]
    script = vmtkscripts.vmtkNumpyToImage()
    script.ArrayDict = image_dict
    script.IndexOrder = "zyx"

    script.Execute()

    assert script.Image.GetDimensions() == (4, 3, 2)


def test_a_bad_dict_gives_one_line_naming_the_key():
    script = vmtkscripts.vmtkNumpyToImage()
    script.ArrayDict = {"Origin": [0, 0, 0], "Dimensions": [2, 2, 2], "Spacing": [1, 1, 0]}

    with pytest.raises(ValueError, match=r"^ArrayDict\['Spacing'\]: expected positive voxel sizes"):
        script.Execute()


def test_without_a_dict_the_script_says_how_to_give_one():
    with pytest.raises(pypes.PypeError, match="vmtknumpytoimage: no input dictionary"):
        vmtkscripts.vmtkNumpyToImage().Execute()


@pytest.mark.parametrize("suffix", [".hdf5", ".pickle"])
@pytest.mark.parametrize("index_order", ["xyz", "zyx"])
def test_a_stored_dict_converts_back_to_the_same_image(tmp_path, suffix, index_order):
    from vmtkscripts_numpy.convert.image import dict_to_image, image_to_dict

    original = dict_to_image(zyx_dict())
    writer = pypes.find_script_class("vmtknumpywriter")()
    writer.ArrayDict = image_to_dict(original, index_order=index_order)
    writer.OutputFileName = str(tmp_path / f"image{suffix}")
    writer.LogOn = 0
    writer.Execute()
    (written,) = tmp_path.iterdir()
    reader = pypes.find_script_class("vmtknumpyreader")()
    reader.InputFileName = str(written)
    reader.LogOn = 0
    reader.Execute()

    script = vmtkscripts.vmtkNumpyToImage()
    script.ArrayDict = reader.ArrayDict
    script.Execute()

    image = script.Image
    assert image.GetExtent() == original.GetExtent()
    for index in [(0, 0, 0), (3, 2, 1), (1, 2, 0)]:
        a, b = [0.0] * 3, [0.0] * 3
        original.TransformIndexToPhysicalPoint(*index, a)
        image.TransformIndexToPhysicalPoint(*index, b)
        assert a == b
        for component in range(3):
            assert image.GetScalarComponentAsDouble(*index, component) == original.GetScalarComponentAsDouble(
                *index, component
            )


@pytest.mark.parametrize("name", ["upstream-vase-image.pickle", "upstream-vase-image.hdf5"])
def test_vmtk_written_files_read_by_our_reader_give_the_vase_back(upstream_file, vmtk_test_data, name):
    from vtkmodules.vtkIOXML import vtkXMLImageDataReader

    from vmtkscripts_numpy.convert.arrays import vtk_to_numpy

    vase_reader = vtkXMLImageDataReader()
    vase_reader.SetFileName(str(vmtk_test_data("vase.vti")))
    vase_reader.Update()
    vase = vase_reader.GetOutput()
    reader = pypes.find_script_class("vmtknumpyreader")()
    reader.InputFileName = str(upstream_file(name))
    reader.LogOn = 0
    reader.Execute()
    script = vmtkscripts.vmtkNumpyToImage()
    script.ArrayDict = reader.ArrayDict

    script.Execute()

    image = script.Image
    assert (image.GetExtent(), image.GetOrigin(), image.GetSpacing()) == (
        vase.GetExtent(), vase.GetOrigin(), vase.GetSpacing())
    np.testing.assert_array_equal(vtk_to_numpy(image.GetPointData().GetScalars()),
                                  vtk_to_numpy(vase.GetPointData().GetScalars()))
