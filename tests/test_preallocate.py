"""Disk space reserved ahead of large writes: a hint that changes no file, and is given back."""

import os

from vmtkscripts_numpy import _preallocate

MIB = 1 << 20


def allocated(path):
    return os.stat(path).st_blocks * 512


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
    monkeypatch.setattr(_preallocate, "_fallocate", False)
    path = tmp_path / "data.bin"
    with open(path, "wb") as stream:
        assert _preallocate.reserve(stream.fileno(), MIB) is False
        stream.write(b"x" * 10)
    _preallocate.release_unused(path)
    assert path.read_bytes() == b"x" * 10
