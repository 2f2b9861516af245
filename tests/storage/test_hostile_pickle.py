"""Hostile pickles: arrays come only from bytes the pickle holds, the work stays bounded, and nothing crashes.

The pickles are built here, by pickling objects whose ``__reduce__`` names what
an attacker would name, or opcode by opcode; each is read in a capped child
process (``assert_refused``/``read_capped`` in conftest). Pickles that must keep
loading — numpy 1 and 2 of every plain dtype, vmtk's, Python 2's — follow.
"""

import io
import pickle
import struct

import numpy as np
import pytest

from vmtkscripts_numpy.errors import DataFileError
from vmtkscripts_numpy.storage import pickle as pickle_format

try:
    from numpy._core import multiarray, numeric
except ImportError:  # numpy < 1.26
    from numpy.core import multiarray, numeric


class Reduce:
    """Pickles as ``function(*arguments)``, followed by ``state`` if given: any call an attacker writes."""

    def __init__(self, function, arguments, state=None):
        self.reduced = (function, arguments) if state is None else (function, arguments, state)

    def __reduce__(self):
        return self.reduced


def _file(tmp_path, data, name="evil.pickle"):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else pickle.dumps(data, protocol=2))
    return path


NDARRAY_REFUSED = r"refused to unpickle: numpy\.ndarray is not called by the pickle of an array"


# disclosure: no array from memory the pickle does not hold ------------------------------------------------
def test_an_array_over_a_buffer_with_strides_that_leave_it_is_refused(tmp_path, assert_refused):
    # stride -1 from the buffer's first byte walks back through the heap: a small pickle gave its bytes
    path = _file(tmp_path, {"Points": Reduce(np.ndarray, ((-1,), "u1", b"abcdefgh" * 4, 0, (-1,)))})
    assert_refused(path, NDARRAY_REFUSED)


@pytest.mark.parametrize("shape", [(4096,), (1 << 30,)], ids=["uninitialised", "8-GiB"])
def test_an_array_without_a_buffer_is_refused(tmp_path, assert_refused, shape):
    # numpy.ndarray(shape, dtype) is uninitialised heap memory; 8 GiB from a 60-byte pickle
    path = _file(tmp_path, {"Points": Reduce(np.ndarray, (shape, "f8"))})
    assert path.stat().st_size < 100
    assert_refused(path, NDARRAY_REFUSED)


def test_an_array_made_with_newobj_is_refused(tmp_path, assert_refused):
    # NEWOBJ calls ndarray.__new__(ndarray, (4096,), "u1") without going through a REDUCE
    data = (b"\x80\x02}X\x06\x00\x00\x00Points" + b"cnumpy\nndarray\n" + b"M\x00\x10X\x02\x00\x00\x00u1\x86"
            + b"\x81" + b"s.")
    assert_refused(_file(tmp_path, data), NDARRAY_REFUSED)


def test_a_structured_dtype_whose_flags_hide_an_object_field_is_refused_instead_of_crashing(tmp_path, assert_refused):
    # the flags keep "holds references" but drop "pickled as a list": numpy filled the object field from the
    # raw bytes 0x41414141..., and freeing the array crashed
    dtype = Reduce(np.dtype, ("V8", False, True), (3, "|", None, ("a",), {"a": (np.dtype("O"), 0)}, 8, 1, 61))
    array = Reduce(multiarray._reconstruct, (np.ndarray, (0,), b"b"), (1, (4,), dtype, False, b"\x41" * 32))
    assert_refused(_file(tmp_path, {"Points": array}), r"ArrayDict\['Points'\]: dtype V8 cannot be stored: "
                                                       r"structured")


@pytest.mark.parametrize("code, state, message", [
    ("O8", (3, "|", None, None, None, -1, -1, 63), r"dtype object cannot be stored"),
    ("M8", (4, "<", None, None, None, -1, -1, 0, (None, (b"ns", 1, 1, 1))), r"datetime arrays are not supported"),
    ("f8", (3, "<", ((np.dtype("f8"), (2,)),), None, None, -1, -1, 0), r"structured \(record\) and subarray"),
    ("f8", (3, "", None, None, None, -1, -1, 0), r"has the byte order ''"),
    ("U2", (3, "<", None, None, None, 7, 4, 8), r"has the item size 7"),
    ("f8", (9, "<", None, None, None, -1, -1, 0), r"has a state numpy does not write"),
    ("f8 ", (3, "<", None, None, None, -1, -1, 0), r"is not a plain dtype code"),
], ids=["object", "datetime", "subarray", "byte-order", "unicode-size", "version", "code"])
def test_dtypes_are_made_afresh_from_their_code_and_refused_unless_plain(tmp_path, assert_refused, code, state,
                                                                          message):
    dtype = Reduce(np.dtype, (code, False, True), state)
    array = Reduce(multiarray._reconstruct, (np.ndarray, (0,), b"b"), (1, (1,), dtype, False, b"\x00" * 8))
    assert_refused(_file(tmp_path, {"Points": array}), message)


@pytest.mark.parametrize("state, message", [
    ((1, (1 << 30,), np.dtype("f8"), False, b"\x00" * 8), r"8 bytes of data for \(1073741824,\) float64"),
    ((1, (2,), np.dtype("f8"), False, b"\x00" * 24), r"24 bytes of data for \(2,\) float64"),
    ((1, (-1,), np.dtype("f8"), False, b"\x00" * 8), r"shape \(-1,\) is not a tuple of lengths"),
    ((1, [2], np.dtype("f8"), False, b"\x00" * 16), r"shape \[2\] is not a tuple of lengths"),
    ((1, (1,), np.dtype("f8"), 2, b"\x00" * 8), r"Fortran flag is 2"),
    ((1, (1,), np.dtype("f8"), False, [1.0]), r"data is a list, not bytes"),
    ((2, (1,), np.dtype("f8"), False, b"\x00" * 8), r"has no state numpy writes"),
], ids=["huge-shape", "extra-bytes", "negative", "list-shape", "fortran", "list-data", "version"])
def test_an_arrays_shape_and_bytes_must_match_exactly(tmp_path, assert_refused, state, message):
    array = Reduce(multiarray._reconstruct, (np.ndarray, (0,), b"b"), state)
    assert_refused(_file(tmp_path, {"Points": array}), message)


@pytest.mark.parametrize("arguments, message", [
    ((b"\x00" * 8, np.dtype("f8"), (2,), "C"), r"8 bytes of data for \(2,\) float64"),
    ((b"\x00" * 16, np.dtype("f8"), (2,), "A"), r"memory order 'A' is not C, F or K"),
    ((b"\x00" * 16, np.dtype("f8"), (2,), "K", (1,)), r"axis order \(1,\) is not one of 1 axes"),
    ((bytearray(16), np.dtype("O"), (2,), "C"), r"dtype object cannot be stored"),
], ids=["short", "order", "axes", "object"])
def test_frombuffer_checks_what_it_is_given(tmp_path, assert_refused, arguments, message):
    assert_refused(_file(tmp_path, {"Points": Reduce(numeric._frombuffer, arguments)}), message)


def test_one_buffer_behind_two_arrays_is_refused(tmp_path, assert_refused):
    data = b"\x01" * 64
    first = Reduce(multiarray._reconstruct, (np.ndarray, (0,), b"b"), (1, (8,), np.dtype("f8"), False, data))
    second = Reduce(multiarray._reconstruct, (np.ndarray, (0,), b"b"), (1, (64,), np.dtype("u1"), False, data))
    assert_refused(_file(tmp_path, {"a": first, "b": second}, "shared.pickle"),
                   r"ArrayDict\['b'\]: its data is the data of ArrayDict\['a'\] too")


@pytest.mark.parametrize("call, message", [
    (Reduce(bytes, (8 << 30,)), r"bytes\(\) is only called on a bytes"),
    (Reduce(bytearray, (8 << 30,)), r"bytearray\(\) is only called on bytes"),
    (Reduce(int, ("9" * 4000,)), r"int\(\) is only called on numbers"),
    (Reduce(complex, ("1+2j",)), r"complex\(\) is only called on numbers"),
    (Reduce(tuple, ([1, 2],)), r"tuple\(\) is only called on a tuple"),
    (Reduce(dict, ([("a", 1)],)), r"dict\(\) is only called without arguments"),
    (Reduce(list, ((1, 2),)), r"list\(\) is only called without arguments"),
], ids=["bytes", "bytearray", "int", "complex", "tuple", "dict", "list"])
def test_builtins_rebuild_values_only_and_copy_nothing(tmp_path, assert_refused, call, message):
    assert_refused(_file(tmp_path, {"x": call}), rf"refused to unpickle: {message}")


# bounded work ---------------------------------------------------------------------------------------------
def test_a_memo_index_far_ahead_is_refused_before_cpythons_unpickler_fills_gigabytes(tmp_path, assert_refused):
    # LONG_BINPUT 2**28: CPython's unpickler grows its memo to 2**29 entries and zeroes them, 4 GiB
    data = b"\x80\x02}" + b"r" + struct.pack("<I", 1 << 28) + b"."
    assert_refused(_file(tmp_path, data), r"memo index 268435456 at byte 3, past the entries the opcodes before it")


@pytest.mark.parametrize("data, message", [
    (b"\x80\x04\x95" + struct.pack("<Q", 1 << 40) + b"}.", r"opcode at byte 2 counts 1099511627776 bytes, past the "
                                                         r"end of the file"),
    (b"\x80\x04}\x8e" + struct.pack("<Q", 8 << 30) + b"ab.", r"opcode at byte 3 counts 8589934592 bytes, past the end"),
    (b"\x80\x05}\x97.", r"it uses NEXT_BUFFER"),
    (b"\x80\x02}P1\n.", r"it uses PERSID"),
    (b"\x80\x02}\x82\x01.", r"it uses EXT1"),
    (b"\x80\x02}", r"is truncated \(the pickle ends early"),
    (b"\x80\x02}\xff.", r"invalid opcode 0xff"),
], ids=["frame", "bytes8", "buffer", "persid", "ext", "no-stop", "opcode"])
def test_counts_that_pass_the_end_of_the_pickle_are_refused_before_loading(tmp_path, assert_refused, data, message):
    assert_refused(_file(tmp_path, data), message)


def test_a_pickle_whose_tuples_share_the_level_below_twice_is_refused_at_once(tmp_path, assert_refused):
    # 2**40 leaves in 700 bytes: a walk path by path never ended
    tree = ("leaf",)
    for _ in range(40):
        tree = (tree, tree)
    path = _file(tmp_path, {"Tree": tree})
    assert path.stat().st_size < 1000
    assert_refused(path, r"ArrayDict\['Tree'\](\[0\])*\[1\]: is the same tuple as ArrayDict\['Tree'\](\[0\])* "
                         r"\(the pickle is a graph, not a tree\)")


def test_a_list_that_contains_itself_is_refused(tmp_path, assert_refused):
    cells = []
    cells.append(cells)
    assert_refused(_file(tmp_path, {"Cells": cells}), r"ArrayDict\['Cells'\]\[0\]: is the same list as")


def test_an_array_named_ten_thousand_times_counts_ten_thousand_times(tmp_path, assert_refused):
    array = np.zeros(1 << 17)  # 1 MiB, in the pickle once
    path = _file(tmp_path, {"Points": array, "Copies": [array] * 10_000})
    assert path.stat().st_size < 2 << 20
    assert_refused(path, r"ArrayDict\['Copies'\]\[\d+\]: the data would pass \d+ bytes, 100 times the file's")


def test_an_array_named_twice_is_read_once(tmp_path):
    array = np.arange(1000.0)
    loaded = pickle_format.read(_file(tmp_path, {"Radius": array, "Again": array}, "twice.pickle"))
    assert loaded["Radius"] is loaded["Again"]
    np.testing.assert_array_equal(loaded["Radius"], array)


def test_a_string_named_many_times_counts_each_time(tmp_path, assert_refused):
    text = "x" * (1 << 20)
    assert_refused(_file(tmp_path, {"Names": [text] * 200}), r"the data would pass", max_ratio=1)


# what keeps loading ---------------------------------------------------------------------------------------
def test_pickles_of_arrays_in_any_axis_order_load_on_every_numpy(assert_same):
    # numpy >= 2.4 pickles a transposed array as C-ordered bytes and the order of its axes ("K")
    array = np.arange(24, dtype=">i4").reshape(2, 3, 4).transpose(1, 0, 2)
    data = pickle.dumps({"a": Reduce(numeric._frombuffer, (np.ascontiguousarray(array.transpose(1, 0, 2)).tobytes(),
                                                         array.dtype, (2, 3, 4), "K", (1, 0, 2)))}, protocol=5)
    assert_same({"a": array}, pickle_format.loads(data))


def test_empty_and_one_byte_arrays_may_share_pythons_cached_bytes(assert_same):
    # b"" and one-byte bytes are shared by Python, so the pickler names them once for several arrays
    tree = {"a": np.zeros(0), "b": np.zeros((0, 3), np.int32), "c": np.array([5], np.uint8),
            "d": np.array([5], np.uint8), "e": np.array([True])}
    for protocol in (2, 3, 4, 5):
        assert_same(tree, pickle_format.loads(pickle.dumps(tree, protocol=protocol)))


def test_the_stand_ins_are_never_real_numpy_objects_during_loading():
    # an unpickler's BUILD may call __setstate__ on anything the pickle made: never on a real array or dtype
    data = pickle.dumps({"a": np.arange(3.0), "s": np.float32(1)}, protocol=2)
    loaded = pickle_format.SafeUnpickler(io.BytesIO(data)).load()
    assert type(loaded["a"]) is pickle_format.PickledArray
    assert type(loaded["s"]) is pickle_format.PickledScalar


def test_the_limit_can_be_raised_for_a_trusted_pickle(tmp_path):
    array = np.zeros(1 << 17)
    path = _file(tmp_path, {"Copies": [array] * 300}, "many.pickle")
    with pytest.raises(DataFileError, match="would pass"):
        pickle_format.read(path, max_ratio=1)
    assert len(pickle_format.read(path, max_ratio=1000)["Copies"]) == 300
