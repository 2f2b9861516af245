"""One transient VTKHDF file per time series: written by numpy, played by VTK, read back whole or one step.

A surface with a cell flag, centerlines, a CFD-like mesh whose points move
and a 4-D image go into one file each: the geometry once, each step its
arrays. VTK's own ``vtkHDFReader`` finds the steps, the times and every value
(where its VTK reads time steps, 9.3 on); this package reads the file back
into the same time-series ArrayDict on every VTK, whole or one step, and
appends steps to it.
"""

import numpy as np
import pytest

from vmtkscripts_numpy._vtk_version import vtk_at_least
from vmtkscripts_numpy.convert import layout
from vmtkscripts_numpy.convert.arrays import vtk_to_numpy
from vmtkscripts_numpy.convert.image import image_to_dict
from vmtkscripts_numpy.convert.mesh import mesh_to_dict
from vmtkscripts_numpy.convert.polydata import centerlines_to_dict, polydata_to_dict
from vmtkscripts_numpy.convert.timeseries import time_series_dict, time_step
from vmtkscripts_numpy.errors import ArrayDictError, DataFileError, LossWarning
from vmtkscripts_numpy.sample_data import make_centerlines, make_image, make_mesh, make_vessel_surface
from vmtkscripts_numpy.vtkfiles.vtkhdf_series import (
    VTKHDFSeriesWriter,
    read_vtkhdf_series,
    read_vtkhdf_step,
    write_vtkhdf_series,
)

TIMES = np.array([0.0, 0.1, 1.0 / 3.0, 0.75])
RNG = np.random.default_rng(18)


def surface_series():
    surface = polydata_to_dict(make_vessel_surface())
    cells = len(surface["CellData"]["CellPointIds"])
    return time_series_dict(surface, TIMES, {"Pressure": RNG.random((4, 960)).astype(np.float32)},
                            {"Flag": RNG.integers(0, 3, (4, cells)).astype(np.int32)})


def centerline_series():
    centerlines = centerlines_to_dict(make_centerlines())
    return time_series_dict(centerlines, TIMES, {"Flow": RNG.random((4, len(centerlines["Points"]), 3))})


def mesh_series():
    mesh = mesh_to_dict(make_mesh())
    moving = mesh["Points"][None] + RNG.standard_normal((4, len(mesh["Points"]), 3)) * 0.01
    return time_series_dict(mesh, TIMES, {"Velocity": RNG.standard_normal((4, len(mesh["Points"]), 3))},
                            {"Pressure": RNG.random((4, len(mesh["Cells"]["CellTypes"])))}, points=moving)


def image_series():
    image = image_to_dict(make_image())
    if not vtk_at_least(9, 7):
        # vtkHDFReader of VTK 9.6 crashes on the second step of an image whose Direction is not the identity.
        image["Direction"] = np.eye(3)
    return time_series_dict(image, TIMES, {"Intensity": RNG.random((4, 24, 20, 16)).astype(np.float32)})


SERIES = {"surface": surface_series, "centerlines": centerline_series, "mesh": mesh_series, "image": image_series}


def assert_same_series(back, series):
    np.testing.assert_array_equal(back["TimeSeries"]["Times"], series["TimeSeries"]["Times"])
    for section in ("PointData", "CellData"):
        assert sorted(back["TimeSeries"][section]) == sorted(series["TimeSeries"][section])
        for name, values in series["TimeSeries"][section].items():
            assert back["TimeSeries"][section][name].dtype == values.dtype, name
            np.testing.assert_array_equal(back["TimeSeries"][section][name], values, err_msg=name)
        static = sorted(name for name in series[section] if name != "CellPointIds")
        assert sorted(name for name in back[section] if name != "CellPointIds") == static
        for name in static:
            np.testing.assert_array_equal(back[section][name], series[section][name], err_msg=name)
    if "Points" in series["TimeSeries"]:
        np.testing.assert_array_equal(back["TimeSeries"]["Points"], series["TimeSeries"]["Points"])
    else:
        assert "Points" not in back["TimeSeries"]
    assert layout.guess_kind(back) == layout.guess_kind(series)


@pytest.mark.parametrize("kind", SERIES)
def test_every_kind_reads_back_as_the_same_time_series(tmp_path, kind):
    series = SERIES[kind]()
    path = write_vtkhdf_series(series, tmp_path / f"{kind}.vtkhdf")
    assert_same_series(read_vtkhdf_series(path), series)


@pytest.mark.parametrize("kind", SERIES)
@pytest.mark.parametrize("steps", [1, 3])
def test_arrays_that_change_by_nothing_and_points_that_stay_still_are_kept_as_written(tmp_path, kind, steps):
    # A solver's field before anything happens is the same at every step; a series may have one step.
    series = SERIES[kind]()
    times = series["TimeSeries"]["Times"][:steps]
    time_series = {section: {name: np.repeat(values[:1], steps, axis=0)
                             for name, values in series["TimeSeries"][section].items()}
                   for section in ("PointData", "CellData")}
    moving = series["TimeSeries"].get("Points")
    plain = {key: value for key, value in series.items() if key != "TimeSeries"}
    still = time_series_dict(plain, times, time_series["PointData"], time_series["CellData"],
                             None if moving is None else np.repeat(moving[:1], steps, axis=0))
    path = write_vtkhdf_series(still, tmp_path / f"{kind}.vtkhdf")
    assert_same_series(read_vtkhdf_series(path), still)


@pytest.mark.parametrize("kind", SERIES)
def test_one_step_reads_as_the_plain_dict_of_that_step(tmp_path, kind):
    series = SERIES[kind]()
    path = write_vtkhdf_series(series, tmp_path / f"{kind}.vtkhdf")
    expected = time_step(series, 2)
    step = read_vtkhdf_step(path, 2)
    if "Points" in expected:
        np.testing.assert_array_equal(step["Points"], expected["Points"])
    for section in ("PointData", "CellData"):
        for name, values in expected[section].items():
            if name != "CellPointIds":
                np.testing.assert_array_equal(step[section][name], values, err_msg=name)
    with pytest.raises(IndexError, match="step 4 is out of range for the 4 steps"):
        read_vtkhdf_step(path, 4)


def vtk_steps(path):
    """``[(time, output)]`` of VTK's own reader at every step it reports."""
    from vtkmodules.vtkIOHDF import vtkHDFReader

    reader = vtkHDFReader()
    reader.SetFileName(str(path))
    reader.UpdateInformation()
    steps = []
    for step in range(reader.GetNumberOfSteps()):
        reader.SetStep(step)
        reader.Update()
        output = reader.GetOutput()
        if output.IsA("vtkPartitionedDataSet"):
            output = output.GetPartition(0)
        copy = output.NewInstance()
        copy.DeepCopy(output)
        steps.append((reader.GetTimeValue(), copy))
    return steps


@pytest.mark.skipif(not vtk_at_least(9, 3), reason="vtkHDFReader reads time steps from VTK 9.3 (VTKHDF 2.0); "
                                                   "this VTK reads only one step, the package's reader reads them all")
@pytest.mark.parametrize("kind", SERIES)
def test_vtks_reader_plays_every_step_with_its_time_and_values(tmp_path, kind):
    series = SERIES[kind]()
    path = write_vtkhdf_series(series, tmp_path / f"{kind}.vtkhdf")
    steps = vtk_steps(path)
    assert [time for time, _ in steps] == list(TIMES)
    for index, (_, output) in enumerate(steps):
        expected = layout.from_dict(time_step(series, index), layout.guess_kind(series))
        assert output.GetNumberOfPoints() == expected.GetNumberOfPoints()
        assert output.GetNumberOfCells() == expected.GetNumberOfCells()
        np.testing.assert_allclose(output.GetBounds(), expected.GetBounds())
        for got, want in ((output.GetPointData(), expected.GetPointData()),
                          (output.GetCellData(), expected.GetCellData())):
            for array in range(want.GetNumberOfArrays()):
                name = want.GetArrayName(array)
                np.testing.assert_array_equal(vtk_to_numpy(got.GetArray(name)), vtk_to_numpy(want.GetArray(name)),
                                              err_msg=f"step {index}: {name}")


def test_streaming_and_appending_give_the_file_written_at_once(tmp_path):
    series = mesh_series()
    moving, pressure = series["TimeSeries"]["Points"], series["TimeSeries"]["CellData"]["Pressure"]
    velocity = series["TimeSeries"]["PointData"]["Velocity"]
    path = tmp_path / "run.vtkhdf"
    VTKHDFSeriesWriter(path, series).close()
    with VTKHDFSeriesWriter(path, append=True) as writer:  # after no step
        writer.write_step(TIMES[0], {"Velocity": velocity[0]}, {"Pressure": pressure[0]}, moving[0])
    with VTKHDFSeriesWriter(path, append=True) as writer:  # after one step too
        writer.write_step(TIMES[1], {"Velocity": velocity[1]}, {"Pressure": pressure[1]}, moving[1])
    assert read_vtkhdf_series(path)["TimeSeries"]["Times"].tolist() == TIMES[:2].tolist()
    with VTKHDFSeriesWriter(path, append=True) as writer:
        for step in range(2, 4):
            writer.write_step(TIMES[step], {"Velocity": velocity[step]}, {"Pressure": pressure[step]}, moving[step])
    assert_same_series(read_vtkhdf_series(path), series)


@pytest.mark.parametrize("kind", SERIES)
@pytest.mark.parametrize("seed", range(3))
def test_any_mix_of_single_steps_blocks_of_steps_and_appends_gives_the_same_series(tmp_path, kind, seed):
    series = SERIES[kind]()
    rows = {section: series["TimeSeries"][section] for section in ("PointData", "CellData")}
    moving = series["TimeSeries"].get("Points")
    rng = np.random.default_rng(seed)
    path, step, writer = tmp_path / f"{kind}.vtkhdf", 0, VTKHDFSeriesWriter(tmp_path / f"{kind}.vtkhdf", series)
    while step < len(TIMES):
        way = rng.choice(["step", "steps", "append"])
        if way == "append":
            writer.close()
            writer = VTKHDFSeriesWriter(path, append=True)
        elif way == "step":
            writer.write_step(TIMES[step], *[{name: values[step] for name, values in rows[section].items()}
                                            for section in ("PointData", "CellData")],
                              None if moving is None else moving[step])
            step += 1
        else:
            end = int(rng.integers(step + 1, len(TIMES) + 1))
            writer.write_steps(TIMES[step:end], *[{name: values[step:end] for name, values in rows[section].items()}
                                                  for section in ("PointData", "CellData")],
                               None if moving is None else moving[step:end])
            step = end
    writer.close()
    assert_same_series(read_vtkhdf_series(path), series)


def test_a_step_that_breaks_the_series_is_refused_naming_the_array(tmp_path):
    surface = polydata_to_dict(make_vessel_surface())
    with VTKHDFSeriesWriter(tmp_path / "run.vtkhdf", surface) as writer:
        writer.write_step(0.0, {"Pressure": np.zeros(960, np.float32)})
        with pytest.raises(ArrayDictError, match=r"step 1 \(time 1.0\)\['PointData'\]\['Pressure'\]: float64 \(960,\), "
                                                 r"but float32 \(960,\) before"):
            writer.write_step(1.0, {"Pressure": np.zeros(960)})
        with pytest.raises(ArrayDictError, match="times must be finite and increasing"):
            writer.write_step(0.0, {"Pressure": np.zeros(960, np.float32)})
        with pytest.raises(ArrayDictError, match=r"\['WallShearStress'\]: the geometry has an array of this name"):
            writer.write_step(2.0, {"Pressure": np.zeros(960, np.float32), "WallShearStress": np.zeros(960)})
        with pytest.raises(ArrayDictError, match=r"\['PointData'\]: misses \['Pressure'\]"):
            writer.write_step(2.0, {})
        writer.write_step(2.0, {"Pressure": np.ones(960, np.float32)})
    back = read_vtkhdf_series(tmp_path / "run.vtkhdf")
    assert back["TimeSeries"]["Times"].tolist() == [0.0, 2.0]


def test_steps_given_several_at_once_are_checked_as_one_by_one(tmp_path):
    surface = polydata_to_dict(make_vessel_surface())
    with VTKHDFSeriesWriter(tmp_path / "run.vtkhdf", surface) as writer:
        writer.write_steps([0.0, 1.0], {"Pressure": np.zeros((2, 960), np.float32)})
        with pytest.raises(ArrayDictError, match=r"steps 2..3\['PointData'\]\['Pressure'\]: 3 rows for 2 times"):
            writer.write_steps([2.0, 3.0], {"Pressure": np.zeros((3, 960), np.float32)})
        with pytest.raises(ArrayDictError, match=r"\['Speed'\]: not an array of the earlier steps \(\['Pressure'\]\)"):
            writer.write_steps([2.0], {"Pressure": np.zeros((1, 960), np.float32), "Speed": np.zeros((1, 960))})
        writer.write_steps([2.0], {"Pressure": np.ones((1, 960), np.float32)})
    with VTKHDFSeriesWriter(tmp_path / "flags.vtkhdf", surface) as writer:
        with pytest.warns(LossWarning, match=r"flags.vtkhdf: .*PointData array 'Open' is stored as uint8"):
            writer.write_steps([0.0, 1.0], {"Open": np.ones((2, 960), bool)})
    assert read_vtkhdf_series(tmp_path / "run.vtkhdf")["TimeSeries"]["Times"].tolist() == [0.0, 1.0, 2.0]


def test_a_file_that_is_no_vtkhdf_series_is_named(tmp_path):
    from vmtkscripts_numpy import write_array_dict

    path = write_array_dict({"Points": np.zeros((3, 3))}, tmp_path / "plain.h5")
    with pytest.raises(DataFileError, match="plain.h5: is not a VTKHDF file"):
        read_vtkhdf_series(path)
    with pytest.raises(DataFileError, match="is not a transient VTKHDF file"):
        VTKHDFSeriesWriter(path, append=True)


def test_a_series_vtks_writer_wrote_reads_with_its_geometry_once_and_its_moving_points(tmp_path):
    hdf = pytest.importorskip("vtkmodules.vtkIOHDF")
    if not hasattr(hdf, "vtkHDFWriter") or not hasattr(hdf.vtkHDFWriter, "SetWriteAllTimeSteps"):
        pytest.skip("this VTK has no vtkHDFWriter that writes time steps (VTK 9.4 on)")
    from vtkmodules.vtkFiltersGeneral import vtkTimeSourceExample

    source = vtkTimeSourceExample()  # one voxel that moves, with arrays of its coordinates, at 10 times
    source.SetXAmplitude(1.0)
    writer = hdf.vtkHDFWriter()
    writer.SetInputConnection(source.GetOutputPort())
    writer.SetFileName(str(tmp_path / "vtk.vtkhdf"))
    writer.SetWriteAllTimeSteps(True)
    writer.Write()
    series = read_vtkhdf_series(tmp_path / "vtk.vtkhdf")  # VTK wrote the voxel at every step
    times = series["TimeSeries"]["Times"]
    assert len(times) == 10 and times[0] == 0.0 and times[-1] == 1.0
    assert series["Points"].shape == (8, 3) and series["TimeSeries"]["Points"].shape == (10, 8, 3)
    assert "Point X" in series["TimeSeries"]["PointData"] and "Point Label" in series["PointData"]
    x = series["TimeSeries"]["PointData"]["Point X"]
    np.testing.assert_allclose(x, series["TimeSeries"]["Points"][:, :, 0])
    np.testing.assert_array_equal(read_vtkhdf_step(tmp_path / "vtk.vtkhdf", 4)["PointData"]["Point X"], x[4])


def test_a_run_in_progress_reads_with_the_steps_written_so_far(tmp_path):
    import subprocess
    import sys

    series = surface_series()
    pressure = series["TimeSeries"]["PointData"]["Pressure"]
    flag = series["TimeSeries"]["CellData"]["Flag"]
    path = tmp_path / "run.vtkhdf"
    count_steps = ("import sys; from vmtkscripts_numpy.vtkfiles.vtkhdf_series import read_vtkhdf_series; "
                   "print(len(read_vtkhdf_series(sys.argv[1])['TimeSeries']['Times']))")
    if vtk_at_least(9, 3):
        count_steps = ("import sys; from vtkmodules.vtkIOHDF import vtkHDFReader; r = vtkHDFReader(); "
                       "r.SetFileName(sys.argv[1]); r.UpdateInformation(); print(r.GetNumberOfSteps())")
    with VTKHDFSeriesWriter(path, series) as writer:
        writer.publish_interval = 0.0  # every step published at once, as for a solver slower than 0.1 s a step
        for step in range(3):
            writer.write_step(TIMES[step], {"Pressure": pressure[step]}, {"Flag": flag[step]})
            # Another process (ParaView, say) opens the file while the run goes on.
            found = subprocess.run([sys.executable, "-c", count_steps, str(path)], capture_output=True, text=True)
            assert found.stdout.split()[-1:] == [str(step + 1)], found.stderr[-1000:]


def test_fast_steps_are_published_together_and_all_at_close(tmp_path):
    series = surface_series()
    pressure = series["TimeSeries"]["PointData"]["Pressure"]
    flag = series["TimeSeries"]["CellData"]["Flag"]
    path = tmp_path / "run.vtkhdf"
    writer = VTKHDFSeriesWriter(path, series)
    writer.publish_interval = 3600.0
    for step in range(4):
        writer.write_step(TIMES[step], {"Pressure": pressure[step]}, {"Flag": flag[step]})
    assert len(read_vtkhdf_series(path)["TimeSeries"]["Times"]) == 1  # the first step is published at once
    writer.flush()
    assert len(read_vtkhdf_series(path)["TimeSeries"]["Times"]) == 4
    writer.close()
    assert_same_series(read_vtkhdf_series(path), series)


def test_active_arrays_come_back_and_what_is_not_kept_is_said(tmp_path):
    series = surface_series()
    series["PointData"]["Height"] = series["Points"][:, 2].copy()
    series["ActiveArrays"]["PointData"] = {"Scalars": "Height"}
    assert read_vtkhdf_series(write_vtkhdf_series(series, tmp_path / "plain.vtkhdf"))["ActiveArrays"]["PointData"] \
        == {"Scalars": "Height"}

    series["FieldData"] = {"Patient": np.array([7])}
    series["TimeSeries"]["CellData"]["Open"] = series["TimeSeries"]["CellData"]["Flag"] > 0
    with pytest.warns(LossWarning) as warned:
        write_vtkhdf_series(series, tmp_path / "run.vtkhdf")
    assert len(warned) == 1
    message = str(warned[0].message)
    assert message.startswith(f"{tmp_path / 'run.vtkhdf'}: a VTKHDF time series does not keep everything")
    assert "field data ('Patient')" in message and "'Open' is stored as uint8" in message
