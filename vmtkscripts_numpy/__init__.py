"""vmtkscripts_numpy: VTK surfaces, centerlines, meshes and images as nested dicts of numpy arrays.

The package has three layers:

- :mod:`vmtkscripts_numpy.pypes`, an engine that speaks vmtk's PypeS protocol,
  so the scripts run in pipes with or without vmtk installed;
- the scripts themselves (``vmtkscripts_numpy.vmtksurfacetonumpy`` and friends,
  all listed in :mod:`vmtkscripts_numpy.vmtkscripts`);
- plain functions under them, for use from Python, importable from here.

Importing the package is cheap: VTK, numpy and h5py are loaded only when one of
the functions below is first used.

Examples
--------
>>> import vmtkscripts_numpy as vn
>>> surface = vn.read_surface("aorta.vtp")  # doctest: +SKIP
>>> arrays = vn.polydata_to_dict(surface)  # doctest: +SKIP
>>> vn.write_array_dict(arrays, "aorta.h5")  # doctest: +SKIP
"""

from ._lazy import lazy_names as _lazy_names

__version__ = "0.1.0"

#: Public functions, by the module that defines them (imported on first use).
_LAZY_FUNCTIONS = {
    "convert.polydata": ["polydata_to_dict", "dict_to_polydata", "centerlines_to_dict", "dict_to_centerlines"],
    "convert.mesh": ["mesh_to_dict", "dict_to_mesh"],
    "convert.image": ["image_to_dict", "dict_to_image", "image_from_array", "dict_from_array"],
    "vtkfiles": ["read_surface", "write_surface", "read_image", "write_image", "read_mesh", "write_mesh"],
    "storage": ["read_array_dict", "write_array_dict"],
    "sample_data": ["write_sample_data"],
    "timeseries": ["time_series_dict", "time_step", "write_pvd_series", "read_pvd_series", "stack_time_steps",
                   "write_vtkhdf_series", "read_vtkhdf_series", "read_vtkhdf_step", "VTKHDFSeriesWriter",
                   "write_time_series", "read_time_series", "read_step_files"],
    "slices": ["extract_slice"],
    "vtkfiles._dicom_writer": ["write_dicom"],
    "maps": ["vessel_coordinates", "vessel_map", "vessel_map_to_surface", "spherical_map"],
    "memory": ["modified"],
    "placement": ["index_to_physical", "physical_to_index"],
    "bridges": [
        "to_pyvista", "from_pyvista", "to_meshio", "from_meshio", "cells_by_type",
        "to_simpleitk", "from_simpleitk", "to_nibabel", "from_nibabel",
    ],
}

__all__ = sorted(name for names in _LAZY_FUNCTIONS.values() for name in names)


__getattr__, __dir__ = _lazy_names(__name__, _LAZY_FUNCTIONS, globals())
