"""How much data a read may give back: the one limit every reader checks before it allocates.

The readers refuse what no writer makes — data that is not in the file (HDF5
fill values, chunks never written, ``.npy`` headers larger than their member),
one object reached twice — so an uncompressed file gives back about its own
size. Compression is what lets a small file stand for much more data:
deflate reaches about 1000 to 1, and a masked image really does compress
that well (a 256³ vessel mask: 300 to 700 to 1). A read therefore gives back
at most ``max_ratio`` times the file's size, plus :data:`ALLOWANCE`, counting
every place an array or string appears; a caller who trusts a file that
compresses better raises ``max_ratio``.
"""

from __future__ import annotations

import math
import numbers
from typing import Tuple, Union

from ..errors import DataFileError
from ._tree import path_text

#: Default ``max_ratio``: the data a read gives back, per byte of the file.
DEFAULT_MAX_RATIO = 100.0

#: Bytes every file may give back on top of ``max_ratio`` times its size (16 MiB), so that
#: small files holding well-compressed arrays read whatever the ratio.
ALLOWANCE = 16 << 20


def check_max_ratio(max_ratio: object) -> float:
    """``max_ratio`` as a float, or a ValueError unless it is a positive number (``math.inf`` lifts the limit).

    Examples
    --------
    >>> check_max_ratio(1000), check_max_ratio(math.inf)
    (1000.0, inf)
    """
    if isinstance(max_ratio, bool) or not isinstance(max_ratio, numbers.Real) or not float(max_ratio) > 0:
        raise ValueError(f"max_ratio must be a positive number (math.inf for no limit), not {max_ratio!r}")
    return float(max_ratio)


class Budget:
    """The bytes one read may still give back; :meth:`charge` before allocating, and it refuses past the limit.

    Parameters
    ----------
    source : str
        The file, named in the error.
    file_size : int
        The file's size in bytes.
    max_ratio : float
        Bytes of data per byte of file (see :func:`check_max_ratio`).

    Examples
    --------
    >>> budget = Budget("a.npz", 1000, 2.0)
    >>> budget.limit == 2000 + ALLOWANCE
    True
    >>> budget.charge(ALLOWANCE + 3000, "member Points.npy")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    vmtkscripts_numpy.errors.DataFileError: a.npz: member Points.npy: the data would pass 16779216 bytes, ...
    """

    __slots__ = ("source", "file_size", "max_ratio", "limit", "used")

    def __init__(self, source: str, file_size: int, max_ratio: float) -> None:
        self.source = source
        self.file_size = int(file_size)
        self.max_ratio = check_max_ratio(max_ratio)
        self.limit = math.inf if math.isinf(self.max_ratio) else self.max_ratio * self.file_size + ALLOWANCE
        self.used = 0

    def charge(self, nbytes: int, where: Union[str, Tuple[Union[str, int], ...]]) -> None:
        """Count ``nbytes`` more; a :class:`DataFileError` naming ``where`` (a key path is spelled out) past the limit."""
        self.used += nbytes
        if self.used > self.limit:
            raise DataFileError(
                self.source,
                f"{where if isinstance(where, str) else path_text(where)}: the data would pass {int(self.limit)} bytes, {self.max_ratio:g} times the file's "
                f"{self.file_size} bytes plus 16 MiB (a compression bomb, or data that compresses unusually well); "
                "if you trust the file, read it with a larger max_ratio (vmtknumpyreader -maxratio)",
            )
