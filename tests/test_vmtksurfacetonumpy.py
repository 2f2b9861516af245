"""vmtksurfacetonumpy and vmtknumpytosurface: vmtk's members, Python use and pipes through files."""

import io
import subprocess
import sys

import numpy as np
import pytest
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkIOXML import vtkXMLPolyDataReader

from vmtkscripts_numpy import pypes, vmtkscripts
from vmtkscripts_numpy.convert.arrays import numpy_to_vtk, vtk_to_numpy
from vmtkscripts_numpy.errors import ArrayDictError

#: (script, member rows as vmtk declares them: name, option, type, length, IO) -- pipes written for vmtk rely on these.
VMTK_MEMBERS = {
    "vmtksurfacetonumpy": (
        [("Surface", "i", "vtkPolyData", 1, "vmtksurfacereader"),
         ("ConvertCellToPoint", "celltopoint", "bool", 1, "")],
        [("ArrayDict", "o", "dict", 1, "vmtknumpywriter")],
    ),
    "vmtknumpytosurface": (
        [("ArrayDict", "i", "dict", 1, "vmtknumpyreader")],
        [("Surface", "o", "vtkPolyData", 1, "vmtksurfacewriter")],
    ),
}
CLASS_NAMES = {
    "vmtksurfacetonumpy": "vmtkSurfaceToNumpy",
    "vmtknumpytosurface": "vmtkNumpyToSurface",
}


def rows(members):
    return {(m.MemberName, m.OptionName, m.MemberType, m.MemberLength, m.MemberIO) for m in members}


@pytest.mark.parametrize("name", VMTK_MEMBERS)
def test_scripts_have_vmtks_class_names_and_members(name):
    script = getattr(vmtkscripts, CLASS_NAMES[name])()
    assert type(script).__module__ == f"vmtkscripts_numpy.{name}"
    assert script.ScriptName == name
    inputs, outputs = VMTK_MEMBERS[name]
    assert set(inputs) <= rows(script.InputMembers)
    assert set(outputs) <= rows(script.OutputMembers)


def test_help_does_not_load_vtk():
    code = (
        "import io, sys, contextlib\n"
        "from vmtkscripts_numpy.pypes.cli import main\n"
        f"for name in {sorted(VMTK_MEMBERS)!r}:\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        assert main([name, '--help']) == 0\n"
        "loaded = [m for m in sys.modules if m.startswith(('vtkmodules', 'vtk', 'numpy'))]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def triangle_surface():
    surface = vtkPolyData()
    points = vtkPoints()
    for xyz in ((0, 0, 0), (1, 0, 0), (0, 1, 0), (1, 1, 0)):
        points.InsertNextPoint(*xyz)
    surface.SetPoints(points)
    polys = vtkCellArray()
    polys.InsertNextCell(3, [0, 1, 2])
    polys.InsertNextCell(3, [1, 3, 2])
    surface.SetPolys(polys)
    surface.GetCellData().AddArray(numpy_to_vtk(np.array([1.0, 3.0]), "Pressure"))
    return surface


def test_python_use_as_in_vmtk():
    to_numpy = vmtkscripts.vmtkSurfaceToNumpy()
    to_numpy.Surface = triangle_surface()
    to_numpy.Execute()
    array_dict = to_numpy.ArrayDict
    assert array_dict["CellData"]["CellPointIds"].tolist() == [[0, 1, 2], [1, 3, 2]]
    back = vmtkscripts.vmtkNumpyToSurface()
    back.ArrayDict = array_dict
    back.Execute()
    assert back.Surface.GetNumberOfPolys() == 2
    assert vtk_to_numpy(back.Surface.GetCellData().GetArray("Pressure")).tolist() == [1.0, 3.0]


def parsed(script, arguments):
    script.Arguments = arguments
    script.LogOn = 0
    assert script.ParseArguments() == 1
    return script


def test_celltopoint_and_copy_options():
    script = parsed(vmtkscripts.vmtkSurfaceToNumpy(), ["-celltopoint", "1", "-copy", "0"])
    surface = triangle_surface()
    script.Surface = surface
    script.Execute()
    assert list(script.ArrayDict["CellData"]) == ["CellPointIds"]
    assert script.ArrayDict["PointData"]["Pressure"].tolist() == [1.0, 2.0, 2.0, 3.0]
    assert np.shares_memory(script.ArrayDict["Points"], vtk_to_numpy(surface.GetPoints().GetData(), copy=False))


@pytest.mark.parametrize("name, member", [("vmtksurfacetonumpy", "surface"), ("vmtknumpytosurface", "dictionary")])
def test_no_input_is_a_clear_error(name, member):
    script = getattr(vmtkscripts, CLASS_NAMES[name])()
    with pytest.raises(pypes.PypeError, match=f"no input {member}"):
        script.Execute()


def test_a_bad_dict_stops_the_script_with_the_key_named():
    script = vmtkscripts.vmtkNumpyToSurface()
    script.ArrayDict = {"Points": np.zeros((3, 2)), "CellData": {"CellPointIds": np.zeros((1, 3), int)}}
    with pytest.raises(ArrayDictError, match=r"ArrayDict\['Points'\]"):
        script.Execute()


# --- pipes through files (need the reader and writer scripts) -------------------


def read_vtp(path):
    reader = vtkXMLPolyDataReader()
    reader.SetFileName(str(path))
    reader.Update()
    return reader.GetOutput()


def test_pipe_surface_file_to_dict_and_back_to_file(vmtk_test_data, tmp_path):
    source = vmtk_test_data("cow.vtp")
    target = tmp_path / "cow.vtp"
    pypes.PypeRun(
        f"vmtksurfacereader -ifile {source} --pipe vmtksurfacetonumpy --pipe vmtknumpytosurface "
        f"--pipe vmtksurfacewriter -ofile {target}",
        output_stream=io.StringIO(),
    )
    original, written = read_vtp(source), read_vtp(target)
    assert written.GetNumberOfPolys() == original.GetNumberOfPolys() == 3263
    connectivity = [vtk_to_numpy(polydata.GetPolys().GetConnectivityArray()) for polydata in (written, original)]
    np.testing.assert_array_equal(*connectivity)


def test_command_line_surface_file_to_dict_file_and_back(vmtk_test_data, tmp_path):
    source = vmtk_test_data("aorta-surface.vtp")
    stored = tmp_path / "aorta.pickle"
    target = tmp_path / "aorta.vtp"
    to_dict = ["vmtksurfacetonumpy", "-ifile", str(source), "-ofile", str(stored)]
    to_surface = ["vmtknumpytosurface", "-ifile", str(stored), "-ofile", str(target)]
    assert pypes.cli.main(["vmtknumpy", "--nolog", *to_dict]) == 0
    assert pypes.cli.main(["vmtknumpy", "--nolog", *to_surface]) == 0
    original, written = read_vtp(source), read_vtp(target)
    np.testing.assert_array_equal(
        vtk_to_numpy(written.GetPoints().GetData()), vtk_to_numpy(original.GetPoints().GetData())
    )
    connectivity = [vtk_to_numpy(polydata.GetPolys().GetConnectivityArray()) for polydata in (written, original)]
    np.testing.assert_array_equal(*connectivity)




def test_a_loop_through_the_script_classes_frees_each_case_without_the_garbage_collector(tmp_path):
    import gc
    import weakref

    gc.disable()  # reference counting alone must free each case, as in a long loop between collections
    try:
        array_dict = {"Points": np.zeros((3, 3)), "CellData": {"CellPointIds": np.array([[0, 1, 2]])}}
        to_surface = vmtkscripts.vmtkNumpyToSurface()
        to_surface.ArrayDict, to_surface.LogOn = array_dict, 0
        to_surface.Execute()
        to_numpy = vmtkscripts.vmtkSurfaceToNumpy()
        to_numpy.Surface, to_numpy.LogOn = to_surface.Surface, 0
        to_numpy.Execute()
        writer = vmtkscripts.vmtkNumpyWriter()
        writer.ArrayDict, writer.OutputFileName, writer.LogOn = to_numpy.ArrayDict, str(tmp_path / "case.hdf5"), 0
        writer.Execute()
        held = [weakref.ref(value) for value in (to_surface, to_numpy, writer, to_surface.Surface,
                                                 to_numpy.ArrayDict["Points"])]
        del to_surface, to_numpy, writer
        assert [ref() is None for ref in held] == [True] * len(held)
    finally:
        gc.enable()
