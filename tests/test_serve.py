"""kg serve: a real endpoint on 127.0.0.1, queried with plain HTTP (httpx) and SPARQLWrapper,
every answer checked against the embedded store; every refusal checked to change nothing."""

from __future__ import annotations

import csv
import io
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import SPARQLWrapper as SW
from conftest import free_port, server_output, start_server, stop

import kg
from kg.model.vocab import PREFIXES
from kg.serve.app import Settings, negotiate, query_examples
from tests.view_browser import require_chromium

ROOT = Path(__file__).resolve().parent.parent
# Generous: a loaded 2-core CI machine runs the examples past 1.5 s, and a time limit is not a speed test.
# The one test that reaches it uses a query that never ends, so it waits this long once.
TIME_LIMIT_MS = 6000
MAX_ROWS = 500
MAX_BYTES = 20_000


@pytest.fixture(scope="module")
def store_path(built_store) -> Path:
    """The store built once per session by tests/conftest.py (real curated data and geography)."""
    return built_store


def start(store: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "kg.cli.serve",
        "--store",
        str(store),
        "--port",
        str(port),
        "--time-limit-ms",
        str(TIME_LIMIT_MS),
        "--max-returned-rows",
        str(MAX_ROWS),
        "--max-request-bytes",
        str(MAX_BYTES),
        *extra,
    ]
    url = f"http://127.0.0.1:{port}/sparql"
    return start_server(cmd, url, "kg serve", cwd=ROOT), url


@pytest.fixture(scope="module")
def endpoint(store_path):
    proc, url = start(store_path)
    yield url
    stop(proc)
    out = server_output(proc)
    assert "Traceback" not in out, out


SELECT = (
    "SELECT ?a ?label ?founded WHERE { ?a a org:Organization ; rdfs:label ?label "
    "OPTIONAL { ?a schema:foundingDate ?founded } } ORDER BY ?a ?label"
)
CONSTRUCT = (
    "CONSTRUCT { ?a rdfs:label ?label ; a org:Organization } "
    "WHERE { ?a a org:Organization ; rdfs:label ?label }"
)
ASK = "ASK { ?a a tkg:TerritorialCatalyst }"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

RESULT_MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_MEDIA = {"turtle": "text/turtle", "ntriples": "application/n-triples", "jsonld": "application/ld+json"}
METHODS = ("get", "post-form", "post-direct")


def ask_http(url: str, query: str, method: str, accept: str, **params) -> httpx.Response:
    headers = {"Accept": accept}
    if method == "get":
        return httpx.get(url, params={"query": query, **params}, headers=headers, timeout=30)
    if method == "post-form":
        return httpx.post(url, data={"query": query, **params}, headers=headers, timeout=30)
    return httpx.post(
        url,
        params=params,
        content=query.encode(),
        timeout=30,
        headers={**headers, "Content-Type": "application/sparql-query"},
    )


def rows_of(body: bytes, fmt: str) -> list[tuple]:
    res = ox.parse_query_results(body, format=getattr(ox.QueryResultsFormat, fmt.upper()))
    return [tuple(sol) for sol in res]


def embedded_rows(graph, query: str) -> list[tuple]:
    r = graph.run(query, raw=True)
    return [tuple(row[v] for v in r.variables) for row in r.value]


# --- answers in every method and format --------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
@pytest.mark.server
def test_select_every_method_and_format_matches_embedded(endpoint, graph, method, fmt):
    r = ask_http(endpoint, SELECT, method, RESULT_MEDIA[fmt])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(RESULT_MEDIA[fmt])
    expected = embedded_rows(graph, SELECT)
    assert len(expected) > 10
    assert rows_of(r.content, fmt) == expected


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.server
def test_select_csv_matches_embedded(endpoint, graph, method):
    r = ask_http(endpoint, SELECT, method, "text/csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    got = list(csv.reader(io.StringIO(r.text)))
    expected = [["" if t is None else t.value for t in row] for row in embedded_rows(graph, SELECT)]
    assert got[0] == ["a", "label", "founded"]
    assert got[1:] == expected


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
@pytest.mark.server
def test_ask_every_method_and_format(endpoint, graph, method, fmt):
    r = ask_http(endpoint, ASK, method, RESULT_MEDIA[fmt])
    assert r.status_code == 200, r.text
    assert graph.query(ASK) is True
    if fmt in ("csv", "tsv"):
        assert r.text.strip().lower() == "true"
    else:
        assert (
            bool(ox.parse_query_results(r.content, format=getattr(ox.QueryResultsFormat, fmt.upper())))
            is True
        )


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld"])
@pytest.mark.server
def test_construct_every_method_and_format_matches_embedded(endpoint, graph, method, fmt):
    r = ask_http(endpoint, CONSTRUCT, method, GRAPH_MEDIA[fmt])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(GRAPH_MEDIA[fmt])
    rdf = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}[
        fmt
    ]
    got = {q.triple for q in ox.parse(r.content, format=rdf)}
    expected = {ox.Triple(s, p, o) for s, p, o in graph.query(CONSTRUCT, raw=True)}
    assert got == expected and len(got) > 10


@pytest.mark.server
def test_describe_returns_turtle(endpoint, graph):
    q = "DESCRIBE <https://w3id.org/territorial-kg/id/actor/le-rameau>"
    r = ask_http(endpoint, q, "get", "text/turtle")
    assert r.status_code == 200
    got = {q.triple for q in ox.parse(r.content, format=ox.RdfFormat.TURTLE)}
    assert got == {ox.Triple(s, p, o) for s, p, o in graph.query(q, raw=True)} and got


@pytest.mark.server
def test_default_is_turtle_or_json_and_unknown_accept_is_406(endpoint):
    assert ask_http(endpoint, ASK, "get", "*/*").headers["content-type"] == "application/sparql-results+json"
    assert ask_http(endpoint, CONSTRUCT, "get", "*/*").headers["content-type"].startswith("text/turtle")
    r = ask_http(endpoint, SELECT, "get", "image/png")
    assert r.status_code == 406 and "text/csv" in r.text


def test_negotiate_prefers_quality():
    assert negotiate("text/csv;q=0.2, text/tab-separated-values", "results")[0] == "TSV"
    assert negotiate("application/ld+json;q=0.5, text/turtle;q=0.4", "graph")[0] == "JSON_LD"
    assert negotiate("image/png", "graph") is None


# --- SPARQLWrapper ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "POSTDIRECTLY"])
@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
@pytest.mark.server
def test_sparqlwrapper_select(endpoint, graph, method, fmt):
    w = SW.SPARQLWrapper(endpoint)
    w.setQuery(SELECT)
    w.setReturnFormat({"json": SW.JSON, "xml": SW.XML, "csv": SW.CSV, "tsv": SW.TSV}[fmt])
    if method == "GET":
        w.setMethod(SW.GET)
    else:
        w.setMethod(SW.POST)
        w.setRequestMethod(SW.URLENCODED if method == "POST" else SW.POSTDIRECTLY)
    res = w.query()
    body = res.response.read()
    expected = embedded_rows(graph, SELECT)
    if fmt == "csv":
        got = list(csv.reader(io.StringIO(body.decode())))[1:]
        assert got == [["" if t is None else t.value for t in row] for row in expected]
    else:
        assert rows_of(body, fmt) == expected


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.server
def test_sparqlwrapper_json_convert_and_ask(endpoint, graph, method):
    w = SW.SPARQLWrapper(endpoint)
    w.setMethod(getattr(SW, method))
    w.setReturnFormat(SW.JSON)
    w.setQuery(SELECT)
    data = w.queryAndConvert()
    assert [b["a"]["value"] for b in data["results"]["bindings"]] == [
        r[0].value for r in embedded_rows(graph, SELECT)
    ]
    w.setQuery(ASK)
    assert w.queryAndConvert()["boolean"] is True


@pytest.mark.parametrize("fmt", ["turtle", "jsonld", "n3"])
@pytest.mark.server
def test_sparqlwrapper_construct(endpoint, graph, fmt):
    w = SW.SPARQLWrapper(endpoint)
    w.setQuery(CONSTRUCT)
    w.setReturnFormat({"turtle": SW.TURTLE, "jsonld": SW.JSONLD, "n3": SW.N3}[fmt])
    res = w.query()
    body = res.response.read()
    rdf = ox.RdfFormat.JSON_LD if fmt == "jsonld" else ox.RdfFormat.TURTLE
    got = {q.triple for q in ox.parse(body, format=rdf)}
    assert got == {ox.Triple(s, p, o) for s, p, o in graph.query(CONSTRUCT, raw=True)}


# --- dataset ----------------------------------------------------------------------------------------------


def _count(resp: httpx.Response) -> int:
    assert resp.status_code == 200, resp.text
    return int(resp.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.server
def test_default_graph_is_the_union(endpoint, graph):
    assert _count(ask_http(endpoint, COUNT_ALL, "get", "application/json")) == graph.query(COUNT_ALL)[0]["n"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.server
def test_default_graph_uri_and_named_graph_uri_are_honoured(endpoint, graph, method):
    meta = PREFIXES["graph"] + "meta"
    expected = graph.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", g=kg.IRI(meta))[0]["n"]
    assert (
        _count(ask_http(endpoint, COUNT_ALL, method, "application/json", **{"default-graph-uri": meta}))
        == expected
    )
    r = ask_http(
        endpoint,
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
        method,
        "application/json",
        **{"named-graph-uri": meta},
    )
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [meta]


@pytest.mark.server
def test_from_of_a_graph_of_the_store(endpoint, graph):
    meta = PREFIXES["graph"] + "meta"
    expected = graph.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", g=kg.IRI(meta))[0]["n"]
    q = "SELECT (COUNT(*) AS ?n) FROM graph:meta WHERE { ?s ?p ?o }"
    assert _count(ask_http(endpoint, q, "post-form", "application/json")) == expected


# --- pages ------------------------------------------------------------------------------------------------


@pytest.mark.server
def test_service_description_at_the_endpoint_url(endpoint, graph):
    r = httpx.get(endpoint, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    triples = [q.triple for q in ox.parse(r.content, format=ox.RdfFormat.TURTLE)]
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert ox.Triple(ox.NamedNode(endpoint), ox.NamedNode(sd + "endpoint"), ox.NamedNode(endpoint)) in triples
    names = {t.object.value for t in triples if t.predicate.value == sd + "name"}
    assert names == set(graph.named_graphs())


@pytest.mark.server
def test_query_page_serves_yasgui_itself_with_the_named_questions(endpoint, graph):
    r = httpx.get(endpoint, headers={"Accept": "text/html"})
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    page = r.text
    assert 'src="static/yasgui/yasgui.min.js"' in page and 'href="static/yasgui/yasgui.min.css"' in page
    assert '<script src="http' not in page and '<link rel="stylesheet" href="http' not in page  # no CDN
    examples = query_examples(graph)
    assert len(examples) >= 10
    for ex in examples:
        assert json.dumps(ex["name"]) in page
    base = endpoint.rsplit("/", 1)[0]
    js = httpx.get(base + "/static/yasgui/yasgui.min.js")
    assert js.status_code == 200 and len(js.content) > 500_000 and "javascript" in js.headers["content-type"]
    assert httpx.get(base + "/static/yasgui/yasgui.min.css").status_code == 200
    assert "MIT" in httpx.get(base + "/static/yasgui/LICENSE").text


@pytest.mark.server
def test_examples_are_runnable_and_answer(endpoint, graph):
    for ex in query_examples(graph):
        r = ask_http(endpoint, ex["query"], "post-form", "application/sparql-results+json")
        assert r.status_code == 200, (ex["name"], r.text)
        assert rows_of(r.content, "json") == embedded_rows(graph, ex["query"]), ex["name"]


@pytest.mark.server
def test_ontology_page(endpoint):
    r = httpx.get(endpoint.rsplit("/", 1)[0] + "/ontology")
    assert r.status_code == 200
    assert (
        "tkg:TerritorialCatalyst" in r.text and "Actor types" in r.text and "Types d&#x27;acteurs" in r.text
    )
    assert "<script" not in r.text


@pytest.mark.server
def test_root_is_the_home_page(endpoint):
    """The home page (tests/test_home.py) replaced the redirect to /sparql."""
    r = httpx.get(endpoint.rsplit("/", 1)[0] + "/", follow_redirects=False)
    assert r.status_code == 200 and 'href="/sparql"' in r.text


@pytest.mark.server
def test_cors(endpoint):
    r = httpx.get(endpoint, params={"query": ASK}, headers={"Origin": "https://example.org"})
    assert r.headers["access-control-allow-origin"] == "*"
    pre = httpx.options(
        endpoint,
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert pre.status_code == 200 and "POST" in pre.headers["access-control-allow-methods"]


# --- bounded and safe ---------------------------------------------------------------------------------------


@pytest.mark.server
def test_row_cap_cuts_and_flags(endpoint):
    r = ask_http(endpoint, "SELECT ?s WHERE { ?s ?p ?o }", "get", "application/sparql-results+json")
    assert r.status_code == 200 and r.headers["x-kg-truncated"] == "true"
    assert len(r.json()["results"]["bindings"]) == MAX_ROWS
    small = ask_http(endpoint, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", "get", "application/json")
    assert "x-kg-truncated" not in small.headers
    c = ask_http(endpoint, "CONSTRUCT WHERE { ?s ?p ?o }", "get", "application/n-triples")
    assert c.headers["x-kg-truncated"] == "true" and len(c.text.strip().splitlines()) == MAX_ROWS


class Listener:
    """A TCP listener on 127.0.0.1 that counts connections (it must see none)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
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


REFUSED = [
    (
        "query",
        "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }",
        403,
        "INSERT",
    ),
    ("query", "DELETE WHERE { ?s ?p ?o }", 403, "DELETE"),
    (
        "update",
        "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }",
        403,
        "read-only",
    ),
    ("update", "DROP ALL", 403, "read-only"),
    ("update", "LOAD <http://127.0.0.1:{port}/data.ttl>", 403, "read-only"),
    ("sparql-update", "CLEAR ALL", 403, "read-only"),
    ("query", "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }", 403, "SERVICE"),
    ("query", "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:{port}/> { ?s ?p ?o } }", 403, "SERVICE"),
    ("query", "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }", 403, "SERVICE"),
    ("query", "SELECT * WHERE { ?x ?y 1.SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }", 403, "SERVICE"),
    ("query", "SELECT * FROM <http://127.0.0.1:{port}/remote.ttl> WHERE { ?s ?p ?o }", 403, "FROM"),
    ("query", "SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }", 403, "FROM"),
]


@pytest.mark.parametrize("kind,text,status,word", REFUSED)
@pytest.mark.server
def test_refused_operations_change_nothing_and_send_nothing(endpoint, graph, kind, text, status, word):
    before = _count(ask_http(endpoint, COUNT_ALL, "get", "application/json"))
    listener = Listener()
    try:
        text = text.replace("{port}", str(listener.port))
        if kind == "query":
            r = ask_http(endpoint, text, "post-form", "application/json")
        elif kind == "update":
            r = httpx.post(endpoint, data={"update": text})
        else:
            r = httpx.post(
                endpoint, content=text.encode(), headers={"Content-Type": "application/sparql-update"}
            )
        time.sleep(0.3)
        assert listener.connections == 0
    finally:
        listener.close()
    assert r.status_code == status, r.text
    assert word in r.text and "Traceback" not in r.text
    assert _count(ask_http(endpoint, COUNT_ALL, "get", "application/json")) == before


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.server
def test_dataset_iris_outside_the_store_are_empty_graphs_never_fetched(endpoint, method):
    """Issue 11: a default-graph-uri / named-graph-uri not in the store was refused with 403, which
    protected nothing (pyoxigraph never fetches a dataset IRI) and broke rdflib's SPARQLStore."""
    listener = Listener()
    try:
        remote = f"http://127.0.0.1:{listener.port}/g"
        r = ask_http(endpoint, COUNT_ALL, method, "application/json", **{"default-graph-uri": remote})
        assert _count(r) == 0
        r = ask_http(
            endpoint,
            "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
            method,
            "application/json",
            **{"named-graph-uri": remote},
        )
        assert r.status_code == 200 and r.json()["results"]["bindings"] == []
        time.sleep(0.3)
        assert listener.connections == 0
    finally:
        listener.close()


@pytest.mark.server
def test_malformed_query_gets_400_with_position(endpoint):
    r = ask_http(endpoint, "SELECT ?s WHERE {\n  ?s ?p }", "post-form", "application/json")
    assert r.status_code == 400
    assert r.text.startswith("SPARQL syntax error at line 2, column") and "Traceback" not in r.text
    r = httpx.get(endpoint, params={"query": "SELEKT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 400 and "line 1, column 1" in r.text


@pytest.mark.server
def test_query_past_the_time_limit_is_stopped_and_the_server_goes_on(endpoint, graph):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    r = ask_http(endpoint, slow, "get", "application/json")
    assert r.status_code == 503 and f"time limit of {TIME_LIMIT_MS} ms" in r.text, (r.status_code, r.text)
    # the killed worker is replaced: the endpoint keeps answering, and right
    expected = graph.query(COUNT_ALL)[0]["n"]
    for _ in range(4):
        assert _count(ask_http(endpoint, COUNT_ALL, "get", "application/json")) == expected


@pytest.mark.server
def test_oversized_requests_get_413_and_change_nothing(endpoint):
    before = _count(ask_http(endpoint, COUNT_ALL, "get", "application/json"))
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * MAX_BYTES
    for method in ("post-form", "post-direct"):
        r = ask_http(endpoint, big, method, "application/json")
        assert r.status_code == 413 and "max_request_bytes" in r.text
    padded_update = "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 } #" + "x" * MAX_BYTES
    assert httpx.post(endpoint, data={"update": padded_update}).status_code == 413
    assert _count(ask_http(endpoint, COUNT_ALL, "get", "application/json")) == before
    r = httpx.get(
        endpoint, params={"query": "ASK {} #" + "x" * (MAX_BYTES // 2), "pad": "y" * (MAX_BYTES // 2)}
    )
    assert r.status_code in (413, 431)


@pytest.mark.server
def test_bad_content_type_is_415(endpoint):
    r = httpx.post(endpoint, content=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415


def test_settings_have_help_and_bounds():
    from kg.errors import QueryError
    from kg.serve.app import SETTINGS_HELP

    assert set(SETTINGS_HELP) == set(Settings.__dataclass_fields__)
    with pytest.raises(QueryError):
        Settings(time_limit_ms=0)


@pytest.mark.server
def test_remote_graph_on_kg_serve_answers_like_the_store(endpoint, graph):
    from kg.store.queries import list_queries
    from kg.store.remote import RemoteGraph

    remote = RemoteGraph(endpoint, union_default_graph=True)
    for q in list_queries():
        ex = next(e for e in query_examples(graph) if e["name"] == q.name)
        assert remote.query(ex["query"], raw=True) == graph.query(ex["query"], raw=True), q.name


# --- updates with a token, on a copy of the store ---------------------------------------------------------


@pytest.mark.server
def test_update_token_enables_updates_on_a_private_copy(store_path, tmp_path):
    copy = tmp_path / "store"
    shutil.copytree(store_path, copy)
    proc, url = start(copy, "--update-token", "s3cret")
    try:
        triple = '<https://w3id.org/territorial-kg/id/actor/test> rdfs:label "Test"'
        ins = f"INSERT DATA {{ GRAPH graph:meta {{ {triple} }} }}"
        assert httpx.post(url, data={"update": ins}).status_code == 401
        assert (
            httpx.post(url, data={"update": ins}, headers={"Authorization": "Bearer wrong"}).status_code
            == 401
        )
        ok = httpx.post(
            url,
            content=ins.encode(),
            headers={"Authorization": "Bearer s3cret", "Content-Type": "application/sparql-update"},
        )
        assert ok.status_code == 204, ok.text
        r = httpx.get(url, params={"query": f"ASK {{ {triple} }}"}, headers={"Accept": "application/json"})
        assert r.json()["boolean"] is True
        refused = httpx.post(
            url,
            data={"update": "LOAD <http://127.0.0.1:9/x.ttl>"},
            headers={"Authorization": "Bearer s3cret"},
        )
        assert refused.status_code == 403 and "LOAD" in refused.text
    finally:
        stop(proc)


def test_cli_registers_serve_with_help():
    import typer
    from typer.testing import CliRunner

    from kg.cli.serve import register

    app = typer.Typer()
    register(app)

    @app.command()
    def other() -> None:  # a second command, so that "serve" is a subcommand as in kg
        pass

    out = CliRunner().invoke(app, ["serve", "--help"]).output
    for option in (
        "--store",
        "--host",
        "--port",
        "--time-limit-ms",
        "--max-returned-rows",
        "--max-request-bytes",
        "--workers",
        "--update-token",
    ):
        assert option in out


@pytest.mark.browser
@pytest.mark.server
def test_query_page_runs_an_example_in_headless_chromium(endpoint, graph):
    """The page works offline: YASGUI from the endpoint itself, no other request, no console error."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    base = endpoint.rsplit("/", 1)[0] + "/"
    blocked: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()

            def route(r) -> None:
                if r.request.url.startswith(base):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(endpoint)
            page.wait_for_selector(".yasqe", timeout=30_000)
            page.get_by_role("button", name="actor-partners", exact=True).click()
            page.click(".tabPanel.active .yasqe_queryButton")
            page.wait_for_selector(".tabPanel.active .yasr table tbody tr", timeout=30_000)
            rows = page.locator(".tabPanel.active .yasr table tbody tr").count()
        finally:
            browser.close()
    example = next(e for e in query_examples(graph) if e["name"] == "actor-partners")
    assert rows == len(graph.query(example["query"])) > 0
    assert blocked == [] and errors == []


# --- lookups: queries bounded by their shape, answered in the server process --------------------------------

PARIS = "https://w3id.org/territorial-kg/id/territory/commune/75056"
LOOKUPS = [
    f"SELECT ?p ?o WHERE {{ <{PARIS}> ?p ?o }}",
    f"SELECT ?p ?o WHERE {{ <{PARIS}> ?p ?o }} LIMIT 5",
    f"SELECT * WHERE {{ <{PARIS}> rdfs:label ?label ; tkg:postalCode ?code }}",
    f"PREFIX x: <{PARIS[:-5]}>\nSELECT ?label {{ x:75056 rdfs:label ?label . }}",
    f"ASK {{ <{PARIS}> a igeo:Commune }}",
    f'ASK WHERE {{ <{PARIS}> rdfs:label "Paris"@fr }}',
]
NOT_LOOKUPS = [
    "SELECT * WHERE { ?s ?p ?o }",  # a free subject
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }",  # the cross product
    f"SELECT ?o WHERE {{ <{PARIS}> ?p ?o . ?o ?q ?r }}",  # a second pattern with a free subject
    f"SELECT * WHERE {{ <{PARIS}> ?p ?o ; ?q ?r }}",  # two patterns, variable predicates
    # three patterns: a product of two could be computed, then filtered away
    f"SELECT * WHERE {{ <{PARIS}> tkg:postalCode ?a , ?b , ?c }}",
    f"SELECT DISTINCT ?o WHERE {{ <{PARIS}> ?p ?o }}",
    f"SELECT ?o WHERE {{ <{PARIS}> ?p ?o }} ORDER BY ?o",
    f"SELECT ?o WHERE {{ <{PARIS}> ?p ?o }} OFFSET 1000000",
    f"SELECT ?o WHERE {{ <{PARIS}> ?p ?o FILTER(REGEX(STR(?o), 'x')) }}",
    f"SELECT ?o WHERE {{ <{PARIS}> rdfs:label/rdfs:label ?o }}",  # a property path
    f"SELECT ?o WHERE {{ <{PARIS}> ?p ?o OPTIONAL {{ ?o ?q ?r }} }}",
    f"SELECT ?o FROM <urn:g> WHERE {{ <{PARIS}> ?p ?o }}",
    f"SELECT ?o WHERE {{ SERVICE <http://127.0.0.1:1/> {{ <{PARIS}> ?p ?o }} }}",
    f"SELECT ?o WHERE {{ GRAPH ?g {{ <{PARIS}> ?p ?o }} }}",
    f'SELECT ?o WHERE {{ <{PARIS}> rdfs:label "\\u0022" }}',  # any backslash
    "SELECT ?o WHERE { <relative> ?p ?o }",  # a relative IRI (it depends on the base)
    f"SELECT ?o WHERE {{ <{PARIS}> ?p ?o }} LIMIT 5 OFFSET 2",
    f"CONSTRUCT WHERE {{ <{PARIS}> ?p ?o }}",
    f"SELECT ?o WHERE {{ {{ SELECT ?o WHERE {{ <{PARIS}> ?p ?o }} }} }}",
]


@pytest.mark.parametrize("query", LOOKUPS)
def test_lookups_are_recognised(query):
    from kg.serve.lookup import is_lookup

    assert is_lookup(query)


@pytest.mark.parametrize("query", NOT_LOOKUPS)
def test_queries_not_bounded_by_their_shape_are_not_lookups(query):
    from kg.serve.lookup import is_lookup

    assert not is_lookup(query)


@pytest.mark.parametrize("cap", [3, 10_000])
def test_a_lookups_json_is_the_engines_own(store_path, cap):
    """The SPARQL JSON written for a lookup is byte for byte pyoxigraph's, cut and flagged at the cap."""
    from kg.serve.protocol import execute

    store = ox.Store.read_only(str(store_path))
    for query in (LOOKUPS[0], LOOKUPS[2]):
        job = {
            "kind": "query",
            "text": query,
            "accept": "application/sparql-results+json",
            "base_iri": "http://127.0.0.1/sparql",
            "max_rows": cap,
        }
        engine = execute(store, job)
        mine = execute(store, {**job, "lookup": True})
        assert mine == engine
        every = list(store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True))
        assert len(every) > 3
        assert len(json.loads(mine[2])["results"]["bindings"]) == min(cap, len(every))
        assert (mine[3].get("X-KG-Truncated") == "true") == (cap < len(every))


@pytest.mark.server
@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
@pytest.mark.parametrize("query", LOOKUPS[:4])
def test_lookups_answer_like_the_store(endpoint, graph, fmt, query):
    r = ask_http(endpoint, query, "get", RESULT_MEDIA[fmt])
    assert r.status_code == 200, r.text
    got = rows_of(r.content, fmt)
    assert got and sorted(map(str, got)) == sorted(map(str, embedded_rows(graph, query)))


@pytest.mark.server
@pytest.mark.parametrize(
    ("query", "expected"), [(LOOKUPS[4], True), (f"ASK {{ <{PARIS}> a org:Organization }}", False)]
)
def test_lookup_asks(endpoint, query, expected):
    r = ask_http(endpoint, query, "post-direct", RESULT_MEDIA["json"])
    assert r.status_code == 200 and r.json()["boolean"] is expected


@pytest.mark.server
@pytest.mark.parametrize("query", [LOOKUPS[0], ASK])  # answered before the middleware stack, and not
def test_a_plain_get_and_a_cross_origin_one_get_the_same_answer_and_headers(endpoint, query):
    from kg.serve.app import SECURITY_HEADERS

    plain = ask_http(endpoint, query, "get", RESULT_MEDIA["json"])
    cross = httpx.get(
        endpoint,
        params={"query": query},
        headers={"Accept": RESULT_MEDIA["json"], "Origin": "https://elsewhere.example"},
        timeout=30,
    )
    assert plain.status_code == cross.status_code == 200
    assert plain.json() == cross.json()
    assert cross.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-origin" not in plain.headers
    for r in (plain, cross):
        # Origin (CORS) and Accept (a browser gets the query page for the same URL), in any order
        assert sorted(v.strip() for v in r.headers["vary"].split(",")) == ["Accept", "Origin"]
        assert r.headers["content-type"] == "application/sparql-results+json"
        for name, value in SECURITY_HEADERS.items():
            assert r.headers[name] == value


# --- front ends: more processes on the same port answer lookups, and pass every other request on ------------

FRONTS = 3
FRONT_SERVER = (
    "import sys\n"
    "from kg.serve.app import serve\n"
    "serve(sys.argv[1], port=int(sys.argv[2]), front_ends=int(sys.argv[3]))\n"
)


@pytest.fixture(scope="module")
def fronted(store_path):
    port = free_port()
    cmd = [sys.executable, "-c", FRONT_SERVER, str(store_path), str(port), str(FRONTS)]
    proc = start_server(cmd, f"http://127.0.0.1:{port}/sparql", "kg serve with front ends", cwd=ROOT)
    yield proc, port
    fronts = _front_pids(proc.pid)
    stop(proc)
    for pid in fronts:  # stopped with the server
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
    assert "Traceback" not in server_output(proc), server_output(proc)


def _front_pids(server: int) -> list[int]:
    from kg.serve.fronts import FRONT_NAME

    out = []
    for d in Path("/proc").iterdir():
        try:
            if (
                d.name.isdigit()
                and (d / "comm").read_text().strip() == FRONT_NAME
                and int((d / "stat").read_text().rsplit(")", 1)[1].split()[1]) == server
            ):
                out.append(int(d.name))
        except OSError:
            continue
    return out


def _held_connections(pid: int, port: int) -> int:
    """How many established TCP connections to *port* process *pid* holds (its descriptors, /proc/net/tcp)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            link = str(fd.readlink())
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    held = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        f = line.split()
        if f[3] == "01" and int(f[1].split(":")[1], 16) == port and f[9] in inodes:
            held += 1
    return held


def _exchange(sock: socket.socket, *requests: bytes) -> list[tuple[int, bytes]]:
    """Send *requests* in one write (pipelined when several), read as many answers, in order."""
    sock.sendall(b"".join(requests))
    reader = sock.makefile("rb")
    out = []
    for _ in requests:
        status = int(reader.readline().split()[1])
        length = 0
        while (line := reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        out.append((status, reader.read(length)))
    return out


def _get(query: str, accept: str = "application/sparql-results+json") -> bytes:
    from urllib.parse import urlencode

    return (
        f"GET /sparql?{urlencode({'query': query})} HTTP/1.1\r\nHost: x\r\nAccept: {accept}\r\n\r\n".encode()
    )


def _post(query: str) -> bytes:
    from urllib.parse import urlencode

    body = urlencode({"query": query}).encode()
    head = "POST /sparql HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\n"
    head += f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


@pytest.mark.server
def test_front_ends_answer_lookups_and_pass_everything_else_to_the_server(fronted, graph):
    proc, port = fronted
    fronts = _front_pids(proc.pid)
    assert len(fronts) == FRONTS - 1
    for pid in fronts:  # each front end has denied itself the network (the workers' seccomp filter)
        status = Path(f"/proc/{pid}/status").read_text()
        assert next(line for line in status.splitlines() if line.startswith("Seccomp:")).split()[1] == "2"
    lookup, other = LOOKUPS[0], "SELECT (COUNT(*) AS ?n) WHERE { ?s a igeo:Commune }"
    expected = sorted(map(str, embedded_rows(graph, lookup)))
    n_communes = len(graph.query("SELECT ?s WHERE { ?s a igeo:Commune }"))
    conns = [
        socket.create_connection(("127.0.0.1", port), source_address=(f"127.0.0.{60 + i}", 0))
        for i in range(24)
    ]
    try:
        for c in conns:  # a lookup: answered where the connection landed
            ((status, body),) = _exchange(c, _get(lookup))
            assert status == 200 and sorted(map(str, rows_of(body, "json"))) == expected
        # the server dealt the 24 connections in turn to itself and the 2 front ends
        assert [_held_connections(pid, port) for pid in fronts] == [8, 8]
        for c in conns:  # a POST, then a lookup again: the POST's connection is passed on, then kept
            ((status, body), (again, body2)) = _exchange(c, _post(other), _get(lookup))
            assert status == 200 and body.decode().split() == ["n", str(n_communes)]
            assert again == 200 and sorted(map(str, rows_of(body2, "json"))) == expected
        assert sum(_held_connections(pid, port) for pid in fronts) == 0
        assert _held_connections(proc.pid, port) == len(conns)
    finally:
        for c in conns:
            c.close()


@pytest.mark.server
def test_front_ends_keep_pipelined_answers_in_order(fronted, graph):
    """A lookup, a query that needs the server, and a lookup, sent in one write on fresh connections."""
    _, port = fronted
    for i in range(12):
        with socket.create_connection(("127.0.0.1", port), source_address=(f"127.0.0.{90 + i}", 0)) as c:
            first, second, third = _exchange(
                c, _get(LOOKUPS[4]), _get("ASK { ?s ?p ?o }"), _get(f"ASK {{ <{PARIS}> a org:Organization }}")
            )
        assert first == (200, b'{"head":{},"boolean":true}')
        assert second[0] == 200 and json.loads(second[1])["boolean"] is True
        assert third == (200, b'{"head":{},"boolean":false}')
