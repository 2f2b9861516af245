"""Find script classes by name, in this package and in vmtk's when vmtk is installed.

A name both packages have resolves by one rule: **vmtk's scripts win, except
the numpy scripts**, which are this package's strict supersets of vmtk's. So
with vmtk installed, ``vmtkimagereader`` or ``vmtksurfacewriter`` in a pipe
is vmtk's own reader or writer, and a pipe gives the numbers vmtk's own
runner gives; ``vmtksurfacetonumpy`` or ``vmtknumpywriter`` is this
package's. A name only one package has is that package's script.

A qualified name picks a package explicitly, whatever is installed:
``vmtk.vmtkimagereader`` is vmtk's reader, ``vmtkscripts_numpy.vmtkimagereader``
this package's.

Examples
--------
>>> find_script_class("vmtksurfacetonumpy").__module__
'vmtkscripts_numpy.vmtksurfacetonumpy'
>>> find_script_class("vmtkscripts_numpy.vmtkimagereader").__module__
'vmtkscripts_numpy.vmtkimagereader'
>>> split_script_name("vmtk.vmtkmarchingcubes")
('vmtk', 'vmtkmarchingcubes')
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import inspect
import pkgutil
from types import ModuleType
from typing import List, Optional, Tuple

from .errors import PypeError

#: This package, where its scripts live.
PACKAGE = "vmtkscripts_numpy"
#: vmtk's package, searched when it is installed.
VMTK_PACKAGE = "vmtk"
#: Packages searched for a script module (in the order of :func:`search_order`).
SCRIPT_PACKAGES: Tuple[str, ...] = (PACKAGE, VMTK_PACKAGE)


def is_numpy_script(name: str) -> bool:
    """Whether ``name`` is one of the numpy scripts, where this package's win over vmtk's."""
    return "numpy" in name


def _is_script_class(candidate: object) -> bool:
    # Duck typing, so that vmtk's scripts (subclasses of vmtk's own pypeScript) qualify.
    return inspect.isclass(candidate) and all(
        hasattr(candidate, name) for name in ("ParseArguments", "Execute", "SetInputMembers")
    )


def _script_class_in(module: ModuleType, name: str) -> type:
    classes = [
        value
        for value in vars(module).values()
        if _is_script_class(value) and value.__module__ == module.__name__
    ]
    named = [cls for cls in classes if cls.__name__.lower() == name.lower()]
    if named:
        return named[0]
    if classes:
        return classes[0]
    raise PypeError(f"module {module.__name__} defines no script class")


def _module_exists(qualified_name: str) -> bool:
    try:
        return importlib.util.find_spec(qualified_name) is not None
    except (ImportError, ValueError):
        return False


def split_script_name(word: str) -> Tuple[str, str]:
    """``("vmtk", "vmtkmarchingcubes")`` for ``"vmtk.vmtkmarchingcubes"``; ``("", name)`` for a plain name."""
    package, dot, name = word.rpartition(".")
    if dot and package in SCRIPT_PACKAGES:
        return package, name
    return "", word


def search_order(name: str) -> Tuple[str, ...]:
    """The packages searched for ``name``, first match wins (see the module's rule)."""
    vmtk = tuple(package for package in SCRIPT_PACKAGES if package == VMTK_PACKAGE)
    own = tuple(package for package in SCRIPT_PACKAGES if package != VMTK_PACKAGE)
    return own + vmtk if is_numpy_script(name) else vmtk + own


def find_script_class(name: str, package: Optional[str] = None) -> type:
    """The script class for ``name``, e.g. ``"vmtksurfacereader"`` or ``"vmtk.vmtkcenterlines"``.

    Parameters
    ----------
    name : str
        A script name, optionally qualified by its package (``vmtk.`` or
        ``vmtkscripts_numpy.``).
    package : str, optional
        Look only in this package (as a qualified name does).

    Raises
    ------
    PypeError
        If no package has such a script; the message lists close matches.

    Examples
    --------
    >>> find_script_class("vmtksurfacereader", package="vmtkscripts_numpy").__name__
    'vmtkSurfaceReader'
    """
    qualifier, name = split_script_name(name)
    package = package or qualifier
    if not name.isidentifier():
        raise PypeError(f"{name!r} is not a script name")
    for candidate in (package,) if package else search_order(name):
        qualified = f"{candidate}.{name}"
        if _module_exists(qualified):
            return _script_class_in(importlib.import_module(qualified), name)
    if package and not _module_exists(package):
        raise PypeError(f"unknown script {package}.{name}: {package} is not installed")
    where = f" in {package}" if package else ""
    message = f"unknown script {name!r}{where}"
    close = difflib.get_close_matches(name, available_script_names(package or ""), n=5, cutoff=0.6)
    if close:
        message += "; did you mean " + ", ".join(close) + "?"
    else:
        message += "; run 'vmtknumpy --help' for the list of scripts"
    raise PypeError(message)


def available_script_names(package: str = "") -> List[str]:
    """Names of the script modules of ``package`` (default: every package searched), sorted."""
    packages = (package,) if package else SCRIPT_PACKAGES
    names = set()
    for package_name in packages:
        spec = importlib.util.find_spec(package_name) if _module_exists(package_name) else None
        if spec is None or not spec.submodule_search_locations:
            continue
        for info in pkgutil.iter_modules(spec.submodule_search_locations):
            if info.name.startswith("vmtk") and info.name != "vmtkscripts" and not info.ispkg:
                names.add(info.name)
    return sorted(names)
