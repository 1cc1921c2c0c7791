"""``--endpoint`` and ``kg build --to`` against a real Virtuoso (Debian's ``virtuoso-opensource``, 7.2).

The fixture starts ``virtuoso-t`` on 127.0.0.1, on free ports, with its own database folder and a minimal
``virtuoso.ini`` (nothing listens elsewhere), loads the graph with
``kg build --to …/sparql --auth digest:dba`` (a fresh database's dba password is ``dba``; the secret comes
from ``KG_ENDPOINT_SECRET``), and stops it at the end. Where ``virtuoso-t`` is missing the tests skip,
saying how to install it, except in CI (CI=true), where they fail: ``.ci/run`` installs the package.

Answers are compared with the embedded store's as sorted rows of RDF terms: nothing is normalised (Virtuoso
types the terms of these answers as the embedded store does). What differs is order among ties: rows a
query does not order, and chains of the same length (their order follows the server's row order).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sys
from pathlib import Path

import httpx
import pytest
from conftest import free_port, server_output, start_server, stop
from typer.testing import CliRunner

from kg.cli.commands import app
from kg.errors import EndpointError
from kg.store.gsp import load_to_endpoint
from kg.store.queries import list_queries, run_named
from kg.store.remote import RemoteGraph

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.server


def virtuoso_bin() -> str:
    found = shutil.which("virtuoso-t")
    if found is None:
        reason = "virtuoso-t is missing: apt-get install virtuoso-opensource (Debian) runs these tests"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return found


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """The SPARQL URL of a Virtuoso on 127.0.0.1 with an empty database of its own (default ResultSetMaxRows:
    10,000)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from virtuoso_ini import virtuoso_ini  # the one configuration, shared with the national benchmarks

    binary = virtuoso_bin()
    folder = tmp_path_factory.mktemp("virtuoso")
    http = free_port()
    (folder / "virtuoso.ini").write_text(virtuoso_ini(folder, sql=free_port(), http=http))
    url = f"http://127.0.0.1:{http}/sparql"
    proc = start_server([binary, "-f", "-c", str(folder / "virtuoso.ini")], url, "virtuoso", cwd=folder)
    yield url
    stop(proc)
    assert "Traceback" not in server_output(proc)


@pytest.fixture(scope="module")
def loaded(virtuoso, tmp_path_factory):
    """Virtuoso holding the graph, loaded as a user would: ``kg build --to URL --auth digest:dba``."""
    out = tmp_path_factory.mktemp("build")
    args = ["build", "--data", str(ROOT / "data"), "--store", str(out / "store")]
    args += ["--dump", str(out / "g.trig")]
    args += ["--ontology", str(ROOT / "ontology"), "--shacl", "off", "--to", virtuoso, "--auth", "digest:dba"]
    result = CliRunner().invoke(app, args, env={"KG_ENDPOINT_SECRET": "dba", "KG_ENDPOINT_AUTH": None})
    assert result.exit_code == 0, result.output
    assert f"chargé dans {virtuoso}-graph-crud-auth" in result.output
    return virtuoso


def example_values(q) -> dict[str, str]:
    words = shlex.split(q.examples[0]) if q.examples else []
    return dict(words[i + 1].split("=", 1) for i, w in enumerate(words[:-1]) if w in ("--param", "-p"))


def rows(result) -> list[str]:
    return sorted(map(str, result.value))


def test_build_to_virtuoso_without_credentials_says_how(virtuoso, built_store, monkeypatch):
    """Virtuoso serves no Graph Store at …/data (501, exit 7 "missing store" before): now the URL is
    Virtuoso's, and its refusal (403 without credentials) says what to pass, with exit 9."""
    monkeypatch.delenv("KG_ENDPOINT_AUTH", raising=False)
    meta = "https://w3id.org/territorial-kg/graph/meta"
    refused = r"/sparql-graph-crud refused .*\(403\).*--auth digest:dba"
    with pytest.raises(EndpointError, match=refused) as info:
        load_to_endpoint(built_store.parent / "graph.trig", virtuoso, graphs=[meta])
    assert info.value.exit_code == 9


def test_named_graphs_skip_virtuosos_empty_row(loaded, graph):
    """Virtuoso answers ``GRAPH ?g {}`` with one row where ?g is unbound (KeyError 'g' before)."""
    query, accept = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", "application/sparql-results+json"
    r = httpx.post(loaded, data={"query": query}, headers={"Accept": accept}, timeout=30)
    assert r.json()["results"]["bindings"] == [{}]
    remote = RemoteGraph(loaded)
    assert remote.named_graphs() == graph.named_graphs()
    assert len(remote) == len(graph)  # the project's graphs only, not Virtuoso's own


def test_every_named_question_same_answer_on_virtuoso(loaded, graph):
    remote = RemoteGraph(loaded)
    names = [q.name for q in list_queries()]
    assert len(names) >= 10 and {"actors-of-territory", "funders-of-territory", "ecosystem-as-of"} <= set(
        names
    )
    for q in list_queries():
        values = example_values(q)
        there, here = run_named(remote, q.name, values, raw=True), run_named(graph, q.name, values, raw=True)
        assert there.variables == here.variables, q.name
        assert unordered_names(there) == unordered_names(here), q.name


def unordered_names(result) -> list[str]:
    """The rows, each text's names joined by GROUP_CONCAT (« A → B, C ») read as a set: SPARQL leaves
    their order to the engine, and Virtuoso's differs from Oxigraph's."""

    def one(value: object) -> object:
        text = getattr(value, "value", None)
        if not isinstance(text, str) or " → " not in text:
            return str(value)
        head, tail = text.split(" → ", 1)
        return head + " → " + ", ".join(sorted(tail.split(", ")))

    return sorted(str({k: one(v) for k, v in row.items()}) for row in result.value)


#: each territory question on several inputs whose answers differ; the ecosystem's anchored-participant
#: branches and the labels with accents ("unité de …") are where Virtuoso 7.2 answered differently before
TERRITORY_INPUTS = {
    "actors-of-territory": [
        {"territory": "departement:94"},
        {"territory": "commune:94018"},
        {"territory": "region:84"},
    ],
    "funders-of-territory": [
        {"territory": "departement:94", "from": "2020", "to": "2023"},
        {"territory": "departement:94", "from": "2015", "to": "2018"},
        {"territory": "commune:94018", "from": "2015", "to": "2018"},
    ],
}


@pytest.mark.parametrize("name", sorted(TERRITORY_INPUTS))
def test_territory_questions_same_answer_on_virtuoso(loaded, graph, name):
    answers = []
    for values in TERRITORY_INPUTS[name]:
        there, here = (
            run_named(RemoteGraph(loaded), name, values, raw=True),
            run_named(graph, name, values, raw=True),
        )
        assert there.variables == here.variables
        assert rows(there) == rows(here), values
        answers.append(rows(here))
    assert len({tuple(a) for a in answers}) == len(answers)  # the inputs tell answers apart


def test_ecosystem_same_on_virtuoso(loaded, graph):
    """kg.store.ecosystem runs the definition branch by branch; the same members, reasons and labels on both
    stores (before: a Strasbourg actor found in the Val-de-Marne, a zero-or-one path reduced to its
    zero-length rows)."""
    from kg.store.ecosystem import ecosystem

    found = {}
    for territory in ("departement:94", "commune:94018", "region:84"):
        there, here = ecosystem(RemoteGraph(loaded), territory), ecosystem(graph, territory)
        assert there.reasons == here.reasons and there.labels == here.labels, territory
        found[territory] = len(here)
    assert found["departement:94"] > found["commune:94018"] > found["region:84"] > 0


def test_ecosystem_as_of_same_answer_on_virtuoso(loaded, graph):
    """Its grant sub-select fed NOT EXISTS filters through sampled ends (SQ200 on Virtuoso, and an engine's
    choice of end): now every end of a grant is checked through the grant itself."""
    answers = []
    for date in ("2010", "2014", "2019", "2022"):
        there, here = (
            run_named(RemoteGraph(loaded), "ecosystem-as-of", {"date": date}, raw=True),
            run_named(graph, "ecosystem-as-of", {"date": date}, raw=True),
        )
        assert there.variables == here.variables
        assert unordered_names(there) == unordered_names(here), date
        answers.append(len(here.value))
    assert answers == sorted(answers) and len(set(answers)) == len(answers)  # the dates tell answers apart


def test_concat_labels_are_not_mojibake(loaded, graph):
    """Virtuoso's CONCAT of a stored "Elèves" with " → " gave "ElÃ¨ves"; the answers are repaired."""
    there = run_named(RemoteGraph(loaded), "ecosystem-as-of", {"date": "2019"}).value
    labels = {r["label"] for r in there}
    assert any("Elèves" in label and "→" in label for label in labels)
    assert not any(re.search("[ÃÂ][\u0080-\u00bf]", label) for label in labels)


def test_35000_communes_arrive_whole_from_virtuoso(loaded, graph):
    q = "SELECT ?c ?label WHERE { ?c a igeo:Commune ; rdfs:label ?label }"
    r = httpx.post(
        loaded,
        data={"query": "SELECT ?c WHERE { ?c a <http://rdf.insee.fr/def/geo#Commune> }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert len(r.json()["results"]["bindings"]) == 10_000 and r.headers["x-sparql-maxrows"] == "10000"
    there, here = RemoteGraph(loaded).query(q, raw=True), graph.query(q, raw=True)
    assert len(there) == len(here) > 34_000
    assert sorted(map(str, there)) == sorted(map(str, here))
    # the query's own order is kept across the pages (STR: Virtuoso orders a sub-select on a variable bound to
    # strings by their first bytes, then by its own ids; see kg.store.remote)
    ordered = q + " ORDER BY DESC(STR(?label))"
    assert [r["label"] for r in RemoteGraph(loaded).query(ordered)] == [
        r["label"] for r in graph.query(ordered)
    ]


def test_chains_same_as_embedded(loaded, built_store):
    runner = CliRunner()
    args = ["chains", "Fondation TotalEnergies", "Club ESS", "-k", "50", "-f", "json"]
    here = runner.invoke(app, [*args, "--store", str(built_store)])
    there = runner.invoke(app, [*args, "--endpoint", loaded])
    assert here.exit_code == there.exit_code == 0, there.output
    # the same chains (node sequences); between two actors linked twice, the hop told may differ (row order)
    paths = lambda out: sorted(tuple([c[0]["from"]] + [h["to"] for h in c]) for c in json.loads(out))  # noqa: E731
    assert paths(there.output) == paths(here.output) != []


def view_content(html: str) -> dict[str, list[str]]:
    """The nodes and links of a view, without what follows from their order (ids, layout)."""
    found = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S)
    assert found is not None
    data = json.loads(found[1])
    iri = {n["id"]: n.get("iri", n["label"]) for n in data["nodes"]}
    out: dict[str, list[str]] = {}
    for kind in ("nodes", "edges"):
        items = []
        for item in data[kind]:
            item = {k: v for k, v in item.items() if k not in ("id", "x", "y")}
            item["src"] = [data["quotes"][i] for i in item.get("src", [])]
            item = {k: sorted(map(str, v)) if isinstance(v, list) else v for k, v in item.items()}
            for end in ("from", "to"):
                if end in item:
                    item[end] = iri[item[end]]
            items.append(json.dumps(item, sort_keys=True))
        out[kind] = sorted(items)
    return out


def test_view_same_as_embedded(loaded, built_store, tmp_path):
    runner = CliRunner()
    args = ["view", "--territory", "departement:94"]
    here = runner.invoke(app, [*args, "--store", str(built_store), "--out", str(tmp_path / "here.html")])
    there = runner.invoke(app, [*args, "--endpoint", loaded, "--out", str(tmp_path / "there.html")])
    assert here.exit_code == there.exit_code == 0, there.output
    a = view_content((tmp_path / "here.html").read_text(encoding="utf-8"))
    b = view_content((tmp_path / "there.html").read_text(encoding="utf-8"))
    assert a == b and len(a["nodes"]) > 10


def test_digest_credentials_on_the_authenticated_endpoint(loaded, monkeypatch):
    monkeypatch.delenv("KG_ENDPOINT_AUTH", raising=False)
    with pytest.raises(EndpointError, match="wants credentials"):
        RemoteGraph(loaded + "-auth").query("ASK { ?s ?p ?o }")
    assert RemoteGraph(loaded + "-auth", auth="digest:dba:dba").query("ASK { ?s ?p ?o }") is True
    monkeypatch.setenv("KG_ENDPOINT_AUTH", "digest:dba:dba")
    assert RemoteGraph(loaded + "-auth").query("ASK { ?s ?p ?o }") is True
