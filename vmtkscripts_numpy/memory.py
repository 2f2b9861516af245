"""Telling VTK that numpy changed memory the two share.

With ``copy=False`` (``*_to_dict``) or ``share=True`` (``dict_to_*``,
``image_from_array``) numpy arrays and VTK objects use the same memory. An
edit through numpy changes the values VTK sees, but VTK does not know: what it
computed and cached from them (``GetRange()``, ``GetScalarRange()``,
``GetBounds()``, a filter's output in a pipeline) stays stale until the object
is marked modified. :func:`modified` does that, as 3D Slicer's
``arrayFromVolumeModified`` does for its volumes.

Examples
--------
>>> import numpy as np
>>> from vmtkscripts_numpy import image_from_array, image_to_dict
>>> image = image_from_array(np.arange(8.0).reshape(2, 2, 2))
>>> image.GetScalarRange()
(0.0, 7.0)
>>> voxels = image_to_dict(image, copy=False)["PointData"]["ImageScalars"]
>>> _ = np.clip(voxels, 2, 5, out=voxels)
>>> modified(image).GetScalarRange()
(2.0, 5.0)
"""

from __future__ import annotations

from typing import Any, TypeVar

from vtkmodules.vtkCommonDataModel import vtkPointSet

from .errors import ArrayDictError

VtkObject = TypeVar("VtkObject")

_CELL_GETTERS = ("GetVerts", "GetLines", "GetPolys", "GetStrips", "GetCells")


def modified(obj: VtkObject) -> VtkObject:
    """Mark a VTK object, and every array it holds, modified after an edit through numpy.

    Call it after writing into numpy arrays that share memory with ``obj``
    (views from ``image_to_dict(..., copy=False)`` and friends, or arrays given
    to ``dict_to_*(..., share=True)``), before asking VTK anything about their
    values. It is cheap (no values are read) and harmless when nothing changed.

    Parameters
    ----------
    obj : vtkDataSet or vtkDataArray
        An image, surface, centerlines, mesh (or a PyVista object, which is
        one), or a single data array.

    Returns
    -------
    obj
        The same object, so that ``modified(image).GetScalarRange()`` reads
        the new range.

    Raises
    ------
    ArrayDictError
        If ``obj`` is not a VTK object.

    Examples
    --------
    >>> import numpy as np
    >>> from vmtkscripts_numpy import dict_to_polydata
    >>> points = np.zeros((3, 3)); points[1, 0] = points[2, 1] = 1.0
    >>> surface = dict_to_polydata({"Points": points, "CellData": {"CellPointIds": np.array([[0, 1, 2]])}})
    >>> surface.GetBounds()[1]
    1.0
    >>> points[1, 0] = 4.0                      # the surface uses this memory (share=True)
    >>> modified(surface).GetBounds()[1]
    4.0
    """
    target: Any = obj
    if not callable(getattr(target, "Modified", None)):
        raise ArrayDictError(f"modified: expected a VTK object, found {type(obj).__name__}")
    # Only a point set owns its points; an image's are computed (and, on new VTK, would be made here).
    points = target.GetPoints() if isinstance(target, vtkPointSet) else None
    if points is not None:
        points.GetData().Modified()
        points.Modified()
    for getter in ("GetPointData", "GetCellData", "GetFieldData"):
        attributes = getattr(target, getter, lambda: None)()
        if attributes is None:
            continue
        for index in range(attributes.GetNumberOfArrays()):
            array = attributes.GetAbstractArray(index)
            if array is not None:
                array.Modified()
        attributes.Modified()
    for getter in _CELL_GETTERS:
        cells = getattr(target, getter, lambda: None)()
        if cells is not None and callable(getattr(cells, "Modified", None)):
            cells.Modified()
    target.Modified()
    return obj
