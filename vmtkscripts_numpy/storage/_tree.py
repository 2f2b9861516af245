"""What an ArrayDict may hold, checked once for every format.

An ArrayDict is a tree: dicts (any ``dict`` subclass, such as vmtk's ``vividict``)
with string keys, lists and tuples, and leaves. This module walks such a tree,
says what each node is, and refuses — with the key path — anything a file
cannot hold exactly. Every format writes from :func:`walk`, so they all accept
and refuse the same things.

Node kinds (the names also appear in the files' own markers):

==========  ==================================================  ==================
kind        what it is                                          comes back as
==========  ==================================================  ==================
``dict``    ``dict`` or a subclass (``vividict``, OrderedDict)  ``dict``
``list``    ``list``                                            ``list``
``tuple``   ``tuple``                                           ``tuple``
``array``   ``numpy.ndarray`` (or a subclass, not masked)       ``numpy.ndarray``
``scalar``  numpy scalar (``numpy.float32(1)``, ...)            the same numpy type
``bool``    python ``bool``                                     python ``bool``
``int``     python ``int`` (must fit int64 or uint64)           python ``int``
``float``   python ``float``                                    python ``float``
``complex`` python ``complex``                                  python ``complex``
``str``     python ``str`` (UTF-8, no NUL character)            python ``str``
==========  ==================================================  ==================

Arrays and numpy scalars may have any bool, integer, float or complex dtype,
either byte order, or be fixed-width bytes (``S``) or unicode (``U``) strings.
Object, structured, datetime and variable-width string dtypes are refused.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Union

import numpy as np

from ..errors import ArrayDictError

#: Version of the on-disk layout (HDF5 attributes, npz manifest); bumped on incompatible changes.
LAYOUT_VERSION = 1

#: Dtype kinds an array leaf may have: bool, signed/unsigned int, float, complex, bytes, unicode.
ARRAY_KINDS = "biufcSU"

#: Deepest nesting accepted (ArrayDicts are a few levels deep; this stops runaway recursion).
MAX_DEPTH = 100

Path = Tuple[Union[str, int], ...]

_INT64 = (-(2**63), 2**63 - 1)
_UINT64_MAX = 2**64 - 1


def path_text(path: Path, root: str = "ArrayDict") -> str:
    """``("CellData", "CellPointIds", 3)`` -> ``"ArrayDict['CellData']['CellPointIds'][3]"``."""
    return root + "".join(f"[{key!r}]" for key in path)


def _refuse(path: Path, problem: str) -> ArrayDictError:
    return ArrayDictError(f"{path_text(path)}: {problem}")


def check_key(key: Any, path: Path) -> str:
    """A dict key as stored: a non-empty ``str`` without ``/`` or NUL, not ``"."``.

    ``/`` separates keys in HDF5 paths and npz member names; HDF5 cannot name
    a member ``"."`` nor hold a NUL in a name.
    """
    if not isinstance(key, str):
        raise _refuse(path, f"keys must be strings, found key {key!r} of type {type(key).__name__}")
    if key == "" or key == ".":
        raise _refuse(path, f"key {key!r} cannot be stored (empty and '.' are not valid names)")
    if "/" in key:
        raise _refuse(path, f"key {key!r} contains '/', which separates keys in files; rename it")
    if "\x00" in key:
        raise _refuse(path, f"key {key!r} contains a NUL character")
    _check_utf8(key, path, "key")
    return str(key)


def _check_utf8(text: str, path: Path, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise _refuse(path, f"{what} {text[:40]!r} is not valid unicode ({error.reason})") from None


def check_dtype(dtype: np.dtype, path: Path) -> None:
    """Refuse dtypes that no format stores without pickle (object, structured, datetime, ...)."""
    if dtype.kind in ARRAY_KINDS and not dtype.fields and dtype.subdtype is None:
        return
    if dtype.kind == "O":
        reason = "object arrays are not stored (they would need pickle); convert to a numeric or string dtype"
    elif dtype.kind in "Mm":
        reason = "datetime arrays are not supported; store them as int64 (e.g. arr.view('int64'))"
    elif dtype.kind == "V" or dtype.fields:
        reason = "structured (record) arrays are not supported; store each field as its own array"
    else:
        reason = "this dtype is not supported; use bool, integer, float, complex, bytes or unicode"
    raise _refuse(path, f"dtype {dtype} cannot be stored: {reason}")


def leaf_kind(value: Any, path: Path) -> Tuple[str, Any]:
    """``(kind, value as stored)`` for a leaf, or an :class:`ArrayDictError` naming ``path``.

    Arrays come back as plain ``numpy.ndarray`` (subclasses such as VTK's
    ``VTKArray`` are viewed as their base class), numpy scalars as themselves.
    """
    if isinstance(value, np.ndarray):
        if isinstance(value, np.ma.MaskedArray):
            raise _refuse(path, "masked arrays are not stored (the mask would be lost); store data and mask")
        check_dtype(value.dtype, path)
        return "array", np.asarray(value)
    if isinstance(value, np.generic):
        check_dtype(value.dtype, path)
        return "scalar", value
    if isinstance(value, bool):
        return "bool", bool(value)
    if isinstance(value, int):
        if not _INT64[0] <= value <= _UINT64_MAX:
            raise _refuse(path, f"int {value} does not fit in 64 bits")
        return "int", int(value)
    if isinstance(value, float):
        return "float", float(value)
    if isinstance(value, complex):
        return "complex", complex(value)
    if isinstance(value, str):
        if "\x00" in value:
            raise _refuse(path, "strings with NUL characters are not stored")
        _check_utf8(value, path, "string")
        return "str", str(value)
    if value is None:
        problem = "None is not stored; leave the key out or store an empty array"
    elif isinstance(value, (bytes, bytearray)):
        problem = "bytes are not stored; use a numpy array (np.frombuffer(b, np.uint8)) or a str"
    else:
        problem = f"values of type {type(value).__name__} are not stored; use numpy arrays, str, lists or dicts"
    raise _refuse(path, problem)


def python_scalar_array(kind: str, value: Any) -> np.ndarray:
    """A python ``bool``/``int``/``float``/``complex`` as the 0-d array a file holds."""
    if kind == "int":
        return np.array(value, dtype=np.int64 if value <= _INT64[1] else np.uint64)
    return np.array(value, dtype={"bool": np.bool_, "float": np.float64, "complex": np.complex128}[kind])


#: The dtype kinds and item size of the 0-d array each python scalar kind is stored as.
_PYTHON_SCALAR_DTYPES = {"bool": ("b", 1), "int": ("iu", 8), "float": ("f", 8), "complex": ("c", 16)}


def python_scalar(kind: str, array: np.ndarray) -> Any:
    """Back from :func:`python_scalar_array`: ``array.item()`` as the python type ``kind``.

    Raises
    ------
    ArrayDictError
        Unless ``array`` is 0-d with the dtype :func:`python_scalar_array` gives
        ``kind`` (either byte order): an ``int`` read from a float array would
        fail on inf and NaN, or quietly round.

    Examples
    --------
    >>> python_scalar("int", np.array(2**64 - 1, np.uint64)), python_scalar("float", np.array(0.5))
    (18446744073709551615, 0.5)
    >>> python_scalar("int", np.array(np.nan))
    Traceback (most recent call last):
    ...
    vmtkscripts_numpy.errors.ArrayDictError: a python int is stored as a 0-d int64 or uint64 array, not float64 of shape ()
    """
    array = np.asarray(array)
    kinds, itemsize = _PYTHON_SCALAR_DTYPES[kind]
    if array.shape != () or array.dtype.kind not in kinds or array.dtype.itemsize != itemsize:
        stored = {"bool": "bool", "int": "int64 or uint64", "float": "float64", "complex": "complex128"}[kind]
        raise ArrayDictError(f"a python {kind} is stored as a 0-d {stored} array, not {array.dtype} of shape "
                             f"{array.shape}")
    return {"bool": bool, "int": int, "float": float, "complex": complex}[kind](array.item())


#: Kinds whose value is a python scalar stored as a 0-d array.
PYTHON_SCALARS = ("bool", "int", "float", "complex")
#: Every leaf kind.
LEAF_KINDS = ("array", "scalar", "str") + PYTHON_SCALARS
#: Every container kind.
CONTAINER_KINDS = ("dict", "list", "tuple")


def walk(array_dict: Any) -> Iterator[Tuple[Path, str, Any]]:
    """Every node of ``array_dict``, parents before children, in order: ``(path, kind, value)``.

    For a container ``value`` is the container itself (``dict`` kinds yield
    ``(key, child)`` pairs through :func:`items`); for a leaf it is the value
    as stored (see :func:`leaf_kind`). The walk checks every node as it goes.

    Raises
    ------
    ArrayDictError
        For a top level that is not a dict, a bad key, an unsupported leaf or
        a container that holds itself. The message names the key path.

    Examples
    --------
    >>> import numpy as np
    >>> [(path, kind) for path, kind, _ in walk({"Points": np.zeros((2, 3)), "CellData": {}})]
    [((), 'dict'), (('Points',), 'array'), (('CellData',), 'dict')]
    """
    if not isinstance(array_dict, dict):
        raise ArrayDictError(f"ArrayDict: expected a dict, found {type(array_dict).__name__}")
    stack: List[Tuple[Path, Any, frozenset]] = [((), array_dict, frozenset())]
    while stack:
        path, value, ancestors = stack.pop()
        if len(path) > MAX_DEPTH:
            raise _refuse(path[:MAX_DEPTH], f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, (dict, list, tuple)):
            if id(value) in ancestors:
                raise _refuse(path, "contains itself (a cycle); an ArrayDict must be a tree")
            inner = ancestors | {id(value)}
            if isinstance(value, dict):
                kind = "dict"
                children = [(path + (check_key(key, path),), child) for key, child in value.items()]
            else:
                kind = "list" if isinstance(value, list) else "tuple"
                children = [(path + (index,), child) for index, child in enumerate(value)]
            yield path, kind, value
            stack.extend((child_path, child, inner) for child_path, child in reversed(children))
        else:
            kind, stored = leaf_kind(value, path)
            yield path, kind, stored


def check(array_dict: Any) -> None:
    """Raise :class:`ArrayDictError` unless ``array_dict`` can be stored exactly by every format."""
    for _ in walk(array_dict):
        pass


def plain(array_dict: Any, array_stand_in: Optional[Callable[[np.ndarray], Any]] = None) -> Dict[str, Any]:
    """A checked copy of the tree made of plain ``dict``/``list``/``tuple`` and base-class arrays.

    Leaves are shared, not copied. This is what the pickle format writes, so
    that reading needs no class but the builtins' and numpy's. With
    ``array_stand_in``, each array is replaced by what that function returns
    for it (the array itself, to keep it).
    """
    check(array_dict)
    return _plain(array_dict, array_stand_in)


def _plain(value: Any, array_stand_in: Optional[Callable[[np.ndarray], Any]]) -> Any:
    if isinstance(value, dict):
        return {str(key): _plain(child, array_stand_in) for key, child in value.items()}
    if isinstance(value, list):
        return [_plain(child, array_stand_in) for child in value]
    if isinstance(value, tuple):
        return tuple(_plain(child, array_stand_in) for child in value)
    leaf = leaf_kind(value, ())[1]
    if array_stand_in is not None and isinstance(leaf, np.ndarray):
        return array_stand_in(leaf)
    return leaf
