"""A cohort on a real Dask cluster: every case done or quarantined, reruns that resume, a record of each case.

The cluster is the session's two worker processes (``conftest.cluster``); one
test lets a separate process connect to it by its TCP address and kills that
process in the middle of its run.
"""

import io
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import vmtkscripts_numpy as vn
from vmtkscripts_numpy.cohort import read_index, run_cohort
from vmtkscripts_numpy.cohort.records import INDEX_COLUMNS, locked
from vmtkscripts_numpy.cohort.runner import DIED

from ..storage.conftest import _same
from .conftest import CASES, CORRUPT, PIPE, write_cohort

pytest.importorskip("distributed")

def surface_with_area():
    """A function of the kind users write: VTK object in, ArrayDict out, with something computed.

    Made in a function, as the others below, so that it travels to the workers by value (Dask's
    cloudpickle), as a function of a notebook or a script does, and not as this test module by name.
    """

    def surface_with_area(surface):
        arrays = vn.polydata_to_dict(surface)
        a, b, c = (arrays["Points"][arrays["CellData"]["CellPointIds"][:, k]] for k in range(3))
        arrays["CellData"]["Area"] = 0.5 * np.linalg.norm(np.cross(b - a, c - a), axis=1)
        return arrays

    return surface_with_area


def crash_on_case_with(points):
    """Kills its own worker process on the case of ``points`` points, as a crash in compiled code would."""

    def crash(arrays):
        if len(arrays["Points"]) == points:
            os.kill(os.getpid(), signal.SIGSEGV)
        return arrays

    return crash


def fail_once(markers):
    """Fails the first time it sees a case (remembered by a file in ``markers``), then succeeds."""

    def fail_once(arrays):
        marker = os.path.join(markers, f"seen-{len(arrays['Points'])}")
        if not os.path.exists(marker):
            open(marker, "w").close()
            raise RuntimeError("a passing problem")
        return arrays

    return fail_once


def read_a_missing_file_with_vtk():
    """Lets VTK report an error and go on, as VTK's readers and vmtk's scripts do with a damaged file."""

    def read_a_missing_file_with_vtk(arrays):
        from vtkmodules.vtkIOXML import vtkXMLPolyDataReader

        reader = vtkXMLPolyDataReader()
        reader.SetFileName(os.path.join(os.sep, "no", "such", "file.vtp"))
        reader.Update()
        return arrays

    return read_a_missing_file_with_vtk


def run(inputs, output, client, pipe=PIPE, **options):
    return run_cohort(inputs, pipe, output, scheduler=client, log=options.pop("log", None), **options)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory, client):
    """The generated cohort (one corrupt case) run once: ``(inputs folder, output folder, report)``."""
    folder = tmp_path_factory.mktemp("cohort")
    write_cohort(folder / "inputs")
    report = run(str(folder / "inputs" / "*.vtp"), folder / "arrays", client)
    return folder / "inputs", folder / "arrays", report


def test_every_case_is_converted_and_the_corrupt_one_quarantined(first_run):
    inputs, outputs, report = first_run

    assert (report.done, report.skipped, report.failed) == (CASES - 1, 0, 1)
    assert report.failures[0][0] == CORRUPT and "is not a VTK XML PolyData file" in report.failures[0][1]
    assert sorted(path.name for path in outputs.glob("*.hdf5")) == [
        f"case{i:03d}.hdf5" for i in range(CASES) if f"case{i:03d}" != CORRUPT]
    for name in ("case000", "case013"):
        expected = vn.polydata_to_dict(vn.read_surface(inputs / f"{name}.vtp"))
        converted = vn.read_array_dict(outputs / f"{name}.hdf5")
        np.testing.assert_array_equal(converted["Points"], expected["Points"])
        np.testing.assert_array_equal(converted["CellData"]["CellPointIds"], expected["CellData"]["CellPointIds"])


def test_the_failure_log_has_the_reason_and_the_whole_traceback(first_run):
    _, outputs, report = first_run

    log = (outputs / "failures.log").read_text()

    assert report.failures_log == str(outputs / "failures.log")
    assert log.startswith(f"=== {CORRUPT}: {report.failures[0][1]}")
    assert "Traceback (most recent call last)" in log and "DataFileError" in log


def test_the_index_has_one_row_per_case_with_its_provenance(first_run):
    pandas = pytest.importorskip("pandas")
    inputs, outputs, _ = first_run

    table = pandas.read_csv(outputs / "index.csv", keep_default_na=False)

    assert list(table.columns) == list(INDEX_COLUMNS)
    assert list(table["name"]) == [f"case{i:03d}" for i in range(CASES)]
    assert table.set_index("name")["status"].to_dict() == {
        name: "failed" if name == CORRUPT else "done" for name in table["name"]}
    done = table[table["status"] == "done"]
    assert (done["seconds"] > 0).all() and (done["error"] == "").all()
    assert (table["output"] == table["name"] + ".hdf5").all()
    assert set(table["pipe"]) == {PIPE} and set(table["version"]) == {vn.__version__}
    assert table["fingerprint"].str.startswith("stat:").all()
    assert table["input"].iloc[0] == str(inputs / "case000.vtp")
    assert set(table["attempts"]) == {1}


def test_the_run_s_outputs_pack_into_shards_that_read_back_identical(first_run, tmp_path):
    _, outputs, report = first_run

    cohort = vn.cohort.pack(outputs, tmp_path / "packed", shard_bytes=200_000)

    done = [row["name"] for row in report.records if row["status"] == "done"]
    assert cohort.names == done and len(list((tmp_path / "packed").glob("shard-*.h5"))) > 1
    for name in done:
        _same(vn.read_array_dict(outputs / f"{name}.hdf5"), cohort[name], name)


def test_a_rerun_skips_every_case_whose_output_is_up_to_date(tmp_path, client):
    write_cohort(tmp_path / "inputs")
    pattern = str(tmp_path / "inputs" / "*.vtp")
    run(pattern, tmp_path / "out", client)
    written = {path.name: path.stat().st_mtime_ns for path in (tmp_path / "out").glob("*.hdf5")}

    again = run(pattern, tmp_path / "out", client)

    # The corrupt case is tried again: a failure may have been passing (a worker lost, a file being copied).
    assert (again.done, again.skipped, again.failed) == (0, CASES - 1, 1)
    assert {path.name: path.stat().st_mtime_ns for path in (tmp_path / "out").glob("*.hdf5")} == written
    assert [row["status"] for row in read_index(str(tmp_path / "out"))].count("skipped") == CASES - 1


def test_a_changed_input_or_a_changed_pipe_runs_again(tmp_path, client):
    paths = vn.cohort.write_sample_cohort(tmp_path / "inputs", cases=4)
    pattern = str(tmp_path / "inputs" / "*.vtp")
    run(pattern, tmp_path / "out", client)

    paths[2].write_bytes(paths[3].read_bytes())
    changed_input = run(pattern, tmp_path / "out", client)
    changed_pipe = run(pattern, tmp_path / "out", client, pipe=PIPE.replace("vmtksurfacetonumpy", "vmtksurfacetonumpy "
                                                                             "-celltopoint 1"))

    assert (changed_input.done, changed_input.skipped) == (1, 3)
    assert [row["name"] for row in changed_input.records if row["status"] == "done"] == ["case002"]
    assert (changed_pipe.done, changed_pipe.skipped) == (4, 0)
    assert "GroupIds" in vn.read_array_dict(tmp_path / "out" / "case000.hdf5")["PointData"]


def test_the_sha256_fingerprint_skips_an_input_touched_but_not_changed(tmp_path, client):
    paths = vn.cohort.write_sample_cohort(tmp_path / "inputs", cases=2)
    pattern = str(tmp_path / "inputs" / "*.vtp")
    first = run(pattern, tmp_path / "out", client, fingerprint="sha256")

    os.utime(paths[0], ns=(0, 10**18))
    by_hash = run(pattern, tmp_path / "out", client, fingerprint="sha256")
    os.utime(paths[0], ns=(0, 2 * 10**18))
    by_stat = run(pattern, tmp_path / "out", client)

    assert first.records[0]["fingerprint"].startswith("sha256:")
    assert (by_hash.done, by_hash.skipped) == (0, 2)
    assert (by_stat.done, by_stat.skipped) == (1, 1)  # size and time: a touched file counts as changed


def test_a_function_gets_the_vtk_object_and_its_arraydict_is_written(tmp_path, client):
    paths = vn.cohort.write_sample_cohort(tmp_path / "inputs", cases=3)

    function = surface_with_area()

    report = run(str(tmp_path / "inputs" / "*.vtp"), tmp_path / "out", client, pipe=function, output_ext=".npz")

    assert report.ok and report.done == 3
    assert report.records[0]["pipe"].startswith("python:") and report.records[0]["pipe"].endswith(
        "surface_with_area.<locals>.surface_with_area")
    written = vn.read_array_dict(tmp_path / "out" / "case001.npz")
    expected = function(vn.read_surface(paths[1]))
    np.testing.assert_array_equal(written["CellData"]["Area"], expected["CellData"]["Area"])


def centerline_cases(folder, count, name):
    """``count`` generated centerline cases as ArrayDict files in ``folder``; their numbers of points."""
    folder.mkdir()
    counts = []
    for seed in range(count):
        arrays = vn.cohort.sample.sample_case(seed, "centerlines")
        vn.write_array_dict(arrays, folder / name.format(seed))
        counts.append(len(arrays["Points"]))
    return counts


def test_a_worker_that_dies_fails_only_its_case_and_is_replaced(tmp_path, client):
    folder = tmp_path / "arrays"
    counts = centerline_cases(folder, 6, "case{}.hdf5")
    assert counts.count(counts[3]) == 1

    report = run(str(folder / "*.hdf5"), tmp_path / "out", client, pipe=crash_on_case_with(counts[3]))

    assert (report.done, report.failed) == (5, 1)
    assert report.failures == [("case3", DIED)]
    assert not (tmp_path / "out" / "case3.hdf5").exists()
    assert not [name for name in os.listdir(tmp_path / "out") if name.startswith(".case")]
    client.wait_for_workers(2, timeout=60)


def test_quick_cases_run_several_to_a_task_and_a_crash_among_them_fails_only_its_case(tmp_path, client, monkeypatch):
    from vmtkscripts_numpy.cohort import runner

    # Every task after the first results holds as many cases as a task may: the crash is in one of those.
    monkeypatch.setattr(runner, "TASK_SECONDS", 1e6)
    folder = tmp_path / "arrays"
    counts = centerline_cases(folder, 14, "case{:02d}.hdf5")
    assert counts.count(counts[13]) == 1
    submitted = []
    submit = client.submit
    monkeypatch.setattr(client, "submit", lambda function, jobs, **options: (
        submitted.append([job.name for job in jobs]), submit(function, jobs, **options))[1])

    report = run(str(folder / "*.hdf5"), tmp_path / "out", client, pipe=crash_on_case_with(counts[13]))

    assert any(len(names) > 1 and "case13" in names for names in submitted), submitted
    assert (report.done, report.failed) == (13, 1)
    assert report.failures == [("case13", DIED)]
    assert sorted(name for name in os.listdir(tmp_path / "out") if name.endswith(".hdf5")) == [
        f"case{seed:02d}.hdf5" for seed in range(14) if seed != 13]
    client.wait_for_workers(2, timeout=60)


def test_an_error_vtk_reported_fails_the_case_though_nothing_raised(tmp_path, client):
    vn.write_array_dict(vn.cohort.sample.sample_case(0, "centerlines"), tmp_path / "case.hdf5")

    report = run(str(tmp_path / "case.hdf5"), tmp_path / "out", client, pipe=read_a_missing_file_with_vtk())

    assert report.failures[0][1].startswith("VTK reported an error: ")
    assert "file.vtp" in report.failures[0][1]
    assert not (tmp_path / "out" / "case.hdf5").exists()


@pytest.mark.parametrize("retries, status", [(0, "failed"), (1, "done")])
def test_retries_give_a_failing_case_more_attempts(tmp_path, client, retries, status):
    vn.write_array_dict(vn.cohort.sample.sample_case(0, "centerlines"), tmp_path / "case.hdf5")

    report = run(str(tmp_path / "case.hdf5"), tmp_path / "out", client, pipe=fail_once(str(tmp_path)),
                 retries=retries)

    assert report.records[0]["status"] == status
    assert report.records[0]["attempts"] == retries + 1


def test_an_input_that_is_missing_fails_its_case_without_a_worker(tmp_path, client):
    paths = vn.cohort.write_sample_cohort(tmp_path / "inputs", cases=2)
    manifest = tmp_path / "cases.csv"
    manifest.write_text(f"input\n{paths[0]}\n{tmp_path / 'inputs' / 'gone.vtp'}\n{paths[1]}\n")

    report = run(str(manifest), tmp_path / "out", client)

    assert [row["status"] for row in report.records] == ["done", "failed", "done"]
    assert report.records[1]["error"].endswith("gone.vtp: No such file or directory")
    assert report.records[1]["attempts"] == 0


def test_temporary_files_of_a_killed_run_are_removed_by_the_next(tmp_path, client):
    vn.cohort.write_sample_cohort(tmp_path / "inputs", cases=2)
    (tmp_path / "out").mkdir()
    leftovers = [tmp_path / "out" / ".case000.cohort-partial-0badf00d.hdf5",
                 tmp_path / "out" / "..case001.cohort-partial-12345678.hdf5.tmp-abcdefgh"]
    for path in leftovers:
        path.write_bytes(b"\x89HDF half a file")
    log = io.StringIO()

    run(str(tmp_path / "inputs" / "*.vtp"), tmp_path / "out", client, log=log)

    assert not any(path.exists() for path in leftovers)
    assert "removed 2 temporary file(s) of an interrupted run" in log.getvalue()
    assert sorted(os.listdir(tmp_path / "out")) == [".cohort", "case000.hdf5", "case001.hdf5", "index.csv"]


@pytest.mark.parametrize("pipe, message", [
    ("vmtkscripts_numpy.vmtksurfacereaderr -ifile {input}", "unknown script"),
    (PIPE.replace("-ifile", "-ifle"), "unknown option -ifle"),
    (PIPE + " -compression {level}", "the pipe uses {level}"),
    (PIPE.replace("{input}", "{input.__class__}"), "fields are plain names"),
])
def test_a_wrong_pipe_stops_the_run_before_any_case(tmp_path, pipe, message):
    vn.cohort.write_sample_cohort(tmp_path / "inputs", cases=2)

    with pytest.raises(ValueError, match=message):
        run_cohort(str(tmp_path / "inputs" / "*.vtp"), pipe, tmp_path / "out", log=None)
    assert not (tmp_path / "out").exists()


def test_a_second_run_into_the_same_folder_is_refused(tmp_path):
    vn.cohort.write_sample_cohort(tmp_path / "inputs", cases=1)
    (tmp_path / "out").mkdir()

    with locked(str(tmp_path / "out")):
        with pytest.raises(RuntimeError, match="another cohort run"):
            run_cohort(str(tmp_path / "inputs" / "*.vtp"), PIPE, tmp_path / "out", log=None)


def test_without_dask_the_runner_says_how_to_install_it(tmp_path, monkeypatch):
    vn.cohort.write_sample_cohort(tmp_path / "inputs", cases=1)
    monkeypatch.setitem(sys.modules, "distributed", None)

    with pytest.raises(ImportError, match=r'pip install "vmtkscripts_numpy\[cohort\]"'):
        run_cohort(str(tmp_path / "inputs" / "*.vtp"), PIPE, tmp_path / "out", log=None)


KILLED_RUN = """
import sys, time
from vmtkscripts_numpy import polydata_to_dict
from vmtkscripts_numpy.cohort import run_cohort

def slow_conversion(surface):
    time.sleep(0.2)
    return polydata_to_dict(surface)

if __name__ == "__main__":
    report = run_cohort(sys.argv[1], slow_conversion, sys.argv[2], scheduler=sys.argv[3], log=sys.stdout)
    sys.exit(0 if report.ok else 1)
"""


def test_a_run_killed_in_the_middle_leaves_only_whole_outputs_and_resumes(tmp_path, cluster):
    write_cohort(tmp_path / "inputs")
    script = tmp_path / "run.py"
    script.write_text(textwrap.dedent(KILLED_RUN))
    command = [sys.executable, str(script), str(tmp_path / "inputs" / "*.vtp"), str(tmp_path / "out"),
               cluster.scheduler_address]
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    journal = tmp_path / "out" / ".cohort" / "journal.jsonl"

    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and first.poll() is None:
        if journal.exists() and len(journal.read_text().splitlines()) >= 4:
            break
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait()
    recorded = len(journal.read_text().splitlines())
    assert 4 <= recorded < CASES, "the run was not killed in its middle"
    for path in (tmp_path / "out").glob("*.hdf5"):
        vn.read_array_dict(path)  # every output in place is whole

    second = subprocess.run(command, capture_output=True, text=True, timeout=300)

    assert second.returncode == 1, second.stdout + second.stderr  # the corrupt case
    rows = read_index(str(tmp_path / "out"))
    statuses = [row["status"] for row in rows]
    assert statuses.count("skipped") >= recorded - 1 and statuses.count("failed") == 1
    assert statuses.count("skipped") + statuses.count("done") == CASES - 1
    assert "removed" in second.stdout or not any(".cohort-partial-" in name for name in os.listdir(tmp_path / "out"))
    assert sorted(name for name in os.listdir(tmp_path / "out") if name.endswith(".hdf5")) == [
        f"case{i:03d}.hdf5" for i in range(CASES) if f"case{i:03d}" != CORRUPT]
