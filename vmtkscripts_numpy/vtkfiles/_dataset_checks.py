"""What every read dataset must satisfy before any filter, converter or writer touches it.

VTK's readers take a file's cells as they are: a cell naming point 100000 of a
3-point surface, or offsets that run backwards, are read without a word, and
the first filter or writer that follows them (``-celltopoint``, the STL and PLY
writers) reads memory that is not the dataset's. The checks here run on every
read, one vectorized pass over each connectivity array:

- cells: offsets start at 0, never decrease and end at the connectivity's
  length; every point id is ``>= 0`` and ``< number of points``;
- meshes: one known cell type per cell, with the number of points a cell of
  that type has; polyhedron faces name existing points;
- images: an extent that is a box (each start at most its end);
- every point and cell data array has one tuple per point or cell, and the
  points have three coordinates.

Each violation is one :class:`~vmtkscripts_numpy.errors.DataFileError`
naming the file and what is wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import numpy as np

from .._vtk_version import vtk_at_least
from ..convert.arrays import vtk_to_numpy
from ..errors import DataFileError


def _ids(array: Any) -> np.ndarray:
    return vtk_to_numpy(array, copy=False) if array is not None else np.zeros(0, np.int64)


def check_ids(ids: np.ndarray, limit: int, path: Path, what: str, named: str = "point") -> None:
    """Raise unless every value of ``ids`` (the ``what`` of a file, naming ``named`` items) is in ``0 .. limit - 1``."""
    if ids.size == 0:
        return
    low, high = int(ids.min()), int(ids.max())
    if low < 0 or high >= limit:
        bad = low if low < 0 else high
        has = f"{limit} {named}s (ids 0 to {limit - 1})" if limit else f"no {named}s"
        raise DataFileError(path, f"is damaged: its {what} name {named} {bad}, and it has {has}")


def check_offsets(offsets: np.ndarray, size: int, path: Path, what: str) -> None:
    """Raise unless ``offsets`` start at 0, never decrease and end at ``size``."""
    if offsets.size == 0:
        if size:
            raise DataFileError(path, f"is damaged: its {what} have {size} point ids and no offsets")
        return
    if int(offsets[0]) != 0 or int(offsets[-1]) != size or bool(np.any(offsets[1:] < offsets[:-1])):
        raise DataFileError(
            path, f"is damaged: the offsets of its {what} do not run from 0 up to their {size} point ids"
        )


def check_cell_array(cells: Any, points: int, path: Path, what: str) -> int:
    """Check a ``vtkCellArray`` against ``points`` points; return its number of cells."""
    if cells is None:
        return 0
    offsets, connectivity = _ids(cells.GetOffsetsArray()), _ids(cells.GetConnectivityArray())
    check_offsets(offsets, connectivity.size, path, what)
    check_ids(connectivity, points, path, what)
    return max(offsets.size - 1, 0)


def check_points(data: Any, path: Path) -> int:
    """The number of points of ``data``, once its points are known to be (n, 3)."""
    points = data.GetPoints()
    if points is None:
        return 0
    coordinates = points.GetData()
    if coordinates is not None and coordinates.GetNumberOfComponents() != 3:
        raise DataFileError(
            path, f"is damaged: its points have {coordinates.GetNumberOfComponents()} coordinates, not 3"
        )
    return int(points.GetNumberOfPoints())


def check_attributes(attributes: Any, tuples: int, path: Path, where: str) -> None:
    """Raise unless every array of a vtkDataSetAttributes has ``tuples`` tuples."""
    for index in range(attributes.GetNumberOfArrays()):
        array = attributes.GetAbstractArray(index)
        if array is not None and array.GetNumberOfTuples() != tuples:
            raise DataFileError(
                path,
                f"is damaged: its {where} array {array.GetName() or '(unnamed)'!r} has "
                f"{array.GetNumberOfTuples()} tuples for {tuples} {where.split()[0]}s",
            )


def check_surface(surface: Any, path: Path) -> None:
    """Raise :class:`DataFileError` unless ``surface``'s cells and arrays fit its points (see module)."""
    points = check_points(surface, path)
    cells = 0
    for getter, what in (("GetVerts", "vertex cells"), ("GetLines", "line cells"), ("GetPolys", "polygon cells"),
                         ("GetStrips", "triangle strip cells")):
        cells += check_cell_array(getattr(surface, getter)(), points, path, what)
    check_attributes(surface.GetPointData(), points, path, "point data")
    check_attributes(surface.GetCellData(), cells, path, "cell data")


def check_mesh(mesh: Any, path: Path) -> None:
    """Raise :class:`DataFileError` unless ``mesh``'s cells, types, faces and arrays fit (see module)."""
    from vtkmodules.vtkCommonDataModel import VTK_POLYHEDRON

    from ..convert.mesh import cell_types_array, cell_class_name, fixed_cell_size

    points = check_points(mesh, path)
    cells_array = mesh.GetCells()
    cells = check_cell_array(cells_array, points, path, "cells")
    types = _ids(cell_types_array(mesh)) if cells_array is not None else np.zeros(0, np.uint8)
    if types.size != cells:
        raise DataFileError(path, f"is damaged: it has {types.size} cell types for {cells} cells")
    if cells:
        _check_types(types.astype(np.uint8, copy=False), _ids(cells_array.GetOffsetsArray()), path,
                     cell_class_name, fixed_cell_size)
        if bool((types == VTK_POLYHEDRON).any()):
            _check_faces(mesh, points, cells, path)
    check_attributes(mesh.GetPointData(), points, path, "point data")
    check_attributes(mesh.GetCellData(), cells, path, "cell data")


def _check_types(types: np.ndarray, offsets: np.ndarray, path: Path, class_name: Any, fixed_size: Any) -> None:
    present = np.flatnonzero(np.bincount(types, minlength=256))
    sizes: Optional[np.ndarray] = None
    for cell_type in present.tolist():  # one turn per cell type present, a few at most
        if class_name(cell_type) == "UnknownClass":
            first = int(np.argmax(types == cell_type))
            raise DataFileError(path, f"is damaged: its cell {first} has type {cell_type}, not a VTK cell type")
        size = fixed_size(cell_type)
        if size:
            sizes = np.diff(offsets) if sizes is None else sizes
            wrong = np.flatnonzero((types == cell_type) & (sizes != size))
            if wrong.size:
                index = int(wrong[0])
                raise DataFileError(
                    path, f"is damaged: its cell {index} is a {class_name(cell_type)} (type {cell_type}), which "
                          f"has {size} points, but it has {int(sizes[index])} point ids"
                )


def _check_faces(mesh: Any, points: int, cells: int, path: Path) -> None:
    """Polyhedron faces: VTK 9.4's two cell arrays, or the face stream before."""
    if vtk_at_least(9, 4):
        faces = mesh.GetPolyhedronFaces()
        count = check_cell_array(faces, points, path, "polyhedron faces")
        locations = mesh.GetPolyhedronFaceLocations()
        if locations is None or locations.GetNumberOfCells() == 0:
            raise DataFileError(path, "is damaged: it has polyhedron cells without faces")
        if locations.GetNumberOfCells() != cells:
            raise DataFileError(path, f"is damaged: it has face lists for {locations.GetNumberOfCells()} of "
                                      f"its {cells} cells")
        check_offsets(_ids(locations.GetOffsetsArray()), _ids(locations.GetConnectivityArray()).size, path,
                      "polyhedron face lists")
        check_ids(_ids(locations.GetConnectivityArray()), count, path, "polyhedron face lists", named="face")
        return
    _check_face_stream(_ids(mesh.GetFaces()), _ids(mesh.GetFaceLocations()), points, cells, path)


def _check_face_stream(stream: np.ndarray, locations: np.ndarray, points: int, cells: int, path: Path) -> None:
    """The face stream of VTK before 9.4: at each polyhedron's location, its face count, then each face's
    point count and point ids."""
    if locations.size != cells:
        raise DataFileError(path, f"is damaged: it has face locations for {locations.size} of its {cells} cells")
    starts = locations[locations >= 0].astype(np.int64)
    if starts.size == 0:
        raise DataFileError(path, "is damaged: it has polyhedron cells without faces")
    if int(starts.max()) >= stream.size:
        raise DataFileError(path, "is damaged: its polyhedron face locations point past its faces")
    stream = stream.astype(np.int64, copy=False)
    faces = stream[starts]
    # A face has at least 3 points, so 4 values: a face count beyond that is a lie about the stream.
    if int(faces.min()) < 1 or int(faces.max()) > (stream.size - int(starts.min())) // 4:
        raise DataFileError(path, "is damaged: a polyhedron declares more faces than its face stream holds")
    position = starts + 1
    counts_at = np.zeros(stream.size, bool)
    counts_at[starts] = True
    for face in range(int(faces.max())):  # one turn per face of the largest polyhedron, for all at once
        active = faces > face
        at = position[active]
        if int(at.max()) >= stream.size:
            raise DataFileError(path, "is damaged: its polyhedron faces run past their face stream")
        counts = stream[at]
        ends = at + 1 + counts
        if int(counts.min()) < 3 or int(ends.max()) > stream.size:
            raise DataFileError(path, "is damaged: a polyhedron face has fewer than 3 points or runs past the stream")
        counts_at[at] = True
        position[active] = ends
    # The point ids are what lies between each polyhedron's start and end, counts aside.
    bounds = stream.size + 1
    inside = np.cumsum(np.bincount(starts, minlength=bounds) - np.bincount(position, minlength=bounds))
    ids = stream[(inside[:-1] > 0) & ~counts_at]
    check_ids(ids, points, path, "polyhedron faces")


def check_image(image: Any, path: Path) -> None:
    """Raise :class:`DataFileError` unless ``image``'s extent is a box and its arrays fit it."""
    extent = image.GetExtent()
    if any(extent[2 * axis] > extent[2 * axis + 1] + 1 for axis in range(3)):
        raise DataFileError(path, f"is damaged: its extent {tuple(extent)} is not a box (a start beyond its end)")
    empty = any(extent[2 * axis] > extent[2 * axis + 1] for axis in range(3))
    check_attributes(image.GetPointData(), 0 if empty else image.GetNumberOfPoints(), path, "point data")
    check_attributes(image.GetCellData(), 0 if empty else image.GetNumberOfCells(), path, "cell data")
