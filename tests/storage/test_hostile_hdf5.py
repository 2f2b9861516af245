"""Hostile HDF5 files: the reader gives only what the file holds, never crashes or hangs, and does bounded work.

Each attack file is built here with h5py and read in a capped child process
(``read_capped``/``assert_refused`` in conftest), so that a crash or a blow-up
fails the one test.
"""

import zlib

import h5py
import numpy as np
import pytest

from vmtkscripts_numpy.storage import hdf5

SECRET = b"the password of the machine that reads this file\n"


def _h5(path, build, **options):
    with h5py.File(path, "w", **options) as h5file:
        build(h5file)
    return path


def _chunked(h5file, name, shape, chunk, dtype="u1", filters=(), fill=None):
    """A chunked dataset, nothing written, through the low-level API (any filter, written or not)."""
    h5p = h5py.h5p
    dcpl = h5p.create(h5p.DATASET_CREATE)
    dcpl.set_chunk(chunk)
    for code, flags, values in filters:
        dcpl.set_filter(code, flags, values)
    if fill is not None:
        dcpl.set_fill_value(np.array(fill, dtype))
    space = h5py.h5s.create_simple(shape)
    return h5py.h5d.create(h5file.id, name.encode(), h5py.h5t.py_create(np.dtype(dtype)), space, dcpl=dcpl)


# disclosure: only data stored in the file comes back ------------------------------------------------------
def test_external_raw_storage_that_reads_another_file_is_refused(tmp_path, assert_refused):
    (tmp_path / "secret.txt").write_bytes(SECRET)
    path = _h5(tmp_path / "evil.h5", lambda f: f.create_dataset(
        "Points", shape=(len(SECRET),), dtype="u1", external=[(str(tmp_path / "secret.txt"), 0, len(SECRET))]))
    with h5py.File(path, "r") as h5file:  # what the file would give: the other file's bytes
        assert h5file["Points"][()].tobytes() == SECRET

    message = assert_refused(path, r"/Points: keeps its data in another file .*secret\.txt.*external storage")
    assert "password" not in message


def test_a_virtual_dataset_that_reads_another_file_is_refused(tmp_path, assert_refused):
    other = _h5(tmp_path / "other.h5", lambda f: f.create_dataset("data", data=np.frombuffer(SECRET, "u1")))

    def build(h5file):
        layout = h5py.VirtualLayout(shape=(len(SECRET),), dtype="u1")
        layout[:] = h5py.VirtualSource(str(other), "data", shape=(len(SECRET),))
        h5file.create_virtual_dataset("Points", layout)

    assert_refused(_h5(tmp_path / "evil.h5", build), r"/Points: is a virtual dataset")


def test_a_virtual_dataset_that_maps_itself_is_refused_instead_of_crashing_hdf5(tmp_path, assert_refused):
    def build(h5file):
        layout = h5py.VirtualLayout(shape=(100,), dtype="f8")
        layout[:] = h5py.VirtualSource(".", "Points", shape=(100,))
        h5file.create_virtual_dataset("Points", layout)

    assert_refused(_h5(tmp_path / "evil.h5", build), r"/Points: is a virtual dataset")


@pytest.mark.parametrize("filters, message", [
    ([(32001, h5py.h5z.FLAG_OPTIONAL, (0,))], r"is stored through filter 32001 \(unnamed\); only deflate, shuffle, "
                                               r"fletcher32, lzf are read"),
    ([(h5py.h5z.FILTER_SCALEOFFSET, 0, (0, 2))], r"is stored through filter 6 "),
    ([(h5py.h5z.FILTER_NBIT, 0, ())], r"is stored through filter 5 "),
    ([(h5py.h5z.FILTER_DEFLATE, 0, (1,)), (h5py.h5z.FILTER_DEFLATE, 0, (1,))], r"applies the deflate filter twice"),
], ids=["plugin", "scaleoffset", "nbit", "deflate-twice"])
def test_filters_other_than_hdf5s_and_h5pys_own_are_refused_before_any_data_is_read(
    tmp_path, assert_refused, filters, message
):
    path = _h5(tmp_path / "evil.h5", lambda f: _chunked(f, "Points", (10,), (10,), "i4", filters))
    assert_refused(path, rf"/Points: {message}")


@pytest.mark.parametrize("link, message", [
    (lambda path: h5py.SoftLink("/elsewhere"), r"/Points: is a soft link"),
    (lambda path: h5py.ExternalLink(str(path), "/data"), r"/Points: is an external link"),
], ids=["soft", "external"])
def test_links_out_of_the_tree_stay_refused(tmp_path, assert_refused, link, message):
    other = _h5(tmp_path / "other.h5", lambda f: f.create_dataset("data", data=np.arange(3)))
    path = _h5(tmp_path / "evil.h5", lambda f: f.__setitem__("Points", link(other)))
    assert_refused(path, message)


# bounded work: each object once, declared sizes backed by stored data ---------------------------------------
def test_groups_that_link_the_next_level_twice_are_refused_at_once(tmp_path, assert_refused):
    # 2**40 paths in a few KB: walked path by path, this took hours
    def build(h5file):
        level = h5file.create_group("level40")
        level["Points"] = np.zeros(3)
        for depth in reversed(range(40)):
            parent = h5file.create_group(f"level{depth}")
            parent["a"] = level
            parent["b"] = level
            del h5file[f"level{depth + 1}"]  # reached only through the two links
            level = parent

    path = _h5(tmp_path / "evil.h5", build)
    assert path.stat().st_size < 64 << 10
    assert_refused(path, r"/level0/b: is the same object as /level0/a \(linked twice\)")


def test_one_dataset_linked_ten_thousand_times_is_read_once_or_refused(tmp_path, assert_refused):
    def build(h5file):
        h5file["Points"] = np.zeros(1 << 17)  # 1 MiB
        for index in range(10_000):
            h5file.id.links.create_hard(f"Copy{index}".encode(), h5file.id, b"Points")

    path = _h5(tmp_path / "evil.h5", build)
    assert path.stat().st_size < 2 << 20
    assert_refused(path, r"/\w+: is the same object as /\w+ \(linked twice\)")


def test_a_file_linking_its_root_from_a_group_is_refused(tmp_path, assert_refused):
    path = _h5(tmp_path / "evil.h5", lambda f: f.create_group("PointData").__setitem__("Root", f["/"]))
    assert_refused(path, r"/PointData/Root: is the same object as / ")


@pytest.mark.parametrize("layout", ["chunked", "contiguous"])
def test_a_dataset_declaring_gigabytes_it_never_wrote_is_refused(tmp_path, assert_refused, layout):
    # 3 GB of fill value from a 2 KB file
    def build(h5file):
        if layout == "chunked":
            _chunked(h5file, "Points", (3 << 30,), (1 << 20,), fill=7)
        else:
            h5file.create_dataset("Points", shape=(3 << 30,), dtype="u1", fillvalue=7)

    path = _h5(tmp_path / "evil.h5", build)
    assert path.stat().st_size < 4096
    assert_refused(path, r"/Points: (declares 3221225472 bytes but stores 0|stores 0 of the 3221225472 bytes "
                         r"of its 3072 chunks)")


def test_a_compressed_dataset_missing_chunks_is_refused(tmp_path, assert_refused):
    def build(h5file):
        dataset = h5file.create_dataset("Points", shape=(4000,), chunks=(1000,), dtype="f8", compression="gzip")
        dataset[:1000] = 1.0  # three chunks never written

    assert_refused(_h5(tmp_path / "evil.h5", build), r"/Points: has 1 of its 4 chunks")


def test_a_chunk_whose_stream_inflates_past_its_size_is_refused(tmp_path, assert_refused):
    # HDF5 inflates a whole stream before looking at the size: 64 KB here make 64 MiB in a 1 KiB chunk
    stream = zlib.compress(bytes(64 << 20), 9)

    def build(h5file):
        dataset = h5file.create_dataset("Points", shape=(1024,), chunks=(1024,), dtype="u1", compression="gzip")
        dataset.id.write_direct_chunk((0,), stream)

    assert_refused(_h5(tmp_path / "evil.h5", build), r"/Points: chunk at \(0,\) takes \d+ bytes, more than its data")


def _zero_chunks(path, megabytes, compression="gzip"):
    """A file of ``megabytes`` MiB of zeros in deflated 1 MiB chunks, made from one stream written over and over."""
    stream = zlib.compress(bytes(1 << 20), 9)

    def build(h5file):
        dataset = h5file.create_dataset("Image", shape=(megabytes, 1 << 20), chunks=(1, 1 << 20), dtype="u1",
                                        compression=compression)
        for row in range(megabytes):
            dataset.id.write_direct_chunk((row, 0), stream)

    return _h5(path, build)


def test_compressed_data_past_the_ratio_is_refused_unless_the_caller_raises_it(tmp_path, read_capped, assert_refused):
    path = _zero_chunks(tmp_path / "zeros.h5", 64)  # 64 MiB in about 70 KB
    assert_refused(path, r"/Image: the data would pass \d+ bytes, 100 times the file's \d+ bytes plus 16 MiB.*"
                         r"read it with a larger max_ratio")
    outcome = read_capped(path, max_ratio=2000)
    assert outcome.kind == "dict", str(outcome)
    assert outcome.value["Image"].shape == (64, 1 << 20) and not outcome.value["Image"].any()


def test_running_out_of_memory_is_a_data_file_error(tmp_path, assert_refused):
    path = _zero_chunks(tmp_path / "zeros.h5", 1024)  # 1 GiB, more than the capped reader may use
    assert_refused(path, r"ran out of memory|cannot be opened|damaged", max_ratio=float("inf"))


def test_strings_that_all_name_one_large_string_are_charged_each_time(tmp_path, assert_refused):
    # a string dataset holds references to strings kept elsewhere in the file: 1,000 references to one
    # 1 MiB string stand for 4 GB of unicode array
    path = tmp_path / "evil.h5"
    count = 1000
    _h5(path, lambda f: f.create_dataset("Names", data=["x" * (1 << 20)] + [""] * (count - 1),
                                          dtype=h5py.string_dtype()))
    with h5py.File(path, "r") as h5file:
        start = h5file["Names"].id.get_offset()
        size = h5file["Names"].id.get_storage_size() // count  # a length, the heap's address, an index
    data = bytearray(path.read_bytes())
    data[start:start + count * size] = data[start:start + size] * count
    path.write_bytes(bytes(data))
    assert path.stat().st_size < 2 << 20
    with h5py.File(path, "r") as h5file:  # what the file now says
        assert h5file["Names"].asstr()[5] == "x" * (1 << 20)

    assert_refused(path, r"/Names: the data would pass")


def _free_space_of_size_zero(path):
    """Set the size of the free space of every global heap collection to 0 (no checksum covers them)."""
    data = bytearray(path.read_bytes())
    start = data.find(b"GCOL")
    while start >= 0:
        end = start + int.from_bytes(data[start + 8:start + 16], "little")
        position = start + 16
        while int.from_bytes(data[position:position + 2], "little"):  # objects 1, 2, ... up to free space (0)
            size = int.from_bytes(data[position + 8:position + 16], "little")
            position += 16 + (size + 7) // 8 * 8
        assert position < end
        data[position + 8:position + 16] = bytes(8)
        start = data.find(b"GCOL", end)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("tree, where", [
    ({"Name": "vessel"}, r"/Name: the heap collection"),
    ({"Lines": [np.zeros(2)]}, r"/Lines: attribute vmtkscripts_numpy_container: the heap collection"),
], ids=["string", "attribute"])
def test_a_string_heap_that_would_stop_hdf5_forever_is_refused(tmp_path, assert_refused, tree, where):
    # strings live in a global heap, which has no checksum: free space of size 0 made HDF5 loop for ever
    # (found by the property tests: one flipped bit)
    path = tmp_path / "evil.h5"
    hdf5.write(tree, path)
    _free_space_of_size_zero(path)
    assert_refused(path, rf"{where} at \d+ has free space of 0 bytes, on which HDF5 would stop forever")


# bad files are one line naming the file ---------------------------------------------------------------------
def test_a_damaged_root_group_header_is_a_data_file_error(tmp_path, assert_refused):
    path = tmp_path / "damaged.h5"
    hdf5.write({"Points": np.zeros((3, 3))}, path)
    with h5py.File(path, "r") as h5file:
        root = h5py.h5o.get_info(h5file["/"].id).addr
    data = bytearray(path.read_bytes())
    data[root + 5] ^= 0xFF  # inside the root group's object header: its checksum no longer matches
    path.write_bytes(bytes(data))
    assert_refused(path, r"is damaged or truncated: Unable to .*open object")


@pytest.mark.parametrize("value", [np.nan, np.inf, 1.5])
def test_a_python_int_made_from_a_float_is_refused(tmp_path, assert_refused, value):
    def build(h5file):
        h5file.attrs["vmtkscripts_numpy_layout_version"] = 1
        h5file["Count"] = np.float64(value)
        h5file["Count"].attrs["vmtkscripts_numpy_leaf"] = "int"

    assert_refused(_h5(tmp_path / "odd.h5", build), r"/Count: a python int is stored as a 0-d int64 or uint64 array")


@pytest.mark.parametrize("version", [np.array([1, 1]), np.float64(np.nan), np.bool_(True), "1"])
def test_a_bad_layout_version_is_named(tmp_path, assert_refused, version):
    path = _h5(tmp_path / "odd.h5", lambda f: f.attrs.__setitem__("vmtkscripts_numpy_layout_version", version))
    assert_refused(path, r"(bad vmtkscripts_numpy_layout_version|attribute vmtkscripts_numpy_layout_version holds)")


# what keeps working -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("options", [
    {"compression": "gzip", "compression_opts": 4},  # vmtk's vmtknumpywriter
    {"compression": "gzip", "shuffle": True, "fletcher32": True},
    {"compression": "lzf", "shuffle": True},
    {"chunks": (7, 3)},
    {},
])
def test_files_from_h5py_with_its_own_filters_read_exactly(tmp_path, read_capped, assert_same, options):
    points = np.random.default_rng(0).random((100, 3))
    path = _h5(tmp_path / "plain.h5", lambda f: f.create_dataset("Points", data=points, **options))
    assert_same({"Points": points}, hdf5.read(path))
    outcome = read_capped(path)
    assert outcome.kind == "dict", str(outcome)


def test_a_resizable_dataset_with_chunks_larger_than_its_data_reads(tmp_path, assert_same):
    values = np.arange(10.0)
    path = _h5(tmp_path / "grown.h5", lambda f: f.create_dataset(
        "Radius", data=values, maxshape=(None,), chunks=(1000,), compression="gzip"))
    assert_same({"Radius": values}, hdf5.read(path))


def test_the_limit_must_be_a_positive_number(tmp_path):
    path = tmp_path / "a.h5"
    hdf5.write({"a": np.ones(2)}, path)
    for bad in (0, -1, float("nan"), "100", True, None):
        with pytest.raises(ValueError, match="max_ratio must be a positive number"):
            hdf5.read(path, max_ratio=bad)
    assert hdf5.read(path, max_ratio=float("inf"))["a"].tolist() == [1.0, 1.0]
