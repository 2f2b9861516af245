"""Surfaces and centerlines (``vtkPolyData``) <-> ArrayDict, in vmtk's layout and losslessly.

vmtk's layout (``vmtksurfacetonumpy``, ``vmtkcenterlinestonumpy``) is ``Points``
(N, 3), ``PointData`` and ``CellData`` with ``CellPointIds``, the point ids of
every cell. This module keeps it and adds what vmtk loses:

- any cells, not only triangles: ``CellPointIds`` is vmtk's ``(M, k)`` array
  when every cell has ``k`` points, else a list of ``M`` 1-D arrays;
- ``CellTypes`` (extension), the VTK cell type of every cell, so that
  vertices, lines, polygons and triangle strips in one dataset come back as
  the same kinds;
- the exact dtypes of points, ids and data, ``FieldData``, the active
  attributes (``ActiveArrays``) and VTK types numpy cannot tell apart
  (``ArrayTypes``).

A dict without the extensions (as vmtk writes it) converts: every cell is then
a polygon (surfaces) or a line (centerlines).

Cells go through VTK's offsets and connectivity arrays in one piece, never
cell by cell: a surface of a million triangles converts in milliseconds, and
without copying when asked (``copy=False`` one way, ``share=True`` the other).
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple, Union, cast

import numpy as np
from vtkmodules.vtkCommonDataModel import (
    VTK_LINE,
    VTK_POLY_LINE,
    VTK_POLY_VERTEX,
    VTK_POLYGON,
    VTK_QUAD,
    VTK_TRIANGLE,
    VTK_TRIANGLE_STRIP,
    VTK_VERTEX,
    vtkCellArray,
    vtkPolyData,
)

from .._vtk_version import needs_vtk, vtk_at_least
from ..errors import ArrayDictError, LossWarning, warn
from .arrays import vtk_to_numpy
from .cells import (
    FIXED_SIZE_STORAGE,
    cell_array_to_numpy,
    cell_point_ids_to_offsets,
    fixed_size_cell_array,
    numpy_to_cell_array,
    offsets_to_cell_point_ids,
    regular_cell_point_ids,
    regular_offsets,
    reorder_cells,
)
from .dataset import (
    check_array_dict,
    check_data_lengths,
    check_object,
    data_sections_to_dict,
    dict_to_data_sections,
    numpy_to_points,
    points_to_numpy,
)
from .layout import KINDS
from .validate import check_point_ids, integer_array, key_path, require

#: The four cell arrays of a ``vtkPolyData``, in the order VTK numbers their cells.
CELL_KINDS: Tuple[str, ...] = ("verts", "lines", "polys", "strips")

#: The VTK cell types a ``vtkPolyData`` holds, by the cell array they live in.
POLYDATA_CELL_TYPES: Dict[int, str] = {
    VTK_VERTEX: "verts",
    VTK_POLY_VERTEX: "verts",
    VTK_LINE: "lines",
    VTK_POLY_LINE: "lines",
    VTK_TRIANGLE: "polys",
    VTK_QUAD: "polys",
    VTK_POLYGON: "polys",
    VTK_TRIANGLE_STRIP: "strips",
}

#: The number of points of the types that have a fixed one; the others take any number.
FIXED_CELL_SIZES: Dict[int, int] = {VTK_VERTEX: 1, VTK_LINE: 2, VTK_TRIANGLE: 3, VTK_QUAD: 4}

#: Top-level keys of a surface or centerline ArrayDict.
POLYDATA_KEYS: Tuple[str, ...] = KINDS["surface"].keys

#: Lookup tables indexed by cell type: the cell array (index into CELL_KINDS, -1: not a polydata
#: type) and the required number of points (-1: any).
_KIND_OF_TYPE = np.full(256, -1, np.int8)
_SIZE_OF_TYPE = np.full(256, -1, np.int64)
for _type, _kind in POLYDATA_CELL_TYPES.items():
    _KIND_OF_TYPE[_type] = CELL_KINDS.index(_kind)
for _type, _size in FIXED_CELL_SIZES.items():
    _SIZE_OF_TYPE[_type] = _size
del _type, _kind, _size
#: Types of any size that VTK names by a fixed-size type at some sizes: {type: {size: VTK's type}}.
_RENAMED_AT_SIZE: Dict[int, Dict[int, int]] = {
    VTK_POLY_VERTEX: {1: VTK_VERTEX},
    VTK_POLY_LINE: {2: VTK_LINE},
    VTK_POLYGON: {3: VTK_TRIANGLE, 4: VTK_QUAD},
}
#: ``_RENAMED[type, min(size, 5)]``: the type VTK gives such a cell, 0 when it keeps the given one.
_RENAMED = np.zeros((256, 6), np.uint8)
for _type, _renames in _RENAMED_AT_SIZE.items():
    for _size, _vtk_type in _renames.items():
        _RENAMED[_type, _size] = _vtk_type
del _type, _renames, _size, _vtk_type
#: The fewest points VTK 9.1 takes in a vertex, line, polygon and strip (in CELL_KINDS order).
_SMALLEST_SIZE_VTK91 = np.array([1, 2, 3, 3], np.int64)
_KIND_NAMES = ("vertex", "line", "polygon", "triangle strip")
_DEFAULT_KIND = {kind: index for index, kind in enumerate(CELL_KINDS)}
#: The vtkPolyData method that sets the cells of each kind, in the order of CELL_KINDS.
_SETTERS = ("SetVerts", "SetLines", "SetPolys", "SetStrips")


# --- VTK -> ArrayDict -----------------------------------------------------------


def polydata_to_dict(
    polydata: vtkPolyData,
    *,
    cell_to_point: bool = False,
    copy: bool = True,
    cell_point_ids: str = "auto",
) -> Dict[str, Any]:
    """A surface (any ``vtkPolyData``) as an ArrayDict in vmtk's layout plus the documented extensions.

    Parameters
    ----------
    polydata : vtkPolyData
        Any polydata, also a subclass such as ``pyvista.PolyData``; its cells
        may be vertices, lines, polygons of any size and triangle strips, mixed.
    cell_to_point : bool
        Interpolate the cell data to point data (as vmtk's ``ConvertCellToPoint``
        with ``vtkCellDataToPointData``): each point gets the mean of the cells
        using it, float64 for float64 arrays and float32 for the others, the
        same on every VTK. The dict then has no cell data arrays.
    copy : bool
        True (default): the dict owns its memory. False: points, data arrays
        and (when all cells are of one kind) the ids are views of VTK's memory.
    cell_point_ids : {"auto", "array", "list"}
        The layout of ``CellData['CellPointIds']``: ``"auto"`` gives vmtk's
        ``(M, k)`` array when every cell has ``k`` points and a list of 1-D
        arrays otherwise; ``"array"`` insists on the array; ``"list"`` always
        gives the list.

    Returns
    -------
    dict
        ``Points``, ``PointData``, ``CellData`` (with ``CellPointIds``),
        ``CellTypes``, ``FieldData``, ``ActiveArrays``, ``ArrayTypes``.

    Raises
    ------
    ArrayDictError
        If ``polydata`` is not a ``vtkPolyData``, or ``"array"`` is asked for
        cells of different sizes.

    Examples
    --------
    >>> from vtkmodules.vtkFiltersSources import vtkSphereSource
    >>> source = vtkSphereSource(); _ = source.Update()
    >>> surface = polydata_to_dict(source.GetOutput())
    >>> surface["Points"].shape, surface["CellData"]["CellPointIds"].shape, surface["CellTypes"][:2]
    ((50, 3), (96, 3), array([5, 5], dtype=uint8))
    """
    check_object(polydata, vtkPolyData, "a surface or centerlines")
    cell_arrays = _cell_arrays_of(polydata)
    used = [(kind, cells) for kind, cells in enumerate(cell_arrays) if cells is not None and cells.GetNumberOfCells()]
    uniform = _uniform_cells(used, copy) if cell_point_ids != "list" and len(used) == 1 else None
    ids: Union[np.ndarray, List[np.ndarray]]
    if uniform is not None:
        ids, cell_types = uniform
    else:
        offsets, connectivity, cell_types = _merge_cell_arrays(cell_arrays, used, copy)
        ids = offsets_to_cell_point_ids(
            offsets, connectivity, cell_point_ids, where="CellData['CellPointIds'] of the surface"
        )
    sections = data_sections_to_dict(
        polydata, copy, type(polydata).__name__, cell_arrays_left_out=("CellPointIds",)
    )
    if cell_to_point:
        if uniform is not None:
            offsets, connectivity, _ = _merge_cell_arrays(cell_arrays, used, copy=False)
        _cell_data_to_point_data(sections, offsets, connectivity, polydata.GetNumberOfPoints())
    return {
        "Points": points_to_numpy(polydata.GetPoints(), copy),
        "PointData": sections["PointData"],
        # CellPointIds first: vmtk's vmtknumpytocenterlines drops every cell array before it.
        "CellData": {"CellPointIds": ids, **sections["CellData"]},
        "CellTypes": cell_types,
        "FieldData": sections["FieldData"],
        "ActiveArrays": sections["ActiveArrays"],
        "ArrayTypes": sections["ArrayTypes"],
    }


def centerlines_to_dict(centerlines: vtkPolyData, *, cell_to_point: bool = False, copy: bool = True) -> Dict[str, Any]:
    """Centerlines as an ArrayDict: as :func:`polydata_to_dict`, ``CellPointIds`` always a list.

    ``CellData['CellPointIds']`` is a list with one 1-D array of point ids per
    cell (one per line), in cell order, as vmtk's ``vmtkcenterlinestonumpy``.

    Examples
    --------
    >>> from vtkmodules.vtkFiltersSources import vtkLineSource
    >>> source = vtkLineSource(); source.SetResolution(4); _ = source.Update()
    >>> lines = centerlines_to_dict(source.GetOutput())
    >>> [cell.tolist() for cell in lines["CellData"]["CellPointIds"]], lines["CellTypes"]
    ([[0, 1, 2, 3, 4]], array([4], dtype=uint8))
    """
    return polydata_to_dict(centerlines, cell_to_point=cell_to_point, copy=copy, cell_point_ids="list")


def _cell_arrays_of(polydata: vtkPolyData) -> Tuple[Any, Any, Any, Any]:
    """The vertices, lines, polygons and strips of ``polydata`` (each a vtkCellArray, or None when it has none).

    Only the kinds that hold cells are wrapped for Python: counting is cheaper than wrapping.
    """
    return (
        polydata.GetVerts() if polydata.GetNumberOfVerts() else None,
        polydata.GetLines() if polydata.GetNumberOfLines() else None,
        polydata.GetPolys() if polydata.GetNumberOfPolys() else None,
        polydata.GetStrips() if polydata.GetNumberOfStrips() else None,
    )


#: What VTK 9.1 cannot hold in a polydata, as the refusals word it.
CELLS_VTK91_REFUSES = "a vertex without points, a line of fewer than 2 or a polygon or strip of fewer than 3"


def _first_cell_too_small_for_vtk91(offsets: np.ndarray, kinds: Union[int, np.ndarray]) -> Optional[Tuple[int, str]]:
    """``(index, "a <kind> of n points")`` of the first cell VTK 9.1 cannot hold, or None.

    VTK 9.1 fails to build the cell map of a polydata holding a vertex of no
    point, a line of fewer than 2 or a polygon or strip of fewer than 3, then
    crashes on the first cell lookup (``GetCellType``, ``GetCell``, most
    filters, its XML writer); VTK 9.2 takes them.
    """
    sizes = np.diff(offsets)
    short = np.flatnonzero(sizes < _SMALLEST_SIZE_VTK91[kinds])
    if not short.size:
        return None
    index = int(short[0])
    kind = _KIND_NAMES[int(kinds if isinstance(kinds, int) or kinds.ndim == 0 else kinds[index])]
    return index, f"a {kind} of {int(sizes[index])} points"


def cells_vtk91_cannot_hold(polydata: vtkPolyData) -> Optional[str]:
    """On VTK 9.1, ``"cell i is a <kind> of n points"`` for the first cell of ``polydata`` it cannot hold; else None."""
    if vtk_at_least(9, 2):
        return None
    first = 0
    for kind, cells in enumerate(_cell_arrays_of(polydata)):
        offsets = cell_array_to_numpy(cells, copy=False)[0]
        problem = _first_cell_too_small_for_vtk91(offsets, kind)
        if problem:
            return f"cell {first + problem[0]} is {problem[1]}"
        first += offsets.size - 1
    return None


def _cell_data_to_point_data(
    sections: Dict[str, Any], offsets: np.ndarray, connectivity: np.ndarray, number_of_points: int
) -> None:
    """Turn the cell arrays of ``sections`` into point arrays, in place, as vmtk's ``ConvertCellToPoint``.

    A point gets the mean of the values of the cells that use it, each cell counted as often as it
    lists the point; a point no cell uses gets 0. The means are float64 for float64 arrays and
    float32 for every other type; they replace a point array of the same name in its place, and the
    cell arrays' active roles become the point data's. That is what ``vtkCellDataToPointData`` does,
    computed here because the filter is not the same on every VTK: it crashes on polydata with
    cells of more than one kind in VTK 9.3, leaves NaN (9.1) or uninitialized memory (9.2) at
    points no cell uses, and reads bit arrays as garbage before 9.7.
    """
    cell_data = sections["CellData"]
    if not cell_data:
        return
    sizes = np.diff(offsets)
    repeats: Union[int, np.ndarray] = sizes
    if sizes.size and sizes.min() == sizes.max():
        repeats = int(sizes[0])  # cells of one size: np.repeat by a number, not by an array
    ids = connectivity[int(offsets[0]) : int(offsets[-1])]
    counts = np.bincount(ids, minlength=number_of_points)[:, None]
    point_data, point_types = sections["PointData"], sections["ArrayTypes"]["PointData"]
    for name, values in cell_data.items():
        columns = values.reshape(values.shape[0], int(np.prod(values.shape[1:])))  # also with no cells
        sums = np.empty((number_of_points, columns.shape[1]))
        for column in range(columns.shape[1]):
            # Each cell's value once per point id it lists, summed per point (repeat: no gather by index).
            weights = np.repeat(columns[:, column], repeats)
            sums[:, column] = np.bincount(ids, weights=weights, minlength=number_of_points)
        means = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
        dtype = np.float64 if values.dtype == np.float64 else np.float32
        point_data[name] = means.astype(dtype).reshape((number_of_points,) + values.shape[1:])
        point_types.pop(name, None)
    sections["ActiveArrays"]["PointData"].update(sections["ActiveArrays"]["CellData"])
    sections["ActiveArrays"]["CellData"] = {}
    sections["ArrayTypes"]["CellData"] = {}
    sections["CellData"] = {}


def _uniform_cells(used, copy: bool) -> Optional[Tuple[np.ndarray, np.ndarray]]:
    """``(ids (M, k), cell types)`` when the one cell array used has cells of ``k`` points; else None.

    The usual surface (all triangles) takes this path: VTK checks the cell sizes
    in one pass without allocating (at once for its fixed-size storage), and only
    the connectivity is read, so neither the offsets nor the sizes are copied.
    """
    kind, cells = used[0]
    size = cells.IsHomogeneous()
    if size <= 0:
        return None
    count = cells.GetNumberOfCells()
    ids = vtk_to_numpy(cells.GetConnectivityArray(), copy=False)[: count * size].reshape(count, size)
    cell_type = _CELL_TYPE_OF_SIZE[kind][min(size, 5)]
    if copy:
        return ids.copy(), np.full(count, cell_type, np.uint8)
    # One value seen as many (read-only, no memory per cell): see "Memory" in docs/arraydict-layout.md.
    return ids, np.broadcast_to(np.uint8(cell_type), (count,))


def _merge_cell_arrays(cell_arrays, used, copy: bool) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Offsets and connectivity of the cell arrays ``used`` one after the other, and every cell's type.

    The offsets are only read (for sizes, views and cell-to-point means), never
    handed out: they are VTK's own even when ``copy`` is True.
    """
    if len(used) <= 1:
        # One kind of cells (the usual case): VTK's own arrays, the connectivity a view when copy=False.
        kind, cells = used[0] if used else (_DEFAULT_KIND["polys"], cell_arrays[_DEFAULT_KIND["polys"]])
        offsets, connectivity = cell_array_to_numpy(cells, copy=False)
        # offsets[1:] - offsets[:-1] rather than np.diff: the same, without its Python-level set-up per call.
        sizes = offsets[1:] - offsets[:-1]
        return offsets, (connectivity.copy() if copy else connectivity), _cell_types(kind, sizes)
    parts = [(kind, *cell_array_to_numpy(cells, copy=False)) for kind, cells in used]
    cell_types = np.concatenate([_cell_types(kind, np.diff(offsets)) for kind, offsets, _ in parts])
    # The dtype of the kinds that hold cells: VTK gives an unused cell array 64-bit storage, which must
    # not widen 32-bit ids; ids of several kinds fit 32 bits only while their total does.
    dtype = np.result_type(*(connectivity.dtype for _, _, connectivity in parts))
    if sum(connectivity.size for _, _, connectivity in parts) > np.iinfo(np.int32).max:
        dtype = np.result_type(dtype, np.int64)
    connectivity = np.concatenate([connectivity for _, _, connectivity in parts]).astype(dtype, copy=False)
    shifted: List[np.ndarray] = [np.zeros(1, dtype)]
    start = 0
    for _, offsets, kind_connectivity in parts:
        shifted.append(offsets[1:].astype(dtype) + start)
        start += kind_connectivity.size
    return np.concatenate(shifted), connectivity, cell_types


def _cell_types(kind: int, sizes: np.ndarray) -> np.ndarray:
    """The VTK cell type of each cell of one cell array, from the cells' sizes (as VTK names them)."""
    table = _TYPE_BY_SIZE.get(kind)
    if table is not None:
        # Sizes past the table's end clip to its last entry (VTK's offsets never decrease: no size is negative).
        return table.take(sizes, mode="clip")
    return _cell_types_by_rule(kind, sizes)


def _cell_types_by_rule(kind: int, sizes: np.ndarray) -> np.ndarray:
    if CELL_KINDS[kind] == "verts":
        return np.where(sizes == 1, VTK_VERTEX, VTK_POLY_VERTEX).astype(np.uint8)
    if CELL_KINDS[kind] == "lines":
        return np.where(sizes == 2, VTK_LINE, VTK_POLY_LINE).astype(np.uint8)
    if CELL_KINDS[kind] == "polys":
        types = np.full(sizes.size, VTK_POLYGON, np.uint8)
        types[sizes == 3] = VTK_TRIANGLE
        types[sizes == 4] = VTK_QUAD
        return types
    return np.full(sizes.size, VTK_TRIANGLE_STRIP, np.uint8)


#: ``_TYPE_BY_SIZE[kind][min(size, 5)]``: the type VTK gives a cell of that size in that cell array
#: (one lookup per cell rather than a comparison per type), and the same as Python ints.
_TYPE_BY_SIZE: Dict[int, np.ndarray] = {}
_TYPE_BY_SIZE.update({kind: _cell_types_by_rule(kind, np.arange(6)) for kind in range(len(CELL_KINDS))})
_CELL_TYPE_OF_SIZE = tuple(tuple(int(cell_type) for cell_type in table) for table in _TYPE_BY_SIZE.values())


# --- ArrayDict -> VTK -----------------------------------------------------------


def dict_to_polydata(
    array_dict: Mapping[str, Any], *, default_cell_kind: str = "polys", share: bool = True
) -> vtkPolyData:
    """A ``vtkPolyData`` from a surface or centerline ArrayDict (vmtk's, or with this package's extensions).

    Parameters
    ----------
    array_dict : dict
        ``Points`` (N, 3) and ``CellData['CellPointIds']`` are required;
        ``PointData``, the other ``CellData`` arrays, ``CellTypes``,
        ``FieldData``, ``ActiveArrays`` and ``ArrayTypes`` are optional.
    default_cell_kind : {"polys", "lines", "verts", "strips"}
        Where cells go when the dict has no ``CellTypes`` (vmtk's dicts):
        polygons for surfaces, lines for centerlines.
    share : bool
        True (default): VTK uses the dict's numpy memory where its layout
        allows (changing one changes the other). False: VTK gets copies.

    Returns
    -------
    vtkPolyData

    Raises
    ------
    ArrayDictError
        Naming the key, for missing keys, ``Points`` not (N, 3), point ids out
        of range, ragged lists with non-integer entries, data arrays of the
        wrong length or not numeric, ``CellTypes`` of the wrong length, of
        types a polydata cannot hold, or not matching the cells' sizes; on
        VTK 9.1, for cells it cannot hold (a vertex of no point, a line of
        fewer than 2, a polygon or strip of fewer than 3).

    Warns
    -----
    LossWarning
        When ``CellTypes`` does not group the cells as VTK stores them
        (vertices, lines, polygons, strips): VTK cannot keep that order, so
        the cells (and their cell data) are reordered stably, and cell ids change.

    Examples
    --------
    >>> import numpy as np
    >>> surface = dict_to_polydata({
    ...     "Points": np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0]], np.float32),
    ...     "PointData": {},
    ...     "CellData": {"CellPointIds": np.array([[0, 1, 2], [1, 3, 2]])},
    ... })
    >>> surface.GetNumberOfPolys(), surface.GetPoints().GetDataType() == 10  # VTK_FLOAT
    (2, True)
    """
    if default_cell_kind not in CELL_KINDS:
        raise ValueError(f"default_cell_kind must be one of {CELL_KINDS}, not {default_cell_kind!r}")
    where = "ArrayDict"
    check_array_dict(array_dict, POLYDATA_KEYS, "surface or centerline", where)
    points = numpy_to_points(array_dict, share=share, where=where)
    number_of_points = points.GetNumberOfPoints()
    cell_data_where = key_path(where, "CellData")
    cell_data = require(array_dict, "CellData", where)
    ids_where = key_path(cell_data_where, "CellPointIds")
    cell_point_ids = require(cell_data, "CellPointIds", cell_data_where)
    regular = regular_cell_point_ids(cell_point_ids, ids_where)
    offsets: Optional[np.ndarray] = None
    if regular is None:
        offsets, connectivity = cell_point_ids_to_offsets(cell_point_ids, ids_where)
        number_of_cells = offsets.size - 1
        # A list: every cell's size is read from the offsets where needed.
        uniform_size = None
    else:
        # An (M, k) array: every cell has k points, known without reading anything. With VTK's
        # fixed-size storage no offsets are made at all.
        connectivity, number_of_cells, uniform_size = regular
        if not FIXED_SIZE_STORAGE or not uniform_size:
            offsets = regular_offsets(number_of_cells, uniform_size, connectivity.dtype)
    check_point_ids(connectivity, number_of_points, ids_where)
    # The offsets are always new, and so is the connectivity unless it is a view of an (M, k) array:
    # VTK can keep new arrays without a second copy even when share=False.
    new_connectivity = not (regular is not None and np.may_share_memory(connectivity, cell_point_ids))
    kinds = _cell_kinds(
        array_dict.get("CellTypes"), number_of_cells, offsets, uniform_size, default_cell_kind,
        key_path(where, "CellTypes"),
    )
    # Before VTK 9.7 (so on 9.1) there are always offsets.
    too_small = None if vtk_at_least(9, 2) or offsets is None else _first_cell_too_small_for_vtk91(offsets, kinds)
    if too_small:
        raise ArrayDictError(
            f"{ids_where}: cell {too_small[0]} is {too_small[1]}; {needs_vtk((9, 2), CELLS_VTK91_REFUSES)}"
        )
    if offsets is None and uniform_size is not None and not isinstance(kinds, int):
        offsets = regular_offsets(number_of_cells, uniform_size, connectivity.dtype)

    reordered: Optional[Dict[str, Any]] = None
    if offsets is not None and not isinstance(kinds, int) and kinds.size > 1 and (kinds[1:] < kinds[:-1]).any():
        order = np.argsort(kinds, kind="stable")
        warn(
            f"{key_path(where, 'CellTypes')}: the cells are not grouped as VTK stores them (vertices, lines, "
            "polygons, strips); they are reordered that way, with their cell data, so cell ids change",
            LossWarning,
        )
        check_data_lengths(cell_data, number_of_cells, cell_data_where, skip=("CellPointIds",))
        offsets, connectivity = reorder_cells(offsets, connectivity, order)
        new_connectivity = True
        kinds = kinds[order]
        reordered = {
            name: np.asarray(values)[order] for name, values in cell_data.items() if name != "CellPointIds"
        }

    polydata = vtkPolyData()
    polydata.SetPoints(points)
    bounds = None if isinstance(kinds, int) else np.searchsorted(kinds, np.arange(len(CELL_KINDS) + 1))
    if offsets is None:
        # One kind of cells, all of uniform_size points: VTK's fixed-size storage.
        # Without offsets, every cell is of uniform_size points and this VTK has that storage: never None.
        if number_of_cells:
            cells = fixed_size_cell_array(connectivity, cast(int, uniform_size), share=share or new_connectivity)
            getattr(polydata, _SETTERS[kinds])(cast(vtkCellArray, cells))
    else:
        for kind, setter_name in enumerate(_SETTERS):
            if bounds is None:
                first, last = 0, number_of_cells if kind == kinds else 0
            else:
                first, last = int(bounds[kind]), int(bounds[kind + 1])
            if last > first:
                getattr(polydata, setter_name)(_cell_range(offsets, connectivity, first, last, share or new_connectivity))
    dict_to_data_sections(
        array_dict,
        polydata,
        number_of_points,
        number_of_cells,
        share=share,
        cell_skip=("CellPointIds",),
        cell_data=reordered,
        where=where,
    )
    return polydata


def dict_to_centerlines(array_dict: Mapping[str, Any], *, share: bool = True) -> vtkPolyData:
    """Centerlines from an ArrayDict: as :func:`dict_to_polydata`, cells are lines unless ``CellTypes`` says otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> lines = dict_to_centerlines({
    ...     "Points": np.zeros((5, 3)), "PointData": {},
    ...     "CellData": {"CellPointIds": [np.array([0, 1, 2], np.int32), np.array([2, 3, 4], np.int32)]},
    ... })
    >>> lines.GetNumberOfLines(), lines.GetNumberOfPolys()
    (2, 0)
    """
    return dict_to_polydata(array_dict, default_cell_kind="lines", share=share)


def _cell_kinds(
    cell_types: Any,
    count: int,
    offsets: Optional[np.ndarray],
    uniform_size: Optional[int],
    default_kind: str,
    where: str,
) -> Union[int, np.ndarray]:
    """The cell array (index into CELL_KINDS) of every cell, or one index when all cells go to one array.

    ``uniform_size`` is the number of points of every cell when the ids came as an
    ``(M, k)`` array (``offsets`` may then be None); otherwise the sizes are read
    from ``offsets`` when needed. ``CellTypes`` of one value broadcast to every
    cell (what ``polydata_to_dict(copy=False)`` gives) is checked without reading it.
    """
    if cell_types is None:
        return _DEFAULT_KIND[default_kind]
    types = integer_array(cell_types, where)
    if types.ndim != 1 or types.size != count:
        raise ArrayDictError(
            f"{where}: expected shape ({count},), one type per cell, found shape {types.shape}"
        )
    if types.size == 0:
        return _DEFAULT_KIND[default_kind]
    if types.strides[0] == 0:  # one value seen as many: no need to read the others
        low = high = int(types[0])
    else:
        low, high = int(types.min()), int(types.max())
    if low < 0 or high >= _KIND_OF_TYPE.size:
        bad = low if low < 0 else high
        raise ArrayDictError(f"{where}: {bad} is not a VTK cell type a polydata holds; {_TYPES_TEXT}")
    if low == high:
        # One type for all cells (the usual surface or centerlines): checked once, not per cell.
        return _single_cell_kind(low, count, offsets, uniform_size, where)
    sizes = np.diff(offsets) if offsets is not None else np.full(count, uniform_size)
    kinds = _KIND_OF_TYPE[types]
    unknown = np.flatnonzero(kinds < 0)
    if unknown.size:
        index = int(unknown[0])
        raise ArrayDictError(
            f"{where}: cell {index} has type {int(types[index])}, which a polydata cannot hold; {_TYPES_TEXT}"
        )
    required = _SIZE_OF_TYPE[types]
    wrong = np.flatnonzero((required >= 0) & (required != sizes))
    if wrong.size:
        index = int(wrong[0])
        raise ArrayDictError(
            f"{where}: cell {index} has type {int(types[index])}, which has {int(required[index])} points, "
            f"but it has {int(sizes[index])} point ids"
        )
    renamed = np.flatnonzero(_RENAMED[types, np.minimum(sizes, _RENAMED.shape[1] - 1)])
    if renamed.size:
        index = int(renamed[0])
        _warn_renamed(int(types[index]), int(sizes[index]), index, renamed.size, where)
    return kinds


def _single_cell_kind(
    cell_type: int, count: int, offsets: Optional[np.ndarray], uniform_size: Optional[int], where: str
) -> int:
    kind = int(_KIND_OF_TYPE[cell_type])
    if kind < 0:
        raise ArrayDictError(f"{where}: cell 0 has type {cell_type}, which a polydata cannot hold; {_TYPES_TEXT}")
    required = int(_SIZE_OF_TYPE[cell_type])
    if required >= 0:
        if uniform_size is not None:
            index, size = (0, uniform_size) if uniform_size != required else (None, None)
        else:  # cells of several sizes: offsets are given
            sizes = np.diff(cast(np.ndarray, offsets))
            wrong = np.flatnonzero(sizes != required)
            index, size = (int(wrong[0]), int(sizes[wrong[0]])) if wrong.size else (None, None)
        if index is not None:
            raise ArrayDictError(
                f"{where}: cell {index} has type {cell_type}, which has {required} points, "
                f"but it has {size} point ids"
            )
    elif cell_type in _RENAMED_AT_SIZE:
        if uniform_size is not None:
            if uniform_size in _RENAMED_AT_SIZE[cell_type]:
                _warn_renamed(cell_type, uniform_size, 0, count, where)
        else:
            sizes = np.diff(cast(np.ndarray, offsets))
            renamed = np.flatnonzero(_RENAMED[cell_type, np.minimum(sizes, _RENAMED.shape[1] - 1)])
            if renamed.size:
                _warn_renamed(cell_type, int(sizes[renamed[0]]), int(renamed[0]), renamed.size, where)
    return kind


def _warn_renamed(cell_type: int, size: int, index: int, count: int, where: str) -> None:
    """Say that VTK gives a cell of ``size`` points of a type of any size (a polygon, say) a fixed-size type."""
    vtk_type = _RENAMED_AT_SIZE[cell_type][size]
    warn(
        f"{where}: cell {index}{f' (and {count - 1} more)' if count > 1 else ''} has type {cell_type} and "
        f"{size} point ids, which VTK names type {vtk_type}: the same cell, whose type comes back as {vtk_type}",
        LossWarning,
    )


_TYPES_TEXT = "expected " + ", ".join(
    f"{vtk_type} ({kind})" for vtk_type, kind in sorted(POLYDATA_CELL_TYPES.items())
)


def _cell_range(offsets: np.ndarray, connectivity: np.ndarray, first: int, last: int, share: bool):
    """A vtkCellArray of cells ``first`` to ``last - 1`` (sharing the connectivity as ``share`` says).

    The offsets are the converter's own, never the caller's: VTK keeps them without a copy.
    """
    start, end = int(offsets[first]), int(offsets[last])
    kind_offsets = offsets[first : last + 1]
    if start:
        kind_offsets = kind_offsets - start
    return numpy_to_cell_array(kind_offsets, connectivity[start:end], share=share, share_offsets=True)
