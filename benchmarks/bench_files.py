"""Peak memory and time of writing and reading ArrayDict files, against np.save / np.load of the same arrays.

Three dicts: a 512³ int16 image in vmtk's ``[x, y, z]`` order (Fortran-ordered,
x fastest, as VTK keeps it; 256 MiB), a surface of about 100 MB of arrays
(float32 points and point data, int64 cell ids), and the same surface made of
views that are not contiguous (every other row of arrays twice as long, as
slicing gives; ``np.save`` writes those through numpy's buffered iterator, and
pickling one copies it whole unless the writer streams it). Each is written and read in
every format (``--formats``), and its arrays are written with ``np.save``
(one ``.npy`` each; an F-ordered array is written as it lies, with
``fortran_order``) and read with ``np.load``: the limit.

Targets (each printed with met or missed):

- **peak memory of a write** at most the input + one chunk (1 MiB, HDF5's and
  this benchmark's unit of streaming) + 10% of the input. Measured in a fresh
  child process per write: the input is built, freed memory is returned to the
  system (``malloc_trim``), the kernel's peak-RSS mark is reset, the file is
  written once, and the rise of ``VmHWM`` is what the write added to the input;
- **time**: uncompressed HDF5 writes at most 1.5 times ``np.save``; npz writes
  and reads at most 1.5 times ``np.save`` / ``np.load``.

Times are the fastest of ``--repeat`` runs, each format taking turns with
np.save / np.load so that both see the same load on a shared machine; before
each write the file an earlier run wrote is removed and dirty pages are
flushed (``measure.new_file_ahead``). Every array of 1 MiB or more gets fresh
memory from the system (``measure.fresh_memory_for_large_arrays``), in the
parent and in every child, so that figures repeat.

Run from the project root::

    python -m benchmarks.bench_files                          # the three dicts, hdf5, npz and pickle
    python -m benchmarks.bench_files --dicts image --formats hdf5 --repeat 3
    python -m benchmarks.bench_files --edge 128 --megabytes 5  # a few seconds
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import sys
import tempfile
import time
from typing import Any, Callable, Dict, List, Tuple

from . import data, measure

#: Format key -> (storage format name, write options).
FORMATS: Dict[str, Tuple[str, Dict[str, Any]]] = {
    "hdf5": ("hdf5", {}),
    "hdf5-gzip": ("hdf5", {"compression": "gzip", "compression_level": 1}),
    "npz": ("npz", {}),
    "npz-deflate": ("npz", {"compression": "deflate", "compression_level": 1}),
    "pickle": ("pickle", {}),
}
#: The unit of streaming a write may add to its input: HDF5's chunk (``hdf5.CHUNK_BYTES``).
CHUNK = 1 << 20
#: Share of the input a write may add beyond one chunk.
MEMORY_SLACK = 0.10
#: Most a write or read may take, as a multiple of np.save / np.load.
TIME_TARGET = 1.5
#: Formats held to the time target (compressed ones and pickle are shown, not held).
TIMED_TARGETS = {"hdf5": ("write",), "npz": ("write", "read")}


def make(name: str, edge: int, megabytes: float) -> Dict[str, Any]:
    """The dict ``name``: ``"image"`` (``edge³`` int16, [x, y, z]), ``"surface"`` (about ``megabytes`` MB) or
    ``"views"`` (that surface, as views that are not contiguous)."""
    if name == "image":
        return data.image_dict(edge)
    # about 40 bytes a triangle: an int64 id triple, an int32 entity id, half a point of float32 x 6
    surface = data.surface_dict(int(megabytes * 1e6 / 40))
    return data.with_views(surface) if name == "views" else surface


def numpy_calls(array_dict: Dict[str, Any], folder: str, synced: bool = False
                ) -> Tuple[Callable[[], Any], Callable[[], Any], List[str]]:
    """``(save, load, paths)``: np.save of every array to its own ``.npy`` file, np.load of each.

    With ``synced``, each file is also forced to disk (``fsync``) before it is
    closed, as the package's atomic writes force theirs.
    """
    import numpy as np

    arrays = data.all_arrays(array_dict)
    paths = [os.path.join(folder, f"array{index}.npy") for index in range(len(arrays))]

    def save() -> None:
        for path, array in zip(paths, arrays):
            with open(path, "wb") as stream:
                np.save(stream, array, allow_pickle=False)
                if synced:
                    stream.flush()
                    os.fsync(stream.fileno())

    def load() -> List[Any]:
        return [np.load(path, allow_pickle=False) for path in paths]

    return save, load, paths


def storage_calls(key: str, array_dict: Dict[str, Any], path: str) -> Tuple[Callable[[], Any], Callable[[], Any], str]:
    """``(write, read, path)`` of one format; ``path`` gets the format's extension."""
    from vmtkscripts_numpy import storage

    name, options = FORMATS[key]
    path = path + storage.FORMATS[name].extension

    def write() -> None:
        storage.write(array_dict, path, format=name, **options)

    def read() -> Any:
        return storage.read(path, format=name)

    return write, read, path


# --- peak memory, in a child process --------------------------------------------------------


def _peak_child(dict_name: str, key: str, edge: int, megabytes: float, folder: str) -> Dict[str, Any]:
    measure.fresh_memory_for_large_arrays()
    array_dict = make(dict_name, edge, megabytes)
    input_bytes = data.array_bytes(array_dict)
    path = os.path.join(folder, f"{dict_name}-{key}")
    if key == "numpy-save":
        write, _, _ = numpy_calls(array_dict, folder)
        tiny_write = numpy_calls(make(dict_name, 8, 0.01), folder)[0]
    else:
        write, _, _ = storage_calls(key, array_dict, path)
        tiny_write = storage_calls(key, make(dict_name, 8, 0.01), path + ".tiny")[0]
    tiny_write()  # imports and first-use set-up are not part of the peak
    measure.release_freed_memory()
    _, before, peak = measure.peak_during(write)
    return {"input_bytes": input_bytes, "rise": peak - before}


def measure_peak(dict_name: str, key: str, edge: int, megabytes: float, folder: str) -> Dict[str, Any]:
    return measure.run_child("benchmarks.bench_files", "--peak-child", dict_name, key, "--edge", str(edge),
                             "--megabytes", str(megabytes), "--folder", folder)


# --- times ------------------------------------------------------------------------------------


def best_of(calls: List[Callable[[], Any]], repeat: int, before: List[Callable[[], Any]]) -> List[float]:
    """Fastest of ``repeat`` runs of each call, the calls taking turns; ``before[i]`` runs untimed before each."""
    times: List[List[float]] = [[] for _ in calls]
    for _ in range(repeat):
        for call, record, setup in zip(calls, times, before):
            setup()
            gc.disable()
            try:
                start = time.perf_counter()
                result = call()
                record.append(time.perf_counter() - start)
            finally:
                gc.enable()
            del result
    return [min(record) for record in times]


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def main(argv: List[str] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dicts", default="image,surface,views", help="comma-separated: image, surface, views")
    parser.add_argument("--formats", default="hdf5,npz,pickle", help=f"comma-separated, of {', '.join(FORMATS)}")
    parser.add_argument("--edge", type=int, default=512, help="voxels along each edge of the image")
    parser.add_argument("--megabytes", type=float, default=100.0, help="MB of surface arrays")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each time; the fastest counts")
    parser.add_argument("--no-memory", action="store_true", help="times only")
    parser.add_argument("--no-times", action="store_true", help="peak memory only")
    parser.add_argument("--peak-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.peak_child:
        print(json.dumps(_peak_child(*options.peak_child, options.edge, options.megabytes, options.folder)))
        return 0
    measure.fresh_memory_for_large_arrays()
    keys = options.formats.split(",")
    missed = 0
    folder = tempfile.mkdtemp(prefix="bench_files_")
    try:
        for dict_name in options.dicts.split(","):
            array_dict = make(dict_name, options.edge, options.megabytes)
            input_bytes = data.array_bytes(array_dict)
            title = {"image": f"image {options.edge}³ int16, [x, y, z] (Fortran order)",
                     "views": "surface as views that are not contiguous (every other row)"}.get(dict_name, dict_name)
            print(f"{title}: {input_bytes / 1e6:.1f} MB of arrays")
            if not options.no_memory:
                allowed = CHUNK + MEMORY_SLACK * input_bytes
                print(f"  peak memory of a write above the input (target: at most one chunk + "
                      f"{MEMORY_SLACK:.0%} of the input = {allowed / 1e6:.1f} MB), fresh process each")
                for key in ["numpy-save"] + keys:
                    peak = measure_peak(dict_name, key, options.edge, options.megabytes, folder)
                    if "error" in peak:
                        print(f"    {key:<12} error: {peak['error']}")
                        missed += 1
                        continue
                    met = peak["rise"] <= allowed
                    missed += key != "numpy-save" and not met
                    print(f"    {key:<12} +{peak['rise'] / 1e6:8.1f} MB = input x "
                          f"{1 + peak['rise'] / peak['input_bytes']:.3f}   "
                          f"{verdict(met) if key != 'numpy-save' else '(the limit)'}")
            if not options.no_times:
                save, load, saved = numpy_calls(array_dict, folder)
                save_synced = numpy_calls(array_dict, folder, synced=True)[0]
                held_text = "; ".join(f"{key} {' and '.join(what)}" for key, what in TIMED_TARGETS.items())
                print(f"  times: fastest of {options.repeat}, each run beside np.save / np.load "
                      f"(target: {held_text} at most {TIME_TARGET}x); in brackets: against np.save + fsync, "
                      "which is forced to disk as the package's atomic writes are")
                for key in keys:
                    path = os.path.join(folder, f"{dict_name}-{key}")
                    write, read, path = storage_calls(key, array_dict, path)
                    repeat = options.repeat if key in TIMED_TARGETS else min(options.repeat, 2)
                    ahead = (lambda: measure.new_file_ahead(path), lambda: measure.new_file_ahead(*saved))
                    write_time, save_time, synced_time = best_of(
                        [write, save, save_synced], repeat, [ahead[0], ahead[1], ahead[1]])
                    read_time, load_time = best_of([read, load], repeat, [lambda: None, lambda: None])
                    line = [f"    {key:<12}"]
                    for what, ours, limit in (("write", write_time, save_time), ("read", read_time, load_time)):
                        ratio = ours / limit
                        held = what in TIMED_TARGETS.get(key, ())
                        missed += held and ratio > TIME_TARGET
                        line.append(f"{what} {ours * 1e3:7.1f} ms / {limit * 1e3:7.1f} ms = {ratio:5.2f}x"
                                    f"{' ' + verdict(ratio <= TIME_TARGET) if held else ''}")
                        if what == "write":
                            line[-1] += f" ({ours / synced_time:4.2f}x of {synced_time * 1e3:.1f} ms)"
                    print("   ".join(line))
            del array_dict
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"targets missed: {missed}" if missed else "every target met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
