"""Reading a case's input for a function: the kind from the extension, else from the file's header."""

import numpy as np
import pytest

from vmtkscripts_numpy import storage
from vmtkscripts_numpy.cohort.task import read_input
from vmtkscripts_numpy.errors import DataFileError
from vmtkscripts_numpy.sample_data import make_image, make_mesh, make_vessel_surface
from vmtkscripts_numpy.vtkfiles import write_image, write_mesh, write_surface


@pytest.mark.filterwarnings("ignore::vmtkscripts_numpy.errors.LossWarning")  # legacy images drop the direction
@pytest.mark.parametrize("make, write, vtk_class", [
    (make_vessel_surface, write_surface, "vtkPolyData"),
    (make_mesh, write_mesh, "vtkUnstructuredGrid"),
    (make_image, write_image, "vtkImageData"),
])
def test_a_legacy_file_is_read_as_the_kind_its_header_says(tmp_path, make, write, vtk_class):
    path = write(make(), tmp_path / "case.vtk")
    assert read_input(str(path)).IsA(vtk_class)


def test_an_array_dict_in_a_shared_extension_is_read_as_a_dict(tmp_path):
    path = storage.write({"Points": np.zeros((2, 3))}, tmp_path / "case.hdf")
    assert read_input(path)["Points"].shape == (2, 3)


def test_a_legacy_file_of_another_dataset_is_one_error(tmp_path):
    path = tmp_path / "grid.vtk"
    path.write_text("# vtk DataFile Version 3.0\ngrid\nASCII\nDATASET RECTILINEAR_GRID\n")
    with pytest.raises(DataFileError, match="cannot tell whether it holds a surface or mesh or image"):
        read_input(str(path))
