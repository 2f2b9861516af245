"""Writers take (data, path) and return a Path; the older (path, data) order still writes the same file,
with a deprecation warning pointing at the caller's line."""

import inspect
import warnings
from pathlib import Path

import numpy as np
import pytest

import vmtkscripts_numpy as vn
from vmtkscripts_numpy import storage
from vmtkscripts_numpy._argument_order import data_and_path
from vmtkscripts_numpy.cohort.cases import Case, write_manifest
from vmtkscripts_numpy.cohort.records import write_index
from vmtkscripts_numpy.errors import VmtkNumpyDeprecationWarning
from vmtkscripts_numpy.storage import hdf5, npz
from vmtkscripts_numpy.storage import pickle as pickle_format

ARRAYS = {"Points": np.arange(12.0).reshape(4, 3), "PointData": {"Radius": np.linspace(1, 2, 4)}, "CellData": {}}
CASES = [Case("a", "/data/a.vtp", {"side": "left"}), Case("b", "/data/b.vtp", {"side": "right"})]
ROWS = [{"name": "a", "status": "done", "seconds": 0.5, "attempts": 1}]

#: (writer, data, file name): every writer that took (path, data) before.
WRITERS = [
    (vn.write_array_dict, ARRAYS, "case.h5"),
    (storage.write, ARRAYS, "case.npz"),
    (hdf5.write, ARRAYS, "case.hdf5"),
    (npz.write, ARRAYS, "case.npz"),
    (pickle_format.write, ARRAYS, "case.pickle"),
    (write_manifest, CASES, "cases.csv"),
    (write_index, ROWS, "index.csv"),
]
IDS = [f"{writer.__module__}.{writer.__name__}" for writer, _, _ in WRITERS]


@pytest.mark.parametrize("writer, data, name", WRITERS, ids=IDS)
def test_a_writer_takes_the_data_first_and_returns_the_file_as_a_path(tmp_path, writer, data, name):
    assert list(inspect.signature(writer).parameters)[1] == "path"

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        written = writer(data, tmp_path / name)

    assert written == tmp_path / name and isinstance(written, Path) and written.is_file()


@pytest.mark.parametrize("writer, data, name", WRITERS, ids=IDS)
def test_the_old_order_warns_at_the_callers_line_and_writes_the_same_file(tmp_path, writer, data, name):
    (tmp_path / "new").mkdir(), (tmp_path / "old").mkdir()
    new = writer(data, tmp_path / "new" / name)

    with pytest.warns(VmtkNumpyDeprecationWarning, match=r"\(path, data\) is deprecated: give the data first") as caught:
        old = writer(str(tmp_path / "old" / name), data)

    assert caught[0].filename == __file__
    assert old == tmp_path / "old" / name
    if name.endswith(".csv"):
        assert old.read_bytes() == new.read_bytes()
    else:  # an npz archive records the time of writing: the same arrays, not the same bytes
        back, expected = vn.read_array_dict(old), vn.read_array_dict(new)
        assert np.array_equal(back["Points"], expected["Points"])
        assert np.array_equal(back["PointData"]["Radius"], expected["PointData"]["Radius"])


def test_keywords_name_the_data_and_the_file_in_either_order(tmp_path):
    written = vn.write_array_dict(path=tmp_path / "a.npz", array_dict=ARRAYS)

    assert vn.read_array_dict(written)["Points"].tolist() == ARRAYS["Points"].tolist()


@pytest.mark.parametrize("first, second", [
    ("a.h5", "b.h5"),            # two paths: nothing to tell, left as given
    (ARRAYS, "a.h5"),            # the new order
    ("a.h5", ["not", "a", "dict"]),  # a path and no mapping: not the old order of an ArrayDict writer
])
def test_only_a_path_then_a_mapping_is_taken_for_the_old_order(first, second):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert data_and_path(first, second, "write_array_dict") == (first, second)
