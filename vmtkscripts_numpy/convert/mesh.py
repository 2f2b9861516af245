"""Meshes (``vtkUnstructuredGrid``) <-> ArrayDict, in vmtk's layout and losslessly.

vmtk's layout (``vmtkmeshtonumpy``) is ``Points``, ``PointData``, ``CellData``
and ``Cells``, which holds the cells in VTK's legacy flat layout:

- ``CellPointIds``: ``[n0, id, ..., n1, id, ...]``, each cell's point count
  followed by its point ids (int64);
- ``CellLocations``: where each cell's count is in ``CellPointIds`` (int64).
  On input, the locations VTK >= 9 reports (where each cell's ids start once
  the counts are removed; what vmtk writes when it runs on VTK 9) are
  accepted too;
- ``CellTypes``: the VTK cell type of each cell (uint8);
- ``CellTypesAsStrings``: ``{VTK class name: array([type])}`` for the types
  present, when asked for;

or, with ``cells_as_list``, ``CellPointIds`` as a list of one 1-D array per
cell and no ``CellLocations``. This module adds ``FieldData``,
``ActiveArrays`` and ``ArrayTypes`` (extensions shared by every kind) and
keeps every dtype. Both directions work on whole arrays, never cell by cell.

Polyhedron cells (``VTK_POLYHEDRON``) need face streams beside the cells,
which the layout has no place for: they are refused with an error.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Mapping, Optional, cast

import numpy as np
from vtkmodules.vtkCommonDataModel import VTK_POLYHEDRON, vtkCellArray, vtkGenericCell, vtkUnstructuredGrid

from .._vtk_version import vtk_at_least
from ..errors import ArrayDictError, LossWarning, warn
from .arrays import numpy_to_vtk, vtk_to_numpy
from .cells import (
    FIXED_SIZE_STORAGE,
    cell_array_to_numpy,
    cell_point_ids_to_offsets,
    fixed_size_cell_array,
    keep_alive,
    legacy_to_cells,
    numpy_to_cell_array,
    offsets_to_cell_point_ids,
    offsets_to_legacy,
    regular_to_legacy,
    steps_equal,
)
from .dataset import (
    check_array_dict,
    check_object,
    data_sections_to_dict,
    dict_to_data_sections,
    numpy_to_points,
    points_to_numpy,
)
from .layout import CELLS_KEYS, KINDS
from .validate import check_point_ids, integer_array, key_path, require

#: Top-level keys of a mesh ArrayDict.
MESH_KEYS = KINDS["mesh"].keys

_POLYHEDRA_REFUSED = (
    "polyhedron cells (VTK_POLYHEDRON, type 42) are not supported: their faces are not part of the "
    "cells' point ids, and the layout has no place for them"
)


# --- VTK -> ArrayDict -----------------------------------------------------------


def mesh_to_dict(
    grid: vtkUnstructuredGrid,
    *,
    cell_types_as_strings: bool = True,
    cells_as_list: bool = False,
    copy: bool = True,
) -> Dict[str, Any]:
    """A mesh as an ArrayDict in vmtk's layout plus the shared extensions.

    Parameters
    ----------
    grid : vtkUnstructuredGrid
        Any unstructured grid (also a subclass such as ``pyvista.UnstructuredGrid``)
        with cells of any types but polyhedra.
    cell_types_as_strings : bool
        Add ``Cells['CellTypesAsStrings']``, ``{VTK class name: array([type])}``
        for every type present (vmtk's ``ReturnCellTypesAsStrings``, on by default).
    cells_as_list : bool
        Give ``Cells['CellPointIds']`` as a list of one 1-D id array per cell
        (no counts, no ``CellLocations``), as vmtk's ``StructureCellsAsList``.
    copy : bool
        True (default): the dict owns its memory. False: points, data arrays
        and ``CellTypes`` are views of VTK's memory (the flat cells are always new).

    Returns
    -------
    dict
        ``Points``, ``PointData``, ``CellData``, ``Cells``, ``FieldData``,
        ``ActiveArrays``, ``ArrayTypes``.

    Raises
    ------
    ArrayDictError
        If ``grid`` is not a ``vtkUnstructuredGrid`` or has polyhedron cells.

    Examples
    --------
    >>> import numpy as np
    >>> grid = dict_to_mesh({"Points": np.eye(4, 3), "Cells": {
    ...     "CellPointIds": np.array([4, 0, 1, 2, 3]), "CellLocations": np.array([0]),
    ...     "CellTypes": np.array([10], np.uint8)}})
    >>> cells = mesh_to_dict(grid)["Cells"]
    >>> cells["CellPointIds"], cells["CellLocations"], cells["CellTypesAsStrings"]
    (array([4, 0, 1, 2, 3]), array([0]), {'vtkTetra': array([10], dtype=uint8)})
    """
    check_object(grid, vtkUnstructuredGrid, "a mesh")
    types = cell_types_of(grid, copy)
    present = _present_types(types)
    if VTK_POLYHEDRON in present:
        raise ArrayDictError(f"{type(grid).__name__}: {_POLYHEDRA_REFUSED}")
    # The flat layout is always a new array: VTK's cells need copying only for the list's views.
    vtk_cells = grid.GetCells()
    size = vtk_cells.IsHomogeneous() if vtk_cells is not None and not cells_as_list else -1
    cells: Dict[str, Any] = {}
    if size > 0:
        # Cells of one size: only the ids are read (for VTK's fixed-size storage, nothing else at all).
        count = vtk_cells.GetNumberOfCells()
        ids = vtk_to_numpy(vtk_cells.GetConnectivityArray(), copy=False)[: count * size]
        flat, cells["CellLocations"] = regular_to_legacy(ids.reshape(count, size))
        cells["CellPointIds"] = flat
    else:
        offsets, connectivity = cell_array_to_numpy(vtk_cells, copy=copy and cells_as_list)
        if cells_as_list:
            cells["CellPointIds"] = offsets_to_cell_point_ids(offsets, connectivity, "list")
        else:
            flat, locations = offsets_to_legacy(offsets, connectivity)
            cells["CellLocations"] = locations
            cells["CellPointIds"] = flat
    cells["CellTypes"] = types
    if cell_types_as_strings:
        cells["CellTypesAsStrings"] = {
            cell_class_name(int(cell_type)): np.array([cell_type], np.uint8) for cell_type in present
        }
    sections = data_sections_to_dict(grid, copy, type(grid).__name__)
    return {
        "Points": points_to_numpy(grid.GetPoints(), copy),
        "PointData": sections["PointData"],
        "CellData": sections["CellData"],
        "Cells": cells,
        "FieldData": sections["FieldData"],
        "ActiveArrays": sections["ActiveArrays"],
        "ArrayTypes": sections["ArrayTypes"],
    }


def cell_types_of(grid: vtkUnstructuredGrid, copy: bool = True) -> np.ndarray:
    """The VTK cell type of every cell of ``grid``, uint8 (a view of VTK's memory when ``copy=False`` allows)."""
    # VTK >= 9.6 may keep the types as an implicit (constant) array; GetCellTypes() gives it.
    types = cell_types_array(grid)
    if types is None:
        return np.empty(0, np.uint8)
    return vtk_to_numpy(types, copy=copy).astype(np.uint8, copy=False)


def cell_types_array(grid: vtkUnstructuredGrid) -> Any:
    """VTK's array of cell types: ``GetCellTypes()`` from 9.6, ``GetCellTypesArray()`` before."""
    return grid.GetCellTypes() if vtk_at_least(9, 6) else grid.GetCellTypesArray()


# --- ArrayDict -> VTK -----------------------------------------------------------


def dict_to_mesh(array_dict: Mapping[str, Any], *, share: bool = True) -> vtkUnstructuredGrid:
    """A ``vtkUnstructuredGrid`` from a mesh ArrayDict (vmtk's, or with this package's extensions).

    Parameters
    ----------
    array_dict : dict
        ``Points`` (N, 3) and ``Cells`` with ``CellTypes`` and ``CellPointIds``
        are required. ``CellPointIds`` is either the legacy flat array, which
        needs ``CellLocations``, or a list of one 1-D id array per cell (told
        apart by type, so vmtk's ``FlattenListOfCells`` is not needed).
        ``CellTypesAsStrings`` is informative and not read. ``PointData``,
        ``CellData``, ``FieldData``, ``ActiveArrays`` and ``ArrayTypes`` are optional.
    share : bool
        True (default): VTK uses the dict's numpy memory where its layout
        allows (points, data arrays, ids of a list); False: VTK gets copies.

    Raises
    ------
    ArrayDictError
        Naming the key, for missing keys, ``Points`` not (N, 3), point ids out
        of range, counts and locations that disagree, ``CellTypes`` of the
        wrong length, unknown types, polyhedra, cells whose number of points
        does not fit their type, and data arrays of the wrong length or type.

    Warns
    -----
    LossWarning
        For what is not read and so does not come back as given: keys of
        ``Cells`` the layout does not know, ``CellLocations`` beside a list of
        cells, and a ``CellTypesAsStrings`` that does not name the types of
        ``CellTypes`` as :func:`mesh_to_dict` writes them.

    Examples
    --------
    >>> import numpy as np
    >>> grid = dict_to_mesh({"Points": np.eye(4, 3), "Cells": {
    ...     "CellPointIds": [np.array([0, 1, 2, 3])], "CellTypes": np.array([10])}})
    >>> grid.GetNumberOfCells(), grid.GetCellType(0)
    (1, 10)
    """
    where = "ArrayDict"
    check_array_dict(array_dict, MESH_KEYS, "mesh", where)
    points = numpy_to_points(array_dict, share=share, where=where)
    number_of_points = points.GetNumberOfPoints()
    cells_where = key_path(where, "Cells")
    cells = require(array_dict, "Cells", where)
    types_where = key_path(cells_where, "CellTypes")
    types = integer_array(require(cells, "CellTypes", cells_where), types_where)
    ids_where = key_path(cells_where, "CellPointIds")
    ids = require(cells, "CellPointIds", cells_where)
    unread = [
        f"{key!r}, which is not a key of Cells ({', '.join(CELLS_KEYS)}),"
        for key in cells
        if key not in CELLS_KEYS
    ]
    offsets: Optional[np.ndarray]
    if isinstance(ids, (list, tuple)) or (isinstance(ids, np.ndarray) and ids.dtype == object):
        offsets, connectivity = cell_point_ids_to_offsets(ids, ids_where)
        if "CellLocations" in cells:
            unread.append("'CellLocations' beside a list of cells, which needs none,")
        read = None
    else:
        locations = require(cells, "CellLocations", cells_where)
        locations_where = key_path(cells_where, "CellLocations")
        read = legacy_to_cells(ids, locations, ids_where, locations_where, offsets_of_one_size=not FIXED_SIZE_STORAGE)
        offsets, connectivity = read.offsets, read.connectivity
    # Cells of one size on VTK >= 9.7: fixed-size storage, no offsets (``offsets`` is None).
    uniform_size = read.size if read is not None else 0
    number_of_cells = offsets.size - 1 if offsets is not None else connectivity.size // uniform_size
    if types.ndim != 1 or types.size != number_of_cells:
        raise ArrayDictError(
            f"{types_where}: expected shape ({number_of_cells},), one type per cell, found shape {types.shape}"
        )
    check_point_ids(connectivity, number_of_points, ids_where, largest=read.largest_id if read else None)
    types = _checked_types(types, offsets, types_where, uniform_size=uniform_size)
    for what in unread:
        warn(f"{cells_where}: {what} is not read and does not come back", LossWarning)
    if "CellTypesAsStrings" in cells:
        _check_type_strings(cells["CellTypesAsStrings"], types, key_path(cells_where, "CellTypesAsStrings"))

    grid = vtkUnstructuredGrid()
    grid.SetPoints(points)
    vtk_types = numpy_to_vtk(types, share=share, where=types_where)
    # Offsets and connectivity are new arrays made above (from the flat layout or the list): VTK keeps
    # them as they are even when share=False.
    if offsets is None:  # only where VTK has fixed-size storage, for cells of one size: never None here
        cell_array = cast(vtkCellArray, fixed_size_cell_array(connectivity, uniform_size, share=True))
    else:
        cell_array = numpy_to_cell_array(offsets, connectivity, share=True)
    grid.SetCells(vtk_types, cell_array)
    keep_alive(cell_types_array(grid), vtk_types)
    dict_to_data_sections(array_dict, grid, number_of_points, number_of_cells, share=share, where=where)
    return grid


def _check_type_strings(given: Any, types: np.ndarray, where: str) -> None:
    """Warn when ``CellTypesAsStrings`` (informative, not read) is not what ``CellTypes`` gives back."""
    expected = {cell_class_name(int(cell_type)): int(cell_type) for cell_type in _present_types(types)}
    matches = (
        isinstance(given, Mapping)
        and set(given) == set(expected)
        and all(
            isinstance(value, np.ndarray) and value.dtype == np.uint8 and value.shape == (1,)
            and int(value[0]) == expected[name]
            for name, value in given.items()
        )
    )
    if not matches:
        written = {name: [cell_type] for name, cell_type in expected.items()}
        warn(
            f"{where}: does not name the types of CellTypes as uint8 arrays of one type each ({written}); "
            "it is informative and not read, and comes back made from CellTypes",
            LossWarning,
        )


def _present_types(types: np.ndarray) -> np.ndarray:
    """The cell types present in a uint8 array, ascending (a count per value: no sort of a million cells)."""
    if types.size and types.min() == types.max():  # one type, as in most meshes: no count needed
        return types[:1].copy()
    return np.flatnonzero(np.bincount(types, minlength=256)).astype(np.uint8)


def _checked_types(
    types: np.ndarray, offsets: Optional[np.ndarray], where: str, uniform_size: int = 0
) -> np.ndarray:
    """``types`` as uint8, each a known VTK cell type, not a polyhedron, with as many points as it has.

    ``uniform_size``: ``k`` when the offsets are known to be ``[0, k, 2k, ...]`` (they are not read
    again, and may be None).
    """
    if types.size == 0:
        return types.astype(np.uint8)
    low, high = int(types.min()), int(types.max())
    if low < 0 or high > 255:
        bad = low if low < 0 else high
        raise ArrayDictError(f"{where}: {bad} is not a VTK cell type (they are 0 to 255)")
    types = types.astype(np.uint8, copy=False)
    # With one type (most meshes) no mask of the cells of that type is needed, and cells of the
    # right size are offsets that rise by that size.
    one_type = low == high
    sizes = None
    for cell_type in _present_types(types).tolist():
        first = 0 if one_type else int(np.argmax(types == cell_type))
        if cell_type == VTK_POLYHEDRON:
            raise ArrayDictError(f"{where}: cell {first}: {_POLYHEDRA_REFUSED}")
        if cell_class_name(cell_type) == "UnknownClass":
            raise ArrayDictError(f"{where}: cell {first} has type {cell_type}, which is not a VTK cell type")
        size = fixed_cell_size(cell_type)
        if not size or (one_type and (size == uniform_size or (offsets is not None and steps_equal(offsets, size)))):
            continue
        if sizes is None:
            sizes = np.diff(offsets) if offsets is not None else np.full(types.size, uniform_size)
        wrong = np.flatnonzero(sizes != size if one_type else (types == cell_type) & (sizes != size))
        if wrong.size:
            index = int(wrong[0])
            raise ArrayDictError(
                f"{where}: cell {index} is a {cell_class_name(cell_type)} (type {cell_type}), which has "
                f"{size} points, but it has {int(sizes[index])} point ids"
            )
    return types


@lru_cache(maxsize=None)
def cell_class_name(cell_type: int) -> str:
    """VTK's class name of a cell type, e.g. ``"vtkTetra"`` for 10 (``"UnknownClass"`` when unknown)."""
    if vtk_at_least(9, 6):  # where VTK moved it, deprecating the old place
        from vtkmodules.vtkCommonDataModel import vtkCellTypeUtilities

        return vtkCellTypeUtilities.GetClassNameFromTypeId(cell_type)
    from vtkmodules.vtkCommonDataModel import vtkCellTypes

    return vtkCellTypes.GetClassNameFromTypeId(cell_type)


@lru_cache(maxsize=None)
def fixed_cell_size(cell_type: int) -> int:
    """The number of points every cell of ``cell_type`` has, or 0 when it varies (polygons, higher order)."""
    name = cell_class_name(cell_type)
    if name == "UnknownClass" or name.startswith(("vtkLagrange", "vtkBezier", "vtkHigherOrder")):
        # Arbitrary-order cells take as many points as their order needs.
        return 0
    cell = vtkGenericCell()
    cell.SetCellType(cell_type)
    return int(cell.GetNumberOfPoints())
