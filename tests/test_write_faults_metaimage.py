"""A MetaImage header and its voxel file (``.mhd`` + ``.zraw``) are one image, however reads and writes interleave.

Kills at every step of the pair's replacement are in test_write_faults.py; here, a read that a write
overtakes between the header and the voxels, and names the file system allows but ASCII does not.
"""

import warnings

import numpy as np
import pytest

from vmtkscripts_numpy.convert.arrays import numpy_to_vtk, vtk_to_numpy
from vmtkscripts_numpy.errors import LossWarning
from vmtkscripts_numpy.sample_data import make_image
from vmtkscripts_numpy.vtkfiles import _metaimage, read_image, write_image


def image_with(values_added, shape=None):
    image = make_image()
    scalars = image.GetPointData().GetScalars()
    if shape is not None:
        image.SetDimensions(*shape)
        values = np.arange(np.prod(shape), dtype=np.float32)
    else:
        values = vtk_to_numpy(scalars)
    image.GetPointData().SetScalars(numpy_to_vtk(values + values_added, name=scalars.GetName()))
    return image


def write(image, path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LossWarning)
        write_image(image, path)


def voxels(image):
    return vtk_to_numpy(image.GetPointData().GetScalars())


@pytest.mark.parametrize("other_shape", [None, (7, 5, 3)], ids=["same size", "another size"])
def test_a_read_overtaken_by_a_write_gives_the_new_image_whole(tmp_path, monkeypatch, other_shape):
    path = tmp_path / "ct.mhd"
    write(image_with(0.0), path)
    newer = image_with(1000.0, other_shape)
    read_data = _metaimage._read_data

    def overtaken(*arguments):
        # The first read has its header; a write replaces header and voxels before it reads the voxels.
        monkeypatch.setattr(_metaimage, "_read_data", read_data)
        write(newer, path)
        return read_data(*arguments)

    monkeypatch.setattr(_metaimage, "_read_data", overtaken)
    read = read_image(path)

    assert read.GetDimensions() == newer.GetDimensions()
    np.testing.assert_array_equal(voxels(read), voxels(newer))


def test_a_name_outside_ascii_is_written_and_read_as_the_file_system_spells_it(tmp_path):
    path = tmp_path / "Bild_ä.mhd"
    write(image_with(5.0), path)

    assert sorted(item.name for item in tmp_path.iterdir()) == ["Bild_ä.mhd", "Bild_ä.zraw"]
    assert "ElementDataFile = Bild_ä.zraw".encode() in path.read_bytes()
    np.testing.assert_array_equal(voxels(read_image(path)), voxels(image_with(5.0)))
