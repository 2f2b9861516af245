"""Raw voxel files (vmtk's ``-f raw``): the layout comes from the caller, the bytes from one file or a series.

This reads what VTK's ``vtkImageReader`` reads for vmtk, the same way: rows
are stored top-down (the first row of a slice in the file is the image's last
y), a header of ``header_size`` bytes is skipped in each file, and a series of
2-D files is named ``pattern % (prefix, slice)``. Each file is checked against
the bytes the extent needs before anything is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Sequence

import numpy as np
from vtkmodules.vtkCommonDataModel import vtkImageData

from ..convert.arrays import numpy_to_vtk
from ..errors import DataFileError, MissingFileError

#: vmtk's ``-scalartype`` values.
SCALAR_TYPES: Dict[str, np.dtype] = {
    "float": np.dtype(np.float32),
    "double": np.dtype(np.float64),
    "int": np.dtype(np.int32),
    "short": np.dtype(np.int16),
    "ushort": np.dtype(np.uint16),
    "uchar": np.dtype(np.uint8),
}
#: The array name VTK's raw reader gives.
RAW_ARRAY_NAME = "ImageFile"


def read_raw_image(
    file_name: str = "",
    *,
    prefix: str = "",
    pattern: str = "",
    extent: Sequence[int],
    spacing: Sequence[float] = (1.0, 1.0, 1.0),
    origin: Sequence[float] = (0.0, 0.0, 0.0),
    header_size: int = 0,
    byte_order: str = "littleendian",
    scalar_type: str = "float",
    file_dimensionality: int = 3,
) -> vtkImageData:
    """Read raw voxels laid out as given.

    Parameters
    ----------
    file_name : str
        The file (3-D, or one 2-D slice); or give ``prefix``.
    prefix, pattern : str
        A series of 2-D files ``pattern % (prefix, k)`` for each slice ``k``
        of the extent (``pattern`` defaults to ``"%s%04d.png"``, as vmtk's).
    extent : 6 ints
        VTK's extent of the image (``[x0, x1, y0, y1, z0, z1]``).
    spacing, origin : 3 floats
    header_size : int
        Bytes to skip at the start of each file.
    byte_order : {"littleendian", "bigendian"}
    scalar_type : {"float", "double", "int", "short", "ushort", "uchar"}
    file_dimensionality : {2, 3}

    Returns
    -------
    vtkImageData
        One point array, ``ImageFile``, as VTK names it.

    Raises
    ------
    DataFileError
        For a missing or short file, a bad pattern, or a layout that makes no sense.
    """
    where = file_name or prefix or "raw image"
    bounds = [int(value) for value in extent]
    if len(bounds) != 6 or any(high < low for low, high in zip(bounds[0::2], bounds[1::2])):
        raise DataFileError(where, f"needs an extent of 6 integers with each maximum >= its minimum (-extent), found {list(extent)}")
    if scalar_type not in SCALAR_TYPES:
        raise DataFileError(where, f"scalar type {scalar_type!r} is not one of {', '.join(SCALAR_TYPES)}")
    if byte_order not in ("littleendian", "bigendian"):
        raise DataFileError(where, f"byte order {byte_order!r} is not littleendian or bigendian")
    if file_dimensionality not in (2, 3):
        raise DataFileError(where, f"file dimensionality must be 2 or 3, found {file_dimensionality}")
    if header_size < 0:
        raise DataFileError(where, f"header size must be >= 0, found {header_size}")
    dtype = SCALAR_TYPES[scalar_type].newbyteorder("<" if byte_order == "littleendian" else ">")
    nx, ny, nz = (high - low + 1 for low, high in zip(bounds[0::2], bounds[1::2]))
    if file_dimensionality == 3 or (file_name and not prefix):
        files = [Path(file_name or prefix)]
        per_file = nx * ny * (nz if file_dimensionality == 3 else 1)
        if file_dimensionality == 2 and nz != 1:
            raise DataFileError(where, f"one 2-D file holds one slice, but the extent has {nz}; give -prefix and -pattern")
    else:
        files = _series(prefix, pattern or "%s%04d.png", bounds[4], bounds[5])
        per_file = nx * ny
    slabs: List[np.ndarray] = []
    for path in files:
        needed = header_size + per_file * dtype.itemsize
        if not path.is_file():
            raise MissingFileError(path)
        size = path.stat().st_size
        if size < needed:
            raise DataFileError(path, f"is too short for the extent: {needed} bytes needed, {size} there")
        slabs.append(np.fromfile(path, dtype=dtype, count=per_file, offset=header_size))
    values = np.concatenate(slabs) if len(slabs) > 1 else slabs[0]
    # VTK reads each slice's rows top-down (FileLowerLeft off): the file's first row is the last y.
    voxels = values.reshape(nz, ny, nx)[:, ::-1, :].astype(dtype.newbyteorder("="), order="C")
    image = vtkImageData()
    image.SetExtent(*bounds)
    image.SetSpacing(*(float(value) for value in spacing))
    image.SetOrigin(*(float(value) for value in origin))
    image.GetPointData().SetScalars(numpy_to_vtk(voxels.reshape(-1), name=RAW_ARRAY_NAME, share=True))
    return image


def _series(prefix: str, pattern: str, first: int, last: int) -> List[Path]:
    try:
        return [Path(pattern % (prefix, index)) for index in range(first, last + 1)]
    except (TypeError, ValueError) as error:
        raise DataFileError(prefix, f"the file pattern {pattern!r} does not take a prefix and a number: {error}") from None
