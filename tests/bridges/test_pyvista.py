import numpy as np
import pytest

from vmtkscripts_numpy import dict_from_array, modified
from vmtkscripts_numpy.bridges import from_pyvista, to_pyvista
from vmtkscripts_numpy.errors import ArrayDictError

from .meshes import mixed_mesh_dict

pv = pytest.importorskip("pyvista")


def test_a_surface_dict_becomes_polydata_sharing_its_points():
    points = np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0]])
    surface = to_pyvista({"Points": points, "CellData": {"CellPointIds": np.array([[0, 1, 2]])}})

    points[2, 1] = 5.0

    assert isinstance(surface, pv.PolyData)
    assert surface.points[2, 1] == 5.0
    assert modified(surface).bounds[3] == 5.0


def test_an_image_keeps_spacing_origin_and_direction():
    direction = np.array([[0.0, -1, 0], [1, 0, 0], [0, 0, 1]])
    grid = to_pyvista(dict_from_array(np.zeros((4, 3, 2)), spacing=(0.5, 1, 2), origin=(1, 2, 3), direction=direction))

    assert isinstance(grid, pv.ImageData)
    assert tuple(grid.dimensions) == (4, 3, 2) and tuple(grid.spacing) == (0.5, 1.0, 2.0)
    np.testing.assert_array_equal(np.asarray(grid.direction_matrix), direction)


def test_a_mesh_comes_back_whole():
    mesh_dict = mixed_mesh_dict()

    back = from_pyvista(to_pyvista(mesh_dict))

    np.testing.assert_array_equal(back["Points"], mesh_dict["Points"])
    np.testing.assert_array_equal(back["Cells"]["CellTypes"], mesh_dict["Cells"]["CellTypes"])
    np.testing.assert_array_equal(back["CellData"]["Region"], mesh_dict["CellData"]["Region"])


def test_from_pyvista_copies_unless_told_not_to():
    sphere = pv.Sphere()

    copied = from_pyvista(sphere)["Points"]
    view = from_pyvista(sphere, copy=False)["Points"]

    assert not np.shares_memory(copied, sphere.points)
    assert np.shares_memory(view, np.asarray(sphere.points))


def test_centerlines_are_asked_for():
    line = pv.lines_from_points(np.eye(3))

    assert isinstance(from_pyvista(line, kind="centerlines")["CellData"]["CellPointIds"], list)
    with pytest.raises(ArrayDictError, match="kind"):
        from_pyvista(line, kind="image")


def test_other_datasets_are_refused():
    with pytest.raises(ArrayDictError, match="MultiBlock"):
        from_pyvista(pv.MultiBlock())
    with pytest.raises(ArrayDictError, match="ArrayDict"):
        to_pyvista(pv.Sphere())


def test_an_image_shares_its_voxels_both_ways():
    volume = np.zeros((4, 3, 2), np.float32, order="F")
    grid = to_pyvista(dict_from_array(volume))

    volume[3, 2, 1] = 7.0
    back = from_pyvista(grid, copy=False)["PointData"]["ImageScalars"]

    assert modified(grid).get_data_range() == (0.0, 7.0)
    assert np.shares_memory(back, volume) and back[3, 2, 1] == 7.0


@pytest.mark.skipif(not hasattr(pv, "registered_readers"), reason="PyVista < 0.48 has no reader registry")
@pytest.mark.parametrize("extension", [".hdf5", ".npz"])
def test_pyvista_reads_and_saves_array_dict_files(tmp_path, extension):
    from vmtkscripts_numpy import read_array_dict, write_array_dict

    surface = {"Points": np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0]]),
               "CellData": {"CellPointIds": np.array([[0, 1, 2]])}, "PointData": {"Height": np.arange(3.0)}}
    write_array_dict(surface, tmp_path / f"case{extension}")

    read = pv.read(tmp_path / f"case{extension}")  # through the package's entry points, without importing it here
    assert isinstance(read, pv.PolyData) and read.n_cells == 1
    np.testing.assert_array_equal(read.point_data["Height"], [0.0, 1.0, 2.0])

    read.point_data["Height"] = read.point_data["Height"] * 2
    read.save(tmp_path / f"saved{extension}")
    np.testing.assert_array_equal(read_array_dict(tmp_path / f"saved{extension}")["PointData"]["Height"], [0, 2, 4])
