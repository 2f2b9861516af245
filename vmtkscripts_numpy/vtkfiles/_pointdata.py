"""vmtk's ``pointdata`` text files: one line per point (or cell), ``X Y Z`` and the values of each array.

The first line names the columns: ``X Y Z``, then each array's name, or
``name0 name1 ...`` for an array of several components. Arrays without a name
or whose name ends in ``_`` are left out, as vmtk leaves them out. Numbers are
written with 17 significant digits, so they read back exactly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, List

import numpy as np

from .._atomic import atomic_output
from ..convert.arrays import vtk_to_numpy


def _columns(attributes: Any) -> tuple:
    names: List[str] = []
    columns: List[np.ndarray] = []
    for index in range(attributes.GetNumberOfArrays()):
        array = attributes.GetArray(index)
        name = attributes.GetArrayName(index)
        if array is None or not name or name.endswith("_"):
            continue
        values = vtk_to_numpy(array, copy=False).astype(np.float64).reshape(array.GetNumberOfTuples(), -1)
        names += [name] if values.shape[1] == 1 else [f"{name}{component}" for component in range(values.shape[1])]
        columns.append(values)
    return names, columns


def write_pointdata(path: Path, positions: np.ndarray, attributes: Any) -> None:
    """Write ``positions`` ``(n, 3)`` and the arrays of ``attributes`` (n tuples each) as vmtk's text table."""
    names, columns = _columns(attributes)
    table = np.hstack([np.asarray(positions, dtype=np.float64)] + columns)
    with atomic_output(path) as target:
        with open(target, "w", encoding="utf-8") as stream:
            stream.write(" ".join(["X", "Y", "Z"] + names) + "\n")
            np.savetxt(stream, table, fmt="%.17g")


def write_dataset_pointdata(data: Any, path: Any, cell_data: bool = False) -> Path:
    """Write a surface's or mesh's points and point arrays, or with ``cell_data`` one line per cell.

    A cell's line starts with its first point, as vmtk writes it; cells are
    taken in VTK's order (a surface's vertices, lines, polygons, strips).
    """
    from vtkmodules.vtkCommonDataModel import vtkPolyData

    from ..convert.cells import cell_array_to_numpy

    points = vtk_to_numpy(data.GetPoints().GetData(), copy=False) if data.GetPoints() is not None else np.empty((0, 3))
    if not cell_data:
        write_pointdata(Path(path), points, data.GetPointData())
        return Path(path)
    if isinstance(data, vtkPolyData):
        cell_arrays = [data.GetVerts(), data.GetLines(), data.GetPolys(), data.GetStrips()]
    else:
        cell_arrays = [data.GetCells()]
    firsts = []
    for cells in cell_arrays:
        offsets, connectivity = cell_array_to_numpy(cells, copy=False)
        firsts.append(connectivity[offsets[:-1]])
    write_pointdata(Path(path), points[np.concatenate(firsts)], data.GetCellData())
    return Path(path)
