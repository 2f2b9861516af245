"""A package's public names, each imported from its module on first use (PEP 562).

The package and its subpackages use it so that importing them (a script's
``--help``, say) loads neither numpy, h5py nor VTK until a name needs them.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, Callable, Dict, List, Mapping, Sequence, Tuple


def lazy_names(
    package: str, names_by_module: Mapping[str, Sequence[str]], namespace: Dict[str, Any]
) -> Tuple[Callable[[str], Any], Callable[[], List[str]]]:
    """``(__getattr__, __dir__)`` for ``package``: each name of ``names_by_module`` comes from its module.

    A name is imported from ``package.<module>`` the first time it is asked
    for and kept in ``namespace`` (the package's globals), so that it is
    looked up once.

    Examples
    --------
    >>> getattr_, dir_ = lazy_names("json", {"decoder": ["JSONDecodeError"]}, {})
    >>> getattr_("JSONDecodeError").__name__, dir_()
    ('JSONDecodeError', ['JSONDecodeError'])
    """
    module_of = {name: module for module, names in names_by_module.items() for name in names}

    def __getattr__(name: str) -> Any:
        module = module_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    def __dir__() -> List[str]:
        return sorted(set(namespace) | set(module_of))

    return __getattr__, __dir__
