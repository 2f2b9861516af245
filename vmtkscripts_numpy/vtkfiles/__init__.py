"""VTK files: surfaces (vtkPolyData), images (vtkImageData) and meshes (vtkUnstructuredGrid).

One module per data kind, each with a reader and a writer function and a table
of its formats (a view of the package's one registry, :mod:`vmtkscripts_numpy.formats`);
each format is one module of :mod:`.formats`:

- :func:`read_surface` / :func:`write_surface`: ``.vtp``, ``.vtk``, ``.stl``, ``.ply``, ``.obj`` (read), ``.vtkhdf``;
- :func:`read_image` / :func:`write_image`: ``.vti``, ``.vtk``, ``.mha``/``.mhd``, ``.nrrd`` (read),
  ``.nii``/``.nii.gz``, ``.vtkhdf``; voxels stay in place, in the patient frame asked for (RAS by
  default, as vmtk; or LPS), through every format that has a direction matrix;
- :func:`read_mesh` / :func:`write_mesh`: ``.vtu``, ``.vtk``, ``.vtkhdf``.

Bad files raise :class:`~vmtkscripts_numpy.errors.DataFileError` naming the file; what a format cannot
keep is named in a :class:`~vmtkscripts_numpy.errors.LossWarning`. Writes are atomic.

Examples
--------
>>> from vmtkscripts_numpy.vtkfiles import read_surface, write_surface
>>> surface = read_surface("aorta.vtp")  # doctest: +SKIP
>>> write_surface(surface, "aorta.vtkhdf")  # doctest: +SKIP
"""

from .._lazy import lazy_names as _lazy_names

#: Public names, by the module that defines them. They are imported on first use, so that
#: a script's ``--help`` (which imports this package's lighter modules) loads no VTK.
_LAZY = {
    "_common": ["capture_vtk_messages"],
    "image": ["read_image", "write_image", "IMAGE_FORMATS"],
    "mesh": ["read_mesh", "write_mesh", "MESH_FORMATS"],
    "surface": ["read_surface", "write_surface", "SURFACE_FORMATS"],
}
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
    "capture_vtk_messages",
]


__getattr__, __dir__ = _lazy_names(__name__, _LAZY, globals())
