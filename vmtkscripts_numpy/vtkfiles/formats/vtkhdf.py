"""VTKHDF files (``.vtkhdf``, ``.hdf``): surfaces, meshes and images in VTK's HDF5 layout.

They are read and written by VTK. Counts, shapes and offsets are checked
first (:mod:`vmtkscripts_numpy.vtkfiles._vtkhdf_header`), since VTK allocates
and builds cells by them unchecked; what each VTK version can read or write
is refused in one sentence naming the VTK needed.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

from vtkmodules.vtkCommonDataModel import vtkImageData, vtkPolyData, vtkUnstructuredGrid

from ..._vtk_version import vtk_at_least
from ...errors import DataFileError
from .. import _common


def read_surface(path: Path) -> vtkPolyData:
    """Read a surface from a VTKHDF PolyData file (``path`` exists and is readable)."""
    return _read(path, "PolyData")


def write_surface(surface: vtkPolyData, path: Path, mode: str) -> None:
    """Write ``surface`` to a VTKHDF PolyData file at ``path`` (always binary: ``mode`` is not used)."""
    _write(surface, path, "VTKHDF PolyData")


def read_mesh(path: Path) -> vtkUnstructuredGrid:
    """Read a mesh from a VTKHDF UnstructuredGrid file (``path`` exists and is readable)."""
    # VTK's readers crash on polyhedra whose faces they cannot take: refuse those files first.
    check_vtkhdf_type(path, "UnstructuredGrid")
    polyhedra, faces = vtkhdf_polyhedra(path)
    if polyhedra and not faces:
        raise DataFileError(
            path,
            "has polyhedron cells without their faces (VTK 9.4 to 9.6 write them so) and no VTK can read it; "
            "write the mesh again as .vtu, or as .vtkhdf with VTK >= 9.7",
        )
    if polyhedra:
        _common.require_vtk(path, (9, 6), "reading polyhedron cells from VTKHDF")
    return _read(path, "UnstructuredGrid")


def write_mesh(mesh: vtkUnstructuredGrid, path: Path, mode: str) -> None:
    """Write ``mesh`` to a VTKHDF UnstructuredGrid file at ``path`` (always binary: ``mode`` is not used)."""
    if has_polyhedra(mesh):
        # VTK 9.4 to 9.6 write polyhedra without their faces: files that no VTK reads back.
        _common.require_vtk(path, (9, 7), "writing polyhedron cells to VTKHDF")
    _write(mesh, path, "VTKHDF UnstructuredGrid")


def has_polyhedra(mesh: vtkUnstructuredGrid) -> bool:
    """Whether ``mesh`` has cells of type ``VTK_POLYHEDRON``."""
    from vtkmodules.vtkCommonDataModel import VTK_POLYHEDRON

    from ...convert.mesh import cell_types_of

    types = cell_types_of(mesh, copy=False)
    return bool(types.size) and bool((types == VTK_POLYHEDRON).any())


def read_image(path: Path) -> vtkImageData:
    """Read an image from a VTKHDF ImageData file (``path`` exists and is readable)."""
    return _read(path, "ImageData")


def write_image(image: vtkImageData, path: Path, mode: str) -> None:
    """Write ``image`` to a VTKHDF ImageData file at ``path`` (always binary: ``mode`` is not used)."""
    # vtkHDFWriter exists from VTK 9.4 but writes images only from 9.7.
    _common.require_vtk(path, (9, 7), "writing VTKHDF ImageData files")
    _write(image, path, "VTKHDF ImageData")


# --- shared by the kinds -----------------------------------------------------------------


#: What h5py raises on a damaged HDF5 file (its own errors come as OSError, RuntimeError, KeyError...).
_HDF5_ERRORS = (OSError, RuntimeError, KeyError, ValueError, TypeError)


def vtkhdf_type(path: Path) -> str:
    """The ``Type`` attribute of a VTKHDF file's ``/VTKHDF`` group (``"PolyData"``...).

    The file is opened with h5py first, so that damaged files give one clear
    error instead of HDF5's own diagnostics on the terminal.

    Raises
    ------
    DataFileError
        If the file is not HDF5, is truncated or has no ``/VTKHDF`` group.
    """
    import h5py

    try:
        with h5py.File(path, "r") as handle:
            group = handle.get("VTKHDF")
            if not isinstance(group, h5py.Group):
                raise DataFileError(path, "is an HDF5 file but not a VTKHDF one (no /VTKHDF group); an ArrayDict "
                                          "HDF5 file is read with read_array_dict (vmtknumpyreader)")
            kind = group.attrs.get("Type")
    except DataFileError:
        raise
    except _HDF5_ERRORS as error:
        raise DataFileError(path, f"is not a readable HDF5 file (truncated or damaged?): {error}") from None
    if isinstance(kind, bytes):
        kind = kind.decode("ascii", "replace")
    if not kind:
        raise DataFileError(path, "is a VTKHDF file without a Type attribute")
    return str(kind)


def check_vtkhdf_type(path: Path, expected: str) -> None:
    """Raise unless ``path`` is a VTKHDF file of ``Type`` ``expected``."""
    _common.require_kind(path, "VTKHDF", vtkhdf_type(path), expected)


#: The VTK that first reads each ``Type`` of VTKHDF file (VTK 9.1's reader knows meshes and images).
VTKHDF_READ_SINCE = {"PolyData": (9, 3)}


def _read(path: Path, hdf_type: str) -> Any:
    """Read a VTKHDF file whose ``Type`` must be ``hdf_type``.

    Its int8 arrays come back as ``vtkSignedCharArray`` on every VTK (before
    9.5 VTK's reader makes them ``vtkCharArray``; the file cannot tell the two
    apart). A file with time steps gives its first step.

    Raises
    ------
    DataFileError
        Also when the running VTK cannot read files of this ``Type``, or
        cannot read time steps (before 9.3).
    """
    from vtkmodules.vtkIOHDF import vtkHDFReader

    check_vtkhdf_type(path, hdf_type)
    if hdf_type in VTKHDF_READ_SINCE:
        _common.require_vtk(path, VTKHDF_READ_SINCE[hdf_type], f"reading VTKHDF {hdf_type} files")
    if not vtk_at_least(9, 3) and _vtkhdf_has_time_steps(path):
        # VTK 9.1 and 9.2 know no time steps: they read every step's cells and points as one dataset.
        _common.require_vtk(path, (9, 3), "reading VTKHDF files with time steps")
    from .. import _isolated, _vtkhdf_header

    # Counts, shapes, storage and offsets first: VTK allocates and builds cells by them unchecked. What VTK
    # puts together itself (parts, time steps, polyhedra) is read apart.
    if _vtkhdf_header.check_vtkhdf(path, hdf_type) and not _isolated.in_child():
        return _isolated.read_in_child(path, _VTKHDF_KINDS[hdf_type], "vtkhdf",
                                       "VTK puts its parts, time steps or polyhedra together unchecked")
    with hdf5_diagnostics_kept_off_stderr():
        data = _common.run_reader(vtkHDFReader(), path, f"VTKHDF {hdf_type}")
    if hdf_type in VTKHDF_MERGED_TYPES and data.IsA("vtkPartitionedDataSet"):
        data = _merged_parts(data, hdf_type, path)
    if not vtk_at_least(9, 5):
        signed_char_arrays(data)
    if not vtk_at_least(9, 7) and hdf_type in VTKHDF_MERGED_TYPES:
        restore_vtkhdf_attributes(data, path)
    return data


#: The data kind of each VTKHDF Type, to read one in a child process.
_VTKHDF_KINDS = {"PolyData": "surface", "UnstructuredGrid": "mesh", "ImageData": "image"}


#: VTKHDF types whose parts VTK before 9.5 gives as one dataset, appended one after the other.
VTKHDF_MERGED_TYPES = ("PolyData", "UnstructuredGrid")


def _merged_parts(parts: Any, hdf_type: str, path: Path) -> Any:
    """The parts of a file in several pieces, appended into one dataset as VTK before 9.5 gives them.

    From 9.5 VTK's reader gives a ``vtkPartitionedDataSet`` (its MergeParts,
    deprecated in 9.5, is gone in 9.7): appending its parts, points not merged,
    gives the same dataset on every VTK.
    """
    from vtkmodules.vtkCommonCore import VTK_POLY_DATA, VTK_UNSTRUCTURED_GRID
    from vtkmodules.vtkCommonDataModel import vtkPolyData, vtkUnstructuredGrid
    from vtkmodules.vtkFiltersCore import vtkAppendDataSets

    from .._dataset_checks import check_mesh, check_surface

    append = vtkAppendDataSets()
    append.SetOutputDataSetType(VTK_POLY_DATA if hdf_type == "PolyData" else VTK_UNSTRUCTURED_GRID)
    for index in range(parts.GetNumberOfPartitions()):
        part = parts.GetPartition(index)
        if part is not None:
            # Appending follows every cell to its points: each part is checked first.
            (check_surface if hdf_type == "PolyData" else check_mesh)(part, path)
            append.AddInputData(part)
    if append.GetNumberOfInputConnections(0) == 0:
        return vtkPolyData() if hdf_type == "PolyData" else vtkUnstructuredGrid()
    with _common.capture_vtk_messages(append) as messages:
        append.Update()
    if messages.errors:
        raise DataFileError(path, f"its parts cannot be put together: {messages.summary()}")
    return append.GetOutputDataObject(0)


def _vtkhdf_has_time_steps(path: Path) -> bool:
    """Whether a VTKHDF file holds time steps (a ``/VTKHDF/Steps`` group)."""
    import h5py

    try:
        with h5py.File(path, "r") as handle:
            return isinstance(handle["VTKHDF"].get("Steps"), h5py.Group)
    except _HDF5_ERRORS as error:
        raise DataFileError(path, f"is not a readable HDF5 file (truncated or damaged?): {error}") from None


def signed_char_arrays(data: Any) -> None:
    """Replace the ``vtkCharArray`` arrays of ``data`` by ``vtkSignedCharArray`` ones sharing their memory."""
    from vtkmodules.vtkCommonCore import VTK_CHAR

    from ...convert.arrays import numpy_to_vtk, vtk_to_numpy

    sections = [data.GetPointData(), data.GetFieldData()]
    if hasattr(data, "GetCellData"):
        sections.append(data.GetCellData())
    for attributes in sections:
        for index in range(attributes.GetNumberOfArrays()):
            array = attributes.GetArray(index)
            if array is not None and array.GetDataType() == VTK_CHAR:
                # AddArray replaces the array of the same name in its place, active roles included.
                attributes.AddArray(numpy_to_vtk(vtk_to_numpy(array, copy=False), array.GetName()))


def vtkhdf_polyhedra(path: Path) -> Tuple[bool, bool]:
    """``(has polyhedron cells, has their faces)`` of a VTKHDF UnstructuredGrid file.

    VTK 9.4 to 9.6 write polyhedron cells without their faces, and every
    VTK reader crashes or hangs on such a file; VTK 9.7 writes the faces
    (``FaceConnectivity``, ``PolyhedronOffsets``...).
    """
    import h5py
    from vtkmodules.vtkCommonDataModel import VTK_POLYHEDRON

    block = 1 << 20
    try:
        with h5py.File(path, "r") as handle:
            group = handle["VTKHDF"]
            types = group.get("Types")
            if not isinstance(types, h5py.Dataset) or types.ndim != 1:
                return False, False
            found = any(
                (types[start : start + block] == VTK_POLYHEDRON).any() for start in range(0, types.size, block)
            )
            faces = all(
                name in group for name in ("FaceConnectivity", "FaceOffsets", "PolyhedronToFaces", "PolyhedronOffsets")
            )
    except _HDF5_ERRORS as error:
        raise DataFileError(path, f"is not a readable HDF5 file (truncated or damaged?): {error}") from None
    return found, faces


def _write(data: Any, path: Path, description: str) -> None:
    """Write a VTKHDF file, warning of the array names its writer changes.

    Raises
    ------
    DataFileError
        Before VTK 9.4, which has no VTKHDF writer.
    """
    _common.require_vtk(path, (9, 4), f"writing {description} files")
    from vtkmodules.vtkCommonDataModel import vtkPolyData, vtkUnstructuredGrid
    from vtkmodules.vtkIOHDF import vtkHDFWriter

    _common.warn_losses(path, "VTKHDF", hdf5_renamed_arrays(data))
    finish = None
    if not vtk_at_least(9, 7) and isinstance(data, (vtkPolyData, vtkUnstructuredGrid)):
        finish = lambda file: mark_vtkhdf_attributes(data, file)  # noqa: E731
    _common.write_with(data, path, vtkHDFWriter, description, finish=finish)


def _active_roles(attributes: Any) -> List[Tuple[str, str]]:
    """``(role, array name)`` of the active attributes of a vtkDataSetAttributes (``("Normals", "Normals")``...)."""
    from vtkmodules.vtkCommonDataModel import vtkDataSetAttributes

    roles = []
    for index in range(vtkDataSetAttributes.NUM_ATTRIBUTES):
        array = attributes.GetAbstractAttribute(index)
        if array is not None and array.GetName():
            roles.append((vtkDataSetAttributes.GetAttributeTypeAsString(index), array.GetName()))
    return roles


def mark_vtkhdf_attributes(data: Any, file: Path) -> None:
    """Mark the datasets of the active arrays of ``data`` in the VTKHDF ``file`` with their role.

    VTK 9.7 writes each active array's role as the dataset's ``Attribute``
    (``"Normals"``...) and reads it back; 9.4 to 9.6 write none, and the roles
    were lost. The marks are added here as 9.7 writes them.
    """
    import h5py
    import numpy as np

    with h5py.File(file, "r+") as handle:
        for section, attributes in (("PointData", data.GetPointData()), ("CellData", data.GetCellData())):
            group = handle["VTKHDF"].get(section)
            for role, name in _active_roles(attributes):
                dataset = group.get(name.replace("/", "_").replace(".", "_")) if group is not None else None
                if dataset is not None:
                    dataset.attrs["Attribute"] = np.bytes_(role)


def restore_vtkhdf_attributes(data: Any, path: Path) -> None:
    """Make the arrays a VTKHDF file marks with an ``Attribute`` active in that role, as VTK 9.7 reads them."""
    from vtkmodules.vtkCommonDataModel import vtkDataSetAttributes

    roles = {vtkDataSetAttributes.GetAttributeTypeAsString(index): index
             for index in range(vtkDataSetAttributes.NUM_ATTRIBUTES)}
    try:
        _restore_roles(data, path, roles)
    except _HDF5_ERRORS as error:
        raise DataFileError(path, f"is not a readable HDF5 file (truncated or damaged?): {error}") from None


def _restore_roles(data: Any, path: Path, roles: Dict[str, int]) -> None:
    import h5py

    with h5py.File(path, "r") as handle:
        for section, attributes in (("PointData", data.GetPointData()), ("CellData", data.GetCellData())):
            group = handle["VTKHDF"].get(section)
            for name, dataset in (group.items() if isinstance(group, h5py.Group) else ()):
                role = dataset.attrs.get("Attribute")
                role = role.decode("ascii", "replace") if isinstance(role, bytes) else role
                if role in roles and attributes.GetAbstractArray(name) is not None:
                    attributes.SetActiveAttribute(name, roles[role])


def hdf5_renamed_arrays(data: Any) -> List[str]:
    """Losses for VTKHDF, whose writer replaces '/' and '.' in array names by '_'."""
    renamed = [name for name in _common.all_array_names(data) if "/" in name or "." in name]
    if renamed:
        return [f"arrays {_common.quoted(renamed)} are renamed: HDF5 names cannot hold '/' or '.', VTK writes '_'"]
    return []


_HDF5_DIAGNOSTIC = re.compile(r"^HDF5-DIAG: ")


@contextlib.contextmanager
def hdf5_diagnostics_kept_off_stderr() -> Iterator[None]:
    """Keep what VTK's own HDF5 library prints on standard error (its error stack) from the terminal.

    That library prints, it does not report to VTK's observers; h5py's
    checks come first, but a damaged file's metadata is not read alike by
    the two HDF5 libraries. Standard error is a temporary file meanwhile;
    anything else written there in that time (by other threads) is written
    to the real standard error afterwards.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no standard error to guard
        yield
        return
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            try:
                sys.stderr.flush()
            except (OSError, ValueError, AttributeError):
                pass
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            kept, in_diagnostic = [], False
            for line in capture.read().decode("utf-8", "replace").splitlines(keepends=True):
                # A diagnostic is its "HDF5-DIAG: ..." line and the indented lines of its stack.
                in_diagnostic = bool(_HDF5_DIAGNOSTIC.match(line)) or (in_diagnostic and line[:1].isspace())
                if not in_diagnostic:
                    kept.append(line)
            if kept:
                os.write(2, "".join(kept).encode("utf-8"))
