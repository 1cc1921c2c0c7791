"""The projection: node and edge attributes, and its cache beside the store."""

from __future__ import annotations

import pickle

from conftest import ACTOR, PROGRAMME

import kg
from kg.network.attributes import sources_of
from kg.network.projection import PROJECTION_SHAPE, cached_project, project
from kg.store import artefacts


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
    cache = artefacts.artefact_path(built_store, "projection")
    cache.unlink(missing_ok=True)
    G1 = cached_project(graph)
    assert cache.exists()
    assert artefacts.load(built_store, "projection", shape=PROJECTION_SHAPE) is not None
    G2 = cached_project(graph)
    assert set(G1.nodes) == set(G2.nodes) and G1.number_of_edges() == G2.number_of_edges()
    # a cache written for another store (another build id) is ignored and replaced
    with open(cache, "wb") as f:
        pickle.dump((("build", "another-build", PROJECTION_SHAPE), project.__name__), f)
    assert artefacts.load(built_store, "projection", shape=PROJECTION_SHAPE) is None
    G3 = cached_project(graph)
    assert G3.number_of_nodes() == G1.number_of_nodes()
    assert b"another-build" not in cache.read_bytes()  # written again, with the store's own stamp
    assert artefacts.load(built_store, "projection", shape=PROJECTION_SHAPE) is not None


# --- events, publications, part-of, inspiration, groups (issue 10), on tiny inline graphs ------

_TINY = """
@prefix org: <http://www.w3.org/ns/org#> .
@prefix schema: <https://schema.org/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix tkg: <https://w3id.org/territorial-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

id:actor/a a org:Organization ; rdfs:label "Acteur A" ; tkg:activeSince "1998"^^xsd:gYear .
id:actor/g a org:Organization , foaf:Group ; rdfs:label "Les lycées" .
id:programme/p a schema:Project ; rdfs:label "Petit programme" ;
    dct:isPartOf id:programme/w ; prov:wasInfluencedBy id:actor/a ;
    prov:qualifiedDerivation id:programme/p/source/1 , id:programme/p/source/2 .
id:programme/p/source/1 prov:entity id:document/d ; tkg:quote "Petit programme, sans plus" .
id:programme/p/source/2 prov:entity id:document/d ;
    tkg:quote "Petit programme, dans le cadre du Grand programme" .
id:programme/w a schema:Project ; rdfs:label "Grand programme" .
id:event/e a schema:Event ; rdfs:label "Réunion" ; schema:startDate "2019"^^xsd:gYear ;
    schema:organizer id:actor/a ; schema:about id:programme/w ;
    prov:qualifiedAssociation id:event/e/participant/g/participant ;
    prov:qualifiedDerivation id:event/e/source/1 .
id:event/e/participant/g/participant prov:agent id:actor/g ;
    prov:hadRole <https://w3id.org/territorial-kg/concept/role/participant> .
id:event/e/source/1 prov:entity id:document/d ; tkg:quote "La réunion des lycées" .
id:publication/x a schema:CreativeWork ; rdfs:label "Portrait" ; dct:issued "2023-03-23"^^xsd:date ;
    schema:publisher id:actor/a ; schema:about id:actor/g ;
    prov:qualifiedAttribution id:publication/x/participant/g/auteur ;
    prov:qualifiedDerivation id:publication/x/source/1 .
id:publication/x/participant/g/auteur prov:agent id:actor/g ;
    prov:hadRole <https://w3id.org/territorial-kg/concept/role/auteur> .
id:publication/x/source/1 prov:entity id:document/d ; tkg:quote "Le portrait" .
id:document/d a foaf:Document , schema:CreativeWork ; dct:title "Un document" .
"""


class _Tiny:
    """The smallest graph :func:`project` reads: a pyoxigraph store (``id:kind/slug`` written as
    in ``docs/design.md``, expanded here: a Turtle local name cannot hold a ``/``)."""

    def __init__(self, turtle: str) -> None:
        import re

        from pyoxigraph import RdfFormat, Store

        turtle = re.sub(r"(?<![\w<@])id:([\w/.-]*\w)", r"<https://w3id.org/territorial-kg/id/\1>", turtle)
        self.store = Store()
        self.store.load(turtle.encode(), format=RdfFormat.TURTLE)


def _edges(G, kind):
    return {
        (a.rsplit("/", 1)[-1], b.rsplit("/", 1)[-1]): d for a, b, d in G.edges(data=True) if d["kind"] == kind
    }


def test_events_and_publications_are_nodes_and_documents_are_not():
    G = project(_Tiny(_TINY))
    ID = "https://w3id.org/territorial-kg/id/"
    assert G.nodes[ID + "event/e"]["kind"] == "event"
    assert G.nodes[ID + "event/e"]["start"] == "2019"
    assert G.nodes[ID + "publication/x"]["kind"] == "publication"
    assert G.nodes[ID + "publication/x"]["start"] == "2023-03-23"
    assert ID + "document/d" not in G  # a source document is provenance, not a node
    assert G.nodes[ID + "actor/g"]["group"] is True and G.nodes[ID + "actor/a"]["group"] is False
    assert G.nodes[ID + "actor/a"]["start"] == "1998"  # active since, for want of a founding date


def test_part_of_and_inspiration_edges_cite_the_sentence_naming_the_other_end():
    G = project(_Tiny(_TINY))
    partie = _edges(G, "partie")
    assert set(partie) == {("p", "w")}
    quote = sources_of(partie[("p", "w")]["sources"])[0][1]
    assert quote == "Petit programme, dans le cadre du Grand programme"
    assert set(_edges(G, "inspiration")) == {("p", "a")}


def test_event_and_publication_edges_with_roles_dates_and_sources():
    G = project(_Tiny(_TINY))
    ev = _edges(G, "evenement")
    assert {k: d["role"] for k, d in ev.items()} == {("a", "e"): "organisateur", ("g", "e"): "participant"}
    assert all(
        d["start"] == "2019" and [q for _, q in sources_of(d["sources"])] == ["La réunion des lycées"]
        for d in ev.values()
    )
    pub = _edges(G, "publication")
    assert {k: d["role"] for k, d in pub.items()} == {("a", "x"): "editeur", ("g", "x"): "auteur"}
    assert all(d["start"] == "2023-03-23" and d["sources"] for d in pub.values())
    sujet = _edges(G, "sujet")
    assert set(sujet) == {("e", "w"), ("x", "g")}
    assert all(d["sources"] for d in sujet.values())


def test_a_grant_funds_each_item_it_names_and_is_part_of_a_larger_one():
    turtle = (
        _TINY
        + """
id:funding/big a schema:MonetaryGrant ; schema:funder id:actor/a ;
    schema:fundedItem id:programme/p , id:programme/w .
id:funding/small a schema:MonetaryGrant ; schema:funder id:actor/a ; tkg:recipient id:actor/g ;
    dct:isPartOf id:funding/big .
"""
    )
    G = project(_Tiny(turtle))
    money = _edges(G, "financement")
    assert {k for k in money if k[0] == "big"} == {("big", "p"), ("big", "w")}
    assert ("small", "g") in money
    assert set(_edges(G, "partie")) == {("p", "w"), ("small", "big")}


def test_the_curated_projection_has_the_new_kinds(projection):
    G = projection
    kinds = {d["kind"] for *_, d in G.edges(data=True)}
    assert {"partie", "inspiration", "evenement", "publication", "sujet"} <= kinds
    assert G.has_edge(PROGRAMME + "q2er", PROGRAMME + "aet")
    assert G.nodes[ACTOR + "lycees-de-charenton"]["group"] is True
    assert G.nodes[ACTOR + "labo-des-partenariats-strasbourg"]["start"] == "2008"


_SAME_NOTATION = """
@prefix org: <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <https://schema.org/> .
@prefix c: <https://w3id.org/territorial-kg/concept/> .

<https://w3id.org/territorial-kg/concept/actor-type/recherche> a skos:Concept ;
    skos:prefLabel "Organisme de recherche"@fr, "Research body"@en .
<https://w3id.org/territorial-kg/concept/theme/recherche> a skos:Concept ;
    skos:prefLabel "Recherche"@fr, "Research"@en .
id:actor/labo a org:Organization ; rdfs:label "Labo" ;
    org:classification <https://w3id.org/territorial-kg/concept/actor-type/recherche> ;
    schema:knowsAbout <https://w3id.org/territorial-kg/concept/theme/recherche> .
"""


def test_a_notation_in_two_schemes_keeps_both_labels():
    """« recherche » is an actor type (Organisme de recherche) and a theme (Recherche): both named."""
    from kg.present.view_model import build_model

    G = project(_Tiny(_SAME_NOTATION))
    labo = "https://w3id.org/territorial-kg/id/actor/labo"
    assert G.nodes[labo]["types"] == "recherche" and G.nodes[labo]["themes"] == "recherche"
    for lang, kind, theme in (
        ("fr", "Organisme de recherche", "Recherche"),
        ("en", "Research body", "Research"),
    ):
        model = build_model(G, [labo], lang=lang, title="Labo")
        (node,) = model.nodes
        assert node["types"] == [kind] and node["themeLabels"] == [theme], node
        assert model.themes == [{"key": "recherche", "label": theme}]


def test_the_scanner_gives_the_same_text_pairs_from_quads_and_from_the_store():
    """Scanner.values: (subject, object text) sorted, a repeated quad once, a fact in two graphs twice
    (de-duplicated only when a pair repeats: the founder's one pair is not);
    the same from the quads in memory and from the store they fill, and another predicate gives others."""
    from pyoxigraph import Literal, NamedNode, Quad, Store

    from kg.network.pairs import Scanner
    from kg.store.graph import Graph

    label, founder = (
        NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
        NamedNode("https://schema.org/founder"),
    )
    g1, g2 = NamedNode("http://x/g1"), NamedNode("http://x/g2")
    b, a = NamedNode("http://x/b"), NamedNode("http://x/a")
    quads = [
        Quad(b, label, Literal("Bêta", language="fr"), g1),
        Quad(a, label, Literal("Alpha"), g1),
        Quad(a, label, Literal("Alpha"), g1),  # repeated: kept once
        Quad(b, label, Literal("Bêta", language="fr"), g2),  # another graph: kept twice
        Quad(a, label, Literal("Alpha", language="fr"), g1),  # another term, the same text: kept twice
        Quad(b, founder, a, g1),
    ]
    graph = Graph(Store())
    graph.store.extend(quads)
    want = [("http://x/a", "Alpha"), ("http://x/a", "Alpha"), ("http://x/b", "Bêta"), ("http://x/b", "Bêta")]
    for sc in (Scanner(None, quads), Scanner(graph)):
        assert sc.values(label.value) == want
        assert sc.values(label.value) == [(s, o.value) for s, o in sc.pairs(label.value)]
        assert sc.values(founder.value) == [("http://x/b", "http://x/a")]
        assert sc.mapping(founder.value) == {"http://x/b": "http://x/a"}


def test_the_projection_of_the_curated_quads_is_the_projection_of_the_store(graph, projection):
    """From the quads, the graph's dictionaries filled directly: the projection of the store, orders,
    keys and attribute dicts shared by both directions included; another graph gives another one."""
    from test_artefacts import _same_orders

    from kg.model.vocab import expand

    quads = list(graph.store)
    _same_orders(projection, project(None, quads=quads))
    # without the memberships' members, no membership edge
    member = expand("org:member")
    H = project(None, quads=[q for q in quads if q.predicate.value != member])
    assert "adhesion" in {d["kind"] for *_, d in projection.edges(data=True)}
    assert "adhesion" not in {d["kind"] for *_, d in H.edges(data=True)}
