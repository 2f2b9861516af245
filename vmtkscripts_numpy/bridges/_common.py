"""What the bridges share: importing an optional library, and any data as a VTK object or a mesh dict."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import ModuleType
from typing import Any, Dict, Optional

from ..errors import ArrayDictError

#: The extra that installs every bridge's library.
EXTRA = "bridges"


def require(module: str, package: str, what: str) -> ModuleType:
    """Import an optional library, or an ImportError saying how to install it.

    Examples
    --------
    >>> require("numpy", "numpy", "this").__name__
    'numpy'
    """
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"{what} needs {package}, which is not installed: pip install 'vmtkscripts_numpy[{EXTRA}]' "
            f"(or pip install {package})"
        ) from error


def as_vtk(data: Any, frame: Optional[str] = None) -> Any:
    """An ArrayDict as its VTK object (sharing memory); a VTK object as it is.

    An image dict keeps its own ``Frame`` unless ``frame`` names another.
    """
    if not isinstance(data, Mapping):
        return data
    from ..convert.layout import from_dict, guess_kind

    if guess_kind(data) == "image":
        from ..convert.image import DEFAULT_FRAME, _frame

        own = _frame(data.get("Frame", DEFAULT_FRAME), "ArrayDict/Frame")
        return from_dict(data, "image", frame=own if frame is None else frame)
    return from_dict(data)


def as_mesh_dict(data: Any) -> Dict[str, Any]:
    """A surface, centerlines or mesh (dict or VTK object) as a mesh dict, cells in VTK's order.

    A polydata's cells become an unstructured grid's with the same cell ids
    (vertices, lines, polygons, strips, as VTK numbers them).
    """
    from vtkmodules.vtkCommonDataModel import vtkImageData, vtkPolyData, vtkUnstructuredGrid

    from ..convert.mesh import mesh_to_dict

    obj = as_vtk(data)
    if isinstance(obj, vtkPolyData):
        from vtkmodules.vtkFiltersCore import vtkAppendFilter

        append = vtkAppendFilter()
        append.AddInputData(obj)
        append.Update()
        obj = append.GetOutput()
    elif isinstance(obj, vtkImageData):
        raise ArrayDictError(
            "an image has no list of cells: its voxels are placed by index_to_physical() "
            "(vmtkscripts_numpy.placement)"
        )
    elif not isinstance(obj, vtkUnstructuredGrid):
        raise ArrayDictError(
            f"expected a surface, centerlines or mesh (an ArrayDict or a VTK object), found {type(obj).__name__}"
        )
    return mesh_to_dict(obj, cell_types_as_strings=False, copy=False)
