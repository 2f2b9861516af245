"""vmtkscripts_numpy: VTK surfaces, centerlines, meshes and images as nested dicts of numpy arrays.

The package has three layers:

- :mod:`vmtkscripts_numpy.pypes`, an engine that speaks vmtk's PypeS protocol,
  so the scripts run in pipes with or without vmtk installed;
- the scripts themselves (``vmtkscripts_numpy.vmtksurfacetonumpy`` and friends,
  all listed in :mod:`vmtkscripts_numpy.vmtkscripts`);
- plain functions under them, for use from Python.

Importing the package is cheap: VTK is loaded only when a conversion runs.
"""

__version__ = "0.1.0"
