"""ParaView collections (``.pvd``): a time-series ArrayDict as one ``.vtp`` file per step, and back.

:func:`write_pvd_series` writes ``name.pvd`` and one ``.vtp`` per step in the
folder ``name/`` beside it; :func:`read_pvd_series` reads such a collection
back into a time-series ArrayDict (see
:mod:`vmtkscripts_numpy.convert.timeseries`). Both are offered by
:mod:`vmtkscripts_numpy.timeseries` too.

Examples
--------
>>> import numpy as np, tempfile
>>> from vmtkscripts_numpy.sample_data import make_vessel_surface
>>> pressure = np.arange(2.0)[:, None] * np.ones(960)                # (T, N), not the same at every step
>>> series = time_series_dict(make_vessel_surface(), [0.0, 0.1], {"Pressure": pressure})
>>> path = write_pvd_series(series, tempfile.mkdtemp(), "vessel")
>>> read_pvd_series(path)["TimeSeries"]["PointData"]["Pressure"].shape
(2, 960)
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Tuple

import numpy as np

from .._atomic import atomic_output_with_data, writable_target
from ..convert import layout
from ..convert.timeseries import SECTIONS, TIME_SERIES_KEY, check_time_series, time_series_dict
from ..convert.validate import key_path
from ..errors import ArrayDictError, DataFileError, MissingFileError
from .._typing import PathLike


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
    from ._common import XML_NORMALIZED_CHARACTERS, XML_UNWRITABLE_CHARACTERS

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
    from ..convert.arrays import numpy_to_vtk
    from .surface import write_surface

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
        raise DataFileError(steps_folder, f"cannot be created: {error.strerror or error}", error.errno) from None

    geometry = {key: value for key, value in series.items() if key != TIME_SERIES_KEY}
    surface = layout.from_dict(geometry, "surface")
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
    except FileNotFoundError as error:
        raise MissingFileError(path, f"cannot be read: {error.strerror or error}") from None
    except OSError as error:
        raise DataFileError(path, f"cannot be read: {error.strerror or error}", error.errno) from None
    collection = root.find("Collection")
    if root.tag != "VTKFile" or root.get("type") != "Collection" or collection is None:
        raise DataFileError(path, "is not a ParaView collection (<VTKFile type=\"Collection\"><Collection>)")
    entries = []
    for index, dataset in enumerate(collection.iter("DataSet")):
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
    from .surface import read_surface

    path = Path(path)
    entries = _pvd_datasets(path)
    surfaces = [read_surface(file) for _, file in entries]
    geometry = _geometry(surfaces[0])
    for (_, file), surface in zip(entries[1:], surfaces[1:]):
        if not all(np.array_equal(a, b) for a, b in zip(geometry, _geometry(surface))):
            raise DataFileError(file, f"has other points or cells than the first step ({entries[0][1].name}); "
                                      "a series must have one geometry")
    steps = [layout.to_dict(surface, "surface", copy=False) for surface in surfaces]
    first = layout.to_dict(surfaces[0], "surface")
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
    from ..convert.arrays import vtk_to_numpy

    arrays = [vtk_to_numpy(surface.GetPoints().GetData(), copy=False) if surface.GetPoints() else np.empty((0, 3))]
    for cells in (surface.GetVerts(), surface.GetLines(), surface.GetPolys(), surface.GetStrips()):
        arrays += [vtk_to_numpy(cells.GetOffsetsArray(), copy=False),
                   vtk_to_numpy(cells.GetConnectivityArray(), copy=False)]
    return tuple(arrays)


def read(path: PathLike) -> Dict[str, Any]:
    """The registry's reader of ``.pvd`` files (:mod:`vmtkscripts_numpy.formats`): :func:`read_pvd_series`."""
    return read_pvd_series(path)


def write(series: Mapping[str, Any], path: PathLike, mode: str = "binary") -> Path:
    """The registry's writer: ``series`` to the collection ``path`` (``folder/name.pvd``), steps beside it."""
    target = Path(path)
    if target.suffix.lower() != ".pvd":
        raise ValueError(f"a ParaView collection is named name.pvd, not {target.name!r}")
    return write_pvd_series(series, target.parent, target.stem, mode=mode)


__all__ = ["write_pvd_series", "read_pvd_series"]
