"""DICOM files written with pydicom (the optional extra ``dicom``): one file per slice, placed in LPS.

:func:`write_dicom` writes an image (a ``vtkImageData`` or an image ArrayDict)
as DICOM: a single slice as one file, a volume as a series of one file per
slice. Each file says where its pixels are in the patient, in DICOM's frame
(LPS, whatever frame the image is in):

- ``ImagePositionPatient``: the position of the slice's first pixel;
- ``ImageOrientationPatient``: the directions of the rows and of the columns
  (the image's first two ``Direction`` columns);
- ``PixelSpacing``: the distance between rows, then between columns (the
  image's ``Spacing[1]``, ``Spacing[0]``);
- ``SliceThickness`` (and ``SpacingBetweenSlices`` in a series): ``Spacing[2]``.

Pixels are stored row by row: row ``j``, column ``i`` is the image's voxel
``[i, j]``, so a viewer that ignores the orientation shows the image's x axis
to the right and its y axis downwards. Nothing is flipped.

Values are stored as 8- or 16-bit integers, with ``RescaleSlope`` and
``RescaleIntercept`` giving the values back: integer data (and float data
holding integers) exactly, other float data to half the slope, which is as
small as 16 bits allow for the data's range; the largest error is measured,
stated in a :class:`~vmtkscripts_numpy.errors.LossWarning`, and checked
against ``tolerance`` when one is given. Numbers written as DICOM decimal
strings (at most 16 characters) are the numbers used: positions keep 13 or
more significant digits.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from .._atomic import atomic_output_folder
from ..errors import LossWarning, warn
from .._typing import PathLike


#: What to install for DICOM.
INSTALL_HINT = "writing DICOM needs pydicom: pip install 'vmtkscripts_numpy[dicom]'"

#: SOP classes by modality: CT and MR images, anything else a secondary capture (with the image plane tags,
#: as ITK writes them).
SOP_CLASSES: Dict[str, str] = {
    "CT": "1.2.840.10008.5.1.4.1.1.2",
    "MR": "1.2.840.10008.5.1.4.1.1.4",
    "OT": "1.2.840.10008.5.1.4.1.1.7",
}
_EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1"

#: Attributes the writer computes from the image; ``attributes`` may not set them.
COMPUTED_ATTRIBUTES = frozenset({
    "SOPClassUID", "SOPInstanceUID", "InstanceNumber", "Modality", "ImagePositionPatient",
    "ImageOrientationPatient", "PixelSpacing", "SliceThickness", "SpacingBetweenSlices", "SliceLocation", "Rows",
    "Columns", "SamplesPerPixel", "PhotometricInterpretation", "BitsAllocated", "BitsStored", "HighBit",
    "PixelRepresentation", "RescaleSlope", "RescaleIntercept", "RescaleType", "PixelData", "NumberOfFrames",
})

#: Largest stored value of the 16-bit unsigned pixels used for rescaled data.
_UINT16_TOP = 65535


def _pydicom() -> Any:
    try:
        import pydicom
    except ImportError:
        raise ImportError(INSTALL_HINT) from None
    return pydicom


def decimal_string(value: float) -> str:
    """``value`` as a DICOM decimal string (DS): at most 16 characters, as many digits as fit.

    Examples
    --------
    >>> decimal_string(0.1), decimal_string(-156.4453125), decimal_string(1 / 3)
    ('0.1', '-156.4453125', '0.33333333333333')
    """
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"a DICOM decimal string cannot hold {value}")
    if value == 0:
        return "0"
    text = repr(value)
    digits = 17
    while len(text) > 16:
        digits -= 1
        text = f"{value:.{digits}g}".replace("e+", "e")
    return text


def _ceiling_decimal(value: float, digits: int = 6) -> float:
    """The smallest number of ``digits`` significant digits that is >= ``value`` (> 0)."""
    exponent = math.floor(math.log10(value)) - (digits - 1)
    scale = 10.0 ** exponent
    rounded = float(f"{math.ceil(value / scale - 1e-9) * scale:.{digits}g}")
    return rounded if rounded >= value else float(f"{rounded + scale:.{digits}g}")


class _Stored:
    """Stored pixel values and how to rescale them back."""

    def __init__(self, values: np.ndarray, slope: str, intercept: str, max_error: float) -> None:
        self.values = values
        self.slope = slope
        self.intercept = intercept
        self.max_error = max_error


def _integer_storage(values: np.ndarray) -> Optional[_Stored]:
    """Integers as uint8/uint16/int16 exactly (with an integer intercept when needed), or None if they do not fit."""
    if values.size == 0:
        return _Stored(values.astype(np.uint16), "1", "0", 0.0)
    low, high = int(values.min()), int(values.max())
    # The data's own type where DICOM has it, else the one its range fits.
    if values.dtype in (np.bool_, np.uint8):
        return _Stored(values.astype(np.uint8), "1", "0", 0.0)
    if values.dtype in (np.int8, np.int16) or (low < 0 and low >= -32768 and high <= 32767):
        return _Stored(values.astype(np.int16), "1", "0", 0.0)
    if low >= 0 and high <= _UINT16_TOP:
        return _Stored(values.astype(np.uint16), "1", "0", 0.0)
    if high - low <= _UINT16_TOP:
        return _Stored((values - low).astype(np.uint16), "1", str(low), 0.0)
    return None


def stored_values(values: np.ndarray) -> Tuple[np.ndarray, str, str, float]:
    """Stored integers, ``RescaleSlope`` and ``RescaleIntercept`` (as written) and the largest error.

    Integers (and floats that hold integers) are stored exactly when their
    range spans at most 65536 values; other floats get the smallest slope of
    six significant digits that fits their range into 16 bits.

    Raises
    ------
    ValueError
        For NaN or infinite values, and for integers spanning more than 16 bits.

    Examples
    --------
    >>> stored, slope, intercept, error = stored_values(np.array([-1024, 0, 3071], np.int32))
    >>> stored.dtype, slope, intercept, error
    (dtype('int16'), '1', '0', 0.0)
    >>> stored, slope, intercept, error = stored_values(np.array([0.0, 0.25, 1.0]))
    >>> stored.tolist(), slope, intercept, error <= float(slope) / 2
    ([0, 16383, 65534], '1.52593e-05', '0', True)
    """
    kind = values.dtype.kind
    if kind == "b" or kind in "iu":
        stored = _integer_storage(values)
        if stored is None:
            raise ValueError(
                f"integer values from {values.min()} to {values.max()} span more than 16 bits, which a DICOM image "
                "stores exactly only with 32-bit pixels; write .mha, .nii or .vti instead"
            )
        return stored.values, stored.slope, stored.intercept, 0.0
    if kind != "f":
        raise ValueError(f"values of dtype {values.dtype} cannot be stored in a DICOM image")
    if values.size and not np.all(np.isfinite(values)):
        raise ValueError("NaN or infinite values cannot be stored in a DICOM image")
    exact = values.astype(np.float64)
    if values.size == 0 or np.array_equal(exact, np.round(exact)):
        integers = _integer_storage(exact.astype(np.int64)) if values.size == 0 or (
            np.abs(exact).max() < 2 ** 53) else None
        if integers is not None:
            return integers.values, integers.slope, integers.intercept, 0.0
    low, high = float(exact.min()), float(exact.max())
    intercept = decimal_string(low)
    offset = float(intercept)
    slope = decimal_string(_ceiling_decimal(max(high - offset, abs(offset) * 1e-14, 1e-300) / (_UINT16_TOP - 1)))
    step = float(slope)
    quantised = np.clip(np.round((exact - offset) / step), 0, _UINT16_TOP).astype(np.uint16)
    error = float(np.abs(quantised * step + offset - exact).max())
    return quantised, slope, intercept, error


def _slice_file_names(path: Path, count: int) -> List[Path]:
    if count == 1:
        return [path]
    suffix = path.suffix
    stem = path.name[: len(path.name) - len(suffix)] if suffix else path.name
    width = max(4, len(str(count)))
    return [path.with_name(f"{stem}_{index:0{width}d}{suffix}") for index in range(1, count + 1)]


def _lps_dict(image: Any, frame: Optional[str]) -> Dict[str, Any]:
    """The image as an ``"xyz"`` ArrayDict in LPS."""
    from vtkmodules.vtkCommonDataModel import vtkImageData

    from ..convert.image import DEFAULT_FRAME, dict_to_image, image_to_dict

    if isinstance(image, Mapping):
        stated = image.get("Frame")
        given = frame or DEFAULT_FRAME if stated is None else stated
        vtk_image = dict_to_image({**image, "Frame": given}, frame="LPS")
    elif isinstance(image, vtkImageData):
        placed = image_to_dict(image, frame=frame or DEFAULT_FRAME, copy=False)  # only read
        vtk_image = dict_to_image(placed, frame="LPS")
    else:
        raise TypeError(f"write_dicom needs a vtkImageData or an image ArrayDict, not {type(image).__name__}")
    return image_to_dict(vtk_image, frame="LPS", copy=False)


def write_dicom(
    image: Any,
    path: PathLike,
    *,
    frame: Optional[str] = None,
    modality: str = "OT",
    tolerance: Optional[float] = None,
    array: Optional[str] = None,
    attributes: Optional[Mapping[str, Any]] = None,
) -> List[Path]:
    """Write an image as DICOM: one file for a single slice, one file per slice for a volume.

    Parameters
    ----------
    image : vtkImageData or mapping
        The image: a ``vtkImageData`` whose coordinates are in ``frame``, or
        an image ArrayDict (in its ``Frame``; a dict without one is taken to
        be in ``frame``, or RAS).
    path : str or Path
        The file for a single slice. For ``n`` slices, files named after it
        with ``_0001`` to ``_n`` before the extension, in slice order
        (``ct.dcm`` gives ``ct_0001.dcm``, ...). Reading any of them (with
        :func:`~vmtkscripts_numpy.vtkfiles.read_image`, ITK, a viewer) gives
        the whole series.
    frame : {"RAS", "LPS"}, optional
        The patient frame of the image's coordinates; default RAS (vmtk's)
        for a ``vtkImageData``, the dict's ``Frame`` for a dict. The files
        are in LPS, as DICOM is.
    modality : {"OT", "CT", "MR"}
        The ``Modality``; CT and MR images are written with their SOP class,
        anything else as a secondary capture.
    tolerance : float, optional
        The largest error allowed on float values (they are stored as 16-bit
        integers with a rescale); a write that cannot meet it is refused.
    array : str, optional
        The point data array to write (one component); default the active
        scalars, else the first.
    attributes : mapping, optional
        DICOM attributes by keyword, written into every file after the
        defaults: ``PatientName``, ``PatientID``, ``SeriesDescription``,
        ``SeriesNumber``, and ``StudyInstanceUID`` and
        ``FrameOfReferenceUID`` to put the image in an existing study and
        frame. Those the writer computes (geometry, pixels, rescale, instance
        UIDs) are refused.

    Returns
    -------
    list of Path
        The files written, in slice order (positions increasing along the
        third ``Direction`` column).

    Raises
    ------
    ImportError
        Without pydicom.
    ValueError
        For an unknown modality or attribute keyword, a computed attribute in
        ``attributes``, values DICOM cannot store (NaN, 32-bit integer ranges,
        several components), or float values that ``tolerance`` refuses.
    DataFileError
        If a file cannot be written.

    Warns
    -----
    LossWarning
        For float values that are not stored exactly, with the largest error;
        for the other point arrays, which are not written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from vmtkscripts_numpy.convert.image import dict_from_array
    >>> slice_dict = dict_from_array(np.arange(12, dtype=np.int16).reshape(4, 3), spacing=(0.5, 0.7, 1.0))
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> [path.name for path in write_dicom(slice_dict, folder / "slice.dcm")]  # doctest: +SKIP
    ['slice.dcm']
    """
    pydicom = _pydicom()
    modality = str(modality).upper()
    if modality not in SOP_CLASSES:
        raise ValueError(f"modality: expected one of {sorted(SOP_CLASSES)}, found {modality!r}")
    extra = dict(attributes or {})
    for keyword in extra:
        if keyword in COMPUTED_ATTRIBUTES:
            raise ValueError(f"attributes: {keyword!r} is computed from the image and cannot be set")
        if pydicom.datadict.tag_for_keyword(keyword) is None:
            raise ValueError(f"attributes: {keyword!r} is not a DICOM keyword")
    placed = _lps_dict(image, frame)
    point_data = placed["PointData"]
    if not point_data:
        raise ValueError("the image has no point data array to write")
    name = array or placed["ActiveArrays"]["PointData"].get("Scalars") or next(iter(point_data))
    if name not in point_data:
        raise ValueError(f"array: {name!r} is not a point data array of the image (it has {sorted(point_data)})")
    voxels = np.asarray(point_data[name])
    if voxels.ndim != 3:
        raise ValueError(f"array {name!r} has {voxels.shape[3]} components; a DICOM image here holds one")
    others = [other for other in point_data if other != name]
    path = Path(path)
    if others:
        warn(f"{path}: only {name!r} is written to DICOM; {others} are not", LossWarning)
    stored, slope, intercept, error = stored_values(voxels)
    if error > 0:
        # Stated rounded up, so that the statement holds.
        stated = f"{_ceiling_decimal(error, 3):g}"
        if tolerance is not None and error > float(tolerance):
            raise ValueError(
                f"{name!r}: stored as 16-bit integers with RescaleSlope {slope}, the values change by up to "
                f"{stated}, more than the tolerance {float(tolerance):g}; write .mha, .nii or .vti for exact floats"
            )
        warn(
            f"{path}: {name!r} is stored as 16-bit integers (RescaleSlope {slope}, RescaleIntercept {intercept}): "
            f"values change by up to {stated}",
            LossWarning,
        )

    origin, spacing, direction = placed["Origin"], placed["Spacing"], placed["Direction"]
    columns, rows, count = (int(size) for size in placed["Dimensions"])
    files = _slice_file_names(path, count)
    now = datetime.datetime.now()
    date, time = now.strftime("%Y%m%d"), now.strftime("%H%M%S")
    shared = {
        "StudyInstanceUID": pydicom.uid.generate_uid(),
        "SeriesInstanceUID": pydicom.uid.generate_uid(),
        "FrameOfReferenceUID": pydicom.uid.generate_uid(),
    }
    orientation = [decimal_string(value) for value in np.concatenate([direction[:, 0], direction[:, 1]])]
    low, high = (float(voxels.min()), float(voxels.max())) if voxels.size else (0.0, 0.0)
    with atomic_output_folder(files[0]) as first:
        scratch = Path(first).parent
        for index, file in enumerate(files):
            position = origin + index * spacing[2] * direction[:, 2]
            dataset = _dataset(pydicom, modality, shared, extra, date, time)
            dataset.InstanceNumber = index + 1
            dataset.ImagePositionPatient = [decimal_string(value) for value in position]
            dataset.ImageOrientationPatient = orientation
            dataset.PixelSpacing = [decimal_string(spacing[1]), decimal_string(spacing[0])]
            dataset.SliceThickness = decimal_string(spacing[2])
            if count > 1:
                dataset.SpacingBetweenSlices = decimal_string(spacing[2])
            dataset.SliceLocation = decimal_string(float(position @ np.cross(direction[:, 0], direction[:, 1])))
            dataset.SamplesPerPixel = 1
            dataset.PhotometricInterpretation = "MONOCHROME2"
            dataset.Rows, dataset.Columns = rows, columns
            bits = stored.dtype.itemsize * 8
            dataset.BitsAllocated, dataset.BitsStored, dataset.HighBit = bits, bits, bits - 1
            dataset.PixelRepresentation = 1 if stored.dtype.kind == "i" else 0
            dataset.RescaleIntercept, dataset.RescaleSlope = intercept, slope
            if modality != "CT":
                dataset.RescaleType = "US"
            if high > low:
                dataset.WindowCenter = decimal_string((low + high) / 2)
                dataset.WindowWidth = decimal_string(high - low)
            # Row j, column i is voxel [i, j]: the slice's [x, y] transposed, little-endian.
            pixels = np.ascontiguousarray(stored[:, :, index].T).astype(stored.dtype.newbyteorder("<"), copy=False)
            dataset.PixelData = pixels.tobytes()
            _save(dataset, Path(first) if index == 0 else scratch / file.name)
    return files


def _dataset(pydicom: Any, modality: str, shared: Mapping[str, str], extra: Mapping[str, Any],
             date: str, time: str) -> Any:
    """A dataset with its file meta and every attribute but the geometry and the pixels."""
    from pydicom.dataset import Dataset, FileMetaDataset

    instance = pydicom.uid.generate_uid()
    meta = FileMetaDataset()
    meta.FileMetaInformationVersion = b"\x00\x01"
    meta.MediaStorageSOPClassUID = pydicom.uid.UID(SOP_CLASSES[modality])
    meta.MediaStorageSOPInstanceUID = instance
    meta.TransferSyntaxUID = pydicom.uid.UID(_EXPLICIT_VR_LITTLE_ENDIAN)
    meta.ImplementationClassUID = pydicom.uid.PYDICOM_IMPLEMENTATION_UID
    dataset = Dataset()
    dataset.file_meta = meta
    dataset.SpecificCharacterSet = "ISO_IR 100"
    dataset.ImageType = ["DERIVED", "SECONDARY"]
    dataset.SOPClassUID, dataset.SOPInstanceUID = pydicom.uid.UID(SOP_CLASSES[modality]), instance
    dataset.StudyDate = dataset.SeriesDate = dataset.ContentDate = date
    dataset.StudyTime = dataset.SeriesTime = dataset.ContentTime = time
    dataset.AccessionNumber = ""
    dataset.Modality = modality
    if modality == "OT":
        dataset.ConversionType = "WSD"
    dataset.Manufacturer = ""
    dataset.ReferringPhysicianName = ""
    dataset.PatientName = ""
    dataset.PatientID = ""
    dataset.PatientBirthDate = ""
    dataset.PatientSex = ""
    if modality == "CT":
        dataset.KVP = ""
    if modality == "MR":
        dataset.ScanningSequence, dataset.SequenceVariant = "RM", "NONE"
        dataset.ScanOptions, dataset.MRAcquisitionType = "", ""
        dataset.RepetitionTime, dataset.EchoTime, dataset.EchoTrainLength = "", "", ""
    dataset.StudyInstanceUID = shared["StudyInstanceUID"]
    dataset.SeriesInstanceUID = shared["SeriesInstanceUID"]
    dataset.StudyID = ""
    dataset.SeriesNumber = 1
    dataset.FrameOfReferenceUID = shared["FrameOfReferenceUID"]
    dataset.PositionReferenceIndicator = ""
    if modality in ("CT", "MR"):
        dataset.PatientPosition = ""
        dataset.AcquisitionNumber = ""
    for keyword, value in extra.items():
        setattr(dataset, keyword, value)
    return dataset


def _save(dataset: Any, path: Path) -> None:
    try:
        dataset.save_as(path, enforce_file_format=True)
    except TypeError:  # pydicom 2 has no enforce_file_format
        dataset.is_little_endian, dataset.is_implicit_VR = True, False
        dataset.save_as(path, write_like_original=False)
