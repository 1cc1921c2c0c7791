"""The graph on a SPARQL 1.1 server: query it like the embedded store, load it through the Graph Store Protocol.

:class:`RemoteGraph` offers the API of :class:`kg.store.graph.Graph` (``query`` and ``run``,
values bound with :func:`kg.store.graph.bind`), so :mod:`kg.store.queries`, :mod:`kg.network.projection` and
:mod:`kg.network.chains` work unchanged against Fuseki, GraphDB, Virtuoso, QLever or Oxigraph::

    >>> from kg.store.remote import RemoteGraph
    >>> g = RemoteGraph("http://127.0.0.1:7878/query")                      # doctest: +SKIP
    >>> g.query("SELECT ?l WHERE { ?a rdfs:label ?l }", a=kg.IRI("https://w3id.org/territorial-kg/id/actor/le-rameau"))  # doctest: +SKIP
    [{'l': 'Le RAMEAU'}]

Queries are sent with the project's ``PREFIX`` declarations prepended (a remote server
does not know them), and answers (SPARQL JSON results, N-Triples graphs) are parsed by
pyoxigraph into the same terms the embedded store returns.

**Union default graph.** The embedded store queries the union of all named graphs. A
remote server's default graph may be something else (Oxigraph's server: its own default
graph unless started with ``--union-default-graph``; Fuseki: the unnamed graph unless
``tdb2:unionDefaultGraph``). So by default :class:`RemoteGraph` makes every query
union-safe itself: it lists the server's named graphs once and sends them all as the
protocol's ``default-graph-uri`` *and* ``named-graph-uri`` (a POST form, so the URL stays
short), which any SPARQL 1.1 server must honour. Pass ``union_default_graph=True`` when the
server is known to query the union already (then nothing is added). Queries with their own
``FROM`` are sent as they are.

:func:`load_to_endpoint` writes a built graph (a TriG/N-Quads dump, a :class:`kg.store.graph.Graph`
or a pyoxigraph store) to a server, one HTTP ``PUT`` of N-Triples per named graph, so the
named graphs are kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from kg.errors import QueryError, StoreError
from kg.model.vocab import PREFIXES
from kg.store.graph import Result, bind, syntax_message, to_python
from kg.store.guard import has_dataset_clause

__all__ = ["LoadReport", "RemoteGraph", "gsp_url_for", "load_to_endpoint", "prologue"]

_RESULTS_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"


def prologue(prefixes: dict[str, str] = PREFIXES) -> str:
    """The project's PREFIX declarations, one line, sent before every remote query."""
    return " ".join(f"PREFIX {p}: <{iri}>" for p, iri in prefixes.items()) + "\n"


def _client(timeout: float, headers: dict[str, str] | None):
    import httpx

    return httpx.Client(timeout=timeout, headers=headers or {}, follow_redirects=True)


class RemoteGraph:
    """A Territorial KG graph on a SPARQL 1.1 endpoint, with the API of :class:`kg.store.graph.Graph`.

    Parameters
    ----------
    url
        The SPARQL query endpoint, e.g. ``http://127.0.0.1:7878/query`` (Oxigraph),
        ``http://host:3030/kg/sparql`` (Fuseki).
    union_default_graph
        ``True`` when the server's default graph already is the union of the named graphs;
        ``False`` (default) sends the dataset explicitly with every query.
    timeout
        Seconds for each HTTP request.
    headers
        Extra HTTP headers (e.g. ``{"Authorization": "Bearer …"}``).
    """

    def __init__(
        self,
        url: str,
        *,
        union_default_graph: bool = False,
        timeout: float = 120.0,
        headers: dict[str, str] | None = None,
    ):
        if not re.match(r"^https?://", url):
            raise QueryError(f'--endpoint "{url}" is not an http(s) URL; e.g. http://127.0.0.1:7878/query')
        self.url = url
        self.union_default_graph = union_default_graph
        self._http = _client(timeout, headers)
        self._graphs: list[str] | None = None
        self._prologue = prologue()
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
            r = self._http.post(self.url, data=data, headers={"Accept": accept})
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL endpoint {self.url}: {exc}") from None
        return r

    def named_graphs(self) -> list[str]:
        """IRIs of the server's named graphs (asked once, then remembered)."""
        if self._graphs is None:
            r = self._post(
                {"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"}, "application/sparql-results+json"
            )
            if r.status_code != 200:
                raise StoreError(
                    f"the SPARQL endpoint {self.url} answered {r.status_code} when asked for its "
                    f"named graphs: {r.text[:300]}"
                )
            self._graphs = sorted(
                b["g"]["value"] for b in r.json()["results"]["bindings"] if b["g"]["type"] == "uri"
            )
        return self._graphs

    def query(self, sparql: str, *, raw: bool = False, **bindings: Any) -> Any:
        """Run a SPARQL query remotely; the same answer as :meth:`kg.store.graph.Graph.query`."""
        return self.run(sparql, raw=raw, **bindings).value

    def run(self, sparql: str, *, raw: bool = False, **bindings: Any) -> Result:
        """Like :meth:`query`, but also says the query form and the SELECT variables.

        Raises
        ------
        QueryError
            When the server refuses the query (its message, with line and column counted in *sparql*).
        StoreError
            When the server cannot be reached or fails.
        """
        import pyoxigraph as ox

        bound = bind(sparql, bindings)
        data: dict[str, Any] = {"query": self._prologue + bound}
        if not self.union_default_graph and not has_dataset_clause(bound):
            graphs = self.named_graphs()
            data["default-graph-uri"] = graphs
            data["named-graph-uri"] = graphs
        r = self._post(data, _RESULTS_ACCEPT)
        if r.status_code >= 400:
            message = r.text.strip()
            m = _POS_RE.search(message)
            if r.status_code == 400 and m:  # positions counted in the caller's query, not in what we sent
                shifted = f"error at {max(1, int(m.group(1)) - 1)}:{m.group(2)}: {message[m.end() :]}"
                raise QueryError(syntax_message(shifted, sparql, bound))
            if 400 <= r.status_code < 500:
                raise QueryError(f"the SPARQL endpoint refused the query ({r.status_code}): {message[:500]}")
            raise StoreError(f"the SPARQL endpoint failed ({r.status_code}): {message[:500]}")
        ctype = r.headers.get("content-type", "").split(";")[0].strip()
        conv = (lambda t: t) if raw else to_python
        if ctype in ("application/sparql-results+json", "application/json"):
            res = ox.parse_query_results(r.content, format=ox.QueryResultsFormat.JSON)
            if isinstance(res, ox.QueryBoolean):
                return Result("ask", [], bool(res))
            names = [v.value for v in res.variables]
            return Result("select", names, [{n: conv(sol[n]) for n in names} for sol in res])
        try:
            fmt = ox.RdfFormat.from_media_type(ctype)
        except ValueError:
            fmt = None
        if fmt is None:
            raise StoreError(
                f"the SPARQL endpoint answered with Content-Type {ctype!r}, "
                "neither SPARQL JSON results nor an RDF format"
            )
        triples = ox.parse(r.content, format=fmt)
        return Result(
            "construct",
            ["subject", "predicate", "object"],
            [(conv(t.subject), conv(t.predicate), conv(t.object)) for t in triples],
        )

    def __len__(self) -> int:
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(rows[0]["n"])


_POS_RE = re.compile(r"error at (\d+):(\d+): ")


def gsp_url_for(endpoint: str) -> str:
    """The Graph Store Protocol URL of a query endpoint (override it when the server differs).

    >>> gsp_url_for("http://127.0.0.1:7878/query")            # Oxigraph
    'http://127.0.0.1:7878/store'
    >>> gsp_url_for("http://localhost:3030/kg/sparql")         # Fuseki
    'http://localhost:3030/kg/data'
    >>> gsp_url_for("http://localhost:7200/repositories/kg")   # GraphDB
    'http://localhost:7200/repositories/kg/rdf-graphs/service'
    """
    base = endpoint.split("?")[0].rstrip("/")
    if base.endswith("/query"):
        return base[: -len("/query")] + "/store"
    if base.endswith("/sparql"):
        return base[: -len("/sparql")] + "/data"
    if "/repositories/" in base:
        return base + "/rdf-graphs/service"
    return base


@dataclass(frozen=True)
class LoadReport:
    """What :func:`load_to_endpoint` wrote: triples per named graph, and where."""

    gsp_url: str
    graphs: dict[str, int]

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


def _as_store(source: Any) -> Any:
    import pyoxigraph as ox

    if isinstance(source, ox.Store):
        return source
    if hasattr(source, "store") and isinstance(source.store, ox.Store):
        return source.store
    path = Path(source)
    if not path.is_file():
        raise StoreError(f'no graph dump at "{path}"; run "kg build" first (it writes build/graph.trig)')
    store = ox.Store()
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".")) or ox.RdfFormat.TRIG
    store.bulk_load(path=str(path), format=fmt)
    return store


def load_to_endpoint(
    source: Any,
    url: str,
    *,
    gsp_url: str | None = None,
    timeout: float = 600.0,
    headers: dict[str, str] | None = None,
    graphs: Iterable[str] | None = None,
) -> LoadReport:
    """Write every named graph of *source* to the server at *url*, one Graph Store Protocol PUT each.

    Parameters
    ----------
    source
        A TriG or N-Quads dump (``build/graph.trig``), a :class:`kg.store.graph.Graph` or a pyoxigraph ``Store``.
    url
        The server's SPARQL query endpoint (used to derive the GSP URL, see :func:`gsp_url_for`).
    gsp_url
        The Graph Store Protocol URL, when it is not the derived one.
    timeout
        Seconds for each PUT.
    headers
        Extra HTTP headers (authentication).
    graphs
        Only these named graphs (default: all).

    Returns
    -------
    LoadReport
        Triples written per graph. A ``PUT`` replaces the graph, so loading twice gives the same server.

    Raises
    ------
    StoreError
        When the server refuses a graph or cannot be reached (naming the graph).
    """
    import httpx
    import pyoxigraph as ox

    store = _as_store(source)
    target = gsp_url or gsp_url_for(url)
    wanted = set(graphs) if graphs is not None else None
    written: dict[str, int] = {}
    with _client(timeout, headers) as http:
        names: list[Any] = sorted(store.named_graphs(), key=lambda g: g.value)
        if any(True for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph())):
            names.append(ox.DefaultGraph())
        for g in names:
            iri = g.value if isinstance(g, ox.NamedNode) else ""
            if wanted is not None and iri not in wanted:
                continue
            triples = [q.triple for q in store.quads_for_pattern(None, None, None, g)]
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
            params = {"graph": iri} if iri else {"default": ""}
            try:
                r = http.put(
                    target, params=params, content=body, headers={"Content-Type": "application/n-triples"}
                )
            except httpx.HTTPError as exc:
                raise StoreError(f"cannot reach the Graph Store endpoint {target}: {exc}") from None
            if r.status_code >= 300:
                raise StoreError(
                    f"the Graph Store endpoint {target} refused graph <{iri or 'default'}> "
                    f"({r.status_code}): {r.text[:300]}; check --gsp (the server's Graph Store "
                    "Protocol URL)"
                )
            written[iri or "default"] = len(triples)
    return LoadReport(target, written)
