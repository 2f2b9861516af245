"""The benchmark harness runs end to end at tiny sizes and writes its table, results and plot.

This checks that ``python -m benchmarks.run`` works (every method runs and
converts correctly, every table and target row is there), not how fast
anything is: times are not asserted.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    output = tmp_path_factory.mktemp("bench")
    command = [
        sys.executable,
        "-m",
        "benchmarks.run",
        "--smoke",
        "--kinds",
        "surface,centerlines,image",
        "--startup-runs",
        "1",
        "--output",
        str(output),
    ]
    completed = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return output, completed.stdout


def test_the_table_has_every_section_and_method(smoke_run):
    output, printed = smoke_run
    table = (output / "benchmarks.md").read_text(encoding="utf-8")
    assert table.strip() in printed
    for section in (
        "## Targets",
        "## Surfaces: VTK → ArrayDict",
        "## Surfaces: ArrayDict → VTK",
        "## Centerlines: VTK → ArrayDict",
        "## Images: ArrayDict → VTK",
        "## Storage: surfaces",
        "## Start-up",
    ):
        assert section in table
    for method in (
        "numpy copy (limit)",
        "vmtkscripts_numpy, copying",
        "vmtkscripts_numpy, zero-copy",
        "per-cell Python loop",
        "np.save / np.load (limit)",
        "HDF5 gzip (level 4)",
        "HDF5 lzf",
        "pickle",
        "npz",
        "vmtknumpy --help",
    ):
        assert method in table
    for target in (
        "copying ≤ 2× numpy copy",
        "zero-copy constant in size",
        "≥ 1000× faster than the per-cell loop",
        "HDF5 write ≤ 1.5× np.save",
        "HDF5 read ≤ 1.5× np.load",
        "`vmtknumpy --help` ≤ 2× `import numpy`",
        "peak memory of copying ≤ (in + out) + 10%",
    ):
        assert target in table


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
    assert all(r["memory"]["input_bytes"] > 0 for r in measured)


def test_the_plot_is_a_png(smoke_run):
    output, _ = smoke_run
    assert (output / "benchmarks.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_saved_run_renders_again_without_running(smoke_run, tmp_path):
    output, _ = smoke_run
    command = [
        sys.executable,
        "-m",
        "benchmarks.run",
        "--from-results",
        str(output / "results.json"),
        "--output",
        str(tmp_path),
    ]
    completed = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert (tmp_path / "benchmarks.md").read_text(encoding="utf-8") == (output / "benchmarks.md").read_text(
        encoding="utf-8"
    )
