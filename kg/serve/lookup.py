"""Which queries are *lookups*: queries whose cost is bounded by their shape, answered in the server process.

A worker process costs a simple SELECT two pipe round trips, two pickles and a context switch: most of its
time on this 2-core machine (``benchmarks/README.md``, serve section). Yet a worker exists to stop a query
that runs too long or takes too much memory, and pyoxigraph cannot interrupt a query. So the server runs
in its own process only the queries it can prove cannot run long, and sends every other one to a worker.

:func:`is_lookup` accepts a query only when every token of it is on a short list and it has this shape::

    PREFIX …  BASE …                                  (any number)
    SELECT ?v … | *  [WHERE] { patterns }  [LIMIT n]   or   ASK [WHERE] { patterns }

where *patterns* are triple patterns (``s p o``, with ``;`` and ``,`` lists) whose **subject is always an
IRI** (absolute, or a prefixed name) and whose predicate is an IRI or ``a``; a variable predicate is
allowed only when there is a single pattern. Objects are IRIs, prefixed names, variables, plain or
language-tagged strings without escapes, numbers or booleans. Nothing else: no ``FILTER``, ``OPTIONAL``,
``UNION``, ``GRAPH``, ``VALUES``, ``BIND``, sub-queries, property paths, blank nodes, ``DISTINCT``,
``ORDER BY``, ``GROUP BY``, aggregates, expressions, ``OFFSET``, ``FROM``, ``SERVICE``, and no backslash
anywhere (no escape can hide a keyword). Anything the check does not understand goes to a worker.

Why that bounds the work: each pattern has a fixed subject (and, but for a lone pattern, a fixed predicate),
so it matches at most the out-degree of that subject; there are at most :data:`MAX_PATTERNS` (two) patterns,
so whatever the join order, the engine reads each pattern's matches once, or the second once per row of the
first (an index look-up each), and with no filter and no ``DISTINCT`` every join result is a row of the
answer, which is read lazily and cut at ``max_returned_rows`` + 1 rows; with no ``OFFSET`` nothing is
computed and skipped. The work is thus at most the two out-degrees plus ``max_returned_rows`` rows,
whatever the store: a cross product (``?a ?b ?c . ?d ?e ?f``), a sort of the
store, or a pattern with a free subject never qualifies. Such a query cannot reach the network either
(no ``SERVICE``, no ``FROM``), and the server process denies itself the network all the same
(:func:`kg.store.isolation.deny_network`, after it has bound its listening socket).

>>> is_lookup("SELECT ?label WHERE { <http://example.org/a> rdfs:label ?label }")
True
>>> is_lookup("SELECT ?p ?o WHERE { <http://example.org/a> ?p ?o } LIMIT 20")
True
>>> is_lookup("SELECT * WHERE { ?s ?p ?o }")
False
>>> is_lookup("SELECT ?o WHERE { <http://example.org/a> ?p ?o . ?o ?q ?r }")
False
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from kg.model.vocab import PREFIXES
from kg.serve.protocol import execute, json_solutions, negotiate
from kg.serve.workers import NO_NETWORK
from kg.store.guard import tokens

__all__ = ["MAX_PATTERNS", "is_lookup", "lookup_answer", "lookup_params", "open_local_store", "run_lookup"]

JSON = "application/sparql-results+json"

#: most triple patterns in a lookup: with two, any join order costs at most the two out-degrees plus one index
#: look-up per row of the first (and the rows it answers, cut at ``max_returned_rows``); with three, a join
#: of two could be computed in full and then filtered away by the third
MAX_PATTERNS = 2
#: the longest text considered (a longer query goes to a worker without being read)
MAX_CHARS = 4_000
_ABSOLUTE_IRI = re.compile(r"<[A-Za-z][A-Za-z0-9+\-.]*:[^\s<>\"{}|^`\\]*>")
_PNAME = re.compile(r"[A-Za-z][\w\-.]*:[\w\-.:%]*|:[\w\-.:%]*")
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_SIMPLE_STRING = re.compile(r"\"[^\"\\\r\n]*\"|'[^'\\\r\n]*'")


def _constant(kind: str, text: str) -> bool:
    """An IRI: absolute, or a prefixed name (whose prefix the parser checks)."""
    if kind == "iri":
        return _ABSOLUTE_IRI.fullmatch(text) is not None
    return kind == "word" and _PNAME.fullmatch(text) is not None and not text.endswith(".")


@lru_cache(maxsize=4096)
def is_lookup(query: str) -> bool:
    """Whether *query* is a lookup (see the module): bounded by its shape, safe to run in the server process.

    A query already accepted by :func:`kg.store.guard.check_query` is expected; this only says "bounded" or
    "not known to be bounded". Results are cached by text (the same lookups come again and again).
    """
    if len(query) > MAX_CHARS or "\\" in query:
        return False
    toks = [(t.kind, t.text) for t in tokens(query)]
    i, n = 0, len(toks)

    def at(k: int) -> tuple[str, str]:
        return toks[k] if k < n else ("end", "")

    # prologue
    while at(i)[0] == "word" and at(i)[1].upper() in ("PREFIX", "BASE"):
        if at(i)[1].upper() == "PREFIX":
            kind, text = at(i + 1)
            if kind != "word" or not text.endswith(":") or not _ABSOLUTE_IRI.fullmatch(at(i + 2)[1]):
                return False
            i += 3
        else:
            if not _ABSOLUTE_IRI.fullmatch(at(i + 1)[1]):
                return False
            i += 2
    form = at(i)[1].upper() if at(i)[0] == "word" else ""
    i += 1
    if form == "SELECT":
        if at(i) == ("punct", "*"):
            i += 1
        else:
            start = i
            while at(i)[0] == "var":
                i += 1
            if i == start:
                return False
    elif form != "ASK":
        return False
    if at(i)[0] == "word" and at(i)[1].upper() == "WHERE":
        i += 1
    if at(i) != ("punct", "{"):
        return False
    i += 1
    patterns, var_predicate = 0, False
    while at(i) != ("punct", "}"):
        # a subject, then predicate-object lists
        if not _constant(*at(i)):
            return False
        i += 1
        while True:
            kind, text = at(i)
            if kind == "var":
                var_predicate = True
            elif not (kind == "word" and text == "a") and not _constant(kind, text):
                return False
            i += 1
            while True:  # objects
                kind, text = at(i)
                if kind == "string":
                    if not _SIMPLE_STRING.fullmatch(text):
                        return False
                    if at(i + 1)[0] == "lang":
                        i += 1
                elif kind == "word" and (_NUMBER.fullmatch(text) or text in ("true", "false")):
                    pass
                elif kind != "var" and not _constant(kind, text):
                    return False
                i += 1
                patterns += 1
                if at(i) != ("punct", ","):
                    break
                i += 1
            if at(i) != ("punct", ";"):
                break
            i += 1
            if at(i) in (("punct", "."), ("punct", "}")):  # a trailing ';'
                break
        if at(i) == ("punct", "."):
            i += 1
        elif at(i) != ("punct", "}"):
            return False
    i += 1
    if patterns == 0 or patterns > MAX_PATTERNS or (var_predicate and patterns > 1):
        return False
    if form == "SELECT" and at(i)[0] == "word" and at(i)[1].upper() == "LIMIT":
        if not (at(i + 1)[0] == "word" and at(i + 1)[1].isdigit()):
            return False
        i += 2
    return i == n


#: the parameters a plain GET of a lookup may carry (the protocol's dataset, and the query)
_PARAMETERS = frozenset({"query", "default-graph-uri", "named-graph-uri"})


@lru_cache(maxsize=4096)
def lookup_params(raw: bytes) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None:
    """(query, default-graph-uri…, named-graph-uri…) of a GET's query string *raw* whose query is a lookup
    and that has no other parameter; None otherwise (the request then takes the full path, which answers
    malformed ones). Cached by the raw bytes: the parse only, never an answer."""
    try:
        params = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        return None
    query = [v for k, v in params if k == "query"]
    if len(query) != 1 or any(k not in _PARAMETERS for k, _ in params) or not is_lookup(query[0]):
        return None
    return (
        query[0],
        tuple(v for k, v in params if k == "default-graph-uri"),
        tuple(v for k, v in params if k == "named-graph-uri"),
    )


@lru_cache(maxsize=4096)
def _prefixes(text: str) -> dict[str, str]:
    """The predeclared prefixes *text* names (what :func:`kg.serve.protocol.execute` hands the parser)."""
    return {p: iri for p, iri in PREFIXES.items() if p + ":" in text}


@lru_cache(maxsize=256)
def _json_chosen(accept: str | None) -> bool:
    chosen = negotiate(accept, "results")
    return chosen is not None and chosen[0] == "JSON"


def _json_lookup(store: Any, job: dict[str, Any]) -> tuple[int, str, bytes, dict[str, str]] | None:
    """The commonest lookup, answered in SPARQL JSON over the union default graph with fewer steps than
    :func:`kg.serve.protocol.execute` (same text, prefixes and base IRI, same JSON); None for anything else,
    which ``execute`` then answers (other formats, a dataset, an error, a term its JSON writer leaves)."""
    import pyoxigraph as ox

    if job.get("default_graphs") or job.get("named_graphs") or job.get("has_dataset"):
        return None
    if not _json_chosen(job.get("accept")):
        return None
    text = job["text"]
    try:
        result = store.query(
            text, prefixes=_prefixes(text), base_iri=job.get("base_iri"), use_default_graph_as_union=True
        )
        if isinstance(result, ox.QueryBoolean):
            return 200, JSON, b'{"head":{},"boolean":true}' if result else b'{"head":{},"boolean":false}', {}
        if not isinstance(result, ox.QuerySolutions):
            return None
        cap = job["max_rows"]
        variables = [v.value for v in result.variables]
        rows = list(islice(result, cap + 1))  # the rows are computed here: errors too (SERVICE…)
    except (SyntaxError, ValueError, OSError):
        return None  # execute runs it again and says why, in its words
    body = json_solutions(variables, rows[:cap])
    if body is None:
        return None
    return 200, JSON, body, {"X-KG-Truncated": "true"} if len(rows) > cap else {}


def run_lookup(store: Any, job: dict[str, Any]) -> tuple[int, str, bytes, dict[str, str]]:
    """Run a lookup's *job* on *store* here, in the server process (which has no network)."""
    reply = _json_lookup(store, job) or execute(store, job)
    if reply[0] >= 500 and b"(os error 1)" in reply[2]:  # the operating system refused a socket
        reply = (403, reply[1], f"{NO_NETWORK} ({reply[2].decode(errors='replace')})".encode(), reply[3])
    return reply


def lookup_answer(store: Any, graphs: Any, settings: Any, inspect: Any) -> Any:
    """``answer(query_string, accept, base_iri)`` for the fast path of :mod:`kg.serve.listen`: the reply
    ``(status, media type, body, headers)`` to a plain GET of a lookup, or None for any other request.

    *store* and *graphs* are callables (the server's own read-only handle, or None while there is none; the
    store's graph IRIs), *settings* the endpoint's :class:`~kg.serve.settings.Settings`, *inspect* the guard
    (it raises :class:`~kg.store.guard.Refused`). Declined: a request with other parameters, past
    ``max_request_bytes``, from a browser (it gets the query page), refused by the guard: the full path then
    answers it, as it answers every request when this one is not used.
    """
    from kg.serve.headers import SECURITY_HEADERS
    from kg.serve.page import wants_page
    from kg.serve.protocol import protocol_dataset
    from kg.store.guard import Refused

    page_wanted = lru_cache(maxsize=256)(wants_page)  # the same few Accept headers again and again

    def answer(
        raw: bytes, accept: str | None, base_iri: str
    ) -> tuple[int, str, bytes, dict[str, str]] | None:
        local = store()
        if local is None or len(raw) > settings.max_request_bytes:
            return None
        params = lookup_params(raw)
        if params is None or (accept is not None and page_wanted(accept)):
            return None
        query, default_graphs, named_graphs = params
        try:
            inspection = inspect(query)
        except Refused:
            return None
        dg, ng = protocol_dataset(list(default_graphs), list(named_graphs), graphs())
        job = {
            "kind": "query",
            "text": query,
            "accept": accept,
            "base_iri": base_iri,
            "default_graphs": dg,
            "named_graphs": ng,
            "has_dataset": inspection.has_dataset,
            "max_rows": settings.max_returned_rows,
            "lookup": True,
        }
        status, media, body, extra = run_lookup(local, job)
        # the same URL answers with CORS headers for an Origin, and the query page for a browser
        return status, media, body, {**SECURITY_HEADERS, **extra, "Vary": "Origin, Accept"}

    return answer


def open_local_store(store: str | Path) -> tuple[Any, str]:
    """Deny this process the network, check it holds, then open the store read-only: (handle or None, how)."""
    import socket

    from kg.errors import StoreError
    from kg.store.graph import read_only_store
    from kg.store.isolation import deny_network

    try:
        deny_network()
    except StoreError as exc:
        return None, f"answered by the workers (the server process could not deny itself the network: {exc})"
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.socket(family, socket.SOCK_STREAM).close()
        except OSError:
            continue
        return None, "answered by the workers (the seccomp filter was installed, yet a socket opened)"
    return (
        read_only_store(store),
        "answered in the server process, whose network is denied by a seccomp filter (checked)",
    )
