"""kg.store.remote: the graph on a real Oxigraph server (PyPI ``oxigraph``) on 127.0.0.1, loaded through the
Graph Store Protocol; every named question answers the same remotely as embedded."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from conftest import free_port, start_server, stop

import kg
from kg.errors import EndpointError, QueryError, StoreError
from kg.store.gsp import gsp_url_for, load_to_endpoint
from kg.store.queries import list_queries, run_named
from kg.store.remote import RemoteGraph

ROOT = Path(__file__).resolve().parent.parent
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


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


# -- kg serve caps its answers: RemoteGraph pages, or says why it cannot --------------------------------


@pytest.fixture(scope="module")
def kg_serve(built):
    """``kg serve`` on the built store, with its default row cap (10,000)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/sparql"
    cmd = [sys.executable, "-m", "kg.cli.serve", "--store", str(built[0]), "--port", str(port)]
    proc = start_server(cmd, url, "kg serve", cwd=ROOT)
    yield url
    stop(proc)


COMMUNES = "SELECT ?c ?label WHERE { ?c a igeo:Commune ; rdfs:label ?label }"


@pytest.mark.server
def test_35000_communes_arrive_whole_from_kg_serve(kg_serve, embedded):
    """kg serve cuts the answer at 10,000 rows, flagged X-KG-Truncated: RemoteGraph kept 10,000 silently."""
    import httpx

    query = "SELECT ?c WHERE { ?c a <http://rdf.insee.fr/def/geo#Commune> }"
    r = httpx.post(kg_serve, data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.headers["x-kg-truncated"] == "true" and len(r.json()["results"]["bindings"]) == 10_000
    for remote in (RemoteGraph(kg_serve), RemoteGraph(kg_serve, union_default_graph=True)):
        there, here = remote.query(COMMUNES, raw=True), embedded.query(COMMUNES, raw=True)
        assert len(there) == len(here) > 34_000
        assert sorted(map(str, there)) == sorted(map(str, here))


@pytest.mark.server
def test_a_cut_answer_that_cannot_be_paged_fails_loudly(kg_serve):
    remote = RemoteGraph(kg_serve)
    with pytest.raises(EndpointError, match=r"cut its answer at 10,000 rows.*own LIMIT"):
        remote.query(COMMUNES + " LIMIT 20000")
    with pytest.raises(EndpointError, match="CONSTRUCT or DESCRIBE is not paged"):
        remote.query("CONSTRUCT { ?c rdfs:label ?label } WHERE { ?c a igeo:Commune ; rdfs:label ?label }")
    assert len(remote.query(COMMUNES + " LIMIT 5000")) == 5000  # under the cap: nothing to page


# -- quirks of other servers, on a fake one (httpx.MockTransport) -------------------------------------


def fake_server(monkeypatch, answer, seen: list | None = None):
    """RemoteGraph's HTTP client answers with ``answer(request) -> httpx.Response`` (requests in seen)."""
    import httpx

    import kg.store.remote as remote

    def client(timeout, headers=None, auth=None):
        def handle(request):
            if seen is not None:
                seen.append(request)
            return answer(request)

        return httpx.Client(transport=httpx.MockTransport(handle), auth=auth.httpx_auth() if auth else None)

    monkeypatch.setattr(remote, "http_client", client)


def sparql_json(variables, bindings, server="Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu"):
    import httpx

    body = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    return httpx.Response(
        200, json=body, headers={"Content-Type": "application/sparql-results+json", "Server": server}
    )


def test_virtuosos_empty_row_for_graph_g_is_skipped(monkeypatch):
    """Virtuoso answers ``GRAPH ?g {}`` with one empty row: KeyError 'g' in named_graphs before."""
    graph = "https://w3id.org/territorial-kg/graph/meta"

    def answer(request):
        query = dict(parse_qsl(request.content.decode()))["query"]
        if "GRAPH ?g { }" in query:
            return sparql_json(["g"], [{}])
        other = {"g": {"type": "uri", "value": "http://www.openlinksw.com/schemas/virtrdf#"}}
        return sparql_json(["g"], [{"g": {"type": "uri", "value": graph}}, other])

    fake_server(monkeypatch, answer)
    assert RemoteGraph("http://virtuoso.test/sparql").named_graphs() == [graph]  # not Virtuoso's own graphs


def test_virtuoso_concat_mojibake_is_repaired_and_ask_rows_read(monkeypatch):
    broken = "Ville de Charenton-le-Pont → Quand ElÃ¨ves et Entreprises se rencontrent"
    literal = {"label": {"type": "literal", "value": broken}}
    fake_server(monkeypatch, lambda r: sparql_json(["label"], [literal]))
    remote = RemoteGraph("http://virtuoso.test/sparql", union_default_graph=True)
    assert remote.query("SELECT ?label WHERE { ?s ?p ?label }") == [
        {"label": "Ville de Charenton-le-Pont → Quand Elèves et Entreprises se rencontrent"}
    ]
    fake_server(monkeypatch, lambda r: sparql_json(["label"], [literal], server="Oxigraph/0.5"))
    assert remote.query("SELECT ?label WHERE { ?s ?p ?label }") != [] and RemoteGraph(
        "http://other.test/query", union_default_graph=True
    ).query("SELECT ?label WHERE { ?s ?p ?label }") == [{"label": broken}]  # only Virtuoso's answers
    one = {"__ASK_RETVAL": {"type": "typed-literal", "datatype": str(XSD_INTEGER), "value": "1"}}
    fake_server(monkeypatch, lambda r: sparql_json(["__ASK_RETVAL"], [one]))
    assert RemoteGraph("http://virtuoso.test/sparql", union_default_graph=True).query("ASK {}") is True


def test_queries_are_sent_as_utf8_forms(monkeypatch):
    seen: list = []
    fake_server(monkeypatch, lambda r: sparql_json(["x"], []), seen)
    RemoteGraph("http://virtuoso.test/sparql", union_default_graph=True).query(
        'SELECT ?x WHERE { ?x ?p "é" }'
    )
    assert seen[0].headers["content-type"] == "application/x-www-form-urlencoded; charset=UTF-8"
    assert "%C3%A9" in seen[0].content.decode()


# -- credentials: from the environment, a file or a prompt; never on the command line -----------------


def test_credentials_spellings_and_secrecy():
    from kg.store.remote import credentials

    assert credentials("basic:alice:pa:ss").secret == "pa:ss"
    assert credentials("Digest:dba:dba").kind == "digest"
    assert "s3cret" not in repr(credentials("bearer:s3cret"))
    for bad in ("token:x", "basic:alice", "bearer:", "basic::x"):
        with pytest.raises(QueryError) as info:
            credentials(bad)
        assert "x" not in str(info.value).split(":", 1)[0]


@pytest.mark.parametrize(
    ("args", "env", "stdin", "expected"),
    [
        (["--auth", "basic:alice"], {"KG_ENDPOINT_SECRET": "s3cret"}, None, "Basic YWxpY2U6czNjcmV0"),
        (
            ["--auth", "basic:alice"],
            {"KG_ENDPOINT_SECRET_FILE": "SECRET_FILE"},
            None,
            "Basic YWxpY2U6czNjcmV0",
        ),
        (["--auth", "basic:alice"], {}, "s3cret\n", "Basic YWxpY2U6czNjcmV0"),
        (["--auth", "bearer"], {"KG_ENDPOINT_SECRET": "tok"}, None, "Bearer tok"),
        ([], {"KG_ENDPOINT_AUTH": "basic:alice:s3cret"}, None, "Basic YWxpY2U6czNjcmV0"),
        ([], {}, None, None),
    ],
)
def test_auth_reaches_the_server(monkeypatch, tmp_path, args, env, stdin, expected):
    from typer.testing import CliRunner

    from kg.cli.commands import app

    (tmp_path / "secret").write_text("s3cret\n")
    (tmp_path / "q.rq").write_text("SELECT ?x WHERE { ?x ?p ?o }")
    env = {k: str(tmp_path / "secret") if v == "SECRET_FILE" else v for k, v in env.items()}
    for name in ("KG_ENDPOINT_SECRET", "KG_ENDPOINT_SECRET_FILE", "KG_ENDPOINT_AUTH"):
        monkeypatch.delenv(name, raising=False)
    seen: list = []
    fake_server(monkeypatch, lambda r: sparql_json(["x"], [], server="test"), seen)
    url = "http://server.test/sparql"
    result = CliRunner().invoke(
        app, ["sparql", str(tmp_path / "q.rq"), "--endpoint", url, *args], env=env, input=stdin
    )
    assert result.exit_code == 0, result.output
    assert {r.headers.get("authorization") for r in seen} == {expected}
    assert "s3cret" not in result.output


def test_auth_misuse_is_a_usage_error(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from kg.cli.commands import app

    (tmp_path / "q.rq").write_text("ASK {}")
    runner = CliRunner()
    no_endpoint = runner.invoke(app, ["sparql", str(tmp_path / "q.rq"), "--auth", "basic:alice"])
    assert no_endpoint.exit_code == 2 and "--endpoint" in no_endpoint.output
    url = "http://server.test/sparql"
    secret_given = runner.invoke(
        app, ["sparql", str(tmp_path / "q.rq"), "--endpoint", url, "--auth", "basic:a:s3cret"]
    )
    assert secret_given.exit_code == 2 and "never" in secret_given.output
    unknown = runner.invoke(app, ["sparql", str(tmp_path / "q.rq"), "--endpoint", url, "--auth", "token:x"])
    assert unknown.exit_code == 2


def test_graph_store_urls_of_known_servers():
    from kg.errors import EndpointError

    assert gsp_url_for("http://h:8890/sparql", "Virtuoso/07.20.3229") == "http://h:8890/sparql-graph-crud"
    assert (
        gsp_url_for("http://h/virt/sparql", "Virtuoso/07.20", authenticated=True)
        == "http://h/sparql-graph-crud-auth"
    )
    assert gsp_url_for("http://h:3030/ds/query", "Apache Jena Fuseki (5.1.0)") == "http://h:3030/ds/data"
    assert gsp_url_for("http://h:7878/query", "Oxigraph/0.5.13") == "http://h:7878/store"
    assert gsp_url_for("http://h:7200/repositories/kg") == "http://h:7200/repositories/kg/rdf-graphs/service"
    assert gsp_url_for("http://h:7001") == "http://h:7001/"
    with pytest.raises(EndpointError, match="--gsp"):
        gsp_url_for("http://h/api/wikidata")
