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

import itertools
from collections import defaultdict
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


def suggest_links(G: nx.MultiDiGraph, H: nx.Graph, *, top: int = 10) -> list[Suggestion]:
    """Pairs of actors of *H* not yet tied, sharing partners, themes or territories; best first.

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
    themes, places = _context(G, H)
    candidates: set[tuple[str, str]] = set()
    by_place: dict[str, list[str]] = defaultdict(list)
    for v in sorted(H):
        for t in places[v]:
            by_place[t].append(v)
    for t in sorted(by_place):
        candidates.update(itertools.combinations(_best(H, by_place[t]), 2))
    for w in sorted(H):
        candidates.update(itertools.combinations(_best(H, list(H[w])), 2))
    found = []
    for a, b in sorted(candidates):
        if H.has_edge(a, b):
            continue
        partners = tuple(sorted(set(H[a]) & set(H[b])))
        territories = tuple(sorted(places[a] & places[b]))
        if not partners and not territories:
            continue
        shared_themes = tuple(sorted(themes[a] & themes[b]))
        if len(partners) + len(territories) + len(shared_themes) < MIN_SHARED:
            continue
        score = (
            WEIGHTS["partners"] * len(partners)
            + WEIGHTS["territories"] * len(territories)
            + WEIGHTS["themes"] * len(shared_themes)
        )
        found.append(Suggestion(a, b, partners, shared_themes, territories, score))

    def label(v: str) -> str:
        return str(H.nodes[v].get("label") or v)

    found.sort(key=lambda s: (-s.score, label(s.a), label(s.b), s.a, s.b))
    return found[:top]
