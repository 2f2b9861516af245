"""VTK files: surfaces (vtkPolyData), images (vtkImageData) and meshes (vtkUnstructuredGrid).

One module per data kind, each with a reader and a writer function and a table
of its formats (see :mod:`~vmtkscripts_numpy.vtkfiles.formats`):

- :func:`read_surface` / :func:`write_surface`: ``.vtp``, ``.vtk``, ``.stl``, ``.ply``, ``.obj`` (read), ``.vtkhdf``;
- :func:`read_image` / :func:`write_image`: ``.vti``, ``.vtk``, ``.mha``/``.mhd``, ``.nrrd`` (read),
  ``.nii``/``.nii.gz``, ``.vtkhdf``; voxels stay in place (LPS coordinates) through every format that
  has a direction matrix;
- :func:`read_mesh` / :func:`write_mesh`: ``.vtu``, ``.vtk``, ``.vtkhdf``.

Bad files raise :class:`~vmtkscripts_numpy.errors.DataFileError` naming the file; what a format cannot
keep is named in a :class:`~vmtkscripts_numpy.errors.LossWarning`. Writes are atomic.

Examples
--------
>>> from vmtkscripts_numpy.vtkfiles import read_surface, write_surface
>>> surface = read_surface("aorta.vtp")  # doctest: +SKIP
>>> write_surface(surface, "aorta.vtkhdf")  # doctest: +SKIP
"""

from .image import IMAGE_FORMATS, read_image, write_image
from .mesh import MESH_FORMATS, read_mesh, write_mesh
from .surface import SURFACE_FORMATS, read_surface, write_surface

__all__ = [
    "read_surface",
    "write_surface",
    "read_image",
    "write_image",
    "read_mesh",
    "write_mesh",
    "SURFACE_FORMATS",
    "IMAGE_FORMATS",
    "MESH_FORMATS",
]
