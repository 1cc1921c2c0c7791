"""Selections of the nodes a view shows: a territory's ecosystem, an actor's neighbourhood, a programme,
the alliance chains between two actors; and the key figures of the territories they mention.

A territory's selection is its ecosystem (:func:`kg.store.ecosystem.ecosystem`, the one definition that
``kg analyse``, the named questions and the workbook export use too), each node with its reasons.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Iterable
from decimal import Decimal
from typing import Any

import networkx as nx

from kg.model.territories import IRI_PREFIX as TERRITORY_PREFIX
from kg.model.words import number

__all__ = [
    "Q_FIGURES",
    "chain_selection",
    "figures",
    "neighbourhood",
    "programme_nodes",
    "territory_nodes",
    "territory_selection",
]

Q_FIGURES = """
SELECT ?about ?var ?value ?unit ?start WHERE {
  ?f a schema:Observation ; schema:observationAbout ?about ; schema:variableMeasured ?var ; schema:value ?value .
  OPTIONAL { ?f tkg:unit ?unit }
  OPTIONAL { ?f dct:temporal/dcat:startDate ?start }
}"""


#: up to this many nodes, :func:`figures` asks only theirs (``VALUES``); beyond, every figure of the graph
_FIGURES_OF_NODES_MAX = 2000


def figures(graph: Any, lang: str = "fr", nodes: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Key figures (``schema:Observation``) per node IRI, as short texts: ``250 élèves — élèves touchés par an``.

    Only those of *nodes* (IRIs) when given: a view's nodes, not the 10,000 figures of a national graph.
    """
    from kg.store.graph import IRI, to_term

    query = Q_FIGURES
    if nodes is not None:
        wanted = sorted(n for n in nodes if isinstance(n, str) and n.startswith("http"))
        if len(wanted) <= _FIGURES_OF_NODES_MAX:
            values = " ".join(str(to_term(IRI(n))) for n in wanted)
            query = Q_FIGURES.replace("WHERE {", f"WHERE {{ VALUES ?about {{ {values} }}", 1)
    out: dict[str, list[str]] = defaultdict(list)
    for r in graph.query(query):
        value = r["value"]
        shown = (
            number(value, lang) if isinstance(value, (int, Decimal)) and value == int(value) else str(value)
        )
        text = f"{shown} {r['unit'] or ''}".strip() + f" — {r['var']}"
        if r.get("start"):
            text += f" ({r['start']})"
        out[r["about"]].append(text)
    return dict(out)


# ---------------------------------------------------------------- selections


def territory_selection(
    graph: Any, G: Container[str], territory: str, *, labels: bool = True
) -> tuple[set[str], Any]:
    """The nodes of *G* in the ecosystem of *territory* (``level:code``), and the ecosystem itself.

    *G* is the projection, or anything that says which nodes it holds (``in``): the projection node by
    node (:class:`kg.network.projection_parts.Parts`) answers without being read. With ``labels=False``
    the ecosystem's labels are not asked for (:func:`kg.store.ecosystem.with_labels` asks them later).

    The nodes: every member of the ecosystem that *G* holds (actors, people, programmes, fundings,
    events), the territory, and the places inside it that the reasons name.

    Returns
    -------
    (set of str, kg.store.ecosystem.Ecosystem)
        The ecosystem says why each node is there (:meth:`~kg.store.ecosystem.Ecosystem.explain`).

    Raises
    ------
    TerritoryError
        For a malformed territory or one that is not in the official geography.
    """
    from kg.store.ecosystem import ecosystem

    eco = ecosystem(graph, territory, labels=labels)
    keep = {n for n in eco.reasons if n in G}
    places = {eco.iri} | {
        x
        for rs in eco.reasons.values()
        for r in rs
        for x in (r.via, r.at)
        if x and x.startswith(TERRITORY_PREFIX)
    }
    keep |= {t for t in places if t in G}
    return keep, eco


def territory_nodes(graph: Any, G: nx.MultiDiGraph, territory: str) -> set[str]:
    """The nodes of the ecosystem of *territory* (``level:code``): see :func:`territory_selection`."""
    return territory_selection(graph, G, territory)[0]


def neighbourhood(G: nx.MultiDiGraph, actor: str, hops: int = 1) -> tuple[set[str], str]:
    """Nodes within *hops* of *actor* (name or IRI), in either direction; returns (nodes, resolved IRI).

    Fundings count as a half-step: the funder and the recipient of a grant are one hop apart.
    """
    from kg.network.lookup import resolve

    start = resolve(G, actor)
    U = G.to_undirected(as_view=True)
    seen = {start}
    frontier = {start}
    for _ in range(max(0, hops)):
        nxt: set[str] = set()
        for n in frontier:
            for m in U.neighbors(n):
                if G.nodes[m].get("kind") == "funding":  # go through the grant to its other ends
                    seen.add(m)
                    nxt.update(x for x in U.neighbors(m) if x not in seen)
                elif m not in seen:
                    nxt.add(m)
        seen |= nxt
        frontier = nxt
    return seen, start


def programme_nodes(G: nx.MultiDiGraph, programme: str) -> tuple[set[str], str]:
    """A programme and everyone around it: participants, funders, their territories, programmes it continues."""
    from kg.network.lookup import resolve

    p = resolve(G, programme, kinds=("programme",), what="programme")
    nodes, _ = neighbourhood(G, p, 1)
    for n in list(nodes):
        for _, b, d in G.out_edges(n, data=True):
            if d.get("kind") == "territoire":
                nodes.add(b)
    return nodes, p


def chain_selection(
    G: nx.MultiDiGraph, chains: Iterable[Any], *, context_hops: int = 1
) -> tuple[set[str], set[str], set[tuple[str, str]]]:
    """Nodes around *chains* (from :func:`kg.network.chains.find_chains`) and what to highlight.

    Returns ``(nodes, highlighted nodes, highlighted edges as (u, v) pairs of G)``; a hop
    carried by a grant highlights funder → grant → recipient.
    """
    hl_nodes: set[str] = set()
    hl_edges: set[tuple[str, str]] = set()
    for c in chains:
        for h in c.hops:
            a, b = h.source, h.target
            hl_nodes.update((a, b))
            if h.via and h.via in G and G.nodes[h.via].get("kind") == "funding":
                hl_nodes.add(h.via)
                for u, v in ((a, h.via), (h.via, b), (b, h.via), (h.via, a)):
                    if G.has_edge(u, v):
                        hl_edges.add((u, v))
            for u, v in ((a, b), (b, a)):
                if G.has_edge(u, v):
                    hl_edges.add((u, v))
    nodes = set(hl_nodes)
    for n in hl_nodes:
        if G.nodes[n].get("kind") == "funding":
            continue
        around, _ = neighbourhood(G, n, context_hops)
        nodes |= around
    return nodes, hl_nodes, hl_edges
