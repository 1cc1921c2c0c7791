"""The query page of ``kg serve``: YASGUI preloaded with the named questions, runnable as they are.

A browser that follows a link to ``/sparql?query=…`` (an actor page's named questions) gets this page with
that query in the editor, run at once (:func:`wants_page` decides, from ``Accept``); a SPARQL client gets
the protocol's results as before. The query is data: it travels in a JSON block whose ``<``, ``>`` and ``&``
are escaped, and ``static/query.js`` puts it into the editor as text.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from string import Template
from typing import Any

from kg.serve.settings import Settings

__all__ = ["TEMPLATE_DIR", "query_examples", "query_page", "wants_page"]

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


def _json(value: Any) -> str:
    """JSON for a ``<script type="application/json">`` block: no ``<``, ``>`` or ``&`` left to end it."""
    return (
        json.dumps(value, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


def wants_page(accept: str | None) -> bool:
    """Whether a GET of ``/sparql?query=…`` gets the query page rather than results: ``text/html`` (or
    XHTML) named in *accept* before every SPARQL results and RDF media type, as a browser's is.

    >>> wants_page("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")  # a browser
    True
    >>> wants_page("application/sparql-results+json,application/json;q=0.9,text/html;q=0.1")
    False
    >>> wants_page("*/*"), wants_page(None), wants_page("text/csv, text/html")
    (False, False, False)
    """
    from kg.serve.protocol import GRAPH_TYPES, RESULT_TYPES

    ranked = []  # (-q, position, media range), q=0 dropped
    for i, part in enumerate((accept or "").split(",")):
        media, *params = (x.strip() for x in part.split(";"))
        q = 1.0
        for p in params:
            if p.lower().startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if media and q > 0:
            ranked.append((-q, i, media.lower()))
    for _, _, media in sorted(ranked):
        if media in ("text/html", "application/xhtml+xml"):
            return True
        if media in RESULT_TYPES or media in GRAPH_TYPES or media.endswith("/*"):
            return False
    return False


def query_page(
    examples: list[dict[str, str]], settings: Settings, endpoint_path: str, query: str | None = None
) -> str:
    """The query page; with *query*, that query loaded in the editor's first tab and run when it opens."""
    from html import escape

    limits = (
        f"{settings.time_limit_ms} ms, {settings.max_returned_rows} lignes/rows, "
        f"{settings.max_request_bytes} octets/bytes"
    )
    page = Template((TEMPLATE_DIR / "serve_query.html").read_text(encoding="utf-8"))
    return page.substitute(
        endpoint=escape(endpoint_path),
        limits=escape(limits),
        examples_json=_json(examples),
        preload_json=_json({"query": query} if query is not None else None),
    )
