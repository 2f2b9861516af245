"""The file formats vmtk's reader and writer scripts name, and which of them this package reads and writes.

vmtk's ``vmtksurfacereader``, ``vmtkmeshwriter`` and friends choose a format
from ``-f`` or from the extension with tables of their own. The package's
scripts accept every name in those tables, so vmtk command lines parse; a
format only vmtk reads or writes (Tecplot, Fluent, FIDAP ...) is refused with
one message naming vmtk's script, which a ``vmtknumpy`` pipe runs when vmtk is
installed.

Examples
--------
>>> vmtk_format("surface", "writer", "", "wall.dat")
'pointdata'
>>> vmtk_format("mesh", "reader", "", "case.vtu")
'vtkxml'
"""

from __future__ import annotations

from typing import Dict, Tuple

from ..errors import DataFileError

#: vmtk's extension tables (without the dot), by data kind and role; extensions of formats vmtk
#: lacks are this package's additions.
EXTENSIONS: Dict[Tuple[str, str], Dict[str, str]] = {
    ("surface", "reader"): {
        "vtp": "vtkxml", "vtkxml": "vtkxml", "vtk": "vtk", "stl": "stl", "ply": "ply", "tec": "tecplot",
        "dat": "tecplot", "obj": "wavefront", "vtm": "vtm", "vtkhdf": "vtkhdf", "hdf": "vtkhdf",
    },
    ("surface", "writer"): {
        "vtp": "vtkxml", "vtkxml": "vtkxml", "vtk": "vtk", "stl": "stl", "ply": "ply", "tec": "tecplot",
        "dat": "pointdata", "obj": "wavefront", "vtm": "vtm", "vtkhdf": "vtkhdf", "hdf": "vtkhdf",
    },
    ("mesh", "reader"): {
        "vtu": "vtkxml", "vtkxml": "vtkxml", "pvtu": "vtkxmlp", "vtk": "vtk", "FDNEUT": "fdneut", "xda": "xda",
        "neu": "ngneut", "gneu": "gambit", "tec": "tecplot", "node": "tetgen", "ele": "tetgen", "mesh": "lifev",
        "vtkhdf": "vtkhdf", "hdf": "vtkhdf",
    },
    ("mesh", "writer"): {
        "vtu": "vtkxml", "vtkxml": "vtkxml", "vtk": "vtk", "xda": "xda", "FDNEUT": "fdneut", "mesh": "lifev",
        "xml": "dolfin", "msh": "fluent", "tec": "tecplot", "node": "tetgen", "ele": "tetgen", "dat": "pointdata",
        "dealii": "dealii", "lifex": "lifex", "vtkhdf": "vtkhdf", "hdf": "vtkhdf",
    },
}

#: What the package itself reads or writes of each table.
SUPPORTED: Dict[Tuple[str, str], Tuple[str, ...]] = {
    ("surface", "reader"): ("vtkxml", "vtk", "stl", "ply", "wavefront", "vtkhdf"),
    ("surface", "writer"): ("vtkxml", "vtk", "stl", "ply", "pointdata", "vtkhdf"),
    ("mesh", "reader"): ("vtkxml", "vtk", "vtkhdf"),
    ("mesh", "writer"): ("vtkxml", "vtk", "pointdata", "vtkhdf"),
}


def format_range(kind: str, role: str) -> str:
    """The ``-f`` range of a script: every format vmtk names and the package's own, as a member range."""
    names = dict.fromkeys(list(EXTENSIONS[kind, role].values()) + list(SUPPORTED[kind, role]))
    return "[" + ",".join(f'"{name}"' for name in names) + "]"


def vmtk_format(kind: str, role: str, format_name: str, file_name: str) -> str:
    """The format a vmtk script uses: ``format_name`` if given, else the one of ``file_name``'s extension."""
    if format_name:
        return format_name
    extension = file_name.rpartition(".")[2] if "." in file_name else ""
    return EXTENSIONS[kind, role].get(extension, "")


def check_supported(kind: str, role: str, format_name: str, file_name: str) -> None:
    """Raise :class:`DataFileError` for a format only vmtk's script handles, naming that script.

    An empty or unknown format is left to the package's own readers and
    writers, which choose by extension and say what they know.
    """
    vmtk_names = set(EXTENSIONS[kind, role].values())
    if format_name in vmtk_names and format_name not in SUPPORTED[kind, role]:
        script = f"vmtk{kind}{role}"
        verb = "read" if role == "reader" else "written"
        raise DataFileError(
            file_name,
            f"format {format_name!r} is {verb} by vmtk's own {script} (vmtk.{script} in a vmtknumpy pipe, "
            f"with vmtk installed), not by this package; this package handles {', '.join(SUPPORTED[kind, role])}",
        )
