"""Every writer under faults: killed while writing, out of disk space, refused targets, racing writers.

Each writer of the package (numpy files, VTK surfaces, meshes and images, the
MetaImage header and voxel pair, bitmaps, pointdata text, ParaView series)
writes an "old" version of its file, then is made to fail while writing a
"new" one, and the result is read back with the package's own readers:

- *killed at a byte*: the write runs in a forked process whose file-size limit
  is K bytes, with SIGXFSZ left to the kernel, which kills the process the
  moment a write crosses K: as abrupt as SIGKILL, at a chosen point of the data;
- *killed at every step*: the process sends itself SIGKILL just before each
  rename, hard link or folder removal of the write, one run per step (for
  one writer of each way of replacing files);
- *full disk*: the same file-size limit with SIGXFSZ ignored (as Python
  ignores it), so that writes fail with EFBIG as on a full disk;
- *refused targets*: a read-only file, a read-only folder (as an unprivileged
  user), a folder in the target's place;
- *concurrent writers*: three processes released at once through a pipe,
  each writing another version.

One helper process (this file, run as a script) imports VTK once, forks a
process per fault and reports in JSON; the tests below check the report
writer by writer.
"""

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "win32",
                                reason="faults are made in forked processes with POSIX limits")

#: The writers and the file (or, for a series, the prefix) each writes.
WRITERS = {
    "hdf5": "arrays.hdf5", "pickle": "arrays.pickle", "npz": "arrays.npz",
    "vtp": "surface.vtp", "vtp-ascii": "surface-ascii.vtp", "vtk-surface": "surface.vtk", "stl": "surface.stl",
    "stl-ascii": "surface-ascii.stl", "ply": "surface.ply", "vtkhdf-surface": "surface.vtkhdf",
    "vtu": "mesh.vtu", "vtk-mesh": "mesh.vtk", "vtkhdf-mesh": "mesh.vtkhdf",
    "vti": "image.vti", "vtk-image": "image.vtk", "mha": "image.mha", "mhd": "image.mhd", "nii": "image.nii",
    "nii.gz": "image.nii.gz", "vtkhdf-image": "image.vtkhdf",
    "png": "slice.png", "tiff": "slice.tiff", "png-series": "slices", "pointdata": "points.dat",
    "pvd": "run.pvd", "series": "run.vtp.series", "vtkhdf-series": "run.vtkhdf",
}
#: Writers whose files replace their namesakes one by one (documented): a kill between two renames mixes them.
ONE_BY_ONE = {"png-series"}
#: Kills at every step of the replacement, for one writer of each way of replacing (every writer is also
#: killed inside its data): numpy files, VTK files made in memory, through a pipe, written by VTK and checked
#: after, bitmaps read back, the package's own MetaImage, a header and its data, a collection and its steps.
STEP_KILLED = ("hdf5", "vtp", "stl-ascii", "vtkhdf-surface", "png", "mha", "mhd", "pvd")
#: Concurrency is checked for one writer of each way of replacing files: one file (all other writers
#: replace one file the same way), a header and its data, a series of files, a collection and its steps.
CONCURRENT = ("hdf5", "vtp", "mhd", "png-series", "pvd")
#: Where the file-size limit falls, as a fraction of the largest file the new version writes.
KILL_FRACTION = 0.5
NOBODY = 65534


def environment(**variables):
    """The environment for a child Python: it imports the package the tests import."""
    import vmtkscripts_numpy

    root = str(Path(vmtkscripts_numpy.__file__).resolve().parents[1])
    path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    return dict(os.environ, PYTHONPATH=path, **variables)


@pytest.fixture(scope="module")
def report():
    """Run the helper once; its report, by writer."""
    # In memory where the system offers it: the hundreds of writes then do not wait for the disk
    # (every write forces its files to disk, which none of these checks depends on).
    memory = "/dev/shm" if os.access("/dev/shm", os.W_OK | os.X_OK) else None
    base = Path(tempfile.mkdtemp(prefix="vmtkscripts-numpy-faults-", dir=memory))
    try:
        # Reachable by an unprivileged user, for the read-only cases when the tests run as root.
        base.chmod(0o711)
        (base / "work").mkdir()
        (base / "shared").mkdir(mode=0o711)
        env = environment(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
                          VTK_SMP_BACKEND_IN_USE="Sequential")
        done = subprocess.run([sys.executable, __file__, str(base / "work"), str(base / "shared")],
                              capture_output=True, text=True, timeout=900, env=env, cwd=base)
        assert done.returncode == 0, done.stderr[-4000:]
        yield json.loads(done.stdout)
    finally:
        for folder, _, _ in os.walk(base):
            os.chmod(folder, 0o700)  # the read-only ones too
        shutil.rmtree(base, ignore_errors=True)


def outcome_of(report, writer):
    found = report[writer]
    if "unavailable" in found:
        pytest.skip(found["unavailable"])
    if "broken" in found:
        pytest.fail(f"{writer}: the writer failed outside the faults:\n{found['broken']}")
    return found


@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_write_killed_inside_its_data_leaves_the_old_file_and_the_next_write_cleans_up(report, writer):
    run = outcome_of(report, writer)["killed at a byte"]
    # Writers that go through a pipe (ASCII STL, PLY, NIfTI) do not die: their helper process meets the limit.
    assert run["ended"] in ("killed by SIGXFSZ", "DataFileError"), run
    assert run["state"] == "old", run
    assert run["leftovers after the next write"] == [] and run["state after the next write"] == "old", run


@pytest.mark.parametrize("writer", STEP_KILLED)
def test_a_write_killed_before_any_of_its_steps_leaves_the_old_or_the_new_file_and_the_next_write_cleans_up(
        report, writer):
    found = outcome_of(report, writer)
    runs = found["killed at every step"]
    assert len(runs) == found["steps"] >= 2, found
    for run in runs:
        assert run["ended"] == "killed by SIGKILL", run
        assert run["state"] in ("old", "new"), run
        assert run["leftovers after the next write"] == [] and run["state after the next write"] == "old", run
    # The first steps come before the target is replaced, the last after.
    assert runs[0]["state"] == "old" and runs[-1]["state"] == "new", runs
    assert any(run["leftovers"] for run in runs), "a killed write leaves its scratch folder for the next write"


@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_full_disk_is_one_error_naming_the_file_and_changes_nothing(report, writer):
    run = outcome_of(report, writer)["full disk"]
    assert run["ended"] == "DataFileError", run
    assert run["message"].startswith(run["target"] + ": ") and ".partial" not in run["message"], run
    assert run["state"] == "old" and run["leftovers"] == [], run


@pytest.mark.parametrize("writer", list(WRITERS))
@pytest.mark.parametrize("case, problem", [("read-only file", "is read-only"),
                                           ("read-only folder", "may not create files in the folder"),
                                           ("folder in its place", "is a folder")])
def test_a_target_that_may_not_be_written_is_refused_and_nothing_changes(report, writer, case, problem):
    if writer in ONE_BY_ONE and case != "read-only folder":
        pytest.skip("a series has no file of its own name")
    run = outcome_of(report, writer)["refused"][case]
    assert run["ended"] == "DataFileError" and problem in run["message"], run
    assert run["unchanged"], run


@pytest.mark.parametrize("writer", CONCURRENT)
def test_concurrent_writers_leave_exactly_one_writers_file_and_nothing_else(report, writer):
    run = outcome_of(report, writer)["concurrent"]
    assert run["ended"] == ["completed"] * 3, run
    assert run["state"] in ("new", "v2", "v3") and run["leftovers"] == [], run


# --- the command line -----------------------------------------------------------------------


def run_cli(arguments, cwd, file_limit=None, **options):
    import resource

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    return subprocess.run([sys.executable, "-m", "vmtkscripts_numpy", *arguments], cwd=cwd, timeout=120,
                          env=environment(), preexec_fn=limit if file_limit is not None else None, **options)


# The package's scripts, by their full names: with vmtk installed, vmtksurfacewriter is vmtk's (which crashes).
@pytest.mark.parametrize("script, output", [("vmtkscripts_numpy.vmtksurfacewriter", "copy.vtp"),
                                            ("vmtkscripts_numpy.vmtksurfacetonumpy", "copy.hdf5")])
def test_a_full_disk_on_the_command_line_exits_1_naming_the_file_and_keeps_the_old_one(tmp_path, script, output):
    from vmtkscripts_numpy.sample_data import write_sample_data

    surface = write_sample_data(tmp_path)["surface"]
    (tmp_path / output).write_bytes(b"the old file")
    done = run_cli([script, "-ifile", str(surface), "-ofile", output], tmp_path, file_limit=4096,
                   capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    assert f"{output}: cannot be written: File too large" in done.stderr
    assert (tmp_path / output).read_bytes() == b"the old file"
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".")) == []


@pytest.mark.parametrize("stdout", ["a pipe", "a file"])
def test_dev_stdout_as_output_is_written_only_where_it_leads_and_never_beside_it(tmp_path, stdout):
    from vmtkscripts_numpy import storage
    from vmtkscripts_numpy.sample_data import write_sample_data

    surface = write_sample_data(tmp_path)["surface"]
    beside = [Path("/dev/stdout.pickle"), Path("/dev/stdout.hdf5")]
    assert not any(path.exists() for path in beside)
    redirected = tmp_path / "redirected"
    try:
        with open(redirected, "w") if stdout == "a file" else open(os.devnull) as output:
            done = run_cli(["vmtksurfacetonumpy", "-ifile", str(surface), "-ofile", "/dev/stdout"], tmp_path,
                           stdout=output if stdout == "a file" else subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if stdout == "a pipe":
            assert done.returncode == 1, done.stderr
            assert "/dev/stdout: leads to a pipe (FIFO), not a regular file: it is not replaced" in done.stderr
        else:
            # Through /proc/self/fd/1, /dev/stdout leads to the file standard output goes to: that file is replaced.
            assert done.returncode == 0, done.stderr
            assert storage.read(redirected, format="pickle")["Points"].shape == (960, 3)
        assert not any(path.exists() for path in beside)
    finally:
        for path in beside:
            if path.exists():  # made as root by a build that adds the extension
                path.unlink()


# --- the helper -------------------------------------------------------------------------------


def _digest(value):
    """A digest of a (nested) value read back: equal digests, equal contents."""
    import numpy as np

    found = hashlib.sha256()

    def add(item):
        if isinstance(item, dict):
            for key in sorted(item, key=str):
                found.update(repr(key).encode())
                add(item[key])
        elif isinstance(item, (list, tuple)):
            for element in item:
                add(element)
        elif isinstance(item, np.ndarray):
            found.update(str((item.dtype, item.shape)).encode())
            found.update(np.ascontiguousarray(item).tobytes())
        elif isinstance(item, bytes):
            found.update(item)
        else:
            found.update(repr(item).encode())

    add(value)
    return found.hexdigest()


def _writers():
    """``{name: (write(path, version), read(path) -> digest)}``: each version writes other contents."""
    import warnings

    import numpy as np

    from vmtkscripts_numpy import storage, timeseries, vtkfiles
    from vmtkscripts_numpy.convert.arrays import numpy_to_vtk, vtk_to_numpy
    from vmtkscripts_numpy.convert.image import image_from_array
    from vmtkscripts_numpy.convert.mesh import dict_to_mesh, mesh_to_dict
    from vmtkscripts_numpy.convert.polydata import dict_to_polydata, polydata_to_dict
    from vmtkscripts_numpy.sample_data import make_image, make_mesh, make_vessel_surface
    from vmtkscripts_numpy.vtkfiles._bitmap import read_bitmap, write_bitmap
    from vmtkscripts_numpy.vtkfiles._pointdata import write_dataset_pointdata

    warnings.simplefilter("ignore")
    surface_dict = polydata_to_dict(make_vessel_surface())
    mesh_dict = mesh_to_dict(make_mesh())
    image = make_image()
    pixels = np.random.default_rng(0).integers(0, 250, size=(64, 48, 3), dtype=np.uint8)

    def surface(version):
        return dict_to_polydata({**surface_dict, "Points": surface_dict["Points"] + version})

    def mesh(version):
        return dict_to_mesh({**mesh_dict, "Points": mesh_dict["Points"] + version})

    def image_of(version):
        scalars = image.GetPointData().GetScalars()
        copy = type(image)()
        copy.ShallowCopy(image)
        copy.GetPointData().SetScalars(numpy_to_vtk(vtk_to_numpy(scalars) + version, name=scalars.GetName()))
        return copy

    def image_digest(read):
        return _digest([vtk_to_numpy(read.GetPointData().GetScalars()), read.GetOrigin(), read.GetSpacing()])

    def files_digest(path, read):
        return _digest([read(str(file)) for file in sorted(path.parent.glob(path.name + "[0-9]*"))])

    writers = {
        "vtp": (lambda path, v: vtkfiles.write_surface(surface(v), path), "surface"),
        "vtp-ascii": (lambda path, v: vtkfiles.write_surface(surface(v), path, mode="ascii"), "surface"),
        "vtk-surface": (lambda path, v: vtkfiles.write_surface(surface(v), path), "surface"),
        "stl": (lambda path, v: vtkfiles.write_surface(surface(v), path), "surface"),
        "stl-ascii": (lambda path, v: vtkfiles.write_surface(surface(v), path, mode="ascii"), "surface"),
        "ply": (lambda path, v: vtkfiles.write_surface(surface(v), path), "surface"),
        "vtkhdf-surface": (lambda path, v: vtkfiles.write_surface(surface(v), path), "surface"),
        "vtu": (lambda path, v: vtkfiles.write_mesh(mesh(v), path), "mesh"),
        "vtk-mesh": (lambda path, v: vtkfiles.write_mesh(mesh(v), path), "mesh"),
        "vtkhdf-mesh": (lambda path, v: vtkfiles.write_mesh(mesh(v), path), "mesh"),
        "pointdata": (lambda path, v: write_dataset_pointdata(surface(v), path), "bytes"),
    }
    for name in ("vti", "vtk-image", "mha", "mhd", "nii", "nii.gz", "vtkhdf-image"):
        writers[name] = (lambda path, v: vtkfiles.write_image(image_of(v), path), "image")
    for name in ("hdf5", "pickle", "npz"):
        writers[name] = (lambda path, v: storage.write({**surface_dict, "Points": surface_dict["Points"] + v}, path),
                         "arrays")
    for name, form in (("png", "png"), ("tiff", "tiff")):
        writers[name] = (lambda path, v, form=form: write_bitmap(form, image_from_array(pixels[:, :, :1] + v), path),
                         form)
    writers["png-series"] = (lambda path, v: write_bitmap("png", image_from_array(pixels + v), path), "png-series")
    series = [timeseries.time_series_dict(make_vessel_surface(), [0.0, 0.5],
                                          point_data={"Pressure": np.arange(2 * 960.0).reshape(2, 960) + v})
              for v in range(4)]
    writers["pvd"] = (lambda path, v: timeseries.write_pvd_series(series[v], path.parent, path.stem), "pvd")
    writers["series"] = (lambda path, v: timeseries.write_time_series(series[v], path), "time series")
    writers["vtkhdf-series"] = (lambda path, v: timeseries.write_vtkhdf_series(series[v], path), "time series")

    readers = {
        "surface": lambda path: _digest(polydata_to_dict(vtkfiles.read_surface(path))),
        "mesh": lambda path: _digest(mesh_to_dict(vtkfiles.read_mesh(path))),
        "image": lambda path: image_digest(vtkfiles.read_image(path)),
        "arrays": lambda path: _digest(storage.read(path)),
        "bytes": lambda path: _digest(path.read_bytes()),
        "png": lambda path: image_digest(read_bitmap("png", str(path))),
        "tiff": lambda path: image_digest(read_bitmap("tiff", str(path))),
        "png-series": lambda path: files_digest(path, lambda file: image_digest(read_bitmap("png", file))),
        "pvd": lambda path: _digest(timeseries.read_pvd_series(path)),
        "time series": lambda path: _digest(timeseries.read_time_series(path)),
    }
    return {name: (write, readers[kind]) for name, (write, kind) in writers.items()}


class _Rig:
    """Runs the faults for one writer in ``folder``, forking a process for each."""

    VERSIONS = ("old", "new", "v2", "v3")

    def __init__(self, name, write, read, folder, shared):
        self.name, self.write, self.read = name, write, read
        self.folder, self.shared = folder, shared
        self.target = folder / WRITERS[name]
        self.digests = {}

    def prepare(self):
        """Write the versions once elsewhere: their digests, and the size of the new version's largest file."""
        for number, version in enumerate(self.VERSIONS[:4 if self.name in CONCURRENT else 2]):
            reference = self.folder.parent / f"{self.folder.name}-{version}" / WRITERS[self.name]
            reference.parent.mkdir()
            self.write(reference, number)
            self.digests[self.read(reference)] = version
            if version == "old":
                shutil.copytree(reference.parent, self.folder, symlinks=True)
            if version == "new":
                self.largest = max(file.stat().st_size for file in reference.parent.rglob("*") if file.is_file())

    def state(self):
        try:
            return self.digests.get(self.read(self.target), "another content")
        except Exception as error:  # noqa: BLE001 - any failure to read back is the finding
            return f"unreadable: {type(error).__name__}: {error}"

    def leftovers(self, folder=None):
        folder = folder or self.folder
        return sorted(str(path.relative_to(folder)) for path in folder.rglob(".*"))

    def next_write(self, run):
        """The write after a fault: the old version again, which must remove what the fault left."""
        self.write(self.target, 0)
        run["leftovers after the next write"] = self.leftovers()
        run["state after the next write"] = self.state()
        return run

    def killed_at_a_byte(self):
        run = _fork(lambda: self.write(self.target, 1), file_limit=int(self.largest * KILL_FRACTION), die_on_limit=True)
        run.update(state=self.state(), leftovers=self.leftovers())
        return self.next_write(run)

    def killed_at_every_step(self):
        saved = os.replace, os.link, shutil.rmtree
        try:
            count = _die_before_step(0)
            self.write(self.target, 0)
        finally:
            os.replace, os.link, shutil.rmtree = saved
        runs = []
        for step in range(1, count[0] + 1):
            run = _fork(lambda: self.write(self.target, 1), kill_at_step=step)
            run.update(step=step, state=self.state(), leftovers=self.leftovers())
            runs.append(self.next_write(run))
        return count[0], runs

    def concurrent(self):
        gate_out, gate_in = os.pipe()
        runs = [_fork(lambda number=number: self.write(self.target, number), gate=(gate_out, gate_in), wait=False)
                for number in (1, 2, 3)]
        os.close(gate_out)
        os.close(gate_in)  # all three start now
        ended = [_wait(run)["ended"] for run in runs]
        run = {"ended": ended, "state": self.state(), "leftovers": self.leftovers()}
        self.write(self.target, 0)
        return run

    def refusals(self):
        """Targets for the refused writes: a read-only file, a read-only folder, a folder in the file's place."""
        cases = {}
        for case in ("read-only file", "read-only folder", "folder in its place"):
            folder = self.shared / f"{self.name}-{case.replace(' ', '-')}"
            target = folder / WRITERS[self.name]
            if case == "folder in its place":
                target.mkdir(parents=True)
            else:
                shutil.copytree(self.folder, folder, symlinks=True)  # the old version, as written
            for item in [folder, *folder.rglob("*")]:
                if os.geteuid() == 0:
                    os.chown(item, NOBODY, NOBODY, follow_symlinks=False)
                if case == "read-only file" and item.is_file():
                    item.chmod(0o444)
                if case == "read-only folder" and item.is_dir():
                    item.chmod(0o555)
            cases[case] = (target, _listing(folder))
        return cases


def _all_in_one_process(rigs, fault, **options):
    """One faulty write of the new version for every rig, in one forked process; ``{"rig/case": run}``.

    A write that crashes the process is reported as such, and a new process goes on with the next.
    """
    import resource

    writes = [(f"{rig.name}/{case}", rig, target) for rig in rigs
              for case, (target, _) in (rig.cases.items() if fault == "refused" else [(None, (rig.target, None))])]
    results = {}

    def write_all(remaining):
        for key, rig, target in remaining:
            _emit({"key": key})
            if fault == "full disk":
                limit = int(rig.largest * KILL_FRACTION)
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
            _emit(dict(_outcome(lambda: rig.write(target, 1)), key=key))
            resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))

    while len(results) < len(writes):
        remaining = writes[len(results):]
        run = _fork(lambda: write_all(remaining), **options)
        lines = [json.loads(line) for line in run["message"].splitlines() if line.startswith("{")]
        for line in lines:
            if "ended" in line:
                results[line.pop("key")] = line
        if len(results) < len(writes):
            results[remaining[len(lines) // 2][0]] = {"ended": f"crashed ({run['ended']})", "message": ""}
    return results


def _emit(finding):
    """Report one finding of a forked process to the process that forked it, at once."""
    os.write(_REPORT[0], (json.dumps(finding) + "\n").encode())


_REPORT = [-1]


def _outcome(action):
    from vmtkscripts_numpy.errors import DataFileError

    try:
        action()
        return {"ended": "completed", "message": ""}
    except DataFileError as error:
        return {"ended": "DataFileError", "message": str(error)}
    except Exception as error:  # noqa: BLE001 - reported to the tests
        return {"ended": "another error", "message": f"{type(error).__name__}: {error}"}


def _listing(folder):
    """Every file under ``folder`` with its content's digest (and every folder)."""
    return {str(path.relative_to(folder)): _digest(path.read_bytes()) if path.is_file() else "folder"
            for path in sorted(folder.rglob("*"))}


def _fork(action, *, file_limit=None, die_on_limit=False, ignore_file_limit=False, kill_at_step=None,
          unprivileged=False, gate=None, wait=True):
    """Run ``action`` in a forked process under the fault asked for; how it ended, and its error message."""
    import resource

    from vmtkscripts_numpy.errors import DataFileError

    report_out, report_in = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code, message = 3, ""
        try:
            os.close(report_out)
            _REPORT[0] = report_in
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            if unprivileged and os.geteuid() == 0:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            if gate is not None:
                os.close(gate[1])
                os.read(gate[0], 1)
            if kill_at_step is not None:
                _die_before_step(kill_at_step)
            if ignore_file_limit:
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            if file_limit is not None:
                signal.signal(signal.SIGXFSZ, signal.SIG_DFL if die_on_limit else signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))
            try:
                action()
                code = 0
            except DataFileError as error:
                code, message = 1, str(error)
            except BaseException as error:  # noqa: BLE001 - reported to the tests
                code, message = 2, f"{type(error).__name__}: {error}"
            os.write(report_in, message.encode("utf-8", "replace"))
        finally:
            os._exit(code)
    os.close(report_in)
    run = {"pid": pid, "pipe": report_out}
    return _wait(run) if wait else run


def _wait(run):
    """Wait for the forked process of ``run`` (at most two minutes) and say how it ended."""
    if "ended" in run:
        return run

    def hung(*_):
        os.kill(run["pid"], signal.SIGKILL)

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(120)
    try:
        chunks = []
        while True:
            chunk = os.read(run["pipe"], 65536)
            if not chunk:
                break
            chunks.append(chunk)
        _, status = os.waitpid(run["pid"], 0)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    os.close(run.pop("pipe"))
    del run["pid"]
    run["message"] = b"".join(chunks).decode("utf-8")
    if os.WIFSIGNALED(status):
        run["ended"] = f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    else:
        run["ended"] = {0: "completed", 1: "DataFileError", 2: "another error"}.get(os.WEXITSTATUS(status), "crashed")
    return run


def _die_before_step(step):
    """Make this process SIGKILL itself before its ``step``-th rename, hard link or folder removal (0: never).

    Returns the count so far, in a list.
    """
    count = [0]

    def deadly(original):
        def call(*arguments, **options):
            count[0] += 1
            if count[0] == step:
                os.kill(os.getpid(), signal.SIGKILL)
            return original(*arguments, **options)

        return call

    os.replace, os.link, shutil.rmtree = deadly(os.replace), deadly(os.link), deadly(shutil.rmtree)
    return count


def main(work, shared):
    """Run every fault for every writer; print the report as JSON."""
    from vmtkscripts_numpy.errors import DataFileError

    report, rigs = {}, []
    for name, (write, read) in _writers().items():
        rig = _Rig(name, write, read, Path(work) / name, Path(shared))
        try:
            rig.prepare()
            found = {"killed at a byte": rig.killed_at_a_byte()}
            if name in STEP_KILLED:
                found["steps"], found["killed at every step"] = rig.killed_at_every_step()
            if name in CONCURRENT:
                found["concurrent"] = rig.concurrent()
            rig.cases = rig.refusals()
        except DataFileError as error:
            if "needs VTK" not in str(error):
                report[name] = {"broken": traceback.format_exc()}
                continue
            report[name] = {"unavailable": str(error)}
            continue
        except Exception:  # noqa: BLE001 - the tests of this writer fail with it
            report[name] = {"broken": traceback.format_exc()}
            continue
        report[name] = found
        rigs.append(rig)
    full = _all_in_one_process(rigs, "full disk", ignore_file_limit=True)
    refused = _all_in_one_process(rigs, "refused", unprivileged=True)
    for rig in rigs:
        report[rig.name]["full disk"] = dict(full[f"{rig.name}/None"], target=str(rig.target), state=rig.state(),
                                             leftovers=rig.leftovers())
        report[rig.name]["refused"] = {
            case: dict(refused[f"{rig.name}/{case}"], unchanged=_listing(target.parent) == before)
            for case, (target, before) in rig.cases.items()}
    json.dump(report, sys.stdout, indent=1)


if __name__ == "__main__":
    main(*sys.argv[1:3])
