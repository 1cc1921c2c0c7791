"""The graph on a SPARQL 1.1 server, queried like the embedded store.

:class:`RemoteGraph` offers the API of :class:`kg.store.graph.Graph` (``query`` and ``run``,
values bound with :func:`kg.store.graph.bind`), so :mod:`kg.store.queries`, :mod:`kg.network.projection` and
:mod:`kg.network.chains` work unchanged against ``kg serve``, Oxigraph, Fuseki, GraphDB, Virtuoso or QLever::

    >>> from kg.store.remote import RemoteGraph
    >>> g = RemoteGraph("http://127.0.0.1:7878/query")                      # doctest: +SKIP
    >>> g.query("SELECT ?l WHERE { ?a rdfs:label ?l }", a=kg.IRI("https://w3id.org/territorial-kg/id/actor/le-rameau"))  # doctest: +SKIP
    [{'l': 'Le RAMEAU'}]

Queries are sent with the project's ``PREFIX`` declarations they use and do not declare prepended (a
remote server does not know them), as a UTF-8 form (``charset=UTF-8`` said in the Content-Type), and answers
(SPARQL JSON results, N-Triples graphs) are parsed by pyoxigraph into the same terms the embedded
store returns. Loading a graph into a server is :func:`kg.store.gsp.load_to_endpoint`.

**Union default graph.** The embedded store queries the union of its named graphs. A
remote server's default graph may be something else (Oxigraph's server: its own default
graph unless started with ``--union-default-graph``; Fuseki: the unnamed graph unless
``tdb2:unionDefaultGraph``; Virtuoso: every graph, its own system graphs included). So by
default :class:`RemoteGraph` makes every query union-safe itself: it lists the server's named
graphs of this project (IRIs under ``https://w3id.org/territorial-kg/graph/``; Virtuoso's
system graphs and other data sets on a shared server stay out) once and sends them all as the
protocol's ``default-graph-uri`` *and* ``named-graph-uri`` (a POST form, so the URL stays
short), which any SPARQL 1.1 server must honour. Pass ``union_default_graph=True`` when the
server is known to query the union already (then nothing is added). Queries with their own
``FROM`` are sent as they are. Virtuoso is the exception, recognised by its ``Server`` header: its
default graph is the union of its graphs, and Virtuoso 7.2 answers wrongly when a transitive path
(``dct:isPartOf*``) meets an alternative or a UNION over a dataset of several default graphs
(``actors-of-territory`` finds 1 actor of 11), so by default nothing is added there either; its
system graphs then join the union (they share no term with the project's questions). ``len()``
counts the triples of the project's named graphs on every server.

**Long answers are paged, never cut.** Servers cap answers: ``kg serve`` at its
``max_returned_rows`` (saying so with the header ``X-KG-Truncated: true``), Virtuoso at its
``ResultSetMaxRows`` (10,000 in Debian's ``virtuoso.ini``; it sends ``X-SPARQL-MaxRows`` with any answer
that reaches it, cut or not).
When a SELECT answer comes back flagged as cut, :class:`RemoteGraph` asks again page by page, each
page as large as the cap the server showed. On Virtuoso (and any server but ``kg serve``)::

    PREFIX …                                       (the query's own prologue, hoisted)
    SELECT ?v1 … ?vn WHERE { {
        <the query> ORDER BY <its own keys> ?v1 … ?vn     (every projected variable appended)
    } } LIMIT <cap> OFFSET <k * cap>

The inner ORDER BY keeps the query's own order and makes it total (rows equal on every
variable are interchangeable), so the pages neither overlap nor miss a row. It stays inside a
sub-select because Virtuoso refuses a top-level ORDER BY with an OFFSET past its
``MaxSortedTopRows`` (error SR353); both Oxigraph and Virtuoso keep a sub-select's order. (Virtuoso 7.2
sorts a sub-select on a variable bound to long strings by their first ~20 bytes, then by its internal
ids: a total order, so the pages are still complete and disjoint, but two labels that share their first
20 bytes may come back swapped; ``ORDER BY STR(?label)`` sorts them exactly.) On ``kg serve``
no key is added (the same sub-select, with the query's own ORDER BY only): pyoxigraph evaluates a query
the same way each time, and an ORDER BY over a disk store is slow there (~10 s for 35,000 IRIs, past the
time limit); the first page is checked against the first answer, and the pages are ordered when they
differ. A query
with its own ``LIMIT``/``OFFSET`` or a trailing ``VALUES`` is not rewritten: its cut answer raises
:class:`kg.errors.EndpointError` (so does a cut CONSTRUCT/DESCRIBE), never a silent truncation.

**Credentials** (:func:`credentials`): ``KG_ENDPOINT_AUTH`` (``basic:USER:PASSWORD``,
``digest:USER:PASSWORD`` or ``bearer:TOKEN``) or an explicit ``auth=``; the CLI's ``--auth KIND[:USER]``
reads the secret from ``KG_ENDPOINT_SECRET``, the file named by ``KG_ENDPOINT_SECRET_FILE`` or a
prompt, never from the command line.

**Virtuoso** (7.2, Debian's ``virtuoso-opensource``): it answers ``ASK`` with one row (``?__ASK_RETVAL``
bound to 1 or 0), read as the boolean it stands for; it answers ``GRAPH ?g {}`` with one row
where ``?g`` is unbound (so named graphs are asked again with ``GRAPH ?g { ?s ?p ?o }``), and its
``CONCAT`` of a stored non-ASCII string with a query literal that is not ASCII returns the stored
string's UTF-8 bytes read as Latin-1 (``"Ã©"`` for ``"é"``), whatever the request's or the data's
charset: answers from a server that names itself ``Virtuoso/`` have such sequences decoded back
(:func:`repair_latin1_utf8`, only in plain ``xsd:string`` literals, and only where the characters
form valid UTF-8 bytes). Every query sent to it starts with ``DEFINE sql:select-option "order"``
(:data:`VIRTUOSO_DEFINE`; once its name is known: by default from the named graphs asked before any query,
with ``union_default_graph`` given from its first answer): Virtuoso then joins the patterns in the order they are written, as this project's
queries are (from the bound variables outwards, for the embedded store). Left to its own join order, Virtuoso
7.2 answered a territory's ecosystem wrongly when a zero-or-one or transitive path met another one in the same
group: a Strasbourg commune found "in" the Val-de-Marne (``dct:isPartOf*`` checked with both ends bound), a
zero-or-one path (``?_act (…)? ?member``) reduced to its zero-length rows (``tests/test_virtuoso.py``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Self

from kg.errors import EndpointError, QueryError
from kg.model.iris import graph as graph_iri
from kg.model.vocab import PREFIXES
from kg.store.graph import Queryable, Result, bind, syntax_message, to_python
from kg.store.guard import has_dataset_clause

__all__ = [
    "AUTH_ENV",
    "VIRTUOSO_DEFINE",
    "Credentials",
    "RemoteGraph",
    "credentials",
    "http_client",
    "page_query",
    "prologue",
    "repair_latin1_utf8",
]

_RESULTS_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
#: sent before every query to a Virtuoso (see the module's notes): its optimizer then joins the patterns in the
#: order they are written, from the bound variables outwards, as this project's queries are written for the
#: embedded store; left to choose, Virtuoso 7.2 answers a territory's ecosystem wrongly
VIRTUOSO_DEFINE = 'DEFINE sql:select-option "order" '
_FORM = "application/x-www-form-urlencoded; charset=UTF-8"
#: the environment variable holding credentials: ``basic:USER:PASSWORD``, ``digest:USER:PASSWORD`` or
#: ``bearer:TOKEN``
AUTH_ENV = "KG_ENDPOINT_AUTH"
#: the named graphs this project writes (``https://w3id.org/territorial-kg/graph/…``)
PROJECT_GRAPHS = graph_iri("")
_KINDS = ("basic", "digest", "bearer")


def prologue(prefixes: dict[str, str] = PREFIXES) -> str:
    """The project's PREFIX declarations, one line, sent before every remote query."""
    return " ".join(f"PREFIX {p}: <{iri}>" for p, iri in prefixes.items()) + "\n"


# ---------------------------------------------------------------- credentials


@dataclass(frozen=True)
class Credentials:
    """How to authenticate to a server: HTTP Basic, Digest (Virtuoso's default) or a bearer token.

    The secret never shows in ``repr`` (nor, therefore, in a traceback or a log line).

    >>> Credentials("digest", "dba", "s3cret")
    Credentials(kind='digest', user='dba', secret=***)
    """

    kind: str
    user: str
    secret: str = field(repr=False)

    def __repr__(self) -> str:
        return f"Credentials(kind={self.kind!r}, user={self.user!r}, secret=***)"

    def httpx_auth(self) -> Any:
        """The ``httpx`` authentication of these credentials."""
        import httpx

        if self.kind == "basic":
            return httpx.BasicAuth(self.user, self.secret)
        if self.kind == "digest":
            return httpx.DigestAuth(self.user, self.secret)
        token = self.secret

        def bearer(request: httpx.Request) -> httpx.Request:
            request.headers["Authorization"] = f"Bearer {token}"
            return request

        return bearer


def credentials(spec: str | Credentials | None = None, *, where: str = AUTH_ENV) -> Credentials | None:
    """Credentials from *spec* (``basic:USER:PASSWORD``, ``digest:USER:PASSWORD``, ``bearer:TOKEN``).

    Without *spec*, from the environment variable ``KG_ENDPOINT_AUTH`` (None when it is unset or empty).
    The password may contain ``:``.

    >>> credentials("digest:dba:dba:x").secret
    'dba:x'
    >>> credentials("bearer:abc")
    Credentials(kind='bearer', user='', secret=***)
    >>> credentials("token:abc")
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: KG_ENDPOINT_AUTH: "token" is not a kind of credentials; write basic:USER:PASSWORD, digest:USER:PASSWORD or bearer:TOKEN

    Raises
    ------
    QueryError
        When *spec* is malformed (the message never repeats the secret).
    """
    if isinstance(spec, Credentials):
        return spec
    if spec is None:
        spec = os.environ.get(AUTH_ENV) or None
        if spec is None:
            return None
    kind, _, rest = spec.partition(":")
    kind = kind.strip().lower()
    usage = "write basic:USER:PASSWORD, digest:USER:PASSWORD or bearer:TOKEN"
    if kind not in _KINDS:
        raise QueryError(f'{where}: "{kind}" is not a kind of credentials; {usage}')
    if kind == "bearer":
        if not rest:
            raise QueryError(f"{where}: the bearer token is empty; {usage}")
        return Credentials("bearer", "", rest)
    user, sep, secret = rest.partition(":")
    if not user or not sep:
        raise QueryError(f"{where}: {kind} credentials need a user and a password; {usage}")
    return Credentials(kind, user, secret)


def http_client(
    timeout: float, headers: dict[str, str] | None = None, auth: Credentials | None = None
) -> Any:
    """An ``httpx.Client`` with these headers and credentials (redirects followed)."""
    import httpx

    return httpx.Client(
        timeout=timeout,
        headers=headers or {},
        follow_redirects=True,
        auth=auth.httpx_auth() if auth else None,
    )


# ---------------------------------------------------------------- paging and repairs

_PROLOGUE_RE = re.compile(
    r"(?:\s+|#[^\r\n]*|PREFIX\s+[^\s:]*:\s*<[^<>\s]*>|BASE\s*<[^<>\s]*>)*", re.IGNORECASE
)


def page_query(
    sparql: str, variables: list[str], limit: int, offset: int, *, ordered: bool = True
) -> str | None:
    """*sparql* (a SELECT) rewritten to give rows ``offset … offset+limit`` of a total, stable order.

    None when the query cannot be paged this way (its own LIMIT/OFFSET, a trailing VALUES, not a
    SELECT). The query's ORDER BY keys come first, then every projected variable; the order is in a
    sub-select, the slice outside (see the module's notes). With ``ordered=False`` no key is added: the
    server's own order of evaluation must then be the same for every page.

    >>> print(page_query("PREFIX a: <x:>\\nSELECT ?s WHERE { ?s a:p ?o } ORDER BY ?o", ["s"], 10, 20))
    PREFIX a: <x:>
    SELECT ?s WHERE { {
    SELECT ?s WHERE { ?s a:p ?o } ORDER BY ?o
     ?s
    } }
    LIMIT 10 OFFSET 20
    >>> page_query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 5", ["s"], 10, 0) is None
    True
    """
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parsed = parseQuery(sparql)[1]
    except Exception:  # noqa: BLE001 - a dialect rdflib does not read: not pageable, said by the caller
        return None
    if parsed.name != "SelectQuery" or "limitoffset" in parsed or "valuesClause" in parsed:
        return None
    head = _PROLOGUE_RE.match(sparql)
    cut = head.end() if head else 0
    keys = " ".join(f"?{v}" for v in variables)
    order = "" if not ordered else f"\n {keys}" if "orderby" in parsed else f"\nORDER BY {keys}"
    return (
        f"{sparql[:cut]}SELECT {keys} WHERE {{ {{\n{sparql[cut:].rstrip()}{order}\n}} }}\n"
        f"LIMIT {limit} OFFSET {offset}"
    )


_MOJIBAKE_RE = re.compile(
    "[\u00c2-\u00df][\u0080-\u00bf]|[\u00e0-\u00ef][\u0080-\u00bf]{2}|[\u00f0-\u00f4][\u0080-\u00bf]{3}"
)


def repair_latin1_utf8(text: str) -> str:
    """*text* with each run of characters that are UTF-8 bytes read as Latin-1 decoded back.

    Only complete, valid UTF-8 sequences are touched, so French text stays as it is.

    >>> stored = "Hôtel de Ville".encode().decode("latin-1")     # what Virtuoso's CONCAT makes of it
    >>> repair_latin1_utf8(stored + " → " + "Cité de l'économie".encode().decode("latin-1"))
    "Hôtel de Ville → Cité de l'économie"
    >>> repair_latin1_utf8("Île-de-France → Créteil, « été »")
    'Île-de-France → Créteil, « été »'
    """

    def decode(m: re.Match[str]) -> str:
        try:
            return m.group(0).encode("latin-1").decode("utf-8")
        except UnicodeError:
            return m.group(0)

    return _MOJIBAKE_RE.sub(decode, text)


def _truncated(headers: Any) -> str:
    """Who says the answer was cut: ``kg serve`` ("kg"), Virtuoso's ResultSetMaxRows ("maxrows"), or nobody ("")."""
    if headers.get("x-kg-truncated", "").lower() == "true":
        return "kg"
    return "maxrows" if "x-sparql-maxrows" in headers else ""


# ---------------------------------------------------------------- the graph


class RemoteGraph(Queryable):
    """A Territorial KG graph on a SPARQL 1.1 endpoint, with the API of :class:`kg.store.graph.Graph`.

    Parameters
    ----------
    url
        The SPARQL query endpoint, e.g. ``http://127.0.0.1:7878/query`` (Oxigraph),
        ``http://host:3030/kg/sparql`` (Fuseki), ``http://host:8890/sparql`` (Virtuoso).
    union_default_graph
        ``True`` when the server's default graph already is the union of the named graphs;
        ``False`` sends the project's named graphs explicitly with every query; ``None`` (default):
        ``True`` for Virtuoso, else ``False``.
    timeout
        Seconds for each HTTP request.
    headers
        Extra HTTP headers.
    auth
        :class:`Credentials` or their spelling (see :func:`credentials`); default: ``KG_ENDPOINT_AUTH``.
    """

    def __init__(
        self,
        url: str,
        *,
        union_default_graph: bool | None = None,
        timeout: float = 120.0,
        headers: dict[str, str] | None = None,
        auth: str | Credentials | None = None,
    ):
        if not re.match(r"^https?://", url, re.IGNORECASE):
            raise QueryError(f'--endpoint "{url}" is not an http(s) URL; e.g. http://127.0.0.1:7878/query')
        self.url = url
        self.union_default_graph = union_default_graph
        self._http = http_client(timeout, headers, credentials(auth))
        self._graphs: list[str] | None = None
        #: the ``Server`` header of the server's first answer (``Virtuoso/07.20.3229 …``)
        self.server: str | None = None
        self.path = None

    def __repr__(self) -> str:
        return f"RemoteGraph({self.url!r})"

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _post(self, data: dict[str, Any], accept: str) -> Any:
        import httpx

        try:
            r = self._http.post(self.url, data=data, headers={"Accept": accept, "Content-Type": _FORM})
        except httpx.HTTPError as exc:
            raise EndpointError(f"cannot reach the SPARQL endpoint {self.url}: {exc}") from None
        if r.status_code in (401, 403) and "query" in data:
            raise EndpointError(
                f"the SPARQL endpoint {self.url} wants credentials ({r.status_code}): pass --auth KIND:USER "
                f"(basic, digest or bearer) or set {AUTH_ENV}"
            )
        return r

    def _graph_rows(self, pattern: str) -> list[dict[str, Any]] | None:
        r = self._post(
            {"query": f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {pattern} }}"}, "application/sparql-results+json"
        )
        if r.status_code != 200:
            raise EndpointError(
                f"the SPARQL endpoint {self.url} answered {r.status_code} when asked for its named graphs: "
                f"{r.text[:300]}"
            )
        if self.server is None:
            self.server = r.headers.get("server", "")
        return r.json()["results"]["bindings"]

    def named_graphs(self) -> list[str]:
        """IRIs of the server's named graphs of this project (asked once, then remembered).

        Rows without ``?g`` are skipped: Virtuoso answers ``GRAPH ?g {}`` with one empty row, and is
        then asked with ``GRAPH ?g { ?s ?p ?o }``.
        """
        if self._graphs is None:
            rows = self._graph_rows("{ }")
            if rows and not any("g" in b for b in rows):
                rows = self._graph_rows("{ ?s ?p ?o }")
            self._graphs = sorted(
                {
                    b["g"]["value"]
                    for b in rows or []
                    if b.get("g", {}).get("type") == "uri" and b["g"]["value"].startswith(PROJECT_GRAPHS)
                }
            )
        return self._graphs

    def run(self, sparql: str, *, raw: bool = False, **bindings: Any) -> Result:
        """Like :meth:`query`, but also says the query form and the SELECT variables.

        A SELECT answer the server flags as cut is asked again page by page (see the module's notes).

        Raises
        ------
        QueryError
            When the server refuses the query (its message, with line and column counted in *sparql*).
        EndpointError
            When the server cannot be reached, fails, wants credentials, or cuts an answer that cannot
            be paged.
        """
        bound = bind(sparql, bindings)
        conv = (lambda t: t) if raw else to_python
        result, cut = self._ask(bound, sparql)
        if result.form == "ask":
            return result
        if not cut:
            return Result(result.form, result.variables, [_convert(row, conv) for row in result.value])
        if result.form != "select":
            raise EndpointError(
                f"the SPARQL endpoint {self.url} cut its answer at {len(result.value):,} triples; "
                "a CONSTRUCT or DESCRIBE is not paged: ask for fewer triples, or raise the server's row limit"
            )
        rows = self._pages(bound, result, ordered=cut != "kg")
        return Result("select", result.variables, [_convert(row, conv) for row in rows])

    def _pages(self, bound: str, first: Result, *, ordered: bool) -> list[Any]:
        """Every row of *bound*, whose first answer *first* was cut, page by page.

        ``kg serve`` (pyoxigraph) evaluates a query the same way each time, and its sorts are slow on a
        disk store (~10 s for 35,000 IRIs), so its pages add no ORDER BY, unless the first page differs
        from *first* (then the order is not reproducible, and the pages are ordered after all).
        """
        variables, size = first.variables, len(first.value)
        rows: list[Any] = []
        while True:
            text = page_query(bound, variables, size, len(rows), ordered=ordered)
            if text is None or size == 0:
                raise EndpointError(
                    f"the SPARQL endpoint {self.url} cut its answer at {size:,} rows, and this query cannot "
                    "be paged (it has its own LIMIT, OFFSET or final VALUES): narrow it, page it yourself, "
                    "or raise the server's row limit"
                )
            page, cut = self._ask(text, bound)
            if cut and len(page.value) < size:  # Virtuoso flags a page that fills its cap exactly: fine
                raise EndpointError(
                    f"the SPARQL endpoint {self.url} cut a page of {size:,} rows: its row limit changed "
                    "while paging; ask again"
                )
            if not ordered and not rows and page.value != first.value:
                ordered = True
                continue
            rows.extend(page.value)
            if len(page.value) < size:
                return rows

    def _ask(self, text: str, original: str) -> tuple[Result, str]:
        """Send *text*; its answer as raw terms, and who says it was cut (see :func:`_truncated`)."""
        import pyoxigraph as ox

        union = self._union()  # also learns the server's name
        head = _needed_prefixes(text)
        head = VIRTUOSO_DEFINE + head if self._is_virtuoso() else head
        data: dict[str, Any] = {"query": head + text}
        if not union and not has_dataset_clause(text):
            graphs = self.named_graphs()
            data["default-graph-uri"] = graphs
            data["named-graph-uri"] = graphs
        r = self._post(data, _RESULTS_ACCEPT)
        if r.status_code >= 400:
            message = r.text.strip()
            m = _POS_RE.search(message)
            if r.status_code == 400 and m:  # positions counted in the caller's query, not in what we sent
                shifted = f"error at {max(1, int(m.group(1)) - 1)}:{m.group(2)}: {message[m.end() :]}"
                raise QueryError(syntax_message(shifted, original, text))
            if 400 <= r.status_code < 500:
                raise QueryError(f"the SPARQL endpoint refused the query ({r.status_code}): {message[:500]}")
            raise EndpointError(f"the SPARQL endpoint {self.url} failed ({r.status_code}): {message[:500]}")
        cut = _truncated(r.headers)
        if self.server is None:
            self.server = r.headers.get("server", "")
        fix = r.headers.get("server", "").startswith("Virtuoso/")
        ctype = r.headers.get("content-type", "").split(";")[0].strip()
        if ctype in ("application/sparql-results+json", "application/json"):
            res = ox.parse_query_results(r.content, format=ox.QueryResultsFormat.JSON)
            if isinstance(res, ox.QueryBoolean):
                return Result("ask", [], bool(res)), ""
            names = [v.value for v in res.variables]
            if names == ["__ASK_RETVAL"]:  # Virtuoso 7.2 answers ASK with a row, whatever Accept says
                return Result("ask", [], any(to_python(sol[0]) for sol in res)), ""
            rows = [{n: _virtuoso(sol[n]) if fix else sol[n] for n in names} for sol in res]
            return Result("select", names, rows), cut
        try:
            fmt = ox.RdfFormat.from_media_type(ctype)
        except ValueError:
            fmt = None
        if fmt is None:
            raise EndpointError(
                f"the SPARQL endpoint {self.url} answered with Content-Type {ctype!r}, "
                "neither SPARQL JSON results nor an RDF format"
            )
        triples = [(t.subject, t.predicate, t.object) for t in ox.parse(r.content, format=fmt)]
        return Result("construct", ["subject", "predicate", "object"], triples), cut

    def _union(self) -> bool:
        if self.union_default_graph is None:
            self.named_graphs()  # remembers the server's name
            self.union_default_graph = self._is_virtuoso()
        return self.union_default_graph

    def _is_virtuoso(self) -> bool:
        """Whether the server names itself ``Virtuoso/``, as far as known: its name is read from its first answer
        (by default the named graphs, asked before any query; with ``union_default_graph`` given, the first query).
        """
        if self.server is None and self.union_default_graph is None:
            self.named_graphs()  # remembers the server's name
        return (self.server or "").startswith("Virtuoso/")

    def __len__(self) -> int:
        """Triples in the project's named graphs (counted per graph, as the embedded store counts quads)."""
        import pyoxigraph as ox

        graphs = " ".join(str(ox.NamedNode(g)) for g in self.named_graphs())
        rows = self.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        )
        return int(rows[0]["n"])


_POS_RE = re.compile(r"error at (\d+):(\d+): ")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _needed_prefixes(text: str) -> str:
    """The project's PREFIX declarations *text* may use and does not declare itself, one line (a named question
    declares its own: sent twice, they took a territory question past ``kg serve``'s 20,000-byte requests).

    >>> _needed_prefixes("PREFIX org: <http://www.w3.org/ns/org#> SELECT ?s WHERE { ?s org:member ?o ; skos:x ?y }")
    'PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\\n'
    """
    declared = set(re.findall(r"PREFIX\s+([\w.-]*):", text, re.IGNORECASE))
    used = {
        p: iri for p, iri in PREFIXES.items() if p not in declared and re.search(rf"(?<![\w.-]){p}:", text)
    }
    return prologue(used) if used else "\n"  # one line all the same: error positions are shifted by one


def _convert(row: Any, conv: Any) -> Any:
    if isinstance(row, dict):
        return {k: conv(v) for k, v in row.items()}
    return tuple(conv(t) for t in row)


def _virtuoso(term: Any) -> Any:
    """A term of a Virtuoso answer, with its CONCAT mojibake decoded (plain xsd:string literals only)."""
    import pyoxigraph as ox

    if isinstance(term, ox.Literal) and term.language is None and term.datatype.value == _XSD_STRING:
        fixed = repair_latin1_utf8(term.value)
        if fixed != term.value:
            return ox.Literal(fixed)
    return term
