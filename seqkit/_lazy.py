"""Lazy public names for a package: ``import seqkit`` stays cheap until a name is used.

Example:

>>> from seqkit._lazy import lazy_module_attributes
>>> getattr_, dir_ = lazy_module_attributes("demo", {"sqrt": "math"}, globals())
>>> getattr_("sqrt")(9.0)
3.0
>>> getattr_("cbrt")
Traceback (most recent call last):
...
AttributeError: module 'demo' has no attribute 'cbrt'
"""

from __future__ import annotations

import importlib


def lazy_module_attributes(package: str, public: dict[str, str], namespace: dict):
    """A module-level ``__getattr__`` and ``__dir__`` (PEP 562) for ``public`` names.

    Args:
        package: the package's name, for the error message.
        public: ``{name: module that defines it}``.
        namespace: the package's ``globals()``; a name is cached there on first use.

    Returns:
        ``(__getattr__, __dir__)`` to assign in the package.
    """

    def __getattr__(name):
        module = public.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__():
        return sorted(list(namespace) + list(public))

    return __getattr__, __dir__
