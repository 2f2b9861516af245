"""vmtknumpyreader: vmtk's members, vmtk's files, bad and hostile files on the command line, pipes through files."""

import pickle
import re

import numpy as np
import pytest

from vmtkscripts_numpy import pypes, storage, vmtkscripts
from vmtkscripts_numpy.errors import DataFileError
from vmtkscripts_numpy.pypes import cli

VMTK_MEMBERS = {
    ("Format", "f", "str", 1, ""),
    ("GuessFormat", "guessformat", "bool", 1, ""),
    ("InputFileName", "ifile", "str", 1, ""),
}


def rows(members):
    return {(m.MemberName, m.OptionName, m.MemberType, m.MemberLength, m.MemberIO) for m in members}


def run(capsys, *arguments):
    code = cli.main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_reader_has_vmtks_class_name_and_members():
    reader = vmtkscripts.vmtkNumpyReader()
    assert type(reader).__module__ == "vmtkscripts_numpy.vmtknumpyreader"
    assert VMTK_MEMBERS <= rows(reader.InputMembers)
    outputs = {member.MemberName: member for member in reader.OutputMembers}
    assert (outputs["ArrayDict"].OptionName, outputs["ArrayDict"].MemberType) == ("o", "dict")
    assert reader.GuessFormat == 1 and reader.Format == ""


@pytest.mark.parametrize("name", ["upstream-twelve-line-centerlines.hdf5", "upstream-twelve-line-centerlines.pickle"])
def test_python_use_as_in_vmtk_on_vmtks_files(upstream_file, name):
    reader = vmtkscripts.vmtkNumpyReader()
    reader.InputFileName = str(upstream_file(name))
    reader.LogOn = 0
    reader.Execute()
    assert reader.Output is reader.ArrayDict
    ids = reader.ArrayDict["CellData"]["CellPointIds"]
    assert [len(cell) for cell in ids] == list(range(3, 15))


def test_a_format_given_with_f_is_used_whatever_the_extension(tmp_path):
    path = tmp_path / "lines.dat"
    storage.write({"a": np.arange(3)}, path, format="npz")
    reader = vmtkscripts.vmtkNumpyReader()
    reader.Arguments, reader.LogOn = ["-ifile", str(path), "-f", "npz", "-guessformat", "0"], 0
    reader.ParseArguments()
    reader.Execute()
    assert reader.Output["a"].tolist() == [0, 1, 2]


@pytest.mark.parametrize("member, value, message", [
    ("InputFileName", "", "no InputFileName; give one with -ifile"),
    ("GuessFormat", 0, "no Format; give one with -f or use -guessformat 1"),
    ("Format", "vtk", "unknown Format 'vtk'"),
])
def test_missing_or_bad_members_are_clear_errors(tmp_path, member, value, message):
    reader = vmtkscripts.vmtkNumpyReader()
    reader.InputFileName, reader.LogOn = str(tmp_path / "a.pickle"), 0
    setattr(reader, member, value)
    with pytest.raises(pypes.PypeError, match=f"vmtknumpyreader: {message}"):
        reader.Execute()


# the command line ------------------------------------------------------------------------------------------
def test_ofile_converts_vmtks_pickle_to_an_hdf5_file(capsys, upstream_file, tmp_path):
    target = tmp_path / "vase.h5"
    code, _, err = run(capsys, "vmtknumpyreader", "-ifile", str(upstream_file("upstream-vase-image.pickle")),
                       "-ofile", str(target))
    assert (code, err) == (0, "")
    image = storage.read(target)
    assert image["PointData"]["SLCImage"].shape == (115, 101, 75)
    assert image["Dimensions"].tolist() == [115, 101, 75]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "is empty (0 bytes), not a pickle file"),
        (b"\x80\x05\x95", "is truncated"),
        (b"just text", "is not a pickle file"),
        (pickle.dumps([1, 2]), "holds a list, not an ArrayDict"),
        (pickle.dumps({"PointData": {"x": None}}), "does not hold an ArrayDict: ArrayDict['PointData']['x']: None"),
    ],
)
def test_bad_files_are_one_line_errors_naming_the_file(capsys, tmp_path, content, message):
    path = tmp_path / "bad.pickle"
    path.write_bytes(content)
    code, _, err = run(capsys, "vmtknumpyreader", "-ifile", str(path))
    assert code == 1
    assert err.startswith(f"error: vmtknumpyreader: {path}: {message}")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_hostile_pickle_on_the_command_line_runs_nothing(capsys, tmp_path):
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    path = tmp_path / "evil.pickle"
    path.write_bytes(pickle.dumps({"Points": Payload()}))
    code, _, err = run(capsys, "vmtknumpyreader", "-ifile", str(path))
    assert code == 1
    # The pickle names open by its module: io.open up to Python 3.11, _io.open from 3.12.
    assert re.search(r"refused to unpickle: it asks for _?io\.open\b", err) and "Traceback" not in err
    assert not marker.exists()


def test_a_file_of_unknown_extension_is_read_by_content(capsys, tmp_path):
    path = tmp_path / "lines.backup"
    storage.write({"a": np.arange(2)}, path, format="hdf5")
    reader = vmtkscripts.vmtkNumpyReader()
    reader.InputFileName, reader.LogOn = str(path), 0
    reader.Execute()
    assert reader.Output["a"].tolist() == [0, 1]


def test_an_unreadable_format_names_the_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not an array dict")
    reader = vmtkscripts.vmtkNumpyReader()
    reader.InputFileName, reader.LogOn = str(path), 0
    with pytest.raises(DataFileError, match=r"notes\.txt: cannot tell its format"):
        reader.Execute()


# pipes through files ---------------------------------------------------------------------------------------
def read_vtp(path):
    from vtkmodules.vtkIOXML import vtkXMLPolyDataReader

    reader = vtkXMLPolyDataReader()
    reader.SetFileName(str(path))
    reader.Update()
    return reader.GetOutput()


@pytest.mark.parametrize("dict_file, options", [
    ("vessel.hdf5", []),
    ("vessel.h5", ["-compressionmethod", "lzf"]),
    ("vessel.npz", ["-compression", "0"]),
    ("vessel.pkl", []),
])
def test_command_line_surface_file_to_dict_file_and_back(capsys, tmp_path, dict_file, options):
    from vtkmodules.util.numpy_support import vtk_to_numpy

    assert run(capsys, "vmtknumpysampledata", "-d", str(tmp_path))[0] == 0
    source, stored, target = tmp_path / "vessel.vtp", tmp_path / dict_file, tmp_path / "back.vtp"
    to_dict = ["vmtksurfacereader", "-ifile", str(source), "--pipe", "vmtksurfacetonumpy",
               "--pipe", "vmtknumpywriter", "-ofile", str(stored), *options]
    to_surface = ["vmtknumpyreader", "-ifile", str(stored), "--pipe", "vmtknumpytosurface",
                  "--pipe", "vmtksurfacewriter", "-ofile", str(target)]
    assert run(capsys, "vmtknumpy", "--nolog", *to_dict)[0] == 0
    assert run(capsys, "vmtknumpy", "--nolog", *to_surface)[0] == 0
    original, written = read_vtp(source), read_vtp(target)
    assert written.GetNumberOfPolys() == original.GetNumberOfPolys() > 0
    for get in (lambda s: s.GetPoints().GetData(), lambda s: s.GetPolys().GetConnectivityArray(),
                lambda s: s.GetPointData().GetArray("WallShearStress")):
        np.testing.assert_array_equal(vtk_to_numpy(get(written)), vtk_to_numpy(get(original)))


def test_command_line_centerlines_file_through_hdf5_keep_every_line(capsys, upstream_file, tmp_path):
    from vtkmodules.util.numpy_support import vtk_to_numpy

    source, stored, target = upstream_file("twelve-line-centerlines.vtp"), tmp_path / "c.hdf5", tmp_path / "c.vtp"
    assert run(capsys, "vmtknumpy", "--nolog", "vmtkcenterlinestonumpy", "-ifile", str(source),
               "-ofile", str(stored))[0] == 0
    assert run(capsys, "vmtknumpy", "--nolog", "vmtknumpytocenterlines", "-ifile", str(stored),
               "-ofile", str(target))[0] == 0
    original, written = read_vtp(source), read_vtp(target)
    assert written.GetNumberOfLines() == original.GetNumberOfLines() == 12
    for get in (lambda s: s.GetLines().GetOffsetsArray(), lambda s: s.GetLines().GetConnectivityArray()):
        np.testing.assert_array_equal(vtk_to_numpy(get(written)), vtk_to_numpy(get(original)))


def test_maxratio_lets_a_trusted_file_that_compresses_well_through(capsys, tmp_path):
    path = tmp_path / "mask.hdf5"
    storage.write({"Mask": np.zeros(64 << 20, np.uint8)}, path, format="hdf5", compression="gzip")
    assert path.stat().st_size < 1 << 20  # about 1000 to 1: past the default limit of 100 times
    output = tmp_path / "mask.npz"
    code, _, err = run(capsys, "vmtknumpyreader", "-ifile", str(path), "-ofile", str(output))
    assert code == 1 and "read it with a larger max_ratio" in err and err.count("\n") == 1
    code, _, err = run(capsys, "vmtknumpyreader", "-ifile", str(path), "-maxratio", "2000", "-ofile", str(output))
    assert code == 0, err
    assert storage.read(output, max_ratio=2000)["Mask"].shape == (64 << 20,)
