"""What every VTK file reader and writer here shares.

VTK readers seldom raise: on a missing, truncated or foreign file they print an
error to the terminal and hand back an empty dataset. The helpers here turn
that into :class:`~vmtkscripts_numpy.errors.DataFileError` naming the file:

- :func:`check_readable` catches missing, empty and unopenable files before VTK sees them;
- :func:`run_reader` / :func:`run_writer` collect VTK's error messages (instead
  of printing them) and raise with the first meaningful one;
- :func:`xml_file_type`, :func:`legacy_dataset_type` and :func:`vtkhdf_type`
  read a file's own statement of what it holds, so a mesh given to the surface
  reader is reported as such rather than as an unreadable file;
- :func:`write_with` writes atomically (see :mod:`vmtkscripts_numpy._atomic`);
  :func:`warn_losses` says what a format could not keep.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional, Sequence, Tuple

from vtkmodules.vtkCommonCore import VTK_STRING, vtkCommand, vtkLogger, vtkOutputWindow

from .. import progress
from .._atomic import atomic_output_folder, through_pipe
from .._vtk_version import needs_vtk
from ..errors import DataFileError, LossWarning, MissingFileError, warn
from .._typing import PathLike


#: Bytes read from the start of a file to learn what it holds.
HEADER_BYTES = 4096

# "ERROR: In file.cxx, line 12\nvtkXMLDataParser (0x55d...): the message\n\n"
_VTK_PREFIX = re.compile(r"^\w+ \(0x[0-9a-fA-F]+\): |^\(nullptr\): ")
_PIPELINE_NOISE = ("returned failure for request", "Algorithm vtk")


def _clean_message(text: str) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if lines and re.match(r"^(ERROR|Warning|Generic Warning): In ", lines[0]):
        lines = lines[1:]
    message = " ".join(lines[:1])
    return _VTK_PREFIX.sub("", message).strip()


class VtkMessages:
    """Errors and warnings VTK reported while it was being watched (see :func:`capture_vtk_messages`)."""

    def __init__(self) -> None:
        self.errors: List[str] = []
        self.warnings: List[str] = []

    def add(self, event: str, text: str) -> None:
        message = _clean_message(text)
        if message:
            (self.errors if event == "ErrorEvent" else self.warnings).append(message)

    def summary(self) -> str:
        """The most telling message: the first one that is not the pipeline's generic failure note."""
        for message in self.errors + self.warnings:
            if not any(noise in message for noise in _PIPELINE_NOISE):
                return message
        return (self.errors + self.warnings + ["VTK reported a failure without a message"])[0]


@contextlib.contextmanager
def capture_vtk_messages(*objects: Any) -> Iterator[VtkMessages]:
    """Collect VTK's errors and warnings instead of printing them.

    Observers go on ``objects`` (a reader, its executive) and on VTK's output
    window, which receives the messages of helper objects (XML parsers, HDF5
    utilities) that cannot be observed directly. VTK's logger, which would
    print those to standard error as well, is silenced meanwhile.
    """
    messages = VtkMessages()

    def observe(caller: Any, event: str, calldata: Any = None) -> None:
        messages.add(event, calldata if isinstance(calldata, str) else "")

    observe.CallDataType = VTK_STRING  # type: ignore[attr-defined]
    window = vtkOutputWindow.GetInstance()
    tags: List[Tuple[Any, int]] = []
    for watched in (window,) + tuple(objects):
        for event in (vtkCommand.ErrorEvent, vtkCommand.WarningEvent):
            tags.append((watched, watched.AddObserver(event, observe)))
    cutoff = vtkLogger.GetCurrentVerbosityCutoff()
    vtkLogger.SetStderrVerbosity(vtkLogger.VERBOSITY_OFF)
    try:
        yield messages
    finally:
        vtkLogger.SetStderrVerbosity(vtkLogger.ConvertToVerbosity(cutoff))
        for watched, tag in tags:
            watched.RemoveObserver(tag)


# --- reading ------------------------------------------------------------------------


def check_readable(path: PathLike) -> Path:
    """``path`` as a Path, once it is known to be an existing, non-empty, openable file.

    Raises
    ------
    DataFileError
        For a missing file, a directory, an empty file or one that cannot be opened.
    """
    path = Path(path)
    if not path.exists():
        raise MissingFileError(path)
    if path.is_dir():
        raise DataFileError(path, "is a directory, not a file")
    try:
        with open(path, "rb") as stream:
            first = stream.read(1)
    except OSError as error:
        raise DataFileError(path, f"cannot be opened: {error.strerror or error}", error.errno) from None
    if not first:
        raise DataFileError(path, "is empty (0 bytes)")
    return path


def read_header(path: Path, size: int = HEADER_BYTES) -> bytes:
    """The first ``size`` bytes of ``path``."""
    with open(path, "rb") as stream:
        return stream.read(size)


def run_reader(reader: Any, path: Path, description: str) -> Any:
    """Run a VTK reader on ``path`` and return its output data object.

    Raises
    ------
    DataFileError
        If VTK reported an error, with VTK's message.
    """
    reader.SetFileName(str(path))
    progress.observe(reader)
    with capture_vtk_messages(reader, reader.GetExecutive()) as messages:
        reader.Update()
    if messages.errors:
        raise DataFileError(path, f"cannot be read as {description}: {messages.summary()}")
    output = reader.GetOutputDataObject(0)
    if output is None:
        raise DataFileError(path, f"cannot be read as {description}: the reader gave no data")
    return output


def require_vtk(path: PathLike, version: Tuple[int, int], what: str) -> None:
    """Raise :class:`DataFileError` naming ``path`` when the running VTK is older than ``version``.

    Called before VTK is, so that an older VTK refuses in one sentence instead
    of failing, printing errors or crashing.
    """
    message = needs_vtk(version, what)
    if message:
        raise DataFileError(path, message)


def require_type(data: Any, expected: type, path: Path, wanted: str, hint: str = "") -> Any:
    """Return ``data`` if it is an ``expected`` VTK object, else raise :class:`DataFileError`."""
    if not isinstance(data, expected):
        found = data.GetClassName() if hasattr(data, "GetClassName") else type(data).__name__
        raise DataFileError(path, f"holds a {found}, not {wanted}" + (f"; {hint}" if hint else ""))
    return data


def require_points(data: Any, path: Path, description: str) -> Any:
    """Raise if a reader gave no points for a non-empty file of a format that cannot hold an empty dataset."""
    if data.GetNumberOfPoints() == 0:
        raise DataFileError(
            path, f"no points could be read; the file is truncated, damaged or not {description}"
        )
    return data


#: What a reader of each kind reports and how to read other kinds instead.
KIND_HINTS = {
    "PolyData": "a surface: read it with read_surface / vmtksurfacereader",
    "POLYDATA": "a surface: read it with read_surface / vmtksurfacereader",
    "UnstructuredGrid": "a mesh: read it with read_mesh / vmtkmeshreader",
    "UNSTRUCTURED_GRID": "a mesh: read it with read_mesh / vmtkmeshreader",
    "ImageData": "an image: read it with read_image / vmtkimagereader",
    "STRUCTURED_POINTS": "an image: read it with read_image / vmtkimagereader",
}


def require_kind(path: Path, format_name: str, found: str, expected: str) -> None:
    """Raise if a ``format_name`` file holds a ``found`` dataset, not ``expected``; say how to read it."""
    if found != expected:
        hint = KIND_HINTS.get(found, "")
        raise DataFileError(
            path, f"is a {format_name} {found} file, not {expected}" + (f"; it holds {hint}" if hint else "")
        )


# --- writing ------------------------------------------------------------------------


def run_writer(writer: Any, target: Path, path: Path, description: str) -> None:
    """Run a VTK writer into ``target`` (the temporary name of ``path``); raise if VTK reports an error.

    VTK's writers do not survive a full disk: its XML writers crash, its ASCII
    STL writer aborts (from VTK 9.2), its PLY, NIfTI and VTKHDF writers report
    success over a short file. So XML files are made in memory and written by
    Python; ASCII STL, PLY and NIfTI files go through a pipe to a helper
    process that reports the disk's errors (:func:`~vmtkscripts_numpy._atomic.through_pipe`);
    a VTKHDF file must have the length its HDF5 superblock records.
    """
    if writer.IsA("vtkXMLWriter"):
        writer.WriteToOutputStringOn()
        _run_write(writer, path, description)
        _write_text(target, writer.GetOutputString())
        return
    from vtkmodules.vtkIOCore import VTK_ASCII

    sequential = writer.IsA("vtkPLYWriter") or writer.IsA("vtkNIFTIImageWriter") or (
        writer.IsA("vtkSTLWriter") and writer.GetFileType() == VTK_ASCII)
    with through_pipe(str(target)) if sequential else contextlib.nullcontext(str(target)) as name:
        writer.SetFileName(name)
        _run_write(writer, path, description)
    if writer.IsA("vtkHDFWriter"):
        check_hdf5_length(target, path, description)


def _run_write(writer: Any, path: Path, description: str) -> None:
    progress.observe(writer)
    with capture_vtk_messages(writer, writer.GetExecutive()) as messages:
        # vtkWriter.Write returns 0 on failure; image writers return nothing and only report.
        succeeded = writer.Write() != 0
    if messages.errors or not succeeded or writer.GetErrorCode():
        raise DataFileError(path, f"could not be written as {description}: {messages.summary()}")


def _write_text(file: Path, text: str) -> None:
    # In pieces: one encoded copy of a large file at a time is enough.
    piece = 1 << 24
    with open(file, "wb") as stream:
        for start in range(0, len(text), piece):
            stream.write(text[start:start + piece].encode("utf-8"))


def check_hdf5_length(file: Path, path: Path, description: str) -> None:
    """Raise if the HDF5 ``file`` is not as long as its superblock records: a write that failed unseen.

    The HDF5 library records the file's end in its superblock and cuts the
    file to it when closing; a short write (a full disk) leaves the file
    shorter, or the superblock's first, smaller record in place.
    """
    size = file.stat().st_size
    with open(file, "rb") as stream:
        head = stream.read(64)
    if head[:8] != b"\x89HDF\r\n\x1a\n" or len(head) < 64:
        recorded = None
    elif head[8] in (0, 1):
        offsets, start = head[13], 24 if head[8] == 0 else 28
        recorded = int.from_bytes(head[start:start + offsets], "little") + int.from_bytes(
            head[start + 2 * offsets:start + 3 * offsets], "little")
    elif head[8] in (2, 3):
        offsets, start = head[9], 12
        recorded = int.from_bytes(head[start:start + offsets], "little") + int.from_bytes(
            head[start + 2 * offsets:start + 3 * offsets], "little")
    else:
        return  # a superblock version this check does not know
    if recorded != size:
        found = "no HDF5 superblock" if recorded is None else f"{size} bytes where its HDF5 superblock records {recorded}"
        raise DataFileError(path, f"could not be written as {description}: the file VTK wrote is incomplete "
                                  f"({found}); is the disk full?")


def write_with(
    data: Any,
    path: Path,
    writer_class: Callable[[], Any],
    description: str,
    configure: Optional[Callable[[Any], Any]] = None,
    finish: Optional[Callable[[Path], Any]] = None,
) -> None:
    """Write ``data`` to ``path`` atomically with a ``writer_class()``, set up by ``configure(writer)`` if given.

    ``finish(file)``, if given, completes the file VTK wrote before it takes the name ``path``.
    """

    writer = writer_class()
    writer.SetInputData(data)
    if configure is not None:
        configure(writer)
    with atomic_output_folder(path) as target:
        run_writer(writer, Path(target), path, description)
        if finish is not None:
            hdf5 = writer.IsA("vtkHDFWriter")
            writer = None  # VTK's HDF5 writer lets go of its file only when it is deleted
            finish(Path(target))
            if hdf5:
                check_hdf5_length(Path(target), path, description)


def file_type(mode: str) -> Callable[[Any], Any]:
    """Set up a writer with ``SetFileTypeToASCII/Binary`` (legacy VTK, STL, PLY) for ``mode``."""
    return lambda writer: writer.SetFileTypeToASCII() if mode == "ascii" else writer.SetFileTypeToBinary()


def warn_losses(path: PathLike, description: str, losses: Sequence[str]) -> None:
    """One :class:`LossWarning` listing what writing ``path`` as ``description`` does not keep.

    It names the user's line that called into the package (see :func:`~vmtkscripts_numpy.errors.warn`).
    """
    if losses:
        warn(
            f"{path}: {description} does not keep everything: " + "; ".join(losses),
            LossWarning,
        )


def quoted(names: Sequence[str], limit: int = 6) -> str:
    """``'a', 'b', 'c'`` with at most ``limit`` names and a count of the rest."""
    shown = ", ".join(repr(name) for name in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def attribute_array_names(attributes: Any) -> List[str]:
    """The names of the arrays of a vtkDataSetAttributes / vtkFieldData (unnamed ones as ``'(unnamed)'``)."""
    return [attributes.GetArrayName(i) or "(unnamed)" for i in range(attributes.GetNumberOfArrays())]


def dropped_arrays(data: Any, keep_point_arrays: Sequence[str] = ()) -> List[str]:
    """Losses for a format that keeps no arrays but the point arrays ``keep_point_arrays``."""
    losses = []
    point = [name for name in attribute_array_names(data.GetPointData()) if name not in keep_point_arrays]
    if point:
        losses.append(f"point arrays {quoted(point)} are dropped")
    if hasattr(data, "GetCellData"):
        cell = attribute_array_names(data.GetCellData())
        if cell:
            losses.append(f"cell arrays {quoted(cell)} are dropped")
    field = attribute_array_names(data.GetFieldData())
    if field:
        losses.append(f"field arrays {quoted(field)} are dropped")
    return losses


def all_array_names(data: Any) -> List[str]:
    """The names of every point, cell and field data array of ``data``."""
    names = attribute_array_names(data.GetPointData()) + attribute_array_names(data.GetFieldData())
    if hasattr(data, "GetCellData"):
        names += attribute_array_names(data.GetCellData())
    return names


