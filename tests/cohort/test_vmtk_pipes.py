"""With vmtk installed, a cohort's pipe mixes vmtk's scripts with the package's, exactly as vmtknumpy does."""

import numpy as np
import pytest

import vmtkscripts_numpy as vn
from vmtkscripts_numpy.pypes import PypeRun, lookup
from vmtkscripts_numpy.pypes.pype import NullOutputStream

from .conftest import CORRUPT, write_cohort

pytest.importorskip("vmtk.vmtkscripts", reason="vmtk is not installed (pip install vmtk, Python >= 3.12)")
pytest.importorskip("distributed")

CORRUPT_INDEX = int(CORRUPT[-3:])

PIPES = {
    "smoothed surfaces": ("surface", "vmtksurfacereader -ifile {input} --pipe vmtksurfacesmoothing -iterations 10 "
                                     "--pipe vmtksurfacetonumpy -ofile {output}"),
    "centerline geometry": ("centerlines", "vmtkcenterlinegeometry -ifile {input} -smoothing 0 "
                                           "--pipe vmtkcenterlinestonumpy -ofile {output}"),
}


@pytest.fixture
def vmtk_names(monkeypatch):
    # Outside tests/vmtk_interop the suite makes plain names mean the package's scripts; here they mean vmtk's.
    monkeypatch.setattr(lookup, "SCRIPT_PACKAGES", (lookup.PACKAGE, lookup.VMTK_PACKAGE))


@pytest.mark.parametrize("kind, pipe", PIPES.values(), ids=list(PIPES))
def test_a_pipe_of_vmtk_s_scripts_gives_what_vmtknumpy_gives_case_by_case(tmp_path, client, vmtk_names, kind, pipe):
    paths = vn.cohort.write_sample_cohort(tmp_path / "inputs", cases=4, kind=kind)

    report = vn.cohort.run_cohort(str(tmp_path / "inputs" / "*.vtp"), pipe, tmp_path / "out", scheduler=client,
                                  log=None)

    assert report.ok and report.done == 4, report.failures
    assert {row["vmtk_version"] for row in report.records} == {"1.5.2"}
    for path in paths:
        direct = PypeRun(pipe.replace(" -ofile {output}", "").replace("{input}", str(path)),
                         output_stream=NullOutputStream()).ScriptObjectList[-1].ArrayDict
        batched = vn.read_array_dict(tmp_path / "out" / f"{path.stem}.hdf5")
        assert list(batched["PointData"]) == list(direct["PointData"])
        np.testing.assert_array_equal(batched["Points"], direct["Points"])
        for name, values in direct["PointData"].items():
            np.testing.assert_array_equal(batched["PointData"][name], values)


def test_a_damaged_file_that_vmtk_s_reader_passes_on_empty_is_quarantined(tmp_path, client, vmtk_names):
    # vmtk's reader reports a damaged file only through VTK's error output, and hands on an empty surface.
    write_cohort(tmp_path / "inputs", cases=CORRUPT_INDEX + 1)

    report = vn.cohort.run_cohort(str(tmp_path / "inputs" / "*.vtp"), PIPES["smoothed surfaces"][1],
                                  tmp_path / "out", scheduler=client, log=None)

    assert (report.done, report.failed) == (CORRUPT_INDEX, 1)
    assert report.failures[0][0] == CORRUPT and "VTK reported an error: Error parsing XML" in report.failures[0][1]
    assert "all of VTK's errors:" in (tmp_path / "out" / "failures.log").read_text()
