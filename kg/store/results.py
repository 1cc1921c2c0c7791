"""Writing query results: CSV, JSON, SPARQL 1.1 JSON results, rows for a table, a pandas DataFrame.

Each function takes a :class:`kg.store.graph.Result` whose values are *raw* pyoxigraph terms
(``graph.run(..., raw=True)``) and returns text, or (:func:`to_frame`) a DataFrame.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from kg.errors import ExportError, QueryError
from kg.model.vocab import XSD, shorten
from kg.store.graph import Result, to_python
from kg.store.terms import INTEGER_TYPES, plain_rows

__all__ = ["FORMATS", "render", "table_rows", "text_table", "to_csv", "to_frame", "to_json", "to_sparql_json"]

FORMATS = ("table", "csv", "json", "sparql-json")
_XSD_STRING = str(XSD.string)


def _term_json(term: Any) -> dict[str, str] | None:
    if term is None:
        return None
    cls = type(term).__name__
    if cls == "NamedNode":
        return {"type": "uri", "value": term.value}
    if cls == "BlankNode":
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != _XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _term_text(term: Any, quote: Any) -> str:
    """:func:`_term_json` of a bound *term* as JSON text (*quote*: a JSON string's encoder)."""
    cls = type(term).__name__
    if cls == "NamedNode":
        return '{"type": "uri", "value": ' + quote(term.value) + "}"
    if cls == "BlankNode":
        return '{"type": "bnode", "value": ' + quote(term.value) + "}"
    text = '{"type": "literal", "value": ' + quote(term.value)
    if term.language:
        return text + ', "xml:lang": ' + quote(term.language) + "}"
    if term.datatype.value != _XSD_STRING:
        return text + ', "datatype": ' + quote(term.datatype.value) + "}"
    return text + "}"


def to_sparql_json(result: Result) -> str:
    """SPARQL 1.1 Query Results JSON (SELECT and ASK)."""
    if result.form == "ask":
        return json.dumps({"head": {}, "boolean": result.value})
    rows = result.value
    if result.form == "construct":
        rows = [dict(zip(result.variables, t, strict=False)) for t in rows]
    # written as text, each binding's JSON made once per term object (the columnar answers share one term
    # for an actor's rows, its kind, its reasons): the same text as json.dumps of the whole document, where
    # building a dict per value and encoding 128,452 rows took 2 s (a région's actors at 100,000)
    from json.encoder import encode_basestring as quote  # type: ignore[attr-defined]

    keys: dict[str, str] = {}
    made: dict[int, str] = {}
    out = []
    for row in rows:
        items = []
        for k, v in row.items():
            if v is None:
                continue
            text = made.get(id(v))
            if text is None:
                text = made[id(v)] = _term_text(v, quote)
            key = keys.get(k)
            if key is None:
                key = keys[k] = quote(k) + ": "
            items.append(key + text)
        out.append("{" + ", ".join(items) + "}")
    head = json.dumps({"head": {"vars": result.variables}}, ensure_ascii=False)
    return head[:-1] + ', "results": {"bindings": [' + ", ".join(out) + "]}}"


def _plain(value: Any) -> Any:
    v = to_python(value)
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def _rows(result: Result) -> list[dict[str, Any]]:
    if result.form == "ask":
        return [{"answer": result.value}]
    if result.form == "construct":
        return [dict(zip(result.variables, (_plain(x) for x in t), strict=False)) for t in result.value]
    return plain_rows(result.value, _plain)  # each term object's plain value made once


def to_json(result: Result) -> str:
    """A JSON list of objects, one per row, values as plain JSON."""
    return json.dumps(_rows(result), ensure_ascii=False, indent=2)


def to_csv(result: Result, *, delimiter: str = ",") -> str:
    """CSV with a header row (UTF-8 text; empty cells for unbound values)."""
    buf = io.StringIO()
    names = ["answer"] if result.form == "ask" else result.variables
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    w.writerow(names)
    w.writerows([["" if (v := row.get(n)) is None else v for n in names] for row in _rows(result)])
    return buf.getvalue()


def table_rows(result: Result) -> tuple[list[str], list[list[str]]]:
    """Header and rows of strings for a readable table (IRIs shortened with the project prefixes)."""
    names = ["answer"] if result.form == "ask" else result.variables
    out = []
    for row in _rows(result):
        cells = []
        for n in names:
            v = row.get(n)
            if v is None:
                cells.append("")
            elif isinstance(v, str) and v.startswith(("http://", "https://")):
                cells.append(shorten(v))
            else:
                cells.append(str(v))
        out.append(cells)
    return names, out


def text_table(names: list[str], rows: list[list[str]], width: int = 80) -> str:
    """*rows* of strings under *names* as a plain table of fixed-width columns, at most *width* characters
    wide when it can (a cell too long for its column cut with « … », one line per row).

    The CLI draws a long answer with it: its boxed table (rich) measured and wrapped every cell, 8 s of CPU
    for a région's 13,033 actors at 10,000 actors, minutes at 100,000.

    Examples
    --------
    >>> print(text_table(["a", "b"], [["x", "un long texte"]], width=12))
    a  b
    -  ---------
    x  un long …
    """
    natural = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    widths = list(natural)
    room = width - 2 * (len(names) - 1)
    while sum(widths) > room and max(widths) > 8:  # shrink the widest column, one character at a time
        widths[widths.index(max(widths))] -= 1

    def line(cells: list[str]) -> str:
        out = [c if len(c) <= w else c[: w - 1] + "…" for c, w in zip(cells, widths, strict=True)]
        return "  ".join(c.ljust(w) for c, w in zip(out, widths, strict=True)).rstrip()

    return "\n".join([line(names), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def render(result: Result, fmt: str) -> str:
    """*result* as text in *fmt* (csv, json, sparql-json); the table is drawn by the CLI."""
    if fmt == "csv":
        return to_csv(result)
    if fmt == "json":
        return to_json(result)
    if fmt == "sparql-json":
        return to_sparql_json(result)
    raise QueryError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


_X = str(XSD)
_INTEGER_TYPES = INTEGER_TYPES
_NUMBER_TYPES = _INTEGER_TYPES | {_X + "decimal", _X + "double", _X + "float"}


def _column_kind(terms: list[Any]) -> str:
    """How a column of pyoxigraph terms (None for unbound) is typed in a DataFrame."""
    kinds = set()
    for t in terms:
        if t is None:
            continue
        if type(t).__name__ != "Literal" or t.language:
            return "text"
        kinds.add(t.datatype.value)
    if not kinds:
        return "text"
    if kinds <= _INTEGER_TYPES:
        return "integer"
    if kinds <= _NUMBER_TYPES:
        return "number"
    if len(kinds) == 1:
        return {
            _X + "boolean": "boolean",
            _X + "date": "date",
            _X + "dateTime": "datetime",
            _X + "gYear": "year",
            _X + "gYearMonth": "month",
        }.get(kinds.pop(), "text")
    return "text"


def _column(terms: list[Any], pd: Any) -> Any:
    kind = _column_kind(terms)
    values = [to_python(t) for t in terms]
    try:
        if kind == "integer":
            return pd.array(values, dtype="Int64")
        if kind == "number":
            return pd.array([None if v is None else float(v) for v in values], dtype="float64")
        if kind == "boolean":
            return pd.array(values, dtype="boolean")
        if kind in ("date", "datetime"):
            return pd.to_datetime(pd.Series(values, dtype="object"), format="ISO8601")
        if kind in ("year", "month"):
            freq = "Y" if kind == "year" else "M"
            return pd.array([pd.NaT if v is None else pd.Period(v, freq=freq) for v in values])
    except (ValueError, TypeError, OverflowError):  # an ill-typed literal: keep the text
        pass
    return pd.Series(values, dtype="object")


def to_frame(result: Result):
    """A SELECT (or CONSTRUCT) answer as a pandas DataFrame, one column per variable, typed.

    Column types: every value an integer → ``Int64``; numbers (decimal amounts included) →
    ``float64``; booleans → ``boolean``; ``xsd:date`` / ``xsd:dateTime`` → ``datetime64``; years only
    (``xsd:gYear``) → ``period[Y]``, months only → ``period[M]``; anything else, a column mixing date
    precisions (``2019`` beside ``2019-06-30``, so no day is invented) or holding IRIs or labels →
    ``str`` values (languages dropped: use ``query(..., terms=True)`` to keep them). Unbound → missing.

    Raises
    ------
    QueryError
        For an ASK answer (a bool, not a table).
    ExportError
        When pandas is not installed.
    """
    try:
        import pandas as pd
    except ImportError:
        raise ExportError(
            "a DataFrame needs pandas, which is not installed: pip install 'territorial-kg[notebook]' "
            "(or pip install pandas)"
        ) from None
    if result.form == "ask":
        raise QueryError("an ASK query answers with a bool, not a table; use query() for it, or a SELECT")
    rows = result.value
    if result.form == "construct":
        rows = [dict(zip(result.variables, t, strict=False)) for t in rows]
    columns = {name: _column([row.get(name) for row in rows], pd) for name in result.variables}
    return pd.DataFrame(columns, columns=result.variables)
