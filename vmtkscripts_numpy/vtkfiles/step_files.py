"""One VTK file per time step: a time series written as such files, and such files read as a time series.

The file-per-step series (ParaView's ``.pvd`` collections and ``.series``
files, and the folder of one file per step that vmtk's scripts and most
solvers leave) share what is here:

- :func:`step_objects` gives the VTK object of every step of a time-series
  ArrayDict, one object whose changing arrays (and points) are swapped;
- :func:`write_step_file` / :func:`read_step_file` write and read one step
  file of any kind (``.vtp``, ``.vtu``, ``.vti``, or any format of the kind);
- :func:`series_from_steps` stacks the ArrayDicts of the steps into one
  time-series ArrayDict, checking that they share one geometry;
- :func:`read_step_files` does all of it for a folder, a glob pattern or a
  list of files.

Examples
--------
>>> import numpy as np, tempfile
>>> from pathlib import Path
>>> from vmtkscripts_numpy.sample_data import make_mesh
>>> from vmtkscripts_numpy.convert.timeseries import time_series_dict
>>> series = time_series_dict(make_mesh(), [0.0, 0.5], {"T": np.arange(2.0)[:, None] * np.ones(1920)})
>>> folder = Path(tempfile.mkdtemp())
>>> for step, (time, mesh) in enumerate(step_objects(series)):
...     _ = write_step_file(mesh, "mesh", folder / f"run_{step}.vtu")
>>> read_step_files(folder)["TimeSeries"]["PointData"]["T"].shape
(2, 1920)
"""

from __future__ import annotations

import glob
import os
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from .. import formats
from ..convert import layout
from ..convert.timeseries import SECTIONS, TIME_SERIES_KEY, check_time_series, geometry_kind, time_series_dict
from ..convert.validate import key_path
from ..errors import DataFileError, MissingFileError
from .._typing import PathLike

#: The file of one step of each kind in a ParaView series.
STEP_EXTENSIONS = {"surface": ".vtp", "centerlines": ".vtp", "mesh": ".vtu", "image": ".vti"}
#: The keys of each kind's geometry that every step must share (the points may move).
GEOMETRY_KEYS = {
    "surface": ("CellTypes",),
    "centerlines": ("CellTypes",),
    "mesh": ("Cells",),
    "image": ("Origin", "Spacing", "Dimensions", "Direction", "Extent"),
}


def step_objects(series: Mapping[str, Any]) -> Iterator[Tuple[float, Any]]:
    """``(time, VTK object)`` of every step of a time-series ArrayDict.

    One object is made and its changing arrays (and points, when they move)
    are replaced at each step: use each before asking for the next.

    Raises
    ------
    ArrayDictError
        For a bad series (see :func:`~vmtkscripts_numpy.convert.timeseries.check_time_series`).
    """
    from ..convert.arrays import numpy_to_vtk

    times, arrays = check_time_series(series)
    kind = geometry_kind(series)
    geometry = {key: value for key, value in series.items() if key != TIME_SERIES_KEY}
    data = layout.from_dict(geometry, kind)
    attributes = {"PointData": data.GetPointData(), "CellData": data.GetCellData()}
    moving = series[TIME_SERIES_KEY].get("Points")
    for step, time in enumerate(times):
        for section, section_arrays in arrays.items():
            for name, values in section_arrays.items():
                row = values[step]
                if kind == "image":
                    row = _image_values(row, geometry)
                where = key_path("ArrayDict", TIME_SERIES_KEY, section, name, step)
                # AddArray replaces the array of the same name.
                attributes[section].AddArray(numpy_to_vtk(row, name, where=where))
        if moving is not None:
            where = key_path("ArrayDict", TIME_SERIES_KEY, "Points", step)
            data.GetPoints().SetData(numpy_to_vtk(np.ascontiguousarray(moving[step]), where=where))
            data.Modified()
        yield float(time), data


def _image_values(row: np.ndarray, geometry: Mapping[str, Any]) -> np.ndarray:
    """One step of an image's array (shaped like the grid) as VTK's ``(points, k)`` values, x fastest."""
    grid = 3 if row.ndim >= 3 else row.ndim
    if geometry.get("IndexOrder", "xyz") == "zyx":
        flat = row.reshape((-1,) + row.shape[grid:])
    else:
        flat = np.moveaxis(row, (0, 1, 2), (2, 1, 0)).reshape((-1,) + row.shape[grid:])
    return np.ascontiguousarray(flat)


def write_step_file(data: Any, kind: str, path: PathLike, mode: str = "binary") -> Path:
    """Write one step (a ``vtkPolyData``, ``vtkUnstructuredGrid`` or ``vtkImageData``) with its kind's writer."""
    from . import write_image, write_mesh, write_surface

    writer = {"surface": write_surface, "centerlines": write_surface, "mesh": write_mesh, "image": write_image}[kind]
    return writer(data, path, mode=mode)


def file_kind(path: PathLike) -> str:
    """The VTK kind of a step file (``surface``, ``mesh`` or ``image``), by content, else by extension.

    Raises
    ------
    DataFileError
        For a file of no VTK kind the package reads.
    """
    found = formats.identify(path)
    if found is not None and found.kind in formats.VTK_KINDS:
        return found.kind
    name = os.fspath(path).lower()
    for kind in formats.VTK_KINDS:
        if any(name.endswith(extension) for entry in formats.formats(kind) if entry.can("read")
               for extension in entry.extensions):
            return kind
    raise DataFileError(path, "is no surface, mesh or image file the package reads (by its extension and content)")


def read_step_file(path: PathLike) -> Tuple[str, Any]:
    """``(kind, VTK object)`` of one step file of any kind."""
    from . import read_image, read_mesh, read_surface

    kind = file_kind(path)
    reader = {"surface": read_surface, "mesh": read_mesh, "image": read_image}[kind]
    return kind, reader(path)


def step_file_list(source: Union[PathLike, Sequence[PathLike]]) -> List[Path]:
    """The step files of a folder, a glob pattern or a list, in natural order (``run_2`` before ``run_10``).

    A folder gives the files of its most common VTK extension, so that
    other files beside them (a ``.pvd``, notes) are left out.

    Raises
    ------
    MissingFileError
        If nothing matches.
    """
    if isinstance(source, (str, os.PathLike)):
        text = os.fspath(source)
        if os.path.isdir(text):
            candidates = [path for path in Path(text).iterdir() if path.is_file() and _is_vtk_name(path)]
            extensions = [_extension(path) for path in candidates]
            common = max(set(extensions), key=extensions.count) if extensions else None
            files = [path for path in candidates if _extension(path) == common]
        elif glob.has_magic(text):
            files = [Path(name) for name in glob.glob(text) if os.path.isfile(name)]
        else:
            files = [Path(text)]
    else:
        files = [Path(os.fspath(item)) for item in source]
    if not files:
        raise MissingFileError(os.fspath(source) if isinstance(source, (str, os.PathLike)) else "files",
                               "names no step file (a folder of .vtp/.vtu/.vti/... files, a glob pattern or a list)")
    return sorted(files, key=_natural_key)


def _extension(path: Path) -> str:
    return "".join(path.suffixes[-2:]).lower() if path.name.lower().endswith(".nii.gz") else path.suffix.lower()


def _is_vtk_name(path: Path) -> bool:
    extension = _extension(path)
    return any(extension in entry.extensions for kind in formats.VTK_KINDS for entry in formats.formats(kind)
               if entry.can("read"))


def _natural_key(path: Path) -> List[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.name)]


def series_from_steps(
    steps: Sequence[Mapping[str, Any]],
    times: Sequence[float],
    static: Optional[Sequence[str]] = None,
    names: Optional[Sequence[str]] = None,
) -> Dict[str, Any]:
    """The ArrayDicts of the steps of one geometry as one time-series ArrayDict.

    Parameters
    ----------
    steps : sequence of dict
        One ArrayDict per step, all of one kind.
    times : sequence of float
        Their times, in the same order (sorted here).
    static : sequence of str, optional
        The arrays that do not change (read from the first step). By
        default: those whose values are the same at every step (none when
        there is one step).
    names : sequence of str, optional
        What to call each step in messages (its file), default ``step i``.

    Raises
    ------
    DataFileError
        Naming the step, for a step of another kind, other cells (or grid),
        another number of points, or other array names than the first.
    ValueError
        If ``static`` names an array the steps do not have.
    """
    names = list(names or [f"step {index}" for index in range(len(steps))])
    order = np.argsort(np.asarray(times, dtype=np.float64), kind="stable")
    steps = [steps[index] for index in order]
    names = [names[index] for index in order]
    sorted_times = np.asarray(times, dtype=np.float64)[order]
    first = steps[0]
    kind = geometry_kind(first)
    for name, step in zip(names[1:], steps[1:]):
        step_kind = geometry_kind(step)
        if step_kind != kind and {step_kind, kind} != {"surface", "centerlines"}:
            raise DataFileError(name, f"holds a {step_kind}, the first step ({names[0]}) a {kind}")
        for key in GEOMETRY_KEYS[kind] + (("CellPointIds",) if kind in ("surface", "centerlines") else ()):
            mine = step["CellData"].get(key) if key == "CellPointIds" else step.get(key)
            theirs = first["CellData"].get(key) if key == "CellPointIds" else first.get(key)
            if not _same(mine, theirs):
                raise DataFileError(name, f"has another {key} than the first step ({names[0]}); "
                                          "a time series has one geometry (points may move)")
        if kind != "image" and np.shape(step["Points"]) != np.shape(first["Points"]):
            raise DataFileError(name, f"has {len(step['Points'])} points, the first step ({names[0]}) "
                                      f"{len(first['Points'])}")
    series: Dict[str, Any] = {key: value for key, value in first.items() if key not in SECTIONS}
    time_arrays: Dict[str, Dict[str, np.ndarray]] = {}
    own = {section: [name for name in first[section] if name != "CellPointIds"] for section in SECTIONS}
    known = set(own["PointData"]) | set(own["CellData"])
    unknown = sorted(set(static or ()) - known)
    if unknown:
        raise ValueError(f"static: {unknown} are not arrays of the steps; their arrays are {sorted(known)}")
    for section in SECTIONS:
        series[section] = {"CellPointIds": first[section]["CellPointIds"]} if "CellPointIds" in first[section] else {}
        time_arrays[section] = {}
        for name, step in zip(names, steps):
            have = [key for key in step[section] if key != "CellPointIds"]
            if set(have) != set(own[section]):
                raise DataFileError(name, f"has {section} arrays {sorted(have)}, the first step ({names[0]}) "
                                          f"{sorted(own[section])}")
        for array_name in own[section]:  # the files' order
            rows = [np.asarray(step[section][array_name]) for step in steps]
            if any(row.shape != rows[0].shape or row.dtype != rows[0].dtype for row in rows[1:]):
                raise DataFileError(names[0], f"{section} array {array_name!r} has other shapes or types at "
                                              "other steps")
            stacked = np.stack(rows)
            unchanging = array_name in static if static is not None else _same_at_every_step(stacked)
            if unchanging:
                series[section][array_name] = first[section][array_name]
            else:
                time_arrays[section][array_name] = stacked
    points = None
    if kind != "image":
        stacked_points = np.stack([np.asarray(step["Points"]) for step in steps])
        if not _same_at_every_step(stacked_points) and len(steps) > 1:
            points = stacked_points
    # An array that changes over time cannot be one of the geometry's active attributes.
    if isinstance(first.get("ActiveArrays"), Mapping):
        series["ActiveArrays"] = {
            section: {role: name for role, name in roles.items() if name not in time_arrays.get(section, {})}
            for section, roles in first["ActiveArrays"].items()
        }
    return time_series_dict(series, sorted_times, time_arrays["PointData"], time_arrays["CellData"], points)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return set(a) == set(b) and all(_same(a[key], b[key]) for key in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if a is None or b is None:
        return a is b
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return bool(np.array_equal(np.asarray(a), np.asarray(b)))


def _same_at_every_step(stacked: np.ndarray) -> bool:
    """Whether every row of a ``(T, ...)`` array equals the first (NaN equal to NaN); False for one row."""
    if stacked.shape[0] < 2:
        return False
    equal = stacked == stacked[:1]
    if stacked.dtype.kind == "f":
        equal |= np.isnan(stacked) & np.isnan(stacked[:1])
    return bool(equal.all())


def read_step_files(
    source: Union[PathLike, Sequence[PathLike]],
    times: Optional[Sequence[float]] = None,
    static: Optional[Sequence[str]] = None,
) -> Dict[str, Any]:
    """Read one file per time step, of one geometry, as a time-series ArrayDict.

    Parameters
    ----------
    source : str, path-like or sequence of them
        A folder (its files of the most common VTK extension), a glob
        pattern (``"run/wss_*.vtp"``) or a list of files; sorted in natural
        order (``step_2`` before ``step_10``) unless a list is given.
    times : sequence of float, optional
        The time of each file; by default ``0, 1, 2, ...`` in file order.
    static : sequence of str, optional
        See :func:`series_from_steps`.

    Raises
    ------
    DataFileError, MissingFileError
        Naming the file: nothing matches, a file cannot be read, or the
        steps do not share one geometry.
    ValueError
        If there are not as many times as files.

    Examples
    --------
    >>> series = read_step_files("results/wss_*.vtp", times=[0.0, 0.1, 0.2])  # doctest: +SKIP
    """
    files = step_file_list(source)
    if times is None:
        times = list(range(len(files)))
    if len(times) != len(files):
        raise ValueError(f"times: {len(times)} times for {len(files)} files")
    return series_from_steps([read_step_dict(file, copy=index == 0) for index, file in enumerate(files)],
                             times, static, [os.fspath(file) for file in files])


def stage_step_files(series: Mapping[str, Any], name: str, stage: Any, mode: str = "binary") -> List[Tuple[float, str]]:
    """Write each step of ``series`` as ``name/name_0000.<ext>`` into the atomic write ``stage``.

    ``stage`` is an :func:`~vmtkscripts_numpy._atomic.atomic_output_with_data`
    write, whose index (a ``.pvd`` or ``.series`` file) lists the steps.
    Returns ``(time, step file relative to the index)`` of each step.
    """
    kind = geometry_kind(series)
    digits = max(4, len(str(len(series[TIME_SERIES_KEY]["Times"]) - 1)))
    steps = []
    for step, (time, data) in enumerate(step_objects(series)):
        step_file = f"{name}/{name}_{step:0{digits}d}{STEP_EXTENSIONS[kind]}"
        write_step_file(data, kind, stage.data_path(step_file), mode=mode)
        steps.append((time, step_file))
    return steps


def read_listed_series(entries: Sequence[Tuple[float, Path]], static: Optional[Sequence[str]] = None) -> Dict[str, Any]:
    """The time series of the ``(time, file)`` entries a ``.pvd`` or ``.series`` file lists (sorted by time)."""
    steps = [read_step_dict(file, copy=index == 0) for index, (_, file) in enumerate(entries)]
    return series_from_steps(steps, [time for time, _ in entries], static, [str(file) for _, file in entries])


def read_listed_step(entries: Sequence[Tuple[float, Path]], step: int, path: PathLike) -> Dict[str, Any]:
    """Step ``step`` (negative from the end) of the entries the listing file ``path`` gives, its file alone read."""
    if not isinstance(step, (int, np.integer)) or not -len(entries) <= step < len(entries):
        raise IndexError(f"step {step!r} is out of range for the {len(entries)} steps of {path}")
    return read_step_dict(entries[step][1])


def read_step_dict(path: PathLike, copy: bool = True) -> Dict[str, Any]:
    """One step file as an ArrayDict of its kind (lines only: centerlines)."""
    kind, data = read_step_file(path)
    if kind == "surface" and 0 < data.GetNumberOfCells() == data.GetNumberOfLines():
        kind = "centerlines"
    return layout.to_dict(data, kind, copy=copy)


__all__ = ["step_objects", "write_step_file", "read_step_file", "read_step_dict", "file_kind", "step_file_list", "series_from_steps",
           "read_step_files", "STEP_EXTENSIONS"]
