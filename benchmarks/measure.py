"""How times, peak memory, start-up and the machine are measured.

Times: the fastest of several runs (the least disturbed by other work on the
machine), the methods compared taking turns, with the garbage collector off
during each run; a run longer than a second is done once. Every array of 1 MB
or more gets fresh memory from the system (see :func:`fresh_memory_for_large_arrays`).

Peak memory: in a fresh child process per measurement (``python -m
benchmarks.measure KIND DIRECTION SIZE METHOD``). The child builds the
input, returns freed memory to the system (``malloc_trim``), resets the
kernel's peak-RSS mark (``/proc/self/clear_refs``), runs the conversion once
and reads ``VmHWM`` from ``/proc/self/status``. The peak of the conversion is
the input's bytes plus the rise of the peak RSS: it counts VTK's C++
allocations, which ``tracemalloc`` does not see.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, Hashable, Optional, Tuple

PROJECT_ROOT = Path(__file__).resolve().parents[1]
#: Calls shorter than this (seconds) run three times in a row within a round of :func:`best_times`: right
#: after another method's copy of hundreds of megabytes, a first run finds cold caches (up to 5x slower).
SHORT_CALL = 0.01


def best_times(calls: Dict[Hashable, Callable[[], Any]], budget: float = 1.0, max_runs: int = 7,
               once_over: float = 1.0, before: Optional[Dict[Hashable, Callable[[], Any]]] = None,
               ) -> Dict[Hashable, Tuple[float, int]]:
    """``{key: (seconds, runs)}``: the fastest run of each call, the calls taking turns.

    Each round runs every call once, so that all of them see the same load on
    a shared machine; rounds go on up to ``max_runs`` or about ``budget``
    seconds per call. A call that took more than ``once_over`` seconds is not
    run again. ``before[key]``, when given, runs untimed before each run of ``calls[key]``.
    """
    times: Dict[Hashable, list] = {key: [] for key in calls}
    spent = 0.0
    gc.collect()  # once: a collection before each run would leave the caches cold
    for _ in range(max_runs):
        for key, call in calls.items():
            if times[key] and times[key][0] > once_over:
                continue
            for _ in range(3 if times[key] and min(times[key]) < SHORT_CALL else 1):
                if before and key in before:
                    before[key]()
                gc.disable()
                try:
                    start = time.perf_counter()
                    result = call()
                    elapsed = time.perf_counter() - start
                finally:
                    gc.enable()
                del result
                times[key].append(elapsed)
                spent += elapsed
        if spent > budget * len(calls):
            break
    return {key: (min(values), len(values)) for key, values in times.items()}


def best_time(call: Callable[[], Any], budget: float = 1.0, max_runs: int = 7,
              once_over: float = 1.0) -> Tuple[float, int]:
    """``(seconds, runs)``: the fastest of up to ``max_runs`` runs of one call within about ``budget`` seconds."""
    return best_times({"call": call}, budget, max_runs, once_over)["call"]


def new_file_ahead(*paths: str) -> None:
    """Before a timed write: remove the files an earlier run wrote at ``paths``, then flush dirty pages.

    Every write then makes a new file, as converting many geometries does.
    Replacing a file adds the freeing of the old one's cached pages at a
    moment that depends on the writer (``np.save`` truncates first, an atomic
    writer renames after), which moved the same HDF5 write between 100 and
    600 ms here. The flush keeps a write from paying for the one before it.
    """
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    os.sync()


def fresh_memory_for_large_arrays(threshold: int = 1 << 20) -> bool:
    """Make glibc give every allocation of ``threshold`` bytes or more fresh pages from the system.

    glibc does so above 32 MB anyway; below, it reuses freed memory or not
    depending on what ran before, which changed the time of one conversion
    threefold between runs. Returns False where this cannot be set.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    return bool(libc.mallopt(-3, threshold))  # M_MMAP_THRESHOLD


def warm_memory(megabytes: int) -> None:
    """Touch and free that much memory once: on a virtual machine a first touch costs up to ten times a later one."""
    import numpy as np

    if megabytes > 0:
        np.ones(megabytes * (1 << 20) // 8)  # written, then freed at once


# --- peak memory in a child process --------------------------------------------------


def _status(field: str) -> int:
    """A ``/proc/self/status`` field in bytes."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise OSError(f"no {field} in /proc/self/status")


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
    except OSError:
        return False
    return True


def memory_supported() -> Optional[str]:
    """None when peak RSS can be measured here, else why not."""
    if not sys.platform.startswith("linux"):
        return "needs Linux (/proc/self/status VmHWM)"
    if not os.access("/proc/self/clear_refs", os.W_OK):
        return "/proc/self/clear_refs is not writable (the peak RSS cannot be reset)"
    return None


def _child(kind: str, direction: str, size: int, key: str) -> Dict[str, Any]:
    from . import data, methods

    fresh_memory_for_large_arrays()
    method = methods.find_method(kind, direction, key)
    # One call on tiny data first: imports and first-use set-up are not part of the peak.
    method.prepare(methods.Inputs(kind, methods.TINY[kind], direction))()
    inputs = methods.Inputs(kind, size, direction)
    call = method.prepare(inputs)
    gc.collect()
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    if not _reset_peak():
        return {"error": "cannot reset the peak RSS"}
    before = _status("VmRSS")
    result = call()
    rise = _status("VmHWM") - before
    output_bytes = data.vtk_bytes(result) if hasattr(result, "GetPointData") else data.array_bytes(result)
    return {"input_bytes": inputs.input_bytes(direction), "output_bytes": output_bytes, "rise": rise}


def _environment() -> Dict[str, str]:
    """This environment, with the project on the path of a child process."""
    paths = [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]
    return dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in paths if path))


def measure_peak(kind: str, direction: str, size: int, key: str, timeout: float = 900) -> Dict[str, Any]:
    """Run one conversion in a fresh child process; its input and output bytes and peak-RSS rise."""
    command = [sys.executable, "-m", "benchmarks.measure", kind, direction, str(size), key]
    completed = subprocess.run(command, cwd=PROJECT_ROOT, env=_environment(), capture_output=True, text=True,
                               timeout=timeout)
    if completed.returncode:
        return {"error": (completed.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(completed.stdout.strip().splitlines()[-1])


# --- start-up and the machine ---------------------------------------------------------------


def startup_commands() -> Dict[str, list]:
    """The commands whose start-up is compared, by key."""
    return {
        "vmtknumpy-help": [sys.executable, "-m", "vmtkscripts_numpy", "--help"],
        "import-numpy": [sys.executable, "-c", "import numpy"],
        "python": [sys.executable, "-c", "pass"],
    }


def startup_time(command: list, runs: int = 9) -> float:
    """The median wall time of ``runs`` runs of ``command`` (after one unmeasured run)."""
    times = []
    for run in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(command, cwd=PROJECT_ROOT, env=_environment(), stdout=subprocess.DEVNULL, check=True)
        if run:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def _first(path: str, prefix: str) -> Optional[str]:
    """What follows the first line of ``path`` that starts with ``prefix`` (and a colon), or None."""
    with contextlib.suppress(OSError), open(path, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    return None


def machine() -> Dict[str, str]:
    """CPU model, cores, memory and the versions that matter, for the report."""
    from importlib.metadata import PackageNotFoundError, version

    info = {"CPU": _first("/proc/cpuinfo", "model name") or platform.processor() or platform.machine(),
            "cores": str(os.cpu_count())}
    memory = _first("/proc/meminfo", "MemTotal")
    if memory:
        info["memory"] = f"{int(memory.split()[0]) * 1024 / (1 << 30):.1f} GiB"
    info["OS"] = f"{platform.system()} {platform.release()}"
    info["Python"] = platform.python_version()
    for module in ("numpy", "vtk", "h5py", "pyvista"):
        try:
            info[module] = version(module)
        except PackageNotFoundError:
            info[module] = "not installed"
    return info


if __name__ == "__main__":
    kind, direction, size, key = sys.argv[1:5]
    print(json.dumps(_child(kind, direction, int(size), key)))
