"""Vessel coordinates beside vmtk's vmtkbranchmetrics, on vmtk's branch-split aorta.

vmtk places each surface point along the centerlines of its branch: around the
squared-radius mean of its nearest points on them, from the parallel transported
normal. The package does the same, with one difference this file pins down:
vmtk 1.5.2 reads both ends of a segment through one ``GetTuple`` buffer
(``vtkvmtkCenterlineUtilities::InterpolateTuple``), so its abscissas, normals and
radius weights are the segment's end values, not interpolated: its
AbscissaMetric steps from centerline point to centerline point.
"""

import numpy as np
import pytest

from vmtkscripts_numpy import maps, read_surface
from vmtkscripts_numpy.convert.polydata import centerlines_to_dict, polydata_to_dict
from vmtkscripts_numpy.maps import vessel_coordinates, vessel_map

VMTK_ARRAYS = {"abscissas_array": "Abscissas", "normals_array": "ParallelTransportNormals"}


@pytest.fixture
def aorta(vmtk_test_data, run_vmtk):
    """vmtk's branch-split aorta surface after vmtk's vmtkbranchmetrics, and the centerlines it ran on."""
    surface = read_surface(vmtk_test_data("aorta-surface-branch-split.vtp"))
    centerlines = read_surface(vmtk_test_data("aorta-centerline-attribute-branches.vtp"))
    measured = run_vmtk("vmtkBranchMetrics", Surface=surface, Centerlines=centerlines).Surface
    return polydata_to_dict(measured), centerlines_to_dict(centerlines)


def angle_difference(ours, theirs):
    return np.abs(np.angle(np.exp(1j * (ours - theirs))))


def test_with_vmtks_segment_end_values_the_coordinates_are_vmtks(aorta, monkeypatch):
    surface, centerlines = aorta
    monkeypatch.setattr(maps, "_attribute_at", lambda values, segment, t: values[segment + 1])

    ours = vessel_coordinates(surface, centerlines, **VMTK_ARRAYS)

    np.testing.assert_allclose(ours["AbscissaMetric"], surface["PointData"]["AbscissaMetric"], rtol=0, atol=1e-9)
    assert angle_difference(ours["AngularMetric"], surface["PointData"]["AngularMetric"]).max() < 1e-9
    np.testing.assert_array_equal(ours["BranchIds"], surface["PointData"]["GroupIds"])


def test_vmtks_abscissa_steps_between_centerline_points_where_ours_is_interpolated(aorta):
    surface, centerlines = aorta

    ours = vessel_coordinates(surface, centerlines, **VMTK_ARRAYS)

    theirs = surface["PointData"]["AbscissaMetric"]
    difference = np.abs(ours["AbscissaMetric"] - theirs)
    # Less than one centerline segment (2.22 mm at most on this centerline), a few tenths of a mm typically.
    steps = np.concatenate([np.diff(centerlines["PointData"]["Abscissas"][cell])
                            for cell in centerlines["CellData"]["CellPointIds"]])
    assert difference.max() <= steps.max() + 1e-9
    assert np.median(difference) < 0.3
    # In the branches of one centerline vmtk's values are the centerline's own abscissas, taken at segment ends
    # (the trunk, group 0, is crossed by both centerlines: vmtk averages their two).
    single = np.isin(surface["PointData"]["GroupIds"], [2, 3])
    assert np.isin(np.round(theirs[single], 9), np.round(centerlines["PointData"]["Abscissas"], 9)).all()
    # The angle hardly notices: the normals turn little along one segment.
    angle = np.degrees(angle_difference(ours["AngularMetric"], surface["PointData"]["AngularMetric"]))
    assert np.median(angle) < 0.05 and angle.max() < 2.5


def test_our_own_centerline_attributes_are_vmtks(aorta):
    surface, centerlines = aorta

    with_theirs = vessel_coordinates(surface, centerlines, **VMTK_ARRAYS)
    with_ours = vessel_coordinates(surface, centerlines)

    # Abscissas along each whole centerline (its three tracts), normals transported as vmtkcenterlineattributes does.
    np.testing.assert_allclose(with_ours["AbscissaMetric"], with_theirs["AbscissaMetric"], atol=1e-5)
    assert np.degrees(angle_difference(with_ours["AngularMetric"], with_theirs["AngularMetric"])).max() < 0.2


def test_a_map_from_vmtks_metrics_is_close_to_ours(aorta):
    surface, centerlines = aorta

    from_vmtk = vessel_map(surface, "ClippingArray", abscissa_spacing=1.0, angle_count=90)
    from_ours = vessel_map(surface, "ClippingArray", centerlines, abscissa_spacing=1.0, angle_count=90, **VMTK_ARRAYS)

    assert sorted(from_vmtk) == sorted(from_ours) == [0, 2, 3]
    for group in from_vmtk:
        # The columns both maps have (vmtk's abscissas start at the first segment's end).
        first = int(max(m[group]["Origin"][0] for m in (from_vmtk, from_ours)))
        last = int(min(m[group]["Origin"][0] + m[group]["Dimensions"][0] - 1 for m in (from_vmtk, from_ours)))
        assert last - first > 30

        def common(flat, name):
            start = first - int(flat[group]["Origin"][0])
            return flat[group]["PointData"][name][start:start + last - first + 1]

        both = (common(from_vmtk, "Coverage") == 1) & (common(from_ours, "Coverage") == 1)
        difference = np.abs(common(from_vmtk, "ClippingArray") - common(from_ours, "ClippingArray"))[both]
        spread = np.ptp(surface["PointData"]["ClippingArray"][surface["PointData"]["GroupIds"] == group])
        assert both.mean() > 0.8 and np.median(difference) < 0.01 * spread
