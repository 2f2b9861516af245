"""PLY surfaces (``.ply``): float32 points and polygons without arrays, read and written by VTK.

Binary files are checked to be complete first
(:mod:`vmtkscripts_numpy.vtkfiles._ply`): ``vtkPLYReader`` crashes on
truncated ones.
"""

from __future__ import annotations

from pathlib import Path

from vtkmodules.vtkCommonDataModel import vtkPolyData

from .. import _common, _ply
from .stl import geometry_losses


def read_surface(path: Path) -> vtkPolyData:
    """Read a surface from a PLY file (``path`` exists and is readable)."""
    from vtkmodules.vtkIOPLY import vtkPLYReader

    # vtkPLYReader crashes on truncated binary files: check them first.
    _ply.check_complete(path)
    surface = _common.run_reader(vtkPLYReader(), path, "PLY")
    return _common.require_points(surface, path, "a PLY file")


def write_surface(surface: vtkPolyData, path: Path, mode: str) -> None:
    """Write ``surface`` to a PLY file at ``path`` (``mode``: ``"binary"`` or ``"ascii"``)."""
    from vtkmodules.vtkIOPLY import vtkPLYWriter

    _common.warn_losses(path, "PLY", geometry_losses(surface, keeps_polygons=True, keeps_lines=False))
    # Points and polygons only: what vtkPLYWriter would add from arrays (colours,
    # normals) depends on which arrays are active, so keep the file predictable.
    geometry = vtkPolyData()
    geometry.SetPoints(surface.GetPoints())
    geometry.SetPolys(surface.GetPolys())
    _common.write_with(geometry, path, vtkPLYWriter, "PLY", _common.file_type(mode))
