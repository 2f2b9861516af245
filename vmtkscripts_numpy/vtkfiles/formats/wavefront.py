"""Wavefront OBJ surfaces (``.obj``): points, polygons and lines, read by VTK (not written)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from vtkmodules.vtkCommonDataModel import vtkPolyData

from ...convert.arrays import vtk_to_numpy
from .. import _common


def read_surface(path: Path) -> vtkPolyData:
    """Read a surface from a Wavefront OBJ file (``path`` exists and is readable)."""
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
    from ...convert.arrays import numpy_to_vtk

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
                                                   "cells by the file's faces and are dropped"])
