"""Engine tests run small VTK-free scripts found through the engine's own lookup."""

import sys
from pathlib import Path

import pytest

from vmtkscripts_numpy.pypes import lookup

HERE = Path(__file__).resolve().parent

# Helper packages the tests import under their own names (one is called ``vmtk``): not collected,
# not even for doctests, so that importing them cannot leak into other tests.
collect_ignore = ["fake_vmtk", "pipe_test_scripts"]


@pytest.fixture(autouse=True)
def test_scripts(monkeypatch):
    """Make ``pipe_test_scripts`` a script package, searched before the package's own scripts."""
    monkeypatch.syspath_prepend(str(HERE))
    monkeypatch.setattr(lookup, "SCRIPT_PACKAGES", ("pipe_test_scripts",) + lookup.SCRIPT_PACKAGES)


@pytest.fixture
def fake_vmtk(monkeypatch):
    """An importable package named ``vmtk`` holding one script, as if vmtk were installed."""
    monkeypatch.syspath_prepend(str(HERE / "fake_vmtk"))
    for name in [name for name in sys.modules if name == "vmtk" or name.startswith("vmtk.")]:
        monkeypatch.delitem(sys.modules, name)
    yield
    for name in [name for name in sys.modules if name == "vmtk" or name.startswith("vmtk.")]:
        del sys.modules[name]
