"""Fixtures shared by the whole suite.

Tests that use vmtk's own data find it in ``../shared`` beside the project and
skip cleanly when that folder is absent; everything else runs on generated data.
"""

from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED = PROJECT_ROOT.parent / "shared"
VMTK_TEST_DATA = SHARED / "vmtk-test-data"
UPSTREAM_FILES = SHARED / "upstream-files"


def _shared_file(folder: Path, name: str) -> Path:
    path = folder / name
    if not path.is_file():
        pytest.skip(f"shared test data not available: {folder.name}/{name}")
    return path


@pytest.fixture
def vmtk_test_data():
    """Return a function that gives the path of a file of vmtk's test data, or skips the test."""
    return lambda name: _shared_file(VMTK_TEST_DATA, name)


@pytest.fixture
def upstream_file():
    """Return a function that gives the path of a file written by vmtk's numpy scripts, or skips the test."""
    return lambda name: _shared_file(UPSTREAM_FILES, name)


@pytest.fixture(autouse=True)
def _the_packages_own_scripts(request, monkeypatch):
    """Pipes in the tests of the package's scripts run the package's scripts, whether or not vmtk is installed.

    With vmtk installed, a name vmtk has for a reader or writer means vmtk's script
    in a pipe; tests/vmtk_interop checks that rule, and everything else checks the
    package's own scripts under their plain names.
    """
    if "vmtk_interop" in request.node.nodeid.split("::")[0]:
        return
    from vmtkscripts_numpy.pypes import lookup

    monkeypatch.setattr(lookup, "SCRIPT_PACKAGES", tuple(p for p in lookup.SCRIPT_PACKAGES if p != lookup.VMTK_PACKAGE))
