"""PNG and TIFF images, one file or a numbered series of 2-D files, through VTK's readers and writers.

vmtk reads and writes them for screenshots and slice stacks. VTK's readers
and writers put a file's first row at the image's last y (the picture's top
at the top); ITK, vmtk's default reader, puts it at y = 0. ``first_row_first``
chooses ITK's order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np
from vtkmodules.vtkCommonDataModel import vtkImageData

from .._atomic import atomic_output_folder
from ..convert.arrays import numpy_to_vtk, vtk_to_numpy
from ..errors import DataFileError
from . import _common

#: vmtk's default pattern for numbered files.
DEFAULT_PATTERN = {"png": "%s%04d.png", "tiff": "%s%04d.tif"}


def _reader(format_name: str) -> Any:
    from vtkmodules.vtkIOImage import vtkPNGReader, vtkTIFFReader

    return vtkPNGReader() if format_name == "png" else vtkTIFFReader()


def read_bitmap(
    format_name: str,
    file_name: str = "",
    *,
    prefix: str = "",
    pattern: str = "",
    extent: Optional[Sequence[int]] = None,
    spacing: Sequence[float] = (1.0, 1.0, 1.0),
    origin: Sequence[float] = (0.0, 0.0, 0.0),
    first_row_first: bool = False,
) -> vtkImageData:
    """Read a PNG or TIFF file, or a series ``pattern % (prefix, k)`` over the extent's slices."""
    reader = _reader(format_name)
    if file_name:
        path = _common.check_readable(file_name)
        image = _common.run_reader(reader, path, format_name.upper())
    else:
        if extent is None or len(extent) != 6 or min(extent[1::2]) < 0:
            raise DataFileError(prefix, "a series of files needs its extent (-extent x0 x1 y0 y1 z0 z1)")
        reader.SetFilePrefix(prefix)
        reader.SetFilePattern(pattern or DEFAULT_PATTERN[format_name])
        reader.SetDataExtent(*(int(value) for value in extent))
        reader.SetDataSpacing(*(float(value) for value in spacing))
        reader.SetDataOrigin(*(float(value) for value in origin))
        for index in range(int(extent[4]), int(extent[5]) + 1):
            _common.check_readable((pattern or DEFAULT_PATTERN[format_name]) % (prefix, index))
        with _common.capture_vtk_messages(reader) as messages:
            reader.Update()
        if messages.errors:
            raise DataFileError(prefix, f"cannot be read as a {format_name.upper()} series: {messages.summary()}")
        image = reader.GetOutput()
    copy = vtkImageData()
    copy.ShallowCopy(image)
    if first_row_first:
        scalars = image.GetPointData().GetScalars()
        nx, ny, nz = image.GetDimensions()
        rows = vtk_to_numpy(scalars, copy=False).reshape(nz, ny, nx, -1)[:, ::-1]
        flat = np.ascontiguousarray(rows).reshape(nx * ny * nz, -1)
        copy.GetPointData().SetScalars(
            numpy_to_vtk(flat if flat.shape[1] > 1 else flat[:, 0], name=scalars.GetName(), share=True)
        )
    return copy


def to_unsigned_char(image: vtkImageData, window_level: Sequence[float]) -> vtkImageData:
    """``image`` with its scalars mapped to 0-255 as vmtk does: by ``(window, level)``, or the full range if window is 0."""
    scalars = image.GetPointData().GetScalars()
    values = vtk_to_numpy(scalars, copy=False)
    if values.dtype == np.uint8:
        return image
    window, level = (float(value) for value in window_level)
    if window == 0.0:
        low, high = float(np.min(values)), float(np.max(values))
        shift, scale = -low, 255.0 / (high - low) if high > low else 0.0
    else:
        shift, scale = -(level - window / 2.0), 255.0 / window
    mapped = np.clip((values.astype(np.float64) + shift) * scale, 0, 255).astype(np.uint8)
    result = vtkImageData()
    result.CopyStructure(image)
    result.GetPointData().SetScalars(numpy_to_vtk(mapped, name=scalars.GetName(), share=True))
    return result


def write_bitmap(format_name: str, image: vtkImageData, path: Path) -> None:
    """Write ``image`` (unsigned char scalars) as one file, or as ``<path>0000.png``... for several slices.

    Files of a series are numbered by their slice's index in the extent, as
    VTK's writers number them (which write no file at all from VTK 9.2 on:
    the package writes the slices one by one). Every file is read back and
    compared with its slice before it takes its name: VTK's TIFF writer
    reports no write error (on a full disk it leaves a short file). A series
    is written into a scratch folder and its files then replace their
    namesakes one by one, so a series interrupted during those renames has
    some files new and some old.

    Raises
    ------
    DataFileError
        If VTK reports an error or a file does not read back as written.
    """
    nx, ny, nz = image.GetDimensions()
    scalars = image.GetPointData().GetScalars()
    values = vtk_to_numpy(scalars, copy=False).reshape(nz, nx * ny, -1)
    if nz == 1:
        with atomic_output_folder(path) as target:
            _write_slice(format_name, image, values[0], Path(target), path)
        return
    first = image.GetExtent()[4]
    with atomic_output_folder(path, companions_only=True) as target:
        for index, slice_values in enumerate(values):
            # As vmtk names a series: the file name is the prefix of the numbered files.
            file = Path(DEFAULT_PATTERN[format_name] % (target, first + index))
            flat = np.ascontiguousarray(slice_values if slice_values.shape[1] > 1 else slice_values[:, 0])
            one = vtkImageData()
            one.SetDimensions(nx, ny, 1)
            one.GetPointData().SetScalars(numpy_to_vtk(flat, name=scalars.GetName(), share=True))
            _write_slice(format_name, one, slice_values, file, path)


def _write_slice(format_name: str, image: vtkImageData, values: np.ndarray, file: Path, path: Path) -> None:
    """Write the one-slice ``image`` to ``file`` (the temporary name of ``path``) and check that it reads back."""
    from vtkmodules.vtkIOImage import vtkPNGWriter, vtkTIFFWriter

    writer = vtkPNGWriter() if format_name == "png" else vtkTIFFWriter()
    writer.SetInputData(image)
    _common.run_writer(writer, file, path, format_name.upper())
    reader = _reader(format_name)
    reader.SetFileName(str(file))
    with _common.capture_vtk_messages(reader) as messages:
        reader.Update()
    read = reader.GetOutput().GetPointData().GetScalars()
    found = None if read is None else vtk_to_numpy(read, copy=False).reshape(-1, values.shape[1])
    if messages.errors or found is None or found.shape != values.shape or not _same_pixels(
            format_name, found, values, image.GetDimensions()[0]):
        raise DataFileError(path, f"could not be written as {format_name.upper()}: {file.name} does not read back as "
                                  "written; is the disk full?")


def _same_pixels(format_name: str, found: np.ndarray, written: np.ndarray, width: int) -> bool:
    if format_name == "tiff" and written.shape[1] == 4:
        return True  # VTK's TIFF reader gives alpha and colours changed; reading without error is the check
    # VTK's TIFF reader gives the rows in the other order than its writer took them.
    flipped = found.reshape(-1, width, found.shape[1])[::-1].reshape(found.shape)
    return bool(np.array_equal(found, written) or (format_name == "tiff" and np.array_equal(flipped, written)))
