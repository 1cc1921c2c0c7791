"""kg.present.export: RDF exports parse back to the same graph; GEXF and GraphML round-trip through
NetworkX."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pytest
import typer
from typer.testing import CliRunner

from kg.errors import ExportError, UnknownEntityError
from kg.present.export import CONTEXT_FILE, FORMATS, context, export, flat_projection, register

PEMB = "intercommunalite:200057941"


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("exports")


def test_registry_has_every_format():
    assert set(FORMATS) == {"ttl", "trig", "nq", "jsonld", "owl", "graphml", "gexf", "csv"}
    assert all(callable(w) for _, w in FORMATS.values())


def test_a_format_registers_like_the_built_ins(graph, out):
    @register("labels", ".txt")
    def write_labels(graph, path, *, territory=None):
        from kg.present.export import ExportResult

        rows = graph.query("SELECT ?l WHERE { ?a a org:Organization ; rdfs:label ?l }")
        path.write_text("\n".join(sorted(r["l"] for r in rows)), encoding="utf-8")
        return ExportResult("labels", [path])

    try:
        r = export(graph, "labels", out / "labels.txt")
        assert "Le RAMEAU" in r.paths[0].read_text(encoding="utf-8")
    finally:
        del FORMATS["labels"]


def test_unknown_format_is_an_export_error(graph):
    with pytest.raises(ExportError, match="use one of"):
        export(graph, "xlsx2")


def test_unknown_territory(graph, out):
    with pytest.raises(UnknownEntityError):
        export(graph, "graphml", out / "x.graphml", territory="commune:99999")


def test_context_file_is_the_published_context():
    assert json.loads(CONTEXT_FILE.read_text(encoding="utf-8")) == context()


def _dataset(path: Path, fmt: str):
    from rdflib import Dataset

    ds = Dataset()
    ds.parse(path, format=fmt)
    return ds


def _graphs(ds) -> dict[str, object]:
    return {str(g.identifier): g for g in ds.graphs() if len(g)}


@pytest.mark.slow
def test_jsonld_parses_back_to_an_isomorphic_graph(graph, out):
    from rdflib.compare import graph_diff, isomorphic, to_isomorphic

    nq = export(graph, "nq", out / "pemb.nq", territory=PEMB)
    js = export(graph, "jsonld", out / "pemb.jsonld", territory=PEMB)
    assert nq.quads == js.quads > 100
    doc = json.loads(js.paths[0].read_text(encoding="utf-8"))
    assert doc["@context"] == context()["@context"]
    keys = {k for g in doc["@graph"] for n in g.get("@graph", []) for k in n}
    assert {"type", "label", "member"} <= keys and "rdfs:label" not in keys  # compacted with terms
    a, b = _graphs(_dataset(nq.paths[0], "nquads")), _graphs(_dataset(js.paths[0], "json-ld"))
    assert set(a) == set(b)
    for name in a:
        ga, gb = to_isomorphic(a[name]), to_isomorphic(b[name])
        if not isomorphic(ga, gb):
            _, only_a, only_b = graph_diff(ga, gb)
            pytest.fail(f"{name}: only in N-Quads {sorted(only_a)[:5]}; only in JSON-LD {sorted(only_b)[:5]}")


@pytest.mark.slow
def test_whole_dataset_round_trips_through_jsonld_and_trig(graph, out):
    """Every quad of the store comes back (compared as N-Quads lines; the store has no blank nodes)."""
    from pyoxigraph import RdfFormat, parse

    n = len(graph.store)
    for fmt, rdf in (("jsonld", RdfFormat.JSON_LD), ("trig", RdfFormat.TRIG), ("nq", RdfFormat.N_QUADS)):
        r = export(graph, fmt, out / f"all.{fmt}")
        quads = {str(q) for q in parse(path=str(r.paths[0]), format=rdf)}
        assert len(quads) == n == r.quads, fmt
    assert quads == {str(q) for q in graph.store.quads_for_pattern(None, None, None, None)}


@pytest.mark.slow
def test_turtle_is_the_union_of_the_graphs(graph, out):
    from pyoxigraph import RdfFormat, parse

    r = export(graph, "ttl", out / "pemb.ttl", territory=PEMB)
    triples = list(parse(path=str(r.paths[0]), format=RdfFormat.TURTLE))
    assert len(triples) == r.quads > 100
    assert r.paths[0].read_text(encoding="utf-8").startswith("@prefix")


def _same_attrs(F: nx.MultiDiGraph, R: nx.MultiDiGraph, skip: set[str] = frozenset()) -> None:
    assert set(F.nodes) == set(R.nodes)
    for n, d in F.nodes(data=True):
        got = {k: v for k, v in R.nodes[n].items() if k not in skip}
        assert got == {k: v for k, v in d.items() if k not in skip}, n
    fe = sorted(
        (a, b, tuple(sorted((k, str(v)) for k, v in d.items() if k not in skip)))
        for a, b, d in F.edges(data=True)
    )
    re_ = sorted(
        (a, b, tuple(sorted((k, str(v)) for k, v in d.items() if k not in skip and k != "id")))
        for a, b, d in R.edges(data=True)
    )
    assert fe == re_


def test_graphml_round_trips_with_every_attribute(graph, out):
    r = export(graph, "graphml", out / "all.graphml")
    F = flat_projection(graph)
    R = nx.read_graphml(r.paths[0], force_multigraph=True)
    assert (R.number_of_nodes(), R.number_of_edges()) == (r.nodes, r.edges) == (66, 90) or r.nodes > 50
    _same_attrs(F, R)
    pemb = R.nodes["https://w3id.org/territorial-kg/id/actor/pemb"]
    assert pemb["label"] == "Paris Est Marne et Bois" and pemb["start"] == "2016" and "sources" in pemb


def test_gexf_is_dynamic_with_dates_as_time_intervals(graph, out):
    r = export(graph, "gexf", out / "all.gexf")
    text = r.paths[0].read_text(encoding="utf-8")
    assert 'mode="dynamic"' in text and 'timeformat="date"' in text
    R = nx.read_gexf(r.paths[0])
    F = flat_projection(graph)
    vitawin = R.nodes["https://w3id.org/territorial-kg/id/programme/vitawin"]
    assert vitawin["start"] == "2021-01-01" and vitawin["period"] == "2021/"
    webinars = R.nodes["https://w3id.org/territorial-kg/id/programme/cycle-webinaires-2020"]
    assert (webinars["start"], webinars["end"]) == ("2020-03-02", "2020-11-26")
    # every other attribute comes back unchanged (dates compared above; colours are Gephi's viz)
    for n, d in F.nodes(data=True):
        got = {k: v for k, v in R.nodes[n].items() if k not in ("start", "end", "period", "viz")}
        assert got == {k: v for k, v in d.items() if k not in ("start", "end")}, n
        assert "color" in R.nodes[n]["viz"]
    fe = sorted((a, b, d.get("kind"), d.get("sources"), d.get("amount")) for a, b, d in F.edges(data=True))
    re_ = sorted((a, b, d.get("kind"), d.get("sources"), d.get("amount")) for a, b, d in R.edges(data=True))
    assert fe == re_


def test_csv_follows_gephi_conventions(graph, out):
    r = export(graph, "csv", out / "csv", territory=PEMB)
    with open(r.paths[0], encoding="utf-8") as fn, open(r.paths[1], encoding="utf-8") as fe:
        nodes, edges = list(csv.DictReader(fn)), list(csv.DictReader(fe))
    assert list(nodes[0])[:2] == ["Id", "Label"]
    assert list(edges[0])[:5] == ["Source", "Target", "Type", "Id", "Label"]
    assert len(nodes) == r.nodes and len(edges) == r.edges
    ids = {n["Id"] for n in nodes}
    assert all(e["Source"] in ids and e["Target"] in ids and e["Type"] == "Directed" for e in edges)


def test_cli_export(built_store, tmp_path):
    from kg.cli.view import register as register_cli

    app = typer.Typer()
    register_cli(app)
    res = CliRunner().invoke(
        app,
        [
            "export",
            "gexf",
            "--store",
            str(built_store),
            "--out",
            str(tmp_path / "g.gexf"),
            "--territory",
            PEMB,
        ],
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "g.gexf").is_file() and "nodes" in res.output
    owl = str(tmp_path / "g.owl")
    args = ["export", "owl", "--store", str(built_store), "--out", owl, "--territory", PEMB]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    text = (tmp_path / "g.owl").read_text(encoding="utf-8")
    assert "XMLSchema#dateTime" in text and "XMLSchema#gYear" not in text and "xsd:gYear" in res.output
    res = CliRunner().invoke(app, ["export", "nope", "--store", str(built_store)])
    assert res.exit_code == 8 and "use one of" in res.output
