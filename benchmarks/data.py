"""The data every method is timed on: generated with numpy, the same for every method at a size.

- surfaces: a closed tube of triangles (a vessel wall), float32 points, a
  3-component float32 point array and an int32 cell array, ids int64;
- centerlines: polylines of 10 to 100 points (seeded), float64 points, a
  float64 radius per point and an int32 id per line;
- meshes: tetrahedra on a grid of points (each cube cut into six), float64
  points, a float64 point array and an int32 cell array;
- images: an int16 volume of ``n³`` voxels (a CT's type), x fastest as VTK keeps it.

Each kind comes as the ArrayDict (``make_dict``) and as the VTK object a
reader would give (``to_vtk``: its own memory, VTK's general offsets +
connectivity cell storage), so neither side shares memory with the other.
"""

from __future__ import annotations

from typing import Any, Dict, List

import numpy as np

SEED = 7


def surface_dict(triangles: int) -> Dict[str, Any]:
    """A tube of about ``triangles`` triangles (exactly ``2 * around * along``) as a surface ArrayDict."""
    half = max(triangles // 2, 3)
    # around * along == half when half has a divisor near its square root (powers of ten do).
    around = max(int(np.sqrt(half)), 3)
    while around > 3 and half % around:
        around -= 1
    along = max(half // around, 1)
    rings = along + 1
    angle = np.linspace(0.0, 2.0 * np.pi, around, endpoint=False)
    height = np.linspace(0.0, 10.0, rings)
    radius = 1.0 + 0.2 * np.sin(height)
    points: np.ndarray = np.empty((rings, around, 3), np.float32)
    points[..., 0] = radius[:, None] * np.cos(angle)[None, :]
    points[..., 1] = radius[:, None] * np.sin(angle)[None, :]
    points[..., 2] = height[:, None]
    ring = np.arange(along, dtype=np.int64)[:, None] * around
    column = np.arange(around, dtype=np.int64)[None, :]
    a = ring + column
    b = ring + (column + 1) % around
    ids: np.ndarray = np.empty((along, around, 2, 3), np.int64)
    ids[..., 0, 0], ids[..., 0, 1], ids[..., 0, 2] = a, b, b + around
    ids[..., 1, 0], ids[..., 1, 1], ids[..., 1, 2] = a, b + around, a + around
    points = points.reshape(-1, 3)
    ids = ids.reshape(-1, 3)
    shear = np.empty_like(points)
    shear[:, 0], shear[:, 1], shear[:, 2] = points[:, 2], points[:, 0], 1.0
    entity_ids = (np.arange(len(ids)) // around % 3 + 1).astype(np.int32)
    return {"Points": points, "PointData": {"WallShearStress": shear},
            "CellData": {"CellPointIds": ids, "CellEntityIds": entity_ids}}


def with_views(array_dict: Dict[str, Any]) -> Dict[str, Any]:
    """``array_dict`` with each array replaced by a view that is not contiguous: every other row of one twice as long.

    What slicing gives (``points[::2]``); the arrays' values are unchanged.
    """
    if isinstance(array_dict, dict):
        return {key: with_views(value) for key, value in array_dict.items()}
    if isinstance(array_dict, list):
        return [with_views(value) for value in array_dict]
    if isinstance(array_dict, np.ndarray) and array_dict.ndim:
        return np.repeat(array_dict, 2, axis=0)[::2]
    return array_dict


def centerlines_dict(lines: int) -> Dict[str, Any]:
    """``lines`` polylines of varying length (vmtk's centerline layout: a list of id arrays)."""
    lengths = np.random.default_rng(SEED).integers(10, 101, lines)
    total = int(lengths.sum())
    starts = np.zeros(lines + 1, np.int64)
    np.cumsum(lengths, out=starts[1:])
    line_of_point = np.repeat(np.arange(lines), lengths)
    along = np.arange(total) - starts[:-1][line_of_point]
    points = np.empty((total, 3), np.float64)
    points[:, 0] = line_of_point * 0.5 + 0.1 * np.sin(along * 0.3)
    points[:, 1] = 0.1 * np.cos(along * 0.3)
    points[:, 2] = along * 0.25
    ids = np.arange(total, dtype=np.int64)
    cell_ids: List[np.ndarray] = np.split(ids, starts[1:-1])
    return {"Points": points, "PointData": {"MaximumInscribedSphereRadius": 1.0 + 0.3 * np.cos(along * 0.05)},
            "CellData": {"CellPointIds": cell_ids, "CenterlineIds": np.arange(lines, dtype=np.int32)}}


#: The six tetrahedra of a cube with corners numbered x + 2y + 4z (Kuhn's subdivision).
_KUHN = np.array([[0, 1, 3, 7], [0, 1, 5, 7], [0, 2, 3, 7], [0, 2, 6, 7], [0, 4, 5, 7], [0, 4, 6, 7]])


def mesh_dict(tetrahedra: int) -> Dict[str, Any]:
    """About ``tetrahedra`` tetrahedra (six per cube of a grid) as a mesh ArrayDict in vmtk's flat layout."""
    cubes = max(tetrahedra // 6, 1)
    side = max(int(round(cubes ** (1 / 3))), 1)
    nx, ny, nz = side, side, max(cubes // (side * side), 1)
    grid = np.stack(np.meshgrid(np.arange(nx + 1), np.arange(ny + 1), np.arange(nz + 1), indexing="ij"), -1)
    points = grid.reshape(-1, 3).astype(np.float64)  # point id = (x * (ny+1) + y) * (nz+1) + z
    x, y, z = (axis.ravel() for axis in np.meshgrid(np.arange(nx), np.arange(ny), np.arange(nz), indexing="ij"))
    base = (x * (ny + 1) + y) * (nz + 1) + z
    corner = np.array([(cx * (ny + 1) + cy) * (nz + 1) + cz for cz in (0, 1) for cy in (0, 1) for cx in (0, 1)])
    ids = (base[:, None, None] + corner[_KUHN][None]).reshape(-1, 4)
    count = len(ids)
    flat = np.empty((count, 5), np.int64)
    flat[:, 0] = 4
    flat[:, 1:] = ids
    cells = {"CellPointIds": flat.ravel(), "CellLocations": np.arange(count, dtype=np.int64) * 5,
             "CellTypes": np.full(count, 10, np.uint8)}
    return {"Points": points, "PointData": {"Temperature": points[:, 2] * 0.5},
            "CellData": {"CellEntityIds": np.ones(count, np.int32)}, "Cells": cells}


def image_dict(edge: int) -> Dict[str, Any]:
    """An ``edge³`` int16 volume as an image ArrayDict in vmtk's ``[x, y, z]`` order (F-ordered, x fastest)."""
    from vmtkscripts_numpy.convert.image import dict_from_array

    axis = np.arange(edge, dtype=np.int16)
    volume = np.empty((edge, edge, edge), np.int16, order="F")
    np.add(axis[:, None, None] % 64, (axis[None, :, None] % 32) + (axis[None, None, :] % 16), out=volume)
    return dict_from_array(volume, spacing=(0.5, 0.5, 0.8), origin=(-10.0, 4.0, 2.0), name="ImageScalars")


# --- the VTK objects a reader would give --------------------------------------------


def _vtk_array(values: np.ndarray, name: str = "", array_type: Any = None):
    from vtkmodules.util.numpy_support import numpy_to_vtk

    array = numpy_to_vtk(np.ascontiguousarray(values), deep=True, array_type=array_type)
    if name:
        array.SetName(name)
    return array


def _geometry(dataset, array_dict: Dict[str, Any], offsets: np.ndarray, connectivity: np.ndarray):
    """Points, cells (64-bit ids, as VTK's readers give them) and data arrays set on ``dataset``; the cells."""
    from vtkmodules.vtkCommonCore import VTK_LONG_LONG, vtkPoints
    from vtkmodules.vtkCommonDataModel import vtkCellArray

    points = vtkPoints()
    points.SetData(_vtk_array(array_dict["Points"]))
    dataset.SetPoints(points)
    # numpy_support's default id type, vtkLongArray, would make VTK fall back to its slow generic cell storage.
    cells = vtkCellArray()
    cells.SetData(_vtk_array(offsets, array_type=VTK_LONG_LONG), _vtk_array(connectivity, array_type=VTK_LONG_LONG))
    assert cells.IsStorage64Bit()
    for name, values in array_dict.get("PointData", {}).items():
        dataset.GetPointData().AddArray(_vtk_array(values, name))
    for name, values in array_dict.get("CellData", {}).items():
        if name != "CellPointIds":
            dataset.GetCellData().AddArray(_vtk_array(values, name))
    return cells


def to_vtk(kind: str, array_dict: Dict[str, Any]):
    """The VTK object of ``array_dict``, built as a reader would (own memory, general cell storage)."""
    from vtkmodules.vtkCommonDataModel import vtkImageData, vtkPolyData, vtkUnstructuredGrid

    if kind in ("surface", "centerlines"):
        ids = array_dict["CellData"]["CellPointIds"]
        if isinstance(ids, np.ndarray):
            offsets, connectivity = np.arange(0, ids.size + 1, ids.shape[1]), ids.ravel()
        else:
            offsets = np.zeros(len(ids) + 1, np.int64)
            np.cumsum([len(cell) for cell in ids], out=offsets[1:])
            connectivity = np.concatenate(ids)
        polydata = vtkPolyData()
        cells = _geometry(polydata, array_dict, offsets, connectivity)
        (polydata.SetPolys if kind == "surface" else polydata.SetLines)(cells)
        return polydata
    if kind == "mesh":
        types = array_dict["Cells"]["CellTypes"]
        connectivity = array_dict["Cells"]["CellPointIds"].reshape(len(types), 5)[:, 1:].ravel()
        grid = vtkUnstructuredGrid()
        grid.SetCells(_vtk_array(types), _geometry(grid, array_dict, np.arange(0, 4 * len(types) + 1, 4), connectivity))
        return grid
    image = vtkImageData()
    image.SetDimensions(*(int(count) for count in array_dict["Dimensions"]))
    image.SetSpacing(*array_dict["Spacing"])
    image.SetOrigin(*array_dict["Origin"])
    voxels = array_dict["PointData"]["ImageScalars"].ravel(order="F")
    image.GetPointData().SetScalars(_vtk_array(voxels, "ImageScalars"))
    return image


MAKERS = {"surface": surface_dict, "centerlines": centerlines_dict, "mesh": mesh_dict, "image": image_dict}


def make_dict(kind: str, size: int) -> Dict[str, Any]:
    """The ArrayDict of ``kind`` at ``size`` (triangles, lines, tetrahedra, or voxels along an edge)."""
    return MAKERS[kind](size)


def cell_count(kind: str, array_dict: Dict[str, Any]) -> int:
    """How many cells (triangles, lines, tetrahedra) or voxels the dict holds."""
    if kind == "image":
        return int(np.prod(array_dict["Dimensions"]))
    if kind == "mesh":
        return len(array_dict["Cells"]["CellTypes"])
    return len(array_dict["CellData"]["CellPointIds"])


def all_arrays(value: Any) -> List[np.ndarray]:
    """Every numpy array of a nested dict/list, in order."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [array for item in value for array in all_arrays(item)]
    return [value] if isinstance(value, np.ndarray) else []


def array_bytes(value: Any) -> int:
    """Bytes of every numpy array in a nested dict/list, each buffer counted once."""
    sizes: Dict[tuple, int] = {}
    for array in all_arrays(value):
        base = array
        while isinstance(base.base, np.ndarray):
            base = base.base
        sizes.setdefault((id(base), array.__array_interface__["data"][0]), array.nbytes)
    return sum(sizes.values())


def vtk_bytes(dataset) -> int:
    """Bytes VTK holds for a dataset's points, cells and data arrays (implicit arrays, an image's points, count 0)."""
    arrays, cell_arrays = [], []
    if dataset.IsA("vtkPolyData"):
        arrays.append(dataset.GetPoints().GetData())
        cell_arrays = [dataset.GetVerts(), dataset.GetLines(), dataset.GetPolys(), dataset.GetStrips()]
    elif dataset.IsA("vtkUnstructuredGrid"):
        arrays += [dataset.GetPoints().GetData(), dataset.GetCellTypesArray()]
        cell_arrays = [dataset.GetCells()]
    for cells in cell_arrays:
        if cells is not None and cells.GetNumberOfCells():
            arrays += [cells.GetOffsetsArray(), cells.GetConnectivityArray()]
    for attributes in (dataset.GetPointData(), dataset.GetCellData(), dataset.GetFieldData()):
        arrays += [attributes.GetArray(index) for index in range(attributes.GetNumberOfArrays())]
    return sum(array.GetNumberOfValues() * array.GetDataTypeSize()
               for array in arrays if array is not None and array.HasStandardMemoryLayout())
