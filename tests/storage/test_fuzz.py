"""Property-based tests of the three formats: random ArrayDicts come back exactly, damaged files never do harm.

- Random valid ArrayDicts (every leaf kind and dtype, nested dicts, lists and
  tuples) round-trip through every format and compression, in this process:
  valid files cannot crash the readers.
- Valid files are then damaged — cut at a twentieth of their length, bits
  flipped, header fields made huge, negative or NaN — and read in the capped
  child process (``capped_reader`` in conftest). The read must give a
  ``DataFileError`` naming the file, or the exact dict where the format can
  tell damage (truncation; npz, whose members carry CRCs; lying headers), or
  else a well-formed ArrayDict (a flipped bit in HDF5's raw data or in a pickle
  is a different value, not a damaged file). Never a crash, a hang, another
  exception or more data than the limit allows.

Each test runs ``VMTKSCRIPTS_NUMPY_FUZZ_EXAMPLES`` examples (default 25: a few
seconds). A long campaign, at low priority, with what each example gave::

    VMTKSCRIPTS_NUMPY_FUZZ_EXAMPLES=20000 nice -n 19 pytest -p no:cacheprovider \\
        tests/storage/test_fuzz.py --hypothesis-show-statistics
"""

import ast
import json
import math
import os
import pickletools
import struct
import tempfile
import zipfile
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.control import currently_in_test_context  # noqa: E402

from vmtkscripts_numpy import storage  # noqa: E402
from vmtkscripts_numpy.errors import ArrayDictError  # noqa: E402
from vmtkscripts_numpy.storage import _limits, _tree, npz  # noqa: E402

EXAMPLES = int(os.environ.get("VMTKSCRIPTS_NUMPY_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
                # assert_same and capped_reader keep no state between examples
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])

#: (format, write options): every compression each format has.
WRITES = [("pickle", {}), ("pickle", {"protocol": 2}), ("hdf5", {}), ("hdf5", {"compression": "gzip"}),
          ("hdf5", {"compression": "lzf"}), ("npz", {}), ("npz", {"compression": "deflate"})]
EXTENSIONS = {"pickle": ".pickle", "hdf5": ".hdf5", "npz": ".npz"}

DTYPES = ["?", "i1", "<i2", ">i2", "<i4", ">i8", "u1", ">u2", "<u4", "<u8", "<f2", ">f4", "<f8", ">f8", "g",
          "<c8", ">c16", "S1", "S4", "<U1", ">U3"]


# random ArrayDicts ----------------------------------------------------------------------------------------
keys = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"), min_size=1,
               max_size=6).filter(lambda key: key != ".")
texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8)


@st.composite
def arrays(draw, zero_d=False):
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    shape = () if zero_d else tuple(draw(st.lists(st.integers(0, 4), max_size=3)))
    count = math.prod(shape)
    if dtype.kind == "b":
        array = np.array(draw(st.lists(st.booleans(), min_size=count, max_size=count)), bool)
    elif dtype.kind in "SU":
        width = dtype.itemsize // (4 if dtype.kind == "U" else 1)
        items = st.binary(max_size=width) if dtype.kind == "S" else st.text(
            st.characters(blacklist_categories=("Cs",)), max_size=width)
        array = np.array(draw(st.lists(items, min_size=count, max_size=count)), dtype).reshape(-1)
        array = array.astype(dtype) if array.size else np.zeros(0, dtype)
    elif dtype.char in "gG":  # long doubles: values of float64 in zeroed memory, so that the padding is zeros
        values = draw(st.lists(st.floats(width=64), min_size=count, max_size=count))
        array = np.zeros(count, dtype)
        array[...] = values
    else:
        raw = draw(st.binary(min_size=count * dtype.itemsize, max_size=count * dtype.itemsize))
        array = np.frombuffer(raw, dtype).copy()
    array = array.reshape(shape)
    if array.ndim > 1 and draw(st.booleans()):
        array = np.asfortranarray(array)
    return array


leaves = st.one_of(
    arrays(),
    arrays(zero_d=True).map(lambda array: array[()]),  # numpy scalars
    st.booleans(),
    st.integers(-(2**63), 2**64 - 1),
    st.floats(),
    st.complex_numbers(),
    texts,
)
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(keys, children, max_size=4),
    ),
    max_leaves=10,
)
array_dicts = st.dictionaries(keys, trees, max_size=5)


def write(folder, tree, format_name, options):
    path = Path(folder) / ("a" + EXTENSIONS[format_name])
    storage.write(tree, path, format=format_name, **options)
    return path


# what a read may give ------------------------------------------------------------------------------------
def well_formed(tree, path):
    """An ArrayDict as the readers promise: plain types only, storable by every writer, within the limit."""
    _tree.check(tree)
    size = 0
    for _, kind, value in _tree.walk(tree):
        if kind == "dict":
            assert type(value) is dict
        elif kind == "array":
            assert type(value) is np.ndarray
            size += value.nbytes
    assert size <= _limits.DEFAULT_MAX_RATIO * os.path.getsize(path) + _limits.ALLOWANCE


def check(outcome, path, tree, assert_same, exact):
    """The outcome is a DataFileError naming the file, or ``tree`` (if ``exact``) or a well-formed ArrayDict."""
    if currently_in_test_context():
        event(outcome.kind)
    if outcome.kind == "DataFileError":
        assert outcome.value.startswith(f"{path}: ") and "\n" not in outcome.value, outcome.value
        return
    assert outcome.kind == "dict", str(outcome)
    if exact:
        assert_same(tree, outcome.value)
    else:
        well_formed(outcome.value, path)


# round trips ---------------------------------------------------------------------------------------------
@FUZZ
@given(tree=array_dicts, case=st.sampled_from(WRITES))
def test_random_array_dicts_come_back_exactly_from_every_format(tree, case, assert_same):
    format_name, options = case
    with tempfile.TemporaryDirectory() as folder:
        assert_same(tree, storage.read(write(folder, tree, format_name, options)))


# damaged files -------------------------------------------------------------------------------------------
@FUZZ
@given(tree=array_dicts, case=st.sampled_from(WRITES), twentieths=st.integers(1, 19))
def test_a_file_cut_short_is_refused(tree, case, twentieths, capped_reader, assert_same):
    with tempfile.TemporaryDirectory() as folder:
        path = write(folder, tree, *case)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) * twentieths // 20])
        check(capped_reader.read(path), path, tree, assert_same, exact=True)


@FUZZ
@given(tree=array_dicts, case=st.sampled_from(WRITES), flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True),
                                                                             st.integers(0, 7)), min_size=1,
                                                                   max_size=3))
def test_a_file_with_flipped_bits_does_no_harm(tree, case, flips, capped_reader, assert_same):
    with tempfile.TemporaryDirectory() as folder:
        path = write(folder, tree, *case)
        data = bytearray(path.read_bytes())
        for where, bit in flips:
            data[int(where * len(data))] ^= 1 << bit
        path.write_bytes(bytes(data))
        # npz members and manifest carry CRCs; HDF5's raw data and pickles do not, so a flip there is a value
        check(capped_reader.read(path), path, tree, assert_same, exact=case[0] == "npz")


#: Values a header field is set to.
LIES = [0, -1, 1, 2**31 - 1, 2**31, 2**32 - 1, 2**63 - 1, 2**64 - 1, 10**12, float("nan"), float("inf"), -0.5]


@FUZZ
@given(tree=array_dicts, compression=st.sampled_from([None, "deflate"]), data=st.data())
def test_npz_headers_and_manifests_that_lie_are_refused(tree, compression, data, capped_reader, assert_same):
    with tempfile.TemporaryDirectory() as folder:
        path = write(folder, tree, "npz", {"compression": compression})
        with zipfile.ZipFile(path) as archive:
            members = {name: archive.read(name) for name in archive.namelist()}
        target = data.draw(st.sampled_from(sorted(members)))
        if target == npz.MANIFEST:
            members[target], exact = _lying_manifest(members[target], data)
        else:
            members[target], exact = _lying_npy(members[target], data), False
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED if compression else zipfile.ZIP_STORED) as archive:
            for name, content in members.items():
                archive.writestr(name, content)
        check(capped_reader.read(path), path, tree, assert_same, exact=exact)


def _lying_npy(content, data):
    """The member with one header field changed: a shape length, the dtype or the order.

    Some lies make another valid array (``>i4`` for ``<i4``, the other order, a
    length of 1 for 1), so the read is checked to be well-formed, not exact.
    """
    length = struct.unpack("<H", content[8:10])[0] if content[6] == 1 else struct.unpack("<I", content[8:12])[0]
    start = 10 if content[6] == 1 else 12
    header = ast.literal_eval(content[start:start + length].decode("latin1"))
    field = data.draw(st.sampled_from(["shape", "descr", "fortran_order"]))
    if field == "shape":
        shape = list(header["shape"]) or [1]
        shape[data.draw(st.integers(0, len(shape) - 1))] = data.draw(st.sampled_from(LIES))
        value = repr(tuple(shape))  # nan and inf are no literals: such a header does not parse
    elif field == "descr":
        value = repr(data.draw(st.sampled_from(["<f8", "|O", "<M8[ns]", "|V8", "<U0", "|S0", ">i4", "|b1"])))
        if data.draw(st.booleans()):
            value = "[('a', '<f4'), ('b', '|O')]"
    else:
        value = repr(data.draw(st.sampled_from([True, False, 1, None])))
    text = {key: repr(item) for key, item in header.items()}
    text[field] = value
    body = "{" + ", ".join(f"'{key}': {item}" for key, item in text.items()) + ", }"
    body = body.encode("latin1")
    body += b" " * ((-(start + len(body) + 1)) % 64) + b"\n"
    size = struct.pack("<H", len(body)) if start == 10 else struct.pack("<I", len(body))
    return content[:8] + size + body + content[start + length:]


def _lying_manifest(content, data):
    """``(manifest, exact)``: the manifest with one field changed — the layout version, a key, a member name,
    a string (no writer makes these: the read must be exact or refused), a tag or the nesting (which may make
    another valid tree, a tuple for a list say)."""
    manifest = json.loads(content)
    field = data.draw(st.sampled_from(["layout_version", "key", "member", "tag", "string", "nesting"]))
    entries = []

    def collect(entry):
        (tag, value), = entry.items()
        entries.append(entry)
        if tag == "dict":
            for pair in value:
                collect(pair[1])
        elif tag in ("list", "tuple"):
            for item in value:
                collect(item)

    collect(manifest["root"])
    entry = data.draw(st.sampled_from(entries))
    (tag, value), = entry.items()
    if field == "layout_version":
        manifest["layout_version"] = data.draw(st.sampled_from(LIES + [True, "1", None, [1]]))
    elif field == "key" and tag == "dict" and value:
        value[data.draw(st.integers(0, len(value) - 1))][0] = data.draw(st.sampled_from(["", ".", "a/b", "a\x00",
                                                                                        "\ud800", 7, None]))
    elif field == "member" and isinstance(value, str) and tag != "str":
        entry[tag] = data.draw(st.sampled_from(["", "a", "../a", value + "/x", value.upper(), 0]))
    elif field == "tag":
        entry[data.draw(st.sampled_from(["pickle", "array", "int", "str", "dict", "list"]))] = entry.pop(tag)
    elif field == "string" and tag == "str":
        entry["str"] = data.draw(st.sampled_from(["\x00", "\ud800", 5, None, ["x"]]))
    elif field == "nesting":  # written as text: json.dumps itself stops at a thousand levels
        depth = data.draw(st.sampled_from([99, 101, 2000]))
        root = '{"dict": [["a", ' * depth + json.dumps(manifest["root"]) + "]]}" * depth
        return json.dumps({**manifest, "root": None}).replace('"root": null', '"root": ' + root).encode(), False
    return json.dumps(manifest, allow_nan=True).encode("utf-8"), field != "tag"


@FUZZ
@given(tree=array_dicts, case=st.sampled_from([case for case in WRITES if case[0] == "hdf5"]), data=st.data())
def test_hdf5_files_that_lie_are_refused(tree, case, data, capped_reader, assert_same):
    import h5py

    with tempfile.TemporaryDirectory() as folder:
        path = write(folder, tree, *case)
        with h5py.File(path, "r+") as h5file:
            objects = []
            h5file.visit(lambda name: objects.append(name))
            lie = data.draw(st.sampled_from(["version", "marker", "declared", "linked", "empty"]))
            name = data.draw(st.sampled_from(objects)) if objects else None
            if lie == "version":
                h5file.attrs["vmtkscripts_numpy_layout_version"] = data.draw(st.sampled_from(
                    [np.float64(np.nan), np.int64(-1), np.int64(2**62), np.uint64(2**64 - 1), np.zeros(2), "1"]))
            elif lie == "marker" and name:
                marker = data.draw(st.sampled_from(["vmtkscripts_numpy_leaf", "vmtkscripts_numpy_container",
                                                    "vmtkscripts_numpy_dtype"]))
                h5file[name].attrs[marker] = data.draw(st.sampled_from(
                    ["int", "bool", "float", "complex", "scalar", "list", "tuple", "<U0", "<U1", ">U9", "|O", "set",
                     np.int64(1), np.zeros(3)]))
            elif lie == "declared":
                shape = data.draw(st.sampled_from([(2**40,), (10**6, 10**6), (2**31, 2)]))
                h5file.create_dataset(f"Lie{len(objects)}", shape=shape, dtype="f8", fillvalue=1.0,
                                      chunks=(1,) * (len(shape) - 1) + (min(shape[-1], 1024),),
                                      compression=data.draw(st.sampled_from([None, "gzip"])))
            elif lie == "linked" and name:
                h5file[f"Again{len(objects)}"] = h5file[name]
            else:
                h5file.create_dataset(f"Empty{len(objects)}", shape=(10,), dtype="i4")
        # a marker may make another valid dict (a numpy scalar of a 0-d array, a tuple of a list)
        check(capped_reader.read(path), path, tree, assert_same, exact=lie != "marker")


@FUZZ
@given(tree=array_dicts, protocol=st.sampled_from([2, 3, 4, 5]), data=st.data())
def test_pickles_whose_numbers_lie_do_no_harm(tree, protocol, data, capped_reader, assert_same):
    with tempfile.TemporaryDirectory() as folder:
        path = write(folder, tree, "pickle", {"protocol": protocol})
        content = bytearray(path.read_bytes())
        fields = [(position, opcode.name) for opcode, _, position in pickletools.genops(bytes(content))
                  if opcode.name in _PICKLE_FIELDS]
        if fields:
            position, name = data.draw(st.sampled_from(fields))
            width, signed = _PICKLE_FIELDS[name]
            value = data.draw(st.sampled_from(LIES))
            if name == "BINFLOAT":
                content[position + 1:position + 9] = struct.pack(">d", float(value))
            else:
                value = int(value) if math.isfinite(value) else 2**63
                value %= 2 ** (8 * width)
                content[position + 1:position + 1 + width] = value.to_bytes(width, "little")
        path.write_bytes(bytes(content))
        check(capped_reader.read(path), path, tree, assert_same, exact=False)


#: Pickle opcodes with a number in fixed width: (bytes, signed).
_PICKLE_FIELDS = {"BININT": (4, True), "BININT1": (1, False), "BININT2": (2, False), "BINPUT": (1, False),
                  "LONG_BINPUT": (4, False), "BINGET": (1, False), "LONG_BINGET": (4, False), "FRAME": (8, False),
                  "BINBYTES": (4, False), "BINUNICODE": (4, False), "BINBYTES8": (8, False),
                  "BYTEARRAY8": (8, False), "SHORT_BINBYTES": (1, False), "SHORT_BINUNICODE": (1, False),
                  "LONG1": (1, False), "BINFLOAT": (8, True)}


class _Read(NamedTuple):
    kind: str
    value: Any
    seconds: float = 0.0


@pytest.mark.parametrize("outcome", [
    _Read("crash", "the reading process died"),
    _Read("timeout", "no answer within 10 s"),
    _Read("exception", "Traceback ... ValueError"),
    _Read("DataFileError", "elsewhere.npz: is damaged"),
    _Read("dict", {"a": np.array([object()], dtype=object)}),
    _Read("dict", {"a": np.zeros(10 << 20)}),
], ids=["crash", "timeout", "exception", "other-file", "object-array", "past-the-limit"])
def test_the_checks_catch_what_a_reader_must_not_do(tmp_path, outcome, assert_same):
    # the properties above mean something only if their check fails on these
    path = tmp_path / "a.npz"
    path.write_bytes(b"x" * 10)
    with pytest.raises((AssertionError, ArrayDictError)):
        check(outcome, path, {"a": np.ones(1)}, assert_same, exact=False)


def test_the_exact_check_catches_a_different_dict(tmp_path, assert_same):
    path = tmp_path / "a.npz"
    path.write_bytes(b"x" * 10)
    check(_Read("dict", {"a": np.ones(1)}), path, {"a": np.ones(1)}, assert_same, exact=True)
    with pytest.raises(AssertionError):
        check(_Read("dict", {"a": np.ones(1)[::-1].astype(">f8")}), path, {"a": np.ones(1)}, assert_same, exact=True)
