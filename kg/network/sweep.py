"""One Brandes sweep per pivot for both the betweenness and the cross-group betweenness (numba, optional).

:func:`kg.network.brokerage.betweenness` and :func:`kg.network.brokerage.cross_group_betweenness`
estimated from the same pivots used to cost two igraph traversals per pivot, plus one per igraph call
(one call per group holding pivots): igraph sums each source's dependencies over one set of targets
per call, and the cross-group figure needs, for each pivot, the targets outside its own group. Here one
breadth-first search per pivot accumulates both dependencies at once, compiled by numba when it is
installed (``pip install territorial-kg[national]``); without it, the igraph calls stay.

**Same figures to the last bit.** The sweep does igraph's arithmetic in igraph's order (breadth-first
over neighbours in increasing id, dependencies popped in reverse visiting order, ``coeff = (1 + delta[w]) /
sigma[w]`` for a target, ``delta[w] / sigma[w]`` otherwise, ``delta[v] += sigma[v] · coeff``, each source's dependencies
added in the order the sources are given, halved for an undirected graph), and the cross-group sums are
added call by call in the order the igraph calls were made; ``tests/test_analysis.py`` checks both give
bit-identical floats. ``KG_SWEEP=off`` in the environment uses the igraph calls even with numba installed
(the baseline ``benchmarks/bench_national.py`` measures in the same run).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from typing import Any

__all__ = ["available", "pivot_sweeps"]

#: above this many floats (pivots times nodes) the per-pivot cross-group dependencies are not kept: the
#: igraph calls are used instead (800 MB of float64)
MAX_KEPT = 100_000_000

_compiled: Any = None


def available() -> bool:
    """Whether numba is installed and the sweep is not turned off (``KG_SWEEP=off``); else the callers use
    igraph."""
    if os.environ.get("KG_SWEEP") == "off":
        return False
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def _kernel() -> Any:
    """The compiled sweep (compiled once per process; numba caches the machine code on disk)."""
    global _compiled
    if _compiled is not None:
        return _compiled
    import numba
    import numpy as np

    @numba.njit(cache=True, nogil=True)
    def sweeps(indptr, indices, sources, part, kept):  # pragma: no cover - compiled, checked by its results
        n = len(indptr) - 1
        k = len(sources)
        bet = np.zeros(n)
        cross = np.zeros((k, n)) if kept else np.zeros((0, n))
        dist = np.full(n, -1, dtype=np.int32)
        sigma = np.zeros(n)
        delta = np.zeros(n)
        delta_x = np.zeros(n)
        queue = np.empty(n, dtype=np.int32)
        for si in range(k):
            s = sources[si]
            head = 0
            tail = 1
            queue[0] = s
            dist[s] = 0
            sigma[s] = 1.0
            while head < tail:
                v = queue[head]
                head += 1
                dv = dist[v] + 1
                for e in range(indptr[v], indptr[v + 1]):
                    w = indices[e]
                    if dist[w] < 0:
                        dist[w] = dv
                        queue[tail] = w
                        tail += 1
                    if dist[w] == dv:
                        sigma[w] += sigma[v]
            own = part[s]
            for i in range(tail - 1, -1, -1):
                w = queue[i]
                coeff = (1 + delta[w]) / sigma[w]
                # a target of another group counts its own path, as igraph's is_target
                coeff_x = (1 + delta_x[w]) / sigma[w] if part[w] != own else delta_x[w] / sigma[w]
                up = dist[w] - 1
                for e in range(indptr[w], indptr[w + 1]):
                    v = indices[e]
                    if dist[v] == up:
                        delta[v] += sigma[v] * coeff
                        delta_x[v] += sigma[v] * coeff_x
                if w != s:
                    bet[w] += delta[w]
                    if kept:
                        cross[si, w] = delta_x[w]
            for i in range(tail):
                w = queue[i]
                dist[w] = -1
                sigma[w] = 0.0
                delta[w] = 0.0
                delta_x[w] = 0.0
        return bet, cross

    _compiled = sweeps
    return sweeps


def pivot_sweeps(
    adjacency: Sequence[Sequence[int]], sources: Sequence[int], part: Sequence[int], *, kept: bool = True
) -> tuple[Any, Any]:
    """From each of *sources* in turn, the dependencies of every node on the shortest paths.

    Parameters
    ----------
    adjacency : sequence of sequences of int
        The undirected graph: each node's neighbours, in increasing id (igraph's ``get_adjlist()``).
    sources : sequence of int
        The pivots, in the order igraph was given them.
    part : sequence of int
        Each node's group: a source's cross-group targets are the nodes of another group.
    kept : bool
        Keep each source's cross-group dependencies (a pivots-by-nodes array).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The betweenness as igraph's ``betweenness(directed=False, sources=sources)`` returns it (halved),
        and, per source (row, in the order of *sources*), its dependencies on the paths to the nodes of
        other groups, not halved (empty when not *kept*).
    """
    import numpy as np

    n = len(adjacency)
    deg = np.fromiter(map(len, adjacency), dtype=np.int64, count=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(deg, out=indptr[1:])
    # 32-bit ids: half the memory traffic of the traversals
    indices = np.fromiter(itertools.chain.from_iterable(adjacency), dtype=np.int32, count=int(indptr[-1]))
    bet, cross = _kernel()(
        indptr, indices, np.asarray(sources, dtype=np.int64), np.asarray(part, dtype=np.int64), kept
    )
    return bet * 0.5, cross
