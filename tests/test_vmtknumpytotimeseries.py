"""vmtknumpytotimeseries and vmtktimeseriestonumpy: a folder of step files or a dict out to a time series, and back.

A CFD run leaves one .vtu per step; one command makes one VTKHDF file of it,
another reads that back into numpy, whole or one step, and pipes go on from
there like any other script's.
"""

import io

import numpy as np
import pytest

from vmtkscripts_numpy import pypes, read_array_dict, vmtkscripts, write_array_dict
from vmtkscripts_numpy.convert.timeseries import time_series_dict
from vmtkscripts_numpy.sample_data import make_mesh
from vmtkscripts_numpy.vtkfiles import read_mesh
from vmtkscripts_numpy.vtkfiles.step_files import step_objects, write_step_file
from vmtkscripts_numpy.vtkfiles.vtkhdf_series import read_vtkhdf_series

TIMES = [0.0, 0.4, 0.8]


@pytest.fixture
def series():
    temperature = np.random.default_rng(2).random((3, 1920))
    return time_series_dict(make_mesh(), TIMES, {"Temperature": temperature})


def run(*words):
    assert pypes.cli.main(["vmtknumpy", "--nolog", *map(str, words)]) == 0


def test_a_folder_of_step_files_becomes_one_vtkhdf_file_and_reads_back(series, tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    for step, (_, mesh) in enumerate(step_objects(series)):
        write_step_file(mesh, "mesh", folder / f"cfd_{step}.vtu")
    run("vmtknumpytotimeseries", "-ifiles", folder, "-times", *TIMES, "-ofile", tmp_path / "cfd.vtkhdf")
    back = read_vtkhdf_series(tmp_path / "cfd.vtkhdf")
    assert back["TimeSeries"]["Times"].tolist() == TIMES
    np.testing.assert_array_equal(back["TimeSeries"]["PointData"]["Temperature"],
                                  series["TimeSeries"]["PointData"]["Temperature"])

    run("vmtktimeseriestonumpy", "-ifile", tmp_path / "cfd.vtkhdf", "-ofile", tmp_path / "cfd.h5")
    stored = read_array_dict(tmp_path / "cfd.h5")
    np.testing.assert_array_equal(stored["TimeSeries"]["PointData"]["Temperature"],
                                  series["TimeSeries"]["PointData"]["Temperature"])


def test_a_stored_dict_becomes_a_pvd_and_one_step_pipes_on_as_a_mesh(series, tmp_path):
    write_array_dict(series, tmp_path / "cfd.pickle")
    run("vmtknumpytotimeseries", "-ifile", tmp_path / "cfd.pickle", "-ofile", tmp_path / "cfd.pvd")
    assert len(list((tmp_path / "cfd").glob("*.vtu"))) == 3
    pypes.PypeRun(f"vmtktimeseriestonumpy -ifile {tmp_path / 'cfd.pvd'} -step -1 --pipe vmtknumpytomesh "
                  f"--pipe vmtkmeshwriter -ofile {tmp_path / 'last.vtu'}", output_stream=io.StringIO())
    last = read_mesh(tmp_path / "last.vtu")
    from vmtkscripts_numpy.convert.arrays import vtk_to_numpy

    np.testing.assert_array_equal(vtk_to_numpy(last.GetPointData().GetArray("Temperature")),
                                  series["TimeSeries"]["PointData"]["Temperature"][-1])


def test_no_input_and_no_output_are_clear_errors():
    script = vmtkscripts.vmtkNumpyToTimeSeries()
    with pytest.raises(pypes.PypeError, match="no OutputFileName"):
        script.Execute()
    script.OutputFileName = "run.vtkhdf"
    with pytest.raises(pypes.PypeError, match="no input; give a time-series ArrayDict"):
        script.Execute()
    with pytest.raises(pypes.PypeError, match="no InputFileName"):
        vmtkscripts.vmtkTimeSeriesToNumpy().Execute()


@pytest.mark.parametrize("given", ["run", "run/cfd_*.vtu"])
def test_step_files_given_to_ifile_are_sent_to_ifiles(series, tmp_path, given, capsys):
    folder = tmp_path / "run"
    folder.mkdir()
    for step, (_, mesh) in enumerate(step_objects(series)):
        write_step_file(mesh, "mesh", folder / f"cfd_{step}.vtu")
    words = ["vmtknumpy", "vmtknumpytotimeseries", "-ifile", str(tmp_path / given),
             "-ofile", str(tmp_path / "a.vtkhdf")]
    assert pypes.cli.main(words) != 0
    error = capsys.readouterr().err
    assert f"{tmp_path / given}: -ifile reads one time-series ArrayDict file" in error and "with -ifiles" in error
    assert "Traceback" not in error
