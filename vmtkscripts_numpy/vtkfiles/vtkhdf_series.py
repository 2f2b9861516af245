"""One transient VTKHDF file: a time series of any kind, the geometry written once, each step only its arrays.

VTKHDF (VTK's HDF5 layout, read by VTK >= 9.3 and ParaView >= 5.12 with a
time axis) keeps a time series in one file: the group ``/VTKHDF/Steps`` lists
the times (``Values``) and, for every step, where its points, cells and
arrays start in the datasets of the file (``PointOffsets``,
``PointDataOffsets/<name>``, ...). Here the geometry and the arrays that do
not change are written once (every step's offset is 0), and each step appends
the rows of the arrays that change (and of the points, when they move). The
file is written with h5py, not VTK's writer, so every kind (surfaces,
centerlines, meshes, images) is written the same way on every VTK the
package supports, and read back by this module on every one of them.

- :func:`write_vtkhdf_series`: a time-series ArrayDict, all at once;
- :class:`VTKHDFSeriesWriter`: step by step (a solver's loop), or appending
  steps to a file written before (``append=True``);
- :func:`read_vtkhdf_series`: a transient VTKHDF file, whoever wrote it, as a
  time-series ArrayDict; :func:`read_vtkhdf_step`: one step as a plain
  ArrayDict, reading only that step's rows.

Examples
--------
>>> import numpy as np, tempfile, os
>>> from vmtkscripts_numpy.sample_data import make_vessel_surface
>>> from vmtkscripts_numpy.convert.timeseries import time_series_dict
>>> series = time_series_dict(make_vessel_surface(), [0.0, 0.1], {"Pressure": np.arange(2.0)[:, None] * np.ones(960)})
>>> path = write_vtkhdf_series(series, os.path.join(tempfile.mkdtemp(), "vessel.vtkhdf"))
>>> read_vtkhdf_series(path)["TimeSeries"]["PointData"]["Pressure"].shape
(2, 960)
>>> read_vtkhdf_step(path, 1)["PointData"]["Pressure"][:3]
array([1., 1., 1.])
"""

from __future__ import annotations

import math
import time
import warnings
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

import numpy as np

from .. import __version__
from ..convert import layout
from ..convert.timeseries import SECTIONS, TIME_SERIES_KEY, check_time_series, geometry_kind, time_series_dict
from ..convert.validate import key_path
from ..errors import ArrayDictError, DataFileError, LossWarning, MissingFileError
from .._preallocate import Writeback, h5py_descriptor, release_unused, reserve
from .._typing import PathLike
from ._common import warn_losses

#: The VTKHDF version written: 2.0 has the ``Steps`` group (VTK 9.3).
VERSION = (2, 0)
#: The attribute of ``/VTKHDF`` naming the package as the file's writer: its files say which arrays change
#: and whether the points move, also for one step and for values that happen to be equal at every step.
WRITER_ATTRIBUTE = "vmtkscripts_numpy_writer"
#: The VTKHDF ``Type`` of each kind of geometry.
HDF_TYPES = {"surface": "PolyData", "centerlines": "PolyData", "mesh": "UnstructuredGrid", "image": "ImageData"}
#: The cell groups of a PolyData, in VTK's order (``CellOffsets`` has one column each).
POLY_TOPOLOGIES = ("Vertices", "Lines", "Polygons", "Strips")
#: Bytes of an HDF5 chunk of a step's array, at most: below it a chunk is one step, written as it is.
_CHUNK_BYTES = 1 << 30
#: Writes of this many bytes or more reserve their disk space first.
_RESERVE_FROM = 1 << 16


def _h5py() -> Any:
    import h5py

    return h5py


# --- the geometry, as VTK gives it ---------------------------------------------------------------


def _geometry_datasets(
    geometry: Mapping[str, Any], kind: str
) -> Tuple[Dict[str, Any], Dict[str, Dict[str, np.ndarray]], Dict[str, Dict[str, str]]]:
    """``({hdf path: array or attribute}, {section: {name: static array}}, {section: {role: name}})`` of a geometry.

    The geometry goes through its kind's converter, so that every layout the
    package reads (lists of cells, ``zyx`` images, VTK array types) gives the
    offsets, connectivity and array layout VTK writes.
    """
    from ..convert.arrays import vtk_to_numpy
    from ..convert.cells import cell_array_to_numpy
    from ..convert.mesh import cell_types_of

    data = layout.from_dict(geometry, kind)
    datasets: Dict[str, Any] = {}
    if kind == "image":
        extent = np.array(data.GetExtent(), dtype=np.int64)
        matrix = data.GetDirectionMatrix()
        direction = [matrix.GetElement(row, column) for row in range(3) for column in range(3)]
        datasets["@WholeExtent"] = extent
        datasets["@Origin"] = np.array(data.GetOrigin(), dtype=np.float64)
        datasets["@Spacing"] = np.array(data.GetSpacing(), dtype=np.float64)
        datasets["@Direction"] = np.array(direction, dtype=np.float64)
    else:
        datasets["NumberOfPoints"] = np.array([data.GetNumberOfPoints()], dtype=np.int64)
        datasets["Points"] = _points(data)
        if kind == "mesh":
            offsets, connectivity = cell_array_to_numpy(data.GetCells(), copy=False)
            datasets["NumberOfCells"] = np.array([data.GetNumberOfCells()], dtype=np.int64)
            datasets["NumberOfConnectivityIds"] = np.array([offsets[-1]], dtype=np.int64)
            datasets["Offsets"] = offsets.astype(np.int64, copy=False)
            datasets["Connectivity"] = connectivity.astype(np.int64, copy=False)
            datasets["Types"] = cell_types_of(data)
        else:
            for topology, cells in zip(POLY_TOPOLOGIES, (data.GetVerts(), data.GetLines(), data.GetPolys(),
                                                         data.GetStrips())):
                offsets, connectivity = cell_array_to_numpy(cells, copy=False)
                datasets[f"{topology}/NumberOfCells"] = np.array([len(offsets) - 1], dtype=np.int64)
                datasets[f"{topology}/NumberOfConnectivityIds"] = np.array([offsets[-1]], dtype=np.int64)
                datasets[f"{topology}/Offsets"] = offsets.astype(np.int64, copy=False)
                datasets[f"{topology}/Connectivity"] = connectivity.astype(np.int64, copy=False)
    static: Dict[str, Dict[str, np.ndarray]] = {}
    for section, attributes in (("PointData", data.GetPointData()), ("CellData", data.GetCellData())):
        static[section] = {}
        for index in range(attributes.GetNumberOfArrays()):
            array = attributes.GetAbstractArray(index)
            if array is None or not array.IsA("vtkDataArray"):
                continue
            values = _file_values(vtk_to_numpy(array, copy=False))
            if kind == "image":
                values = values.reshape(_file_grid(data, section) + values.shape[1:])
            static[section][array.GetName()] = values
    active: Dict[str, Dict[str, str]] = {}
    for section, attributes in (("PointData", data.GetPointData()), ("CellData", data.GetCellData())):
        active[section] = {}
        for index in range(attributes.NUM_ATTRIBUTES):
            array = attributes.GetAbstractAttribute(index)
            if array is not None and array.GetName() in static[section]:
                active[section][attributes.GetAttributeTypeAsString(index)] = array.GetName()
    return datasets, static, active


def _points(data: Any) -> np.ndarray:
    from ..convert.arrays import vtk_to_numpy

    points = data.GetPoints()
    return vtk_to_numpy(points.GetData(), copy=False) if points is not None else np.empty((0, 3))


def _file_grid(data: Any, section: str) -> Tuple[int, ...]:
    """An image's arrays in a VTKHDF file: ``(Z, Y, X)`` points or cells (x varies fastest)."""
    dimensions = data.GetDimensions()
    if section == "CellData":
        dimensions = tuple(max(d - 1, 1) for d in dimensions)
    return tuple(int(d) for d in dimensions[::-1])


def _file_values(values: np.ndarray) -> np.ndarray:
    """Values as a VTKHDF file holds them: booleans as unsigned bytes (VTK has no boolean arrays)."""
    return values.astype(np.uint8) if values.dtype == np.bool_ else values


def _losses(geometry: Mapping[str, Any], steps: Optional[Mapping[str, Mapping[str, Any]]] = None) -> List[str]:
    """What a VTKHDF time series does not keep of ``geometry`` and of the ``steps`` arrays ``{section: {name: ...}}``."""
    losses = []
    field_data = geometry.get("FieldData") or {}
    if field_data:
        losses.append(f"the field data ({', '.join(map(repr, field_data))}) is not written")
    for section in SECTIONS:
        for role, name in ((geometry.get("ActiveArrays") or {}).get(section) or {}).items():
            if name not in (geometry.get(section) or {}):
                losses.append(f"the {section} mark {role} = {name!r} names no array written once, and is not kept")
    for section in SECTIONS:
        arrays = {**(geometry.get(section) or {}), **((steps or {}).get(section) or {})}
        for name, values in arrays.items():
            if getattr(values, "dtype", None) == np.bool_:
                losses.append(_bool_loss(section, name))
    return losses


def _bool_loss(section: str, name: str) -> str:
    return f"{section} array {name!r} is stored as uint8 (VTK has no boolean arrays)"


def _step_rows(values: np.ndarray, kind: str, index_order: str) -> np.ndarray:
    """A ``(T, ...)`` array of the ArrayDict as the rows of the file: images ``(T, Z, Y, X[, k])``."""
    values = _file_values(np.asarray(values))
    if kind == "image" and index_order != "zyx":
        axes = (0, 3, 2, 1) + tuple(range(4, values.ndim))
        values = values.transpose(axes)
    return values


def _check_names(series: Mapping[str, Any], arrays: Mapping[str, Mapping[str, Any]]) -> None:
    """Refuse array names HDF5 cannot hold as one dataset name ('/' makes groups, '.' alone is the group)."""
    for section in SECTIONS:
        named = [(name, key_path("ArrayDict", section, name)) for name in series.get(section, {})
                 if name != "CellPointIds"]
        named += [(name, key_path("ArrayDict", TIME_SERIES_KEY, section, name)) for name in arrays[section]]
        for name, where in named:
            if "/" in str(name) or str(name) in (".", ""):
                raise ArrayDictError(f"{where}: a VTKHDF file cannot hold an array named {name!r} "
                                     "(HDF5 takes '/' for a group); rename the array")


# --- writing -------------------------------------------------------------------------------------


class VTKHDFSeriesWriter:
    """Write a transient VTKHDF file step by step: the geometry once, then each step's arrays.

    Parameters
    ----------
    path : str or path-like
        The file to write (``.vtkhdf`` or ``.hdf``).
    geometry : dict, optional
        The geometry: a surface, centerline, mesh or image ArrayDict (or a
        time-series one, whose ``TimeSeries`` is ignored). Its point and cell
        data are the arrays that do not change, written once. Not given with
        ``append=True``.
    append : bool
        Open ``path``, written before by this class, and add steps after its
        last one. The arrays that change must be the ones it has; an image's
        rows are then given in vmtk's ``xyz`` index order.

    Notes
    -----
    Each :meth:`write_step` appends its rows to the file; the ``Steps``
    tables that make them steps for a reader (the times last) are written
    when 0.1 s (``publish_interval``) have passed since the last time, by
    :meth:`flush` and by :meth:`close`. A reader (this module's, VTK's,
    ParaView's) opening the file then finds the steps written so far: every
    step of a solver whose steps take longer than that. The file is opened
    without HDF5's file lock, which would keep every reader out until
    :meth:`close`; a reader must not open it during a write. A write that
    dies leaves the steps published before it readable. New files are
    written in place (not through a scratch copy): use
    :func:`write_vtkhdf_series` for a file that replaces another in one step.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from vmtkscripts_numpy.sample_data import make_vessel_surface
    >>> from vmtkscripts_numpy.convert.polydata import polydata_to_dict
    >>> path = os.path.join(tempfile.mkdtemp(), "run.vtkhdf")
    >>> with VTKHDFSeriesWriter(path, polydata_to_dict(make_vessel_surface())) as writer:
    ...     for time in (0.0, 0.5):
    ...         writer.write_step(time, point_data={"Pressure": np.full(960, time)})
    >>> with VTKHDFSeriesWriter(path, append=True) as writer:
    ...     writer.write_step(1.0, point_data={"Pressure": np.ones(960)})
    >>> read_vtkhdf_series(path)["TimeSeries"]["Times"]
    array([0. , 0.5, 1. ])
    """

    def __init__(self, path: PathLike, geometry: Optional[Mapping[str, Any]] = None, *, append: bool = False):
        self.path = Path(path)
        self._cache: Dict[str, Any] = {}
        #: Seconds between two writes of the ``Steps`` tables, at least (see :meth:`flush`).
        self.publish_interval = 0.1
        # Per step written and not yet published: its times and the first rows of its growing datasets.
        self._pending: List[Tuple[np.ndarray, Dict[str, np.ndarray]]] = []
        self._shapes: Dict[str, Tuple[int, ...]] = {}  # of the growing datasets, kept here (h5py asks HDF5)
        self._direct: Dict[str, bool] = {}
        self._values_per_step: Optional[Dict[str, int]] = None
        self._published_at = 0.0
        self._last_time = 0.0
        # Set by write_vtkhdf_series, whose file is forced to disk at the end: the writeback then starts as it
        # goes. A series written in place is left to the system, which writes it back in its own time.
        self._writeback: Optional[Writeback] = None
        if append:
            if geometry is not None:
                raise ValueError("geometry: not given when appending (the file has its geometry)")
            if not self.path.is_file():
                raise MissingFileError(self.path, "cannot be appended to: no such file")
            self._file = _open(self.path, "r+")
            self._descriptor = h5py_descriptor(self._file)
            try:
                self._load_state()
            except BaseException:
                self._file.close()
                raise
            return
        if geometry is None:
            raise ValueError("geometry: a new file needs its geometry (a surface, centerline, mesh or image dict)")
        self.kind = geometry_kind(geometry)
        plain = {key: value for key, value in geometry.items() if key != TIME_SERIES_KEY}
        datasets, static, active = _geometry_datasets(plain, self.kind)
        _check_names(plain, {section: {} for section in SECTIONS})
        warn_losses(self.path, "a VTKHDF time series", _losses(plain))
        self.index_order = str(plain.get("IndexOrder", "xyz")) if self.kind == "image" else "xyz"
        self.number_of_points = 0 if self.kind == "image" else int(datasets["NumberOfPoints"][0])
        self._file = _open(self.path, "w")
        self._descriptor = h5py_descriptor(self._file)
        try:
            self._reserve(sum(values.nbytes for values in datasets.values())
                          + sum(values.nbytes for arrays in static.values() for values in arrays.values()))
            self._create(datasets, static, active)
        except BaseException:
            self._file.close()
            raise

    # The layout of a new file: the geometry, the static arrays, and Steps with no step yet.
    def _create(self, datasets: Mapping[str, Any], static: Mapping[str, Mapping[str, np.ndarray]],
                active: Mapping[str, Mapping[str, str]]) -> None:
        root = self._cache[""] = self._file.create_group("VTKHDF")
        root.attrs["Version"] = np.array(VERSION, dtype=np.int64)
        hdf_type = HDF_TYPES[self.kind]
        root.attrs.create("Type", np.bytes_(hdf_type), dtype=_h5py().string_dtype("ascii", len(hdf_type)))
        writer = f"vmtkscripts_numpy {__version__}"
        root.attrs.create(WRITER_ATTRIBUTE, np.bytes_(writer), dtype=_h5py().string_dtype("ascii", len(writer)))
        for name, values in datasets.items():
            if name.startswith("@"):
                root.attrs[name[1:]] = values
            elif name == "Points":
                # Resizable: moving points append one block of rows per step.
                self._new(name, values, maxshape=(None, 3), chunks=_chunks(values.shape, values.dtype))
            else:
                self._new(name, values)
        steps = self._group("Steps")
        steps.attrs["NSteps"] = np.int64(0)
        columns = {"surface": 4, "centerlines": 4, "mesh": 1}.get(self.kind)
        for name in ("Values", "PartOffsets", "NumberOfParts", "PointOffsets"):
            self._new_table(f"Steps/{name}", np.float64 if name == "Values" else np.int64)
        if columns:
            for name in ("CellOffsets", "ConnectivityIdOffsets"):
                self._new_table(f"Steps/{name}", np.int64, columns)
        for section in SECTIONS:
            group = self._group(section)
            for role, name in active[section].items():  # as XML files mark them; VTK's HDF reader ignores them
                group.attrs[role] = np.bytes_(name.encode("utf-8"))
            for name, values in static[section].items():
                self._new(f"{section}/{name}", values[None] if self.kind == "image" else values)
                self._new_table(f"Steps/{section}Offsets/{name}", np.int64)
        self.static = {section: set(static[section]) for section in SECTIONS}
        self.changing: Dict[str, Dict[str, Tuple[Tuple[int, ...], np.dtype]]] = {section: {} for section in SECTIONS}
        self.moving = False
        self.steps = self._published = 0
        self._file.flush()

    def _reserve(self, nbytes: int) -> None:
        """Reserve the disk space of a large write ahead (see :mod:`vmtkscripts_numpy._preallocate`)."""
        if self._descriptor is not None and nbytes >= _RESERVE_FROM:
            reserve(self._descriptor, nbytes)

    def _load_state(self) -> None:
        root = self._file.get("VTKHDF")
        if root is None or "Steps" not in root:
            raise DataFileError(self.path, "is not a transient VTKHDF file (no /VTKHDF/Steps); cannot append")
        hdf_type = _attribute_text(root, "Type")
        kinds = {"PolyData": "surface", "UnstructuredGrid": "mesh", "ImageData": "image"}
        if hdf_type not in kinds:
            raise DataFileError(self.path, f"has VTKHDF Type {hdf_type!r}; expected PolyData, UnstructuredGrid "
                                           "or ImageData")
        self.kind = kinds[hdf_type]
        steps = root["Steps"]
        self.steps = self._published = int(steps.attrs["NSteps"])
        if self.steps:
            self._last_time = float(steps["Values"][self.steps - 1])
        if self.steps and np.any(steps["PartOffsets"][...] != 0):
            raise DataFileError(self.path, "has a geometry per step; only files with one geometry can be appended to")
        self.index_order = "xyz"
        self.number_of_points = 0 if self.kind == "image" else int(root["NumberOfPoints"][0])
        self.static, self.changing = {}, {}
        for section in SECTIONS:
            self.static[section], self.changing[section] = set(), {}
            for name, offsets in steps.get(f"{section}Offsets", {}).items():
                values = root[section][name]
                # The arrays that change are resizable (those written once are not): told apart also
                # after one step, whose offsets are all 0 as a static array's.
                if self.steps and (np.any(offsets[...] != 0) or values.maxshape[0] is None):
                    row = values.shape[1:] if self.kind == "image" else (values.shape[0] // self.steps,) + values.shape[1:]
                    self.changing[section][name] = (row, values.dtype)
                else:
                    self.static[section].add(name)
        self.moving = bool(self.steps > 1 and np.any(steps["PointOffsets"][...] != 0)) or (
            self.kind != "image" and root["Points"].shape[0] > self.number_of_points)

    def write_step(
        self,
        time: float,
        point_data: Optional[Mapping[str, Any]] = None,
        cell_data: Optional[Mapping[str, Any]] = None,
        points: Any = None,
    ) -> None:
        """Append one step: its time, the values of the arrays that change, and its points if they move.

        Parameters
        ----------
        time : float
            Greater than the last step's.
        point_data, cell_data : dict, optional
            ``{name: (N,) or (N, k) array}`` (an image's: shaped like its
            static arrays). The first step sets which arrays change; every
            later step gives the same names, shapes and dtypes.
        points : array_like, shape (N, 3), optional
            The points at this step; given at every step or at none.

        Raises
        ------
        ArrayDictError
            Naming the array, for a time not after the last, a name that is
            missing, new, static, or of another shape or dtype than before.
        """
        def block(arrays: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
            return {name: np.asarray(values)[None] for name, values in (arrays or {}).items()}

        step = self.steps
        self._write(np.array([time], dtype=np.float64), block(point_data), block(cell_data),
                    None if points is None else np.asarray(points)[None], lambda: f"step {step} (time {time!r})")

    def write_steps(
        self,
        times: Any,
        point_data: Optional[Mapping[str, Any]] = None,
        cell_data: Optional[Mapping[str, Any]] = None,
        points: Any = None,
        *,
        where: Optional[str] = None,
    ) -> None:
        """Append several steps at once: ``(S,)`` times and ``(S, ...)`` rows, as in a time-series ArrayDict.

        The same as :meth:`write_step` for each row, in fewer, larger writes.
        """
        times = np.asarray(times, dtype=np.float64).reshape(-1)
        first, count = self.steps, times.size
        self._write(times, point_data, cell_data, points, lambda: where or f"steps {first}..{first + count - 1}")

    def _write(self, times: np.ndarray, point_data: Optional[Mapping[str, Any]],
               cell_data: Optional[Mapping[str, Any]], points: Any, where_of: Callable[[], str]) -> None:
        """Check and append ``(S,)`` times and their ``(S, ...)`` rows; ``where_of()`` names them in errors.

        The arrays of the earlier steps, of the same shape and dtype, are
        checked first (a solver's loop pays for no other check); anything
        else goes through every check, which names what is wrong.
        """
        last = self._last_time if self.steps else None
        if not times.size:
            return
        if times.size == 1:  # a solver's step: its time checked without numpy's calls on arrays
            increasing = math.isfinite(times[0]) and (last is None or times[0] > last)
        else:
            increasing = bool(np.all(np.isfinite(times)) and np.all(np.diff(times) > 0)
                              and (last is None or times[0] > last))
        if not increasing:
            raise ArrayDictError(f"{where_of()} (time {times[0]!r}): times must be finite and increasing; "
                                 f"the last step's is {last!r}")
        rows: Dict[str, Dict[str, np.ndarray]] = {"PointData": {}, "CellData": {}}
        lost: List[str] = []
        for section, given in (("PointData", point_data), ("CellData", cell_data)):
            changing = self.changing[section]
            for name, values in (given or {}).items():
                values = np.asarray(values)
                if values.dtype == np.bool_:
                    lost.append(_bool_loss(section, name))
                block = _step_rows(values, self.kind, self.index_order)
                known = changing.get(name)
                if known is None or block.shape[1:] != known[0] or block.dtype != known[1] \
                        or block.shape[0] != times.size:
                    self._check_rows(section, name, block, times.size, key_path(where_of(), section, name))
                rows[section][name] = block
            if self.steps and len(rows[section]) != len(changing):
                missing = sorted(set(changing) - set(rows[section]))
                raise ArrayDictError(f"{key_path(where_of(), section)}: misses {missing}, given at earlier steps")
        warn_losses(self.path, "a VTKHDF time series", lost)
        if points is not None and self.kind == "image":
            raise ArrayDictError(f"{key_path(where_of(), 'Points')}: an image's points do not move")
        if self.steps and (points is not None) != self.moving:
            raise ArrayDictError(f"{key_path(where_of(), 'Points')}: points are given at every step or at none")
        if points is not None:
            points = np.asarray(points)
            expected = (times.size, self.number_of_points, 3)
            if points.shape != expected or points.dtype.kind != "f":
                raise ArrayDictError(f"{key_path(where_of(), 'Points')}: expected floats of shape {expected[1:]} "
                                     f"per step, found {points.dtype} {points.shape[1:]}")
        if not self.steps:
            self._first_step(rows, points is not None)
        self._append(rows, points, times)

    def _check_rows(self, section: str, name: str, block: np.ndarray, count: int, array_where: str) -> None:
        """Refuse, naming ``array_where``, rows that are not those of a changing array (every check)."""
        if name in self.static[section]:
            raise ArrayDictError(f"{array_where}: the geometry has an array of this name that does not "
                                 "change; an array either changes over time or not")
        if "/" in str(name) or str(name) in (".", ""):
            raise ArrayDictError(f"{array_where}: a VTKHDF file cannot hold this name (HDF5 takes '/' "
                                 "for a group); rename the array")
        if block.dtype.kind not in "iuf":
            raise ArrayDictError(f"{array_where}: expected numbers, found dtype {block.dtype}")
        if block.ndim < 1 or block.shape[0] != count:
            raise ArrayDictError(f"{array_where}: {block.shape[0] if block.ndim else 0} rows "
                                 f"for {count} times")
        if self.steps or self.changing[section]:
            if name not in self.changing[section]:
                raise ArrayDictError(f"{array_where}: not an array of the earlier steps "
                                     f"({sorted(self.changing[section])})")
            shape, dtype = self.changing[section][name]
            if block.shape[1:] != shape or block.dtype != dtype:
                raise ArrayDictError(f"{array_where}: {block.dtype} {block.shape[1:]}, "
                                     f"but {dtype} {shape} before")
        elif self.kind != "image" and (block.ndim < 2 or block.shape[1] != self._count[section]):
            raise ArrayDictError(f"{array_where}: expected {self._count[section]} values per step, "
                                 f"found shape {block.shape[1:]}")

    def _first_step(self, rows: Mapping[str, Mapping[str, np.ndarray]], moving: bool) -> None:
        """Create the datasets of the arrays that change, from the first step's rows."""
        for section in SECTIONS:
            for name, block in rows[section].items():
                row = block.shape[1:]
                if self.kind == "image":
                    shape, maxshape, chunk_row = (0,) + row, (None,) + row, (1,) + row
                else:
                    shape, maxshape, chunk_row = (0,) + row[1:], (None,) + row[1:], row
                self._new(f"{section}/{name}", shape=shape, maxshape=maxshape, dtype=block.dtype,
                          chunks=_chunks(chunk_row, block.dtype))
                self._new_table(f"Steps/{section}Offsets/{name}", np.int64)
                self.changing[section][name] = (row, block.dtype)
        # The geometry's own points stay as they are: the moving points follow them, one block per step.
        self.moving = moving

    def _dataset(self, name: str) -> Any:
        """The dataset (or group) ``/VTKHDF/name``, looked up once (h5py's look-ups cost more than a small write)."""
        found = self._cache.get(name)
        if found is None:
            found = self._cache[name] = self._file["VTKHDF"][name] if name else self._file["VTKHDF"]
        return found

    def _new(self, name: str, values: Optional[np.ndarray] = None, *, shape: Tuple[int, ...] = (),
             maxshape: Optional[Tuple[Optional[int], ...]] = None, dtype: Any = None,
             chunks: Optional[Tuple[int, ...]] = None) -> Any:
        """Create the dataset ``/VTKHDF/name``, holding ``values`` or empty, and remember it.

        Through h5py's low-level calls, as ``create_dataset`` makes it (no
        times recorded): its high-level checks cost more here than the file's
        thirty small datasets take to write.
        """
        h5py = _h5py()
        if values is not None:
            values = np.ascontiguousarray(values)
            shape, dtype = values.shape, values.dtype
        properties = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        properties.set_obj_track_times(False)
        if chunks:
            properties.set_chunk(chunks)
        limits = None if maxshape is None else tuple(h5py.h5s.UNLIMITED if n is None else n for n in maxshape)
        parent, _, base = name.rpartition("/")
        identifier = h5py.h5d.create(self._group(parent).id, base.encode("utf-8"),
                                     h5py.h5t.py_create(np.dtype(dtype), logical=True),
                                     h5py.h5s.create_simple(shape, limits), dcpl=properties, lcpl=_utf8_links())
        if values is not None and values.size:
            identifier.write(h5py.h5s.ALL, h5py.h5s.ALL, values)
        dataset = self._cache[name] = h5py.Dataset(identifier)
        return dataset

    def _group(self, name: str) -> Any:
        """The group ``/VTKHDF/name``, made if need be, remembered."""
        group = self._cache.get(name)
        if group is None:
            if not name:
                return self._dataset("")
            parent, _, base = name.rpartition("/")
            group = self._cache[name] = self._group(parent).require_group(base)
        return group

    def _new_table(self, name: str, dtype: Any, columns: int = 0) -> None:
        """Create an empty ``Steps`` table, one row per step."""
        row = (columns,) if columns else ()
        self._new(name, shape=(0,) + row, maxshape=(None,) + row, dtype=dtype, chunks=(1024,) + row)

    @property
    def _count(self) -> Dict[str, int]:
        """Values per step of a point and of a cell array (not for images)."""
        if self._values_per_step is None:
            root = self._dataset("")
            cells = (int(root["NumberOfCells"][0]) if self.kind == "mesh" else
                     sum(int(root[f"{t}/NumberOfCells"][0]) for t in POLY_TOPOLOGIES))
            self._values_per_step = {"PointData": self.number_of_points, "CellData": cells}
        return self._values_per_step

    def _append(self, rows: Mapping[str, Mapping[str, np.ndarray]], points: Optional[np.ndarray],
                times: np.ndarray) -> None:
        count = times.size
        image = self.kind == "image"
        starts: Dict[str, np.ndarray] = {}
        for section in SECTIONS:
            for name, block in rows[section].items():
                path = f"{section}/{name}"
                per_step = 1 if image else block.shape[1]
                start = self._grow(path, count * per_step)
                direct = self._direct.get(path)
                if direct is None:
                    direct = self._direct[path] = _writes_whole_chunks(self._dataset(path), block, per_step, image)
                self._reserve(block.nbytes)
                _write_rows(self._dataset(path), start, block, per_step, image, direct, self._writeback)
                starts[f"Steps/{section}Offsets/{name}"] = start + per_step * np.arange(count, dtype=np.int64)
        if points is not None:
            start = self._grow("Points", count * self.number_of_points)
            self._reserve(points.nbytes)
            self._dataset("Points")[start:] = points.reshape(-1, 3)
            starts["Steps/PointOffsets"] = start + self.number_of_points * np.arange(count, dtype=np.int64)
        self._pending.append((times, starts))
        self.steps += count
        self._last_time = float(times[-1])
        if time.monotonic() - self._published_at >= self.publish_interval:
            self.flush()

    def _grow(self, path: str, rows: int) -> int:
        """Add ``rows`` rows to the growing dataset ``/VTKHDF/path``; return the first of them."""
        shape = self._shapes.get(path)
        if shape is None:
            shape = tuple(self._dataset(path).shape)
        self._shapes[path] = (shape[0] + rows,) + shape[1:]
        self._dataset(path).id.set_extent(self._shapes[path])
        return shape[0]

    def _tables(self) -> Dict[str, np.ndarray]:
        """The rows of the ``Steps`` tables of the pending steps, the times last."""
        count = sum(times.size for times, _ in self._pending)
        zeros = np.zeros(count, np.int64)

        def joined(name: str) -> np.ndarray:
            return np.concatenate([starts[name] for _, starts in self._pending]) if count else zeros

        tables: Dict[str, np.ndarray] = {}
        for section in SECTIONS:
            for name in self.static[section]:
                tables[f"Steps/{section}Offsets/{name}"] = zeros
            for name in self.changing[section]:
                tables[f"Steps/{section}Offsets/{name}"] = joined(f"Steps/{section}Offsets/{name}")
        tables["Steps/PartOffsets"] = zeros
        tables["Steps/NumberOfParts"] = zeros + 1
        tables["Steps/PointOffsets"] = joined("Steps/PointOffsets") if self.moving else zeros
        if self.kind != "image":
            columns = 1 if self.kind == "mesh" else len(POLY_TOPOLOGIES)
            tables["Steps/CellOffsets"] = tables["Steps/ConnectivityIdOffsets"] = np.zeros((count, columns), np.int64)
        # The times last: a reader of a file cut short finds no step whose offsets are not written.
        tables["Steps/Values"] = np.concatenate([times for times, _ in self._pending]) if count else np.zeros(0)
        return tables

    def flush(self) -> None:
        """Write the ``Steps`` tables of the steps written since the last flush, and flush the file.

        The steps' values are in the file as soon as they are given; their
        ``Steps`` entries (what makes them steps for a reader) are written
        at most every ``publish_interval`` seconds (default 0.1 s), by this
        call, and by :meth:`close`: a slow solver's every step is readable
        at once, a fast loop does not pay ten small writes per step.
        """
        first = self._published
        for name, values in (self._tables() if self._pending else {}).items():
            _put(self._dataset(name), first, values)
        self._pending = []
        self._dataset("Steps").attrs["NSteps"] = np.int64(self.steps)
        self._published = self.steps
        self._file.flush()
        self._published_at = time.monotonic()

    def close(self) -> None:
        """Write what is pending and close the file."""
        if self._file:
            try:
                if self._pending:
                    self.flush()
            finally:
                self._file.close()
                release_unused(self.path)  # what this write, or an earlier one killed, reserved and did not use

    def __enter__(self) -> "VTKHDFSeriesWriter":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


def _utf8_links() -> Any:
    """Link-creation properties of names in UTF-8 (as h5py makes them)."""
    h5py = _h5py()
    properties = h5py.h5p.create(h5py.h5p.LINK_CREATE)
    properties.set_char_encoding(h5py.h5t.CSET_UTF8)
    return properties


def _writes_whole_chunks(dataset: Any, block: np.ndarray, per_step: int, image: bool) -> bool:
    """Whether a step of ``block`` is one whole, unfiltered HDF5 chunk of ``dataset``, of its dtype."""
    chunk = (1,) + block.shape[1:] if image else (per_step,) + block.shape[2:]
    return bool(dataset.chunks == chunk and dataset.dtype == block.dtype and dataset.compression is None)


def _write_rows(dataset: Any, start: int, block: np.ndarray, per_step: int, image: bool, direct: bool,
                writeback: Optional[Writeback] = None) -> None:
    """Write ``(S, ...)`` step rows from row ``start`` of a dataset: one HDF5 chunk per step where it is one.

    Where a step is one whole chunk (``direct``, see :func:`_writes_whole_chunks`)
    it is written as it is (``write_direct_chunk``: no chunk cache, no
    conversion, three times faster than a selection here); other layouts go
    through h5py's selection. ``writeback`` is told each step's bytes written.
    """
    if direct:
        rest = (0,) * (block.ndim - 1 if image else block.ndim - 2)
        for index in range(block.shape[0]):
            row = np.ascontiguousarray(block[index])
            dataset.id.write_direct_chunk((start + index * (1 if image else per_step),) + rest, row)
            if writeback is not None:
                writeback.wrote(row.nbytes)
        return
    flat = block if image else block.reshape((block.shape[0] * per_step,) + block.shape[2:])
    dataset[start:start + len(flat)] = flat
    if writeback is not None:
        writeback.wrote(flat.nbytes)


def _put(dataset: Any, first: int, values: np.ndarray) -> None:
    """Write ``values`` from row ``first`` of a resizable dataset, growing it as needed.

    Through h5py's low-level calls: its high-level ones cost about ten times
    more than writing the few numbers of a step's offsets. The tables of
    ``Steps`` have exactly ``NSteps`` rows: VTK's reader crashes on a
    ``Values`` longer than that.
    """
    h5py = _h5py()
    identifier = dataset.id
    space = identifier.get_space()
    shape = space.shape
    end = first + len(values)
    if shape[0] < end:
        shape = (end,) + tuple(shape[1:])
        identifier.set_extent(shape)
        space = identifier.get_space()
    values = np.ascontiguousarray(values, dtype=identifier.dtype)
    space.select_hyperslab((first,) + (0,) * (len(shape) - 1), values.shape)
    identifier.write(h5py.h5s.create_simple(values.shape), space, values)


def _chunks(row_shape: Tuple[int, ...], dtype: Any) -> Tuple[int, ...]:
    """HDF5 chunks of one step (at most :data:`_CHUNK_BYTES`) along the first axis."""
    other = int(np.prod(row_shape[1:], dtype=np.int64)) * np.dtype(dtype).itemsize
    first = max(1, min(max(int(row_shape[0]), 1), _CHUNK_BYTES // max(other, 1)))
    return (first,) + tuple(max(int(d), 1) for d in row_shape[1:])


def write_vtkhdf_series(series: Mapping[str, Any], path: PathLike) -> Path:
    """Write a time-series ArrayDict as one transient VTKHDF file, which ParaView >= 5.12 plays.

    The geometry and the arrays that do not change are written once; each
    step adds only the rows of the arrays that change (and its points, when
    they move). The file replaces ``path`` in one step: interrupted, ``path``
    is the old file or the new one.

    Parameters
    ----------
    series : dict
        A time-series ArrayDict of any kind (see
        :func:`~vmtkscripts_numpy.convert.timeseries.time_series_dict`).
    path : str or path-like
        The file (``.vtkhdf`` or ``.hdf``).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ArrayDictError
        For a bad series, naming the key, or an array name with a ``/``.
    DataFileError
        If the file cannot be written.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from vmtkscripts_numpy.sample_data import make_image
    >>> from vmtkscripts_numpy.convert.timeseries import time_series_dict
    >>> frames = np.zeros((3, 24, 20, 16), np.float32)                  # (T, *grid)
    >>> series = time_series_dict(make_image(), [0.0, 1.0, 2.0], {"Intensity": frames})
    >>> write_vtkhdf_series(series, os.path.join(tempfile.mkdtemp(), "scan.vtkhdf")).suffix
    '.vtkhdf'
    """
    from .._atomic import atomic_output

    times, arrays = check_time_series(series)
    _check_names(series, arrays)
    moving = series[TIME_SERIES_KEY].get("Points")
    target = Path(path)
    warn_losses(target, "a VTKHDF time series", _losses(series, arrays))
    with atomic_output(target) as temporary, warnings.catch_warnings():
        warnings.simplefilter("ignore", LossWarning)  # said above, with the target's name
        with VTKHDFSeriesWriter(temporary, series) as writer:
            writer._writeback = Writeback(writer._descriptor)
            writer.write_steps(times, arrays["PointData"], arrays["CellData"], moving, where="ArrayDict['TimeSeries']")
    return target


# --- reading -------------------------------------------------------------------------------------


def _open(path: Path, mode: str = "r") -> Any:
    """The file open, without HDF5's file lock where HDF5 allows.

    HDF5 locks a file open for writing against every other open, and refuses
    to mix locked and unlocked opens in a process. A writer flushes the steps
    one by one (the times last), so a reader opening the file between two
    steps finds the steps written so far.
    """
    h5py = _h5py()
    try:
        try:
            return h5py.File(path, mode, locking=False)
        except (TypeError, ValueError):  # an h5py or HDF5 without the option
            return h5py.File(path, mode)
    except FileNotFoundError as error:
        raise MissingFileError(path, f"cannot be read: {error.strerror or error}") from None
    except OSError as error:
        doing = "opened as an HDF5 file" if mode == "r" else "opened to write a time series"
        raise DataFileError(path, f"cannot be {doing} ({error})") from None


def _attribute_text(group: Any, name: str) -> Optional[str]:
    value = group.attrs.get(name)
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(()).item()
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return value if isinstance(value, str) else None


class _Reader:
    """What a transient VTKHDF file holds and where each step's rows are."""

    def __init__(self, handle: Any, path: Path):
        self.path = path
        root = handle.get("VTKHDF")
        if root is None:
            raise DataFileError(path, "is not a VTKHDF file (no /VTKHDF group)")
        self.root = root
        self.hdf_type = _attribute_text(root, "Type")
        # Files of this package mark what changes by how it is stored; others (VTK's writer stores every
        # array at every step) by values that differ between steps.
        self.ours = (_attribute_text(root, WRITER_ATTRIBUTE) or "").startswith("vmtkscripts_numpy")
        if self.hdf_type not in ("PolyData", "UnstructuredGrid", "ImageData"):
            raise DataFileError(path, f"has VTKHDF Type {self.hdf_type!r}; a time series is read from PolyData, "
                                      "UnstructuredGrid or ImageData")
        steps = root.get("Steps")
        self.geometry_offsets: Dict[str, np.ndarray] = {}
        if steps is None:
            self.times = np.zeros(1)
            self.offsets: Dict[str, Dict[str, np.ndarray]] = {section: {} for section in SECTIONS}
            self.point_offsets = np.zeros(1, np.int64)
        else:
            self.times = np.asarray(steps["Values"][...], dtype=np.float64)
            count = int(np.asarray(steps.attrs.get("NSteps", len(self.times))).reshape(()))
            self.times = self.times[:count]
            parts = steps.get("NumberOfParts")
            if parts is not None and np.any(np.asarray(parts[:count]) != 1):
                raise DataFileError(path, "has several parts per step; read a partitioned file with read_surface, "
                                          "read_mesh or read_image")
            self.offsets = {section: {name: np.asarray(steps[f"{section}Offsets"][name][:count])
                                      for name in steps.get(f"{section}Offsets", {})} for section in SECTIONS}
            self.point_offsets = np.asarray(steps["PointOffsets"][:count]) if "PointOffsets" in steps else (
                np.zeros(count, np.int64))
            # VTK's own writer writes the geometry at every step: each step then has its part and cells.
            for name in ("PartOffsets", "CellOffsets", "ConnectivityIdOffsets"):
                if name in steps:
                    values = np.asarray(steps[name][:count], dtype=np.int64)
                    self.geometry_offsets[name] = values.reshape(count, -1)
        if len(self.times) == 0:
            raise DataFileError(path, "holds no time step (Steps/NSteps is 0)")
        if np.any(np.diff(self.times) <= 0) or not np.all(np.isfinite(self.times)):
            raise DataFileError(path, f"has times that are not finite and increasing: {self.times}")

    def cells_per_step(self) -> bool:
        """Whether the file has cells of its own at each step (to be compared, they may be the same)."""
        return any(bool(np.any(values != values[:1])) for values in self.geometry_offsets.values())

    def _offset(self, name: str, step: int, column: int = 0) -> int:
        values = self.geometry_offsets.get(name)
        return int(values[step, column]) if values is not None else 0

    def _count(self, dataset: Any, step: int) -> int:
        """A ``NumberOf...`` value of the part of one step."""
        return int(np.asarray(dataset[self._offset("PartOffsets", step)]).reshape(-1)[0])

    def changing(self, section: str) -> List[str]:
        """The arrays stored at every step (the package's files: the resizable ones, whatever their values)."""
        if self.ours:
            return [name for name in self.offsets[section] if self.root[section][name].maxshape[0] is None]
        return [name for name, offsets in self.offsets[section].items()
                if len(offsets) > 1 and np.any(offsets != offsets[0])]

    def moving(self) -> bool:
        """Whether the points are stored at every step (the package's files: given at every step)."""
        if self.hdf_type == "ImageData":
            return False
        if self.ours:
            return bool(self.root["Points"].shape[0] > self.number_of("PointData"))
        return len(self.point_offsets) > 1 and bool(np.any(self.point_offsets != self.point_offsets[0]))

    def number_of(self, section: str, step: int = 0) -> int:
        if self.hdf_type == "ImageData":
            return 0
        if section == "PointData":
            return self._count(self.root["NumberOfPoints"], step)
        if self.hdf_type == "UnstructuredGrid":
            return self._count(self.root["NumberOfCells"], step)
        return sum(self._count(self.root[f"{t}/NumberOfCells"], step) for t in POLY_TOPOLOGIES if t in self.root)

    def rows(self, section: str, name: str, step: int) -> np.ndarray:
        """The values of one array at one step, as the file holds them."""
        dataset = self.root[section][name]
        offsets = self.offsets[section].get(name)
        start = int(offsets[step]) if offsets is not None and len(offsets) else 0
        if self.hdf_type == "ImageData":
            return np.asarray(dataset[start] if dataset.ndim >= 4 and offsets is not None else dataset[...])
        count = self.number_of(section, step)
        return np.asarray(dataset[start:start + count])

    def points(self, step: int) -> np.ndarray:
        start = int(self.point_offsets[step]) if len(self.point_offsets) else 0
        return np.asarray(self.root["Points"][start:start + self.number_of("PointData", step)])

    def cells(self, step: int) -> List[Tuple[np.ndarray, ...]]:
        """``(offsets, connectivity[, types])`` of each cell group of one step."""
        part = self._offset("PartOffsets", step)
        groups = [("", 0)] if self.hdf_type == "UnstructuredGrid" else [
            (f"{topology}/", column) for column, topology in enumerate(POLY_TOPOLOGIES) if topology in self.root]
        found: List[Tuple[np.ndarray, ...]] = []
        for prefix, column in groups:
            cells = self._count(self.root[f"{prefix}NumberOfCells"], step)
            ids = self._count(self.root[f"{prefix}NumberOfConnectivityIds"], step)
            cell_start = self._offset("CellOffsets", step, column)
            id_start = self._offset("ConnectivityIdOffsets", step, column)
            # Each part's offsets have one entry more than its cells.
            offsets = np.asarray(self.root[f"{prefix}Offsets"][cell_start + part:cell_start + part + cells + 1],
                                 dtype=np.int64)
            connectivity = np.asarray(self.root[f"{prefix}Connectivity"][id_start:id_start + ids], dtype=np.int64)
            entry: Tuple[np.ndarray, ...] = (offsets, connectivity)
            if not prefix:
                entry += (np.asarray(self.root["Types"][cell_start:cell_start + cells], dtype=np.uint8),)
            found.append(entry)
        return found

    def geometry(self, step: int) -> Any:
        """The VTK object of one step: its geometry and every array."""
        from ..convert.arrays import numpy_to_vtk

        data = self._vtk_geometry(step)
        for section, attributes in (("PointData", data.GetPointData()), ("CellData", data.GetCellData())):
            group = self.root.get(section, {})
            for name in group:
                values = self.rows(section, name, step)
                if self.hdf_type == "ImageData":
                    grid = values.shape[:3]
                    values = values.reshape((int(np.prod(grid)),) + values.shape[3:])
                attributes.AddArray(numpy_to_vtk(np.ascontiguousarray(values), name,
                                                 where=f"{self.path}: {section}/{name}"))
            for index in range(attributes.NUM_ATTRIBUTES):
                marked = group.attrs.get(attributes.GetAttributeTypeAsString(index)) if group else None
                if isinstance(marked, (bytes, np.bytes_)) and marked.decode("utf-8", "replace") in group:
                    attributes.SetActiveAttribute(marked.decode("utf-8", "replace"), index)
        return data

    def _vtk_geometry(self, step: int) -> Any:
        from ..convert.arrays import numpy_to_vtk
        from ..convert.cells import numpy_to_cell_array

        if self.hdf_type == "ImageData":
            from vtkmodules.vtkCommonDataModel import vtkImageData

            image = vtkImageData()
            image.SetExtent(*[int(v) for v in np.asarray(self.root.attrs["WholeExtent"])])
            image.SetOrigin(*[float(v) for v in np.asarray(self.root.attrs.get("Origin", np.zeros(3)))])
            image.SetSpacing(*[float(v) for v in np.asarray(self.root.attrs.get("Spacing", np.ones(3)))])
            if "Direction" in self.root.attrs:
                image.SetDirectionMatrix(*[float(v) for v in np.asarray(self.root.attrs["Direction"]).ravel()])
            return image
        from vtkmodules.vtkCommonCore import vtkPoints
        from vtkmodules.vtkCommonDataModel import vtkCellArray

        def cell_array(offsets: np.ndarray, connectivity: np.ndarray) -> Any:
            return numpy_to_cell_array(offsets, connectivity) if len(offsets) else vtkCellArray()

        cells = self.cells(step)

        points = vtkPoints()
        points.SetData(numpy_to_vtk(np.ascontiguousarray(self.points(step)), share=False))
        if self.hdf_type == "UnstructuredGrid":
            from vtkmodules.vtkCommonDataModel import vtkUnstructuredGrid

            grid = vtkUnstructuredGrid()
            grid.SetPoints(points)
            offsets, connectivity, types = cells[0]
            grid.SetCells(numpy_to_vtk(types, share=False), cell_array(offsets, connectivity))
            return grid
        from vtkmodules.vtkCommonDataModel import vtkPolyData

        poly = vtkPolyData()
        poly.SetPoints(points)
        setters = dict(zip(POLY_TOPOLOGIES, (poly.SetVerts, poly.SetLines, poly.SetPolys, poly.SetStrips)))
        for topology, (offsets, connectivity) in zip([t for t in POLY_TOPOLOGIES if t in self.root], cells):
            setters[topology](cell_array(offsets, connectivity))
        return poly

    def kind(self, data: Any) -> str:
        if self.hdf_type == "ImageData":
            return "image"
        if self.hdf_type == "UnstructuredGrid":
            return "mesh"
        only_lines = data.GetNumberOfCells() > 0 and data.GetNumberOfCells() == data.GetNumberOfLines()
        return "centerlines" if only_lines else "surface"


class _StepOutOfRange(IndexError):
    """A step index the file has not (not a fault of the file)."""


def _guarded(path: PathLike, read: Any) -> Any:
    target = Path(path)
    with _open(target) as handle:
        try:
            return read(_Reader(handle, target))
        except (KeyError, ValueError, TypeError, IndexError) as error:
            if isinstance(error, (ArrayDictError, _StepOutOfRange)):
                raise
            raise DataFileError(target, f"is not a VTKHDF time series this package reads ({error})") from None


def read_vtkhdf_step(path: PathLike, step: int) -> Dict[str, Any]:
    """One step of a transient VTKHDF file as a plain ArrayDict, reading only that step's rows.

    Parameters
    ----------
    path : str or path-like
        A VTKHDF file (of this package, VTK's writer, ParaView, PyVista...).
    step : int
        The index into the times (negative counts from the end).

    Returns
    -------
    dict
        A surface, centerline, mesh or image ArrayDict: the geometry at that
        step and every array's values then.

    Raises
    ------
    DataFileError
        Naming the file: not VTKHDF, no step, several parts per step, cells
        that change over time.
    IndexError
        For a step out of range.
    """
    def read(reader: _Reader) -> Dict[str, Any]:
        count = len(reader.times)
        if not isinstance(step, (int, np.integer)) or not -count <= step < count:
            raise _StepOutOfRange(f"step {step!r} is out of range for the {count} steps of {reader.path}")
        data = reader.geometry(int(step) % count)
        return layout.to_dict(data, reader.kind(data))

    return _guarded(path, read)


def read_vtkhdf_series(path: PathLike) -> Dict[str, Any]:
    """Read a transient VTKHDF file on one geometry as a time-series ArrayDict.

    The arrays whose offsets change from step to step become ``(T, ...)``
    arrays of ``TimeSeries``; the others (written once) are the geometry's.
    Points that move become ``TimeSeries['Points']``. A VTKHDF file without
    ``Steps`` reads as a series of one step.

    Raises
    ------
    DataFileError
        Naming the file: not VTKHDF, no step, several parts per step, cells
        that change over time.

    Examples
    --------
    >>> read_vtkhdf_series("run.vtkhdf")["TimeSeries"]["Times"]  # doctest: +SKIP
    array([0. , 0.1, 0.2])
    """
    def read(reader: _Reader) -> Dict[str, Any]:
        count = len(reader.times)
        if reader.cells_per_step():
            first_cells = reader.cells(0)
            for step in range(1, count):
                if not all(np.array_equal(a, b) for got, want in zip(reader.cells(step), first_cells)
                           for a, b in zip(got, want)) or len(reader.cells(step)) != len(first_cells):
                    raise DataFileError(reader.path, f"has other cells at step {step} (time {reader.times[step]!r}) "
                                                     "than at the first; a time series has one geometry "
                                                     "(points may move)")
        first = reader.geometry(0)
        kind = reader.kind(first)
        changing = {section: [name for name in reader.changing(section)
                              if reader.ours or not _same_at_every_step(reader, section, name)]
                    for section in SECTIONS}
        for section, attributes in (("PointData", first.GetPointData()), ("CellData", first.GetCellData())):
            for name in changing[section]:
                attributes.RemoveArray(name)
        geometry = layout.to_dict(first, kind)
        time_arrays: Dict[str, Dict[str, np.ndarray]] = {}
        for section in SECTIONS:
            time_arrays[section] = {}
            for name in changing[section]:
                rows = np.stack([reader.rows(section, name, step) for step in range(len(reader.times))])
                if reader.hdf_type == "ImageData" and geometry.get("IndexOrder", "xyz") != "zyx":
                    rows = rows.transpose((0, 3, 2, 1) + tuple(range(4, rows.ndim)))
                time_arrays[section][name] = rows
        points = None
        if reader.moving():
            points = np.stack([reader.points(step) for step in range(len(reader.times))])
            if not reader.ours and all(np.array_equal(row, points[0]) for row in points[1:]):
                points = None
        return time_series_dict(geometry, reader.times, time_arrays["PointData"], time_arrays["CellData"], points)

    return _guarded(path, read)


def _same_at_every_step(reader: _Reader, section: str, name: str) -> bool:
    """Whether an array written at every step (as VTK's writer does) has the same values at every step."""
    first = reader.rows(section, name, 0)
    for step in range(1, len(reader.times)):
        values = reader.rows(section, name, step)
        if values.shape != first.shape or not np.array_equal(values, first, equal_nan=values.dtype.kind == "f"):
            return False
    return True


def read(path: PathLike) -> Dict[str, Any]:
    """The registry's reader of transient VTKHDF files (:mod:`vmtkscripts_numpy.formats`)."""
    return read_vtkhdf_series(path)


def write(series: Mapping[str, Any], path: PathLike, mode: str = "binary") -> Path:
    """The registry's writer: ``series`` to the transient VTKHDF file ``path`` (``mode`` is not used)."""
    return write_vtkhdf_series(series, path)


__all__ = ["VTKHDFSeriesWriter", "write_vtkhdf_series", "read_vtkhdf_series", "read_vtkhdf_step"]
