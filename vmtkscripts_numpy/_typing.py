"""Type aliases shared by the package's modules."""

import os
from typing import Union

#: A file name: a string or anything :func:`os.fspath` turns into one (a :class:`pathlib.Path`, say).
PathLike = Union[str, "os.PathLike[str]"]
