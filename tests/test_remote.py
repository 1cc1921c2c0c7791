"""kg.store.remote: the graph on a real Oxigraph server (PyPI ``oxigraph``) on 127.0.0.1, loaded through the
Graph Store Protocol; every named question answers the same remotely as embedded."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import free_port, start_server, stop

import kg
from kg.errors import QueryError, StoreError
from kg.store.gsp import gsp_url_for, load_to_endpoint
from kg.store.queries import list_queries, run_named
from kg.store.remote import RemoteGraph

ROOT = Path(__file__).resolve().parent.parent


def oxigraph_bin() -> str:
    """The Oxigraph server of the dev extra (PyPI ``oxigraph``): a test dependency, never skipped."""
    here = Path(sys.executable).parent / "oxigraph"
    found = str(here) if here.exists() else shutil.which("oxigraph")
    if found is None:
        pytest.fail("the oxigraph server is missing: pip install -e '.[dev]' installs it", pytrace=False)
    return found


def start_oxigraph(*args: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/query"
    return start_server([oxigraph_bin(), *args, "--bind", f"127.0.0.1:{port}"], url, "oxigraph"), url


@pytest.fixture(scope="module")
def built(built_store) -> tuple[Path, Path]:
    """The store and TriG dump built once per session by tests/conftest.py."""
    return built_store, built_store.parent / "graph.trig"


@pytest.fixture(scope="module")
def embedded(graph):
    return graph


@pytest.fixture(scope="module")
def location(built, tmp_path_factory):
    """An Oxigraph database loaded from the TriG dump through the Graph Store Protocol (read-write server)."""
    loc = tmp_path_factory.mktemp("oxigraph")
    proc, url = start_oxigraph("serve", "--location", str(loc))
    try:
        report = load_to_endpoint(built[1], url)
    finally:
        stop(proc)
    return loc, report


@pytest.fixture(scope="module")
def plain_server(location):
    """Oxigraph's read-only server, default graph = its own (empty) default graph."""
    proc, url = start_oxigraph("serve-read-only", "--location", str(location[0]))
    yield url
    stop(proc)


@pytest.fixture(scope="module")
def union_server(location):
    """Oxigraph's read-only server started with --union-default-graph."""
    proc, url = start_oxigraph("serve-read-only", "--location", str(location[0]), "--union-default-graph")
    yield url
    stop(proc)


def example_values(q) -> dict[str, str]:
    words = shlex.split(q.examples[0]) if q.examples else []
    out = {}
    for i, w in enumerate(words[:-1]):
        if w in ("--param", "-p"):
            k, v = words[i + 1].split("=", 1)
            out[k] = v
    return out


@pytest.mark.server
def test_load_keeps_every_named_graph(location, embedded):
    _, report = location
    expected = {
        g: embedded.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", g=kg.IRI(g))[0]["n"]
        for g in embedded.named_graphs()
    }
    assert report.graphs == expected
    assert report.triples == len(embedded.store)


@pytest.mark.server
def test_every_named_question_same_answer_remote_and_embedded(plain_server, embedded):
    remote = RemoteGraph(plain_server)  # union made client-side: the dataset is sent with each query
    names = []
    for q in list_queries():
        values = example_values(q)
        here = run_named(embedded, q.name, values, raw=True)
        there = run_named(remote, q.name, values, raw=True)
        assert there.variables == here.variables, q.name
        assert there.value == here.value, q.name
        names.append(q.name)
    assert len(names) >= 10


@pytest.mark.server
def test_union_default_graph_server(union_server, embedded):
    remote = RemoteGraph(union_server, union_default_graph=True)
    for q in list_queries():
        values = example_values(q)
        assert run_named(remote, q.name, values).value == run_named(embedded, q.name, values).value, q.name


@pytest.mark.server
def test_without_the_dataset_a_plain_server_sees_an_empty_default_graph(plain_server):
    """Why RemoteGraph sends the dataset: trusting a server whose default graph is not the union gives
    nothing."""
    naive = RemoteGraph(plain_server, union_default_graph=True)
    assert naive.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"] == 0
    assert len(RemoteGraph(plain_server)) > 300_000


@pytest.mark.server
def test_projection_and_chains_work_remotely(plain_server, embedded):
    from kg.network.chains import chain_graph, find_chains
    from kg.network.projection import project

    here, there = project(embedded), project(RemoteGraph(plain_server))
    assert sorted(here.nodes) == sorted(there.nodes)
    assert sorted(here.edges(keys=False)) == sorted(there.edges(keys=False))
    assert dict(here.nodes(data="label")) == dict(there.nodes(data="label"))
    a = find_chains(chain_graph(here), "Le RAMEAU", "Club Gravelle Entreprendre", k=2)
    b = find_chains(chain_graph(there), "Le RAMEAU", "Club Gravelle Entreprendre", k=2)
    assert [c.labels for c in a] == [c.labels for c in b]


@pytest.mark.server
def test_construct_and_ask_remotely(plain_server, embedded):
    remote = RemoteGraph(plain_server)
    q = "CONSTRUCT { ?a rdfs:label ?l } WHERE { ?a a org:Organization ; rdfs:label ?l }"
    assert sorted(map(str, remote.query(q))) == sorted(map(str, embedded.query(q)))
    assert remote.query("ASK { ?a a tkg:TerritorialCatalyst }") is True


@pytest.mark.server
def test_values_are_bound_not_pasted(plain_server, embedded):
    remote = RemoteGraph(plain_server)
    q = "SELECT ?l WHERE { ?a rdfs:label ?l }"
    rameau = kg.IRI("https://w3id.org/territorial-kg/id/actor/le-rameau")
    assert remote.query(q, a=rameau) == embedded.query(q, a=rameau) != []
    hostile = 'Le RAMEAU"@fr } ; DROP ALL ; SELECT * { ?a ?b "'
    assert remote.query("SELECT ?a WHERE { ?a rdfs:label ?l }", l=hostile) == []  # one escaped literal
    assert len(remote) == len(embedded.store)


@pytest.mark.server
def test_syntax_error_positions_are_the_callers(plain_server):
    with pytest.raises(QueryError, match=r"line 2, column \d+"):
        RemoteGraph(plain_server).query("SELECT ?s WHERE {\n ?s ?p }")


def test_unreachable_endpoint_is_a_store_error():
    with pytest.raises(StoreError, match="cannot reach"):
        RemoteGraph(f"http://127.0.0.1:{free_port()}/query", timeout=2).query("ASK {}")
    with pytest.raises(QueryError):
        RemoteGraph("ftp://example.org/sparql")


@pytest.mark.server
def test_reload_is_idempotent(location, built, tmp_path):
    proc, url = start_oxigraph("serve")  # in memory
    try:
        meta = "https://w3id.org/territorial-kg/graph/meta"
        first = load_to_endpoint(kg.open(built[0]), url, graphs=[meta])
        second = load_to_endpoint(built[1], url, gsp_url=gsp_url_for(url), graphs=[meta])
        assert first.graphs == second.graphs and list(first.graphs) == [meta]
        assert len(RemoteGraph(url)) == first.triples
    finally:
        stop(proc)


@pytest.mark.server
def test_kg_open_picks_remote_or_embedded(plain_server, built):
    assert isinstance(kg.open(plain_server), RemoteGraph)
    assert isinstance(kg.open(built[0]), kg.Graph)
