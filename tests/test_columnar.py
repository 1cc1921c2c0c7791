"""The columnar accelerator (kg.store.columnar) answers the national questions as their SPARQL files do.

For every question it answers and every parameter set of its examples (plus dates whose answers
differ), the rows from DuckDB and from the ``.rq`` file run by pyoxigraph are the same terms (values,
datatypes, languages) in the same order, on the tiny graph, the curated data and a 10,000-actor
synthetic graph. Where the ``.rq`` leaves an order to the engine, both sides are compared without it:
the names a grant's label joins (``GROUP_CONCAT``), and rows that tie on the ``ORDER BY`` key.
"""

from __future__ import annotations

import shlex
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import kg
from kg.store.columnar import FAST_QUESTIONS, answer, fresh_tables, tables_dir, write_tables
from kg.store.queries import bind_params, get_query, run_named
from tests.tiny_graph import tiny_graph

ROOT = Path(__file__).resolve().parents[1]

#: per question, its variables that make the ORDER BY key (rows tying on it come in the engine's order)
ORDER_KEYS = {"ecosystem-as-of": ("dating", "kind", "start", "label")}
#: dates whose answers differ on each input (checked below), beside the question's own example
DATES = ("2010", "2019", "2024-06")


def example_values(name: str) -> list[dict[str, str]]:
    """Every parameter set of the ``# example:`` lines of the question *name*."""
    out = []
    for line in get_query(name).examples:
        words = shlex.split(line)
        out.append(
            dict(words[i + 1].split("=", 1) for i, w in enumerate(words[:-1]) if w in ("--param", "-p"))
        )
    return out


def parameter_sets(name: str, dates: tuple[str, ...] = DATES) -> list[dict[str, str]]:
    sets = example_values(name)
    if name == "ecosystem-as-of":
        sets += [{"date": d} for d in dates if {"date": d} not in sets]
    return sets


def _row(name: str, row: dict[str, Any]) -> tuple:
    """A row as N-Triples texts; a grant's label with the names it joins in sorted order."""
    out = {k: None if v is None else str(v) for k, v in row.items()}
    if name == "ecosystem-as-of" and row["kind"].value == "financement":
        funder, _, names = row["label"].value.partition(" → ")
        out["label"] = f"{funder} → {', '.join(sorted(names.split(', ')))}"
    return tuple(sorted(out.items()))


def compare(graph, tables: Path, name: str, values: dict[str, str]) -> int:
    """Assert that the fast path and the SPARQL file give the same answer; its number of rows."""
    q = get_query(name)
    bindings = bind_params(graph, q, values)
    slow = graph.run(q.sparql, raw=True, **bindings)
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
    return len(a)


def check_all(graph, tables: Path, dates: tuple[str, ...] = DATES) -> None:
    for name in FAST_QUESTIONS:
        counts = {tuple(v.items()): compare(graph, tables, name, v) for v in parameter_sets(name, dates)}
        assert len(set(counts.values())) > 1, f"{name}: every parameter set gave {counts}"


# -- the tiny graph and the curated data -------------------------------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    graph = tiny_graph(tmp_path_factory.mktemp("tiny") / "store")
    return graph, write_tables(graph)


def test_same_rows_as_the_sparql_file_on_the_tiny_graph(tiny):
    graph, tables = tiny
    check_all(graph, tables)
    # the tiny graph's dates: Programme Un (2012–2016) is there in 2014, not in 2019
    b = {"date": "2014-12-31"}
    assert "Programme Un" in {r["label"] for r in answer(tables, "ecosystem-as-of", b).value}
    b = {"date": "2019-12-31"}
    assert "Programme Un" not in {r["label"] for r in answer(tables, "ecosystem-as-of", b).value}


def test_same_rows_as_the_sparql_file_on_the_curated_data(graph):
    check_all(graph, write_tables(graph))


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


@pytest.fixture(scope="session")
def synthetic_10k(tmp_path_factory):
    """A store of the 10,000-actor synthetic graph (benchmarks/synthetic.py, seed 42), and its tables."""
    from pyoxigraph import Store

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import generate, synthetic_quads

    from kg.ingest.geo import load_geography

    path = tmp_path_factory.mktemp("synthetic") / "store"
    geo = load_geography()
    store = Store(str(path))
    store.bulk_extend(synthetic_quads(generate(10_000, seed=42, geo=geo), geo))
    store.flush()
    store.optimize()
    del store
    graph = kg.open(path)
    return graph, write_tables(graph)


@pytest.mark.slow
def test_same_rows_as_the_sparql_file_on_10000_synthetic_actors(synthetic_10k):
    # the example's date and one more: pyoxigraph takes minutes per date on this graph
    check_all(*synthetic_10k, dates=("2010",))
