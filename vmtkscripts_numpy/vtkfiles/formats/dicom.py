"""DICOM series (``.dcm``): images, read and written with pydicom (the ``dicom`` extra).

Files are in LPS, as DICOM places them; a file is read with the series it
belongs to (:mod:`vmtkscripts_numpy.vtkfiles._dicom`), and an image is written
as one file per slice (:mod:`vmtkscripts_numpy.vtkfiles._dicom_writer`).
"""

from __future__ import annotations

from pathlib import Path

from vtkmodules.vtkCommonDataModel import vtkImageData

from ...convert.arrays import numpy_to_vtk
from .._image_grid import SINGLE_ARRAY_NAME, new_image


def read_image(path: Path) -> vtkImageData:
    """Read an image from a DICOM series file (``path`` exists and is readable)."""
    from .._dicom import read_dicom_series

    series = read_dicom_series(path)
    image = new_image(series.dimensions, series.origin, series.spacing, series.direction)
    image.GetPointData().SetScalars(numpy_to_vtk(series.values, name=SINGLE_ARRAY_NAME, share=True))
    return image


def write_image(image: vtkImageData, path: Path, mode: str) -> None:
    """Write ``image`` to a DICOM series file at ``path`` (always binary: ``mode`` is not used)."""
    from .._dicom_writer import write_dicom

    # write_image hands patient-frame formats their image in LPS.
    write_dicom(image, path, frame="LPS")
