"""The benchmark scripts the README and docs name still run (tiny sizes: this checks the harness, not times)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "module, arguments",
    [
        ("benchmarks.bench_polydata", ["--cells", "1000"]),
        ("benchmarks.bench_image", ["8", "16"]),
        ("benchmarks.bench_storage", ["0.5", "20", "--budget", "0.01"]),
        ("benchmarks.bench_read", ["--scale", "0.001"]),
        ("benchmarks.bench_files", ["--edge", "16", "--megabytes", "0.2", "--repeat", "1"]),
        ("benchmarks.bench_loop", ["--cases", "4", "--triangles", "200", "--warmup", "2"]),
        ("benchmarks.bench_convert", ["copies", "--cells", "2000", "--lines", "20", "--runs", "1"]),
        ("benchmarks.bench_convert", ["zero-copy", "--sizes", "1e3,2e3"]),
        ("benchmarks.bench_convert", ["small", "--calls", "2", "--repeats", "1"]),
        ("benchmarks.bench_convert", ["vtu", "--cells", "600", "--runs", "1"]),
        ("benchmarks.bench_timeseries", ["--triangles", "2000", "--steps", "4", "--pvd-steps", "2", "--runs", "1"]),
    ],
)
def test_benchmark_script_runs_and_prints_its_timings(module, arguments):
    result = subprocess.run([sys.executable, "-m", module, *arguments], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ms" in result.stdout or "µs" in result.stdout  # tiny sizes take microseconds
