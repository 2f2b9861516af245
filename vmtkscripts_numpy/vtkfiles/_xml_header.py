"""VTK XML files (``.vti``, ``.vtp``, ``.vtu``) checked against their own bytes before VTK reads them.

VTK's XML readers allocate what the XML says before they read a byte of data:
``NumberOfPoints="4294967297"``, a reversed or huge ``WholeExtent``, a
compression header announcing a billion blocks or a last offset of 10^12 each
crash the process (``std::bad_alloc``, or a segmentation fault later). The
check here parses the XML part (up to ``<AppendedData``, as VTK does) and, for
every array VTK will read, compares what the XML and the binary headers
declare with the bytes that are there:

- extents are boxes inside ``WholeExtent``; counts, components and types are
  sane (``NumberOfComponents`` at most :data:`MAX_COMPONENTS`, a known type);
- ASCII arrays have as many numbers before the next tag as VTK will read;
- binary and appended arrays have their header (a byte count, or zlib / LZ4 /
  LZMA block sizes) inside the file, the data it announces after it, and as
  much data as VTK will read; a compressed block may not claim more bytes
  than its compressor can make of its compressed size (zlib 1032:1, LZ4
  255:1, LZMA about 7000:1), so decompression is bounded by the file;
- the cells' connectivity holds the number of ids the last offset says (the
  one value read from the data: VTK sizes the connectivity by it).

What cannot be checked this way, the faces of polyhedron cells (VTK walks
them without bounds, and walks every cell's ids when a type is a polyhedron),
is reported: :func:`check_vtkxml` returns True for such a file (the cell types
are the one array read in whole), and the caller reads it in a child process.
"""

from __future__ import annotations

import base64
import binascii
import lzma
import mmap
import re
import warnings
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple
from xml.parsers import expat

import numpy as np

from ..errors import DataFileError

#: VTK XML word types -> numpy codes (String and Bit are sized apart).
WORD_TYPES = {
    "Int8": "i1", "UInt8": "u1", "Int16": "i2", "UInt16": "u2", "Int32": "i4", "UInt32": "u4",
    "Int64": "i8", "UInt64": "u8", "Float32": "f4", "Float64": "f8", "String": "S", "Bit": "b",
}
HEADER_TYPES = {"UInt32": "u4", "UInt64": "u8"}
#: The most components an array may have: VTK loops over their names even for an empty array.
MAX_COMPONENTS = 1 << 16
#: The most bytes a compressor makes of one compressed byte, and what a tiny block may add.
COMPRESSION_RATIOS = {"vtkZLibDataCompressor": (1032, 64), "vtkLZ4DataCompressor": (255, 64),
                      "vtkLZMADataCompressor": (7200, 4096)}
#: Array names of polyhedron faces in a .vtu (before and from VTK 9.4).
FACE_ARRAYS = ("faces", "faceoffsets", "face_connectivity", "face_offsets", "polyhedron_to_faces",
               "polyhedron_offsets")
#: The most XML elements, and the deepest nesting, read: a VTK file has a few per piece and array.
MAX_ELEMENTS, MAX_DEPTH = 100_000, 64
#: VTK's cell type of polyhedra.
VTK_POLYHEDRON = 42
#: Where a number of tuples can be at most: more than this many values cannot be in any file.
MAX_COUNT = 1 << 62


@dataclass
class Element:
    name: str
    attributes: Dict[str, str]
    start: int  # byte of its '<'
    children: List["Element"] = field(default_factory=list)

    def child(self, name: str) -> Optional["Element"]:
        return next((child for child in self.children if child.name == name), None)

    def array(self, name: str) -> Optional["Element"]:
        return next((child for child in self.children if child.attributes.get("Name") == name), None)


class _Refusal(Exception):
    pass


class _Bad(Exception):
    """What is wrong with the file, in words that follow "cannot be read as VTK XML <type>: "."""


def _parse(data: "mmap.mmap") -> Tuple[Element, Optional[Element], int]:
    """The element tree VTK's parser builds, the AppendedData element and where its data start."""
    appended_at = data.find(b"<AppendedData")
    xml_end = appended_at if appended_at >= 0 else len(data)
    parser = expat.ParserCreate()
    root: List[Element] = []
    stack: List[Element] = []
    counted = [0]

    def start(name: str, attributes: Dict[str, str]) -> None:
        counted[0] += 1
        if counted[0] > MAX_ELEMENTS or len(stack) >= MAX_DEPTH:
            raise _Refusal(f"more than {MAX_ELEMENTS} XML elements, or nested deeper than {MAX_DEPTH}")
        element = Element(name, attributes, parser.CurrentByteIndex)
        (stack[-1].children if stack else root).append(element)
        stack.append(element)

    def end(name: str) -> None:
        stack.pop()

    def refuse(*args: object) -> None:
        raise _Refusal("a DOCTYPE or entity declaration, which VTK XML files never have")


    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = refuse
    try:
        parser.Parse(data[:xml_end], False)
        tag_end = -1
        if appended_at >= 0:
            # As VTK does: take the AppendedData start tag, close it and the document artificially.
            tag_end = data.find(b">", appended_at)
            if tag_end < 0:
                raise _Refusal("its AppendedData tag does not end")
            tag = data[appended_at:tag_end]
            parser.Parse(tag + (b">" if tag.endswith(b"/") else b"/>") + b"\n</VTKFile>\n", True)
        else:
            parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise _Bad(f"it is not well-formed XML: {error}") from None
    except _Refusal as refusal:
        raise _Bad(f"it has {refusal}") from None
    if not root or root[0].name != "VTKFile":
        raise _Bad("its root element is not VTKFile")
    appended = _find(root[0], "AppendedData")
    data_start = -1
    if appended is not None:
        position = tag_end + 1
        while position < len(data) and data[position:position + 1] in b" \t\r\n":
            position += 1
        # VTK skips the '_' that starts the data (and takes any other byte for data).
        data_start = position + 1 if data[position:position + 1] == b"_" else position
    return root[0], appended, data_start


def _find(element: Element, name: str) -> Optional[Element]:
    """The first element called ``name`` below ``element`` (depth first, as VTK searches)."""
    pending = list(reversed(element.children))
    while pending:
        candidate = pending.pop()
        if candidate.name == name:
            return candidate
        pending.extend(reversed(candidate.children))
    return None


# --- numbers in attributes -----------------------------------------------------------------------------


def _integers(element: Element, name: str, count: int, default: Optional[List[int]] = None) -> List[int]:
    text = element.attributes.get(name)
    if text is None:
        if default is None:
            raise _Bad(f"its {element.name} element has no {name}")
        return default
    words = text.split()
    if len(words) != count or not all(re.fullmatch(r"[-+]?\d+", word) for word in words):
        raise _Bad(f"its {element.name} {name}={text!r} is not {count} integer(s)")
    values = [int(word) for word in words]
    if any(abs(value) >= MAX_COUNT for value in values):
        raise _Bad(f"its {element.name} {name}={text!r} is beyond any file")
    return values


def _count(element: Element, name: str) -> int:
    value = _integers(element, name, 1, [0])[0]
    if value < 0:
        raise _Bad(f"its {element.name} has {name}={value}")
    return value


# --- the data of one array -----------------------------------------------------------------------------


@dataclass
class _Format:
    """What the root element says about the data: byte order, header words, compressor."""

    order: str
    header: str  # numpy code of header words
    compressor: Optional[str]
    appended_start: int
    appended_base64: bool


def _inline_text(data: "mmap.mmap", element: Element) -> Tuple[int, int]:
    """Where VTK reads an inline array: after the first '>' and spaces, up to the next tag."""
    close = data.find(b">", element.start)
    position = close + 1
    size = len(data)
    while position < size and data[position:position + 1] in b" \t\r\n":
        position += 1
    end = data.find(b"<", position)
    return position, (end if end >= 0 else size)


class _Source:
    """The bytes of a binary array as VTK decodes them (raw appended data, or base64 inline/appended)."""

    def __init__(self, data: "mmap.mmap", start: int, end: int, base64_encoded: bool) -> None:
        self.data, self.start, self.end, self.base64 = data, start, end, base64_encoded

    def available(self) -> int:
        """Decoded bytes there are, at most."""
        size = self.end - self.start
        return size // 4 * 3 if self.base64 else size

    def read(self, offset: int, count: int, unit_start: int = 0) -> bytes:
        """``count`` decoded bytes at decoded ``offset``; for base64, within the unit beginning at ``unit_start``
        characters (headers and data of compressed arrays are encoded apart)."""
        if not self.base64:
            begin = self.start + offset
            return bytes(self.data[begin:min(begin + count, self.end)])
        first = offset // 3 * 4
        last = -(-(offset + count) // 3) * 4
        text = bytes(self.data[self.start + unit_start + first:min(self.start + unit_start + last, self.end)])
        try:
            decoded = base64.b64decode(text + b"=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            return b""
        return decoded[offset - offset // 3 * 3:][:count]


def _data_bytes(array: Element, values: int) -> int:
    code = WORD_TYPES[array.attributes["type"]]
    if code == "b":
        return -(-values // 8)
    if code == "S":
        return values  # a string is at least its terminating NUL
    return values * np.dtype(code).itemsize


#: Integer word types: the only ones offsets, connectivity and cell types may have.
INTEGER_CODES = ("i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8")


def _check_array(data: "mmap.mmap", array: Element, values: int, form: _Format,
                 decode: Optional[str] = None) -> Optional[np.ndarray]:
    """Check that ``array`` holds ``values`` values; with ``decode`` ("last" or "all"), return those values.

    Only offsets (their last value sizes the connectivity) and cell types (a
    polyhedron among them makes VTK walk the cells) are ever decoded.
    """
    name = array.attributes.get("Name", "(unnamed)")
    what = f"array {name!r}"
    kind = array.attributes.get("type")
    if kind not in WORD_TYPES:
        raise _Bad(f"its {what} has type {kind!r}, not a VTK XML type")
    code = WORD_TYPES[kind]
    if decode and code not in INTEGER_CODES:
        raise _Bad(f"its {what} holds {kind} values, not integers")
    mode = array.attributes.get("format", "ascii")
    if mode == "ascii":
        return _check_ascii(data, array, values, what, decode)
    if mode == "binary":
        source = _Source(data, *_inline_text(data, array), True)
    elif mode == "appended":
        if form.appended_start < 0:
            raise _Bad(f"its {what} is appended, and the file has no AppendedData")
        offset = _count(array, "offset")
        begin = form.appended_start + offset
        if begin > len(data):
            raise _short(what, f"data at offset {offset}", "the file ends before")
        source = _Source(data, begin, len(data), form.appended_base64)
    else:
        raise _Bad(f"its {what} has format {mode!r}")
    needed = _data_bytes(array, values)
    if form.compressor is None:
        raw = _check_raw(source, needed, code, form, what, decode)
    else:
        raw = _check_compressed(source, needed, code, form, what, decode)
    return None if raw is None else np.frombuffer(raw, form.order + code).astype(np.int64)


def _check_ascii(data: "mmap.mmap", array: Element, values: int, what: str,
                 decode: Optional[str]) -> Optional[np.ndarray]:
    starts, ends = _words(data, *_inline_text(data, array))
    if starts.size < values:
        raise _short(what, f"{values} values", f"{starts.size}")
    if not decode or not values:
        return None if not decode else np.zeros(0, np.int64)
    first = int(starts[values - 1]) if decode == "last" else int(starts[0])
    text = bytes(data[first:int(ends[values - 1])])
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # numpy before 2 warns where it will raise
        try:
            numbers = np.fromstring(text, dtype=np.int64, sep=" ")
        except (ValueError, DeprecationWarning):
            numbers = np.zeros(0, np.int64)
    if numbers.size != (1 if decode == "last" else values):
        raise _Bad(f"its {what} holds words that are not integers")
    return numbers


def _short(what: str, needed: str, found: str) -> "_Bad":
    return _Bad(f"its {what} needs {needed}, the file has {found} (it is truncated or damaged)")


def _words(data: "mmap.mmap", start: int, end: int) -> Tuple[np.ndarray, np.ndarray]:
    """Start and end bytes of the words between ``start`` and ``end`` (what C++'s ``>>`` reads one by one)."""
    if end <= start:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    text = np.frombuffer(data, np.uint8, end - start, start)
    word = ~((text == 32) | (text == 9) | (text == 10) | (text == 13))
    edges = np.diff(np.concatenate([[False], word, [False]]).astype(np.int8))
    return np.flatnonzero(edges == 1) + start, np.flatnonzero(edges == -1) + start


def _header_words(source: _Source, count: int, form: _Format) -> Optional[np.ndarray]:
    size = np.dtype(form.header).itemsize
    raw = source.read(0, count * size)
    if len(raw) < count * size:
        return None
    return np.frombuffer(raw, form.order + form.header).astype(np.uint64)


def _wanted(needed: int, item: int, decode: Optional[str]) -> Tuple[int, int]:
    """The byte range of the values to decode: the last one, or all."""
    return (needed - item, needed) if decode == "last" else (0, needed)


def _check_raw(source: _Source, needed: int, code: str, form: _Format, what: str,
               decode: Optional[str]) -> Optional[bytes]:
    words = _header_words(source, 1, form)
    if words is None:
        raise _short(what, "its byte count", "less")
    declared = int(words[0])
    header = np.dtype(form.header).itemsize
    if declared < needed:
        raise _short(what, f"{needed} bytes", f"{declared} declared")
    if source.available() < header + needed:
        raise _short(what, f"{needed} bytes", f"{max(source.available() - header, 0)}")
    if not decode or not needed:
        return None if not decode else b""
    begin, end = _wanted(needed, np.dtype(code).itemsize, decode)
    return source.read(header + begin, end - begin)


def _check_compressed(source: _Source, needed: int, code: str, form: _Format, what: str,
                      decode: Optional[str]) -> Optional[bytes]:
    header = np.dtype(form.header).itemsize
    first = _header_words(source, 3, form)
    if first is None:
        raise _short(what, "its compression header", "less")
    blocks, block_size, last_size = (int(value) for value in first)
    if blocks * header > source.available():
        raise _short(what, f"{blocks} compressed blocks", "fewer bytes than their sizes")
    if blocks and (block_size == 0 or last_size > block_size):
        raise _Bad(f"its {what} has compressed blocks of {block_size} bytes, "
                                  f"the last of {last_size}")
    sizes = _header_words(source, 3 + blocks, form)
    if sizes is None:
        raise _short(what, f"{blocks} compressed block sizes", "fewer")
    sizes = sizes[3:]
    total = blocks * block_size - (block_size - last_size if last_size else 0)
    if total < needed:
        raise _short(what, f"{needed} bytes", f"{total} in its compressed blocks")
    # Base64 encodes the header apart: the blocks start at the next group of four characters.
    header_bytes = (3 + blocks) * header
    data_offset = -(-header_bytes // 3) * 4 if source.base64 else header_bytes
    blocks_source = _Source(source.data, source.start + data_offset, source.end, source.base64)
    room = blocks_source.available()
    compressed = float(sizes.astype(np.float64).sum())  # a float: lying sizes could overflow integers
    if compressed > room:
        raise _short(what, f"{compressed:.0f} compressed bytes", f"{max(room, 0)}")
    compressor = str(form.compressor)
    ratio, slack = COMPRESSION_RATIOS[compressor]
    uncompressed = np.full(blocks, float(block_size))
    if last_size and blocks:
        uncompressed[-1] = last_size
    if bool(np.any(uncompressed > ratio * sizes.astype(np.float64) + slack)):
        raise _Bad(f"a compressed block of its {what} claims more bytes than "
                                  f"{compressor} can make of its size")
    if not decode or not needed:
        return None if not decode else b""
    begin, end = _wanted(needed, np.dtype(code).itemsize, decode)
    starts = np.concatenate([[0], np.cumsum(sizes.astype(np.int64))])
    pieces = []
    for block in range(begin // block_size, (end - 1) // block_size + 1):  # the blocks holding the values
        raw = blocks_source.read(int(starts[block]), int(sizes[block]))
        pieces.append(_decompress(compressor, raw, int(uncompressed[block]), what))
    out = b"".join(pieces)[begin - begin // block_size * block_size:][: end - begin]
    if len(out) < end - begin:
        raise _short(what, f"{needed} bytes", "fewer after decompression")
    return out


def _decompress(compressor: str, raw: bytes, size: int, what: str) -> bytes:
    try:
        if compressor == "vtkZLibDataCompressor":
            return zlib.decompressobj().decompress(raw, size)
        if compressor == "vtkLZMADataCompressor":
            return lzma.LZMADecompressor().decompress(raw, size)
        return _lz4_block(raw, size)
    except (zlib.error, lzma.LZMAError, ValueError, IndexError, EOFError):
        raise _Bad(f"its {what} has a compressed block that cannot be decompressed") \
            from None


def _lz4_block(raw: bytes, size: int) -> bytes:
    """Decompress one LZ4 block (the format of VTK's LZ4 compressor) into at most ``size`` bytes."""
    out = bytearray()
    position = 0
    while position < len(raw) and len(out) < size:  # one turn per LZ4 sequence of the block
        token = raw[position]
        position += 1
        literals = token >> 4
        if literals == 15:
            while True:
                extra = raw[position]
                position += 1
                literals += extra
                if extra != 255:
                    break
        out += raw[position:position + literals]
        position += literals
        if position >= len(raw):
            break
        distance = raw[position] | raw[position + 1] << 8
        position += 2
        length = (token & 15) + 4
        if (token & 15) == 15:
            while True:
                extra = raw[position]
                position += 1
                length += extra
                if extra != 255:
                    break
        if distance == 0 or distance > len(out):
            raise ValueError("LZ4 match before the start")
        start = len(out) - distance
        while length > 0:  # an overlapping match repeats the last `distance` bytes: copy what exists, again
            piece = out[start:start + min(length, distance)]
            out += piece
            start += len(piece)
            length -= len(piece)
    return bytes(out[:size])


# --- the dataset ---------------------------------------------------------------------------------------


def _attribute_arrays(piece: Element, section: str) -> List[Element]:
    element = piece.child(section)
    return list(element.children) if element is not None else []


def _check_cells(data: "mmap.mmap", cells: Optional[Element], count: int, form: _Format, what: str,
                 types: bool = False) -> bool:
    """The offsets (``count`` of them), the connectivity they size, and the types of a mesh's cells.

    Returns whether a type is a polyhedron.
    """
    if count == 0:
        return False
    if cells is None:
        raise _Bad(f"it declares {count} {what} and has no {what} element")
    offsets, connectivity = cells.array("offsets"), cells.array("connectivity")
    if offsets is None or connectivity is None:
        raise _Bad(f"its {what} have no offsets or no connectivity")
    for array in (offsets, connectivity):
        _components(array, exactly=1)
    last = _check_array(data, offsets, count, form, decode="last")
    if last is None or last.size != 1 or not 0 <= int(last[0]) < MAX_COUNT:
        raise _Bad(f"the last offset of its {what} is "
                                  f"{None if last is None or not last.size else int(last[0])}")
    _check_array(data, connectivity, int(last[0]), form)
    if not types:
        return False
    types_array = cells.array("types")
    if types_array is None:
        raise _Bad(f"its {what} have no types")
    _components(types_array, exactly=1)
    # A polyhedron among the types makes VTK walk every cell's ids as a face stream, unchecked.
    return bool(np.any(_check_array(data, types_array, count, form, decode="all") == VTK_POLYHEDRON))


def _components(array: Element, exactly: Optional[int] = None) -> int:
    components = _integers(array, "NumberOfComponents", 1, [1])[0]
    name = array.attributes.get("Name", "(unnamed)")
    if not 1 <= components <= MAX_COMPONENTS or (exactly is not None and components != exactly):
        raise _Bad(f"its array {name!r} has {components} components")
    return components


def _check_information(root: Element) -> None:
    """VTK builds an information vector of ``length`` values from the Value elements of each key."""
    pending = [root]
    while pending:
        element = pending.pop()
        if element.name == "InformationKey" and "length" in element.attributes:
            length = _integers(element, "length", 1)[0]
            if not 0 <= length <= len(element.children):
                raise _Bad(f"an InformationKey of length {length} has {len(element.children)} values")
        pending.extend(element.children)


def _check_attributes(data: "mmap.mmap", arrays: List[Element], tuples: int, form: _Format) -> None:
    for array in arrays:
        if "type" not in array.attributes:
            continue  # VTK skips an element it cannot make an array of
        _check_array(data, array, tuples * _components(array), form)


def _format(root: Element, data_start: int, appended: Optional[Element]) -> _Format:
    order = root.attributes.get("byte_order", "LittleEndian")
    header = root.attributes.get("header_type", "UInt32")
    compressor = root.attributes.get("compressor")
    if order not in ("LittleEndian", "BigEndian") or header not in HEADER_TYPES or (
            compressor is not None and compressor not in COMPRESSION_RATIOS):
        raise _Bad(f"byte_order={order!r}, header_type={header!r}, compressor={compressor!r} are not VTK's")
    encoding = appended.attributes.get("encoding", "base64") if appended is not None else "raw"
    return _Format("<" if order == "LittleEndian" else ">", HEADER_TYPES[header], compressor, data_start,
                   encoding != "raw")


def check_vtkxml(path: Path, xml_type: str) -> bool:
    """Check a VTK XML file of ``xml_type`` (``"ImageData"``, ``"PolyData"``, ``"UnstructuredGrid"``).

    Returns
    -------
    bool
        True when the file has what cannot be checked here (polyhedron
        faces): the caller reads it where a crash cannot take the process.

    Raises
    ------
    DataFileError
        For anything VTK would allocate or read that the file does not back.
    """
    with open(path, "rb") as stream:
        data = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        return _check(data, xml_type)
    except _Bad as bad:
        raise DataFileError(path, f"cannot be read as VTK XML {xml_type}: {bad}") from None
    finally:
        try:
            data.close()
        except BufferError:  # a view is still referenced (by a traceback): the mmap closes with it
            pass


def _check(data: "mmap.mmap", xml_type: str) -> bool:
    root, appended, data_start = _parse(data)
    form = _format(root, data_start, appended)
    _check_information(root)
    dataset = root.child(xml_type)
    if dataset is None:
        raise _Bad(f"it has no {xml_type} element")
    field_data = dataset.child("FieldData")
    for array in field_data.children if field_data is not None else ():
        if "type" in array.attributes:
            _check_array(data, array, _count(array, "NumberOfTuples") * _components(array), form)
    pieces = [child for child in dataset.children if child.name == "Piece"]
    if xml_type == "ImageData":
        _check_image(data, dataset, pieces, form)
        return False
    isolate = False
    for piece in pieces:
        points = _count(piece, "NumberOfPoints")
        if xml_type == "PolyData":
            counts = [_count(piece, f"NumberOf{kind}") for kind in ("Verts", "Lines", "Strips", "Polys")]
            for kind, count in zip(("Verts", "Lines", "Strips", "Polys"), counts):
                _check_cells(data, piece.child(kind), count, form, kind.lower())
            cells = sum(counts)
        else:
            cells = _count(piece, "NumberOfCells")
            found = piece.child("Cells")
            polyhedra = _check_cells(data, found, cells, form, "cells", types=True)
            faces = found is not None and any(found.array(name) is not None for name in FACE_ARRAYS)
            isolate = isolate or polyhedra or faces
        if points:
            coordinates = piece.child("Points")
            if coordinates is None or not coordinates.children:
                raise _Bad(f"it declares {points} points and has no Points")
            _check_array(data, coordinates.children[0], points * _components(coordinates.children[0]), form)
        _check_attributes(data, _attribute_arrays(piece, "PointData"), points, form)
        _check_attributes(data, _attribute_arrays(piece, "CellData"), cells, form)
    return isolate


def _check_image(data: "mmap.mmap", dataset: Element, pieces: List[Element], form: _Format) -> None:
    """VTK allocates the WholeExtent and copies each piece into it: the pieces must fill it, from the file."""
    whole = _integers(dataset, "WholeExtent", 6)
    _box(whole, "WholeExtent")
    extents = [_integers(piece, "Extent", 6) for piece in pieces]
    for piece, extent in zip(pieces, extents):
        _box(extent, "piece Extent")
        if any(extent[2 * a] < whole[2 * a] or extent[2 * a + 1] > whole[2 * a + 1] for a in range(3)):
            raise _Bad(f"its piece Extent {tuple(extent)} is not inside its WholeExtent {tuple(whole)}")
    _covered(whole, extents)
    for piece, extent in zip(pieces, extents):
        sizes = [max(extent[2 * a + 1] - extent[2 * a] + 1, 0) for a in range(3)]
        points = sizes[0] * sizes[1] * sizes[2]  # Python integers: compared with the file, never overflow
        cells = (max(sizes[0] - 1, 1) * max(sizes[1] - 1, 1) * max(sizes[2] - 1, 1)) if points else 0
        _check_attributes(data, _attribute_arrays(piece, "PointData"), points, form)
        _check_attributes(data, _attribute_arrays(piece, "CellData"), cells, form)


#: The most pieces an image file may have (VTK writes one; ParaView one per .vti file of a .pvti).
MAX_IMAGE_PIECES = 64


def _covered(whole: List[int], extents: List[List[int]]) -> None:
    """Raise unless the pieces' extents cover every point of ``whole``.

    VTK allocates the whole extent and copies each piece into it: a point no
    piece holds would be whatever memory held.
    """
    if any(whole[2 * axis] > whole[2 * axis + 1] for axis in range(3)):
        return  # an empty image
    if not extents or len(extents) > MAX_IMAGE_PIECES:
        raise _Bad(f"it has {len(extents)} pieces for its WholeExtent (1 to "
                                  f"{MAX_IMAGE_PIECES} are read)")
    # The points between consecutive piece bounds are covered alike: one box per such range.
    bounds = [sorted({whole[2 * a], whole[2 * a + 1] + 1} | {e[2 * a] for e in extents} |
                     {e[2 * a + 1] + 1 for e in extents}) for a in range(3)]
    starts = [np.array(axis[:-1]) for axis in bounds]
    held = np.zeros([len(axis) for axis in starts], bool)
    for e in extents:  # a few pieces
        inside = [(axis >= e[2 * a]) & (axis <= e[2 * a + 1]) for a, axis in enumerate(starts)]
        held |= inside[0][:, None, None] & inside[1][None, :, None] & inside[2][None, None, :]
    wanted = [(axis >= whole[2 * a]) & (axis <= whole[2 * a + 1]) for a, axis in enumerate(starts)]
    if not bool(np.all(held[np.ix_(*wanted)])):
        raise _Bad(f"its pieces do not cover its WholeExtent {tuple(whole)}; VTK "
                                  "would give the points they miss whatever memory held")


def _box(extent: List[int], name: str) -> None:
    # An empty extent (a start one beyond its end, as in VTK's 0 -1 0 -1 0 -1) holds no point; more is no box.
    if any(extent[2 * axis] > extent[2 * axis + 1] + 1 for axis in range(3)):
        raise _Bad(f"its {name} {tuple(extent)} is not a box (a start beyond its end)")
