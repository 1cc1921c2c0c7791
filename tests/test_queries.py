"""Each named question answers on the curated data; parameters are bound and checked."""

from __future__ import annotations

import pytest
from conftest import ACTOR
from tiny_graph import ALPHA, BETA, DELTA, DEUX, GAMMA, ID, UN, tiny_graph

from kg.errors import QueryError, TerritoryError, UnknownEntityError
from kg.store.queries import get_query, list_queries, run_named


def _rows(graph, name, **params):
    return run_named(graph, name, params).value


def test_every_query_is_documented_in_french_and_english():
    queries = list_queries()
    assert len(queries) >= 10
    for q in queries:
        assert q.title.get("fr") and q.title.get("en"), q.name
        assert q.examples and q.examples[0].startswith(f"kg query {q.name}"), q.name
        for p in q.params:
            assert p.help, (q.name, p.name)


def test_actors_of_territory_include_sub_territories(graph):
    ept = {r["actor"] for r in _rows(graph, "actors-of-territory", territory="intercommunalite:200057941")}
    assert {ACTOR + "pemb", ACTOR + "ville-de-charenton-le-pont", ACTOR + "ville-de-vincennes"} <= ept
    dep = {r["actor"] for r in _rows(graph, "actors-of-territory", territory="departement:94")}
    region = {r["actor"] for r in _rows(graph, "actors-of-territory", territory="region:11")}
    assert ept <= dep <= region
    assert ACTOR + "gaia" not in region
    assert ACTOR + "gaia" in {
        r["actor"] for r in _rows(graph, "actors-of-territory", territory="departement:38")
    }


# ---------------------------------------------------------------- on the tiny inline graph
# Each named question is asked of two actors, or at two dates, that must answer differently, and
# every column the question promises is checked (tests/tiny_graph.py states the cases).


@pytest.fixture(scope="module")
def tiny():
    return tiny_graph()


def test_actor_partners_differ_per_actor(tiny):
    def partners(actor):
        return {
            (r["partnerLabel"], r["programmeLabel"], r["role"], r["partnerRole"])
            for r in _rows(tiny, "actor-partners", actor=actor)
        }

    assert partners("Alpha") == {
        ("Gamma", "Programme Un", "Porteur", "Partenaire"),
        ("Beta", "Programme Deux", "Porteur", "Partenaire"),
    }
    assert partners("gamma") == {("Alpha", "Programme Un", "Partenaire", "Porteur")}
    assert partners(DELTA) == set()  # an IRI works too; Delta takes part in no programme
    assert {r["partner"] for r in _rows(tiny, "actor-partners", actor="Beta")} == {ALPHA}


def test_actor_programmes_give_the_participation_its_own_dates_only(tiny):
    def programmes(actor):
        return [
            (
                r["programme"],
                r["label"],
                r["role"],
                r["start"],
                r["end"],
                r["programmeStart"],
                r["programmeEnd"],
            )
            for r in _rows(tiny, "actor-programmes", actor=actor)
        ]

    assert programmes("Alpha") == [
        (UN, "Programme Un", "Porteur", "2012", None, "2012", "2016"),
        (DEUX, "Programme Deux", "Porteur", "2019", None, None, None),
    ]
    # undated participations: no date taken from the programme (2012) nor from the member (Beta: 2018)
    assert programmes("Gamma") == [(UN, "Programme Un", "Partenaire", None, None, "2012", "2016")]
    assert programmes("Beta") == [(DEUX, "Programme Deux", "Partenaire", None, None, None, None)]


def test_actor_fundings_given_and_received_differ_per_actor(tiny):
    def fundings(actor):
        rows = (
            (
                r["direction"],
                r["other"],
                r["otherLabel"],
                r["item"],
                r["itemLabel"],
                int(r["amount"]),
                r["start"],
                r["end"],
                r["purpose"],
                r["grant"].rsplit("/", 1)[-1],
                r["partOf"],
            )
            for r in _rows(tiny, "actor-fundings", actor=actor)
        )
        return sorted(rows, key=lambda row: (row[0], row[9]))

    g1 = ID + "funding/g1"
    g1_row = (
        ALPHA,
        "Alpha",
        DEUX,
        "Programme Deux",
        5000,
        "2019",
        None,
        "Pour le Programme Deux",
        "g1",
        None,
    )
    g3_row = (ALPHA, "Alpha", None, None, 2000, "2019", None, None, "g3", g1)  # part of g1
    assert fundings("Delta") == [("donné", *g1_row), ("donné", *g3_row)]
    assert fundings("Alpha") == [
        # a grant that names no recipient is still given
        ("donné", None, None, UN, "Programme Un", 1000, None, None, None, "g2", None),
        ("reçu", DELTA, "Delta", *g1_row[2:]),
        ("reçu", DELTA, "Delta", *g3_row[2:]),
    ]
    assert fundings("Beta") == []


def test_actor_memberships_in_both_directions(tiny):
    def memberships(actor):
        return [
            (r["direction"], r["other"], r["otherLabel"], r["role"], r["start"], r["end"])
            for r in _rows(tiny, "actor-memberships", actor=actor)
        ]

    assert memberships("Gamma") == [("membre de", DELTA, "Delta", "Membre", "2015", "2017")]
    assert memberships("Delta") == [("a pour membre", GAMMA, "Gamma", "Membre", "2015", "2017")]
    assert memberships("Alpha") == []  # programmes are not memberships


def test_actor_people_differ_per_actor(tiny):
    def people(actor):
        return [
            (r["person"], r["name"], r["post"], r["start"], r["end"])
            for r in _rows(tiny, "actor-people", actor=actor)
        ]

    assert people("Alpha") == [(ID + "person/ada", "Ada Lovelace", "Présidente", "2011", None)]
    assert people("Delta") == [(ID + "person/bob", "Bob Morane", "Trésorier", None, None)]
    assert people("Gamma") == []


def test_founders_with_their_own_date_only(tiny):
    rows = [
        (r["founded"], r["foundedLabel"], r["founder"], r["founderLabel"], r["date"])
        for r in _rows(tiny, "founders")
    ]
    # Gamma's founding has no date: not Delta's 2005
    assert rows == [(GAMMA, "Gamma", DELTA, "Delta", None), (BETA, "Beta", ALPHA, "Alpha", "2018")]


def test_sources_of_differ_per_node(tiny):
    def sources(node):
        return {
            (r["fact"], r["document"], r["title"], r["quote"]) for r in _rows(tiny, "sources-of", node=node)
        }

    doc_a, doc_b = ID + "document/doc-a", ID + "document/doc-b"
    assert sources("Alpha") == {
        (ALPHA, doc_a, "Document A", "Alpha, fondée en 2010"),
        (ID + "participation/un-alpha", doc_a, "Document A", "Alpha porte le Programme Un depuis 2012"),
    }
    assert sources("Beta") == {(BETA, doc_b, "Document B", "Beta, créée par Alpha en 2018")}
    assert sources(ID + "participation/un-alpha") == {
        (ID + "participation/un-alpha", doc_a, "Document A", "Alpha porte le Programme Un depuis 2012")
    }


def _ecosystem(graph, date):
    return {
        (r["kind"], r["label"], r["start"], r["end"], r["dating"])
        for r in _rows(graph, "ecosystem-as-of", date=date)
    }


def test_ecosystem_as_of_differs_per_date_and_flags_undated_rows(tiny):
    unknown = "date inconnue"
    assert _ecosystem(tiny, "2014") == {
        ("programme", "Programme Un", "2012", "2016", "date connue"),
        ("programme", "Programme Deux", None, None, unknown),
        ("adhésion / participation", "Alpha → Programme Un", "2012", None, "date connue"),
        ("adhésion / participation", "Gamma → Programme Un", None, None, unknown),
        ("financement", "Alpha → Programme Un", None, None, unknown),
        ("soutien", "Delta → Gamma", None, None, unknown),
    }
    assert ("adhésion / participation", "Gamma → Delta", "2015", "2017", "date connue") in _ecosystem(
        tiny, "2016-06"
    )
    assert _ecosystem(tiny, "2020") == {
        ("programme", "Programme Deux", None, None, unknown),
        ("adhésion / participation", "Alpha → Programme Deux", "2019", None, "date connue"),
        # undated: neither Beta's founding (2018) nor anything else is its date
        ("adhésion / participation", "Beta → Programme Deux", None, None, unknown),
        ("financement", "Delta → Alpha, Programme Deux", "2019", None, "date connue"),
        ("financement", "Delta → Alpha", "2019", None, "date connue"),
        ("soutien", "Delta → Gamma", None, None, unknown),
    }
    # in 1900 no actor existed yet, as far as their own dates say; the undated programme is flagged
    assert _ecosystem(tiny, "1900") == {("programme", "Programme Deux", None, None, unknown)}


def test_ecosystem_as_of_2017_on_the_curated_data_invents_no_year(graph):
    rows = _rows(graph, "ecosystem-as-of", date="2017")
    assert rows and any(r["dating"] == "date inconnue" for r in rows)
    own = {
        r["n"]: str(r["start"])
        for r in graph.query("SELECT ?n ?start WHERE { ?n dct:temporal/dcat:startDate ?start }")
    }
    for r in rows:
        assert (r["start"] is None) == (r["dating"] == "date inconnue"), r
        if r["start"] is not None:
            assert str(r["start"]) <= "2017-12-31" and str(r["start"]) == own[r["node"]], r
    pemb_ue = [r for r in rows if r["node"] == ID + "participation/urgence-etudiante-pemb"]
    assert all(r["start"] is None for r in pemb_ue)  # was « PEMB → Urgence Etudiante (2016) »


def test_funders_of_territory_over_a_period(graph):
    rows = _rows(graph, "funders-of-territory", territory="departement:94", **{"from": "2020", "to": "2023"})
    assert {int(r["amount"]) for r in rows} == {3000, 10000}
    assert _rows(
        graph, "funders-of-territory", territory="departement:94", **{"from": "2010", "to": "2012"}
    ) == [r for r in rows if r["start"] is None]


def test_unknown_query_suggests():
    with pytest.raises(UnknownEntityError, match="actor-partners"):
        get_query("actor-partner")


def test_missing_and_malformed_parameters(graph):
    with pytest.raises(QueryError, match="needs --param territory"):
        run_named(graph, "actors-of-territory", {})
    with pytest.raises(TerritoryError, match="not a territory"):
        run_named(graph, "actors-of-territory", {"territory": "94"})
    with pytest.raises(QueryError, match=r"not a date|not a real date"):
        run_named(graph, "ecosystem-as-of", {"date": "31/02/2019"})
    with pytest.raises(QueryError, match="no parameter"):
        run_named(graph, "founders", {"x": "1"})


def test_misspelt_actor_gets_the_right_suggestion(graph):
    with pytest.raises(UnknownEntityError) as info:
        run_named(graph, "actor-partners", {"actor": "Club Gravel Entreprendre"})
    assert info.value.suggestions[0] == "Club Gravelle Entreprendre"


def test_parameters_are_bound_not_pasted(graph):
    # a hostile "name" that would close the query if pasted is just an unknown actor
    with pytest.raises(UnknownEntityError):
        run_named(graph, "actor-partners", {"actor": '"} } DROP ALL ; SELECT * WHERE { ?s ?p ?o'})
    with pytest.raises(TerritoryError):
        run_named(graph, "actors-of-territory", {"territory": "commune:94018> } ?s ?p ?o . <x"})
