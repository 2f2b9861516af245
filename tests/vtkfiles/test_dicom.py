"""DICOM series (the ``dicom`` extra): slices sorted along their normal, rescaled, placed in the patient frame."""

import sys

import numpy as np
import pytest

from vmtkscripts_numpy.convert.arrays import vtk_to_numpy
from vmtkscripts_numpy.errors import DataFileError
from vmtkscripts_numpy.vtkfiles import read_image

pydicom = pytest.importorskip("pydicom", reason="DICOM needs the dicom extra (pydicom)")

#: Row and column directions of the slices (LPS): tilted about x, as an oblique acquisition.
ROW, COLUMN = np.array([1.0, 0.0, 0.0]), np.array([0.0, np.cos(0.3), np.sin(0.3)])
NORMAL = np.cross(ROW, COLUMN)
FIRST_POSITION = np.array([-100.0, 50.0, 20.0])
PIXEL_SPACING = (0.7, 0.5)  # between rows (y), between columns (x)
GAP = 2.5


def write_series(folder, stored, slope=1.0, intercept=-1024.0, series_uid=None):
    """One file per slice of ``stored`` [k, row, column] (uint16, 12 bits), named in scrambled order."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

    series_uid = series_uid or generate_uid()
    paths = []
    for k, pixels in enumerate(stored):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CTImageStorage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        dataset = Dataset()
        dataset.file_meta = meta
        dataset.SOPClassUID, dataset.SOPInstanceUID = CTImageStorage, meta.MediaStorageSOPInstanceUID
        dataset.SeriesInstanceUID, dataset.Modality = series_uid, "CT"
        dataset.Rows, dataset.Columns = pixels.shape
        dataset.PixelSpacing = list(PIXEL_SPACING)
        dataset.ImageOrientationPatient = list(ROW) + list(COLUMN)
        dataset.ImagePositionPatient = list(FIRST_POSITION + k * GAP * NORMAL)
        dataset.SamplesPerPixel, dataset.PhotometricInterpretation = 1, "MONOCHROME2"
        dataset.BitsAllocated, dataset.BitsStored, dataset.HighBit, dataset.PixelRepresentation = 16, 12, 11, 0
        dataset.RescaleSlope, dataset.RescaleIntercept = slope, intercept
        dataset.PixelData = pixels.astype("<u2").tobytes()
        path = folder / f"image-{(7 * k + 3) % 11:02d}.dcm"
        try:
            dataset.save_as(path, enforce_file_format=True)
        except TypeError:  # pydicom 2
            dataset.is_little_endian, dataset.is_implicit_VR = True, False
            dataset.save_as(path, write_like_original=False)
        paths.append(path)
    return paths


def stored_volume():
    return (np.arange(4 * 3 * 5).reshape(4, 3, 5) * 97 % 4096).astype(np.uint16)


def test_a_series_is_read_from_any_of_its_files_in_order_along_its_normal(tmp_path):
    stored = stored_volume()
    paths = write_series(tmp_path, stored)

    image = read_image(paths[2], frame="LPS")

    assert image.GetDimensions() == (5, 3, 4)
    np.testing.assert_allclose(image.GetSpacing(), [0.5, 0.7, GAP])
    np.testing.assert_allclose(image.GetOrigin(), FIRST_POSITION)
    direction = np.array([[image.GetDirectionMatrix().GetElement(r, c) for c in range(3)] for r in range(3)])
    np.testing.assert_allclose(direction, np.column_stack([ROW, COLUMN, NORMAL]), atol=1e-12)
    values = vtk_to_numpy(image.GetPointData().GetScalars())
    assert values.dtype == np.int16  # 12 stored bits, rescaled by -1024: int16 holds every value
    np.testing.assert_array_equal(values, stored.ravel().astype(np.int16) - 1024)


def test_three_known_voxels_land_where_the_files_say_in_either_frame(tmp_path):
    paths = write_series(tmp_path, stored_volume())
    lps, ras = read_image(paths[0], frame="LPS"), read_image(paths[0], frame="RAS")

    for i, j, k in [(0, 0, 0), (4, 2, 3), (1, 2, 1)]:
        expected = FIRST_POSITION + k * GAP * NORMAL + i * PIXEL_SPACING[1] * ROW + j * PIXEL_SPACING[0] * COLUMN
        np.testing.assert_allclose(lps.GetPoint(lps.ComputePointId([i, j, k])), expected, atol=1e-9)
        np.testing.assert_allclose(ras.GetPoint(ras.ComputePointId([i, j, k])), expected * [-1, -1, 1], atol=1e-9)


def test_a_fractional_rescale_gives_float32(tmp_path):
    stored = stored_volume()
    paths = write_series(tmp_path, stored, slope=0.5, intercept=-10.25)

    values = vtk_to_numpy(read_image(paths[0]).GetPointData().GetScalars())

    assert values.dtype == np.float32
    np.testing.assert_array_equal(values, stored.ravel() * np.float32(0.5) - np.float32(10.25))


def test_only_the_files_series_is_read(tmp_path):
    paths = write_series(tmp_path, stored_volume())
    (tmp_path / "other").mkdir()
    for other in write_series(tmp_path / "other", stored_volume()[:2]):
        other.rename(tmp_path / ("other-" + other.name))
    (tmp_path / "notes.txt").write_text("not DICOM")

    assert read_image(paths[0]).GetDimensions() == (5, 3, 4)


def test_two_slices_at_one_position_are_refused(tmp_path):
    stored = stored_volume()
    paths = write_series(tmp_path, stored[:2])
    (tmp_path / "again").mkdir()
    again = write_series(tmp_path / "again", stored[:1], series_uid=pydicom.dcmread(paths[0]).SeriesInstanceUID)
    again[0].rename(tmp_path / "duplicate.dcm")

    with pytest.raises(DataFileError, match="two slices of one series at the same position"):
        read_image(paths[0])


def test_without_pydicom_the_error_says_what_to_install(tmp_path, monkeypatch):
    paths = write_series(tmp_path, stored_volume()[:1])
    monkeypatch.setitem(sys.modules, "pydicom", None)

    with pytest.raises(ImportError, match=r"pip install 'vmtkscripts_numpy\[dicom\]'"):
        read_image(paths[0])
