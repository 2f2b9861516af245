"""ParaView collections (``.pvd``): a time-series ArrayDict as one VTK XML file per step, and back.

:func:`write_pvd_series` writes ``name.pvd`` and one ``.vtp`` (surfaces,
centerlines), ``.vtu`` (meshes) or ``.vti`` (images) per step in the folder
``name/`` beside it; :func:`read_pvd_series` reads such a collection, whoever
wrote it, back into a time-series ArrayDict, and :func:`read_pvd_step` one
step of it (see
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
    from .formats.vtkxml import XML_NORMALIZED_CHARACTERS, XML_UNWRITABLE_CHARACTERS

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
    """Write a time-series ArrayDict as a ParaView collection: ``name.pvd`` and one VTK XML file per step.

    The steps go to ``directory/name/name_0000.vtp``, ... (``.vtu`` for a
    mesh, ``.vti`` for an image; as many digits as needed); each holds the
    same geometry (with the step's points, when they move) with that step's
    arrays and the arrays that do not change. ``directory/name.pvd`` lists
    them with their times; ParaView opens it as one dataset with a time axis.
    A VTK XML file cannot refer to another's geometry: every step repeats it
    (a transient VTKHDF file holds it once, see
    :func:`~vmtkscripts_numpy.vtkfiles.vtkhdf_series.write_vtkhdf_series`).

    Parameters
    ----------
    series : dict
        A time-series ArrayDict of any kind (see :func:`time_series_dict`).
    directory : str or path-like
        Where to write (created if needed).
    name : str
        The collection's file name without extension, also the steps' prefix.
    mode : {"binary", "ascii"}
        How the step files store their arrays.

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
    _, arrays = check_time_series(series)
    _check_xml_names(series, arrays)
    name = _check_file_stem(name)
    directory = Path(directory)
    return write_listed_steps(series, name, directory / f"{name}.pvd", directory / name, mode, _collection)


def write_listed_steps(series: Mapping[str, Any], name: str, target: Path, folder: Path, mode: str,
                       index: Callable[[Sequence[Tuple[float, str]], Callable[[str], str]], bytes]) -> Path:
    """Write the step files of ``series`` and ``target``, the file listing them (``index(steps, reference)``).

    ``folder`` is created first. The list and its steps are replaced as a
    whole: ParaView never finds a list naming steps of another write.
    """
    from .step_files import stage_step_files

    if target.parent.is_dir():
        writable_target(target)  # a refused target changes nothing, not even the steps' folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataFileError(folder, f"cannot be created: {error.strerror or error}", error.errno) from None
    with atomic_output_with_data(target) as stage:
        steps = stage_step_files(series, name, stage, mode)
        stage.index = lambda reference: index(steps, reference)
    return target


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
    """Read a ParaView collection of files on one geometry as a time-series ArrayDict.

    Parameters
    ----------
    path : str or path-like
        The ``.pvd`` file; the files it lists (``.vtp``, ``.vtu``, ``.vti``,
        or any surface, mesh or image format the package reads) are read
        relative to its folder.
    static : sequence of str, optional
        Names of the arrays that do not change (read once, from the first
        step). By default: the arrays whose values are the same at every step
        (none when there is only one step). Every other array becomes a
        ``(T, ...)`` array in ``TimeSeries``; points that differ between
        steps become ``TimeSeries['Points']``.

    Returns
    -------
    dict
        A time-series ArrayDict (see :func:`time_series_dict`), times sorted.

    Raises
    ------
    DataFileError
        Naming the file: a ``.pvd`` that is not a collection, lists no file,
        two files at one time, a step file that cannot be read, or a step
        whose cells (grid), number of points or array names differ from the
        first step's.
    ValueError
        If ``static`` names an array the files do not have.

    Examples
    --------
    >>> series = read_pvd_series("run/vessel.pvd")  # doctest: +SKIP
    >>> series["TimeSeries"]["Times"]  # doctest: +SKIP
    array([0. , 0.1, 0.2])
    """
    from .step_files import read_listed_series

    return read_listed_series(_pvd_datasets(Path(path)), static)


def read_pvd_step(path: PathLike, step: int) -> Dict[str, Any]:
    """One step of a ParaView collection as a plain ArrayDict, reading that step's file only.

    ``step`` indexes the datasets sorted by time (negative counts from the end).

    Raises
    ------
    IndexError
        For a step out of range.
    """
    from .step_files import read_listed_step

    return read_listed_step(_pvd_datasets(Path(path)), step, path)


def read(path: PathLike) -> Dict[str, Any]:
    """The registry's reader of ``.pvd`` files (:mod:`vmtkscripts_numpy.formats`): :func:`read_pvd_series`."""
    return read_pvd_series(path)


def write(series: Mapping[str, Any], path: PathLike, mode: str = "binary") -> Path:
    """The registry's writer: ``series`` to the collection ``path`` (``folder/name.pvd``), steps beside it."""
    target = Path(path)
    if target.suffix.lower() != ".pvd":
        raise ValueError(f"a ParaView collection is named name.pvd, not {target.name!r}")
    return write_pvd_series(series, target.parent, target.stem, mode=mode)


__all__ = ["write_pvd_series", "read_pvd_series", "read_pvd_step"]
