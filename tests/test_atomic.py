"""Atomic writes: a complete new file at the target, or the earlier file as it was and nothing left behind."""

import os
import stat

import pytest

from vmtkscripts_numpy._atomic import atomic_output, atomic_output_folder
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
