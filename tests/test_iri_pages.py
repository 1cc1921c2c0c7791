"""The page behind every IRI (kg/serve/resources.py, kg/present/fiche*.py), on a real ``kg serve``.

Content negotiation (HTML, Turtle, JSON-LD, N-Triples, RDF/XML) and ``Vary``; the RDF equal to the endpoint's
DESCRIBE; rdflib reading an IRI straight from the server; French first and English on demand; the actor's,
territory's and document's pages; ``/ontology`` in three formats with an anchor per term; ``--base``.
The hostile import and the browser are in tests/test_iri_pages_browser.py.
"""

from __future__ import annotations

import random
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import pytest
import rdflib
from rdflib.compare import isomorphic

from tests.conftest import ROOT, free_port, server_output, start_server, stop

ID = "https://w3id.org/territorial-kg/id/"
RAMEAU = ID + "actor/le-rameau"


def start(store: Path, *extra: str) -> tuple[Any, str]:
    """``kg serve`` on a free port of 127.0.0.1: (process, origin)."""
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "kg.cli.serve", "--store", str(store), "--port", str(port), *extra]
    return start_server(cmd, origin + "/sparql", "kg serve", cwd=ROOT), origin


@pytest.fixture(scope="module")
def server(built_store):
    proc, origin = start(built_store)
    yield origin
    stop(proc)
    assert "Traceback" not in server_output(proc)


def local(origin: str, iri: str) -> str:
    return origin + "/" + iri.removeprefix("https://w3id.org/territorial-kg/")


def describe(origin: str, iri: str) -> rdflib.Graph:
    r = httpx.get(
        origin + "/sparql",
        params={"query": f"DESCRIBE <{iri}>"},
        headers={"Accept": "text/turtle"},
        timeout=60,
    )
    assert r.status_code == 200, r.text
    return rdflib.Graph().parse(data=r.text, format="turtle")


def sample(graph: Any, n: int = 200, territories: int = 8) -> list[str]:
    """*n* IRIs of the graph across every kind of node (records, their parts, documents, territories of each
    level, concepts), drawn with a fixed seed; territories (36,000 of them, a second each) kept to a few."""
    rows = graph.query(
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && (STRSTARTS(STR(?s), ?id) || "
        "STRSTARTS(STR(?s), ?concept))) FILTER(!STRSTARTS(STR(?s), ?terr)) }",
        id=ID,
        concept="https://w3id.org/territorial-kg/concept/",
        terr=ID + "territory/",
    )
    by_kind: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        s = r["s"]
        tail = s.split("/territorial-kg/", 1)[1].split("/")
        kind = tail[1] if tail[0] == "id" else tail[0]
        part = next(
            (
                x
                for x in ("source", "period", "amount", "participant", "property")
                if f"/{x}/" in s or s.endswith("/" + x)
            ),
            "",
        )
        by_kind[f"{kind}+{part}"].append(s)
    rnd = random.Random(16)
    for level in ("commune", "intercommunalite", "departement", "region"):
        got = graph.query(
            "SELECT ?t WHERE { ?t a ?type } LIMIT 200",
            type=rdflib.URIRef(
                {
                    "commune": "http://rdf.insee.fr/def/geo#Commune",
                    "intercommunalite": "http://rdf.insee.fr/def/geo#Intercommunalite",
                    "departement": "http://rdf.insee.fr/def/geo#Departement",
                    "region": "http://rdf.insee.fr/def/geo#Region",
                }[level]
            ),
        )
        pool = sorted(r["t"] for r in got)
        by_kind[f"territory-{level}"] = rnd.sample(pool, min(len(pool), max(1, territories // 4)))
    picked = [t for k in sorted(by_kind) if k.startswith("territory") for t in by_kind[k]]
    lists = {
        k: rnd.sample(sorted(v), len(v)) for k, v in sorted(by_kind.items()) if not k.startswith("territory")
    }
    while len(picked) < n and any(lists.values()):
        for k in sorted(lists):  # round robin over the kinds, so that rare kinds are all in
            if lists[k] and len(picked) < n:
                picked.append(lists[k].pop())
    return picked


def test_a_sample_of_200_iris_answers_in_html_and_turtle_equal_to_describe(server, graph):
    iris = sample(graph)
    assert len(iris) == 200
    kinds = {i.split("/territorial-kg/", 1)[1].split("/")[1 if i.startswith(ID) else 0] for i in iris}
    assert {
        "actor",
        "programme",
        "funding",
        "person",
        "event",
        "publication",
        "territory",
        "document",
    } <= kinds
    assert {"participation", "membership", "support", "post", "figure", "concept"} <= kinds
    with httpx.Client(timeout=120) as client:
        for iri in iris:
            url = local(server, iri)
            page = client.get(url, headers={"Accept": "text/html"})
            assert page.status_code == 200, (iri, page.text[:300])
            assert page.headers["content-type"].startswith("text/html")
            ttl = client.get(url, headers={"Accept": "text/turtle"})
            assert ttl.status_code == 200, iri
            assert ttl.headers["content-type"].startswith("text/turtle")
            ours = rdflib.Graph().parse(data=ttl.text, format="turtle")
            assert len(ours) > 0, iri
            assert isomorphic(ours, describe(server, iri)), iri


def test_rdflib_reads_an_iri_from_the_running_server(server):
    url = local(server, RAMEAU)
    g = rdflib.Graph().parse(url)
    assert (rdflib.URIRef(RAMEAU), rdflib.RDFS.label, rdflib.Literal("Le RAMEAU", lang="fr")) in g
    assert isomorphic(g, describe(server, RAMEAU))
    other = rdflib.Graph().parse(local(server, ID + "actor/fonds-odd17"))
    assert not isomorphic(g, other)


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/html,application/xhtml+xml,*/*;q=0.8", "text/html"),
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("text/turtle;q=0.5, application/rdf+xml;q=0.9", "application/rdf+xml"),
    ],
)
def test_content_negotiation_and_vary(server, accept, media):
    r = httpx.get(local(server, RAMEAU), headers={"Accept": accept}, timeout=60)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    assert "Accept" in [v.strip() for v in r.headers["vary"].split(",")]
    assert 'rel="alternate"; type="text/turtle"' in r.headers["link"]


def test_explicit_formats_by_parameter_and_suffix(server):
    base = local(server, RAMEAU)
    by_param = httpx.get(base, params={"format": "nt"}, headers={"Accept": "text/html"}, timeout=60)
    by_suffix = httpx.get(base + ".nt", headers={"Accept": "text/html"}, timeout=60)
    assert by_param.headers["content-type"].startswith("application/n-triples")
    assert by_param.text == by_suffix.text and "le-rameau" in by_param.text
    jsonld = httpx.get(base + ".jsonld", timeout=60)
    g = rdflib.Graph().parse(data=jsonld.text, format="json-ld")
    assert isomorphic(g, describe(server, RAMEAU))
    page = httpx.get(base, timeout=60).text
    for name in ("ttl", "jsonld", "nt", "rdf"):
        assert f'href="/id/actor/le-rameau?format={name}"' in page
    assert httpx.get(base, params={"format": "pdf"}, timeout=60).status_code == 400
    assert httpx.get(base, headers={"Accept": "application/json"}, timeout=60).status_code == 406


def test_unknown_iris_get_a_french_404_page(server):
    for path in (
        "/id/actor/nobody-here",
        "/id/actor/le-rameau/source/99",
        "/id/actor/x%3Cscript%3E",
        "/id/actor/a%20b",
    ):
        r = httpx.get(server + path, headers={"Accept": "text/html"}, timeout=60)
        assert r.status_code == 404, path
        assert r.headers["content-type"].startswith("text/html")
        assert "Le graphe ne dit rien de" in r.text and '<html lang="fr">' in r.text
    r = httpx.get(server + "/id/actor/nobody-here", headers={"Accept": "text/turtle"}, timeout=60)
    assert r.status_code == 404


def test_french_first_english_with_lang_or_accept_language(server):
    url = local(server, RAMEAU)
    fr = httpx.get(url, timeout=60)
    en = httpx.get(url, params={"lang": "en"}, timeout=60)
    browser_en = httpx.get(url, headers={"Accept-Language": "en-GB,en;q=0.9"}, timeout=60)
    assert '<html lang="fr">' in fr.text and "Ce que dit le graphe" in fr.text and "Participations" in fr.text
    assert '<html lang="en">' in en.text and "What the graph says" in en.text
    assert browser_en.text == en.text.replace("?lang=en", "?lang=en")
    assert fr.headers["content-language"] == "fr" and en.headers["content-language"] == "en"
    assert "Accept-Language" in fr.headers["vary"]


def test_actor_page_shows_relations_sources_view_and_questions(server):
    rameau = httpx.get(local(server, RAMEAU), timeout=60).text
    odd17 = httpx.get(local(server, ID + "actor/fonds-odd17"), timeout=60).text
    # relations grouped by kind, with dates; every source with its document and quoted sentence
    assert 'id="rel-participation"' in rameau and "depuis <time>2008</time>" in rameau
    assert "Fonds ODD17 – fiche partenaire Paris Est Marne et Bois" in rameau
    assert "le territoire dès sa première expérimentation autour de la démarche AET" in rameau
    assert 'id="rel-funding"' in odd17 and 'id="rel-funding"' not in rameau
    # its neighbourhood embedded, the named questions as links to the endpoint
    assert '<iframe class="view" src="/vue/acteur/le-rameau?lang=fr"' in rameau
    assert 'href="/sparql?query=' in rameau and "(actor-partners)" in rameau
    assert httpx.get(server + "/vue/acteur/le-rameau", timeout=120).status_code == 200
    assert httpx.get(server + "/vue/acteur/nobody-here", timeout=60).status_code == 404


def test_unnamed_relations_are_called_by_the_actors_they_name(server):
    club = httpx.get(local(server, ID + "actor/club-ess"), timeout=60).text
    pemb = httpx.get(local(server, ID + "actor/pemb"), timeout=60).text
    club_en = httpx.get(local(server, ID + "actor/club-ess") + "?lang=en", timeout=60).text
    grant = httpx.get(local(server, ID + "funding/urgence-etudiante-3k"), timeout=60).text
    # « what links here » names a membership by its member then its organisation, never by its IRI
    assert ">Adhésion : Club ESS – Réseau des catalyseurs territoriaux</a>" in club
    assert ">Adhésion : Paris Est Marne et Bois – Réseau des catalyseurs territoriaux</a>" in pemb
    assert "Club ESS – Réseau" not in pemb and ">id:membership/" not in club + pemb
    assert ">Membership: Club ESS – Réseau des catalyseurs territoriaux</a>" in club_en
    # a grant: the funder first; the larger grant it is part of is called by its own actors
    assert "<h1>Financement : Fonds ODD17 – Urgence Etudiante – Club ESS</h1>" in grant
    larger = "Financement : Fonds ODD17 – Fonds de soutien aux entreprises fragilisées par le Covid"
    larger += " – Urgence Etudiante"
    assert f">{larger}</a>" in grant and ">3000 EUR</a>" in grant
    assert ">id:funding/" not in club + grant


def test_programme_and_person_pages_list_their_relations(server):
    aet = httpx.get(local(server, ID + "programme/aet"), timeout=60).text
    person = httpx.get(local(server, ID + "person/laurent-lelli"), timeout=60).text
    assert 'id="rel-participation"' in aet and ">Le RAMEAU</a>" in aet
    assert '<iframe class="view" src="/vue/programme/aet?lang=fr"' in aet
    assert 'id="rel-event"' in person and 'id="rel-participation"' not in person and "<iframe" not in person
    assert httpx.get(server + "/vue/programme/aet", timeout=120).status_code == 200


def test_territory_page_ecosystem_fundings_parts_view_and_workbook(server):
    pemb = httpx.get(local(server, ID + "territory/intercommunalite/200057941"), timeout=120).text
    charenton = httpx.get(local(server, ID + "territory/commune/94018"), timeout=120).text
    assert "Écosystème" in pemb and "Financements par année" in pemb
    assert ">Le RAMEAU</a>" in pemb and "Fonds de soutien aux entreprises fragilisées par le Covid" in pemb
    assert ">Saint-Maurice</a>" in pemb and ">Saint-Maurice</a>" not in charenton  # parts
    assert 'href="/classeur/territoire/intercommunalite/200057941.xlsx"' in pemb
    book = httpx.get(server + "/classeur/territoire/intercommunalite/200057941.xlsx", timeout=120)
    assert book.status_code == 200 and book.content[:2] == b"PK"
    assert httpx.get(server + "/vue/territoire/intercommunalite/200057941", timeout=120).status_code == 200
    assert httpx.get(server + "/vue/territoire/commune/00000", timeout=60).status_code == 404


def test_document_page_has_its_text_and_the_facts_of_each_sentence(server):
    doc = httpx.get(local(server, ID + "document/002_cd60e692da181ed7"), timeout=60).text
    other = httpx.get(local(server, ID + "document/003_71f48cf9602ff04c"), timeout=60).text
    assert "Phrase citée" in doc and 'class="sentence has-facts"' in doc
    assert "le RAMEAU dont le siège social est situé sur la communauté de communes" in doc
    assert doc.count("has-facts") != other.count("has-facts")


def test_ontology_in_html_turtle_and_jsonld_with_an_anchor_per_term(server):
    html = httpx.get(server + "/ontology", timeout=60)
    ttl = httpx.get(server + "/ontology", headers={"Accept": "text/turtle"}, timeout=60)
    jsonld = httpx.get(server + "/ontology.jsonld", timeout=60)
    assert html.headers["content-type"].startswith("text/html") and "Accept" in html.headers["vary"]
    g = rdflib.Graph().parse(data=ttl.text, format="turtle")
    assert isomorphic(g, rdflib.Graph().parse(data=jsonld.text, format="json-ld"))
    tkg = rdflib.Namespace("https://w3id.org/territorial-kg/ontology#")
    own = {s for s in g.subjects(rdflib.RDF.type, None) if str(s).startswith(str(tkg))}
    assert tkg.TerritorialCatalyst in own and len(own) > 10
    for term in own:
        assert f'id="{str(term)[len(str(tkg)) :]}"' in html.text, term


def test_base_maps_the_links_of_the_pages(built_store):
    proc, origin = start(built_store, "--base", "https://w3id.org/territorial-kg")
    try:
        page = httpx.get(local(origin, RAMEAU), timeout=60).text
    finally:
        stop(proc)
    assert 'href="https://w3id.org/territorial-kg/id/programme/aet"' in page
    assert f'href="{origin}/id/programme/aet"' not in page


ADDED = f'<{RAMEAU}> <http://purl.org/dc/terms/description> "Ajout de test"@en'


def test_pages_follow_an_update(built_store, tmp_path):
    import shutil

    store = tmp_path / "store"
    shutil.copytree(built_store, store)
    proc, origin = start(store, "--update-token", "t0ken")
    try:
        before = httpx.get(local(origin, RAMEAU), timeout=60).text
        r = httpx.post(
            origin + "/sparql",
            data={"update": f"INSERT DATA {{ GRAPH <urn:x-test> {{ {ADDED} }} }}"},
            headers={"Authorization": "Bearer t0ken"},
            timeout=60,
        )
        assert r.status_code == 204, r.text
        after = httpx.get(local(origin, RAMEAU), params={"lang": "en"}, timeout=60).text
        ttl = httpx.get(local(origin, RAMEAU), headers={"Accept": "text/turtle"}, timeout=60).text
    finally:
        stop(proc)
    assert "Ajout de test" not in before and "Ajout de test" in after and "Ajout de test" in ttl, (
        server_output(proc)[-3000:]
    )


def test_by_default_the_links_stay_on_the_server(server):
    page = httpx.get(local(server, RAMEAU), timeout=60).text
    assert f'href="{server}/id/programme/aet"' in page
    assert 'href="https://w3id.org/territorial-kg/id/programme/aet"' not in page
