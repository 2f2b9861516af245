"""The one registry of file formats: finding formats by name, extension and content, and adding one."""

import json
import re
import sys
import types

import h5py
import numpy as np
import pytest

from vmtkscripts_numpy import formats, storage, vmtkscripts
from vmtkscripts_numpy.errors import DataFileError
from vmtkscripts_numpy.pypes import cli

# --- a toy format, added by this test alone ---------------------------------------------------------

TOY_MAGIC = b"TOY-ARRAYS\n"


def _toy_write(array_dict, path, compression=None, compression_level=None):
    arrays = {key: np.asarray(value).tolist() for key, value in array_dict.items()}
    options = {"compression": compression, "compression_level": compression_level}
    with open(path, "wb") as stream:
        stream.write(TOY_MAGIC + json.dumps({"arrays": arrays, "options": options}).encode())


def _toy_read(path, max_ratio=None):
    with open(path, "rb") as stream:
        stored = json.loads(stream.read()[len(TOY_MAGIC):])
    return {key: np.array(value) for key, value in stored["arrays"].items()}


def toy_options(path):
    """The compression options the toy writer was given."""
    with open(path, "rb") as stream:
        return json.loads(stream.read()[len(TOY_MAGIC):])["options"]


@pytest.fixture
def toy(monkeypatch):
    module = types.ModuleType("toy_arraydict_format")
    module.read, module.write = _toy_read, _toy_write
    monkeypatch.setitem(sys.modules, module.__name__, module)
    entry = formats.FileFormat("toy", "arraydict", "toy JSON", (".toy", ".toyjson"), module.__name__,
                               compressions=(formats.Compression("zstd", "z", levels=True),), magic=(TOY_MAGIC,))
    formats.register(entry)
    yield entry
    formats.unregister("arraydict", "toy")


def run(capsys, *arguments):
    code = cli.main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


ARRAYS = {"Points": np.arange(6.0).reshape(2, 3), "Ids": np.array([4, 5])}


def same(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[key], b[key]) for key in a)


def test_a_registered_format_is_read_and_written_by_its_extension_name_and_content(toy, tmp_path):
    assert storage.write(ARRAYS, tmp_path / "case.toy") == tmp_path / "case.toy"
    assert same(storage.read(tmp_path / "case.toy"), ARRAYS)
    assert storage.write(ARRAYS, tmp_path / "case", format="toy") == tmp_path / "case.toy"
    (tmp_path / "case.toy").rename(tmp_path / "case.data")
    assert same(storage.read(tmp_path / "case.data"), ARRAYS)  # by its first bytes
    assert storage.guess_format("a.TOYJSON") == "toy" and "toy" in storage.FORMATS


def test_the_scripts_offer_a_registered_format_and_its_compression(toy, tmp_path, capsys):
    source = storage.write(ARRAYS, tmp_path / "in.hdf5")
    writer = {member.MemberName: member for member in vmtkscripts.vmtkNumpyWriter().InputMembers}
    reader = {member.MemberName: member for member in vmtkscripts.vmtkNumpyReader().InputMembers}
    assert writer["Format"].GetRangeEnumeration() == ["pickle", "hdf5", "npz", "toy"]
    assert reader["Format"].GetRangeEnumeration() == ["pickle", "hdf5", "npz", "toy"]
    assert writer["CompressionMethod"].GetRangeEnumeration() == ["gzip", "lzf", "zstd"]

    target = tmp_path / "out"
    code, _, err = run(capsys, "vmtknumpywriter", "-ifile", str(source), "-ofile", str(target), "-format", "toy",
                       "-compressionmethod", "zstd", "-compressionlevel", "7")
    assert code == 0, err
    assert toy_options(tmp_path / "out.toy") == {"compression": "z", "compression_level": 7}
    code, _, err = run(capsys, "vmtknumpyreader", "-ifile", str(tmp_path / "out.toy"), "-f", "toy",
                       "--pipe", "vmtknumpywriter", "-ofile", str(tmp_path / "back.npz"))
    assert code == 0, err
    assert same(storage.read(tmp_path / "back.npz"), ARRAYS)


def test_a_compression_the_format_lacks_is_a_one_line_error(toy, tmp_path, capsys):
    source = storage.write(ARRAYS, tmp_path / "in.hdf5")
    code, _, err = run(capsys, "vmtknumpywriter", "-ifile", str(source), "-ofile", str(tmp_path / "o.toy"),
                       "-compressionmethod", "lzf")
    assert code == 1
    assert err.startswith("error: vmtknumpywriter: toy files are compressed with z (zstd's); -compressionmethod lzf is "
                          "for hdf5 only")


def test_a_format_unregistered_is_gone(tmp_path):
    entry = formats.register(formats.FileFormat("gone", "arraydict", "gone", (".gone",), "no_such_module"))
    assert formats.unregister("arraydict", "gone") is entry
    assert "gone" not in storage.FORMATS and "gone" not in formats.format_range("arraydict")
    with pytest.raises(ValueError, match="unknown format 'gone'"):
        storage.write(ARRAYS, tmp_path / "a", format="gone")


def test_a_format_is_registered_once_per_kind():
    with pytest.raises(ValueError, match="arraydict format 'hdf5' is registered already"):
        formats.register(formats.FileFormat("hdf5", "arraydict", "HDF5", (".h5",), "x"))
    with pytest.raises(ValueError, match="unknown kind 'movie'"):
        formats.register(formats.FileFormat("mp4", "movie", "MPEG-4", (".mp4",), "x"))


# --- a toy surface format: VTK kinds are registered alike ------------------------------------------------


def _toy_surface_write(surface, path, mode):
    from vmtkscripts_numpy.convert.polydata import polydata_to_dict

    arrays = polydata_to_dict(surface)
    np.savez(path, points=arrays["Points"], cells=arrays["CellData"]["CellPointIds"])
    # np.savez adds .npz to a name without it: keep the name asked for
    path.with_name(path.name + ".npz").replace(path)


def _toy_surface_read(path):
    from vmtkscripts_numpy.convert.polydata import dict_to_polydata

    with np.load(path) as stored:
        return dict_to_polydata({"Points": stored["points"], "CellData": {"CellPointIds": stored["cells"]}})


@pytest.fixture
def toy_surface(monkeypatch):
    module = types.ModuleType("toy_surface_format")
    module.read, module.write = _toy_surface_read, _toy_surface_write
    monkeypatch.setitem(sys.modules, module.__name__, module)
    entry = formats.register(formats.FileFormat("toysurf", "surface", "toy surface", (".toysurf",), module.__name__))
    yield entry
    formats.unregister("surface", "toysurf")


def test_a_registered_surface_format_is_read_and_written_by_the_functions_and_scripts(toy_surface, tmp_path, capsys):
    from vmtkscripts_numpy.sample_data import make_vessel_surface
    from vmtkscripts_numpy.vtkfiles import read_surface, write_surface

    surface = make_vessel_surface()
    write_surface(surface, tmp_path / "vessel.toysurf")
    assert read_surface(tmp_path / "vessel.toysurf").GetNumberOfCells() == surface.GetNumberOfCells()

    reader = {member.OptionName: member for member in vmtkscripts.vmtkSurfaceReader().InputMembers}
    assert "toysurf" in reader["f"].GetRangeEnumeration()
    code, _, err = run(capsys, "vmtksurfacereader", "-ifile", str(tmp_path / "vessel.toysurf"),
                       "--pipe", "vmtksurfacewriter", "-ofile", str(tmp_path / "back.vtp"))
    assert code == 0, err
    code, _, err = run(capsys, "vmtksurfacereader", "-ifile", str(tmp_path / "back.vtp"),
                       "--pipe", "vmtksurfacewriter", "-f", "toysurf", "-ofile", str(tmp_path / "again.data"))
    assert code == 0, err
    again = read_surface(tmp_path / "again.data", format="toysurf")
    assert again.GetNumberOfPoints() == surface.GetNumberOfPoints()


# --- VTKHDF and ArrayDict HDF5: content decides ---------------------------------------------------------


def vtkhdf_file(path, hdf_type="UnstructuredGrid"):
    """An HDF5 file in VTK's layout: only its root matters to telling it apart."""
    with h5py.File(path, "w") as handle:
        handle.create_group("VTKHDF").attrs["Type"] = np.bytes_(hdf_type)
    return path


@pytest.mark.parametrize("name", ["case.hdf", "case.h5", "case.hdf5", "case.data"])
def test_a_vtkhdf_file_is_not_read_as_an_array_dict_whatever_its_extension(tmp_path, name):
    path = vtkhdf_file(tmp_path / name)
    with pytest.raises(DataFileError, match=r"is a VTKHDF file .*not an ArrayDict; read it with read_\w+"):
        storage.read(path)


def test_the_error_for_a_vtkhdf_file_names_the_reader_of_its_type(tmp_path):
    path = vtkhdf_file(tmp_path / "aorta.hdf", "PolyData")
    with pytest.raises(DataFileError, match=r"holding a surface.*read_surface \(vmtksurfacereader\)"):
        storage.read(path)


def test_the_reader_script_says_a_vtkhdf_file_is_not_an_array_dict(tmp_path, capsys):
    path = vtkhdf_file(tmp_path / "mesh.hdf")
    code, _, err = run(capsys, "vmtknumpyreader", "-ifile", str(path))
    assert code == 1
    assert "is a VTKHDF file" in err and "read_mesh (vmtkmeshreader)" in err and err.count("\n") == 1


def test_content_tells_vtkhdf_from_array_dict_files(tmp_path):
    vtk_layout = vtkhdf_file(tmp_path / "a.hdf")
    ours = storage.write({"VTKHDF": {"Type": np.array(1)}}, tmp_path / "b.hdf")  # a key, not VTK's layout
    assert formats.identify(vtk_layout).name == "vtkhdf" and formats.identify(vtk_layout, "arraydict") is None
    assert formats.identify(ours).name == "hdf5" and formats.identify(ours, "mesh") is None
    assert storage.read(ours)["VTKHDF"]["Type"] == 1


def test_paraview_collections_are_in_the_registry_too(tmp_path):
    from vmtkscripts_numpy.sample_data import make_vessel_surface
    from vmtkscripts_numpy.timeseries import time_series_dict

    pressure = np.arange(2.0)[:, None] * np.ones(960)
    series = time_series_dict(make_vessel_surface(), [0.0, 0.5], {"Pressure": pressure})
    pvd = formats.find("timeseries", tmp_path / "run.pvd", operation="write")
    written = pvd.write(series, tmp_path / "run.pvd")

    assert written == tmp_path / "run.pvd" and (tmp_path / "run" / "run_0001.vtp").is_file()
    assert np.array_equal(pvd.read(written)["TimeSeries"]["PointData"]["Pressure"], pressure)


@pytest.mark.parametrize("kind, hdf_type", sorted(formats.VTKHDF_TYPES.items()))
def test_the_kind_of_a_vtkhdf_file_is_its_type(tmp_path, kind, hdf_type):
    found = formats.identify(vtkhdf_file(tmp_path / "data.hdf", hdf_type))
    assert (found.name, found.kind) == ("vtkhdf", kind)


@pytest.mark.parametrize("dataset, kind", [("POLYDATA", "surface"), ("UNSTRUCTURED_GRID", "mesh"),
                                           ("STRUCTURED_POINTS", "image"), ("RECTILINEAR_GRID", None)])
def test_the_kind_of_a_legacy_file_is_its_dataset(tmp_path, dataset, kind):
    path = tmp_path / "data.vtk"
    path.write_text(f"# vtk DataFile Version 3.0\ntitle\nASCII\nDATASET {dataset}\n")
    found = formats.identify(path)
    assert (found.name, found.kind) == ("vtk", kind) if kind else found is None


def test_each_kinds_table_is_a_view_of_the_registry():
    from vmtkscripts_numpy.vtkfiles.formats import FormatTable

    assert FormatTable("mesh").names() == formats.names("mesh") == ["vtkxml", "vtk", "vtkhdf"]
    assert formats.find("image", "head.NII.GZ").name == "nifti"
    assert formats.find("surface", "aorta.hdf").description == "VTKHDF PolyData"


@pytest.mark.parametrize("kind, name, operation, hint", [
    ("surface", "case.vtu", "read",
     "VTK XML UnstructuredGrid files hold a mesh: read it with read_mesh (vmtkmeshreader)"),
    ("mesh", "case.STL", "read", "STL files hold a surface: read it with read_surface (vmtksurfacereader)"),
    ("surface", "case.nii.gz", "write", "NIfTI-1 files hold an image: write it with write_image (vmtkimagewriter)"),
    ("image", "case.npz", "read", "npz files hold an ArrayDict: read it with read_array_dict (vmtknumpyreader)"),
    ("arraydict", "case.vtp", "read", "VTK XML PolyData files hold a surface: read it with read_surface"),
])
def test_an_extension_of_another_kind_names_the_function_and_script_for_it(kind, name, operation, hint):
    with pytest.raises(DataFileError, match=f"unknown {kind} file extension .*; {re.escape(hint)}"):
        formats.find(kind, name, operation=operation)


def test_an_extension_no_kind_has_gets_no_hint():
    with pytest.raises(DataFileError) as raised:
        formats.find("surface", "case.xyz")
    assert str(raised.value).endswith("(or name the format: vtkxml, vtk, stl, ply, wavefront, vtkhdf)")


def test_the_surface_reader_script_names_the_mesh_reader_for_a_mesh_file(tmp_path, capsys):
    code, _, err = run(capsys, "vmtksurfacereader", "-ifile", str(tmp_path / "case.vtu"))
    assert code == 1
    assert "hold a mesh: read it with read_mesh (vmtkmeshreader)" in err
