"""Selections of the nodes a view shows: a territory's ecosystem, an actor's neighbourhood, a programme,
the alliance chains between two actors; and the key figures of the territories they mention.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import networkx as nx

from kg.model.territories import parse_territory
from kg.model.words import number

__all__ = ["Q_FIGURES", "chain_selection", "figures", "neighbourhood", "programme_nodes", "territory_nodes"]

Q_FIGURES = """
SELECT ?about ?var ?value ?unit ?start WHERE {
  ?f a schema:Observation ; schema:observationAbout ?about ; schema:variableMeasured ?var ; schema:value ?value .
  OPTIONAL { ?f tkg:unit ?unit }
  OPTIONAL { ?f dct:temporal/dcat:startDate ?start }
}"""


def figures(graph: Any, lang: str = "fr") -> dict[str, list[str]]:
    """Key figures (``schema:Observation``) per node IRI, as short texts: ``250 élèves — élèves touchés par an``."""
    out: dict[str, list[str]] = defaultdict(list)
    for r in graph.query(Q_FIGURES):
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


def territory_nodes(graph: Any, G: nx.MultiDiGraph, territory: str) -> set[str]:
    """Actors in *territory* (``level:code``), the programmes they take part in, and the territory itself."""
    from kg.network.projection import territory_members

    keep = set(territory_members(graph, G, territory))
    tiri = parse_territory(territory).iri
    if tiri in G:
        keep.add(tiri)
    for n in list(keep):  # the territories those actors point at, and their fundings
        for _, b, d in G.out_edges(n, data=True):
            if d.get("kind") == "territoire":
                keep.add(b)
        for a, _ in G.in_edges(n):
            if G.nodes[a].get("kind") == "funding":
                keep.add(a)
                keep.update(x for x, _ in G.in_edges(a))
    return keep


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
