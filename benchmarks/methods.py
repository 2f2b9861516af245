"""Every method the benchmark times, by kind of data and direction, and the storage formats.

A method's ``prepare(inputs)`` does the untimed set-up (wrapping arrays,
looking up VTK arrays) and returns the call to time, which does the whole
conversion: ``"to_dict"`` (VTK object -> ArrayDict) or ``"from_dict"``
(ArrayDict -> VTK object). docs/benchmarks.md says what each method is.
"""

from __future__ import annotations

import importlib.util
import math
from functools import partial
from typing import Any, Callable, Dict, List, NamedTuple, Tuple

import numpy as np

from . import data

#: The kinds of data converted, with the name of their size unit.
KINDS: Dict[str, str] = {"surface": "triangles", "centerlines": "lines", "mesh": "tetrahedra", "image": "voxels"}
#: Dicts stored in the storage rounds: the kinds, and the image in C order ([z, y, x]) as HDF5 stores it.
STORAGE_KINDS: Dict[str, str] = {**KINDS, "image-zyx": "voxels"}
DIRECTIONS = ("to_dict", "from_dict")
DIRECTION_TITLES = {"to_dict": "VTK → ArrayDict", "from_dict": "ArrayDict → VTK"}
#: A size of each kind small enough to warm up on.
TINY = {"surface": 50, "centerlines": 3, "mesh": 60, "image": 4}

Call = Callable[[], Any]


class Inputs:
    """The data of one kind at one size: the ArrayDict and the VTK object a reader would give.

    With ``direction="to_dict"`` only the VTK object is kept, with ``"from_dict"`` only the dict.
    """

    def __init__(self, kind: str, size: int, direction: str = "both"):
        self.kind = kind
        array_dict = data.make_dict(kind, size)
        self.cells = data.cell_count(kind, array_dict)
        self.vtk: Any = data.to_vtk(kind, array_dict) if direction != "from_dict" else None
        self.array_dict: Any = array_dict if direction != "to_dict" else None

    def input_bytes(self, direction: str) -> int:
        """The bytes a conversion in ``direction`` starts from."""
        return data.vtk_bytes(self.vtk) if direction == "to_dict" else data.array_bytes(self.array_dict)


class Method(NamedTuple):
    """A method compared: its key in results.json, its label in the tables, and what prepares its call."""

    key: str
    label: str
    prepare: Callable[[Inputs], Call]


def pyvista_available() -> bool:
    """Whether PyVista is installed."""
    return importlib.util.find_spec("pyvista") is not None


def _sections(dataset) -> Tuple[Tuple[str, Any], Tuple[str, Any]]:
    return ("PointData", dataset.GetPointData()), ("CellData", dataset.GetCellData())


def _ours(inputs: Inputs, direction: str, copies: bool) -> Call:
    """The package's converter of the kind (``copy=`` one way, ``share=`` the other)."""
    from vmtkscripts_numpy.convert.layout import converter

    convert, source, array_dict = converter(inputs.kind, direction), inputs.vtk, inputs.array_dict
    if direction == "to_dict":
        return lambda: convert(source, copy=copies)
    return lambda: convert(array_dict, share=not copies)


def _numpy_copy(inputs: Inputs, direction: str) -> Call:
    """``ndarray.copy()`` of the arrays the conversion moves: the limit of a copying conversion."""
    from vtkmodules.util.numpy_support import vtk_to_numpy

    kind = inputs.kind
    if direction == "from_dict":
        array_dict = inputs.array_dict
        if kind == "image":
            volume = array_dict["PointData"]["ImageScalars"]
            return lambda: [volume.copy(order="K")]
        arrays = [array_dict["Points"]]
        for section in ("PointData", "CellData", "Cells"):
            arrays += [value for value in array_dict.get(section, {}).values() if isinstance(value, np.ndarray)]
        if kind == "centerlines":
            # One id array per line: gathering them into one buffer is the least numpy can do.
            ids = array_dict["CellData"]["CellPointIds"]
            return lambda: [np.concatenate(ids)] + [array.copy() for array in arrays]
        return lambda: [array.copy() for array in arrays]
    dataset, vtk_arrays = inputs.vtk, []
    if kind != "image":
        cells = getattr(dataset, {"surface": "GetPolys", "centerlines": "GetLines", "mesh": "GetCells"}[kind])()
        vtk_arrays += [dataset.GetPoints().GetData(), cells.GetConnectivityArray()]
    if kind == "mesh":
        # The flat layout also holds a count and a location per cell: about the offsets' bytes.
        vtk_arrays += [dataset.GetCellTypesArray(), cells.GetOffsetsArray()]
    for _, attributes in _sections(dataset):
        vtk_arrays += [attributes.GetArray(index) for index in range(attributes.GetNumberOfArrays())]
    views = [vtk_to_numpy(array) for array in vtk_arrays]
    return lambda: [view.copy() for view in views]


def loop_to_dict(inputs: Inputs) -> Call:
    """vmtk's way with cells: ``GetCell(i)`` per cell, ``GetPointId(j)`` per id; points and data through numpy."""
    from vtkmodules.util.numpy_support import vtk_to_numpy

    dataset, kind = inputs.vtk, inputs.kind

    def run() -> Dict[str, Any]:
        count = dataset.GetNumberOfCells()
        if kind == "surface":
            ids: Any = np.empty((count, dataset.GetCell(0).GetNumberOfPoints() if count else 0), np.int64)
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
        result = {"Points": vtk_to_numpy(dataset.GetPoints().GetData()).copy(), "Cells": ids}
        for section, attributes in _sections(dataset):
            result[section] = {attributes.GetArrayName(index): vtk_to_numpy(attributes.GetArray(index)).copy()
                               for index in range(attributes.GetNumberOfArrays())}
        return result

    return run


def loop_from_dict(inputs: Inputs) -> Call:
    """vmtk's way with cells: ``InsertNextPoint`` per point, ``InsertNextCell`` and ``InsertCellPoint`` per id."""
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonCore import vtkPoints
    from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData

    array_dict, kind = inputs.array_dict, inputs.kind

    def run():
        points = vtkPoints()
        if array_dict["Points"].dtype == np.float64:
            points.SetDataTypeToDouble()
        for point in array_dict["Points"].tolist():
            points.InsertNextPoint(point)
        # One call per point id as vmtk's scripts make, over Python ints (numpy scalars would be slower still).
        cell_array = vtkCellArray()
        ids = array_dict["CellData"]["CellPointIds"]
        for cell in ids.tolist() if isinstance(ids, np.ndarray) else (line.tolist() for line in ids):
            cell_array.InsertNextCell(len(cell))
            for point_id in cell:
                cell_array.InsertCellPoint(point_id)
        polydata = vtkPolyData()
        polydata.SetPoints(points)
        (polydata.SetPolys if kind == "surface" else polydata.SetLines)(cell_array)
        for section, attributes in _sections(polydata):
            for name, values in array_dict.get(section, {}).items():
                if name != "CellPointIds":
                    array = numpy_to_vtk(values, deep=True)
                    array.SetName(name)
                    attributes.AddArray(array)
        return polydata

    return run


def _pyvista_to_dict(inputs: Inputs, copies: bool) -> Call:
    import pyvista

    kind, source = inputs.kind, inputs.vtk
    take = np.array if copies else (lambda array: array)

    def to_dict() -> Dict[str, Any]:
        wrapped = pyvista.wrap(source)
        point_data = {name: take(wrapped.point_data[name]) for name in wrapped.point_data.keys()}
        if kind == "image":
            dimensions = wrapped.dimensions
            return {"Dimensions": dimensions,
                    "PointData": {name: values.reshape(dimensions, order="F") for name, values in point_data.items()}}
        result = {"Points": take(wrapped.points), "PointData": point_data,
                  "CellData": {name: take(wrapped.cell_data[name]) for name in wrapped.cell_data.keys()}}
        if kind == "surface":
            result["Cells"] = take(wrapped.regular_faces)
        elif kind == "centerlines":
            result["Cells"] = wrapped.lines  # the flat [n, ids...] layout, always a new array
        else:
            result["Cells"] = (wrapped.cells, take(wrapped.celltypes))  # flat cells: a new array
        return result

    return to_dict


def _pyvista_from_dict(inputs: Inputs, copies: bool) -> Call:
    import pyvista

    kind, array_dict = inputs.kind, inputs.array_dict
    if kind == "image":
        volume = array_dict["PointData"]["ImageScalars"]
        dimensions = tuple(int(count) for count in array_dict["Dimensions"])

        def to_image():
            image = pyvista.ImageData(dimensions=dimensions, spacing=tuple(array_dict["Spacing"]),
                                      origin=tuple(array_dict["Origin"]))
            image.point_data.set_array(volume.ravel(order="F"), "ImageScalars", deep_copy=copies)
            return image

        return to_image
    points, cells = array_dict["Points"], array_dict.get("Cells")
    ids = array_dict["CellData"].get("CellPointIds")
    if kind == "surface" and copies:  # from_regular_faces(deep=True) copies the faces but still shares the points
        def build():
            return pyvista.PolyData(points, faces=pyvista.CellArray.from_regular_cells(ids, deep=True), deep=True)
    elif kind == "surface":
        def build():
            return pyvista.PolyData.from_regular_faces(points, ids)
    elif kind == "centerlines":
        def build():
            return pyvista.PolyData(points, lines=pyvista.CellArray.from_irregular_cells(ids), deep=copies)
    else:
        def build():
            return pyvista.UnstructuredGrid(cells["CellPointIds"], cells["CellTypes"], points, deep=copies)

    def from_dict():
        mesh = build()
        for section, attributes in (("PointData", mesh.point_data), ("CellData", mesh.cell_data)):
            for name, values in array_dict.get(section, {}).items():
                if name != "CellPointIds":
                    attributes.set_array(values, name, deep_copy=copies)
        return mesh

    return from_dict


def conversion_methods(kind: str, direction: str, with_pyvista: bool = True) -> List[Method]:
    """The methods timed for ``kind`` in ``direction``, the limit first."""
    pyvista, loop = (_pyvista_to_dict, loop_to_dict) if direction == "to_dict" else (_pyvista_from_dict, loop_from_dict)
    methods = [Method("numpy-copy", "numpy copy (limit)", partial(_numpy_copy, direction=direction)),
               Method("copy", "vmtkscripts_numpy, copying", partial(_ours, direction=direction, copies=True)),
               Method("zero-copy", "vmtkscripts_numpy, zero-copy", partial(_ours, direction=direction, copies=False))]
    if with_pyvista:
        methods += [Method("pyvista-copy", "PyVista, copying", partial(pyvista, copies=True)),
                    Method("pyvista-zero-copy", "PyVista, zero-copy", partial(pyvista, copies=False))]
    if kind in ("surface", "centerlines"):  # vmtk's image and mesh scripts hand whole arrays to VTK
        methods.append(Method("loop", "per-cell Python loop", loop))
    return methods


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


def storage_calls(storage_format: StorageFormat, array_dict: Dict[str, Any], path: str) -> Tuple[Call, Call]:
    """``(write, read)`` of one format for one dict and file; the limit saves every array into one file."""
    if storage_format.key == "numpy-save":
        arrays = data.all_arrays(array_dict)

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
    # The files are the run's own: no limit on how well they compress (a 512³ image gzips 175 to 1).
    return (lambda: storage.write(array_dict, path, format=name, **storage_format.options),
            lambda: storage.read(path, format=name, max_ratio=math.inf))
