"""The storage registry: every dict kind through every format, extension rules, atomic writes, bad dicts."""

import errno
import os
import stat

import numpy as np
import pytest

from vmtkscripts_numpy import storage
from vmtkscripts_numpy.errors import ArrayDictError, DataFileError
from vmtkscripts_numpy.storage import hdf5, npz
from vmtkscripts_numpy.storage import pickle as pickle_format

FORMATS = ("pickle", "hdf5", "npz")
MODULES = {"pickle": pickle_format, "hdf5": hdf5, "npz": npz}


# round trips -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("format_name", FORMATS)
def test_every_kind_of_dict_comes_back_exactly(tmp_path, format_name, dict_kind, assert_same):
    name, array_dict = dict_kind
    written = storage.write(array_dict, tmp_path / name, format=format_name)
    assert_same(array_dict, storage.read(written))


@pytest.mark.parametrize("format_name", FORMATS)
def test_compressed_files_come_back_exactly(tmp_path, format_name, make_dict, assert_same):
    options = {"pickle": {}, "hdf5": {"compression": "gzip", "compression_level": 9}, "npz": {"compression": "deflate"}}
    array_dict = make_dict("every_leaf")
    written = storage.write(array_dict, tmp_path / "every", format=format_name, **options[format_name])
    assert_same(array_dict, storage.read(written))


@pytest.mark.parametrize("format_name", FORMATS)
def test_a_centerline_list_keeps_its_order_past_ten_items(tmp_path, format_name, make_dict):
    lines = make_dict("centerlines")
    back = storage.read(storage.write(lines, tmp_path / "lines", format=format_name))
    ids = back["CellData"]["CellPointIds"]
    assert [len(cell) for cell in ids] == [len(cell) for cell in lines["CellData"]["CellPointIds"]]
    np.testing.assert_array_equal(np.concatenate(ids), np.arange(len(lines["Points"])))


@pytest.mark.parametrize("format_name", FORMATS)
def test_the_input_dict_is_not_changed_by_writing(tmp_path, format_name, make_dict, assert_same):
    def as_dicts(tree):
        return {key: as_dicts(value) if isinstance(value, dict) else value for key, value in tree.items()}

    surface = make_dict("surface")
    storage.write(surface, tmp_path / "s", format=format_name)
    assert type(surface).__name__ == "vividict"
    assert_same(as_dicts(make_dict("surface")), as_dicts(surface))


# file names and formats ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, expected",
    [("a.hdf5", "hdf5"), ("a.h5", "hdf5"), ("a.HDF", "hdf5"), ("a.pickle", "pickle"), ("a.PKL", "pickle"),
     ("a.npz", "npz"), ("dir.h5/a", None), ("a.vtp", None), ("a", None), (".hdf5", None)],
)
def test_the_format_is_guessed_from_the_extension(name, expected):
    assert storage.guess_format(name) == expected


@pytest.mark.parametrize(
    "given, format_name, written",
    [
        ("out", "hdf5", "out.hdf5"),
        ("out", "pickle", "out.pickle"),
        ("out", "npz", "out.npz"),
        ("out.h5", None, "out.h5"),
        ("out.pkl", None, "out.pkl"),
        ("out.data", "npz", "out.data"),  # vmtk would write out.pickle
        ("case.01.hdf5", None, "case.01.hdf5"),  # vmtk would write case.01.hdf5 only by luck of rsplit
        ("out", None, "out.pickle"),  # nothing to guess from: vmtk's default format
    ],
)
def test_an_extension_is_kept_as_given_and_a_missing_one_is_added(tmp_path, given, format_name, written):
    result = storage.write({"a": np.ones(2)}, tmp_path / given, format=format_name)
    assert result == tmp_path / written
    assert sorted(os.listdir(tmp_path)) == [written]
    assert storage.read(result)["a"].tolist() == [1.0, 1.0]


def test_dots_in_a_folder_name_are_not_an_extension(tmp_path):
    folder = tmp_path / "study.v2"
    folder.mkdir()
    written = storage.write({"a": np.ones(1)}, folder / "aorta", format="hdf5")
    assert written == folder / "aorta.hdf5"


def test_a_file_with_an_unknown_extension_is_read_by_its_content(tmp_path):
    for format_name in FORMATS:
        path = tmp_path / f"{format_name}.data"
        storage.write({"format": format_name}, path, format=format_name)
        assert storage.read(path) == {"format": format_name}


def test_a_file_that_is_no_known_format_names_the_extensions(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(DataFileError, match=r"notes\.txt: cannot tell its format.*\.hdf5"):
        storage.read(path)


def test_a_format_given_for_the_wrong_file_says_what_the_file_looks_like(tmp_path):
    path = storage.write({"a": np.ones(1)}, tmp_path / "a.npz")
    with pytest.raises(DataFileError, match="is not an HDF5 file.*looks like an npz file"):
        storage.read(path, format="hdf5")
    with pytest.raises(DataFileError, match="is not a pickle file.*looks like an npz file"):
        storage.read(path, format="pickle")


def test_an_unknown_format_lists_the_formats(tmp_path):
    with pytest.raises(ValueError, match="unknown format 'vtk'; the formats are pickle, hdf5, npz"):
        storage.write({}, tmp_path / "a", format="vtk")


def test_the_registry_finds_each_formats_module():
    for name, entry in storage.FORMATS.items():
        module = entry.load()
        assert module is MODULES[name]
        assert module.NAME == name and callable(module.read) and callable(module.write)
        assert storage.guess_format("x" + entry.extension) == name


def test_the_package_top_level_reads_and_writes_array_dicts(tmp_path, make_dict, assert_same):
    import vmtkscripts_numpy as vn

    image = make_dict("image")
    written = vn.write_array_dict(image, tmp_path / "image.h5", compression="gzip", compression_level=6)
    assert_same(image, vn.read_array_dict(written))


# bad dicts -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("format_name", FORMATS)
@pytest.mark.parametrize(
    "array_dict, message",
    [
        ([np.ones(2)], r"ArrayDict: expected a dict, found list"),
        ({"PointData": {1: np.ones(2)}}, r"\['PointData'\]: keys must be strings, found key 1"),
        ({"PointData": {"a/b": np.ones(2)}}, r"\['PointData'\]: key 'a/b' contains '/'"),
        ({"": np.ones(1)}, r"key '' cannot be stored"),
        ({"CellData": {"x": np.array([None, 1], dtype=object)}}, r"\['CellData'\]\['x'\]: dtype object.*pickle"),
        ({"a": {"b": [np.ones(1), None]}}, r"\['a'\]\['b'\]\[1\]: None is not stored"),
        ({"a": {1, 2}}, r"\['a'\]: values of type set are not stored"),
        ({"a": b"raw"}, r"\['a'\]: bytes are not stored"),
        ({"a": np.zeros(2, dtype="datetime64[s]")}, r"\['a'\]: dtype datetime64\[s\] cannot be stored"),
        ({"a": np.zeros(2, dtype=[("x", "f4")])}, r"\['a'\]: .*structured"),
        ({"a": np.ma.masked_array([1, 2], mask=[0, 1])}, r"\['a'\]: masked arrays"),
        ({"a": 2**64}, r"\['a'\]: int 18446744073709551616 does not fit"),
        ({"a": "nul\x00"}, r"\['a'\]: strings with NUL"),
    ],
)
def test_a_bad_dict_is_refused_with_its_key_path_and_nothing_is_written(tmp_path, format_name, array_dict, message):
    with pytest.raises(ArrayDictError, match=message):
        storage.write(array_dict, tmp_path / "bad", format=format_name)
    assert os.listdir(tmp_path) == []


def test_a_dict_that_contains_itself_is_refused(tmp_path):
    looped = {"a": {}}
    looped["a"]["b"] = looped
    with pytest.raises(ArrayDictError, match=r"\['a'\]\['b'\]: contains itself"):
        storage.write(looped, tmp_path / "never-written", format="npz")


# atomic writes ---------------------------------------------------------------------------------------------
@pytest.fixture
def earlier_file(tmp_path):
    """Return a function writing a first version of a file in a format; gives ``(path, its bytes)``."""

    def write(format_name):
        path = tmp_path / f"data.{storage.FORMATS[format_name].extension.lstrip('.')}"
        storage.write({"version": np.array([1])}, path, format=format_name)
        return path, path.read_bytes()

    return write


def _fail_after(calls, error):
    """A replacement that lets ``calls`` calls through to ``function`` and then raises ``error``."""

    def wrap(function):
        count = {"n": 0}

        def failing(*args, **kwargs):
            count["n"] += 1
            if count["n"] > calls:
                raise error
            return function(*args, **kwargs)

        return failing

    return wrap


def _break_writing(monkeypatch, format_name, error):
    """Make the format's writer fail after it has written part of the file."""
    if format_name == "hdf5":
        monkeypatch.setattr(hdf5._Writer, "array", _fail_after(3, error)(hdf5._Writer.array))
    elif format_name == "npz":
        monkeypatch.setattr(npz, "_write_npy", _fail_after(3, error)(npz._write_npy))
    else:
        real_dump = pickle_format.pickle.dump

        def dump_half(tree, stream, protocol):
            real_dump({"partial": tree["PointData"]}, stream, protocol=protocol)
            raise error

        monkeypatch.setattr(pickle_format.pickle, "dump", dump_half)


@pytest.mark.parametrize("format_name", FORMATS)
def test_a_write_failing_halfway_keeps_the_earlier_file(tmp_path, monkeypatch, format_name, earlier_file, make_dict,
                                                         no_temporary_files):
    path, before = earlier_file(format_name)
    _break_writing(monkeypatch, format_name, OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(DataFileError, match=r"data\.\w+: cannot be written: No space left on device"):
        storage.write(make_dict("surface"), path, format=format_name)
    assert path.read_bytes() == before
    no_temporary_files(tmp_path)
    monkeypatch.undo()
    assert storage.read(path)["version"].tolist() == [1]


@pytest.mark.parametrize("format_name", FORMATS)
def test_an_interrupted_write_keeps_the_earlier_file(tmp_path, monkeypatch, format_name, earlier_file, make_dict,
                                                     no_temporary_files):
    path, before = earlier_file(format_name)
    _break_writing(monkeypatch, format_name, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        storage.write(make_dict("surface"), path, format=format_name)
    assert path.read_bytes() == before
    no_temporary_files(tmp_path)


@pytest.mark.parametrize("format_name", FORMATS)
def test_a_bad_leaf_late_in_the_dict_keeps_the_earlier_file(tmp_path, format_name, earlier_file, make_dict,
                                                            no_temporary_files):
    path, before = earlier_file(format_name)
    surface = make_dict("surface")
    surface["ZLast"] = {"fine": np.ones(3), "bad": np.array([object()])}
    with pytest.raises(ArrayDictError, match=r"\['ZLast'\]\['bad'\]"):
        storage.write(surface, path, format=format_name)
    assert path.read_bytes() == before
    no_temporary_files(tmp_path)


@pytest.mark.parametrize("format_name", FORMATS)
def test_a_failed_first_write_leaves_no_file_at_all(tmp_path, monkeypatch, format_name, make_dict):
    _break_writing(monkeypatch, format_name, RuntimeError("bug in the middle of writing"))
    with pytest.raises(RuntimeError):
        storage.write(make_dict("surface"), tmp_path / "new", format=format_name)
    assert os.listdir(tmp_path) == []


def test_a_rewrite_keeps_the_files_permissions(tmp_path):
    path = tmp_path / "shared.hdf5"
    storage.write({"a": np.ones(1)}, path)
    os.chmod(path, 0o640)
    storage.write({"a": np.zeros(1)}, path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


def test_a_new_file_gets_the_usual_permissions_not_the_temporary_files(tmp_path):
    old_umask = os.umask(0o022)
    try:
        path = storage.write({"a": np.ones(1)}, tmp_path / "new.npz")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644


def test_writing_through_a_symbolic_link_keeps_the_link(tmp_path):
    target = tmp_path / "real.pickle"
    storage.write({"a": np.ones(1)}, target)
    link = tmp_path / "link.pickle"
    link.symlink_to(target)
    storage.write({"a": np.zeros(1)}, link)
    assert link.is_symlink()
    assert storage.read(target)["a"].tolist() == [0.0]


def test_writing_into_a_missing_folder_names_it(tmp_path):
    with pytest.raises(DataFileError, match="folder .*missing does not exist"):
        storage.write({"a": np.ones(1)}, tmp_path / "missing" / "a.hdf5")


def test_writing_over_a_folder_is_refused(tmp_path):
    (tmp_path / "taken.npz").mkdir()
    with pytest.raises(DataFileError, match=r"taken\.npz: is a folder"):
        storage.write({"a": np.ones(1)}, tmp_path / "taken.npz")


# bad files -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("format_name", FORMATS)
def test_a_missing_file_is_named(tmp_path, format_name):
    path = tmp_path / f"absent{storage.FORMATS[format_name].extension}"
    with pytest.raises(DataFileError, match=r"absent\.\w+: no such file"):
        storage.read(path)
    with pytest.raises(DataFileError, match="no such file"):
        MODULES[format_name].read(path)


@pytest.mark.parametrize("format_name", FORMATS)
def test_an_empty_file_is_named(tmp_path, format_name):
    path = tmp_path / f"empty{storage.FORMATS[format_name].extension}"
    path.write_bytes(b"")
    with pytest.raises(DataFileError, match=r"empty\.\w+: is empty \(0 bytes\), not an? \w+ file"):
        storage.read(path)


@pytest.mark.parametrize("format_name", FORMATS)
@pytest.mark.parametrize("fraction", [0.02, 0.3, 0.6, 0.97])
def test_a_truncated_file_is_a_data_file_error(tmp_path, format_name, fraction, make_dict):
    path = storage.write(make_dict("centerlines"), tmp_path / "whole", format=format_name)
    data = open(path, "rb").read()
    cut = tmp_path / f"cut{storage.FORMATS[format_name].extension}"
    cut.write_bytes(data[: max(1, int(len(data) * fraction))])
    with pytest.raises(DataFileError, match=r"cut\.\w+: "):
        storage.read(cut)


@pytest.mark.parametrize("format_name", FORMATS)
def test_a_text_file_with_the_formats_extension_is_not_that_format(tmp_path, format_name):
    path = tmp_path / f"text{storage.FORMATS[format_name].extension}"
    path.write_text("Points: 1 2 3\n")
    with pytest.raises(DataFileError, match=r"text\.\w+: is not a"):
        storage.read(path)


@pytest.mark.parametrize("format_name", FORMATS)
def test_a_folder_is_not_read(tmp_path, format_name):
    folder = tmp_path / f"folder{storage.FORMATS[format_name].extension}"
    folder.mkdir()
    with pytest.raises(DataFileError, match="is a folder"):
        storage.read(folder)
