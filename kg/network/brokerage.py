"""The measures of brokerage and groups, on any undirected graph (here: the actor network).

Each runs on igraph (C) when it is installed and the graph is large, else on NetworkX, with the
same definition; ``tests/test_analysis.py`` checks both engines agree on small graphs. Results
do not depend on set or hash order: nodes are taken in sorted order and ties broken by name.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import networkx as nx

from kg.network import sweep

__all__ = [
    "EXACT_BELOW",
    "SWEEP_ABOVE",
    "betweenness",
    "communities",
    "constraint",
    "contact_density",
    "cross_group_betweenness",
    "cut_off",
    "cut_offs",
    "effective_size",
    "graph_size",
    "keep_igraph",
    "neighbour_ids",
    "pivot_betweenness",
    "pivot_count",
]

#: below this many nodes, betweenness is exact; above, it is estimated from k pivots
EXACT_BELOW = 2000
#: above this many nodes, igraph (C) computes betweenness and constraint when engine="auto"
IGRAPH_ABOVE = 500
#: above this many nodes, both betweenness figures come from one compiled sweep per pivot when numba is
#: installed (:func:`pivot_betweenness`, engine="auto"): below, igraph's calls cost less than loading numba
SWEEP_ABOVE = 20_000


def graph_size(H: nx.Graph) -> tuple[int, int]:
    """``(nodes, edges)`` of *H*, as ``number_of_nodes()`` and ``number_of_edges()`` count them, the edges
    summed in C over the adjacency (``number_of_edges()`` walks the degrees in Python: 0.2 s at 30,000 actors,
    and the twin's freshness is checked several times per analysis)."""
    adj: dict[Any, dict] = H._adj  # type: ignore[attr-defined]  # plain dicts (``H.adj`` wraps each row)
    ends = sum(map(len, adj.values()))  # each edge twice, a self-loop once
    loops = sum(1 for v, nb in adj.items() if v in nb) if ends else 0
    return len(adj), (ends + loops) // 2


def _igraph(H: nx.Graph) -> tuple[Any, list[str]] | tuple[None, None]:
    """H as an igraph Graph with its node order (built once per graph and kept in ``H.graph``)."""
    cached = H.graph.get("_igraph")
    if cached is not None and cached[2] == graph_size(H):
        return cached[0], cached[1]
    try:
        import igraph
    except ImportError:  # pragma: no cover - igraph is a dependency; NetworkX is the fallback
        return None, None
    nodes = list(H.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    g = igraph.Graph(n=len(nodes), edges=[(index[a], index[b]) for a, b in H.edges()], directed=False)
    H.graph["_igraph"] = (g, nodes, graph_size(H), False)
    return g, nodes


def keep_igraph(H: nx.Graph, nodes: list[str], edges: list[tuple[int, int]]) -> None:
    """Keep in ``H.graph`` the igraph twin of *H* built from integer *edges* (i < j) over *nodes*.

    For a large graph made with its nodes and edges in sorted order (the actor network), this spares
    reading the NetworkX graph back, and :func:`communities` can use it as its sorted copy. A small
    graph keeps none (NetworkX measures it).
    """
    if len(nodes) <= IGRAPH_ABOVE:
        return
    try:
        import igraph
    except ImportError:  # pragma: no cover - igraph is a dependency; NetworkX is the fallback
        return
    g = igraph.Graph(n=len(nodes), edges=edges, directed=False)
    is_sorted = (
        all(a < b for a, b in itertools.pairwise(nodes))
        and all(x < y for x, y in edges)
        and all(e < f for e, f in itertools.pairwise(edges))
    )
    H.graph["_igraph"] = (g, list(nodes), graph_size(H), is_sorted)


def _sorted_igraph(H: nx.Graph) -> tuple[Any, list[str]] | tuple[None, None]:
    """H as igraph with its nodes in sorted order and its edges as sorted pairs (read as :func:`communities`
    reads a graph): the kept twin when it is one, else built from H."""
    cached = H.graph.get("_igraph")
    if cached is not None and cached[2] == graph_size(H) and cached[3]:
        return cached[0], cached[1]
    try:
        import igraph
    except ImportError:  # pragma: no cover - igraph is a dependency; NetworkX is the fallback
        return None, None
    nodes = sorted(H.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    pairs = sorted((i, j) if i < j else (j, i) for i, j in ((index[a], index[b]) for a, b in H.edges()))
    return igraph.Graph(n=len(nodes), edges=pairs, directed=False), nodes


def neighbour_ids(H: nx.Graph) -> tuple[list[str], list[list[int]]]:
    """The nodes of *H* in sorted order, and each one's neighbours as positions in that order.

    Read from the igraph twin kept by :func:`keep_igraph` when there is one (in C), else from *H*.
    """
    cached = H.graph.get("_igraph")
    if cached is not None and cached[2] == graph_size(H) and cached[3]:
        return list(cached[1]), cached[0].get_adjlist()
    order = sorted(H)
    index = {v: i for i, v in enumerate(order)}
    return order, [[index[u] for u in H[v]] for v in order]


def pivot_count(n: int, k: int | None = None) -> int | None:
    """How many pivots estimate the betweenness of *n* nodes (None: computed exactly)."""
    if k is None and n > EXACT_BELOW:
        k = 200
    return None if k is None or k >= n else k


def _pivots(H: nx.Graph, k: int | None, seed: int) -> list[str] | None:
    """The sources of an estimated betweenness (None: exact), drawn from the sorted nodes."""
    k = pivot_count(H.number_of_nodes(), k)
    return None if k is None else random.Random(seed).sample(sorted(H.nodes), k)


def betweenness(
    H: nx.Graph, *, k: int | None = None, seed: int = 42, engine: str = "auto"
) -> dict[str, float]:
    """Normalised betweenness centrality; estimated from *k* random pivots when *k* < n.

    Same definition as :func:`networkx.betweenness_centrality` (normalised, undirected): for
    each node, the share of the shortest paths between the pairs of *other* nodes that pass
    through it, each pair counting for one, over all (n − 1)(n − 2) / 2 such pairs.
    With ``engine="auto"`` igraph is used when installed and the graph is large.
    """
    n = H.number_of_nodes()
    if n < 3:
        return dict.fromkeys(H, 0.0)
    use_igraph = engine == "igraph" or (engine == "auto" and n > IGRAPH_ABOVE)
    pivots = _pivots(H, k, seed)
    if use_igraph:
        g, nodes = _igraph(H)
        if g is not None and nodes is not None:
            index = {v: i for i, v in enumerate(nodes)}
            if pivots is None:
                raw = g.betweenness(directed=False)
                scale = 2.0 / ((n - 1) * (n - 2))
            else:
                # Brandes' estimate: the pivots' dependencies scaled by n / k (as NetworkX does); igraph's
                # undirected subset betweenness halves each pair's count, hence the factor 2
                raw = g.betweenness(directed=False, sources=[index[p] for p in pivots])
                scale = 2.0 * (n / len(pivots)) / ((n - 1) * (n - 2))
            return {v: raw[i] * scale for i, v in enumerate(nodes)}
    if pivots is None:
        return nx.betweenness_centrality(H, normalized=True)
    raw = nx.betweenness_centrality_subset(H, sources=pivots, targets=list(H.nodes), normalized=False)
    scale = (n / len(pivots)) * 1.0 / ((n - 1) * (n - 2))
    return {v: b * 2 * scale for v, b in raw.items()}


def cross_group_betweenness(
    H: nx.Graph,
    groups: Sequence[Iterable[str]],
    *,
    k: int | None = None,
    seed: int = 42,
    engine: str = "auto",
    nodes: Iterable[str] | None = None,
) -> dict[str, float]:
    """Betweenness counting only pairs of nodes in different *groups* (unnormalised: pairs' worth).

    For each node, the sum over the pairs ``{s, t}`` of other nodes with ``s`` and ``t`` in
    different groups of the share of their shortest paths through it. A node in no group is
    a group of its own. Estimated from the same *k* pivots as :func:`betweenness`. Only for
    *nodes* when given (the same figures, fewer to return), else for every node.
    """
    parts = _parts(H, groups)
    n = H.number_of_nodes()
    pivots = _pivots(H, k, seed)
    chosen = set(pivots) if pivots is not None else None
    scale = 1.0 if pivots is None else n / len(pivots)
    wanted = list(H) if nodes is None else list(nodes)
    out = dict.fromkeys(wanted, 0.0)
    use_igraph = engine == "igraph" or (engine == "auto" and n > IGRAPH_ABOVE)
    g, order = _igraph(H) if use_igraph else (None, None)
    if g is not None and order is not None:
        # one igraph call per group holding pivots, its members against every node outside it (the
        # ranges between its members' ids), returning only the wanted nodes' sums
        index = {v: i for i, v in enumerate(order)}
        asked = [index[v] for v in wanted]
        total = [0.0] * len(asked)
        # a source alone in its part is paired with every other node: all such sources go in one call
        # (each call costs about one more traversal of the graph: one per lone pivot grew with the graph)
        alone = [index[m[0]] for m in parts.values() if len(m) == 1 and (chosen is None or m[0] in chosen)]
        if alone and n > 1:
            raw = g.betweenness(vertices=asked, directed=False, sources=alone, targets=range(n))
            total = [a + b for a, b in zip(total, raw, strict=True)]
        for members in parts.values():
            ids = [index[v] for v in members if chosen is None or v in chosen]
            if not ids or len(members) == n or len(members) == 1:
                continue
            held = sorted(index[v] for v in members)
            bounds = zip([-1, *held], [*held, n], strict=True)
            targets = list(itertools.chain.from_iterable(range(a + 1, b) for a, b in bounds))
            raw = g.betweenness(vertices=asked, directed=False, sources=ids, targets=targets)
            total = [a + b for a, b in zip(total, raw, strict=True)]
        return {v: total[i] * scale for i, v in enumerate(wanted)}
    everyone = sorted(H.nodes)
    for members in parts.values():
        sources = [v for v in members if chosen is None or v in chosen]
        if not sources:
            continue
        inside = set(members)
        targets = [v for v in everyone if v not in inside]
        if not targets:
            continue
        part = nx.betweenness_centrality_subset(H, sources=sources, targets=targets, normalized=False)
        for v in wanted:
            out[v] += part[v] * scale
    return out


def pivot_betweenness(
    H: nx.Graph,
    groups: Sequence[Iterable[str]],
    *,
    k: int | None = None,
    seed: int = 42,
    engine: str = "auto",
) -> tuple[dict[str, float], Callable[[Iterable[str]], dict[str, float]]]:
    """:func:`betweenness` of *H*, and a function giving :func:`cross_group_betweenness` of chosen nodes.

    The same figures as calling both; when they are estimated from pivots and numba is installed, one
    sweep per pivot gives both (:mod:`kg.network.sweep`) with ``engine="sweep"``, or ``"auto"`` above
    :data:`SWEEP_ABOVE` nodes; else each is computed as its own function does.
    """
    n = H.number_of_nodes()
    pivots = _pivots(H, k, seed) if n >= 3 else None
    use_sweep = engine == "sweep" or (engine == "auto" and n > SWEEP_ABOVE)
    g, order = _igraph(H) if use_sweep and pivots is not None else (None, None)
    engine = "igraph" if engine == "sweep" else engine
    if (
        g is None
        or order is None
        or pivots is None
        or len(pivots) * n > sweep.MAX_KEPT
        or not sweep.available()
    ):

        def separately(nodes: Iterable[str]) -> dict[str, float]:
            return cross_group_betweenness(H, groups, k=k, seed=seed, engine=engine, nodes=nodes)

        return betweenness(H, k=k, seed=seed, engine=engine), separately
    index = {v: i for i, v in enumerate(order)}
    parts = _parts(H, groups)
    part = [0] * n
    for p, members in enumerate(parts.values()):
        for v in members:
            part[index[v]] = p
    sources = [index[p] for p in pivots]
    raw, kept = sweep.pivot_sweeps(g.get_adjlist(), sources, part)
    scale = 2.0 * (n / len(pivots)) / ((n - 1) * (n - 2))
    bet = {v: float(raw[i]) * scale for i, v in enumerate(order)}
    row = {s: r for r, s in enumerate(sources)}
    chosen = set(pivots)
    # the igraph calls cross_group_betweenness makes, in its order: the lone pivots, then each group's
    calls = [[index[m[0]] for m in parts.values() if len(m) == 1 and m[0] in chosen]]
    calls += [
        [index[v] for v in members if v in chosen] for members in parts.values() if len(members) not in (1, n)
    ]

    def cross(nodes: Iterable[str]) -> dict[str, float]:
        import numpy as np

        wanted = list(nodes)
        asked = np.fromiter((index[v] for v in wanted), dtype=np.int64, count=len(wanted))
        # element by element, the additions and products of igraph's calls in their order (numpy adds
        # two arrays without fusing or reordering: the same floats as a loop over the nodes)
        total = np.zeros(len(asked))
        for ids in calls:
            if not ids:
                continue
            acc = np.zeros(len(asked))
            for s in ids:  # added one source after the other, as igraph does
                acc = acc + kept[row[s]][asked]
            total = total + acc * 0.5
        return dict(zip(wanted, (total * (n / len(pivots))).tolist(), strict=True))

    return bet, cross


def _parts(H: nx.Graph, groups: Sequence[Iterable[str]]) -> dict[int, list[str]]:
    """The parts of :func:`cross_group_betweenness`: each group, and each node in no group alone, in the
    order of their first node (sorted)."""
    group_of: dict[str, int] = {}
    for i, members in enumerate(groups):
        for v in members:
            group_of[v] = i
    parts: dict[int, list[str]] = {}
    for j, v in enumerate(sorted(H.nodes)):
        parts.setdefault(group_of.get(v, len(groups) + j), []).append(v)
    return parts


def constraint(H: nx.Graph, nodes: Iterable[str] | None = None, *, engine: str = "auto") -> dict[str, float]:
    """Burt's constraint (unweighted): low values mean contacts that are not linked to each other."""
    nodes = list(H.nodes) if nodes is None else list(nodes)
    if engine != "networkx" and H.number_of_nodes() > IGRAPH_ABOVE:
        g, order = _igraph(H)
        if g is not None and order is not None:
            index = {v: i for i, v in enumerate(order)}
            values = g.constraint([index[v] for v in nodes])
            return {v: (float("nan") if H.degree(v) == 0 else c) for v, c in zip(nodes, values, strict=False)}
    return {v: _constraint(H, v) for v in nodes}


def _constraint(H: nx.Graph, v: str) -> float:
    """Burt's constraint of *v* as :func:`networkx.constraint` defines it (unweighted), summed in sorted
    order: NetworkX sums over sets, whose order (hence the last digits) changes with ``PYTHONHASHSEED``."""
    contacts = sorted(H[v])
    if not contacts:
        return float("nan")
    share = 1.0 / len(contacts)  # v's tie to each contact, as a share of its ties
    total = 0.0
    for j in contacts:
        indirect = sum(share / H.degree(q) for q in contacts if q != j and H.has_edge(q, j))
        total += (share + indirect) ** 2
    return total


def effective_size(H: nx.Graph, nodes: Iterable[str]) -> dict[str, float]:
    """Burt's effective size of each node's ego network (Borgatti's formula for unweighted graphs)."""
    out = {}
    for v in nodes:
        neigh = set(H[v])
        d = len(neigh)
        if d == 0:
            out[v] = float("nan")
            continue
        ties = sum(1 for a in neigh for b in H[a] if b in neigh) / 2
        out[v] = d - 2 * ties / d
    return out


def contact_density(H: nx.Graph, nodes: Iterable[str]) -> dict[str, float]:
    """Share of the possible ties between a node's contacts that exist (its local clustering).

    NaN for fewer than two contacts (no pair to measure).
    """
    out = {}
    for v in nodes:
        d = H.degree(v)
        out[v] = float("nan") if d < 2 else float(nx.clustering(H, v))  # type: ignore[arg-type]
    return out


def cut_off(H: nx.Graph, v: str) -> tuple[int, int]:
    """Without *v*: how many nodes of its component would lose every path to the largest remaining part
    of it, and how many nodes that part has. ``(0, size − 1)`` when *v* is not a cut vertex."""
    adj = H.adj
    seen = {v}
    sizes = []
    for start in adj[v]:
        if start in seen:
            continue
        seen.add(start)
        frontier, size = [start], 1
        while frontier:
            nxt = []
            for x in frontier:
                for y in adj[x]:
                    if y not in seen:
                        seen.add(y)
                        nxt.append(y)
            size += len(nxt)
            frontier = nxt
        sizes.append(size)
    return (sum(sizes) - max(sizes), max(sizes)) if sizes else (0, 0)


def cut_offs(H: nx.Graph, nodes: Iterable[str], *, engine: str = "auto") -> dict[str, tuple[int, int]]:
    """:func:`cut_off` of each of *nodes*; on igraph for a large graph (its articulation points found
    in one pass, and the graph cut only at those of *nodes* that are one), the same integers."""
    nodes = list(nodes)
    use_igraph = engine == "igraph" or (engine == "auto" and H.number_of_nodes() > IGRAPH_ABOVE)
    g, order = _igraph(H) if use_igraph and nodes else (None, None)
    if g is None or order is None:
        return {v: cut_off(H, v) for v in nodes}
    index = {v: i for i, v in enumerate(order)}
    blocks, cut_points = g.biconnected_components(return_articulation_points=True)
    components = g.connected_components()
    parts = _parts_without(list(blocks), set(cut_points), [index[v] for v in nodes if index[v] in cut_points])
    out = {}
    for v in nodes:
        i = index[v]
        if not g.degree(i):
            out[v] = (0, 0)
        elif i not in parts:
            out[v] = (0, len(components[components.membership[i]]) - 1)
        else:
            sizes = parts[i]
            out[v] = (sum(sizes) - max(sizes), max(sizes))
    return out


def _parts_without(blocks: list[list[int]], cut_points: set[int], asked: list[int]) -> dict[int, list[int]]:
    """For each cut vertex of *asked*: the sizes of the parts its component falls into without it.

    Read on the block–cut tree (one node per biconnected block, one per cut vertex, a cut vertex tied
    to its blocks): removing a cut vertex leaves one part per block around it, each as large as the
    vertices of the tree hanging from that block.
    """
    blocks_of: dict[int, list[int]] = {}
    for b, members in enumerate(blocks):
        for v in members:
            if v in cut_points:
                blocks_of.setdefault(v, []).append(b)
    # the tree's nodes: blocks as ("b", j) and cut vertices as ("c", v); own weight: a block counts
    # its vertices that are no cut vertex, a cut vertex counts itself
    weight = {("b", j): sum(1 for v in members if v not in cut_points) for j, members in enumerate(blocks)}
    weight.update({("c", v): 1 for v in blocks_of})

    def around(node: tuple[str, int]) -> list[tuple[str, int]]:
        if node[0] == "c":
            return [("b", j) for j in blocks_of[node[1]]]
        return [("c", v) for v in blocks[node[1]] if v in cut_points]

    wanted = set(asked)
    out: dict[int, list[int]] = {}
    seen: set[tuple[str, int]] = set()
    for root in sorted({("c", v) for v in wanted}):
        if root in seen:
            continue
        # one tree: its nodes in depth-first order with their parents, then the subtree weights
        seen.add(root)
        order, parent = [root], {root: root}
        stack = [root]
        while stack:
            node = stack.pop()
            for nxt in around(node):
                if nxt not in seen:
                    seen.add(nxt)
                    parent[nxt] = node
                    order.append(nxt)
                    stack.append(nxt)
        below = dict.fromkeys(order, 0)
        for node in reversed(order):
            below[node] += weight[node]
            if node != root:
                below[parent[node]] += below[node]
        whole = below[root]
        for node in order:
            if node[0] == "c" and node[1] in wanted:
                sizes = [below[b] for b in around(node) if parent.get(b) == node and b != node]
                if node != root:
                    sizes.append(whole - below[node])
                out[node[1]] = sizes
    return out


def communities(H: nx.Graph, *, seed: int = 42, engine: str = "auto") -> list[list[str]]:
    """Communities by modularity (Leiden on igraph for large graphs, Louvain on NetworkX otherwise).

    Deterministic: the graph is read in sorted node and edge order with a fixed *seed*; each
    community is a sorted list, largest first, ties by their first member.
    """
    if H.number_of_nodes() == 0:
        return []
    found: list[set[str]] | None = None
    if engine != "networkx" and H.number_of_nodes() > EXACT_BELOW:
        g, nodes = _sorted_igraph(H)
        if g is not None and nodes is not None:
            import igraph

            igraph.set_random_number_generator(random.Random(seed))
            try:
                parts = g.community_leiden(objective_function="modularity", n_iterations=2)
            finally:
                igraph.set_random_number_generator(random)
            found = [{nodes[i] for i in part} for part in parts]
    if found is None:
        S: nx.Graph[str] = nx.Graph()
        S.add_nodes_from(sorted(H.nodes))
        S.add_edges_from(sorted(tuple(sorted(e)) for e in H.edges()))
        found = nx.community.louvain_communities(S, seed=seed)
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
