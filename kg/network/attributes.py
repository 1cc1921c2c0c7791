"""Scalar attributes of the projection: lists as ``a|b`` text, sources as text, concept labels as JSON.

:func:`kg.network.projection.project` returns a graph whose every graph, node and edge attribute
is a ``str``, ``float`` or ``bool`` — what NetworkX's own writers (GraphML, GEXF, node-link JSON)
and pyvis accept — and leaves out attributes that have no value (``None``). Lists are written
with the helpers below, and read back with them:

- :func:`listed` — ``types``, ``themes``, ``territory``, ``alt_labels``: items joined with ``|``
  (a ``|`` or ``\\`` inside an item is escaped with ``\\``);
- :func:`sources_of` — ``sources``: one item per source, ``<document IRI> <quote>`` (an IRI has
  no space, so the first space ends it);
- :func:`concept_labels` — the graph's ``concept_labels``: JSON text
  ``{notation: {lang: label}}``.

The readers also accept the plain Python lists (and dicts) that hand-built test graphs use.

>>> joined(["fondation", "a|b"])
'fondation|a\\\\|b'
>>> listed(joined(["fondation", "a|b"])), listed(""), listed(None), listed(["x"])
(['fondation', 'a|b'], [], [], ['x'])
>>> sources_of(sources_text([("https://ex.org/doc/a", "Alpha | fondée en 2010")]))
[('https://ex.org/doc/a', 'Alpha | fondée en 2010')]
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

__all__ = ["concept_label_table", "concept_labels", "joined", "listed", "sources_of", "sources_text"]

_SPLIT = re.compile(r"(?<!\\)((?:\\\\)*)\|")
_UNESCAPE = re.compile(r"\\(.)")


def _escape(item: str) -> str:
    return item.replace("\\", "\\\\").replace("|", "\\|")


def joined(items: Iterable[Any]) -> str:
    """*items* as one ``a|b`` text (empty for none)."""
    return "|".join(_escape(str(x)) for x in items)


@lru_cache(maxsize=4096)
def _split(text: str) -> tuple[str, ...]:
    parts, last = [], 0
    for m in _SPLIT.finditer(text):
        parts.append(text[last : m.start()] + m.group(1))
        last = m.end()
    parts.append(text[last:])
    return tuple(_UNESCAPE.sub(r"\1", p) for p in parts)


def listed(value: Any) -> list[str]:
    """The items of a list attribute: ``a|b`` text, or a Python list of a hand-built graph."""
    if not value:
        return []
    if isinstance(value, str):
        return list(_split(value))
    return list(value)


def sources_text(pairs: Iterable[tuple[str, str]]) -> str:
    """``(document IRI, quote)`` pairs as one text (see :func:`sources_of`)."""
    return joined(f"{doc} {quote}" for doc, quote in pairs)


def sources_of(value: Any) -> list[tuple[str, str]]:
    """The ``(document IRI, quote)`` pairs of a ``sources`` attribute."""
    if not value:
        return []
    if not isinstance(value, str):
        return [(str(s[0]), str(s[1])) for s in value]
    out = []
    for item in _split(value):
        doc, _, quote = item.partition(" ")
        out.append((doc, quote))
    return out


@lru_cache(maxsize=64)
def _labels(text: str) -> dict[str, dict[str, str]]:
    return json.loads(text)  # type: ignore[no-any-return]


def concept_labels(G: Any) -> dict[str, dict[str, str]]:
    """The graph's ``{concept notation: {lang: label}}`` (kept as JSON text in ``G.graph``).

    The dict is shared between calls: read it, do not change it.
    """
    value = G.graph.get("concept_labels")
    if not value:
        return {}
    if isinstance(value, str):
        return _labels(value)
    return value  # type: ignore[no-any-return]


#: which scheme a bare notation means when several have it (the node's type before a theme, a role or a
#: relation kind)
SCHEME_ORDER = ("actor-type", "project-type", "support-kind", "theme", "role", "relation-kind")


def concept_label_table(labels: Iterable[tuple[str, str, str | None]]) -> dict[str, dict[str, str]]:
    """``{"scheme/notation": {lang: label}}`` from ``(concept IRI, label, language)``, plus each bare
    notation, from the first scheme of :data:`SCHEME_ORDER` that has it: « recherche » is an actor type
    and a theme, « organisation » an actor type and a relation kind, so readers ask by scheme first
    (:func:`kg.present.style.label_of`).

    >>> t = concept_label_table([("https://x/concept/theme/recherche", "Recherche", "fr"),
    ...                          ("https://x/concept/actor-type/recherche", "Organisme de recherche", "fr")])
    >>> t["theme/recherche"]["fr"], t["recherche"]["fr"]
    ('Recherche', 'Organisme de recherche')
    """
    table: dict[str, dict[str, str]] = {}
    for concept, label, language in labels:
        if "/concept/" in concept:
            table.setdefault(concept.split("/concept/", 1)[1], {})[language or "fr"] = label

    def rank(key: str) -> int:
        scheme = key.split("/", 1)[0]
        return SCHEME_ORDER.index(scheme) if scheme in SCHEME_ORDER else len(SCHEME_ORDER)

    for key in sorted(table, key=rank):
        table.setdefault(key.rsplit("/", 1)[-1], table[key])
    return table
