"""Oblique slices of an image, sampled by VTK and placed where they are in the patient.

:func:`extract_slice` cuts one plane out of a volume (a ``vtkImageData`` or an
image ArrayDict) and gives it as a one-slice image ArrayDict whose ``Origin``,
``Spacing`` and ``Direction`` say where every pixel is: the pixel ``[i, j]``
(``"xyz"`` order) is at ``Origin + i * Spacing[0] * Direction[:, 0] + j *
Spacing[1] * Direction[:, 1]``, and ``Direction[:, 2]`` is the plane's normal.
The direction is always a rotation (right-handed): a slice is never stored
mirrored, so a viewer that honours the orientation shows the patient the right
way round, and one that shows pixels in storage order (columns to the right,
rows downwards) shows a rotated picture at worst, never a mirrored one.

The plane is given by a point and its two in-plane axes, or by a point, its
normal and the direction that should be *up* on screen. Two options choose
the storage order on purpose:

- ``snap_to_patient_axes=True`` turns the in-plane axes to the ones a viewer
  expects for the nearest standard plane (DICOM's conventions): an axial slice
  stores columns towards the patient's left and rows towards posterior
  (anterior up); a coronal slice left and inferior (superior up); a sagittal
  slice posterior and inferior. The normal then points where those axes make
  it point (superior, posterior, right): the same plane, never a mirror image.
- ``quarter_turns=k`` turns both in-plane axes by ``k`` times 90 degrees about
  the normal.

The sampling is VTK's ``vtkImageReslice`` (linear, nearest or cubic), run in
the volume's index frame, so every VTK from 9.1 on gives the same slice
whether or not its reslice filter reads an image's direction matrix.

Examples
--------
>>> import numpy as np
>>> from vmtkscripts_numpy.convert.image import dict_from_array
>>> volume = dict_from_array(np.arange(60, dtype=np.float32).reshape(5, 4, 3), spacing=(1, 1, 2))
>>> axial = extract_slice(volume, (2, 1.5, 2), normal=(0, 0, 1), up=(0, -1, 0), spacing=1, size=(3, 2))
>>> axial["Dimensions"].tolist(), axial["Origin"].tolist()
([3, 2, 1], [1.0, 1.0, 2.0])
>>> axial["PointData"]["ImageScalars"][:, :, 0]
array([[16., 19.],
       [28., 31.],
       [40., 43.]], dtype=float32)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Dict, Optional, Sequence, Tuple, Union

import numpy as np

from .convert.image import DEFAULT_FRAME, dict_to_image, image_to_dict
from .errors import ArrayDictError, LossWarning, warn

#: How ``vtkImageReslice`` samples between voxels.
INTERPOLATIONS: Tuple[str, ...] = ("linear", "nearest", "cubic")

#: LPS <-> RAS: the signs of x and y (its own inverse).
_LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0])

#: The in-plane axes (columns, rows) a viewer expects, in LPS, by the patient axis nearest the normal
#: (0: sagittal, 1: coronal, 2: axial), as DICOM viewers lay out the three standard planes.
VIEWER_AXES_LPS: Dict[int, Tuple[Tuple[float, float, float], Tuple[float, float, float]]] = {
    0: ((0.0, 1.0, 0.0), (0.0, 0.0, -1.0)),   # sagittal: columns posterior, rows inferior (superior up)
    1: ((1.0, 0.0, 0.0), (0.0, 0.0, -1.0)),   # coronal: columns left, rows inferior (superior up)
    2: ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0)),    # axial: columns left, rows posterior (anterior up)
}

#: Smallest length a vector may have once its part along another is taken away.
_DEGENERATE = 1e-9

ImageLike = Union[Any, Mapping]


def slice_direction(
    axes: Optional[Any] = None,
    *,
    normal: Optional[Sequence[float]] = None,
    up: Optional[Sequence[float]] = None,
    snap_to_patient_axes: bool = False,
    quarter_turns: int = 0,
    frame: str = DEFAULT_FRAME,
) -> np.ndarray:
    """The direction matrix of a slice: columns = first in-plane axis, second in-plane axis, normal.

    Parameters
    ----------
    axes : (2, 3) array_like, optional
        Two vectors spanning the plane: the first is the direction of
        increasing column index (``i``), the second is made perpendicular to
        it and is the direction of increasing row index (``j``).
    normal : (3,) array_like, optional
        Instead of ``axes``: the plane's normal.
    up : (3,) array_like, optional
        With ``normal``: the in-plane direction that is up on screen when the
        pixels are shown in storage order (first row at the top), so rows run
        the opposite way. Without it (and without ``axes``) the axes are
        snapped to the patient's.
    snap_to_patient_axes : bool
        Turn the in-plane axes to the ones a viewer expects for the nearest
        standard plane (see the module's notes); the normal may change sign.
    quarter_turns : int
        Turn both in-plane axes about the normal by this many 90-degree steps
        (right-hand rule: one turn takes the first axis to the second).
    frame : {"RAS", "LPS"}
        The patient frame the vectors are given in, and the result is in.

    Returns
    -------
    ndarray
        (3, 3) float64, orthonormal with determinant +1.

    Raises
    ------
    ValueError
        For both ``axes`` and ``normal``, vectors of the wrong shape, zero or
        parallel vectors, or ``up`` along the normal.

    Examples
    --------
    >>> slice_direction(normal=(0, 0, 1), snap_to_patient_axes=True, frame="LPS")
    array([[1., 0., 0.],
           [0., 1., 0.],
           [0., 0., 1.]])
    >>> slice_direction([(1, 0, 0), (0, 1, 0)], quarter_turns=1)
    array([[ 0., -1.,  0.],
           [ 1.,  0.,  0.],
           [ 0.,  0.,  1.]])
    """
    frame = _frame(frame)
    if (axes is None) == (normal is None):
        raise ValueError("give the plane either by its two in-plane axes (axes=) or by its normal (normal=, up=)")
    if axes is not None:
        if up is not None:
            raise ValueError("up= goes with normal=; with axes= the second axis gives the rows' direction")
        pair = _vectors(axes, (2, 3), "axes")
        first = _unit(pair[0], "axes[0]")
        second = _unit(pair[1] - (pair[1] @ first) * first, "axes[1] (its part perpendicular to axes[0])")
        direction = np.column_stack([first, second, np.cross(first, second)])
    else:
        plane_normal = _unit(_vectors(normal, (3,), "normal"), "normal")
        if up is None:
            snap_to_patient_axes = True
            # Any in-plane axes: snapping below chooses them.
            direction = _completed(plane_normal)
        else:
            upward = _vectors(up, (3,), "up")
            rows = _unit(-(upward - (upward @ plane_normal) * plane_normal), "up (its part in the plane)")
            direction = np.column_stack([np.cross(rows, plane_normal), rows, plane_normal])
    if snap_to_patient_axes:
        direction = _snapped(direction, frame)
    turns = int(quarter_turns)
    if turns != quarter_turns:
        raise ValueError(f"quarter_turns: expected an integer, found {quarter_turns!r}")
    for _ in range(turns % 4):
        direction = np.column_stack([direction[:, 1], -direction[:, 0], direction[:, 2]])
    return direction + 0.0  # no negative zeros


def _completed(normal: np.ndarray) -> np.ndarray:
    """Any right-handed frame whose third axis is ``normal``."""
    helper = np.eye(3)[int(np.argmin(np.abs(normal)))]
    first = _unit(helper - (helper @ normal) * normal, "normal")
    return np.column_stack([first, np.cross(normal, first), normal])


def _snapped(direction: np.ndarray, frame: str) -> np.ndarray:
    """The plane of ``direction`` with the in-plane axes a viewer expects (columns, rows), right-handed."""
    to_lps = _LPS_TO_RAS if frame == "RAS" else np.eye(3)
    normal = to_lps @ direction[:, 2]
    columns, rows = (np.array(axis) for axis in VIEWER_AXES_LPS[int(np.argmax(np.abs(normal)))])
    # The normal of the standard plane is columns x rows; the slice's normal takes that side.
    if normal @ np.cross(columns, rows) < 0:
        normal = -normal
    # The in-plane rotation that best matches both axes: maximise u.columns + v.rows with v = n x u,
    # i.e. u along the in-plane part of columns + rows x n.
    target = columns + np.cross(rows, normal)
    first = _unit(target - (target @ normal) * normal, "the snapped first axis")
    snapped = np.column_stack([first, np.cross(normal, first), normal])
    return to_lps @ snapped


def extract_slice(
    image: ImageLike,
    point: Sequence[float],
    axes: Optional[Any] = None,
    *,
    normal: Optional[Sequence[float]] = None,
    up: Optional[Sequence[float]] = None,
    spacing: Union[None, float, Sequence[float]] = None,
    size: Union[None, int, Sequence[int]] = None,
    thickness: Optional[float] = None,
    interpolation: str = "linear",
    snap_to_patient_axes: bool = False,
    quarter_turns: int = 0,
    background: float = 0.0,
    arrays: Optional[Sequence[str]] = None,
    frame: Optional[str] = None,
    index_order: str = "xyz",
) -> Dict[str, Any]:
    """One plane of a volume as a one-slice image ArrayDict, placed where it is in the patient.

    Parameters
    ----------
    image : vtkImageData or mapping
        The volume: a ``vtkImageData`` (its coordinates in ``frame``) or an
        image ArrayDict (its ``Frame``; a dict without one is taken to be in
        ``frame``).
    point : (3,) array_like
        A point of the plane; it is the centre of the slice (a pixel centre
        when the size is odd).
    axes, normal, up, snap_to_patient_axes, quarter_turns
        The plane's orientation and the storage order of its pixels: see
        :func:`slice_direction`.
    spacing : float or (2,) array_like, optional
        Pixel size along the first and second in-plane axes, in the image's
        units (mm); default: the smallest voxel size of the volume.
    size : int or (2,) array_like of int, optional
        Pixels along the two axes; default: enough to cover the whole volume
        (an odd number, so ``point`` is a pixel centre).
    thickness : float, optional
        The slice's ``Spacing[2]`` (a DICOM writer calls it SliceThickness);
        default: the extent of one voxel of the volume along the normal.
    interpolation : {"linear", "nearest", "cubic"}
        How ``vtkImageReslice`` samples between voxel centres. Integer data
        keeps its dtype (linear and cubic values are rounded by VTK); use
        ``"nearest"`` for labels.
    background : float
        The value of pixels outside the volume.
    arrays : sequence of str, optional
        The point data arrays to sample; default: all of them.
    frame : {"RAS", "LPS"}, optional
        The patient frame of ``point``, the axes and the result; default:
        the dict's ``Frame``, or RAS (vmtk's) for a ``vtkImageData``.
    index_order : {"xyz", "zyx"}
        The result's index order: arrays shaped ``(nx, ny, 1)`` or
        ``(1, ny, nx)`` (plus components).

    Returns
    -------
    dict
        An image ArrayDict with ``Dimensions`` ``(nx, ny, 1)``, ``Origin`` the
        first pixel's position, ``Spacing`` ``(sx, sy, thickness)``,
        ``Direction`` the columns of :func:`slice_direction` and ``Frame``.

    Raises
    ------
    ValueError
        For a plane that is not given right (see :func:`slice_direction`), a
        non-positive spacing or size, an unknown interpolation or array name.
    ArrayDictError
        For an image dict that does not convert.

    Warns
    -----
    LossWarning
        For cell data of the volume, which a slice does not keep.

    Examples
    --------
    >>> from vmtkscripts_numpy.sample_data import make_image
    >>> oblique = extract_slice(make_image(), (0, 0, 8), normal=(0, 1, 1), up=(0, 0, 1), spacing=0.5, size=40)
    >>> oblique["Dimensions"].tolist(), oblique["Spacing"].tolist()[:2]
    ([40, 40, 1], [0.5, 0.5])
    >>> round(float(np.linalg.det(oblique["Direction"])), 12)   # a rotation: never mirrored
    1.0
    """
    from vtkmodules.vtkCommonDataModel import vtkImageData

    if isinstance(image, Mapping):
        stated = image.get("Frame")
        frame = _frame(frame if frame is not None else (DEFAULT_FRAME if stated is None else _text(stated)))
        volume = dict_to_image(image, frame=frame)
    elif isinstance(image, vtkImageData):
        frame = _frame(frame if frame is not None else DEFAULT_FRAME)
        volume = image
    else:
        raise ArrayDictError(f"image: expected a vtkImageData or an image ArrayDict, found {type(image).__name__}")
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"interpolation: expected one of {list(INTERPOLATIONS)}, found {interpolation!r}")
    centre = _vectors(point, (3,), "point")
    direction = slice_direction(axes, normal=normal, up=up, snap_to_patient_axes=snap_to_patient_axes,
                                quarter_turns=quarter_turns, frame=frame)
    first, second, plane_normal = direction.T

    vtk_origin, vtk_spacing, vtk_direction, extent = _placement(volume)
    voxel = np.abs(vtk_spacing)
    pixel = _pair(spacing, float(voxel.min()), "spacing", float)
    if size is None:
        corners = _corner_positions(vtk_origin, vtk_spacing, vtk_direction, extent) - centre
        half = np.abs(corners @ np.column_stack([first, second])).max(axis=0)
        counts = (2 * int(math.ceil(half[0] / pixel[0] - 1e-9)) + 1, 2 * int(math.ceil(half[1] / pixel[1] - 1e-9)) + 1)
    else:
        counts = _pair(size, None, "size", int)
    depth = float(np.abs(vtk_direction.T @ plane_normal) @ voxel) if thickness is None else float(thickness)
    if not (math.isfinite(depth) and depth > 0):
        raise ValueError(f"thickness: expected a positive number, found {thickness!r}")
    origin = centre - (counts[0] - 1) / 2 * pixel[0] * first - (counts[1] - 1) / 2 * pixel[1] * second

    # Output pixel (i, j, 0) -> physical origin + i sx u + j sy v -> the volume's continuous index.
    to_index = np.diag(1.0 / vtk_spacing) @ vtk_direction.T
    matrix = np.eye(4)
    matrix[:3, 0] = to_index @ (pixel[0] * first)
    matrix[:3, 1] = to_index @ (pixel[1] * second)
    matrix[:3, 2] = to_index @ (depth * plane_normal)
    matrix[:3, 3] = to_index @ (origin - vtk_origin)

    point_data = volume.GetPointData()
    names = [point_data.GetArrayName(index) for index in range(point_data.GetNumberOfArrays())]
    names = [name for name in names if name]
    wanted = names if arrays is None else [str(name) for name in arrays]
    missing = [name for name in wanted if name not in names]
    if missing:
        raise ValueError(f"arrays: {missing} are not point data arrays of the image (it has {names})")
    if volume.GetCellData().GetNumberOfArrays():
        warn("extract_slice: the image's cell data is not sampled; a slice keeps point data only",
                      LossWarning)

    result = vtkImageData()
    result.SetExtent(0, counts[0] - 1, 0, counts[1] - 1, 0, 0)
    result.SetOrigin(*origin)
    result.SetSpacing(pixel[0], pixel[1], depth)
    result.SetDirectionMatrix(*direction.ravel())
    active = point_data.GetScalars()
    for name in wanted:
        sampled = _resliced(point_data.GetArray(name), extent, matrix, counts, interpolation, background)
        sampled.SetName(name)
        result.GetPointData().AddArray(sampled)
        if active is not None and active.GetName() == name:
            result.GetPointData().SetActiveScalars(name)
    if result.GetPointData().GetScalars() is None and wanted:
        result.GetPointData().SetActiveScalars(wanted[0])
    return image_to_dict(result, index_order=index_order, copy=False, frame=frame)


def _resliced(array: Any, extent: Tuple[int, ...], matrix: np.ndarray, counts: Tuple[int, int],
              interpolation: str, background: float) -> Any:
    """``array`` (point data over ``extent``) sampled at the output pixels ``matrix`` gives indices of."""
    from vtkmodules.vtkCommonDataModel import vtkImageData
    from vtkmodules.vtkCommonMath import vtkMatrix4x4
    from vtkmodules.vtkImagingCore import vtkImageReslice

    from .convert.arrays import numpy_to_vtk, vtk_to_numpy

    is_bit = array.GetDataType() == 1  # VTK_BIT: reslice has no bits; sample bytes and give bools back
    if is_bit:
        array = numpy_to_vtk(vtk_to_numpy(array).astype(np.uint8), share=False)
    # The volume in its own index frame: origin 0, spacing 1, no direction, the same extent.
    indexed = vtkImageData()
    indexed.SetExtent(*extent)
    indexed.GetPointData().SetScalars(array)
    axes = vtkMatrix4x4()
    for row in range(4):
        for column in range(4):
            axes.SetElement(row, column, float(matrix[row, column]))
    reslice = vtkImageReslice()
    reslice.SetInputData(indexed)
    reslice.SetResliceAxes(axes)
    reslice.SetOutputOrigin(0.0, 0.0, 0.0)
    reslice.SetOutputSpacing(1.0, 1.0, 1.0)
    reslice.SetOutputExtent(0, counts[0] - 1, 0, counts[1] - 1, 0, 0)
    {"linear": reslice.SetInterpolationModeToLinear, "nearest": reslice.SetInterpolationModeToNearestNeighbor,
     "cubic": reslice.SetInterpolationModeToCubic}[interpolation]()
    reslice.SetBackgroundLevel(float(background))
    reslice.Update()
    sampled = reslice.GetOutput().GetPointData().GetScalars()
    if is_bit:
        sampled = numpy_to_vtk(vtk_to_numpy(sampled) != 0, share=False)
    return sampled


def _placement(image: Any) -> Tuple[np.ndarray, np.ndarray, np.ndarray, Tuple[int, ...]]:
    """VTK's origin, (signed) spacing, direction and extent: index ``ijk`` is at ``origin + D @ (s * ijk)``."""
    matrix = image.GetDirectionMatrix()
    direction = np.array([[matrix.GetElement(r, c) for c in range(3)] for r in range(3)], dtype=np.float64)
    return (np.array(image.GetOrigin(), dtype=np.float64), np.array(image.GetSpacing(), dtype=np.float64),
            direction, tuple(int(bound) for bound in image.GetExtent()))


def _corner_positions(origin: np.ndarray, spacing: np.ndarray, direction: np.ndarray,
                      extent: Tuple[int, ...]) -> np.ndarray:
    """The physical positions of the 8 corner voxels' centres, (8, 3)."""
    bounds = np.array(extent, dtype=np.float64).reshape(3, 2)
    corners = np.stack(np.meshgrid(*bounds, indexing="ij"), axis=-1).reshape(-1, 3)
    return origin + (corners * spacing) @ direction.T


def _frame(value: Any) -> str:
    text = _text(value)
    if not isinstance(text, str) or text.upper() not in ("RAS", "LPS"):
        raise ValueError(f"frame: expected one of ['RAS', 'LPS'], found {value!r}")
    return text.upper()


def _text(value: Any) -> Any:
    """A string as stored dicts give it back (bytes, a 0-d array) as ``str``."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, bytes):
        value = value.decode("ascii", errors="replace")
    return value


def _vectors(values: Any, shape: Tuple[int, ...], name: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected numbers of shape {shape}, found {values!r}") from None
    if array.shape != shape or not np.all(np.isfinite(array)):
        raise ValueError(f"{name}: expected finite numbers of shape {shape}, found {np.asarray(values).tolist()!r}")
    return array


def _unit(vector: np.ndarray, name: str) -> np.ndarray:
    length = float(np.linalg.norm(vector))
    if length < _DEGENERATE:
        raise ValueError(f"{name}: is zero (or parallel to the other direction given); the plane is undefined")
    return vector / length


def _pair(value: Any, default: Any, name: str, kind: type) -> Tuple[Any, Any]:
    """A positive number for each in-plane axis, from one number or two."""
    if value is None:
        return (default, default)
    values = np.atleast_1d(np.asarray(value, dtype=np.float64 if kind is float else object))
    if values.shape not in ((1,), (2,)):
        raise ValueError(f"{name}: expected one number or two, found {value!r}")
    pair = tuple(values) * (2 if values.shape == (1,) else 1)
    try:
        numbers = tuple(kind(item) for item in pair)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected positive numbers, found {value!r}") from None
    if any(not (math.isfinite(number) and number > 0) for number in numbers) or (
        kind is int and any(float(item) != int(item) for item in pair)
    ):
        raise ValueError(f"{name}: expected positive {'integers' if kind is int else 'numbers'}, found {value!r}")
    return numbers
