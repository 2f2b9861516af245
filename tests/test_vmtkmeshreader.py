"""vmtkmeshreader and vmtkmeshwriter: vmtk's members and a pipe between mesh formats."""

import numpy as np
import pytest
from vtkmodules.vtkFiltersCore import vtkAppendFilter

from vmtkscripts_numpy import pypes, vmtkscripts
from vmtkscripts_numpy._vtk_version import vtk_at_least
from vmtkscripts_numpy.convert.arrays import vtk_to_numpy
from vmtkscripts_numpy.errors import DataFileError
from vmtkscripts_numpy.sample_data import make_vessel_surface
from vmtkscripts_numpy.vtkfiles import read_mesh, write_mesh


def vessel_mesh():
    append = vtkAppendFilter()
    append.SetInputData(make_vessel_surface())
    append.Update()
    return append.GetOutput()


def test_the_reader_and_writer_have_vmtks_members():
    script = vmtkscripts.vmtkMeshReader()
    reader = {m.OptionName: m for m in script.InputMembers + script.OutputMembers}
    writer = {m.OptionName: m for m in vmtkscripts.vmtkMeshWriter().InputMembers}

    # Every format and option vmtk's reader and writer name, and the package's own formats.
    assert set(reader["f"].GetRangeEnumeration()) == {
        "vtkxml", "vtkxmlp", "vtk", "fdneut", "ngneut", "tecplot", "tetgen", "gambit", "lifev", "xda", "vtkhdf"}
    assert set(writer["f"].GetRangeEnumeration()) == {
        "vtkxml", "vtk", "xda", "fdneut", "tecplot", "lifev", "dolfin", "fluent", "tetgen", "pointdata", "dealii",
        "lifex", "vtkhdf"}
    for option in ("ghostnodes", "volumeelementsonly", "entityidsarray"):
        assert option in reader
    for option in ("compressed", "entityidsarray", "entityidsoffset", "writeregionmarkers"):
        assert option in writer
    assert (writer["o"].MemberName, writer["o"].MemberType) == ("Mesh", "vtkUnstructuredGrid")
    assert (reader["o"].MemberName, reader["o"].MemberType, reader["o"].MemberIO) == (
        "Mesh", "vtkUnstructuredGrid", "vmtkmeshwriter")
    assert (writer["i"].MemberName, writer["i"].MemberIO) == ("Mesh", "vmtkmeshreader")
    assert writer["mode"].GetRangeEnumeration() == ["ascii", "binary"]
    assert writer["ofile"].MemberName == "OutputFileName"


@pytest.mark.parametrize("extension", ["vtkhdf", "vtk"])
def test_a_pipe_converts_a_mesh_and_keeps_cells_and_arrays(tmp_path, extension):
    source = write_mesh(vessel_mesh(), tmp_path / "vessel.vtu")
    target = tmp_path / f"vessel.{extension}"

    pipe = ["vmtkmeshreader", "-ifile", str(source), "--pipe", "vmtkmeshwriter", "-ofile", str(target)]
    if extension == "vtkhdf" and not vtk_at_least(9, 4):
        with pytest.raises(pypes.PypeError, match=r"writing VTKHDF UnstructuredGrid files needs VTK >= 9\.4"):
            pypes.PypeRun(pipe, output_stream=pypes.pype.NullOutputStream())
        assert not target.exists()
        return

    pypes.PypeRun(pipe, output_stream=pypes.pype.NullOutputStream())

    mesh, original = read_mesh(target), vessel_mesh()
    np.testing.assert_array_equal(vtk_to_numpy(mesh.GetCells().GetConnectivityArray()),
                                  vtk_to_numpy(original.GetCells().GetConnectivityArray()))
    np.testing.assert_array_equal(vtk_to_numpy(mesh.GetCellData().GetArray("GroupIds")),
                                  vtk_to_numpy(original.GetCellData().GetArray("GroupIds")))


def test_the_writer_takes_its_input_and_mode(tmp_path):
    writer = vmtkscripts.vmtkMeshWriter()
    writer.Input = vessel_mesh()
    writer.OutputFileName = str(tmp_path / "vessel.vtu")
    writer.Mode = "ascii"
    writer.LogOn = 0

    writer.Execute()

    assert b'format="ascii"' in (tmp_path / "vessel.vtu").read_bytes()
    assert read_mesh(tmp_path / "vessel.vtu").GetNumberOfCells() == 1800


def test_without_a_mesh_the_writer_says_how_to_give_one():
    with pytest.raises(pypes.PypeError, match="vmtkmeshwriter: no Mesh; give one with -i or -ifile"):
        vmtkscripts.vmtkMeshWriter().Execute()


@pytest.mark.parametrize("extension, message", [
    ("msh", r"case.msh: format 'fluent' is written by vmtk's own vmtkmeshwriter \(vmtk.vmtkmeshwriter in a "
            r"vmtknumpy pipe"),
    ("xml", r"case.xml: format 'dolfin' is written by vmtk's own vmtkmeshwriter"),
])
def test_a_mesh_format_only_vmtk_writes_is_one_clear_error(tmp_path, extension, message):
    writer = vmtkscripts.vmtkMeshWriter()
    writer.LogOn, writer.Mesh = 0, vessel_mesh()
    writer.OutputFileName = str(tmp_path / f"case.{extension}")

    with pytest.raises(DataFileError, match=message):
        writer.Execute()
    assert list(tmp_path.iterdir()) == []
