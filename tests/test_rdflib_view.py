"""The read-only rdflib view of the store (kg/store/rdflib_view.py): ``graph.rdflib()``.

The same five queries through ``graph.query`` and through the view give the same answers (on the
curated graph, where the view hands SPARQL to pyoxigraph, and on the tiny graph through rdflib's own
engine too, which reads the view's triples); ``ds.graph(iri)``, ``initBindings``, iteration, ``len``,
serialisation, pySHACL with the project's shapes, and writes refused.
"""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
import rdflib
from pyoxigraph import NamedNode, RdfFormat, Store
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.sparql import prepareQuery

import kg
from kg.errors import StoreError
from kg.model.vocab import PREFIXES
from kg.store.graph import Graph
from tests.tiny_graph import tiny_graph

ROOT = Path(__file__).resolve().parents[1]
SHAPES = ROOT / "ontology" / "shapes.ttl"
GRAPH = "https://w3id.org/territorial-kg/graph/"
RAMEAU = URIRef("https://w3id.org/territorial-kg/id/actor/le-rameau")

FIVE = {
    # a language-tagged label, found by its French literal
    "label": "SELECT ?a ?l WHERE { ?a rdfs:label ?l FILTER(LANG(?l) = 'fr' && STRSTARTS(?l, 'Le ')) }",
    # amounts: decimals, with their funders (OPTIONAL: a grant may have none)
    "amounts": "SELECT ?g ?v ?f WHERE { ?g schema:amount/schema:value ?v OPTIONAL { ?g schema:funder ?f } }",
    # a count per type over the union of the named graphs
    "counts": "SELECT ?t (COUNT(?x) AS ?n) WHERE { ?x a ?t } GROUP BY ?t",
    # which named graph holds what
    "graphs": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    # typed and plain literals compared: the dated periods' starts and the plain currencies
    "typed": 'SELECT ?p ?d WHERE { ?p dcat:startDate ?d . ?m schema:currency "EUR" }',
}


def as_set(rows) -> set[frozenset]:
    return {frozenset((str(k), v) for k, v in row.items() if v is not None) for row in rows}


def through_view(ds, query: str, **kw) -> set[frozenset]:
    return as_set(r.asdict() for r in ds.query(query, **kw))


@pytest.fixture(scope="module")
def ds(graph):
    return graph.rdflib()


@pytest.mark.parametrize("name", sorted(FIVE))
def test_five_queries_give_the_same_answers_through_the_view(graph, ds, name):
    direct = as_set(graph.query(FIVE[name], terms=True))
    assert direct, f"{name}: the query must find rows to compare"
    assert through_view(ds, FIVE[name]) == direct


@pytest.mark.parametrize("name", sorted(FIVE))
def test_five_queries_on_rdflib_own_engine_over_the_view(name):
    """A prepared query runs on rdflib's engine, over the view's triples: a check of triples() itself."""
    tiny = tiny_graph()
    view = tiny.rdflib()
    text = FIVE[name].replace("STRSTARTS(?l, 'Le ')", "true").replace("LANG(?l) = 'fr'", "true")
    prepared = prepareQuery(text, initNs={k: rdflib.Namespace(v) for k, v in PREFIXES.items()})
    direct = as_set(tiny.query(text, terms=True))
    if name == "typed":  # the tiny graph has no currency: the plain "EUR" finds nothing either way
        assert direct == set()
    else:
        assert direct
    assert as_set(r.asdict() for r in view.query(prepared)) == direct


def test_init_bindings(ds):
    q = "SELECT ?a WHERE { ?a rdfs:label ?l }"
    assert [r.a for r in ds.query(q, initBindings={"l": kg.fr("Le RAMEAU")})] == [RAMEAU]
    assert list(ds.query(q, initBindings={"l": Literal("Le RAMEAU")})) == []  # a plain literal: not @fr
    labels = ds.query("SELECT ?l WHERE { ?a rdfs:label ?l }", initBindings={"a": RAMEAU})
    assert [r.l for r in labels] == [Literal("Le RAMEAU", lang="fr")]
    other = URIRef("https://w3id.org/territorial-kg/id/actor/fondation-totalenergies")
    assert [r.l for r in ds.query("SELECT ?l WHERE { ?a rdfs:label ?l }", initBindings={"a": other})] != [
        r.l for r in labels
    ]
    assert ds.query("ASK { ?a rdfs:label ?l }", initBindings={"a": RAMEAU}).askAnswer is True
    built = ds.query("CONSTRUCT { ?a rdfs:label ?l } WHERE { ?a rdfs:label ?l }", initBindings={"a": RAMEAU})
    assert set(built.graph) == {(RAMEAU, rdflib.RDFS.label, Literal("Le RAMEAU", lang="fr"))}


def test_one_named_graph(graph, ds):
    meta = ds.graph(URIRef(GRAPH + "meta"))
    n = graph.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}meta> {{ ?s ?p ?o }} }}")[0]["n"]
    assert len(meta) == n == sum(1 for _ in meta) > 0
    ontology = ds.graph(GRAPH + "ontology")
    assert len(ontology) != len(meta)
    # each graph answers its own triples only, SPARQL included
    assert (RAMEAU, None, None) not in meta and (RAMEAU, None, None) in ds
    asked = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert int(next(iter(meta.query(asked))).n) == n
    assert {c.identifier for c in ds.graphs()} >= {URIRef(GRAPH + "meta"), URIRef(GRAPH + "geography")}
    with pytest.raises(StoreError, match=r"no named graph http://example\.org/g"):
        ds.graph("http://example.org/g")


def test_len_iteration_and_literal_equality(graph, ds):
    assert len(ds) == len(graph)
    quad = next(iter(ds))
    assert len(quad) == 4 and quad in ds
    # a stored xsd:string is rdflib's plain literal: Literal("EUR") finds the currencies
    eur = list(ds.triples((None, rdflib.SDO.currency, Literal("EUR"))))
    assert eur and all(o == Literal("EUR") and o.datatype is None for _, _, o in eur)
    assert list(ds.triples((None, rdflib.SDO.currency, Literal("USD")))) == []


def test_serialisation_round_trips(graph, ds):
    meta = ds.graph(GRAPH + "meta")
    again = rdflib.Graph().parse(data=meta.serialize(format="turtle"), format="turtle")
    dumped = graph.store.dump(format=RdfFormat.N_TRIPLES, from_graph=NamedNode(GRAPH + "meta"))
    assert isomorphic(again, rdflib.Graph().parse(data=dumped.decode(), format="nt"))
    trig = rdflib.Dataset().parse(data=tiny_graph().rdflib().serialize(format="trig"), format="trig")
    assert len(trig) == len(tiny_graph())


def test_writes_are_refused(ds):
    triple = (RAMEAU, rdflib.RDFS.label, Literal("x"))
    for write in (
        lambda: ds.add((*triple, URIRef(GRAPH + "meta"))),
        lambda: ds.graph(GRAPH + "meta").add(triple),
        lambda: ds.remove((RAMEAU, None, None)),
        lambda: ds.update("INSERT DATA { <http://a> <http://b> <http://c> }"),
        lambda: ds.parse(data="<http://a> <http://b> <http://c> .", format="nt"),
    ):
        with pytest.raises(StoreError, match="read-only"):
            write()
    assert (RAMEAU, rdflib.RDFS.label, Literal("x")) not in ds


AMOUNT = """
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/territorial-kg/id/funding/f/amount> a schema:MonetaryAmount ;
    schema:value "1000"^^xsd:decimal ; schema:currency "CURRENCY" .
"""


def amount_store(currency: str) -> Graph:
    store = Store()
    text = AMOUNT.replace("CURRENCY", currency)
    store.load(text, format=RdfFormat.TURTLE, to_graph=NamedNode(GRAPH + "document/x"))
    return Graph(store)


@pytest.mark.parametrize("union", [False, True])
def test_pyshacl_validates_the_view_with_the_projects_shapes(union):
    """sh:in ( "EUR" ) holds for the stored "EUR" (an xsd:string in pyoxigraph), not for "USD"."""
    shapes = rdflib.Graph().parse(SHAPES)
    euro = pyshacl.validate(amount_store("EUR").rdflib(union=union), shacl_graph=shapes, inplace=True)
    assert euro[0] is True, euro[2]
    dollar = pyshacl.validate(amount_store("USD").rdflib(union=union), shacl_graph=shapes, inplace=True)
    assert dollar[0] is False
    assert "USD" in dollar[2] and "sh:in" in dollar[2].replace("InConstraintComponent", "sh:in")
