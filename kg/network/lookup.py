"""Finding a node of the projection by name or by IRI.

Names are compared with :func:`kg.model.names.normalise` (case, accents, punctuation and
"St" do not matter) and suggested with :func:`kg.model.names.closest`, as everywhere.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("http://x/a", label="Club Gravelle Entreprendre", kind="actor")
>>> G.add_node("http://x/b", label="Le RAMEAU", kind="actor")
>>> resolve(G, "le rameau")
'http://x/b'
>>> resolve(G, "Club Gravel Entreprendre")
Traceback (most recent call last):
...
kg.errors.UnknownEntityError: Unknown actor "Club Gravel Entreprendre" — did you mean "Club Gravelle Entreprendre"?
"""

from __future__ import annotations

from typing import Any

from kg.errors import UnknownEntityError
from kg.model.names import closest, normalise, suggestion

__all__ = ["candidates", "resolve"]


def _names(G: Any, node: str) -> list[str]:
    d = G.nodes[node]
    return [d.get("label") or "", *d.get("alt_labels", [])]


def candidates(G: Any, text: str, *, kinds: tuple[str, ...] | None = None, n: int = 5) -> list[str]:
    """Labels of the nodes whose names (label or alternative labels) are closest to *text* (best first)."""
    labels: dict[str, list[str]] = {}
    for node, d in G.nodes(data=True):
        if kinds and d.get("kind") not in kinds:
            continue
        for name in _names(G, node):
            if name:
                labels.setdefault(name, []).append(d.get("label") or node)
    out = dict.fromkeys(label for name in closest(text, labels, n=len(labels)) for label in labels[name])
    return list(out)[:n]


def resolve(
    G: Any,
    text: str,
    *,
    kinds: tuple[str, ...] | None = ("actor", "person", "programme"),
    what: str = "actor",
) -> str:
    """The node named *text* (or whose IRI is *text*).

    Raises
    ------
    UnknownEntityError
        When no node has that name (with the closest names as suggestions), or when
        several do (with those as candidates).
    """
    if text in G:
        return text
    key = normalise(text)
    exact = [
        n
        for n, d in G.nodes(data=True)
        if (not kinds or d.get("kind") in kinds) and any(normalise(x) == key for x in _names(G, n))
    ]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        labels = [f"{G.nodes[n].get('label')} <{n}>" for n in exact]
        raise UnknownEntityError(f'"{text}" names several nodes: {"; ".join(labels)} — pass the IRI', labels)
    sugg = candidates(G, text, kinds=kinds)
    hint = f" — {suggestion(sugg[:3], lang='en')}" if sugg else ""
    raise UnknownEntityError(f'Unknown {what} "{text}"{hint}', sugg)
