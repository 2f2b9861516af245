"""Cells as numpy arrays: VTK's offsets + connectivity and the layouts ArrayDicts use.

VTK >= 9 stores the cells of a ``vtkCellArray`` as two integer arrays: the
point ids of every cell one after the other (*connectivity*) and where each
cell starts in it (*offsets*, one more entry than cells). Everything here works
on those two arrays at once, never cell by cell:

- ``CellPointIds`` of surfaces and centerlines: an ``(M, k)`` array when every
  cell has ``k`` points, else a list of ``M`` 1-D arrays;
- VTK's legacy flat layout of meshes, ``[n0, id, id, ..., n1, id, ...]``, with
  ``CellLocations``, where each cell's count ``n`` is.

Ids keep the width of VTK's connectivity storage (int64, or int32 for 32-bit
storage); on the way to VTK int32 ids give 32-bit storage (shared with numpy)
and any other integer type becomes int64.
"""

from __future__ import annotations

from itertools import accumulate
from typing import Any, List, NamedTuple, Optional, Sequence, Tuple, Union, cast

import numpy as np
from vtkmodules.vtkCommonDataModel import vtkCellArray

from .._vtk_version import vtk_at_least
from ..errors import ArrayDictError
from .arrays import numpy_to_vtk, vtk_to_numpy
from .validate import integer_array

#: What ``CellPointIds`` may be: an ``(M, k)`` array or one 1-D array per cell.
CellPointIds = Union[np.ndarray, List[np.ndarray]]

#: The layouts :func:`offsets_to_cell_point_ids` can give.
CELL_POINT_ID_LAYOUTS = ("auto", "array", "list")

_INT32_MAX = np.iinfo(np.int32).max


# --- vtkCellArray <-> offsets + connectivity ------------------------------------


def cell_array_to_numpy(cells: Optional[vtkCellArray], copy: bool = True) -> Tuple[np.ndarray, np.ndarray]:
    """The ``(offsets, connectivity)`` of a ``vtkCellArray`` (``None`` counts as no cells).

    With ``copy=False`` both are views of VTK's memory.

    Examples
    --------
    >>> from vtkmodules.vtkCommonDataModel import vtkCellArray
    >>> cells = vtkCellArray(); cells.InsertNextCell(3, [0, 1, 2])
    0
    >>> offsets, connectivity = cell_array_to_numpy(cells)
    >>> offsets.tolist(), connectivity.tolist()
    ([0, 3], [0, 1, 2])
    """
    if cells is None:
        return np.zeros(1, np.int64), np.empty(0, np.int64)
    connectivity = vtk_to_numpy(cells.GetConnectivityArray(), copy=copy)
    if KEEPS_GIVEN_ARRAYS and cells.IsStorageFixedSize():
        # The offsets are implicit (computed from the cell's index): made here at once, as VTK would.
        return regular_offsets(cells.GetNumberOfCells(), cells.GetCellSize(0) if connectivity.size else 0,
                               connectivity.dtype), connectivity
    offsets = vtk_to_numpy(cells.GetOffsetsArray(), copy=copy)
    if offsets.size == 0:  # a cell array that was never allocated
        offsets = np.zeros(1, connectivity.dtype)
    return offsets, connectivity


def storage_dtype(ids: np.ndarray, size: Optional[int] = None) -> np.dtype:
    """The dtype VTK stores ``ids`` with: int32 for int32 ids that fit, else int64."""
    size = ids.size if size is None else size
    if ids.dtype == np.int32 and size <= _INT32_MAX:
        return np.dtype(np.int32)
    return np.dtype(np.int64)


def numpy_to_cell_array(
    offsets: np.ndarray, connectivity: np.ndarray, share: bool = True, share_offsets: Optional[bool] = None
) -> vtkCellArray:
    """A ``vtkCellArray`` with these offsets and connectivity (both int32 or both int64).

    With ``share=True`` VTK uses the numpy memory (when it is contiguous).
    ``share_offsets`` (default: ``share``) decides for the offsets alone: offsets
    the caller has just made need no copy even when the connectivity does.

    Examples
    --------
    >>> import numpy as np
    >>> cells = numpy_to_cell_array(np.array([0, 3, 7]), np.arange(7))
    >>> cells.GetNumberOfCells(), cells.GetCellSize(1)
    (2, 4)
    """
    vtk_offsets = numpy_to_vtk(offsets, share=share if share_offsets is None else share_offsets, where="offsets")
    vtk_connectivity = numpy_to_vtk(connectivity, share=share, where="connectivity")
    cells = vtkCellArray()
    # VTK 9.3 to 9.5 pick an overload for vtkTypeInt32Array/vtkTypeInt64Array that returns nothing,
    # and the arrays made here are of those types: only False is a refusal, and only the stored
    # offsets tell whether the cells were taken.
    accepted = cells.SetData(vtk_offsets, vtk_connectivity)
    if accepted is False or cells.GetNumberOfOffsets() != vtk_offsets.GetNumberOfTuples():
        raise ArrayDictError(f"VTK refused cells with offsets {offsets.dtype} and connectivity {connectivity.dtype}")
    if not KEEPS_GIVEN_ARRAYS:  # checked by the tests
        keep_alive(cells.GetOffsetsArray(), vtk_offsets)
        keep_alive(cells.GetConnectivityArray(), vtk_connectivity)
    return cells


def keep_alive(stored: Any, given: Any) -> None:
    """Make the VTK array a dataset kept (``stored``) hold the numpy memory ``given`` was made from.

    Some VTK versions keep a new array that shares ``given``'s buffer instead
    of ``given`` itself; the numpy memory must then live as long as that one.
    """
    reference = getattr(given, "_numpy_reference", None)
    if stored is not None and reference is not None and stored is not given:
        stored._numpy_reference = reference


# --- CellPointIds: (M, k) array or list of 1-D arrays ----------------------------


def cell_point_ids_to_offsets(ids: Any, where: str) -> Tuple[np.ndarray, np.ndarray]:
    """``(offsets, connectivity)`` of ``CellPointIds``, in VTK's storage dtype.

    An ``(M, k)`` array gives ``offsets = [0, k, 2k, ...]`` and its rows as
    connectivity (a view when the array is contiguous int32 or int64); a list
    (or tuple, or 1-D object array) of ``M`` 1-D integer arrays is concatenated
    once.

    Raises
    ------
    ArrayDictError
        For anything else: other shapes, non-integer values, list entries that
        are not 1-D integer sequences. The message names the entry.
    """
    regular = regular_cell_point_ids(ids, where)
    if regular is not None:
        connectivity, count, size = regular
        return regular_offsets(count, size, connectivity.dtype), connectivity
    if isinstance(ids, (list, tuple)) or (isinstance(ids, np.ndarray) and ids.ndim == 1):
        return _list_to_offsets(ids, where)
    raise ArrayDictError(
        f"{where}: expected an (M, k) integer array or a list of 1-D integer arrays (one per cell), "
        f"found {type(ids).__name__}"
    )


def regular_cell_point_ids(ids: Any, where: str) -> Optional[Tuple[np.ndarray, int, int]]:
    """``(connectivity, M, k)`` of an ``(M, k)`` integer array of ids, in VTK's storage dtype; None for a list.

    The connectivity is a view of ``ids`` when the array is contiguous int32
    or int64: nothing is read or written, and no offsets are made.

    Raises
    ------
    ArrayDictError
        For a numeric array that is not ``(M, k)`` integers.
    """
    if not isinstance(ids, np.ndarray) or ids.dtype == object:
        return None
    array = integer_array(ids, where)
    if array.ndim != 2:
        raise ArrayDictError(
            f"{where}: expected an (M, k) array (M cells of k points) or a list of 1-D arrays "
            f"(one per cell), found an array of shape {array.shape}"
        )
    count, size = array.shape
    return array.astype(storage_dtype(array), copy=False).reshape(-1), count, size


def regular_offsets(count: int, size: int, dtype: Any) -> np.ndarray:
    """The offsets of ``count`` cells of ``size`` points each: ``[0, k, 2k, ..., Mk]``."""
    if size:
        return np.arange(0, count * size + 1, size, dtype=dtype)
    return np.zeros(count + 1, dtype)


#: Whether ``vtkCellArray.SetData`` keeps the arrays it is given rather than copying them (VTK >= 9.6).
KEEPS_GIVEN_ARRAYS = hasattr(vtkCellArray, "IsStorageFixedSize")
#: Whether cells of one size go to VTK's fixed-size storage, with no offsets array. VTK 9.6 has that
#: storage, but its ASCII XML writers crash on it (no array iterator for the implicit offsets): 9.7 on.
FIXED_SIZE_STORAGE = KEEPS_GIVEN_ARRAYS and vtk_at_least(9, 7)


def fixed_size_cell_array(connectivity: np.ndarray, size: int, share: bool = True) -> Optional[vtkCellArray]:
    """A ``vtkCellArray`` of cells of ``size`` points each in VTK's fixed-size storage; None before VTK 9.7.

    VTK computes each cell's offset from its index, so no offsets array is
    made or read: the cost does not grow with the number of cells (nothing at
    all when ``share`` is True and the connectivity can be shared).
    ``connectivity`` is int32 or int64 and holds a multiple of ``size`` ids.

    Examples
    --------
    >>> import numpy as np
    >>> cells = fixed_size_cell_array(np.arange(6), 3)
    >>> cells is None or (cells.GetNumberOfCells(), cells.IsHomogeneous()) == (2, 3)
    True
    """
    if not FIXED_SIZE_STORAGE or size <= 0 or connectivity.size == 0:
        return None
    vtk_connectivity = numpy_to_vtk(connectivity, share=share, where="connectivity")
    cells = vtkCellArray()
    if not cells.SetData(size, vtk_connectivity):
        raise ArrayDictError(f"VTK refused {connectivity.size} {connectivity.dtype} ids as cells of {size} points")
    # VTK >= 9.6 keeps the array it is given, with the numpy reference on it: no keep_alive needed.
    return cells


def _list_to_offsets(ids: Union[Sequence[Any], np.ndarray], where: str) -> Tuple[np.ndarray, np.ndarray]:
    count = len(ids)
    try:
        # The running sum as the lengths are read: one call, however few the cells.
        offsets = np.fromiter(accumulate(map(len, ids), initial=0), dtype=np.int64, count=count + 1)
    except TypeError:
        index, entry = next((i, e) for i, e in enumerate(ids) if not _has_length(e))
        raise ArrayDictError(
            f"{where}[{index}]: expected a 1-D array of point ids, found {type(entry).__name__} {entry!r}"
        ) from None
    total = int(offsets[-1])
    connectivity: Optional[np.ndarray]
    if total == 0:
        connectivity = np.empty(0, np.int64)
    else:
        try:
            connectivity = np.concatenate(ids)
        except (ValueError, TypeError):
            connectivity = None
        if connectivity is not None and connectivity.dtype.kind not in "iu" and connectivity.size == total:
            # Empty Python lists are float arrays to numpy; only non-empty entries carry a dtype.
            connectivity = np.concatenate([entry for entry, length in zip(ids, np.diff(offsets)) if length])
        if connectivity is None or connectivity.ndim != 1 or connectivity.size != total:
            raise ArrayDictError(_bad_entry(ids, where, "is not a 1-D sequence of point ids"))
        if connectivity.dtype.kind not in "iu":
            raise ArrayDictError(_bad_entry(ids, where, "holds non-integer point ids"))
    dtype = storage_dtype(connectivity, total)
    return offsets.astype(dtype, copy=False), connectivity.astype(dtype, copy=False)


def _has_length(entry: Any) -> bool:
    """Whether ``len(entry)`` works (a 0-d array has ``__len__`` and refuses it)."""
    try:
        len(entry)
    except TypeError:
        return False
    return True


def _bad_entry(ids: Union[Sequence[Any], np.ndarray], where: str, problem: str) -> str:
    """Say which entry of a ragged list is wrong (runs only once the whole list failed)."""
    for index, entry in enumerate(ids):
        try:
            array = np.asarray(entry)
        except (ValueError, TypeError):
            return f"{where}[{index}]: {problem} (it cannot be read as an array)"
        if array.ndim != 1:
            return f"{where}[{index}]: {problem}: expected a 1-D array, found shape {array.shape}"
        if array.size and array.dtype.kind not in "iu":
            return f"{where}[{index}]: {problem}: expected integers, found dtype {array.dtype}"
    return f"{where}: {problem}"


def offsets_to_cell_point_ids(
    offsets: np.ndarray, connectivity: np.ndarray, layout: str = "auto", where: str = "CellPointIds"
) -> CellPointIds:
    """``CellPointIds`` from offsets and connectivity.

    Parameters
    ----------
    layout : {"auto", "array", "list"}
        ``"array"``: an ``(M, k)`` array (a view of ``connectivity``), which
        needs every cell to have ``k`` points; ``"list"``: ``M`` 1-D arrays
        (views of ``connectivity``); ``"auto"``: the array when the cells allow
        it, else the list. Zero cells give an empty ``(0, 0)`` array or ``[]``.

    Examples
    --------
    >>> import numpy as np
    >>> offsets_to_cell_point_ids(np.array([0, 3, 6]), np.arange(6)).tolist()
    [[0, 1, 2], [3, 4, 5]]
    >>> [cell.tolist() for cell in offsets_to_cell_point_ids(np.array([0, 3, 7]), np.arange(7))]
    [[0, 1, 2], [3, 4, 5, 6]]
    """
    if layout not in CELL_POINT_ID_LAYOUTS:
        raise ValueError(f"layout must be one of {CELL_POINT_ID_LAYOUTS}, not {layout!r}")
    count = offsets.size - 1
    start = int(offsets[0]) if offsets.size else 0
    if layout != "list":
        if count == 0:
            return np.empty((0, 0), connectivity.dtype)
        sizes = np.diff(offsets)
        size = int(sizes[0])
        if (sizes == size).all():
            return connectivity[start : start + count * size].reshape(count, size)
        if layout == "array":
            raise ArrayDictError(
                f"{where}: cells have from {int(sizes.min())} to {int(sizes.max())} points; "
                "an (M, k) array needs the same number of points in every cell (use the list layout)"
            )
    if count == 0:
        return []
    # Plain slices of one array: a tenth of what np.split spends per cell (it matters for 100k lines).
    bounds = offsets.tolist()
    return [connectivity[first:last] for first, last in zip(bounds[:-1], bounds[1:])]


def reorder_cells(offsets: np.ndarray, connectivity: np.ndarray, order: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """The cells taken in ``order`` (a permutation of the cell ids), as new offsets and connectivity."""
    sizes = np.diff(offsets)[order]
    new_offsets = np.zeros(order.size + 1, offsets.dtype)
    np.cumsum(sizes, out=new_offsets[1:])
    # Each id moves by (where its cell started) - (where its cell starts now).
    shift = np.repeat(offsets[:-1][order] - new_offsets[:-1], sizes)
    positions = np.arange(int(new_offsets[-1]), dtype=offsets.dtype) + shift
    return new_offsets, connectivity[positions]


# --- VTK's legacy flat layout (meshes) -------------------------------------------


def offsets_to_legacy(
    offsets: np.ndarray, connectivity: np.ndarray, cell_size: Optional[int] = None
) -> Tuple[np.ndarray, np.ndarray]:
    """VTK's legacy flat cells ``[n0, ids..., n1, ids...]`` and the location of each ``n``, both int64.

    ``cell_size``: the number of points of every cell, when the caller knows
    they all have the same (VTK's ``IsHomogeneous``); the layout is then
    written as one ``(M, k + 1)`` block.

    Examples
    --------
    >>> import numpy as np
    >>> cells, locations = offsets_to_legacy(np.array([0, 3, 5]), np.array([7, 8, 9, 1, 2]))
    >>> cells.tolist(), locations.tolist()
    ([3, 7, 8, 9, 2, 1, 2], [0, 4])
    """
    count = offsets.size - 1
    start = int(offsets[0]) if offsets.size else 0
    if cell_size and count > 0:
        return regular_to_legacy(connectivity[start : start + count * cell_size].reshape(count, cell_size))
    locations = offsets[:-1].astype(np.int64) - start + np.arange(count, dtype=np.int64)
    flat = np.empty(connectivity.size + count, np.int64)
    is_count = np.zeros(flat.size, bool)
    is_count[locations] = True
    flat[locations] = np.diff(offsets)
    flat[~is_count] = connectivity[start : int(offsets[-1])] if count else connectivity[:0]
    return flat, locations


class LegacyCells(NamedTuple):
    """Cells read from the legacy flat layout (see :func:`legacy_to_cells`)."""

    offsets: Optional[np.ndarray]
    connectivity: np.ndarray
    #: ``k`` when every cell has ``k`` points (the offsets are then ``[0, k, 2k, ...]``), else 0.
    size: int
    #: The largest id seen as unsigned (a negative id is then larger than any count of points),
    #: when it was found while the ids were copied; else None.
    largest_id: Optional[int]


def regular_to_legacy(ids: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """VTK's legacy flat cells and locations of ``M`` cells of ``k`` points, given as an ``(M, k)`` array.

    Only the ids are read (no offsets): the layout is written as one ``(M, k + 1)`` block.

    Examples
    --------
    >>> import numpy as np
    >>> [a.tolist() for a in regular_to_legacy(np.array([[7, 8, 9], [1, 2, 3]]))]
    [[3, 7, 8, 9, 3, 1, 2, 3], [0, 4]]
    """
    count, size = ids.shape
    # Not np.full: every value but the counts would be written twice.
    block = np.empty((count, size + 1), np.int64)
    block[:, 0] = size
    if ids.dtype == np.int64 and ids.flags.c_contiguous:
        _row_records(block[:, 1:])[...] = _row_records(ids)
    else:
        block[:, 1:] = ids
    return block.reshape(-1), np.arange(0, count * (size + 1), size + 1, dtype=np.int64)


def legacy_to_offsets(
    cells: Any, locations: Any, where_cells: str, where_locations: str
) -> Tuple[np.ndarray, np.ndarray]:
    """``(offsets, connectivity)`` of legacy flat cells, checking that counts and locations agree.

    ``locations`` are where each cell's count is in ``cells`` (VTK < 9 and
    :func:`offsets_to_legacy`), or where each cell's ids start once the counts
    are removed (what VTK >= 9 reports as cell locations, so what vmtk writes
    there): both are accepted. They cannot be confused, since the counts in
    ``cells`` fix where every cell starts.

    Raises
    ------
    ArrayDictError
        If the arrays are not 1-D integer arrays, a count is negative, or the
        cells do not follow one another as the locations say.

    Examples
    --------
    >>> import numpy as np
    >>> flat = np.array([3, 7, 8, 9, 2, 1, 2])
    >>> [a.tolist() for a in legacy_to_offsets(flat, [0, 4], "cells", "locations")]
    [[0, 3, 5], [7, 8, 9, 1, 2]]
    >>> [a.tolist() for a in legacy_to_offsets(flat, [0, 3], "cells", "locations")]
    [[0, 3, 5], [7, 8, 9, 1, 2]]
    """
    read = legacy_to_cells(cells, locations, where_cells, where_locations)
    return cast(np.ndarray, read.offsets), read.connectivity  # offsets_of_one_size: never None


def legacy_to_cells(
    cells: Any, locations: Any, where_cells: str, where_locations: str, offsets_of_one_size: bool = True
) -> LegacyCells:
    """:func:`legacy_to_offsets`, with what was learnt on the way: the cells' common size and the largest id.

    Cells of one size (most meshes) are rows of one block: their ids are its
    last columns. Their offsets are ``None`` unless ``offsets_of_one_size``
    (VTK's fixed-size storage needs none).
    """
    flat = integer_array(cells, where_cells)
    starts = integer_array(locations, where_locations)
    for array, where in ((flat, where_cells), (starts, where_locations)):
        if array.ndim != 1:
            raise ArrayDictError(f"{where}: expected a 1-D array, found shape {array.shape}")
    count = starts.size
    if count == 0:
        if flat.size:
            raise ArrayDictError(f"{where_cells}: holds {flat.size} values but {where_locations} is empty")
        return LegacyCells(np.zeros(1, np.int64), np.empty(0, np.int64), 0, None)
    starts = starts.astype(np.int64, copy=False)
    size = _uniform_cell_size(flat, starts)
    if size:
        read = _regular_rows(flat.reshape(count, size + 1))
        if read is not None:
            connectivity, largest = read
            dtype = storage_dtype(connectivity)
            offsets = np.arange(0, (count + 1) * size, size, dtype=dtype) if offsets_of_one_size else None
            if connectivity.dtype != dtype:  # the largest value was taken in another width
                return LegacyCells(offsets, connectivity.astype(dtype), size, None)
            return LegacyCells(offsets, connectivity, size, largest)
    sizes, problem = _follow_counts(flat, starts)
    if problem:
        shifted = starts + np.arange(count, dtype=np.int64)
        sizes, shifted_problem = _follow_counts(flat, shifted)
        if shifted_problem:
            raise ArrayDictError(f"{where_locations}: does not match the point counts in {where_cells}: {problem}")
        starts = shifted
    size = int(sizes[0]) if int(sizes.min()) == int(sizes.max()) else 0
    if size:
        # Cells of one size that follow one another are rows of an (M, k + 1) block: the ids are its
        # last k columns, taken without a mask over every value.
        connectivity = _last_columns(flat.reshape(count, size + 1))
    else:
        is_id = np.ones(flat.size, bool)
        is_id[starts] = False
        connectivity = flat[is_id]
    dtype = storage_dtype(connectivity)
    offsets = np.zeros(count + 1, dtype)
    np.cumsum(sizes, out=offsets[1:])
    return LegacyCells(offsets, connectivity.astype(dtype, copy=False), size, None)


def _regular_rows(block: np.ndarray) -> Optional[Tuple[np.ndarray, int]]:
    """``(ids, largest id as unsigned)`` of an ``(M, k + 1)`` block whose first column is all ``k``; else None."""
    if not (block[:, 0] == block.shape[1] - 1).all():
        return None
    ids = _last_columns(block)
    return ids, int(ids.view(ids.dtype.str.replace("i", "u")).max())


def _uniform_cell_size(flat: np.ndarray, starts: np.ndarray) -> int:
    """``k`` when ``flat`` may be cells of ``k > 0`` points each, one after the other, and ``starts`` says so
    in either convention (``i * (k + 1)`` or ``i * k``); else 0, and the general check decides. The
    counts themselves are left to :func:`_regular_rows`.

    This is the common case (meshes of one cell type); checking it needs no gather of the counts.
    """
    count, size = starts.size, int(flat[0]) if flat.size else 0
    if size <= 0 or flat.size != count * (size + 1) or starts[0] != 0:
        return 0
    step = int(starts[1]) if count > 1 else size + 1
    if step not in (size, size + 1) or not steps_equal(starts, step):
        return 0
    # Whether every count is k is checked as the ids are taken (_regular_rows).
    return size


#: Elements per step of the checks below: they reuse one small buffer instead of making
#: temporaries as large as the input, each of which would take new memory.
_CHECK_BLOCK = 1 << 15


def steps_equal(values: np.ndarray, step: int) -> bool:
    """Whether a 1-D array rises by exactly ``step`` from each element to the next.

    Examples
    --------
    >>> steps_equal(np.array([0, 4, 8, 12]), 4), steps_equal(np.array([0, 4, 9]), 4)
    (True, False)
    """
    count = values.size - 1
    steps = np.empty(min(max(count, 0), _CHECK_BLOCK), values.dtype)
    equal = np.empty(steps.size, bool)
    for begin in range(0, count, _CHECK_BLOCK):
        width = min(count - begin, _CHECK_BLOCK)
        np.subtract(values[begin + 1 : begin + width + 1], values[begin : begin + width], out=steps[:width])
        if not np.equal(steps[:width], step, out=equal[:width]).all():
            return False
    return True


def all_equal(values: np.ndarray, value: int) -> bool:
    """Whether every element of a 1-D array equals ``value``."""
    equal = np.empty(min(values.size, _CHECK_BLOCK), bool)
    for begin in range(0, values.size, _CHECK_BLOCK):
        part = values[begin : begin + _CHECK_BLOCK]
        if not np.equal(part, value, out=equal[: part.size]).all():
            return False
    return True


def _last_columns(block: np.ndarray) -> np.ndarray:
    """A copy of ``block[:, 1:]`` of a 2-D ``block``, flattened."""
    columns = block[:, 1:]
    if columns.shape[1] == 0 or columns.strides[1] != columns.itemsize:
        return columns.flatten()
    return _row_records(columns).copy().view(block.dtype)


def _row_records(rows: np.ndarray) -> np.ndarray:
    """A view of the rows of a 2-D array, each row contiguous, as one record per row: shape ``(M,)``.

    numpy copies a strided ``(M, k)`` array (columns of a wider array)
    element by element; copied as records, whole rows move at once, in about
    half the time.
    """
    if rows.strides[1] != rows.itemsize:
        raise ValueError(f"rows must each be contiguous, found strides {rows.strides}")
    return rows.view(np.dtype((np.void, rows.itemsize * rows.shape[1])))[:, 0]


def _follow_counts(flat: np.ndarray, starts: np.ndarray) -> Tuple[np.ndarray, str]:
    """The cells' sizes if each cell's count is at ``starts`` and they follow one another; else a problem."""
    low, high = int(starts.min()), int(starts.max())
    if low < 0 or high >= flat.size:
        bad = low if low < 0 else high
        return starts, f"location {bad} is outside the {flat.size} values"
    sizes = flat[starts].astype(np.int64)
    if sizes.min() < 0:
        bad = int(np.argmin(sizes))
        return sizes, f"cell {bad} has a negative point count {int(sizes[bad])}"
    ends = starts + sizes + 1
    expected = np.empty_like(starts)
    expected[0] = 0
    expected[1:] = ends[:-1]
    mismatch = np.flatnonzero(starts != expected)
    if mismatch.size:
        bad = int(mismatch[0])
        return sizes, f"cell {bad} should start at {int(expected[bad])}, found {int(starts[bad])}"
    if ends[-1] != flat.size:
        return sizes, f"the last cell ends at {int(ends[-1])}, but there are {flat.size} values"
    return sizes, ""
