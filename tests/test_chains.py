"""Alliance chains on the curated data, and on tiny inline graphs."""

from __future__ import annotations

import networkx as nx
import pytest
from conftest import ACTOR, PROGRAMME

from kg.errors import UnknownEntityError
from kg.network.chains import chain_graph, find_chains, within
from kg.network.projection import active_as_of

DOC002 = "002_cd60e692da181ed7"


def test_totalenergies_fonds_odd17_club_ess_each_hop_cites_002(projection):
    chains = find_chains(projection, "Fondation TotalEnergies", "Club ESS", k=3)
    assert chains[0].nodes == [ACTOR + "fondation-totalenergies", ACTOR + "fonds-odd17", ACTOR + "club-ess"]
    first, second = chains[0].hops
    assert first.kind == "fondation" and second.kind == "financement" and int(second.amount) == 3000
    for hop in chains[0].hops:
        assert hop.sources and hop.sources[0][0].endswith(DOC002), hop
    assert "TotalEnergies" in first.sources[0][1]
    assert "3 000" in second.sentence().replace("\u202f", " ") and DOC002 in second.sentence()
    assert "Urgence Etudiante" in second.sentence()


def test_chain_from_le_rameau_to_vitawin(projection):
    chains = find_chains(projection, "le rameau", "VitaWin", k=2)
    assert (
        chains and chains[0].nodes[0] == ACTOR + "le-rameau" and chains[0].nodes[-1] == PROGRAMME + "vitawin"
    )
    assert all(h.sources for h in chains[0].hops)
    assert all(len(c) >= len(chains[0]) for c in chains)


def test_vitawin_absent_as_of_2019_present_as_of_2022(projection):
    assert PROGRAMME + "vitawin" not in active_as_of(projection, 2019)
    assert PROGRAMME + "vitawin" in active_as_of(projection, 2022)
    assert find_chains(projection, "le rameau", "vitawin", as_of=2019) == []
    assert find_chains(projection, "le rameau", "vitawin", as_of="2022-06")


def test_misspelt_actor_gets_the_closest_name(projection):
    with pytest.raises(UnknownEntityError) as info:
        find_chains(projection, "Club Gravel Entreprendre", "vitawin")
    assert info.value.suggestions[0] == "Club Gravelle Entreprendre"
    assert "Club Gravelle Entreprendre" in str(info.value)


def test_within_hops(projection):
    near = within(projection, "Fonds ODD17", 1)
    assert (ACTOR + "club-ess") in {r.iri for r in near if r.hops == 1}
    assert all(r.hops <= 1 and r.undated == 0 for r in near)  # no as_of: nothing is counted


def test_kind_filter(projection):
    only_funding = find_chains(projection, "Fonds ODD17", "Club ESS", kinds=["financement"])
    assert only_funding and all(h.kind == "financement" for h in only_funding[0].hops)
    with pytest.raises(UnknownEntityError, match=r"type.*de relation inconnu.*friendship"):
        find_chains(projection, "Fonds ODD17", "Club ESS", kinds=["friendship"])


def _tiny():
    G = nx.MultiDiGraph()
    for n in "abcd":
        G.add_node(n, kind="actor", label=n.upper(), start=None)
    G.add_edge("a", "b", kind="adhesion", via="m1", role="membre", start="2010", end="2012", sources=[])
    G.add_edge("b", "c", kind="adhesion", via="m2", role="membre", start="2015", end=None, sources=[])
    G.add_edge("a", "d", kind="soutien", via="s1", role="donnees", start=None, end=None, sources=[])
    G.add_edge("d", "c", kind="soutien", via="s2", role="donnees", start=None, end=None, sources=[])
    return G


def test_k_shortest_and_max_hops_on_a_tiny_graph():
    H = chain_graph(_tiny())
    chains = find_chains(H, "a", "c", k=5)
    assert [c.nodes for c in chains] == [["a", "b", "c"], ["a", "d", "c"]] or [c.nodes for c in chains] == [
        ["a", "d", "c"],
        ["a", "b", "c"],
    ]
    assert find_chains(H, "a", "c", max_hops=1) == []


def test_as_of_drops_ended_relations_on_a_tiny_graph():
    H = chain_graph(_tiny())
    # in 2016 the a–b membership had ended: only the support path remains
    assert [c.nodes for c in find_chains(H, "a", "c", as_of=2016)] == [["a", "d", "c"]]
    assert [c.nodes for c in find_chains(H, "a", "c", as_of=2011, kinds=["adhesion"])] == []
