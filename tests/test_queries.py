"""Each named question answers on the curated data; parameters are bound and checked."""

from __future__ import annotations

import pytest
from conftest import ACTOR, PROGRAMME

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


def test_actor_partners(graph):
    rows = _rows(graph, "actor-partners", actor="Club Gravelle Entreprendre")
    partners = {r["partner"] for r in rows}
    assert ACTOR + "le-rameau" in partners and ACTOR + "club-gravelle-entreprendre" not in partners


def test_actor_programmes(graph):
    rows = _rows(graph, "actor-programmes", actor="le rameau")
    assert {PROGRAMME + "aet", PROGRAMME + "parcours-alliances-territoires"} <= {r["programme"] for r in rows}


def test_actor_fundings_given_and_received(graph):
    rows = _rows(graph, "actor-fundings", actor="Fonds ODD17")
    given = {(r["other"], int(r["amount"])) for r in rows if r["direction"] == "donné"}
    assert (ACTOR + "club-ess", 3000) in given and (ACTOR + "pemb", 10000) in given
    received = [r for r in rows if r["direction"] == "reçu"]
    assert [int(r["amount"]) for r in received] == [1500000] and received[0]["other"] is None


def test_actor_memberships(graph):
    rows = _rows(graph, "actor-memberships", actor="Club ESS")
    assert [r["other"] for r in rows] == [ACTOR + "reseau-des-catalyseurs-territoriaux"]


def test_actor_people(graph):
    rows = _rows(graph, "actor-people", actor="Ville de Charenton-le-Pont")
    assert any(r["name"] == "Pierre Miroudot" and "développement économique" in r["post"] for r in rows)


def test_funders_of_territory_over_a_period(graph):
    rows = _rows(graph, "funders-of-territory", territory="departement:94", **{"from": "2020", "to": "2023"})
    assert {int(r["amount"]) for r in rows} == {3000, 10000}
    assert _rows(
        graph, "funders-of-territory", territory="departement:94", **{"from": "2010", "to": "2012"}
    ) == [r for r in rows if r["start"] is None]


def test_founders(graph):
    rows = _rows(graph, "founders")
    odd17 = {r["founder"] for r in rows if r["founded"] == ACTOR + "fonds-odd17"}
    assert odd17 == {ACTOR + "le-rameau", ACTOR + "fondation-totalenergies"}
    assert {str(r["date"]) for r in rows if r["founded"] == ACTOR + "fonds-odd17"} == {"2020"}


def test_ecosystem_as_of(graph):
    def programmes(date):
        return {r["node"] for r in _rows(graph, "ecosystem-as-of", date=date) if r["kind"] == "programme"}

    assert PROGRAMME + "vitawin" not in programmes("2019")
    assert PROGRAMME + "vitawin" in programmes("2022")
    assert PROGRAMME + "q2er" in programmes("2019") and PROGRAMME + "q2er" not in programmes("2013")


def test_sources_of_a_fact(graph):
    rows = _rows(graph, "sources-of", node="https://w3id.org/territorial-kg/id/funding/urgence-etudiante-3k")
    assert rows and all(r["document"].endswith("002_cd60e692da181ed7") for r in rows)
    assert any("3k" in r["quote"] for r in rows)


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
