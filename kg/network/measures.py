"""What an analysis of the whole actor network measures whatever the question, measured once at build time.

``kg analyse`` of the whole graph asks the same communities (Leiden, fixed seed) and the same two
betweenness figures (the same pivots drawn with the same seed) of the same actor network on every call:
only the language and how many findings to tell (``--top``) change. :func:`with_measures` measures them
once, when ``kg build`` stores the actor network (:func:`kg.network.actors.stored_actor_graph`), and keeps
them in ``H.graph["measures"]``; :func:`stored_groups` and :func:`stored_betweenness` hand them back to
:mod:`kg.network.analysis` when they answer its call (the default pivots and seed, the automatic engine,
the same network), else ``None`` and the analysis measures as before. The figures are the ones the
analysis would compute, to the last bit: the same functions make them (``tests/test_analysis.py``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import networkx as nx

from kg.network.attributes import listed
from kg.network.brokerage import EXACT_BELOW, communities, cut_offs, graph_size, pivot_betweenness

__all__ = [
    "KEPT_TOP",
    "MEASURES_ABOVE",
    "MEASURES_SHAPE",
    "group_figures",
    "stored_betweenness",
    "stored_cut_offs",
    "stored_group",
    "stored_groups",
    "with_measures",
]

#: above this many actors the measures are kept with the stored network; below, measuring them at each call
#: costs well under a second (and the build of a small graph stays as it was)
MEASURES_ABOVE = EXACT_BELOW
#: the shape of ``H.graph["measures"]``: measures of another shape are not read
MEASURES_SHAPE = 2
#: the cut-offs of the first brokers and the figures of the first groups are kept for up to this many
#: (``kg analyse --top``); a larger --top counts them per call
KEPT_TOP = 100


def with_measures(H: nx.Graph, *, seed: int = 42, above: int = MEASURES_ABOVE) -> nx.Graph:
    """*H* with its communities and both betweenness figures of every node kept in ``H.graph["measures"]``.

    Measured as :func:`kg.network.analysis.analyse_network` measures them by default (``k=None``,
    ``engine="auto"``, *seed*): its communities of two members or more, the betweenness, and the
    cross-group betweenness of every node; the cut-offs of the first :data:`KEPT_TOP` brokers and the
    figures of the first :data:`KEPT_TOP` groups (:func:`group_figures`). Nothing is kept for a network of
    *above* actors or fewer.
    """
    if H.number_of_nodes() <= above:
        return H
    groups = [c for c in communities(H, seed=seed) if len(c) >= 2]
    bet, cross_of = pivot_betweenness(H, groups, seed=seed)
    nodes = H.nodes

    def label(v: str) -> str:  # as kg.network.analysis ranks brokers
        return str(nodes[v].get("label", v))

    # the brokers any --top up to KEPT_TOP tells, in the analysis' order, and the groups it describes
    best = [v for v in sorted(H, key=lambda v: (-bet.get(v, 0.0), label(v), v)) if bet.get(v, 0.0) > 0.0]
    context = H.graph.get("context")
    H.graph["measures"] = {
        "shape": MEASURES_SHAPE,
        "seed": seed,
        "size": graph_size(H),
        "groups": groups,
        "betweenness": bet,
        "cross": cross_of(sorted(H)),
        "cut_offs": cut_offs(H, best[:KEPT_TOP]),
        "group_figures": [group_figures(context, H, m) for m in groups[:KEPT_TOP]]
        if context is not None
        else [],
    }
    return H


def group_figures(G: nx.MultiDiGraph | nx.Graph, H: nx.Graph, members: list[str]) -> tuple[list[str], dict]:
    """A group's *members* ranked as the analysis tells them (most ties first, then by label and id), and how
    many of them work on each theme (their own themes and those of their activities, read in *G*)."""
    ranked = sorted(members, key=lambda v: (-H.degree(v), str(H.nodes[v].get("label", v)), v))
    activities = H.graph["activities"]
    counts: Counter[str] = Counter()
    for v in members:
        own = set(listed(H.nodes[v].get("themes")))
        for x in activities.get(v, ()):
            own |= set(listed(G.nodes[x].get("themes")))
        counts.update(own)
    return ranked, dict(counts)


def _kept(H: nx.Graph, k: int | None, seed: int | None, engine: str) -> dict[str, Any] | None:
    """The kept measures when they answer a call with *k*, *seed* (None: any) and *engine* on *H* as it is
    now."""
    kept = H.graph.get("measures")
    if kept is None or kept.get("shape") != MEASURES_SHAPE or k is not None or engine != "auto":
        return None
    if (seed is not None and kept["seed"] != seed) or kept["size"] != graph_size(H):
        return None
    return kept


def stored_groups(H: nx.Graph, *, seed: int = 42, engine: str = "auto") -> list[list[str]] | None:
    """The kept communities of two members or more (:func:`with_measures`), or ``None``."""
    kept = _kept(H, None, seed, engine)
    return None if kept is None else kept["groups"]


def stored_betweenness(
    H: nx.Graph, groups: list[list[str]], *, k: int | None = None, seed: int = 42, engine: str = "auto"
) -> tuple[dict[str, float], Callable[[Iterable[str]], dict[str, float]]] | None:
    """The kept figures as :func:`kg.network.brokerage.pivot_betweenness` returns them, or ``None`` (not kept,
    or kept for other pivots, another seed, another engine or other *groups*)."""
    kept = _kept(H, k, seed, engine)
    if kept is None or groups != kept["groups"]:
        return None
    cross: dict[str, float] = kept["cross"]

    def cross_of(nodes: Iterable[str]) -> dict[str, float]:
        return {v: cross[v] for v in nodes}

    return kept["betweenness"], cross_of


def stored_cut_offs(
    H: nx.Graph, nodes: list[str], *, engine: str = "auto"
) -> dict[str, tuple[int, int]] | None:
    """The kept :func:`kg.network.brokerage.cut_offs` of *nodes* when every one of them was kept, or ``None``."""
    kept = _kept(H, None, None, engine)
    found = kept.get("cut_offs", {}) if kept is not None else {}
    return {v: found[v] for v in nodes} if all(v in found for v in nodes) else None


def stored_group(H: nx.Graph, groups: list[list[str]], i: int) -> tuple[list[str], dict] | None:
    """The kept :func:`group_figures` of the *i*-th of *groups* when they are the kept ones, or ``None``."""
    kept = _kept(H, None, None, "auto")
    if kept is None or groups is not kept["groups"] or i >= len(kept.get("group_figures", ())):
        return None
    return kept["group_figures"][i]
