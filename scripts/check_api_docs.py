"""Fail on an undocumented public name of the Python API (run by ``make apidocs``).

The API is ``kg.__all__`` and every module those names come from (``kg._LAZY``, :mod:`kg.errors`),
plus :mod:`kg.store.rdflib_view`, :mod:`kg.store.results` and :mod:`kg.store.terms`, which
``Graph.rdflib()``, ``Graph.frame()`` and the bindings stand on. In each module, a public name is one
of its ``__all__`` (else a name without a leading ``_`` defined there); each public function and class
needs a docstring of its own, and so does each public method or property a public class defines
(a docstring inherited from the method it overrides counts). A dataclass's generated
``Name(field, …)`` text is not a docstring.

Usage: ``python scripts/check_api_docs.py`` — prints the undocumented names, one a line, and exits 1
if there is any; prints how many names were checked and exits 0 otherwise.
``python scripts/check_api_docs.py --modules`` prints the modules' names, for pdoc.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from types import ModuleType
from typing import Any

EXTRA_MODULES = ("kg.errors", "kg.store.rdflib_view", "kg.store.results", "kg.store.terms")


def _own_doc(obj: Any) -> str:
    """The docstring *obj* states (for a class, not a dataclass's generated signature)."""
    if inspect.isclass(obj):
        doc = obj.__dict__.get("__doc__") or ""
        if doc.startswith(f"{obj.__name__}(") and "\n" not in doc.strip():
            return ""  # dataclasses.dataclass writes "Name(a: int, b: str)" when there is none
        return doc.strip()
    return (inspect.getdoc(obj) or "").strip()


def api_modules() -> list[ModuleType]:
    """The modules whose public names are the API."""
    import kg

    names = {"kg", *EXTRA_MODULES, *(module for module, _ in kg._LAZY.values())}
    return [importlib.import_module(n) for n in sorted(names)]


def public_names(module: ModuleType) -> list[str]:
    """The public names of *module*: its ``__all__``, else what it defines without a leading ``_``."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            n
            for n, v in vars(module).items()
            if not n.startswith("_") and getattr(v, "__module__", None) == module.__name__
        ]
    return sorted(names)


def undocumented() -> tuple[list[str], int]:
    """Every undocumented public function, class, method or property, and how many were checked."""
    missing: list[str] = []
    checked = 0
    for module in api_modules():
        if not (module.__doc__ or "").strip():
            missing.append(f"{module.__name__} (module)")
        for name in public_names(module):
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue  # constants are documented by a comment (#:) in their module
            checked += 1
            where = f"{module.__name__}.{name}"
            if not _own_doc(obj):
                missing.append(where)
            if not inspect.isclass(obj) or obj.__module__ != module.__name__:
                continue
            for attr, value in vars(obj).items():
                if attr.startswith("_"):
                    continue
                member = getattr(obj, attr, None)
                if inspect.isfunction(value) or isinstance(value, (property, classmethod, staticmethod)):
                    checked += 1
                    if not (inspect.getdoc(member) or "").strip():
                        missing.append(f"{where}.{attr}")
    return sorted(set(missing)), checked


def main() -> int:
    """Print the undocumented names; 1 if there is any (``--modules``: print the API's modules)."""
    if sys.argv[1:] == ["--modules"]:
        print(" ".join(m.__name__ for m in api_modules()))
        return 0
    missing, checked = undocumented()
    for name in missing:
        print(f"undocumented: {name}", file=sys.stderr)
    if missing:
        print(f"{len(missing)} public names have no docstring: write one (numpydoc)", file=sys.stderr)
        return 1
    print(f"API documented: {checked} public functions, classes, methods and properties have a docstring")
    return 0


if __name__ == "__main__":
    sys.exit(main())
