"""Pack many per-case ArrayDicts into a few HDF5 shards: every array of every case in one dataset per column.

Thousands of per-case files, each of a dozen small datasets, are slow to list,
copy and read: HDF5 spends tens of microseconds on each dataset, and a
centerline network stored as vmtk lays it out (one dataset per line) is
thousands of them. A packed cohort is a folder:

- ``cohort.json``: the format, its version, the case names in order, and the
  shards with their number of cases;
- ``shard-00000.h5``, ``shard-00001.h5``, ...: consecutive cases, about
  ``shard_bytes`` of arrays each.

In a shard, all arrays found at one place of the cases' trees (``Points``,
``PointData/Radius``, the lines of ``CellData/CellPointIds``) with one dtype and
number of dimensions are **one** dataset, concatenated along the first axis,
with offsets (see ``docs/cohort.md`` for every dataset and attribute):

- ``c/<k>/data``: the arrays, concatenated (``(rows, *trailing)``; flattened to
  1-D with a ``shapes`` table when the trailing shapes differ between cases);
- ``c/<k>/case_offsets``: case ``i`` owns arrays ``case_offsets[i]`` to
  ``case_offsets[i + 1]`` of the column (several for a list of lines);
- ``c/<k>/offsets``: array ``j`` is ``data[offsets[j]:offsets[j + 1]]``;
- ``skeletons`` (each distinct tree, as JSON) and ``case_skeleton`` (which one
  each case has): keys in order, strings and python numbers inline.

:func:`~vmtkscripts_numpy.cohort.dataset.open_cohort` reads it back.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from typing import Any, Dict, List, Mapping, Optional, Sequence, TextIO, Tuple, Union

import numpy as np

from ..errors import DataFileError
from . import _layout
from .._typing import PathLike

#: Arrays per shard, before compression, when not given.
DEFAULT_SHARD_BYTES = 256 * 2**20

#: Rows of a compressed column's chunks hold about this many bytes.
CHUNK_BYTES = 256 * 2**10

Source = Union[PathLike, Sequence[PathLike], Mapping[str, Any]]


def _from_folder(folder: str) -> List[Tuple[str, str]]:
    """``(name, file)`` of a folder's ArrayDict files: those its index lists as done, else every one, sorted."""
    from ..storage import guess_format
    from .records import INDEX_NAME, STATE_FOLDER, read_index

    index = os.path.join(folder, INDEX_NAME)
    if os.path.isfile(index):
        rows = [row for row in read_index(index) if row["status"] in ("done", "skipped")]
        return [(row["name"], os.path.join(folder, row["output"])) for row in rows]
    found = []
    for root, subfolders, files in os.walk(folder):
        subfolders[:] = sorted(name for name in subfolders if name != STATE_FOLDER and not name.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and guess_format(name):
                path = os.path.join(root, name)
                found.append(path)
    from .cases import strip_extension

    return [(strip_extension(os.path.relpath(path, folder)).replace(os.sep, "/"), path) for path in found]


def _cases(source: Source) -> List[Tuple[str, Any]]:
    """``(name, file or ArrayDict)`` for each case of ``source``, in order."""
    if isinstance(source, Mapping):
        return [(str(name), value) for name, value in source.items()]
    if isinstance(source, (str, os.PathLike)):
        folder = os.fspath(source)
        if not os.path.isdir(folder):
            raise DataFileError(folder, "is not a folder of ArrayDict files")
        return _from_folder(folder)
    from .cases import names_from_paths

    paths = [os.path.abspath(os.fspath(path)) for path in source]
    return list(zip(names_from_paths(paths), paths))


def pack(source: Source, destination: PathLike, *, shard_bytes: int = DEFAULT_SHARD_BYTES,
         compression: Optional[str] = None, compression_level: int = 4, overwrite: bool = False,
         log: Optional[TextIO] = None):
    """Pack per-case ArrayDicts into HDF5 shards; returns the packed cohort, opened.

    Parameters
    ----------
    source : folder, sequence of files, or mapping
        A folder: the outputs its ``index.csv`` lists as done or skipped (a
        cohort run's output folder), in the index's order; without an index,
        every ArrayDict file in it and its subfolders, sorted, named by their
        path without extension. A sequence of files: named from their paths.
        A mapping: name to file or to ArrayDict.
    destination : str or path-like
        The packed cohort's folder; written whole or not at all.
    shard_bytes : int
        Bytes of arrays (uncompressed) after which a shard is closed.
    compression : {None, "gzip", "lzf"}
        Compress the concatenated arrays (with HDF5's shuffle filter).
        Uncompressed shards read fastest; reading one case then reads exactly
        its bytes.
    compression_level : int
        gzip level, 0-9.
    overwrite : bool
        Replace an existing ``destination``.
    log : text stream, optional
        Where to write one line per shard.

    Returns
    -------
    PackedCohort

    Raises
    ------
    DataFileError
        When a case's file cannot be read, or ``destination`` exists and
        ``overwrite`` is false.
    ArrayDictError
        When a case holds something a file cannot hold (the message names the case and key).

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> cases = {f"case{i}": {"Points": np.full((i + 1, 3), float(i)), "PointData": {"Radius": np.arange(i + 1.0)}}
    ...          for i in range(3)}
    >>> cohort = pack(cases, os.path.join(tempfile.mkdtemp(), "small.cohort"))
    >>> len(cohort), cohort[2]["PointData"]["Radius"]
    (3, array([0., 1., 2.]))
    """
    import h5py

    from .. import __version__
    from ..errors import ArrayDictError
    from ..storage import read
    from .dataset import open_cohort

    if compression not in (None, "gzip", "lzf"):
        raise ValueError(f"compression must be None, 'gzip' or 'lzf', not {compression!r}")
    destination = os.path.abspath(os.fspath(destination))
    if os.path.exists(destination) and not overwrite:
        raise DataFileError(destination, "exists already; give overwrite=True to replace it")
    cases = _cases(source)
    if not cases:
        raise ValueError(f"nothing to pack in {source!r}")
    names = [name for name, _ in cases]
    duplicated = sorted({name for name in names if names.count(name) > 1}) if len(set(names)) < len(names) else []
    if duplicated:
        raise ValueError(f"two cases are named {duplicated[0]!r}")
    parent, base = os.path.split(destination)
    os.makedirs(parent, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix=f".{base}.", suffix=".partial", dir=parent)
    try:
        shards: List[Dict[str, Any]] = []
        pending: List[str] = []
        columns = _layout.Columns()
        skeletons: List[str] = []

        def flush() -> None:
            nonlocal columns, skeletons, pending
            filename = f"shard-{len(shards):05d}.h5"
            _write_shard(h5py, os.path.join(scratch, filename), pending, skeletons, columns,
                         compression, compression_level, __version__)
            shards.append({"file": filename, "cases": len(pending), "bytes": columns.nbytes})
            if log is not None:
                log.write(f"packed {filename}: {len(pending)} cases, {columns.nbytes / 1e6:.1f} MB of arrays\n")
            columns, skeletons, pending = _layout.Columns(), [], []

        for name, item in cases:
            arrays = item if isinstance(item, Mapping) else read(item)
            try:
                skeletons.append(_layout.encode(arrays, columns, len(pending)))
            except ArrayDictError as error:
                raise ArrayDictError(f"case {name}: {error}") from None
            pending.append(name)
            if columns.nbytes >= shard_bytes:
                flush()
        if pending:
            flush()
        manifest = {"format": _layout.FORMAT_NAME, "layout_version": _layout.LAYOUT_VERSION,
                    "writer": f"vmtkscripts_numpy {__version__}", "cases": len(cases), "shards": shards,
                    "names": names}
        with open(os.path.join(scratch, _layout.MANIFEST_NAME), "w", encoding="utf-8") as stream:
            json.dump(manifest, stream, indent=1, ensure_ascii=False)
        _move_into_place(scratch, destination)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return open_cohort(destination)


def _move_into_place(scratch: str, destination: str) -> None:
    """Rename the finished folder to ``destination``, replacing an older one only once the new one is complete."""
    os.chmod(scratch, 0o777 & ~_umask())
    if not os.path.exists(destination):
        os.rename(scratch, destination)
        return
    parent, base = os.path.split(destination)
    old = tempfile.mkdtemp(prefix=f".{base}.", suffix=".old", dir=parent)
    os.rmdir(old)
    os.rename(destination, old)
    os.rename(scratch, destination)
    shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _write_shard(h5py: Any, path: str, names: List[str], skeletons: List[str], columns: _layout.Columns,
                 compression: Optional[str], level: int, version: str) -> None:
    distinct: Dict[str, int] = {}
    case_skeleton = np.array([distinct.setdefault(text, len(distinct)) for text in skeletons], dtype=np.int64)
    text = h5py.string_dtype("utf-8")
    with h5py.File(path, "w") as shard:
        shard.attrs["format"] = _layout.FORMAT_NAME
        shard.attrs["layout_version"] = _layout.LAYOUT_VERSION
        shard.attrs["writer"] = f"vmtkscripts_numpy {version}"
        shard.create_dataset("names", data=np.array(names, dtype=object), dtype=text)
        shard.create_dataset("skeletons", data=np.array(list(distinct), dtype=object), dtype=text)
        shard.create_dataset("case_skeleton", data=case_skeleton)
        table = []
        group = shard.create_group("c")
        for number, key in enumerate(columns.keys):
            table.append(_write_column(group.create_group(str(number)), columns, number, len(names),
                                       compression, level))
        shard.create_dataset("columns", data=np.array([json.dumps(entry) for entry in table], dtype=object),
                             dtype=text)


def _write_column(group: Any, columns: _layout.Columns, number: int, cases: int, compression: Optional[str],
                  level: int) -> Dict[str, Any]:
    place, dtype_text, ndim = columns.keys[number]
    dtype = np.dtype(dtype_text)
    leaves = list(_layout.iter_leaves(columns, number))
    counts = columns.counts[number]
    case_offsets = np.zeros(cases + 1, dtype=np.int64)
    case_offsets[1:] = np.cumsum([counts.get(case, 0) for case in range(cases)])
    trailing = {leaf.shape[1:] for leaf in leaves}
    flat = len(trailing) > 1
    if flat:
        leaves = [leaf.reshape(-1) for leaf in leaves]
        group.create_dataset("shapes", data=np.array([leaf.shape for leaf in _layout.iter_leaves(columns, number)],
                                                     dtype=np.int64))
    sizes = [len(leaf) for leaf in leaves]
    # Into an array of the column's own dtype: concatenate would give native byte order.
    data = np.empty((sum(sizes),) + leaves[0].shape[1:], dtype=leaves[0].dtype)
    np.concatenate(leaves, out=data)
    offsets = np.zeros(len(leaves) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(sizes)
    options: Dict[str, Any] = {}
    if compression and data.size:
        row_bytes = max(1, data.itemsize * int(np.prod(data.shape[1:], dtype=np.int64)))
        options = {"compression": compression, "shuffle": True,
                   "chunks": (max(1, min(len(data), _layout_chunk_rows(row_bytes))),) + data.shape[1:]}
        if compression == "gzip":
            options["compression_opts"] = level
    group.create_dataset("data", data=data, **options)
    group.create_dataset("case_offsets", data=case_offsets)
    group.create_dataset("offsets", data=offsets)
    group.attrs["place"] = place
    group.attrs["dtype"] = dtype_text
    return {"place": place, "dtype": dtype_text, "ndim": ndim, "flat": flat,
            "stored_dtype": _layout.stored_dtype(dtype).str}


def _layout_chunk_rows(row_bytes: int) -> int:
    return max(1, CHUNK_BYTES // row_bytes)

