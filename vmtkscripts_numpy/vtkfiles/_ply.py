"""A completeness check for PLY files, made before ``vtkPLYReader`` sees them.

``vtkPLYReader`` crashes the Python process on a truncated binary PLY file and
returns made-up geometry for a truncated ASCII one. :func:`check_complete`
reads the header, then walks the elements it declares (using each face's
vertex count) and raises :class:`~vmtkscripts_numpy.errors.DataFileError` if
the file ends early. Faces that all have the same number of vertices (the
usual triangles) are checked in one vectorized step.
"""

from __future__ import annotations

import mmap
import re
from pathlib import Path
from typing import List, Tuple

import numpy as np

from ..errors import DataFileError

#: PLY scalar types -> numpy type codes.
PLY_TYPES = {
    "char": "i1", "int8": "i1", "uchar": "u1", "uint8": "u1",
    "short": "i2", "int16": "i2", "ushort": "u2", "uint16": "u2",
    "int": "i4", "int32": "i4", "uint": "u4", "uint32": "u4",
    "float": "f4", "float32": "f4", "double": "f8", "float64": "f8",
}

Property = Tuple[str, ...]  # ("scalar", type) or ("list", count type, item type)
Element = Tuple[str, int, List[Property]]


def _header(data: "mmap.mmap", path: Path) -> Tuple[str, List[Element], int]:
    end = re.compile(rb"end_header[ \t]*\r?\n").search(data, 0, 1 << 16)
    if not data[:3] == b"ply" or end is None:
        raise DataFileError(path, "is not a PLY file: no 'ply' ... 'end_header' header")
    elements: List[Element] = []
    form = ""
    for raw in data[: end.start()].decode("latin-1").splitlines()[1:]:
        words = raw.split()
        if not words or words[0] in ("comment", "obj_info"):
            continue
        try:
            if words[0] == "format":
                form = words[1]
            elif words[0] == "element":
                elements.append((words[1], int(words[2]), []))
            elif words[0] == "property" and words[1] == "list":
                elements[-1][2].append(("list", PLY_TYPES[words[2]], PLY_TYPES[words[3]]))
            elif words[0] == "property":
                elements[-1][2].append(("scalar", PLY_TYPES[words[1]]))
        except (IndexError, KeyError, ValueError):
            raise DataFileError(path, f"has a PLY header line that cannot be understood: {raw.strip()!r}") from None
    if form not in ("ascii", "binary_little_endian", "binary_big_endian"):
        raise DataFileError(path, f"has an unknown PLY format {form!r}")
    return form, elements, end.end()


def _truncated(path: Path, element: str) -> DataFileError:
    return DataFileError(path, f"is truncated: it ends inside its PLY '{element}' elements")


def _binary(data: "mmap.mmap", elements: List[Element], position: int, order: str, path: Path) -> None:
    size = len(data)
    for name, count, properties in elements:
        if all(kind == "scalar" for kind, *_ in properties):
            position += count * sum(np.dtype(p[1]).itemsize for p in properties)
            if position > size:
                raise _truncated(path, name)
            continue
        if count and len(properties) == 1:
            # One list per element: try "every list has the length of the first" in one step.
            _, count_type, item_type = properties[0]
            count_size, item_size = np.dtype(count_type).itemsize, np.dtype(item_type).itemsize
            if position + count_size <= size:
                first = int(np.frombuffer(data, order + count_type, 1, position)[0])
                stride = count_size + first * item_size
                if first >= 0 and position + count * stride <= size and bool(
                    np.all(np.ndarray((count,), order + count_type, data, position, (stride,)) == first)
                ):
                    position += count * stride
                    continue
        for _ in range(count):  # lists of varying lengths: walk them
            for kind, *types in properties:
                if kind == "list":
                    if position + np.dtype(types[0]).itemsize > size:
                        raise _truncated(path, name)
                    length = int(np.frombuffer(data, order + types[0], 1, position)[0])
                    position += np.dtype(types[0]).itemsize + length * np.dtype(types[1]).itemsize
                else:
                    position += np.dtype(types[0]).itemsize
            if position > size:
                raise _truncated(path, name)


def _ascii(data: "mmap.mmap", elements: List[Element], position: int, path: Path) -> None:
    words = data[position:].split()
    index = 0
    for name, count, properties in elements:
        if all(kind == "scalar" for kind, *_ in properties):
            index += count * len(properties)
        elif count and len(properties) == 1 and index < len(words):
            # One list per element: "every list has the length of the first" checked in one step.
            first = words[index]
            try:
                stride = 1 + int(float(first))
            except ValueError:
                raise DataFileError(path, f"has a non-numeric list length in its PLY '{name}' elements") from None
            if set(words[index: index + count * stride: stride]) == {first} and index + count * stride <= len(words):
                index += count * stride
            else:
                for _ in range(count):  # lists of varying lengths: walk them
                    if index >= len(words):
                        raise _truncated(path, name)
                    index += 1 + int(float(words[index]))
        else:
            for _ in range(count):
                for kind, *_ in properties:
                    if index >= len(words):
                        raise _truncated(path, name)
                    index += 1 + int(float(words[index])) if kind == "list" else 1
        if index > len(words):
            raise _truncated(path, name)


def check_complete(path: Path) -> None:
    """Raise :class:`DataFileError` unless ``path`` is a PLY file with every element it declares."""
    with open(path, "rb") as stream:
        try:
            data = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # empty file: check_readable reports it
            return
        try:
            form, elements, position = _header(data, path)
            if form == "ascii":
                _ascii(data, elements, position, path)
            else:
                _binary(data, elements, position, "<" if form == "binary_little_endian" else ">", path)
        except (ValueError, OverflowError):
            raise DataFileError(path, "has damaged PLY data (a list length that is not a count)") from None
        finally:
            data.close()
