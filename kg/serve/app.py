"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over the built store.

A thin ASGI application (Starlette, run by uvicorn) in front of pyoxigraph:

- ``GET/POST /sparql``: queries by GET (``?query=``), by POST form
  (``application/x-www-form-urlencoded``) and by POST ``application/sparql-query``;
  SELECT/ASK answered in SPARQL JSON, XML, CSV or TSV, CONSTRUCT/DESCRIBE in Turtle,
  N-Triples, JSON-LD or RDF/XML, chosen by the ``Accept`` header (serialised by pyoxigraph);
  ``default-graph-uri`` / ``named-graph-uri`` honoured, otherwise the default graph is the
  union of all graphs. Without a query, the endpoint URL answers with the service
  description (RDF) or, for a browser, the query page (YASGUI, served from
  ``kg/serve/static/yasgui``, preloaded with the named questions).
- ``GET /ontology``: the ontology's documentation (:mod:`kg.present.ontology_page`).

Bounded and safe by default (:class:`Settings`): every query is inspected by
:mod:`kg.store.guard` before it runs (updates, ``LOAD``, ``SERVICE`` and ``FROM`` of a graph
that is not in the store get 403); a request larger than ``max_request_bytes`` gets 413;
queries run in ``workers`` worker processes, each with its own read-only handle on the
store, and a query still running after ``time_limit_ms`` has its process killed (and
replaced), so a runaway ``ORDER BY`` or cross product cannot keep a core; answers are cut
at ``max_returned_rows`` rows or triples (header ``X-KG-Truncated: true``). A malformed
query gets 400 with the parser's message and position. CORS allows any origin. With an
``update_token``, ``POST`` of ``application/sparql-update`` (or form ``update=``) with
``Authorization: Bearer <token>`` runs updates (one worker, store opened read-write).

Why not Oxigraph's own server behind a proxy: ``oxigraph serve-read-only`` has a
timeout (``--timeout-s``), CORS and a union default graph, but no row cap, no request
size cap, no way to refuse ``SERVICE`` (it executes it), and its query page loads YASGUI
from a CDN; a guard proxy in front of it would add a second HTTP hop on a 2-core machine
and could not cap rows without re-parsing every answer. Oxigraph's server is used where
it is best: as the remote target of ``kg build --to`` (see :mod:`kg.store.remote`).
"""

from __future__ import annotations

import hmac
import json
import logging
import shlex
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import parse_qsl

from kg.model.vocab import PREFIXES
from kg.serve.protocol import (
    GRAPH_TYPES,
    RESULT_TYPES,
    execute,
    negotiate,
    service_description,
)
from kg.serve.settings import SETTINGS_HELP, Settings
from kg.serve.workers import Busy, TimeLimit, WorkerPool
from kg.store.graph import DEFAULT_STORE
from kg.store.guard import Refused, check_dataset, check_query

__all__ = [
    "GRAPH_TYPES",
    "RESULT_TYPES",
    "SETTINGS_HELP",
    "Settings",
    "WorkerPool",
    "create_app",
    "execute",
    "negotiate",
    "query_examples",
    "serve",
    "service_description",
]

log = logging.getLogger("kg.serve.app")

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATE_DIR = Path(__file__).parent / "templates"


def query_examples(graph: Any) -> list[dict[str, str]]:
    """The named questions, their parameters filled from each header's first example, as runnable SPARQL."""
    from kg.errors import KGError
    from kg.store.graph import bind
    from kg.store.queries import bind_params, list_queries

    out = []
    for q in list_queries():
        values: dict[str, str] = {}
        if q.examples:
            words = shlex.split(q.examples[0])
            for i, w in enumerate(words[:-1]):
                if w in ("--param", "-p") and "=" in words[i + 1]:
                    k, v = words[i + 1].split("=", 1)
                    values[k] = v
        try:
            text = bind(q.sparql, bind_params(graph, q, values))
        except KGError:
            text = q.sparql
        out.append(
            {
                "name": q.name,
                "title_fr": q.title.get("fr", ""),
                "title_en": q.title.get("en", ""),
                "query": text,
            }
        )
    return out


def _query_page(examples: list[dict[str, str]], settings: Settings, endpoint_path: str) -> str:
    from html import escape

    data = (
        json.dumps(examples, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
    limits = (
        f"{settings.time_limit_ms} ms, {settings.max_returned_rows} lignes/rows, "
        f"{settings.max_request_bytes} octets/bytes"
    )
    page = Template((TEMPLATE_DIR / "serve_query.html").read_text(encoding="utf-8"))
    return page.substitute(endpoint=escape(endpoint_path), limits=escape(limits), examples_json=data)


# ---------------------------------------------------------------------------------------------------
# the ASGI application


class _TooLarge(Exception):
    pass


def create_app(
    store: str | Path = DEFAULT_STORE,
    settings: Settings | None = None,
    *,
    ontology_dir: str | Path | None = None,
) -> Any:
    """The Starlette application serving *store* (workers start with the app's lifespan).

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
    from starlette.responses import HTMLResponse, RedirectResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from kg.present.ontology_page import ONTOLOGY_DIR, ontology_page
    from kg.store.graph import open_store

    settings = settings or Settings()
    writable = settings.update_token is not None
    graph = open_store(store)  # raises StoreError with the fix when missing
    state: dict[str, Any] = {"graphs": graph.named_graphs(), "examples": query_examples(graph)}
    del graph  # the workers hold their own handles (a writer must be alone on the store)
    docs_html = ontology_page(ontology_dir or ONTOLOGY_DIR)
    pool = WorkerPool(store, 1 if writable else settings.workers, writable=writable)
    timeout_s = settings.time_limit_ms / 1000
    plain = "text/plain; charset=utf-8"

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
        params = parse_qsl(request.url.query, keep_blank_values=True)
        query = update = None
        if request.method == "POST":
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            body = await read_body(request)
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                return error(400, "the request body is not UTF-8")
            if ctype == "application/x-www-form-urlencoded":
                params += parse_qsl(text, keep_blank_values=True)
            elif ctype == "application/sparql-query":
                query = text
            elif ctype == "application/sparql-update":
                update = text
            else:
                return error(
                    415,
                    f'Content-Type "{ctype}" is not accepted; send application/sparql-query, '
                    "application/x-www-form-urlencoded, or (with a token) application/sparql-update",
                )
        values: dict[str, list[str]] = {}
        for k, v in params:
            values.setdefault(k, []).append(v)
        if query is None and "query" in values:
            if len(values["query"]) > 1:
                return error(400, "give one query parameter, not several")
            query = values["query"][0]
        if update is None and "update" in values:
            if request.method != "POST":
                return error(405, "updates must be sent by POST")
            update = values["update"][0]
        if query is not None and update is not None:
            return error(400, "give a query or an update, not both")
        if update is not None:
            return await _update(request, update)
        if query is None:
            if request.method == "GET":
                accept = request.headers.get("accept", "")
                if "text/html" in accept:
                    return HTMLResponse(state["page"])
                media, body = service_description(
                    str(request.url.replace(query="")), state["graphs"], settings, accept
                )
                return Response(body, media_type=media)
            return error(
                400,
                "no query: send query=… (GET or POST form) or a POST with "
                "Content-Type: application/sparql-query",
            )
        dg, ng = values.get("default-graph-uri", []), values.get("named-graph-uri", [])
        try:
            check_dataset(dg, ng, state["graphs"])
            inspection = check_query(query, graphs=state["graphs"], prefixes=PREFIXES)
        except Refused as exc:
            return error(403, str(exc))
        job = {
            "kind": "query",
            "text": query,
            "accept": request.headers.get("accept"),
            "default_graphs": dg,
            "named_graphs": ng,
            "has_dataset": inspection.has_dataset,
            "max_rows": settings.max_returned_rows,
        }
        return await _run(job)

    async def _run(job: dict[str, Any]) -> Response:
        try:
            status, media, body, headers = await pool.submit(job, timeout_s)
        except TimeLimit:
            return error(
                503,
                f"the query ran past the time limit of {settings.time_limit_ms} ms "
                "(setting time_limit_ms) and was stopped; narrow the pattern or add LIMIT",
            )
        except Busy:
            return error(
                503,
                f"every query worker stayed busy for {settings.time_limit_ms} ms; try again later",
                **{"Retry-After": "1"},
            )
        return Response(body, status_code=status, media_type=media, headers=headers or None)

    async def _update(request: Request, update: str) -> Response:
        if settings.update_token is None:
            return error(403, "updates are refused: this endpoint is read-only (SPARQL Update is disabled)")
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
        response = await _run({"kind": "update", "text": update})
        if response.status_code < 300:
            _, _, body, _ = await pool.submit({"kind": "graphs"}, timeout_s)
            state["graphs"] = json.loads(body)
        return response

    async def home(request: Request) -> Response:
        return RedirectResponse(url=str(request.url_for("sparql")))

    async def ontology(request: Request) -> Response:
        return HTMLResponse(docs_html)

    @asynccontextmanager
    async def lifespan(app: Any):
        pool.start()
        try:
            yield
        finally:
            pool.close()

    state["page"] = _query_page(state["examples"], settings, "/sparql")
    app = Starlette(
        routes=[
            Route("/", home),
            Route("/sparql", sparql, methods=["GET", "POST"], name="sparql"),
            Route("/ontology", ontology),
            Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
        ],
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["*"],
                expose_headers=["X-KG-Truncated"],
                max_age=3600,
            )
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.pool = pool
    return app


def serve(
    store: str | Path = DEFAULT_STORE,
    *,
    host: str = "127.0.0.1",
    port: int = 7878,
    settings: Settings | None = None,
    log_level: str = "warning",
) -> None:
    """Serve *store* on http://host:port/sparql until interrupted (blocking): what ``kg serve`` calls.

    Starts uvicorn with the application of :func:`create_app`. Nothing in :mod:`kg.serve`
    imports the command line; ``python -m kg.cli.serve`` runs the command alone.
    """
    import uvicorn

    app = create_app(store, settings)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)
