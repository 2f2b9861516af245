"""What installing the package puts on a machine: its commands, nothing of vmtk's replaced, its license and types."""

import email.parser
import importlib.metadata
import importlib.util
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

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


ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sdist and the built package (what a wheel holds) of a copy of the project's packaging files."""
    if importlib.util.find_spec("setuptools") is None:
        pytest.skip("setuptools is not installed here: the package cannot be built")
    tree = tmp_path_factory.mktemp("build")
    for name in ("setup.py", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, tree / name)
    shutil.copytree(ROOT / "vmtkscripts_numpy", tree / "vmtkscripts_numpy",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    command = [sys.executable, "setup.py", "-q", "egg_info", "--egg-base", ".", "sdist", "-d", "dist",
               "build_py", "-d", "lib"]
    completed = subprocess.run(command, cwd=tree, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr[-2000:]
    (sdist,) = (tree / "dist").glob("*.tar.gz")
    return sdist, tree / "lib"


def test_the_sdist_carries_the_bsd_license_and_the_type_marker(built):
    sdist, _ = built
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
        license_text = archive.extractfile(f"{archive.getnames()[0].split('/')[0]}/LICENSE").read().decode()

    assert {"LICENSE", "vmtkscripts_numpy/py.typed", "PKG-INFO"} <= names
    assert license_text.startswith("BSD 3-Clause License")
    assert "the vmtkscripts_numpy developers" in license_text


def test_the_built_package_ships_its_type_marker(built):
    _, lib = built

    assert (lib / "vmtkscripts_numpy" / "py.typed").is_file()


def test_the_metadata_names_the_license_author_project_and_python_versions(built):
    sdist, _ = built
    with tarfile.open(sdist) as archive:
        info = next(member for member in archive.getmembers() if member.name.endswith("/PKG-INFO")
                    and member.name.count("/") == 1)
        metadata = email.parser.Parser().parsestr(archive.extractfile(info).read().decode())

    assert metadata["License"] == "BSD-3-Clause"
    assert metadata["Author"] == "the vmtkscripts_numpy developers"
    assert any(url.startswith("Source, https://github.com/") for url in metadata.get_all("Project-URL"))
    classifiers = metadata.get_all("Classifier")
    # The license is the SPDX expression above: setuptools deprecates license classifiers beside it.
    assert not any(classifier.startswith("License ::") for classifier in classifiers)
    assert "Typing :: Typed" in classifiers
    versions = [c.rsplit(" ", 1)[1] for c in classifiers if c.startswith("Programming Language :: Python :: 3.")]
    assert versions == [f"3.{minor}" for minor in range(9, 14)]
    assert metadata["Requires-Python"] == f">={versions[0]}"
