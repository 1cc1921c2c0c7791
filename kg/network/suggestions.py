"""Suggested links: actors not yet tied who share partners, themes or territories.

On the actor network (:func:`kg.network.actors.actor_graph`):

- **partners**: actors tied to both (a neighbour of both in the actor network);
- **themes**: an actor's own themes and those of the activities it is tied to (a participant of a
  youth programme works on youth);
- **territories**: where an actor works (its jurisdiction, seat or ``areaServed``) and where the
  activities it is tied to act.

A pair is suggested when it is not tied yet, shares at least one partner or territory (a theme
alone is shared across the whole country) and at least :data:`MIN_SHARED` things in all. Pairs
are ranked by a score (:data:`WEIGHTS`: a shared partner or territory weighs more than a theme),
then by their names, so the ranking is the same from run to run.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import operator
import os
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from kg.network import sweep
from kg.network.attributes import listed
from kg.network.brokerage import graph_size, neighbour_ids

__all__ = [
    "COMPILED_ABOVE",
    "EXACT_BELOW",
    "LINKS_SHAPE",
    "LINKS_TOP",
    "MAX_GROUP",
    "MIN_SHARED",
    "PER_ACTOR",
    "WEIGHTS",
    "LinkSearch",
    "LinkSetup",
    "Suggestion",
    "keep_search",
    "kept_search",
    "link_arrays",
    "link_context",
    "link_setup",
    "search_links",
    "suggest_links",
    "themes_and_places",
]

#: a pair needs at least this many shared partners, themes and territories in all: one shared theme
#: or one shared partner alone is what most pairs of a network have in common, not a reason to meet
MIN_SHARED = 2
#: weight of each shared partner, territory and theme in the ranking: a partner is a path
#: already walked (the usual "friend of a friend" link prediction), a territory a place to meet,
#: a theme the broadest reason
WEIGHTS = {"partners": 2.0, "territories": 1.5, "themes": 1.0}
#: in a crowded group (the actors of one territory, the partners of one actor) only this many
#: best-tied actors are paired, which keeps the cost linear in the number of groups
MAX_GROUP = 40


@dataclass(frozen=True)
class Suggestion:
    """Two actors not yet tied, what they share, and the score that ranks them."""

    a: str
    b: str
    partners: tuple[str, ...]
    themes: tuple[str, ...]
    territories: tuple[str, ...]
    score: float


def link_context(G: nx.MultiDiGraph, H: nx.Graph) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Each actor's themes and territories: its own and those of the activities it is tied to.

    The stored actor network of the whole graph carries them (``H.graph["link_context"]``, made with it
    at build time by :func:`kg.network.actors.actor_graph`); any other actor network has them read here.
    """
    kept = H.graph.get("link_context")
    if kept is not None and len(kept[0]) == len(kept[1]) == H.number_of_nodes():
        return kept
    return themes_and_places(G, H)


def themes_and_places(G: nx.MultiDiGraph, H: nx.Graph) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Each actor's themes and territories: its own and those of the activities it is tied to."""
    activities = H.graph.get("activities", {})
    themes: dict[str, set[str]] = {}
    places: dict[str, set[str]] = {}
    of_activity: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    # the same ``a|b`` texts come back on many nodes: each is split once
    split: dict[str, tuple[str, ...]] = {}

    def items(value: object) -> tuple[str, ...]:
        if not isinstance(value, str):
            return tuple(listed(value))
        found = split.get(value)
        if found is None:
            found = split[value] = tuple(listed(value))
        return found

    nodes = G.nodes
    for v, d in H.nodes(data=True):
        mine_t = themes[v] = set(items(d.get("themes")))
        mine_p = places[v] = set(items(d.get("territory")))
        for x in activities.get(v, ()):
            found = of_activity.get(x)
            if found is None:
                attrs = nodes[x]
                found = of_activity[x] = (items(attrs.get("themes")), items(attrs.get("territory")))
            mine_t.update(found[0])
            mine_p.update(found[1])
    return themes, places


def _best(members: Iterable[int], priority: list[int]) -> set[int]:
    """The :data:`MAX_GROUP` best-tied of *members* (most ties first, then by name: lowest *priority*)."""
    members = list(members)
    if len(members) <= MAX_GROUP:
        return set(members)
    return set(sorted(members, key=priority.__getitem__)[:MAX_GROUP])


#: above this many actors, each actor's candidates are weighed only for the :data:`PER_ACTOR` of them
#: sharing the most partners with it (ties by visiting order), which keeps the search to seconds on a
#: national graph; below, every candidate is weighed
EXACT_BELOW = 2000
#: see :data:`EXACT_BELOW`
PER_ACTOR = 10
#: above this many actors the candidates are visited by compiled code when numba is installed (below, loading
#: numba costs what it saves)
COMPILED_ABOVE = 20_000


#: the *top* of the search kept with the stored actor network (``kg analyse``'s default, :func:`keep_search`)
LINKS_TOP = 10
#: the shape of ``H.graph["links"]``: a kept search of another shape is not read
LINKS_SHAPE = 1


#: when the kept pairs pass this many, only the best *top* are kept and the others must beat them
_PRUNE_AT = 2_000


@dataclass(frozen=True)
class LinkSearch:
    """What :func:`search_links` found, and how far the search was bounded.

    ``capped_partners``: actors with more than :data:`MAX_GROUP` partners, of whom only the best-tied
    :data:`MAX_GROUP` were paired through them; ``capped_territories``: territories with more than
    :data:`MAX_GROUP` actors, likewise; ``narrowed``: actors (of a network over :data:`EXACT_BELOW`
    actors) of whose candidates only the :data:`PER_ACTOR` sharing the most partners were weighed.
    All 0: every pair sharing a partner or territory was weighed.
    """

    suggestions: list[Suggestion]
    capped_partners: int
    capped_territories: int
    narrowed: int = 0
    max_group: int = MAX_GROUP
    per_actor: int = PER_ACTOR


def suggest_links(G: nx.MultiDiGraph, H: nx.Graph, *, top: int = 10) -> list[Suggestion]:
    """Pairs of actors of *H* not yet tied, sharing partners, themes or territories; best first.

    The suggestions of :func:`search_links` (which also says how far the search was bounded).
    """
    return search_links(G, H, top=top).suggestions


def search_links(G: nx.MultiDiGraph, H: nx.Graph, *, top: int = 10, engine: str = "auto") -> LinkSearch:
    """Pairs of actors of *H* not yet tied, sharing partners, themes or territories; best first.

    Candidates are the actors two steps away (through a partner) and the actors of the same
    territory; in a crowded group (a partner's contacts, a territory's actors) only the
    :data:`MAX_GROUP` best-tied are paired, which keeps the cost linear in the number of groups.
    Each candidate pair is scored exactly (all its shared partners, territories and themes); a pair
    whose best possible score cannot reach the current *top* is skipped unscored.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projection (themes and territories of the activities).
    H : networkx.Graph
        Its actor network (:func:`kg.network.actors.actor_graph`).
    top : int
        How many to return.
    engine : {"auto", "python", "compiled"}
        The visit of the candidates in Python, or compiled by numba (:mod:`kg.network.link_kernels`, the
        same steps on integer arrays, the same findings); ``"auto"``: compiled above
        :data:`COMPILED_ABOVE` actors when numba is installed and ``KG_SWEEP`` is not ``off``.

    Returns
    -------
    LinkSearch
        The suggestions, ranked by score, then by the two actors' labels and ids; and how many
        crowded partners and territories were capped.
    """
    if engine == "auto":
        kept = kept_search(H, top=top)
        if kept is not None:
            return kept
    compiled = engine == "compiled" or (engine == "auto" and H.number_of_nodes() > COMPILED_ABOVE)
    if compiled and 1 <= top <= _PRUNE_AT and sweep.available():
        from kg.network.link_arrays import compiled_visit, kept_arrays

        # the arrays kept with the stored actor network (made at build time), else made here
        arrays = kept_arrays(H) or link_arrays(G, H)
        pairs, narrowed = compiled_visit(
            arrays, top=top, prune_at=_PRUNE_AT, per_actor=PER_ACTOR, weights=WEIGHTS, min_shared=MIN_SHARED
        )
        order, capped = arrays["order"], arrays["capped"]
    else:
        s = link_setup(G, H)
        pairs, narrowed = _visit(
            s.visit, s.rank, s.reach, s.near, s.later, s.crowded, s.pairable, s.same_place, s.hubs, s.places,
            s.themes, s.label, bounded=s.bounded, top=top,
        )  # fmt: skip
        order, capped = s.order, s.capped
    themes_of, places_of = link_context(G, H)
    found = []
    for score, a, b in pairs:
        x, y = order[a], order[b]
        found.append(
            Suggestion(
                x,
                y,
                tuple(sorted(set(H[x]) & set(H[y]))),
                tuple(sorted(themes_of[x] & themes_of[y])),
                tuple(sorted(places_of[x] & places_of[y])),
                score,
            )
        )
    return LinkSearch(found, capped_partners=capped[0], capped_territories=capped[1], narrowed=narrowed)


def keep_search(H: nx.Graph, search: LinkSearch, *, top: int = LINKS_TOP) -> None:
    """Keep *search*, the default search of the actor network *H* (``search_links(G, H, top=top)``), with
    *H* (``H.graph["links"]``): ``kg build`` does it when it stores the whole network, so that ``kg analyse``
    of the whole graph reads its suggested links instead of visiting (and, on a first run, compiling)."""
    H.graph["links"] = {"shape": LINKS_SHAPE, "size": graph_size(H), "top": top, "search": search}


def kept_search(H: nx.Graph, *, top: int) -> LinkSearch | None:
    """The search kept with *H* (:func:`keep_search`) when it answers *top* on *H* as it is now, else ``None``.
    Not read with ``KG_SWEEP=off``: that baseline visits in Python, and its findings must be the same."""
    kept = H.graph.get("links")
    if kept is None or os.environ.get("KG_SWEEP") == "off":
        return None
    if kept.get("shape") != LINKS_SHAPE or kept["top"] != top or kept["size"] != graph_size(H):
        return None
    search: LinkSearch = kept["search"]
    return search


@dataclass(frozen=True)
class LinkSetup:
    """What the visit of :func:`search_links` reads, whatever *top*: actors as integers (their sorted order),
    their partners, groups and context as sets, the visiting order and each actor's best reachable score."""

    order: list[str]
    near: list[set[int]]
    crowded: list[bool]
    pairable: list[set[int]]
    hubs: list[set[int]]
    themes: list[set[str]]
    places: list[set[str]]
    same_place: list[set[int]]
    label: list[str]
    reach: list[float]
    visit: list[int]
    rank: list[int]
    later: list[list[int]]
    bounded: bool
    capped: tuple[int, int]


def link_setup(G: nx.MultiDiGraph, H: nx.Graph) -> LinkSetup:
    """The set-up of :func:`search_links`: everything its visit reads that does not depend on *top*."""
    themes_of, places_of = link_context(G, H)
    order, adjacency = neighbour_ids(H)
    index = {v: i for i, v in enumerate(order)}  # integers: quicker to compare and hash than IRIs
    near = [set(nb) for nb in adjacency]
    crowded = [len(nb) > MAX_GROUP for nb in near]
    # most ties first, then by name (the order of the ids): one integer to sort on
    most = max(map(len, near), default=0)
    priority = [(most - len(nb)) * len(order) + i for i, nb in enumerate(near)]
    pairable = [_best(nb, priority) if crowded[i] else nb for i, nb in enumerate(near)]
    # each actor's crowded partners: the shared ones are counted apart (the others through the pairs)
    crowds = {i for i, c in enumerate(crowded) if c}
    hubs = [nb & crowds for nb in near] if crowds else [set() for _ in near]
    themes = [themes_of[v] for v in order]
    places = [places_of[v] for v in order]
    by_place: dict[str, list[str]] = defaultdict(list)
    for v in order:
        for t in places_of[v]:
            by_place[t].append(v)
    same_place: list[set[int]] = [set() for _ in order]
    for members in by_place.values():
        best = _best((index[u] for u in members), priority)
        for i in best:
            same_place[i] |= best
    labels = dict(H.nodes(data="label"))
    label = [str(labels[v] or v) for v in order]
    # the best score any pair of a can reach: every partner of a shared, and all its places and
    # themes. Actors are visited best first, so the floor rises early and the visit stops once no
    # actor left can reach it; each pair is weighed once, from the end visited first
    reach = [
        WEIGHTS["partners"] * len(near[a])
        + WEIGHTS["territories"] * len(places[a])
        + WEIGHTS["themes"] * len(themes[a])
        for a in range(len(order))
    ]
    visit = sorted(range(len(order)), key=lambda a: (-reach[a], a))
    rank = [0] * len(order)
    for r, a in enumerate(visit):
        rank[a] = r
    # each actor's partners by visiting rank: those visited after a are the tail past a's rank
    later = [sorted(map(rank.__getitem__, nb)) for nb in adjacency]
    capped = (sum(crowded), sum(1 for members in by_place.values() if len(members) > MAX_GROUP))
    return LinkSetup(
        order, near, crowded, pairable, hubs, themes, places, same_place, label, reach, visit, rank, later,
        len(order) > EXACT_BELOW, capped,
    )  # fmt: skip


def link_arrays(G: nx.MultiDiGraph, H: nx.Graph) -> dict[str, Any]:
    """:func:`link_setup` as the integer arrays of the compiled visit (:mod:`kg.network.link_arrays`; numpy
    needed): what ``kg build`` keeps with the stored actor network."""
    from kg.network.link_arrays import as_arrays

    return as_arrays(link_setup(G, H), size=graph_size(H))


def _visit(
    visit: list[int],
    rank: list[int],
    reach: list[float],
    near: list[set[int]],
    later: list[list[int]],
    crowded: list[bool],
    pairable: list[set[int]],
    same_place: list[set[int]],
    hubs: list[set[int]],
    places: list[set[str]],
    themes: list[set[str]],
    label: list[str],
    *,
    bounded: bool,
    top: int,
) -> tuple[list[tuple[float, int, int]], int]:
    """The visit of :func:`search_links` in Python: the best *top* pairs ``(score, a, b)``, ``a < b``,
    best first, and how many actors' candidates were narrowed."""
    ranked: list[tuple[float, str, str, int, int]] = []
    floor = 0.0
    narrowed = 0
    for ra, a in enumerate(visit):
        if reach[a] < floor:
            break  # no actor left can reach the floor
        mine = near[a]
        my_hubs = hubs[a]
        room_a, topics_a = len(places[a]), len(themes[a])
        # the most b can add to twice its count below: a's crowded partners, places and themes
        extra = (
            WEIGHTS["partners"] * len(my_hubs)
            + WEIGHTS["territories"] * room_a
            + WEIGHTS["themes"] * topics_a
        )
        least = (floor - extra) / WEIGHTS["partners"]
        # shared partners, by the rank of the other actor: counted once per shared partner w that is
        # not crowded; a crowded w only brings its best-tied contacts in as candidates, and is counted
        # with the hubs below. Candidates with no such partner matter only while the floor is low
        tails = [later[w] for w in mine if not crowded[w]]
        count: Counter[int] = Counter(
            itertools.chain.from_iterable(t[bisect.bisect_right(t, ra) :] for t in tails)
        )
        if least <= 0:  # candidates with no shared partner (setdefault: an insertion, as `+= 0` was)
            add = count.setdefault
            for w in mine:
                if crowded[w] and a in pairable[w]:
                    for rb in map(rank.__getitem__, pairable[w]):
                        if rb > ra:
                            add(rb, 0)
            for rb in map(rank.__getitem__, same_place[a]):
                if rb > ra:
                    add(rb, 0)
        items: Iterable[tuple[int, int]] = count.items()
        if bounded and len(count) > PER_ACTOR:
            for b in mine:
                count.pop(rank[b], None)
            # the same as sorted(…, reverse=True)[:PER_ACTOR], ties in insertion order, without sorting all
            items = heapq.nlargest(PER_ACTOR, count.items(), key=operator.itemgetter(1))
            narrowed += len(count) > PER_ACTOR
        for rb, shared in items:
            if shared < least:
                continue
            b = visit[rb]
            if b in mine:
                continue
            partners = shared + len(my_hubs & hubs[b]) if my_hubs and hubs[b] else shared
            # the best score b could reach: skip it without comparing places and themes
            bound = (
                WEIGHTS["partners"] * partners
                + WEIGHTS["territories"] * min(room_a, len(places[b]))
                + WEIGHTS["themes"] * min(topics_a, len(themes[b]))
            )
            if bound < floor:
                continue
            territories = len(places[a] & places[b]) if room_a else 0
            if not partners and not territories:
                continue
            shared_themes = len(themes[a] & themes[b]) if topics_a else 0
            if partners + territories + shared_themes < MIN_SHARED:
                continue
            score = (
                WEIGHTS["partners"] * partners
                + WEIGHTS["territories"] * territories
                + WEIGHTS["themes"] * shared_themes
            )
            if score < floor:
                continue
            x, y = (a, b) if a < b else (b, a)
            ranked.append((-score, label[x], label[y], x, y))
            if len(ranked) > _PRUNE_AT:
                ranked = heapq.nsmallest(top, ranked)
                floor = -ranked[-1][0]
                least = (floor - extra) / WEIGHTS["partners"]
    return [(-neg, a, b) for neg, _, _, a, b in heapq.nsmallest(top, ranked)], narrowed
