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
import os
import re
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from vtkmodules.vtkCommonCore import VTK_STRING, vtkCommand, vtkLogger, vtkOutputWindow

from .._atomic import atomic_output_folder, through_pipe
from .._vtk_version import needs_vtk, vtk_at_least
from ..errors import DataFileError, LossWarning, MissingFileError
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
    with capture_vtk_messages(reader, reader.GetExecutive()) as messages:
        reader.Update()
    if messages.errors:
        raise DataFileError(path, f"cannot be read as {description}: {messages.summary()}")
    output = reader.GetOutputDataObject(0)
    if output is None:
        raise DataFileError(path, f"cannot be read as {description}: the reader gave no data")
    return output


_HDF5_DIAGNOSTIC = re.compile(r"^HDF5-DIAG: ")


@contextlib.contextmanager
def hdf5_diagnostics_kept_off_stderr() -> Iterator[None]:
    """Keep what VTK's own HDF5 library prints on standard error (its error stack) from the terminal.

    That library prints, it does not report to VTK's observers; h5py's
    checks come first, but a damaged file's metadata is not read alike by
    the two HDF5 libraries. Standard error is a temporary file meanwhile;
    anything else written there in that time (by other threads) is written
    to the real standard error afterwards.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no standard error to guard
        yield
        return
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            try:
                sys.stderr.flush()
            except (OSError, ValueError, AttributeError):
                pass
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            kept, in_diagnostic = [], False
            for line in capture.read().decode("utf-8", "replace").splitlines(keepends=True):
                # A diagnostic is its "HDF5-DIAG: ..." line and the indented lines of its stack.
                in_diagnostic = bool(_HDF5_DIAGNOSTIC.match(line)) or (in_diagnostic and line[:1].isspace())
                if not in_diagnostic:
                    kept.append(line)
            if kept:
                os.write(2, "".join(kept).encode("utf-8"))


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


def _require_kind(path: Path, format_name: str, found: str, expected: str) -> None:
    """Raise if a ``format_name`` file holds a ``found`` dataset, not ``expected``; say how to read it."""
    if found != expected:
        hint = KIND_HINTS.get(found, "")
        raise DataFileError(
            path, f"is a {format_name} {found} file, not {expected}" + (f"; it holds {hint}" if hint else "")
        )


def xml_file_type(path: Path) -> Optional[str]:
    """The ``type`` of a VTK XML file's ``<VTKFile>`` element (``"PolyData"``...), or None if not VTK XML."""
    match = re.search(rb"<VTKFile[^>]*?\btype\s*=\s*[\"'](\w+)[\"']", read_header(path))
    return match.group(1).decode("ascii") if match else None


def check_xml_type(path: Path, expected: str, description: str) -> None:
    """Raise unless ``path`` is a VTK XML file of ``type`` ``expected``."""
    found = xml_file_type(path)
    if found is None:
        raise DataFileError(path, f"is not {description}: no <VTKFile type=...> element at its start")
    _require_kind(path, "VTK XML", found, expected)


def legacy_dataset_type(path: Path) -> Optional[str]:
    """The ``DATASET`` of a legacy VTK file (``"POLYDATA"``...), or None if not a legacy VTK file."""
    header = read_header(path, 2048)
    if not header.startswith(b"# vtk DataFile"):
        return None
    match = re.search(rb"^\s*DATASET\s+(\w+)", header, flags=re.MULTILINE | re.IGNORECASE)
    return match.group(1).decode("ascii").upper() if match else "(no DATASET)"


def check_legacy_type(path: Path, expected: str, description: str) -> bool:
    """Raise unless ``path`` is a complete legacy VTK file whose ``DATASET`` is ``expected``.

    Returns whether the file must be read in a child process (see :func:`._legacy.check_complete`).
    """
    found = legacy_dataset_type(path)
    if found is None:
        raise DataFileError(path, f"is not {description}: it does not start with '# vtk DataFile'")
    _require_kind(path, "legacy VTK", found, expected)
    # VTK's legacy readers accept truncated files silently, and crash on lying counts.
    from ._legacy import check_complete

    return check_complete(path)


#: What h5py raises on a damaged HDF5 file (its own errors come as OSError, RuntimeError, KeyError...).
_HDF5_ERRORS = (OSError, RuntimeError, KeyError, ValueError, TypeError)


def vtkhdf_type(path: Path) -> str:
    """The ``Type`` attribute of a VTKHDF file's ``/VTKHDF`` group (``"PolyData"``...).

    The file is opened with h5py first, so that damaged files give one clear
    error instead of HDF5's own diagnostics on the terminal.

    Raises
    ------
    DataFileError
        If the file is not HDF5, is truncated or has no ``/VTKHDF`` group.
    """
    import h5py

    try:
        with h5py.File(path, "r") as handle:
            group = handle.get("VTKHDF")
            if not isinstance(group, h5py.Group):
                raise DataFileError(path, "is an HDF5 file but not a VTKHDF one (no /VTKHDF group); an ArrayDict "
                                          "HDF5 file is read with read_array_dict (vmtknumpyreader)")
            kind = group.attrs.get("Type")
    except DataFileError:
        raise
    except _HDF5_ERRORS as error:
        raise DataFileError(path, f"is not a readable HDF5 file (truncated or damaged?): {error}") from None
    if isinstance(kind, bytes):
        kind = kind.decode("ascii", "replace")
    if not kind:
        raise DataFileError(path, "is a VTKHDF file without a Type attribute")
    return str(kind)


def check_vtkhdf_type(path: Path, expected: str) -> None:
    """Raise unless ``path`` is a VTKHDF file of ``Type`` ``expected``."""
    _require_kind(path, "VTKHDF", vtkhdf_type(path), expected)


#: The data kind and format name of each VTK XML type, to read one in a child process.
_XML_KINDS = {"PolyData": ("surface", "vtkxml"), "UnstructuredGrid": ("mesh", "vtkxml"),
              "ImageData": ("image", "vtkxml")}


def read_vtkxml(path: Path, reader_class: Callable[[], Any], xml_type: str) -> Any:
    """Read a VTK XML file whose ``<VTKFile type=...>`` must be ``xml_type`` with ``reader_class()``.

    Every size VTK would allocate is checked against the file first (see
    :mod:`._xml_header`); a file with polyhedron faces, which VTK walks
    unchecked, is read in a child process (:mod:`._isolated`).
    """
    from . import _isolated, _xml_header

    check_xml_type(path, xml_type, f"a VTK XML {xml_type} file")
    if _xml_header.check_vtkxml(path, xml_type) and not _isolated.in_child():
        kind, format_name = _XML_KINDS[xml_type]
        return _isolated.read_in_child(path, kind, format_name, "its polyhedron faces cannot be checked before")
    return run_reader(reader_class(), path, f"VTK XML {xml_type}")


#: The data kind of each legacy DATASET, to read one in a child process.
_LEGACY_KINDS = {"POLYDATA": "surface", "UNSTRUCTURED_GRID": "mesh", "STRUCTURED_POINTS": "image"}


def read_legacy(path: Path, reader_class: Callable[[], Any], dataset: str) -> Any:
    """Read a legacy VTK file whose ``DATASET`` must be ``dataset`` with ``reader_class()``.

    A file with what the checks cannot size (string arrays, cells VTK walks
    unchecked) is read in a child process (:mod:`._isolated`).
    """
    from . import _isolated

    if check_legacy_type(path, dataset, "a legacy VTK file") and not _isolated.in_child():
        return _isolated.read_in_child(path, _LEGACY_KINDS[dataset], "vtk",
                                       "it has sections VTK reads without bounds that cannot be checked before")
    return run_reader(reader_class(), path, f"legacy VTK {dataset}")


#: The VTK that first reads each ``Type`` of VTKHDF file (VTK 9.1's reader knows meshes and images).
VTKHDF_READ_SINCE = {"PolyData": (9, 3)}


def read_vtkhdf(path: Path, hdf_type: str) -> Any:
    """Read a VTKHDF file whose ``Type`` must be ``hdf_type``.

    Its int8 arrays come back as ``vtkSignedCharArray`` on every VTK (before
    9.5 VTK's reader makes them ``vtkCharArray``; the file cannot tell the two
    apart). A file with time steps gives its first step.

    Raises
    ------
    DataFileError
        Also when the running VTK cannot read files of this ``Type``, or
        cannot read time steps (before 9.3).
    """
    from vtkmodules.vtkIOHDF import vtkHDFReader

    check_vtkhdf_type(path, hdf_type)
    if hdf_type in VTKHDF_READ_SINCE:
        require_vtk(path, VTKHDF_READ_SINCE[hdf_type], f"reading VTKHDF {hdf_type} files")
    if not vtk_at_least(9, 3) and _vtkhdf_has_time_steps(path):
        # VTK 9.1 and 9.2 know no time steps: they read every step's cells and points as one dataset.
        require_vtk(path, (9, 3), "reading VTKHDF files with time steps")
    from . import _isolated, _vtkhdf_header

    # Counts, shapes, storage and offsets first: VTK allocates and builds cells by them unchecked. What VTK
    # puts together itself (parts, time steps, polyhedra) is read apart.
    if _vtkhdf_header.check_vtkhdf(path, hdf_type) and not _isolated.in_child():
        return _isolated.read_in_child(path, _VTKHDF_KINDS[hdf_type], "vtkhdf",
                                       "VTK puts its parts, time steps or polyhedra together unchecked")
    with hdf5_diagnostics_kept_off_stderr():
        data = run_reader(vtkHDFReader(), path, f"VTKHDF {hdf_type}")
    if hdf_type in VTKHDF_MERGED_TYPES and data.IsA("vtkPartitionedDataSet"):
        data = _merged_parts(data, hdf_type, path)
    if not vtk_at_least(9, 5):
        signed_char_arrays(data)
    if not vtk_at_least(9, 7) and hdf_type in VTKHDF_MERGED_TYPES:
        restore_vtkhdf_attributes(data, path)
    return data


#: The data kind of each VTKHDF Type, to read one in a child process.
_VTKHDF_KINDS = {"PolyData": "surface", "UnstructuredGrid": "mesh", "ImageData": "image"}

#: VTKHDF types whose parts VTK before 9.5 gives as one dataset, appended one after the other.
VTKHDF_MERGED_TYPES = ("PolyData", "UnstructuredGrid")


def _merged_parts(parts: Any, hdf_type: str, path: Path) -> Any:
    """The parts of a file in several pieces, appended into one dataset as VTK before 9.5 gives them.

    From 9.5 VTK's reader gives a ``vtkPartitionedDataSet`` (its MergeParts,
    deprecated in 9.5, is gone in 9.7): appending its parts, points not merged,
    gives the same dataset on every VTK.
    """
    from vtkmodules.vtkCommonCore import VTK_POLY_DATA, VTK_UNSTRUCTURED_GRID
    from vtkmodules.vtkCommonDataModel import vtkPolyData, vtkUnstructuredGrid
    from vtkmodules.vtkFiltersCore import vtkAppendDataSets

    from ._dataset_checks import check_mesh, check_surface

    append = vtkAppendDataSets()
    append.SetOutputDataSetType(VTK_POLY_DATA if hdf_type == "PolyData" else VTK_UNSTRUCTURED_GRID)
    for index in range(parts.GetNumberOfPartitions()):
        part = parts.GetPartition(index)
        if part is not None:
            # Appending follows every cell to its points: each part is checked first.
            (check_surface if hdf_type == "PolyData" else check_mesh)(part, path)
            append.AddInputData(part)
    if append.GetNumberOfInputConnections(0) == 0:
        return vtkPolyData() if hdf_type == "PolyData" else vtkUnstructuredGrid()
    with capture_vtk_messages(append) as messages:
        append.Update()
    if messages.errors:
        raise DataFileError(path, f"its parts cannot be put together: {messages.summary()}")
    return append.GetOutputDataObject(0)


def _vtkhdf_has_time_steps(path: Path) -> bool:
    """Whether a VTKHDF file holds time steps (a ``/VTKHDF/Steps`` group)."""
    import h5py

    try:
        with h5py.File(path, "r") as handle:
            return isinstance(handle["VTKHDF"].get("Steps"), h5py.Group)
    except _HDF5_ERRORS as error:
        raise DataFileError(path, f"is not a readable HDF5 file (truncated or damaged?): {error}") from None


def signed_char_arrays(data: Any) -> None:
    """Replace the ``vtkCharArray`` arrays of ``data`` by ``vtkSignedCharArray`` ones sharing their memory."""
    from vtkmodules.vtkCommonCore import VTK_CHAR

    from ..convert.arrays import numpy_to_vtk, vtk_to_numpy

    sections = [data.GetPointData(), data.GetFieldData()]
    if hasattr(data, "GetCellData"):
        sections.append(data.GetCellData())
    for attributes in sections:
        for index in range(attributes.GetNumberOfArrays()):
            array = attributes.GetArray(index)
            if array is not None and array.GetDataType() == VTK_CHAR:
                # AddArray replaces the array of the same name in its place, active roles included.
                attributes.AddArray(numpy_to_vtk(vtk_to_numpy(array, copy=False), array.GetName()))


def vtkhdf_polyhedra(path: Path) -> Tuple[bool, bool]:
    """``(has polyhedron cells, has their faces)`` of a VTKHDF UnstructuredGrid file.

    VTK 9.4 to 9.6 write polyhedron cells without their faces, and every
    VTK reader crashes or hangs on such a file; VTK 9.7 writes the faces
    (``FaceConnectivity``, ``PolyhedronOffsets``...).
    """
    import h5py
    from vtkmodules.vtkCommonDataModel import VTK_POLYHEDRON

    block = 1 << 20
    try:
        with h5py.File(path, "r") as handle:
            group = handle["VTKHDF"]
            types = group.get("Types")
            if not isinstance(types, h5py.Dataset) or types.ndim != 1:
                return False, False
            found = any(
                (types[start : start + block] == VTK_POLYHEDRON).any() for start in range(0, types.size, block)
            )
            faces = all(
                name in group for name in ("FaceConnectivity", "FaceOffsets", "PolyhedronToFaces", "PolyhedronOffsets")
            )
    except _HDF5_ERRORS as error:
        raise DataFileError(path, f"is not a readable HDF5 file (truncated or damaged?): {error}") from None
    return found, faces


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


def write_vtkxml(data: Any, path: Path, mode: str, writer_class: Callable[[], Any], description: str) -> None:
    """Write a VTK XML file, ASCII or binary after ``mode``.

    Raises
    ------
    DataFileError
        For array names VTK would write unescaped into the XML (``<``, ``>``,
        ``&``, ``"``): the file could not be read back.
    """
    unwritable, changed = xml_name_problems(data)
    if unwritable:
        raise DataFileError(
            path,
            f"cannot be written as {description}: VTK writes array names into XML attributes unescaped, "
            f"and {quoted(unwritable)} would make the file unreadable (XML needs <, >, & and \" escaped); "
            "rename the arrays, or write legacy .vtk, VTKHDF or a numpy file, which keep these names",
        )
    # Called from a format's writer, under write_surface/write_mesh/write_image: one frame more than there.
    warn_losses(path, description, changed, stacklevel=5)
    write_with(data, path, writer_class, description, lambda writer: _xml_mode(writer, mode))


def _xml_mode(writer: Any, mode: str) -> None:
    """ASCII, or binary with zlib at the writer's own level (5).

    The zlib compressor a VTK XML writer starts with ignores the writer's
    ``CompressionLevel`` and packs at zlib's default (6), which took 2 to 2.5
    times as long on meshes of a million cells, for files 0.6% smaller; set
    again, it takes the level. The files are the same format either way.
    """
    if mode == "ascii":
        writer.SetDataModeToAscii()
        return
    writer.SetDataModeToBinary()
    writer.SetCompressorTypeToZLib()


def write_legacy(
    data: Any, path: Path, mode: str, writer_class: Callable[[], Any], description: str, warn_ascii: bool = True
) -> None:
    """Write a legacy VTK file; in ASCII, first warn of rounded floats unless the caller warns itself."""
    if mode == "ascii" and warn_ascii:
        # Called from a format's writer, under write_surface/write_mesh: one frame more than there.
        warn_losses(path, "legacy VTK (ASCII)", legacy_ascii_losses(data), stacklevel=5)
    write_with(data, path, writer_class, description, file_type(mode))


def write_vtkhdf(data: Any, path: Path, description: str) -> None:
    """Write a VTKHDF file, warning of the array names its writer changes.

    Raises
    ------
    DataFileError
        Before VTK 9.4, which has no VTKHDF writer.
    """
    require_vtk(path, (9, 4), f"writing {description} files")
    from vtkmodules.vtkCommonDataModel import vtkPolyData, vtkUnstructuredGrid
    from vtkmodules.vtkIOHDF import vtkHDFWriter

    # Called from a format's writer, under write_surface/write_mesh/write_image: one frame more than there.
    warn_losses(path, "VTKHDF", hdf5_renamed_arrays(data), stacklevel=5)
    finish = None
    if not vtk_at_least(9, 7) and isinstance(data, (vtkPolyData, vtkUnstructuredGrid)):
        finish = lambda file: mark_vtkhdf_attributes(data, file)  # noqa: E731
    write_with(data, path, vtkHDFWriter, description, finish=finish)


def _active_roles(attributes: Any) -> List[Tuple[str, str]]:
    """``(role, array name)`` of the active attributes of a vtkDataSetAttributes (``("Normals", "Normals")``...)."""
    from vtkmodules.vtkCommonDataModel import vtkDataSetAttributes

    roles = []
    for index in range(vtkDataSetAttributes.NUM_ATTRIBUTES):
        array = attributes.GetAbstractAttribute(index)
        if array is not None and array.GetName():
            roles.append((vtkDataSetAttributes.GetAttributeTypeAsString(index), array.GetName()))
    return roles


def mark_vtkhdf_attributes(data: Any, file: Path) -> None:
    """Mark the datasets of the active arrays of ``data`` in the VTKHDF ``file`` with their role.

    VTK 9.7 writes each active array's role as the dataset's ``Attribute``
    (``"Normals"``...) and reads it back; 9.4 to 9.6 write none, and the roles
    were lost. The marks are added here as 9.7 writes them.
    """
    import h5py
    import numpy as np

    with h5py.File(file, "r+") as handle:
        for section, attributes in (("PointData", data.GetPointData()), ("CellData", data.GetCellData())):
            group = handle["VTKHDF"].get(section)
            for role, name in _active_roles(attributes):
                dataset = group.get(name.replace("/", "_").replace(".", "_")) if group is not None else None
                if dataset is not None:
                    dataset.attrs["Attribute"] = np.bytes_(role)


def restore_vtkhdf_attributes(data: Any, path: Path) -> None:
    """Make the arrays a VTKHDF file marks with an ``Attribute`` active in that role, as VTK 9.7 reads them."""
    from vtkmodules.vtkCommonDataModel import vtkDataSetAttributes

    roles = {vtkDataSetAttributes.GetAttributeTypeAsString(index): index
             for index in range(vtkDataSetAttributes.NUM_ATTRIBUTES)}
    try:
        _restore_roles(data, path, roles)
    except _HDF5_ERRORS as error:
        raise DataFileError(path, f"is not a readable HDF5 file (truncated or damaged?): {error}") from None


def _restore_roles(data: Any, path: Path, roles: Dict[str, int]) -> None:
    import h5py

    with h5py.File(path, "r") as handle:
        for section, attributes in (("PointData", data.GetPointData()), ("CellData", data.GetCellData())):
            group = handle["VTKHDF"].get(section)
            for name, dataset in (group.items() if isinstance(group, h5py.Group) else ()):
                role = dataset.attrs.get("Attribute")
                role = role.decode("ascii", "replace") if isinstance(role, bytes) else role
                if role in roles and attributes.GetAbstractArray(name) is not None:
                    attributes.SetActiveAttribute(name, roles[role])


def warn_losses(path: PathLike, description: str, losses: Sequence[str], stacklevel: int = 4) -> None:
    """Emit one :class:`LossWarning` listing what writing ``path`` as ``description`` does not keep."""
    if losses:
        warnings.warn(
            f"{path}: {description} does not keep everything: " + "; ".join(losses),
            LossWarning,
            stacklevel=stacklevel,
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


def hdf5_renamed_arrays(data: Any) -> List[str]:
    """Losses for VTKHDF, whose writer replaces '/' and '.' in array names by '_'."""
    renamed = [name for name in all_array_names(data) if "/" in name or "." in name]
    if renamed:
        return [f"arrays {quoted(renamed)} are renamed: HDF5 names cannot hold '/' or '.', VTK writes '_'"]
    return []


#: Characters VTK's XML writers put into array names unescaped: the file cannot be read back.
XML_UNWRITABLE_CHARACTERS = frozenset('<>&"')
#: Characters XML readers turn into spaces in array names.
XML_NORMALIZED_CHARACTERS = frozenset("\t\n\r")


def xml_name_problems(data: Any) -> Tuple[List[str], List[str]]:
    """``(unwritable, changed)`` for a VTK XML file of ``data``: names that break the XML, and losses.

    VTK's XML writers put array names into attributes as they are. ``<``,
    ``>``, ``&`` and ``"`` make the file unreadable; tabs and line breaks come
    back as spaces, since XML readers normalize them in attribute values.
    """
    names = all_array_names(data)
    unwritable = [name for name in names if XML_UNWRITABLE_CHARACTERS.intersection(name)]
    normalized = [name for name in names if XML_NORMALIZED_CHARACTERS.intersection(name) and name not in unwritable]
    changed = [f"arrays {quoted(normalized)} come back with spaces for their tabs and line breaks"] if normalized else []
    return unwritable, changed


def all_array_names(data: Any) -> List[str]:
    """The names of every point, cell and field data array of ``data``."""
    names = attribute_array_names(data.GetPointData()) + attribute_array_names(data.GetFieldData())
    if hasattr(data, "GetCellData"):
        names += attribute_array_names(data.GetCellData())
    return names


def legacy_ascii_losses(data: Any) -> List[str]:
    """Losses of an ASCII legacy VTK file, which prints float32 values with 6 significant digits, float64 with 11."""
    from vtkmodules.vtkCommonCore import VTK_DOUBLE, VTK_FLOAT
    from vtkmodules.vtkCommonDataModel import vtkPointSet

    def is_float(array: Any) -> bool:
        return array is not None and array.GetDataType() in (VTK_FLOAT, VTK_DOUBLE)

    # Image points are implicit (origin and spacing are written apart), even if VTK can list them.
    points = data.GetPoints() if isinstance(data, vtkPointSet) else None
    groups = [data.GetPointData(), data.GetFieldData()] + ([data.GetCellData()] if hasattr(data, "GetCellData") else [])
    names = [attributes.GetArrayName(i) or "(unnamed)" for attributes in groups
             for i in range(attributes.GetNumberOfArrays()) if is_float(attributes.GetAbstractArray(i))]
    changed = (["the points"] if points is not None and is_float(points.GetData()) else []) + (
        [f"arrays {quoted(names)}"] if names else [])
    if not changed:
        return []
    return [
        "ASCII legacy VTK files round float values (float32 to 6, float64 to 11 significant digits): "
        f"{' and '.join(changed)} change; write mode='binary' or .vtp/.vtu/.vti to keep them exactly"
    ]
