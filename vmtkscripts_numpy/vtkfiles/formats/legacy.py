"""Legacy VTK files (``.vtk``): surfaces, meshes and images, read and written by VTK.

The file's ``DATASET`` says its kind (POLYDATA, UNSTRUCTURED_GRID,
STRUCTURED_POINTS). Every count VTK would trust is checked against the file
first (:mod:`vmtkscripts_numpy.vtkfiles._legacy`): VTK's legacy readers
accept truncated files silently and crash on counts that lie.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, List, Optional

import numpy as np
from vtkmodules.vtkCommonDataModel import vtkImageData, vtkPolyData, vtkUnstructuredGrid

from ...errors import DataFileError
from .. import _common
from .._image_grid import extent_losses, first_voxel_position, image_placement, rebased


def read_surface(path: Path) -> vtkPolyData:
    """Read a surface from a legacy VTK POLYDATA file (``path`` exists and is readable)."""
    from vtkmodules.vtkIOLegacy import vtkPolyDataReader

    return _read(path, vtkPolyDataReader, "POLYDATA")


def write_surface(surface: vtkPolyData, path: Path, mode: str) -> None:
    """Write ``surface`` to a legacy VTK POLYDATA file at ``path`` (``mode``: ``"binary"`` or ``"ascii"``)."""
    from vtkmodules.vtkIOLegacy import vtkPolyDataWriter

    _write(surface, path, mode, vtkPolyDataWriter, "legacy VTK POLYDATA")


def read_mesh(path: Path) -> vtkUnstructuredGrid:
    """Read a mesh from a legacy VTK UNSTRUCTURED_GRID file (``path`` exists and is readable)."""
    from vtkmodules.vtkIOLegacy import vtkUnstructuredGridReader

    return _read(path, vtkUnstructuredGridReader, "UNSTRUCTURED_GRID")


def write_mesh(mesh: vtkUnstructuredGrid, path: Path, mode: str) -> None:
    """Write ``mesh`` to a legacy VTK UNSTRUCTURED_GRID file at ``path`` (``mode``: ``"binary"`` or ``"ascii"``)."""
    from vtkmodules.vtkIOLegacy import vtkUnstructuredGridWriter

    _write(mesh, path, mode, vtkUnstructuredGridWriter, "legacy VTK UNSTRUCTURED_GRID")


def read_image(path: Path) -> vtkImageData:
    """Read an image from a legacy VTK STRUCTURED_POINTS file (``path`` exists and is readable)."""
    from vtkmodules.vtkIOLegacy import vtkStructuredPointsReader

    points = _read(path, vtkStructuredPointsReader, "STRUCTURED_POINTS")
    image = vtkImageData()
    image.ShallowCopy(points)
    return image


def write_image(image: vtkImageData, path: Path, mode: str) -> None:
    """Write ``image`` to a legacy VTK STRUCTURED_POINTS file at ``path`` (``mode``: ``"binary"`` or ``"ascii"``)."""
    from vtkmodules.vtkIOLegacy import vtkStructuredPointsWriter

    _, _, direction, _ = image_placement(image)
    losses = extent_losses(image)
    if not np.allclose(direction, np.eye(3), rtol=0, atol=1e-12):
        losses.insert(
            0,
            f"the direction matrix {np.round(direction, 6).tolist()} is dropped: the file places the voxels "
            "along the x, y, z axes from the first voxel's position (use .vti, .vtkhdf, .mha or .nii to keep it)",
        )
    for name, values in (("origin", first_voxel_position(image)), ("spacing", image.GetSpacing())):
        # The header prints them with 6 significant digits, in binary files too.
        printed = [float(f"{value:g}") for value in values]
        if printed != [float(value) for value in values]:
            losses.append(f"the {name} is written with 6 significant digits: {tuple(map(float, values))} "
                          f"becomes {tuple(printed)}")
    if mode == "ascii":
        losses += legacy_ascii_losses(image)
    _common.warn_losses(path, "legacy VTK", losses)
    axis_aligned = rebased(image)
    axis_aligned.SetDirectionMatrix(1, 0, 0, 0, 1, 0, 0, 0, 1)
    # The ASCII rounding is in the one warning above.
    _write(axis_aligned, path, mode, vtkStructuredPointsWriter, "legacy VTK STRUCTURED_POINTS", warn_ascii=False)


# --- shared by the kinds -----------------------------------------------------------------


def legacy_dataset_type(path: Path) -> Optional[str]:
    """The ``DATASET`` of a legacy VTK file (``"POLYDATA"``...), or None if not a legacy VTK file."""
    header = _common.read_header(path, 2048)
    if not header.startswith(b"# vtk DataFile"):
        return None
    match = re.search(rb"^\s*DATASET\s+(\w+)", header, flags=re.MULTILINE | re.IGNORECASE)
    return match.group(1).decode("ascii").upper() if match else "(no DATASET)"


def check_legacy_type(path: Path, expected: str, description: str) -> bool:
    """Raise unless ``path`` is a complete legacy VTK file whose ``DATASET`` is ``expected``.

    Returns whether the file must be read in a child process (see :func:`._legacy.check_complete`).
    """
    found = legacy_dataset_type(path)
    if found is None:
        raise DataFileError(path, f"is not {description}: it does not start with '# vtk DataFile'")
    _common.require_kind(path, "legacy VTK", found, expected)
    # VTK's legacy readers accept truncated files silently, and crash on lying counts.
    from .._legacy import check_complete

    return check_complete(path)


#: The data kind of each legacy DATASET, to read one in a child process.
_LEGACY_KINDS = {"POLYDATA": "surface", "UNSTRUCTURED_GRID": "mesh", "STRUCTURED_POINTS": "image"}


def _read(path: Path, reader_class: Callable[[], Any], dataset: str) -> Any:
    """Read a legacy VTK file whose ``DATASET`` must be ``dataset`` with ``reader_class()``.

    A file with what the checks cannot size (string arrays, cells VTK walks
    unchecked) is read in a child process (:mod:`._isolated`).
    """
    from .. import _isolated

    if check_legacy_type(path, dataset, "a legacy VTK file") and not _isolated.in_child():
        return _isolated.read_in_child(path, _LEGACY_KINDS[dataset], "vtk",
                                       "it has sections VTK reads without bounds that cannot be checked before")
    return _common.run_reader(reader_class(), path, f"legacy VTK {dataset}")


def _write(
    data: Any, path: Path, mode: str, writer_class: Callable[[], Any], description: str, warn_ascii: bool = True
) -> None:
    """Write a legacy VTK file; in ASCII, first warn of rounded floats unless the caller warns itself."""
    if mode == "ascii" and warn_ascii:
        _common.warn_losses(path, "legacy VTK (ASCII)", legacy_ascii_losses(data))
    _common.write_with(data, path, writer_class, description, _common.file_type(mode))


def legacy_ascii_losses(data: Any) -> List[str]:
    """Losses of an ASCII legacy VTK file, which prints float32 values with 6 significant digits, float64 with 11."""
    from vtkmodules.vtkCommonCore import VTK_DOUBLE, VTK_FLOAT
    from vtkmodules.vtkCommonDataModel import vtkPointSet

    def is_float(array: Any) -> bool:
        return array is not None and array.GetDataType() in (VTK_FLOAT, VTK_DOUBLE)

    # Image points are implicit (origin and spacing are written apart), even if VTK can list them.
    points = data.GetPoints() if isinstance(data, vtkPointSet) else None
    groups = [data.GetPointData(), data.GetFieldData()] + ([data.GetCellData()] if hasattr(data, "GetCellData") else [])
    names = [attributes.GetArrayName(i) or "(unnamed)" for attributes in groups
             for i in range(attributes.GetNumberOfArrays()) if is_float(attributes.GetAbstractArray(i))]
    changed = (["the points"] if points is not None and is_float(points.GetData()) else []) + (
        [f"arrays {_common.quoted(names)}"] if names else [])
    if not changed:
        return []
    return [
        "ASCII legacy VTK files round float values (float32 to 6, float64 to 11 significant digits): "
        f"{' and '.join(changed)} change; write mode='binary' or .vtp/.vtu/.vti to keep them exactly"
    ]
