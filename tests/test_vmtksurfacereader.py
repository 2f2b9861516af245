"""vmtksurfacereader and vmtksurfacewriter: vmtk's members, Python use, pipes, and the command line."""

import subprocess
import sys

import numpy as np
import pytest

from vmtkscripts_numpy import pypes, vmtkscripts
from vmtkscripts_numpy._vtk_version import vtk_at_least
from vmtkscripts_numpy.convert.arrays import vtk_to_numpy
from vmtkscripts_numpy.errors import DataFileError, LossWarning
from vmtkscripts_numpy.pypes.cli import main
from vmtkscripts_numpy.sample_data import make_vessel_surface
from vmtkscripts_numpy.vtkfiles import read_surface, write_surface


def members(script):
    return {(member.MemberName, member.OptionName): member for member in script.InputMembers + script.OutputMembers}


@pytest.fixture
def vessel_file(tmp_path):
    return write_surface(make_vessel_surface(), tmp_path / "vessel.vtp")


def points_of(surface):
    return vtk_to_numpy(surface.GetPoints().GetData())


def test_the_reader_has_vmtks_members():
    table = members(vmtkscripts.vmtkSurfaceReader())

    # Every format vmtk's reader names, and the package's own.
    assert set(table[("Format", "f")].GetRangeEnumeration()) == {
        "vtkxml", "vtk", "stl", "ply", "tecplot", "wavefront", "vtm", "vtkhdf"}
    assert table[("GuessFormat", "guessformat")].MemberType == "bool"
    assert table[("InputFileName", "ifile")].MemberType == "str"
    assert table[("Surface", "i")].MemberType == "vtkPolyData"
    output = [m for m in vmtkscripts.vmtkSurfaceReader().OutputMembers if m.MemberName == "Surface"][0]
    assert (output.OptionName, output.MemberIO) == ("o", "vmtksurfacewriter")


def test_the_writer_has_vmtks_members():
    table = members(vmtkscripts.vmtkSurfaceWriter())

    assert table[("Surface", "i")].MemberIO == "vmtksurfacereader"
    assert set(table[("Format", "f")].GetRangeEnumeration()) == {
        "vtkxml", "vtk", "stl", "ply", "pointdata", "tecplot", "wavefront", "vtm", "vtkhdf"}
    assert table[("CellData", "celldata")].MemberType == "bool"
    assert table[("Mode", "mode")].GetRangeEnumeration() == ["ascii", "binary"]
    assert ("OutputFileName", "ofile") in table and ("OutputFileName", "o") in table


def test_from_python_the_reader_sets_surface_and_output(vessel_file):
    reader = vmtkscripts.vmtkSurfaceReader()
    reader.InputFileName = str(vessel_file)
    reader.LogOn = 0

    reader.Execute()

    assert reader.Output is reader.Surface
    np.testing.assert_array_equal(points_of(reader.Output), points_of(make_vessel_surface()))


def test_from_python_the_writer_takes_its_input_when_no_surface_is_given(tmp_path):
    writer = vmtkscripts.vmtkSurfaceWriter()
    writer.Input = make_vessel_surface()
    writer.OutputFileName = str(tmp_path / "vessel.vtk")
    writer.LogOn = 0

    writer.Execute()

    assert read_surface(tmp_path / "vessel.vtk").GetNumberOfCells() == 1800


def test_a_pipe_reads_a_vtp_and_writes_an_stl(vessel_file, tmp_path):
    target = tmp_path / "vessel.stl"

    with pytest.warns(LossWarning, match="STL does not keep everything"):
        pypes.PypeRun(f"vmtksurfacereader -ifile {vessel_file} --pipe vmtksurfacewriter -ofile {target} -mode ascii",
                      output_stream=pypes.pype.NullOutputStream())

    assert target.read_bytes().startswith(b"solid")
    assert read_surface(target).GetNumberOfPolys() == 1800


def test_the_reader_writes_its_output_with_ofile(vessel_file, tmp_path):
    target = tmp_path / "vessel.vtk"

    pypes.PypeRun(["vmtksurfacereader", "-ifile", str(vessel_file), "-ofile", str(target)],
                  output_stream=pypes.pype.NullOutputStream())

    np.testing.assert_array_equal(points_of(read_surface(target)), points_of(make_vessel_surface()))


def test_a_named_format_overrides_the_extension(vessel_file, tmp_path):
    target = tmp_path / "vessel.data"
    pipe = ["vmtksurfacereader", "-ifile", str(vessel_file), "--pipe", "vmtksurfacewriter", "-f", "vtkhdf",
            "-ofile", str(target)]
    if not vtk_at_least(9, 4):
        with pytest.raises(pypes.PypeError, match=r"vessel.data: writing VTKHDF PolyData files needs VTK >= 9\.4"):
            pypes.PypeRun(pipe, output_stream=pypes.pype.NullOutputStream())
        assert not target.exists()
        return

    pypes.PypeRun(pipe, output_stream=pypes.pype.NullOutputStream())

    with pytest.raises(DataFileError, match="unknown surface file extension .data"):
        read_surface(target)
    assert read_surface(target, format="vtkhdf").GetNumberOfPoints() == 960


def test_without_guessing_a_format_must_be_given(vessel_file):
    reader = vmtkscripts.vmtkSurfaceReader()
    reader.InputFileName = str(vessel_file)
    reader.GuessFormat = 0

    with pytest.raises(pypes.PypeError, match="vmtksurfacereader: no Format; give one with -f"):
        reader.Execute()


def test_a_format_outside_the_range_is_refused():
    with pytest.raises(pypes.PypeError, match="option -f: 'obj' is out of range"):
        pypes.PypeRun("vmtksurfacereader -ifile a.obj -f obj", output_stream=pypes.pype.NullOutputStream())


def test_a_missing_file_in_a_pipe_is_one_error_naming_the_file(tmp_path):
    missing = tmp_path / "missing.vtp"

    with pytest.raises(pypes.PypeError) as raised:
        pypes.PypeRun(f"vmtksurfacereader -ifile {missing} --pipe vmtksurfacewriter -ofile {tmp_path / 'out.vtp'}",
                      output_stream=pypes.pype.NullOutputStream())

    assert str(raised.value) == f"vmtksurfacereader: {missing}: no such file"
    assert isinstance(raised.value.__cause__, DataFileError)
    assert not (tmp_path / "out.vtp").exists()


def test_the_command_line_copies_a_surface(vessel_file, tmp_path, capsys):
    target = tmp_path / "copy.vtk"

    code = main(["vmtknumpy", "--nolog", "vmtksurfacereader", "-ifile", str(vessel_file),
                 "--pipe", "vmtksurfacewriter", "-ofile", str(target)])

    assert code == 0 and capsys.readouterr().err == ""
    np.testing.assert_array_equal(points_of(read_surface(target)), points_of(make_vessel_surface()))


def test_a_missing_file_on_the_command_line_exits_non_zero_with_one_line(tmp_path):
    missing = tmp_path / "missing.vtp"

    # Named with its package: with vmtk installed, a plain vmtksurfacereader is vmtk's.
    result = subprocess.run([sys.executable, "-m", "vmtkscripts_numpy", "--nolog", "vmtkscripts_numpy.vmtksurfacereader",
                             "-ifile", str(missing)], capture_output=True, text=True)

    assert result.returncode == 1
    assert result.stderr == f"error: vmtksurfacereader: {missing}: no such file\n"


def test_help_of_the_file_scripts_does_not_load_vtk():
    code = (
        "import sys\n"
        "from vmtkscripts_numpy.pypes import find_script_class\n"
        "for name in ('vmtksurfacereader', 'vmtksurfacewriter', 'vmtkimagereader', 'vmtkimagewriter',\n"
        "             'vmtkmeshreader', 'vmtkmeshwriter', 'vmtknumpysampledata'):\n"
        "    find_script_class(name, package='vmtkscripts_numpy')().GetUsageString()\n"
        "print(sorted(name for name in sys.modules if name.startswith(('vtkmodules', 'numpy'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("script, name, message", [
    ("vmtkSurfaceReader", "wall.tec", r"wall.tec: format 'tecplot' is read by vmtk's own vmtksurfacereader"),
    ("vmtkSurfaceWriter", "wall.vtm", r"wall.vtm: format 'vtm' is written by vmtk's own vmtksurfacewriter"),
])
def test_a_format_only_vmtk_handles_names_vmtks_script(tmp_path, script, name, message):
    surface_script = getattr(vmtkscripts, script)()
    surface_script.LogOn = 0
    surface_script.InputFileName = surface_script.OutputFileName = str(tmp_path / name)
    surface_script.Surface = make_vessel_surface()

    with pytest.raises(DataFileError, match=message):
        surface_script.Execute()


@pytest.mark.parametrize("cell_data", [0, 1])
def test_the_writer_lists_points_or_cells_with_their_arrays_as_vmtks_pointdata(tmp_path, cell_data):
    surface = make_vessel_surface()
    writer = vmtkscripts.vmtkSurfaceWriter()
    writer.LogOn, writer.Surface, writer.CellData = 0, surface, cell_data
    writer.OutputFileName = str(tmp_path / "wall.dat")

    writer.Execute()

    header = (tmp_path / "wall.dat").read_text().splitlines()[0].split()
    table = np.loadtxt(tmp_path / "wall.dat", skiprows=1)
    attributes = surface.GetCellData() if cell_data else surface.GetPointData()
    assert header[:3] == ["X", "Y", "Z"]
    assert len(table) == (surface.GetNumberOfCells() if cell_data else surface.GetNumberOfPoints())
    for index in range(attributes.GetNumberOfArrays()):
        name = attributes.GetArrayName(index)
        if name.endswith("_"):
            assert not any(column.startswith(name) for column in header)
            continue
        values = vtk_to_numpy(attributes.GetArray(index)).reshape(len(table), -1)
        first = header.index(name if values.shape[1] == 1 else f"{name}0")
        np.testing.assert_array_equal(table[:, first:first + values.shape[1]], values)
    if not cell_data:
        np.testing.assert_array_equal(table[:, :3], points_of(surface))
