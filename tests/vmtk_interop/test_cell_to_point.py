"""``-celltopoint 1``: the package's means of cell data at the points are vmtk's (VTK's filter), bit for bit."""

import numpy as np
import pytest
from vtkmodules.vtkFiltersCore import vtkPolyDataNormals

from vmtkscripts_numpy import read_surface


def surface_with_cell_normals(path):
    normals = vtkPolyDataNormals()
    normals.SetInputData(read_surface(path))
    normals.ComputeCellNormalsOn()
    normals.ComputePointNormalsOff()
    normals.SplittingOff()
    normals.Update()
    return normals.GetOutput()


@pytest.mark.parametrize("script, member, name", [
    ("vmtkSurfaceToNumpy", "Surface", "aorta-surface.vtp"),
    ("vmtkCenterlinesToNumpy", "Centerlines", "aorta-centerline-attribute-branches.vtp"),
])
def test_cell_data_moved_to_the_points_is_vmtks(vmtk_test_data, run_vmtk, run_ours, script, member, name):
    path = vmtk_test_data(name)
    load = surface_with_cell_normals if member == "Surface" else read_surface  # float32 normals on each triangle

    theirs = run_vmtk(script, **{member: load(path), "ConvertCellToPoint": 1}).ArrayDict["PointData"]
    ours = run_ours(script, **{member: load(path), "ConvertCellToPoint": 1}).ArrayDict["PointData"]

    moved = [key for key in theirs if key in ("Normals", "CenterlineIds", "TractIds", "Blanking", "GroupIds")]
    assert moved
    for key in moved:
        assert np.asarray(theirs[key]).dtype == ours[key].dtype, key
        np.testing.assert_array_equal(ours[key], np.asarray(theirs[key]), err_msg=key)
