"""Find script classes by name: this package first, then vmtk's when vmtk is installed."""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import inspect
import pkgutil
from types import ModuleType
from typing import List, Tuple

from .errors import PypeError

#: Packages searched for a script module, in order. ``vmtk`` is used only when installed.
SCRIPT_PACKAGES: Tuple[str, ...] = ("vmtkscripts_numpy", "vmtk")


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


def find_script_class(name: str) -> type:
    """The script class for ``name``, e.g. ``"vmtksurfacereader"``.

    Looks for ``vmtkscripts_numpy.<name>``, then ``vmtk.<name>``.

    Raises
    ------
    PypeError
        If no package has such a script; the message lists close matches.

    Examples
    --------
    >>> find_script_class("vmtksurfacereader").__name__
    'vmtkSurfaceReader'
    """
    if not name.isidentifier():
        raise PypeError(f"{name!r} is not a script name")
    for package in SCRIPT_PACKAGES:
        qualified = f"{package}.{name}"
        if _module_exists(qualified):
            return _script_class_in(importlib.import_module(qualified), name)
    message = f"unknown script {name!r}"
    close = difflib.get_close_matches(name, available_script_names(), n=5, cutoff=0.6)
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
