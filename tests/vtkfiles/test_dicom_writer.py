"""DICOM out: a slice as one file, a volume as a series, every pixel where the image has it, in LPS.

Each test puts known voxels in, reads the files back with pydicom (and
SimpleITK, and the package's own reader) and checks that the same voxels come
back at the same physical points, to PLACEMENT_TOLERANCE.
"""

import sys
import warnings

import numpy as np
import pytest

from vmtkscripts_numpy.convert.image import dict_from_array, dict_to_image, image_to_dict
from vmtkscripts_numpy.errors import LossWarning
from vmtkscripts_numpy.slices import extract_slice

pydicom = pytest.importorskip("pydicom", reason="DICOM needs the dicom extra (pydicom)")

from vmtkscripts_numpy.vtkfiles._dicom_writer import decimal_string, stored_values, write_dicom  # noqa: E402

#: How far (mm) a voxel may land from where the source image has it.
PLACEMENT_TOLERANCE = 1e-4
#: RAS <-> LPS.
FLIP = np.diag([-1.0, -1.0, 1.0])
#: Three voxels to follow through every write and read: [i, j, k] of the source.
KNOWN_VOXELS = [(0, 0, 0), (5, 2, 1), (8, 6, 2)]


def oblique_direction(handed=1):
    q, _ = np.linalg.qr(np.random.default_rng(7).normal(size=(3, 3)))
    if np.linalg.det(q) * handed < 0:
        q[:, 2] *= -1
    return q


def ct_volume(dtype=np.int16, direction=None, dims=(9, 7, 3), frame="RAS"):
    """A small CT-like volume (RAS unless told) with an oblique direction and distinct voxel values."""
    values = (np.arange(np.prod(dims)).reshape(dims) * 37 % 3000 - 1000).astype(dtype)
    return dict_from_array(values, spacing=(0.7, 0.55, 2.5), origin=(-120.25, 33.5, 812.0),
                           direction=oblique_direction() if direction is None else direction, frame=frame)


def lps_position(image_dict, voxel):
    """Where the dict puts voxel [i, j, k], in LPS."""
    position = image_dict["Origin"] + image_dict["Direction"] @ (image_dict["Spacing"] * np.asarray(voxel))
    return position if image_dict["Frame"] == "LPS" else FLIP @ position


def dicom_position(dataset, row, column):
    """Where a DICOM file puts its pixel (row, column), by the standard's own formula."""
    position = np.array([float(v) for v in dataset.ImagePositionPatient])
    orientation = np.array([float(v) for v in dataset.ImageOrientationPatient])
    between_rows, between_columns = (float(v) for v in dataset.PixelSpacing)
    return position + column * between_columns * orientation[:3] + row * between_rows * orientation[3:]


def read_quietly(path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return pydicom.dcmread(path)


def rescaled(dataset):
    return dataset.pixel_array * float(dataset.RescaleSlope) + float(dataset.RescaleIntercept)


def test_an_oblique_slice_is_one_file_whose_pixels_are_where_the_slice_has_them(tmp_path):
    volume = ct_volume(dims=(30, 30, 12))
    centre = volume["Origin"] + volume["Direction"] @ (volume["Spacing"] * 10)
    oblique = extract_slice(volume, centre, normal=(0.3, -0.5, 1.0), up=(0, 1, 0), spacing=(0.5, 0.6), size=(15, 11),
                            interpolation="nearest")

    written = write_dicom(oblique, tmp_path / "oblique.dcm", modality="CT")

    assert written == [tmp_path / "oblique.dcm"]
    dataset = read_quietly(written[0])
    assert (dataset.Rows, dataset.Columns) == (11, 15)
    assert [float(v) for v in dataset.PixelSpacing] == [0.6, 0.5]
    assert float(dataset.SliceThickness) == pytest.approx(oblique["Spacing"][2])
    pixels = rescaled(dataset)
    worst = 0.0
    for i, j, _ in [(0, 0, 0), (7, 3, 0), (14, 10, 0)]:
        assert pixels[j, i] == oblique["PointData"]["ImageScalars"][i, j, 0]
        worst = max(worst, np.linalg.norm(dicom_position(dataset, j, i) - lps_position(oblique, (i, j, 0))))
    assert worst < PLACEMENT_TOLERANCE


def test_a_volume_is_a_series_read_back_with_every_voxel_in_place(tmp_path):
    from vmtkscripts_numpy.vtkfiles import read_image

    volume = ct_volume()

    written = write_dicom(volume, tmp_path / "ct.dcm", modality="CT")

    assert [path.name for path in written] == ["ct_0001.dcm", "ct_0002.dcm", "ct_0003.dcm"]
    datasets = [read_quietly(path) for path in written]
    assert [int(d.InstanceNumber) for d in datasets] == [1, 2, 3]
    assert len({d.SeriesInstanceUID for d in datasets}) == 1 and len({d.SOPInstanceUID for d in datasets}) == 3
    normal = np.cross(*np.reshape([float(v) for v in datasets[0].ImageOrientationPatient], (2, 3)))
    along = [np.array([float(v) for v in d.ImagePositionPatient]) @ normal for d in datasets]
    assert np.all(np.diff(along) == pytest.approx(2.5))
    # Any file of the series gives the whole volume, exactly, each voxel where it was.
    back = image_to_dict(read_image(written[1], frame="LPS"), frame="LPS")
    np.testing.assert_array_equal(back["PointData"]["ImageScalars"], volume["PointData"]["ImageScalars"])
    worst = max(np.linalg.norm(lps_position(back, voxel) - lps_position(volume, voxel)) for voxel in KNOWN_VOXELS)
    assert worst < PLACEMENT_TOLERANCE


def test_a_mirrored_volume_comes_back_with_every_voxel_in_place_its_slices_in_dicoms_order(tmp_path):
    from vmtkscripts_numpy.vtkfiles import read_image

    volume = ct_volume(direction=oblique_direction(handed=-1))

    written = write_dicom(volume, tmp_path / "ct.dcm")

    back = image_to_dict(read_image(written[0], frame="LPS"), frame="LPS")
    assert np.linalg.det(back["Direction"]) == pytest.approx(1.0)  # DICOM stacks along row x column
    values = volume["PointData"]["ImageScalars"]
    for i, j, k in KNOWN_VOXELS:
        found = (i, j, 2 - k)  # the slices come back in DICOM's order
        assert back["PointData"]["ImageScalars"][found] == values[i, j, k]
        assert np.linalg.norm(lps_position(back, found) - lps_position(volume, (i, j, k))) < PLACEMENT_TOLERANCE


def test_simpleitk_reads_the_series_with_every_voxel_in_place(tmp_path):
    sitk = pytest.importorskip("SimpleITK")
    volume = ct_volume()
    written = write_dicom(volume, tmp_path / "ct.dcm", modality="CT")

    reader = sitk.ImageSeriesReader()
    reader.SetFileNames(reader.GetGDCMSeriesFileNames(str(tmp_path)))
    image = reader.Execute()

    assert image.GetSize() == (9, 7, 3) and len(written) == 3
    array = sitk.GetArrayFromImage(image)  # [k, j, i]
    worst = 0.0
    for i, j, k in KNOWN_VOXELS:
        assert array[k, j, i] == volume["PointData"]["ImageScalars"][i, j, k]
        found = np.array(image.TransformIndexToPhysicalPoint((i, j, k)))
        worst = max(worst, np.linalg.norm(found - lps_position(volume, (i, j, k))))
    assert worst < PLACEMENT_TOLERANCE


def test_simpleitk_reads_a_single_slice_in_place(tmp_path):
    sitk = pytest.importorskip("SimpleITK")
    volume = ct_volume(dims=(20, 20, 8))
    centre = volume["Origin"] + volume["Direction"] @ (volume["Spacing"] * [10, 10, 4])
    oblique = extract_slice(volume, centre, normal=(1, 2, 3), up=(0, 0, 1), spacing=0.4, size=(13, 9),
                            interpolation="nearest")
    path = write_dicom(oblique, tmp_path / "oblique.dcm")[0]

    image = sitk.ReadImage(str(path))

    array = sitk.GetArrayFromImage(image)
    for i, j in [(0, 0), (6, 4), (12, 8)]:
        assert array[0, j, i] == oblique["PointData"]["ImageScalars"][i, j, 0]
        found = np.array(image.TransformIndexToPhysicalPoint((i, j, 0)))
        assert np.linalg.norm(found - lps_position(oblique, (i, j, 0))) < PLACEMENT_TOLERANCE


def test_float_values_are_rescaled_and_the_largest_change_is_stated_and_kept(tmp_path):
    volume = dict_from_array(np.linspace(-1.5, 2.25, 60).reshape(5, 4, 3) ** 3, spacing=(1, 1, 1))

    with pytest.warns(LossWarning, match=r"values change by up to ([0-9.e-]+)") as caught:
        written = write_dicom(volume, tmp_path / "float.dcm")

    stated = float(str(caught[0].message).rsplit(" ", 1)[1])
    back = np.stack([rescaled(read_quietly(path)) for path in written], axis=-1).transpose(1, 0, 2)
    error = np.abs(back - volume["PointData"]["ImageScalars"]).max()
    assert 0 < error <= stated <= float(read_quietly(written[0]).RescaleSlope) / 2 + 1e-15


def test_a_tolerance_16_bits_cannot_meet_is_refused_and_nothing_is_written(tmp_path):
    volume = dict_from_array(np.linspace(0.0, 1000.0, 24).reshape(4, 3, 2) + 0.001, spacing=(1, 1, 1))

    with pytest.raises(ValueError, match="more than the tolerance 1e-06"):
        write_dicom(volume, tmp_path / "float.dcm", tolerance=1e-6)

    assert list(tmp_path.iterdir()) == []
    with pytest.warns(LossWarning, match="values change by up to 0.00749"):
        assert len(write_dicom(volume, tmp_path / "float.dcm", tolerance=0.01)) == 2


@pytest.mark.parametrize(
    "values, stored_dtype",
    [
        (np.array([0, 17, 255], np.uint8), np.uint8),
        (np.array([True, False, True]), np.uint8),
        (np.array([-128, 0, 127], np.int8), np.int16),
        (np.array([-1024, 0, 3071], np.int16), np.int16),
        (np.array([0, 40000, 65535], np.uint16), np.uint16),
        (np.array([-3000, 0, 30000], np.int32), np.int16),
        (np.array([100000, 120000, 150000], np.int64), np.uint16),   # a span of 50000, above an intercept
        (np.array([-1024.0, 0.0, 3071.0], np.float32), np.int16),    # floats holding integers
    ],
)
def test_integers_are_stored_exactly(values, stored_dtype):
    stored, slope, intercept, error = stored_values(values)

    assert stored.dtype == stored_dtype and error == 0.0 and slope == "1"
    np.testing.assert_array_equal(stored.astype(np.int64) + int(intercept), values.astype(np.int64))


@pytest.mark.parametrize(
    "values, message",
    [
        (np.array([0, 70000, 140000], np.int32), "span more than 16 bits"),
        (np.array([0.5, np.nan]), "NaN"),
        (np.array([1 + 1j]), "cannot be stored"),
    ],
)
def test_values_dicom_cannot_hold_are_refused(values, message):
    with pytest.raises(ValueError, match=message):
        stored_values(values)


def test_decimal_strings_fit_sixteen_characters_and_keep_every_digit_they_can():
    for value in [1 / 3, -156.4453125, 1e-17, 123456789012.345, -0.70710678118654757, 2.5]:
        text = decimal_string(value)
        assert len(text) <= 16 and float(text) == pytest.approx(value, rel=1e-12)


def test_the_frame_of_the_image_does_not_move_the_patient(tmp_path):
    ras = ct_volume(dims=(4, 3, 1))
    lps = image_to_dict(dict_to_image(ras, frame="LPS"), frame="LPS")

    from_ras = read_quietly(write_dicom(dict_to_image(ras), tmp_path / "ras.dcm", frame="RAS")[0])
    from_lps = read_quietly(write_dicom(lps, tmp_path / "lps.dcm")[0])

    assert from_ras.ImagePositionPatient == from_lps.ImagePositionPatient
    assert from_ras.ImageOrientationPatient == from_lps.ImageOrientationPatient
    np.testing.assert_allclose([float(v) for v in from_ras.ImagePositionPatient], lps_position(ras, (0, 0, 0)),
                               atol=1e-9)


def test_every_file_is_valid_for_pydicom_with_new_uids_each_write(tmp_path):
    volume = ct_volume(dims=(4, 3, 2))

    first = write_dicom(volume, tmp_path / "a.dcm", modality="MR")
    second = write_dicom(volume, tmp_path / "b.dcm", modality="MR")

    for path in first + second:
        dataset = read_quietly(path)
        pydicom.dataset.validate_file_meta(dataset.file_meta, enforce_standard=True)
        assert dataset.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"
        assert dataset.SOPClassUID == "1.2.840.10008.5.1.4.1.1.4" and dataset.Modality == "MR"
        assert dataset.SOPInstanceUID == dataset.file_meta.MediaStorageSOPInstanceUID
    uids = [read_quietly(path) for path in (first[0], second[0])]
    for keyword in ("StudyInstanceUID", "SeriesInstanceUID", "FrameOfReferenceUID", "SOPInstanceUID"):
        assert getattr(uids[0], keyword) != getattr(uids[1], keyword)


def test_attributes_are_written_and_those_the_writer_computes_are_refused(tmp_path):
    volume = ct_volume(dims=(4, 3, 1))

    path = write_dicom(volume, tmp_path / "named.dcm",
                       attributes={"PatientName": "Test^Slice", "SeriesDescription": "oblique", "SeriesNumber": 7})[0]

    dataset = read_quietly(path)
    assert (str(dataset.PatientName), dataset.SeriesDescription, int(dataset.SeriesNumber)) == (
        "Test^Slice", "oblique", 7)
    with pytest.raises(ValueError, match="'PixelSpacing' is computed from the image"):
        write_dicom(volume, tmp_path / "x.dcm", attributes={"PixelSpacing": [1, 1]})
    with pytest.raises(ValueError, match="'PatientsName' is not a DICOM keyword"):
        write_dicom(volume, tmp_path / "x.dcm", attributes={"PatientsName": "x"})
    with pytest.raises(ValueError, match="modality"):
        write_dicom(volume, tmp_path / "x.dcm", modality="XR")


def test_only_one_array_of_one_component_is_written_and_the_others_are_named(tmp_path):
    volume = ct_volume(dims=(4, 3, 1))
    volume["PointData"]["Other"] = np.zeros((4, 3, 1), np.uint8)

    with pytest.warns(LossWarning, match=r"only 'ImageScalars' is written to DICOM; \['Other'\] are not"):
        write_dicom(volume, tmp_path / "one.dcm")
    vectors = dict_from_array(np.zeros((4, 3, 1, 3)), name="Vector")
    with pytest.raises(ValueError, match="'Vector' has 3 components"):
        write_dicom(vectors, tmp_path / "vector.dcm")


def test_without_pydicom_the_error_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pydicom", None)

    with pytest.raises(ImportError, match=r"pip install 'vmtkscripts_numpy\[dicom\]'"):
        write_dicom(ct_volume(dims=(2, 2, 1)), tmp_path / "x.dcm")


def test_write_image_writes_dicom_by_its_extension_from_any_frame(tmp_path):
    from vmtkscripts_numpy.vtkfiles import read_image, write_image

    volume = ct_volume()
    lps_image = dict_to_image(volume, frame="LPS")

    write_image(dict_to_image(volume), tmp_path / "ras.dcm")
    write_image(lps_image, tmp_path / "lps.dcm", frame="LPS")

    for first in (tmp_path / "ras_0001.dcm", tmp_path / "lps_0002.dcm"):
        back = image_to_dict(read_image(first))
        np.testing.assert_array_equal(back["PointData"]["ImageScalars"], volume["PointData"]["ImageScalars"])
        worst = max(np.linalg.norm(lps_position(back, voxel) - lps_position(volume, voxel)) for voxel in KNOWN_VOXELS)
        assert worst < PLACEMENT_TOLERANCE
