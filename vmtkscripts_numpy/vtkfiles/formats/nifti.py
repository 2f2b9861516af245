"""NIfTI-1 images (``.nii``, ``.nii.gz``): read and written by VTK, placed as nibabel and ITK place them.

The header is checked first (:mod:`vmtkscripts_numpy.vtkfiles._nifti_header`):
VTK allocates what it says before reading a voxel. The sform, else the qform,
gives the placement, in RAS in the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, List, Optional, Tuple

import numpy as np
from vtkmodules.vtkCommonDataModel import vtkImageData

from ..._atomic import atomic_output_folder
from .. import _common, _nifti_header
from .._image_grid import LPS_TO_RAS, ORTHONORMAL_TOLERANCE, SINGLE_ARRAY_NAME, extent_losses, first_voxel_position, \
    grid_dimensions, image_placement, new_image, reversed_slices, single_array

def _matrix3x4(matrix: Any) -> Optional[np.ndarray]:
    if matrix is None:
        return None
    return np.array([[matrix.GetElement(i, j) for j in range(4)] for i in range(3)], dtype=np.float64)


def _orthonormal(rotation: np.ndarray) -> bool:
    return bool(np.allclose(rotation.T @ rotation, np.eye(3), rtol=0, atol=ORTHONORMAL_TOLERANCE))


def _nifti_transform(reader: Any, path: Path) -> Tuple[Optional[np.ndarray], List[str]]:
    """The sform (preferred, as nibabel and ITK do) or else the qform as a 3x4 matrix, or None; and notes."""
    notes: List[str] = []
    candidates = (("sform", _matrix3x4(reader.GetSFormMatrix())), ("qform", _matrix3x4(reader.GetQFormMatrix())))
    for name, matrix in candidates:
        if matrix is None:
            continue
        scales = np.linalg.norm(matrix[:, :3], axis=0)
        if np.all(scales > 0) and _orthonormal(matrix[:, :3] / scales):
            return matrix, notes
        notes.append(f"its {name} has shear, which an image's direction matrix cannot hold; it is ignored")
    return None, notes


def read_image(path: Path) -> vtkImageData:
    """Read an image from a NIfTI-1 file (``path`` exists and is readable)."""
    from vtkmodules.vtkIOImage import vtkNIFTIImageReader

    # VTK allocates what the header says before it reads a voxel.
    _nifti_header.check_nifti(path)
    reader = vtkNIFTIImageReader()
    # Time points become components, so a 4D file loses no volume.
    reader.TimeAsVectorOn()
    read = _common.require_points(_common.run_reader(reader, path, "NIfTI"), path, "a NIfTI file")
    vtk_origin, spacing, _, _ = image_placement(read)
    dimensions = grid_dimensions(read)
    matrix, notes = _nifti_transform(reader, path)
    if matrix is None:
        # No orientation in the file: the voxel grid as it is, axis-aligned.
        rotation, translation, scales = np.eye(3), np.zeros(3), np.ones(3)
    else:
        scales = np.linalg.norm(matrix[:, :3], axis=0)
        rotation, translation = matrix[:, :3] / scales, matrix[:, 3]
    # VTK data coordinates -> RAS -> LPS.
    direction = LPS_TO_RAS @ rotation
    origin = LPS_TO_RAS @ (rotation @ (scales * vtk_origin) + translation)
    # The voxel size is pixdim (VTK's spacing), as ITK and vmtk take it, unless the matrix scales the grid
    # by more than its float32 rounding.
    spacing = np.where(np.abs(scales - 1.0) > 1e-6, spacing * scales, spacing)
    scalars = read.GetPointData().GetScalars()
    if reader.GetQFac() < 0:
        # VTK reversed the slices to make the grid right-handed; restore the file's
        # slice order (as ITK and nibabel give it) and let the direction carry the flip.
        origin = origin + direction[:, 2] * spacing[2] * (dimensions[2] - 1)
        direction = direction @ np.diag([1.0, 1.0, -1.0])
        scalars = reversed_slices(scalars, dimensions)
    scalars.SetName(SINGLE_ARRAY_NAME)
    slope, intercept = reader.GetRescaleSlope(), reader.GetRescaleIntercept()
    if slope not in (0.0, 1.0) or intercept != 0.0:
        notes.append(
            f"the stored values are returned as they are: scl_slope={slope:g} and scl_inter={intercept:g} "
            "are not applied"
        )
    if notes:
        _common.warn_losses(path, "this NIfTI file", notes)
    image = new_image(dimensions, origin, spacing, direction)
    image.GetPointData().SetScalars(scalars)
    return image


def write_image(image: vtkImageData, path: Path, mode: str) -> None:
    """Write ``image`` to a NIfTI-1 file at ``path`` (always binary: ``mode`` is not used)."""
    from vtkmodules.vtkCommonMath import vtkMatrix4x4
    from vtkmodules.vtkIOImage import vtkNIFTIImageWriter

    array, losses = single_array(image, "NIfTI", path)
    _common.warn_losses(path, "NIfTI", extent_losses(image) + losses)
    _, spacing, direction, _ = image_placement(image)
    dimensions = grid_dimensions(image)
    rotation = LPS_TO_RAS @ direction
    translation = LPS_TO_RAS @ first_voxel_position(image)
    qfac = 1.0
    if np.linalg.det(rotation) < 0:
        # NIfTI's qform is a rotation; a mirrored grid is stored with qfac = -1.
        # vtkNIFTIImageWriter then reverses the slices it is given, so give it them
        # reversed and the file keeps our slice order.
        translation = translation + rotation[:, 2] * spacing[2] * (dimensions[2] - 1)
        rotation = rotation @ np.diag([1.0, 1.0, -1.0])
        array = reversed_slices(array, dimensions)
        qfac = -1.0
    matrix = vtkMatrix4x4()
    for i in range(3):
        for j in range(3):
            matrix.SetElement(i, j, float(rotation[i, j]))
        matrix.SetElement(i, 3, float(translation[i]))
    written = new_image(dimensions, (0.0, 0.0, 0.0), spacing, np.eye(3))
    written.GetPointData().SetScalars(array)

    writer = vtkNIFTIImageWriter()
    writer.SetInputData(written)
    writer.SetQFac(qfac)
    writer.SetQFormMatrix(matrix)
    writer.SetSFormMatrix(matrix)
    with atomic_output_folder(path) as target:
        _common.run_writer(writer, Path(target), path, "NIfTI")
