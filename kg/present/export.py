"""Exports of the graph for other tools: RDF (Turtle, TriG, N-Quads, JSON-LD) and networks (GraphML, GEXF, CSV).

Formats live in one registry, :data:`FORMATS` = ``{name: (suffix, writer)}``; a writer is
``writer(graph, out, *, territory=None) -> ExportResult``. Add a format with
:func:`register`; built-ins use the same mechanism.

- ``ttl`` — the union of the named graphs as triples (Turtle has no graphs);
- ``trig``, ``nq`` — every named graph (TriG, N-Quads);
- ``jsonld`` — every named graph, compacted with the project's published context
  (``ontology/context.jsonld``, embedded in the file so that it parses offline);
- ``graphml``, ``gexf`` — the NetworkX projection (:mod:`kg.network.projection`) with every
  attribute flattened to text or numbers; GEXF is ``mode="dynamic"`` with node and edge
  ``start``/``end`` as full dates (``2021`` → ``2021-01-01`` … ``2021-12-31``);
- ``csv`` — ``nodes.csv`` (``Id``, ``Label``…) and ``edges.csv`` (``Source``, ``Target``,
  ``Type``, ``Id``, ``Label``, ``Weight``…) in Gephi's spreadsheet conventions.

With ``territory`` (``level:code``), only that territory's actors, the programmes they
take part in, and what hangs on them are exported.

>>> sorted(FORMATS)
['csv', 'gexf', 'graphml', 'jsonld', 'nq', 'trig', 'ttl']
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import ExportError
from kg.model.paths import ONTOLOGY_DIR
from kg.sheets.cells import csv_cell

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
    """The JSON-LD context of the project: its prefixes (as written in ``ontology/context.jsonld``)."""
    ctx: dict[str, Any] = {"@version": 1.1}
    ctx.update(_prefixes())
    return {"@context": ctx}


def _kept_subjects(graph: Any, territory: str) -> set[str]:
    from kg.network.projection import project
    from kg.present.selections import territory_nodes

    G = project(graph)
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


def _compactor() -> Callable[[str], str]:
    spaces = sorted(((ns, p) for p, ns in _prefixes().items()), key=lambda x: -len(x[0]))
    cache: dict[str, str] = {}

    def compact(iri: str) -> str:
        if iri in cache:
            return cache[iri]
        out = iri
        for ns, p in spaces:
            if iri.startswith(ns):
                local = iri[len(ns) :]
                if local and not local.startswith("//") and ":" not in local[:1]:
                    out = f"{p}:{local}"
                break
        cache[iri] = out
        return out

    return compact


def _compact(value: Any, compact: Callable[[str], str]) -> Any:
    if isinstance(value, list):
        return [_compact(v, compact) for v in value]
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if k in ("@id", "@type") and isinstance(v, str):
                out[k] = compact(v)
            elif k == "@type" and isinstance(v, list):
                out[k] = [compact(x) for x in v]
            elif k.startswith("@"):
                out[k] = _compact(v, compact) if isinstance(v, (list, dict)) else v
            else:
                out[compact(k)] = _compact(v, compact)
        return out
    return value


@register("jsonld", ".jsonld")
def write_jsonld(graph: Any, out: Path, *, territory: str | None = None) -> ExportResult:
    """Every named graph as JSON-LD 1.1, its IRIs compacted with the project's context (embedded)."""
    from pyoxigraph import RdfFormat

    store = _dataset_store(graph, territory)
    expanded = json.loads(store.dump(format=RdfFormat.JSON_LD))
    doc = dict(context())
    doc["@graph"] = _compact(expanded, _compactor())
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, separators=(",", ":"))
    return ExportResult("jsonld", [out], quads=len(store), notes=[f"context: {CONTEXT_URL} (embedded)"])


# ---------------------------------------------------------------- networks

_DATE_KEYS = ("start", "end")


def _text(v: Any) -> str:
    return "; ".join(str(x) for x in v) if isinstance(v, (list, tuple, set)) else str(v)  # lists only


def _sources_text(srcs: Any) -> str:
    return " | ".join(f"{str(doc).rsplit('/', 1)[-1]}: {quote}" for doc, quote in (srcs or []))


def flat_projection(graph: Any, *, territory: str | None = None, lang: str = "fr") -> nx.MultiDiGraph:
    """The projection with attributes every network tool reads: text, numbers, no ``None``.

    Node attributes: ``label``, ``kind``, ``type`` (label of the first type), ``types``,
    ``themes``, ``territory`` (labels), ``start``/``end`` (as in the sources: ``2021``,
    ``2021-09``…), ``sources`` (``document: quote | …``), ``iri``. Edge attributes:
    ``kind``, ``label`` (the relation kind's label), ``role``, ``via``, ``start``/``end``,
    ``amount`` (euros, float), ``sources``.
    """
    from kg.network.projection import project
    from kg.present.selections import territory_nodes

    G = project(graph)
    labels = G.graph.get("concept_labels", {})
    keep = territory_nodes(graph, G, territory) if territory else set(G.nodes)

    def lab(notation: str) -> str:
        return (labels.get(notation) or {}).get(lang) or notation

    F: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for n, d in G.nodes(data=True):
        if n not in keep:
            continue
        attrs: dict[str, Any] = {"label": str(d.get("label") or n), "kind": d.get("kind"), "iri": n}
        types = d.get("types") or []
        if types:
            attrs["type"] = lab(types[0])
            attrs["types"] = _text(types)
        if d.get("themes"):
            attrs["themes"] = _text(d["themes"])
        if d.get("territory"):
            attrs["territory"] = _text([str(G.nodes[t].get("label") or t) for t in d["territory"] if t in G])
        for k in _DATE_KEYS:
            if d.get(k):
                attrs[k] = str(d[k])
        if d.get("sources"):
            attrs["sources"] = _sources_text(d["sources"])
        F.add_node(n, **{k: v for k, v in attrs.items() if v not in (None, "")})
    for a, b, d in G.edges(data=True):
        if a not in keep or b not in keep:
            continue
        attrs = {
            "kind": d.get("kind"),
            "label": lab(str(d.get("kind"))),
            "role": d.get("role"),
            "via": d.get("via"),
            "start": d.get("start"),
            "end": d.get("end"),
            "sources": _sources_text(d.get("sources")),
        }
        if d.get("amount") is not None:
            attrs["amount"] = float(Decimal(str(d["amount"])))
        F.add_edge(
            a,
            b,
            **{
                k: (str(v) if not isinstance(v, float) else v)
                for k, v in attrs.items()
                if v not in (None, "")
            },
        )
    return F


@register("graphml", ".graphml")
def write_graphml(graph: Any, out: Path, *, territory: str | None = None) -> ExportResult:
    """The projection as GraphML (Gephi, Cytoscape, yEd, igraph read it with its attributes)."""
    F = flat_projection(graph, territory=territory)
    nx.write_graphml(F, out, named_key_ids=True, edge_id_from_attribute=None)
    return ExportResult("graphml", [out], nodes=F.number_of_nodes(), edges=F.number_of_edges())


def _rgb(hex_colour: str) -> dict[str, float]:
    h = hex_colour.lstrip("#")
    return {"r": int(h[0:2], 16), "g": int(h[2:4], 16), "b": int(h[4:6], 16), "a": 1.0}


@register("gexf", ".gexf")
def write_gexf(graph: Any, out: Path, *, territory: str | None = None) -> ExportResult:
    """The projection as GEXF 1.2 for Gephi: ``mode="dynamic"``, dates as node and edge time intervals.

    ``start``/``end`` become full dates (the first day of the start, the last day of the
    end); the source's own precision is kept in ``period``. Nodes carry Gephi colours by
    actor type (as in ``kg view``).
    """
    from kg.model.records import date_bounds
    from kg.present.style import FAMILIES, family

    F = flat_projection(graph, territory=territory)
    G: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    G.graph["mode"] = "dynamic"
    for n, d in F.nodes(data=True):
        attrs = dict(d)
        _dynamic(attrs, date_bounds)
        attrs["viz"] = {
            "color": _rgb(
                FAMILIES[family({"kind": d.get("kind"), "types": d.get("types", "").split("; ")})][0]
            )
        }
        G.add_node(n, **attrs)
    for i, (a, b, d) in enumerate(F.edges(data=True)):
        attrs = dict(d)
        _dynamic(attrs, date_bounds)
        G.add_edge(a, b, id=str(i), **attrs)
    nx.write_gexf(G, out, version="1.2draft")
    text = out.read_text(encoding="utf-8")
    if (
        'mode="dynamic"' not in text
    ):  # a graph without any date: still declare it dynamic for Gephi's timeline
        out.write_text(text.replace('mode="static"', 'mode="dynamic" timeformat="date"', 1), encoding="utf-8")
    return ExportResult("gexf", [out], nodes=G.number_of_nodes(), edges=G.number_of_edges())


def _dynamic(attrs: dict[str, Any], date_bounds: Callable[[str], tuple[str, str]]) -> None:
    start, end = attrs.get("start"), attrs.get("end")
    if start or end:
        attrs["period"] = f"{start or ''}/{end or ''}"
    if start:
        attrs["start"] = date_bounds(start)[0]
    if end:
        attrs["end"] = date_bounds(end)[1]


@register("csv", "")
def write_csv(graph: Any, out: Path, *, territory: str | None = None) -> ExportResult:
    """``nodes.csv`` and ``edges.csv`` in folder *out*, in Gephi's spreadsheet import conventions."""
    F = flat_projection(graph, territory=territory)
    out.mkdir(parents=True, exist_ok=True)
    node_cols = ["Id", "Label", "Kind", "Type", "Types", "Themes", "Territory", "Start", "End", "Sources"]
    with open(out / "nodes.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(node_cols)
        for n, d in F.nodes(data=True):
            w.writerow(  # a formula-like text opens as text
                map(
                    csv_cell,
                    [
                        n,
                        d.get("label", ""),
                        d.get("kind", ""),
                        d.get("type", ""),
                        d.get("types", ""),
                        d.get("themes", ""),
                        d.get("territory", ""),
                        d.get("start", ""),
                        d.get("end", ""),
                        d.get("sources", ""),
                    ],
                )
            )
    edge_cols = [
        "Source",
        "Target",
        "Type",
        "Id",
        "Label",
        "Weight",
        "Kind",
        "Role",
        "Via",
        "Start",
        "End",
        "Amount",
        "Sources",
    ]
    with open(out / "edges.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(edge_cols)
        for i, (a, b, d) in enumerate(F.edges(data=True)):
            w.writerow(  # a formula-like text opens as text
                map(
                    csv_cell,
                    [
                        a,
                        b,
                        "Directed",
                        i,
                        d.get("label", ""),
                        1,
                        d.get("kind", ""),
                        d.get("role", ""),
                        d.get("via", ""),
                        d.get("start", ""),
                        d.get("end", ""),
                        d.get("amount", ""),
                        d.get("sources", ""),
                    ],
                )
            )
    return ExportResult(
        "csv", [out / "nodes.csv", out / "edges.csv"], nodes=F.number_of_nodes(), edges=F.number_of_edges()
    )
