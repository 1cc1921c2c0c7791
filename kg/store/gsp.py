"""Load a built graph into a SPARQL server through the Graph Store Protocol (``kg build --to``).

:func:`load_to_endpoint` writes a built graph (a TriG/N-Quads dump, a :class:`kg.store.graph.Graph`
or a pyoxigraph store) to a server, one HTTP ``PUT`` of N-Triples per named graph, so the
named graphs are kept and loading twice gives the same server.

Where the Graph Store lives depends on the server (:func:`gsp_url_for`; ``--gsp URL`` overrides it):

============  ==========================================  ===================================================
server        query URL                                   Graph Store URL
============  ==========================================  ===================================================
Oxigraph      ``…/query``                                 ``…/store``
Fuseki        ``…/<dataset>/sparql`` (or ``/query``)      ``…/<dataset>/data``
Virtuoso      ``…/sparql``                                ``…/sparql-graph-crud-auth`` with credentials (Digest,
                                                          ``dba`` by default), ``…/sparql-graph-crud`` without
GraphDB       ``…/repositories/<id>``                     ``…/repositories/<id>/rdf-graphs/service``
QLever        its root URL, e.g. ``http://host:7001/``    the same URL (``?graph=``), with a bearer token;
                                                          QLever has taken ``PUT`` only since mid-2025
============  ==========================================  ===================================================

The server is recognised by its query URL and, when the URL is not enough, by the ``Server`` header it
sends (``Virtuoso/…``, ``Oxigraph/…``, ``Apache Jena Fuseki …``). A server that refuses is reported with
:class:`kg.errors.EndpointError` (exit 9), saying what to pass: ``--auth``, or ``--gsp``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kg.errors import EndpointError, StoreError
from kg.store.remote import AUTH_ENV, Credentials, credentials, http_client

__all__ = ["LoadReport", "gsp_url_for", "load_to_endpoint", "server_name"]

_HOW = (
    "pass --gsp URL (Oxigraph …/store, Fuseki …/<dataset>/data, Virtuoso …/sparql-graph-crud-auth, "
    "GraphDB …/repositories/<id>/rdf-graphs/service, QLever: its query URL)"
)


def server_name(endpoint: str, timeout: float = 10.0) -> str:
    """The ``Server`` header the endpoint sends with an answer to ``ASK {}`` (empty when it sends none or
    cannot be reached)."""
    import httpx

    try:
        r = httpx.get(endpoint, params={"query": "ASK {}"}, timeout=timeout, follow_redirects=True)
    except httpx.HTTPError:
        return ""
    return r.headers.get("server", "")


def gsp_url_for(endpoint: str, server: str = "", *, authenticated: bool = False) -> str:
    """The Graph Store Protocol URL of a query endpoint (see the module's table).

    Parameters
    ----------
    endpoint
        The query URL.
    server
        The ``Server`` header the endpoint sends (:func:`server_name`), when known.
    authenticated
        Whether credentials will be sent (Virtuoso has one Graph Store URL for each case).

    >>> gsp_url_for("http://127.0.0.1:7878/query")            # Oxigraph
    'http://127.0.0.1:7878/store'
    >>> gsp_url_for("http://localhost:3030/kg/sparql")         # Fuseki
    'http://localhost:3030/kg/data'
    >>> gsp_url_for("http://localhost:8890/sparql", authenticated=True)   # Virtuoso
    'http://localhost:8890/sparql-graph-crud-auth'
    >>> gsp_url_for("http://localhost:7200/repositories/kg")   # GraphDB
    'http://localhost:7200/repositories/kg/rdf-graphs/service'
    >>> gsp_url_for("http://localhost:7001/")                  # QLever
    'http://localhost:7001/'
    >>> gsp_url_for("http://example.org/some/where")
    Traceback (most recent call last):
    ...
    kg.errors.EndpointError: cannot tell where the Graph Store of http://example.org/some/where is: pass --gsp URL (Oxigraph …/store, Fuseki …/<dataset>/data, Virtuoso …/sparql-graph-crud-auth, GraphDB …/repositories/<id>/rdf-graphs/service, QLever: its query URL)

    Raises
    ------
    EndpointError
        When neither the URL nor the server name says which server it is.
    """
    parts = urlsplit(endpoint)
    root = f"{parts.scheme}://{parts.netloc}"
    path = parts.path.rstrip("/")
    name = server.lower()
    if "virtuoso" in name or path in ("/sparql", "/sparql-auth"):
        return root + ("/sparql-graph-crud-auth" if authenticated else "/sparql-graph-crud")
    if "/repositories/" in path:
        return root + path.split("/rdf-graphs")[0] + "/rdf-graphs/service"
    for tail in ("/query", "/sparql"):
        if path.endswith(tail):
            base = root + path[: -len(tail)]
            if "fuseki" in name:
                return base + "/data"
            if "oxigraph" in name:
                return base + "/store"
            return base + ("/store" if tail == "/query" else "/data")
    if path == "":
        return root + "/"
    raise EndpointError(f"cannot tell where the Graph Store of {endpoint} is: {_HOW}")


def _refused(target: str, iri: str, status: int, text: str, server: str) -> EndpointError:
    what = f"the Graph Store endpoint {target} refused graph <{iri or 'default'}> ({status})"
    if status in (401, 403):
        virtuoso = "virtuoso" in server.lower() or target.endswith("/sparql-graph-crud")
        fix = (
            "Virtuoso writes only with credentials: --auth digest:dba (the secret from KG_ENDPOINT_SECRET, "
            f"KG_ENDPOINT_SECRET_FILE or a prompt), or {AUTH_ENV}=digest:dba:PASSWORD"
            if virtuoso
            else f"it wants credentials: --auth KIND:USER (basic, digest or bearer), or {AUTH_ENV}"
        )
        return EndpointError(f"{what}: {fix}")
    if status in (400, 404, 405, 501) and target.endswith("/") and urlsplit(target).path in ("", "/"):
        return EndpointError(
            f"{what}: if this is QLever, it takes Graph Store PUT requests only since mid-2025 (older versions "
            "build their index from build/graph.trig with `qlever index`); otherwise " + _HOW
        )
    if status in (404, 405, 501):
        return EndpointError(f"{what}: no Graph Store Protocol there; {_HOW}")
    return EndpointError(f"{what}: {text[:300]}")


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
    auth: str | Credentials | None = None,
) -> LoadReport:
    """Write every named graph of *source* to the server at *url*, one Graph Store Protocol PUT each.

    Parameters
    ----------
    source
        A TriG or N-Quads dump (``build/graph.trig``), a :class:`kg.store.graph.Graph` or a pyoxigraph ``Store``.
    url
        The server's SPARQL query endpoint (used to find the Graph Store URL, see :func:`gsp_url_for`).
    gsp_url
        The Graph Store Protocol URL, when it is not the derived one.
    timeout
        Seconds for each PUT.
    headers
        Extra HTTP headers.
    graphs
        Only these named graphs (default: all).
    auth
        :class:`kg.store.remote.Credentials` or their spelling (``digest:dba:PASSWORD``…); default:
        the environment variable ``KG_ENDPOINT_AUTH``.

    Returns
    -------
    LoadReport
        Triples written per graph. A ``PUT`` replaces the graph, so loading twice gives the same server.

    Raises
    ------
    EndpointError
        When the server cannot be reached or refuses a graph (naming the graph and the fix: ``--auth``,
        ``--gsp``).
    StoreError
        When there is no dump at *source*.
    """
    import httpx
    import pyoxigraph as ox

    store = _as_store(source)
    creds = credentials(auth)
    server = "" if gsp_url else server_name(url)
    target = gsp_url or gsp_url_for(url, server, authenticated=creds is not None)
    wanted = set(graphs) if graphs is not None else None
    written: dict[str, int] = {}
    with http_client(timeout, headers, creds) as http:
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
                    target,
                    params=params,
                    content=body,
                    headers={"Content-Type": "application/n-triples; charset=utf-8"},
                )
            except httpx.HTTPError as exc:
                raise EndpointError(f"cannot reach the Graph Store endpoint {target}: {exc}") from None
            if r.status_code >= 300:
                raise _refused(target, iri, r.status_code, r.text, server or r.headers.get("server", ""))
            written[iri or "default"] = len(triples)
    return LoadReport(target, written)
