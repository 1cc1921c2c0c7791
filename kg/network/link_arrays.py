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

__all__ = ["compiled_visit"]


def _rows(rows: Sequence[Iterable[int]]) -> tuple[Any, Any]:
    """Rows of integers as CSR arrays ``(ptr, idx)``, each row in its iteration order."""
    import numpy as np

    lists = [list(r) for r in rows]
    ptr = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, lists), dtype=np.int64, count=len(lists)), out=ptr[1:])
    idx = np.fromiter(itertools.chain.from_iterable(lists), dtype=np.int64, count=int(ptr[-1]))
    return ptr, idx


def _ids(rows: Sequence[Iterable[str]]) -> tuple[Any, Any]:
    """Rows of texts as CSR arrays of sorted integer ids (the same text, the same id)."""
    ids: dict[str, int] = {}
    return _rows([sorted(ids.setdefault(t, len(ids)) for t in row) for row in rows])


def compiled_visit(
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
    prune_at: int,
    per_actor: int,
    weights: Mapping[str, float],
    min_shared: int,
) -> tuple[list[tuple[float, int, int]], int]:
    """The visit of :func:`kg.network.suggestions.search_links`, compiled: the best *top* pairs
    ``(score, a, b)``, ``a < b``, best first, and how many actors' candidates were narrowed; the same as its
    Python loop (``tests/test_analysis.py`` compares them)."""
    import numpy as np

    from kg.network.link_kernels import visit as kernel

    n = len(visit)
    near_ptr, near_idx = _rows(near)
    later_ptr, later_idx = _rows(later)
    pair_ptr, pair_idx = _rows([pairable[w] if crowded[w] else () for w in range(n)])
    place_ptr, place_idx = _rows(same_place)
    hub_ptr, hub_idx = _rows([sorted(h) for h in hubs])
    where_ptr, where_idx = _ids(places)
    topic_ptr, topic_idx = _ids(themes)
    by_label = {t: r for r, t in enumerate(sorted(set(label)))}
    scores, xs, ys, narrowed = kernel(
        np.asarray(visit, dtype=np.int64),
        np.asarray(rank, dtype=np.int64),
        np.asarray(reach, dtype=np.float64),
        near_ptr,
        near_idx,
        later_ptr,
        later_idx,
        np.asarray(crowded, dtype=np.bool_),
        pair_ptr,
        pair_idx,
        place_ptr,
        place_idx,
        hub_ptr,
        hub_idx,
        where_ptr,
        where_idx,
        topic_ptr,
        topic_idx,
        np.fromiter((by_label[t] for t in label), dtype=np.int64, count=n),
        bounded,
        per_actor,
        top,
        prune_at,
        float(weights["partners"]),
        float(weights["territories"]),
        float(weights["themes"]),
        min_shared,
    )
    return list(zip(scores.tolist(), xs.tolist(), ys.tolist(), strict=True)), int(narrowed)
