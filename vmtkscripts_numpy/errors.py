"""The package's exceptions and warnings: one family for bad ArrayDicts, one for bad files.

Every message names the key or the file, what was expected and what was found.
"""

import os
import sys
import warnings
from errno import ENOENT
from typing import Optional, Tuple, Type

from ._typing import PathLike


class VmtkNumpyError(Exception):
    """Base of the package's own exceptions."""


class ArrayDictError(VmtkNumpyError, ValueError):
    """An ArrayDict (or a VTK object) cannot be converted as it is.

    Examples
    --------
    >>> raise ArrayDictError("ArrayDict['Points']: expected shape (N, 3), found (10, 2)")
    Traceback (most recent call last):
    ...
    vmtkscripts_numpy.errors.ArrayDictError: ArrayDict['Points']: expected shape (N, 3), found (10, 2)
    """


class DataFileError(VmtkNumpyError, OSError):
    """A file is missing, unreadable, truncated, of the wrong format or of the wrong layout.

    Its message starts with the file name; like any :class:`OSError` it carries the name in
    ``filename`` and, where the system reported one, the error number in ``errno``.

    Examples
    --------
    >>> error = DataFileError("vessel.vtp", "is empty (0 bytes)")
    >>> print(error)
    vessel.vtp: is empty (0 bytes)
    >>> error.filename, error.errno
    ('vessel.vtp', None)
    """

    def __init__(self, path: PathLike, problem: str, errno: Optional[int] = None) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")
        self.errno = errno
        self.strerror = problem
        self.filename = self.path

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"

    def __reduce__(self) -> Tuple[type, Tuple[str, str, Optional[int]]]:
        return (type(self), (self.path, self.problem, self.errno))


class MissingFileError(DataFileError, FileNotFoundError):
    """A file that is not there: a :class:`DataFileError` and a :class:`FileNotFoundError` (``errno.ENOENT``).

    Examples
    --------
    >>> import errno
    >>> error = MissingFileError("vessel.vtp")
    >>> print(error)
    vessel.vtp: no such file
    >>> isinstance(error, FileNotFoundError), error.errno == errno.ENOENT, error.filename
    (True, True, 'vessel.vtp')
    """

    def __init__(self, path: PathLike, problem: str = "no such file", errno: Optional[int] = ENOENT) -> None:
        super().__init__(path, problem, errno)


class LossWarning(UserWarning):
    """Something could not be kept exactly (a format without a direction matrix, say)."""


class VmtkNumpyDeprecationWarning(DeprecationWarning):
    """A way of calling the package that still works but will stop working (writers given ``(path, data)``).

    The package's own tests turn it into an error, so that none of its own calls creeps back.
    """


#: The package's folder: frames of files under it are the package's own.
_PACKAGE_FOLDER = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn(message: str, category: Type[Warning] = LossWarning) -> None:
    """Warn, naming the line of the user's code that called into the package.

    Python attributes a warning to a frame a fixed number of calls up
    (``stacklevel``), but the package is reached by many paths (a function,
    a script, a pipe, a format module under a reader): the warning is
    attributed here to the first frame outside the package, the line a user
    can act on. Where every frame is the package's (its command line), the
    outermost one is named.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn("aorta.stl: STL does not keep everything: point arrays 'Pressure' are dropped")
    >>> caught[0].category.__name__, caught[0].filename.startswith(_PACKAGE_FOLDER)
    ('LossWarning', False)
    """
    frame = sys._getframe(1)
    level = 2
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE_FOLDER):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
