"""Dicts made by the package's own converters go through every format and convert back to VTK.

The other storage tests build their dicts by hand; this one checks the real
thing, with every extension key the converters add (CellTypes, ActiveArrays,
ArrayTypes, Direction, IndexOrder, CellTypesAsStrings, lists of cells).
"""

import json
import zipfile

import h5py
import pytest

from vmtkscripts_numpy import sample_data, storage
from vmtkscripts_numpy.convert import image as convert_image
from vmtkscripts_numpy.convert import mesh as convert_mesh
from vmtkscripts_numpy.convert import polydata as convert_polydata

FORMATS = ("pickle", "hdf5", "npz")


def small_mesh():
    from vtkmodules.vtkCommonCore import vtkPoints
    from vtkmodules.vtkCommonDataModel import vtkUnstructuredGrid

    grid = vtkUnstructuredGrid()
    points = vtkPoints()
    for xyz in ((0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 1)):
        points.InsertNextPoint(*xyz)
    grid.SetPoints(points)
    grid.InsertNextCell(10, 4, [0, 1, 2, 3])  # a tetra
    grid.InsertNextCell(5, 3, [1, 2, 4])  # a triangle
    grid.InsertNextCell(3, 2, [3, 4])  # a line
    return grid


def converted(kind):
    """``(ArrayDict from the converter, function back to VTK)`` for a kind of dict."""
    if kind == "surface":
        return convert_polydata.polydata_to_dict(sample_data.make_vessel_surface()), convert_polydata.dict_to_polydata
    if kind == "centerlines":
        return (convert_polydata.centerlines_to_dict(sample_data.make_centerlines()),
                convert_polydata.dict_to_centerlines)
    if kind == "mesh":
        return convert_mesh.mesh_to_dict(small_mesh()), convert_mesh.dict_to_mesh
    return convert_image.image_to_dict(sample_data.make_image(), index_order="zyx"), convert_image.dict_to_image


@pytest.mark.parametrize("format_name", FORMATS)
@pytest.mark.parametrize("kind", ["surface", "centerlines", "mesh", "image"])
def test_converter_dicts_come_back_exactly_and_convert_back(tmp_path, kind, format_name, assert_same):
    array_dict, to_vtk = converted(kind)
    written = storage.write(array_dict, tmp_path / kind, format=format_name)
    back = storage.read(written)
    assert_same(array_dict, back)
    assert to_vtk(back).GetNumberOfPoints() == to_vtk(array_dict).GetNumberOfPoints()


@pytest.mark.parametrize("kind", ["surface", "centerlines", "mesh", "image"])
def test_the_files_name_the_kind_of_converter_dicts(tmp_path, kind):
    array_dict, _ = converted(kind)
    hdf5_path = storage.write(array_dict, tmp_path / kind, format="hdf5")
    npz_path = storage.write(array_dict, tmp_path / kind, format="npz")
    with h5py.File(hdf5_path, "r") as h5file:
        assert h5file.attrs["vmtkscripts_numpy_kind"] == kind
    with zipfile.ZipFile(npz_path) as archive:
        assert json.loads(archive.read("vmtkscripts_numpy.json"))["kind"] == kind


@pytest.mark.parametrize("format_name", FORMATS)
@pytest.mark.parametrize("kind", ["surface", "centerlines"])
def test_cell_point_ids_stay_the_first_cell_array_through_every_format(tmp_path, kind, format_name):
    # vmtk's vmtknumpytocenterlines drops every cell array it meets before CellPointIds.
    array_dict, _ = converted(kind)
    assert list(array_dict["CellData"])[0] == "CellPointIds" and len(array_dict["CellData"]) > 1

    back = storage.read(storage.write(array_dict, tmp_path / kind, format=format_name))

    assert list(back["CellData"]) == list(array_dict["CellData"])
