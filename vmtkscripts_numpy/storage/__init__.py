"""ArrayDicts on disk: HDF5, pickle and npz, chosen by file extension or content.

Each format is a module of this package with ``read(path) -> dict`` and
``write(array_dict, path, **options) -> Path``, registered (kind ``"arraydict"``) in
:mod:`vmtkscripts_numpy.formats`, the one registry of every file the package
reads or writes; :data:`FORMATS` shows its ArrayDict formats by name.
:func:`read` and :func:`write` pick the format from the extension (or from the
file's content when reading). Adding a format is one module and one
``register`` line (docs/storage.md, "Adding a format").

An HDF5 file in VTK's own layout (a ``VTKHDF`` group at its root, with a
``Type``) is not an ArrayDict: whatever its extension (``.hdf`` is shared),
reading it here raises a :class:`~vmtkscripts_numpy.errors.DataFileError`
that names the function and script that read it.

File names: an extension that is given is kept as it is (``out.h5`` is
written as ``out.h5``); a name without extension gets the format's usual one
(``out`` -> ``out.hdf5``). vmtk's ``vmtknumpywriter`` instead replaces
whatever follows the last ``.`` with ``.pickle`` or ``.hdf5``.

Every write is atomic: the file is written beside the target under a
temporary name and renamed over it at the end, so a failure leaves any
earlier file intact.

Writers take the data first and the file second, as every writer of the
package does, and return the file written as a :class:`pathlib.Path`; the
older order ``write(path, array_dict)`` still works, with a
:class:`~vmtkscripts_numpy.errors.VmtkNumpyDeprecationWarning`.

Compression: from Python, arrays are stored uncompressed unless
``compression=`` is given (fastest to write and to read, and what numpy's
``savez`` does); ``vmtknumpywriter`` compresses HDF5 and npz files with gzip
level 4 unless given ``-compression 0``, as vmtk's own ``vmtknumpywriter``
does.

Examples
--------
>>> import numpy as np, os, tempfile
>>> from vmtkscripts_numpy import storage
>>> folder = tempfile.mkdtemp()
>>> surface = {"Points": np.zeros((3, 3), np.float32), "PointData": {}, "CellData": {}}
>>> storage.write(surface, os.path.join(folder, "surface"), format="hdf5").name
'surface.hdf5'
>>> storage.read(os.path.join(folder, "surface.hdf5"))["Points"].shape
(3, 3)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, Iterator, Mapping, Optional

from .. import formats as _registry
from ..errors import DataFileError, MissingFileError
from ..formats import FileFormat
from .._argument_order import data_and_path
from .._typing import PathLike
from ._limits import DEFAULT_MAX_RATIO
from ._tree import check_key, leaf_kind

#: An ArrayDict file format (a row of the registry).
Format = FileFormat

#: The kind of the registry's ArrayDict formats.
KIND = "arraydict"


class _Formats(Mapping):
    """The registry's ArrayDict formats by name, in the order they were registered (a live view)."""

    def __getitem__(self, name: str) -> FileFormat:
        for entry in _registry.formats(KIND):
            if entry.name == name:
                return entry
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(_registry.names(KIND))

    def __len__(self) -> int:
        return len(_registry.formats(KIND))


#: The formats by name.
FORMATS: Mapping[str, FileFormat] = _Formats()

#: The format vmtk's vmtknumpywriter uses when none is given.
DEFAULT_FORMAT = "pickle"


def get_format(name: str) -> FileFormat:
    """The format called ``name``, or a ValueError listing the known ones."""
    try:
        return FORMATS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown format {name!r}; the formats are {', '.join(FORMATS)}") from None


def guess_format(path: PathLike) -> Optional[str]:
    """The format named by the extension of ``path`` (case does not matter), or None.

    Examples
    --------
    >>> guess_format("case/aorta.H5"), guess_format("aorta.pkl"), guess_format("aorta.vtp")
    ('hdf5', 'pickle', None)
    """
    extension = os.path.splitext(os.fspath(path))[1].lower()
    for entry in _registry.formats(KIND):
        if extension in entry.extensions:
            return entry.name
    return None


def output_path(path: PathLike, format: str) -> Path:
    """The name a file is written under: ``path`` as given, or with the format's extension if it has none.

    A device, pipe or socket that is there keeps its name, so that writing
    refuses it; so does a symbolic link to a file, which names that file:
    ``/dev/stdout`` never becomes ``/dev/stdout.hdf5``.

    Examples
    --------
    >>> [str(output_path(name, "hdf5")) for name in ("out", "out.h5", "out.data", "/dev/null")]
    ['out.hdf5', 'out.h5', 'out.data', '/dev/null']
    """
    name = os.fspath(path)
    if not name or name.endswith(os.sep) or (os.altsep and name.endswith(os.altsep)):
        raise ValueError(f"{name!r} is not a file name")
    if os.path.splitext(name)[1] or (not os.path.isdir(name) and (os.path.islink(name) or (
            os.path.exists(name) and not os.path.isfile(name)))):
        return Path(name)
    return Path(name + get_format(format).extension)


def read(path: PathLike, format: Optional[str] = None, *, max_ratio: float = DEFAULT_MAX_RATIO) -> Dict[str, Any]:
    """Read an ArrayDict from ``path``, giving back only what the file holds.

    Parameters
    ----------
    path : str or path-like
        The file.
    format : str, optional
        The format (``"hdf5"``, ``"pickle"``, ``"npz"`` or any other
        registered); by default guessed from the extension, else from the
        file's content.
    max_ratio : float
        The most bytes of data the read gives back per byte of the file, plus
        16 MiB (default 100, ``math.inf`` for no limit). Only compressed data
        comes near it; raise it to read a trusted file that compresses better
        (a mask image in gzip or deflate can reach 1000).

    Raises
    ------
    DataFileError
        If the file is missing, unreadable, of an unknown format, damaged,
        does not hold an ArrayDict (a VTKHDF file: the message names the
        function that reads it), refers to data outside itself, declares
        data it does not hold or gives back more than ``max_ratio`` allows;
        the message names the file.
    ValueError
        If ``max_ratio`` is not a positive number.
    """
    name = os.fspath(path)
    if format is None:
        format = guess_format(name)
        if format is None and os.path.isfile(name):
            found = _registry.identify(name, KIND)
            if found is None and _registry.is_vtkhdf(name):
                raise DataFileError(name, _registry.vtkhdf_hint(name))
            format = found.name if found is not None else None
        if format is None:
            if not os.path.exists(name):
                raise MissingFileError(name)
            known = ", ".join(_registry.extensions(KIND))
            raise DataFileError(name, f"cannot tell its format from its extension ({known}) or its content")
    return get_format(format).read(name, max_ratio=max_ratio)


def write(array_dict: Mapping[str, Any], path: PathLike, format: Optional[str] = None, **options: Any) -> Path:
    """Write ``array_dict`` to ``path`` atomically; returns the file written.

    Parameters
    ----------
    array_dict : dict
        The ArrayDict.
    path : str or path-like
        The file. An extension is kept as given; without one the format's
        usual extension is added.
    format : str, optional
        The format (``"hdf5"``, ``"pickle"``, ``"npz"`` or any other
        registered); by default guessed from the extension, else pickle (as vmtk).
    **options
        Options of the format's ``write``: for hdf5 ``compression`` (None,
        ``"gzip"``, ``"lzf"``), ``compression_level``, ``shuffle``, ``kind``;
        for npz ``compression`` (None, ``"deflate"``), ``compression_level``,
        ``kind``; for pickle ``protocol``. Without ``compression`` the arrays
        are stored uncompressed, whereas ``vmtknumpywriter`` (as vmtk's)
        compresses HDF5 and npz files with gzip level 4 unless given
        ``-compression 0``; ``compression="gzip"`` (npz: ``"deflate"``) and
        ``compression_level=4`` write what it writes.

    Returns
    -------
    pathlib.Path
        The file written (``path``, with the format's extension if it had none).

    Raises
    ------
    ArrayDictError
        If ``array_dict`` holds something that cannot be stored (the message
        names the key); nothing is written.
    DataFileError
        If the file cannot be written; an earlier file is left intact.

    Warns
    -----
    VmtkNumpyDeprecationWarning
        When called in the older order ``write(path, array_dict)``, which still writes the file.

    Examples
    --------
    >>> import numpy as np, os, tempfile
    >>> path = write({"Points": np.zeros((2, 3))}, os.path.join(tempfile.mkdtemp(), "points.h5"), compression="gzip")
    >>> path.name, read(path)["Points"].shape
    ('points.h5', (2, 3))
    """
    array_dict, path = data_and_path(array_dict, path, "write_array_dict")
    if format is None:
        format = guess_format(path) or DEFAULT_FORMAT
    name = output_path(path, format)
    get_format(format).write(array_dict, name, **options)
    return Path(name)


#: The names under which the package's top level offers :func:`read` and :func:`write`.
read_array_dict = read
write_array_dict = write

__all__ = [
    "FORMATS", "KIND", "DEFAULT_FORMAT", "DEFAULT_MAX_RATIO", "Format", "get_format", "guess_format", "output_path",
    "read", "write", "read_array_dict", "write_array_dict", "check_key", "leaf_kind",
]
