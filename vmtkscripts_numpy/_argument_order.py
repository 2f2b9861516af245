"""Writers take ``(data, path)``; the older ``(path, data)`` order still works, with a deprecation warning.

Every writer of the package takes what it writes first and the file second, as
VTK's and PyVista's do (``write_surface(surface, path)``, ``mesh.save(path)``)
and returns the file as a :class:`pathlib.Path`. The ArrayDict writers took
``(path, array_dict)`` before; that order is told apart by the types alone (a
path first, and data that is no path second: a mapping, for an ArrayDict) and
never guessed otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Tuple, Type, Union

from .errors import VmtkNumpyDeprecationWarning, warn

def is_path(value: Any) -> bool:
    """Whether ``value`` names a file: a ``str``, ``bytes`` or :class:`os.PathLike`."""
    return isinstance(value, (str, bytes, os.PathLike))


def data_and_path(
    data: Any, path: Any, function: str, data_types: Union[Type[Any], Tuple[Type[Any], ...]] = Mapping,
) -> Tuple[Any, Any]:
    """``(data, path)`` as the caller of ``function`` meant them.

    Given in the old order (a path first, and an instance of ``data_types``
    that is no path second) they are swapped back, with a
    :class:`~vmtkscripts_numpy.errors.VmtkNumpyDeprecationWarning` that points
    at the line calling ``function``. Anything else is returned as given.

    Examples
    --------
    >>> data_and_path({"a": 1}, "a.h5", "write_array_dict")
    ({'a': 1}, 'a.h5')
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     data_and_path("a.h5", {"a": 1}, "write_array_dict")
    ({'a': 1}, 'a.h5')
    >>> print(caught[0].message)
    write_array_dict(path, data) is deprecated: give the data first, write_array_dict(data, path)
    """
    if is_path(data) and not is_path(path) and isinstance(path, data_types):
        warn(
            f"{function}(path, data) is deprecated: give the data first, {function}(data, path)",
            VmtkNumpyDeprecationWarning,
        )
        return path, data
    return data, path
