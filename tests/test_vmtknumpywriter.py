"""vmtknumpywriter: vmtk's members, formats and file names, compression options, errors on the command line."""

import subprocess
import sys

import h5py
import numpy as np
import pytest

from vmtkscripts_numpy import pypes, storage, vmtkscripts
from vmtkscripts_numpy.errors import ArrayDictError
from vmtkscripts_numpy.pypes import cli

#: Member rows as vmtk declares them (name, option, length, IO); the types are corrected (bool/int, not str).
VMTK_MEMBERS = {
    ("ArrayDict", "i", "dict", 1, "vmtknumpyreader"),
    ("OutputFileName", "ofile", "str", 1, ""),
    ("Format", "format", "str", 1, ""),
    ("Compression", "compression", "bool", 1, ""),
    ("CompressionLevel", "compressionlevel", "int", 1, ""),
}


def rows(members):
    return {(m.MemberName, m.OptionName, m.MemberType, m.MemberLength, m.MemberIO) for m in members}


def lines_dict():
    return {
        "Points": np.arange(36, dtype=np.float32).reshape(12, 3),
        "PointData": {"Radius": np.linspace(1, 2, 12)},
        "CellData": {"CellPointIds": [np.arange(i, i + 2, dtype=np.int32) for i in range(11)]},
    }


def test_the_writer_has_vmtks_class_name_and_members():
    writer = vmtkscripts.vmtkNumpyWriter()
    assert type(writer).__module__ == "vmtkscripts_numpy.vmtknumpywriter"
    assert writer.ScriptName == "vmtknumpywriter"
    assert VMTK_MEMBERS <= rows(writer.InputMembers)
    members = {member.MemberName: member for member in writer.InputMembers}
    assert members["Format"].GetRangeEnumeration() == ["pickle", "hdf5", "npz"]
    assert members["CompressionLevel"].GetRangeValues()[:2] == [0, 9]
    assert members["CompressionMethod"].GetRangeEnumeration() == ["gzip", "lzf"]
    assert (writer.Compression, writer.CompressionLevel) == (1, 4)  # vmtk's defaults


def test_help_loads_neither_numpy_nor_h5py():
    code = (
        "import io, sys, contextlib\n"
        "from vmtkscripts_numpy.pypes.cli import main\n"
        "for name in ('vmtknumpywriter', 'vmtknumpyreader'):\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        assert main([name, '--help']) == 0\n"
        "loaded = [m for m in sys.modules if m.startswith(('numpy', 'h5py', 'vtk'))]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# python use ------------------------------------------------------------------------------------------------
def test_python_use_as_in_vmtk(tmp_path):
    writer = vmtkscripts.vmtkNumpyWriter()
    writer.ArrayDict = lines_dict()
    writer.OutputFileName = str(tmp_path / "lines")
    writer.Format = "hdf5"
    writer.LogOn = 0
    writer.Execute()
    assert writer.OutputFileName == str(tmp_path / "lines.hdf5")
    back = storage.read(tmp_path / "lines.hdf5")
    assert [ids.tolist() for ids in back["CellData"]["CellPointIds"]][10] == [10, 11]


def test_the_engine_hands_the_dict_over_as_input(tmp_path):
    writer = vmtkscripts.vmtkNumpyWriter()
    writer.Input = lines_dict()
    writer.OutputFileName = str(tmp_path / "lines.npz")
    writer.LogOn = 0
    writer.Execute()
    assert storage.read(tmp_path / "lines.npz")["Points"].shape == (12, 3)


def test_vmtk_style_string_values_of_compression_options_still_work(tmp_path):
    writer = vmtkscripts.vmtkNumpyWriter()
    writer.ArrayDict, writer.OutputFileName, writer.LogOn = lines_dict(), str(tmp_path / "a.hdf5"), 0
    writer.Compression, writer.CompressionLevel = "1", "7"  # vmtk declares both as 'str'
    writer.Execute()
    with h5py.File(tmp_path / "a.hdf5", "r") as h5file:
        assert (h5file["Points"].compression, h5file["Points"].compression_opts) == ("gzip", 7)


@pytest.mark.parametrize("member, value, message", [
    ("ArrayDict", None, "no ArrayDict; give one with -i or -ifile"),
    ("OutputFileName", "", "no OutputFileName; give one with -ofile"),
    ("Format", "vtk", "unknown Format 'vtk'"),
    ("CompressionLevel", 12, "CompressionLevel must be 0 to 9"),
    ("CompressionMethod", "zstd", "unknown CompressionMethod 'zstd'"),
])
def test_missing_or_bad_members_are_clear_errors(tmp_path, member, value, message):
    writer = vmtkscripts.vmtkNumpyWriter()
    writer.ArrayDict, writer.OutputFileName, writer.LogOn = lines_dict(), str(tmp_path / "a"), 0
    setattr(writer, member, value)
    with pytest.raises(pypes.PypeError, match=f"vmtknumpywriter: {message}"):
        writer.Execute()


# the command line ------------------------------------------------------------------------------------------
def run(capsys, *arguments):
    """Run a command; returns (exit code, stdout, stderr)."""
    code = cli.main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def lines_file(tmp_path):
    path = tmp_path / "lines.pickle"
    storage.write(lines_dict(), path)
    return path


@pytest.mark.parametrize(
    "ofile, options, written, format_name",
    [
        ("out", [], "out.pickle", "pickle"),  # vmtk's default format
        ("out", ["-format", "hdf5"], "out.hdf5", "hdf5"),
        ("out.h5", [], "out.h5", "hdf5"),  # guessed from the extension, which is kept
        ("out.pkl", [], "out.pkl", "pickle"),
        ("out.npz", [], "out.npz", "npz"),
        ("out.data", ["-format", "npz"], "out.data", "npz"),  # vmtk would write out.pickle
        ("out.h5", ["-guessformat", "0"], "out.h5", "pickle"),
    ],
)
def test_format_and_file_name_rules(capsys, tmp_path, lines_file, ofile, options, written, format_name):
    code, _, err = run(capsys, "vmtknumpywriter", "-ifile", str(lines_file), "-ofile", str(tmp_path / ofile),
                       *options)
    assert (code, err) == (0, "")
    assert storage._files.sniff_format(tmp_path / written) == format_name
    assert storage.read(tmp_path / written, format=format_name)["Points"].shape == (12, 3)


@pytest.mark.parametrize(
    "options, filters",
    [
        ([], ("gzip", 4)),  # vmtk's defaults: compressed, level 4
        (["-compressionlevel", "9"], ("gzip", 9)),
        (["-compression", "0"], (None, None)),
        (["-compressionmethod", "lzf"], ("lzf", None)),
    ],
)
def test_hdf5_compression_options(capsys, tmp_path, lines_file, options, filters):
    target = tmp_path / "out.hdf5"
    code, _, _ = run(capsys, "vmtknumpywriter", "-ifile", str(lines_file), "-ofile", str(target), *options)
    assert code == 0
    with h5py.File(target, "r") as h5file:
        assert (h5file["Points"].compression, h5file["Points"].compression_opts) == filters


def test_npz_is_compressed_with_deflate_by_default_and_not_with_compression_0(capsys, tmp_path, lines_file):
    import zipfile

    for options, expected in (([], zipfile.ZIP_DEFLATED), (["-compression", "0"], zipfile.ZIP_STORED)):
        target = tmp_path / "out.npz"
        assert run(capsys, "vmtknumpywriter", "-ifile", str(lines_file), "-ofile", str(target), *options)[0] == 0
        with zipfile.ZipFile(target) as archive:
            assert archive.getinfo("Points.npy").compress_type == expected


@pytest.mark.parametrize(
    "options, message",
    [
        (["-compressionlevel", "10"], "error: vmtknumpywriter: option -compressionlevel: 10 is out of range"),
        (["-format", "vtk"], "error: vmtknumpywriter: option -format: 'vtk' is out of range"),
        (["-compression", "yes"], "error: vmtknumpywriter: option -compression: 'yes' is not a bool"),
        (["-format", "npz", "-compressionmethod", "lzf"], "error: vmtknumpywriter: npz files are compressed with "
                                                           "deflate"),
    ],
)
def test_bad_options_are_one_line_errors(capsys, tmp_path, lines_file, options, message):
    code, _, err = run(capsys, "vmtknumpywriter", "-ifile", str(lines_file), "-ofile", str(tmp_path / "o"), *options)
    assert code == 1
    assert err.startswith(message) and err.count("\n") == 1 and "Traceback" not in err


def test_a_missing_input_file_is_a_one_line_error(capsys, tmp_path):
    code, _, err = run(capsys, "vmtknumpywriter", "-ifile", str(tmp_path / "absent.hdf5"), "-ofile",
                       str(tmp_path / "o"))
    assert code == 1
    assert err == f"error: vmtknumpywriter: {tmp_path / 'absent.hdf5'}: no such file\n"
    assert list(tmp_path.iterdir()) == []


def test_a_dict_that_cannot_be_stored_names_the_key_and_writes_nothing(tmp_path):
    writer = vmtkscripts.vmtkNumpyWriter()
    writer.ArrayDict = {"Points": np.zeros((1, 3)), "PointData": {"bad": None}}
    writer.OutputFileName, writer.LogOn = str(tmp_path / "o.hdf5"), 0
    with pytest.raises(ArrayDictError, match=r"ArrayDict\['PointData'\]\['bad'\]: None is not stored"):
        writer.Execute()
    assert list(tmp_path.iterdir()) == []
