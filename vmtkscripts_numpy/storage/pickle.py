"""ArrayDicts as Python pickles, read through an unpickler that builds data only, from checked parts.

Plain :func:`pickle.load` runs whatever code a file names. :func:`read` instead
admits only the globals an ArrayDict's pickle needs, and none of them is the
real thing: each is a stand-in that checks its arguments and builds nothing
larger than the pickle's own data.

- ``dict``, ``list``, ``collections.OrderedDict`` and vmtk's ``vividict``
  (``vmtk.<module>.vividict``, read without importing vmtk) make empty
  containers that the pickle then fills; the other builtins' data types only
  rebuild values the pickle already holds (``complex(1.0, 2.0)``, ``bytes()``).
- numpy's ``dtype``, ``multiarray._reconstruct``, ``multiarray.scalar`` and
  ``numeric._frombuffer`` (under numpy 1's ``numpy.core`` and numpy 2's
  ``numpy._core``) record what they are given. ``numpy.ndarray`` and VTK's
  ``dataset_adapter.VTKArray`` (which vmtk's mesh pickles name) only mark the
  array type for ``_reconstruct``: called, they refuse. After loading, each
  array is built by numpy from a dtype made afresh from its code (bool, int,
  uint, float, complex, bytes or unicode, either byte order) and bytes whose
  length matches its shape exactly: no strides, offsets, uninitialised memory,
  object or structured dtypes reach numpy, and no buffer backs two arrays.

Before loading, the opcodes are walked once (:func:`scan`): lengths must lie in
the file and memo indices follow one another, for CPython's unpickler makes
room for a memo index before it checks anything (a nine-byte pickle made it fill
gigabytes with zeros). After loading, the tree is checked as any ArrayDict: a
container reached twice (a pickle is a graph, an ArrayDict a tree) is refused,
and an array or string that appears in several places counts each time against
the read's limit (``max_ratio``).

:func:`write` pickles plain containers (dict subclasses become ``dict``) with
the highest protocol, so that this reader, vmtk's and ``pickle.load`` all read
the file. A large array that is not contiguous is written a block at a time,
as numpy pickles its contiguous copy, without making that copy.

Examples
--------
>>> import numpy as np, os, tempfile
>>> from vmtkscripts_numpy.storage import pickle as pickle_format
>>> path = os.path.join(tempfile.mkdtemp(), "a.pickle")
>>> _ = pickle_format.write({"Points": np.zeros((2, 3), np.float32), "PointData": {}}, path)
>>> pickle_format.read(path)["Points"].dtype
dtype('float32')
"""

from __future__ import annotations

import functools
import io
import math
import mmap
import os
import pickle
import pickletools
import re
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Protocol, Tuple, cast

import numpy as np

from .._argument_order import data_and_path
from .._atomic import atomic_output
from .._preallocate import Writeback, prefer_huge_pages, release_unused
from ..errors import ArrayDictError, DataFileError
from . import _files, _limits, _tree

NAME = "pickle"

try:  # numpy >= 2 (numpy 1.26 also has these, as aliases)
    from numpy._core import multiarray as _multiarray
except ImportError:  # pragma: no cover - numpy < 1.26
    from numpy.core import multiarray as _multiarray  # type: ignore[no-redef]


class Refused(pickle.UnpicklingError):
    """A stand-in was called with arguments an ArrayDict's pickle never gives it."""


# Stand-ins for the admitted globals ------------------------------------------------------------------------
class ArrayType:
    """``numpy.ndarray`` (and VTK's ``VTKArray``) as a pickle names it: the type ``_reconstruct`` is given.

    Calling it would make an array of any shape and strides over any buffer, or
    of uninitialised memory: it refuses. Its instances cannot be made.
    """

    __slots__ = ()

    def __new__(cls, *arguments: Any, **keywords: Any) -> "ArrayType":
        raise Refused("numpy.ndarray is not called by the pickle of an array; only _reconstruct is")


class PickledDict(dict):
    """``dict`` (and ``OrderedDict``, ``vividict``) as a pickle may make it: empty, to be filled by the pickle.

    A type, so that a pickle may make it with ``NEWOBJ`` as it makes a
    ``vividict``; ``dict(other)`` would copy a container the pickle may name a
    thousand times, so arguments are refused.
    """

    __slots__ = ()

    def __init__(self, *arguments: Any, **keywords: Any) -> None:
        if arguments or keywords:
            raise Refused("dict() is only called without arguments by the pickle of a dict")
        super().__init__()

    def __setstate__(self, state: Any) -> None:
        if state:
            raise Refused("a dict has no attributes to set")


class PickledList(list):
    """``list`` as a pickle may make it: empty, to be filled by the pickle (see :class:`PickledDict`)."""

    __slots__ = ()

    def __init__(self, *arguments: Any, **keywords: Any) -> None:
        if arguments or keywords:
            raise Refused("list() is only called without arguments by the pickle of a list")
        super().__init__()

    def __setstate__(self, state: Any) -> None:
        if state:
            raise Refused("a list has no attributes to set")


class PickledDtype:
    """What ``numpy.dtype(code, align, copy)`` and its state were given: a dtype is made from it at the end."""

    __slots__ = ("code", "state", "dtype")

    def __init__(self, code: Any) -> None:
        self.code = code
        self.state: Any = None
        self.dtype: Optional[np.dtype] = None  # made once, the first time an array asks for it

    def __setstate__(self, state: Any) -> None:
        if self.state is not None:
            raise Refused("a dtype's state is set twice")
        self.state = state


class PickledArray:
    """An array as the pickle describes it: ``_reconstruct`` then its state, or ``_frombuffer``'s arguments."""

    __slots__ = ("state", "buffer_arguments", "array")

    def __init__(self, buffer_arguments: Optional[Tuple[Any, ...]] = None) -> None:
        self.state: Any = None
        self.buffer_arguments = buffer_arguments
        self.array: Optional[np.ndarray] = None

    def __setstate__(self, state: Any) -> None:
        if self.state is not None or self.buffer_arguments is not None:
            raise Refused("an array's state is set twice")
        self.state = state


class PickledScalar:
    """A numpy scalar as ``multiarray.scalar(dtype, bytes)`` describes it."""

    __slots__ = ("dtype", "data", "value")

    def __init__(self, dtype: Any, data: Any) -> None:
        self.dtype = dtype
        self.data = data
        self.value: Any = None


def _reconstruct(subtype: Any, shape: Any = (0,), typecode: Any = b"b") -> PickledArray:
    if subtype is not ArrayType:
        raise Refused("multiarray._reconstruct makes numpy.ndarray only")
    return PickledArray()


def _frombuffer(buffer: Any, dtype: Any, shape: Any, order: Any, axis_order: Any = None) -> PickledArray:
    return PickledArray((buffer, dtype, shape, order, axis_order))


def _dtype(code: Any, align: Any = False, copy: Any = False) -> PickledDtype:
    return PickledDtype(code)


def _scalar(dtype: Any, data: Any = None) -> PickledScalar:
    return PickledScalar(dtype, data)


def _no_arguments(value: Any, name: str) -> Callable[..., Any]:
    def make(*arguments: Any) -> Any:
        if arguments:
            raise Refused(f"{name}() is only called without arguments by an ArrayDict's pickle")
        return value

    make.__name__ = name
    return make


def _same_type(kind: type, name: str) -> Callable[..., Any]:
    """``kind()`` or ``kind(value)`` of a value already of that type: nothing is parsed or copied."""

    def make(*arguments: Any) -> Any:
        if not arguments:
            return kind()
        if len(arguments) == 1 and type(arguments[0]) is kind:
            return arguments[0]
        raise Refused(f"{name}() is only called on a {name} by an ArrayDict's pickle")

    make.__name__ = name
    return make


def _number(kind: type, name: str) -> Callable[..., Any]:
    """``int``, ``float``, ``bool``, ``complex`` of numbers only: no text to parse."""

    def make(*arguments: Any) -> Any:
        if len(arguments) <= (2 if kind is complex else 1) and all(
            type(argument) in (bool, int, float) for argument in arguments
        ):
            return kind(*arguments)
        raise Refused(f"{name}() is only called on numbers by an ArrayDict's pickle")

    make.__name__ = name
    return make


class _Made:
    """Bytes that stand-ins copy from the pickle's values, counted per load: a pickle names a value once and
    may pass it to a stand-in any number of times."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.made = 0

    def charge(self, nbytes: int) -> None:
        self.made += nbytes
        if self.made > self.limit:
            raise Refused("it copies its own values past its size")

    def encode(self, text: Any, encoding: str = "latin1") -> bytes:
        # Protocol 2 pickles write bytes as _codecs.encode(text, "latin1"); no other codec is needed.
        if encoding not in ("latin1", "latin-1") or type(text) is not str:
            raise Refused(f"_codecs.encode with encoding {str(encoding)[:20]!r}")
        self.charge(len(text))
        return text.encode("latin1")

    def bytearray(self, *arguments: Any) -> bytearray:
        if not arguments:
            return bytearray()
        if len(arguments) == 1 and type(arguments[0]) in (bytes, bytearray):
            self.charge(len(arguments[0]))
            return bytearray(arguments[0])
        raise Refused("bytearray() is only called on bytes by an ArrayDict's pickle")

    def reconstructor(self, cls: Any, base: Any, state: Any) -> Any:
        # Protocol 0 and 1 pickles of dict subclasses (vmtk's vividict): copyreg._reconstructor(cls, dict, items).
        if cls is base and cls in (PickledDict, PickledList):
            kind = dict if cls is PickledDict else list
            if state is None:
                return cls()
            if type(state) is kind or type(state) is cls:
                self.charge(8 * len(state))
                made = cls()
                (dict.update if kind is dict else list.extend)(made, state)
                return made
        raise Refused("copyreg._reconstructor only rebuilds dicts and lists here")


_BUILTINS: Dict[str, Any] = {
    "dict": PickledDict,
    "list": PickledList,
    "tuple": _same_type(tuple, "tuple"),
    "str": _same_type(str, "str"),
    "bytes": _same_type(bytes, "bytes"),
    "bytearray": _Made.bytearray,
    "bool": _number(bool, "bool"),
    "int": _number(int, "int"),
    "float": _number(float, "float"),
    "complex": _number(complex, "complex"),
}

#: Every global a pickle may name, by module: the stand-in it gets. Unbound methods of :class:`_Made` are
#: bound to the load (they count what they copy).
ALLOWED_GLOBALS: Dict[str, Dict[str, Any]] = {
    "builtins": _BUILTINS,
    # Python 2 pickles, and Python 3 ones of protocol 0 to 2 (which name int and str as Python 2 did)
    "__builtin__": {**_BUILTINS, "long": _BUILTINS["int"], "unicode": _BUILTINS["str"]},
    "collections": {"OrderedDict": PickledDict},
    "copyreg": {"_reconstructor": _Made.reconstructor},
    "copy_reg": {"_reconstructor": _Made.reconstructor},
    "_codecs": {"encode": _Made.encode},
    "numpy": {"ndarray": ArrayType, "dtype": _dtype},
}
# vmtk's mesh pickles hold VTK's dataset_adapter.VTKArray, pickled as numpy pickles every ndarray subclass:
# multiarray._reconstruct(VTKArray, (0,), b"b") and then the array's state. Standing for numpy.ndarray, the
# name rebuilds a plain array the same way and admits nothing new. vmtk imports the module as
# vtk.numpy_interface, VTK's own code as vtkmodules.
for _module in ("vtk.numpy_interface.dataset_adapter", "vtkmodules.numpy_interface.dataset_adapter"):
    ALLOWED_GLOBALS[_module] = {"VTKArray": ArrayType}
del _module
for _package in ("numpy.core", "numpy._core"):
    ALLOWED_GLOBALS[_package + ".multiarray"] = {"_reconstruct": _reconstruct, "scalar": _scalar}
    ALLOWED_GLOBALS[_package + ".numeric"] = {"_frombuffer": _frombuffer}
del _package

_BOUND = (_Made.encode, _Made.bytearray, _Made.reconstructor)


def allowed_global(module: str, name: str) -> Optional[Any]:
    """The stand-in a pickle gets for ``module.name``, or None if it is refused.

    Examples
    --------
    >>> allowed_global("vmtk.vmtksurfacetonumpy", "vividict") is allowed_global("builtins", "dict")
    True
    >>> allowed_global("vtk.numpy_interface.dataset_adapter", "VTKArray") is allowed_global("numpy", "ndarray")
    True
    >>> allowed_global("os", "system") is None
    True
    """
    if name == "vividict" and (module == "vmtk" or module.startswith("vmtk.")):
        return PickledDict
    return ALLOWED_GLOBALS.get(module, {}).get(name)


class RefusedGlobal(pickle.UnpicklingError):
    """A pickle named a global that an ArrayDict never holds."""

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name
        super().__init__(f"{module}.{name}")


class SafeUnpickler(pickle.Unpickler):
    """An unpickler that builds data only: globals outside :data:`ALLOWED_GLOBALS` are refused.

    Refusal happens when the global is looked up, before anything is called,
    so a hostile pickle stops with :class:`RefusedGlobal` and runs nothing. Use
    :func:`loads` or :func:`read`, which also scan the opcodes first and build
    the arrays from what this unpickler records.
    """

    def __init__(self, file: Any, copy_limit: float = math.inf) -> None:
        # latin1 lets numpy arrays pickled by Python 2 load; Python 3 pickles are unaffected.
        super().__init__(file, encoding="latin1")
        self._made = _Made(copy_limit)

    def find_class(self, module: str, name: str) -> Any:
        found = allowed_global(module, name)
        if found is None:
            raise RefusedGlobal(module, name)
        if found in _BOUND:
            return functools.partial(found, self._made)
        return found

    def persistent_load(self, pid: Any) -> Any:
        raise pickle.UnpicklingError("persistent ids are not supported")


# The opcode scan ------------------------------------------------------------------------------------------
def _opcode_table() -> Tuple[List[int], Dict[int, str]]:
    """Per opcode byte: the length of its fixed argument (-1 if none), and how to skip or refuse the others."""
    fixed = [-1] * 256
    special: Dict[int, str] = {}
    for opcode in pickletools.opcodes:
        code = ord(opcode.code)
        argument = opcode.arg
        if argument is None:
            fixed[code] = 0
        elif argument.name == "stringnl_noescape_pair":
            special[code] = "two lines"
        elif argument.n == pickletools.UP_TO_NEWLINE:
            special[code] = "line"
        elif argument.n >= 0:
            fixed[code] = argument.n
        else:
            special[code] = {
                pickletools.TAKEN_FROM_ARGUMENT1: "length1",
                pickletools.TAKEN_FROM_ARGUMENT4: "length4",
                pickletools.TAKEN_FROM_ARGUMENT4U: "length4",
                pickletools.TAKEN_FROM_ARGUMENT8U: "length8",
            }[argument.n]
    for name in ("PERSID", "BINPERSID", "EXT1", "EXT2", "EXT4", "NEXT_BUFFER", "READONLY_BUFFER"):
        special[ord(_CODES[name])] = "refused " + name
    return fixed, special


_CODES = {opcode.name: opcode.code for opcode in pickletools.opcodes}
_FIXED, _SPECIAL = _opcode_table()
#: Opcodes with a fixed argument and nothing to check, by byte: 1 + the argument's length (0 for the others).
_PLAIN = [0 if size < 0 or code in _SPECIAL or code in (0x71, 0x72, 0x95, 0x2E, 0x80) else size + 1
          for code, size in enumerate(_FIXED)]
#: Opcodes followed by a count of bytes, by byte: the count's width (0 for the others).
_COUNTED = [{"length1": 1, "length4": 4, "length8": 8}.get(_SPECIAL.get(code, ""), 0) for code in range(256)]


class ScanError(ValueError):
    """A pickle holds what no pickler writes (not an UnpicklingError: CPython's unpickler turns those into
    "Ran out of input" when they come from reading)."""


class Scanner:
    """Walks the opcodes of a pickle as its bytes come, and refuses what no pickler writes before any runs.

    CPython's unpickler takes a memo index, a frame or a byte count at its word
    and makes room for it before looking further: a ``LONG_BINPUT`` of 2**31
    in a nine-byte pickle fills 32 GiB with zeros. Here every count must lie
    within the file, and a memo index may not pass the number of bytes before
    it (picklers number memo entries 0, 1, 2, ..., one opcode each); persistent
    ids, extension codes and out-of-band buffers are refused. Nothing after the
    first ``STOP`` is looked at.

    :meth:`feed` takes the bytes at an offset of the file, in any pieces, as
    often as they are handed out (the unpickler peeks before it reads), and
    scans each complete opcode once; the bytes an opcode's count covers (an
    array's data) are skipped, not looked at. :meth:`finish` says whether the
    ``STOP`` was seen.

    Parameters
    ----------
    size : int
        The file's size: no count may reach past it.

    Examples
    --------
    >>> Scanner(9).feed(0, b"\\x80\\x02N" + b"r\\x00\\x00\\x00\\x80" + b".")
    Traceback (most recent call last):
    ...
    vmtkscripts_numpy.storage.pickle.ScanError: memo index 2147483648 at byte 3, past the entries the opcodes before it can make
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.position = 0  # offset of the first byte not scanned (or the end of a skipped count)
        self.pending = bytearray()  # bytes from position on, short of a whole opcode
        self.stopped = False

    def feed(self, start: int, data: Any) -> None:
        """Scan whatever of ``data`` (the bytes at offset ``start``) has not been scanned."""
        if self.stopped:
            return
        known = self.position + len(self.pending)
        end = start + len(data)
        first = max(known, self.position, start)
        if end <= first:
            return
        if start > known:
            raise ScanError(f"bytes {known} to {start} of the pickle were never scanned")
        piece = memoryview(data)[first - start:]
        if self.pending:
            self.pending += piece
            chunk, base = bytes(self.pending), self.position
        else:
            chunk, base = bytes(piece), first
        scanned = self.walk(chunk, base)
        if self.stopped:
            self.pending = bytearray()
        elif scanned < base + len(chunk):
            self.pending = bytearray(chunk[scanned - base:])
            self.position = scanned
        else:
            self.pending = bytearray()
            self.position = scanned

    def finish(self) -> None:
        """Raise EOFError unless the ``STOP`` opcode was seen."""
        if not self.stopped:
            raise EOFError("the pickle ends without its STOP opcode")

    def refuse_memo(self, index: int, start: int) -> None:
        # Picklers number memo entries 0, 1, 2, ..., each made by an opcode of its own: an index past the
        # opcodes before it would make CPython's unpickler grow its memo for nothing (eight bytes an index).
        if index > start:
            raise ScanError(f"memo index {index} at byte {start}, past the entries the opcodes before it can make")

    def refuse_count(self, length: int, end: int, start: int) -> None:
        if end + length > self.size:
            raise EOFError(f"the opcode at byte {start} counts {length} bytes, past the end of the file")

    def walk(self, chunk: bytes, base: int) -> int:
        """Scan the whole opcodes of ``chunk`` (at offset ``base``); the offset where scanning stopped.

        That offset may lie past the chunk: the rest of a count is skipped.
        """
        fixed, special, plain, counted = _FIXED, _SPECIAL, _PLAIN, _COUNTED
        data = chunk
        end = len(data)
        position = 0
        while position < end:
            code = data[position]
            step = plain[code]
            if step:  # most opcodes: nothing but their length to know
                if position + step > end:
                    return base + position
                position += step
                continue
            start = position
            width = counted[code]
            if width:  # a count of bytes follows: they must lie in the file, and are skipped
                if position + 1 + width > end:
                    return base + start
                length = int.from_bytes(data[position + 1:position + 1 + width], "little")
                position += 1 + width
                self.refuse_count(length, base + position, base + start)
                position += length
                continue
            size = fixed[code]
            if size >= 0:
                if position + 1 + size > end:
                    return base + start
                argument = position + 1
                if code == 0x71 or code == 0x72:  # BINPUT, LONG_BINPUT
                    self.refuse_memo(int.from_bytes(data[argument:argument + size], "little"), base + start)
                elif code == 0x95:  # FRAME
                    self.refuse_count(int.from_bytes(data[argument:argument + 8], "little"), base + argument + 8,
                                      base + start)
                elif code == 0x2E:  # STOP
                    self.stopped = True
                    return base + position + 1
                elif code == 0x80 and data[argument] > pickle.HIGHEST_PROTOCOL:
                    raise ScanError(f"unsupported pickle protocol {data[argument]}")
                elif code in special:
                    raise ScanError(f"it uses {special[code][8:]}, which an ArrayDict's pickle never does")
                position = argument + size
                continue
            kind = special.get(code)
            if kind is None:
                raise ScanError(f"invalid opcode {code:#04x} at byte {base + start}")
            if kind.startswith("refused"):
                raise ScanError(f"it uses {kind[8:]}, which an ArrayDict's pickle never does")
            position = start + 1
            for _ in range(2 if kind == "two lines" else 1):
                newline = data.find(b"\n", position)
                if newline < 0:
                    return base + start
                if code == 0x70:  # PUT: a decimal index
                    text = data[start + 1:newline]
                    if len(text) > 12 or not text.isdigit():
                        raise ScanError(f"memo index {text[:20]!r} at byte {base + start}")
                    self.refuse_memo(int(text), base + start)
                position = newline + 1
        return base + position


def scan(data: bytes) -> None:
    """Scan a whole pickle held in memory (see :class:`Scanner`)."""
    scanner = Scanner(len(data))
    scanner.feed(0, data)
    scanner.finish()


class _BufferedStream(Protocol):
    """A binary stream that can peek (a file opened with ``open(name, "rb")``, an :class:`io.BufferedReader`)."""

    def peek(self, size: int = ..., /) -> bytes: ...

    def read(self, size: Optional[int] = ..., /) -> bytes: ...

    def readinto(self, buffer: Any, /) -> int: ...

    def readline(self, size: Optional[int] = ..., /) -> bytes: ...


class ScannedFile:
    """A file for the unpickler that scans (:class:`Scanner`) every byte before handing it out.

    The unpickler reads an array's data straight into the bytes object it
    makes (``readinto``), so nothing is copied twice, and it can act on no
    opcode that was not scanned.
    """

    def __init__(self, stream: _BufferedStream, size: int) -> None:
        self.stream = stream
        self.offset = 0
        self.scanner = Scanner(size)

    def peek(self, size: int = 0) -> bytes:
        data = self.stream.peek(size)
        self.scanner.feed(self.offset, data)
        return data

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.scanner.feed(self.offset, data)
        self.offset += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        prefer_huge_pages(buffer)  # an array's data, in memory the unpickler has just allocated
        count = self.stream.readinto(buffer)
        self.scanner.feed(self.offset, memoryview(buffer)[:count])
        self.offset += count
        return count

    def readline(self, size: int = -1) -> bytes:
        line = self.stream.readline(size)
        self.scanner.feed(self.offset, line)
        self.offset += len(line)
        return line


# Building the ArrayDict ------------------------------------------------------------------------------------
_DTYPE_CODE = re.compile(r"[A-Za-z][0-9]{0,4}")


def _dtype_from(pickled: Any, path: _tree.Path) -> np.dtype:
    """A plain numpy dtype made afresh from a pickled dtype's code and state, or an ArrayDictError."""
    if type(pickled) is PickledDtype and pickled.dtype is not None:
        return pickled.dtype
    where = _tree.path_text(path)
    if type(pickled) is not PickledDtype:
        raise ArrayDictError(f"{where}: the array's dtype is a {type(pickled).__name__}, not a numpy dtype")
    code, state = pickled.code, pickled.state
    if type(code) is bytes:
        code = code.decode("latin1")
    if type(code) is not str or not _DTYPE_CODE.fullmatch(code):
        raise ArrayDictError(f"{where}: dtype {str(code)[:20]!r} is not a plain dtype code")
    try:
        dtype = np.dtype(code)
    except TypeError:
        raise ArrayDictError(f"{where}: dtype {code!r} is not known to this numpy") from None
    if state is not None:
        if not (type(state) is tuple and len(state) in (8, 9) and state[0] in (3, 4)):
            raise ArrayDictError(f"{where}: dtype {code} has a state numpy does not write")
        _, byteorder, subarray, names, fields, itemsize = state[:6]
        if subarray is not None or names is not None or fields is not None:
            raise ArrayDictError(f"{where}: dtype {code} cannot be stored: structured (record) and subarray "
                                 "dtypes are not supported")
        if byteorder not in ("<", ">", "|", "="):
            raise ArrayDictError(f"{where}: dtype {code} has the byte order {str(byteorder)[:8]!r}")
        if dtype.kind in "SU":
            unit = 4 if dtype.kind == "U" else 1
            if type(itemsize) is not int or itemsize < 0 or itemsize % unit or itemsize > 1 << 31:
                raise ArrayDictError(f"{where}: dtype {code} has the item size {str(itemsize)[:20]}")
            dtype = np.dtype(f"{dtype.kind}{itemsize // unit}")
        if byteorder in "<>":
            dtype = np.dtype(dtype.newbyteorder(byteorder).str)  # numpy's own dtype object where there is one
    _tree.check_dtype(dtype, path)
    pickled.dtype = dtype
    return dtype


def _buffer(data: Any, path: _tree.Path, used: Dict[int, _tree.Path]) -> Any:
    """The bytes behind an array: bytes or bytearray (Python 2's str as latin-1), each backing one array."""
    if type(data) is str:
        data = data.encode("latin1")
    if type(data) not in (bytes, bytearray):
        raise ArrayDictError(f"{_tree.path_text(path)}: the array's data is a {type(data).__name__}, not bytes")
    # Python shares empty and one-byte bytes objects between values; anything longer backs one array.
    if len(data) > 1:
        first = used.setdefault(id(data), path)
        if first is not path:
            raise ArrayDictError(f"{_tree.path_text(path)}: its data is the data of {_tree.path_text(first)} too; "
                                 "each array has its own")
    return data


def _shape(shape: Any, path: _tree.Path) -> Tuple[int, ...]:
    if type(shape) is tuple and len(shape) <= 64:
        for length in shape:
            if type(length) is not int or length < 0:
                break
        else:
            return shape
    raise ArrayDictError(f"{_tree.path_text(path)}: the array's shape {str(shape)[:60]} is not a tuple of lengths")


def _array_from(pickled: PickledArray, path: _tree.Path, used: Dict[int, _tree.Path]) -> np.ndarray:
    """The array a :class:`PickledArray` describes, built by numpy from checked parts."""
    if pickled.array is not None:
        return pickled.array
    if pickled.buffer_arguments is not None:
        data, pickled_dtype, shape, order, axis_order = pickled.buffer_arguments
        dtype = _dtype_from(pickled_dtype, path)
        shape = _shape(shape, path)
        data = _buffer(data, path, used)
        if len(data) != math.prod(shape) * dtype.itemsize:
            raise ArrayDictError(f"{_tree.path_text(path)}: {len(data)} bytes of data for {shape} {dtype}")
        array = np.frombuffer(data, dtype)
        if order == "K" and axis_order is not None:
            # numpy >= 2.4 pickles arrays in any memory order as C-ordered data and the order of the axes.
            if type(axis_order) is not tuple or sorted(axis_order) != list(range(len(shape))):
                raise ArrayDictError(f"{_tree.path_text(path)}: the axis order {str(axis_order)[:60]} is not one of {len(shape)} "
                                     "axes")
            array = array.reshape(shape, order="C").transpose(axis_order)
        elif order in ("C", "F") and axis_order is None:
            array = array.reshape(shape, order=order)
        else:
            raise ArrayDictError(f"{_tree.path_text(path)}: the memory order {str(order)[:8]!r} is not C, F or K")
    else:
        state = pickled.state
        if type(state) is not tuple or len(state) not in (4, 5) or (len(state) == 5 and state[0] != 1):
            raise ArrayDictError(f"{_tree.path_text(path)}: the array has no state numpy writes (was it cut short?)")
        shape, pickled_dtype, fortran, data = state[-4:]
        dtype = _dtype_from(pickled_dtype, path)
        shape = _shape(shape, path)
        if type(fortran) not in (bool, int) or fortran not in (0, 1):
            raise ArrayDictError(f"{_tree.path_text(path)}: the array's Fortran flag is {str(fortran)[:20]}")
        data = _buffer(data, path, used)
        if len(data) != math.prod(shape) * dtype.itemsize:
            raise ArrayDictError(f"{_tree.path_text(path)}: {len(data)} bytes of data for {shape} {dtype}")
        if dtype.isnative or dtype.byteorder == "|":
            # numpy's own unpickling of these checked parts: its copies and alignment are kept
            array = cast(np.ndarray, _multiarray._reconstruct(np.ndarray, (0,), b"b"))
            # numpy takes an int or a bool for the Fortran flag; its stubs ask for a numpy.bool
            array.__setstate__(cast(Any, (1, shape, dtype, bool(fortran), data)))
        else:
            # numpy would swap the bytes and make the dtype native; the file says big-endian (say), and the
            # array comes back as written, as from protocol 5 on
            array = np.frombuffer(data, dtype).reshape(shape, order="F" if fortran else "C").copy(order="K")
    pickled.array = array
    return array


def _scalar_from(pickled: PickledScalar, path: _tree.Path) -> Any:
    if pickled.value is None:
        dtype = _dtype_from(pickled.dtype, path)
        data = pickled.data.encode("latin1") if type(pickled.data) is str else pickled.data
        if type(data) is not bytes or len(data) != dtype.itemsize:
            raise ArrayDictError(f"{_tree.path_text(path)}: a numpy {dtype} scalar made of {str(data)[:40]}")
        pickled.value = _multiarray.scalar(dtype, data)
    return pickled.value


class _Builder:
    """Turns what the unpickler made into an ArrayDict: plain containers, arrays built, every path charged."""

    def __init__(self, budget: _limits.Budget) -> None:
        self.budget = budget
        self.containers: Dict[int, _tree.Path] = {}
        self.buffers: Dict[int, _tree.Path] = {}

    def build(self, value: Any, path: _tree.Path) -> Any:
        if type(value) is tuple and not value:
            return ()  # Python shares the empty tuple between values
        if isinstance(value, (dict, list, tuple)):
            if len(path) > _tree.MAX_DEPTH:
                raise ArrayDictError(f"{_tree.path_text(path[:_tree.MAX_DEPTH])}: nested more than "
                                     f"{_tree.MAX_DEPTH} levels deep")
            first = self.containers.setdefault(id(value), path)
            if first is not path:
                kind = "dict" if isinstance(value, dict) else "list" if isinstance(value, list) else "tuple"
                raise ArrayDictError(f"{_tree.path_text(path)}: is the same {kind} as {_tree.path_text(first)} "
                                     "(the pickle is a graph, not a tree)")
            if isinstance(value, dict):
                return {
                    _tree.check_key(key, path): self.build(child, path + (key,)) for key, child in value.items()
                }
            items = [self.build(child, path + (index,)) for index, child in enumerate(value)]
            return items if isinstance(value, list) else tuple(items)
        if type(value) is PickledArray:
            value = _array_from(value, path, self.buffers)
            self.budget.charge(value.nbytes, path)
            return value
        if type(value) is PickledScalar:
            value = _scalar_from(value, path)
        elif type(value) is str:
            self.budget.charge(len(value), path)
        return _tree.leaf_kind(value, path)[1]


@_files.one_line_errors
def loads(data: bytes, source: str = "<bytes>", max_ratio: float = _limits.DEFAULT_MAX_RATIO) -> Dict[str, Any]:
    """Unpickle ``data`` safely and check it is an ArrayDict; ``source`` names it in errors.

    ``max_ratio`` bounds the data given back as in :func:`read`.
    """
    stream = io.BufferedReader(io.BytesIO(data))  # peek, as a file has
    return _load(stream, len(data), source, _limits.Budget(source, len(data), max_ratio))


def _load(stream: _BufferedStream, size: int, source: str, budget: _limits.Budget) -> Dict[str, Any]:
    try:
        scanned = ScannedFile(stream, size)
        loaded = SafeUnpickler(scanned, copy_limit=size + _limits.ALLOWANCE).load()
        scanned.scanner.finish()
    except RefusedGlobal as refused:
        raise DataFileError(
            source,
            f"refused to unpickle: it asks for {refused.module}.{refused.name}, which is not part of an "
            "ArrayDict (only dicts, lists, strings, numbers and numpy arrays are loaded); "
            "if you trust this file, load it with pickle.load yourself",
        ) from None
    except Refused as refused:
        raise DataFileError(source, f"refused to unpickle: {refused}") from None
    except (EOFError, pickle.UnpicklingError, ScanError) as error:
        detail = str(error) or type(error).__name__
        if isinstance(error, EOFError) or "truncated" in detail:
            raise DataFileError(source, f"is truncated (the pickle ends early: {detail})") from None
        raise _files.not_the_format(source, NAME, detail) from None
    except OSError as error:
        raise DataFileError(source, f"cannot be read: {error.strerror or error}", error.errno) from None
    except (MemoryError, RecursionError) as error:
        raise DataFileError(source, f"cannot be unpickled ({type(error).__name__})") from None
    except Exception as error:  # bad arguments to a stand-in or an opcode, e.g. a damaged pickle
        raise DataFileError(source, f"is damaged: {type(error).__name__}: {error}") from None
    if not isinstance(loaded, dict):
        kind = {PickledArray: "ndarray", PickledScalar: "numpy scalar"}.get(type(loaded), type(loaded).__name__)
        raise DataFileError(source, f"holds a {kind}, not an ArrayDict (a dict)")
    try:
        return _Builder(budget).build(loaded, ())
    except ArrayDictError as error:
        raise DataFileError(source, f"does not hold an ArrayDict: {error}") from None
    except (MemoryError, RecursionError) as error:
        raise DataFileError(source, f"cannot be unpickled ({type(error).__name__})") from None
    except (TypeError, ValueError) as error:  # numpy refusing parts it was given (they were checked first)
        raise DataFileError(source, f"is damaged: {type(error).__name__}: {error}") from None


@_files.one_line_errors
def read(path: _files.PathLike, max_ratio: float = _limits.DEFAULT_MAX_RATIO) -> Dict[str, Any]:
    """Read the ArrayDict in the pickle file ``path`` without running any code from it.

    Reads this package's files, vmtk's (``vividict`` becomes ``dict``, VTK's
    ``VTKArray`` in vmtk's mesh pickles a plain ``numpy.ndarray``) and numpy 1
    and 2 pickles alike.

    Parameters
    ----------
    path : str or path-like
        The file.
    max_ratio : float
        The most bytes of data the read gives back per byte of the file, plus
        16 MiB, counting an array each time it appears (see
        :mod:`vmtkscripts_numpy.storage._limits`).

    Raises
    ------
    DataFileError
        If the file is missing, empty, truncated, not a pickle, names a global
        that is not admitted, calls one in a way no ArrayDict's pickle does,
        does not hold an ArrayDict (a container in two places counts as not
        one) or gives back more than ``max_ratio`` allows.
    """
    name = _files.check_readable(path, NAME)
    size = os.path.getsize(name)
    budget = _limits.Budget(name, size, max_ratio)
    try:
        stream = open(name, "rb")
    except OSError as error:
        raise DataFileError(name, f"cannot be read: {error.strerror or error}", error.errno) from None
    with stream:
        return _load(stream, size, name, budget)


def write(array_dict: Mapping[str, Any], path: _files.PathLike, protocol: int = pickle.HIGHEST_PROTOCOL) -> Path:
    """Write ``array_dict`` to ``path`` as a pickle of plain containers and numpy arrays, atomically; returns ``path``.

    Parameters
    ----------
    array_dict : dict
        The ArrayDict; checked first (see :mod:`vmtkscripts_numpy.storage._tree`).
        (The older order ``write(path, array_dict)`` still works, with a
        :class:`~vmtkscripts_numpy.errors.VmtkNumpyDeprecationWarning`.)
    path : str or path-like
        The file written, exactly as given (no extension is added here).
    protocol : int
        The pickle protocol, 2 to :data:`pickle.HIGHEST_PROTOCOL` (default).

    Raises
    ------
    ArrayDictError
        If ``array_dict`` holds something that cannot be stored; nothing is written.
    DataFileError
        If the file cannot be written; an earlier file at ``path`` is left intact.
    """
    array_dict, path = data_and_path(array_dict, path, "pickle.write")
    if not 2 <= protocol <= pickle.HIGHEST_PROTOCOL:
        raise ValueError(f"pickle protocol must be 2 to {pickle.HIGHEST_PROTOCOL}, not {protocol}")
    stand_ins = _StandIns() if protocol >= 5 else None
    tree = _tree.plain(array_dict, stand_ins)
    with atomic_output(path) as temporary:
        with open(temporary, "wb") as stream:
            _files.reserve_for(stream, _files.array_bytes(array_dict))
            pickle.dump(tree, _WritebackStream(stream, stand_ins), protocol=protocol)
        if stand_ins:  # CPython's pickler hands them over; a pickler that copies them wrote zeros
            raise RuntimeError(f"{path}: not written, for this Python's pickler copies buffers instead of handing "
                               f"them to the file; make the arrays that are not contiguous contiguous first")
        release_unused(temporary)
    return Path(path)


#: Arrays that are neither C- nor Fortran-contiguous and at least this large are written block by block.
STREAMED_FROM = 1 << 20
#: Bytes of such an array copied at a time into the block written.
STREAM_BLOCK = 1 << 20


class _StreamedArray:
    """Pickles a large array that is not contiguous as numpy pickles a contiguous copy of it, without the copy.

    numpy pickles such an array from ``tobytes()``, a copy of it whole. This
    stand-in reduces to what numpy gives for a contiguous array under
    protocol 5: ``_frombuffer(buffer, dtype, shape, order)``, in the order
    closer to the array's strides (so the file holds what pickling
    ``np.ascontiguousarray(array)`` or ``np.asfortranarray(array)`` gives).
    ``buffer`` is an anonymous memory map of the right length, never touched,
    so it takes no memory: the pickler hands a buffer this large to the
    file's ``write`` whole, and :class:`_WritebackStream` writes the array's
    bytes in its place, a block at a time (:meth:`write_to`).
    """

    def __init__(self, array: np.ndarray) -> None:
        self.array = array
        self.order = "F" if _files.fastest_axis(array) == 0 and array.ndim > 1 else "C"
        private = {"flags": mmap.MAP_PRIVATE} if hasattr(mmap, "MAP_PRIVATE") else {}  # (Windows has no flags)
        self.placeholder = mmap.mmap(-1, array.nbytes, **private)

    def __reduce_ex__(self, protocol: Any) -> Tuple[Any, ...]:
        frombuffer = np.zeros(1).__reduce_ex__(5)[0]  # numpy's own (numpy 1 and 2 name it differently)
        buffer = pickle.PickleBuffer(self.placeholder)
        return frombuffer, (buffer, self.array.dtype, self.array.shape, self.order)

    def write_to(self, write: Callable[[Any], Any]) -> None:
        """Hand the array's bytes, in :attr:`order`, to ``write`` in blocks of about :data:`STREAM_BLOCK` bytes."""
        in_c_order = self.array.T if self.order == "F" else self.array  # Fortran order is C order of the transpose
        block = np.empty(max(1, STREAM_BLOCK // self.array.dtype.itemsize), self.array.dtype)
        for piece in _files.c_ordered_pieces(in_c_order, len(block)):
            staged = block[:piece.size].reshape(piece.shape)
            np.copyto(staged, piece)
            write(staged.data.cast("B"))


class _StandIns(Dict[int, _StreamedArray]):
    """The :class:`_StreamedArray` stand-ins of a pickle being written, by their placeholder, until written.

    Called with an array, as :func:`~vmtkscripts_numpy.storage._tree.plain` calls
    it, it returns the array or, for a large one that is not contiguous, its stand-in.
    """

    def __init__(self) -> None:
        super().__init__()
        self.of_array: Dict[int, _StreamedArray] = {}  # an array in several places has one stand-in, pickled once

    def __call__(self, array: np.ndarray) -> Any:
        if array.nbytes < STREAMED_FROM or array.flags.c_contiguous or array.flags.f_contiguous:
            return array
        stand_in = self.of_array.get(id(array))
        if stand_in is None:
            stand_in = self.of_array[id(array)] = _StreamedArray(array)
            self[id(stand_in.placeholder)] = stand_in
        return stand_in

    def take(self, data: Any) -> Optional[_StreamedArray]:
        """The stand-in whose placeholder ``data`` is (a view of), now handed over; else None."""
        with memoryview(data) as view:
            return self.pop(id(view.obj), None)


class _WritebackStream:
    """The file ``pickle.dump`` writes to, starting the file's writeback as it goes (see :class:`Writeback`).

    The pickler hands an array's whole memory to one ``write``; it is written
    here in pieces of :data:`~vmtkscripts_numpy._preallocate.WRITEBACK_EVERY`
    bytes, with the writeback started after each, so that the ``fsync`` at the
    end finds little left to write. The placeholder of one of ``stand_ins`` is
    replaced by the bytes of its array.
    """

    def __init__(self, stream: Any, stand_ins: Optional[_StandIns] = None) -> None:
        self.stream = stream
        self.writeback = Writeback(stream.fileno())
        self.stand_ins = stand_ins

    def write(self, data: Any) -> int:
        size = memoryview(data).nbytes
        if size >= STREAMED_FROM and self.stand_ins:
            stand_in = self.stand_ins.take(data)
            if stand_in is not None:
                stand_in.write_to(self.write)
                return size
        step = self.writeback.every
        if size <= step:
            self.stream.write(data)
            self.writeback.wrote(size)
            return size
        try:
            raw = memoryview(data).cast("B")
        except TypeError:  # a buffer that is not C-contiguous (Fortran order): its bytes in memory order
            raw = pickle.PickleBuffer(data).raw()
        for start in range(0, size, step):
            piece = raw[start:start + step]
            self.stream.write(piece)
            self.writeback.wrote(len(piece))
        return size
