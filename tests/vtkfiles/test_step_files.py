"""Series of one file per step: .pvd and .series of every kind, and the folder a solver or vmtk leaves.

Each kind (a surface, centerlines, a mesh whose points move, an image) goes
out as a ParaView collection and as a ParaView file series and comes back as
the same time-series ArrayDict, whole or one step; a folder of per-step files
reads as one series; a step on other cells is named.
"""

import json

import numpy as np
import pytest

from vmtkscripts_numpy.convert import layout
from vmtkscripts_numpy.convert.image import image_to_dict
from vmtkscripts_numpy.convert.mesh import mesh_to_dict
from vmtkscripts_numpy.convert.polydata import centerlines_to_dict, polydata_to_dict
from vmtkscripts_numpy.convert.timeseries import time_series_dict, time_step
from vmtkscripts_numpy.errors import DataFileError, MissingFileError
from vmtkscripts_numpy.sample_data import make_centerlines, make_image, make_mesh, make_vessel_surface
from vmtkscripts_numpy.vtkfiles.series_io import read_time_series, write_time_series
from vmtkscripts_numpy.vtkfiles.step_files import read_step_dict, read_step_files, step_objects, write_step_file

TIMES = np.array([0.0, 0.1, 1.0 / 3.0])
RNG = np.random.default_rng(4)


def make(kind):
    if kind == "surface":
        surface = polydata_to_dict(make_vessel_surface())
        return time_series_dict(surface, TIMES, {"Pressure": RNG.random((3, 960)).astype(np.float32)},
                                {"Flag": RNG.integers(0, 3, (3, len(surface["CellData"]["CellPointIds"])))})
    if kind == "centerlines":
        centerlines = centerlines_to_dict(make_centerlines())
        return time_series_dict(centerlines, TIMES, {"Flow": RNG.random((3, len(centerlines["Points"])))})
    if kind == "mesh":
        mesh = mesh_to_dict(make_mesh())
        moving = (mesh["Points"][None] + RNG.random((3, len(mesh["Points"]), 3))).astype(mesh["Points"].dtype)
        return time_series_dict(mesh, TIMES, {"Velocity": RNG.random((3, len(mesh["Points"]), 3))},
                                {"Pressure": RNG.random((3, len(mesh["Cells"]["CellTypes"])))}, points=moving)
    image = image_to_dict(make_image())
    return time_series_dict(image, TIMES, {"Intensity": RNG.random((3, 24, 20, 16)).astype(np.float32)})


KINDS = ["surface", "centerlines", "mesh", "image"]


def assert_same_series(back, series):
    np.testing.assert_array_equal(back["TimeSeries"]["Times"], series["TimeSeries"]["Times"])
    for section in ("PointData", "CellData"):
        assert sorted(back["TimeSeries"][section]) == sorted(series["TimeSeries"][section])
        for name, values in series["TimeSeries"][section].items():
            np.testing.assert_array_equal(back["TimeSeries"][section][name], values, err_msg=name)
            assert back["TimeSeries"][section][name].dtype == values.dtype
        for name in series[section]:
            if name != "CellPointIds":
                np.testing.assert_array_equal(back[section][name], series[section][name], err_msg=name)
    if "Points" in series["TimeSeries"]:
        np.testing.assert_array_equal(back["TimeSeries"]["Points"], series["TimeSeries"]["Points"])
    assert layout.guess_kind(back) == layout.guess_kind(series)


@pytest.mark.parametrize("name", ["run.pvd", "run.vtp.series", "run.vtkhdf"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_goes_out_and_back_in_every_time_series_format(tmp_path, kind, name):
    series = make(kind)
    path = write_time_series(series, tmp_path / name)
    assert_same_series(read_time_series(path), series)
    step = read_time_series(path, step=-1)
    for section in ("PointData", "CellData"):
        for array, values in time_step(series, 2)[section].items():
            if array != "CellPointIds":
                np.testing.assert_array_equal(step[section][array], values, err_msg=array)


def test_a_series_file_names_each_step_and_its_time_exactly(tmp_path):
    path = write_time_series(make("mesh"), tmp_path / "cfd.vtu.series")
    assert path.name == "cfd.vtu.series"
    content = json.loads(path.read_text())
    assert content["file-series-version"] == "1.0"
    assert [entry["time"] for entry in content["files"]] == TIMES.tolist()
    assert all((tmp_path / entry["name"]).is_file() and entry["name"].endswith(".vtu") for entry in content["files"])


def test_a_folder_of_one_file_per_step_reads_as_one_series(tmp_path):
    series = make("mesh")
    for step, (_, mesh) in enumerate(step_objects(series)):
        write_step_file(mesh, "mesh", tmp_path / f"cfd_{step + 8}.vtu")  # cfd_8, cfd_9, cfd_10: natural order
    (tmp_path / "notes.txt").write_text("not a step")
    back = read_step_files(tmp_path, times=TIMES)
    assert_same_series(back, series)
    back = read_step_files(str(tmp_path / "cfd_*.vtu"))
    assert back["TimeSeries"]["Times"].tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(MissingFileError, match="names no step file"):
        read_step_files(str(tmp_path / "none_*.vtu"))
    with pytest.raises(ValueError, match="2 times for 3 files"):
        read_step_files(tmp_path, times=[0.0, 1.0])


def test_steps_on_other_cells_are_named(tmp_path):
    series = make("mesh")
    for step, (_, mesh) in enumerate(step_objects(series)):
        write_step_file(mesh, "mesh", tmp_path / f"cfd_{step}.vtu")
    other = read_step_dict(tmp_path / "cfd_2.vtu")
    other["Cells"]["CellPointIds"] = other["Cells"]["CellPointIds"].copy()
    other["Cells"]["CellPointIds"][[1, 2]] = other["Cells"]["CellPointIds"][[2, 1]]  # one cell, turned
    write_step_file(layout.from_dict(other, "mesh"), "mesh", tmp_path / "cfd_2.vtu")
    with pytest.raises(DataFileError, match=r"cfd_2\.vtu: has another Cells than the first step"):
        read_step_files(tmp_path)


def test_a_series_file_that_is_not_one_is_named(tmp_path):
    bad = tmp_path / "bad.vtp.series"
    bad.write_text('{"files": [{"name": "a.vtp", "time": "soon"}]}')
    with pytest.raises(DataFileError, match=r"files\[0\]: 'time' must be a finite number"):
        read_time_series(bad)
    bad.write_text("[1, 2")
    with pytest.raises(DataFileError, match="is not a JSON file"):
        read_time_series(bad)
