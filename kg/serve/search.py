"""Finding an actor by name: the search box of the public home page (``/``) and of ``kg atelier``.

Read-only: :func:`search` reads the graph's name index (:func:`kg.store.names.name_index`: labels, other
names, acronyms, kept beside a local store by ``kg build``) and answers plain dicts; each found node has the
path of its page on this server (:func:`href`).
"""

from __future__ import annotations

from typing import Any

from kg.model.vocab import BASE

__all__ = ["MAX_TEXT", "href", "search"]

#: the longest search text read (a longer one is cut)
MAX_TEXT = 200


def href(iri: str) -> str:
    """The path of the page behind a project IRI on this server (``/id/actor/le-rameau``); other IRIs as they are.

    >>> href("https://w3id.org/territorial-kg/id/actor/le-rameau"), href("https://example.org/x")
    ('/id/actor/le-rameau', 'https://example.org/x')
    """
    return "/" + iri[len(BASE) :] if iri.startswith(BASE) else iri


def search(graph: Any, text: str, *, limit: int = 30) -> list[dict[str, Any]]:
    """Actors, people and programmes whose name, other name or acronym contains *text* (case and accents aside).

    An exact name comes first, then names that start with *text*, then the others, by label. Each found node
    is a dict: ``iri``, ``label``, ``kind``, ``also`` (its other names), ``href`` (its page here).
    """
    from kg.model.names import normalise
    from kg.store.names import name_index

    key = normalise(text[:MAX_TEXT])
    if not key:
        return []
    found = []
    for iri, named in name_index(graph).items():
        keys = [normalise(n) for n in named.names if n]
        if not any(key in k for k in keys):
            continue
        rank = 0 if key in keys else 1 if any(k.startswith(key) for k in keys) else 2
        also = [n for n in named.alt_labels if n != named.label]
        found.append(
            (
                rank,
                named.label.casefold(),
                {"iri": iri, "label": named.label, "kind": named.kind, "also": also, "href": href(iri)},
            )
        )
    return [row for *_, row in sorted(found, key=lambda t: (t[0], t[1]))][:limit]
