"""Mesh files (``vtkUnstructuredGrid``): read and write with VTK's own readers and writers.

=========  ================  ==========  ==============================================
format     extensions        read/write  what the file keeps
=========  ================  ==========  ==============================================
vtkxml     .vtu              read/write  everything (all cell types, polyhedra, arrays)
vtk        .vtk              read/write  everything; ASCII rounds floats (6 / 11 digits)
vtkhdf     .vtkhdf, .hdf     read/write  everything; '/' and '.' in array names become '_'
=========  ================  ==========  ==============================================

What depends on the VTK: VTKHDF is written from VTK 9.4, with polyhedra from
9.7 (9.4 to 9.6 drop their faces), and read with polyhedra from 9.6; a .vtu
whose polyhedra VTK 9.4 or newer wrote is read from 9.4 (older readers drop the
faces). Where the running VTK cannot, the package refuses with a
:class:`~vmtkscripts_numpy.errors.DataFileError` naming the VTK needed.

Examples
--------
>>> from vmtkscripts_numpy.vtkfiles import read_mesh, write_mesh
>>> mesh = read_mesh("aorta.vtu")  # doctest: +SKIP
>>> write_mesh(mesh, "aorta.vtkhdf")  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from vtkmodules.vtkCommonDataModel import vtkUnstructuredGrid

from .._vtk_version import vtk_at_least
from ..errors import DataFileError
from . import _common, _dataset_checks
from .formats import FormatTable, check_mode
from .._typing import PathLike


_WANTED = "a mesh (vtkUnstructuredGrid)"


def _read_vtkxml(path: Path) -> vtkUnstructuredGrid:
    from vtkmodules.vtkIOXML import vtkXMLUnstructuredGridReader

    if not vtk_at_least(9, 4) and _has_polyhedron_faces_of_vtk94(path):
        # Older readers know only the 'faces' arrays: they would read the polyhedra without a face.
        _common.check_xml_type(path, "UnstructuredGrid", "a VTK XML UnstructuredGrid file")
        _common.require_vtk(path, (9, 4), "reading polyhedron cells written by VTK >= 9.4 (their faces are "
                                          "'face_connectivity' and 'polyhedron_offsets' arrays)")
    return _common.read_vtkxml(path, vtkXMLUnstructuredGridReader, "UnstructuredGrid")


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


def _read_legacy(path: Path) -> vtkUnstructuredGrid:
    from vtkmodules.vtkIOLegacy import vtkUnstructuredGridReader

    return _common.read_legacy(path, vtkUnstructuredGridReader, "UNSTRUCTURED_GRID")


def _read_vtkhdf(path: Path) -> vtkUnstructuredGrid:
    # VTK's readers crash on polyhedra whose faces they cannot take: refuse those files first.
    _common.check_vtkhdf_type(path, "UnstructuredGrid")
    polyhedra, faces = _common.vtkhdf_polyhedra(path)
    if polyhedra and not faces:
        raise DataFileError(
            path,
            "has polyhedron cells without their faces (VTK 9.4 to 9.6 write them so) and no VTK can read it; "
            "write the mesh again as .vtu, or as .vtkhdf with VTK >= 9.7",
        )
    if polyhedra:
        _common.require_vtk(path, (9, 6), "reading polyhedron cells from VTKHDF")
    return _common.read_vtkhdf(path, "UnstructuredGrid")


def _write_vtkxml(mesh: vtkUnstructuredGrid, path: Path, mode: str) -> None:
    from vtkmodules.vtkIOXML import vtkXMLUnstructuredGridWriter

    _common.write_vtkxml(mesh, path, mode, vtkXMLUnstructuredGridWriter, "VTK XML UnstructuredGrid")


def _write_legacy(mesh: vtkUnstructuredGrid, path: Path, mode: str) -> None:
    from vtkmodules.vtkIOLegacy import vtkUnstructuredGridWriter

    _common.write_legacy(mesh, path, mode, vtkUnstructuredGridWriter, "legacy VTK UNSTRUCTURED_GRID")


def _write_vtkhdf(mesh: vtkUnstructuredGrid, path: Path, mode: str) -> None:
    if has_polyhedra(mesh):
        # VTK 9.4 to 9.6 write polyhedra without their faces: files that no VTK reads back.
        _common.require_vtk(path, (9, 7), "writing polyhedron cells to VTKHDF")
    _common.write_vtkhdf(mesh, path, "VTKHDF UnstructuredGrid")


def has_polyhedra(mesh: vtkUnstructuredGrid) -> bool:
    """Whether ``mesh`` has cells of type ``VTK_POLYHEDRON``."""
    from vtkmodules.vtkCommonDataModel import VTK_POLYHEDRON

    from ..convert.mesh import cell_types_of

    types = cell_types_of(mesh, copy=False)
    return bool(types.size) and bool((types == VTK_POLYHEDRON).any())


#: The mesh formats, by name and extension (their rows are in :mod:`vmtkscripts_numpy.formats`).
MESH_FORMATS = FormatTable("mesh")


def read_mesh(path: PathLike, format: Optional[str] = None) -> vtkUnstructuredGrid:
    """Read a mesh file.

    Parameters
    ----------
    path : str or Path
    format : str, optional
        ``vtkxml``, ``vtk`` or ``vtkhdf``; by default chosen from the
        extension (``.vtu``, ``.vtk``, ``.vtkhdf``/``.hdf``).

    Returns
    -------
    vtkUnstructuredGrid

    Raises
    ------
    DataFileError
        If the file is missing, empty, truncated, not of the format, or holds
        something other than a mesh; or if its extension is unknown.

    Examples
    --------
    >>> mesh = read_mesh("aorta.vtu")  # doctest: +SKIP
    >>> mesh.GetNumberOfCells()  # doctest: +SKIP
    91734
    """
    chosen = MESH_FORMATS.find(path, format, "read")
    checked = _common.check_readable(path)
    mesh = _common.require_type(chosen.read(checked), vtkUnstructuredGrid, checked, _WANTED)
    # Before anything follows a cell to its points: a damaged file's ids point anywhere.
    _dataset_checks.check_mesh(mesh, checked)
    return mesh


def write_mesh(mesh: vtkUnstructuredGrid, path: PathLike, format: Optional[str] = None, mode: str = "binary") -> Path:
    """Write a mesh file atomically (a complete new file or none).

    Parameters
    ----------
    mesh : vtkUnstructuredGrid
    path : str or Path
    format : str, optional
        ``vtkxml``, ``vtk`` or ``vtkhdf``; by default chosen from the extension.
    mode : {"binary", "ascii"}
        For ``vtkxml`` and ``vtk``; VTKHDF is always binary.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    DataFileError
        For an unknown extension or a file that cannot be written.

    Examples
    --------
    >>> write_mesh(mesh, "aorta.vtu", mode="ascii")  # doctest: +SKIP
    PosixPath('aorta.vtu')
    """
    if not isinstance(mesh, vtkUnstructuredGrid):
        raise TypeError(f"write_mesh needs a vtkUnstructuredGrid, not {type(mesh).__name__}")
    check_mode(mode)
    chosen = MESH_FORMATS.find(path, format, "write")
    chosen.write(mesh, Path(path), mode)
    return Path(path)
