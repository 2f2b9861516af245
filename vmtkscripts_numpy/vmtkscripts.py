"""Every script class of the package, as ``vmtk.vmtkscripts`` offers vmtk's.

Examples
--------
>>> from vmtkscripts_numpy import vmtkscripts
>>> reader = vmtkscripts.vmtkSurfaceReader()
>>> reader.InputFileName = "aorta.vtp"  # doctest: +SKIP
>>> reader.Execute()  # doctest: +SKIP
"""

import importlib as _importlib

from .pypes.lookup import available_script_names as _available_script_names
from .pypes.lookup import find_script_class as _find_script_class

#: The script modules of the package, e.g. ``"vmtksurfacetonumpy"``.
SCRIPT_NAMES = _available_script_names("vmtkscripts_numpy")

__all__ = []
for _name in SCRIPT_NAMES:
    # Script modules import VTK lazily, so importing all of them stays cheap.
    # The package's own class, also where vmtk is installed and a pipe would take vmtk's of that name.
    _class = _find_script_class(_name, package="vmtkscripts_numpy")
    globals()[_class.__name__] = _class
    globals()[_name] = _importlib.import_module(f"{__package__}.{_name}")
    __all__.append(_class.__name__)
del _name, _class
