"""An image (dict or ``vtkImageData``) as one voxel array and its placement, for the image libraries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Dict, Optional, Tuple

import numpy as np

from ..errors import ArrayDictError


def image_dict_of(data: Any, frame: str) -> Dict[str, Any]:
    """An image dict in ``frame`` from an image dict or a ``vtkImageData`` (taken to be in RAS)."""
    from vtkmodules.vtkCommonDataModel import vtkImageData

    from ..convert.image import image_to_dict
    from ..convert.layout import guess_kind
    from ..placement import in_frame

    if isinstance(data, vtkImageData):
        return in_frame(image_to_dict(data, copy=False, frame="RAS"), frame)
    if not isinstance(data, Mapping) or guess_kind(data) != "image":
        raise ArrayDictError(f"expected an image ArrayDict or a vtkImageData, found {type(data).__name__}")
    return in_frame(data, frame)


def voxels(image_dict: Dict[str, Any], name: Optional[str], order: str) -> Tuple[str, np.ndarray]:
    """The point data array ``name`` (default the active scalars, else the first) as a view in ``order``."""
    from ..convert.image import _index_order

    point_data = image_dict.get("PointData") or {}
    if name is None:
        active = ((image_dict.get("ActiveArrays") or {}).get("PointData") or {}).get("Scalars")
        name = active if active in point_data else next(iter(point_data), None)
    if name is None or name not in point_data:
        raise ArrayDictError(
            f"PointData: no array {name!r} to convert; the image has {sorted(point_data) or 'no point data arrays'}"
        )
    values = np.asarray(point_data[name])
    own = _index_order(image_dict.get("IndexOrder", "xyz"), "ArrayDict/IndexOrder")
    if own != order:
        values = values.transpose((2, 1, 0) + tuple(range(3, values.ndim)))
    return name, values
