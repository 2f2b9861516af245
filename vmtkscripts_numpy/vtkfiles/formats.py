"""The VTK file formats of each data kind, as the package's one registry holds them.

Every format is a row of :mod:`vmtkscripts_numpy.formats`. Each data kind
(surface, image, mesh) has one :class:`FormatTable`, a live view of its rows:
a format is found from its name (vmtk's names where vmtk has one:
``"vtkxml"``, ``"vtk"``, ``"stl"``, ``"ply"``, ``"wavefront"``, ``"meta"``;
ours otherwise: ``"nrrd"``, ``"nifti"``, ``"vtkhdf"``) or from the file's
extension, the longest matching one first (``.nii.gz`` before ``.gz``).
Adding a format is one reading and one writing function in the module of its
kind and one ``register`` line in the registry.

Examples
--------
>>> from vmtkscripts_numpy.vtkfiles.surface import SURFACE_FORMATS
>>> SURFACE_FORMATS.find("aorta.VTP").name
'vtkxml'
>>> SURFACE_FORMATS.find("aorta.obj", operation="write")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
vmtkscripts_numpy.errors.DataFileError: aorta.obj: wavefront files (.obj) can be read but not written; ...
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from .. import formats as _registry
from .._typing import PathLike
from ..formats import FileFormat

__all__ = ["FileFormat", "FormatTable", "WRITE_MODES", "check_mode"]

#: The values ``mode`` takes in the writers.
WRITE_MODES: Tuple[str, ...] = ("binary", "ascii")


class FormatTable:
    """The formats of one data kind, found by name or by file extension (a view of the registry).

    Parameters
    ----------
    kind : str
        What the files hold: ``"surface"``, ``"image"`` or ``"mesh"``.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind

    @property
    def formats(self) -> Tuple[FileFormat, ...]:
        """The formats, in the order they are listed in messages."""
        return _registry.formats(self.kind)

    def names(self, operation: Optional[str] = None) -> List[str]:
        """The format names, all or those that support ``operation``."""
        return _registry.names(self.kind, operation)

    def extensions(self, operation: Optional[str] = None) -> List[str]:
        """The extensions, all or those of formats that support ``operation``."""
        return _registry.extensions(self.kind, operation)

    def by_name(self, name: str) -> FileFormat:
        """The format called ``name``; a ValueError listing the known ones for an unknown name."""
        return _registry.by_name(self.kind, name)

    def by_extension(self, path: PathLike) -> Optional[FileFormat]:
        """The format whose extension ends ``path`` (case-insensitive, longest first), or None."""
        return _registry.by_extension(self.kind, path)

    def find(self, path: PathLike, format: Optional[str] = None, operation: str = "read") -> FileFormat:
        """The format to ``operation`` ``path`` with (see :func:`vmtkscripts_numpy.formats.find`)."""
        return _registry.find(self.kind, path, format, operation)

    def describe(self) -> str:
        """A table of the formats, for documentation and ``--help`` texts."""
        return _registry.describe(self.kind)


def check_mode(mode: str) -> str:
    """Validate a writer ``mode``; returns it.

    Raises
    ------
    ValueError
        If ``mode`` is not ``"binary"`` or ``"ascii"``.
    """
    if mode not in WRITE_MODES:
        raise ValueError(f"mode must be one of {', '.join(WRITE_MODES)}, not {mode!r}")
    return mode
