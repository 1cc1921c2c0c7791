"""``ecosystem-as-of`` on the columnar path: which relations of the tables still held at a date.

:mod:`kg.store.columnar` writes every row the ``.rq`` file can give, in its order (``eco_rows``), with the
dates that make a relation's ends absent (``since_max``, ``ends``); the SQL here keeps those that hold at
``$date`` and turns them into the ``.rq``'s terms.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ECOSYSTEM_AS_OF", "ecosystem_as_of", "sql"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

#: the rows of ``ecosystem-as-of.rq`` at ``$date``, by their ids in the tables
ECOSYSTEM_AS_OF = """
WITH
absent AS (
  SELECT e FROM since_max WHERE v > $date
  UNION SELECT e FROM ends WHERE substr($date, 1, length(v)) > v
),
kept AS (
  SELECT DISTINCT rel FROM eco_pairs
  WHERE x NOT IN (SELECT e FROM absent) AND y NOT IN (SELECT e FROM absent)
)
SELECT node, llex, lt, sid, eid, kd
FROM eco_rows
WHERE rel IN (SELECT rel FROM kept)
  AND (skey IS NULL OR skey <= $date)
  AND (ekey IS NULL OR substr($date, 1, length(ekey)) <= ekey)
ORDER BY ord
"""


#: the kind and dating of a row of ecosystem-as-of by its ``kd`` (``eco_rows``): kind * 2 + dating
_KINDS = ("programme", "adhésion / participation", "financement", "soutien")
_DATINGS = ("date connue", "date inconnue")


def ecosystem_as_of(
    con: Any, bindings: dict[str, Any], term: Any, string: Any
) -> tuple[list[str], list[dict[str, Any]]]:
    from pyoxigraph import BlankNode, Literal, NamedNode

    rows = con.execute(*sql(bindings)).fetchall()
    dates = {
        i: term(o, lex, dt, lang) for i, o, lex, dt, lang in con.execute("SELECT * FROM eco_dates").fetchall()
    }
    dates[None] = None
    kinds = [(string(k), string(d)) for k in _KINDS for d in _DATINGS]
    label_kinds = {}
    for i, dt, lang in con.execute("SELECT id, ldt, llang FROM eco_lt").fetchall():
        if lang:
            label_kinds[i] = {"language": lang}
        elif dt and dt != _XSD_STRING:
            label_kinds[i] = {"datatype": NamedNode(dt)}
        else:
            label_kinds[i] = {}
    out = []
    for node, llex, lt, sid, eid, kd in rows:
        kind, dating = kinds[kd]
        how = label_kinds[lt]
        out.append(
            {
                "kind": kind,
                "node": NamedNode(node[1:-1]) if node[0] == "<" else BlankNode(node[2:]),
                "label": Literal(llex, **how) if how else Literal(llex),
                "start": dates[sid],
                "end": dates[eid],
                "dating": dating,
            }
        )
    return ["kind", "node", "label", "start", "end", "dating"], out


def sql(bindings: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The SQL of ``ecosystem-as-of`` and its parameters, from the bound parameters."""
    return ECOSYSTEM_AS_OF, {"date": str(bindings["date"])}
