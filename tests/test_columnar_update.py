"""After an import, the relation tables updated for its graph only equal the tables written in full.

:mod:`kg.store.columnar_update`: the store's tables are fresh (a first import of 400 rows, above
``MIN_ACTORS``, wrote them in full); then a re-import of another workbook under the same name (records
added, changed and removed) through :func:`kg.store.imports.import_workbook`, which updates them from the
difference of the import's graph. Every table (``triples``, the classes, the closures, the ecosystem's and
the territories' tables) must hold the same rows as :func:`kg.store.columnar.write_tables` writes from the
whole store; the stamp must make them fresh. A direct call checks the rows removed by the re-import
leave the tables, and that a triple still in another graph stays.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from kg.store.columnar import fresh_tables, tables_dir, write_tables
from kg.store.columnar_update import graph_relation_rows, relation_rows, update_tables
from kg.store.imports import import_workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_import
import duckdb  # a dev dependency: missing, the tests fail (never skipped)
from conftest import duckdb_tables


def _full(store: Path, tmp: Path) -> dict[str, list]:
    import kg

    g = kg.open(store)
    try:
        return duckdb_tables(write_tables(g.store, tmp))
    finally:
        del g


@pytest.fixture(scope="module")
def imported(data_env, tmp_path_factory):
    data, store = data_env("columnar-update")
    tmp = tmp_path_factory.mktemp("books")
    first, second = tmp / "premier.xlsx", tmp / "second.xlsx"
    bench_import.make_workbook(first, 400, seed=3)
    bench_import.make_workbook(second, 300, seed=3)
    import_workbook(first, data, store, name="banc", owner="Banc d'essai")
    assert fresh_tables(store) is not None  # written in full: the store now has more than MIN_ACTORS
    return data, store, second, tmp


def test_reimport_updates_tables_equal_to_a_full_write(imported):
    data, store, second, tmp = imported
    graph = "https://w3id.org/territorial-kg/graph/import/banc"
    before = graph_relation_rows(store, graph)
    assert before  # fresh tables and a graph with relations: the incremental path is taken
    plan = import_workbook(second, data, store, name="banc", owner="Banc d'essai", confirmed=True)
    assert plan.store_updated and (plan.removed or plan.changed)
    after = graph_relation_rows(store, graph)
    assert after is not None and set(before) - set(after) and set(after) - set(before)
    tables = fresh_tables(store)
    assert tables is not None
    got, want = duckdb_tables(tables), _full(store, tmp / "full")
    assert got.keys() == want.keys()
    for name in want:
        assert got[name] == want[name], name
    assert len(want["triples"]) > 1000


def test_update_removes_rows_unless_another_graph_keeps_them(imported, tmp_path):
    store = imported[1]
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    graph = "https://w3id.org/territorial-kg/graph/import/banc"
    rows = graph_relation_rows(copy, graph)
    assert rows
    # pretend the graph held one relation more before, one that no graph holds: it must leave the tables
    (key, (row, q)) = next((k, v) for k, v in rows.items() if k[0] == "label")
    from pyoxigraph import Literal, Quad

    ghost = Quad(q.subject, q.predicate, Literal("fantôme"), q.graph_name)
    [(gkey, grow)] = relation_rows([ghost]).items()
    con = duckdb.connect(str(tables_dir(copy) / "tables.duckdb"))
    con.execute("INSERT INTO triples VALUES (?, ?, ?, ?, ?, ?)", list(grow[0]))
    con.close()
    assert ("fantôme",) in [r[2:3] for r in duckdb_tables(tables_dir(copy) / "tables.duckdb")["triples"]]
    update_tables(copy, {**rows, gkey: grow}, rows)
    triples = duckdb_tables(tables_dir(copy) / "tables.duckdb")["triples"]
    assert ("fantôme",) not in [r[2:3] for r in triples]
    # a relation said to be gone but still in the store (another graph, or this one) stays
    update_tables(copy, rows, {k: v for k, v in rows.items() if k != key})
    assert row in duckdb_tables(tables_dir(copy) / "tables.duckdb")["triples"]
    assert fresh_tables(copy) is not None
