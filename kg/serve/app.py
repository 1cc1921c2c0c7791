"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over the built store.

A thin ASGI application (Starlette, run by uvicorn) in front of pyoxigraph:

- ``GET/POST /sparql``: queries by GET (``?query=``), by POST form
  (``application/x-www-form-urlencoded``) and by POST ``application/sparql-query``;
  SELECT/ASK answered in SPARQL JSON, XML, CSV or TSV, CONSTRUCT/DESCRIBE in Turtle,
  N-Triples, JSON-LD or RDF/XML, chosen by the ``Accept`` header (serialised by pyoxigraph);
  ``default-graph-uri`` / ``named-graph-uri`` honoured (an IRI that is not a graph of the store
  is an empty graph: pyoxigraph never fetches a dataset IRI; rdflib's ``urn:x-rdflib:default``
  is the endpoint's default graph), otherwise the default graph is the union of all graphs.
  Relative IRIs resolve against the request URL (the base IRI). Without a query, the endpoint
  URL answers with the service description (RDF) or, for a browser, the query page (YASGUI,
  served from ``kg/serve/static/yasgui``, preloaded with the named questions).
- ``GET /ontology``: the ontology in HTML, Turtle or JSON-LD, and a page behind every IRI of the project
  (``/id/…``, ``/concept/…``), in HTML or RDF by content negotiation (:mod:`kg.serve.resources`).

Bounded and safe by default (:class:`Settings`): every query is inspected by
:mod:`kg.store.guard` before it runs (updates, ``LOAD``, ``SERVICE`` and ``FROM`` of a graph
that is not in the store get 403); a request larger than ``max_request_bytes`` gets 413;
*lookups* (:mod:`kg.serve.lookup`: a triple pattern or two on a named subject, whose cost is
bounded by their shape) run in the server process itself, which denies itself the network once its
listening socket is bound (:func:`serve`), a plain GET of one on a fast path before the ASGI app
(:mod:`kg.serve.listen`), and in front-end processes on the same port that pass every other request's
connection on to the server process (:mod:`kg.serve.fronts`); every other query runs in ``workers`` worker processes,
each with its own read-only handle on the store and a memory cap (``worker_memory_mb``), shared fairly by
:mod:`kg.serve.pool`
(per-client limits, a short queue answered 503 with ``Retry-After``, workers reserved for
short queries); a query past ``time_limit_ms`` or its memory cap, or whose client hangs up,
has its process killed (and replaced), so a runaway ``ORDER BY`` or cross product cannot
keep a core or the memory; answers are cut at ``max_returned_rows`` rows or triples
(header ``X-KG-Truncated: true``). A malformed
query gets 400 with the parser's message and position. With an ``update_token``, ``POST`` of
``application/sparql-update`` (or form ``update=``) with ``Authorization: Bearer <token>`` runs
updates (one worker, store opened read-write).

Browsers: every response carries :data:`SECURITY_HEADERS` (a strict Content-Security-Policy:
scripts, styles and connections from this server only, no inline script; ``nosniff``;
``no-referrer``). CORS lets any origin run read-only queries (GET, POST), never with credentials
(no ``Access-Control-Allow-Credentials``, no ``Authorization`` in preflights); an update whose
``Origin`` is not this server's own gets 403. The query page never takes its endpoint from the URL
(``kg/serve/static/yasgui/PATCHES.md``).

Why not Oxigraph's own server behind a proxy: ``oxigraph serve-read-only`` has a
timeout (``--timeout-s``), CORS and a union default graph, but no row cap, no request
size cap, no way to refuse ``SERVICE`` (it executes it), and its query page loads YASGUI
from a CDN; a guard proxy in front of it would add a second HTTP hop on a 2-core machine
and could not cap rows without re-parsing every answer. Oxigraph's server is used where
it is best: as the remote target of ``kg build --to`` (see :mod:`kg.store.remote`).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from kg.model.vocab import PREFIXES
from kg.serve.headers import (
    CONTENT_SECURITY_POLICY,
    SECURITY_HEADERS,
    YASGUI_STYLE_HASHES,
    SecurityHeaders,
    content_security_policy,
)
from kg.serve.lookup import is_lookup, lookup_answer, open_local_store, run_lookup
from kg.serve.page import query_examples, query_page, wants_page
from kg.serve.pool import Busy, EngineFailure, MemoryLimit, TimeLimit, WorkerPool
from kg.serve.protocol import (
    GRAPH_TYPES,
    RDFLIB_DEFAULT_GRAPH,
    RESULT_TYPES,
    execute,
    negotiate,
    protocol_dataset,
    service_description,
)
from kg.serve.settings import SETTINGS_HELP, Settings
from kg.store.graph import DEFAULT_STORE
from kg.store.guard import Refused, check_query

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "GRAPH_TYPES",
    "RDFLIB_DEFAULT_GRAPH",
    "RESULT_TYPES",
    "SECURITY_HEADERS",
    "SETTINGS_HELP",
    "YASGUI_STYLE_HASHES",
    "SecurityHeaders",
    "Settings",
    "WorkerPool",
    "content_security_policy",
    "create_app",
    "execute",
    "negotiate",
    "protocol_dataset",
    "query_examples",
    "same_origin",
    "serve",
    "service_description",
]

log = logging.getLogger("kg.serve.app")

STATIC_DIR = Path(__file__).parent / "static"

#: how many query texts accepted by the guard are remembered (the same queries come again and again)
INSPECTED = 4096
_QUERY_BODY_TYPES = (
    "application/x-www-form-urlencoded",
    "application/sparql-query",
    "application/sparql-update",
)


# ---------------------------------------------------------------------------------------------------
# the ASGI application


class _TooLarge(Exception):
    pass


async def _disconnected(receive: Any) -> None:
    """Return when the client has closed the connection (call once the request body has been read)."""
    while (await receive())["type"] != "http.disconnect":
        pass


def _origin_tuple(scheme: str, host: str | None, port: int | None) -> tuple[str, str, int | None]:
    scheme = scheme.lower()
    return scheme, (host or "").lower(), port or {"http": 80, "https": 443}.get(scheme)


def same_origin(origin: str | None, url: Any) -> bool:
    """Whether an ``Origin`` header names the origin of *url* (a Starlette URL); no header is same-origin.

    >>> from starlette.datastructures import URL
    >>> same_origin("http://127.0.0.1:7878", URL("http://127.0.0.1:7878/sparql"))
    True
    >>> same_origin("https://evil.example", URL("http://127.0.0.1:7878/sparql"))
    False
    """
    from urllib.parse import urlsplit

    if origin is None:  # not sent by a browser's cross-origin request (curl, SPARQLWrapper, httpx)
        return True
    try:
        o = urlsplit(origin.strip())
        theirs = _origin_tuple(o.scheme, o.hostname, o.port)
    except ValueError:
        return False
    return theirs == _origin_tuple(url.scheme, url.hostname, url.port)


def _media_type(header: str) -> tuple[str, str | None]:
    """(media type, charset or None) of a Content-Type header, lower-cased."""
    media, *params = (p.strip() for p in header.split(";"))
    charset = None
    for p in params:
        k, _, v = p.partition("=")
        if k.strip().lower() == "charset":
            charset = v.strip().strip('"').lower()
    return media.lower(), charset


def create_app(
    store: str | Path = DEFAULT_STORE,
    settings: Settings | None = None,
    *,
    ontology_dir: str | Path | None = None,
    in_process: bool = False,
    base: str | None = None,
    data_dir: str | Path | None = None,
) -> Any:
    """The Starlette application serving *store* (workers start with the app's lifespan).

    With *in_process* (what :func:`serve` asks, once its listening socket is bound), the server process
    denies itself the network when the app starts (:func:`kg.store.isolation.deny_network`, for good:
    only for a process that opens no outbound connection, never a test runner) and then answers
    *lookups* (:mod:`kg.serve.lookup`: queries bounded by their shape) itself, with its own read-only
    handle on the store; every other query goes to the workers. Not with updates (the writer is a worker),
    and not where the network cannot be denied: then every query goes to the workers.

    The pages behind the IRIs (:mod:`kg.serve.resources`) link the project's IRIs under *base* (default: the
    server's own origin) and read documents' text and workbooks from *data_dir* (default: the data folder
    beside the store).

    Raises
    ------
    StoreError
        When there is no store at *store*.
    """
    from contextlib import asynccontextmanager

    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from kg.store.graph import open_store

    settings = settings or Settings()
    writable = settings.update_token is not None
    graph = open_store(store)  # raises StoreError with the fix when missing
    state: dict[str, Any] = {"graphs": graph.named_graphs(), "examples": query_examples(graph)}
    del graph  # the workers hold their own handles (a writer must be alone on the store)
    pool = WorkerPool(store, settings, writable=writable)
    plain = "text/plain; charset=utf-8"
    local: dict[str, Any] = {"store": None, "why": "not asked"}  # the server's own handle, for lookups
    # texts the guard accepted, for the graphs of the store as they are (emptied when an update changes them)
    inspected: dict[str, Any] = {}

    def error(status: int, message: str, **headers: str) -> Response:
        return Response(message + "\n", status_code=status, media_type=plain, headers=headers or None)

    async def read_body(request: Request) -> bytes:
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_request_bytes:
            raise _TooLarge()
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > settings.max_request_bytes:
                raise _TooLarge()
            chunks.append(chunk)
        return b"".join(chunks)

    async def sparql(request: Request) -> Response:
        try:
            return await _sparql(request)
        except _TooLarge:
            return error(
                413,
                f"the request is larger than max_request_bytes={settings.max_request_bytes} bytes; "
                "send a shorter query",
            )
        except Exception:
            log.exception("internal error")
            return error(500, "internal error (logged on the server)")

    async def _sparql(request: Request) -> Response:
        raw_qs = request.scope.get("query_string", b"")
        if len(raw_qs) > settings.max_request_bytes:
            raise _TooLarge()
        try:
            url_params = parse_qsl(raw_qs.decode("utf-8"), keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            return error(400, "the URL's query string is not percent-encoded UTF-8")
        params = list(url_params)
        query = update = None
        if request.method == "POST":
            ctype, charset = _media_type(request.headers.get("content-type", ""))
            body = await read_body(request)
            if not ctype:
                return error(
                    400,
                    "the POST has no Content-Type: send application/x-www-form-urlencoded (query=…), "
                    "application/sparql-query or (with a token) application/sparql-update",
                )
            if ctype not in _QUERY_BODY_TYPES:
                return error(
                    415,
                    f'Content-Type "{ctype}" is not accepted; send application/sparql-query, '
                    "application/x-www-form-urlencoded, or (with a token) application/sparql-update",
                )
            if charset not in (None, "utf-8", "utf8"):
                return error(415, f'charset "{charset}" is not accepted: send the request in UTF-8')
            try:
                text = body.decode("utf-8")
                if ctype == "application/x-www-form-urlencoded":
                    params += parse_qsl(text, keep_blank_values=True, errors="strict")
            except UnicodeDecodeError:
                return error(400, "the request body is not UTF-8")
            if ctype != "application/x-www-form-urlencoded":
                if any(k in ("query", "update") for k, _ in url_params):
                    return error(
                        400,
                        f"with Content-Type: {ctype} the body is the request: do not also send "
                        "query= or update= in the URL",
                    )
                if ctype == "application/sparql-query":
                    query = text
                else:
                    update = text
        values: dict[str, list[str]] = {}
        for k, v in params:
            values.setdefault(k, []).append(v)
        for name in ("query", "update"):
            if len(values.get(name, [])) > 1:
                return error(400, f"give one {name} parameter, not several")
        if query is None and "query" in values:
            query = values["query"][0]
        if update is None and "update" in values:
            if request.method != "POST":
                return error(
                    400,
                    "an update cannot be sent by GET: POST it as a form (update=…) or with "
                    "Content-Type: application/sparql-update",
                )
            update = values["update"][0]
        if query is not None and update is not None:
            return error(400, "give a query or an update, not both")
        base_iri = str(request.url.replace(query="", fragment=""))
        if update is not None:
            return await _update(request, update, base_iri)
        if query is None:
            if request.method == "GET":
                accept = request.headers.get("accept", "")
                if "text/html" in accept:
                    return HTMLResponse(state["page"])
                media, body = service_description(
                    base_iri,
                    state["graphs"],
                    settings,
                    accept,
                    isolation=None if pool.network_isolated else pool.isolation,
                )
                return Response(body, media_type=media)
            return error(
                400,
                "no query: send query=… (GET or POST form) or a POST with "
                "Content-Type: application/sparql-query",
            )
        if request.method == "GET" and wants_page(request.headers.get("accept")):  # a browser followed a link
            page = query_page(state["examples"], settings, "/sparql", query)
            return HTMLResponse(page, headers={"Vary": "Accept"})
        dg, ng = protocol_dataset(
            values.get("default-graph-uri", []), values.get("named-graph-uri", []), state["graphs"]
        )
        try:
            inspection = inspect(query)
        except Refused as exc:
            return error(403, str(exc))
        job = {
            "kind": "query",
            "text": query,
            "accept": request.headers.get("accept"),
            "base_iri": base_iri,
            "default_graphs": dg,
            "named_graphs": ng,
            "has_dataset": inspection.has_dataset,
            "max_rows": settings.max_returned_rows,
        }
        if local["store"] is not None and is_lookup(query):
            job["lookup"] = True
            return _answer(run_lookup(local["store"], job))
        return await _run(request, job)

    def inspect(query: str) -> Any:
        """The guard's verdict on *query* (:class:`Refused` raised), remembered for the texts it accepted."""
        inspection = inspected.get(query)
        if inspection is None:
            inspection = check_query(query, graphs=state["graphs"], prefixes=PREFIXES)
            inspected[query] = inspection
            if len(inspected) > INSPECTED:
                del inspected[next(iter(inspected))]  # the oldest
        return inspection

    def _answer(reply: tuple[int, str, bytes, dict[str, str]]) -> Response:
        status, media, body, headers = reply
        # the same URL answers results chosen by Accept, and a browser the query page (wants_page)
        return Response(
            body, status_code=status, media_type=media, headers={**(headers or {}), "Vary": "Accept"}
        )

    async def _run(request: Request, job: dict[str, Any]) -> Response:
        """Run *job* in the pool for the request's client; cancel it (kill its worker) if the client leaves."""
        client = request.client.host if request.client else "unknown"
        work = asyncio.ensure_future(pool.run(job, client))
        gone = asyncio.ensure_future(_disconnected(request.receive))
        try:
            await asyncio.wait({work, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            gone.cancel()
            if not work.done():
                work.cancel()
                await asyncio.wait({work})
        if work.cancelled():
            log.info("client %s went away: its query was stopped", client)
            return error(499, "the client closed the connection; the query was stopped")
        try:
            status, media, body, headers = work.result()
        except TimeLimit:
            return error(
                503,
                f"the query ran past the time limit of {settings.time_limit_ms} ms "
                "(setting time_limit_ms) and was stopped; narrow the pattern or add LIMIT",
            )
        except MemoryLimit:
            return error(
                503,
                f"the query used more than {settings.worker_memory_mb} MB (setting worker_memory_mb) and was "
                "stopped; narrow the pattern, add LIMIT, or avoid ORDER BY/GROUP BY over everything",
            )
        except EngineFailure as exc:
            return error(500, f"the query was not answered: {exc}; its worker was replaced")
        except Busy as exc:
            why = {
                "client": f"this client already has {settings.per_client_running} query(ies) running and "
                f"{settings.per_client_queued} waiting, its limit (settings per_client_running, "
                "per_client_queued)",
                "own": f"the query waited {settings.queue_wait_ms} ms (setting queue_wait_ms) behind this "
                f"client's own running query(ies) (setting per_client_running={settings.per_client_running})",
                "queue": f"no query worker became free within {settings.queue_wait_ms} ms (setting "
                "queue_wait_ms)",
            }[exc.reason]
            return error(
                503, f"{why}; try again in {exc.retry_after} s", **{"Retry-After": str(exc.retry_after)}
            )
        return _answer((status, media, body, headers))

    async def _update(request: Request, update: str, base_iri: str) -> Response:
        if settings.update_token is None:
            return error(403, "updates are refused: this endpoint is read-only (SPARQL Update is disabled)")
        if not same_origin(request.headers.get("origin"), request.url):
            return error(
                403,
                f"updates are refused from another origin ({request.headers.get('origin')}): "
                "send them from this server's own pages or from a program",
            )
        auth = request.headers.get("authorization", "")
        given = auth[7:] if auth.lower().startswith("bearer ") else ""
        if not hmac.compare_digest(given.encode(), settings.update_token.encode()):
            return error(
                401,
                "updates need 'Authorization: Bearer <token>' with this endpoint's update token",
                **{"WWW-Authenticate": "Bearer"},
            )
        try:
            check_query(update, graphs=state["graphs"], prefixes=PREFIXES, allow_update=True)
        except Refused as exc:
            return error(403, str(exc))
        response = await _run(request, {"kind": "update", "text": update, "base_iri": base_iri})
        if response.status_code < 300:
            _, _, body, _ = await pool.run({"kind": "graphs"}, "server")
            state["graphs"] = json.loads(body)
            inspected.clear()  # FROM <g> may name other graphs now
            pages.refresh()  # the IRI pages read the store as updated
        return response

    @asynccontextmanager
    async def lifespan(app: Any):
        pool.start()
        if in_process and not writable:
            local["store"], local["why"] = open_local_store(store)
            app.state.lookups = local["why"]
            (log.info if local["store"] is not None else log.warning)("lookups: %s", local["why"])
        try:
            yield
        finally:
            pool.close()

    state["page"] = query_page(state["examples"], settings, "/sparql")
    # -- the public pages behind the IRIs and /ontology (kg/serve/resources.py) --------------------------------
    from kg.serve.home import home_routes
    from kg.serve.resources import Pages, resource_routes

    pages = Pages(
        store, base=base, data_dir=data_dir, max_rows=settings.max_returned_rows, ontology_dir=ontology_dir
    )
    public_pages = resource_routes(pages)
    # ------------------------------------------------------------------------------------------------------------
    app = Starlette(
        routes=[
            *home_routes(pages),  # the public home page (kg/serve/home.py)
            Route("/sparql", sparql, methods=["GET", "POST"], name="sparql"),
            *public_pages,
            Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
        ],
        middleware=[
            Middleware(SecurityHeaders),
            # read-only queries from any origin, never with credentials: no allow_credentials, and only the
            # CORS-safelisted request headers (Accept, Content-Type…), so a cross-origin preflight carrying
            # Authorization (an update token) fails in the browser before the 403 of _update
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=[],
                allow_credentials=False,
                expose_headers=["X-KG-Truncated"],
                max_age=3600,
            ),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.pool = pool
    app.state.pages = pages  # kg atelier reads the store anew after each write (kg.serve.atelier.app)
    app.state.lookups = "answered by the workers"
    # plain GETs of lookups, answered before uvicorn's ASGI cycle (kg.serve.listen), once the store is open here
    app.state.fast_lookup = lookup_answer(lambda: local["store"], lambda: state["graphs"], settings, inspect)
    return app


def serve(
    store: str | Path = DEFAULT_STORE,
    *,
    host: str = "127.0.0.1",
    port: int = 7878,
    settings: Settings | None = None,
    log_level: str = "warning",
    base: str | None = None,
    data_dir: str | Path | None = None,
    front_ends: int | None = None,
) -> None:
    """Serve *store* on http://host:port/sparql until interrupted (blocking): what ``kg serve`` calls.

    Starts uvicorn with the application of :func:`create_app`, and *front_ends* - 1 more processes that
    answer lookups on the same port (:mod:`kg.serve.fronts`; default: one per core, at least 2 and at most
    4; one process with an update token). Nothing in :mod:`kg.serve` imports the command line; ``python -m kg.cli.serve``
    runs the command alone.
    """
    import os

    from kg.serve.fronts import open_fronts
    from kg.serve.listen import run

    settings = settings or Settings()
    if front_ends is None:
        front_ends = max(2, min(os.cpu_count() or 1, 4))
    if settings.update_token is not None:
        front_ends = 1

    def check(query: str, graphs: list[str]) -> Any:
        return check_query(query, graphs=graphs, prefixes=PREFIXES)

    # the listening sockets are made (and the front ends forked) here, before the app opens the store or
    # starts a thread: then each process can deny itself the network and answer lookups itself
    sock, fronts = open_fronts(store, settings, host, port, check, count=front_ends, log_level=log_level)
    app = create_app(store, settings, in_process=True, base=base, data_dir=data_dir)
    run(app, sock, log_level, fronts)
