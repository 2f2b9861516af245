"""vmtkmeshtonumpy and vmtknumpytomesh: vmtk's members and options, Python use and pipes through files."""

import subprocess
import sys

import numpy as np
import pytest

from vmtkscripts_numpy import pypes, vmtkscripts
from vmtkscripts_numpy.convert.mesh import dict_to_mesh

#: Member rows as vmtk declares them (name, option, type, length, IO): pipes written for vmtk rely on these.
VMTK_MEMBERS = {
    "vmtkMeshToNumpy": (
        [("Mesh", "i", "vtkUnstructuredGrid", 1, "vmtkmeshreader"),
         ("ReturnCellTypesAsStrings", "typestrings", "bool", 1, ""),
         ("StructureCellsAsList", "structure", "bool", 0, "")],
        [("ArrayDict", "o", "dict", 1, "vmtknumpywriter")],
    ),
    "vmtkNumpyToMesh": (
        [("ArrayDict", "i", "dict", 1, "vmtknumpyreader"),
         ("FlattenListOfCells", "flatten", "bool", 0, "")],
        [("Mesh", "o", "vtkUnstructuredGrid", 1, "vmtkmeshwriter")],
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
        "for name in ('vmtkmeshtonumpy', 'vmtknumpytomesh'):\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        assert main([name, '--help']) == 0\n"
        "loaded = [m for m in sys.modules if m.startswith(('vtkmodules', 'numpy'))]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def two_tetras():
    return dict_to_mesh({
        "Points": np.eye(5, 3),
        "CellData": {"CellEntityIds": np.array([1, 2], np.int32)},
        "Cells": {"CellPointIds": [np.array([0, 1, 2, 3]), np.array([1, 2, 3, 4])], "CellTypes": np.array([10, 10])},
    })


def run(script, arguments=()):
    script.Arguments, script.LogOn = list(arguments), 0
    assert script.ParseArguments() == 1
    script.Execute()
    return script


def test_defaults_give_vmtks_flat_layout_with_type_names():
    to_numpy = vmtkscripts.vmtkMeshToNumpy()
    to_numpy.Mesh = two_tetras()
    cells = run(to_numpy).ArrayDict["Cells"]
    assert cells["CellPointIds"].tolist() == [4, 0, 1, 2, 3, 4, 1, 2, 3, 4]
    assert cells["CellLocations"].tolist() == [0, 5]
    assert list(cells["CellTypesAsStrings"]) == ["vtkTetra"]


def test_structure_and_typestrings_options():
    to_numpy = vmtkscripts.vmtkMeshToNumpy()
    to_numpy.Mesh = two_tetras()
    cells = run(to_numpy, ["-structure", "-typestrings", "0"]).ArrayDict["Cells"]
    assert [ids.tolist() for ids in cells["CellPointIds"]] == [[0, 1, 2, 3], [1, 2, 3, 4]]
    assert set(cells) == {"CellPointIds", "CellTypes"}


@pytest.mark.parametrize("flatten", [[], ["-flatten"]])
def test_a_list_of_cells_converts_with_or_without_flatten(flatten):
    to_numpy = vmtkscripts.vmtkMeshToNumpy()
    to_numpy.Mesh = two_tetras()
    as_list = run(to_numpy, ["-structure"]).ArrayDict
    back = vmtkscripts.vmtkNumpyToMesh()
    back.ArrayDict = as_list
    mesh = run(back, flatten).Mesh
    assert mesh.GetNumberOfCells() == 2 and mesh.GetCellType(1) == 10
    assert mesh.GetCellData().GetArray("CellEntityIds").GetValue(1) == 2


def test_no_input_is_a_clear_error():
    with pytest.raises(pypes.PypeError, match="no input mesh"):
        vmtkscripts.vmtkMeshToNumpy().Execute()


def test_command_line_mesh_file_to_dict_file_and_back(tmp_path):
    from vtkmodules.vtkIOXML import vtkXMLUnstructuredGridReader, vtkXMLUnstructuredGridWriter

    source, stored, target = tmp_path / "mesh.vtu", tmp_path / "mesh.pickle", tmp_path / "back.vtu"
    writer = vtkXMLUnstructuredGridWriter()
    writer.SetInputData(two_tetras())
    writer.SetFileName(str(source))
    writer.Write()
    to_dict = ["vmtkmeshtonumpy", "-ifile", str(source), "-ofile", str(stored)]
    to_mesh = ["vmtknumpytomesh", "-ifile", str(stored), "-ofile", str(target)]
    assert pypes.cli.main(["vmtknumpy", "--nolog", *to_dict]) == 0
    assert pypes.cli.main(["vmtknumpy", "--nolog", *to_mesh]) == 0
    reader = vtkXMLUnstructuredGridReader()
    reader.SetFileName(str(target))
    reader.Update()
    assert reader.GetOutput().GetNumberOfCells() == 2
