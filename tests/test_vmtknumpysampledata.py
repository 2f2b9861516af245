"""vmtknumpysampledata: the sample vessel from the command line, into files or down a pipe."""

import numpy as np
import pytest

from vmtkscripts_numpy import pypes, vmtkscripts
from vmtkscripts_numpy._vtk_version import vtk_at_least
from vmtkscripts_numpy.convert.arrays import vtk_to_numpy
from vmtkscripts_numpy.errors import LossWarning
from vmtkscripts_numpy.pypes.cli import main
from vmtkscripts_numpy.vtkfiles import read_image, read_surface


def test_outputs_are_named_and_typed_as_vmtk_names_them():
    outputs = {m.MemberName: m for m in vmtkscripts.vmtkNumpySampleData().OutputMembers}

    assert (outputs["Surface"].MemberType, outputs["Surface"].OptionName) == ("vtkPolyData", "o")
    assert (outputs["Centerlines"].MemberType, outputs["Centerlines"].OptionName) == ("vtkPolyData", "ocenterlines")
    assert (outputs["Image"].MemberType, outputs["Image"].MemberIO) == ("vtkImageData", "vmtkimagewriter")


def test_the_command_line_writes_the_sample_files(tmp_path, capsys):
    code = main(["vmtknumpy", "vmtknumpysampledata", "-d", str(tmp_path / "data")])

    assert code == 0
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == [
        "centerlines.vtp", "image.vti", "mesh.vtu", "vessel.vtp"]
    assert f"Wrote {tmp_path / 'data' / 'vessel.vtp'}" in capsys.readouterr().out
    assert read_surface(tmp_path / "data" / "centerlines.vtp").GetNumberOfLines() == 3


def test_without_a_directory_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    script = vmtkscripts.vmtkNumpySampleData()
    script.LogOn = 0

    script.Execute()

    assert list(tmp_path.iterdir()) == []
    assert script.Surface.GetNumberOfPoints() == 960 and script.Image.GetDimensions() == (24, 20, 16)


def test_the_outputs_feed_writers_by_automatic_piping(tmp_path):
    surface, image = tmp_path / "vessel.ply", tmp_path / "image.nii.gz"

    with pytest.warns(LossWarning):
        pypes.PypeRun(["vmtknumpysampledata", "--pipe", "vmtksurfacewriter", "-ofile", str(surface),
                       "--pipe", "vmtkimagewriter", "-ofile", str(image)], output_stream=pypes.pype.NullOutputStream())

    assert read_surface(surface).GetNumberOfPolys() == 1800
    written = read_image(image)
    assert written.GetDirectionMatrix().GetElement(0, 0) == -1.0
    np.testing.assert_allclose(written.GetOrigin(), (8.5, 2.9, -1.5), atol=1e-6)


def test_the_centerlines_are_written_with_their_own_option(tmp_path):
    target = tmp_path / "centerlines.vtkhdf"
    pipe = ["vmtknumpysampledata", "-ocenterlinesfile", str(target)]
    if not vtk_at_least(9, 4):
        with pytest.raises(pypes.PypeError, match=r"writing VTKHDF PolyData files needs VTK >= 9\.4"):
            pypes.PypeRun(pipe, output_stream=pypes.pype.NullOutputStream())
        assert not target.exists()
        return

    pypes.PypeRun(pipe, output_stream=pypes.pype.NullOutputStream())

    radius = read_surface(target).GetPointData().GetArray("MaximumInscribedSphereRadius")
    assert vtk_to_numpy(radius).dtype == np.float64
