"""Disk space reserved ahead of large writes: a hint that changes no file, and is given back."""

import os
import sys

import numpy as np
import pytest

from vmtkscripts_numpy import _preallocate
from vmtkscripts_numpy.convert.polydata import polydata_to_dict
from vmtkscripts_numpy.sample_data import make_vessel_surface
from vmtkscripts_numpy.vtkfiles.vtkhdf_series import VTKHDFSeriesWriter, read_vtkhdf_series

MIB = 1 << 20


def allocated(path):
    return os.stat(path).st_blocks * 512


def reserves_here(folder):
    """Whether this system and file system reserve space (Linux's fallocate, e.g. on ext4, XFS, tmpfs)."""
    path = folder / "probe"
    with open(path, "wb") as probe:
        reserved = _preallocate.reserve(probe.fileno(), MIB)
    os.remove(path)
    return reserved


def test_a_reservation_changes_neither_size_nor_content_and_is_given_back(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"abc")
    with open(path, "r+b") as stream:
        reserved = _preallocate.reserve(stream.fileno(), 8 * MIB)
        assert os.fstat(stream.fileno()).st_size == 3
    assert path.read_bytes() == b"abc"
    if reserved:
        assert allocated(path) >= 8 * MIB
    _preallocate.release_unused(path)
    assert path.read_bytes() == b"abc"
    assert allocated(path) < MIB


def test_without_the_call_nothing_is_reserved_and_writes_go_on(tmp_path, monkeypatch):
    monkeypatch.setitem(_preallocate._functions, "fallocate", False)
    path = tmp_path / "data.bin"
    with open(path, "wb") as stream:
        assert _preallocate.reserve(stream.fileno(), MIB) is False
        stream.write(b"x" * 10)
    _preallocate.release_unused(path)
    assert path.read_bytes() == b"x" * 10


def test_a_time_series_keeps_no_reserved_space_also_after_a_killed_writer(tmp_path):
    if not reserves_here(tmp_path):
        pytest.skip("this file system reserves no space ahead")
    surface = polydata_to_dict(make_vessel_surface())
    steps = np.random.default_rng(5).random((12, len(surface["Points"]), 64))  # 0.5 MB a step: reserved
    path = tmp_path / "run.vtkhdf"
    with VTKHDFSeriesWriter(path, surface) as writer:
        for step, values in enumerate(steps[:10]):
            writer.write_step(float(step), {"Spectrum": values})
    assert allocated(path) <= os.path.getsize(path) + 64 * 1024
    # A writer killed between reserving a step's space and writing it leaves the space reserved:
    with open(path, "r+b") as stream:
        assert _preallocate.reserve(stream.fileno(), 32 * MIB)
    assert allocated(path) > os.path.getsize(path) + 16 * MIB
    with VTKHDFSeriesWriter(path, append=True) as writer:  # the next writer gives it back
        for step, values in enumerate(steps[10:], start=10):
            writer.write_step(float(step), {"Spectrum": values})
    assert allocated(path) <= os.path.getsize(path) + 64 * 1024
    np.testing.assert_array_equal(read_vtkhdf_series(path)["TimeSeries"]["PointData"]["Spectrum"], steps)


def test_the_writeback_of_a_file_is_started_and_its_bytes_stay_as_written(tmp_path):
    path = tmp_path / "data.bin"
    with open(path, "wb") as stream:
        writeback = _preallocate.Writeback(stream.fileno(), every=MIB)
        for _ in range(5):
            writeback.wrote(stream.write(b"\x01" * MIB))
            stream.flush()
        # Linux takes the request for a file (it would give up on a refusal); elsewhere there is no such call.
        assert (writeback.descriptor is not None) == sys.platform.startswith("linux")
    assert path.read_bytes() == b"\x01" * (5 * MIB)


def test_where_the_writeback_cannot_start_it_stops_asking_and_writes_go_on():
    reading, writing = os.pipe()  # a pipe has no pages to write back
    try:
        writeback = _preallocate.Writeback(writing, every=4)
        writeback.wrote(os.write(writing, b"data"))
        assert writeback.descriptor is None
        writeback.wrote(os.write(writing, b"more"))
        assert os.read(reading, 8) == b"datamore"
    finally:
        os.close(reading)
        os.close(writing)
    assert _preallocate.start_writeback(writing) is False  # a closed descriptor
    nothing = _preallocate.Writeback(None, every=1)
    nothing.wrote(10)
    assert nothing.descriptor is None


def test_huge_pages_are_asked_only_for_large_writable_buffers_whose_bytes_stay():
    assert _preallocate.prefer_huge_pages(bytearray(MIB)) is False  # small
    assert _preallocate.prefer_huge_pages(bytes(8 * MIB)) is False  # read-only
    assert _preallocate.prefer_huge_pages(np.zeros((8, MIB))[:, ::2]) is False  # not contiguous
    buffer = bytearray(b"\x07" * (8 * MIB + 3))
    _preallocate.prefer_huge_pages(memoryview(buffer)[3:])  # a hint: whether the system takes it is its own
    assert buffer == b"\x07" * (8 * MIB + 3)
