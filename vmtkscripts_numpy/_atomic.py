"""Atomic, fault-safe file writes: the target is the complete old file or the complete new one, never a mix.

Every writer of the package goes through this module. What a user can count on:

- **Interrupted writes** (an exception, ``KeyboardInterrupt``, ``kill -9``, a
  crash): the new file is written in a scratch folder beside the target,
  ``.<name>.XXXXXXXX.partial``, and renamed over the target only once it is
  complete, so the target is always the old file or the new one. A write
  that dies leaves its scratch folder behind; the next write to the same
  target removes it (and ``.<name>.tmp-XXXXXXXX`` files of earlier versions
  of the package). Each write holds a lock (``flock``) on its scratch folder,
  so leftovers are told from the folders of writes still running, which are
  never touched; only leftovers older than the current write are removed.
- **Errors while writing** (a full disk, a quota, an I/O error): a
  :class:`~vmtkscripts_numpy.errors.DataFileError` naming the file, the old
  file untouched and nothing left behind.
- **Power cuts**: new files are forced to disk (``fsync``) before they take
  the target's name, and the folder after, so once a write returns the new
  file survives a power cut, and a power cut during a write leaves the old
  one. This costs the time the disk takes to store the file (0.1 s for 268 MB
  on the machine the benchmarks ran on), which mature tools that replace a
  user's file (vim, LibreOffice, SQLite) pay too.
- **Concurrent writers** of one target: each has its own scratch folder; the
  last one to finish wins, with its complete file.

What is refused, with a ``DataFileError`` and nothing changed:

- a target that is a folder, or whose folder does not exist;
- a target that is (or, through symbolic links, leads to) a device, a pipe
  (FIFO) or a socket: ``-ofile /dev/stdout`` is refused rather than replaced
  by a regular file, which would lose the output and, as root, put a file in
  ``/dev``;
- a read-only target file. Replacing it would be possible (a rename needs
  only the folder's permission), but a file marked read-only is one its owner
  asked to keep, so it is refused as ``cp`` refuses it without ``-f``: make
  it writable, or remove it, to write a new one. As with ``cp`` and ``open``,
  the superuser may write it;
- a folder the user may not create files in.

What a replaced file keeps and loses: a symbolic link at the target is kept
and the file it leads to is replaced; the new file gets the permission bits
of the file it replaces; it belongs to the user who wrote it, and other hard
links to the old file keep the old content (as with any tool that writes by
renaming).

Files that name other files are replaced as a whole (:func:`atomic_output_with_data`):
a MetaImage header and its voxel file, a ParaView collection and its steps.
A reader never finds such an index naming data of another write; see there.

Limits: locks need ``fcntl`` and a file system that supports ``flock`` on
folders. Where it does not (Windows, some network file systems) writes stay
atomic, but the scratch folder of a killed write is left for the user to
delete, and the replacements of indexed files by concurrent writers are not
serialised.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
from typing import Callable, Dict, Iterator, List, Optional, Tuple

from .errors import DataFileError, MissingFileError
from ._typing import PathLike

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


#: The suffix of the scratch folder a write works in: ``.<name>.XXXXXXXX.partial`` beside the target.
SCRATCH_SUFFIX = ".partial"
#: The eight characters :mod:`tempfile` puts in a name.
_TOKEN = r"[a-z0-9_]{8}"
#: A target larger than this is not read to learn whether it names a leftover scratch folder (indexes are small).
_INDEX_BYTES = 16 << 20
#: Writes allowed to lose their fresh scratch folder to another write's cleaning before giving up.
_ATTEMPTS = 20
#: Builds an index file's bytes from a function giving the reference to write for each data file.
IndexBuilder = Callable[[Callable[[str], str]], bytes]

_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)

# Scratch folders this process holds locked, as (device, inode): locking one of them again from this
# process would wait for ourselves.
_held: Dict[Tuple[int, int], int] = {}
_held_guard = threading.Lock()


# --- the target -------------------------------------------------------------------------------


def writable_target(path: PathLike) -> str:
    """The file a write to ``path`` replaces: ``path``, or the file a symbolic link there leads to.

    Raises
    ------
    DataFileError
        If ``path`` is or leads to a folder, a device, a pipe or a socket; if
        it is a file the user may not write; or if its folder does not exist.
    """
    given = os.fspath(path)
    if not os.path.basename(given):
        raise DataFileError(given, "is not a file name" + (" (it ends with a folder separator)" if given else ""))
    target = os.path.realpath(given) if os.path.islink(given) else given
    _check_kind(given, target)
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise MissingFileError(given, f"cannot be written: the folder {folder} does not exist")
    return target


def _check_kind(given: str, target: str) -> None:
    """Refuse a target that exists and is not a regular file this user may write."""
    try:
        status = os.stat(given)
    except FileNotFoundError:
        return
    except OSError as error:
        raise DataFileError(given, f"cannot be written: {error.strerror or error}", error.errno) from None
    verb = "leads to" if os.path.islink(given) else "is"
    if stat.S_ISDIR(status.st_mode):
        raise DataFileError(given, "is a folder; give a file name")
    if not stat.S_ISREG(status.st_mode):
        raise DataFileError(
            given,
            f"{verb} {_kind(status.st_mode)}, not a regular file: it is not replaced by one "
            "(write to a file, then copy that where it should go)",
        )
    effective = os.access in os.supports_effective_ids
    if not os.access(target, os.W_OK, effective_ids=effective):
        raise DataFileError(given, "is read-only: it is not replaced (make it writable, or remove it, to write it anew)")


def _kind(mode: int) -> str:
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "something other than a file"


# --- the public helpers -----------------------------------------------------------------------


@contextlib.contextmanager
def atomic_output(path: PathLike) -> Iterator[str]:
    """Give a temporary file name beside ``path``; on success that file replaces ``path`` in one step.

    The temporary file, empty and of the target's own name, is in the
    scratch folder ``.<name>.XXXXXXXX.partial`` beside the target.

    Raises
    ------
    DataFileError
        If the target is refused (see the module's description) or writing
        fails with an operating-system error (disk full, permission denied, ...).

    Examples
    --------
    >>> folder = tempfile.mkdtemp()
    >>> with atomic_output(os.path.join(folder, "a.txt")) as temporary:
    ...     with open(temporary, "w") as stream:
    ...         _ = stream.write("hello")
    >>> os.listdir(folder)
    ['a.txt']
    """
    with _Write(path) as write:
        temporary = os.path.join(write.scratch, write.name)
        os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        yield temporary
        write.publish(temporary, write.target)
        write.settle()


@contextlib.contextmanager
def atomic_output_folder(path: PathLike, *, companions_only: bool = False) -> Iterator[str]:
    """Give ``path``'s own file name inside a scratch folder beside it; on success move the files written.

    For writers that choose what to do from the file name, or write files
    named after it. Companion files the writer put beside that name are
    moved first, each replacing its namesake in one step, the named file
    last; the scratch folder is removed in every case. A kill between two of
    those moves leaves some companions new and some old: files that name
    each other need :func:`atomic_output_with_data`.

    Parameters
    ----------
    path : str or path-like
        The target.
    companions_only : bool
        The writer writes only files whose names start with the target's
        (a numbered series ``name0000.png``, ...), not the target itself.

    Raises
    ------
    DataFileError
        As :func:`atomic_output`, and if the writer made no file of that name
        (with ``companions_only``: no file at all).

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
    with _Write(path) as write:
        temporary = os.path.join(write.scratch, write.name)
        yield temporary
        written = sorted(entry.name for entry in os.scandir(write.scratch) if entry.is_file(follow_symlinks=False))
        companions = [item for item in written if item != write.name]
        if (companions_only and not written) or (not companions_only and write.name not in written):
            raise DataFileError(write.given, "the writer produced no file")
        destinations = {item: os.path.join(write.folder, item) for item in companions}
        for destination in destinations.values():
            _check_kind(destination, destination)
        # Concurrent writers of several files take turns, so that the files are all one writer's.
        with _folder_locked(write.folder) if companions else contextlib.nullcontext():
            for item, destination in destinations.items():
                write.publish(os.path.join(write.scratch, item), destination)
            if write.name in written:
                write.publish(temporary, write.target)
        write.settle()


class DataStage:
    """Where a write of an index file and its data files (see :func:`atomic_output_with_data`) puts them."""

    def __init__(self, scratch: str, name: str) -> None:
        self._scratch = scratch
        #: The index file's own name (that of the file a symbolic link at the target leads to).
        self.name = name
        self.data: List[str] = []
        #: Set by the writer: the index file's bytes, given a function that turns the name of a data
        #: file relative to the index's folder (``"ct.zraw"``, ``"run/run_0000.vtp"``) into the
        #: reference to write.
        self.index: Optional[IndexBuilder] = None

    def data_path(self, relative: str) -> str:
        """The temporary path of the data file whose place is ``relative`` (``/``-separated) to the index's folder."""
        parts = relative.split("/")
        if not relative or os.path.isabs(relative) or any(part in ("", ".", "..") for part in parts):
            raise ValueError(f"a data file's place must be a plain relative path, not {relative!r}")
        path = os.path.join(self._scratch, *parts)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.data.append(relative)
        return path


@contextlib.contextmanager
def atomic_output_with_data(path: PathLike) -> Iterator[DataStage]:
    """Replace an index file (a MetaImage header, a ParaView collection) and the data files it names.

    The writer writes each data file at ``stage.data_path(relative)`` and
    sets ``stage.index``. Then, the data being complete and on disk:

    1. the index is written naming the data where they are, in the scratch
       folder, and replaces the target: the new image (or series) is in place;
    2. each data file takes its own name beside the index, as a second (hard)
       link to the same file, so the index of step 1 still finds it;
    3. the index is written again, naming the data by their own names, and
       replaces the one of step 1; the scratch folder is removed.

    At every moment the index names complete data of one write: the old
    index its old files (untouched until step 1 has replaced it), the index
    of step 1 the scratch folder's files, the final index the new files. A
    write killed between steps 1 and 3 leaves an index naming its scratch
    folder, which stays until the next write has replaced that index. The
    replacements (steps 1 to 3) of concurrent writers are serialised by a lock
    on the folder, so the result is one writer's index and data.

    A reader holding an index it read just before step 1 and opening the
    data file after step 2 would find the new data; the package's MetaImage
    reader checks that the header did not change meanwhile, other readers
    have that (microseconds wide) window. Where hard links are not possible,
    step 2 copies.

    Raises
    ------
    DataFileError
        As :func:`atomic_output`; if the writer set no index or a data file is
        missing; or, after step 1, if the data could not take their own names
        (the new data are then in place, named in the scratch folder).

    Examples
    --------
    >>> folder = tempfile.mkdtemp()
    >>> with atomic_output_with_data(os.path.join(folder, "image.mhd")) as stage:
    ...     with open(stage.data_path("image.zraw"), "wb") as data:
    ...         _ = data.write(b"voxels")
    ...     stage.index = lambda where: f"ElementDataFile = {where('image.zraw')}\\n".encode()
    >>> sorted(os.listdir(folder)), open(os.path.join(folder, "image.mhd")).read()
    (['image.mhd', 'image.zraw'], 'ElementDataFile = image.zraw\\n')
    """
    with _Write(path) as write:
        stage = DataStage(write.scratch, write.name)
        yield stage
        if stage.index is None:
            raise DataFileError(write.given, "the writer gave no index for its data files")
        places = {relative: os.path.join(write.folder, *relative.split("/")) for relative in stage.data}
        for relative, place in places.items():
            source = os.path.join(write.scratch, *relative.split("/"))
            if not os.path.isfile(source):
                raise DataFileError(write.given, f"the writer produced no data file {relative}")
            _check_kind(place, place)
            if write.durable:
                _fsync(source)
            os.chmod(source, _new_file_mode(place))
        if write.durable:
            # The first index names the data in the scratch folder: their entries must be on disk too.
            for folder in {os.path.dirname(os.path.join(write.scratch, *relative.split("/"))) for relative in places}:
                _fsync_folder(folder)
            _fsync_folder(write.scratch)
        scratch_name = os.path.basename(write.scratch)
        staged_index = os.path.join(write.scratch, write.name)
        with _folder_locked(write.folder):
            _write_bytes(staged_index, stage.index(lambda relative: f"{scratch_name}/{relative}"))
            write.publish(staged_index, write.target)
            try:
                for number, (relative, place) in enumerate(places.items()):
                    os.makedirs(os.path.dirname(place), exist_ok=True)
                    link = os.path.join(write.scratch, f".link-{number}")
                    _link_or_copy(os.path.join(write.scratch, *relative.split("/")), link)
                    os.replace(link, place)
                _write_bytes(staged_index, stage.index(lambda relative: relative))
                write.publish(staged_index, write.target)
                for folder in {os.path.dirname(place) for place in places.values()} if write.durable else ():
                    _fsync_folder(folder)
            except OSError as error:
                write.keep_scratch = True
                raise DataFileError(
                    write.given,
                    f"is written, but its data files could not take their own names ({error.strerror or error}): "
                    f"it names them in {scratch_name}, which the next write replaces",
                ) from error
            write.settle()
            # Under the lock the index is ours: no leftover of a killed write is named by it any more.
            _remove_leftovers(write.target, time.time(), write.scratch)


@contextlib.contextmanager
def through_pipe(temporary: str) -> Iterator[str]:
    """A file name under which a sequential writer writes ``temporary`` through a pipe and a helper process.

    For writers whose own handling of write errors cannot be trusted: VTK's
    ASCII STL writer aborts the process on a full disk (from VTK 9.2), its PLY
    and NIfTI writers leave a short file and report success. Writing into a
    pipe never fails; a small helper process copies the bytes into
    ``temporary`` and reports the first error, raised here once the writer
    has finished (and by the write it is part of as a :class:`DataFileError`
    naming the target). The name given has
    ``temporary``'s own file name (writers that choose by extension, such as
    ``.nii.gz``, choose the same) and is a symbolic link to the pipe. The
    writer must not seek. Where the platform offers no way to name a pipe, the
    writer gets ``temporary`` itself.

    Raises
    ------
    OSError
        With the operating system's words if the helper could not write.
    """
    fds = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    if not sys.executable or not os.path.isdir(fds):
        yield temporary
        return
    folder, name = os.path.split(temporary)
    link_folder = os.path.join(folder, ".pipe")
    os.mkdir(link_folder)
    read_end, write_end = os.pipe()
    try:
        helper = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _DRAIN, temporary],
            stdin=read_end, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
    except BaseException:
        os.close(write_end)
        raise
    finally:
        os.close(read_end)
    try:
        link = os.path.join(link_folder, name)
        os.symlink(f"{fds}/{write_end}", link)
        yield link
    finally:
        os.close(write_end)
        error = helper.communicate()[1].decode("utf-8", "replace").strip()
        shutil.rmtree(link_folder, ignore_errors=True)
    if helper.returncode:
        raise OSError(error or f"the helper process writing the file ended with status {helper.returncode}")


# The helper of through_pipe: copy standard input into the file; after an error, keep reading to the end
# (the writer must never see a broken pipe) and report the error.
_DRAIN = """
import os, sys
failure = ""
try:
    out = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
except OSError as error:
    out, failure = None, error.strerror or str(error)
while True:
    chunk = os.read(0, 1 << 20)
    if not chunk:
        break
    view = memoryview(chunk)
    while view and not failure:
        try:
            view = view[os.write(out, view):]
        except OSError as error:
            failure = error.strerror or str(error)
if out is not None:
    try:
        os.close(out)
    except OSError as error:
        failure = failure or error.strerror or str(error)
if failure:
    sys.stderr.write(failure)
    sys.exit(1)
"""


# --- one write --------------------------------------------------------------------------------


class _Write:
    """One write: its target, its locked scratch folder beside it, and the cleaning of leftovers."""

    def __init__(self, path: PathLike) -> None:
        self.given = os.fspath(path)
        self.target = writable_target(self.given)
        self.folder, self.name = os.path.split(os.path.abspath(self.target))
        self.keep_scratch = False
        # A write into another write's scratch folder (a step of a series) is synced by that write.
        self.durable = not _inside_a_write(self.folder)

    def __enter__(self) -> "_Write":
        started = time.time()
        self.scratch, self._lock = _new_scratch(self.given, self.folder, self.name)
        try:
            # Before writing: a killed write of a large file may be what fills the disk.
            _remove_leftovers(self.target, started, self.scratch)
        except BaseException:
            self._end()
            raise
        return self

    def __exit__(self, kind: object, error: Optional[BaseException], trace: object) -> None:
        self._end()
        replacement = None if error is None else self._named(error)
        if replacement is not None:
            raise replacement from error

    def _named(self, error: BaseException) -> Optional[DataFileError]:
        """``error`` as one :class:`DataFileError` naming the target, not the scratch folder; None to keep it."""
        if isinstance(error, DataFileError):
            problem = error.problem.replace(os.path.join(self.scratch, self.name), "the unfinished file")
            inside = os.path.relpath(error.path, self.scratch)
            if inside == self.name or inside == os.path.join(".pipe", self.name):
                return type(error)(self.given, problem, error.errno)
            if not inside.startswith(os.pardir):
                # A data file of this write (a step of a series) named by its place beside the target.
                return type(error)(self.given, f"its file {inside.replace(os.sep, '/')} {problem}", error.errno)
            return type(error)(error.path, problem, error.errno) if problem != error.problem else None
        # HDF5 reports some failed writes (a full disk while closing) as RuntimeError, giving the errno.
        if isinstance(error, OSError) or (isinstance(error, RuntimeError) and "errno = " in str(error)):
            number = error.errno if isinstance(error, OSError) else None
            kind = MissingFileError if isinstance(error, FileNotFoundError) else DataFileError
            return kind(self.given, f"cannot be written: {_os_problem(error)}", number)
        return None

    def publish(self, source: str, destination: str) -> None:
        """Force ``source`` to disk, give it the permissions of the file it replaces, rename it to ``destination``."""
        if self.durable:
            _fsync(source)
        os.chmod(source, _new_file_mode(destination))
        # The target was checked when the write began; a pipe or device may have appeared since.
        _check_kind(destination, destination)
        os.replace(source, destination)

    def settle(self) -> None:
        """Force the folder's new entries to disk."""
        if self.durable:
            _fsync_folder(self.folder)

    def _end(self) -> None:
        if not self.keep_scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)
        _unlock(self._lock)


def _os_problem(error: BaseException) -> str:
    """The operating system's word for ``error`` (HDF5 wraps it in a long report)."""
    found = re.search(r"error message = '([^']*)'", str(error))
    if found:
        return found.group(1)
    return (error.strerror if isinstance(error, OSError) else None) or str(error)


def _new_scratch(given: str, folder: str, name: str) -> Tuple[str, Optional[int]]:
    """A new scratch folder for a write to ``folder/name``, locked unless the file system cannot lock."""
    for _ in range(_ATTEMPTS):
        try:
            scratch = tempfile.mkdtemp(prefix=f".{name}.", suffix=SCRATCH_SUFFIX, dir=folder)
        except OSError as error:
            problem = error.strerror or str(error)
            if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                problem = f"this user may not create files in the folder {folder} ({problem})"
            raise DataFileError(given, f"cannot be written: {problem}", error.errno) from None
        lock, state = _try_lock(scratch)
        # Between mkdtemp and the lock, another write may take the folder for a killed write's and
        # remove it; then start again with a new one.
        if state == "unsupported" or (state == "locked" and _same_folder(scratch, lock)):
            if lock is not None:
                with _held_guard:
                    status = os.fstat(lock)
                    _held[(status.st_dev, status.st_ino)] = lock
            return scratch, lock
        _unlock(lock)
    raise DataFileError(given, "cannot be written: its scratch folders were removed by other writes, "
                               f"{_ATTEMPTS} times")


def _inside_a_write(folder: str) -> bool:
    """Whether ``folder`` is in a scratch folder of a write this process is making."""
    with _held_guard:
        held = set(_held)
    path = os.path.abspath(folder)
    while held:
        try:
            status = os.stat(path)
        except OSError:
            return False
        if (status.st_dev, status.st_ino) in held:
            return True
        parent = os.path.dirname(path)
        if parent == path:
            return False
        path = parent
    return False


def _try_lock(folder: str) -> Tuple[Optional[int], str]:
    """Lock ``folder`` without waiting: ``(descriptor, "locked")``, ``(None, "busy" | "gone" | "unsupported")``."""
    if fcntl is None:
        return None, "unsupported"
    try:
        descriptor = os.open(folder, os.O_RDONLY | _O_DIRECTORY | _O_NOFOLLOW)
    except FileNotFoundError:
        return None, "gone"
    except OSError:
        return None, "unsupported"
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None, "busy"
    except OSError:
        os.close(descriptor)
        return None, "unsupported"
    return descriptor, "locked"


def _unlock(descriptor: Optional[int]) -> None:
    if descriptor is None:
        return
    with _held_guard:
        for key, held in list(_held.items()):
            if held == descriptor:
                del _held[key]
    os.close(descriptor)


def _same_folder(path: str, descriptor: Optional[int]) -> bool:
    try:
        return descriptor is not None and os.path.samestat(os.lstat(path), os.fstat(descriptor))
    except OSError:
        return False


@contextlib.contextmanager
def _folder_locked(folder: str) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (waiting for it), where the file system allows one."""
    descriptor = None
    if fcntl is not None:
        try:
            descriptor = os.open(folder, os.O_RDONLY | _O_DIRECTORY)
            status = os.fstat(descriptor)
            with _held_guard:
                own = (status.st_dev, status.st_ino) in _held
            if own:
                # A scratch folder of this process: private, and locked by ourselves already.
                os.close(descriptor)
                descriptor = None
            else:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
        except OSError:
            if descriptor is not None:
                os.close(descriptor)
            descriptor = None
    try:
        yield
    finally:
        if descriptor is not None:
            os.close(descriptor)


# --- leftovers of killed writes ---------------------------------------------------------------


def _remove_leftovers(target: str, started: float, own: str) -> None:
    """Remove what killed writes to ``target`` left: unlocked scratch folders (and old temporary files)."""
    folder, name = os.path.split(os.path.abspath(target))
    scratch = re.compile(re.escape(f".{name}.") + f"({_TOKEN})" + re.escape(SCRATCH_SUFFIX) + r"\Z")
    legacy = re.compile(re.escape(f".{name}.tmp-") + _TOKEN + r"\Z")
    try:
        entries = [entry for entry in os.scandir(folder) if entry.name.startswith(f".{name}.")]
    except OSError:
        return
    for entry in entries:
        try:
            if entry.path == own or entry.stat(follow_symlinks=False).st_mtime >= started:
                continue
            found = scratch.match(entry.name)
            if found and entry.is_dir(follow_symlinks=False):
                _remove_dead_scratch(entry.path, target, found.group(1) + SCRATCH_SUFFIX)
            elif legacy.match(entry.name) and entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
        except OSError:
            continue


def _remove_dead_scratch(path: str, target: str, mark: str) -> None:
    """Remove the scratch folder ``path`` if no write holds it and ``target`` does not name it."""
    lock, state = _try_lock(path)
    if state != "locked":
        return
    try:
        if _same_folder(path, lock) and not _names(target, mark):
            shutil.rmtree(path, ignore_errors=True)
    finally:
        os.close(lock)  # type: ignore[arg-type]


def _names(target: str, mark: str) -> bool:
    """Whether ``target`` (an index left by a write killed between its replacements) contains ``mark``."""
    try:
        if os.path.getsize(target) > _INDEX_BYTES:
            return False
        with open(target, "rb") as stream:
            return os.fsencode(mark) in stream.read()
    except OSError:
        return False


# --- small file-system steps ------------------------------------------------------------------


def _write_bytes(path: str, content: bytes) -> None:
    with open(path, "wb") as stream:
        stream.write(content)


def _link_or_copy(source: str, destination: str) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copyfile(source, destination)
        shutil.copymode(source, destination)


def _fsync(path: str) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_folder(folder: str) -> None:
    # Some file systems cannot sync a folder; the files themselves are synced already.
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY | _O_DIRECTORY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


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
