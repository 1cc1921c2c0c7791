"""Territorial KG: a knowledge graph of the actors of French territories and their alliances.

The Python API mirrors the ``kg`` command, one function per command, with the same
option names as keyword arguments::

    import kg
    report = kg.build()                 # kg build
    graph = kg.open()                   # kg … --store build/store (or an endpoint URL)
    graph.query("SELECT ?n WHERE { ?a rdfs:label ?n }", a=kg.IRI("https://w3id.org/territorial-kg/id/actor/le-rameau"))

The package reads as the data flows (dependencies point down this list only):

``kg.model``    vocabulary, IRIs, records, dates, territory references, identifiers, names, words
``kg.ingest``   curated YAML files, source documents, official geography, stored imports
``kg.sheets``   catalysts' workbooks → records, and records → workbooks (no RDF, no store)
``kg.rdf``      the one mapping from records to quads, and SHACL validation
``kg.store``    build and the only writers, open (local or endpoint), guard, named questions, results
``kg.network``  the NetworkX projection, selections, alliance chains, analysis
``kg.present``  HTML views, pictures, exports
``kg.serve``    the SPARQL endpoint (HTTP)
``kg.cli``      the ``kg`` command

Everything is imported lazily: ``import kg`` loads only this file and :mod:`kg.errors`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kg.errors import (
    ExportError,
    InputError,
    KGError,
    Problem,
    QueryError,
    ShapeViolation,
    StoreError,
    UnknownEntityError,
)

__version__ = "0.1.0"

#: public name → module that defines it (imported on first use)
_LAZY = {
    "BuildReport": ("kg.store.build", "BuildReport"),
    "build": ("kg.store.build", "build"),
    "Graph": ("kg.store.graph", "Graph"),
    "IRI": ("kg.store.graph", "IRI"),
    "open": ("kg.store.graph", "open_store"),
}

__all__ = [
    "IRI",
    "BuildReport",
    "ExportError",
    "Graph",
    "InputError",
    "KGError",
    "Problem",
    "QueryError",
    "ShapeViolation",
    "StoreError",
    "UnknownEntityError",
    "build",
    "open",
]


def __getattr__(name: str) -> Any:
    where = _LAZY.get(name)
    if where is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    value = getattr(importlib.import_module(where[0]), where[1])
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors
    from kg.store.build import BuildReport, build
    from kg.store.graph import IRI, Graph
    from kg.store.graph import open_store as open
