"""RDF terms and Python values: what a bound value means, and what an answer's term becomes.

Re-exported by :mod:`kg.store.graph` (``kg.IRI``, ``kg.fr``, ``kg.lang``); the rules are in that
module's notes ("Values keep their meaning").
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from kg.errors import QueryError
from kg.model.vocab import XSD

__all__ = ["INTEGER_TYPES", "IRI", "fr", "lang", "plain_rows", "to_python", "to_rdflib", "to_term"]


class IRI(str):
    """Marks a string bound to a query variable as an IRI (a plain ``str`` binds as a literal)."""

    __slots__ = ()


_XSD = str(XSD)


_LANG_RE = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")


def lang(value: str, tag: str):
    """*value* as a literal in the language *tag* (an rdflib ``Literal``), to bind or compare.

    Raises
    ------
    QueryError
        When *tag* is not a language tag (``fr``, ``en``, ``fr-FR``…).

    Examples
    --------
    >>> lang("Le RAMEAU", "fr")
    rdflib.term.Literal('Le RAMEAU', lang='fr')
    """
    from rdflib import Literal

    if not isinstance(tag, str) or not _LANG_RE.match(tag):
        raise QueryError(f"{tag!r} is not a language tag; write one such as fr, en or fr-FR")
    return Literal(str(value), lang=tag)


def fr(value: str):
    """*value* as a French literal: the labels of the graph are French (``"Le RAMEAU"@fr``).

    A plain ``str`` is bound as a plain string, which SPARQL does not take as equal to
    ``"Le RAMEAU"@fr``; ``kg.fr("Le RAMEAU")`` is.

    >>> fr("Le RAMEAU")
    rdflib.term.Literal('Le RAMEAU', lang='fr')
    """
    return lang(value, "fr")


def _rdflib_kind(value: Any) -> str | None:
    """``"URIRef"``, ``"Literal"``, ``"BNode"``… for an rdflib term (rdflib itself is not imported)."""
    cls = type(value)
    return cls.__name__ if cls.__module__.startswith("rdflib") else None


def to_term(value: Any):
    """A Python value as a pyoxigraph term, keeping its meaning (see the module's notes).

    ``IRI``, rdflib ``URIRef`` and pyoxigraph ``NamedNode`` → IRI; rdflib and pyoxigraph literals
    keep their language and datatype; ``bool``, ``int``, ``Decimal``, ``float``, ``date`` and
    ``datetime`` → typed literals; ``str`` → a plain string.

    Raises
    ------
    QueryError
        For a blank node (SPARQL cannot bind one: bind its IRI), an invalid IRI or language, or a
        value of another type.

    Examples
    --------
    >>> import datetime
    >>> [str(to_term(v)) for v in (IRI("http://example.org/a"), 2020, datetime.date(2021, 3, 1), "x")]
    ['<http://example.org/a>', '"2020"^^<http://www.w3.org/2001/XMLSchema#integer>', '"2021-03-01"^^<http://www.w3.org/2001/XMLSchema#date>', '"x"']
    >>> str(to_term(fr("Le RAMEAU")))
    '"Le RAMEAU"@fr'
    """
    from pyoxigraph import BlankNode, Literal, NamedNode

    kind = _rdflib_kind(value)
    if isinstance(value, (NamedNode, Literal)):
        return value
    if isinstance(value, BlankNode) or kind == "BNode":
        raise QueryError(
            f"cannot bind the blank node {value}: SPARQL has no way to name one; bind an IRI or a literal"
        )
    if isinstance(value, IRI) or kind == "URIRef":
        try:
            return NamedNode(str(value))
        except ValueError as exc:
            raise QueryError(f"{str(value)!r} is not a valid IRI: {exc}") from None
    if kind == "Literal":
        try:
            if value.language:
                return Literal(str(value), language=value.language)
            if value.datatype:
                return Literal(str(value), datatype=NamedNode(str(value.datatype)))
        except ValueError as exc:
            raise QueryError(f"cannot bind the literal {value!r}: {exc}") from None
        return Literal(str(value))
    if isinstance(value, bool):
        return Literal("true" if value else "false", datatype=NamedNode(_XSD + "boolean"))
    if isinstance(value, int):
        return Literal(str(value), datatype=NamedNode(_XSD + "integer"))
    if isinstance(value, Decimal):
        return Literal(format(value, "f"), datatype=NamedNode(_XSD + "decimal"))
    if isinstance(value, float):
        return Literal(repr(value), datatype=NamedNode(_XSD + "double"))
    if isinstance(value, dt.datetime):
        return Literal(value.isoformat(), datatype=NamedNode(_XSD + "dateTime"))
    if isinstance(value, dt.date):
        return Literal(value.isoformat(), datatype=NamedNode(_XSD + "date"))
    if isinstance(value, str):
        return Literal(value)
    raise QueryError(
        f"cannot bind {value!r} of type {type(value).__name__}; pass a str, int, float, Decimal, bool, "
        "date, datetime, kg.IRI, kg.fr(…) or an rdflib / pyoxigraph term"
    )


def to_python(term: Any) -> Any:
    """A pyoxigraph term as plain Python: IRIs and strings as ``str``, numbers as numbers.

    Languages and datatypes are dropped (dates stay ISO strings); use :func:`to_rdflib` to keep them.
    """
    if term is None:
        return None
    cls = type(term).__name__
    if cls in ("NamedNode", "BlankNode"):
        return term.value
    if cls == "Literal":
        dtype = term.datatype.value
        v = term.value
        try:
            if dtype in INTEGER_TYPES:
                return int(v)
            if dtype == _XSD + "decimal":
                return Decimal(v)
            if dtype in (_XSD + "double", _XSD + "float"):
                return float(v)
            if dtype == _XSD + "boolean":
                return v in ("true", "1")
        except (ValueError, ArithmeticError):
            return v
        return v
    return str(term)


#: the XSD datatypes whose values are integers
INTEGER_TYPES = {
    _XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
}


def to_rdflib(term: Any):
    """A pyoxigraph term as the rdflib term rdflib itself would make of it.

    A literal typed ``xsd:string`` becomes a plain ``Literal`` (as rdflib parses ``"EUR"``), so it is
    equal to ``Literal("EUR")``; languages and datatypes are kept.

    >>> from pyoxigraph import Literal, NamedNode
    >>> to_rdflib(Literal("EUR")), to_rdflib(Literal("Le RAMEAU", language="fr"))
    (rdflib.term.Literal('EUR'), rdflib.term.Literal('Le RAMEAU', lang='fr'))
    >>> to_rdflib(NamedNode("http://example.org/a"))
    rdflib.term.URIRef('http://example.org/a')
    """
    if term is None:
        return None
    from rdflib import BNode, Literal, URIRef

    cls = type(term).__name__
    if cls == "NamedNode":
        return URIRef(term.value)
    if cls == "BlankNode":
        return BNode(term.value)
    if cls == "Literal":
        if term.language:
            return Literal(term.value, lang=term.language)
        dtype = term.datatype.value
        if dtype == _XSD + "string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dtype))
    if cls == "Triple":  # RDF-star
        return (to_rdflib(term.subject), to_rdflib(term.predicate), to_rdflib(term.object))
    if cls == "DefaultGraph":
        from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

        return DATASET_DEFAULT_GRAPH_ID
    raise QueryError(f"cannot convert {term!r} to an rdflib term")


def plain_rows(rows: Any, convert: Any) -> list[dict[str, Any]]:
    """*rows* (dicts of terms) with each value through *convert*, made once per term object: the rows of one
    answer share their terms (an actor's rows, its label's), and no id is reused while *rows* holds them.

    >>> term = object(); calls = []
    >>> plain_rows([{"a": term}, {"b": term}], lambda v: calls.append(v) or "x"), len(calls)
    ([{'a': 'x'}, {'b': 'x'}], 1)
    """
    made: dict[int, Any] = {}
    out = []
    for row in rows:
        values = {}
        for k, v in row.items():
            key = id(v)
            if key in made:
                values[k] = made[key]
            else:
                values[k] = made[key] = convert(v)
        out.append(values)
    return out
