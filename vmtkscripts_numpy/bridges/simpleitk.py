"""SimpleITK <-> ArrayDict, every voxel at the same physical point (SimpleITK works in LPS).

Needs SimpleITK (``pip install 'vmtkscripts_numpy[bridges]'``).

Examples
--------
>>> import numpy as np
>>> from vmtkscripts_numpy import dict_from_array
>>> image = to_simpleitk(dict_from_array(np.zeros((4, 3, 2)), origin=(10, 20, 30)))  # doctest: +SKIP
>>> image.GetOrigin()  # RAS (10, 20, 30) is LPS (-10, -20, 30)  # doctest: +SKIP
(-10.0, -20.0, 30.0)
"""

from __future__ import annotations

from typing import Any, Dict, Optional

import numpy as np

from ..errors import ArrayDictError
from ._common import require
from ._images import image_dict_of, voxels


def to_simpleitk(data: Any, *, name: Optional[str] = None) -> Any:
    """An image as a ``SimpleITK.Image`` in LPS, with its direction (voxels copied: SimpleITK owns its buffer).

    Parameters
    ----------
    data : ArrayDict or vtkImageData
        An image dict (in its ``Frame``, RAS when absent) or a ``vtkImageData``
        (taken to be in RAS, as the package's readers give it by default).
    name : str, optional
        The point data array to convert; default the active scalars.

    Returns
    -------
    SimpleITK.Image
        3-D, a vector image for arrays with components; bool becomes uint8.

    Raises
    ------
    ImportError
        Without SimpleITK, naming the extra to install.
    ArrayDictError
        For a dict that is not an image, or without the array asked for.

    Examples
    --------
    >>> import numpy as np
    >>> from vmtkscripts_numpy import dict_from_array
    >>> image = to_simpleitk(dict_from_array(np.zeros((4, 3, 2), np.int16)))  # doctest: +SKIP
    >>> image.GetSize(), image.GetPixelIDTypeAsString()  # doctest: +SKIP
    ((4, 3, 2), '16-bit signed integer')
    """
    sitk = require("SimpleITK", "SimpleITK", "to_simpleitk")
    image_dict = image_dict_of(data, "LPS")
    _, values = voxels(image_dict, name, "zyx")
    if values.dtype == np.bool_:
        values = values.astype(np.uint8)
    image = sitk.GetImageFromArray(np.ascontiguousarray(values), isVector=values.ndim == 4)
    image.SetOrigin([float(v) for v in image_dict["Origin"]])
    image.SetSpacing([float(v) for v in image_dict["Spacing"]])
    image.SetDirection([float(v) for v in np.asarray(image_dict["Direction"]).ravel()])
    return image


def from_simpleitk(
    image: Any, *, frame: str = "RAS", index_order: str = "xyz", name: str = "ImageScalars"
) -> Dict[str, Any]:
    """A ``SimpleITK.Image`` (2-D or 3-D) as an image ArrayDict, in ``frame``.

    Parameters
    ----------
    image : SimpleITK.Image
        Its origin and direction are LPS, as in every ITK image.
    frame : {"RAS", "LPS"}
        The frame of the dict's ``Origin`` and ``Direction``.
    index_order : {"xyz", "zyx"}
        ``"zyx"`` is SimpleITK's ``GetArrayFromImage`` order; ``"xyz"`` (default,
        vmtk's) is a transposed view of the same copy.
    name : str
        The name of the point data array.

    Returns
    -------
    dict
        A complete image ArrayDict (see ``dict_from_array``).

    Examples
    --------
    >>> import SimpleITK as sitk  # doctest: +SKIP
    >>> image = sitk.Image(4, 3, 2, sitk.sitkUInt8); image.SetOrigin((-10.0, -20.0, 30.0))  # doctest: +SKIP
    >>> from_simpleitk(image)["Origin"].tolist()  # doctest: +SKIP
    [10.0, 20.0, 30.0]
    """
    from ..convert.image import _index_order, dict_from_array
    from ..placement import in_frame

    sitk = require("SimpleITK", "SimpleITK", "from_simpleitk")
    order = _index_order(index_order, "index_order")
    dimension = image.GetDimension()
    if dimension not in (2, 3):
        raise ArrayDictError(f"from_simpleitk: expected a 2-D or 3-D image, found {dimension}-D")
    values = sitk.GetArrayFromImage(image)
    origin = np.zeros(3)
    spacing = np.ones(3)
    direction = np.eye(3)
    origin[:dimension] = image.GetOrigin()
    spacing[:dimension] = image.GetSpacing()
    direction[:dimension, :dimension] = np.reshape(image.GetDirection(), (dimension, dimension))
    if dimension == 2:
        values = values[np.newaxis]
    if order == "xyz":
        values = values.transpose((2, 1, 0) + tuple(range(3, values.ndim)))
    lps = dict_from_array(
        values,
        spacing=spacing.tolist(),
        origin=origin.tolist(),
        direction=direction,
        index_order=order,
        name=name,
        frame="LPS",
    )
    return in_frame(lps, frame)
