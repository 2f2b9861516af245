"""NRRD (``.nrrd``, ``.nhdr`` + data file) read here, with every header field checked against the data.

``vtkNrrdReader`` crashes on negative or huge ``sizes``, hangs on some damaged
files and fills the voxels a truncated file lacks with whatever memory held.
The format is a text header and the voxels (raw, gzip, bzip2, ASCII or hex), so
the package reads it itself, as it reads MetaImage: the header is parsed
here, the number of voxels it declares must be backed by the file's bytes (or
come out of a decompression that stops at the declared size), and nothing is
allocated before that is known.

What is read: one data file (the header's own, or one ``data file`` beside
the header, in its folder), ``line skip`` and ``byte skip`` (``-1``: the data
ends the file, raw only), every scalar ``type``, both byte orders. Split data
files (``LIST``, numbered patterns) and ``block`` types are refused. Placement
(``space``, ``space directions``, ``kinds``...) is left to the caller: this
module gives the header's fields and the values in the file's order, the
fastest axis first.
"""

from __future__ import annotations

import bz2
import re
import warnings
import zlib
from pathlib import Path
from typing import Any, Dict, Tuple

import numpy as np

from ..errors import DataFileError

#: Header bytes read at most; NRRD headers are a few hundred bytes, key/value pairs can add some.
MAX_HEADER_BYTES = 1 << 20
#: Compressed bytes handed to the decompressor at a time (and the most it gives back per call).
CHUNK_BYTES = 1 << 22
#: The most dimensions a NRRD file may declare (teem's NRRD_DIM_MAX).
MAX_DIMENSION = 16

#: NRRD type names (all of teem's spellings) -> numpy types.
TYPES: Dict[str, np.dtype] = {}
for _names, _dtype in (
    (("signed char", "int8", "int8_t"), np.int8),
    (("uchar", "unsigned char", "uint8", "uint8_t"), np.uint8),
    (("short", "short int", "signed short", "signed short int", "int16", "int16_t"), np.int16),
    (("ushort", "unsigned short", "unsigned short int", "uint16", "uint16_t"), np.uint16),
    (("int", "signed int", "int32", "int32_t"), np.int32),
    (("uint", "unsigned int", "uint32", "uint32_t"), np.uint32),
    (("longlong", "long long", "long long int", "signed long long", "signed long long int", "int64", "int64_t"),
     np.int64),
    (("ulonglong", "unsigned long long", "unsigned long long int", "uint64", "uint64_t"), np.uint64),
    (("float",), np.float32),
    (("double",), np.float64),
):
    TYPES.update({name: np.dtype(_dtype) for name in _names})

#: Encoding names -> the encoding read.
ENCODINGS = {"raw": "raw", "txt": "ascii", "text": "ascii", "ascii": "ascii", "hex": "hex",
             "gz": "gzip", "gzip": "gzip", "bz2": "bzip2", "bzip2": "bzip2"}

_MAGIC = re.compile(rb"NRRD000[1-9]\r?\n")


def read_header(path: Path) -> Tuple[Dict[str, str], int]:
    """The fields of a NRRD header (keys lower-case) and the byte where the data of an attached header start.

    Comments (``#``) and key/value pairs (``key:=value``) are skipped. For a
    detached header (``.nhdr``) the data start is the end of the file.

    Raises
    ------
    DataFileError
        If ``path`` does not start with a NRRD magic line.
    """
    with open(path, "rb") as stream:
        text = stream.read(MAX_HEADER_BYTES)
    if not _MAGIC.match(text):
        raise DataFileError(path, "is not a NRRD file: it does not start with 'NRRD000N'")
    end = re.search(rb"\r?\n\r?\n", text)
    if end is not None:
        header, data_start = text[: end.start()], end.end()
    elif len(text) < MAX_HEADER_BYTES:
        header, data_start = text, len(text)  # a detached header ends with the file
    else:
        raise DataFileError(path, f"has a NRRD header longer than {MAX_HEADER_BYTES} bytes")
    fields: Dict[str, str] = {}
    for line in header.decode("latin-1").splitlines()[1:]:
        # Comments, key/value pairs and lines teem would refuse are passed over: the fields needed are checked.
        if line.startswith("#") or ":=" in line or ": " not in line:
            continue
        key, value = line.split(": ", 1)
        fields[key.strip().lower()] = value.strip()
    return fields, data_start


def _integer(fields: Dict[str, str], key: str, default: int, path: Path) -> int:
    text = fields.get(key)
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise DataFileError(path, f"has a NRRD {key!r} that is not an integer: {text!r}") from None


def value_type(fields: Dict[str, str], path: Path) -> np.dtype:
    """The numpy type of the voxels, in the file's byte order."""
    if "type" not in fields:
        raise DataFileError(path, "has a NRRD header that cannot be understood: no 'type'")
    name = " ".join(fields["type"].lower().split())
    if name not in TYPES:
        raise DataFileError(path, f"has NRRD type {fields.get('type')!r}, which is not a scalar type read here")
    dtype = TYPES[name]
    endian = fields.get("endian", "").lower()
    if dtype.itemsize > 1 and ENCODINGS.get(fields.get("encoding", "").lower()) in ("raw", "gzip", "bzip2", "hex"):
        if endian not in ("little", "big"):
            raise DataFileError(path, f"has NRRD endian {fields.get('endian')!r}; 'little' or 'big' is needed "
                                      f"for {fields.get('type')} voxels")
        dtype = dtype.newbyteorder("<" if endian == "little" else ">")
    return dtype


def voxel_count(fields: Dict[str, str], path: Path) -> int:
    """The number of values the header declares: the product of ``sizes``, each a positive integer."""
    try:
        dimension = int(fields["dimension"])
        sizes = [int(word) for word in fields["sizes"].split()]
    except KeyError as missing:
        raise DataFileError(path, f"has a NRRD header that cannot be understood: no {missing.args[0]!r}") from None
    except ValueError:
        raise DataFileError(path, "has a NRRD header that cannot be understood: dimension "
                                  f"{fields.get('dimension')!r}, sizes {fields.get('sizes')!r}") from None
    if not 1 <= dimension <= MAX_DIMENSION or len(sizes) != dimension or min(sizes) < 1:
        raise DataFileError(path, f"has NRRD sizes {fields.get('sizes')!r} for dimension {dimension}: "
                                  f"{dimension} positive sizes are needed (at most {MAX_DIMENSION})")
    # Python integers: a product of huge sizes is compared with the file, never overflows.
    count = 1
    for size in sizes:
        count *= size
    return count


def _data_file(path: Path, fields: Dict[str, str]) -> Path:
    name = fields.get("data file", fields.get("datafile"))
    if name is None:
        return path
    words = name.split()
    if "\0" in name:
        raise DataFileError(path, "names a data file with a NUL byte in its name")
    if not words or words[0].upper() == "LIST" or len(words) > 1 or "%" in name:
        raise DataFileError(path, f"keeps its voxels in several files (data file: {name}), which is not read")
    data_file = (path.parent / name).resolve()
    if path.parent.resolve() not in data_file.parents:
        raise DataFileError(path, f"names a data file outside its own folder ({name!r}); it is not read")
    if not data_file.is_file():
        raise DataFileError(path, f"names a data file {name!r} that does not exist beside it")
    return data_file


def read_nrrd(path: Path) -> Tuple[Dict[str, str], np.ndarray]:
    """The header fields of a NRRD file and its values, flat, in the file's order, native byte order.

    Raises
    ------
    DataFileError
        For a header that is not NRRD or not understood, sizes the data do not
        back (truncated files, lying headers), data outside the header's
        folder, and layouts not read (split data files, ``block`` types).
    """
    fields, header_end = read_header(path)
    count = voxel_count(fields, path)
    if "encoding" not in fields:
        raise DataFileError(path, "has a NRRD header that cannot be understood: no 'encoding'")
    encoding = ENCODINGS.get(fields["encoding"].lower())
    if encoding is None:
        raise DataFileError(path, f"has NRRD encoding {fields.get('encoding')!r}; encodings read are "
                                  f"{', '.join(sorted(set(ENCODINGS)))}")
    dtype = value_type(fields, path)
    data_file = _data_file(path, fields)
    start = header_end if data_file == path else 0
    size = data_file.stat().st_size
    with open(data_file, "rb") as stream:
        start = _skip_lines(stream, start, _integer(fields, "line skip", _integer(fields, "lineskip", 0, path), path),
                            size, path)
        byte_skip = _integer(fields, "byte skip", _integer(fields, "byteskip", 0, path), path)
        data_bytes = count * dtype.itemsize
        if byte_skip == -1:
            if encoding != "raw":
                raise DataFileError(path, "has 'byte skip: -1', which NRRD allows only for raw data")
            start = size - data_bytes
            if start < 0:
                raise _truncated(path, f"{data_bytes} bytes", size)
        elif byte_skip < 0:
            raise DataFileError(path, f"has NRRD byte skip {byte_skip}")
        else:
            start += byte_skip
        available = max(size - start, 0)
        if encoding == "raw":
            if available < data_bytes:
                raise _truncated(path, f"{data_bytes} bytes", available)
            stream.seek(start)
            values = np.fromfile(stream, dtype=dtype, count=count)
        elif encoding in ("gzip", "bzip2"):
            # zlib or gzip streams (teem writes gzip), as MetaImage's reader takes both.
            inflater = zlib.decompressobj(zlib.MAX_WBITS | 32) if encoding == "gzip" else bz2.BZ2Decompressor()
            values = np.frombuffer(_decompress(stream, start, available, inflater, data_bytes, path), dtype=dtype)
        else:
            stream.seek(start)
            values = _read_text(stream.read(), encoding, dtype, count, path)
    return fields, values.astype(dtype.newbyteorder("="), copy=False)


def _truncated(path: Path, needed: str, found: int) -> DataFileError:
    return DataFileError(path, f"is truncated: its voxels need {needed}, {found} are there")


def _skip_lines(stream: Any, start: int, lines: int, size: int, path: Path) -> int:
    """The byte after ``lines`` more line ends from ``start``."""
    if lines < 0:
        raise DataFileError(path, f"has NRRD line skip {lines}")
    stream.seek(start)
    for _ in range(lines):  # each line read is at least one byte: as many turns as the file has bytes
        if not stream.readline(size):
            raise DataFileError(path, f"is truncated: it has fewer lines than its line skip ({lines})")
    return stream.tell()


def _decompress(stream: Any, start: int, available: int, inflater: Any, data_bytes: int, path: Path) -> bytearray:
    """Decompress at most ``data_bytes`` from the ``available`` bytes at ``start``; raise unless all are there.

    The output grows with what the data really give, so a header that
    declares more than the file holds costs no more memory than the file
    decompresses to.
    """
    is_zlib = not isinstance(inflater, bz2.BZ2Decompressor)
    output = bytearray()
    left, pending = available, b""
    stream.seek(start)
    while len(output) < data_bytes and not inflater.eof:
        # zlib hands back the input it did not use; bz2 keeps it and says when it needs more.
        if (not pending) if is_zlib else inflater.needs_input:
            pending = stream.read(min(CHUNK_BYTES, left)) if left > 0 else b""
            left -= len(pending)
            if not pending and not is_zlib:
                break
        try:
            piece = inflater.decompress(pending, min(CHUNK_BYTES, data_bytes - len(output)))
        except (zlib.error, OSError, EOFError, ValueError) as error:
            raise DataFileError(path, f"has compressed voxels that cannot be decompressed: {error}") from None
        used = len(pending) - (len(inflater.unconsumed_tail) if is_zlib else 0)
        pending = inflater.unconsumed_tail if is_zlib else b""
        if not piece and not used:
            break  # the input is spent and nothing more comes out
        output += piece
    if len(output) < data_bytes:
        raise _truncated(path, f"{data_bytes} bytes", len(output))
    return output


def _read_text(text: bytes, encoding: str, dtype: np.dtype, count: int, path: Path) -> np.ndarray:
    if encoding == "hex":
        digits = b"".join(text.split())
        needed = 2 * count * dtype.itemsize
        if len(digits) < needed:
            raise _truncated(path, f"{needed} hex digits", len(digits))
        try:
            return np.frombuffer(bytes.fromhex(digits[:needed].decode("ascii")), dtype=dtype)
        except (ValueError, UnicodeDecodeError):
            raise DataFileError(path, "has hex voxels that are not all hex digits") from None
    with warnings.catch_warnings():
        # numpy before 2 warns where it will raise: a word that is not a number.
        warnings.simplefilter("error", DeprecationWarning)
        try:
            numbers = np.fromstring(text, dtype=dtype.newbyteorder("="), sep=" ")
        except (ValueError, DeprecationWarning):
            raise DataFileError(path, "has ASCII voxels that are not all numbers of its type") from None
    if numbers.size < count:
        raise _truncated(path, f"{count} numbers", numbers.size)
    return numbers[:count]
