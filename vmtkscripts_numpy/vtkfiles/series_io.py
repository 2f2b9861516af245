"""Time-series files of every format, by name or extension: one transient VTKHDF file, ``.pvd``, ``.series``.

:func:`write_time_series` and :func:`read_time_series` find the format in the
package's registry (:mod:`vmtkscripts_numpy.formats`, kind ``timeseries``):

=========  ==========================  =====================================================
format     extensions                  what is written
=========  ==========================  =====================================================
vtkhdf     ``.vtkhdf``, ``.hdf``       one HDF5 file, the geometry once, each step its arrays
pvd        ``.pvd``                    a ParaView collection and one VTK XML file per step
series     ``.series``                 a ParaView file series (JSON) and one file per step
=========  ==========================  =====================================================

Examples
--------
>>> import numpy as np, tempfile, os
>>> from vmtkscripts_numpy.sample_data import make_vessel_surface
>>> from vmtkscripts_numpy.convert.timeseries import time_series_dict
>>> series = time_series_dict(make_vessel_surface(), [0.0, 0.1], {"Pressure": np.zeros((2, 960))})
>>> folder = tempfile.mkdtemp()
>>> [write_time_series(series, os.path.join(folder, name)).name for name in ("a.vtkhdf", "b.pvd", "c.vtp.series")]
['a.vtkhdf', 'b.pvd', 'c.vtp.series']
>>> read_time_series(os.path.join(folder, "c.vtp.series"), step=1)["PointData"]["Pressure"].shape
(960,)
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

from .. import formats
from .._typing import PathLike

KIND = "timeseries"
#: The function reading one step of each format, as ``module:function`` of this package's vtkfiles.
STEP_READERS = {
    "vtkhdf": "vtkhdf_series:read_vtkhdf_step",
    "pvd": "pvd:read_pvd_step",
    "series": "fileseries:read_file_series_step",
}


def time_series_format(path: PathLike, format: Optional[str] = None, operation: str = "read") -> formats.FileFormat:
    """The registry's time-series format named ``format``, or that of ``path`` (its extension, its content)."""
    return formats.find(KIND, path, format, operation)


def write_time_series(series: Mapping[str, Any], path: PathLike, format: Optional[str] = None,
                      mode: str = "binary") -> Path:
    """Write a time-series ArrayDict in the format of ``path`` (or ``format``); return the file written.

    ``mode`` (``"binary"`` or ``"ascii"``) is for the VTK XML step files of
    ``.pvd`` and ``.series``.
    """
    chosen = time_series_format(path, format, "write")
    return Path(chosen.write(series, path, mode))


def read_time_series(path: PathLike, format: Optional[str] = None, step: Optional[int] = None) -> Dict[str, Any]:
    """Read a time-series file as a time-series ArrayDict, or only step ``step`` of it as a plain ArrayDict."""
    chosen = time_series_format(path, format, "read")
    if step is None:
        return chosen.read(path)
    module, function = STEP_READERS[chosen.name].split(":")
    return getattr(importlib.import_module(f"vmtkscripts_numpy.vtkfiles.{module}"), function)(path, step)


__all__ = ["write_time_series", "read_time_series", "time_series_format"]
