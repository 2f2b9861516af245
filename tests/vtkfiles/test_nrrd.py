"""NRRD files are read by the package itself: every encoding, detached data, and no trust in the header.

vtkNrrdReader crashed on ``sizes: -1 5 5`` and ``sizes: 4294967296 1 1``, hung on
truncated and bit-flipped files, and read a truncated ``.nrrd`` without a word,
filling the voxels it lacked with uninitialised memory. The hostile files below
are read in a capped child process (see ``capped_read.py``), so that a crash or a
hang fails the test instead of the test run.
"""

import bz2
import gzip

import numpy as np
import pytest

from vmtkscripts_numpy.convert.arrays import vtk_to_numpy
from vmtkscripts_numpy.errors import DataFileError
from vmtkscripts_numpy.vtkfiles import read_image

VOLUME = np.arange(4 * 5 * 6, dtype=np.int16).reshape(6, 5, 4) - 60  # [z, y, x]

ENCODERS = {
    "raw": lambda data: data,
    "gzip": gzip.compress,
    "bzip2": bz2.compress,
}


def nrrd_bytes(volume=VOLUME, encoding="raw", endian="little", sizes=None, extra=(), data=None):
    """A NRRD file (header and data) of ``volume`` [z, y, x], 1 mm voxels in LPS from (1, 2, 3)."""
    type_name = {"int16": "short", "float32": "float", "float64": "double", "uint8": "uchar"}[volume.dtype.name]
    lines = [
        "NRRD0004", f"type: {type_name}", "dimension: 3", "space: left-posterior-superior",
        "sizes: " + (sizes or " ".join(map(str, volume.shape[::-1]))),
        "space directions: (1,0,0) (0,1,0) (0,0,1)", "space origin: (1,2,3)", f"endian: {endian}",
        f"encoding: {encoding}", *extra,
    ]
    if data is None:
        values = volume.astype(volume.dtype.newbyteorder("<" if endian == "little" else ">"))
        if encoding in ("ascii", "text"):
            data = " ".join(map(str, values.ravel().tolist())).encode() + b"\n"
        elif encoding == "hex":
            data = values.tobytes().hex().encode() + b"\n"
        else:
            data = ENCODERS[encoding](values.tobytes())
    return ("\n".join(lines) + "\n").encode(), data


def write_nrrd(path, **options):
    header, data = nrrd_bytes(**options)
    path.write_bytes(header + b"\n" + data)
    return path


def write_nhdr(path, **options):
    """A detached header ``path`` and its data file beside it (``<stem>.raw``)."""
    header, data = nrrd_bytes(**options)
    path.with_suffix(".raw").write_bytes(data)
    path.write_bytes(header + f"data file: {path.stem}.raw\n".encode())
    return path


def voxels(image):
    return vtk_to_numpy(image.GetPointData().GetScalars())


# --- what is read -----------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["raw", "gzip", "bzip2", "ascii", "hex"])
@pytest.mark.parametrize("endian", ["little", "big"])
def test_every_encoding_and_byte_order_gives_the_voxels_in_place(tmp_path, encoding, endian):
    path = write_nrrd(tmp_path / "ct.nrrd", encoding=encoding, endian=endian)

    image = read_image(path, frame="LPS")

    np.testing.assert_array_equal(voxels(image), VOLUME.ravel())
    assert image.GetDimensions() == (4, 5, 6) and image.GetOrigin() == (1.0, 2.0, 3.0)


@pytest.mark.parametrize("encoding", ["raw", "gzip"])
def test_a_detached_header_reads_the_data_file_beside_it(tmp_path, encoding):
    path = write_nhdr(tmp_path / "ct.nhdr", encoding=encoding)

    np.testing.assert_array_equal(voxels(read_image(path)), VOLUME.ravel())


def test_line_skip_and_byte_skip_pass_over_what_comes_before_the_voxels(tmp_path):
    header, data = nrrd_bytes(extra=["line skip: 2", "byte skip: 3"])
    path = tmp_path / "skips.nrrd"
    path.write_bytes(header + b"\n" + b"first line\nsecond\nxyz" + data)

    np.testing.assert_array_equal(voxels(read_image(path)), VOLUME.ravel())


def test_byte_skip_minus_one_takes_the_voxels_at_the_end_of_the_file(tmp_path):
    header, data = nrrd_bytes(extra=["byte skip: -1"])
    path = tmp_path / "tail.nhdr"
    path.with_suffix(".raw").write_bytes(b"some other header" + data)
    path.write_bytes(header + b"data file: tail.raw\n")

    np.testing.assert_array_equal(voxels(read_image(path)), VOLUME.ravel())


@pytest.mark.parametrize("name, problem", [
    ("LIST", "keeps its voxels in several files"),
    ("slice%03d.raw 1 6 1", "keeps its voxels in several files"),
    ("../outside.raw", "names a data file outside its own folder"),
    ("absent.raw", "names a data file 'absent.raw' that does not exist beside it"),
])
def test_data_files_that_are_not_one_file_beside_the_header_are_refused(tmp_path, name, problem):
    header, data = nrrd_bytes()
    path = tmp_path / "ct.nhdr"
    path.write_bytes(header + f"data file: {name}\n".encode())

    with pytest.raises(DataFileError, match=problem):
        read_image(path)


# --- hostile files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("write", [write_nrrd, write_nhdr], ids=["nrrd", "nhdr"])
@pytest.mark.parametrize("sizes, problem", [
    ("-1 5 5", r"has NRRD sizes '-1 5 5' for dimension 3: 3 positive sizes are needed"),
    ("4294967296 1 1", r"is truncated: its voxels need 8589934592 bytes, 240 are there"),
    ("0 5 6", r"3 positive sizes are needed"),
    ("4 5", r"for dimension 3"),
])
def test_sizes_the_data_cannot_hold_are_refused_before_anything_is_allocated(tmp_path, capped, write, sizes,
                                                                             problem):
    path = write(tmp_path / f"lying.{write.__name__[-4:]}", sizes=sizes)

    capped.refuses("image", path, problem)


@pytest.mark.parametrize("encoding", ["raw", "gzip", "bzip2", "ascii"])
def test_a_nrrd_file_cut_anywhere_is_refused_not_read_with_made_up_voxels(tmp_path, capped, encoding):
    whole = write_nrrd(tmp_path / "whole.nrrd", encoding=encoding).read_bytes()
    for twentieth in range(1, 20):
        path = tmp_path / f"cut{twentieth}.nrrd"
        path.write_bytes(whole[: len(whole) * twentieth // 20])

        capped.refuses("image", path, r"cut\d+\.nrrd: (is truncated|is not a NRRD file|has)")


@pytest.mark.parametrize("flip, problem", [
    # vtkNrrdReader hung on both: a NUL in a field name, and the blank line ending the header gone.
    (lambda header: header.replace(b"type: short", b"type:\0short"), "cannot be understood: no 'type'"),
    (lambda header: header + b"J", "is truncated"),
], ids=["nul in a field", "no blank line"])
def test_bit_flipped_headers_that_hung_vtk_are_refused(tmp_path, capped, flip, problem):
    header, data = nrrd_bytes()
    path = tmp_path / "flipped.nrrd"
    path.write_bytes(flip(header) + b"\n" + data)

    capped.refuses("image", path, problem)


def test_a_gzip_header_declaring_more_voxels_than_its_data_hold_is_refused(tmp_path, capped):
    header, data = nrrd_bytes(encoding="gzip", sizes="400 500 600")
    path = tmp_path / "small.nrrd"
    path.write_bytes(header + b"\n" + gzip.compress(VOLUME.astype("<i2").tobytes()))

    capped.refuses("image", path, r"is truncated: its voxels need 240000000 bytes, 240 are there")
