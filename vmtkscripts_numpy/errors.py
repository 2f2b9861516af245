"""The package's exceptions and warnings: one family for bad ArrayDicts, one for bad files.

Every message names the key or the file, what was expected and what was found.
"""


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
    """A file is missing, unreadable, truncated, of the wrong format or of the wrong layout."""

    def __init__(self, path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"

    def __reduce__(self):
        return (type(self), (self.path, self.problem))


class LossWarning(UserWarning):
    """Something could not be kept exactly (a format without a direction matrix, say)."""
