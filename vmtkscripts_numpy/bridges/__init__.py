"""Bridges to PyVista, meshio, SimpleITK and nibabel, every point and voxel kept in its physical place.

=====================  ===============================  ================================
library                to it                            from it
=====================  ===============================  ================================
PyVista                :func:`to_pyvista` (shares)      :func:`from_pyvista`
meshio                 :func:`to_meshio`                :func:`from_meshio`
SimpleITK (LPS)        :func:`to_simpleitk`             :func:`from_simpleitk`
nibabel (RAS affine)   :func:`to_nibabel`               :func:`from_nibabel`
=====================  ===============================  ================================

plus :func:`cells_by_type` and :func:`cell_blocks` (cells grouped by VTK type).
The libraries are optional: each is imported when its bridge is first used,
and a missing one raises an ImportError naming the extra to install,
``pip install 'vmtkscripts_numpy[bridges]'``. For image placement as 4x4
matrices see :mod:`vmtkscripts_numpy.placement`.
"""

from .cells import CellBlock, cell_blocks, cells_by_type
from .meshio import from_meshio, to_meshio
from .nibabel import from_nibabel, to_nibabel
from .pyvista import from_pyvista, to_pyvista
from .simpleitk import from_simpleitk, to_simpleitk

__all__ = [
    "CellBlock",
    "cell_blocks",
    "cells_by_type",
    "from_meshio",
    "from_nibabel",
    "from_pyvista",
    "from_simpleitk",
    "to_meshio",
    "to_nibabel",
    "to_pyvista",
    "to_simpleitk",
]
