"""The k shortest simple paths of :mod:`kg.network.paths`: NetworkX's ``shortest_simple_paths`` path for path,
ties included, on random graphs, on the curated chain graph and on a 10,000-actor synthetic one, for every
kind filter and date :func:`kg.network.chains.find_chains` takes."""

from __future__ import annotations

import itertools
import random
import sys
from array import array
from pathlib import Path

import networkx as nx
import pytest

from kg.network.chains import DEFAULT_KINDS, _hop, _restricted, chain_graph, find_chains, with_skeleton
from kg.network.hops import Chain
from kg.network.paths import shortest_simple_paths

ROOT = Path(__file__).resolve().parent.parent

#: (kinds, as_of) searched: the skeleton, a few kinds, dates (the year alone and a month), every kind
SETTINGS = [
    (None, None),
    (("adhesion", "participation", "financement"), None),
    (None, 2019),
    (None, "2015-06"),
    (("fondation", "soutien", "poste"), 2021),
    (("territoire", *DEFAULT_KINDS), None),
]
#: (k, max_hops) asked
LIMITS = [(3, 6), (5, 4), (1, 6), (8, 3), (2, 0)]


def _networkx(G: nx.Graph, s, t, k: int, max_hops: int) -> list[list]:
    """What find_chains took from NetworkX before: paths until *k* or one longer than *max_hops*."""
    out: list[list] = []
    try:
        for path in nx.shortest_simple_paths(G, s, t):
            if len(path) - 1 > max_hops or len(out) >= k:
                break
            out.append(path)
    except nx.NetworkXNoPath:
        pass
    return out


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_networkxs_paths_in_networkxs_order_on_random_graphs(seed):
    """Dict rows and integer rows (what kg chains reads) alike; graphs with and without a path between the
    two ends, a node to itself, and limits that cut the list short or leave it empty."""
    rng = random.Random(seed)
    n = 40
    G = nx.Graph()
    G.add_nodes_from(range(n))
    G.add_edges_from((a, b) for a, b in itertools.combinations(range(n), 2) if rng.random() < 0.08 * seed / 2)
    off, nb = array("q", [0]), array("i")
    for a in G:
        nb.extend(G.adj[a])
        off.append(len(nb))
    pairs = [(0, n - 1), (3, 17), (5, 5), *((rng.randrange(n), rng.randrange(n)) for _ in range(20))]
    answers = []
    for (s, t), (k, max_hops) in itertools.product(pairs, [*LIMITS, (30, 9)]):
        theirs = _networkx(G, s, t, k, max_hops)
        assert shortest_simple_paths(G._adj.__getitem__, s, t, k=k, max_hops=max_hops) == theirs, (s, t, k)
        rows = shortest_simple_paths(lambda v: nb[off[v] : off[v + 1]], s, t, k=k, max_hops=max_hops)
        assert rows == theirs, (s, t, k, max_hops)
        answers.append(theirs)
    assert shortest_simple_paths(G._adj.__getitem__, 5, 5) == [[5]]
    assert shortest_simple_paths(G._adj.__getitem__, 0, n - 1, k=3, max_hops=-1) == []
    assert any(len(a) > 1 for a in answers) and [] in answers  # several paths for some pairs, none for others


def _before(H: nx.Graph, s: str, t: str, k: int, max_hops: int, kinds, as_of) -> list[Chain]:
    """find_chains as it was: NetworkX's Yen on the skeleton or a filtered view of the chain graph."""
    view, ks, day = _restricted(H, kinds, as_of)
    if s not in view or t not in view:
        return []
    return [
        Chain(tuple(_hop(H, a, b, ks, day) for a, b in itertools.pairwise(p)))
        for p in _networkx(view, s, t, k, max_hops)
    ]


def _same_chains(H: nx.Graph, pairs: list[tuple[str, str]]) -> dict[tuple, list]:
    """find_chains against :func:`_before` on every pair, setting and limit: the chains found, per setting."""
    found: dict[tuple, list] = {}
    for i, (s, t) in enumerate(pairs):
        for kinds, as_of in SETTINGS:
            k, max_hops = LIMITS[i % len(LIMITS)]
            ours = find_chains(H, s, t, k=k, max_hops=max_hops, kinds=kinds, as_of=as_of)
            assert ours == _before(H, s, t, k, max_hops, kinds, as_of), (s, t, kinds, as_of, k, max_hops)
            found.setdefault((kinds, as_of), []).append([c.nodes for c in ours])
    return found


def test_find_chains_gives_networkxs_chains_on_the_curated_data(projection):
    H = with_skeleton(chain_graph(projection))
    named = sorted(n for n, d in H.nodes(data=True) if d.get("kind") in ("actor", "programme", "person"))
    pairs = list(itertools.combinations(named, 2))
    found = _same_chains(H, pairs)
    default, dated = found[(None, None)], found[(None, 2019)]
    assert sum(map(bool, default)) > 100 and [] in default  # linked and unlinked pairs
    assert default != dated and sum(map(bool, dated)) > 10  # a date changes the answers, and leaves some
    assert any(len(c) == 3 for c in default)  # pairs with three chains and more


@pytest.mark.slow
def test_find_chains_gives_networkxs_chains_on_10000_synthetic_actors(tmp_path_factory):
    """Pairs drawn as the benchmark draws them (walks of 1-4 hops, and any two nodes)."""
    from pyoxigraph import RdfFormat, Store

    from kg.network.projection import project
    from kg.rdf.shacl import ontology_quads
    from kg.store.graph import Graph

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import stream

    nq = tmp_path_factory.mktemp("paths10k") / "graph.nq"
    stream(10_000, nq, seed=42)
    store = Store()
    store.bulk_load(path=str(nq), format=RdfFormat.N_QUADS)
    store.bulk_extend(ontology_quads(ROOT / "ontology"))
    H = with_skeleton(chain_graph(project(Graph(store, None))))
    rng = random.Random(7)
    nodes = sorted(n for n in H if H.degree(n) > 0 and H.nodes[n].get("kind") in ("actor", "programme"))
    pairs = []
    for _ in range(150):
        a = b = rng.choice(nodes)
        if rng.random() < 0.7:
            for _ in range(rng.randint(1, 4)):
                b = rng.choice(list(H.neighbors(b)))
        else:
            b = rng.choice(nodes)
        pairs.append((a, b))
    found = _same_chains(H, pairs)
    default = found[(None, None)]
    assert sum(map(bool, default)) > 50 and [] in default
    assert default != found[(None, 2019)]
