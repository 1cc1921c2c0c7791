"""The built graph, opened for querying: ``kg.open(path_or_url).query(sparql, **bindings)``.

:func:`open` opens a store written by ``kg build`` (a folder) or a SPARQL 1.1 endpoint (an
``http(s)://`` URL, as a :class:`kg.store.remote.RemoteGraph`); both answer the same calls.

Values are *bound* to query variables (a ``VALUES`` block of RDF terms serialised by
pyoxigraph, see :func:`bind`), never pasted into the query text::

    >>> import kg
    >>> graph = kg.open()                                              # doctest: +SKIP
    >>> graph.query("SELECT ?label WHERE { ?a rdfs:label ?label }",
    ...             a=kg.IRI("https://w3id.org/territorial-kg/id/actor/le-rameau"))  # doctest: +SKIP
    [{'label': 'Le RAMEAU'}]

Every query sees the union of all named graphs as its default graph, and the project's
prefixes are predeclared.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from kg.errors import QueryError, StoreError
from kg.model.vocab import PREFIXES, XSD

__all__ = ["DEFAULT_STORE", "IRI", "Graph", "Result", "bind", "open", "open_store", "to_python", "to_term"]

DEFAULT_STORE = Path("build/store")


class IRI(str):
    """Marks a string bound to a query variable as an IRI (a plain ``str`` binds as a literal)."""

    __slots__ = ()


_XSD = str(XSD)


def to_term(value: Any):
    """A Python value as a pyoxigraph term (``IRI``/``NamedNode`` → IRI, others → typed literal)."""
    from pyoxigraph import BlankNode, Literal, NamedNode

    if isinstance(value, (NamedNode, Literal, BlankNode)):
        return value
    if isinstance(value, IRI) or type(value).__name__ == "URIRef":
        try:
            return NamedNode(str(value))
        except ValueError as exc:
            raise QueryError(f"{str(value)!r} is not a valid IRI: {exc}") from None
    if isinstance(value, bool):
        return Literal("true" if value else "false", datatype=NamedNode(_XSD + "boolean"))
    if isinstance(value, int):
        return Literal(str(value), datatype=NamedNode(_XSD + "integer"))
    if isinstance(value, Decimal):
        return Literal(format(value, "f"), datatype=NamedNode(_XSD + "decimal"))
    if isinstance(value, float):
        return Literal(repr(value), datatype=NamedNode(_XSD + "double"))
    if isinstance(value, dt.date):
        return Literal(value.isoformat(), datatype=NamedNode(_XSD + "date"))
    if isinstance(value, str):
        return Literal(value)
    raise QueryError(
        f"cannot bind {value!r} of type {type(value).__name__}; pass a str, number, date or kg.IRI"
    )


def to_python(term: Any) -> Any:
    """A pyoxigraph term as plain Python: IRIs and strings as ``str``, numbers as numbers."""
    if term is None:
        return None
    cls = type(term).__name__
    if cls in ("NamedNode", "BlankNode"):
        return term.value
    if cls == "Literal":
        dtype = term.datatype.value
        v = term.value
        try:
            if dtype in (_XSD + "integer", _XSD + "int", _XSD + "long", _XSD + "nonNegativeInteger"):
                return int(v)
            if dtype == _XSD + "decimal":
                return Decimal(v)
            if dtype in (_XSD + "double", _XSD + "float"):
                return float(v)
            if dtype == _XSD + "boolean":
                return v == "true"
        except ValueError:
            return v
        return v
    return str(term)


def _where_brace(query: str) -> int:
    """Index of the ``{`` opening the outermost WHERE group (lexed by :func:`kg.store.guard.tokens`:
    IRIs, strings and comments are skipped)."""
    from kg.store.guard import tokens

    depth, braces, words = 0, [], []
    for tok in tokens(query):
        if tok.kind == "punct" and tok.text == "{":
            if depth == 0:
                braces.append(tok.pos)
            depth += 1
        elif tok.kind == "punct" and tok.text == "}":
            depth -= 1
        elif tok.kind == "word" and not braces:
            words.append(tok.text.upper())
    if not braces:
        raise QueryError("the query has no WHERE group { … } to bind values into")
    if "CONSTRUCT" in words and words[-1] != "WHERE" and len(braces) > 1:
        return braces[1]  # CONSTRUCT { template } WHERE { … }
    return braces[0]


def bind(query: str, bindings: dict[str, Any]) -> str:
    """Bind *bindings* to the variables of *query* with a ``VALUES`` block.

    Each value becomes an RDF term first (:func:`to_term`), serialised by pyoxigraph
    (escaped N-Triples syntax), so a value can never change the query's structure.

    >>> bind("SELECT ?l WHERE { ?s rdfs:label ?l }", {"s": IRI("http://example.org/a")})
    'SELECT ?l WHERE { VALUES ( ?s ) { ( <http://example.org/a> ) } ?s rdfs:label ?l }'
    """
    if not bindings:
        return query
    for name in bindings:
        if not _VAR_RE.match(name):
            raise QueryError(f"{name!r} is not a SPARQL variable name; use letters, digits and _")
    at = _where_brace(query) + 1
    names = " ".join(f"?{k}" for k in bindings)
    values = " ".join(str(to_term(v)) for v in bindings.values())
    return f"{query[:at]} VALUES ( {names} ) {{ ( {values} ) }}{query[at:]}"


_VAR_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_POS_RE = re.compile(r"error at (\d+):(\d+): ")


def syntax_message(error: str, original: str, bound: str) -> str:
    """A parser error as "line L, column C: …", positions given in the *original* query text.

    >>> syntax_message("error at 1:26: expected one of LATERAL", "SELECT ?s WHERE { ?s ?p }", "SELECT ?s WHERE { ?s ?p }")
    'SPARQL syntax error at line 1, column 26: expected one of LATERAL'
    """
    m = _POS_RE.match(error)
    if not m:
        return f"SPARQL syntax error: {error}"
    line, col = int(m.group(1)), int(m.group(2))
    extra = len(bound) - len(original)
    if extra:  # the VALUES block was inserted on one line: shift positions after it back
        at = (
            next(i for i, (a, b) in enumerate(zip(original, bound, strict=False)) if a != b)
            if original != bound[: len(original)]
            else len(original)
        )
        ins_line = original.count("\n", 0, at) + 1
        ins_col = at - (original.rfind("\n", 0, at) + 1) + 1
        if line == ins_line and col > ins_col:
            col = max(ins_col, col - extra)
    detail = error[m.end() :].split("\n")[0]
    if len(detail) > 200:
        detail = detail[:200] + "…"
    return f"SPARQL syntax error at line {line}, column {col}: {detail}"


@dataclass(frozen=True)
class Result:
    """A query's answer: ``form`` is select, ask or construct; ``value`` the rows, bool or triples."""

    form: str
    variables: list[str]
    value: Any


@dataclass
class Graph:
    """A built Territorial KG store, opened for reading (and for writing by :mod:`kg.store.build`)."""

    store: Any
    path: Path | None = None

    def query(self, sparql: str, *, raw: bool = False, **bindings: Any) -> Any:
        """Run a SPARQL query; keyword arguments are bound to the variables of the same name.

        Returns a list of dicts (SELECT; values as plain Python unless ``raw``), a bool (ASK)
        or a list of (s, p, o) tuples (CONSTRUCT/DESCRIBE).

        Raises
        ------
        QueryError
            When the query does not parse (the message gives line and column).
        """
        return self.run(sparql, raw=raw, **bindings).value

    def run(self, sparql: str, *, raw: bool = False, **bindings: Any) -> Result:
        """Like :meth:`query`, but also says the query form and the SELECT variables."""
        from pyoxigraph import QueryBoolean, QuerySolutions

        bound = bind(sparql, bindings)
        try:
            from kg.store.guard import has_dataset_clause

            # the default graph is the union of the named graphs, unless the query names its dataset (FROM)
            result = self.store.query(
                bound, prefixes=PREFIXES, use_default_graph_as_union=not has_dataset_clause(bound)
            )
        except SyntaxError as exc:
            raise QueryError(syntax_message(str(exc), sparql, bound)) from None
        except OSError as exc:
            raise QueryError(f"the query failed: {exc}") from None
        conv = (lambda t: t) if raw else to_python
        if isinstance(result, QueryBoolean):
            return Result("ask", [], bool(result))
        if isinstance(result, QuerySolutions):
            names = [v.value for v in result.variables]
            return Result("select", names, [{n: conv(sol[n]) for n in names} for sol in result])
        return Result(
            "construct",
            ["subject", "predicate", "object"],
            [(conv(t.subject), conv(t.predicate), conv(t.object)) for t in result],
        )

    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs in the store."""
        return sorted(g.value for g in self.store.named_graphs())

    def __len__(self) -> int:
        return len(self.store)


def open_store(path: str | Path = DEFAULT_STORE, *, read_only: bool = True) -> Graph:
    """Open a store written by ``kg build``.

    Raises
    ------
    StoreError
        When there is no store at *path*.
    """
    from pyoxigraph import Store

    p = Path(path)
    if not p.is_dir():
        raise StoreError(f'no graph store at "{p}"; run "kg build" first (or pass the path of a built store)')
    try:
        store = Store.read_only(str(p)) if read_only else Store(str(p))
    except OSError as exc:
        raise StoreError(f'cannot open the graph store at "{p}": {exc}') from None
    return Graph(store, p)


def open(where: str | Path | None = None, *, read_only: bool = True, **options: Any) -> Any:
    """Open the graph at *where*: a store folder written by ``kg build``, or a SPARQL endpoint URL.

    Parameters
    ----------
    where : path or str, optional
        A folder (default ``build/store``), or an ``http://`` / ``https://`` URL of a SPARQL 1.1
        query endpoint (``kg serve``, Oxigraph, Fuseki…).
    read_only : bool
        Open a local store read-only (default); ignored for an endpoint.
    **options
        For an endpoint, the options of :class:`kg.store.remote.RemoteGraph` (``timeout``,
        ``headers``, ``union_default_graph``).

    Returns
    -------
    Graph or kg.store.remote.RemoteGraph
        Both have ``query``, ``run``, ``named_graphs`` and ``len``.

    Raises
    ------
    StoreError
        When there is no store at the path.

    Examples
    --------
    >>> import kg
    >>> kg.open("build/store")                        # doctest: +SKIP
    >>> kg.open("http://127.0.0.1:7878/sparql")       # doctest: +SKIP
    RemoteGraph('http://127.0.0.1:7878/sparql')
    """
    if isinstance(where, str) and re.match(r"^https?://", where, re.IGNORECASE):
        from kg.store.remote import RemoteGraph

        return RemoteGraph(where, **options)
    if options:
        raise TypeError(f"options {', '.join(sorted(options))} are for an endpoint URL, not a store folder")
    return open_store(DEFAULT_STORE if where is None else where, read_only=read_only)
