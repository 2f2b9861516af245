"""Flat maps of surface data: along a vessel's centerline (abscissa x angle) and around a centre (spherical).

The vessel tests use a tube bent along a circular arc, whose every point has
known coordinates: its arc length along the centerline and its angle around
it, measured from a reference normal that parallel transport keeps at a fixed
angle to the arc's plane.
"""

import numpy as np
import pytest

from vmtkscripts_numpy.errors import ArrayDictError
from vmtkscripts_numpy.maps import (
    parallel_transport_normals,
    spherical_map,
    vessel_coordinates,
    vessel_map,
    vessel_map_to_surface,
)

#: The bent tube: centerline radius, tube radius (mm), arc (radians).
BEND, RADIUS, ARC = 30.0, 3.0, 2.0


def bent_tube(stations=160, around=72, bend=BEND, radius=RADIUS, arc=ARC):
    """A triangulated tube around a planar arc, and each point's arc length and angle (CCW about the tangent)."""
    phi = np.linspace(0.0, arc, stations)
    theta = np.linspace(0.0, 2 * np.pi, around, endpoint=False) + 0.01
    centre = np.column_stack([bend * np.cos(phi), bend * np.sin(phi), np.zeros_like(phi)])
    tangent = np.column_stack([-np.sin(phi), np.cos(phi), np.zeros_like(phi)])
    up = np.array([0.0, 0.0, 1.0])
    outward = np.cross(tangent, up)  # e2 = t x e1: the angle runs counter-clockwise about the tangent from e1 = up
    points = (centre[:, None] + radius * (np.cos(theta)[None, :, None] * up
                                          + np.sin(theta)[None, :, None] * outward[:, None])).reshape(-1, 3)
    i, j = np.meshgrid(np.arange(stations - 1), np.arange(around), indexing="ij")
    a, b = i * around + j, i * around + (j + 1) % around
    triangles = np.concatenate([np.stack([a, b, b + around], -1).reshape(-1, 3),
                                np.stack([a, b + around, a + around], -1).reshape(-1, 3)])
    arc_length = np.repeat(bend * phi, around)
    angle = np.tile(theta, stations)
    return {"Points": points, "PointData": {}, "CellData": {"CellPointIds": triangles}}, arc_length, angle


def arc_centerline(samples=400, bend=BEND, arc=ARC):
    phi = np.linspace(0.0, arc, samples)
    return {"Points": np.column_stack([bend * np.cos(phi), bend * np.sin(phi), np.zeros(samples)]), "PointData": {},
            "CellData": {"CellPointIds": [np.arange(samples)]}}


def expected_vmtk_angle(angle, centerline):
    """The point's angle as vmtk measures it: from the transported normal, clockwise about the tangent."""
    normal = parallel_transport_normals(centerline["Points"])[0]
    tangent = np.array([0.0, 1.0, 0.0])  # at phi = 0
    offset = np.arctan2(tangent @ np.cross([0.0, 0.0, 1.0], normal), normal[2])
    return np.angle(np.exp(-1j * (angle - offset)))


def wrapped(difference):
    return np.abs(np.angle(np.exp(1j * difference)))


# --- parallel transport -------------------------------------------------------------------


def helix(points=2000, radius=10.0, rise=3.0, turns=2):
    angle = np.linspace(0, 2 * np.pi * turns, points)
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle), rise * angle]), angle


def vmtks_sequential_transport(line):
    """vtkvmtkCenterlineAttributesFilter's loop, step by step with vtkTransform, as vmtk runs it."""
    from vtkmodules.vtkCommonCore import vtkMath
    from vtkmodules.vtkCommonTransforms import vtkTransform

    normals = np.zeros_like(line)
    t0 = (line[1] - line[0]) / np.linalg.norm(line[1] - line[0])
    n0, unused = [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]
    vtkMath.Perpendiculars(t0.tolist(), n0, unused, 0.0)
    normals[0] = n0
    transform = vtkTransform()
    for i in range(1, len(line) - 1):
        t0 = (line[i] - line[i - 1]) / np.linalg.norm(line[i] - line[i - 1])
        t1 = (line[i + 1] - line[i]) / np.linalg.norm(line[i + 1] - line[i])
        dot = float(t0 @ t1)
        theta = 0.0 if 1 - dot < 1e-12 else np.degrees(np.arccos(dot))
        transform.Identity()
        transform.RotateWXYZ(theta, *np.cross(t0, t1))
        n1 = np.array(transform.TransformPoint(normals[i - 1]))
        n1 -= (t1 @ n1) * t1
        normals[i] = n1 / np.linalg.norm(n1)
    normals[-1] = normals[-2]
    return normals


def test_parallel_transport_normals_are_vmtks_sequential_transport_in_one_vectorized_pass():
    line, _ = helix(500)

    np.testing.assert_allclose(parallel_transport_normals(line), vmtks_sequential_transport(line), atol=1e-12)


def test_parallel_transport_normals_turn_against_a_helixs_torsion_and_never_twist_about_the_tangent():
    line, angle = helix()
    radius, rise = 10.0, 3.0

    normals = parallel_transport_normals(line)

    # The helix's Frenet frame: the principal normal points at the axis; the binormal is t x n.
    middle = (angle[:-1] + angle[1:]) / 2
    tangent = np.column_stack([-radius * np.sin(middle), radius * np.cos(middle), np.full_like(middle, rise)])
    tangent /= np.linalg.norm(tangent, axis=1)[:, None]
    principal = np.column_stack([-np.cos(middle), -np.sin(middle), np.zeros_like(middle)])
    binormal = np.cross(tangent, principal)
    np.testing.assert_allclose(np.linalg.norm(normals, axis=1), 1.0)
    # A parallel transported normal turns about the tangent, against the Frenet frame, at the torsion's rate.
    turned = np.unwrap(np.arctan2(np.sum(normals[:-1] * binormal, axis=1), np.sum(normals[:-1] * principal, axis=1)))
    arc_length = np.sqrt(radius ** 2 + rise ** 2) * (middle - middle[0])
    torsion = rise / (radius ** 2 + rise ** 2)
    np.testing.assert_allclose(turned - turned[0], -torsion * arc_length, atol=2e-3)


def test_parallel_transport_normals_are_vmtks_first_normal_carried_along():
    from vtkmodules.vtkCommonCore import vtkMath

    line = arc_centerline(50)["Points"]
    first, unused = [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]
    vtkMath.Perpendiculars((line[1] - line[0]) / np.linalg.norm(line[1] - line[0]), first, unused, 0.0)

    normals = parallel_transport_normals(line)

    np.testing.assert_allclose(normals[0], first, atol=1e-15)
    # Along a planar curve, the angle to the curve's plane stays.
    np.testing.assert_allclose(normals[:, 2], first[2], atol=1e-12)
    np.testing.assert_array_equal(normals[-1], normals[-2])  # the last point keeps the last segment's


# --- coordinates -------------------------------------------------------------------------


def test_every_point_of_a_bent_tube_gets_its_arc_length_and_angle():
    surface, arc_length, angle = bent_tube()
    centerline = arc_centerline()

    coordinates = vessel_coordinates(surface, centerline)

    # To within what the 400-point centerline's chords change: the tube's radius x half a chord's turn.
    chords = RADIUS * ARC / 399 / 2
    np.testing.assert_allclose(coordinates["AbscissaMetric"], arc_length, atol=chords * 1.05)
    assert wrapped(coordinates["AngularMetric"] - expected_vmtk_angle(angle, centerline)).max() < chords / RADIUS
    np.testing.assert_allclose(coordinates["CenterlineDistance"], RADIUS, atol=1e-3)
    assert set(np.unique(coordinates["BranchIds"])) == {0}


def test_the_angle_does_not_jump_along_a_line_drawn_down_the_wall():
    surface, _, angle = bent_tube()
    coordinates = vessel_coordinates(surface, arc_centerline())

    generator = np.isclose(angle, angle[5])
    along = coordinates["AngularMetric"][generator]
    assert wrapped(along - along[0]).max() < 5e-5


def test_branches_split_by_group_ids_are_placed_along_their_own_centerlines():
    from vmtkscripts_numpy.convert.polydata import centerlines_to_dict, polydata_to_dict
    from vmtkscripts_numpy.sample_data import make_centerlines, make_vessel_surface

    surface, centerlines = polydata_to_dict(make_vessel_surface()), centerlines_to_dict(make_centerlines())

    coordinates = vessel_coordinates(surface, centerlines)

    # The surface's groups are cell data: each point takes its triangles' group.
    groups = surface["CellData"]["GroupIds"]
    point_groups = np.full(len(surface["Points"]), -1)
    point_groups[surface["CellData"]["CellPointIds"].ravel()] = np.repeat(groups, 3)
    np.testing.assert_array_equal(coordinates["BranchIds"], point_groups)
    for group, cell in enumerate(centerlines["CellData"]["CellPointIds"]):
        line = centerlines["Points"][cell]
        mine = coordinates["BranchIds"] == group
        assert coordinates["AbscissaMetric"][mine].max() <= np.linalg.norm(line[-1] - line[0]) + 1e-9
    radius = centerlines["PointData"]["MaximumInscribedSphereRadius"]
    assert np.all(coordinates["CenterlineDistance"] < radius.max() * 1.01)


def test_coordinates_are_read_from_the_surface_when_vmtk_put_them_there():
    surface, _, _ = bent_tube()
    computed = vessel_coordinates(surface, arc_centerline())
    surface["PointData"] = {"AbscissaMetric": computed["AbscissaMetric"], "AngularMetric": computed["AngularMetric"]}

    read = vessel_coordinates(surface)

    np.testing.assert_array_equal(read["AbscissaMetric"], computed["AbscissaMetric"])
    np.testing.assert_array_equal(read["AngularMetric"], computed["AngularMetric"])
    assert np.all(np.isnan(read["CenterlineDistance"]))
    with pytest.raises(ArrayDictError, match="run vmtkbranchmetrics first"):
        vessel_coordinates(bent_tube()[0])


# --- vessel maps -----------------------------------------------------------------------------


def field(abscissa, vmtk_angle):
    return abscissa + 5.0 * np.cos(vmtk_angle)


def test_a_vessel_map_holds_the_field_at_each_pixels_abscissa_and_angle_across_the_seam():
    surface, _, _ = bent_tube()
    centerline = arc_centerline()
    coordinates = vessel_coordinates(surface, centerline)

    maps = vessel_map(surface, {"F": field(coordinates["AbscissaMetric"], coordinates["AngularMetric"])}, centerline,
                      abscissa_spacing=0.5, angle_count=120)

    flat = maps[0]
    assert list(maps) == [0] and list(flat["PointData"]) == ["F", "Coverage"]
    # Pixel centres: whole multiples of 0.5 mm covering 0 to 60 mm, and 3-degree steps from -178.5.
    np.testing.assert_allclose(flat["Origin"], [0.0, -178.5, 0.0])
    np.testing.assert_allclose(flat["Spacing"], [0.5, 3.0, 1.0])
    assert flat["Dimensions"].tolist() == [121, 120, 1]
    s = flat["Origin"][0] + flat["Spacing"][0] * np.arange(121)
    angles = np.radians(flat["Origin"][1] + flat["Spacing"][1] * np.arange(120))
    expected = field(s[:, None], angles[None, :])
    covered = flat["PointData"]["Coverage"][:, :, 0] == 1
    # All around the tube, the seam rows included; the first and last columns lie on the open ends.
    assert covered[1:-1].all()
    np.testing.assert_allclose(flat["PointData"]["F"][:, :, 0][covered], expected[covered], atol=5e-3)


def test_painting_a_map_back_onto_the_wall_gives_each_point_its_value():
    surface, _, _ = bent_tube()
    centerline = arc_centerline()
    coordinates = vessel_coordinates(surface, centerline)
    values = field(coordinates["AbscissaMetric"], coordinates["AngularMetric"])

    painted = vessel_map_to_surface(vessel_map(surface, {"F": values}, centerline, abscissa_spacing=0.5,
                                               angle_count=120), coordinates)

    # Within the wall, to what two linear interpolations of 5 cos(angle) lose: over the wall's triangles (5 degrees
    # apart) and the grid's pixels (3 degrees), 5 (5² + 3²)/8 square degrees in radians, about 0.0065. At the open
    # ends the outer pixels are partly filled from the nearest point.
    within = (coordinates["AbscissaMetric"] > 0.5) & (coordinates["AbscissaMetric"] < BEND * ARC - 0.5)
    np.testing.assert_allclose(painted[within], values[within], atol=5 * (5 ** 2 + 3 ** 2) / 8 * np.radians(1) ** 2)
    np.testing.assert_allclose(painted, values, atol=0.1)


def test_a_checkerboard_drawn_on_the_grid_is_painted_onto_the_vessel():
    surface, _, _ = bent_tube()
    centerline = arc_centerline()
    coordinates = vessel_coordinates(surface, centerline)
    grid = vessel_map(surface, {"F": np.zeros(len(surface["Points"]))}, centerline, abscissa_spacing=1.0,
                      angle_count=36)[0]
    i, j = np.meshgrid(np.arange(grid["Dimensions"][0]), np.arange(36), indexing="ij")
    grid["PointData"]["Board"] = (((i // 6) + (j // 6)) % 2).astype(float)[:, :, None]

    painted = vessel_map_to_surface(grid, coordinates, "Board")

    # Away from the squares' edges each point takes its square's colour; near them, a blend.
    column = (coordinates["AbscissaMetric"] - grid["Origin"][0]) / grid["Spacing"][0]
    row = (np.degrees(coordinates["AngularMetric"]) - grid["Origin"][1]) / grid["Spacing"][1]
    inside = (np.abs((column + 0.5) % 6 - 3) < 2.4) & (np.abs((row + 0.5) % 6 - 3) < 2.4)
    square = ((np.round(column) // 6 + np.round(row) % 36 // 6) % 2)
    assert inside.sum() > 1000
    np.testing.assert_allclose(painted[inside], square[inside], atol=1e-12)
    assert np.all((painted >= 0) & (painted <= 1))


def test_pixels_no_triangle_covers_take_the_nearest_value_or_the_fill_and_say_so():
    surface, _, _ = bent_tube()
    centerline = arc_centerline()
    values = {"F": np.arange(len(surface["Points"]), dtype=float)}

    nearest = vessel_map(surface, values, centerline, abscissa_spacing=0.7, angle_count=90)[0]
    empty = vessel_map(surface, values, centerline, abscissa_spacing=0.7, angle_count=90, fill=np.nan)[0]

    coverage = nearest["PointData"]["Coverage"] == 1
    # 60 mm is not a multiple of 0.7: the last column, at 60.2 mm, lies beyond the wall's end.
    assert coverage[1:-1].all() and not coverage[-1].any()
    np.testing.assert_array_equal(np.isnan(empty["PointData"]["F"]), ~coverage)
    np.testing.assert_array_equal(nearest["PointData"]["F"][coverage], empty["PointData"]["F"][coverage])
    assert set(np.unique(nearest["PointData"]["F"][~coverage])) <= set(values["F"])


def test_a_map_from_vmtks_coordinates_is_the_map_from_the_centerlines():
    surface, _, _ = bent_tube()
    centerline = arc_centerline()
    coordinates = vessel_coordinates(surface, centerline)
    values = field(coordinates["AbscissaMetric"], coordinates["AngularMetric"])
    from_centerline = vessel_map(surface, {"F": values}, centerline, abscissa_spacing=0.5)

    surface["PointData"] = {"F": values, "AbscissaMetric": coordinates["AbscissaMetric"],
                            "AngularMetric": coordinates["AngularMetric"]}
    from_surface = vessel_map(surface, "F", abscissa_spacing=0.5)
    from_dict = vessel_map(surface, "F", coordinates=coordinates, abscissa_spacing=0.5)

    for maps in (from_surface, from_dict):
        np.testing.assert_array_equal(maps[0]["PointData"]["F"], from_centerline[0]["PointData"]["F"])


def test_each_path_of_unsplit_centerlines_gets_a_map_with_the_trunk_they_share():
    from vmtkscripts_numpy.convert.polydata import centerlines_to_dict, polydata_to_dict
    from vmtkscripts_numpy.sample_data import make_centerlines, make_vessel_surface

    surface = polydata_to_dict(make_vessel_surface())
    surface["CellData"] = {"CellPointIds": surface["CellData"]["CellPointIds"]}
    branches = centerlines_to_dict(make_centerlines())
    parent, left, right = branches["CellData"]["CellPointIds"]
    # Two lines from the inlet, one to each outlet, as vmtkcenterlines gives them.
    paths = {"Points": branches["Points"], "PointData": {},
             "CellData": {"CellPointIds": [np.concatenate([parent, left[1:]]), np.concatenate([parent, right[1:]])]}}

    maps = vessel_map(surface, "WallShearStress", paths, abscissa_spacing=0.5, angle_count=60)

    trunk_length = np.linalg.norm(np.diff(branches["Points"][parent], axis=0), axis=1).sum()
    trunk_columns = int(trunk_length / 0.5) - 1
    for path in (0, 1):
        # Both maps cover the trunk all around.
        assert maps[path]["PointData"]["Coverage"][1:trunk_columns].all()
    coordinates = vessel_coordinates(surface, paths)
    assert set(np.unique(coordinates["BranchIds"])) == {0, 1}


def test_maps_are_refused_what_they_cannot_map():
    surface, _, _ = bent_tube()
    centerline = arc_centerline()

    with pytest.raises(ArrayDictError, match="has no array 'Nope'"):
        vessel_map(surface, "Nope", centerline)
    with pytest.raises(ArrayDictError, match="'Coverage' is the name of a channel"):
        vessel_map(surface, {"Coverage": np.zeros(len(surface["Points"]))}, centerline)
    with pytest.raises(ArrayDictError, match="expected 11520 numbers"):
        vessel_map(surface, {"F": np.zeros(3)}, centerline)
    with pytest.raises(ValueError, match="angle_count"):
        vessel_map(surface, {"F": np.zeros(len(surface["Points"]))}, centerline, angle_count=0)
    with pytest.raises(ValueError, match="fill"):
        vessel_map(surface, {"F": np.zeros(len(surface["Points"]))}, centerline, fill="zero")
    with pytest.raises(ArrayDictError, match="centerlines: has no line"):
        vessel_coordinates(surface, {"Points": np.zeros((1, 3)), "PointData": {},
                                     "CellData": {"CellPointIds": [np.array([0])]}})


# --- spherical maps ------------------------------------------------------------------------


def sphere(radius=2.0, resolution=60):
    from vtkmodules.vtkFiltersSources import vtkSphereSource

    from vmtkscripts_numpy.convert.polydata import polydata_to_dict

    source = vtkSphereSource()
    source.SetRadius(radius)
    source.SetThetaResolution(resolution)
    source.SetPhiResolution(resolution)
    source.Update()
    return polydata_to_dict(source.GetOutput())


@pytest.mark.parametrize("projection", ["equirectangular", "mercator"])
def test_a_spherical_map_of_a_sphere_holds_each_pixels_height_and_the_radius(projection):
    ball = sphere()
    height = ball["Points"][:, 2].astype(np.float64)

    flat = spherical_map(ball, {"Height": height}, shape=(72, 36), align=False, projection=projection)

    assert list(flat["PointData"]) == ["Height", "Radius", "Coverage"]
    np.testing.assert_allclose(flat["PointData"]["Radius"], 2.0, atol=1e-6)
    rows = flat["Origin"][1] + flat["Spacing"][1] * np.arange(36)
    latitude = rows
    if projection == "mercator":
        latitude = np.degrees(2 * np.arctan(np.exp(np.radians(rows))) - np.pi / 2)
    covered = flat["PointData"]["Coverage"][:, :, 0] == 1
    expected = np.broadcast_to(2.0 * np.sin(np.radians(latitude)), (72, 36))
    np.testing.assert_allclose(flat["PointData"]["Height"][:, :, 0][covered], expected[covered], atol=0.01)
    assert covered[:, 3:-3].all()  # everything but the poles' rows, across the seam too
    if projection == "mercator":
        top = np.degrees(np.log(np.tan(np.pi / 4 + np.radians(80) / 2)))   # the ordinate of 80 degrees
        assert rows[-1] + flat["Spacing"][1] / 2 == pytest.approx(top)


def test_the_spherical_map_is_tutorial_twos_griddata_map():
    scipy_interpolate = pytest.importorskip("scipy.interpolate")
    from vmtkscripts_numpy.convert.polydata import polydata_to_dict
    from vmtkscripts_numpy.sample_data import make_vessel_surface

    surface = polydata_to_dict(make_vessel_surface())
    values = surface["PointData"]["WallShearStress"].astype(np.float64)

    flat = spherical_map(surface, "WallShearStress", shape=(128, 64), seam_width=np.degrees(0.5), index_order="zyx")

    # Tutorial 02 as it was: principal axes, longitude and latitude, griddata with the seam copied.
    local = (surface["Points"] - surface["Points"].mean(axis=0)) @ flat["FieldData"]["Axes"].T
    longitude = np.arctan2(local[:, 1], local[:, 0])
    latitude = np.arcsin(local[:, 2] / np.linalg.norm(local, axis=1))
    seam = np.abs(longitude) > np.pi - 0.5
    lon = np.concatenate([longitude, longitude[seam] - 2 * np.pi * np.sign(longitude[seam])])
    lat = np.concatenate([latitude, latitude[seam]])
    wrapped_values = np.concatenate([values, values[seam]])
    grid = np.meshgrid(-np.pi + (np.arange(128) + 0.5) * np.pi / 64, -np.pi / 2 + (np.arange(64) + 0.5) * np.pi / 64)
    linear = scipy_interpolate.griddata((lon, lat), wrapped_values, tuple(grid), method="linear")
    nearest = scipy_interpolate.griddata((lon, lat), wrapped_values, tuple(grid), method="nearest")

    np.testing.assert_array_equal(flat["PointData"]["Coverage"][0], ~np.isnan(linear))
    np.testing.assert_allclose(flat["PointData"]["WallShearStress"][0], np.where(np.isnan(linear), nearest, linear),
                               rtol=0, atol=1e-9 * np.ptp(values))


def test_aligned_axes_are_a_right_handed_frame_with_the_longest_spread_first():
    from vmtkscripts_numpy.convert.polydata import polydata_to_dict
    from vmtkscripts_numpy.sample_data import make_vessel_surface

    surface = polydata_to_dict(make_vessel_surface())

    flat = spherical_map(surface, "WallShearStress", shape=(16, 8))

    axes = flat["FieldData"]["Axes"]
    np.testing.assert_allclose(axes @ axes.T, np.eye(3), atol=1e-12)
    assert np.linalg.det(axes) == pytest.approx(1.0)
    spread = ((surface["Points"] - flat["FieldData"]["Center"]) @ axes.T).std(axis=0)
    assert spread[0] >= spread[1] >= spread[2]
