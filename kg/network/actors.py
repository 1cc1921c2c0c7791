"""The actor network: which actors are tied to each other, directly or through a shared activity.

This is the graph every measure of :mod:`kg.network.analysis` runs on (brokers, communities,
isolated actors, suggested links). It is the bipartite projection of actors by activities of the
NetworkX projection (:func:`kg.network.projection.project`), plus the direct ties:

- **nodes**: the actors (projection kind ``actor``, collective actors marked ``group`` included);
- **a tie** joins two actors when a relation joins them directly (adhesion, soutien, fondation,
  unite, inspiration… any kind but ``territoire``), or when both are tied to the same
  **activity** — a programme, funding, event or publication (:data:`ACTIVITY_KINDS`) — by any
  relation but ``territoire``, in either direction: participant, funder or recipient of a grant,
  organiser, speaker or participant of an event, author, publisher or subject of a publication;
- **persons** count through the organisation of their post (kind ``poste``): a person's other
  ties are ties of that organisation, and two organisations sharing a person are tied. A person
  with no post in the network is left out (counted in ``H.graph["persons"]``). Persons are people
  acting for an organisation; the catalysts' questions are about organisations;
- **activities are never nodes**, so a programme, a funding, an event or a publication is never
  a broker. A relation between two activities (a programme part of, continuing or inspired by
  another, a grant for a programme, a publication about a programme) does not tie the actors
  of the one to the actors of the other: sharing a programme is a tie, taking part in a
  neighbouring one is not. Nor does a programme modelled on an actor (``inspiration``) make that
  actor one of the programme's actors; between two actors, an inspiration is a direct tie.

>>> import networkx as nx

from kg.network.brokerage import keep_igraph
>>> G = nx.MultiDiGraph()
>>> for n, kind in [("a", "actor"), ("b", "actor"), ("c", "actor"), ("p", "programme"), ("pub", "publication")]:
...     G.add_node(n, kind=kind, label=n.upper())
>>> _ = G.add_edge("a", "p", kind="participation")
>>> _ = G.add_edge("b", "p", kind="participation")
>>> _ = G.add_edge("c", "pub", kind="publication")
>>> _ = G.add_edge("pub", "a", kind="sujet")
>>> H = actor_graph(G)
>>> sorted(H.edges())
[('a', 'b'), ('a', 'c')]
>>> H.graph["activities"]["a"]
('p', 'pub')
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, cast

import networkx as nx

from kg.network.brokerage import keep_igraph

__all__ = [
    "ACTIVITY_KINDS",
    "ACTORS_SHAPE",
    "ACTOR_KIND",
    "NOT_A_TIE",
    "NOT_TAKING_PART",
    "actor_graph",
    "cached_actor_graph",
    "stored_actor_graph",
]

#: node kinds of the projection that are shared activities: they tie their actors, never brokers
ACTIVITY_KINDS = frozenset({"programme", "funding", "event", "publication"})
#: the node kind of the actor network's nodes
ACTOR_KIND = "actor"
#: edge kinds that are not ties between actors (where an actor works is context, not an alliance)
NOT_A_TIE = frozenset({"territoire"})
#: edge kinds that tie two actors directly but do not make an actor one of an activity's actors: a
#: programme modelled on an actor (AET on the Labo des partenariats de Strasbourg) does not make that
#: actor a partner of everyone in the programme
NOT_TAKING_PART = frozenset({"inspiration"})


def actor_graph(G: nx.MultiDiGraph, *, keep: set[str] | None = None) -> nx.Graph:
    """The actor network of the projection *G* (see the module docstring for what a tie is).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projection (:func:`kg.network.projection.project`).
    keep : set of str, optional
        Only these actors and activities (e.g. a territory's ecosystem): an activity not kept
        ties nobody. A person counts when the organisation of their post is kept.

    Returns
    -------
    networkx.Graph
        Undirected, one node per actor (with the projection's attributes), nodes and edges
        inserted in sorted order so that every measure is the same from run to run.
        ``H.graph["activities"]``: actor → the kept activities it is tied to (sorted);
        ``H.graph["persons"]``: how many persons were counted through a post, and left out.
    """
    kinds = {n: d.get("kind") for n, d in G.nodes(data=True)}
    actors = sorted(n for n, k in kinds.items() if k == ACTOR_KIND and (keep is None or n in keep))
    # actors as integers in sorted order: a pair (i, j), i < j, sorts as the pair of names does
    index = {n: i for i, n in enumerate(actors)}
    # the edges that may tie actors, read once from the projection
    by_kind = cast(Iterable[tuple[str, str, Any]], G.edges(data="kind"))
    edges_in = [(a, b, k) for a, b, k in by_kind if k not in NOT_A_TIE and a != b]
    posts: dict[str, set[int]] = defaultdict(set)
    for a, b, kind in edges_in:
        if kind == "poste" and kinds.get(a) == "person" and b in index:
            posts[a].add(index[b])
    # the persons of the selection: all of them, or those kept or holding a post in a kept actor
    persons = [n for n, k in kinds.items() if k == "person" and (keep is None or n in keep or posts.get(n))]
    nobody: set[int] = set()

    def as_actors(n: str) -> set[int]:
        i = index.get(n)
        if i is not None:
            return {i}
        return posts.get(n, nobody) if kinds.get(n) == "person" else nobody

    n_actors = len(actors)
    pairs: set[int] = set()  # i * n + j for a tie between actors i < j
    members: dict[str, set[int]] = defaultdict(set)
    for a, b, kind in edges_in:
        a_act, b_act = kinds.get(a) in ACTIVITY_KINDS, kinds.get(b) in ACTIVITY_KINDS
        if a_act and b_act:
            continue  # activity–activity: not a tie between their actors
        if a_act or b_act:
            activity, other = (a, b) if a_act else (b, a)
            if kind not in NOT_TAKING_PART and (keep is None or activity in keep):
                members[activity] |= as_actors(other)
            continue
        for x in as_actors(a):
            for y in as_actors(b):
                if x != y:
                    pairs.add(x * n_actors + y if x < y else y * n_actors + x)
    activities: dict[int, list[str]] = defaultdict(list)
    for activity in sorted(members):
        tied = sorted(members[activity])
        for x in tied:
            activities[x].append(activity)
        pairs.update(x * n_actors + y for x, y in itertools.combinations(tied, 2))
    edges = [divmod(p, n_actors) for p in sorted(pairs)]
    H: nx.Graph[str] = nx.Graph()
    H.add_nodes_from((n, G.nodes[n]) for n in actors)
    H.add_edges_from((actors[x], actors[y]) for x, y in edges)
    H.graph["activities"] = {n: tuple(activities.get(i, ())) for i, n in enumerate(actors)}
    H.graph["persons"] = {
        "through_a_post": sum(1 for p in persons if posts.get(p)),
        "left_out": sum(1 for p in persons if not posts.get(p)),
    }
    keep_igraph(H, actors, edges)
    if keep is None:
        from kg.network.growth import growth

        # what an analysis of the whole graph reads of the projection besides the actors, kept with
        # them: ``kg analyse`` then loads this network alone, not the projection
        H.graph["context"] = context_graph(G, H)
        H.graph["growth"] = growth(G)
        from kg.network.suggestions import themes_and_places

        # each actor's themes and territories, as the suggested links read them (1.7 s at 100,000 actors)
        H.graph["link_context"] = themes_and_places(G, H)
    return H


#: the node attributes an analysis reads of an activity or a territory (:func:`context_graph`)
CONTEXT_ATTRIBUTES = ("kind", "label", "themes", "territory")


def context_graph(G: nx.MultiDiGraph, H: nx.Graph) -> nx.Graph:
    """What an analysis of *H* reads of its projection *G*, as a small graph with no edges: the activities
    of *H*'s actors (their themes and territories), the territories of those actors and activities (their
    labels), only :data:`CONTEXT_ATTRIBUTES`, and the labels of the concepts (``G.graph``)."""
    from kg.network.attributes import listed

    C: nx.Graph[str] = nx.Graph()
    if "concept_labels" in G.graph:
        C.graph["concept_labels"] = G.graph["concept_labels"]
    acts = sorted({x for xs in H.graph["activities"].values() for x in xs})
    nodes = G.nodes

    def kept(d: dict[str, Any]) -> dict[str, Any]:
        return {k: d[k] for k in CONTEXT_ATTRIBUTES if k in d}

    C.add_nodes_from((x, kept(nodes[x])) for x in acts)
    places: set[str] = set()
    for d in itertools.chain((d for _, d in H.nodes(data=True)), (nodes[x] for x in acts)):
        places.update(listed(d.get("territory")))
    C.add_nodes_from((t, kept(nodes[t])) for t in sorted(places) if t in nodes and t not in C)
    return C


#: the shape of the stored actor network; one written for another shape is built again (2: with its
#: context and growth; 3: with each actor's themes and territories for the suggested links; 4: with its
#: communities and betweenness figures, :mod:`kg.network.measures`)
ACTORS_SHAPE = 4


def stored_actor_graph(G: nx.MultiDiGraph) -> nx.Graph:
    """:func:`actor_graph` of the whole projection *G* as ``kg build`` stores it: with the measures every
    ``kg analyse`` of the whole graph asks of it whatever the question (communities, both betweenness
    figures: :func:`kg.network.measures.with_measures`) and the set-up of the suggested links' compiled visit
    (:func:`kg.network.suggestions.link_arrays`), measured once here instead of on every call."""
    from kg.network import sweep
    from kg.network.measures import with_measures
    from kg.network.suggestions import COMPILED_ABOVE, keep_search, link_arrays, search_links

    H = with_measures(actor_graph(G))
    if H.number_of_nodes() > COMPILED_ABOVE and sweep.available():
        # the suggested links' set-up, as the arrays their compiled visit reads (kg.network.link_arrays)
        H.graph["link_arrays"] = link_arrays(G, H)
        # the default search (kg analyse's --top 10), kept: the whole-graph kg analyse reads it and neither
        # imports numba nor compiles; this visit also compiles the kernel into numba's cache (about 4 s of
        # CPU once per install and checkout, else 0.3 s at 100,000 actors) for any other --top
        keep_search(H, search_links(G, H, engine="compiled"))
    return H


def cached_actor_graph(graph: Any, G: nx.MultiDiGraph | None = None) -> nx.Graph:
    """:func:`actor_graph` of the whole projection *G* of *graph*, written once by ``kg build`` beside a
    local store (``<store>.actors.pickle``, with its igraph twin, its context and growth): loading it is
    several times faster than making it, and spares loading the projection. A store without it (or with a
    stale one) has it made from *G* (the cached projection when not given) and saved; for an endpoint it
    is made per call.
    """
    from kg.store import artefacts

    store_path = artefacts.local_store(graph)
    H = artefacts.load(store_path, "actors", shape=ACTORS_SHAPE) if store_path else None
    if H is None:
        if G is None:
            from kg.network.projection import cached_project

            G = cached_project(graph)
        H = stored_actor_graph(G)
        if store_path:
            artefacts.save(store_path, "actors", H, shape=ACTORS_SHAPE)
    return H
