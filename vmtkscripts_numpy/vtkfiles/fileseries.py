"""ParaView file series (``.series``): a JSON list of step files and their times, written and read.

ParaView (5.5 and later) opens ``name.vtp.series`` (or ``.vtu.series``,
``.vti.series``) as one dataset with a time axis: a JSON file naming each
step's file, relative to its folder, and its time::

    {"file-series-version": "1.0",
     "files": [{"name": "vessel/vessel_0000.vtp", "time": 0.0}, ...]}

:func:`write_file_series` writes one and its step files (as
:func:`~vmtkscripts_numpy.vtkfiles.pvd.write_pvd_series` does, the geometry in
every step: a VTK XML file cannot refer to another's); :func:`read_file_series`
reads one, whoever wrote it, into a time-series ArrayDict, and
:func:`read_file_series_step` one step of it.

Examples
--------
>>> import numpy as np, tempfile
>>> from vmtkscripts_numpy.sample_data import make_vessel_surface
>>> from vmtkscripts_numpy.convert.timeseries import time_series_dict
>>> series = time_series_dict(make_vessel_surface(), [0.0, 0.1], {"Pressure": np.arange(2.0)[:, None] * np.ones(960)})
>>> path = write_file_series(series, tempfile.mkdtemp(), "vessel")
>>> path.name, read_file_series(path)["TimeSeries"]["PointData"]["Pressure"].shape
('vessel.vtp.series', (2, 960))
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from ..convert.timeseries import check_time_series, geometry_kind
from ..errors import DataFileError, MissingFileError
from .._typing import PathLike
from .pvd import _check_file_stem, _check_xml_names, write_listed_steps

#: The version of the JSON layout written.
VERSION = "1.0"


def write_file_series(
    series: Mapping[str, Any], directory: PathLike, name: str = "series", *, mode: str = "binary"
) -> Path:
    """Write a time-series ArrayDict as ``directory/name.<ext>.series`` and one VTK XML file per step.

    The steps go to ``directory/name/name_0000.vtp`` (``.vtu`` for a mesh,
    ``.vti`` for an image). The series file and its steps are replaced as a
    whole.

    Returns
    -------
    pathlib.Path
        The ``.series`` file.

    Raises
    ------
    ArrayDictError
        For a bad series, naming the key, or an array name VTK XML cannot hold.
    ValueError
        If ``name`` contains a folder separator.
    DataFileError
        If a file cannot be written.
    """
    from .step_files import STEP_EXTENSIONS

    _, arrays = check_time_series(series)
    _check_xml_names(series, arrays)
    name = _check_file_stem(name)
    directory = Path(directory)
    target = directory / f"{name}{STEP_EXTENSIONS[geometry_kind(series)]}.series"
    return write_listed_steps(series, name, target, directory, mode, _index)


def _index(steps: Sequence[Tuple[float, str]], reference: Callable[[str], str]) -> bytes:
    files = [{"name": reference(step_file), "time": time} for time, step_file in steps]
    # json writes floats with repr: every time comes back exactly.
    return (json.dumps({"file-series-version": VERSION, "files": files}, indent=2) + "\n").encode("utf-8")


def _entries(path: Path) -> List[Tuple[float, Path]]:
    """``(time, file)`` of each step a ``.series`` file lists, sorted by time."""
    try:
        with open(path, "rb") as stream:
            content = json.loads(stream.read(64 << 20).decode("utf-8"))
    except FileNotFoundError as error:
        raise MissingFileError(path, f"cannot be read: {error.strerror or error}") from None
    except OSError as error:
        raise DataFileError(path, f"cannot be read: {error.strerror or error}", error.errno) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise DataFileError(path, f"is not a JSON file ({error})") from None
    files = content.get("files") if isinstance(content, dict) else None
    if not isinstance(files, list) or not files:
        raise DataFileError(path, "is not a ParaView file series: expected a JSON object with a non-empty 'files' list")
    entries = []
    for index, entry in enumerate(files):
        file_name = entry.get("name") if isinstance(entry, dict) else None
        time = entry.get("time") if isinstance(entry, dict) else None
        if not isinstance(file_name, str) or not file_name:
            raise DataFileError(path, f"files[{index}] has no 'name'")
        if isinstance(time, bool) or not isinstance(time, (int, float)) or not math.isfinite(time):
            raise DataFileError(path, f"files[{index}]: 'time' must be a finite number, found {time!r}")
        entries.append((float(time), path.parent / file_name))
    entries.sort(key=lambda entry: entry[0])
    for (first, _), (second, _) in zip(entries, entries[1:]):
        if first == second:
            raise DataFileError(path, f"lists several files at time {first!r}")
    return entries


def read_file_series(path: PathLike, static: Optional[Sequence[str]] = None) -> Dict[str, Any]:
    """Read a ParaView ``.series`` file of steps on one geometry as a time-series ArrayDict.

    ``static`` names the arrays that do not change (default: those whose
    values are the same at every step); points that differ between steps
    become ``TimeSeries['Points']``.

    Raises
    ------
    DataFileError
        Naming the file: not a series, a step that cannot be read, steps on
        other cells or with other arrays.
    """
    from .step_files import read_listed_series

    return read_listed_series(_entries(Path(path)), static)


def read_file_series_step(path: PathLike, step: int) -> Dict[str, Any]:
    """One step of a ``.series`` file as a plain ArrayDict, reading that step's file only."""
    from .step_files import read_listed_step

    return read_listed_step(_entries(Path(path)), step, path)


def read(path: PathLike) -> Dict[str, Any]:
    """The registry's reader of ``.series`` files (:mod:`vmtkscripts_numpy.formats`)."""
    return read_file_series(path)


def write(series: Mapping[str, Any], path: PathLike, mode: str = "binary") -> Path:
    """The registry's writer: ``series`` to ``folder/name.vtp.series`` (or ``name.series``), steps beside it."""
    target = Path(path)
    if not target.name.lower().endswith(".series"):
        raise ValueError(f"a ParaView file series is named name.vtp.series, not {target.name!r}")
    stem = target.name[: -len(".series")]
    for extension in (".vtp", ".vtu", ".vti"):
        if stem.lower().endswith(extension):
            stem = stem[: -len(extension)]
    return write_file_series(series, target.parent, stem, mode=mode)


__all__ = ["write_file_series", "read_file_series", "read_file_series_step"]
