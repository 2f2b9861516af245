"""DICOM image series read with pydicom (the optional extra ``dicom``), placed in LPS.

A series is the slices of one ``SeriesInstanceUID`` in one folder, sorted along
the slice normal (``ImageOrientationPatient``) by ``ImagePositionPatient``, as
ITK (and so vmtk) sorts them. Stored values are rescaled with
``RescaleSlope``/``RescaleIntercept`` into the smallest integer type that holds
every value the stored bits allow (int16 for most CTs), or float32 when the
rescale is not integral.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, List, Tuple

import numpy as np

from ..errors import DataFileError

#: What to install for DICOM.
INSTALL_HINT = "reading DICOM needs pydicom: pip install 'vmtkscripts_numpy[dicom]'"
#: How far slice gaps may differ (relative) before the series is called irregular.
SPACING_TOLERANCE = 1e-3


@dataclass
class DicomSeries:
    """Voxels ``(n,)`` x fastest, with their LPS placement."""

    values: np.ndarray
    dimensions: Tuple[int, int, int]
    origin: np.ndarray
    spacing: np.ndarray
    direction: np.ndarray


def _pydicom() -> Any:
    try:
        import pydicom
    except ImportError:
        raise ImportError(INSTALL_HINT) from None
    return pydicom


def _floats(dataset: Any, keyword: str, count: int, path: Path) -> np.ndarray:
    values: Any = getattr(dataset, keyword, None)  # None, or not numbers, in a damaged file: refused below
    try:
        array = np.array([float(value) for value in values], dtype=np.float64)
    except (TypeError, ValueError):
        array = np.empty(0)
    if array.size != count or not np.all(np.isfinite(array)):
        raise DataFileError(path, f"has no usable {keyword} (expected {count} numbers, found {values!r})")
    return array


def read_dicom_series(path: Path) -> DicomSeries:
    """The series ``path`` belongs to (a slice of it, or its folder), as one volume.

    Raises
    ------
    DataFileError
        For a folder without DICOM images, slices that disagree in size,
        orientation or spacing, two slices at one position, and anything in the
        files pydicom cannot read or decode (damaged elements, compressed
        transfer syntaxes without their decoders).
    ImportError
        If pydicom is not installed.
    """
    try:
        return _read_series(path)
    except (DataFileError, ImportError, MemoryError):
        raise
    except Exception as error:  # pydicom raises many types for damaged files; each means "cannot be read"
        raise DataFileError(path, f"is DICOM that cannot be read: {type(error).__name__}: {error}") from None


def _read_series(path: Path) -> DicomSeries:
    """Read the series; see :func:`read_dicom_series`."""
    pydicom = _pydicom()
    folder = path if path.is_dir() else path.parent
    wanted_series = None
    if path.is_file():
        wanted_series = getattr(_header(pydicom, path, required=True), "SeriesInstanceUID", None)
    slices: List[Tuple[Path, Any]] = []
    for candidate in sorted(folder.iterdir()):
        if not candidate.is_file():
            continue
        header = _header(pydicom, candidate, required=False)
        # Read without pixels, so PixelData is not there to look at: an image has Rows.
        if header is None or "Rows" not in header or "ImagePositionPatient" not in header:
            continue
        if wanted_series is None:
            wanted_series = getattr(header, "SeriesInstanceUID", None)
        if getattr(header, "SeriesInstanceUID", None) == wanted_series:
            slices.append((candidate, header))
    if not slices:
        raise DataFileError(path, "holds no DICOM image with a position (ImagePositionPatient)")
    first_path, first = slices[0]
    orientation = _floats(first, "ImageOrientationPatient", 6, first_path)
    pixel_spacing = _floats(first, "PixelSpacing", 2, first_path)
    rows, columns = int(first.Rows), int(first.Columns)
    if int(getattr(first, "NumberOfFrames", 1) or 1) != 1:
        raise DataFileError(first_path, "is a multi-frame DICOM image, which is not read; use a series of slices")
    x_axis, y_axis = orientation[:3], orientation[3:]
    normal = np.cross(x_axis, y_axis)
    for slice_path, header in slices[1:]:
        same = (
            int(header.Rows) == rows and int(header.Columns) == columns
            and np.allclose(_floats(header, "ImageOrientationPatient", 6, slice_path), orientation, atol=1e-4)
            and np.allclose(_floats(header, "PixelSpacing", 2, slice_path), pixel_spacing, rtol=1e-4)
        )
        if not same:
            raise DataFileError(slice_path, f"differs from {first_path.name} in size, orientation or pixel spacing")
    positions = np.array([_floats(header, "ImagePositionPatient", 3, p) for p, header in slices])
    distances = positions @ normal
    order = np.argsort(distances, kind="stable")
    gaps = np.diff(distances[order])
    if gaps.size and np.min(gaps) <= 0:
        raise DataFileError(folder, "has two slices of one series at the same position")
    if gaps.size:
        z_spacing = float(np.median(gaps))
        if np.max(np.abs(gaps - z_spacing)) > SPACING_TOLERANCE * z_spacing:
            raise DataFileError(folder, f"has slices at irregular distances ({gaps.min():g} to {gaps.max():g} mm)")
    else:
        z_spacing = float(getattr(first, "SpacingBetweenSlices", 0) or getattr(first, "SliceThickness", 0) or 1.0)
    stored = []
    slopes, intercepts = [], []
    for index in order:
        slice_path, _ = slices[int(index)]
        dataset = pydicom.dcmread(slice_path)
        try:
            stored.append(dataset.pixel_array)
        except Exception as error:  # pydicom raises several types for undecodable pixel data
            raise DataFileError(slice_path, f"has pixel data pydicom cannot decode: {error}") from None
        slopes.append(float(getattr(dataset, "RescaleSlope", 1) or 1))
        intercepts.append(float(getattr(dataset, "RescaleIntercept", 0) or 0))
    volume = np.stack(stored)
    if volume.shape[1:] != (rows, columns):
        raise DataFileError(first_path, f"pixel data of shape {volume.shape[1:]}, not Rows x Columns {rows} x {columns}")
    volume = _rescaled(volume, np.array(slopes), np.array(intercepts), first)
    return DicomSeries(
        values=np.ascontiguousarray(volume).reshape(-1),
        dimensions=(columns, rows, len(slices)),
        origin=positions[order[0]],
        # PixelSpacing is (between rows, between columns): y first.
        spacing=np.array([pixel_spacing[1], pixel_spacing[0], z_spacing]),
        direction=np.column_stack([x_axis, y_axis, normal]),
    )


def _header(pydicom: Any, path: Path, required: bool) -> Any:
    try:
        return pydicom.dcmread(path, stop_before_pixels=True)
    except Exception as error:  # not DICOM, or damaged: only an error for the file asked for
        if required:
            raise DataFileError(path, f"is not a readable DICOM file: {error}") from None
        return None


def _rescaled(volume: np.ndarray, slopes: np.ndarray, intercepts: np.ndarray, first: Any) -> np.ndarray:
    if np.all(slopes == 1) and np.all(intercepts == 0):
        return volume
    integral = np.all(slopes == np.round(slopes)) and np.all(intercepts == np.round(intercepts))
    if not integral:
        return (volume.astype(np.float32) * slopes[:, None, None].astype(np.float32)
                + intercepts[:, None, None].astype(np.float32))
    info = np.iinfo(volume.dtype)
    bits = int(getattr(first, "BitsStored", info.bits) or info.bits)
    signed = int(getattr(first, "PixelRepresentation", 0) or 0) == 1
    low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2 ** bits - 1)
    ends = np.concatenate([low * slopes + intercepts, high * slopes + intercepts])
    for dtype in (np.int8, np.uint8, np.int16, np.uint16, np.int32, np.int64):
        if np.iinfo(dtype).min <= ends.min() and ends.max() <= np.iinfo(dtype).max:
            break
    result: np.ndarray = volume.astype(dtype)
    result *= slopes[:, None, None].astype(dtype)
    result += intercepts[:, None, None].astype(dtype)
    return result
