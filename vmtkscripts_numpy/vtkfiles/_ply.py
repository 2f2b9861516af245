"""A check of PLY files against everything ``vtkPLYReader`` trusts, made before it sees them.

``vtkPLYReader`` crashes the Python process on a truncated binary file, on a
list length that is negative or larger than the file, on a face naming a
vertex that does not exist (it reads the vertex's coordinates), on a header
line with too few words, and on a property it reads into a fixed record
(``x``, ``red``...) that the file declares as a list; it returns made-up
geometry for a truncated ASCII file. :func:`check_complete` reads the header
as VTK reads it (lines of words, tabs and carriage returns as spaces), then
walks every element the header declares and raises
:class:`~vmtkscripts_numpy.errors.DataFileError` for anything of the above.

The data are checked vectorized: ASCII files line by line (one element per
line, as the format says and VTK before 9.3 reads them), in blocks of whole
lines of about :data:`._chunks.CHUNK_BYTES` (a few megabytes, whatever the
file's size; a file with several faults is refused for the one a check of the
whole file at once would name first), binary files in one step per element
when its lists all have the length of the first (the usual triangles), else by
walking the lists' lengths, one step per element.
"""

from __future__ import annotations

import mmap
import re
import struct
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Dict, Iterator, List, Optional, Tuple

import numpy as np

from ..errors import DataFileError
from . import _chunks
from ._dataset_checks import check_ids

#: PLY scalar types (the names vtkPLY knows) -> numpy type codes.
PLY_TYPES = {
    "char": "i1", "int8": "i1", "uchar": "u1", "uint8": "u1",
    "short": "i2", "int16": "i2", "ushort": "u2", "uint16": "u2",
    "int": "i4", "int32": "i4", "uint": "u4", "uint32": "u4",
    "float": "f4", "float32": "f4", "double": "f8", "float64": "f8",
}
#: The longest header line read: vtkPLY reads lines into 4096 bytes and stops its header at a longer one.
MAX_LINE_BYTES = 4000
#: The most bytes of header read.
MAX_HEADER_BYTES = 1 << 16
#: Properties vtkPLYReader reads into fixed records: a list there would be written past them.
SCALARS_READ = {
    "vertex": {"x", "y", "z", "u", "v", "s", "t", "texture_u", "texture_v", "nx", "ny", "nz",
               "red", "green", "blue", "alpha", "diffuse_red", "diffuse_green", "diffuse_blue"},
    "face": {"intensity", "red", "green", "blue", "alpha"},
}
#: Lists it reads (as pointers): a scalar there would be taken for one.
LISTS_READ = {"face": {"vertex_indices", "vertex_index", "texcoord"}}
#: The list whose values are vertex ids.
VERTEX_IDS = ("vertex_indices", "vertex_index")
#: vtkPLY reads list lengths and vertex ids as C ints.
INT_LIMIT = 2 ** 31
_INTEGER_WORD = re.compile(rb"-?[0-9]+")


@dataclass
class Property:
    name: str
    dtype: str  # numpy code of the values
    count: Optional[str] = None  # numpy code of the length, for a list


@dataclass
class Element:
    name: str
    count: int
    properties: List[Property] = field(default_factory=list)


def _damaged(path: Path, problem: str) -> DataFileError:
    return DataFileError(path, f"is not a PLY file VTK can read safely: {problem}")


def _truncated(path: Path, element: str) -> DataFileError:
    return DataFileError(path, f"is truncated: it ends inside its PLY '{element}' elements")


def _header(data: "mmap.mmap", path: Path) -> Tuple[str, List[Element], int]:
    """The format, the elements and the byte where the data start, read line by line as vtkPLY does."""
    elements: List[Element] = []
    form, position, first = "", 0, True
    spaces = bytes.maketrans(b"\t\r", b"  ")
    while True:
        end = data.find(b"\n", position, min(position + MAX_LINE_BYTES + 1, MAX_HEADER_BYTES))
        if end < 0:
            if first:
                raise DataFileError(path, "is not a PLY file: no 'ply' ... 'end_header' header")
            raise _damaged(path, "its header has no end_header line, or a line longer than "
                                 f"{MAX_LINE_BYTES} bytes")
        line = data[position:end]
        position = end + 1
        words = [word.decode("latin-1") for word in line.translate(spaces).split(b" ") if word]
        if first:
            if not words or words[0] != "ply":
                raise DataFileError(path, "is not a PLY file: no 'ply' ... 'end_header' header")
            first = False
            continue
        if b"\0" in line or not words:
            # vtkPLY ends its header at an empty line (and a NUL ends a line): it would read data as header.
            raise _damaged(path, "its header has an empty line or a NUL byte")
        keyword = words[0]
        try:
            if keyword == "end_header":
                break
            if keyword == "format":
                if len(words) != 3 or words[1] not in ("ascii", "binary_little_endian", "binary_big_endian") \
                        or not re.fullmatch(r"\d+(\.\d+)?", words[2]):
                    raise ValueError
                form = words[1]
            elif keyword == "element":
                # A count vtkPLY's C int holds: one it cannot parse drops the element, and its properties
                # would go to the element before.
                if not _INTEGER_WORD.fullmatch(words[2].encode()) or not 0 <= int(words[2]) < INT_LIMIT:
                    raise ValueError
                if any(element.name == words[1] for element in elements):
                    raise _damaged(path, f"its header declares the element {words[1]!r} twice")
                elements.append(Element(words[1], int(words[2])))
            elif keyword == "property":
                if not elements:
                    raise ValueError
                if words[1] == "list":
                    count_type, value_type = PLY_TYPES[words[2]], PLY_TYPES[words[3]]
                    if count_type[0] == "f":
                        raise _damaged(path, f"its list {words[4]!r} has a {words[2]} length")
                    elements[-1].properties.append(Property(words[4], value_type, count_type))
                else:
                    elements[-1].properties.append(Property(words[2], PLY_TYPES[words[1]]))
        except (IndexError, KeyError, ValueError):
            raise DataFileError(
                path, f"has a PLY header line that cannot be understood: {line.decode('latin-1').strip()!r}"
            ) from None
    if not form:
        raise DataFileError(path, "has no PLY format line ('format ascii 1.0' or 'format binary_...')")
    _check_kinds(elements, path)
    return form, elements, position


def _check_kinds(elements: List[Element], path: Path) -> None:
    """The properties VTK reads have the kind (scalar or list) it reads them as; vertices come before faces."""
    names = [element.name for element in elements]
    vertex = next((element for element in elements if element.name == "vertex"), None)
    if vertex is None or any(all(prop.name != axis for prop in vertex.properties) for axis in "xyz"):
        # VTK up to 9.3 goes on reading the file it has just closed when they are missing.
        raise _damaged(path, "it has no 'vertex' element with x, y and z")
    for element in elements:
        for prop in element.properties:
            if prop.count is not None and prop.name in SCALARS_READ.get(element.name, ()):
                raise _damaged(path, f"its '{element.name}' property {prop.name!r} is a list, VTK reads a number")
            if prop.count is None and prop.name in LISTS_READ.get(element.name, ()):
                raise _damaged(path, f"its '{element.name}' property {prop.name!r} is a number, VTK reads a list")
            if prop.name in VERTEX_IDS and element.name == "face" and prop.dtype[0] == "f":
                raise _damaged(path, f"its face vertex ids are {prop.dtype} numbers, not integers")
    if "face" in names:
        if "vertex" not in names or names.index("vertex") > names.index("face"):
            raise _damaged(path, "its faces come before its vertices (or it has no vertices)")
        if not any(prop.name in VERTEX_IDS for prop in elements[names.index("face")].properties):
            raise _damaged(path, "its faces have no vertex_indices")


def _vertex_count(elements: List[Element]) -> int:
    return next((element.count for element in elements if element.name == "vertex"), 0)


def _check_ids(ids: np.ndarray, vertices: int, path: Path) -> None:
    # Faces are the surface's polygon cells: the message is the one every format gives for them.
    check_ids(ids, vertices, path, "polygon cells")


# --- binary ---------------------------------------------------------------------------------------------


def _binary(data: "mmap.mmap", elements: List[Element], position: int, order: str, path: Path) -> None:
    size = len(data)
    vertices = _vertex_count(elements)
    for element in elements:
        properties = element.properties
        lists = [index for index, prop in enumerate(properties) if prop.count is not None]
        if not lists:
            position += element.count * sum(np.dtype(prop.dtype).itemsize for prop in properties)
            if position > size:
                raise _truncated(path, element.name)
            continue
        if element.count == 0:
            continue
        if len(lists) == 1:
            end = _uniform_lists(data, element, lists[0], position, order, vertices, path)
            if end is not None:
                position = end
                continue
        position = _walk(data, element, position, order, vertices, path)


def _uniform_lists(data: "mmap.mmap", element: Element, index: int, position: int, order: str,
                   vertices: int, path: Path) -> Optional[int]:
    """Check an element with one list in one step if every list has the length of the first; else None."""
    size = len(data)
    properties = element.properties
    before = sum(np.dtype(prop.dtype).itemsize for prop in properties[:index])
    after = sum(np.dtype(prop.dtype).itemsize for prop in properties[index + 1:])
    listed = properties[index]
    length_code = str(listed.count)
    count_size, item_size = np.dtype(length_code).itemsize, np.dtype(listed.dtype).itemsize
    if position + before + count_size > size:
        raise _truncated(path, element.name)
    first = int(np.frombuffer(data, order + length_code, 1, position + before)[0])
    if first < 0 or first >= INT_LIMIT:
        raise _damaged(path, f"its '{element.name}' list {listed.name!r} has the length {first}")
    stride = before + count_size + first * item_size + after
    if position + element.count * stride > size:
        return None  # truncated, or lists of other lengths: the walk tells which
    lengths = np.ndarray((element.count,), order + length_code, data, position + before, (stride,))
    if not bool(np.all(lengths == first)):
        return None
    if element.name == "face" and listed.name in VERTEX_IDS and first:
        ids = np.ndarray((element.count, first), order + listed.dtype, data, position + before + count_size,
                         (stride, item_size))
        _check_ids(ids, vertices, path)
    return position + element.count * stride


def _walk(data: "mmap.mmap", element: Element, position: int, order: str, vertices: int, path: Path) -> int:
    """Walk an element whose lists vary in length; check the vertex ids of faces at the end, all at once."""
    size = len(data)
    # Per property: bytes of a number, or (length reader, length bytes, item bytes, vertex ids?) of a list.
    steps = [np.dtype(prop.dtype).itemsize if prop.count is None else
             (struct.Struct(_struct_code(order, prop.count)), np.dtype(prop.count).itemsize,
              np.dtype(prop.dtype).itemsize, element.name == "face" and prop.name in VERTEX_IDS)
             for prop in element.properties]
    id_starts, id_lengths = [], []
    for _ in range(element.count):  # one step per element: lists of varying lengths cannot be vectorized
        for step in steps:
            if isinstance(step, int):
                position += step
                continue
            reader, count_size, item_size, ids = step
            if position + count_size > size:
                raise _truncated(path, element.name)
            length = reader.unpack_from(data, position)[0]
            if length < 0 or length >= INT_LIMIT:
                raise _damaged(path, f"its '{element.name}' lists have the length {length}")
            position += count_size
            if ids and length:
                id_starts.append(position)
                id_lengths.append(length)
            position += length * item_size
        if position > size:
            raise _truncated(path, element.name)
    if id_starts:
        listed = next(prop for prop in element.properties if prop.name in VERTEX_IDS)
        _check_ids(_gather(data, np.array(id_starts), np.array(id_lengths), order + listed.dtype), vertices, path)
    return position


def _struct_code(order: str, code: str) -> str:
    """The struct format of an integer numpy code in a byte order (``"<", "u1"`` -> ``"<B"``)."""
    letter = {1: "b", 2: "h", 4: "i"}[int(code[1:])]
    return order + (letter.upper() if code[0] == "u" else letter)


def _gather(data: "mmap.mmap", starts: np.ndarray, lengths: np.ndarray, dtype: str) -> np.ndarray:
    """The values of every list (``lengths[i]`` values of ``dtype`` at byte ``starts[i]``), concatenated."""
    item = np.dtype(dtype).itemsize
    # A value at every byte: lists start wherever the lengths before them put them, aligned or not.
    at_every_byte = np.ndarray((len(data) - item + 1,), dtype, data, 0, (1,))
    return at_every_byte[_ranges(starts, lengths, item)]


# --- ASCII ----------------------------------------------------------------------------------------------

_SEPARATORS = np.zeros(256, bool)
_SEPARATORS[[ord(" "), ord("\t"), ord("\r")]] = True
#: Bytes a PLY number can hold (digits, sign, point, exponent, nan, inf); anything else is refused.
_NUMBER_BYTES = np.zeros(256, bool)
_NUMBER_BYTES[np.frombuffer(b"0123456789+-.eEnNaAiIfFtTyY", np.uint8)] = True
_DIGITS = np.zeros(256, bool)
_DIGITS[np.frombuffer(b"0123456789", np.uint8)] = True


#: A fault of ASCII data: (its rank, the problem). The file is refused for the fault of lowest rank, the
#: one a check of the whole file at once finds first: (2,) characters, (3, line) an empty line, (4,)
#: words, then (5, element, property, step) in the order of the elements' checks (a truncation comes first).
_Fault = Tuple[tuple, str]


def _ascii(stream: BinaryIO, size: int, elements: List[Element], position: int, path: Path) -> None:
    """One element per line, each line exactly the words its properties need; checked in blocks of lines."""
    faults: List[Tuple[tuple, DataFileError]] = []
    # The range of the vertex ids of each face list, over every block: checked once all are read.
    id_ranges: Dict[Tuple[int, int], List[float]] = {}
    for first_line, block in _line_blocks(stream, position, size, elements, path):
        fault = _ascii_block(block, first_line, elements, id_ranges)
        if fault is not None:
            faults.append((fault[0], _damaged(path, fault[1])))
    vertices = _vertex_count(elements)
    for (element, prop), (low, high) in id_ranges.items():
        try:
            _check_ids(np.array([low, high]), vertices, path)
        except DataFileError as error:
            faults.append(((5, element, prop, 4), error))
    if faults:
        raise min(faults, key=lambda fault: fault[0])[1]


def _line_blocks(stream: BinaryIO, position: int, size: int, elements: List[Element],
                 path: Path) -> Iterator[Tuple[int, bytes]]:
    """``(index of the first line, bytes of whole lines)`` up to the last line the elements need, without its break.

    Raises at once if the file has fewer lines (a last line without a line
    break counts, an empty last line does not): a truncation comes before
    any other fault.
    """
    needed = sum(element.count for element in elements)
    line, length = 0, _chunks.CHUNK_BYTES
    while line < needed:
        block = _chunks.read_at(stream, position, length)
        breaks = np.flatnonzero(np.frombuffer(block, np.uint8) == ord("\n"))
        wanted = needed - line
        if breaks.size >= wanted:
            yield line, block[:int(breaks[wanted - 1])]
            return
        if position + len(block) >= size:  # the rest of the file
            lines = breaks.size + (1 if block and not block.endswith(b"\n") else 0)
            if lines < wanted:
                raise _truncated(path, _element_of_line(elements, line + lines))
            yield line, block
            return
        if breaks.size == 0:  # a line longer than a block
            length *= 2
            continue
        yield line, block[:int(breaks[-1])]
        line += breaks.size
        position += int(breaks[-1]) + 1
        length = _chunks.CHUNK_BYTES


def _ascii_block(block: bytes, first_line: int, elements: List[Element],
                 id_ranges: Dict[Tuple[int, int], List[float]]) -> Optional[_Fault]:
    """The first fault of the lines in ``block`` (lines ``first_line`` on), or None; gathers the id ranges."""
    body = np.frombuffer(block, np.uint8)
    line_starts = np.concatenate([[0], np.flatnonzero(body == ord("\n")) + 1])
    lines = line_starts.size
    separator = _SEPARATORS[body] | (body == ord("\n"))
    if not bool(np.all(_NUMBER_BYTES[body] | separator)):
        return (2,), "its ASCII data hold characters that are not numbers"
    word = ~separator
    starts = np.flatnonzero(word & ~np.concatenate([[False], word[:-1]]))
    ends = np.flatnonzero(word & ~np.concatenate([word[1:], [False]])) + 1
    line_of_word = np.searchsorted(line_starts, starts, side="right") - 1
    words_per_line = np.bincount(line_of_word, minlength=lines)
    if int(words_per_line.min()) == 0:
        empty = first_line + int(np.argmin(words_per_line))
        return (3, empty), f"its '{_element_of_line(elements, empty)}' elements have an empty line"
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # numpy before 2 warns where it will raise
        try:
            values = np.fromstring(block, dtype=np.float64, sep=" ")
        except (ValueError, DeprecationWarning):
            values = np.zeros(0)
    if values.size != starts.size:
        return (4,), "its ASCII data hold words that are not numbers"
    first_word = np.concatenate([[0], np.cumsum(words_per_line)[:-1]])
    digits = np.concatenate([[0], np.cumsum(_DIGITS[body], dtype=np.int32 if body.size < INT_LIMIT else np.int64)])
    element_start = 0
    for index, element in enumerate(elements):  # a few elements, each checked for all its lines in the block
        low = max(element_start - first_line, 0)
        high = min(element_start + element.count - first_line, lines)
        element_start += element.count
        if low >= high:
            continue
        cursor = first_word[low:high].copy()
        limit = cursor + words_per_line[low:high]
        for number, prop in enumerate(element.properties):
            if prop.count is None:
                cursor += 1
                continue
            if bool(np.any(cursor >= limit)):
                return (5, index, number, 0), f"its '{element.name}' lines are shorter than their properties"
            lengths = values[cursor]
            if not _plain_integers(body, digits, starts[cursor], ends[cursor]) or \
                    bool(np.any((lengths < 0) | (lengths >= INT_LIMIT))):
                return (5, index, number, 1), f"its '{element.name}' list lengths are not all counts below 2**31"
            lengths = lengths.astype(np.int64)
            if bool(np.any(cursor + 1 + lengths > limit)):
                return (5, index, number, 2), f"its '{element.name}' lists are longer than their lines"
            if element.name == "face" and prop.name in VERTEX_IDS:
                at = _ranges(cursor + 1, lengths)
                if not _plain_integers(body, digits, starts[at], ends[at]):
                    return (5, index, number, 3), "its face vertex ids are not all integers"
                if at.size:
                    ids = values[at]
                    seen = id_ranges.setdefault((index, number), [np.inf, -np.inf])
                    seen[0], seen[1] = min(seen[0], float(ids.min())), max(seen[1], float(ids.max()))
            cursor += 1 + lengths
        if bool(np.any(cursor != limit)):
            return (5, index, len(element.properties), 0), \
                f"its '{element.name}' lines hold other numbers of words than their properties"
    return None


def _element_of_line(elements: List[Element], line: int) -> str:
    for element in elements:
        if line < element.count:
            return element.name
        line -= element.count
    return elements[-1].name if elements else "(none)"


def _ranges(starts: np.ndarray, lengths: np.ndarray, step: int = 1) -> np.ndarray:
    """``starts[i] + step * (0 .. lengths[i] - 1)`` for every i, concatenated."""
    before = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return np.repeat(starts - before * step, lengths) + np.arange(int(lengths.sum())) * step


def _plain_integers(body: np.ndarray, digits: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> bool:
    """Whether the words ``body[starts[i]:ends[i]]`` are all plain decimal integers (an optional minus, digits).

    C's ``atoi`` (VTK before 9.3) reads ``1e3`` as 1 where a number parser reads 1000: list lengths and
    vertex ids are checked only when both read them alike. ``digits`` is the running count of digits.
    """
    signed = body[starts] == ord("-")
    return bool(np.all(digits[ends] - digits[starts] == ends - starts - signed))


# --- the check ------------------------------------------------------------------------------------------


def check_complete(path: Path) -> None:
    """Raise :class:`DataFileError` unless ``path`` is a PLY file vtkPLYReader reads safely (see the module)."""
    with open(path, "rb") as stream:
        try:
            data = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # empty file: check_readable reports it
            return
        try:
            form, elements, position = _header(data, path)
            if form == "ascii":
                _ascii(stream, len(data), elements, position, path)
            else:
                _binary(data, elements, position, "<" if form == "binary_little_endian" else ">", path)
        finally:
            try:
                data.close()
            except BufferError:  # a view is still referenced (by a traceback): the mmap closes with it
                pass
