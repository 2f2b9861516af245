"""Helpers of the timing harness that change what is measured."""

from benchmarks import measure


def test_a_timed_write_gets_a_new_file(tmp_path):
    earlier = tmp_path / "a.hdf5"
    earlier.write_bytes(b"from the run before")
    measure.new_file_ahead(str(earlier))
    assert not earlier.exists()
    measure.new_file_ahead(str(earlier))  # nothing to remove: no error
    assert list(tmp_path.iterdir()) == []
