"""Flat maps of a surface's point data: along a vessel's centerline, or around a centre.

A point data array on a vessel wall (wall shear stress, thickness, a
distance) becomes a 2-D image ArrayDict on a regular grid, ready to save as an
image file or to feed to a convolutional network, and a grid can be painted
back onto the wall.

**Vessel maps.** :func:`vessel_coordinates` gives every surface point two
coordinates along its centerline, as vmtk's ``vmtkbranchmetrics`` does:

- ``AbscissaMetric`` (mm): the centerline's abscissa (arc length from its
  first point, or the centerlines' own ``Abscissas`` array) where the point's
  nearest point on the centerline is;
- ``AngularMetric`` (radians, -pi to pi): the angle around the centerline,
  from a reference normal carried along the centerline by parallel transport
  (computed as vmtk's ``vmtkcenterlineattributes`` computes its
  ``ParallelTransportNormals``, or taken from that array), so the angle does
  not jump where the centerline bends. Its sign is vmtk's: the angle grows
  clockwise when looking along the centerline, from its first point
  towards its last.

When the centerlines are split into branches (a ``GroupIds`` cell array, and
the same point or cell array on the surface, as ``vmtkbranchextractor`` and
``vmtkbranchclipper`` give them), each point is placed along the centerline
of its own branch. vmtk itself can supply the coordinates: a surface that went
through ``vmtkbranchmetrics`` has them as point data, which
:func:`vessel_coordinates` reads when no centerlines are given (and
``vmtkbranchmapping``'s ``StretchedMapping`` can replace the abscissa).

:func:`vessel_map` resamples point data arrays onto a regular (abscissa x
angle) grid per branch: an image ArrayDict whose x axis is the abscissa (mm)
and y axis the angle (degrees, -180 to 180), so ``Origin`` and ``Spacing``
are physical. Drawn with x to the right and y upwards, a map shows the wall as
seen from outside the vessel, not mirrored. The values are interpolated
linearly inside the surface's own triangles laid out in (abscissa, angle),
across the +-180 degree seam; pixels no triangle covers take the nearest
point's value, and a ``Coverage`` channel (uint8) says which pixels were
interpolated (1). :func:`vessel_map_to_surface` samples a map back at every
surface point.

**Spherical maps.** :func:`spherical_map` puts the points on a sphere around
the surface's centre (turned to its principal axes) and unrolls it:
longitude x latitude (equirectangular) or Mercator, with a ``Radius`` and a
``Coverage`` channel. Right for star-shaped surfaces (an aneurysm dome); a
long vessel's ends are squeezed near the poles, where a vessel map is the
better tool.

Every step is vectorized: nearest points are found with VTK's point locator,
triangles are rasterized with ``vtkProbeFilter``, and the parallel transport
along a centerline is a cumulative sum of twist angles.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np

from .errors import ArrayDictError

#: Names of the per-point coordinates, as vmtk's vmtkbranchmetrics names its arrays (plus two of ours).
ABSCISSA, ANGLE, BRANCH, DISTANCE = "AbscissaMetric", "AngularMetric", "BranchIds", "CenterlineDistance"
#: The channel of a map that says which pixels were interpolated (1) and which filled from the nearest point (0).
COVERAGE = "Coverage"

ArraysLike = Union[str, Sequence[str], Mapping[str, Any]]


# --- surfaces and centerlines in, as numpy ------------------------------------------------


class _Surface(NamedTuple):
    points: np.ndarray            # (N, 3) float64
    triangles: np.ndarray         # (T, 3) int64
    point_data: Dict[str, Any]
    cell_data: Dict[str, Any]     # of the triangles


def _surface(surface: Any) -> _Surface:
    """Points, triangles and data of a surface (vtkPolyData or surface dict); polygons are triangulated."""
    from vtkmodules.vtkCommonDataModel import vtkPolyData

    from .convert.polydata import dict_to_polydata, polydata_to_dict

    if isinstance(surface, Mapping):
        surface = dict_to_polydata(surface)
    if not isinstance(surface, vtkPolyData):
        raise ArrayDictError(f"surface: expected a vtkPolyData or a surface ArrayDict, found {type(surface).__name__}")
    arrays = polydata_to_dict(surface, copy=False)
    types = np.asarray(arrays["CellTypes"])
    if types.size and not np.all(types == 5):
        from vtkmodules.vtkFiltersCore import vtkTriangleFilter

        triangulate = vtkTriangleFilter()
        triangulate.PassVertsOff()
        triangulate.PassLinesOff()
        triangulate.SetInputData(surface)
        triangulate.Update()
        arrays = polydata_to_dict(triangulate.GetOutput(), copy=False)
    ids = arrays["CellData"]["CellPointIds"]
    triangles = np.asarray(ids, dtype=np.int64).reshape(-1, 3) if len(ids) else np.zeros((0, 3), np.int64)
    cell_data = {name: values for name, values in arrays["CellData"].items() if name != "CellPointIds"}
    return _Surface(np.asarray(arrays["Points"], dtype=np.float64), triangles, arrays["PointData"], cell_data)


def _lines(centerlines: Any) -> Tuple[np.ndarray, List[np.ndarray], Dict[str, Any], Dict[str, Any], List[int]]:
    """Points, the point ids of each line cell, point data, cell data and the cell index of each line."""
    from vtkmodules.vtkCommonDataModel import vtkPolyData

    from .convert.polydata import centerlines_to_dict

    if isinstance(centerlines, vtkPolyData):
        centerlines = centerlines_to_dict(centerlines, copy=False)
    if not isinstance(centerlines, Mapping) or "Points" not in centerlines:
        raise ArrayDictError(
            f"centerlines: expected a vtkPolyData or a centerlines ArrayDict, found {type(centerlines).__name__}")
    cells = list(centerlines["CellData"]["CellPointIds"])
    types = centerlines.get("CellTypes")
    kinds = np.full(len(cells), 4) if types is None else np.asarray(types)
    keep = [index for index, cell in enumerate(cells) if kinds[index] in (3, 4) and len(cell) >= 2]
    if not keep:
        raise ArrayDictError("centerlines: has no line with two points or more")
    cell_data = {name: values for name, values in centerlines["CellData"].items() if name != "CellPointIds"}
    return (np.asarray(centerlines["Points"], dtype=np.float64), [np.asarray(cells[i], np.int64) for i in keep],
            centerlines["PointData"], cell_data, keep)


# --- nearest points, with VTK --------------------------------------------------------------


def _nearest_ids(source: np.ndarray, query: np.ndarray) -> np.ndarray:
    """For each query point (Q, 3), the index of the nearest source point (S, 3): VTK's locator, one call."""
    from vtkmodules.vtkCommonCore import vtkPoints
    from vtkmodules.vtkCommonDataModel import vtkPolyData, vtkStaticPointLocator
    from vtkmodules.vtkFiltersPoints import vtkPointInterpolator, vtkVoronoiKernel

    from .convert.arrays import numpy_to_vtk, vtk_to_numpy

    def cloud(points: np.ndarray) -> Any:
        polydata = vtkPolyData()
        vtk_points = vtkPoints()
        vtk_points.SetData(numpy_to_vtk(np.ascontiguousarray(points, dtype=np.float64), share=False))
        polydata.SetPoints(vtk_points)
        return polydata

    if len(query) == 0:
        return np.zeros(0, np.int64)
    if len(source) == 1:
        return np.zeros(len(query), np.int64)
    sources = cloud(source)
    sources.GetPointData().AddArray(numpy_to_vtk(np.arange(len(source), dtype=np.float64), name="Index", share=False))
    interpolator = vtkPointInterpolator()
    interpolator.SetInputData(cloud(query))
    interpolator.SetSourceData(sources)
    interpolator.SetKernel(vtkVoronoiKernel())
    interpolator.SetLocator(vtkStaticPointLocator())
    interpolator.Update()
    found = interpolator.GetOutput().GetPointData().GetArray("Index")
    return vtk_to_numpy(found).astype(np.int64)


# --- along one centerline -------------------------------------------------------------------


def _unit_rows(vectors: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    lengths = np.linalg.norm(vectors, axis=1)
    safe = np.where(lengths > 0, lengths, 1.0)
    return vectors / safe[:, None], lengths


def _segment_directions(line: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Unit direction and length of each segment; a zero-length segment takes its neighbour's direction."""
    directions, lengths = _unit_rows(np.diff(line, axis=0))
    valid = lengths > 0
    if not valid.any():
        return directions, lengths
    index = np.where(valid, np.arange(len(valid)), -1)
    index = np.maximum.accumulate(index)                         # the last valid one before
    first_valid = int(np.argmax(valid))
    index[index < 0] = first_valid                               # none before: the first valid one
    return directions[index], lengths


def parallel_transport_normals(line: np.ndarray) -> np.ndarray:
    """Normals carried along a polyline by parallel transport, as vmtk's ``ParallelTransportNormals``.

    The first normal is VTK's ``vtkMath.Perpendiculars`` of the first
    segment; each next segment's normal is the previous one turned by the
    smallest rotation from one segment's direction to the next (so it never
    twists about the line). Point ``i`` gets segment ``i``'s normal, the last
    point the last segment's, as ``vmtkcenterlineattributes`` stores them.
    Vectorized: the twist between segments is a cumulative sum of angles.

    Parameters
    ----------
    line : (m, 3) array_like
        The points of the polyline, in order (m >= 2).

    Returns
    -------
    ndarray
        (m, 3) float64 unit normals; normal ``i`` is perpendicular to segment ``i``.

    Examples
    --------
    >>> turns = np.linspace(0, 6, 200)
    >>> helix = np.column_stack([np.cos(turns), np.sin(turns), turns / 2])
    >>> normals = parallel_transport_normals(helix)
    >>> along = np.sum(normals[:-1] * np.diff(helix, axis=0), axis=1)
    >>> bool(np.allclose(np.linalg.norm(normals, axis=1), 1)), bool(np.abs(along).max() < 1e-12)
    (True, True)
    """
    from vtkmodules.vtkCommonCore import vtkMath

    line = np.asarray(line, dtype=np.float64)
    directions, _ = _segment_directions(line)
    first, unused = [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]
    vtkMath.Perpendiculars(directions[0].tolist(), first, unused, 0.0)
    # A reference normal per segment (from the coordinate axis least along it), and the angle alpha that turns
    # it into the transported normal: alpha[j + 1] = alpha[j] - twist[j], where twist[j] is the angle from the
    # reference carried by the minimal rotation to the next segment's reference.
    axes = np.eye(3)[np.argmin(np.abs(directions), axis=1)]
    reference, _ = _unit_rows(axes - np.sum(axes * directions, axis=1)[:, None] * directions)
    before, after = directions[:-1], directions[1:]
    cross = np.cross(before, after)
    cosine = np.sum(before * after, axis=1)
    carried = reference[:-1]
    # Rodrigues' rotation by the minimal rotation taking `before` to `after` (stable for small angles).
    carried = (carried * cosine[:, None] + np.cross(cross, carried)
               + cross * (np.sum(cross * carried, axis=1) / np.maximum(1.0 + cosine, 1e-12))[:, None])
    twist = np.arctan2(np.sum(after * np.cross(carried, reference[1:]), axis=1),
                       np.sum(carried * reference[1:], axis=1))
    start = np.asarray(first)
    alpha0 = math.atan2(float(directions[0] @ np.cross(reference[0], start)), float(reference[0] @ start))
    alpha = alpha0 - np.concatenate([[0.0], np.cumsum(twist)])
    binormal = np.cross(directions, reference)
    normals = np.cos(alpha)[:, None] * reference + np.sin(alpha)[:, None] * binormal
    return np.vstack([normals, normals[-1:]])


def _abscissas(line: np.ndarray) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(line, axis=0), axis=1))])


class _Line(NamedTuple):
    """One centerline cell with what is interpolated along it."""

    points: np.ndarray      # (m, 3)
    abscissas: np.ndarray   # (m,)
    normals: np.ndarray     # (m, 3)
    radii: np.ndarray       # (m,): the weights of vmtk's averages are their squares


#: vmtk's tolerance on the parameter along a segment: closer than this to an end is that end.
_PARAMETER_TOLERANCE = 1e-12
#: Consecutive segments bounded by one sphere when searching nearest segments.
_SEGMENTS_PER_BLOCK = 8
#: Point-segment pairs measured at once at most (bounds the memory to some 50 MB).
_PAIRS_PER_CHUNK = 1 << 19


def _closest(points: np.ndarray, line: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each point's nearest point on the polyline: ``(segment, t, distance)``, as vmtk's tube function finds it.

    Exact and vectorized. A first guess (the segment of the nearest of points spaced at most a
    typical segment apart along the line, VTK's point locator in one call) bounds each point's
    distance from above; the segments are grouped in blocks of consecutive ones, each bounded by a
    sphere, and a point is measured against every segment of the blocks that reach within that
    bound. Zero-length segments are skipped, a clamped end is that vertex, and the first of
    equally near segments wins, as in vmtk.
    """
    starts, vectors = line[:-1], np.diff(line, axis=0)
    segments = len(starts)
    squared = np.sum(vectors * vectors, axis=1)
    usable = squared > 0
    if not usable.any() or len(points) == 0:
        return (np.zeros(len(points), np.int64), np.zeros(len(points)), np.linalg.norm(points - line[0], axis=1))
    inverse = np.where(usable, 1.0 / np.where(usable, squared, 1.0), 0.0)

    def measure(x: np.ndarray, candidate: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        start, vector = starts[candidate], vectors[candidate]
        t = np.sum((x - start) * vector, axis=1) * inverse[candidate]
        t = np.where(t < _PARAMETER_TOLERANCE, 0.0, np.where(1.0 - t < _PARAMETER_TOLERANCE, 1.0, t))
        closest = np.where((t == 1.0)[:, None], line[candidate + 1], start + t[:, None] * vector)
        return t, np.linalg.norm(x - closest, axis=1)

    # The guess: any point of the line bounds the distance from above.
    lengths = np.sqrt(squared)
    step = float(np.median(lengths[usable]))
    pieces = np.maximum(1, np.ceil(lengths / step).astype(np.int64))
    owner = np.repeat(np.arange(segments), pieces)
    fraction = (np.arange(len(owner)) - np.repeat(np.cumsum(pieces) - pieces, pieces)) / np.repeat(pieces, pieces)
    guess = owner[_nearest_ids(starts[owner] + fraction[:, None] * vectors[owner], points)]
    _, bound = measure(points, guess)
    bound = bound * (1.0 + 1e-9) + 1e-12

    size = _SEGMENTS_PER_BLOCK
    blocks = -(-segments // size)
    block_points = line[np.minimum(np.arange(blocks)[:, None] * size + np.arange(size + 1), segments)]
    centres = (block_points.min(axis=1) + block_points.max(axis=1)) / 2
    radii = np.linalg.norm(block_points - centres[:, None], axis=2).max(axis=1)
    segment = np.empty(len(points), np.int64)
    parameter = np.empty(len(points))
    distance = np.empty(len(points))
    chunk = max(1, _PAIRS_PER_CHUNK // (blocks * size))
    for first in range(0, len(points), chunk):
        x_block = points[first:first + chunk]
        reach = np.linalg.norm(x_block[:, None, :] - centres[None], axis=2) - radii
        point, block = np.nonzero(reach <= bound[first:first + chunk, None])
        point = np.repeat(point, size)
        candidate = (block[:, None] * size + np.arange(size)).reshape(-1)
        keep = candidate < segments
        keep[keep] = usable[candidate[keep]]
        point, candidate = point[keep], candidate[keep]
        t, measured = measure(x_block[point], candidate)
        # Pairs come point by point, segments in the line's order: per point the first of the nearest.
        heads = np.flatnonzero(np.r_[True, point[1:] != point[:-1]])
        nearest = np.minimum.reduceat(measured, heads)
        counts = np.diff(np.r_[heads, len(point)])
        at_minimum = measured == np.repeat(nearest, counts)
        chosen = np.minimum.reduceat(np.where(at_minimum, np.arange(len(point)), len(point)), heads)
        rows = first + point[chosen]
        segment[rows], parameter[rows], distance[rows] = candidate[chosen], t[chosen], measured[chosen]
    return segment, parameter, distance


class _Projected(NamedTuple):
    abscissa: np.ndarray
    angle: np.ndarray      # radians, vmtk's sign
    distance: np.ndarray


def _interpolated(values: np.ndarray, segment: np.ndarray, t: np.ndarray) -> np.ndarray:
    weights = t.reshape((-1,) + (1,) * (values.ndim - 1))
    return (1.0 - weights) * values[segment] + weights * values[segment + 1]


def _attribute_at(values: np.ndarray, segment: np.ndarray, t: np.ndarray) -> np.ndarray:
    """A centerline point array (abscissas, normals, radii) at ``t`` along ``segment``: linear.

    vmtk 1.5.2 takes the value at the segment's end instead (its ``InterpolateTuple``
    reads both ends through one ``GetTuple`` buffer), so its metrics step from vertex to vertex.
    """
    return _interpolated(values, segment, t)


def _group_coordinates(points: np.ndarray, lines: Sequence[_Line],
                       abscissa_lines: Sequence[Sequence[_Line]]) -> _Projected:
    """Coordinates of ``points`` around the lines of one branch, as vmtk's branch metric filters compute them.

    For each line: the nearest point on it, weighted by the squared radius there. The angle is
    taken around the weighted mean of those points, with the weighted mean tangent and reference
    normal; the abscissa is the weighted mean abscissa, each line's nearest point searched on the
    line and ``abscissa_lines`` (vmtk's ``IncludeBifurcations``).
    """
    count = len(points)
    weight_sum, abscissa_weight_sum = np.zeros(count), np.zeros(count)
    centre, tangent, normal = np.zeros((count, 3)), np.zeros((count, 3)), np.zeros((count, 3))
    abscissa = np.zeros(count)
    distance = np.full(count, np.inf)
    for line, extended in zip(lines, abscissa_lines):
        segment, t, near = _closest(points, line.points)
        weight = _attribute_at(line.radii, segment, t) ** 2
        weight_sum += weight
        centre += weight[:, None] * _interpolated(line.points, segment, t)
        tangent += weight[:, None] * (line.points[segment + 1] - line.points[segment])
        normal += weight[:, None] * _attribute_at(line.normals, segment, t)
        distance = np.minimum(distance, near)
        # The abscissa: the nearest point on the line or on the bifurcation lines next to it.
        found_line = np.zeros(count, np.int64)
        found_segment, found_t, found_distance = segment, t, near
        for index, other in enumerate(extended, start=1):
            other_segment, other_t, other_distance = _closest(points, other.points)
            better = other_distance < found_distance
            found_line = np.where(better, index, found_line)
            found_segment = np.where(better, other_segment, found_segment)
            found_t = np.where(better, other_t, found_t)
            found_distance = np.where(better, other_distance, found_distance)
        candidates = (line,) + tuple(extended)
        found_abscissa, found_weight = np.empty(count), np.empty(count)
        for index, candidate in enumerate(candidates):
            mine = found_line == index
            if mine.any():
                found_abscissa[mine] = _attribute_at(candidate.abscissas, found_segment[mine], found_t[mine])
                found_weight[mine] = _attribute_at(candidate.radii, found_segment[mine], found_t[mine]) ** 2
        abscissa += found_weight * found_abscissa
        abscissa_weight_sum += found_weight
    with np.errstate(invalid="ignore", divide="ignore"):
        centre /= weight_sum[:, None]
        abscissa /= abscissa_weight_sum
    tangent, _ = _unit_rows(tangent)
    normal -= np.sum(normal * tangent, axis=1)[:, None] * tangent
    radial = points - centre
    radial -= np.sum(radial * tangent, axis=1)[:, None] * tangent
    # vmtk's sign: positive when the reference normal lies counter-clockwise of the point about the tangent.
    angle = -np.arctan2(np.sum(tangent * np.cross(normal, radial), axis=1), np.sum(normal * radial, axis=1))
    return _Projected(abscissa, angle, distance)


# --- branches -----------------------------------------------------------------------------

#: vmtk's names for the cell arrays of branch-split centerlines: which centerline a cell is a part of,
#: which part of it, and whether it is a bifurcation (blanked).
CENTERLINE_IDS, TRACT_IDS, BLANKING = "CenterlineIds", "TractIds", "Blanking"


def _point_branch_ids(surface: _Surface, name: str) -> Optional[np.ndarray]:
    """The branch array of the surface as one integer per point (cell data: the smallest of a point's cells)."""
    if name in surface.point_data:
        values = np.asarray(surface.point_data[name])
        return values.reshape(len(values), -1)[:, 0].astype(np.int64)
    if name in surface.cell_data:
        cells = np.asarray(surface.cell_data[name]).reshape(len(surface.triangles), -1)[:, 0].astype(np.int64)
        ids = np.full(len(surface.points), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(ids, surface.triangles.ravel(), np.repeat(cells, 3))
        ids[ids == np.iinfo(np.int64).max] = -1
        return ids
    return None


class _Branch(NamedTuple):
    branch: int
    point_ids: np.ndarray
    abscissa: np.ndarray
    angle: np.ndarray
    distance: np.ndarray


def _cell_values(cell_data: Mapping[str, Any], name: str, kept: List[int]) -> Optional[np.ndarray]:
    if name not in cell_data:
        return None
    return np.asarray(cell_data[name]).reshape(-1)[kept].astype(np.int64)


def _centerline_attributes(points: np.ndarray, cells: List[np.ndarray],
                           cell_data: Mapping[str, Any], kept: List[int]) -> List[Tuple[np.ndarray, np.ndarray]]:
    """Abscissas and parallel transport normals of each cell, as ``vmtkcenterlineattributes`` gives them.

    The parts of one centerline that vmtk's branch extractor made (cells with the same
    ``CenterlineIds``, consecutive ``TractIds``, each starting where the one before ends) are
    measured along the whole centerline, as vmtk measures them before splitting; any other cell
    on its own.
    """
    centerline_ids = _cell_values(cell_data, CENTERLINE_IDS, kept)
    tract_ids = _cell_values(cell_data, TRACT_IDS, kept)
    if centerline_ids is None or tract_ids is None:
        chains = [[index] for index in range(len(cells))]
    else:
        chains = []
        for centerline in np.unique(centerline_ids):
            parts = sorted(np.flatnonzero(centerline_ids == centerline).tolist(), key=lambda i: (tract_ids[i], i))
            chain = [parts[0]]
            for index in parts[1:]:
                previous = chain[-1]
                if (tract_ids[index] == tract_ids[previous] + 1
                        and np.array_equal(points[cells[previous][-1]], points[cells[index][0]])):
                    chain.append(index)
                else:
                    chains.append(chain)
                    chain = [index]
            chains.append(chain)
    attributes: List[Tuple[np.ndarray, np.ndarray]] = [None] * len(cells)  # type: ignore[list-item]
    for chain in chains:
        # The joints are each part's first point, the one before's last: kept once.
        whole = np.concatenate([points[cells[chain[0]]]] + [points[cells[index]][1:] for index in chain[1:]])
        abscissas, normals = _abscissas(whole), parallel_transport_normals(whole)
        start = 0
        for index in chain:
            size = len(cells[index])
            attributes[index] = (abscissas[start:start + size], normals[start:start + size])
            start += size - 1
    return attributes


def _centerline_lines(centerlines: Any, abscissas_array: Optional[str], normals_array: Optional[str],
                      radius_array: Optional[str]) -> Tuple[List[_Line], Dict[str, Any], List[int]]:
    points, cells, point_data, cell_data, kept = _lines(centerlines)
    for name in (abscissas_array, normals_array):
        if name is not None and name not in point_data:
            raise ArrayDictError(f"centerlines['PointData']: has no array {name!r} (it has {sorted(point_data)})")
    computed = _centerline_attributes(points, cells, cell_data, kept)
    radii = None
    if radius_array and radius_array in point_data:
        radii = np.asarray(point_data[radius_array], np.float64).reshape(len(points), -1)[:, 0]
    lines = []
    for index, cell in enumerate(cells):
        abscissas = computed[index][0] if abscissas_array is None else np.asarray(
            point_data[abscissas_array], np.float64).reshape(len(points), -1)[cell, 0]
        normals = computed[index][1] if normals_array is None else np.asarray(
            point_data[normals_array], np.float64).reshape(len(points), 3)[cell]
        lines.append(_Line(points[cell], abscissas, normals, np.ones(len(cell)) if radii is None else radii[cell]))
    return lines, cell_data, kept


def _centerline_branches(surface: _Surface, centerlines: Any, branch_array: Optional[str],
                         abscissas_array: Optional[str], normals_array: Optional[str], radius_array: Optional[str],
                         include_bifurcations: bool, overlap_tolerance: float) -> Tuple[List[_Branch], List[_Branch]]:
    """Branches for maps (a point may be in several) and each point's own branch (for coordinates)."""
    lines, cell_data, kept = _centerline_lines(centerlines, abscissas_array, normals_array, radius_array)
    surface_ids = _point_branch_ids(surface, branch_array) if branch_array else None
    if surface_ids is not None and branch_array in cell_data:
        groups = np.asarray(cell_data[branch_array]).reshape(-1)[kept].astype(np.int64)
        parts = [_cell_values(cell_data, name, kept) for name in (CENTERLINE_IDS, TRACT_IDS, BLANKING)]
        branches = []
        for group in np.unique(groups):
            members = np.flatnonzero(surface_ids == group)
            if members.size == 0:
                continue
            mine = [int(index) for index in np.flatnonzero(groups == group)]
            extended: List[List[_Line]] = [[] for _ in mine]
            centerline_ids, tract_ids, blanking = parts
            if include_bifurcations and centerline_ids is not None and tract_ids is not None and blanking is not None:
                # vmtk's IncludeBifurcations: the blanked parts of the same centerline next to each of the group's.
                extended = [[lines[other] for other in range(len(lines))
                             if other != index and blanking[other] != 0 and groups[other] != group
                             and centerline_ids[other] == centerline_ids[index]
                             and abs(int(tract_ids[other]) - int(tract_ids[index])) == 1]
                            for index in mine]
            projected = _group_coordinates(surface.points[members], [lines[index] for index in mine], extended)
            branches.append(_Branch(int(group), members, *projected))
        return branches, branches
    count = len(surface.points)
    everyone = np.arange(count)
    per_line = [_group_coordinates(surface.points, [line], [[]]) for line in lines]
    distances = np.stack([projected.distance for projected in per_line])
    nearest = np.argmin(distances, axis=0)
    closest = distances[nearest, everyone]
    shared: List[_Branch] = []
    single: List[_Branch] = []
    for index, projected in enumerate(per_line):
        for chosen, into in ((distances[index] <= closest * (1.0 + overlap_tolerance), shared),
                             (nearest == index, single)):
            into.append(_Branch(index, everyone[chosen], projected.abscissa[chosen], projected.angle[chosen],
                                projected.distance[chosen]))
    return shared, single


def _coordinates_from(branches: List[_Branch], count: int) -> Dict[str, np.ndarray]:
    coordinates = {
        ABSCISSA: np.full(count, np.nan),
        ANGLE: np.full(count, np.nan),
        BRANCH: np.full(count, -1, dtype=np.int64),
        DISTANCE: np.full(count, np.nan),
    }
    for branch in branches:
        coordinates[ABSCISSA][branch.point_ids] = branch.abscissa
        coordinates[ANGLE][branch.point_ids] = branch.angle
        coordinates[BRANCH][branch.point_ids] = branch.branch
        coordinates[DISTANCE][branch.point_ids] = branch.distance
    return coordinates


def vessel_coordinates(
    surface: Any,
    centerlines: Any = None,
    *,
    branch_array: Optional[str] = "GroupIds",
    abscissas_array: Optional[str] = None,
    normals_array: Optional[str] = None,
    radius_array: Optional[str] = "MaximumInscribedSphereRadius",
    include_bifurcations: bool = True,
    abscissa_array: str = ABSCISSA,
    angle_array: str = ANGLE,
) -> Dict[str, np.ndarray]:
    """Each surface point's abscissa along its centerline and angle around it, as vmtk's ``vmtkbranchmetrics``.

    Parameters
    ----------
    surface : vtkPolyData or mapping
        The vessel wall (a surface dict or polydata).
    centerlines : vtkPolyData or mapping, optional
        Its centerlines (line cells). Without them, the coordinates are read
        from the surface's point data ``abscissa_array`` and ``angle_array``
        (radians), as ``vmtkbranchmetrics`` writes them.
    branch_array : str or None
        The array that splits both into branches (vmtk's ``GroupIds``): a
        point (or cell) array of the surface and a cell array of the
        centerlines. When both have it, each point is placed around the
        centerline cells of its own branch, as vmtk does: around the mean of
        its nearest points on them, weighted by the squared radius there (a
        branch crossed by several centerlines gets one smooth angle).
        Otherwise each point is placed along its nearest centerline cell,
        whose index is its branch.
    abscissas_array : str, optional
        A centerline point array of abscissas (vmtk's ``Abscissas``) to use
        instead of the arc length along each centerline (measured across the
        parts of one centerline that ``CenterlineIds`` and ``TractIds`` name).
    normals_array : str, optional
        A centerline point array of reference normals (vmtk's
        ``ParallelTransportNormals``) to use instead of
        :func:`parallel_transport_normals` along each centerline.
    radius_array : str or None
        The centerline point array whose squares weigh the mean over a
        branch's centerlines; without it, equal weights.
    include_bifurcations : bool
        As vmtk's abscissa metric: a branch's abscissas are also measured on
        the bifurcation parts next to it (cells with ``Blanking`` 1 of the
        same ``CenterlineIds`` and a ``TractIds`` one apart), so they go on
        across the joint instead of stopping at the branch's first point.
    abscissa_array, angle_array : str
        Without centerlines: the surface arrays to read (e.g. vmtk's
        ``StretchedMapping`` as the abscissa).

    Returns
    -------
    dict
        ``AbscissaMetric`` (N,) mm, ``AngularMetric`` (N,) radians in [-pi,
        pi] (vmtk's sign), ``BranchIds`` (N,) int64 (-1: no centerline of its
        branch) and ``CenterlineDistance`` (N,) mm, to the nearest centerline
        (NaN when read from the surface); NaN where a point has no centerline.

    Raises
    ------
    ArrayDictError
        For inputs that are not surfaces or centerlines, or arrays not there.

    Examples
    --------
    >>> from vmtkscripts_numpy.sample_data import make_vessel_surface, make_centerlines
    >>> coordinates = vessel_coordinates(make_vessel_surface(), make_centerlines())
    >>> sorted(coordinates), np.unique(coordinates["BranchIds"]).tolist()
    (['AbscissaMetric', 'AngularMetric', 'BranchIds', 'CenterlineDistance'], [0, 1, 2])
    """
    mesh = _surface(surface)
    if centerlines is None:
        return _surface_coordinates(mesh, branch_array, abscissa_array, angle_array)
    _, own = _centerline_branches(mesh, centerlines, branch_array, abscissas_array, normals_array, radius_array,
                                  include_bifurcations, 0.0)
    return _coordinates_from(own, len(mesh.points))


def _surface_coordinates(mesh: _Surface, branch_array: Optional[str], abscissa_array: str,
                         angle_array: str) -> Dict[str, np.ndarray]:
    for name in (abscissa_array, angle_array):
        if name not in mesh.point_data:
            raise ArrayDictError(
                f"surface['PointData']: has no {name!r}; give centerlines, or run vmtkbranchmetrics first "
                f"(the surface has {sorted(mesh.point_data)})")
    count = len(mesh.points)
    branches = _point_branch_ids(mesh, branch_array) if branch_array else None
    return {
        ABSCISSA: np.asarray(mesh.point_data[abscissa_array], np.float64).reshape(count, -1)[:, 0].copy(),
        ANGLE: np.asarray(mesh.point_data[angle_array], np.float64).reshape(count, -1)[:, 0].copy(),
        BRANCH: np.zeros(count, np.int64) if branches is None else branches,
        DISTANCE: np.full(count, np.nan),
    }


# --- triangles to a grid -------------------------------------------------------------------


def _flat_points(coordinates: np.ndarray) -> Any:
    """A polydata of points (no cells) in the plane z = 0 at ``coordinates`` (n, 2)."""
    from vtkmodules.vtkCommonCore import vtkPoints
    from vtkmodules.vtkCommonDataModel import vtkPolyData

    from .convert.arrays import numpy_to_vtk

    flat = vtkPolyData()
    points = vtkPoints()
    points.SetData(numpy_to_vtk(np.column_stack([coordinates, np.zeros(len(coordinates))]), share=False))
    flat.SetPoints(points)
    return flat


#: Candidate (triangle, pixel) pairs tested at once when rasterizing (bounds the memory).
_CANDIDATES_PER_CHUNK = 1 << 21
#: How far outside a triangle (in barycentric coordinates) a pixel centre still counts as inside.
_INSIDE_TOLERANCE = 1e-10


def _rasterized(coordinates: np.ndarray, triangles: np.ndarray, values: Mapping[str, np.ndarray],
                columns: np.ndarray, rows: np.ndarray) -> Tuple[Dict[str, np.ndarray], np.ndarray]:
    """``values`` interpolated linearly (barycentric) inside the triangles at the grid's pixel centres.

    ``coordinates`` (n, 2) places the triangles' points; the grid's pixel centres are every
    ``(columns[i], rows[j])`` (both increasing). Each triangle is tested against the pixels of its
    bounding box, all triangles at once (in chunks). Returns the values and the coverage, flat
    with x fastest; a pixel in several triangles takes the first's.
    """
    width, height = len(columns), len(rows)
    sampled = {name: np.zeros((width * height,) + np.shape(array)[1:]) for name, array in values.items()}
    valid = np.zeros(width * height, dtype=bool)
    if len(triangles) == 0:
        return sampled, valid
    corners = coordinates[triangles]                                  # (T, 3, 2)
    first, edges = corners[:, 0], corners[:, 1:] - corners[:, :1]     # (T, 2), (T, 2 edges, 2)
    determinant = edges[:, 0, 0] * edges[:, 1, 1] - edges[:, 0, 1] * edges[:, 1, 0]
    scale = np.abs(edges).max(axis=(1, 2))
    usable = np.abs(determinant) > 1e-14 * np.maximum(scale, 1e-300) ** 2
    corners, first, edges, determinant = corners[usable], first[usable], edges[usable], determinant[usable]
    triangles = triangles[usable]
    low, high = corners.min(axis=1), corners.max(axis=1)
    column_start = np.searchsorted(columns, low[:, 0], side="left")
    column_stop = np.searchsorted(columns, high[:, 0], side="right")
    row_start = np.searchsorted(rows, low[:, 1], side="left")
    row_stop = np.searchsorted(rows, high[:, 1], side="right")
    spans = np.maximum(column_stop - column_start, 0)
    counts = spans * np.maximum(row_stop - row_start, 0)
    taken = np.zeros(width * height, dtype=bool)
    order_start = 0
    while order_start < len(counts):
        # A chunk of triangles whose bounding boxes hold at most _CANDIDATES_PER_CHUNK pixels (at least one).
        totals = np.cumsum(counts[order_start:])
        stop = order_start + max(1, int(np.searchsorted(totals, _CANDIDATES_PER_CHUNK, side="right")))
        block = np.arange(order_start, stop)
        order_start = stop
        block_counts = counts[block]
        if block_counts.sum() == 0:
            continue
        owner = np.repeat(block, block_counts)
        offset = np.arange(int(block_counts.sum())) - np.repeat(np.cumsum(block_counts) - block_counts, block_counts)
        column = column_start[owner] + offset % spans[owner]
        row = row_start[owner] + offset // spans[owner]
        relative = np.column_stack([columns[column], rows[row]]) - first[owner]
        edge = edges[owner]
        inverse = 1.0 / determinant[owner]
        # Solve relative = l1 * edge0 + l2 * edge1 (Cramer's rule).
        l1 = (relative[:, 0] * edge[:, 1, 1] - relative[:, 1] * edge[:, 1, 0]) * inverse
        l2 = (edge[:, 0, 0] * relative[:, 1] - edge[:, 0, 1] * relative[:, 0]) * inverse
        l0 = 1.0 - l1 - l2
        inside = (l0 >= -_INSIDE_TOLERANCE) & (l1 >= -_INSIDE_TOLERANCE) & (l2 >= -_INSIDE_TOLERANCE)
        pixel = (row * width + column)[inside]
        pixel, first_hit = np.unique(pixel, return_index=True)
        new = ~taken[pixel]
        pixel, hit = pixel[new], np.flatnonzero(inside)[first_hit[new]]
        taken[pixel] = True
        valid[pixel] = True
        ids = triangles[owner[hit]]
        weights = (l0[hit], l1[hit], l2[hit])
        for name, array in values.items():
            array = np.asarray(array, np.float64)
            shape = (-1,) + (1,) * (array.ndim - 1)
            sampled[name][pixel] = sum(w.reshape(shape) * array[ids[:, k]] for k, w in enumerate(weights))
    return sampled, valid


def _filled(sampled: Dict[str, np.ndarray], valid: np.ndarray, points: np.ndarray, values: Mapping[str, np.ndarray],
            query: np.ndarray, fill: Union[str, float]) -> Dict[str, np.ndarray]:
    """Pixels no triangle covers: the nearest point's value, or ``fill``."""
    if valid.all():
        return sampled
    missing = ~valid
    if isinstance(fill, str):
        if fill != "nearest":
            raise ValueError(f"fill: expected 'nearest' or a number, found {fill!r}")
        if len(points) == 0:
            return {name: np.where(missing.reshape((-1,) + (1,) * (array.ndim - 1)), np.nan, array)
                    for name, array in sampled.items()}
        nearest = _nearest_ids(np.column_stack([points, np.zeros(len(points))]),
                               np.column_stack([query[missing], np.zeros(int(missing.sum()))]))
        for name, array in sampled.items():
            array[missing] = np.asarray(values[name], np.float64)[nearest]
        return sampled
    for name, array in sampled.items():
        array[missing] = float(fill)
    return sampled


def _values(surface: _Surface, arrays: ArraysLike, reserved: Sequence[str]) -> Dict[str, np.ndarray]:
    """The point arrays to map, as float64 (N,) or (N, k)."""
    count = len(surface.points)
    if isinstance(arrays, str):
        arrays = [arrays]
    if isinstance(arrays, Mapping):
        chosen = dict(arrays)
    else:
        chosen = {}
        for name in arrays:
            if name not in surface.point_data:
                raise ArrayDictError(
                    f"surface['PointData']: has no array {name!r} (it has {sorted(surface.point_data)})")
            chosen[name] = surface.point_data[name]
    values = {}
    for name, array in chosen.items():
        array = np.asarray(array)
        if array.dtype.kind not in "biuf" or len(array) != count or array.ndim > 2:
            raise ArrayDictError(f"arrays[{name!r}]: expected {count} numbers (or rows) per point, found "
                                 f"{array.dtype} {array.shape}")
        if name in reserved:
            raise ArrayDictError(f"arrays: {name!r} is the name of a channel every map has; rename the array")
        values[name] = array.astype(np.float64)
    if not values:
        raise ArrayDictError("arrays: name at least one point data array to map")
    return values


def _map_dict(shape: Tuple[int, int], origin: Tuple[float, float], spacing: Tuple[float, float],
              channels: Mapping[str, np.ndarray], index_order: str, field_data: Mapping[str, np.ndarray],
              active: str) -> Dict[str, Any]:
    """A 2-D image dict (x, y) from flat channels in VTK order (x fastest)."""
    from .convert.image import dict_from_array

    def grid(values: np.ndarray) -> np.ndarray:
        zyx = values.reshape((1, shape[1], shape[0]) + values.shape[1:])
        return zyx if index_order == "zyx" else zyx.transpose((2, 1, 0) + tuple(range(3, zyx.ndim)))

    names = list(channels)
    image = dict_from_array(grid(channels[active]), spacing=(spacing[0], spacing[1], 1.0),
                            origin=(origin[0], origin[1], 0.0), index_order=index_order, name=active)
    for name in names:
        image["PointData"][name] = grid(channels[name])
    image["PointData"] = {name: image["PointData"][name] for name in names}
    image["FieldData"] = {name: np.asarray(values) for name, values in field_data.items()}
    return image


# --- vessel maps -------------------------------------------------------------------------


def vessel_map(
    surface: Any,
    arrays: ArraysLike,
    centerlines: Any = None,
    *,
    coordinates: Optional[Mapping[str, np.ndarray]] = None,
    abscissa_spacing: Optional[float] = None,
    angle_count: int = 180,
    abscissa_range: Optional[Tuple[float, float]] = None,
    fill: Union[str, float] = "nearest",
    branch_array: Optional[str] = "GroupIds",
    abscissas_array: Optional[str] = None,
    normals_array: Optional[str] = None,
    radius_array: Optional[str] = "MaximumInscribedSphereRadius",
    include_bifurcations: bool = True,
    overlap_tolerance: float = 0.1,
    index_order: str = "xyz",
) -> Dict[int, Dict[str, Any]]:
    """Point data resampled onto a regular (abscissa x angle) grid, one 2-D image ArrayDict per branch.

    Parameters
    ----------
    surface : vtkPolyData or mapping
        The vessel wall.
    arrays : str, sequence of str, or mapping
        The point data arrays to map (names of the surface's arrays, or
        ``{name: (N,) or (N, k) values}``); each becomes a float64 channel.
    centerlines : vtkPolyData or mapping, optional
        The centerlines to map along (see :func:`vessel_coordinates`). For
        centerlines not split into branches, whose lines share a trunk
        (``vmtkcenterlines`` gives one line per outlet), each line gets a map
        of every point no farther from it than ``1 + overlap_tolerance`` times
        the point's distance to the nearest line: the shared trunk is on both.
    coordinates : mapping, optional
        Instead of ``centerlines``: a dict as :func:`vessel_coordinates`
        gives (``AbscissaMetric``, ``AngularMetric`` in radians, and
        ``BranchIds``). With neither, the surface's own ``AbscissaMetric`` and
        ``AngularMetric`` arrays (from ``vmtkbranchmetrics``) are used.
    abscissa_spacing : float, optional
        Pixel size along the centerline (mm); default: the median edge length
        of the surface's triangles. Pixel centres are whole multiples of it,
        from the last at or below the branch's smallest abscissa to the first
        at or above its largest.
    angle_count : int
        Pixels around the vessel: 360 / ``angle_count`` degrees each,
        centred from ``-180 + half a pixel``.
    abscissa_range : (float, float), optional
        The abscissas to cover (mm); default: the branch's points' range.
    fill : "nearest" or float
        The value of pixels no triangle covers (beyond the open ends, in
        gaps): the nearest point's (default), or this number (e.g. NaN).
    branch_array, abscissas_array, normals_array, radius_array, include_bifurcations
        As in :func:`vessel_coordinates`.
    overlap_tolerance : float
        See ``centerlines``.
    index_order : {"xyz", "zyx"}
        The maps' arrays: ``(n_abscissa, n_angle, 1)`` or ``(1, n_angle,
        n_abscissa)``.

    Returns
    -------
    dict
        ``{branch id: image ArrayDict}``; each map's ``Origin`` is ``(first
        abscissa, first angle, 0)``, its ``Spacing`` ``(mm, degrees, 1)``,
        its channels the arrays and ``Coverage`` (uint8: 1 interpolated, 0
        filled), and its ``FieldData`` ``BranchId``.

    Raises
    ------
    ArrayDictError
        For missing arrays or coordinates, or inputs of the wrong kind.
    ValueError
        For a non-positive spacing or count, or an unknown ``fill``.

    Examples
    --------
    >>> from vmtkscripts_numpy.sample_data import make_vessel_surface, make_centerlines
    >>> maps = vessel_map(make_vessel_surface(), "WallShearStress", make_centerlines(), abscissa_spacing=0.5,
    ...                   angle_count=72)
    >>> sorted(maps), maps[0]["PointData"]["WallShearStress"].shape, maps[0]["Spacing"].tolist()
    ([0, 1, 2], (21, 72, 1), [0.5, 5.0, 1.0])
    """
    if index_order not in ("xyz", "zyx"):
        raise ValueError(f"index_order: expected 'xyz' or 'zyx', found {index_order!r}")
    if int(angle_count) != angle_count or angle_count < 1:
        raise ValueError(f"angle_count: expected a positive integer, found {angle_count!r}")
    mesh = _surface(surface)
    values = _values(mesh, arrays, (COVERAGE,))
    if centerlines is not None:
        branches, _ = _centerline_branches(mesh, centerlines, branch_array, abscissas_array, normals_array,
                                           radius_array, include_bifurcations, float(overlap_tolerance))
    else:
        given = coordinates if coordinates is not None else _surface_coordinates(mesh, branch_array, ABSCISSA, ANGLE)
        branches = _branches_of(given, len(mesh.points))
    if abscissa_spacing is None:
        edges = mesh.points[mesh.triangles] - mesh.points[np.roll(mesh.triangles, 1, axis=1)]
        abscissa_spacing = float(np.median(np.linalg.norm(edges, axis=2))) if len(edges) else 1.0
    if not (math.isfinite(abscissa_spacing) and abscissa_spacing > 0):
        raise ValueError(f"abscissa_spacing: expected a positive number, found {abscissa_spacing!r}")
    maps = {}
    for branch in branches:
        finite = np.isfinite(branch.abscissa) & np.isfinite(branch.angle)
        if not finite.any():
            continue
        maps[branch.branch] = _branch_map(mesh, values, branch, finite, float(abscissa_spacing), int(angle_count),
                                          abscissa_range, fill, index_order)
    return maps


def _branches_of(coordinates: Mapping[str, np.ndarray], count: int) -> List[_Branch]:
    for name in (ABSCISSA, ANGLE):
        if name not in coordinates:
            raise ArrayDictError(f"coordinates: has no {name!r} (it has {sorted(coordinates)})")
    abscissa = np.asarray(coordinates[ABSCISSA], np.float64).reshape(-1)
    angle = np.asarray(coordinates[ANGLE], np.float64).reshape(-1)
    ids = np.asarray(coordinates.get(BRANCH, np.zeros(count, np.int64))).reshape(-1).astype(np.int64)
    distance = np.asarray(coordinates.get(DISTANCE, np.full(count, np.nan)), np.float64).reshape(-1)
    for name, array in ((ABSCISSA, abscissa), (ANGLE, angle), (BRANCH, ids), (DISTANCE, distance)):
        if len(array) != count:
            raise ArrayDictError(f"coordinates[{name!r}]: expected {count} values, one per point, found {len(array)}")
    branches = []
    for branch in np.unique(ids[ids >= 0]):
        members = np.flatnonzero(ids == branch)
        branches.append(_Branch(int(branch), members, abscissa[members], angle[members], distance[members]))
    return branches


def _seam_triangles(triangles: np.ndarray, degrees: np.ndarray, count: int) -> Tuple[np.ndarray, np.ndarray]:
    """Triangles over (abscissa, angle) points, those across the +-180 seam twice (shifted by +-360).

    Returns the triangles (indices into the points followed by new copies) and, for each new copy,
    ``(point index, shift in degrees)``.
    """
    angles = degrees[triangles]
    across = (angles.max(axis=1) - angles.min(axis=1)) > 180.0
    seam = triangles[across]
    plain = triangles[~across]
    if not len(seam):
        return plain, np.zeros((0, 2))
    # Unwrap each seam triangle above +180 (negative angles + 360), and a copy below -180 (positive - 360).
    up = np.where(degrees[seam] < 0, 360.0, 0.0)
    down = np.where(degrees[seam] > 0, -360.0, 0.0)
    copies = np.concatenate([np.column_stack([seam.ravel(), up.ravel()]),
                             np.column_stack([seam.ravel(), down.ravel()])])
    new = count + np.arange(len(copies)).reshape(-1, 3)
    return np.vstack([plain, new]), copies


def _branch_map(mesh: _Surface, values: Mapping[str, np.ndarray], branch: _Branch, finite: np.ndarray,
                spacing: float, angle_count: int, abscissa_range: Optional[Tuple[float, float]],
                fill: Union[str, float], index_order: str) -> Dict[str, Any]:
    members = branch.point_ids[finite]
    abscissa, degrees = branch.abscissa[finite], np.degrees(branch.angle[finite])
    local = np.full(len(mesh.points), -1, dtype=np.int64)
    local[members] = np.arange(len(members))
    triangles = local[mesh.triangles]
    triangles = triangles[np.all(triangles >= 0, axis=1)]
    triangles, copies = _seam_triangles(triangles, degrees, len(members))
    copied = copies[:, 0].astype(np.int64)
    layout = np.concatenate([np.column_stack([abscissa, degrees]),
                             np.column_stack([abscissa[copied], degrees[copied] + copies[:, 1]])])
    member_values = {name: array[members] for name, array in values.items()}
    laid_values = {name: np.concatenate([array, array[copied]]) for name, array in member_values.items()}

    low, high = (float(abscissa.min()), float(abscissa.max())) if abscissa_range is None else map(float,
                                                                                                  abscissa_range)
    # Whole multiples of the spacing, from the last at or below the first abscissa to the first at or above the last.
    first = math.floor(low / spacing + 1e-9)
    last = max(first, math.ceil(high / spacing - 1e-9))
    columns = np.arange(first, last + 1) * spacing
    step = 360.0 / angle_count
    rows = -180.0 + (np.arange(angle_count) + 0.5) * step
    query = np.column_stack([np.tile(columns, angle_count), np.repeat(rows, len(columns))])  # x fastest
    sampled, valid = _rasterized(layout, triangles, laid_values, columns, rows)
    # Nearest: distances around the vessel in mm at its typical radius, across the seam too.
    radius = float(np.nanmedian(branch.distance)) if np.any(np.isfinite(branch.distance)) else 1.0
    scale = np.radians(1.0) * (radius if radius > 0 else 1.0)
    wrapped = np.concatenate([np.column_stack([abscissa, (degrees + shift) * scale]) for shift in (0, 360, -360)])
    wrapped_values = {name: np.concatenate([array] * 3) for name, array in member_values.items()}
    scaled_query = np.column_stack([query[:, 0], query[:, 1] * scale])
    sampled = _filled(sampled, valid, wrapped, wrapped_values, scaled_query, fill)
    sampled[COVERAGE] = valid.astype(np.uint8)
    return _map_dict((len(columns), angle_count), (float(columns[0]), float(rows[0])), (spacing, step), sampled,
                     index_order, {"BranchId": np.array([branch.branch], np.int64)}, next(iter(values)))


def vessel_map_to_surface(
    maps: Mapping[Any, Any],
    coordinates: Mapping[str, np.ndarray],
    array: Optional[str] = None,
) -> np.ndarray:
    """A map's values at each surface point: the inverse of :func:`vessel_map` (paint a grid onto the wall).

    Parameters
    ----------
    maps : mapping
        One map (an image ArrayDict from :func:`vessel_map`, or any grid with
        the same placement: x abscissa in mm, y angle in degrees), used for
        every point; or ``{branch id: map}``, each point taking its branch's.
    coordinates : mapping
        The points' ``AbscissaMetric``, ``AngularMetric`` (radians) and, for
        several maps, ``BranchIds``, as :func:`vessel_coordinates` gives them.
    array : str, optional
        The map channel to sample; default: the map's active scalars.

    Returns
    -------
    ndarray
        (N,) or (N, k) float64: bilinear in the grid, wrapping around at
        +-180 degrees, clamped at the first and last abscissa; NaN for points
        without a map or coordinates.

    Examples
    --------
    >>> from vmtkscripts_numpy.sample_data import make_vessel_surface, make_centerlines
    >>> surface, centerlines = make_vessel_surface(), make_centerlines()
    >>> maps = vessel_map(surface, "WallShearStress", centerlines, abscissa_spacing=0.25, angle_count=240)
    >>> painted = vessel_map_to_surface(maps, vessel_coordinates(surface, centerlines))
    >>> from vmtkscripts_numpy.convert.polydata import polydata_to_dict
    >>> original = polydata_to_dict(surface)["PointData"]["WallShearStress"]
    >>> bool(np.abs(painted - original).max() < 0.02 * np.ptp(original))
    True
    """
    abscissa = np.asarray(coordinates[ABSCISSA], np.float64).reshape(-1)
    degrees = np.degrees(np.asarray(coordinates[ANGLE], np.float64).reshape(-1))
    single = "Origin" in maps
    ids = np.zeros(len(abscissa), np.int64) if single else np.asarray(
        coordinates.get(BRANCH, np.zeros(len(abscissa), np.int64))).reshape(-1).astype(np.int64)
    result: Optional[np.ndarray] = None
    for branch, grid_map in ([(0, maps)] if single else maps.items()):
        name = array or grid_map.get("ActiveArrays", {}).get("PointData", {}).get("Scalars") or next(
            iter(grid_map["PointData"]))
        if name not in grid_map["PointData"]:
            raise ArrayDictError(f"maps[{branch!r}]['PointData']: has no {name!r}")
        grid = np.asarray(grid_map["PointData"][name], np.float64)
        if grid_map.get("IndexOrder", "xyz") == "zyx":
            grid = grid.transpose((2, 1, 0) + tuple(range(3, grid.ndim)))
        grid = grid[:, :, 0]
        if result is None:
            result = np.full((len(abscissa),) + grid.shape[2:], np.nan)
        members = np.flatnonzero((ids == int(branch)) & np.isfinite(abscissa) & np.isfinite(degrees))
        origin, spacing = np.asarray(grid_map["Origin"], np.float64), np.asarray(grid_map["Spacing"], np.float64)
        columns, rows = grid.shape[:2]
        x = np.clip((abscissa[members] - origin[0]) / spacing[0], 0, columns - 1)
        y = (degrees[members] - origin[1]) / spacing[1]
        x0 = np.minimum(np.floor(x).astype(np.int64), max(columns - 2, 0))
        y0 = np.floor(y).astype(np.int64)
        wx, wy = x - x0, y - y0
        x1 = np.minimum(x0 + 1, columns - 1)
        y0, y1 = y0 % rows, (y0 + 1) % rows
        shape = (-1,) + (1,) * (grid.ndim - 2)
        wx, wy = wx.reshape(shape), wy.reshape(shape)
        result[members] = ((1 - wx) * (1 - wy) * grid[x0, y0] + wx * (1 - wy) * grid[x1, y0]
                           + (1 - wx) * wy * grid[x0, y1] + wx * wy * grid[x1, y1])
    if result is None:
        raise ArrayDictError("maps: is empty")
    return result


# --- spherical maps ------------------------------------------------------------------------


def spherical_map(
    surface: Any,
    arrays: ArraysLike,
    *,
    shape: Tuple[int, int] = (256, 128),
    center: Optional[Sequence[float]] = None,
    align: bool = True,
    projection: str = "equirectangular",
    latitude_limit: float = 80.0,
    seam_width: float = 30.0,
    index_order: str = "xyz",
) -> Dict[str, Any]:
    """Point data on a sphere around the surface's centre, unrolled onto a longitude x latitude grid.

    Parameters
    ----------
    surface : vtkPolyData or mapping
    arrays : str, sequence of str, or mapping
        The point data arrays to map (as in :func:`vessel_map`).
    shape : (int, int)
        Pixels along the longitude (x) and the latitude (y).
    center : (3,) array_like, optional
        The centre; default: the points' centroid.
    align : bool
        Turn the points to their principal axes first (longest -> x, the
        longitude 0 on the equator; shortest -> the polar axis), each axis
        with a fixed sign and the frame right-handed, so the map does not
        depend on the scanner's frame and is never mirrored.
    projection : {"equirectangular", "mercator"}
        Rows evenly spaced in latitude, or in Mercator's ordinate
        ``ln(tan(pi/4 + latitude/2))`` (in degrees, so the map is conformal)
        up to +-``latitude_limit``.
    latitude_limit : float
        Mercator only: the latitude of the first and last rows' edges.
    seam_width : float
        Points this many degrees from the +-180 seam are copied to its other
        side, so the interpolation crosses it.
    index_order : {"xyz", "zyx"}

    Returns
    -------
    dict
        A 2-D image ArrayDict: x longitude, y latitude (or Mercator ordinate),
        both in degrees from ``Origin`` with ``Spacing``; channels the arrays,
        ``Radius`` (the distance from the centre) and ``Coverage`` (uint8: 1
        inside the points' triangulation, 0 filled from the nearest point);
        ``FieldData`` ``Center`` and ``Axes`` (rows: the map's x, y, z).

    Examples
    --------
    >>> from vtkmodules.vtkFiltersSources import vtkSphereSource
    >>> source = vtkSphereSource(); source.SetThetaResolution(40); source.SetPhiResolution(20); _ = source.Update()
    >>> from vmtkscripts_numpy.convert.polydata import polydata_to_dict
    >>> sphere = polydata_to_dict(source.GetOutput())
    >>> flat = spherical_map(sphere, {"Height": sphere["Points"][:, 2]}, shape=(64, 32), align=False)
    >>> flat["Dimensions"].tolist(), flat["Spacing"].tolist(), round(float(flat["PointData"]["Radius"].mean()), 2)
    ([64, 32, 1], [5.625, 5.625, 1.0], 0.5)
    """
    if projection not in ("equirectangular", "mercator"):
        raise ValueError(f"projection: expected 'equirectangular' or 'mercator', found {projection!r}")
    if index_order not in ("xyz", "zyx"):
        raise ValueError(f"index_order: expected 'xyz' or 'zyx', found {index_order!r}")
    width, height = (int(count) for count in shape)
    if width < 1 or height < 1 or (width, height) != tuple(shape):
        raise ValueError(f"shape: expected two positive integers, found {shape!r}")
    mesh = _surface(surface)
    values = _values(mesh, arrays, (COVERAGE, "Radius"))
    points = mesh.points
    centre = points.mean(axis=0) if center is None else np.asarray(center, np.float64).reshape(3)
    centred = points - centre
    axes = np.eye(3)
    if align and len(points) >= 3:
        _, _, axes = np.linalg.svd(centred, full_matrices=False)
        axes = axes * np.sign(axes[np.arange(3), np.abs(axes).argmax(axis=1)])[:, None]
        axes[2] = np.cross(axes[0], axes[1])
    local = centred @ axes.T
    radius = np.linalg.norm(local, axis=1)
    longitude = np.degrees(np.arctan2(local[:, 1], local[:, 0]))
    latitude = np.degrees(np.arcsin(np.clip(local[:, 2] / np.where(radius > 0, radius, 1.0), -1.0, 1.0)))
    channels = {**values, "Radius": radius}

    seam = np.abs(longitude) > 180.0 - seam_width
    lon = np.concatenate([longitude, longitude[seam] - 360.0 * np.sign(longitude[seam])])
    lat = np.concatenate([latitude, latitude[seam]])
    wrapped = {name: np.concatenate([array, array[seam]]) for name, array in channels.items()}
    layout = np.column_stack([lon, lat])

    lon_step = 360.0 / width
    columns = -180.0 + (np.arange(width) + 0.5) * lon_step
    if projection == "equirectangular":
        y_step = 180.0 / height
        y_rows = -90.0 + (np.arange(height) + 0.5) * y_step
        row_latitudes = y_rows
    else:
        top = np.degrees(np.log(np.tan(np.pi / 4 + np.radians(latitude_limit) / 2)))
        y_step = 2 * top / height
        y_rows = -top + (np.arange(height) + 0.5) * y_step
        row_latitudes = np.degrees(2 * np.arctan(np.exp(np.radians(y_rows))) - np.pi / 2)
    query = np.column_stack([np.tile(columns, height), np.repeat(row_latitudes, width)])
    triangles = _delaunay(layout)
    sampled, valid = _rasterized(layout, triangles, wrapped, columns, row_latitudes)
    sampled = _filled(sampled, valid, layout, wrapped, query, "nearest")
    sampled[COVERAGE] = valid.astype(np.uint8)
    return _map_dict((width, height), (float(columns[0]), float(y_rows[0])), (lon_step, y_step), sampled,
                     index_order, {"Center": centre, "Axes": axes}, next(iter(values)))


def _delaunay(layout: np.ndarray) -> np.ndarray:
    """The Delaunay triangles (T, 3) of points in the plane (n, 2), VTK's ``vtkDelaunay2D``."""
    from vtkmodules.vtkFiltersCore import vtkDelaunay2D

    from .convert.cells import cell_array_to_numpy

    delaunay = vtkDelaunay2D()
    delaunay.SetInputData(_flat_points(layout))
    delaunay.SetTolerance(1e-12)
    # Far bounding points: with VTK's default (1) the long thin triangles along the convex hull are lost.
    delaunay.SetOffset(1000.0)
    delaunay.Update()
    offsets, connectivity = cell_array_to_numpy(delaunay.GetOutput().GetPolys())
    return np.asarray(connectivity, np.int64).reshape(-1, 3)
