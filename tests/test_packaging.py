"""What installing the package puts on a machine: its commands, and nothing of vmtk's replaced."""

import importlib.metadata
import importlib.util

import pytest

from vmtkscripts_numpy.pypes.lookup import available_script_names


def installed_commands():
    entry_points = importlib.metadata.distribution("vmtkscripts_numpy").entry_points
    return {entry.name: entry.value for entry in entry_points if entry.group == "console_scripts"}


def test_vmtknumpy_is_installed_and_runs_every_script():
    assert installed_commands()["vmtknumpy"] == "vmtkscripts_numpy.pypes.cli:main"


def test_every_other_command_is_a_script_of_the_package_that_vmtk_lacks():
    others = set(installed_commands()) - {"vmtknumpy"}

    assert others <= set(available_script_names("vmtkscripts_numpy"))
    # The scripts that carry vmtk's names are run through vmtknumpy, never installed under those names.
    assert not others & {"vmtksurfacereader", "vmtksurfacewriter", "vmtkimagereader", "vmtkimagewriter",
                         "vmtkmeshreader", "vmtkmeshwriter", "vmtksurfacetonumpy", "vmtknumpywriter"}


def test_no_command_has_the_name_of_a_vmtk_script():
    if importlib.util.find_spec("vmtk") is None:
        pytest.skip("vmtk is not installed: its script names cannot be listed")

    assert not set(installed_commands()) & set(available_script_names("vmtk"))
