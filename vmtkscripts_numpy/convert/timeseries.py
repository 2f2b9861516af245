"""Time-series ArrayDicts: one geometry (surface, centerlines, mesh or image) and arrays with one row per time.

A *time-series ArrayDict* is an ArrayDict of any kind — the geometry and the
arrays that do not change — plus one section, ``TimeSeries`` (the layout's
:data:`~vmtkscripts_numpy.convert.layout.TIME_SERIES_KEY`):

- ``TimeSeries['Times']``: the times, float64 ``(T,)``, finite and strictly increasing;
- ``TimeSeries['PointData'][name]``: ``(T, N)`` or ``(T, N, k)``, the values of
  a point data array at every time (for an image, ``(T, *grid)`` or
  ``(T, *grid, k)``, the grid shaped as its static arrays are);
- ``TimeSeries['CellData'][name]``: ``(T, M)`` or ``(T, M, k)``, the same for cell data;
- ``TimeSeries['Points']`` (optional, not for images): ``(T, N, 3)``, points that move.

This module builds, checks and slices them; their files are written by
:mod:`vmtkscripts_numpy.vtkfiles.pvd` (ParaView collections) and
:mod:`vmtkscripts_numpy.vtkfiles.vtkhdf_series` (one transient VTKHDF file).
All are offered together by :mod:`vmtkscripts_numpy.timeseries`.

Examples
--------
>>> import numpy as np
>>> from vmtkscripts_numpy.sample_data import make_vessel_surface
>>> series = time_series_dict(make_vessel_surface(), [0.0, 0.1], {"Pressure": np.zeros((2, 960))})
>>> time_step(series, 1)["PointData"]["Pressure"].shape
(960,)
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple

import numpy as np

from ..errors import ArrayDictError
from . import layout
from .layout import TIME_SERIES_KEY
from .validate import integer_array, key_path, numeric_array

#: The data sections that may change over time.
SECTIONS: Tuple[str, ...] = ("PointData", "CellData")

# --- building and checking -------------------------------------------------------


def time_series_dict(
    surface: Any,
    times: Any,
    point_data: Optional[Mapping[str, Any]] = None,
    cell_data: Optional[Mapping[str, Any]] = None,
    points: Any = None,
) -> Dict[str, Any]:
    """A time-series ArrayDict: a geometry and arrays that have one row per time.

    Parameters
    ----------
    surface : vtkPolyData, vtkUnstructuredGrid, vtkImageData or dict
        The geometry, as a VTK object (converted by its kind's converter:
        :func:`~vmtkscripts_numpy.convert.polydata.polydata_to_dict`,
        ``mesh_to_dict``, ``image_to_dict``) or as a surface, centerline,
        mesh or image ArrayDict (used as it is, not copied). Its own point
        and cell data are the arrays that do not change.
    times : array_like, shape (T,)
        The times, finite and strictly increasing; stored as float64.
    point_data : dict, optional
        ``{name: (T, N) or (T, N, k) array}``, one row per time.
    cell_data : dict, optional
        ``{name: (T, M) or (T, M, k) array}``, one row per time. For an
        image, point and cell arrays are ``(T, *grid[, k])``: each row shaped
        like the image's static arrays.
    points : array_like, shape (T, N, 3), optional
        Points that move (a beating vessel): row ``t`` replaces ``Points`` at
        ``Times[t]``; the cells stay. Not for images.

    Returns
    -------
    dict
        The geometry's keys and ``TimeSeries`` (``Times``, ``PointData``,
        ``CellData``, and ``Points`` when given). The arrays are the ones
        given, not copies.

    Raises
    ------
    ArrayDictError
        Naming the key, for a geometry of no known kind, times that are not
        finite and increasing, arrays whose first axes are not ``(T, N)`` /
        ``(T, M)``, non-numeric arrays, or a name that is also one of the
        geometry's arrays.

    Examples
    --------
    >>> import numpy as np
    >>> from vmtkscripts_numpy.sample_data import make_vessel_surface
    >>> series = time_series_dict(make_vessel_surface(), [0.0, 0.5], {"Pressure": np.zeros((2, 960))})
    >>> series["TimeSeries"]["Times"], series["Points"].shape
    (array([0. , 0.5]), (960, 3))
    """
    base = dict(surface) if isinstance(surface, Mapping) else layout.to_dict(surface, _vtk_kind(surface))
    base.pop(TIME_SERIES_KEY, None)
    base[TIME_SERIES_KEY] = {
        "Times": numeric_array(times, key_path("ArrayDict", TIME_SERIES_KEY, "Times")).astype(np.float64),
        "PointData": dict(point_data or {}),
        "CellData": dict(cell_data or {}),
    }
    if points is not None:
        base[TIME_SERIES_KEY]["Points"] = points
    check_time_series(base)
    return base


#: The ArrayDict kind of each VTK class a time series' geometry may be.
_KIND_OF_CLASS = {"vtkPolyData": "surface", "vtkUnstructuredGrid": "mesh", "vtkImageData": "image"}


def _vtk_kind(data: Any) -> str:
    """The kind of a VTK object given as a geometry, or an ArrayDictError naming what it is."""
    for vtk_class, kind in _KIND_OF_CLASS.items():
        if hasattr(data, "IsA") and data.IsA(vtk_class):
            return kind
    raise ArrayDictError(
        f"surface: expected a vtkPolyData, vtkUnstructuredGrid, vtkImageData or an ArrayDict, "
        f"found {type(data).__name__}"
    )


def geometry_kind(series: Mapping[str, Any]) -> str:
    """The kind of a time series' geometry: ``surface``, ``centerlines``, ``mesh`` or ``image``.

    Raises
    ------
    ArrayDictError
        For a dict that is no kind of geometry (neither ``Points`` nor
        ``Dimensions``), naming the keys it has.

    Examples
    --------
    >>> import numpy as np
    >>> geometry_kind({"Origin": np.zeros(3), "Dimensions": np.ones(3, int), "Spacing": np.ones(3)})
    'image'
    """
    kind = layout.guess_kind(series)
    if kind == "unknown":
        keys = sorted(str(key) for key in series if key != TIME_SERIES_KEY)
        raise ArrayDictError(
            "ArrayDict: a time series needs a geometry: Points (a surface, centerlines or a mesh) or "
            f"Dimensions (an image); found only the keys {keys}"
        )
    return kind


def stack_time_steps(arrays_by_time: Mapping[float, Mapping[str, Any]]) -> Tuple[np.ndarray, Dict[str, np.ndarray]]:
    """``{time: {name: (N,) array}}`` as sorted times ``(T,)`` and ``{name: (T, N) array}``.

    For data that comes one step at a time (one file per step of a
    simulation, say); the result is what :func:`time_series_dict` takes.

    Raises
    ------
    ArrayDictError
        If the steps do not all have the same array names, or one name has
        different shapes or non-numeric values at different times (the
        message names the time and the array).

    Examples
    --------
    >>> import numpy as np
    >>> times, arrays = stack_time_steps({0.2: {"p": np.ones(4)}, 0.1: {"p": np.zeros(4)}})
    >>> times, arrays["p"][:, 0]
    (array([0.1, 0.2]), array([0., 1.]))
    """
    if not isinstance(arrays_by_time, Mapping) or not arrays_by_time:
        raise ArrayDictError("arrays_by_time: expected a non-empty dict {time: {name: array}}")
    try:
        order = sorted(arrays_by_time, key=float)
    except (TypeError, ValueError):
        raise ArrayDictError(
            f"arrays_by_time: the keys must be times (numbers), found {list(arrays_by_time)[:5]}"
        ) from None
    first = order[0]
    names = list(arrays_by_time[first])
    stacked: Dict[str, np.ndarray] = {}
    for name in names:
        steps: List[np.ndarray] = []
        for time in order:
            step = arrays_by_time[time]
            where = f"arrays_by_time[{time!r}]"
            if set(step) != set(names):
                raise ArrayDictError(
                    f"{where}: has arrays {sorted(step)}, but the step at time {first!r} has {sorted(names)}"
                )
            values = numeric_array(step[name], key_path(where, name), allow_bool=True)
            if steps and values.shape != steps[0].shape:
                raise ArrayDictError(
                    f"{key_path(where, name)}: shape {values.shape}, but {steps[0].shape} at time {first!r}"
                )
            steps.append(values)
        stacked[name] = np.stack(steps)
    return np.array([float(time) for time in order], dtype=np.float64), stacked


def check_time_series(series: Mapping[str, Any]) -> Tuple[np.ndarray, Dict[str, Dict[str, np.ndarray]]]:
    """Check a time-series ArrayDict; return its times and ``{section: {name: array}}``.

    Only the ``TimeSeries`` section and its agreement with the geometry are
    checked here (the geometry itself is checked when it is converted).
    Moving points, when there are, are not in the result: they are
    ``series['TimeSeries']['Points']``.

    Raises
    ------
    ArrayDictError
        Naming the key: a dict that is no kind of geometry; a missing
        ``TimeSeries`` or ``Times``; times not 1-D, not finite or not
        strictly increasing; an unknown section; an array that is not
        numeric, whose first axis is not ``T`` or whose next ones are not the
        number of points (cells) or, for an image, its grid; moving points
        not ``(T, N, 3)`` floats, or given for an image; a name that is also
        a static array of the same section.
    """
    where = key_path("ArrayDict", TIME_SERIES_KEY)
    if not isinstance(series, Mapping):
        raise ArrayDictError(f"ArrayDict: expected a dict, found {type(series).__name__}")
    section = series.get(TIME_SERIES_KEY)
    if not isinstance(section, Mapping):
        if section is None:
            kind = layout.guess_kind(series)
            what = f"a {kind} ArrayDict" if kind != "unknown" else "an ArrayDict of no kind"
            raise ArrayDictError(f"{where}: missing: this is {what}, not a time series; make one with "
                                 "time_series_dict(geometry, times, point_data, cell_data)")
        raise ArrayDictError(f"{where}: expected a dict with Times, PointData and CellData, "
                             f"found a {type(section).__name__}")
    unknown = sorted(str(key) for key in set(section) - {"Times", "Points", *SECTIONS})
    if unknown:
        raise ArrayDictError(f"{where}: unknown keys {unknown}; expected Times, PointData, CellData and Points")
    kind = geometry_kind(series)
    if "Times" not in section:
        raise ArrayDictError(f"{key_path(where, 'Times')}: missing")
    times = numeric_array(section["Times"], key_path(where, "Times"))
    if times.ndim != 1 or times.size == 0:
        raise ArrayDictError(f"{key_path(where, 'Times')}: expected a non-empty (T,) array, found shape {times.shape}")
    if not np.all(np.isfinite(times)):
        raise ArrayDictError(f"{key_path(where, 'Times')}: every time must be finite, found {times}")
    if np.any(np.diff(times) <= 0):
        step = int(np.argmax(np.diff(times) <= 0))
        raise ArrayDictError(
            f"{key_path(where, 'Times')}: times must be strictly increasing; "
            f"Times[{step}] = {times[step]!r} is followed by {times[step + 1]!r}"
        )
    grids = _grids(series, kind)
    if "Points" in section:
        _check_moving_points(section["Points"], times.size, grids["PointData"], kind)
    arrays: Dict[str, Dict[str, np.ndarray]] = {}
    for name in SECTIONS:
        entries = section.get(name, {})
        if not isinstance(entries, Mapping):
            raise ArrayDictError(f"{key_path(where, name)}: expected a dict of arrays, found {type(entries).__name__}")
        static = series.get(name, {})
        arrays[name] = {}
        for array_name, values in entries.items():
            array_where = key_path(where, name, array_name)
            if not isinstance(array_name, str) or not array_name:
                raise ArrayDictError(f"{key_path(where, name)}: array names must be non-empty strings, "
                                     f"found {array_name!r}")
            values = numeric_array(values, array_where, allow_bool=True)
            expected = (times.size, *grids[name])
            rank = len(expected)
            if values.ndim not in (rank, rank + 1) or values.shape[:rank] != expected or 0 in values.shape[rank:]:
                element = {"PointData": "points", "CellData": "cells"}[name]
                if kind == "image":
                    element = {"PointData": "*grid", "CellData": "*cell grid"}[name]
                raise ArrayDictError(
                    f"{array_where}: expected shape (T, {element}) = {expected} or (T, {element}, k), "
                    f"found {values.shape}"
                )
            if isinstance(static, Mapping) and array_name in static:
                raise ArrayDictError(
                    f"{array_where}: {name!r} of the geometry has an array of the same name; "
                    "an array either changes over time or not"
                )
            arrays[name][array_name] = values
    return times, arrays


def _grids(series: Mapping[str, Any], kind: str) -> Dict[str, Tuple[int, ...]]:
    """The shape of one step of a point and of a cell array, less their components: ``(N,)``, ``(M,)`` or grids."""
    if kind == "image":
        dimensions = integer_array(series.get("Dimensions"), key_path("ArrayDict", "Dimensions"))
        if dimensions.shape != (3,) or np.any(dimensions < 1):
            raise ArrayDictError(f"ArrayDict['Dimensions']: expected 3 positive integers, found {dimensions}")
        # The grid in the order the image's arrays use, as its static arrays are shaped.
        order = series.get("IndexOrder", "xyz")
        points = tuple(int(d) for d in (dimensions[::-1] if order == "zyx" else dimensions))
        cells = tuple(max(d - 1, 1) for d in points)
        return {"PointData": points, "CellData": cells}
    return {"PointData": (_number_of_points(series),), "CellData": (_number_of_cells(series, kind),)}


def _number_of_points(series: Mapping[str, Any]) -> int:
    points = np.asarray(series.get("Points", np.empty((0, 3))))
    if points.ndim != 2:
        raise ArrayDictError(f"ArrayDict['Points']: expected shape (N, 3), found {points.shape}")
    return int(points.shape[0])


def _number_of_cells(series: Mapping[str, Any], kind: str) -> int:
    if kind == "mesh":
        types = series["Cells"].get("CellTypes")
        if types is None:
            raise ArrayDictError("ArrayDict['Cells']['CellTypes']: missing")
        return len(types)
    cell_data = series.get("CellData")
    ids = cell_data.get("CellPointIds") if isinstance(cell_data, Mapping) else None
    if ids is None:
        raise ArrayDictError("ArrayDict['CellData']['CellPointIds']: missing")
    # An (M, k) array or a list of M cells: M either way.
    return len(ids)


def _check_moving_points(points: Any, steps: int, grid: Tuple[int, ...], kind: str) -> None:
    where = key_path("ArrayDict", TIME_SERIES_KEY, "Points")
    if kind == "image":
        raise ArrayDictError(f"{where}: an image's points do not move (its grid is Origin, Spacing, Direction)")
    values = numeric_array(points, where)
    expected = (steps, grid[0], 3)
    if values.shape != expected or values.dtype.kind != "f":
        raise ArrayDictError(f"{where}: expected floats of shape (T, N, 3) = {expected}, "
                             f"found {values.dtype} {values.shape}")


def time_step(series: Mapping[str, Any], step: int) -> Dict[str, Any]:
    """The ArrayDict of one step: the geometry, its arrays and the step's rows.

    Parameters
    ----------
    series : dict
        A time-series ArrayDict.
    step : int
        The index into ``Times`` (negative counts from the end).

    Returns
    -------
    dict
        An ArrayDict of the geometry's kind without ``TimeSeries``, ready for
        its converter (:func:`~vmtkscripts_numpy.convert.polydata.dict_to_polydata`,
        ``dict_to_mesh``, ``dict_to_image``); the step's arrays (and moving
        points) are views of the series' rows, the rest is shared.

    Raises
    ------
    ArrayDictError
        For a bad series (see :func:`check_time_series`) or a step out of range
        (the message names ``Times``).
    """
    times, arrays = check_time_series(series)
    if not isinstance(step, (int, np.integer)) or not -times.size <= step < times.size:
        raise ArrayDictError(
            f"{key_path('ArrayDict', TIME_SERIES_KEY, 'Times')}: step {step!r} is out of range "
            f"for {times.size} times"
        )
    surface = {key: value for key, value in series.items() if key != TIME_SERIES_KEY}
    if "Points" in series[TIME_SERIES_KEY]:
        surface["Points"] = np.asarray(series[TIME_SERIES_KEY]["Points"])[step]
    for section in SECTIONS:
        static = surface.get(section, {})
        # CellPointIds first, as every surface dict of the package has it: vmtk drops cell arrays before it.
        first = {"CellPointIds": static["CellPointIds"]} if "CellPointIds" in static else {}
        surface[section] = {**first, **static, **{name: values[step] for name, values in arrays[section].items()}}
    return surface


__all__ = ["SECTIONS", "TIME_SERIES_KEY", "time_series_dict", "stack_time_steps", "check_time_series", "time_step",
           "geometry_kind"]
