"""The SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/), tested from the specification
against a real ``kg serve`` on 127.0.0.1: every test asserts the status and the content type.

- 2.1 the query operation, by GET, POST form (``application/x-www-form-urlencoded``) and POST direct
  (``application/sparql-query``), for the four query forms;
- 2.1.4 the dataset of ``default-graph-uri`` / ``named-graph-uri`` (it replaces the query's ``FROM``;
  an IRI that is not a graph of the store is an empty graph, never fetched);
- 2.1.5/2.1.6 content negotiation: SPARQL JSON, XML, CSV, TSV; Turtle, N-Triples, RDF/XML, JSON-LD;
- 2.1.7 failures: a malformed query is 400, and every malformed request of the protocol's bad-query
  tests gets a 4XX (which one, and why, beside each case);
- the request URL is the base IRI (the protocol test ``query-content-type-construct`` sends
  ``CONSTRUCT { <s> <p> 1 } WHERE {}``);
- rdflib's ``SPARQLStore`` and ``Dataset(store=SPARQLStore(url))``, which send
  ``default-graph-uri=urn:x-rdflib:default``.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import free_port, server_output, start_server, stop

from kg.model.vocab import PREFIXES

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent
METHODS = ("get", "post-form", "post-direct")
META = PREFIXES["graph"] + "meta"
ONTOLOGY = PREFIXES["graph"] + "ontology"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
PLAIN = "text/plain; charset=utf-8"


@pytest.fixture(scope="module")
def endpoint(built_store):
    port = free_port()
    url = f"http://127.0.0.1:{port}/sparql"
    cmd = [sys.executable, "-m", "kg.cli.serve", "--store", str(built_store), "--port", str(port)]
    proc = start_server(cmd, url, "kg serve", cwd=ROOT)
    yield url
    stop(proc)
    assert "Traceback" not in server_output(proc)


def request(url: str, method: str, query: str | None, accept: str = "*/*", **params) -> httpx.Response:
    """The query operation by *method*; *params* (lists for repeated ones) go where the protocol puts them."""
    headers = {"Accept": accept}
    if method == "get":
        return httpx.get(url, params={**params, "query": query}, headers=headers, timeout=30)
    if method == "post-form":
        return httpx.post(url, data={**params, "query": query}, headers=headers, timeout=30)
    return httpx.post(
        url,
        params=params,
        content=(query or "").encode(),
        headers={**headers, "Content-Type": "application/sparql-query"},
        timeout=30,
    )


def media(r: httpx.Response) -> str:
    return r.headers["content-type"].split(";")[0].strip()


def count(r: httpx.Response) -> int:
    assert r.status_code == 200, r.text
    assert media(r) == "application/sparql-results+json"
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def graph_size(url: str, g: str) -> int:
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}"
    return count(request(url, "get", q, "application/json"))


# --- 2.1 the query operation: four query forms by three methods ---------------------------------------------

FORMS = {
    "select": ("SELECT (1 AS ?value) {}", "application/sparql-results+json"),
    "ask": ("ASK {}", "application/sparql-results+json"),
    "construct": ("CONSTRUCT { <http://example.org/s> <http://example.org/p> 1 } WHERE {}", "text/turtle"),
    "describe": ("DESCRIBE <http://example.org/>", "text/turtle"),
}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("form", FORMS)
def test_query_forms_by_every_method(endpoint, method, form):
    query, expected = FORMS[form]
    r = request(endpoint, method, query)
    assert r.status_code == 200, r.text
    assert media(r) == expected
    if form == "select":
        assert r.json()["results"]["bindings"][0]["value"]["value"] == "1"
    elif form == "ask":
        assert r.json()["boolean"] is True
    elif form == "construct":
        assert len(list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))) == 1


# --- 2.1.5 / 2.1.6 content negotiation ----------------------------------------------------------------------

SELECT_TYPES = {
    "application/sparql-results+json": "JSON",
    "application/sparql-results+xml": "XML",
    "text/csv": None,
    "text/tab-separated-values": "TSV",
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("accept", SELECT_TYPES)
def test_select_in_every_results_format(endpoint, method, accept):
    r = request(endpoint, method, "SELECT ?x WHERE { VALUES ?x { 1 2 } }", accept)
    assert r.status_code == 200 and media(r) == accept
    fmt = SELECT_TYPES[accept]
    if fmt is None:
        assert r.text.splitlines() == ["x", "1", "2"]
    else:
        rows = ox.parse_query_results(r.content, format=getattr(ox.QueryResultsFormat, fmt))
        assert [sol["x"].value for sol in rows] == ["1", "2"]


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml"])
def test_ask_in_json_and_xml(endpoint, accept):
    r = request(endpoint, "post-direct", "ASK { FILTER(false) }", accept)
    assert r.status_code == 200 and media(r) == accept
    fmt = ox.QueryResultsFormat.JSON if accept.endswith("json") else ox.QueryResultsFormat.XML
    assert bool(ox.parse_query_results(r.content, format=fmt)) is False


@pytest.mark.parametrize("form", ["construct", "describe"])
@pytest.mark.parametrize("accept", GRAPH_TYPES)
def test_construct_and_describe_in_every_rdf_format(endpoint, graph, form, accept):
    query = (
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{META}> {{ ?s ?p ?o }} }}"
        if form == "construct"
        else "DESCRIBE <https://w3id.org/territorial-kg/id/actor/le-rameau>"
    )
    r = request(endpoint, "post-form", query, accept)
    assert r.status_code == 200 and media(r) == accept
    got = {q.triple for q in ox.parse(r.content, format=GRAPH_TYPES[accept])}
    assert got == {ox.Triple(s, p, o) for s, p, o in graph.query(query, raw=True)} and got


def test_accept_with_qualities_and_wildcards(endpoint):
    r = request(endpoint, "get", "ASK {}", "text/csv;q=0.1, application/sparql-results+xml;q=0.9")
    assert r.status_code == 200 and media(r) == "application/sparql-results+xml"
    r = request(endpoint, "get", FORMS["construct"][0], "application/*")
    assert r.status_code == 200 and media(r) in GRAPH_TYPES


@pytest.mark.parametrize(
    "query,accept",
    [
        ("SELECT (1 AS ?x) {}", "text/turtle"),
        (FORMS["construct"][0], "application/sparql-results+json"),
        ("ASK {}", "image/png"),
    ],
)
def test_no_acceptable_format_is_406(endpoint, query, accept):
    r = request(endpoint, "get", query, accept)
    assert r.status_code == 406 and r.headers["content-type"] == PLAIN


# --- 2.1.4 the dataset --------------------------------------------------------------------------------------


class Listener:
    """A TCP listener on 127.0.0.1 counting connections: a dataset IRI pointing here must never be fetched."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                continue

    def close(self) -> None:
        self._stop = True
        self.thread.join(2)
        self.sock.close()


@pytest.mark.parametrize("method", METHODS)
def test_unknown_default_graph_is_an_empty_graph_never_fetched(endpoint, method):
    """protocol test query-dataset-default-graph: a graph the store does not hold is empty, not 403."""
    listener = Listener()
    try:
        r = request(endpoint, method, COUNT, "application/json", **{"default-graph-uri": listener.url + "d1"})
        assert count(r) == 0
        r = request(
            endpoint,
            method,
            f"ASK {{ <{listener.url}d1> ?p ?o }}",
            "application/sparql-results+xml",
            **{"default-graph-uri": listener.url + "d1"},
        )
        assert r.status_code == 200 and media(r) == "application/sparql-results+xml"
        time.sleep(0.2)
        assert listener.connections == 0
    finally:
        listener.close()


@pytest.mark.parametrize("method", METHODS)
def test_unknown_named_graphs_are_empty(endpoint, method):
    """protocol test query-dataset-named-graphs: two named graphs the store does not hold."""
    r = request(
        endpoint,
        method,
        "ASK { GRAPH ?g { ?s ?p ?o } }",
        "application/json",
        **{"named-graph-uri": ["http://example.org/data1.rdf", "http://example.org/data2.rdf"]},
    )
    assert r.status_code == 200 and media(r) == "application/sparql-results+json"
    assert r.json()["boolean"] is False


@pytest.mark.parametrize("method", METHODS)
def test_several_default_graphs_are_all_read(endpoint, method):
    """protocol test query-dataset-default-graphs: the default graph is made of every graph named."""
    meta, ontology = graph_size(endpoint, META), graph_size(endpoint, ONTOLOGY)
    both = {"default-graph-uri": [META, ONTOLOGY, "http://example.org/not-in-the-store"]}
    assert count(request(endpoint, method, COUNT, "application/json", **both)) == meta + ontology > 0
    # a graph named twice is read once
    assert (
        count(request(endpoint, method, COUNT, "application/json", **{"default-graph-uri": [META, META]}))
        == meta
    )


@pytest.mark.parametrize("method", METHODS)
def test_full_dataset_default_and_named(endpoint, method):
    """protocol test query-dataset-full: default-graph-uri and named-graph-uri together."""
    r = request(
        endpoint,
        method,
        "SELECT DISTINCT ?g WHERE { ?x ?y ?z GRAPH ?g { ?s ?p ?o } }",
        "application/json",
        **{"default-graph-uri": META, "named-graph-uri": [ONTOLOGY, "http://example.org/data2.rdf"]},
    )
    assert r.status_code == 200 and media(r) == "application/sparql-results+json"
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [ONTOLOGY]


@pytest.mark.parametrize("method", METHODS)
def test_protocol_dataset_replaces_the_query_dataset(endpoint, method):
    """protocol test query-multiple-dataset: the protocol's dataset wins over FROM (2.1.4)."""
    q = f"SELECT (COUNT(*) AS ?n) FROM <{META}> WHERE {{ ?s ?p ?o }}"
    assert count(request(endpoint, method, q, "application/json")) == graph_size(endpoint, META)
    r = request(endpoint, method, q, "application/json", **{"default-graph-uri": ONTOLOGY})
    assert count(r) == graph_size(endpoint, ONTOLOGY)


def test_without_dataset_the_default_graph_is_the_union(endpoint, graph):
    assert count(request(endpoint, "get", COUNT, "application/json")) == graph.query(COUNT)[0]["n"]


@pytest.mark.parametrize("value", ["not an iri", ""])
def test_malformed_dataset_iri_is_400(endpoint, value):
    r = request(endpoint, "get", COUNT, "application/json", **{"default-graph-uri": value})
    assert r.status_code == 400 and r.headers["content-type"] == PLAIN


def test_pyoxigraph_never_fetches_a_dataset_iri():
    """What makes the empty-graph answer safe: neither a FROM nor a protocol dataset IRI is fetched."""
    listener = Listener()
    try:
        store = ox.Store()
        g = ox.NamedNode(listener.url + "data.ttl")
        assert (
            list(store.query(f"SELECT * FROM <{g.value}> FROM NAMED <{g.value}> WHERE {{ ?s ?p ?o }}")) == []
        )
        assert list(store.query("SELECT * WHERE { ?s ?p ?o }", default_graph=[g], named_graphs=[g])) == []
        time.sleep(0.2)
        assert listener.connections == 0
    finally:
        listener.close()


# --- the request URL is the base IRI ------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_relative_iris_resolve_against_the_request_url(endpoint, method):
    """protocol test query-content-type-construct: CONSTRUCT { <s> <p> 1 } WHERE {}."""
    r = request(endpoint, method, "CONSTRUCT { <s> <p> 1 } WHERE {}", "application/n-triples")
    assert r.status_code == 200 and media(r) == "application/n-triples"
    base = endpoint.rsplit("/", 1)[0] + "/"
    triples = [q.triple for q in ox.parse(r.content, format=ox.RdfFormat.N_TRIPLES)]
    assert triples == [ox.Triple(ox.NamedNode(base + "s"), ox.NamedNode(base + "p"), ox.Literal(1))]
    r = request(endpoint, method, "SELECT (<x> AS ?x) {}", "application/json")
    assert r.status_code == 200 and r.json()["results"]["bindings"][0]["x"]["value"] == base + "x"
    r = request(endpoint, method, "BASE <http://example.org/> SELECT (<x> AS ?x) {}", "application/json")
    assert r.json()["results"]["bindings"][0]["x"]["value"] == "http://example.org/x"


# --- 2.1.7 failures: the protocol's bad-query tests ---------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_syntax_error_is_400(endpoint, method):
    """bad-query-syntax: "not a legal sequence of characters in the language defined by the SPARQL
    grammar" is 400 (2.1.7)."""
    r = request(endpoint, method, "ASK {", "application/json")
    assert r.status_code == 400 and r.headers["content-type"] == PLAIN
    assert "syntax error" in r.text


def _raw(endpoint: str, method: str, content: bytes | None = None, **headers: str) -> httpx.Response:
    return httpx.request(method, endpoint, content=content, headers=headers, timeout=30)


BAD = {
    # bad-multiple-queries: 2.1 says a request carries exactly one query string
    "two query params by GET": lambda u: httpx.get(f"{u}?query=ASK%7B%7D&query=SELECT%20%2A%20%7B%7D"),
    "two query params in a form": lambda u: httpx.post(u, data={"query": ["ASK {}", "ASK {}"]}),
    "a query in the URL and in the form": lambda u: httpx.post(
        u, params={"query": "ASK {}"}, data={"query": "ASK {}"}
    ),
    "query= in the URL of a direct POST": lambda u: httpx.post(
        u,
        params={"query": "ASK {}"},
        content=b"ASK {}",
        headers={"Content-Type": "application/sparql-query"},
    ),
    # bad-update-get: the update operation is POST only (2.2)
    "an update by GET": lambda u: httpx.get(u, params={"update": "CLEAR ALL"}),
    # bad-multiple-updates
    "two update params in a form": lambda u: httpx.post(u, data={"update": ["CLEAR NAMED", "CLEAR DEFAULT"]}),
    "a query and an update": lambda u: httpx.post(u, data={"query": "ASK {}", "update": "CLEAR ALL"}),
    # bad-query-missing-form-type / bad-query-missing-direct-type: no Content-Type, so no query can be read
    "a form body without Content-Type": lambda u: _raw(u, "POST", b"query=ASK%20%7B%7D"),
    "a query body without Content-Type": lambda u: _raw(u, "POST", b"ASK {}"),
    # missing query: a POST with nothing to run
    "a form without query": lambda u: httpx.post(u, data={"default-graph-uri": META}),
    "an empty query": lambda u: httpx.post(u, data={"query": ""}),
    "an empty direct POST": lambda u: _raw(u, "POST", b"", **{"Content-Type": "application/sparql-query"}),
    # bad-query-non-utf8 (bytes that are not UTF-8)
    "latin-1 bytes in a direct POST": lambda u: _raw(
        u, "POST", "ASK { FILTER('é') }".encode("latin-1"), **{"Content-Type": "application/sparql-query"}
    ),
    "a percent-encoded latin-1 byte by GET": lambda u: httpx.get(f"{u}?query=ASK%20%7B%7D%20%23%E9"),
    "a percent-encoded latin-1 byte in a form": lambda u: _raw(
        u, "POST", b"query=ASK%20%7B%7D%20%23%E9", **{"Content-Type": "application/x-www-form-urlencoded"}
    ),
}
#: 415 Unsupported Media Type (RFC 9110 15.5.16): the body is in a format the endpoint does not take
UNSUPPORTED = {
    # bad-query-wrong-media-type
    "text/plain": lambda u: _raw(u, "POST", b"ASK {}", **{"Content-Type": "text/plain"}),
    "application/json": lambda u: _raw(
        u, "POST", b'{"query": "ASK {}"}', **{"Content-Type": "application/json"}
    ),
    # bad-query-non-utf8: a charset other than UTF-8, declared
    "UTF-16": lambda u: _raw(
        u, "POST", "ASK {}".encode("utf-16"), **{"Content-Type": "application/sparql-query; charset=UTF-16"}
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_requests_are_400(endpoint, case):
    r = BAD[case](endpoint)
    assert r.status_code == 400, (case, r.status_code, r.text)
    assert r.headers["content-type"] == PLAIN


@pytest.mark.parametrize("case", UNSUPPORTED)
def test_unsupported_request_media_type_is_415(endpoint, case):
    r = UNSUPPORTED[case](endpoint)
    assert r.status_code == 415, (case, r.status_code, r.text)
    assert r.headers["content-type"] == PLAIN


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405(endpoint, method):
    """bad-query-method: the query operation is GET or POST only."""
    r = httpx.request(method, f"{endpoint}?query=ASK%7B%7D")
    assert r.status_code == 405 and r.headers["content-type"] == PLAIN
    assert set(r.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_utf8_with_a_declared_charset_is_accepted(endpoint):
    r = _raw(
        endpoint,
        "POST",
        "ASK { FILTER('é' = 'é') }".encode(),
        **{"Content-Type": "application/sparql-query; charset=UTF-8"},
    )
    assert r.status_code == 200 and r.json()["boolean"] is True


@pytest.mark.parametrize(
    "send",
    [
        lambda u: httpx.post(u, data={"update": "CLEAR ALL"}),
        lambda u: _raw(u, "POST", b"CLEAR ALL", **{"Content-Type": "application/sparql-update"}),
        lambda u: httpx.post(u, data={"query": "CLEAR ALL"}),
    ],
    ids=["form update", "direct update", "update as a query"],
)
def test_updates_on_a_read_only_endpoint_are_403(endpoint, send):
    """2.2.4 lets a service refuse an update; a read-only endpoint refuses every one, with 403."""
    r = send(endpoint)
    assert r.status_code == 403 and r.headers["content-type"] == PLAIN


# --- rdflib -------------------------------------------------------------------------------------------------

ORGS = "SELECT ?a WHERE { ?a a <http://www.w3.org/ns/org#Organization> } ORDER BY ?a"


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore_graph_and_dataset(endpoint, graph, method):
    from rdflib import Dataset, Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    expected = [str(row["a"]) for row in graph.query(ORGS)]
    assert expected
    store = SPARQLStore(endpoint, method=method)
    assert [str(r[0]) for r in Graph(store=store).query(ORGS)] == expected
    # Dataset sends default-graph-uri=urn:x-rdflib:default: the endpoint's default graph, the union
    ds = Dataset(store=SPARQLStore(endpoint, method=method))
    assert [str(r[0]) for r in ds.query(ORGS)] == expected
    names = {str(r[0]) for r in ds.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert names == set(graph.named_graphs())
    # one named graph, as rdflib reads it: Graph(store, identifier=<graph>)
    meta = Graph(store=SPARQLStore(endpoint, method=method), identifier=META)
    assert len(list(meta.triples((None, None, None)))) == graph_size(endpoint, META)


# --- the W3C protocol tests' own requests, on their own data -----------------------------------------------

KASEI = "http://kasei.us/2009/09/sparql/data/"
FOAF_DOCUMENT = "http://xmlns.com/foaf/0.1/Document"


@pytest.fixture(scope="module")
def w3c_endpoint(tmp_path_factory):
    """``kg serve`` on a store holding the test suite's graphs data0.rdf … data3.rdf (each: ``<dataN.rdf> a
    foaf:Document``), so that the manifest's requests (sparql11/protocol/manifest.ttl) run as written."""
    path = tmp_path_factory.mktemp("w3c") / "store"
    store = ox.Store(str(path))
    for i in range(4):
        g = ox.NamedNode(f"{KASEI}data{i}.rdf")
        store.add(ox.Quad(g, ox.NamedNode(PREFIXES["rdf"] + "type"), ox.NamedNode(FOAF_DOCUMENT), g))
    store.flush()
    del store
    port = free_port()
    url = f"http://127.0.0.1:{port}/sparql"
    cmd = [sys.executable, "-m", "kg.cli.serve", "--store", str(path), "--port", str(port)]
    proc = start_server(cmd, url, "kg serve", cwd=ROOT)
    yield url
    stop(proc)
    assert "Traceback" not in server_output(proc)


def _q(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


D = {i: _q(f"{KASEI}data{i}.rdf") for i in range(4)}
#: name → (query string of the URL, body or None for GET, expected boolean or None for a non-boolean answer)
W3C_QUERIES = {
    "query_get": (f"query=ASK%20%7B%7D&default-graph-uri={D[0]}", None, True),
    "query_post_form": (f"default-graph-uri={D[0]}", b"query=ASK%20%7B%7D", True),
    "query_post_direct": (f"default-graph-uri={D[0]}", "ASK {}", True),
    "query_dataset_default_graphs_get": (
        "query="
        + _q(f"ASK {{ <{KASEI}data1.rdf> a ?type . <{KASEI}data2.rdf> a ?type . }}")
        + f"&default-graph-uri={D[1]}&default-graph-uri={D[2]}",
        None,
        True,
    ),
    "query_dataset_default_graphs_post": (
        f"default-graph-uri={D[1]}&default-graph-uri={D[2]}",
        f"ASK {{ <{KASEI}data1.rdf> a ?type . <{KASEI}data2.rdf> a ?type . }}",
        True,
    ),
    "query_dataset_named_graphs_get": (
        "query="
        + _q(
            f"ASK {{ GRAPH ?g1 {{ <{KASEI}data1.rdf> a ?type }} GRAPH ?g2 {{ <{KASEI}data2.rdf> a ?type }} }}"
        )
        + f"&named-graph-uri={D[1]}&named-graph-uri={D[2]}",
        None,
        True,
    ),
    "query_dataset_named_graphs_post": (
        f"named-graph-uri={D[1]}&named-graph-uri={D[2]}",
        f"ASK {{ GRAPH ?g1 {{ <{KASEI}data1.rdf> a ?type }} GRAPH ?g2 {{ <{KASEI}data2.rdf> a ?type }} }}",
        True,
    ),
    "query_dataset_full": (
        f"default-graph-uri={D[3]}&named-graph-uri={D[1]}&named-graph-uri={D[2]}",
        f"ASK {{ <{KASEI}data3.rdf> a ?type GRAPH ?g1 {{ <{KASEI}data1.rdf> a ?type }} "
        f"GRAPH ?g2 {{ <{KASEI}data2.rdf> a ?type }} }}",
        True,
    ),
    # the protocol's dataset replaces the query's FROM: data3 is not the default graph any more
    "query_multiple_dataset (protocol wins)": (
        f"default-graph-uri={D[1]}",
        f"ASK FROM <{KASEI}data3.rdf> {{ <{KASEI}data3.rdf> a ?type }}",
        False,
    ),
    "query_content_type_select": (f"default-graph-uri={D[0]}", "SELECT (1 AS ?value) {}", None),
    "query_content_type_ask": (f"default-graph-uri={D[0]}", "ASK {}", True),
    "query_content_type_describe": (f"default-graph-uri={D[0]}", "DESCRIBE <http://example.org/>", None),
    "query_content_type_construct": (f"default-graph-uri={D[0]}", "CONSTRUCT { <s> <p> 1 } WHERE {}", None),
}


@pytest.mark.parametrize("name", W3C_QUERIES)
def test_w3c_protocol_query_requests(w3c_endpoint, name):
    qs, body, expected = W3C_QUERIES[name]
    url = f"{w3c_endpoint}?{qs}"  # the manifest's "/sparql/": the endpoint under test
    if body is None:
        r = httpx.get(url)
    elif isinstance(body, bytes):
        r = httpx.post(url, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    else:
        r = httpx.post(url, content=body.encode(), headers={"Content-Type": "application/sparql-query"})
    assert 200 <= r.status_code < 400, (name, r.status_code, r.text)
    kind = media(r)
    if "construct" in name or "describe" in name:
        assert kind in GRAPH_TYPES
    else:
        assert kind in SELECT_TYPES
    if expected is not None:
        assert r.json()["boolean"] is expected, name
