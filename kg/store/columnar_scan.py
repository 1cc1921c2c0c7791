"""What :func:`kg.store.columnar.write_tables` reads from a store: the distinct triples of one predicate in
the union of the named graphs, as rows ``(s, lex, dt, lang, o)`` (terms in N-Triples form, a literal's parts
beside it) or, for IRIs and blank nodes, as a SPARQL TSV file that pyoxigraph writes itself (no Python
object per row) and DuckDB reads (:data:`READ_TSV`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["LITERAL_PREDICATES", "READ_TSV", "scan", "scan_nodes"]

#: the predicates whose objects are literals (their parts go in their own columns); the others' objects are
#: IRIs or blank nodes, read by :func:`scan_nodes` (a literal among them still by :func:`scan`)
LITERAL_PREDICATES = frozenset({"label", "startDate", "endDate", "foundingDate", "value", "prefLabel"})

READ_TSV = (
    "read_csv(?, delim = '\t', header = true, quote = '', escape = '', all_varchar = true, "
    "columns = {'s': 'VARCHAR', 'o': 'VARCHAR'})"
)


def _pattern(predicate: str, objects: tuple[str, ...], literals: bool | None) -> str:
    values = f"VALUES ?o {{ {' '.join(f'<{o}>' for o in objects)} }}" if objects else ""
    keep = "" if literals is None else f"FILTER({'' if literals else '!'}isLiteral(?o))"
    return f"SELECT DISTINCT ?s ?o WHERE {{ {values} ?s <{predicate}> ?o {keep} }}"


def scan_nodes(store: Any, predicate: str, objects: tuple[str, ...], path: Path) -> bool:
    """Write ``s``, ``o`` (N-Triples) of every distinct triple with *predicate* (and one of *objects*) whose
    object is not a literal, in the union of the named graphs, to *path* as SPARQL TSV (pyoxigraph's
    own serialiser: no Python term per row); False (and no file) when there is none."""
    from pyoxigraph import QueryResultsFormat

    with path.open("wb") as f:
        store.query(_pattern(predicate, objects, False), use_default_graph_as_union=True).serialize(
            f, QueryResultsFormat.TSV
        )
    with path.open("rb") as f:
        f.readline()  # the header, ?s ?o
        if f.read(1):
            return True
    path.unlink()
    return False


def scan(
    store: Any, predicate: str, objects: tuple[str, ...] = (), *, literals: bool | None = None
) -> list[tuple[str, str | None, str | None, str | None, str]]:
    """``(s, lex, dt, lang, o)`` of every distinct triple with *predicate* (and one of *objects*, when
    given) in the union of the named graphs (only those whose object is a literal, or is not, when
    *literals* says so)."""
    from pyoxigraph import Literal

    rows: list[tuple[str, str | None, str | None, str | None, str]] = []
    q = _pattern(predicate, objects, literals)
    for sol in store.query(q, use_default_graph_as_union=True):
        s, o = sol["s"], sol["o"]
        if isinstance(o, Literal):
            lang = o.language
            dt = None if lang else o.datatype.value
            rows.append((str(s), o.value, dt, lang, str(o)))
        else:
            rows.append((str(s), None, None, None, str(o)))
    return rows
