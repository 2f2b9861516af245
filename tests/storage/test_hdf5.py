"""HDF5 files: vmtk's layout both ways, chunks and compression, what the file says about itself, bad files."""

import h5py
import numpy as np
import pytest

from vmtkscripts_numpy.errors import DataFileError
from vmtkscripts_numpy.storage import hdf5

UPSTREAM = {
    "upstream-aorta-surface.hdf5": {
        "Points": ((6468, 3), "float32"),
        "PointData": {"Normals_": ((6468, 3), "float32"), "Scalars_": ((6468,), "float32")},
        "CellData": {"CellPointIds": ((12932, 3), "int32")},
    },
    "upstream-aorta-centerline-branches.hdf5": {
        "Points": ((417, 3), "float32"),
        "PointData": {"MaximumInscribedSphereRadius": ((417,), "float64"), "EdgeArray": ((417, 2), "int32"),
                      "EdgePCoordArray": ((417,), "float64")},
        "CellData": {"CenterlineIds": ((6,), "int32"), "TractIds": ((6,), "int32"), "Blanking": ((6,), "int32"),
                     "GroupIds": ((6,), "int32"),
                     "CellPointIds": [((n,), "int32") for n in (78, 21, 116, 73, 26, 103)]},
    },
    "upstream-twelve-line-centerlines.hdf5": {
        "Points": ((102, 3), "float32"),
        "PointData": {"MaximumInscribedSphereRadius": ((102,), "float64")},
        "CellData": {"CenterlineIds": ((12,), "int32"), "CellPointIds": [((n,), "int32") for n in range(3, 15)]},
    },
    "upstream-vase-image.hdf5": {
        "Origin": ((3,), "float64"), "Dimensions": ((3,), "int64"), "Spacing": ((3,), "float64"),
        "PointData": {"SLCImage": ((115, 101, 75), "uint8")},
    },
}


def layout_of(tree):
    if isinstance(tree, dict):
        assert type(tree) is dict
        return {key: layout_of(value) for key, value in tree.items()}
    if isinstance(tree, list):
        return [layout_of(item) for item in tree]
    assert type(tree) is np.ndarray
    return tree.shape, str(tree.dtype)


def vmtk_style_load(group):
    """What vmtk's reader does, with ``[()]`` for the removed ``Dataset.value``: groups -> dicts, datasets -> values."""
    return {key: vmtk_style_load(item) if isinstance(item, h5py.Group) else item[()] for key, item in group.items()}


# vmtk's files ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(UPSTREAM))
def test_vmtks_files_read_as_vmtk_meant_them(upstream_file, name):
    assert layout_of(hdf5.read(upstream_file(name))) == UPSTREAM[name]


def test_vmtks_list_of_twelve_lines_comes_back_in_numeric_order(upstream_file):
    path = upstream_file("upstream-twelve-line-centerlines.hdf5")
    with h5py.File(path, "r") as h5file:
        assert list(h5file["CellData/CellPointIds"])[:4] == ["0", "1", "10", "11"]  # HDF5's name order
    ids = hdf5.read(path)["CellData"]["CellPointIds"]
    assert [len(cell) for cell in ids] == list(range(3, 15))
    np.testing.assert_array_equal(np.concatenate(ids), np.arange(102))


@pytest.mark.parametrize("name", ["aorta-surface", "aorta-centerline-branches", "twelve-line-centerlines",
                                  "vase-image"])
def test_vmtks_hdf5_and_pickle_of_the_same_data_read_the_same(upstream_file, name):
    from vmtkscripts_numpy.storage import pickle as pickle_format

    from_hdf5 = hdf5.read(upstream_file(f"upstream-{name}.hdf5"))
    from_pickle = pickle_format.read(upstream_file(f"upstream-{name}.pickle"))

    def same(a, b):
        if isinstance(a, dict):
            return a.keys() == b.keys() and all(same(a[key], b[key]) for key in a)
        if isinstance(a, list):
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
        return a.dtype == b.dtype and np.array_equal(a, b)

    assert same(from_hdf5, from_pickle)


# our files -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("options", [{}, {"compression": "gzip"}, {"compression": "lzf"}])
def test_every_kind_of_dict_round_trips(tmp_path, dict_kind, options, assert_same):
    _, array_dict = dict_kind
    hdf5.write(array_dict, tmp_path / "a.hdf5", **options)
    assert_same(array_dict, hdf5.read(tmp_path / "a.hdf5"))


# our layout ------------------------------------------------------------------------------------------------
def test_dicts_are_groups_arrays_datasets_and_lists_marked_groups_as_vmtk_lays_them_out(tmp_path, make_dict):
    lines = make_dict("centerlines")
    path = tmp_path / "lines.hdf5"
    hdf5.write(lines, path)
    with h5py.File(path, "r") as h5file:
        assert isinstance(h5file["CellData"], h5py.Group)
        assert isinstance(h5file["PointData/MaximumInscribedSphereRadius"], h5py.Dataset)
        cells = h5file["CellData/CellPointIds"]
        assert cells.attrs["vmtkscripts_numpy_container"] == "list"
        assert sorted(cells, key=int) == [str(index) for index in range(13)]
        as_vmtk_reads_it = vmtk_style_load(h5file)
    # vmtk's reader sees the same keys and arrays (a list as a dict of "0", "1", ...)
    expected = lines["CellData"]["CellPointIds"]
    got = as_vmtk_reads_it["CellData"]["CellPointIds"]
    assert all(np.array_equal(got[str(index)], cell) for index, cell in enumerate(expected))
    np.testing.assert_array_equal(as_vmtk_reads_it["Points"], lines["Points"])


@pytest.mark.parametrize("kind", ["surface", "centerlines", "mesh", "image", "every_leaf"])
def test_the_file_says_what_it_holds_and_its_layout_version(tmp_path, kind, make_dict):
    path = tmp_path / "a.hdf5"
    hdf5.write(make_dict(kind), path)
    with h5py.File(path, "r") as h5file:
        assert h5file.attrs["vmtkscripts_numpy_layout_version"] == 1
        assert h5file.attrs["vmtkscripts_numpy_kind"] == ("unknown" if kind == "every_leaf" else kind)
        assert h5file.attrs["vmtkscripts_numpy_writer"].startswith("vmtkscripts_numpy ")


def test_the_kind_can_be_given(tmp_path):
    path = tmp_path / "a.hdf5"
    hdf5.write({"Points": np.zeros((1, 3))}, path, kind="centerlines")
    with h5py.File(path, "r") as h5file:
        assert h5file.attrs["vmtkscripts_numpy_kind"] == "centerlines"


def test_strings_are_utf8_variable_length_and_read_back_as_str(tmp_path, make_dict):
    path = tmp_path / "image.hdf5"
    hdf5.write({"IndexOrder": "zyx", "Name": "Ωmega", "Empty": ""}, path)
    with h5py.File(path, "r") as h5file:
        info = h5py.check_string_dtype(h5file["IndexOrder"].dtype)
        assert (info.encoding, info.length) == ("utf-8", None)
    assert hdf5.read(path) == {"IndexOrder": "zyx", "Name": "Ωmega", "Empty": ""}


def test_scalars_and_unicode_arrays_carry_a_mark_and_plain_arrays_none(tmp_path):
    path = tmp_path / "a.hdf5"
    hdf5.write({"n": 3, "f": np.float32(2), "zero_d": np.array(1.0), "names": np.array(["ab", "c"]),
                "plain": np.arange(3)}, path)
    with h5py.File(path, "r") as h5file:
        assert h5file["n"].attrs["vmtkscripts_numpy_leaf"] == "int"
        assert h5file["f"].attrs["vmtkscripts_numpy_leaf"] == "scalar"
        assert dict(h5file["zero_d"].attrs) == {} and dict(h5file["plain"].attrs) == {}
        assert h5file["names"].attrs["vmtkscripts_numpy_dtype"] == "<U2"
        assert h5file["names"].shape == (2, 2) and h5file["names"].dtype == np.uint32


@pytest.mark.parametrize("chunk_bytes", [512, hdf5.CHUNK_BYTES])
def test_arrays_of_every_size_read_back_in_h5py_as_written_in_chunks_of_at_most_chunk_bytes(tmp_path, chunk_bytes):
    rng = np.random.default_rng(2)
    path = tmp_path / "a.hdf5"
    arrays = {"points": rng.random((100_000, 3)), "image": rng.random((40, 100, 100)).astype(np.float32),
              "small": np.arange(5, dtype=np.int8), "scalar": np.array(3.0), "empty": np.zeros((0, 3))}
    hdf5.write(arrays, path, chunk_bytes=chunk_bytes)
    with h5py.File(path, "r") as h5file:  # as vmtk reads it
        for name, value in arrays.items():
            dataset = h5file[name]
            assert dataset.shape == value.shape and dataset.dtype == value.dtype
            np.testing.assert_array_equal(dataset[()], value)
            if dataset.chunks is not None:  # a chunk is at most chunk_bytes, or one value
                assert np.prod(dataset.chunks) * value.itemsize <= max(chunk_bytes, value.itemsize)
    for name, value in hdf5.read(path).items():
        np.testing.assert_array_equal(value, arrays[name])


@pytest.mark.parametrize("options", [{}, {"compression": "gzip"}, {"compression": "lzf"}])
def test_datasets_of_one_shape_and_several_dtypes_each_get_their_own_filters(tmp_path, options):
    # Creation settings are shared between alike datasets; one-byte data has nothing to shuffle.
    items = [np.arange(6.0), np.arange(6, dtype=np.uint8), np.arange(6, dtype=np.int32), np.arange(7.0), np.array(2)]
    hdf5.write({"Items": items}, tmp_path / "a.hdf5", **options)
    with h5py.File(tmp_path / "a.hdf5", "r") as h5file:
        group = h5file["Items"]
        compressed = bool(options)
        assert [group[str(index)].shuffle for index in range(4)] == [compressed, False, compressed, compressed]
        assert {group[str(index)].compression for index in range(4)} == {options.get("compression")}
        assert [group[str(index)].dtype for index in range(5)] == [item.dtype for item in items]
    for read, item in zip(hdf5.read(tmp_path / "a.hdf5")["Items"], items):
        np.testing.assert_array_equal(read, item)


@pytest.mark.parametrize(
    "options, filters",
    [
        ({}, (None, None, False)),
        ({"compression": "gzip"}, ("gzip", 4, True)),
        ({"compression": "gzip", "compression_level": 0}, ("gzip", 0, True)),
        ({"compression": "gzip", "compression_level": 9, "shuffle": False}, ("gzip", 9, False)),
        ({"compression": "lzf"}, ("lzf", None, True)),
    ],
)
def test_compression_is_gzip_with_vmtks_levels_or_lzf(tmp_path, options, filters, make_dict, assert_same):
    path = tmp_path / "a.hdf5"
    mesh = make_dict("mesh")
    hdf5.write(mesh, path, **options)
    with h5py.File(path, "r") as h5file:
        points = h5file["Points"]
        assert (points.compression, points.compression_opts, points.shuffle) == filters
    assert_same(mesh, hdf5.read(path))


def test_compression_makes_smooth_data_smaller(tmp_path):
    smooth = {"Radius": np.linspace(0, 1, 200_000)}
    hdf5.write(smooth, tmp_path / "plain.hdf5")
    hdf5.write(smooth, tmp_path / "gzip.hdf5", compression="gzip")
    hdf5.write(smooth, tmp_path / "lzf.hdf5", compression="lzf")
    plain = (tmp_path / "plain.hdf5").stat().st_size
    assert (tmp_path / "gzip.hdf5").stat().st_size < plain / 3
    assert (tmp_path / "lzf.hdf5").stat().st_size < plain / 2


@pytest.mark.parametrize("options", [{"compression": "zstd"}, {"compression": "gzip", "compression_level": 10},
                                     {"compression_level": -1}, {"compression_level": "4"}])
def test_bad_compression_options_are_refused(tmp_path, options):
    with pytest.raises(ValueError, match="compression"):
        hdf5.write({"a": np.ones(1)}, tmp_path / "a.hdf5", **options)


def test_the_same_dict_writes_the_same_bytes_a_second_later(tmp_path, make_dict):
    import time

    hdf5.write(make_dict("mesh"), tmp_path / "a.hdf5", compression="gzip")
    time.sleep(1.05)  # a timestamp in the file (HDF5 counts seconds) would now differ
    hdf5.write(make_dict("mesh"), tmp_path / "b.hdf5", compression="gzip")
    assert (tmp_path / "a.hdf5").read_bytes() == (tmp_path / "b.hdf5").read_bytes()


def test_an_empty_list_and_a_dict_with_digit_keys_stay_what_they_are(tmp_path):
    path = tmp_path / "a.hdf5"
    hdf5.write({"Lines": [], "ById": {"0": np.zeros(1), "1": np.ones(1)}}, path)
    back = hdf5.read(path)
    assert back["Lines"] == [] and type(back["ById"]) is dict and list(back["ById"]) == ["0", "1"]


# files written by other programs ---------------------------------------------------------------------------
def test_a_plain_h5py_file_reads_as_a_dict(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as h5file:
        h5file["Points"] = np.zeros((2, 3))
        h5file["Name"] = "vessel"
        h5file.create_group("PointData")
        h5file["Lists/0"] = np.arange(2)
        h5file["Lists/2"] = np.arange(3)  # not 0..n-1: a dict
        h5file["Mixed/0"] = np.arange(2)
        h5file["Mixed/1/x"] = np.arange(2)  # a group inside: not vmtk's list
        h5file["Words"] = np.array(["a", "bc"], dtype=h5py.string_dtype())
    back = hdf5.read(path)
    assert back["Name"] == "vessel" and back["PointData"] == {}
    assert sorted(back["Lists"]) == ["0", "2"] and sorted(back["Mixed"]) == ["0", "1"]
    assert back["Words"].tolist() == ["a", "bc"] and back["Words"].dtype.kind == "U"


def _h5(path, build):
    with h5py.File(path, "w") as h5file:
        build(h5file)
    return path


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda f: f.__setitem__("link", h5py.SoftLink("/elsewhere")), r"/link: is a soft link"),
        (lambda f: f.__setitem__("outside", h5py.ExternalLink("other.h5", "/x")), r"/outside: is an external link"),
        (lambda f: f.create_dataset("record", data=np.zeros(2, dtype=[("a", "f4"), ("b", "i4")])),
         r"/record: has an HDF5 type with no plain numpy dtype"),
        (lambda f: f.create_dataset("refs", shape=(1,), dtype=h5py.ref_dtype), r"/refs: has an HDF5 type"),
        (lambda f: f.create_dataset("nothing", data=h5py.Empty("f8")), r"/nothing: is an empty \(null\) dataset"),
        (lambda f: f.attrs.__setitem__("vmtkscripts_numpy_layout_version", 99), r"has layout version 99.*upgrade"),
        (lambda f: (f.attrs.__setitem__("vmtkscripts_numpy_layout_version", 1),
                    f.create_group("L").attrs.__setitem__("vmtkscripts_numpy_container", "list"),
                    f.__setitem__("L/0", 1), f.__setitem__("L/2", 2)),
         r"/L: a list must have members '0' to '1'"),
        (lambda f: (f.attrs.__setitem__("vmtkscripts_numpy_layout_version", 1),
                    f.__setitem__("x", np.arange(2)), f["x"].attrs.__setitem__("vmtkscripts_numpy_leaf", "int")),
         r"/x: is marked as a int but has shape \(2,\)"),
        (lambda f: (f.attrs.__setitem__("vmtkscripts_numpy_layout_version", 1),
                    f.__setitem__("s", np.zeros((2, 3), np.uint32)),
                    f["s"].attrs.__setitem__("vmtkscripts_numpy_dtype", "O")),
         r"dataset /s: bad vmtkscripts_numpy_dtype 'O'"),
        (lambda f: (f.attrs.__setitem__("vmtkscripts_numpy_layout_version", 1),
                    f.create_group("Things").attrs.__setitem__("vmtkscripts_numpy_container", "set")),
         r"/Things: unknown vmtkscripts_numpy_container 'set'"),
    ],
)
def test_hdf5_files_that_are_not_array_dicts_are_named(tmp_path, build, message):
    path = _h5(tmp_path / "odd.hdf5", build)
    with pytest.raises(DataFileError, match=rf"odd\.hdf5: .*{message}"):
        hdf5.read(path)


def test_a_root_that_is_a_list_is_not_an_array_dict(tmp_path):
    path = tmp_path / "list.hdf5"
    with h5py.File(path, "w") as h5file:
        h5file["0"] = np.arange(2)
        h5file["1"] = np.arange(2)
    with pytest.raises(DataFileError, match="root group holds a list"):
        hdf5.read(path)


# preallocation ---------------------------------------------------------------------------------------------
def test_a_large_uncompressed_file_keeps_only_the_disk_space_it_holds(tmp_path):
    points = np.random.default_rng(0).random((300_000, 3))  # 7.2 MB: its disk space reserved first
    path = tmp_path / "big.hdf5"
    hdf5.write({"Points": points}, path)
    assert points.nbytes < path.stat().st_size < points.nbytes + hdf5.CHUNK_BYTES + 70_000  # at most a last chunk
    assert path.stat().st_blocks * 512 <= path.stat().st_size + 70_000  # what was reserved and not used is given back
    np.testing.assert_array_equal(hdf5.read(path)["Points"], points)


def test_a_file_system_that_cannot_reserve_space_still_gets_the_file(tmp_path, monkeypatch):
    from vmtkscripts_numpy import _preallocate

    monkeypatch.setitem(_preallocate._functions, "fallocate", lambda *arguments: -1)  # as for EOPNOTSUPP
    points = np.arange(900_000.0).reshape(-1, 3)
    hdf5.write({"Points": points}, tmp_path / "big.hdf5")
    np.testing.assert_array_equal(hdf5.read(tmp_path / "big.hdf5")["Points"], points)


@pytest.mark.parametrize("compression", [None, "gzip"])
def test_a_write_adds_at_most_about_a_chunk_of_memory_to_its_arrays(tmp_path, compression):
    import tracemalloc

    points = np.random.default_rng(1).random((350_000, 3))  # 8.4 MB, its last chunk partly filled
    hdf5.write({"Points": np.zeros((2, 3))}, tmp_path / "first.hdf5")  # h5py's import and set-up come first
    tracemalloc.start()
    try:
        hdf5.write({"Points": points}, tmp_path / "points.hdf5", compression=compression)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < hdf5.CHUNK_BYTES + (256 << 10), peak  # no copy of the array, at most a chunk
    np.testing.assert_array_equal(hdf5.read(tmp_path / "points.hdf5")["Points"], points)


def test_arrays_read_are_writeable_c_ordered_and_their_own(tmp_path):
    large = np.asfortranarray(np.arange(3 << 18, dtype=np.float32).reshape(-1, 3))  # 3 MiB
    small = np.arange(12, dtype=np.int16)
    hdf5.write({"Large": large, "Small": small}, tmp_path / "a.hdf5")
    read = hdf5.read(tmp_path / "a.hdf5")
    for name, value in (("Large", large), ("Small", small)):
        np.testing.assert_array_equal(read[name], value)
        assert read[name].flags.writeable and read[name].flags.c_contiguous and read[name].base is None


# chunks written straight from the array ----------------------------------------------------------------------
DTYPES = ["?", "i1", "<u2", ">i4", "<i8", ">u8", "<f2", ">f4", "<f8", "<c8", ">c16", "g", "S3"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(1000,), (1000, 3), (5, 70, 9), (3, 1, 41, 2)])
def test_uncompressed_chunks_hold_every_value_in_place_whatever_the_dtype(tmp_path, dtype, shape):
    # 512-byte chunks: many chunks, a split axis in the middle, and last chunks that run past the end.
    values = np.random.default_rng(5).integers(0, 120, shape)
    data = (values > 60) if dtype == "?" else values.astype(dtype)
    path = tmp_path / "a.hdf5"
    hdf5.write({"Data": data}, path, chunk_bytes=512)
    with h5py.File(path, "r") as h5file:
        dataset = h5file["Data"]
        assert dataset.dtype == data.dtype
        np.testing.assert_array_equal(dataset[()], data)  # as any HDF5 reader sees it
    np.testing.assert_array_equal(hdf5.read(path)["Data"], data)


@pytest.mark.parametrize("shape", [(10_000,), (7, 100, 30), (6, 4, 500), (3, 4)])
def test_write_chunks_fills_every_chunk_of_a_dataset_chunked_on_any_axis(tmp_path, shape):
    data = np.arange(np.prod(shape), dtype=np.int32).reshape(shape)
    chunk = hdf5.chunk_shape(shape, 4, 400)
    with h5py.File(tmp_path / "a.hdf5", "w") as h5file:
        dataset = h5file.create_dataset("data", shape=shape, dtype=np.int32, chunks=chunk)
        hdf5.write_chunks(dataset.id, data, chunk)
        assert dataset.id.get_num_chunks() == np.prod([-(-length // width) for length, width in zip(shape, chunk)])
        np.testing.assert_array_equal(dataset[()], data)


def test_items_of_a_list_keep_their_own_dtypes_whatever_came_before(tmp_path):
    # The reader reuses the dtype of the previous dataset when the HDF5 types are equal.
    dtypes = ["<i4", "<i4", ">i4", "<i4", "?", "<u1", "<i1", "<f8", "<c16", "S2", "<f4", "<f8", "?"]
    items = [np.arange(3).astype(dtype) for dtype in dtypes] + [np.array(["ab", "c"]), np.arange(2.0)]
    hdf5.write({"Items": items}, tmp_path / "a.hdf5")
    read = hdf5.read(tmp_path / "a.hdf5")["Items"]
    assert [item.dtype for item in read] == [item.dtype for item in items]
    for back, item in zip(read, items):
        np.testing.assert_array_equal(back, item)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_images_in_vmtks_order_copied_by_several_threads_come_back_exactly(tmp_path, monkeypatch, threads):
    # Every block is shared between the threads from 64 KiB on: slabs of y of uneven sizes (13 into 3).
    monkeypatch.setattr(hdf5, "TRANSPOSE_THREADS", threads)
    monkeypatch.setattr(hdf5, "_THREADED_FROM", 64 << 10)
    image = np.asfortranarray(np.random.default_rng(4).integers(-999, 999, (200, 13, 300), dtype=np.int16))
    hdf5.write({"PointData": {"ImageScalars": image}}, tmp_path / "image.hdf5", chunk_bytes=1 << 14)
    with h5py.File(tmp_path / "image.hdf5") as h5file:
        np.testing.assert_array_equal(h5file["PointData/ImageScalars"][()], image)
    np.testing.assert_array_equal(hdf5.read(tmp_path / "image.hdf5")["PointData"]["ImageScalars"], image)
