"""VTK XML files: ``.vtp`` surfaces, ``.vtu`` meshes and ``.vti`` images, read and written by VTK.

Every size VTK would allocate is checked against the file first
(:mod:`vmtkscripts_numpy.vtkfiles._xml_header`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, List, Optional, Tuple

from vtkmodules.vtkCommonDataModel import vtkImageData, vtkPolyData, vtkUnstructuredGrid

from ..._vtk_version import needs_vtk, vtk_at_least
from ...errors import DataFileError
from .. import _common


def read_surface(path: Path) -> vtkPolyData:
    """Read a surface from a VTK XML PolyData file (``path`` exists and is readable)."""
    from vtkmodules.vtkIOXML import vtkXMLPolyDataReader

    return _read(path, vtkXMLPolyDataReader, "PolyData")


def write_surface(surface: vtkPolyData, path: Path, mode: str) -> None:
    """Write ``surface`` to a VTK XML PolyData file at ``path`` (``mode``: ``"binary"`` or ``"ascii"``)."""
    from vtkmodules.vtkIOXML import vtkXMLPolyDataWriter

    from ...convert.polydata import CELLS_VTK91_REFUSES, cells_vtk91_cannot_hold

    too_small = cells_vtk91_cannot_hold(surface)
    if too_small:
        # VTK 9.1's XML writer crashes on them (its legacy, STL and PLY writers do not).
        raise DataFileError(
            path, f"cannot be written as VTK XML PolyData: {too_small}; {needs_vtk((9, 2), CELLS_VTK91_REFUSES)}"
        )
    _write(surface, path, mode, vtkXMLPolyDataWriter, "VTK XML PolyData")


def read_mesh(path: Path) -> vtkUnstructuredGrid:
    """Read a mesh from a VTK XML UnstructuredGrid file (``path`` exists and is readable)."""
    from vtkmodules.vtkIOXML import vtkXMLUnstructuredGridReader

    if not vtk_at_least(9, 4) and _has_polyhedron_faces_of_vtk94(path):
        # Older readers know only the 'faces' arrays: they would read the polyhedra without a face.
        check_xml_type(path, "UnstructuredGrid", "a VTK XML UnstructuredGrid file")
        _common.require_vtk(path, (9, 4), "reading polyhedron cells written by VTK >= 9.4 (their faces are "
                                          "'face_connectivity' and 'polyhedron_offsets' arrays)")
    return _read(path, vtkXMLUnstructuredGridReader, "UnstructuredGrid")


def _has_polyhedron_faces_of_vtk94(path: Path) -> bool:
    """Whether a .vtu file holds polyhedron faces as VTK 9.4 and newer write them.

    The arrays are named in the XML before any appended data; inline data is
    searched through, without reading the file into memory.
    """
    import mmap

    with open(path, "rb") as stream:
        try:
            data = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file: check_readable has refused it already
            return False
        with data:
            end = data.find(b"<AppendedData")
            return data.find(b'Name="polyhedron_offsets"', 0, end if end >= 0 else len(data)) >= 0


def write_mesh(mesh: vtkUnstructuredGrid, path: Path, mode: str) -> None:
    """Write ``mesh`` to a VTK XML UnstructuredGrid file at ``path`` (``mode``: ``"binary"`` or ``"ascii"``)."""
    from vtkmodules.vtkIOXML import vtkXMLUnstructuredGridWriter

    _write(mesh, path, mode, vtkXMLUnstructuredGridWriter, "VTK XML UnstructuredGrid")


def read_image(path: Path) -> vtkImageData:
    """Read an image from a VTK XML ImageData file (``path`` exists and is readable)."""
    from vtkmodules.vtkIOXML import vtkXMLImageDataReader

    return _read(path, vtkXMLImageDataReader, "ImageData")


def write_image(image: vtkImageData, path: Path, mode: str) -> None:
    """Write ``image`` to a VTK XML ImageData file at ``path`` (``mode``: ``"binary"`` or ``"ascii"``)."""
    from vtkmodules.vtkIOXML import vtkXMLImageDataWriter

    _write(image, path, mode, vtkXMLImageDataWriter, "VTK XML ImageData")


# --- shared by the kinds -----------------------------------------------------------------


def xml_file_type(path: Path) -> Optional[str]:
    """The ``type`` of a VTK XML file's ``<VTKFile>`` element (``"PolyData"``...), or None if not VTK XML."""
    match = re.search(rb"<VTKFile[^>]*?\btype\s*=\s*[\"'](\w+)[\"']", _common.read_header(path))
    return match.group(1).decode("ascii") if match else None


def check_xml_type(path: Path, expected: str, description: str) -> None:
    """Raise unless ``path`` is a VTK XML file of ``type`` ``expected``."""
    found = xml_file_type(path)
    if found is None:
        raise DataFileError(path, f"is not {description}: no <VTKFile type=...> element at its start")
    _common.require_kind(path, "VTK XML", found, expected)


#: The data kind and format name of each VTK XML type, to read one in a child process.
_XML_KINDS = {"PolyData": ("surface", "vtkxml"), "UnstructuredGrid": ("mesh", "vtkxml"),
              "ImageData": ("image", "vtkxml")}


def _read(path: Path, reader_class: Callable[[], Any], xml_type: str) -> Any:
    """Read a VTK XML file whose ``<VTKFile type=...>`` must be ``xml_type`` with ``reader_class()``.

    Every size VTK would allocate is checked against the file first (see
    :mod:`._xml_header`); a file with polyhedron faces, which VTK walks
    unchecked, is read in a child process (:mod:`._isolated`).
    """
    from .. import _isolated, _xml_header

    check_xml_type(path, xml_type, f"a VTK XML {xml_type} file")
    if _xml_header.check_vtkxml(path, xml_type) and not _isolated.in_child():
        kind, format_name = _XML_KINDS[xml_type]
        return _isolated.read_in_child(path, kind, format_name, "its polyhedron faces cannot be checked before")
    return _common.run_reader(reader_class(), path, f"VTK XML {xml_type}")


def _write(data: Any, path: Path, mode: str, writer_class: Callable[[], Any], description: str) -> None:
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
            f"and {_common.quoted(unwritable)} would make the file unreadable (XML needs <, >, & and \" escaped); "
            "rename the arrays, or write legacy .vtk, VTKHDF or a numpy file, which keep these names",
        )
    _common.warn_losses(path, description, changed)
    _common.write_with(data, path, writer_class, description, lambda writer: _xml_mode(writer, mode))


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
    names = _common.all_array_names(data)
    unwritable = [name for name in names if XML_UNWRITABLE_CHARACTERS.intersection(name)]
    normalized = [name for name in names if XML_NORMALIZED_CHARACTERS.intersection(name) and name not in unwritable]
    changed = [f"arrays {_common.quoted(normalized)} come back with spaces for their tabs and line breaks"]
    return unwritable, changed if normalized else []
