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
from typing import List, Optional

import numpy as np
from vtkmodules.vtkCommonCore import VTK_DOUBLE
from vtkmodules.vtkCommonDataModel import vtkPolyData

from .._vtk_version import needs_vtk
from ..convert.arrays import vtk_to_numpy
from ..errors import DataFileError
from . import _common, _dataset_checks, _ply
from .formats import FormatTable, check_mode
from .._typing import PathLike


_WANTED = "a surface (vtkPolyData)"


# --- readers ------------------------------------------------------------------------


def _read_vtkxml(path: Path) -> vtkPolyData:
    from vtkmodules.vtkIOXML import vtkXMLPolyDataReader

    return _common.read_vtkxml(path, vtkXMLPolyDataReader, "PolyData")


def _read_legacy(path: Path) -> vtkPolyData:
    from vtkmodules.vtkIOLegacy import vtkPolyDataReader

    return _common.read_legacy(path, vtkPolyDataReader, "POLYDATA")


def _read_stl(path: Path) -> vtkPolyData:
    from vtkmodules.vtkIOGeometry import vtkSTLReader

    _check_binary_stl_length(path)
    surface = _common.run_reader(vtkSTLReader(), path, "STL")
    return _common.require_points(surface, path, "an STL file")


#: A binary STL file: an 80-byte header, the number of triangles (4 bytes), then 50 bytes per triangle.
_STL_HEADER_BYTES, _STL_TRIANGLE_BYTES = 84, 50


def _check_binary_stl_length(path: Path) -> None:
    """Refuse a binary STL file that does not end after a whole triangle, or counts more triangles than it has.

    Before 9.6, ``vtkSTLReader`` reads a truncated binary file without a word
    and returns the triangles before the cut; VTK 9.6 refuses it. Up to 9.5 it
    also allocates for the larger of the file's triangle count and what its
    size holds: a damaged count crashed it. This check gives the refusal on
    every VTK. ASCII files are left to VTK, which finds their truncation
    itself; a file is taken for binary as VTK takes it (5 % of its first 256
    bytes that are not text), or when it does not start as an ASCII STL does.
    """
    head = _common.read_header(path, 1024)
    first = np.frombuffer(head[:256], np.uint8)
    text = ((first >= 0x20) & (first <= 0x7F)) | np.isin(first, (9, 10, 13))
    vtk_binary = first.size > 0 and (first.size - int(np.count_nonzero(text))) / first.size >= 0.05
    looks_ascii = head.lstrip().startswith(b"solid") and max(head, default=0) < 128 and b"\0" not in head
    if looks_ascii and not vtk_binary:
        return
    size = path.stat().st_size
    if size < _STL_HEADER_BYTES or (size - _STL_HEADER_BYTES) % _STL_TRIANGLE_BYTES:
        raise DataFileError(
            path,
            f"cannot be read as STL: it is truncated or damaged: a binary STL file has {_STL_HEADER_BYTES} "
            f"bytes of header and {_STL_TRIANGLE_BYTES} bytes per triangle, and this one has {size} bytes",
        )
    count, held = int.from_bytes(head[80:84], "little"), (size - _STL_HEADER_BYTES) // _STL_TRIANGLE_BYTES
    if count > held:
        raise DataFileError(path, f"cannot be read as STL: it counts {count} triangles and holds {held}")


def _read_ply(path: Path) -> vtkPolyData:
    from vtkmodules.vtkIOPLY import vtkPLYReader

    # vtkPLYReader crashes on truncated binary files: check them first.
    _ply.check_complete(path)
    surface = _common.run_reader(vtkPLYReader(), path, "PLY")
    return _common.require_points(surface, path, "a PLY file")


def _read_obj(path: Path) -> vtkPolyData:
    from vtkmodules.vtkIOGeometry import vtkOBJReader

    surface = _common.run_reader(vtkOBJReader(), path, "Wavefront OBJ")
    _obj_arrays_for_every_point_and_cell(surface, path)
    return _common.require_points(surface, path, "a Wavefront OBJ file")


def _obj_arrays_for_every_point_and_cell(surface: vtkPolyData, path: Path) -> None:
    """Give every array vtkOBJReader makes one value per point or per cell, as a dataset's arrays have.

    Its ``GroupIds`` has one value per polygon, also when the file has points
    and lines, which come first among a surface's cells: they get NaN, the
    group VTK does not give. Normals or texture coordinates that the faces do
    not tie to vertices come as many as the file lists, not one per point:
    they are dropped, with a LossWarning.
    """
    from ..convert.arrays import numpy_to_vtk

    cells, polygons = surface.GetNumberOfCells(), surface.GetNumberOfPolys()
    before = surface.GetNumberOfVerts() + surface.GetNumberOfLines()
    data = surface.GetCellData()
    for index in range(data.GetNumberOfArrays()):
        array = data.GetArray(index)
        if array is None or cells == polygons or array.GetNumberOfTuples() != polygons or \
                array.GetDataTypeAsString() not in ("float", "double"):
            continue
        values = vtk_to_numpy(array)
        padding = np.full((before,) + values.shape[1:], np.nan, dtype=values.dtype)
        data.AddArray(numpy_to_vtk(np.concatenate([padding, values]), array.GetName()))
    dropped = []
    for attributes, count in ((surface.GetPointData(), surface.GetNumberOfPoints()), (data, cells)):
        for name in [attributes.GetArrayName(i) for i in range(attributes.GetNumberOfArrays())
                     if attributes.GetAbstractArray(i).GetNumberOfTuples() != count]:
            dropped.append(f"{name!r} ({attributes.GetAbstractArray(name).GetNumberOfTuples()} values for {count})")
            attributes.RemoveArray(name)
    if dropped:
        _common.warn_losses(path, "vtkOBJReader", [f"arrays {', '.join(dropped)} are not tied to the points or "
                                                   "cells by the file's faces and are dropped"], stacklevel=5)


def _read_vtkhdf(path: Path) -> vtkPolyData:
    return _common.read_vtkhdf(path, "PolyData")


# --- writers ------------------------------------------------------------------------


def _write_vtkxml(surface: vtkPolyData, path: Path, mode: str) -> None:
    from vtkmodules.vtkIOXML import vtkXMLPolyDataWriter

    from ..convert.polydata import CELLS_VTK91_REFUSES, cells_vtk91_cannot_hold

    too_small = cells_vtk91_cannot_hold(surface)
    if too_small:
        # VTK 9.1's XML writer crashes on them (its legacy, STL and PLY writers do not).
        raise DataFileError(
            path, f"cannot be written as VTK XML PolyData: {too_small}; {needs_vtk((9, 2), CELLS_VTK91_REFUSES)}"
        )
    _common.write_vtkxml(surface, path, mode, vtkXMLPolyDataWriter, "VTK XML PolyData")


def _write_legacy(surface: vtkPolyData, path: Path, mode: str) -> None:
    from vtkmodules.vtkIOLegacy import vtkPolyDataWriter

    _common.write_legacy(surface, path, mode, vtkPolyDataWriter, "legacy VTK POLYDATA")


def _cell_counts(surface: vtkPolyData) -> dict:
    polys = surface.GetPolys()
    sizes = np.diff(vtk_to_numpy(polys.GetOffsetsArray())) if polys.GetNumberOfCells() else np.zeros(0, int)
    return {
        "verts": surface.GetNumberOfVerts(),
        "lines": surface.GetNumberOfLines(),
        "strips": surface.GetNumberOfStrips(),
        "polygons": int(np.count_nonzero(sizes > 3)),
    }


def _float32_loss(surface: vtkPolyData) -> List[str]:
    points = surface.GetPoints()
    if points is None or points.GetDataType() != VTK_DOUBLE:
        return []
    coordinates = vtk_to_numpy(points.GetData())
    if np.array_equal(coordinates, coordinates.astype(np.float32)):
        return []
    return ["float64 point coordinates are rounded to float32"]


def _geometry_losses(surface: vtkPolyData, keeps_polygons: bool, keeps_lines: bool) -> List[str]:
    counts = _cell_counts(surface)
    losses = []
    if counts["verts"]:
        losses.append(f"{counts['verts']} vertex cells are dropped")
    if counts["lines"] and not keeps_lines:
        losses.append(f"{counts['lines']} line cells are dropped")
    if counts["strips"]:
        losses.append(
            f"{counts['strips']} triangle strips are "
            + ("split into triangles" if not keeps_polygons else "dropped")
        )
    if counts["polygons"] and not keeps_polygons:
        losses.append(f"{counts['polygons']} polygons with more than 3 points are split into triangles")
    return losses + _float32_loss(surface) + _common.dropped_arrays(surface)


def _write_stl(surface: vtkPolyData, path: Path, mode: str) -> None:
    from vtkmodules.vtkIOGeometry import vtkSTLWriter

    if surface.GetNumberOfPolys() + surface.GetNumberOfStrips() == 0:
        raise DataFileError(path, "cannot be written as STL: the surface has no polygons or strips, and STL "
                                  "holds only triangles (write centerlines as .vtp, .vtk or .vtkhdf)")
    losses = _geometry_losses(surface, keeps_polygons=False, keeps_lines=False)
    _common.warn_losses(path, "STL", losses + ["points shared by triangles are merged by position when read back"])
    _common.write_with(surface, path, vtkSTLWriter, "STL", _common.file_type(mode))


def _write_ply(surface: vtkPolyData, path: Path, mode: str) -> None:
    from vtkmodules.vtkIOPLY import vtkPLYWriter

    _common.warn_losses(path, "PLY", _geometry_losses(surface, keeps_polygons=True, keeps_lines=False))
    # Points and polygons only: what vtkPLYWriter would add from arrays (colours,
    # normals) depends on which arrays are active, so keep the file predictable.
    geometry = vtkPolyData()
    geometry.SetPoints(surface.GetPoints())
    geometry.SetPolys(surface.GetPolys())
    _common.write_with(geometry, path, vtkPLYWriter, "PLY", _common.file_type(mode))


def _write_vtkhdf(surface: vtkPolyData, path: Path, mode: str) -> None:
    _common.write_vtkhdf(surface, path, "VTKHDF PolyData")


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
