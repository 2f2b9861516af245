"""The registry of every file format the package reads or writes: ArrayDict files and VTK data files alike.

Each format is one :class:`FileFormat` row, registered once at the end of this
module: its name (``-f`` of the scripts; vmtk's names where vmtk has one), the
kind of data its files hold, its extensions, the module whose functions read
and write it, its first bytes and, where two formats share those, a test of
the content. The scripts build their ``Format`` ranges and compression options
from it; :mod:`vmtkscripts_numpy.storage` and :mod:`vmtkscripts_numpy.vtkfiles`
find their readers and writers in it.

The kinds and the signatures of their functions:

===========  ============================================  ==========================================
kind         ``read``                                      ``write``
===========  ============================================  ==========================================
arraydict    ``read(path, *, max_ratio) -> dict``          ``write(array_dict, path, **options)``
surface      ``read_surface(path) -> vtkPolyData``         ``write_surface(surface, path, mode)``
mesh         ``read_mesh(path) -> vtkUnstructuredGrid``    ``write_mesh(mesh, path, mode)``
image        ``read_image(path) -> vtkImageData``          ``write_image(image, path, mode)``
timeseries   ``read(path) -> dict`` (a time series)        ``write(series, path, mode)``
===========  ============================================  ==========================================

A format is found by name, by extension (the longest matching one first:
``.nii.gz`` before ``.gz``) or by content (:func:`identify`). Content decides
where an extension is shared: ``.hdf`` names both an ArrayDict HDF5 file and a
VTKHDF file, and an HDF5 file whose root holds a ``VTKHDF`` group with a
``Type`` attribute is a VTKHDF file, whatever its extension.

This module imports neither numpy, h5py nor VTK (h5py is imported only to look
inside an HDF5 file), so that a script's ``--help`` stays light.

Adding a format is one module with ``read`` and ``write`` and one
:func:`register` line (see docs/storage.md, "Adding a format").

Examples
--------
>>> find("arraydict", "case/aorta.H5").name
'hdf5'
>>> find("surface", "aorta.VTP").name
'vtkxml'
>>> names("arraydict", "write")
['pickle', 'hdf5', 'npz']
>>> find("surface", "aorta.obj", operation="write")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
vmtkscripts_numpy.errors.DataFileError: aorta.obj: wavefront files (.obj) can be read but not written; ...
"""

from __future__ import annotations

import functools
import importlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, List, Optional, Tuple

from .errors import DataFileError
from ._typing import PathLike


#: The kinds of data the package's files hold.
KINDS: Tuple[str, ...] = ("arraydict", "surface", "mesh", "image", "timeseries")
#: The kinds held by VTK data files.
VTK_KINDS: Tuple[str, ...] = ("surface", "mesh", "image")
#: Where the package's users read each kind from Python, and the vmtk script that does it.
READERS = {
    "arraydict": ("read_array_dict", "vmtknumpyreader"),
    "surface": ("read_surface", "vmtksurfacereader"),
    "mesh": ("read_mesh", "vmtkmeshreader"),
    "image": ("read_image", "vmtkimagereader"),
}
#: Where the package's users write each kind from Python, and the vmtk script that does it.
WRITERS = {
    "arraydict": ("write_array_dict", "vmtknumpywriter"),
    "surface": ("write_surface", "vmtksurfacewriter"),
    "mesh": ("write_mesh", "vmtkmeshwriter"),
    "image": ("write_image", "vmtkimagewriter"),
}
#: The ``Type`` of a VTKHDF file holding each VTK kind.
VTKHDF_TYPES = {"surface": "PolyData", "mesh": "UnstructuredGrid", "image": "ImageData"}

#: HDF5's signature (also found after a user block of 512, 1024, ... bytes).
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


@dataclass(frozen=True)
class Compression:
    """A compression a format's writer offers.

    Attributes
    ----------
    method : str
        The name the scripts' ``-compressionmethod`` gives it (``"gzip"``, ``"lzf"``).
    option : str
        The ``compression`` value of the format's ``write`` (npz calls gzip's ``"deflate"``).
    levels : bool
        Whether ``compression_level`` (0-9) applies.
    """

    method: str
    option: str
    levels: bool = True


@dataclass(frozen=True)
class FileFormat:
    """One file format of one kind of data.

    Attributes
    ----------
    name : str
        The format name (``-f`` of the scripts), e.g. ``"vtkxml"``, ``"hdf5"``.
    kind : str
        One of :data:`KINDS`.
    description : str
        Words for messages, e.g. ``"VTK XML PolyData"``.
    extensions : tuple of str
        Lower-case extensions with their dot, the usual one first.
    module : str
        The module (absolute name) whose functions read and write the format;
        imported on first use.
    reader, writer : str or None
        The names of the reading and writing functions in ``module``; None
        for a format that cannot be read or written.
    ascii : bool
        Whether a VTK writer's ``mode="ascii"`` means something for it.
    compressions : tuple of Compression
        What an ArrayDict writer offers; empty for none.
    magic : tuple of bytes
        First bytes that announce the format (at most :data:`MAGIC_BYTES`).
    content : callable or None
        ``content(path) -> bool``, asked of a file with the first bytes:
        whether it is this format (two formats may share the bytes).
    noun : str
        The format in messages, with its article (``"an HDF5 file"``); by
        default ``"a <description> file"``.
    """

    name: str
    kind: str
    description: str
    extensions: Tuple[str, ...]
    module: str
    reader: Optional[str] = "read"
    writer: Optional[str] = "write"
    ascii: bool = False
    compressions: Tuple[Compression, ...] = ()
    magic: Tuple[bytes, ...] = ()
    content: Optional[Callable[[str], bool]] = None
    noun: str = ""

    @property
    def a_file(self) -> str:
        """The format in messages: ``noun``, by default ``"a <description> file"``."""
        return self.noun or f"a {self.description} file"

    @property
    def extension(self) -> str:
        """The extension given to a file name that has none."""
        return self.extensions[0]

    def can(self, operation: str) -> bool:
        """Whether the format supports ``operation`` (``"read"`` or ``"write"``)."""
        return (self.reader if operation == "read" else self.writer) is not None

    def load(self) -> Any:
        """The format's module."""
        return importlib.import_module(self.module)

    def read(self, *arguments: Any, **options: Any) -> Any:
        """Call the format's reader (see the table of signatures above)."""
        if self.reader is None:
            raise ValueError(f"{self.name} {self.kind} files cannot be read")
        return getattr(self.load(), self.reader)(*arguments, **options)

    def write(self, *arguments: Any, **options: Any) -> Any:
        """Call the format's writer (see the table of signatures above)."""
        if self.writer is None:
            raise ValueError(f"{self.name} {self.kind} files cannot be written")
        return getattr(self.load(), self.writer)(*arguments, **options)

    def compression(self, method: str) -> Optional[Compression]:
        """The :class:`Compression` the scripts call ``method``, or None if the format has none such."""
        return next((entry for entry in self.compressions if entry.method == method), None)

    def announced_by(self, head: bytes) -> bool:
        """Whether the first bytes ``head`` are one of this format's signatures."""
        return any(head.startswith(magic) for magic in self.magic)


_REGISTRY: List[FileFormat] = []


def register(file_format: FileFormat) -> FileFormat:
    """Add a format; returns it.

    Raises
    ------
    ValueError
        For an unknown kind, a format without extensions, or a name its kind already has.
    """
    if file_format.kind not in KINDS:
        raise ValueError(f"unknown kind {file_format.kind!r}; kinds are {', '.join(KINDS)}")
    if not file_format.extensions or any(ext != ext.lower() or not ext.startswith(".")
                                         for ext in file_format.extensions):
        raise ValueError(f"{file_format.name}: extensions must be lower case and start with '.'")
    if any(entry.name == file_format.name for entry in formats(file_format.kind)):
        raise ValueError(f"{file_format.kind} format {file_format.name!r} is registered already")
    _REGISTRY.append(file_format)
    return file_format


def unregister(kind: str, name: str) -> FileFormat:
    """Remove the format ``name`` of ``kind``; returns it."""
    chosen = by_name(kind, name)
    _REGISTRY.remove(chosen)
    return chosen


def formats(kind: Optional[str] = None) -> Tuple[FileFormat, ...]:
    """The formats of ``kind`` (all when None), in the order they were registered."""
    return tuple(entry for entry in _REGISTRY if kind is None or entry.kind == kind)


def names(kind: str, operation: Optional[str] = None) -> List[str]:
    """The names of the formats of ``kind``, all or those that support ``operation``."""
    return [entry.name for entry in formats(kind) if operation is None or entry.can(operation)]


def extensions(kind: str, operation: Optional[str] = None) -> List[str]:
    """The extensions of the formats of ``kind``, all or those of formats that support ``operation``."""
    return [ext for entry in formats(kind) if operation is None or entry.can(operation) for ext in entry.extensions]


def format_range(kind: str, operation: Optional[str] = None, extra: Tuple[str, ...] = ()) -> str:
    """A script member's range of format names: ``'["pickle","hdf5","npz"]'``.

    ``extra`` names come first (vmtk's names of formats a script knows beyond
    the registry), then the registry's, each once.

    Examples
    --------
    >>> format_range("arraydict", "read")
    '["pickle","hdf5","npz"]'
    """
    chosen = dict.fromkeys(list(extra) + names(kind, operation))
    return "[" + ",".join(f'"{name}"' for name in chosen) + "]"


def spoken(kind: str, operation: Optional[str] = None) -> str:
    """The formats of ``kind`` in words, for help texts.

    Examples
    --------
    >>> spoken("arraydict")
    'pickle, HDF5 or npz'
    """
    words = [entry.description for entry in formats(kind) if operation is None or entry.can(operation)]
    return " or ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)


def compressions_in_words(kind: str = "arraydict") -> str:
    """What each format of ``kind`` offers for ``-compressionmethod``, for help texts.

    Examples
    --------
    >>> compressions_in_words()
    'hdf5: gzip, lzf; npz: gzip (as deflate)'
    """
    return "; ".join(
        f"{fmt.name}: " + ", ".join(entry.method + (f" (as {entry.option})" if entry.option != entry.method else "")
                                   for entry in fmt.compressions)
        for fmt in formats(kind) if fmt.compressions
    )


def compression_methods(kind: str = "arraydict") -> List[str]:
    """Every compression method (the scripts' names) a format of ``kind`` offers, each once.

    Examples
    --------
    >>> compression_methods()
    ['gzip', 'lzf']
    """
    return list(dict.fromkeys(entry.method for fmt in formats(kind) for entry in fmt.compressions))


def by_name(kind: str, name: str) -> FileFormat:
    """The format of ``kind`` called ``name``.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the known ones.
    """
    for candidate in formats(kind):
        if candidate.name == name:
            return candidate
    raise ValueError(f"unknown {kind} format {name!r}; {kind} formats are {', '.join(names(kind))}")


def by_extension(kind: str, path: PathLike) -> Optional[FileFormat]:
    """The format of ``kind`` whose extension ends ``path`` (case-insensitive, longest first), or None."""
    lowered = Path(path).name.lower()
    matches = [(len(ext), entry) for entry in formats(kind) for ext in entry.extensions if lowered.endswith(ext)]
    return max(matches, key=lambda match: match[0])[1] if matches else None


def find(kind: str, path: PathLike, format: Optional[str] = None, operation: str = "read") -> FileFormat:
    """The format of ``kind`` to ``operation`` (``"read"``/``"write"``) ``path`` with, by name or extension.

    Raises
    ------
    DataFileError
        When the extension is unknown (the message lists the supported ones)
        or the format cannot do ``operation``.
    ValueError
        For an unknown format name.
    """
    if operation not in ("read", "write"):
        raise ValueError(f"operation must be 'read' or 'write', not {operation!r}")
    verb = "reading" if operation == "read" else "writing"
    if format:
        chosen = by_name(kind, format)
    else:
        found = by_extension(kind, path)
        if found is None:
            suffix = "".join(Path(path).suffixes[-1:]) or "(none)"
            raise DataFileError(
                path,
                f"unknown {kind} file extension {suffix}; {kind} extensions for {verb} are "
                f"{', '.join(extensions(kind, operation))} (or name the format: {', '.join(names(kind, operation))})"
                + _other_kind_hint(kind, path, operation),
            )
        chosen = found
    if not chosen.can(operation):
        can, cannot = ("read", "written") if operation == "write" else ("written", "read")
        raise DataFileError(
            path,
            f"{chosen.name} files ({', '.join(chosen.extensions)}) can be {can} but not {cannot}; "
            f"{kind} extensions for {verb} are {', '.join(extensions(kind, operation))}",
        )
    return chosen


def _other_kind_hint(kind: str, path: PathLike, operation: str) -> str:
    """``"; .vtu files hold a mesh: read it with read_mesh (vmtkmeshreader)"`` when another kind has the extension."""
    functions = READERS if operation == "read" else WRITERS
    for other in functions:
        found = by_extension(other, path) if other != kind else None
        if found is not None and found.can(operation):
            function, script = functions[other]
            verb = "read" if operation == "read" else "write"
            noun = {"arraydict": "an ArrayDict", "image": "an image"}.get(other, f"a {other}")
            return f"; {found.a_file.split(' ', 1)[1]}s hold {noun}: {verb} it with {function} ({script})"
    return ""


def describe(kind: str) -> str:
    """A table of the formats of ``kind``, for documentation and ``--help`` texts."""
    rows = []
    for entry in formats(kind):
        operations = "/".join(operation for operation in ("read", "write") if entry.can(operation))
        rows.append(f"{entry.name:<10} {', '.join(entry.extensions):<16} {operations:<10} {entry.description}")
    return "\n".join(rows)


# --- content ------------------------------------------------------------------------------------


#: How many first bytes a signature may have.
MAGIC_BYTES = 64


def _head(path: PathLike) -> Optional[bytes]:
    """The first :data:`MAGIC_BYTES` bytes, or HDF5's signature if it follows a user block; None if unreadable."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(MAGIC_BYTES)
            if head.startswith(HDF5_SIGNATURE):
                return head
            offset = 512
            while True:
                stream.seek(offset)
                block = stream.read(8)
                if len(block) < 8:
                    return head
                if block == HDF5_SIGNATURE:
                    return block
                offset *= 2
    except OSError:
        return None


def identify(path: PathLike, kind: Optional[str] = None) -> Optional[FileFormat]:
    """The format a file's content announces (of ``kind``, or of any kind), or None.

    The first bytes choose the candidates, and each one's ``content`` test,
    if it has one, decides.

    Examples
    --------
    >>> import numpy as np, os, tempfile
    >>> from vmtkscripts_numpy import storage
    >>> path = storage.write({"a": np.ones(2)}, os.path.join(tempfile.mkdtemp(), "a.data"), format="hdf5")
    >>> identify(path).name, identify(path, "surface")
    ('hdf5', None)
    """
    head = _head(path)
    if not head:
        return None
    candidates = (entry for entry in formats(kind) if entry.announced_by(head))
    return next((entry for entry in candidates if entry.content is None or entry.content(os.fspath(path))), None)


def is_vtkhdf(path: PathLike) -> bool:
    """Whether an HDF5 file's root holds a ``VTKHDF`` group with a ``Type`` attribute (VTK's layout).

    Only names are looked at (the link, the group, the attribute's name), not
    values, so that a damaged file is left to its reader's checks.
    """
    name = os.fspath(path)
    try:
        stat = os.stat(name)
    except OSError:
        return False
    return _is_vtkhdf(name, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _is_vtkhdf(name: str, mtime: int, size: int) -> bool:
    h5py = importlib.import_module("h5py")

    try:
        with h5py.File(name, "r") as handle:
            link = handle.get("VTKHDF", getlink=True)
            if not isinstance(link, h5py.HardLink) or handle.get("VTKHDF", getclass=True) is not h5py.Group:
                return False
            return bool(h5py.h5a.exists(handle["VTKHDF"].id, b"Type"))
    except Exception:  # noqa: BLE001 - any failure to look inside: not a VTKHDF file that can be told
        return False


def _is_not_vtkhdf(path: str) -> bool:
    return not is_vtkhdf(path)


def vtkhdf_type(path: PathLike) -> Optional[str]:
    """The ``Type`` of a VTKHDF file (``"PolyData"``...), or None if it is not one (or cannot be told)."""
    if not is_vtkhdf(path):
        return None
    name = os.fspath(path)
    stat = os.stat(name)
    return _vtkhdf_type(name, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _vtkhdf_type(name: str, mtime: int, size: int) -> Optional[str]:
    h5py = importlib.import_module("h5py")
    try:
        with h5py.File(name, "r") as handle:
            value = handle["VTKHDF"].attrs["Type"]
    except Exception:  # noqa: BLE001 - a Type that cannot be read tells no kind
        return None
    value = value.decode("ascii", "replace") if isinstance(value, bytes) else value
    return value if isinstance(value, str) else None


#: The first bytes of a legacy VTK file.
LEGACY_SIGNATURE = b"# vtk DataFile"


def legacy_dataset(path: PathLike) -> Optional[str]:
    """The ``DATASET`` of a legacy VTK file (``"POLYDATA"``...), from its first 2 KiB; None if it names none."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(2048)
    except OSError:
        return None
    if not head.startswith(LEGACY_SIGNATURE):
        return None
    for line in head.splitlines()[:6]:
        words = line.split()
        if len(words) >= 2 and words[0].upper() == b"DATASET":
            return words[1].decode("ascii", "replace").upper()
    return None


def _legacy_of(kind: str) -> Callable[[str], bool]:
    """The content test of the legacy VTK format of ``kind``: its ``DATASET`` (``.vtk`` is every kind's)."""
    return lambda path: legacy_dataset(path) == _LEGACY_DATASETS[kind]


def _vtkhdf_of(kind: str) -> Callable[[str], bool]:
    """The content test of the VTKHDF format of ``kind``: its ``Type``."""
    return lambda path: vtkhdf_type(path) == VTKHDF_TYPES[kind]


#: The ``DATASET`` of a legacy VTK file holding each VTK kind.
_LEGACY_DATASETS = {"surface": "POLYDATA", "mesh": "UNSTRUCTURED_GRID", "image": "STRUCTURED_POINTS"}


def vtkhdf_hint(path: PathLike, kind: Optional[str] = None) -> str:
    """What to say to someone who gave a VTKHDF file where an ArrayDict was expected.

    Examples
    --------
    >>> vtkhdf_hint("aorta.hdf", "surface").split("; ")[1]
    'read it with read_surface (vmtksurfacereader) and convert it with vmtksurfacetonumpy'
    """
    if kind in VTK_KINDS:
        function, script = READERS[kind]
        return (f"is a VTKHDF file (VTK's HDF5 layout) holding a {kind}, not an ArrayDict; read it with {function} "
                f"({script}) and convert it with {_TO_NUMPY[kind]}")
    return ("is a VTKHDF file (VTK's HDF5 layout), not an ArrayDict; read it with read_surface, read_mesh or "
            "read_image (vmtksurfacereader, vmtkmeshreader, vmtkimagereader), as its Type says")


#: The script that turns each VTK kind into an ArrayDict.
_TO_NUMPY = {"surface": "vmtksurfacetonumpy", "mesh": "vmtkmeshtonumpy", "image": "vmtkimagetonumpy"}


# --- the formats ----------------------------------------------------------------------------------

_HDF5, _LEGACY = (HDF5_SIGNATURE,), (LEGACY_SIGNATURE,)
_STORAGE, _VTK = "vmtkscripts_numpy.storage.", "vmtkscripts_numpy.vtkfiles."
_GZIP, _LZF = Compression("gzip", "gzip"), Compression("lzf", "lzf", levels=False)
_DEFLATE = Compression("gzip", "deflate")  # npz: zip's deflate, gzip's algorithm

register(FileFormat("pickle", "arraydict", "pickle", (".pickle", ".pkl"), _STORAGE + "pickle", magic=(b"\x80",)))
register(FileFormat("hdf5", "arraydict", "HDF5", (".hdf5", ".h5", ".hdf"), _STORAGE + "hdf5",
                    compressions=(_GZIP, _LZF), magic=_HDF5, content=_is_not_vtkhdf, noun="an HDF5 file"))
register(FileFormat("npz", "arraydict", "npz", (".npz",), _STORAGE + "npz", compressions=(_DEFLATE,),
                    magic=(b"PK\x03\x04", b"PK\x05\x06"), noun="an npz file"))


def _vtk_format(name: str, kind: str, description: str, extensions: Tuple[str, ...], module: str,
                read: bool = True, write: bool = True, **rest: Any) -> FileFormat:
    """Register a VTK data format of ``kind``, whose module reads with ``read_<kind>``, writes with ``write_<kind>``."""
    return register(FileFormat(name, kind, description, extensions, _VTK + "formats." + module,
                               f"read_{kind}" if read else None, f"write_{kind}" if write else None, **rest))


_vtk_format("vtkxml", "surface", "VTK XML PolyData", (".vtp",), "vtkxml", ascii=True)
_vtk_format("vtk", "surface", "legacy VTK POLYDATA", (".vtk",), "legacy", ascii=True, magic=_LEGACY,
            content=_legacy_of("surface"))
_vtk_format("stl", "surface", "STL", (".stl",), "stl", ascii=True)
_vtk_format("ply", "surface", "PLY", (".ply",), "ply", ascii=True)
_vtk_format("wavefront", "surface", "Wavefront OBJ", (".obj",), "wavefront", write=False)
_vtk_format("vtkhdf", "surface", "VTKHDF PolyData", (".vtkhdf", ".hdf"), "vtkhdf", magic=_HDF5,
            content=_vtkhdf_of("surface"))

_vtk_format("vtkxml", "mesh", "VTK XML UnstructuredGrid", (".vtu",), "vtkxml", ascii=True)
_vtk_format("vtk", "mesh", "legacy VTK UNSTRUCTURED_GRID", (".vtk",), "legacy", ascii=True, magic=_LEGACY,
            content=_legacy_of("mesh"))
_vtk_format("vtkhdf", "mesh", "VTKHDF UnstructuredGrid", (".vtkhdf", ".hdf"), "vtkhdf", magic=_HDF5,
            content=_vtkhdf_of("mesh"))

_vtk_format("vtkxml", "image", "VTK XML ImageData", (".vti",), "vtkxml", ascii=True)
_vtk_format("vtk", "image", "legacy VTK STRUCTURED_POINTS", (".vtk",), "legacy", ascii=True, magic=_LEGACY,
            content=_legacy_of("image"))
_vtk_format("meta", "image", "MetaImage", (".mha", ".mhd"), "meta")
_vtk_format("nrrd", "image", "NRRD", (".nrrd", ".nhdr"), "nrrd", write=False)
_vtk_format("nifti", "image", "NIfTI-1", (".nii", ".nii.gz"), "nifti")
_vtk_format("vtkhdf", "image", "VTKHDF ImageData", (".vtkhdf", ".hdf"), "vtkhdf", magic=_HDF5,
            content=_vtkhdf_of("image"))
_vtk_format("dicom", "image", "DICOM series", (".dcm",), "dicom")

register(FileFormat("pvd", "timeseries", "ParaView collection", (".pvd",), _VTK + "pvd", ascii=True))
register(FileFormat("vtkhdf", "timeseries", "transient VTKHDF", (".vtkhdf", ".hdf"), _VTK + "vtkhdf_series",
                    magic=_HDF5, content=is_vtkhdf))
register(FileFormat("series", "timeseries", "ParaView file series", (".series",), _VTK + "fileseries", ascii=True))
