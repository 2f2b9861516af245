"""The command vmtknumpybatch, as a user types it: its own local cluster, or a running one by its address."""

import subprocess
import sys
from pathlib import Path

import pytest

import vmtkscripts_numpy as vn
from vmtkscripts_numpy.cohort import read_index

from .conftest import CORRUPT, PIPE, write_cohort

pytest.importorskip("distributed")

#: The installed commands, beside the interpreter running the tests.
BIN = Path(sys.executable).parent


def batch(*arguments, runner=()):
    command = [str(BIN / "vmtknumpy"), *runner, "vmtknumpybatch"] if runner else [str(BIN / "vmtknumpybatch")]
    return subprocess.run(command + [str(word) for word in arguments], capture_output=True, text=True, timeout=300)


def test_the_command_starts_a_local_cluster_and_exits_1_when_a_case_failed(tmp_path):
    write_cohort(tmp_path / "inputs", cases=10)

    result = batch("-pipe", PIPE, "-inputs", tmp_path / "inputs" / "*.vtp", "-outputdir", tmp_path / "out",
                   "-workers", 2)

    assert result.returncode == 1
    assert "10 cases: 10 to run, 0 up to date; 2 worker process(es) started here" in result.stdout
    assert f"failed {CORRUPT}: vmtksurfacereader: " in result.stdout
    assert "done 9, skipped 0, failed 1 in " in result.stdout
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: vmtknumpybatch: 1 of 10 cases failed; see {tmp_path / 'out' / 'failures.log'}")


def test_a_manifest_column_reaches_the_pipe_and_the_run_uses_a_cluster_by_its_address(tmp_path, cluster):
    paths = vn.cohort.write_sample_cohort(tmp_path / "inputs", cases=4)
    manifest = tmp_path / "cohort.csv"
    manifest.write_text("input,celltopoint\n" + "".join(f"inputs/{path.name},{i % 2}\n" for i, path in
                                                        enumerate(paths)))
    pipe = PIPE.replace("vmtksurfacetonumpy", "vmtksurfacetonumpy -celltopoint {celltopoint}")

    result = batch("-pipe", pipe, "-inputs", manifest, "-outputdir", tmp_path / "out", "-outputext", ".pickle",
                   "-scheduler", cluster.scheduler_address)

    assert result.returncode == 0, result.stderr
    assert f"at {cluster.scheduler_address}" in result.stdout
    converted = [vn.read_array_dict(tmp_path / "out" / f"{path.stem}.pickle") for path in paths]
    assert ["GroupIds" in arrays["PointData"] for arrays in converted] == [False, True, False, True]


def test_nolog_runs_quietly_and_the_exit_status_still_tells(tmp_path, cluster):
    write_cohort(tmp_path / "inputs", cases=8)

    result = batch("-pipe", PIPE, "-inputs", tmp_path / "inputs" / "*.vtp", "-outputdir", tmp_path / "out",
                   "-scheduler", cluster.scheduler_address, runner=("--nolog",))

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: vmtknumpybatch: 1 of 8 cases failed")
    assert [row["status"] for row in read_index(str(tmp_path / "out"))].count("done") == 7


def test_without_dask_the_command_says_how_to_install_it_in_one_line(tmp_path):
    vn.cohort.write_sample_cohort(tmp_path / "inputs", cases=1)
    hide_dask = tmp_path / "no_dask"
    hide_dask.mkdir()
    (hide_dask / "distributed.py").write_text("raise ImportError('No module named distributed')\n")

    result = subprocess.run(
        [sys.executable, "-m", "vmtkscripts_numpy", "vmtknumpybatch", "-pipe", PIPE,
         "-inputs", str(tmp_path / "inputs" / "*.vtp"), "-outputdir", str(tmp_path / "out")],
        capture_output=True, text=True, env={"PYTHONPATH": str(hide_dask), "PATH": ""}, timeout=120)

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert 'install it with: pip install "vmtkscripts_numpy[cohort]"' in result.stderr
