"""The compiled visit of :func:`kg.network.suggestions.search_links` (imported only when numba is installed).

The same steps as the Python loop of :func:`kg.network.suggestions.search_links`, on integer arrays
(:mod:`kg.network.link_arrays`): each actor's candidates counted in the order the Python ``Counter``
meets them, narrowed to the :data:`~kg.network.suggestions.PER_ACTOR` with the most shared partners (ties
in that order, as ``heapq.nlargest`` keeps them), weighed with the same bounds, kept and pruned in the
same order (score, then the two labels' ranks, then the two ids). Module-level functions, so that numba
caches their machine code on disk.
"""

import numba
import numpy as np

__all__ = ["visit"]


@numba.njit(cache=True, nogil=True)
def _common(ptr, idx, a, b):  # pragma: no cover - compiled; tested through search_links
    """How many ids the sorted rows *a* and *b* of a CSR array share."""
    i, i_end = ptr[a], ptr[a + 1]
    j, j_end = ptr[b], ptr[b + 1]
    found = 0
    while i < i_end and j < j_end:
        x, y = idx[i], idx[j]
        if x == y:
            found += 1
            i += 1
            j += 1
        elif x < y:
            i += 1
        else:
            j += 1
    return found


@numba.njit(cache=True, nogil=True)
def _before(neg, lx, ly, x, y, i, j):  # pragma: no cover - compiled
    """Whether row *i* comes before row *j*: ``(neg, lx, ly, x, y)`` compared in that order."""
    if neg[i] != neg[j]:
        return neg[i] < neg[j]
    if lx[i] != lx[j]:
        return lx[i] < lx[j]
    if ly[i] != ly[j]:
        return ly[i] < ly[j]
    if x[i] != x[j]:
        return x[i] < x[j]
    return y[i] < y[j]


@numba.njit(cache=True, nogil=True)
def _best_first(neg, lx, ly, x, y, size, top):  # pragma: no cover - compiled
    """The positions of the *top* smallest ``(neg, lx, ly, x, y)`` of the first *size* rows, in order.

    A bottom-up merge sort written out in loops (numba compiles ``np.argsort`` in seconds, this in a
    fraction); each pair ``(x, y)`` appears once, so any correct sort gives the same order."""
    order = np.arange(size)
    spare = np.empty(size, dtype=order.dtype)
    width = 1
    while width < size:
        for lo in range(0, size, 2 * width):
            mid = min(lo + width, size)
            hi = min(lo + 2 * width, size)
            i, j, k = lo, mid, lo
            while i < mid and j < hi:
                if _before(neg, lx, ly, x, y, order[j], order[i]):
                    spare[k] = order[j]
                    j += 1
                else:
                    spare[k] = order[i]
                    i += 1
                k += 1
            while i < mid:
                spare[k] = order[i]
                i += 1
                k += 1
            while j < hi:
                spare[k] = order[j]
                j += 1
                k += 1
        order, spare = spare, order
        width *= 2
    return order[: min(top, size)]


@numba.njit(cache=True, nogil=True)
def _keep_best(neg, lx, ly, x, y, size, top):  # pragma: no cover - compiled
    """The *top* best of the first *size* rows moved to the front, in order; how many they are."""
    best = _best_first(neg, lx, ly, x, y, size, top)
    keep = best.shape[0]
    was = neg.copy()
    for i in range(keep):
        neg[i] = was[best[i]]
    for column in (lx, ly, x, y):
        held = column.copy()
        for i in range(keep):
            column[i] = held[best[i]]
    return keep


@numba.njit(cache=True, nogil=True)
def _most_shared(count, kept, nkept, per_actor):  # pragma: no cover - compiled
    """The first *per_actor* of ``kept[:nkept]`` by most shared partners (``count``), ties in their order
    there: what a stable sort on ``-count`` cut at *per_actor* keeps (``heapq.nlargest`` with a key)."""
    best = np.empty(min(per_actor, nkept), dtype=np.int64)
    m = 0
    for i in range(nkept):
        c = count[kept[i]]
        if m == best.shape[0] and c <= count[best[m - 1]]:
            continue  # not more than the last kept: an earlier one wins the tie
        p = m if m < best.shape[0] else m - 1
        while p > 0 and count[best[p - 1]] < c:
            if p < best.shape[0]:
                best[p] = best[p - 1]
            p -= 1
        best[p] = kept[i]
        if m < best.shape[0]:
            m += 1
    return best


@numba.njit(cache=True, nogil=True)
def visit(
    order_of,  # visit: the actors in visiting order
    rank,  # each actor's place in that order
    reach,  # the best score each actor can reach (float)
    near_ptr,  # each actor's partners, in the iteration order of its Python set
    near_idx,
    later_ptr,  # each actor's partners' ranks, sorted
    later_idx,
    crowded,  # bool: more than MAX_GROUP partners
    pair_ptr,  # each crowded actor's best-tied partners, in the iteration order of its set
    pair_idx,
    place_ptr,  # the actors sharing a territory's best-tied group, in the iteration order of the set
    place_idx,
    hub_ptr,  # each actor's crowded partners, sorted
    hub_idx,
    where_ptr,  # each actor's territories as sorted ids
    where_idx,
    topic_ptr,  # each actor's themes as sorted ids
    topic_idx,
    label_rank,  # each actor's label's rank (equal labels, equal ranks)
    bounded,
    per_actor,
    top,
    prune_at,
    w_partners,
    w_places,
    w_themes,
    min_shared,
):  # pragma: no cover - compiled; tested against the Python loop
    """The best *top* pairs as ``(scores, xs, ys)`` arrays, best first, and how many actors were narrowed."""
    n = order_of.shape[0]
    count = np.full(n, -1, dtype=np.int64)  # by rank: shared partners, -1 when not a candidate
    keys = np.empty(n, dtype=np.int64)  # the candidates' ranks in insertion order
    mark = np.full(n, -1, dtype=np.int64)  # mark[b] == a: b is a partner of a
    cap = prune_at + 2
    neg = np.empty(cap)
    lx = np.empty(cap, dtype=np.int64)
    ly = np.empty(cap, dtype=np.int64)
    xs = np.empty(cap, dtype=np.int64)
    ys = np.empty(cap, dtype=np.int64)
    size = 0
    floor = 0.0
    narrowed = 0
    for ra in range(n):
        a = order_of[ra]
        if reach[a] < floor:
            break
        for e in range(near_ptr[a], near_ptr[a + 1]):
            mark[near_idx[e]] = a
        my_hubs = hub_ptr[a + 1] - hub_ptr[a]
        room_a = where_ptr[a + 1] - where_ptr[a]
        topics_a = topic_ptr[a + 1] - topic_ptr[a]
        extra = w_partners * my_hubs + w_places * room_a + w_themes * topics_a
        least = (floor - extra) / w_partners
        nk = 0
        for e in range(near_ptr[a], near_ptr[a + 1]):
            w = near_idx[e]
            if crowded[w]:
                continue
            for f in range(later_ptr[w], later_ptr[w + 1]):
                rb = later_idx[f]
                if rb <= ra:
                    continue
                if count[rb] < 0:
                    count[rb] = 1
                    keys[nk] = rb
                    nk += 1
                else:
                    count[rb] += 1
        if least <= 0:
            for e in range(near_ptr[a], near_ptr[a + 1]):
                w = near_idx[e]
                if not crowded[w]:
                    continue
                inside = False
                for f in range(pair_ptr[w], pair_ptr[w + 1]):
                    if pair_idx[f] == a:
                        inside = True
                        break
                if not inside:
                    continue
                for f in range(pair_ptr[w], pair_ptr[w + 1]):
                    rb = rank[pair_idx[f]]
                    if rb > ra and count[rb] < 0:
                        count[rb] = 0
                        keys[nk] = rb
                        nk += 1
            for f in range(place_ptr[a], place_ptr[a + 1]):
                rb = rank[place_idx[f]]
                if rb > ra and count[rb] < 0:
                    count[rb] = 0
                    keys[nk] = rb
                    nk += 1
        items = keys[:nk].copy()
        if bounded and nk > per_actor:
            for e in range(near_ptr[a], near_ptr[a + 1]):
                rb = rank[near_idx[e]]
                if count[rb] >= 0:
                    count[rb] = -2  # popped: no longer a candidate
            kept = np.empty(nk, dtype=np.int64)
            nkept = 0
            for i in range(nk):
                if count[keys[i]] >= 0:
                    kept[nkept] = keys[i]
                    nkept += 1
            if nkept > per_actor:
                narrowed += 1
            # most shared first, ties in insertion order (heapq.nlargest with a key is stable)
            items = _most_shared(count, kept, nkept, per_actor)
        for i in range(items.shape[0]):
            rb = items[i]
            shared = count[rb]
            if shared < least:
                continue
            b = order_of[rb]
            if mark[b] == a:
                continue
            partners = shared
            if my_hubs and hub_ptr[b + 1] > hub_ptr[b]:
                partners += _common(hub_ptr, hub_idx, a, b)
            bound = (
                w_partners * partners
                + w_places * min(room_a, where_ptr[b + 1] - where_ptr[b])
                + w_themes * min(topics_a, topic_ptr[b + 1] - topic_ptr[b])
            )
            if bound < floor:
                continue
            territories = _common(where_ptr, where_idx, a, b) if room_a else 0
            if not partners and not territories:
                continue
            shared_themes = _common(topic_ptr, topic_idx, a, b) if topics_a else 0
            if partners + territories + shared_themes < min_shared:
                continue
            score = w_partners * partners + w_places * territories + w_themes * shared_themes
            if score < floor:
                continue
            x, y = (a, b) if a < b else (b, a)
            neg[size] = -score
            lx[size] = label_rank[x]
            ly[size] = label_rank[y]
            xs[size] = x
            ys[size] = y
            size += 1
            if size > prune_at:
                size = _keep_best(neg, lx, ly, xs, ys, size, top)
                floor = -neg[size - 1]
                least = (floor - extra) / w_partners
        for i in range(nk):
            count[keys[i]] = -1
    size = _keep_best(neg, lx, ly, xs, ys, size, top)
    return -neg[:size], xs[:size].copy(), ys[:size].copy(), narrowed
