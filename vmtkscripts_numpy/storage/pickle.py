"""ArrayDicts as Python pickles, read through an unpickler that loads only data.

Plain :func:`pickle.load` runs whatever code a file names. :func:`read` instead
admits only the globals an ArrayDict's pickle needs — ``dict``, ``list``,
``tuple`` and the other builtins' data types, numpy's array, dtype and scalar
constructors (under numpy 1's ``numpy.core`` and numpy 2's ``numpy._core``
paths) — and reads vmtk's ``vividict`` (``vmtk.<module>.vividict``) as a plain
``dict`` without importing vmtk. vmtk's mesh pickles also name VTK's
``dataset_adapter.VTKArray`` (an ndarray subclass that ``vmtkmeshtonumpy``
leaves in its dict): that name stands for ``numpy.ndarray`` itself, so those
arrays load as plain arrays through the very path a pickled ndarray takes, and
neither VTK nor any other code is imported or called. Any other global is
refused before anything is called, with a
:class:`~vmtkscripts_numpy.errors.DataFileError` naming the file and the global.

:func:`write` pickles plain containers (dict subclasses become ``dict``) with
the highest protocol, so that this reader, vmtk's and ``pickle.load`` all read
the file.

Examples
--------
>>> import numpy as np, os, tempfile
>>> from vmtkscripts_numpy.storage import pickle as pickle_format
>>> path = os.path.join(tempfile.mkdtemp(), "a.pickle")
>>> pickle_format.write(path, {"Points": np.zeros((2, 3), np.float32), "PointData": {}})
>>> pickle_format.read(path)["Points"].dtype
dtype('float32')
"""

from __future__ import annotations

import builtins
import copyreg
import io
import pickle
from typing import Any, Dict, Optional

import numpy as np

from .._atomic import atomic_output
from ..errors import ArrayDictError, DataFileError
from . import _files, _tree

NAME = "pickle"

try:  # numpy >= 2 (numpy 1.26 also has these, as aliases)
    from numpy._core import multiarray as _multiarray
    from numpy._core import numeric as _numeric
except ImportError:  # pragma: no cover - numpy < 1.26
    from numpy.core import multiarray as _multiarray  # type: ignore[no-redef]
    from numpy.core import numeric as _numeric  # type: ignore[no-redef]


def _latin1_encode(text: str, encoding: str = "latin1") -> bytes:
    # Protocol 2 pickles write bytes as _codecs.encode(text, "latin1"); no other codec is needed.
    if encoding not in ("latin1", "latin-1") or not isinstance(text, str):
        raise pickle.UnpicklingError(f"_codecs.encode with encoding {encoding!r}")
    return text.encode("latin1")


_BUILTINS: Dict[str, Any] = {
    name: getattr(builtins, name)
    for name in ("dict", "list", "tuple", "bool", "int", "float", "complex", "str", "bytes", "bytearray")
}

#: Every global a pickle may name, by module: the object it stands for.
ALLOWED_GLOBALS: Dict[str, Dict[str, Any]] = {
    "builtins": _BUILTINS,
    "__builtin__": _BUILTINS,  # Python 2 pickles
    "collections": {"OrderedDict": dict},
    # Protocol 0/1 pickles of dict subclasses; it only calls the (admitted) classes it is given.
    "copyreg": {"_reconstructor": copyreg._reconstructor},
    "copy_reg": {"_reconstructor": copyreg._reconstructor},
    "_codecs": {"encode": _latin1_encode},
    "numpy": {"ndarray": np.ndarray, "dtype": np.dtype},
}
# vmtk's mesh pickles hold VTK's dataset_adapter.VTKArray, pickled as numpy pickles every ndarray subclass:
# multiarray._reconstruct(VTKArray, (0,), b"b") and then ndarray.__setstate__ with the array's shape, dtype
# and bytes. Standing for numpy.ndarray (already admitted above), the name rebuilds a plain array the same
# way and admits nothing new. vmtk imports the module as vtk.numpy_interface, VTK's own code as vtkmodules.
for _module in ("vtk.numpy_interface.dataset_adapter", "vtkmodules.numpy_interface.dataset_adapter"):
    ALLOWED_GLOBALS[_module] = {"VTKArray": np.ndarray}
del _module
for _package in ("numpy.core", "numpy._core"):
    ALLOWED_GLOBALS[_package + ".multiarray"] = {
        "_reconstruct": _multiarray._reconstruct,
        "scalar": _multiarray.scalar,
    }
    ALLOWED_GLOBALS[_package + ".numeric"] = {"_frombuffer": _numeric._frombuffer}
del _package


def _numpy_dtype_class(name: str) -> Optional[type]:
    # numpy >= 1.25 may name dtype classes (numpy.dtypes.Float64DType) in pickles of dtypes.
    if not name.endswith("DType"):
        return None
    try:
        import numpy.dtypes as dtypes
    except ImportError:  # pragma: no cover - numpy < 1.25
        return None
    candidate = getattr(dtypes, name, None)
    if isinstance(candidate, type) and issubclass(candidate, np.dtype):
        return candidate
    return None


def allowed_global(module: str, name: str) -> Optional[Any]:
    """The object a pickle may get for ``module.name``, or None if it is refused.

    Examples
    --------
    >>> allowed_global("vmtk.vmtksurfacetonumpy", "vividict")
    <class 'dict'>
    >>> allowed_global("vtk.numpy_interface.dataset_adapter", "VTKArray")
    <class 'numpy.ndarray'>
    >>> allowed_global("os", "system") is None
    True
    """
    if name == "vividict" and (module == "vmtk" or module.startswith("vmtk.")):
        return dict
    if module == "numpy.dtypes":
        return _numpy_dtype_class(name)
    return ALLOWED_GLOBALS.get(module, {}).get(name)


class RefusedGlobal(pickle.UnpicklingError):
    """A pickle named a global that an ArrayDict never holds."""

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name
        super().__init__(f"{module}.{name}")


class SafeUnpickler(pickle.Unpickler):
    """An unpickler that builds data only: globals outside :data:`ALLOWED_GLOBALS` are refused.

    Refusal happens when the global is looked up, before anything is called,
    so a hostile pickle stops with :class:`RefusedGlobal` and runs nothing.
    """

    def find_class(self, module: str, name: str) -> Any:
        found = allowed_global(module, name)
        if found is None:
            raise RefusedGlobal(module, name)
        return found

    def persistent_load(self, pid: Any) -> Any:
        raise pickle.UnpicklingError("persistent ids are not supported")


def loads(data: bytes, source: str = "<bytes>") -> Dict[str, Any]:
    """Unpickle ``data`` safely and check it is an ArrayDict; ``source`` names it in errors."""
    return _load(io.BytesIO(data), source)


def _load(stream: Any, source: str) -> Dict[str, Any]:
    try:
        # latin1 lets numpy arrays pickled by Python 2 load; Python 3 pickles are unaffected.
        loaded = SafeUnpickler(stream, encoding="latin1").load()
    except RefusedGlobal as refused:
        raise DataFileError(
            source,
            f"refused to unpickle: it asks for {refused.module}.{refused.name}, which is not part of an "
            "ArrayDict (only dicts, lists, strings, numbers and numpy arrays are loaded); "
            "if you trust this file, load it with pickle.load yourself",
        ) from None
    except (EOFError, pickle.UnpicklingError) as error:
        detail = str(error) or type(error).__name__
        if isinstance(error, EOFError) or "truncated" in detail:
            raise DataFileError(source, f"is truncated (the pickle ends early: {detail})") from None
        raise _files.not_the_format(source, NAME, detail) from None
    except (MemoryError, RecursionError) as error:
        raise DataFileError(source, f"cannot be unpickled ({type(error).__name__})") from None
    except Exception as error:  # bad arguments to an admitted constructor, e.g. a damaged array
        raise DataFileError(source, f"is damaged: {type(error).__name__}: {error}") from None
    return _as_array_dict(loaded, source)


def _as_array_dict(loaded: Any, source: str) -> Dict[str, Any]:
    if not isinstance(loaded, dict):
        raise DataFileError(source, f"holds a {type(loaded).__name__}, not an ArrayDict (a dict)")
    try:
        return _tree.plain(loaded)
    except ArrayDictError as error:
        raise DataFileError(source, f"does not hold an ArrayDict: {error}") from None


def read(path: _files.PathLike) -> Dict[str, Any]:
    """Read the ArrayDict in the pickle file ``path`` without running any code from it.

    Reads this package's files, vmtk's (``vividict`` becomes ``dict``, VTK's
    ``VTKArray`` in vmtk's mesh pickles a plain ``numpy.ndarray``) and numpy 1
    and 2 pickles alike.

    Raises
    ------
    DataFileError
        If the file is missing, empty, truncated, not a pickle, names a global
        that is not admitted, or does not hold an ArrayDict.
    """
    name = _files.check_readable(path, NAME)
    try:
        with open(name, "rb") as stream:
            return _load(stream, name)
    except OSError as error:
        if isinstance(error, DataFileError):
            raise
        raise DataFileError(name, f"cannot be read: {error.strerror or error}") from None


def write(path: _files.PathLike, array_dict: Dict[str, Any], protocol: int = pickle.HIGHEST_PROTOCOL) -> None:
    """Write ``array_dict`` to ``path`` as a pickle of plain containers and numpy arrays, atomically.

    Parameters
    ----------
    path : str or path-like
        The file written, exactly as given (no extension is added here).
    array_dict : dict
        The ArrayDict; checked first (see :mod:`vmtkscripts_numpy.storage._tree`).
    protocol : int
        The pickle protocol, 2 to :data:`pickle.HIGHEST_PROTOCOL` (default).

    Raises
    ------
    ArrayDictError
        If ``array_dict`` holds something that cannot be stored; nothing is written.
    DataFileError
        If the file cannot be written; an earlier file at ``path`` is left intact.
    """
    if not 2 <= protocol <= pickle.HIGHEST_PROTOCOL:
        raise ValueError(f"pickle protocol must be 2 to {pickle.HIGHEST_PROTOCOL}, not {protocol}")
    tree = _tree.plain(array_dict)
    with atomic_output(path) as temporary:
        with open(temporary, "wb") as stream:
            pickle.dump(tree, stream, protocol=protocol)

