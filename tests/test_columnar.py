"""The columnar accelerator (kg.store.columnar) answers the national questions as their SPARQL files do.

For every question it answers and every parameter set of its examples (plus parameter sets whose
answers differ: asserted), the rows from DuckDB and from the ``.rq`` file run by pyoxigraph are the
same terms (values, datatypes, languages) in the same order, on the tiny graph, the curated data and a
10,000-actor synthetic graph (every question; ``slow``, the graph made once per session). Where the
``.rq`` leaves an order to the engine, both sides are compared without it: the names a grant's label
joins (``GROUP_CONCAT``), and rows that tie on the ``ORDER BY`` key.
"""

from __future__ import annotations

import shlex
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import kg
from kg.store import columnar
from kg.store.columnar import (
    FAST_QUESTIONS,
    MIN_ACTORS,
    answer,
    count_actors,
    fresh_tables,
    tables_dir,
    write_store_tables,
    write_tables,
)
from kg.store.queries import bind_params, get_query, run_named
from tests.tiny_graph import tiny_graph

ROOT = Path(__file__).resolve().parents[1]

#: per question, its variables that make the ORDER BY key (rows tying on it come in the engine's order)
ORDER_KEYS = {
    "ecosystem-as-of": ("dating", "kind", "start", "label"),
    "actors-of-territory": ("label", "reason"),
    "funders-of-territory": ("amount", "grant"),
}
#: per question, parameter sets beside its examples, chosen so that answers differ on each input
EXTRA: dict[str, list[dict[str, str]]] = {
    "ecosystem-as-of": [{"date": "2010"}, {"date": "2024-06"}],
    "actors-of-territory": [{"territory": "departement:94"}, {"territory": "commune:94018"}],
    "funders-of-territory": [
        {"territory": "region:11", "from": "2015", "to": "2020"},
        {"territory": "departement:94", "from": "2010", "to": "2015"},
    ],
}
#: the questions of a graph without geography (the tiny graph has no territory)
NO_GEOGRAPHY = ("ecosystem-as-of",)


def test_every_national_question_has_its_checks():
    assert set(FAST_QUESTIONS) == set(ORDER_KEYS) == set(EXTRA)
    assert all(example_values(name) for name in FAST_QUESTIONS)


def example_values(name: str) -> list[dict[str, str]]:
    """Every parameter set of the ``# example:`` lines of the question *name*."""
    out = []
    for line in get_query(name).examples:
        words = shlex.split(line)
        out.append(
            dict(words[i + 1].split("=", 1) for i, w in enumerate(words[:-1]) if w in ("--param", "-p"))
        )
    return out


def parameter_sets(name: str, extra: dict[str, list[dict[str, str]]] = EXTRA) -> list[dict[str, str]]:
    sets = example_values(name)
    return sets + [v for v in extra.get(name, []) if v not in sets]


def _row(name: str, row: dict[str, Any]) -> tuple:
    """A row as N-Triples texts; a grant's label with the names it joins in sorted order."""
    out = {k: None if v is None else str(v) for k, v in row.items()}
    if name == "ecosystem-as-of" and row["kind"].value == "financement":
        funder, _, names = row["label"].value.partition(" → ")
        out["label"] = f"{funder} → {', '.join(sorted(names.split(', ')))}"
    return tuple(sorted(out.items()))


def compare(graph, tables: Path, name: str, values: dict[str, str], reference=None) -> tuple:
    """Assert that the fast path and the SPARQL file (run on *reference*, by default *graph*) give the
    same answer; the answer's rows, as a sorted tuple."""
    q = get_query(name)
    bindings = bind_params(graph, q, values)
    slow = (reference or graph).run(q.sparql, raw=True, **bindings)
    fast = answer(tables, name, bindings, raw=True)
    assert fast.variables == slow.variables
    a = [_row(name, r) for r in slow.value]
    b = [_row(name, r) for r in fast.value]
    only_sparql, only_fast = Counter(a) - Counter(b), Counter(b) - Counter(a)
    assert not only_sparql and not only_fast, (
        f"{name} {values}: only in SPARQL {list(only_sparql)[:3]}; only in DuckDB {list(only_fast)[:3]}"
    )
    keys = ORDER_KEYS[name]
    assert [tuple(dict(r)[k] for k in keys) for r in a] == [tuple(dict(r)[k] for k in keys) for r in b]
    return tuple(sorted(a, key=repr))


def check_all(graph, tables: Path, names=FAST_QUESTIONS, extra=EXTRA, reference=None) -> dict[str, list[int]]:
    """Compare every parameter set of every question in *names*; the row counts per question."""
    counts = {}
    for name in names:
        answers = [compare(graph, tables, name, v, reference) for v in parameter_sets(name, extra)]
        assert len(set(answers)) > 1, f"{name}: every parameter set gave the same answer"
        counts[name] = [len(a) for a in answers]
    return counts


# -- the tiny graph and the curated data -------------------------------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    graph = tiny_graph(tmp_path_factory.mktemp("tiny") / "store")
    return graph, write_tables(graph)


def test_same_rows_as_the_sparql_file_on_the_tiny_graph(tiny):
    graph, tables = tiny
    dates = {"ecosystem-as-of": [{"date": d} for d in ("2010", "2019", "2024-06")]}
    check_all(graph, tables, NO_GEOGRAPHY, dates)
    # the tiny graph's dates: Programme Un (2012–2016) is there in 2014, not in 2019
    b = {"date": "2014-12-31"}
    assert "Programme Un" in {r["label"] for r in answer(tables, "ecosystem-as-of", b).value}
    b = {"date": "2019-12-31"}
    assert "Programme Un" not in {r["label"] for r in answer(tables, "ecosystem-as-of", b).value}


def test_same_rows_as_the_sparql_file_on_the_curated_data(graph):
    counts = check_all(graph, write_tables(graph))
    assert all(any(counts[name]) for name in FAST_QUESTIONS), counts  # not only empty answers


def test_kg_build_writes_fresh_tables_and_a_new_build_makes_them_stale(built_store):
    from kg.store.artefacts import new_build_id

    graph = kg.open(built_store)
    # the curated data is below MIN_ACTORS: kg.build (END_STEPS) wrote no tables; written here
    assert count_actors(graph.store) < MIN_ACTORS
    tables = write_store_tables(built_store, min_actors=1)
    assert tables is not None and fresh_tables(built_store) == tables
    q = get_query("actors-of-territory")
    values = {"territory": "commune:94018"}
    sparql = graph.run(q.sparql, **bind_params(graph, q, values)).value
    assert run_named(graph, "actors-of-territory", values).value == sparql
    old = (built_store / "kg-build-id").read_text()
    try:
        new_build_id(built_store)  # what every write of the store (kg import) does
        assert fresh_tables(built_store) is None
    finally:
        (built_store / "kg-build-id").write_text(old)
    assert fresh_tables(built_store) == tables


# -- when the tables are written ----------------------------------------------------------------


def test_the_tables_are_written_from_min_actors_organisations_on(tmp_path, graph):
    path = tmp_path / "store"
    tiny = tiny_graph(path)
    n = count_actors(tiny.store)
    assert 0 < n < count_actors(graph.store) < MIN_ACTORS  # two inputs, two counts, both below
    tables = write_store_tables(path, min_actors=n)  # at the threshold: written
    assert tables is not None and fresh_tables(path) == tables
    assert run_named(tiny, "ecosystem-as-of", date="2019").value
    assert write_store_tables(path, min_actors=n + 1) is None  # one below: none, the old ones removed
    assert fresh_tables(path) is None and not tables_dir(path).exists()
    assert run_named(tiny, "ecosystem-as-of", date="2019").value  # in SPARQL


def _subjects(tables: Path, iri: str) -> int:
    # through the accelerator's own connections: DuckDB shares one database per file in a process, so a
    # connection opened aside would keep reading the file that answer() opened before it was replaced
    cursor = columnar._connect(tables)
    return cursor.execute("SELECT count(*) FROM triples WHERE s = ?", [f"<{iri}>"]).fetchone()[0]


def test_an_import_and_its_removal_write_fresh_tables(data_env, monkeypatch):
    from kg.store.history import remove_import
    from kg.store.imports import import_workbook

    monkeypatch.setattr(columnar, "MIN_ACTORS", 1)  # the curated data has fewer organisations
    data, store = data_env("columnar-import")
    write_store_tables(store)
    actor = "https://w3id.org/territorial-kg/id/actor/gravelle-alliances"
    assert _subjects(fresh_tables(store), actor) == 0
    plan = import_workbook(ROOT / "tests" / "fixtures" / "spreadsheets" / "gravelle.xlsx", data, store)
    assert plan.store_updated
    tables = fresh_tables(store)  # written again after the import's write, not stale
    assert tables is not None and _subjects(tables, actor) > 0
    assert compare(kg.open(store), tables, "ecosystem-as-of", {"date": "2024"})  # the same rows as the .rq
    assert remove_import("gravelle", data, store)
    tables = fresh_tables(store)
    assert tables is not None and _subjects(tables, actor) == 0


# -- when the fast path is taken ----------------------------------------------------------------


def test_run_named_takes_fresh_tables_only(tmp_path):
    from pyoxigraph import Literal, NamedNode, Quad, Store

    path = tmp_path / "store"
    graph = tiny_graph(path)
    assert fresh_tables(path) is None  # no tables yet: SPARQL
    before = run_named(graph, "ecosystem-as-of", date="2019").value
    tables = write_tables(graph)
    assert tables.parent == tables_dir(path) and fresh_tables(path) == tables
    assert run_named(graph, "ecosystem-as-of", date="2019").value == before
    del graph
    assert fresh_tables(path) == tables  # opening the store read-only leaves it fresh
    # the store changes after the tables were written: a new programme
    store = Store(str(path))
    new = NamedNode("https://w3id.org/territorial-kg/id/programme/trois")
    g = NamedNode("https://w3id.org/territorial-kg/graph/tiny")
    store.add(
        Quad(
            new,
            NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            NamedNode("https://schema.org/Project"),
            g,
        )
    )
    store.add(
        Quad(new, NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), Literal("Programme Trois"), g)
    )
    store.flush()
    del store
    graph = kg.open(path)
    assert fresh_tables(path) is None  # stale: SPARQL, which sees the new programme
    labels = {r["label"] for r in run_named(graph, "ecosystem-as-of", date="2019").value}
    assert "Programme Trois" in labels
    stale = answer(tables, "ecosystem-as-of", {"date": "2019-12-31"}).value
    assert "Programme Trois" not in {r["label"] for r in stale}
    write_tables(graph)
    assert fresh_tables(path) is not None
    assert "Programme Trois" in {r["label"] for r in run_named(graph, "ecosystem-as-of", date="2019").value}


def test_an_in_memory_graph_is_asked_in_sparql():
    graph = tiny_graph()
    assert fresh_tables(graph.path) is None
    assert run_named(graph, "ecosystem-as-of", date="2014").value


# -- a 10,000-actor synthetic graph ------------------------------------------------------------


def synthetic(tmp_path_factory, actors: int):
    """A store of the synthetic graph (benchmarks/synthetic.py, seed 42) with the ontology, its tables,
    and the same quads in memory (where the reference SPARQL runs, 2-5x faster than on disk)."""
    from pyoxigraph import RdfFormat, Store

    from kg.rdf.shacl import ontology_quads
    from kg.store.graph import Graph

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import stream

    folder = tmp_path_factory.mktemp(f"synthetic{actors}")
    nq = folder / "graph.nq"
    stream(actors, nq, seed=42)
    path = folder / "store"
    disk, memory = Store(str(path)), Store()
    for store in (disk, memory):
        store.bulk_load(path=str(nq), format=RdfFormat.N_QUADS)
        store.bulk_extend(ontology_quads(ROOT / "ontology"))
    disk.optimize()
    disk.flush()
    del disk
    graph = kg.open(path)
    return graph, write_tables(graph), Graph(memory, None)


@pytest.fixture(scope="session")
def synthetic_10k(tmp_path_factory):
    return synthetic(tmp_path_factory, 10_000)


#: at 10,000 actors, parameter sets beside the examples (answers differ; region:11 is the largest answer)
EXTRA_10K: dict[str, list[dict[str, str]]] = {
    "ecosystem-as-of": [{"date": "2010"}],
    "actors-of-territory": [{"territory": "departement:94"}, {"territory": "region:11"}],
    "funders-of-territory": [{"territory": "region:11", "from": "2015", "to": "2020"}],
}


@pytest.mark.slow
def test_same_rows_as_the_sparql_file_on_10000_synthetic_actors(synthetic_10k):
    # every question, every parameter set of its examples and more; the .rq run once per set, in memory
    # (ecosystem-as-of took more than 15 min per date before its NOT EXISTS were split: 20-60 s now)
    graph, tables, memory = synthetic_10k
    assert set(EXTRA_10K) == set(FAST_QUESTIONS)
    counts = check_all(graph, tables, FAST_QUESTIONS, EXTRA_10K, reference=memory)
    assert min(min(c) for c in counts.values()) > 10, counts  # real answers, not a handful of rows
