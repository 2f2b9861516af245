"""The VTK data file formats: one module each, and a table per data kind.

Each format is one module of this package that reads and writes its files
for every data kind it holds, with functions named after the kind:
``read_surface(path)`` / ``write_surface(surface, path, mode)``, and likewise
``read_mesh``/``write_mesh`` and ``read_image``/``write_image``:

==========  ====================================  =========================
module      files                                 kinds
==========  ====================================  =========================
vtkxml      .vtp, .vtu, .vti                      surface, mesh, image
legacy      .vtk                                  surface, mesh, image
vtkhdf      .vtkhdf, .hdf                         surface, mesh, image
stl         .stl                                  surface
ply         .ply                                  surface
wavefront   .obj (read only)                      surface
meta        .mha, .mhd                            image
nifti       .nii, .nii.gz                         image
nrrd        .nrrd, .nhdr (read only)              image
dicom       .dcm                                  image
==========  ====================================  =========================

Every format is registered once, by name, extension and content, in the
package's one registry (:mod:`vmtkscripts_numpy.formats`); the format
modules are imported only when a file of theirs is read or written. The
functions of :mod:`..surface`, :mod:`..mesh` and :mod:`..image` check the
file and the data around them, so a format module only reads and writes.
Each data kind has one :class:`FormatTable`, a live view of its rows: a format
is found from its name (vmtk's names where vmtk has one: ``"vtkxml"``,
``"vtk"``, ``"stl"``, ``"ply"``, ``"wavefront"``, ``"meta"``; ours otherwise:
``"nrrd"``, ``"nifti"``, ``"dicom"``, ``"vtkhdf"``) or from the file's
extension, the longest matching one first (``.nii.gz`` before ``.gz``).

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

from ... import formats as _registry
from ..._typing import PathLike
from ...formats import FileFormat


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
