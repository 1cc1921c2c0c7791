"""Exports of the graph for other tools: RDF (Turtle, TriG, N-Quads, JSON-LD) and networks (GraphML, GEXF, CSV).

Formats live in one registry, :data:`FORMATS` = ``{name: (suffix, writer)}``; a writer is
``writer(graph, out, *, territory=None) -> ExportResult``. Add a format with
:func:`register`; built-ins use the same mechanism.

- ``ttl`` — the union of the named graphs as triples (Turtle has no graphs);
- ``trig``, ``nq`` — every named graph (TriG, N-Quads);
- ``jsonld`` — every named graph, compacted with the project's published context
  (``ontology/context.jsonld``: terms such as ``type``, ``label``, ``member``, ``funder``;
  embedded in the file so that it parses offline; :mod:`kg.present.export_jsonld`);
- ``owl`` — the ontology and the data as one OWL 2 document (RDF/XML), dates written as
  ``xsd:dateTime`` bounds so that OWL 2 reasoners accept them (:mod:`kg.present.export_owl`);
- ``graphml``, ``gexf`` — the NetworkX projection (:mod:`kg.network.projection`) with every
  attribute flattened to text or numbers, a grant's amount on its funding node only;
  GEXF 1.3 is ``mode="dynamic"`` with node and edge ``start``/``end`` as full dates
  (``2021`` → ``2021-01-01`` … ``2021-12-31``) (:mod:`kg.present.export_network`);
- ``csv`` — ``nodes.csv`` (``Id``, ``Label``…, ``Amount``) and ``edges.csv`` (``Source``,
  ``Target``, ``Type``, ``Id``, ``Label``, ``Weight``…) in Gephi's spreadsheet conventions.

With ``territory`` (``level:code``), only that territory's actors, the programmes they
take part in, and what hangs on them are exported.

>>> sorted(FORMATS)
['csv', 'gexf', 'graphml', 'jsonld', 'nq', 'owl', 'trig', 'ttl']
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import ExportError
from kg.model.paths import ONTOLOGY_DIR

__all__ = [
    "CONTEXT_FILE",
    "CONTEXT_URL",
    "FORMATS",
    "ExportResult",
    "context",
    "export",
    "flat_projection",
    "register",
]

CONTEXT_FILE = ONTOLOGY_DIR / "context.jsonld"
#: where the context is published (the w3id redirect of the project's base)
CONTEXT_URL = "https://w3id.org/territorial-kg/context.jsonld"


@dataclass
class ExportResult:
    """What an export wrote: the files, and how many quads, or nodes and edges."""

    format: str
    paths: list[Path]
    quads: int | None = None
    nodes: int | None = None
    edges: int | None = None
    notes: list[str] = field(default_factory=list)


Writer = Callable[..., ExportResult]
#: name -> (file suffix, or "" for a folder; writer)
FORMATS: dict[str, tuple[str, Writer]] = {}


def register(name: str, suffix: str) -> Callable[[Writer], Writer]:
    """Decorator adding a writer to :data:`FORMATS` under *name*."""

    def deco(fn: Writer) -> Writer:
        FORMATS[name] = (suffix, fn)
        return fn

    return deco


def export(
    graph: Any, fmt: str, out: str | Path | None = None, *, territory: str | None = None
) -> ExportResult:
    """Write *graph* (a :class:`kg.store.graph.Graph`) as *fmt* to *out* (default ``exports/graph.<suffix>``).

    Raises
    ------
    ExportError
        For an unknown format or a file that cannot be written.
    UnknownEntityError
        For a territory that is not in the geography.
    """
    if fmt not in FORMATS:
        raise ExportError(f'unknown export format "{fmt}"; use one of {", ".join(sorted(FORMATS))}')
    suffix, writer = FORMATS[fmt]
    path = Path(out) if out else Path("exports") / (f"graph{suffix}" if suffix else "csv")
    try:
        (path if not suffix else path.parent).mkdir(parents=True, exist_ok=True)
        return writer(graph, path, territory=territory)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}; choose another --out") from exc


# ---------------------------------------------------------------- RDF


def _prefixes() -> dict[str, str]:
    from kg.model.vocab import PREFIXES

    return dict(PREFIXES)


def context() -> dict[str, Any]:
    """The JSON-LD context of the project (as written in ``ontology/context.jsonld``): its prefixes
    and terms for the classes and properties (:func:`kg.present.export_jsonld.context`)."""
    from kg.present.export_jsonld import context as terms

    return terms()


def _kept_subjects(graph: Any, territory: str) -> set[str]:
    from kg.network.projection import cached_project
    from kg.present.selections import territory_nodes

    G = cached_project(graph)
    keep = set(territory_nodes(graph, G, territory))
    for a, b, d in G.edges(data=True):
        if a in keep and b in keep and d.get("via"):
            keep.add(d["via"])
    return keep


def _base(iri: str) -> str:
    for marker in ("/period", "/amount", "/source/"):
        i = iri.find(marker, iri.find("/id/"))
        if i > 0:
            return iri[:i]
    return iri


def _quads(graph: Any, territory: str | None) -> Iterable[Any]:
    store = graph.store
    if territory is None:
        yield from store.quads_for_pattern(None, None, None, None)
        return
    keep = _kept_subjects(graph, territory)
    for q in store.quads_for_pattern(None, None, None, None):
        s = q.subject.value
        if s in keep or _base(s) in keep:
            yield q


def _dataset_store(graph: Any, territory: str | None) -> Any:
    if territory is None:
        return graph.store
    from pyoxigraph import Store

    sub = Store()
    sub.extend(list(_quads(graph, territory)))
    return sub


@register("trig", ".trig")
def write_trig(graph: Any, out: Path, *, territory: str | None = None) -> ExportResult:
    """Every named graph as TriG."""
    from pyoxigraph import RdfFormat

    store = _dataset_store(graph, territory)
    store.dump(str(out), RdfFormat.TRIG, prefixes=_prefixes())
    return ExportResult("trig", [out], quads=len(store))


@register("nq", ".nq")
def write_nquads(graph: Any, out: Path, *, territory: str | None = None) -> ExportResult:
    """Every named graph as N-Quads (one quad per line: easy to diff, sort and stream)."""
    from pyoxigraph import RdfFormat

    store = _dataset_store(graph, territory)
    store.dump(str(out), RdfFormat.N_QUADS)
    return ExportResult("nq", [out], quads=len(store))


@register("ttl", ".ttl")
def write_turtle(graph: Any, out: Path, *, territory: str | None = None) -> ExportResult:
    """The union of the named graphs as Turtle (a triple stated in two graphs is written once)."""
    from pyoxigraph import RdfFormat, Triple, serialize

    triples = {Triple(q.subject, q.predicate, q.object) for q in _quads(graph, territory)}
    with open(out, "wb") as fh:
        serialize(sorted(triples, key=str), fh, RdfFormat.TURTLE, prefixes=_prefixes())
    return ExportResult("ttl", [out], quads=len(triples))


@register("jsonld", ".jsonld")
def write_jsonld(graph: Any, out: Path, *, territory: str | None = None) -> ExportResult:
    """Every named graph as JSON-LD 1.1, compacted with the project's context (embedded): terms such
    as ``type``, ``label``, ``member``, ``funder`` (:mod:`kg.present.export_jsonld`)."""
    from pyoxigraph import RdfFormat

    from kg.present.export_jsonld import compact

    store = _dataset_store(graph, territory)
    expanded = json.loads(store.dump(format=RdfFormat.JSON_LD))
    doc = dict(context())
    doc["@graph"] = compact(expanded)
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, separators=(",", ":"))
    return ExportResult("jsonld", [out], quads=len(store), notes=[f"context: {CONTEXT_URL} (embedded)"])


# ---------------------------------------------------------------- OWL 2


@register("owl", ".owl")
def write_owl(graph: Any, out: Path, *, territory: str | None = None) -> ExportResult:
    """The ontology and the data as one OWL 2 document (RDF/XML), dates as ``xsd:dateTime`` bounds
    (:mod:`kg.present.export_owl`): what an OWL 2 reasoner (HermiT, Pellet…) loads."""
    from collections import Counter

    from pyoxigraph import RdfFormat, Triple, serialize

    from kg.present.export_owl import owl_quads

    notes: Counter[str] = Counter()
    quads = list(_quads(graph, territory))
    if territory is not None:  # the ontology too: what the data means is part of the document
        from pyoxigraph import NamedNode

        from kg.model.iris import ONTOLOGY_GRAPH

        quads += graph.store.quads_for_pattern(None, None, None, NamedNode(str(ONTOLOGY_GRAPH)))
    triples = {Triple(q.subject, q.predicate, q.object) for q in owl_quads(quads, notes)}
    with open(out, "wb") as fh:
        serialize(sorted(triples, key=str), fh, RdfFormat.RDF_XML, prefixes=_prefixes())
    return ExportResult(
        "owl", [out], quads=len(triples), notes=[f"{k}: {v}" for k, v in sorted(notes.items())]
    )


# ---------------------------------------------------------------- networks


def flat_projection(graph: Any, *, territory: str | None = None, lang: str = "fr") -> nx.MultiDiGraph:
    """:func:`kg.present.export_network.flat_projection`: the projection as every network tool reads it."""
    from kg.present.export_network import flat_projection as flat

    return flat(graph, territory=territory, lang=lang)


@register("graphml", ".graphml")
def write_graphml(graph: Any, out: Path, *, territory: str | None = None) -> ExportResult:
    """The projection as GraphML (NetworkX, igraph, Gephi, Cytoscape, yEd read it with its attributes)."""
    from kg.present import export_network

    F = flat_projection(graph, territory=territory)
    export_network.write_graphml(F, out)
    return ExportResult("graphml", [out], nodes=F.number_of_nodes(), edges=F.number_of_edges())


@register("gexf", ".gexf")
def write_gexf(graph: Any, out: Path, *, territory: str | None = None) -> ExportResult:
    """The projection as GEXF 1.3 for Gephi: ``mode="dynamic"``, dates as node and edge time intervals.

    ``start``/``end`` become full dates (the first day of the start, the last day of the
    end); the source's own precision is kept in ``period``. Nodes carry Gephi colours by
    actor type (as in ``kg view``).
    """
    from kg.present import export_network

    F = flat_projection(graph, territory=territory)
    export_network.write_gexf(F, out)
    return ExportResult("gexf", [out], nodes=F.number_of_nodes(), edges=F.number_of_edges())


@register("csv", "")
def write_csv(graph: Any, out: Path, *, territory: str | None = None) -> ExportResult:
    """``nodes.csv`` and ``edges.csv`` in folder *out*, in Gephi's spreadsheet import conventions."""
    from kg.present import export_network

    F = flat_projection(graph, territory=territory)
    paths = export_network.write_csv(F, out)
    return ExportResult("csv", paths, nodes=F.number_of_nodes(), edges=F.number_of_edges())
