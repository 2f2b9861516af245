"""Placement errors of slices and of the files they go to, measured with known points and printed as a table.

Run ``python -m pytest tests/test_placement_errors.py -q -s`` to see the numbers
(docs/slices-and-maps.md quotes them). Each row follows known voxels or
pixels from where the image has them to where a reader finds them, in mm, and
must stay under TOLERANCE.
"""

import numpy as np
import pytest

from vmtkscripts_numpy.convert.image import dict_from_array, dict_to_image, image_to_dict
from vmtkscripts_numpy.slices import extract_slice

#: The largest placement error allowed (mm).
TOLERANCE = 1e-4
FLIP = np.diag([-1.0, -1.0, 1.0])
GRADIENT = np.array([0.3, -0.7, 0.5])

MEASURED = {}


def volume(values_of_position=None, dims=(48, 40, 24), dtype=np.float64):
    """An oblique, anisotropic CT-sized volume in RAS, its values a linear function of position unless given."""
    q, _ = np.linalg.qr(np.random.default_rng(5).normal(size=(3, 3)))
    q[:, 0] *= np.sign(np.linalg.det(q))
    spacing, origin = np.array([0.78, 0.62, 1.25]), np.array([-160.5, 95.25, 740.0])
    ijk = np.stack(np.meshgrid(*[np.arange(n) for n in dims], indexing="ij"), axis=-1)
    positions = origin + (ijk * spacing) @ q.T
    values = positions @ GRADIENT if values_of_position is None else values_of_position(ijk)
    return dict_from_array(values.astype(dtype), spacing=spacing, origin=origin, direction=q)


def centre(image_dict):
    return image_dict["Origin"] + image_dict["Direction"] @ (image_dict["Spacing"] * (image_dict["Dimensions"] - 1) / 2)


def position(image_dict, index):
    """Where a dict puts voxel [i, j, k], in LPS."""
    found = image_dict["Origin"] + image_dict["Direction"] @ (image_dict["Spacing"] * np.asarray(index, float))
    return found if image_dict.get("Frame", "RAS") == "LPS" else FLIP @ found


def oblique_slice(source, interpolation="nearest"):
    return extract_slice(source, centre(source), normal=(0.35, -0.25, 1.0), up=(0, 1, 0), spacing=(0.5, 0.6),
                         size=(41, 31), interpolation=interpolation)


PIXELS = [(0, 0, 0), (20, 15, 0), (40, 30, 0)]
VOXELS = [(0, 0, 0), (23, 17, 5), (47, 39, 11)]


def record(case, error):
    MEASURED[case] = error
    assert error < TOLERANCE, f"{case}: {error:.3g} mm"


def test_the_sampling_of_an_oblique_slice():
    linear = oblique_slice(volume(), interpolation="linear")

    nx, ny, _ = linear["Dimensions"]
    i, j = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    claimed = (linear["Origin"] + i[..., None] * linear["Spacing"][0] * linear["Direction"][:, 0]
               + j[..., None] * linear["Spacing"][1] * linear["Direction"][:, 1])
    # A linear field is sampled exactly: each value says where VTK sampled the pixel.
    sampled_at = np.abs(linear["PointData"]["ImageScalars"][:, :, 0] - claimed @ GRADIENT) / np.linalg.norm(GRADIENT)
    record("vtkImageReslice: pixel sampled vs pixel placed (all pixels)", float(sampled_at.max()))


@pytest.mark.parametrize("suffix", [".vti", ".mha", ".nii.gz"])
def test_a_slice_through_an_image_file(tmp_path, suffix):
    from vmtkscripts_numpy.vtkfiles import read_image, write_image

    cut = oblique_slice(volume())
    back = image_to_dict(read_image(write_image(dict_to_image(cut), tmp_path / f"slice{suffix}")))

    record(f"slice -> {suffix} -> read_image (3 pixels)",
           max(np.linalg.norm(position(back, p) - position(cut, p)) for p in PIXELS))


def test_a_slice_through_dicom(tmp_path):
    pydicom = pytest.importorskip("pydicom")
    from vmtkscripts_numpy import write_dicom

    cut = oblique_slice(volume(dtype=np.int16, values_of_position=lambda ijk: ijk.sum(axis=-1)))
    dataset = pydicom.dcmread(write_dicom(cut, tmp_path / "slice.dcm")[0])

    ipp = np.array(dataset.ImagePositionPatient, float)
    iop = np.array(dataset.ImageOrientationPatient, float)
    between_rows, between_columns = np.array(dataset.PixelSpacing, float)
    found = [ipp + i * between_columns * iop[:3] + j * between_rows * iop[3:] for i, j, _ in PIXELS]
    record("slice -> DICOM file -> pydicom tags (3 pixels)",
           max(np.linalg.norm(f - position(cut, p)) for f, p in zip(found, PIXELS)))
    sitk = pytest.importorskip("SimpleITK")
    image = sitk.ReadImage(str(tmp_path / "slice.dcm"))
    record("slice -> DICOM file -> SimpleITK (3 pixels)",
           max(np.linalg.norm(np.array(image.TransformIndexToPhysicalPoint(p)) - position(cut, p)) for p in PIXELS))


def test_a_volume_through_a_dicom_series(tmp_path):
    pytest.importorskip("pydicom")
    from vmtkscripts_numpy import write_dicom
    from vmtkscripts_numpy.vtkfiles import read_image

    ct = volume(dims=(48, 40, 12), dtype=np.int16, values_of_position=lambda ijk: ijk @ [1, 48, 48 * 40] % 4000)
    files = write_dicom(ct, tmp_path / "ct.dcm")
    back = image_to_dict(read_image(files[0], frame="LPS"), frame="LPS")

    assert np.array_equal(back["PointData"]["ImageScalars"], ct["PointData"]["ImageScalars"])
    record("volume -> DICOM series -> read_image (3 voxels)",
           max(np.linalg.norm(position(back, v) - position(ct, v)) for v in VOXELS))
    sitk = pytest.importorskip("SimpleITK")
    reader = sitk.ImageSeriesReader()
    reader.SetFileNames([str(path) for path in files])
    image = reader.Execute()
    record("volume -> DICOM series -> SimpleITK (3 voxels)",
           max(np.linalg.norm(np.array(image.TransformIndexToPhysicalPoint(v)) - position(ct, v)) for v in VOXELS))


def test_print_the_table():
    from vtkmodules.vtkCommonCore import vtkVersion

    print(f"\nplacement errors (mm), VTK {vtkVersion.GetVTKVersion()}:")
    for case, error in MEASURED.items():
        print(f"  {error:9.2e}  {case}")
