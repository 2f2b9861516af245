"""VTK data arrays <-> numpy arrays, exactly and without copying where it is safe.

The rules every converter of the package follows:

- A VTK array with one component becomes a 1-D numpy array ``(n,)``; with ``k``
  components, ``(n, k)``. The numpy dtype is the VTK array's own: nothing is
  narrowed or widened.
- ``copy=False`` gives views of VTK's memory (they keep the VTK array alive);
  arrays VTK computes on the fly (implicit arrays) and bit arrays are copied.
- numpy -> VTK shares the numpy buffer when it is C-contiguous, aligned and in
  native byte order (VTK keeps a reference to it); otherwise it copies once.
- ``bool`` arrays map to ``vtkBitArray`` and back.
- Four VTK types share a numpy dtype with a more common type: ``vtkIdTypeArray``
  and ``vtkLongArray`` (int64), ``vtkUnsignedLongArray`` (uint64) and
  ``vtkCharArray`` (int8). An ArrayDict records them by name under
  ``ArrayTypes`` so that they come back as they were.
- An ``ArrayTypes`` entry may only name a VTK type that holds every value of
  its array exactly; any other is an error. The dtype decides when its range
  fits the type's (no value is read); otherwise one pass over the values
  does. A type of another dtype than the array's changes the dtype the array
  comes back with, which a :class:`~vmtkscripts_numpy.errors.LossWarning` says.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Dict, Optional, Tuple

import numpy as np
from vtkmodules.vtkCommonCore import (
    VTK_BIT,
    VTK_CHAR,
    VTK_DOUBLE,
    VTK_FLOAT,
    VTK_ID_TYPE,
    VTK_INT,
    VTK_LONG,
    VTK_LONG_LONG,
    VTK_SHORT,
    VTK_SIGNED_CHAR,
    VTK_UNSIGNED_CHAR,
    VTK_UNSIGNED_INT,
    VTK_UNSIGNED_LONG,
    VTK_UNSIGNED_LONG_LONG,
    VTK_UNSIGNED_SHORT,
    vtkDataArray,
)
from vtkmodules.vtkCommonDataModel import vtkDataSetAttributes

from ..errors import ArrayDictError, LossWarning, warn
from .validate import key_path, numeric_array

#: The VTK type each numpy dtype becomes by default.
DEFAULT_VTK_TYPE: Dict[np.dtype, int] = {
    np.dtype(np.int8): VTK_SIGNED_CHAR,
    np.dtype(np.uint8): VTK_UNSIGNED_CHAR,
    np.dtype(np.int16): VTK_SHORT,
    np.dtype(np.uint16): VTK_UNSIGNED_SHORT,
    np.dtype(np.int32): VTK_INT,
    np.dtype(np.uint32): VTK_UNSIGNED_INT,
    np.dtype(np.int64): VTK_LONG_LONG,
    np.dtype(np.uint64): VTK_UNSIGNED_LONG_LONG,
    np.dtype(np.float32): VTK_FLOAT,
    np.dtype(np.float64): VTK_DOUBLE,
    np.dtype(np.bool_): VTK_BIT,
}

#: VTK types that are not the default for their numpy dtype, by the name an ArrayDict records.
SPECIAL_VTK_TYPES: Dict[str, int] = {
    "vtkIdTypeArray": VTK_ID_TYPE,
    "vtkLongArray": VTK_LONG,
    "vtkUnsignedLongArray": VTK_UNSIGNED_LONG,
    "vtkCharArray": VTK_CHAR,
}
_SPECIAL_NAME_BY_TYPE = {vtk_type: name for name, vtk_type in SPECIAL_VTK_TYPES.items()}

#: Names of the active-attribute roles (``Scalars``, ``Vectors``, ``Normals``, ...), by VTK attribute index.
ATTRIBUTE_ROLES: Tuple[str, ...] = tuple(
    vtkDataSetAttributes.GetAttributeTypeAsString(index) for index in range(vtkDataSetAttributes.NUM_ATTRIBUTES)
)


def numpy_dtype_of_vtk_type(vtk_type: int) -> np.dtype:
    """The numpy dtype of the VTK data type ``vtk_type`` on this platform (``VTK_LONG`` is 32-bit on Windows).

    Examples
    --------
    >>> from vtkmodules.vtkCommonCore import VTK_ID_TYPE
    >>> numpy_dtype_of_vtk_type(VTK_ID_TYPE)
    dtype('int64')
    """
    if vtk_type == VTK_BIT:
        return np.dtype(np.bool_)
    size = vtkDataArray.CreateDataArray(vtk_type).GetDataTypeSize()
    if vtk_type in (VTK_FLOAT, VTK_DOUBLE):
        return np.dtype(f"f{size}")
    signed = vtk_type in (VTK_SIGNED_CHAR, VTK_CHAR, VTK_SHORT, VTK_INT, VTK_LONG, VTK_LONG_LONG, VTK_ID_TYPE)
    return np.dtype(f"{'i' if signed else 'u'}{size}")


#: The numpy dtype of each VTK type, filled as types are met (a dict lookup: conversions ask per array).
_DTYPE_OF_VTK_TYPE: Dict[int, np.dtype] = {VTK_BIT: np.dtype(np.bool_)}
_BOOL = _DTYPE_OF_VTK_TYPE[VTK_BIT]


def _numpy_dtype(array: vtkDataArray) -> np.dtype:
    vtk_type = array.GetDataType()
    dtype = _DTYPE_OF_VTK_TYPE.get(vtk_type)
    if dtype is None:
        dtype = _DTYPE_OF_VTK_TYPE[vtk_type] = numpy_dtype_of_vtk_type(vtk_type)
    return dtype


#: The numpy dtype of each of :data:`SPECIAL_VTK_TYPES` on this platform (vtkLongArray is 32-bit on Windows).
_SPECIAL_DTYPES: Dict[str, np.dtype] = {
    name: numpy_dtype_of_vtk_type(vtk_type) for name, vtk_type in SPECIAL_VTK_TYPES.items()
}
def _value_range(values: np.ndarray, need_low: bool, need_high: bool) -> Tuple[Optional[int], Optional[int]]:
    """The smallest and largest value (as Python ints), each only when needed (else None)."""
    flat = values.reshape(-1)
    return (int(flat.min()) if need_low else None), (int(flat.max()) if need_high else None)


def _check_array_type(values: np.ndarray, array_type: Any, where: str, types_where: str) -> np.dtype:
    """The dtype of the VTK type ``array_type`` names, if it holds every value of ``values`` exactly.

    The dtypes' ranges decide in O(1) when the array's fits the type's; only
    when it does not are the values read, once, and only the ends that can fall
    outside. A type of another dtype than the array's is allowed when every
    value fits, with a :class:`LossWarning`: the array comes back in that dtype.

    Raises
    ------
    ArrayDictError
        Naming the ``ArrayTypes`` entry, for an unknown type, non-integer values
        or a value the type cannot hold.
    """
    if not isinstance(array_type, str) or array_type not in _SPECIAL_DTYPES:
        raise ArrayDictError(
            f"{types_where}: unknown array type {array_type!r}; expected one of {sorted(SPECIAL_VTK_TYPES)} "
            "(other types follow from the dtype)"
        )
    target = _SPECIAL_DTYPES[array_type]
    dtype = values.dtype
    if dtype.kind not in "iu":
        raise ArrayDictError(f"{types_where}: {array_type} needs integer values, but {where} has dtype {dtype}")
    if dtype.newbyteorder("=") == target:
        return target
    limits, own = np.iinfo(target), np.iinfo(dtype)
    need_low, need_high = own.min < limits.min, own.max > limits.max
    if (need_low or need_high) and values.size:
        low, high = _value_range(values, need_low, need_high)
        if (low is not None and low < limits.min) or (high is not None and high > limits.max):
            bad = low if low is not None and low < limits.min else high
            raise ArrayDictError(
                f"{types_where}: {array_type} holds {target} values ({limits.min} to {limits.max}), "
                f"but {where} holds {bad}; name a type that holds every value, or none"
            )
    warn(
        f"{types_where}: {array_type} holds {target} values: the {dtype} values of {where} are kept, "
        f"but come back as {target}",
        LossWarning,
    )
    return target


def special_type_name(array: vtkDataArray) -> Optional[str]:
    """The ``ArrayTypes`` name of ``array`` when its VTK type is not the default for its dtype, else None."""
    return _SPECIAL_NAME_BY_TYPE.get(array.GetDataType())


def vtk_to_numpy(array: vtkDataArray, copy: bool = True) -> np.ndarray:
    """A VTK data array as a numpy array of the same dtype, ``(n,)`` or ``(n, k)``.

    Parameters
    ----------
    array : vtkDataArray
        Any numeric VTK array, including ``vtkBitArray`` (-> bool) and implicit arrays.
    copy : bool
        If False, return a view of VTK's memory where possible (not for bit or implicit arrays).

    Examples
    --------
    >>> from vtkmodules.vtkCommonCore import vtkFloatArray
    >>> values = vtkFloatArray(); values.SetNumberOfComponents(3)
    >>> _ = values.InsertNextTuple3(1, 2, 3)
    >>> vtk_to_numpy(values)
    array([[1., 2., 3.]], dtype=float32)
    """
    tuples, components = array.GetNumberOfTuples(), array.GetNumberOfComponents()
    dtype = _numpy_dtype(array)
    if dtype is _BOOL:  # only VTK_BIT maps to bool
        # VTK arrays expose their memory through the buffer protocol; VTK's stubs do not declare it.
        packed = (np.frombuffer(array, dtype=np.uint8)  # type: ignore[call-overload]
                  if tuples else np.empty(0, np.uint8))
        values = np.unpackbits(packed, count=tuples * components).astype(bool)
        return values if components == 1 else values.reshape(tuples, components)
    if tuples * components == 0:
        return np.empty((tuples,) if components == 1 else (tuples, components), dtype=dtype)
    try:
        values = np.frombuffer(array, dtype=dtype)  # type: ignore[call-overload]
    except (TypeError, ValueError, BufferError):
        # Implicit arrays compute their values on the fly and expose no buffer: materialize them.
        materialized = vtkDataArray.CreateDataArray(array.GetDataType())
        materialized.DeepCopy(array)
        values = np.frombuffer(materialized, dtype=dtype)  # type: ignore[call-overload]
        copy = False
    if components != 1 or values.size != tuples:
        values = values.reshape((tuples,) if components == 1 else (tuples, components))
    return values.copy() if copy else values


def numpy_to_vtk(
    values: Any,
    name: Optional[str] = None,
    array_type: Optional[str] = None,
    share: bool = True,
    where: str = "array",
    types_where: Optional[str] = None,
) -> vtkDataArray:
    """A numpy array ``(n,)`` or ``(n, k)`` as a VTK data array of the same type.

    Parameters
    ----------
    values : array_like
        Numeric or boolean values.
    name : str, optional
        The name of the VTK array.
    array_type : str, optional
        One of :data:`SPECIAL_VTK_TYPES` (e.g. ``"vtkIdTypeArray"``) to get that
        VTK type instead of the dtype's default. It must hold every value
        exactly; when its dtype is not the array's, a :class:`LossWarning` says
        the values come back in its dtype.
    share : bool
        Share the numpy buffer with VTK when its layout allows; else copy.
    where : str
        How to name the array in error messages, e.g. ``"ArrayDict['PointData']['p']"``.
    types_where : str, optional
        How to name ``array_type`` in messages, e.g.
        ``"ArrayDict['ArrayTypes']['PointData']['p']"``; default: ``where``.

    Raises
    ------
    ArrayDictError
        For non-numeric values, a rank other than 1 or 2, an unknown
        ``array_type`` or one that cannot hold every value.

    Warns
    -----
    LossWarning
        When ``array_type`` holds another dtype than the values': they are
        kept, and a VTK array of that type gives them back in its dtype.

    Examples
    --------
    >>> import numpy as np
    >>> vtk_array = numpy_to_vtk(np.zeros((4, 3), np.float64), "Normals")
    >>> vtk_array.GetDataTypeAsString(), vtk_array.GetNumberOfTuples(), vtk_array.GetNumberOfComponents()
    ('double', 4, 3)
    """
    if type(values) is not np.ndarray or values.dtype.kind not in "iufb":
        values = numeric_array(values, where, allow_bool=True)
    ndim = values.ndim
    if ndim != 1 and ndim != 2:
        raise ArrayDictError(f"{where}: expected shape (n,) or (n, k), found {values.shape}")
    components = 1 if ndim == 1 else values.shape[1]
    if components == 0:
        raise ArrayDictError(f"{where}: expected at least one component, found shape {values.shape}")
    dtype = values.dtype
    if not dtype.isnative:
        dtype = dtype.newbyteorder("=")
    vtk_type: Optional[int]
    if array_type is not None:
        dtype = _check_array_type(values, array_type, where, where if types_where is None else types_where)
        vtk_type = SPECIAL_VTK_TYPES[array_type]
    else:
        vtk_type = DEFAULT_VTK_TYPE.get(dtype)
        if vtk_type is None:
            raise ArrayDictError(f"{where}: dtype {values.dtype} has no VTK equivalent")
    vtk_array = vtkDataArray.CreateDataArray(vtk_type)
    vtk_array.SetNumberOfComponents(components)
    if name is not None:
        vtk_array.SetName(name)
    if vtk_type == VTK_BIT:
        _fill_bit_array(vtk_array, values)
        return vtk_array
    owned = values.dtype != dtype
    if owned:
        values = values.astype(dtype, order="C")
    flags = values.flags
    shareable = share and flags.c_contiguous and flags.aligned and flags.writeable
    if not (owned or shareable):
        values = np.array(values, order="C")
    flat = values.reshape(-1)
    if flat.size == 0:
        vtk_array.SetNumberOfTuples(0)
        return vtk_array
    # save=1: VTK must not free numpy's memory; the reference keeps the buffer alive
    # as long as the VTK array lives (VTK's Python wrapping keeps the attribute).
    vtk_array.SetVoidArray(flat, flat.size, 1)
    vtk_array._numpy_reference = flat  # type: ignore[attr-defined]
    return vtk_array


def _fill_bit_array(vtk_array: vtkDataArray, values: np.ndarray) -> None:
    flat = np.ascontiguousarray(values, dtype=bool).reshape(-1)
    vtk_array.SetNumberOfTuples(values.shape[0])
    if flat.size:
        target = np.frombuffer(vtk_array, dtype=np.uint8)  # type: ignore[call-overload]
        packed = np.packbits(flat)
        target[: packed.size] = packed


# --- dataset attributes ------------------------------------------------------


def attributes_to_dict(
    attributes, copy: bool = True, where: str = "data"
) -> Tuple[Dict[str, np.ndarray], Dict[str, str], Dict[str, str]]:
    """The arrays of a ``vtkFieldData`` (point, cell or field data) as a dict.

    Returns
    -------
    arrays : dict
        ``{name: ndarray}`` in VTK's array order.
    array_types : dict
        ``{name: VTK type name}`` for arrays whose VTK type is not their dtype's default.
    active : dict
        ``{role: name}`` of the active attributes (``Scalars``, ``Normals``, ...);
        empty for plain field data.

    Non-numeric arrays (strings, variants) cannot be expressed as numpy numbers:
    they are left out with a :class:`~vmtkscripts_numpy.errors.LossWarning`.
    Arrays without a name are named ``"Array<i>"``, also with a warning.
    """
    arrays: Dict[str, np.ndarray] = {}
    array_types: Dict[str, str] = {}
    count = attributes.GetNumberOfArrays()
    if count == 0:
        return arrays, array_types, {}
    names = []
    for index in range(count):
        array = attributes.GetArray(index)
        abstract = array if array is not None else attributes.GetAbstractArray(index)
        name = abstract.GetName()
        names.append(name)
        if array is None:
            warn(
                f"{where}: array {name!r} ({abstract.GetClassName()}) is not numeric and is left out",
                LossWarning,
            )
            continue
        if not name:
            name = f"Array{index}"
            warn(f"{where}: an array without a name is stored as {name!r}", LossWarning)
        if name in arrays:
            warn(f"{where}: a second array named {name!r} is left out", LossWarning)
            continue
        arrays[name] = vtk_to_numpy(array, copy=copy)
        special = special_type_name(array)
        if special:
            array_types[name] = special
    active: Dict[str, str] = {}
    if isinstance(attributes, vtkDataSetAttributes):
        # Which array holds each role, in one call rather than one per role.
        indices = [-1] * len(ATTRIBUTE_ROLES)
        attributes.GetAttributeIndices(indices)
        for role, index in zip(ATTRIBUTE_ROLES, indices):
            if 0 <= index < count and names[index] in arrays:
                active[role] = names[index]
    return arrays, array_types, active


def dict_to_attributes(
    arrays: Mapping[str, Any],
    attributes,
    expected_tuples: Optional[int],
    where: str,
    array_types: Optional[Mapping[str, str]] = None,
    active: Optional[Mapping[str, str]] = None,
    share: bool = True,
    skip: Tuple[str, ...] = (),
    types_where: Optional[str] = None,
) -> None:
    """Add the arrays of an ArrayDict section to a ``vtkFieldData`` and set the active ones.

    Parameters
    ----------
    arrays : mapping
        ``{name: array}``, each ``(n,)`` or ``(n, k)``.
    attributes : vtkFieldData
        The point, cell or field data to fill.
    expected_tuples : int or None
        The number of tuples every array must have (points or cells); None for field data.
    where : str
        The key path of the section, for messages, e.g. ``"ArrayDict['PointData']"``.
    array_types, active : mapping, optional
        The section's entries of ``ArrayTypes`` and ``ActiveArrays``.
    share : bool
        Share numpy memory with VTK where possible.
    skip : tuple of str
        Keys of the section that are not data arrays (``CellPointIds``).
    types_where : str, optional
        The key path of the section's ``ArrayTypes``, for messages; default
        derived from ``where`` (``"ArrayDict['ArrayTypes']['PointData']"``).

    Raises
    ------
    ArrayDictError
        Naming the array, for a name VTK cannot keep (empty, with a NUL, not
        UTF-8), a wrong length, a wrong type, an ``ArrayTypes`` entry that
        cannot hold the values, or an unknown active array.

    Warns
    -----
    LossWarning
        For an ``(n, 1)`` array (it comes back ``(n,)``), an ``ArrayTypes`` entry
        of another dtype than its array's, or one that names no array of the section.
    """
    if type(arrays) is not dict and not isinstance(arrays, Mapping):
        raise ArrayDictError(f"{where}: expected a dict of arrays, found {type(arrays).__name__}")
    if array_types:
        if types_where is None:
            root, _, section = where.rpartition("[")
            types_where = f"{root}['ArrayTypes'][{section}"
        _check_array_types_entries(arrays, array_types, skip, types_where)
    for name, values in arrays.items():
        if name in skip:
            continue
        array_where = key_path(where, name)
        _check_name(name, where)
        array_type = array_types.get(name) if array_types else None
        vtk_array = numpy_to_vtk(
            values, name, array_type, share=share, where=array_where,
            types_where=None if array_type is None or types_where is None else key_path(types_where, name),
        )
        if (values.shape if isinstance(values, np.ndarray) else np.shape(values))[1:] == (1,):
            # One component is 1-D in the layout ((n,), or the grid for images): the axis of 1 is not kept.
            warn(
                f"{array_where}: has one component on an axis of its own, shape {np.shape(values)}; "
                "it comes back without that axis",
                LossWarning,
            )
        if expected_tuples is not None and vtk_array.GetNumberOfTuples() != expected_tuples:
            raise ArrayDictError(
                f"{array_where}: expected {expected_tuples} tuples (one per "
                f"{'point' if 'Point' in where else 'cell'}), found {vtk_array.GetNumberOfTuples()}"
            )
        attributes.AddArray(vtk_array)
    for role, name in (active or {}).items():
        if role not in ATTRIBUTE_ROLES:
            raise ArrayDictError(f"{key_path(where, role)}: unknown attribute role; expected one of {ATTRIBUTE_ROLES}")
        if name not in arrays:
            raise ArrayDictError(f"{key_path(where, role)}: names {name!r}, which is not an array of the section")
        if attributes.SetActiveAttribute(name, ATTRIBUTE_ROLES.index(role)) < 0:
            warn(
                f"{key_path(where, role)}: VTK does not accept {name!r} as active {role} "
                "(wrong component count); it is left inactive",
                LossWarning,
            )


def _check_name(name: Any, where: str) -> None:
    """An array name VTK keeps as it is: a non-empty string of UTF-8 text without NUL characters."""
    if not isinstance(name, str):
        raise ArrayDictError(f"{where}: array names must be strings, found {name!r}")
    problem = ""
    if not name:
        problem = "is empty (VTK reads an array without a name as unnamed)"
    elif "\x00" in name:
        problem = "holds a NUL character, where VTK would cut it"
    elif not name.isascii():
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            problem = "is not valid Unicode text (it holds a lone surrogate)"
    if problem:
        raise ArrayDictError(f"{key_path(where, name)}: the array name {name!r} {problem}")


def _check_array_types_entries(
    arrays: Mapping[str, Any], array_types: Mapping[str, Any], skip: Tuple[str, ...], types_where: str
) -> None:
    """Refuse unknown types (None too: it is not "no entry"); warn about entries that name no data array."""
    for name, array_type in array_types.items():
        if name in skip:
            reason = "is not a data array (its type follows its dtype)"
        elif name not in arrays:
            reason = "is not an array of the section"
        elif not isinstance(array_type, str) or array_type not in SPECIAL_VTK_TYPES:
            raise ArrayDictError(
                f"{key_path(types_where, name)}: unknown array type {array_type!r}; expected one of "
                f"{sorted(SPECIAL_VTK_TYPES)} (other types follow from the dtype)"
            )
        else:
            continue
        warn(
            f"{key_path(types_where, name)}: {name!r} {reason}; the entry is ignored",
            LossWarning,
        )
