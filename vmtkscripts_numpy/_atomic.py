"""Atomic file writes: the target is either the complete new file or left as it was.

Both helpers write under a temporary name in the target's folder and move the
result into place with :func:`os.replace` only once the writer has finished,
so a failing, full or interrupted write (``KeyboardInterrupt`` included)
leaves any earlier file intact and nothing of its own behind:

- :func:`atomic_output` gives one temporary file name (numpy files: HDF5, pickle, npz);
- :func:`atomic_output_folder` gives the target's own name inside a temporary
  folder, for writers that choose what to do from the file name or write
  companion files named after it (VTK's MetaImage ``.mhd`` + ``.zraw``).

Both follow a symbolic link at the target and replace the file it points to,
and give the new file the permissions of the file it replaces (or, for a new
file, the usual ones). They protect against a failing writer, not against a
power cut: nothing is forced to disk with ``fsync``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from typing import Iterator, Union

from .errors import DataFileError

PathLike = Union[str, "os.PathLike[str]"]


def writable_target(path: PathLike) -> str:
    """The file a write to ``path`` replaces: ``path``, or the file a symbolic link there points to.

    Raises
    ------
    DataFileError
        If ``path`` is a folder or its folder does not exist.
    """
    target = os.fspath(path)
    if os.path.islink(target):
        target = os.path.realpath(target)
    if os.path.isdir(target):
        raise DataFileError(target, "is a folder; give a file name")
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise DataFileError(target, f"cannot be written: the folder {folder} does not exist")
    return target


@contextlib.contextmanager
def atomic_output(path: PathLike) -> Iterator[str]:
    """Give a temporary file name beside ``path``; on success that file replaces ``path`` in one step.

    The temporary file is ``.<name>.tmp-XXXXXXXX`` in the same folder.

    Raises
    ------
    DataFileError
        If the folder does not exist, ``path`` is a folder, or writing fails
        with an operating-system error (disk full, permission denied, ...).

    Examples
    --------
    >>> folder = tempfile.mkdtemp()
    >>> with atomic_output(os.path.join(folder, "a.txt")) as temporary:
    ...     with open(temporary, "w") as stream:
    ...         _ = stream.write("hello")
    >>> os.listdir(folder)
    ['a.txt']
    """
    target = writable_target(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.tmp-", dir=os.path.dirname(
            os.path.abspath(target)))
    except OSError as error:
        raise DataFileError(target, f"cannot be written: {error.strerror or error}") from None
    os.close(handle)
    try:
        yield temporary
        os.chmod(temporary, _new_file_mode(target))
        os.replace(temporary, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        _raise_as_data_file_error(error, target)
        raise


@contextlib.contextmanager
def atomic_output_folder(path: PathLike) -> Iterator[str]:
    """Give ``path``'s own file name inside a temporary folder beside it; on success move the files written.

    Companion files the writer put beside that name are moved first, the
    named file last; the temporary folder ``.<name>.XXXXXXXX.partial`` is
    removed in every case.

    Raises
    ------
    DataFileError
        As :func:`atomic_output`, and if the writer made no file of that name.

    Examples
    --------
    >>> folder = tempfile.mkdtemp()
    >>> with atomic_output_folder(os.path.join(folder, "image.mhd")) as temporary:
    ...     for name in (temporary, temporary[:-4] + ".raw"):
    ...         with open(name, "w") as stream:
    ...             _ = stream.write("data")
    >>> sorted(os.listdir(folder))
    ['image.mhd', 'image.raw']
    """
    target = writable_target(path)
    folder, name = os.path.split(os.path.abspath(target))
    try:
        scratch = tempfile.mkdtemp(prefix=f".{name}.", suffix=".partial", dir=folder)
    except OSError as error:
        raise DataFileError(target, f"cannot be written: {error.strerror or error}") from None
    try:
        temporary = os.path.join(scratch, name)
        yield temporary
        if not os.path.isfile(temporary):
            raise DataFileError(target, "the writer produced no file")
        companions = [item for item in os.listdir(scratch) if item != name]
        for item in companions:
            os.replace(os.path.join(scratch, item), os.path.join(folder, item))
        os.chmod(temporary, _new_file_mode(target))
        os.replace(temporary, target)
    except BaseException as error:
        _raise_as_data_file_error(error, target)
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _raise_as_data_file_error(error: BaseException, target: str) -> None:
    """An operating-system error of the write as a :class:`DataFileError` naming the file."""
    if isinstance(error, OSError) and not isinstance(error, DataFileError):
        raise DataFileError(target, f"cannot be written: {error.strerror or error}") from error


def _new_file_mode(target: str) -> int:
    """The permissions of the file being replaced, else 0o666 minus the umask (as ``open`` gives)."""
    with contextlib.suppress(OSError):
        return stat.S_IMODE(os.stat(target).st_mode)
    return 0o666 & ~_umask()


def _umask() -> int:
    # Reading /proc avoids changing the process umask, which other threads could observe.
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    current = os.umask(0o022)
    os.umask(current)
    return current
