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

from . import _common, _dataset_checks
from .formats import FormatTable, check_mode
from .._typing import PathLike


_WANTED = "a mesh (vtkUnstructuredGrid)"


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
