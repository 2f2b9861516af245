"""ArrayDicts as numpy ``.npz`` archives: one ``.npy`` member per array, a JSON manifest for the rest.

Encoding
--------
- every array, numpy scalar and python number is a ``.npy`` member named by
  its key path joined with ``/``: ``Points.npy``, ``PointData/Radius.npy``,
  ``CellData/CellPointIds/0.npy`` (the 1st item of a list), so that
  ``numpy.load(path)["PointData/Radius"]`` finds it too;
- the member :data:`MANIFEST` (JSON, not an array, so it cannot clash with a
  key path, which always ends in ``.npy``) holds the tree: dicts (in order),
  lists, tuples, strings, empty dicts and the kind of every leaf, plus
  ``layout_version``, ``kind`` and ``writer``.

Arrays are read with ``allow_pickle=False``: an npz never holds a pickle.
An archive without a manifest (e.g. from ``numpy.savez(path, a=..., b=...)``)
reads as a dict of its members, nested at each ``/`` of their names.

Examples
--------
>>> import numpy as np, os, tempfile
>>> from vmtkscripts_numpy.storage import npz
>>> path = os.path.join(tempfile.mkdtemp(), "image.npz")
>>> _ = npz.write({"Spacing": np.ones(3), "IndexOrder": "xyz", "PointData": {}}, path)
>>> npz.read(path)["IndexOrder"]
'xyz'
>>> sorted(np.load(path, allow_pickle=False).files)
['Spacing', 'vmtkscripts_numpy.json']
"""

from __future__ import annotations

import functools
import io
import json
import math
import os
import struct
import zipfile
import zlib
from pathlib import Path
from typing import IO, Any, Dict, List, Mapping, Optional, cast

import numpy as np

from .. import __version__, progress
from .._argument_order import data_and_path
from .._atomic import atomic_output
from .._preallocate import Writeback, release_unused
from ..convert import layout
from ..errors import ArrayDictError, DataFileError
from . import _files, _limits, _tree

NAME = "npz"

#: The manifest member; every array member ends in ``.npy``, so no key path can take this name.
MANIFEST = "vmtkscripts_numpy.json"
#: Accepted ``compression`` values: stored as they are, or zip's deflate (as ``numpy.savez_compressed``).
COMPRESSIONS = (None, "deflate")

_LEAF_TAGS = ("array", "scalar") + _tree.PYTHON_SCALARS


def write(
    array_dict: Mapping[str, Any],
    path: _files.PathLike,
    compression: Optional[str] = None,
    compression_level: int = 4,
    kind: Optional[str] = None,
) -> Path:
    """Write ``array_dict`` to the npz file ``path``, atomically; returns ``path`` as a Path.

    Parameters
    ----------
    array_dict : dict
        The ArrayDict; it is checked completely before the file is created.
        (The older order ``write(path, array_dict)`` still works, with a
        :class:`~vmtkscripts_numpy.errors.VmtkNumpyDeprecationWarning`.)
    path : str or path-like
        The file written, exactly as given (unlike ``numpy.savez``, no ``.npz`` is added here).
    compression : {None, "deflate"}
        None (default) stores the arrays as they are, like ``numpy.savez``;
        ``"deflate"`` compresses them, like ``numpy.savez_compressed``.
    compression_level : int
        Deflate level, 0 to 9.
    kind : str, optional
        What the dict holds, written in the manifest; guessed from the keys if not given.

    Raises
    ------
    ArrayDictError
        If ``array_dict`` holds something that cannot be stored; nothing is written.
    DataFileError
        If the file cannot be written; an earlier file at ``path`` is left intact.
    ValueError
        For an unknown compression or a level outside 0-9.
    """
    array_dict, path = data_and_path(array_dict, path, "npz.write")
    _files.check_compression("npz", COMPRESSIONS, compression, "deflate", compression_level)
    nodes = list(_tree.walk(array_dict))  # check everything before touching the disk
    array_bytes = sum(value.nbytes for _, node_kind, value in nodes if node_kind == "array")
    progress.expect(array_bytes)
    manifest: Dict[str, Any] = {
        "format": "vmtkscripts_numpy npz",
        "layout_version": _tree.LAYOUT_VERSION,
        "kind": kind or layout.guess_kind(array_dict),
        "writer": f"vmtkscripts_numpy {__version__}",
    }
    zip_options: Dict[str, Any] = {"compression": zipfile.ZIP_STORED, "allowZip64": True}
    if compression == "deflate":
        zip_options.update(compression=zipfile.ZIP_DEFLATED, compresslevel=int(compression_level))
    with atomic_output(path) as temporary:
        # _WritesAlongside has the file methods zipfile calls.
        with open(temporary, "wb") as stream, _WritesAlongside(stream) as alongside, \
                zipfile.ZipFile(cast(IO[bytes], alongside), "w", **zip_options) as archive:
            if compression is None:
                _files.reserve_for(stream, array_bytes)
            entries: Dict[tuple, Any] = {}
            for where, node_kind, value in nodes:
                member = "/".join(str(part) for part in where)
                if node_kind == "dict":
                    entry: Any = {"dict": []}
                elif node_kind in ("list", "tuple"):
                    entry = {node_kind: []}
                elif node_kind == "str":
                    entry = {"str": value}
                else:
                    if node_kind == "array":
                        data = value
                    elif node_kind == "scalar":
                        data = np.asarray(value)
                    else:
                        data = _tree.python_scalar_array(node_kind, value)
                    with archive.open(member + ".npy", "w", force_zip64=True) as out:
                        _write_npy(out, data)
                    entry = {node_kind: member}
                entries[where] = entry
                if where:
                    parent = entries[where[:-1]]
                    children = next(iter(parent.values()))
                    children.append([where[-1], entry] if "dict" in parent else entry)
            manifest["root"] = entries[()]
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False).encode("utf-8"))
        release_unused(temporary)
    return Path(path)


#: Bytes of an array member written or read at a time (numpy's own ``read_array`` reads 256 KiB at a time).
_BLOCK = 1 << 20
#: Members of this many bytes or more are read with their CRC-32 taken alongside, in blocks of
#: ``_CRC_ALONGSIDE_BLOCK`` (small enough to be summed from the cache while the next one is read).
_CRC_ALONGSIDE_FROM = 8 << 20
_CRC_ALONGSIDE_BLOCK = 4 << 20


def _write_npy(out: Any, data: np.ndarray) -> None:
    """Write ``data`` as an ``.npy`` member: numpy's header (as ``np.save`` writes it), then the array's bytes.

    A C- or Fortran-contiguous array goes to ``out`` from its own memory, a
    block at a time; numpy's ``write_array`` copies each 16 MiB block to
    ``bytes`` first (``tobytes``). Any other array is copied a block at a
    time, in C order.
    """
    header = np.lib.format.header_data_from_array_1_0(data)
    try:
        np.lib.format.write_array_header_1_0(out, header)
    except ValueError:  # a header longer than 64 KiB (a shape of thousands of axes)
        np.lib.format.write_array_header_2_0(out, header)
    if data.flags.c_contiguous or data.flags.f_contiguous:
        raw = data.reshape(-1, order="F" if header["fortran_order"] else "C").view(np.uint8)
        for start in range(0, raw.size, _BLOCK):
            out.write(raw[start:start + _BLOCK])
            progress.advance(min(_BLOCK, raw.size - start))
        return
    for piece in _files.c_ordered_pieces(data, max(_BLOCK // data.itemsize, 1)):
        # A block of its own: it may be written later (_WritesAlongside).
        block = np.array(piece, order="C").reshape(-1).view(np.uint8)
        out.write(block)
        progress.advance(block.nbytes)


class _WritesAlongside:
    """The file zipfile writes to, whose large writes a helper thread does, in order, while zipfile goes on.

    zipfile sums a block's CRC-32 and then writes it, in one call; with the
    write handed over, the sum of the next block runs while this one is
    written (zlib and the write both release the GIL): 268 MB in 149 to 175 ms
    instead of 181 to 188, ``fsync`` included, and in 91 ms with the
    writeback started as it goes (:class:`~vmtkscripts_numpy._preallocate.Writeback`).
    The blocks written later are the arrays' own memory or copies of it,
    which nothing changes meanwhile.
    Smaller writes, ``seek``, ``flush`` and leaving the ``with`` statement
    wait for the writes handed over, so the file is written in order, and
    their errors are raised there.
    """

    def __init__(self, stream: Any) -> None:
        from concurrent.futures import ThreadPoolExecutor  # here: importing this module stays light

        self._stream = stream
        self._position = stream.tell()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="npz-write")
        self._pending: List[Any] = []
        self._writeback = Writeback(stream.fileno())

    def __enter__(self) -> "_WritesAlongside":
        return self

    def __exit__(self, *error: Any) -> None:
        try:
            self._wait()
        finally:
            self._writer.shutdown()

    def _wait(self) -> None:
        pending, self._pending = self._pending, []
        for write in pending:
            write.result()

    def write(self, data: Any) -> int:
        size = memoryview(data).nbytes
        if size >= _WRITE_ALONGSIDE_FROM:
            self._pending.append(self._writer.submit(self._write_large, data, size))
        else:
            self._wait()
            self._stream.write(data)
        self._position += size
        return size

    def _write_large(self, data: Any, size: int) -> None:
        """In the helper thread: write, and start the file's writeback when it is due."""
        self._stream.write(data)
        self._writeback.wrote(size)

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        self._wait()
        self._position = self._stream.seek(offset, whence)
        return self._position

    def seekable(self) -> bool:
        return True

    def flush(self) -> None:
        self._wait()
        self._stream.flush()


#: Writes of this many bytes or more are handed to :class:`_WritesAlongside`'s helper thread.
_WRITE_ALONGSIDE_FROM = 64 << 10


#: What zipfile, zlib and numpy's header parser raise for archives and members they cannot make sense of.
_DAMAGED = (zipfile.BadZipFile, zlib.error, struct.error, EOFError, OSError, ValueError, RuntimeError,
            NotImplementedError, OverflowError, IndexError, KeyError, TypeError, SyntaxError)


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number the manifest holds")


class _Reader:
    """Reads one open archive; every size is checked against the archive's directory before anything is read.

    Members are stored or deflated (as numpy and this package write them),
    neither encrypted nor overlapping one another; an ``.npy`` header must
    declare exactly the bytes its member holds; and what the read gives
    back is charged to ``budget``, so that deflate cannot make a small file
    stand for gigabytes.
    """

    def __init__(self, archive: zipfile.ZipFile, source: str, budget: _limits.Budget):
        self.archive = archive
        self.source = source
        self.budget = budget
        self.infos: Dict[str, zipfile.ZipInfo] = {}

    def fail(self, problem: str) -> DataFileError:
        return DataFileError(self.source, problem)

    def check_directory(self) -> None:
        """Refuse members that are encrypted, compressed otherwise than deflate, repeated, overlapping or lost."""
        listed = self.archive.infolist()
        declared = _entries_declared(self.archive)
        if declared != len(listed):
            # a damaged directory entry (a comment or extra field running long) hides the entries after it
            raise self.fail(f"its zip directory declares {declared} members but lists {len(listed)}")
        for info in listed:
            member = info.filename
            if member in self.infos:
                raise self.fail(f"member {member} appears twice in the archive")
            if info.flag_bits & 0x1:
                raise self.fail(f"member {member} is encrypted")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise self.fail(f"member {member} is compressed with method {info.compress_type}; only stored and "
                                "deflated members are read, as numpy and this package write them")
            if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
                raise self.fail(f"member {member} is stored as {info.compress_size} bytes but declares "
                                f"{info.file_size}")
            self.infos[member] = info
        # The data of a member follows its 30-byte local header; two members sharing bytes would let one
        # archive list the same data many times.
        end = getattr(self.archive, "start_dir", self.budget.file_size)
        for info in sorted(self.infos.values(), key=lambda info: info.header_offset, reverse=True):
            if info.header_offset + 30 + info.compress_size > end:
                raise self.fail(f"member {info.filename} overlaps the next member or the archive's directory")
            end = info.header_offset

    def manifest(self) -> Dict[str, Any]:
        info = self.infos[MANIFEST]
        self.budget.charge(info.file_size, f"its manifest {MANIFEST}")
        try:
            return json.loads(self.archive.read(info).decode("utf-8"), parse_constant=_refuse_constant)
        except RecursionError:
            raise self.fail(f"its manifest {MANIFEST} is nested too deeply") from None
        except _DAMAGED as error:
            raise self.fail(f"its manifest {MANIFEST} is damaged: {error}") from None

    def array(self, member: str, path: _tree.Path) -> np.ndarray:
        """The array in ``member``: its header checked against the member's size and the budget, then read."""
        where = _tree.path_text(path)
        info = self.infos.get(member)
        if info is None:
            raise self.fail(f"member {member} is missing")
        try:
            with self.archive.open(info) as stream:
                version = np.lib.format.read_magic(stream)
                if version == (1, 0):
                    shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(stream)
                elif version == (2, 0):
                    shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(stream)
                else:
                    raise self.fail(f"member {member} is not a valid .npy array: its format version is {version}, "
                                    "and plain arrays are 1.0 or 2.0")
                header = stream.tell()
                if dtype.hasobject:
                    raise self.fail(f"member {member} holds an object array, which would need pickle; not loaded")
                try:
                    _tree.check_dtype(dtype, path)
                except ArrayDictError as error:
                    raise self.fail(f"member {member}: {error}") from None
                if not all(isinstance(length, int) and length >= 0 for length in shape):
                    raise self.fail(f"member {member} declares the shape {shape}")
                count = math.prod(shape)
                nbytes = count * dtype.itemsize
                if header + nbytes != info.file_size:
                    raise self.fail(f"member {member} declares {shape} {dtype} ({nbytes} bytes) but holds "
                                    f"{info.file_size - header} bytes of data")
                self.budget.charge(nbytes, f"{where} (member {member})")
                data = np.empty(count, dtype)
                if info.compress_type == zipfile.ZIP_STORED and nbytes >= _BLOCK:
                    self.read_stored(info, header, data.view(np.uint8))
                else:
                    _read_into(stream, data.view(np.uint8), member)
        except DataFileError:
            raise
        except _DAMAGED as error:
            detail = str(error) or type(error).__name__
            raise self.fail(f"member {member} is not a valid .npy array or is damaged: {detail}") from None
        if fortran_order:
            return data.reshape(shape[::-1]).transpose()
        return data.reshape(shape)

    def read_stored(self, info: zipfile.ZipInfo, header: int, buffer: np.ndarray) -> None:
        """Read a stored member's data past its ``.npy`` header straight into ``buffer``, checking its CRC-32.

        zipfile's reader hands data back as ``bytes`` (a copy of every
        block); here the file is read into the array itself, a block at a
        time, each block's CRC-32 taken while it is still in the cache, and
        the member's CRC-32 (its ``.npy`` header included) compared as
        zipfile compares it at the end of a member.
        """
        stream = _stream(self.archive)
        stream.seek(info.header_offset)
        local = _LOCAL_HEADER.unpack(stream.read(_LOCAL_HEADER.size))
        # The data follow the local header, its file name and its extra field (lengths: fields 10 and 11).
        stream.seek(info.header_offset + _LOCAL_HEADER.size + local[10] + local[11])
        crc = zlib.crc32(stream.read(header))
        view = buffer.data
        total = len(view)
        if total < _CRC_ALONGSIDE_FROM:
            position = 0
            while position < total:
                count = stream.readinto(view[position:position + _BLOCK])
                if not count:
                    raise EOFError(f"member {info.filename} ends {total - position} bytes early")
                crc = zlib.crc32(view[position:position + count], crc)
                position += count
        else:
            crc = _read_with_crc_alongside(stream, view, crc, info.filename)
        if crc != info.CRC:
            raise self.fail(f"member {info.filename} is damaged: its CRC-32 does not match its data")

    def node(self, entry: Any, path: _tree.Path, depth: int) -> Any:
        where = _tree.path_text(path)
        if depth > _tree.MAX_DEPTH:
            raise self.fail(f"manifest is nested more than {_tree.MAX_DEPTH} deep")
        if not isinstance(entry, dict) or len(entry) != 1:
            raise self.fail(f"manifest entry for {where} is not a one-key object: {str(entry)[:80]}")
        (tag, value), = entry.items()
        if tag == "dict":
            if not isinstance(value, list):
                raise self.fail(f"manifest: dict {where} is not a list of [key, entry] pairs")
            result: Dict[str, Any] = {}
            for pair in value:
                if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
                    raise self.fail(f"manifest: dict {where} holds {str(pair)[:80]}, not a [key, entry] pair")
                key = self.checked(_tree.check_key, pair[0], path)
                if key in result:
                    raise self.fail(f"manifest: dict {where} has the key {key!r} twice")
                result[key] = self.node(pair[1], path + (key,), depth + 1)
            return result
        if tag in ("list", "tuple"):
            if not isinstance(value, list):
                raise self.fail(f"manifest: {tag} {where} is not a list")
            items = [self.node(item, path + (index,), depth + 1) for index, item in enumerate(value)]
            return items if tag == "list" else tuple(items)
        if tag == "str":
            if not isinstance(value, str):
                raise self.fail(f"manifest: string {where} is a {type(value).__name__}")
            return self.checked(_tree.leaf_kind, value, path)[1]
        if tag in _LEAF_TAGS:
            member = "/".join(str(part) for part in path)
            if value != member:
                raise self.fail(f"manifest: {tag} {where} names the member {str(value)[:80]!r}, not its key path "
                                f"{member!r}")
            data = self.array(member + ".npy", path)
            if tag == "array":
                return data
            if data.ndim != 0:
                raise self.fail(f"member {member}.npy should hold a {tag} (0-d) but has shape {data.shape}")
            if tag == "scalar":
                return data[()]
            return self.checked(_tree.python_scalar, tag, data, where=where)
        raise self.fail(f"manifest: unknown entry {str(tag)[:40]!r} at {where}")

    def checked(self, check: Any, *arguments: Any, where: str = "") -> Any:
        """``check(*arguments)``, an :class:`ArrayDictError` becoming a :class:`DataFileError`."""
        try:
            return check(*arguments)
        except ArrayDictError as error:
            raise self.fail(f"{where}: {error}" if where else str(error)) from None

    def from_manifest(self) -> Dict[str, Any]:
        manifest = self.manifest()
        if not isinstance(manifest, dict) or "root" not in manifest:
            raise self.fail(f"its manifest {MANIFEST} has no 'root'")
        version = manifest.get("layout_version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise self.fail(f"its manifest has a bad layout_version {str(version)[:40]!r}")
        if version > _tree.LAYOUT_VERSION:
            raise self.fail(f"has layout version {version}; this vmtkscripts_numpy reads up to "
                            f"{_tree.LAYOUT_VERSION}: upgrade vmtkscripts_numpy")
        root = manifest["root"]
        if not (isinstance(root, dict) and list(root) == ["dict"]):
            kind = next(iter(root)) if isinstance(root, dict) and root else type(root).__name__
            raise self.fail(f"its manifest's root is a {str(kind)[:40]}, not a dict")
        return self.node(root, (), 0)

    def from_members(self) -> Dict[str, Any]:
        """An archive without a manifest: members nested at each ``/`` of their names."""
        tree: Dict[str, Any] = {}
        for member in self.infos:
            if member.endswith("/"):
                continue  # a folder entry
            if not member.endswith(".npy"):
                raise self.fail(f"member {member} is not a .npy array and there is no {MANIFEST}")
            parts: List[str] = member[: -len(".npy")].split("/")
            try:
                for index, part in enumerate(parts):
                    _tree.check_key(part, tuple(parts[:index]))
            except ArrayDictError as error:
                raise self.fail(f"member {member}: {error}") from None
            node = tree
            for part in parts[:-1]:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise self.fail(f"member {member}: {part} is both an array and a folder")
            if parts[-1] in node:
                raise self.fail(f"member {member}: {parts[-1]} is both an array and a folder")
            node[parts[-1]] = self.array(member, tuple(parts))
        return tree


#: A zip member's local header (the zip format's; zipfile's own copy of it is private).
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")


def _stream(archive: zipfile.ZipFile) -> io.BufferedReader:
    """The file an open archive reads (zipfile opens a file it is given by name with ``open(name, "rb")``)."""
    return cast(io.BufferedReader, archive.fp)


def _entries_declared(archive: zipfile.ZipFile) -> int:
    """The number of members the archive's end record declares (zip64 too), read from the end of the file."""
    stream = _stream(archive)
    stream.seek(0, os.SEEK_END)
    end = stream.tell() - 22 - len(archive.comment)
    stream.seek(end)
    record = stream.read(22)
    if len(record) != 22 or record[:4] != b"PK\x05\x06":
        raise zipfile.BadZipFile("no end of central directory record where zipfile found it")
    count = struct.unpack("<H", record[10:12])[0]
    if count != 0xFFFF:
        return count
    stream.seek(end - 20)
    locator = stream.read(20)
    if locator[:4] != b"PK\x06\x07":
        return count
    stream.seek(struct.unpack("<Q", locator[8:16])[0])
    record = stream.read(56)
    if record[:4] != b"PK\x06\x06":
        raise zipfile.BadZipFile("no zip64 end of central directory record where its locator says")
    return struct.unpack("<Q", record[32:40])[0]


def _read_with_crc_alongside(stream: Any, view: memoryview, crc: int, member: str) -> int:
    """Fill ``view`` from ``stream`` while a helper thread takes the CRC-32 of the blocks already read.

    zlib releases the GIL while it sums a block, so the helper sums one block
    while this thread reads the next. Summing takes longer than reading here
    (268 MB: 64 ms against 38 ms), so once everything is read this thread
    sums blocks too, from the last one back, until the two meet; the CRC-32 of
    the part it summed is then appended to the helper's
    (:func:`_crc32_combine`). The read takes about half of reading and summing
    together (268 MB: 107 ms in line, 67 ms with the helper alone, 55-62 ms
    shared, where ``np.load`` of the same array as ``.npy`` takes 38 ms).
    The result is the CRC-32 of the whole member, continued from ``crc``.
    """
    import threading  # here: most reads have no member this large

    total = len(view)
    starts = range(0, total, _CRC_ALONGSIDE_BLOCK)
    turn = threading.Condition()
    # Blocks [0, front) are the helper's, [back, len(starts)) this thread's; [0, read) are filled.
    counts = {"read": 0, "front": 0, "back": len(starts), "stopped": False}
    front_crc = [crc]

    def block(index: int) -> memoryview:
        return view[starts[index]:starts[index] + _CRC_ALONGSIDE_BLOCK]

    def sum_from_the_front() -> None:
        running = crc
        while True:
            with turn:
                turn.wait_for(lambda: counts["stopped"] or counts["front"] >= counts["back"]
                              or counts["front"] < counts["read"])
                if counts["stopped"] or counts["front"] >= counts["back"]:
                    break
                index = counts["front"]
                counts["front"] += 1
            running = zlib.crc32(block(index), running)
        front_crc[0] = running

    helper = threading.Thread(target=sum_from_the_front, name="npz-crc")
    helper.start()
    try:
        for index in range(len(starts)):
            target, filled = block(index), 0
            while filled < len(target):
                count = stream.readinto(target[filled:])
                if not count:
                    raise EOFError(f"member {member} ends {total - starts[index] - filled} bytes early")
                filled += count
            with turn:
                counts["read"] = index + 1
                turn.notify()
        back_crc = back_length = 0
        while True:
            with turn:
                if counts["back"] <= counts["front"]:
                    break
                counts["back"] -= 1
                index = counts["back"]
            data = block(index)
            back_crc = _crc32_combine(zlib.crc32(data), back_crc, back_length)
            back_length += len(data)
    finally:
        with turn:
            counts["stopped"] = True
            turn.notify()
        helper.join()
    return _crc32_combine(front_crc[0], back_crc, back_length)


#: CRC-32's polynomial, its bits reflected as zlib keeps them.
_CRC32_POLYNOMIAL = 0xEDB88320


def _crc32_product(first: int, second: int) -> int:
    """The product of two polynomials of degree < 32 modulo CRC-32's, in zlib's reflected bit order."""
    product, bit = 0, 1 << 31  # the highest bit stands for x^0
    while first:
        if first & bit:
            product ^= second
            first ^= bit
        bit >>= 1
        second = (second >> 1) ^ _CRC32_POLYNOMIAL if second & 1 else second >> 1  # second * x
    return product


@functools.lru_cache(maxsize=None)
def _crc32_x_to_the_power_of_two_to_the(exponent: int) -> int:
    """x^(2^exponent) modulo CRC-32's polynomial."""
    if exponent == 0:
        return 1 << 30  # x^1
    root = _crc32_x_to_the_power_of_two_to_the(exponent - 1)
    return _crc32_product(root, root)


def _crc32_combine(first: int, second: int, second_length: int) -> int:
    """The CRC-32 of bytes ``A + B`` from the CRC-32 of ``A``, that of ``B`` and ``len(B)`` (zlib's ``crc32_combine``).

    Appending ``n`` bytes multiplies what ``A`` contributes by ``x^(8n)``
    (modulo the polynomial), and the rest of the CRC-32 is that of ``B``.
    Python's :mod:`zlib` does not offer the function; it takes about 10 µs.

    Examples
    --------
    >>> _crc32_combine(zlib.crc32(b"vascular "), zlib.crc32(b"tree"), 4) == zlib.crc32(b"vascular tree")
    True
    """
    shift, bits, exponent = 1 << 31, second_length * 8, 0  # x^0
    while bits:
        if bits & 1:
            shift = _crc32_product(_crc32_x_to_the_power_of_two_to_the(exponent), shift)
        bits >>= 1
        exponent += 1
    return _crc32_product(shift, first) ^ second


def _read_into(stream: Any, buffer: np.ndarray, member: str) -> None:
    """Fill ``buffer`` (bytes) from ``stream``; reading the member to its end makes zipfile check its CRC."""
    view = buffer.data
    position, total = 0, len(view)
    while position < total:
        piece = stream.read(min(_BLOCK, total - position))
        if not piece:
            raise EOFError(f"member {member} ends {total - position} bytes early")
        view[position:position + len(piece)] = piece
        position += len(piece)


@_files.one_line_errors
def read(path: _files.PathLike, max_ratio: float = _limits.DEFAULT_MAX_RATIO) -> Dict[str, Any]:
    """Read the ArrayDict in the npz file ``path``; arrays are loaded with ``allow_pickle=False``.

    Parameters
    ----------
    path : str or path-like
        The file.
    max_ratio : float
        The most bytes of data the read gives back per byte of the file, plus
        16 MiB (see :mod:`vmtkscripts_numpy.storage._limits`); raise it for a
        trusted file that compresses better.

    Raises
    ------
    DataFileError
        If the file is missing, empty, truncated, not an npz archive, damaged,
        holds an object array or a member that is encrypted, compressed
        otherwise than deflate or larger than its header says, if its
        manifest does not describe its members as this package's writer does
        (keys, strings and dtypes that no writer stores are refused), or if it
        gives back more than ``max_ratio`` allows.
    """
    name = _files.check_readable(path, NAME)
    budget = _limits.Budget(name, os.path.getsize(name), max_ratio)
    try:
        archive = zipfile.ZipFile(name)
    except (FileNotFoundError, PermissionError, IsADirectoryError) as error:
        raise DataFileError(name, f"cannot be read: {error.strerror or error}") from None
    except _DAMAGED as error:
        raise _files.not_the_format(name, NAME, str(error) or type(error).__name__) from None
    except MemoryError:
        raise DataFileError(name, "is damaged: its zip directory does not fit in memory") from None
    with archive:
        reader = _Reader(archive, name, budget)
        try:
            reader.check_directory()
            if MANIFEST in reader.infos:
                return reader.from_manifest()
            return reader.from_members()
        except DataFileError:
            raise
        except _DAMAGED as error:
            raise DataFileError(name, f"is damaged: {type(error).__name__}: {error}") from None
        except MemoryError:
            raise DataFileError(name, "is damaged: reading it ran out of memory") from None
        except RecursionError:
            raise DataFileError(name, "is damaged: it is nested too deeply") from None
