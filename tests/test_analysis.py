"""Analysis: the measures run on the actor network and say what they measured; igraph and NetworkX agree.

Each measure is checked on tiny inline graphs, with at least two inputs that must give different answers.
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from conftest import ACTOR, ROOT

import kg
from kg.network.actors import actor_graph
from kg.network.analysis import analyse
from kg.network.brokerage import (
    betweenness,
    communities,
    constraint,
    cross_group_betweenness,
    cut_off,
    cut_offs,
    effective_size,
)
from kg.network.growth import growth
from kg.network.suggestions import MAX_GROUP, search_links, suggest_links

T = "https://w3id.org/territorial-kg/id/territory/"


# ---------------------------------------------------------------- engines agree


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_exact_betweenness_igraph_matches_networkx(seed):
    H = nx.relabel_nodes(nx.powerlaw_cluster_graph(300, 2, 0.2, seed=seed), str)
    ref = nx.betweenness_centrality(H)
    got = betweenness(H, engine="igraph")
    assert all(math.isclose(ref[v], got[v], abs_tol=1e-9) for v in H)


def test_sampled_betweenness_igraph_matches_networkx_for_the_same_pivots():
    H = nx.relabel_nodes(nx.powerlaw_cluster_graph(600, 2, 0.2, seed=7), str)
    a = betweenness(H, k=50, seed=3, engine="igraph")
    b = betweenness(H, k=50, seed=3, engine="networkx")
    assert all(math.isclose(a[v], b[v], rel_tol=1e-9, abs_tol=1e-12) for v in H)
    exact = nx.betweenness_centrality(H)
    top = sorted(exact, key=exact.get, reverse=True)[:5]
    assert len(set(top) & set(sorted(a, key=a.get, reverse=True)[:10])) >= 4


@pytest.mark.parametrize("k", [None, 40])
def test_cross_group_betweenness_igraph_matches_networkx(k):
    H = nx.relabel_nodes(nx.powerlaw_cluster_graph(200, 2, 0.2, seed=4), str)
    groups = communities(H, engine="networkx")
    a = cross_group_betweenness(H, groups, k=k, engine="igraph")
    b = cross_group_betweenness(H, groups, k=k, engine="networkx")
    assert all(math.isclose(a[v], b[v], rel_tol=1e-9, abs_tol=1e-9) for v in H)


@pytest.mark.parametrize("k", [None, 40])
@pytest.mark.parametrize("big", [5, 1000])
def test_cross_group_betweenness_igraph_matches_networkx_with_nodes_alone(k, big):
    # the nodes in no group (the sources alone in their part) go in one igraph call: the same sums.
    # With no group at all (big=1000) every node is alone: cross-group betweenness is betweenness
    H = nx.relabel_nodes(nx.powerlaw_cluster_graph(200, 2, 0.2, seed=5), str)
    H.add_nodes_from(["x-isolated-1", "x-isolated-2"])
    groups = [g for g in communities(H, engine="networkx") if len(g) >= big]
    a = cross_group_betweenness(H, groups, k=k, engine="igraph")
    b = cross_group_betweenness(H, groups, k=k, engine="networkx")
    assert all(math.isclose(a[v], b[v], rel_tol=1e-9, abs_tol=1e-9) for v in H)
    assert max(a.values()) > 0


def _needs_numba():
    from kg.network import sweep

    if not sweep.available():
        if os.environ.get("CI") == "true":
            pytest.fail("numba is not installed: pip install -e '.[dev]' (else kg.network.sweep is untested)")
        pytest.skip("numba is not installed")


def _two_parts(seed: int) -> nx.Graph:
    """A graph of two components, two isolated nodes and a pendant chain: paths of several counts and none."""
    H = nx.relabel_nodes(nx.powerlaw_cluster_graph(500, 3, 0.3, seed=seed), lambda v: f"a{v:04d}")
    H.add_edges_from(nx.relabel_nodes(nx.cycle_graph(40), lambda v: f"b{v:03d}").edges)
    H.add_edges_from([("a0003", "c1"), ("c1", "c2"), ("c2", "c3")])
    H.add_nodes_from(["x-isolated-1", "x-isolated-2"])
    return H


@pytest.mark.parametrize("seed", [11, 12])
def test_one_sweep_per_pivot_is_igraphs_betweenness_to_the_bit(seed):
    _needs_numba()
    from kg.network.brokerage import _igraph
    from kg.network.sweep import pivot_sweeps

    H = _two_parts(seed)
    g, _ = _igraph(H)
    sources = random.Random(seed).sample(range(g.vcount()), 60)
    raw, kept = pivot_sweeps(g.get_adjlist(), sources, list(range(g.vcount())))
    assert raw.tolist() == g.betweenness(directed=False, sources=sources)  # the same floats, not close ones
    # one thread or several: each source in its own row, the rows added in the sources' order
    import numba

    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        alone, kept_alone = pivot_sweeps(g.get_adjlist(), sources, list(range(g.vcount())))
    finally:
        numba.set_num_threads(threads)
    assert alone.tolist() == raw.tolist() and (kept_alone == kept).all()
    # every node in a part of its own: a source's cross-group targets are every other node
    assert (kept.sum(axis=0) * 0.5 > 0).sum() > 100


@pytest.mark.parametrize("big", [1, 30, 1000])
def test_both_betweenness_figures_from_one_sweep_are_the_separate_ones(big):
    # the groups of the communities (big=1), some nodes alone (30), no group at all (1000): the same figures
    # to the last bit as betweenness() and cross_group_betweenness() on igraph, on two graphs that differ
    _needs_numba()
    from kg.network.brokerage import pivot_betweenness

    found = []
    for seed in (11, 12):
        H = _two_parts(seed)
        groups = [g for g in communities(H, engine="networkx") if len(g) >= big]
        bet, cross_of = pivot_betweenness(H, groups, k=80, seed=seed, engine="sweep")
        assert bet == betweenness(H, k=80, seed=seed, engine="igraph")
        some = [*sorted(H, key=lambda v: (-bet[v], v))[:12], "x-isolated-1", "c3"]
        cross = cross_of(some)
        assert cross == cross_group_betweenness(H, groups, k=80, seed=seed, engine="igraph", nodes=some)
        assert max(cross.values()) > 0 and cross["x-isolated-1"] == 0
        # every node at once (what the stored actor network keeps): the same floats as igraph's calls
        assert cross_of(sorted(H)) == cross_group_betweenness(H, groups, k=80, seed=seed, engine="igraph")
        found.append(sorted(bet, key=lambda v: (-bet[v], v))[:5])
    assert found[0] != found[1]


def test_edge_count_of_the_twin_check_is_number_of_edges():
    from kg.network.brokerage import graph_size as _size

    H = nx.relabel_nodes(nx.powerlaw_cluster_graph(50, 2, 0.2, seed=1), str)
    assert _size(H) == (50, H.number_of_edges())
    H.add_edge("0", "0")  # a self-loop counts once, as number_of_edges() counts it
    H.add_node("alone")
    assert _size(H) == (51, H.number_of_edges())
    assert _size(nx.Graph()) == (0, 0)


@pytest.mark.parametrize("engine", ["igraph", "networkx"])
def test_cross_group_betweenness_of_some_nodes_is_theirs_in_the_whole(engine):
    H = nx.relabel_nodes(nx.powerlaw_cluster_graph(200, 2, 0.2, seed=8), str)
    groups = communities(H, engine="networkx")
    whole = cross_group_betweenness(H, groups, k=40, engine=engine)
    some = sorted(H)[::17]
    assert cross_group_betweenness(H, groups, k=40, engine=engine, nodes=some) == {v: whole[v] for v in some}


def test_cross_group_betweenness_with_one_group_per_node_is_betweenness():
    H = nx.relabel_nodes(nx.powerlaw_cluster_graph(60, 2, 0.2, seed=1), str)
    raw = nx.betweenness_centrality(H, normalized=False)
    got = cross_group_betweenness(H, [[v] for v in H], engine="networkx")
    assert all(math.isclose(raw[v], got[v], abs_tol=1e-9) for v in H)
    one_group = cross_group_betweenness(H, [list(H)], engine="networkx")
    assert all(v == 0 for v in one_group.values())


@pytest.mark.slow
def test_constraint_and_effective_size_match_networkx():
    H = nx.relabel_nodes(nx.powerlaw_cluster_graph(800, 3, 0.3, seed=5), str)
    nodes = random.Random(1).sample(list(H), 40)
    ref_c = nx.constraint(H, nodes)
    got_c = constraint(H, nodes, engine="igraph")
    assert all(math.isclose(ref_c[v], got_c[v], rel_tol=1e-9) for v in nodes)
    ref_e = nx.effective_size(H, nodes)
    got_e = effective_size(H, nodes)
    assert all(math.isclose(ref_e[v], got_e[v], rel_tol=1e-9) for v in nodes)


def test_communities_igraph_as_good_as_networkx():
    H = nx.relabel_nodes(nx.planted_partition_graph(6, 500, 0.05, 0.0005, seed=3), str)
    mod_ig = nx.community.modularity(H, communities(H, engine="igraph"))
    mod_nx = nx.community.modularity(H, communities(H, engine="networkx"))
    assert mod_ig >= 0.95 * mod_nx


def test_cut_offs_on_igraph_are_the_per_node_cut_offs():
    # a clustered core with pendant paths and trees hanging off it, and a separate small component
    H = nx.relabel_nodes(nx.powerlaw_cluster_graph(400, 1, 0.3, seed=6), str)
    H.add_edges_from([("400", "401"), ("401", "402"), ("5", "400"), ("alone-a", "alone-b")])
    H.add_node("alone")
    nodes = sorted(H)
    ref = {v: cut_off(H, v) for v in nodes}
    assert cut_offs(H, nodes, engine="igraph") == ref == cut_offs(H, nodes, engine="networkx")
    assert ref["401"] == (1, H.number_of_nodes() - 5) and ref["alone"] == (0, 0) and ref["alone-a"] == (0, 1)
    assert sum(1 for c, _ in ref.values() if c) > 10  # many cut vertices, of different reach


def test_communities_read_the_kept_igraph_twin_as_they_read_the_graph():
    # the actor network keeps its igraph twin (sorted); a copy without it is read afresh: same groups
    rng = random.Random(4)
    n = 2600
    G = projection(
        *[(f"a{i:05d}", "actor") for i in range(n)],
        *[(f"p{j:04d}", "programme") for j in range(n // 4)],
        edges=[
            (f"a{i:05d}", f"p{rng.randrange(n // 4):04d}", "participation")
            for i in range(n)
            for _ in range(2)
        ],
    )
    H = actor_graph(G)
    assert H.graph["_igraph"][3]  # sorted twin kept
    bare = H.copy()
    bare.graph.pop("_igraph")
    assert communities(H) == communities(bare)


def _all_pairs_best(G, H, top):
    """The suggestions by brute force over every pair: what search_links finds when no group is crowded."""
    from kg.network.suggestions import WEIGHTS

    def context(v, key):
        return set(G.nodes[v][key]).union(*(G.nodes[x][key] for x in H.graph["activities"][v]))

    themes = {v: context(v, "themes") for v in H}
    places = {v: context(v, "territory") for v in H}
    found = []
    for a in sorted(H):
        for b in sorted(H):
            if b <= a or H.has_edge(a, b):
                continue
            p = len(set(H[a]) & set(H[b]))
            t = len(places[a] & places[b])
            th = len(themes[a] & themes[b])
            if (p or t) and p + t + th >= 2:
                score = WEIGHTS["partners"] * p + WEIGHTS["territories"] * t + WEIGHTS["themes"] * th
                found.append((-score, str(H.nodes[a]["label"]), str(H.nodes[b]["label"]), a, b))
    return [(a, b, -neg) for neg, _, _, a, b in sorted(found)[:top]]


@pytest.mark.parametrize("seed", [1, 2])
def test_suggested_links_are_the_best_of_all_pairs_when_no_group_is_crowded(seed):
    rng = random.Random(seed)
    places = [T + f"commune/{c}" for c in range(8)]
    G = projection(
        *[
            (
                f"a{i:03d}",
                "actor",
                {"themes": rng.sample("wxyz", 2), "territory": rng.sample(places, 1), "label": f"A{i % 7}"},
            )
            for i in range(120)
        ],
        *[(f"p{j:02d}", "programme", {"themes": ["v"]}) for j in range(40)],
        edges=[
            (f"a{i:03d}", f"p{rng.randrange(40):02d}", "participation") for i in range(120) for _ in range(2)
        ]
        + [(f"a{rng.randrange(120):03d}", f"a{rng.randrange(120):03d}", "soutien") for _ in range(60)],
    )
    H = actor_graph(G)
    search = search_links(G, H, top=15)
    assert (search.capped_partners, search.capped_territories) == (0, 0)
    assert [(s.a, s.b, s.score) for s in search.suggestions] == _all_pairs_best(G, H, 15)
    if _has_numba():
        assert search_links(G, H, top=15, engine="compiled") == search


def _has_numba() -> bool:
    from kg.network import sweep

    return sweep.available()


def _crowded_national(seed: int, actors: int = 2600) -> nx.MultiDiGraph:
    """Over EXACT_BELOW actors (the narrowed search), with hubs of more than MAX_GROUP partners, crowded
    territories, shared programmes and repeated labels: every branch of the suggestions' visit."""
    rng = random.Random(seed)
    places = [T + f"commune/{c}" for c in range(30)]
    ties = nx.powerlaw_cluster_graph(actors, 2, 0.3, seed=seed).edges
    return projection(
        *[
            (
                f"a{i:05d}",
                "actor",
                {
                    "themes": rng.sample("uvwxyz", rng.randrange(3)),
                    "territory": rng.sample(places, rng.randrange(3)),
                    "label": f"A{i % 97}",
                },
            )
            for i in range(actors)
        ],
        *[(f"p{j:03d}", "programme", {"themes": [rng.choice("uvwxyz")]}) for j in range(300)],
        edges=[(f"a{a:05d}", f"a{b:05d}", "soutien") for a, b in ties]
        + [
            (f"a{rng.randrange(actors):05d}", f"p{rng.randrange(300):03d}", "participation")
            for _ in range(900)
        ],
    )


@pytest.mark.parametrize("seed", [5, 6])
def test_the_compiled_visit_of_the_suggested_links_is_the_python_one(seed):
    """The compiled visit (numba, above COMPILED_ABOVE actors) finds the same pairs, scores and narrowed
    count as the Python loop: crowded hubs and territories, a narrowed search, the kept pairs pruned (a small
    and a large top), repeated labels; two graphs whose suggestions differ."""
    _needs_numba()
    from kg.network.suggestions import EXACT_BELOW

    G = _crowded_national(seed)
    H = actor_graph(G)
    assert H.number_of_nodes() > EXACT_BELOW
    found = []
    for top in (1, 10, 60):
        python = search_links(G, H, top=top, engine="python")
        assert python.capped_partners and python.capped_territories and python.narrowed
        assert len(python.suggestions) == top
        assert search_links(G, H, top=top, engine="compiled") == python
        found.append(python)
    assert found[1].suggestions[:1] == found[0].suggestions and found[2].suggestions[:10] != []
    assert search_links(G, H, top=10, engine="auto") == found[1]  # below COMPILED_ABOVE: Python
    # the arrays kept with the stored network (made at build time) are what the compiled visit reads
    from kg.network.suggestions import link_arrays

    H.graph["link_arrays"] = link_arrays(G, H)
    assert search_links(G, H, top=10, engine="compiled") == found[1]
    H.graph["link_arrays"]["capped"] = (0, 0)
    assert search_links(G, H, top=10, engine="compiled").capped_partners == 0
    H.add_edge(*sorted(H)[:2])  # changed since: made again, not read
    assert search_links(G, H, top=10, engine="compiled") == search_links(G, H, top=10, engine="python")
    assert search_links(G, H, top=10, engine="compiled").capped_partners


def test_the_compiled_visit_finds_other_links_on_another_graph():
    _needs_numba()
    a, b = (search_links(*_with_actors(_crowded_national(s)), top=10, engine="compiled") for s in (5, 6))
    assert a.suggestions != b.suggestions


@pytest.mark.parametrize("seed", [5, 6])
def test_the_search_kept_with_the_network_is_read_for_its_top_only(seed, monkeypatch):
    """kg build keeps the default search with the stored network (kg analyse then neither visits nor
    compiles): it is read for its top on the network as it was, not for another top, a changed network or
    KG_SWEEP=off (the baseline that visits in Python)."""
    import dataclasses

    from kg.network.suggestions import LINKS_TOP, keep_search

    G = _crowded_national(seed)
    H = actor_graph(G)
    search = search_links(G, H, top=LINKS_TOP, engine="python")
    keep_search(H, search)
    assert search_links(G, H, top=LINKS_TOP) == search
    tampered = dataclasses.replace(search, suggestions=search.suggestions[:1], narrowed=0)
    keep_search(H, tampered)
    assert search_links(G, H, top=LINKS_TOP) == tampered  # read, not visited again
    assert search_links(G, H, top=3) == search_links(G, H, top=3, engine="python")
    assert search_links(G, H, top=LINKS_TOP, engine="python") == search
    monkeypatch.setenv("KG_SWEEP", "off")
    assert search_links(G, H, top=LINKS_TOP) == search
    monkeypatch.delenv("KG_SWEEP")
    H.add_edge(*sorted(H)[:2])  # changed since: not read
    assert search_links(G, H, top=LINKS_TOP) == search_links(G, H, top=LINKS_TOP, engine="python") != tampered


def _with_actors(G: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, nx.Graph]:
    return G, actor_graph(G)


def test_a_crowded_partner_bounds_the_search_and_the_summary_says_so():
    # a network with more members than MAX_GROUP: only its best-tied members are paired through it
    members = [f"m{i:03d}" for i in range(MAX_GROUP + 5)]
    G = projection(
        ("net", "actor"),
        *[(m, "actor", {"themes": ["t"]}) for m in members],
        ("p", "programme"),
        edges=[(m, "net", "adhesion") for m in members] + [(m, "p", "participation") for m in members[:3]],
    )
    H = actor_graph(G)
    search = search_links(G, H)
    assert search.capped_partners == 1 and search.suggestions
    # the pairs it finds are scored on all their shared partners, crowded ones included
    assert all(s.partners == ("net",) and s.score == 3.0 for s in search.suggestions)
    res = analyse(G)
    assert res.summary["suggestion_search"] == {
        "max_group": MAX_GROUP,
        "capped_partners": 1,
        "capped_territories": 0,
        "per_actor": 10,
        "narrowed": 0,
    }
    assert (
        f"seuls les {MAX_GROUP} plus liés sont mis en paires (1 acteur et 0 territoire concernés)"
        in res.summary["sentence"]
    )
    assert f"only the {MAX_GROUP} best-tied are paired" in analyse(G, lang="en").summary["sentence"]
    # an uncrowded graph says nothing of the kind
    assert "suggestion_search" not in analyse(star_of_programmes()).summary


# ---------------------------------------------------------------- tiny projections


def projection(*nodes, edges=(), labels=None) -> nx.MultiDiGraph:
    """A projection: nodes ``(id, kind[, attrs])``, edges ``(a, b, kind[, attrs])``."""
    G = nx.MultiDiGraph()
    G.graph["concept_labels"] = labels or {}
    for spec in nodes:
        n, kind, attrs = (*spec, {}) if len(spec) == 2 else spec
        attrs = {"label": n.title(), "themes": [], "territory": [], "start": None, "end": None, **attrs}
        G.add_node(n, kind=kind, **attrs)
    for spec in edges:
        a, b, kind, attrs = (*spec, {}) if len(spec) == 3 else spec
        G.add_edge(a, b, kind=kind, **{"start": None, "end": None, "sources": [], **attrs})
    return G


def star_of_programmes() -> nx.MultiDiGraph:
    """Two programmes sharing one actor (hub), each with two more actors; leaf is tied to hub by a support."""
    return projection(
        *[(n, "actor") for n in ("hub", "a1", "a2", "b1", "b2")],
        ("p", "programme"),
        ("q", "programme"),
        edges=[
            ("hub", "p", "participation"),
            ("a1", "p", "participation"),
            ("a2", "p", "participation"),
            ("hub", "q", "participation"),
            ("b1", "q", "participation"),
            ("b2", "q", "participation"),
        ],
    )


def test_the_actor_network_ties_actors_through_activities_and_directly():
    G = projection(
        *[(n, "actor") for n in "abcdef"],
        ("jo", "person"),
        ("nobody", "person"),
        ("p", "programme"),
        ("g", "funding"),
        ("meet", "event"),
        ("pub", "publication"),
        ("q", "programme"),
        ("t", "territory"),
        edges=[
            ("a", "p", "participation"),
            ("b", "p", "participation"),
            ("c", "g", "financement"),
            ("g", "d", "financement"),
            ("jo", "meet", "evenement", {"role": "intervenant"}),
            ("jo", "e2", "poste"),  # e2 is no actor: not a post in the network
            ("f", "pub", "publication", {"role": "auteur"}),
            ("pub", "a", "sujet"),
            ("p", "q", "partie"),  # programmes tied to each other tie nobody
            ("a", "t", "territoire"),
            ("b", "t", "territoire"),
            ("nobody", "meet", "evenement"),
        ],
    )
    H = actor_graph(G)
    assert sorted(H) == list("abcdef")  # no programme, funding, event, publication, person or territory
    assert sorted(H.edges()) == [("a", "b"), ("a", "f"), ("c", "d")]
    assert H.graph["activities"]["a"] == ("p", "pub")
    assert H.graph["persons"] == {"through_a_post": 0, "left_out": 2}
    # a person counts for the organisation of their post: e is now tied to the event's other participant
    G.add_edge("jo", "e", kind="poste")
    G.add_edge("b", "meet", kind="evenement")
    H2 = actor_graph(G)
    assert ("b", "e") in H2.edges and H2.graph["persons"]["through_a_post"] == 1
    # a programme modelled on an actor does not make it a partner of the programme's actors
    G.add_node("labo", kind="actor", label="Labo")
    G.add_edge("p", "labo", kind="inspiration")
    assert actor_graph(G).degree("labo") == 0
    G.add_edge("a", "labo", kind="inspiration")
    assert list(actor_graph(G)["labo"]) == ["a"]
    # keep: persons count only within the selection
    assert actor_graph(G, keep={"a", "b", "p"}).graph["persons"] == {"through_a_post": 0, "left_out": 0}
    assert actor_graph(G, keep={"e", "b", "meet"}).graph["persons"] == {"through_a_post": 1, "left_out": 0}
    # keep: a programme left out ties nobody
    assert ("a", "b") not in actor_graph(G, keep={"a", "b"}).edges
    assert ("a", "b") in actor_graph(G, keep={"a", "b", "p"}).edges


def test_a_publication_about_an_actor_is_a_tie_not_isolation():
    lone = projection(
        ("juris", "actor"), ("pemb", "actor"), ("art", "publication"), edges=[("juris", "art", "publication")]
    )
    assert [f.subject for f in analyse(lone).isolated] == ["juris", "pemb"]
    about = lone.copy()
    about.add_edge("art", "pemb", kind="sujet", start=None, end=None, sources=[])
    assert analyse(about).isolated == []


def test_programmes_are_never_brokers_and_a_broker_needs_actor_pairs_through_it():
    # in the mixed graph, programmes p and q are the brokers; in the actor network only the hub is
    res = analyse(star_of_programmes())
    assert [f.subject for f in res.brokers] == ["hub"]
    hub = res.brokers[0]
    assert hub.figures["pairs"] == 6 and math.isclose(hub.figures["betweenness"], 4 / 6)
    assert (
        "66,7 % des plus courts chemins entre les 6 paires d'autres acteurs passent par lui" in hub.sentence
    )
    assert "Sans lui, 2 acteurs n'auraient plus aucun chemin" in hub.sentence
    assert "Estimation" not in hub.sentence
    sampled = analyse(star_of_programmes(), k=2).brokers
    assert (
        sampled
        and "Estimation à partir des plus courts chemins de 2 acteurs tirés au hasard" in sampled[0].sentence
    )
    # the same actors in one programme: no actor pair needs anyone, so no broker (Club Gravelle's case)
    one = projection(
        *[(n, "actor") for n in ("hub", "a1", "a2", "b1")],
        ("p", "programme"),
        ("q", "programme"),
        edges=[(n, "p", "participation") for n in ("hub", "a1", "a2", "b1")]
        + [("hub", "q", "participation")],
    )
    assert analyse(one).brokers == []


def test_links_groups_only_with_paths_across_groups():
    # two cliques joined by a bridge actor: it links groups; inside one clique with a pendant, it does not
    G = nx.Graph()
    G.add_edges_from((f"a{i}", f"a{j}") for i in range(4) for j in range(i + 1, 4))
    G.add_edges_from((f"b{i}", f"b{j}") for i in range(4) for j in range(i + 1, 4))
    G.add_edges_from([("a0", "x"), ("x", "b0")])
    bridged = projection(*[(n, "actor") for n in G], edges=[(a, b, "soutien") for a, b in G.edges()])
    x = next(f for f in analyse(bridged).brokers if f.subject == "x")
    assert "Il relie des groupes (ses contacts sont dans les groupes 1 et 2)" in x.sentence
    assert x.figures["cross_group_betweenness"] > 0
    # a star is one group: its hub is a broker, but no path between groups runs through it
    star = projection(
        *[(n, "actor") for n in ("hub", "a", "b", "c")], edges=[("hub", n, "soutien") for n in "abc"]
    )
    hub = analyse(star).brokers[0]
    assert hub.subject == "hub" and len(analyse(star).communities) == 1
    assert hub.figures["cross_group_betweenness"] == 0
    assert "relie des groupes" not in hub.sentence and "Entre groupes" not in hub.sentence


def test_loosely_linked_contacts_only_when_they_are():
    # a star: the hub's contacts are not tied to each other; a star whose leaves share a programme: they are
    star = projection(
        *[(n, "actor") for n in ("hub", "a", "b", "c")], edges=[("hub", n, "soutien") for n in "abc"]
    )
    assert (
        "Ses 3 contacts sont peu liés entre eux : 0,0 % des liens possibles"
        in analyse(star).brokers[0].sentence
    )
    tied = star.copy()
    tied.add_node("p", kind="programme", label="P", themes=[], territory=[])
    for n in "ab":
        tied.add_edge(n, "p", kind="participation", start=None, end=None, sources=[])
    hub = analyse(tied).brokers[0]
    assert hub.subject == "hub" and math.isclose(hub.figures["contact_density"], 1 / 3)
    tied.add_edge("c", "p", kind="participation", start=None, end=None, sources=[])
    assert analyse(tied).brokers == []  # all tied to each other: nobody in between


def test_communities_and_their_theme_differ_with_the_graph():
    labels = {"jeunesse": {"fr": "Jeunesse", "en": "Youth"}, "emploi": {"fr": "Emploi", "en": "Jobs"}}
    G = nx.Graph()
    G.add_edges_from((f"a{i}", f"a{j}") for i in range(4) for j in range(i + 1, 4))
    G.add_edges_from((f"b{i}", f"b{j}") for i in range(4) for j in range(i + 1, 4))
    G.add_edge("a0", "b0")
    themed = projection(
        *[(n, "actor", {"themes": ["jeunesse"] if n.startswith("a") else ["emploi"]}) for n in sorted(G)],
        edges=[(a, b, "adhesion") for a, b in G.edges()],
        labels=labels,
    )
    res = analyse(themed)
    assert [c.figures["members"][:1] for c in res.communities] == [["a0"], ["b0"]]
    assert "thème le plus partagé : « Jeunesse » (4 membres sur 4)" in res.communities[0].sentence
    assert "“Jobs” (4 of 4 members)" in analyse(themed, lang="en").communities[1].sentence
    # a theme of one member is not named; one clique is one group
    for n in themed:
        themed.nodes[n]["themes"] = []
    themed.nodes["a1"]["themes"] = ["jeunesse"]
    themed.add_edges_from([(a, b) for a in sorted(themed) for b in sorted(themed) if a < b], kind="adhesion")
    res = analyse(themed)
    assert len(res.communities) == 1 and "thème" not in res.communities[0].sentence


def test_suggested_links_name_shared_partners_themes_and_territories():
    labels = {"jeunesse": {"fr": "Jeunesse", "en": "Youth"}}
    charenton = T + "commune/94018"
    G = projection(
        ("ville", "actor"),
        ("club", "actor", {"themes": ["jeunesse"]}),
        ("lycee", "actor", {"territory": [charenton]}),
        ("far", "actor", {"themes": ["jeunesse"]}),
        ("q2er", "programme", {"themes": ["jeunesse"], "territory": [charenton]}),
        ("aet", "programme"),
        (charenton, "territory", {"label": "Charenton-le-Pont"}),
        edges=[
            ("ville", "q2er", "participation"),
            ("ville", "aet", "participation"),
            ("club", "aet", "participation"),
            ("lycee", charenton, "territoire"),
        ],
        labels=labels,
    )
    H = actor_graph(G)
    pairs = {(s.a, s.b) for s in suggest_links(G, H)}
    assert (
        "lycee",
        "ville",
    ) not in pairs  # ville is in Charenton through Q2ER, but one shared thing is not enough
    assert pairs == set()
    # the lycée joins the Q2ER theme and the club gains a partner: now they are suggested
    G.nodes["lycee"]["themes"] = ["jeunesse"]
    G.add_edge("club", "q2er", kind="participation", start=None, end=None, sources=[])
    G.add_edge("lycee", "ville", kind="adhesion", start=None, end=None, sources=[])
    res = analyse(G)
    found = {tuple(sorted((f.figures["a"], f.figures["b"]))): f for f in res.suggestions}
    assert ("club", "lycee") in found and ("far", "ville") not in found  # a theme alone is not a reason
    s = found[("club", "lycee")]
    assert "sont tous deux liés au même acteur (Ville)" in s.sentence
    assert (
        "travaillent tous deux sur « Jeunesse »" in s.sentence
        and "agissent tous deux sur Charenton-le-Pont" in s.sentence
    )
    assert s.figures["territories"] == [charenton]


def test_growth_counts_dated_facts_once_and_stops_at_the_last():
    G = projection(
        ("fonds", "actor", {"start": "2020"}),
        ("cofounder", "actor"),
        ("pemb", "actor", {"start": "2016"}),
        ("grant", "funding", {"start": "2021", "end": "2022"}),
        ("aet", "programme", {"start": "2008"}),
        ("undated", "programme"),
        edges=[
            ("cofounder", "fonds", "fondation", {"start": "2020"}),
            ("fonds", "grant", "financement", {"start": "2021", "end": "2022"}),
            ("grant", "pemb", "financement", {"start": "2021", "end": "2022"}),
            ("grant", "aet", "financement", {"start": "2021", "end": "2022"}),
            ("pemb", "aet", "participation", {"start": "2018"}),
            ("pemb", "undated", "participation"),
        ],
    )
    series = growth(G)
    by_year = {r["year"]: r for r in series["years"]}
    assert series["first"] == 2008 and series["last"] == 2022  # not the current year
    assert (
        by_year[2021]["fundings"] == 1 and by_year[2021]["relations"] == 1
    )  # one grant, not three relations
    assert by_year[2020]["foundings"] == 1 and by_year[2021]["foundings"] == 0  # a founding is of its year
    assert series["undated"] == {"actors": 1, "programmes": 1, "relations": 1}
    res = analyse(G)
    assert res.growth[0].kind == "growth-method"
    assert (
        "3 faits sans date laissés de côté" in res.growth[0].sentence
        and "jusqu'en 2022" in res.growth[0].sentence
    )
    assert [f.figures["year"] for f in res.growth[1:]] == [2008, 2016, 2018, 2020, 2021, 2022]
    # without dates: nothing to show, and it says so
    for n in G:
        G.nodes[n]["start"] = None
    for *_, d in G.edges(data=True):
        d["start"] = None
    assert growth(G)["years"] == []
    assert "Aucun fait daté" in analyse(G).growth[0].sentence


def test_cut_sentence_writes_large_counts_as_numbers():
    # hub holds a pendant actor apart from 1,501 others (a star around c0): the figures read as numbers
    leaves = [f"c{i:04d}" for i in range(1, 1501)]
    G = projection(
        *[(n, "actor") for n in ["hub", "pendant", "c0000", *leaves]],
        edges=[("hub", "pendant", "soutien"), ("hub", "c0000", "soutien")]
        + [("c0000", n, "soutien") for n in leaves],
    )
    hub = next(f for f in analyse(G).brokers if f.subject == "hub")
    assert hub.figures["cut_off"] == 1
    assert "Sans lui, 1 acteur n'aurait plus aucun chemin vers les 1\u202f501 autres acteurs" in hub.sentence
    c0 = next(f for f in analyse(G, lang="en").brokers if f.subject == "c0000")
    assert "Its 1,501 contacts" in c0.sentence


# ---------------------------------------------------------------- determinism


_SCRIPT = """
import json, sys
import networkx as nx
sys.path.insert(0, "tests")
from test_analysis import projection
from kg.network.analysis import analyse
labels = {t: {"fr": t.title()} for t in ("t1", "t2", "t3", "t4")}
G = projection(
    *[(f"n{i}", "actor", {"themes": sorted({f"t{i % 4 + 1}", f"t{(i * 7) % 4 + 1}"}), "label": f"N{i % 5}"})
      for i in range(30)],
    *[(f"p{j}", "programme") for j in range(8)],
    edges=[(f"n{i}", f"p{(i * 5 + i // 3) % 8}", "participation") for i in range(30)]
    + [(f"n{i}", f"n{(i * 11) % 30}", "soutien") for i in range(0, 30, 4)],
    labels=labels,
)
print(json.dumps(analyse(G).as_dict(), ensure_ascii=False, sort_keys=False, default=str))
"""


def test_the_same_graph_gives_the_same_bytes_whatever_the_hash_seed():
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _SCRIPT], cwd=ROOT, env=env, capture_output=True, check=True
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
    data = json.loads(outputs.pop())
    assert data["communities"] and data["brokers"]


@pytest.mark.slow
def test_kg_analyse_gives_the_same_bytes_whatever_the_hash_seed(built_store):
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-m", "kg.cli.commands", "analyse", "--store", str(built_store)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            check=True,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1


# ---------------------------------------------------------------- the curated data


def test_analysis_of_the_curated_data_in_french_and_english(projection):
    fr = analyse(projection)
    programmes = {n for n, d in projection.nodes(data=True) if d.get("kind") != "actor"}
    assert fr.brokers and not {b.subject for b in fr.brokers} & programmes
    assert all(b.figures["betweenness"] > 0 for b in fr.brokers)
    assert all(
        b.figures["cross_group_betweenness"] > 0 for b in fr.brokers if "relie des groupes" in b.sentence
    )
    # Club Gravelle Entreprendre is a broker only as far as the actor pairs say: the lycées of Charenton
    # reach the others through it or the Ville (Q2ER), so its share is small but not zero
    gravelle = next(b for b in fr.brokers if b.subject == ACTOR + "club-gravelle-entreprendre")
    assert 0 < gravelle.figures["betweenness"] < 0.05
    observatoire = next(b for b in fr.brokers if b.subject == ACTOR + "observatoire-des-partenariats")
    assert "6,5 %" in observatoire.sentence and "703 paires d'autres acteurs" in observatoire.sentence
    assert ACTOR + "pemb" in {b.subject for b in fr.brokers[:5]}
    assert fr.communities and all(len(c.figures["members"]) >= 2 for c in fr.communities)
    assert len(fr.suggestions) >= 3
    years = [g.figures["year"] for g in fr.growth[1:]]
    assert years == sorted(years) and 2008 in years and max(years) < 2026
    en = analyse(projection, lang="en")
    assert "is a broker:" in en.brokers[0].sentence and "pairs of other actors" in en.brokers[0].sentence


def test_the_cli_prints_the_network_first(built_store):
    from typer.testing import CliRunner

    from kg.cli.commands import app

    out = CliRunner().invoke(app, ["analyse", "--store", str(built_store)]).output
    assert out.startswith("Réseau des acteurs : ") and "paires d'acteurs" in out.splitlines()[0]
    assert Path(built_store).exists()


def test_constraint_is_networkx_constraint_in_a_fixed_order():
    H = nx.relabel_nodes(nx.powerlaw_cluster_graph(120, 3, 0.3, seed=2), str)
    ref = nx.constraint(H)
    got = constraint(H, engine="networkx")
    assert all(math.isclose(ref[v], got[v], rel_tol=1e-12) for v in H)
    H.add_node("alone")
    assert math.isnan(constraint(H, ["alone"], engine="networkx")["alone"])


def test_a_graph_without_ties_or_actors_gives_empty_sections_not_errors():
    empty = analyse(projection())
    assert (empty.brokers, empty.communities, empty.isolated, empty.suggestions) == ([], [], [], [])
    assert empty.summary["pairs"] == 0
    only_programmes = analyse(
        projection(("p", "programme"), ("q", "programme"), edges=[("p", "q", "partie")])
    )
    assert only_programmes.summary["actors"] == 0 and only_programmes.brokers == []


def test_the_whole_graph_is_analysed_from_its_stored_actor_network_alone(built_store):
    """``kg analyse`` of the whole graph reads the stored actor network, which carries what the measures read
    of the projection (activities, territories, concept labels, growth): the projection is not loaded (a
    reader missing it would make it again and save it), and the findings are those of the projection."""
    from kg.network.actors import ACTORS_SHAPE, cached_actor_graph
    from kg.network.projection import cached_project
    from kg.store import artefacts

    graph = kg.open(built_store)
    G = cached_project(graph)
    expected = analyse(G).as_dict()
    H = cached_actor_graph(graph, G)
    assert artefacts.load(built_store, "actors", shape=ACTORS_SHAPE) is not None
    C = H.graph["context"]
    assert not set(C) & set(H) and 0 < C.number_of_nodes() < G.number_of_nodes() and not C.number_of_edges()
    assert {C.nodes[x]["kind"] for x in C} >= {"programme", "territory"}
    path = artefacts.artefact_path(built_store, "projection")
    saved = path.read_bytes()
    path.unlink()
    try:
        whole = analyse(kg.open(built_store)).as_dict()
        assert not path.exists()
    finally:
        path.write_bytes(saved)
    assert whole == expected and whole["suggestions"] and whole["growth"]
    assert analyse(kg.open(built_store), territory="departement:94").as_dict() != whole


def test_the_whole_actor_network_carries_the_themes_and_territories_the_suggestions_read():
    from kg.network.suggestions import link_context, themes_and_places

    charenton = T + "commune/94018"
    G = projection(
        ("ville", "actor", {"territory": [charenton]}),
        ("club", "actor", {"themes": ["sport"]}),
        ("lycee", "actor"),
        ("q2er", "programme", {"themes": ["jeunesse"], "territory": [charenton]}),
        (charenton, "territory", {"label": "Charenton-le-Pont"}),
        edges=[("club", "q2er", "participation"), ("lycee", "q2er", "participation")],
    )
    found = []
    for graph in (G, star_of_programmes()):
        H = actor_graph(graph)
        assert H.graph["link_context"] == themes_and_places(graph, H)
        assert link_context(graph, H) is H.graph["link_context"]
        found.append(H.graph["link_context"])
    themes, places = found[0]
    assert themes == {"ville": set(), "club": {"sport", "jeunesse"}, "lycee": {"jeunesse"}}
    assert places == {"ville": {charenton}, "club": {charenton}, "lycee": {charenton}}
    assert found[1] != found[0]
    # a selection's actor network carries none: read from the projection, for its actors only
    part = actor_graph(G, keep={"club", "q2er"})
    assert "link_context" not in part.graph
    assert link_context(G, part) == ({"club": {"sport", "jeunesse"}}, {"club": {charenton}})


# ---------------------------------------------------------------- measures kept with the stored network


def _actors_tied(H: nx.Graph) -> nx.MultiDiGraph:
    """A projection whose actor network is *H*: its nodes as actors (themes and a territory to share), its
    edges as supports, and one programme for the first twelve nodes."""
    first = sorted(H)[:12]
    return projection(
        *[(v, "actor", {"themes": [f"t{len(v) % 3}"], "territory": [T + str(len(v) % 2)]}) for v in H],
        ("prog", "programme"),
        edges=[*((a, b, "soutien") for a, b in H.edges), *((v, "prog", "participation") for v in first)],
    )


@pytest.mark.parametrize("seed", [11, 12])
def test_the_measures_kept_with_the_stored_network_give_the_same_findings(seed):
    """``kg build`` keeps the communities and both betweenness figures with the actor network
    (:func:`kg.network.measures.with_measures`); ``kg analyse`` reads them instead of measuring: the same
    findings, to the last digit, on two graphs whose findings differ; a call they do not answer measures."""
    from kg.network.analysis import analyse_network
    from kg.network.measures import stored_betweenness, stored_groups, with_measures

    G = _actors_tied(_two_parts(seed))
    measured = analyse_network(G, actors=actor_graph(G))
    assert "measures" not in actor_graph(G).graph  # below MEASURES_ABOVE: nothing kept
    H = with_measures(actor_graph(G), above=0)
    groups = stored_groups(H)
    assert groups and stored_betweenness(H, groups) is not None
    assert analyse_network(G, actors=H) == measured and measured.brokers and measured.communities
    # other pivots, another seed or engine: not what was kept, measured as before
    assert stored_betweenness(H, groups, k=50) is None and stored_groups(H, seed=1) is None
    assert stored_groups(H, engine="networkx") is None
    assert analyse_network(G, actors=H, k=50) == analyse_network(G, actors=actor_graph(G), k=50)
    # the kept figures are what is read: tampered with, the findings change
    kept = H.graph["measures"]
    assert kept["cut_offs"] and len(kept["group_figures"]) == len(groups)
    ranked, counts = kept["group_figures"][0]
    kept["group_figures"][0] = ([*reversed(ranked)], counts)
    assert analyse_network(G, actors=H).communities[0].figures["members"] == [*reversed(ranked)]
    kept["group_figures"][0] = (ranked, counts)
    top = measured.brokers[0].subject
    kept["betweenness"] = {**kept["betweenness"], top: 0.0}
    assert analyse_network(G, actors=H).brokers[0].subject != top
    # a network changed since it was measured is measured again
    H.add_edge(sorted(H)[0], sorted(H)[-1])
    assert stored_groups(H) is None


def test_the_kept_measures_differ_with_the_graph():
    from kg.network.measures import with_measures

    networks = [actor_graph(_actors_tied(_two_parts(seed))) for seed in (11, 12)]
    kept = [with_measures(H, above=0).graph["measures"] for H in networks]
    assert kept[0]["groups"] != kept[1]["groups"] and kept[0]["betweenness"] != kept[1]["betweenness"]
