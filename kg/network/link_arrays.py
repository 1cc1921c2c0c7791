"""The suggested links' visit on integer arrays, for the compiled loop of :mod:`kg.network.link_kernels`.

:func:`compiled_visit` takes what :func:`kg.network.suggestions.search_links` set up (Python sets and lists)
and hands the kernel the same things as arrays: each set's members **in the order Python iterates it**
(the order in which the Python loop meets candidates, which decides its ties), themes and territories as
sorted integer ids (only their counts in common matter), and each label's rank (pairs are ranked by labels).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["ARRAYS_SHAPE", "as_arrays", "compiled_visit", "kept_arrays"]


#: the shape of the kept arrays (``H.graph["link_arrays"]``): arrays of another shape are made again
ARRAYS_SHAPE = 1


def _rows(rows: Sequence[Iterable[int]]) -> tuple[Any, Any]:
    """Rows of integers as CSR arrays ``(ptr, idx)``, each row in its iteration order (32-bit ids)."""
    import numpy as np

    lists = [list(r) for r in rows]
    ptr = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, lists), dtype=np.int64, count=len(lists)), out=ptr[1:])
    idx = np.fromiter(itertools.chain.from_iterable(lists), dtype=np.int32, count=int(ptr[-1]))
    return ptr, idx


def _ids(rows: Sequence[Iterable[str]]) -> tuple[Any, Any]:
    """Rows of texts as CSR arrays of sorted integer ids (the same text, the same id)."""
    ids: dict[str, int] = {}
    return _rows([sorted(ids.setdefault(t, len(ids)) for t in row) for row in rows])


def as_arrays(s: Any, *, size: tuple[int, int]) -> dict[str, Any]:
    """The set-up *s* of the suggested links (:class:`kg.network.suggestions.LinkSetup`) as the compiled visit's
    arrays, with the actors' order, how many groups were capped, and the network's *size* it was made for."""
    import numpy as np

    n = len(s.visit)
    by_label = {t: r for r, t in enumerate(sorted(set(s.label)))}
    arrays = {
        "visit": np.asarray(s.visit, dtype=np.int32),
        "rank": np.asarray(s.rank, dtype=np.int32),
        "reach": np.asarray(s.reach, dtype=np.float64),
        "near": _rows(s.near),
        "later": _rows(s.later),
        "crowded": np.asarray(s.crowded, dtype=np.bool_),
        "pairable": _rows([s.pairable[w] if s.crowded[w] else () for w in range(n)]),
        "same_place": _rows(s.same_place),
        "hubs": _rows([sorted(h) for h in s.hubs]),
        "places": _ids(s.places),
        "themes": _ids(s.themes),
        "label_rank": np.fromiter((by_label[t] for t in s.label), dtype=np.int32, count=n),
    }
    return {
        "shape": ARRAYS_SHAPE,
        "size": size,
        "order": s.order,
        "bounded": s.bounded,
        "capped": s.capped,
        "arrays": arrays,
    }


def kept_arrays(H: Any) -> dict[str, Any] | None:
    """The arrays kept with the actor network *H* (``kg build``), when made for *H* as it is now."""
    from kg.network.brokerage import graph_size

    kept = H.graph.get("link_arrays")
    if kept is None or kept.get("shape") != ARRAYS_SHAPE or kept["size"] != graph_size(H):
        return None
    return kept


def compiled_visit(
    kept: dict[str, Any],
    *,
    top: int,
    prune_at: int,
    per_actor: int,
    weights: Mapping[str, float],
    min_shared: int,
) -> tuple[list[tuple[float, int, int]], int]:
    """The visit of :func:`kg.network.suggestions.search_links`, compiled, on the arrays of :func:`as_arrays`:
    the best *top* pairs ``(score, a, b)``, ``a < b``, best first, and how many actors' candidates were
    narrowed; the same as its Python loop (``tests/test_analysis.py`` compares them)."""
    from kg.network.link_kernels import visit

    kernel: Any = visit  # a numba dispatcher
    a = kept["arrays"]
    scores, xs, ys, narrowed = kernel(
        a["visit"],
        a["rank"],
        a["reach"],
        *a["near"],
        *a["later"],
        a["crowded"],
        *a["pairable"],
        *a["same_place"],
        *a["hubs"],
        *a["places"],
        *a["themes"],
        a["label_rank"],
        kept["bounded"],
        per_actor,
        top,
        prune_at,
        float(weights["partners"]),
        float(weights["territories"]),
        float(weights["themes"]),
        min_shared,
    )
    return list(zip(scores.tolist(), xs.tolist(), ys.tolist(), strict=True)), int(narrowed)
