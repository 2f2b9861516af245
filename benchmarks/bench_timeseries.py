"""A time series on one surface: the transient VTKHDF file against its raw bytes, np.save, and a .pvd series.

Run from the project root::

    python -m benchmarks.bench_timeseries                       # 100 steps of a 1M-triangle tube, one scalar
    python -m benchmarks.bench_timeseries --triangles 1e5 --steps 20 --pvd-steps 5

The series is the tube of :func:`benchmarks.data.surface_dict` (float32
points, int64 triangles, one static float32 vector per point) and one float32
scalar per point and step. Printed:

- **size**: the VTKHDF file against the raw bytes it must hold: the geometry
  as VTK stores it (points, int64 offsets and connectivity, its point and cell
  arrays) plus ``T × N × 4`` bytes of scalar (target: within 10%, uncompressed);
- **write speed**: :func:`write_vtkhdf_series` (atomic, forced to disk) and
  :class:`VTKHDFSeriesWriter` (in place, as ``np.save`` writes), a step per
  call and all steps in one, against ``np.save`` of every array of the series,
  one ``.npy`` file each, with and without ``fsync`` (target: at least 0.7×
  the speed of ``np.save``, that is at most 1/0.7 of its time);
- **the .pvd of today**: :func:`write_pvd_series` of the first ``--pvd-steps``
  steps (every step a whole ``.vtp``), its size and time, and both scaled to
  all the steps.

Times are the fastest of ``--runs`` runs, the writes taking turns (the machine
is shared); each write makes a new file (:func:`benchmarks.measure.new_file_ahead`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List

import numpy as np

from . import data, measure

SIZE_TARGET = 1.10  # file bytes / raw bytes
SPEED_TARGET = 0.7  # × the speed of np.save


def make_series(triangles: int, steps: int) -> Dict[str, Any]:
    from vmtkscripts_numpy.convert.timeseries import time_series_dict

    surface = data.surface_dict(triangles)
    points = len(surface["Points"])
    phase = np.linspace(0.0, 2.0 * np.pi, steps, endpoint=False, dtype=np.float32)[:, None]
    height = surface["Points"][None, :, 2]
    pressure = (90.0 + 30.0 * np.sin(phase - height)).astype(np.float32)  # (T, N)
    assert pressure.shape == (steps, points)
    return time_series_dict(surface, np.linspace(0.0, 1.0, steps, endpoint=False), {"Pressure": pressure})


def raw_bytes(series: Dict[str, Any]) -> Dict[str, int]:
    """The bytes a file must hold: the geometry as VTK stores it (with its arrays), and the scalar."""
    cells = len(series["CellData"]["CellPointIds"])
    geometry = (series["Points"].nbytes + series["CellData"]["CellPointIds"].size * 8 + (cells + 1) * 8
                + sum(values.nbytes for section in ("PointData", "CellData")
                      for name, values in series[section].items() if name != "CellPointIds"))
    scalar = series["TimeSeries"]["PointData"]["Pressure"].nbytes
    return {"geometry": geometry, "scalar": scalar}


def every_array(arrays: Dict[str, Any], prefix: str = "") -> Dict[str, np.ndarray]:
    """The arrays of a nested dict, by their ``a.b.c`` key paths."""
    found: Dict[str, np.ndarray] = {}
    for key, value in arrays.items():
        if isinstance(value, dict):
            found.update(every_array(value, f"{prefix}{key}."))
        elif isinstance(value, np.ndarray):
            found[f"{prefix}{key}"] = value
    return found


def np_save_all(series: Dict[str, Any], folder: Path, sync: bool) -> None:
    """``np.save`` of every array of the series, each to its own ``.npy`` file."""
    for name, values in every_array(series).items():
        path = folder / f"{name}.npy"
        with open(path, "wb") as stream:
            np.save(stream, values)
            if sync:
                stream.flush()
                os.fsync(stream.fileno())


def stream_steps(series: Dict[str, Any], path: Path, at_once: bool = False) -> None:
    """The series through :class:`VTKHDFSeriesWriter`: a step per call, or all of them in one."""
    from vmtkscripts_numpy.vtkfiles.vtkhdf_series import VTKHDFSeriesWriter

    times, pressure = series["TimeSeries"]["Times"], series["TimeSeries"]["PointData"]["Pressure"]
    with VTKHDFSeriesWriter(path, series) as writer:
        if at_once:
            writer.write_steps(times, {"Pressure": pressure})
        else:
            for step, time_value in enumerate(times):
                writer.write_step(time_value, {"Pressure": pressure[step]})


def folder_bytes(folder: Path) -> int:
    return sum(file.stat().st_size for file in folder.rglob("*") if file.is_file())


def main(argv: List[str] = None) -> None:
    from vmtkscripts_numpy.convert.timeseries import time_series_dict
    from vmtkscripts_numpy.vtkfiles.pvd import write_pvd_series
    from vmtkscripts_numpy.vtkfiles.vtkhdf_series import read_vtkhdf_step, write_vtkhdf_series

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triangles", type=float, default=1e6)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--pvd-steps", type=int, default=10, help="steps of the .pvd series written (scaled up)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--folder", default=None, help="where to write (default: a new temporary folder)")
    args = parser.parse_args(argv)

    series = make_series(int(args.triangles), args.steps)
    raw = raw_bytes(series)
    total_raw = raw["geometry"] + raw["scalar"]
    folder = Path(args.folder or tempfile.mkdtemp(prefix="bench-timeseries-"))
    folder.mkdir(parents=True, exist_ok=True)
    hdf, streamed, npy = folder / "series.vtkhdf", folder / "streamed.vtkhdf", folder / "npy"
    npy.mkdir(exist_ok=True)
    points, cells = len(series["Points"]), len(series["CellData"]["CellPointIds"])
    print(f"{args.steps} steps of a surface of {points} points and {cells} triangles, one float32 scalar "
          f"({measure.machine().get('CPU', '')})")

    def clean(*paths: Path) -> Callable[[], None]:
        return lambda: measure.new_file_ahead(*[str(path) for path in paths])

    npy_files = [npy / f"{name}.npy" for name in every_array(series)]
    # The writes take turns, so that each sees the same load of the (shared) machine.
    writes = {"npy": lambda: np_save_all(series, npy, sync=False),
              "npy+fsync": lambda: np_save_all(series, npy, sync=True),
              "atomic": lambda: write_vtkhdf_series(series, hdf), "steps": lambda: stream_steps(series, streamed),
              "at once": lambda: stream_steps(series, streamed, at_once=True)}
    cleanups = {"npy": clean(*npy_files), "npy+fsync": clean(*npy_files), "atomic": clean(hdf),
                "steps": clean(streamed), "at once": clean(streamed)}
    best = {key: seconds for key, (seconds, _) in measure.best_times(
        writes, budget=float("inf"), max_runs=args.runs, once_over=float("inf"), before=cleanups).items()}
    t_npy, t_npy_sync, t_hdf = best["npy"], best["npy+fsync"], best["atomic"]
    size = hdf.stat().st_size
    npy_size = sum(file.stat().st_size for file in npy_files)

    start = time.perf_counter()
    read_vtkhdf_step(hdf, args.steps // 2)
    t_step = time.perf_counter() - start

    pvd_steps = max(1, min(args.pvd_steps, args.steps))
    part = time_series_dict({key: value for key, value in series.items() if key != "TimeSeries"},
                            series["TimeSeries"]["Times"][:pvd_steps],
                            {"Pressure": series["TimeSeries"]["PointData"]["Pressure"][:pvd_steps]})
    pvd_folder = folder / "pvd"

    def clean_pvd() -> None:
        shutil.rmtree(pvd_folder, ignore_errors=True)
        os.sync()

    clean_pvd()
    start = time.perf_counter()
    write_pvd_series(part, pvd_folder, "series")
    t_pvd = time.perf_counter() - start
    pvd_size = folder_bytes(pvd_folder)
    scale = args.steps / pvd_steps

    mb = 1e6
    print(f"raw bytes: geometry {raw['geometry'] / mb:.1f} MB + scalar {raw['scalar'] / mb:.1f} MB "
          f"= {total_raw / mb:.1f} MB")
    ratio = size / total_raw
    print(f"VTKHDF file: {size / mb:.1f} MB = {ratio:.3f} × raw "
          f"(target ≤ {SIZE_TARGET:.2f}: {'met' if ratio <= SIZE_TARGET else 'missed'}); "
          f"np.save files {npy_size / mb:.1f} MB")
    labels = (("write_vtkhdf_series (atomic, fsync)", t_hdf), ("VTKHDFSeriesWriter, step by step", best["steps"]),
              ("VTKHDFSeriesWriter, all in one call", best["at once"]))
    for label, seconds in labels:
        speed = t_npy / seconds
        print(f"{label:38s} {seconds * 1e3:8.0f} ms = {speed:.2f} × the speed of np.save ({t_npy * 1e3:.0f} ms; "
              f"target ≥ {SPEED_TARGET}: {'met' if speed >= SPEED_TARGET else 'missed'}), "
              f"{t_npy_sync / seconds:.2f} × np.save + fsync ({t_npy_sync * 1e3:.0f} ms)")
    print(f"read_vtkhdf_step, one step of {args.steps}: {t_step * 1e3:.0f} ms")
    print(f".pvd of {pvd_steps} steps: {pvd_size / mb:.1f} MB in {t_pvd * 1e3:.0f} ms; scaled to {args.steps} steps: "
          f"{pvd_size * scale / mb:.1f} MB ({pvd_size * scale / size:.1f} × the VTKHDF file), "
          f"{t_pvd * scale * 1e3:.0f} ms ({t_pvd * scale / t_hdf:.1f} × its write)")
    if not args.folder:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
