"""The synthetic vessel: three consistent objects (surface, centerlines, image) and the files written from them."""

import tempfile

import numpy as np

from vmtkscripts_numpy import sample_data
from vmtkscripts_numpy.convert.arrays import vtk_to_numpy
from vmtkscripts_numpy.sample_data import (
    FILE_NAMES,
    VMTK_TEST_FILES,
    make_centerlines,
    make_image,
    make_mesh,
    make_vessel_surface,
    tutorial_data,
    write_sample_data,
)


def arrays(attributes):
    return {
        attributes.GetArrayName(i): vtk_to_numpy(attributes.GetArray(i)) for i in range(attributes.GetNumberOfArrays())
    }


def test_the_surface_is_three_triangulated_tubes_with_typed_arrays():
    surface = make_vessel_surface()

    assert surface.GetNumberOfPoints() == 3 * 16 * 20
    assert surface.GetNumberOfPolys() == surface.GetNumberOfCells() == 3 * 15 * 20 * 2
    assert np.all(np.diff(vtk_to_numpy(surface.GetPolys().GetOffsetsArray())) == 3)
    point_data, cell_data = arrays(surface.GetPointData()), arrays(surface.GetCellData())
    assert point_data["WallShearStress"].dtype == np.float32
    assert point_data["Normals"].dtype == np.float64 and point_data["Normals"].shape == (960, 3)
    assert surface.GetPointData().GetNormals().GetName() == "Normals"
    assert cell_data["GroupIds"].dtype == np.int32
    np.testing.assert_array_equal(np.bincount(cell_data["GroupIds"]), [600, 600, 600])


def test_triangles_face_outwards_along_the_normals():
    surface = make_vessel_surface()
    points = vtk_to_numpy(surface.GetPoints().GetData())
    triangles = vtk_to_numpy(surface.GetPolys().GetConnectivityArray()).reshape(-1, 3)
    normals = vtk_to_numpy(surface.GetPointData().GetNormals())

    first, second, third = (points[triangles[:, corner]] for corner in range(3))
    facing = np.cross(second - first, third - first)

    assert np.all(np.einsum("ij,ij->i", facing, normals[triangles[:, 0]]) > 0)
    np.testing.assert_allclose(np.linalg.norm(normals, axis=1), 1.0)


def test_the_wall_lies_one_radius_from_the_centerline_it_was_built_on():
    surface, centerlines = make_vessel_surface(), make_centerlines()
    wall = vtk_to_numpy(surface.GetPoints().GetData()).reshape(3, 16, 20, 3)
    centres = vtk_to_numpy(centerlines.GetPoints().GetData()).reshape(3, 16, 1, 3)
    radii = arrays(centerlines.GetPointData())["MaximumInscribedSphereRadius"].reshape(3, 16, 1)

    np.testing.assert_allclose(np.linalg.norm(wall - centres, axis=-1), np.broadcast_to(radii, (3, 16, 20)))


def test_centerlines_are_one_polyline_per_branch_with_vmtks_arrays():
    centerlines = make_centerlines()

    assert centerlines.GetNumberOfLines() == centerlines.GetNumberOfCells() == 3
    np.testing.assert_array_equal(vtk_to_numpy(centerlines.GetLines().GetOffsetsArray()), [0, 16, 32, 48])
    cell_data = arrays(centerlines.GetCellData())
    assert cell_data["CenterlineIds"].dtype == cell_data["GroupIds"].dtype == np.int32
    np.testing.assert_array_equal(cell_data["CenterlineIds"], [0, 0, 1])
    np.testing.assert_array_equal(cell_data["GroupIds"], [0, 1, 2])
    radius = arrays(centerlines.GetPointData())["MaximumInscribedSphereRadius"]
    assert radius.dtype == np.float64 and radius[0] == 2.0 and radius[15] == 1.8


def test_the_image_is_placed_like_a_ct_volume_and_is_negative_inside_the_vessel():
    image = make_image()
    centres = vtk_to_numpy(make_centerlines().GetPoints().GetData())

    assert image.GetDimensions() == (24, 20, 16)
    assert image.GetSpacing() == (0.75, 0.3, 1.4) and image.GetOrigin() == (8.5, 2.9, -1.5)
    direction = [image.GetDirectionMatrix().GetElement(i, j) for i in range(3) for j in range(3)]
    np.testing.assert_array_equal(np.reshape(direction, (3, 3)), np.diag([-1.0, -1.0, 1.0]))
    scalars = image.GetPointData().GetScalars()
    assert scalars.GetName() == "SignedDistance" and vtk_to_numpy(scalars).dtype == np.float32
    # The voxel nearest each centerline point is inside the vessel.
    for centre in centres[[2, 20, 40]]:
        index = [0, 0, 0]
        pcoords = [0.0, 0.0, 0.0]
        assert image.ComputeStructuredCoordinates(centre, index, pcoords)
        nearest = [int(round(i + p)) for i, p in zip(index, pcoords)]
        assert scalars.GetValue(image.ComputePointId(nearest)) < 0


def test_the_image_values_are_the_distance_at_each_voxels_physical_position():
    image = make_image()
    position = [0.0, 0.0, 0.0]
    image.TransformIndexToPhysicalPoint(5, 7, 3, position)

    expected = sample_data.signed_distance(np.array([position]))[0]

    assert image.GetPointData().GetScalars().GetValue(image.ComputePointId([5, 7, 3])) == np.float32(expected)


def test_written_files_hold_the_same_objects(tmp_path):
    from vmtkscripts_numpy.vtkfiles import read_image, read_mesh, read_surface

    paths = write_sample_data(tmp_path / "new" / "folder")

    assert {kind: path.name for kind, path in paths.items()} == {
        "surface": "vessel.vtp", "centerlines": "centerlines.vtp", "mesh": "mesh.vtu", "image": "image.vti"}
    surface, image = read_surface(paths["surface"]), read_image(paths["image"])
    np.testing.assert_array_equal(vtk_to_numpy(surface.GetPoints().GetData()),
                                  vtk_to_numpy(make_vessel_surface().GetPoints().GetData()))
    assert read_surface(paths["centerlines"]).GetNumberOfLines() == 3
    assert read_mesh(paths["mesh"]).GetNumberOfCells() == make_mesh().GetNumberOfCells()
    assert image.GetDirectionMatrix().GetElement(0, 0) == -1.0
    np.testing.assert_array_equal(vtk_to_numpy(image.GetPointData().GetScalars()),
                                  vtk_to_numpy(make_image().GetPointData().GetScalars()))


def test_the_mesh_is_the_vessel_wall_of_positive_volume_hexahedra():
    from vtkmodules.vtkFiltersVerdict import vtkMeshQuality

    mesh = make_mesh()
    quality = vtkMeshQuality()
    quality.SetInputData(mesh)
    quality.SetHexQualityMeasureToVolume()
    quality.Update()
    volumes = vtk_to_numpy(quality.GetOutput().GetCellData().GetArray("Quality"))

    assert mesh.GetNumberOfCells() == 900 and set(np.unique([mesh.GetCellType(i) for i in range(0, 900, 97)])) == {12}
    assert (volumes > 0).all()
    entity_ids = vtk_to_numpy(mesh.GetCellData().GetArray("CellEntityIds"))
    assert np.array_equal(np.unique(entity_ids), [1, 2, 3])
    assert mesh.GetPointData().GetArray("Displacement").GetNumberOfComponents() == 3


def test_tutorials_run_on_generated_data_when_vmtks_folder_lacks_a_file(tmp_path):
    vmtk_data = tmp_path / "vmtk-test-data"
    vmtk_data.mkdir()
    (vmtk_data / "aorta.mha").write_bytes(b"")          # the surface and centerlines are missing

    files, scalars, output = tutorial_data(tmp_path / "out", vmtk_data=vmtk_data)

    assert output == tmp_path / "out"
    assert set(files) == set(FILE_NAMES)
    assert all(path.parent == output / "sample" and path.is_file() for path in files.values())
    assert scalars == "WallShearStress"
    assert not tutorial_data(tmp_path / "out", vmtk_data=vmtk_data).from_vmtk


def test_tutorials_run_on_vmtks_test_data_when_all_its_files_are_there(tmp_path):
    for name in VMTK_TEST_FILES.values():
        (tmp_path / name).write_bytes(b"")

    data = tutorial_data(tmp_path / "out", vmtk_data=tmp_path)

    assert data.files == {kind: tmp_path / name for kind, name in VMTK_TEST_FILES.items()}
    assert data.scalars == "ClippingArray" and data.from_vmtk
    assert not (tmp_path / "out" / "sample").exists()
    assert "vmtk's test data" in str(data) and str(tmp_path / "aorta.mha") in str(data)


def test_tutorial_folders_come_from_the_environment_as_the_test_of_the_tutorials_sets_them(tmp_path, monkeypatch):
    for name in VMTK_TEST_FILES.values():
        (tmp_path / name).write_bytes(b"")
    monkeypatch.setenv("VMTKNUMPY_TUTORIAL_DATA", str(tmp_path))
    monkeypatch.setenv("VMTKNUMPY_TUTORIAL_OUTPUT", str(tmp_path / "outputs"))

    data = tutorial_data()

    assert data.from_vmtk and data.output == tmp_path / "outputs" and data.output.is_dir()


def test_without_an_output_folder_each_tutorial_gets_a_new_temporary_one(tmp_path, monkeypatch):
    monkeypatch.delenv("VMTKNUMPY_TUTORIAL_OUTPUT", raising=False)
    monkeypatch.setenv("VMTKNUMPY_TUTORIAL_DATA", str(tmp_path / "absent"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    first, second = tutorial_data(), tutorial_data()

    assert first.output != second.output
    assert first.output.parent == second.output.parent == tmp_path
    assert "generated sample data" in str(first)
