"""ArrayDicts as HDF5 files, in vmtk's layout: a dict is a group, an array a dataset.

Layout (version :data:`~vmtkscripts_numpy.storage._tree.LAYOUT_VERSION`)
-----------------------------------------------------------------------
- a dict is a group (members kept in insertion order);
- an array is a dataset of the same shape and dtype (bool, every int/uint
  width, float16/32/64, longdouble, complex, fixed-width bytes; either byte
  order). Datasets with at least one dimension and one element are chunked
  in slabs of about :data:`CHUNK_BYTES` along the first axes, and compressed
  when asked (gzip levels 0-9 or lzf, with the shuffle filter);
- a list is a group of members ``"0"``, ``"1"``, ... (vmtk's layout) marked
  with the attribute ``vmtkscripts_numpy_container = "list"`` (``"tuple"``
  for a tuple), so that an empty list and a dict with keys ``"0"``, ``"1"``
  are told apart;
- a ``str`` is a scalar variable-length UTF-8 string dataset;
- a python ``bool``/``int``/``float``/``complex`` or a numpy scalar is a 0-d
  dataset with ``vmtkscripts_numpy_leaf`` set to its kind (``"int"``, ...,
  ``"scalar"``); a 0-d array has no such mark;
- a unicode (``U``) array, which HDF5 has no type for, is a uint32 dataset of
  its UTF-32 code units with one more axis, marked with
  ``vmtkscripts_numpy_dtype`` (e.g. ``"<U5"``).

The root group says what the file holds: ``vmtkscripts_numpy_layout_version``
(1), ``vmtkscripts_numpy_kind`` (``surface``, ``centerlines``, ``mesh``,
``image`` or ``unknown``, guessed from the keys unless given) and
``vmtkscripts_numpy_writer``.

Files written by vmtk's ``vmtknumpywriter`` (no attributes) read as vmtk
meant them: a group whose members are exactly the datasets ``"0"`` ...
``"n-1"`` is a list, in numeric order (``0, 1, 2, ..., 10, 11``, not
HDF5's name order ``0, 1, 10, 11, 2, ...``).

Every dataset costs about 45 microseconds to write and 50 to read, most of it
HDF5's own work of creating, opening and closing an object (``np.save`` and
``np.load`` of one small array: about 18 and 36), so a list of 100 000 small
arrays (vmtk's centerline ``CellPointIds``) takes some seconds each way; pickle
takes a tenth of that.

Examples
--------
>>> import numpy as np, os, tempfile
>>> from vmtkscripts_numpy.storage import hdf5
>>> path = os.path.join(tempfile.mkdtemp(), "lines.hdf5")
>>> lines = {"Points": np.zeros((5, 3)), "CellData": {"CellPointIds": [np.arange(3), np.arange(3, 5)]}}
>>> hdf5.write(lines, path, compression="gzip", compression_level=4).name
'lines.hdf5'
>>> [ids.tolist() for ids in hdf5.read(path)["CellData"]["CellPointIds"]]
[[0, 1, 2], [3, 4]]
"""

from __future__ import annotations

import itertools
import math
import os
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

import numpy as np

from .. import __version__, formats, progress
from ..convert import layout
from .._argument_order import data_and_path
from .._atomic import atomic_output
from .._preallocate import Writeback, h5py_descriptor, release_unused, reserve
from ..errors import DataFileError
from . import _files, _hdf5_heaps, _limits, _tree

NAME = "hdf5"

#: Root attributes: the layout version, the kind of dict and the writer.
LAYOUT_VERSION_ATTRIBUTE = "vmtkscripts_numpy_layout_version"
KIND_ATTRIBUTE = "vmtkscripts_numpy_kind"
WRITER_ATTRIBUTE = "vmtkscripts_numpy_writer"
#: On groups holding a list or a tuple.
CONTAINER_ATTRIBUTE = "vmtkscripts_numpy_container"
#: On 0-d datasets holding a python or numpy scalar.
LEAF_ATTRIBUTE = "vmtkscripts_numpy_leaf"
#: On datasets holding the code units of a unicode array: its numpy dtype.
DTYPE_ATTRIBUTE = "vmtkscripts_numpy_dtype"

#: Target size of a chunk in bytes.
CHUNK_BYTES = 1 << 20
#: Accepted ``compression`` values.
COMPRESSIONS = (None, "gzip", "lzf")

#: Oldest HDF5 format objects are written in: readable by HDF5 1.10 (2016) and later.
_LIBVER = ("v110", "latest")


def chunk_shape(shape: Tuple[int, ...], itemsize: int, target: int = CHUNK_BYTES) -> Tuple[int, ...]:
    """A chunk of about ``target`` bytes: whole trailing axes, the first axes split.

    Such chunks are contiguous slabs of a C-ordered array, so a whole dataset
    is written and read in large sequential pieces.

    Examples
    --------
    >>> chunk_shape((4_000_000, 3), 8)
    (43690, 3)
    >>> chunk_shape((512, 512, 512), 4)
    (1, 512, 512)
    >>> chunk_shape((10, 3), 4)
    (10, 3)
    """
    chunk = list(shape)
    size = max(itemsize, 1)
    for axis in reversed(range(len(shape))):
        if size * shape[axis] <= target:
            size *= shape[axis]
            continue
        chunk[axis] = max(1, target // size)
        for earlier in range(axis):
            chunk[earlier] = 1
        break
    return tuple(chunk)


#: Most bytes of the two-axis block :func:`copy_c_ordered` stages an array through.
_STAGE_BYTES = 1 << 20
#: Fewest values of such a block: below, numpy's own copy costs less than a Python step per block.
_STAGE_FROM = 2048


def copy_c_ordered(out: np.ndarray, data: np.ndarray) -> None:
    """Copy ``data`` into the C-ordered array ``out`` of the same shape, also fast for arrays in another order.

    HDF5 stores datasets in C order. An image in vmtk's ``[x, y, z]`` order is
    Fortran-ordered (x fastest, as VTK keeps it), and a plain copy into C
    order (``out[...] = data``) walks ``data`` with a stride of a whole ``x, y``
    plane: at 512³ every step lands in the same cache set, and each cache line
    is loaded once per value it holds. Here, for each index of the axes other
    than ``data``'s fastest and the last, the two-axis block of those two axes
    goes through a small contiguous buffer: read along ``data``'s fastest axis
    (whole cache lines, each read once), then written along the last axis
    from the buffer, which stays in the cache.

    Examples
    --------
    >>> volume = np.asfortranarray(np.arange(24).reshape(2, 3, 4))
    >>> copy = np.empty(volume.shape, volume.dtype)
    >>> copy_c_ordered(copy, volume)
    >>> bool((copy == volume).all())
    True
    """
    last = data.ndim - 1
    fastest = _files.fastest_axis(data)
    if fastest is None:
        fastest = last
    block_bytes = data.shape[fastest] * data.shape[last] * data.dtype.itemsize
    staged = _STAGE_FROM * data.dtype.itemsize <= block_bytes <= _STAGE_BYTES
    if data.ndim < 3 or fastest == last or not staged:
        out[...] = data  # numpy's copy is fast when data's fastest axis is the last, or for two axes
        return
    stage = np.empty((data.shape[last], data.shape[fastest]), data.dtype)
    others = [axis for axis in range(data.ndim) if axis not in (fastest, last)]
    index: List[Any] = [slice(None)] * data.ndim
    for position in itertools.product(*(range(data.shape[axis]) for axis in others)):
        for axis, value in zip(others, position):
            index[axis] = value
        block = tuple(index)
        np.copyto(stage, data[block].T)
        out[block] = stage.T


#: Threads that share the copy of a block into C order (numpy's copies release the GIL): with two, the
#: write of a 268 MB image in vmtk's order took 239-264 ms here instead of 283-285 ms.
TRANSPOSE_THREADS = max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                                  else os.cpu_count() or 1))  # the cores this process may run on, at most four
#: Blocks of fewer bytes are copied by the calling thread alone.
_THREADED_FROM = 4 << 20


class _Transposers:
    """:func:`copy_c_ordered` of blocks as large as ``buffer``, shared by :data:`TRANSPOSE_THREADS` threads.

    Each thread copies its own range of the second axis of the block (for a
    3-D image in vmtk's ``[x, y, z]`` order, a slab of ``y``), so no two write
    the same bytes. Small blocks, 2-D arrays and one core: the calling thread.
    """

    def __init__(self, buffer: np.ndarray) -> None:
        self.pool: Any = None
        if TRANSPOSE_THREADS > 1 and buffer.ndim >= 3 and buffer.nbytes >= _THREADED_FROM:
            from concurrent.futures import ThreadPoolExecutor

            self.pool = ThreadPoolExecutor(TRANSPOSE_THREADS, thread_name_prefix="hdf5-transpose")

    def __enter__(self) -> "_Transposers":
        return self

    def __exit__(self, *error: Any) -> None:
        if self.pool is not None:
            self.pool.shutdown()

    def __call__(self, out: np.ndarray, data: np.ndarray) -> None:
        if self.pool is None or data.shape[1] < TRANSPOSE_THREADS:
            copy_c_ordered(out, data)
            return
        bounds = np.linspace(0, data.shape[1], TRANSPOSE_THREADS + 1).astype(int).tolist()
        parts = [self.pool.submit(copy_c_ordered, out[:, low:high], data[:, low:high])
                 for low, high in zip(bounds[:-1], bounds[1:])]
        for part in parts:
            part.result()


def c_ordered(data: np.ndarray) -> np.ndarray:
    """A C-ordered copy of ``data``, also fast for arrays in another order (see :func:`copy_c_ordered`).

    Examples
    --------
    >>> volume = np.asfortranarray(np.arange(24).reshape(2, 3, 4))
    >>> copy = c_ordered(volume)
    >>> copy.flags.c_contiguous, bool((copy == volume).all())
    (True, True)
    """
    result = np.empty(data.shape, data.dtype)
    copy_c_ordered(result, data)
    return result


#: dtype kinds whose numpy bytes are exactly the bytes of the HDF5 type made for them (long
#: doubles, with padding bytes, are left to HDF5's conversion).
_RAW_KINDS = "biufc"


def write_chunks(dataset: Any, data: np.ndarray, chunk: Tuple[int, ...], origin: Optional[Tuple[int, ...]] = None) -> None:
    """Write each chunk of an unfiltered dataset straight from the C-ordered ``data``.

    A :func:`chunk_shape` chunk is a contiguous slab of ``data``, so its bytes
    go to the file as they are (``H5Dwrite_chunk``) instead of through HDF5's
    selection machinery, through which the same write of 100 MB took 1.1-1.2
    times as long. A last chunk that runs past the end of the split axis is
    padded with zeros, as HDF5 pads it.
    ``data`` may be a block of the dataset: ``origin`` is where it starts (its
    chunks must be whole chunks of the dataset, but for the dataset's last).

    Examples
    --------
    >>> import h5py, os, tempfile
    >>> rows = np.arange(30.0).reshape(10, 3)
    >>> path = os.path.join(tempfile.mkdtemp(), "rows.h5")
    >>> with h5py.File(path, "w") as h5file:
    ...     dataset = h5file.create_dataset("rows", shape=rows.shape, dtype=rows.dtype, chunks=(4, 3))
    ...     write_chunks(dataset.id, rows, (4, 3))
    ...     bool((dataset[()] == rows).all())
    True
    """
    # chunk_shape keeps whole trailing axes, splits one axis and gives the axes before it width 1.
    origin = origin or (0,) * data.ndim
    split = max((axis for axis, (length, width) in enumerate(zip(data.shape, chunk)) if width != length), default=None)
    if split is None:
        dataset.write_direct_chunk(origin, data)
        return
    length, step, trailing = data.shape[split], chunk[split], data.ndim - split - 1
    slabs = data.reshape(-1, length, math.prod(data.shape[split + 1:]))
    padded = None
    for slab, outer in zip(slabs, np.ndindex(*data.shape[:split])):
        for start in range(0, length, step):
            piece = slab[start:start + step]
            if len(piece) < step:
                if padded is None:
                    padded = np.zeros((step,) + piece.shape[1:], data.dtype)
                padded[:len(piece)] = piece
                piece = padded
            where = outer + (start,) + (0,) * trailing
            dataset.write_direct_chunk(tuple(offset + at for offset, at in zip(origin, where)), piece)


#: Most bytes of an array in another order than C copied at a time into the buffer its write goes through.
STREAM_BYTES = 16 << 20


def write_streamed(
    dataset: Any, data: np.ndarray, chunk: Tuple[int, ...], raw: bool, advance: Callable[[int], None] = progress.advance
) -> None:
    """Write ``data``, which is not C-ordered, block by block through one reused C-ordered buffer.

    No C-ordered copy of the whole array is made: a block of whole indices
    of the first axis (at most :data:`STREAM_BYTES`, and a twentieth of the
    array, but at least one chunk) is copied into the buffer with
    :func:`copy_c_ordered` and written from there, chunk by chunk
    (:func:`write_chunks`) when ``raw``, else through HDF5's selection of that
    block (filters, and types HDF5 converts). Where one index of the first axis
    is more than a block, the buffer is one chunk.

    Examples
    --------
    >>> import h5py, os, tempfile
    >>> volume = np.asfortranarray(np.arange(60, dtype=np.int16).reshape(5, 3, 4))
    >>> path = os.path.join(tempfile.mkdtemp(), "volume.h5")
    >>> with h5py.File(path, "w") as h5file:
    ...     dataset = h5file.create_dataset("volume", shape=volume.shape, dtype=volume.dtype, chunks=(2, 3, 4))
    ...     write_streamed(dataset.id, volume, (2, 3, 4), raw=True)
    ...     bool((dataset[()] == volume).all())
    True
    """
    itemsize = data.dtype.itemsize
    row_bytes = math.prod(data.shape[1:]) * itemsize
    budget = max(math.prod(chunk) * itemsize, min(STREAM_BYTES, data.nbytes // 20))
    rows = budget // max(row_bytes, 1)
    if rows >= chunk[0]:
        rows -= rows % chunk[0]
        buffer = np.empty((rows,) + data.shape[1:], data.dtype)
        with _Transposers(buffer) as transpose:
            for start in range(0, data.shape[0], rows):
                block = buffer[:min(rows, data.shape[0] - start)]
                transpose(block, data[start:start + len(block)])
                _write_block(dataset, block, chunk, (start,) + (0,) * (data.ndim - 1), raw)
                advance(block.nbytes)
        return
    for origin in itertools.product(*(range(0, length, width) for length, width in zip(data.shape, chunk))):
        piece = data[tuple(slice(at, at + width) for at, width in zip(origin, chunk))]
        _write_block(dataset, c_ordered(piece), chunk, origin, raw)
        advance(piece.nbytes)


def write_in_blocks(
    dataset: Any, data: np.ndarray, chunk: Tuple[int, ...], raw: bool, advance: Callable[[int], None] = progress.advance
) -> None:
    """Write the C-ordered ``data`` in blocks of whole chunks (about :data:`STREAM_BYTES`).

    Each chunk is written whole by one block, so the file is the one a single
    write makes; ``advance`` is told the bytes of each block written (by
    default, a progress report of :mod:`vmtkscripts_numpy.progress`).
    """
    row_bytes = max(math.prod(data.shape[1:]) * data.dtype.itemsize, 1)
    rows = max(STREAM_BYTES // row_bytes // chunk[0], 1) * chunk[0]
    for start in range(0, data.shape[0], rows):
        block = data[start:start + rows]
        _write_block(dataset, block, chunk, (start,) + (0,) * (data.ndim - 1), raw)
        advance(block.nbytes)


def _write_block(dataset: Any, block: np.ndarray, chunk: Tuple[int, ...], origin: Tuple[int, ...], raw: bool) -> None:
    """Write the C-ordered ``block`` of a dataset, starting at ``origin``."""
    if raw:
        write_chunks(dataset, block, chunk, origin)
        return
    import h5py

    selected = dataset.get_space()
    selected.select_hyperslab(origin, block.shape)
    dataset.write(h5py.h5s.create_simple(block.shape), selected, block)


def _code_units(array: np.ndarray) -> np.ndarray:
    """A unicode array as its UTF-32 code units, with one more axis (HDF5 has no UTF-32 string type)."""
    unit = np.dtype("u4").newbyteorder(array.dtype.byteorder)
    try:
        return array[..., np.newaxis].view(unit)  # a view in any memory order: each value's units are contiguous
    except ValueError:  # numpy before 1.23 changes the item size of C-contiguous arrays only
        width = array.dtype.itemsize // unit.itemsize
        return np.ascontiguousarray(array).reshape(-1).view(unit).reshape(array.shape + (width,))


def _from_code_units(units: np.ndarray, dtype_text: str, where: str, source: str) -> np.ndarray:
    try:
        dtype = np.dtype(dtype_text)
    except TypeError:
        dtype = None
    if dtype is None or dtype.kind != "U" or units.ndim == 0 or units.dtype.kind != "u" or units.dtype.itemsize != 4:
        raise DataFileError(source, f"dataset {where}: bad {DTYPE_ATTRIBUTE} {dtype_text!r} for {units.dtype} "
                            "code units")
    if units.shape[-1] * 4 != dtype.itemsize:
        raise DataFileError(source, f"dataset {where}: {units.shape[-1]} code units do not make a {dtype_text}")
    units = np.ascontiguousarray(units, dtype=units.dtype.newbyteorder(dtype.byteorder))
    return units.reshape(-1).view(dtype).reshape(units.shape[:-1])


def _ordered_untimed(h5py: Any, plist_class: Any) -> Any:
    """A group (or file) creation property list: members in creation order, no timestamps.

    Creation order is what makes a dict's keys come back in the order they were
    written (without it HDF5 lists members by name). h5py before 3.15 stores
    the time a group was made, so that the same dict gave other bytes a
    second later: the times are switched off here whatever h5py does.
    """
    h5p = h5py.h5p
    plist = h5p.create(plist_class)
    plist.set_link_creation_order(h5p.CRT_ORDER_TRACKED | h5p.CRT_ORDER_INDEXED)
    plist.set_obj_track_times(False)
    return plist


def _new_file(h5py: Any, name: str) -> Any:
    """A new, empty HDF5 file at ``name`` whose root group is made as :func:`_ordered_untimed` says."""
    h5f, h5p = h5py.h5f, h5py.h5p
    access = h5p.create(h5p.FILE_ACCESS)
    access.set_libver_bounds(getattr(h5f, f"LIBVER_{_LIBVER[0].upper()}"), getattr(h5f, f"LIBVER_{_LIBVER[1].upper()}"))
    created = h5f.create(os.fsencode(name), h5f.ACC_TRUNC, fapl=access, fcpl=_ordered_untimed(h5py, h5p.FILE_CREATE))
    return h5py.File(created)


class _Writer:
    """Writes the nodes of one ArrayDict into an open file."""

    def __init__(self, h5py: Any, compression: Optional[str], level: int, shuffle: bool, chunk_bytes: int):
        self.h5py = h5py
        self.compression = compression
        self.level = level
        self.shuffle = shuffle
        self.chunk_bytes = chunk_bytes
        # Shared between datasets alike: a list of many small arrays (vmtk's centerline cells) is
        # a dataset per item, and making these per dataset took a third of the time.
        self.plists: Dict[Tuple[Any, ...], Any] = {}
        self.file_types: Dict[np.dtype, Any] = {}
        self.group_plist: Any = None
        self.writeback = Writeback(None)

    def advance(self, nbytes: int) -> None:
        """``nbytes`` more are written: tell the progress report, and start the writeback when it is due."""
        progress.advance(nbytes)
        self.writeback.wrote(nbytes)

    def dataset_plist(self, data: np.ndarray, chunk: Tuple[int, ...]) -> Any:
        shuffle = bool(self.compression and self.shuffle and data.dtype.itemsize > 1)
        key = chunk + (shuffle,)
        plist = self.plists.get(key)
        if plist is None:
            plist = self.plists[key] = self.new_dataset_plist(chunk, shuffle)
        return plist

    def new_dataset_plist(self, chunk: Tuple[int, ...], shuffle: bool) -> Any:
        h5p = self.h5py.h5p
        plist = h5p.create(h5p.DATASET_CREATE)
        # (No FILL_TIME_NEVER: with it, HDF5 2.0 loses the only chunk of a one-chunk dataset written
        # without chunk cache. No fill value is set, so nothing is filled anyway.)
        plist.set_obj_track_times(False)  # same data, same file bytes
        if chunk:
            plist.set_chunk(chunk)
            if shuffle:
                plist.set_shuffle()
            if self.compression == "gzip":
                plist.set_deflate(self.level)
            elif self.compression == "lzf":
                plist.set_filter(self.h5py.h5z.FILTER_LZF, self.h5py.h5z.FLAG_OPTIONAL)
        return plist

    def array(self, group: Any, name: str, data: np.ndarray, where: Tuple[Any, ...]) -> Any:
        """Create dataset ``name`` in ``group`` holding ``data``; returns its low-level id."""
        h5s, h5t, h5d = self.h5py.h5s, self.h5py.h5t, self.h5py.h5d
        packed = data.dtype.kind == "U"
        stored = _code_units(data) if packed else data  # in any order: written block by block if not C-ordered
        file_type = self.file_types.get(stored.dtype)
        if file_type is None:
            try:
                file_type = self.file_types[stored.dtype] = h5t.py_create(stored.dtype, logical=True)
            except TypeError as error:
                raise _tree.ArrayDictError(f"{_tree.path_text(where)}: dtype {data.dtype} cannot be stored in "
                                           f"HDF5 ({error})") from None
        space = h5s.create(h5s.SCALAR) if stored.ndim == 0 else h5s.create_simple(stored.shape)
        chunked = stored.ndim and stored.size
        chunk = chunk_shape(stored.shape, stored.dtype.itemsize, self.chunk_bytes) if chunked else ()
        dataset = h5d.create(group.id, name.encode("utf-8"), file_type, space, dcpl=self.dataset_plist(stored, chunk))
        raw = self.compression is None and stored.dtype.kind in _RAW_KINDS and stored.dtype.char not in "gG"
        if chunk and not stored.flags.c_contiguous:
            write_streamed(dataset, stored, chunk, raw, self.advance)
        elif chunk and stored.nbytes > STREAM_BYTES:  # in blocks: progress, and the writeback started as it goes
            write_in_blocks(dataset, stored, chunk, raw, self.advance)
        else:
            if chunk and raw:
                write_chunks(dataset, stored, chunk)
            elif stored.size:
                dataset.write(h5s.ALL, h5s.ALL, stored)
            self.advance(stored.nbytes)
        if packed:
            self.h5py.Dataset(dataset).attrs[DTYPE_ATTRIBUTE] = data.dtype.str
        return dataset

    def group(self, parent: Any, name: str) -> Any:
        """Create group ``name`` in ``parent``: members kept in creation order, no timestamps."""
        if self.group_plist is None:
            self.group_plist = _ordered_untimed(self.h5py, self.h5py.h5p.GROUP_CREATE)
        return self.h5py.Group(self.h5py.h5g.create(parent.id, name.encode("utf-8"), gcpl=self.group_plist))

    def node(self, group: Any, name: str, kind: str, value: Any, where: Tuple[Any, ...]) -> Any:
        """Create member ``name`` of ``group`` for a node; returns the new group for containers."""
        h5py = self.h5py
        if kind == "dict":
            return self.group(group, name)
        if kind in ("list", "tuple"):
            created = self.group(group, name)
            created.attrs[CONTAINER_ATTRIBUTE] = kind
            return created
        if kind == "str":
            group.create_dataset(name, data=value, dtype=h5py.string_dtype("utf-8"))
        elif kind == "array":
            self.array(group, name, value, where)
        else:  # numpy and python scalars: a 0-d dataset marked with its kind
            data = np.asarray(value) if kind == "scalar" else _tree.python_scalar_array(kind, value)
            dataset = self.array(group, name, data, where)
            h5py.Dataset(dataset).attrs[LEAF_ATTRIBUTE] = kind
        return None


def write(
    array_dict: Mapping[str, Any],
    path: _files.PathLike,
    compression: Optional[str] = None,
    compression_level: int = 4,
    shuffle: bool = True,
    kind: Optional[str] = None,
    chunk_bytes: int = CHUNK_BYTES,
) -> Path:
    """Write ``array_dict`` to the HDF5 file ``path``, atomically; returns ``path`` as a Path.

    Parameters
    ----------
    array_dict : dict
        The ArrayDict; it is checked completely before the file is created.
        (The older order ``write(path, array_dict)`` still works, with a
        :class:`~vmtkscripts_numpy.errors.VmtkNumpyDeprecationWarning`.)
    path : str or path-like
        The file written, exactly as given (no extension is added here).
    compression : {None, "gzip", "lzf"}
        Compression of the chunked datasets; None (default) stores them as they are.
    compression_level : int
        gzip level, 0 (fastest) to 9 (smallest); vmtk's default is 4.
    shuffle : bool
        Add HDF5's shuffle filter before compressing (usually smaller files).
    kind : str, optional
        What the dict holds, written as ``vmtkscripts_numpy_kind``; guessed from the keys if not given.
    chunk_bytes : int
        Target size of a chunk in bytes.

    Raises
    ------
    ArrayDictError
        If ``array_dict`` holds something that cannot be stored; nothing is written.
    DataFileError
        If the file cannot be written; an earlier file at ``path`` is left intact.
    ValueError
        For an unknown compression or a level outside 0-9.
    """
    array_dict, path = data_and_path(array_dict, path, "hdf5.write")
    _files.check_compression("HDF5", COMPRESSIONS, compression, "gzip", compression_level)
    if int(chunk_bytes) < 1:
        raise ValueError(f"chunk_bytes must be positive, not {chunk_bytes!r}")
    nodes = list(_tree.walk(array_dict))  # check everything before touching the disk
    progress.expect(sum(value.nbytes for _, node_kind, value in nodes if node_kind == "array"))
    import h5py

    writer = _Writer(h5py, compression, int(compression_level), bool(shuffle), int(chunk_bytes))
    with atomic_output(path) as temporary:
        with _new_file(h5py, temporary) as h5file:
            h5file.attrs[LAYOUT_VERSION_ATTRIBUTE] = _tree.LAYOUT_VERSION
            h5file.attrs[KIND_ATTRIBUTE] = kind or layout.guess_kind(array_dict)
            h5file.attrs[WRITER_ATTRIBUTE] = f"vmtkscripts_numpy {__version__}"
        # No chunk cache: each chunk is written once, whole, straight from the array, not copied first.
        with h5py.File(temporary, "r+", libver=_LIBVER, rdcc_nbytes=0) as h5file:
            if compression is None:
                _reserve(h5file, _expected_size(nodes, writer.chunk_bytes))
            writer.writeback = Writeback(h5py_descriptor(h5file))
            groups: Dict[Tuple[Any, ...], Any] = {(): h5file}
            for where, node_kind, value in nodes[1:]:
                created = writer.node(groups[where[:-1]], str(where[-1]), node_kind, value, where)
                if created is not None:
                    groups[where] = created
        release_unused(temporary)
    return Path(path)


#: Bytes reserved per dataset or group for HDF5's own records when preallocating.
_OVERHEAD_PER_NODE = 512
#: Files expected to be smaller than this are not preallocated.
_PREALLOCATE_FROM = 4 << 20


def _expected_size(nodes: List[Tuple[Any, str, Any]], chunk_bytes: int) -> int:
    """Bytes an uncompressed file of these nodes takes, counting each dataset's last chunk whole."""
    size = 1 << 16
    for _, kind, value in nodes:
        size += _OVERHEAD_PER_NODE
        if kind == "array" and value.ndim and value.size:
            itemsize = value.dtype.itemsize
            chunk = chunk_shape(value.shape, itemsize, chunk_bytes)
            chunks = math.prod(-(-length // width) for length, width in zip(value.shape, chunk))
            size += chunks * math.prod(chunk) * itemsize
    return size


def _reserve(h5file: Any, size: int) -> None:
    """Reserve ``size`` bytes of disk for an open file before HDF5 writes into it.

    Writing into reserved space is faster than letting the file system
    allocate block by block (``np.save`` reserves too), and on ext4 it spares
    the flush that renaming over an older file would force. What the write
    does not use is given back when the file is closed (see
    :mod:`vmtkscripts_numpy._preallocate`).
    """
    descriptor = h5py_descriptor(h5file)
    if size >= _PREALLOCATE_FROM and descriptor is not None:
        reserve(descriptor, size, 0)


#: Filters a dataset may be stored with: HDF5's deflate, shuffle and fletcher32, and h5py's lzf. Every
#: other filter is refused before any data is read: HDF5 would load an unknown one as a plugin (a shared
#: library) to decode it.
READ_FILTERS = {1: "deflate", 2: "shuffle", 3: "fletcher32", 32000: "lzf"}


def _chunk_slack(chunk_bytes: int) -> int:
    """Bytes a filtered chunk may take beyond its size: deflate, lzf and fletcher32 add a little to data
    that does not compress (HDF5 then mostly stores the chunk as it is)."""
    return chunk_bytes // 16 + 1024


class _Reader:
    """Reads the tree of one open file, refusing what is not data stored in the file, and bounding the work.

    Every object is read once: a second link to an object already met is
    refused (its address is remembered), so hard-linked groups cannot
    multiply the paths. Before a dataset is read, its storage is checked
    against its metadata: no virtual or external storage, only
    :data:`READ_FILTERS`, every chunk written, and no more stored bytes than
    the file has; the bytes it gives back are charged to ``budget``.
    """

    def __init__(self, h5py: Any, source: str, ours: bool, budget: _limits.Budget, h5file: Any):
        self.h5py = h5py
        self.source = source
        self.ours = ours
        self.budget = budget
        self.file_size = budget.file_size
        self.h5file = h5file
        # Where variable-length strings live, opened when the first one is read (see _hdf5_heaps).
        self.global_heaps: Optional[_hdf5_heaps.GlobalHeaps] = None
        self.offset_size, self.length_size = h5file.id.get_create_plist().get_sizes()
        # Bytes of storage the datasets read so far claim: more than the file holds means shared storage.
        self.stored = 0
        # Object address -> where it was met.
        self.seen: Dict[int, str] = {}
        # HDF5 memory types by dtype, made once: h5py would make one per dataset read.
        self.memory_types: Dict[np.dtype, Any] = {}
        # The last file type met and its dtype: the items of a list mostly share one, and comparing
        # two types costs a third of converting one.
        self.last_type: Any = None
        self.last_dtype: Optional[np.dtype] = None

    def fail(self, where: str, problem: str) -> DataFileError:
        return DataFileError(self.source, f"{where}: {problem}")

    def heaps(self) -> _hdf5_heaps.GlobalHeaps:
        if self.global_heaps is None:
            stream = open(self.source, "rb")
            self.global_heaps = _hdf5_heaps.GlobalHeaps(stream, self.h5file.userblock_size, self.offset_size,
                                                        self.length_size, self.file_size)
        return self.global_heaps

    def close(self) -> None:
        if self.global_heaps is not None:
            self.global_heaps.stream.close()

    def root(self, h5file: Any) -> Any:
        """The root group's id, remembered as met."""
        root_id = h5file["/"].id
        self.seen[self.h5py.h5o.get_info(root_id).addr] = "/"
        return root_id

    def members(self, group_id: Any, where: str) -> List[Tuple[str, bytes]]:
        """``(name, raw name)`` of every member, in creation order when the group keeps it.

        Members are opened one at a time as they are read (:meth:`node`): with
        a hundred thousand objects open at once, each one read cost a third more.
        """
        h5, h5l, h5p = self.h5py.h5, self.h5py.h5l, self.h5py.h5p
        tracked = group_id.get_create_plist().get_link_creation_order() & h5p.CRT_ORDER_TRACKED
        links: List[Tuple[bytes, int, Any]] = []
        group_id.links.iterate(
            lambda name, info: links.append((name, info.type, info.u)),
            idx_type=h5.INDEX_CRT_ORDER if tracked else h5.INDEX_NAME,
            info=True,
        )
        prefix = where.rstrip("/") + "/"
        members = []
        for raw_name, link_type, address in links:
            name = raw_name.decode("utf-8", "surrogateescape")
            if link_type != h5l.TYPE_HARD:
                kind = {h5l.TYPE_SOFT: "a soft", h5l.TYPE_EXTERNAL: "an external"}.get(link_type, "a user-defined")
                raise self.fail(prefix + name, f"is {kind} link; only plain groups and datasets are read")
            first = self.seen.setdefault(address, prefix + name)
            if first != prefix + name:
                raise self.fail(prefix + name, f"is the same object as {first} (linked twice); an ArrayDict is a "
                                "tree, each group and dataset in one place")
            members.append((name, raw_name))
        return members

    def attribute(self, object_id: Any, name: str, where: str) -> Any:
        """The value of the attribute ``name`` (a str for strings), or None; only a single value is read."""
        h5a = self.h5py.h5a
        raw_name = name.encode("utf-8")
        if not h5a.get_num_attrs(object_id) or not h5a.exists(object_id, raw_name):
            return None
        attribute_id = h5a.open(object_id, raw_name)
        shape = attribute_id.get_space().shape
        if shape not in ((), (1,)):
            raise self.fail(where, f"attribute {name} holds values of shape {shape}, not one value")
        if self.variable_length(attribute_id.get_type()):
            try:
                heaps = self.heaps()
                heaps.check_ids(*heaps.attribute_data(self.h5py.h5o.get_info(object_id).addr, name))
            except _hdf5_heaps.HeapError as error:
                raise self.fail(where, f"attribute {name}: {error}") from None
        wrapped = self.h5py.Group(object_id) if isinstance(object_id, self.h5py.h5g.GroupID) else self.h5py.Dataset(
            object_id
        )
        value = wrapped.attrs[name]
        return value.decode("utf-8") if isinstance(value, bytes) else value

    def refuse_vtkhdf(self, root_id: Any) -> None:
        """Raise if the root holds VTK's own layout (a ``/VTKHDF`` group with a ``Type``): not an ArrayDict."""
        h5l, h5o = self.h5py.h5l, self.h5py.h5o
        if not root_id.links.exists(b"VTKHDF") or root_id.links.get_info(b"VTKHDF").type != h5l.TYPE_HARD:
            return
        group_id = h5o.open(root_id, b"VTKHDF")
        if not isinstance(group_id, self.h5py.h5g.GroupID):
            return
        hdf_type = self.attribute(group_id, "Type", "/VTKHDF")
        if hdf_type is not None:
            kinds = {hdf: kind for kind, hdf in formats.VTKHDF_TYPES.items()}
            raise DataFileError(self.source, formats.vtkhdf_hint(self.source, kinds.get(str(hdf_type))))

    def variable_length(self, file_type: Any) -> bool:
        """Whether values of ``file_type`` live in the global heap."""
        h5t = self.h5py.h5t
        return isinstance(file_type, h5t.TypeVlenID) or (
            isinstance(file_type, h5t.TypeStringID) and file_type.is_variable_str()
        )

    def group(self, group_id: Any, where: str, depth: int) -> Any:
        if depth > _tree.MAX_DEPTH:
            raise self.fail(where, f"groups are nested more than {_tree.MAX_DEPTH} deep")
        members = self.members(group_id, where)
        container = self.attribute(group_id, CONTAINER_ATTRIBUTE, where) if self.ours else None
        if container is None and not self.ours and self.is_vmtk_list(group_id, members):
            container = "list"
        prefix = where.rstrip("/") + "/"
        if container is None:
            result = {}
            for name, raw_name in members:
                try:
                    _tree.check_key(name, ())
                except _tree.ArrayDictError as error:
                    raise self.fail(prefix + name, str(error).partition(": ")[2]) from None
                result[name] = self.node(group_id, raw_name, prefix + name, depth)
            return result
        if container not in ("list", "tuple"):
            raise self.fail(where, f"unknown {CONTAINER_ATTRIBUTE} {container!r}")
        by_index = dict(members)
        expected = [str(index) for index in range(len(members))]
        if sorted(by_index, key=lambda name: (len(name), name)) != expected:
            raise self.fail(where, f"a {container} must have members '0' to '{len(members) - 1}', found "
                            f"{sorted(by_index)[:6]}")
        items = [self.node(group_id, by_index[name], prefix + name, depth) for name in expected]
        return items if container == "list" else tuple(items)

    def is_vmtk_list(self, group_id: Any, members: List[Tuple[str, bytes]]) -> bool:
        # vmtk writes a list as datasets "0".."n-1"; nothing else in its layout has such names.
        if not members:
            return False
        names = {name for name, _ in members}
        if names != {str(index) for index in range(len(members))}:
            return False
        h5o = self.h5py.h5o
        return all(h5o.get_info(group_id, name=raw_name).type == h5o.TYPE_DATASET for _, raw_name in members)

    def node(self, group_id: Any, raw_name: bytes, where: str, depth: int) -> Any:
        object_id = self.h5py.h5o.open(group_id, raw_name)
        if isinstance(object_id, self.h5py.h5g.GroupID):
            return self.group(object_id, where, depth + 1)
        if isinstance(object_id, self.h5py.h5d.DatasetID):
            return self.dataset(object_id, where)
        raise self.fail(where, "is neither a group nor a dataset (a committed datatype?)")

    def storage(self, dataset_id: Any, where: str) -> Tuple[Any, int, List[int]]:
        """``(creation property list, layout, filter ids)``: refuses what reads outside the file or runs code.

        Checked first, before the dataset's shape or data are asked for:
        reading a virtual dataset that maps itself crashes HDF5.
        """
        h5d = self.h5py.h5d
        plist = dataset_id.get_create_plist()
        layout = plist.get_layout()
        if layout == h5d.VIRTUAL:
            raise self.fail(where, "is a virtual dataset, which reads other datasets and files; only data stored "
                            "in the file itself is read")
        if layout not in (h5d.CONTIGUOUS, h5d.CHUNKED, h5d.COMPACT):
            raise self.fail(where, f"has an unknown storage layout ({layout})")
        if plist.get_external_count():
            other = plist.get_external(0)[0].decode("utf-8", "replace")
            if len(other) > 80:  # the file name says most; a hostile name may be long
                other = "..." + other[-77:]
            raise self.fail(where, f"keeps its data in another file ({other!r}: external storage); only data "
                            "stored in the file itself is read")
        filters: List[int] = []
        for index in range(plist.get_nfilters()):
            code, _, values, name = plist.get_filter(index)
            if code not in READ_FILTERS:
                label = name.decode("utf-8", "replace")[:40] or "unnamed"
                raise self.fail(where, f"is stored through filter {code} ({label}); only "
                                f"{', '.join(READ_FILTERS.values())} are read")
            if code in filters:
                raise self.fail(where, f"applies the {READ_FILTERS[code]} filter twice")
            filters.append(code)
        return plist, layout, filters

    def backed(self, dataset_id: Any, plist: Any, layout: int, filters: List[int], shape: Tuple[int, ...],
               file_itemsize: int, itemsize: int, where: str) -> None:
        """Refuse data the file does not hold, and charge what the read gives back; metadata only.

        ``itemsize`` is the bytes an element takes in memory (0 for strings,
        charged as they are read). Contiguous and compact data must be
        allocated whole, chunked data must have every chunk written: HDF5 would
        give fill values for the rest, so that a small file declares gigabytes.
        Filtered chunks may be no larger than their data needs.
        """
        count = math.prod(shape)
        if not count:
            return
        nbytes = count * itemsize
        storage = dataset_id.get_storage_size()
        self.stored += storage
        if self.stored > self.file_size:
            raise self.fail(where, f"its datasets claim {self.stored} bytes of storage, more than the file's "
                            f"{self.file_size} (storage shared between datasets?)")
        if layout != self.h5py.h5d.CHUNKED:
            if storage < count * file_itemsize:
                raise self.fail(where, f"declares {count * file_itemsize} bytes but stores {storage}: the rest was "
                                "never written (HDF5 would make it up from the fill value)")
            self.budget.charge(nbytes, where)
            return
        chunk = plist.get_chunk()
        if len(chunk) != len(shape) or not all(chunk):
            raise self.fail(where, f"has chunks of shape {chunk} for data of shape {shape}")
        chunks = math.prod(-(-length // width) for length, width in zip(shape, chunk))
        chunk_bytes = math.prod(chunk) * file_itemsize
        if not filters:
            if storage < chunks * chunk_bytes:
                raise self.fail(where, f"stores {storage} of the {chunks * chunk_bytes} bytes of its {chunks} chunks: "
                                "some were never written (HDF5 would make them up from the fill value)")
            self.budget.charge(nbytes, where)
            return
        # HDF5 decodes whole chunks, and its deflate filter decodes all a chunk's stream holds before
        # anything checks the size: every chunk must be there, and none larger than its data needs.
        self.budget.charge(chunks * math.prod(chunk) * itemsize, where)
        found = self.chunk_sizes(dataset_id, shape, chunk, chunk_bytes + _chunk_slack(chunk_bytes), where)
        if found != chunks:
            raise self.fail(where, f"has {found} of its {chunks} chunks: the others were never written (HDF5 would "
                            "make them up from the fill value)")

    def chunk_sizes(self, dataset_id: Any, shape: Tuple[int, ...], chunk: Tuple[int, ...], largest: int,
                    where: str) -> int:
        """The number of chunks written, each checked to lie in the data and the file and to take at most ``largest``."""
        if not hasattr(dataset_id, "chunk_iter"):  # h5py < 3.8 or HDF5 < 1.12.3: the total only
            if dataset_id.get_storage_size() > dataset_id.get_num_chunks() * largest:
                raise self.fail(where, "its chunks take more bytes than their data needs")
            return dataset_id.get_num_chunks()
        problems: List[str] = []
        count = 0

        def visit(info: Any) -> None:
            nonlocal count
            count += 1
            if problems:
                return
            offset = info.chunk_offset
            if info.size > largest:
                problems.append(f"chunk at {offset} takes {info.size} bytes, more than its data needs ({largest})")
            elif info.byte_offset + info.size > self.file_size:
                problems.append(f"chunk at {offset} lies past the end of the file")
            elif len(offset) != len(shape) or any(
                start % width or start >= length for start, width, length in zip(offset, chunk, shape)
            ):
                problems.append(f"has a chunk at {offset}, outside its shape {shape}")

        dataset_id.chunk_iter(visit)
        if problems:
            raise self.fail(where, problems[0])
        return count

    def dataset(self, dataset_id: Any, where: str) -> Any:
        h5py = self.h5py
        plist, layout, filters = self.storage(dataset_id, where)
        space = dataset_id.get_space()
        shape = space.shape
        if not shape and space.get_simple_extent_type() == h5py.h5s.NULL:
            raise self.fail(where, "is an empty (null) dataset with no shape")
        file_type = dataset_id.get_type()
        if self.last_dtype is not None and file_type == self.last_type:
            dtype = self.last_dtype
        else:
            dtype = self.last_dtype = file_type.dtype
            self.last_type = file_type
        string = h5py.check_string_dtype(dtype) if dtype.kind == "O" else None
        if string is not None and string.length is None:
            heap_id_size = 4 + self.offset_size + 4
            self.backed(dataset_id, plist, layout, filters, shape, heap_id_size, 0, where)
            if layout != self.h5py.h5d.CONTIGUOUS or filters:
                raise self.fail(where, "holds variable-length strings stored otherwise than contiguously, which no "
                                "writer of ArrayDicts makes")
            count = math.prod(shape)
            try:
                heaps = self.heaps()
                heaps.check_ids(heaps.dataset_ids(dataset_id.get_offset(), count), count)
            except _hdf5_heaps.HeapError as error:
                raise self.fail(where, str(error)) from None
            return self.text(dataset_id, shape, where)
        if dtype.kind not in _tree.ARRAY_KINDS or dtype.fields or dtype.subdtype is not None:
            raise self.fail(where, f"has an HDF5 type with no plain numpy dtype ({dtype}); "
                            "this is not an ArrayDict file")
        self.backed(dataset_id, plist, layout, filters, shape, file_type.get_size(), dtype.itemsize, where)
        # HDF5 writes the 10 bytes of an x87 long double and leaves its padding: zeroed, not uninitialised memory
        data = np.zeros(shape, dtype) if dtype.char in "gG" else np.empty(shape, dtype)
        if data.size:
            memory_type = self.memory_types.get(dtype)
            if memory_type is None:
                memory_type = self.memory_types[dtype] = h5py.h5t.py_create(dtype)
            dataset_id.read(h5py.h5s.ALL, h5py.h5s.ALL, data, memory_type)
        if not h5py.h5a.get_num_attrs(dataset_id):
            return data
        code_dtype = self.attribute(dataset_id, DTYPE_ATTRIBUTE, where) if self.ours else None
        if code_dtype is not None:
            data = _from_code_units(data, str(code_dtype), where, self.source)
        leaf = self.attribute(dataset_id, LEAF_ATTRIBUTE, where) if self.ours else None
        if leaf is None:
            return data
        if data.ndim != 0:
            raise self.fail(where, f"is marked as a {leaf} but has shape {data.shape}")
        if leaf == "scalar":
            return data[()]
        if leaf in _tree.PYTHON_SCALARS:
            try:
                return _tree.python_scalar(leaf, data)
            except _tree.ArrayDictError as error:
                raise self.fail(where, str(error)) from None
        raise self.fail(where, f"unknown {LEAF_ATTRIBUTE} {leaf!r}")

    def text(self, dataset_id: Any, shape: Tuple[int, ...], where: str) -> Any:
        """A variable-length string dataset: a ``str``, or an array of them read one at a time.

        Each string is charged as it is read: every element may name the same
        large string in the file, so that a small array stands for gigabytes.
        """
        strings = self.h5py.Dataset(dataset_id).asstr()
        if not shape:
            text = strings[()]
            self.budget.charge(len(text), where)
            return text
        values = []
        for index in np.ndindex(*shape):
            text = strings[index]
            self.budget.charge(len(text) * 4, where)
            values.append(text)
        return np.array(values, dtype=str).reshape(shape)


#: What HDF5 and h5py raise for files they cannot make sense of.
_DAMAGED = (OSError, RuntimeError, KeyError, ValueError, TypeError, IndexError, OverflowError, AttributeError)


@_files.one_line_errors
def read(path: _files.PathLike, max_ratio: float = _limits.DEFAULT_MAX_RATIO) -> Dict[str, Any]:
    """Read the ArrayDict in the HDF5 file ``path``.

    Reads this package's files and vmtk's (lists in numeric order). Only data
    stored in the file is read, each object once, and no dataset is read
    before its storage is checked (see :class:`_Reader`).

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
        If the file is missing, empty, truncated, not HDF5, written by a newer
        layout, holds something that is not an ArrayDict (links, compound
        types, ...), refers to other files (external storage, virtual
        datasets), uses other filters, declares data it does not hold, links
        an object twice or gives back more than ``max_ratio`` allows. The
        message names the file and the group or dataset.
    """
    name = _files.check_readable(path, NAME)
    budget = _limits.Budget(name, os.path.getsize(name), max_ratio)
    import h5py

    try:
        h5file = h5py.File(name, "r", rdcc_nbytes=0)  # whole datasets are read: no chunk cache needed
    except OSError as error:
        detail = str(error)
        if "truncated" in detail:
            raise DataFileError(name, f"is truncated ({detail})") from None
        raise _files.not_the_format(name, NAME, detail) from None
    except (MemoryError,) + _DAMAGED as error:
        raise DataFileError(name, f"is damaged: cannot be opened ({type(error).__name__}: {error})") from None
    reader = None
    with h5file:
        try:
            reader = _Reader(h5py, name, False, budget, h5file)
            root_id = reader.root(h5file)
            version = reader.attribute(root_id, LAYOUT_VERSION_ATTRIBUTE, "/")
            if version is not None and not (
                isinstance(version, (int, np.integer)) and not isinstance(version, (bool, np.bool_)) and version >= 1
            ):
                raise DataFileError(name, f"has a bad {LAYOUT_VERSION_ATTRIBUTE} {version!r}")
            if version is not None and version > _tree.LAYOUT_VERSION:
                raise DataFileError(
                    name, f"has layout version {int(version)}; this vmtkscripts_numpy reads up to "
                    f"{_tree.LAYOUT_VERSION}: upgrade vmtkscripts_numpy"
                )
            reader.ours = version is not None
            if not reader.ours:
                reader.refuse_vtkhdf(root_id)
            tree = reader.group(root_id, "/", 0)
        except DataFileError:
            raise
        except _DAMAGED as error:
            quoted = error.args[0] if isinstance(error, KeyError) and error.args else error  # h5py's, quoted
            raise DataFileError(name, f"is damaged or truncated: {quoted}") from None
        except MemoryError:
            raise DataFileError(name, "is damaged: reading it ran out of memory") from None
        except RecursionError:
            raise DataFileError(name, "is damaged: its groups are nested too deeply") from None
        finally:
            if reader is not None:
                reader.close()
    if not isinstance(tree, dict):
        raise DataFileError(name, f"its root group holds a {type(tree).__name__}, not an ArrayDict (a dict)")
    return tree
