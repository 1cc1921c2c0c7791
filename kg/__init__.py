"""Territorial KG: a knowledge graph of the actors of French territories and their alliances.

The Python API mirrors the ``kg`` command, one function per command, with the same
option names as keyword arguments:

    import kg
    report = kg.build()                 # kg build
    graph = kg.open()                   # KG_STORE, else the build/store of the project folder; or a URL
    graph.query("SELECT ?a WHERE { ?a rdfs:label ?l }", l=kg.fr("Le RAMEAU"))   # bound, never pasted
    graph.frame("SELECT ?m ?v WHERE { ?m schema:value ?v }")                      # a pandas DataFrame
    kg.query(graph, "funders-of-territory", territory="departement:94", from_=2020, to=2023)  # kg query
    kg.chains(kg.project(graph), "Fondation TotalEnergies", "Club ESS", k=3)        # kg chains
    kg.analyse(graph, territory="intercommunalite:200057941", lang="en")          # kg analyse
    kg.view(graph, actor="Fonds ODD17", hops=2, out="odd17.html")                 # kg view
    graph.rdflib()                      # a read-only rdflib Dataset over the store

The guide is ``docs/api.md``; the reference is built by ``make apidocs`` into ``build/apidocs``.

Public names: the graph (:func:`build`, :func:`open`, :class:`Graph`, :class:`RemoteGraph`,
:class:`IRI`, :func:`fr`, :func:`lang`, :class:`Result`), questions (:func:`query` = :func:`run_named`,
:func:`list_queries`, :func:`sparql`), the network (:func:`project`, :func:`chains`, :func:`within`,
:func:`analyse`, :func:`actor_graph`), presenting (:func:`view`, :func:`export`, :func:`write_examples`),
the catalysts' workbooks (:func:`import_workbook`, :func:`write_template`, :func:`export_workbook`), and
the errors of :mod:`kg.errors`.

The package reads as the data flows (dependencies point down this list only):

- ``kg.model``: vocabulary, IRIs, records, dates, territory references, identifiers, names, words
- ``kg.ingest``: curated YAML files, source documents, official geography, stored imports
- ``kg.sheets``: catalysts' workbooks → records, and records → workbooks (no RDF, no store)
- ``kg.rdf``: the one mapping from records to quads, and SHACL validation
- ``kg.store``: build and the only writers, open (local or endpoint), guard, named questions, results
- ``kg.network``: the NetworkX projection, selections, alliance chains, analysis
- ``kg.present``: HTML views, pictures, exports
- ``kg.serve``: the SPARQL endpoint (HTTP)
- ``kg.cli``: the ``kg`` command

Everything is imported lazily: ``import kg`` loads only this file and :mod:`kg.errors`.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import (
    EndpointError,
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
    "Result": ("kg.store.graph", "Result"),
    "fr": ("kg.store.graph", "fr"),
    "lang": ("kg.store.graph", "lang"),
    "open": ("kg.store.graph", "open"),  # --store / --endpoint
    "RemoteGraph": ("kg.store.remote", "RemoteGraph"),
    # questions
    "query": ("kg.store.queries", "run_named"),  # kg query
    "run_named": ("kg.store.queries", "run_named"),
    "list_queries": ("kg.store.queries", "list_queries"),  # kg query --list
    "sparql": ("kg.store.queries", "run_sparql"),  # kg sparql
    # the network
    "project": ("kg.network.projection", "project"),
    "chains": ("kg.network.chains", "find_chains"),  # kg chains
    "within": ("kg.network.chains", "within"),  # kg chains --within
    "analyse": ("kg.network.analysis", "analyse"),  # kg analyse
    "actor_graph": ("kg.network.actors", "actor_graph"),
    # presenting and serving (view: see below)
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
    "EndpointError",
    "ExportError",
    "Graph",
    "InputError",
    "KGError",
    "Problem",
    "QueryError",
    "RemoteGraph",
    "Result",
    "ShapeViolation",
    "StoreError",
    "TerritoryError",
    "UnknownEntityError",
    "actor_graph",
    "analyse",
    "build",
    "chains",
    "export",
    "export_workbook",
    "fr",
    "import_workbook",
    "lang",
    "list_queries",
    "open",
    "project",
    "query",
    "run_named",
    "sparql",
    "view",
    "within",
    "write_examples",
    "write_template",
]


def view(graph: Any, *, out: str | Path | None = None, **options: Any) -> Any:
    """Select, build and write one HTML view of *graph* (what ``kg view`` does).

    The options are those of :func:`kg.present.view.view` (``territory=``, ``actor=`` and ``hops=``,
    ``programme=``, ``chain=(a, b)``, ``whole=True``, ``as_of=``, ``lang=``…). Without *out*, the page
    is written into a new temporary folder (its path is ``result.path``), never silently into the
    current folder; the ``kg view`` command keeps its default ``exports/view.html``.

    Returns
    -------
    kg.present.html.ViewResult
        The page's path, its numbers of nodes and edges.

    Raises
    ------
    kg.errors.UnknownEntityError, kg.errors.ExportError
        As :func:`kg.present.view.view`.
    """
    from kg.present.view import view as write_view

    if out is None:
        import tempfile

        out = Path(tempfile.mkdtemp(prefix="kg-view-")) / "view.html"
    return write_view(graph, out=out, **options)


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
    from kg.network.actors import actor_graph
    from kg.network.analysis import analyse
    from kg.network.chains import find_chains as chains
    from kg.network.chains import within
    from kg.network.projection import project
    from kg.present.examples import write_examples
    from kg.present.export import export
    from kg.sheets.export import export_xlsx as export_workbook
    from kg.sheets.write import write_template
    from kg.store.build import BuildReport, build
    from kg.store.graph import IRI, Graph, Result, fr, lang, open
    from kg.store.imports import import_workbook
    from kg.store.queries import list_queries, run_named
    from kg.store.queries import run_named as query
    from kg.store.queries import run_sparql as sparql
    from kg.store.remote import RemoteGraph
