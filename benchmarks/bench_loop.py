"""A user's loop over many cases through the script classes: does resident memory stay flat?

Each case is a generated surface (a tube of ``--triangles`` triangles, its
points moved a little from case to case) that goes through the scripts as a
Python loop written for vmtk would take it::

    to_surface = vmtkscripts.vmtkNumpyToSurface(); to_surface.ArrayDict = case; to_surface.Execute()
    to_numpy = vmtkscripts.vmtkSurfaceToNumpy(); to_numpy.Surface = to_surface.Surface; to_numpy.Execute()
    writer = vmtkscripts.vmtkNumpyWriter(); writer.ArrayDict = to_numpy.ArrayDict; ...; writer.Execute()

The resident memory (``VmRSS``) is read after every case. After ``--warmup``
cases, it must stay flat: its highest value over the rest of the run may
exceed its value at the end of the warm-up by at most 10% of one case's
working set (the bytes of the case's input dict, its VTK surface and its
output dict). Each variant runs in a fresh child process:

- ``as now``: the scripts as they are, the garbage collector on (a user's loop);
- ``as now, no gc``: the same with the garbage collector off, which shows that
  reference counting alone frees each case (``Self`` is a property, no cycle);
- ``vmtk's Self``: every script holds itself (``self.Self = self``, as vmtk's
  ``pypeScript`` does), the collector on: the state before the fix.

Run from the project root::

    python -m benchmarks.bench_loop                       # 1000 cases of 100 000 triangles, a few minutes
    python -m benchmarks.bench_loop --cases 100 --triangles 2000
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any, Dict, List

from . import measure
from .measure import PROJECT_ROOT

#: variant key -> (label, garbage collector on, scripts hold themselves as vmtk's do)
VARIANTS = {
    "now": ("as now", True, False),
    "now-no-gc": ("as now, no gc", False, False),
    "vmtk-self": ("vmtk's Self", True, True),
}
#: The most the resident memory may rise after the warm-up, as a share of one case's working set.
TARGET = 0.10


def make_case(case: int, triangles: int) -> Dict[str, Any]:
    """The generated surface of one case: the benchmark's tube, its points scaled a little per case."""
    from . import data

    surface = data.surface_dict(triangles)
    surface["Points"] *= 1.0 + 1e-3 * (case % 97)
    return surface


def run_loop(cases: int, triangles: int, warmup: int, collector: bool, vmtk_self: bool) -> Dict[str, Any]:
    """Run the loop in this process; the resident memory after each case and one case's working set."""
    from vmtkscripts_numpy import vmtkscripts

    from . import data

    if not collector:
        gc.disable()
    folder = tempfile.mkdtemp(prefix="bench_loop_")
    path = os.path.join(folder, "case.hdf5")
    resident: List[int] = []
    working_set = 0
    start = time.perf_counter()
    try:
        for case in range(cases):
            array_dict = make_case(case, triangles)
            to_surface = vmtkscripts.vmtkNumpyToSurface()
            to_numpy = vmtkscripts.vmtkSurfaceToNumpy()
            writer = vmtkscripts.vmtkNumpyWriter()
            for script in (to_surface, to_numpy, writer):
                script.LogOn = 0
                if vmtk_self:
                    script.__dict__["Self"] = script  # vmtk's pypeScript: self.Self = self
            to_surface.ArrayDict = array_dict
            to_surface.Execute()
            to_numpy.Surface = to_surface.Surface
            to_numpy.Execute()
            writer.ArrayDict = to_numpy.ArrayDict
            writer.OutputFileName = path
            writer.Compression = 0
            writer.Execute()
            if case == 0:
                working_set = (data.array_bytes(array_dict) + data.vtk_bytes(to_surface.Surface)
                               + data.array_bytes(to_numpy.ArrayDict))
            resident.append(measure.status("VmRSS"))
    finally:
        gc.enable()
        for name in os.listdir(folder):
            os.unlink(os.path.join(folder, name))
        os.rmdir(folder)
    seconds = time.perf_counter() - start
    return {"resident": resident, "working_set": working_set, "warmup": warmup, "seconds_per_case": seconds / cases}


def summary(result: Dict[str, Any]) -> Dict[str, float]:
    """Rise of the resident memory after the warm-up, in bytes and as a share of one case's working set."""
    resident, warmup = result["resident"], result["warmup"]
    start = resident[warmup - 1]
    rise = max(resident[warmup:]) - start
    return {
        "start": start,
        "end": resident[-1],
        "highest": max(resident[warmup:]),
        "rise": rise,
        "share": rise / result["working_set"],
    }


def run_variant(key: str, cases: int, triangles: int, warmup: int) -> Dict[str, Any]:
    """One variant in a fresh child process (its own heap, nothing left over from another variant)."""
    command = [sys.executable, "-m", "benchmarks.bench_loop", "--child", key, "--cases", str(cases),
               "--triangles", str(triangles), "--warmup", str(warmup)]
    environment = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))
    )
    completed = subprocess.run(command, cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True)
    if completed.returncode:
        raise RuntimeError(f"{key}: {completed.stderr.strip()[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main(argv: List[str] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--triangles", type=int, default=100_000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--variants", default=",".join(VARIANTS), help=f"comma-separated, of {', '.join(VARIANTS)}")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    warmup = max(1, min(options.warmup, options.cases - 1))
    if options.child:
        _, collector, vmtk_self = VARIANTS[options.child]
        print(json.dumps(run_loop(options.cases, options.triangles, warmup, collector, vmtk_self)))
        return 0
    print(f"{options.cases} cases of {options.triangles} triangles through vmtknumpytosurface, vmtksurfacetonumpy "
          f"and vmtknumpywriter (HDF5); resident memory after each case, flat after {warmup} cases of warm-up")
    print(f"target: the highest resident memory after the warm-up at most {TARGET:.0%} of one case's working set "
          "above its value at the end of the warm-up")
    missed = 0
    for key in options.variants.split(","):
        label = VARIANTS[key][0]
        result = run_variant(key, options.cases, options.triangles, warmup)
        figures = summary(result)
        met = figures["share"] <= TARGET
        missed += key != "vmtk-self" and not met
        print(f"  {label:<15} working set {result['working_set'] / 1e6:6.2f} MB   resident after warm-up "
              f"{figures['start'] / 1e6:7.1f} MB, highest {figures['highest'] / 1e6:7.1f} MB, at the end "
              f"{figures['end'] / 1e6:7.1f} MB   rise {figures['rise'] / 1e6:7.2f} MB = {figures['share']:6.1%} "
              f"of a case, {result['seconds_per_case'] * 1e3:5.1f} ms a case   {'met' if met else 'missed'}"
              f"{' (before the fix)' if key == 'vmtk-self' else ''}")
    print(f"targets missed: {missed}" if missed else "every target met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
