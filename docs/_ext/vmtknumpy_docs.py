"""Pages of the documentation site generated from the package at build time.

- the CLI reference (``cli.md``), from each script's member table, for every
  script ``vmtknumpy`` knows from this package;
- the API reference (``api.md`` and one page per subpackage), from the
  package's ``__all__``;
- the tutorials (``tutorials/*.ipynb``), copies of the project's notebooks with
  their links to ``docs/`` made relative to the site;
- the getting-started page's links: the README is included as it is, and its
  links to ``docs/``, ``tutorials/`` and the project's files are made relative
  to the site.

Generated files are written only when their text changes (so Sphinx does not
read them again) and are ignored by git.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any, Dict, List, Optional

DOCS = Path(__file__).resolve().parents[1]
PROJECT = DOCS.parent
TUTORIALS = PROJECT / "tutorials"
PACKAGE = "vmtkscripts_numpy"

#: Subpackages and modules with a page of their own in the API reference, with their title.
API_MODULES = {
    "convert": "Conversions: VTK objects and ArrayDicts",  # and its modules, CONVERT_MODULES
    "vtkfiles": "VTK files",
    "storage": "ArrayDict files",
    "formats": "The format registry",
    "placement": "Image placement",
    "slices": "Slices",
    "maps": "Flat maps",
    "timeseries": "Time series",
    "bridges": "Bridges: PyVista, meshio, SimpleITK, nibabel",
    "cohort": "Cohorts",
    "sample_data": "Sample data",
    "memory": "Shared memory",
    "progress": "Progress of long reads and writes",
    "errors": "Errors and warnings",
    "pypes": "The PypeS engine",
}
#: The modules of ``convert`` (a package without names of its own), in the order its page shows them.
CONVERT_MODULES = ("polydata", "mesh", "image", "timeseries", "layout", "arrays", "cells", "validate")
#: Members every script has (pypeScript's); listed once, not in every table.
COMMON_OPTIONS = ("id", "handle", "disabled")


def write_if_changed(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def markdown_text(text: str) -> str:
    """``text`` shown as it is in Markdown (no emphasis, links or table breaks)."""
    return re.sub(r"([\\`*_\[\]<>|#{}$])", r"\\\1", " ".join(str(text).split()))


# CLI reference ------------------------------------------------------------------------------------------------
def _value(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(str(item) for item in value)
    return str(value)


def _option_row(script: Any, member: Any, role: str) -> List[str]:
    length = member.MemberLength
    count = {0: "flag", 1: "", -1: "any number"}.get(length, f"{length} values")
    kind = member.MemberType + (f", {count}" if count else "")
    doc = member.MemberDoc
    allowed = member.GetRangeRepresentation()
    if allowed:
        doc += f" ({allowed})"
    default = _value(getattr(script, member.MemberName, None)) if member.IsBuiltinType() else ""
    return [
        f"`-{member.OptionName}`",
        f"`{member.MemberName}`",
        markdown_text(kind),
        f"`{default}`" if default else "",
        role,
        markdown_text(doc),
    ]


def _list_table(header: List[str], rows: List[List[str]], widths: str) -> List[str]:
    lines = ["```{list-table}", ":header-rows: 1", f":widths: {widths}", ""]
    for row in [header] + rows:
        lines.append(f"* - {row[0]}")
        lines += [f"  - {cell}" for cell in row[1:]]
    return lines + ["```", ""]


def cli_reference() -> str:
    """The CLI reference page: every script of the package with its options, from its member table."""
    from vmtkscripts_numpy.pypes.cli import runner_help
    from vmtkscripts_numpy.pypes.lookup import available_script_names, find_script_class

    names = available_script_names(PACKAGE)
    scripts = {name: find_script_class(name, package=PACKAGE)() for name in names}
    lines = [
        "# Command-line reference",
        "",
        "Every script runs as `vmtknumpy NAME [-option value ...]` and as a step of a pipe",
        "(`vmtknumpy NAME ... --pipe OTHER ...`); `vmtknumpy NAME --help` prints the same table.",
        "This page is generated from the scripts' member tables when the documentation is built.",
        "",
        "```text",
        runner_help().splitlines()[0],
        "```",
        "",
        "An option of an object member (`-i` of a surface, say) is given by piping",
        "(`-i @vmtksurfacereader.o`, or automatically from the previous script of the pipe); its",
        "`-ifile` / `-ofile` option reads or writes it with the script named in its description.",
        "Every script also has the options " + ", ".join(f"`-{option}`" for option in COMMON_OPTIONS) + ":",
        "",
    ]
    first = scripts[names[0]]
    common = [member for member in first.InputMembers if member.OptionName in COMMON_OPTIONS]
    lines += _list_table(["Option", "Member", "Type", "Default", "In/out", "Description"],
                         [_option_row(first, member, "in") for member in common], "12 12 14 8 6 48")
    lines += ["| Script | What it does |", "| --- | --- |"]
    lines += [f"| [{name}](#{name}) | {markdown_text(scripts[name].ScriptDoc.strip().splitlines()[0])} |"
              for name in names]
    lines.append("")
    for name in names:
        script = scripts[name]
        rows = [_option_row(script, member, "in") for member in script.InputMembers
                if member.OptionName and member.OptionName not in COMMON_OPTIONS]
        rows += [_option_row(script, member, "out") for member in script.OutputMembers
                 if member.OptionName and member.OptionName not in COMMON_OPTIONS]
        lines += [
            f"({name})=",
            f"## {name}",
            "",
            markdown_text(script.ScriptDoc),
            "",
            f"Python: `vmtkscripts_numpy.vmtkscripts.{type(script).__name__}`.",
            "",
        ]
        lines += _list_table(["Option", "Member", "Type", "Default", "In/out", "Description"], rows, "12 12 14 8 6 48")
    return "\n".join(lines)


# API reference ------------------------------------------------------------------------------------------------
def api_reference() -> Dict[str, str]:
    """The API pages, by file name: the top-level functions, and a page per subpackage."""
    package = importlib.import_module(PACKAGE)
    pages = {}
    index = [
        "API reference",
        "=============",
        "",
        ".. currentmodule:: vmtkscripts_numpy",
        "",
        "The functions most code needs are importable from the package itself",
        "(``import vmtkscripts_numpy as vn``; ``vn.polydata_to_dict(...)``), grouped here by the module",
        "that defines them. The subpackages and modules below have more.",
        "",
    ]
    for module, names in package._LAZY_FUNCTIONS.items():
        defining = importlib.import_module(f"{PACKAGE}.{module}")
        title = (defining.__doc__ or module).strip().splitlines()[0].rstrip(".")
        index += [title, "-" * len(title), "", ".. autosummary::", "   :toctree: generated", ""]
        index += [f"   {name}" for name in names] + [""]
    index += ["Subpackages and modules", "-----------------------", "", ".. toctree::", "   :maxdepth: 1", ""]
    index += [f"   {module}" for module in API_MODULES] + [""]
    pages["api/index.rst"] = "\n".join(index)
    # A class has one canonical name, so it is documented once: on its page above, not again here.
    classes = ", ".join(name for name in package.__all__ if isinstance(getattr(package, name), type))
    for module, title in API_MODULES.items():
        heading = f"``{module}``: {title}"
        lines = [heading, "=" * len(heading), ""]
        modules = [module] + ([f"convert.{name}" for name in CONVERT_MODULES] if module == "convert" else [])
        for name in modules:
            if name != module:
                lines += [f"``{name}``", "-" * (len(name) + 4), ""]
            lines += [f".. automodule:: {PACKAGE}.{name}", "   :members:", f"   :exclude-members: {classes}", ""]
        pages[f"api/{module}.rst"] = "\n".join(lines)
    return pages


# Tutorials and links ------------------------------------------------------------------------------------------
def tutorial_copies() -> Dict[str, str]:
    """The tutorials as the site shows them: ``../docs/x.md`` links become ``../x.md``."""
    return {
        f"tutorials/{path.name}": path.read_text(encoding="utf-8").replace("](../docs/", "](../")
        for path in sorted(TUTORIALS.glob("*.ipynb"))
    }


_LINK = re.compile(r"\]\((?![a-z]+:|#)([^)\s]+)\)")


def site_link(target: str) -> str:
    """A link of the README (relative to the project) as the site's getting-started page needs it."""
    if target.startswith("docs/"):
        return target[len("docs/"):]
    if target.rstrip("/") == "tutorials":
        return "tutorials.md"
    if target.startswith("tutorials/"):
        return target
    return "path:../" + target  # a file of the project (the LICENSE): downloaded from the site


def fix_readme_links(app: Any, relative_path: Path, parent_docname: str, content: List[str]) -> None:
    if Path(relative_path).name == "README.md":
        content[0] = _LINK.sub(lambda match: f"]({site_link(match.group(1))})", content[0])


def skip_vtk_classes(app: Any, what: str, name: str, obj: Any, skip: bool, options: Any) -> Optional[bool]:
    """VTK's classes imported by a module are VTK's to document, not the package's."""
    return True if str(getattr(obj, "__module__", "")).startswith("vtkmodules.") else None


def generate(app: Any, config: Any) -> None:
    pages = {"cli.md": cli_reference(), **api_reference(), **tutorial_copies()}
    for name, text in pages.items():
        write_if_changed(DOCS / name, text)


def setup(app: Any) -> Dict[str, Any]:
    # Before autosummary writes its stubs (at builder-inited) for the API pages written here.
    app.connect("config-inited", generate)
    app.connect("include-read", fix_readme_links)
    app.connect("autodoc-skip-member", skip_vtk_classes)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
