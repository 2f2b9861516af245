"""Mixed pipes: vmtk's processing scripts with this package's, run by vmtk's own ``vmtk`` and by ``vmtknumpy``.

Every pipe is run three times: by vmtk's runner; by ``vmtknumpy``, where vmtk's
names for readers and writers mean vmtk's scripts; and by ``vmtknumpy`` with the
package's own readers and writers named explicitly (``vmtkscripts_numpy.*``), as
a machine without vmtk would run the package's half. The three results must be
the same numbers.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from vmtkscripts_numpy import read_array_dict
from vmtkscripts_numpy.convert.arrays import vtk_to_numpy
from vmtkscripts_numpy.vtkfiles import read_image, read_mesh, read_surface

BIN = Path(sys.executable).parent

#: Pipes, with ``{data}`` for vmtk's test data and ``{out}`` for the output file; READER/WRITER mark the
#: file scripts the third run takes from this package. Three read or write MetaImage files.
PIPES = {
    "ct to surface": "vmtkimagereader -ifile {data}/aorta.mha --pipe vmtkmarchingcubes -l 400 "
                     "--pipe vmtksurfacewriter -ofile {out}.vtp",
    "ct smoothed": "vmtkimagereader -ifile {data}/aorta.mha --pipe vmtkimagesmoothing -sigma 1.5 "
                   "--pipe vmtkimagewriter -ofile {out}.mha",
    "ct through numpy": "vmtkimagereader -ifile {data}/aorta.mha --pipe vmtkimagetonumpy --pipe vmtknumpytoimage "
                        "--pipe vmtkimagebinarize -threshold 300 --pipe vmtkimagewriter -ofile {out}.mha",
    "vase surface through numpy": "vmtkimagereader -ifile {data}/vase.vti --pipe vmtkmarchingcubes -l 120 "
                                  "--pipe vmtksurfacetonumpy --pipe vmtknumpytosurface "
                                  "--pipe vmtksurfacewriter -ofile {out}.vtp",
    "smoothing": "vmtksurfacereader -ifile {data}/aorta-surface.vtp --pipe vmtksurfacesmoothing -iterations 30 "
                 "-passband 0.1 --pipe vmtksurfacewriter -ofile {out}.vtp",
    "remeshing": "vmtksurfacereader -ifile {data}/aorta-surface.vtp --pipe vmtksurfaceremeshing -edgelength 1.5 "
                 "-iterations 3 --pipe vmtksurfacewriter -ofile {out}.vtp",
    # (vmtk's own `vmtksurfacetonumpy -ofile` fails: its numpy writer looks for ArrayDict, not Input; so a
    # vmtknumpywriter of its own.)
    "decimation": "vmtksurfacereader -ifile {data}/aorta-surface.vtp --pipe vmtksurfacedecimation -reduction 0.5 "
                  "--pipe vmtksurfacetonumpy --pipe vmtknumpywriter -ofile {out}.pickle",
    "centerlines": "vmtksurfacereader -ifile {data}/aorta-surface.vtp --pipe vmtkcenterlines -seedselector idlist "
                   "-sourceids 0 -targetids 3000 --pipe vmtksurfacewriter -ofile {out}.vtp",
    # Centerline scripts take Centerlines, which a surface reader's Surface does not feed automatically.
    "centerline geometry": "vmtksurfacereader -ifile {data}/aorta-centerline.vtp --pipe vmtkcenterlinegeometry "
                           "-i @vmtksurfacereader.o -smoothing 1 --pipe vmtkcenterlinestonumpy "
                           "--pipe vmtknumpywriter -ofile {out}.pickle",
    "centerline resampling": "vmtksurfacereader -ifile {data}/aorta-centerline.vtp --pipe vmtkcenterlineresampling "
                             "-i @vmtksurfacereader.o -length 0.5 --pipe vmtksurfacewriter -i @.o -ofile {out}.vtp",
    "branches": "vmtksurfacereader -ifile {data}/aorta-centerline.vtp --pipe vmtkbranchextractor "
                "-i @vmtksurfacereader.o --pipe vmtksurfacewriter -i @vmtkbranchextractor.o -ofile {out}.vtp",
    "surface to mesh": "vmtksurfacereader -ifile {data}/aorta-surface.vtp --pipe vmtksurfacetomesh "
                       "--pipe vmtkmeshwriter -ofile {out}.vtu",
}

FILE_SCRIPTS = ["vmtkimagereader", "vmtkimagewriter", "vmtksurfacereader", "vmtksurfacewriter", "vmtkmeshreader",
                "vmtkmeshwriter"]


def with_own_file_scripts(pipe):
    words = pipe.split()
    return " ".join(f"vmtkscripts_numpy.{word}" if word in FILE_SCRIPTS else word for word in words)


def run(command, pipe):
    result = subprocess.run([str(BIN / command)] + pipe.split(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def numbers(path):
    """Every array a file holds, by name, as numpy: points, cells, data, placement."""
    suffix = path.suffix
    if suffix == ".pickle":
        return flatten(read_array_dict(path))
    if suffix == ".mha":
        image = read_image(path)
        arrays = {"origin": np.array(image.GetOrigin()), "spacing": np.array(image.GetSpacing()),
                  "dimensions": np.array(image.GetDimensions())}
        arrays["direction"] = np.array([image.GetDirectionMatrix().GetElement(r, c) for r in range(3) for c in range(3)])
        arrays["scalars"] = vtk_to_numpy(image.GetPointData().GetScalars())
        return arrays
    data = read_mesh(path) if suffix == ".vtu" else read_surface(path)
    arrays = {"points": vtk_to_numpy(data.GetPoints().GetData())}
    cells = [data.GetCells()] if suffix == ".vtu" else [data.GetVerts(), data.GetLines(), data.GetPolys()]
    for index, cell_array in enumerate(cells):
        arrays[f"cells {index}"] = vtk_to_numpy(cell_array.GetConnectivityArray())
    for section in ("GetPointData", "GetCellData"):
        attributes = getattr(data, section)()
        for index in range(attributes.GetNumberOfArrays()):
            name = attributes.GetArrayName(index)
            # VTK's XML writer names an unnamed array after its address: compare those by position.
            label = f"#{index}" if name is None or name.startswith("Array 0x") else name
            arrays[f"{section[3:]} {label}"] = vtk_to_numpy(attributes.GetArray(index))
    return arrays


def flatten(tree, prefix=""):
    flat = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}/"))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                flat[f"{prefix}{key}/{index}"] = np.asarray(item)
        else:
            flat[f"{prefix}{key}"] = np.asarray(value)
    return flat


def assert_same_numbers(reference, other, what):
    assert reference.keys() <= other.keys(), f"{what}: missing {sorted(reference.keys() - other.keys())}"
    for key, values in reference.items():
        theirs = other[key]
        assert values.shape == theirs.shape, f"{what}: {key} has shape {theirs.shape}, not {values.shape}"
        if values.dtype.kind == "f":
            np.testing.assert_allclose(theirs, values, rtol=1e-12, atol=1e-9, err_msg=f"{what}: {key}")
        else:
            np.testing.assert_array_equal(theirs, values, err_msg=f"{what}: {key}")


@pytest.mark.parametrize("name", list(PIPES))
def test_a_mixed_pipe_gives_vmtks_numbers_with_either_packages_file_scripts(tmp_path, vmtk_test_data, name):
    data = vmtk_test_data("aorta.mha").parent
    pipe = PIPES[name]
    outputs = {}
    for runner, command, text in [("vmtk", "vmtk", pipe), ("vmtknumpy", "vmtknumpy", pipe),
                                  ("own file scripts", "vmtknumpy", with_own_file_scripts(pipe))]:
        out = tmp_path / runner.replace(" ", "-")
        run(command, text.format(data=data, out=out))
        outputs[runner] = numbers(next(tmp_path.glob(f"{out.name}.*")))

    if name in ("decimation", "centerline geometry"):
        # vmtk's runner runs vmtk's own numpy scripts, which give their ids as int32 (and vmtk's ragged layout):
        # compare the geometry and data, which both keep.
        keep = [key for key in outputs["vmtknumpy"] if key.startswith(("Points", "PointData/"))]
        outputs = {runner: {key: arrays[key] for key in keep if key in arrays} for runner, arrays in outputs.items()}
    assert outputs["vmtk"], "nothing to compare"
    assert_same_numbers(outputs["vmtk"], outputs["vmtknumpy"], "vmtknumpy against vmtk")
    assert_same_numbers(outputs["vmtk"], outputs["own file scripts"], "the package's file scripts against vmtk")


def test_at_least_ten_mixed_pipes_and_three_with_metaimage():
    assert len(PIPES) >= 10
    assert sum(".mha" in pipe for pipe in PIPES.values()) >= 3
