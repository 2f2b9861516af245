"""MetaImage (``.mha``, ``.mhd`` + raw data) read and written here, the same on every VTK.

VTK's own MetaImage writer ignores the direction matrix before VTK 9.7 (an
image with direction diag(-1, -1, 1) comes back mirrored) and its reader takes
``TransformMatrix`` transposed from 9.7 on, while ITK, vmtk, 3D Slicer and
SimpleITK list one image axis per consecutive triple. The format is a text
header and the voxels, raw or zlib-compressed, so the package reads and writes
it itself: every header field is checked against the data actually there
before anything is allocated, and the voxels are streamed through zlib in
pieces.

Placement is in LPS, MetaImage's (and ITK's) frame: ``Offset`` is the position
of the first voxel, ``TransformMatrix`` holds the direction's columns one after
the other, ``ElementSpacing`` the voxel size.
"""

from __future__ import annotations

import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Dict, Optional, Tuple

import numpy as np

from .. import progress
from ..errors import DataFileError

#: Header bytes read at most; a MetaImage header is a few hundred bytes.
MAX_HEADER_BYTES = 65536
#: Bytes handed to zlib at a time, reading and writing.
CHUNK_BYTES = 1 << 22
#: zlib level for compressed files: ITK's default, much faster than 6 for about the same size on images.
COMPRESSION_LEVEL = 2

#: MetaImage element types and the numpy types they hold (MetaIO's sizes: MET_LONG is 4 bytes).
ELEMENT_TYPES: Dict[str, np.dtype] = {
    "MET_CHAR": np.dtype(np.int8),
    "MET_UCHAR": np.dtype(np.uint8),
    "MET_SHORT": np.dtype(np.int16),
    "MET_USHORT": np.dtype(np.uint16),
    "MET_INT": np.dtype(np.int32),
    "MET_UINT": np.dtype(np.uint32),
    "MET_LONG": np.dtype(np.int32),
    "MET_ULONG": np.dtype(np.uint32),
    "MET_LONG_LONG": np.dtype(np.int64),
    "MET_ULONG_LONG": np.dtype(np.uint64),
    "MET_FLOAT": np.dtype(np.float32),
    "MET_DOUBLE": np.dtype(np.float64),
}
_WRITTEN_TYPES = {
    np.dtype(np.int8): "MET_CHAR",
    np.dtype(np.uint8): "MET_UCHAR",
    np.dtype(np.int16): "MET_SHORT",
    np.dtype(np.uint16): "MET_USHORT",
    np.dtype(np.int32): "MET_INT",
    np.dtype(np.uint32): "MET_UINT",
    np.dtype(np.int64): "MET_LONG_LONG",
    np.dtype(np.uint64): "MET_ULONG_LONG",
    np.dtype(np.float32): "MET_FLOAT",
    np.dtype(np.float64): "MET_DOUBLE",
}
#: Digits of the zero-padded ``CompressedDataSize``, filled in once the data is written (MetaIO reads it as decimal).
_SIZE_DIGITS = 20

_FIELD = re.compile(rb"^[ \t]*(\w+)[ \t]*=[ \t]*([^\r\n]*?)[ \t]*\r?$", flags=re.MULTILINE)


@dataclass
class MetaImage:
    """What a MetaImage file holds: voxels ``(n,)`` or ``(n, channels)``, x fastest, and their LPS placement."""

    values: np.ndarray
    dimensions: Tuple[int, int, int]
    origin: np.ndarray
    spacing: np.ndarray
    direction: np.ndarray


def _header(path: Path) -> Tuple[Dict[str, str], int]:
    """The header fields of ``path`` and the byte where the data of a ``LOCAL`` file starts."""
    with open(path, "rb") as stream:
        text = stream.read(MAX_HEADER_BYTES)
    fields: Dict[str, str] = {}
    for match in _FIELD.finditer(text):
        key, value = match.group(1).decode("latin-1"), match.group(2).decode("latin-1")
        fields.setdefault(key, value)
        if key == "ElementDataFile":
            # A file name, written as the file system spells it.
            fields[key] = os.fsdecode(match.group(2))
            end = match.end()
            if text[end:end + 2] == b"\r\n":
                end += 2
            elif text[end:end + 1] in (b"\n", b"\r"):
                end += 1
            return fields, end
    if "NDims" not in fields:
        raise DataFileError(path, "is not a MetaImage file (no 'NDims = ...' header)")
    raise DataFileError(path, "has a MetaImage header without its last field, ElementDataFile")


def _numbers(fields: Dict[str, str], keys: Tuple[str, ...], count: int, path: Path) -> Optional[np.ndarray]:
    for key in keys:
        if key in fields:
            try:
                values = np.array([float(word) for word in fields[key].split()], dtype=np.float64)
            except ValueError:
                values = np.empty(0)
            if values.size != count or not np.all(np.isfinite(values)):
                raise DataFileError(path, f"has a MetaImage {key} that is not {count} finite numbers: {fields[key]!r}")
            return values
    return None


def _integer(fields: Dict[str, str], key: str, default: Optional[int], path: Path) -> int:
    text = fields.get(key)
    if text is None:
        if default is None:
            raise DataFileError(path, f"has a MetaImage header without {key}")
        return default
    try:
        return int(text)
    except ValueError:
        raise DataFileError(path, f"has a MetaImage {key} that is not an integer: {text!r}") from None


def _true(fields: Dict[str, str], *keys: str) -> bool:
    return any(fields.get(key, "").strip().lower() in ("true", "1") for key in keys)


#: Reads of a ``.mhd`` whose header a concurrent write replaced, before giving up.
_READ_ATTEMPTS = 5


def read_metaimage(path: Path) -> MetaImage:
    """Read a MetaImage file, checking every header field against the data there.

    A header replaced while its data were read (a write of the same image
    going on) is read again, so the voxels always belong to the header they
    come with: a write replaces the header before it replaces the data file
    the old header named (see :func:`vmtkscripts_numpy._atomic.atomic_output_with_data`).

    Raises
    ------
    DataFileError
        For a header that is not MetaImage or not understood, sizes the data
        does not back (truncated files, lying headers), data files outside the
        header's folder, and layouts not supported (more than 3 dimensions,
        data split over several files).
    """
    for _ in range(_READ_ATTEMPTS):
        before = _identity(path)
        try:
            image = _read_once(path)
        except DataFileError:
            if _identity(path) == before:
                raise
            continue
        if _identity(path) == before:
            return image
    raise DataFileError(path, f"was replaced by other writes during {_READ_ATTEMPTS} reads in a row")


def _identity(path: Path) -> Optional[Tuple[int, int, int, int]]:
    """What tells one header file from the next one renamed over it."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_ino, status.st_dev, status.st_ctime_ns, status.st_size


def _read_once(path: Path) -> MetaImage:
    fields, data_start = _header(path)
    dimension = _integer(fields, "NDims", None, path)
    if not 1 <= dimension <= 3:
        raise DataFileError(path, f"has NDims = {dimension}: only 1-D, 2-D and 3-D MetaImages can be read")
    try:
        sizes = [int(word) for word in fields.get("DimSize", "").split()]
    except ValueError:
        sizes = []
    if len(sizes) != dimension or min(sizes) < 1:
        raise DataFileError(path, f"has a DimSize that is not {dimension} positive integers: {fields.get('DimSize')!r}")
    element = fields.get("ElementType", "")
    if element not in ELEMENT_TYPES:
        raise DataFileError(
            path, f"has ElementType {element!r}; MetaImage types read are {', '.join(ELEMENT_TYPES)}"
        )
    channels = _integer(fields, "ElementNumberOfChannels", 1, path)
    if channels < 1:
        raise DataFileError(path, f"has ElementNumberOfChannels = {channels}")
    dtype = ELEMENT_TYPES[element]
    if _true(fields, "BinaryDataByteOrderMSB", "ElementByteOrderMSB"):
        dtype = dtype.newbyteorder(">")
    count = int(np.prod(sizes, dtype=object)) * channels
    data_bytes = count * dtype.itemsize

    spacing = _numbers(fields, ("ElementSpacing", "ElementSize"), dimension, path)
    origin = _numbers(fields, ("Offset", "Position", "Origin"), dimension, path)
    axes = _numbers(fields, ("TransformMatrix", "Rotation", "Orientation"), dimension * dimension, path)
    values = _read_data(path, fields, data_start, dtype, count, data_bytes)

    placed_spacing, placed_origin, direction = np.ones(3), np.zeros(3), np.eye(3)
    if spacing is not None:
        if np.any(spacing == 0):
            raise DataFileError(path, f"has a zero ElementSpacing: {fields.get('ElementSpacing')!r}")
        placed_spacing[:dimension] = spacing
    if origin is not None:
        placed_origin[:dimension] = origin
    if axes is not None:
        # One image axis per consecutive group of NDims numbers (ITK's reading): the columns.
        direction[:dimension, :dimension] = axes.reshape(dimension, dimension).T
    flipped = placed_spacing < 0
    placed_spacing[flipped] *= -1
    direction[:, flipped] *= -1
    dimensions = tuple(sizes) + (1,) * (3 - dimension)
    return MetaImage(
        values if channels == 1 else values.reshape(-1, channels),
        dimensions,  # type: ignore[arg-type]
        placed_origin,
        placed_spacing,
        direction,
    )


def _data_file(path: Path, name: str) -> Path:
    if "\0" in name:
        raise DataFileError(path, f"names a data file with a NUL byte in its name ({name!r}); the header is damaged")
    if name.upper().startswith("LIST") or "%" in name:
        raise DataFileError(path, f"keeps its voxels in several files (ElementDataFile = {name}), which is not read")
    data_file = (path.parent / name).resolve()
    if path.parent.resolve() not in data_file.parents:
        raise DataFileError(path, f"names a data file outside its own folder ({name!r}); it is not read")
    if not data_file.is_file():
        raise DataFileError(path, f"names a data file {name!r} that does not exist beside it")
    return data_file


def _read_data(
    path: Path, fields: Dict[str, str], data_start: int, dtype: np.dtype, count: int, data_bytes: int
) -> np.ndarray:
    source = fields["ElementDataFile"]
    compressed = _true(fields, "CompressedData")
    if source.upper() == "LOCAL":
        data_file, start = path, data_start
    else:
        data_file = _data_file(path, source)
        header_size = _integer(fields, "HeaderSize", 0, path)
        start = header_size if header_size >= 0 else max(data_file.stat().st_size - data_bytes, 0)
    available = data_file.stat().st_size - start
    if not _true(fields, "BinaryData") and "BinaryData" in fields:
        return _read_ascii(path, data_file, start, dtype, count)
    if not compressed:
        if available < data_bytes:
            raise DataFileError(path, f"is truncated: its voxels need {data_bytes} bytes, {max(available, 0)} are there")
        values = np.fromfile(data_file, dtype=dtype, count=count, offset=start)
        return values.astype(dtype.newbyteorder("="), copy=False)
    declared = fields.get("CompressedDataSize")
    if declared is not None:
        size = _integer(fields, "CompressedDataSize", None, path)
        if size <= 0:
            raise DataFileError(path, f"has CompressedDataSize = {size}")
        if size > available:
            raise DataFileError(path, f"is truncated: its voxels need {size} compressed bytes, {max(available, 0)} are there")
        available = size
    try:
        values = np.empty(count, dtype=dtype)
    except (MemoryError, ValueError):
        raise DataFileError(path, f"declares {data_bytes} bytes of voxels, more than memory holds") from None
    _inflate_into(path, data_file, start, available, values.view(np.uint8).reshape(-1))
    return values.astype(dtype.newbyteorder("="), copy=False)


def _inflate_into(path: Path, data_file: Path, start: int, available: int, target: np.ndarray) -> None:
    """Decompress at most ``available`` bytes from ``start`` into ``target``, which must fill exactly."""
    # zlib or gzip streams, as MetaIO accepts both.
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)
    filled, left = 0, available
    progress.expect(target.size)
    with open(data_file, "rb") as stream:
        stream.seek(start)
        pending = b""
        while filled < target.size:
            if not pending:
                if left <= 0:
                    break
                pending = stream.read(min(CHUNK_BYTES, left))
                if not pending:
                    break
                left -= len(pending)
            try:
                piece = inflater.decompress(pending, min(CHUNK_BYTES, target.size - filled))
            except zlib.error as error:
                raise DataFileError(path, f"has compressed voxels that cannot be decompressed: {error}") from None
            pending = inflater.unconsumed_tail
            target[filled:filled + len(piece)] = np.frombuffer(piece, dtype=np.uint8)
            filled += len(piece)
            progress.advance(len(piece))
            if inflater.eof:
                break
    if filled != target.size:
        raise DataFileError(path, f"is truncated: its voxels need {target.size} bytes, {filled} could be decompressed")


def _read_ascii(path: Path, data_file: Path, start: int, dtype: np.dtype, count: int) -> np.ndarray:
    with open(data_file, "rb") as stream:
        stream.seek(start)
        words = stream.read().split()
    if len(words) < count:
        raise DataFileError(path, f"is truncated: its voxels need {count} numbers, {len(words)} are there")
    try:
        numbers = np.array(words[:count], dtype=np.float64 if dtype.kind == "f" else np.int64)
    except ValueError:
        raise DataFileError(path, "has ASCII voxels that are not all numbers") from None
    return numbers.astype(dtype.newbyteorder("="))


# --- writing -------------------------------------------------------------------------------


def element_type(dtype: np.dtype) -> Optional[str]:
    """The MetaImage ``ElementType`` of ``dtype`` (any byte order), or None if MetaImage has none."""
    return _WRITTEN_TYPES.get(np.dtype(dtype).newbyteorder("="))


def _number_text(values: np.ndarray) -> str:
    return " ".join(repr(float(value)) for value in np.ravel(values))


def with_data_file(header: bytes, data_file_name: str) -> bytes:
    """``header`` with its last field, ``ElementDataFile``, set to ``data_file_name`` (added if missing).

    The name is written as the file system spells it, as it is read back.

    Examples
    --------
    >>> with_data_file(b"NDims = 3\\nElementDataFile = ct.zraw\\n", "other/ct.zraw")
    b'NDims = 3\\nElementDataFile = other/ct.zraw\\n'
    """
    start = header.rstrip(b"\r\n").rfind(b"\n") + 1
    if header[start:].startswith(b"ElementDataFile"):
        header = header[:start]
    return header + b"ElementDataFile = " + os.fsencode(data_file_name) + b"\n"


def write_metaimage(
    stream: BinaryIO,
    values: np.ndarray,
    dimensions: Tuple[int, int, int],
    origin: np.ndarray,
    spacing: np.ndarray,
    direction: np.ndarray,
    compress: bool = True,
    data_file: Optional[BinaryIO] = None,
    data_file_name: str = "LOCAL",
) -> None:
    """Write a 3-D MetaImage: the header to ``stream``, the voxels after it or to ``data_file``.

    ``values`` is ``(n,)`` or ``(n, channels)`` in VTK's order (x fastest);
    placement is LPS. Voxels are written in pieces of :data:`CHUNK_BYTES`, so
    no copy of the whole image is made.
    """
    flat = np.ascontiguousarray(values)
    channels = 1 if flat.ndim == 1 else flat.shape[1]
    dtype = flat.dtype.newbyteorder("=") if flat.dtype.byteorder not in "=|" else flat.dtype
    name = element_type(dtype)
    if name is None:
        raise ValueError(f"MetaImage has no element type for {flat.dtype}")
    lines = [
        "ObjectType = Image",
        "NDims = 3",
        "BinaryData = True",
        "BinaryDataByteOrderMSB = False",
        f"CompressedData = {compress}",
    ]
    size_field_at = None
    if compress:
        size_field_at = len("\n".join(lines)) + 1 + len("CompressedDataSize = ")
        lines.append("CompressedDataSize = " + "0" * _SIZE_DIGITS)
    lines += [
        # One image axis per triple, as ITK reads it: the columns of the direction matrix.
        f"TransformMatrix = {_number_text(np.asarray(direction, dtype=np.float64).T)}",
        f"Offset = {_number_text(origin)}",
        "CenterOfRotation = 0 0 0",
        f"ElementSpacing = {_number_text(spacing)}",
        f"DimSize = {' '.join(str(int(size)) for size in dimensions)}",
    ]
    if channels != 1:
        lines.append(f"ElementNumberOfChannels = {channels}")
    lines.append(f"ElementType = {name}")
    header = with_data_file(("\n".join(lines) + "\n").encode("ascii"), data_file_name)
    header_start = stream.tell()
    stream.write(header)
    target = stream if data_file is None else data_file
    raw = flat.reshape(-1).astype(dtype.newbyteorder("<"), copy=False)
    step = max(CHUNK_BYTES // max(raw.itemsize, 1), 1)
    progress.expect(raw.size)
    if not compress:
        for begin in range(0, raw.size, step):
            target.write(raw[begin:begin + step].data.cast("B"))
            progress.advance(min(step, raw.size - begin))
        return
    compressor = zlib.compressobj(COMPRESSION_LEVEL)
    written = 0
    for begin in range(0, raw.size, step):
        piece = compressor.compress(np.ascontiguousarray(raw[begin:begin + step]).data.cast("B"))
        target.write(piece)
        written += len(piece)
        progress.advance(min(step, raw.size - begin))
    piece = compressor.flush()
    target.write(piece)
    written += len(piece)
    end = stream.tell()
    stream.seek(header_start + (size_field_at or 0))
    stream.write(str(written).zfill(_SIZE_DIGITS).encode("ascii"))
    stream.seek(end)

