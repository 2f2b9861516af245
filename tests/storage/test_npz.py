"""npz files: arrays under their key paths, a JSON manifest for the rest, never a pickle inside."""

import io
import json
import subprocess
import sys
import threading
import time
import zipfile
import zlib

import numpy as np
import pytest

from vmtkscripts_numpy.errors import DataFileError
from vmtkscripts_numpy.storage import npz


@pytest.mark.parametrize("options", [{}, {"compression": "deflate"}])
def test_every_kind_of_dict_round_trips(tmp_path, dict_kind, options, assert_same):
    _, array_dict = dict_kind
    npz.write(array_dict, tmp_path / "a.npz", **options)
    assert_same(array_dict, npz.read(tmp_path / "a.npz"))


def test_arrays_are_members_named_by_their_key_paths(tmp_path, make_dict):
    lines = make_dict("centerlines")
    path = tmp_path / "lines.npz"
    npz.write(lines, path)
    with np.load(path, allow_pickle=False) as loaded:
        assert set(loaded.files) == {
            "Points", "PointData/MaximumInscribedSphereRadius", "CellData/CenterlineIds", npz.MANIFEST,
            *(f"CellData/CellPointIds/{index}" for index in range(13)),
        }
        np.testing.assert_array_equal(loaded["CellData/CellPointIds/10"], lines["CellData"]["CellPointIds"][10])
        np.testing.assert_array_equal(loaded["Points"], lines["Points"])


def test_every_member_loads_without_pickle(tmp_path, make_dict):
    path = tmp_path / "every.npz"
    npz.write(make_dict("every_leaf"), path)
    with np.load(path, allow_pickle=False) as loaded:
        for name in loaded.files:
            if name != npz.MANIFEST:
                assert loaded[name].dtype.kind != "O", name


def test_the_manifest_holds_the_tree_strings_and_kinds(tmp_path, make_dict):
    path = tmp_path / "image.npz"
    npz.write({"IndexOrder": "zyx", "Count": 3, "Spacing": np.ones(3), "Lines": [], "CellData": {}}, path)
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read(npz.MANIFEST))
    assert manifest["layout_version"] == 1 and manifest["kind"] == "unknown"
    assert manifest["writer"].startswith("vmtkscripts_numpy ")
    assert manifest["root"] == {"dict": [
        ["IndexOrder", {"str": "zyx"}],
        ["Count", {"int": "Count"}],
        ["Spacing", {"array": "Spacing"}],
        ["Lines", {"list": []}],
        ["CellData", {"dict": []}],
    ]}


@pytest.mark.parametrize("kind", ["surface", "centerlines", "mesh", "image"])
def test_the_manifest_says_what_the_file_holds(tmp_path, kind, make_dict):
    path = tmp_path / "a.npz"
    npz.write(make_dict(kind), path)
    with zipfile.ZipFile(path) as archive:
        assert json.loads(archive.read(npz.MANIFEST))["kind"] == kind


def test_fortran_ordered_arrays_keep_their_memory_order(tmp_path, make_dict):
    path = tmp_path / "image.npz"
    npz.write(make_dict("image"), path)
    assert npz.read(path)["PointData"]["Mask"].flags.f_contiguous


def test_deflate_compresses_and_stored_does_not(tmp_path):
    smooth = {"Radius": np.repeat(np.linspace(0, 1, 100), 1000)}  # runs of equal values
    npz.write(smooth, tmp_path / "plain.npz")
    npz.write(smooth, tmp_path / "small.npz", compression="deflate", compression_level=9)
    with zipfile.ZipFile(tmp_path / "plain.npz") as archive:
        assert archive.getinfo("Radius.npy").compress_type == zipfile.ZIP_STORED
    with zipfile.ZipFile(tmp_path / "small.npz") as archive:
        assert archive.getinfo("Radius.npy").compress_type == zipfile.ZIP_DEFLATED
    assert (tmp_path / "small.npz").stat().st_size < (tmp_path / "plain.npz").stat().st_size / 2
    np.testing.assert_array_equal(npz.read(tmp_path / "small.npz")["Radius"], smooth["Radius"])


@pytest.mark.parametrize("options", [{"compression": "gzip"}, {"compression": "deflate", "compression_level": 11}])
def test_bad_compression_options_are_refused(tmp_path, options):
    with pytest.raises(ValueError, match="compression"):
        npz.write({"a": np.ones(1)}, tmp_path / "a.npz", **options)


def test_numpys_own_npz_reads_as_a_dict_nested_at_slashes(tmp_path):
    path = tmp_path / "plain.npz"
    np.savez(path, Points=np.zeros((2, 3)), **{"PointData/Radius": np.ones(2)})
    back = npz.read(path)
    assert list(back) == ["Points", "PointData"] and back["PointData"]["Radius"].tolist() == [1.0, 1.0]


def test_an_npz_with_an_object_array_is_refused_without_unpickling(tmp_path):
    path = tmp_path / "objects.npz"
    np.savez(path, a=np.array([{"x": 1}], dtype=object))
    with pytest.raises(DataFileError, match=r"objects\.npz: member a\.npy holds an object array"):
        npz.read(path)


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _npy(array):

    stream = io.BytesIO()
    np.save(stream, array)
    return stream.getvalue()


def _manifest(root, version=1):
    return json.dumps({"layout_version": version, "kind": "unknown", "root": root})


@pytest.mark.parametrize(
    "members, message",
    [
        ({npz.MANIFEST: _manifest({"dict": [["a", {"array": "a"}]]})}, r"member a\.npy is missing"),
        ({npz.MANIFEST: "{not json"}, r"its manifest vmtkscripts_numpy\.json is damaged"),
        ({npz.MANIFEST: _manifest({"dict": []}, version=7)}, r"has layout version 7.*upgrade"),
        ({npz.MANIFEST: _manifest({"list": []})}, r"manifest's root is a list"),
        ({npz.MANIFEST: _manifest({"dict": [["a", {"pickle": "a"}]]})}, r"unknown entry 'pickle'"),
        ({npz.MANIFEST: _manifest({"dict": [["n", {"int": "n"}]]}), "n.npy": _npy(np.arange(3))},
         r"member n\.npy should hold a int \(0-d\)"),
        ({"notes.txt": "hello"}, r"member notes\.txt is not a \.npy array"),
        ({"a.npy": _npy(np.ones(1)), "a/b.npy": _npy(np.ones(1))}, r"a is both an array and a folder"),
        ({"a.npy": b"\x93NUMPY garbage"}, r"member a\.npy is not a valid \.npy array"),
    ],
)
def test_npz_files_that_do_not_describe_an_array_dict_are_named(tmp_path, members, message):
    path = _zip(tmp_path / "odd.npz", members)
    with pytest.raises(DataFileError, match=rf"odd\.npz: .*{message}"):
        npz.read(path)


def _arrays_in_every_memory_order():
    rng = np.random.default_rng(5)
    volume = rng.integers(-1000, 3000, (80, 90, 100)).astype(np.int16)  # 1.4 MB: read straight into the array
    return {
        "Image": np.asfortranarray(volume),
        "Points": rng.random((70_000, 3)),
        "Reversed": rng.random((500, 3))[::-1],
        "EveryOther": rng.random((300, 8))[:, ::2],
        "BigEndian": np.arange(10, dtype=">i4"),
        "Scalar": np.float32(2.5),
        "Empty": np.zeros((0, 3)),
    }


def assert_members_are_as_np_save_writes_them(path, arrays):
    with zipfile.ZipFile(path) as archive:
        for name, value in arrays.items():
            saved = io.BytesIO()
            np.save(saved, value, allow_pickle=False)
            assert archive.read(name + ".npy") == saved.getvalue(), name


def test_members_hold_the_bytes_np_save_writes_for_each_array(tmp_path):
    arrays = _arrays_in_every_memory_order()
    npz.write(arrays, tmp_path / "orders.npz")
    assert_members_are_as_np_save_writes_them(tmp_path / "orders.npz", arrays)
    back = npz.read(tmp_path / "orders.npz")
    for name, value in arrays.items():
        np.testing.assert_array_equal(back[name], value)
        assert back[name].dtype == np.asarray(value).dtype
    assert back["Image"].flags.f_contiguous


@pytest.fixture(params=["crc-in-line", "crc-alongside", "crc-alongside-slow-helper"])
def crc_reading(request, monkeypatch):
    """Each way of reading a large stored member: its CRC-32 summed in line, or shared with a helper thread.

    With a slow helper, the reading thread sums most blocks itself, from the
    back, and the two CRC-32s are joined.
    """
    if request.param.startswith("crc-alongside"):  # from 1 MiB, in blocks of 256 KiB (8 and 4 MiB in use)
        monkeypatch.setattr(npz, "_CRC_ALONGSIDE_FROM", 1 << 20)
        monkeypatch.setattr(npz, "_CRC_ALONGSIDE_BLOCK", 1 << 18)
    else:
        monkeypatch.setattr(npz, "_CRC_ALONGSIDE_FROM", 1 << 62)
    if request.param == "crc-alongside-slow-helper":
        crc32, reader = zlib.crc32, threading.current_thread()

        def slow_in_helpers(data, value=0):
            if threading.current_thread() is not reader:
                time.sleep(0.01)
            return crc32(data, value)

        monkeypatch.setattr(npz.zlib, "crc32", slow_in_helpers)
    return request.param


def test_crc32s_of_two_parts_combine_into_the_crc32_of_the_whole():
    rng = np.random.default_rng(11)
    data = rng.integers(0, 256, 100_000, dtype=np.uint8).tobytes()
    for cut in [0, 1, 7, 4096, 65_537, 99_999, 100_000]:
        for start in (0, 0xDEADBEEF):
            first, second = zlib.crc32(data[:cut], start), zlib.crc32(data[cut:])
            assert npz._crc32_combine(first, second, len(data) - cut) == zlib.crc32(data, start)


def test_a_large_stored_member_reads_back_exactly(tmp_path, crc_reading):
    image = np.asfortranarray(np.random.default_rng(3).integers(-5000, 5000, (100, 101, 203), dtype=np.int16))
    npz.write({"Image": image}, tmp_path / "image.npz")
    back = npz.read(tmp_path / "image.npz")["Image"]
    np.testing.assert_array_equal(back, image)
    assert back.flags.f_contiguous


@pytest.mark.parametrize("where", ["data", "header", "last byte"])
def test_a_changed_byte_in_a_large_stored_member_fails_its_crc(tmp_path, where, crc_reading):
    path = tmp_path / "image.npz"
    npz.write({"Image": np.asfortranarray(np.arange(2_000_000, dtype=np.int16).reshape(100, 100, 200))}, path)
    data = bytearray(path.read_bytes())
    magic = data.index(b"\x93NUMPY")
    header_end = magic + 10 + int.from_bytes(data[magic + 8:magic + 10], "little")
    if where == "header":
        assert data[header_end - 2] == ord(" ")
        data[header_end - 2] = ord("\t")  # still a valid header: only the CRC can tell
    elif where == "data":
        data[header_end + 1_000_000] ^= 1
    else:
        data[header_end + 4_000_000 - 1] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(DataFileError, match=r"member Image\.npy .*CRC"):
        npz.read(path)


def test_a_large_stored_member_cut_short_is_refused(tmp_path, crc_reading):
    path = tmp_path / "image.npz"
    npz.write({"Image": np.ones((100, 100, 200), np.int16)}, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataFileError):
        npz.read(path)


@pytest.mark.parametrize("compression", [None, "deflate"])
def test_a_large_file_keeps_only_the_disk_space_it_holds(tmp_path, compression):
    points = np.random.default_rng(4).random((200_000, 3))  # 4.8 MB: its disk space reserved first
    path = npz.write({"Points": points, "Lines": [np.arange(3)] * 3}, tmp_path / "big.npz", compression=compression)
    assert path.stat().st_blocks * 512 <= path.stat().st_size + 8192  # what was reserved and not used is given back
    np.testing.assert_array_equal(npz.read(path)["Points"], points)


def test_large_members_in_every_memory_order_are_written_as_np_save_writes_them(tmp_path):
    # Large enough that their blocks are written by the helper thread while the next block is summed.
    base = np.arange(3 * 400 * 700, dtype=np.float64).reshape(3, 400, 700)
    arrays = {"C": base, "F": np.asfortranarray(base), "Strided": base[:, ::2, 1::3], "Transposed": base.T[::2]}
    npz.write(arrays, tmp_path / "large.npz")
    assert_members_are_as_np_save_writes_them(tmp_path / "large.npz", arrays)


_FULL_DISK_WRITE = """
import resource, signal, sys
import numpy as np
from vmtkscripts_numpy.errors import DataFileError
from vmtkscripts_numpy.storage import npz
# Writes past 4 MiB fail with EFBIG, as on a full disk: in the middle of the 16 MB member.
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (4 << 20, 4 << 20))
try:
    npz.write({"Values": np.ones(2_000_000)}, sys.argv[1])
except DataFileError as error:
    print(error)
    sys.exit(0)
sys.exit(3)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="the full disk is made with a POSIX file-size limit")
def test_a_full_disk_in_the_middle_of_a_large_member_is_one_error_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "arrays.npz"
    npz.write({"Values": np.zeros(10)}, path)
    old = path.read_bytes()
    done = subprocess.run([sys.executable, "-c", _FULL_DISK_WRITE, str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{path}: "), done.stdout
    assert path.read_bytes() == old
    assert sorted(tmp_path.iterdir()) == [path]
