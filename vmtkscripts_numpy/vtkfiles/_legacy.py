"""A completeness check for legacy VTK files, which VTK's readers do not make.

``vtkPolyDataReader`` and its siblings read a truncated legacy file without an
error: they return the sections that were complete, or sections filled with
whatever bytes were there. :func:`check_complete` walks the file's sections
(each declares how many values follow) and raises
:class:`~vmtkscripts_numpy.errors.DataFileError` if the file ends before a
declared section does. It only counts values; VTK still does the reading.
"""

from __future__ import annotations

import ctypes
import mmap
import re
from pathlib import Path
from typing import Optional

from ..errors import DataFileError

#: Bytes per value of each legacy type name (``bit`` is handled apart, ``string`` cannot be counted).
TYPE_SIZES = {
    "unsigned_char": 1, "char": 1, "signed_char": 1,
    "unsigned_short": 2, "short": 2,
    "unsigned_int": 4, "int": 4,
    "unsigned_long": ctypes.sizeof(ctypes.c_ulong), "long": ctypes.sizeof(ctypes.c_long),
    "unsigned_long_long": 8, "long_long": 8,
    "float": 4, "double": 8,
    # Binary legacy files store vtkIdType values as 32-bit integers.
    "vtkidtype": 4,
    "vtktypeint8": 1, "vtktypeuint8": 1, "vtktypeint16": 2, "vtktypeuint16": 2,
    "vtktypeint32": 4, "vtktypeuint32": 4, "vtktypeint64": 8, "vtktypeuint64": 8,
    "vtktypefloat32": 4, "vtktypefloat64": 8,
}

#: Keywords that only carry values on their own line.
_LINE_ONLY = {"DIMENSIONS", "SPACING", "ORIGIN", "ASPECT_RATIO", "EXTENT"}


_NEXT_LINE = re.compile(rb"\s*(\S[^\n]*)\n?")


class _Uncountable(Exception):
    """A section whose size cannot be known without parsing it (strings, unknown keywords)."""


class _Cursor:
    def __init__(self, data: "mmap.mmap | bytes", binary: bool, path: Path) -> None:
        self.data, self.binary, self.path = data, binary, path
        self.position = 0

    def line(self) -> Optional[bytes]:
        """The next non-blank line (stripped, without its end), or None at the end of the file."""
        match = _NEXT_LINE.match(self.data, self.position)
        if match is None:
            return None
        self.position = match.end()
        return match.group(1).strip()

    def skip_values(self, count: int, type_name: str, what: str) -> None:
        """Skip ``count`` values of ``type_name`` (binary bytes or ASCII words); raise if the file ends first."""
        type_name = type_name.lower()
        if count <= 0:
            return
        if self.binary:
            if type_name == "bit":
                size = (count + 7) // 8
            elif type_name in TYPE_SIZES:
                size = count * TYPE_SIZES[type_name]
            else:
                raise _Uncountable(type_name)
            if self.position + size > len(self.data):
                self.truncated(what, f"{size} bytes", len(self.data) - self.position)
            self.position += size
            return
        if type_name in ("string", "utf8_string"):
            raise _Uncountable(type_name)
        # The lookahead makes each word match one way only, so a short file fails in linear time.
        match = re.compile(rb"(?:\s*\S+(?=\s|\Z)){%d}" % count).match(self.data, self.position)
        if match is None:
            found = len(self.data[self.position:].split())
            self.truncated(what, f"{count} values", found)
        self.position = match.end()

    def truncated(self, what: str, expected: str, found: int) -> None:
        raise DataFileError(
            self.path, f"is truncated: its {what} section needs {expected}, the file has {found} left"
        )


def _section(cursor: _Cursor, words: list, version: float, tuples: int) -> int:
    """Skip the section declared by ``words``; return the tuple count for attribute data that follows."""
    keyword = words[0].upper()
    number = lambda index: int(words[index])  # noqa: E731
    if keyword in _LINE_ONLY or keyword == "DATASET":
        return tuples
    if keyword == "POINTS":
        cursor.skip_values(3 * number(1), words[2], "POINTS")
    elif keyword in ("VERTICES", "LINES", "POLYGONS", "TRIANGLE_STRIPS", "CELLS"):
        if version >= 5.0:
            for part in ("OFFSETS", "CONNECTIVITY"):
                declaration = (cursor.line() or b"").decode("latin-1").split()
                if not declaration or declaration[0].upper() != part:
                    cursor.truncated(f"{keyword} {part}", "its declaration", 0)
                cursor.skip_values(number(1) if part == "OFFSETS" else number(2), declaration[1], f"{keyword} {part}")
        else:
            cursor.skip_values(number(2), "int", keyword)
    elif keyword == "CELL_TYPES":
        cursor.skip_values(number(1), "int", keyword)
    elif keyword in ("POINT_DATA", "CELL_DATA"):
        return number(1)
    elif keyword == "SCALARS":
        components = number(3) if len(words) > 3 else 1
        mark = cursor.position
        following = (cursor.line() or b"").upper()
        if not following.startswith(b"LOOKUP_TABLE"):
            cursor.position = mark
        cursor.skip_values(tuples * components, words[2], f"SCALARS {words[1]}")
    elif keyword == "COLOR_SCALARS":
        value_type = "unsigned_char" if cursor.binary else "float"
        cursor.skip_values(tuples * number(2), value_type, f"COLOR_SCALARS {words[1]}")
    elif keyword in ("VECTORS", "NORMALS"):
        cursor.skip_values(3 * tuples, words[2], f"{keyword} {words[1]}")
    elif keyword in ("TENSORS", "TENSORS6"):
        cursor.skip_values((9 if keyword == "TENSORS" else 6) * tuples, words[2], f"{keyword} {words[1]}")
    elif keyword == "TEXTURE_COORDINATES":
        cursor.skip_values(number(2) * tuples, words[3], f"TEXTURE_COORDINATES {words[1]}")
    elif keyword in ("GLOBAL_IDS", "PEDIGREE_IDS", "EDGE_FLAGS"):
        cursor.skip_values(tuples, words[2], f"{keyword} {words[1]}")
    elif keyword == "LOOKUP_TABLE":
        cursor.skip_values(4 * number(2), "unsigned_char" if cursor.binary else "float", "LOOKUP_TABLE")
    elif keyword == "FIELD":
        for _ in range(number(2)):
            declaration = cursor.line()
            if declaration is None:
                cursor.truncated(f"FIELD {words[1]}", "its arrays", 0)
            while declaration.upper().startswith(b"METADATA"):
                _skip_metadata(cursor)
                declaration = cursor.line() or b""
            parts = declaration.decode("latin-1").split()
            if parts and parts[0] == "NULL_ARRAY":
                continue
            if len(parts) < 4:
                raise _Uncountable(declaration)
            cursor.skip_values(int(parts[1]) * int(parts[2]), parts[3], f"FIELD array {parts[0]}")
    elif keyword == "METADATA":
        _skip_metadata(cursor)
    else:
        raise _Uncountable(keyword)
    return tuples


def _skip_metadata(cursor: _Cursor) -> None:
    # A METADATA block is text that ends with an empty line.
    end = re.compile(rb"\n[ \t\r]*\n").search(cursor.data, cursor.position)
    cursor.position = end.end() if end else len(cursor.data)


def check_complete(path: Path) -> None:
    """Raise :class:`DataFileError` if the legacy VTK file ``path`` ends inside a declared section.

    Files with sections whose size cannot be counted (string arrays, dataset
    kinds other than points/cells/images) are checked up to that section.
    """
    with open(path, "rb") as stream:
        try:
            data = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # empty files cannot be mapped; check_readable reports them
            return
        try:
            _walk(data, path)
        finally:
            data.close()


def _walk(data: "mmap.mmap", path: Path) -> None:
    header = re.compile(rb"# vtk DataFile Version (\d+(?:\.\d+)?)[^\n]*\n[^\n]*\n\s*(\w+)").match(data)
    if header is None:
        raise DataFileError(path, "has no complete legacy VTK header (version, title, ASCII/BINARY)")
    version = float(header.group(1))
    cursor = _Cursor(data, header.group(2).upper() == b"BINARY", path)
    cursor.position = header.end()
    tuples = 0
    try:
        while True:
            line = cursor.line()
            if line is None:
                return
            words = line.decode("latin-1").split()
            tuples = _section(cursor, words, version, tuples)
    except _Uncountable:
        # A section this check cannot size: leave it to VTK, unless the file stops right there.
        if cursor.position >= len(data) and not data[-1:] == b"\n":
            raise DataFileError(path, "is truncated: it ends inside a section header") from None
        return
    except (ValueError, IndexError):
        raise DataFileError(path, f"has a damaged legacy VTK section near byte {cursor.position}") from None
