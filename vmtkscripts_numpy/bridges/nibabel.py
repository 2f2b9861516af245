"""nibabel <-> ArrayDict: the image's affine (RAS, voxel index to mm) kept exactly as the placement.

Needs nibabel (``pip install 'vmtkscripts_numpy[bridges]'``). nibabel arrays are
indexed ``[i, j, k]`` like vmtk's (``"xyz"``), so no transposition is needed.

Examples
--------
>>> import numpy as np
>>> import nibabel as nib  # doctest: +SKIP
>>> image = nib.Nifti1Image(np.zeros((4, 3, 2), np.float32), np.diag([-0.8, -0.8, 2.0, 1.0]))  # doctest: +SKIP
>>> from_nibabel(image, frame="LPS")["Direction"].diagonal().tolist()  # doctest: +SKIP
[1.0, 1.0, 1.0]
"""

from __future__ import annotations

from typing import Any, Dict, Optional

import numpy as np

from ..errors import ArrayDictError
from ._common import require
from ._images import image_dict_of, voxels


def to_nibabel(data: Any, *, name: Optional[str] = None) -> Any:
    """An image as a ``nibabel.Nifti1Image`` whose affine places every voxel where the dict does.

    Parameters
    ----------
    data : ArrayDict or vtkImageData
        An image dict (in its ``Frame``, RAS when absent) or a ``vtkImageData`` (taken as RAS).
    name : str, optional
        The point data array to convert; default the active scalars. An array
        with components becomes a 4-D image (NIfTI has no other place for them).

    Returns
    -------
    nibabel.Nifti1Image
        Its data a view of the dict's array in ``[i, j, k]`` order (bool as
        uint8), its affine ``index_to_physical(dict, frame="RAS")``.

    Examples
    --------
    >>> import numpy as np
    >>> from vmtkscripts_numpy import dict_from_array
    >>> image = to_nibabel(dict_from_array(np.zeros((4, 3, 2)), spacing=(1, 1, 2), frame="LPS"))  # doctest: +SKIP
    >>> image.affine.diagonal().tolist()  # doctest: +SKIP
    [-1.0, -1.0, 2.0, 1.0]
    """
    from ..placement import index_to_physical

    nib = require("nibabel", "nibabel", "to_nibabel")
    image_dict = image_dict_of(data, "RAS")
    _, values = voxels(image_dict, name, "xyz")
    if values.dtype == np.bool_:
        values = values.astype(np.uint8)
    return nib.Nifti1Image(values, index_to_physical(image_dict, frame="RAS"))


def from_nibabel(
    image: Any, *, frame: str = "RAS", index_order: str = "xyz", name: str = "ImageScalars"
) -> Dict[str, Any]:
    """A nibabel image (NIfTI, MGH, anything with ``affine`` and ``dataobj``) as an image ArrayDict.

    Parameters
    ----------
    image : nibabel.spatialimages.SpatialImage
        A 3-D image, or 4-D whose last axis becomes the components (a 5-D
        NIfTI vector image with a time axis of one is read as 4-D).
    frame : {"RAS", "LPS"}
        The frame of the dict's ``Origin`` and ``Direction``.
    index_order : {"xyz", "zyx"}
        How the dict's array is indexed (``"zyx"`` is a transposed view).
    name : str
        The name of the point data array.

    Returns
    -------
    dict
        A complete image ArrayDict; the voxels keep their stored dtype (with
        a scale factor they are the scaled values, as nibabel gives them).

    Raises
    ------
    ArrayDictError
        For a sheared affine (no direction matrix) or an image of another rank.

    Examples
    --------
    >>> import numpy as np
    >>> import nibabel as nib  # doctest: +SKIP
    >>> affine = np.array([[0, 0, 2.0, -30], [0.5, 0, 0, 10], [0, 0.5, 0, 4], [0, 0, 0, 1]])
    >>> image_dict = from_nibabel(nib.Nifti1Image(np.zeros((4, 3, 2), np.int16), affine))  # doctest: +SKIP
    >>> image_dict["Spacing"].tolist(), image_dict["Direction"][:, 2].tolist()  # doctest: +SKIP
    ([0.5, 0.5, 2.0], [1.0, 0.0, 0.0])
    """
    from ..convert.image import _index_order, dict_from_array
    from ..placement import in_frame

    require("nibabel", "nibabel", "from_nibabel")
    order = _index_order(index_order, "index_order")
    values = np.asanyarray(image.dataobj)
    if values.ndim == 5 and values.shape[3] == 1:
        values = values[:, :, :, 0]
    if values.ndim not in (3, 4):
        raise ArrayDictError(f"from_nibabel: expected a 3-D or 4-D image, found shape {values.shape}")
    if order == "zyx":
        values = values.transpose((2, 1, 0) + tuple(range(3, values.ndim)))
    ras = dict_from_array(values, index_order=order, name=name, frame="RAS", affine=image.affine)
    return in_frame(ras, frame)
