"""The ArrayDict layout in one place: the kinds, their keys (vmtk's and this package's), and their converters.

=============  ===================  ===========================================  =====================
kind           VTK class            vmtk's keys                                  this package's keys
=============  ===================  ===========================================  =====================
surface        vtkPolyData          Points, PointData, CellData                  CellTypes, FieldData,
                                                                                 ActiveArrays, ArrayTypes
centerlines    vtkPolyData          Points, PointData, CellData                  the same
mesh           vtkUnstructuredGrid  Points, PointData, CellData, Cells           FieldData, ActiveArrays,
                                                                                 ArrayTypes
image          vtkImageData         Origin, Dimensions, Spacing, PointData       Direction, Extent,
                                                                                 IndexOrder, Frame,
                                                                                 CellData, FieldData,
                                                                                 ActiveArrays, ArrayTypes
timeseries     vtkPolyData          (those of its geometry: any kind above)      TimeSeries
=============  ===================  ===========================================  =====================

``ActiveArrays`` and ``ArrayTypes`` are dicts of sections (:data:`SECTIONS`),
checked by :func:`sections` for every kind. :func:`guess_kind` tells the kind
from the keys; :func:`converter` gives the function that converts a kind
(imported on first use: this module loads no VTK), and :func:`to_dict` /
:func:`from_dict` dispatch through it. docs/arraydict-layout.md describes
every key. The module loads neither numpy nor VTK, so that the scripts and the
storage formats can use it for free.

Examples
--------
>>> KINDS["mesh"].vmtk_keys, KINDS["mesh"].extensions
(('Points', 'PointData', 'CellData', 'Cells'), ('FieldData', 'ActiveArrays', 'ArrayTypes'))
>>> KINDS["image"].extensions
('Direction', 'Extent', 'IndexOrder', 'Frame', 'CellData', 'FieldData', 'ActiveArrays', 'ArrayTypes')
>>> converter("centerlines", "from_dict").__name__
'dict_to_centerlines'
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Tuple

from ..errors import ArrayDictError

#: The keys every point-based ArrayDict (surface, centerlines, mesh) has; the kinds add theirs.
DATASET_KEYS: Tuple[str, ...] = ("Points", "PointData", "CellData", "FieldData", "ActiveArrays", "ArrayTypes")
#: The keys this package adds to every kind: field data, active attributes, VTK array types.
SHARED_EXTENSIONS: Tuple[str, ...] = ("FieldData", "ActiveArrays", "ArrayTypes")
#: The sections of the tables ``ActiveArrays`` and ``ArrayTypes``.
SECTIONS: Dict[str, Tuple[str, ...]] = {
    "ActiveArrays": ("PointData", "CellData"),
    "ArrayTypes": ("PointData", "CellData", "FieldData"),
}
ACTIVE_SECTIONS, TYPE_SECTIONS = SECTIONS["ActiveArrays"], SECTIONS["ArrayTypes"]
#: The keys of a mesh's ``Cells``.
CELLS_KEYS: Tuple[str, ...] = ("CellPointIds", "CellLocations", "CellTypes", "CellTypesAsStrings")
#: The key of a time series' section.
TIME_SERIES_KEY = "TimeSeries"


@dataclass(frozen=True)
class Kind:
    """One kind of ArrayDict.

    Attributes
    ----------
    name : str
        ``"surface"``, ``"centerlines"``, ``"mesh"``, ``"image"`` or ``"timeseries"``.
    vtk_class : str
        The VTK class the dict converts to and from.
    keys : tuple of str
        Every key of the kind; others are ignored with a warning on input.
    vmtk_keys : tuple of str
        The keys vmtk's own scripts give and take; the others are this
        package's extensions, all optional on input.
    to_dict : str
        The converter from VTK, as ``"module:function"`` of this package.
    from_dict : str or None
        The converter to VTK; None for a kind that is no one VTK object.
    file_kind : str
        The kind of the VTK files it is read from and written to (centerlines
        are surface files; see :mod:`vmtkscripts_numpy.formats`).
    """

    name: str
    vtk_class: str
    keys: Tuple[str, ...]
    vmtk_keys: Tuple[str, ...]
    to_dict: str
    from_dict: Optional[str]
    file_kind: str

    @property
    def extensions(self) -> Tuple[str, ...]:
        """The keys this package adds to vmtk's."""
        return tuple(key for key in self.keys if key not in self.vmtk_keys)


_POLYDATA_KEYS = DATASET_KEYS + ("CellTypes",)
_POLYDATA_VMTK = ("Points", "PointData", "CellData")

#: Every kind, by name.
KINDS: Dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("surface", "vtkPolyData", _POLYDATA_KEYS, _POLYDATA_VMTK,
             "convert.polydata:polydata_to_dict", "convert.polydata:dict_to_polydata", "surface"),
        Kind("centerlines", "vtkPolyData", _POLYDATA_KEYS, _POLYDATA_VMTK,
             "convert.polydata:centerlines_to_dict", "convert.polydata:dict_to_centerlines", "surface"),
        Kind("mesh", "vtkUnstructuredGrid", DATASET_KEYS + ("Cells",), _POLYDATA_VMTK + ("Cells",),
             "convert.mesh:mesh_to_dict", "convert.mesh:dict_to_mesh", "mesh"),
        Kind("image", "vtkImageData",
             ("Origin", "Dimensions", "Spacing", "Direction", "Extent", "IndexOrder", "Frame",
              "PointData", "CellData", "FieldData", "ActiveArrays", "ArrayTypes"),
             ("Origin", "Dimensions", "Spacing", "PointData"),
             "convert.image:image_to_dict", "convert.image:dict_to_image", "image"),
        Kind("timeseries", "vtkPolyData", _POLYDATA_KEYS + (TIME_SERIES_KEY,), _POLYDATA_VMTK,
             "convert.timeseries:time_series_dict", None, "surface"),
    )
}


def kind(name: str) -> Kind:
    """The :class:`Kind` called ``name``, or a ValueError listing the kinds."""
    try:
        return KINDS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown kind {name!r}; the kinds are {', '.join(KINDS)}") from None


def converter(name: str, direction: str) -> Callable[..., Any]:
    """The function converting the kind ``name``: ``direction`` is ``"to_dict"`` or ``"from_dict"``.

    Imported on first use (the converters import VTK).
    """
    if direction not in ("to_dict", "from_dict"):
        raise ValueError(f"direction must be 'to_dict' or 'from_dict', not {direction!r}")
    target = getattr(kind(name), direction)
    if target is None:
        raise ValueError(f"a {name} ArrayDict is no one VTK object: it has no {direction} converter")
    module, function = target.split(":")
    return getattr(importlib.import_module(f"vmtkscripts_numpy.{module}"), function)


def to_dict(data: Any, name: str, **options: Any) -> Dict[str, Any]:
    """``data`` (a VTK object) as an ArrayDict of the kind ``name``, by that kind's converter."""
    return converter(name, "to_dict")(data, **options)


#: The script that converts each kind of ArrayDict to VTK, named when a dict of another kind is given.
FROM_DICT_SCRIPTS: Dict[str, str] = {
    "surface": "vmtknumpytosurface",
    "centerlines": "vmtknumpytocenterlines",
    "mesh": "vmtknumpytomesh",
    "image": "vmtknumpytoimage",
}


def from_dict(array_dict: Mapping[str, Any], name: Optional[str] = None, **options: Any) -> Any:
    """The VTK object of an ArrayDict, by the converter of its kind (guessed from its keys when not given).

    Raises
    ------
    ArrayDictError
        When the kind cannot be told, or ``name`` asks for another VTK class
        than the dict's keys plainly hold (a mesh's ``Cells``, an image's
        ``Dimensions``): the message names the script and function to use.

    Examples
    --------
    >>> try:
    ...     from_dict({"Points": [], "CellData": {}, "Cells": {"CellPointIds": []}}, "surface")
    ... except ArrayDictError as error:
    ...     print(error)
    ArrayDict: this is a mesh ArrayDict (it has Cells), not a surface: convert it with vmtknumpytomesh (dict_to_mesh)
    """
    chosen = name or guess_kind(array_dict)
    if chosen == "unknown":
        raise ArrayDictError("ArrayDict: cannot tell its kind from its keys; expected Points (a surface, centerlines "
                             "or a mesh) or Dimensions (an image)")
    if name is not None and isinstance(array_dict, Mapping):
        _check_plain_kind(array_dict, kind(name))
    return converter(chosen, "from_dict")(array_dict, **options)


def _check_plain_kind(array_dict: Mapping[str, Any], wanted: Kind) -> None:
    """Refuse a dict whose keys plainly make it another VTK class than ``wanted``'s, naming what to use."""
    cell_data = array_dict.get("CellData")
    if isinstance(array_dict.get("Cells"), Mapping):
        found, evidence = "mesh", "it has Cells"
    elif "Dimensions" in array_dict and "Points" not in array_dict:
        found, evidence = "image", "it has Dimensions and no Points"
    elif "Points" in array_dict and isinstance(cell_data, Mapping) and "CellPointIds" in cell_data:
        found, evidence = guess_kind(array_dict), "its cells are CellData['CellPointIds']"
    else:
        return
    if KINDS[found].vtk_class == wanted.vtk_class:
        return
    converter_name = (KINDS[found].from_dict or "").split(":")[-1]
    raise ArrayDictError(
        f"ArrayDict: this is a {found} ArrayDict ({evidence}), not a {wanted.name}: "
        f"convert it with {FROM_DICT_SCRIPTS[found]} ({converter_name})"
    )


def sections(array_dict: Mapping[str, Any], key: str, where: str = "ArrayDict") -> Dict[str, Mapping[str, Any]]:
    """The sections of ``ActiveArrays`` or ``ArrayTypes``, each a dict (empty when absent).

    Raises
    ------
    ArrayDictError
        If the table or a section is not a dict, or names an unknown section.

    Examples
    --------
    >>> sections({"ArrayTypes": {"PointData": {"Ids": "vtkIdTypeArray"}}}, "ArrayTypes")["CellData"]
    {}
    """
    from .validate import key_path, optional_mapping

    allowed = SECTIONS[key]
    table = optional_mapping(array_dict, key, where)
    for section in table:
        if section not in allowed:
            raise ArrayDictError(
                f"{key_path(where, key, section)}: unknown section; expected one of {', '.join(allowed)}"
            )
    return {section: optional_mapping(table, section, key_path(where, key)) for section in allowed}


def guess_kind(array_dict: Mapping[str, Any]) -> str:
    """What an ArrayDict holds, from its keys: ``surface``, ``centerlines``, ``mesh``, ``image`` or ``unknown``.

    ``CellTypes`` (this package's extension) decides between surface and
    centerlines when present: lines only (VTK types 3 and 4) make centerlines.
    Without it, a list of cells (vmtk's centerline layout) or a
    ``MaximumInscribedSphereRadius`` make centerlines. A time series is the
    kind of its geometry.

    Examples
    --------
    >>> import numpy as np
    >>> guess_kind({"Points": np.zeros((3, 3)), "CellData": {"CellPointIds": [np.arange(3)]}})
    'centerlines'
    >>> guess_kind({"Points": np.zeros((4, 3)), "CellTypes": np.array([5, 9], np.uint8),
    ...             "CellData": {"CellPointIds": [np.arange(3), np.arange(4)]}})
    'surface'
    >>> guess_kind({"Origin": np.zeros(3), "Dimensions": np.ones(3, int), "Spacing": np.ones(3)})
    'image'
    """
    import numpy as np

    if "Points" not in array_dict:
        return "image" if "Dimensions" in array_dict else "unknown"
    if isinstance(array_dict.get("Cells"), Mapping):
        return "mesh"
    cell_types = array_dict.get("CellTypes")
    if isinstance(cell_types, np.ndarray) and cell_types.size and cell_types.dtype.kind in "iu":
        return "centerlines" if bool(np.isin(cell_types, (3, 4)).all()) else "surface"
    cell_data = array_dict.get("CellData")
    point_data = array_dict.get("PointData")
    if isinstance(cell_data, Mapping) and isinstance(cell_data.get("CellPointIds"), list):
        return "centerlines"
    if isinstance(point_data, Mapping) and "MaximumInscribedSphereRadius" in point_data:
        return "centerlines"
    return "surface"
