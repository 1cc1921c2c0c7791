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

from collections.abc import Callable
from pathlib import Path
from typing import Any

from kg.store.columnar import CLASSES, PREDICATES, fresh_tables, update_triples

__all__ = [
    "carry_tables",
    "end_steps_after",
    "graph_relation_rows",
    "graphs_relation_rows",
    "import_tables",
    "nquads_relation_rows",
    "relation_rows",
    "tables_change",
    "update_tables",
]

Row = tuple[str, str, str | None, str | None, str | None, str]
Rows = dict[tuple[str, str, str], tuple[Row, Any]]


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


def graph_relation_rows(store_path: str | Path, graph_iri: str, *, fresh: bool = True) -> Rows | None:
    """Before one graph of the store at *store_path* is replaced: its relations when the store's tables are
    fresh (what :func:`update_tables` removes from them), else None; with ``fresh=False``, whether the
    tables are fresh or not (for tables just made from the store as it is)."""
    from pyoxigraph import NamedNode, Store

    if fresh and fresh_tables(store_path) is None:
        return None
    store = Store.read_only(str(store_path))
    graph = NamedNode(graph_iri)
    rows = relation_rows(
        q for iri in PREDICATES.values() for q in store.quads_for_pattern(None, NamedNode(iri), None, graph)
    )
    return rows


def nquads_relation_rows(nq: str | Path, chunk: int = 100_000) -> Rows | None:
    """:func:`relation_rows` of the N-Quads file *nq* (one quad a line, as pyoxigraph writes it), without a
    Python term per quad: a line whose predicate is not the tables' is skipped, one whose object is an IRI
    gives its row from its text (the terms' text is their N-Triples form, as ``str()`` gives it), and only
    the literals' lines are parsed (their value unescaped). The quad beside each row is None."""
    from pyoxigraph import RdfFormat, parse

    names = {f"<{iri}>".encode(): name for name, iri in PREDICATES.items()}
    classes = {f"<{c}>" for c in CLASSES}
    out: Rows = {}
    literals: list[bytes] = []

    def parsed() -> bool:
        rows = relation_rows(parse(b"".join(literals), format=RdfFormat.N_QUADS))
        literals.clear()
        if rows is None:
            return False
        out.update((k, (row, None)) for k, (row, _q) in rows.items())
        return True

    with open(nq, "rb") as f:
        for line in f:
            parts = line.split(
                b" "
            )  # subject, predicate, object, graph, ".": IRIs and blank nodes have no space
            name = names.get(parts[1]) if len(parts) > 2 else None
            if name is None:
                continue
            if len(parts) != 5 or parts[2][:1] != b"<":  # a literal (or a blank node): parsed
                literals.append(line)
                if len(literals) >= chunk and not parsed():
                    return None
                continue
            if parts[0][:1] != b"<":  # a blank node: no stable text
                return None
            ss, os_ = parts[0].decode(), parts[2].decode()
            if name == "type" and os_ not in classes:
                continue
            out[(name, ss, os_)] = ((name, ss, None, None, None, os_), None)
    return out if not literals or parsed() else None


def import_tables(
    old_store: str | Path,
    graph_iri: str,
    nq: str | Path,
    new_store: str | Path,
    meta_iri: str,
    *,
    min_actors: int | None = None,
    ready: Callable[[], bool] | None = None,
) -> bool:
    """The relation tables of *new_store*, a checkpoint of *old_store* whose graph *graph_iri* and its
    description in the graph *meta_iri* (``graph:meta``) are being replaced by the quads of the N-Quads
    file *nq* (the graph's, then the description's), brought up to date without opening *new_store*'s
    RocksDB (another process writes it).

    Run by :class:`kg.store.write.GraphWriter`'s tables child while the import's checks run. The old
    store's tables are linked into *new_store* when fresh, else its ``triples`` written from the old store;
    then updated as :func:`update_tables` does, a gone row being kept when the new store still holds its
    triple (in a graph of the old store other than *graph_iri* and its old description), and every derived
    table made. The stamp is *new_store*'s build id (made before this runs). False when a relation has a
    blank node (no stable text): the caller then writes the tables in full from the new store. Below
    *min_actors* organisations (default :data:`kg.store.columnar.MIN_ACTORS`, the caller's value passed on:
    this runs in another interpreter) the new store has no tables. *ready*, when given, is called once the
    old store has been read, before *nq* is: it waits until *nq* is whole (the writer makes it meanwhile),
    and False (the writer gave up) ends this with False.
    """
    from pyoxigraph import NamedNode, Store

    from kg.store.columnar import tables_dir, write_tables

    old = Store.read_only(str(old_store))
    if fresh_tables(old_store) is None:  # its triples only: derived once, by the update
        write_tables(old, tables_dir(new_store), derive=False)
    elif not carry_tables(old_store, new_store):
        return False
    graph, meta = NamedNode(graph_iri), NamedNode(meta_iri)
    # the graph and its description, before and after (a description's label is a relation too)
    before = relation_rows(
        [
            *(
                q
                for iri in PREDICATES.values()
                for q in old.quads_for_pattern(None, NamedNode(iri), None, graph)
            ),
            *old.quads_for_pattern(graph, None, None, meta),
        ]
    )
    if before is None or (ready is not None and not ready()):
        return False
    after = nquads_relation_rows(nq)
    if after is None:
        return False

    def kept(q: Any) -> bool:  # (a gone row is not in the new description: it would be in *after*)
        return any(
            h.graph_name != graph and not (h.graph_name == meta and h.subject == graph)
            for h in old.quads_for_pattern(q.subject, q.predicate, q.object, None)
        )

    added = [after[k][0] for k in after.keys() - before.keys()]
    gone = [row for row, q in (before[k] for k in before.keys() - after.keys()) if not kept(q)]
    update_triples(new_store, added, gone, min_actors=min_actors)
    return True


def update_tables(store_path: str | Path, before: Rows, after: Rows) -> Path | None:
    """Bring the tables of the store at *store_path* up to date after one graph changed from *before* to
    *after* (:func:`relation_rows` of its old and new quads); the store is the new one, its tables (carried
    over from the old store) those of the old one.

    Returns
    -------
    Path or None
        The tables file; None when the store now holds fewer than :data:`kg.store.columnar.MIN_ACTORS`
        organisations (its tables are then removed, as :func:`kg.store.columnar.write_store_tables` does).
    """
    from pyoxigraph import Store

    added = [after[k][0] for k in after.keys() - before.keys()]
    gone = [before[k] for k in before.keys() - after.keys()]
    if gone:  # still in another graph: the union keeps it
        store = Store.read_only(str(store_path))
        gone = [
            (row, q)
            for row, q in gone
            if next(iter(store.quads_for_pattern(q.subject, q.predicate, q.object, None)), None) is None
        ]
        del store
    return update_triples(store_path, added, [row for row, _ in gone])


def end_steps_after(
    store_path: Path, before: Rows | None, quads: list, *, after: Any = ..., tables_done: bool = False
) -> None:
    """The store's end steps after one graph was written (:data:`kg.store.build.END_STEPS`), *quads* its new
    content: the relation tables updated from that graph's change when they were fresh before the write
    (*before*, from :func:`graph_relation_rows`), else written again from the whole store; not at all with
    *tables_done* (``kg import``'s writer updated them, :func:`import_tables`). *after*, when given, is
    :func:`relation_rows` of *quads*, computed beforehand.

    (Making the tables of a store that just grew past ``MIN_ACTORS`` from its other graphs and the new
    quads was tried: 4.25 s of CPU against 3.44 s for the full SPARQL scan after a 10,000-row import, the
    geography's relations being slower to read quad by quad than by pyoxigraph's query; so not kept.)"""
    from kg.store.build import END_STEPS
    from kg.store.columnar import write_store_tables

    for _name, end_step in END_STEPS:
        if end_step is write_store_tables and tables_done:
            continue
        if end_step is write_store_tables and before is not None:
            if after is ...:
                after = relation_rows(quads)
            if after is not None:
                try:
                    update_tables(store_path, before, after)
                    continue
                except OSError:
                    pass  # written again in full below
        end_step(store_path)


def graphs_relation_rows(store_path: str | Path, graphs: Any) -> Rows | None:
    """:func:`graph_relation_rows` of several graphs at once (what an incremental build replaces): their
    relations when the store's tables are fresh, else None (then the tables are written in full)."""
    out: Rows = {}
    for g in sorted(graphs):
        rows = graph_relation_rows(store_path, g)
        if rows is None:
            return None
        out.update(rows)
    return out


def carry_tables(old_store: str | Path, new_store: str | Path) -> bool:
    """Link the tables of the store at *old_store* into *new_store* (a checkpoint of it, whose tables
    :func:`update_tables` then brings up to date; it writes a new file, so the old store's stays as it
    is). False when there were none to link."""
    import os

    from kg.store.columnar import tables_dir

    src, dst = tables_dir(old_store), tables_dir(new_store)
    if not src.is_dir():
        return False
    dst.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        if f.is_file() and not f.name.endswith(".tmp"):
            os.link(f, dst / f.name)
    return True


def tables_change(store: str | Path, changed: set[str], quads: list) -> tuple[Rows, Rows] | None:
    """``(before, after)``: the relation rows of the *changed* graphs in the store at *store* and in *quads*
    (what :func:`update_tables` needs after an incremental build replaced those graphs), when the store's
    tables are fresh; else None (then they are written in full)."""
    before = graphs_relation_rows(store, changed)
    if before is None:
        return None
    after = relation_rows(q for q in quads if q.graph_name.value in changed)
    return None if after is None else (before, after)
