"""Cells grouped by type: ``{VTK cell type: (n, k) point ids}``, as PyVista's ``cells_dict`` and meshio's blocks.

Examples
--------
>>> import numpy as np
>>> from vmtkscripts_numpy import dict_to_mesh
>>> mesh = {"Points": np.eye(5, 3), "Cells": {
...     "CellPointIds": np.array([4, 0, 1, 2, 3, 3, 2, 3, 4]), "CellLocations": np.array([0, 5]),
...     "CellTypes": np.array([10, 5], np.uint8)}}
>>> cells_by_type(mesh)
{10: array([[0, 1, 2, 3]]), 5: array([[2, 3, 4]])}
"""

from __future__ import annotations

from typing import Any, Dict, List, NamedTuple

import numpy as np

from ..errors import ArrayDictError
from ._common import as_mesh_dict


class CellBlock(NamedTuple):
    """Cells of one VTK type and one size.

    ``point_ids`` is ``(n, k)``; ``cell_ids`` says which cells of the whole
    (in VTK's numbering) they are, so that cell data can follow them:
    ``CellData[name][block.cell_ids]``.
    """

    cell_type: int
    point_ids: np.ndarray
    cell_ids: np.ndarray


def blocks_of_mesh_dict(mesh_dict: Dict[str, Any]) -> List[CellBlock]:
    """The cell blocks of a mesh dict in VTK's legacy layout, in the order their types first appear."""
    cells = mesh_dict["Cells"]
    flat = np.asarray(cells["CellPointIds"])
    locations = np.asarray(cells["CellLocations"], dtype=np.int64)
    types = np.asarray(cells["CellTypes"]).astype(np.int64)
    sizes = flat[locations].astype(np.int64) if locations.size else np.empty(0, np.int64)
    keys = (types << 32) | sizes
    unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    blocks = []
    for group in np.argsort(first, kind="stable"):
        cell_ids = np.flatnonzero(inverse == group)
        size = int(unique[group] & 0xFFFFFFFF)
        ids = flat[locations[cell_ids, np.newaxis] + 1 + np.arange(size)]
        blocks.append(CellBlock(int(unique[group] >> 32), ids, cell_ids))
    return blocks


def cell_blocks(data: Any) -> List[CellBlock]:
    """The cells of a surface, centerlines or mesh, in blocks of one type and size.

    Parameters
    ----------
    data : ArrayDict or VTK object
        A surface, centerlines or mesh dict, or a ``vtkPolyData`` /
        ``vtkUnstructuredGrid`` (also PyVista's).

    Returns
    -------
    list of CellBlock
        ``(cell_type, point_ids (n, k), cell_ids (n,))``, in the order the
        types first appear; polygons or polylines of different sizes make one
        block per size.

    Examples
    --------
    >>> import numpy as np
    >>> surface = {"Points": np.eye(5, 3), "CellTypes": np.array([5, 9, 5], np.uint8),
    ...            "CellData": {"CellPointIds": [np.array([0, 1, 2]), np.array([1, 2, 3, 4]), np.array([2, 3, 4])]}}
    >>> [(block.cell_type, block.point_ids.shape, block.cell_ids.tolist()) for block in cell_blocks(surface)]
    [(5, (2, 3), [0, 2]), (9, (1, 4), [1])]
    """
    return blocks_of_mesh_dict(as_mesh_dict(data))


def cells_by_type(data: Any) -> Dict[int, np.ndarray]:
    """The point ids of every cell, grouped by VTK cell type: ``{type: (n, k)}``.

    The same as PyVista's ``cells_dict``; within a type the cells keep their
    order. Use :func:`cell_blocks` to know which cells they are.

    Parameters
    ----------
    data : ArrayDict or VTK object
        A surface, centerlines or mesh dict, or a ``vtkPolyData`` /
        ``vtkUnstructuredGrid``.

    Returns
    -------
    dict
        ``{int VTK cell type: (n, k) int array}``, types in order of first appearance.

    Raises
    ------
    ArrayDictError
        For an image, or when cells of one type have different sizes (polygons
        or polylines of several sizes: :func:`cell_blocks` gives one block per size).

    Examples
    --------
    >>> import numpy as np
    >>> surface = {"Points": np.eye(4, 3), "CellData": {"CellPointIds": np.array([[0, 1, 2], [1, 2, 3]])}}
    >>> cells_by_type(surface)
    {5: array([[0, 1, 2],
           [1, 2, 3]])}
    """
    grouped: Dict[int, np.ndarray] = {}
    for block in cell_blocks(data):
        if block.cell_type in grouped:
            sizes = sorted({grouped[block.cell_type].shape[1], block.point_ids.shape[1]})
            raise ArrayDictError(
                f"cells of VTK type {block.cell_type} have {sizes[0]} and {sizes[1]} points: they do not fit "
                "one (n, k) array; cell_blocks() gives one block per size"
            )
        grouped[block.cell_type] = block.point_ids
    return grouped
