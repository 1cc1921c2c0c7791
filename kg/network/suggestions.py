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

import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass

import networkx as nx

__all__ = ["MAX_GROUP", "MIN_SHARED", "WEIGHTS", "Suggestion", "suggest_links"]

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


def _context(G: nx.MultiDiGraph, H: nx.Graph) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Each actor's themes and territories: its own and those of the activities it is tied to."""
    activities = H.graph.get("activities", {})
    themes: dict[str, set[str]] = {}
    places: dict[str, set[str]] = {}
    for v in H:
        themes[v] = set(H.nodes[v].get("themes") or ())
        places[v] = set(H.nodes[v].get("territory") or ())
        for x in activities.get(v, ()):
            themes[v] |= set(G.nodes[x].get("themes") or ())
            places[v] |= set(G.nodes[x].get("territory") or ())
    return themes, places


def _best(H: nx.Graph, members: list[str]) -> list[str]:
    if len(members) <= MAX_GROUP:
        return sorted(members)
    return sorted(sorted(members, key=lambda m: (-H.degree(m), m))[:MAX_GROUP])


#: when the kept pairs pass this many, only the best *top* are kept (bounded memory on a national graph)
_PRUNE_AT = 50_000


def suggest_links(G: nx.MultiDiGraph, H: nx.Graph, *, top: int = 10) -> list[Suggestion]:
    """Pairs of actors of *H* not yet tied, sharing partners, themes or territories; best first.

    Candidates are the actors two steps away (through a partner) and the actors of the same
    territory; in a crowded group (a partner's contacts, a territory's actors) only the
    :data:`MAX_GROUP` best-tied are paired, which keeps the cost linear in the number of groups.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projection (themes and territories of the activities).
    H : networkx.Graph
        Its actor network (:func:`kg.network.actors.actor_graph`).
    top : int
        How many to return.

    Returns
    -------
    list of Suggestion
        Ranked by score, then by the two actors' labels and ids.
    """
    themes_of, places_of = _context(G, H)
    order = sorted(H)
    index = {v: i for i, v in enumerate(order)}  # integers: quicker to compare and hash than IRIs
    near = [{index[u] for u in H[v]} for v in order]
    pairable = [
        near[i] if len(near[i]) <= MAX_GROUP else {index[u] for u in _best(H, list(H[v]))}
        for i, v in enumerate(order)
    ]
    themes = [themes_of[v] for v in order]
    places = [places_of[v] for v in order]
    by_place: dict[str, list[str]] = defaultdict(list)
    for v in order:
        for t in places_of[v]:
            by_place[t].append(v)
    same_place: list[set[int]] = [set() for _ in order]
    for members in by_place.values():
        best = {index[u] for u in _best(H, members)}
        for i in best:
            same_place[i] |= best
    label = [str(H.nodes[v].get("label") or v) for v in order]
    ranked: list[tuple[float, str, str, int, int]] = []
    floor = 0.0
    for a in range(len(order)):
        mine = near[a]
        # partners of a and b, counted once per shared partner w (exact unless a crowded w was capped)
        count: Counter[int] = Counter()
        capped = False
        for w in mine:
            if a in pairable[w]:
                count.update(pairable[w])
            capped = capped or len(pairable[w]) < len(near[w])
        for b in same_place[a]:
            count[b] += 0
        room_a, topics_a = len(places[a]), len(themes[a])
        for b, partners in count.items():
            if b <= a or b in mine:
                continue
            if capped:
                partners = len(mine & near[b])
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
            ranked.append((-score, label[a], label[b], a, b))
            if len(ranked) > _PRUNE_AT:
                ranked = heapq.nsmallest(top, ranked)
                floor = -ranked[-1][0]
    found = []
    for neg, _, _, a, b in heapq.nsmallest(top, ranked):
        found.append(
            Suggestion(
                order[a],
                order[b],
                tuple(sorted(order[i] for i in near[a] & near[b])),
                tuple(sorted(themes[a] & themes[b])),
                tuple(sorted(places[a] & places[b])),
                -neg,
            )
        )
    return found
