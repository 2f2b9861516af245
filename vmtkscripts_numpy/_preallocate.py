"""Hints to the system around large writes and reads: disk space reserved ahead, writeback started early.

Disk space is reserved ahead of large writes, as ``numpy.save`` reserves it.
On Linux a write into a new file pays, page by page, for the file system
to find and account space for it. Reserving the space of a large write first
(``fallocate`` with ``FALLOC_FL_KEEP_SIZE``: the file's size does not change,
so readers and HDF5 see nothing) makes the write itself about 25% faster on
ext4; ``numpy.ndarray.tofile`` (and so ``numpy.save``) does the same before
every array it writes.

Reserving is only a hint. Where the system or the file system has no such
call, or refuses it (a full disk, a network file system), nothing happens and
the write goes on as before, reporting its own errors. Space reserved past
the end of a file that a write then did not fill is given back by
:func:`release_unused`; a writer killed before it could call it leaves that
space reserved until the file is next written or removed.

The writers also start the writeback of what they have written as they go
(:class:`Writeback`: Linux's ``sync_file_range``, which starts writing dirty
pages to disk and returns at once). The ``fsync`` that makes the file durable
before it takes its name then finds little left to write: a 268 MB write and
its ``fsync`` took 88 to 93 ms instead of 140 here. Like the reservation, it
is only a hint, and does nothing where there is no such call.

Readers that fill a large buffer they did not allocate with numpy (the
unpickler's ``bytearray``) ask for huge pages first (:func:`prefer_huge_pages`),
as numpy's allocator does for arrays.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Dict, Optional

from ._typing import PathLike

_KEEP_SIZE = 0x01  # FALLOC_FL_KEEP_SIZE, from <linux/falloc.h>
_WRITE = 0x02  # SYNC_FILE_RANGE_WRITE, from <fcntl.h>: start writing dirty pages, do not wait
#: The C functions once looked up, by name; False where there is none.
_functions: Dict[str, Any] = {}


def _c_function(name: str) -> Any:
    """Linux's ``fallocate(fd, mode, offset, length)``, ``sync_file_range(fd, offset, length, flags)`` or
    ``madvise(address, length, advice)``; False where there is none."""
    function = _functions.get(name)
    if function is None:
        function = _functions[name] = False
        if sys.platform.startswith("linux"):
            import ctypes

            # The 64 names take 64-bit offsets everywhere (glibc); where they are missing (musl), the plain
            # names do on 64-bit systems. madvise takes no offsets.
            names = [name] if name == "madvise" else (
                [name + "64"] + ([name] if ctypes.sizeof(ctypes.c_long) == 8 else []))
            try:
                library = ctypes.CDLL(None, use_errno=True)
            except OSError:
                names = []
            found = next((getattr(library, each) for each in names if hasattr(library, each)), None)
            if found is not None:
                found.argtypes = {
                    "fallocate": [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64],
                    "sync_file_range": [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint],
                    "madvise": [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int],
                }[name]
                found.restype = ctypes.c_int
                function = _functions[name] = found
    return function


def reserve(descriptor: int, nbytes: int, offset: Optional[int] = None) -> bool:
    """Reserve ``nbytes`` of disk for the open file ``descriptor`` from ``offset`` (default: its end).

    Returns whether the space was reserved. The file's size and content do
    not change.

    Examples
    --------
    >>> import os, tempfile
    >>> descriptor, path = tempfile.mkstemp()
    >>> _ = reserve(descriptor, 1 << 20)
    >>> os.fstat(descriptor).st_size
    0
    >>> os.close(descriptor); release_unused(path); os.remove(path)
    """
    fallocate = _c_function("fallocate")
    if not fallocate or nbytes <= 0:
        return False
    try:
        start = os.fstat(descriptor).st_size if offset is None else offset
    except OSError:
        return False
    return fallocate(descriptor, _KEEP_SIZE, start, nbytes) == 0


def h5py_descriptor(handle: Any) -> Optional[int]:
    """The operating system's descriptor of an open ``h5py.File``, where its file driver has one."""
    try:
        descriptor = handle.id.get_vfd_handle()
    except (AttributeError, ValueError, TypeError, OSError):
        return None
    return descriptor if isinstance(descriptor, int) else None


def release_unused(path: PathLike) -> None:
    """Give back the space reserved past the end of the file at ``path`` (its size and content stay)."""
    if _c_function("fallocate"):
        try:
            os.truncate(path, os.stat(path).st_size)
        except OSError:
            pass


#: Bytes written between two starts of the writeback (see :class:`Writeback`).
WRITEBACK_EVERY = 16 << 20


def start_writeback(descriptor: int) -> bool:
    """Start writing the dirty pages of the open file ``descriptor`` to disk, without waiting for them.

    Returns whether the system took the request. Pages already being
    written are left alone, so calling it again costs little.

    Examples
    --------
    >>> import os, tempfile
    >>> descriptor, path = tempfile.mkstemp()
    >>> _ = os.write(descriptor, b"data")
    >>> _ = start_writeback(descriptor)  # True on Linux
    >>> os.close(descriptor); os.remove(path)
    """
    sync_file_range = _c_function("sync_file_range")
    if not sync_file_range:
        return False
    return sync_file_range(descriptor, 0, 0, _WRITE) == 0  # offset 0, length 0: the whole file


class Writeback:
    """Start the writeback of a file every :data:`WRITEBACK_EVERY` bytes written to it.

    ``descriptor`` may be None (a file without one, as some HDF5 drivers
    have): nothing is done then, nor after the system first refuses.

    Examples
    --------
    >>> import os, tempfile
    >>> descriptor, path = tempfile.mkstemp()
    >>> writeback = Writeback(descriptor)
    >>> for _ in range(4):
    ...     writeback.wrote(os.write(descriptor, bytes(1 << 20)))
    >>> os.close(descriptor); os.remove(path)
    """

    def __init__(self, descriptor: Optional[int], every: int = WRITEBACK_EVERY) -> None:
        self.descriptor = descriptor
        self.every = every
        self.unstarted = 0

    def wrote(self, nbytes: int) -> None:
        """Count ``nbytes`` more written; start the writeback once :attr:`every` bytes are waiting."""
        self.unstarted += nbytes
        if self.unstarted >= self.every and self.descriptor is not None:
            self.unstarted = 0
            if not start_writeback(self.descriptor):
                self.descriptor = None


_HUGE_PAGE = 2 << 20
_MADV_HUGEPAGE = 14  # from <sys/mman.h>
#: Buffers smaller than this are left alone (numpy asks for huge pages from 4 MiB on).
HUGE_PAGES_FROM = 4 << 20


def prefer_huge_pages(buffer: Any) -> bool:
    """Ask Linux to back a large writable buffer, not yet filled, with huge pages, as numpy does for its arrays.

    Filling fresh memory costs a page fault per page; with 2 MiB pages
    instead of 4 KiB ones, reading a 268 MB array into a new ``bytearray``
    (what the unpickler makes) took 38 ms instead of 135 ms here. Only the
    huge pages wholly inside the buffer are advised; nothing changes where
    the system has no such call or does not use huge pages. Returns whether
    the advice was taken.

    Examples
    --------
    >>> buffer = bytearray(8 << 20)
    >>> _ = prefer_huge_pages(buffer)  # True on Linux
    """
    view = memoryview(buffer)
    if view.nbytes < HUGE_PAGES_FROM or view.readonly or not view.c_contiguous:
        return False
    madvise = _c_function("madvise")
    if not madvise:
        return False
    import ctypes

    try:
        address = ctypes.addressof((ctypes.c_char * view.nbytes).from_buffer(view))
    except (TypeError, ValueError):  # a buffer ctypes cannot take: it is only a hint
        return False
    start = -(-address // _HUGE_PAGE) * _HUGE_PAGE
    end = (address + view.nbytes) // _HUGE_PAGE * _HUGE_PAGE
    return end > start and madvise(start, end - start, _MADV_HUGEPAGE) == 0
