"""Data that changes over time on one surface: one ArrayDict, one HDF5 file, and a series ParaView plays.

A *time-series ArrayDict* is a surface (or centerline) ArrayDict — the
geometry and the arrays that do not change — plus one section, ``TimeSeries``:

- ``TimeSeries['Times']``: the times, float64 ``(T,)``, finite and strictly increasing;
- ``TimeSeries['PointData'][name]``: ``(T, N)`` or ``(T, N, k)``, the values of
  a point data array at every time;
- ``TimeSeries['CellData'][name]``: ``(T, M)`` or ``(T, M, k)``, the same for cell data.

Row ``t`` of every array belongs to ``Times[t]``. It is an ordinary nested dict
of arrays, so :func:`vmtkscripts_numpy.write_array_dict` stores it in one HDF5
(or npz, or pickle) file and :func:`vmtkscripts_numpy.read_array_dict` gives
it back. The geometry is stored once, whatever the number of steps.

- :func:`time_series_dict` builds one from a surface and ``(T, N)`` arrays;
  :func:`stack_time_steps` turns ``{time: {name: (N,) array}}`` into those arrays;
- :func:`time_step` gives the surface ArrayDict of one step (views, no copies);
- :func:`write_pvd_series` writes a ParaView collection: ``name.pvd`` and one
  ``.vtp`` per step in the folder ``name/`` beside it;
- :func:`read_pvd_series` reads such a collection back into a time-series ArrayDict.

Examples
--------
>>> import numpy as np, tempfile
>>> from vmtkscripts_numpy.sample_data import make_vessel_surface
>>> surface = make_vessel_surface()                                  # 960 points
>>> times = np.array([0.0, 0.1, 0.2])
>>> pressure = np.linspace(0, 1, 3)[:, None] * np.ones(960)          # (T, N)
>>> series = time_series_dict(surface, times, point_data={"Pressure": pressure})
>>> time_step(series, 1)["PointData"]["Pressure"].shape
(960,)
>>> path = write_pvd_series(series, tempfile.mkdtemp(), "vessel")
>>> path.name, read_pvd_series(path)["TimeSeries"]["PointData"]["Pressure"].shape
('vessel.pvd', (3, 960))
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from ._atomic import atomic_output_with_data, writable_target
from .errors import ArrayDictError, DataFileError
from .convert.validate import key_path, numeric_array

PathLike = Union[str, "os.PathLike[str]"]

#: The key of the section that holds the times and the arrays that change with them.
TIME_SERIES_KEY = "TimeSeries"

#: The data sections that may change over time.
SECTIONS: Tuple[str, ...] = ("PointData", "CellData")

# --- building and checking -------------------------------------------------------


def time_series_dict(
    surface: Any,
    times: Any,
    point_data: Optional[Mapping[str, Any]] = None,
    cell_data: Optional[Mapping[str, Any]] = None,
) -> Dict[str, Any]:
    """A time-series ArrayDict: a surface and arrays that have one row per time.

    Parameters
    ----------
    surface : vtkPolyData or dict
        The geometry, as a ``vtkPolyData`` (converted with
        :func:`~vmtkscripts_numpy.convert.polydata.polydata_to_dict`) or as a
        surface or centerline ArrayDict (used as it is, not copied). Its own
        point and cell data are the arrays that do not change.
    times : array_like, shape (T,)
        The times, finite and strictly increasing; stored as float64.
    point_data : dict, optional
        ``{name: (T, N) or (T, N, k) array}``, one row per time.
    cell_data : dict, optional
        ``{name: (T, M) or (T, M, k) array}``, one row per time.

    Returns
    -------
    dict
        The surface's keys and ``TimeSeries`` (``Times``, ``PointData``,
        ``CellData``). The arrays are the ones given, not copies.

    Raises
    ------
    ArrayDictError
        Naming the key, for times that are not finite and increasing, arrays
        whose first axes are not ``(T, N)`` / ``(T, M)``, non-numeric arrays,
        or a name that is also one of the surface's arrays.

    Examples
    --------
    >>> import numpy as np
    >>> from vmtkscripts_numpy.sample_data import make_vessel_surface
    >>> series = time_series_dict(make_vessel_surface(), [0.0, 0.5], {"Pressure": np.zeros((2, 960))})
    >>> series["TimeSeries"]["Times"], series["Points"].shape
    (array([0. , 0.5]), (960, 3))
    """
    if isinstance(surface, Mapping):
        base = dict(surface)
    else:
        from .convert.polydata import polydata_to_dict

        base = polydata_to_dict(surface)
    base.pop(TIME_SERIES_KEY, None)
    base[TIME_SERIES_KEY] = {
        "Times": numeric_array(times, key_path("ArrayDict", TIME_SERIES_KEY, "Times")).astype(np.float64),
        "PointData": dict(point_data or {}),
        "CellData": dict(cell_data or {}),
    }
    check_time_series(base)
    return base


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
        steps = []
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

    Raises
    ------
    ArrayDictError
        Naming the key: a missing ``TimeSeries`` or ``Times``; times not 1-D,
        not finite or not strictly increasing; an unknown section; an array
        that is not numeric, whose first axis is not ``T`` or whose second is
        not the number of points (cells); a name that is also a static array
        of the same section.
    """
    where = key_path("ArrayDict", TIME_SERIES_KEY)
    if not isinstance(series, Mapping):
        raise ArrayDictError(f"ArrayDict: expected a dict, found {type(series).__name__}")
    section = series.get(TIME_SERIES_KEY)
    if not isinstance(section, Mapping):
        found = "missing" if section is None else f"a {type(section).__name__}"
        raise ArrayDictError(f"{where}: expected a dict with Times, PointData and CellData, found {found}")
    unknown = sorted(set(section) - {"Times", *SECTIONS})
    if unknown:
        raise ArrayDictError(f"{where}: unknown keys {unknown}; expected Times, PointData and CellData")
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
    counts = {"PointData": _number_of_points(series), "CellData": _number_of_cells(series)}
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
            expected = (times.size, counts[name])
            if values.ndim not in (2, 3) or values.shape[:2] != expected or 0 in values.shape[2:]:
                element = "point" if name == "PointData" else "cell"
                raise ArrayDictError(
                    f"{array_where}: expected shape (T, {element}s) = {expected} or (T, {element}s, k), "
                    f"found {values.shape}"
                )
            if isinstance(static, Mapping) and array_name in static:
                raise ArrayDictError(
                    f"{array_where}: {name!r} of the geometry has an array of the same name; "
                    "an array either changes over time or not"
                )
            arrays[name][array_name] = values
    return times, arrays


def _number_of_points(series: Mapping[str, Any]) -> int:
    points = np.asarray(series.get("Points", np.empty((0, 3))))
    if points.ndim != 2:
        raise ArrayDictError(f"ArrayDict['Points']: expected shape (N, 3), found {points.shape}")
    return int(points.shape[0])


def _number_of_cells(series: Mapping[str, Any]) -> int:
    cell_data = series.get("CellData")
    ids = cell_data.get("CellPointIds") if isinstance(cell_data, Mapping) else None
    if ids is None:
        raise ArrayDictError("ArrayDict['CellData']['CellPointIds']: missing")
    # An (M, k) array or a list of M cells: M either way.
    return len(ids)


def time_step(series: Mapping[str, Any], step: int) -> Dict[str, Any]:
    """The surface ArrayDict of one step: the geometry, its arrays and the step's rows.

    Parameters
    ----------
    series : dict
        A time-series ArrayDict.
    step : int
        The index into ``Times`` (negative counts from the end).

    Returns
    -------
    dict
        A surface (or centerline) ArrayDict without ``TimeSeries``, ready for
        :func:`~vmtkscripts_numpy.convert.polydata.dict_to_polydata`; the
        step's arrays are views of the series' rows, the rest is shared.

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
    for section in SECTIONS:
        static = surface.get(section, {})
        # CellPointIds first, as every surface dict of the package has it: vmtk drops cell arrays before it.
        first = {"CellPointIds": static["CellPointIds"]} if "CellPointIds" in static else {}
        surface[section] = {**first, **static, **{name: values[step] for name, values in arrays[section].items()}}
    return surface


# --- ParaView collections (.pvd) --------------------------------------------------


def _check_file_stem(name: str) -> str:
    """``name`` if it can name files in one folder and be written into XML: no separators, no control characters."""
    if (not isinstance(name, str) or not name or name in (".", "..")
            or any(c in "/\\" or ord(c) < 32 for c in name)):
        raise ValueError(
            f"name: expected a file name without folders or control characters (no '/', '\\'), found {name!r}"
        )
    return name


def _check_xml_names(series: Mapping[str, Any], arrays: Mapping[str, Mapping[str, Any]]) -> None:
    """Refuse array names a VTK XML file cannot hold: unreadable, or changed (before any step is written)."""
    from .vtkfiles._common import XML_NORMALIZED_CHARACTERS, XML_UNWRITABLE_CHARACTERS

    refused = XML_UNWRITABLE_CHARACTERS | XML_NORMALIZED_CHARACTERS
    for section in SECTIONS:
        static = series.get(section, {})
        where_by_name = {name: key_path("ArrayDict", section, name) for name in static if name != "CellPointIds"}
        where_by_name.update({name: key_path("ArrayDict", TIME_SERIES_KEY, section, name) for name in arrays[section]})
        for name, where in where_by_name.items():
            bad = sorted(refused.intersection(str(name)))
            if bad:
                raise ArrayDictError(
                    f"{where}: the name contains {', '.join(repr(c) for c in bad)}, which VTK XML files "
                    "cannot hold in array names; rename the array"
                )


def write_pvd_series(
    series: Mapping[str, Any], directory: PathLike, name: str = "series", *, mode: str = "binary"
) -> Path:
    """Write a time-series ArrayDict as a ParaView collection: ``name.pvd`` and one ``.vtp`` per step.

    The steps go to ``directory/name/name_0000.vtp``, ... (as many digits as
    needed); each holds the same geometry with that step's arrays and the
    arrays that do not change. ``directory/name.pvd`` lists them with their
    times; ParaView opens it as one dataset with a time axis.

    Parameters
    ----------
    series : dict
        A time-series ArrayDict (see :func:`time_series_dict`).
    directory : str or path-like
        Where to write (created if needed).
    name : str
        The collection's file name without extension, also the steps' prefix.
    mode : {"binary", "ascii"}
        How the ``.vtp`` files store their arrays.

    Returns
    -------
    pathlib.Path
        The ``.pvd`` file.

    Raises
    ------
    ArrayDictError
        For a bad series (see :func:`check_time_series`), naming the key, or an
        array name VTK XML cannot hold (``<``, ``>``, ``&``, ``"``, tabs, newlines).
    ValueError
        If ``name`` contains a folder separator.
    DataFileError
        If a file cannot be written. The collection and its steps are
        replaced as a whole: interrupted, the ``.pvd`` lists the old steps or
        the new ones, never some of each (see
        :func:`vmtkscripts_numpy._atomic.atomic_output_with_data`).

    Examples
    --------
    >>> import numpy as np, tempfile
    >>> from vmtkscripts_numpy.sample_data import make_vessel_surface
    >>> series = time_series_dict(make_vessel_surface(), [0.0, 1.0], {"p": np.zeros((2, 960))})
    >>> write_pvd_series(series, tempfile.mkdtemp(), "vessel").name
    'vessel.pvd'
    """
    from .convert.arrays import numpy_to_vtk
    from .convert.polydata import dict_to_polydata
    from .vtkfiles import write_surface

    times, arrays = check_time_series(series)
    _check_xml_names(series, arrays)
    name = _check_file_stem(name)
    directory = Path(directory)
    steps_folder = directory / name
    pvd = directory / f"{name}.pvd"
    if directory.is_dir():
        writable_target(pvd)  # a refused target changes nothing, not even the steps' folder
    try:
        steps_folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataFileError(steps_folder, f"cannot be created: {error.strerror or error}") from None

    geometry = {key: value for key, value in series.items() if key != TIME_SERIES_KEY}
    surface = dict_to_polydata(geometry)
    attributes = {"PointData": surface.GetPointData(), "CellData": surface.GetCellData()}
    digits = max(4, len(str(times.size - 1)))
    steps = []
    # The collection and its steps are replaced as a whole: ParaView never finds a collection
    # listing steps of another write.
    with atomic_output_with_data(pvd) as stage:
        for step, time in enumerate(times):
            # One surface, its arrays swapped in place: AddArray replaces the array of the same name.
            for section, section_arrays in arrays.items():
                for array_name, values in section_arrays.items():
                    where = key_path("ArrayDict", TIME_SERIES_KEY, section, array_name, step)
                    attributes[section].AddArray(numpy_to_vtk(values[step], array_name, where=where))
            step_file = f"{name}/{name}_{step:0{digits}d}.vtp"
            write_surface(surface, stage.data_path(step_file), mode=mode)
            steps.append((float(time), step_file))
        stage.index = lambda reference: _collection(steps, reference)
    return pvd


def _collection(steps: Sequence[Tuple[float, str]], reference: Callable[[str], str]) -> bytes:
    """The ``.pvd`` file listing ``(time, step file)``, each file named by ``reference(step file)``."""
    collection = ElementTree.Element("VTKFile", type="Collection", version="0.1", byte_order="LittleEndian")
    datasets = ElementTree.SubElement(collection, "Collection")
    for time, step_file in steps:
        ElementTree.SubElement(datasets, "DataSet", timestep=repr(time), group="", part="0", file=reference(step_file))
    ElementTree.indent(collection)
    return ElementTree.tostring(collection, encoding="utf-8", xml_declaration=True)


def _pvd_datasets(path: Path) -> Sequence[Tuple[float, Path]]:
    """``(time, file)`` of each dataset a ``.pvd`` lists, sorted by time."""
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as error:
        raise DataFileError(path, f"is not a well-formed XML file ({error})") from None
    except OSError as error:
        raise DataFileError(path, f"cannot be read: {error.strerror or error}") from None
    if root.tag != "VTKFile" or root.get("type") != "Collection" or root.find("Collection") is None:
        raise DataFileError(path, "is not a ParaView collection (<VTKFile type=\"Collection\"><Collection>)")
    entries = []
    for index, dataset in enumerate(root.find("Collection").iter("DataSet")):
        file_name, time_text = dataset.get("file"), dataset.get("timestep")
        if not file_name or time_text is None:
            raise DataFileError(path, f"DataSet {index} needs both a 'file' and a 'timestep' attribute")
        try:
            time = float(time_text)
        except ValueError:
            raise DataFileError(path, f"DataSet {index}: timestep {time_text!r} is not a number") from None
        entries.append((time, path.parent / file_name))
    if not entries:
        raise DataFileError(path, "lists no DataSet")
    entries.sort(key=lambda entry: entry[0])
    for (first, _), (second, _) in zip(entries, entries[1:]):
        if first == second:
            raise DataFileError(path, f"lists several datasets at time {first!r}; only one part per time is read")
    return entries


def read_pvd_series(path: PathLike, static: Optional[Sequence[str]] = None) -> Dict[str, Any]:
    """Read a ParaView collection of ``.vtp`` files on one geometry as a time-series ArrayDict.

    Parameters
    ----------
    path : str or path-like
        The ``.pvd`` file; the files it lists are read relative to its folder.
    static : sequence of str, optional
        Names of the arrays that do not change (read once, from the first
        step). By default: the arrays whose values are the same at every step
        (none when there is only one step). Every other array becomes a
        ``(T, ...)`` array in ``TimeSeries``.

    Returns
    -------
    dict
        A time-series ArrayDict (see :func:`time_series_dict`), times sorted.

    Raises
    ------
    DataFileError
        Naming the file: a ``.pvd`` that is not a collection, lists no file,
        two files at one time, a step file that cannot be read, or a step
        whose points, cells or array names differ from the first step's.
    ValueError
        If ``static`` names an array the files do not have.

    Examples
    --------
    >>> series = read_pvd_series("run/vessel.pvd")  # doctest: +SKIP
    >>> series["TimeSeries"]["Times"]  # doctest: +SKIP
    array([0. , 0.1, 0.2])
    """
    from .convert.polydata import polydata_to_dict
    from .vtkfiles import read_surface

    path = Path(path)
    entries = _pvd_datasets(path)
    surfaces = [read_surface(file) for _, file in entries]
    geometry = _geometry(surfaces[0])
    for (_, file), surface in zip(entries[1:], surfaces[1:]):
        if not all(np.array_equal(a, b) for a, b in zip(geometry, _geometry(surface))):
            raise DataFileError(file, f"has other points or cells than the first step ({entries[0][1].name}); "
                                      "a series must have one geometry")
    steps = [polydata_to_dict(surface, copy=False) for surface in surfaces]
    first = polydata_to_dict(surfaces[0])
    series = {key: value for key, value in first.items() if key not in SECTIONS}
    time_arrays: Dict[str, Dict[str, np.ndarray]] = {}
    names = {section: set(first[section]) - {"CellPointIds"} for section in SECTIONS}
    unknown = sorted(set(static or ()) - names["PointData"] - names["CellData"])
    if unknown:
        raise ValueError(f"static: {unknown} are not arrays of {path}; its arrays are "
                         f"{sorted(names['PointData'] | names['CellData'])}")
    for section in SECTIONS:
        series[section] = {"CellPointIds": first[section]["CellPointIds"]} if section == "CellData" else {}
        time_arrays[section] = {}
        for (_, file), step in zip(entries, steps):
            if set(step[section]) - {"CellPointIds"} != names[section]:
                raise DataFileError(file, f"has {section} arrays {sorted(set(step[section]) - {'CellPointIds'})}, "
                                          f"the first step {sorted(names[section])}")
        for array_name in (name for name in first[section] if name != "CellPointIds"):  # the files' order
            stacked = np.stack([step[section][array_name] for step in steps])
            unchanging = array_name in static if static is not None else _same_at_every_step(stacked)
            if unchanging:
                series[section][array_name] = first[section][array_name]
            else:
                time_arrays[section][array_name] = stacked
    # An array that changes over time cannot be one of the geometry's active attributes.
    series["ActiveArrays"] = {
        section: {role: name for role, name in roles.items() if name not in time_arrays[section]}
        for section, roles in first["ActiveArrays"].items()
    }
    times = np.array([time for time, _ in entries], dtype=np.float64)
    return time_series_dict(series, times, time_arrays["PointData"], time_arrays["CellData"])


def _same_at_every_step(stacked: np.ndarray) -> bool:
    """Whether every row of a ``(T, ...)`` array equals the first (NaN equal to NaN); False for one row."""
    if stacked.shape[0] < 2:
        return False
    equal = stacked == stacked[:1]
    if stacked.dtype.kind == "f":
        equal |= np.isnan(stacked) & np.isnan(stacked[:1])
    return bool(equal.all())


def _geometry(surface: Any) -> Tuple[np.ndarray, ...]:
    """Points and every cell array's offsets and connectivity, as views: what must not change over time."""
    from .convert.arrays import vtk_to_numpy

    arrays = [vtk_to_numpy(surface.GetPoints().GetData(), copy=False) if surface.GetPoints() else np.empty((0, 3))]
    for cells in (surface.GetVerts(), surface.GetLines(), surface.GetPolys(), surface.GetStrips()):
        arrays += [vtk_to_numpy(cells.GetOffsetsArray(), copy=False),
                   vtk_to_numpy(cells.GetConnectivityArray(), copy=False)]
    return tuple(arrays)


__all__ = [
    "TIME_SERIES_KEY",
    "time_series_dict",
    "stack_time_steps",
    "check_time_series",
    "time_step",
    "write_pvd_series",
    "read_pvd_series",
]
