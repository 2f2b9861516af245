"""Checks shared by the converters: every failure names the key, what was expected and what was found."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

import numpy as np

from ..errors import ArrayDictError


def key_path(where: str, *keys: Any) -> str:
    """``key_path("ArrayDict", "PointData", "p")`` -> ``"ArrayDict['PointData']['p']"``."""
    if len(keys) == 1:  # the common case, and converters build many paths per dict
        return f"{where}[{keys[0]!r}]"
    return where + "".join(f"[{key!r}]" for key in keys)


def require(mapping: Any, key: str, where: str = "ArrayDict") -> Any:
    """``mapping[key]``, or an :class:`ArrayDictError` that says which key is missing."""
    if type(mapping) is not dict and not isinstance(mapping, Mapping):
        raise ArrayDictError(f"{where}: expected a dict, found {type(mapping).__name__}")
    if key not in mapping:
        present = ", ".join(repr(k) for k in mapping) or "none"
        raise ArrayDictError(f"{key_path(where, key)}: missing (keys present: {present})")
    return mapping[key]


def optional_mapping(mapping: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    """``mapping[key]`` when present (it must be a dict), else an empty dict."""
    value = mapping.get(key)
    if value is None:
        return {}
    if type(value) is not dict and not isinstance(value, Mapping):
        raise ArrayDictError(f"{key_path(where, key)}: expected a dict, found {type(value).__name__}")
    return value


def numeric_array(values: Any, where: str, allow_bool: bool = False) -> np.ndarray:
    """``values`` as a numpy array of integers or floats (or bools when allowed).

    Raises
    ------
    ArrayDictError
        For strings, objects, complex numbers and ragged nested lists.

    Examples
    --------
    >>> numeric_array([1, 2, 3], "ArrayDict['Spacing']").dtype.kind
    'i'
    >>> numeric_array(["a"], "ArrayDict['Spacing']")
    Traceback (most recent call last):
    ...
    vmtkscripts_numpy.errors.ArrayDictError: ArrayDict['Spacing']: expected numbers, found dtype <U1
    """
    try:
        array = np.asarray(values)
    except (ValueError, TypeError) as error:
        raise ArrayDictError(f"{where}: cannot be read as a numeric array ({error})") from None
    kinds = "iuf" + ("b" if allow_bool else "")
    if array.dtype.kind not in kinds:
        raise ArrayDictError(f"{where}: expected numbers, found dtype {array.dtype}")
    return array


def integer_array(values: Any, where: str) -> np.ndarray:
    """``values`` as a numpy integer array (point ids, cell types, offsets)."""
    array = numeric_array(values, where)
    if array.dtype.kind not in "iu":
        raise ArrayDictError(f"{where}: expected integers, found dtype {array.dtype}")
    return array


#: The unsigned dtype of the same width as each integer dtype (native byte order).
_UNSIGNED = {np.dtype(f"{kind}{size}"): np.dtype(f"u{size}") for kind in "iu" for size in (1, 2, 4, 8)}


#: Up to this many ids are checked as Python ints.
_FEW_IDS = 64


def check_point_ids(ids: np.ndarray, number_of_points: int, where: str, largest: Optional[int] = None) -> None:
    """Every id must index an existing point: ``0 <= id < number_of_points``.

    ``largest``: the largest id seen as unsigned (of ``ids``' own width), when
    the caller found it while it read the ids anyway: they are then read again
    only to name a wrong one.
    """
    if ids.size == 0:
        return
    if largest is not None and largest < number_of_points:
        return
    if ids.size <= _FEW_IDS:
        # A few ids (one triangle): Python's min and max cost less than numpy's reductions.
        values = ids.ravel().tolist()
        if min(values) >= 0 and max(values) < number_of_points:
            return
    unsigned_dtype = _UNSIGNED.get(ids.dtype)
    if unsigned_dtype is not None:
        # One pass: seen as unsigned, a negative id is larger than any count of points.
        if int(ids.view(unsigned_dtype).max()) < number_of_points:
            return
    low, high = ids.min(), ids.max()
    if low < 0 or high >= number_of_points:
        bad = low if low < 0 else high
        raise ArrayDictError(
            f"{where}: point id {int(bad)} is out of range; ids must be in [0, {number_of_points - 1}] "
            f"for {number_of_points} points"
        )
