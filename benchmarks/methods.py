"""Every method the benchmark times, by kind of data and direction.

A method is a key (``"copy"``, ``"zero-copy"``, ``"numpy-copy"``, ``"loop"``,
``"pyvista-copy"``, ``"pyvista-zero-copy"``) and a function that, given the
prepared inputs, returns the call to time. Preparing (wrapping arrays,
looking up VTK arrays) is not timed; the call does the whole conversion.

Directions: ``"to_dict"`` (VTK object -> arrays) and ``"from_dict"`` (arrays
-> VTK object). The numpy copy moves the same arrays the conversion moves, as
``ndarray.copy()`` (a fresh allocation each time, as a copying conversion
needs): it is the limit for a copying conversion. The per-cell loop is the way
vmtk's numpy scripts for surfaces and centerlines handle cells
(``GetCell(i)``/``GetPointId(j)`` one way, ``InsertNextPoint`` per point and
``InsertNextCell``/``InsertCellPoint`` per cell and id the other), written
here for the benchmark; points and data arrays go through numpy, as in vmtk.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, NamedTuple

import numpy as np

from . import data

#: The kinds of data converted, with the name of their size unit.
KINDS: Dict[str, str] = {"surface": "triangles", "centerlines": "lines", "mesh": "tetrahedra", "image": "voxels"}
#: Dicts stored in the storage rounds: the kinds, and the image in C order too ([z, y, x],
#: ``index_order="zyx"``), which HDF5 stores as it lies in memory.
STORAGE_KINDS: Dict[str, str] = {**KINDS, "image-zyx": "voxels"}
DIRECTIONS = ("to_dict", "from_dict")
#: A size of each kind small enough to warm up on.
TINY = {"surface": 50, "centerlines": 3, "mesh": 60, "image": 4}
DIRECTION_TITLES = {"to_dict": "VTK → ArrayDict", "from_dict": "ArrayDict → VTK"}


class Method(NamedTuple):
    key: str
    label: str
    #: "limit", "ours", "loop" or "peer"; ours and peers say whether they copy.
    role: str
    copies: bool
    prepare: Callable[["Inputs"], Callable[[], Any]]


class Inputs:
    """The data of one kind at one size: the ArrayDict and the VTK object a reader would give."""

    def __init__(self, kind: str, size: int, direction: str = "both"):
        self.kind = kind
        self.size = size
        self.array_dict = data.make_dict(kind, size)
        self.cells = data.cell_count(kind, self.array_dict)
        self.vtk = data.to_vtk(kind, self.array_dict) if direction in ("both", "to_dict") else None
        if direction == "to_dict":
            self.array_dict = None

    def input_bytes(self, direction: str) -> int:
        if direction == "to_dict":
            return data.vtk_bytes(self.vtk)
        return data.array_bytes(self.array_dict)


def pyvista_available() -> bool:
    try:
        import pyvista  # noqa: F401
    except ImportError:
        return False
    return True


# --- helpers ----------------------------------------------------------------------


def _view(array):
    """A numpy view of a VTK array (for the numpy-copy limit; not timed)."""
    from vtkmodules.util.numpy_support import vtk_to_numpy

    return vtk_to_numpy(array)


def _vtk_data_views(dataset, cells=None) -> List[np.ndarray]:
    """Views of what a to-dict conversion moves: points and cell ids (not for images), every data array."""
    views = []
    if cells is not None:
        views += [_view(dataset.GetPoints().GetData()), _view(cells.GetConnectivityArray())]
    for attributes in (dataset.GetPointData(), dataset.GetCellData()):
        views.extend(_view(attributes.GetArray(index)) for index in range(attributes.GetNumberOfArrays()))
    return views


def _dict_arrays(array_dict: Dict[str, Any]) -> List[np.ndarray]:
    """The arrays of a dict's Points, PointData and CellData (and Cells), ragged id lists left out."""
    arrays = [array_dict["Points"]] if "Points" in array_dict else []
    for section in ("PointData", "CellData", "Cells"):
        for value in array_dict.get(section, {}).values():
            if isinstance(value, np.ndarray):
                arrays.append(value)
    return arrays


def _copies(arrays: List[np.ndarray]) -> Callable[[], Any]:
    return lambda: [array.copy() for array in arrays]


def _vtk_data(dataset, array_dict: Dict[str, Any], deep: bool) -> None:
    """Data arrays by numpy_support (vectorized, as vmtk does for data) onto a VTK dataset."""
    from vtkmodules.util.numpy_support import numpy_to_vtk

    for section, attributes in (("PointData", dataset.GetPointData()), ("CellData", dataset.GetCellData())):
        for name, values in array_dict.get(section, {}).items():
            if name == "CellPointIds":
                continue
            array = numpy_to_vtk(values, deep=deep)
            array.SetName(name)
            attributes.AddArray(array)


def _numpy_data(dataset) -> Dict[str, Dict[str, np.ndarray]]:
    from vtkmodules.util.numpy_support import vtk_to_numpy

    sections = {}
    for section, attributes in (("PointData", dataset.GetPointData()), ("CellData", dataset.GetCellData())):
        sections[section] = {
            attributes.GetArrayName(index): vtk_to_numpy(attributes.GetArray(index)).copy()
            for index in range(attributes.GetNumberOfArrays())
        }
    return sections


# --- this package ---------------------------------------------------------------------


def ours_to_dict(kind: str) -> Callable[..., Dict[str, Any]]:
    """The package's conversion of a VTK object of ``kind`` to an ArrayDict."""
    from vmtkscripts_numpy.convert import image, mesh, polydata

    return {"surface": polydata.polydata_to_dict, "centerlines": polydata.centerlines_to_dict,
            "mesh": mesh.mesh_to_dict, "image": image.image_to_dict}[kind]


def ours_from_dict(kind: str) -> Callable[..., Any]:
    """The package's conversion of an ArrayDict of ``kind`` to a VTK object."""
    from vmtkscripts_numpy.convert import image, mesh, polydata

    return {"surface": polydata.dict_to_polydata, "centerlines": polydata.dict_to_centerlines,
            "mesh": mesh.dict_to_mesh, "image": image.dict_to_image}[kind]


def _ours(direction: str, copies: bool) -> Callable[[Inputs], Callable[[], Any]]:
    def prepare(inputs: Inputs) -> Callable[[], Any]:
        if direction == "to_dict":
            to_dict, source = ours_to_dict(inputs.kind), inputs.vtk
            return lambda: to_dict(source, copy=copies)
        from_dict, array_dict = ours_from_dict(inputs.kind), inputs.array_dict
        return lambda: from_dict(array_dict, share=not copies)

    return prepare


# --- the numpy copy of the same bytes -------------------------------------------------


def _numpy_copy(direction: str) -> Callable[[Inputs], Callable[[], Any]]:
    def prepare(inputs: Inputs) -> Callable[[], Any]:
        kind = inputs.kind
        if direction == "to_dict":
            dataset = inputs.vtk
            if kind == "image":
                return _copies(_vtk_data_views(dataset))
            if kind == "surface":
                cells = dataset.GetPolys()
            elif kind == "centerlines":
                cells = dataset.GetLines()
            else:
                cells = dataset.GetCells()
            views = _vtk_data_views(dataset, cells)
            if kind == "mesh":
                # The flat layout also holds a count per cell and a location per cell: about the offsets' bytes.
                views += [_view(dataset.GetCellTypesArray()), _view(cells.GetOffsetsArray())]
            return _copies(views)
        array_dict = inputs.array_dict
        arrays = _dict_arrays(array_dict)
        if kind == "centerlines":
            # The ids are one array per line: gathering them into one buffer is the least numpy can do.
            ids = array_dict["CellData"]["CellPointIds"]
            return lambda: [np.concatenate(ids)] + [array.copy() for array in arrays]
        if kind == "image":
            arrays = [array_dict["PointData"]["ImageScalars"]]
            return lambda: [array.copy(order="K") for array in arrays]
        return _copies(arrays)

    return prepare


# --- the per-cell loop (vmtk's way with cells) -------------------------------------


def _loop_to_dict(inputs: Inputs) -> Callable[[], Any]:
    from vtkmodules.util.numpy_support import vtk_to_numpy

    dataset = inputs.vtk
    kind = inputs.kind

    def run() -> Dict[str, Any]:
        count = dataset.GetNumberOfCells()
        if kind == "surface":
            size = dataset.GetCell(0).GetNumberOfPoints() if count else 0
            ids: Any = np.empty((count, size), np.int64)
            for cell_id in range(count):
                cell = dataset.GetCell(cell_id)
                for index in range(cell.GetNumberOfPoints()):
                    ids[cell_id, index] = cell.GetPointId(index)
        else:
            ids = []
            for cell_id in range(count):
                cell = dataset.GetCell(cell_id)
                line = np.empty(cell.GetNumberOfPoints(), np.int64)
                for index in range(line.size):
                    line[index] = cell.GetPointId(index)
                ids.append(line)
        return {"Points": vtk_to_numpy(dataset.GetPoints().GetData()).copy(), "Cells": ids, **_numpy_data(dataset)}

    return run


def _loop_from_dict(inputs: Inputs) -> Callable[[], Any]:
    from vtkmodules.vtkCommonCore import vtkPoints
    from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData

    array_dict = inputs.array_dict
    kind = inputs.kind

    def run():
        points = vtkPoints()
        if array_dict["Points"].dtype == np.float64:
            points.SetDataTypeToDouble()
        for point in array_dict["Points"].tolist():
            points.InsertNextPoint(point)
        # One call per point id, as vmtk's scripts add them (InsertCellPoint, or InsertNextId into an
        # id list per cell), but over Python ints rather than numpy scalars, which would be slower still.
        cell_array = vtkCellArray()
        ids = array_dict["CellData"]["CellPointIds"]
        for cell in ids.tolist() if isinstance(ids, np.ndarray) else (line.tolist() for line in ids):
            cell_array.InsertNextCell(len(cell))
            for point_id in cell:
                cell_array.InsertCellPoint(point_id)
        polydata = vtkPolyData()
        polydata.SetPoints(points)
        (polydata.SetPolys if kind == "surface" else polydata.SetLines)(cell_array)
        _vtk_data(polydata, array_dict, deep=True)
        return polydata

    return run


def _loop(direction: str) -> Callable[[Inputs], Callable[[], Any]]:
    return _loop_to_dict if direction == "to_dict" else _loop_from_dict


# --- PyVista ---------------------------------------------------------------------------


def _pyvista(direction: str, copies: bool) -> Callable[[Inputs], Callable[[], Any]]:
    def prepare(inputs: Inputs) -> Callable[[], Any]:
        import pyvista

        kind = inputs.kind
        take = np.array if copies else (lambda array: array)
        if direction == "to_dict":
            source = inputs.vtk

            def to_dict() -> Dict[str, Any]:
                wrapped = pyvista.wrap(source)
                if kind == "image":
                    dimensions = wrapped.dimensions
                    return {
                        "Dimensions": dimensions,
                        "PointData": {
                            name: take(wrapped.point_data[name]).reshape(dimensions, order="F")
                            for name in wrapped.point_data.keys()
                        },
                    }
                result = {
                    "Points": take(wrapped.points),
                    "PointData": {name: take(wrapped.point_data[name]) for name in wrapped.point_data.keys()},
                    "CellData": {name: take(wrapped.cell_data[name]) for name in wrapped.cell_data.keys()},
                }
                if kind == "surface":
                    result["Cells"] = take(wrapped.regular_faces)
                elif kind == "centerlines":
                    result["Cells"] = wrapped.lines  # the flat [n, ids...] layout, always a new array
                else:
                    result["Cells"] = (wrapped.cells, take(wrapped.celltypes))  # flat cells: a new array
                return result

            return to_dict

        array_dict = inputs.array_dict

        def add_data(mesh) -> None:
            for section, attributes in (("PointData", mesh.point_data), ("CellData", mesh.cell_data)):
                for name, values in array_dict.get(section, {}).items():
                    if name != "CellPointIds":
                        attributes.set_array(values, name, deep_copy=copies)

        if kind == "image":
            volume = array_dict["PointData"]["ImageScalars"]
            dimensions = tuple(int(count) for count in array_dict["Dimensions"])

            def to_image():
                image = pyvista.ImageData(
                    dimensions=dimensions, spacing=tuple(array_dict["Spacing"]), origin=tuple(array_dict["Origin"])
                )
                image.point_data.set_array(volume.ravel(order="F"), "ImageScalars", deep_copy=copies)
                return image

            return to_image
        points = array_dict["Points"]
        if kind == "surface":
            faces = array_dict["CellData"]["CellPointIds"]
            if copies:
                # from_regular_faces(deep=True) copies the faces but still shares the points.
                def build():
                    return pyvista.PolyData(
                        points, faces=pyvista.CellArray.from_regular_cells(faces, deep=True), deep=True
                    )
            else:

                def build():
                    return pyvista.PolyData.from_regular_faces(points, faces)
        elif kind == "centerlines":
            lines = array_dict["CellData"]["CellPointIds"]

            def build():
                return pyvista.PolyData(points, lines=pyvista.CellArray.from_irregular_cells(lines), deep=copies)
        else:
            cells = array_dict["Cells"]

            def build():
                return pyvista.UnstructuredGrid(cells["CellPointIds"], cells["CellTypes"], points, deep=copies)

        def from_dict():
            mesh = build()
            add_data(mesh)
            return mesh

        return from_dict

    return prepare


def conversion_methods(kind: str, direction: str, with_pyvista: bool = True) -> List[Method]:
    """The methods timed for ``kind`` in ``direction``, the limit first."""
    methods = [
        Method("numpy-copy", "numpy copy (limit)", "limit", True, _numpy_copy(direction)),
        Method("copy", "vmtkscripts_numpy, copying", "ours", True, _ours(direction, True)),
        Method("zero-copy", "vmtkscripts_numpy, zero-copy", "ours", False, _ours(direction, False)),
    ]
    if with_pyvista:
        methods += [
            Method("pyvista-copy", "PyVista, copying", "peer", True, _pyvista(direction, True)),
            Method("pyvista-zero-copy", "PyVista, zero-copy", "peer", False, _pyvista(direction, False)),
        ]
    if kind in ("surface", "centerlines"):  # vmtk's image and mesh scripts hand whole arrays to VTK
        methods.append(Method("loop", "per-cell Python loop", "loop", True, _loop(direction)))
    return methods


def find_method(kind: str, direction: str, key: str) -> Method:
    for method in conversion_methods(kind, direction):
        if method.key == key:
            return method
    raise KeyError(f"no method {key!r} for {kind} {direction}")


# --- storage ------------------------------------------------------------------------------


class StorageFormat(NamedTuple):
    key: str
    label: str
    extension: str
    options: Dict[str, Any]


STORAGE_FORMATS = (
    StorageFormat("numpy-save", "np.save / np.load (limit)", ".npy", {}),
    StorageFormat("hdf5", "HDF5", ".hdf5", {}),
    StorageFormat("hdf5-gzip", "HDF5 gzip (level 4)", ".hdf5", {"compression": "gzip", "compression_level": 4}),
    StorageFormat("hdf5-lzf", "HDF5 lzf", ".hdf5", {"compression": "lzf"}),
    StorageFormat("pickle", "pickle", ".pickle", {}),
    StorageFormat("npz", "npz", ".npz", {}),
)


def all_arrays(value: Any) -> List[np.ndarray]:
    """Every array of a nested dict/list, in order (what np.save writes for the limit)."""
    if isinstance(value, dict):
        return [array for item in value.values() for array in all_arrays(item)]
    if isinstance(value, (list, tuple)):
        return [array for item in value for array in all_arrays(item)]
    if isinstance(value, np.ndarray):
        return [value]
    return []


def storage_calls(storage_format: StorageFormat, array_dict: Dict[str, Any], path: str):
    """``(write, read)`` calls of one format for one dict and file."""
    if storage_format.key == "numpy-save":
        arrays = all_arrays(array_dict)

        def write():
            with open(path, "wb") as stream:
                for array in arrays:
                    np.save(stream, array, allow_pickle=False)

        def read():
            with open(path, "rb") as stream:
                return [np.load(stream, allow_pickle=False) for _ in arrays]

        return write, read
    from vmtkscripts_numpy import storage

    name = storage_format.key.split("-")[0]

    def write():
        storage.write(array_dict, path, format=name, **storage_format.options)

    def read():
        return storage.read(path, format=name)

    return write, read
