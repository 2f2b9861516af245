"""The documentation site's generated pages cover the package, and its configuration loads.

The site itself is built in CI (``.ci/run``, warnings as errors); these checks are the cheap part of it.
"""

import importlib
import importlib.util
from pathlib import Path

import pytest

import vmtkscripts_numpy
from vmtkscripts_numpy.pypes.lookup import available_script_names

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _generator():
    spec = importlib.util.spec_from_file_location("vmtknumpy_docs", DOCS / "_ext" / "vmtknumpy_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_cli_reference_has_every_script_with_the_options_of_its_member_table():
    text = _generator().cli_reference()

    names = available_script_names("vmtkscripts_numpy")
    assert "vmtksurfacetonumpy" in names and all(f"\n## {name}\n" in text for name in names)
    section = text.split("\n## vmtksurfacetonumpy\n")[1].split("\n## ")[0]
    for option, member in [("-i", "Surface"), ("-ifile", "SurfaceInputFileName"), ("-copy", "Copy"),
                           ("-ofile", "ArrayDictOutputFileName"), ("-o", "ArrayDict")]:
        assert f"* - `{option}`\n  - `{member}`\n" in section
    assert "`-id`" not in section  # every script's own options are listed once, at the top


def test_the_api_reference_has_every_public_function_and_subpackage():
    pages = _generator().api_reference()

    listed = {line.strip() for line in pages["api/index.rst"].splitlines() if line.startswith("   ")}
    assert set(vmtkscripts_numpy.__all__) <= listed
    assert {"api/storage.rst", "api/vtkfiles.rst", "api/bridges.rst", "api/pypes.rst"} <= set(pages)


def test_the_tutorial_pages_link_to_the_guides_of_the_site():
    copies = _generator().tutorial_copies()

    assert len(copies) == 5
    assert all("](../docs/" not in text for text in copies.values())
    assert "](../arraydict-layout.md)" in copies["tutorials/01-working-with-numpy-arrays.ipynb"]


def test_the_configuration_loads_with_its_extensions():
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_nb")
    pytest.importorskip("numpydoc")
    from sphinx.config import Config
    from sphinx.util.tags import Tags

    config = Config.read(DOCS, overrides={}, tags=Tags())

    for extension in config.extensions:
        importlib.import_module(extension)
    assert config.root_doc == "index" and (DOCS / "index.md").is_file()
