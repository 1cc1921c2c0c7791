"""kg.open / Graph.query: bound values, plain rows, clear errors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

import kg
from kg.errors import QueryError, StoreError
from kg.store.graph import Graph

EX = "http://example.org/"


@pytest.fixture
def graph():
    s = Store()
    g1, g2 = NamedNode(EX + "g1"), NamedNode(EX + "g2")
    s.add(
        Quad(
            NamedNode(EX + "a"),
            NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            Literal("Alpha", language="fr"),
            g1,
        )
    )
    s.add(
        Quad(
            NamedNode(EX + "b"),
            NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            Literal("B'eta\" } ; DROP"),
            g2,
        )
    )
    s.add(
        Quad(
            NamedNode(EX + "a"),
            NamedNode(EX + "amount"),
            Literal("3000", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
            g2,
        )
    )
    return Graph(s)


def test_default_graph_is_the_union_and_prefixes_are_known(graph):
    rows = graph.query("SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?s")
    assert [r["s"] for r in rows] == [EX + "a", EX + "b"]


def test_iri_and_literal_bindings(graph):
    assert graph.query("SELECT ?l WHERE { ?s rdfs:label ?l }", s=kg.IRI(EX + "a")) == [{"l": "Alpha"}]
    # a hostile string is a value, never query text
    rows = graph.query("SELECT ?s WHERE { ?s rdfs:label ?l }", l="B'eta\" } ; DROP")
    assert rows == [{"s": EX + "b"}]
    assert graph.query("SELECT ?s WHERE { ?s rdfs:label ?l }", l=EX + "a") == []


def test_numbers_come_back_as_numbers(graph):
    assert graph.query("SELECT ?v WHERE { ?s <http://example.org/amount> ?v }") == [{"v": Decimal(3000)}]
    assert graph.query("ASK { ?s <http://example.org/amount> ?v }", v=Decimal(3000)) is True


def test_syntax_error_is_a_query_error_with_position(graph):
    with pytest.raises(QueryError, match=r"line|column|position|expected"):
        graph.query("SELECT ?s WHERE { ?s ?p }")


def test_unbindable_value(graph):
    with pytest.raises(QueryError, match="cannot bind"):
        graph.query("SELECT * WHERE { ?s ?p ?o }", o=object())


def test_open_missing_store(tmp_path):
    with pytest.raises(StoreError, match="kg build"):
        kg.open(tmp_path / "nowhere")
