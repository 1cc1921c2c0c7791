"""The researchers' Python API (kg/__init__.py, kg/store/graph.py, kg/store/terms.py, run_named's parameters).

Values keep their meaning when bound (a language, an int, a date), answers keep theirs when asked
(``terms=True``, ``frame()``, CONSTRUCT as an rdflib graph), ``kg.open()`` finds the store from
anywhere, and ``kg.view`` never writes into the current folder unasked. Each question is asked of
two inputs that must give different answers.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode, RdfFormat, Store
from rdflib import Literal, URIRef

import kg
from kg.errors import QueryError, StoreError, UnknownEntityError
from kg.model.vocab import PREFIXES
from kg.store.graph import Graph, find_store
from kg.store.queries import run_named
from tests.tiny_graph import ALPHA, BETA, tiny_graph

ID = "https://w3id.org/territorial-kg/id/"
INTEGER, GYEAR = rdflib.XSD.integer, rdflib.XSD.gYear  # (rdflib.XSD itself confuses pytest's collection)
A, B, C = (ID + f"actor/{n}" for n in ("a", "b", "c"))

# three actors: one label in French (and English), one plain, one other; sizes, founding dates, amounts
VALUES_TTL = """
id:actor/a rdfs:label "Le RAMEAU"@fr , "The RAMEAU"@en ; schema:numberOfEmployees 12 ;
    schema:foundingDate "2006-03-01"^^xsd:date ; tkg:activeSince "2006"^^xsd:gYear ;
    schema:dateModified "2024-01-02T10:30:00"^^xsd:dateTime ; schema:value 1500.50 ;
    schema:isAccessibleForFree true .
id:actor/b rdfs:label "Le RAMEAU" ; schema:numberOfEmployees 7 ;
    schema:foundingDate "2010-05-20"^^xsd:date ; tkg:activeSince "2010"^^xsd:gYear ;
    schema:dateModified "2025-06-30T08:00:00"^^xsd:dateTime ; schema:value 3000 ;
    schema:isAccessibleForFree false .
id:actor/c rdfs:label "Réseau"@fr ; schema:numberOfEmployees 12 ; schema:foundingDate "2006"^^xsd:gYear .
"""


def load(ttl: str, path: Path | None = None) -> Store:
    text = "".join(f"@prefix {k}: <{v}> .\n" for k, v in PREFIXES.items())
    text += re.sub(r"\bid:([\w/-]+)", lambda m: f"<{ID}{m.group(1)}>", ttl)
    store = Store(str(path)) if path else Store()
    store.load(text, format=RdfFormat.TURTLE, to_graph=NamedNode("https://w3id.org/territorial-kg/graph/t"))
    return store


@pytest.fixture(scope="module")
def values() -> Graph:
    return Graph(load(VALUES_TTL))


@pytest.fixture(scope="module")
def tiny() -> Graph:
    return tiny_graph()


def who(graph: Graph, pattern: str, **bindings) -> set[str]:
    return {row["s"] for row in graph.query(f"SELECT ?s WHERE {{ {pattern} }}", **bindings)}


# ---------------------------------------------------------------- binding


def test_a_literal_with_a_language_binds_with_it(values):
    label = "?s rdfs:label ?l"
    assert who(values, label, l=Literal("Le RAMEAU", lang="fr")) == {A}
    assert who(values, label, l=kg.fr("Le RAMEAU")) == {A}
    assert who(values, label, l=kg.lang("The RAMEAU", "en")) == {A}
    assert who(values, label, l=kg.lang("Le RAMEAU", "en")) == set()
    # a plain str is a plain string: it matches the plain label only, never the French one
    assert who(values, label, l="Le RAMEAU") == {B}
    assert who(values, label, l=OxLiteral("Réseau", language="fr")) == {C}


def test_a_typed_literal_keeps_its_datatype(values):
    assert who(values, "?s tkg:activeSince ?y", y=Literal("2006", datatype=GYEAR)) == {A}
    assert who(values, "?s tkg:activeSince ?y", y=Literal("2010", datatype=GYEAR)) == {B}
    # the same text as a plain string is another term
    assert who(values, "?s tkg:activeSince ?y", y="2006") == set()


def test_an_int_binds_as_an_integer(values):
    assert who(values, "?s schema:numberOfEmployees ?n", n=12) == {A, C}
    assert who(values, "?s schema:numberOfEmployees ?n", n=7) == {B}
    assert who(values, "?s schema:numberOfEmployees ?n", n="12") == set()


def test_a_date_binds_as_an_xsd_date(values):
    assert who(values, "?s schema:foundingDate ?d", d=dt.date(2006, 3, 1)) == {A}
    assert who(values, "?s schema:foundingDate ?d", d=dt.date(2010, 5, 20)) == {B}
    # a datetime is an xsd:dateTime (not cut to a date), and compares as one
    assert who(values, "?s schema:dateModified ?d", d=dt.datetime(2024, 1, 2, 10, 30)) == {A}
    assert who(values, "?s schema:dateModified ?d FILTER(?d > ?t)", t=dt.datetime(2025, 1, 1)) == {B}


def test_numbers_and_booleans_bind_typed(values):
    assert who(values, "?s schema:value ?v", v=Decimal("1500.50")) == {A}
    assert who(values, "?s schema:value ?v FILTER(?v > ?min)", min=2000.0) == {B}
    assert who(values, "?s schema:isAccessibleForFree ?f", f=True) == {A}
    assert who(values, "?s schema:isAccessibleForFree ?f", f=False) == {B}


def test_iris_bind_from_every_spelling(values):
    for iri in (kg.IRI(A), URIRef(A), NamedNode(A)):
        assert values.query("SELECT ?n WHERE { ?s schema:numberOfEmployees ?n }", s=iri) == [{"n": 12}]
    assert values.query("SELECT ?n WHERE { ?s schema:numberOfEmployees ?n }", s=URIRef(B)) == [{"n": 7}]


def test_what_cannot_be_bound_says_why(values):
    with pytest.raises(QueryError, match="blank node"):
        values.query("SELECT ?s WHERE { ?s ?p ?o }", o=rdflib.BNode())
    with pytest.raises(QueryError, match=r"cannot bind \[1\] of type list"):
        values.query("SELECT ?s WHERE { ?s ?p ?o }", o=[1])
    with pytest.raises(QueryError, match="not a language tag"):
        kg.lang("x", "français!")


# ---------------------------------------------------------------- answers


def test_terms_true_gives_rdflib_terms_with_language_and_datatype(values):
    rows = values.query(
        "SELECT ?l ?n WHERE { ?s rdfs:label ?l ; schema:numberOfEmployees ?n } ORDER BY ?n STR(?l) LANG(?l)",
        terms=True,
    )
    assert rows == [
        {"l": Literal("Le RAMEAU"), "n": Literal("7", datatype=INTEGER)},
        {"l": Literal("Le RAMEAU", lang="fr"), "n": Literal("12", datatype=INTEGER)},
        {"l": Literal("Réseau", lang="fr"), "n": Literal("12", datatype=INTEGER)},
        {"l": Literal("The RAMEAU", lang="en"), "n": Literal("12", datatype=INTEGER)},
    ]
    # a stored xsd:string is rdflib's plain literal, equal to what rdflib makes of "Le RAMEAU"
    assert rows[0]["l"] == Literal("Le RAMEAU") and rows[0]["l"] != kg.fr("Le RAMEAU")
    assert values.query("SELECT ?s WHERE { ?s schema:numberOfEmployees 7 }", terms=True) == [{"s": URIRef(B)}]
    # the plain answer drops them: str and int
    assert values.query("SELECT ?l WHERE { ?s rdfs:label ?l ; schema:numberOfEmployees 7 }") == [
        {"l": "Le RAMEAU"}
    ]


def test_construct_and_describe_give_an_rdflib_graph(values):
    g = values.query(
        "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l ; schema:numberOfEmployees 12 }"
    )
    assert isinstance(g, rdflib.Graph)
    assert set(g) == {
        (URIRef(A), rdflib.RDFS.label, Literal("Le RAMEAU", lang="fr")),
        (URIRef(A), rdflib.RDFS.label, Literal("The RAMEAU", lang="en")),
        (URIRef(C), rdflib.RDFS.label, Literal("Réseau", lang="fr")),
    }
    d = values.query("DESCRIBE ?s WHERE { ?s schema:numberOfEmployees 7 }")
    assert isinstance(d, rdflib.Graph)
    assert set(d.subjects()) == {URIRef(B)} and len(d) == 7
    assert (URIRef(B), rdflib.SDO.value, Literal("3000", datatype=INTEGER)) in d
    assert d.namespace_manager.expand_curie("tkg:x")  # the project's prefixes are bound
    assert values.query("ASK { ?s schema:numberOfEmployees 7 }") is True
    assert values.query("ASK { ?s schema:numberOfEmployees 8 }") is False


def test_frame_types_numeric_and_date_columns(values):
    import pandas as pd  # a dev dependency: missing, the test fails (never skipped)

    df = values.frame(
        "SELECT ?s ?l ?n ?v ?d ?m ?y ?free WHERE { ?s rdfs:label ?l ; schema:numberOfEmployees ?n ; "
        "schema:value ?v ; schema:foundingDate ?d ; schema:dateModified ?m ; tkg:activeSince ?y ; "
        "schema:isAccessibleForFree ?free FILTER(LANG(?l) != 'en') } ORDER BY ?n"
    )
    assert list(df.columns) == ["s", "l", "n", "v", "d", "m", "y", "free"]
    assert str(df["n"].dtype) == "Int64" and list(df["n"]) == [7, 12]
    assert df["v"].dtype == "float64" and list(df["v"]) == [3000.0, 1500.5]
    assert pd.api.types.is_datetime64_any_dtype(df["d"])
    assert list(df["d"]) == [pd.Timestamp("2010-05-20"), pd.Timestamp("2006-03-01")]
    assert pd.api.types.is_datetime64_any_dtype(df["m"])
    assert isinstance(df["y"].dtype, pd.PeriodDtype) and [p.year for p in df["y"]] == [2010, 2006]
    assert str(df["free"].dtype) == "boolean" and list(df["free"]) == [False, True]
    assert list(df["s"]) == [B, A] and list(df["l"]) == ["Le RAMEAU", "Le RAMEAU"]


def test_frame_keeps_mixed_date_precisions_as_text(values):
    import pandas as pd  # a dev dependency: missing, the test fails (never skipped)

    # C was founded in "2006" (a year), A on 2006-03-01: no day is invented for C
    df = values.frame("SELECT ?s ?d WHERE { ?s schema:foundingDate ?d } ORDER BY ?s")
    assert not pd.api.types.is_datetime64_any_dtype(df["d"])
    assert list(df["d"]) == ["2006-03-01", "2010-05-20", "2006"]
    # unbound values are missing, and an integer column stays integer
    df = values.frame("SELECT ?s ?v WHERE { ?s schema:numberOfEmployees ?n OPTIONAL { ?s schema:value ?v } }")
    assert df["v"].isna().sum() == 1 and df["v"].dtype == "float64"
    with pytest.raises(QueryError, match="ASK"):
        values.frame("ASK { ?s ?p ?o }")


# ---------------------------------------------------------------- named questions


def test_run_named_takes_keyword_arguments_of_any_simple_type(tiny):
    def labels(**params) -> set[str]:
        return {r["label"] for r in run_named(tiny, "ecosystem-as-of", **params).value}

    # an int year, a date and a str say the same; two dates give two answers
    assert labels(date=2013) == labels(date=dt.date(2013, 12, 31)) == labels(date="2013")
    assert labels(date=2013) != labels(date=2020)
    partners = run_named(tiny, "actor-partners", actor=kg.IRI(ALPHA)).value
    assert partners != run_named(tiny, "actor-partners", actor=URIRef(BETA)).value
    # the dict form takes the same values, and kg.query is run_named
    as_dict = kg.query(tiny, "ecosystem-as-of", {"date": 2020}).value
    assert as_dict == run_named(tiny, "ecosystem-as-of", date=2020).value


def test_run_named_raises_the_projects_errors(tiny):
    with pytest.raises(QueryError, match=r"parameter date = \[2020\] \(list\).*a year"):
        run_named(tiny, "ecosystem-as-of", date=[2020])
    with pytest.raises(QueryError, match="parameter date = True"):
        run_named(tiny, "ecosystem-as-of", {"date": True})
    with pytest.raises(QueryError, match="needs --param date"):
        run_named(tiny, "ecosystem-as-of", date=None)
    with pytest.raises(QueryError, match="has no parameter when"):
        run_named(tiny, "ecosystem-as-of", when=2020)
    with pytest.raises(QueryError, match=r"parameter date = datetime\.time"):
        run_named(tiny, "ecosystem-as-of", date=dt.time(10))
    with pytest.raises(UnknownEntityError):
        run_named(tiny, "actor-partners", actor="Omega")


def test_from_underscore_is_the_from_parameter(graph):
    def grants(**params) -> int:
        return len(run_named(graph, "funders-of-territory", territory="departement:94", **params).value)

    assert grants(from_=2010, to=2019) != grants(from_=2020, to=dt.date(2023, 12, 31))
    iri = kg.IRI("https://w3id.org/territorial-kg/id/territory/departement/94")
    assert run_named(graph, "actors-of-territory", territory=iri).value == (
        run_named(graph, "actors-of-territory", territory="departement:94").value
    )


# ---------------------------------------------------------------- opening


def test_open_takes_kg_store_then_the_project_folder(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "notebooks" / "deep").mkdir(parents=True)
    (project / "pyproject.toml").write_text("")
    (project / "build").mkdir()
    load(VALUES_TTL, project / "build" / "store").flush()
    other = tmp_path / "other-store"
    load(VALUES_TTL.replace("numberOfEmployees 7", "numberOfEmployees 8"), other).flush()
    monkeypatch.delenv("KG_STORE", raising=False)

    def sevens() -> int:
        g = kg.open()
        n = len(g.query("SELECT ?s WHERE { ?s schema:numberOfEmployees 7 }"))
        del g
        return n

    monkeypatch.chdir(project / "notebooks" / "deep")  # from a sub-folder: the project's store
    assert find_store() == project / "build" / "store"
    assert sevens() == 1
    monkeypatch.setenv("KG_STORE", str(other))  # KG_STORE first
    assert find_store() == other
    assert sevens() == 0
    monkeypatch.setenv("KG_STORE", str(project))  # the project folder itself
    assert find_store() == project / "build" / "store"


def test_open_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.delenv("KG_STORE", raising=False)
    (tmp_path / "nothing" / "here").mkdir(parents=True)
    (tmp_path / "build" / "store").mkdir(parents=True)  # a build/store without pyproject.toml or data/
    monkeypatch.chdir(tmp_path / "nothing" / "here")
    with pytest.raises(StoreError) as err:
        kg.open()
    message = str(err.value)
    assert "KG_STORE is not set" in message and str(tmp_path / "nothing" / "here") in message
    assert "looked at" in message and 'kg.open("/path/to/build/store")' in message
    monkeypatch.setenv("KG_STORE", str(tmp_path / "missing"))
    with pytest.raises(StoreError, match=r'KG_STORE=".*missing" names no graph store'):
        kg.open()


def test_open_an_endpoint_url(monkeypatch):
    monkeypatch.delenv("KG_STORE", raising=False)
    remote = kg.open("http://127.0.0.1:9/sparql")
    assert isinstance(remote, kg.RemoteGraph) and hasattr(remote, "frame")
    with pytest.raises(StoreError, match="SPARQLStore"):
        remote.rdflib()
    monkeypatch.setenv("KG_STORE", "http://127.0.0.1:9/query")
    assert kg.open().url == "http://127.0.0.1:9/query"
    with pytest.raises(TypeError, match="for an endpoint URL"):
        kg.open(".", timeout=3)


def test_view_without_out_writes_nothing_in_the_current_folder(tmp_path, monkeypatch, tiny):
    monkeypatch.chdir(tmp_path)
    result = kg.view(tiny, whole=True)
    assert list(tmp_path.iterdir()) == []
    assert Path(result.path).is_file() and Path(result.path).is_relative_to(tempfile.gettempdir())
    chosen = kg.view(tiny, whole=True, out="mine.html")
    assert Path(chosen.path).resolve() == tmp_path / "mine.html" and os.listdir(tmp_path) == ["mine.html"]


def test_public_names_are_reexported_lazily():
    for name in kg.__all__:
        assert getattr(kg, name) is not None, name
    assert kg.query is run_named and kg.run_named is run_named
    assert kg.fr("x") == Literal("x", lang="fr")
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        kg.nope  # noqa: B018


@pytest.mark.server
def test_an_endpoint_answers_like_the_store(tmp_path):
    """kg.open(url) on `kg serve` over the same store: bindings, terms=True, frame() and CONSTRUCT agree."""
    import sys

    from conftest import ROOT, free_port, server_output, start_server, stop

    path = tmp_path / "store"
    load(VALUES_TTL, path).flush()
    port = free_port()
    cmd = [sys.executable, "-m", "kg.cli.serve", "--store", str(path), "--port", str(port), "--workers", "1"]
    proc = start_server(cmd, f"http://127.0.0.1:{port}/sparql", "kg serve", cwd=ROOT)
    try:
        local, remote = kg.open(path), kg.open(f"http://127.0.0.1:{port}/sparql")
        assert isinstance(remote, kg.RemoteGraph)
        for label, found in ((kg.fr("Le RAMEAU"), [{"s": URIRef(A)}]), ("Le RAMEAU", [{"s": URIRef(B)}])):
            q = "SELECT ?s WHERE { ?s rdfs:label ?l }"
            assert remote.query(q, l=label, terms=True) == local.query(q, l=label, terms=True) == found
        q = "SELECT ?s ?n ?d WHERE { ?s schema:numberOfEmployees ?n ; schema:foundingDate ?d } ORDER BY ?s"
        assert remote.query(q, n=12, terms=True) == local.query(q, n=12, terms=True)
        assert remote.frame(q).dtypes.to_dict() == local.frame(q).dtypes.to_dict()
        built = "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l }"
        assert set(remote.query(built)) == set(local.query(built)) and len(local.query(built)) == 4
    finally:
        stop(proc)
    assert "Traceback" not in server_output(proc)


def test_the_api_docs_checker_finds_an_undocumented_public_name(monkeypatch):
    """scripts/check_api_docs.py (make apidocs): nothing undocumented today; a new bare name is caught."""
    import dataclasses
    import importlib.util

    import kg.store.terms as terms

    path = Path(__file__).resolve().parents[1] / "scripts" / "check_api_docs.py"
    spec = importlib.util.spec_from_file_location("check_api_docs", path)
    checker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(checker)
    assert checker.undocumented()[0] == []

    def bare(x):
        return x

    @dataclasses.dataclass
    class Bare:
        x: int

        def method(self):
            return self.x

    for obj in (bare, Bare):
        obj.__module__ = "kg.store.terms"
    monkeypatch.setattr(terms, "bare", bare, raising=False)
    monkeypatch.setattr(terms, "Bare", Bare, raising=False)
    monkeypatch.setattr(terms, "__all__", [*terms.__all__, "bare", "Bare"])
    assert checker.undocumented()[0] == [
        "kg.store.terms.Bare",
        "kg.store.terms.Bare.method",
        "kg.store.terms.bare",
    ]
