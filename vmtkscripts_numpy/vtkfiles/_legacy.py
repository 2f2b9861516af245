"""A check of legacy VTK files against everything VTK's readers trust, made before they see them.

``vtkPolyDataReader`` and its siblings read a truncated legacy file without an
error (they return the sections that were complete, or sections filled with
whatever bytes were there), and crash on a version line they cannot parse, on
a negative count, on a component count of 0, on a cell list (before file
version 5) whose lengths run past it, and on metadata announcing a negative
number of values. :func:`check_complete` walks the file's sections (each
declares how many values follow) and raises
:class:`~vmtkscripts_numpy.errors.DataFileError` for any of these. It counts
values; VTK still does the reading.

Two things cannot be checked by counting: sections whose size only parsing
tells (string arrays, keywords this check does not know), and cells that
VTK walks without bounds (lists of cells of varying lengths in files before
version 5, polyhedron cell types). :func:`check_complete` returns True for
such a file, and the caller reads it in a child process.

Values are counted and read in blocks of :data:`._chunks.CHUNK_BYTES`, so the
check needs a few megabytes whatever the file's size.
"""

from __future__ import annotations

import ctypes
import mmap
import re
import warnings
from pathlib import Path
from typing import BinaryIO, Iterator, List, NoReturn, Optional, Tuple

import numpy as np

from ..errors import DataFileError
from . import _chunks

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
#: A count as C++'s ``>>`` and Python read it alike: digits, an optional minus.
_INTEGER = re.compile(r"-?\d+")
#: VTK's cell type of polyhedra: with one, VTK walks every cell's ids as a face stream.
VTK_POLYHEDRON = 42
#: A truncation message counts the bytes left after the last whole multiple of this many words found.
_WORDS_AT_ONCE = 1 << 20

_NEXT_LINE = re.compile(rb"\s*(\S[^\n]*)\n?")


class _Uncountable(Exception):
    """A section whose size cannot be known without parsing it (strings, unknown keywords)."""


class _Cursor:
    def __init__(self, data: "mmap.mmap", stream: BinaryIO, binary: bool, path: Path) -> None:
        # Lines are matched in the map (a few bytes each); values are read from the stream, in blocks.
        self.data, self.stream, self.binary, self.path = data, stream, binary, path
        self.position = 0
        self.isolate = False

    def line(self) -> Optional[bytes]:
        """The next non-blank line (stripped, without its end), or None at the end of the file."""
        match = _NEXT_LINE.match(self.data, self.position)
        if match is None:
            return None
        self.position = match.end()
        return match.group(1).strip()

    def skip_values(self, count: int, type_name: str, what: str) -> int:
        """Skip ``count`` values of ``type_name`` (binary bytes or ASCII words); return where they start.

        Raises if the file ends first.
        """
        type_name = type_name.lower()
        start = self.position
        if count <= 0:
            return start
        if self.binary:
            if type_name == "bit":
                size = (count + 7) // 8
            elif type_name in TYPE_SIZES:
                size = count * TYPE_SIZES[type_name]
            else:
                raise _Uncountable(type_name)
            if self.position + size > len(self.data):
                self.truncated(what, f"{size} bytes", f"{len(self.data) - self.position} bytes")
            self.position += size
            return start
        if type_name in ("string", "utf8_string"):
            raise _Uncountable(type_name)
        # Each value is a word and a separator: a count the rest of the file cannot hold is a lie, found at once.
        size = len(self.data)
        if 2 * count - 1 > size - self.position:
            self.truncated(what, f"{count} values", f"{size - self.position} bytes")
        end, found = _chunks.skip_words(self.stream, self.position, size, count)
        if end is None:
            done = found - found % _WORDS_AT_ONCE
            if done:
                self.position = _chunks.skip_words(self.stream, self.position, size, done)[0] or size
            self.truncated(what, f"{count} values", f"{size - self.position} bytes")
        self.position = end
        return start

    def integers(self, start: int, count: int, type_name: str, what: str) -> Iterator[Tuple[int, np.ndarray]]:
        """The ``count`` integers of ``type_name`` from ``start`` to the cursor (as VTK reads them), in blocks.

        Yields ``(index of the block's first value, values as int64)``; raises
        once all are read if the words are not ``count`` integers.
        """
        if count <= 0:
            return
        if self.binary:
            code = {1: "i1", 2: "i2", 4: "i4", 8: "i8"}[TYPE_SIZES[type_name.lower()]]
            if type_name.lower().startswith(("unsigned", "vtktypeuint")):
                code = "u" + code[1:]
            size = np.dtype(code).itemsize
            step = max(_chunks.CHUNK_BYTES // size, 1)
            for first in range(0, count, step):
                block = _chunks.read_at(self.stream, start + first * size, min(step, count - first) * size)
                # Legacy binary files are big-endian.
                yield first, np.frombuffer(block, ">" + code).astype(np.int64)
            return
        parsed = 0
        for text in _words_in_blocks(self.stream, start, self.position):
            with warnings.catch_warnings():
                warnings.simplefilter("error", DeprecationWarning)  # numpy before 2 warns where it will raise
                try:
                    values = np.fromstring(text, dtype=np.int64, sep=" ")
                except (ValueError, DeprecationWarning):
                    break
            yield parsed, values
            parsed += values.size
        else:
            if parsed == count:
                return
        raise DataFileError(self.path, f"is damaged: its {what} section holds words that are not integers")

    def truncated(self, what: str, expected: str, found: str) -> NoReturn:
        raise DataFileError(
            self.path, f"is truncated: its {what} section needs {expected}, the file has {found} left"
        )


def _words_in_blocks(stream: BinaryIO, start: int, stop: int) -> Iterator[bytes]:
    """The bytes from ``start`` to ``stop`` in blocks that end where a word ends; blocks of only whitespace left out."""
    while start < stop:
        block = _chunks.read_at(stream, start, min(_chunks.CHUNK_BYTES, stop - start))
        end = len(block)
        if start + end < stop:
            spaces = np.flatnonzero(_chunks.WHITESPACE[np.frombuffer(block, np.uint8)])
            if spaces.size and spaces[-1] > 0:
                end = int(spaces[-1])
                block = block[:end]
            else:  # a word longer than a block: read on to its end
                end = (_chunks.skip_words(stream, start, stop, 1)[0] or stop) - start
                block = _chunks.read_at(stream, start, end)
        if not _chunks.WHITESPACE[np.frombuffer(block, np.uint8)].all():
            yield block
        start += end


def _counts(words: List[str], indices: range, path: Path, line: str, least: int = 0) -> List[int]:
    """The integers at ``indices`` of a section line, each at least ``least``."""
    try:
        texts = [words[index] for index in indices]
    except IndexError:
        raise DataFileError(path, f"has a legacy VTK section line that lacks a number: {line!r}") from None
    if not all(_INTEGER.fullmatch(text) for text in texts):
        raise DataFileError(path, f"has a legacy VTK section line whose counts are not integers: {line!r}")
    values = [int(text) for text in texts]
    if any(value < least for value in values):
        raise DataFileError(path, f"has a legacy VTK section with a count below {least}: {line!r}")
    return values


def _cell_lists(cursor: _Cursor, cells: int, size: int, what: str) -> None:
    """Cells before file version 5: ``size`` integers, each cell its length then its ids.

    VTK walks them by their lengths without bounds; when every cell has the
    length of the first (triangles, tetrahedra...) the walk is known to stay
    inside, else the file is read in a child process.
    """
    start = cursor.skip_values(size, "int", what)
    if size == 0 or cursor.isolate:
        return
    first = None
    for offset, values in cursor.integers(start, size, "int", what):
        if first is None and values.size:
            first = int(values[0])
            if first < 0 or size % (first + 1) or size // (first + 1) != cells:
                cursor.isolate = True
        if not cursor.isolate and first is not None:
            # The lengths sit at every (first + 1)-th value from the section's first.
            if not bool(np.all(values[(-offset) % (first + 1)::first + 1] == first)):
                cursor.isolate = True


def _section(cursor: _Cursor, words: List[str], version: float, tuples: int) -> int:
    """Skip the section declared by ``words``; return the tuple count for attribute data that follows."""
    keyword = words[0].upper()
    path, line = cursor.path, " ".join(words)
    counts = lambda *indices, least=0: _counts(words, range(*indices), path, line, least)  # noqa: E731
    if keyword == "DATASET":
        return tuples
    if keyword == "DIMENSIONS":
        counts(1, 4)
        return tuples
    if keyword in _LINE_ONLY:
        return tuples
    if keyword == "POINTS":
        cursor.skip_values(3 * counts(1, 2)[0], words[2] if len(words) > 2 else "", "POINTS")
    elif keyword in ("VERTICES", "LINES", "POLYGONS", "TRIANGLE_STRIPS", "CELLS"):
        first, second = counts(1, 3)
        if version >= 5.0:
            for part, count in (("OFFSETS", first), ("CONNECTIVITY", second)):
                declaration = (cursor.line() or b"").decode("latin-1").split()
                if len(declaration) < 2 or declaration[0].upper() != part:
                    cursor.truncated(f"{keyword} {part}", "its declaration", "none")
                cursor.skip_values(count, declaration[1], f"{keyword} {part}")
        else:
            _cell_lists(cursor, first, second, keyword)
    elif keyword == "CELL_TYPES":
        count = counts(1, 2)[0]
        start = cursor.skip_values(count, "int", keyword)
        if not cursor.isolate:
            for _, values in cursor.integers(start, count, "int", keyword):
                if bool(np.any(values == VTK_POLYHEDRON)):
                    cursor.isolate = True
    elif keyword in ("POINT_DATA", "CELL_DATA"):
        return counts(1, 2)[0]
    elif keyword == "SCALARS":
        components = counts(3, 4, least=1)[0] if len(words) > 3 else 1
        mark = cursor.position
        following = (cursor.line() or b"").upper()
        if not following.startswith(b"LOOKUP_TABLE"):
            cursor.position = mark
        cursor.skip_values(tuples * components, words[2], f"SCALARS {words[1]}")
    elif keyword == "COLOR_SCALARS":
        value_type = "unsigned_char" if cursor.binary else "float"
        cursor.skip_values(tuples * counts(2, 3, least=1)[0], value_type, f"COLOR_SCALARS {words[1]}")
    elif keyword in ("VECTORS", "NORMALS"):
        cursor.skip_values(3 * tuples, words[2], f"{keyword} {words[1]}")
    elif keyword in ("TENSORS", "TENSORS6"):
        cursor.skip_values((9 if keyword == "TENSORS" else 6) * tuples, words[2], f"{keyword} {words[1]}")
    elif keyword == "TEXTURE_COORDINATES":
        cursor.skip_values(counts(2, 3, least=1)[0] * tuples, words[3], f"TEXTURE_COORDINATES {words[1]}")
    elif keyword in ("GLOBAL_IDS", "PEDIGREE_IDS", "EDGE_FLAGS"):
        cursor.skip_values(tuples, words[2], f"{keyword} {words[1]}")
    elif keyword == "LOOKUP_TABLE":
        cursor.skip_values(4 * counts(2, 3)[0], "unsigned_char" if cursor.binary else "float", "LOOKUP_TABLE")
    elif keyword == "FIELD":
        for _ in range(counts(2, 3)[0]):  # one turn per array of the field (bounded: each is a line)
            field_line = cursor.line()
            if field_line is None:
                cursor.truncated(f"FIELD {words[1]}", "its arrays", "none")
            while field_line.upper().startswith(b"METADATA"):
                _skip_metadata(cursor)
                field_line = cursor.line() or b""
            parts = field_line.decode("latin-1").split()
            if parts and parts[0] == "NULL_ARRAY":
                continue
            if len(parts) < 4:
                raise _Uncountable(field_line)
            components, count = _counts(parts, range(1, 3), path, " ".join(parts))
            if components < 1:
                raise DataFileError(path, f"has a FIELD array with {components} components: {' '.join(parts)!r}")
            cursor.skip_values(components * count, parts[3], f"FIELD array {parts[0]}")
    elif keyword == "METADATA":
        _skip_metadata(cursor)
    else:
        raise _Uncountable(keyword)
    return tuples


def _skip_metadata(cursor: _Cursor) -> None:
    """Skip a METADATA block (text that ends with an empty line), refusing lengths VTK would allocate blindly.

    VTK reads each ``DATA n`` of a vector key as ``n`` values it reserves room
    for: ``n`` must be a count the block can hold.
    """
    end = re.compile(rb"\n[ \t\r]*\n").search(cursor.data, cursor.position)
    stop = end.end() if end else len(cursor.data)
    block = bytes(cursor.data[cursor.position:stop])
    words = len(block.split())
    for match in re.finditer(rb"\bDATA[ \t]+([-+]?\d+)", block):
        if not 0 <= int(match.group(1)) <= words:
            raise DataFileError(cursor.path, f"has legacy VTK metadata with DATA {int(match.group(1))}, which is "
                                             "no count of the values there")
    cursor.position = stop


def check_complete(path: Path) -> bool:
    """Raise :class:`DataFileError` if the legacy VTK file ``path`` ends inside a section or lies about sizes.

    Returns
    -------
    bool
        True when the file has what counting cannot check (string arrays,
        keywords this check does not know, cells VTK walks unchecked): the
        caller reads it where a crash cannot take the process.
    """
    with open(path, "rb") as stream:
        try:
            data = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # empty files cannot be mapped; check_readable reports them
            return False
        try:
            return _walk(data, stream, path)
        finally:
            try:
                data.close()
            except BufferError:  # a view is still referenced (by a traceback): the mmap closes with it
                pass


#: The first three lines as VTK reads them: version ``major.minor``, a title, ASCII or BINARY.
_HEADER = re.compile(rb"# vtk DataFile Version[ \t]*(\d+)\.(\d+)[^\n]*\n[^\n]*\n(ascii|binary)", re.IGNORECASE)


def _walk(data: "mmap.mmap", stream: BinaryIO, path: Path) -> bool:
    header = _HEADER.match(data)
    if header is None or not 1 <= int(header.group(1)) <= 5 or len(header.group(2)) > 3:
        # VTK 9.7 reads a version that is not two small integers as garbage (and may crash on it).
        raise DataFileError(path, "has no complete legacy VTK header: '# vtk DataFile Version M.m' (M from 1 to "
                                  "5), a title line, then ASCII or BINARY")
    version = float(f"{int(header.group(1))}.{int(header.group(2))}")
    cursor = _Cursor(data, stream, header.group(3).upper() == b"BINARY", path)
    # VTK reads the whole ASCII/BINARY line; the sections start on the next.
    end_of_line = data.find(b"\n", header.end())
    cursor.position = end_of_line + 1 if end_of_line >= 0 else len(data)
    tuples = 0
    try:
        while True:
            line = cursor.line()
            if line is None:
                return cursor.isolate
            words = line.decode("latin-1").split()
            tuples = _section(cursor, words, version, tuples)
    except _Uncountable:
        # A section this check cannot size: VTK reads it in a child process, unless the file stops right there.
        if cursor.position >= len(data) and not data[-1:] == b"\n":
            raise DataFileError(path, "is truncated: it ends inside a section header") from None
        return True
    except (ValueError, IndexError):
        raise DataFileError(path, f"has a damaged legacy VTK section near byte {cursor.position}") from None
