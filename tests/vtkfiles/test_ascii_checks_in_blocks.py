"""The checks of ASCII PLY and legacy VTK files read them in blocks: where a block ends changes nothing.

Each file is read with blocks of a few bytes (so that every line, word and
fault falls across a boundary somewhere) and with blocks larger than the file:
both refuse it for the same reason, or both read the same surface.
"""

import re
import warnings

import numpy as np
import pytest

from vmtkscripts_numpy.convert.polydata import dict_to_polydata, polydata_to_dict
from vmtkscripts_numpy.errors import DataFileError, LossWarning
from vmtkscripts_numpy.vtkfiles import _chunks, read_surface, write_surface

BLOCKS = [3, 17, 1 << 20]


def surface():
    """Eight points, two triangles and a quad (lists of two lengths)."""
    points = np.random.default_rng(3).random((8, 3))
    return dict_to_polydata({"Points": points, "CellData": {"CellPointIds": [
        np.array([0, 1, 2]), np.array([2, 3, 4, 5]), np.array([5, 6, 7])]}})


def ascii_file(tmp_path, extension):
    path = tmp_path / f"s{extension}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LossWarning)
        write_surface(surface(), path, mode="ascii")
    return path


def changed(path, *replacements):
    """``path`` with each ``(regex, replacement)`` applied once (each must match)."""
    content = path.read_bytes()
    for old, new in replacements:
        content, found = re.subn(old, new, content, count=1)
        assert found, old
    path.write_bytes(content)
    return path


FACES = rb"\n3 0 1 2 ?\n"  # the first face line of the PLY file
LAST_FACE = rb"3 5 6 7 ?\n?$"

PLY_FAULTS = {
    "a vertex id past the last vertex": ([(LAST_FACE, b"3 5 6 9\n")], r"its polygon cells name point 9"),
    "ids out of range at both ends": ([(FACES, b"\n3 -3 1 2\n"), (LAST_FACE, b"3 5 6 9\n")],
                                      r"its polygon cells name point -3"),
    "a letter in a coordinate": ([(rb"end_header\n\S+", b"end_header\n0.5x")], "characters that are not numbers"),
    "a word that is no number": ([(rb"end_header\n\S+", b"end_header\n1-2")], "words that are not numbers"),
    "an empty face line": ([(FACES, b"\n\n")], r"its 'face' elements have an empty line"),
    "a face list longer than its line": ([(FACES, b"\n4 0 1 2\n")], "lists are longer than their lines"),
    "a face line with a word too many": ([(LAST_FACE, b"3 5 6 7 1\n")], "other numbers of words"),
    "cut inside the faces": ([(LAST_FACE, b"")], r"ends inside its PLY 'face' elements"),
    # Two faults: the one a check of the whole file names first wins, wherever the blocks end.
    "an empty face line after a bad character": ([(rb"end_header\n\S+", b"end_header\n0.5x"), (FACES, b"\n\n")],
                                                 "characters that are not numbers"),
    "a bad character after an empty vertex line": ([(rb"end_header\n", b"end_header\n\n"),
                                                    (FACES, b"\n3 0 1 x\n")], "characters that are not numbers"),
    "a long list after a far id": ([(FACES, b"\n3 0 1 80\n"), (LAST_FACE, b"4 5 6 7\n")],
                                   "lists are longer than their lines"),
}

def legacy_file(tmp_path):
    """A legacy file of version 3: its cells are lists of lengths and ids, which the check reads as integers."""
    path = tmp_path / "old.vtk"
    path.write_bytes(b"# vtk DataFile Version 3.0\nold\nASCII\nDATASET POLYDATA\nPOINTS 4 float\n"
                     b"0 0 0 1 0 0 0 1 0 1 1 0\nPOLYGONS 2 8\n3 0 1 2\n3 1 3 2\n"
                     b"CELL_DATA 2\nSCALARS s int 1\nLOOKUP_TABLE default\n1 2\n")
    return path


LEGACY_FAULTS = {
    "points cut short": ([(rb"0 1 0 1 1 0\n[\s\S]*", b"0 1")], r"its POINTS section needs 12 values"),
    "a cell word that is no integer": ([(rb"3 1 3 2\n", b"3 1 3 2.5\n")],
                                       "its POLYGONS section holds words that are not integers"),
    "a cell word that is no number": ([(rb"3 0 1 2\n", b"3 0 1 x2\n")],
                                      "its POLYGONS section holds words that are not integers"),
    "cell data cut short": ([(rb"1 2\n$", b"1")], r"its SCALARS s section needs 2 values"),
}


def outcome(path, block, monkeypatch):
    monkeypatch.setattr(_chunks, "CHUNK_BYTES", block)
    try:
        return polydata_to_dict(read_surface(path))
    except DataFileError as error:
        return error.problem


@pytest.mark.parametrize("case", list(PLY_FAULTS))
def test_an_ascii_ply_file_is_refused_for_the_same_fault_whatever_the_blocks(tmp_path, monkeypatch, case):
    replacements, problem = PLY_FAULTS[case]
    path = changed(ascii_file(tmp_path, ".ply"), *replacements)

    problems = {block: outcome(path, block, monkeypatch) for block in BLOCKS}

    assert re.search(problem, problems[1 << 20])
    assert problems[3] == problems[17] == problems[1 << 20]


@pytest.mark.parametrize("case", list(LEGACY_FAULTS))
def test_an_ascii_legacy_file_is_refused_for_the_same_fault_whatever_the_blocks(tmp_path, monkeypatch, case):
    replacements, problem = LEGACY_FAULTS[case]
    path = changed(legacy_file(tmp_path), *replacements)

    problems = {block: outcome(path, block, monkeypatch) for block in BLOCKS}

    assert re.search(problem, problems[1 << 20])
    assert problems[3] == problems[17] == problems[1 << 20]


@pytest.mark.parametrize("file", [".ply", ".vtk", "version 3"])
def test_a_valid_ascii_file_reads_the_same_in_tiny_blocks(tmp_path, monkeypatch, file):
    path = legacy_file(tmp_path) if file == "version 3" else ascii_file(tmp_path, file)

    tiny, whole = outcome(path, 3, monkeypatch), outcome(path, 1 << 20, monkeypatch)

    assert isinstance(tiny, dict), tiny
    np.testing.assert_array_equal(tiny["Points"], whole["Points"])
    for mine, theirs in zip(tiny["CellData"]["CellPointIds"], whole["CellData"]["CellPointIds"]):
        np.testing.assert_array_equal(mine, theirs)
