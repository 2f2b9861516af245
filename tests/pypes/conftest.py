"""Engine tests run small VTK-free scripts found through the engine's own lookup."""

from pathlib import Path

import pytest

from vmtkscripts_numpy.pypes import lookup

HERE = Path(__file__).resolve().parent

# Helper packages the tests import under their own names: not collected, not even for doctests.
collect_ignore = ["second_package", "pipe_test_scripts"]


@pytest.fixture(autouse=True)
def test_scripts(monkeypatch):
    """Make ``pipe_test_scripts`` a script package, searched before the package's own scripts."""
    monkeypatch.syspath_prepend(str(HERE))
    monkeypatch.setattr(lookup, "SCRIPT_PACKAGES", ("pipe_test_scripts",) + lookup.SCRIPT_PACKAGES)


@pytest.fixture
def second_package(monkeypatch):
    """``second_scripts`` in the place of vmtk: searched, and preferred as vmtk is, as if it were installed.

    The engine's rules are tested on it; tests/vmtk_interop runs the same rules on real vmtk.
    """
    monkeypatch.syspath_prepend(str(HERE / "second_package"))
    monkeypatch.setattr(lookup, "VMTK_PACKAGE", "second_scripts")
    packages = tuple(package for package in lookup.SCRIPT_PACKAGES if package != "vmtk")
    monkeypatch.setattr(lookup, "SCRIPT_PACKAGES", packages + ("second_scripts",))
