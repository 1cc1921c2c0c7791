"""The projection: node and edge attributes, and its cache beside the store."""

from __future__ import annotations

import pickle

from conftest import ACTOR, PROGRAMME

import kg
from kg.network.projection import _cache_path, cached_project, project


def test_projection_nodes_and_edges(projection):
    G = projection
    assert G.nodes[ACTOR + "le-rameau"]["kind"] == "actor"
    assert G.nodes[PROGRAMME + "vitawin"]["start"] == "2021"
    kinds = {d["kind"] for *_, d in G.edges(data=True)}
    assert {
        "participation",
        "adhesion",
        "financement",
        "fondation",
        "soutien",
        "succession",
        "territoire",
    } <= kinds
    grant = "https://w3id.org/territorial-kg/id/funding/urgence-etudiante-3k"
    assert G.has_edge(ACTOR + "fonds-odd17", grant) and G.has_edge(grant, ACTOR + "club-ess")
    assert all(d["sources"] for a, b, d in G.edges(data=True) if d["kind"] != "territoire")


def test_cache_is_reused_and_refreshed_when_the_store_changes(built_store):
    graph = kg.open(built_store)
    cache = _cache_path(built_store)
    cache.unlink(missing_ok=True)
    G1 = cached_project(graph)
    assert cache.exists()
    G2 = cached_project(graph)
    assert set(G1.nodes) == set(G2.nodes) and G1.number_of_edges() == G2.number_of_edges()
    # a cache written for another store is ignored and replaced
    with open(cache, "wb") as f:
        pickle.dump(((0, 0, 0), project.__name__), f)
    G3 = cached_project(graph)
    assert G3.number_of_nodes() == G1.number_of_nodes()
    with open(cache, "rb") as f:
        assert pickle.load(f)[0] != (0, 0, 0)
