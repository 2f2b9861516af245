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

import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from vtkmodules.vtkCommonDataModel import vtkImageData

from .._atomic import atomic_output_folder
from ..convert.arrays import numpy_to_vtk, vtk_to_numpy
from ..convert.image import DEFAULT_FRAME, FRAMES
from ..errors import DataFileError
from . import _common, _dataset_checks, _metaimage, _nifti_header, _nrrd
from .formats import FormatTable, check_mode
from .._typing import PathLike


_WANTED = "an image (vtkImageData)"

#: LPS <-> RAS (its own inverse).
LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0])

#: The name a single unnamed image array gets, as vmtk names it.
SINGLE_ARRAY_NAME = "ImageScalars"

#: How far from orthonormal a direction (or a NIfTI rotation) may be.
ORTHONORMAL_TOLERANCE = 1e-5


# --- placement --------------------------------------------------------------------------


def image_placement(image: vtkImageData) -> Tuple[np.ndarray, np.ndarray, np.ndarray, Tuple[int, ...]]:
    """``(origin, spacing, direction, extent)`` of ``image`` as float64 arrays (direction 3x3)."""
    direction = np.array([image.GetDirectionMatrix().GetElement(i, j) for i in range(3) for j in range(3)])
    return (
        np.array(image.GetOrigin(), dtype=np.float64),
        np.array(image.GetSpacing(), dtype=np.float64),
        direction.reshape(3, 3),
        tuple(image.GetExtent()),
    )


def first_voxel_position(image: vtkImageData) -> np.ndarray:
    """The physical position of the image's first voxel (the one at the start of its extent)."""
    origin, spacing, direction, extent = image_placement(image)
    return origin + direction @ (spacing * np.array(extent[0::2], dtype=np.float64))


def _dimensions(image: vtkImageData) -> Tuple[int, int, int]:
    extent = image.GetExtent()
    return tuple(int(extent[2 * a + 1] - extent[2 * a] + 1) for a in range(3))  # type: ignore[return-value]


def _new_image(
    dimensions: Sequence[int],
    origin: Union[Sequence[float], np.ndarray],
    spacing: Union[Sequence[float], np.ndarray],
    direction: np.ndarray,
) -> vtkImageData:
    image = vtkImageData()
    image.SetExtent(0, int(dimensions[0]) - 1, 0, int(dimensions[1]) - 1, 0, int(dimensions[2]) - 1)
    image.SetOrigin(*(float(v) for v in origin))
    image.SetSpacing(*(float(v) for v in spacing))
    image.SetDirectionMatrix(*(float(v) for v in np.asarray(direction, dtype=np.float64).ravel()))
    return image


def _rebased(image: vtkImageData) -> vtkImageData:
    """A shallow copy whose extent starts at 0 and whose origin is the first voxel's position."""
    copy = vtkImageData()
    copy.ShallowCopy(image)
    nx, ny, nz = _dimensions(image)
    copy.SetExtent(0, nx - 1, 0, ny - 1, 0, nz - 1)
    copy.SetOrigin(*first_voxel_position(image))
    return copy


def _extent_losses(image: vtkImageData) -> List[str]:
    start = tuple(image.GetExtent()[0::2])
    if any(start):
        return [
            f"the extent start {start} is folded into the origin: voxel positions are kept, "
            "indices start at 0"
        ]
    return []


def _single_array(image: vtkImageData, description: str, path: Path) -> Tuple[Any, List[str]]:
    """The one point array a single-array format stores, and the losses of storing only it."""
    point_data = image.GetPointData()
    array = point_data.GetScalars()
    if array is None and point_data.GetNumberOfArrays():
        array = point_data.GetArray(0)
    if array is None:
        raise DataFileError(path, f"cannot be written as {description}: the image has no point data array")
    name = array.GetName() or "(unnamed)"
    others = [n for n in _common.attribute_array_names(point_data) if n != name]
    # Read back, the array is called ImageScalars: only another name is lost.
    losses = [] if name == SINGLE_ARRAY_NAME else [f"the array name {name!r} is not stored (it comes back as "
                                                    f"{SINGLE_ARRAY_NAME!r})"]
    if others:
        losses.append(f"only one point array is stored ({name!r}): {_common.quoted(others)} are dropped")
    cells = _common.attribute_array_names(image.GetCellData())
    if cells:
        losses.append(f"cell arrays {_common.quoted(cells)} are dropped")
    fields = _common.attribute_array_names(image.GetFieldData())
    if fields:
        losses.append(f"field arrays {_common.quoted(fields)} are dropped")
    return array, losses


def _with_scalars(template: vtkImageData, array: Any, direction: Optional[np.ndarray] = None) -> vtkImageData:
    """A new image with ``template``'s geometry (or another ``direction``) and ``array`` as its only scalars."""
    origin, spacing, template_direction, _ = image_placement(template)
    image = _new_image(_dimensions(template), origin, spacing, template_direction if direction is None else direction)
    image.GetPointData().SetScalars(array)
    return image


def _reversed_slices(array: Any, dimensions: Sequence[int]) -> Any:
    """A copy of a point array with the slice (k) order reversed."""
    values = vtk_to_numpy(array, copy=False)
    components = array.GetNumberOfComponents()
    nx, ny, nz = dimensions
    flipped = values.reshape(nz, ny, nx, components)[::-1].reshape(-1, components)
    flipped = np.ascontiguousarray(flipped if components > 1 else flipped[:, 0])
    return numpy_to_vtk(flipped, name=array.GetName(), share=True)


# --- VTK XML, legacy, VTKHDF ---------------------------------------------------------------


def _read_vtkxml(path: Path) -> vtkImageData:
    from vtkmodules.vtkIOXML import vtkXMLImageDataReader

    return _common.read_vtkxml(path, vtkXMLImageDataReader, "ImageData")


def _write_vtkxml(image: vtkImageData, path: Path, mode: str) -> None:
    from vtkmodules.vtkIOXML import vtkXMLImageDataWriter

    _common.write_vtkxml(image, path, mode, vtkXMLImageDataWriter, "VTK XML ImageData")


def _read_legacy(path: Path) -> vtkImageData:
    from vtkmodules.vtkIOLegacy import vtkStructuredPointsReader

    points = _common.read_legacy(path, vtkStructuredPointsReader, "STRUCTURED_POINTS")
    image = vtkImageData()
    image.ShallowCopy(points)
    return image


def _write_legacy(image: vtkImageData, path: Path, mode: str) -> None:
    from vtkmodules.vtkIOLegacy import vtkStructuredPointsWriter

    _, _, direction, _ = image_placement(image)
    losses = _extent_losses(image)
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
        losses += _common.legacy_ascii_losses(image)
    _common.warn_losses(path, "legacy VTK", losses)
    rebased = _rebased(image)
    rebased.SetDirectionMatrix(1, 0, 0, 0, 1, 0, 0, 0, 1)
    # The ASCII rounding is in the one warning above.
    _common.write_legacy(rebased, path, mode, vtkStructuredPointsWriter, "legacy VTK STRUCTURED_POINTS",
                         warn_ascii=False)


def _read_vtkhdf(path: Path) -> vtkImageData:
    return _common.read_vtkhdf(path, "ImageData")


def _write_vtkhdf(image: vtkImageData, path: Path, mode: str) -> None:
    # vtkHDFWriter exists from VTK 9.4 but writes images only from 9.7.
    _common.require_vtk(path, (9, 7), "writing VTKHDF ImageData files")
    _common.write_vtkhdf(image, path, "VTKHDF ImageData")


# --- MetaImage ----------------------------------------------------------------------------


def _read_meta(path: Path) -> vtkImageData:
    meta = _metaimage.read_metaimage(path)
    image = _new_image(meta.dimensions, meta.origin, meta.spacing, meta.direction)
    image.GetPointData().SetScalars(numpy_to_vtk(meta.values, name=SINGLE_ARRAY_NAME, share=True))
    return image


def _write_meta(image: vtkImageData, path: Path, mode: str) -> None:
    array, losses = _single_array(image, "MetaImage", path)
    values = vtk_to_numpy(array, copy=False)
    if _metaimage.element_type(values.dtype) is None:
        raise DataFileError(path, f"cannot be written as MetaImage: it has no element type for {values.dtype} voxels")
    _common.warn_losses(path, "MetaImage", _extent_losses(image) + losses)
    import io

    from .._atomic import atomic_output, atomic_output_with_data

    _, spacing, direction, _ = image_placement(image)
    placement = (_dimensions(image), first_voxel_position(image), spacing, direction)
    if path.suffix.lower() != ".mhd":
        with atomic_output(path) as target, open(target, "wb") as stream:
            _metaimage.write_metaimage(stream, values, *placement)
        return
    # The header and its voxel file are replaced as a pair: no reader finds a header with other voxels.
    with atomic_output_with_data(path) as stage:
        data_name = Path(stage.name).stem + ".zraw"
        header = io.BytesIO()
        with open(stage.data_path(data_name), "wb") as data:
            _metaimage.write_metaimage(header, values, *placement, data_file=data, data_file_name=data_name)
        stage.index = lambda where: _metaimage.with_data_file(header.getvalue(), where(data_name))


# --- NIfTI --------------------------------------------------------------------------------


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


def _read_nifti(path: Path) -> vtkImageData:
    from vtkmodules.vtkIOImage import vtkNIFTIImageReader

    # VTK allocates what the header says before it reads a voxel.
    _nifti_header.check_nifti(path)
    reader = vtkNIFTIImageReader()
    # Time points become components, so a 4D file loses no volume.
    reader.TimeAsVectorOn()
    read = _common.require_points(_common.run_reader(reader, path, "NIfTI"), path, "a NIfTI file")
    vtk_origin, spacing, _, _ = image_placement(read)
    dimensions = _dimensions(read)
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
        scalars = _reversed_slices(scalars, dimensions)
    scalars.SetName(SINGLE_ARRAY_NAME)
    slope, intercept = reader.GetRescaleSlope(), reader.GetRescaleIntercept()
    if slope not in (0.0, 1.0) or intercept != 0.0:
        notes.append(
            f"the stored values are returned as they are: scl_slope={slope:g} and scl_inter={intercept:g} "
            "are not applied"
        )
    if notes:
        _common.warn_losses(path, "this NIfTI file", notes)
    image = _new_image(dimensions, origin, spacing, direction)
    image.GetPointData().SetScalars(scalars)
    return image


def _write_nifti(image: vtkImageData, path: Path, mode: str) -> None:
    from vtkmodules.vtkCommonMath import vtkMatrix4x4
    from vtkmodules.vtkIOImage import vtkNIFTIImageWriter

    array, losses = _single_array(image, "NIfTI", path)
    _common.warn_losses(path, "NIfTI", _extent_losses(image) + losses)
    _, spacing, direction, _ = image_placement(image)
    dimensions = _dimensions(image)
    rotation = LPS_TO_RAS @ direction
    translation = LPS_TO_RAS @ first_voxel_position(image)
    qfac = 1.0
    if np.linalg.det(rotation) < 0:
        # NIfTI's qform is a rotation; a mirrored grid is stored with qfac = -1.
        # vtkNIFTIImageWriter then reverses the slices it is given, so give it them
        # reversed and the file keeps our slice order.
        translation = translation + rotation[:, 2] * spacing[2] * (dimensions[2] - 1)
        rotation = rotation @ np.diag([1.0, 1.0, -1.0])
        array = _reversed_slices(array, dimensions)
        qfac = -1.0
    matrix = vtkMatrix4x4()
    for i in range(3):
        for j in range(3):
            matrix.SetElement(i, j, float(rotation[i, j]))
        matrix.SetElement(i, 3, float(translation[i]))
    written = _new_image(dimensions, (0.0, 0.0, 0.0), spacing, np.eye(3))
    written.GetPointData().SetScalars(array)

    writer = vtkNIFTIImageWriter()
    writer.SetInputData(written)
    writer.SetQFac(qfac)
    writer.SetQFormMatrix(matrix)
    writer.SetSFormMatrix(matrix)
    with atomic_output_folder(path) as target:
        _common.run_writer(writer, Path(target), path, "NIfTI")


# --- NRRD -------------------------------------------------------------------------------------

#: NRRD ``space`` values -> the matrix that takes that frame to LPS.
_NRRD_FRAMES: Dict[str, np.ndarray] = {
    "right-anterior-superior": np.diag([-1.0, -1.0, 1.0]),
    "ras": np.diag([-1.0, -1.0, 1.0]),
    "left-anterior-superior": np.diag([1.0, -1.0, 1.0]),
    "las": np.diag([1.0, -1.0, 1.0]),
    "left-posterior-superior": np.eye(3),
    "lps": np.eye(3),
}
_NRRD_SPATIAL_KINDS = ("domain", "space")


def _nrrd_vectors(text: str) -> List[Optional[np.ndarray]]:
    vectors: List[Optional[np.ndarray]] = []
    for match in re.finditer(r"\(([^)]*)\)|none", text):
        if match.group(1) is None:
            vectors.append(None)
        else:
            vectors.append(np.array([float(v) for v in match.group(1).split(",")], dtype=np.float64))
    return vectors


def _nrrd_layout(fields: Dict[str, str], path: Path) -> Dict[str, Any]:
    """Axes, components and placement (in the file's frame) from a NRRD header."""
    try:
        dimension = int(fields["dimension"])
        sizes = [int(v) for v in fields["sizes"].split()]
        directions = _nrrd_vectors(fields["space directions"]) if "space directions" in fields else None
        origin_vectors = _nrrd_vectors(fields.get("space origin", ""))
        spacings = [float(v) for v in fields["spacings"].split()] if "spacings" in fields else None
    except (KeyError, ValueError) as error:
        raise DataFileError(path, f"has a NRRD header that cannot be understood: {error}") from None
    kinds = fields.get("kinds", "").lower().split()
    if len(sizes) != dimension:
        raise DataFileError(path, f"has {len(sizes)} sizes for dimension {dimension}")
    if directions is not None and len(directions) == dimension:
        spatial = [vector is not None for vector in directions]
    elif len(kinds) == dimension:
        spatial = [kind in _NRRD_SPATIAL_KINDS for kind in kinds]
    else:
        spatial = [not (dimension == 4 and axis == 0) for axis in range(dimension)]
    spatial_axes = [axis for axis in range(dimension) if spatial[axis]]
    if not 2 <= len(spatial_axes) <= 3 or spatial_axes != list(range(dimension - len(spatial_axes), dimension)) or (
        dimension - len(spatial_axes) > 1
    ):
        raise DataFileError(
            path,
            f"has axes {fields.get('kinds', '(no kinds)')!r} with sizes {sizes}: only 2D or 3D images, with at most "
            "one non-spatial axis and that one first (vector components), can be read",
        )
    components = sizes[0] if not spatial[0] else 1
    dims = [sizes[axis] for axis in spatial_axes] + [1] * (3 - len(spatial_axes))
    if directions is not None and len(directions) == dimension:
        # Vectors of a 2D space get a zero z; longer ones are cut to x, y, z.
        vectors = [directions[axis] for axis in spatial_axes]  # a spatial axis has a vector
        columns = [np.resize(np.pad(vector, (0, max(0, 3 - len(vector)))), 3)
                   for vector in vectors if vector is not None]
        steps = np.array([np.linalg.norm(column) for column in columns])
        if np.any(steps == 0):
            raise DataFileError(path, "has a zero vector in 'space directions'")
        units = [column / step for column, step in zip(columns, steps)]
        if len(units) == 2:
            units.append(np.cross(units[0], units[1]))
            steps = np.append(steps, 1.0)
        direction, spacing = np.column_stack(units), steps
    else:
        direction = np.eye(3)
        given = [spacings[axis] for axis in spatial_axes] if spacings else []
        spacing = np.array([v if np.isfinite(v) and v > 0 else 1.0 for v in given] + [1.0] * (3 - len(given)))
    origin = np.zeros(3)
    if origin_vectors and origin_vectors[0] is not None:
        origin[: min(3, len(origin_vectors[0]))] = origin_vectors[0][:3]
    return {"dimensions": dims, "components": components, "direction": direction, "spacing": spacing, "origin": origin}


def _read_nrrd(path: Path) -> vtkImageData:
    fields, _ = _nrrd.read_header(path)
    layout = _nrrd_layout(fields, path)
    # The values in the file's order (fastest axis first) are VTK's: components, then x, y, z.
    _, values = _nrrd.read_nrrd(path)
    values = values.reshape(-1, layout["components"]) if layout["components"] > 1 else values
    space = fields.get("space", "").lower()
    frame = _NRRD_FRAMES.get(space, np.eye(3))
    image = _new_image(layout["dimensions"], frame @ layout["origin"], layout["spacing"], frame @ layout["direction"])
    image.GetPointData().SetScalars(numpy_to_vtk(values, name=SINGLE_ARRAY_NAME, share=True))
    return image


def _read_dicom(path: Path) -> vtkImageData:
    from ._dicom import read_dicom_series

    series = read_dicom_series(path)
    image = _new_image(series.dimensions, series.origin, series.spacing, series.direction)
    image.GetPointData().SetScalars(numpy_to_vtk(series.values, name=SINGLE_ARRAY_NAME, share=True))
    return image


def _write_dicom(image: vtkImageData, path: Path, mode: str) -> None:
    from ._dicom_writer import write_dicom

    # write_image hands patient-frame formats their image in LPS.
    write_dicom(image, path, frame="LPS")


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
