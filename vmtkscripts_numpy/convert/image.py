"""Image data (``vtkImageData``) <-> ArrayDict, with every voxel kept in its physical place.

The layout is vmtk's (``Origin``, ``Dimensions``, ``Spacing`` and ``PointData``
arrays shaped like ``Dimensions``, indexed ``[x, y, z]``) plus what vmtk drops:

- ``Direction``, the (3, 3) direction matrix: without it an image such as a CT
  with direction diag(-1, -1, 1) comes back mirrored in physical space;
- ``Extent``, VTK's extent, for images whose indices do not start at 0 (after
  cropping); ``Origin`` is always the physical position of array index
  ``[0, 0, 0]``, so a reader that ignores ``Extent`` still places every voxel right;
- ``IndexOrder``, ``"xyz"`` (vmtk's) or ``"zyx"`` (SimpleITK, 3D Slicer and
  C-ordered numpy code): both are views of the same VTK memory;
- ``Frame``, the patient frame ``Origin`` and ``Direction`` are given in:
  ``"RAS"`` (x towards the patient's right, y anterior, z superior: vmtk's
  and 3D Slicer's frame, and the default) or ``"LPS"`` (ITK's, DICOM's and
  SimpleITK's). A dict without ``Frame`` (vmtk's own) is taken to be in the
  frame the caller asks for;
- the shared ``CellData``, ``FieldData``, ``ActiveArrays`` and ``ArrayTypes``.

The physical position of the voxel at array index ``[i, j, k]`` (in ``"xyz"``
order) is ``Origin + Direction @ (Spacing * [i, j, k])``.

VTK's origin is where index ``(0, 0, 0)`` would be, so with an extent that
does not start at 0 it is ``Origin - Direction @ (Spacing * Extent[0::2])``.
Floating point cannot always undo that subtraction: when VTK's origin added
back does not give ``Origin`` bit for bit, :func:`dict_to_image` keeps the
dict's ``Origin`` on the image (with the placement it was made for), and
:func:`image_to_dict` gives it back as long as the image is still placed so.
An extent that starts at 0 needs no arithmetic at all.

Converting can be zero-copy both ways where the memory layout allows: VTK
stores voxels x fastest, which is an F-ordered ``[x, y, z]`` array or a
C-ordered ``[z, y, x]`` array; either is a view of the same buffer.
:func:`dict_to_image` shares by default; :func:`image_to_dict` copies unless
``copy=False`` (after editing such views, :func:`vmtkscripts_numpy.modified`
tells VTK).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union, cast

import numpy as np
from vtkmodules.vtkCommonDataModel import vtkImageData

from ..errors import ArrayDictError, LossWarning, warn
from .arrays import attributes_to_dict, dict_to_attributes
from . import layout
from .validate import key_path, numeric_array, optional_mapping, require

#: The index orders an image dict may use: vmtk's ``[x, y, z]`` and the C-ordered ``[z, y, x]``.
INDEX_ORDERS: Tuple[str, ...] = ("xyz", "zyx")

#: The patient frames an image's physical coordinates may be in. RAS is vmtk's and 3D Slicer's;
#: LPS is ITK's, DICOM's and SimpleITK's. They differ by the signs of x and y.
FRAMES: Tuple[str, ...] = ("RAS", "LPS")
#: The frame the package works in unless told otherwise: vmtk's.
DEFAULT_FRAME = "RAS"

#: How far ``Direction.T @ Direction`` may be from the identity.
ORTHONORMAL_TOLERANCE = 1e-6

#: VTK keeps extents and dimensions as C ints.
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1

#: The attribute where :func:`dict_to_image` keeps the dict's ``Origin`` when VTK's origin does not give
#: it back exactly: ``(Origin, VTK origin, spacing, direction elements, extent)`` as VTK then holds them.
#: (A Python attribute: VTK keeps it with the object, and a filter's output, a new object, has none.)
_ORIGIN_ATTRIBUTE = "_array_dict_origin"

#: Every key of an image ArrayDict; others are ignored with a warning (a misspelt ``Direction`` would mirror the image).
IMAGE_KEYS: Tuple[str, ...] = layout.KINDS["image"].keys
_IMAGE_KEY_SET = frozenset(IMAGE_KEYS)


# --- VTK -> ArrayDict ---------------------------------------------------------


def image_to_dict(
    image: vtkImageData, *, index_order: str = "xyz", copy: bool = True, frame: str = DEFAULT_FRAME
) -> Dict[str, Any]:
    """An image as an ArrayDict in vmtk's layout plus ``Direction``, ``Extent``, ``IndexOrder`` and ``Frame``.

    Parameters
    ----------
    image : vtkImageData
        Any image (also ``vtkStructuredPoints``); every point, cell and field
        data array is converted with its own dtype and component count.
    index_order : {"xyz", "zyx"}
        ``"xyz"`` (vmtk's): arrays shaped ``Dimensions`` (+ ``(k,)``), indexed
        ``[x, y, z]``. ``"zyx"``: shaped ``Dimensions[::-1]`` (+ ``(k,)``),
        indexed ``[z, y, x]``, C-contiguous, as SimpleITK and 3D Slicer index.
    copy : bool
        True (default, as every ``*_to_dict``): the arrays own their memory.
        False: they are views of the image's memory, without copying: writing
        to them changes the image; call :func:`vmtkscripts_numpy.modified`
        afterwards so that VTK drops what it cached (its scalar range).
    frame : {"RAS", "LPS"}
        The patient frame the image's coordinates are in (as read with
        ``read_image(..., frame=...)``); recorded as ``Frame``.

    Returns
    -------
    dict
        ``Origin`` (physical position of array index ``[0, 0, 0]``),
        ``Dimensions``, ``Spacing``, ``Direction``, ``Extent``, ``IndexOrder``,
        ``Frame``, ``PointData``, ``CellData``, ``FieldData``, ``ActiveArrays``,
        ``ArrayTypes``.

    Raises
    ------
    ArrayDictError
        If ``image`` is not a ``vtkImageData``, ``index_order`` is unknown, or
        a data array's length does not match the image's points or cells.

    Notes
    -----
    A negative spacing (an old way of flipping an axis) is written as a
    positive spacing and a flipped ``Direction`` column: every voxel keeps
    its physical position.

    Examples
    --------
    >>> from vtkmodules.vtkCommonCore import VTK_FLOAT
    >>> image = vtkImageData(); image.SetDimensions(10, 8, 5); image.AllocateScalars(VTK_FLOAT, 1)
    >>> image_dict = image_to_dict(image)
    >>> image_dict["Dimensions"], image_dict["PointData"]["ImageScalars"].shape
    (array([10,  8,  5]), (10, 8, 5))
    >>> image_to_dict(image, index_order="zyx")["PointData"]["ImageScalars"].shape
    (5, 8, 10)
    """
    if not isinstance(image, vtkImageData):
        raise ArrayDictError(f"image: expected a vtkImageData, found {type(image).__name__}")
    order = _index_order(index_order, "index_order")
    frame = _frame(frame, "frame")
    vtk_extent = image.GetExtent()
    extent = np.array(vtk_extent, dtype=np.int64)
    dimensions = np.array(image.GetDimensions(), dtype=np.int64)
    vtk_spacing = image.GetSpacing()
    spacing = np.array(vtk_spacing, dtype=np.float64)
    vtk_direction = _matrix_elements(image.GetDirectionMatrix())
    direction = vtk_direction.copy()
    # A negative spacing flips its axis; the direction column says the same with a positive spacing.
    flipped = spacing < 0
    spacing[flipped] *= -1
    direction[:, flipped] *= -1
    placement = (image.GetOrigin(), vtk_spacing, tuple(vtk_direction.reshape(-1).tolist()), vtk_extent)
    origin = np.array(_first_voxel(image, placement, direction, spacing), dtype=np.float64)

    point_data, point_types, point_active = attributes_to_dict(
        image.GetPointData(), copy=copy, where="image point data"
    )
    cell_data, cell_types, cell_active = attributes_to_dict(image.GetCellData(), copy=copy, where="image cell data")
    field_data, field_types, _ = attributes_to_dict(image.GetFieldData(), copy=copy, where="image field data")
    point_grid, cell_grid = tuple(int(count) for count in dimensions), _cell_grid(dimensions)
    return {
        "Origin": origin,
        "Dimensions": dimensions,
        "Spacing": spacing,
        "Direction": direction,
        "Extent": extent,
        "IndexOrder": order,
        "Frame": frame,
        "PointData": {
            name: _grid_view(values, point_grid, order, f"image point data {name!r}")
            for name, values in point_data.items()
        },
        "CellData": {
            name: _grid_view(values, cell_grid, order, f"image cell data {name!r}")
            for name, values in cell_data.items()
        },
        "FieldData": field_data,
        "ActiveArrays": {"PointData": point_active, "CellData": cell_active},
        "ArrayTypes": {"PointData": point_types, "CellData": cell_types, "FieldData": field_types},
    }


def _first_voxel(
    image: vtkImageData, placement: Tuple[Tuple[Any, ...], ...], direction: np.ndarray, spacing: np.ndarray
) -> Tuple[float, ...]:
    """The physical position of the first voxel: VTK's origin + Direction @ (Spacing * Extent[0::2]).

    ``placement`` is VTK's origin, spacing, direction elements and extent;
    ``direction`` and ``spacing`` those of the dict (a negative spacing made
    positive). The origin :func:`dict_to_image` kept on the image wins while
    the placement is still the one it set.
    """
    vtk_origin, extent = placement[0], placement[3]
    low = extent[0::2]
    if not any(low):
        return vtk_origin
    kept = getattr(image, _ORIGIN_ATTRIBUTE, None)
    if kept is not None and kept[1:] == placement:
        return kept[0]
    shift = _extent_shift(direction.tolist(), spacing.tolist(), low, None)
    origin = (vtk_origin[0] + shift[0], vtk_origin[1] + shift[1], vtk_origin[2] + shift[2])
    if not all(map(math.isfinite, origin)):
        raise ArrayDictError(
            f"image: the position of its first voxel, origin {list(vtk_origin)} + direction @ (spacing * "
            f"extent start {list(low)}), overflows: {list(origin)}"
        )
    return origin


def _extent_shift(
    rows: Sequence[Sequence[float]], spacing: Sequence[float], low: Sequence[int], where: Optional[str]
) -> Tuple[float, float, float]:
    """``Direction @ (Spacing * low)``, computed the same way in both directions (what matters for exactness).

    Raises
    ------
    ArrayDictError
        Naming ``where``'s ``Extent`` (the image's extent when ``where`` is None)
        when a step or the sum overflows.
    """
    x, y, z = spacing[0] * low[0], spacing[1] * low[1], spacing[2] * low[2]
    (a, b, c), (d, e, f), (g, h, i) = rows
    shift = (a * x + b * y + c * z, d * x + e * y + f * z, g * x + h * y + i * z)
    if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(z) and all(map(math.isfinite, shift))):
        raise ArrayDictError(
            f"{'image: extent' if where is None else key_path(where, 'Extent')}: the distance from VTK's origin "
            "to the first voxel, Direction @ (Spacing * Extent[0::2]) "
            f"with spacing {list(spacing)} and extent start {list(low)}, overflows"
        )
    return shift


def _grid_view(values: np.ndarray, grid: Tuple[int, ...], order: str, where: str) -> np.ndarray:
    """A flat VTK array ``(n,)``/``(n, k)`` as a ``grid``-shaped view in ``order``."""
    count = math.prod(grid)
    if values.shape[0] != count:
        raise ArrayDictError(f"{where}: has {values.shape[0]} tuples, but the image grid {grid} has {count}")
    # VTK runs x fastest: in C order that is [z, y, x] (components last); [x, y, z] is its transpose.
    zyx = values.reshape(grid[::-1] + values.shape[1:])
    return zyx if order == "zyx" else zyx.transpose((2, 1, 0) + tuple(range(3, zyx.ndim)))


# --- ArrayDict -> VTK ---------------------------------------------------------


def dict_to_image(
    array_dict: Mapping[str, Any],
    *,
    share: bool = True,
    default_index_order: str = "xyz",
    frame: str = DEFAULT_FRAME,
) -> vtkImageData:
    """An image from an ArrayDict written by :func:`image_to_dict`, by vmtk, or by hand.

    Parameters
    ----------
    array_dict : mapping
        Needs ``Origin``, ``Dimensions`` and ``Spacing``; ``PointData``,
        ``Direction`` (identity), ``Extent`` (starting at 0), ``IndexOrder``,
        ``CellData``, ``FieldData``, ``ActiveArrays`` and ``ArrayTypes`` are
        optional. Without ``ActiveArrays`` (as vmtk writes) the first point
        data array becomes the active scalars.
    share : bool
        True (default): VTK uses the numpy memory itself when it is already in
        VTK's order (an F-contiguous ``[x, y, z]`` or a C-contiguous
        ``[z, y, x]`` array; with components: the component axis fastest), so
        later changes to the arrays show in the image. Otherwise it copies once.
    default_index_order : {"xyz", "zyx"}
        The index order of a dict that does not record one in ``IndexOrder``.
    frame : {"RAS", "LPS"}
        The patient frame of the returned image's coordinates. A dict whose
        ``Frame`` is the other one is converted (x and y change sign); a dict
        without ``Frame`` (vmtk's) is taken to be in ``frame`` already.

    Returns
    -------
    vtkImageData

    Raises
    ------
    ArrayDictError
        Naming the key, for a missing key, a wrong shape or dtype, a
        non-positive spacing, a direction that is not orthonormal, an unknown
        index order, an ``Extent`` that disagrees with ``Dimensions``, or an
        array whose shape does not match ``Dimensions``.

    Warns
    -----
    LossWarning
        For keys an image ArrayDict does not have; they are ignored.

    Examples
    --------
    >>> import numpy as np
    >>> image = dict_to_image({
    ...     "Origin": [0.0, 0.0, 0.0], "Dimensions": [4, 3, 2], "Spacing": [0.5, 0.5, 2.0],
    ...     "PointData": {"Density": np.zeros((4, 3, 2), np.int16)}})
    >>> image.GetDimensions(), image.GetPointData().GetScalars().GetName()
    ((4, 3, 2), 'Density')
    """
    where = "ArrayDict"
    if not isinstance(array_dict, Mapping):
        raise ArrayDictError(f"{where}: expected a dict, found {type(array_dict).__name__}")
    unknown = [repr(key) for key in array_dict if key not in _IMAGE_KEY_SET]
    if unknown:
        warn(
            f"{where}: {', '.join(unknown)} not part of an image ArrayDict, ignored "
            f"(known keys: {', '.join(IMAGE_KEYS)})",
            LossWarning,
        )
    order = _index_order(array_dict.get("IndexOrder", default_index_order), key_path(where, "IndexOrder"))
    frame = _frame(frame, "frame")
    dict_frame = _frame(array_dict.get("Frame", frame), key_path(where, "Frame"))
    dimensions = _dimensions(require(array_dict, "Dimensions", where), key_path(where, "Dimensions"))
    spacing = _spacing(require(array_dict, "Spacing", where), key_path(where, "Spacing"))
    origin = _floats(require(array_dict, "Origin", where), key_path(where, "Origin"))
    direction = _direction(array_dict.get("Direction"), key_path(where, "Direction"))
    extent = _extent(array_dict.get("Extent"), dimensions, key_path(where, "Extent"))
    if dict_frame != frame:
        origin, direction = _other_frame(origin, direction)

    image = vtkImageData()
    _place(image, origin, spacing, direction, extent, where)

    sections = {
        "PointData": (image.GetPointData(), dimensions),
        "CellData": (image.GetCellData(), _cell_grid(dimensions)),
        "FieldData": (image.GetFieldData(), None),
    }
    array_types = layout.sections(array_dict, "ArrayTypes", where)
    active: Mapping[str, Any]
    if array_dict.get("ActiveArrays") is not None:
        active = layout.sections(array_dict, "ActiveArrays", where)
    else:
        # vmtk's dicts record no active arrays (None counts as absent, as for every optional key);
        # vmtk makes its image arrays the scalars.
        names = list(optional_mapping(array_dict, "PointData", where))
        active = {"PointData": {"Scalars": names[0]}} if names else {}
    for section, (attributes, grid) in sections.items():
        section_where = key_path(where, section)
        arrays = optional_mapping(array_dict, section, where)
        if grid is not None:
            arrays = {
                name: _flat_for_vtk(values, grid, order, share, key_path(section_where, name))
                for name, values in arrays.items()
            }
        dict_to_attributes(
            arrays,
            attributes,
            expected_tuples=None if grid is None else math.prod(grid),
            where=section_where,
            array_types=optional_mapping(array_types, section, key_path(where, "ArrayTypes")),
            active=None if grid is None else optional_mapping(active, section, key_path(where, "ActiveArrays")),
            # _flat_for_vtk already copied where a copy was asked for.
            share=share or grid is not None,
        )
    return image


def _place(
    image: vtkImageData,
    origin: Tuple[float, ...],
    spacing: Tuple[float, ...],
    direction: Tuple[Tuple[float, ...], ...],
    extent: Tuple[int, ...],
    where: str,
) -> None:
    """Give ``image`` the placement of a dict whose first voxel is at ``origin``, exactly.

    VTK's origin is where index ``(0, 0, 0)`` would be: ``origin - direction @
    (spacing * extent[0::2])``. When adding that back does not give ``origin``
    bit for bit, ``origin`` is kept on the image for :func:`image_to_dict`.
    """
    low = extent[0::2]
    vtk_origin = origin
    exact = True
    if any(low):
        shift = _extent_shift(direction, spacing, low, where)
        vtk_origin = (origin[0] - shift[0], origin[1] - shift[1], origin[2] - shift[2])
        if not all(map(math.isfinite, vtk_origin)):
            raise ArrayDictError(
                f"{key_path(where, 'Origin')}: VTK's origin, Origin - Direction @ (Spacing * Extent[0::2]) = "
                f"{list(origin)} - {list(shift)}, overflows; VTK cannot place this image"
            )
        back = (vtk_origin[0] + shift[0], vtk_origin[1] + shift[1], vtk_origin[2] + shift[2])
        exact = back == origin and (0.0 not in origin or all(map(_same_float, back, origin)))
    elements = tuple(element for row in direction for element in row)
    image.SetExtent(*extent)
    image.SetSpacing(*spacing)
    _set_exactly(image.SetDirectionMatrix, elements)
    _set_exactly(image.SetOrigin, vtk_origin)
    if not exact:
        setattr(image, _ORIGIN_ATTRIBUTE, (origin, tuple(vtk_origin), tuple(spacing), elements, tuple(extent)))


def _same_float(a: float, b: float) -> bool:
    """Bit for bit: -0.0 is not 0.0 (NaN does not occur here)."""
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def _set_exactly(setter: Any, values: Tuple[float, ...]) -> None:
    """Call a VTK setter so that it keeps a -0.0: VTK skips a value equal to the one it holds, and -0.0 == 0.0."""
    # The bytes of -0.0 anywhere in the packed values (rarely a false alarm, which costs one more call).
    if _NEGATIVE_ZERO in _PACK[len(values)](*values):
        setter(*(1.0 if value == 0 else value for value in values))
    setter(*values)


_NEGATIVE_ZERO = struct.pack("d", -0.0)
_PACK = {count: struct.Struct(f"{count}d").pack for count in (3, 9)}


def _flat_for_vtk(values: Any, grid: Tuple[int, ...], order: str, share: bool, where: str) -> np.ndarray:
    """A ``grid``-shaped array in ``order`` as VTK's flat ``(n,)``/``(n, k)``, x fastest."""
    values = numeric_array(values, where, allow_bool=True)
    shape = grid if order == "xyz" else grid[::-1]
    if values.shape[:3] != shape or values.ndim not in (3, 4) or (values.ndim == 4 and values.shape[3] == 0):
        expected = f"{shape} or ({', '.join(str(count) for count in shape)}, k) for k components"
        hint = ""
        if values.shape[:3] == shape[::-1] and shape != shape[::-1]:
            other = "zyx" if order == "xyz" else "xyz"
            hint = f"; it looks like [{','.join(other)}] index order: set IndexOrder to {other!r}"
        raise ArrayDictError(
            f"{where}: expected shape {expected} (Dimensions in [{','.join(order)}] index order), "
            f"found {values.shape}{hint}"
        )
    zyx = values if order == "zyx" else values.transpose((2, 1, 0) + tuple(range(3, values.ndim)))
    count = math.prod(grid)
    # A view when the memory already runs x fastest (components fastest of all); else one copy.
    flat = zyx.reshape((count,) + zyx.shape[3:])
    if not share and np.may_share_memory(flat, values):
        flat = flat.copy()
    return flat


# --- from a bare ndarray -------------------------------------------------------


def dict_from_array(
    array: Any,
    *,
    spacing: Optional[Sequence[float]] = None,
    origin: Optional[Sequence[float]] = None,
    direction: Optional[Any] = None,
    index_order: str = "xyz",
    name: str = "ImageScalars",
    frame: str = DEFAULT_FRAME,
    affine: Optional[Any] = None,
) -> Dict[str, Any]:
    """An image ArrayDict around a bare ndarray of voxel values (a view of it, not a copy).

    Parameters
    ----------
    array : array_like
        Voxel values, numeric or bool: ``(nx, ny, nz)`` or ``(nx, ny, nz, k)``
        in ``"xyz"`` order; ``(nz, ny, nx)`` or ``(nz, ny, nx, k)`` in
        ``"zyx"`` order. A 2-D array is one slice: ``(nx, ny)`` or ``(ny, nx)``.
        (A 2-D image with components needs its slice axis: ``rgb[np.newaxis]``
        in ``"zyx"`` order.)
    spacing : sequence of 3 floats, optional
        Voxel size along x, y, z; default ``(1, 1, 1)``.
    origin : sequence of 3 floats, optional
        Physical position of voxel ``[0, 0, 0]``; default ``(0, 0, 0)``.
    direction : (3, 3) array_like, optional
        Orthonormal matrix whose columns are the directions of the x, y and z
        index axes in physical space; default identity.
    index_order : {"xyz", "zyx"}
        How ``array`` is indexed.
    name : str
        The name of the point data array; it becomes the active scalars.
    frame : {"RAS", "LPS"}
        The patient frame ``origin``, ``direction`` and ``affine`` are given in.
    affine : (4, 4) array_like, optional
        Instead of ``spacing``, ``origin`` and ``direction``: the matrix that
        takes ``[i, j, k, 1]`` (x, y, z indices, whatever ``index_order``) to
        the physical point, such as nibabel's ``img.affine`` (RAS) or
        :func:`vmtkscripts_numpy.placement.index_to_physical`. Its columns must
        be at right angles (no shear).

    Returns
    -------
    dict
        A complete image ArrayDict (see :func:`image_to_dict`).

    Raises
    ------
    ArrayDictError
        Naming the parameter, for a wrong rank, non-numeric values, a
        non-positive spacing or a direction that is not orthonormal.

    Examples
    --------
    >>> import numpy as np
    >>> volume = np.zeros((40, 64, 64), np.float32)          # [z, y, x], as SimpleITK gives it
    >>> image_dict = dict_from_array(volume, spacing=(0.5, 0.5, 2.0), index_order="zyx")
    >>> image_dict["Dimensions"]
    array([64, 64, 40])
    """
    order = _index_order(index_order, "index_order")
    frame = _frame(frame, "frame")
    if affine is not None:
        if spacing is not None or origin is not None or direction is not None:
            raise ArrayDictError("affine: give either affine or spacing, origin and direction, not both")
        from ..placement import placement_from_affine

        placed = placement_from_affine(affine)
        origin, spacing, direction = placed[0].tolist(), placed[1].tolist(), placed[2]
    if not isinstance(name, str) or not name:
        raise ArrayDictError(f"name: expected a non-empty string, found {name!r}")
    values = numeric_array(array, "array", allow_bool=True)
    if values.ndim == 2:
        values = values[:, :, np.newaxis] if order == "xyz" else values[np.newaxis]
    if values.ndim not in (3, 4) or (values.ndim == 4 and values.shape[3] == 0):
        raise ArrayDictError(
            f"array: expected a 3-D volume, optionally with a last axis of components (or a 2-D slice), "
            f"found shape {values.shape}"
        )
    grid = values.shape[:3]
    dimensions = np.array(grid if order == "xyz" else grid[::-1], dtype=np.int64)
    extent = np.zeros(6, dtype=np.int64)
    extent[1::2] = dimensions - 1
    return {
        "Origin": np.array(_floats((0, 0, 0) if origin is None else origin, "origin")),
        "Dimensions": dimensions,
        "Spacing": np.array(_spacing((1, 1, 1) if spacing is None else spacing, "spacing")),
        "Direction": np.array(_direction(direction, "direction")),
        "Extent": extent,
        "IndexOrder": order,
        "Frame": frame,
        "PointData": {name: values},
        "CellData": {},
        "FieldData": {},
        "ActiveArrays": {"PointData": {"Scalars": name}, "CellData": {}},
        "ArrayTypes": {"PointData": {}, "CellData": {}, "FieldData": {}},
    }


def image_from_array(
    array: Any,
    *,
    spacing: Optional[Sequence[float]] = None,
    origin: Optional[Sequence[float]] = None,
    direction: Optional[Any] = None,
    index_order: str = "xyz",
    name: str = "ImageScalars",
    share: bool = True,
    frame: str = DEFAULT_FRAME,
    affine: Optional[Any] = None,
) -> vtkImageData:
    """A ``vtkImageData`` from a bare ndarray of voxel values; see :func:`dict_from_array`.

    With ``share=True`` (default) the image uses the array's memory when it is
    in VTK's order (a C-ordered ``"zyx"`` or an F-ordered ``"xyz"`` array).
    ``origin`` and ``direction`` (or ``affine``, a 4x4 index-to-physical
    matrix) are in ``frame``, and so is the image.

    Examples
    --------
    >>> import numpy as np
    >>> volume = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)   # [z, y, x]
    >>> image = image_from_array(volume, spacing=(1, 1, 3), origin=(10, 0, 0), index_order="zyx")
    >>> image.GetDimensions(), image.GetScalarComponentAsDouble(3, 0, 1, 0)
    ((4, 3, 2), 15.0)
    >>> point = [0.0, 0.0, 0.0]; image.TransformIndexToPhysicalPoint(3, 0, 1, point); point
    [13.0, 0.0, 3.0]

    A nibabel array and its RAS affine:

    >>> affine = np.diag([0.8, 0.8, 2.0, 1.0]); affine[:3, 3] = (-90, 120, -40)
    >>> image = image_from_array(np.zeros((4, 3, 2)), affine=affine, frame="RAS")
    >>> image.GetSpacing(), image.GetOrigin()
    ((0.8, 0.8, 2.0), (-90.0, 120.0, -40.0))
    """
    array_dict = dict_from_array(
        array,
        spacing=spacing,
        origin=origin,
        direction=direction,
        index_order=index_order,
        name=name,
        frame=frame,
        affine=affine,
    )
    return dict_to_image(array_dict, share=share, frame=frame)


def place_by_xyz_to_ras(array_dict: Dict[str, Any], xyz_to_ras: Sequence[float]) -> None:
    """Move an image dict from vmtk's axis-aligned coordinates to true RAS, in place.

    vmtk's image reader keeps a rotated image axis-aligned and hands its
    orientation on as ``XyzToRasMatrixCoefficients`` (16 numbers, row by
    row): this applies it to ``Origin`` and ``Direction``, so the dict records
    where the voxels really are.

    Raises
    ------
    ArrayDictError
        If the matrix is not 16 finite numbers whose 3x3 part is orthonormal.

    Examples
    --------
    >>> import numpy as np
    >>> image_dict = dict_from_array(np.zeros((2, 2, 2)), origin=(-10, -20, 30))
    >>> place_by_xyz_to_ras(image_dict, [-1, 0, 0, -20, 0, -1, 0, -40, 0, 0, 1, 0, 0, 0, 0, 1])
    >>> image_dict["Origin"].tolist(), np.diag(image_dict["Direction"]).tolist()
    ([-10.0, -20.0, 30.0], [-1.0, -1.0, 1.0])
    """
    where = "XyzToRasMatrixCoefficients"
    values = numeric_array(xyz_to_ras, where)
    if values.size != 16:
        raise ArrayDictError(f"{where}: expected 16 numbers, found {values.size}")
    matrix = np.array(_numbers(values.reshape(4, 4), (4, 4), where), dtype=np.float64)
    rotation = matrix[:3, :3]
    if np.abs(rotation.T @ rotation - np.eye(3)).max() > ORTHONORMAL_TOLERANCE:
        raise ArrayDictError(f"{where}: its 3x3 part is not a rotation or reflection, found {rotation.tolist()}")
    origin = np.asarray(array_dict["Origin"], dtype=np.float64)
    direction = np.asarray(array_dict.get("Direction", np.eye(3)), dtype=np.float64)
    array_dict["Origin"] = rotation @ origin + matrix[:3, 3]
    array_dict["Direction"] = rotation @ direction


# --- checks --------------------------------------------------------------------


def _index_order(value: Any, where: str) -> str:
    # Stored dicts may give the string back as bytes or as a 0-d numpy array.
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, bytes):
        value = value.decode("ascii", errors="replace")
    if not isinstance(value, str) or value not in INDEX_ORDERS:
        raise ArrayDictError(f"{where}: expected one of {list(INDEX_ORDERS)}, found {value!r}")
    return str(value)


def _frame(value: Any, where: str) -> str:
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, bytes):
        value = value.decode("ascii", errors="replace")
    if not isinstance(value, str) or value.upper() not in FRAMES:
        raise ArrayDictError(f"{where}: expected one of {list(FRAMES)}, found {value!r}")
    return value.upper()


def _other_frame(
    origin: Tuple[float, ...], direction: Tuple[Tuple[float, ...], ...]
) -> Tuple[Tuple[float, float, float], Tuple[Tuple[float, float, float], ...]]:
    """Origin and direction rows in the other patient frame: RAS <-> LPS flips the signs of x and y."""
    signs = (-1.0, -1.0, 1.0)
    moved = tuple(sign * value for sign, value in zip(signs, origin))
    rows = tuple(tuple(sign * value for value in row) for sign, row in zip(signs, direction))
    return moved, rows  # type: ignore[return-value]


def other_frame(frame: str) -> str:
    """``"LPS"`` for ``"RAS"`` and the other way round."""
    return FRAMES[1 - FRAMES.index(_frame(frame, "frame"))]


# Placement values are a handful of numbers: they are checked as Python lists, which for
# 3-vectors is several times faster than a numpy call per check.


def _numbers(value: Any, shape: Tuple[int, ...], where: str) -> List[Any]:
    """``value`` as (nested) Python lists of finite numbers, shaped ``shape``.

    Floats wider than float64 (long double) must hold float64 values: they are
    given as Python floats, and anything a float64 cannot hold is an error.
    """
    array = numeric_array(value, where)
    if array.shape != shape:
        raise ArrayDictError(f"{where}: expected shape {shape}, found {array.shape}")
    if array.dtype.kind == "f" and array.dtype.itemsize > 8:
        narrow = array.astype(np.float64)
        if not np.array_equal(narrow.astype(array.dtype), array):
            raise ArrayDictError(
                f"{where}: a float64 cannot hold these {array.dtype} values exactly: {array.tolist()}"
            )
        array = narrow
    numbers = array.tolist()
    if array.dtype.kind == "f":
        flat = numbers if array.ndim == 1 else [number for row in numbers for number in row]
        if not all(map(math.isfinite, flat)):
            raise ArrayDictError(f"{where}: expected finite numbers, found {numbers}")
    return numbers


def _exact_float(number: Any, where: str) -> float:
    """``number`` as a float64, which must hold it exactly (an int above 2**53 may not)."""
    value = float(number)
    if value != number:
        raise ArrayDictError(f"{where}: a float64 cannot hold {number} exactly (it would become {value!r})")
    return value


def _integers(value: Any, count: int, where: str) -> Tuple[int, ...]:
    numbers = _numbers(value, (count,), where)
    if any(isinstance(number, float) and not number.is_integer() for number in numbers):
        raise ArrayDictError(f"{where}: expected integers, found {numbers}")
    integers = tuple(int(number) for number in numbers)
    if min(integers) < _INT_MIN or max(integers) > _INT_MAX:
        raise ArrayDictError(
            f"{where}: VTK holds image extents and dimensions as 32-bit ints ({_INT_MIN} to {_INT_MAX}), "
            f"found {list(integers)}"
        )
    return integers


def _dimensions(value: Any, where: str) -> Tuple[int, int, int]:
    dimensions = _integers(value, 3, where)
    if min(dimensions) < 0:
        raise ArrayDictError(f"{where}: expected point counts >= 0, found {list(dimensions)}")
    return cast(Tuple[int, int, int], dimensions)


def _floats(value: Any, where: str) -> Tuple[float, float, float]:
    numbers = _numbers(value, (3,), where)
    if all(type(number) is float for number in numbers):
        return cast(Tuple[float, float, float], tuple(numbers))
    return cast(Tuple[float, float, float], tuple(_exact_float(number, where) for number in numbers))


def _spacing(value: Any, where: str) -> Tuple[float, float, float]:
    spacing = _floats(value, where)
    if min(spacing) <= 0:
        raise ArrayDictError(
            f"{where}: expected positive voxel sizes, found {list(spacing)} "
            "(flip an axis with a negative Direction column instead)"
        )
    return spacing


_IDENTITY_ROWS = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))


def _direction(value: Any, where: str) -> Tuple[Tuple[float, float, float], ...]:
    """The rows of an orthonormal (3, 3) matrix; the identity for None."""
    if value is None:
        return _IDENTITY_ROWS
    numbers = _numbers(value, (3, 3), where)
    if all(type(number) is float for row in numbers for number in row):
        rows = tuple(tuple(row) for row in numbers)
    else:
        rows = tuple(tuple(_exact_float(number, where) for number in row) for row in numbers)
    if rows == _IDENTITY_ROWS:
        return rows
    # The largest element of |Direction.T @ Direction - I|.
    deviation = max(
        abs(sum(row[i] * row[j] for row in rows) - (i == j)) for i in range(3) for j in range(i, 3)
    )
    if deviation <= ORTHONORMAL_TOLERANCE:
        return rows
    matrix = [list(row) for row in rows]
    (a, b, c), (d, e, f), (g, h, i) = rows
    # Cofactors in plain floats: entries near the float limit give inf or NaN (not singular), never a warning.
    determinant = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    if abs(determinant) < ORTHONORMAL_TOLERANCE:
        raise ArrayDictError(f"{where}: is singular (determinant 0), found {matrix}")
    raise ArrayDictError(
        f"{where}: expected an orthonormal matrix (unit columns at right angles, a rotation or "
        f"reflection), found {matrix} (Direction.T @ Direction differs from the identity "
        f"by {deviation:.3g})"
    )


def _extent(value: Any, dimensions: Tuple[int, int, int], where: str) -> Tuple[int, ...]:
    if value is None:
        return tuple(bound for count in dimensions for bound in (0, count - 1))
    extent = _integers(value, 6, where)
    spans = [high - low + 1 for low, high in zip(extent[0::2], extent[1::2])]
    if spans != list(dimensions):
        raise ArrayDictError(
            f"{where}: {list(extent)} spans {spans} points per axis, but Dimensions is "
            f"{list(dimensions)} (expected Extent[1::2] - Extent[0::2] + 1 == Dimensions)"
        )
    return extent


def _cell_grid(dimensions: Union[Sequence[int], np.ndarray]) -> Tuple[int, ...]:
    """Cells per axis: one fewer than points, but 1 along an axis of a single point (as VTK counts)."""
    if 0 in dimensions:
        return (0, 0, 0)
    return tuple(max(int(count) - 1, 1) for count in dimensions)


def _matrix_elements(matrix) -> np.ndarray:
    return np.array([[matrix.GetElement(row, column) for column in range(3)] for row in range(3)], dtype=np.float64)
