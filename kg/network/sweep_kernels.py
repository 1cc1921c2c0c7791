"""The compiled kernels of :mod:`kg.network.sweep` (imported only when numba is installed).

Module-level functions, so that numba caches their machine code on disk (in
:func:`kg.network.sweep.cache_dir`) and a new process loads it instead of compiling it again.
"""

import numba
import numpy as np

__all__ = ["sweeps"]


@numba.njit(cache=True, nogil=True)
def one(indptr, indices, s, part, dist, sigma, delta, delta_x, queue, full, cross):  # pragma: no cover
    # breadth-first from s: visiting order, distances and numbers of shortest paths
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
    # dependencies, popped in reverse visiting order: to every node, and to the nodes of other groups
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
            full[w] = delta[w]
            cross[w] = delta_x[w]
    for i in range(tail):
        w = queue[i]
        dist[w] = -1
        sigma[w] = 0.0
        delta[w] = 0.0
        delta_x[w] = 0.0


@numba.njit(cache=True, parallel=True)
def rows(indptr, indices, sources, part, threads):  # pragma: no cover - compiled, checked by its results
    n = len(indptr) - 1
    k = len(sources)
    full = np.zeros((k, n))
    cross = np.zeros((k, n))
    # the sources dealt to the threads, each with its own work arrays; each source's row its own
    for t in numba.prange(threads):
        dist = np.full(n, -1, dtype=np.int32)
        sigma = np.zeros(n)
        delta = np.zeros(n)
        delta_x = np.zeros(n)
        queue = np.empty(n, dtype=np.int32)
        for si in range(t, k, threads):
            one(
                indptr,
                indices,
                sources[si],
                part,
                dist,
                sigma,
                delta,
                delta_x,
                queue,
                full[si],
                cross[si],
            )
    return full, cross


@numba.njit(cache=True, nogil=True)
def summed(full):  # pragma: no cover - compiled, checked by its results
    # one source after the other, as igraph adds them
    bet = np.zeros(full.shape[1])
    for si in range(full.shape[0]):
        for w in range(full.shape[1]):
            bet[w] += full[si, w]
    return bet


def sweeps(indptr, indices, sources, part):
    """The betweenness (igraph's sum, not halved) and each source's cross-group dependencies."""
    threads = max(1, min(numba.get_num_threads(), len(sources)))
    full, cross = rows(indptr, indices, sources, part, threads)
    return summed(full), cross
