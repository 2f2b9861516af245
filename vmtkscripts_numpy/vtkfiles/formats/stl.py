"""STL surfaces (``.stl``): triangles with float32 points and no arrays, read and written by VTK."""

from __future__ import annotations

from pathlib import Path
from typing import List

import numpy as np
from vtkmodules.vtkCommonCore import VTK_DOUBLE
from vtkmodules.vtkCommonDataModel import vtkPolyData

from ...convert.arrays import vtk_to_numpy
from ...errors import DataFileError
from .. import _common


def read_surface(path: Path) -> vtkPolyData:
    """Read a surface from a STL file (``path`` exists and is readable)."""
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


def write_surface(surface: vtkPolyData, path: Path, mode: str) -> None:
    """Write ``surface`` to a STL file at ``path`` (``mode``: ``"binary"`` or ``"ascii"``)."""
    from vtkmodules.vtkIOGeometry import vtkSTLWriter

    if surface.GetNumberOfPolys() + surface.GetNumberOfStrips() == 0:
        raise DataFileError(path, "cannot be written as STL: the surface has no polygons or strips, and STL "
                                  "holds only triangles (write centerlines as .vtp, .vtk or .vtkhdf)")
    losses = geometry_losses(surface, keeps_polygons=False, keeps_lines=False)
    _common.warn_losses(path, "STL", losses + ["points shared by triangles are merged by position when read back"])
    _common.write_with(surface, path, vtkSTLWriter, "STL", _common.file_type(mode))


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


def geometry_losses(surface: vtkPolyData, keeps_polygons: bool, keeps_lines: bool) -> List[str]:
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
