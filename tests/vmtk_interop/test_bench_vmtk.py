"""python -m benchmarks.bench_vmtk still runs beside vmtk (tiny sizes: this checks the harness, not times)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_benchmark(*arguments):
    return subprocess.run([sys.executable, "-m", "benchmarks.bench_vmtk", *arguments], cwd=ROOT,
                          capture_output=True, text=True)


def test_the_vmtk_benchmark_prints_both_directions_of_the_generated_surface():
    result = run_benchmark("--triangles", "2000", "--budget", "0.05")

    assert result.returncode == 0, result.stderr[-2000:]
    assert "| generated tube, 2k triangles | to numpy |" in result.stdout
    assert "| generated tube, 2k triangles | from numpy |" in result.stdout


def test_the_vmtk_benchmark_prints_the_dtypes_vmtk_narrows():
    result = run_benchmark("--dtypes")

    assert result.returncode == 0, result.stderr[-2000:]
    assert "| vmtkNumpyToSurface | point data | float64 | float32 | float64 | generated |" in result.stdout
    assert "| vmtkSurfaceToNumpy | point data | bool | uint8 | bool | generated |" in result.stdout
