"""Alliance chains on the curated data, and on tiny inline graphs."""

from __future__ import annotations

import dataclasses

import networkx as nx
import pytest
from conftest import ACTOR, PROGRAMME
from tiny_graph import tiny_graph

from kg.errors import QueryError, UnknownEntityError
from kg.network.chain_words import headline, undated_summary, undated_words, within_summary
from kg.network.chains import Hop, absent_at, at, chain_graph, find_chains, within
from kg.network.hops import document_titles
from kg.network.projection import EDGE_KINDS, active_as_of

DOC002 = "002_cd60e692da181ed7"


def test_totalenergies_fonds_odd17_club_ess_each_hop_cites_002(projection):
    chains = find_chains(projection, "Fondation TotalEnergies", "Club ESS", k=3)
    assert chains[0].nodes == [ACTOR + "fondation-totalenergies", ACTOR + "fonds-odd17", ACTOR + "club-ess"]
    first, second = chains[0].hops
    assert first.kind == "fondation" and second.kind == "financement" and int(second.amount) == 3000
    for hop in chains[0].hops:
        assert hop.sources and hop.sources[0][0].endswith(DOC002), hop
    assert "TotalEnergies" in first.sources[0][1]
    assert "3 000" in second.sentence().replace("\u202f", " ") and DOC002 in second.sources[0][0]
    assert "Urgence Etudiante" in second.sentence()


def test_a_hop_names_its_source_by_its_title_when_the_graph_gives_one(projection):
    hop = find_chains(projection, "Fondation TotalEnergies", "Club ESS", k=1)[0].hops[1]
    title = "Fonds ODD17 – fiche partenaire Paris Est Marne et Bois"
    assert hop.source_title == title == document_titles(projection)[hop.sources[0][0]]
    assert f"— source : {title}, « " in hop.sentence() and DOC002 not in hop.sentence()
    assert f"— source: {title}, “" in hop.sentence("en")
    untitled = dataclasses.replace(hop, source_title=None)  # a document the graph gives no title
    assert f"— source : {DOC002}, « " in untitled.sentence()


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


# ---------------------------------------------------------------- time: undated hops are kept and counted


def _dated_and_undated():
    """a–b–c: a–b since 2015, b–c undated; a–e–c: both undated; b also has an undated relation to a;
    x (2012–2014) links a to c, ended."""
    G = nx.MultiDiGraph()
    for n in "abcex":
        G.add_node(n, kind="actor", label=n.upper(), start=None, end=None)
    G.nodes["x"].update(kind="programme", start="2012", end="2014")
    G.add_edge(
        "a", "b", kind="adhesion", via="m1", role="membre", start="2015", end=None, sources=[("d", "q")]
    )
    G.add_edge("a", "b", kind="soutien", via="s0", role="donnees", start=None, end=None, sources=[("d", "q")])
    G.add_edge("b", "c", kind="soutien", via="s1", role="donnees", start=None, end=None, sources=[("d", "q")])
    G.add_edge("a", "e", kind="soutien", via="s2", role="donnees", start=None, end=None, sources=[])
    G.add_edge("e", "c", kind="soutien", via="s3", role="donnees", start=None, end="2030", sources=[])
    G.add_edge("a", "x", kind="participation", via="p1", role="porteur", start="2012", end=None, sources=[])
    G.add_edge("c", "x", kind="participation", via="p2", role="porteur", start=None, end=None, sources=[])
    return chain_graph(G)


def test_undated_hops_are_kept_and_counted_as_of_a_date():
    H = _dated_and_undated()
    chains = find_chains(H, "a", "c", k=5, as_of=2020)
    # x ended in 2014: no chain through it in 2020
    assert sorted(c.nodes for c in chains) == [["a", "b", "c"], ["a", "e", "c"]]
    by_path = {tuple(c.nodes): c for c in chains}
    abc, aec = by_path["a", "b", "c"], by_path["a", "e", "c"]
    # between a and b, the dated membership is told rather than the undated support
    assert abc.hops[0].kind == "adhesion" and abc.hops[0].start == "2015" and not abc.hops[0].undated
    assert abc.undated == 1 and aec.undated == 2
    assert "(date inconnue)" in abc.hops[1].sentence() and "(date unknown)" in abc.hops[1].sentence("en")
    assert "(début inconnu, jusqu'en 2030)" in aec.hops[1].sentence()
    assert headline(abc, as_of=2020) == "A → B → C  (2 étapes, dont 1 maillon sans date connue)"
    assert headline(aec, "en", as_of=2020) == "A → E → C  (2 hops, 2 hops with no known date)"
    assert headline(abc) == "A → B → C  (2 étapes)"  # without a date, no count
    assert undated_summary(chains, 2020).startswith("Au total : 3 maillons sans date connue. Rien ne dit")
    assert undated_summary(chains, 2020, "en").startswith("In all: 3 hops with no known date.")
    assert [h.as_dict()["date_known"] for h in abc.hops] == [True, False]


def test_as_of_1900_keeps_only_the_undated_and_says_so():
    H = _dated_and_undated()
    # a–b since 2015 is out in 1900; the undated support a–b is kept, counted
    chains = find_chains(H, "a", "c", k=5, as_of=1900)
    assert chains and all(c.undated == len(c) for c in chains)
    assert all("sans date connue" in headline(c, as_of=1900) for c in chains)
    assert find_chains(H, "a", "c", as_of=1900, kinds=["adhesion"]) == []


def test_relations_dated_after_or_ended_before_the_date_are_left_out():
    H = _dated_and_undated()
    in_2013 = find_chains(H, "a", "c", k=5, as_of=2013, kinds=["participation"])
    assert [c.nodes for c in in_2013] == [["a", "x", "c"]] and in_2013[0].undated == 1
    assert find_chains(H, "a", "c", as_of=2011, kinds=["participation"]) == []  # x starts in 2012
    assert find_chains(H, "a", "c", as_of=2015, kinds=["participation"]) == []  # x ended in 2014
    assert find_chains(H, "a", "e", as_of=2031, kinds=["soutien"])  # a–e undated, kept
    assert find_chains(H, "e", "c", as_of=2031, kinds=["soutien"], max_hops=1) == []  # e–c ended in 2030


def test_within_counts_the_undated_hops_on_the_way():
    H = _dated_and_undated()
    near = {r.iri: r for r in within(H, "a", 2, as_of=2020)}
    assert (near["b"].hops, near["b"].undated) == (1, 0)  # through the dated membership
    assert (near["c"].hops, near["c"].undated) == (2, 1)  # a–b dated, b–c not
    assert (near["e"].hops, near["e"].undated) == (1, 1)
    assert "x" not in near
    assert all(r.undated == 0 for r in within(H, "a", 2))  # no date asked: nothing counted
    summary = within_summary(near.values(), 2020)
    assert summary.startswith("Au total : 2 nœuds sur 3 atteints par au moins un maillon sans date connue")
    assert (
        undated_words(1) == "1 maillon sans date connue"
        and undated_words(2, "en") == "2 hops with no known date"
    )


def test_a_grant_hop_keeps_the_grants_own_date_not_its_funders():
    G = nx.MultiDiGraph()
    G.add_node("f", kind="actor", label="Fonds", start="2020", end=None)
    G.add_node("r", kind="actor", label="Club", start=None, end=None)
    G.add_node("g", kind="funding", label="g", start=None, end=None)
    G.add_edge(
        "f", "g", kind="financement", via="g", role="financeur", start=None, end=None, amount=10, sources=[]
    )
    G.add_edge(
        "g",
        "r",
        kind="financement",
        via="g",
        role="beneficiaire",
        start=None,
        end=None,
        amount=10,
        sources=[],
    )
    (chain,) = find_chains(G, "Fonds", "Club", as_of=2021)
    assert chain.hops[0].start is None and chain.undated == 1
    assert find_chains(G, "Fonds", "Club", as_of=2019) == []  # the Fonds did not exist yet


def test_active_as_of_keeps_and_counts_the_undated():
    G = nx.MultiDiGraph()
    G.add_node("a", kind="actor", start="2010", end=None)
    G.add_node("b", kind="actor", start=None, end=None)
    G.add_node("p", kind="programme", start="2012", end="2014")
    G.add_node("t", kind="territory", start=None, end=None)
    G.add_edge("a", "b", kind="soutien", start=None, end=None)
    G.add_edge("a", "b", kind="adhesion", start="2016", end=None)
    G.add_edge("a", "p", kind="participation", start="2012", end=None)
    G.add_edge("a", "t", kind="territoire", start=None, end=None)
    H = active_as_of(G, 2015)
    assert sorted(H) == ["a", "b", "t"]  # p ended in 2014
    assert [d["kind"] for *_, d in H.edges(data=True)] == ["soutien", "territoire"]
    assert (
        H.graph["undated_edges"] == 2 and H.graph["undated_nodes"] == 1 and H.graph["as_of"] == "2015-12-31"
    )
    assert sorted(active_as_of(G, 2013)) == ["a", "b", "p", "t"]


# ---------------------------------------------------------------- messages in the user's language


def test_bad_as_of_is_a_french_message_by_default():
    H = chain_graph(_tiny())
    with pytest.raises(QueryError, match="« hier » n'est pas une date ; écrivez AAAA, AAAA-MM ou AAAA-MM-JJ"):
        find_chains(H, "a", "c", as_of="hier")
    with pytest.raises(QueryError, match="« 2019-13 » n'est pas une date du calendrier"):
        within(H, "a", as_of="2019-13")
    with pytest.raises(QueryError, match='"hier" is not a date'):
        find_chains(H, "a", "c", as_of="hier", lang="en")
    with pytest.raises(QueryError, match="« hier »"):  # the date is checked before the names
        find_chains(H, "nobody", "c", as_of="hier")


def test_did_you_mean_follows_the_language(projection):
    with pytest.raises(UnknownEntityError) as fr:
        find_chains(projection, "Club Gravel Entreprendre", "vitawin")
    assert "vouliez-vous dire « Club Gravelle Entreprendre » ?" in str(fr.value)
    assert fr.value.suggestions[0] == "Club Gravelle Entreprendre"
    with pytest.raises(UnknownEntityError, match='did you mean "Club Gravelle Entreprendre"'):
        within(projection, "Club Gravel Entreprendre", 1, lang="en")
    with pytest.raises(UnknownEntityError, match=r"relation inconnu\(s\)"):
        find_chains(projection, "Fonds ODD17", "Club ESS", kinds=["amitie"])


def test_several_nodes_with_one_name_ask_for_the_iri():
    G = nx.MultiDiGraph()
    G.add_node("http://x/1", kind="actor", label="Club", start=None)
    G.add_node("http://x/2", kind="actor", label="Club", start=None)
    with pytest.raises(UnknownEntityError, match=r"« Club » désigne plusieurs nœuds : .* donnez l'IRI"):
        find_chains(G, "Club", "http://x/1")


def test_every_relation_kind_has_a_sentence():
    for kind in EDGE_KINDS:
        hop = Hop("a", "b", "A", "B", kind, True, start="2020")
        assert hop.sentence() and hop.sentence("en")
    evt = Hop("a", "e", "A", "Forum", "evenement", True, start="2019")
    assert evt.sentence() == "A est participant de l'événement Forum (en 2019)"
    assert evt.sentence("en") == "A is participant of the event Forum (in 2019)"


# ---------------------------------------------------------------- the command, on the tiny graph


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("tiny") / "store"
    tiny_graph(path)
    return path


def test_kg_chains_as_of_says_how_many_hops_are_undated(tiny_store):
    from typer.testing import CliRunner

    from kg.cli.commands import app

    run = CliRunner().invoke
    store = ["--store", str(tiny_store)]
    out = run(app, ["chains", "Alpha", "Gamma", "--as-of", "2020", "-k", "1", *store])
    assert out.exit_code == 0, out.output
    assert "Alpha → Delta → Gamma  (2 étapes, dont 1 maillon sans date connue)" in out.output
    assert "Delta est financé par" not in out.output and "(date inconnue)" in out.output
    assert "Au total : 1 maillon sans date connue." in out.output
    en = run(app, ["chains", "Alpha", "Gamma", "--as-of", "2020", "-k", "1", "--lang", "en", *store])
    assert "1 hop with no known date" in en.output and "In all: 1 hop with no known date." in en.output
    # in 1900 Alpha (2010) did not exist yet: no chain, rather than the undated ones as if they had
    none = run(app, ["chains", "Alpha", "Gamma", "--as-of", "1900", *store]).output.strip().splitlines()
    assert none == ["Aucune chaîne trouvée.", "Alpha n'existait pas encore en 1900 (début : 2010)."]
    near = run(app, ["chains", "Delta", "--within", "1", "--as-of", "2014", *store])
    assert near.exit_code == 0, near.output
    assert "1  Gamma  (1 maillon sans date connue)" in near.output
    assert "1  Bob Morane  (1 maillon sans date connue)" in near.output  # his post is undated
    assert "Au total : 2 nœuds sur 2 atteints par au moins un maillon sans date connue" in near.output
    before = run(app, ["chains", "Beta", "--within", "1", "--as-of", "2017", *store])
    assert before.output.strip().splitlines() == [
        "Aucun nœud à portée.",
        "Beta n'existait pas encore en 2017 (début : 2018).",
    ]
    for args, words in (
        (["chains", "Alpha", "Gama"], "vouliez-vous dire « Gamma » ?"),
        (["chains", "Alpha", "Gama", "--lang", "en"], 'did you mean "Gamma"?'),
        (["chains", "Alpha", "Gamma", "--as-of", "hier"], "--as-of : « hier » n'est pas une date"),
        (
            ["chains", "Alpha", "--within", "1", "--as-of", "2019-13"],
            "« 2019-13 » n'est pas une date du calendrier",
        ),
    ):
        bad = run(app, [*args, *store])
        assert bad.exit_code in (4, 6) and words in bad.output, bad.output
        assert "Traceback" not in bad.output


def test_no_chain_says_which_end_did_not_exist_yet_or_any_more():
    G = nx.Graph()
    G.add_node("p", kind="actor", label="PEMB", start="2016", end=None)
    G.add_node("x", kind="programme", label="Programme X", start="2012", end="2014")
    G.add_node("r", kind="actor", label="Le RAMEAU", start=None, end=None)
    assert absent_at(G, ["PEMB", "Le RAMEAU"], 1900) == ["PEMB n'existait pas encore en 1900 (début : 2016)."]
    assert absent_at(G, ["programme x"], "2015-06-30") == [
        "Programme X n'existait plus au 2015-06-30 (fin : 2014)."
    ]
    assert absent_at(G, ["PEMB"], 2015, "en") == ["PEMB did not exist yet in 2015 (start: 2016)."]
    assert absent_at(G, ["PEMB", "Programme X"], 2013) == [
        "PEMB n'existait pas encore en 2013 (début : 2016)."
    ]
    assert at(2019) == "en 2019" and at("2019-06-30", "en") == "on 2019-06-30"
