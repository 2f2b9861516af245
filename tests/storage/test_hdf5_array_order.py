"""Arrays in any memory order reach HDF5 as the C-ordered datasets vmtk reads, with every value in place.

Images in vmtk's [x, y, z] order are Fortran-ordered (x fastest, as VTK keeps
them); HDF5 stores C order, so the writer copies them in blocks
(``hdf5.c_ordered``). These tests check that copy on every layout it may meet.
"""

import h5py
import numpy as np
import pytest

from vmtkscripts_numpy.storage import hdf5

rng = np.random.default_rng(3)


def layouts():
    volume = rng.integers(-1000, 3000, (37, 20, 19)).astype(np.int16)
    vectors = rng.random((9, 8, 7, 3)).astype(np.float32)
    return {
        "fortran volume": np.asfortranarray(volume),
        "fortran volume of planes of thousands of values": np.asfortranarray(rng.random((70, 30, 80)) < 0.3),
        "vtk-ordered vectors [x, y, z, k]": np.ascontiguousarray(vectors.transpose(2, 1, 0, 3)).transpose(2, 1, 0, 3),
        "fortran points": np.asfortranarray(rng.random((50, 3))),
        "reversed rows": rng.random((40, 6))[::-1],
        "every other column of a volume": rng.random((6, 5, 40))[:, :, ::2],
        "axes in a mixed order": rng.random((4, 5, 6)).transpose(1, 2, 0),
        "a single slice": np.asfortranarray(rng.random((30, 1, 17))),
        "broadcast": np.broadcast_to(np.arange(5.0), (4, 5)),
        "fortran bools": np.asfortranarray(rng.random((6, 7, 8)) > 0.5),
        "every other row of strings": np.array([["ab", "c"], ["déf", ""], ["g", "hi"], ["j", "k"]])[::2],
        "fortran strings": np.asfortranarray(np.array([["ab", "c", "xyz"], ["d", "é", "f"]], dtype=">U3")),
    }


@pytest.mark.parametrize("name", list(layouts()))
def test_c_ordered_copies_every_value_in_place(name):
    data = layouts()[name]
    copy = hdf5.c_ordered(data)
    assert copy.flags.c_contiguous
    assert copy.dtype == data.dtype and copy.shape == data.shape
    np.testing.assert_array_equal(copy, data)


def test_an_image_in_vmtk_order_is_stored_as_vmtk_reads_it(tmp_path):
    volume = np.asfortranarray(rng.integers(0, 4000, (33, 21, 18)).astype(np.int16))
    path = tmp_path / "image.hdf5"
    hdf5.write({"Dimensions": np.array(volume.shape), "PointData": {"ImageScalars": volume}}, path)
    with h5py.File(path, "r") as h5file:
        stored = h5file["PointData"]["ImageScalars"][()]
    # vmtk reads the dataset as it is: same shape, value (x, y, z) at index [x, y, z].
    assert stored.shape == (33, 21, 18)
    np.testing.assert_array_equal(stored, volume)
    np.testing.assert_array_equal(hdf5.read(path)["PointData"]["ImageScalars"], volume)


def test_compressed_strided_arrays_round_trip(tmp_path):
    arrays = {name.replace(" ", "_"): value for name, value in layouts().items()}
    path = tmp_path / "layouts.hdf5"
    hdf5.write(arrays, path, compression="gzip", compression_level=1)
    back = hdf5.read(path)
    for name, value in arrays.items():
        np.testing.assert_array_equal(back[name], value)
        assert back[name].dtype == value.dtype


@pytest.mark.parametrize("compression", [None, "gzip"])
@pytest.mark.parametrize("chunk_bytes", [64, 4096, 1 << 20])
def test_arrays_in_any_order_give_the_same_file_bytes_as_their_c_ordered_copies(tmp_path, compression, chunk_bytes):
    # Streamed block by block (one chunk at a time when chunks are small): the same file, byte for byte.
    arrays = {name.replace(" ", "_"): value for name, value in layouts().items()}
    arrays["long_doubles"] = np.asfortranarray(rng.random((9, 8, 7)).astype(np.longdouble))  # HDF5 converts these
    copies = {name: np.ascontiguousarray(value) for name, value in arrays.items()}
    options = {"compression": compression, "compression_level": 1, "chunk_bytes": chunk_bytes}
    hdf5.write(arrays, tmp_path / "any.hdf5", **options)
    hdf5.write(copies, tmp_path / "c.hdf5", **options)
    assert (tmp_path / "any.hdf5").read_bytes() == (tmp_path / "c.hdf5").read_bytes()
    back = hdf5.read(tmp_path / "any.hdf5")
    for name, value in arrays.items():
        np.testing.assert_array_equal(back[name], value)


@pytest.mark.parametrize("compression", [None, "gzip"])
def test_an_image_in_vmtk_order_is_written_without_a_copy_of_the_whole_image(tmp_path, compression):
    import tracemalloc

    volume = np.asfortranarray(rng.integers(0, 4000, (256, 128, 128)).astype(np.int16))  # 8 MiB
    hdf5.write({"Points": np.zeros((2, 3))}, tmp_path / "first.hdf5")  # h5py's import and set-up come first
    tracemalloc.start()
    try:
        hdf5.write({"PointData": {"ImageScalars": volume}}, tmp_path / "image.hdf5", compression=compression)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < volume.nbytes // 4, peak  # a block of about one chunk (1 MiB), not the 8 MiB of a C-ordered copy
    np.testing.assert_array_equal(hdf5.read(tmp_path / "image.hdf5")["PointData"]["ImageScalars"], volume)
