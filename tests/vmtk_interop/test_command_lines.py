"""vmtk's PypeS command lines run by vmtk's ``vmtk`` and by ``vmtknumpy``: the same outputs, and one-line errors.

Automatic piping, explicit ``@script[-id].option`` pipes, ``-id``, pushed
options (``-option@``), ranges, flags and the ``pyperun`` runner flags mean the
same in both runners. Where a command line is wrong, vmtk's runner prints its
script's usage and a traceback; ``vmtknumpy`` prints one line and exits 1.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from vmtkscripts_numpy.convert.arrays import vtk_to_numpy
from vmtkscripts_numpy.vtkfiles import read_surface

BIN = Path(sys.executable).parent

#: ``{a}`` and ``{b}`` are two surfaces of vmtk's test data, ``{out}`` the output file.
COMMAND_LINES = {
    "automatic piping": "vmtksurfacereader -ifile {a} --pipe vmtksurfacesmoothing -iterations 5 "
                        "--pipe vmtksurfacewriter -ofile {out}",
    "explicit pipe by name and id": "vmtksurfacereader -ifile {a} -id 1 --pipe vmtksurfacereader -ifile {b} -id 2 "
                                    "--pipe vmtksurfacewriter -i @vmtksurfacereader-1.o -ofile {out}",
    "explicit pipe to the previous script": "vmtksurfacereader -ifile {a} --pipe vmtksurfacenormals "
                                            "--pipe vmtksurfacewriter -i @.o -ofile {out}",
    "pushed option": "vmtksurfacereader -ifile {a} --pipe vmtksurfacesmoothing -iterations@ 7 -passband 0.2 "
                     "--pipe vmtksurfacesmoothing --pipe vmtksurfacewriter -ofile {out}",
    "value from a range": "vmtksurfacereader -ifile {a} --pipe vmtksurfacesmoothing -method laplace "
                          "-iterations 3 -relaxation 0.1 --pipe vmtksurfacewriter -ofile {out}",
    "bool option": "vmtksurfacereader -ifile {a} --pipe vmtksurfacenormals -autoorientnormals 0 -consistency 0 "
                   "--pipe vmtksurfacewriter -ofile {out}",
    "a disabled script": "vmtksurfacereader -ifile {a} --pipe vmtksurfacesmoothing -iterations 50 -disabled 1 "
                         "--pipe vmtksurfacewriter -ofile {out}",
    "pyperun with --noauto": "pyperun --noauto vmtksurfacereader -ifile {a} "
                             "--pipe vmtksurfacewriter -i @vmtksurfacereader.o -ofile {out}",
    "pyperun with --nolog": "pyperun --nolog vmtksurfacereader -ifile {a} --pipe vmtksurfacedecimation "
                            "-reduction 0.3 --pipe vmtksurfacewriter -ofile {out}",
    "a list of values": "vmtksurfacereader -ifile {a} --pipe vmtkcenterlines -seedselector idlist -sourceids 0 "
                        "-targetids 3000 5000 --pipe vmtksurfacewriter -ofile {out}",
}


def run(command, line):
    return subprocess.run([str(BIN / command)] + line.split(), capture_output=True, text=True, timeout=300)


def arrays_of(path):
    surface = read_surface(path)
    arrays = {"points": vtk_to_numpy(surface.GetPoints().GetData())}
    for name, cells in [("verts", surface.GetVerts()), ("lines", surface.GetLines()), ("polys", surface.GetPolys())]:
        arrays[name] = vtk_to_numpy(cells.GetConnectivityArray())
    point_data = surface.GetPointData()
    for index in range(point_data.GetNumberOfArrays()):
        arrays[point_data.GetArrayName(index)] = vtk_to_numpy(point_data.GetArray(index))
    return arrays


@pytest.mark.parametrize("case", list(COMMAND_LINES))
def test_a_command_line_gives_the_same_output_in_both_runners(tmp_path, vmtk_test_data, case):
    line = COMMAND_LINES[case]
    a, b = vmtk_test_data("aorta-surface.vtp"), vmtk_test_data("aorta-surface-two-segments.vtp")
    outputs = {}
    for command in ("vmtk", "vmtknumpy"):
        out = tmp_path / f"{command}.vtp"
        result = run(command, line.format(a=a, b=b, out=out))
        assert result.returncode == 0, f"{command}:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        outputs[command] = arrays_of(out)

    theirs, ours = outputs["vmtk"], outputs["vmtknumpy"]
    assert theirs.keys() == ours.keys()
    for name in theirs:
        np.testing.assert_array_equal(ours[name], theirs[name], err_msg=name)
    if case == "explicit pipe by name and id":
        assert len(ours["points"]) == len(arrays_of(a)["points"])  # the first reader's surface, not the second's


def test_nolog_silences_both_runners_the_same(tmp_path, vmtk_test_data):
    line = f"pyperun --nolog vmtksurfacereader -ifile {vmtk_test_data('aorta-surface.vtp')}"

    theirs, ours = run("vmtk", line), run("vmtknumpy", line)

    assert ours.returncode == theirs.returncode == 0
    assert ours.stdout == ""
    assert theirs.stdout.strip() == f"Executing {line}"  # vmtk's launcher echoes the command, then is quiet


def test_a_mixed_pipe_logs_the_packages_scripts_as_vmtks_runner_logs_vmtks(vmtk_test_data):
    # vmtk's runner runs vmtk's modules only (vmtk.<name>), and sets LogOn on each script it makes;
    # vmtknumpy does the same for both packages' scripts, which made from Python are quiet.
    surface = vmtk_test_data("aorta-surface.vtp")
    line = f"vmtksurfacereader -ifile {surface} --pipe {{}}vmtksurfacetonumpy"

    theirs, ours = run("vmtk", line.format("")), run("vmtknumpy", line.format("vmtkscripts_numpy."))

    assert ours.returncode == theirs.returncode == 0
    for logged in ("Input vmtksurfacereader members:", "Input vmtksurfacetonumpy members:",
                   "    Surface = vmtksurfacereader-0.Surface", "Output vmtksurfacetonumpy members:"):
        assert logged.lower() in theirs.stdout.lower() and logged in ours.stdout, logged  # vmtk: vmtkSurfaceToNumpy


#: Wrong command lines for vmtk's own scripts, and the one line vmtknumpy prints for each.
ERRORS = {
    "unknown option": ("vmtksurfacesmoothing -nosuchoption 3",
                       "error: vmtksurfacesmoothing: unknown option -nosuchoption"),
    "value of the wrong type": ("vmtksurfacesmoothing -iterations many",
                                "error: vmtksurfacesmoothing: option -iterations: 'many' is not an integer"),
    "value out of range": ("vmtksurfacesmoothing -method cubic",
                           "error: vmtksurfacesmoothing: option -method: 'cubic' is out of range"),
    "wrong number of values": ("vmtkimageshiftscale -inputrange 1",
                               "error: vmtkimageshiftscale: option -inputrange: 1 given, 2 values expected"),
    "missing input": ("vmtksurfacesmoothing -iterations 3", "error: vmtksurfacesmoothing: No input surface."),
    "missing input of an image script": ("vmtkmarchingcubes -l 400", "error: vmtkmarchingcubes: No Image."),
    "bad piping": ("vmtksurfacesmoothing -i @vmtknosuchscript.o",
                   "error: vmtksurfacesmoothing: option -i @vmtknosuchscript.o: no earlier script"),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_vmtks_scripts_fail_on_one_line_without_usage_or_traceback(case):
    line, message = ERRORS[case]

    theirs, ours = run("vmtk", line), run("vmtknumpy", "--nolog " + line)

    assert ours.returncode == 1
    assert ours.stderr.startswith(message), ours.stderr
    assert ours.stderr.count("\n") == 1
    assert "Traceback" not in ours.stderr and "Input arguments" not in ours.stdout + ours.stderr
    # vmtk's own runner reports the same mistakes, with a traceback.
    assert theirs.returncode != 0 or "Error" in theirs.stdout + theirs.stderr
