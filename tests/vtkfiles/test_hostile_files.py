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
from vmtkscripts_numpy.vtkfiles import write_image, write_mesh, write_surface

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
    # VTK up to 9.3 reports "Cannot read geometry", closes the file and reads on: a crash found by the campaign.
    "vertices without x": (
        lambda content, data: swapped(content, b"property float x\n", b"property float 8\n"),
        r"it has no 'vertex' element with x, y and z"),
    "an element line without its count": (
        lambda content, data: swapped(content, b"element vertex 7\n", b"element vertex\n"),
        r"has a PLY header line that cannot be understood: 'element vertex'"),
    "a vertex count of 2**31": (
        lambda content, data: swapped(content, b"element vertex 7\n", b"element vertex 2147483648\n"),
        r"has a PLY header line that cannot be understood: 'element vertex 2147483648'"),
    "a vertex count the file does not hold": (
        lambda content, data: swapped(content, b"element vertex 7\n", b"element vertex 2147483647\n"),
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


# --- VTK XML: sizes VTK allocates before it reads a byte ------------------------------------------------


def vti(tmp_path, mode="binary"):
    from .conftest import small_image

    return write_quietly(write_image, small_image(), tmp_path / "i.vti", mode=mode)


@pytest.mark.parametrize("whole, problem", [
    ("4 0 3 0 2 0", r"its WholeExtent \(4, 0, 3, 0, 2, 0\) is not a box"),
    ("-100000 4 0 3 0 2", r"its pieces do not cover its WholeExtent"),
    ("0 2000000000 0 2000000000 0 2", r"its pieces do not cover its WholeExtent"),
], ids=["reversed", "negative", "huge"])
@pytest.mark.parametrize("mode", ["binary", "ascii"])
def test_a_vti_whole_extent_the_pieces_do_not_fill_is_refused(tmp_path, capped, whole, problem, mode):
    path = replaced(vti(tmp_path, mode), rb'WholeExtent="0 4 0 3 0 2"', f'WholeExtent="{whole}"'.encode())

    capped.refuses("image", path, r"cannot be read as VTK XML ImageData: " + problem)


def test_a_vti_piece_beyond_its_whole_extent_is_refused(tmp_path, capped):
    path = replaced(vti(tmp_path), rb'Piece Extent="0 4 0 3 0 2"', b'Piece Extent="0 2000000000 0 3 0 2"')

    capped.refuses("image", path, r"its piece Extent \(0, 2000000000, 0, 3, 0, 2\) is not inside its WholeExtent")


@pytest.mark.parametrize("mode", ["binary", "ascii"])
@pytest.mark.parametrize("field, problem", [
    ('NumberOfPoints="4294967297"', r"its array 'Points' needs (103079215128 bytes|12884901891 values)"),
    ('NumberOfCells="4294967297"', r"its array 'offsets' needs (34359738376 bytes|4294967297 values)"),
])
def test_a_vtu_count_its_arrays_do_not_hold_is_refused(tmp_path, capped, mode, field, problem):
    from .conftest import small_mesh

    path = write_quietly(write_mesh, small_mesh(), tmp_path / "m.vtu", mode=mode)
    path = replaced(path, rb'NumberOfPoints="6"' if "Points" in field else rb'NumberOfCells="3"', field.encode())

    capped.refuses("mesh", path, r"cannot be read as VTK XML UnstructuredGrid: " + problem)


def compression_header(path, name, blocks, block_size, last_size, sizes):
    """``path`` with the zlib header of its inline array ``name`` replaced (UInt32 words, base64)."""
    import base64
    import struct

    content = path.read_bytes()
    match = re.search(rb'Name="' + name.encode() + rb'"[^>]*format="binary"[^>]*>\s*', content)
    start = match.end()
    header_bytes = 4 * (4 if name else 0)
    old = content[start:start + 4 * -(-header_bytes // 3)]
    words = struct.unpack("<4I", base64.b64decode(old))
    assert words[0] == 1, "a one-block array"
    new = base64.b64encode(struct.pack(f"<{3 + len(sizes)}I", blocks, block_size, last_size, *sizes))
    return with_bytes(path, content[:start] + new + content[start + len(old):])


@pytest.mark.parametrize("header, problem", [
    ((1, 1 << 31, 1 << 31, [80]), r"a compressed block of its array 'ImageScalars' claims more bytes than "
                                  r"vtkZLibDataCompressor can make of its size"),
    ((1 << 30, 1 << 15, 0, [80]), r"its array 'ImageScalars' needs 1073741824 compressed blocks"),
    ((1, 0, 120, [80]), r"has compressed blocks of 0 bytes"),
], ids=["a block of 2 GiB from 80 bytes", "a billion blocks", "blocks of 0 bytes"])
def test_a_compression_header_that_lies_is_refused_before_anything_is_allocated(tmp_path, capped, header,
                                                                                problem):
    path = compression_header(vti(tmp_path), "ImageScalars", *header)

    capped.refuses("image", path, problem)


def test_a_vtu_whose_types_name_a_polyhedron_without_faces_is_read_apart_and_never_crashes(tmp_path, capped):
    from .conftest import small_mesh

    # VTK takes the cells' ids for a face stream when a type is a polyhedron, and walks them unchecked.
    path = write_quietly(write_mesh, small_mesh(), tmp_path / "m.vtu", mode="ascii")
    path = replaced(path, rb'(Name="types" format="ascii" RangeMin=")5(" RangeMax="10">\s*)10 10 5',
                    rb"\g<1>10\g<2>42 42 42")

    outcome = capped.read("mesh", path, ["dict"])

    assert outcome.status in ("dataset", "DataFileError"), f"{outcome.status}: {outcome.detail}"
    assert outcome.stderr == ""


# --- legacy VTK: counts VTK trusts --------------------------------------------------------------------


def legacy(tmp_path, mode="binary", mesh=False):
    from .conftest import small_mesh

    if mesh:
        return write_quietly(write_mesh, small_mesh(), tmp_path / "m.vtk", mode=mode)
    return write_quietly(write_surface, small_surface(), tmp_path / "s.vtk", mode=mode)


LEGACY_LIES = {
    # VTK 9.7 dereferences its failed parse of a version that is not two small integers.
    "version 4294967295": (lambda path: replaced(path, rb"Version 5\.1", b"Version 4294967295"),
                           r"has no complete legacy VTK header"),
    "version 0": (lambda path: replaced(path, rb"Version 5\.1", b"Version 0"), r"has no complete legacy VTK header"),
    "a negative field tuple count": (lambda path: replaced(path, rb"Height 1 7 double", b"Height 1 -1 double"),
                                     r"has a legacy VTK section with a count below 0: 'Height 1 -1 double'"),
    "a field array of 0 components": (lambda path: replaced(path, rb"Height 1 7 double", b"Height 0 7 double"),
                                      r"has a FIELD array with 0 components"),
    "a negative connectivity size": (lambda path: replaced(path, rb"POLYGONS 5 13", b"POLYGONS 5 -2147483648"),
                                     r"a count below 0: 'POLYGONS 5 -2147483648'"),
    "a count no file holds": (lambda path: replaced(path, rb"POINTS 7 double", b"POINTS 4294967296 double"),
                              r"is truncated: its POINTS section needs"),
}


@pytest.mark.parametrize("mode", ["binary", "ascii"])
@pytest.mark.parametrize("case", list(LEGACY_LIES))
def test_a_legacy_file_that_lies_about_its_counts_is_refused(tmp_path, capped, case, mode):
    lie, problem = LEGACY_LIES[case]

    capped.refuses("surface", lie(legacy(tmp_path, mode)), problem)


def test_legacy_metadata_announcing_a_negative_number_of_values_is_refused(tmp_path, capped):
    surface = small_surface()
    surface.GetPointData().GetArray("Height").SetComponentName(0, "z")  # written as a METADATA block
    path = write_quietly(write_surface, surface, tmp_path / "s.vtk", mode="ascii")
    path = replaced(path, rb"(METADATA\s+COMPONENT_NAMES[^\n]*\n[^\n]*\n)", rb"\g<1>INFORMATION 1\n"
                    rb"NAME L2_NORM_RANGE LOCATION vtkDataArray\nDATA 2 0 1\n")
    path = replaced(path, rb"\bDATA 2 0 1", b"DATA -1 0 1")

    capped.refuses("surface", path, r"has legacy VTK metadata with DATA -1")


def old_legacy_triangles(tmp_path, cells, size, connectivity):
    path = tmp_path / "old.vtk"
    path.write_text("# vtk DataFile Version 3.0\nold\nASCII\nDATASET POLYDATA\nPOINTS 4 float\n"
                    f"0 0 0 1 0 0 0 1 0 1 1 0\nPOLYGONS {cells} {size}\n{connectivity}\n")
    return path


def test_an_old_legacy_file_with_triangles_is_read_in_place(tmp_path, capped):
    path = old_legacy_triangles(tmp_path, 2, 8, "3 0 1 2 3 1 3 2")

    outcome = capped.read("surface", path, ["dict", "celltopoint", "write:.stl"])

    assert outcome.status == "dataset" and outcome.stderr == ""


@pytest.mark.parametrize("connectivity", ["3 0 1 2 9 1 3 2", "4 0 1 2 3 1 3 2", "3 0 1 2 -4 1 3 2"],
                         ids=["a length past the end", "lengths that run past", "a negative length"])
def test_old_legacy_cells_of_varying_lengths_are_read_apart_and_never_crash(tmp_path, capped, connectivity):
    # Before file version 5 each cell is its length then its ids; VTK walks the lengths without bounds.
    path = old_legacy_triangles(tmp_path, 2, 8, connectivity)

    outcome = capped.read("surface", path, ["dict", "celltopoint", "write:.stl"])

    assert outcome.status == "DataFileError", f"{outcome.status}: {outcome.detail}"
    assert outcome.stderr == ""


# --- VTKHDF: counts, shapes and storage VTK allocates by ----------------------------------------------


def vtkhdf_surface(tmp_path):
    from .conftest import write_vtkhdf_by_hand

    return write_vtkhdf_by_hand(small_surface(), tmp_path / "s.vtkhdf")


def vtkhdf_edit(path, edit):
    import h5py

    with h5py.File(path, "r+") as handle:
        edit(handle["VTKHDF"])
    return path


def _set(name, values):
    def edit(root):
        del root[name]
        root[name] = values
    return edit


def _unstored(root):
    """Points declared for 10**9 points, of which nothing is written (HDF5 reads unwritten chunks as 0)."""
    del root["Points"]
    root.create_dataset("Points", shape=(10 ** 9, 3), dtype="f8", chunks=(1024, 3))
    root["NumberOfPoints"][0] = 10 ** 9


def _external(tmp_path):
    def edit(root):
        import h5py

        with h5py.File(tmp_path / "other.h5", "w") as other:
            other["Points"] = np.zeros((7, 3))
        del root["Points"]
        root["Points"] = h5py.ExternalLink(str(tmp_path / "other.h5"), "/Points")
    return edit


VTKHDF_LIES = {
    "NumberOfPoints past its dataset": (lambda tmp: _set("NumberOfPoints", np.array([4294967297])),
                                        r"its /VTKHDF/Points has 7 rows, 4294967297 are needed"),
    "a dataset HDF5 does not store": (lambda tmp: _unstored,
                                      r"its /VTKHDF/Points declares 24000000000 bytes and stores 0"),
    "points in another file": (_external, r"its /VTKHDF/Points is a link \(ExternalLink\)"),
    "offsets that run backwards": (lambda tmp: _set("Polygons/Offsets", np.array([0, 3, 9, 6, 13], np.int64)),
                                   r"its /VTKHDF/Polygons/Offsets do not run from 0 upwards"),
}


@pytest.mark.skipif(not vtk_at_least(9, 3), reason="VTK reads VTKHDF surfaces from 9.3")
@pytest.mark.parametrize("case", list(VTKHDF_LIES))
def test_a_vtkhdf_surface_that_lies_is_refused_before_vtk_reads_it(tmp_path, capped, case):
    edit, problem = VTKHDF_LIES[case]
    path = vtkhdf_edit(vtkhdf_surface(tmp_path), edit(tmp_path))

    capped.refuses("surface", path, r"cannot be read as VTKHDF PolyData: " + problem, then=["dict", "celltopoint"])


def vtkhdf_image(tmp_path, extent):
    import h5py

    path = tmp_path / "i.vtkhdf"
    with h5py.File(path, "w") as handle:
        root = handle.create_group("VTKHDF")
        root.attrs["Version"] = np.array([2, 2], np.int64)
        root.attrs.create("Type", np.bytes_("ImageData"))
        root.attrs["WholeExtent"] = np.array(extent, np.int64)
        root.attrs["Origin"], root.attrs["Spacing"] = np.zeros(3), np.ones(3)
        root.attrs["Direction"] = np.eye(3).ravel()
        root.create_group("PointData")["ImageScalars"] = np.zeros((5, 4, 3), np.int16)
    return path


@pytest.mark.parametrize("extent, problem", [
    ((2, 0, 3, 0, 4, 0), r"its WholeExtent \(2, 0, 3, 0, 4, 0\) is not a box"),
    ((0, 2, 0, 3, 0, 2 ** 40), r"its WholeExtent .* is not six integers of VTK's range"),
    ((0, 200000, 0, 3, 0, 4), r"its /VTKHDF/PointData/ImageScalars has the shape \(5, 4, 3\), the extent needs"),
], ids=["reversed", "beyond VTK's integers", "larger than its arrays"])
def test_a_vtkhdf_image_extent_its_arrays_do_not_fill_is_refused(tmp_path, capped, extent, problem):
    capped.refuses("image", vtkhdf_image(tmp_path, extent), r"cannot be read as VTKHDF ImageData: " + problem)


# --- NIfTI: the voxels a header declares --------------------------------------------------------------


def nifti(tmp_path, name="i.nii"):
    from .conftest import small_image

    return write_quietly(write_image, small_image(), tmp_path / name)


def nifti_header_field(path, offset, fmt, value):
    import gzip
    import struct

    compressed = path.name.endswith(".gz")
    content = bytearray(gzip.decompress(path.read_bytes()) if compressed else path.read_bytes())
    struct.pack_into(fmt, content, offset, *value)
    path.write_bytes(gzip.compress(bytes(content)) if compressed else bytes(content))
    return path


NIFTI_LIES = {
    "dims of 32767 cubed": ((40, "<4h", (3, 32767, 32767, 32767)), r"it is truncated: its voxels need"),
    "a negative dim": ((40, "<4h", (3, -5, 4, 3)), r"its dim \[3, -5, 4, 3\] is not a rank from 1 to 7"),
    "rank 0": ((40, "<h", (0,)), r"its dim \[0\] is not a rank from 1 to 7"),
    "bitpix not its datatype's": ((72, "<h", (64,)), r"datatype 4 with bitpix 64 is not a NIfTI voxel type"),
    "vox_offset inside the header": ((108, "<f", (12.0,)), r"its vox_offset 12.0 is not a byte after its header"),
    "vox_offset NaN": ((108, "<f", (float("nan"),)), r"its vox_offset nan is not a byte after its header"),
}


@pytest.mark.parametrize("name", ["i.nii", "i.nii.gz"])
@pytest.mark.parametrize("case", list(NIFTI_LIES))
def test_a_nifti_header_that_lies_is_refused_before_vtk_allocates(tmp_path, capped, case, name):
    (offset, fmt, value), problem = NIFTI_LIES[case]
    if name.endswith(".gz") and case == "dims of 32767 cubed":
        problem = r"its header declares 70362301923326 bytes of voxels, more than \d+ compressed bytes can hold"
    path = nifti_header_field(nifti(tmp_path, name), offset, fmt, value)

    capped.refuses("image", path, r"cannot be read as NIfTI: " + problem)


# --- found by the fuzz campaign -----------------------------------------------------------------------


def test_a_binary_stl_counting_more_triangles_than_it_holds_is_refused(tmp_path, capped):
    # VTK up to 9.5 allocates for the larger of the count and the file: a flipped bit crashed 9.3.
    path = write_quietly(write_surface, small_surface(), tmp_path / "s.stl")
    content = bytearray(path.read_bytes())
    content[83] ^= 0x40  # the count's high byte

    capped.refuses("surface", with_bytes(path, bytes(content)), r"cannot be read as STL: it counts 1073741829 "
                                                                  r"triangles and holds 5")


def test_a_nrrd_data_file_name_with_a_nul_byte_is_refused(tmp_path, capped):
    path = tmp_path / "ct.nhdr"
    path.write_bytes(b"NRRD0004\ntype: short\ndimension: 2\nsizes: 2 2\nendian: little\nencoding: raw\n"
                     b"data file: ct\0.raw\n")

    capped.refuses("image", path, r"names a data file with a NUL byte in its name")


def test_a_metaimage_data_file_name_with_a_nul_byte_is_refused(tmp_path, capped):
    # Found by the fuzz campaign: the name went to the file system, which raised a bare ValueError.
    path = tmp_path / "ct.mhd"
    path.write_bytes(b"ObjectType = Image\nNDims = 3\nDimSize = 2 2 1\nElementType = MET_SHORT\n"
                     b"ElementDataFile = ct\0.raw\n")

    capped.refuses("image", path, r"names a data file with a NUL byte in its name")


def test_a_dataset_read_apart_holds_its_memory_after_the_read(tmp_path, capped):
    # A keyword this check does not know is read in a child and handed back as a mapped file. VTK 9.1 keeps
    # copies of handed-back cell arrays: with no points or data arrays to hold the file, the campaign crashed
    # once the originals let go of it.
    path = replaced(legacy(tmp_path, "ascii"), rb"POINTS 7 double", b"PO\xff\xffTS 7 double")

    outcome = capped.read("surface", path, ["dict", "celltopoint", "write:.ply"])

    assert outcome.status in ("dataset", "DataFileError") and outcome.stderr == "", \
        f"{outcome.status}: {outcome.detail}"
