"""Files: checks before reading, and telling formats apart by their content (through the registry).

Atomic writing is :mod:`vmtkscripts_numpy._atomic`.
"""

from __future__ import annotations

import errno
import functools
import os
from typing import Any, Callable, Iterator, Optional, Sequence, TypeVar

import numpy as np

from .. import formats
from ..errors import DataFileError, MissingFileError
from .._preallocate import reserve
from .._typing import PathLike


#: Bytes a file is reserved beyond its arrays' (headers, a manifest); what a write does not use is given back.
_RESERVED_FOR_HEADERS = 1 << 16
#: Files of fewer bytes of arrays are not reserved ahead: they would gain less than the call costs.
_RESERVE_FROM = 1 << 20


def reserve_for(stream: Any, nbytes: int) -> None:
    """Reserve the disk space of a file about to hold ``nbytes`` of arrays (see :func:`array_bytes`).

    See :mod:`vmtkscripts_numpy._preallocate`; files of less than 1 MiB of
    arrays are not reserved.
    """
    if nbytes >= _RESERVE_FROM:
        reserve(stream.fileno(), nbytes + _RESERVED_FOR_HEADERS)


def array_bytes(tree: Any) -> int:
    """Bytes of the numpy arrays in a tree of dicts, lists and tuples.

    >>> import numpy as np
    >>> array_bytes({"Points": np.zeros((2, 3)), "Lines": [np.arange(4, dtype=np.int32)], "Name": "aorta"})
    64
    """
    if isinstance(tree, np.ndarray):
        return int(tree.nbytes)
    if isinstance(tree, dict):
        tree = tree.values()
    elif not isinstance(tree, (list, tuple)):
        return 0
    return sum(array_bytes(child) for child in tree)


def fastest_axis(array: np.ndarray) -> Optional[int]:
    """The axis along which ``array``'s values lie closest in memory, of those longer than 1 and not broadcast.

    None when there is none (a single value, or a broadcast one).

    >>> fastest_axis(np.zeros((4, 5))), fastest_axis(np.zeros((4, 5), order="F")), fastest_axis(np.zeros((1, 1)))
    (1, 0, None)
    """
    moving = [axis for axis in range(array.ndim) if array.shape[axis] > 1 and array.strides[axis] != 0]
    return min(moving, key=lambda axis: abs(array.strides[axis]), default=None)


def c_ordered_pieces(array: np.ndarray, most: int) -> Iterator[np.ndarray]:
    """Consecutive pieces of ``array`` of at most ``most`` values each; in C order one after another, they are the array.

    How the writers write an array that is not contiguous a block at a time:
    each piece is a slab of whole trailing axes (or a run of the last axis),
    copied into C order in one numpy call.

    Examples
    --------
    >>> array = np.arange(24).reshape(2, 3, 4)[:, :, ::2]
    >>> [piece.shape for piece in c_ordered_pieces(array, 4)]
    [(2, 2), (1, 2), (2, 2), (1, 2)]
    >>> bool((np.concatenate([piece.ravel() for piece in c_ordered_pieces(array, 4)]) == array.ravel()).all())
    True
    """
    split, inner = array.ndim - 1, 1  # axes after ``split`` go whole into each piece: ``inner`` values
    while split > 0 and inner * array.shape[split] <= most:
        inner *= array.shape[split]
        split -= 1
    step = max(1, most // inner)
    for outer in np.ndindex(*array.shape[:split]):
        slab = array[outer]
        for start in range(0, array.shape[split], step):
            yield slab[start:start + step]


def sniff_format(path: PathLike) -> Optional[str]:
    """The ArrayDict format a file's content announces (``"hdf5"``, ``"npz"``, ``"pickle"``...), or None.

    The registry (:func:`vmtkscripts_numpy.formats.identify`) decides: first
    bytes (HDF5's also after a user block of 512, 1024, ... bytes), then the
    content where it must (a VTKHDF file is not an ArrayDict).
    """
    found = formats.identify(path, "arraydict")
    return found.name if found is not None else None


def check_readable(path: PathLike, format_name: str) -> str:
    """``path`` as a string, or a :class:`DataFileError` if it is missing, a folder, empty or unreadable."""
    name = os.fspath(path)
    if not os.path.exists(name):
        raise MissingFileError(name)
    if os.path.isdir(name):
        raise DataFileError(name, f"is a folder, not {describe(format_name)}")
    try:
        size = os.path.getsize(name)
    except OSError as error:
        raise DataFileError(name, f"cannot be read: {error.strerror or error}", error.errno) from None
    if size == 0:
        raise DataFileError(name, f"is empty (0 bytes), not {describe(format_name)}")
    if not os.access(name, os.R_OK):
        raise DataFileError(name, "cannot be read: permission denied", errno.EACCES)
    return name


def check_compression(
    format_name: str, choices: Sequence[Optional[str]], compression: Optional[str], method: str, level: object
) -> None:
    """Raise :class:`ValueError` unless ``compression`` is one of ``choices`` and ``level`` an integer 0-9.

    ``format_name`` ("HDF5", "npz") and ``method`` ("gzip", "deflate") name them in the message.
    """
    import numpy as np

    if compression not in choices:
        raise ValueError(f"{format_name} compression must be one of {tuple(choices)}, not {compression!r}")
    if isinstance(level, bool) or not isinstance(level, (int, np.integer)) or not 0 <= level <= 9:
        raise ValueError(f"{method} compression level must be an integer from 0 to 9, not {level!r}")


def describe(format_name: str) -> str:
    """``"hdf5"`` -> ``"an HDF5 file"``, for messages."""
    try:
        return formats.by_name("arraydict", format_name).a_file
    except ValueError:
        return f"a {format_name} file"


def not_the_format(path: str, format_name: str, detail: str = "") -> DataFileError:
    """The error for a file that cannot be opened as ``format_name``, saying what it looks like instead.

    A file that starts like ``format_name`` but cannot be opened is damaged or truncated.
    """
    other = sniff_format(path)
    if other == format_name:
        return DataFileError(path, f"is truncated or damaged ({detail})" if detail else "is truncated or damaged")
    problem = f"is not {describe(format_name)}"
    if other:
        problem += f" (it looks like {describe(other)}; read it with format='{other}')"
    elif detail:
        problem += f" ({detail})"
    return DataFileError(path, problem)


def one_line(text: str) -> str:
    """``text`` with line breaks and other unprintable characters escaped.

    Examples
    --------
    >>> print(one_line("member a\\nb.npy is missing"))
    member a\\nb.npy is missing
    """
    if text.isprintable():
        return text
    return "".join(
        character if character.isprintable() else character.encode("unicode_escape").decode("ascii")
        for character in text
    )


Read = TypeVar("Read", bound=Callable[..., Any])


def one_line_errors(read: Read) -> Read:
    """Make the :class:`DataFileError` of a reader one line, whatever names and text a hostile file holds."""

    @functools.wraps(read)
    def checked(*arguments: Any, **options: Any) -> Any:
        try:
            return read(*arguments, **options)
        except DataFileError as error:
            if error.problem.isprintable():
                raise
            raise type(error)(error.path, one_line(error.problem), error.errno) from None

    return checked  # type: ignore[return-value]
