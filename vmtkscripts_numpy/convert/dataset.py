"""What surfaces, centerlines and meshes share: points, the data sections and the object check.

Every ArrayDict of a point-based dataset has ``Points``, ``PointData``,
``CellData``, ``FieldData``, ``ActiveArrays`` and ``ArrayTypes`` (see the
layout contract, :mod:`.layout` and docs/arraydict-layout.md); this module
reads and writes them, the kind-specific modules add the cells.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Collection, Dict, Iterable, Optional, Tuple

import numpy as np
from vtkmodules.vtkCommonCore import vtkPoints

from ..errors import ArrayDictError, LossWarning, warn
from .arrays import attributes_to_dict, dict_to_attributes, numpy_to_vtk, vtk_to_numpy
from . import layout
from .validate import key_path, numeric_array, optional_mapping, require


def check_object(value: Any, vtk_class: type, what: str) -> None:
    """Raise an :class:`ArrayDictError` unless ``value`` is a ``vtk_class`` (or a subclass)."""
    if not isinstance(value, vtk_class):
        kind = type(value).__name__ if value is not None else "None"
        raise ArrayDictError(f"expected {what} (a {vtk_class.__name__} or a subclass), found {kind}")


# --- VTK -> ArrayDict -----------------------------------------------------------


def points_to_numpy(points: Optional[vtkPoints], copy: bool = True) -> np.ndarray:
    """The ``(N, 3)`` coordinates with VTK's dtype; a dataset without points gives ``(0, 3)`` float32."""
    if points is None:
        return np.empty((0, 3), np.float32)
    coordinates = vtk_to_numpy(points.GetData(), copy=copy)
    return coordinates if coordinates.ndim == 2 else coordinates.reshape(-1, 3)


def data_sections_to_dict(
    dataset: Any, copy: bool, what: str, cell_arrays_left_out: Iterable[str] = ()
) -> Dict[str, Any]:
    """``PointData``, ``CellData``, ``FieldData``, ``ActiveArrays`` and ``ArrayTypes`` of a dataset.

    Cell arrays named in ``cell_arrays_left_out`` (names the layout reserves,
    such as ``CellPointIds``) are left out with a :class:`LossWarning`.
    """
    point_data, point_types, point_active = attributes_to_dict(
        dataset.GetPointData(), copy=copy, where=f"{what} point data"
    )
    cell_data, cell_types, cell_active = attributes_to_dict(dataset.GetCellData(), copy=copy, where=f"{what} cell data")
    for name in cell_arrays_left_out:
        if name in cell_data:
            warn(
                f"{what} cell data: the array {name!r} has the name the layout gives to the cells' point ids "
                "and is left out",
                LossWarning,
            )
            del cell_data[name]
            cell_types.pop(name, None)
            cell_active = {role: array for role, array in cell_active.items() if array != name}
    field_data, field_types, _ = attributes_to_dict(dataset.GetFieldData(), copy=copy, where=f"{what} field data")
    return {
        "PointData": point_data,
        "CellData": cell_data,
        "FieldData": field_data,
        "ActiveArrays": {"PointData": point_active, "CellData": cell_active},
        "ArrayTypes": {"PointData": point_types, "CellData": cell_types, "FieldData": field_types},
    }


# --- ArrayDict -> VTK -----------------------------------------------------------


def check_array_dict(array_dict: Any, known_keys: Collection[str], what: str, where: str = "ArrayDict") -> None:
    """The dict must be a mapping; keys the layout does not know are reported (and ignored)."""
    if not isinstance(array_dict, Mapping):
        raise ArrayDictError(f"{where}: expected a dict ({what} ArrayDict), found {type(array_dict).__name__}")
    unknown = [key for key in array_dict if key not in known_keys]
    if unknown:
        warn(
            f"{where}: {', '.join(repr(key) for key in unknown)} "
            f"{'is' if len(unknown) == 1 else 'are'} not part of a {what} ArrayDict and "
            f"{'is' if len(unknown) == 1 else 'are'} ignored (known keys: {', '.join(sorted(known_keys))})",
            LossWarning,
        )


def numpy_to_points(array_dict: Mapping[str, Any], share: bool = True, where: str = "ArrayDict") -> vtkPoints:
    """``vtkPoints`` from ``array_dict['Points']``, an ``(N, 3)`` numeric array (its dtype is kept)."""
    points_where = key_path(where, "Points")
    values = numeric_array(require(array_dict, "Points", where), points_where)
    if values.ndim != 2 or values.shape[1] != 3:
        raise ArrayDictError(f"{points_where}: expected shape (N, 3), found {values.shape}")
    vtk_array = numpy_to_vtk(values, share=share, where=points_where)
    points = vtkPoints()
    # vtkPoints keeps the very array it is given (VTK 9.1 to 9.7), numpy reference and all.
    points.SetData(vtk_array)
    return points


def check_data_lengths(arrays: Mapping[str, Any], expected: int, where: str, skip: Tuple[str, ...] = ()) -> None:
    """Every array of a section must have ``expected`` tuples (checked before arrays are reordered)."""
    for name, values in arrays.items():
        if name in skip:
            continue
        array_where = key_path(where, name)
        shape = np.shape(numeric_array(values, array_where, allow_bool=True))
        if not shape or shape[0] != expected:
            raise ArrayDictError(
                f"{array_where}: expected {expected} tuples (one per cell), found shape {shape}"
            )


#: ``layout.sections`` of a dict without the table.
_NO_SECTIONS: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {section: MappingProxyType({}) for section in layout.TYPE_SECTIONS}
)


def dict_to_data_sections(
    array_dict: Mapping[str, Any],
    dataset: Any,
    number_of_points: int,
    number_of_cells: int,
    share: bool = True,
    cell_skip: Tuple[str, ...] = (),
    cell_data: Optional[Mapping[str, Any]] = None,
    where: str = "ArrayDict",
) -> None:
    """Fill the point, cell and field data of ``dataset`` from the dict's sections.

    ``cell_data`` replaces ``array_dict['CellData']`` (cells reordered); keys
    in ``cell_skip`` are not data arrays (``CellPointIds``).
    """
    # Most dicts have neither table: an empty one is not read (a small call's time is mostly such work).
    array_types = layout.sections(array_dict, "ArrayTypes", where) if "ArrayTypes" in array_dict else _NO_SECTIONS
    active = layout.sections(array_dict, "ActiveArrays", where) if "ActiveArrays" in array_dict else _NO_SECTIONS
    sections = (
        ("PointData", "GetPointData", number_of_points, None),
        ("CellData", "GetCellData", number_of_cells, cell_data),
        ("FieldData", "GetFieldData", None, None),
    )
    for section, getter, expected, replacement in sections:
        arrays = optional_mapping(array_dict, section, where) if replacement is None else replacement
        skip = cell_skip if section == "CellData" else ()
        roles, types = active.get(section), array_types[section]
        if not roles and not types and all(name in skip for name in arrays):  # a dict: optional_mapping checked it
            continue
        dict_to_attributes(
            arrays,
            getattr(dataset, getter)(),
            expected_tuples=expected,
            where=key_path(where, section),
            array_types=types,
            active=roles,
            share=share,
            skip=skip,
        )
