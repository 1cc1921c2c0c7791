"""Analysis: igraph and NetworkX agree on small graphs; findings on the curated data speak plainly."""

from __future__ import annotations

import math
import random

import networkx as nx
import pytest
from conftest import ACTOR

from kg.network.analysis import analyse, betweenness, communities, constraint, effective_size


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


def test_analysis_of_the_curated_data_in_french_and_english(projection):
    fr = analyse(projection)
    assert fr.brokers and fr.brokers[0].sentence.startswith(fr.brokers[0].label)
    assert "relie des groupes qui sans lui ne se parlent pas" in fr.brokers[0].sentence
    assert ACTOR + "pemb" in {b.subject for b in fr.brokers[:5]}
    assert fr.communities and all(len(c.figures["members"]) >= 2 for c in fr.communities)
    years = [g.figures["year"] for g in fr.growth]
    assert years == sorted(years) and 2008 in years
    by_year = {g.figures["year"]: g.figures for g in fr.growth}
    assert by_year[2022]["programmes"] > by_year[2010]["programmes"]
    en = analyse(projection, lang="en")
    assert "links groups that would not talk to each other" in en.brokers[0].sentence


def test_isolated_and_suggested_on_a_tiny_projection():
    G = nx.MultiDiGraph()
    G.graph["concept_labels"] = {"jeunesse": {"fr": "Jeunesse", "en": "Youth"}}
    t = "https://w3id.org/territorial-kg/id/territory/commune/94018"
    G.add_node(t, kind="territory", label="Charenton-le-Pont")
    for n in ("a", "b", "c", "lonely"):
        G.add_node(n, kind="actor", label=n.title(), themes=["jeunesse"], territory=[t], start=None)
    G.add_edge("a", "c", kind="adhesion", via="m", role="membre", start=None, end=None, sources=[])
    G.add_edge("b", "c", kind="adhesion", via="m2", role="membre", start=None, end=None, sources=[])
    res = analyse(G)
    assert [f.subject for f in res.isolated] == ["lonely"]
    pairs = {(f.figures["a"], f.figures["b"]) for f in res.suggestions}
    assert ("a", "b") in pairs and ("a", "c") not in pairs
    best = next(f for f in res.suggestions if (f.figures["a"], f.figures["b"]) == ("a", "b"))
    assert (
        "« Jeunesse »" in best.sentence
        and "Charenton-le-Pont" in best.sentence
        and "1 partenaire" in best.sentence
    )
