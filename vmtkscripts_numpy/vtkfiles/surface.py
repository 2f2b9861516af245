"""Surface files (``vtkPolyData``): read and write with VTK's own readers and writers.

=========  ================  ==========  ==============================================
format     extensions        read/write  what the file keeps
=========  ================  ==========  ==============================================
vtkxml     .vtp              read/write  everything (points, all cell kinds, all arrays)
vtk        .vtk              read/write  everything; ASCII rounds floats (6 / 11 digits)
stl        .stl              read/write  triangles only, float32 points, no arrays
ply        .ply              read/write  points (float32) and polygons, no arrays
wavefront  .obj              read        points, polygons and lines
vtkhdf     .vtkhdf, .hdf     read/write  everything; '/' and '.' in array names become '_'
=========  ================  ==========  ==============================================

VTKHDF surfaces are read from VTK 9.3 and written from 9.4; an older VTK is
refused with a :class:`~vmtkscripts_numpy.errors.DataFileError` naming the
VTK needed.

Whatever a format cannot keep is named in a
:class:`~vmtkscripts_numpy.errors.LossWarning` when writing; nothing is dropped
silently. Files that are missing, empty, truncated, of another format or of
another kind (a mesh or an image) raise
:class:`~vmtkscripts_numpy.errors.DataFileError` naming the file.

Examples
--------
>>> from vmtkscripts_numpy.vtkfiles import read_surface, write_surface
>>> surface = read_surface("aorta.vtp")  # doctest: +SKIP
>>> write_surface(surface, "aorta.stl", mode="ascii")  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from vtkmodules.vtkCommonDataModel import vtkPolyData

from . import _common, _dataset_checks
from .formats import FormatTable, check_mode
from .._typing import PathLike


_WANTED = "a surface (vtkPolyData)"


# --- readers ------------------------------------------------------------------------


# --- writers ------------------------------------------------------------------------


#: The surface formats, by name and extension (their rows are in :mod:`vmtkscripts_numpy.formats`).
SURFACE_FORMATS = FormatTable("surface")


# --- public API -----------------------------------------------------------------------


def read_surface(path: PathLike, format: Optional[str] = None) -> vtkPolyData:
    """Read a surface file.

    Parameters
    ----------
    path : str or Path
        The file.
    format : str, optional
        One of ``vtkxml``, ``vtk``, ``stl``, ``ply``, ``wavefront``,
        ``vtkhdf``; by default chosen from the extension (``.vtp``, ``.vtk``,
        ``.stl``, ``.ply``, ``.obj``, ``.vtkhdf``/``.hdf``).

    Returns
    -------
    vtkPolyData

    Raises
    ------
    DataFileError
        If the file is missing, empty, truncated, not of the format, or holds
        something other than a surface; or if its extension is unknown.

    Examples
    --------
    >>> surface = read_surface("aorta.vtp")  # doctest: +SKIP
    >>> surface.GetNumberOfPoints()  # doctest: +SKIP
    6468
    """
    chosen = SURFACE_FORMATS.find(path, format, "read")
    checked = _common.check_readable(path)
    surface = _common.require_type(chosen.read(checked), vtkPolyData, checked, _WANTED)
    # Before anything follows a cell to its points: a damaged file's ids point anywhere.
    _dataset_checks.check_surface(surface, checked)
    return surface


def write_surface(surface: vtkPolyData, path: PathLike, format: Optional[str] = None, mode: str = "binary") -> Path:
    """Write a surface file atomically (a complete new file or none).

    Parameters
    ----------
    surface : vtkPolyData
    path : str or Path
    format : str, optional
        One of ``vtkxml``, ``vtk``, ``stl``, ``ply``, ``vtkhdf``; by default
        chosen from the extension.
    mode : {"binary", "ascii"}
        For ``vtkxml``, ``vtk``, ``stl`` and ``ply``; VTKHDF is always binary.

    Returns
    -------
    Path
        The written file.

    Warns
    -----
    LossWarning
        When the format cannot keep everything (STL and PLY keep no arrays,
        STL only triangles...); the message lists what is dropped.

    Raises
    ------
    DataFileError
        For an unknown extension or a file that cannot be written.

    Examples
    --------
    >>> from vmtkscripts_numpy.sample_data import make_vessel_surface
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "vessel.vtp"
    >>> write_surface(make_vessel_surface(), path).name
    'vessel.vtp'
    """
    if not isinstance(surface, vtkPolyData):
        raise TypeError(f"write_surface needs a vtkPolyData, not {type(surface).__name__}")
    check_mode(mode)
    chosen = SURFACE_FORMATS.find(path, format, "write")
    chosen.write(surface, Path(path), mode)
    return Path(path)
