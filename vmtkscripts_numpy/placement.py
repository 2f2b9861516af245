"""Where an image's voxels are, as 4x4 matrices: index -> physical and back, in RAS or LPS.

An image ArrayDict places the voxel at array index ``[i, j, k]`` (the x, y, z
indices: ``PointData[name][i, j, k]`` in ``"xyz"`` order, ``[k, j, i]`` in
``"zyx"`` order) at ``Origin + Direction @ (Spacing * [i, j, k])``, in the
patient frame its ``Frame`` key names (RAS when absent). The same placement as
one homogeneous matrix is what nibabel calls ``affine``, 3D Slicer ``IJKToRAS``
and PyVista ``index_to_physical_matrix``::

    [x, y, z, 1] = index_to_physical(image_dict) @ [i, j, k, 1]

RAS and LPS differ by the signs of x and y, so a matrix in the other frame is
``diag(-1, -1, 1, 1) @ matrix``.

Examples
--------
>>> import numpy as np
>>> from vmtkscripts_numpy import dict_from_array
>>> image_dict = dict_from_array(np.zeros((4, 3, 2)), spacing=(0.5, 0.5, 2.0), origin=(10, 20, 30))
>>> matrix = index_to_physical(image_dict)
>>> (matrix @ [1, 2, 1, 1]).tolist()
[10.5, 21.0, 32.0, 1.0]
>>> (physical_to_index(image_dict) @ [10.5, 21.0, 32.0, 1]).tolist()
[1.0, 2.0, 1.0, 1.0]
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Tuple

import numpy as np

from .errors import ArrayDictError

#: RAS <-> LPS, as a homogeneous matrix (its own inverse).
RAS_TO_LPS = np.diag([-1.0, -1.0, 1.0, 1.0])

#: How far the last row of an affine may be from ``[0, 0, 0, 1]``, and its columns from right angles.
AFFINE_TOLERANCE = 1e-6

_INDEXES = ("array", "extent")


def _placement(image_dict: Mapping[str, Any], frame: Optional[str], where: str) -> Tuple[np.ndarray, ...]:
    """Origin, Spacing, Direction (checked, float64), extent start and whether the frame flips."""
    from .convert.image import DEFAULT_FRAME, _dimensions, _direction, _extent, _floats, _frame, _spacing
    from .convert.validate import key_path, require

    if not isinstance(image_dict, Mapping):
        raise ArrayDictError(f"{where}: expected an image ArrayDict (a mapping), found {type(image_dict).__name__}")
    origin = np.array(_floats(require(image_dict, "Origin", where), key_path(where, "Origin")))
    spacing = np.array(_spacing(require(image_dict, "Spacing", where), key_path(where, "Spacing")))
    direction = np.array(_direction(image_dict.get("Direction"), key_path(where, "Direction")))
    dimensions = _dimensions(require(image_dict, "Dimensions", where), key_path(where, "Dimensions"))
    extent = np.array(_extent(image_dict.get("Extent"), dimensions, key_path(where, "Extent")), dtype=np.int64)
    dict_frame = _frame(image_dict.get("Frame", DEFAULT_FRAME), key_path(where, "Frame"))
    wanted = dict_frame if frame is None else _frame(frame, "frame")
    return origin, spacing, direction, extent[0::2].astype(np.float64), np.array(wanted != dict_frame)


def index_to_physical(image_dict: Mapping[str, Any], *, frame: Optional[str] = None, index: str = "array") -> np.ndarray:
    """The 4x4 matrix that takes a voxel index to its physical point.

    Parameters
    ----------
    image_dict : mapping
        An image ArrayDict: ``Origin``, ``Spacing``, ``Dimensions`` and the
        optional ``Direction``, ``Extent`` and ``Frame`` (RAS when absent).
    frame : {None, "RAS", "LPS"}
        The patient frame of the physical points; default the dict's own.
    index : {"array", "extent"}
        ``"array"`` (default): ``[i, j, k]`` are array indices, 0 at the first
        voxel, as in ``PointData[name][i, j, k]``. ``"extent"``: VTK's structured
        indices, which start at ``Extent[0::2]`` (``vtkImageData.TransformIndexToPhysicalPoint``).

    Returns
    -------
    numpy.ndarray
        ``(4, 4)`` float64: ``[x, y, z, 1] = matrix @ [i, j, k, 1]`` with
        ``i, j, k`` the x, y, z indices whatever the dict's ``IndexOrder``.

    Raises
    ------
    ArrayDictError
        Naming the key, for a missing or malformed ``Origin``, ``Spacing``,
        ``Dimensions``, ``Direction``, ``Extent`` or ``Frame``.

    Examples
    --------
    >>> import numpy as np
    >>> from vmtkscripts_numpy import dict_from_array
    >>> image_dict = dict_from_array(np.zeros((2, 2, 2)), origin=(-5, 0, 0), frame="LPS")
    >>> index_to_physical(image_dict, frame="RAS")[:3, 3].tolist()
    [5.0, 0.0, 0.0]
    """
    if index not in _INDEXES:
        raise ArrayDictError(f"index: expected one of {list(_INDEXES)}, found {index!r}")
    origin, spacing, direction, start, flip = _placement(image_dict, frame, "ArrayDict")
    matrix = np.eye(4)
    matrix[:3, :3] = direction * spacing
    matrix[:3, 3] = origin
    if index == "extent":
        matrix[:3, 3] = origin - matrix[:3, :3] @ start
    # + 0.0 turns the -0.0 of a flipped zero into 0.0.
    return RAS_TO_LPS @ matrix + 0.0 if flip else matrix


def physical_to_index(image_dict: Mapping[str, Any], *, frame: Optional[str] = None, index: str = "array") -> np.ndarray:
    """The 4x4 matrix that takes a physical point to its (fractional) voxel index.

    The inverse of :func:`index_to_physical`. Round the result to get the
    nearest voxel.

    Parameters
    ----------
    image_dict : mapping
        An image ArrayDict.
    frame : {None, "RAS", "LPS"}
        The patient frame of the physical points; default the dict's own.
    index : {"array", "extent"}
        As in :func:`index_to_physical`.

    Returns
    -------
    numpy.ndarray
        ``(4, 4)`` float64: ``[i, j, k, 1] = matrix @ [x, y, z, 1]``.

    Examples
    --------
    >>> import numpy as np
    >>> from vmtkscripts_numpy import dict_from_array
    >>> image_dict = dict_from_array(np.zeros((4, 4, 4)), spacing=(2, 2, 2), origin=(1, 1, 1))
    >>> np.rint(physical_to_index(image_dict) @ [5.2, 3.0, 1.1, 1]).astype(int).tolist()
    [2, 1, 0, 1]
    """
    if index not in _INDEXES:
        raise ArrayDictError(f"index: expected one of {list(_INDEXES)}, found {index!r}")
    # A numerical inverse, not the transposed direction: a direction read from a file (a float32
    # NIfTI affine) is orthonormal only to rounding, and the transpose would be off by as much.
    inverse = np.linalg.inv(index_to_physical(image_dict, frame=frame, index=index))
    inverse[3] = (0.0, 0.0, 0.0, 1.0)
    return inverse + 0.0


def placement_from_affine(affine: Any, where: str = "affine") -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(origin, spacing, direction)`` of a 4x4 (or 3x4) index-to-physical matrix.

    Spacing is the length of each of the first three columns and direction
    those columns made unit length; the translation column is the origin.

    Raises
    ------
    ArrayDictError
        For a matrix that is not 4x4 or 3x4, not finite, whose last row is not
        ``[0, 0, 0, 1]``, with a zero-length column, or whose columns are not
        at right angles (a sheared affine has no direction matrix).

    Examples
    --------
    >>> origin, spacing, direction = placement_from_affine([[0, 0, -2, 9], [0, 3, 0, 8], [1, 0, 0, 7], [0, 0, 0, 1]])
    >>> origin.tolist(), spacing.tolist(), direction[:, 0].tolist()
    ([9.0, 8.0, 7.0], [1.0, 3.0, 2.0], [0.0, 0.0, 1.0])
    """
    try:
        matrix = np.array(affine, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ArrayDictError(f"{where}: expected a 4x4 matrix of numbers ({error})") from None
    if matrix.shape not in ((4, 4), (3, 4)):
        raise ArrayDictError(f"{where}: expected a 4x4 matrix, found shape {matrix.shape}")
    if not np.isfinite(matrix).all():
        raise ArrayDictError(f"{where}: has non-finite values")
    if matrix.shape == (4, 4) and np.abs(matrix[3] - [0, 0, 0, 1]).max() > AFFINE_TOLERANCE:
        raise ArrayDictError(f"{where}: expected a last row [0, 0, 0, 1], found {matrix[3].tolist()}")
    columns = matrix[:3, :3]
    spacing = np.sqrt((columns**2).sum(axis=0))
    if (spacing == 0).any():
        raise ArrayDictError(f"{where}: index axis {int(np.argmin(spacing))} has zero length (a singular matrix)")
    direction = columns / spacing
    deviation = np.abs(direction.T @ direction - np.eye(3)).max()
    if deviation > AFFINE_TOLERANCE:
        raise ArrayDictError(
            f"{where}: its index axes are not at right angles (sheared by {deviation:.3g}); an image's "
            "Direction must be a rotation or reflection"
        )
    return matrix[:3, 3].copy(), spacing, direction


def in_frame(image_dict: Mapping[str, Any], frame: str) -> dict:
    """The image dict with ``Origin``, ``Direction`` and ``Frame`` in ``frame`` (a new dict sharing the arrays).

    Every voxel stays at the same physical point: RAS and LPS differ by the
    signs of x and y, so the first two entries of ``Origin`` and rows of
    ``Direction`` change sign.

    Examples
    --------
    >>> import numpy as np
    >>> from vmtkscripts_numpy import dict_from_array
    >>> lps = in_frame(dict_from_array(np.zeros((2, 2, 2)), origin=(1, 2, 3)), "LPS")
    >>> lps["Frame"], lps["Origin"].tolist(), np.diag(lps["Direction"]).tolist()
    ('LPS', [-1.0, -2.0, 3.0], [-1.0, -1.0, 1.0])
    """
    from .convert.image import _frame

    origin, _, direction, _, flip = _placement(image_dict, frame, "ArrayDict")
    moved = dict(image_dict)
    signs = np.array([-1.0, -1.0, 1.0]) if flip else np.ones(3)
    moved["Origin"] = signs * origin + 0.0
    moved["Direction"] = signs[:, np.newaxis] * direction + 0.0
    moved["Frame"] = _frame(frame, "frame")
    return moved
