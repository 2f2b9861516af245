"""ArrayDicts of every kind, built by hand, an exact comparison, and reads in a capped child process.

The dicts mimic what the converters produce (surface, centerlines, mesh,
image, with the layout extensions) without depending on them, plus one dict
that holds every kind of leaf the formats promise to keep. Hostile files are
read by :class:`CappedReader`, so that a crash, a hang or a memory blow-up
fails one test instead of the test run.
"""

import os
import pickle
import select
import struct
import subprocess
import sys
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any, NamedTuple, Optional

import numpy as np
import pytest

FORMATS = ("pickle", "hdf5", "npz")


class vividict(dict):
    """A dict subclass like vmtk's, which creates missing keys on access."""

    def __missing__(self, key):
        value = self[key] = type(self)()
        return value


def surface_dict():
    rng = np.random.default_rng(1)
    surface = vividict()
    surface["Points"] = rng.random((40, 3)).astype(np.float32)
    surface["PointData"]["Normals"] = rng.random((40, 3)).astype(np.float32)
    surface["PointData"]["WallShearStress"] = rng.random(40)
    surface["PointData"]["GroupIds"] = rng.integers(0, 3, 40).astype(np.int32)
    surface["PointData"]["Ids"] = np.arange(40, dtype=np.int64)
    surface["CellData"]["CellPointIds"] = rng.integers(0, 40, (70, 3)).astype(np.int64)
    surface["CellData"]["Quality"] = rng.random(70).astype(np.float16)
    surface["CellData"]["Flags"] = rng.random(70) > 0.5
    surface["FieldData"] = {}
    surface["ActiveArrays"] = {"PointData": {"Normals": "Normals", "Scalars": "WallShearStress"}, "CellData": {}}
    surface["ArrayTypes"] = {"PointData": {"Ids": "vtkIdTypeArray"}, "CellData": {}, "FieldData": {}}
    return surface


def centerlines_dict():
    rng = np.random.default_rng(2)
    lengths = [3, 4, 0, 14, 5, 6, 7, 8, 9, 10, 11, 12, 13]  # more than 10 lines: 10 and 11 sort before 2 as names
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return {
        "Points": rng.random((sum(lengths), 3)),
        "PointData": {"MaximumInscribedSphereRadius": rng.random(sum(lengths))},
        "CellData": {
            "CenterlineIds": np.arange(len(lengths), dtype=np.int32),
            "CellPointIds": [np.arange(start, start + n, dtype=np.int32) for start, n in zip(starts, lengths)],
        },
    }


def mesh_dict():
    rng = np.random.default_rng(3)
    cell_types = np.array([10, 10, 12, 3, 5], dtype=np.uint8)
    return {
        "Points": rng.random((20, 3)),
        "Cells": {
            "CellTypes": cell_types,
            "CellLocations": np.array([0, 5, 10, 19, 22], dtype=np.int64),
            "CellPointIds": rng.integers(0, 20, 26).astype(np.int64),
            "CellTypesAsStrings": {
                "vtkTetra": np.array([0, 1], dtype=np.int64),
                "vtkHexahedron": np.array([2], dtype=np.int64),
                "vtkLine": np.array([3], dtype=np.int64),
                "vtkTriangle": np.array([4], dtype=np.int64),
                "vtkWedge": np.zeros(0, dtype=np.int64),
            },
        },
        "PointData": {"Displacement": rng.random((20, 3)).astype(np.float32)},
        "CellData": {"MaterialIds": np.array([1, 1, 2, 0, 0], dtype=np.uint16)},
        "FieldData": {"TimeValue": np.array([0.5])},
    }


def image_dict():
    rng = np.random.default_rng(4)
    return {
        "Origin": np.array([1.0, -2.0, 0.5]),
        "Spacing": np.array([0.5, 0.5, 1.25]),
        "Dimensions": np.array([7, 6, 5]),
        "Extent": np.array([0, 6, 0, 5, 0, 4]),
        "Direction": np.diag([-1.0, -1.0, 1.0]),
        "IndexOrder": "zyx",
        "PointData": {
            "ImageScalars": rng.integers(-1000, 3000, (5, 6, 7)).astype(np.int16),
            "Velocity": rng.random((5, 6, 7, 3)).astype(np.float32),
            "Mask": np.asfortranarray(rng.random((5, 6, 7)) > 0.5),
        },
        "CellData": {},
        "ActiveArrays": {"PointData": {"Scalars": "ImageScalars"}, "CellData": {}},
    }


def every_leaf_dict():
    """One of every leaf and container the formats promise to keep, in awkward shapes."""
    dtypes = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
              "float16", "float32", "float64", "complex64", "complex128", "bool", "longdouble"]
    special = np.array([np.nan, np.inf, -np.inf, -0.0, 1e-310, 1.5])
    return {
        "dtypes": {name: (np.arange(12) % 3).astype(name).reshape(4, 3) for name in dtypes},
        "big_endian": {"f8": np.arange(5, dtype=">f8"), "i4": np.arange(5, dtype=">i4"),
                       "U": np.array(["a", "bc"], ">U2")},
        "special_floats": special,
        "zero_d": np.array(7, dtype=np.uint8),
        "zero_d_float": np.array(2.5),
        "empty": {"e0": np.zeros(0), "e03": np.zeros((0, 3), np.float32), "e30": np.zeros((3, 0), np.int16)},
        "views": {"strided": np.arange(20.0)[::3], "transposed": np.arange(12).reshape(3, 4).T,
                  "fortran": np.asfortranarray(np.arange(24.0).reshape(2, 3, 4))},
        "strings": {"text": "hello", "empty": "", "unicode": "Ωmega – 血管 🫀", "dots.and spaces": "a.b c"},
        "string_arrays": {"U": np.array([["x", "yy"], ["zzz", ""]]), "S": np.array([b"ab", b"\x00c", b""]),
                          "U0d": np.array("scalar string")},
        "python": {"int": 3, "negative": -(2**63), "huge": 2**64 - 1, "float": 0.1, "nan": float("nan"),
                   "bool": True, "false": False, "complex": 1 - 2j},
        "numpy_scalars": {"f4": np.float32(1.5), "i8": np.int64(-4), "u1": np.uint8(200), "b": np.bool_(True),
                          "c": np.complex64(1 + 1j), "str": np.str_("s"), "bytes": np.bytes_(b"b")},
        "lists": {"arrays": [np.arange(3), np.zeros((2, 2), np.float32), np.array(1.0)],
                  "empty": [], "mixed": ["a", 1, 2.0, {"k": np.ones(1)}, [np.zeros(0)]],
                  "long": [np.full(i % 4, i, dtype=np.int16) for i in range(25)]},
        "tuple": (np.arange(2), "t", (1, 2)),
        "digit_keys": {"0": np.zeros(1), "1": np.ones(1)},
        "nested_empty": {"a": {"b": {"c": {}}}},
        "ordered": OrderedDict([("z", np.ones(1)), ("a", np.zeros(1))]),
        "vividict": vividict(inner=np.arange(3)),
        "..": np.arange(2),
    }


DICT_KINDS = {
    "surface": surface_dict,
    "centerlines": centerlines_dict,
    "mesh": mesh_dict,
    "image": image_dict,
    "every_leaf": every_leaf_dict,
}


@pytest.fixture(params=sorted(DICT_KINDS))
def dict_kind(request):
    """``(name, ArrayDict)`` for each kind of dict."""
    return request.param, DICT_KINDS[request.param]()


@pytest.fixture
def make_dict():
    """Return a function that builds the ArrayDict of a kind: surface, centerlines, mesh, image, every_leaf."""
    return lambda kind: DICT_KINDS[kind]()


#: x87 extended precision: a long double of 16 bytes whose last 6 are padding, which nothing keeps.
_X87 = np.dtype(np.longdouble).itemsize == 16 and np.finfo(np.longdouble).nmant == 63


def _significant(value):
    """The bytes of an array or numpy scalar that hold its values (not the padding of x87 long doubles)."""
    array = np.ascontiguousarray(value)
    if _X87 and array.dtype.char in "gG":
        return array.reshape(-1).view(np.uint8).reshape(-1, 16)[:, :10].tobytes()
    return array.tobytes()


def _same(expected, actual, where):
    if isinstance(expected, dict):
        assert type(actual) is dict, f"{where}: {type(actual).__name__} instead of dict"
        assert list(actual) == [str(key) for key in expected], f"{where}: keys {list(actual)} != {list(expected)}"
        for key, value in expected.items():
            _same(value, actual[key], f"{where}[{key!r}]")
    elif isinstance(expected, (list, tuple)):
        assert type(actual) is type(expected), f"{where}: {type(actual).__name__} instead of {type(expected).__name__}"
        assert len(actual) == len(expected), f"{where}: {len(actual)} items instead of {len(expected)}"
        for index, (value, got) in enumerate(zip(expected, actual)):
            _same(value, got, f"{where}[{index}]")
    elif isinstance(expected, np.ndarray):
        assert type(actual) is np.ndarray, f"{where}: {type(actual).__name__} instead of ndarray"
        assert actual.dtype.str == expected.dtype.str, f"{where}: dtype {actual.dtype.str} != {expected.dtype.str}"
        assert actual.shape == expected.shape, f"{where}: shape {actual.shape} != {expected.shape}"
        assert _significant(actual) == _significant(expected), f"{where}: values differ"
    elif isinstance(expected, np.generic):
        assert type(actual) is type(expected), f"{where}: {type(actual).__name__} instead of {type(expected).__name__}"
        assert actual.dtype.str == expected.dtype.str and _significant(actual) == _significant(expected), (
            f"{where}: differs")
    else:
        assert type(actual) is type(expected), f"{where}: {type(actual).__name__} instead of {type(expected).__name__}"
        assert actual == expected or (actual != actual and expected != expected), f"{where}: {actual!r} != {expected!r}"


@pytest.fixture
def assert_same():
    """Return ``assert_same(expected, actual)``: same tree, key order, types, dtypes (with byte order), shapes, bits.

    Dict subclasses are expected back as ``dict`` and array subclasses as ``ndarray``.
    """
    return lambda expected, actual: _same(expected, actual, "ArrayDict")


@pytest.fixture
def no_temporary_files():
    """Return a check that a folder holds no temporary file of an atomic write."""

    def check(folder):
        leftovers = [path.name for path in folder.iterdir() if ".tmp-" in path.name]
        assert not leftovers, f"temporary files left behind: {leftovers}"

    return check


# reads in a child process with a time and a memory limit -------------------------------------------------------
class Outcome(NamedTuple):
    """What reading a file gave: ``kind`` is "dict", "DataFileError", "exception", "crash" or "timeout"."""

    kind: str
    value: Any
    seconds: float

    def __str__(self):
        return f"{self.kind} after {self.seconds:.2f} s: {str(self.value)[:2000]}"


class CappedReader:
    """Reads files with ``storage.read`` in a child process limited to ``memory`` bytes more than it starts with.

    The child (``_capped_worker.py``) stays up between reads, so a read costs
    milliseconds; one that crashes the child or takes longer than its timeout
    comes back as a "crash" or "timeout" :class:`Outcome`, and the next read
    starts a new child.
    """

    def __init__(self, memory: int = 512 << 20, timeout: float = 10.0):
        self.memory = memory
        self.timeout = timeout
        self.process: Optional[subprocess.Popen] = None
        self.reads = 0

    def start(self) -> None:
        root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]),
                   OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("_capped_worker.py")), str(self.memory)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=root,
        )
        if self._receive(60.0) != b"ready\n":
            raise RuntimeError("the capped reader did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def _receive(self, timeout: float, size: Optional[int] = None) -> Optional[bytes]:
        """``size`` bytes (a line if None) from the child before ``timeout``, or None."""
        deadline = time.monotonic() + timeout
        stream = self.process.stdout
        data = bytearray()
        while size is None and not data.endswith(b"\n") or size is not None and len(data) < size:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([stream], [], [], left)[0]:
                return None
            piece = os.read(stream.fileno(), 1 if size is None else size - len(data))
            if not piece:
                return None
            data += piece
        return bytes(data)

    def read(self, path, format: Optional[str] = None, max_ratio: Optional[float] = None,
             timeout: Optional[float] = None) -> Outcome:
        """Read ``path`` in the child; see :class:`Outcome`."""
        if self.process is None or self.process.poll() is not None:
            self.start()
        request = pickle.dumps((str(path), format, max_ratio))
        self.reads += 1
        start = time.monotonic()
        self.process.stdin.write(struct.pack("<Q", len(request)) + request)
        self.process.stdin.flush()
        limit = self.timeout if timeout is None else timeout
        header = self._receive(limit, 8)
        answer = None if header is None else self._receive(limit, struct.unpack("<Q", header)[0])
        seconds = time.monotonic() - start
        if answer is None:
            running = self.process.poll() is None
            self.stop()
            if running:
                return Outcome("timeout", f"no answer within {limit} s", seconds)
            return Outcome("crash", "the reading process died", seconds)
        kind, value = pickle.loads(answer)
        return Outcome(kind, value, seconds)


@pytest.fixture(scope="session")
def capped_reader():
    """A :class:`CappedReader` (512 MiB, 10 s) shared by the session."""
    reader = CappedReader()
    yield reader
    reader.stop()


@pytest.fixture
def read_capped(capped_reader):
    """Return ``read(path, format=None, max_ratio=None)``: the :class:`Outcome` of reading in the capped child."""
    return capped_reader.read


@pytest.fixture
def assert_refused(capped_reader):
    """Return ``check(path, pattern, format=None, max_ratio=None)``: reading in the capped child gives a
    ``DataFileError`` matching ``pattern`` (searched) and naming the file, quickly; returns the message."""
    import re

    def check(path, pattern, format=None, max_ratio=None):
        outcome = capped_reader.read(path, format=format, max_ratio=max_ratio)
        assert outcome.kind == "DataFileError", str(outcome)
        assert outcome.value.startswith(f"{path}: "), outcome.value
        assert re.search(pattern, outcome.value), outcome.value
        assert "\n" not in outcome.value, outcome.value
        assert outcome.seconds < 5, str(outcome)
        return outcome.value

    return check
