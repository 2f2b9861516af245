"""Command-line manners every command keeps: --help, --version and --nolog anywhere, usage on no arguments,
and a dict of the wrong kind answered with the script to use."""

import numpy as np
import pytest

from vmtkscripts_numpy import write_array_dict
from vmtkscripts_numpy.pypes import cli
from vmtkscripts_numpy.pypes.lookup import PACKAGE, available_script_names

SCRIPTS = available_script_names(PACKAGE)


def test_the_package_has_its_scripts():
    assert {"vmtksurfacetonumpy", "vmtknumpytomesh", "vmtknumpysampledata"} <= set(SCRIPTS)


@pytest.mark.parametrize("name", SCRIPTS)
def test_help_starts_with_what_the_script_does(capsys, name):
    assert cli.main(["vmtknumpy", name, "--help"]) == 0
    out = capsys.readouterr().out

    assert out.startswith(f"{name} : {cli.first_doc_line(name, PACKAGE)[:40]}")
    assert "Automatic piping" not in out and "Parsing options" not in out


@pytest.mark.parametrize("name", SCRIPTS)
def test_every_command_accepts_version_and_nolog_after_its_name(capsys, name):
    assert cli.main([f"/somewhere/bin/{name}", "--version"]) == 0
    assert capsys.readouterr().out.startswith(f"{name} (vmtkscripts_numpy) ")
    assert cli.main(["vmtknumpy", name, "--nolog", "--help"]) == 0
    assert capsys.readouterr().out.startswith(f"{name} : ")


def test_nolog_after_a_scripts_options_silences_the_whole_pipe(capsys, tmp_path):
    assert cli.main(["vmtknumpy", "vmtknumpysampledata", "-d", str(tmp_path), "--nolog"]) == 0

    assert (tmp_path / "vessel.vtp").exists()
    assert capsys.readouterr().out == ""


def test_no_arguments_prints_usage_on_stderr_and_exits_2(capsys):
    assert cli.main(["vmtknumpy"]) == 2
    captured = capsys.readouterr()

    assert captured.err.startswith("usage: vmtknumpy") and captured.out == ""


@pytest.mark.parametrize("name", SCRIPTS)
def test_a_scripts_command_without_arguments_prints_its_usage_on_stderr_and_exits_2(capsys, name):
    assert cli.main([f"/somewhere/bin/{name}"]) == 2
    captured = capsys.readouterr()

    assert captured.err.startswith(f"{name} : {cli.first_doc_line(name, PACKAGE)[:40]}") and captured.out == ""


def test_the_runners_version(capsys):
    assert cli.main(["vmtknumpy", "--version"]) == 0
    assert capsys.readouterr().out.startswith("vmtknumpy (vmtkscripts_numpy) ")


def mesh_dict():
    return {"Points": np.eye(4, 3), "PointData": {}, "CellData": {}, "Cells": {
        "CellPointIds": np.array([4, 0, 1, 2, 3]), "CellLocations": np.array([0]),
        "CellTypes": np.array([10], np.uint8)}}


def surface_dict():
    return {"Points": np.eye(3), "PointData": {}, "CellData": {"CellPointIds": np.array([[0, 1, 2]])}}


def image_dict():
    return {"Origin": np.zeros(3), "Dimensions": np.array([2, 2, 2]), "Spacing": np.ones(3),
            "PointData": {"V": np.zeros((2, 2, 2))}}


@pytest.mark.parametrize("made, script, named", [
    (mesh_dict, "vmtknumpytosurface", "vmtknumpytomesh"),
    (mesh_dict, "vmtknumpytocenterlines", "vmtknumpytomesh"),
    (mesh_dict, "vmtknumpytoimage", "vmtknumpytomesh"),
    (surface_dict, "vmtknumpytomesh", "vmtknumpytosurface"),
    (image_dict, "vmtknumpytosurface", "vmtknumpytoimage"),
    (image_dict, "vmtknumpytomesh", "vmtknumpytoimage"),
])
def test_a_dict_of_the_wrong_kind_names_the_script_to_use(capsys, tmp_path, made, script, named):
    path = tmp_path / "case.hdf5"
    write_array_dict(made(), path)

    assert cli.main(["vmtknumpy", "--nolog", "vmtknumpyreader", "-ifile", str(path), "--pipe", script]) == 1

    err = capsys.readouterr().err
    assert f"convert it with {named}" in err and err.count("\n") == 1


def test_centerlines_and_surfaces_convert_into_each_other(tmp_path):
    path = tmp_path / "case.hdf5"
    write_array_dict(surface_dict(), path)

    assert cli.main(["vmtknumpy", "--nolog", "vmtknumpyreader", "-ifile", str(path), "--pipe", "vmtknumpytocenterlines"]) == 0
