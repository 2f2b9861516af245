"""Helpers of the timing harness that change what is measured."""

from benchmarks import measure


def test_a_timed_write_gets_a_new_file(tmp_path):
    earlier, other = tmp_path / "a.hdf5", tmp_path / "a.npy"
    earlier.write_bytes(b"from the run before")
    other.write_bytes(b"from the run before")
    measure.new_file_ahead(str(earlier), str(other))
    assert list(tmp_path.iterdir()) == []
    measure.new_file_ahead(str(earlier))  # nothing to remove: no error
