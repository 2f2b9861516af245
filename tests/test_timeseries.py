"""Time series on one geometry: built from arrays, kept in one HDF5 file, played by ParaView as a .pvd.

The story: a simulation gives a pressure and a velocity at every point and a
flag on every cell at a few times, on the sample vessel. They go into one
ArrayDict (the geometry once, the changing arrays as (T, N) rows), through an
HDF5 file and back, then out as a ParaView collection whose every step file
holds that step's values, and back in from the collection unchanged.
"""

import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest

from vmtkscripts_numpy import read_array_dict, write_array_dict
from vmtkscripts_numpy.convert.polydata import dict_to_polydata, polydata_to_dict
from vmtkscripts_numpy.errors import ArrayDictError, DataFileError
from vmtkscripts_numpy.sample_data import make_centerlines, make_vessel_surface
from vmtkscripts_numpy.timeseries import (
    check_time_series,
    read_pvd_series,
    stack_time_steps,
    time_series_dict,
    time_step,
    write_pvd_series,
)
from vmtkscripts_numpy.vtkfiles import read_surface, write_surface

# Times that a decimal text round trip would not keep exactly unless written with repr.
TIMES = np.array([0.0, 0.1, 1.0 / 3.0, 0.7, 2.5e-3 + 1.0])


@pytest.fixture
def series():
    surface = polydata_to_dict(make_vessel_surface())
    points, cells = len(surface["Points"]), len(surface["CellData"]["CellPointIds"])
    rng = np.random.default_rng(7)
    pressure = (rng.random((len(TIMES), points)) * 100).astype(np.float32)
    velocity = rng.standard_normal((len(TIMES), points, 3))
    occluded = (rng.random((len(TIMES), cells)) > 0.5).astype(np.int32)
    return time_series_dict(
        surface, TIMES, point_data={"Pressure": pressure, "Velocity": velocity}, cell_data={"Occluded": occluded}
    )


def assert_same_series(actual, expected):
    np.testing.assert_array_equal(actual["TimeSeries"]["Times"], expected["TimeSeries"]["Times"])
    assert actual["TimeSeries"]["Times"].dtype == np.float64
    for section in ("PointData", "CellData"):
        got, want = actual["TimeSeries"][section], expected["TimeSeries"][section]
        assert sorted(got) == sorted(want)
        for name in want:
            assert got[name].dtype == want[name].dtype, name
            np.testing.assert_array_equal(got[name], want[name], err_msg=name)
        assert sorted(actual[section]) == sorted(expected[section])
        for name in expected[section]:
            if name != "CellPointIds":
                np.testing.assert_array_equal(actual[section][name], expected[section][name], err_msg=name)
    np.testing.assert_array_equal(actual["Points"], expected["Points"])
    np.testing.assert_array_equal(actual["CellData"]["CellPointIds"], expected["CellData"]["CellPointIds"])
    np.testing.assert_array_equal(actual["CellTypes"], expected["CellTypes"])


# --- the layout ----------------------------------------------------------------


def test_a_series_is_the_surface_plus_rows_per_time(series):
    times, arrays = check_time_series(series)
    np.testing.assert_array_equal(times, TIMES)
    assert arrays["PointData"]["Pressure"].shape == (5, 960)
    assert arrays["PointData"]["Velocity"].shape == (5, 960, 3)
    assert arrays["CellData"]["Occluded"].shape == (5, 1800)
    # The static arrays stay where a surface dict has them.
    assert {"WallShearStress", "Normals"} <= set(series["PointData"])


def test_a_step_is_a_surface_dict_whose_arrays_are_views_of_the_rows(series):
    step = time_step(series, 2)
    assert "TimeSeries" not in step
    assert np.shares_memory(step["PointData"]["Pressure"], series["TimeSeries"]["PointData"]["Pressure"])
    np.testing.assert_array_equal(step["PointData"]["Velocity"], series["TimeSeries"]["PointData"]["Velocity"][2])
    surface = dict_to_polydata(step)
    assert surface.GetPointData().GetArray("Pressure").GetNumberOfTuples() == 960
    assert surface.GetCellData().GetArray("Occluded").GetNumberOfTuples() == 1800
    np.testing.assert_array_equal(time_step(series, -1)["CellData"]["Occluded"],
                                  series["TimeSeries"]["CellData"]["Occluded"][-1])


def test_a_step_has_cell_point_ids_first_whatever_order_the_geometry_had(series):
    # vmtk's vmtknumpytocenterlines drops every cell array it meets before CellPointIds.
    cell_data = series["CellData"]
    series["CellData"] = {"GroupIds": cell_data["GroupIds"], "CellPointIds": cell_data["CellPointIds"]}

    step = time_step(series, 0)

    assert list(step["CellData"]) == ["CellPointIds", "GroupIds", "Occluded"]


def test_a_pvd_collection_keeps_the_order_of_its_arrays_and_cell_point_ids_first(tmp_path):
    centerlines = make_centerlines()
    count = centerlines.GetNumberOfPoints()
    rows = np.linspace(1, 2, 2)[:, None] * np.ones(count)
    series = time_series_dict(centerlines, [0.0, 1.0], point_data={"Zeta": rows, "Alpha": -rows})

    again = read_pvd_series(write_pvd_series(series, tmp_path, "centerlines"))

    assert list(again["CellData"])[0] == "CellPointIds"
    assert list(again["TimeSeries"]["PointData"]) == ["Zeta", "Alpha"]
    assert list(again["CellData"]) == list(polydata_to_dict(centerlines)["CellData"])


def test_a_series_can_be_built_from_a_vtk_surface_and_one_dict_per_time():
    surface = make_vessel_surface()
    by_time = {0.5: {"Pressure": np.full(960, 2.0)}, 0.0: {"Pressure": np.full(960, 1.0)}}
    times, arrays = stack_time_steps(by_time)
    series = time_series_dict(surface, times, point_data=arrays)
    np.testing.assert_array_equal(series["TimeSeries"]["Times"], [0.0, 0.5])
    np.testing.assert_array_equal(series["TimeSeries"]["PointData"]["Pressure"][:, 0], [1.0, 2.0])


def test_centerlines_carry_a_series_too(tmp_path):
    centerlines = make_centerlines()
    radius = np.linspace(1, 2, 3)[:, None] * np.ones(centerlines.GetNumberOfPoints())
    series = time_series_dict(centerlines, [0.0, 1.0, 2.0], point_data={"Radius": radius},
                              cell_data={"Flow": np.arange(9.0).reshape(3, 3)})
    again = read_pvd_series(write_pvd_series(series, tmp_path, "centerlines"))
    np.testing.assert_array_equal(again["TimeSeries"]["PointData"]["Radius"], radius)
    np.testing.assert_array_equal(again["TimeSeries"]["CellData"]["Flow"], np.arange(9.0).reshape(3, 3))
    assert [len(line) for line in again["CellData"]["CellPointIds"]] == [16, 16, 16]


# --- one HDF5 file --------------------------------------------------------------


def test_a_series_goes_through_one_hdf5_file_unchanged(series, tmp_path):
    path = write_array_dict(series, tmp_path / "series.h5")
    again = read_array_dict(path)
    assert_same_series(again, series)
    for step in range(len(TIMES)):
        np.testing.assert_array_equal(time_step(again, step)["PointData"]["Pressure"],
                                      series["TimeSeries"]["PointData"]["Pressure"][step])


# --- ParaView collections -----------------------------------------------------------


def test_a_pvd_collection_comes_back_as_the_same_series(series, tmp_path):
    pvd = write_pvd_series(series, tmp_path / "out", "vessel")
    assert pvd == tmp_path / "out" / "vessel.pvd"
    assert_same_series(read_pvd_series(pvd), series)


def test_the_pvd_file_is_a_collection_listing_every_step_with_its_exact_time(series, tmp_path):
    pvd = write_pvd_series(series, tmp_path, "vessel")
    root = ElementTree.parse(pvd).getroot()
    assert (root.tag, root.get("type")) == ("VTKFile", "Collection")
    datasets = root.find("Collection").findall("DataSet")
    assert [float(dataset.get("timestep")) for dataset in datasets] == TIMES.tolist()
    files = [pvd.parent / dataset.get("file") for dataset in datasets]
    assert [file.name for file in files] == [f"vessel_{step:04d}.vtp" for step in range(len(TIMES))]
    # Every step file is a whole surface with that step's values and the unchanging arrays.
    for step, file in enumerate(files):
        surface = polydata_to_dict(read_surface(file))
        np.testing.assert_array_equal(surface["PointData"]["Pressure"],
                                      series["TimeSeries"]["PointData"]["Pressure"][step])
        np.testing.assert_array_equal(surface["PointData"]["WallShearStress"], series["PointData"]["WallShearStress"])
        np.testing.assert_array_equal(surface["Points"], series["Points"])
    # Nothing but the collection and its step folder (no temporary files left behind).
    assert sorted(item.name for item in tmp_path.iterdir()) == ["vessel", "vessel.pvd"]


def test_names_with_xml_special_characters_are_escaped_in_the_pvd(series, tmp_path):
    pvd = write_pvd_series(series, tmp_path, "run <1> & 'a\"b'")
    root = ElementTree.parse(pvd).getroot()
    assert root.find("Collection/DataSet").get("file") == "run <1> & 'a\"b'/run <1> & 'a\"b'_0000.vtp"
    assert_same_series(read_pvd_series(pvd), series)


def test_one_step_keeps_every_array_changing_and_static_names_can_be_given(series, tmp_path):
    single = time_series_dict(series, [3.0], point_data={"Pressure": series["TimeSeries"]["PointData"]["Pressure"][:1]})
    again = read_pvd_series(write_pvd_series(single, tmp_path, "one"))
    # With one step nothing tells what does not change: every array is read as changing ...
    assert "WallShearStress" in again["TimeSeries"]["PointData"]
    # ... unless told.
    told = read_pvd_series(tmp_path / "one.pvd", static=["WallShearStress", "Normals", "GroupIds"])
    assert sorted(told["TimeSeries"]["PointData"]) == ["Pressure"]
    assert told["ActiveArrays"]["PointData"] == {"Normals": "Normals"}
    dict_to_polydata(time_step(told, 0))


# --- errors name what is wrong ----------------------------------------------------------


@pytest.mark.parametrize(
    "times, key",
    [([0.0, 0.2, 0.1, 0.3, 0.4], "Times"), ([0.0, np.nan, 1, 2, 3], "Times"), ([[0.0]], "Times"),
     (["a", "b", "c", "d", "e"], "Times")],
)
def test_bad_times_are_refused_naming_the_key(series, times, key):
    with pytest.raises(ArrayDictError, match=rf"\['TimeSeries'\]\['{key}'\]"):
        time_series_dict(series, times, series["TimeSeries"]["PointData"])


@pytest.mark.parametrize(
    "section, name, values, problem",
    [
        ("PointData", "Pressure", np.zeros((4, 960)), r"expected shape \(T, points\) = \(5, 960\)"),
        ("PointData", "Pressure", np.zeros((5, 959)), r"found \(5, 959\)"),
        ("PointData", "Pressure", np.zeros(5), r"found \(5,\)"),
        ("CellData", "Occluded", np.zeros((5, 960)), r"\(T, cells\) = \(5, 1800\)"),
        ("PointData", "Label", np.full((5, 960), "x"), "expected numbers"),
        ("PointData", "WallShearStress", np.zeros((5, 960)), "has an array of the same name"),
    ],
)
def test_bad_arrays_are_refused_naming_the_key(series, section, name, values, problem):
    arrays = {"PointData": {}, "CellData": {}}
    arrays[section][name] = values
    with pytest.raises(ArrayDictError, match=rf"\['TimeSeries'\]\['{section}'\]\['{name}'\]: .*{problem}"):
        time_series_dict(series, TIMES, arrays["PointData"], arrays["CellData"])


def test_a_dict_without_a_series_and_a_step_out_of_range_are_named(series):
    with pytest.raises(ArrayDictError, match=r"\['TimeSeries'\]: missing: this is a surface ArrayDict, not a time "
                                             r"series; make one with time_series_dict"):
        check_time_series(polydata_to_dict(make_vessel_surface()))
    with pytest.raises(ArrayDictError, match=r"\['Times'\]: step 5 is out of range for 5 times"):
        time_step(series, 5)


def test_steps_given_one_dict_per_time_must_agree():
    with pytest.raises(ArrayDictError, match=r"arrays_by_time\[1\.0\]: has arrays \['q'\]"):
        stack_time_steps({0.0: {"p": np.zeros(3)}, 1.0: {"q": np.zeros(3)}})
    with pytest.raises(ArrayDictError, match=r"arrays_by_time\[1\.0\]\['p'\]: shape \(4,\)"):
        stack_time_steps({0.0: {"p": np.zeros(3)}, 1.0: {"p": np.zeros(4)}})
    with pytest.raises(ArrayDictError, match=r"arrays_by_time: the keys must be times"):
        stack_time_steps({"start": {"p": np.zeros(3)}})


@pytest.mark.parametrize("bad", ["a<b", "a&b", 'a"b', "a>b", "a\nb"])
def test_array_names_vtk_xml_cannot_hold_are_refused_before_writing(series, tmp_path, bad):
    arrays = {bad: series["TimeSeries"]["PointData"]["Pressure"]}
    with pytest.raises(ArrayDictError, match=r"\['TimeSeries'\]\['PointData'\]\[.*cannot hold"):
        write_pvd_series(time_series_dict(series, TIMES, arrays), tmp_path, "bad")
    assert not (tmp_path / "bad.pvd").exists()


@pytest.mark.parametrize("name", ["", "a/b", "..", "a\\b", "a\x01b"])
def test_a_collection_name_with_folders_is_refused(series, tmp_path, name):
    with pytest.raises(ValueError, match="name: expected a file name without folders"):
        write_pvd_series(series, tmp_path, name)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_be_made_is_named(series, tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(DataFileError, match=r"file/vessel: cannot be created"):
        write_pvd_series(series, tmp_path / "file", "vessel")


def test_a_step_on_other_cells_is_named(series, tmp_path):
    pvd = write_pvd_series(series, tmp_path, "vessel")
    other = polydata_to_dict(read_surface(tmp_path / "vessel" / "vessel_0003.vtp"))
    other["CellData"]["CellPointIds"] = other["CellData"]["CellPointIds"][:, ::-1].copy()
    write_surface(dict_to_polydata(other), tmp_path / "vessel" / "vessel_0003.vtp")
    with pytest.raises(DataFileError, match=r"vessel_0003\.vtp: has another CellPointIds than the first step"):
        read_pvd_series(pvd)


def test_a_step_whose_points_moved_reads_as_moving_points(series, tmp_path):
    pvd = write_pvd_series(series, tmp_path, "vessel")
    moved = polydata_to_dict(read_surface(tmp_path / "vessel" / "vessel_0003.vtp"))
    moved["Points"] = moved["Points"] + 1.0
    write_surface(dict_to_polydata(moved), tmp_path / "vessel" / "vessel_0003.vtp")
    points = read_pvd_series(pvd)["TimeSeries"]["Points"]
    assert points.shape == (len(TIMES), 960, 3)
    np.testing.assert_array_equal(points[3], series["Points"] + np.float32(1.0))
    np.testing.assert_array_equal(points[2], series["Points"])


@pytest.mark.parametrize(
    "content, problem",
    [
        ("<VTKFile type='PolyData'><PolyData/></VTKFile>", "is not a ParaView collection"),
        ("<VTKFile type='Collection'><Collection/></VTKFile>", "lists no DataSet"),
        ("<VTKFile type='Collection'><Collection><DataSet file='a.vtp'/></Collection></VTKFile>",
         "DataSet 0 needs both a 'file' and a 'timestep'"),
        ("<VTKFile type='Collection'><Collection><DataSet timestep='x' file='a.vtp'/></Collection></VTKFile>",
         "timestep 'x' is not a number"),
        ("<VTKFile type='Collection'><Collection><DataSet timestep='1' file='a.vtp'/>"
         "<DataSet timestep='1' file='b.vtp'/></Collection></VTKFile>", "several datasets at time 1.0"),
        ("<VTKFile type='Collection'>", "not a well-formed XML file"),
    ],
)
def test_bad_pvd_files_are_named(tmp_path, content, problem):
    path = tmp_path / "bad.pvd"
    path.write_text(content)
    with pytest.raises(DataFileError, match=rf"bad\.pvd: .*{problem}"):
        read_pvd_series(path)


def test_a_missing_step_file_is_named(series, tmp_path):
    pvd = write_pvd_series(series, tmp_path, "vessel")
    (tmp_path / "vessel" / "vessel_0002.vtp").unlink()
    with pytest.raises(DataFileError, match=r"vessel_0002\.vtp"):
        read_pvd_series(pvd)


def test_static_names_that_are_not_there_are_refused(series, tmp_path):
    pvd = write_pvd_series(series, tmp_path, "vessel")
    with pytest.raises(ValueError, match=r"static: \['Pressur'\] are not arrays"):
        read_pvd_series(pvd, static=["Pressur"])


def test_arrays_that_do_not_change_are_read_back_as_static_even_with_nan(series, tmp_path):
    constant = np.tile(np.where(np.arange(960) % 7 == 0, np.nan, 1.5), (len(TIMES), 1))
    with_constant = time_series_dict(series, TIMES, {**series["TimeSeries"]["PointData"], "Constant": constant})
    again = read_pvd_series(write_pvd_series(with_constant, tmp_path, "vessel"))
    assert "Constant" not in again["TimeSeries"]["PointData"]
    np.testing.assert_array_equal(again["PointData"]["Constant"], constant[0])
