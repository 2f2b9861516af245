"""Hostile files: each attack an attacker's campaign found gives one DataFileError, never a crash or a hang.

Every file starts as a valid file the package writes; one field or a few bytes
are then changed as the attack did. Each read runs in a capped child process
(``capped`` in conftest.py): a crash or a hang is a failed test, not a dead
test run, and a refusal must be the exception alone, nothing printed by VTK.
"""

import re
import warnings

import numpy as np
import pytest

from vmtkscripts_numpy._vtk_version import vtk_at_least
from vmtkscripts_numpy.convert.mesh import dict_to_mesh
from vmtkscripts_numpy.convert.polydata import dict_to_polydata
from vmtkscripts_numpy.errors import LossWarning
from vmtkscripts_numpy.vtkfiles import write_mesh, write_surface

from .conftest import small_surface


def write_quietly(writer, data, path, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LossWarning)
        writer(data, path, **options)
    return path


def triangle():
    """One triangle on three points, with a cell array: the smallest surface with cells."""
    return dict_to_polydata({"Points": np.eye(3), "CellData": {"CellPointIds": np.array([[0, 1, 2]]),
                                                               "Area": np.array([0.5])}})


def tetrahedron():
    return dict_to_mesh({"Points": np.vstack([np.zeros(3), np.eye(3)]), "Cells": {
        "CellPointIds": np.array([4, 0, 1, 2, 3]), "CellLocations": np.array([0]), "CellTypes": np.array([10])}})


def replaced(path, old, new, count=1):
    """``path`` with ``old`` (a regex on bytes) replaced by ``new``; the pattern must be there."""
    content, found = re.subn(old, new, path.read_bytes(), count=count)
    assert found, f"{old!r} not in {path.name}"
    path.write_bytes(content)
    return path


def written(path, content):
    path.write_bytes(content)
    return path


def with_vtkhdf_dataset(path, name, values):
    import h5py

    with h5py.File(path, "r+") as handle:
        del handle["VTKHDF"][name]
        handle["VTKHDF"][name] = values
    return path


# --- cells that name points the file does not have -----------------------------------------------------

#: Files whose one triangle names point 100000 of 3 (or point 2147483646: OBJ's face index 2147483647).
SURFACES_WITH_A_POINT_THAT_IS_NOT_THERE = {
    "legacy ascii": lambda tmp: replaced(write_quietly(write_surface, triangle(), tmp / "t.vtk", mode="ascii"),
                                         rb"(CONNECTIVITY vtktypeint64\n)0 1 2", rb"\g<1>0 1 100000"),
    "legacy binary": lambda tmp: replaced(write_quietly(write_surface, triangle(), tmp / "t.vtk"),
                                          rb"(CONNECTIVITY vtktypeint64\n)(\x00{8})(\x00{7}\x01)\x00{7}\x02",
                                          rb"\g<1>\g<2>\g<3>" + (100000).to_bytes(8, "big")),
    "xml ascii": lambda tmp: replaced(write_quietly(write_surface, triangle(), tmp / "t.vtp", mode="ascii"),
                                      rb'(Name="connectivity" format="ascii" RangeMin="0" RangeMax=")2("'
                                      rb'>\s*)0 1 2', rb"\g<1>100000\g<2>0 1 100000"),
    "ply ascii": lambda tmp: replaced(write_quietly(write_surface, triangle(), tmp / "t.ply", mode="ascii"),
                                      rb"\n3 0 1 2", rb"\n3 0 1 100000"),
    "obj": lambda tmp: written(tmp / "t.obj", b"v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 2147483647\n"),
}
if vtk_at_least(9, 3):
    SURFACES_WITH_A_POINT_THAT_IS_NOT_THERE["vtkhdf"] = lambda tmp: with_vtkhdf_dataset(
        _vtkhdf_surface(tmp / "t.vtkhdf"), "Polygons/Connectivity", np.array([0, 1, 100000], np.int64))


def _vtkhdf_surface(path):
    from .conftest import write_vtkhdf_by_hand

    return write_vtkhdf_by_hand(triangle(), path)


@pytest.mark.parametrize("then", [["dict"], ["celltopoint"], ["write:.stl"], ["write:.ply"]],
                         ids=["to numpy", "-celltopoint 1", "written as stl", "written as ply"])
@pytest.mark.parametrize("case", list(SURFACES_WITH_A_POINT_THAT_IS_NOT_THERE))
def test_a_surface_whose_cells_name_missing_points_is_refused_on_read(tmp_path, capped, case, then):
    path = SURFACES_WITH_A_POINT_THAT_IS_NOT_THERE[case](tmp_path)

    capped.refuses("surface", path, r"is damaged: its polygon cells name point (100000|2147483646), "
                                    r"and it has 3 points \(ids 0 to 2\)", then=then)


MESHES_WITH_A_POINT_THAT_IS_NOT_THERE = {
    "legacy ascii": lambda tmp: replaced(write_quietly(write_mesh, tetrahedron(), tmp / "t.vtk", mode="ascii"),
                                         rb"(CONNECTIVITY vtktypeint64\n)0 1 2 3", rb"\g<1>0 1 2 100000"),
    "xml ascii": lambda tmp: replaced(write_quietly(write_mesh, tetrahedron(), tmp / "t.vtu", mode="ascii"),
                                      rb'(Name="connectivity" format="ascii" RangeMin="0" RangeMax=")3("'
                                      rb'>\s*)0 1 2 3', rb"\g<1>100000\g<2>0 1 2 100000"),
    "xml, a negative id": lambda tmp: replaced(write_quietly(write_mesh, tetrahedron(), tmp / "t.vtu", mode="ascii"),
                                               rb'(Name="connectivity" format="ascii" RangeMin=")0(" RangeMax="3"'
                                               rb'>\s*)0 1 2 3', rb"\g<1>-7\g<2>0 1 2 -7"),
}


@pytest.mark.parametrize("case", list(MESHES_WITH_A_POINT_THAT_IS_NOT_THERE))
def test_a_mesh_whose_cells_name_missing_points_is_refused_on_read(tmp_path, capped, case):
    path = MESHES_WITH_A_POINT_THAT_IS_NOT_THERE[case](tmp_path)

    capped.refuses("mesh", path, r"is damaged: its cells name point (100000|-7), and it has 4 points",
                   then=["dict", "write:.vtu"])


def test_a_vtkhdf_mesh_whose_cells_name_missing_points_is_refused_on_read(tmp_path, capped, vtkhdf_by_hand):
    path = vtkhdf_by_hand(tetrahedron(), tmp_path / "t.vtkhdf", cell_types=[10])
    with_vtkhdf_dataset(path, "Connectivity", np.array([0, 1, 2, 100000], np.int64))

    capped.refuses("mesh", path, r"is damaged: its cells name point 100000, and it has 4 points",
                   then=["dict", "write:.vtu"])


def test_offsets_that_run_backwards_are_refused_on_read(tmp_path, capped):
    surface = dict_to_polydata({"Points": np.eye(4, 3), "CellData": {"CellPointIds": np.array([[0, 1, 2], [1, 2, 3]])}})
    path = replaced(write_quietly(write_surface, surface, tmp_path / "t.vtk", mode="ascii"),
                    rb"(OFFSETS vtktypeint64\n)0 3 6", rb"\g<1>0 7 6")

    capped.refuses("surface", path, r"the offsets of its polygon cells do not run from 0 up to their 6 point ids",
                   then=["celltopoint"])


# --- binary PLY: the campaign crashed vtkPLYReader on 13 of 24 mutations ------------------------------


def binary_ply(tmp_path):
    """A binary PLY of 7 vertices, 3 triangles and a quad (lists of varying lengths)."""
    path = write_quietly(write_surface, small_surface(), tmp_path / "s.ply")
    content = path.read_bytes()
    return path, content, content.index(b"end_header\n") + len(b"end_header\n")


def with_bytes(path, content):
    path.write_bytes(content)
    return path


def swapped(content, old, new):
    """``content`` with ``old`` replaced by ``new``; ``old`` must be there."""
    assert old in content, f"{old!r} not in the file"
    return content.replace(old, new)


FIRST_FACE = 7 * 12  # after the 7 vertices (x, y, z float32)

PLY_MUTATIONS = {
    # The first face's length byte says 255 vertices: its ids run past the end of the file.
    "a list longer than the file": (
        lambda content, data: content[:data + FIRST_FACE] + b"\xff" + content[data + FIRST_FACE + 1:],
        r"is truncated: it ends inside its PLY 'face' elements"),
    # Lengths read as signed bytes, the first -1.
    "a negative list length": (
        lambda content, data: swapped(content[:data], b"list uchar int", b"list char int")
        + content[data:data + FIRST_FACE] + b"\xff" + content[data + FIRST_FACE + 1:],
        r"its 'face' list 'vertex_indices' has the length -1"),
    "a face naming vertex 100000": (
        lambda content, data: content[:data + FIRST_FACE + 1] + (100000).to_bytes(4, "little")
        + content[data + FIRST_FACE + 5:],
        r"its polygon cells name point 100000, and it has 7 points"),
    "x declared as a list": (
        lambda content, data: swapped(content, b"property float x\n", b"property list uchar float x\n"),
        r"its 'vertex' property 'x' is a list, VTK reads a number"),
    "an element line without its count": (
        lambda content, data: swapped(content, b"element vertex 7\n", b"element vertex\n"),
        r"has a PLY header line that cannot be understood: 'element vertex'"),
    "a vertex count of 2**31": (
        lambda content, data: swapped(content, b"element vertex 7\n", b"element vertex 2147483648\n"),
        r"is truncated: it ends inside its PLY 'vertex' elements"),
    "faces declared before the vertices": (
        lambda content, data: swapped(
            content,
            b"element vertex 7\nproperty float x\nproperty float y\nproperty float z\n"
            b"element face 4\nproperty list uchar int vertex_indices\n",
            b"element face 4\nproperty list uchar int vertex_indices\n"
            b"element vertex 7\nproperty float x\nproperty float y\nproperty float z\n"),
        r"its faces come before its vertices"),
}


@pytest.mark.parametrize("case", list(PLY_MUTATIONS))
def test_a_binary_ply_that_lies_to_vtk_is_refused_before_vtk_reads_it(tmp_path, capped, case):
    path, content, data = binary_ply(tmp_path)
    mutate, problem = PLY_MUTATIONS[case]

    capped.refuses("surface", with_bytes(path, mutate(content, data)), problem, then=["dict", "write:.ply"])


def test_a_binary_ply_cut_anywhere_is_refused(tmp_path, capped):
    path, content, _ = binary_ply(tmp_path)
    for twentieth in range(1, 20):
        cut = with_bytes(tmp_path / f"cut{twentieth}.ply", content[: len(content) * twentieth // 20])

        capped.refuses("surface", cut, r"cut\d+\.ply: (is truncated|is not a PLY file|has a PLY header)")
