"""PyVista <-> ArrayDict. PyVista's objects are VTK objects, so both ways share memory where VTK does.

Needs PyVista (``pip install 'vmtkscripts_numpy[bridges]'``).

Examples
--------
>>> import numpy as np
>>> from vmtkscripts_numpy import dict_from_array
>>> grid = to_pyvista(dict_from_array(np.zeros((4, 3, 2)), spacing=(0.5, 0.5, 2.0)))  # doctest: +SKIP
>>> grid.dimensions, grid.spacing  # doctest: +SKIP
((4, 3, 2), (0.5, 0.5, 2.0))
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Mapping, Optional

from .._typing import PathLike
from ..errors import ArrayDictError
from ._common import as_vtk, require


def to_pyvista(array_dict: Mapping[str, Any], *, frame: Optional[str] = None) -> Any:
    """An ArrayDict as a PyVista object, sharing the dict's memory where VTK can.

    Parameters
    ----------
    array_dict : mapping
        A surface, centerlines, mesh or image ArrayDict (the kind is told from its keys).
    frame : {None, "RAS", "LPS"}
        For an image: the patient frame of the PyVista grid's coordinates
        (PyVista has no notion of one); default the dict's own ``Frame``.

    Returns
    -------
    pyvista.PolyData, pyvista.UnstructuredGrid or pyvista.ImageData
        With the dict's points, cells, arrays and, for an image, origin,
        spacing and direction matrix. Arrays laid out as VTK needs them
        (``dict_to_*(share=True)``) are shared: edit them, then call
        :func:`vmtkscripts_numpy.modified`.

    Raises
    ------
    ImportError
        Without PyVista, naming the extra to install.
    ArrayDictError
        For a dict that does not convert (see ``dict_to_polydata`` and friends).

    Examples
    --------
    >>> import numpy as np
    >>> surface = to_pyvista({"Points": np.eye(3), "CellData": {"CellPointIds": np.array([[0, 1, 2]])}})  # doctest: +SKIP
    >>> surface.n_points, surface.n_cells  # doctest: +SKIP
    (3, 1)
    """
    pv = require("pyvista", "pyvista", "to_pyvista")
    if not isinstance(array_dict, Mapping):
        raise ArrayDictError(f"to_pyvista: expected an ArrayDict, found {type(array_dict).__name__}")
    return pv.wrap(as_vtk(array_dict, frame))


def from_pyvista(
    dataset: Any, *, kind: Optional[str] = None, copy: bool = True, frame: str = "RAS", index_order: str = "xyz"
) -> Dict[str, Any]:
    """A PyVista dataset (or any VTK dataset) as an ArrayDict.

    Parameters
    ----------
    dataset : pyvista.DataSet
        ``PolyData``, ``UnstructuredGrid`` or ``ImageData``.
    kind : {None, "surface", "centerlines"}
        For a polydata: ``"centerlines"`` gives vmtk's centerline layout; default a surface.
    copy : bool
        True (default, as every ``*_to_dict``): the dict owns its memory.
        False: arrays are views of PyVista's (see :func:`vmtkscripts_numpy.modified`).
    frame : {"RAS", "LPS"}
        For an image: the patient frame its coordinates are in (recorded as ``Frame``).
    index_order : {"xyz", "zyx"}
        For an image: how the voxel arrays are indexed.

    Returns
    -------
    dict
        A surface, centerlines, mesh or image ArrayDict.

    Raises
    ------
    ArrayDictError
        For another kind of dataset (a ``MultiBlock``, a ``StructuredGrid``...).

    Examples
    --------
    >>> import pyvista as pv  # doctest: +SKIP
    >>> from_pyvista(pv.Sphere())["Points"].shape  # doctest: +SKIP
    (842, 3)
    """
    from vtkmodules.vtkCommonDataModel import vtkImageData, vtkPolyData, vtkUnstructuredGrid

    from ..convert.image import image_to_dict
    from ..convert.mesh import mesh_to_dict
    from ..convert.polydata import centerlines_to_dict, polydata_to_dict

    if isinstance(dataset, vtkImageData):
        return image_to_dict(dataset, copy=copy, frame=frame, index_order=index_order)
    if isinstance(dataset, vtkUnstructuredGrid):
        return mesh_to_dict(dataset, copy=copy)
    if isinstance(dataset, vtkPolyData):
        if kind == "centerlines":
            return centerlines_to_dict(dataset, copy=copy)
        if kind not in (None, "surface"):
            raise ArrayDictError(f"kind: expected None, 'surface' or 'centerlines' for a polydata, found {kind!r}")
        return polydata_to_dict(dataset, copy=copy)
    raise ArrayDictError(
        f"from_pyvista: expected a PolyData, UnstructuredGrid or ImageData, found {type(dataset).__name__}"
    )


def read_array_dict_file(path: str, **options: Any) -> Any:
    """``pyvista.read("case.hdf5")``: an ArrayDict file of this package (or vmtk's) as a PyVista object.

    Registered with PyVista (>= 0.48) for ``.hdf5`` and ``.npz`` through the
    ``pyvista.readers`` entry points of this package, so PyVista finds it
    without an import. The file is read as :func:`vmtkscripts_numpy.read_array_dict`
    reads it (hostile files refused); ``options`` go to :func:`to_pyvista`.

    Raises
    ------
    DataFileError
        For a file that is not an ArrayDict file.
    ArrayDictError
        For an ArrayDict of no kind PyVista holds (a time series, a plain dict of arrays).
    """
    from ..storage import read

    return to_pyvista(read(path), **options)


def write_array_dict_file(dataset: Any, path: PathLike, **options: Any) -> Path:
    """``mesh.save("case.hdf5")``: a PyVista object as an ArrayDict file (see :func:`read_array_dict_file`).

    ``options`` go to :func:`vmtkscripts_numpy.write_array_dict` (``compression=...``); returns the file
    written, as it does.
    """
    from ..storage import write

    return write(from_pyvista(dataset), path, **options)
