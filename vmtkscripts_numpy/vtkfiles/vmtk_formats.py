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

from .. import formats
from ..errors import DataFileError

#: vmtk's own extension tables (without the dot), by data kind and role.
VMTK_EXTENSIONS: Dict[Tuple[str, str], Dict[str, str]] = {
    ("surface", "reader"): {
        "vtp": "vtkxml", "vtkxml": "vtkxml", "vtk": "vtk", "stl": "stl", "ply": "ply", "tec": "tecplot",
        "dat": "tecplot", "obj": "wavefront", "vtm": "vtm",
    },
    ("surface", "writer"): {
        "vtp": "vtkxml", "vtkxml": "vtkxml", "vtk": "vtk", "stl": "stl", "ply": "ply", "tec": "tecplot",
        "dat": "pointdata", "obj": "wavefront", "vtm": "vtm",
    },
    ("mesh", "reader"): {
        "vtu": "vtkxml", "vtkxml": "vtkxml", "pvtu": "vtkxmlp", "vtk": "vtk", "FDNEUT": "fdneut", "xda": "xda",
        "neu": "ngneut", "gneu": "gambit", "tec": "tecplot", "node": "tetgen", "ele": "tetgen", "mesh": "lifev",
    },
    ("mesh", "writer"): {
        "vtu": "vtkxml", "vtkxml": "vtkxml", "vtk": "vtk", "xda": "xda", "FDNEUT": "fdneut", "mesh": "lifev",
        "xml": "dolfin", "msh": "fluent", "tec": "tecplot", "node": "tetgen", "ele": "tetgen", "dat": "pointdata",
        "dealii": "dealii", "lifex": "lifex",
    },
}

#: What the scripts write beside the registry's formats: vmtk's point data text files.
SCRIPT_FORMATS: Dict[Tuple[str, str], Tuple[str, ...]] = {("surface", "writer"): ("pointdata",),
                                                          ("mesh", "writer"): ("pointdata",)}


#: vmtk's image formats, by role: read or written by the image scripts beside the registry's image formats.
VMTK_IMAGE_FORMATS: Dict[str, Tuple[str, ...]] = {
    "reader": ("vtkxml", "vtk", "dicom", "raw", "meta", "tiff", "png"),
    "writer": ("vtkxml", "vtk", "meta", "tiff", "png", "pointdata", "vtsxml"),
}


def _operation(role: str) -> str:
    return "read" if role == "reader" else "write"


def extensions(kind: str, role: str) -> Dict[str, str]:
    """vmtk's extension table of a script, plus the extensions of the registry's formats vmtk lacks."""
    table = dict(VMTK_EXTENSIONS[kind, role])
    for entry in formats.formats(kind):
        if entry.can(_operation(role)):
            for extension in entry.extensions:
                table.setdefault(extension[1:], entry.name)
    return table


def supported(kind: str, role: str) -> Tuple[str, ...]:
    """The formats the package itself reads or writes: the registry's, and the scripts' own."""
    return tuple(formats.names(kind, _operation(role))) + SCRIPT_FORMATS.get((kind, role), ())


def format_range(kind: str, role: str) -> str:
    """The ``-f`` range of a script: every format vmtk names and the package's own, as a member range."""
    if kind == "image":
        return formats.format_range("image", _operation(role), extra=VMTK_IMAGE_FORMATS[role])
    names = dict.fromkeys(list(extensions(kind, role).values()) + list(supported(kind, role)))
    return "[" + ",".join(f'"{name}"' for name in names) + "]"


def vmtk_format(kind: str, role: str, format_name: str, file_name: str) -> str:
    """The format a vmtk script uses: ``format_name`` if given, else the one of ``file_name``'s extension."""
    if format_name:
        return format_name
    extension = file_name.rpartition(".")[2] if "." in file_name else ""
    return extensions(kind, role).get(extension, "")


def check_supported(kind: str, role: str, format_name: str, file_name: str) -> None:
    """Raise :class:`DataFileError` for a format only vmtk's script handles, naming that script.

    An empty or unknown format is left to the package's own readers and
    writers, which choose by extension and say what they know.
    """
    vmtk_names = set(VMTK_EXTENSIONS[kind, role].values())
    if format_name in vmtk_names and format_name not in supported(kind, role):
        script = f"vmtk{kind}{role}"
        verb = "read" if role == "reader" else "written"
        raise DataFileError(
            file_name,
            f"format {format_name!r} is {verb} by vmtk's own {script} (vmtk.{script} in a vmtknumpy pipe, "
            f"with vmtk installed), not by this package; this package handles {', '.join(supported(kind, role))}",
        )
