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

import asyncio
import hmac
import json
import logging
import pickle
import shlex
import threading
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import parse_qsl

from kg.model.vocab import FORMATS, PREFIXES, RDF, RDFS, SD
from kg.store.graph import DEFAULT_STORE, syntax_message
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


@dataclass(frozen=True)
class Settings:
    """The endpoint's limits (named settings, each with help text in :data:`SETTINGS_HELP`)."""

    time_limit_ms: int = 10_000
    max_returned_rows: int = 10_000
    max_request_bytes: int = 65_536
    workers: int = 2
    update_token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        from kg.errors import QueryError

        for f in ("time_limit_ms", "max_returned_rows", "max_request_bytes", "workers"):
            if getattr(self, f) < 1:
                raise QueryError(f"setting {f} must be at least 1, not {getattr(self, f)}")


SETTINGS_HELP = {
    "time_limit_ms": "Longest a query may run, in milliseconds. Past it the query's worker process is killed "
    "(and replaced) and the client gets 503.",
    "max_returned_rows": "Most rows (SELECT) or triples (CONSTRUCT/DESCRIBE) in one answer; a longer answer is "
    "cut there and flagged with the response header X-KG-Truncated: true.",
    "max_request_bytes": "Largest request accepted (body, or query string for GET), in bytes; larger requests "
    "get 413.",
    "workers": "Worker processes running queries, i.e. the most queries running at once; a request waits at "
    "most time_limit_ms for a free worker, then gets 503.",
    "update_token": "If set, SPARQL Update is enabled for requests with 'Authorization: Bearer <token>' "
    "(private deployments only; one worker, store opened read-write).",
}

# ---------------------------------------------------------------------------------------------------
# content negotiation

#: media type → (pyoxigraph QueryResultsFormat name, canonical media type)
RESULT_TYPES = {
    "application/sparql-results+json": ("JSON", "application/sparql-results+json"),
    "application/json": ("JSON", "application/sparql-results+json"),
    "application/sparql-results+xml": ("XML", "application/sparql-results+xml"),
    "application/xml": ("XML", "application/sparql-results+xml"),
    "text/xml": ("XML", "application/sparql-results+xml"),
    "text/csv": ("CSV", "text/csv; charset=utf-8"),
    "text/tab-separated-values": ("TSV", "text/tab-separated-values; charset=utf-8"),
}
#: media type → (pyoxigraph RdfFormat name, canonical media type)
GRAPH_TYPES = {
    "text/turtle": ("TURTLE", "text/turtle; charset=utf-8"),
    "application/turtle": ("TURTLE", "text/turtle; charset=utf-8"),
    "application/x-turtle": ("TURTLE", "text/turtle; charset=utf-8"),
    "application/n-triples": ("N_TRIPLES", "application/n-triples"),
    "text/plain": ("N_TRIPLES", "application/n-triples"),
    "application/ld+json": ("JSON_LD", "application/ld+json"),
    "application/x-json+ld": ("JSON_LD", "application/ld+json"),
    "application/rdf+xml": ("RDF_XML", "application/rdf+xml"),
}
_DEFAULTS = {"results": "application/sparql-results+json", "graph": "text/turtle"}


def _accepted(accept: str | None) -> list[str]:
    """Media ranges of an Accept header, best first (q=0 dropped, ties keep their order)."""
    if not accept:
        return ["*/*"]
    out = []
    for i, part in enumerate(accept.split(",")):
        items = [x.strip() for x in part.split(";")]
        q = 1.0
        for x in items[1:]:
            if x.lower().startswith("q="):
                try:
                    q = float(x[2:])
                except ValueError:
                    q = 0.0
        if items[0] and q > 0:
            out.append((-q, i, items[0].lower()))
    return [m for _, _, m in sorted(out)] or ["*/*"]


def negotiate(accept: str | None, kind: str) -> tuple[str, str] | None:
    """The (format name, media type) to answer *kind* (``results`` or ``graph``) with, or None (406).

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", "results")
    ('XML', 'application/sparql-results+xml')
    >>> negotiate("text/html,*/*;q=0.8", "graph")
    ('TURTLE', 'text/turtle; charset=utf-8')
    """
    table = RESULT_TYPES if kind == "results" else GRAPH_TYPES
    for media in _accepted(accept):
        if media in table:
            return table[media]
        if media in ("*/*", "application/*", "text/*"):
            default = table[_DEFAULTS[kind]]
            if media == "*/*" or default[1].startswith(media[:-1]):
                return default
    return None


# ---------------------------------------------------------------------------------------------------
# executing one job (in a worker process)


def _tsv(variables: list[str], rows: list[Any]) -> bytes:
    lines = ["\t".join("?" + v for v in variables)]
    lines.extend("\t".join("" if t is None else str(t) for t in sol) for sol in rows)
    return ("\n".join(lines) + "\n").encode("utf-8")


def execute(store: Any, job: dict[str, Any]) -> tuple[int, str, bytes, dict[str, str]]:
    """Run one *job* on *store*; return (status, content type, body, headers).

    ``job`` keys: ``kind`` (query, update, graphs), ``text``, ``accept``, ``default_graphs``,
    ``named_graphs``, ``has_dataset`` (the query has FROM), ``max_rows``.
    """
    import pyoxigraph as ox

    plain = "text/plain; charset=utf-8"
    text = job.get("text", "")
    try:
        if job["kind"] == "graphs":
            return (
                200,
                "application/json",
                json.dumps(sorted(g.value for g in store.named_graphs())).encode(),
                {},
            )
        if job["kind"] == "update":
            store.update(text, prefixes=PREFIXES)
            return 204, plain, b"", {}
        kwargs: dict[str, Any] = {}
        dg, ng = job.get("default_graphs") or [], job.get("named_graphs") or []
        if dg or ng:  # the protocol's dataset replaces the query's and the union default graph
            kwargs["default_graph"] = [ox.NamedNode(g) for g in dg]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in ng]
        elif not job.get("has_dataset"):
            kwargs["use_default_graph_as_union"] = True
        result = store.query(text, prefixes=PREFIXES, **kwargs)
        cap = job["max_rows"]
        if isinstance(result, ox.QueryBoolean):
            chosen = negotiate(job.get("accept"), "results")
            if chosen is None:
                return 406, plain, _not_acceptable(job.get("accept"), "results"), {}
            return 200, chosen[1], result.serialize(format=getattr(ox.QueryResultsFormat, chosen[0])), {}
        if isinstance(result, ox.QuerySolutions):
            chosen = negotiate(job.get("accept"), "results")
            if chosen is None:
                return 406, plain, _not_acceptable(job.get("accept"), "results"), {}
            variables = [v.value for v in result.variables]
            rows = list(islice(result, cap + 1))
            headers = {"X-KG-Truncated": "true"} if len(rows) > cap else {}
            # the capped rows go through TSV (terms in N-Triples syntax) back into QuerySolutions,
            # so pyoxigraph's own serialisers write every format
            solutions = ox.parse_query_results(_tsv(variables, rows[:cap]), format=ox.QueryResultsFormat.TSV)
            return (
                200,
                chosen[1],
                solutions.serialize(format=getattr(ox.QueryResultsFormat, chosen[0])),
                headers,
            )
        chosen = negotiate(job.get("accept"), "graph")
        if chosen is None:
            return 406, plain, _not_acceptable(job.get("accept"), "graph"), {}
        triples = list(islice(result, cap + 1))
        headers = {"X-KG-Truncated": "true"} if len(triples) > cap else {}
        fmt = getattr(ox.RdfFormat, chosen[0])
        prefixes = PREFIXES if chosen[0] in ("TURTLE", "JSON_LD", "RDF_XML") else None
        body = ox.serialize(triples[:cap], format=fmt, prefixes=prefixes)
        return 200, chosen[1], body or b"", headers
    except SyntaxError as exc:
        return 400, plain, syntax_message(str(exc), text, text).encode("utf-8"), {}
    except ValueError as exc:  # e.g. a malformed graph IRI
        return 400, plain, f"bad request: {exc}".encode(), {}
    except OSError as exc:
        return 500, plain, f"the query failed: {exc}".encode(), {}


def _not_acceptable(accept: str | None, kind: str) -> bytes:
    table = RESULT_TYPES if kind == "results" else GRAPH_TYPES
    what = "SELECT/ASK results" if kind == "results" else "CONSTRUCT/DESCRIBE graphs"
    return (
        f"Accept: {accept} names no format this endpoint writes for {what}; "
        f"use one of {', '.join(sorted({v[1].split(';')[0] for v in table.values()}))}"
    ).encode()


def _worker_main(conn: Any, store_path: str, writable: bool) -> None:  # pragma: no cover - runs in a child
    """Loop of a worker process: receive a pickled job, send back the pickled reply."""
    import pyoxigraph as ox

    store = ox.Store(store_path) if writable else ox.Store.read_only(store_path)
    conn.send_bytes(b"ready")
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            reply = execute(store, pickle.loads(data))
        except Exception as exc:  # noqa: BLE001 - reported to the client as a 500, never a traceback
            reply = (
                500,
                "text/plain; charset=utf-8",
                f"the query failed: {type(exc).__name__}: {exc}".encode(),
                {},
            )
        conn.send_bytes(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))


# ---------------------------------------------------------------------------------------------------
# the worker pool (in the server process)


class TimeLimit(Exception):
    """A query ran past the time limit (its worker was killed)."""


class Busy(Exception):
    """No worker became free in time."""


class _Worker:
    def __init__(self, store_path: str, writable: bool):
        import multiprocessing as mp

        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(
            target=_worker_main, args=(child, store_path, writable), daemon=True, name="kg-serve-worker"
        )
        self.proc.start()
        child.close()
        if not self.conn.poll(60) or self.conn.recv_bytes() != b"ready":
            self.kill()
            from kg.errors import StoreError

            raise StoreError(f"a query worker could not open the store at {store_path}")

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.join(5)
        finally:
            self.conn.close()


class WorkerPool:
    """``size`` worker processes; :meth:`submit` runs a job on a free one within a deadline.

    A job still running at its deadline has its process killed (SIGKILL) and replaced in the
    background: pyoxigraph cannot interrupt a query (an ``ORDER BY`` or an aggregate computes
    everything before its first row), so a process is the unit that can be stopped.
    """

    def __init__(self, store_path: str | Path, size: int = 2, *, writable: bool = False):
        self.store_path, self.size, self.writable = str(store_path), size, writable
        self._workers: list[_Worker] = []
        self._idle: asyncio.Queue[_Worker] | None = None
        self._lock = threading.Lock()
        self._replacing: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        """Start the processes (blocking; call before serving)."""
        self._idle = asyncio.Queue()
        for _ in range(self.size):
            w = _Worker(self.store_path, self.writable)
            self._workers.append(w)
            self._idle.put_nowait(w)

    def close(self) -> None:
        """Stop every worker process."""
        with self._lock:
            for w in self._workers:
                w.kill()
            self._workers.clear()

    async def _replace(self, dead: _Worker) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, dead.kill)
        with self._lock:
            if dead in self._workers:
                self._workers.remove(dead)
        w = await loop.run_in_executor(None, _Worker, self.store_path, self.writable)
        with self._lock:
            self._workers.append(w)
        if self._idle is not None:
            self._idle.put_nowait(w)

    async def submit(self, job: dict[str, Any], timeout_s: float) -> tuple[int, str, bytes, dict[str, str]]:
        """Run *job* on a free worker: wait at most *timeout_s* for one, then at most *timeout_s* for the reply.

        Raises
        ------
        Busy
            When no worker became free in time.
        TimeLimit
            When the job ran past *timeout_s* (its worker is killed and replaced).
        """
        if self._idle is None:
            raise RuntimeError("WorkerPool.start() was not called")
        try:
            w = await asyncio.wait_for(self._idle.get(), timeout_s)
        except TimeoutError:
            raise Busy() from None
        loop = asyncio.get_running_loop()
        ok = False
        try:
            w.conn.send_bytes(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
            ready = loop.create_future()
            fd = w.conn.fileno()
            loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
            try:
                await asyncio.wait_for(ready, timeout_s)
            except TimeoutError:
                raise TimeLimit() from None
            finally:
                loop.remove_reader(fd)
            reply = pickle.loads(w.conn.recv_bytes())
            ok = True
            return reply
        finally:
            if ok:
                self._idle.put_nowait(w)
            else:  # timed out, cancelled or crashed: the worker's state is unknown, replace it
                task = asyncio.ensure_future(self._replace(w))
                self._replacing.add(task)
                task.add_done_callback(self._replacing.discard)


# ---------------------------------------------------------------------------------------------------
# service description, examples, pages


def service_description(
    endpoint: str, graphs: list[str], settings: Settings, accept: str | None
) -> tuple[str, bytes]:
    """The SPARQL 1.1 Service Description of the endpoint, as (media type, body) per *accept*."""
    import pyoxigraph as ox

    sd, fmts = str(SD), str(FORMATS)
    rdf_type = ox.NamedNode(str(RDF.type))
    S = ox.NamedNode(endpoint)

    def n(local: str, ns: str = sd) -> Any:
        return ox.NamedNode(ns + local)

    t = [
        ox.Triple(S, rdf_type, n("Service")),
        ox.Triple(S, n("endpoint"), S),
        ox.Triple(S, n("supportedLanguage"), n("SPARQL11Query")),
        ox.Triple(S, n("feature"), n("UnionDefaultGraph")),
        ox.Triple(
            S,
            ox.NamedNode(str(RDFS.comment)),
            ox.Literal(
                f"Read-only Territorial KG endpoint. Default graph = union of all named graphs. Limits: "
                f"time_limit_ms={settings.time_limit_ms}, max_returned_rows={settings.max_returned_rows}, "
                f"max_request_bytes={settings.max_request_bytes}. SERVICE, LOAD, updates and FROM of graphs "
                f"outside this store are refused (403).",
                language="en",
            ),
        ),
    ]
    for f in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
    ):
        t.append(ox.Triple(S, n("resultFormat"), n(f, fmts)))
    ds, dg = ox.BlankNode(), ox.BlankNode()
    t += [
        ox.Triple(S, n("defaultDataset"), ds),
        ox.Triple(ds, rdf_type, n("Dataset")),
        ox.Triple(ds, n("defaultGraph"), dg),
        ox.Triple(dg, rdf_type, n("Graph")),
    ]
    for g in graphs:
        b = ox.BlankNode()
        t += [
            ox.Triple(ds, n("namedGraph"), b),
            ox.Triple(b, rdf_type, n("NamedGraph")),
            ox.Triple(b, n("name"), ox.NamedNode(g)),
        ]
    chosen = negotiate(accept, "graph") or GRAPH_TYPES["text/turtle"]
    prefixes = {
        "sd": sd,
        "formats": fmts,
        "rdfs": PREFIXES["rdfs"],
        "graph": PREFIXES["graph"],
    }
    body = ox.serialize(
        t, format=getattr(ox.RdfFormat, chosen[0]), prefixes=prefixes if chosen[0] != "N_TRIPLES" else None
    )
    return chosen[1], body


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
    """Serve *store* on http://host:port/sparql until interrupted (blocking)."""
    import uvicorn

    app = create_app(store, settings)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)


if __name__ == "__main__":  # pragma: no cover - python -m kg.serve.app, for benchmarks and tests
    from kg.cli.serve import main

    main()
