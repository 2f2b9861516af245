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
    """Write ``image`` (unsigned char scalars) as one file, or as ``<path>0000.png``... for several slices."""
    from vtkmodules.vtkIOImage import vtkPNGWriter, vtkTIFFWriter

    writer = vtkPNGWriter() if format_name == "png" else vtkTIFFWriter()
    writer.SetInputData(image)
    if image.GetDimensions()[2] == 1:
        with atomic_output_folder(path) as target:
            _common.run_writer(writer, Path(target), path, format_name.upper())
        return
    # As vmtk names a stack: the file name is the prefix of numbered files.
    writer.SetFilePrefix(str(path))
    writer.SetFilePattern(DEFAULT_PATTERN[format_name])
    with _common.capture_vtk_messages(writer) as messages:
        writer.Write()
    if messages.errors:
        raise DataFileError(path, f"could not be written as {format_name.upper()} files: {messages.summary()}")
