"""The packed cohort's layout, in one place: how a case's tree becomes a skeleton plus column leaves, and back.

A case's ArrayDict is split in two:

- its **skeleton**: the tree of dicts (keys in order), lists and tuples, with
  the small leaves inline (strings, python numbers, numpy scalars, bit-exact)
  and, for each array, the number of the *column* that holds it;
- its **arrays**, each appended to its column: all arrays of one shard found
  at the same place (``PointData/Radius``; list items are ``*``:
  ``CellData/CellPointIds/*``) with the same dtype and number of dimensions
  are one column, stored as one concatenated dataset.

A skeleton node is a JSON list whose first item says what it is:

==========================  ==================================================
``["d", [[key, node], ...]]``   a dict, keys in order
``["l", [node, ...]]``          a list (``"t"``: a tuple)
``["L", column, count]``        a list of arrays all in one column (``"T"``: a tuple);
                                ``count`` is null when the list is in no other
                                list: it then holds all of the case's arrays of
                                that column, so equal cases share one skeleton
``["a", column]``               an array (``"aF"``: one to give back in Fortran order)
``["s", text]``                 a ``str``
``["b", true]``, ``["i", 7]``   a python ``bool``, ``int``
``["f", hex]``, ``["c", hex, hex]``  a python ``float`` / ``complex`` (``float.hex``: exact)
``["n", dtype, hex bytes]``     a numpy scalar
==========================  ==================================================

Reading a case walks its skeleton and takes, for each array node, the next of
the case's arrays in that column: arrays are appended in the same walk order.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import numpy as np

from ..storage import check_key, leaf_kind

#: Written in each shard and in the cohort's manifest; a reader refuses a newer version.
LAYOUT_VERSION = 1
FORMAT_NAME = "vmtkscripts_numpy packed cohort"
MANIFEST_NAME = "cohort.json"

#: A column's identity in a shard: the place of its arrays, their dtype (``dtype.str``) and ndim.
ColumnKey = Tuple[str, str, int]


def needs_fortran_flag(array: np.ndarray) -> bool:
    """Whether an array should come back in Fortran order (as pickle and npz keep it; HDF5 stores C order)."""
    return array.ndim >= 2 and array.flags.f_contiguous and not array.flags.c_contiguous


class Columns:
    """The columns of one shard being built: their keys, numbered in order of first use, and their arrays."""

    def __init__(self) -> None:
        self.number: Dict[ColumnKey, int] = {}
        self.keys: List[ColumnKey] = []
        self.arrays: List[List[np.ndarray]] = []
        # per column, per case: how many arrays the case put there
        self.counts: List[Dict[int, int]] = []
        self.nbytes = 0

    def add(self, key: ColumnKey, array: np.ndarray, case: int) -> int:
        column = self.number.get(key)
        if column is None:
            column = self.number[key] = len(self.keys)
            self.keys.append(key)
            self.arrays.append([])
            self.counts.append({})
        self.arrays[column].append(array)
        self.counts[column][case] = self.counts[column].get(case, 0) + 1
        self.nbytes += array.nbytes
        return column


def encode(tree: Any, columns: Columns, case: int) -> str:
    """The skeleton of ``tree`` as compact JSON; its arrays go to ``columns`` under ``case``.

    Raises
    ------
    ArrayDictError
        For anything a file cannot hold (the message names the key path).
    """
    if not isinstance(tree, dict):
        from ..errors import ArrayDictError

        raise ArrayDictError(f"ArrayDict: expected a dict, found {type(tree).__name__}")
    return json.dumps(_encode(tree, "", (), columns, case, False), separators=(",", ":"), ensure_ascii=False)


def _join(place: str, key: str) -> str:
    return f"{place}/{key}" if place else key


def _encode(value: Any, place: str, path: tuple, columns: Columns, case: int, in_list: bool) -> Any:
    if isinstance(value, dict):
        return ["d", [[check_key(key, path), _encode(child, _join(place, key), path + (key,), columns, case, in_list)]
                      for key, child in value.items()]]
    if isinstance(value, (list, tuple)):
        items = [leaf_kind(item, path + (index,))[1] if isinstance(item, np.ndarray) else item
                 for index, item in enumerate(value)]
        place = _join(place, "*")
        first = items[0] if items else None
        if isinstance(first, np.ndarray) and first.ndim >= 1 and all(
            isinstance(item, np.ndarray) and item.dtype.str == first.dtype.str and item.ndim == first.ndim
            and not needs_fortran_flag(item) for item in items
        ):
            key = (place, first.dtype.str, first.ndim)
            column = -1
            for item in items:
                column = columns.add(key, item, case)
            return ["L" if isinstance(value, list) else "T", column, len(items) if in_list else None]
        nodes = [_encode(item, place, path + (index,), columns, case, True) for index, item in enumerate(items)]
        return ["l" if isinstance(value, list) else "t", nodes]
    kind, stored = leaf_kind(value, path)
    if kind == "array":
        column = columns.add((place, stored.dtype.str, stored.ndim), stored, case)
        return ["aF" if needs_fortran_flag(stored) else "a", column]
    if kind == "scalar":
        return ["n", stored.dtype.str, stored.tobytes().hex()]
    if kind == "str":
        return ["s", stored]
    if kind == "bool":
        return ["b", stored]
    if kind == "int":
        return ["i", stored]
    if kind == "float":
        return ["f", stored.hex()]
    return ["c", stored.real.hex(), stored.imag.hex()]


def skeleton_columns(skeleton: Any) -> List[int]:
    """The columns a skeleton takes arrays from (each once, in first-use order)."""
    found: Dict[int, None] = {}
    stack = [skeleton]
    while stack:
        node = stack.pop()
        tag = node[0]
        if tag == "d":
            stack.extend(child for _, child in reversed(node[1]))
        elif tag in ("l", "t"):
            stack.extend(reversed(node[1]))
        elif tag in ("a", "aF", "L", "T"):
            found.setdefault(node[1], None)
    return list(found)


def decode(skeleton: Any, take: Callable[[int, Optional[int]], List[np.ndarray]]) -> Any:
    """The tree a skeleton describes; ``take(column, count)`` gives the next ``count`` arrays (None: the rest)."""
    tag = skeleton[0]
    if tag == "d":
        return {key: decode(child, take) for key, child in skeleton[1]}
    if tag == "l":
        return [decode(child, take) for child in skeleton[1]]
    if tag == "t":
        return tuple(decode(child, take) for child in skeleton[1])
    if tag == "a":
        return take(skeleton[1], 1)[0]
    if tag == "aF":
        return np.asfortranarray(take(skeleton[1], 1)[0])
    if tag == "L":
        return list(take(skeleton[1], skeleton[2]))
    if tag == "T":
        return tuple(take(skeleton[1], skeleton[2]))
    if tag == "s":
        return skeleton[1]
    if tag == "b":
        return bool(skeleton[1])
    if tag == "i":
        return int(skeleton[1])
    if tag == "f":
        return float.fromhex(skeleton[1])
    if tag == "c":
        return complex(float.fromhex(skeleton[1]), float.fromhex(skeleton[2]))
    if tag == "n":
        return np.frombuffer(bytes.fromhex(skeleton[2]), dtype=np.dtype(skeleton[1]))[0]
    raise ValueError(f"unknown skeleton node {tag!r}")


class Cursor:
    """Hands out a case's arrays of each column in order, for :func:`decode`."""

    def __init__(self, pieces: Dict[int, List[np.ndarray]]) -> None:
        self.pieces = pieces
        self.position = {column: 0 for column in pieces}

    def __call__(self, column: int, count: Optional[int]) -> List[np.ndarray]:
        start = self.position[column]
        stop = len(self.pieces[column]) if count is None else start + count
        self.position[column] = stop
        return self.pieces[column][start:stop]


# --- columns as stored: strings as code units, 0-d arrays as one row ---------------------


def stored_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype a column is stored with: unicode as 32-bit code units (HDF5 has no UTF-32 type)."""
    if dtype.kind == "U":
        return np.dtype(("<" if dtype.byteorder in "<=|" else ">") + "u4")
    return dtype


def to_stored(array: np.ndarray) -> np.ndarray:
    """An array as its column stores it: one more axis of code units for unicode, a first axis of 1 for 0-d."""
    if array.dtype.kind == "U":
        characters = array.dtype.itemsize // 4
        array = np.frombuffer(np.ascontiguousarray(array).tobytes(), dtype=stored_dtype(array.dtype)).reshape(
            array.shape + (characters,))
    return array


def from_stored(piece: np.ndarray, dtype: np.dtype, ndim: int) -> np.ndarray:
    """Back from :func:`to_stored` (and the leading axis of a 0-d array)."""
    if ndim == 0:
        piece = piece.reshape(piece.shape[1:])
    if dtype.kind == "U":
        piece = np.ascontiguousarray(piece).view(dtype).reshape(piece.shape[:-1])
    return piece


def iter_leaves(columns: Columns, column: int) -> Iterator[np.ndarray]:
    """A column's arrays as stored (0-d ones with their leading axis)."""
    ndim = columns.keys[column][2]
    for array in columns.arrays[column]:
        stored = to_stored(array)
        yield stored[np.newaxis] if ndim == 0 else stored
