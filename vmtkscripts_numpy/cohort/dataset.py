"""A packed cohort, read lazily: a sequence of ArrayDicts, for PyTorch, Dask, and statistics.

:func:`open_cohort` opens what :func:`~vmtkscripts_numpy.cohort.pack.pack` wrote.
Opening reads only the manifest; ``cohort[i]`` then opens case ``i``'s shard
(once) and reads exactly the slices of the columns that case uses, and gives
back the case's ArrayDict as it was packed: the same keys in the same order,
dtypes, shapes and values.

It is a **map-style dataset** as PyTorch's ``DataLoader`` expects one (``len``
and ``[i]``), without importing PyTorch, and it pickles as its path, so
``DataLoader`` worker processes and Dask workers reopen it themselves
(an HDF5 file opened before a ``fork`` is not used after it).

Examples
--------
>>> cohort = open_cohort("arrays.cohort")  # doctest: +SKIP
>>> len(cohort), cohort.names[:2]  # doctest: +SKIP
(19, ['case000', 'case001'])
>>> cohort[0]["PointData"]["WallShearStress"].dtype  # doctest: +SKIP
dtype('float32')
>>> from torch.utils.data import DataLoader  # doctest: +SKIP
>>> for case in DataLoader(cohort, batch_size=None, num_workers=2):  # doctest: +SKIP
...     ...
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterator, List, Optional, Tuple, Union

import numpy as np

from ..errors import DataFileError
from . import _layout
from .._typing import PathLike

#: A column's ``offsets`` are read whole (and kept) up to this many entries, else sliced per case.
CACHED_OFFSETS = 1 << 20


class _Column:
    """One column of an open shard: its metadata, and its small index arrays once read."""

    def __init__(self, group: Any, entry: Dict[str, Any]) -> None:
        self.group = group
        self.place: str = entry["place"]
        self.dtype = np.dtype(entry["dtype"])
        self.ndim: int = entry["ndim"]
        self.flat: bool = entry["flat"]
        self._data = None
        self._case_offsets: Optional[np.ndarray] = None
        self._offsets: Optional[np.ndarray] = None

    @property
    def data(self) -> Any:
        if self._data is None:
            self._data = self.group["data"]
        return self._data

    def case_range(self, case: int) -> Tuple[int, int]:
        """The range of the column's arrays that belong to ``case``."""
        if self._case_offsets is None:
            self._case_offsets = self.group["case_offsets"][()]
        return int(self._case_offsets[case]), int(self._case_offsets[case + 1])

    def offsets(self, start: int, stop: int) -> np.ndarray:
        """``offsets[start:stop + 1]``: where arrays ``start`` to ``stop - 1`` begin, and where the last ends."""
        if self._offsets is None:
            dataset = self.group["offsets"]
            if len(dataset) > CACHED_OFFSETS:
                return dataset[start:stop + 1]
            self._offsets = dataset[()]
        return self._offsets[start:stop + 1]

    def arrays(self, case: int) -> List[np.ndarray]:
        """The case's arrays of this column, in order: one read of the data."""
        start, stop = self.case_range(case)
        if start == stop:
            return []
        offsets = self.offsets(start, stop)
        block = self.data[offsets[0]:offsets[-1]]
        relative = offsets - offsets[0]
        if self.flat:
            shapes = self.group["shapes"][start:stop]
            pieces = [block[a:b].reshape(shape) for a, b, shape in zip(relative[:-1], relative[1:], shapes)]
        else:
            pieces = [block[a:b] for a, b in zip(relative[:-1], relative[1:])]
        if self.ndim == 0 or self.dtype.kind == "U":
            pieces = [_layout.from_stored(piece, self.dtype, self.ndim) for piece in pieces]
        return pieces


class _Shard:
    """An open shard file: names, skeletons and columns, read on first use."""

    def __init__(self, path: str) -> None:
        import h5py

        try:
            self.file = h5py.File(path, "r")
        except OSError as error:
            raise DataFileError(path, f"cannot be opened as a shard of a packed cohort ({error})") from None
        version = int(self.file.attrs.get("layout_version", 0))
        if self.file.attrs.get("format") != _layout.FORMAT_NAME or version > _layout.LAYOUT_VERSION:
            self.file.close()
            raise DataFileError(path, f"is not a shard of layout version {_layout.LAYOUT_VERSION} or older")
        self.case_skeleton = self.file["case_skeleton"][()]
        self._skeleton_texts = [text for text in self.file["skeletons"].asstr()[()]]
        self._skeletons: Dict[int, Tuple[Any, List[int]]] = {}
        table = [json.loads(text) for text in self.file["columns"].asstr()[()]]
        self.columns = [_Column(self.file["c"][str(number)], entry) for number, entry in enumerate(table)]

    def skeleton(self, case: int) -> Tuple[Any, List[int]]:
        number = int(self.case_skeleton[case])
        parsed = self._skeletons.get(number)
        if parsed is None:
            tree = json.loads(self._skeleton_texts[number])
            parsed = self._skeletons[number] = (tree, _layout.skeleton_columns(tree))
        return parsed

    def case(self, case: int) -> Dict[str, Any]:
        tree, used = self.skeleton(case)
        cursor = _layout.Cursor({column: self.columns[column].arrays(case) for column in used})
        return _layout.decode(tree, cursor)

    def close(self) -> None:
        self.file.close()


class PackedCohort:
    """A packed cohort: ``len(cohort)`` cases, ``cohort[i]`` (or ``cohort[name]``) one case's ArrayDict.

    Use :func:`open_cohort` to make one. Attributes: ``path`` (the folder),
    ``names`` (the case names, in order).
    """

    def __init__(self, path: PathLike) -> None:
        folder = os.path.abspath(os.fspath(path))
        if os.path.basename(folder) == _layout.MANIFEST_NAME:
            folder = os.path.dirname(folder)
        manifest_path = os.path.join(folder, _layout.MANIFEST_NAME)
        try:
            with open(manifest_path, encoding="utf-8") as stream:
                manifest = json.load(stream)
        except FileNotFoundError:
            raise DataFileError(folder, f"is not a packed cohort: it has no {_layout.MANIFEST_NAME}") from None
        except ValueError as error:
            raise DataFileError(manifest_path, f"is damaged ({error})") from None
        if manifest.get("format") != _layout.FORMAT_NAME:
            raise DataFileError(manifest_path, "is not the manifest of a packed cohort")
        if int(manifest.get("layout_version", 0)) > _layout.LAYOUT_VERSION:
            raise DataFileError(manifest_path, f"has layout version {manifest['layout_version']}, newer than this "
                                               f"package reads ({_layout.LAYOUT_VERSION}); update vmtkscripts_numpy")
        self.path = folder
        self.names: List[str] = list(manifest["names"])
        self._files = [os.path.join(folder, shard["file"]) for shard in manifest["shards"]]
        self._starts = np.concatenate([[0], np.cumsum([shard["cases"] for shard in manifest["shards"]])])
        self._positions = {name: position for position, name in enumerate(self.names)}
        self._open: Dict[int, _Shard] = {}
        self._pid = os.getpid()

    # --- the sequence -----------------------------------------------------------
    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, key: Union[int, str]) -> Dict[str, Any]:
        """Case ``key`` (a position, negative from the end, or a name) as its ArrayDict."""
        shard, local = self._locate(key)
        return self._shard(shard).case(local)

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        for position in range(len(self)):
            yield self[position]

    def __repr__(self) -> str:
        return f"<PackedCohort {self.path}: {len(self)} cases in {len(self._files)} shard(s)>"

    def index(self, name: str) -> int:
        """The position of the case called ``name``."""
        try:
            return self._positions[name]
        except KeyError:
            raise KeyError(f"no case named {name!r} in {self.path}") from None

    def _locate(self, key: Union[int, str]) -> Tuple[int, int]:
        if isinstance(key, str):
            position = self.index(key)
        elif isinstance(key, (int, np.integer)) and not isinstance(key, bool):
            position = int(key) + (len(self) if key < 0 else 0)
            if not 0 <= position < len(self):
                raise IndexError(f"case {key} of a cohort of {len(self)}")
        else:
            raise TypeError(f"a cohort is indexed by a position or a name, not {type(key).__name__}")
        shard = int(np.searchsorted(self._starts, position, side="right")) - 1
        return shard, position - int(self._starts[shard])

    def _shard(self, number: int) -> _Shard:
        if os.getpid() != self._pid:
            # A forked child (a DataLoader worker): the parent's HDF5 handles are not to be used here.
            self._open = {}
            self._pid = os.getpid()
        shard = self._open.get(number)
        if shard is None:
            shard = self._open[number] = _Shard(self._files[number])
        return shard

    def close(self) -> None:
        """Close the shard files opened so far (the cohort reopens them when used again)."""
        for shard in self._open.values():
            shard.close()
        self._open = {}

    def __enter__(self) -> "PackedCohort":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __reduce__(self) -> Tuple[type, Tuple[str]]:
        # A copy in another process opens the files again (an open HDF5 file does not pickle).
        return (type(self), (self.path,))

    # --- what it holds ------------------------------------------------------------
    def arrays(self) -> Dict[str, List[str]]:
        """Every place that holds arrays (``"PointData/Radius"``; ``*`` for list items), with their dtypes.

        Opens every shard (reading only its small tables).
        """
        found: Dict[str, List[str]] = {}
        for number in range(len(self._files)):
            for column in self._shard(number).columns:
                dtypes = found.setdefault(column.place, [])
                if column.dtype.str not in dtypes:
                    dtypes.append(column.dtype.str)
        return found

    def columns(self, place: str) -> Iterator[_Column]:
        """The columns, over all shards, that hold the arrays at ``place``."""
        for number in range(len(self._files)):
            for column in self._shard(number).columns:
                if column.place == place:
                    yield column

    def statistics(self, place: str, per_component: bool = False, chunk_bytes: int = 64 * 2**20):
        """Count, mean, standard deviation, minimum and maximum of one array over the whole cohort, in chunks.

        See :func:`~vmtkscripts_numpy.cohort.stats.array_statistics`.
        """
        from .stats import array_statistics

        return array_statistics(self, place, per_component=per_component, chunk_bytes=chunk_bytes)

    # --- Dask -------------------------------------------------------------------
    def to_bag(self, npartitions: Optional[int] = None):
        """The cases as a ``dask.bag.Bag`` of ArrayDicts, each read where the bag's task runs.

        Examples
        --------
        >>> points = cohort.to_bag().map(lambda case: len(case["Points"])).sum().compute()  # doctest: +SKIP
        """
        import dask.bag

        count = npartitions or max(1, min(len(self), 100))
        return dask.bag.from_sequence(range(len(self)), npartitions=count).map(read_case, self.path)

    def to_delayed(self) -> List[Any]:
        """One ``dask.delayed`` object per case, named after it, that reads the case's ArrayDict."""
        import dask

        return [dask.delayed(read_case, pure=True)(position, self.path, dask_key_name=f"read-{self.names[position]}")
                for position in range(len(self))]


def open_cohort(path: PathLike) -> PackedCohort:
    """Open a packed cohort (its folder, or the ``cohort.json`` in it).

    Raises
    ------
    DataFileError
        When ``path`` is not a packed cohort, or one of a newer layout.
    """
    return PackedCohort(path)


#: The cohorts :func:`read_case` has opened in this process, by folder.
_OPENED: Dict[str, PackedCohort] = {}


def read_case(position: int, path: str) -> Dict[str, Any]:
    """Case ``position`` of the packed cohort at ``path``, the cohort opened once per process (for Dask tasks)."""
    cohort = _OPENED.get(path)
    if cohort is None:
        cohort = _OPENED[path] = PackedCohort(path)
    return cohort[position]
