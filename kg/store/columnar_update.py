"""The relation tables after an import: only what the import's graph changed, not the whole store rescanned.

:func:`kg.store.columnar.write_tables` scans the whole store (one SPARQL query per predicate over the union
of the graphs): 7 s of CPU after a 50,000-row import, most of it for relations the import did not touch.
When the store's tables were fresh before the import's write, :func:`update_tables` makes the same tables
from the old ones and the difference of the one graph that changed:

- a row of the import's new quads that the old tables lack is added;
- a row of the graph's old quads that its new quads lack is removed, unless the same triple is still in
  another graph of the new store (the tables hold the union of the graphs);
- every table made from ``triples`` is made again (:func:`kg.store.columnar.derive_tables`), and the stamp
  renewed.

The rows are those :func:`kg.store.columnar.write_tables` writes (same predicates and classes, same text of
the terms), so the tables are equal to a full rewrite's (``tests/test_columnar_update.py`` compares every
table). Blank nodes have no stable text between a quad in memory and the store: when either side has one
among the relations, :func:`relation_rows` says so (None) and the caller rewrites the tables in full.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

from kg.store.columnar import (
    _LAYOUT,
    _NULL,
    _STAMP_FILE,
    CLASSES,
    MIN_ACTORS,
    PREDICATES,
    TABLES_FILE,
    _stamp,
    count_actors,
    derive_tables,
    fresh_tables,
    tables_dir,
)

__all__ = [
    "Before",
    "end_steps_after",
    "graph_relation_rows",
    "other_graphs_rows",
    "relation_rows",
    "update_tables",
]

Row = tuple[str, str, str | None, str | None, str | None, str]
Rows = dict[tuple[str, str, str], tuple[Row, Any]]

_ORGANIZATION = "<http://www.w3.org/ns/org#Organization>"


def relation_rows(quads: Any) -> Rows | None:
    """The rows of the ``triples`` table that *quads* give, keyed by ``(predicate, subject, object)`` with
    the quad beside each; None when a relation has a blank node (no stable text: rewrite in full)."""
    from pyoxigraph import BlankNode, Literal, NamedNode

    short = {NamedNode(iri): name for name, iri in PREDICATES.items()}
    classes = {NamedNode(c) for c in CLASSES}
    out: Rows = {}
    for q in quads:
        name = short.get(q.predicate)
        if name is None:
            continue
        s, o = q.subject, q.object
        if name == "type" and o not in classes:
            continue
        if isinstance(s, BlankNode) or isinstance(o, BlankNode):
            return None
        ss, os_ = str(s), str(o)
        row: Row
        if isinstance(o, Literal):
            lang = o.language
            row = (name, ss, o.value, None if lang else o.datatype.value, lang, os_)
        else:
            row = (name, ss, None, None, None, os_)
        out[(name, ss, os_)] = (row, q)
    return out


class Before:
    """What the tables are made from after the write: the graph's old relations (*rows*) when the old tables
    are fresh (``others`` false), or the relations of every other graph of a store too small to have
    tables (``others`` true: the new tables are those rows and the new graph's)."""

    def __init__(self, rows: Rows, others: bool) -> None:
        self.rows, self.others = rows, others


def graph_relation_rows(store_path: str | Path, graph_iri: str) -> Before | None:
    """Before one graph of the store at *store_path* is replaced: its relations when the store's tables are
    fresh (what :func:`update_tables` removes from them), else None."""
    from pyoxigraph import NamedNode, Store

    if fresh_tables(store_path) is None:
        return None
    store = Store.read_only(str(store_path))
    graph = NamedNode(graph_iri)
    rows = relation_rows(
        q for iri in PREDICATES.values() for q in store.quads_for_pattern(None, NamedNode(iri), None, graph)
    )
    return None if rows is None else Before(rows, others=False)


def other_graphs_rows(store_path: str | Path, graph_iri: str) -> Before | None:
    """After one graph of the store at *store_path* was written, when the store has no tables because it
    held fewer than :data:`kg.store.columnar.MIN_ACTORS` organisations (a project's curated data and
    geography, before its first large import) and now holds enough: the relations of every other graph
    (the new graph's are taken from its quads in memory). Else None (DuckDB missing, stale tables, still
    too few organisations): the caller runs the full step."""
    from pyoxigraph import DefaultGraph, NamedNode, Store

    try:
        import duckdb  # noqa: F401
    except ImportError:
        return None
    if tables_dir(store_path).exists():
        return None
    store = Store.read_only(str(store_path))
    if count_actors(store) < MIN_ACTORS:
        return None
    graph = NamedNode(graph_iri)
    others = [g for g in store.named_graphs() if g != graph]
    rows = relation_rows(
        q
        for iri in PREDICATES.values()
        for g in others
        for q in store.quads_for_pattern(None, NamedNode(iri), None, g)
    )
    if rows is not None and next(iter(store.quads_for_pattern(None, None, None, DefaultGraph())), None):
        return None  # triples in the default graph: the full scan sees them
    return None if rows is None else Before(rows, others=True)


def _write_csv(path: Path, rows: list[tuple]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n")
        for row in rows:
            out.writerow([_NULL if v is None else v for v in row])


_COLUMNS = ("p", "s", "lex", "dt", "lang", "o")
_READ_CSV = (
    "SELECT * FROM read_csv(?, header = false, quote = '\"', escape = '\"', nullstr = ?, "
    "allow_quoted_nulls = true, all_varchar = true, columns = {'p': 'VARCHAR', 's': 'VARCHAR', "
    "'lex': 'VARCHAR', 'dt': 'VARCHAR', 'lang': 'VARCHAR', 'o': 'VARCHAR'})"
)


def update_tables(store_path: str | Path, before: Before, after: Rows) -> Path | None:
    """Bring the tables of the store at *store_path* up to date after one graph was replaced by quads whose
    relations are *after* (:func:`relation_rows`); *before* from :func:`graph_relation_rows`. The store is
    the new one; its tables, when ``before.others`` is false, those of the old one (carried over).

    Returns
    -------
    Path or None
        The tables file; None when the store now holds fewer than :data:`kg.store.columnar.MIN_ACTORS`
        organisations (its tables are then removed, as :func:`kg.store.columnar.write_store_tables` does).
    """
    import duckdb
    from pyoxigraph import Store

    folder = tables_dir(store_path)
    target = folder / TABLES_FILE
    if before.others:  # no old tables: the other graphs' relations and the new graph's
        added = [row for row, _ in {**before.rows, **after}.values()]
        gone: list = []
    else:
        added = [after[k][0] for k in after.keys() - before.rows.keys()]
        gone = [before.rows[k] for k in before.rows.keys() - after.keys()]
    if gone:  # still in another graph: the union keeps it
        store = Store.read_only(str(store_path))
        gone = [
            (row, q)
            for row, q in gone
            if next(iter(store.quads_for_pattern(q.subject, q.predicate, q.object, None)), None) is None
        ]
        del store
    (folder / _STAMP_FILE).unlink(missing_ok=True)
    tmp, old = folder / (TABLES_FILE + ".tmp"), folder / (TABLES_FILE + ".old.tmp")
    added_csv, gone_csv = folder / "added.csv.tmp", folder / "gone.csv.tmp"
    folder.mkdir(parents=True, exist_ok=True)
    for f in (tmp, old):
        f.unlink(missing_ok=True)
    if not before.others:
        target.rename(old)  # a new file: the old store's folder may share this one (a hard link)
    _write_csv(added_csv, added)
    _write_csv(gone_csv, [row for row, _ in gone])
    con = duckdb.connect(str(tmp))
    try:
        for table, path, rows in (("added", added_csv, added), ("gone", gone_csv, gone)):
            con.execute(f"CREATE TEMP TABLE {table} ({', '.join(f'{c} VARCHAR' for c in _COLUMNS)})")
            if rows:  # DuckDB cannot sniff an empty file
                con.execute(f"INSERT INTO {table} {_READ_CSV}", [str(path), _NULL])
        if before.others:
            con.execute("CREATE TABLE triples AS SELECT * FROM added ORDER BY p, s")
        else:
            con.execute(f"ATTACH '{str(old).replace(chr(39), chr(39) * 2)}' AS old (READ_ONLY)")
            con.execute(
                "CREATE TABLE triples AS SELECT * FROM (SELECT * FROM old.triples t WHERE NOT EXISTS "
                "(SELECT 1 FROM gone g WHERE g.p = t.p AND g.s = t.s AND g.o = t.o) "
                "UNION SELECT * FROM added) ORDER BY p, s"
            )
            con.execute("DETACH old")
        actors = con.execute(
            "SELECT count(DISTINCT s) FROM triples WHERE p = 'type' AND o = ?", [_ORGANIZATION]
        ).fetchone()
        if actors is None or actors[0] < MIN_ACTORS:
            con.close()
            shutil.rmtree(folder, ignore_errors=True)
            return None
        derive_tables(con)
        con.execute("CREATE TABLE meta AS SELECT ? AS layout", [_LAYOUT])
    finally:
        con.close()
        for f in (old, added_csv, gone_csv):
            f.unlink(missing_ok=True)
    tmp.replace(target)
    (folder / _STAMP_FILE).write_text(
        json.dumps({"store": _stamp(store_path), "layout": _LAYOUT}), encoding="utf-8"
    )
    return target


def end_steps_after(store_path: Path, graph_iri: str, before: Before | None, quads: list) -> None:
    """The store's end steps after the graph *graph_iri* was written (:data:`kg.store.build.END_STEPS`),
    *quads* its new content: the relation tables updated from that graph's change when they were fresh
    before the write (*before*, from :func:`graph_relation_rows`) or made from the other graphs and this
    one when the store just grew past the threshold (:func:`other_graphs_rows`); else written again from the
    whole store."""
    from kg.store.build import END_STEPS
    from kg.store.columnar import write_store_tables

    for _name, end_step in END_STEPS:
        if end_step is write_store_tables:
            base = before if before is not None else other_graphs_rows(store_path, graph_iri)
            after = relation_rows(quads) if base is not None else None
            if base is not None and after is not None:
                try:
                    update_tables(store_path, base, after)
                    continue
                except OSError:
                    pass  # written again in full below
        end_step(store_path)
