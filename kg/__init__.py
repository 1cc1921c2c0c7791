"""Territorial KG: a knowledge graph of the actors of French territories and their alliances.

The Python API mirrors the ``kg`` command, one function per command, with the same
option names as keyword arguments::

    import kg
    report = kg.build()                 # kg build
    graph = kg.open()                   # kg … --store build/store; kg.open("http://…/sparql") for --endpoint
    graph.query("SELECT ?n WHERE { ?a rdfs:label ?n }", a=kg.IRI("https://w3id.org/territorial-kg/id/actor/le-rameau"))
    kg.query(graph, "actors-of-territory", {"territory": "departement:94"})   # kg query
    kg.chains(graph, "Fondation TotalEnergies", "Club ESS", k=3)             # kg chains
    kg.analyse(graph, territory="intercommunalite:200057941", lang="en")      # kg analyse
    kg.view(graph, actor="Fonds ODD17", hops=2, out="exports/odd17.html")    # kg view

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
    TerritoryError,
    UnknownEntityError,
)

__version__ = "0.1.0"

#: public name → module that defines it (imported on first use)
_LAZY = {
    # the graph
    "BuildReport": ("kg.store.build", "BuildReport"),
    "build": ("kg.store.build", "build"),  # kg build
    "Graph": ("kg.store.graph", "Graph"),
    "IRI": ("kg.store.graph", "IRI"),
    "open": ("kg.store.graph", "open"),  # --store / --endpoint
    "RemoteGraph": ("kg.store.remote", "RemoteGraph"),
    # questions
    "query": ("kg.store.queries", "run_named"),  # kg query
    "sparql": ("kg.store.queries", "run_sparql"),  # kg sparql
    # the network
    "project": ("kg.network.projection", "project"),
    "chains": ("kg.network.chains", "find_chains"),  # kg chains
    "within": ("kg.network.chains", "within"),  # kg chains --within
    "analyse": ("kg.network.analysis", "analyse"),  # kg analyse
    # presenting and serving
    "view": ("kg.present.view", "view"),  # kg view
    "export": ("kg.present.export", "export"),  # kg export
    "write_examples": ("kg.present.examples", "write_examples"),  # kg examples
    # the catalysts' workbooks
    "import_workbook": ("kg.store.imports", "import_workbook"),  # kg import
    "write_template": ("kg.sheets.write", "write_template"),  # kg template
    "export_workbook": ("kg.sheets.export", "export_xlsx"),  # kg export-xlsx
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
    "RemoteGraph",
    "ShapeViolation",
    "StoreError",
    "TerritoryError",
    "UnknownEntityError",
    "analyse",
    "build",
    "chains",
    "export",
    "export_workbook",
    "import_workbook",
    "open",
    "project",
    "query",
    "sparql",
    "view",
    "within",
    "write_examples",
    "write_template",
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
    from kg.network.analysis import analyse
    from kg.network.chains import find_chains as chains
    from kg.network.chains import within
    from kg.network.projection import project
    from kg.present.examples import write_examples
    from kg.present.export import export
    from kg.present.view import view
    from kg.sheets.export import export_xlsx as export_workbook
    from kg.sheets.write import write_template
    from kg.store.build import BuildReport, build
    from kg.store.graph import IRI, Graph, open
    from kg.store.imports import import_workbook
    from kg.store.queries import run_named as query
    from kg.store.queries import run_sparql as sparql
    from kg.store.remote import RemoteGraph
