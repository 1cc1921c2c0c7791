"""Alliance chains: who is linked to whom, hop by hop, through which programme or funding, since when, per which source.

Works on the projection of :mod:`kg.network.projection`. :func:`chain_graph` turns it into an
undirected graph whose edges list the relations between two nodes (a grant becomes a
relation funder → recipient carried by that grant); :func:`find_chains` returns the k
shortest chains between two nodes, :func:`within` who is within N hops.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> for n, label in [("a", "Fondation A"), ("b", "Fonds B"), ("c", "Club C")]:
...     G.add_node(n, kind="actor", label=label, start=None)
>>> G.add_node("g", kind="funding", label="g", start="2021")
>>> _ = G.add_edge("a", "b", kind="fondation", via=None, start="2020", end=None, sources=[("doc/x", "B a été co-créé par A")])
>>> _ = G.add_edge("b", "g", kind="financement", via="g", role="financeur", start="2021", end=None, amount=3000, sources=[("doc/x", "3k €")])
>>> _ = G.add_edge("g", "c", kind="financement", via="g", role="beneficiaire", start="2021", end=None, amount=3000, sources=[("doc/x", "3k €")])
>>> [c.labels for c in find_chains(G, "Fondation A", "club c")]
[['Fondation A', 'Fonds B', 'Club C']]
>>> print(find_chains(G, "a", "c")[0].hops[1].sentence().replace("\u202f", " ").replace("\xa0", " "))
Fonds B finance Club C : 3 000 € (depuis 2021) — source : x, « 3k € »
>>> find_chains(G, "a", "c", as_of=2020)
[]

A relation without a date of its own may have existed at any date: ``as_of`` keeps it, and the
chain says how many such hops it has (none is dated from another node):

>>> _ = G.add_edge("a", "c", kind="soutien", via="s", role=None, start=None, end=None, sources=[])
>>> [(c.labels, c.undated) for c in find_chains(G, "a", "c", as_of=1900)]
[(['Fondation A', 'Club C'], 1)]

:mod:`kg.network.chain_words` holds what ``kg chains`` says around them (headline, counts);
:mod:`kg.network.hops` the hops and chains themselves (re-exported here); :mod:`kg.network.paths` the search
(NetworkX's Yen over plain neighbour rows, the same paths); :mod:`kg.network.chain_index`
the compact rows ``kg build`` keeps beside a store, which answer :func:`find_chains` on a store with the
default kinds and no date without loading the chain graph.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from typing import Any

import networkx as nx

from kg.errors import UnknownEntityError
from kg.model.dates import is_active
from kg.model.names import suggestion
from kg.network.chain_index import stored_chains, write_slim
from kg.network.hops import Chain, Hop, Near, at, euros
from kg.network.hops import hop as _hop
from kg.network.hops import kept as _kept
from kg.network.hops import relation_ok as _ok
from kg.network.lookup import resolve, with_name_keys
from kg.network.paths import shortest_simple_paths
from kg.network.projection import EDGE_KINDS, as_of_day, cached_project

__all__ = [
    "DEFAULT_KINDS",
    "SKELETON",
    "Chain",
    "Hop",
    "Near",
    "absent_at",
    "at",
    "cached_chain_graph",
    "chain_graph",
    "euros",
    "find_chains",
    "with_skeleton",
    "within",
]

#: relation kinds followed by default (territories are context, not alliances)
DEFAULT_KINDS = tuple(k for k in EDGE_KINDS if k != "territoire")


def chain_graph(G: nx.MultiDiGraph) -> nx.Graph:
    """Undirected graph of the projection's relations, grants contracted to funder → recipient edges.

    Each edge has ``rels``: a list of relation dicts (``a``, ``b`` in the relation's own
    direction, plus the projection's edge attributes). A contracted grant keeps the grant's
    own dates.
    """
    H: nx.Graph[str] = nx.Graph()
    H.graph.update(G.graph)
    for n, d in G.nodes(data=True):
        if d.get("kind") != "funding":
            H.add_node(n, **d)

    def add(a: str, b: str, rel: dict[str, Any]) -> None:
        if a == b or a not in H or b not in H:
            return
        if H.has_edge(a, b):
            H.edges[a, b]["rels"].append(rel)
        else:
            H.add_edge(a, b, rels=[rel])

    for a, b, d in G.edges(data=True):
        if d.get("kind") == "financement":
            continue
        add(a, b, dict(d, a=a, b=b))
    for g, gd in G.nodes(data=True):
        if gd.get("kind") != "funding":
            continue
        funders = [(a, d) for a, _, d in G.in_edges(g, data=True) if d.get("kind") == "financement"]
        targets = [(b, d) for _, b, d in G.out_edges(g, data=True) if d.get("kind") == "financement"]
        items = [b for b, _ in targets if G.nodes[b].get("kind") == "programme"]
        via_label = G.nodes[items[0]].get("label") if items else None
        for (funder, _fd), (target, td) in itertools.product(funders, targets):
            rel = dict(
                td,
                a=funder,
                b=target,
                via=g,
                via_label=via_label if target not in items else None,
                role="financeur",
                start=gd.get("start") or td.get("start"),
                end=gd.get("end") or td.get("end"),
                amount=gd.get("amount", td.get("amount")),  # the grant's own (a hand-built graph: its edge's)
            )
            add(funder, target, rel)
    return H


_KIND_WORDS = {
    "fr": "type(s) de relation inconnu(s) : {bad} ; utilisez {good}",
    "en": "unknown relation kind(s) {bad}; use {good}",
}


def _restricted(
    H: nx.Graph, kinds: Iterable[str] | None, as_of: str | int | None, lang: str = "fr"
) -> tuple[nx.Graph, set, Any]:
    ks, day = _kinds_day(kinds, as_of, lang)
    graph = _plain(H, ks, day)
    if graph is not None:
        return graph, ks, day
    node_ok, edge_ok = _filters(H, ks, day)
    return nx.subgraph_view(H, filter_node=node_ok, filter_edge=edge_ok), ks, day


def _kinds_day(kinds: Iterable[str] | None, as_of: str | int | None, lang: str) -> tuple[set, Any]:
    """The kinds followed (checked) and the day of *as_of* (None without)."""
    ks = set(kinds) if kinds else set(DEFAULT_KINDS)
    unknown = ks - set(EDGE_KINDS)
    if unknown:
        raise UnknownEntityError(
            _KIND_WORDS.get(lang, _KIND_WORDS["fr"]).format(bad=sorted(unknown), good=", ".join(EDGE_KINDS)),
            list(EDGE_KINDS),
        )
    return ks, as_of_day(as_of, lang=lang) if as_of is not None else None


def _plain(H: nx.Graph, ks: set, day: Any) -> nx.Graph | None:
    """The graph that holds exactly the edges followed, when there is one: *H* itself (every kind, no date)
    or its skeleton (the default kinds, no date); None when the edges must be filtered."""
    if ks == set(DEFAULT_KINDS) | {"territoire"} and day is None:
        return H
    skeleton = H.graph.get(SKELETON)
    if ks == set(DEFAULT_KINDS) and day is None and skeleton is not None and len(skeleton) == len(H):
        return skeleton
    return None


def _filters(H: nx.Graph, ks: set, day: Any) -> tuple[Callable[[str], bool], Callable[[str, str], bool]]:
    """Which nodes (existing at *day*) and edges (a relation of a kind in *ks* that may exist at *day*) are followed."""

    def node_ok(n: str) -> bool:
        d = H.nodes[n]
        return day is None or is_active(d.get("start"), d.get("end"), day)

    def edge_ok(a: str, b: str) -> bool:
        return any(_ok(r, ks, day) for r in H.edges[a, b]["rels"])

    return node_ok, edge_ok


def _rows(H: nx.Graph, ks: set, day: Any) -> tuple[Callable[[str], Iterable[str]], Callable[[str], bool]]:
    """The neighbours of a node among the edges followed, in *H*'s order (those of :func:`_restricted`'s
    graph or view, each row filtered once, when first asked for), and whether a node is followed."""
    graph = _plain(H, ks, day)
    if graph is not None:
        return graph._adj.__getitem__, graph._adj.__contains__  # type: ignore[attr-defined]
    node_ok, edge_ok = _filters(H, ks, day)
    adj = H._adj  # type: ignore[attr-defined]
    rows: dict[str, list[str]] = {}

    def neighbours(v: str) -> list[str]:
        row = rows.get(v)
        if row is None:
            row = rows[v] = [w for w in adj[v] if node_ok(w) and edge_ok(v, w)]
        return row

    return neighbours, lambda n: n in adj and node_ok(n)


def _network(graph: Any) -> nx.Graph:
    """*graph* as a chain graph (a projection: its :func:`chain_graph`; a store: :func:`cached_chain_graph`)."""
    if isinstance(graph, nx.MultiDiGraph):
        return chain_graph(graph)
    if isinstance(graph, nx.Graph):
        return graph
    return cached_chain_graph(graph)


#: key of the chain graph's ``graph`` holding its :func:`with_skeleton` (the default kinds' edges)
SKELETON = "kg_default_skeleton"


def with_skeleton(H: nx.Graph) -> nx.Graph:
    """*H* with, in ``H.graph``, the plain graph of its edges that have a relation of a default kind: what
    :func:`find_chains` and :func:`within` search with no ``kinds`` nor ``as_of``, instead of a view that
    filters every edge it steps on. Neighbours keep their order in *H*, so the chains found are the same.

    >>> H = nx.Graph()
    >>> H.add_edge("a", "b", rels=[{"kind": "adhesion"}]); H.add_edge("a", "t", rels=[{"kind": "territoire"}])
    >>> sorted(with_skeleton(H).graph[SKELETON].edges())
    [('a', 'b')]
    """
    kinds = set(DEFAULT_KINDS)
    S: nx.Graph[str] = nx.Graph()
    S.add_nodes_from(H)
    adj = S._adj  # type: ignore[attr-defined]  # rows filled here: add_edge would put a in b's row out of H's order
    for a, nbrs in H.adj.items():
        row = adj[a]
        for b, d in nbrs.items():
            if any(r["kind"] in kinds for r in d["rels"]):
                shared = adj[b].get(a)
                row[b] = shared if shared is not None else {}
    H.graph[SKELETON] = S
    return H


#: the shape of the stored chain graph; one written for another shape is built again
CHAIN_SHAPE = 2  # 2: with its skeleton


def cached_chain_graph(graph: Any) -> nx.Graph:
    """The :func:`chain_graph` of a store, written once by ``kg build`` beside it (``<store>.chains.pickle``).

    Built from the projection (:func:`~kg.network.projection.cached_project`) and saved when the
    store has none or a stale one (:mod:`kg.store.artefacts`); an endpoint's is built per call.
    Its name keys (:func:`kg.network.lookup.with_name_keys`) are stored with it.
    """
    from kg.store import artefacts

    store_path = artefacts.local_store(graph)
    H = artefacts.load(store_path, "chains", shape=CHAIN_SHAPE) if store_path else None
    if H is None:
        H = with_skeleton(with_name_keys(chain_graph(cached_project(graph))))
        if store_path:
            artefacts.save(store_path, "chains", H, shape=CHAIN_SHAPE)
            write_slim(store_path, H)
    return H


_UNKNOWN = {
    "fr": "Acteur ou programme inconnu : « {x} »",
    "en": 'Unknown actor or programme "{x}"',
}
_SEVERAL = {
    "fr": "« {x} » désigne plusieurs nœuds : {names} — donnez l'IRI",
    "en": '"{x}" names several nodes: {names} — pass the IRI',
}
_WITH_IRI = re.compile(r" <[^<>]+>$")


def _resolve(H: nx.Graph, text: str, lang: str) -> str:
    """:func:`kg.network.lookup.resolve`, its message in *lang* (with « vouliez-vous dire » in French)."""
    try:
        return resolve(H, text)
    except UnknownEntityError as exc:
        names = exc.suggestions
        lang = lang if lang in _UNKNOWN else "fr"
        if names and all(_WITH_IRI.search(n) for n in names):  # several nodes bear that name
            message = _SEVERAL[lang].format(x=text, names="; ".join(names))
        else:
            hint = suggestion(names[:3], lang=lang)
            message = _UNKNOWN[lang].format(x=text) + (f" — {hint}" if hint else "")
        raise UnknownEntityError(message, names) from None


def find_chains(
    G: Any,
    source: str,
    target: str,
    *,
    k: int = 3,
    max_hops: int = 6,
    kinds: Iterable[str] | None = None,
    as_of: str | int | None = None,
    lang: str = "fr",
) -> list[Chain]:
    """The *k* shortest chains from *source* to *target* (names or IRIs), each at most *max_hops* long.

    Parameters
    ----------
    G : kg.store.graph.Graph, kg.store.remote.RemoteGraph or networkx graph
        The opened graph (:func:`kg.open`: projected, the projection cached beside a local
        store), the projection (:func:`kg.network.projection.project`) or, faster when called
        many times, its :func:`chain_graph`.
    source, target : str
        Names (case- and accent-insensitive) or IRIs.
    k : int
        How many chains, shortest first.
    max_hops : int
        Longest chain returned.
    kinds : iterable of str, optional
        Relation kinds to follow (default: every kind but ``territoire``).
    as_of : str or int, optional
        Only what may have existed at that date (``2019``, ``2019-06``, ``2019-06-30``): relations
        and nodes dated after it, or ended before it, are left out. A relation without a date of
        its own is kept (it may have existed) and counted in :attr:`Chain.undated`; a dated
        relation is preferred to an undated one between the same two nodes.
    lang : {"fr", "en"}
        Language of the error messages (French by default).

    Raises
    ------
    UnknownEntityError
        For an unknown or ambiguous name (with suggestions) or relation kind.
    QueryError
        When *as_of* is not a date.
    """
    if not isinstance(G, nx.Graph):  # a store: its compact rows, when they can answer
        stored = stored_chains(G, source, target, k=k, max_hops=max_hops, kinds=kinds, as_of=as_of)
        if stored is not None:
            return stored
    H = _network(G)
    ks, day = _kinds_day(kinds, as_of, lang)
    s, t = _resolve(H, source, lang), _resolve(H, target, lang)
    neighbours, followed = _rows(H, ks, day)
    if not followed(s) or not followed(t):
        return []
    paths = shortest_simple_paths(neighbours, s, t, k=k, max_hops=max_hops)
    hops: dict[tuple[str, str], Hop] = {}  # chains often share hops: each made once

    def hop(a: str, b: str) -> Hop:
        h = hops.get((a, b))
        if h is None:
            h = hops[a, b] = _hop(H, a, b, ks, day)
        return h

    return [Chain(tuple(hop(a, b) for a, b in itertools.pairwise(path))) for path in paths]


def within(
    G: Any,
    source: str,
    hops: int = 2,
    *,
    kinds: Iterable[str] | None = None,
    as_of: str | int | None = None,
    lang: str = "fr",
) -> list[Near]:
    """Nodes within *hops* of *source*: :class:`Near` ``(iri, label, hops, undated)`` sorted by distance then label.

    *G* is any graph :func:`find_chains` takes (what ``kg chains SOURCE --within N`` prints); with
    *as_of*, ``undated`` is the fewest hops without a date of their own on a shortest way there
    (0 without *as_of*).
    """
    H = _network(G)
    view, ks, day = _restricted(H, kinds, as_of, lang)
    s = _resolve(H, source, lang)
    if s not in view:
        return []
    # a hop costs `step`, plus 1 when it has no date: the fewest hops first, then the fewest undated ones
    step = hops + 1

    def cost(a: str, b: str, _d: dict[str, Any]) -> int:
        return step + (day is not None and not _kept(H, a, b, ks, day)[0].get("start"))

    dist = nx.single_source_dijkstra_path_length(view, s, cutoff=hops * step + hops, weight=cost)
    rows = [
        Near(str(n), str(H.nodes[n].get("label", n)), int(d) // step, int(d) % step)
        for n, d in dist.items()
        if n != s
    ]
    return sorted(rows, key=lambda r: (r.hops, r.label))


def absent_at(G: Any, names: Iterable[str], as_of: str | int, lang: str = "fr") -> list[str]:
    """Why no chain can exist at *as_of*: one sentence per named node that, by its own dates, did not
    exist yet or no longer existed then (what ``kg chains --as-of`` adds to « Aucune chaîne trouvée »).

    >>> G = nx.Graph()
    >>> G.add_node("p", kind="actor", label="PEMB", start="2016"); G.add_node("r", kind="actor", label="Le RAMEAU")
    >>> absent_at(G, ["PEMB", "Le RAMEAU"], 1900)
    ["PEMB n'existait pas encore en 1900 (début : 2016)."]
    """
    H = _network(G)
    day = as_of_day(as_of, lang=lang)
    out = []
    for name in names:
        n = _resolve(H, name, lang)
        d = H.nodes[n]
        label, start, end = d.get("label", n), d.get("start"), d.get("end")
        if start and not is_active(start, None, day):
            out.append(
                f"{label} n'existait pas encore {at(as_of, lang)} (début : {start})."
                if lang == "fr"
                else f"{label} did not exist yet {at(as_of, lang)} (start: {start})."
            )
        elif end and not is_active(None, end, day):
            out.append(
                f"{label} n'existait plus {at(as_of, lang)} (fin : {end})."
                if lang == "fr"
                else f"{label} no longer existed {at(as_of, lang)} (end: {end})."
            )
    return out
