"""Known voxels and points of real data go through every bridge, in both frames, and land on the same physical point.

The reference for each image is what the library that reads the file says; every other library and the
package's own matrices must agree with it to 1e-6 mm, and must give the same voxel value at that index.
"""

import numpy as np
import pytest

from vmtkscripts_numpy import dict_to_image, image_from_array, image_to_dict, read_image
from vmtkscripts_numpy.bridges import (
    from_nibabel,
    from_pyvista,
    from_simpleitk,
    to_nibabel,
    to_pyvista,
    to_simpleitk,
)
from vmtkscripts_numpy.placement import RAS_TO_LPS, index_to_physical, physical_to_index

sitk = pytest.importorskip("SimpleITK")
nib = pytest.importorskip("nibabel")
pv = pytest.importorskip("pyvista")

TOLERANCE_MM = 1e-6
FRAMES = ("RAS", "LPS")


def known_indices(dimensions, count=12, seed=3):
    """The eight corners and a few voxels inside, as an (n, 3) int array of x, y, z indices."""
    corners = np.array([[x, y, z] for x in (0, 1) for y in (0, 1) for z in (0, 1)]) * (np.asarray(dimensions) - 1)
    inside = np.random.default_rng(seed).integers(0, dimensions, size=(count, 3))
    return np.vstack([corners, inside])


def homogeneous(points):
    return np.hstack([np.asarray(points, dtype=np.float64), np.ones((len(points), 1))])


def in_frame(lps_points, frame):
    return lps_points if frame == "LPS" else lps_points * [-1, -1, 1]


def vtk_points(image, indices):
    """Where VTK puts each index (its own extent numbering, which starts at 0 here)."""
    out = []
    for index in indices:
        point = [0.0, 0.0, 0.0]
        image.TransformIndexToPhysicalPoint(*(int(v) for v in index), point)
        out.append(point)
    return np.array(out)


def sitk_points(image, indices):
    return np.array([image.TransformIndexToPhysicalPoint([int(v) for v in index]) for index in indices])


def check_every_library(image_dict, indices, lps_reference, values_reference):
    """Every bridge and matrix, in both frames, against the reference LPS points and voxel values."""
    for frame in FRAMES:
        expected = in_frame(lps_reference, frame)
        matrix = index_to_physical(image_dict, frame=frame)
        np.testing.assert_allclose((homogeneous(indices) @ matrix.T)[:, :3], expected, rtol=0, atol=TOLERANCE_MM)
        back = homogeneous(expected) @ physical_to_index(image_dict, frame=frame).T
        np.testing.assert_allclose(back[:, :3], indices, rtol=0, atol=1e-9)

        vtk_image = dict_to_image(image_dict, frame=frame)
        np.testing.assert_allclose(vtk_points(vtk_image, indices), expected, rtol=0, atol=TOLERANCE_MM)

        grid = to_pyvista(image_dict, frame=frame)
        np.testing.assert_allclose(vtk_points(grid, indices), expected, rtol=0, atol=TOLERANCE_MM)
        again = from_pyvista(grid, frame=frame)
        np.testing.assert_allclose(index_to_physical(again, frame=frame), matrix, rtol=0, atol=TOLERANCE_MM)

        rebuilt = image_from_array(voxels_xyz(image_dict), affine=matrix, frame=frame)
        np.testing.assert_allclose(vtk_points(rebuilt, indices), expected, rtol=0, atol=TOLERANCE_MM)
        assert_values(image_to_dict(rebuilt), indices, values_reference)

    itk_image = to_simpleitk(image_dict)
    np.testing.assert_allclose(sitk_points(itk_image, indices), lps_reference, rtol=0, atol=TOLERANCE_MM)
    itk_values = sitk.GetArrayViewFromImage(itk_image)
    np.testing.assert_array_equal(itk_values[indices[:, 2], indices[:, 1], indices[:, 0]], values_reference)

    nifti = to_nibabel(image_dict)
    ras = (homogeneous(indices) @ nifti.affine.T)[:, :3]
    np.testing.assert_allclose(ras, in_frame(lps_reference, "RAS"), rtol=0, atol=TOLERANCE_MM)
    np.testing.assert_array_equal(np.asanyarray(nifti.dataobj)[tuple(indices.T)], values_reference)

    for frame in FRAMES:
        for back in (from_simpleitk(itk_image, frame=frame), from_nibabel(nifti, frame=frame)):
            assert back["Frame"] == frame
            placed = (homogeneous(indices) @ index_to_physical(back).T)[:, :3]
            np.testing.assert_allclose(placed, in_frame(lps_reference, frame), rtol=0, atol=TOLERANCE_MM)
            assert_values(back, indices, values_reference)


def voxels_xyz(image_dict):
    values = next(iter(image_dict["PointData"].values()))
    return values if image_dict.get("IndexOrder", "xyz") == "xyz" else values.transpose(2, 1, 0)


def assert_values(image_dict, indices, expected):
    np.testing.assert_array_equal(voxels_xyz(image_dict)[tuple(indices.T)], expected)


@pytest.mark.parametrize("read_frame", FRAMES)
@pytest.mark.parametrize("index_order", ["xyz", "zyx"])
def test_aorta_voxels_land_where_simpleitk_puts_them(vmtk_test_data, read_frame, index_order):
    path = vmtk_test_data("aorta.mha")
    reference_image = sitk.ReadImage(str(path))
    image_dict = image_to_dict(read_image(path, frame=read_frame), index_order=index_order, frame=read_frame)
    indices = known_indices(reference_image.GetSize())
    lps_reference = sitk_points(reference_image, indices)
    values = sitk.GetArrayViewFromImage(reference_image)[indices[:, 2], indices[:, 1], indices[:, 0]]

    assert not np.allclose(reference_image.GetDirection(), np.eye(3).ravel())  # so a lost direction would show
    check_every_library(image_dict, indices, lps_reference, values)


def oblique_affine():
    """A rotation about an oblique axis, anisotropic voxels, and an origin far from 0 (RAS)."""
    axis = np.array([0.3, -0.5, 0.8]) / np.linalg.norm([0.3, -0.5, 0.8])
    angle = 0.7
    cross = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    rotation = np.eye(3) * np.cos(angle) + np.sin(angle) * cross + (1 - np.cos(angle)) * np.outer(axis, axis)
    affine = np.eye(4)
    affine[:3, :3] = rotation * [0.7, 0.9, 1.6]
    affine[:3, 3] = (-83.25, 41.5, -12.75)
    return affine


@pytest.mark.parametrize("index_order", ["xyz", "zyx"])
def test_an_oblique_nifti_lands_where_nibabel_puts_it(tmp_path, index_order):
    data = np.random.default_rng(5).integers(-1000, 3000, size=(9, 7, 5)).astype(np.int16)
    path = tmp_path / "oblique.nii.gz"
    nib.save(nib.Nifti1Image(data, oblique_affine()), str(path))
    reference = nib.load(str(path))  # the affine as stored (float32), the reference from here on
    indices = known_indices(data.shape)
    lps_reference = (homogeneous(indices) @ (RAS_TO_LPS @ reference.affine).T)[:, :3]
    values = data[tuple(indices.T)]

    image_dict = from_nibabel(reference, index_order=index_order)

    assert np.abs(image_dict["Direction"] - np.diag(np.diag(image_dict["Direction"]))).max() > 0.1  # oblique
    check_every_library(image_dict, indices, lps_reference, values)


def test_the_package_reads_the_oblique_nifti_where_nibabel_does(tmp_path):
    data = np.arange(9 * 7 * 5, dtype=np.float32).reshape(9, 7, 5)
    path = tmp_path / "oblique.nii"
    nib.save(nib.Nifti1Image(data, oblique_affine()), str(path))
    reference = nib.load(str(path))
    indices = known_indices(data.shape)

    for frame in FRAMES:
        image_dict = image_to_dict(read_image(path, frame=frame), frame=frame)
        expected = (homogeneous(indices) @ (reference.affine.T if frame == "RAS" else (RAS_TO_LPS @ reference.affine).T))
        placed = homogeneous(indices) @ index_to_physical(image_dict).T
        np.testing.assert_allclose(placed[:, :3], expected[:, :3], rtol=0, atol=TOLERANCE_MM)
        assert_values(image_dict, indices, data[tuple(indices.T)])


def test_mesh_points_land_where_they_were_in_every_library(tmp_path):
    meshio = pytest.importorskip("meshio")
    from vmtkscripts_numpy import dict_to_mesh, mesh_to_dict, read_mesh
    from vmtkscripts_numpy.bridges import cell_blocks, from_meshio, to_meshio

    from .meshes import mixed_mesh_dict

    mesh_dict = mixed_mesh_dict()
    points = mesh_dict["Points"]
    blocks = cell_blocks(mesh_dict)
    # Each cell's points, as the corners of that cell, through meshio (and meshio's own VTK writer) and PyVista.
    through_meshio = to_meshio(mesh_dict)
    meshio.write(str(tmp_path / "mixed.vtu"), through_meshio)
    written_by_meshio = mesh_to_dict(read_mesh(tmp_path / "mixed.vtu"))
    grid = to_pyvista(mesh_dict)
    for number, block in enumerate(blocks):
        corners = points[block.point_ids]
        np.testing.assert_array_equal(grid.points[np.asarray(grid.cells_dict[block.cell_type])], corners)
        meshio_block = through_meshio.cells[number]
        if block.cell_type == 13:  # meshio numbers a wedge's corners its own way: compare as sets of points
            np.testing.assert_array_equal(np.sort(through_meshio.points[meshio_block.data], axis=1),
                                          np.sort(corners, axis=1))
        else:
            np.testing.assert_array_equal(through_meshio.points[meshio_block.data], corners)
    # meshio's own VTK writer puts the cells back as VTK numbers them: the wedges too.
    back = from_meshio(through_meshio)
    for result in (written_by_meshio, back, from_pyvista(grid)):
        for block, again in zip(blocks, cell_blocks(result)):
            assert again.cell_type == block.cell_type
            np.testing.assert_array_equal(result["Points"][again.point_ids], points[block.point_ids])
    assert dict_to_mesh(back).GetNumberOfCells() == len(mesh_dict["Cells"]["CellTypes"])


def test_surface_points_of_real_data_survive_every_mesh_bridge(vmtk_test_data):
    from vmtkscripts_numpy import polydata_to_dict, read_surface
    from vmtkscripts_numpy.bridges import cells_by_type, from_meshio, to_meshio

    surface = read_surface(vmtk_test_data("aorta-surface.vtp"))
    surface_dict = polydata_to_dict(surface)
    triangles = surface_dict["CellData"]["CellPointIds"]
    known = np.random.default_rng(2).integers(0, len(triangles), 20)

    for result in (to_pyvista(surface_dict), pv.wrap(surface)):
        np.testing.assert_array_equal(np.asarray(result.points)[triangles[known]], surface_dict["Points"][triangles[known]])
    mesh = to_meshio(surface_dict)
    np.testing.assert_array_equal(mesh.points[mesh.cells_dict["triangle"][known]], surface_dict["Points"][triangles[known]])
    back = from_meshio(mesh)
    np.testing.assert_array_equal(back["Points"][cells_by_type(back)[5][known]], surface_dict["Points"][triangles[known]])
    np.testing.assert_array_equal(cells_by_type(surface_dict)[5], np.asarray(pv.wrap(surface).faces).reshape(-1, 4)[:, 1:])
