"""The package's exceptions and warnings: errors name the file (an OSError), warnings the user's line."""

import errno
import linecache
import os
import pickle

import numpy as np
import pytest

from vmtkscripts_numpy import storage, vtkfiles
from vmtkscripts_numpy.errors import DataFileError, LossWarning, MissingFileError, VmtkNumpyError
from vmtkscripts_numpy.vtkfiles import pvd


def test_a_data_file_error_says_the_file_first_and_carries_its_name():
    error = DataFileError("vessel.vtp", "is empty (0 bytes)")

    assert str(error) == "vessel.vtp: is empty (0 bytes)"
    assert isinstance(error, OSError) and isinstance(error, VmtkNumpyError)
    assert error.filename == "vessel.vtp"
    assert error.strerror == "is empty (0 bytes)"
    assert error.errno is None


def test_a_data_file_error_carries_the_system_error_number_it_was_given():
    error = DataFileError("vessel.vtp", "cannot be read: Permission denied", errno.EACCES)

    assert error.errno == errno.EACCES
    assert str(error) == "vessel.vtp: cannot be read: Permission denied"


def test_a_missing_file_error_is_a_file_not_found_error():
    error = MissingFileError("vessel.vtp")

    assert isinstance(error, FileNotFoundError) and isinstance(error, DataFileError)
    assert error.errno == errno.ENOENT
    assert error.filename == "vessel.vtp"
    assert str(error) == "vessel.vtp: no such file"


@pytest.mark.parametrize("error", [
    DataFileError("a.vtp", "is damaged"),
    DataFileError("a.vtp", "cannot be read: Permission denied", errno.EACCES),
    MissingFileError("a.vtp"),
])
def test_the_errors_survive_pickling_between_processes(error):
    copy = pickle.loads(pickle.dumps(error))

    assert type(copy) is type(error)
    assert (str(copy), copy.errno, copy.filename) == (str(error), error.errno, error.filename)


@pytest.mark.parametrize("read, name", [
    (storage.read, "absent.hdf5"),
    (storage.read, "absent.npz"),
    (storage.read, "absent.pickle"),
    (storage.read, "absent.unknown"),
    (lambda path: vtkfiles.read_surface(path), "absent.vtp"),
    (lambda path: vtkfiles.read_mesh(path), "absent.vtu"),
    (lambda path: vtkfiles.read_image(path), "absent.mha"),
    (pvd.read, "absent.pvd"),
])
def test_reading_a_missing_file_raises_file_not_found_naming_it(read, name, tmp_path):
    path = tmp_path / name

    with pytest.raises(FileNotFoundError) as raised:
        read(path)

    assert isinstance(raised.value, DataFileError)
    assert raised.value.errno == errno.ENOENT
    assert raised.value.filename == str(path)
    assert str(raised.value).startswith(f"{path}: ")


def test_writing_into_a_missing_folder_raises_file_not_found_naming_the_file(tmp_path):
    path = tmp_path / "no-folder" / "vessel.hdf5"

    with pytest.raises(FileNotFoundError) as raised:
        storage.write({"Points": np.zeros((1, 3))}, path)

    assert raised.value.filename == str(path)
    assert raised.value.errno == errno.ENOENT


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="the superuser reads any file")
def test_an_unreadable_file_carries_the_system_error_number(tmp_path):
    path = tmp_path / "locked.hdf5"
    storage.write({"Points": np.zeros((1, 3))}, path)
    path.chmod(0)

    with pytest.raises(DataFileError) as raised:
        storage.read(path)

    assert raised.value.errno == errno.EACCES
    assert raised.value.filename == str(path)
    assert not isinstance(raised.value, FileNotFoundError)


# --- warnings name the user's line ------------------------------------------------------------------------


def test_a_loss_warning_names_the_line_that_called_the_package(tmp_path):
    from vmtkscripts_numpy.sample_data import make_vessel_surface
    from vmtkscripts_numpy.vtkfiles import write_surface

    with pytest.warns(LossWarning, match="STL does not keep everything") as caught:
        write_surface(make_vessel_surface(), tmp_path / "vessel.stl")  # the format module is three calls down
    assert [record.filename for record in caught] == [__file__]
    assert "write_surface(" in linecache.getline(__file__, caught[0].lineno)


def test_a_loss_warning_from_a_script_names_the_line_that_ran_it(tmp_path):
    from vmtkscripts_numpy import vmtkscripts
    from vmtkscripts_numpy.sample_data import make_vessel_surface

    writer = vmtkscripts.vmtkSurfaceWriter()
    writer.Surface, writer.OutputFileName = make_vessel_surface(), str(tmp_path / "vessel.stl")
    with pytest.warns(LossWarning) as caught:
        writer.Execute()
    assert [record.filename for record in caught] == [__file__]
    assert "writer.Execute()" in linecache.getline(__file__, caught[0].lineno)

