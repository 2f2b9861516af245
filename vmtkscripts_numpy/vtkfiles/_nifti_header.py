"""NIfTI headers (``.nii``, ``.nii.gz``) checked before ``vtkNIFTIImageReader`` reads the file.

VTK's reader allocates ``dim[1] * ... * dim[dim[0]]`` voxels of ``bitpix`` bits
before it reads one: a damaged header crashes it. The check reads the
header (the first bytes of the gzip stream for ``.nii.gz``) and refuses:

- a ``sizeof_hdr`` or magic that is neither NIfTI-1 (``n+1``) nor NIfTI-2 (``n+2``);
- ``dim[0]`` outside 1..7, a used ``dim`` below 1, a ``datatype`` whose
  ``bitpix`` is not its own, a ``vox_offset`` inside the header;
- voxels the file does not hold: for ``.nii`` the bytes after ``vox_offset``;
  for ``.nii.gz`` what the compressed bytes can give (deflate makes at most
  1032 bytes of one), so that decompression is bounded by the file.
"""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

from ..errors import DataFileError

#: NIfTI datatype codes -> bits per voxel.
BITS = {2: 8, 4: 16, 8: 32, 16: 32, 32: 64, 64: 64, 128: 24, 256: 8, 512: 16, 768: 32, 1024: 64, 1280: 64,
        1536: 128, 1792: 128, 2048: 256, 2304: 32}
#: The most bytes deflate makes of one compressed byte, and what a tiny file may add.
DEFLATE_RATIO, SLACK = 1032, 1024


def _header(path: Path) -> bytes:
    if path.name.lower().endswith(".gz"):
        try:
            with gzip.open(path, "rb") as stream:
                return stream.read(544)
        except (OSError, EOFError, zlib.error) as error:
            raise DataFileError(path, f"cannot be read as NIfTI: its gzip stream is damaged ({error})") from None
    with open(path, "rb") as stream:
        return stream.read(544)


def check_nifti(path: Path) -> None:
    """Raise :class:`DataFileError` unless the header of ``path`` describes voxels the file can hold."""
    header = _header(path)
    if len(header) < 348:
        raise DataFileError(path, f"cannot be read as NIfTI: it is {len(header)} bytes, shorter than a header")
    for order in "<>":
        size = struct.unpack_from(order + "i", header, 0)[0]
        if size in (348, 540):
            break
    else:
        raise DataFileError(path, "cannot be read as NIfTI: its sizeof_hdr is neither 348 (NIfTI-1) nor 540 (NIfTI-2)")
    if size == 348:
        magic, header_size = header[344:348], 352
        dims = struct.unpack_from(order + "8h", header, 40)
        datatype, bitpix = struct.unpack_from(order + "2h", header, 70)
        offset = struct.unpack_from(order + "f", header, 108)[0]
        good_magic = magic in (b"n+1\0", b"ni1\0")
    else:
        if len(header) < 540:
            raise DataFileError(path, "cannot be read as NIfTI: it is shorter than a NIfTI-2 header")
        magic, header_size = header[4:12], 544
        datatype, bitpix = struct.unpack_from(order + "2h", header, 12)
        dims = struct.unpack_from(order + "8q", header, 16)
        offset = struct.unpack_from(order + "q", header, 168)[0]
        good_magic = magic[:3] in (b"n+2", b"ni2")
    if not good_magic:
        raise DataFileError(path, f"cannot be read as NIfTI: its magic {magic!r} is not NIfTI's")
    rank = dims[0]
    if not 1 <= rank <= 7 or any(dim < 1 for dim in dims[1:rank + 1]):
        raise DataFileError(path, f"cannot be read as NIfTI: its dim {list(dims[:rank + 1 if 0 <= rank <= 7 else 8])} "
                                  "is not a rank from 1 to 7 and as many sizes of at least 1")
    if BITS.get(datatype) != bitpix:
        raise DataFileError(path, f"cannot be read as NIfTI: datatype {datatype} with bitpix {bitpix} is not a "
                                  "NIfTI voxel type")
    if not offset == offset or offset < header_size or offset != int(offset):
        raise DataFileError(path, f"cannot be read as NIfTI: its vox_offset {offset} is not a byte after its header")
    voxels = 1
    for dim in dims[1:rank + 1]:
        voxels *= dim  # Python integers: compared with the file, never overflow
    needed = voxels * bitpix // 8
    size_on_disk = path.stat().st_size
    if path.name.lower().endswith(".gz"):
        if needed > DEFLATE_RATIO * size_on_disk + SLACK:
            raise DataFileError(path, f"cannot be read as NIfTI: its header declares {needed} bytes of voxels, more "
                                      f"than {size_on_disk} compressed bytes can hold")
    elif int(offset) + needed > size_on_disk:
        raise DataFileError(path, f"cannot be read as NIfTI: it is truncated: its voxels need {needed} bytes after "
                                  f"byte {int(offset)}, the file has {max(size_on_disk - int(offset), 0)}")
