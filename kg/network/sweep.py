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
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["available", "cache_dir", "pivot_sweeps"]

#: above this many floats (pivots times nodes) the per-pivot dependencies are not kept (two such arrays): the
#: igraph calls are used instead (400 MB of float64 each)
MAX_KEPT = 50_000_000

_compiled: Any = None


def cache_dir() -> str:
    """Where numba keeps the compiled kernels: ``NUMBA_CACHE_DIR`` when set, else the user's cache folder
    (``$XDG_CACHE_HOME/territorial-kg/numba``, ``~/.cache/…``), out of the source tree (numba's default is a
    ``__pycache__`` beside each module: an installed package's folder may be read-only, a checkout's is
    its source tree)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.environ.get("NUMBA_CACHE_DIR") or os.path.join(base, "territorial-kg", "numba")


def available() -> bool:
    """Whether numba is installed and the compiled parts are not turned off (``KG_SWEEP=off``); else the
    callers use igraph and Python. Points numba's cache at :func:`cache_dir` before numba is first imported."""
    if os.environ.get("KG_SWEEP") == "off":
        return False
    if "numba" not in sys.modules:
        os.environ["NUMBA_CACHE_DIR"] = cache_dir()  # read once, when numba's configuration is loaded
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def _kernel() -> Any:
    """The compiled sweep (numba compiles it once and caches the machine code on disk)."""
    global _compiled
    if _compiled is None:
        from kg.network.sweep_kernels import sweeps

        _compiled = sweeps
    return _compiled


def pivot_sweeps(
    adjacency: Sequence[Sequence[int]], sources: Sequence[int], part: Sequence[int]
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

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The betweenness as igraph's ``betweenness(directed=False, sources=sources)`` returns it (halved),
        and, per source (row, in the order of *sources*), its dependencies on the paths to the nodes of
        other groups, not halved. The sources are swept on every core numba is given (``NUMBA_NUM_THREADS``),
        each into its own row, and the rows added in the order of *sources*: the same floats on any number.
    """
    import numpy as np

    n = len(adjacency)
    deg = np.fromiter(map(len, adjacency), dtype=np.int64, count=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(deg, out=indptr[1:])
    # 32-bit ids: half the memory traffic of the traversals
    indices = np.fromiter(itertools.chain.from_iterable(adjacency), dtype=np.int32, count=int(indptr[-1]))
    bet, cross = _kernel()(
        indptr, indices, np.asarray(sources, dtype=np.int64), np.asarray(part, dtype=np.int64)
    )
    return bet * 0.5, cross
