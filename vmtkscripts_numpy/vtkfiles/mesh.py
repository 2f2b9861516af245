"""Mesh files (``vtkUnstructuredGrid``): read and write with VTK's own readers and writers.

=========  ================  ==========  ==============================================
format     extensions        read/write  what the file keeps
=========  ================  ==========  ==============================================
vtkxml     .vtu              read/write  everything (all cell types, polyhedra, arrays)
vtk        .vtk              read/write  everything; ASCII rounds floats (6 / 11 digits)
vtkhdf     .vtkhdf, .hdf     read/write  everything; '/' and '.' in array names become '_'
=========  ================  ==========  ==============================================

Examples
--------
>>> from vmtkscripts_numpy.vtkfiles import read_mesh, write_mesh
>>> mesh = read_mesh("aorta.vtu")  # doctest: +SKIP
>>> write_mesh(mesh, "aorta.vtkhdf")  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

from vtkmodules.vtkCommonDataModel import vtkUnstructuredGrid

from . import _common
from .formats import FileFormat, FormatTable, check_mode

PathLike = Union[str, Path]

_WANTED = "a mesh (vtkUnstructuredGrid)"


def _read_vtkxml(path: Path) -> vtkUnstructuredGrid:
    from vtkmodules.vtkIOXML import vtkXMLUnstructuredGridReader

    _common.check_xml_type(path, "UnstructuredGrid", "a VTK XML UnstructuredGrid file")
    return _common.run_reader(vtkXMLUnstructuredGridReader(), path, "VTK XML UnstructuredGrid")


def _read_legacy(path: Path) -> vtkUnstructuredGrid:
    from vtkmodules.vtkIOLegacy import vtkUnstructuredGridReader

    _common.check_legacy_type(path, "UNSTRUCTURED_GRID", "a legacy VTK file")
    return _common.run_reader(vtkUnstructuredGridReader(), path, "legacy VTK UNSTRUCTURED_GRID")


def _read_vtkhdf(path: Path) -> vtkUnstructuredGrid:
    from vtkmodules.vtkIOHDF import vtkHDFReader

    _common.check_vtkhdf_type(path, "UnstructuredGrid")
    return _common.run_reader(vtkHDFReader(), path, "VTKHDF UnstructuredGrid")


def _write_vtkxml(mesh: vtkUnstructuredGrid, path: Path, mode: str) -> None:
    from vtkmodules.vtkIOXML import vtkXMLUnstructuredGridWriter

    def write(target: Path) -> None:
        writer = vtkXMLUnstructuredGridWriter()
        writer.SetInputData(mesh)
        writer.SetDataModeToAscii() if mode == "ascii" else writer.SetDataModeToBinary()
        _common.run_writer(writer, target, path, "VTK XML UnstructuredGrid")

    _common.atomic_write(path, write)


def _write_legacy(mesh: vtkUnstructuredGrid, path: Path, mode: str) -> None:
    from vtkmodules.vtkIOLegacy import vtkUnstructuredGridWriter

    if mode == "ascii":
        _common.warn_losses(path, "legacy VTK (ASCII)", _common.legacy_ascii_losses(mesh))

    def write(target: Path) -> None:
        writer = vtkUnstructuredGridWriter()
        writer.SetInputData(mesh)
        writer.SetFileTypeToASCII() if mode == "ascii" else writer.SetFileTypeToBinary()
        _common.run_writer(writer, target, path, "legacy VTK UNSTRUCTURED_GRID")

    _common.atomic_write(path, write)


def _write_vtkhdf(mesh: vtkUnstructuredGrid, path: Path, mode: str) -> None:
    from vtkmodules.vtkIOHDF import vtkHDFWriter

    _common.warn_losses(path, "VTKHDF", _common.hdf5_renamed_arrays(mesh))

    def write(target: Path) -> None:
        writer = vtkHDFWriter()
        writer.SetInputData(mesh)
        _common.run_writer(writer, target, path, "VTKHDF UnstructuredGrid")

    _common.atomic_write(path, write)


#: The mesh formats, by name and extension.
MESH_FORMATS = FormatTable(
    "mesh",
    [
        FileFormat("vtkxml", "VTK XML UnstructuredGrid", (".vtu",), _read_vtkxml, _write_vtkxml, ascii=True),
        FileFormat("vtk", "legacy VTK UNSTRUCTURED_GRID", (".vtk",), _read_legacy, _write_legacy, ascii=True),
        FileFormat("vtkhdf", "VTKHDF UnstructuredGrid", (".vtkhdf", ".hdf"), _read_vtkhdf, _write_vtkhdf),
    ],
)


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
    mesh = chosen.read(checked)
    return _common.require_type(mesh, vtkUnstructuredGrid, checked, _WANTED)


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
