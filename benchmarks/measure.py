"""How times, peak memory, start-up and the machine are measured (docs/benchmarks.md says why).

Times: the fastest of several runs, the methods compared taking turns, the
garbage collector off during each run.

Peak memory: in a fresh child process per measurement (``python -m
benchmarks.measure KIND DIRECTION SIZE METHOD``), the input's bytes plus the
rise of the peak resident memory (``VmHWM``) during one run, which counts
VTK's C++ allocations as ``tracemalloc`` would not.
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
from typing import Any, Callable, Dict, Hashable, List, Mapping, Optional, Tuple, TypeVar

PROJECT_ROOT = Path(__file__).resolve().parents[1]
#: Calls shorter than this (seconds) run three times in a row within a round of :func:`best_times`: right
#: after another method's copy of hundreds of megabytes, a first run finds cold caches (up to 5x slower).
SHORT_CALL = 0.01
#: The commands whose start-up is compared, by key.
STARTUP_COMMANDS: Dict[str, List[str]] = {
    "vmtknumpy-help": [sys.executable, "-m", "vmtkscripts_numpy", "--help"],
    "import-numpy": [sys.executable, "-c", "import numpy"],
    "python": [sys.executable, "-c", "pass"],
}
Key = TypeVar("Key", bound=Hashable)


def best_times(calls: Mapping[Key, Callable[[], Any]], budget: float = 1.0, max_runs: int = 7,
               once_over: float = 1.0, before: Optional[Mapping[Key, Callable[[], Any]]] = None,
               ) -> Dict[Key, Tuple[float, int]]:
    """``{key: (seconds, runs)}``: the fastest run of each call, the calls taking turns.

    Each round runs every call once, so that all see the same load on a shared
    machine; rounds go on up to ``max_runs`` or about ``budget`` seconds per
    call. A call that took more than ``once_over`` seconds is not run again.
    ``before[key]``, when given, runs untimed before each run of ``calls[key]``.
    """
    times: Dict[Key, List[float]] = {key: [] for key in calls}
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
    """``(seconds, runs)``: :func:`best_times` of one call."""
    return best_times({"call": call}, budget, max_runs, once_over)["call"]


def new_file_ahead(*paths: str) -> None:
    """Before a timed write: remove the files an earlier run wrote at ``paths``, then flush dirty pages.

    Every write then makes a new file, and no write pays for flushing the one before it.
    """
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    os.sync()


def fresh_memory_for_large_arrays(threshold: int = 1 << 20) -> bool:
    """Make glibc give every allocation of ``threshold`` bytes or more fresh pages; False where it cannot."""
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


# --- peak memory ------------------------------------------------------------------------


def status(field: str) -> int:
    """A ``/proc/self/status`` field (``"VmRSS"``, ``"VmHWM"``) in bytes."""
    with open("/proc/self/status", encoding="ascii") as lines:
        for line in lines:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise OSError(f"no {field} in /proc/self/status")


def memory_supported() -> Optional[str]:
    """None when peak RSS can be measured here, else why not."""
    if not sys.platform.startswith("linux"):
        return "needs Linux (/proc/self/status VmHWM)"
    if not os.access("/proc/self/clear_refs", os.W_OK):
        return "/proc/self/clear_refs is not writable (the peak RSS cannot be reset)"
    return None


def release_freed_memory() -> None:
    """Collect garbage and give freed memory back to the system (``malloc_trim``), before a peak is measured."""
    gc.collect()
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def peak_during(call: Callable[[], Any]) -> Tuple[Any, int, int]:
    """``(result, resident bytes before, peak resident bytes)`` of one run of ``call``, the peak mark reset first."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
        clear.write("5")
    before = status("VmRSS")
    result = call()
    return result, before, status("VmHWM")


def _peak_child(kind: str, direction: str, size: int, key: str) -> Dict[str, Any]:
    from . import data, methods

    fresh_memory_for_large_arrays()
    method = next(method for method in methods.conversion_methods(kind, direction) if method.key == key)
    # One call on tiny data first: imports and first-use set-up are not part of the peak.
    method.prepare(methods.Inputs(kind, methods.TINY[kind], direction))()
    inputs = methods.Inputs(kind, size, direction)
    call = method.prepare(inputs)
    release_freed_memory()
    result, before, peak = peak_during(call)
    output_bytes = data.vtk_bytes(result) if hasattr(result, "GetPointData") else data.array_bytes(result)
    return {"input_bytes": inputs.input_bytes(direction), "output_bytes": output_bytes, "rise": peak - before}


def run_child(module: str, *arguments: str, timeout: float = 900) -> Dict[str, Any]:
    """``python -m module arguments`` in a fresh process; the JSON of its last line, or ``{"error": why}``."""
    paths = [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]
    completed = subprocess.run([sys.executable, "-m", module, *arguments], cwd=PROJECT_ROOT, capture_output=True,
                               env=dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, paths))), text=True,
                               timeout=timeout)
    if completed.returncode:
        return {"error": (completed.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(completed.stdout.strip().splitlines()[-1])


# --- start-up and the machine -------------------------------------------------------------


def startup_time(command: List[str], runs: int = 9) -> float:
    """The median wall time of ``runs`` runs of ``command`` (after one unmeasured run)."""
    times = []
    for run in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, check=True)
        if run:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def _first(path: str, prefix: str) -> str:
    """What follows the colon of the first line of ``path`` starting with ``prefix``, or ``""``."""
    with contextlib.suppress(OSError), open(path, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    return ""


def machine() -> Dict[str, str]:
    """CPU model, cores, memory and the versions that matter, for the report."""
    from importlib.metadata import PackageNotFoundError, version

    memory = _first("/proc/meminfo", "MemTotal")
    info = {"CPU": _first("/proc/cpuinfo", "model name") or platform.processor() or platform.machine(),
            "cores": str(os.cpu_count()),
            "memory": f"{int(memory.split()[0]) * 1024 / (1 << 30):.1f} GiB" if memory else "unknown",
            "OS": f"{platform.system()} {platform.release()}", "Python": platform.python_version()}
    for module in ("numpy", "vtk", "h5py", "pyvista"):
        try:
            info[module] = version(module)
        except PackageNotFoundError:
            info[module] = "not installed"
    return info


if __name__ == "__main__":
    print(json.dumps(_peak_child(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])))
