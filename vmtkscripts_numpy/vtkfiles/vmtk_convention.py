"""vmtk's way of placing images, so that the package's image scripts give vmtk's numbers.

vmtk reads an image (through ITK) into RAS, but without a direction matrix:
the voxel grid stays axis-aligned, its first voxel at its true RAS position,
and the rotation is handed on beside the image as two 4x4 matrices:

- ``XyzToRas``: from the image's own coordinates to true RAS, a rotation
  about the first voxel (the identity for an image whose axes already run
  along R, A and S, such as a CT with LPS direction diag(-1, -1, 1));
- ``RasToIjk``: from RAS to voxel indices, which vmtk's image writer applies
  with ``-transform 1``.

Every vmtk script downstream works in those axis-aligned coordinates, so the
package's readers give the same (see :func:`vmtk_placement`) and its writers
take the matrices back (:func:`placed_by_ras_to_ijk`). The functions here work
on ``vtkImageData`` with true placement in RAS, and share voxels where they
can.

Examples
--------
>>> import numpy as np
>>> from vmtkscripts_numpy.convert.image import image_from_array
>>> ras = image_from_array(np.zeros((4, 5, 6)), origin=(-10, -20, 30), direction=np.diag([-1.0, -1.0, 1.0]))
>>> placed = vmtk_placement(ras)
>>> placed.image.GetOrigin(), placed.xyz_to_ras[0].tolist()
((-10.0, -20.0, 30.0), [-1.0, 0.0, 0.0, -20.0])
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Tuple, Union

import numpy as np
from vtkmodules.vtkCommonCore import vtkDataArray
from vtkmodules.vtkCommonDataModel import vtkImageData

from .. import formats
from ..convert.arrays import numpy_to_vtk, vtk_to_numpy
from ..errors import ArrayDictError, LossWarning, warn

#: vmtk's ``-orientation`` values and the axes they ask for, as (RAS axis, sign) per image axis:
#: ITK's RAI (axial), RSA (coronal) and ASL (sagittal) in LPS, written in RAS.
ORIENTATIONS = {
    "axial": ((0, -1), (1, -1), (2, 1)),
    "coronal": ((0, -1), (2, -1), (1, -1)),
    "sagittal": ((1, -1), (2, -1), (0, 1)),
}


@dataclass
class VmtkPlacement:
    """An axis-aligned image and the matrices that place it, as vmtk's image reader gives them."""

    image: vtkImageData
    ras_to_ijk: np.ndarray
    xyz_to_ras: np.ndarray

    def coefficients(self) -> Tuple[list, list]:
        """``(RasToIjkMatrixCoefficients, XyzToRasMatrixCoefficients)``: 16 numbers each, row by row."""
        return self.ras_to_ijk.ravel().tolist(), self.xyz_to_ras.ravel().tolist()


def placement(image: vtkImageData) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(first voxel position, spacing, direction)`` of ``image`` as float64 arrays."""
    direction = np.array(
        [[image.GetDirectionMatrix().GetElement(row, column) for column in range(3)] for row in range(3)]
    )
    spacing = np.array(image.GetSpacing(), dtype=np.float64)
    start = np.array(image.GetExtent()[0::2], dtype=np.float64)
    origin = np.array(image.GetOrigin(), dtype=np.float64) + direction @ (spacing * start)
    return origin, spacing, direction


def index_to_physical(origin: np.ndarray, spacing: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """The 4x4 matrix from voxel indices (from the first voxel) to physical coordinates."""
    matrix = np.eye(4)
    matrix[:3, :3] = direction * spacing
    matrix[:3, 3] = origin
    return matrix


def _with_grid(
    image: vtkImageData,
    values: vtkDataArray,
    dimensions: Union[Sequence[int], np.ndarray],
    origin: np.ndarray,
    spacing: np.ndarray,
    direction: np.ndarray,
) -> vtkImageData:
    """A new image with ``image``'s point arrays replaced by ``values`` (the scalars) on a new grid."""
    placed = vtkImageData()
    placed.SetExtent(0, dimensions[0] - 1, 0, dimensions[1] - 1, 0, dimensions[2] - 1)
    placed.SetOrigin(*origin)
    placed.SetSpacing(*spacing)
    placed.SetDirectionMatrix(*np.asarray(direction, dtype=np.float64).ravel())
    placed.GetPointData().SetScalars(values)
    return placed


def vmtk_placement(image: vtkImageData) -> VmtkPlacement:
    """``image`` (true placement, RAS) as vmtk's reader gives it: axis-aligned, with its matrices.

    The returned image shares the voxels; its origin is the first voxel's RAS
    position and its direction the identity.
    """
    origin, spacing, direction = placement(image)
    aligned = vtkImageData()
    aligned.ShallowCopy(image)
    dimensions = aligned.GetDimensions()
    aligned.SetExtent(0, dimensions[0] - 1, 0, dimensions[1] - 1, 0, dimensions[2] - 1)
    aligned.SetOrigin(*origin)
    aligned.SetDirectionMatrix(1, 0, 0, 0, 1, 0, 0, 0, 1)
    xyz_to_ras = np.eye(4)
    xyz_to_ras[:3, :3] = direction
    xyz_to_ras[:3, 3] = origin - direction @ origin
    ras_to_ijk = np.linalg.inv(index_to_physical(origin, spacing, direction))
    return VmtkPlacement(aligned, ras_to_ijk, xyz_to_ras)


def placed_by_ras_to_ijk(image: vtkImageData, ras_to_ijk: Sequence[float]) -> vtkImageData:
    """``image``'s voxels placed by a ``RasToIjk`` matrix (vmtk's ``-transform 1``): a shallow copy.

    Raises
    ------
    ArrayDictError
        If the matrix is not 16 finite numbers, cannot be inverted, or has
        axes that are not at right angles.
    """
    matrix = _matrix(ras_to_ijk, "RasToIjkMatrixCoefficients")
    try:
        ijk_to_ras = np.linalg.inv(matrix)
    except np.linalg.LinAlgError:
        raise ArrayDictError("RasToIjkMatrixCoefficients: the matrix cannot be inverted") from None
    axes = ijk_to_ras[:3, :3]
    spacing = np.linalg.norm(axes, axis=0)
    direction = axes / spacing
    if not np.allclose(direction.T @ direction, np.eye(3), atol=1e-6):
        raise ArrayDictError("RasToIjkMatrixCoefficients: its voxel axes are not at right angles")
    placed = vtkImageData()
    placed.ShallowCopy(image)
    dimensions = placed.GetDimensions()
    placed.SetExtent(0, dimensions[0] - 1, 0, dimensions[1] - 1, 0, dimensions[2] - 1)
    placed.SetOrigin(*ijk_to_ras[:3, 3])
    placed.SetSpacing(*spacing)
    placed.SetDirectionMatrix(*direction.ravel())
    return placed


def _matrix(coefficients: Sequence[float], name: str) -> np.ndarray:
    try:
        matrix = np.array(coefficients, dtype=np.float64).reshape(4, 4)
    except (TypeError, ValueError):
        raise ArrayDictError(f"{name}: expected 16 numbers, found {coefficients!r}") from None
    if not np.all(np.isfinite(matrix)):
        raise ArrayDictError(f"{name}: expected finite numbers, found {matrix.ravel().tolist()}")
    return matrix


def _voxels_xyz(image: vtkImageData) -> Tuple[np.ndarray, int]:
    """The scalars of ``image`` as an ``[x, y, z, component]`` view, and the component count."""
    scalars = image.GetPointData().GetScalars()
    if scalars is None:
        raise ArrayDictError("image: has no scalars to reorder")
    values = vtk_to_numpy(scalars, copy=False)
    components = scalars.GetNumberOfComponents()
    nx, ny, nz = image.GetDimensions()
    return values.reshape(nz, ny, nx, components).transpose(2, 1, 0, 3), components


def _from_xyz(voxels: np.ndarray, components: int, name: str) -> vtkDataArray:
    zyx = np.ascontiguousarray(voxels.transpose(2, 1, 0, 3))
    flat = zyx.reshape(-1, components) if components > 1 else zyx.reshape(-1)
    return numpy_to_vtk(flat, name=name, share=True)


def reoriented(image: vtkImageData, orientation: str) -> vtkImageData:
    """``image`` (true placement, RAS) with its voxel axes reordered and reversed as vmtk's ``-orientation`` asks.

    ``"axial"``, ``"coronal"`` and ``"sagittal"`` are ITK's RAI, RSA and ASL:
    each image axis is matched to the patient axis it runs closest to, and
    reversed where it runs the other way. ``"native"`` keeps the image as it
    is. Every voxel keeps its physical position; only the scalars are kept.
    """
    if orientation == "native":
        return image
    if orientation not in ORIENTATIONS:
        raise ArrayDictError(f"orientation: expected native, axial, coronal or sagittal, found {orientation!r}")
    origin, spacing, direction = placement(image)
    dimensions = np.array(image.GetDimensions())
    # The patient axis each image axis runs closest to: a permutation, largest components first.
    closest = -np.ones(3, dtype=int)
    for flat_index in np.argsort(-np.abs(direction), axis=None):
        axis, column = divmod(int(flat_index), 3)
        if closest[column] < 0 and axis not in closest:
            closest[column] = axis
    order, flips = [], []
    for axis, sign in ORIENTATIONS[orientation]:
        column = int(np.flatnonzero(closest == axis)[0])
        order.append(column)
        flips.append(np.sign(direction[axis, column]) != sign)
    voxels, components = _voxels_xyz(image)
    voxels = voxels.transpose(order + [3])
    for axis, flip in enumerate(flips):
        if flip:
            voxels = np.flip(voxels, axis)
    new_direction = direction[:, order] * np.where(flips, -1.0, 1.0)
    new_origin = origin + sum(
        direction[:, column] * spacing[column] * (dimensions[column] - 1)
        for column, flip in zip(order, flips) if flip
    )
    name = image.GetPointData().GetScalars().GetName()
    return _with_grid(image, _from_xyz(voxels, components, name), dimensions[order], new_origin, spacing[order],
                      new_direction)


def flipped(image: vtkImageData, flips: Sequence[int]) -> vtkImageData:
    """``image`` with its voxels mirrored along the axes flagged in ``flips`` (vmtk's ``-flip``).

    As ``vtkImageFlip`` does: the grid stays where it is and the values are
    mirrored about its centre. Only the scalars are kept.
    """
    if not any(flips):
        return image
    voxels, components = _voxels_xyz(image)
    for axis, flip in enumerate(flips):
        if flip:
            voxels = np.flip(voxels, axis)
    name = image.GetPointData().GetScalars().GetName()
    origin, spacing, direction = placement(image)
    return _with_grid(image, _from_xyz(voxels, components, name), image.GetDimensions(), origin, spacing, direction)


# --- vmtk's image reader and writer ----------------------------------------------------------

#: Formats vmtk reads through ITK (with -useitk 1): their images come back in vmtk's convention.
ITK_FORMATS = ("meta", "nifti", "nrrd", "dicom", "png", "tiff")
#: vmtk's extension table (vmtkimagereader/vmtkimagewriter); the registry's image formats add theirs.
VMTK_EXTENSIONS = {
    ".vti": "vtkxml", ".vtkxml": "vtkxml", ".vtk": "vtk", ".dcm": "dicom", ".raw": "raw", ".mhd": "meta",
    ".mha": "meta", ".tif": "tiff", ".tiff": "tiff", ".png": "png", ".dat": "pointdata", ".vts": "vtsxml",
}


def image_extensions() -> Dict[str, str]:
    """vmtk's extension table and the extensions of the registry's image formats vmtk lacks (``.nii.gz``...)."""
    table = dict(VMTK_EXTENSIONS)
    for entry in formats.formats("image"):
        for extension in entry.extensions:
            table.setdefault(extension, entry.name)
    return table


def format_from_name(file_name: str) -> str:
    """vmtk's format name for ``file_name``'s extension (longest match), or ``""``."""
    lower = file_name.lower()
    table = image_extensions()
    matches = [extension for extension in table if lower.endswith(extension)]
    return table[max(matches, key=len)] if matches else ""


@dataclass
class ReaderOptions:
    """vmtk's ``vmtkimagereader`` options, with vmtk's defaults."""

    format: str = ""
    use_itk: bool = True
    prefix: str = ""
    pattern: str = ""
    extent: Sequence[int] = (-1, -1, -1, -1, -1, -1)
    header_size: int = 0
    spacing: Sequence[float] = (1.0, 1.0, 1.0)
    origin: Sequence[float] = (0.0, 0.0, 0.0)
    orientation: str = "native"
    byte_order: str = "littleendian"
    scalar_type: str = "float"
    file_dimensionality: int = 3
    flip: Sequence[int] = (0, 0, 0)


def read_vmtk_image(file_name: str, options: ReaderOptions = ReaderOptions()) -> VmtkPlacement:
    """Read an image as vmtk's ``vmtkimagereader`` does: same voxels, placement, array name and matrices.

    - MetaImage, NIfTI, NRRD, DICOM, PNG and TIFF (vmtk reads them through ITK):
      RAS, axis-aligned, the array called ``ImageScalars``, the orientation in
      the matrices (:func:`vmtk_placement`), reordered by ``orientation``;
    - VTK files (``.vti``, ``.vtk``, ``.vtkhdf``) and raw data: as stored, with
      identity matrices;
    - ``use_itk=False`` (vmtk's ``-useitk 0``) reads MetaImage, NIfTI and NRRD as
      stored, in LPS, as vmtk then does with VTK's readers (which, unlike this,
      drop or garble the direction matrix on some VTKs).

    ``flip`` then mirrors the voxels along the flagged axes.

    Raises
    ------
    DataFileError
        For a file that cannot be read, or a format vmtk names but this package
        does not read.
    """
    from ._bitmap import read_bitmap
    from ._raw import read_raw_image
    from ._image_grid import SINGLE_ARRAY_NAME
    from .image import read_image

    name = file_name or options.prefix
    format_name = options.format or format_from_name(name)
    identity = np.eye(4)
    if format_name == "raw":
        image = read_raw_image(
            file_name, prefix=options.prefix, pattern=options.pattern, extent=options.extent,
            spacing=options.spacing, origin=options.origin, header_size=options.header_size,
            byte_order=options.byte_order, scalar_type=options.scalar_type,
            file_dimensionality=options.file_dimensionality,
        )
        placed = VmtkPlacement(image, identity, identity)
    elif format_name in ("png", "tiff"):
        image = read_bitmap(format_name, file_name, prefix=options.prefix, pattern=options.pattern,
                            extent=None if file_name else options.extent, spacing=options.spacing,
                            origin=options.origin, first_row_first=bool(options.use_itk))
        if options.use_itk:
            # ITK reads a bitmap into LPS with identity direction: in RAS that is diag(-1, -1, 1).
            from .image import image_in_frame

            image.GetPointData().GetScalars().SetName(SINGLE_ARRAY_NAME)
            placed = vmtk_placement(reoriented(image_in_frame(image, "LPS", "RAS"), options.orientation))
        else:
            placed = VmtkPlacement(image, identity, identity)
    elif format_name in formats.names("image", "read") and format_name not in ITK_FORMATS:
        placed = VmtkPlacement(read_image(file_name, format=format_name), identity, identity)
    elif format_name in ITK_FORMATS:
        if not options.use_itk:
            image = read_image(file_name, format=format_name, frame="LPS")
            if format_name == "meta":
                image.GetPointData().GetScalars().SetName("MetaImage")  # as VTK's reader names it
            placed = VmtkPlacement(image, identity, identity)
        else:
            placed = vmtk_placement(reoriented(read_image(file_name, format=format_name, frame="RAS"),
                                               options.orientation))
    else:
        from ..errors import DataFileError

        known = ", ".join(sorted(set(image_extensions().values()) - {"pointdata", "vtsxml"}))
        raise DataFileError(name, f"{_unknown(format_name, name)}; image formats read: {known} (-f names one)")
    placed.image = flipped(placed.image, options.flip)
    return placed


@dataclass
class WriterOptions:
    """vmtk's ``vmtkimagewriter`` options, with vmtk's defaults."""

    format: str = ""
    apply_transform: bool = False
    ras_to_ijk: Optional[Sequence[float]] = None
    raw_file_name: str = ""
    pixel_representation: str = ""
    window_level: Sequence[float] = (1.0, 0.0)


#: vmtk's ``-r`` values and the dtypes they cast to.
PIXEL_REPRESENTATIONS = {"double": np.float64, "float": np.float32, "short": np.int16}


def write_vmtk_image(image: vtkImageData, file_name: str, options: WriterOptions = WriterOptions()) -> None:
    """Write an image (coordinates in RAS, vmtk's) as vmtk's ``vmtkimagewriter`` does, placed right.

    With ``apply_transform`` the voxels are placed by ``ras_to_ijk`` (vmtk's
    ``-transform 1 -matrix ...``, the matrix its reader gives); otherwise by the
    image's own origin, spacing and direction. MetaImage and NIfTI files get
    LPS coordinates, as ITK writes them for vmtk. ``pixel_representation``
    casts the voxels first; PNG and TIFF map them to 0-255 by ``window_level``.

    Raises
    ------
    DataFileError
        For a format vmtk names but this package does not write, or a file
        that cannot be written.
    """
    from pathlib import Path

    from ..errors import DataFileError
    from ._bitmap import to_unsigned_char, write_bitmap
    from ._pointdata import write_pointdata
    from .image import write_image

    format_name = options.format or format_from_name(file_name)
    if options.apply_transform:
        if options.ras_to_ijk is None:
            raise DataFileError(file_name, "-transform 1 needs a RasToIjk matrix (-matrix, or piped from vmtkimagereader)")
        image = placed_by_ras_to_ijk(image, options.ras_to_ijk)
    elif options.ras_to_ijk is not None and not _agrees(image, options.ras_to_ijk):
        warn(
            f"{file_name}: the image is written axis-aligned, as vmtk's scripts hold it, not where it was read: its "
            "RasToIjk matrix (from vmtkimagereader) places it otherwise; add -transform 1 to write it where it was read",
            LossWarning,
        )
    if options.pixel_representation:
        image = _cast(image, options.pixel_representation)
    path = Path(file_name)
    if format_name in ("png", "tiff"):
        write_bitmap(format_name, to_unsigned_char(image, options.window_level), path)
    elif format_name == "pointdata":
        write_pointdata(path, _point_positions(image), image.GetPointData())
    elif format_name in formats.names("image", "write"):
        if format_name == "meta" and options.raw_file_name:
            raise DataFileError(file_name, "-rawfile is not supported: a .mhd is written with its .zraw beside it")
        write_image(image, path, format=format_name, frame="RAS")
    else:
        raise DataFileError(
            file_name,
            (f"format {format_name!r} is" if format_name else f"{_unknown(format_name, file_name)}:")
            + " not written by this package; vmtk's own writer (vmtk.vmtkimagewriter, with vmtk installed) "
            "writes vtsxml",
        )


def _unknown(format_name: str, file_name: str) -> str:
    """``"unknown image format 'xyz'"``, or for no format, the extension it was not told by.

    Examples
    --------
    >>> _unknown("", "case.h5"), _unknown("", "case"), _unknown("xyz", "case.h5")
    ("unknown image file extension '.h5'", 'unknown image file extension (none)', "unknown image format 'xyz'")
    """
    if format_name:
        return f"unknown image format {format_name!r}"
    extension = os.path.splitext(os.path.basename(file_name))[1]
    return f"unknown image file extension {extension!r}" if extension else "unknown image file extension (none)"


def _agrees(image: vtkImageData, ras_to_ijk: Sequence[float]) -> bool:
    """Whether ``ras_to_ijk`` places ``image`` where its own placement does (vmtk's identity default says nothing)."""
    matrix = _matrix(ras_to_ijk, "RasToIjkMatrixCoefficients")
    if np.array_equal(matrix, np.eye(4)):
        return True
    own = np.linalg.inv(index_to_physical(*placement(image)))
    return bool(np.allclose(matrix, own, rtol=1e-9, atol=1e-9))


def _cast(image: vtkImageData, representation: str) -> vtkImageData:
    if representation not in PIXEL_REPRESENTATIONS:
        raise ArrayDictError(f"pixel representation: expected double, float or short, found {representation!r}")
    scalars = image.GetPointData().GetScalars()
    values = vtk_to_numpy(scalars, copy=False).astype(PIXEL_REPRESENTATIONS[representation])
    cast = vtkImageData()
    cast.CopyStructure(image)
    cast.GetPointData().SetScalars(numpy_to_vtk(values, name=scalars.GetName(), share=True))
    return cast


def _point_positions(image: vtkImageData) -> np.ndarray:
    """The physical position of every voxel, x fastest, ``(n, 3)``."""
    origin, spacing, direction = placement(image)
    nx, ny, nz = image.GetDimensions()
    k, j, i = np.meshgrid(np.arange(nz), np.arange(ny), np.arange(nx), indexing="ij")
    indices = np.stack([i.ravel(), j.ravel(), k.ravel()], axis=1) * spacing
    return indices @ direction.T + origin
