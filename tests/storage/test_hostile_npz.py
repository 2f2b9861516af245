"""Hostile npz archives: sizes are checked against the archive before anything is read, and every bad file
is one line naming it.

Archives are built here, with zipfile or byte by byte (``raw_zip``), and read in
a capped child process (``assert_refused``/``read_capped`` in conftest).
"""

import io
import json
import struct
import zipfile
import zlib

import numpy as np
import pytest

from vmtkscripts_numpy.errors import DataFileError
from vmtkscripts_numpy.storage import npz


def npy(array, header=None):
    """The ``.npy`` bytes of ``array``; ``header`` replaces its header dict (any text) to make it lie."""
    stream = io.BytesIO()
    np.save(stream, array, allow_pickle=False)
    data = stream.getvalue()
    if header is None:
        return data
    length = struct.unpack("<H", data[8:10])[0]
    text = header.encode("latin1")
    text += b" " * ((-(10 + len(text) + 1)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text + data[10 + length:]


def manifest(root, version=1):
    return json.dumps({"layout_version": version, "kind": "unknown", "root": root})


def archive(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression) as zip_file:
        for name, data in members.items():
            zip_file.writestr(name, data)
    return path


def raw_zip(path, entries):
    """A zip archive written byte by byte. ``entries`` are dicts with ``name`` and ``data`` (as stored), and
    optionally ``method``, ``flags``, ``file_size`` and ``crc`` (default: those of stored data), ``offset``
    and ``size`` (the directory's offset and compressed size, default: the true ones)."""
    body, central = b"", b""
    for entry in entries:
        name, data = entry["name"].encode(), entry["data"]
        crc = entry.get("crc", zlib.crc32(data))
        file_size = entry.get("file_size", len(data))
        offset = len(body)
        flags, method = entry.get("flags", 0), entry.get("method", 0)
        body += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, flags, method, 0, 33, crc, len(data), file_size,
                            len(name), 0) + name + data
        size = entry.get("size", len(data))
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, flags, method, 0, 33, crc, size,
                               entry.get("file_size", size), len(name), 0, 0, 0, 0, 0,
                               entry.get("offset", offset)) + name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(body), 0)
    path.write_bytes(body + central + end)
    return path


# declared sizes are backed by the archive -------------------------------------------------------------------
@pytest.mark.parametrize("with_manifest", [True, False], ids=["manifest", "plain-npz"])
def test_an_npy_header_claiming_a_trillion_elements_is_refused(tmp_path, assert_refused, with_manifest):
    members = {"Points.npy": npy(np.zeros(3), "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }")}
    if with_manifest:
        members[npz.MANIFEST] = manifest({"dict": [["Points", {"array": "Points"}]]})
    path = archive(tmp_path / "evil.npz", members)
    assert_refused(path, r"member Points\.npy declares \(1000000000000,\) float64 \(8000000000000 bytes\) but "
                         r"holds 24 bytes")


@pytest.mark.parametrize("shape", ["(-1,)", "(3.0,)", "(nan,)", "(2, 2)"])
def test_an_npy_header_whose_shape_does_not_match_its_data_is_refused(tmp_path, assert_refused, shape):
    path = archive(tmp_path / "evil.npz", {"a.npy": npy(np.zeros(3), f"{{'descr': '<f8', 'fortran_order': False, "
                                                                    f"'shape': {shape}, }}")})
    assert_refused(path, r"member a\.npy (declares|is not a valid \.npy array)")


def test_a_member_named_two_thousand_times_by_the_manifest_is_refused(tmp_path, assert_refused):
    # one 1 MiB member, 2,000 leaves naming it: 2 GB from a 1 MB file
    leaves = [[f"Copy{index}", {"array": "Points"}] for index in range(2000)]
    path = archive(tmp_path / "evil.npz", {"Points.npy": npy(np.zeros(1 << 17)),
                                           npz.MANIFEST: manifest({"dict": [["Points", {"array": "Points"}]] + leaves})})
    assert_refused(path, r"manifest: array ArrayDict\['Copy0'\] names the member 'Points', not its key path 'Copy0'")


def test_members_whose_data_overlap_are_refused(tmp_path, assert_refused):
    # the first member's stored bytes take in the second one whole: the archive lists the same data twice
    second = npy(np.arange(4.0))
    inner = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 33, zlib.crc32(second), len(second), len(second),
                        5, 0) + b"b.npy" + second
    first = npy(np.arange(4.0))
    entries = [{"name": "a.npy", "data": first, "size": len(first) + len(inner), "crc_of": first + inner},
               {"name": "b.npy", "data": second}]
    path = raw_zip(tmp_path / "evil.npz", entries)
    assert_refused(path, r"member a\.npy overlaps the next member")


def test_a_member_listed_twice_in_the_directory_is_refused(tmp_path, assert_refused):
    data = npy(np.arange(4.0))
    path = raw_zip(tmp_path / "evil.npz", [{"name": "a.npy", "data": data},
                                           {"name": "a.npy", "data": data, "offset": 0}])
    assert_refused(path, r"member a\.npy appears twice in the archive")


def _zeros_npz(path, megabytes):
    """An npz whose one member is ``megabytes`` MiB of deflated zeros (uint8), quick to make: deflate restarts
    at each full flush, so the block of one MiB is written once and repeated."""
    header = npy(np.zeros(0, np.uint8), f"{{'descr': '|u1', 'fortran_order': False, 'shape': ({megabytes << 20},), }}")
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = compressor.compress(header) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(bytes(1 << 20)) + compressor.flush(zlib.Z_FULL_FLUSH)
    stream += block * megabytes + compressor.flush()
    crc = zlib.crc32(header)
    for _ in range(megabytes):
        crc = zlib.crc32(bytes(1 << 20), crc)
    return raw_zip(path, [{"name": "Image.npy", "data": stream, "method": zipfile.ZIP_DEFLATED, "crc": crc,
                           "file_size": len(header) + (megabytes << 20)}])


def test_deflated_data_past_the_ratio_is_refused_unless_the_caller_raises_it(tmp_path, read_capped, assert_refused):
    path = _zeros_npz(tmp_path / "zeros.npz", 64)  # 64 MiB in about 64 KB
    assert_refused(path, r"ArrayDict\['Image'\] \(member Image\.npy\): the data would pass \d+ bytes, 100 times")
    outcome = read_capped(path, max_ratio=float("inf"))
    assert outcome.kind == "dict", str(outcome)
    assert outcome.value["Image"].shape == (64 << 20,) and not outcome.value["Image"].any()


def test_running_out_of_memory_is_a_data_file_error(tmp_path, assert_refused):
    path = _zeros_npz(tmp_path / "zeros.npz", 1024)  # 1 GiB, more than the capped reader may use
    assert_refused(path, r"ran out of memory", max_ratio=float("inf"))


# bad archives are one line naming the file --------------------------------------------------------------
def test_a_manifest_nested_five_thousand_deep_is_refused(tmp_path, assert_refused):
    root = '{"dict": [["a", ' * 5000 + '{"str": "x"}' + "]]}" * 5000
    path = archive(tmp_path / "deep.npz", {npz.MANIFEST: '{"layout_version": 1, "root": ' + root + "}"})
    assert_refused(path, r"(nested too deeply|nested more than 100 deep)")


def test_a_manifest_nested_past_the_deepest_array_dict_is_refused(tmp_path, assert_refused):
    root = {"str": "x"}
    for _ in range(150):
        root = {"dict": [["a", root]]}
    assert_refused(archive(tmp_path / "deep.npz", {npz.MANIFEST: manifest(root)}), r"nested more than 100 deep")


@pytest.mark.parametrize("flags, method, message", [
    (0x1, 0, r"member a\.npy is encrypted"),
    (0, 9, r"member a\.npy is compressed with method 9; only stored and deflated"),
    (0, 12, r"member a\.npy is compressed with method 12"),
], ids=["encrypted", "deflate64", "bzip2"])
def test_members_that_zipfile_cannot_or_should_not_read_are_refused(tmp_path, assert_refused, flags, method, message):
    path = raw_zip(tmp_path / "odd.npz", [{"name": "a.npy", "data": npy(np.arange(3.0)), "flags": flags,
                                           "method": method}])
    assert_refused(path, message)


@pytest.mark.parametrize("value", [np.inf, np.nan, 1.5, 2**62])
def test_an_int_made_from_a_float_is_refused(tmp_path, assert_refused, value):
    path = archive(tmp_path / "odd.npz", {"n.npy": npy(np.array(value, np.float64)),
                                          npz.MANIFEST: manifest({"dict": [["n", {"int": "n"}]]})})
    assert_refused(path, r"ArrayDict\['n'\]: a python int is stored as a 0-d int64 or uint64 array, not float64")


@pytest.mark.parametrize("text, message", [
    ('{"layout_version": NaN, "root": {"dict": []}}', r"manifest vmtkscripts_numpy\.json is damaged: NaN is not"),
    ('{"layout_version": 1e400, "root": {"dict": []}}', r"bad layout_version 'inf'"),
    ('{"layout_version": true, "root": {"dict": []}}', r"bad layout_version 'True'"),
    ('{"layout_version": -1, "root": {"dict": []}}', r"bad layout_version '-1'"),
    ('{"layout_version": 1, "root": {"array": ""}}', r"manifest's root is a array, not a dict"),
], ids=["nan", "inf", "bool", "negative", "root"])
def test_manifest_fields_that_no_writer_makes_are_refused(tmp_path, assert_refused, text, message):
    assert_refused(archive(tmp_path / "odd.npz", {npz.MANIFEST: text}), message)


@pytest.mark.parametrize("pairs, message", [
    ([["", {"str": "x"}]], r"key '' cannot be stored"),
    ([[".", {"str": "x"}]], r"key '\.' cannot be stored"),
    ([["a/b", {"str": "x"}]], r"key 'a/b' contains '/'"),
    ([["a\x00", {"str": "x"}]], r"contains a NUL character"),
    ([["\ud800", {"str": "x"}]], r"is not valid unicode"),
    ([["a", {"str": "x"}], ["a", {"str": "y"}]], r"dict ArrayDict has the key 'a' twice"),
    ([["a", {"str": "x\x00y"}]], r"ArrayDict\['a'\]: strings with NUL characters are not stored"),
    ([["a", {"array": "b"}]], r"names the member 'b', not its key path 'a'"),
], ids=["empty", "dot", "slash", "nul", "surrogate", "twice", "nul-string", "other-member"])
def test_keys_and_strings_the_writers_refuse_are_refused(tmp_path, assert_refused, pairs, message):
    path = archive(tmp_path / "odd.npz", {"b.npy": npy(np.ones(1)), npz.MANIFEST: manifest({"dict": pairs})})
    assert_refused(path, message)


@pytest.mark.parametrize("array, message", [
    (np.zeros(2, [("a", "<f4"), ("b", "<i4")]), r"structured \(record\) arrays are not supported"),
    (np.zeros(2, "datetime64[ns]"), r"datetime arrays are not supported"),
    (np.zeros(2, "V8"), r"structured \(record\) arrays are not supported"),
], ids=["structured", "datetime", "void"])
@pytest.mark.parametrize("with_manifest", [True, False], ids=["manifest", "plain-npz"])
def test_dtypes_the_writers_refuse_are_refused(tmp_path, assert_refused, array, message, with_manifest):
    members = {"a.npy": npy(array)}
    if with_manifest:
        members[npz.MANIFEST] = manifest({"dict": [["a", {"array": "a"}]]})
    assert_refused(archive(tmp_path / "odd.npz", members), rf"ArrayDict\['a'\]: dtype .*{message}")


@pytest.mark.parametrize("name, message", [("a//b.npy", r"key '' cannot be stored"), (".npy", r"key ''"),
                                           ("a/./b.npy", r"key '\.'")])
def test_member_names_that_are_no_key_path_are_refused(tmp_path, assert_refused, name, message):
    assert_refused(archive(tmp_path / "odd.npz", {name: npy(np.ones(1))}), message)


def test_every_damaged_copy_of_an_archive_reads_exactly_or_is_refused(tmp_path, make_dict, assert_same):
    # 1,200 copies, each with one bit changed somewhere in the file; other errors than DataFileError came out
    every = make_dict("image")
    outcomes = {"exact": 0, "refused": 0}
    for compression in (None, "deflate"):
        original = tmp_path / f"every-{compression}.npz"
        npz.write(every, original, compression=compression)
        data = original.read_bytes()
        damaged = tmp_path / "damaged.npz"
        for index in range(600):
            position = index * len(data) // 600
            copy = bytearray(data)
            copy[position] ^= 1 << (index % 8)
            damaged.write_bytes(bytes(copy))
            try:
                back = npz.read(damaged)
            except DataFileError as error:
                assert str(error).startswith(f"{damaged}: ") and "\n" not in str(error)
                outcomes["refused"] += 1
            else:
                assert_same(every, back)
                outcomes["exact"] += 1
    assert outcomes["refused"] > 600, outcomes


# what keeps working ---------------------------------------------------------------------------------------
def test_numpys_own_compressed_archives_read(tmp_path, assert_same):
    arrays = {"Points": np.random.default_rng(0).random((50, 3)), "Ids": np.arange(50, dtype=">i4"),
              "Names": np.array(["a", "bcd"]), "Flags": np.asfortranarray(np.eye(3, dtype=bool))}
    np.savez_compressed(tmp_path / "numpy.npz", **arrays)
    assert_same(arrays, npz.read(tmp_path / "numpy.npz"))
    assert npz.read(tmp_path / "numpy.npz")["Flags"].flags.f_contiguous


def test_an_npz_of_many_small_members_reads_as_fast_as_numpy_reads_it(tmp_path, make_dict, assert_same):
    lines = make_dict("centerlines")
    npz.write(lines, tmp_path / "lines.npz")
    assert_same(lines, npz.read(tmp_path / "lines.npz"))
