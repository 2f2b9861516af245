"""Write and read time of ArrayDict files, against np.save/np.load of the same arrays.

The target: uncompressed HDF5 within 1.5x of np.save/np.load. Also shown: the
other formats and compressions, and a centerline dict whose cells are a list
of many small arrays (each one a dataset in HDF5, a member in npz).

Run from the project root::

    python -m benchmarks.bench_storage              # about 110 MB of surface arrays, 20 000 cells
    python -m benchmarks.bench_storage 400 100000   # MB, number of centerline cells
"""

import os
import shutil
import sys
import tempfile
import time

import numpy as np

from vmtkscripts_numpy import storage

from .measure import new_file_ahead


def best_ms(function, repeat):
    """The fastest of ``repeat`` runs, in milliseconds (the least disturbed by other work)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def best_pair_ms(first, second, repeat, paths=((), ())):
    """Best times of two functions run alternately, so that both see the same load on the machine.

    Before each run (untimed) the files in the matching ``paths`` are removed,
    so that a write makes a new file, and dirty pages are flushed
    (``measure.new_file_ahead``).
    """
    times = ([], [])
    for _ in range(repeat):
        for function, record, removed in zip((first, second), times, paths):
            new_file_ahead(*removed)
            start = time.perf_counter()
            function()
            record.append(time.perf_counter() - start)
    return 1e3 * min(times[0]), 1e3 * min(times[1])


def surface_dict(megabytes):
    points = int(megabytes * 1e6 / 56)  # 12 + 12 + 8 bytes per point, 24 per cell, two cells per point
    rng = np.random.default_rng(0)
    return {
        "Points": rng.random((points, 3), dtype=np.float32),
        "PointData": {"Normals": rng.random((points, 3), dtype=np.float32), "Pressure": rng.random(points)},
        "CellData": {"CellPointIds": rng.integers(0, points, (2 * points, 3), dtype=np.int32)},
    }


def centerlines_dict(cells):
    rng = np.random.default_rng(0)
    lengths = rng.integers(2, 60, cells)
    return {
        "Points": rng.random((int(lengths.sum()), 3)),
        "PointData": {"MaximumInscribedSphereRadius": rng.random(int(lengths.sum()))},
        "CellData": {"CellPointIds": np.split(np.arange(lengths.sum(), dtype=np.int32), np.cumsum(lengths)[:-1])},
    }


def leaves(tree, prefix=""):
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from leaves(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def numpy_save_load(folder, array_dict):
    """np.save of every array to its own .npy file, and np.load of each: the baseline."""
    arrays = dict(leaves(array_dict))

    def save():
        for name, array in arrays.items():
            np.save(os.path.join(folder, name + ".npy"), array)

    def load():
        for name in arrays:
            np.load(os.path.join(folder, name + ".npy"))

    return save, load, [os.path.join(folder, name + ".npy") for name in arrays]


def main(megabytes=110.0, cells=20_000):
    folder = tempfile.mkdtemp(prefix="bench_storage_")
    try:
        surface = surface_dict(megabytes)
        size = sum(array.nbytes for _, array in leaves(surface)) / 1e6
        save, load, saved = numpy_save_load(folder, surface)
        print(f"surface dict, {size:.0f} MB of arrays; best of 7 (compressed: 2), each run beside np.save / np.load")
        print(f"  {'':<14} {'write':>9} {'np.save':>9} {'ratio':>6}   {'read':>9} {'np.load':>9} {'ratio':>6}   {'size':>8}")
        cases = [
            ("hdf5", "hdf5", {}),
            ("hdf5 gzip 4", "hdf5", {"compression": "gzip", "compression_level": 4}),
            ("hdf5 lzf", "hdf5", {"compression": "lzf"}),
            ("pickle", "pickle", {}),
            ("npz", "npz", {}),
        ]
        for label, format_name, options in cases:
            path = os.path.join(folder, "surface" + storage.FORMATS[format_name].extension)
            repeat = 2 if options else 7
            write_ms, save_ms = best_pair_ms(lambda: storage.write(path, surface, format=format_name, **options),
                                             save, repeat, paths=([path], saved))
            read_ms, load_ms = best_pair_ms(lambda: storage.read(path), load, repeat)
            print(f"  {label:<14} {write_ms:7.1f}ms {save_ms:7.1f}ms {write_ms / save_ms:5.2f}x   "
                  f"{read_ms:7.1f}ms {load_ms:7.1f}ms {read_ms / load_ms:5.2f}x   {os.path.getsize(path) / 1e6:6.1f}MB")

        lines = centerlines_dict(cells)
        print(f"centerlines dict, {cells} cells as a list of arrays (best of 2)")
        for format_name in ("hdf5", "npz", "pickle"):
            path = os.path.join(folder, "lines" + storage.FORMATS[format_name].extension)
            write_ms = best_ms(lambda: storage.write(path, lines, format=format_name), 2)
            read_ms = best_ms(lambda: storage.read(path), 2)
            print(f"  {format_name:<24} {write_ms:8.1f} ms write {read_ms:8.1f} ms read   "
                  f"{1e3 * write_ms / cells:6.1f} / {1e3 * read_ms / cells:6.1f} us per cell")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main(*[float(sys.argv[1])] if len(sys.argv) > 1 else [], *[int(sys.argv[2])] if len(sys.argv) > 2 else [])
