"""vmtkcenterlinestonumpy and vmtknumpytocenterlines: vmtk's members, Python use and pipes through files."""

import io
import subprocess
import sys

import numpy as np
import pytest
from vtkmodules.vtkIOXML import vtkXMLPolyDataReader

from vmtkscripts_numpy import pypes, vmtkscripts
from vmtkscripts_numpy.convert.arrays import vtk_to_numpy

#: Member rows as vmtk declares them (name, option, type, length, IO): pipes written for vmtk rely on these.
VMTK_MEMBERS = {
    "vmtkCenterlinesToNumpy": (
        [("Centerlines", "i", "vtkPolyData", 1, "vmtksurfacereader"),
         ("ConvertCellToPoint", "celltopoint", "bool", 1, "")],
        [("ArrayDict", "o", "dict", 1, "vmtknumpywriter")],
    ),
    "vmtkNumpyToCenterlines": (
        [("ArrayDict", "i", "dict", 1, "vmtknumpyreader")],
        [("Centerlines", "o", "vtkPolyData", 1, "vmtksurfacewriter")],
    ),
}


def rows(members):
    return {(m.MemberName, m.OptionName, m.MemberType, m.MemberLength, m.MemberIO) for m in members}


@pytest.mark.parametrize("class_name", VMTK_MEMBERS)
def test_scripts_have_vmtks_members(class_name):
    script = getattr(vmtkscripts, class_name)()
    assert script.ScriptName == type(script).__module__.rsplit(".", 1)[1] == class_name.lower()
    inputs, outputs = VMTK_MEMBERS[class_name]
    assert set(inputs) <= rows(script.InputMembers)
    assert set(outputs) <= rows(script.OutputMembers)


def test_help_does_not_load_vtk():
    code = (
        "import io, sys, contextlib\n"
        "from vmtkscripts_numpy.pypes.cli import main\n"
        "for name in ('vmtkcenterlinestonumpy', 'vmtknumpytocenterlines'):\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        assert main([name, '--help']) == 0\n"
        "loaded = [m for m in sys.modules if m.startswith(('vtkmodules', 'numpy'))]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def read_vtp(path):
    reader = vtkXMLPolyDataReader()
    reader.SetFileName(str(path))
    reader.Update()
    return reader.GetOutput()


def test_python_use_as_in_vmtk(vmtk_test_data):
    centerlines = read_vtp(vmtk_test_data("aorta-centerline-branches.vtp"))
    to_numpy = vmtkscripts.vmtkCenterlinesToNumpy()
    to_numpy.Centerlines = centerlines
    to_numpy.Execute()
    ids = to_numpy.ArrayDict["CellData"]["CellPointIds"]
    assert isinstance(ids, list) and len(ids) == 6
    # First, as vmtk's vmtknumpytocenterlines needs: it drops every cell array it meets before CellPointIds.
    assert list(to_numpy.ArrayDict["CellData"])[0] == "CellPointIds" and len(to_numpy.ArrayDict["CellData"]) > 1
    back = vmtkscripts.vmtkNumpyToCenterlines()
    back.ArrayDict = to_numpy.ArrayDict
    back.Execute()
    assert back.Centerlines.GetNumberOfLines() == 6
    np.testing.assert_array_equal(
        vtk_to_numpy(back.Centerlines.GetLines().GetConnectivityArray()),
        vtk_to_numpy(centerlines.GetLines().GetConnectivityArray()),
    )


def test_a_vmtk_style_dict_gives_lines():
    script = vmtkscripts.vmtkNumpyToCenterlines()
    script.ArrayDict = {
        "Points": np.zeros((5, 3)),
        "PointData": {"MaximumInscribedSphereRadius": np.ones(5)},
        "CellData": {"CellPointIds": [np.array([0, 1, 2], np.int32), np.array([2, 3, 4], np.int32)],
                     "CenterlineIds": np.array([0, 1], np.int32)},
    }
    script.Execute()
    assert (script.Centerlines.GetNumberOfLines(), script.Centerlines.GetNumberOfPolys()) == (2, 0)


def test_celltopoint_turns_cell_data_into_point_data(vmtk_test_data):
    script = vmtkscripts.vmtkCenterlinesToNumpy()
    script.Arguments, script.LogOn = ["-celltopoint", "1"], 0
    script.ParseArguments()
    script.Centerlines = read_vtp(vmtk_test_data("aorta-centerline-branches.vtp"))
    script.Execute()
    assert list(script.ArrayDict["CellData"]) == ["CellPointIds"]
    assert {"CenterlineIds", "TractIds", "Blanking", "GroupIds"} <= set(script.ArrayDict["PointData"])


def test_no_input_is_a_clear_error():
    with pytest.raises(pypes.PypeError, match="no input centerlines"):
        vmtkscripts.vmtkCenterlinesToNumpy().Execute()


def test_pipe_centerline_file_to_dict_and_back_to_file(upstream_file, tmp_path):
    source = upstream_file("twelve-line-centerlines.vtp")
    target = tmp_path / "lines.vtp"
    pypes.PypeRun(
        f"vmtksurfacereader -ifile {source} --pipe vmtkcenterlinestonumpy -i @vmtksurfacereader.o "
        f"--pipe vmtknumpytocenterlines --pipe vmtksurfacewriter -i @.o -ofile {target}",
        output_stream=io.StringIO(),
    )
    original, written = read_vtp(source), read_vtp(target)
    assert written.GetNumberOfLines() == original.GetNumberOfLines() == 12
    np.testing.assert_array_equal(
        vtk_to_numpy(written.GetLines().GetOffsetsArray()), vtk_to_numpy(original.GetLines().GetOffsetsArray())
    )
    np.testing.assert_array_equal(
        vtk_to_numpy(written.GetPointData().GetArray("MaximumInscribedSphereRadius")),
        vtk_to_numpy(original.GetPointData().GetArray("MaximumInscribedSphereRadius")),
    )


def test_command_line_centerline_file_to_dict_file_and_back(upstream_file, tmp_path):
    source = upstream_file("twelve-line-centerlines.vtp")
    stored = tmp_path / "lines.pickle"
    target = tmp_path / "lines.vtp"
    to_dict = ["vmtkcenterlinestonumpy", "-ifile", str(source), "-ofile", str(stored)]
    to_lines = ["vmtknumpytocenterlines", "-ifile", str(stored), "-ofile", str(target)]
    assert pypes.cli.main(["vmtknumpy", "--nolog", *to_dict]) == 0
    assert pypes.cli.main(["vmtknumpy", "--nolog", *to_lines]) == 0
    original, written = read_vtp(source), read_vtp(target)
    connectivity = [vtk_to_numpy(polydata.GetLines().GetConnectivityArray()) for polydata in (written, original)]
    np.testing.assert_array_equal(*connectivity)
