"""The query page of ``kg serve``: YASGUI preloaded with the named questions, runnable as they are."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from string import Template
from typing import Any

from kg.serve.settings import Settings

__all__ = ["TEMPLATE_DIR", "query_examples", "query_page"]

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


def query_page(examples: list[dict[str, str]], settings: Settings, endpoint_path: str) -> str:
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
