"""Sphinx configuration of the documentation site.

Build it from the project's folder (``pip install -e ".[docs]"`` first)::

    sphinx-build -W --keep-going -b html docs docs/_build/html

The API reference comes from the numpydoc docstrings, the CLI reference from
the scripts' member tables, and the tutorials are the notebooks of
``tutorials/``, executed during the build (their outputs cached in
``docs/_build/.jupyter_cache`` until a notebook's code changes). Generated
pages are written by ``_ext/vmtknumpy_docs.py``.
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))
sys.path.insert(0, str(DOCS.parent))  # the package being documented, before any installed copy

import vmtkscripts_numpy  # noqa: E402

project = "vmtkscripts_numpy"
author = "the vmtkscripts_numpy developers"
copyright = "the vmtkscripts_numpy developers, BSD-3-Clause"
release = version = vmtkscripts_numpy.__version__

extensions = [
    "myst_nb",  # Markdown pages (MyST) and the notebooks
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "vmtknumpy_docs",  # generated pages: CLI and API reference, tutorials
]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", "_templates", "**.ipynb_checkpoints"]

# Markdown: the guides link to each other's sections by their headings.
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

# API: autodoc imports the package; numpydoc renders its docstrings' sections.
autosummary_generate = True
templates_path = ["_templates"]  # a class's page documents its methods
autodoc_typehints = "none"  # the signatures show the hints; numpydoc's Parameters say the rest
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_xref_param_type = False

# Tutorials: executed at build time with their outputs cached until their code changes (set
# VMTKNUMPY_DOCS_EXECUTE=off to render them without outputs, force to run them again). A failing cell fails
# the build. Each notebook writes into its own new temporary folder (tutorial_data's default), made under one
# folder that is removed when the build ends (setup, below).
nb_execution_mode = os.environ.get("VMTKNUMPY_DOCS_EXECUTE", "cache")
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

html_theme = "alabaster"
html_title = f"vmtkscripts_numpy {release}"
html_theme_options = {"description": "VTK surfaces, centerlines, meshes and images as numpy arrays, losslessly"}


def setup(app):
    outputs = tempfile.mkdtemp(prefix="vmtknumpy-docs-")
    os.environ["TMPDIR"] = outputs  # the kernels' temporary folders go there
    os.environ.pop("VMTKNUMPY_TUTORIAL_OUTPUT", None)  # one folder for all would mix the notebooks' files
    app.connect("build-finished", lambda app, exception: shutil.rmtree(outputs, ignore_errors=True))
