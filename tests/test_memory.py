import numpy as np
import pytest

from vmtkscripts_numpy import dict_to_mesh, dict_to_polydata, image_from_array, image_to_dict, polydata_to_dict
from vmtkscripts_numpy.errors import ArrayDictError
from vmtkscripts_numpy.memory import modified


def test_an_edit_through_a_view_is_stale_until_marked_modified():
    image = image_from_array(np.arange(27.0).reshape(3, 3, 3))
    assert image.GetScalarRange() == (0.0, 26.0)
    voxels = image_to_dict(image, copy=False)["PointData"]["ImageScalars"]

    np.clip(voxels, 5, 20, out=voxels)

    assert image.GetScalarRange() == (0.0, 26.0)  # VTK's cached range: why modified() exists
    assert modified(image) is image
    assert image.GetScalarRange() == (5.0, 20.0)


def test_surface_points_and_cell_data_are_marked():
    points = np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0]])
    surface = dict_to_polydata({"Points": points, "CellData": {"CellPointIds": np.array([[0, 1, 2]]),
                                                                "Area": np.array([0.5])}})
    assert surface.GetBounds()[1] == 1.0 and surface.GetCellData().GetArray("Area").GetRange() == (0.5, 0.5)
    area = polydata_to_dict(surface, copy=False)["CellData"]["Area"]

    points[1, 0] = 3.0
    area[0] = 2.0
    modified(surface)

    assert surface.GetBounds()[1] == 3.0
    assert surface.GetCellData().GetArray("Area").GetRange() == (2.0, 2.0)


def test_a_mesh_and_a_single_array_are_marked():
    points = np.eye(4, 3)
    mesh = dict_to_mesh({"Points": points, "PointData": {"T": np.zeros(4)}, "Cells": {
        "CellPointIds": np.array([4, 0, 1, 2, 3]), "CellLocations": np.array([0]), "CellTypes": np.array([10], np.uint8)}})
    array = mesh.GetPointData().GetArray("T")
    assert array.GetRange() == (0.0, 0.0)
    from vmtkscripts_numpy.convert.arrays import vtk_to_numpy

    vtk_to_numpy(array, copy=False)[2] = 9.0
    modified(array)

    assert array.GetRange() == (0.0, 9.0)


def test_anything_else_is_refused():
    with pytest.raises(ArrayDictError, match="VTK object"):
        modified(np.zeros(3))
