"""An image's grid and placement, shared by the image formats and :mod:`.image`.

The voxel with index ``(i, j, k)`` of an image's extent sits at
``origin + direction @ (spacing * (i, j, k))``; the helpers here read that
placement, build images from it and say what a format that stores only part
of it (or a single array) loses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, List, Sequence, Tuple, Union

import numpy as np
from vtkmodules.vtkCommonDataModel import vtkImageData

from ..convert.arrays import numpy_to_vtk, vtk_to_numpy
from ..errors import DataFileError
from . import _common


#: LPS <-> RAS (its own inverse).
LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0])


#: The name a single unnamed image array gets, as vmtk names it.
SINGLE_ARRAY_NAME = "ImageScalars"


#: How far from orthonormal a direction (or a NIfTI rotation) may be.
ORTHONORMAL_TOLERANCE = 1e-5


def image_placement(image: vtkImageData) -> Tuple[np.ndarray, np.ndarray, np.ndarray, Tuple[int, ...]]:
    """``(origin, spacing, direction, extent)`` of ``image`` as float64 arrays (direction 3x3)."""
    direction = np.array([image.GetDirectionMatrix().GetElement(i, j) for i in range(3) for j in range(3)])
    return (
        np.array(image.GetOrigin(), dtype=np.float64),
        np.array(image.GetSpacing(), dtype=np.float64),
        direction.reshape(3, 3),
        tuple(image.GetExtent()),
    )


def first_voxel_position(image: vtkImageData) -> np.ndarray:
    """The physical position of the image's first voxel (the one at the start of its extent)."""
    origin, spacing, direction, extent = image_placement(image)
    return origin + direction @ (spacing * np.array(extent[0::2], dtype=np.float64))


def grid_dimensions(image: vtkImageData) -> Tuple[int, int, int]:
    extent = image.GetExtent()
    return tuple(int(extent[2 * a + 1] - extent[2 * a] + 1) for a in range(3))  # type: ignore[return-value]


def new_image(
    dimensions: Sequence[int],
    origin: Union[Sequence[float], np.ndarray],
    spacing: Union[Sequence[float], np.ndarray],
    direction: np.ndarray,
) -> vtkImageData:
    image = vtkImageData()
    image.SetExtent(0, int(dimensions[0]) - 1, 0, int(dimensions[1]) - 1, 0, int(dimensions[2]) - 1)
    image.SetOrigin(*(float(v) for v in origin))
    image.SetSpacing(*(float(v) for v in spacing))
    image.SetDirectionMatrix(*(float(v) for v in np.asarray(direction, dtype=np.float64).ravel()))
    return image


def rebased(image: vtkImageData) -> vtkImageData:
    """A shallow copy whose extent starts at 0 and whose origin is the first voxel's position."""
    copy = vtkImageData()
    copy.ShallowCopy(image)
    nx, ny, nz = grid_dimensions(image)
    copy.SetExtent(0, nx - 1, 0, ny - 1, 0, nz - 1)
    copy.SetOrigin(*first_voxel_position(image))
    return copy


def extent_losses(image: vtkImageData) -> List[str]:
    start = tuple(image.GetExtent()[0::2])
    if any(start):
        return [
            f"the extent start {start} is folded into the origin: voxel positions are kept, "
            "indices start at 0"
        ]
    return []


def single_array(image: vtkImageData, description: str, path: Path) -> Tuple[Any, List[str]]:
    """The one point array a single-array format stores, and the losses of storing only it."""
    point_data = image.GetPointData()
    array = point_data.GetScalars()
    if array is None and point_data.GetNumberOfArrays():
        array = point_data.GetArray(0)
    if array is None:
        raise DataFileError(path, f"cannot be written as {description}: the image has no point data array")
    name = array.GetName() or "(unnamed)"
    others = [n for n in _common.attribute_array_names(point_data) if n != name]
    # Read back, the array is called ImageScalars: only another name is lost.
    losses = [] if name == SINGLE_ARRAY_NAME else [f"the array name {name!r} is not stored (it comes back as "
                                                    f"{SINGLE_ARRAY_NAME!r})"]
    if others:
        losses.append(f"only one point array is stored ({name!r}): {_common.quoted(others)} are dropped")
    cells = _common.attribute_array_names(image.GetCellData())
    if cells:
        losses.append(f"cell arrays {_common.quoted(cells)} are dropped")
    fields = _common.attribute_array_names(image.GetFieldData())
    if fields:
        losses.append(f"field arrays {_common.quoted(fields)} are dropped")
    return array, losses


def reversed_slices(array: Any, dimensions: Sequence[int]) -> Any:
    """A copy of a point array with the slice (k) order reversed."""
    values = vtk_to_numpy(array, copy=False)
    components = array.GetNumberOfComponents()
    nx, ny, nz = dimensions
    flipped = values.reshape(nz, ny, nx, components)[::-1].reshape(-1, components)
    flipped = np.ascontiguousarray(flipped if components > 1 else flipped[:, 0])
    return numpy_to_vtk(flipped, name=array.GetName(), share=True)
