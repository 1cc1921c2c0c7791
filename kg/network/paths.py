"""The k shortest simple paths between two nodes, over any neighbour rows: what ``kg chains`` searches with.

:func:`shortest_simple_paths` is NetworkX's ``shortest_simple_paths`` (Yen's algorithm, unweighted, its
bidirectional BFS ``_bidirectional_pred_succ`` inside) step for step: the same fringes in the same order,
the same meeting node, the same candidates queued in the same order. So among equally short paths it
returns the same ones, in the same order, as NetworkX on a graph whose neighbours come in the same order.
It is faster on what :func:`kg.network.chains.find_chains` asks for, without changing the answer:

- the neighbours are read from plain rows (a NetworkX graph's adjacency dicts, or integer rows), with the
  edges to avoid kept per node rather than looked up as pairs for every neighbour;
- it stops at *k* paths instead of computing the candidates of a (k+1)-th;
- a spur search that could only give a path longer than *max_hops* stops at that depth: such a path
  would be the first one over the limit, where the caller stops anyway.

>>> rows = {"a": ["b", "c"], "b": ["a", "d"], "c": ["a", "d"], "d": ["b", "c", "e"], "e": ["d"]}
>>> shortest_simple_paths(rows.__getitem__, "a", "e", k=5)
[['a', 'b', 'd', 'e'], ['a', 'c', 'd', 'e']]
>>> shortest_simple_paths(rows.__getitem__, "a", "e", max_hops=2)
[]
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

__all__ = ["shortest_simple_paths"]

N = TypeVar("N", bound=Hashable)


def _meet(
    neighbours: Callable[[N], Iterable[N]],
    s: N,
    t: N,
    skip_nodes: set[N],
    banned: dict[N, set[N]],
    budget: int,
) -> list[N] | None:
    """A shortest path from *s* to *t* of at most *budget* edges avoiding *skip_nodes* and, from each node,
    the nodes *banned* from it: NetworkX's ``_bidirectional_pred_succ`` step for step (same fringe order,
    same meeting node), so the same path among equally short ones. None when there is none that short
    (after levels whose depths add up to *budget* without meeting, every path is longer)."""
    if s in skip_nodes or t in skip_nodes:
        return None
    if s == t:
        return [s]
    pred: dict[N, N | None] = {s: None}
    succ: dict[N, N | None] = {t: None}
    forward, reverse = [s], [t]
    depth = 0
    meet = None
    while forward and reverse:
        if depth >= budget:
            return None
        depth += 1
        if len(forward) <= len(reverse):
            level, forward = forward, []
            for v in level:
                out = banned.get(v)
                for w in neighbours(v):
                    if w in skip_nodes or (out is not None and w in out):
                        continue
                    if w not in pred:
                        forward.append(w)
                        pred[w] = v
                    if w in succ:
                        meet = w
                        break
                if meet is not None:
                    break
        else:
            level, reverse = reverse, []
            for v in level:
                out = banned.get(v)
                for w in neighbours(v):
                    if w in skip_nodes or (out is not None and w in out):
                        continue
                    if w not in succ:
                        succ[w] = v
                        reverse.append(w)
                    if w in pred:
                        meet = w
                        break
                if meet is not None:
                    break
        if meet is not None:
            break
    if meet is None:
        return None
    back: list[N] = []
    x: N | None = pred[meet]
    while x is not None:
        back.append(x)
        x = pred[x]
    path = back[::-1]
    x = meet
    while x is not None:
        path.append(x)
        x = succ[x]
    return path


def shortest_simple_paths(
    neighbours: Callable[[N], Iterable[N]],
    source: N,
    target: N,
    *,
    k: int | None = None,
    max_hops: int | None = None,
) -> list[list[N]]:
    """The first *k* simple paths from *source* to *target*, shortest first, each of at most *max_hops* edges.

    The same paths, in the same order, as taking from ``nx.shortest_simple_paths(G, source, target)``
    until *k* paths or one longer than *max_hops*, on a graph *G* where ``G.neighbors(v)`` yields
    ``neighbours(v)`` in that order (an undirected graph: each edge in both nodes' rows).

    Parameters
    ----------
    neighbours : callable
        A node's neighbours, in the graph's own order (``G._adj.__getitem__`` for a NetworkX graph).
    source, target : hashable
        Two nodes of the graph.
    k : int, optional
        How many paths at most (all by default).
    max_hops : int, optional
        Longest path returned (no limit by default).

    Returns
    -------
    list of list
        The paths, each from *source* to *target*; empty when none is short enough.
    """
    found: list[list[N]] = []
    if (k is not None and k <= 0) or (max_hops is not None and max_hops < 0):
        return found
    limit = -1 if max_hops is None else max_hops  # -1: no limit
    budget0 = limit if limit >= 0 else 1 << 62
    heap: list[tuple[int, int, list[N]]] = []
    queued: set[tuple[N, ...]] = set()
    counter = itertools.count()

    def push(cost: int, path: list[N]) -> None:
        key = tuple(path)
        if key not in queued:
            heapq.heappush(heap, (cost, next(counter), path))
            queued.add(key)

    first = _meet(neighbours, source, target, set(), {}, budget0)
    if first is not None:
        push(len(first), first)
    while heap:
        _, _, path = heapq.heappop(heap)
        queued.discard(tuple(path))
        if limit >= 0 and len(path) - 1 > limit:
            break
        found.append(path)
        if k is not None and len(found) >= k:
            break
        skip_nodes: set[N] = set()
        banned: dict[N, set[N]] = {}
        for i in range(1, len(path)):
            root = path[:i]
            for p in found:
                if p[:i] == root:
                    a, b = p[i - 1], p[i]
                    banned.setdefault(a, set()).add(b)
                    banned.setdefault(b, set()).add(a)
            # the candidate has i - 1 edges before its spur: a spur longer than the rest of the limit is not
            # searched for (NetworkX would queue that path, and stop when it comes out, first over the limit)
            budget = limit - (i - 1) if limit >= 0 else budget0
            spur = _meet(neighbours, root[-1], target, skip_nodes, banned, budget) if budget > 0 else None
            if spur is not None:
                push(i + len(spur), root[:-1] + spur)
            skip_nodes.add(root[-1])
    return found
