"""MetaImage files (``.mha``, ``.mhd``): images, read and written by the package itself.

Files are in LPS, with ITK's ``TransformMatrix`` convention, the same on every
VTK (:mod:`vmtkscripts_numpy.vtkfiles._metaimage`).
"""

from __future__ import annotations

from pathlib import Path

from vtkmodules.vtkCommonDataModel import vtkImageData

from ...convert.arrays import numpy_to_vtk, vtk_to_numpy
from ...errors import DataFileError
from .. import _common, _metaimage
from .._image_grid import SINGLE_ARRAY_NAME, extent_losses, first_voxel_position, grid_dimensions, image_placement, \
    new_image, single_array

def read_image(path: Path) -> vtkImageData:
    """Read an image from a MetaImage file (``path`` exists and is readable)."""
    meta = _metaimage.read_metaimage(path)
    image = new_image(meta.dimensions, meta.origin, meta.spacing, meta.direction)
    image.GetPointData().SetScalars(numpy_to_vtk(meta.values, name=SINGLE_ARRAY_NAME, share=True))
    return image


def write_image(image: vtkImageData, path: Path, mode: str) -> None:
    """Write ``image`` to a MetaImage file at ``path`` (always binary: ``mode`` is not used)."""
    array, losses = single_array(image, "MetaImage", path)
    values = vtk_to_numpy(array, copy=False)
    if _metaimage.element_type(values.dtype) is None:
        raise DataFileError(path, f"cannot be written as MetaImage: it has no element type for {values.dtype} voxels")
    _common.warn_losses(path, "MetaImage", extent_losses(image) + losses)
    import io

    from ..._atomic import atomic_output, atomic_output_with_data

    _, spacing, direction, _ = image_placement(image)
    placement = (grid_dimensions(image), first_voxel_position(image), spacing, direction)
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
