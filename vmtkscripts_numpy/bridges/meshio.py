"""meshio <-> ArrayDict: cells grouped in blocks by type, with each block's cell data, and back.

Needs meshio (``pip install 'vmtkscripts_numpy[bridges]'``). meshio numbers a
cell's points as VTK does, except for the linear wedge, whose two triangles it
orders the other way round: the bridge reorders them both ways.

Examples
--------
>>> import numpy as np
>>> import meshio  # doctest: +SKIP
>>> mesh = meshio.Mesh(np.eye(4, 3), [("tetra", np.array([[0, 1, 2, 3]]))])  # doctest: +SKIP
>>> from_meshio(mesh)["Cells"]["CellTypes"]  # doctest: +SKIP
array([10], dtype=uint8)
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Tuple

import numpy as np

from ..errors import ArrayDictError, LossWarning, warn
from ._common import as_mesh_dict, require
from .cells import blocks_of_mesh_dict

#: meshio's names of the VTK cell types (meshio's own table, for the types both have).
VTK_TO_MESHIO: Dict[int, str] = {
    1: "vertex", 3: "line", 5: "triangle", 7: "polygon", 8: "pixel", 9: "quad", 10: "tetra",
    12: "hexahedron", 13: "wedge", 14: "pyramid", 15: "penta_prism", 16: "hexa_prism",
    21: "line3", 22: "triangle6", 23: "quad8", 24: "tetra10", 25: "hexahedron20", 26: "wedge15",
    27: "pyramid13", 28: "quad9", 29: "hexahedron27", 30: "quad6", 31: "wedge12", 32: "wedge18",
    33: "hexahedron24", 34: "triangle7", 35: "line4",
}
MESHIO_TO_VTK: Dict[str, int] = {name: cell_type for cell_type, name in VTK_TO_MESHIO.items()}

#: meshio orders a linear wedge's points like gmsh's prism: its own inverse.
_WEDGE_ORDER = np.array([0, 2, 1, 3, 5, 4])


def _meshio_type(cell_type: int) -> str:
    try:
        return VTK_TO_MESHIO[cell_type]
    except KeyError:
        raise ArrayDictError(
            f"VTK cell type {cell_type} has no meshio equivalent (polylines and triangle strips: "
            "convert them to lines and triangles first)"
        ) from None


def _numeric(arrays: Dict[str, Any], section: str) -> Iterable[Tuple[str, np.ndarray]]:
    for name, values in arrays.items():
        values = np.asarray(values)
        if values.dtype.kind in "biuf":
            yield name, values
        else:
            warn(f"{section}[{name!r}]: {values.dtype} arrays do not go to meshio; left out", LossWarning)


def to_meshio(data: Any) -> Any:
    """A surface, centerlines or mesh as a ``meshio.Mesh``: cells grouped in blocks by type.

    Parameters
    ----------
    data : ArrayDict or VTK object
        A surface, centerlines or mesh dict, or a ``vtkPolyData`` / ``vtkUnstructuredGrid``.

    Returns
    -------
    meshio.Mesh
        The points as they are; one cell block per cell type and size, in the
        order the types first appear, so cells are ordered by block (within
        a block they keep their order); ``cell_data`` split the same way;
        numeric point and field data.

    Raises
    ------
    ImportError
        Without meshio, naming the extra to install.
    ArrayDictError
        For cell types meshio does not have (polylines, triangle strips).

    Examples
    --------
    >>> import numpy as np
    >>> mesh = to_meshio({"Points": np.eye(4, 3), "CellData": {"CellPointIds": np.array([[0, 1, 2], [1, 2, 3]]),
    ...                   "Area": np.array([0.5, 0.25])}})  # doctest: +SKIP
    >>> mesh.cells_dict["triangle"].tolist(), mesh.cell_data["Area"]  # doctest: +SKIP
    ([[0, 1, 2], [1, 2, 3]], [array([0.5 , 0.25])])
    """
    meshio = require("meshio", "meshio", "to_meshio")
    mesh_dict = as_mesh_dict(data)
    cells: List[Tuple[str, np.ndarray]] = []
    blocks = blocks_of_mesh_dict(mesh_dict)
    for block in blocks:
        ids = block.point_ids[:, _WEDGE_ORDER] if block.cell_type == 13 else block.point_ids
        cells.append((_meshio_type(block.cell_type), ids))
    cell_data = {
        name: [values[block.cell_ids] for block in blocks] for name, values in _numeric(mesh_dict["CellData"], "CellData")
    }
    return meshio.Mesh(
        np.asarray(mesh_dict["Points"]),
        cells,
        point_data=dict(_numeric(mesh_dict["PointData"], "PointData")),
        cell_data=cell_data,
        field_data=dict(_numeric(mesh_dict["FieldData"], "FieldData")),
    )


def from_meshio(mesh: Any) -> Dict[str, Any]:
    """A ``meshio.Mesh`` as a mesh ArrayDict (for ``dict_to_mesh``, ``vmtknumpytomesh``).

    Parameters
    ----------
    mesh : meshio.Mesh
        Any mesh whose cell types VTK has (2-D points get z = 0).

    Returns
    -------
    dict
        ``Points``, ``Cells`` (VTK's legacy layout, the blocks one after the
        other), ``PointData``, ``CellData`` (each array's blocks joined) and
        ``FieldData``.

    Raises
    ------
    ArrayDictError
        For an unknown cell type, or cell data whose blocks do not match the cells.

    Examples
    --------
    >>> import numpy as np
    >>> import meshio  # doctest: +SKIP
    >>> mesh = meshio.Mesh(np.eye(5, 3), [("tetra", np.array([[0, 1, 2, 3]])), ("triangle", np.array([[2, 3, 4]]))])  # doctest: +SKIP
    >>> from_meshio(mesh)["Cells"]["CellPointIds"]  # doctest: +SKIP
    array([4, 0, 1, 2, 3, 3, 2, 3, 4])
    """
    points = np.asarray(mesh.points)
    if points.ndim != 2 or points.shape[1] not in (2, 3):
        raise ArrayDictError(f"meshio.Mesh.points: expected (n, 2) or (n, 3), found shape {points.shape}")
    if points.shape[1] == 2:
        points = np.hstack([points, np.zeros((len(points), 1), points.dtype)])
    flat_blocks, types = [], []
    for block in mesh.cells:
        if block.type not in MESHIO_TO_VTK:
            raise ArrayDictError(f"meshio cell type {block.type!r} has no VTK equivalent")
        cell_type = MESHIO_TO_VTK[block.type]
        ids = np.asarray(block.data, dtype=np.int64).reshape(len(block.data), -1)
        if cell_type == 13:
            ids = ids[:, _WEDGE_ORDER]
        flat_blocks.append(np.hstack([np.full((len(ids), 1), ids.shape[1], np.int64), ids]))
        types.append(np.full(len(ids), cell_type, np.uint8))
    sizes = np.concatenate([np.full(len(flat), flat.shape[1]) for flat in flat_blocks]) if flat_blocks else np.empty(0)
    locations = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64) if len(sizes) else np.empty(0, np.int64)
    counts = [len(block.data) for block in mesh.cells]
    cell_data = {}
    for name, per_block in mesh.cell_data.items():
        if len(per_block) != len(counts) or any(len(part) != count for part, count in zip(per_block, counts)):
            raise ArrayDictError(
                f"meshio.Mesh.cell_data[{name!r}]: expected one array per cell block, of {counts} values"
            )
        cell_data[name] = np.concatenate([np.asarray(part) for part in per_block])
    return {
        "Points": points,
        "PointData": {name: np.asarray(values) for name, values in mesh.point_data.items()},
        "CellData": cell_data,
        "Cells": {
            "CellPointIds": np.concatenate([flat.ravel() for flat in flat_blocks]) if flat_blocks else np.empty(0, np.int64),
            "CellLocations": locations,
            "CellTypes": np.concatenate(types) if types else np.empty(0, np.uint8),
        },
        "FieldData": {name: np.asarray(values) for name, values in mesh.field_data.items()},
    }
