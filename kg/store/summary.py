"""What ``kg build`` says of the quads it wrote, without looking at each more than once.

:func:`summary` is the report's counts (kept in the store's state for a build with nothing to do),
:func:`splice` puts the geography's block where a sort by graph would, :func:`count_actors` counts the
organisations of the records' quads (whether the relation tables are worth writing). Used by
:mod:`kg.store.build`.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["count_actors", "count_packed_actors", "graph_key", "splice", "summary"]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_ORGANIZATION = "http://www.w3.org/ns/org#Organization"


def graph_key(q) -> str:
    """The graph of a quad, as text (the sort key of the dump's blocks): one string per graph, shared (a sort
    by graph keeps a key per quad; a new string each is ~850 MB at 100,000 actors, at the build's peak)."""
    return _graph_name(q.graph_name)


@lru_cache(maxsize=4096)
def _graph_name(graph) -> str:
    return graph.value


def summary(records: list, geography: list, curated, geo, kept: dict[str, int] | None = None) -> dict:
    """What the report says of the graph (kept in the store's state for a build with nothing to do);
    *kept*: the size of graphs reused from the previous build (not in *records* or *geography*)."""
    graphs: dict[str, int] = dict(kept or {})
    if hasattr(records, "counts"):  # a PackedQuads: counted as it was filled
        for g, n in records.counts().items():
            graphs[g] = graphs.get(g, 0) + n
    else:
        for q in records:
            g = q.graph_name.value
            graphs[g] = graphs.get(g, 0) + 1
    if geography:  # one graph (geography_quads): counted without looking at each quad
        g = geography[0].graph_name.value
        graphs[g] = graphs.get(g, 0) + len(geography)
    territories = len(geo.communes) + len(geo.intercommunalities) + len(geo.departements) + len(geo.regions)
    return {
        "quads": len(records) + len(geography) + sum((kept or {}).values()),
        "graphs": dict(sorted(graphs.items())),
        "records": curated.count(),
        "territories": territories,
        "conforms": True,
    }


def splice(records: list, block: list, graph: str) -> list:
    """*records* (sorted by graph) with *block* (quads of *graph* only) inserted where a stable sort by
    graph of ``records + block`` puts it: the same list, without sorting the block."""
    from bisect import bisect_right

    at = bisect_right(records, graph, key=graph_key)
    return records[:at] + block + records[at:]


def count_actors(records: list) -> int:
    """:func:`kg.store.columnar.count_actors` of the records' quads (the geography holds no organisation)."""
    from pyoxigraph import NamedNode

    a, org = NamedNode(_RDF_TYPE), NamedNode(_ORGANIZATION)
    return len({q.subject for q in records if q.predicate == a and q.object == org})


def count_packed_actors(records) -> int:
    """:func:`count_actors` of a :class:`~kg.rdf.packed.PackedQuads`, read on its N-Quads text (no quad made)."""
    import re

    typed = re.compile(
        rb"^(\S+) <%s> <%s> " % (re.escape(_RDF_TYPE.encode()), re.escape(_ORGANIZATION.encode())), re.M
    )
    return len({s for _g, text in records.blocks() for s in typed.findall(text)})
