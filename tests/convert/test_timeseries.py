"""Every kind of geometry carries a time series the same way, and every ArrayDict file keeps it exactly.

A CFD-like mesh with moving points, an image of four frames, a surface and
centerlines: one layout (the geometry once, ``(T, ...)`` rows in
``TimeSeries``), one check naming the key, and HDF5, npz and pickle files that
give every array back with its dtype.
"""

import numpy as np
import pytest

from vmtkscripts_numpy import read_array_dict, write_array_dict
from vmtkscripts_numpy.convert.image import dict_to_image, image_to_dict
from vmtkscripts_numpy.convert.mesh import dict_to_mesh, mesh_to_dict
from vmtkscripts_numpy.convert.polydata import centerlines_to_dict, polydata_to_dict
from vmtkscripts_numpy.convert.timeseries import check_time_series, geometry_kind, time_series_dict, time_step
from vmtkscripts_numpy.errors import ArrayDictError
from vmtkscripts_numpy.sample_data import make_centerlines, make_image, make_mesh, make_vessel_surface

TIMES = np.array([0.0, 0.25, 0.5, 1.0 / 3.0 + 1.0])


def mesh_series():
    mesh = mesh_to_dict(make_mesh())
    points, cells = len(mesh["Points"]), len(mesh["Cells"]["CellTypes"])
    rng = np.random.default_rng(3)
    moving = mesh["Points"][None] + rng.standard_normal((len(TIMES), points, 3)) * 0.01
    return time_series_dict(mesh, TIMES, {"Velocity": rng.standard_normal((len(TIMES), points, 3))},
                            {"Pressure": rng.random((len(TIMES), cells)).astype(np.float32)}, points=moving)


def image_series():
    image = image_to_dict(make_image())
    grid = tuple(image["PointData"]["SignedDistance"].shape)
    frames = np.arange(len(TIMES), dtype=np.int16)[:, None, None, None] * np.ones(grid, np.int16)
    return time_series_dict(image, TIMES, {"Intensity": frames})


def surface_series():
    surface = polydata_to_dict(make_vessel_surface())
    return time_series_dict(surface, TIMES, {"Pressure": np.ones((len(TIMES), 960), bool)})


def centerline_series():
    centerlines = centerlines_to_dict(make_centerlines())
    return time_series_dict(centerlines, TIMES, {"Flow": np.zeros((len(TIMES), len(centerlines["Points"]), 2))})


SERIES = {"mesh": mesh_series, "image": image_series, "surface": surface_series, "centerlines": centerline_series}


@pytest.mark.parametrize("kind", SERIES)
def test_every_kind_is_a_time_series_of_its_geometry(kind):
    series = SERIES[kind]()
    assert geometry_kind(series) == kind
    times, arrays = check_time_series(series)
    np.testing.assert_array_equal(times, TIMES)
    step = time_step(series, 2)
    assert "TimeSeries" not in step
    for section, named in arrays.items():
        for name, values in named.items():
            np.testing.assert_array_equal(step[section][name], values[2])


def test_a_mesh_step_moves_its_points_and_converts():
    series = mesh_series()
    step = time_step(series, -1)
    np.testing.assert_array_equal(step["Points"], series["TimeSeries"]["Points"][-1])
    grid = dict_to_mesh(step)
    assert grid.GetNumberOfPoints() == len(series["Points"])
    assert grid.GetCellData().GetArray("Pressure").GetNumberOfTuples() == len(series["Cells"]["CellTypes"])


def test_an_image_step_converts_with_its_frame():
    series = image_series()
    image = dict_to_image(time_step(series, 3))
    assert image.GetPointData().GetArray("Intensity").GetRange() == (3.0, 3.0)


@pytest.mark.parametrize("suffix", [".h5", ".npz", ".pickle"])
@pytest.mark.parametrize("kind", SERIES)
def test_every_storage_format_keeps_every_kind_exactly(tmp_path, kind, suffix):
    series = SERIES[kind]()
    back = read_array_dict(write_array_dict(series, tmp_path / f"series{suffix}"))
    for key in ("Times", "Points"):
        if key in series["TimeSeries"]:
            np.testing.assert_array_equal(back["TimeSeries"][key], series["TimeSeries"][key])
            assert back["TimeSeries"][key].dtype == np.asarray(series["TimeSeries"][key]).dtype
    for section in ("PointData", "CellData"):
        assert sorted(back["TimeSeries"][section]) == sorted(series["TimeSeries"][section])
        for name, values in series["TimeSeries"][section].items():
            assert back["TimeSeries"][section][name].dtype == values.dtype
            np.testing.assert_array_equal(back["TimeSeries"][section][name], values)
    assert geometry_kind(back) == kind
    check_time_series(back)


def test_a_dict_of_no_kind_is_named_as_such():
    with pytest.raises(ArrayDictError, match=r"a time series needs a geometry: Points .* found only the keys \['Foo'\]"):
        time_series_dict({"Foo": np.zeros(3)}, [0.0])


def test_an_image_frame_of_the_wrong_grid_names_the_key_and_the_grid():
    image = image_to_dict(make_image())
    with pytest.raises(ArrayDictError, match=r"\['TimeSeries'\]\['PointData'\]\['I'\]: expected shape \(T, \*grid\) "
                                             r"= \(1, 24, 20, 16\)"):
        time_series_dict(image, [0.0], {"I": np.zeros((1, 24, 20))})


def test_a_mesh_array_is_counted_against_its_cells():
    mesh = mesh_to_dict(make_mesh())
    with pytest.raises(ArrayDictError, match=r"\['CellData'\]\['p'\]: expected shape \(T, cells\) = \(1, 900\)"):
        time_series_dict(mesh, [0.0], cell_data={"p": np.zeros((1, 1920))})


def test_moving_points_must_be_t_n_3_floats_and_not_on_an_image():
    mesh = mesh_to_dict(make_mesh())
    with pytest.raises(ArrayDictError, match=r"\['TimeSeries'\]\['Points'\]: expected floats of shape \(T, N, 3\)"):
        time_series_dict(mesh, [0.0, 1.0], points=np.zeros((2, 1920, 3), np.int32))
    with pytest.raises(ArrayDictError, match=r"\['TimeSeries'\]\['Points'\]: an image's points do not move"):
        time_series_dict(image_to_dict(make_image()), [0.0], points=np.zeros((1, 7680, 3)))


def test_a_plain_mesh_dict_given_as_a_series_says_what_it_is():
    with pytest.raises(ArrayDictError, match=r"\['TimeSeries'\]: missing: this is a mesh ArrayDict, not a time series"):
        check_time_series(mesh_to_dict(make_mesh()))
