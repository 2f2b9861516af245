"""A fuzzing campaign for the converters: random valid ArrayDicts, mutated, through VTK and back.

Every case is a dict of one kind (``polydata``, ``centerlines``, ``mesh``,
``image``): a valid dict drawn at random, then one to three mutations of its
keys, dtypes, shapes, values, ``ArrayTypes``, ``ActiveArrays``, cell types, cell
ids or image placement. It goes through the kind's ``dict_to_*`` and back
through ``*_to_dict``, and :func:`check_round_trip` accepts exactly three
outcomes:

- the same dict: same keys, dtypes, shapes and values, bit for bit;
- an :class:`~vmtkscripts_numpy.errors.ArrayDictError` whose message names a
  key (it starts with ``ArrayDict``);
- :class:`~vmtkscripts_numpy.errors.LossWarning` s, where every part of the dict
  that changed is named by one of them.

Anything else (another exception, a silent change, a change to the input dict
itself) is a :class:`SilentChange`. "The same" follows the layout contract
(docs/arraydict-layout.md), which fixes a few representations on the way
back; these are not changes:

- keys the dict leaves out (or gives as None) come back with their documented defaults;
- byte order becomes native (VTK's only one), values unchanged;
- ``CellPointIds`` come back in their documented layout (an ``(M, k)`` array
  for surfaces whose cells all have ``k`` points, else a list; a list for
  centerlines and for meshes given as a list; VTK's legacy flat layout for
  meshes) and storage dtype (int32 ids stay int32, others become int64), and
  first in ``CellData``; mesh ``CellLocations`` are the positions of the counts;
- ``CellTypes`` are uint8; image ``Origin``, ``Spacing``, ``Direction`` are
  float64 and ``Dimensions``, ``Extent`` int64 (values exactly as given);
  ``IndexOrder`` and ``Frame`` are ``str`` (``Frame`` upper case);
- only data arrays have an order to keep (VTK's order of arrays).

Run as a script, it is the worker ``test_fuzz_round_trip.py`` starts in a
capped subprocess, so that a crash of VTK is a test failure, not a dead run
(``--keep-going`` counts every finding instead of stopping at the first)::

    python tests/convert/arraydict_fuzzing.py polydata --examples 200 --last-case last.txt
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import sys
import time
import warnings
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from vtkmodules.vtkCommonCore import (  # noqa: E402
    VTK_CHAR,
    VTK_ID_TYPE,
    VTK_LONG,
    VTK_UNSIGNED_LONG,
    vtkDataArray,
    vtkObject,
)
from vtkmodules.vtkCommonDataModel import vtkGenericCell  # noqa: E402

from vmtkscripts_numpy.convert.image import dict_to_image, image_to_dict  # noqa: E402
from vmtkscripts_numpy.convert.mesh import dict_to_mesh, mesh_to_dict  # noqa: E402
from vmtkscripts_numpy.convert.polydata import (  # noqa: E402
    centerlines_to_dict,
    dict_to_centerlines,
    dict_to_polydata,
    polydata_to_dict,
)
from vmtkscripts_numpy.errors import ArrayDictError, LossWarning  # noqa: E402

KINDS = ("polydata", "centerlines", "mesh", "image")
DTYPES = tuple(
    np.dtype(name)
    for name in (
        "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64", "bool"
    )
)
#: dtypes no VTK array has, and other things that are not numbers.
FOREIGN_DTYPES = tuple(
    np.dtype(name) for name in ("float16", "longdouble", "complex64", "complex128", "object", "U3", "S2", "M8[s]")
)


def _vtk_dtype(vtk_type: int) -> np.dtype:
    size = vtkDataArray.CreateDataArray(vtk_type).GetDataTypeSize()
    return np.dtype(f"{'u' if vtk_type == VTK_UNSIGNED_LONG else 'i'}{size}")


#: The ``ArrayTypes`` names and the numpy dtype of the VTK type each names (on this platform).
SPECIAL_TYPES: Dict[str, np.dtype] = {
    "vtkIdTypeArray": _vtk_dtype(VTK_ID_TYPE),
    "vtkLongArray": _vtk_dtype(VTK_LONG),
    "vtkUnsignedLongArray": _vtk_dtype(VTK_UNSIGNED_LONG),
    "vtkCharArray": _vtk_dtype(VTK_CHAR),
}
ROLES = (
    "Scalars", "Vectors", "Normals", "TCoords", "Tensors", "GlobalIds", "PedigreeIds", "EdgeFlag", "Tangents",
    "RationalWeights", "HigherOrderDegrees", "ProcessIds",
)
#: Roles and the component counts VTK takes for them (mutations try the others).
FITTING_ROLES = {
    "Scalars": lambda k: k <= 4, "Vectors": lambda k: k == 3, "Normals": lambda k: k == 3,
    "TCoords": lambda k: k <= 3, "Tensors": lambda k: k == 9, "GlobalIds": lambda k: k == 1,
}
POLYDATA_TYPES = {  # type: (cell array, smallest, largest number of points) for valid dicts
    1: (0, 1, 1), 2: (0, 2, 4), 3: (1, 2, 2), 4: (1, 3, 5), 5: (2, 3, 3), 9: (2, 4, 4), 7: (2, 5, 6), 6: (3, 3, 5),
}
MESH_FIXED_TYPES = {1: 1, 3: 2, 5: 3, 8: 4, 9: 4, 10: 4, 11: 8, 12: 8, 13: 6, 14: 5, 21: 3, 22: 6, 24: 10, 35: 4}
MESH_FREE_TYPES = {2: 1, 4: 2, 6: 3, 7: 3, 41: 4, 68: 2}  # type: fewest points in valid dicts


class SilentChange(AssertionError):
    """A case that changed without an error or a warning naming the key, or failed the wrong way."""


# --- valid dicts ----------------------------------------------------------------------------------

names = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1, max_size=5
).filter(lambda name: name != "CellPointIds")


@st.composite
def data_arrays(draw, tuples: int, dtype: Optional[np.dtype] = None) -> np.ndarray:
    """``(tuples,)`` or ``(tuples, k)`` values of any bit pattern of a VTK dtype."""
    dtype = dtype or draw(st.sampled_from(DTYPES))
    components = draw(st.sampled_from((1, 1, 1, 2, 3, 4, 6, 9)))
    shape = (tuples,) if components == 1 else (tuples, components)
    count = math.prod(shape)
    raw = draw(st.binary(min_size=count * dtype.itemsize, max_size=count * dtype.itemsize))
    if dtype == np.bool_:
        return (np.frombuffer(raw, np.uint8) & 1).astype(bool).reshape(shape)
    return np.frombuffer(raw, dtype).reshape(shape).copy()


@st.composite
def sections(draw, point_tuples: int, cell_tuples: int, grid: Optional[Callable] = None) -> Dict[str, Any]:
    """``PointData``, ``CellData``, ``FieldData``, ``ArrayTypes`` and ``ActiveArrays`` that fit together."""
    result: Dict[str, Any] = {}
    for section, tuples in (("PointData", point_tuples), ("CellData", cell_tuples), ("FieldData", None)):
        count = draw(st.integers(0, 3))
        arrays = {}
        for name in draw(st.lists(names, min_size=count, max_size=count, unique=True)):
            values = draw(data_arrays(draw(st.integers(0, 4)) if tuples is None else tuples))
            arrays[name] = values if grid is None or tuples is None else grid(values, section)
        result[section] = arrays
    types: Dict[str, Dict[str, str]] = {section: {} for section in ("PointData", "CellData", "FieldData")}
    for section in types:
        for name, values in result[section].items():
            fitting = [type_name for type_name, dtype in SPECIAL_TYPES.items() if dtype == values.dtype]
            if fitting and draw(st.booleans()):
                types[section][name] = draw(st.sampled_from(fitting))
    active: Dict[str, Dict[str, str]] = {"PointData": {}, "CellData": {}}
    for section in active:
        for name, values in result[section].items():
            components = 1 if np.ndim(values) in (1, 3) else np.shape(values)[-1]
            roles = [role for role, fits in FITTING_ROLES.items() if fits(components)]
            role = draw(st.sampled_from([None, None] + roles))
            if role is not None and role not in active[section]:
                active[section][role] = name
    result["ArrayTypes"] = types
    result["ActiveArrays"] = active
    return result


@st.composite
def points(draw, count: int) -> np.ndarray:
    dtype = draw(st.sampled_from((np.dtype(np.float32), np.dtype(np.float64))))
    raw = draw(st.binary(min_size=count * 3 * dtype.itemsize, max_size=count * 3 * dtype.itemsize))
    return np.frombuffer(raw, dtype).reshape(count, 3).copy()


@st.composite
def polydata_dicts(draw, centerlines: bool = False) -> Dict[str, Any]:
    count = draw(st.integers(0, 8))
    type_choices = (3, 3, 4, 4, 4, 1, 5) if centerlines else tuple(POLYDATA_TYPES)
    types = sorted(
        draw(st.lists(st.sampled_from(type_choices), max_size=6 if count else 0)),
        key=lambda cell_type: POLYDATA_TYPES[cell_type][0],
    )
    ids_dtype = draw(st.sampled_from((np.dtype(np.int64), np.dtype(np.int32))))
    cells = []
    for cell_type in types:
        _, low, high = POLYDATA_TYPES[cell_type]
        size = draw(st.integers(low, high))
        cells.append(np.array(draw(st.lists(st.integers(0, count - 1), min_size=size, max_size=size)), ids_dtype))
    sizes = {cell.size for cell in cells}
    if not centerlines and len(sizes) == 1 and draw(st.booleans()):
        ids: Any = np.array(cells, ids_dtype)
    else:
        ids = cells
    array_dict = {"Points": draw(points(count)), **draw(sections(count, len(cells)))}
    array_dict["CellData"] = {"CellPointIds": ids, **array_dict["CellData"]}
    array_dict["CellTypes"] = np.array(types, np.uint8)
    return array_dict


@st.composite
def mesh_dicts(draw) -> Dict[str, Any]:
    count = draw(st.integers(1, 12))
    cells, types = [], []
    for _ in range(draw(st.integers(0, 5))):
        cell_type = draw(st.sampled_from(sorted(MESH_FIXED_TYPES) + sorted(MESH_FREE_TYPES)))
        size = MESH_FIXED_TYPES.get(cell_type) or draw(st.integers(MESH_FREE_TYPES[cell_type], 6))
        cells.append(draw(st.lists(st.integers(0, count - 1), min_size=size, max_size=size)))
        types.append(cell_type)
    layout = draw(st.sampled_from(("legacy", "vtk9", "list")))
    mesh_cells: Dict[str, Any] = {}
    if layout == "list":
        ids_dtype = draw(st.sampled_from((np.dtype(np.int64), np.dtype(np.int32))))
        mesh_cells["CellPointIds"] = [np.array(cell, ids_dtype) for cell in cells]
    else:
        flat = [value for cell in cells for value in [len(cell)] + cell]
        starts = np.cumsum([0] + [len(cell) + (layout == "legacy") for cell in cells])[:-1]
        mesh_cells["CellPointIds"] = np.array(flat, np.int64)
        mesh_cells["CellLocations"] = starts.astype(np.int64)
    mesh_cells["CellTypes"] = np.array(types, np.uint8)
    if draw(st.booleans()):
        mesh_cells["CellTypesAsStrings"] = _cell_type_strings(mesh_cells["CellTypes"])
    return {"Points": draw(points(count)), "Cells": mesh_cells, **draw(sections(count, len(cells)))}


def _cell_type_strings(types: np.ndarray) -> Dict[str, np.ndarray]:
    from vmtkscripts_numpy.convert.mesh import cell_class_name

    return {cell_class_name(int(t)): np.array([t], np.uint8) for t in np.unique(types)}


@st.composite
def directions(draw) -> np.ndarray:
    """Orthonormal matrices: signed permutations (exact) and rotations (to the last bit or so)."""
    if draw(st.booleans()):
        matrix = np.zeros((3, 3))
        signs = draw(st.lists(st.sampled_from((-1.0, 1.0)), min_size=3, max_size=3))
        matrix[np.arange(3), draw(st.permutations(range(3)))] = signs
        return matrix
    angles = draw(st.lists(st.floats(-math.pi, math.pi), min_size=3, max_size=3))
    matrix = np.eye(3)
    for axis, angle in enumerate(angles):
        rotation = np.eye(3)
        i, j = [k for k in range(3) if k != axis]
        rotation[[i, i, j, j], [i, j, i, j]] = math.cos(angle), -math.sin(angle), math.sin(angle), math.cos(angle)
        matrix = matrix @ rotation
    return matrix


# Mostly the sizes of real images, sometimes anything a float64 holds.
finite = st.one_of(st.floats(-1e4, 1e4), st.floats(allow_nan=False, allow_infinity=False))
positive = st.one_of(
    st.floats(1e-3, 1e3), st.floats(min_value=0.0, exclude_min=True, allow_infinity=False)
)


@st.composite
def image_dicts(draw) -> Dict[str, Any]:
    dimensions = draw(st.lists(st.integers(1, 4), min_size=3, max_size=3))
    if draw(st.integers(0, 9)) == 0:
        dimensions[draw(st.integers(0, 2))] = 0
    starts = st.one_of(st.just(0), st.integers(-3, 3), st.integers(-(2**31), 2**31 - 5))
    start = draw(st.lists(starts, min_size=3, max_size=3))
    extent = np.array([bound for low, count in zip(start, dimensions) for bound in (low, low + count - 1)], np.int64)
    order = draw(st.sampled_from(("xyz", "zyx")))
    cell_grid = (0, 0, 0) if 0 in dimensions else tuple(max(count - 1, 1) for count in dimensions)

    def grid(values: np.ndarray, section: str) -> np.ndarray:
        shape = tuple(dimensions if section == "PointData" else cell_grid)
        shape = shape if order == "xyz" else shape[::-1]
        zyx_flat = values.reshape((math.prod(shape),) + values.shape[1:])
        if order == "zyx":
            return zyx_flat.reshape(shape + values.shape[1:])
        zyx = zyx_flat.reshape(shape[::-1] + values.shape[1:])
        return zyx.transpose((2, 1, 0) + tuple(range(3, zyx.ndim)))

    array_dict = {
        "Origin": np.array(draw(st.lists(finite, min_size=3, max_size=3))),
        "Dimensions": np.array(dimensions, np.int64),
        "Spacing": np.array(draw(st.lists(positive, min_size=3, max_size=3))),
        "Direction": draw(directions()),
        "Extent": extent,
        "IndexOrder": order,
        "Frame": draw(st.sampled_from(("RAS", "LPS"))),
        **draw(sections(math.prod(dimensions), math.prod(cell_grid), grid=grid)),
    }
    return array_dict


VALID = {
    "polydata": polydata_dicts(),
    "centerlines": polydata_dicts(centerlines=True),
    "mesh": mesh_dicts(),
    "image": image_dicts(),
}


# --- mutations ------------------------------------------------------------------------------------

JUNK = (None, 0, 1.5, "x", b"x", [], {}, [[1, 2]], np.zeros(0), np.array("text"), np.zeros((2, 2, 2)), (1, 2, 3))


def _data_sections(array_dict: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [value for key in ("PointData", "CellData", "FieldData") if isinstance(value := array_dict.get(key), dict)]


def _pick_array(draw, array_dict: Dict[str, Any]) -> Optional[Tuple[Dict[str, Any], str]]:
    """A data section and one of its array names (not ``CellPointIds``), or None."""
    choices = [
        (section, name) for section in _data_sections(array_dict) for name in section if name != "CellPointIds"
    ]
    return draw(st.sampled_from(choices)) if choices else None


def _extremes(dtype: np.dtype) -> List[Any]:
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return [info.min, info.max, 0, -1 if dtype.kind == "i" else 1]
    if dtype.kind == "f":
        info = np.finfo(dtype)
        return [np.nan, np.inf, -np.inf, -0.0, info.max, info.tiny / 2, -info.max]
    return [True, False]


def mutate_key(draw, array_dict: Dict[str, Any], kind: str) -> None:
    """Drop a key, add one the layout does not know, or replace a value by junk."""
    action = draw(st.sampled_from(("drop", "unknown", "junk", "typo")))
    keys = list(array_dict)
    if action == "unknown" or not keys:
        array_dict[draw(st.sampled_from(("Directions", "origin", "TimeSeries", "", 5)))] = draw(st.sampled_from(JUNK))
        return
    key = draw(st.sampled_from(keys))
    if action == "drop":
        del array_dict[key]
    elif action == "typo":
        array_dict[key.lower() if key.lower() != key else key + "s"] = array_dict.pop(key)
    else:
        array_dict[key] = draw(st.sampled_from(JUNK))


def mutate_array(draw, array_dict: Dict[str, Any], kind: str) -> None:
    """Change one data array's dtype, byte order, shape, memory layout or values, or its name."""
    picked = _pick_array(draw, array_dict)
    if picked is None:
        return
    section, name = picked
    values = np.asarray(section[name])
    action = draw(st.sampled_from(("dtype", "byteorder", "shape", "layout", "values", "name", "list", "readonly")))
    if action == "dtype":
        dtype = draw(st.sampled_from(DTYPES + FOREIGN_DTYPES))
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                section[name] = values.astype(dtype)
        except (TypeError, ValueError, OverflowError):
            section[name] = np.zeros(values.shape, dtype)
    elif action == "byteorder":
        section[name] = values.astype(values.dtype.newbyteorder("S"))
    elif action == "shape":
        shape = values.shape
        section[name] = draw(st.sampled_from((
            values.reshape(shape + (1,)),
            values.reshape(shape[:1] + (1,) + shape[1:]) if shape else values,
            values[:-1] if values.ndim and values.shape[0] else values,
            np.concatenate([values, values[:1]]) if values.ndim and values.shape[0] else values,
            np.zeros(shape[:1] + (0,), values.dtype) if shape else values,
            values.reshape(-1)[:1].reshape(()) if values.size else np.zeros((), values.dtype),
            values.T,
        )))
    elif action == "layout":
        doubled = np.repeat(values, 2, axis=0) if values.ndim else values
        section[name] = draw(st.sampled_from((
            doubled[::2] if values.ndim else values,
            np.asfortranarray(values),
            np.ascontiguousarray(values),
        )))
    elif action == "values":
        changed = values.copy()
        if changed.size:
            flat = changed.reshape(-1)
            flat[draw(st.integers(0, flat.size - 1))] = draw(st.sampled_from(_extremes(changed.dtype)))
        section[name] = changed
    elif action == "name":
        new_name = draw(st.sampled_from(("", "a\x00b", "\x00", "a\udc80", "CellPointIds", 7, b"bytes", None, ("t",))))
        section[new_name] = section.pop(name)
    elif action == "list":
        section[name] = values.tolist()
    else:
        values = values.copy()
        values.flags.writeable = False
        section[name] = values


TYPE_NAMES = tuple(SPECIAL_TYPES) + ("vtkIntArray", "vtkDoubleArray", "vtkBitArray", "vtkStringArray", "", "x")


def mutate_array_types(draw, array_dict: Dict[str, Any], kind: str) -> None:
    """An ``ArrayTypes`` entry for any array (or none, or ``CellPointIds``), often one the values overflow."""
    table = array_dict.setdefault("ArrayTypes", {})
    if not isinstance(table, dict):
        return
    picked = _pick_array(draw, array_dict)
    action = draw(st.sampled_from(("special", "special", "retype", "missing", "junk", "section")))
    if action == "section":
        table[draw(st.sampled_from(("Points", "Cells", "Other", 3)))] = {}
        return
    section_key = draw(st.sampled_from(("PointData", "CellData", "FieldData")))
    if picked is not None and action != "missing":
        section, name = picked
        section_key = next(key for key in ("PointData", "CellData", "FieldData") if array_dict.get(key) is section)
    else:
        section, name = None, draw(st.sampled_from(("missing", "CellPointIds")))
    entries = table.setdefault(section_key, {})
    if not isinstance(entries, dict):
        return
    if action == "junk":
        entries[name] = draw(st.sampled_from(TYPE_NAMES + (None, 5, b"vtkIdTypeArray")))
        return
    entries[name] = draw(st.sampled_from(tuple(SPECIAL_TYPES)))
    if action == "retype" and section is not None:
        # Values that fit one VTK type and not another: the narrowing the converters must refuse.
        shape = np.shape(section[name])
        dtype = draw(st.sampled_from(DTYPES[:8]))
        value_sets = [[300, -1000, 2**40], [-1, -(2**62)], [2**63, 2**64 - 1], [0, 1, 127], [-128, 255]]
        values = draw(st.sampled_from(value_sets))
        fitting = [value for value in values if np.iinfo(dtype).min <= value <= np.iinfo(dtype).max] or [0]
        section[name] = np.resize(np.array(fitting, dtype), shape) if shape else np.array(fitting[0], dtype)


def mutate_active(draw, array_dict: Dict[str, Any], kind: str) -> None:
    """An ``ActiveArrays`` entry for any role and array, or a section the table does not have."""
    table = array_dict.setdefault("ActiveArrays", {})
    if not isinstance(table, dict):
        return
    section_key = draw(st.sampled_from(("PointData", "CellData", "FieldData", "Points")))
    entries = table.setdefault(section_key, {})
    if not isinstance(entries, dict):
        return
    picked = _pick_array(draw, array_dict)
    strays = ("missing", "CellPointIds", 3, None)
    name = picked[1] if picked and draw(st.booleans()) else draw(st.sampled_from(strays))
    entries[draw(st.sampled_from(ROLES + ("Colors", "")))] = name


def mutate_cells(draw, array_dict: Dict[str, Any], kind: str) -> None:
    """Surfaces and centerlines: ids out of range, of other dtypes or layouts; cell types of every sort."""
    cell_data = array_dict.get("CellData")
    if not isinstance(cell_data, dict) or "CellPointIds" not in cell_data:
        return
    ids = cell_data["CellPointIds"]
    cells = [np.asarray(cell) for cell in ids] if isinstance(ids, (list, tuple, np.ndarray)) else []
    action = draw(st.sampled_from(("id", "dtype", "layout", "ragged", "types", "types", "shuffle", "rename")))
    if action == "id" and cells and any(cell.size for cell in cells):
        index = draw(st.sampled_from([i for i, cell in enumerate(cells) if cell.size]))
        bad = draw(st.sampled_from((-1, len(array_dict.get("Points", ())), 2**31, 2**63 - 1, -(2**63))))
        cell = cells[index].astype(np.int64)
        cell[0] = bad
        cells[index] = cell
        cell_data["CellPointIds"] = cells
    elif action == "dtype" and cells:
        dtype = draw(st.sampled_from(DTYPES + (np.dtype("float16"), np.dtype(object))))
        cell_data["CellPointIds"] = [cell.astype(dtype) for cell in cells]
        if draw(st.booleans()) and len({cell.size for cell in cells}) == 1:
            cell_data["CellPointIds"] = np.array([cell.astype(dtype) for cell in cells])
    elif action == "layout":
        cell_data["CellPointIds"] = draw(st.sampled_from((
            tuple(cells), [cell.tolist() for cell in cells], np.array(cells, dtype=object) if cells else [],
            np.zeros((len(cells), 0), np.int64), np.zeros((0, 3), np.int64), np.array(0),
        )))
    elif action == "ragged" and cells:
        index = draw(st.integers(0, len(cells) - 1))
        cells[index] = draw(st.sampled_from((cells[index][:0], cells[index][:1], cells[index].reshape(1, -1), "ab")))
        cell_data["CellPointIds"] = cells
    elif action == "types":
        count = len(cells)
        array_dict["CellTypes"] = draw(st.sampled_from((
            np.full(count, draw(st.integers(-1, 256)), np.int64),
            np.full(count + 1, 5, np.uint8),
            np.full(count, 5.0),
            np.full(count, 7, np.uint64),
            np.full((count, 1), 5, np.uint8),
        )))
    elif action == "shuffle" and isinstance(array_dict.get("CellTypes"), np.ndarray):
        types = array_dict["CellTypes"]
        array_dict["CellTypes"] = types[draw(st.permutations(range(types.size)))] if types.ndim == 1 else types
    elif action == "rename" and isinstance(array_dict.get("CellTypes"), np.ndarray):
        # The same cell under a name VTK gives it another way: a 3-point polygon, a 2-point poly-line.
        renames = {5: 7, 9: 7, 3: 4, 1: 2, 7: 5, 4: 3, 2: 1}
        types = array_dict["CellTypes"].copy()
        if types.ndim == 1 and types.size:
            index = draw(st.integers(0, types.size - 1))
            types[index] = renames.get(int(types[index]), types[index])
        array_dict["CellTypes"] = types


def mutate_points(draw, array_dict: Dict[str, Any], kind: str) -> None:
    values = array_dict.get("Points")
    if not isinstance(values, np.ndarray) or values.ndim != 2 or values.dtype.kind not in "iufb":
        return
    action = draw(st.sampled_from(("dtype", "shape", "values")))
    if action == "dtype":
        with np.errstate(all="ignore"):
            array_dict["Points"] = values.astype(draw(st.sampled_from(DTYPES + FOREIGN_DTYPES[:4])))
    elif action == "shape":
        shapes = (values[:, :2], values.T, values.reshape(-1), np.zeros((1, 3, 1)))
        array_dict["Points"] = draw(st.sampled_from(shapes))
    elif values.size:
        changed = values.copy()
        changed.reshape(-1)[draw(st.integers(0, values.size - 1))] = draw(st.sampled_from(_extremes(values.dtype)))
        array_dict["Points"] = changed


def mutate_mesh_cells(draw, array_dict: Dict[str, Any], kind: str) -> None:
    """Meshes: counts and locations that disagree, unknown types, stray keys beside the cells."""
    cells = array_dict.get("Cells")
    if not isinstance(cells, dict):
        return
    action = draw(st.sampled_from(("location", "count", "types", "strings", "unknown", "both", "id", "dtype")))
    flat = cells.get("CellPointIds")
    locations = cells.get("CellLocations")
    if action == "location" and isinstance(locations, np.ndarray) and locations.size:
        changed = locations.copy()
        changed[draw(st.integers(0, changed.size - 1))] += draw(st.sampled_from((1, -1, 10**6, -(10**6))))
        cells["CellLocations"] = changed
    elif action == "count" and isinstance(flat, np.ndarray) and isinstance(locations, np.ndarray) and locations.size:
        changed = flat.copy()
        start = int(locations[draw(st.integers(0, locations.size - 1))])
        if 0 <= start < changed.size:
            changed[start] += draw(st.sampled_from((1, -1, -100, 2**40)))
        cells["CellPointIds"] = changed
    elif action == "types" and isinstance(cells.get("CellTypes"), np.ndarray):
        types = cells["CellTypes"].astype(np.int64)
        if types.size:
            types[draw(st.integers(0, types.size - 1))] = draw(st.sampled_from((0, 15, 17, 42, 60, 67, 255, 256, -1)))
        cells["CellTypes"] = types
    elif action == "strings":
        cells["CellTypesAsStrings"] = draw(st.sampled_from(({"vtkTetra": np.array([10])}, {}, "junk", {"x": 1})))
    elif action == "unknown":
        cells[draw(st.sampled_from(("CellEntityIds", "Offsets", 1)))] = np.zeros(2)
    elif action == "both" and isinstance(flat, list):
        cells["CellLocations"] = np.arange(len(flat))
    elif action == "id" and isinstance(flat, np.ndarray) and flat.size > 1:
        changed = flat.copy()
        index = draw(st.integers(0, flat.size - 1))
        if locations is None or index not in set(np.asarray(locations).tolist()):
            changed[index] = draw(st.sampled_from((-1, 10**6, 2**62)))
        cells["CellPointIds"] = changed
    elif action == "dtype" and isinstance(flat, np.ndarray):
        cells["CellPointIds"] = flat.astype(draw(st.sampled_from(DTYPES + (np.dtype("float64"),))))


PLACEMENT_VALUES = (1e308, -1e308, 1.7976931348623157e308, 5e-324, -0.0, 2.0**53 + 1, 1e-300, 1e300, np.nan, np.inf)


def mutate_placement(draw, array_dict: Dict[str, Any], kind: str) -> None:
    """Image placement: extreme and inexact numbers, other dtypes and shapes, extents at the int limits."""
    key = draw(st.sampled_from(("Origin", "Spacing", "Direction", "Extent", "Dimensions", "IndexOrder", "Frame")))
    value = array_dict.get(key)
    action = draw(st.sampled_from(("extreme", "dtype", "shape", "int-limit", "string")))
    if key in ("IndexOrder", "Frame") or action == "string":
        texts = (b"xyz", np.array("zyx"), "XYZ", "ras", b"LPS", np.array(b"RAS"), "", 1)
        array_dict[key] = draw(st.sampled_from(texts))
        return
    if not isinstance(value, np.ndarray):
        return
    if action == "extreme" and value.size:
        changed = value.astype(np.float64)
        changed.reshape(-1)[draw(st.integers(0, value.size - 1))] = draw(st.sampled_from(PLACEMENT_VALUES))
        array_dict[key] = changed
    elif action == "dtype":
        dtype = draw(st.sampled_from(DTYPES + (np.dtype("float16"), np.dtype("longdouble"))))
        if dtype.kind in "iub" and value.dtype.kind == "f":
            changed = value.astype(np.float64)
            changed = np.where(np.isfinite(changed), changed, 0)
            big = draw(st.sampled_from((0, 2**53 + 1, 2**62 + 1, 2**31)))
            array_dict[key] = (np.clip(changed, -1e6, 1e6).astype(np.int64) + big).astype(dtype)
        elif dtype == np.dtype("longdouble"):
            array_dict[key] = value.astype(dtype) + np.longdouble(2) ** -60 * draw(st.sampled_from((0, 1)))
        else:
            array_dict[key] = value.astype(dtype)
    elif action == "shape":
        flat = value.reshape(-1)
        array_dict[key] = draw(st.sampled_from((flat[:-1], value.reshape(1, -1), np.append(flat, 0))))
    elif action == "int-limit" and key in ("Extent", "Dimensions"):
        changed = value.astype(np.int64)
        changed = changed + draw(st.sampled_from((2**31 - 2, -(2**31), 2**32, 2**62)))
        array_dict[key] = changed


def mutate_image_arrays(draw, array_dict: Dict[str, Any], kind: str) -> None:
    """Image arrays in the other index order, of another grid, or with extra axes."""
    picked = _pick_array(draw, array_dict)
    if picked is None:
        return
    section, name = picked
    values = np.asarray(section[name])
    section[name] = draw(st.sampled_from((
        values.transpose((2, 1, 0) + tuple(range(3, values.ndim))) if values.ndim >= 3 else values,
        values[..., np.newaxis],
        values[:1] if values.ndim else values,
        np.ascontiguousarray(values),
        np.asfortranarray(values),
    )))


MUTATIONS: Dict[str, Tuple[Callable, ...]] = {
    "polydata": (mutate_key, mutate_array, mutate_array_types, mutate_active, mutate_cells, mutate_points),
    "centerlines": (mutate_key, mutate_array, mutate_array_types, mutate_active, mutate_cells, mutate_points),
    "mesh": (mutate_key, mutate_array, mutate_array_types, mutate_active, mutate_mesh_cells, mutate_points),
    "image": (mutate_key, mutate_array, mutate_array_types, mutate_active, mutate_placement, mutate_image_arrays),
}


@st.composite
def cases(draw, kind: str) -> Dict[str, Any]:
    """``{"kind", "dict", "share", "frame", "mutations"}``: a valid dict of ``kind``, mutated zero to three times."""
    array_dict = draw(VALID[kind])
    applied = []
    for _ in range(draw(st.integers(0, 3))):
        mutation = draw(st.sampled_from(MUTATIONS[kind]))
        applied.append(mutation.__name__)
        with np.errstate(all="ignore"), warnings.catch_warnings():  # casts that overflow are the point
            warnings.simplefilter("ignore")
            try:
                mutation(draw, array_dict, kind)
            except (ValueError, TypeError, IndexError, OverflowError):
                pass  # a mutation that does not apply to what an earlier one left
    return {
        "kind": kind,
        "dict": array_dict,
        "share": draw(st.booleans()),
        "frame": draw(st.sampled_from(("RAS", "LPS"))),
        "mutations": applied,
    }


# --- the round trip and what it must give ---------------------------------------------------------


def round_trip(case: Dict[str, Any]) -> Dict[str, Any]:
    """The case's dict through its kind's ``dict_to_*``, used as VTK code would, and back through ``*_to_dict``."""
    kind, array_dict, share = case["kind"], case["dict"], case["share"]
    if kind == "polydata":
        return polydata_to_dict(_used(dict_to_polydata(array_dict, share=share)))
    if kind == "centerlines":
        return centerlines_to_dict(_used(dict_to_centerlines(array_dict, share=share)))
    if kind == "mesh":
        cells = array_dict.get("Cells") if isinstance(array_dict, Mapping) else None
        ids = cells.get("CellPointIds") if isinstance(cells, Mapping) else None
        as_list = isinstance(ids, (list, tuple)) or (isinstance(ids, np.ndarray) and ids.dtype == object)
        strings = isinstance(cells, Mapping) and "CellTypesAsStrings" in cells
        grid = _used(dict_to_mesh(array_dict, share=share))
        return mesh_to_dict(grid, cells_as_list=as_list, cell_types_as_strings=strings)
    order = array_dict.get("IndexOrder", "xyz") if isinstance(array_dict, Mapping) else "xyz"
    image = _used(dict_to_image(array_dict, share=share, frame=case["frame"]))
    return image_to_dict(image, index_order=_text(order), frame=case["frame"])


def _used(dataset: Any) -> Any:
    """``dataset`` after what any VTK code does first (bounds, each cell): a converter must not leave a trap."""
    dataset.GetBounds()
    cell = vtkGenericCell()
    for index in range(min(dataset.GetNumberOfCells(), 64)):
        dataset.GetCellType(index)
        dataset.GetCell(index, cell)
    return dataset


def check_round_trip(case: Dict[str, Any], converter: Callable[[Dict[str, Any]], Dict[str, Any]] = round_trip) -> str:
    """``"same"``, ``"error"`` or ``"warned"``; raise :class:`SilentChange` for any other outcome."""
    before = copy.deepcopy(case["dict"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            back = converter(case)
        except ArrayDictError as error:
            if not str(error).startswith("ArrayDict"):
                raise SilentChange(f"the error does not name a key of the dict: {error}") from error
            outcome = "error"
        except Exception as error:
            raise SilentChange(f"{type(error).__name__} instead of an ArrayDictError: {error}") from error
        else:
            outcome = "converted"
    changed_input = differences(before, case["dict"], exact=True)
    if changed_input:
        raise SilentChange(f"the converter changed the dict it was given: {changed_input[:3]}")
    messages = [str(warning.message) for warning in caught if issubclass(warning.category, LossWarning)]
    others = [f"{warning.category.__name__}: {warning.message}" for warning in caught
              if not issubclass(warning.category, (LossWarning, DeprecationWarning))]
    if others:
        raise SilentChange(f"warnings other than LossWarning: {others}")
    unnamed = [message for message in messages if "ArrayDict" not in message]
    if unnamed:
        raise SilentChange(f"a LossWarning that names no key of the dict: {unnamed}")
    if outcome == "error":
        return "error"
    expected = expected_dict(case)
    changes = differences(expected, back)
    silent = [(path, what) for path, what in changes if not _named(path, messages)]
    if silent:
        raise SilentChange(
            "changed without an error or a warning naming the key: "
            + "; ".join(f"{_path_text(path)}: {what}" for path, what in silent[:5])
            + (f" (warnings: {messages})" if messages else "")
        )
    return "warned" if messages else "same"


def _named(path: Tuple[Any, ...], messages: List[str]) -> bool:
    """Whether a warning names a key of ``path`` (a reordering of cells names ``CellTypes`` and moves cell data)."""
    for message in messages:
        if any(f"[{key!r}]" in message for key in path if isinstance(key, str)):
            return True
        if "['CellTypes']" in message and "reordered" in message and path[:1] in (("CellData",), ("CellTypes",)):
            return True
    return False


def _path_text(path: Tuple[Any, ...]) -> str:
    return "ArrayDict" + "".join(f"[{key!r}]" for key in path)


def _text(value: Any) -> Any:
    """A string key as text: stored dicts may give it as bytes or a 0-d array."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, bytes):
        value = value.decode("ascii", errors="replace")
    return value


class Inexact:
    """An expected placement value the documented dtype cannot hold exactly: no output equals it."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"Inexact({self.value!r})"


def _exactly_as(value: Any, dtype: Any) -> Any:
    """``value`` converted to ``dtype`` when that keeps every number exactly, else :class:`Inexact`."""
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        return Inexact(value)
    if array.dtype.kind not in "iufb":
        return Inexact(value)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        converted = array.astype(dtype)
    if array.dtype.kind == "f" and array.dtype.itemsize > 8:  # long double: compared in its own precision
        exact = bool(np.array_equal(converted.astype(array.dtype), array))
    else:  # Python compares ints and floats exactly
        exact = all(a == b for a, b in zip(array.reshape(-1).tolist(), converted.reshape(-1).tolist()))
    return converted if exact else Inexact(value)


def expected_dict(case: Dict[str, Any]) -> Dict[str, Any]:
    """What the layout contract says the round trip of ``case`` gives (see the module docstring)."""
    kind, given = case["kind"], case["dict"]
    if kind == "image":
        return _expected_image(given, case["frame"])
    expected: Dict[str, Any] = {"Points": given.get("Points")}
    for section in ("PointData", "CellData", "FieldData"):
        expected[section] = _section(given.get(section))
    expected["ActiveArrays"] = _table(given.get("ActiveArrays"), ("PointData", "CellData"))
    expected["ArrayTypes"] = _table(given.get("ArrayTypes"), ("PointData", "CellData", "FieldData"))
    if kind == "mesh":
        expected["Cells"] = _expected_mesh_cells(given["Cells"])
        return expected
    cells = [np.asarray(cell) for cell in given["CellData"]["CellPointIds"]]
    ids_dtype = _ids_dtype(given["CellData"]["CellPointIds"])
    types = given.get("CellTypes")
    if types is None:
        default = "lines" if kind == "centerlines" else "polys"
        types = [_type_of(default, cell.size) for cell in cells]
    types = np.asarray(types).astype(np.uint8)
    kinds = [POLYDATA_TYPES[int(t)][0] for t in types]  # the converter refuses types a polydata cannot hold
    if types.size > 1 and (np.diff(kinds) < 0).any():
        order = np.argsort(kinds, kind="stable")
        cells = [cells[i] for i in order]
        types = types[order]
        expected["CellData"] = {
            name: values if name == "CellPointIds" else np.asarray(values)[order]
            for name, values in expected["CellData"].items()
        }
    expected["CellTypes"] = types
    cell_ids = [cell.astype(ids_dtype) for cell in cells]
    if kind == "polydata" and not cell_ids:
        ids: Any = np.empty((0, 0), ids_dtype)
    elif kind == "polydata" and len({cell.size for cell in cell_ids}) == 1:
        ids = np.array(cell_ids, ids_dtype)
    else:
        ids = cell_ids
    others = {name: values for name, values in expected["CellData"].items() if name != "CellPointIds"}
    expected["CellData"] = {"CellPointIds": ids, **others}
    return expected


def _type_of(kind: str, size: int) -> int:
    if kind == "lines":
        return 3 if size == 2 else 4
    return {3: 5, 4: 9}.get(size, 7)


def _ids_dtype(ids: Any) -> np.dtype:
    if isinstance(ids, np.ndarray) and ids.dtype != object:
        return np.dtype(np.int32) if ids.dtype == np.int32 else np.dtype(np.int64)
    parts = [np.asarray(cell) for cell in ids if len(cell)]
    if parts and np.concatenate(parts).dtype == np.int32:
        return np.dtype(np.int32)
    return np.dtype(np.int64)


def _section(arrays: Any) -> Dict[str, Any]:
    """A data section as it comes back: arrays given as Python lists are read by numpy's rules."""
    if arrays is None:
        return {}
    return {name: np.asarray(values) if isinstance(values, (list, tuple)) and name != "CellPointIds" else values
            for name, values in arrays.items()}


def _table(table: Any, sections: Tuple[str, ...]) -> Dict[str, Dict[str, Any]]:
    table = table or {}
    return {section: dict(table.get(section) or {}) for section in sections}


def _expected_mesh_cells(cells: Mapping[str, Any]) -> Dict[str, Any]:
    ids = cells["CellPointIds"]
    types = np.asarray(cells["CellTypes"]).astype(np.uint8)
    result: Dict[str, Any] = {}
    if isinstance(ids, (list, tuple)) or (isinstance(ids, np.ndarray) and ids.dtype == object):
        dtype = _ids_dtype(ids)
        result["CellPointIds"] = [np.asarray(cell).astype(dtype) for cell in ids]
    else:
        flat = np.asarray(ids).astype(np.int64)
        locations, position = [], 0
        while position < flat.size and flat[position] >= 0:
            locations.append(position)
            position += int(flat[position]) + 1
        result["CellLocations"] = np.array(locations, np.int64)
        result["CellPointIds"] = flat
    result["CellTypes"] = types
    if "CellTypesAsStrings" in cells:
        result["CellTypesAsStrings"] = cells["CellTypesAsStrings"]
    for key in cells:  # keys the layout does not know, and CellLocations beside a list: they do not come back
        if key not in result:
            result[key] = cells[key]
    return result


def _expected_image(given: Mapping[str, Any], frame: str) -> Dict[str, Any]:
    dimensions = _exactly_as(given["Dimensions"], np.int64)
    order = _text(given.get("IndexOrder", "xyz"))
    origin = _exactly_as(given["Origin"], np.float64)
    direction = np.eye(3) if given.get("Direction") is None else _exactly_as(given["Direction"], np.float64)
    if "Frame" in given and str(_text(given["Frame"])).upper() != frame and not isinstance(origin, Inexact):
        signs = np.array([-1.0, -1.0, 1.0])
        origin = origin * signs
        direction = direction * signs[:, None] if not isinstance(direction, Inexact) else direction
    extent = given.get("Extent")
    if extent is None and not isinstance(dimensions, Inexact):
        extent = np.array([bound for count in dimensions.tolist() for bound in (0, count - 1)], np.int64)
    points = _section(given.get("PointData"))
    active = given.get("ActiveArrays")
    if active is None:
        active = {"PointData": {"Scalars": next(iter(points))} if points else {}, "CellData": {}}
    return {
        "Origin": origin,
        "Dimensions": dimensions,
        "Spacing": _exactly_as(given["Spacing"], np.float64),
        "Direction": direction,
        "Extent": _exactly_as(extent, np.int64),
        "IndexOrder": order,
        "Frame": frame,
        "PointData": points,
        "CellData": _section(given.get("CellData")),
        "FieldData": _section(given.get("FieldData")),
        "ActiveArrays": _table(active, ("PointData", "CellData")),
        "ArrayTypes": _table(given.get("ArrayTypes"), ("PointData", "CellData", "FieldData")),
    }


Differences = List[Tuple[Tuple[Any, ...], str]]


def differences(expected: Any, found: Any, path: Tuple[Any, ...] = (), exact: bool = False) -> Differences:
    """Every place where ``found`` is not ``expected``: ``[(key path, what differs)]``.

    Arrays must have the same dtype (byte order aside, unless ``exact``), shape and
    bytes; lists the same entries; dicts the same keys (data sections in the
    same order) and values.
    """
    if isinstance(expected, Inexact):
        return [(path, f"{expected.value!r} cannot be held exactly, found {found!r}")]
    if isinstance(expected, Mapping):
        if not isinstance(found, Mapping):
            return [(path, f"expected a dict, found {type(found).__name__}")]
        keys_expected, keys_found = list(expected), list(found)
        # The order of data arrays is VTK's order of arrays; other keys have no order to keep.
        ordered = len(path) == 1 and path[0] in ("PointData", "CellData", "FieldData")
        if (keys_expected != keys_found) if ordered else (set(keys_expected) != set(keys_found)):
            missing = [key for key in keys_expected if key not in found]
            extra = [key for key in keys_found if key not in expected]
            problems = [(path + (key,), "missing") for key in missing]
            problems += [(path + (key,), "appeared") for key in extra]
            return problems or [(path, f"keys in another order: {keys_expected} became {keys_found}")]
        result = []
        for key in keys_expected:
            result += differences(expected[key], found[key], path + (key,), exact)
        return result
    if isinstance(expected, (list, tuple)):
        if not isinstance(found, list if not exact else type(expected)):
            return [(path, f"expected a {type(expected).__name__}, found {type(found).__name__}")]
        if len(expected) != len(found):
            return [(path, f"{len(expected)} entries became {len(found)}")]
        result = []
        for index, (a, b) in enumerate(zip(expected, found)):
            result += differences(a, b, path + (index,), exact)
        return result
    if isinstance(expected, np.ndarray) or isinstance(found, np.ndarray):
        if type(expected) is not type(found):
            return [(path, f"{type(expected).__name__} became {type(found).__name__}")]
        return _array_difference(expected, found, path, exact)
    if type(expected) is not type(found) or not _same_scalar(expected, found):
        return [(path, f"{expected!r} became {found!r}")]
    return []


def _same_scalar(a: Any, b: Any) -> bool:
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same_scalar(x, y) for x, y in zip(a, b))
    try:
        return bool(a == b)
    except Exception:
        return a is b


def _array_difference(a: np.ndarray, b: np.ndarray, path: Tuple[Any, ...], exact: bool) -> Differences:
    dtype_a = a.dtype if exact or a.dtype.kind in "OUSVM" else a.dtype.newbyteorder("=")
    dtype_b = b.dtype if exact or b.dtype.kind in "OUSVM" else b.dtype.newbyteorder("=")
    if dtype_a != dtype_b:
        return [(path, f"dtype {a.dtype} became {b.dtype}")]
    if a.shape != b.shape:
        return [(path, f"shape {a.shape} became {b.shape}")]
    if a.dtype.kind == "O":
        same = not any(differences(x, y, exact=True) for x, y in zip(a.reshape(-1).tolist(), b.reshape(-1).tolist()))
    else:
        same = np.ascontiguousarray(a).astype(dtype_a).tobytes() == np.ascontiguousarray(b).astype(dtype_a).tobytes()
    return [] if same else [(path, "values differ")]


# --- the worker -----------------------------------------------------------------------------------


def describe(case: Dict[str, Any]) -> str:
    """A readable account of a case, enough to rebuild it."""
    with np.printoptions(threshold=60, precision=17, floatmode="unique"):
        heading = f"{case['kind']} share={case['share']} frame={case['frame']} mutations={case['mutations']}"
        return heading + "\n" + _pretty(case["dict"])


def _pretty(value: Any, indent: int = 0) -> str:
    pad = "    " * indent
    if isinstance(value, Mapping):
        items = "".join(f"{pad}    {key!r}: {_pretty(item, indent + 1)},\n" for key, item in value.items())
        return "{\n" + items + pad + "}"
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "O":
            return repr(value)
        return f"np.array({value.tolist()!r}, dtype={value.dtype.str!r}).reshape({value.shape})"
    if isinstance(value, (list, tuple)):
        return repr(type(value)(value)) if not any(isinstance(v, np.ndarray) for v in value) else (
            "[" + ", ".join(_pretty(v, indent + 1) for v in value) + "]")
    return repr(value)


def run(
    kind: str, examples: int, seed: Optional[int], last_case: Optional[Path], keep_going: bool = False
) -> Counter:
    """Run ``examples`` cases of ``kind``; record each case in ``last_case`` before it runs.

    The first :class:`SilentChange` fails the run (shrunk to a small case by
    hypothesis), unless ``keep_going``: then every finding is counted, by its
    first words, under ``"finding: ..."``, and the run goes on.
    """
    outcomes: Counter = Counter()
    examples_of: Dict[str, str] = {}
    vtkObject.GlobalWarningDisplayOff()  # refusals VTK prints are LossWarnings of the package already

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=seed is None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=cases(kind))
    def property_(case: Dict[str, Any]) -> None:
        if last_case is not None:
            last_case.write_text(describe(case), encoding="utf-8")
        try:
            outcome = check_round_trip(case)
        except SilentChange as change:
            if not keep_going:
                raise
            outcome = "finding"
            category = "finding: " + " ".join(str(change).split()[:14])
            outcomes[category] += 1
            examples_of.setdefault(category, f"{change}\n\n{describe(case)}")
        outcomes[outcome] += 1
        for mutation in case["mutations"] or ["unmutated"]:
            outcomes[f"{mutation}:{outcome}"] += 1

    if seed is not None:
        property_ = hypothesis.seed(seed)(property_)
    try:
        property_()
    finally:
        if examples_of and last_case is not None:
            findings = "\n\n========\n\n".join(examples_of.values())
            last_case.with_suffix(".findings.txt").write_text(findings, encoding="utf-8")
    return outcomes


def _crash_on_case(number: int) -> None:
    """Make the ``number``-th round trip die of SIGSEGV, as a VTK that reads out of bounds would."""
    import faulthandler

    global round_trip
    real, calls = round_trip, [0]

    def crashing(case: Dict[str, Any]) -> Dict[str, Any]:
        calls[0] += 1
        if calls[0] == number:
            faulthandler.disable()
            faulthandler._sigsegv()
        return real(case)

    round_trip = crashing
    check_round_trip.__defaults__ = (crashing,)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--last-case", type=Path, default=None)
    parser.add_argument("--keep-going", action="store_true", help="count findings instead of stopping at the first")
    parser.add_argument("--crash-on-case", type=int, default=None, help=argparse.SUPPRESS)  # tests the harness
    arguments = parser.parse_args(argv)
    if arguments.crash_on_case is not None:
        _crash_on_case(arguments.crash_on_case)
    started = time.perf_counter()
    outcomes = run(arguments.kind, arguments.examples, arguments.seed, arguments.last_case, arguments.keep_going)
    summary = {"kind": arguments.kind, "seconds": round(time.perf_counter() - started, 1),
               "cases": sum(outcomes[key] for key in ("same", "error", "warned", "finding")), **dict(outcomes)}
    print("FUZZ-SUMMARY " + json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
