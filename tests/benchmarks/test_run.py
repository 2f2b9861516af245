"""The benchmark harness runs end to end at tiny sizes and writes its tables and results.

This checks that ``python -m benchmarks.run`` works (every method runs and
converts correctly, every table is there), not how fast anything is: times
are not asserted.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def run_benchmarks(*arguments):
    command = [sys.executable, "-m", "benchmarks.run", *arguments]
    completed = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    output = tmp_path_factory.mktemp("bench")
    printed = run_benchmarks("--smoke", "--kinds", "surface,centerlines,image", "--output", str(output))
    return output, printed


def test_the_tables_have_every_section_and_method(smoke_run):
    output, printed = smoke_run
    tables = (output / "benchmarks.md").read_text(encoding="utf-8")
    assert tables.strip() in printed
    for section in ("## Surfaces: VTK → ArrayDict", "## Surfaces: ArrayDict → VTK", "## Centerlines: VTK → ArrayDict",
                    "## Images: ArrayDict → VTK", "## Storage: surfaces", "## Storage: images in [z, y, x] order",
                    "## Start-up"):
        assert section in tables
    for method in ("numpy copy (limit)", "vmtkscripts_numpy, copying", "vmtkscripts_numpy, zero-copy",
                   "per-cell Python loop", "np.save / np.load (limit)", "HDF5 gzip (level 4)", "HDF5 lzf", "pickle",
                   "npz", "vmtknumpy --help"):
        assert method in tables


def test_every_measurement_is_recorded_with_a_time(smoke_run):
    output, _ = smoke_run
    results = json.loads((output / "results.json").read_text(encoding="utf-8"))
    assert results["machine"]["cores"]
    conversions = [r for r in results["records"] if r["section"] == "conversion"]
    assert {r["kind"] for r in conversions} == {"surface", "centerlines", "image"}
    assert all(r["time"] > 0 for r in conversions)
    storage = [r for r in results["records"] if r["section"] == "storage"]
    assert all(r["write"] > 0 and r["read"] > 0 and r["file_bytes"] > 0 for r in storage)
    measured = [r for r in conversions if r.get("memory") and "error" not in r["memory"]]
    assert measured, "no peak memory was measured"
    assert all(r["memory"]["input_bytes"] > 0 and r["memory"]["rise"] >= 0 for r in measured)


def test_a_saved_run_renders_again_without_running(smoke_run, tmp_path):
    output, _ = smoke_run
    run_benchmarks("--from-results", str(output / "results.json"), "--output", str(tmp_path))

    assert (tmp_path / "benchmarks.md").read_text(encoding="utf-8") == (output / "benchmarks.md").read_text(
        encoding="utf-8")
