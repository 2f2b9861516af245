"""Atomic writes: a complete new file at the target, or the earlier file as it was and nothing left behind."""

import errno
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from vmtkscripts_numpy._atomic import atomic_output, atomic_output_folder, atomic_output_with_data, through_pipe
from vmtkscripts_numpy.errors import DataFileError

WRITERS = {"file": atomic_output, "folder": atomic_output_folder}


def write_text(path, text):
    with open(path, "w") as stream:
        stream.write(text)


@pytest.fixture(params=list(WRITERS))
def atomic(request):
    return WRITERS[request.param]


def test_a_write_replaces_the_file_and_leaves_nothing_else(tmp_path, atomic):
    target = tmp_path / "a.txt"
    write_text(target, "old")
    with atomic(target) as temporary:
        assert os.path.commonpath([temporary, tmp_path]) == str(tmp_path)  # beside the target: one rename
        write_text(temporary, "new")
        assert target.read_text() == "old"
    assert target.read_text() == "new"
    assert os.listdir(tmp_path) == ["a.txt"]


@pytest.mark.parametrize("failure", [ValueError("bad data"), KeyboardInterrupt()])
def test_a_failing_or_interrupted_write_keeps_the_earlier_file(tmp_path, atomic, failure):
    target = tmp_path / "a.txt"
    write_text(target, "old")
    with pytest.raises(type(failure)):
        with atomic(target) as temporary:
            write_text(temporary, "half")
            raise failure
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["a.txt"]


def test_an_os_error_of_the_writer_names_the_file(tmp_path, atomic):
    with pytest.raises(DataFileError, match=r"a.txt: cannot be written: No space left on device"):
        with atomic(tmp_path / "a.txt"):
            raise OSError(28, "No space left on device")
    assert os.listdir(tmp_path) == []


def test_a_symbolic_link_is_kept_and_its_target_replaced(tmp_path, atomic):
    real = tmp_path / "real.txt"
    write_text(real, "old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    with atomic(link) as temporary:
        write_text(temporary, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_a_rewrite_keeps_the_permissions_of_the_file_it_replaces(tmp_path, atomic):
    target = tmp_path / "a.txt"
    write_text(target, "old")
    target.chmod(0o640)
    with atomic(target) as temporary:
        write_text(temporary, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


@pytest.mark.parametrize("case, message", [("missing folder", "the folder .* does not exist"),
                                           ("a folder", "is a folder; give a file name")])
def test_a_target_that_cannot_be_a_file_is_refused_before_writing(tmp_path, atomic, case, message):
    target = tmp_path / "missing" / "a.txt" if case == "missing folder" else tmp_path
    with pytest.raises(DataFileError, match=message):
        with atomic(target):
            pytest.fail("the writer must not run")


def test_companion_files_move_in_beside_the_named_file(tmp_path):
    with atomic_output_folder(tmp_path / "image.mhd") as temporary:
        assert os.path.basename(temporary) == "image.mhd"
        write_text(temporary, "header")
        write_text(os.path.join(os.path.dirname(temporary), "image.zraw"), "voxels")
    assert sorted(os.listdir(tmp_path)) == ["image.mhd", "image.zraw"]


def test_a_writer_that_made_no_file_is_an_error_and_moves_nothing(tmp_path):
    with pytest.raises(DataFileError, match="image.mhd: the writer produced no file"):
        with atomic_output_folder(tmp_path / "image.mhd") as temporary:
            write_text(os.path.join(os.path.dirname(temporary), "image.zraw"), "voxels")
    assert os.listdir(tmp_path) == []


# --- what a killed write leaves, and who removes it ----------------------------------------------

# A write of the target given on the command line that stops halfway, says so on standard output and
# waits for standard input: killed there, it is a write killed in the middle; let go, it finishes.
HALF_WRITE = """
import sys
from vmtkscripts_numpy._atomic import atomic_output
with atomic_output(sys.argv[1]) as temporary:
    with open(temporary, "w") as stream:
        stream.write("half")
    print("halfway", flush=True)
    sys.stdin.readline()
    with open(temporary, "a") as stream:
        stream.write(" and whole")
"""


def start_half_write(target):
    import vmtkscripts_numpy

    package_root = str(Path(vmtkscripts_numpy.__file__).resolve().parents[1])  # the package these tests import
    child = subprocess.Popen([sys.executable, "-c", HALF_WRITE, str(target)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=package_root))
    assert child.stdout.readline() == "halfway\n"
    return child


def hidden(folder):
    return sorted(name for name in os.listdir(folder) if name.startswith("."))


def test_a_write_killed_halfway_leaves_the_old_file_and_the_next_write_removes_what_it_left(tmp_path):
    target = tmp_path / "a.txt"
    write_text(target, "old")
    child = start_half_write(target)
    child.kill()
    child.wait(timeout=60)
    assert target.read_text() == "old"
    assert len(hidden(tmp_path)) == 1  # the killed write's scratch folder

    with atomic_output(target) as temporary:
        write_text(temporary, "new")
    assert target.read_text() == "new" and os.listdir(tmp_path) == ["a.txt"]


def test_a_write_still_running_keeps_its_scratch_folder_and_finishes(tmp_path):
    target = tmp_path / "a.txt"
    child = start_half_write(target)
    with atomic_output(target) as temporary:
        write_text(temporary, "other")
    assert target.read_text() == "other" and len(hidden(tmp_path)) == 1  # the running write's, kept

    child.communicate("go on\n", timeout=60)
    assert child.returncode == 0
    assert target.read_text() == "half and whole" and os.listdir(tmp_path) == ["a.txt"]


def test_temporary_files_of_earlier_versions_are_removed_but_not_other_files(tmp_path):
    target = tmp_path / "a.txt"
    kept = [".a.txt.tmp-notours", ".b.txt.tmp-abcdefgh", ".a.txt.abcdefgh.partial.bak", "a.txt.abcdefgh.partial"]
    for name in [".a.txt.tmp-abcdefgh"] + kept:
        write_text(tmp_path / name, "")
    os.mkdir(tmp_path / ".a.txt.abcdefgh.partial")
    with atomic_output(target) as temporary:
        write_text(temporary, "new")
    assert sorted(os.listdir(tmp_path)) == sorted(kept + ["a.txt"])


# --- targets that are refused ----------------------------------------------------------------------


def test_a_device_a_pipe_or_a_socket_is_refused_and_left_as_it_is(tmp_path, atomic):
    os.mkfifo(tmp_path / "fifo")
    os.mknod(tmp_path / "socket", stat.S_IFSOCK | 0o600)
    (tmp_path / "to-fifo").symlink_to(tmp_path / "fifo")
    cases = {tmp_path / "fifo": "is a pipe (FIFO)", tmp_path / "socket": "is a socket",
             Path(os.devnull): "is a character device", tmp_path / "to-fifo": "leads to a pipe (FIFO)"}
    for target, kind in cases.items():
        with pytest.raises(DataFileError, match=rf"{re.escape(str(target))}: {re.escape(kind)}, not a regular file: "
                                                "it is not replaced"):
            with atomic(target):
                pytest.fail("the writer must not run")
    assert sorted(os.listdir(tmp_path)) == ["fifo", "socket", "to-fifo"]
    assert stat.S_ISFIFO(os.stat(tmp_path / "fifo").st_mode) and stat.S_ISCHR(os.stat(os.devnull).st_mode)


@pytest.mark.skipif(os.geteuid() == 0, reason="the superuser may write read-only files (test_write_faults drops to "
                                              "an unprivileged user)")
def test_a_read_only_file_is_refused_not_replaced(tmp_path, atomic):
    target = tmp_path / "a.txt"
    write_text(target, "keep me")
    target.chmod(0o444)
    with pytest.raises(DataFileError, match="a.txt: is read-only: it is not replaced"):
        with atomic(target):
            pytest.fail("the writer must not run")
    assert target.read_text() == "keep me" and os.listdir(tmp_path) == ["a.txt"]


# --- forced to disk ---------------------------------------------------------------------------------


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="names the files synced through /proc")
def test_the_new_file_is_on_disk_before_it_takes_the_name_and_the_folder_after(tmp_path, atomic, monkeypatch):
    events = []
    fsync, replace = os.fsync, os.replace

    def recording_fsync(descriptor):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{descriptor}")))
        fsync(descriptor)

    def recording_replace(source, destination):
        events.append(("replace", os.fspath(destination)))
        replace(source, destination)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    monkeypatch.setattr(os, "replace", recording_replace)
    with atomic(tmp_path / "a.txt") as temporary:
        write_text(temporary, "new")
    assert events == [("fsync", temporary), ("replace", str(tmp_path / "a.txt")), ("fsync", str(tmp_path))]


def test_a_file_the_disk_fails_to_store_is_an_error_and_the_old_file_stays(tmp_path, atomic, monkeypatch):
    target = tmp_path / "a.txt"
    write_text(target, "old")

    def failing_fsync(descriptor):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(DataFileError, match="a.txt: cannot be written: Input/output error"):
        with atomic(target) as temporary:
            write_text(temporary, "new")
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["a.txt"]


def test_an_hdf5_report_of_a_failed_write_is_one_short_error(tmp_path, atomic):
    report = ("Can't decrement id ref count (unable to extend file properly, errno = 27, "
              "error message = 'File too large')")
    with pytest.raises(DataFileError, match=r"a.hdf5: cannot be written: File too large\Z"):
        with atomic(tmp_path / "a.hdf5"):
            raise RuntimeError(report)


# --- an index and its data files -------------------------------------------------------------------


def write_pair(target, text):
    with atomic_output_with_data(target) as stage:
        with open(stage.data_path("image.zraw"), "w") as data:
            data.write(text)
        stage.index = lambda where: f"ElementDataFile = {where('image.zraw')}\n".encode()


def read_pair(target):
    name = target.read_text().split(" = ")[1].strip()
    return (target.parent / name).read_text()


def test_an_index_and_its_data_are_replaced_together_under_their_own_names(tmp_path):
    target = tmp_path / "image.mhd"
    write_pair(target, "old voxels")
    write_pair(target, "new voxels")
    assert target.read_text() == "ElementDataFile = image.zraw\n" and read_pair(target) == "new voxels"
    assert sorted(os.listdir(tmp_path)) == ["image.mhd", "image.zraw"]


def test_an_index_left_naming_a_killed_writes_data_keeps_them_until_replaced(tmp_path):
    # What a write killed between its two replacements of the index leaves.
    target = tmp_path / "image.mhd"
    scratch = tmp_path / ".image.mhd.abcdefgh.partial"
    scratch.mkdir()
    (scratch / "image.zraw").write_text("new voxels")
    target.write_text(f"ElementDataFile = {scratch.name}/image.zraw\n")
    with pytest.raises(ValueError):
        with atomic_output_with_data(target):
            raise ValueError("a failing writer")
    assert read_pair(target) == "new voxels"

    write_pair(target, "newer voxels")
    assert read_pair(target) == "newer voxels" and sorted(os.listdir(tmp_path)) == ["image.mhd", "image.zraw"]


def test_data_files_go_only_beside_the_index(tmp_path):
    with pytest.raises(ValueError, match="plain relative path"):
        with atomic_output_with_data(tmp_path / "run.pvd") as stage:
            stage.data_path("../elsewhere.vtp")
    assert os.listdir(tmp_path) == []


# --- through a pipe --------------------------------------------------------------------------------


def test_a_writer_writes_through_a_pipe_under_the_files_own_name(tmp_path):
    with atomic_output(tmp_path / "image.nii.gz") as temporary:
        with through_pipe(temporary) as name:
            assert os.path.basename(name) == "image.nii.gz" and name != temporary
            with open(name, "w") as stream:
                stream.write("through a pipe")
    assert (tmp_path / "image.nii.gz").read_text() == "through a pipe" and len(os.listdir(tmp_path)) == 1


def test_what_the_helper_cannot_write_is_an_error_after_the_writer_is_done(tmp_path):
    with pytest.raises(DataFileError, match="a.txt: cannot be written: Is a directory"):
        with atomic_output(tmp_path / "a.txt") as temporary:
            os.unlink(temporary)
            os.mkdir(temporary)  # the helper cannot open a folder as its file
            with through_pipe(temporary) as name:
                with open(name, "w") as stream:
                    stream.write("lost")
    assert os.listdir(tmp_path) == []


def test_files_written_inside_another_write_are_forced_to_disk_once_by_that_write(tmp_path, monkeypatch):
    synced = []
    fsync = os.fsync

    def recording_fsync(descriptor):
        synced.append(os.path.basename(os.readlink(f"/proc/self/fd/{descriptor}")))
        fsync(descriptor)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    with atomic_output_with_data(tmp_path / "run.pvd") as stage:
        for step in range(3):
            with atomic_output(stage.data_path(f"run/run_{step}.vtp")) as temporary:
                write_text(temporary, f"step {step}")
        stage.index = lambda where: " ".join(where(f"run/run_{step}.vtp") for step in range(3)).encode()
    assert sorted(name for name in synced if name.endswith(".vtp")) == ["run_0.vtp", "run_1.vtp", "run_2.vtp"]
    assert (tmp_path / "run.pvd").read_text() == "run/run_0.vtp run/run_1.vtp run/run_2.vtp"
