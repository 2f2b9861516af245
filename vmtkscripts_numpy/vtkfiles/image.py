"""Image files (``vtkImageData``): read and write keeping every voxel in its physical place.

An image's placement is its origin, spacing, direction matrix and extent: the
voxel with index ``(i, j, k)`` of the extent sits at
``origin + direction @ (spacing * (i, j, k))`` (what
``vtkImageData.TransformIndexToPhysicalPoint`` computes). Every format below
keeps that position for every voxel, except legacy ``.vtk``, which has no
direction matrix.

Patient frame
    Images are read into, and written from, the patient frame you ask for:
    ``frame="RAS"`` (the default: x towards the patient's right, y anterior,
    z superior, as vmtk and 3D Slicer work) or ``frame="LPS"`` (x left,
    y posterior, z superior, as ITK, DICOM and SimpleITK work). MetaImage and
    DICOM files are LPS by definition, NIfTI files RAS, NRRD files state
    theirs (``space:``): each is converted, so the same voxel has the same
    coordinates whichever format it came from. VTK's own formats (``.vti``,
    ``.vtk``, ``.vtkhdf``) have no patient frame: their coordinates are kept
    as they are, in whatever frame they were written.

A format that holds a single unnamed array (MetaImage, NIfTI, NRRD) gives it
the name ``ImageScalars``, as vmtk does.

=========  =================  ==========  ===========================================================
format     extensions         read/write  what the file keeps
=========  =================  ==========  ===========================================================
vtkxml     .vti               read/write  everything: extent, origin, spacing, direction, all arrays
vtkhdf     .vtkhdf, .hdf      read/write  everything; '/' and '.' in array names become '_'
meta       .mha, .mhd         read/write  origin, spacing, direction (a single slice too); one array,
                                          without its name; extent start folded into the origin
nifti      .nii, .nii.gz      read/write  origin, spacing, direction (qform and sform, RAS in the
                                          file, float32: positions to about 1e-6 relative); one
                                          array, without its name; extent start folded
nrrd       .nrrd, .nhdr       read        origin, spacing, direction (``space directions``); one array
dicom      .dcm               read/write  the series the file belongs to, sorted along its slice normal;
                                          rescaled values (needs pydicom: the ``dicom`` extra); written:
                                          one array, a slice as the file, a volume as one file per slice
                                          (name_0001.dcm, ...; see ``_dicom_writer.write_dicom``)
vtk        .vtk               read/write  origin and spacing (6 significant digits), all arrays; NO
                                          direction (LossWarning); extent start folded into the origin
=========  =================  ==========  ===========================================================

"Folded into the origin" means the indices of the written image start at 0 and
its origin is the position of the first voxel: every voxel keeps its physical
position, only the numbering of the indices changes. Each such change, and
every array a format cannot store, is named in a
:class:`~vmtkscripts_numpy.errors.LossWarning` when writing.

Two conventions differ between VTK and the rest of the world, and this module
follows the rest of the world:

- MetaImage ``TransformMatrix``: ITK (and so vmtk, 3D Slicer, SimpleITK)
  store one image axis per consecutive triple (the columns of the direction
  matrix). ``vtkMetaImageWriter`` drops the matrix before VTK 9.7 and
  ``vtkMetaImageReader`` takes the triples as rows from 9.7 on, so MetaImage
  files are read and written by :mod:`._metaimage`, the same on every VTK.
- ``vtkNrrdReader`` ignores the orientation in ``space directions``, takes
  a first axis of 9 voxels or fewer for vector components, and crashes,
  hangs or reads uninitialised memory on damaged files. NRRD files are read
  by :mod:`._nrrd` (every declared size checked against the file) and placed
  here from ``space``, ``space directions`` and ``kinds``.

Examples
--------
>>> from vmtkscripts_numpy.vtkfiles import read_image, write_image
>>> image = read_image("aorta.mha")  # doctest: +SKIP
>>> write_image(image, "aorta.nii.gz")  # doctest: +SKIP
>>> lps = read_image("aorta.mha", frame="LPS")  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from vtkmodules.vtkCommonDataModel import vtkImageData

from ..convert.image import DEFAULT_FRAME, FRAMES
from . import _common, _dataset_checks
from ._image_grid import LPS_TO_RAS, image_placement
from .formats import FormatTable, check_mode
from .._typing import PathLike


_WANTED = "an image (vtkImageData)"


#: The image formats, by name and extension (their rows are in :mod:`vmtkscripts_numpy.formats`).
IMAGE_FORMATS = FormatTable("image")


#: Formats whose files say where the patient is: read into LPS here, then into the frame asked for.
PATIENT_FRAME_FORMATS = ("meta", "nifti", "nrrd", "dicom")


def _frame(frame: str) -> str:
    if not isinstance(frame, str) or frame.upper() not in FRAMES:
        raise ValueError(f"frame: expected one of {list(FRAMES)}, found {frame!r}")
    return frame.upper()


def image_in_frame(image: vtkImageData, frame: str, new_frame: str) -> vtkImageData:
    """``image`` (coordinates in ``frame``) with its coordinates in ``new_frame``: a shallow copy, voxels shared.

    RAS and LPS differ by the signs of x and y, so the origin and the rows of
    the direction matrix change sign; every voxel stays at the same point of
    the patient.

    Examples
    --------
    >>> from vmtkscripts_numpy.convert.image import image_from_array
    >>> import numpy as np
    >>> ras = image_from_array(np.zeros((2, 2, 2)), origin=(10, 20, 30))
    >>> image_in_frame(ras, "RAS", "LPS").GetOrigin()
    (-10.0, -20.0, 30.0)
    """
    if _frame(frame) == _frame(new_frame):
        return image
    origin, spacing, direction, extent = image_placement(image)
    moved = vtkImageData()
    moved.ShallowCopy(image)
    moved.SetOrigin(*(LPS_TO_RAS @ origin))
    moved.SetDirectionMatrix(*(LPS_TO_RAS @ direction).ravel())
    return moved


def read_image(path: PathLike, format: Optional[str] = None, *, frame: str = DEFAULT_FRAME) -> vtkImageData:
    """Read an image file, with its voxels placed in the patient frame ``frame``.

    Parameters
    ----------
    path : str or Path
    format : str, optional
        One of ``vtkxml``, ``vtk``, ``meta``, ``nrrd``, ``nifti``,
        ``vtkhdf``; by default chosen from the extension (``.vti``, ``.vtk``,
        ``.mha``/``.mhd``, ``.nrrd``/``.nhdr``, ``.nii``/``.nii.gz``,
        ``.vtkhdf``/``.hdf``).
    frame : {"RAS", "LPS"}
        The patient frame of the returned coordinates: ``"RAS"`` (vmtk's and
        3D Slicer's, the default) or ``"LPS"`` (ITK's and DICOM's). VTK's own
        formats have no frame: their coordinates come back as stored.

    Returns
    -------
    vtkImageData
        With origin, spacing and direction matrix placing every voxel where
        the file says; a single unnamed array is called ``ImageScalars``.

    Raises
    ------
    DataFileError
        If the file is missing, empty, truncated, not of the format, or holds
        something other than an image; or if its extension is unknown.

    Warns
    -----
    LossWarning
        For a NIfTI file whose sform/qform has shear, or whose values have a
        scale (``scl_slope``/``scl_inter``) that is not applied.

    Examples
    --------
    >>> image = read_image("aorta.mha")  # doctest: +SKIP
    >>> image.GetDirectionMatrix().GetElement(0, 0)  # doctest: +SKIP
    1.0
    >>> read_image("aorta.mha", frame="LPS").GetDirectionMatrix().GetElement(0, 0)  # doctest: +SKIP
    -1.0
    """
    frame = _frame(frame)
    chosen = IMAGE_FORMATS.find(path, format, "read")
    checked = _common.check_readable(path)
    image = _common.require_type(chosen.read(checked), vtkImageData, checked, _WANTED)
    _dataset_checks.check_image(image, checked)
    if chosen.name in PATIENT_FRAME_FORMATS:
        image = image_in_frame(image, "LPS", frame)
    return image


def write_image(
    image: vtkImageData,
    path: PathLike,
    format: Optional[str] = None,
    mode: str = "binary",
    *,
    frame: str = DEFAULT_FRAME,
) -> Path:
    """Write an image file atomically, keeping each voxel's physical position wherever the format allows.

    Parameters
    ----------
    image : vtkImageData
    path : str or Path
    format : str, optional
        One of ``vtkxml``, ``vtk``, ``meta``, ``nifti``, ``vtkhdf``; by
        default chosen from the extension (``.nii.gz`` is compressed).
    mode : {"binary", "ascii"}
        For ``vtkxml`` and ``vtk``; the other formats are always binary.
    frame : {"RAS", "LPS"}
        The patient frame of ``image``'s coordinates (default ``"RAS"``,
        vmtk's). MetaImage and NIfTI files get the voxels where the patient
        is; VTK's own formats store the coordinates as they are.

    Returns
    -------
    Path
        The written file.

    Warns
    -----
    LossWarning
        Naming what the format cannot keep: a direction matrix (legacy
        ``.vtk``), an extent start (folded into the origin), arrays beyond
        the first (MetaImage, NIfTI), array names.

    Raises
    ------
    DataFileError
        For an unknown extension or a file that cannot be written.

    Examples
    --------
    >>> from vmtkscripts_numpy.sample_data import make_image
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "image.vti"
    >>> write_image(make_image(), path).name
    'image.vti'
    """
    if not isinstance(image, vtkImageData):
        raise TypeError(f"write_image needs a vtkImageData, not {type(image).__name__}")
    frame = _frame(frame)
    check_mode(mode)
    chosen = IMAGE_FORMATS.find(path, format, "write")
    if chosen.name in PATIENT_FRAME_FORMATS:
        image = image_in_frame(image, frame, "LPS")
    chosen.write(image, Path(path), mode)
    return Path(path)
