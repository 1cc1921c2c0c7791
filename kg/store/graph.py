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

**Values keep their meaning.** A value is bound as the RDF term it stands for: ``kg.IRI`` (or an
rdflib ``URIRef``, a pyoxigraph ``NamedNode``) an IRI; an rdflib or pyoxigraph ``Literal`` with its
language or datatype; ``int`` an ``xsd:integer``, ``Decimal`` an ``xsd:decimal``, ``float`` an
``xsd:double``, ``bool`` an ``xsd:boolean``, ``datetime.date`` an ``xsd:date``, ``datetime.datetime``
an ``xsd:dateTime``; a plain ``str`` a plain string (``xsd:string``). SPARQL compares terms, not
text: a plain ``str`` does **not** match a label stored in French (``"Le RAMEAU"@fr``); bind
``kg.fr("Le RAMEAU")`` (or ``kg.lang(text, "en")``), or compare ``STR(?label)`` in the query. The
named questions (:mod:`kg.store.queries`) take names, not terms: an ``actor`` parameter is looked up
among every label, case- and accent-insensitively, whatever its language.

**Answers** come as plain Python by default (IRIs and strings as ``str``, numbers as numbers);
``terms=True`` gives rdflib terms (languages and datatypes kept), :meth:`Graph.frame` a pandas
DataFrame with typed columns, and a CONSTRUCT or DESCRIBE an rdflib ``Graph``.
:meth:`Graph.rdflib` is a read-only rdflib ``Dataset`` over the store (:mod:`kg.store.rdflib_view`).

**Where the store is.** :func:`open` without a path takes ``KG_STORE`` (a store folder or an endpoint
URL), else the ``build/store`` of the nearest project folder from the current folder upwards (a folder
holding ``build/store`` beside ``pyproject.toml`` or ``data/``), so a notebook in any sub-folder finds it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import QueryError, StoreError
from kg.model.vocab import PREFIXES
from kg.store.terms import IRI, fr, lang, to_python, to_rdflib, to_term

__all__ = [
    "DEFAULT_STORE",
    "IRI",
    "STORE_ENV",
    "Graph",
    "Queryable",
    "Result",
    "bind",
    "find_store",
    "fr",
    "lang",
    "open",
    "open_store",
    "read_only_store",
    "to_python",
    "to_rdflib",
    "to_term",
]

DEFAULT_STORE = Path("build/store")
#: the environment variable naming the store folder (or an endpoint URL) :func:`open` takes by default
STORE_ENV = "KG_STORE"


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
    """A query's answer: ``form`` is select, ask or construct; ``value`` the rows, bool or triples.

    ``variables`` names the SELECT variables (``subject``, ``predicate``, ``object`` for a graph).
    """

    form: str
    variables: list[str]
    value: Any

    def frame(self):
        """The answer as a pandas DataFrame with typed columns (see :func:`kg.store.results.to_frame`)."""
        from kg.store.results import to_frame

        return to_frame(self)


class Queryable:
    """What a local :class:`Graph` and a :class:`kg.store.remote.RemoteGraph` answer alike.

    A subclass provides :meth:`run` (raw pyoxigraph terms when ``raw=True``); this class gives the
    answer its researcher-facing shapes: plain Python, rdflib terms, a DataFrame, an rdflib graph.
    """

    def run(self, sparql: str, *, raw: bool = False, **bindings: Any) -> Result:
        """Run *sparql* with *bindings*; the answer as a :class:`Result`."""
        raise NotImplementedError

    def query(self, sparql: str, *, raw: bool = False, terms: bool = False, **bindings: Any) -> Any:
        """Run a SPARQL query; keyword arguments are bound to the variables of the same name.

        Parameters
        ----------
        sparql : str
            The query; the project's prefixes (``tkg:``, ``org:``, ``schema:``, ``dct:``…) are known.
        raw : bool
            SELECT values as pyoxigraph terms; CONSTRUCT and DESCRIBE triples of them.
        terms : bool
            SELECT values as rdflib terms (``URIRef``, ``Literal`` with its language or datatype).
        **bindings
            Values bound to the query's variables (never pasted into its text); see :func:`to_term`.
            A plain ``str`` does not match a French label: bind ``kg.fr("…")``.

        Returns
        -------
        list of dict, bool or rdflib.Graph
            SELECT: one dict per row, values as plain Python (``str``, ``int``, ``Decimal``…) unless
            *raw* or *terms*; ASK: a bool; CONSTRUCT and DESCRIBE: an rdflib ``Graph`` (with the
            project's prefixes bound), or with *raw* a list of pyoxigraph ``(s, p, o)`` triples.

        Raises
        ------
        QueryError
            When the query does not parse (the message gives line and column), or a value cannot be
            bound.
        """
        result = self.run(sparql, raw=True, **bindings)
        if result.form == "ask":
            return result.value
        if result.form == "construct":
            return result.value if raw else _rdflib_graph(result.value)
        conv: Any = to_rdflib if terms else (lambda t: t) if raw else to_python
        return [{k: conv(v) for k, v in row.items()} for row in result.value]

    def frame(self, sparql: str, **bindings: Any):
        """Run a SELECT query; its rows as a pandas DataFrame with typed columns.

        Integers become ``Int64``, decimals and doubles ``float64``, booleans ``boolean``,
        ``xsd:date``/``xsd:dateTime`` ``datetime64``, a column of years only (``xsd:gYear``) a yearly
        ``Period``, of months only a monthly one; a column mixing date precisions stays ISO strings
        (no day is invented). IRIs and strings are ``str`` (languages dropped). pandas is an extra:
        ``pip install 'territorial-kg[notebook]'``.

        >>> import kg
        >>> kg.open().frame("SELECT ?amount WHERE { ?m schema:value ?amount }").dtypes["amount"]  # doctest: +SKIP
        dtype('float64')

        Raises
        ------
        QueryError
            For a query that is not a SELECT, or malformed.
        ExportError
            When pandas is not installed (the message says how to install it).
        """
        return self.run(sparql, raw=True, **bindings).frame()

    def rdflib(self, *, union: bool = False):
        """The rdflib view of a local store (:meth:`Graph.rdflib`); an endpoint has none.

        Raises
        ------
        StoreError
            Always, here: for an endpoint, use rdflib's own ``SPARQLStore`` (or :meth:`query` and
            :meth:`frame`, which work the same on an endpoint).
        """
        raise StoreError(
            f"{self!r} is a SPARQL endpoint: the rdflib view reads a local store (kg.open(path)); "
            'for an endpoint use rdflib\'s SPARQLStore: rdflib.Graph("SPARQLStore").open(url), '
            "or query() and frame(), which work the same here"
        )


def _rdflib_graph(triples: Any):
    """An rdflib Graph of pyoxigraph *triples*, with the project's prefixes bound."""
    from rdflib import Graph as RdfGraph

    g = RdfGraph()
    for prefix, iri in PREFIXES.items():
        g.bind(prefix, iri, override=True)
    for t in triples:
        g.add((to_rdflib(t[0]), to_rdflib(t[1]), to_rdflib(t[2])))
    return g


@dataclass
class Graph(Queryable):
    """A built Territorial KG store, opened for reading (and for writing by :mod:`kg.store.build`).

    Open one with :func:`open`; ask it with :meth:`query` (plain rows), :meth:`frame` (pandas),
    :meth:`run` (the :class:`Result`), or through rdflib with :meth:`rdflib`.
    """

    store: Any
    path: Path | None = None

    def run(self, sparql: str, *, raw: bool = False, **bindings: Any) -> Result:
        """Run *sparql*; the answer with its form and SELECT variables.

        Unlike :meth:`query`, a CONSTRUCT or DESCRIBE comes as a list of ``(s, p, o)`` tuples, and
        values are plain Python unless *raw* (pyoxigraph terms).

        Raises
        ------
        QueryError
            When the query does not parse (line and column given) or a value cannot be bound.
        """
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

    def rdflib(self, *, union: bool = False):
        """A read-only rdflib ``Dataset`` over this store (nothing is copied); with *union*, one rdflib
        ``Graph`` of the union of the named graphs (what to give pySHACL).

        Its default graph is the union of the named graphs, as for :meth:`query`; ``ds.graph(iri)``
        is one named graph. SPARQL (with ``initBindings``) runs on pyoxigraph; iteration, ``len``,
        pySHACL and serialisation work as on any rdflib graph. Any write raises
        :class:`kg.errors.StoreError`. See :mod:`kg.store.rdflib_view`.

        >>> ds = kg.open().rdflib()                                         # doctest: +SKIP
        >>> ds.query("SELECT ?a WHERE { ?a rdfs:label ?l }", initBindings={"l": kg.fr("Le RAMEAU")})  # doctest: +SKIP
        """
        from kg.store.rdflib_view import dataset, union_graph

        return union_graph(self.store) if union else dataset(self.store)

    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs in the store."""
        return sorted(g.value for g in self.store.named_graphs())

    def __len__(self) -> int:
        return len(self.store)


def read_only_store(path: str | Path, *, wait: float = 5.0) -> Any:
    """pyoxigraph's read-only handle on the store folder *path*, opened again while a writer deletes the files
    the opening was reading.

    A process that writes the store (the endpoint's update worker, an import) compacts it after each write and
    deletes the table files it replaced; a read-only handle opened meanwhile reads a manifest that names one of
    them and fails (``IO error: No such file or directory … 000028.sst … MANIFEST may be corrupted``: about one
    opening in five while a writer compacts in a loop). Once opened, the handle holds its files and reads the
    store as it was. Retried every 20 ms for up to *wait* seconds; any other error at once.
    """
    import time

    from pyoxigraph import Store

    deadline = time.monotonic() + wait
    while True:
        try:
            return Store.read_only(str(path))
        except (OSError, RuntimeError) as exc:
            if (
                "No such file or directory" not in str(exc)
                or not Path(path).is_dir()
                or time.monotonic() > deadline
            ):
                raise
        time.sleep(0.02)


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
        store = read_only_store(p) if read_only else Store(str(p))
    except (OSError, RuntimeError) as exc:
        raise StoreError(f'cannot open the graph store at "{p}": {exc}') from None
    return Graph(store, p)


def _is_url(where: Any) -> bool:
    return isinstance(where, str) and re.match(r"^https?://", where, re.IGNORECASE) is not None


def find_store(start: str | Path | None = None) -> str | Path:
    """Where :func:`open` finds the graph when given no path.

    ``KG_STORE`` first (a store folder or an endpoint URL); else the ``build/store`` of the nearest
    project folder from *start* (default: the current folder) upwards: a folder holding
    ``build/store`` beside ``pyproject.toml`` or ``data/``.

    Raises
    ------
    StoreError
        When ``KG_STORE`` names no store, or no project folder holds one; the message lists where it
        looked and how to fix it.
    """
    env = os.environ.get(STORE_ENV, "").strip()
    if env:
        if _is_url(env):
            return env
        p = Path(env).expanduser()
        if (p / "build" / "store").is_dir():  # the project folder itself
            p = p / "build" / "store"
        if not p.is_dir():
            raise StoreError(
                f'{STORE_ENV}="{env}" names no graph store (no folder {p}); set it to the build/store folder '
                'of a project where "kg build" ran, or to a SPARQL endpoint URL, or unset it'
            )
        return p
    here = Path(start or Path.cwd()).resolve()
    looked = []
    for folder in (here, *here.parents):
        candidate = folder / "build" / "store"
        looked.append(str(candidate))
        if candidate.is_dir() and ((folder / "pyproject.toml").is_file() or (folder / "data").is_dir()):
            return candidate
    shown = looked if len(looked) <= 4 else [*looked[:3], "…", looked[-1]]
    raise StoreError(
        f"no graph store found: {STORE_ENV} is not set, and no project folder from {here} upwards holds "
        f'build/store beside pyproject.toml or data/ (looked at {", ".join(shown)}); run "kg build" in '
        f"the project folder, set {STORE_ENV}=/path/to/build/store, or pass the path: "
        'kg.open("/path/to/build/store")'
    )


def open(where: str | Path | None = None, *, read_only: bool = True, **options: Any) -> Any:
    """Open the graph at *where*: a store folder written by ``kg build``, or a SPARQL endpoint URL.

    Parameters
    ----------
    where : path or str, optional
        A store folder, or an ``http://`` / ``https://`` URL of a SPARQL 1.1 query endpoint
        (``kg serve``, Oxigraph, Fuseki…). Default: ``KG_STORE``, else the ``build/store`` of the
        nearest project folder upwards (see :func:`find_store`).
    read_only : bool
        Open a local store read-only (default); ignored for an endpoint.
    **options
        For an endpoint, the options of :class:`kg.store.remote.RemoteGraph` (``timeout``,
        ``headers``, ``union_default_graph``, ``auth``).

    Returns
    -------
    Graph or kg.store.remote.RemoteGraph
        Both have ``query``, ``frame``, ``run``, ``named_graphs`` and ``len``.

    Raises
    ------
    StoreError
        When there is no store at the path, or none is found (the message says where it looked).
    TypeError
        For endpoint options given with a store folder.

    Examples
    --------
    >>> import kg
    >>> kg.open("build/store")                        # doctest: +SKIP
    >>> kg.open("http://127.0.0.1:7878/sparql")       # doctest: +SKIP
    RemoteGraph('http://127.0.0.1:7878/sparql')
    """
    if where is None:
        where = find_store()
    if _is_url(where):
        from kg.store.remote import RemoteGraph

        return RemoteGraph(str(where), **options)
    if options:  # a TypeError, as for any keyword argument a function does not take
        raise TypeError(
            f"options {', '.join(sorted(options))} are for an endpoint URL, not the store folder {where}; "
            "leave them out, or pass the endpoint's http(s) URL"
        )
    return open_store(where, read_only=read_only)
