"""The projection ``kg build`` makes from its records (:mod:`kg.network.record_projection`) is the projection
of the store it writes: graph attributes, nodes, edges, keys, every attribute, and the orders of nodes,
successors, predecessors and keys, on the curated data, on the curated data with an import, and on a
synthetic data set; where a build has no records (a store opened alone, a tiny graph), ``project`` stays.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

import kg
from kg.cli import app
from kg.network.artefacts import build_steps
from kg.network.projection import PROJECTION_SHAPE, project
from kg.network.record_projection import RecordProjection
from kg.store import artefacts
from kg.store.build import build

ROOT = Path(__file__).resolve().parents[1]
ACTOR = "https://w3id.org/territorial-kg/id/actor/"
ATELIER = ACTOR + "atelier-bois-et-compagnie"  # an actor of tests/fixtures/spreadsheets/gravelle.xlsx only
WHEN = "2026-01-01T00:00:00Z"


def digest(G: nx.MultiDiGraph) -> str:
    """Everything of *G* in one hash: its attributes, its nodes and edges with their attributes (in their
    insertion order), its keys, and the order of each node's predecessors."""
    parts = [repr(sorted(G.graph.items()))]
    parts += [repr((n, list(d.items()))) for n, d in G.nodes(data=True)]
    parts += [repr((a, b, k, list(d.items()))) for a, b, k, d in G.edges(keys=True, data=True)]
    parts += [repr((n, list(G.pred[n]))) for n in G]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _same(G: nx.MultiDiGraph, H: nx.MultiDiGraph) -> None:
    """*G* is *H* in every order, the first difference shown when not."""
    assert G.graph == H.graph
    assert list(G.nodes(data=True)) == list(H.nodes(data=True))
    assert list(G.edges(keys=True, data=True)) == list(H.edges(keys=True, data=True))
    assert list(G.in_edges(keys=True)) == list(H.in_edges(keys=True))
    assert digest(G) == digest(H)
    for a, b, k in G.edges(keys=True):  # one attribute dict for both directions, as NetworkX keeps it
        assert G.pred[b][a][k] is G.succ[a][b][k]


def _build_with_records(data: Path, store: Path) -> nx.MultiDiGraph:
    """``kg build`` of *data* (SHACL off), its projection made from the records: the projection written."""
    records = RecordProjection()
    report = build(
        data,
        store,
        None,
        ontology_dir=ROOT / "ontology",
        shacl="off",
        generated_at=WHEN,
        steps=build_steps(records)[:1],
        on_record=records.add,
    )
    assert report.seconds["projection"] >= 0
    written = artefacts.load(store, "projection", shape=PROJECTION_SHAPE)
    assert written is not None
    return written


def _check(store: Path, written: nx.MultiDiGraph) -> None:
    """The projection written from the records is project(store) and project(quads=...) in every order."""
    from pyoxigraph import Store

    graph = kg.open(store)
    _same(written, project(graph))
    quads = list(graph.store) if hasattr(graph, "store") else list(Store.read_only(str(store)))
    _same(written, project(None, quads=quads))


def test_the_projection_from_the_records_is_the_store_s_on_curated_data_and_an_import(data_env, tmp_path):
    from kg.store.imports import import_workbook

    data, _ = data_env("projection-records")
    store = tmp_path / "store"
    curated = _build_with_records(data, store)
    _check(store, curated)
    assert ATELIER not in curated
    # the catalyst's workbook, then a build: its records reach the projection too (another graph)
    workbook = ROOT / "tests" / "fixtures" / "spreadsheets" / "gravelle.xlsx"
    import_workbook(workbook, data, store, confirmed=True)
    imported = _build_with_records(data, store)
    _check(store, imported)
    assert ATELIER in imported and digest(imported) != digest(curated)
    assert imported.number_of_edges() > curated.number_of_edges()


def test_a_record_less_or_changed_shows_in_the_projection(data_env, tmp_path):
    """Two data sets, two projections: a grant taken out of the curated data takes its node and edges out."""
    import yaml

    data, _ = data_env("projection-records-fewer")
    before = _build_with_records(data, tmp_path / "a")
    path = data / "curated" / "fundings.yaml"
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    text = "".join(p.read_text(encoding="utf-8") for p in (data / "curated").glob("*.yaml"))
    gone = next(f["id"] for f in items if text.count(f["id"]) == 1)  # a grant no other record cites
    items = [f for f in items if f["id"] != gone]
    path.write_text(yaml.safe_dump(items, allow_unicode=True, sort_keys=False), encoding="utf-8")
    after = _build_with_records(data, tmp_path / "b")
    _check(tmp_path / "b", after)
    grant = "https://w3id.org/territorial-kg/id/funding/" + gone
    assert grant in before and grant not in after
    assert after.number_of_edges() < before.number_of_edges()


def test_kg_build_writes_the_projection_from_its_records(tmp_path):
    """The command itself (the CLI hands the records over): its projection is project(store)."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, symlinks=True, ignore=shutil.ignore_patterns("geo"))
    (data / "geo").symlink_to(ROOT / "data" / "geo")
    store = tmp_path / "store"
    args = ["build", "--data", str(data), "--store", str(store), "--dump", str(tmp_path / "g.trig")]
    result = CliRunner().invoke(app, [*args, "--ontology", str(ROOT / "ontology"), "--shacl", "off"])
    assert result.exit_code == 0, result.output
    written = artefacts.load(store, "projection", shape=PROJECTION_SHAPE)
    assert written is not None
    _same(written, project(kg.open(store)))


def test_without_records_the_projection_is_read_from_the_store(tmp_path):
    """A store opened alone (the tiny graph: no build, no records): write_projection projects the store."""
    from tiny_graph import ALPHA, BETA, tiny_graph

    from kg.network.artefacts import write_projection

    store = tmp_path / "tiny"
    tiny_graph(store)
    artefacts.new_build_id(store)
    write_projection(store)
    written = artefacts.load(store, "projection", shape=PROJECTION_SHAPE)
    _same(written, project(kg.open(store)))
    assert written.has_edge(ALPHA, BETA)
    # records given: only theirs (none here), the store's concepts' labels still read
    empty = RecordProjection().graph(kg.open(store))
    assert empty.number_of_nodes() == 0 and empty.graph["concept_labels"] == written.graph["concept_labels"]


def test_the_records_are_let_go_once_the_projection_is_made(tmp_path):
    """graph() is made once: the records' tuples are let go as it returns (their texts then held by the graph
    alone, which marshal writes faster), and a second call says so rather than giving an empty graph."""
    from tiny_graph import tiny_graph

    from kg.model.records import Person

    store = tmp_path / "tiny"
    tiny_graph(store)
    rp = RecordProjection()
    rp.add("person", Person(id="ada", name="Ada", sources=[{"doc": "d1", "quote": "Ada Lovelace"}]), {})
    G = rp.graph(kg.open(store))
    assert G.nodes["https://w3id.org/territorial-kg/id/person/ada"]["label"] == "Ada"
    assert rp.made and not hasattr(rp, "persons")  # the tuples let go
    with pytest.raises(RuntimeError, match="called already"):
        rp.graph(kg.open(store))


@pytest.fixture(scope="module")
def synthetic_data(tmp_path_factory) -> Path:
    """A synthetic data folder (benchmarks/synthetic.py, 2,000 actors) buildable with ``kg build --data``."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("synthetic") / "data"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "synthetic.py"), "--actors", "2000", "--yaml", str(out)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return out


def test_the_projection_from_the_records_is_the_store_s_on_a_synthetic_data_set(synthetic_data, tmp_path):
    written = _build_with_records(synthetic_data, tmp_path / "store")
    _check(tmp_path / "store", written)
    kinds = {d["kind"] for _, d in written.nodes(data=True)}
    assert {"actor", "programme", "funding", "territory"} <= kinds
    assert written.number_of_nodes() > 2000
