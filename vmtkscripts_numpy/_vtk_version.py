"""The VTK the package runs on, and one way to say what an older VTK cannot do.

The package supports VTK 9.1 and newer (``setup.py`` declares the same, and CI
tests the oldest and the newest). Where a VTK of that range lacks something
(VTKHDF surfaces before 9.3, say), the package refuses with one message that
names the VTK needed, rather than letting VTK fail, crash or drop data.

Examples
--------
>>> vtk_at_least(9, 1)
True
>>> needs_vtk((99, 0), "writing holograms")
'writing holograms needs VTK >= 99.0; this is VTK ...'
"""

from __future__ import annotations

from typing import Optional, Tuple

from vtkmodules.vtkCommonCore import vtkVersion

#: The running VTK as ``(major, minor, build)``.
VTK_VERSION: Tuple[int, int, int] = (
    vtkVersion.GetVTKMajorVersion(),
    vtkVersion.GetVTKMinorVersion(),
    vtkVersion.GetVTKBuildVersion(),
)

#: The oldest VTK the package supports and tests, as ``(major, minor)``.
OLDEST_SUPPORTED_VTK: Tuple[int, int] = (9, 1)


def vtk_at_least(major: int, minor: int) -> bool:
    """Whether the running VTK is ``major.minor`` or newer."""
    return VTK_VERSION[:2] >= (major, minor)


def needs_vtk(version: Tuple[int, int], what: str) -> Optional[str]:
    """``"<what> needs VTK >= x.y; this is VTK a.b.c"`` when the running VTK is older than ``version``, else None.

    Callers raise the message with their own exception type (a
    :class:`~vmtkscripts_numpy.errors.DataFileError` naming the file, an
    :class:`~vmtkscripts_numpy.errors.ArrayDictError` naming the key).
    """
    if VTK_VERSION[:2] >= tuple(version):
        return None
    return f"{what} needs VTK >= {version[0]}.{version[1]}; this is VTK {vtkVersion.GetVTKVersion()}"
