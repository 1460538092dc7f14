"""Lazy re-exports for a package's ``__init__``: names are imported on first use.

``import backkit`` then stays fast: pandas, matplotlib and ipywidgets load only
when a name that needs them is first used (PEP 562 module ``__getattr__``).

Examples
--------
>>> from backkit._lazy import lazy_exports
>>> getattr_, dir_ = lazy_exports("backkit", {"get_exercise": "exercises"}, {"safety"})
>>> getattr_("get_exercise")("bridge").name, "safety" in dir_()
('Bridge', True)
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str], submodules: Iterable[str] = ()
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return a module ``__getattr__`` and ``__dir__`` for ``package``.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    exports : mapping
        Public name -> the submodule (relative to ``package``) that defines it.
    submodules : iterable of str
        Submodules reachable as attributes (``backkit.safety``).
    """
    submodules = set(submodules)

    def __getattr__(name: str) -> Any:
        if name in exports:
            value = getattr(importlib.import_module(f".{exports[name]}", package), name)
            # cache it on the package: later lookups skip __getattr__
            setattr(sys.modules[package], name, value)
            return value
        if name in submodules:
            return importlib.import_module(f".{name}", package)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*exports, *submodules})

    return __getattr__, __dir__
