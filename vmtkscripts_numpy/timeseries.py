"""Data that changes over time on one geometry: one ArrayDict, one HDF5 file, and a series ParaView plays.

A *time-series ArrayDict* is an ArrayDict of any kind (surface, centerlines,
mesh, image) — the geometry and the arrays that do not change — plus one
section, ``TimeSeries``:

- ``TimeSeries['Times']``: the times, float64 ``(T,)``, finite and strictly increasing;
- ``TimeSeries['PointData'][name]``: ``(T, N)`` or ``(T, N, k)``, the values of
  a point data array at every time (an image's: ``(T, *grid[, k])``);
- ``TimeSeries['CellData'][name]``: ``(T, M)`` or ``(T, M, k)``, the same for cell data;
- ``TimeSeries['Points']``, optional: ``(T, N, 3)``, points that move.

Row ``t`` of every array belongs to ``Times[t]``. It is an ordinary nested dict
of arrays, so :func:`vmtkscripts_numpy.write_array_dict` stores it in one HDF5
(or npz, or pickle) file and :func:`vmtkscripts_numpy.read_array_dict` gives
it back. The geometry is stored once, whatever the number of steps.

- :func:`time_series_dict` builds one from a surface and ``(T, N)`` arrays;
  :func:`stack_time_steps` turns ``{time: {name: (N,) array}}`` into those arrays;
- :func:`time_step` gives the ArrayDict of one step (views, no copies);
- :func:`write_vtkhdf_series` writes one transient VTKHDF file (the geometry
  once, each step its arrays), :class:`VTKHDFSeriesWriter` step by step or
  appending, :func:`read_vtkhdf_series` / :func:`read_vtkhdf_step` read one
  back, whoever wrote it;
- :func:`write_pvd_series` writes a ParaView collection: ``name.pvd`` and one
  ``.vtp`` (``.vtu``, ``.vti``) per step in the folder ``name/`` beside it;
  :func:`read_pvd_series` / :func:`read_pvd_step` read one back;
- :func:`write_file_series` / :func:`read_file_series` do the same for
  ParaView's JSON file series (``name.vtp.series``);
- :func:`read_step_files` reads a folder (or glob) of one file per step;
- :func:`write_time_series` / :func:`read_time_series` choose the format by
  extension (``.vtkhdf``, ``.pvd``, ``.series``).

The dict part lives beside the converters (:mod:`vmtkscripts_numpy.convert.timeseries`),
the files beside the other VTK files (:mod:`vmtkscripts_numpy.vtkfiles.pvd`,
:mod:`vmtkscripts_numpy.vtkfiles.vtkhdf_series`); this module offers them all.

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

from .convert.timeseries import (
    SECTIONS,
    TIME_SERIES_KEY,
    check_time_series,
    stack_time_steps,
    time_series_dict,
    time_step,
)
from .vtkfiles.fileseries import read_file_series, read_file_series_step, write_file_series
from .vtkfiles.pvd import read_pvd_series, read_pvd_step, write_pvd_series
from .vtkfiles.series_io import read_time_series, write_time_series
from .vtkfiles.step_files import read_step_files
from .vtkfiles.vtkhdf_series import VTKHDFSeriesWriter, read_vtkhdf_series, read_vtkhdf_step, write_vtkhdf_series

__all__ = [
    "TIME_SERIES_KEY",
    "time_series_dict",
    "stack_time_steps",
    "check_time_series",
    "time_step",
    "write_pvd_series",
    "read_pvd_series",
    "read_pvd_step",
    "write_file_series",
    "read_file_series",
    "read_file_series_step",
    "read_step_files",
    "write_time_series",
    "read_time_series",
    "write_vtkhdf_series",
    "read_vtkhdf_series",
    "read_vtkhdf_step",
    "VTKHDFSeriesWriter",
]
