"""The registry of VTK file formats: format names, file extensions, reader and writer of each.

Each data kind (surface, image, mesh) has one :class:`FormatTable`. A format is
found from its name (vmtk's names where vmtk has one: ``"vtkxml"``, ``"vtk"``,
``"stl"``, ``"ply"``, ``"wavefront"``, ``"meta"``; ours otherwise:
``"nrrd"``, ``"nifti"``, ``"vtkhdf"``) or from the file's extension, the
longest matching one first (``.nii.gz`` before ``.gz``). Adding a format is one
:class:`FileFormat` row in the table of its kind.

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

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, List, Optional, Sequence, Tuple, Union

from ..errors import DataFileError

PathLike = Union[str, Path]

#: The values ``mode`` takes in the writers.
WRITE_MODES: Tuple[str, ...] = ("binary", "ascii")


@dataclass(frozen=True)
class FileFormat:
    """One file format of one data kind.

    Attributes
    ----------
    name : str
        The format name (``-f`` of the scripts), e.g. ``"vtkxml"``.
    description : str
        Words for messages, e.g. ``"VTK XML PolyData"``.
    extensions : tuple of str
        Lower-case extensions with their dot, e.g. ``(".vtp",)``.
    read : callable or None
        ``read(path) -> VTK object``; None for a format that cannot be read.
    write : callable or None
        ``write(data, path, mode)``; None for a format that cannot be written.
    ascii : bool
        Whether ``mode="ascii"`` means something for this format; other
        formats are always written binary.
    """

    name: str
    description: str
    extensions: Tuple[str, ...]
    read: Optional[Callable[[Path], Any]] = None
    write: Optional[Callable[[Any, Path, str], None]] = None
    ascii: bool = False

    def can(self, operation: str) -> bool:
        """Whether the format supports ``operation`` (``"read"`` or ``"write"``)."""
        return (self.read if operation == "read" else self.write) is not None


def _extension_list(extensions: Iterable[str]) -> str:
    return ", ".join(extensions)


class FormatTable:
    """The formats of one data kind, found by name or by file extension.

    Parameters
    ----------
    kind : str
        What the files hold, in words: ``"surface"``, ``"image"`` or ``"mesh"``.
    formats : sequence of FileFormat
        The formats, in the order they are listed in messages.
    """

    def __init__(self, kind: str, formats: Sequence[FileFormat]) -> None:
        self.kind = kind
        self.formats: Tuple[FileFormat, ...] = tuple(formats)

    def names(self, operation: Optional[str] = None) -> List[str]:
        """The format names, all or those that support ``operation``."""
        return [f.name for f in self.formats if operation is None or f.can(operation)]

    def extensions(self, operation: Optional[str] = None) -> List[str]:
        """The extensions, all or those of formats that support ``operation``."""
        return [ext for f in self.formats if operation is None or f.can(operation) for ext in f.extensions]

    def by_name(self, name: str) -> FileFormat:
        """The format called ``name``.

        Raises
        ------
        ValueError
            For an unknown name; the message lists the known ones.
        """
        for candidate in self.formats:
            if candidate.name == name:
                return candidate
        raise ValueError(f"unknown {self.kind} format {name!r}; {self.kind} formats are {', '.join(self.names())}")

    def by_extension(self, path: PathLike) -> Optional[FileFormat]:
        """The format whose extension ends ``path`` (case-insensitive, longest first), or None."""
        lowered = Path(path).name.lower()
        matches = [(len(ext), f) for f in self.formats for ext in f.extensions if lowered.endswith(ext)]
        return max(matches, key=lambda match: match[0])[1] if matches else None

    def find(self, path: PathLike, format: Optional[str] = None, operation: str = "read") -> FileFormat:
        """The format to ``operation`` (``"read"``/``"write"``) ``path`` with.

        Parameters
        ----------
        path : str or Path
            The file; its extension chooses the format when ``format`` is None.
        format : str, optional
            A format name, to override the extension.
        operation : {"read", "write"}

        Raises
        ------
        DataFileError
            When the extension is unknown (the message lists the supported
            ones) or the format cannot do ``operation``.
        ValueError
            For an unknown format name.
        """
        if operation not in ("read", "write"):
            raise ValueError(f"operation must be 'read' or 'write', not {operation!r}")
        verb = "reading" if operation == "read" else "writing"
        if format:
            chosen = self.by_name(format)
        else:
            chosen = self.by_extension(path)
            if chosen is None:
                suffix = "".join(Path(path).suffixes[-1:]) or "(none)"
                raise DataFileError(
                    path,
                    f"unknown {self.kind} file extension {suffix}; {self.kind} extensions for {verb} are "
                    f"{_extension_list(self.extensions(operation))} (or name the format: "
                    f"{', '.join(self.names(operation))})",
                )
        if not chosen.can(operation):
            others = _extension_list(self.extensions(operation))
            can, cannot = ("read", "written") if operation == "write" else ("written", "read")
            raise DataFileError(
                path,
                f"{chosen.name} files ({_extension_list(chosen.extensions)}) can be {can} but not {cannot}; "
                f"{self.kind} extensions for {verb} are {others}",
            )
        return chosen

    def describe(self) -> str:
        """A table of the formats, for documentation and ``--help`` texts."""
        rows = []
        for f in self.formats:
            ops = "/".join(op for op in ("read", "write") if f.can(op))
            rows.append(f"{f.name:<10} {_extension_list(f.extensions):<16} {ops:<10} {f.description}")
        return "\n".join(rows)


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
