"""A PypeS-compatible pipe engine: vmtk's script protocol without vmtk.

Scripts subclass :class:`pypeScript` and declare their members in a table;
:class:`Pype` chains them with ``--pipe``; :func:`PypeRun` runs a pipe from
Python. Script names resolve to ``vmtkscripts_numpy.<name>`` first and then to
``vmtk.<name>`` when vmtk is installed, so pipes can mix both.

This subpackage imports no VTK, so that starting a command stays quick.

Examples
--------
>>> from vmtkscripts_numpy import pypes
>>> pipe = pypes.PypeRun("vmtknumpysampledata -d data --pipe vmtksurfacetonumpy")  # doctest: +SKIP
"""

from .cli import pypeMain
from .errors import PypeError
from .lookup import available_script_names, find_script_class
from .member import pypeMember
from .pype import Pype, PypeRun
from .script import pypeScript

__all__ = [
    "Pype",
    "PypeError",
    "PypeRun",
    "available_script_names",
    "find_script_class",
    "pypeMain",
    "pypeMember",
    "pypeScript",
]
